//! The local index: every record of the work tree, parsed once and kept in
//! an SQLite database under the Git directory
//! (`<git dir>/gitsm/index.sqlite`), so that commands about one record or a
//! filtered few cost that, not a parse of the whole tree.
//!
//! It is derived data, never the source of truth. Each run brings it up to
//! date the way Git's own index is: every record file is `lstat`ed, and a
//! file whose size, times or inode differ from what the index recorded is
//! read and parsed again (as is one changed so recently that a later edit
//! could share its timestamp: "racily clean", as Git calls it). The stat
//! data is read from a flat file next to the database
//! (`index.sqlite.stat`, see `stat_cache`), derived from its rows and
//! trusted only while it names their stamp. An index of
//! another format, of another policy or schemas (`gitsm.yaml`,
//! `schemas/`), of another gitsm version, or one SQLite finds damaged is
//! rebuilt from the records, never trusted: damage found as a command
//! reads it (a page of records or of the full text the opening did not
//! read) removes it there and then ([`LocalIndex::damaged`]). Two runs at once are serialised
//! by SQLite (the update is one write transaction; readers see the last
//! committed state). Outside Git, or when the Git directory cannot be
//! written, the index is built in memory for the one run.

mod paths;
mod refresh;
mod scan;
mod schema;
pub mod search;
pub mod sql;
mod stat_cache;

pub use scan::{FileStamp, OpenFolder};
#[cfg(any(test, feature = "test-support"))]
pub mod testing;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::kind::Kind;
use crate::model::Record;
use crate::records::{Loaded, RecordFile};
use crate::workspace::Workspace;

/// Why the index could not be used.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("the local index {path}: {message}")]
    Sqlite { path: String, message: String },
    /// SQLite finds the file damaged, or not a database at all.
    #[error("the local index {path} is damaged: {message}")]
    Damaged { path: String, message: String },
    /// It cannot be created or written there (a read-only checkout, a
    /// Git directory of another user, a lock held for minutes).
    #[error(
        "the local index {path} cannot be written ({message}); it is built in memory for this run"
    )]
    Unwritable { path: String, message: String },
}

/// An index SQLite found damaged as it was read ([`LocalIndex::damaged`]).
#[derive(Debug, Clone)]
pub struct Damage {
    /// What to tell the user.
    pub note: String,
    /// Whether it was removed (the next opening rebuilds it).
    pub removed: bool,
}

/// The local index of one work tree, up to date with its files.
pub struct LocalIndex {
    conn: Connection,
    /// What opening it found worth saying (a rebuild and why).
    pub notes: Vec<String>,
    /// Its file; `None` in memory.
    path: Option<PathBuf>,
}

/// Which records to take from the index: a superset of what a command
/// shows, which still filters them (`Query::matches`).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// These kinds (all when empty).
    pub kinds: Vec<Kind>,
    /// Only tickets that still need work.
    pub open: bool,
    /// Only these statuses (any when empty).
    pub statuses: Vec<String>,
    /// Every CI too, whatever the filters (their service classes set
    /// SLA targets).
    pub with_cis: bool,
    /// And the records with these ids, whatever the filters.
    pub also: Vec<String>,
}

impl LocalIndex {
    /// The index of the work tree of `ws`, brought up to date: opened from
    /// the Git directory (created, or rebuilt when it cannot be trusted),
    /// else built in memory.
    pub fn open(ws: &Workspace) -> Result<LocalIndex, IndexError> {
        let Some(path) = location(ws) else {
            return LocalIndex::in_memory(ws, Vec::new());
        };
        // The temp files of runs killed while they wrote the stat cache.
        if let Some(folder) = path.parent() {
            crate::write::sweep(folder);
        }
        match LocalIndex::on_disk(ws, &path) {
            Ok(index) => Ok(index),
            Err(damaged @ IndexError::Damaged { .. }) => {
                // Damaged (or not a database at all): start again from the
                // records.
                let removed = remove(&path);
                let why = first_line(&damaged.to_string()).to_owned();
                match LocalIndex::on_disk(ws, &path) {
                    Ok(mut index) => {
                        index
                            .notes
                            .insert(0, format!("the local index was rebuilt: {why}"));
                        Ok(index)
                    }
                    // Still there (a folder is not removed), or not
                    // writable: not claimed rebuilt.
                    Err(e) => {
                        let cannot = match removed {
                            Err(removing) => removing.to_string(),
                            Ok(()) => first_line(&e.to_string()).to_owned(),
                        };
                        LocalIndex::in_memory(
                            ws,
                            vec![format!(
                                "{why}; it cannot be replaced ({cannot}), so it is built in \
                                 memory for this run: remove what stands in its place"
                            )],
                        )
                    }
                }
            }
            // Not writable there, or failing otherwise: this run builds
            // one in memory and says why; the file is left as it is.
            Err(other) => LocalIndex::in_memory(ws, vec![other.to_string()]),
        }
    }

