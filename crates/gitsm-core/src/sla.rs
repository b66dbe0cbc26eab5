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

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use crate::calendar::{BusinessCalendar, CalendarError};
use crate::config::{Clock, Config};
use crate::duration;
use crate::kind::Kind;
use crate::model::{Priority, Record, Timestamp};

/// Where a stamp was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A field of the record.
    Record,
    /// The commit that made the transition, for a stamp the record lacks.
    Git { commit: String },
}

/// A moment that starts or stops a clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub at: Timestamp,
    pub source: Source,
}

impl Stamp {
    pub fn record(at: Timestamp) -> Stamp {
        Stamp {
            at,
            source: Source::Record,
        }
    }
}

/// A period in which the clocks stand still; `end` is empty while it lasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pause {
    pub start: Timestamp,
    pub end: Option<Timestamp>,
    pub source: Source,
}

/// How the resolution clock ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// Not resolved: the clock runs (also after a reopen).
    Open,
    /// Resolved (fulfilled) then.
    At(Stamp),
    /// The ticket is resolved but no one recorded when: no resolution clock.
    Unknown,
}

/// The stamps that drive a ticket's clocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    pub created: Stamp,
    /// Stops the response clock. A ticket resolved without an
    /// acknowledgement stops its response clock when it is resolved.
    pub acknowledged: Option<Stamp>,
    /// Stops the resolution clock.
    pub resolved: End,
    /// `on_hold` periods (and, from history, the time a reopened ticket sat
    /// resolved).
    pub pauses: Vec<Pause>,
}

/// Where a ticket stands, by its status: the one definition of "open"
/// (still needs work) that `list --open`, the site, the dashboard, the
/// report's backlog and the SLA clocks share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Still needs work: incidents `new`, `in_progress`, `on_hold` (and any
    /// state of a reopened one); problems before `resolved`; changes
    /// before `closed`; requests before `fulfilled`.
    Open,
    /// `resolved` or `closed` (requests: `fulfilled` or `closed`; changes:
    /// `closed`).
    Done,
    /// `cancelled` or `rejected`: nothing more to do, no SLA applies.
    Void,
}

impl Phase {
    /// The phase of any ticket; `None` for configuration items, which are
    /// never open.
    pub fn of_ticket(record: &Record) -> Option<Phase> {
        let done: &[&str] = match record {
            Record::Incident(_) | Record::Problem(_) => &["resolved", "closed"],
            Record::Request(_) => &["fulfilled", "closed"],
            Record::Change(_) => &["closed"],
            Record::Ci(_) => return None,
        };
        let status = record.status();
        Some(if done.contains(&status) {
            Phase::Done
        } else if matches!(status, "cancelled" | "rejected") {
            Phase::Void
        } else {
            Phase::Open
        })
    }

    /// The phase of an incident or request; `None` for kinds without clocks.
    pub fn of(record: &Record) -> Option<Phase> {
        match record {
            Record::Incident(_) | Record::Request(_) => Phase::of_ticket(record),
            _ => None,
        }
    }

    /// Whether a record still needs work.
    pub fn is_open(record: &Record) -> bool {
        Phase::of_ticket(record) == Some(Phase::Open)
    }
}

/// Whether a ticket's clocks need Git history: an open ticket past its
/// first state without `acknowledged_at` (the commit that took it up says
/// when), or one reopened (the time it sat resolved is a pause).
pub fn needs_history(record: &Record) -> bool {
    match record {
        Record::Incident(i) => {
            Phase::is_open(record)
                && ((i.status != "new" && i.acknowledged_at.is_none()) || i.resolved_at.is_some())
        }
        Record::Request(q) => q.status != "new" && q.acknowledged_at.is_none(),
        _ => false,
    }
}

