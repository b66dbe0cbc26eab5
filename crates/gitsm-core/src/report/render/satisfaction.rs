//! The satisfaction section: CSAT, mean score and response rate by
//! month, service, team and catalogue item, and the low scores.

use super::super::{CsatRow, Report};
use super::document::{Doc, listed, ratio, time};
use super::{Block, Chart, Table};

/// `4.25`, or `-` without scores.
pub(super) fn mean(m: Option<f64>) -> String {
    m.map_or_else(|| "-".to_owned(), |m| format!("{m:.2}"))
}

fn csat_table(first: &str, rows: &[CsatRow], named: bool) -> Table {
    let mut head = vec![first];
    if named {
        head.push("Name");
    }
    head.extend(["Resolved", "With feedback", "CSAT (4-5)", "Mean score"]);
    let mut t = Table::new(&head, if named { 2 } else { 1 });
    for row in listed(&mut t, rows) {
        let mut cells = vec![row.key.clone()];
        if named {
            cells.push(row.name.clone().unwrap_or_default());
        }
        cells.extend([
            row.tickets.to_string(),
            ratio(&row.response_rate),
            ratio(&row.csat),
            mean(row.mean),
        ]);
        t.row(cells);
    }
    t
}

pub(super) fn section(d: &mut Doc, r: &Report) {
    let s = &r.satisfaction;
    d.h(2, "Customer satisfaction");
    d.p("Incidents and service requests resolved or fulfilled in the period, with the feedback given on them by its end (gitsm feedback): CSAT is the share of scores of 4 or 5 (of 1 to 5), the response rate the share of those tickets with any feedback.");
    d.table(csat_table("Tickets", std::slice::from_ref(&s.all), false));
    d.0.push(Block::Chart(Chart {
        title: "CSAT by month (scores of 4 or 5)".to_owned(),
        labels: s.by_month.iter().map(|m| m.key.clone()).collect(),
        series: vec![(
            "CSAT".to_owned(),
            s.by_month.iter().map(|m| m.csat.percent).collect(),
        )],
        unit: "%",
    }));
    d.h(3, "By month resolved");
    d.table(csat_table("Month", &s.by_month, false));
    d.h(3, "By service");
    d.table_or(
        csat_table("Service", &s.by_service, true),
        "No incident or request was resolved in the period.",
    );
    d.h(3, "By team");
    d.table_or(
        csat_table("Team", &s.by_team, false),
        "No incident or request was resolved in the period.",
    );
    d.h(3, "By catalogue item");
    d.table_or(
        csat_table("Item", &s.by_item, true),
        "No service request was fulfilled in the period.",
    );
    d.h(3, "Low scores (1-2)");
    let mut t = Table::new(&["Ticket", "Title", "By", "At", "Comment", "Score"], 5);
    for low in listed(&mut t, &s.low) {
        t.row(vec![
            low.id.clone(),
            low.title.clone(),
            low.by.clone(),
            time(&low.at),
            low.comment.clone().unwrap_or_default(),
            low.score.to_string(),
        ]);
    }
    d.table_or(t, "No score of 1 or 2 on the tickets of the period.");
}
