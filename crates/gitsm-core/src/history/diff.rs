//! Which record files differ between two revisions.
//!
//! Git trees are content-addressed: a folder whose tree id is the same in
//! both revisions holds the same files, so it is skipped without being read.
//! Only the kind folders (and year folders) whose ids differ are compared,
//! entry by entry, as a merge of two sorted lists. With year folders the cost
//! of a commit follows what it touched; a flat folder costs one pass over
//! its entries (libgit2's own tree diff walks every entry of both trees).

use std::cmp::Ordering;
use std::ops::Range;
use std::path::{Path, PathBuf};

use git2::Oid;

use crate::index_file::IndexFile;
use crate::kind::Kind;
use crate::records::is_year;
use crate::tree_cache::{FOLDER_MODE, RawEntry, RawTree, SUBMODULE_MODE, TreeCache};

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
        kind_changes(kind, &mut out, |report| compare(trees, a, b, None, report));
    }
    // Stable: each kind's changes come mostly in order already (its
    // deletions last), and a stable sort merges such runs in linear time.
    out.sort_by(by_path);
    out
}

/// Changes in the order of their paths, as `Path` orders them (folder by
/// folder), compared as bytes split at `/`: the paths here are relative
/// and plain (no `.`, `..` or doubled separators), and `Path`'s general
/// comparison made sorting 100,000 changes a fifth of a history walk.
fn by_path(x: &RecordChange, y: &RecordChange) -> std::cmp::Ordering {
    fn parts(c: &RecordChange) -> impl Iterator<Item = &[u8]> {
        let path = c.path().as_os_str().as_encoded_bytes();
        path.split(|&b| b == b'/' || (cfg!(windows) && b == b'\\'))
    }
    parts(x).cmp(parts(y))
}

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
        kind_changes(kind, &mut out, |report| {
            compare_staged(trees, head_id, index, range, offset, None, report);
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
fn staged_folder_differs(
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
fn list_files(
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

/// The changes of one kind's folder: `walk` reports every file that
/// differs; additions and removals of one name pair up as moves.
fn kind_changes(kind: Kind, out: &mut Vec<RecordChange>, walk: impl FnOnce(&mut Report<'_>)) {
    let start = out.len();
    let mut removed = Vec::new();
    let base = Path::new(kind.folder());
    walk(&mut |side, name, id, dir| {
        let Ok(name) = std::str::from_utf8(name) else {
            return;
        };
        if !is_record_name(name) {
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
fn pair_moves(kind: Kind, changes: &mut Vec<RecordChange>, start: usize, removed: Vec<Version>) {
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

/// Files the record checks look at (a `.yml` file is reported, not skipped).
fn is_record_name(name: &str) -> bool {
    !name.starts_with('.') && (name.ends_with(".yaml") || name.ends_with(".yml"))
}

/// Where a walk reports a file that differs: the side it is on, its name,
/// its id, and the year folder it is in (`None`: directly in the kind's
/// folder).
type Report<'a> = dyn FnMut(Side, &[u8], Oid, Option<&str>) + 'a;

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
    trees: &mut TreeCache<'_>,
    a: Option<Oid>,
    b: Option<Oid>,
    dir: Option<&str>,
    report: &mut Report<'_>,
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
                    report(Side::Both(x.id()), y.name, y.id(), dir);
                } else if let Some(name) = year_folder(&x, dir)
                    && year_folder(&y, dir).is_some()
                {
                    compare(trees, Some(x.id()), Some(y.id()), Some(name), report);
                } else {
                    one_side(trees, Side::Old, &x, dir, report);
                    one_side(trees, Side::New, &y, dir, report);
                }
            }
            (Some(x), None) => one_side(trees, Side::Old, &x, dir, report),
            (None, Some(y)) => one_side(trees, Side::New, &y, dir, report),
            (None, None) => break,
        }
    }
}

/// An entry present on one side only (or changed in kind): a file, or a
/// whole year folder, whose files are then all reported.
fn one_side(
    trees: &mut TreeCache<'_>,
    side: Side,
    e: &RawEntry<'_>,
    dir: Option<&str>,
    report: &mut Report<'_>,
) {
    if e.is_blob() {
        report(side, e.name, e.id(), dir);
        return;
    }
    let Some(name) = year_folder(e, dir) else {
        return;
    };
    let (a, b) = match side {
        Side::Old => (Some(e.id()), None),
        _ => (None, Some(e.id())),
    };
    compare(trees, a, b, Some(name), report);
}

/// What the index holds in a folder: a file, or a subfolder and the run
/// of entries inside it.
enum Staged<'i> {
    File(&'i [u8], Oid, i32),
    Folder(&'i [u8], Range<usize>),
}

/// Walk HEAD's version of a folder (`head`) against the index entries in
/// it (`range`; names start at byte `offset` of their paths), reporting
/// files that differ as [`compare`] does for two trees; year folders (at
/// depth 0) are descended into only when the index's cached id for them is
/// not HEAD's.
fn compare_staged(
    trees: &mut TreeCache<'_>,
    head: Option<Oid>,
    index: &IndexFile,
    range: Range<usize>,
    offset: usize,
    dir: Option<&str>,
    report: &mut Report<'_>,
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
                        report(Side::Both(x.id()), name, id, dir);
                    }
                } else {
                    // A submodule replaced by a file, or the other way.
                    one_side(trees, Side::Old, &x, dir, report);
                    if staged_file {
                        report(Side::New, name, id, dir);
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
                        report,
                    );
                }
            }
            (Some(x), None) => one_side(trees, Side::Old, &x, dir, report),
            (None, Some(Staged::File(name, id, mode))) => {
                if mode != SUBMODULE_MODE {
                    report(Side::New, name, id, dir);
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
                        report,
                    );
                }
            }
            (None, None) => break,
        }
    }
}

