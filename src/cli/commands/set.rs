//! `gitsm set <ID> k=v…`: change fields of a record in place.

use std::process::ExitCode;

use crate::assign::Assignment;
use crate::update;

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::edits::{EditFormat, print_json, print_text, refusal};
use super::super::filters::{Filters, TeamFilter, targets};

/// Set fields of a record in place, keeping its comments and layout
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The edited record is validated (schema, state requirements, history rules, \
references) before it is written; on any error nothing is written. `status` \
changes only with `gitsm transition`. A list field takes a comma-separated \
value and replaces the list. An empty value (`k=`) is refused: fields are not \
removed by gitsm. `assignee=me` is you (your Git email, mapped through \
`people`). When impact or urgency change, `priority` follows the matrix \
(unless `priority_override` records another, with a reason).

Examples:
  gitsm set INC-0042 resolution.code=fixed 'resolution.notes=Rebooted the switch'
  gitsm set INC-0042 affected_cis=web,db support_level=2
  gitsm set INC-0042 assignee=me impact=high urgency=high
  gitsm set CHG-0007 window.start=2030-01-01T02:00:00Z window.end=2030-01-01T04:00:00Z")]
pub struct Args {
    /// Record ids (e.g. INC-0042 or payments-api), then the fields to set:
    /// dotted keys (resolution.code=fixed), lists comma-separated (cis=web,db)
    #[arg(value_name = "ID... KEY=VALUE", required = true, num_args = 1..)]
    #[arg(add = crate::cli::complete::record_id())]
    pub args: Vec<String>,
    #[command(flatten)]
    pub filters: Filters,
    #[command(flatten)]
    pub team: TeamFilter,
    /// Output format
    #[arg(long, value_enum, default_value_t = EditFormat::Text)]
    pub format: EditFormat,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let now = cx.now_in(&ws.config)?;
    let person = super::super::context::person(&ws);
    let (assignments, ids): (Vec<&String>, Vec<&String>) =
        args.args.iter().partition(|a| a.contains('='));
    let assignments = assignments
        .iter()
        .map(|a| a.parse::<Assignment>().map_err(CommandError::usage))
        .collect::<Result<Vec<_>, _>>()?;
    if assignments.is_empty() {
        return Err(CommandError::usage_hint(
            "nothing to set",
            "give fields as KEY=VALUE after the ids, e.g. gitsm set INC-0042 assignee=me",
        ));
    }
    let ids: Vec<String> = ids.into_iter().cloned().collect();
    let targets = targets(cx, &ws, &ids, &args.filters, &args.team, None)?;
    let updated = update::set_all(&ws, &targets, &assignments, person.as_deref(), now)
        .map_err(|e| refusal(cx, &ws.root, e))?;
    if args.format == EditFormat::Json {
        return match updated.as_slice() {
            [one] => print_json(one),
            many => print_json(&many),
        }
        .map(|()| ExitCode::SUCCESS);
    }
    for u in &updated {
        let headline = if u.written {
            format!("{}: updated", u.id)
        } else {
            format!("{}: nothing to change", u.id)
        };
        print_text(cx, &ws.root, &headline, &u.path, Some(u))?;
    }
    Ok(ExitCode::SUCCESS)
}
