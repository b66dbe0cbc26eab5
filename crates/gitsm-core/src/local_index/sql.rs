//! Read-only SQL over the index's documented views (`gitsm query`), and
//! standalone copies of them for BI tools (`gitsm export`).

use std::path::Path;
use std::sync::mpsc::RecvTimeoutError;

use super::LocalIndex;
use rusqlite::ErrorCode;
use rusqlite::types::ValueRef;

/// The views a query may read and an export writes, in order: every
/// record, a view per kind (named as its folder: `incidents`, `kb`), then
/// links, notes, decisions and clocks.
pub fn views() -> impl Iterator<Item = &'static str> {
    let kinds = crate::kind::Kind::ALL.iter().map(|kind| kind.folder());
    std::iter::once("records")
        .chain(kinds)
        .chain(["links", "notes", "decisions", "clocks"])
}

/// One SLA clock of an open ticket, read at one instant: a row of the
/// `clocks` table.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockRow {
    pub record: String,
    pub kind: &'static str,
    pub priority: Option<&'static str>,
    /// `response` or `resolution`.
    pub clock: &'static str,
    /// `ok`, `at_risk` or `breached` while it runs, `met` or `missed`
    /// once stopped (a response clock of a ticket still open).
    pub state: &'static str,
    pub target_seconds: i64,
    pub elapsed_seconds: i64,
    pub remaining_seconds: i64,
    /// UTC, `2026-11-21T09:00:00Z`.
    pub due: Option<String>,
    pub paused: bool,
    /// When the clocks were read (UTC).
    pub at: String,
}

/// Why a query was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    #[error("only a single read-only statement (SELECT, WITH …) may run: {0}")]
    NotReadOnly(String),
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(String),
    /// The index was found damaged as it was read, and removed: the next
    /// run rebuilds it ([`LocalIndex::damaged`]).
    #[error("{}{}", .0.note, if .0.removed { "; run the command again" } else { "" })]
    Damaged(super::Damage),
    /// It ran past its time limit, and was stopped.
    #[error(
        "the statement ran past its time limit ({}s); narrow it (WHERE, LIMIT), bound \
         its recursion, or give it longer (--timeout)",
        .0.as_secs()
    )]
    TooLong(std::time::Duration),
    /// Where the rows were being written failed.
    #[error("{0}")]
    Write(#[from] std::io::Error),
    #[error(
        "the result is too large to write: a row over {} MiB, a table over {} MiB, or more \
         than {} MiB held at once; narrow it (WHERE, LIMIT), or ask for CSV or JSON, \
         written as they are read",
        MOST_ROW_BYTES >> 20,
        MOST_TABLE_BYTES >> 20,
        MOST_SQLITE_HEAP_BYTES >> 20
    )]
    TooLarge,
}

/// The most text a table of rows may hold, as shown (`gitsm query`'s
/// table, aligned once all its rows are read): a statement that never
/// ends, or a cross join of every record, stops there.
pub const MOST_TABLE_BYTES: usize = 64 << 20;

/// The most one row may hold written out (its text, a blob's hex), and
/// the longest value SQLite makes while a query runs: above any value the
/// index stores (a record's JSON, its text expanded at most to 16 MiB and
/// each byte written in 6 at most, is under 98 MiB), so that every record
/// stays readable, and low enough that a row is written within the
/// command's 300 MB.
pub const MOST_ROW_BYTES: usize = 100 << 20;

/// The most SQLite may hold at once while a query runs: room for a value
/// near the row's bound as SQLite makes it (a `printf` of 95 MiB grows
/// its buffer past 150 MB), not for two; below 300 MB with what the
/// process holds besides (some 50 MB) and what SQLite freed but the
/// allocator kept. Past it the statement fails, as too large.
pub const MOST_SQLITE_HEAP_BYTES: usize = 192 << 20;

const CLOCKS: &str = "CREATE TEMP TABLE clocks (
    record TEXT NOT NULL, kind TEXT NOT NULL, priority TEXT, clock TEXT NOT NULL,
    state TEXT NOT NULL, target_seconds INTEGER, elapsed_seconds INTEGER,
    remaining_seconds INTEGER, due TEXT, paused INTEGER NOT NULL, at TEXT NOT NULL)";

