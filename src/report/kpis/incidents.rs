//! Incident KPIs: response and resolution times, SLA compliance and
//! breaches, reopens, first-line resolution, escalation, top services
//! and CIs.

use std::cmp::Reverse;
use std::collections::HashMap;

use crate::model::{Priority, Record};
use crate::report::clock::Sample;
use crate::report::facts::{Detail, IncidentFacts, Ticket, utc};
use crate::report::{
    Breaches, Incidents, PriorityCompliance, PriorityTimes, Ratio, Reopened, Reopens, Top,
};

use super::{Context, TOP, breaches, compliance, stats};

pub fn incidents<'r>(ctx: &Context<'_, 'r>) -> Incidents<'r> {
    // The breaches, a large share of the work, are found beside the rest.
    let (breaches, incidents) = rayon::join(
        || {
            breaches(ctx, |t| match &*t.detail {
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

/// Every figure but the breaches.
fn figures<'r>(ctx: &Context<'_, 'r>) -> Incidents<'r> {
    let (since, until) = (ctx.period.since, ctx.period.until);
    // Each priority's incidents, gathered in one pass.
    let mut by_priority: [Vec<(&Ticket<'_>, &IncidentFacts)>; 4] = Default::default();
    for (t, f) in ctx.incidents() {
        let slot = Priority::ALL.iter().position(|&p| p == f.priority);
        by_priority[slot.unwrap_or(3)].push((t, f));
    }
    let in_period = |s: &&Sample| ctx.period.contains(s.at);
    let times = Priority::ALL
        .iter()
        .zip(&by_priority)
        .map(|(&p, of)| PriorityTimes {
            priority: p.name().to_owned(),
            calendar: ctx.config.sla.target(p).calendar.clone(),
            mtta: stats(
                of.iter()
                    .filter_map(|(_, f)| f.mtta.as_ref())
                    .filter(in_period),
            ),
            mttr: stats(
                of.iter()
                    .filter_map(|(_, f)| f.mttr.as_ref())
                    .filter(in_period),
            ),
        })
        .collect();
    let row = |key: &str, of: &[(&Ticket<'_>, &IncidentFacts)]| PriorityCompliance {
        priority: key.to_owned(),
        response: compliance(
            of.iter().filter_map(|(_, f)| f.response.as_ref()),
            since,
            until,
        ),
        resolution: compliance(
            of.iter().filter_map(|(_, f)| f.resolution.as_ref()),
            since,
            until,
        ),
    };
    let mut sla: Vec<PriorityCompliance> = Priority::ALL
        .iter()
        .zip(&by_priority)
        .map(|(p, of)| row(p.name(), of))
        .collect();
    sla.push(row("all", &by_priority.concat()));
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
    Incidents {
        times,
        sla,
        breaches: Breaches {
            listed: Vec::new(),
            count: 0,
        },
        reopens: Reopens {
            resolved: resolved_first.len(),
            reopened,
            rate: reopened.map(|n| Ratio::new(n, resolved_first.len())),
            tickets: reopened_tickets,
        },
        first_line: Ratio::new(
            resolved.iter().filter(|(_, f)| f.first_line).count(),
            resolved.len(),
        ),
        escalation: stats(
            ctx.incidents()
                .filter_map(|(_, f)| f.escalation.as_ref())
                .filter(in_period),
        ),
        top_services: top(
            ctx,
            ctx.incidents()
                .filter(|(t, _)| ctx.opened_in(t))
                .filter_map(|(t, _)| match t.record {
                    Record::Incident(i) => i.service.as_deref(),
                    _ => None,
                }),
        ),
        top_cis: top(
            ctx,
            ctx.incidents()
                .filter(|(t, _)| ctx.opened_in(t))
                .flat_map(|(t, _)| match t.record {
                    Record::Incident(i) => i.affected_cis.as_slice(),
                    _ => &[],
                })
                .map(String::as_str),
        ),
    }
}

/// The ids named most often, with their CI names; top 10.
fn top<'a>(ctx: &Context<'_, '_>, ids: impl Iterator<Item = &'a str>) -> Vec<Top> {
    let mut counted: HashMap<&str, usize> = HashMap::new();
    for id in ids {
        *counted.entry(id).or_insert(0) += 1;
    }
    let mut v: Vec<(&str, usize)> = counted.into_iter().collect();
    v.sort_by(|a, b| (Reverse(a.1), a.0).cmp(&(Reverse(b.1), b.0)));
    v.truncate(TOP);
    let names: HashMap<&str, &str> = ctx
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Ci(ci) => Some((ci.id.as_str(), ci.name.as_str())),
            _ => None,
        })
        .collect();
    v.into_iter()
        .map(|(id, n)| Top {
            id: id.to_owned(),
            name: names.get(id).map(|s| (*s).to_owned()),
            incidents: n,
        })
        .collect()
}
