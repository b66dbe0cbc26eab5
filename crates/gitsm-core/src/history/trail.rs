//! Audit trails from Git: who changed a record, when, and which fields.
//!
//! [`record_trail`] follows one record through history by comparing, per
//! commit, the id of its kind folder with the parent's: commits that did not
//! touch the folder are skipped without reading it. [`walk`] walks history
//! once for every record, for commands that need many timelines, and
//! [`Walk::transitions`] gives their status changes.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use git2::{Commit, Oid, Repository, Sort};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::git::ObjectKey;
use crate::kind::Kind;
use crate::snapshot::Snapshot;
use crate::tree_cache::TreeCache;
use crate::yaml;

use super::walk_file;
use super::walked::{self, CommitSeen, Step, Walked};
use super::{HistoryError, commit_time, diff};

/// A commit's author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Author {
    pub name: String,
    pub email: String,
}

/// One commit that touched a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub commit: String,
    pub summary: String,
    pub author: Author,
    /// Commit (committer) time.
    pub at: DateTime<FixedOffset>,
    /// Path of the record file after the commit (before it, when deleted).
    pub path: String,
    pub action: Action,
    /// The status change, if any (`from` is `None` on creation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transition: Option<StatusChange>,
    /// Fields changed, status first.
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Created,
    Changed,
    Moved,
    Deleted,
}

/// A status before and after a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusChange {
    pub from: Option<String>,
    pub to: String,
}

/// One field's value before and after a commit (`null` when absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Dotted path, e.g. `resolution.code`.
    pub field: String,
    pub from: Value,
    pub to: Value,
}

/// A record's trail, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trail {
    pub id: String,
    pub events: Vec<Event>,
    /// Times the record went from resolved (or fulfilled) back to work.
    pub reopened: usize,
    /// The oldest commit shown is the edge of a shallow clone: what came
    /// before it (the record's creation, earlier changes) is missing.
    pub incomplete: bool,
}

/// One commit that changed a record: the record file (path, blob) in the
/// commit's first parent and in the commit.
pub struct Touch<'r> {
    pub commit: Commit<'r>,
    pub before: Option<(String, Oid)>,
    pub after: Option<(String, Oid)>,
}

impl Touch<'_> {
    /// The record's content before and after the commit.
    pub fn contents(&self, repo: &Repository) -> (Option<Value>, Option<Value>) {
        let read = |v: &Option<(String, Oid)>| v.as_ref().and_then(|(p, b)| read_json(repo, p, *b));
        (read(&self.before), read(&self.after))
    }
}

/// Every commit reachable from `tip` that changed record `id` of `kind`,
/// oldest first. A merge counts only when the record differs from every
/// parent (a conflict resolution), as in `git log`. Commits whose kind
/// folder (or the record's year folder) is the same as a parent's are
/// skipped without reading it.
pub fn touches<'r>(
    repo: &'r Repository,
    prefix: &Path,
    kind: Kind,
    id: &str,
    tip: Oid,
) -> Result<Vec<Touch<'r>>, HistoryError> {
    let mut walk = repo.revwalk()?;
    walk.push(tip)?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME | Sort::REVERSE)?;
    let mut trees = TreeCache::new(repo)?;
    let root = |tree: Option<&git2::Tree<'r>>| Snapshot::new(repo, tree, prefix).root_id();
    let version =
        |v: Option<diff::Version>| v.map(|v| (v.path.to_string_lossy().into_owned(), v.blob));
    let file = kind.file_name(id);
    let mut out = Vec::new();
    'commits: for oid in walk {
        trees.step();
        let commit = repo.find_commit(oid?)?;
        let new = root(Some(&commit.tree()?));
        let mut olds: Vec<Option<Oid>> = Vec::new();
        for parent in commit.parents() {
            olds.push(root(Some(&parent.tree()?)));
        }
        if olds.is_empty() {
            olds.push(None);
        }
        let mut before = None;
        let mut after = None;
        for old in olds {
            let change = diff::changed_records(&mut trees, old, new, &[kind])
                .into_iter()
                .find(|c| c.path().file_name().is_some_and(|n| n == file.as_str()));
            // The same as in one parent (or the same content, moved or with
            // another file mode): not a change of this commit.
            let Some(change) =
                change.filter(|c| c.old.as_ref().map(|v| v.blob) != c.new.as_ref().map(|v| v.blob))
            else {
                continue 'commits;
            };
            before = before.or(Some(version(change.old)));
            after = version(change.new);
        }
        out.push(Touch {
            commit,
            before: before.flatten(),
            after,
        });
    }
    Ok(out)
}

