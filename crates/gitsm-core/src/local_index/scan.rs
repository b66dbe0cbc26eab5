//! The work tree as the index compares it: every record file's path and
//! what `lstat` says of it, at the cost of Git's own status.
//!
//! Each folder is opened once and listed into one buffer of names; each
//! file is then `lstat`ed by name relative to its open folder (one path
//! component for the kernel to look up, as with Git's `lstat` from the top
//! of the work tree), in parallel. Nothing is allocated per file: the paths
//! are the folder's path and a name in that buffer, and a `PathBuf` is
//! made only for the files the index reads again. Which entries are record
//! files is [`records::listed_as`], the loader's own rule.
//!
//! A folder whose stat data are those the stat cache recorded (and were
//! not racily clean then) holds what it held: adding, removing or renaming
//! an entry changes its times. Its entries are then taken from the cache,
//! not listed again — Git's "untracked cache" does the same. Its files
//! are `lstat`ed all the same.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::kind::Kind;
use crate::records::{self, Listed};
use crate::workspace::Workspace;

use super::refresh::Stat;
use super::stat_cache::StatCache;

/// Every record file of the work tree, in the order the loader lists
/// them (by kind, then name bytes, a year folder's files where its name
/// sorts), with its stat data.
pub(super) struct Scan {
    folders: Vec<Folder>,
    files: Vec<File>,
    /// The names of every file, one after the other.
    names: Vec<u8>,
    /// What `lstat` said of each file (`None`: gone since it was listed).
    pub(super) stats: Vec<Option<Stat>>,
}

/// A folder holding record files: its kind and root-relative path, with
/// a trailing `/`, and what `fstat` said of it before it was listed.
struct Folder {
    kind: Kind,
    path: Vec<u8>,
    stat: Stat,
}

/// A record file: its folder and where its name is in [`Scan::names`].
#[derive(Clone, Copy)]
struct File {
    folder: u32,
    start: u32,
    len: u32,
}

impl Scan {
    /// List and `lstat` every record file of `ws`. A folder that cannot
    /// be opened or listed, or a file `lstat` fails on (other than by
    /// being gone), is an error: its files are not taken for deleted.
    /// The entries of a folder whose stat data are as `known` recorded
    /// them are taken from it, with `folder_cache`; without, every folder
    /// is listed.
    pub(super) fn of(
        ws: &Workspace,
        known: &StatCache,
        folder_cache: bool,
    ) -> std::io::Result<Scan> {
        let mut listing = Listing {
            known: Known::of(known, folder_cache),
            ..Listing::default()
        };
        for kind in Kind::ALL {
            let dir = Path::new(kind.folder());
            if let Ok(true) = crate::confined::is_dir(&ws.root, dir) {
                let handle = os::open(&ws.root.join(dir))
                    .map_err(at(dir.as_os_str().as_encoded_bytes(), b""))?;
                listing.folder(kind, dir, &handle, true)?;
            }
        }
        let Listing {
            folders,
            handles,
            files,
            names,
            ..
        } = listing;
        let stats = files
            .par_iter()
            .map(|f| {
                let name = &names[f.start as usize..(f.start + f.len) as usize];
                os::stat(&handles[f.folder as usize], name)
                    .map_err(at(&folders[f.folder as usize].path, name))
            })
            .collect::<std::io::Result<_>>()?;
        Ok(Scan {
            folders,
            files,
            names,
            stats,
        })
    }

    pub(super) fn len(&self) -> usize {
        self.files.len()
    }

    /// Each folder listed (or taken from the cache): its path, with a
    /// trailing `/`, and its stat data.
    pub(super) fn folders(&self) -> impl Iterator<Item = (&[u8], Stat)> {
        self.folders.iter().map(|f| (&f.path[..], f.stat))
    }

    /// The kind of file `i`, its folder's path (with a trailing `/`) and
    /// its name, as bytes.
    pub(super) fn get(&self, i: usize) -> (Kind, &[u8], &[u8]) {
        let f = self.files[i];
        let folder = &self.folders[f.folder as usize];
        (
            folder.kind,
            &folder.path,
            &self.names[f.start as usize..(f.start + f.len) as usize],
        )
    }

