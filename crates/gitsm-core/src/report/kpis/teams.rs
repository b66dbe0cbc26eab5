//! The desk's figures by team and by assignee: the same KPI functions
//! the whole report uses (backlog, volumes, incident clocks, reopens and
//! first-line resolution, request fulfilment, satisfaction), each applied
//! to the incidents and service requests of one team or one assignee.
//!
//! A ticket counts for the team and the assignee it has now (its `team`
//! and `assignee` fields at the revision reported on), not those it had
//! when a figure was decided; `(none)` gathers the tickets without one.

use std::ops::Range;

use rayon::prelude::*;

use crate::kind::Kind;
use crate::report::facts::Ticket;
use crate::report::{TeamFigures, TeamRow, Teams};

use super::incidents::{resolutions, sla, times};
use super::requests::all_items;
use super::satisfaction::overall;
use super::{Context, IdMap, UNASSIGNED, backlog_row, counts};

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

/// The row of the whole desk: computed with the other sections, over the
/// tickets in input order.
pub(in crate::report) fn desk(ctx: &Context<'_, '_>) -> TeamRow {
    row(ctx, "all")
}

/// The rows of each team (with its assignees) and of each assignee with
/// anything open, opened or closed in the period, beside the desk's row
/// `all` ([`desk`]). `tickets` are the context's tickets, reordered here so
/// that each group is one slice, in input order.
pub(in crate::report) fn teams<'r>(
    ctx: &Context<'_, 'r>,
    all: TeamRow,
    tickets: &mut [Ticket<'r>],
) -> Teams {
    let teams = Names::of(tickets, team);
    let assignees = Names::of(tickets, assignee);
    // By team and, within a team, by assignee: one order serves the teams'
    // rows and their assignees'.
    let keys = tickets
        .par_iter()
        .map(|t| {
            (
                !counted(t),
                teams.rank(team(t)),
                assignees.rank(assignee(t)),
            )
        })
        .collect();
    let keys: Vec<(bool, u32, u32)> = arrange(tickets, keys);
    let n = keys.iter().take_while(|k| !k.0).count();
    let by_team: Vec<TeamFigures> = {
        let tickets: &[Ticket<'r>] = tickets;
        runs(&keys[..n], |k| k.1)
            .into_par_iter()
            .filter_map(|of| {
                let name = teams.name(keys[of.start].1);
                let mine = &tickets[of.clone()];
                // A group of the same tickets as another has its figures.
                let team = if of.len() == n {
                    renamed(&all, name)
                } else {
                    row(&ctx.over(mine), name)
                };
                let team = active(team)?;
                let assignees = runs(&keys[of.clone()], |k| k.2)
                    .into_par_iter()
                    .filter_map(|r| {
                        let name = assignees.name(keys[of.start + r.start].2);
                        active(if r.len() == of.len() {
                            renamed(&team, name)
                        } else {
                            row(&ctx.over(&mine[r]), name)
                        })
                    })
                    .collect();
                Some(TeamFigures {
                    row: team,
                    assignees,
                })
            })
            .collect()
    };
    // An assignee of one team has the row found in that team; those of
    // several are gathered from all of them.
    let mut teams_of: IdMap<u32, usize> = IdMap::default();
    for of in runs(&keys[..n], |k| (k.1, k.2)) {
        *teams_of.entry(keys[of.start].2).or_insert(0) += 1;
    }
    let single = |rank: u32| teams_of.get(&rank) == Some(&1);
    let found: IdMap<u32, &TeamRow> = by_team
        .iter()
        .flat_map(|t| &t.assignees)
        .map(|row| (assignees.rank(&row.key), row))
        .filter(|(rank, _)| single(*rank))
        .collect();
    let keys = arrange(tickets, keys.into_par_iter().map(|k| (k.0, k.2)).collect());
    let by_assignee = runs(&keys[..n], |k| k.1)
        .into_par_iter()
        .filter_map(|of| {
            let rank = keys[of.start].1;
            if single(rank) {
                return found.get(&rank).map(|row| (*row).clone());
            }
            active(row(&ctx.over(&tickets[of]), assignees.name(rank)))
        })
        .collect();
    Teams {
        all,
        by_team,
        by_assignee,
    }
}

/// `row`'s figures under another key: those of a group of the same
/// tickets.
fn renamed(row: &TeamRow, key: &str) -> TeamRow {
    let mut row = row.clone();
    row.key = key.to_owned();
    row.satisfaction.key = key.to_owned();
    row
}

/// The distinct values of a key among the tickets, in order: groups
/// are then ordered and told apart by their place among them, a number.
struct Names<'r>(Vec<&'r str>);

impl<'r> Names<'r> {
    fn of(tickets: &[Ticket<'r>], key: fn(&Ticket<'r>) -> &'r str) -> Names<'r> {
        let distinct: IdSet<&'r str> = tickets.par_iter().map(key).collect();
        let mut names: Vec<&'r str> = distinct.into_iter().collect();
        names.sort_unstable();
        Names(names)
    }

    /// The place of `name` among them.
    fn rank(&self, name: &str) -> u32 {
        let at = self.0.binary_search(&name).unwrap_or_else(|at| at);
        u32::try_from(at).unwrap_or(u32::MAX)
    }

    fn name(&self, rank: u32) -> &'r str {
        usize::try_from(rank)
            .ok()
            .and_then(|at| self.0.get(at))
            .copied()
            .unwrap_or(UNASSIGNED)
    }
}

type IdSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// Put `tickets` in the order of their `keys` (one per ticket), keeping
/// the input order among equal keys; the keys, so ordered, are returned.
fn arrange<K: Ord + Copy + Send>(tickets: &mut [Ticket<'_>], keys: Vec<K>) -> Vec<K> {
    let mut order: Vec<(K, usize)> = keys
        .into_par_iter()
        .enumerate()
        .map(|(i, k)| (k, i))
        .collect();
    // Each place is unique: an unstable sort keeps equal keys in order.
    order.par_sort_unstable();
    // Moved into place in one pass: the ticket for place `i` is where
    // its original place's was moved, if that was already swapped away.
    for i in 0..order.len() {
        let mut from = order[i].1;
        while from < i {
            from = order[from].1;
        }
        order[i].1 = from;
        tickets.swap(i, from);
    }
    order.into_iter().map(|(k, _)| k).collect()
}

/// The ranges of equal `key` in `keys`, in order.
fn runs<K, V: PartialEq>(keys: &[K], key: impl Fn(&K) -> V) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        match out.last_mut() {
            Some(last) if key(&keys[last.start]) == key(k) => last.end = i + 1,
            _ => out.push(i..i + 1),
        }
    }
    out
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
