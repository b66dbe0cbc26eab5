//! Git tree objects read as raw bytes, for walks over many commits and for
//! lookups in very large folders.
//!
//! libgit2 parses a tree into a list of entries on every read and caches no
//! tree over 4 KB, so a folder of 100,000 files (a 4 MB tree) costs a full
//! read and parse for each lookup in it. [`TreeCache`] keeps the raw bytes
//! of the trees a walk step used for the next step (a commit's trees are its
//! child's parent trees), splits them into entries only as far as needed,
//! and finds a name by binary search.

use std::cell::OnceCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::rc::Rc;

use git2::{ObjectType, Odb, Oid, Repository};

/// Git's file mode for a folder (a tree; in a sparse index, a folder entry).
pub const FOLDER_MODE: i32 = 0o040_000;
/// Git's file mode for a submodule (a commit, not a file).
pub const SUBMODULE_MODE: i32 = 0o160_000;

/// Tree objects as raw bytes, for walks over many commits. A commit's trees
/// are its child's parent trees, so a tree used in one step of a walk is
/// kept for the next: each version of a folder is read (inflated) once, and
/// never parsed into libgit2's entry lists (a 100,000-file folder is a
/// 4 MB tree, and libgit2 caches no tree over 4 KB).
pub struct TreeCache<'r> {
    odb: Odb<'r>,
    current: HashMap<Oid, Rc<RawTree>>,
    previous: HashMap<Oid, Rc<RawTree>>,
    /// The first object that could not be read at all (missing or
    /// damaged): a walk that met one has not seen everything.
    missing: Option<Oid>,
}

/// A tree object's bytes and where each entry starts.
pub struct RawTree {
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

    pub fn entry_count(&self) -> usize {
        self.starts().len() - 1
    }

    pub fn entry(&self, i: usize) -> RawEntry<'_> {
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

