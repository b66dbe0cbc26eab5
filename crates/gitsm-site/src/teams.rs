//! The team pages: `teams/index.html`, every team's figures, and
//! `teams/<team>.html`, one page per team with its figures, its
//! assignees' and its open tickets. The figures are the site's report's
//! ([`crate::report::Teams`]: the report's own KPIs over each team's
//! incidents and requests), shown as the report shows them.

use serde::Serialize;

use crate::report::render::{TEAM_COLUMNS, team_cells};
use crate::report::{Report, TeamFigures, TeamRow, UNASSIGNED};

use super::ci::{Capped, TicketRef, ticket_ref};
use super::data::SiteData;
use super::paths;

/// Folder of the team pages.
pub(crate) const FOLDER: &str = "teams";

/// The index of the teams, relative to the site root.
pub(crate) const INDEX: &str = "teams/index.html";

/// The page of team `team`, relative to the site root: a safe file name
/// ([`paths::file_stem`]) whatever the team's name holds.
pub(crate) fn path(team: &str) -> String {
    format!("{FOLDER}/{}.html", paths::file_stem(team))
}

/// A row of figures: a team or an assignee, with its page (relative to
/// the site root) when it has one.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RowView {
    pub key: String,
    pub href: Option<String>,
    /// `(column, value)` after the key, as the report shows them.
    pub cells: Vec<(&'static str, String)>,
}

fn row(r: &TeamRow, href: Option<String>) -> RowView {
    RowView {
        key: r.key.clone(),
        href,
        cells: TEAM_COLUMNS
            .iter()
            .copied()
            .zip(team_cells(r).into_iter().skip(1))
            .collect(),
    }
}

/// A team's page, unless it is the tickets without a team.
pub(crate) fn team_href(team: &str) -> Option<String> {
    (team != UNASSIGNED).then(|| path(team))
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct IndexView {
    pub columns: &'static [&'static str],
    /// Every team with anything open, opened or closed, then the desk.
    pub rows: Vec<RowView>,
    /// Why the figures are missing, when they are.
    pub missing: Option<String>,
}

pub(crate) fn index(report: Result<&Report<'_>, String>) -> IndexView {
    let rows = match &report {
        Ok(r) => r
            .teams
            .by_team
            .iter()
            .map(|t| row(&t.row, team_href(&t.row.key)))
            .chain([row(&r.teams.all, None)])
            .collect(),
        Err(_) => Vec::new(),
    };
    IndexView {
        columns: &TEAM_COLUMNS,
        rows,
        missing: report.err(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct TeamView {
    pub name: String,
    pub columns: &'static [&'static str],
    /// The team, then the desk to compare with.
    pub figures: Vec<RowView>,
    pub assignees: Vec<RowView>,
    /// The team's tickets of every kind still open at the site's instant.
    pub open: Capped<TicketRef>,
}

/// The teams with a page: those of the report's rows but the tickets
/// without one.
pub(crate) fn with_pages<'t>(report: &'t Report<'_>) -> impl Iterator<Item = &'t TeamFigures> {
    report
        .teams
        .by_team
        .iter()
        .filter(|t| t.row.key != UNASSIGNED)
}

pub(crate) fn view(data: &SiteData<'_>, report: &Report<'_>, team: &TeamFigures) -> TeamView {
    let name = &team.row.key;
    let root = paths::root_of(&path(name));
    let mut open: Vec<TicketRef> = data
        .records
        .iter()
        .filter(|r| r.kind().is_ticket() && r.team() == Some(name.as_str()) && data.is_open(r))
        .map(|r| ticket_ref(data, &root, r))
        .collect();
    open.sort_by(|a, b| (a.priority, &a.id).cmp(&(b.priority, &b.id)));
    TeamView {
        name: name.clone(),
        columns: &TEAM_COLUMNS,
        figures: vec![row(&team.row, None), row(&report.teams.all, None)],
        assignees: team.assignees.iter().map(|a| row(a, None)).collect(),
        open: Capped::new(open),
    }
}