/// The status changes of record `id` of `kind` up to `tip`, oldest first
/// (its creation included): what its clocks take from history, found by
/// the walk [`touches`] makes for one record.
pub fn record_transitions(
    repo: &Repository,
    prefix: &Path,
    kind: Kind,
    id: &str,
    tip: Oid,
) -> Result<Vec<Transition>, HistoryError> {
    Ok(touches(repo, prefix, kind, id, tip)?
        .iter()
        .filter_map(|t| {
            let after = t.after.as_ref()?.1;
            let to = status_of_blob(repo, after)?;
            let before = t.before.as_ref().map(|(_, blob)| *blob);
            let from = before.and_then(|b| status_of_blob(repo, b));
            (from.as_deref() != Some(to.as_str())).then(|| Transition {
                from,
                to,
                at: commit_time(&t.commit),
                commit: Arc::from(t.commit.id().to_string()),
                author: Arc::new(author(&t.commit)),
                before,
                after,
            })
        })
        .collect())
}

/// The audit trail of record `id` of `kind` up to `tip`.
pub fn record_trail(
    repo: &Repository,
    prefix: &Path,
    kind: Kind,
    id: &str,
    tip: Oid,
) -> Result<Trail, HistoryError> {
    let touches = touches(repo, prefix, kind, id, tip)?;
    let incomplete = touches
        .first()
        .is_some_and(|t| super::shallow_commits(repo).contains(&t.commit.id()));
    let events: Vec<Event> = touches
        .iter()
        .map(|t| {
            let (old, new) = t.contents(repo);
            event(&t.commit, &t.before, &t.after, old, new)
        })
        .collect();
    let reopened = events
        .iter()
        .filter_map(|e| e.transition.as_ref())
        .filter(|t| is_reopen(t.from.as_deref(), &t.to))
        .count();
    Ok(Trail {
        id: id.to_owned(),
        events,
        reopened,
        incomplete,
    })
}

/// A status change of one record, for timelines. The commit's id and
/// author are shared by every transition the commit made (the commit that
/// imports 100,000 records makes 100,000).
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub from: Option<String>,
    pub to: String,
    pub at: DateTime<FixedOffset>,
    pub commit: Arc<str>,
    pub author: Arc<Author>,
    /// The record file's blob before the commit (`None`: added) and after.
    pub before: Option<Oid>,
    pub after: Oid,
}

/// Statuses of record versions already read, by blob id (e.g. the work
/// tree's records): a walk takes them from here instead of reading them.
///
/// One map per share of the ids, filled side by side: blob ids are evenly
/// spread, so their first byte shares them out, and 100,000 versions are
/// not inserted one after another.
#[derive(Debug, Default)]
pub struct KnownStatuses<'a> {
    shards: Vec<HashMap<ObjectKey, &'a str, foldhash::fast::RandomState>>,
}

impl<'a> KnownStatuses<'a> {
    /// The statuses of `versions`, in as many shares as there are threads.
    pub fn new(versions: &[(ObjectKey, &'a str)]) -> Self {
        let shares = rayon::current_num_threads().clamp(1, 256);
        let shards = (0..shares)
            .into_par_iter()
            .map(|share| {
                let mut map = HashMap::with_capacity_and_hasher(
                    versions.len() / shares + 1,
                    Default::default(),
                );
                map.extend(
                    versions
                        .iter()
                        .filter(|(key, _)| key.share(shares) == share)
                        .copied(),
                );
                map
            })
            .collect();
        KnownStatuses { shards }
    }

    fn get(&self, key: &ObjectKey) -> Option<&'a str> {
        let shard = self.shards.get(key.share(self.shards.len()))?;
        shard.get(key).copied()
    }
}

impl<'a> FromIterator<(ObjectKey, &'a str)> for KnownStatuses<'a> {
    fn from_iter<I: IntoIterator<Item = (ObjectKey, &'a str)>>(versions: I) -> Self {
        KnownStatuses::new(&versions.into_iter().collect::<Vec<_>>())
    }
}

/// Status changes of every record, by id, oldest first.
pub type Transitions = HashMap<String, Vec<Transition>, foldhash::fast::RandomState>;

