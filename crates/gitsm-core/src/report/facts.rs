//! What the report needs of each ticket: when it was opened and when it
//! left the queue, its SLA clocks (decided or not), the times it took.
//! Each stamp is read from the record or, where the record lacks it, from
//! the commit that made the transition ([`super::stamps`]).
//!
//! Clocks are read at the end of the period ([`clock`]).

use std::collections::HashMap;

use rayon::prelude::*;

use crate::calendar::BusinessCalendar;
use crate::config::Config;
use crate::dataset::stamps::{Derived, StatusTrail, from_git, timeline};
use crate::history::trail::Transitions;
use crate::kind::Kind;
use crate::model::{
    Change, ChangeOutcome, ChangeType, Ci, Incident, Priority, Problem, Record, Timestamp,
};
use crate::sla::{
    ClockKind, ClockTarget, End, Phase, Policy, SlaError, Stamp, StampSource, Timeline,
};

use super::Inputs;
use super::clock::{self, Held, Instant, Outcome, Sample, Verdict};

/// A ticket as the report sees it.
pub(super) struct Ticket<'r> {
    pub record: &'r Record,
    /// The record's kind, kept here: passes over every ticket look at it,
    /// and reading it from each record would be a trip to memory apiece.
    kind: Kind,
    pub created: Instant,
    pub exit: Exit,
    /// It left the queue at a time neither the record nor history gives,
    /// and is counted as leaving at the latest time its record shows.
    pub exit_estimated: bool,
    /// Stamps taken from Git history for this ticket.
    pub derived: Vec<Derived>,
    /// The facts of its kind, each boxed at its own size: a ticket is moved
    /// as it is collected and streamed through in every pass over all
    /// tickets, and a change's facts are a fraction of an incident's.
    pub detail: Detail,
}

/// How a ticket left the queue.
pub(super) enum Exit {
    Open,
    /// Resolved, fulfilled or closed (`void: false`), or cancelled or
    /// rejected (`void: true`); `at` is `None` while neither the record nor
    /// history says when (a [`Ticket`] then holds an estimate).
    Closed {
        at: Option<Stamp>,
        void: bool,
    },
}

pub(super) enum Detail {
    Incident(Box<IncidentFacts>),
    Problem(Box<ProblemFacts>),
    Change(Box<ChangeFacts>),
    Request(Box<RequestFacts>),
}

pub(super) struct IncidentFacts {
    pub priority: Priority,
    pub response: Option<Verdict>,
    pub resolution: Option<Verdict>,
    pub mtta: Option<Sample>,
    pub mttr: Option<Sample>,
    /// The first time it was resolved.
    pub first_resolved: Option<Stamp>,
    /// When it went back to work after being resolved (from history).
    pub reopens: Vec<Stamp>,
    /// Resolved (or being worked) at support level 1.
    pub first_line: bool,
    /// Creation to the first escalation beyond level 1.
    pub escalation: Option<Sample>,
}

pub(super) struct ProblemFacts {
    pub priority: Option<Priority>,
    pub target: Outcome,
    pub known_error: bool,
    /// When it became a known error (from history).
    pub known_error_at: Option<Stamp>,
}

pub(super) struct ChangeFacts {
    pub change_type: ChangeType,
    pub outcome: Option<ChangeOutcome>,
    pub implemented: Option<Stamp>,
}

pub(super) struct RequestFacts {
    pub item: String,
    pub response: Option<Verdict>,
    pub fulfilment: Option<Verdict>,
    pub fulfilment_time: Option<Sample>,
}

impl Ticket<'_> {
    pub(super) fn kind(&self) -> Kind {
        self.kind
    }

    /// When it left the queue, if known.
    pub(super) fn closed_at(&self) -> Option<Instant> {
        match &self.exit {
            Exit::Closed { at: Some(s), .. } => Some(utc(s)),
            _ => None,
        }
    }

    pub(super) fn is_void(&self) -> bool {
        matches!(self.exit, Exit::Closed { void: true, .. })
    }

    /// Open at the end of a period ending (excluded) at `t`: created before
    /// `t` and not out of the queue before `t`, so that the backlog at the
    /// end is the backlog at the start plus those opened, less those
    /// closed.
    pub(super) fn open_at(&self, t: Instant) -> bool {
        self.created < t
            && match &self.exit {
                Exit::Open => true,
                Exit::Closed { at: Some(s), .. } => utc(s) >= t,
                Exit::Closed { at: None, .. } => false,
            }
    }
}

