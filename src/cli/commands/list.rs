//! `gitsm list`: query records.

use std::borrow::Cow;
use std::io::Write;
use std::process::ExitCode;

use rayon::prelude::*;
use serde::Serialize;

use crate::dataset::{Dataset, Need};
use crate::kind::Kind;
use crate::local_index::Selection;
use crate::model::{Priority, Record, Timestamp};
use crate::query::service;

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::filters::{Filters, TeamFilter};
use super::super::tabular;
use super::super::ui::{stdout_json_list, stdout_lines};

/// List records, filtered and sorted
#[derive(Debug, clap::Args)]
#[command(after_help = "\
States and groups are checked: a misspelt one is an error (exit 2) naming the \
valid ones, never an empty list. Dates are midnight in the organisation's \
`timezone` (UTC unless gitsm.yaml sets one); a date --until includes that day.

Examples:
  gitsm list incident --mine --open --sort priority,created_at
  gitsm list --team l2-apps --unassigned
  gitsm list incident --problem PRB-0003 --status in_progress
  gitsm list --since 2026-11-01 --format csv > november.csv
  gitsm list request --expiring 14d --at 2026-12-01")]
pub struct Args {
    /// Only this kind: incident, problem, change, request or ci
    #[arg(add = crate::cli::complete::kind())]
    pub kind: Option<Kind>,
    #[command(flatten)]
    pub filters: Filters,
    #[command(flatten)]
    pub team: TeamFilter,
    /// Order by these columns, comma-separated; `-` before one reverses it
    /// (id, kind, status, priority, assignee, team, service, created_at,
    /// title)
    #[arg(long, value_name = "FIELDS", value_delimiter = ',')]
    pub sort: Vec<String>,
    /// Only requests whose access grant expires within DAYS (e.g. 14d)
    /// or has expired without a revocation
    #[arg(long, value_name = "DAYS")]
    pub expiring: Option<crate::duration::Days>,
    /// With --expiring: the time to count from instead of now
    #[arg(long, value_name = "T", requires = "expiring")]
    pub at: Option<crate::when::When>,
    /// Show at most N
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

/// One row of the listing. Its text is borrowed from the record: a
/// listing of 100,000 records holds no copy of them.
#[derive(Debug, Serialize)]
struct Row<'r> {
    id: &'r str,
    kind: Kind,
    status: &'r str,
    priority: Option<Priority>,
    title: &'r str,
    assignee: Option<&'r str>,
    team: Option<&'r str>,
    service: Option<&'r str>,
    #[serde(serialize_with = "rfc3339")]
    created_at: Option<Timestamp>,
    path: Cow<'r, str>,
    /// Who reported or requested it.
    requester: Option<&'r str>,
    category: Option<&'r str>,
    /// Resolved (requests: fulfilled).
    #[serde(serialize_with = "rfc3339")]
    resolved_at: Option<Timestamp>,
    #[serde(serialize_with = "rfc3339")]
    closed_at: Option<Timestamp>,
    /// The SLA state of an open ticket's clocks now (not in the table).
    sla_state: Option<&'static str>,
    /// The earliest due time of its running clocks.
    #[serde(serialize_with = "rfc3339")]
    sla_due: Option<Timestamp>,
    /// With --expiring: when the access it granted ends.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "rfc3339")]
    expires_at: Option<Timestamp>,
    /// With --expiring: `expiring` or `expired`.
    #[serde(skip_serializing_if = "Option::is_none")]
    grant: Option<&'static str>,
}

/// A time as the listing writes it (RFC 3339), written when the row is.
fn time(t: Option<Timestamp>) -> Option<String> {
    t.map(|t| t.to_rfc3339())
}

fn rfc3339<S: serde::Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    time(*t).serialize(s)
}

/// Who reported or requested it, its category, when it was resolved (or
/// fulfilled) and closed.
fn facts(record: &Record) -> (Option<&str>, Option<&str>, [Option<Timestamp>; 2]) {
    match record {
        Record::Incident(r) => (
            Some(&r.reported_by),
            r.category.as_deref(),
            [r.resolved_at, r.closed_at],
        ),
        Record::Problem(r) => (
            Some(&r.reported_by),
            r.category.as_deref(),
            [r.resolved_at, r.closed_at],
        ),
        Record::Change(r) => (Some(&r.requested_by), None, [None, r.closed_at]),
        Record::Request(r) => (
            Some(&r.requested_by),
            r.category.as_deref(),
            [r.fulfilled_at, r.closed_at],
        ),
        Record::Ci(_) => (None, None, [None, None]),
        Record::Article(r) => (None, r.categories.first().map(String::as_str), [None, None]),
    }
}

