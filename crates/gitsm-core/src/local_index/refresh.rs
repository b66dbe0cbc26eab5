//! Bringing the index up to date with the work tree: `lstat` every record
//! file, read again those whose stat data changed, drop those gone.

use std::collections::HashMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use rusqlite::{Transaction, params};

use crate::kind::Kind;
use crate::model::Record;
use crate::records::{self, Detail};
use crate::workspace::Workspace;

use super::scan::Scan;
use super::stat_cache::{Read, StatCache};

/// What `lstat` says of a file, as the index compares it. `mtime` 0 marks
/// an entry to read again whatever its stat data ("racily clean").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stat {
    pub(super) mtime: i64,
    pub(super) ctime: i64,
    pub(super) size: i64,
    pub(super) ino: i64,
}

/// A file changed within this many nanoseconds of its reading may change
/// again without its times moving (timestamps are coarser than writes on
/// some file systems): its entry is marked to be read again next time.
const RACY_NS: i64 = 2_000_000_000;

/// Whether a file of stat data `stat`, read when the file system's clock
/// said `now`, is "racily clean": changed so shortly before that a later
/// edit could leave its times as they are.
fn racy(stat: &Stat, now: i64) -> bool {
    stat.mtime >= now.saturating_sub(RACY_NS) || stat.ctime >= now.saturating_sub(RACY_NS)
}

/// Whether a folder of stat data `stat`, listed when the file system's
/// clock said `now`, may since have changed without its stat data
/// moving: by either time, as [`racy`] judges a file (a tool putting a
/// modification time back, as `rsync -a`, `tar` or `cp -a` do, leaves
/// only the change time to tell two edits within one tick apart).
fn racy_folder(stat: &Stat, now: i64) -> bool {
    racy(stat, now)
}

/// A folder's entry in the stat cache: its stat data, marked to be listed
/// again (`mtime` 0) when racily clean by the time `listed_by` (the file
/// system's time no earlier than its listing), or when there is no such
/// time to judge it by (`None`).
fn folder_entry(mut stat: Stat, listed_by: Option<i64>) -> Stat {
    if listed_by.is_none_or(|at| racy_folder(&stat, at)) {
        stat.mtime = 0;
    }
    stat
}

/// The file system's time when the scan began, for judging the folders
/// it listed: `fs_now`, the file system's time read after the scan, less
/// what this machine's clock says passed since `began` (its time then;
/// `now` its time as `fs_now` was read). A folder is "read" by its
/// listing, before `fs_now`: judged by `fs_now`, one changed after its
/// listing within the same tick would pass for settled when the scan
/// took more than [`RACY_NS`]. `None` (no folder trusted) when this
/// machine's clock went back in between. Wall-clock times both: a
/// monotonic clock stops while the machine sleeps.
fn folders_listed_by(fs_now: i64, began: SystemTime, now: SystemTime) -> Option<i64> {
    let passed = now.duration_since(began).ok()?;
    Some(fs_now.saturating_sub(i64::try_from(passed.as_nanos()).unwrap_or(i64::MAX)))
}

/// Whether the scan may take an unchanged folder's entries from the stat
/// cache: not when `GITSM_NO_FOLDER_CACHE` is set (to anything but
/// empty), and never where a folder's stat data cannot tell a change
/// (off Unix, its "change time" is its creation time and it has no inode
/// number).
pub(super) fn folder_cache() -> bool {
    cfg!(unix) && std::env::var_os("GITSM_NO_FOLDER_CACHE").is_none_or(|v| v.is_empty())
}

/// The times entries read by a run are judged racily clean against: the
/// files', and the folders' (`None`: every folder is to be listed again).
#[derive(Clone, Copy)]
struct Reference {
    files: i64,
    folders: Option<i64>,
}

