//! HEAD's tree compared with the index (the pre-commit check): a folder
//! whose cached tree id in the index is HEAD's is skipped unread.

use std::cmp::Ordering;
use std::ops::Range;

use git2::Oid;

use crate::index_file::IndexFile;
use crate::kind::Kind;
use crate::tree_cache::{FOLDER_MODE, SUBMODULE_MODE, TreeCache};

use super::trees::*;
use super::*;

/// Record files that differ between HEAD's tree (`head`, the top of the
/// repository) and the index, and whether the policy (`gitsm.yaml`,
/// `schemas/`) differs. A folder whose cached tree id in the index is
/// HEAD's is skipped unread; otherwise its entries are compared with HEAD's
/// as two sorted lists, as [`changed_records`] compares two trees.
pub fn staged_changes(
    trees: &mut TreeCache<'_>,
    head: Option<Oid>,
    index: &IndexFile,
    prefix: &Path,
) -> (Vec<RecordChange>, bool) {
    let at = |trees: &mut TreeCache<'_>, name: &str| {
        let path = prefix.join(name).to_string_lossy().replace('\\', "/");
        let head_entry = trees.entry_at(head, Path::new(&path));
        (path, head_entry)
    };
    // HEAD's tree id of a folder, when that path is a folder there.
    let folder_id = |entry: Option<(Oid, i32)>| {
        entry
            .filter(|&(_, mode)| mode == FOLDER_MODE)
            .map(|(id, _)| id)
    };
    let mut out = Vec::new();
    for kind in Kind::ALL {
        let (folder, head_entry) = at(trees, kind.folder());
        let head_id = folder_id(head_entry);
        if head_id.is_some() && index.cached_tree(folder.as_bytes()) == head_id {
            continue;
        }
        let range = index.under(folder.as_bytes());
        if head_id.is_none() && range.is_empty() {
            continue;
        }
        let offset = folder.len() + 1;
        kind_changes(kind, &mut out, |visit| {
            compare_staged(trees, head_id, index, range, offset, None, visit);
        });
    }
    out.sort_by(by_path);
    let (config, head_config) = at(trees, crate::config::FILE_NAME);
    let (schemas, head_schemas) = at(trees, "schemas");
    let policy = index.get(config.as_bytes()) != head_config
        || staged_folder_differs(trees, folder_id(head_schemas), index, &schemas);
    (out, policy)
}

/// Whether the folder at `path` differs between HEAD (`head`: its tree id
/// there) and the index, files at any depth compared.
pub(super) fn staged_folder_differs(
    trees: &mut TreeCache<'_>,
    head: Option<Oid>,
    index: &IndexFile,
    path: &str,
) -> bool {
    if head.is_some() && index.cached_tree(path.as_bytes()) == head {
        return false;
    }
    let mut in_head = Vec::new();
    list_files(trees, head, Vec::new(), &mut in_head);
    let offset = path.len() + 1;
    let staged = index
        .under(path.as_bytes())
        .filter_map(|i| index.entry(i))
        .map(|(p, id, mode)| (p[offset..].to_vec(), id, mode));
    !staged.eq(in_head)
}

/// Every file below the tree `id` (path from it, blob id, mode), in Git's
/// order, which is the index's.
pub(super) fn list_files(
    trees: &mut TreeCache<'_>,
    id: Option<Oid>,
    dir: Vec<u8>,
    out: &mut Vec<(Vec<u8>, Oid, i32)>,
) {
    let Some(tree) = trees.read(id) else {
        return;
    };
    for e in tree.entries() {
        let mut path = dir.clone();
        if !path.is_empty() {
            path.push(b'/');
        }
        path.extend_from_slice(e.name);
        if e.is_tree() {
            list_files(trees, Some(e.id()), path, out);
        } else {
            out.push((path, e.id(), e.mode()));
        }
    }
}

/// What the index holds in a folder: a file, or a subfolder and the run
/// of entries inside it.
pub(super) enum Staged<'i> {
    File(&'i [u8], Oid, i32),
    Folder(&'i [u8], Range<usize>),
}

/// Walk HEAD's version of a folder (`head`) against the index entries in
/// it (`range`; names start at byte `offset` of their paths), reporting
/// files that differ as [`compare`] does for two trees; year folders (at
/// depth 0) are descended into only when the index's cached id for them is
/// not HEAD's.
pub(super) fn compare_staged(
    trees: &mut TreeCache<'_>,
    head: Option<Oid>,
    index: &IndexFile,
    range: Range<usize>,
    offset: usize,
    dir: Option<&str>,
    visit: &mut Visit<'_>,
) {
    let tree = trees.read(head);
    let mut xs = tree.iter().flat_map(|t| t.entries()).peekable();
    let mut i = range.start;
    let mut ys = std::iter::from_fn(|| staged_item(index, &range, &mut i, offset)).peekable();
    loop {
        let order = match (xs.peek(), ys.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(Staged::File(name, ..))) => x.order_key(name, false),
            (Some(x), Some(Staged::Folder(name, _))) => x.order_key(name, true),
        };
        let x = if order.is_gt() { None } else { xs.next() };
        let y = if order.is_lt() { None } else { ys.next() };
        match (x, y) {
            (Some(x), Some(Staged::File(name, id, mode))) => {
                let staged_file = mode != SUBMODULE_MODE;
                if x.is_blob() && staged_file {
                    if x.id() != id || x.mode() != mode {
                        visit(Side::Both(x.id()), name, id, dir);
                    }
                } else {
                    // A submodule replaced by a file, or the other way.
                    one_side(trees, Side::Old, &x, dir, visit);
                    if staged_file {
                        visit(Side::New, name, id, dir);
                    }
                }
            }
            (Some(x), Some(Staged::Folder(name, run))) => {
                let Some(year) = year_folder(&x, dir) else {
                    continue;
                };
                let path_len = offset + name.len();
                let cached = index
                    .entry(run.start)
                    .and_then(|(path, ..)| index.cached_tree(&path[..path_len]));
                if cached != Some(x.id()) {
                    compare_staged(
                        trees,
                        Some(x.id()),
                        index,
                        run,
                        path_len + 1,
                        Some(year),
                        visit,
                    );
                }
            }
            (Some(x), None) => one_side(trees, Side::Old, &x, dir, visit),
            (None, Some(Staged::File(name, id, mode))) => {
                if mode != SUBMODULE_MODE {
                    visit(Side::New, name, id, dir);
                }
            }
            (None, Some(Staged::Folder(name, run))) => {
                if dir.is_none()
                    && let Some(year) = std::str::from_utf8(name).ok().filter(|n| is_year(n))
                {
                    compare_staged(
                        trees,
                        None,
                        index,
                        run,
                        offset + name.len() + 1,
                        Some(year),
                        visit,
                    );
                }
            }
            (None, None) => break,
        }
    }
}

/// The index's item at position `*i` of a folder's run of entries
/// (`range`, names from byte `offset`), moving `*i` past it.
pub(super) fn staged_item<'i>(
    index: &'i IndexFile,
    range: &Range<usize>,
    i: &mut usize,
    offset: usize,
) -> Option<Staged<'i>> {
    if *i >= range.end {
        return None;
    }
    let (path, id, mode) = index.entry(*i)?;
    let rest = path.get(offset..)?;
    match memchr::memchr(b'/', rest) {
        None => {
            *i += 1;
            Some(Staged::File(rest, id, mode))
        }
        Some(slash) => {
            let start = *i;
            *i = index.run_end(range.clone(), start, &path[..offset + slash + 1]);
            Some(Staged::Folder(&rest[..slash], start..*i))
        }
    }
}
