//! The stat data of the index's rows as one flat file next to it
//! (`index.sqlite.stat`), read in one go: bringing the index up to date
//! then costs what Git's own status costs (one read of its index file,
//! one `lstat` per file), not a walk of 100,000 SQLite rows into a hash
//! map.
//!
//! It is derived from the database and never trusted beyond it: it names
//! the `stamp` the database drew when its rows last changed (a random
//! number, so an index deleted and built again never matches an old
//! file), and a checksum over its bytes. A file of another stamp (a run
//! that stopped between the two writes) is rebuilt from the database
//! silently; a damaged one (bad magic, format or checksum, truncated) is
//! rebuilt with a note. Entries are kept in the order the scan lists the
//! files, so that comparing the two is a walk, not a look-up per file.
//!
//! After the files come the folders the scan listed, each with its own
//! stat data (row number 0): a folder whose stat data are as recorded
//! holds the entries it held, which the scan then takes from here instead
//! of listing it again (Git's "untracked cache" does the same).

use std::path::{Path, PathBuf};

use super::refresh::Stat;

const MAGIC: &[u8; 8] = b"gitsmst\n";
/// Magic, format, stamp, entry count, checksum.
const HEADER: usize = 8 + 8 + 8 + 8 + 8;
/// n, mtime, ctime, size, ino and the path's length.
const FIXED: usize = 5 * 8 + 4;

/// The stat data of every row, by path, in the order it was written:
/// the entries as the file holds them, one after the other, and where
/// each starts (nothing is decoded until asked for); then the folders.
#[derive(Default)]
pub(super) struct StatCache {
    bytes: Vec<u8>,
    /// Where each entry starts in [`StatCache::bytes`].
    starts: Vec<usize>,
    /// How many of the entries are files (the folders follow them).
    files: usize,
    /// Where the entries start (after the header, in a file read whole).
    body: usize,
}

/// What reading the file found.
pub(super) enum Read {
    /// Up to date with the database's rows.
    Fresh(StatCache),
    /// Absent, or of another stamp: rebuilt without a word.
    Stale,
    /// Damaged: rebuilt, and why is said.
    Damaged(String),
}

impl Read {
    /// Why the file could not be trusted, when it is damaged.
    pub(super) fn damaged(&self) -> Option<&str> {
        match self {
            Read::Damaged(why) => Some(why),
            _ => None,
        }
    }
}

impl StatCache {
    /// An empty cache to [`StatCache::push`] entries onto.
    pub(super) fn with_capacity(entries: usize) -> StatCache {
        StatCache {
            bytes: Vec::with_capacity(entries * (FIXED + 32)),
            starts: Vec::with_capacity(entries),
            files: 0,
            body: 0,
        }
    }

    /// A file of row `n` (never 0), before any folder is pushed.
    pub(super) fn push(&mut self, path: &[u8], n: i64, stat: Stat) {
        debug_assert!(n != 0 && self.files == self.starts.len());
        self.entry(path, n, stat);
        self.files = self.starts.len();
    }

    /// A folder (its path with a trailing `/`), after the files.
    pub(super) fn push_folder(&mut self, path: &[u8], stat: Stat) {
        self.entry(path, 0, stat);
    }

    fn entry(&mut self, path: &[u8], n: i64, stat: Stat) {
        // A path longer than 4 GiB is no record's: such an entry is left
        // out, and its file read again.
        let Ok(len) = u32::try_from(path.len()) else {
            return;
        };
        self.starts.push(self.bytes.len());
        for word in [n, stat.mtime, stat.ctime, stat.size, stat.ino] {
            self.bytes.extend_from_slice(&word.to_le_bytes());
        }
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(path);
    }

    /// How many files.
    pub(super) fn len(&self) -> usize {
        self.files
    }

    /// The folders, with their stat data.
    pub(super) fn folders(&self) -> impl Iterator<Item = (&[u8], Stat)> {
        (self.files..self.starts.len()).map(|i| {
            let (path, _, stat) = self.get(i);
            (path, stat)
        })
    }

    /// The path (its bytes as the scan gives them), row number and stat
    /// data of file `i` (of folder `i - len()` past them).
    pub(super) fn get(&self, i: usize) -> (&[u8], i64, Stat) {
        let at = self.starts[i];
        let word = |k: usize| {
            let mut w = [0; 8];
            w.copy_from_slice(&self.bytes[at + 8 * k..at + 8 * k + 8]);
            i64::from_le_bytes(w)
        };
        let mut len = [0; 4];
        len.copy_from_slice(&self.bytes[at + 40..at + FIXED]);
        let len = u32::from_le_bytes(len) as usize;
        (
            &self.bytes[at + FIXED..at + FIXED + len],
            word(0),
            Stat {
                mtime: word(1),
                ctime: word(2),
                size: word(3),
                ino: word(4),
            },
        )
    }

    /// The file for the database at `index`.
    pub(super) fn location(index: &Path) -> PathBuf {
        super::beside(index, ".stat")
    }

