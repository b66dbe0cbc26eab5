//! SLA clocks as the report reads them: against their target at the end
//! of the period, and the working time a stopped clock took.
//!
//! A running clock is never measured up to the end of the period (a
//! ticket open for a year would cost a year of calendar days): only
//! whether and when its target ran out is looked for, which costs as much
//! as the target is long.

use chrono::{DateTime, Duration, Utc};

use crate::calendar::BusinessCalendar;
use crate::sla::{self, ClockKind, ClockTarget};

pub(crate) type Instant = DateTime<Utc>;

/// Pauses of a clock: start and, unless it lasts, end.
pub(crate) type Held = Vec<(Instant, Option<Instant>)>;

/// A measured time, stamped with the instant that ended it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    pub at: Instant,
    pub value: Duration,
    pub from_git: bool,
}

/// A clock against its target.
pub(crate) struct Verdict {
    pub clock: ClockKind,
    pub target: ClockTarget,
    pub outcome: Outcome,
    /// A stamp of this clock came from history.
    pub from_git: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Running within its target (or no clock).
    Pending,
    /// Stopped within its target.
    Met { at: Instant, elapsed: Duration },
    /// Its target ran out at `due`; stopped since, or still running.
    Missed {
        due: Instant,
        stopped: Option<(Instant, Duration)>,
    },
}

impl Outcome {
    /// When it was decided and whether the target was met.
    pub(crate) fn decided(&self) -> Option<(Instant, bool)> {
        match *self {
            Outcome::Pending => None,
            Outcome::Met { at, .. } => Some((at, true)),
            Outcome::Missed { due, .. } => Some((due, false)),
        }
    }
}

/// How a clock started at `created`, stopping at `stop` (if it has by
/// `as_of`) and standing still while `held`, did against `amount` of
/// working time on `calendar`, as of `as_of`.
pub(crate) fn judge(
    calendar: &BusinessCalendar,
    amount: Duration,
    created: Instant,
    stop: Option<Instant>,
    held: &Held,
    as_of: Instant,
) -> Outcome {
    match stop.filter(|s| *s <= as_of) {
        Some(stop) => {
            let count = sla::count(calendar, amount, created, stop.max(created), held);
            if count.elapsed <= amount {
                Outcome::Met {
                    at: stop,
                    elapsed: count.elapsed,
                }
            } else {
                Outcome::Missed {
                    due: count.used_up.flatten().unwrap_or(stop),
                    stopped: Some((stop, count.elapsed)),
                }
            }
        }
        None => {
            let held = sla::merge_pauses(held, created, as_of);
            match used_up(calendar, amount, created, &held, as_of) {
                // Breached once its due time has passed (as `sla::read`).
                Some(due) if due < as_of => Outcome::Missed { due, stopped: None },
                _ => Outcome::Pending,
            }
        }
    }
}

/// Working time on `calendar` from `start` to `stop`, pauses excluded.
pub(crate) fn measure(
    calendar: &BusinessCalendar,
    start: Instant,
    stop: Instant,
    held: &Held,
) -> Duration {
    sla::count(calendar, Duration::zero(), start, stop.max(start), held).elapsed
}

