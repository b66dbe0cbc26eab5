//! The KPIs of a period, aggregated from the tickets' facts: volumes and
//! backlog here, each kind's own in its module. Every list is sorted, so
//! the same facts always give the same report.

mod changes;
mod incidents;
mod problems;
mod requests;
mod satisfaction;
mod teams;

pub(super) use changes::changes;
pub(super) use incidents::incidents;
pub(super) use problems::problems;
pub(super) use requests::requests;
pub(super) use satisfaction::satisfaction;
pub use satisfaction::{LOW, SATISFIED};
pub(super) use teams::{desk, teams};

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::BTreeMap;

use chrono::Duration;
use rayon::prelude::*;

use crate::config::Config;
use crate::kind::Kind;
use crate::model::{Ci, Priority, Record};
use crate::sla::{Basis, ClockKind};

use super::clock::{Instant, Outcome, Sample, Verdict};
use super::facts::{Detail, IncidentFacts, Ticket};
use super::{
    AGING_BUCKETS, Backlog, BacklogRow, Breach, Breaches, Compliance, Count, DerivedStamp,
    HistoryInfo, Oldest, Period, Stats, Volumes,
};

/// The key of a ticket without the field grouped by (no team, assignee,
/// service or category): one for every breakdown, so that they agree.
pub const UNASSIGNED: &str = "(none)";

/// Counts and lists keyed by record ids and names, hashed with foldhash:
/// the ids are the repository's own, not a server's untrusted input, and
/// the incident sections look up some 100,000 of them.
pub(super) type IdMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// The ticket kinds, in report order.
pub(super) const TICKET_KINDS: [Kind; 4] =
    [Kind::Incident, Kind::Problem, Kind::Change, Kind::Request];

/// Rows of a "top" list.
pub(super) const TOP: usize = 10;

/// What the sections are computed from: `'r` is the records' lifetime,
/// which text in the report borrows.
pub(super) struct Context<'a, 'r> {
    pub config: &'r Config,
    /// The configuration items among the records.
    pub cis: &'a [&'r Ci],
    pub tickets: &'a [Ticket<'r>],
    pub period: &'a Period,
    /// Whether Git history was read.
    pub history: bool,
    /// How many breaches of each list to keep ([`super::build`]).
    pub listed: Option<usize>,
}

impl<'a, 'r> Context<'a, 'r> {
    /// The same context over some of its tickets (a team's, say): every
    /// figure computed from it is the whole report's, over those tickets.
    pub(super) fn over<'b>(&self, tickets: &'b [Ticket<'r>]) -> Context<'b, 'r>
    where
        'a: 'b,
    {
        Context {
            config: self.config,
            cis: self.cis,
            tickets,
            period: self.period,
            history: self.history,
            listed: self.listed,
        }
    }

    /// The instant backlogs are counted and clocks read at.
    fn as_of(&self) -> Instant {
        self.period.as_of
    }

    fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Ticket<'_>> + Clone {
        self.tickets.iter().filter(move |t| t.kind() == kind)
    }

    fn incidents(&self) -> impl Iterator<Item = (&Ticket<'_>, &IncidentFacts)> + Clone {
        // By the kind kept in the ticket first: no other ticket's facts are
        // fetched from memory.
        self.of_kind(Kind::Incident)
            .filter_map(|t| match &t.detail {
                Detail::Incident(f) => Some((t, &**f)),
                _ => None,
            })
    }

