//! A ticket's timeline: the stamps that start, stop and pause its clocks,
//! each saying where it was read from (the record, or the commit that made
//! the transition), and the phase the ticket is in at an instant.

use crate::model::{Record, Timestamp};

/// Where a stamp was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StampSource {
    /// A field of the record.
    Record,
    /// The commit that made the transition, for a stamp the record lacks.
    Git { commit: String },
}

/// A moment that starts or stops a clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub at: Timestamp,
    pub source: StampSource,
}

impl Stamp {
    pub fn record(at: Timestamp) -> Stamp {
        Stamp {
            at,
            source: StampSource::Record,
        }
    }
}

/// A period in which the clocks stand still; `end` is empty while it lasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pause {
    pub start: Timestamp,
    pub end: Option<Timestamp>,
    pub source: StampSource,
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
            Record::Ci(_) | Record::Article(_) => return None,
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
    /// Its pauses as the clocks read them: `(start, end)` in UTC, `None`
    /// while one lasts.
    pub fn held(
        &self,
    ) -> Vec<(
        chrono::DateTime<chrono::Utc>,
        Option<chrono::DateTime<chrono::Utc>>,
    )> {
        self.pauses
            .iter()
            .map(|p| (p.start.to_utc(), p.end.map(|e| e.to_utc())))
            .collect()
    }

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
                        source: StampSource::Record,
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