impl Timeline {
    /// The stamps a record holds itself. The record shows only its current
    /// state: an open ticket's `resolved_at` is left from before a reopen
    /// and is ignored (the resolution clock resumes), but when it was
    /// reopened is not in the record, so the time it sat resolved counts
    /// until history supplies that period as a [`Pause`].
    pub fn from_record(record: &Record) -> Option<Timeline> {
        let phase = Phase::of(record)?;
        let (created, acknowledged, resolved, pauses) = match record {
            Record::Incident(r) => (
                r.created_at,
                r.acknowledged_at,
                r.resolved_at,
                r.on_hold
                    .iter()
                    .map(|h| Pause {
                        start: h.start,
                        end: h.end,
                        source: Source::Record,
                    })
                    .collect(),
            ),
            Record::Request(r) => (r.created_at, r.acknowledged_at, r.fulfilled_at, Vec::new()),
            _ => return None,
        };
        let resolved = match (phase, resolved) {
            (Phase::Done, Some(at)) => End::At(Stamp::record(at)),
            (Phase::Done, None) => End::Unknown,
            _ => End::Open,
        };
        Some(Timeline {
            created: Stamp::record(created),
            acknowledged: acknowledged.map(Stamp::record),
            resolved,
            pauses,
        })
    }
}

/// Which of a ticket's two clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClockKind {
    /// Created to acknowledged.
    Response,
    /// Created to resolved (requests: fulfilled).
    Resolution,
}

impl ClockKind {
    pub fn name(self) -> &'static str {
        match self {
            ClockKind::Response => "response",
            ClockKind::Resolution => "resolution",
        }
    }
}

/// Where a target comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// `sla` in gitsm.yaml, by the ticket's priority.
    Priority(Priority),
    /// `catalog` in gitsm.yaml, by the request's item.
    Catalog(String),
    /// `symptom_policy`, by the incident's symptom and its service's class.
    Symptom { symptom: String, service_class: u8 },
}

/// A target: how much (working) time a clock may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub duration: duration::Duration,
    /// Calendar name; `None` runs 24x7.
    pub calendar: Option<String>,
    pub basis: Basis,
}

/// What a clock says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClockState {
    /// Running, below the at-risk share of its target.
    Ok,
    /// Running, at or past the at-risk share (`sla_at_risk`).
    AtRisk,
    /// Running, past its target.
    Breached,
    /// Stopped within its target.
    Met,
    /// Stopped past its target.
    Missed,
}

impl ClockState {
    pub fn name(self) -> &'static str {
        match self {
            ClockState::Ok => "ok",
            ClockState::AtRisk => "at_risk",
            ClockState::Breached => "breached",
            ClockState::Met => "met",
            ClockState::Missed => "missed",
        }
    }

    /// How this clock weighs in a ticket's state: met counts as `ok`,
    /// missed as `breached` (the target was not kept).
    pub fn severity(self) -> ClockState {
        match self {
            ClockState::Met => ClockState::Ok,
            ClockState::Missed => ClockState::Breached,
            s => s,
        }
    }
}

/// A clock read at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// Working time counted, pauses excluded.
    pub elapsed: Duration,
    /// Target minus elapsed; negative once past the target.
    pub remaining: Duration,
    /// When the target is (or was) used up, pauses so far excluded; while
    /// paused, as if the clock resumed at the reading. `None` when the
    /// calendar has no working time left.
    pub due: Option<DateTime<Utc>>,
    /// Whether the clock had stopped by the reading.
    pub stopped: bool,
    /// Whether a pause held the clock at the reading.
    pub paused: bool,
    pub state: ClockState,
}

/// Read a clock: the working time on `calendar` between `start` and the
/// earlier of `stop` and `at`, less `pauses` (an open pause lasts until
/// then), against `target`. `at_risk` is the share of the target after
/// which a running clock is at risk.
pub fn read(
    calendar: &BusinessCalendar,
    target: Duration,
    start: DateTime<Utc>,
    stop: Option<DateTime<Utc>>,
    pauses: &[(DateTime<Utc>, Option<DateTime<Utc>>)],
    at: DateTime<Utc>,
    at_risk: f64,
) -> Reading {
    let stopped = stop.is_some_and(|s| s <= at);
    let end = stop.filter(|_| stopped).unwrap_or(at).max(start);
    let paused = !stopped
        && pauses
            .iter()
            .any(|&(s, e)| s <= at && e.is_none_or(|e| e > at));
    let count = count(calendar, target, start, end, pauses);
    let elapsed = count.elapsed;
    let due = count
        .used_up
        .unwrap_or_else(|| calendar.add_working_time(end, target - elapsed));
    let state = if stopped {
        if elapsed <= target {
            ClockState::Met
        } else {
            ClockState::Missed
        }
    } else if elapsed > target || due.is_some_and(|d| d < at) {
        // Breached once its due time has passed: on a business calendar
        // the elapsed time stands at the target all night after it.
        ClockState::Breached
    } else if elapsed.num_milliseconds() as f64 >= at_risk * target.num_milliseconds() as f64 {
        ClockState::AtRisk
    } else {
        ClockState::Ok
    };
    Reading {
        elapsed,
        remaining: target - elapsed,
        due,
        stopped,
        paused,
        state,
    }
}

