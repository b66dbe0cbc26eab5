//! Backdating: an event stamped earlier than a commit that changed the
//! record file without it.
//!
//! A commit that changed the file shows that at its author time the file
//! lacked the events it did not carry. The file's own history is followed
//! as `git log -- <file>` does (a merge that took one parent's version did
//! not change it), so commits that never touched the file — squash and
//! rebase merges of other work — never count. Author times are used
//! because Git keeps them through rebases and cherry-picks.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use git2::{Commit, Oid, Repository};

use crate::checks::{self, SeenWithout};
use crate::diagnostic::Diagnostic;
use crate::tree_cache::TreeCache;
use crate::workspace::Workspace;

use super::diff::RecordChange;
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

/// The staged version of a file against HEAD's: events it adds earlier
/// than the last commit that changed the file. The walk to that commit
/// stops at commits made before the earliest new event (plus the skew),
/// which cannot show it backdated: Git's own walks trust commit times
/// that far.
pub(super) fn staged(
    ws: &Workspace,
    repo: &Repository,
    base: &super::Base<'_>,
    input: &super::Input,
) -> Vec<Diagnostic> {
    let super::Base::Staged {
        head: Some(head),
        prefix,
        shallow,
        ..
    } = base
    else {
        return Vec::new();
    };
    let Some(new) = input.node() else {
        return Vec::new();
    };
    let (old, json) = (input.old_json(), new.to_json());
    let Some(earliest) = checks::earliest_new_event(old.as_ref(), &json) else {
        return Vec::new();
    };
    let floor = earliest + ws.config.clock_skew.to_chrono();
    let (Ok(mut trees), Ok(head)) = (TreeCache::new(repo), repo.find_commit(*head)) else {
        return Vec::new();
    };
    let older = |c: &Commit<'_>| super::commit_time(c) < floor;
    let full = prefix.join(&input.path);
    match last_change(&mut trees, head, &full, shallow, &older) {
        Some(change) => {
            checks::backdating(ws, old.as_ref(), &json, &seen(&change), &new, &input.path)
        }
        None => Vec::new(),
    }
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

/// A commit that changed the file.
struct Touch {
    commit: Oid,
    /// Whether the range's base already had it (it was reviewed).
    reviewed: bool,
    author: DateTime<FixedOffset>,
    /// The file's version in its first parent, and in it.
    before: Option<Oid>,
    after: Oid,
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
    /// Per file (root-relative), oldest first.
    files: HashMap<PathBuf, Vec<Touch>>,
}

impl RangeTouches {
    pub(super) fn new(base: Option<Oid>, shallow: HashSet<Oid>) -> RangeTouches {
        RangeTouches {
            base,
            shallow,
            files: HashMap::new(),
        }
    }

    /// Whether the base already had `commit`.
    fn reviewed(&self, repo: &Repository, commit: Oid) -> bool {
        self.base
            .is_some_and(|b| b == commit || repo.graph_descendant_of(b, commit).unwrap_or(true))
    }

    /// The record files `commit` (of the range's first-parent line)
    /// changed against its first parent. A merge that took a file from
    /// another parent did not change it there: the file's history goes on
    /// down that parent's line.
    pub(super) fn record(
        &mut self,
        ws: &Workspace,
        repo: &Repository,
        trees: &mut TreeCache<'_>,
        prefix: &Path,
        commit: &Commit<'_>,
        changes: &[RecordChange],
    ) {
        for change in changes {
            let Some(new) = &change.new else {
                continue;
            };
            let other = (1..commit.parent_count())
                .filter_map(|i| commit.parent(i).ok())
                .find(|p| {
                    trees
                        .entry_at(Some(p.tree_id()), &prefix.join(&new.path))
                        .is_some_and(|(id, _)| id == new.blob)
                });
            if let Some(parent) = other {
                // Without new events the merge needs no evidence.
                if let Some(floor) =
                    floor_of(ws, repo, change.old.as_ref().map(|v| v.blob), new.blob)
                {
                    let mut line = self.line(repo, parent, prefix, &new.path, floor);
                    line.reverse();
                    self.files.insert(new.path.clone(), line);
                }
                continue;
            }
            self.files.entry(new.path.clone()).or_default().push(Touch {
                commit: commit.id(),
                reviewed: false,
                author: author_time(commit),
                before: change.old.as_ref().map(|v| v.blob),
                after: new.blob,
            });
        }
    }

    /// The changes of the file at `rel` down one line of history from
    /// `from`, newest first, to the first one the base already had (or to
    /// a commit the base had that was made before `floor`).
    fn line(
        &self,
        repo: &Repository,
        from: Commit<'_>,
        prefix: &Path,
        rel: &Path,
        floor: DateTime<FixedOffset>,
    ) -> Vec<Touch> {
        let older = |c: &Commit<'_>| super::commit_time(c) < floor && self.reviewed(repo, c.id());
        let mut out = Vec::new();
        let Ok(mut trees) = TreeCache::new(repo) else {
            return out;
        };
        let full = prefix.join(rel);
        let mut from = Some(from);
        while let Some(change) =
            from.and_then(|c| last_change(&mut trees, c, &full, &self.shallow, &older))
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
    pub(super) fn check(
        mut self,
        ws: &Workspace,
        repo: &Repository,
        prefix: &Path,
    ) -> Vec<Diagnostic> {
        // Touches authored before a file's earliest new event (plus the
        // skew) cannot show it backdated.
        let floors: HashMap<PathBuf, DateTime<FixedOffset>> = self
            .files
            .iter()
            .filter_map(|(rel, touches)| {
                let floor = touches
                    .iter()
                    .filter(|t| !t.reviewed)
                    .filter_map(|t| floor_of(ws, repo, t.before, t.after))
                    .min()?;
                Some((rel.clone(), floor))
            })
            .collect();
        self.files.retain(|rel, _| floors.contains_key(rel));
        let need_base: Vec<PathBuf> = self
            .files
            .iter()
            .filter(|(_, t)| t.first().is_some_and(|t| !t.reviewed))
            .map(|(rel, _)| rel.clone())
            .collect();
        if let Some(base) = self.base.and_then(|b| repo.find_commit(b).ok()) {
            for (rel, touch) in before_base(repo, prefix, base, &need_base, &floors, &self.shallow)
            {
                if let Some(touches) = self.files.get_mut(&rel) {
                    touches.insert(0, touch);
                }
            }
        }
        let mut files: Vec<(PathBuf, Vec<Touch>)> = self.files.into_iter().collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
            .iter()
            .flat_map(|(rel, touches)| check_touches(ws, repo, rel, touches))
            .collect()
    }
}

/// The last change of each file in `files` at or before `base`, found by
/// one walk down the first-parent line (each tree read once); a merge that
/// took a file from another parent is followed down that parent's line for
/// that file. A file's walk stops at commits made before its floor: Git's
/// own walks trust commit times that far.
fn before_base(
    repo: &Repository,
    prefix: &Path,
    base: Commit<'_>,
    files: &[PathBuf],
    floors: &HashMap<PathBuf, DateTime<FixedOffset>>,
    shallow: &HashSet<Oid>,
) -> Vec<(PathBuf, Touch)> {
    let Ok(mut trees) = TreeCache::new(repo) else {
        return Vec::new();
    };
    let mut open: Vec<(&PathBuf, PathBuf)> = files.iter().map(|r| (r, prefix.join(r))).collect();
    let mut found = Vec::new();
    let mut at = base;
    while !open.is_empty() && !shallow.contains(&at.id()) {
        trees.step();
        let parents: Vec<Commit<'_>> = at.parents().collect();
        if parents.len() < at.parent_count() {
            break;
        }
        let committed = super::commit_time(&at);
        open.retain(|(rel, full)| {
            let Some((here, _)) = trees.entry_at(Some(at.tree_id()), full) else {
                return false;
            };
            let before: Vec<Option<Oid>> = parents
                .iter()
                .map(|p| trees.entry_at(Some(p.tree_id()), full).map(|e| e.0))
                .collect();
            match before.iter().position(|b| *b == Some(here)) {
                Some(0) => floors.get(*rel).is_none_or(|f| committed >= *f),
                Some(k) => {
                    // A merge that took the file from another line.
                    let mut line = TreeCache::new(repo).ok();
                    if let Some(line) = line.as_mut()
                        && let Some(change) =
                            last_change(line, parents[k].clone(), full, shallow, &|c| {
                                floors.get(*rel).is_some_and(|f| super::commit_time(c) < *f)
                            })
                        && let Some(touch) = touch_of(line, &change, full, true)
                    {
                        found.push(((*rel).clone(), touch));
                    }
                    false
                }
                None => {
                    found.push((
                        (*rel).clone(),
                        Touch {
                            commit: at.id(),
                            reviewed: true,
                            author: author_time(&at),
                            before: before.first().copied().flatten(),
                            after: here,
                        },
                    ));
                    false
                }
            }
        });
        match parents.into_iter().next() {
            Some(parent) => at = parent,
            None => break,
        }
    }
    found
}

/// Each change of the range, oldest first, against the latest change
/// before it.
fn check_touches(
    ws: &Workspace,
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
                checks::backdating(ws, before.as_ref(), &node.to_json(), seen, &node, rel);
            let tag = super::tag(&commit);
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

/// The earliest event the version `after` adds to `before`, plus the clock
/// skew: a change authored before it cannot show any of them backdated.
fn floor_of(
    ws: &Workspace,
    repo: &Repository,
    before: Option<Oid>,
    after: Oid,
) -> Option<DateTime<FixedOffset>> {
    let after = parse_blob(repo, after)?.to_json();
    let before = before
        .and_then(|b| parse_blob(repo, b))
        .map(|n| n.to_json());
    let earliest = checks::earliest_new_event(before.as_ref(), &after)?;
    Some(earliest + ws.config.clock_skew.to_chrono())
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