/// The index's item at position `*i` of a folder's run of entries
/// (`range`, names from byte `offset`), moving `*i` past it.
fn staged_item<'i>(
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

/// The name of a year folder directly in a kind folder (`dir` is `None`).
fn year_folder<'e>(e: &RawEntry<'e>, dir: Option<&str>) -> Option<&'e str> {
    let name = std::str::from_utf8(e.name).ok()?;
    (dir.is_none() && e.is_tree() && is_year(name)).then_some(name)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use git2::{DiffOptions, Repository, TreeBuilder};

    use super::*;

    /// Changes sort as their paths do, also where bytes and folders
    /// disagree (`-` and `.` sort before `/`).
    #[test]
    fn changes_sort_as_paths_do() {
        let names = [
            "incidents/INC-2.yaml",
            "incidents/2026/INC-1.yaml",
            "incidents/2026-x/INC-1.yaml",
            "incidents/2026.yaml",
            "incidents/2025/INC-9.yaml",
            "changes/CHG-1.yaml",
            "incidents/INC-10.yaml",
            "incidents-old/INC-1.yaml",
        ];
        let change = |path: &str| RecordChange {
            kind: Kind::Incident,
            old: None,
            new: Some(Version {
                path: PathBuf::from(path),
                blob: Oid::ZERO_SHA1,
            }),
        };
        let mut ours: Vec<RecordChange> = names.iter().map(|p| change(p)).collect();
        ours.sort_by(by_path);
        let mut paths: Vec<&Path> = names.iter().map(Path::new).collect();
        paths.sort();
        assert_eq!(
            ours.iter().map(RecordChange::path).collect::<Vec<_>>(),
            paths
        );
    }

    /// Removals pair with the additions of their file name (moves between
    /// year folders), each at most once; the rest are deletions.
    #[test]
    fn removals_pair_with_additions_of_their_name() {
        let version = |path: &str, byte: u8| Version {
            path: PathBuf::from(path),
            blob: Oid::from_bytes(&[byte; 20]).expect("oid"),
        };
        let added = |path: &str| RecordChange {
            kind: Kind::Incident,
            old: None,
            new: Some(version(path, 1)),
        };
        let mut changes = vec![
            added("incidents/2026/INC-1.yaml"),
            added("incidents/2026/INC-2.yaml"),
            added("incidents/INC-3.yaml"),
        ];
        pair_moves(
            Kind::Incident,
            &mut changes,
            0,
            vec![
                version("incidents/INC-2.yaml", 2),
                version("incidents/INC-1.yaml", 3),
                version("incidents/2025/INC-2.yaml", 4),
            ],
        );
        let olds: Vec<_> = changes
            .iter()
            .map(|c| (c.path().to_owned(), c.old.as_ref().map(|v| v.blob)))
            .collect();
        let oid = |byte| Some(Oid::from_bytes(&[byte; 20]).expect("oid"));
        assert_eq!(
            olds,
            [
                (PathBuf::from("incidents/2026/INC-1.yaml"), oid(3)),
                (PathBuf::from("incidents/2026/INC-2.yaml"), oid(2)),
                (PathBuf::from("incidents/INC-3.yaml"), None),
                // A second removal of INC-2 finds its name taken: deleted.
                (PathBuf::from("incidents/2025/INC-2.yaml"), oid(4)),
            ]
        );
        assert!(changes[3].new.is_none());
    }

    /// A deterministic pseudo-random source (no `rand` in tests either).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 33) % n as u64) as usize
        }
    }

    type Files = std::collections::BTreeMap<String, String>;

    /// The root tree of `files` (paths with `/`), built bottom-up.
    fn write_tree(repo: &Repository, files: &Files) -> Oid {
        fn build(repo: &Repository, files: &Files, dir: &str) -> Oid {
            let mut builder: TreeBuilder<'_> = repo.treebuilder(None).expect("builder");
            let mut subdirs = BTreeSet::new();
            for (path, text) in files.range(dir.to_owned()..) {
                let Some(rest) = path.strip_prefix(dir) else {
                    break;
                };
                match rest.split_once('/') {
                    Some((sub, _)) => {
                        subdirs.insert(sub.to_owned());
                    }
                    None => {
                        let blob = repo.blob(text.as_bytes()).expect("blob");
                        builder.insert(rest, blob, 0o100_644).expect("insert");
                    }
                }
            }
            for sub in subdirs {
                let id = build(repo, files, &format!("{dir}{sub}/"));
                builder.insert(&sub, id, 0o040_000).expect("insert tree");
            }
            builder.write().expect("write tree")
        }
        build(repo, files, "")
    }

    /// Record versions that changed, as libgit2's own (recursive) tree diff
    /// sees them: `(path, blob, is_new)`.
    fn libgit2_changes(repo: &Repository, a: Oid, b: Oid) -> BTreeSet<(String, Oid, bool)> {
        let (ta, tb) = (repo.find_tree(a).expect("a"), repo.find_tree(b).expect("b"));
        let diff = repo
            .diff_tree_to_tree(Some(&ta), Some(&tb), Some(&mut DiffOptions::new()))
            .expect("diff");
        let is_record = |p: &str| {
            let parts: Vec<&str> = p.split('/').collect();
            let name_ok = |n: &str| is_record_name(n);
            match parts.as_slice() {
                [kind, name] => Kind::from_folder(kind).is_some() && name_ok(name),
                [kind, year, name] => {
                    Kind::from_folder(kind).is_some() && is_year(year) && name_ok(name)
                }
                _ => false,
            }
        };
        let mut out = BTreeSet::new();
        for d in diff.deltas() {
            for (file, is_new) in [(d.old_file(), false), (d.new_file(), true)] {
                let path = file.path().map(|p| p.to_string_lossy().into_owned());
                if let Some(path) = path.filter(|p| is_record(p))
                    && !file.id().is_zero()
                {
                    out.insert((path, file.id(), is_new));
                }
            }
        }
        out
    }

    fn ours(trees: &mut TreeCache<'_>, a: Oid, b: Oid) -> BTreeSet<(String, Oid, bool)> {
        trees.step();
        let mut out = BTreeSet::new();
        for c in changed_records(trees, Some(a), Some(b), &Kind::ALL) {
            for (v, is_new) in [(c.old, false), (c.new, true)] {
                if let Some(v) = v {
                    out.insert((v.path.to_string_lossy().replace('\\', "/"), v.blob, is_new));
                }
            }
        }
        out
    }

    /// The byte-skipping diff of raw trees finds exactly the record files
    /// libgit2's full diff finds, over random edits of flat and year
    /// folders: changes at the start, the end and the middle, additions,
    /// deletions, moves between years, names that are prefixes of others.
    #[test]
    fn raw_tree_diff_agrees_with_libgit2() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("init");
        let mut rng = Lcg(7);
        let mut files = Files::new();
        for i in 0..400 {
            files.insert(format!("incidents/INC-{i:04}.yaml"), format!("v0 {i}"));
            files.insert(
                format!("problems/{}/PRB-{i:04}.yaml", 2020 + i % 5),
                format!("p {i}"),
            );
        }
        for name in [
            "a",
            "a.yaml",
            "a-b.yaml",
            "a0.yaml",
            ".hidden.yaml",
            "notes.txt",
        ] {
            files.insert(format!("incidents/{name}"), name.to_owned());
        }
        files.insert("incidents/2024/INC-9000.yaml".into(), "year".into());
        files.insert("incidents/misc/INC-9001.yaml".into(), "not a year".into());
        files.insert("gitsm.yaml".into(), "x".into());
        let mut before = write_tree(&repo, &files);
        // One cache for the walk, as in a history walk: each tree's entry
        // starts are carried over from the comparison before.
        let mut trees = TreeCache::new(&repo).expect("odb");
        for round in 0..40 {
            let keys: Vec<String> = files.keys().cloned().collect();
            for _ in 0..1 + rng.below(6) {
                let key = &keys[rng.below(keys.len())];
                match rng.below(5) {
                    0 => {
                        files.remove(key);
                    }
                    1 => {
                        // Move into (or between) year folders.
                        let name = key.rsplit('/').next().unwrap_or_default().to_owned();
                        let kind = key.split('/').next().unwrap_or_default().to_owned();
                        if let Some(text) = files.remove(key) {
                            files.insert(format!("{kind}/{}/{name}", 2019 + rng.below(8)), text);
                        }
                    }
                    2 => {
                        let at = rng.below(3) * 200;
                        files.insert(
                            format!("incidents/INC-{at:04}a.yaml"),
                            format!("new {round}"),
                        );
                    }
                    _ => {
                        files.insert(key.clone(), format!("edit {round} {}", rng.below(1000)));
                    }
                }
            }
            let after = write_tree(&repo, &files);
            assert_eq!(
                ours(&mut trees, before, after),
                libgit2_changes(&repo, before, after),
                "round {round}"
            );
            before = after;
        }
    }

    fn git(dir: &Path, args: &[&str]) {
        gitsm_git::testing::git_cli(dir, args, None);
    }

    type Changes = BTreeSet<(String, Oid, bool)>;

    /// The record files that differ between HEAD and the index, and whether
    /// the policy differs: libgit2's diff of the two, and ours.
    fn staged_both_ways(repo: &Repository, prefix: &str) -> (Changes, bool, Changes, bool) {
        let head = repo.head().expect("head").peel_to_tree().expect("tree");
        let diff = repo
            .diff_tree_to_index(Some(&head), None, Some(&mut DiffOptions::new()))
            .expect("diff");
        let mut theirs = BTreeSet::new();
        let mut their_policy = false;
        for d in diff.deltas() {
            for (file, is_new) in [(d.old_file(), false), (d.new_file(), true)] {
                let Some(path) = file.path().map(|p| p.to_string_lossy().into_owned()) else {
                    continue;
                };
                let Some(rel) = path.strip_prefix(prefix) else {
                    continue;
                };
                their_policy |= rel == "gitsm.yaml" || rel.starts_with("schemas/");
                let parts: Vec<&str> = rel.split('/').collect();
                let record = match parts.as_slice() {
                    [kind, name] => Kind::from_folder(kind).is_some() && is_record_name(name),
                    [kind, year, name] => {
                        Kind::from_folder(kind).is_some() && is_year(year) && is_record_name(name)
                    }
                    _ => false,
                };
                if record && !file.id().is_zero() {
                    theirs.insert((rel.to_owned(), file.id(), is_new));
                }
            }
        }
        let index = IndexFile::open(repo).expect("index reads");
        let mut trees = TreeCache::new(repo).expect("odb");
        let prefix = Path::new(prefix.trim_end_matches('/'));
        let (changes, our_policy) = staged_changes(&mut trees, Some(head.id()), &index, prefix);
        let mut ours = BTreeSet::new();
        for c in changes {
            for (v, is_new) in [(c.old, false), (c.new, true)] {
                if let Some(v) = v {
                    ours.insert((v.path.to_string_lossy().replace('\\', "/"), v.blob, is_new));
                }
            }
        }
        (ours, our_policy, theirs, their_policy)
    }

    /// The index read directly and compared with HEAD (cached folder ids
    /// skipping unchanged folders) finds exactly the record files and
    /// policy changes libgit2's diff of HEAD against the index finds, for
    /// indexes the real `git` wrote: versions 2 and 4, after `git add` (the
    /// cache tree partly invalid) and after a commit (all valid), edits in
    /// flat and year folders, additions, deletions, moves, a managed root
    /// in a subfolder.
    #[test]
    fn staged_diff_agrees_with_libgit2_on_indexes_git_wrote() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        git(root, &["init", "-q"]);
        let repo = Repository::open(root).expect("open");
        let prefix = "ops/itsm/";
        let mut rng = Lcg(11);
        let mut files = Files::new();
        for i in 0..150 {
            files.insert(
                format!("{prefix}incidents/INC-{i:04}.yaml"),
                format!("v0 {i}\n"),
            );
            files.insert(
                format!("{prefix}problems/{}/PRB-{i:04}.yaml", 2020 + i % 4),
                format!("p {i}\n"),
            );
        }
        files.insert(format!("{prefix}gitsm.yaml"), "x\n".into());
        files.insert(
            format!("{prefix}schemas/incident.schema.json"),
            "{}\n".into(),
        );
        files.insert(
            format!("{prefix}incidents/misc/INC-9001.yaml"),
            "no year\n".into(),
        );
        files.insert("README.md".into(), "outside\n".into());
        let write = |files: &Files| {
            for (path, text) in files {
                let path = root.join(path);
                std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                std::fs::write(path, text).expect("write");
            }
        };
        write(&files);
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "start"]);
        for round in 0..16 {
            let keys: Vec<String> = files.keys().cloned().collect();
            for _ in 0..1 + rng.below(4) {
                let key = &keys[rng.below(keys.len())];
                match rng.below(6) {
                    0 => {
                        files.remove(key);
                        let _ = std::fs::remove_file(root.join(key));
                    }
                    1 => {
                        let name = key.rsplit('/').next().unwrap_or_default().to_owned();
                        if key.starts_with(&format!("{prefix}problems/"))
                            && let Some(text) = files.remove(key)
                        {
                            let _ = std::fs::remove_file(root.join(key));
                            files.insert(
                                format!("{prefix}problems/{}/{name}", 2019 + rng.below(6)),
                                text,
                            );
                        }
                    }
                    2 => {
                        files.insert(
                            format!("{prefix}incidents/INC-{:04}a.yaml", rng.below(150)),
                            format!("new {round}\n"),
                        );
                    }
                    3 if round % 5 == 0 => {
                        files.insert(
                            format!("{prefix}schemas/incident.schema.json"),
                            format!("{{}} {round}\n"),
                        );
                    }
                    _ => {
                        files.insert(key.clone(), format!("edit {round} {}\n", rng.below(1000)));
                    }
                }
            }
            write(&files);
            git(root, &["add", "-A"]);
            if round % 2 == 1 {
                git(root, &["update-index", "--index-version", "4"]);
            }
            let (ours, our_policy, theirs, their_policy) = staged_both_ways(&repo, prefix);
            assert!(
                !theirs.is_empty() || round % 5 == 0,
                "round {round} changed nothing"
            );
            assert_eq!(ours, theirs, "round {round}: staged records");
            assert_eq!(our_policy, their_policy, "round {round}: policy");
            git(root, &["commit", "-q", "-m", &format!("round {round}")]);
            let (ours, our_policy, ..) = staged_both_ways(&repo, prefix);
            assert!(
                ours.is_empty() && !our_policy,
                "round {round}: nothing staged after the commit"
            );
        }
    }

    /// `git` in `dir`, with its output.
    fn git_out(dir: &Path, args: &[&str], input: Option<&str>) -> String {
        gitsm_git::testing::git_cli(dir, args, input)
    }

    /// Record changes staged in `root`'s index against HEAD: `(path, is_new)`.
    fn staged_paths(repo: &Repository) -> (BTreeSet<(String, bool)>, Option<Oid>) {
        let head = repo.head().expect("head").peel_to_tree().expect("tree");
        let index = IndexFile::open(repo).expect("index");
        let mut trees = TreeCache::new(repo).expect("odb");
        let (changes, _) = staged_changes(&mut trees, Some(head.id()), &index, Path::new(""));
        let mut out = BTreeSet::new();
        for c in changes {
            for (v, is_new) in [(c.old, false), (c.new, true)] {
                if let Some(v) = v {
                    out.insert((v.path.to_string_lossy().replace('\\', "/"), is_new));
                }
            }
        }
        (out, trees.missing())
    }

    /// A submodule (a commit, not a file) where a record was, or a record
    /// where a submodule was: the file side is reported, the other not.
    #[test]
    fn a_submodule_swapped_with_a_record_reports_the_file_side() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        git(root, &["init", "-q"]);
        std::fs::create_dir(root.join("incidents")).expect("mkdir");
        std::fs::write(root.join("incidents/INC-1.yaml"), "id: INC-1\n").expect("write");
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "one"]);
        let repo = Repository::open(root).expect("open");
        let commit = git_out(root, &["rev-parse", "HEAD"], None);
        let path = "incidents/INC-1.yaml";
        let gitlink = format!("160000,{commit},{path}");
        git(root, &["update-index", "--cacheinfo", &gitlink]);
        let (changes, _) = staged_paths(&repo);
        assert_eq!(changes, BTreeSet::from([(path.to_owned(), false)]));
        git(root, &["commit", "-q", "-m", "submodule"]);
        git(
            root,
            &[
                "update-index",
                "--add",
                "--cacheinfo",
                &format!(
                    "100644,{},{path}",
                    git_out(root, &["rev-parse", "HEAD~1:incidents/INC-1.yaml"], None)
                ),
            ],
        );
        let (changes, _) = staged_paths(&repo);
        assert_eq!(changes, BTreeSet::from([(path.to_owned(), true)]));
    }

    /// A HEAD folder whose tree object is missing is not taken for an
    /// empty folder: the cache names it, and the hook refuses to go on.
    #[test]
    fn a_missing_head_tree_is_noticed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        git(root, &["init", "-q"]);
        let blob = git_out(root, &["hash-object", "-w", "--stdin"], Some("id: INC-1\n"));
        let absent = "1234567890123456789012345678901234567890";
        let tree = git_out(
            root,
            &["mktree", "--missing"],
            Some(&format!("040000 tree {absent}\tincidents\n")),
        );
        let commit = git_out(root, &["commit-tree", &tree, "-m", "damaged"], None);
        git(root, &["update-ref", "HEAD", &commit]);
        git(
            root,
            &[
                "update-index",
                "--add",
                "--cacheinfo",
                &format!("100644,{blob},incidents/INC-2.yaml"),
            ],
        );
        let repo = Repository::open(root).expect("open");
        let (_, missing) = staged_paths(&repo);
        assert_eq!(missing, Some(Oid::from_str(absent).expect("oid")));
    }
}