/// Pauses clipped to `[start, end]` (an open one lasts until `end`), in
/// order and merged.
pub fn merge_pauses(
    pauses: &[(DateTime<Utc>, Option<DateTime<Utc>>)],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut held: Vec<(DateTime<Utc>, DateTime<Utc>)> = pauses
        .iter()
        .map(|&(s, e)| (s.max(start), e.unwrap_or(end).min(end)))
        .filter(|(s, e)| s < e)
        .collect();
    held.sort();
    let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(held.len());
    for (s, e) in held {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// The stretches of `[start, end)` a clock runs: between `held`, pauses
/// as [`merge_pauses`] gives them.
pub fn running(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    held: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut segments = Vec::with_capacity(held.len() + 1);
    let mut cursor = start;
    for &(s, e) in held {
        if cursor < s {
            segments.push((cursor, s));
        }
        cursor = cursor.max(e);
    }
    if cursor < end {
        segments.push((cursor, end));
    }
    segments
}

/// Working time counted over a clock's running stretches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub elapsed: Duration,
    /// `Some` when the target was used up within the stretches: the
    /// instant it was (`None` beyond the calendar's horizon).
    pub used_up: Option<Option<DateTime<Utc>>>,
}

/// Count the working time on `calendar` from `start` to `end`, less
/// `pauses` (an open one lasts until `end`), noting when `target` of it
/// was used up. What is left of the target past `end` is not looked for:
/// a stopped clock that met its target has no use for it.
pub fn count(
    calendar: &BusinessCalendar,
    target: Duration,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    pauses: &[(DateTime<Utc>, Option<DateTime<Utc>>)],
) -> Count {
    let mut elapsed = Duration::zero();
    let mut used_up = None;
    for (s, e) in running(start, end, &merge_pauses(pauses, start, end)) {
        let worked = calendar.working_time(s, e);
        if used_up.is_none() && elapsed + worked >= target {
            used_up = Some(calendar.add_working_time(s, target - elapsed));
        }
        elapsed += worked;
    }
    Count { elapsed, used_up }
}

/// One clock of a ticket, read at an instant.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaClock {
    pub kind: ClockKind,
    pub target: Target,
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
    pub fn targets(&self, record: &Record, service_class: Option<u8>) -> Option<[Target; 2]> {
        match record {
            Record::Incident(incident) => {
                let priority = crate::priority::of(record, self.config)?;
                let t = self.config.sla.target(priority);
                let target = |duration| Target {
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
                    targets[slot] = Target {
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
                let target = |duration| Target {
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
        target: Target,
        timeline: &Timeline,
        stop: Option<&Stamp>,
        at: Timestamp,
    ) -> Result<SlaClock, SlaError> {
        let calendar = self.calendar(target.calendar.as_deref())?;
        let pauses: Vec<_> = timeline
            .pauses
            .iter()
            .map(|p| (p.start.to_utc(), p.end.map(|e| e.to_utc())))
            .collect();
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
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::config;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("timestamp").to_utc()
    }

    fn h(hours: i64) -> Duration {
        Duration::hours(hours)
    }

    #[test]
    fn pauses_merge_and_clip() {
        let held = vec![
            (t("2026-11-20T10:00:00Z"), Some(t("2026-11-20T12:00:00Z"))),
            (t("2026-11-20T11:00:00Z"), None),
            (t("2026-11-19T10:00:00Z"), Some(t("2026-11-19T11:00:00Z"))),
        ];
        assert_eq!(
            merge_pauses(&held, t("2026-11-20T00:00:00Z"), t("2026-11-20T15:00:00Z")),
            vec![(t("2026-11-20T10:00:00Z"), t("2026-11-20T15:00:00Z"))]
        );
    }

    /// Read a 24x7 clock started at 10:00 on 2026-03-02, at-risk share 0.75.
    fn around_the_clock(
        target: i64,
        stop: Option<&str>,
        pauses: &[(&str, Option<&str>)],
        at: &str,
    ) -> Reading {
        let pauses: Vec<_> = pauses.iter().map(|(s, e)| (t(s), e.map(t))).collect();
        read(
            &BusinessCalendar::always(),
            h(target),
            t("2026-03-02T10:00:00Z"),
            stop.map(t),
            &pauses,
            t(at),
            0.75,
        )
    }

    #[test]
    fn running_clock_at_the_risk_threshold() {
        // 10:00 to 13:00 of a 4h target: 3h elapsed = 75% -> at_risk; due 14:00.
        let r = around_the_clock(4, None, &[], "2026-03-02T13:00:00Z");
        assert_eq!(r.elapsed, h(3));
        assert_eq!(r.remaining, h(1));
        assert_eq!(r.due, Some(t("2026-03-02T14:00:00Z")));
        assert_eq!(r.state, ClockState::AtRisk);
        // One minute less is 74.6%: ok.
        let r = around_the_clock(4, None, &[], "2026-03-02T12:59:00Z");
        assert_eq!(r.state, ClockState::Ok);
    }

    #[test]
    fn breached_only_past_the_target() {
        // Exactly 4h of 4h is not past it; 4h01m is.
        let r = around_the_clock(4, None, &[], "2026-03-02T14:00:00Z");
        assert_eq!(r.state, ClockState::AtRisk);
        let r = around_the_clock(4, None, &[], "2026-03-02T14:01:00Z");
        assert_eq!(r.state, ClockState::Breached);
        assert_eq!(r.remaining, Duration::minutes(-1));
    }

    #[test]
    fn a_closed_pause_moves_the_due_time() {
        // 10:00-13:00 with 11:00-12:00 held: 2h elapsed; due 14:00 + 1h = 15:00.
        let r = around_the_clock(
            4,
            None,
            &[("2026-03-02T11:00:00Z", Some("2026-03-02T12:00:00Z"))],
            "2026-03-02T13:00:00Z",
        );
        assert_eq!(r.elapsed, h(2));
        assert_eq!(r.due, Some(t("2026-03-02T15:00:00Z")));
        assert!(!r.paused);
    }

    #[test]
    fn an_open_pause_holds_the_clock_until_the_reading() {
        // Held since 12:00, read at 15:00: 2h elapsed (10-12); due as if it
        // resumed at 15:00: 15:00 + 2h = 17:00.
        let r = around_the_clock(
            4,
            None,
            &[("2026-03-02T12:00:00Z", None)],
            "2026-03-02T15:00:00Z",
        );
        assert_eq!(r.elapsed, h(2));
        assert!(r.paused);
        assert_eq!(r.due, Some(t("2026-03-02T17:00:00Z")));
    }

    #[test]
    fn stopped_clocks_are_met_or_missed() {
        // Stopped at 11:00 (1h of 4h), read later: met, and stays 1h.
        let r = around_the_clock(4, Some("2026-03-02T11:00:00Z"), &[], "2026-03-03T09:00:00Z");
        assert_eq!(
            (r.elapsed, r.stopped, r.state),
            (h(1), true, ClockState::Met)
        );
        // Stopped at 15:00: 5h of 4h, missed.
        let r = around_the_clock(4, Some("2026-03-02T15:00:00Z"), &[], "2026-03-03T09:00:00Z");
        assert_eq!(r.state, ClockState::Missed);
        assert_eq!(r.due, Some(t("2026-03-02T14:00:00Z")));
        // Read before it stopped, it was still running: 11:00 -> 1h, ok.
        let r = around_the_clock(4, Some("2026-03-02T15:00:00Z"), &[], "2026-03-02T11:00:00Z");
        assert_eq!(
            (r.elapsed, r.stopped, r.state),
            (h(1), false, ClockState::Ok)
        );
    }

    #[test]
    fn before_creation_nothing_has_elapsed() {
        let r = around_the_clock(4, None, &[], "2026-03-01T10:00:00Z");
        assert_eq!(r.elapsed, Duration::zero());
        assert_eq!(r.due, Some(t("2026-03-02T14:00:00Z")));
    }

    #[test]
    fn business_hours_and_a_night_on_hold() {
        // Office Mon-Fri 09:00-18:00 UTC, 8h target. Created Mon 16:00, on hold
        // Mon 17:00 to Tue 10:00, read Tue 12:00: 16-17 Mon (1h) + 10-12 Tue (2h)
        // = 3h. Due: 5h left from Tue 12:00 -> 17:00.
        let cal = BusinessCalendar::new(&config::Calendar::default()).expect("calendar");
        let r = read(
            &cal,
            h(8),
            t("2026-03-02T16:00:00Z"),
            None,
            &[(t("2026-03-02T17:00:00Z"), Some(t("2026-03-03T10:00:00Z")))],
            t("2026-03-03T12:00:00Z"),
            0.75,
        );
        assert_eq!(r.elapsed, h(3));
        assert_eq!(r.due, Some(t("2026-03-03T17:00:00Z")));
    }

    #[test]
    fn breached_once_the_due_time_has_passed_on_a_business_calendar() {
        // P3, 27 working hours on Mon-Fri 09:00-18:00 Europe/Berlin (UTC+1
        // in November). Opened Thursday 2026-11-19 09:00: Thu 9h + Fri 9h +
        // Mon 9h, due Monday 2026-11-23 18:00 (17:00Z). No working time
        // passes after 18:00, but the due time has.
        let berlin = config::Calendar {
            timezone: "Europe/Berlin".into(),
            ..config::Calendar::default()
        };
        let cal = BusinessCalendar::new(&berlin).expect("calendar");
        let p3 = |created: &str, at: &str| read(&cal, h(27), t(created), None, &[], t(at), 0.75);
        let r = p3("2026-11-19T08:00:00Z", "2026-11-23T16:59:00Z");
        assert_eq!(
            (r.state, r.remaining),
            (ClockState::AtRisk, Duration::minutes(1))
        );
        assert_eq!(r.due, Some(t("2026-11-23T17:00:00Z")));
        for at in ["2026-11-23T17:30:00Z", "2026-11-23T22:00:00Z"] {
            let r = p3("2026-11-19T08:00:00Z", at);
            assert_eq!(r.state, ClockState::Breached, "at {at}");
            assert_eq!(r.elapsed, h(27));
            assert_eq!(r.remaining, Duration::zero());
        }
        // Opened Wednesday 2026-11-25 09:00: due Friday 18:00, and breached
        // all Saturday though not a minute more has been worked.
        let r = p3("2026-11-25T08:00:00Z", "2026-11-28T11:00:00Z");
        assert_eq!(r.due, Some(t("2026-11-27T17:00:00Z")));
        assert_eq!((r.state, r.elapsed), (ClockState::Breached, h(27)));
    }

    /// `record` moved to `status` (no other field changed).
    fn with_status(record: Record, status: &str) -> Record {
        let mut json = record.to_json();
        json["status"] = status.into();
        Record::from_json(Kind::Incident, json).expect("incident")
    }

    fn incident(extra: &str) -> Record {
        let yaml = format!(
            "id: INC-0001\ntitle: t\nstatus: in_progress\ncreated_at: 2026-03-02T10:00:00Z\n\
             reported_by: a@example.com\nimpact: high\nurgency: high\n{extra}"
        );
        let value: serde_json::Value = serde_yaml::from_str(&yaml).expect("yaml");
        Record::from_json(Kind::Incident, value).expect("incident")
    }

    #[test]
    fn a_reopened_ticket_resumes_its_resolution_clock() {
        // Back in progress with the old resolved_at: the clock runs on.
        let r = incident("resolved_at: 2026-03-02T11:00:00Z\n");
        let tl = Timeline::from_record(&r).expect("timeline");
        assert_eq!(tl.resolved, End::Open);
        let config = Config::default();
        let policy = Policy::new(&config).expect("policy");
        let at = DateTime::parse_from_rfc3339("2026-03-02T13:00:00Z").expect("at");
        let clocks = policy
            .clocks(&r, &tl, None, at)
            .expect("ok")
            .expect("clocks");
        // P1 24x7: 3h of the 4h resolution target; response never acknowledged:
        // 3h of 15m, breached.
        let res = clocks.resolution.as_ref().expect("resolution");
        assert_eq!(res.reading.elapsed, h(3));
        assert_eq!(res.reading.state, ClockState::AtRisk);
        assert_eq!(clocks.response.reading.state, ClockState::Breached);
        assert_eq!(clocks.state(), ClockState::Breached);
        assert!(clocks.is_open());
    }

    #[test]
    fn resolved_without_a_time_has_no_resolution_clock() {
        let r = with_status(incident(""), "resolved");
        let tl = Timeline::from_record(&r).expect("timeline");
        assert_eq!(tl.resolved, End::Unknown);
        let config = Config::default();
        let policy = Policy::new(&config).expect("policy");
        let at = DateTime::parse_from_rfc3339("2026-03-02T13:00:00Z").expect("at");
        let clocks = policy
            .clocks(&r, &tl, None, at)
            .expect("ok")
            .expect("clocks");
        assert!(clocks.resolution.is_none());
        assert!(!clocks.is_open());
    }

    #[test]
    fn symptom_policy_overrides_its_clock_for_the_service_class() {
        let mut config = Config::default();
        config.symptom_policy = Some(config::SymptomPolicy {
            clock: Clock::Resolution,
            calendar: None,
            targets: BTreeMap::from([(
                "system_crash".into(),
                BTreeMap::from([("2".into(), duration::Duration::minutes(15))]),
            )]),
        });
        let policy = Policy::new(&config).expect("policy");
        let r = incident("symptom: system_crash\n");
        let [response, resolution] = policy.targets(&r, Some(2)).expect("targets");
        assert_eq!(response.basis, Basis::Priority(Priority::P1));
        assert_eq!(resolution.duration, duration::Duration::minutes(15));
        // No class known (or none listed for it): the priority's target.
        let [_, resolution] = policy.targets(&r, None).expect("targets");
        assert_eq!(resolution.duration, duration::Duration::hours(4));
        let [_, resolution] = policy.targets(&r, Some(3)).expect("targets");
        assert_eq!(resolution.basis, Basis::Priority(Priority::P1));
    }

    #[test]
    fn cancelled_tickets_have_no_clocks() {
        let r = with_status(incident("cancel_reason: dup\n"), "cancelled");
        let config = Config::default();
        let policy = Policy::new(&config).expect("policy");
        let tl = Timeline::from_record(&r).expect("timeline");
        let at = DateTime::parse_from_rfc3339("2026-03-02T13:00:00Z").expect("at");
        assert_eq!(policy.clocks(&r, &tl, None, at), Ok(None));
    }

    /// Calendars the properties run on: 24x7, an office in Berlin, a
    /// two-span day with weekend hours and holidays in New York.
    fn calendars() -> Vec<BusinessCalendar> {
        let berlin = config::Calendar {
            timezone: "Europe/Berlin".into(),
            ..config::Calendar::default()
        };
        let day = Some("08:00-12:00,13:00-17:30".to_owned());
        let new_york = config::Calendar {
            timezone: "America/New_York".into(),
            hours: config::WeekHours {
                mon: day.clone(),
                tue: day.clone(),
                wed: day.clone(),
                thu: day.clone(),
                fri: day,
                sat: Some("10:00-14:00".into()),
                sun: None,
            },
            holidays: vec!["2026-03-09".parse().expect("date")],
        };
        vec![
            BusinessCalendar::always(),
            BusinessCalendar::new(&berlin).expect("berlin"),
            BusinessCalendar::new(&new_york).expect("new york"),
        ]
    }

    /// Minutes from 2026-03-01 00:00Z (around both 2026 spring-forwards).
    fn minute(m: i64) -> DateTime<Utc> {
        t("2026-03-01T00:00:00Z") + Duration::minutes(m)
    }

    const SPAN: i64 = 40 * 24 * 60;

    fn pauses() -> impl Strategy<Value = Vec<(i64, Option<i64>)>> {
        prop::collection::vec((0..SPAN, prop::option::of(0..3 * 24 * 60i64)), 0..4)
    }

    fn to_pauses(p: &[(i64, Option<i64>)]) -> Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> {
        p.iter()
            .map(|&(s, len)| (minute(s), len.map(|l| minute(s + l))))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn elapsed_never_decreases_as_time_advances(
            cal in 0..3usize,
            start in 0..SPAN,
            stop in prop::option::of(0..SPAN),
            pauses in pauses(),
            at in 0..SPAN,
            later in 0..SPAN,
        ) {
            let cal = &calendars()[cal];
            let pauses = to_pauses(&pauses);
            let stop = stop.map(|s| minute(start.max(s)));
            let read_at = |at| read(cal, h(27), minute(start), stop, &pauses, minute(at), 0.75);
            let (a, b) = (read_at(at.min(later)), read_at(at.max(later)));
            prop_assert!(a.elapsed <= b.elapsed, "{:?} then {:?}", a.elapsed, b.elapsed);
        }

        #[test]
        fn a_pause_never_adds_time(
            cal in 0..3usize,
            start in 0..SPAN,
            stop in prop::option::of(0..SPAN),
            pauses in pauses(),
            extra in (0..SPAN, prop::option::of(0..3 * 24 * 60i64)),
            at in 0..SPAN,
        ) {
            let cal = &calendars()[cal];
            let stop = stop.map(|s| minute(start.max(s)));
            let before = to_pauses(&pauses);
            let mut after = before.clone();
            after.extend(to_pauses(&[extra]));
            let a = read(cal, h(27), minute(start), stop, &before, minute(at), 0.75);
            let b = read(cal, h(27), minute(start), stop, &after, minute(at), 0.75);
            prop_assert!(b.elapsed <= a.elapsed, "{:?} with the pause, {:?} without", b.elapsed, a.elapsed);
        }

        #[test]
        fn the_report_and_sla_read_the_same_clock(
            cal in 0..3usize,
            start in 0..SPAN,
            stop in prop::option::of(0..SPAN),
            pauses in pauses(),
            at in 0..SPAN,
            target in 1..48 * 60i64,
        ) {
            // `sla`, `show` and the site read clocks with `read`; the report
            // judges them with `report::clock::judge`: at every instant both
            // say the same of whether the clock is met, missed or undecided.
            use crate::report::clock::{Outcome, judge};
            let cal = &calendars()[cal];
            let pauses = to_pauses(&pauses);
            let target = Duration::minutes(target);
            let (start, at) = (minute(start), minute(at));
            let stop = stop.map(|s| minute(s).max(start));
            let reading = read(cal, target, start, stop, &pauses, at, 0.75);
            let outcome = judge(cal, target, start, stop, &pauses, at);
            let agree = match outcome {
                Outcome::Met { .. } => reading.state == ClockState::Met,
                Outcome::Missed { stopped: Some(_), .. } => reading.state == ClockState::Missed,
                Outcome::Missed { stopped: None, .. } => reading.state == ClockState::Breached,
                Outcome::Pending => matches!(reading.state, ClockState::Ok | ClockState::AtRisk),
            };
            prop_assert!(agree, "report {:?}, sla {:?}", outcome, reading);
            // And the same figures: the working time a stopped clock
            // counted, and when a missed target ran out.
            match outcome {
                Outcome::Met { elapsed, .. } => {
                    prop_assert_eq!(reading.elapsed, elapsed, "report {:?}, sla {:?}", outcome, reading);
                }
                Outcome::Missed { due, stopped } => {
                    prop_assert_eq!(reading.due, Some(due), "report {:?}, sla {:?}", outcome, reading);
                    if let Some((_, elapsed)) = stopped {
                        prop_assert_eq!(reading.elapsed, elapsed, "report {:?}, sla {:?}", outcome, reading);
                    }
                }
                Outcome::Pending => {}
            }
        }

        #[test]
        fn the_due_time_uses_up_the_target(
            cal in 0..3usize,
            start in 0..SPAN,
            target in 0..60 * 60i64,
        ) {
            let cal = &calendars()[cal];
            let target = Duration::minutes(target);
            let due = cal.add_working_time(minute(start), target).expect("due");
            prop_assert_eq!(cal.working_time(minute(start), due), target);
        }
    }
}
