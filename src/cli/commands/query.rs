//! `gitsm query <SQL>`: read-only SQL over the records.

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use crate::dataset::{self, Dataset, Need};

use crate::local_index::sql::{Cell, MOST_TABLE_BYTES, RowSink, SqlError, text_pieces};
use crate::local_index::{Damage, LocalIndex, Selection};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::tabular;
use super::super::ui::{stdout_json, stdout_lines, terminal_safe};

/// Run one read-only SQL statement over the records
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Views (times are UTC, `2026-11-21T09:00:00Z`; lists and objects are JSON text):
  records    id, kind, path, status, open (1/0), priority, title, created_at, record (JSON)
  incidents, problems, changes, requests, cis, kb
             path and a column per field of the kind's schema (`gitsm schema`),
             priority computed from the matrix
  links      source, source_kind, field, pointer, target, target_kind
  notes      record, kind, at, by, text
  decisions  record, kind, by, decision, at, comment, signed (as written; whether
             a decision counts is `gitsm gate`'s call)
  clocks     record, kind, priority, clock (response/resolution), state (ok/at_risk/
             breached while it runs, met/missed once stopped), target_seconds,
             elapsed_seconds, remaining_seconds, due, paused, at: the SLA clocks of
             open tickets, read now (GITSM_NOW)

SQLite's functions apply (json_extract, ->>, strftime, date). Only one \
statement that reads runs; anything that writes, and ATTACH, is refused.

A control character in a cell is written out (`\\x1b`) in a table and in \
CSV, as everywhere gitsm writes to stdout; JSON escapes it as JSON does \
(`\\u001b`), and `gitsm export` writes cells as stored.

CSV and JSON rows are written as they are read, a result of any size; a \
table is held to align it, up to 64 MiB of text; a row may hold up to 100 MiB, \
and SQLite up to 192 MiB at once while the statement runs. A statement \
still running after `--timeout` seconds (a recursive WITH with no bound, \
a join of every record with every other) is stopped. \
A statement that fails part way \
exits 2 after the rows read before it (a JSON array left unclosed).

Examples:
  gitsm query \"SELECT service, count(*) AS p1 FROM incidents WHERE priority = 'P1'
               AND created_at >= '2026-07-01' AND created_at < '2026-10-01'
               GROUP BY service ORDER BY p1 DESC\"
  gitsm query \"SELECT record, state, due FROM clocks WHERE state <> 'ok'\" --format csv")]
pub struct Args {
    /// The statement, e.g. `SELECT id, title FROM records WHERE open`
    #[arg(value_name = "SQL")]
    pub sql: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = QueryFormat::Table)]
    pub format: QueryFormat,
    /// Stop the statement after this many seconds (0: never)
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum QueryFormat {
    Table,
    Csv,
    Json,
}

/// The index, with its `clocks` table filled when `clocks` is asked for
/// (read at GITSM_NOW, else now): `query` and `export` share it.
pub(crate) fn open_index(cx: &CommandContext, clocks: bool) -> Result<LocalIndex, CommandError> {
    with_clocks(cx, cx.local_index()?, clocks)
}

