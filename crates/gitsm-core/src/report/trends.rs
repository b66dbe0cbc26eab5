//! Monthly series over the period: tickets opened, closed and open at
//! each month's end, and SLA compliance of the clocks decided in the
//! month. The static site draws its charts from these.

use super::clock::{Instant, Verdict};
use super::facts::Detail;
use super::kpis::Context;
use super::{Compliance, KindCounts, Month};

/// The month (index into `ends`, the months' exclusive ends) holding `t`.
fn month_of(starts: &[Instant], ends: &[Instant], t: Instant) -> Option<usize> {
    let i = ends.partition_point(|&end| end <= t);
    (i < ends.len() && starts[i] <= t).then_some(i)
}

pub(super) fn months(ctx: &Context<'_, '_>) -> Vec<Month> {
    let months = ctx.period.months();
    let starts: Vec<Instant> = months.iter().map(|m| m.1).collect();
    let ends: Vec<Instant> = months.iter().map(|m| m.2).collect();
    let n = months.len();
    let mut opened = vec![KindCounts::default(); n];
    let mut closed = vec![KindCounts::default(); n];
    // Backlog as differences (open at a month's end as `Ticket::open_at`
    // says): +1 from the first month ending after creation, -1 from the
    // first month ending after it left the queue.
    let mut delta = vec![[0i64; 4]; n + 1];
    for t in ctx.tickets {
        let kind = t.kind();
        let slot = super::kpis::TICKET_KINDS
            .iter()
            .position(|&k| k == kind)
            .unwrap_or(0);
        if let Some(i) = month_of(&starts, &ends, t.created)
            && let Some(c) = opened[i].slot(kind)
        {
            *c += 1;
        }
        if let Some(at) = t.closed_at()
            && let Some(i) = month_of(&starts, &ends, at)
            && let Some(c) = closed[i].slot(kind)
        {
            *c += 1;
        }
        let from = ends.partition_point(|&end| end <= t.created);
        let to = match (&t.exit, t.closed_at()) {
            (super::facts::Exit::Open, _) => n,
            (_, Some(at)) => ends.partition_point(|&end| end <= at),
            // Left the queue at an unknown time: never counted open.
            (_, None) => from,
        };
        if from < to {
            delta[from][slot] += 1;
            delta[to][slot] -= 1;
        }
    }
    let mut response = vec![Compliance::default(); n];
    let mut resolution = vec![Compliance::default(); n];
    let mut fulfilment = vec![Compliance::default(); n];
    for t in ctx.tickets {
        let (a, b, series) = match &t.detail {
            Detail::Incident(f) => (&f.response, &f.resolution, &mut resolution),
            Detail::Request(f) => (&None, &f.fulfilment, &mut fulfilment),
            _ => continue,
        };
        if let Some(v) = b {
            tally(series, &starts, &ends, v);
        }
        if let Some(v) = a {
            tally(&mut response, &starts, &ends, v);
        }
    }
    let mut running = [0i64; 4];
    let mut out = Vec::with_capacity(n);
    for (i, (label, start, end)) in months.into_iter().enumerate() {
        for (r, d) in running.iter_mut().zip(delta[i]) {
            *r += d;
        }
        let count = |k: usize| usize::try_from(running[k]).unwrap_or(0);
        out.push(Month {
            month: label,
            start: ctx.period.local(start),
            end: ctx.period.local(end),
            opened: opened[i],
            closed: closed[i],
            backlog: KindCounts {
                incident: count(0),
                problem: count(1),
                change: count(2),
                request: count(3),
            },
            response: finish(&response[i]),
            resolution: finish(&resolution[i]),
            fulfilment: finish(&fulfilment[i]),
        });
    }
    out
}

/// Count a clock in the month it was decided.
fn tally(series: &mut [Compliance], starts: &[Instant], ends: &[Instant], v: &Verdict) {
    if let Some((at, met)) = v.outcome.decided()
        && let Some(i) = month_of(starts, ends, at)
    {
        let c = &mut series[i];
        if met {
            c.met += 1;
        } else {
            c.missed += 1;
        }
        c.from_git += usize::from(v.from_git);
    }
}

fn finish(c: &Compliance) -> Compliance {
    Compliance {
        percent: super::percent(c.met, c.met + c.missed),
        ..c.clone()
    }
}
