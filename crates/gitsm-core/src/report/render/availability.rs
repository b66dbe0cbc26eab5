//! The availability section: each business service with a target or an
//! outage, for the period and per month ([`crate::availability`]).

use crate::availability::{Figures, ServiceAvailability};

use super::super::Report;
use super::Table;
use super::document::{Doc, days, hm, listed, plural};

/// `99.7685%`, or `-` without agreed service time.
pub fn availability(a: Option<f64>) -> String {
    a.map_or_else(|| "-".to_owned(), |a| format!("{a:.4}%"))
}

/// `99.9%`, or `none` for a service that declares no target.
pub fn target(s: &ServiceAvailability) -> String {
    s.target
        .map_or_else(|| "none".to_owned(), |t| format!("{t}%"))
}

/// `met`, `missed`, or `-` without a target or agreed service time.
pub fn met(f: &Figures) -> &'static str {
    match f.met {
        Some(true) => "met",
        Some(false) => "missed",
        None => "-",
    }
}

/// The figures after the availability, as the tables show them:
/// downtime, outages, MTBF, MTRS, planned downtime, degraded time.
pub fn cells(f: &Figures) -> [String; 6] {
    let mean = |m: Option<i64>| m.map_or_else(|| "-".to_owned(), days);
    [
        hm(f.downtime),
        f.outages.to_string(),
        mean(f.mtbf),
        mean(f.mtrs),
        hm(f.planned),
        hm(f.degraded),
    ]
}

pub const FIGURES: [&str; 6] = [
    "Downtime",
    "Outages",
    "MTBF",
    "MTRS",
    "Planned downtime",
    "Degraded",
];

pub(super) fn section(d: &mut Doc, r: &Report) {
    d.h(2, "Availability");
    if r.availability.is_empty() {
        d.p("No business service declares an availability_target, and no incident records an outage in the period.");
        return;
    }
    d.p(format!(
        "Business services with an availability target, or with an outage in the period ({}), measured in their service hours up to {}. Downtime: full outages outside approved change windows; planned downtime (inside them) and degraded service are shown apart and not counted.",
        plural(r.availability.len(), "service", "services"),
        super::document::time(&r.period.as_of),
    ));
    let mut head = vec!["Service", "Name", "Service hours", "Target", "Met"];
    head.push("Availability");
    head.extend(FIGURES);
    let mut t = Table::new(&head, 5);
    for s in listed(&mut t, &r.availability) {
        let mut row = vec![
            s.service.clone(),
            s.name.clone().unwrap_or_default(),
            s.service_hours.clone().unwrap_or_else(|| "24x7".to_owned()),
            target(s),
            met(&s.period).to_owned(),
            availability(s.period.availability),
        ];
        row.extend(cells(&s.period));
        t.row(row);
    }
    d.table(t);
    d.h(3, "Availability per month");
    let mut head = vec!["Service", "Month", "Target", "Met"];
    head.push("Availability");
    head.extend(FIGURES);
    let mut t = Table::new(&head, 4);
    for s in listed(&mut t, &r.availability) {
        for m in &s.months {
            let mut row = vec![
                s.service.clone(),
                m.month.clone(),
                target(s),
                met(&m.figures).to_owned(),
                availability(m.figures.availability),
            ];
            row.extend(cells(&m.figures));
            t.row(row);
        }
    }
    d.table(t);
}