/// `index` with its `clocks` table filled when `clocks` is asked for.
fn with_clocks(
    cx: &CommandContext,
    index: LocalIndex,
    clocks: bool,
) -> Result<LocalIndex, CommandError> {
    let failed = |e: rusqlite::Error| CommandError::Failed(format!("the local index: {e}"));
    if clocks {
        let open = Selection {
            open: true,
            ..Selection::default()
        };
        let data = Dataset::work_tree_indexed(cx.workspace()?, Need::Sla, &open, &index);
        cx.warnings(&data.warnings);
        let rows = dataset::clock_rows(&data, cx.now()?)
            .map_err(|e| CommandError::usage(e.to_string()))?;
        index.set_clocks(&rows).map_err(failed)?;
    } else {
        index.set_clocks(&[]).map_err(failed)?;
    }
    Ok(index)
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let clocks = args.sql.to_ascii_lowercase().contains("clocks");
    let limit = (args.timeout > 0).then(|| Duration::from_secs(args.timeout));
    let mut index = open_index(cx, clocks)?;
    // CSV and JSON rows are written as they are read; a table is held (up
    // to its bound) to align its columns, then written whole.
    let mut failed = None;
    let mut rows = |out: &mut dyn Write, format: &mut dyn RowWriter| {
        let mut answer = write_rows(out, format, |row| index.query_each(&args.sql, limit, row));
        // Found damaged before a row was written: asked again, once, of
        // the index opened anew (rows already written would be written
        // twice).
        if let Err(SqlError::Damaged(damage)) = &answer
            && !format.started()
        {
            answer = reopened(cx, damage, clocks).and_then(|again| {
                index = again;
                write_rows(out, format, |row| index.query_each(&args.sql, limit, row))
            });
        }
        match answer {
            Ok(()) => Ok(()),
            Err(SqlError::Write(e)) => Err(e),
            Err(e) => {
                // The rows before it stand written; the error says they
                // are not all.
                failed = Some(e);
                format.cut(out)
            }
        }
    };
    match args.format {
        QueryFormat::Table => match table_or_again(cx, &mut index, &args.sql, limit, clocks) {
            Ok((columns, cells)) => stdout_lines(|out| {
                let headers: Vec<&str> = columns.iter().map(String::as_str).collect();
                tabular::write_aligned(&headers, || cells.iter(), &mut Pieces(out))
            })?,
            Err(e) => failed = Some(e),
        },
        QueryFormat::Csv => stdout_lines(|out| rows(out, &mut Csv::default()))?,
        QueryFormat::Json => stdout_json(|out| rows(out, &mut Json::default()))?,
    }
    match failed {
        None => Ok(ExitCode::SUCCESS),
        Some(e @ (SqlError::NotReadOnly(_) | SqlError::TooLong(_))) => {
            Err(CommandError::usage(e.to_string()))
        }
        Some(e @ SqlError::Damaged(_)) => Err(CommandError::Failed(e.to_string())),
        Some(e) => Err(CommandError::usage_hint(
            e.to_string(),
            "see `gitsm query --help` for the views and their columns",
        )),
    }
}

/// The rows `statement` reads, written to `out` in `format` as they come.
pub(crate) fn write_rows(
    out: &mut dyn Write,
    format: &mut dyn RowWriter,
    statement: impl FnOnce(&mut RowSink<'_>) -> Result<Vec<String>, SqlError>,
) -> Result<(), SqlError> {
    let columns = statement(&mut |columns, cells| Ok(format.row(out, columns, cells)?))?;
    Ok(format.end(out, &columns)?)
}

/// Rows written as they come, in a format that may need the columns'
/// names first and an end.
pub(crate) trait RowWriter {
    fn row(
        &mut self,
        out: &mut dyn Write,
        columns: &[String],
        cells: &[Cell<'_>],
    ) -> io::Result<()>;
    /// Whether anything was written.
    fn started(&self) -> bool;
    /// After the last row (`columns` for a result of none).
    fn end(&mut self, out: &mut dyn Write, columns: &[String]) -> io::Result<()>;
    /// After the last row when the statement failed: the output ends a
    /// line, and stays unfinished.
    fn cut(&mut self, _: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}

/// CSV: a header line, then a line per row.
#[derive(Default)]
pub(crate) struct Csv {
    headed: bool,
}

impl Csv {
    fn head(&mut self, out: &mut dyn Write, columns: &[String]) -> io::Result<()> {
        if !std::mem::replace(&mut self.headed, true) {
            out.write_all(tabular::csv_line(columns.iter().map(String::as_str)).as_bytes())?;
        }
        Ok(())
    }
}

impl RowWriter for Csv {
    fn row(
        &mut self,
        out: &mut dyn Write,
        columns: &[String],
        cells: &[Cell<'_>],
    ) -> io::Result<()> {
        self.head(out, columns)?;
        // Text is written from where SQLite holds it.
        tabular::write_csv_record(&mut Pieces(out), cells.iter(), |out, cell| match cell {
            Cell::Text(text) => tabular::write_field_pieces(out, text_pieces(text)),
            other => tabular::write_field_pieces(out, std::iter::once(&*other.text())),
        })
    }

    fn started(&self) -> bool {
        self.headed
    }

    fn end(&mut self, out: &mut dyn Write, columns: &[String]) -> io::Result<()> {
        self.head(out, columns)
    }
}

/// JSON: an array of objects (column: cell, a column named twice holding
/// its last cell), laid out as `serde_json::to_string_pretty` lays out the
/// whole array.
#[derive(Default)]
struct Json {
    rows: usize,
    /// Each column's first place, with the place of its last cell.
    places: Vec<(usize, usize)>,
}

/// What passes, each line after the first two spaces in (a JSON string
/// holds no line break: serde writes it `\n`).
struct Indented<'a>(&'a mut dyn Write);

impl Write for Indented<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if i > 0 {
                self.0.write_all(b"\n  ")?;
            }
            Pieces(self.0).write_all(line)?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// What passes, in pieces of 64 KiB at most: a cell of megabytes is not
/// copied whole again on its way to stdout (which makes each write safe
/// for a terminal whole). Query output holds no colour sequence a piece's
/// edge could split.
struct Pieces<'a>(&'a mut dyn Write);

impl Write for Pieces<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.write(&bytes[..bytes.len().min(1 << 16)])
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// A row as the JSON object a map of it is: each column at its first
/// place, with its last cell.
struct Object<'a> {
    columns: &'a [String],
    cells: &'a [Cell<'a>],
    places: &'a [(usize, usize)],
}