impl Reference {
    /// The file system's time now (through the clock file beside
    /// `cache`), the scan having begun at `began` by this machine's
    /// clock. Without the clock file (an index in memory, or a folder
    /// refusing it), this machine's time for the files, and no folder
    /// trusted: their times may be of another clock.
    fn now(cache: Option<&Path>, began: SystemTime, folder_cache: bool) -> Reference {
        match cache.and_then(|c| file_system_now(&c.with_extension("clock")).ok()) {
            Some(files) => Reference {
                files,
                folders: folder_cache
                    .then(|| folders_listed_by(files, began, SystemTime::now()))
                    .flatten(),
            },
            None => Reference {
                files: machine_now(),
                folders: None,
            },
        }
    }
}

/// The time of the file system holding the index, now, in nanoseconds
/// since 1970: the modification time of the file `clock` as writing a
/// byte to it leaves it. The times of the record files are of their file
/// system's clock — a file server's, on a network file system — which
/// may lag this machine's: compared with this machine's clock, a file
/// changed a moment ago could pass for an old one (Git takes the time of
/// its index file as written, for the same reason).
fn file_system_now(clock: &Path) -> std::io::Result<i64> {
    use std::io::Write;
    let open = || {
        crate::write::open_own(
            clock,
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true),
        )
    };
    // A link, a pipe or a folder in its place is not ours to write
    // through: it goes (a folder stays, and this machine's time serves).
    let mut file = match open() {
        Ok(file) => file,
        Err(_) => {
            crate::write::remove_if_present(clock)?;
            open()?
        }
    };
    file.write_all(b"\n")?;
    let modified = file.metadata()?.modified()?;
    Ok(nanos_since_1970(modified))
}

/// This machine's time now, for an index no later run reads (in memory)
/// or one whose folder refuses the clock file.
fn machine_now() -> i64 {
    nanos_since_1970(SystemTime::now())
}