    /// The incidents of each priority, in the order of [`Priority::ALL`],
    /// gathered in one pass.
    fn incidents_by_priority(&self) -> [Vec<(&Ticket<'_>, &IncidentFacts)>; Priority::ALL.len()] {
        let mut by: [Vec<_>; Priority::ALL.len()] = Default::default();
        for (t, f) in self.incidents() {
            let slot = Priority::ALL.iter().position(|&p| p == f.priority);
            by[slot.unwrap_or(Priority::ALL.len() - 1)].push((t, f));
        }
        by
    }

    fn opened_in(&self, t: &Ticket<'_>) -> bool {
        self.period.contains(t.created)
    }

    fn closed_in(&self, t: &Ticket<'_>) -> bool {
        t.closed_at().is_some_and(|at| self.period.contains(at))
    }

    /// Resolved (fulfilled, closed: not cancelled) in the period.
    fn done_in(&self, t: &Ticket<'_>) -> bool {
        !t.is_void() && self.closed_in(t)
    }
}

pub(super) fn history_info(
    ctx: &Context<'_, '_>,
    history: Option<&crate::dataset::History>,
) -> HistoryInfo {
    let mut stamps: Vec<DerivedStamp> = ctx
        .tickets
        .iter()
        .flat_map(|t| {
            t.derived.iter().map(|d| DerivedStamp {
                id: t.record.id().to_owned(),
                field: d.field.to_owned(),
                at: ctx.period.local(d.at.to_utc()),
                commit: d.commit.clone(),
            })
        })
        .collect();
    stamps.sort_by(|a, b| (&a.id, &a.at, &a.field).cmp(&(&b.id, &b.at, &b.field)));
    let mut derived = BTreeMap::new();
    for s in &stamps {
        *derived.entry(s.field.clone()).or_insert(0) += 1;
    }
    HistoryInfo {
        available: history.is_some(),
        tip: history.map(|h| h.tip.clone()),
        shallow: history.is_some_and(|h| h.shallow),
        derived,
        stamps,
    }
}

/// Opened, closed and cancelled counts by a key; keys with nothing in the
/// period are left out.
pub(super) fn counts<'t, 'r: 't>(
    ctx: &Context<'_, '_>,
    tickets: impl Iterator<Item = &'t Ticket<'r>>,
    key: impl Fn(&'t Ticket<'r>) -> &'t str,
) -> BTreeMap<String, Count> {
    let mut out: IdMap<&str, Count> = IdMap::default();
    for t in tickets {
        let (opened, closed) = (ctx.opened_in(t), ctx.closed_in(t));
        if !opened && !closed {
            continue;
        }
        let k = key(t);
        let c = out.entry(k).or_insert_with(|| zero(k));
        c.opened += usize::from(opened);
        c.closed += usize::from(closed);
        c.cancelled += usize::from(closed && t.is_void());
    }
    out.into_values().map(|c| (c.key.clone(), c)).collect()
}

fn most_opened(map: BTreeMap<String, Count>) -> Vec<Count> {
    let mut v: Vec<Count> = map.into_values().collect();
    v.sort_by(|a, b| {
        (Reverse(a.opened), Reverse(a.closed), &a.key).cmp(&(
            Reverse(b.opened),
            Reverse(b.closed),
            &b.key,
        ))
    });
    v
}

fn zero(key: &str) -> Count {
    Count {
        key: key.to_owned(),
        opened: 0,
        closed: 0,
        cancelled: 0,
    }
}

fn incident_field<'r>(
    t: &Ticket<'r>,
    field: fn(&'r crate::model::Incident) -> Option<&'r str>,
) -> &'r str {
    match t.record {
        Record::Incident(i) => field(i).unwrap_or(UNASSIGNED),
        _ => "",
    }
}

pub(super) fn volumes(ctx: &Context<'_, '_>) -> Volumes {
    let mut by_kind = counts(ctx, ctx.tickets.iter(), |t| t.kind().name());
    let mut by_priority = counts(ctx, ctx.of_kind(Kind::Incident), |t| match &t.detail {
        Detail::Incident(f) => f.priority.name(),
        _ => "",
    });
    Volumes {
        by_kind: TICKET_KINDS
            .iter()
            .map(|k| by_kind.remove(k.name()).unwrap_or_else(|| zero(k.name())))
            .collect(),
        incidents_by_priority: Priority::ALL
            .iter()
            .map(|p| {
                by_priority
                    .remove(p.name())
                    .unwrap_or_else(|| zero(p.name()))
            })
            .collect(),
        incidents_by_service: most_opened(counts(ctx, ctx.of_kind(Kind::Incident), |t| {
            incident_field(t, |i| i.service.as_deref())
        })),
        incidents_by_category: most_opened(counts(ctx, ctx.of_kind(Kind::Incident), |t| {
            incident_field(t, |i| i.category.as_deref())
        })),
    }
}

