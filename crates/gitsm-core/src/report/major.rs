//! Major incidents of a period, and recurring incidents without a problem.
//!
//! A major incident counts when it was open at some time in the period:
//! opened before its end and not resolved before its start. Its figures:
//!
//! - duration: `created_at` to `resolved_at`, wall-clock time (an
//!   outage is not paused by business hours); none while unresolved;
//! - time to commander: `created_at` to `commander_at`, the stamp `gitsm
//!   set` and `gitsm transition` write when they first set `commander`;
//! - review: done (`review.at`), or due `major_incident.review_due_days`
//!   calendar days after `resolved_at` and overdue once the report's
//!   "as of" instant has passed that without one.

use serde::Serialize;

use crate::config::Config;
use crate::model::{Record, Timestamp};
use crate::problem_candidates::Candidate;

use super::Period;

/// A major incident open in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MajorIncident {
    pub id: String,
    pub title: String,
    pub status: String,
    pub priority: String,
    pub commander: Option<String>,
    pub opened: Timestamp,
    pub resolved_at: Option<Timestamp>,
    /// Opened to resolved, in seconds; `None` while unresolved.
    pub duration: Option<i64>,
    /// Opened to `commander_at`, in seconds; `None` without that stamp.
    pub time_to_commander: Option<i64>,
    /// Entries of its communications log.
    pub updates: usize,
    pub review: ReviewState,
}

/// Where a major incident's post-incident review stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReviewState {
    /// Held.
    Done { at: Timestamp },
    /// Not held yet, and not due yet.
    Due { by: Timestamp },
    /// Not held, and past its due date.
    Overdue { since: Timestamp },
    /// The incident is not resolved: no review is due yet.
    NotYet,
}

/// The major incidents open in `period`, oldest first.
pub(crate) fn major_incidents(
    records: &[&Record],
    config: &Config,
    period: &Period,
) -> Vec<MajorIncident> {
    let due_days = i64::from(config.major_incident.review_due_days);
    let mut out: Vec<MajorIncident> = records
        .iter()
        .filter_map(|r| match r {
            Record::Incident(inc) if crate::priority::is_major(inc, config) => Some(inc),
            _ => None,
        })
        .filter(|inc| {
            inc.created_at < period.until && inc.resolved_at.is_none_or(|r| r >= period.since)
        })
        .map(|inc| {
            let local = |t: Timestamp| period.local(t.to_utc());
            let review = match (&inc.review, inc.resolved_at) {
                (Some(review), _) => ReviewState::Done {
                    at: local(review.at),
                },
                (None, Some(resolved)) => {
                    let by = resolved + chrono::Duration::days(due_days);
                    if period.as_of > by {
                        ReviewState::Overdue { since: local(by) }
                    } else {
                        ReviewState::Due { by: local(by) }
                    }
                }
                (None, None) => ReviewState::NotYet,
            };
            MajorIncident {
                id: inc.id.clone(),
                title: inc.title.clone(),
                status: inc.status.clone(),
                priority: crate::priority::of_incident(inc, config).name().to_owned(),
                commander: inc.commander.clone(),
                opened: local(inc.created_at),
                resolved_at: inc.resolved_at.map(local),
                duration: inc.resolved_at.map(|r| (r - inc.created_at).num_seconds()),
                time_to_commander: inc.commander_at.map(|c| (c - inc.created_at).num_seconds()),
                updates: inc.updates.len(),
                review,
            }
        })
        .collect();
    out.sort_by(|a, b| (a.opened, &a.id).cmp(&(b.opened, &b.id)));
    out
}

/// The problem candidates ([`crate::problem_candidates`]) with an
/// incident opened in the period.
pub(crate) fn candidates(records: &[&Record], config: &Config, period: &Period) -> Vec<Candidate> {
    crate::problem_candidates::candidates(records.iter().copied(), config)
        .into_iter()
        .filter(|c| c.last >= period.since && c.first < period.until)
        .map(|c| Candidate {
            first: period.local(c.first.to_utc()),
            last: period.local(c.last.to_utc()),
            ..c
        })
        .collect()
}
