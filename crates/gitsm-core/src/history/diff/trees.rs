//! Two revisions' trees compared: a folder whose tree id is the same in
//! both is skipped unread, the others merged as two sorted lists.

use std::cmp::Ordering;

use git2::Oid;

use crate::kind::Kind;
use crate::tree_cache::{RawTree, TreeCache};

use super::*;

/// Record files of `kinds` that differ between two versions of the managed
/// root (tree ids; `None` is an empty revision). A file moved between year
/// folders (same name) is one change with both versions.
pub fn changed_records(
    trees: &mut TreeCache<'_>,
    old: Option<Oid>,
    new: Option<Oid>,
    kinds: &[Kind],
) -> Vec<RecordChange> {
    let mut out = Vec::new();
    if old == new {
        return out;
    }
    let (old_root, new_root) = (trees.read(old), trees.read(new));
    for &kind in kinds {
        let folder = |root: Option<&RawTree>| {
            root.and_then(|r| r.entries().find(|e| e.name == kind.folder().as_bytes()))
                .filter(RawEntry::is_tree)
                .map(|e| e.id())
        };
        let (a, b) = (folder(old_root.as_deref()), folder(new_root.as_deref()));
        if a == b {
            continue;
        }
        if a.is_none() {
            // Everything in the folder is added (a first commit): room for
            // its entries at once (a hint: year folders count as one).
            out.reserve(trees.read(b).map_or(0, |t| t.entry_count()));
        }
        kind_changes(kind, &mut out, |visit| compare(trees, a, b, None, visit));
    }
    // Stable: each kind's changes come mostly in order already (its
    // deletions last), and a stable sort merges such runs in linear time.
    out.sort_by(by_path);
    out
}

/// Walk two versions of a folder, reporting files that differ; year folders
/// (at depth 0) are descended into only when their ids differ.
pub(super) fn compare(
    trees: &mut TreeCache<'_>,
    a: Option<Oid>,
    b: Option<Oid>,
    dir: Option<&str>,
    visit: &mut Visit<'_>,
) {
    let (ta, tb) = (trees.read(a), trees.read(b));
    let (ra, rb) = match (ta.as_deref(), tb.as_deref()) {
        (Some(x), Some(y)) => RawTree::differing(x, y),
        (x, y) => (
            0..x.map_or(0, RawTree::entry_count),
            0..y.map_or(0, RawTree::entry_count),
        ),
    };
    let mut xs = ra
        .filter_map(|i| ta.as_deref().map(|t| t.entry(i)))
        .peekable();
    let mut ys = rb
        .filter_map(|i| tb.as_deref().map(|t| t.entry(i)))
        .peekable();
    loop {
        let order = match (xs.peek(), ys.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) if x.bytes == y.bytes => {
                xs.next();
                ys.next();
                continue;
            }
            (Some(x), Some(y)) => x.order(y),
        };
        let (x, y) = match order {
            Ordering::Less => (xs.next(), None),
            Ordering::Greater => (None, ys.next()),
            Ordering::Equal => (xs.next(), ys.next()),
        };
        match (x, y) {
            (Some(x), Some(y)) => {
                if x.is_blob() && y.is_blob() {
                    visit(Side::Both(x.id()), y.name, y.id(), dir);
                } else if let Some(name) = year_folder(&x, dir)
                    && year_folder(&y, dir).is_some()
                {
                    compare(trees, Some(x.id()), Some(y.id()), Some(name), visit);
                } else {
                    one_side(trees, Side::Old, &x, dir, visit);
                    one_side(trees, Side::New, &y, dir, visit);
                }
            }
            (Some(x), None) => one_side(trees, Side::Old, &x, dir, visit),
            (None, Some(y)) => one_side(trees, Side::New, &y, dir, visit),
            (None, None) => break,
        }
    }
}

/// An entry present on one side only (or changed in kind): a file, or a
/// whole year folder, whose files are then all reported.
pub(super) fn one_side(
    trees: &mut TreeCache<'_>,
    side: Side,
    e: &RawEntry<'_>,
    dir: Option<&str>,
    visit: &mut Visit<'_>,
) {
    if e.is_blob() {
        visit(side, e.name, e.id(), dir);
        return;
    }
    let Some(name) = year_folder(e, dir) else {
        return;
    };
    let (a, b) = match side {
        Side::Old => (Some(e.id()), None),
        _ => (None, Some(e.id())),
    };
    compare(trees, a, b, Some(name), visit);
}