pub(super) fn backlog_row<'t>(
    ctx: &Context<'_, '_>,
    key: &str,
    tickets: impl Iterator<Item = &'t Ticket<'t>>,
) -> BacklogRow {
    let until = ctx.as_of();
    let mut aging = vec![0; AGING_BUCKETS.len()];
    let mut open = 0;
    // The oldest, and of those as old the first by id: a record is read
    // for its id only on a tie (ages are in each ticket, ids in memory
    // elsewhere).
    let mut oldest: Option<(Duration, &Ticket<'_>)> = None;
    for t in tickets.filter(|t| t.open_at(until)) {
        open += 1;
        let age = until - t.created;
        let bucket = AGING_BUCKETS
            .iter()
            .position(|(days, _)| days.is_none_or(|d| age < Duration::days(d)))
            .unwrap_or(AGING_BUCKETS.len() - 1);
        aging[bucket] += 1;
        let older =
            oldest.is_none_or(|(a, o)| age > a || (age == a && t.record.id() < o.record.id()));
        if older {
            oldest = Some((age, t));
        }
    }
    BacklogRow {
        key: key.to_owned(),
        open,
        aging,
        oldest: oldest.map(|(age, t)| Oldest {
            id: t.record.id().to_owned(),
            age: age.num_seconds(),
        }),
    }
}

pub(super) fn backlog(ctx: &Context<'_, '_>) -> Backlog {
    Backlog {
        buckets: AGING_BUCKETS.iter().map(|(_, l)| (*l).to_owned()).collect(),
        by_kind: TICKET_KINDS
            .iter()
            .map(|&k| backlog_row(ctx, k.name(), ctx.of_kind(k)))
            .collect(),
        incidents_by_priority: Priority::ALL
            .iter()
            .zip(ctx.incidents_by_priority())
            .map(|(p, of)| backlog_row(ctx, p.name(), of.into_iter().map(|(t, _)| t)))
            .collect(),
    }
}

/// Mean and median of samples (seconds, rounded to the nearest).
pub(super) fn stats<'s>(samples: impl Iterator<Item = &'s Sample>) -> Stats {
    let mut secs = Vec::new();
    let mut from_git = 0;
    for s in samples {
        secs.push(s.value.num_seconds().max(0));
        from_git += usize::from(s.from_git);
    }
    secs.sort_unstable();
    let n = secs.len() as i128;
    let half = |sum: i128, n: i128| i64::try_from((2 * sum + n).div_euclid(2 * n)).unwrap_or(0);
    let mean = (n > 0).then(|| half(secs.iter().map(|&s| i128::from(s)).sum(), n));
    let median = (n > 0).then(|| {
        let mid = secs.len() / 2;
        if secs.len() % 2 == 1 {
            secs[mid]
        } else {
            half(i128::from(secs[mid - 1]) + i128::from(secs[mid]), 2)
        }
    });
    Stats {
        count: secs.len(),
        mean,
        median,
        from_git,
    }
}

/// Clocks decided in the period (or in `[from, to)`).
pub(super) fn compliance<'v>(
    verdicts: impl Iterator<Item = &'v Verdict>,
    from: Instant,
    to: Instant,
) -> Compliance {
    let mut c = Compliance::default();
    for v in verdicts {
        if let Some((at, met)) = v.outcome.decided()
            && from <= at
            && at < to
        {
            if met {
                c.met += 1;
            } else {
                c.missed += 1;
            }
            c.from_git += usize::from(v.from_git);
        }
    }
    c.percent = super::percent(c.met, c.met + c.missed);
    c
}

