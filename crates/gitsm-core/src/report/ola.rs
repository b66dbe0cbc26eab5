//! OLA and supplier compliance: how the support groups kept the targets
//! of `ola` for the escalations made in the period, and how suppliers
//! kept their `underpinning` targets for the holds awaiting them begun in
//! the period. The clocks are the SLA module's ([`Policy::ola_clocks`],
//! [`Policy::vendor_waits`]), read at the report's "as of" instant: one
//! still running then counts as running, or as breached once past its
//! target.

use serde::Serialize;

use crate::config::Config;
use crate::duration::Duration;
use crate::model::{Record, Timestamp};
use crate::sla::{ClockState, Policy, Reading, SlaError};

use super::{Period, percent};

/// How the clocks of one target stand at the "as of" instant.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Tally {
    /// Stopped within the target.
    pub met: usize,
    /// Stopped past the target.
    pub missed: usize,
    /// Still running, past the target.
    pub breached: usize,
    /// Still running, within the target.
    pub running: usize,
    /// `met / (met + missed + breached)` in percent, one decimal.
    pub percent: Option<f64>,
}

impl Tally {
    fn add(&mut self, reading: &Reading) {
        match reading.state {
            ClockState::Met => self.met += 1,
            ClockState::Missed => self.missed += 1,
            ClockState::Breached => self.breached += 1,
            ClockState::Ok | ClockState::AtRisk => self.running += 1,
        }
        self.percent = percent(self.met, self.met + self.missed + self.breached);
    }
}

/// One escalation measured against its OLA.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OlaEscalation {
    pub id: String,
    /// Position in the incident's `escalations`.
    pub escalation: usize,
    pub at: Timestamp,
    /// `met`, `missed`, `breached`, `at_risk` or `ok`.
    pub response: &'static str,
    /// Working time to acceptance (so far), in seconds.
    pub response_elapsed: i64,
    /// As `response`; `None` when the incident is resolved without a time.
    pub resolution: Option<&'static str>,
    pub resolution_elapsed: Option<i64>,
}

/// The escalations of the period that one OLA binds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OlaCompliance {
    /// Its `name`, else its team, else `level N`.
    pub name: String,
    pub team: Option<String>,
    pub level: Option<u8>,
    pub response_target: Duration,
    pub resolution_target: Duration,
    pub calendar: Option<String>,
    /// Escalations made in the period that it binds.
    pub escalations: usize,
    pub response: Tally,
    pub resolution: Tally,
    /// Each of them, in the order they were made.
    pub measured: Vec<OlaEscalation>,
}

/// A supplier's holds and escalations of the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupplierCompliance {
    /// Its key in `suppliers`.
    pub id: String,
    pub name: String,
    pub contact: Option<String>,
    pub contract_end: Option<chrono::NaiveDate>,
    /// `ended` (before the "as of" day), `ending` (within 60 days after
    /// it) or `current`; `None` without a `contract_end`.
    pub contract: Option<&'static str>,
    pub response_target: Option<Duration>,
    pub resolution_target: Duration,
    pub calendar: Option<String>,
    /// Holds `awaiting_vendor` naming it, begun in the period.
    pub holds: usize,
    /// Those holds against `underpinning.resolution`.
    pub within_target: Tally,
    /// Working time of those holds on the underpinning calendar (until
    /// the "as of" instant for one still open), in seconds.
    pub vendor_time: i64,
    /// Escalations to level 3 naming it, made in the period (counted,
    /// not measured: the time with the supplier is its holds').
    pub escalations: usize,
}

/// Days after the "as of" day within which a contract's end is flagged.
pub const CONTRACT_WARNING_DAYS: i64 = 60;

pub(crate) fn ola(
    records: &[&Record],
    config: &Config,
    policy: &Policy<'_>,
    period: &Period,
) -> Result<Vec<OlaCompliance>, SlaError> {
    let as_of = period.as_of.fixed_offset();
    let mut out: Vec<OlaCompliance> = config
        .ola
        .iter()
        .map(|t| OlaCompliance {
            name: t.label(),
            team: t.team.clone(),
            level: t.level,
            response_target: t.response,
            resolution_target: t.resolution,
            calendar: t.calendar.clone(),
            escalations: 0,
            response: Tally::default(),
            resolution: Tally::default(),
            measured: Vec::new(),
        })
        .collect();
    for record in records {
        for clock in policy.ola_clocks(record, as_of)? {
            if !period.contains(clock.at.to_utc()) {
                continue;
            }
            let row = &mut out[clock.target];
            row.escalations += 1;
            row.response.add(&clock.response);
            if let Some(r) = &clock.resolution {
                row.resolution.add(r);
            }
            row.measured.push(OlaEscalation {
                id: record.id().to_owned(),
                escalation: clock.escalation,
                at: period.local(clock.at.to_utc()),
                response: clock.response.state.name(),
                response_elapsed: clock.response.elapsed.num_seconds(),
                resolution: clock.resolution.as_ref().map(|r| r.state.name()),
                resolution_elapsed: clock.resolution.as_ref().map(|r| r.elapsed.num_seconds()),
            });
        }
    }
    for row in &mut out {
        row.measured
            .sort_by(|a, b| (a.at, &a.id, a.escalation).cmp(&(b.at, &b.id, b.escalation)));
    }
    Ok(out)
}

pub(crate) fn suppliers(
    records: &[&Record],
    config: &Config,
    policy: &Policy<'_>,
    period: &Period,
) -> Result<Vec<SupplierCompliance>, SlaError> {
    let as_of = period.as_of.fixed_offset();
    let today = period.local(period.as_of).date_naive();
    let mut out: Vec<SupplierCompliance> = config
        .suppliers
        .iter()
        .map(|(id, s)| SupplierCompliance {
            id: id.clone(),
            name: s.name.clone(),
            contact: s.contact.clone(),
            contract_end: s.contract_end,
            contract: s.contract_end.map(|end| {
                if end < today {
                    "ended"
                } else if end <= today + chrono::Duration::days(CONTRACT_WARNING_DAYS) {
                    "ending"
                } else {
                    "current"
                }
            }),
            response_target: s.underpinning.response,
            resolution_target: s.underpinning.resolution,
            calendar: s.underpinning.calendar.clone(),
            holds: 0,
            within_target: Tally::default(),
            vendor_time: 0,
            escalations: 0,
        })
        .collect();
    fn row<'o>(out: &'o mut [SupplierCompliance], id: &str) -> Option<&'o mut SupplierCompliance> {
        out.iter_mut().find(|s| s.id == id)
    }
    for record in records {
        let Record::Incident(incident) = record else {
            continue;
        };
        for wait in policy.vendor_waits(incident, as_of)? {
            if period.contains(wait.start.to_utc())
                && let Some(row) = row(&mut out, &wait.supplier)
            {
                row.holds += 1;
                row.within_target.add(&wait.reading);
                row.vendor_time += wait.reading.elapsed.num_seconds();
            }
        }
        for e in &incident.escalations {
            if e.to_level == 3
                && period.contains(e.at.to_utc())
                && let Some(row) = e.supplier.as_deref().and_then(|id| row(&mut out, id))
            {
                row.escalations += 1;
            }
        }
    }
    Ok(out)
}