impl serde::Serialize for Object<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.places.len()))?;
        for &(name, cell) in self.places {
            map.serialize_entry(&self.columns[name], &self.cells[cell])?;
        }
        map.end()
    }
}

impl RowWriter for Json {
    fn row(
        &mut self,
        out: &mut dyn Write,
        columns: &[String],
        cells: &[Cell<'_>],
    ) -> io::Result<()> {
        if self.rows == 0 {
            // Each name's place in `places`, as first met.
            let mut slots: std::collections::HashMap<&String, usize> = Default::default();
            for (i, name) in columns.iter().enumerate() {
                match slots.get(name) {
                    Some(&slot) => self.places[slot].1 = i,
                    None => {
                        slots.insert(name, self.places.len());
                        self.places.push((i, i));
                    }
                }
            }
        }
        let object = Object {
            columns,
            cells,
            places: &self.places,
        };
        out.write_all(if self.rows == 0 { b"[\n  " } else { b",\n  " })?;
        self.rows += 1;
        // Written as serde makes it (a cell of megabytes is not held again
        // as text), one level in.
        serde_json::to_writer_pretty(Indented(out), &object)?;
        Ok(())
    }

    fn started(&self) -> bool {
        self.rows > 0
    }

    fn end(&mut self, out: &mut dyn Write, _: &[String]) -> io::Result<()> {
        out.write_all(if self.rows == 0 { b"[]\n" } else { b"\n]\n" })
    }

    fn cut(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.rows > 0 {
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// The index to ask again once `damage` was found reading it
/// ([`CommandContext::local_index_again`]), its `clocks` filled as
/// before.
pub(crate) fn reopened(
    cx: &CommandContext,
    damage: &Damage,
    clocks: bool,
) -> Result<LocalIndex, SqlError> {
    cx.local_index_again(damage)
        .and_then(|index| with_clocks(cx, index, clocks))
        .map_err(|e| SqlError::Io(e.to_string()))
}

/// [`table`]; when the index is found damaged reading it, once more of
/// the index opened again ([`reopened`]): a table has written nothing yet.
fn table_or_again(
    cx: &CommandContext,
    index: &mut LocalIndex,
    sql: &str,
    limit: Option<Duration>,
    clocks: bool,
) -> Result<Table, SqlError> {
    match table(index, sql, limit) {
        Err(SqlError::Damaged(damage)) => {
            *index = reopened(cx, &damage, clocks)?;
            table(index, sql, limit)
        }
        answer => answer,
    }
}

/// A table's column names and its cells, made safe to show.
type Table = (Vec<String>, Vec<Vec<String>>);

/// The rows of `sql` as a table shows them, held to align them (up to
/// [`MOST_TABLE_BYTES`] of text): each cell made safe for a terminal, on
/// one line.
fn table(index: &mut LocalIndex, sql: &str, limit: Option<Duration>) -> Result<Table, SqlError> {
    let mut cells = Vec::new();
    let mut held = 0;
    let columns = index.query_each(sql, limit, &mut |_, row| {
        // A cell may grow four times made safe (a control character
        // written `\x1b`): a row is refused before, not after.
        let raw: usize = row.iter().map(Cell::written_len).sum();
        if held + 4 * raw > MOST_TABLE_BYTES {
            return Err(SqlError::TooLarge);
        }
        let texts: Vec<_> = row.iter().map(Cell::text).collect();
        let shown: Vec<String> = texts
            .iter()
            .map(|t| terminal_safe(t).into_owned())
            .collect();
        held += shown.iter().map(|c| c.len() + 24).sum::<usize>();
        if held > MOST_TABLE_BYTES {
            return Err(SqlError::TooLarge);
        }
        cells.push(shown);
        Ok(())
    })?;
    Ok((columns, cells))
}
