//! Problem KPIs: volumes, resolution within target, the KEDB, incidents
//! per problem.

use std::cmp::Reverse;

use crate::kind::Kind;
use crate::report::clock::Outcome;
use crate::report::facts::{Detail, Exit, ProblemFacts, Ticket, utc};
use crate::report::{
    Compliance, OverdueProblem, ProblemIncidents, ProblemTarget, Problems, percent,
};
use crate::sla::StampSource;

use super::{Context, IdMap, TOP};

pub(crate) fn problems(ctx: &Context<'_, '_>) -> Problems {
    let until = ctx.as_of();
    let problems: Vec<(&Ticket<'_>, &ProblemFacts)> = ctx
        .of_kind(Kind::Problem)
        .filter_map(|t| match &t.detail {
            Detail::Problem(f) => Some((t, &**f)),
            _ => None,
        })
        .collect();
    let mut within_target = Compliance::default();
    let mut overdue = Vec::new();
    for (t, f) in &problems {
        let Some((at, met)) = f.target.decided() else {
            continue;
        };
        if !ctx.period.contains(at) {
            continue;
        }
        within_target.from_git += usize::from(matches!(
            &t.exit,
            Exit::Closed { at: Some(s), .. } if s.source != StampSource::Record
        ));
        if met {
            within_target.met += 1;
            continue;
        }
        within_target.missed += 1;
        if let Outcome::Missed { due, stopped } = f.target {
            overdue.push(OverdueProblem {
                id: t.record.id().to_owned(),
                title: t.record.title().to_owned(),
                priority: f.priority.map(|p| p.name().to_owned()),
                due: ctx.period.local(due),
                resolved_at: stopped.map(|(s, _)| ctx.period.local(s)),
            });
        }
    }
    within_target.percent = percent(within_target.met, within_target.met + within_target.missed);
    overdue.sort_by(|a, b| (a.due, &a.id).cmp(&(b.due, &b.id)));
    // Incidents per problem, among problems that exist and are not cancelled.
    let counted: Vec<_> = problems
        .iter()
        .filter(|(t, _)| t.created < until && !t.is_void())
        .collect();
    let mut linked: IdMap<&str, (usize, usize)> = counted
        .iter()
        .map(|(t, _)| (t.record.id(), (0, 0)))
        .collect();
    for (t, _) in ctx.incidents().filter(|(t, _)| t.created < until) {
        if let Some(entry) = t.record.incident_of().and_then(|p| linked.get_mut(p)) {
            entry.0 += usize::from(ctx.opened_in(t));
            entry.1 += 1;
        }
    }
    let links: usize = linked.values().map(|(_, total)| total).sum();
    let mut top: Vec<ProblemIncidents> = counted
        .iter()
        .filter_map(|(t, _)| {
            let &(in_period, total) = linked.get(t.record.id())?;
            (in_period > 0).then(|| ProblemIncidents {
                id: t.record.id().to_owned(),
                title: t.record.title().to_owned(),
                status: t.record.status().to_owned(),
                in_period,
                total,
            })
        })
        .collect();
    top.sort_by(|a, b| {
        (Reverse(a.in_period), Reverse(a.total), &a.id).cmp(&(
            Reverse(b.in_period),
            Reverse(b.total),
            &b.id,
        ))
    });
    top.truncate(TOP);
    let known = || {
        problems
            .iter()
            .filter(|(t, f)| f.known_error && !t.is_void() && t.created < until)
    };
    Problems {
        opened: problems.iter().filter(|(t, _)| ctx.opened_in(t)).count(),
        resolved: problems.iter().filter(|(t, _)| ctx.done_in(t)).count(),
        open: problems.iter().filter(|(t, _)| t.open_at(until)).count(),
        targets: crate::model::Priority::ALL
            .iter()
            .map(|&p| ProblemTarget {
                priority: p.name().to_owned(),
                days: i64::from(ctx.config.problem_targets.days(Some(p)).0),
            })
            .collect(),
        within_target,
        overdue,
        known_errors_added: known()
            .filter(|(_, f)| {
                f.known_error_at
                    .as_ref()
                    .is_some_and(|s| ctx.period.contains(utc(s)))
            })
            .count(),
        known_errors_undated: known().filter(|(_, f)| f.known_error_at.is_none()).count(),
        kedb: known().count(),
        incidents_per_problem: (!counted.is_empty())
            .then(|| (links as f64 * 100.0 / counted.len() as f64).round() / 100.0),
        top,
    }
}