impl LocalIndex {
    /// Fill the `clocks` table (a temporary one, for this connection).
    pub fn set_clocks(&self, rows: &[ClockRow]) -> rusqlite::Result<()> {
        self.conn
            .execute_batch("DROP TABLE IF EXISTS temp.clocks")?;
        self.conn.execute_batch(CLOCKS)?;
        let mut insert = self.conn.prepare(
            "INSERT INTO temp.clocks VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for r in rows {
            insert.execute(rusqlite::params![
                r.record,
                r.kind,
                r.priority,
                r.clock,
                r.state,
                r.target_seconds,
                r.elapsed_seconds,
                r.remaining_seconds,
                r.due,
                r.paused,
                r.at,
            ])?;
        }
        Ok(())
    }

    /// Run one read-only statement, each row handed to `row` as it is read
    /// (with the columns' names) and none held: a result of any size costs
    /// one row. An error `row` returns stops the statement. Refused:
    /// anything that writes, more than one statement, and `ATTACH` (which
    /// could create a file); stopped: a statement still running after
    /// `limit`. Returns the columns' names (for a result of no rows).
    pub fn query_each(
        &mut self,
        sql: &str,
        limit: Option<std::time::Duration>,
        row: &mut RowSink<'_>,
    ) -> Result<Vec<String>, SqlError> {
        use rusqlite::limits::Limit;
        self.conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)?;
        // No value SQLite makes (`randomblob(1e9)`) passes the bound of a row.
        let length = self
            .conn
            .set_limit(Limit::SQLITE_LIMIT_LENGTH, MOST_ROW_BYTES as i32)?;
        self.conn.pragma_update(None, "query_only", true)?;
        // Nor does what SQLite holds at once (two such values of two rows,
        // a sort of every record's JSON) pass its own bound. The pragma
        // only ever lowers it: it holds for the rest of the process (a
        // command runs one query).
        self.conn.query_row(
            &format!("PRAGMA hard_heap_limit = {MOST_SQLITE_HEAP_BYTES}"),
            [],
            |r| r.get::<_, i64>(0),
        )?;
        let result = self.stopped_after(limit, sql, row).map_err(|e| match e {
            SqlError::Sqlite(e) if e.sqlite_error_code() == Some(ErrorCode::OutOfMemory) => {
                SqlError::TooLarge
            }
            SqlError::Sqlite(e)
                if e.sqlite_error_code() == Some(ErrorCode::OperationInterrupted)
                    && let Some(limit) = limit =>
            {
                SqlError::TooLong(limit)
            }
            other => self.checked(other),
        });
        self.conn.pragma_update(None, "query_only", false)?;
        self.conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, length)?;
        result
    }

    /// `e`, or — when it is SQLite finding the index damaged — that the
    /// index was removed, to be rebuilt by the next run.
    fn checked(&self, e: SqlError) -> SqlError {
        match e {
            SqlError::Sqlite(e) => match self.damaged(&e) {
                Some(damage) => SqlError::Damaged(damage),
                None => SqlError::Sqlite(e),
            },
            other => other,
        }
    }

    /// [`LocalIndex::read_only`], interrupted once it has run for `limit`
    /// (a statement that never ends, which no bound on its output or
    /// memory stops: a count of an endless recursive `WITH`). A watch of
    /// its own interrupts it, within the step it is at: a count of steps
    /// says nothing of time (a row may make a value of 100 MiB in ten).
    fn stopped_after(
        &self,
        limit: Option<std::time::Duration>,
        sql: &str,
        on_row: &mut RowSink<'_>,
    ) -> Result<Vec<String>, SqlError> {
        let Some(limit) = limit else {
            return self.read_only(sql, on_row);
        };
        let interrupt = self.conn.get_interrupt_handle();
        let (done, ended) = std::sync::mpsc::channel::<()>();
        std::thread::scope(|scope| {
            scope.spawn(move || {
                // Ended (the sender dropped) before the limit: nothing to
                // stop. An interrupt just after the statement ended stops
                // nothing either: SQLite forgets it as the next begins.
                if ended.recv_timeout(limit) == Err(RecvTimeoutError::Timeout) {
                    interrupt.interrupt();
                }
            });
            let result = self.read_only(sql, on_row);
            drop(done);
            result
        })
    }

    fn read_only(&self, sql: &str, on_row: &mut RowSink<'_>) -> Result<Vec<String>, SqlError> {
        let mut stmt = self.conn.prepare(sql)?;
        if !stmt.readonly() {
            return Err(SqlError::NotReadOnly(sql.trim().chars().take(60).collect()));
        }
        let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
        let mut cursor = stmt.query([])?;
        while let Some(row) = cursor.next()? {
            // A row is measured as it is written (a blob twice its size,
            // text that is not UTF-8 with U+FFFD for each bad sequence)
            // before any cell is made text, and one past its bound is
            // refused whole.
            let mut size = 0;
            for i in 0..columns.len() {
                size += Cell::from(row.get_ref(i)?).written_len();
            }
            if size > MOST_ROW_BYTES {
                return Err(SqlError::TooLarge);
            }
            // Each cell as SQLite holds it: a value of megabytes is
            // written from its buffer, not copied first.
            let cells = (0..columns.len())
                .map(|i| row.get_ref(i).map(Cell::from))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            on_row(&columns, &cells)?;
        }
        Ok(columns)
    }

    /// Write the views (`clocks` included, as set) as tables of a new
    /// SQLite database at `path`: built beside it, then renamed over it, so
    /// that a reader never sees half an export.
    pub fn export_sqlite(&self, path: &Path) -> Result<(), SqlError> {
        let io = |e: std::io::Error| SqlError::Io(format!("{}: {e}", path.display()));
        let folder = crate::write::folder_of(path);
        // Named as every temp file gitsm writes (`.gitsm-<pid>-….tmp`):
        // one a killed export left is swept by the next, and one an
        // export still writes is not.
        crate::write::sweep(folder);
        let prefix = format!(".gitsm-{}-export", std::process::id());
        let mut temp = tempfile::Builder::new();
        temp.prefix(&prefix).suffix(".tmp");
        // A file as any other written here (the umask's mode), not the
        // temporary file's own 0600.
        #[cfg(unix)]
        temp.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = temp.tempfile_in(folder).map_err(io)?;
        let target = temp.path().to_string_lossy().into_owned();
        self.conn
            .execute("ATTACH DATABASE ?1 AS export", [target.as_str()])?;
        // A new file put in place whole by a rename: no journal beside it
        // (one a killed export left would stay).
        self.conn
            .pragma_update(Some("export"), "journal_mode", "OFF")?;
        let copied = (|| {
            for view in views() {
                let source = if view == "clocks" {
                    "temp.clocks"
                } else {
                    view
                };
                if view == "clocks" && !self.has_clocks()? {
                    continue;
                }
                let rows = self.in_order(source)?;
                self.conn
                    .execute_batch(&format!("CREATE TABLE export.{view} AS {rows}"))?;
            }
            Ok::<(), rusqlite::Error>(())
        })();
        self.conn.execute_batch("DETACH DATABASE export")?;
        copied.map_err(|e| self.checked(e.into()))?;
        temp.persist(path).map_err(|e| io(e.error))?;
        Ok(())
    }

    fn has_clocks(&self) -> rusqlite::Result<bool> {
        self.conn.query_row(
            "SELECT count(*) FROM temp.sqlite_schema WHERE name = 'clocks'",
            [],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )
    }

    /// Every row of `view`, each handed to `row` as it is read (for
    /// `export --format csv`).
    pub fn view_each(&self, view: &str, row: &mut RowSink<'_>) -> Result<Vec<String>, SqlError> {
        if view == "clocks" && !self.has_clocks()? {
            self.set_clocks(&[])?;
        }
        let rows = self.in_order(view)?;
        self.read_only(&rows, row).map_err(|e| self.checked(e))
    }

    /// Every row of `view` in the order of its columns' values, first to
    /// last: an export is the same bytes for the same records, whatever
    /// order the index took them in (rows a file read again moved last).
    fn in_order(&self, view: &str) -> rusqlite::Result<String> {
        let all = format!("SELECT * FROM {view}");
        let columns = self.conn.prepare(&all)?.column_count();
        let by: Vec<String> = (1..=columns).map(|n| n.to_string()).collect();
        Ok(format!("{all} ORDER BY {}", by.join(", ")))
    }
}