/// The changes of every record in the first-parent history up to a tip,
/// as transitions whose statuses are still to be filled in, and the
/// statuses of every record version but the last of each file. It needs
/// no record of the work tree, so it can be read while they are; only the
/// last versions' statuses are left to [`Walk::transitions`].
pub struct Walk {
    /// Each record's changes, oldest first (`from` and `to` empty).
    changes: Transitions,
    /// Statuses read during the walk (`None`: not a string, or unreadable).
    read: HashMap<ObjectKey, Option<String>, foldhash::fast::RandomState>,
}

/// Which transitions a [`walk`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Every one: the site's timelines say when each record was committed.
    All,
    /// All but a lone addition: the commit that added a record, when no
    /// later commit changed it. Timelines take no stamp from the commit
    /// that added a record (it says when the record reached the repository,
    /// not when it reached its state) unless the record is later reopened
    /// (`dataset::stamps::StatusTrail`), so the report and `sla` need none of
    /// them; nor, then, their statuses (an import of 100,000 records is
    /// 100,000 lone additions).
    AllButLoneAdditions,
}

/// Walk the first-parent history up to `tip`: one subtree-skipping diff per
/// commit, then the status of every version met that is not the last of
/// its file, each read once (by blob id). `keep` says which transitions
/// [`Walk::transitions`] will give.
///
/// What the last walk found is resumed when `tip` descends from its tip
/// ([`walked`]): only the commits since are read.
///
/// Versions are read in the order of the walk: versions of a record are
/// stored as deltas of each other, and reading them in that order keeps
/// libgit2's delta base cache warm; more threads only contend for the
/// pack's lock (BENCHMARKS.md, "Long history").
pub fn walk(repo: &Repository, prefix: &Path, tip: Oid, keep: Keep) -> Result<Walk, HistoryError> {
    // `GITSM_NO_INDEX` turns off all gitsm keeps in the Git directory.
    let saved = crate::local_index::enabled().then(|| walked::location(repo, prefix));
    let (shallow, grafts) = walked::boundary(repo);
    // Resume the last walk when it stands: same shallow commits and
    // grafts, and a tip this one descends from by first parents.
    let last = saved
        .as_deref()
        .and_then(|path| walk_file::load(path, keep))
        .filter(|w| w.shallow == shallow && w.grafts == grafts);
    let resumed = match last {
        Some(w) => walked::since(repo, w.tip, tip)?.map(|todo| (w, todo)),
        None => None,
    };
    let (mut walked, todo) = match resumed {
        Some(resumed) => resumed,
        None => (
            Walked::new(shallow, grafts, keep),
            walked::since(repo, None, tip)?.unwrap_or_default(),
        ),
    };
    let mut trees = TreeCache::new(repo)?;
    // The versions a commit replaced (or deleted), in walk order: every
    // version but the last of each file.
    let mut replaced = Vec::new();
    // A parent that could not be read (but the missing parents at the edge
    // of a shallow clone), taken as none: the walk has not seen everything.
    let mut unread_parent = false;
    for &oid in &todo {
        trees.step();
        let commit = repo.find_commit(oid)?;
        let tree = commit.tree()?;
        let parent_tree = match commit.parent(0).and_then(|p| p.tree()) {
            Ok(parent) => Some(parent),
            Err(_) => {
                unread_parent |=
                    commit.parent_count() > 0 && walked.shallow.binary_search(&oid).is_err();
                None
            }
        };
        let old = Snapshot::new(repo, parent_tree.as_ref(), prefix).root_id();
        let new = Snapshot::new(repo, Some(&tree), prefix).root_id();
        let diff = diff::changed_records(&mut trees, old, new, &Kind::ALL);
        if diff.is_empty() {
            continue;
        }
        let at = walked.commit(CommitSeen {
            at: commit_time(&commit),
            id: Arc::from(commit.id().to_string()),
            author: Arc::new(author(&commit)),
        });
        for change in diff {
            let before = change.old.as_ref().map(|v| v.blob);
            replaced.extend(before);
            // A deletion is no transition.
            let Some(after) = change.new.as_ref().map(|v| v.blob) else {
                continue;
            };
            let step = Step {
                commit: at,
                before,
                after,
            };
            walked.step(change.stem(), step);
        }
    }
    for blob in replaced {
        walked.read(blob, || read_status(repo, blob));
    }
    if walked.tip != Some(tip) {
        walked.tip = Some(tip);
        // The next walk reads the whole history again if this fails. A
        // walk that met a tree or a parent it could not read (a partial
        // clone lacks it, a read failed) took it as empty and is not kept:
        // the file would carry that past the day it can be read.
        let seen_all = trees.missing().is_none() && !unread_parent;
        if let Some(saved) = saved.as_ref().filter(|_| seen_all) {
            let _ = walk_file::save(&walked, saved);
        }
    }
    Ok(Walk {
        changes: walked.changes,
        read: walked.read,
    })
}

