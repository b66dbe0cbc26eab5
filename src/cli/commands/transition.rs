//! `gitsm transition <ID> <STATE>`: move a record through its workflow.

use std::process::ExitCode;

use crate::assign::Assignment;
use crate::update::{self, TransitionRequest};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::edits::{EditFormat, print_json, print_text, refusal};
use super::super::filters::{Filters, TeamFilter, targets};

/// Move a record to another state of its workflow, in place
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The move is checked against the record's workflow (gitsm.yaml may override \
the defaults) before anything is written; a refused move names the states \
allowed next and leaves the file untouched. gitsm fills in what the move \
records, at the current time (GITSM_NOW when set): `acknowledged_at` on the \
first move into work, `resolved_at`, `fulfilled_at`, `implemented_at`, \
`closed_at`; an `on_hold` period opens on the way into `on_hold` and closes \
on the way out. A state that needs an `assignee` gets you (your Git email, \
mapped through `people`) unless one is set or given. A field given with \
--set wins over what gitsm would fill in.

Examples:
  gitsm transition INC-0042 in_progress --note 'Looking at the switch'
  gitsm transition INC-0042 on_hold --reason awaiting_vendor --supplier dell
  gitsm transition INC-0042 resolved --set resolution.code=fixed --set 'resolution.notes=Replaced the PSU'
  gitsm transition INC-0042 cancelled --reason 'Duplicate of INC-0041'
  gitsm transition --problem PRB-0003 --status resolved closed

With several records (ids, or the filters of `gitsm list`), every move is \
checked before any file is written, and all are written or none.")]
pub struct Args {
    /// Record ids, then the state to move them to (e.g. INC-0042 in_progress)
    #[arg(value_name = "ID... STATE", required = true, num_args = 1..)]
    #[arg(add = crate::cli::complete::record_id_or_state())]
    pub args: Vec<String>,
    #[command(flatten)]
    pub filters: Filters,
    #[command(flatten)]
    pub team: TeamFilter,
    /// Append a note `{at, by, text}`, by you
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Why: the hold reason for on_hold, or cancel_reason / reject_reason
    #[arg(long, value_name = "REASON")]
    pub reason: Option<String>,
    /// The supplier (from `suppliers`) an incident put on_hold waits for
    #[arg(long, value_name = "SUPPLIER")]
    pub supplier: Option<String>,
    /// Set a field with the move: dotted keys, lists comma-separated
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<Assignment>,
    /// Output format
    #[arg(long, value_enum, default_value_t = EditFormat::Text)]
    pub format: EditFormat,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let person = super::super::context::person(&ws);
    let Some((state, ids)) = args.args.split_last() else {
        return Err(CommandError::usage("name the state to move to"));
    };
    let targets = targets(cx, &ws, ids, &args.filters, &args.team, None)?;
    let req = TransitionRequest {
        to: state,
        note: args.note.as_deref(),
        reason: args.reason.as_deref(),
        supplier: args.supplier.as_deref(),
        assignments: &args.set,
        now: cx.now_in(&ws.config)?,
        person: person.as_deref(),
    };
    let done = update::transition_all(&ws, &targets, &req).map_err(|e| refusal(cx, &ws.root, e))?;
    if args.format == EditFormat::Json {
        // One record: the object, as before; several: a list.
        return match done.as_slice() {
            [one] => print_json(one),
            many => print_json(&many),
        }
        .map(|()| ExitCode::SUCCESS);
    }
    for d in &done {
        let headline = format!("{}: {} -> {}", d.update.id, d.from, d.to);
        print_text(cx, &ws.root, &headline, &d.update.path, Some(&d.update))?;
    }
    Ok(ExitCode::SUCCESS)
}