/// A time as nanoseconds since 1970 (0 before it, saturated after 2262).
fn nanos_since_1970(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// Read again what changed. `cache` is the stat cache's file (none for
/// an index in memory); `fresh`, that the tables were just created.
pub(super) fn update(
    tx: &Transaction<'_>,
    ws: &Workspace,
    cache: Option<&Path>,
    fresh: bool,
    notes: &mut Vec<String>,
) -> rusqlite::Result<()> {
    let stamp = stamp(tx)?;
    // What the index knows first: the scan takes the entries of the
    // folders unchanged since from it.
    let (known, from_cache) = known(tx, cache, stamp, fresh)?;
    // When the scan begins, by this machine's clock: the folders are
    // judged by the file system's time then (see [`folders_listed_by`]).
    let began = SystemTime::now();
    let folder_cache = folder_cache();
    // A folder or file the scan could not look at: the index cannot tell
    // what changed, and the command reads the files instead.
    let mut scan = Scan::of(ws, &known, folder_cache)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    // A damaged cache (only one at a path is read) is written again in
    // either branch below, and said to be rebuilt once it is ([`said`]).
    let damaged = from_cache.damaged().map(str::to_owned);
    // The entries of the cache in the order of the scan: each file found
    // is, as a rule, the next entry; else (files added or removed) it is
    // looked up by path. What no file takes is gone from the work tree.
    let mut taken = vec![false; known.len()];
    let mut next = 0;
    let mut by_path: Option<HashMap<&[u8], usize, foldhash::fast::RandomState>> = None;
    let mut path = Vec::new();
    // The row of each file found (-1: none yet), and the files to read
    // again with the row each replaces.
    let mut rows_of = vec![-1; scan.len()];
    let mut todo: Vec<(usize, Option<i64>)> = Vec::new();
    for (i, row) in rows_of.iter_mut().enumerate() {
        let Some(stat) = scan.stats[i] else { continue };
        let at = if next < known.len() && scan.is_at(i, known.get(next).0) {
            Some(next)
        } else {
            scan.path_bytes(i, &mut path);
            by_path
                .get_or_insert_with(|| (0..known.len()).map(|i| (known.get(i).0, i)).collect())
                .get(&path[..])
                .copied()
        };
        let old = at.filter(|&i| !taken[i]).map(|i| {
            taken[i] = true;
            next = i + 1;
            let (_, n, s) = known.get(i);
            (n, s)
        });
        match old {
            Some((n, s)) if s == stat && s.mtime != 0 => *row = n,
            _ => todo.push((i, old.map(|(n, _)| n))),
        }
    }
    let gone: Vec<i64> = (0..known.len())
        .filter(|&i| !taken[i])
        .map(|i| known.get(i).1)
        .collect();
    // The stat cache of the rows as they are now, in the order of the
    // scan, then the folders listed, judged by `folders_at`.
    let now = |scan: &Scan, rows_of: &[i64], folders_at: Option<i64>| {
        let mut now = StatCache::with_capacity(scan.len());
        let mut path = Vec::new();
        for (i, &n) in rows_of.iter().enumerate() {
            if let Some(stat) = scan.stats[i] {
                scan.path_bytes(i, &mut path);
                now.push(&path, n, stat);
            }
        }
        for (path, stat) in scan.folders() {
            now.push_folder(path, folder_entry(stat, folders_at));
        }
        now
    };
    // The file system's time, taken (once) after the scan and before any
    // file is read again: a file changed since it was scanned is seen by
    // its times next run anyway. A folder's reading is its listing,
    // before that: it is judged by the time the scan began.
    let mut clock = None;
    let mut reference = || *clock.get_or_insert_with(|| Reference::now(cache, began, folder_cache));
    if todo.is_empty() && gone.is_empty() {
        // Nothing changed: no row is written, and the cache is written
        // again only when it was not to be trusted, not in the order of
        // the scan (the next run walks it instead of looking up every
        // path), or a folder's entry would change (the next run lists it
        // again otherwise; one still racily clean stays as it is).
        let reordered = by_path.is_some();
        let mut folders_at = || folder_cache.then(|| reference().folders).flatten();
        let folders_changed = !scan.folders().eq(known.folders())
            && !scan
                .folders()
                .map(|(path, stat)| (path, folder_entry(stat, folders_at())))
                .eq(known.folders());
        if let (Some(path), false) = (
            cache,
            matches!(from_cache, Read::Fresh(_)) && !reordered && !folders_changed,
        ) {
            let written = now(&scan, &rows_of, folders_at()).write(path, stamp);
            said(path, written, damaged.as_deref(), notes);
        }
        return Ok(());
    }
    let Reference {
        files: read_at,
        folders: folders_at,
    } = reference();
    let rows: Vec<(usize, Row)> = todo
        .par_iter()
        .filter_map(|&(at, n)| {
            let mut stat = scan.stats[at]?;
            if racy(&stat, read_at) {
                stat.mtime = 0;
            }
            let (kind, _, _) = scan.get(at);
            let rel = scan.path(at);
            let key = super::paths::key(&rel);
            Some((at, Row::read(ws, kind, &rel, key, stat, n)))
        })
        .collect();
    let mut forget = tx.prepare("DELETE FROM files WHERE n = ?1")?;
    let mut forget_refs = tx.prepare("DELETE FROM refs WHERE source = ?1")?;
    let mut forget_text = tx.prepare("DELETE FROM text WHERE rowid = ?1")?;
    for n in &gone {
        forget.execute([n])?;
        forget_refs.execute([n])?;
        forget_text.execute([n])?;
    }
    let mut insert = tx.prepare(
        "INSERT INTO files (n, path, kind, mtime, ctime, size, ino, blob, parsed, id, status,
           open, known_error, priority, title, created_at, record)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?;
    let mut insert_ref =
        tx.prepare("INSERT INTO refs (source, field, pointer, target) VALUES (?1, ?2, ?3, ?4)")?;
    let mut insert_text =
        tx.prepare("INSERT INTO text (rowid, title, body) VALUES (?1, ?2, ?3)")?;
    for (at, row) in &rows {
        if let Some(n) = row.n {
            forget.execute([n])?;
            forget_refs.execute([n])?;
            forget_text.execute([n])?;
        }
        insert.execute(params![
            row.n,
            row.path,
            row.kind.name(),
            row.stat.mtime,
            row.stat.ctime,
            row.stat.size,
            row.stat.ino,
            row.blob,
            row.parsed,
            row.id,
            row.status,
            row.open,
            row.known_error,
            row.priority,
            row.title,
            row.created_at,
            row.record,
        ])?;
        let n = tx.last_insert_rowid();
        rows_of[*at] = n;
        scan.stats[*at] = Some(row.stat);
        for (field, pointer, target) in &row.refs {
            insert_ref.execute(params![n, field, pointer, target])?;
        }
        if let Some((title, body)) = &row.text {
            insert_text.execute(params![n, title, body])?;
        }
    }
    // The rows changed: a new stamp, and the cache written for it before
    // the transaction commits (a run stopped in between leaves a cache
    // of another stamp, which is not trusted).
    let stamp = new_stamp();
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('stamp', ?1)",
        [stamp.to_string()],
    )?;
    if let Some(path) = cache {
        let written = now(&scan, &rows_of, folders_at).write(path, stamp);
        said(path, written, damaged.as_deref(), notes);
    }
    Ok(())
}

