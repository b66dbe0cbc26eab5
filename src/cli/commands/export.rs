//! `gitsm export`: the records as a standalone SQLite database or CSV
//! files, for BI tools.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::local_index::sql::{SqlError, views};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::query::{Csv, open_index, write_rows};

/// Write the records for BI tools (Metabase, Grafana, Datasette, a
/// spreadsheet): the views of `gitsm query` as tables
#[derive(Debug, clap::Args)]
#[command(after_help = "\
`--format sqlite` writes one database file with a table per view of \
`gitsm query --help` (clocks read now, or at GITSM_NOW); `--format csv` \
writes `<view>.csv` for each into the folder PATH. Each file is written \
whole or not at all.

Cells are written as the records hold them (RFC 4180 quoting), never \
altered: a spreadsheet may take a cell beginning with `=`, `+`, `-` or `@` \
(a title anyone may write) as a formula. Open the CSV files with their \
columns imported as text, or read the SQLite database.

Examples:
  gitsm export --format sqlite -o itsm.sqlite && datasette itsm.sqlite
  gitsm export --format csv -o exports/")]
pub struct Args {
    /// What to write
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// The database file (sqlite) or folder (csv) to write
    #[arg(short, long, value_name = "PATH")]
    pub output: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Sqlite,
    Csv,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let index = open_index(cx, true)?;
    let failed = |e: SqlError| CommandError::Failed(e.to_string());
    match args.format {
        ExportFormat::Sqlite => {
            if args.output.is_dir() {
                return Err(CommandError::usage(format!(
                    "{} is a folder; name the database file to write",
                    args.output.display()
                )));
            }
            index.export_sqlite(&args.output).map_err(failed)?;
        }
        ExportFormat::Csv => {
            std::fs::create_dir_all(&args.output)
                .map_err(|e| CommandError::io(args.output.display(), e))?;
            // Each view written a row at a time as it is read, and every
            // file written before any takes its place: a failure part way
            // leaves the last export as it was.
            let csv = |view| args.output.join(format!("{view}.csv"));
            // A folder in a file's place would fail its rename after the
            // others took theirs.
            if let Some(folder) = views()
                .map(csv)
                .find(|p| p.symlink_metadata().is_ok_and(|m| m.is_dir()))
            {
                return Err(CommandError::usage(format!(
                    "{} is a folder; move it away or export into another folder",
                    folder.display()
                )));
            }
            // The files a killed export left staged.
            crate::write::sweep(&args.output);
            let mut staged = Vec::new();
            for view in views() {
                let path = csv(view);
                let file = crate::write::stage(&path, |out| {
                    write_rows(out, &mut Csv::default(), |row| index.view_each(view, row)).map_err(
                        |e| match e {
                            SqlError::Write(e) => e,
                            other => std::io::Error::other(other.to_string()),
                        },
                    )
                })
                .map_err(|e| CommandError::io(path.display(), e))?;
                staged.push((path, file));
            }
            for (path, file) in staged {
                file.replace()
                    .map_err(|e| CommandError::io(path.display(), e))?;
            }
        }
    }
    if !cx.quiet {
        cx.status(&format!("wrote {}", args.output.display()));
    }
    Ok(ExitCode::SUCCESS)
}
