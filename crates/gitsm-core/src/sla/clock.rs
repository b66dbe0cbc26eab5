//! One clock measured: its kind and target, and how much working time it
//! has used at an instant, on its calendar and without its pauses.

use chrono::{DateTime, Duration, Utc};

use crate::calendar::BusinessCalendar;

use super::*;

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
pub struct ClockTarget {
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
    crate::calendar::union(
        pauses
            .iter()
            .map(|&(s, e)| (s.max(start), e.unwrap_or(end).min(end)))
            .collect(),
    )
}

/// The stretches of `[start, end)` a clock runs, in order: between `held`,
/// pauses as [`merge_pauses`] gives them (in order, apart). Each clock of
/// each ticket is counted over them, so they are found as they are read,
/// not gathered into a list.
pub fn running(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    held: &[(DateTime<Utc>, DateTime<Utc>)],
) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
    let from = std::iter::once(start).chain(held.iter().map(|&(_, e)| e));
    let to = held.iter().map(|&(s, _)| s).chain(std::iter::once(end));
    from.zip(to)
        .map(move |(s, e)| (s.max(start), e.min(end)))
        .filter(|(s, e)| s < e)
}

/// Working time counted over a clock's running stretches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockUse {
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
) -> ClockUse {
    let mut elapsed = Duration::zero();
    let mut used_up = None;
    for (s, e) in running(start, end, &merge_pauses(pauses, start, end)) {
        let worked = calendar.working_time(s, e);
        if used_up.is_none() && elapsed + worked >= target {
            used_up = Some(calendar.add_working_time(s, target - elapsed));
        }
        elapsed += worked;
    }
    ClockUse { elapsed, used_up }
}
