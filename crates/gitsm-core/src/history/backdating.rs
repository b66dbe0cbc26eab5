//! Backdating: an event stamped earlier than a commit that changed the
//! record file without it.
//!
//! A commit that changed the file shows that at its author time the file
//! lacked the events it did not carry. The file's own history is followed
//! as `git log --follow -- <file>` does: a merge that took one parent's
//! version did not change it, and a move into a year folder or a renumber
//! carries the history along. Commits that never touched the file — squash
//! and rebase merges of other work — never count. Author times are used
//! because Git keeps them through rebases and cherry-picks.
//!
//! `validate --range` (what CI enforces) walks back to the last change of
//! each file before the range, however old. The pre-commit hook stops at
//! commits made before the event: a commit with a forged early time could
//! cut its walk short, but not the range check.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use git2::{Commit, Oid, Repository};
use serde_json::Value;

use crate::checks::{self, SeenWithout};
use crate::diagnostic::Diagnostic;
use crate::duration::Duration;
use crate::tree_cache::TreeCache;
use crate::workspace::Workspace;
use crate::yaml;

/// The version of the file at `full` (repository-relative) in `commit`.
fn blob_at(trees: &mut TreeCache<'_>, commit: &Commit<'_>, full: &Path) -> Option<Oid> {
    trees
        .entry_at(Some(commit.tree_id()), full)
        .map(|(id, _)| id)
}

/// The commit that wrote the version of the file found in `from`: walking
/// back while some parent holds the same version. `None` when `from` has
/// no such file, or history ends at a shallow boundary or at a commit
/// `stop` refuses first.
fn last_change<'r>(
    trees: &mut TreeCache<'_>,
    from: Commit<'r>,
    full: &Path,
    shallow: &HashSet<Oid>,
    stop: &dyn Fn(&Commit<'_>) -> bool,
) -> Option<Commit<'r>> {
    if stop(&from) {
        return None;
    }
    let blob = blob_at(trees, &from, full)?;
    let mut at = from;
    loop {
        if shallow.contains(&at.id()) || stop(&at) {
            return None;
        }
        trees.step();
        let mut same = None;
        for i in 0..at.parent_count() {
            let parent = at.parent(i).ok()?;
            if blob_at(trees, &parent, full) == Some(blob) {
                same = Some(parent);
                break;
            }
        }
        match same {
            Some(parent) => at = parent,
            None => return Some(at),
        }
    }
}

/// When a commit was authored, in its author's offset.
fn author_time(commit: &Commit<'_>) -> DateTime<FixedOffset> {
    super::git_time(commit.author().when())
}

fn seen(commit: &Commit<'_>) -> SeenWithout {
    SeenWithout {
        commit: commit.id().to_string()[..10].to_owned(),
        at: author_time(commit),
    }
}

/// The staged version of a file against HEAD's (at its path there, when
/// it moved or was renumbered): events it adds earlier than the last
/// commit that changed the file. The walk stops at commits made before the
/// earliest new event (plus the skew), which cannot show it backdated
/// unless their time is forged: CI's `--range` check does not stop there.
pub(super) fn staged(
    ws: &Workspace,
    repo: &Repository,
    base: &super::commits::Base<'_>,
    input: &super::commits::Input,
) -> Vec<Diagnostic> {
    let super::commits::Base::Staged {
        head: Some(head),
        prefix,
        shallow,
        ..
    } = base
    else {
        return Vec::new();
    };
    let (Some(new), Some(old_path)) = (input.node(), input.old_path.as_ref()) else {
        return Vec::new();
    };
    let (Ok(mut trees), Ok(head)) = (TreeCache::new(repo), repo.find_commit(*head)) else {
        return Vec::new();
    };
    let full = prefix.join(old_path);
    let old = if *old_path == input.path {
        input.old_json()
    } else {
        blob_at(&mut trees, &head, &full)
            .and_then(|b| parse_blob(repo, b))
            .map(|n| n.to_json())
    };
    let json = new.to_json();
    let Some(earliest) = checks::earliest_new_event(old.as_ref(), &json) else {
        return Vec::new();
    };
    let skew = base.trusted().unwrap_or(&ws.config).clock_skew;
    let floor = earliest + skew.to_chrono();
    let older = |c: &Commit<'_>| super::commit_time(c) < floor;
    match last_change(&mut trees, head, &full, shallow, &older) {
        Some(change) => {
            checks::backdating(skew, old.as_ref(), &json, &seen(&change), &new, &input.path)
        }
        None => Vec::new(),
    }
}

/// A commit that changed the file.
struct Touch {
    commit: Oid,
    /// Whether the range's base already had it (it was reviewed).
    reviewed: bool,
    author: DateTime<FixedOffset>,
    /// The file's version before it (in its first parent, or where the
    /// file was before it moved), and in it.
    before: Option<Oid>,
    after: Oid,
}