pub(super) fn utc(stamp: &Stamp) -> Instant {
    stamp.at.to_utc()
}

fn is_git(stamp: &Stamp) -> bool {
    matches!(stamp.source, StampSource::Git { .. })
}

/// What a ticket's computation shares with the others.
struct Env<'a> {
    config: &'a Config,
    policy: &'a Policy<'a>,
    /// Service class of each service CI, for `symptom_policy`.
    classes: HashMap<&'a str, u8>,
    transitions: Option<&'a Transitions>,
    as_of: Instant,
}

/// The facts of every ticket of `inputs`, computed in parallel, in input
/// order.
pub(super) fn tickets<'r>(
    inputs: &Inputs<'_, 'r>,
    cis: &[&'r Ci],
    policy: &Policy<'_>,
    as_of: Instant,
) -> Result<Vec<Ticket<'r>>, SlaError> {
    let classes = cis
        .iter()
        .filter_map(|ci| ci.service_class.map(|c| (ci.id.as_str(), c)))
        .collect();
    let env = Env {
        config: inputs.config,
        policy,
        classes,
        transitions: inputs.history.map(|h| &h.transitions),
        as_of,
    };
    // Each record's facts computed into its own slot, in parallel; then
    // gathered in record order, so the error reported (the first) does not
    // depend on the threads.
    let mut slots = Vec::new();
    inputs
        .records
        .par_iter()
        .map(|&r| ticket(&env, r))
        .collect_into_vec(&mut slots);
    slots.into_iter().filter_map(Result::transpose).collect()
}

fn ticket<'r>(env: &Env<'_>, record: &'r Record) -> Result<Option<Ticket<'r>>, SlaError> {
    let Some(created) = record.created_at() else {
        return Ok(None);
    };
    let trail = StatusTrail(
        env.transitions
            .and_then(|t| t.get(record.id()))
            .map_or(&[], Vec::as_slice),
    );
    let mut derived = Vec::new();
    let (exit, detail) = match record {
        Record::Incident(inc) => incident(env, record, inc, &trail, &mut derived)?,
        Record::Request(req) => {
            let (exit, facts) = request(env, record, &req.catalog_item, &trail, &mut derived)?;
            (exit, Detail::Request(Box::new(facts)))
        }
        Record::Problem(p) => problem(env, record, p, &trail, &mut derived),
        Record::Change(c) => change(record, c, &trail, &mut derived),
        Record::Ci(_) | Record::Article(_) => return Ok(None),
    };
    // Closed at an unknown time: at the latest the record shows, so that
    // it is opened, closed and open in the monthly series consistently.
    let (exit, exit_estimated) = match exit {
        Exit::Closed { at: None, void } => (
            Exit::Closed {
                at: Some(Stamp::record(latest_stamp(record))),
                void,
            },
            true,
        ),
        exit => (exit, false),
    };
    Ok(Some(Ticket {
        record,
        kind: record.kind(),
        created: created.to_utc(),
        exit,
        exit_estimated,
        derived,
        detail,
    }))
}

