//! Incident KPIs: response and resolution times, SLA compliance and
//! breaches, reopens, first-line resolution, escalation, top services
//! and CIs.

use std::cmp::Reverse;

use crate::kind::Kind;
use crate::model::{Priority, Record};
use crate::report::clock::Sample;
use crate::report::facts::{Detail, IncidentFacts, Ticket, utc};
use crate::report::{
    Breaches, Compliance, Incidents, PriorityCompliance, PriorityTimes, Ratio, Reopened, Reopens,
    Stats, Top,
};

use super::{Context, IdMap, TOP, breaches, compliance, stats, total};

pub(crate) fn incidents<'r>(ctx: &Context<'_, 'r>) -> Incidents<'r> {
    // The breaches, a large share of the work, are found beside the rest.
    let (breaches, incidents) = rayon::join(
        || {
            breaches(ctx, Kind::Incident, |t| match &t.detail {
                Detail::Incident(f) => Some((f.priority.name(), [&f.response, &f.resolution])),
                _ => None,
            })
        },
        || figures(ctx),
    );
    Incidents {
        breaches,
        ..incidents
    }
}

/// Every figure but the breaches: the clocks per priority, the reopens
/// and resolutions, and the top services and CIs.
fn figures<'r>(ctx: &Context<'_, 'r>) -> Incidents<'r> {
    let (times, sla) = clocks(ctx);
    let (reopens, first_line, escalation) = resolutions(ctx);
    let (top_services, top_cis) = tops(ctx);
    Incidents {
        times,
        sla,
        breaches: Breaches {
            listed: Vec::new(),
            count: 0,
        },
        reopens,
        first_line,
        escalation,
        top_services,
        top_cis,
    }
}

/// Response and resolution times, and SLA compliance, per priority.
fn clocks(ctx: &Context<'_, '_>) -> (Vec<PriorityTimes>, Vec<PriorityCompliance>) {
    let by_priority = ctx.incidents_by_priority();
    let times = Priority::ALL
        .iter()
        .zip(&by_priority)
        .map(|(&p, of)| {
            let (mtta, mttr) = times(ctx, of.iter().copied());
            PriorityTimes {
                priority: p.name().to_owned(),
                calendar: ctx.config.sla.target(p).calendar.clone(),
                mtta,
                mttr,
            }
        })
        .collect();
    let row = |key: &str, of: &[(&Ticket<'_>, &IncidentFacts)]| {
        let (response, resolution) = sla(ctx, of.iter().copied());
        PriorityCompliance {
            priority: key.to_owned(),
            response,
            resolution,
        }
    };
    let mut sla: Vec<PriorityCompliance> = Priority::ALL
        .iter()
        .zip(&by_priority)
        .map(|(p, of)| row(p.name(), of))
        .collect();
    // Every incident is of one priority: all of them are the rows' sum.
    let all = PriorityCompliance {
        priority: "all".to_owned(),
        response: total(sla.iter().map(|r| &r.response)),
        resolution: total(sla.iter().map(|r| &r.resolution)),
    };
    sla.push(all);
    (times, sla)
}

/// MTTA of the incidents acknowledged in the period and MTTR of those
/// resolved in it, among `of`: per priority, and per team or assignee.
pub(super) fn times<'t, 'r: 't>(
    ctx: &Context<'_, '_>,
    of: impl Iterator<Item = (&'t Ticket<'r>, &'t IncidentFacts)> + Clone,
) -> (Stats, Stats) {
    let in_period = |s: &&Sample| ctx.period.contains(s.at);
    (
        stats(
            of.clone()
                .filter_map(|(_, f)| f.mtta.as_ref())
                .filter(in_period),
        ),
        stats(of.filter_map(|(_, f)| f.mttr.as_ref()).filter(in_period)),
    )
}

/// Response and resolution clocks among `of` decided in the period.
pub(super) fn sla<'t, 'r: 't>(
    ctx: &Context<'_, '_>,
    of: impl Iterator<Item = (&'t Ticket<'r>, &'t IncidentFacts)> + Clone,
) -> (Compliance, Compliance) {
    let (since, until) = (ctx.period.since, ctx.period.until);
    (
        compliance(
            of.clone().filter_map(|(_, f)| f.response.as_ref()),
            since,
            until,
        ),
        compliance(of.filter_map(|(_, f)| f.resolution.as_ref()), since, until),
    )
}

/// Reopens of incidents first resolved in the period, the first-line
/// share of those resolved, and the time to the first escalation.
pub(super) fn resolutions(ctx: &Context<'_, '_>) -> (Reopens, Ratio, Stats) {
    let until = ctx.period.until;
    let resolved_first: Vec<_> = ctx
        .incidents()
        .filter(|(t, f)| {
            !t.is_void()
                && f.first_resolved
                    .as_ref()
                    .is_some_and(|s| ctx.period.contains(utc(s)))
        })
        .collect();
    let mut reopened_tickets: Vec<Reopened> = resolved_first
        .iter()
        .filter_map(|(t, f)| {
            let times: Vec<_> = f
                .reopens
                .iter()
                .map(utc)
                .filter(|&at| at < until)
                .map(|at| ctx.period.local(at))
                .collect();
            (!times.is_empty()).then(|| Reopened {
                id: t.record.id().to_owned(),
                title: t.record.title().to_owned(),
                reopened_at: times,
            })
        })
        .collect();
    reopened_tickets.sort_by(|a, b| a.id.cmp(&b.id));
    let reopened = ctx.history.then_some(reopened_tickets.len());
    let resolved: Vec<_> = ctx.incidents().filter(|(t, _)| ctx.done_in(t)).collect();
    let reopens = Reopens {
        resolved: resolved_first.len(),
        reopened,
        rate: reopened.map(|n| Ratio::new(n, resolved_first.len())),
        tickets: reopened_tickets,
    };
    let first_line = Ratio::new(
        resolved.iter().filter(|(_, f)| f.first_line).count(),
        resolved.len(),
    );
    let escalation = stats(
        ctx.incidents()
            .filter_map(|(_, f)| f.escalation.as_ref())
            .filter(|s| ctx.period.contains(s.at)),
    );
    (reopens, first_line, escalation)
}

/// The services and the CIs most named by incidents opened in the period.
fn tops(ctx: &Context<'_, '_>) -> (Vec<Top>, Vec<Top>) {
    let opened = || {
        ctx.incidents().filter_map(|(t, _)| match t.record {
            Record::Incident(i) if ctx.opened_in(t) => Some(i),
            _ => None,
        })
    };
    (
        top(ctx, opened().filter_map(|i| i.service.as_deref())),
        top(
            ctx,
            opened().flat_map(|i| i.affected_cis.iter().map(String::as_str)),
        ),
    )
}

/// The ids named most often, with their CI names; top 10.
fn top<'a>(ctx: &Context<'_, '_>, ids: impl Iterator<Item = &'a str>) -> Vec<Top> {
    let mut counted: IdMap<&str, usize> = IdMap::default();
    for id in ids {
        *counted.entry(id).or_insert(0) += 1;
    }
    let mut v: Vec<(&str, usize)> = counted.into_iter().collect();
    v.sort_by(|a, b| (Reverse(a.1), a.0).cmp(&(Reverse(b.1), b.0)));
    v.truncate(TOP);
    let names: IdMap<&str, &str> = ctx
        .cis
        .iter()
        .map(|ci| (ci.id.as_str(), ci.name.as_str()))
        .collect();
    v.into_iter()
        .map(|(id, n)| Top {
            id: id.to_owned(),
            name: names.get(id).map(|s| (*s).to_owned()),
            incidents: n,
        })
        .collect()
}
