//! The first-parent history walked so far, kept for the next walk: the
//! site, the report and `sla` each walk every commit for their timelines,
//! and at 100,000 records one commit's tree diff reads megabytes. What a
//! walk found up to a tip is saved in the Git directory
//! (`<git dir>/gitsm/history-<hash of the managed root>.walk`, laid out in
//! [`walk_file`](super::walk_file)); the next walk whose tip descends from
//! it by first parents reads only the commits since, and appends what
//! they changed. The file is derived and never trusted beyond that: a
//! missing, damaged or foreign-version file, a tip that is not a
//! first-parent descendant (history rewritten, another branch) or a
//! different set of shallow commits means a walk from the start, whose
//! result replaces it. A walk with or without the file gives the same
//! transitions.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use git2::{Oid, Repository, Sort};

use crate::git::ObjectKey;

use super::trail::{Author, Keep, Transition, Transitions};

pub(super) type Hasher = foldhash::fast::RandomState;

/// A commit that changed records: when, which, by whom.
#[derive(Debug, Clone)]
pub(super) struct CommitSeen {
    pub at: DateTime<FixedOffset>,
    pub id: Arc<str>,
    pub author: Arc<Author>,
}

/// One version of a record file: the commit (an index into
/// [`Walked::commits`]) that made it, the blob it replaced (`None`: added)
/// and its blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Step {
    pub commit: usize,
    pub before: Option<Oid>,
    pub after: Oid,
}

/// What a walk found, up to `tip`: each record's steps already in the
/// shape [`Walk`](super::trail::Walk) gives them (transitions whose
/// statuses are still to be filled in), so that a resumed walk converts
/// nothing.
#[derive(Debug)]
pub(super) struct Walked {
    pub tip: Option<Oid>,
    /// Shallow commits when walked: the history stops there.
    pub shallow: Vec<Oid>,
    /// A hash of `info/grafts` when walked.
    pub grafts: String,
    /// The commits that changed records, oldest first.
    pub commits: Vec<CommitSeen>,
    /// Each record's changes, oldest first (`from` and `to` empty): every
    /// record's, or, when `keep` drops lone additions, those of the
    /// records changed since they were added.
    pub changes: Transitions,
    /// Each record added and not changed since, when `keep` drops lone
    /// additions: the version that added it, a transition only once a
    /// later commit changes the record (an import of 100,000 records
    /// otherwise builds 100,000 to drop them).
    pub added: HashMap<String, Step, Hasher>,
    /// Statuses of the versions a later commit replaced (`None`: none).
    pub read: HashMap<ObjectKey, Option<String>, Hasher>,
    keep: Keep,
    /// What this walk added to the one loaded from a file, to append to
    /// it; `None` when the file is to be written whole.
    pub(super) resumed: Option<Resumed>,
}

/// What a walk resumed from a file found since: the commits from
/// `commits_from` on, the steps and the versions read, in walk order.
#[derive(Debug)]
pub(super) struct Resumed {
    /// The file as loaded: its length (appended to only while it is
    /// unchanged) and the tip its last section ends at.
    pub file_len: u64,
    pub base: Oid,
    pub commits_from: usize,
    pub steps: Vec<(String, Step)>,
    pub read: Vec<ObjectKey>,
}

impl Walked {
    /// Nothing walked yet.
    pub(super) fn new(shallow: Vec<Oid>, grafts: String, keep: Keep) -> Walked {
        Walked {
            tip: None,
            shallow,
            grafts,
            commits: Vec::new(),
            changes: Transitions::default(),
            added: HashMap::default(),
            read: HashMap::default(),
            keep,
            resumed: None,
        }
    }

    /// A commit that changed records; its index for [`Step::commit`].
    pub(super) fn commit(&mut self, commit: CommitSeen) -> usize {
        self.commits.push(commit);
        self.commits.len() - 1
    }

    /// A new version of record `id`, made by a commit of this walk.
    pub(super) fn step(&mut self, id: &str, step: Step) {
        self.record(id, step);
        if let Some(resumed) = &mut self.resumed {
            resumed.steps.push((id.to_owned(), step));
        }
    }