fn incident(
    env: &Env<'_>,
    record: &Record,
    inc: &Incident,
    trail: &StatusTrail<'_>,
    derived: &mut Vec<Derived>,
) -> Result<(Exit, Detail), SlaError> {
    let phase = Phase::of(record).unwrap_or(Phase::Open);
    let priority = crate::priority::of(record, env.config).unwrap_or(Priority::P4);
    let priority_calendar = env.config.sla.target(priority).calendar.as_deref();
    let first_line = inc
        .support_level
        .or_else(|| inc.escalations.last().map(|e| e.to_level))
        .unwrap_or(1)
        == 1;
    let mut facts = IncidentFacts {
        priority,
        response: None,
        resolution: None,
        mtta: None,
        mttr: None,
        first_resolved: None,
        reopens: Vec::new(),
        first_line,
        escalation: None,
    };
    if phase == Phase::Void {
        return Ok((void_exit(trail, derived), Detail::Incident(Box::new(facts))));
    }
    let tl = timeline(record, trail, "resolved", derived);
    let exit = clock_exit(phase, &tl, trail, derived);
    let held = tl.held();
    let created = tl.created.at.to_utc();
    let resolved = match &tl.resolved {
        End::At(s) => Some(s),
        _ => None,
    };
    let acknowledged = tl.acknowledged.as_ref().or(resolved);
    let reopened_from_git = tl.pauses.iter().any(|p| p.source != StampSource::Record);
    let class = inc
        .service
        .as_deref()
        .and_then(|s| env.classes.get(s).copied());
    if let Some([response, resolution]) = env.policy.targets(record, class) {
        facts.response = Some(verdict(
            env,
            ClockKind::Response,
            response,
            created,
            acknowledged,
            &held,
            acknowledged.is_some_and(is_git),
        )?);
        if tl.resolved != End::Unknown {
            facts.resolution = Some(verdict(
                env,
                ClockKind::Resolution,
                resolution,
                created,
                resolved,
                &held,
                resolved.is_some_and(is_git) || reopened_from_git,
            )?);
        }
    }
    let calendar = env.policy.calendar(priority_calendar)?;
    facts.mtta = sample(
        calendar,
        priority_calendar,
        facts.response.as_ref(),
        created,
        acknowledged,
        &held,
        env.as_of,
    );
    facts.mttr = sample(
        calendar,
        priority_calendar,
        facts.resolution.as_ref(),
        created,
        resolved,
        &held,
        env.as_of,
    )
    .map(|s| Sample {
        from_git: s.from_git || reopened_from_git,
        ..s
    });
    facts.escalation = inc
        .escalations
        .iter()
        .find(|e| e.to_level > 1)
        .map(|e| Sample {
            at: e.at.to_utc(),
            value: clock::measure(calendar, created, e.at.to_utc(), &held),
            from_git: false,
        });
    facts.reopens = trail
        .reopens()
        .into_iter()
        .map(|(_, t)| Stamp {
            at: t.at,
            source: StampSource::Git {
                commit: t.commit.to_string(),
            },
        })
        .collect();
    // After a reopen the record holds the last resolution; the first is in
    // history (at the latest, when the record was added already resolved).
    facts.first_resolved = if facts.reopens.is_empty() {
        resolved.cloned()
    } else {
        trail.0.iter().find(|t| t.to == "resolved").map(|t| Stamp {
            at: t.at,
            source: StampSource::Git {
                commit: t.commit.to_string(),
            },
        })
    };
    Ok((exit, Detail::Incident(Box::new(facts))))
}

fn request(
    env: &Env<'_>,
    record: &Record,
    item: &str,
    trail: &StatusTrail<'_>,
    derived: &mut Vec<Derived>,
) -> Result<(Exit, RequestFacts), SlaError> {
    let phase = Phase::of(record).unwrap_or(Phase::Open);
    let mut facts = RequestFacts {
        item: item.to_owned(),
        response: None,
        fulfilment: None,
        fulfilment_time: None,
    };
    if phase == Phase::Void {
        return Ok((void_exit(trail, derived), facts));
    }
    let tl = timeline(record, trail, "fulfilled", derived);
    let exit = clock_exit(phase, &tl, trail, derived);
    let held = tl.held();
    let created = tl.created.at.to_utc();
    let fulfilled = match &tl.resolved {
        End::At(s) => Some(s),
        _ => None,
    };
    let acknowledged = tl.acknowledged.as_ref().or(fulfilled);
    let reopened_from_git = tl.pauses.iter().any(|p| p.source != StampSource::Record);
    if let Some([response, fulfilment]) = env.policy.targets(record, None) {
        let calendar_name = fulfilment.calendar.clone();
        facts.response = Some(verdict(
            env,
            ClockKind::Response,
            response,
            created,
            acknowledged,
            &held,
            acknowledged.is_some_and(is_git),
        )?);
        if tl.resolved != End::Unknown {
            facts.fulfilment = Some(verdict(
                env,
                ClockKind::Resolution,
                fulfilment,
                created,
                fulfilled,
                &held,
                fulfilled.is_some_and(is_git) || reopened_from_git,
            )?);
        }
        let calendar = env.policy.calendar(calendar_name.as_deref())?;
        facts.fulfilment_time = sample(
            calendar,
            calendar_name.as_deref(),
            facts.fulfilment.as_ref(),
            created,
            fulfilled,
            &held,
            env.as_of,
        );
    }
    Ok((exit, facts))
}

