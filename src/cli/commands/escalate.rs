//! `gitsm escalate <ID>... --to-level N`: hand incidents to another level.

use std::process::ExitCode;

use crate::update::{self, Escalation};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::edits::{EditFormat, print_json, print_text, refusal};
use super::super::filters::{Filters, TeamFilter, targets};

/// Escalate incidents to another support level (and team)
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Appends `{at, to_level, team, by, reason}` to `escalations`, sets \
`support_level` (and `team` with --team); the assignee stays. With --accept \
instead, records that the receiving group picked up the latest escalation \
(its `accepted_at`, which stops the response clock of its OLA). First-line \
resolution in the report counts incidents resolved at level 1, so an \
escalation recorded here is what makes that figure true. With several ids \
every incident is checked before any is written.

Examples:
  gitsm escalate INC-0042 --to-level 2 --team l2-apps --reason 'Needs a DB restart'
  gitsm escalate INC-0042 INC-0043 --to-level 3 --team dba
  gitsm escalate INC-0042 --to-level 3 --supplier rheinhost
  gitsm escalate INC-0042 --accept")]
pub struct Args {
    /// Incident ids (or the filters of `gitsm list`, but --team, which
    /// here names where they go)
    #[arg(value_name = "ID")]
    #[arg(add = crate::cli::complete::id_of(crate::kind::Kind::Incident))]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub filters: Filters,
    /// The support level they go to (1, 2 or 3)
    #[arg(long, value_name = "N", required_unless_present = "accept")]
    pub to_level: Option<u8>,
    /// Record that the receiving group picked up the latest escalation
    /// (sets its `accepted_at`)
    #[arg(long, conflicts_with_all = ["to_level", "team", "reason", "supplier"])]
    pub accept: bool,
    /// The supplier they go to (from `suppliers`), for level 3
    #[arg(long, value_name = "ID")]
    pub supplier: Option<String>,
    /// The group that takes them (from `groups`)
    #[arg(long, value_name = "GROUP")]
    pub team: Option<String>,
    /// Why
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = EditFormat::Text)]
    pub format: EditFormat,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let person = super::super::context::person(&ws);
    let now = cx.now_in(&ws.config)?;
    let targets = targets(
        cx,
        &ws,
        &args.ids,
        &args.filters,
        &TeamFilter::default(),
        Some(crate::kind::Kind::Incident),
    )?;
    let updated = match args.to_level {
        Some(to_level) if !args.accept => {
            let to = Escalation {
                to_level,
                team: args.team.as_deref(),
                reason: args.reason.as_deref(),
                by: person.as_deref(),
                supplier: args.supplier.as_deref(),
            };
            update::escalate(&ws, &targets, &to, now)
        }
        _ => update::accept(&ws, &targets, now),
    }
    .map_err(|e| refusal(cx, &ws.root, e))?;
    if args.format == EditFormat::Json {
        return print_json(&updated).map(|()| ExitCode::SUCCESS);
    }
    for u in &updated {
        let headline = match args.to_level {
            Some(level) if !args.accept => format!("{}: escalated to level {level}", u.id),
            _ => format!("{}: escalation accepted", u.id),
        };
        print_text(cx, &ws.root, &headline, &u.path, Some(u))?;
    }
    Ok(ExitCode::SUCCESS)
}
