//! The record filters `list` takes, and the bulk commands (`transition`,
//! `set`, `note`, `escalate`) take in place of (or besides) ids.

use crate::kind::Kind;
use crate::model::{Priority, Timestamp};
use crate::query::Query;
use crate::report::Bound;
use crate::update::{self, Editable};
use crate::workspace::Workspace;

use super::CommandError;
use super::context::CommandContext;

/// `--team` as a filter (apart, since `escalate --team` names where
/// incidents go).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TeamFilter {
    /// Only those of this group
    #[arg(long, value_name = "GROUP")]
    pub team: Option<String>,
}

#[derive(Debug, Clone, Default, clap::Args)]
pub struct Filters {
    /// Only records in this state (repeat for several)
    #[arg(long, value_name = "STATE")]
    #[arg(add = crate::cli::complete::state())]
    pub status: Vec<String>,
    /// Only tickets that still need work: incidents new, in progress or on
    /// hold, problems before resolved, changes before closed, requests
    /// before fulfilled (never CIs; --status for anything else)
    #[arg(long)]
    pub open: bool,
    /// Only this priority (P1..P4)
    #[arg(long)]
    #[arg(add = crate::cli::complete::priority())]
    pub priority: Option<Priority>,
    /// Only those assigned to this person (a handle or an email)
    #[arg(long, value_name = "WHO")]
    pub assignee: Option<String>,
    /// Only those assigned to you (your Git email, mapped through `people`)
    #[arg(long, conflicts_with_all = ["assignee", "unassigned"])]
    pub mine: bool,
    /// Only those nobody is assigned to
    #[arg(long)]
    pub unassigned: bool,
    /// Only those for this business service
    #[arg(long, value_name = "CI")]
    #[arg(add = crate::cli::complete::id_of(Kind::Ci))]
    pub service: Option<String>,
    /// Only the incidents of this problem
    #[arg(long, value_name = "PRB")]
    #[arg(add = crate::cli::complete::id_of(Kind::Problem))]
    pub problem: Option<String>,
    /// Only those created at or after D (a date or an RFC 3339 time)
    #[arg(long, value_name = "D")]
    pub since: Option<Bound>,
    /// Only those created before D (a date: up to the end of that day)
    #[arg(long, value_name = "D")]
    pub until: Option<Bound>,
}

impl Filters {
    /// Whether any filter is given.
    pub fn given(&self) -> bool {
        !self.status.is_empty()
            || self.open
            || self.priority.is_some()
            || self.assignee.is_some()
            || self.mine
            || self.unassigned
            || self.service.is_some()
            || self.problem.is_some()
            || self.since.is_some()
            || self.until.is_some()
    }

    /// The query, checked against the policy (exit 2 for a state or group
    /// it does not know).
    pub fn query(
        &self,
        ws: &Workspace,
        kind: Option<Kind>,
        team: &TeamFilter,
    ) -> Result<Query, CommandError> {
        let assignee = if self.mine {
            Some(super::context::me(ws)?)
        } else {
            self.assignee.clone()
        };
        let query = Query {
            kind,
            status: self.status.clone(),
            open: self.open,
            priority: self.priority,
            assignee,
            unassigned: self.unassigned,
            team: team.team.clone(),
            service: self.service.clone(),
            problem: self.problem.clone(),
            since: self.since.as_ref().map(|b| instant(b, false, ws)),
            until: self.until.as_ref().map(|b| instant(b, true, ws)),
        };
        query.check(&ws.config).map_err(|e| CommandError::Usage {
            message: e.message,
            hint: e.hint,
        })?;
        Ok(query)
    }
}

/// The instant a `--since`/`--until` bound stands for: a date is midnight
/// in the organisation's time zone (for `--until`, the midnight after it).
fn instant(bound: &Bound, end: bool, ws: &Workspace) -> Timestamp {
    match bound {
        Bound::Instant(t) => *t,
        Bound::Date(d) => {
            let d = if end { d.succ_opt().unwrap_or(*d) } else { *d };
            crate::when::When::Local(d.and_time(chrono::NaiveTime::MIN))
                .resolve(Timestamp::default(), ws.config.zone())
        }
    }
}

/// The records a bulk command acts on: those named, then those of `kind`
/// (any, for `None`) the filters select (each once, in id order), opened
/// for editing.
pub(super) fn targets(
    cx: &CommandContext,
    ws: &Workspace,
    ids: &[String],
    filters: &Filters,
    team: &TeamFilter,
    kind: Option<Kind>,
) -> Result<Vec<Editable>, CommandError> {
    let mut all: Vec<String> = ids.to_vec();
    if filters.given() || team.team.is_some() {
        let query = filters.query(ws, kind, team)?;
        let loaded = crate::checks::load(ws, &Kind::ALL);
        let mut found: Vec<String> = loaded
            .records()
            .filter(|(_, r)| query.matches(&ws.config, r))
            .map(|(_, r)| r.id().to_owned())
            .collect();
        found.sort();
        if found.is_empty() {
            return Err(CommandError::usage("no record matches the filters"));
        }
        all.extend(found);
    }
    if all.is_empty() {
        return Err(CommandError::usage_hint(
            "name the records: ids, or filters such as --problem PRB-0003 --status resolved",
            "the filters are those of `gitsm list`",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    all.retain(|id| seen.insert(id.clone()));
    all.iter()
        .map(|id| update::open(ws, id))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| super::edits::refusal(cx, &ws.root, e))
}