/// What a run says of the stat cache it wrote to `path`: rebuilt, when
/// it was `damaged`; that it cannot be kept, when the write failed (a
/// folder in its place: each run then reads the index's rows instead,
/// and says so until it is removed).
fn said(path: &Path, written: std::io::Result<()>, damaged: Option<&str>, notes: &mut Vec<String>) {
    match (written, damaged) {
        (Ok(()), Some(why)) => {
            notes.push(format!("the local index's stat cache was rebuilt: {why}"));
        }
        (Ok(()), None) => {}
        (Err(e), _) => notes.push(format!(
            "the local index's stat cache cannot be written, so each run reads the index's \
             rows instead; remove what stands in its place: {}: {e}",
            path.display()
        )),
    }
}

/// The stamp the rows were last written under (0: none yet).
fn stamp(tx: &Transaction<'_>) -> rusqlite::Result<i64> {
    use rusqlite::OptionalExtension;
    let stored: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'stamp'", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(stored.and_then(|s| s.parse().ok()).unwrap_or(0))
}

/// A stamp no earlier index drew: random, from the standard library's
/// per-process hash keys and the clock.
pub(super) fn new_stamp() -> i64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    h.finish().cast_signed()
}

/// The stat data the index holds: from the stat cache when it is of the
/// rows' stamp, else from the rows (and what was wrong with the cache,
/// `Read::Fresh` holding nothing then).
fn known(
    tx: &Transaction<'_>,
    cache: Option<&Path>,
    stamp: i64,
    fresh: bool,
) -> rusqlite::Result<(StatCache, Read)> {
    if fresh {
        return Ok((StatCache::default(), Read::Stale));
    }
    let why = match cache.map(|path| StatCache::read(path, stamp)) {
        Some(Read::Fresh(cache)) => {
            return Ok((cache, Read::Fresh(StatCache::default())));
        }
        Some(other) => other,
        None => Read::Stale,
    };
    let mut stmt = tx.prepare("SELECT n, path, mtime, ctime, size, ino FROM files")?;
    let mut rows = stmt.query([])?;
    let mut known = StatCache::with_capacity(0);
    while let Some(r) = rows.next()? {
        let path = super::paths::path(r.get_ref(1)?.as_str()?);
        known.push(
            path.as_os_str().as_encoded_bytes(),
            r.get(0)?,
            Stat {
                mtime: r.get(2)?,
                ctime: r.get(3)?,
                size: r.get(4)?,
                ino: r.get(5)?,
            },
        );
    }
    Ok((known, why))
}

