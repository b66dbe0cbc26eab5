//! `gitsm query <SQL>`: read-only SQL over the records.

use std::process::ExitCode;

use crate::dataset::{self, Dataset, Need};
use crate::local_index::sql::{SqlError, Table, cell_text};
use crate::local_index::{LocalIndex, Selection};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::tabular;
use super::super::ui::{stdout_write, terminal_safe};

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
    let index = cx.local_index()?;
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
    let index = open_index(cx, clocks)?;
    let table = index.query(&args.sql).map_err(|e| match e {
        SqlError::NotReadOnly(_) => CommandError::usage(e.to_string()),
        other => CommandError::usage_hint(
            other.to_string(),
            "see `gitsm query --help` for the views and their columns",
        ),
    })?;
    stdout_write(&render(&table, args.format))?;
    Ok(ExitCode::SUCCESS)
}

/// A table as CSV (as [`render`] makes it), written a row at a time.
pub(crate) fn write_csv(table: &Table, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let headers: Vec<&str> = table.columns.iter().map(String::as_str).collect();
    let rows = table
        .rows
        .iter()
        .map(|row| row.iter().map(cell_text).collect());
    tabular::write_csv(&headers, rows, out)
}

/// A table as the format asks.
pub(crate) fn render(table: &Table, format: QueryFormat) -> String {
    let headers: Vec<&str> = table.columns.iter().map(String::as_str).collect();
    let cells = |safe: bool| -> Vec<Vec<String>> {
        table
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|v| {
                        let text = cell_text(v);
                        if safe {
                            terminal_safe(&text).replace('\n', " ")
                        } else {
                            text
                        }
                    })
                    .collect()
            })
            .collect()
    };
    match format {
        QueryFormat::Table => tabular::aligned(&headers, &cells(true)),
        QueryFormat::Csv => tabular::csv(&headers, &cells(false)),
        QueryFormat::Json => {
            let objects: Vec<serde_json::Map<String, serde_json::Value>> = table
                .rows
                .iter()
                .map(|row| {
                    table
                        .columns
                        .iter()
                        .cloned()
                        .zip(row.iter().cloned())
                        .collect()
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&objects).unwrap_or_default();
            s.push('\n');
            s
        }
    }
}