/// Stored text as it is written, in pieces: its UTF-8 runs as they lie in
/// SQLite's buffer, and U+FFFD for each sequence that is not UTF-8 (as
/// [`String::from_utf8_lossy`] makes it, without a copy of the whole).
pub fn text_pieces(text: &[u8]) -> impl Iterator<Item = &str> + Clone {
    text.utf8_chunks().flat_map(|chunk| {
        let bad = if chunk.invalid().is_empty() {
            ""
        } else {
            "\u{fffd}"
        };
        [chunk.valid(), bad]
    })
}

/// Stored text shown by its pieces ([`text_pieces`]).
struct Lossy<'a>(&'a [u8]);

impl std::fmt::Display for Lossy<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        text_pieces(self.0).try_for_each(|piece| f.write_str(piece))
    }
}

/// What takes the rows of a statement one at a time: the columns' names
/// and the row's cells (borrowed from SQLite until the next row).
pub type RowSink<'a> = dyn FnMut(&[String], &[Cell<'_>]) -> Result<(), SqlError> + 'a;

/// One cell of a row, as SQLite holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Null,
    Integer(i64),
    Real(f64),
    /// Text as stored (UTF-8 unless a statement made it otherwise).
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

impl<'a> From<ValueRef<'a>> for Cell<'a> {
    fn from(v: ValueRef<'a>) -> Cell<'a> {
        match v {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(i) => Cell::Integer(i),
            ValueRef::Real(f) => Cell::Real(f),
            ValueRef::Text(t) => Cell::Text(t),
            ValueRef::Blob(b) => Cell::Blob(b),
        }
    }
}

