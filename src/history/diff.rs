//! Which record files differ between two revisions.
//!
//! Git trees are content-addressed: a folder whose tree id is the same in
//! both revisions holds the same files, so it is skipped without being read.
//! Only the kind folders (and year folders) whose ids differ are compared,
//! entry by entry, as a merge of two sorted lists. With year folders the cost
//! of a commit follows what it touched; a flat folder costs one pass over
//! its entries (libgit2's own tree diff walks every entry of both trees).

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use git2::{Delta, DiffOptions, Index, ObjectType, Oid, Repository, Tree, TreeEntry};

use crate::kind::Kind;
use crate::records::is_year;
use crate::revision::Snapshot;

/// One version of a record file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Relative to the managed root.
    pub path: PathBuf,
    pub blob: Oid,
}

/// A record file added, changed, moved or deleted between two revisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordChange {
    pub kind: Kind,
    pub old: Option<Version>,
    pub new: Option<Version>,
}

impl RecordChange {
    /// Where the record is now (or was, when deleted).
    pub fn path(&self) -> &Path {
        self.new
            .as_ref()
            .or(self.old.as_ref())
            .map_or(Path::new(""), |v| v.path.as_path())
    }

    /// The id the file names (its stem), for pairing and messages.
    pub fn stem(&self) -> &str {
        let v = self.new.as_ref().or(self.old.as_ref());
        v.and_then(|v| v.path.file_stem())
            .and_then(|s| s.to_str())
            .unwrap_or_default()
    }
}

/// Record files that differ between `old` and `new`. A file moved between
/// year folders (same name) is one change with both versions.
pub fn changed_records(old: &Snapshot<'_>, new: &Snapshot<'_>) -> Vec<RecordChange> {
    let mut out = Vec::new();
    for kind in Kind::ALL {
        let (a, b) = (old.folder(kind), new.folder(kind));
        if a.map(Tree::id) == b.map(Tree::id) {
            continue;
        }
        let mut removed = Vec::new();
        let mut added = Vec::new();
        let base = Path::new(kind.folder());
        compare(old.repo(), a, b, None, &mut |side, entry, dir| {
            let Ok(name) = entry.name() else { return };
            if !is_record_name(name) {
                return;
            }
            let v = Version {
                path: dir.map_or_else(|| base.join(name), |d| base.join(d).join(name)),
                blob: entry.id(),
            };
            match side {
                Side::Old => removed.push(v),
                Side::New => added.push(v),
                Side::Both(old_id) => out.push(RecordChange {
                    kind,
                    old: Some(Version {
                        path: v.path.clone(),
                        blob: old_id,
                    }),
                    new: Some(v),
                }),
            }
        });
        out.extend(pair_moves(kind, removed, added));
    }
    out.sort_by(|x, y| x.path().cmp(y.path()));
    out
}

/// Additions and removals of one kind as changes; a removal and an
/// addition of the same file name (a move between year folders) become one.
fn pair_moves(kind: Kind, mut removed: Vec<Version>, added: Vec<Version>) -> Vec<RecordChange> {
    let mut out = Vec::new();
    for v in added {
        let old = removed
            .iter()
            .position(|r| r.path.file_name() == v.path.file_name())
            .map(|i| removed.swap_remove(i));
        out.push(RecordChange {
            kind,
            old,
            new: Some(v),
        });
    }
    out.extend(removed.into_iter().map(|v| RecordChange {
        kind,
        old: Some(v),
        new: None,
    }));
    out
}

/// Record files that differ between HEAD's tree and the index, and whether
/// the policy (`gitsm.yaml`, `schemas/`) differs. libgit2 compares the two
/// over the managed folders only, without writing or listing anything else.
pub fn staged_changes(
    repo: &Repository,
    head: Option<&Tree<'_>>,
    index: &Index,
    prefix: &Path,
) -> Result<(Vec<RecordChange>, bool), git2::Error> {
    let mut opts = DiffOptions::new();
    opts.include_typechange(true);
    let spec = |p: &str| prefix.join(p).to_string_lossy().replace('\\', "/");
    for kind in Kind::ALL {
        opts.pathspec(format!("{}/", spec(kind.folder())));
    }
    opts.pathspec(spec(crate::config::FILE_NAME));
    opts.pathspec(format!("{}/", spec("schemas")));
    let diff = repo.diff_tree_to_index(head, Some(index), Some(&mut opts))?;
    // Per kind: files changed in place, removed, added (moves pair up).
    let mut changed: Vec<RecordChange> = Vec::new();
    let mut removed: Vec<(Kind, Version)> = Vec::new();
    let mut added: Vec<(Kind, Version)> = Vec::new();
    let mut policy = false;
    let version = |file: git2::DiffFile<'_>| -> Option<(Kind, Version)> {
        let rel = file.path()?.strip_prefix(prefix).ok()?.to_path_buf();
        let mut parts = rel.iter().filter_map(|p| p.to_str());
        let kind = Kind::from_folder(parts.next()?)?;
        let rest: Vec<&str> = parts.collect();
        let ok = match rest.as_slice() {
            [name] => is_record_name(name),
            [year, name] => is_year(year) && is_record_name(name),
            _ => false,
        };
        ok.then_some((
            kind,
            Version {
                path: rel,
                blob: file.id(),
            },
        ))
    };
    for delta in diff.deltas() {
        policy |= [delta.old_file(), delta.new_file()].iter().any(|f| {
            f.path()
                .and_then(|p| p.strip_prefix(prefix).ok())
                .is_some_and(|p| {
                    p == Path::new(crate::config::FILE_NAME) || p.starts_with("schemas")
                })
        });
        let old = (delta.status() != Delta::Added)
            .then(|| version(delta.old_file()))
            .flatten();
        let new = (delta.status() != Delta::Deleted)
            .then(|| version(delta.new_file()))
            .flatten();
        match (old, new) {
            (Some((kind, o)), Some((_, n))) if o.path == n.path => changed.push(RecordChange {
                kind,
                old: Some(o),
                new: Some(n),
            }),
            (o, n) => {
                removed.extend(o);
                added.extend(n);
            }
        }
    }
    let mut out = changed;
    for kind in Kind::ALL {
        let of_kind = |list: &[(Kind, Version)]| -> Vec<Version> {
            list.iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, v)| v.clone())
                .collect()
        };
        out.extend(pair_moves(kind, of_kind(&removed), of_kind(&added)));
    }
    out.sort_by(|x, y| x.path().cmp(y.path()));
    Ok((out, policy))
}

