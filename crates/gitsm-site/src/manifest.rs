//! What the last build wrote, for the next to reuse: each page's path, the
//! hash of everything its rendering read (template set, page info, view)
//! and the stamp of the file it left. Kept in the Git directory
//! (`<git dir>/gitsm/site-<hash of the output folder>.manifest`), never in
//! the published folder; outside Git there is none and every build is full.
//!
//! A page is reused — left standing in the output — only when its inputs
//! hash as before and its file is still the one that build wrote (same
//! size, modification and change times, and inode: [`FileStamp`]; a file
//! edited with its size and time put back, or swapped for a hard link,
//! is not): rendering is a function of those inputs, so the result is the
//! bytes a full build writes.
//!
//! A page written in parts (the pages that sum up every record:
//! [`crate::parts`]) also lists its parts: the hash of each one's inputs
//! and where its bytes are in the file. The next build copies a part
//! whose inputs hash as before from that file, instead of rendering it.
//!
//! It also lists what the build saw of each record with a page
//! ([`Seen`]): the hash of what the pages take from the record (its
//! facts), its page's key, and the ids it names. The next build then
//! looks only at the pages a changed record can show
//! ([`crate::changes`]), not at every page's inputs.

use std::collections::HashMap;

// Digests and the build's own paths: a fast hash.
use foldhash::fast::RandomState as Fast;
use std::path::{Path, PathBuf};

use crate::kind::Kind;
use crate::local_index::FileStamp;

/// The hash of a page's inputs.
pub type Digest = [u8; 20];

const HEADER: &str = "gitsm site manifest 5";

/// Hashes a page's inputs into its [`Digest`]: bytes, text and values as
/// JSON, each framed so that two different sequences never hash alike.
#[derive(Clone)]
pub struct Hasher(sha1::Sha1);

impl Hasher {
    pub fn new() -> Hasher {
        Hasher(<sha1::Sha1 as sha1::Digest>::new())
    }

    /// Some bytes, preceded by their length.
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Hasher {
        sha1::Digest::update(&mut self.0, (bytes.len() as u64).to_le_bytes());
        sha1::Digest::update(&mut self.0, bytes);
        self
    }

    /// A count: the length that frames a list.
    pub fn count(&mut self, n: usize) -> &mut Hasher {
        self.bytes(&(n as u64).to_le_bytes())
    }

    pub fn text(&mut self, text: &str) -> &mut Hasher {
        self.bytes(text.as_bytes())
    }

    /// A value as JSON (`None`: it cannot be written so, and the page has
    /// no digest: it is rendered, never reused). Written into one buffer
    /// of the thread's, then hashed at once: JSON is made of many short
    /// pieces, each a call to the hash.
    pub fn json(&mut self, value: &impl serde::Serialize) -> Option<&mut Hasher> {
        thread_local! {
            static JSON: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        JSON.with_borrow_mut(|json| {
            json.clear();
            let written = serde_json::to_writer(&mut *json, value);
            sha1::Digest::update(&mut self.0, json.as_slice());
            // Not held at the size of an odd large value.
            json.clear();
            json.shrink_to(64 * 1024);
            written.ok()
        })?;
        self.bytes(b"");
        Some(self)
    }

    pub fn finish(self) -> Digest {
        sha1::Digest::finalize(self.0).into()
    }
}

impl Default for Hasher {
    fn default() -> Hasher {
        Hasher::new()
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        sha1::Digest::update(&mut self.0, bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A page as the last build left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub digest: Digest,
    /// Its file's stamp when the build left it.
    pub stamp: FileStamp,
    /// For a page written in parts, its parts in order.
    pub parts: Vec<Part>,
}

/// A part of a page: the hash of its inputs and its bytes' place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub digest: Digest,
    pub offset: u64,
    pub len: u64,
}

/// The parts of one page of the previous build, by digest, with the size
/// and time of the file that holds them.
#[derive(Debug)]
pub struct PageParts {
    pub stamp: FileStamp,
    pub by_digest: HashMap<Digest, (u64, u64), Fast>,
}

/// What the last build saw of one record with a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The hash of what pages take from the record
    /// ([`crate::page_key::facts`]).
    pub facts: Digest,
    /// The key of the record's page (its entry among the pages).
    pub page: Digest,
    pub kind: Kind,
    /// The ids the record names, each followed by a space, as the line
    /// holds them ([`Seen::names`] reads them).
    pub names: Box<str>,
}

/// What the last build saw of the records with a page.
#[derive(Debug, Default)]
pub struct Records {
    /// The hash of what every record's page shares
    /// ([`crate::page_key::shared_by_records`]).
    pub shared: Digest,
    pub seen: HashMap<Box<str>, Seen, Fast>,
}

/// What a build saw of one record with a page, as the next build will
/// read it ([`Seen`]): the record (its kind, id and the ids it names),
/// its facts and its page's key.
#[derive(Debug, Clone, Copy)]
pub struct RecordSeen<'d> {
    pub record: &'d crate::model::Record,
    pub facts: Digest,
    pub page: Digest,
}

