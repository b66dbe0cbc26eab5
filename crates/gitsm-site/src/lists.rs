//! Table pages: the list of each kind (filtered and searched in the
//! browser), the known error database and the SLA page. A list's and the
//! SLA page's rows are written in parts ([`super::parts`]).

use serde::Serialize;

use crate::kind::Kind;
use crate::model::Record;
use crate::sla::ClockState;

use minijinja::Value;

use super::data::{OpenClocks, SiteData};
use super::page_key;
use super::parts::{Rows, split};
use super::record::{ClockView, LinkView, clock_views, link};
use super::templates::Templates;
use super::{fmt_date, fmt_time, paths};

/// Heading of a kind's list.
pub(crate) fn plural(kind: Kind) -> &'static str {
    match kind {
        Kind::Incident => "Incidents",
        Kind::Problem => "Problems",
        Kind::Change => "Changes",
        Kind::Request => "Service requests",
        Kind::Ci => "Configuration items",
        Kind::Article => "Knowledge articles",
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    pub id: String,
    pub href: String,
    pub title: String,
    pub status: String,
    pub open: bool,
    pub priority: Option<&'static str>,
    /// One per extra column.
    pub cells: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ListView {
    pub kind: &'static str,
    pub heading: &'static str,
    /// What each row shows besides its id, title and status.
    pub table: ListTable,
    pub statuses: Vec<String>,
    /// How many rows the table has.
    pub count: usize,
}

/// What every row of a list shares: its template's `table`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ListTable {
    pub has_priority: bool,
    pub columns: Vec<&'static str>,
}

/// The extra columns of a row (see [`columns`]).
fn cells(record: &Record) -> Vec<String> {
    let o = |s: Option<&str>| s.unwrap_or("").to_owned();
    let created = record
        .created_at()
        .map(|t| fmt_date(&t))
        .unwrap_or_default();
    match record {
        Record::Incident(r) => vec![o(r.service.as_deref()), o(r.assignee.as_deref()), created],
        Record::Problem(r) => vec![
            if r.known_error {
                "known error".into()
            } else {
                String::new()
            },
            o(r.assignee.as_deref()),
            created,
        ],
        Record::Change(r) => vec![
            r.change_type.name().to_owned(),
            r.risk.map(|l| l.name().to_owned()).unwrap_or_default(),
            r.window
                .as_ref()
                .map(|w| fmt_time(&w.start))
                .unwrap_or_default(),
        ],
        Record::Request(r) => vec![r.catalog_item.clone(), r.requested_by.clone(), created],
        Record::Ci(r) => vec![
            r.class.clone(),
            o(r.environment.as_deref()),
            o(r.owner.as_deref()),
        ],
        Record::Article(r) => vec![
            r.services.join(", "),
            o(r.owner.as_deref()),
            r.review_by.map(|d| d.to_string()).unwrap_or_default(),
        ],
    }
}

fn columns(kind: Kind) -> Vec<&'static str> {
    match kind {
        Kind::Incident => vec!["Service", "Assignee", "Opened"],
        Kind::Problem => vec!["KEDB", "Assignee", "Opened"],
        Kind::Change => vec!["Type", "Risk", "Window start"],
        Kind::Request => vec!["Catalogue item", "Requested by", "Opened"],
        Kind::Ci => vec!["Class", "Environment", "Owner"],
        Kind::Article => vec!["Services", "Owner", "Review by"],
    }
}

/// The list page of `kind` (at `<folder>/index.html`): its view, and its
/// rows as a table in parts (rendered by `list_rows.html`).
pub(crate) fn list<'a>(
    data: &'a SiteData<'a>,
    templates: &'a Templates,
    kind: Kind,
) -> (ListView, Rows<'a, &'a Record, Row>) {
    let mut records: Vec<&Record> = data.of_kind(kind).collect();
    if kind.is_ticket() {
        // Newest first, then by id; each record's key read once (read in
        // each comparison, it was a trip to memory per record per level).
        records.sort_by_cached_key(|r| (std::cmp::Reverse(r.created_at()), r.id()));
    }
    // A handful of statuses among up to 100,000 records: a set, not a
    // sort of every record's.
    let statuses: std::collections::BTreeSet<&str> = records.iter().map(|r| r.status()).collect();
    let statuses: Vec<String> = statuses.into_iter().map(str::to_owned).collect();
    let table = ListTable {
        has_priority: matches!(kind, Kind::Incident | Kind::Problem),
        columns: columns(kind),
    };
    let view = ListView {
        kind: kind.name(),
        heading: plural(kind),
        table: table.clone(),
        statuses,
        count: records.len(),
    };
    let rows = Rows {
        templates,
        template: "list_rows.html",
        table: Value::from(minijinja::value::Serde(&table)),
        // A row shows its record's fields, its priority and dates by the
        // configuration.
        shared: page_key::shared(data),
        parts: split(&records, |r| r.id()),
        items: records,
        key: Box::new(|r, h| page_key::facts_of(h, data, r)),
        row: Box::new(|r| {
            Some(Row {
                id: r.id().to_owned(),
                href: format!("{}.html", paths::file_stem(r.id())),
                title: r.title().to_owned(),
                status: r.status().to_owned(),
                open: data.is_open(r),
                priority: data.priority(r).map(|p| p.name()),
                cells: cells(r),
            })
        }),
    };
    (view, rows)
}