    /// Whether file `i` is at the root-relative `path` (its bytes).
    pub(super) fn is_at(&self, i: usize, path: &[u8]) -> bool {
        let (_, folder, name) = self.get(i);
        path.len() == folder.len() + name.len() && path.starts_with(folder) && path.ends_with(name)
    }

    /// The root-relative path of file `i`, as bytes.
    pub(super) fn path_bytes(&self, i: usize, into: &mut Vec<u8>) {
        let (_, folder, name) = self.get(i);
        into.clear();
        into.extend_from_slice(folder);
        into.extend_from_slice(name);
    }

    /// The root-relative path of file `i`.
    pub(super) fn path(&self, i: usize) -> PathBuf {
        let (_, folder, name) = self.get(i);
        Path::new(os::os_str(folder)).join(os::os_str(name))
    }
}

/// An error at the folder `folder` (root-relative, as bytes) or its entry
/// `name`, saying where.
fn at<'a>(folder: &'a [u8], name: &'a [u8]) -> impl Fn(std::io::Error) -> std::io::Error + 'a {
    move |e| {
        let path = Path::new(os::os_str(folder)).join(os::os_str(name));
        std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
    }
}

/// A folder opened once, never through a symlink, whose files are
/// `lstat`ed by name relative to it, as the scan does the record files:
/// for a caller that looks at many files of a few folders (the site, at
/// the pages its previous build left standing).
pub struct OpenFolder(os::Handle);

impl OpenFolder {
    /// Open the folder at `path` (an error when it is a symlink, on
    /// Linux, or not a folder).
    pub fn open(path: &Path) -> std::io::Result<OpenFolder> {
        os::open(path).map(OpenFolder)
    }

    /// Open the file `name` in it for reading, never through a symlink
    /// (on Linux, by name relative to the open folder, in one call).
    pub fn open_file(&self, name: &str) -> std::io::Result<std::fs::File> {
        os::open_file(&self.0, name.as_bytes())
    }

    /// The stamp of the regular file `name` in it; `None` for anything
    /// else (a symlink, a folder), when it is missing, or when it cannot
    /// be looked at.
    pub fn file(&self, name: &str) -> Option<FileStamp> {
        match os::lstat(&self.0, name.as_bytes()) {
            Ok(Some((stat, true))) => FileStamp::from_stat(stat),
            _ => None,
        }
    }
}

/// What tells a file from another and from its own past: its size, its
/// modification and change times (nanoseconds since 1970) and its inode.
/// Anyone who can write the file can put its size and modification time
/// back; the change time moves with any change and cannot be set, and a
/// file put in its place (a hard link, a copy) has another inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    pub size: u64,
    pub mtime: i64,
    pub ctime: i64,
    pub ino: i64,
}

impl FileStamp {
    /// The stamp of a file already open, from its metadata (a regular
    /// file's only; outside Unix, no inode).
    pub fn of(meta: &std::fs::Metadata) -> Option<FileStamp> {
        meta.is_file()
            .then(|| Stat::of(meta))
            .and_then(FileStamp::from_stat)
    }

    fn from_stat(stat: Stat) -> Option<FileStamp> {
        Some(FileStamp {
            size: u64::try_from(stat.size).ok()?,
            mtime: stat.mtime,
            ctime: stat.ctime,
            ino: stat.ino,
        })
    }
}

/// What the listing has found so far.
#[derive(Default)]
struct Listing<'a> {
    known: Known<'a>,
    folders: Vec<Folder>,
    /// Each folder's open handle, by the same index.
    handles: Vec<os::Handle>,
    files: Vec<File>,
    names: Vec<u8>,
}

/// Byte strings to `T`.
type ByPath<'a, T> = HashMap<&'a [u8], T, foldhash::fast::RandomState>;

/// The folders of the stat cache, and (made when first needed) the names
/// of its files by folder.
#[derive(Default)]
struct Known<'a> {
    cache: Option<&'a StatCache>,
    folders: ByPath<'a, Stat>,
    by_folder: Option<ByPath<'a, Vec<&'a [u8]>>>,
}