/// `id` as a manifest line holds it: a space, a control character or `%`
/// as `%` and the hex of each of its bytes (ids are split at spaces and
/// lines at line breaks; an id may hold either, as a file name may).
fn push_id(line: &mut String, id: &str) {
    for c in id.chars() {
        if c == '%' || c == ' ' || c.is_control() {
            for byte in c.encode_utf8(&mut [0; 4]).bytes() {
                line.push('%');
                crate::git::push_hex(line, &[byte]);
            }
        } else {
            line.push(c);
        }
    }
}

/// An id as [`push_id`] wrote it; `None` if it could not have.
fn id_from(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !text.contains('%') {
        return Some(text.into());
    }
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&b, after)) = rest.split_first() {
        if b == b'%' {
            let hex = after
                .get(..2)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))?;
            bytes.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            rest = &after[2..];
        } else {
            bytes.push(b);
            rest = after;
        }
    }
    String::from_utf8(bytes).ok().map(Into::into)
}

impl Seen {
    /// The ids the record named.
    pub fn names(&self) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
        // Each one read when the manifest was: `None` is not met.
        self.names.split_terminator(' ').filter_map(id_from)
    }
}

impl RecordSeen<'_> {
    /// Its line: `@facts page kind id`, then each id it names, each id
    /// followed by a space.
    fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut line = String::with_capacity(128);
        line.push('@');
        crate::git::push_hex(&mut line, &self.facts);
        line.push(' ');
        crate::git::push_hex(&mut line, &self.page);
        line.push(' ');
        line.push_str(self.record.kind().name());
        line.push(' ');
        push_id(&mut line, self.record.id());
        line.push(' ');
        for named in self.record.names() {
            push_id(&mut line, named.target);
            line.push(' ');
        }
        line.push('\n');
        out.write_all(line.as_bytes())
    }
}

/// Where the manifest of the site written to `out` is kept; `None`
/// outside Git.
pub fn location(root: &Path, out: &Path) -> Option<PathBuf> {
    let repo = crate::git::open(root)?;
    // Before a first build the folder does not exist: its parent does.
    let out = out.canonicalize().ok().or_else(|| {
        let folder = crate::write::folder_of(out).canonicalize().ok()?;
        Some(folder.join(out.file_name()?))
    })?;
    let name = format!("site-{}.manifest", crate::git::short_name(out.as_os_str()));
    Some(repo.path().join("gitsm").join(name))
}

/// The previous build's pages.
#[derive(Debug, Default)]
pub struct Previous {
    /// Each page's size and time, by digest: a page's digest hashes its
    /// path with its other inputs, so one digest names one page. Their
    /// paths are not held (105,000 of them at 100,000 records).
    pub pages: HashMap<Digest, FileStamp, Fast>,
    /// The parts of the pages written in parts, by path (a few pages).
    pub parts: HashMap<String, PageParts, Fast>,
    /// What it saw of the records, when it saw each of them.
    pub records: Option<Records>,
}

/// The most records the count a manifest states reserves room for: a
/// damaged count must not make the build ask for gigabytes.
const MOST_RECORDS_RESERVED: usize = 1 << 18;