impl Walk {
    /// No record has a transition to give.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The record of `file` (named by its id) has transitions to give.
    pub fn has_transitions(&self, file: &Path) -> bool {
        file.file_stem()
            .and_then(|s| s.to_str())
            .is_some_and(|id| self.changes.contains_key(id))
    }

    /// Status changes of every record, by id, oldest first. The statuses
    /// of the last versions come from `known` (by blob id: the records
    /// read already) or, for those it lacks, are read now; then every
    /// record's transitions are filled in, in parallel, and those that
    /// change no status (or leave none) are dropped.
    pub fn transitions(self, repo: &Repository, known: &KnownStatuses<'_>) -> Transitions {
        let Walk {
            mut changes,
            mut read,
        } = self;
        // Filled in per record, in parallel; a record with a version
        // neither known nor read yet waits for those to be read.
        let waiting: Vec<(String, Vec<Oid>)> = changes
            .par_iter_mut()
            .filter_map(|(id, transitions)| {
                fill(transitions, known, &read)
                    .err()
                    .map(|unread| (id.clone(), unread))
            })
            .collect();
        for (id, unread) in waiting {
            for blob in unread {
                read.entry(blob.into())
                    .or_insert_with(|| status_of_blob(repo, blob));
            }
            if let Some(transitions) = changes.get_mut(&id) {
                // Every version is known or read now.
                let _ = fill(transitions, known, &read);
            }
        }
        changes.retain(|_, transitions| !transitions.is_empty());
        // Held as long as the dataset (100,000 records' at 100,000 records):
        // without the room the walk's pushes and drops left.
        changes
            .par_iter_mut()
            .for_each(|(_, transitions)| transitions.shrink_to_fit());
        changes.shrink_to_fit();
        changes
    }
}

/// Fill in the statuses of one record's transitions from `known` and
/// `read`, dropping those that change no status; or, leaving them to be
/// filled in again, the versions found in neither.
fn fill(
    transitions: &mut Vec<Transition>,
    known: &KnownStatuses<'_>,
    read: &HashMap<ObjectKey, Option<String>, foldhash::fast::RandomState>,
) -> Result<(), Vec<Oid>> {
    // A version's status (`Ok(None)`: it has none), or `Err` when it is
    // neither known nor read.
    let lookup = |blob: Oid| {
        let key = ObjectKey::from(blob);
        match known.get(&key) {
            Some(status) => Ok(Some(status)),
            None => read.get(&key).map(Option::as_deref).ok_or(blob),
        }
    };
    // Each version looked up once: its status goes straight into the
    // transition. One whose last version has no status is marked as
    // changing none (`from` equal to `to`), to be dropped with those.
    let mut unread = Vec::new();
    for t in transitions.iter_mut() {
        let from = t.before.map(lookup).transpose();
        match (from, lookup(t.after)) {
            (Ok(from), Ok(Some(to))) => {
                t.from = from.flatten().map(str::to_owned);
                to.clone_into(&mut t.to);
            }
            (Ok(_), Ok(None)) => {
                t.from = Some(String::new());
                t.to.clear();
            }
            (from, to) => unread.extend(from.err().into_iter().chain(to.err())),
        }
    }
    if !unread.is_empty() {
        return Err(unread);
    }
    transitions.retain(|t| t.from.as_deref() != Some(t.to.as_str()));
    Ok(())
}

fn status_of_blob(repo: &Repository, blob: Oid) -> Option<String> {
    read_status(repo, blob).ok().flatten()
}

/// The `status` of a version (`Ok(None)`: it has none), or why its blob
/// could not be read.
fn read_status(repo: &Repository, blob: Oid) -> Result<Option<String>, git2::Error> {
    Ok(status_of(repo.find_blob(blob)?.content()))
}

