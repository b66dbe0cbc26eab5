//! `gitsm list`: query records.

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
use super::super::ui::{stdout_json_list, stdout_write};

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

/// One row of the listing.
#[derive(Debug, Serialize)]
struct Row {
    id: String,
    kind: Kind,
    status: String,
    priority: Option<Priority>,
    title: String,
    assignee: Option<String>,
    team: Option<String>,
    service: Option<String>,
    created_at: Option<String>,
    #[serde(skip)]
    created: Option<Timestamp>,
    path: String,
    /// Who reported or requested it.
    requester: Option<String>,
    category: Option<String>,
    /// Resolved (requests: fulfilled).
    resolved_at: Option<String>,
    closed_at: Option<String>,
    /// The SLA state of an open ticket's clocks now (not in the table).
    sla_state: Option<&'static str>,
    /// The earliest due time of its running clocks.
    sla_due: Option<String>,
    /// With --expiring: when the access it granted ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    /// With --expiring: `expiring` or `expired`.
    #[serde(skip_serializing_if = "Option::is_none")]
    grant: Option<&'static str>,
}

/// Who reported or requested a ticket, its category, and when it was
/// resolved (or fulfilled) and closed.
fn facts(record: &Record) -> [Option<String>; 4] {
    let time = |t: Option<Timestamp>| t.map(|t| t.to_rfc3339());
    match record {
        Record::Incident(r) => [
            Some(r.reported_by.clone()),
            r.category.clone(),
            time(r.resolved_at),
            time(r.closed_at),
        ],
        Record::Problem(r) => [
            Some(r.reported_by.clone()),
            r.category.clone(),
            time(r.resolved_at),
            time(r.closed_at),
        ],
        Record::Change(r) => [Some(r.requested_by.clone()), None, None, time(r.closed_at)],
        Record::Request(r) => [
            Some(r.requested_by.clone()),
            r.category.clone(),
            time(r.fulfilled_at),
            time(r.closed_at),
        ],
        Record::Ci(_) => [None, None, None, None],
        Record::Article(r) => [None, r.categories.first().cloned(), None, None],
    }
}

/// A column to sort by.
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

    fn compare(self, a: &Row, b: &Row) -> std::cmp::Ordering {
        match self {
            SortKey::Id => a.id.cmp(&b.id),
            SortKey::Kind => a.kind.cmp(&b.kind),
            SortKey::Status => a.status.cmp(&b.status),
            // P1 first; no priority last.
            SortKey::Priority => {
                (a.priority.is_none(), a.priority).cmp(&(b.priority.is_none(), b.priority))
            }
            SortKey::Assignee => a.assignee.cmp(&b.assignee),
            SortKey::Team => a.team.cmp(&b.team),
            SortKey::Service => a.service.cmp(&b.service),
            SortKey::CreatedAt => a.created.cmp(&b.created),
            SortKey::Title => a.title.cmp(&b.title),
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
            let [requester, category, resolved_at, closed_at] = facts(r);
            let mut row = Row {
                id: r.id().to_owned(),
                kind: r.kind(),
                status: r.status().to_owned(),
                priority: crate::priority::of(r, config),
                title: r.title().to_owned(),
                assignee: r.assignee().map(String::from),
                team: r.team().map(String::from),
                service: service(r).map(String::from),
                created_at: r.created_at().map(|t| t.to_rfc3339()),
                created: r.created_at(),
                path: f.path.to_string_lossy().replace('\\', "/"),
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
                row.expires_at = Some(expires.to_rfc3339());
                row.grant = Some(standing);
            }
            if let Some((clocks, now)) = &sla
                && let Some(clocks) = clocks
                    .of(r, *now)
                    .map_err(|e| CommandError::usage(e.to_string()))?
                    .filter(crate::sla::TicketClocks::is_open)
            {
                row.sla_state = Some(clocks.state().name());
                row.sla_due = clocks.next_due().map(|t| t.to_rfc3339());
            }
            Ok(row)
        })
        .collect::<Result<Vec<Row>, CommandError>>()?;
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
        ListFormat::Csv => stdout_write(&csv(&rows))?,
        ListFormat::Table if grants.is_some() => stdout_write(&grant_table(&rows))?,
        ListFormat::Table => stdout_write(&table(&rows))?,
    }
    if skipped > 0 && !cx.quiet {
        cx.status(&format!(
            "warning: {skipped} record file(s) could not be read and are not listed; run `gitsm validate`"
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn cells(r: &Row) -> Vec<String> {
    vec![
        r.id.clone(),
        r.status.clone(),
        r.priority.map(|p| p.name().to_owned()).unwrap_or_default(),
        r.assignee.clone().unwrap_or_default(),
        r.service.clone().unwrap_or_default(),
        r.title.clone(),
    ]
}

const HEADERS: [&str; 6] = ["ID", "STATUS", "PRIORITY", "ASSIGNEE", "SERVICE", "TITLE"];

fn table(rows: &[Row]) -> String {
    tabular::aligned(&HEADERS, &rows.iter().map(cells).collect::<Vec<_>>())
}

/// `--expiring`: the requests whose grants are due, with when and how.
fn grant_table(rows: &[Row]) -> String {
    const GRANT_HEADERS: [&str; 6] = ["ID", "GRANT", "EXPIRES", "PRIORITY", "ASSIGNEE", "TITLE"];
    let cells = |r: &Row| {
        vec![
            r.id.clone(),
            r.grant.unwrap_or_default().to_owned(),
            r.expires_at.clone().unwrap_or_default(),
            r.priority.map(|p| p.name().to_owned()).unwrap_or_default(),
            r.assignee.clone().unwrap_or_default(),
            r.title.clone(),
        ]
    };
    tabular::aligned(&GRANT_HEADERS, &rows.iter().map(cells).collect::<Vec<_>>())
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

fn csv(rows: &[Row]) -> String {
    let fields = |r: &Row| {
        vec![
            r.id.clone(),
            r.kind.name().to_owned(),
            r.status.clone(),
            r.priority.map(|p| p.name().to_owned()).unwrap_or_default(),
            r.assignee.clone().unwrap_or_default(),
            r.team.clone().unwrap_or_default(),
            r.service.clone().unwrap_or_default(),
            r.created_at.clone().unwrap_or_default(),
            r.title.clone(),
            r.requester.clone().unwrap_or_default(),
            r.category.clone().unwrap_or_default(),
            r.resolved_at.clone().unwrap_or_default(),
            r.closed_at.clone().unwrap_or_default(),
            r.sla_state.unwrap_or_default().to_owned(),
            r.sla_due.clone().unwrap_or_default(),
        ]
    };
    tabular::csv(&CSV_HEADERS, &rows.iter().map(fields).collect::<Vec<_>>())
}