/// The pages of the manifest at `path` (none when it is missing or not
/// one: a full build).
pub fn load(path: &Path) -> Previous {
    use std::io::BufRead;
    let mut previous = Previous::default();
    let Ok(file) = std::fs::File::open(path) else {
        return previous;
    };
    // Read a line at a time into one buffer: the file (20 MB at 100,000
    // records) is never held whole beside what is read from it.
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let mut buffer = String::new();
    let mut damaged = false;
    // The sum of the lines read, and the one the file ends with.
    let mut sum = Hasher::new();
    let mut said: Option<Digest> = None;
    let mut next_line = |buffer: &mut String| {
        buffer.clear();
        match reader.read_line(buffer) {
            Ok(0) => false,
            Ok(_) if said.is_some() => {
                // Nothing comes after the sum.
                damaged = true;
                false
            }
            Ok(_) => {
                match buffer.strip_prefix('#') {
                    Some(hex_sum) => {
                        said = Some(hex(hex_sum.trim_end_matches('\n')).unwrap_or_default())
                    }
                    None => drop(std::io::Write::write_all(&mut sum, buffer.as_bytes())),
                }
                true
            }
            Err(_) => {
                damaged = true;
                false
            }
        }
    };
    if !next_line(&mut buffer) || buffer.trim_end_matches('\n') != HEADER {
        return previous;
    }
    // The last page line (its path and stamp): the part lines that follow
    // are its parts.
    let mut page_path = String::new();
    let mut page: Option<FileStamp> = None;
    // How many records the build saw, as it says.
    let mut records_seen = 0;
    while next_line(&mut buffer) {
        let line = buffer.strip_suffix('\n').unwrap_or(&buffer);
        if line.starts_with('#') {
            continue;
        }
        if let Some(shared) = line.strip_prefix('=') {
            let said = shared.split_once(' ').and_then(|(shared, count)| {
                records_seen = count.parse().ok()?;
                hex(shared)
            });
            // Room for every record and its page at once, not grown by
            // rehashing 100,000 entries as they come.
            let count = records_seen.min(MOST_RECORDS_RESERVED);
            previous.pages.reserve(count);
            previous.records = said.map(|shared| Records {
                shared,
                seen: HashMap::with_capacity_and_hasher(count, Fast::default()),
            });
            continue;
        }
        if let Some(record) = line.strip_prefix('@') {
            let seen = (|| {
                let (facts, rest) = record.split_once(' ')?;
                let (page, rest) = rest.split_once(' ')?;
                let (kind, rest) = rest.split_once(' ')?;
                let (id, names) = rest.split_once(' ')?;
                let id = id_from(id)?;
                if names.contains('%') && !names.split_terminator(' ').all(|n| id_from(n).is_some())
                {
                    return None;
                }
                let seen = Seen {
                    facts: hex(facts)?,
                    page: hex(page)?,
                    kind: *Kind::ALL.iter().find(|k| k.name() == kind)?,
                    names: names.into(),
                };
                Some((id, seen))
            })();
            let Some(records) = &mut previous.records else {
                continue;
            };
            match seen {
                Some((id, seen)) => {
                    records.seen.insert(id.into(), seen);
                }
                // A line not read: what the build saw is not known whole.
                None => previous.records = None,
            }
            continue;
        }
        if let Some(part) = line.strip_prefix('+') {
            let mut fields = part.splitn(3, ' ');
            let read = (|| {
                let digest = hex(fields.next()?)?;
                let place = (fields.next()?.parse().ok()?, fields.next()?.parse().ok()?);
                Some((digest, place))
            })();
            if let (Some(stamp), Some((digest, place))) = (page, read) {
                let parts = previous
                    .parts
                    .entry(page_path.clone())
                    .or_insert_with(|| PageParts {
                        stamp,
                        by_digest: HashMap::default(),
                    });
                parts.by_digest.insert(digest, place);
            }
            continue;
        }
        let mut fields = line.splitn(6, ' ');
        page = (|| {
            let digest = hex(fields.next()?)?;
            let stamp = FileStamp {
                size: fields.next()?.parse().ok()?,
                mtime: fields.next()?.parse().ok()?,
                ctime: fields.next()?.parse().ok()?,
                ino: fields.next()?.parse().ok()?,
            };
            previous.pages.insert(digest, stamp);
            page_path.clear();
            page_path.push_str(fields.next()?);
            Some(stamp)
        })();
    }
    // A file cut short, damaged, or not all text: nothing is trusted.
    if damaged || said != Some(sum.finish()) {
        return Previous::default();
    }
    // Every record line, or none is trusted.
    if previous.records.as_ref().map(|r| r.seen.len()) != Some(records_seen) {
        previous.records = None;
    }
    previous
}
/// A page a build rendered: its path, the hash of its inputs, and its
/// parts.
pub type Rendered = (String, Digest, Vec<Part>);

/// The entries of `pages` as written in the folder `written` (where they
/// are to stay: their stamps are those the next build compares).
pub fn entries(written: &Files, pages: Vec<Rendered>) -> Vec<(String, Entry)> {
    use rayon::prelude::*;
    pages
        .into_par_iter()
        .filter_map(|(page, digest, parts)| {
            let stamp = written.stat(&page)?;
            Some((
                page,
                Entry {
                    digest,
                    stamp,
                    parts,
                },
            ))
        })
        .collect()
}

/// Write the manifest of a build into a temp file beside `path`, put in
/// place by [`crate::write::Prepared::replace`] once the pages are: what
/// it saw of the records with a page when it can say that of each
/// (`records`: the hash their pages share, and each one's
/// [`RecordSeen`]), its pages' `entries`, then those `more` gives once
/// they are written (the pages being moved into place meanwhile: a move
/// changes their stamps); an error from `more` leaves no file.
pub fn save(
    path: &Path,
    records: Option<(&Digest, &[RecordSeen<'_>])>,
    entries: &[(String, Entry)],
    more: impl FnOnce() -> std::io::Result<Vec<(String, Entry)>>,
) -> std::io::Result<crate::write::Prepared> {
    use std::io::Write;
    crate::write::prepare(path, |file| {
        // Every line is summed; the sum ends the file (a line damaged
        // but still well formed is told apart).
        let mut out = Summed {
            out: file,
            sum: Hasher::new(),
        };
        let out = &mut out;
        writeln!(out, "{HEADER}")?;
        if let Some((shared, seen)) = records {
            let mut line = String::from("=");
            crate::git::push_hex(&mut line, shared);
            writeln!(out, "{line} {}", seen.len())?;
            for record in seen {
                record.write(out)?;
            }
        }
        let mut line = String::new();
        let mut entry = |page: &str, e: &Entry, out: &mut Summed<'_>| {
            line.clear();
            crate::git::push_hex(&mut line, &e.digest);
            let FileStamp {
                size,
                mtime,
                ctime,
                ino,
            } = e.stamp;
            writeln!(out, "{line} {size} {mtime} {ctime} {ino} {page}")?;
            for part in &e.parts {
                line.clear();
                line.push('+');
                crate::git::push_hex(&mut line, &part.digest);
                writeln!(out, "{line} {} {}", part.offset, part.len)?;
            }
            Ok::<_, std::io::Error>(())
        };
        for (page, e) in entries {
            entry(page, e, out)?;
        }
        for (page, e) in &more()? {
            entry(page, e, out)?;
        }
        let mut line = String::from("#");
        crate::git::push_hex(&mut line, &std::mem::take(&mut out.sum).finish());
        writeln!(out.out, "{line}")
    })
}

/// A writer that sums what it writes (the manifest's last line).
struct Summed<'w> {
    out: &'w mut dyn std::io::Write,
    sum: Hasher,
}

