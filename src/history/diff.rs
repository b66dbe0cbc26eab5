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

use git2::{Delta, DiffOptions, Index, Oid, Repository, Tree};

use crate::kind::Kind;
use crate::records::is_year;
use crate::tree_cache::{RawEntry, RawTree, TreeCache};

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
    trees: &mut TreeCache<'_>,
    a: Option<Oid>,
    b: Option<Oid>,
    dir: Option<&str>,
    report: &mut dyn FnMut(Side, &RawEntry<'_>, Option<&str>),
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
