//! Which record files differ between two revisions.
//!
//! Git trees are content-addressed: a folder whose tree id is the same in
//! both revisions holds the same files, so it is skipped without being read.
//! Only the kind folders (and year folders) whose ids differ are compared,
//! entry by entry, as a merge of two sorted lists. With year folders the cost
//! of a commit follows what it touched; a flat folder costs one pass over
//! its entries (libgit2's own tree diff walks every entry of both trees).

use std::cell::OnceCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use git2::{Delta, DiffOptions, Index, ObjectType, Odb, Oid, Repository, Tree};

use crate::kind::Kind;
use crate::records::is_year;

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
        let folder = |root: &Option<Rc<RawTree>>| {
            root.as_deref()
                .and_then(|r| r.entries().find(|e| e.name == kind.folder().as_bytes()))
                .filter(RawEntry::is_tree)
                .map(|e| e.id())
        };
        let (a, b) = (folder(&old_root), folder(&new_root));
        if a == b {
            continue;
        }
        let mut removed = Vec::new();
        let mut added = Vec::new();
        let base = Path::new(kind.folder());
        compare(trees, a, b, None, &mut |side, entry, dir| {
            let Ok(name) = std::str::from_utf8(entry.name) else {
                return;
            };
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

/// Tree objects as raw bytes, for walks over many commits. A commit's trees
/// are its child's parent trees, so a tree used in one step of a walk is
/// kept for the next: each version of a folder is read (inflated) once, and
/// never parsed into libgit2's entry lists (a 100,000-file folder is a
/// 4 MB tree, and libgit2 caches no tree over 4 KB).
pub struct TreeCache<'r> {
    odb: Odb<'r>,
    current: HashMap<Oid, Rc<RawTree>>,
    previous: HashMap<Oid, Rc<RawTree>>,
}

/// A tree object's bytes and where each entry starts.
struct RawTree {
    bytes: Vec<u8>,
    /// Start of every entry, then the end of the last one: found by
    /// splitting the bytes, or (cheaper) carried over from the version of
    /// the folder this one was compared with.
    starts: OnceCell<Vec<usize>>,
}

impl RawTree {
    fn new(bytes: Vec<u8>) -> RawTree {
        RawTree {
            bytes,
            starts: OnceCell::new(),
        }
    }

    fn starts(&self) -> &[usize] {
        self.starts.get_or_init(|| {
            let mut starts = vec![0];
            let mut at = 0;
            while let Some(len) = entry_len(&self.bytes[at..]) {
                at += len;
                starts.push(at);
            }
            starts
        })
    }

    fn len(&self) -> usize {
        self.starts().len() - 1
    }

    fn entry(&self, i: usize) -> RawEntry<'_> {
        let starts = self.starts();
        let bytes = &self.bytes[starts[i]..starts[i + 1]];
        let space = memchr::memchr(b' ', bytes).unwrap_or(0);
        let nul = bytes.len() - 21;
        RawEntry {
            mode: &bytes[..space],
            name: bytes.get(space + 1..nul).unwrap_or_default(),
            id: &bytes[nul + 1..],
            bytes,
        }
    }

    fn entries(&self) -> impl Iterator<Item = RawEntry<'_>> {
        (0..self.len()).map(|i| self.entry(i))
    }

    /// The entries that may differ between `a` and `b`, as index ranges.
    /// The common leading and trailing bytes (found by `memcmp`) hold the
    /// same entries on both sides and are skipped unread; only the middle
    /// of `b` is split into entries, and `b`'s entry starts are filled in
    /// from `a`'s.
    fn differing(a: &RawTree, b: &RawTree) -> (Range<usize>, Range<usize>) {
        let sa = a.starts();
        let (xa, xb) = (&a.bytes[..sa[sa.len() - 1]], &b.bytes[..]);
        let prefix = common_prefix(xa, xb);
        // Entries ending inside the common prefix: the same on both sides
        // (both are split into entries from the start, over equal bytes).
        let first = sa[1..].partition_point(|&end| end <= prefix);
        let room = xa.len().min(xb.len()) - sa[first];
        let tail = xb.len() - common_suffix(xa, xb).min(room);
        // Split `b` from there until an entry starts inside the common
        // suffix where an entry of `a` starts, at the same distance from
        // the end: from there on both sides split alike.
        let mut sb = sa[..=first].to_vec();
        let mut at = sa[first];
        let end_a = loop {
            if at >= tail
                && let Ok(i) = sa.binary_search(&(at + xa.len() - xb.len()))
            {
                break i;
            }
            match entry_len(&xb[at..]) {
                Some(len) => {
                    at += len;
                    sb.push(at);
                }
                // The end of `b` (or where it stops being a tree).
                None => break sa.len() - 1,
            }
        };
        let end_b = sb.len() - 1;
        if end_a + 1 < sa.len() {
            sb.extend(sa[end_a + 1..].iter().map(|&s| s + xb.len() - xa.len()));
        }
        if b.starts.get().is_none() {
            let _ = b.starts.set(sb);
        }
        (first..end_a.max(first), first..end_b.max(first))
    }
}

