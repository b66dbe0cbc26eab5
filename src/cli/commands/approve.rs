//! `gitsm approve <CHG> [--reject] [--comment T]`: record a decision on a
//! change as the person whose Git identity runs gitsm.

use std::process::ExitCode;

use crate::update::{self, Decision};

use super::super::CliError;
use super::super::ui::Ui;
use super::set::{EditFormat, print_json, print_text, refusal};

/// Approve (or reject) a change as yourself: your `git config user.email`
/// must belong to a person in `people` who is in the group the change
/// policy requires, and is neither the requester nor the implementer
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The decision is appended to `approvals` with your handle and the current \
time; commit it yourself: an approval counts only when the commit that adds \
it is authored by one of your emails (and, with require_signed_approvals, \
signed).

Examples:
  gitsm approve CHG-0042 --comment 'Backout plan tested'
  gitsm approve CHG-0042 --reject --comment 'Clashes with the DB upgrade'")]
pub struct Args {
    /// The change, e.g. CHG-0042
    pub id: String,
    /// Record a rejection instead of an approval
    #[arg(long)]
    pub reject: bool,
    /// Why
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = EditFormat::Text)]
    pub format: EditFormat,
}

pub fn run(ui: &Ui, args: Args) -> Result<ExitCode, CliError> {
    let ws = ui.workspace()?;
    let now = super::new::now()?;
    let email = crate::git::user_email(&ws.root).ok_or_else(|| {
        CliError::usage_hint(
            "gitsm cannot tell who you are: `git config user.email` is not set",
            "set it to the email listed for you under `people` in gitsm.yaml",
        )
    })?;
    let handle = ws.config.person_by_email(&email).ok_or_else(|| {
        CliError::usage_hint(
            format!("`{email}` is not the email of anyone in `people`"),
            "approvers are listed under `people` in gitsm.yaml with their Git emails",
        )
    })?;
    let decision = Decision {
        by: handle,
        reject: args.reject,
        comment: args.comment.as_deref(),
    };
    let updated = update::open(&ws, &args.id)
        .and_then(|target| update::approve(&ws, &target, &decision, now))
        .map_err(|e| refusal(ui, &ws.root, e))?;
    if args.format == EditFormat::Json {
        print_json(&updated)?;
    } else {
        let verb = if args.reject { "rejected" } else { "approved" };
        let headline = format!("{}: {verb} by {handle}", updated.id);
        print_text(ui, &ws.root, &headline, &updated.path, Some(&updated))?;
    }
    Ok(ExitCode::SUCCESS)
}
