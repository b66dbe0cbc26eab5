//! `gitsm export`: the records as a standalone SQLite database or CSV
//! files, for BI tools.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::local_index::LocalIndex;
use crate::local_index::sql::{SqlError, views};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::query::{Csv, open_index, reopened, write_rows};

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
    match args.format {
        ExportFormat::Sqlite if args.output.is_dir() => {
            return Err(CommandError::usage(format!(
                "{} is a folder; name the database file to write",
                args.output.display()
            )));
        }
        ExportFormat::Sqlite => {}
        ExportFormat::Csv => {
            std::fs::create_dir_all(&args.output)
                .map_err(|e| CommandError::io(args.output.display(), e))?;
            // A folder in a file's place would fail its rename after the
            // others took theirs.
            if let Some(folder) = views()
                .map(|view| csv_file(&args.output, view))
                .find(|p| p.symlink_metadata().is_ok_and(|m| m.is_dir()))
            {
                return Err(CommandError::usage(format!(
                    "{} is a folder; move it away or export into another folder",
                    folder.display()
                )));
            }
            // The files a killed export left staged.
            crate::write::sweep(&args.output);
        }
    }
    let index = open_index(cx, true)?;
    // Found damaged as it was read: nothing is in place yet, and the
    // export is made again, once, of the index opened anew.
    let written = match export(&index, &args) {
        Err(SqlError::Damaged(damage)) => {
            drop(index);
            reopened(cx, &damage, true).and_then(|again| export(&again, &args))
        }
        written => written,
    };
    written.map_err(|e| match e {
        SqlError::Write(e) => CommandError::io(args.output.display(), e),
        SqlError::Io(e) => CommandError::Io(e),
        other => CommandError::Failed(other.to_string()),
    })?;
    if !cx.quiet {
        cx.status(&format!("wrote {}", args.output.display()));
    }
    Ok(ExitCode::SUCCESS)
}

/// Write `index` as `args` asks; nothing is in place unless all is.
fn export(index: &LocalIndex, args: &Args) -> Result<(), SqlError> {
    if args.format == ExportFormat::Sqlite {
        return index.export_sqlite(&args.output);
    }
    // Each view written a row at a time as it is read, and every file
    // written before any takes its place: a failure part way leaves the
    // last export as it was.
    let mut staged = Vec::new();
    for view in views() {
        let path = csv_file(&args.output, view);
        let mut failed = None;
        let file = crate::write::stage(&path, |out| {
            write_rows(out, &mut Csv::default(), |row| index.view_each(view, row)).map_err(|e| {
                match e {
                    SqlError::Write(e) => e,
                    other => {
                        let said = std::io::Error::other(other.to_string());
                        failed = Some(other);
                        said
                    }
                }
            })
        });
        match (file, failed) {
            (Ok(file), _) => staged.push((path, file)),
            (Err(_), Some(failed)) => return Err(failed),
            (Err(e), None) => return Err(SqlError::Io(format!("{}: {e}", path.display()))),
        }
    }
    for (path, file) in staged {
        file.replace()
            .map_err(|e| SqlError::Io(format!("{}: {e}", path.display())))?;
    }
    Ok(())
}

/// The file of `view` in the folder of a CSV export.
fn csv_file(folder: &std::path::Path, view: &str) -> PathBuf {
    folder.join(format!("{view}.csv"))
}
