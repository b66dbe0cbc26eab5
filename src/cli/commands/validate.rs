//! `gitsm validate`: schema, references, uniqueness, state and policy rules
//! on the work tree; with `--staged` or `--range`, the history rules too.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::checks;
use crate::diagnostic::{Diagnostic, Summary};
use crate::git;
use crate::history;
use crate::kind::Kind;

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::output::{self, DiagnosticFormat, Paths};
use super::super::ui::{plural, stdout_write};

/// Check the records of the managed repository
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 when no errors were found, 1 when some were, 2 for a bad config or usage.\n\n\
Examples:\n  gitsm validate                                   # the work tree\n  gitsm validate --staged                          # the pre-commit hook\n  gitsm validate --range origin/main..HEAD --format github   # CI on a pull request"
)]
pub struct Args {
    /// Check the whole work tree (the default)
    #[arg(long, conflicts_with_all = ["staged", "range"])]
    pub all: bool,
    /// Check what is staged against HEAD, with the history rules (pre-commit)
    #[arg(long, conflicts_with = "range")]
    pub staged: bool,
    /// Check every first-parent commit of A..B against its parent
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
    pub format: DiagnosticFormat,
    /// Treat warnings as errors
    #[arg(long)]
    pub strict: bool,
    /// Judge review dates of knowledge articles and access grants at this
    /// time instead of now (the work tree only): RFC 3339, a date,
    /// `2026-12-01 09:00`, `tomorrow`, `+30d`
    #[arg(long, value_name = "T", conflicts_with_all = ["staged", "range"])]
    pub at: Option<crate::when::When>,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let repo = git::open(&ws.root);
    let prefix = repo
        .as_ref()
        .and_then(|repo| git::prefix(repo, &ws.root))
        .unwrap_or_else(|| super::super::ui::relative(&ws.root, &cx.cwd));
    let (mut diags, files, what) = if args.staged || args.range.is_some() {
        let repo = repo.ok_or_else(|| {
            CommandError::usage(format!(
                "{} is not inside a Git repository; --staged and --range read Git history",
                ws.root.display()
            ))
        })?;
        let checked = match &args.range {
            Some(spec) => history::range(&ws, &repo, &prefix, spec),
            None => history::staged(&ws, &repo, &prefix, cx.now()?),
        }
        .map_err(CommandError::from)?;
        let what = match &args.range {
            Some(spec) => format!(
                "{} in {} commit{} of {spec}",
                plural(checked.files.len(), "record"),
                checked.commits,
                if checked.commits == 1 { "" } else { "s" }
            ),
            None => format!("{} staged", plural(checked.files.len(), "record")),
        };
        (checked.diagnostics, checked.files, what)
    } else {
        let loaded = crate::checks::load(&ws, &Kind::ALL);
        let mut diags = loaded.diagnostics.clone();
        diags.extend(checks::tree(&ws, &loaded));
        let at = cx.at(args.at, &ws.config)?;
        let today = at.with_timezone(&ws.config.zone()).date_naive();
        diags.extend(checks::reviews(&ws, &loaded, today));
        diags.extend(checks::grant_expiry(&ws, &loaded, at));
        diags.extend(checks::maintenance_missed(&ws, &loaded, at));
        diags.extend(ws.baseline_warning());
        let files: Vec<PathBuf> = loaded.files.iter().map(|f| f.path.clone()).collect();
        let what = plural(loaded.checked, "record");
        (diags, files, what)
    };
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let summary = Summary::of(&diags);
    let paths = Paths { prefix };
    report(cx, &args, &diags, &files, &paths, &what)?;
    let failed = summary.errors > 0 || (args.strict && summary.warnings > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn report(
    cx: &CommandContext,
    args: &Args,
    diags: &[Diagnostic],
    files: &[PathBuf],
    paths: &Paths,
    what: &str,
) -> Result<(), CommandError> {
    let summary = Summary::of(diags);
    let records = files.len();
    match args.format {
        DiagnosticFormat::Text => {
            cx.print_diagnostics(diags);
            cx.status(&output::summary_line(summary, what));
        }
        DiagnosticFormat::Json => stdout_write(&output::json(diags, records, paths))?,
        DiagnosticFormat::Github => stdout_write(&output::github(diags, records, paths))?,
        DiagnosticFormat::Junit => stdout_write(&output::junit(diags, files, paths))?,
        DiagnosticFormat::Sarif => stdout_write(&output::sarif(diags, paths))?,
    }
    Ok(())
}
