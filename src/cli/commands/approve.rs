//! `gitsm approve <ID> [--reject] [--comment T] [--key FILE]`: record a
//! signed decision on a change or a service request.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::approval::signature::SigningKey;
use crate::update::{self, NewDecision};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::edits::{EditFormat, print_json, print_text, refusal};

/// Approve (or reject) a change or a service request, signed with your SSH
/// key: the key must be listed under your `people.<handle>.keys`, and you
/// must be in the group the policy requires and be neither the requester
/// nor the implementer
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The decision is appended to `approvals` with your handle, the current time \
and an SSH signature (namespace `gitsm`) over the decision and the approved \
content; commit it as usual. It counts wherever it is read — after a squash \
merge, a rebase or in a shallow clone — until the approved content changes. \
The key is --key FILE, else Git's `user.signingkey` (a path, or \
`key::ssh-ed25519 AAAA...` for a key in your ssh-agent). Signing runs \
`ssh-keygen -Y sign`.

Examples:
  gitsm approve CHG-0042 --comment 'Backout plan tested'
  gitsm approve CHG-0042 --reject --comment 'Clashes with the DB upgrade'
  gitsm approve REQ-0017 --key ~/.ssh/id_ed25519")]
pub struct Args {
    /// The change or request, e.g. CHG-0042
    #[arg(add = crate::cli::complete::record_id())]
    pub id: String,
    /// Record a rejection instead of an approval
    #[arg(long)]
    pub reject: bool,
    /// Why
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,
    /// The SSH key to sign with (a private key, or a public key whose
    /// private half is in ssh-agent); default: `git config user.signingkey`
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = EditFormat::Text)]
    pub format: EditFormat,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let now = cx.now_in(&ws.config)?;
    let key = match &args.key {
        Some(path) => SigningKey::from_file(path),
        None => SigningKey::from_git_config(&ws.root),
    }
    .map_err(|e| {
        CommandError::usage_hint(
            e.to_string(),
            "create a key with `ssh-keygen -t ed25519` and list its public half under `people.<you>.keys` in gitsm.yaml",
        )
    })?;
    let decision = NewDecision {
        reject: args.reject,
        comment: args.comment.as_deref(),
        key: &key,
    };
    let updated = update::open(&ws, &args.id)
        .and_then(|target| update::approve(&ws, &target, &decision, now))
        .map_err(|e| refusal(cx, &ws.root, e))?;
    if args.format == EditFormat::Json {
        print_json(&updated)?;
    } else {
        let verb = if args.reject { "rejected" } else { "approved" };
        let by = updated
            .changes
            .first()
            .and_then(|c| c.value.get("by"))
            .and_then(serde_json::Value::as_str)
            .unwrap_or("?")
            .to_owned();
        let headline = format!("{}: {verb} by {by} (signed)", updated.id);
        print_text(cx, &ws.root, &headline, &updated.path, Some(&updated))?;
    }
    Ok(ExitCode::SUCCESS)
}