/// The clocks of several sets of tickets, none in two, as one: the sum
/// of their [`compliance`].
pub(super) fn total<'c>(parts: impl Iterator<Item = &'c Compliance>) -> Compliance {
    let mut c = Compliance::default();
    for part in parts {
        c.met += part.met;
        c.missed += part.missed;
        c.from_git += part.from_git;
    }
    c.percent = super::percent(c.met, c.met + c.missed);
    c
}

/// A clock of a ticket whose target ran out in the period.
struct Missed<'a, 'r> {
    due: Instant,
    /// The ticket's place in the input: the last tie-break, for when two
    /// files hold one id.
    index: usize,
    /// Which of the ticket's clocks.
    slot: usize,
    id: &'r str,
    clock: &'static str,
    /// Read while the ticket is at hand, not after the sort.
    kind: Kind,
    title: &'r str,
    group: &'r str,
    verdict: &'a Verdict,
}

impl<'r> Missed<'_, 'r> {
    fn breach(&self, ctx: &Context<'_, 'r>) -> Breach<'r> {
        let v = self.verdict;
        let stopped = match v.outcome {
            Outcome::Missed { stopped, .. } => stopped,
            _ => None,
        };
        Breach {
            id: self.id,
            kind: self.kind,
            title: self.title,
            group: self.group,
            clock: self.clock,
            state: if stopped.is_some() {
                "missed"
            } else {
                "breached"
            },
            target: v.target.duration,
            basis: match &v.target.basis {
                Basis::Priority(p) => Cow::Borrowed(match p {
                    Priority::P1 => "priority P1",
                    Priority::P2 => "priority P2",
                    Priority::P3 => "priority P3",
                    Priority::P4 => "priority P4",
                }),
                Basis::Catalog(item) => Cow::Owned(format!("catalog {item}")),
                Basis::Symptom {
                    symptom,
                    service_class,
                } => Cow::Owned(format!("symptom {symptom}, service class {service_class}")),
            },
            calendar: v.target.calendar.as_deref().map(|name| {
                match ctx.config.calendars.get_key_value(name) {
                    Some((name, _)) => Cow::Borrowed(name.as_str()),
                    None => Cow::Owned(name.to_owned()),
                }
            }),
            breached_at: ctx.period.local(self.due),
            stopped_at: stopped.map(|(at, _)| ctx.period.local(at)),
            elapsed: stopped.map(|(_, e)| e.num_seconds()),
            from_git: v.from_git,
        }
    }
}

/// A breach found: when its target ran out (the first of what breaches
/// are sorted by, taken once rather than from the ticket at each
/// comparison), and where: `2 * index + slot`, the place of its ticket in
/// the input and which of its clocks. As small as a place alone, so the
/// sorted list costs no more memory than one of places.
#[derive(Clone, Copy)]
struct Place {
    due: Instant,
    at: u32,
}

impl Place {
    fn index(self) -> usize {
        self.at as usize / 2
    }

    fn slot(self) -> usize {
        self.at as usize % 2
    }
}