    fn on_disk(ws: &Workspace, path: &Path) -> Result<LocalIndex, IndexError> {
        use rusqlite::ErrorCode;
        let at = path.display().to_string();
        let err = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(
                ErrorCode::CannotOpen
                | ErrorCode::ReadOnly
                | ErrorCode::PermissionDenied
                | ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked,
            ) => IndexError::Unwritable {
                path: at.clone(),
                message: e.to_string(),
            },
            // Corrupt, not a database, not laid out as this build lays it
            // out (a table or column missing: SQLite's plain error), or
            // holding what its own constraints refuse (rows a damaged page
            // hid, seen twice): rebuilt.
            Some(
                ErrorCode::DatabaseCorrupt
                | ErrorCode::NotADatabase
                | ErrorCode::Unknown
                | ErrorCode::ConstraintViolation,
            ) => IndexError::Damaged {
                path: at.clone(),
                message: e.to_string(),
            },
            _ => IndexError::Sqlite {
                path: at.clone(),
                message: e.to_string(),
            },
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| IndexError::Unwritable {
                path: at.clone(),
                message: e.to_string(),
            })?;
        }
        // Only regular files gitsm (or SQLite) made, the index and its
        // journal: a link is not written through (nor, by SQLite,
        // followed), a pipe or a folder not opened. Each is removed, and
        // the index built again, as for any damage: SQLite refuses to
        // open past one, run after run.
        for file in SQLITE_FILES.map(|suffix| beside(path, suffix)) {
            if let Ok(meta) = std::fs::symlink_metadata(&file)
                && !meta.is_file()
            {
                return Err(IndexError::Damaged {
                    path: file.display().to_string(),
                    message: "not a regular file".into(),
                });
            }
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_NOFOLLOW,
        )
        .map_err(err)?;
        // A rebuild by another run may take seconds at 100,000 records.
        conn.busy_timeout(Duration::from_secs(120)).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "wal")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "normal")
            .map_err(err)?;
        let mut index = LocalIndex {
            conn,
            notes: Vec::new(),
            path: Some(path.to_owned()),
        };
        index
            .refresh(ws, Some(&stat_cache::StatCache::location(path)))
            .map_err(err)?;
        Ok(index)
    }

    fn in_memory(ws: &Workspace, notes: Vec<String>) -> Result<LocalIndex, IndexError> {
        let err = |e: rusqlite::Error| IndexError::Sqlite {
            path: ":memory:".into(),
            message: e.to_string(),
        };
        let mut index = LocalIndex {
            conn: Connection::open_in_memory().map_err(err)?,
            notes,
            path: None,
        };
        index.refresh(ws, None).map_err(err)?;
        Ok(index)
    }

    /// Whether `e`, met reading the index, is SQLite finding it damaged:
    /// SQLite checks a page as it reads it, and opening the index reads
    /// only what changed, so a damaged page of records or of the full text
    /// shows first here. The index is then removed (another run holding it
    /// open keeps its own copy), so that the next opening rebuilds it from
    /// the records ([`LocalIndex::again`]).
    pub fn damaged(&self, e: &rusqlite::Error) -> Option<Damage> {
        use rusqlite::ErrorCode;
        let code = e.sqlite_error_code()?;
        if !matches!(code, ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) {
            return None;
        }
        let why = first_line(&e.to_string()).to_owned();
        Some(match self.path.as_deref().map(remove) {
            Some(Err(cannot)) => Damage {
                note: format!(
                    "the local index is damaged ({why}) and cannot be removed ({cannot}): \
                     it is built in memory for this run"
                ),
                removed: false,
            },
            _ => Damage {
                note: format!("the local index is damaged ({why}): it is rebuilt from the records"),
                removed: true,
            },
        })
    }

    /// The index to ask again after `damage`: opened anew, and so rebuilt
    /// from the records, when the damaged one was removed; else built in
    /// memory for this run (opened, the damaged file would be trusted
    /// again).
    pub fn again(ws: &Workspace, damage: &Damage) -> Result<LocalIndex, IndexError> {
        if damage.removed {
            LocalIndex::open(ws)
        } else {
            LocalIndex::in_memory(ws, Vec::new())
        }
    }

    /// Bring the index up to date with the work tree, in one write
    /// transaction (another run's update waits for it, or it for them),
    /// comparing the files with the stat cache at `cache` (none in
    /// memory).
    fn refresh(&mut self, ws: &Workspace, cache: Option<&Path>) -> rusqlite::Result<()> {
        let fingerprint = schema::fingerprint(ws);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let stale = schema::stale(&tx, &fingerprint)?;
        if let Some(why) = &stale {
            if why != schema::NEW {
                self.notes
                    .push(format!("the local index was rebuilt: {why}"));
            }
            schema::create(&tx, ws, &fingerprint)?;
        }
        refresh::update(&tx, ws, cache, stale.is_some(), &mut self.notes)?;
        tx.commit()
    }

    /// The record files of `selection` as the loader gives them, in the
    /// order a full read lists them.
    pub fn loaded(&self, selection: &Selection) -> rusqlite::Result<Loaded> {
        let mut args: Vec<String> = Vec::new();
        let mut wanted = vec!["1".to_owned()];
        // Every kind is no filter: the table is read as it is stored, not
        // row by row through an index.
        if !selection.kinds.is_empty() && !Kind::ALL.iter().all(|k| selection.kinds.contains(k)) {
            wanted.push(format!(
                "kind IN ({})",
                placeholders(selection.kinds.len(), 0)
            ));
            args.extend(selection.kinds.iter().map(|k| k.name().to_owned()));
        }
        let of_kinds = wanted.join(" AND ");
        if selection.open {
            wanted.push("open = 1".to_owned());
        }
        if !selection.statuses.is_empty() {
            wanted.push(format!(
                "status IN ({})",
                placeholders(selection.statuses.len(), args.len())
            ));
            args.extend(selection.statuses.iter().cloned());
        }
        let mut or = String::new();
        if selection.with_cis {
            or.push_str(" OR kind = 'ci'");
        }
        if !selection.also.is_empty() {
            or.push_str(&format!(
                " OR id IN ({})",
                placeholders(selection.also.len(), args.len())
            ));
            args.extend(selection.also.iter().cloned());
        }
        const COLUMNS: &str = "SELECT path, kind, id, blob, parsed, record FROM files";
        let chosen = format!("({}){or}", wanted.join(" AND "));
        let mut sql = format!("{COLUMNS} WHERE {chosen}");
        // A file of these kinds that could not be read has no status to
        // filter on: taken as a full read takes it (and warned of), found
        // by an index of its own.
        if selection.open || !selection.statuses.is_empty() {
            sql.push_str(&format!(
                " UNION ALL {COLUMNS} WHERE record IS NULL AND {of_kinds} AND NOT coalesce({chosen}, 0)"
            ));
        }
        self.files(&sql, args)
    }

    /// The files holding a record `id` (of any kind), the records they
    /// name, the records naming it, and — for an incident — the resolved
    /// incidents, known errors and knowledge articles that may be like it:
    /// what `show` needs. The incidents sharing a record it names are
    /// found from those names (`CROSS JOIN` fixes that order: SQLite
    /// otherwise walks every incident), and only in the statuses
    /// [`crate::cmdb::similar`] offers. With every other file holding the
    /// id of one of those: an id two files hold resolves, as in a full
    /// read, to the first in the order files are read.
    pub fn neighbourhood(&self, id: &str) -> rusqlite::Result<Loaded> {
        self.files(
            "WITH me(n) AS (SELECT n FROM files WHERE id = ?1),
                  named(target) AS (SELECT target FROM refs WHERE source IN me),
                  near(n) AS (
                    SELECT n FROM me
                    UNION SELECT files.n FROM files JOIN named ON files.id = named.target
                    UNION SELECT source FROM refs WHERE target = ?1
                    UNION SELECT refs.source FROM named
                      CROSS JOIN refs ON refs.target = named.target
                      CROSS JOIN files ON files.n = refs.source
                      WHERE files.kind = 'incident' AND files.status IN (?2, ?3)
                    UNION SELECT n FROM files WHERE kind = 'problem' AND known_error = 1
                    UNION SELECT n FROM files WHERE kind = 'article')
             SELECT path, kind, id, blob, parsed, record FROM files
             WHERE n IN near OR id IN (SELECT id FROM files WHERE n IN near)",
            std::iter::once(id)
                .chain(crate::cmdb::SIMILAR_STATUSES)
                .map(str::to_owned)
                .collect(),
        )
        .and_then(|loaded| self.all_rows_of(id).map(|()| loaded))
    }

    /// Whether every row the index of ids lists under `id` can be read:
    /// a damaged page of records may hide a row without SQLite seeing
    /// damage (the row is not found by its number), and `show` would say
    /// there is no such record. One that cannot is damage.
    fn all_rows_of(&self, id: &str) -> rusqlite::Result<()> {
        let missing: i64 = self.conn.query_row(
            "SELECT (SELECT count(*) FROM files INDEXED BY files_id WHERE id = ?1)
                  - (SELECT count(*) FROM files
                     WHERE n IN (SELECT n FROM files INDEXED BY files_id WHERE id = ?1)
                       AND length(path) > 0)",
            [id],
            |row| row.get(0),
        )?;
        if missing == 0 {
            return Ok(());
        }
        Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            Some(format!("{missing} row(s) of `{id}` cannot be read")),
        ))
    }

    /// The ids of the open incidents whose `event.key` is `key`, oldest
    /// first: what `gitsm intake` adds a repeat of an alert to.
    pub fn open_incidents_with_event(&self, key: &str) -> rusqlite::Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT id FROM files WHERE kind = 'incident' AND open AND id IS NOT NULL
               AND record ->> '$.event.key' = ?1 ORDER BY created_at, id",
        )?;
        stmt.query_map([key], |row| row.get(0))?.collect()
    }

    /// Every id of the index, for "did you mean".
    pub fn ids(&self) -> rusqlite::Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT id FROM files WHERE id IS NOT NULL ORDER BY id")?;
        stmt.query_map([], |row| row.get(0))?.collect()
    }

    fn files(&self, sql: &str, args: Vec<String>) -> rusqlite::Result<Loaded> {
        use rayon::prelude::*;
        /// Rows decoded at a time, side by side: the JSON text of a chunk
        /// is dropped before the next is read.
        const CHUNK: usize = 4096;
        type Raw = (
            String,
            String,
            Option<String>,
            Option<String>,
            bool,
            Option<String>,
        );
        // Counted first, so that the files are gathered in one allocation
        // of their size: 100,000 of them grown by doubling would leave the
        // smaller copies behind, freed but still resident for a while.
        let expected: i64 = self.conn.query_row(
            &format!("SELECT count(*) FROM ({sql})"),
            rusqlite::params_from_iter(&args),
            |row| row.get(0),
        )?;
        let mut files: Vec<RecordFile> =
            Vec::with_capacity(usize::try_from(expected).unwrap_or_default());
        let mut checked = 0;
        let decode_chunk = |raw: &mut Vec<Raw>, files: &mut Vec<RecordFile>| {
            files.par_extend(raw.par_drain(..).filter_map(
                |(path, kind, id, blob, parsed, record)| {
                    // A file that failed its schema counts, unlisted.
                    let kind = kind.parse::<Kind>().unwrap_or(Kind::Incident);
                    parsed.then(|| RecordFile {
                        path: paths::path(&path),
                        kind,
                        id,
                        id_pos: crate::yaml::Pos::START,
                        refs: Vec::new(),
                        record: record
                            .as_deref()
                            .and_then(|json| decode(kind, json))
                            .map(Box::new),
                        blob: blob.as_deref().and_then(|b| git2::Oid::from_str(b).ok()),
                    })
                },
            ));
        };
        let mut stmt = self.conn.prepare(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        let mut raw: Vec<Raw> = Vec::with_capacity(CHUNK);
        while let Some(row) = rows.next()? {
            checked += 1;
            raw.push((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ));
            if raw.len() == CHUNK {
                decode_chunk(&mut raw, &mut files);
            }
        }
        decode_chunk(&mut raw, &mut files);
        files.par_sort_unstable_by(full_read_order);
        Ok(Loaded {
            checked,
            files,
            diagnostics: Vec::new(),
        })
    }
}

