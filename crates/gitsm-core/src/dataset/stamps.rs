//! The stamps a ticket's record lacks, taken from Git history: from the
//! commits that changed its status ([`StatusTrail`]), each noted as [`Derived`]
//! so the report can say which figures came from history, and the clocks
//! of a ticket whose timeline is completed so ([`clocks`]).

use std::collections::HashMap;

use crate::history::trail::{self, Transition};
use crate::model::{Record, Timestamp};
use crate::sla::{End, Pause, Policy, SlaError, Stamp, StampSource, TicketClocks, Timeline};

/// A stamp taken from history: what it stands for, when, which commit.
pub struct Derived {
    pub field: &'static str,
    pub at: Timestamp,
    pub commit: String,
}

/// A record's status transitions, oldest first.
pub struct StatusTrail<'a>(pub &'a [Transition]);

impl<'a> StatusTrail<'a> {
    /// Commits that changed the status. The commit that added a record
    /// already in a state (an import, say) says when the record reached the
    /// repository, not when it reached that state: no stamp is taken from it.
    pub fn changes(&self) -> impl DoubleEndedIterator<Item = &'a Transition> + use<'a> {
        self.0.iter().filter(|t| t.from.is_some())
    }

    pub fn last_into(&self, states: &[&str]) -> Option<&'a Transition> {
        self.changes()
            .rev()
            .find(|t| states.contains(&t.to.as_str()))
    }

    pub fn first_into(&self, states: &[&str]) -> Option<&'a Transition> {
        self.changes().find(|t| states.contains(&t.to.as_str()))
    }

    /// The commit that first moved the ticket out of `new` to work on it.
    pub fn taken_up(&self) -> Option<&'a Transition> {
        self.0.iter().find(|t| {
            t.from.as_deref() == Some("new") && !matches!(t.to.as_str(), "cancelled" | "rejected")
        })
    }

    /// Each reopen, with the transition that had resolved the ticket.
    pub fn reopens(&self) -> Vec<(Option<&'a Transition>, &'a Transition)> {
        let mut done = None;
        let mut out = Vec::new();
        for t in self.0 {
            if trail::is_reopen(t.from.as_deref(), &t.to) {
                out.push((done, t));
            } else if matches!(t.to.as_str(), "resolved" | "fulfilled") {
                done = Some(t);
            }
        }
        out
    }
}

/// Take a stamp from a transition, noting it as derived.
pub fn from_git(t: &Transition, field: &'static str, derived: &mut Vec<Derived>) -> Stamp {
    derived.push(Derived {
        field,
        at: t.at,
        commit: t.commit.to_string(),
    });
    Stamp {
        at: t.at,
        source: StampSource::Git {
            commit: t.commit.to_string(),
        },
    }
}

/// A ticket's clocks at `at`: its timeline completed from its status
/// `transitions` in Git history (a clock that took a stamp from there says
/// so: `from: git` with the commit), under `policy`, with the service
/// class of the service it is for. The one way `sla`, `show`, `list`,
/// `mine` and the site read a ticket's clocks; the report judges the same
/// completed timeline with `report::clock`, held to the same verdict by a
/// property test (`sla::tests`).
pub fn clocks(
    policy: &Policy<'_>,
    classes: &HashMap<&str, u8>,
    record: &Record,
    transitions: &[Transition],
    at: Timestamp,
) -> Result<Option<TicketClocks>, SlaError> {
    if Timeline::from_record(record).is_none() {
        return Ok(None);
    }
    let done = match record {
        Record::Request(_) => "fulfilled",
        _ => "resolved",
    };
    let timeline = timeline(record, &StatusTrail(transitions), done, &mut Vec::new());
    policy.clocks(record, &timeline, service_class(classes, record), at)
}

/// The service class of the service an incident is for (the only class
/// its clocks read).
pub fn service_class(classes: &HashMap<&str, u8>, record: &Record) -> Option<u8> {
    match record {
        Record::Incident(r) => r.service.as_deref().and_then(|s| classes.get(s).copied()),
        _ => None,
    }
}

/// The service class of each business service, by CI id.
pub fn service_classes<'r>(records: impl IntoIterator<Item = &'r Record>) -> HashMap<&'r str, u8> {
    records
        .into_iter()
        .filter_map(|r| match r {
            Record::Ci(ci) => ci.service_class.map(|c| (ci.id.as_str(), c)),
            _ => None,
        })
        .collect()
}

/// The record's own timeline, completed from history: an acknowledgement
/// it lacks (the commit that took it out of `new`), a resolution it lacks,
/// and the time it sat resolved before each reopen (a pause).
pub fn timeline(
    record: &Record,
    trail: &StatusTrail<'_>,
    done: &'static str,
    derived: &mut Vec<Derived>,
) -> Timeline {
    let created = record.created_at().unwrap_or_default();
    let mut tl = Timeline::from_record(record).unwrap_or(Timeline {
        created: Stamp::record(created),
        acknowledged: None,
        resolved: End::Open,
        pauses: Vec::new(),
    });
    if tl.acknowledged.is_none()
        && let Some(t) = trail.taken_up()
    {
        tl.acknowledged = Some(from_git(t, "acknowledged", derived));
    }
    if tl.resolved == End::Unknown
        && let Some(t) = trail.last_into(&[done, "closed"])
    {
        tl.resolved = End::At(from_git(t, done, derived));
    }
    for (resolved, reopened) in trail.reopens() {
        if let Some(resolved) = resolved {
            let stamp = from_git(reopened, "reopened", derived);
            tl.pauses.push(Pause {
                start: resolved.at,
                end: Some(reopened.at),
                source: stamp.source,
            });
        }
    }
    tl
}
