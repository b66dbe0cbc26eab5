//! The index (`.git/index`) read directly, for the pre-commit hook.
//!
//! libgit2 reads an index into a hash map of owned entries and checks the
//! SHA-1 of the whole file, a cost that grows with the repository, though
//! the hook needs a handful of entries (BENCHMARKS.md, "Per-commit
//! checks"). [`IndexFile`] reads the file in one go, copies the paths back to
//! back (one pass, no allocation per entry), finds a path by binary search,
//! and reads the cache tree (the `TREE` extension): the tree id of every
//! folder unchanged since a tree was last written from the index, so a
//! folder whose id is HEAD's is skipped without a look at its entries.
//!
//! Index versions 2, 3 and 4 (compressed paths) are read, as Git writes
//! them (Documentation/gitformat-index.txt). A split index (`link`) and a
//! sparse index (folder entries) are refused with a message saying how to
//! turn them off; libgit2 reads neither. The trailing checksum is not
//! verified (nor is it by Git with `index.skipHash`): every read is bounds
//! checked, and a damaged entry's blob id names no object.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

use crate::tree_cache::FOLDER_MODE;

/// Why the index could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("cannot read the index {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the index {path} is damaged: {what}")]
    Damaged { path: PathBuf, what: &'static str },
    #[error("the index {path} is {what}, which gitsm cannot read")]
    Unsupported { path: PathBuf, what: &'static str },
}

impl IndexError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            IndexError::Damaged { .. } => Some(
                "if `git ls-files --stage` fails too, delete the index file and run `git reset` (the work tree is kept; stage the changes again)",
            ),
            IndexError::Unsupported { what, .. } if what.starts_with("split") => Some(
                "turn it off with `git config core.splitIndex false` and `git update-index --no-split-index`",
            ),
            IndexError::Unsupported { what, .. } if what.starts_with("sparse") => {
                Some("turn it off with `git sparse-checkout reapply --no-sparse-index`")
            }
            _ => None,
        }
    }
}

/// The entries of an index and its cache tree.
#[derive(Debug, Default)]
pub struct IndexFile {
    /// In index order: by path bytes, then by stage.
    entries: Vec<Entry>,
    /// The paths of all entries, back to back.
    paths: Vec<u8>,
    /// Folders the cache tree holds as valid (path without a trailing `/`,
    /// `""` for the root) and their tree ids.
    trees: HashMap<Vec<u8>, Oid>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    path: (u32, u32),
    id: [u8; 20],
    mode: u32,
    stage: u8,
}

/// Bytes of the fixed part of an entry: stat data, mode, id, flags.
const FIXED: usize = 62;

impl IndexFile {
    /// The repository's index: `$GIT_INDEX_FILE` when set (as `git commit
    /// -a` and `git commit <paths>` do for their hooks), else the index in
    /// the Git folder. A missing index is an empty one.
    pub fn open(repo: &Repository) -> Result<IndexFile, IndexError> {
        let path = match std::env::var_os("GIT_INDEX_FILE") {
            Some(file) => {
                let file = PathBuf::from(file);
                if file.is_absolute() {
                    file
                } else {
                    repo.workdir().unwrap_or(repo.path()).join(file)
                }
            }
            None => repo.path().join("index"),
        };
        IndexFile::read(&path)
    }