    /// The status of `blob`, a version a commit of this walk replaced,
    /// unless read already. A version that could not be read (`Err`: a
    /// partial clone lacks it, a read failed) is not kept: the file would
    /// carry its "no status" past the day it can be read.
    pub(super) fn read<E>(
        &mut self,
        blob: Oid,
        status: impl FnOnce() -> Result<Option<String>, E>,
    ) {
        let key = ObjectKey::from(blob);
        if let std::collections::hash_map::Entry::Vacant(entry) = self.read.entry(key) {
            let Ok(status) = status() else {
                return;
            };
            entry.insert(status);
            if let Some(resumed) = &mut self.resumed {
                resumed.read.push(key);
            }
        }
    }

    /// A new version of record `id`, whether met by the walk or read back
    /// from the file: the one place the steps of a record are kept.
    /// `false` when its commit is unknown. (Lone additions are only kept
    /// apart when dropped: an empty map is not looked up.)
    pub(super) fn record(&mut self, id: &str, step: Step) -> bool {
        let Some(transition) = self.transition(&step) else {
            return false;
        };
        if let Some(transitions) = self.changes.get_mut(id) {
            transitions.push(transition);
        } else if let Some((id, first)) = (!self.added.is_empty())
            .then(|| self.added.remove_entry(id))
            .flatten()
        {
            let Some(first) = self.transition(&first) else {
                return false;
            };
            self.changes.insert(id, vec![first, transition]);
        } else if step.before.is_none() && self.keep == Keep::AllButLoneAdditions {
            self.added.insert(id.to_owned(), step);
        } else {
            self.changes.insert(id.to_owned(), vec![transition]);
        }
        true
    }

    /// `step` as a transition, its statuses still to be filled in.
    fn transition(&self, step: &Step) -> Option<Transition> {
        let c = self.commits.get(step.commit)?;
        Some(Transition {
            from: None,
            to: String::new(),
            at: c.at,
            commit: c.id.clone(),
            author: c.author.clone(),
            before: step.before,
            after: step.after,
        })
    }
}

/// The commits from the first-parent descendant `from` (excluded; `None`:
/// the root) up to `tip`, oldest first; `None` when `from` is not on
/// `tip`'s first-parent line.
pub(super) fn since(
    repo: &Repository,
    from: Option<Oid>,
    tip: Oid,
) -> Result<Option<Vec<Oid>>, git2::Error> {
    let mut revwalk = repo.revwalk()?;
    revwalk.push(tip)?;
    revwalk.simplify_first_parent()?;
    revwalk.set_sorting(Sort::TOPOLOGICAL)?;
    let mut commits = Vec::new();
    for oid in revwalk {
        let oid = oid?;
        if Some(oid) == from {
            commits.reverse();
            return Ok(Some(commits));
        }
        commits.push(oid);
    }
    commits.reverse();
    Ok(from.is_none().then_some(commits))
}

/// Where the walk of the managed root at `prefix` is kept.
pub(super) fn location(repo: &Repository, prefix: &Path) -> PathBuf {
    let name = format!(
        "history-{}.walk",
        crate::git::short_name(prefix.as_os_str())
    );
    repo.path().join("gitsm").join(name)
}

