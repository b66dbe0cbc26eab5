//! Service availability: the one definition of the figures the report,
//! its JSON and the site's service pages show.
//!
//! Incidents record `outage` periods for the services they name (their
//! `service`, and any business service among their `affected_cis`); a
//! business-service CI may declare an `availability_target` and its
//! `service_hours` (a calendar; around the clock without one). For a
//! service and a window of time `[from, to)`:
//!
//! - agreed service time (AST): the working time of its service hours;
//! - outages: the `full` outages on it, merged where they overlap or
//!   touch (one service down once, whatever the number of incidents);
//! - planned downtime: the part of those outages, in service hours, that
//!   lies inside the window of an approved change (in `scheduled`,
//!   `implement`, `review` or `closed`) on the service or on a CI it
//!   depends on (through impact-propagating relations): maintenance. A
//!   window counts only from the change's `created_at` on: a change
//!   recorded once the outage had begun did not plan it, and cannot turn
//!   that downtime into maintenance after the fact;
//! - downtime: the rest of those outages in service hours;
//! - degraded time: `degraded` outages in service hours, outside full
//!   ones, shown apart and not counted as downtime;
//! - number of outages: merged outages with downtime in the window;
//! - availability = (AST − downtime) / AST, in percent;
//! - MTBF (mean time between failures, ITIL's mean uptime) =
//!   (AST − downtime) / outages, and MTRS (mean time to restore service)
//!   = downtime / outages; none without an outage;
//! - met: availability ≥ the target.
//!
//! An outage without an end lasts until the end of the window. Windows
//! are the calendar months of the report (in its time zone) and the whole
//! period; an outage across a month boundary counts in both months and
//! once in the period.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::calendar::{BusinessCalendar, Interval, intersect, subtract, union};
use crate::cmdb::CmdbGraph;
use crate::model::{Ci, OutageScope, Record, Timestamp};
use crate::sla::{Policy, SlaError};

/// `99.9%` as `99.9`; `None` for anything else (the schema requires the
/// form: digits, an optional fraction, a percent sign, at most 100).
pub fn parse_target(text: &str) -> Option<f64> {
    let number = text.strip_suffix('%')?;
    if number.is_empty()
        || number.starts_with('.')
        || number.ends_with('.')
        || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    (0.0..=100.0).contains(&value).then_some(value)
}

/// The figures of one service over one window. Times are in seconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// Agreed service time: the working time of the service hours.
    pub agreed: i64,
    /// Full outages in service hours, maintenance excluded.
    pub downtime: i64,
    /// Full outages in service hours inside approved change windows.
    pub planned: i64,
    /// Degraded outages in service hours, outside full ones.
    pub degraded: i64,
    /// Merged full outages with downtime in the window.
    pub outages: usize,
    /// `(agreed - downtime) / agreed` in percent, four decimals; `None`
    /// without agreed service time.
    pub availability: Option<f64>,
    /// Mean time between failures: `(agreed - downtime) / outages`.
    pub mtbf: Option<i64>,
    /// Mean time to restore service: `downtime / outages`.
    pub mtrs: Option<i64>,
    /// Whether `availability` reaches the target; `None` without either.
    pub met: Option<bool>,
}

/// One calendar month of a service (clipped to the period).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthFigures {
    /// `2026-11`.
    pub month: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// An outage on a service, as recorded on an incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutageEntry {
    pub incident: String,
    pub start: Timestamp,
    /// `None` while it lasts.
    pub end: Option<Timestamp>,
    pub scope: OutageScope,
}

/// The availability of one business service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceAvailability {
    pub service: String,
    /// The CI's name; `None` when no CI has that id.
    pub name: Option<String>,
    /// The target in percent; `None` when the service declares none.
    pub target: Option<f64>,
    /// The calendar of its service hours; `None`: around the clock.
    pub service_hours: Option<String>,
    /// The whole period.
    pub period: Figures,
    pub months: Vec<MonthFigures>,
    /// The outages on it that touch the period, oldest first.
    pub outages: Vec<OutageEntry>,
}

/// What to measure: the period `[from, to)` and its months, each
/// `(label, start, end)` inside it.
pub struct Windows<'a> {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub months: &'a [(String, DateTime<Utc>, DateTime<Utc>)],
}

