//! The Teams and Assignees sections: the desk's figures over the
//! incidents and requests of each team and each assignee.

use super::super::{Report, TeamRow};
use super::Table;
use super::document::{Doc, compliance, listed, mean_hm, ratio};
use super::satisfaction::mean;

/// The columns of a row after its key, in table order.
pub const HEAD: [&str; 12] = [
    "Open",
    "Opened",
    "Resolved",
    "MTTA",
    "MTTR",
    "Response SLA",
    "Resolution SLA",
    "Fulfilment SLA",
    "First line",
    "Reopened",
    "Mean score",
    "Scores",
];

fn table<'a, T>(first: &str, all: &TeamRow, rows: &'a [T], row: fn(&'a T) -> &'a TeamRow) -> Table {
    let mut head = vec![first];
    head.extend(HEAD);
    let mut t = Table::new(&head, 1);
    for r in listed(&mut t, rows) {
        t.row(cells(row(r)));
    }
    // The desk, to compare with; not alone.
    if !rows.is_empty() {
        t.row(cells(all));
    }
    t
}

/// A row as the report shows it: its key, then the [`HEAD`] columns.
pub fn cells(r: &TeamRow) -> Vec<String> {
    let [mtta, _] = mean_hm(&r.mtta);
    let [mttr, _] = mean_hm(&r.mttr);
    vec![
        r.key.clone(),
        r.open.to_string(),
        r.opened.to_string(),
        r.resolved.to_string(),
        mtta,
        mttr,
        compliance(&r.response),
        compliance(&r.resolution),
        compliance(&r.fulfilment),
        ratio(&r.first_line),
        r.reopened.as_ref().map_or_else(|| "-".to_owned(), ratio),
        mean(r.satisfaction.mean),
        r.satisfaction.scores.to_string(),
    ]
}

pub(super) fn section(d: &mut Doc, r: &Report) {
    let t = &r.teams;
    d.h(2, "Teams");
    d.p("Incidents and service requests by the team they have now ((none): no team), with the desk (all) last. Open: at the end of the period; MTTA, MTTR, response and resolution SLA, first line and reopened: incidents; fulfilment SLA: service requests; mean score: feedback on those resolved or fulfilled in the period.");
    d.table_or(
        table("Team", &t.all, &t.by_team, |f| &f.row),
        "No incident or request was open, opened or closed in the period.",
    );
    d.h(2, "Assignees");
    d.p("The same figures by the assignee the tickets have now ((none): unassigned).");
    d.table_or(
        table("Assignee", &t.all, &t.by_assignee, |r| r),
        "No incident or request was open, opened or closed in the period.",
    );
}
