//! The dashboard: headline counts and charts of open work, flow per month,
//! SLA compliance, time to resolve and change success.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::kind::Kind;
use crate::model::{ChangeOutcome, Priority, Record, Timestamp};
use crate::sla::{ClockKind, ClockState};

use super::charts::{self, Bar, Series};
use super::data::SiteData;
use super::lists::plural;
use super::paths;

/// Months shown by the trend charts (ending with the month of the site's instant).
const MONTHS: usize = 12;

#[derive(Debug, Clone, Serialize)]
pub struct Tile {
    pub label: String,
    pub value: String,
    pub href: String,
    /// CSS class: `bad` when it needs attention.
    pub class: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub title: String,
    /// Inline SVG (escaped by the chart code).
    pub svg: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DashboardView {
    pub tiles: Vec<Tile>,
    pub charts: Vec<Chart>,
}

/// First day of the month `back` months before `date`'s month.
fn month_start(date: NaiveDate, back: usize) -> NaiveDate {
    let total = date.year() * 12 + date.month0() as i32 - i32::try_from(back).unwrap_or(0);
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(date)
}

fn month_key(t: &Timestamp) -> (i32, u32) {
    (t.year(), t.month())
}

pub fn view(data: &SiteData<'_>) -> DashboardView {
    let open = |kind: Kind| data.of_kind(kind).filter(|r| data.is_open(r)).count();
    let count_state = |s: ClockState| {
        data.clocks
            .values()
            .filter(|c| c.is_open() && c.state() == s)
            .count()
    };
    let breached = count_state(ClockState::Breached);
    let scheduled = data
        .of_kind(Kind::Change)
        .filter(|r| super::data::SCHEDULED_CHANGE_STATES.contains(&r.status()))
        .count();
    let known_errors = data
        .of_kind(Kind::Problem)
        .filter(|r| matches!(r, Record::Problem(p) if p.known_error))
        .count();
    let tile = |label: &str, value: usize, href: String, bad: bool| Tile {
        label: label.to_owned(),
        value: value.to_string(),
        href,
        class: if bad && value > 0 { "bad" } else { "" },
    };
    let tiles = vec![
        tile(
            "Open incidents",
            open(Kind::Incident),
            format!("{}?status=open", paths::list(Kind::Incident)),
            false,
        ),
        tile("SLA breached", breached, "sla.html".into(), true),
        tile(
            "SLA at risk",
            count_state(ClockState::AtRisk),
            "sla.html".into(),
            true,
        ),
        tile(
            "Open problems",
            open(Kind::Problem),
            format!("{}?status=open", paths::list(Kind::Problem)),
            false,
        ),
        tile("Known errors", known_errors, "kedb.html".into(), false),
        tile(
            "Changes scheduled",
            scheduled,
            "calendar.html".into(),
            false,
        ),
        tile(
            "Open requests",
            open(Kind::Request),
            format!("{}?status=open", paths::list(Kind::Request)),
            false,
        ),
    ];
    let mut charts_out = vec![by_priority(data), by_kind(data)];
    charts_out.extend(flow(data));
    charts_out.push(sla_compliance(data));
    charts_out.push(change_success(data));
    DashboardView {
        tiles,
        charts: charts_out,
    }
}

fn by_priority(data: &SiteData<'_>) -> Chart {
    let mut counts: BTreeMap<Priority, usize> = Priority::ALL.iter().map(|p| (*p, 0)).collect();
    for r in &data.records {
        if matches!(r, Record::Incident(_))
            && data.is_open(r)
            && let Some(p) = data.priority(r)
        {
            *counts.entry(p).or_default() += 1;
        }
    }
    let bars: Vec<Bar> = counts
        .iter()
        .map(|(p, n)| Bar {
            label: p.name().to_owned(),
            value: *n as f64,
            class: format!("p-{}", p.name()),
            href: Some(format!(
                "{}?status=open&priority={}",
                paths::list(Kind::Incident),
                p.name()
            )),
        })
        .collect();
    let title = "Open incidents by priority";
    Chart {
        title: title.into(),
        svg: charts::bars("c-priority", title, &bars),
        note: None,
    }
}

fn by_kind(data: &SiteData<'_>) -> Chart {
    let bars: Vec<Bar> = [Kind::Incident, Kind::Problem, Kind::Change, Kind::Request]
        .iter()
        .map(|&k| Bar {
            label: plural(k).to_owned(),
            value: data.of_kind(k).filter(|r| data.is_open(r)).count() as f64,
            class: format!("k-{}", k.name()),
            href: Some(format!("{}?status=open", paths::list(k))),
        })
        .collect();
    let title = "Open tickets by kind";
    Chart {
        title: title.into(),
        svg: charts::bars("c-kind", title, &bars),
        note: None,
    }
}

/// Opened and closed per month, the backlog at each month's end and the
/// mean time to resolve incidents resolved in each month.
fn flow(data: &SiteData<'_>) -> Vec<Chart> {
    let today = data.at.date_naive();
    let months: Vec<NaiveDate> = (0..MONTHS).rev().map(|b| month_start(today, b)).collect();
    let labels: Vec<String> = months
        .iter()
        .map(|m| m.format("%b %y").to_string())
        .collect();
    let index: BTreeMap<(i32, u32), usize> = months
        .iter()
        .enumerate()
        .map(|(i, m)| ((m.year(), m.month()), i))
        .collect();
    let (mut opened, mut closed) = (vec![0.0; MONTHS], vec![0.0; MONTHS]);
    let mut backlog = vec![0.0; MONTHS];
    let (mut ttr_sum, mut ttr_n) = (vec![0.0; MONTHS], vec![0.0; MONTHS]);
    let ends: Vec<NaiveDate> = (0..MONTHS)
        .map(|i| {
            if i + 1 < MONTHS {
                months[i + 1]
            } else {
                month_start(today, 0)
                    .checked_add_months(chrono::Months::new(1))
                    .unwrap_or(today)
            }
        })
        .collect();
    for r in data.records.iter().filter(|r| r.kind().is_ticket()) {
        let Some(created) = r.created_at() else {
            continue;
        };
        if let Some(&i) = index.get(&month_key(&created)) {
            opened[i] += 1.0;
        }
        let done = data.done_at(r);
        if let Some(d) = &done
            && let Some(&i) = index.get(&month_key(d))
        {
            closed[i] += 1.0;
            if let Record::Incident(inc) = r
                && let Some(res) = inc.resolved_at
            {
                ttr_sum[i] += (res - created).num_minutes() as f64 / 60.0;
                ttr_n[i] += 1.0;
            }
        }
        if done.is_none() && !data.is_open(r) {
            continue; // ended without a known time: not in any backlog
        }
        for (i, end) in ends.iter().enumerate() {
            let c = created.date_naive();
            if c < *end && done.is_none_or(|d| d.date_naive() >= *end) {
                backlog[i] += 1.0;
            }
        }
    }
    let mttr: Vec<f64> = ttr_sum
        .iter()
        .zip(&ttr_n)
        .map(|(s, n)| {
            if *n > 0.0 {
                (s / n * 10.0).round() / 10.0
            } else {
                0.0
            }
        })
        .collect();
    let t1 = "Tickets opened and closed per month";
    let t2 = "Backlog at the end of each month";
    let t3 = "Mean time to resolve incidents (hours, wall time), by month resolved";
    vec![
        Chart {
            title: t1.into(),
            svg: charts::columns(
                "c-flow",
                t1,
                &labels,
                &[
                    Series {
                        name: "opened".into(),
                        class: "s-opened".into(),
                        values: opened,
                    },
                    Series {
                        name: "closed".into(),
                        class: "s-closed".into(),
                        values: closed,
                    },
                ],
            ),
            note: None,
        },
        Chart {
            title: t2.into(),
            svg: charts::lines(
                "c-backlog",
                t2,
                &labels,
                &[Series {
                    name: "open tickets".into(),
                    class: "s-backlog".into(),
                    values: backlog,
                }],
            ),
            note: None,
        },
        Chart {
            title: t3.into(),
            svg: charts::columns(
                "c-mttr",
                t3,
                &labels,
                &[Series {
                    name: "MTTR (h)".into(),
                    class: "s-mttr".into(),
                    values: mttr,
                }],
            ),
            note: Some("Months without a resolved incident show 0.".into()),
        },
    ]
}

/// Share of stopped incident resolution clocks that met their target, by priority.
fn sla_compliance(data: &SiteData<'_>) -> Chart {
    let mut met: BTreeMap<Priority, (usize, usize)> = BTreeMap::new();
    for c in data.clocks.values() {
        if c.kind != Kind::Incident {
            continue;
        }
        let Some(p) = c.priority else { continue };
        for clock in c.clocks().filter(|k| k.kind == ClockKind::Resolution) {
            let slot = met.entry(p).or_default();
            match clock.reading.state {
                ClockState::Met => slot.0 += 1,
                ClockState::Missed => slot.1 += 1,
                _ => {}
            }
        }
    }
    let bars: Vec<Bar> = met
        .iter()
        .filter(|(_, (m, x))| m + x > 0)
        .map(|(p, (m, x))| Bar {
            label: format!("{} ({} of {})", p.name(), m, m + x),
            value: (*m as f64 * 1000.0 / (m + x) as f64).round() / 10.0,
            class: format!("p-{}", p.name()),
            href: None,
        })
        .collect();
    let title = "Incidents resolved within target, % by priority";
    Chart {
        title: title.into(),
        svg: charts::bars("c-sla", title, &bars),
        note: Some("Resolution clocks that have stopped; open tickets are on the SLA page.".into()),
    }
}

fn change_success(data: &SiteData<'_>) -> Chart {
    let outcomes = [
        ChangeOutcome::Successful,
        ChangeOutcome::SuccessfulWithIssues,
        ChangeOutcome::Unsuccessful,
        ChangeOutcome::BackedOut,
    ];
    let mut counts = [0usize; 4];
    for r in data.of_kind(Kind::Change) {
        if let Record::Change(c) = r
            && let Some(o) = c.outcome
            && let Some(i) = outcomes.iter().position(|x| *x == o)
        {
            counts[i] += 1;
        }
    }
    let total: usize = counts.iter().sum();
    let bars: Vec<Bar> = outcomes
        .iter()
        .zip(counts)
        .map(|(o, n)| Bar {
            label: o.name().replace('_', " "),
            value: n as f64,
            class: format!("o-{}", o.name()),
            href: None,
        })
        .collect();
    let title = "Implemented changes by outcome";
    Chart {
        title: title.into(),
        svg: charts::bars("c-changes", title, &bars),
        note: (total > 0).then(|| {
            format!(
                "Success rate: {:.0}% ({} of {} implemented changes successful)",
                counts[0] as f64 * 100.0 / total as f64,
                counts[0],
                total
            )
        }),
    }
}
