//! Which record files differ between two revisions.
//!
//! Git trees are content-addressed: a folder whose tree id is the same in
//! both revisions holds the same files, so it is skipped without being read.
//! Only the kind folders (and year folders) whose ids differ are compared,
//! entry by entry, as a merge of two sorted lists. With year folders the cost
//! of a commit follows what it touched; a flat folder costs one pass over
//! its entries (libgit2's own tree diff walks every entry of both trees).

mod staged;
mod trees;

pub use staged::staged_changes;
pub use trees::changed_records;

use std::path::{Path, PathBuf};

use git2::Oid;

use crate::kind::Kind;
use crate::records::is_year;
use crate::tree_cache::RawEntry;

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

/// Changes in the order of their paths, as `Path` orders them (folder by
/// folder), compared as bytes split at `/`: the paths here are relative
/// and plain (no `.`, `..` or doubled separators), which `Path`'s general
/// comparison, much slower, does not assume.
pub(super) fn by_path(x: &RecordChange, y: &RecordChange) -> std::cmp::Ordering {
    fn parts(c: &RecordChange) -> impl Iterator<Item = &[u8]> {
        let path = c.path().as_os_str().as_encoded_bytes();
        path.split(|&b| b == b'/' || (cfg!(windows) && b == b'\\'))
    }
    parts(x).cmp(parts(y))
}

/// The changes of one kind's folder: `walk` reports every file that
/// differs; additions and removals of one name pair up as moves.
pub(super) fn kind_changes(
    kind: Kind,
    out: &mut Vec<RecordChange>,
    walk: impl FnOnce(&mut Visit<'_>),
) {
    let start = out.len();
    let mut removed = Vec::new();
    let base = Path::new(kind.folder());
    walk(&mut |side, name, id, dir| {
        let Ok(name) = std::str::from_utf8(name) else {
            return;
        };
        if !is_record_name(kind, name) {
            return;
        }
        let v = Version {
            path: dir.map_or_else(|| base.join(name), |d| base.join(d).join(name)),
            blob: id,
        };
        match side {
            Side::Old => removed.push(v),
            Side::New => out.push(RecordChange {
                kind,
                old: None,
                new: Some(v),
            }),
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
    pair_moves(kind, out, start, removed);
}

/// Removals of one kind into `changes` (its changes start at `start`): a
/// removal of the file name of an addition (a move between year folders)
/// becomes that change's old version, any other a deletion. Additions are found by name in a map,
/// so a commit that moves a whole year costs what it moves.
pub(super) fn pair_moves(
    kind: Kind,
    changes: &mut Vec<RecordChange>,
    start: usize,
    removed: Vec<Version>,
) {
    if removed.is_empty() {
        return;
    }
    let mut added: std::collections::HashMap<&std::ffi::OsStr, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, c) in changes.iter().enumerate().skip(start) {
        if let (None, Some(new)) = (&c.old, &c.new)
            && let Some(name) = new.path.file_name()
        {
            added.entry(name).or_default().push(i);
        }
    }
    let mut paired = Vec::new();
    let mut deleted = Vec::new();
    for v in removed {
        let slot = v
            .path
            .file_name()
            .and_then(|name| added.get_mut(name))
            .and_then(|slots| (!slots.is_empty()).then(|| slots.remove(0)));
        match slot {
            Some(i) => paired.push((i, v)),
            None => deleted.push(v),
        }
    }
    for (i, v) in paired {
        changes[i].old = Some(v);
    }
    changes.extend(deleted.into_iter().map(|v| RecordChange {
        kind,
        old: Some(v),
        new: None,
    }));
}

/// Files the record checks look at (a misnamed file is reported, not skipped).
pub(super) fn is_record_name(kind: Kind, name: &str) -> bool {
    !name.starts_with('.')
        && (kind.id_of_file_name(name).is_some() || crate::records::is_misnamed(kind, name))
}

/// Where a walk reports a file that differs: the side it is on, its name,
/// its id, and the year folder it is in (`None`: directly in the kind's
/// folder).
pub(super) type Visit<'a> = dyn FnMut(Side, &[u8], Oid, Option<&str>) + 'a;

/// Which revision an entry comes from; `Both` carries the old blob id of a
/// file present in both with different content.
pub(super) enum Side {
    Old,
    New,
    Both(Oid),
}

/// The name of a year folder directly in a kind folder (`dir` is `None`).
pub(super) fn year_folder<'e>(e: &RawEntry<'e>, dir: Option<&str>) -> Option<&'e str> {
    let name = std::str::from_utf8(e.name).ok()?;
    (dir.is_none() && e.is_tree() && is_year(name)).then_some(name)
}

#[cfg(test)]
mod tests;