/// The change `commit` made to the file at `full`.
fn touch_of(
    trees: &mut TreeCache<'_>,
    commit: &Commit<'_>,
    full: &Path,
    reviewed: bool,
) -> Option<Touch> {
    Some(Touch {
        commit: commit.id(),
        reviewed,
        author: author_time(commit),
        before: commit.parent(0).ok().and_then(|p| blob_at(trees, &p, full)),
        after: blob_at(trees, commit, full)?,
    })
}

/// One record file's history in a range.
struct Chain {
    /// Where the file was at the range's base.
    at_base: PathBuf,
    /// Its changes: those on the range's first-parent line, then those of
    /// a line merged into it; oldest first.
    touches: Vec<Touch>,
}

/// The changes of every record file of a range, gathered while the range
/// is walked (its trees are read once, by that walk), then checked for
/// backdating: each change against the latest author time of the changes
/// before it, the last one the range's base already had included — so a
/// commit of the range with a forged early time does not hide an honest
/// one before it.
pub(super) struct RangeTouches {
    base: Option<Oid>,
    /// Commits at the edge of a shallow clone.
    shallow: HashSet<Oid>,
    /// The trusted policy's `clock_skew`.
    skew: Duration,
    /// By the file's current path (root-relative).
    files: HashMap<PathBuf, Chain>,
}

impl RangeTouches {
    pub(super) fn new(base: Option<Oid>, shallow: HashSet<Oid>, skew: Duration) -> RangeTouches {
        RangeTouches {
            base,
            shallow,
            skew,
            files: HashMap::new(),
        }
    }

    /// Whether the base already had `commit`.
    fn reviewed(&self, repo: &Repository, commit: Oid) -> bool {
        self.base
            .is_some_and(|b| b == commit || repo.graph_descendant_of(b, commit).unwrap_or(true))
    }

    /// The record files `commit` (of the range's first-parent line)
    /// changed against its first parent, a renumbered file carrying on the
    /// history of the one it replaced. A merge that took a file from
    /// another parent did not change it there: that line's changes join
    /// the file's history.
    pub(super) fn record(
        &mut self,
        repo: &Repository,
        trees: &mut TreeCache<'_>,
        prefix: &Path,
        commit: &Commit<'_>,
        changes: &super::commits::Changes,
    ) {
        for change in &changes.list {
            let Some(new) = &change.new else {
                continue;
            };
            let before = changes.before(change);
            let was_at = before.map_or_else(|| new.path.clone(), |v| v.path.clone());
            let before = before.map(|v| v.blob);
            let mut chain = self.files.remove(&was_at).unwrap_or(Chain {
                at_base: was_at,
                touches: Vec::new(),
            });
            let other = (1..commit.parent_count())
                .filter_map(|i| commit.parent(i).ok())
                .find(|p| {
                    trees
                        .entry_at(Some(p.tree_id()), &prefix.join(&new.path))
                        .is_some_and(|(id, _)| id == new.blob)
                });
            match other {
                Some(parent) => {
                    let mut line = self.line(repo, parent, prefix, &new.path);
                    line.reverse();
                    chain.touches.extend(line);
                }
                None => chain.touches.push(Touch {
                    commit: commit.id(),
                    reviewed: false,
                    author: author_time(commit),
                    before,
                    after: new.blob,
                }),
            }
            self.files.insert(new.path.clone(), chain);
        }
    }

    /// The changes of the file at `rel` down one line of history from
    /// `from`, newest first, to the first one the base already had.
    fn line(&self, repo: &Repository, from: Commit<'_>, prefix: &Path, rel: &Path) -> Vec<Touch> {
        let mut out = Vec::new();
        let Ok(mut trees) = TreeCache::new(repo) else {
            return out;
        };
        let full = prefix.join(rel);
        let mut from = Some(from);
        while let Some(change) =
            from.and_then(|c| last_change(&mut trees, c, &full, &self.shallow, &|_| false))
        {
            let reviewed = self.reviewed(repo, change.id());
            let Some(touch) = touch_of(&mut trees, &change, &full, reviewed) else {
                break;
            };
            out.push(touch);
            from = if reviewed {
                None
            } else {
                change.parent(0).ok()
            };
        }
        out
    }

    /// Check every file that gained events in the range.
    pub(super) fn check(mut self, repo: &Repository, prefix: &Path) -> Vec<Diagnostic> {
        self.files.retain(|_, chain| {
            chain
                .touches
                .iter()
                .any(|t| !t.reviewed && adds_events(repo, t.before, t.after))
        });
        let mut out = Vec::new();
        if let Some(base) = self.base.and_then(|b| repo.find_commit(b).ok()) {
            let at_base: Vec<(PathBuf, PathBuf)> = self
                .files
                .iter()
                .map(|(rel, chain)| (rel.clone(), chain.at_base.clone()))
                .collect();
            let (found, cut, edge) = before_base(repo, prefix, base, &at_base, &self.shallow);
            for (rel, touch) in found {
                if let Some(chain) = self.files.get_mut(&rel) {
                    chain.touches.insert(0, touch);
                }
            }
            let edge = edge
                .map(|e| e.to_string()[..10].to_owned())
                .unwrap_or_default();
            out.extend(cut.into_iter().map(|rel| {
                Diagnostic::warning(
                    "shallow",
                    format!(
                        "backdating not checked against changes before {edge}: this shallow clone ends there"
                    ),
                )
                .in_file(&rel)
                .with_hint("fetch more history: `git fetch --unshallow` (on GitHub Actions, `fetch-depth: 0`)")
            }));
        }
        let mut files: Vec<(PathBuf, Chain)> = self.files.into_iter().collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        out.extend(
            files
                .iter()
                .flat_map(|(rel, chain)| check_touches(self.skew, repo, rel, &chain.touches)),
        );
        out
    }
}