    /// The index file at `path`; a missing file is an empty index.
    pub fn read(path: &Path) -> Result<IndexFile, IndexError> {
        match std::fs::read(path) {
            Ok(bytes) => IndexFile::parse(&bytes).map_err(|e| e.at(path)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(IndexFile::default()),
            Err(source) => Err(IndexError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    fn parse(bytes: &[u8]) -> Result<IndexFile, Problem> {
        if bytes.len() < 12 + 20 || &bytes[..4] != b"DIRC" {
            return Err(Problem::Damaged("it does not start with an index header"));
        }
        let version = be32(&bytes[4..]);
        if !(2..=4).contains(&version) {
            return Err(Problem::Unsupported("of an unknown version"));
        }
        let count = be32(&bytes[8..]) as usize;
        // Everything before the trailing checksum.
        let body = &bytes[..bytes.len() - 20];
        let truncated = Problem::Damaged("an entry is cut short");
        let mut index = IndexFile {
            entries: Vec::with_capacity(count.min(body.len() / FIXED)),
            paths: Vec::with_capacity(body.len() / 2),
            trees: HashMap::new(),
        };
        let mut at = 12;
        let mut previous = 0..0;
        let mut previous_stage = 0;
        for _ in 0..count {
            let fixed = body.get(at..at + FIXED).ok_or(truncated)?;
            let mode = be32(&fixed[24..]);
            let flags = u16::from_be_bytes([fixed[60], fixed[61]]);
            let mut name_at = at + FIXED;
            let mut intent_to_add = false;
            if flags & 0x4000 != 0 {
                let extra = body.get(name_at..name_at + 2).ok_or(truncated)?;
                intent_to_add = extra[0] & 0x20 != 0;
                name_at += 2;
            }
            let start = len32(index.paths.len())?;
            if version == 4 {
                // The number of bytes to drop from the end of the previous
                // path, then the rest of this one.
                let (strip, used) =
                    varint(body.get(name_at..).ok_or(truncated)?).ok_or(truncated)?;
                let keep = previous.len().checked_sub(strip).ok_or(truncated)?;
                index
                    .paths
                    .extend_from_within(previous.start..previous.start + keep);
                name_at += used;
            }
            let rest = body.get(name_at..).ok_or(truncated)?;
            let nul = memchr::memchr(0, rest).ok_or(truncated)?;
            index.paths.extend_from_slice(&rest[..nul]);
            at = if version == 4 {
                name_at + nul + 1
            } else {
                // Padded with 1 to 8 NULs to a multiple of 8 bytes.
                at + ((name_at + nul - at + 8) & !7)
            };
            let path = start as usize..index.paths.len();
            let stage = ((flags >> 12) & 3) as u8;
            // Sorted by path, then stage, as Git requires (the lookups
            // are binary searches).
            let order = index.paths[path.clone()].cmp(&index.paths[previous.clone()]);
            if start > 0 && (order.is_lt() || (order.is_eq() && stage <= previous_stage)) {
                return Err(Problem::Damaged("its entries are out of order"));
            }
            previous = path;
            previous_stage = stage;
            if i32::try_from(mode & 0o170_000) == Ok(FOLDER_MODE) {
                return Err(Problem::Unsupported("sparse (it holds folder entries)"));
            }
            // A path added with `git add -N` is not staged content: Git
            // leaves it out of `diff --cached` and of the commit.
            if !intent_to_add {
                index.entries.push(Entry {
                    path: (start, len32(index.paths.len())?),
                    id: fixed[40..60].try_into().map_err(|_| truncated)?,
                    mode,
                    stage,
                });
            }
        }
        // Extensions: a four-byte signature, a size, the data.
        while let Some(header) = body.get(at..at + 8) {
            let size = be32(&header[4..]) as usize;
            let data = body
                .get(at + 8..(at + 8).saturating_add(size))
                .ok_or(Problem::Damaged("an extension is cut short"))?;
            match &header[..4] {
                b"TREE" => read_cache_tree(data, &mut index.trees)
                    .ok_or(Problem::Damaged("its cache tree cannot be read"))?,
                b"link" => return Err(Problem::Unsupported("split (core.splitIndex)")),
                b"sdir" => return Err(Problem::Unsupported("sparse (index.sparse)")),
                // Extensions named in capitals may be ignored; others are
                // required to read the index right (Git refuses them too).
                [first, ..] if !first.is_ascii_uppercase() => {
                    return Err(Problem::Unsupported(
                        "written with an extension gitsm does not know",
                    ));
                }
                _ => {}
            }
            at += 8 + size;
        }
        Ok(index)
    }

    fn path(&self, e: &Entry) -> &[u8] {
        &self.paths[e.path.0 as usize..e.path.1 as usize]
    }

    /// Whether any path has unresolved conflict stages.
    pub fn has_conflicts(&self) -> bool {
        self.entries.iter().any(|e| e.stage != 0)
    }

    /// The blob id and file mode staged at `path` (`/`-separated, from the
    /// top of the work tree).
    pub fn get(&self, path: &[u8]) -> Option<(Oid, i32)> {
        let e = self.entries.get(self.first_at_or_after(path))?;
        (self.path(e) == path && e.stage == 0).then(|| self.id_mode(e))
    }

    fn id_mode(&self, e: &Entry) -> (Oid, i32) {
        (
            Oid::from_bytes(&e.id).unwrap_or(Oid::ZERO_SHA1),
            i32::try_from(e.mode).unwrap_or(0),
        )
    }

    /// Positions of the entries inside folder `dir` (at any depth); `dir`
    /// is `/`-separated without a trailing `/`, `""` for everything.
    pub fn under(&self, dir: &[u8]) -> Range<usize> {
        if dir.is_empty() {
            return 0..self.entries.len();
        }
        // Paths inside `dir/` sort after `dir/` and before `dir0` ('0'
        // follows '/').
        let bound = |last: u8| {
            let mut key = dir.to_vec();
            key.push(last);
            self.first_at_or_after(&key)
        };
        bound(b'/')..bound(b'0')
    }

    /// The position of the first entry whose path sorts at or after `key`.
    pub fn first_at_or_after(&self, key: &[u8]) -> usize {
        self.entries.partition_point(|e| self.path(e) < key)
    }

    /// The path, blob id and file mode of the entry at position `i`.
    pub fn entry(&self, i: usize) -> Option<(&[u8], Oid, i32)> {
        let e = self.entries.get(i)?;
        let (id, mode) = self.id_mode(e);
        Some((self.path(e), id, mode))
    }

    /// The end of the run of entries from `i` (within `range`) whose paths
    /// start with `prefix`.
    pub fn run_end(&self, range: Range<usize>, i: usize, prefix: &[u8]) -> usize {
        let slice = &self.entries[i.min(range.end)..range.end];
        i + slice.partition_point(|e| self.path(e).starts_with(prefix))
    }

    /// The tree id of folder `dir` as the cache tree holds it, when it is
    /// valid (nothing inside changed since it was written).
    pub fn cached_tree(&self, dir: &[u8]) -> Option<Oid> {
        self.trees.get(dir).copied()
    }
}

/// A reading problem, before the file's path is known.
#[derive(Debug, Clone, Copy)]
enum Problem {
    Damaged(&'static str),
    Unsupported(&'static str),
}

impl Problem {
    fn at(self, path: &Path) -> IndexError {
        let path = path.to_path_buf();
        match self {
            Problem::Damaged(what) => IndexError::Damaged { path, what },
            Problem::Unsupported(what) => IndexError::Unsupported { path, what },
        }
    }
}

fn be32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

fn len32(n: usize) -> Result<u32, Problem> {
    u32::try_from(n).map_err(|_| Problem::Unsupported("larger than 4 GB of paths"))
}

/// Git's variable-length integer of index version 4 (the offset encoding
/// of pack files): the value and the number of bytes it took.
fn varint(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut used = 0;
    let mut byte = *bytes.first()?;
    let mut value = usize::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        used += 1;
        byte = *bytes.get(used)?;
        value = value
            .checked_add(1)?
            .checked_mul(128)?
            .checked_add(usize::from(byte & 0x7f))?;
    }
    Some((value, used + 1))
}

/// The cache tree: for each folder, depth first from the root, its name,
/// `<entry count> <subtree count>\n`, and its tree id unless the count is
/// -1 (invalidated by a change inside).
fn read_cache_tree(data: &[u8], out: &mut HashMap<Vec<u8>, Oid>) -> Option<()> {
    let mut reader = CacheTree {
        data,
        at: 0,
        path: Vec::new(),
        budget: MAX_CACHED_PATH_BYTES,
        out,
    };
    if !data.is_empty() {
        reader.folder(0)?;
    }
    (reader.at == data.len()).then_some(())
}

/// Deeper than a path of 4,096 bytes can go; bounds the recursion.
const MAX_DEPTH: usize = 2048;
/// Folder paths longer than this are not remembered (only a lost shortcut).
const MAX_PATH: usize = 4096;
/// At most this many bytes of folder paths are remembered, so a crafted
/// cache tree (deep folders, each with many siblings) cannot exhaust memory.
const MAX_CACHED_PATH_BYTES: usize = 64 << 20;

struct CacheTree<'d, 'o> {
    data: &'d [u8],
    at: usize,
    /// The path of the folder being read.
    path: Vec<u8>,
    /// Bytes of paths that may still be remembered.
    budget: usize,
    out: &'o mut HashMap<Vec<u8>, Oid>,
}

impl<'d> CacheTree<'d, '_> {
    /// The bytes up to the next `end`, moving past it.
    fn field(&mut self, end: u8) -> Option<&'d [u8]> {
        let rest = self.data.get(self.at..)?;
        let len = memchr::memchr(end, rest)?;
        self.at += len + 1;
        Some(&rest[..len])
    }

    fn folder(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        let name = self.field(0)?;
        let entries: i64 = std::str::from_utf8(self.field(b' ')?).ok()?.parse().ok()?;
        let subtrees: usize = std::str::from_utf8(self.field(b'\n')?).ok()?.parse().ok()?;
        let parent = self.path.len();
        if depth > 1 {
            self.path.push(b'/');
        }
        self.path.extend_from_slice(name);
        if entries >= 0 {
            let id = Oid::from_bytes(self.data.get(self.at..self.at + 20)?).ok()?;
            self.at += 20;
            if self.path.len() <= MAX_PATH && self.path.len() <= self.budget {
                self.budget -= self.path.len();
                self.out.insert(self.path.clone(), id);
            }
        }
        for _ in 0..subtrees {
            self.folder(depth + 1)?;
        }
        self.path.truncate(parent);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::git_cli as git;

    /// A repository with files in nested folders, committed, and one more
    /// file staged.
    fn repo() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        git(root, &["init", "-q"], None);
        for (path, text) in [
            ("gitsm.yaml", "x\n"),
            ("incidents/INC-0001.yaml", "a\n"),
            ("incidents/INC-0002.yaml", "b\n"),
            ("problems/2025/PRB-0001.yaml", "c\n"),
            ("problems/2026/PRB-0002.yaml", "d\n"),
            (
                "a-very/long/path/name/to/test/prefix/compression.txt",
                "e\n",
            ),
        ] {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        git(root, &["add", "-A"], None);
        git(root, &["commit", "-q", "-m", "start"], None);
        std::fs::write(root.join("incidents/INC-0003.yaml"), "f\n").expect("write");
        git(root, &["add", "incidents/INC-0003.yaml"], None);
        let repo = Repository::open(root).expect("open");
        (dir, repo)
    }

    /// Every staged path and its id, as `git ls-files --stage` lists them.
    fn listed(repo: &Repository) -> Vec<(String, Oid)> {
        let root = repo.workdir().expect("work tree");
        git(root, &["ls-files", "--stage"], None)
            .lines()
            .map(|line| {
                let (meta, path) = line.split_once('\t').expect("tab");
                let id = meta.split(' ').nth(1).expect("id");
                (path.to_owned(), Oid::from_str(id).expect("oid"))
            })
            .collect()
    }

    #[test]
    fn versions_2_3_and_4_read_the_same_entries() {
        let (dir, repo) = repo();
        let expected = listed(&repo);
        // `add -N` writes version 3 (extended flags): the path is not
        // staged content, and is left out.
        std::fs::write(dir.path().join("incidents/INC-0004.yaml"), "g\n").expect("write");
        git(dir.path(), &["add", "-N", "incidents/INC-0004.yaml"], None);
        for version in ["2", "3", "4"] {
            if version != "3" {
                git(
                    dir.path(),
                    &["update-index", "--index-version", version],
                    None,
                );
            }
            let index = IndexFile::open(&repo).expect("reads");
            for (path, id) in &expected {
                assert_eq!(
                    index.get(path.as_bytes()).map(|(i, _)| i),
                    Some(*id),
                    "v{version} {path}"
                );
            }
            assert_eq!(index.get(b"incidents/INC-0004.yaml"), None, "v{version}");
            assert_eq!(index.get(b"incidents"), None);
            assert_eq!(index.under(b"incidents").len(), 3, "v{version}");
            assert_eq!(index.under(b"problems").len(), 2);
            assert_eq!(index.under(b"").len(), expected.len());
            assert!(!index.has_conflicts());
        }
    }

    /// Folders unchanged since the last commit carry HEAD's tree id; a
    /// folder with a staged change carries none.
    #[test]
    fn the_cache_tree_names_unchanged_folders() {
        let (dir, repo) = repo();
        let rev =
            |spec: &str| Oid::from_str(&git(dir.path(), &["rev-parse", spec], None)).expect("oid");
        let index = IndexFile::open(&repo).expect("reads");
        assert_eq!(index.cached_tree(b"incidents"), None);
        assert_eq!(index.cached_tree(b""), None);
        assert_eq!(index.cached_tree(b"problems"), Some(rev("HEAD:problems")));
        assert_eq!(
            index.cached_tree(b"problems/2026"),
            Some(rev("HEAD:problems/2026"))
        );
        assert_eq!(
            index.cached_tree(b"a-very/long/path"),
            Some(rev("HEAD:a-very/long/path"))
        );
        git(dir.path(), &["commit", "-q", "-m", "more"], None);
        let index = IndexFile::open(&repo).expect("reads");
        assert_eq!(index.cached_tree(b""), Some(rev("HEAD^{tree}")));
        assert_eq!(index.cached_tree(b"incidents"), Some(rev("HEAD:incidents")));
    }

    #[test]
    fn conflict_stages_are_seen() {
        let (dir, repo) = repo();
        let id = git(dir.path(), &["rev-parse", ":incidents/INC-0001.yaml"], None);
        let info = format!(
            "0 {z}\tincidents/INC-0001.yaml\n100644 {id} 1\tincidents/INC-0001.yaml\n100644 {id} 2\tincidents/INC-0001.yaml\n",
            z = "0".repeat(40)
        );
        git(dir.path(), &["update-index", "--index-info"], Some(&info));
        let index = IndexFile::open(&repo).expect("reads");
        assert!(index.has_conflicts());
        assert_eq!(index.get(b"incidents/INC-0001.yaml"), None);
    }

    #[test]
    fn a_missing_index_is_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        git(dir.path(), &["init", "-q"], None);
        let repo = Repository::open(dir.path()).expect("open");
        let index = IndexFile::open(&repo).expect("reads");
        assert_eq!(index.under(b"").len(), 0);
    }

    #[test]
    fn damaged_and_split_indexes_are_refused_with_a_hint() {
        let (dir, repo) = repo();
        let path = repo.path().join("index");
        let bytes = std::fs::read(&path).expect("index");
        // Cut inside the entries; a wrong signature; garbage.
        for damaged in [
            &bytes[..bytes.len() / 2],
            b"DIRX\0\0\0\x02",
            &[0xff; 64][..],
        ] {
            std::fs::write(&path, damaged).expect("write");
            let e = IndexFile::open(&repo).expect_err("refused");
            assert!(matches!(e, IndexError::Damaged { .. }), "{e}");
            assert!(e.hint().is_some_and(|h| h.contains("git reset")));
        }
        std::fs::write(&path, &bytes).expect("restore");
        git(dir.path(), &["update-index", "--split-index"], None);
        let e = IndexFile::open(&repo).expect_err("refused");
        assert!(e.to_string().contains("split"), "{e}");
        assert!(e.hint().is_some_and(|h| h.contains("--no-split-index")));
    }

    /// Bytes changed or cut anywhere give an error or a read, never a
    /// panic (versions 2 and 4; the trailing checksum is not verified).
    #[test]
    fn damage_anywhere_never_panics() {
        let (dir, repo) = repo();
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) as usize % n
        };
        for version in ["2", "4"] {
            git(
                dir.path(),
                &["update-index", "--index-version", version],
                None,
            );
            let bytes = std::fs::read(repo.path().join("index")).expect("index");
            for cut in 0..bytes.len() {
                let _ = IndexFile::parse(&bytes[..cut]);
            }
            for _ in 0..3000 {
                let mut damaged = bytes.clone();
                for _ in 0..1 + next(3) {
                    let at = next(damaged.len());
                    damaged[at] = next(256) as u8;
                }
                let _ = IndexFile::parse(&damaged);
            }
        }
    }

    /// An extension not named in capitals is required to read the index
    /// right: one gitsm does not know is refused, as Git refuses it.
    #[test]
    fn an_unknown_required_extension_is_refused() {
        let (_dir, repo) = repo();
        let bytes = std::fs::read(repo.path().join("index")).expect("index");
        let (body, checksum) = bytes.split_at(bytes.len() - 20);
        let mut with = body.to_vec();
        with.extend_from_slice(b"abcd\0\0\0\0");
        with.extend_from_slice(checksum);
        assert!(matches!(
            IndexFile::parse(&with),
            Err(Problem::Unsupported(_))
        ));
        let mut optional = body.to_vec();
        optional.extend_from_slice(b"ABCD\0\0\0\0");
        optional.extend_from_slice(checksum);
        assert!(IndexFile::parse(&optional).is_ok());
    }
}
