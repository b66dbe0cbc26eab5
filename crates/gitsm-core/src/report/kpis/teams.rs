//! The desk's figures by team and by assignee: the same KPI functions
//! the whole report uses (backlog, volumes, incident clocks, reopens and
//! first-line resolution, request fulfilment, satisfaction), each applied
//! to the incidents and service requests of one team or one assignee.
//!
//! A ticket counts for the team and the assignee it has now (its `team`
//! and `assignee` fields at the revision reported on), not those it had
//! when a figure was decided; `(none)` gathers the tickets without one.

use rayon::prelude::*;

use crate::kind::Kind;
use crate::report::facts::Ticket;
use crate::report::{TeamFigures, TeamRow, Teams};

use super::incidents::{resolutions, sla, times};
use super::requests::all_items;
use super::satisfaction::overall;
use super::{Context, UNASSIGNED, backlog_row, counts};

/// Incidents and service requests are broken down; problems and changes
/// have their own figures.
fn counted(t: &Ticket<'_>) -> bool {
    matches!(t.kind(), Kind::Incident | Kind::Request)
}

fn team<'r>(t: &Ticket<'r>) -> &'r str {
    t.record.team().unwrap_or(UNASSIGNED)
}

fn assignee<'r>(t: &Ticket<'r>) -> &'r str {
    t.record.assignee().unwrap_or(UNASSIGNED)
}

/// The rows of the whole desk (`all`), of each team (with its assignees)
/// and of each assignee with anything open, opened or closed in the
/// period. `tickets` are the context's tickets, reordered here so that
/// each group is one slice.
pub(in crate::report) fn teams<'r>(ctx: &Context<'_, 'r>, tickets: &mut [Ticket<'r>]) -> Teams {
    let all = row(&ctx.over(tickets), "all");
    let by_team = group(tickets, team)
        .into_par_iter()
        .filter_map(|tickets| {
            let row = active(row(&ctx.over(tickets), team(&tickets[0])))?;
            Some(TeamFigures {
                row,
                assignees: rows(ctx, tickets, assignee),
            })
        })
        .collect();
    let by_assignee = rows(ctx, tickets, assignee);
    Teams {
        all,
        by_team,
        by_assignee,
    }
}

/// The incidents and requests of `tickets` by `key`, one slice per value,
/// in the order of the values (each slice in input order).
fn group<'t, 'r>(
    tickets: &'t mut [Ticket<'r>],
    key: fn(&Ticket<'r>) -> &'r str,
) -> Vec<&'t mut [Ticket<'r>]> {
    tickets.sort_by(|a, b| (!counted(a), key(a)).cmp(&(!counted(b), key(b))));
    let n = tickets.iter().take_while(|t| counted(t)).count();
    tickets[..n].chunk_by_mut(|a, b| key(a) == key(b)).collect()
}

/// A row per value of `key` among the incidents and requests.
fn rows<'r>(
    ctx: &Context<'_, 'r>,
    tickets: &mut [Ticket<'r>],
    key: fn(&Ticket<'r>) -> &'r str,
) -> Vec<TeamRow> {
    group(tickets, key)
        .into_par_iter()
        .filter_map(|tickets| active(row(&ctx.over(tickets), key(&tickets[0]))))
        .collect()
}

/// The row, if anything was open, opened or closed in the period.
fn active(row: TeamRow) -> Option<TeamRow> {
    (row.open + row.opened + row.closed > 0).then_some(row)
}

/// The figures of the context's incidents and requests, from the
/// functions that compute them for the whole report.
fn row(ctx: &Context<'_, '_>, key: &str) -> TeamRow {
    let mine = || ctx.tickets.iter().filter(|t| counted(t));
    let count = counts(ctx, mine(), |_| key).remove(key);
    let (opened, closed, cancelled) =
        count.map_or((0, 0, 0), |c| (c.opened, c.closed, c.cancelled));
    let incidents = ctx.incidents();
    let (mtta, mttr) = times(ctx, incidents.clone());
    let (response, resolution) = sla(ctx, incidents);
    let (reopens, first_line, _) = resolutions(ctx);
    TeamRow {
        key: key.to_owned(),
        open: backlog_row(ctx, key, mine()).open,
        opened,
        closed,
        resolved: closed - cancelled,
        mtta,
        mttr,
        response,
        resolution,
        fulfilment: all_items(ctx).fulfilment,
        first_line,
        reopened: reopens.rate,
        satisfaction: overall(ctx, key),
    }
}
