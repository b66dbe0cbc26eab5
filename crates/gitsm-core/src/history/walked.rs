//! The first-parent history walked so far, kept for the next walk: the
//! site, the report and `sla` each walk every commit for their timelines,
//! and at 100,000 records one commit's tree diff reads megabytes. What a
//! walk found up to a tip is saved in the Git directory
//! (`<git dir>/gitsm/history-<hash of the managed root>.walk`); the next
//! walk whose tip descends from it by first parents reads only the commits
//! since. The file is derived and never trusted beyond that: a missing,
//! damaged or foreign-version file, a tip that is not a first-parent
//! descendant (history rewritten, another branch) or a different set of
//! shallow commits means a walk from the start, whose result replaces it.
//! A walk with or without the file gives the same transitions.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use git2::{Oid, Repository, Sort};
use serde::{Deserialize, Serialize};

use crate::git::ObjectKey;

use super::trail::Author;

const FORMAT: &str = "gitsm history walk 3";

type Hasher = foldhash::fast::RandomState;

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

/// What a walk found, up to `tip`.
#[derive(Debug, Default)]
pub(super) struct Walked {
    pub tip: Option<Oid>,
    /// Shallow commits when walked: the history stops there.
    pub shallow: Vec<Oid>,
    /// A hash of `info/grafts` when walked.
    pub grafts: String,
    /// The commits that changed records, oldest first.
    pub commits: Vec<CommitSeen>,
    /// Each record changed since it was added: its versions, oldest first.
    pub changes: HashMap<String, Vec<Step>, Hasher>,
    /// Each record added and not changed since: the version that added it.
    pub added: HashMap<String, Step, Hasher>,
    /// Statuses of the versions a later commit replaced (`None`: none).
    pub read: HashMap<ObjectKey, Option<String>, Hasher>,
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

/// One line of the file: `{"<kind>":{…}}`. Tagged outside its fields
/// (not by a field among them), so that serde reads each line in one
/// pass instead of buffering it to find the tag first.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line {
    Head {
        format: String,
        /// The gitsm that wrote it: another may read history otherwise.
        version: String,
        tip: String,
        shallow: Vec<String>,
        /// `info/grafts`, which rewrites parents without moving the tip.
        grafts: String,
    },
    Commit {
        at: DateTime<FixedOffset>,
        id: String,
        name: String,
        email: String,
    },
    Changed {
        id: String,
        steps: Vec<(usize, Option<String>, String)>,
    },
    Added {
        id: String,
        commit: usize,
        blob: String,
    },
    Read {
        blob: String,
        status: Option<String>,
    },
    /// The last line, with how many came before it: a file cut short is
    /// not taken for a shorter walk.
    End { lines: usize },
}

fn oid(text: &str) -> Option<Oid> {
    Oid::from_str(text).ok()
}

impl Walked {
    /// The walk saved at `path`, if it is one (anything else: none).
    pub(super) fn load(path: &Path) -> Option<Walked> {
        let file = std::fs::File::open(path).ok()?;
        let mut lines = std::io::BufReader::new(file).lines();
        let Line::Head {
            format,
            version,
            tip,
            shallow,
            grafts,
        } = serde_json::from_str(&lines.next()?.ok()?).ok()?
        else {
            return None;
        };
        if format != FORMAT || version != env!("CARGO_PKG_VERSION") {
            return None;
        }
        let mut walked = Walked {
            tip: Some(oid(&tip)?),
            shallow: shallow.iter().map(|s| oid(s)).collect::<Option<_>>()?,
            grafts,
            ..Walked::default()
        };
        let mut count = 1;
        let commit = |n: usize, walked: &Walked| (n < walked.commits.len()).then_some(n);
        for line in lines {
            count += 1;
            match serde_json::from_str(&line.ok()?).ok()? {
                Line::Head { .. } => return None,
                // Nothing may follow the end, and it counts every line.
                Line::End { lines } => return (lines == count - 1).then_some(walked),
                Line::Commit {
                    at,
                    id,
                    name,
                    email,
                } => walked.commits.push(CommitSeen {
                    at,
                    id: Arc::from(id),
                    author: Arc::new(Author { name, email }),
                }),
                Line::Changed { id, steps } => {
                    let steps = steps
                        .into_iter()
                        .map(|(n, before, after)| {
                            Some(Step {
                                commit: commit(n, &walked)?,
                                before: match before {
                                    Some(b) => Some(oid(&b)?),
                                    None => None,
                                },
                                after: oid(&after)?,
                            })
                        })
                        .collect::<Option<_>>()?;
                    if walked.added.contains_key(&id) || walked.changes.insert(id, steps).is_some()
                    {
                        return None;
                    }
                }
                Line::Added {
                    id,
                    commit: n,
                    blob,
                } => {
                    let step = Step {
                        commit: commit(n, &walked)?,
                        before: None,
                        after: oid(&blob)?,
                    };
                    if walked.changes.contains_key(&id) || walked.added.insert(id, step).is_some() {
                        return None;
                    }
                }
                Line::Read { blob, status } => {
                    walked.read.insert(oid(&blob)?.into(), status);
                }
            }
        }
        None
    }