/// The last change at or before `base` of each file (`(key, path at the
/// base)`), found by one walk down the first-parent line (each tree read
/// once); a merge that took a file from another parent is followed down
/// that parent's line for that file. Also the files whose walk met the
/// edge of a shallow clone first, and that edge.
#[allow(clippy::type_complexity)]
fn before_base(
    repo: &Repository,
    prefix: &Path,
    base: Commit<'_>,
    files: &[(PathBuf, PathBuf)],
    shallow: &HashSet<Oid>,
) -> (Vec<(PathBuf, Touch)>, Vec<PathBuf>, Option<Oid>) {
    let Ok(mut trees) = TreeCache::new(repo) else {
        return (Vec::new(), Vec::new(), None);
    };
    let mut open: Vec<(&PathBuf, PathBuf)> = files
        .iter()
        .map(|(key, at)| (key, prefix.join(at)))
        .collect();
    let mut found = Vec::new();
    let mut at = base;
    let mut edge = None;
    while !open.is_empty() {
        trees.step();
        let parents: Vec<Commit<'_>> = at.parents().collect();
        if shallow.contains(&at.id()) || parents.len() < at.parent_count() {
            edge = Some(at.id());
            break;
        }
        open.retain(|(key, full)| {
            let Some((here, _)) = trees.entry_at(Some(at.tree_id()), full) else {
                return false;
            };
            let before: Vec<Option<Oid>> = parents
                .iter()
                .map(|p| trees.entry_at(Some(p.tree_id()), full).map(|e| e.0))
                .collect();
            let touch = match before.iter().position(|b| *b == Some(here)) {
                Some(0) => return true,
                // A merge that took the file from another line.
                Some(k) => TreeCache::new(repo).ok().and_then(|mut line| {
                    let change =
                        last_change(&mut line, parents[k].clone(), full, shallow, &|_| false)?;
                    touch_of(&mut line, &change, full, true)
                }),
                None => Some(Touch {
                    commit: at.id(),
                    reviewed: true,
                    author: author_time(&at),
                    before: before.first().copied().flatten(),
                    after: here,
                }),
            };
            found.extend(touch.map(|t| ((*key).clone(), t)));
            false
        });
        match parents.into_iter().next() {
            Some(parent) => at = parent,
            None => break,
        }
    }
    let cut = match edge {
        Some(_) => open.into_iter().map(|(key, _)| key.clone()).collect(),
        None => Vec::new(),
    };
    (found, cut, edge)
}

/// Each change of the range, oldest first, against the latest change
/// before it.
fn check_touches(
    skew: Duration,
    repo: &Repository,
    rel: &Path,
    touches: &[Touch],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut latest: Option<SeenWithout> = None;
    for touch in touches {
        let Ok(commit) = repo.find_commit(touch.commit) else {
            continue;
        };
        if let Some(seen) = latest.as_ref().filter(|_| !touch.reviewed)
            && let Some(node) = parse_blob(repo, touch.after)
        {
            let before = touch
                .before
                .and_then(|b| parse_blob(repo, b))
                .map(|n| n.to_json());
            let mut diags =
                checks::backdating(skew, before.as_ref(), &node.to_json(), seen, &node, rel);
            let tag = super::commits::tag(&commit);
            for d in &mut diags {
                d.commit = Some(tag.clone());
            }
            out.extend(diags);
        }
        if latest.as_ref().is_none_or(|l| touch.author > l.at) {
            latest = Some(seen(&commit));
        }
    }
    out
}

/// Whether the version `after` adds events to `before`.
fn adds_events(repo: &Repository, before: Option<Oid>, after: Oid) -> bool {
    let Some(after) = parse_blob(repo, after).map(|n| n.to_json()) else {
        return false;
    };
    let before: Option<Value> = before
        .and_then(|b| parse_blob(repo, b))
        .map(|n| n.to_json());
    checks::earliest_new_event(before.as_ref(), &after).is_some()
}

/// A record version parsed; `None` when it is too large or not YAML.
fn parse_blob(repo: &Repository, id: Oid) -> Option<yaml::Node> {
    let blob = repo.find_blob(id).ok()?;
    if blob.size() as u64 > crate::records::MAX_FILE_BYTES {
        return None;
    }
    let text = std::str::from_utf8(blob.content()).ok()?;
    yaml::parse(text.strip_prefix('\u{feff}').unwrap_or(text)).ok()
}