/// The instant a clock started at `start` has counted `amount` of working
/// time on `calendar`, standing still while `held`; `None` when that is
/// not before `limit`. Costs what the target costs, not what the
/// ticket's age costs.
fn used_up(
    calendar: &BusinessCalendar,
    amount: Duration,
    start: Instant,
    held: &[(Instant, Instant)],
    limit: Instant,
) -> Option<Instant> {
    let mut left = amount;
    for (s, e) in sla::running(start, limit, held) {
        let due = calendar.add_working_time(s, left)?;
        if due <= e {
            return Some(due);
        }
        left -= calendar.working_time(s, e);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Instant {
        DateTime::parse_from_rfc3339(s).expect("timestamp").to_utc()
    }

    fn office() -> BusinessCalendar {
        BusinessCalendar::new(&crate::config::Calendar::default()).expect("calendar")
    }

    #[test]
    fn a_target_runs_out_in_working_time() {
        // Mon-Fri 09:00-18:00 UTC. 4h from Friday 16:00: 2h on Friday, 2h
        // on Monday -> Monday 2026-11-23 11:00.
        let due = used_up(
            &office(),
            Duration::hours(4),
            t("2026-11-20T16:00:00Z"),
            &[],
            t("2026-12-31T00:00:00Z"),
        );
        assert_eq!(due, Some(t("2026-11-23T11:00:00Z")));
        // Not before a limit of Monday 10:00.
        let due = used_up(
            &office(),
            Duration::hours(4),
            t("2026-11-20T16:00:00Z"),
            &[],
            t("2026-11-23T10:00:00Z"),
        );
        assert_eq!(due, None);
    }

    #[test]
    fn clocks_are_met_missed_or_pending() {
        // 4h on Mon-Fri 09:00-18:00 UTC from Friday 16:00: due Monday 11:00.
        let judge_at = |stop: Option<&str>, as_of: &str| {
            judge(
                &office(),
                Duration::hours(4),
                t("2026-11-20T16:00:00Z"),
                stop.map(t),
                &Vec::new(),
                t(as_of),
            )
        };
        // Stopped Monday 10:00 after 2h + 1h: met then.
        assert_eq!(
            judge_at(Some("2026-11-23T10:00:00Z"), "2026-11-30T00:00:00Z"),
            Outcome::Met {
                at: t("2026-11-23T10:00:00Z"),
                elapsed: Duration::hours(3)
            }
        );
        // Stopped Monday 12:00 after 5h: missed when it ran out, 11:00.
        assert_eq!(
            judge_at(Some("2026-11-23T12:00:00Z"), "2026-11-30T00:00:00Z"),
            Outcome::Missed {
                due: t("2026-11-23T11:00:00Z"),
                stopped: Some((t("2026-11-23T12:00:00Z"), Duration::hours(5)))
            }
        );
        // Still running: pending at 10:30, missed at 11:30. A stop after
        // the reading is not seen.
        assert_eq!(judge_at(None, "2026-11-23T10:30:00Z"), Outcome::Pending);
        assert_eq!(
            judge_at(Some("2026-11-23T12:00:00Z"), "2026-11-23T11:30:00Z"),
            Outcome::Missed {
                due: t("2026-11-23T11:00:00Z"),
                stopped: None
            }
        );
    }

    #[test]
    fn a_pause_pushes_the_target_out() {
        // As above, held Monday 09:00-10:00: 1h later, Monday 12:00.
        let due = used_up(
            &office(),
            Duration::hours(4),
            t("2026-11-20T16:00:00Z"),
            &[(t("2026-11-23T09:00:00Z"), t("2026-11-23T10:00:00Z"))],
            t("2026-12-31T00:00:00Z"),
        );
        assert_eq!(due, Some(t("2026-11-23T12:00:00Z")));
    }

    #[test]
    fn missed_once_the_due_time_has_passed() {
        // 2h on Mon-Fri 09:00-18:00 UTC from Friday 16:00: due Friday
        // 18:00, the end of the day's hours. No working time passes over
        // the weekend, but the due time has: missed on Friday evening and
        // on Saturday, not at 18:00 itself.
        let judge_at = |as_of: &str| {
            judge(
                &office(),
                Duration::hours(2),
                t("2026-11-20T16:00:00Z"),
                None,
                &Vec::new(),
                t(as_of),
            )
        };
        let missed = Outcome::Missed {
            due: t("2026-11-20T18:00:00Z"),
            stopped: None,
        };
        assert_eq!(judge_at("2026-11-20T18:00:00Z"), Outcome::Pending);
        assert_eq!(judge_at("2026-11-20T18:30:00Z"), missed);
        assert_eq!(judge_at("2026-11-21T12:00:00Z"), missed);
        // A pause from 17:00 holds it: an hour is still left.
        let held = vec![(t("2026-11-20T17:00:00Z"), Some(t("2026-11-23T00:00:00Z")))];
        let paused = judge(
            &office(),
            Duration::hours(2),
            t("2026-11-20T16:00:00Z"),
            None,
            &held,
            t("2026-11-21T12:00:00Z"),
        );
        assert_eq!(paused, Outcome::Pending);
    }
}