impl<'a> Cell<'a> {
    /// The length of [`Cell::text`], known without making it (a number
    /// is made: a few bytes).
    pub fn written_len(&self) -> usize {
        match *self {
            Cell::Null => 0,
            Cell::Integer(_) | Cell::Real(_) => self.text().len(),
            Cell::Text(t) => text_pieces(t).map(str::len).sum(),
            Cell::Blob(b) => 2 * b.len(),
        }
    }

    /// The cell as CSV and tables show it: nothing for NULL, a number as
    /// JSON writes it (nothing for one JSON has not), text as it is (a
    /// byte that is not UTF-8 as U+FFFD), a blob as hex.
    pub fn text(&self) -> std::borrow::Cow<'a, str> {
        match *self {
            Cell::Null => "".into(),
            Cell::Integer(i) => i.to_string().into(),
            Cell::Real(f) => serde_json::Number::from_f64(f)
                .map_or_else(String::new, |n| n.to_string())
                .into(),
            Cell::Text(t) => String::from_utf8_lossy(t),
            Cell::Blob(b) => crate::git::hex(b).into(),
        }
    }
}

/// A cell as JSON: `null`, a number (`null` for one JSON has not), or a
/// string (a blob's hex).
impl serde::Serialize for Cell<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Cell::Null => s.serialize_unit(),
            Cell::Integer(i) => s.serialize_i64(i),
            Cell::Real(f) if f.is_finite() => s.serialize_f64(f),
            Cell::Real(_) => s.serialize_unit(),
            // Written from SQLite's buffer as serde escapes it, a piece
            // at a time when it is not all UTF-8.
            Cell::Text(t) => match std::str::from_utf8(t) {
                Ok(text) => s.serialize_str(text),
                Err(_) => s.collect_str(&Lossy(t)),
            },
            Cell::Blob(_) => s.serialize_str(&self.text()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_reads_as_a_json_value_of_it_would() {
        let cases: [(Cell<'_>, serde_json::Value); 8] = [
            (Cell::Null, serde_json::Value::Null),
            (Cell::Integer(-42), serde_json::json!(-42)),
            (Cell::Real(2.5), serde_json::json!(2.5)),
            (Cell::Real(f64::NAN), serde_json::Value::Null),
            (Cell::Text(b"caf\xc3\xa9"), serde_json::json!("caf\u{e9}")),
            (Cell::Text(b"a\xffb"), serde_json::json!("a\u{fffd}b")),
            (
                Cell::Text(b"\"\xf0\x9f\x92\n\x1b\xe2\x82\xac\xc3"),
                serde_json::json!("\"\u{fffd}\n\u{1b}\u{20ac}\u{fffd}"),
            ),
            (Cell::Blob(&[0x00, 0xab]), serde_json::json!("00ab")),
        ];
        for (cell, json) in cases {
            if let Cell::Text(t) = cell {
                assert_eq!(text_pieces(t).collect::<String>(), cell.text());
            }
            assert_eq!(cell.written_len(), cell.text().len(), "{cell:?}");
            assert_eq!(
                serde_json::to_value(cell).ok(),
                Some(json.clone()),
                "{cell:?}"
            );
            let shown = match &json {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(cell.text(), shown, "{cell:?}");
        }
    }
}