/// The `status` of a record file's text (read only as far as that key).
fn status_of(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    yaml::top_level_str(text.strip_prefix('\u{feff}').unwrap_or(text), "status")
}

/// Leaving a resolved (or fulfilled) state for work again.
pub fn is_reopen(from: Option<&str>, to: &str) -> bool {
    matches!(from, Some("resolved" | "fulfilled"))
        && !matches!(to, "closed" | "cancelled" | "resolved" | "fulfilled")
}

fn read_json(repo: &Repository, path: &str, blob: Oid) -> Option<Value> {
    let blob = repo.find_blob(blob).ok()?;
    let text = std::str::from_utf8(blob.content()).ok()?;
    // A knowledge article's fields are its front matter (every other kind
    // reads as YAML alike).
    let kind = if path.ends_with(&format!(".{}", Kind::Article.extension())) {
        Kind::Article
    } else {
        Kind::Incident
    };
    crate::front_matter::record(kind, text).ok()?.json().ok()
}

pub fn author(commit: &Commit<'_>) -> Author {
    let a = commit.author();
    Author {
        name: String::from_utf8_lossy(a.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(a.email_bytes()).into_owned(),
    }
}

fn event(
    commit: &Commit<'_>,
    before: &Option<(String, Oid)>,
    after: &Option<(String, Oid)>,
    old: Option<Value>,
    new: Option<Value>,
) -> Event {
    let action = match (before, after) {
        (None, _) => Action::Created,
        (Some(_), None) => Action::Deleted,
        (Some((a, _)), Some((b, _))) if a != b => Action::Moved,
        _ => Action::Changed,
    };
    let path = after
        .as_ref()
        .or(before.as_ref())
        .map(|(p, _)| p.clone())
        .unwrap_or_default();
    let status = |v: &Option<Value>| {
        v.as_ref()
            .and_then(|j| j.get("status"))
            .and_then(Value::as_str)
            .map(String::from)
    };
    let (from, to) = (status(&old), status(&new));
    let transition = match to {
        Some(to) if from.as_deref() != Some(to.as_str()) => Some(StatusChange { from, to }),
        _ => None,
    };
    let mut changes = Vec::new();
    field_changes(
        "",
        old.as_ref().unwrap_or(&Value::Null),
        new.as_ref().unwrap_or(&Value::Null),
        &mut changes,
    );
    changes.sort_by_key(|c| c.field != "status");
    Event {
        commit: commit.id().to_string(),
        summary: commit
            .summary()
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_owned(),
        author: author(commit),
        at: commit_time(commit),
        path,
        action,
        transition,
        changes,
    }
}

/// Differences between two values as dotted fields; maps are descended
/// into, anything else is compared whole.
fn field_changes(at: &str, old: &Value, new: &Value, out: &mut Vec<FieldChange>) {
    if old == new {
        return;
    }
    let (Value::Object(a), Value::Object(b)) = (old, new) else {
        let (a, b) = (old.as_object(), new.as_object());
        // A record appearing or disappearing: list its top-level fields.
        if at.is_empty() && (a.is_some() || b.is_some()) {
            let empty = serde_json::Map::new();
            let (a, b) = (a.unwrap_or(&empty), b.unwrap_or(&empty));
            return field_changes(
                at,
                &Value::Object(a.clone()),
                &Value::Object(b.clone()),
                out,
            );
        }
        out.push(FieldChange {
            field: at.to_owned(),
            from: old.clone(),
            to: new.clone(),
        });
        return;
    };
    let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
    for key in keys {
        let path = if at.is_empty() {
            key.clone()
        } else {
            format!("{at}.{key}")
        };
        field_changes(
            &path,
            a.get(key).unwrap_or(&Value::Null),
            b.get(key).unwrap_or(&Value::Null),
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::walked::tests::incident_history;
    use gitsm_git::testing::git_cli as git;

    /// Statuses given by blob id (the records already read from the work
    /// tree) are used instead of reading those versions: the same
    /// transitions as reading every version, and a planted status shows
    /// that the given one is what counts.
    #[test]
    fn known_statuses_stand_in_for_reading_versions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let commit = incident_history(root);
        for status in ["new", "in_progress", "resolved"] {
            commit(&format!("status: {status}"));
        }
        let repo = Repository::open(root).expect("open");
        let tip = repo.head().expect("head").target().expect("tip");
        let steps = |known: &KnownStatuses<'_>| -> Vec<(Option<String>, String)> {
            walk(&repo, Path::new(""), tip, Keep::All)
                .expect("walk")
                .transitions(&repo, known)["INC-1"]
                .iter()
                .map(|t| (t.from.clone(), t.to.clone()))
                .collect()
        };
        let read_all = steps(&KnownStatuses::default());
        let expected = [
            (None, "new"),
            (Some("new"), "in_progress"),
            (Some("in_progress"), "resolved"),
        ]
        .map(|(from, to)| (from.map(String::from), to.to_owned()));
        assert_eq!(read_all, expected);
        let tip_blob = Oid::from_str(&git(
            root,
            &["rev-parse", "HEAD:incidents/INC-1.yaml"],
            None,
        ))
        .expect("oid");
        let known = KnownStatuses::from_iter([(tip_blob.into(), "resolved")]);
        assert_eq!(steps(&known), read_all);
        // The blob id of a file read from the work tree is Git's.
        std::fs::write(root.join("gitsm.yaml"), "{}\n").expect("write");
        let ws = crate::workspace::Workspace::discover(root).expect("workspace");
        let loaded = crate::records::load(
            &ws,
            &[crate::kind::Kind::Incident],
            crate::records::Detail::Figures,
            true,
            crate::records::as_read,
        );
        assert_eq!(loaded.files.first().and_then(|f| f.blob), Some(tip_blob));
        let planted = KnownStatuses::from_iter([(tip_blob.into(), "closed")]);
        assert_eq!(
            steps(&planted).last().map(|(_, to)| to.as_str()),
            Some("closed")
        );
    }

    /// A version without a status is no transition, and the next one
    /// comes from none; a version of the same status as the last is none.
    #[test]
    fn versions_without_a_new_status_give_no_transition() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let commit = incident_history(root);
        for text in [
            "status: new",
            "title: no status",
            "status: resolved",
            "status: resolved\ntitle: t",
        ] {
            commit(text);
        }
        let repo = Repository::open(root).expect("open");
        let tip = repo.head().expect("head").target().expect("tip");
        let steps: Vec<(Option<String>, String)> = walk(&repo, Path::new(""), tip, Keep::All)
            .expect("walk")
            .transitions(&repo, &KnownStatuses::default())["INC-1"]
            .iter()
            .map(|t| (t.from.clone(), t.to.clone()))
            .collect();
        assert_eq!(
            steps,
            [(None, "new".to_owned()), (None, "resolved".to_owned())]
        );
    }

    /// A record added and never changed since has no transition to give
    /// when lone additions are not kept; one changed since keeps the
    /// commit that added it (a reopened ticket's first resolution may be
    /// that commit).
    #[test]
    fn lone_additions_are_dropped_when_not_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        git(root, &["init", "-q"], None);
        std::fs::create_dir(root.join("incidents")).expect("mkdir");
        let write = |id: &str, status: &str| {
            std::fs::write(
                root.join(format!("incidents/{id}.yaml")),
                format!("id: {id}\nstatus: {status}\n"),
            )
            .expect("write");
        };
        write("INC-1", "resolved");
        write("INC-2", "resolved");
        git(root, &["add", "-A"], None);
        git(root, &["commit", "-q", "-m", "import"], None);
        write("INC-1", "in_progress");
        git(root, &["commit", "-q", "-am", "reopen INC-1"], None);
        let repo = Repository::open(root).expect("open");
        let tip = repo.head().expect("head").target().expect("tip");
        let statuses = |keep: Keep| -> Vec<(String, Vec<String>)> {
            let mut out: Vec<_> = walk(&repo, Path::new(""), tip, keep)
                .expect("walk")
                .transitions(&repo, &KnownStatuses::default())
                .into_iter()
                .map(|(id, ts)| (id, ts.into_iter().map(|t| t.to).collect()))
                .collect();
            out.sort();
            out
        };
        let owned =
            |id: &str, to: &[&str]| (id.to_owned(), to.iter().map(|s| s.to_string()).collect());
        assert_eq!(
            statuses(Keep::All),
            [
                owned("INC-1", &["resolved", "in_progress"]),
                owned("INC-2", &["resolved"])
            ]
        );
        assert_eq!(
            statuses(Keep::AllButLoneAdditions),
            [owned("INC-1", &["resolved", "in_progress"])]
        );
    }
}