fn problem(
    env: &Env<'_>,
    record: &Record,
    p: &Problem,
    trail: &StatusTrail<'_>,
    derived: &mut Vec<Derived>,
) -> (Exit, Detail) {
    let exit = match Phase::of_ticket(record).unwrap_or(Phase::Open) {
        Phase::Done => {
            let at = match p.resolved_at.or(p.closed_at) {
                Some(at) => Some(Stamp::record(at)),
                None => trail
                    .last_into(&["resolved", "closed"])
                    .map(|t| from_git(t, "resolved", derived)),
            };
            Exit::Closed { at, void: false }
        }
        Phase::Void => void(trail, derived),
        Phase::Open => Exit::Open,
    };
    let priority = crate::priority::of(record, env.config);
    let created = p.created_at.to_utc();
    let due = created + env.config.problem_targets.days(priority).to_chrono();
    let target = match &exit {
        Exit::Closed { void: true, .. } => Outcome::Pending,
        Exit::Closed { at: Some(s), .. } if utc(s) <= env.as_of => {
            let at = utc(s);
            if at <= due {
                Outcome::Met {
                    at,
                    elapsed: at - created,
                }
            } else {
                Outcome::Missed {
                    due,
                    stopped: Some((at, at - created)),
                }
            }
        }
        Exit::Closed { at: None, .. } => Outcome::Pending,
        _ if due < env.as_of => Outcome::Missed { due, stopped: None },
        _ => Outcome::Pending,
    };
    let known_error_at = p
        .known_error
        .then(|| trail.first_into(&["known_error"]))
        .flatten()
        .map(|t| from_git(t, "known_error", derived));
    let facts = ProblemFacts {
        priority,
        target,
        known_error: p.known_error,
        known_error_at,
    };
    (exit, Detail::Problem(Box::new(facts)))
}

/// A problem or change cancelled (or rejected): it left the queue when it
/// went there, as Git tells.
fn void(trail: &StatusTrail<'_>, derived: &mut Vec<Derived>) -> Exit {
    Exit::Closed {
        at: trail
            .last_into(&["cancelled", "rejected"])
            .map(|t| from_git(t, "cancelled", derived)),
        void: true,
    }
}

fn change(
    record: &Record,
    c: &Change,
    trail: &StatusTrail<'_>,
    derived: &mut Vec<Derived>,
) -> (Exit, Detail) {
    let exit = match Phase::of_ticket(record).unwrap_or(Phase::Open) {
        Phase::Done => Exit::Closed {
            at: match c.closed_at {
                Some(at) => Some(Stamp::record(at)),
                None => trail
                    .last_into(&["closed"])
                    .map(|t| from_git(t, "closed", derived)),
            },
            void: false,
        },
        Phase::Void => void(trail, derived),
        Phase::Open => Exit::Open,
    };
    // Implemented: as recorded; else when it went to review (or straight
    // to closed from implement); else, with an outcome, when it closed.
    let implemented = match c.implemented_at {
        Some(at) => Some(Stamp::record(at)),
        None => trail
            .first_into(&["review"])
            .or_else(|| {
                trail
                    .changes()
                    .find(|t| t.to == "closed" && t.from.as_deref() == Some("implement"))
            })
            .map(|t| from_git(t, "implemented", derived))
            .or_else(|| c.outcome.and(c.closed_at).map(Stamp::record)),
    };
    let facts = ChangeFacts {
        change_type: c.change_type,
        outcome: c.outcome,
        implemented,
    };
    (exit, Detail::Change(Box::new(facts)))
}

