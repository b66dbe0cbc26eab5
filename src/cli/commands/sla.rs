//! `gitsm sla`: open tickets with their SLA clocks.

use std::process::ExitCode;

use anstyle::Style;
use chrono::{Duration, SecondsFormat};
use serde_json::{Value, json};

use crate::dataset::{Dataset, Need};
use crate::duration;
use crate::model::{Record, Timestamp};
use crate::sla::{Basis, ClockState, SlaClock, Stamp, StampSource, TicketClocks};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::ui::{ERROR, GOOD, WARNING, plural, stdout_json_list, stdout_lines};

/// Show open incidents and service requests with their SLA clocks
#[derive(Debug, clap::Args)]
#[command(
    after_help = "A ticket is open at T when it was created by T and not resolved (fulfilled) by T; \
cancelled and rejected tickets have no clocks. Its state is the worst of its clocks: \
ok < at_risk < breached (a missed response counts as breached).\n\nExamples:\n  gitsm sla\n  gitsm sla --at 2026-11-23T09:00:00+01:00 --format json\n  gitsm sla --fail-on breach"
)]
pub struct Args {
    /// Read the clocks at this time instead of now: RFC 3339, a date,
    /// `2026-12-01 09:00`, `tomorrow 09:00`, `+2h`, `-1d` (local times in
    /// the organisation's `timezone`)
    #[arg(long, value_name = "T")]
    pub at: Option<crate::when::When>,
    /// Exit with 1 when a ticket has breached its SLA
    #[arg(long, value_enum, value_name = "WHAT")]
    pub fail_on: Option<FailOn>,
    /// Output format
    #[arg(long, value_enum, default_value_t = SlaFormat::Text)]
    pub format: SlaFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any open ticket whose state is `breached`
    Breach,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SlaFormat {
    Text,
    Json,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let at = cx.at(args.at, &ws.config)?;
    let dataset = Dataset::work_tree(ws, Need::Sla);
    cx.dataset(&dataset);
    cx.warnings(&dataset.warnings);
    let clocks = dataset.clocks().map_err(usage)?;
    let mut open = Vec::new();
    for record in dataset.records() {
        if let Some(clocks) = clocks.of(record, at).map_err(usage)?
            && clocks.is_open()
        {
            open.push((record, clocks));
        }
    }
    open.sort_by_key(|(_, c)| (std::cmp::Reverse(c.state()), c.next_due(), c.id.clone()));
    match args.format {
        // One ticket at a time: 70,000 open tickets are never one string.
        SlaFormat::Json => stdout_json_list(
            open.iter()
                .map(|(record, clocks)| ticket_json(record, clocks)),
        )?,
        SlaFormat::Text => stdout_lines(|out| table(&open, out))?,
    }
    let count = |state| open.iter().filter(|(_, c)| c.state() == state).count();
    let breached = count(ClockState::Breached);
    if args.format == SlaFormat::Text {
        cx.status(&format!(
            "{} open at {}: {breached} breached, {} at risk, {} ok",
            plural(open.len(), "ticket"),
            at.to_rfc3339_opts(SecondsFormat::Secs, true),
            count(ClockState::AtRisk),
            count(ClockState::Ok),
        ));
    }
    let from_git = open
        .iter()
        .filter(|(_, c)| {
            c.clocks().any(|k| {
                let git = |s: &Stamp| matches!(s.source, StampSource::Git { .. });
                git(&k.start) || k.stop.as_ref().is_some_and(git)
            })
        })
        .count();
    if from_git > 0 && args.format == SlaFormat::Text {
        cx.status(&format!(
            "{} with a time taken from Git history (the commit that made the transition; see --format json)",
            plural(from_git, "ticket")
        ));
    }
    cx.unreadable(dataset.unreadable(), "measured");
    if args.fail_on == Some(FailOn::Breach) && breached > 0 {
        return Err(CommandError::Failed(format!(
            "{} breached {} SLA",
            plural(breached, "ticket"),
            if breached == 1 { "its" } else { "their" }
        )));
    }
    Ok(ExitCode::SUCCESS)
}

fn usage(e: impl ToString) -> CommandError {
    CommandError::usage(e.to_string())
}

/// `1h30m`, `-45m` (past the target), `0m`; whole minutes.
pub(crate) fn span(d: Duration) -> String {
    let minutes = duration::Duration::minutes(d.num_minutes().abs());
    if d < Duration::zero() && minutes.as_minutes() > 0 {
        format!("-{minutes}")
    } else {
        minutes.to_string()
    }
}

fn instant(t: &Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Text of a due time, local to the clock's calendar.
pub(crate) fn due_text(clock: &SlaClock) -> String {
    clock.due.map_or_else(
        || "never".to_owned(),
        |d| d.format("%Y-%m-%d %H:%M %:z").to_string(),
    )
}

pub(crate) fn state_style(state: ClockState) -> Style {
    match state {
        ClockState::Breached | ClockState::Missed => ERROR,
        ClockState::AtRisk => WARNING,
        ClockState::Ok | ClockState::Met => GOOD,
    }
}

fn stamp_json(stamp: &Stamp) -> Value {
    let mut v = json!({ "at": instant(&stamp.at) });
    match &stamp.source {
        StampSource::Record => v["from"] = json!("record"),
        StampSource::Git { commit } => {
            v["from"] = json!("git");
            v["commit"] = json!(commit);
        }
    }
    v
}

/// Where a target comes from, as text: `P3`, `catalog vpn-access`, ...
pub(crate) fn basis_text(basis: &Basis) -> String {
    match basis {
        Basis::Priority(p) => p.name().to_owned(),
        Basis::Catalog(item) => format!("catalog {item}"),
        Basis::Symptom {
            symptom,
            service_class,
        } => format!("symptom {symptom}, class {service_class}"),
    }
}

fn basis_json(basis: &Basis) -> Value {
    match basis {
        Basis::Priority(p) => json!({ "from": "priority", "priority": p.name() }),
        Basis::Catalog(item) => json!({ "from": "catalog", "item": item }),
        Basis::Symptom {
            symptom,
            service_class,
        } => json!({ "from": "symptom", "symptom": symptom, "service_class": service_class }),
    }
}

/// One clock: durations in seconds, instants in RFC 3339.
pub(crate) fn clock_json(clock: &SlaClock) -> Value {
    let r = &clock.reading;
    json!({
        "state": r.state.name(),
        "target": clock.target.duration.to_chrono().num_seconds(),
        "elapsed": r.elapsed.num_seconds(),
        "remaining": r.remaining.num_seconds(),
        "due": clock.due.as_ref().map(instant),
        "paused": r.paused,
        "calendar": clock.target.calendar,
        "basis": basis_json(&clock.target.basis),
        "start": stamp_json(&clock.start),
        "stop": clock.stop.as_ref().map(stamp_json),
    })
}

/// A ticket's SLA: its state, the instant read and both clocks.
pub(crate) fn clocks_json(clocks: &TicketClocks) -> Value {
    json!({
        "state": clocks.state().name(),
        "at": instant(&clocks.at),
        "response": clock_json(&clocks.response),
        "resolution": clocks.resolution.as_ref().map(clock_json),
    })
}

fn ticket_json(record: &Record, clocks: &TicketClocks) -> Value {
    let mut v = json!({
        "id": clocks.id,
        "kind": clocks.kind,
        "priority": clocks.priority.map(|p| p.name()),
        "status": record.status(),
        "title": record.title(),
    });
    if let (Value::Object(map), Value::Object(sla)) = (&mut v, clocks_json(clocks)) {
        map.extend(sla);
    }
    v
}

const HEADERS: [&str; 8] = [
    "ID",
    "PRIORITY",
    "CLOCK",
    "STATE",
    "ELAPSED",
    "TARGET",
    "REMAINING",
    "DUE",
];

/// One row per clock, aligned; the state column coloured, written a line
/// at a time: its rows are made twice (to measure the columns, then to
/// write them) rather than held, as 140,000 clocks would be.
fn table(open: &[(&Record, TicketClocks)], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let rows = || {
        open.iter().flat_map(|(_, clocks)| {
            clocks.clocks().map(|c| {
                let r = &c.reading;
                ClockRow {
                    cells: [
                        clocks.id.clone(),
                        clocks
                            .priority
                            .map_or_else(|| "-".to_owned(), |p| p.name().to_owned()),
                        c.kind.name().to_owned(),
                        r.state.name().to_owned(),
                        span(r.elapsed),
                        c.target.duration.to_string(),
                        span(r.remaining),
                        if r.paused {
                            format!("{} (on hold)", due_text(c))
                        } else {
                            due_text(c)
                        },
                    ],
                    state: r.state,
                }
            })
        })
    };
    let style = |row: &ClockRow, column: usize| {
        if column == 3 {
            state_style(row.state)
        } else {
            Style::new()
        }
    };
    super::super::tabular::write_styled(&HEADERS, rows, style, out)
}

/// A line of [`table`]: its cells, and the state its colour shows.
struct ClockRow {
    cells: [String; 8],
    state: ClockState,
}

impl AsRef<[String]> for ClockRow {
    fn as_ref(&self) -> &[String] {
        &self.cells
    }
}