impl<'a> Known<'a> {
    /// The folders of `cache`, trusted with `folder_cache` (else none is:
    /// every folder is listed).
    fn of(cache: &'a StatCache, folder_cache: bool) -> Known<'a> {
        if !folder_cache {
            return Known::default();
        }
        Known {
            cache: Some(cache),
            folders: cache.folders().collect(),
            by_folder: None,
        }
    }

    /// The entries of the folder at `path` (with a trailing `/`) as the
    /// cache has them, if its stat data `stat` are as recorded: its files
    /// and its year folders. An entry marked racily clean (`mtime` 0)
    /// never matches.
    fn entries(&mut self, path: &[u8], stat: &Stat) -> Option<Entries> {
        let cache = self.cache?;
        let recorded = self.folders.get(path)?;
        if recorded != stat || recorded.mtime == 0 {
            return None;
        }
        let by_folder = self.by_folder.get_or_insert_with(|| {
            let mut by: ByPath<'a, Vec<&'a [u8]>> = HashMap::default();
            for i in 0..cache.len() {
                let file = cache.get(i).0;
                let cut = file.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
                by.entry(&file[..cut]).or_default().push(&file[cut..]);
            }
            by
        });
        let mut entries = Entries::default();
        for name in by_folder.get(path).into_iter().flatten() {
            entries.push(name, false, false);
        }
        for folder in self.folders.keys() {
            if let Some(name) = folder
                .strip_prefix(path)
                .and_then(|rest| rest.strip_suffix(b"/"))
                .filter(|name| !name.is_empty() && !name.contains(&b'/'))
            {
                entries.push(name, false, true);
            }
        }
        Some(entries)
    }
}

impl Listing<'_> {
    /// The record files of the open folder `dir` (root-relative) in name
    /// order; with `years`, also those of its year folders, each where its
    /// name sorts. A folder that cannot be listed is an error (the index
    /// is not to take its files for deleted).
    fn folder(
        &mut self,
        kind: Kind,
        dir: &Path,
        handle: &os::Handle,
        years: bool,
    ) -> std::io::Result<()> {
        let dir_bytes = dir.as_os_str().as_encoded_bytes();
        let mut path = dir_bytes.to_vec();
        path.push(b'/');
        // Its stat data before it is listed: an entry added or removed
        // after this changes them, and the next run lists it again.
        let stat = os::stat_folder(handle).map_err(at(dir_bytes, b""))?;
        let mut listed = match self.known.entries(&path, &stat) {
            Some(entries) => entries,
            None => os::list(handle).map_err(at(dir_bytes, b""))?,
        };
        let Ok(at_folder) = u32::try_from(self.folders.len()) else {
            return Ok(());
        };
        self.folders.push(Folder { kind, path, stat });
        self.handles.push(handle.clone());
        listed.sort();
        for (name, is_symlink, is_dir) in listed.entries() {
            let text = String::from_utf8_lossy(name);
            match records::listed_as(kind, &text, is_symlink, is_dir, years) {
                Listed::Record => {
                    let (Ok(start), Ok(len)) =
                        (u32::try_from(self.names.len()), u32::try_from(name.len()))
                    else {
                        continue;
                    };
                    self.names.extend_from_slice(name);
                    self.files.push(File {
                        folder: at_folder,
                        start,
                        len,
                    });
                }
                Listed::Year => {
                    // Joined with `/` as `path` is (the cache's folders
                    // are looked up so), whatever the platform's separator.
                    let mut rel = dir_bytes.to_vec();
                    rel.push(b'/');
                    rel.extend_from_slice(name);
                    let rel = Path::new(os::os_str(&rel));
                    let year = os::open_in(handle, name).map_err(at(dir_bytes, name))?;
                    self.folder(kind, rel, &year, false)?;
                }
                Listed::Skipped(_) => {}
            }
        }
        Ok(())
    }
}

/// A folder's entries: names one after the other, with whether each is a
/// symlink or a folder.
#[derive(Default)]
struct Entries {
    names: Vec<u8>,
    /// Start and length of each name, and its type.
    entries: Vec<(u32, u32, bool, bool)>,
}

impl Entries {
    fn push(&mut self, name: &[u8], is_symlink: bool, is_dir: bool) {
        if let (Ok(start), Ok(len)) = (u32::try_from(self.names.len()), u32::try_from(name.len())) {
            self.names.extend_from_slice(name);
            self.entries.push((start, len, is_symlink, is_dir));
        }
    }

