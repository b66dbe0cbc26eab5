//! Read-only SQL over the index's documented views (`gitsm query`), and
//! standalone copies of them for BI tools (`gitsm export`).

use std::path::Path;

use rusqlite::types::ValueRef;
use serde_json::Value;

use super::LocalIndex;

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

/// The rows of a query: column names, then values (null, integer, real
/// or text; a blob as lower-case hex).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
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
    /// Where the rows were being written failed.
    #[error("{0}")]
    Write(#[from] std::io::Error),
    #[error(
        "the result holds more than {} MiB, or a row more than {} MiB; narrow it (WHERE, \
         LIMIT) or write the views with `gitsm export`",
        MOST_RESULT_BYTES >> 20,
        MOST_ROW_BYTES >> 20
    )]
    TooLarge,
}

/// The most a query's result may hold (its cells' text, and some bytes a
/// cell): a statement that never ends, or a cross join of every record,
/// stops there, the command's memory bounded.
pub const MOST_RESULT_BYTES: usize = 128 << 20;

/// The most one row may hold (its text and blobs), written as it comes or
/// held: a row is copied a few times as it is written, and a record (at
/// most 16 MiB once its aliases are expanded) is far below it.
pub const MOST_ROW_BYTES: usize = 32 << 20;

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

    /// Run one read-only statement, its rows held as a [`Table`] (up to
    /// [`MOST_RESULT_BYTES`]: a statement that never ends, or a cross join
    /// of every record, stops there). Refused: anything that writes, more
    /// than one statement, and `ATTACH` (which could create a file).
    pub fn query(&self, sql: &str) -> Result<Table, SqlError> {
        let mut rows = Vec::new();
        let mut held = 0;
        let columns = self.query_each(sql, &mut |_, cells| {
            held += cells.iter().map(held_bytes).sum::<usize>();
            if held > MOST_RESULT_BYTES {
                return Err(SqlError::TooLarge);
            }
            rows.push(cells.iter_mut().map(std::mem::take).collect());
            Ok(())
        })?;
        Ok(Table { columns, rows })
    }

    /// [`query`](Self::query), each row handed to `row` as it is read (with
    /// the columns' names) and none held: a result of any size costs one
    /// row. An error `row` returns stops the statement. Returns the
    /// columns' names (for a result of no rows).
    pub fn query_each(&self, sql: &str, row: &mut RowSink<'_>) -> Result<Vec<String>, SqlError> {
        use rusqlite::limits::Limit;
        self.conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)?;
        // No value SQLite makes (`randomblob(1e9)`) passes the bound of a row.
        let length = self
            .conn
            .set_limit(Limit::SQLITE_LIMIT_LENGTH, MOST_ROW_BYTES as i32)?;
        self.conn.pragma_update(None, "query_only", true)?;
        let result = self.read_only(sql, row);
        self.conn.pragma_update(None, "query_only", false)?;
        self.conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, length)?;
        result
    }

    fn read_only(&self, sql: &str, on_row: &mut RowSink<'_>) -> Result<Vec<String>, SqlError> {
        let mut stmt = self.conn.prepare(sql)?;
        if !stmt.readonly() {
            return Err(SqlError::NotReadOnly(sql.trim().chars().take(60).collect()));
        }
        let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
        let mut cells = Vec::with_capacity(columns.len());
        let mut cursor = stmt.query([])?;
        while let Some(row) = cursor.next()? {
            // A row is measured before it is made text (a blob twice its
            // size), and one past its bound is refused whole.
            let mut size = 0;
            for i in 0..columns.len() {
                if let ValueRef::Text(b) | ValueRef::Blob(b) = row.get_ref(i)? {
                    size += b.len();
                }
            }
            if size > MOST_ROW_BYTES {
                return Err(SqlError::TooLarge);
            }
            cells.clear();
            for i in 0..columns.len() {
                cells.push(value(row.get_ref(i)?));
            }
            on_row(&columns, &mut cells)?;
        }
        Ok(columns)
    }

    /// Write the views (`clocks` included, as set) as tables of a new
    /// SQLite database at `path`: built beside it, then renamed over it, so
    /// that a reader never sees half an export.
    pub fn export_sqlite(&self, path: &Path) -> Result<(), SqlError> {
        let io = |e: std::io::Error| SqlError::Io(format!("{}: {e}", path.display()));
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
        let mut temp = tempfile::Builder::new();
        temp.prefix(".gitsm-export");
        // A file as any other written here (the umask's mode), not the
        // temporary file's own 0600.
        #[cfg(unix)]
        temp.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = temp
            .tempfile_in(folder.unwrap_or(Path::new(".")))
            .map_err(io)?;
        let target = temp.path().to_string_lossy().into_owned();
        self.conn
            .execute("ATTACH DATABASE ?1 AS export", [target.as_str()])?;
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
                self.conn.execute_batch(&format!(
                    "CREATE TABLE export.{view} AS SELECT * FROM {source}"
                ))?;
            }
            Ok::<(), rusqlite::Error>(())
        })();
        self.conn.execute_batch("DETACH DATABASE export")?;
        copied?;
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
        self.read_only(&format!("SELECT * FROM {view}"), row)
    }
}

/// What takes the rows of a statement one at a time: the columns' names
/// and the row's cells (its to keep).
pub type RowSink<'a> = dyn FnMut(&[String], &mut [Value]) -> Result<(), SqlError> + 'a;

/// What a cell counts towards [`MOST_RESULT_BYTES`]: its text (twice, as
/// it is held then written) and some bytes of its own.
fn held_bytes(cell: &Value) -> usize {
    16 + match cell {
        Value::String(s) => 2 * s.len(),
        _ => 0,
    }
}

fn value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::String(crate::git::hex(b)),
    }
}

/// A cell as CSV and tables show it.
pub fn cell_text(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::Null => "".into(),
        Value::String(s) => s.as_str().into(),
        other => other.to_string().into(),
    }
}