/// The order of a full read: by kind, then path component by component
/// (`/` sorts before any byte a name may hold). The kind is the one the
/// scan gave the row, that of the file's folder. Compared as they are,
/// without a key made for each of 100,000 files: the paths' bytes up to
/// where they differ.
fn full_read_order(a: &RecordFile, b: &RecordFile) -> std::cmp::Ordering {
    let (x, y) = (
        a.path.as_os_str().as_encoded_bytes(),
        b.path.as_os_str().as_encoded_bytes(),
    );
    let separator_first = |b: u8| if b == b'/' { 0 } else { b };
    a.kind
        .cmp(&b.kind)
        .then_with(|| match x.iter().zip(y).position(|(p, q)| p != q) {
            Some(at) => separator_first(x[at]).cmp(&separator_first(y[at])),
            None => x.len().cmp(&y.len()),
        })
}

/// A record as the index stores it (its typed form as JSON).
fn decode(kind: Kind, json: &str) -> Option<Record> {
    Some(match kind {
        Kind::Incident => Record::Incident(serde_json::from_str(json).ok()?),
        Kind::Problem => Record::Problem(serde_json::from_str(json).ok()?),
        Kind::Change => Record::Change(serde_json::from_str(json).ok()?),
        Kind::Request => Record::Request(serde_json::from_str(json).ok()?),
        Kind::Ci => Record::Ci(serde_json::from_str(json).ok()?),
        Kind::Article => Record::Article(serde_json::from_str(json).ok()?),
    })
}