impl std::io::Write for Summed<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(bytes)?;
        std::io::Write::write_all(&mut self.sum, &bytes[..n])?;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl Previous {
    /// Copy into `to` the bytes of the part of `page` (a path from the
    /// site root) whose inputs hash to `digest`, from the previous build's
    /// page among the site's `files`, when that build wrote one and its
    /// file is still the one it wrote (same size and time, a regular file
    /// opened in its folder without following a symlink). `Ok(false)`:
    /// render the part.
    pub fn copy_part(
        &self,
        files: &Files,
        page: &str,
        digest: &Digest,
        to: &mut dyn std::io::Write,
    ) -> std::io::Result<bool> {
        let Some(parts) = self.parts.get(page) else {
            return Ok(false);
        };
        let Some(&(offset, len)) = parts.by_digest.get(digest) else {
            return Ok(false);
        };
        // The file opened must be the one that build wrote.
        let Some(file) = files.open_page(page) else {
            return Ok(false);
        };
        let same = file.metadata().ok().and_then(|m| FileStamp::of(&m));
        if same != Some(parts.stamp) || offset.saturating_add(len) > parts.stamp.size {
            return Ok(false);
        }
        // Read whole before any byte is written: a file cut short from
        // outside meanwhile means the part is rendered instead.
        let mut bytes = vec![0; usize::try_from(len).unwrap_or(usize::MAX)];
        if read_at(&file, &mut bytes, offset).is_err() {
            return Ok(false);
        }
        to.write_all(&bytes)?;
        Ok(true)
    }
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, bytes: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, mut bytes: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, bytes, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                bytes = &mut bytes[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// Wait for, then hold, the lock of the folder whose manifest is at
/// `path` (a file beside it; released when the returned file is dropped,
/// however the process ends).
pub fn lock(path: &Path) -> std::io::Result<std::fs::File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let at = path.with_extension("lock");
    // Only the regular file gitsm made (a link is not followed, a pipe
    // not waited on), so that the file locked is the one at the path.
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    for _ in 0..MOST_LOCK_TRIES {
        let file = crate::write::open_own(&at, &mut options)?;
        file.lock()?;
        // The cleanup of old sites removes a lock file it holds
        // ([`keep_the_last_sites`]): one taken after that is of a file no
        // other build finds, and the lock is taken again on the file now
        // at the path.
        if still_at(&file, &at)? {
            return Ok(file);
        }
    }
    Err(std::io::Error::other(format!(
        "{}: the lock file was replaced {MOST_LOCK_TRIES} times while this build waited on it",
        at.display()
    )))
}

/// How often a build takes a lock again on a lock file replaced while it
/// waited ([`lock`]); each time, another build got it first.
const MOST_LOCK_TRIES: usize = 1000;

/// Whether `file` is the file at `path` (not one removed since).
#[cfg(unix)]
fn still_at(file: &std::fs::File, path: &Path) -> std::io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let held = file.metadata()?;
    Ok(match std::fs::symlink_metadata(path) {
        Ok(now) => (now.dev(), now.ino()) == (held.dev(), held.ino()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(e),
    })
}

/// Lock files are not removed where a file's identity cannot be asked.
#[cfg(not(unix))]
fn still_at(_: &std::fs::File, _: &Path) -> std::io::Result<bool> {
    Ok(true)
}

/// How many site folders' manifests a Git directory keeps: those built
/// last. One is kept per output folder, named by the folder's path, so
/// builds into ever new folders (a temporary folder each time) would
/// otherwise pile them up, some 25 MB each at 100,000 records.
pub const MOST_SITES_KEPT: usize = 8;

/// Remove the manifests beside `path` (that of the folder just built)
/// but the `MOST_SITES_KEPT` last written, counting its own: a folder
/// built before those is built whole next time. A manifest is removed
/// only when no build of its folder holds its lock ([`unheld`]), and its
/// lock file with it, while this cleanup holds it (a build waiting on it
/// meanwhile takes the lock again on a new file: [`lock`]); so is a lock
/// file left without its manifest. What cannot be read or removed, or
/// went meanwhile (another build's cleanup), is passed over: this is
/// housekeeping, and the next build tries again.
pub fn keep_the_last_sites(path: &Path) -> std::io::Result<()> {
    let Some(dir) = path.parent() else {
        return Ok(());
    };
    let now = std::time::SystemTime::now();
    let mut others = Vec::new();
    let mut locks = Vec::new();
    for entry in std::fs::read_dir(dir)?.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("site-") && name.ends_with(".lock") {
            locks.push(entry.path());
        }
        let ours = name.starts_with("site-") && name.ends_with(".manifest");
        if !ours || entry.path() == path {
            continue;
        }
        // Only regular files, as written (not followed through a link),
        // by the time each was last written; one stamped in the future
        // (a clock set back) as the oldest, not kept for good.
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if let (true, Ok(written)) = (meta.is_file(), meta.modified()) {
            let written = Some(written).filter(|&w| w <= now);
            others.push((written, entry.path()));
        }
    }
    others.sort_unstable_by(|a, b| b.cmp(a));
    for (_, other) in others.into_iter().skip(MOST_SITES_KEPT - 1) {
        let lock = other.with_extension("lock");
        if let Some(held) = unheld(&lock) {
            let _ = crate::write::remove_if_present(&other);
            if held.is_some() {
                let _ = crate::write::remove_if_present(&lock);
            }
        }
    }
    // Lock files whose manifest is gone (an older gitsm kept them), unless
    // a build holds one (its first manifest is still to come).
    for lock in locks {
        if !lock.with_extension("manifest").exists()
            && let Some(Some(_held)) = unheld(&lock)
        {
            let _ = crate::write::remove_if_present(&lock);
        }
    }
    Ok(())
}