    pub fn entries(&self) -> impl Iterator<Item = RawEntry<'_>> {
        (0..self.entry_count()).map(|i| self.entry(i))
    }

    /// The entry named `name` (a file or a folder), by binary search.
    pub fn find(&self, name: &[u8]) -> Option<RawEntry<'_>> {
        [false, true].into_iter().find_map(|folder| {
            let (mut low, mut high) = (0, self.entry_count());
            while low < high {
                let mid = low + (high - low) / 2;
                match self.entry(mid).order_key(name, folder) {
                    Ordering::Less => low = mid + 1,
                    Ordering::Greater => high = mid,
                    Ordering::Equal => return Some(self.entry(mid)),
                }
            }
            None
        })
    }

    /// The entries that may differ between `a` and `b`, as index ranges.
    /// The common leading and trailing bytes (found by `memcmp`) hold the
    /// same entries on both sides and are skipped unread; only the middle
    /// of `b` is split into entries, and `b`'s entry starts are filled in
    /// from `a`'s.
    pub fn differing(a: &RawTree, b: &RawTree) -> (Range<usize>, Range<usize>) {
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
            missing: None,
        })
    }

    /// The next step of a walk: trees used neither in the step that ends
    /// nor in the one before are dropped.
    pub fn step(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }

    /// The id and file mode at `path` below the tree `root`.
    pub fn entry_at(&mut self, root: Option<Oid>, path: &Path) -> Option<(Oid, i32)> {
        let mut tree = self.read(root)?;
        let mut parts = path.iter().peekable();
        while let Some(part) = parts.next() {
            let name = part.to_str()?.as_bytes();
            let (id, mode, folder) = {
                let e = tree.find(name)?;
                (e.id(), e.mode(), e.is_tree())
            };
            if parts.peek().is_none() {
                return Some((id, mode));
            }
            if !folder {
                return None;
            }
            tree = self.read(Some(id))?;
        }
        None
    }

    /// The first tree that could not be read since this cache was made
    /// (the object is missing or damaged).
    pub fn missing(&self) -> Option<Oid> {
        self.missing
    }

    /// The tree `id` (`None` when there is none, it is not a tree, or it
    /// cannot be read; see [`TreeCache::missing`]).
    pub fn read(&mut self, id: Option<Oid>) -> Option<Rc<RawTree>> {
        let id = id?;
        if let Some(tree) = self.current.get(&id) {
            return Some(Rc::clone(tree));
        }
        let tree = match self.previous.remove(&id) {
            Some(tree) => tree,
            None => {
                let Ok(object) = self.odb.read(id) else {
                    self.missing.get_or_insert(id);
                    return None;
                };
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

/// One entry of a raw tree object: `<mode> <name>\0<20-byte id>`.
pub struct RawEntry<'t> {
    mode: &'t [u8],
    pub name: &'t [u8],
    id: &'t [u8],
    /// The whole entry: two entries with equal bytes are the same file.
    pub bytes: &'t [u8],
}

impl RawEntry<'_> {
    pub fn is_tree(&self) -> bool {
        // Old tools wrote the zero-padded form (`git fsck`: zeroPaddedFilemode).
        self.mode == b"40000" || self.mode == b"040000"
    }

    /// A file (regular, executable or symbolic link), not a folder or a
    /// submodule.
    pub fn is_blob(&self) -> bool {
        !self.is_tree() && self.mode != b"160000"
    }

    /// The file mode (`0o100644`, `0o40000`, ...; 0 when unreadable).
    /// The file mode as Git reads it: a regular file is `0o100644` or
    /// (owner may execute) `0o100755`, whatever permissions old tools wrote
    /// (`100664`); 0 when unreadable.
    pub fn mode(&self) -> i32 {
        let mode = std::str::from_utf8(self.mode)
            .ok()
            .and_then(|m| i32::from_str_radix(m, 8).ok())
            .unwrap_or(0);
        match mode & 0o170_000 {
            0o100_000 if mode & 0o100 != 0 => 0o100_755,
            0o100_000 => 0o100_644,
            kind => kind,
        }
    }

    /// How this entry sorts against an entry named `name` (a folder when
    /// `folder`), in Git's order.
    pub fn order_key(&self, name: &[u8], folder: bool) -> Ordering {
        let slash = |f: bool| f.then_some(b'/');
        let mine = self.name.iter().copied().chain(slash(self.is_tree()));
        mine.cmp(name.iter().copied().chain(slash(folder)))
    }

    pub fn id(&self) -> Oid {
        Oid::from_bytes(self.id).unwrap_or(Oid::ZERO_SHA1)
    }

    /// Git's entry order: by name bytes, a tree's name compared as if it
    /// ended in `/`.
    pub fn order(&self, other: &RawEntry<'_>) -> Ordering {
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use git2::Repository;

    use super::*;

    /// Lookups by path find files and folders in Git's order, where a
    /// folder sorts as if its name ended in `/` (`a.b` < `a/` < `a0`).
    #[test]
    fn entry_at_finds_files_and_folders_by_binary_search() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("init");
        let blob = |text: &str| repo.blob(text.as_bytes()).expect("blob");
        let mut inner = repo.treebuilder(None).expect("builder");
        inner
            .insert("INC-7.yaml", blob("seven"), 0o100_644)
            .expect("insert");
        let inner = inner.write().expect("tree");
        let mut root = repo.treebuilder(None).expect("builder");
        for (i, name) in ["a.b", "a0", "b", "INC-1.yaml", "z"].iter().enumerate() {
            root.insert(name, blob(&i.to_string()), 0o100_644)
                .expect("insert");
        }
        root.insert("a", inner, 0o040_000).expect("insert");
        root.insert("run.sh", blob("x"), 0o100_755).expect("insert");
        let root = Some(root.write().expect("tree"));
        let mut trees = TreeCache::new(&repo).expect("odb");
        for (i, name) in ["a.b", "a0", "b", "INC-1.yaml", "z"].iter().enumerate() {
            let found = trees.entry_at(root, Path::new(name));
            assert_eq!(found, Some((blob(&i.to_string()), 0o100_644)), "{name}");
        }
        assert_eq!(
            trees.entry_at(root, Path::new("a")),
            Some((inner, 0o040_000))
        );
        assert_eq!(
            trees.entry_at(root, Path::new("a/INC-7.yaml")),
            Some((blob("seven"), 0o100_644))
        );
        assert_eq!(
            trees.entry_at(root, Path::new("run.sh")).map(|e| e.1),
            Some(0o100_755)
        );
        for missing in ["a/INC-8.yaml", "a1", "INC-1.yaml/x", "", "c"] {
            assert_eq!(trees.entry_at(root, Path::new(missing)), None, "{missing}");
        }
    }

    /// Modes are read as Git canonicalises them: `100664` (written by old
    /// tools) is a plain file, any owner execute bit an executable one.
    #[test]
    fn modes_are_canonical() {
        let entry = |mode: &str| {
            let mut bytes = format!("{mode} f\0").into_bytes();
            bytes.extend_from_slice(&[7; 20]);
            RawTree::new(bytes).entry(0).mode()
        };
        assert_eq!(entry("100644"), 0o100_644);
        assert_eq!(entry("100664"), 0o100_644);
        assert_eq!(entry("100744"), 0o100_755);
        assert_eq!(entry("100755"), 0o100_755);
        assert_eq!(entry("120000"), 0o120_000);
        assert_eq!(entry("40000"), 0o040_000);
        assert_eq!(entry("160000"), 0o160_000);
        assert_eq!(entry("junk"), 0);
    }
}