    fn name(&self, start: u32, len: u32) -> &[u8] {
        &self.names[start as usize..(start + len) as usize]
    }

    /// In the order of their names' bytes.
    fn sort(&mut self) {
        let names = &self.names;
        self.entries.sort_unstable_by(|a, b| {
            names[a.0 as usize..(a.0 + a.1) as usize]
                .cmp(&names[b.0 as usize..(b.0 + b.1) as usize])
        });
    }

    fn entries(&self) -> impl Iterator<Item = (&[u8], bool, bool)> {
        self.entries
            .iter()
            .map(|&(start, len, l, d)| (self.name(start, len), l, d))
    }
}

/// Folders opened once, their entries listed (`getdents` into one
/// buffer) and `lstat`ed by name relative to the open folder (`openat`,
/// `statx`), through rustix.
#[cfg(target_os = "linux")]
mod os {
    use std::ffi::OsStr;
    use std::mem::MaybeUninit;
    use std::os::fd::OwnedFd;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;
    use std::sync::Arc;

    use std::io;

    use rustix::fs::{AtFlags, FileType, Mode, OFlags, RawDir, StatxFlags};
    use rustix::io::Errno;

    use super::{Entries, Stat};

    pub(super) type Handle = Arc<OwnedFd>;

    const DIR: OFlags = OFlags::RDONLY
        .union(OFlags::DIRECTORY)
        .union(OFlags::NOFOLLOW)
        .union(OFlags::CLOEXEC);

    pub(super) fn os_str(bytes: &[u8]) -> &OsStr {
        OsStr::from_bytes(bytes)
    }

    pub(super) fn open(path: &Path) -> io::Result<Handle> {
        Ok(Arc::new(rustix::fs::open(path, DIR, Mode::empty())?))
    }

    pub(super) fn open_in(dir: &Handle, name: &[u8]) -> io::Result<Handle> {
        Ok(Arc::new(rustix::fs::openat(
            dir.as_ref(),
            name,
            DIR,
            Mode::empty(),
        )?))
    }

    pub(super) fn open_file(dir: &Handle, name: &[u8]) -> io::Result<std::fs::File> {
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(dir.as_ref(), name, flags, Mode::empty())?;
        Ok(std::fs::File::from(fd))
    }

    /// Its entries; an error if any cannot be listed.
    pub(super) fn list(dir: &Handle) -> io::Result<Entries> {
        let mut entries = Entries::default();
        // Far more than one entry (at most 280 bytes) needs: `getdents`
        // fills it again and again.
        let mut buf: Vec<MaybeUninit<u8>> = vec![MaybeUninit::uninit(); 64 * 1024];
        let mut listing = RawDir::new(dir.as_ref(), &mut buf);
        while let Some(entry) = listing.next() {
            let entry = entry?;
            let name = entry.file_name().to_bytes();
            if matches!(name, b"." | b"..") {
                continue;
            }
            let kind = match entry.file_type() {
                FileType::Unknown => {
                    match rustix::fs::statat(dir.as_ref(), name, AtFlags::SYMLINK_NOFOLLOW) {
                        Ok(s) => FileType::from_raw_mode(s.st_mode),
                        Err(_) => continue,
                    }
                }
                kind => kind,
            };
            entries.push(name, kind == FileType::Symlink, kind == FileType::Directory);
        }
        Ok(entries)
    }

    /// What `fstat` says of the open folder `dir`.
    pub(super) fn stat_folder(dir: &Handle) -> io::Result<Stat> {
        let s = rustix::fs::fstat(dir.as_ref())?;
        Ok(Stat {
            mtime: Stat::nanos(s.st_mtime, s.st_mtime_nsec),
            ctime: Stat::nanos(s.st_ctime, s.st_ctime_nsec),
            size: s.st_size,
            ino: i64::try_from(s.st_ino).unwrap_or(i64::MAX),
        })
    }

    /// What `lstat` says of `name` in `dir`; `None` when it is gone.
    pub(super) fn stat(dir: &Handle, name: &[u8]) -> io::Result<Option<Stat>> {
        Ok(lstat(dir, name)?.map(|(stat, _)| stat))
    }