/// A clock against its target at the end of the period.
fn verdict(
    env: &Env<'_>,
    clock: ClockKind,
    target: ClockTarget,
    created: Instant,
    stop: Option<&Stamp>,
    held: &Held,
    from_git: bool,
) -> Result<Verdict, SlaError> {
    let calendar = env.policy.calendar(target.calendar.as_deref())?;
    let outcome = clock::judge(
        calendar,
        target.duration.to_chrono(),
        created,
        stop.map(utc),
        held,
        env.as_of,
    );
    Ok(Verdict {
        clock,
        target,
        outcome,
        from_git,
    })
}

/// The time a stopped clock took on `calendar` (named `name`): the
/// verdict's own measure when it ran on that calendar.
fn sample(
    calendar: &BusinessCalendar,
    name: Option<&str>,
    verdict: Option<&Verdict>,
    created: Instant,
    stop: Option<&Stamp>,
    held: &Held,
    as_of: Instant,
) -> Option<Sample> {
    let stamp = stop?;
    let at = utc(stamp);
    if at > as_of {
        return None;
    }
    let own = verdict
        .filter(|v| v.target.calendar.as_deref() == name)
        .and_then(|v| match v.outcome {
            Outcome::Met { elapsed, .. } => Some(elapsed),
            Outcome::Missed {
                stopped: Some((_, elapsed)),
                ..
            } => Some(elapsed),
            _ => None,
        });
    Some(Sample {
        at,
        value: own.unwrap_or_else(|| clock::measure(calendar, created, at, held)),
        from_git: is_git(stamp),
    })
}

/// How a ticket with a clock left the queue: resolved (fulfilled) when
/// its timeline says, cancelled or rejected when history says.
pub(super) fn clock_exit(
    phase: Phase,
    tl: &Timeline,
    trail: &StatusTrail<'_>,
    derived: &mut Vec<Derived>,
) -> Exit {
    match phase {
        Phase::Open => Exit::Open,
        Phase::Done => Exit::Closed {
            at: match &tl.resolved {
                End::At(s) => Some(s.clone()),
                _ => None,
            },
            void: false,
        },
        Phase::Void => void_exit(trail, derived),
    }
}

/// Cancelled or rejected: when, only history says.
pub(super) fn void_exit(trail: &StatusTrail<'_>, derived: &mut Vec<Derived>) -> Exit {
    Exit::Closed {
        at: trail
            .last_into(&["cancelled", "rejected"])
            .map(|t| from_git(t, "cancelled", derived)),
        void: true,
    }
}

/// The latest time a ticket's record shows: its creation, notes and the
/// stamps of its kind.
pub(super) fn latest_stamp(record: &Record) -> Timestamp {
    let mut stamps: Vec<Timestamp> = record.notes().iter().map(|n| n.at).collect();
    stamps.extend(record.created_at());
    match record {
        Record::Incident(r) => {
            stamps.extend(
                [r.acknowledged_at, r.resolved_at, r.closed_at]
                    .into_iter()
                    .flatten(),
            );
            stamps.extend(r.escalations.iter().map(|e| e.at));
            stamps.extend(
                r.on_hold
                    .iter()
                    .flat_map(|h| [Some(h.start), h.end])
                    .flatten(),
            );
        }
        Record::Request(r) => {
            stamps.extend(
                [r.acknowledged_at, r.fulfilled_at, r.closed_at]
                    .into_iter()
                    .flatten(),
            );
            stamps.extend(r.approvals.iter().map(|a| a.at));
        }
        Record::Problem(r) => stamps.extend([r.resolved_at, r.closed_at].into_iter().flatten()),
        Record::Change(r) => {
            stamps.extend([r.implemented_at, r.closed_at].into_iter().flatten());
            stamps.extend(r.approvals.iter().map(|a| a.at));
        }
        Record::Ci(_) | Record::Article(_) => {}
    }
    stamps.into_iter().max().unwrap_or_default()
}
