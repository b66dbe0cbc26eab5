//! `gitsm baseline [REV]`: accept the records as they are at a commit as
//! imported history.

use std::process::ExitCode;

use crate::baseline::Baseline;
use crate::git;
use crate::update;

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::edits::refusal;
use super::super::ui::stdout_write;

/// Accept the records as they are at a commit as imported history
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Writes `history.baseline` into gitsm.yaml (comments and layout kept). Records \
as they are at the baseline commit are imported history — from another tool, \
or from before a stricter policy: history rules judge only the commits after \
it, and the decisions a record had there count as written (unsigned, or by \
people gitsm.yaml does not list) for as long as what they approved is unchanged.

Without REV the baseline is the next commit: the time now is written, and the \
first commit made at or after it — the one that records this change of \
gitsm.yaml — is the baseline. Commit the imported records with it. REV may \
also be a time (2026-12-06, 2026-12-06T14:00:00Z).

A pull request is judged under the policy of its base, so a baseline takes \
effect once it is merged: `validate --range` on later pull requests, and over \
the whole history, is green.

Examples:
  gitsm import --from servicenow --kind incident incidents.csv
  gitsm baseline && git add -A && git commit -m 'Import from ServiceNow'
  gitsm baseline v2.0        # tighten the policy from the release on")]
pub struct Args {
    /// The baseline commit (an id, tag or branch: its commit id is written), or a time
    #[arg(value_name = "REV")]
    pub rev: Option<String>,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let value = match &args.rev {
        None => cx
            .now_in(&ws.config)?
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        Some(rev) => match Baseline::parse(rev, ws.config.zone()) {
            Baseline::Since(_) => rev.trim().to_owned(),
            Baseline::Commit(_) => {
                let repo = git::open(&ws.root).ok_or_else(|| {
                    CommandError::usage(format!(
                        "{} is not inside a Git repository, so `{rev}` names no commit",
                        ws.root.display()
                    ))
                })?;
                git::commit_at(&repo, rev)
                    .map_err(CommandError::usage)?
                    .id()
                    .to_string()
            }
        },
    };
    let set = update::set_baseline(&ws, &value).map_err(|e| refusal(cx, &ws.root, e))?;
    let meaning = match &set.baseline {
        Baseline::Commit(id) => format!(
            "records as they are at {} are imported history",
            &id[..id.len().min(10)]
        ),
        Baseline::Since(_) if args.rev.is_none() => {
            "the next commit is the baseline: commit the imported records with gitsm.yaml"
                .to_owned()
        }
        Baseline::Since(at) => format!(
            "the first commit at or after {} is the baseline",
            at.to_rfc3339()
        ),
    };
    stdout_write(&format!("history.baseline: {value}\n"))?;
    cx.status(&meaning);
    if let Some(previous) = set.previous.filter(|p| *p != value) {
        cx.status(&format!("(was {previous})"));
    }
    Ok(ExitCode::SUCCESS)
}