    /// As [`stat`], with whether it is a regular file. `statx` where the
    /// kernel has it, else `fstatat` (kernels before 4.11, sandboxes that
    /// refuse `statx`).
    pub(super) fn lstat(dir: &Handle, name: &[u8]) -> io::Result<Option<(Stat, bool)>> {
        let regular = |mode: u32| FileType::from_raw_mode(mode) == FileType::RegularFile;
        let found = rustix::fs::statx(
            dir.as_ref(),
            name,
            AtFlags::SYMLINK_NOFOLLOW,
            StatxFlags::TYPE
                | StatxFlags::MTIME
                | StatxFlags::CTIME
                | StatxFlags::SIZE
                | StatxFlags::INO,
        )
        .map(|s| {
            let stat = Stat {
                mtime: Stat::nanos(s.stx_mtime.tv_sec, s.stx_mtime.tv_nsec),
                ctime: Stat::nanos(s.stx_ctime.tv_sec, s.stx_ctime.tv_nsec),
                size: i64::try_from(s.stx_size).unwrap_or(i64::MAX),
                ino: s.stx_ino.cast_signed(),
            };
            (stat, regular(u32::from(s.stx_mode)))
        });
        let found = match found {
            Err(Errno::NOSYS | Errno::PERM) => {
                rustix::fs::statat(dir.as_ref(), name, AtFlags::SYMLINK_NOFOLLOW).map(|s| {
                    let stat = Stat {
                        mtime: Stat::nanos(s.st_mtime, s.st_mtime_nsec),
                        ctime: Stat::nanos(s.st_ctime, s.st_ctime_nsec),
                        size: s.st_size,
                        ino: i64::try_from(s.st_ino).unwrap_or(i64::MAX),
                    };
                    (stat, regular(s.st_mode))
                })
            }
            other => other,
        };
        match found {
            Ok(found) => Ok(Some(found)),
            Err(Errno::NOENT | Errno::NOTDIR) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// Folders by path, their entries listed with the standard library and
/// `lstat`ed by path.
#[cfg(not(target_os = "linux"))]
mod os {
    use std::ffi::OsStr;
    use std::path::{Path, PathBuf};

    use super::{Entries, Stat};

    pub(super) type Handle = PathBuf;

    #[cfg(unix)]
    pub(super) fn os_str(bytes: &[u8]) -> &OsStr {
        std::os::unix::ffi::OsStrExt::from_bytes(bytes)
    }

    #[cfg(not(unix))]
    pub(super) fn os_str(bytes: &[u8]) -> &OsStr {
        // Names come from `list`, which keeps them as UTF-8.
        std::str::from_utf8(bytes).map_or(OsStr::new(""), OsStr::new)
    }

    pub(super) fn open(path: &Path) -> std::io::Result<Handle> {
        Ok(path.to_path_buf())
    }

    pub(super) fn open_in(dir: &Handle, name: &[u8]) -> std::io::Result<Handle> {
        Ok(dir.join(os_str(name)))
    }

    pub(super) fn open_file(dir: &Handle, name: &[u8]) -> std::io::Result<std::fs::File> {
        crate::confined::open_no_follow(&dir.join(os_str(name)))
    }

    /// Its entries; an error if any cannot be listed.
    pub(super) fn list(dir: &Handle) -> std::io::Result<Entries> {
        let mut entries = Entries::default();
        for entry in std::fs::read_dir(dir)? {
            let (ft, entry) = entry.and_then(|e| Ok((e.file_type()?, e)))?;
            let name = entry.file_name();
            #[cfg(unix)]
            let bytes = std::os::unix::ffi::OsStrExt::as_bytes(name.as_os_str());
            #[cfg(not(unix))]
            let bytes = name.to_string_lossy();
            #[cfg(not(unix))]
            let bytes = bytes.as_bytes();
            entries.push(bytes, ft.is_symlink(), ft.is_dir());
        }
        Ok(entries)
    }

    /// What `lstat` says of the folder `dir`.
    pub(super) fn stat_folder(dir: &Handle) -> std::io::Result<Stat> {
        std::fs::symlink_metadata(dir).map(|m| Stat::of(&m))
    }

    /// What `lstat` says of `name` in `dir`; `None` when it is gone.
    pub(super) fn stat(dir: &Handle, name: &[u8]) -> std::io::Result<Option<Stat>> {
        Ok(lstat(dir, name)?.map(|(stat, _)| stat))
    }

    /// As [`stat`], with whether it is a regular file.
    pub(super) fn lstat(dir: &Handle, name: &[u8]) -> std::io::Result<Option<(Stat, bool)>> {
        match std::fs::symlink_metadata(dir.join(os_str(name))) {
            Ok(m) => Ok(Some((Stat::of(&m), m.is_file()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// The record files the listing of `incidents/` finds, as paths.
    fn listed(root: &Path, known: &StatCache) -> Vec<String> {
        listed_with(root, known, true)
    }

    /// As [`listed`], the folder cache on or off.
    fn listed_with(root: &Path, known: &StatCache, folder_cache: bool) -> Vec<String> {
        let handle = os::open(&root.join("incidents")).expect("open");
        let mut listing = Listing {
            known: Known::of(known, folder_cache),
            ..Listing::default()
        };
        listing
            .folder(Kind::Incident, Path::new("incidents"), &handle, true)
            .expect("listed");
        listing
            .files
            .iter()
            .map(|f| {
                let mut path = listing.folders[f.folder as usize].path.clone();
                path.extend_from_slice(
                    &listing.names[f.start as usize..(f.start + f.len) as usize],
                );
                String::from_utf8_lossy(&path).into_owned()
            })
            .collect()
    }

    #[test]
    fn a_folder_as_the_cache_recorded_it_is_taken_from_it_and_no_other() {
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("incidents");
        std::fs::create_dir_all(dir.join("2026")).expect("folders");
        for file in [
            "INC-0001.yaml",
            "INC-0002.yaml",
            "2026/INC-0003.yaml",
            ".hidden.yaml",
        ] {
            std::fs::write(dir.join(file), "id: x\n").expect("write");
        }
        let on_disk = [
            "incidents/2026/INC-0003.yaml",
            "incidents/INC-0001.yaml",
            "incidents/INC-0002.yaml",
        ];
        assert_eq!(listed(root.path(), &StatCache::default()), on_disk);

        // A cache naming other files, for the folders' stat data as they
        // are: its entries are taken (year folder where its name sorts),
        // not the folder's.
        let stat = |path: &Path| os::stat_folder(&os::open(path).expect("open")).expect("fstat");
        let (top, year) = (stat(&dir), stat(&dir.join("2026")));
        let file = Stat {
            mtime: 1,
            ctime: 1,
            size: 6,
            ino: 1,
        };
        let cache = |top: Stat, year: Stat| {
            let mut cache = StatCache::with_capacity(3);
            cache.push(b"incidents/2026/INC-0008.yaml", 1, file);
            cache.push(b"incidents/INC-0001.yaml", 2, file);
            cache.push(b"incidents/INC-0009.yaml", 3, file);
            cache.push_folder(b"incidents/", top);
            cache.push_folder(b"incidents/2026/", year);
            cache
        };
        assert_eq!(
            listed(root.path(), &cache(top, year)),
            [
                "incidents/2026/INC-0008.yaml",
                "incidents/INC-0001.yaml",
                "incidents/INC-0009.yaml"
            ]
        );
        // The folder cache turned off (`GITSM_NO_FOLDER_CACHE`, or off
        // Unix): the folders are listed all the same.
        assert_eq!(listed_with(root.path(), &cache(top, year), false), on_disk);
        // The year folder changed: it is listed, the top one is not.
        let changed = Stat {
            ctime: year.ctime + 1,
            ..year
        };
        assert_eq!(
            listed(root.path(), &cache(top, changed)),
            [
                "incidents/2026/INC-0003.yaml",
                "incidents/INC-0001.yaml",
                "incidents/INC-0009.yaml"
            ]
        );
        // Any stat field differing, or an entry marked racily clean
        // (`mtime` 0): listed again.
        for other in [
            Stat {
                mtime: top.mtime + 1,
                ..top
            },
            Stat {
                ctime: top.ctime - 1,
                ..top
            },
            Stat {
                size: top.size + 1,
                ..top
            },
            Stat {
                ino: top.ino + 1,
                ..top
            },
            Stat { mtime: 0, ..top },
        ] {
            assert_eq!(listed(root.path(), &cache(other, changed)), on_disk);
        }
    }
}