#[derive(Debug, Clone, Copy)]
enum SortKey {
    Id,
    Kind,
    Status,
    Priority,
    Assignee,
    Team,
    Service,
    CreatedAt,
    Title,
}

impl SortKey {
    const ALL: [(&'static str, SortKey); 9] = [
        ("id", SortKey::Id),
        ("kind", SortKey::Kind),
        ("status", SortKey::Status),
        ("priority", SortKey::Priority),
        ("assignee", SortKey::Assignee),
        ("team", SortKey::Team),
        ("service", SortKey::Service),
        ("created_at", SortKey::CreatedAt),
        ("title", SortKey::Title),
    ];

    fn compare(self, a: &Row<'_>, b: &Row<'_>) -> std::cmp::Ordering {
        match self {
            SortKey::Id => a.id.cmp(b.id),
            SortKey::Kind => a.kind.cmp(&b.kind),
            SortKey::Status => a.status.cmp(b.status),
            // P1 first; no priority last.
            SortKey::Priority => {
                (a.priority.is_none(), a.priority).cmp(&(b.priority.is_none(), b.priority))
            }
            SortKey::Assignee => a.assignee.cmp(&b.assignee),
            SortKey::Team => a.team.cmp(&b.team),
            SortKey::Service => a.service.cmp(&b.service),
            SortKey::CreatedAt => a.created_at.cmp(&b.created_at),
            SortKey::Title => a.title.cmp(b.title),
        }
    }
}

/// `--sort priority,-created_at` as keys, each with whether it is reversed.
fn sort_keys(fields: &[String]) -> Result<Vec<(SortKey, bool)>, CommandError> {
    fields
        .iter()
        .map(|f| {
            let (name, reverse) = match f.strip_prefix('-') {
                Some(n) => (n, true),
                None => (f.as_str(), false),
            };
            SortKey::ALL
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, k)| (*k, reverse))
                .ok_or_else(|| {
                    CommandError::usage_hint(
                        format!("cannot sort by `{name}`"),
                        format!("sort by {}", SortKey::ALL.map(|(n, _)| n).join(", ")),
                    )
                })
        })
        .collect()
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    if args.expiring.is_some() && args.kind.is_some_and(|k| k != Kind::Request) {
        return Err(CommandError::usage(
            "--expiring lists service requests: their access grants",
        ));
    }
    let kind = match args.expiring {
        Some(_) => Some(Kind::Request),
        None => args.kind,
    };
    let expiring_at = cx.at(args.at, &ws.config)?;
    let kinds: Vec<Kind> = kind.map_or_else(|| Kind::ALL.to_vec(), |k| vec![k]);
    let query = args.filters.query(&ws, kind, &args.team)?;
    let order = sort_keys(&args.sort)?;
    // The SLA columns (CSV and JSON) read each open ticket's clocks now.
    let need = match args.format {
        ListFormat::Table => Need::Records,
        _ => Need::Clocks,
    };
    // The index gives only the kinds and states asked for.
    let selection = Selection {
        kinds: kinds.clone(),
        open: query.open,
        statuses: query.status.clone(),
        ..Selection::default()
    };
    let dataset = Dataset::work_tree_where(ws, need, &selection);
    cx.dataset(&dataset);
    cx.warnings(&dataset.warnings);
    let config = dataset.config();
    let skipped = dataset
        .files()
        .iter()
        .filter(|f| f.record.is_none() && kinds.contains(&f.kind))
        .count();
    let sla = match need {
        Need::Clocks => {
            let clocks = dataset
                .clocks()
                .map_err(|e| CommandError::usage(e.to_string()))?;
            Some((clocks, cx.now()?))
        }
        _ => None,
    };
    let grants: Option<std::collections::HashMap<String, (Timestamp, &'static str)>> =
        args.expiring.map(|within| {
            crate::grants::due(config, dataset.records(), expiring_at, within)
                .into_iter()
                .map(|(g, standing)| (g.id, (g.expires_at, standing.name())))
                .collect()
        });
    let matching: Vec<_> = dataset
        .records_with_files()
        .filter(|(_, r)| kinds.contains(&r.kind()) && query.matches(config, r))
        .filter(|(_, r)| grants.as_ref().is_none_or(|due| due.contains_key(r.id())))
        .collect();
    // Side by side: 100,000 rows each read their SLA clocks.
    let mut rows = matching
        .par_iter()
        .map(|(f, r)| {
            let (requester, category, [resolved_at, closed_at]) = facts(r);
            let mut row = Row {
                id: r.id(),
                kind: r.kind(),
                status: r.status(),
                priority: crate::priority::of(r, config),
                title: r.title(),
                assignee: r.assignee(),
                team: r.team(),
                service: service(r),
                created_at: r.created_at(),
                path: match f.path.to_string_lossy() {
                    Cow::Borrowed(path) if !path.contains('\\') => Cow::Borrowed(path),
                    path => Cow::Owned(path.replace('\\', "/")),
                },
                requester,
                category,
                resolved_at,
                closed_at,
                sla_state: None,
                sla_due: None,
                expires_at: None,
                grant: None,
            };
            if let Some((expires, standing)) = grants.as_ref().and_then(|due| due.get(r.id())) {
                row.expires_at = Some(*expires);
                row.grant = Some(standing);
            }
            if let Some((clocks, now)) = &sla
                && let Some(clocks) = clocks
                    .of(r, *now)
                    .map_err(|e| CommandError::usage(e.to_string()))?
                    .filter(crate::sla::TicketClocks::is_open)
            {
                row.sla_state = Some(clocks.state().name());
                row.sla_due = clocks.next_due();
            }
            Ok(row)
        })
        .collect::<Result<Vec<Row<'_>>, CommandError>>()?;
    rows.sort_by(|a, b| {
        order
            .iter()
            .map(|(key, reverse)| {
                let o = key.compare(a, b);
                if *reverse { o.reverse() } else { o }
            })
            .find(|o| o.is_ne())
            .unwrap_or_else(|| (a.kind, &a.id).cmp(&(b.kind, &b.id)))
    });
    if let Some(n) = args.limit {
        rows.truncate(n);
    }
    match args.format {
        ListFormat::Json => stdout_json_list(&rows)?,
        ListFormat::Csv => stdout_lines(|out| csv(&rows, out))?,
        ListFormat::Table if grants.is_some() => stdout_lines(|out| grant_table(&rows, out))?,
        ListFormat::Table => stdout_lines(|out| table(&rows, out))?,
    }
    if skipped > 0 && !cx.quiet {
        cx.status(&format!(
            "warning: {skipped} record file(s) could not be read and are not listed; run `gitsm validate`"
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// The table's cells of a row.
fn cells<'a>(r: &'a Row<'_>) -> [&'a str; 6] {
    [
        r.id,
        r.status,
        r.priority.map(Priority::name).unwrap_or_default(),
        r.assignee.unwrap_or_default(),
        r.service.unwrap_or_default(),
        r.title,
    ]
}

const HEADERS: [&str; 6] = ["ID", "STATUS", "PRIORITY", "ASSIGNEE", "SERVICE", "TITLE"];

fn table(rows: &[Row<'_>], out: &mut dyn Write) -> std::io::Result<()> {
    tabular::write_aligned(&HEADERS, || rows.iter().map(cells), out)
}

fn grant_table(rows: &[Row<'_>], out: &mut dyn Write) -> std::io::Result<()> {
    const GRANT_HEADERS: [&str; 6] = ["ID", "GRANT", "EXPIRES", "PRIORITY", "ASSIGNEE", "TITLE"];
    let cells = |r: &Row<'_>| {
        [
            r.id.to_owned(),
            r.grant.unwrap_or_default().to_owned(),
            time(r.expires_at).unwrap_or_default(),
            r.priority.map(|p| p.name().to_owned()).unwrap_or_default(),
            r.assignee.unwrap_or_default().to_owned(),
            r.title.to_owned(),
        ]
    };
    tabular::write_aligned(&GRANT_HEADERS, || rows.iter().map(cells), out)
}

const CSV_HEADERS: [&str; 15] = [
    "id",
    "kind",
    "status",
    "priority",
    "assignee",
    "team",
    "service",
    "created_at",
    "title",
    "requester",
    "category",
    "resolved_at",
    "closed_at",
    "sla_state",
    "sla_due",
];

fn csv(rows: &[Row<'_>], out: &mut dyn Write) -> std::io::Result<()> {
    let fields = |r: &Row<'_>| {
        vec![
            r.id.to_owned(),
            r.kind.name().to_owned(),
            r.status.to_owned(),
            r.priority.map(|p| p.name().to_owned()).unwrap_or_default(),
            r.assignee.unwrap_or_default().to_owned(),
            r.team.unwrap_or_default().to_owned(),
            r.service.unwrap_or_default().to_owned(),
            time(r.created_at).unwrap_or_default(),
            r.title.to_owned(),
            r.requester.unwrap_or_default().to_owned(),
            r.category.unwrap_or_default().to_owned(),
            time(r.resolved_at).unwrap_or_default(),
            time(r.closed_at).unwrap_or_default(),
            r.sla_state.unwrap_or_default().to_owned(),
            time(r.sla_due).unwrap_or_default(),
        ]
    };
    tabular::write_csv(&CSV_HEADERS, rows.iter().map(fields), out)
}
