//! `gitsm validate`: schema, references, uniqueness, state and policy rules.

use std::process::ExitCode;

use crate::checks;
use crate::diagnostic::Summary;
use crate::git;
use crate::kind::Kind;
use crate::records;

use super::super::CliError;
use super::super::output::{self, DiagnosticFormat, Paths};
use super::super::ui::{Ui, stdout_write};

/// Check every record of the managed repository
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 when no errors were found, 1 when some were, 2 for a bad config or usage."
)]
pub struct Args {
    /// Check the whole work tree (the default)
    #[arg(long)]
    pub all: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
    pub format: DiagnosticFormat,
    /// Treat warnings as errors
    #[arg(long)]
    pub strict: bool,
}

pub fn run(ui: &Ui, args: Args) -> Result<ExitCode, CliError> {
    let ws = ui.workspace()?;
    let loaded = records::load(&ws, &Kind::ALL);
    let mut diags = loaded.diagnostics.clone();
    diags.extend(checks::tree(&ws, &loaded));
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let records = loaded.checked;
    let summary = Summary::of(&diags);
    let prefix = git::open(&ws.root)
        .and_then(|repo| git::prefix(&repo, &ws.root))
        .unwrap_or_else(|| super::super::ui::relative(&ws.root, &ui.cwd));
    let paths = Paths { prefix };
    match args.format {
        DiagnosticFormat::Text => {
            ui.print_diagnostics(&diags);
            ui.status(&output::summary_line(summary, records));
        }
        DiagnosticFormat::Json => stdout_write(&output::json(&diags, records, &paths))?,
        DiagnosticFormat::Github => stdout_write(&output::github(&diags, records, &paths))?,
        DiagnosticFormat::Junit => {
            let files: Vec<_> = loaded.files.iter().map(|f| f.path.clone()).collect();
            stdout_write(&output::junit(&diags, &files, &paths))?;
        }
        DiagnosticFormat::Sarif => stdout_write(&output::sarif(&diags, &paths))?,
    }
    let failed = summary.errors > 0 || (args.strict && summary.warnings > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