/// A known error as the KEDB shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct KnownError {
    pub id: String,
    pub href: String,
    pub title: String,
    pub status: String,
    pub open: bool,
    pub priority: Option<&'static str>,
    pub symptoms: Option<String>,
    pub root_cause: Option<String>,
    pub workaround: Option<String>,
    pub cis: Vec<LinkView>,
    pub fix_change: Option<LinkView>,
    /// Incidents whose `problem` names it.
    pub incidents: usize,
}

/// Problems recorded as known errors (root page `kedb.html`), by id.
pub(crate) fn kedb(data: &SiteData<'_>) -> Vec<KnownError> {
    data.of_kind(Kind::Problem)
        .filter_map(|r| match r {
            Record::Problem(p) if p.known_error => Some((r, p)),
            _ => None,
        })
        .map(|(r, p)| KnownError {
            id: p.id.clone(),
            href: paths::record(Kind::Problem, &p.id),
            title: p.title.clone(),
            status: p.status.clone(),
            open: data.is_open(r),
            priority: data.priority(r).map(|p| p.name()),
            symptoms: p.symptoms.clone(),
            root_cause: p.root_cause.clone(),
            workaround: p.workaround.clone(),
            cis: p
                .service
                .iter()
                .chain(&p.affected_cis)
                .map(|id| link(data, "", "affected_cis", id))
                .collect(),
            fix_change: p
                .fix_change
                .as_deref()
                .map(|c| link(data, "", "fix_change", c)),
            incidents: data
                .of_kind(Kind::Incident)
                .filter(|i| i.incident_of() == Some(p.id.as_str()))
                .count(),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SlaRow {
    pub id: String,
    pub href: String,
    pub title: String,
    pub kind: &'static str,
    pub status: String,
    pub priority: Option<&'static str>,
    pub state: &'static str,
    pub clocks: Vec<ClockView>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SlaView {
    pub at: String,
    /// How many tickets the table has.
    pub count: usize,
    pub breached: usize,
    pub at_risk: usize,
    pub ok: usize,
}

/// Open incidents and requests with their clocks, worst first
/// (`sla.html`): the view, and the rows as a table in parts (rendered by
/// `sla_rows.html`).
pub(crate) fn sla<'a>(
    data: &'a SiteData<'a>,
    templates: &'a Templates,
) -> (SlaView, Rows<'a, &'a OpenClocks<'a>, SlaRow>) {
    let view = SlaView {
        at: fmt_time(&data.at),
        count: data.open_clocks.len(),
        breached: data.open_in(ClockState::Breached),
        at_risk: data.open_in(ClockState::AtRisk),
        ok: data.open_in(ClockState::Ok),
    };
    let open: Vec<&OpenClocks<'_>> = data.open_clocks.iter().collect();
    let rows = Rows {
        templates,
        template: "sla_rows.html",
        table: Value::UNDEFINED,
        // A row shows its ticket's clocks: read by the configuration from
        // the ticket and its history; what it shows of them is in the
        // ticket's facts.
        shared: page_key::shared(data),
        parts: split(&open, |t| t.record.id()),
        items: open,
        key: Box::new(|t, h| page_key::facts_of(h, data, t.record)),
        row: Box::new(|t| {
            let r = t.record;
            let c = data.clocks(r)?;
            Some(SlaRow {
                id: r.id().to_owned(),
                href: paths::record(r.kind(), r.id()),
                title: r.title().to_owned(),
                kind: r.kind().label(),
                status: r.status().to_owned(),
                priority: c.priority.map(|p| p.name()),
                state: c.state().name(),
                clocks: clock_views(&c),
            })
        }),
    };
    (view, rows)
}
