//! `gitsm gate`: may this change (or the change authorising this release)
//! be implemented now? Exit 0 only when it may.

use std::fmt::Write as _;
use std::process::ExitCode;

use serde_json::json;

use crate::checks::parse_record;
use crate::gate::{self, GateDecision, GateError, Judged};
use crate::git;
use crate::kind::Kind;
use crate::model::{Record, Timestamp};
use crate::snapshot::Snapshot;
use crate::workspace::Workspace;

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::ui::stdout_write;

/// Decide whether a change may be implemented: its file valid at the
/// revision, approved under the trusted policy by signatures over its
/// current content, no rejection removed, inside its window, outside any
/// freeze that forbids its type
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The answer is a function of --rev and --policy-rev alone: nothing is read from the work tree. \
The policy (people, keys, groups, change policy) is read at --policy-rev, which defaults to --rev; \
in a pipeline, pass the protected branch (e.g. --policy-rev origin/main) so that a pull request cannot \
approve its own change with a key or a group membership it adds.\n\n\
Exit status: 0 when the change may go ahead, 1 when it may not, 2 for an unknown change or release, or a usage error.\n\n\
Examples:\n  gitsm gate --change CHG-0042\n  gitsm gate --release payments-api@2.4.0 --policy-rev origin/main --format json"
)]
pub struct Args {
    /// The change to judge
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "release",
        conflicts_with = "release"
    )]
    pub change: Option<String>,
    /// Judge the change whose `release` list names NAME
    #[arg(long, value_name = "NAME")]
    pub release: Option<String>,
    /// The moment of the deployment: RFC 3339, a date, `tomorrow 02:00`,
    /// `+2h` (local times in the organisation's `timezone` at the policy
    /// revision) [default: now]
    #[arg(long, value_name = "TIME")]
    pub at: Option<crate::when::When>,
    /// Judge the records as they are at this revision
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub rev: String,
    /// Judge decisions with the policy (gitsm.yaml) of this revision
    /// (default: --rev)
    #[arg(long, value_name = "REV")]
    pub policy_rev: Option<String>,
    /// Deny when history checks cannot run (a shallow clone) instead of
    /// skipping them with a note
    #[arg(long)]
    pub require_history: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = GateFormat::Text)]
    pub format: GateFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GateFormat {
    Text,
    Json,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let (repo, prefix) = cx.repository(&ws, "the gate judges committed history")?;
    let tip = git::commit_at(&repo, &args.rev).map_err(CommandError::usage)?;
    let tree = tip
        .tree()
        .map_err(|e| CommandError::io("reading the tree", e))?;
    let snapshot = Snapshot::new(&repo, Some(&tree), &prefix);
    let policy_rev = args.policy_rev.clone().unwrap_or_else(|| args.rev.clone());
    let policy_commit = git::commit_at(&repo, &policy_rev).map_err(CommandError::usage)?;
    let policy_tree = policy_commit
        .tree()
        .map_err(|e| CommandError::io("reading the tree", e))?;
    let policy = Snapshot::new(&repo, Some(&policy_tree), &prefix)
        .policy(&ws.schemas)
        .map_err(CommandError::from)?;
    // Everything below is judged under the trusted policy.
    let ws = Workspace {
        config: policy,
        ..ws
    };
    let at: Timestamp = cx.at(args.at, &ws.config)?;
    let ids = match (&args.change, &args.release) {
        (Some(id), _) => vec![id.clone()],
        (None, Some(name)) => {
            let found = changes_for_release(&ws, &snapshot, name);
            if found.is_empty() {
                return Err(CommandError::usage_hint(
                    format!("no change at {} authorises release `{name}`", args.rev),
                    "list it under `release:` of the change that deploys it",
                ));
            }
            found.into_iter().map(|c| c.id).collect()
        }
        (None, None) => return Err(CommandError::usage("give --change ID or --release NAME")),
    };
    let judged = Judged {
        repo: &repo,
        prefix: &prefix,
        tip: tip.id(),
        snapshot: &snapshot,
        policy_rev: policy_rev.clone(),
        require_history: args.require_history,
    };
    let mut decisions = Vec::new();
    for id in &ids {
        match gate::judge(&ws, &judged, id, at) {
            Ok(d) => decisions.push(d),
            Err(GateError::NotFound(id)) => {
                return Err(CommandError::usage(format!(
                    "no change `{id}` at {}",
                    args.rev
                )));
            }
            Err(GateError::History(e)) => return Err(e.into()),
        }
    }
    // For a release, the first change that may go ahead answers; else all
    // the reasons of the candidates.
    let chosen = decisions.iter().position(|d| d.allowed).unwrap_or_default();
    let decision = &decisions[chosen];
    match args.format {
        GateFormat::Json => {
            let mut value =
                serde_json::to_value(decision).map_err(|e| CommandError::io("JSON output", e))?;
            if let Some(name) = &args.release {
                value["release"] = json!(name);
                value["candidates"] =
                    json!(decisions.iter().map(|d| &d.change).collect::<Vec<_>>());
            }
            let text = serde_json::to_string_pretty(&value)
                .map_err(|e| CommandError::io("JSON output", e))?;
            stdout_write(&format!("{text}\n"))?;
        }
        GateFormat::Text => {
            let mut out = String::new();
            for d in if decision.allowed {
                &decisions[chosen..=chosen]
            } else {
                &decisions[..]
            } {
                out.push_str(&text(d, args.release.as_deref()));
            }
            stdout_write(&out)?;
        }
    }
    Ok(if decision.allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn text(d: &GateDecision, release: Option<&str>) -> String {
    let what = match release {
        Some(r) => format!("release {r} ({})", d.change),
        None => d.change.clone(),
    };
    let mut out = format!(
        "gate: {what} {} at {}\n",
        if d.allowed { "ALLOWED" } else { "DENIED" },
        d.at.to_rfc3339()
    );
    for r in &d.reasons {
        let _ = writeln!(out, "  - {r}");
    }
    for n in &d.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    out
}

/// Changes whose `release` list names `name`. Files that do not contain
/// the name at all are skipped without being parsed.
fn changes_for_release(
    ws: &Workspace,
    snapshot: &Snapshot<'_>,
    name: &str,
) -> Vec<crate::model::Change> {
    let needle = name.as_bytes();
    let mut found: Vec<crate::model::Change> = snapshot
        .all_records()
        .into_iter()
        .filter(|(kind, _)| *kind == Kind::Change)
        .filter_map(|(kind, path)| {
            let bytes = snapshot.read(&path).ok()?;
            if !bytes.windows(needle.len().max(1)).any(|w| w == needle) {
                return None;
            }
            match *parse_record(ws, kind, &path, &bytes).0?.record? {
                Record::Change(c) if c.release.iter().any(|r| r == name) => Some(c),
                _ => None,
            }
        })
        .collect();
    // Changes that may be deployed first, then by id.
    found.sort_by_key(|c| {
        (
            !gate::OPEN_STATES.contains(&c.status.as_str()),
            c.id.clone(),
        )
    });
    found
}