/// What a walk depends on beside the tip: the shallow commits, sorted,
/// and a hash of `info/grafts`.
pub(super) fn boundary(repo: &Repository) -> (Vec<Oid>, String) {
    let mut shallow: Vec<Oid> = super::shallow_commits(repo).into_iter().collect();
    shallow.sort();
    // Shared by linked worktrees: libgit2 reads it from the common folder.
    let grafts = std::fs::read(repo.commondir().join("info").join("grafts")).unwrap_or_default();
    (shallow, crate::git::short_hash(&grafts))
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::trail::{KnownStatuses, Transition, walk};
    use super::*;
    use gitsm_git::testing::git_cli as git;
    use proptest::prelude::*;

    /// What a walk gives, in an order that compares.
    pub(in crate::history) type Seen = Vec<(String, Vec<Transition>)>;

    /// A new repository with an `incidents/` folder; each call of the
    /// closure returned commits `INC-1` as its id followed by `text`.
    pub(in crate::history) fn incident_history(root: &Path) -> impl Fn(&str) + '_ {
        git(root, &["init", "-q"], None);
        std::fs::create_dir(root.join("incidents")).expect("mkdir");
        move |text| {
            let file = root.join("incidents/INC-1.yaml");
            std::fs::write(file, format!("id: INC-1\n{text}\n")).expect("write");
            git(root, &["add", "-A"], None);
            git(root, &["commit", "-q", "-m", text], None);
        }
    }

    /// The transitions a walk up to `tip` gives (resuming the kept walk).
    pub(in crate::history) fn transitions(repo: &Repository, tip: Oid, keep: Keep) -> Seen {
        let mut all: Seen = walk(repo, Path::new(""), tip, keep)
            .expect("walk")
            .transitions(repo, &KnownStatuses::default())
            .into_iter()
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// One commit's change: a record (of four) added or given another
    /// status, deleted, moved to the other folder; a file that is no
    /// record; or the last commit replaced (history rewritten).
    #[derive(Debug, Clone)]
    enum Op {
        Status(usize, usize),
        Delete(usize),
        Move(usize),
        Other,
        Amend(usize, usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0..4usize, 0..3usize).prop_map(|(r, s)| Op::Status(r, s)),
            1 => (0..4usize).prop_map(Op::Delete),
            1 => (0..4usize).prop_map(Op::Move),
            1 => Just(Op::Other),
            1 => (0..4usize, 0..3usize).prop_map(|(r, s)| Op::Amend(r, s)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        /// After every commit, a walk that resumes the saved one gives the
        /// transitions of a walk from the start, with either `Keep`.
        #[test]
        fn a_resumed_walk_equals_a_walk_from_the_start(ops in proptest::collection::vec(op(), 1..9)) {
            let dir = tempfile::tempdir().expect("tempdir");
            let root = dir.path();
            git(root, &["init", "-q"], None);
            for folder in ["incidents", "problems"] {
                std::fs::create_dir(root.join(folder)).expect("mkdir");
            }
            let statuses = ["new", "in_progress", "resolved"];
            let file = |r: usize| {
                ["incidents", "problems"]
                    .iter()
                    .map(|f| root.join(format!("{f}/R-{r}.yaml")))
                    .find(|p| p.exists())
                    .unwrap_or_else(|| root.join(format!("incidents/R-{r}.yaml")))
            };
            // Git keeps no empty folder: a reset may remove one.
            let put = |path: &Path, text: String| {
                std::fs::create_dir_all(path.parent().expect("folder")).expect("mkdir");
                std::fs::write(path, text).expect("write");
            };
            let write = |r: usize, s: usize| put(&file(r), format!("id: R-{r}\nstatus: {}\n", statuses[s]));
            let mut n = 0;
            for op in ops {
                n += 1;
                match op {
                    Op::Status(r, s) => write(r, s),
                    Op::Delete(r) => {
                        let _ = std::fs::remove_file(file(r));
                    }
                    Op::Move(r) => {
                        let from = file(r);
                        if from.exists() {
                            let folder = if from.starts_with(root.join("incidents")) { "problems" } else { "incidents" };
                            let to = root.join(format!("{folder}/R-{r}.yaml"));
                            put(&to, std::fs::read_to_string(&from).expect("read"));
                            std::fs::remove_file(&from).expect("move");
                        }
                    }
                    Op::Other => std::fs::write(root.join("notes.txt"), format!("{n}")).expect("write"),
                    Op::Amend(r, s) => {
                        // The last commit is dropped and another made in
                        // its place: the saved tip is no ancestor.
                        if n > 2 {
                            git(root, &["reset", "-q", "--hard", "HEAD~1"], None);
                        }
                        write(r, s);
                    }
                }
                git(root, &["add", "-A"], None);
                git(root, &["commit", "-q", "--allow-empty", "-m", &format!("step {n}")], None);
                let repo = Repository::open(root).expect("open");
                let tip = repo.head().expect("head").target().expect("tip");
                for keep in [Keep::All, Keep::AllButLoneAdditions] {
                    let resumed = transitions(&repo, tip, keep);
                    let saved = location(&repo, Path::new(""));
                    prop_assert!(saved.is_file());
                    let kept = std::fs::read(&saved).expect("saved");
                    std::fs::remove_file(&saved).expect("forget");
                    let fresh = transitions(&repo, tip, keep);
                    prop_assert_eq!(&resumed, &fresh, "after {} commits, {:?}", n, keep);
                    std::fs::write(&saved, kept).expect("put back");
                }
            }
        }
    }
}
