//! `gitsm transition <ID> <STATE>`: move a record through its workflow.

use std::process::ExitCode;

use crate::assign::Assignment;
use crate::update::{self, TransitionRequest};

use super::super::CliError;
use super::super::ui::Ui;
use super::set::{EditFormat, print_json, print_text, refusal};

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
  gitsm transition INC-0042 on_hold --reason awaiting_vendor
  gitsm transition INC-0042 resolved --set resolution.code=fixed --set 'resolution.notes=Replaced the PSU'
  gitsm transition INC-0042 cancelled --reason 'Duplicate of INC-0041'")]
pub struct Args {
    /// Record id, e.g. INC-0042
    pub id: String,
    /// The state to move to, e.g. in_progress
    pub state: String,
    /// Append a note `{at, by, text}`, by you
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Why: the hold reason for on_hold, or cancel_reason / reject_reason
    #[arg(long, value_name = "REASON")]
    pub reason: Option<String>,
    /// Set a field with the move: dotted keys, lists comma-separated
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<Assignment>,
    /// Output format
    #[arg(long, value_enum, default_value_t = EditFormat::Text)]
    pub format: EditFormat,
}

pub fn run(ui: &Ui, args: Args) -> Result<ExitCode, CliError> {
    let ws = ui.workspace()?;
    let person = super::new::current_person(&ws);
    let req = TransitionRequest {
        to: &args.state,
        note: args.note.as_deref(),
        reason: args.reason.as_deref(),
        assignments: &args.set,
        now: super::new::now()?,
        person: person.as_deref(),
    };
    let done = update::open(&ws, &args.id)
        .and_then(|target| update::transition(&ws, &target, &req))
        .map_err(|e| refusal(ui, &ws.root, e))?;
    if args.format == EditFormat::Json {
        print_json(&done)?;
    } else {
        let headline = format!("{}: {} -> {}", done.update.id, done.from, done.to);
        print_text(
            ui,
            &ws.root,
            &headline,
            &done.update.path,
            Some(&done.update),
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