impl<'r> TreeCache<'r> {
    pub fn new(repo: &'r Repository) -> Result<TreeCache<'r>, git2::Error> {
        Ok(TreeCache {
            odb: repo.odb()?,
            current: HashMap::new(),
            previous: HashMap::new(),
        })
    }

    /// The next step of a walk: trees used neither in the step that ends
    /// nor in the one before are dropped.
    pub fn step(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }

    fn read(&mut self, id: Option<Oid>) -> Option<Rc<RawTree>> {
        let id = id?;
        if let Some(tree) = self.current.get(&id) {
            return Some(Rc::clone(tree));
        }
        let tree = match self.previous.remove(&id) {
            Some(tree) => tree,
            None => {
                let object = self.odb.read(id).ok()?;
                if object.kind() != ObjectType::Tree {
                    return None;
                }
                Rc::new(RawTree::new(object.data().to_vec()))
            }
        };
        self.current.insert(id, Rc::clone(&tree));
        Some(tree)
    }
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

/// One entry of a raw tree object: `<mode> <name>\0<20-byte id>`.
struct RawEntry<'t> {
    mode: &'t [u8],
    name: &'t [u8],
    id: &'t [u8],
    /// The whole entry: two entries with equal bytes are the same file.
    bytes: &'t [u8],
}

impl RawEntry<'_> {
    fn is_tree(&self) -> bool {
        self.mode == b"40000"
    }

    /// A file (regular, executable or symbolic link), not a folder or a
    /// submodule.
    fn is_blob(&self) -> bool {
        !self.is_tree() && self.mode != b"160000"
    }

    fn id(&self) -> Oid {
        Oid::from_bytes(self.id).unwrap_or(Oid::ZERO_SHA1)
    }

    /// Git's entry order: by name bytes, a tree's name compared as if it
    /// ended in `/`.
    fn order(&self, other: &RawEntry<'_>) -> Ordering {
        let key = |e: &RawEntry<'_>| {
            let slash = e.is_tree().then_some(b'/');
            e.name.iter().copied().chain(slash).collect::<Vec<u8>>()
        };
        match self.name.cmp(other.name) {
            // Only a name that is a prefix of the other can order
            // differently once a folder's `/` is counted.
            Ordering::Equal if self.is_tree() == other.is_tree() => Ordering::Equal,
            _ if self.name.starts_with(other.name) || other.name.starts_with(self.name) => {
                key(self).cmp(&key(other))
            }
            order => order,
        }
    }
}

/// The length of the raw tree entry at the start of `bytes`
/// (`<mode> <name>\0<20-byte id>`), if one is there.
fn entry_len(bytes: &[u8]) -> Option<usize> {
    let nul = memchr::memchr(0, bytes)?;
    let len = nul + 1 + 20;
    (memchr::memchr(b' ', &bytes[..nul]).is_some() && bytes.len() >= len).then_some(len)
}

/// How many leading bytes `a` and `b` share, compared a block at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 4096;
    let n = a.len().min(b.len());
    let mut at = 0;
    while at + BLOCK <= n && a[at..at + BLOCK] == b[at..at + BLOCK] {
        at += BLOCK;
    }
    at + a[at..n]
        .iter()
        .zip(&b[at..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many trailing bytes `a` and `b` share.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 4096;
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut at = n;
    while at >= BLOCK && a[at - BLOCK..at] == b[at - BLOCK..at] {
        at -= BLOCK;
    }
    n - at
        + a[..at]
            .iter()
            .rev()
            .zip(b[..at].iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
}

/// Walk two versions of a folder, reporting files that differ; year folders
/// (at depth 0) are descended into only when their ids differ.
fn compare(
    trees: &mut TreeCache<'_>,
    a: Option<Oid>,
    b: Option<Oid>,
    dir: Option<&str>,
    report: &mut dyn FnMut(Side, &RawEntry<'_>, Option<&str>),
) {
    let (ta, tb) = (trees.read(a), trees.read(b));
    let (ra, rb) = match (ta.as_deref(), tb.as_deref()) {
        (Some(x), Some(y)) => RawTree::differing(x, y),
        (x, y) => (0..x.map_or(0, RawTree::len), 0..y.map_or(0, RawTree::len)),
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
                    report(Side::Both(x.id()), &y, dir);
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
    report: &mut dyn FnMut(Side, &RawEntry<'_>, Option<&str>),
) {
    if e.is_blob() {
        report(side, e, dir);
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
}