/// The availability of every service with a target or with an outage
/// touching the period, by id.
pub fn services(
    records: &[&Record],
    policy: &Policy<'_>,
    windows: &Windows<'_>,
) -> Result<Vec<ServiceAvailability>, SlaError> {
    let cis: Vec<&Ci> = records
        .iter()
        .filter_map(|r| match r {
            Record::Ci(ci) => Some(ci),
            _ => None,
        })
        .collect();
    let graph = CmdbGraph::new(&policy.config().ci, cis.iter().copied());
    let mut outages: BTreeMap<&str, Vec<OutageEntry>> = BTreeMap::new();
    for r in records {
        let Record::Incident(inc) = r else { continue };
        if inc.outage.is_empty() {
            continue;
        }
        for service in affected_services(inc, &graph) {
            let list = outages.entry(service).or_default();
            for o in &inc.outage {
                let end = o.end.map_or(windows.to, |e| e.to_utc());
                if o.start.to_utc() < windows.to && end > windows.from {
                    list.push(OutageEntry {
                        incident: inc.id.clone(),
                        start: o.start,
                        end: o.end,
                        scope: o.scope,
                    });
                }
            }
        }
    }
    let mut ids: Vec<&str> = cis
        .iter()
        .filter(|ci| ci.availability_target.is_some())
        .map(|ci| ci.id.as_str())
        .collect();
    ids.extend(
        outages
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, _)| *k),
    );
    ids.sort_unstable();
    ids.dedup();
    let maintenance = maintenance_windows(records, &graph);
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let ci = graph.index_of(id).map(|i| graph.ci(i));
        let hours = ci.and_then(|c| c.service_hours.as_deref());
        let cal = policy.calendar(hours)?;
        let mut entries = outages.remove(id).unwrap_or_default();
        entries.sort_by(|a, b| (a.start, &a.incident).cmp(&(b.start, &b.incident)));
        let spans = |scope: OutageScope| {
            union(
                entries
                    .iter()
                    .filter(|e| e.scope == scope)
                    .map(|e| (e.start.to_utc(), e.end.map_or(windows.to, |t| t.to_utc())))
                    .collect(),
            )
        };
        let service = Service {
            calendar: cal,
            full: spans(OutageScope::Full),
            degraded: spans(OutageScope::Degraded),
            maintenance: union(maintenance.get(id).cloned().unwrap_or_default()),
            target: ci
                .and_then(|c| c.availability_target.as_deref())
                .and_then(parse_target),
        };
        out.push(ServiceAvailability {
            service: id.to_owned(),
            name: ci.map(|c| c.name.clone()),
            target: service.target,
            service_hours: hours.map(str::to_owned),
            period: service.figures(windows.from, windows.to),
            months: windows
                .months
                .iter()
                .map(|(label, from, to)| MonthFigures {
                    month: label.clone(),
                    figures: service.figures(*from, *to),
                })
                .collect(),
            outages: entries,
        });
    }
    Ok(out)
}

/// The services an incident's outages count against: its `service` and
/// the business services among its `affected_cis`.
pub fn affected_services<'i>(
    inc: &'i crate::model::Incident,
    graph: &CmdbGraph<'_>,
) -> Vec<&'i str> {
    let mut out: Vec<&str> = inc.service.iter().map(String::as_str).collect();
    out.extend(
        inc.affected_cis
            .iter()
            .filter(|id| graph.index_of(id).is_some_and(|i| graph.is_service(i)))
            .map(String::as_str),
    );
    out.sort_unstable();
    out.dedup();
    out
}

/// Approved change windows by the services they touch: the change's
/// `service`, business services among its `cis`, and the business
/// services depending on its `cis`.
fn maintenance_windows<'a>(
    records: &[&'a Record],
    graph: &CmdbGraph<'a>,
) -> HashMap<&'a str, Vec<Interval>> {
    let mut out: HashMap<&str, Vec<Interval>> = HashMap::new();
    for r in records {
        let Record::Change(c) = r else { continue };
        let Some(w) = &c.window else { continue };
        if !crate::approval::APPROVED_STATES.contains(&c.status.as_str()) {
            continue;
        }
        let roots: Vec<usize> = c.cis.iter().filter_map(|id| graph.index_of(id)).collect();
        let mut touched: Vec<&str> = c.service.iter().map(String::as_str).collect();
        touched.extend(
            roots
                .iter()
                .copied()
                .chain(graph.dependents(&roots).iter().map(|d| d.ci))
                .filter(|&i| graph.is_service(i))
                .map(|i| graph.ci(i).id.as_str()),
        );
        touched.sort_unstable();
        touched.dedup();
        // Planned only once recorded: the window before created_at is not.
        let start = w.start.to_utc().max(c.created_at.to_utc());
        let end = w.end.to_utc();
        if start >= end {
            continue;
        }
        for s in touched {
            out.entry(s).or_default().push((start, end));
        }
    }
    out
}

/// One service's outages and maintenance, merged, on its calendar.
struct Service<'c> {
    calendar: &'c BusinessCalendar,
    full: Vec<Interval>,
    degraded: Vec<Interval>,
    maintenance: Vec<Interval>,
    target: Option<f64>,
}

impl Service<'_> {
    fn figures(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Figures {
        let cal = self.calendar;
        let working = |spans: &[Interval]| -> i64 {
            spans
                .iter()
                .map(|&(s, e)| cal.working_time(s.max(from), e.min(to)))
                .sum::<Duration>()
                .num_seconds()
        };
        let agreed = cal.working_time(from, to).num_seconds();
        let mut downtime = 0;
        let mut outages = 0;
        for &outage in &self.full {
            let unplanned = working(&subtract(&[outage], &self.maintenance));
            if unplanned > 0 {
                outages += 1;
                downtime += unplanned;
            }
        }
        let planned = working(&intersect(&self.full, &self.maintenance));
        let degraded = working(&subtract(&self.degraded, &self.full));
        let up = agreed - downtime;
        let exact = (agreed > 0).then(|| up as f64 * 100.0 / agreed as f64);
        let per_outage =
            |total: i64| (outages > 0).then(|| (total as f64 / outages as f64).round() as i64);
        Figures {
            agreed,
            downtime,
            planned,
            degraded,
            outages,
            availability: exact.map(|a| (a * 10_000.0).round() / 10_000.0),
            mtbf: per_outage(up),
            mtrs: per_outage(downtime),
            met: exact.zip(self.target).map(|(a, t)| a >= t),
        }
    }
}

#[cfg(test)]
mod tests;
