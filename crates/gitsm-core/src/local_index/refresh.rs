//! Bringing the index up to date with the work tree: `lstat` every record
//! file, read again those whose stat data changed, drop those gone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use rusqlite::{Transaction, params};

use crate::kind::Kind;
use crate::model::Record;
use crate::records::{self, Detail};
use crate::workspace::Workspace;

/// What `lstat` says of a file, as the index compares it. `mtime` 0 marks
/// an entry to read again whatever its stat data ("racily clean").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stat {
    mtime: i64,
    ctime: i64,
    size: i64,
    ino: i64,
}

/// A file changed within this many nanoseconds of the scan may change
/// again without its times moving (timestamps are coarser than writes on
/// some file systems): its entry is marked to be read again next time.
const RACY_NS: i64 = 2_000_000_000;

/// Read again what changed.
pub(super) fn update(tx: &Transaction<'_>, ws: &Workspace) -> rusqlite::Result<()> {
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
    // The files are listed and `lstat`ed while what the index knows is
    // read: neither waits for the other.
    let ((paths, stats), known) = std::thread::scope(|scope| {
        let scan = scope.spawn(|| scan(ws));
        let known = known(tx);
        let scanned = scan
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (scanned, known)
    });
    // What is left of `known` once every file found is taken out of it
    // is gone from the work tree.
    let mut known = known?;
    let mut todo: Vec<(Kind, &PathBuf, String, Stat, Option<i64>)> = Vec::new();
    for ((kind, rel), stat) in paths.iter().zip(stats) {
        let Some(stat) = stat else { continue };
        let key = super::paths::key(rel);
        let old = known.remove(&key);
        if old.is_some_and(|(_, s)| s == stat && s.mtime != 0) {
            continue;
        }
        todo.push((*kind, rel, key, stat, old.map(|(n, _)| n)));
    }
    let rows: Vec<Row> = todo
        .par_iter()
        .map(|(kind, rel, key, stat, n)| {
            let mut stat = *stat;
            if stat.mtime >= started - RACY_NS || stat.ctime >= started - RACY_NS {
                stat.mtime = 0;
            }
            Row::read(ws, *kind, rel, key.clone(), stat, *n)
        })
        .collect();
    let mut forget = tx.prepare("DELETE FROM files WHERE n = ?1")?;
    let mut forget_refs = tx.prepare("DELETE FROM refs WHERE source = ?1")?;
    let mut forget_text = tx.prepare("DELETE FROM text WHERE rowid = ?1")?;
    for (n, _) in known.values() {
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
    for row in &rows {
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
        for (field, pointer, target) in &row.refs {
            insert_ref.execute(params![n, field, pointer, target])?;
        }
        if let Some((title, body)) = &row.text {
            insert_text.execute(params![n, title, body])?;
        }
    }
    Ok(())
}

/// Every record file of the work tree, and what `lstat` says of it
/// (`None`: gone since it was listed).
fn scan(ws: &Workspace) -> (Vec<(Kind, PathBuf)>, Vec<Option<Stat>>) {
    let (found, _) = records::discover_entries(ws, &Kind::ALL);
    let stats = found.par_iter().map(|(_, _, e)| stat(e)).collect();
    (found.into_iter().map(|(k, p, _)| (k, p)).collect(), stats)
}

/// Paths to what the index holds of them; paths are not attacker-chosen
/// keys of a server, so a fast hasher will do.
type Known = HashMap<String, (i64, Stat), foldhash::fast::RandomState>;

/// The stat data the index holds, by path.
fn known(tx: &Transaction<'_>) -> rusqlite::Result<Known> {
    let mut stmt = tx.prepare("SELECT n, path, mtime, ctime, size, ino FROM files")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(1)?,
            (
                r.get(0)?,
                Stat {
                    mtime: r.get(2)?,
                    ctime: r.get(3)?,
                    size: r.get(4)?,
                    ino: r.get(5)?,
                },
            ),
        ))
    })?;
    rows.collect()
}

#[cfg(unix)]
fn stat(entry: &std::fs::DirEntry) -> Option<Stat> {
    use std::os::unix::fs::MetadataExt;
    let m = entry.metadata().ok()?;
    Some(Stat {
        mtime: m.mtime() * 1_000_000_000 + m.mtime_nsec(),
        ctime: m.ctime() * 1_000_000_000 + m.ctime_nsec(),
        size: i64::try_from(m.size()).unwrap_or(i64::MAX),
        ino: m.ino().cast_signed(),
    })
}

#[cfg(not(unix))]
fn stat(entry: &std::fs::DirEntry) -> Option<Stat> {
    let m = entry.metadata().ok()?;
    let nanos = |t: std::io::Result<SystemTime>| {
        t.ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
    };
    Some(Stat {
        mtime: nanos(m.modified()),
        ctime: nanos(m.created()),
        size: i64::try_from(m.len()).unwrap_or(i64::MAX),
        ino: 0,
    })
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
