//! SLA clocks: how long a ticket has been waiting for a response and for
//! its resolution, against the targets of `gitsm.yaml`.
//!
//! A clock runs from the ticket's creation until it stops (acknowledged,
//! resolved or fulfilled), counts only working time on its target's
//! calendar ([`BusinessCalendar`]; 24x7 when the target names none) and
//! stands still during pauses (`on_hold` periods). Its inputs are a
//! [`Timeline`]: the stamps that start, stop and pause it, each saying where
//! it was read from, so that stamps a record lacks can be supplied from the
//! Git history (the commit that made the transition) without changing how
//! clocks are measured.
//!
//! Reading a clock at an instant `at` only uses what had happened by `at`:
//! a stop or a pause after `at` is ignored, so the same records give the
//! same figures for the same `at`, and a clock never goes backwards as `at`
//! advances.

mod clock;
mod ola;
mod timeline;

pub use clock::*;
pub use ola::*;
pub use timeline::*;

use std::collections::BTreeMap;

use crate::calendar::{BusinessCalendar, CalendarError};
use crate::config::{Clock, Config};
use crate::duration;
use crate::kind::Kind;
use crate::model::{Priority, Record, Timestamp};

/// One clock of a ticket, read at an instant.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaClock {
    pub kind: ClockKind,
    pub target: ClockTarget,
    pub start: Stamp,
    /// The stamp that stops it, when it had stopped by the reading.
    pub stop: Option<Stamp>,
    pub reading: Reading,
    /// The reading's due time in the calendar's zone (24x7: in the offset
    /// the ticket was created in).
    pub due: Option<Timestamp>,
}

/// A ticket's clocks at an instant.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketClocks {
    pub id: String,
    pub kind: Kind,
    pub priority: Option<Priority>,
    /// The instant the clocks were read at.
    pub at: Timestamp,
    pub response: SlaClock,
    /// `None` when the ticket is resolved but the record does not say when.
    pub resolution: Option<SlaClock>,
}

impl TicketClocks {
    pub fn clocks(&self) -> impl Iterator<Item = &SlaClock> {
        std::iter::once(&self.response).chain(self.resolution.as_ref())
    }

    /// The earliest due time of a running clock: what comes due next.
    pub fn next_due(&self) -> Option<Timestamp> {
        self.clocks()
            .filter(|c| !c.reading.stopped)
            .filter_map(|c| c.due)
            .min()
    }

    /// The worst of the clocks: `Ok`, `AtRisk` or `Breached`.
    pub fn state(&self) -> ClockState {
        self.clocks()
            .map(|c| c.reading.state.severity())
            .max()
            .unwrap_or(ClockState::Ok)
    }

    /// Open at the reading: created by then and not yet resolved.
    pub fn is_open(&self) -> bool {
        self.resolution
            .as_ref()
            .is_some_and(|c| !c.reading.stopped && c.start.at <= self.at)
    }
}

/// Why the SLA settings of a config cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    #[error("calendar `{name}`: {error}")]
    Calendar { name: String, error: CalendarError },
    #[error("unknown calendar `{0}`")]
    UnknownCalendar(String),
}

/// The SLA settings of `gitsm.yaml`, ready to measure: targets by
/// priority, catalogue item and symptom, and the compiled calendars.
#[derive(Debug, Clone)]
pub struct Policy<'a> {
    config: &'a Config,
    calendars: BTreeMap<String, BusinessCalendar>,
    always: BusinessCalendar,
}

