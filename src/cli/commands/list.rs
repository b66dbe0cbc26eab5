//! `gitsm list`: query records.

use std::process::ExitCode;

use serde::Serialize;

use crate::kind::Kind;
use crate::model::{Priority, Record};
use crate::records;

use super::super::CliError;
use super::super::ui::{Ui, stdout_write};

/// List records, filtered
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this kind: incident, problem, change, request or ci
    pub kind: Option<Kind>,
    /// Only records in this state (repeat for several)
    #[arg(long, value_name = "STATE")]
    pub status: Vec<String>,
    /// Only tickets that still need work: incidents new, in progress or on
    /// hold, problems before resolved, changes before closed, requests
    /// before fulfilled (never CIs; --status for anything else)
    #[arg(long)]
    pub open: bool,
    /// Only this priority (P1..P4)
    #[arg(long)]
    pub priority: Option<Priority>,
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
    path: String,
}

fn service(record: &Record) -> Option<&str> {
    match record {
        Record::Incident(r) => r.service.as_deref(),
        Record::Problem(r) => r.service.as_deref(),
        Record::Change(r) => r.service.as_deref(),
        _ => None,
    }
}

pub fn run(ui: &Ui, args: Args) -> Result<ExitCode, CliError> {
    let ws = ui.workspace()?;
    let kinds: Vec<Kind> = args.kind.map_or_else(|| Kind::ALL.to_vec(), |k| vec![k]);
    let loaded = records::load(&ws, &kinds, records::Purpose::Check);
    let skipped = loaded.files.iter().filter(|f| f.record.is_none()).count();
    let mut rows: Vec<Row> = loaded
        .records()
        .filter(|(_, r)| args.status.is_empty() || args.status.iter().any(|s| s == r.status()))
        .filter(|(_, r)| !args.open || crate::sla::Phase::is_open(r))
        .map(|(f, r)| Row {
            id: r.id().to_owned(),
            kind: r.kind(),
            status: r.status().to_owned(),
            priority: crate::priority::of(r, &ws.config),
            title: r.title().to_owned(),
            assignee: r.assignee().map(String::from),
            team: r.team().map(String::from),
            service: service(r).map(String::from),
            created_at: r.created_at().map(|t| t.to_rfc3339()),
            path: f.path.to_string_lossy().replace('\\', "/"),
        })
        .filter(|row| args.priority.is_none_or(|p| row.priority == Some(p)))
        .collect();
    rows.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
    let text = match args.format {
        ListFormat::Json => {
            let mut s = serde_json::to_string_pretty(&rows).unwrap_or_default();
            s.push('\n');
            s
        }
        ListFormat::Csv => csv(&rows),
        ListFormat::Table => table(&rows),
    };
    stdout_write(&text)?;
    if skipped > 0 && !ui.quiet {
        ui.status(&format!(
            "warning: {skipped} record file(s) could not be read and are not listed; run `gitsm validate`"
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn cells(r: &Row) -> [String; 6] {
    [
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
    let all: Vec<[String; 6]> = rows.iter().map(cells).collect();
    let mut widths = HEADERS.map(str::len);
    for row in &all {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cols: &[String]| {
        let last = cols.len() - 1;
        for (i, c) in cols.iter().enumerate() {
            if i == last {
                out.push_str(c);
            } else {
                out.push_str(c);
                out.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
            }
        }
        out.push('\n');
    };
    line(&HEADERS.map(String::from));
    for row in &all {
        line(row);
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn csv(rows: &[Row]) -> String {
    let mut out = String::from("id,kind,status,priority,assignee,team,service,created_at,title\n");
    for r in rows {
        let fields = [
            r.id.clone(),
            r.kind.name().to_owned(),
            r.status.clone(),
            r.priority.map(|p| p.name().to_owned()).unwrap_or_default(),
            r.assignee.clone().unwrap_or_default(),
            r.team.clone().unwrap_or_default(),
            r.service.clone().unwrap_or_default(),
            r.created_at.clone().unwrap_or_default(),
            r.title.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}