/// The clocks of the tickets of `kind` that ran out in the period, in the
/// order they did: `clocks` picks a ticket's group (priority or catalogue
/// item, from its record) and clocks. Found, sorted and written out in
/// parallel (a large backlog can have a breach for every ticket); sorted
/// before they are written out, as small keys move faster than whole
/// breaches; only the first [`Context::listed`] are kept, sorted and
/// written out when fewer are wanted. When all are (JSON), they are found
/// as their [`Place`]s, sorted, and written out into a list of their
/// number: no breach is held twice. Ties go by input order, so the order
/// stays the same from run to run even if two files hold one id.
pub(super) fn breaches<'a, 'r>(
    ctx: &Context<'a, 'r>,
    kind: Kind,
    clocks: impl Fn(&'a Ticket<'r>) -> Option<(&'r str, [&'a Option<Verdict>; 2])> + Sync,
) -> Breaches<'r> {
    let tickets: &'a [Ticket<'r>] = ctx.tickets;
    // The clock in `slot` of the ticket at `index`, if it ran out in the
    // period.
    let missed = |index: usize, slot: usize| {
        let ticket = &tickets[index];
        let (group, verdicts) = clocks(ticket)?;
        let verdict = verdicts[slot].as_ref()?;
        let Outcome::Missed { due, .. } = verdict.outcome else {
            return None;
        };
        let clock = match (ticket.kind(), verdict.clock) {
            (Kind::Request, ClockKind::Resolution) => "fulfilment",
            (_, c) => c.name(),
        };
        ctx.period.contains(due).then(|| Missed {
            due,
            index,
            slot,
            id: ticket.record.id(),
            clock,
            kind: ticket.kind(),
            title: ticket.record.title(),
            group,
            verdict,
        })
    };
    // Those that did, with their place.
    let found = tickets
        .par_iter()
        .enumerate()
        // By the kind kept in the ticket first: no other ticket's facts are
        // fetched from memory.
        .filter(|(_, t)| t.kind() == kind)
        .flat_map_iter(|(index, _)| (0..2).filter_map(move |slot| missed(index, slot)));
    let order = |a: &Missed<'_, '_>, b: &Missed<'_, '_>| {
        (a.due, a.id, a.clock, a.index).cmp(&(b.due, b.id, b.clock, b.index))
    };
    // More tickets than places can name (more than any memory holds) are
    // listed as a list of all of them would be cut: the same order.
    let fits = u32::try_from(tickets.len().saturating_mul(2)).is_ok();
    let listed = ctx
        .listed
        .or((!fits).then_some(tickets.len().saturating_mul(2)));
    let Some(n) = listed else {
        let mut places: Vec<Place> = found
            .filter_map(|m| {
                let at = u32::try_from(2 * m.index + m.slot).ok()?;
                Some(Place { due: m.due, at })
            })
            .collect();
        // The rest of the order (id, clock, input order) is looked at
        // only between places whose targets ran out at the same time.
        let rest = |p: Place| missed(p.index(), p.slot()).map(|m| (m.id, m.clock, m.index));
        places.par_sort_unstable_by(|&a, &b| a.due.cmp(&b.due).then_with(|| rest(a).cmp(&rest(b))));
        let mut listed = Vec::with_capacity(places.len());
        listed.extend(
            places
                .iter()
                .filter_map(|p| missed(p.index(), p.slot()))
                .map(|m| m.breach(ctx)),
        );
        return Breaches {
            count: listed.len(),
            listed,
        };
    };
    // The first n of a list, found without sorting the others.
    let keep_first = |missed: &mut Vec<Missed<'a, 'r>>, n: usize| {
        if missed.len() > n {
            if n > 0 {
                missed.select_nth_unstable_by(n - 1, order);
            }
            missed.truncate(n);
        }
    };
    // Only the first n are kept: each thread keeps at most twice that
    // while it counts, so the others are never gathered. The order is
    // total (input order breaks ties), so which are first does not depend
    // on the threads.
    let (count, mut kept) = found
        .fold(
            || (0, Vec::new()),
            |(count, mut kept), m| {
                kept.push(m);
                if kept.len() > n.saturating_mul(2) {
                    keep_first(&mut kept, n);
                }
                (count + 1, kept)
            },
        )
        .reduce(
            || (0, Vec::new()),
            |(a, mut kept), (b, more)| {
                kept.extend(more);
                keep_first(&mut kept, n);
                (a + b, kept)
            },
        );
    keep_first(&mut kept, n);
    kept.par_sort_unstable_by(order);
    Breaches {
        listed: kept.par_iter().map(|m| m.breach(ctx)).collect(),
        count,
    }
}