/// `?N, ?N+1, …`: `count` numbered parameters after the first `after`.
fn placeholders(count: usize, after: usize) -> String {
    (after + 1..=after + count)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Remove the index at `path` and the files SQLite and the stat cache
/// keep beside it (each as it stands: a link is removed, not followed).
fn remove(path: &Path) -> std::io::Result<()> {
    let mut failed = Ok(());
    let sqlite = SQLITE_FILES.map(|suffix| beside(path, suffix));
    for file in sqlite
        .into_iter()
        .chain([stat_cache::StatCache::location(path)])
    {
        if let Err(e) = std::fs::remove_file(file)
            && e.kind() != std::io::ErrorKind::NotFound
            && failed.is_ok()
        {
            failed = Err(e);
        }
    }
    failed
}

/// What SQLite keeps of the index at a path (its name then): the
/// database, its write-ahead log and its shared memory.
const SQLITE_FILES: [&str; 3] = ["", "-wal", "-shm"];

/// The file named as `index` with `suffix` after it.
fn beside(index: &Path, suffix: &str) -> PathBuf {
    let mut name = index.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// Whether commands may use the index: not when `GITSM_NO_INDEX` is set
/// (they then read every file, as `validate --all` always does).
pub fn enabled() -> bool {
    std::env::var_os("GITSM_NO_INDEX").is_none_or(|v| v.is_empty())
}

/// `<git dir>/gitsm/index.sqlite` (the Git directory of the work tree: a
/// linked worktree has its own); for a managed root below the top of the
/// work tree, `index-<hash of its path there>.sqlite`, so that two roots
/// in one repository do not rebuild each other's. `None` outside Git.
pub fn location(ws: &Workspace) -> Option<PathBuf> {
    let repo = crate::git::open(&ws.root)?;
    repo.workdir()?;
    let prefix = crate::git::prefix(&repo, &ws.root).unwrap_or_default();
    let name = if prefix.as_os_str().is_empty() {
        "index.sqlite".to_owned()
    } else {
        format!(
            "index-{}.sqlite",
            crate::git::short_name(prefix.as_os_str())
        )
    };
    Some(repo.path().join("gitsm").join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(kind: Kind, path: &str) -> RecordFile {
        RecordFile {
            path: PathBuf::from(path),
            kind,
            id: None,
            id_pos: crate::yaml::Pos::START,
            refs: Vec::new(),
            record: None,
            blob: None,
        }
    }

    /// Kinds in their order (the CIs after the tickets, although `cis`
    /// sorts first by name), and a year folder where its name sorts, its
    /// files before a name that only begins like it.
    #[test]
    fn files_come_in_the_order_of_a_full_read() {
        let mut files = [
            file(Kind::Ci, "cis/shop.yaml"),
            file(Kind::Problem, "problems/PRB-0001.yaml"),
            file(Kind::Incident, "incidents/INC-0002.yaml"),
            file(Kind::Incident, "incidents/2026-x.yaml"),
            file(Kind::Incident, "incidents/2026/INC-0009.yaml"),
            file(Kind::Incident, "incidents/INC-0001.yaml"),
            file(Kind::Incident, "incidents/INC-0001.yaml.yaml"),
        ];
        files.sort_unstable_by(full_read_order);
        let paths: Vec<_> = files
            .iter()
            .map(|f| f.path.to_str().expect("UTF-8"))
            .collect();
        assert_eq!(
            paths,
            [
                "incidents/2026/INC-0009.yaml",
                "incidents/2026-x.yaml",
                "incidents/INC-0001.yaml",
                "incidents/INC-0001.yaml.yaml",
                "incidents/INC-0002.yaml",
                "problems/PRB-0001.yaml",
                "cis/shop.yaml",
            ]
        );
    }

    /// A repository of one incident (its word: zebrafinch) and its index
    /// built on disk, with where it is.
    fn indexed() -> (tempfile::TempDir, Workspace, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        git2::Repository::init(dir.path()).expect("git init");
        std::fs::create_dir(dir.path().join("incidents")).expect("folder");
        std::fs::write(
            dir.path().join("incidents/INC-0001.yaml"),
            "id: INC-0001\ntitle: Card payments fail\nstatus: new\n\
             created_at: 2026-11-21T09:00:00+01:00\nreported_by: someone@example.com\n\
             impact: high\nurgency: high\ndescription: Seen by the zebrafinch team.\n",
        )
        .expect("record");
        let ws = Workspace {
            root: dir.path().to_path_buf(),
            config: crate::policy::Policy::new(crate::config::Config::default()),
            schemas: crate::schema::Schemas::builtin().expect("schemas"),
            imported: Default::default(),
        };
        let path = location(&ws).expect("in Git");
        let index = LocalIndex::open(&ws).expect("index");
        assert!(index.notes.is_empty(), "{:?}", index.notes);
        assert_eq!(index.path.as_deref(), Some(path.as_path()));
        (dir, ws, path)
    }

    /// The index at `path` as a run that read no row opening it has it.
    fn opened_without_a_read(path: &Path) -> LocalIndex {
        LocalIndex {
            conn: Connection::open(path).expect("open"),
            notes: Vec::new(),
            path: Some(path.to_owned()),
        }
    }

    fn search(word: &str) -> search::Search {
        search::Search {
            text: word.into(),
            kind: None,
            open: false,
            limit: 20,
        }
    }

    #[test]
    fn attack_full_text_damaged_where_opening_reads_nothing_is_rebuilt_when_searched() {
        let (_dir, ws, path) = indexed();
        // The full text's pages: read by a search, not by an opening that
        // finds no file changed.
        super::testing::damage(&path, "text_data");
        let index = opened_without_a_read(&path);
        let Err(search::SearchError::Sqlite(e)) = index.search(&search("zebrafinch")) else {
            panic!("a damaged full text was searched");
        };
        let damage = index.damaged(&e).expect("found damaged");
        assert!(damage.removed);
        assert!(
            damage.note.contains("rebuilt from the records"),
            "{damage:?}"
        );
        assert!(!path.exists(), "the damaged index stays to be trusted");
        drop(index);
        let index = LocalIndex::open(&ws).expect("rebuilt");
        let hits = index.search(&search("zebrafinch")).expect("search");
        assert_eq!(hits.len(), 1);
    }

    #[test]
    fn attack_records_damaged_where_opening_reads_nothing_are_rebuilt_when_listed() {
        let (_dir, ws, path) = indexed();
        super::testing::damage(&path, "files");
        let index = opened_without_a_read(&path);
        let e = match index.loaded(&Selection::default()) {
            Err(e) => e,
            Ok(loaded) => panic!("{} files read from a damaged index", loaded.files.len()),
        };
        assert!(index.damaged(&e).is_some(), "{e}");
        assert!(!path.exists());
        drop(index);
        let index = LocalIndex::open(&ws).expect("rebuilt");
        let loaded = index.loaded(&Selection::default()).expect("read");
        assert_eq!(loaded.files.len(), 1);
        // Another error is no damage: the index stays.
        let other = rusqlite::Error::InvalidQuery;
        assert!(index.damaged(&other).is_none());
        assert!(path.exists());
    }

    /// The page of `table`'s tree at `path` and its bytes.
    fn root_page(path: &Path, table: &str) -> (u64, Vec<u8>) {
        let (at, size) = super::testing::root_page(path, table);
        let bytes = std::fs::read(path).expect("read");
        let start = usize::try_from(at).expect("offset");
        (at, bytes[start..start + size].to_vec())
    }

    #[test]
    fn attack_a_row_damage_hides_is_no_record_to_show_but_damage() {
        // The one row's number changed in its page: the index of ids
        // still lists it, and fetched by its number it is not there, with
        // no error from SQLite. `show` said there was no such record.
        let (_dir, ws, path) = indexed();
        let (at, mut page) = root_page(&path, "files");
        assert_eq!(page[0], 0x0d, "a leaf of the table");
        let cell = usize::from(u16::from_be_bytes([page[8], page[9]]));
        // Past the payload's size (a varint), the row's number: 1.
        let mut number = cell;
        while page[number] & 0x80 != 0 {
            number += 1;
        }
        number += 1;
        assert_eq!(page[number], 1, "the row's number");
        page[number] = 2;
        let mut bytes = std::fs::read(&path).expect("read");
        let at = usize::try_from(at).expect("offset");
        bytes[at..at + page.len()].copy_from_slice(&page);
        std::fs::write(&path, bytes).expect("write");
        let index = opened_without_a_read(&path);
        let e = match index.neighbourhood("INC-0001") {
            Err(e) => e,
            Ok(loaded) => panic!("{} files and no damage", loaded.files.len()),
        };
        let damage = index.damaged(&e).expect("damage");
        assert!(
            damage.note.contains("of `INC-0001` cannot be read"),
            "{damage:?}"
        );
        drop(index);
        let index = LocalIndex::again(&ws, &damage).expect("rebuilt");
        let loaded = index.neighbourhood("INC-0001").expect("read");
        assert_eq!(loaded.files.len(), 1);
    }

    #[test]
    fn a_damaged_index_that_cannot_be_removed_is_never_trusted_again_in_the_run() {
        let (_dir, ws, path) = indexed();
        super::testing::damage(&path, "files");
        // A folder where the stat cache goes: not removed.
        let stat = stat_cache::StatCache::location(&path);
        let _ = std::fs::remove_file(&stat);
        std::fs::create_dir(&stat).expect("a folder");
        let index = opened_without_a_read(&path);
        let Err(e) = index.loaded(&Selection::default()) else {
            panic!("a damaged index read");
        };
        let damage = index.damaged(&e).expect("damage");
        assert!(!damage.removed);
        assert!(
            damage.note.contains("cannot be removed") && !damage.note.contains("rebuilt"),
            "{damage:?}"
        );
        drop(index);
        // Not opened again (the file would be trusted): built in memory.
        let index = LocalIndex::again(&ws, &damage).expect("in memory");
        assert_eq!(index.path, None);
        assert_eq!(
            index
                .loaded(&Selection::default())
                .expect("read")
                .files
                .len(),
            1
        );
    }
}
