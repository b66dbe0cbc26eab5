//! `gitsm report`: the KPIs of a period as Markdown, JSON or HTML.

use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

use chrono_tz::Tz;
use git2::{Commit, Repository};
use rayon::prelude::*;

use crate::git;
use crate::history;
use crate::history::trail::Keep;
use crate::kind::Kind;
use crate::model::{Record, Timestamp};
use crate::records::{self, Loaded};
use crate::report::{self, Bound, History, Inputs, Period, render, source};
use crate::revision::Snapshot;
use crate::workspace::Workspace;

use super::super::CliError;
use super::super::ui::{Ui, stdout_write};

/// Report the KPIs of a period: volumes, backlog and aging, MTTA/MTTR and
/// SLA compliance per priority, reopens, first-line resolution, problems,
/// changes, service requests and monthly trends
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Figures come from the records and, where a record lacks a timestamp, from Git history; the report says which. \
The same records and policy at the same revision always give the same report: pass --until (or set GITSM_NOW), or --rev, \
which reads the records and gitsm.yaml of that commit and is as of its commit time unless --until is given.\n\n\
Examples:\n  gitsm report --since 2026-10-01 --until 2026-12-31 -o q4.md\n  gitsm report --rev v2026.10 --format json\n  \
gitsm report --format html --timezone Europe/Berlin -o report.html"
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

/// The transitions a report uses: a record's lone addition gives none of
/// its figures.
const REPORT_KEEP: Keep = Keep::AllButLoneAdditions;

/// What a report is made from, read from the work tree or a commit.
struct Source {
    ws: Workspace,
    loaded: Loaded,
    history: Option<History>,
    revision: Option<String>,
    as_of: Timestamp,
}

pub fn run(ui: &Ui, args: Args) -> Result<ExitCode, CliError> {
    let ws = ui.workspace()?;
    let repo = git::open(&ws.root);
    let src = match &args.rev {
        Some(rev) => {
            let repo = repo.as_ref().ok_or_else(|| {
                CliError::usage_hint(
                    format!("{} is not inside a Git repository", ws.root.display()),
                    "drop --rev to report on the work tree",
                )
            })?;
            at_commit(ws, repo, &commit(repo, rev)?)?
        }
        None => work_tree(ws, repo.as_ref())?,
    };
    let records: Vec<&Record> = src.loaded.records().map(|(_, r)| r).collect();
    let unreadable = src.loaded.checked.saturating_sub(records.len());
    // In parallel: every record is fetched from memory for it.
    let earliest = records.par_iter().filter_map(|r| r.created_at()).min();
    let at = match args.at {
        Some(when) => super::new::at(Some(when), &src.ws.config)?,
        None => src.as_of,
    };
    let timezone = args.timezone.unwrap_or_else(|| src.ws.config.zone());
    let period = Period::new(args.since, args.until, at, timezone, earliest)
        .map_err(|e| CliError::usage(e.to_string()))?;
    let inputs = Inputs {
        config: &src.ws.config,
        records: &records,
        unreadable,
        revision: src.revision.clone(),
        history: src.history.as_ref(),
        // JSON lists every breach; the documents, the first few.
        listed: (args.format != ReportFormat::Json).then_some(render::LISTED),
    };
    let report = report::build(&inputs, &period).map_err(|e| CliError::usage(e.to_string()))?;
    let text = match args.format {
        ReportFormat::Markdown => render::markdown(&report),
        ReportFormat::Json => render::json(&report),
        ReportFormat::Html => render::html(&report),
    };
    match &args.output {
        Some(path) => {
            let path = ui.cwd.join(path);
            write_report(&path, text.as_bytes()).map_err(|e| CliError::io(path.display(), e))?;
            ui.status(&format!("wrote {}", path.display()));
        }
        None => stdout_write(&text)?,
    }
    if unreadable > 0 {
        ui.status(&format!(
            "warning: {unreadable} record file{} could not be read and {} not counted; run `gitsm validate`",
            if unreadable == 1 { "" } else { "s" },
            if unreadable == 1 { "is" } else { "are" }
        ));
    }
    // Freeing every record and figure one by one takes a tenth of a
    // second at 100,000 records, for memory the process hands back to the
    // system as it exits right after.
    std::mem::forget(report);
    drop(records);
    std::mem::forget(src);
    Ok(ExitCode::SUCCESS)
}

/// Write the report atomically. The temporary file is private (0600); the
/// report keeps the permissions of the file it replaces, or is readable by
/// all (0644) when new, like a file a shell redirection creates.
fn write_report(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let before = std::fs::metadata(path).ok().map(|m| m.permissions());
    crate::write::atomic(path, bytes)?;
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

/// The work tree's records, history up to HEAD (when there is one), as of now.
fn work_tree(ws: Workspace, repo: Option<&Repository>) -> Result<Source, CliError> {
    let load = |blob_ids: records::BlobIds<'_>| {
        let purpose = records::Purpose::Figures {
            blob_ids,
            references: false,
        };
        records::load(&ws, &Kind::ALL, purpose)
    };
    let head = repo.and_then(|r| Some((r, r.head().ok()?.peel_to_commit().ok()?)));
    let (loaded, history) = match head {
        Some((repo, head)) => {
            let prefix = git::prefix(repo, &ws.root).unwrap_or_default();
            let (loaded, history) =
                source::load_with_history(repo, &prefix, head.id(), REPORT_KEEP, load);
            let history = history.map_err(|e| CliError::io("reading history", e))?;
            (loaded, Some(history))
        }
        None => (load(records::BlobIds::None), None),
    };
    Ok(Source {
        ws,
        loaded,
        history,
        revision: None,
        as_of: super::new::now()?,
    })
}

/// The records and policy of `commit`'s tree, history up to it, as of its
/// commit time.
fn at_commit(ws: Workspace, repo: &Repository, commit: &Commit<'_>) -> Result<Source, CliError> {
    let id = commit.id().to_string();
    let prefix = git::prefix(repo, &ws.root).unwrap_or_default();
    let tree = commit
        .tree()
        .map_err(|e| CliError::io(format!("reading {id}"), e.message()))?;
    let snapshot = Snapshot::new(repo, Some(&tree), &prefix);
    let config = source::config_at(&snapshot, &ws.schemas).map_err(|e| match e {
        source::SourceError::Config(diags) => CliError::from(diags),
        other => CliError::usage(format!("{}: {other}", &id[..10])),
    })?;
    let ws = Workspace {
        root: ws.root,
        config,
        schemas: ws.schemas,
    };
    // A commit's blob ids come with its tree: none is hashed.
    let (loaded, history) =
        source::load_with_history(repo, &prefix, commit.id(), REPORT_KEEP, |_| {
            source::records_at(&ws, &snapshot)
        });
    let history = history.map_err(|e| CliError::io("reading history", e))?;
    Ok(Source {
        ws,
        loaded,
        history: Some(history),
        revision: Some(id),
        as_of: history::commit_time(commit),
    })
}

fn commit<'r>(repo: &'r Repository, rev: &str) -> Result<Commit<'r>, CliError> {
    repo.revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| {
            if repo.head().is_err() {
                CliError::usage("the repository has no commits yet")
            } else {
                CliError::usage_hint(
                    format!("unknown revision `{rev}`"),
                    "name a branch, tag or commit, e.g. HEAD~10 or v2026.10",
                )
            }
        })
}