impl Stat {
    /// A time of `lstat`, seconds and nanoseconds, as nanoseconds since
    /// 1970 (saturated: a file dated past 2262 does not overflow).
    #[cfg(unix)]
    pub(super) fn nanos(seconds: impl TryInto<i64>, nanos: impl TryInto<i64>) -> i64 {
        seconds
            .try_into()
            .unwrap_or(i64::MAX)
            .saturating_mul(1_000_000_000)
            .saturating_add(nanos.try_into().unwrap_or(0))
    }

    /// What the standard library's `lstat` (or `fstat` of an open file)
    /// says: where the scan does not call the system itself, and for a
    /// file already open ([`super::FileStamp::of`]).
    #[cfg(unix)]
    pub(super) fn of(m: &std::fs::Metadata) -> Stat {
        use std::os::unix::fs::MetadataExt;
        Stat {
            mtime: Stat::nanos(m.mtime(), m.mtime_nsec()),
            ctime: Stat::nanos(m.ctime(), m.ctime_nsec()),
            size: i64::try_from(m.size()).unwrap_or(i64::MAX),
            ino: m.ino().cast_signed(),
        }
    }

    #[cfg(not(unix))]
    pub(super) fn of(m: &std::fs::Metadata) -> Stat {
        let nanos = |t: std::io::Result<SystemTime>| t.map_or(0, nanos_since_1970);
        Stat {
            mtime: nanos(m.modified()),
            ctime: nanos(m.created()),
            size: i64::try_from(m.len()).unwrap_or(i64::MAX),
            ino: 0,
        }
    }
}

/// One file as the index stores it.
struct Row {
    n: Option<i64>,
    path: String,
    kind: Kind,
    stat: Stat,
    blob: Option<String>,
    parsed: bool,
    id: Option<String>,
    status: Option<String>,
    open: bool,
    known_error: bool,
    priority: Option<&'static str>,
    title: Option<String>,
    created_at: Option<String>,
    record: Option<String>,
    refs: Vec<(String, String, String)>,
    text: Option<(String, String)>,
}