    /// The cache at `path`, if it is of `stamp` and whole.
    pub(super) fn read(path: &Path, stamp: i64) -> Read {
        let read = |path: &Path| {
            let mut bytes = Vec::new();
            let mut file = crate::write::open_own(path, std::fs::OpenOptions::new().read(true))?;
            std::io::Read::read_to_end(&mut file, &mut bytes).map(|_| bytes)
        };
        let bytes = match read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Read::Stale,
            Err(e) => return Read::Damaged(format!("it cannot be read: {e}")),
        };
        let word = |at: usize| -> Option<i64> {
            Some(i64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
        };
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Read::Damaged("it is not a stat cache".into());
        }
        let (Some(format), Some(its_stamp), Some(count), Some(sum)) =
            (word(8), word(16), word(24), word(32))
        else {
            return Read::Damaged("it is truncated".into());
        };
        if format != super::schema::FORMAT {
            return Read::Damaged(format!(
                "it is of format {format}, not {}",
                super::schema::FORMAT
            ));
        }
        if checksum(&bytes[HEADER..]) != sum {
            return Read::Damaged("its checksum does not match its content".into());
        }
        if its_stamp != stamp {
            return Read::Stale;
        }
        let Ok(count) = usize::try_from(count) else {
            return Read::Damaged("it is truncated".into());
        };
        // Where each entry starts, every length checked against the file.
        let mut starts = Vec::with_capacity(count.min(bytes.len() / FIXED));
        let mut files = 0;
        let mut at = HEADER;
        for _ in 0..count {
            let Some(len) = bytes
                .get(at + 40..at + FIXED)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
            else {
                return Read::Damaged("it is truncated".into());
            };
            let end = at + FIXED + len as usize;
            if bytes.len() < end {
                return Read::Damaged("it is truncated".into());
            }
            // Row numbers are never 0, which marks a folder: files first.
            let folder = bytes[at..at + 8] == [0; 8];
            if !folder && files < starts.len() {
                return Read::Damaged("it has a file after its folders".into());
            }
            starts.push(at);
            if !folder {
                files = starts.len();
            }
            at = end;
        }
        if at != bytes.len() {
            return Read::Damaged("it has bytes after its last entry".into());
        }
        Read::Fresh(StatCache {
            bytes,
            starts,
            files,
            body: HEADER,
        })
    }

    /// Write the cache for `stamp` to `path`, whole or not at all
    /// ([`crate::write::atomic_with`]).
    pub(super) fn write(&self, path: &Path, stamp: i64) -> std::io::Result<()> {
        let body = &self.bytes[self.body..];
        let count = i64::try_from(self.starts.len()).map_err(std::io::Error::other)?;
        crate::write::atomic_with(path, |file| {
            file.write_all(MAGIC)?;
            for word in [super::schema::FORMAT, stamp, count, checksum(body)] {
                file.write_all(&word.to_le_bytes())?;
            }
            file.write_all(body)
        })
    }
}

/// A checksum of `bytes`, eight at a time (a damaged file, not a forged
/// one, is what it catches: the database is as open to a forger).
fn checksum(bytes: &[u8]) -> i64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let w = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        h = (h ^ w).wrapping_mul(K).rotate_left(29);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(29);
    }
    h.cast_signed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(x: i64) -> Stat {
        Stat {
            mtime: x,
            ctime: x + 1,
            size: x + 2,
            ino: x + 3,
        }
    }

    #[test]
    fn what_is_written_reads_back_and_nothing_else_does() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("index.sqlite.stat");
        let mut cache = StatCache::with_capacity(2);
        cache.push(b"incidents/INC-0001.yaml", 1, stat(10));
        cache.push(b"cis/caf\xc3\xa9.yaml", 7, stat(20));
        cache.push_folder(b"cis/", stat(30));
        cache.write(&path, 42).expect("write");

        let Read::Fresh(back) = StatCache::read(&path, 42) else {
            panic!("not read back")
        };
        assert_eq!(back.len(), 2);
        assert_eq!(back.get(0), (&b"incidents/INC-0001.yaml"[..], 1, stat(10)));
        assert_eq!(back.get(1), (&b"cis/caf\xc3\xa9.yaml"[..], 7, stat(20)));
        assert_eq!(
            back.folders().collect::<Vec<_>>(),
            [(&b"cis/"[..], stat(30))]
        );

        // Another stamp: the database changed since; not a damage.
        assert!(matches!(StatCache::read(&path, 43), Read::Stale));
        assert!(matches!(
            StatCache::read(&dir.path().join("absent"), 42),
            Read::Stale
        ));

        let whole = std::fs::read(&path).expect("read");
        for cut in [0, 7, HEADER - 1, HEADER + 3, whole.len() - 1] {
            std::fs::write(&path, &whole[..cut]).expect("truncate");
            assert!(
                matches!(StatCache::read(&path, 42), Read::Damaged(_)),
                "cut at {cut} is trusted"
            );
        }
        // One byte flipped in a stat field.
        let mut flipped = whole.clone();
        flipped[HEADER + 9] ^= 1;
        std::fs::write(&path, &flipped).expect("flip");
        assert!(matches!(StatCache::read(&path, 42), Read::Damaged(_)));
        // Bytes appended after the last entry (checksum recomputed by a
        // writer that is not this one would still be caught by it).
        let mut longer = whole;
        longer.push(0);
        std::fs::write(&path, &longer).expect("append");
        assert!(matches!(StatCache::read(&path, 42), Read::Damaged(_)));
    }
}