/// The lock at `path` taken without waiting, when no build holds it:
/// `Some(None)` when there is no lock file; `None` when a build holds
/// it, or it is not a regular file (a link is not followed, a pipe not
/// waited on: taken as held). Removed only where [`lock`] checks the
/// file it locked is still at its path.
fn unheld(path: &Path) -> Option<Option<std::fs::File>> {
    match crate::write::open_own(path, std::fs::OpenOptions::new().write(true)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(None),
        Err(_) => None,
        Ok(file) => {
            file.try_lock().ok()?;
            // Locked, the file must still be the one at the path: another
            // cleanup may have removed it meanwhile, and a build locked
            // the new one (which is then held, not removed).
            if !still_at(&file, path).unwrap_or(false) {
                return None;
            }
            Some(Some(file).filter(|_| cfg!(unix)))
        }
    }
}

/// The folders of a site, each opened once (never through a symlink):
/// a page's file is `lstat`ed by name in its folder, one name for the
/// kernel to look up and no path made, as the local index scans the
/// records ([`crate::local_index::OpenFolder`]).
pub struct Files(HashMap<String, crate::local_index::OpenFolder>);

impl Files {
    /// The folder `site` and its sub-folders `folders` (paths from it); a
    /// folder that cannot be opened has no files.
    pub fn open<'f>(site: &Path, folders: impl IntoIterator<Item = &'f str>) -> Files {
        let open = |rel: &str| {
            let folder = crate::local_index::OpenFolder::open(&site.join(rel)).ok()?;
            Some((rel.to_owned(), folder))
        };
        Files(
            std::iter::once("")
                .chain(folders)
                .filter_map(open)
                .collect(),
        )
    }

    /// The stamp of the page at `page` (a path from the site's root);
    /// `None` for anything but a regular file (a symlink planted in the
    /// output is never kept) and for a page of a folder not opened.
    pub fn stat(&self, page: &str) -> Option<FileStamp> {
        let (folder, name) = Files::place(page);
        self.0.get(folder)?.file(name)
    }

    /// The page at `page`, open for reading (`None` for a symlink, a page
    /// of a folder not opened, or one that cannot be opened).
    pub fn open_page(&self, page: &str) -> Option<std::fs::File> {
        let (folder, name) = Files::place(page);
        self.0.get(folder)?.open_file(name).ok()
    }

    /// A page's folder and name.
    fn place(page: &str) -> (&str, &str) {
        page.rsplit_once('/').unwrap_or(("", page))
    }
}

