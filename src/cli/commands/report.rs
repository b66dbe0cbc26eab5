//! `gitsm report`: the KPIs of a period as Markdown, JSON or HTML.

use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

use chrono_tz::Tz;

use crate::dataset::{Dataset, Need, Revision};
use crate::model::Record;
use crate::report::{self, Bound, Period, render};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::ui::{stdout_json, stdout_write};

/// Report the KPIs of a period: volumes, backlog and aging, MTTA/MTTR and
/// SLA compliance per priority, reopens, first-line resolution, problems,
/// changes, service requests and monthly trends
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Figures come from the records and, where a record lacks a timestamp, from Git history; the report says which. \
The same records and policy at the same revision always give the same report: pass --until (or set GITSM_NOW), or --rev, \
which reads the records and gitsm.yaml of that commit and is as of its commit time unless --until is given.\n\n\
Examples:\n  gitsm report --since 2026-10-01 --until 2026-12-31 -o q4.md\n  gitsm report --rev v2026.10 --format json\n  \
gitsm report --format html --timezone Europe/Berlin -o report.html\n  gitsm report --team service-desk"
)]
pub struct Args {
    /// Start of the period: a date (midnight in --timezone) or an RFC 3339
    /// timestamp [default: the start of the first ticket's month]
    #[arg(long, value_name = "D")]
    pub since: Option<Bound>,
    /// End of the period, and the instant the report is as of: a date (that
    /// whole day is included) or an RFC 3339 timestamp [default: now, or the
    /// commit time with --rev]
    #[arg(long, value_name = "D")]
    pub until: Option<Bound>,
    /// Report on the records and policy of this commit instead of the work tree
    #[arg(long, value_name = "R")]
    pub rev: Option<String>,
    /// Count backlogs and read SLA clocks at this time when the period ends
    /// later: RFC 3339, a date, `tomorrow 09:00`, `-1d` (local times in the
    /// organisation's `timezone`) [default: now, or the commit time with --rev]
    #[arg(long, value_name = "T")]
    pub at: Option<crate::when::When>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,
    /// Write the report to FILE (atomically) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// IANA time zone of dates, month boundaries and shown times
    /// [default: the organisation's `timezone`, UTC unless set]
    #[arg(long, value_name = "TZ", value_parser = parse_timezone)]
    pub timezone: Option<Tz>,
    /// Count only the incidents, problems, changes and service requests
    /// whose team is TEAM (a team some record has, or a group of gitsm.yaml)
    #[arg(long, value_name = "TEAM")]
    pub team: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Json,
    Html,
}

fn parse_timezone(s: &str) -> Result<Tz, String> {
    Tz::from_str(s).map_err(|_| format!("`{s}` is not an IANA time zone (e.g. Europe/Berlin)"))
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let revision = args
        .rev
        .clone()
        .map_or(Revision::WorkTree, Revision::Commit);
    let dataset = Dataset::open(ws, &revision, Need::Figures)?;
    cx.dataset(&dataset);
    cx.warnings(&dataset.warnings);
    if let Some(team) = &args.team {
        report::check_team(&dataset, team).map_err(|e| match &e.closest {
            Some(s) => CommandError::usage_hint(e.to_string(), format!("did you mean `{s}`?")),
            None => CommandError::usage(e.to_string()),
        })?;
    }
    let earliest = dataset.records().filter_map(Record::created_at).min();
    // As of now for the work tree, the commit time for a commit.
    let as_of = match (&args.rev, dataset.committed) {
        (Some(_), Some(committed)) => committed,
        _ => cx.now()?,
    };
    let at = match args.at {
        Some(when) => cx.at(Some(when), dataset.config())?,
        None => as_of,
    };
    let timezone = args.timezone.unwrap_or_else(|| dataset.config().zone());
    let period = Period::new(args.since, args.until, at, timezone, earliest)
        .map_err(|e| CommandError::usage(e.to_string()))?;
    // JSON lists every breach; the documents, the first few.
    let listed = (args.format != ReportFormat::Json).then_some(render::LISTED);
    let report = report::build_for(&dataset, &period, listed, args.team.as_deref())
        .map_err(|e| CommandError::usage(e.to_string()))?;
    if args.format == ReportFormat::Json {
        // Every breach is listed: written as made, never one string.
        match &args.output {
            Some(path) => {
                let path = cx.cwd.join(path);
                write_report(&path, |out| render::json_to(&report, out))
                    .map_err(|e| CommandError::io(path.display(), e))?;
                cx.status(&format!("wrote {}", path.display()));
            }
            None => stdout_json(|out| render::json_to(&report, out))?,
        }
        cx.unreadable(dataset.unreadable(), "counted");
        return Ok(ExitCode::SUCCESS);
    }
    let text = match args.format {
        ReportFormat::Markdown => render::markdown(&report),
        ReportFormat::Json => render::json(&report),
        ReportFormat::Html => render::html(&report),
    };
    match &args.output {
        Some(path) => {
            let path = cx.cwd.join(path);
            write_report(&path, |out| out.write_all(text.as_bytes()))
                .map_err(|e| CommandError::io(path.display(), e))?;
            cx.status(&format!("wrote {}", path.display()));
        }
        None => stdout_write(&text)?,
    }
    cx.unreadable(dataset.unreadable(), "counted");
    Ok(ExitCode::SUCCESS)
}

/// Write the report atomically. The temporary file is private (0600); the
/// report keeps the permissions of the file it replaces, or is readable by
/// all (0644) when new, like a file a shell redirection creates.
fn write_report(
    path: &std::path::Path,
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let before = std::fs::metadata(path).ok().map(|m| m.permissions());
    // The temp files of runs killed while they wrote a report here.
    crate::write::sweep(crate::write::folder_of(path));
    crate::write::atomic_with(path, fill)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = before.unwrap_or_else(|| std::fs::Permissions::from_mode(0o644));
        std::fs::set_permissions(path, permissions)?;
    }
    #[cfg(not(unix))]
    let _ = before;
    Ok(())
}