    /// Save the walk at `path` (whole, or not at all), a line at a time.
    pub(super) fn save(&self, path: &Path) -> std::io::Result<()> {
        let Some(tip) = self.tip else {
            return Ok(());
        };
        let lines =
            1 + self.commits.len() + self.changes.len() + self.added.len() + self.read.len();
        crate::write::atomic_with(path, |out| {
            let mut line = |l: Line| -> std::io::Result<()> {
                serde_json::to_writer(&mut *out, &l)?;
                out.write_all(b"\n")
            };
            line(Line::Head {
                format: FORMAT.to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
                tip: tip.to_string(),
                shallow: self.shallow.iter().map(Oid::to_string).collect(),
                grafts: self.grafts.clone(),
            })?;
            for c in &self.commits {
                line(Line::Commit {
                    at: c.at,
                    id: c.id.to_string(),
                    name: c.author.name.clone(),
                    email: c.author.email.clone(),
                })?;
            }
            for (id, steps) in &self.changes {
                let steps = steps
                    .iter()
                    .map(|s| {
                        (
                            s.commit,
                            s.before.map(|b| b.to_string()),
                            s.after.to_string(),
                        )
                    })
                    .collect();
                line(Line::Changed {
                    id: id.clone(),
                    steps,
                })?;
            }
            for (id, step) in &self.added {
                line(Line::Added {
                    id: id.clone(),
                    commit: step.commit,
                    blob: step.after.to_string(),
                })?;
            }
            for (blob, status) in &self.read {
                line(Line::Read {
                    blob: blob.to_string(),
                    status: status.clone(),
                })?;
            }
            line(Line::End { lines })
        })
    }
}

/// What a walk depends on beside the tip: the shallow commits, sorted,
/// and a hash of `info/grafts`.
pub(super) fn boundary(repo: &Repository) -> (Vec<Oid>, String) {
    let mut shallow: Vec<Oid> = super::shallow_commits(repo).into_iter().collect();
    shallow.sort();
    let grafts = std::fs::read(repo.path().join("info").join("grafts")).unwrap_or_default();
    (shallow, crate::git::short_hash(&grafts))
}

#[cfg(test)]
mod tests {
    use super::super::trail::{Keep, KnownStatuses, Transition, walk};
    use super::*;
    use gitsm_git::testing::git_cli as git;
    use proptest::prelude::*;

    /// What a walk gives, in an order that compares.
    type Seen = Vec<(String, Vec<Transition>)>;

    fn transitions(repo: &Repository, tip: Oid, keep: Keep) -> Seen {
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

    /// A damaged or foreign file is not trusted: the walk starts over and
    /// replaces it.
    #[test]
    fn a_damaged_walk_file_is_walked_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        git(root, &["init", "-q"], None);
        std::fs::create_dir(root.join("incidents")).expect("mkdir");
        for status in ["new", "resolved"] {
            std::fs::write(
                root.join("incidents/INC-1.yaml"),
                format!("id: INC-1\nstatus: {status}\n"),
            )
            .expect("write");
            git(root, &["add", "-A"], None);
            git(root, &["commit", "-q", "-m", status], None);
        }
        let repo = Repository::open(root).expect("open");
        let tip = repo.head().expect("head").target().expect("tip");
        let right = transitions(&repo, tip, Keep::All);
        assert_eq!(right[0].1.len(), 2);
        let saved = location(&repo, Path::new(""));
        let text = std::fs::read_to_string(&saved).expect("saved");
        // A walk of a tip that is not this history's (with a planted
        // status), a file cut short (mid-line or after a line), another
        // format or gitsm, a commit index out of range, a record listed
        // twice, not JSON: none is believed.
        let planted = text.replace("\"status\":\"new\"", "\"status\":\"closed\"");
        assert_ne!(planted, text);
        let lines: Vec<&str> = text.lines().collect();
        let count = lines.len() - 1;
        let changed = lines
            .iter()
            .find(|l| l.starts_with("{\"changed\":"))
            .expect("a changed record");
        let twice = text
            .replace(changed, &format!("{changed}\n{changed}"))
            .replace(
                &format!("\"lines\":{count}"),
                &format!("\"lines\":{}", count + 1),
            );
        let damaged = [
            planted.replace(&tip.to_string(), &"0".repeat(40)),
            text[..text.len() / 2].to_owned(),
            format!("{}\n", lines[..count].join("\n")),
            text.replace(FORMAT, "gitsm history walk 0"),
            text.replace(env!("CARGO_PKG_VERSION"), "0.0.0-other"),
            text.replace("\"commit\":0", "\"commit\":7"),
            twice,
            "\u{0}\u{1}not json".to_owned(),
        ];
        for bad in damaged {
            std::fs::write(&saved, &bad).expect("damage");
            assert_eq!(transitions(&repo, tip, Keep::All), right, "{bad}");
            assert!(Walked::load(&saved).is_some(), "replaced by a good one");
        }
    }
}