fn hex(text: &str) -> Option<Digest> {
    let mut out = [0u8; 20];
    if text.len() != 40 {
        return None;
    }
    let nibble = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    for (byte, pair) in out.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        *byte = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifests_of_the_last_sites_built_are_kept() {
        let git = tempfile::tempdir().expect("temp");
        let dir = git.path();
        let manifest = |i: usize| dir.join(format!("site-{i:02}.manifest"));
        let hour = |h: u64| std::time::UNIX_EPOCH + std::time::Duration::from_secs(3600 * h);
        // Twelve folders built an hour apart, the newest last; the one
        // just built is the oldest by its time, and is kept all the same.
        for i in 0..12 {
            let file = std::fs::File::create(manifest(i)).expect("manifest");
            file.set_modified(hour(i as u64)).expect("time");
            std::fs::write(manifest(i).with_extension("lock"), "").expect("lock file");
        }
        // One stamped in the future (a clock set back): the oldest.
        let future = dir.join("site-future.manifest");
        let file = std::fs::File::create(&future).expect("manifest");
        let ahead = std::time::SystemTime::now() + std::time::Duration::from_secs(86_400);
        file.set_modified(ahead).expect("time");
        std::fs::write(dir.join("index.sqlite"), "not a manifest").expect("other");
        std::fs::create_dir(dir.join("site-dir.manifest")).expect("folder");
        // A build of folder 3 going on: its manifest stays.
        let busy = lock(&manifest(3)).expect("lock");
        #[cfg(unix)]
        let outside = tempfile::tempdir().expect("temp");
        #[cfg(unix)]
        {
            // A lock that is a link (not followed, nothing made where it
            // points) or a pipe (not waited on): taken as held.
            std::fs::remove_file(manifest(2).with_extension("lock")).expect("lock file");
            let target = outside.path().join("victim");
            std::os::unix::fs::symlink(&target, manifest(2).with_extension("lock")).expect("link");
            std::fs::remove_file(manifest(1).with_extension("lock")).expect("lock file");
            let fifo = manifest(1).with_extension("lock");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        }
        keep_the_last_sites(&manifest(0)).expect("kept");
        drop(busy);
        let left: Vec<usize> = (0..12).filter(|&i| manifest(i).exists()).collect();
        #[cfg(unix)]
        {
            assert_eq!(left, [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11]);
            assert!(!outside.path().join("victim").exists());
        }
        #[cfg(not(unix))]
        assert_eq!(left, [0, 3, 5, 6, 7, 8, 9, 10, 11]);
        assert!(!future.exists());
        assert!(dir.join("index.sqlite").exists());
        assert!(dir.join("site-dir.manifest").is_dir());
        // The lock files of the manifests removed go with them (folder 4
        // was built before the eight kept, and no build holds its lock);
        // those of the manifests kept, and those held, stay.
        #[cfg(unix)]
        {
            assert!(!manifest(4).with_extension("lock").exists());
            for i in [0, 3, 5, 11] {
                assert!(manifest(i).with_extension("lock").exists(), "{i}");
            }
            assert!(manifest(2).with_extension("lock").is_symlink());
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_build_waiting_on_a_lock_the_cleanup_removed_takes_a_new_one() {
        let dir = tempfile::tempdir().expect("temp");
        let old = dir.path().join("site-old.manifest");
        std::fs::write(&old, "").expect("manifest");
        // The cleanup holds the old folder's lock and removes its file, as
        // it does when it removes the manifest.
        let taken = unheld(&old.with_extension("lock"));
        assert!(matches!(taken, Some(None)), "no lock file yet");
        let held = lock(&old).expect("lock");
        let waiting = std::thread::spawn({
            let old = old.clone();
            move || lock(&old).expect("lock")
        });
        std::fs::remove_file(old.with_extension("lock")).expect("remove");
        drop(held);
        // The waiting build locked the removed file first, then took the
        // lock again on the file now at the path: a third build waits.
        let second = waiting.join().expect("thread");
        assert!(old.with_extension("lock").is_file());
        assert!(unheld(&old.with_extension("lock")).is_none());
        drop(second);
        assert!(matches!(unheld(&old.with_extension("lock")), Some(Some(_))));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_or_a_pipe_in_a_lock_file_s_place_is_an_error_not_a_wait() {
        let dir = tempfile::tempdir().expect("temp");
        let manifest = dir.path().join("site-x.manifest");
        let target = dir.path().join("elsewhere");
        std::os::unix::fs::symlink(&target, manifest.with_extension("lock")).expect("link");
        // It spun for good, the link's file never the one at the path.
        let err = lock(&manifest).expect_err("a link");
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert!(!target.exists(), "nothing made where the link points");
        std::fs::remove_file(manifest.with_extension("lock")).expect("remove");
        let made = std::process::Command::new("mkfifo")
            .arg(manifest.with_extension("lock"))
            .status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        assert!(lock(&manifest).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_lock_file_left_without_its_manifest_is_removed_unless_held() {
        let dir = tempfile::tempdir().expect("temp");
        let built = dir.path().join("site-now.manifest");
        std::fs::write(&built, "").expect("manifest");
        let orphan = dir.path().join("site-gone.lock");
        std::fs::write(&orphan, "").expect("lock file");
        let first = dir.path().join("site-first.manifest");
        let building = lock(&first).expect("a first build going on");
        keep_the_last_sites(&built).expect("kept");
        assert!(!orphan.exists());
        assert!(first.with_extension("lock").exists());
        drop(building);
    }

    #[test]
    fn a_page_is_looked_at_in_its_folder_and_only_a_regular_file_counts() {
        let site = tempfile::tempdir().expect("temp");
        let root = site.path();
        std::fs::create_dir_all(root.join("incidents")).expect("folder");
        std::fs::create_dir_all(root.join("other")).expect("folder");
        std::fs::write(root.join("index.html"), "12345").expect("page");
        std::fs::write(root.join("incidents/INC-1.html"), "abc").expect("page");
        std::fs::write(root.join("other/x.html"), "abc").expect("page");
        std::fs::create_dir(root.join("incidents/INC-2.html")).expect("folder");
        let files = Files::open(root, ["incidents"]);
        let stamp = |rel: &str| {
            let meta = std::fs::metadata(root.join(rel)).expect("metadata");
            FileStamp::of(&meta).expect("a file")
        };
        assert_eq!(files.stat("index.html"), Some(stamp("index.html")));
        assert_eq!(files.stat("index.html").map(|s| s.size), Some(5));
        assert_eq!(
            files.stat("incidents/INC-1.html"),
            Some(stamp("incidents/INC-1.html"))
        );
        #[cfg(unix)]
        {
            // A hard link is the same file; a copy with the same size and
            // times is not.
            use std::os::unix::fs::MetadataExt;
            let page = root.join("incidents/INC-1.html");
            let meta = std::fs::metadata(&page).expect("metadata");
            let stamp = files.stat("incidents/INC-1.html").expect("stamp");
            assert_eq!((stamp.ino, stamp.size), (meta.ino().cast_signed(), 3));
            let copy = root.join("incidents/copy");
            std::fs::copy(&page, &copy).expect("copy");
            let file = std::fs::File::options()
                .write(true)
                .open(&copy)
                .expect("open");
            file.set_modified(meta.modified().expect("time"))
                .expect("touch");
            drop(file);
            std::fs::rename(&copy, &page).expect("put in its place");
            let now = files.stat("incidents/INC-1.html").expect("stamp");
            assert_eq!((now.size, now.mtime), (stamp.size, stamp.mtime));
            assert_ne!(now, stamp);
        }
        // A folder where a page was, a page gone, a folder not opened.
        assert_eq!(files.stat("incidents/INC-2.html"), None);
        assert_eq!(files.stat("incidents/INC-3.html"), None);
        assert_eq!(files.stat("other/x.html"), None);
        #[cfg(unix)]
        {
            // A symlink to a page, however like it, is not one.
            std::os::unix::fs::symlink(root.join("index.html"), root.join("incidents/INC-4.html"))
                .expect("link");
            assert_eq!(files.stat("incidents/INC-4.html"), None);
            // A folder of pages that is a symlink is not opened.
            std::os::unix::fs::symlink(root.join("incidents"), root.join("linked")).expect("link");
            assert_eq!(
                Files::open(root, ["linked"]).stat("linked/INC-1.html"),
                None
            );
        }
    }

    /// A page's entry: its digest, size and modification time.
    fn entry(digest: Digest, size: u64, mtime: i64) -> Entry {
        Entry {
            digest,
            stamp: FileStamp {
                size,
                mtime,
                ctime: mtime + 1,
                ino: 42,
            },
            parts: Vec::new(),
        }
    }

    #[test]
    fn a_manifest_reads_back_what_was_saved() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("gitsm/site.manifest");
        let mut digest = [0u8; 20];
        digest[0] = 0xab;
        digest[19] = 0x0f;
        let part = Part {
            digest: [0x11; 20],
            offset: 100,
            len: 50,
        };
        let pages = vec![
            (
                "index.html".to_owned(),
                Entry {
                    parts: vec![part],
                    ..entry(digest, 12, 1_700_000_000_123_456_789)
                },
            ),
            ("incidents/INC 1.html".to_owned(), entry([0xff; 20], 0, -5)),
        ];
        save(&path, None, &pages, || Ok(Vec::new()))
            .and_then(crate::write::Prepared::replace)
            .expect("saved");
        let text = std::fs::read_to_string(&path).expect("read");
        let first = format!(
            "ab{}0f 12 1700000000123456789 1700000000123456790 42 index.html",
            "00".repeat(18)
        );
        assert_eq!(text.lines().nth(1), Some(first.as_str()), "{text}");
        assert_eq!(
            text.lines().nth(2),
            Some(format!("+{} 100 50", "11".repeat(20)).as_str())
        );
        let previous = load(&path);
        assert_eq!(previous.pages.len(), 2);
        let index = pages[0].1.stamp;
        assert_eq!(previous.pages.get(&digest), Some(&index));
        assert_eq!(previous.pages.get(&[0xff; 20]), Some(&pages[1].1.stamp));
        let parts = previous.parts.get("index.html").expect("parts");
        assert_eq!(parts.by_digest.get(&[0x11; 20]), Some(&(100, 50)));
        assert_eq!(parts.stamp, index);
        assert_eq!(previous.parts.len(), 1);
        // The file ends with the sum of its lines: a line changed, even
        // well formed, or one added after the sum, and nothing is trusted.
        assert!(
            text.lines().last().is_some_and(|l| l.starts_with('#')),
            "{text}"
        );
        assert_eq!(load_text(&path, &text).pages.len(), 2);
        for damaged in [
            text.replacen("ab", "g1", 1),
            text.replacen(" 12 ", " 13 ", 1),
            format!("{text}+{} 1 1\n", "11".repeat(20)),
            text.lines()
                .filter(|l| !l.starts_with('#'))
                .map(|l| format!("{l}\n"))
                .collect(),
        ] {
            assert!(load_text(&path, &damaged).pages.is_empty(), "{damaged}");
        }
    }

    /// The manifest read back after writing `text` at `path`.
    fn load_text(path: &Path, text: &str) -> Previous {
        std::fs::write(path, text).expect("write");
        load(path)
    }

    fn ci(id: &str, depends_on: &[&str]) -> crate::model::Record {
        let ci = serde_json::json!({
            "id": id, "name": id, "class": "application", "status": "active",
            "relations": { "depends_on": depends_on },
        });
        crate::model::Record::Ci(serde_json::from_value(ci).expect("a CI"))
    }

    #[test]
    fn pages_moved_in_meanwhile_are_saved_after_those_standing() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("gitsm/site.manifest");
        let standing = [("index.html".to_owned(), entry([1; 20], 10, 20))];
        let moved = || {
            Ok(vec![(
                "incidents/INC-1.html".to_owned(),
                entry([2; 20], 30, 40),
            )])
        };
        save(&path, None, &standing, moved)
            .and_then(crate::write::Prepared::replace)
            .expect("saved");
        let previous = load(&path);
        assert_eq!(previous.pages.len(), 2);
        assert_eq!(previous.pages[&[2; 20]].size, 30);

        // The pages could not be put in place: no manifest, and no temp
        // file left beside where it would be.
        std::fs::remove_file(&path).expect("remove");
        let failed = save(&path, None, &standing, || {
            Err(std::io::Error::other("not moved"))
        });
        assert!(failed.is_err());
        let left: Vec<_> = std::fs::read_dir(path.parent().expect("folder"))
            .expect("list")
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn what_a_build_saw_of_the_records_reads_back_and_only_whole() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("gitsm/site.manifest");
        let web = ci("web", &["db", "dns"]);
        let db = ci("db", &[]);
        let seen = [
            RecordSeen {
                record: &web,
                facts: [1; 20],
                page: [2; 20],
            },
            RecordSeen {
                record: &db,
                facts: [3; 20],
                page: [4; 20],
            },
        ];
        let pages = [(
            "index.html".to_owned(),
            Entry {
                digest: [5; 20],
                stamp: FileStamp {
                    size: 10,
                    mtime: 20,
                    ctime: 30,
                    ino: 40,
                },
                parts: Vec::new(),
            },
        )];
        let save = |seen: &[RecordSeen<'_>]| {
            save(&path, Some((&[9; 20], seen)), &pages, || Ok(Vec::new()))
                .and_then(crate::write::Prepared::replace)
                .expect("saved");
            load(&path).records
        };
        let records = save(&seen).expect("records");
        assert_eq!(records.shared, [9; 20]);
        assert_eq!(records.seen.len(), 2);
        let web = &records.seen["web"];
        assert_eq!(
            (web.facts, web.page, web.kind),
            ([1; 20], [2; 20], Kind::Ci)
        );
        assert_eq!(web.names().collect::<Vec<_>>(), ["db", "dns"]);
        assert_eq!(records.seen["db"].names().count(), 0);

        // Ids holding what splits a line (a space, a line break), a
        // control character or the escape itself are read back as they
        // were: what the build saw is still known of every record.
        let odd_names = [
            "db server",
            "50%",
            "%41",
            "tab\there",
            "line\nbreak",
            "é\u{85}",
            "",
        ];
        let spaced = ci("web site\n", &odd_names);
        let odd = [RecordSeen {
            record: &spaced,
            ..seen[0]
        }];
        let records = save(&odd).expect("records");
        let web = &records.seen["web site\n"];
        assert_eq!(web.names().collect::<Vec<_>>(), odd_names);
        // An escape cut short, not hex, or of bytes that are no text.
        for bad in ["%4", "a%zz", "%ff", "%+1"] {
            assert_eq!(id_from(bad), None, "{bad}");
        }
        assert_eq!(id_from("a%25b%20").as_deref(), Some("a%b "));
        // A record line cut or damaged: nothing is trusted of any.
        save(&seen);
        let text = std::fs::read_to_string(&path).expect("read");
        let db_line = text
            .lines()
            .find(|l| l.contains(" ci db "))
            .expect("db's line");
        for damaged in [
            text.replacen(" ci web ", " ci", 1),
            text.replacen("@0101", "@zz01", 1),
            text.replacen(" ci db", " cow db", 1),
            // A line gone.
            text.replacen(&format!("{db_line}\n"), "", 1),
            // An id it names changed, the line well formed.
            text.replacen(" db dns ", " db dnz ", 1),
        ] {
            std::fs::write(&path, damaged).expect("write");
            assert!(
                load(&path).records.is_none(),
                "{}",
                std::fs::read_to_string(&path).expect("read")
            );
        }
        // Bytes that are not text (here in the page's line, before the
        // sum): nothing of the manifest is trusted.
        assert_eq!(load_text(&path, &text).pages.len(), 1);
        let at = text.find(" index.html\n").expect("the page's line");
        let mut bytes = text.into_bytes();
        bytes[at + 3] = 0xff;
        std::fs::write(&path, bytes).expect("write");
        let previous = load(&path);
        assert!(previous.records.is_none() && previous.pages.is_empty());
    }
}