impl Row {
    fn read(
        ws: &Workspace,
        kind: Kind,
        rel: &Path,
        path: String,
        stat: Stat,
        n: Option<i64>,
    ) -> Row {
        let (parsed, _) = records::read(ws, kind, rel, Detail::Figures, true);
        let file = parsed.map(|p| p.file);
        let record: Option<&Record> = file.as_ref().and_then(|f| f.record.as_deref());
        Row {
            n,
            path,
            kind,
            stat,
            blob: file.as_ref().and_then(|f| f.blob).map(|b| b.to_string()),
            parsed: file.is_some(),
            id: file.as_ref().and_then(|f| f.id.clone()),
            status: record.map(|r| r.status().to_owned()),
            open: record.is_some_and(crate::sla::Phase::is_open),
            known_error: matches!(record, Some(Record::Problem(p)) if p.known_error && p.status != "cancelled"),
            priority: record
                .and_then(|r| crate::priority::of(r, &ws.config))
                .map(|p| p.name()),
            title: record.map(|r| r.title().to_owned()),
            created_at: record.and_then(Record::created_at).map(|t| t.to_rfc3339()),
            record: record.map(|r| r.to_json().to_string()),
            refs: record
                .map(|r| {
                    r.names()
                        .into_iter()
                        .map(|n| (n.field.to_owned(), n.pointer(), n.target.to_owned()))
                        .collect()
                })
                .unwrap_or_default(),
            text: record.map(super::search::text_of),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i64 = 1_000_000_000;

    fn stat(mtime: i64, ctime: i64) -> Stat {
        Stat {
            mtime,
            ctime,
            size: 10,
            ino: 1,
        }
    }

    #[test]
    fn a_file_changed_within_two_seconds_of_its_reading_is_racily_clean() {
        // Read when the file system said 100 s: changed at 98 s or later
        // (either time), it could change again unseen.
        let now = 100 * SECOND;
        assert!(!racy(&stat(97 * SECOND, 97 * SECOND), now));
        assert!(!racy(&stat(98 * SECOND - 1, 98 * SECOND - 1), now));
        assert!(racy(&stat(98 * SECOND, 90 * SECOND), now));
        assert!(racy(&stat(90 * SECOND, 99 * SECOND), now));
        // Dated after the reading (a clock set forward): racy too.
        assert!(racy(&stat(200 * SECOND, 200 * SECOND), now));
        // A server whose clock lags this machine's by a minute: a file it
        // dated 99 s was changed a second before the reading, though this
        // machine's clock (160 s) would take it for long settled.
        assert!(racy(&stat(99 * SECOND, 99 * SECOND), now));
        assert!(!racy(&stat(99 * SECOND, 99 * SECOND), 160 * SECOND));
    }

    #[test]
    fn a_folder_is_racily_clean_by_either_time() {
        let now = 100 * SECOND;
        assert!(racy_folder(&stat(98 * SECOND, 10 * SECOND), now));
        // Its modification time put back (`rsync -a`, `tar`, `cp -a`):
        // the change time still tells it changed within the tick.
        assert!(racy_folder(&stat(98 * SECOND - 1, 99 * SECOND), now));
        assert!(!racy_folder(&stat(98 * SECOND - 1, 98 * SECOND - 1), now));
    }

    #[test]
    fn a_folder_is_judged_by_the_time_it_was_listed_not_the_clock_read_after() {
        // Listed when the file system said 100 s, its times 100 s; the
        // scan took 3 s, so the clock file read 103 s. Judged by 103 s it
        // would pass for settled; by the 100 s of its listing it is racy.
        let t = 100 * SECOND;
        let began = UNIX_EPOCH + std::time::Duration::from_secs(5_000);
        let now = began + std::time::Duration::from_secs(3);
        let listed_by = folders_listed_by(t + 3 * SECOND, began, now);
        assert_eq!(listed_by, Some(t));
        assert_eq!(folder_entry(stat(t, t), listed_by).mtime, 0);
        assert_eq!(folder_entry(stat(t, t), Some(t + 3 * SECOND)).mtime, t);
        // Long settled: kept as it is.
        assert_eq!(
            folder_entry(stat(50 * SECOND, 50 * SECOND), listed_by).mtime,
            50 * SECOND
        );
        // This machine's clock set back during the scan: nothing to judge
        // by, and no folder is trusted.
        assert_eq!(folders_listed_by(t, now, began), None);
    }

    #[test]
    fn without_the_file_system_clock_no_folder_is_trusted() {
        // An index whose folder refuses the clock file (or one in memory):
        // every folder is marked to be listed again, however old.
        let dir = tempfile::tempdir().expect("tempdir");
        let refused = dir.path().join("absent/index.sqlite.stat");
        let reference = Reference::now(Some(&refused), UNIX_EPOCH, true);
        assert_eq!(reference.folders, None);
        assert_eq!(
            folder_entry(stat(SECOND, SECOND), reference.folders).mtime,
            0
        );
        assert_eq!(Reference::now(None, UNIX_EPOCH, true).folders, None);
        // The folder cache turned off: the same, clock or not.
        let kept = dir.path().join("index.sqlite.stat");
        assert_eq!(Reference::now(Some(&kept), UNIX_EPOCH, false).folders, None);
        assert!(
            Reference::now(Some(&kept), UNIX_EPOCH, true)
                .folders
                .is_some()
        );
    }

    #[test]
    fn the_file_system_now_is_the_time_it_gives_the_clock_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = dir.path().join("index.sqlite.clock");
        let now = file_system_now(&clock).expect("written");
        // Whatever this machine's clock says: the file's own time, as the
        // file system keeps it.
        let kept = std::fs::metadata(&clock)
            .and_then(|m| m.modified())
            .expect("mtime");
        assert_eq!(now, nanos_since_1970(kept));
        // A folder that cannot hold it: an error (the caller falls back).
        assert!(file_system_now(&dir.path().join("absent/index.sqlite.clock")).is_err());
    }
}