/// Files the record checks look at (a `.yml` file is reported, not skipped).
fn is_record_name(name: &str) -> bool {
    !name.starts_with('.') && (name.ends_with(".yaml") || name.ends_with(".yml"))
}

/// Which revision an entry comes from; `Both` carries the old blob id of a
/// file present in both with different content.
enum Side {
    Old,
    New,
    Both(Oid),
}

/// Walk two versions of a folder, reporting files that differ; year folders
/// (at depth 0) are descended into only when their ids differ.
fn compare(
    repo: &Repository,
    a: Option<&Tree<'_>>,
    b: Option<&Tree<'_>>,
    dir: Option<&str>,
    report: &mut dyn FnMut(Side, &TreeEntry<'_>, Option<&str>),
) {
    let mut xs = a.into_iter().flat_map(Tree::iter).peekable();
    let mut ys = b.into_iter().flat_map(Tree::iter).peekable();
    loop {
        let order = match (xs.peek(), ys.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => git_order(x, y),
        };
        let (x, y) = match order {
            Ordering::Less => (xs.next(), None),
            Ordering::Greater => (None, ys.next()),
            Ordering::Equal => (xs.next(), ys.next()),
        };
        match (x, y) {
            (Some(x), Some(y)) => {
                if x.id() == y.id() && x.filemode() == y.filemode() {
                    continue;
                }
                if is_blob(&x) && is_blob(&y) {
                    report(Side::Both(x.id()), &y, dir);
                } else if let Some(name) = year_folder(&x, dir)
                    && year_folder(&y, dir).is_some()
                {
                    let (ta, tb) = (repo.find_tree(x.id()).ok(), repo.find_tree(y.id()).ok());
                    compare(repo, ta.as_ref(), tb.as_ref(), Some(name), report);
                } else {
                    one_side(repo, Side::Old, &x, dir, report);
                    one_side(repo, Side::New, &y, dir, report);
                }
            }
            (Some(x), None) => one_side(repo, Side::Old, &x, dir, report),
            (None, Some(y)) => one_side(repo, Side::New, &y, dir, report),
            (None, None) => break,
        }
    }
}

/// An entry present on one side only (or changed in kind): a file, or a
/// whole year folder, whose files are then all reported.
fn one_side(
    repo: &Repository,
    side: Side,
    e: &TreeEntry<'_>,
    dir: Option<&str>,
    report: &mut dyn FnMut(Side, &TreeEntry<'_>, Option<&str>),
) {
    if is_blob(e) {
        report(side, e, dir);
        return;
    }
    let Some(name) = year_folder(e, dir) else {
        return;
    };
    let Ok(t) = repo.find_tree(e.id()) else {
        return;
    };
    let (a, b) = match side {
        Side::Old => (Some(&t), None),
        _ => (None, Some(&t)),
    };
    compare(repo, a, b, Some(name), report);
}

/// The name of a year folder directly in a kind folder (`dir` is `None`).
fn year_folder<'e>(e: &'e TreeEntry<'_>, dir: Option<&str>) -> Option<&'e str> {
    let name = e.name().ok()?;
    (dir.is_none() && e.kind() == Some(ObjectType::Tree) && is_year(name)).then_some(name)
}

fn is_blob(e: &TreeEntry<'_>) -> bool {
    e.kind() == Some(ObjectType::Blob)
}

/// Git's entry order: by name bytes, a tree's name compared as if it ended
/// in `/`.
fn git_order(x: &TreeEntry<'_>, y: &TreeEntry<'_>) -> Ordering {
    fn bytes<'e>(e: &'e TreeEntry<'_>) -> impl Iterator<Item = u8> + 'e {
        let slash = (e.kind() == Some(ObjectType::Tree)).then_some(b'/');
        e.name_bytes().iter().copied().chain(slash)
    }
    bytes(x).cmp(bytes(y))
}