impl<'a> Policy<'a> {
    pub fn new(config: &'a Config) -> Result<Policy<'a>, SlaError> {
        let calendars = config
            .calendars
            .iter()
            .map(|(name, cal)| {
                BusinessCalendar::new(cal)
                    .map(|c| (name.clone(), c))
                    .map_err(|error| SlaError::Calendar {
                        name: name.clone(),
                        error,
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Policy {
            config,
            calendars,
            always: BusinessCalendar::always(),
        })
    }

    /// The configuration the targets come from.
    pub fn config(&self) -> &'a Config {
        self.config
    }

    /// The calendar a target runs on.
    pub fn calendar(&self, name: Option<&str>) -> Result<&BusinessCalendar, SlaError> {
        match name {
            None => Ok(&self.always),
            Some(name) => self
                .calendars
                .get(name)
                .ok_or_else(|| SlaError::UnknownCalendar(name.to_owned())),
        }
    }

    /// Response and resolution targets of an incident or request.
    /// Incidents take theirs from their priority, except that a `symptom`
    /// with a target for the class of the incident's service overrides the
    /// clock `symptom_policy` names; requests take theirs from their
    /// catalogue item (`None` for an unknown item).
    pub fn targets(&self, record: &Record, service_class: Option<u8>) -> Option<[ClockTarget; 2]> {
        match record {
            Record::Incident(incident) => {
                let priority = crate::priority::of(record, self.config)?;
                let t = self.config.sla.target(priority);
                let target = |duration| ClockTarget {
                    duration,
                    calendar: t.calendar.clone(),
                    basis: Basis::Priority(priority),
                };
                let mut targets = [target(t.response), target(t.resolution)];
                if let (Some(policy), Some(symptom), Some(class)) = (
                    &self.config.symptom_policy,
                    &incident.symptom,
                    service_class,
                ) && let Some(&duration) = policy
                    .targets
                    .get(symptom)
                    .and_then(|by_class| by_class.get(&class.to_string()))
                {
                    let slot = match policy.clock {
                        Clock::Response => 0,
                        Clock::Resolution => 1,
                    };
                    targets[slot] = ClockTarget {
                        duration,
                        calendar: policy.calendar.clone(),
                        basis: Basis::Symptom {
                            symptom: symptom.clone(),
                            service_class: class,
                        },
                    };
                }
                Some(targets)
            }
            Record::Request(request) => {
                let item = self.config.catalog.get(&request.catalog_item)?;
                let target = |duration| ClockTarget {
                    duration,
                    calendar: item.calendar.clone(),
                    basis: Basis::Catalog(request.catalog_item.clone()),
                };
                Some([target(item.response), target(item.fulfilment)])
            }
            _ => None,
        }
    }

    /// A ticket's clocks read at `at`, from its `timeline`. `None` for
    /// problems, changes and CIs, for cancelled and rejected tickets (no SLA
    /// applies) and when the ticket has no targets.
    pub fn clocks(
        &self,
        record: &Record,
        timeline: &Timeline,
        service_class: Option<u8>,
        at: Timestamp,
    ) -> Result<Option<TicketClocks>, SlaError> {
        if Phase::of(record).is_none_or(|p| p == Phase::Void) {
            return Ok(None);
        }
        let Some([response, resolution]) = self.targets(record, service_class) else {
            return Ok(None);
        };
        let resolved = match &timeline.resolved {
            End::At(stamp) => Some(stamp),
            _ => None,
        };
        let acknowledged = timeline.acknowledged.as_ref().or(resolved);
        let response = self.clock(ClockKind::Response, response, timeline, acknowledged, at)?;
        let resolution = match &timeline.resolved {
            End::Unknown => None,
            _ => Some(self.clock(ClockKind::Resolution, resolution, timeline, resolved, at)?),
        };
        Ok(Some(TicketClocks {
            id: record.id().to_owned(),
            kind: record.kind(),
            priority: crate::priority::of(record, self.config),
            response,
            resolution,
            at,
        }))
    }

    fn clock(
        &self,
        kind: ClockKind,
        target: ClockTarget,
        timeline: &Timeline,
        stop: Option<&Stamp>,
        at: Timestamp,
    ) -> Result<SlaClock, SlaError> {
        let calendar = self.calendar(target.calendar.as_deref())?;
        let pauses = timeline.held();
        let reading = read(
            calendar,
            target.duration.to_chrono(),
            timeline.created.at.to_utc(),
            stop.map(|s| s.at.to_utc()),
            &pauses,
            at.to_utc(),
            self.config.sla_at_risk,
        );
        let created = timeline.created.at;
        let due = reading.due.map(|due| match target.calendar {
            Some(_) => due.with_timezone(&calendar.timezone()).fixed_offset(),
            None => due.with_timezone(created.offset()),
        });
        Ok(SlaClock {
            kind,
            target,
            start: timeline.created.clone(),
            stop: stop.filter(|_| reading.stopped).cloned(),
            reading,
            due,
        })
    }
}

#[cfg(test)]
mod tests;
