//! `gitsm history <ID>`: a record's audit trail from Git.

use std::fmt::Write as _;
use std::process::ExitCode;

use serde_json::Value;

use crate::git;
use crate::history::trail::{self, Action, Trail};
use crate::snapshot::Snapshot;

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::ui::{BOLD, DIM, stdout_write};

/// Show the audit trail of a record: each commit that touched it, its
/// author and date, and the fields it changed (status transitions first)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Record id, e.g. INC-0042
    #[arg(add = crate::cli::complete::record_id())]
    pub id: String,
    /// Revision whose history is shown
    #[arg(long, default_value = "HEAD", value_name = "REV")]
    pub rev: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = HistoryFormat::Text)]
    pub format: HistoryFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HistoryFormat {
    Text,
    Json,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let (repo, prefix) = cx.repository(&ws, "there is no history to show")?;
    let tip = git::commit_at(&repo, &args.rev).map_err(CommandError::usage)?;
    let kind = ws.config.ids.kind_of(&args.id);
    let trail = trail::record_trail(&repo, &prefix, kind, &args.id, tip.id())
        .map_err(|e| CommandError::io("reading history", e))?;
    if trail.events.is_empty() {
        let tree = tip
            .tree()
            .map_err(|e| CommandError::io("reading history", e))?;
        let in_tree = !Snapshot::new(&repo, Some(&tree), &prefix)
            .locate(kind, &args.id)
            .is_empty();
        let on_disk = crate::records::discover(&ws, &[kind])
            .0
            .iter()
            .any(|(_, p)| p.file_stem().is_some_and(|s| s == args.id.as_str()));
        return Err(if in_tree || !on_disk {
            CommandError::usage(format!(
                "no {} `{}` in the history of {}",
                kind.label(),
                args.id,
                args.rev
            ))
        } else {
            CommandError::usage_hint(format!("{} has no history yet", args.id), "commit it first")
        });
    }
    match args.format {
        HistoryFormat::Json => {
            let json = serde_json::to_string_pretty(&trail)
                .map_err(|e| CommandError::io("JSON output", e))?;
            stdout_write(&format!("{json}\n"))?;
        }
        HistoryFormat::Text => stdout_write(&text(&trail, &ws.config))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn text(trail: &Trail, config: &crate::config::Config) -> String {
    let mut out = String::new();
    let n = trail.events.len();
    let _ = writeln!(
        out,
        "{BOLD}{}{BOLD:#}: {n} commit{}{}",
        trail.id,
        if n == 1 { "" } else { "s" },
        match trail.reopened {
            0 => String::new(),
            1 => ", reopened once".into(),
            k => format!(", reopened {k} times"),
        }
    );
    if trail.incomplete {
        let _ = writeln!(
            out,
            "history is incomplete: this shallow clone ends at {}; `git fetch --unshallow` fetches the rest",
            trail.events.first().map_or("", |e| &e.commit[..10])
        );
    }
    for (i, e) in trail.events.iter().enumerate() {
        let who = match config.person_by_email(&e.author.email) {
            Some(handle) => format!("{} <{}> ({handle})", e.author.name, e.author.email),
            None => format!("{} <{}>", e.author.name, e.author.email),
        };
        let _ = writeln!(
            out,
            "\n{DIM}{}{DIM:#}  {}  {who}\n    {}",
            &e.commit[..10],
            e.at.to_rfc3339(),
            e.summary
        );
        match e.action {
            Action::Created => {
                let state = e.transition.as_ref().map(|t| t.to.as_str()).unwrap_or("?");
                if i == 0 && trail.incomplete {
                    let _ = writeln!(out, "  `{state}` at the shallow clone's edge ({})", e.path);
                } else {
                    let _ = writeln!(out, "  created as `{state}` ({})", e.path);
                }
                continue;
            }
            Action::Deleted => {
                let _ = writeln!(out, "  deleted ({})", e.path);
                continue;
            }
            Action::Moved => {
                let _ = writeln!(out, "  moved to {}", e.path);
            }
            Action::Changed => {}
        }
        for c in &e.changes {
            let _ = writeln!(out, "  {}: {} -> {}", c.field, show(&c.from), show(&c.to));
        }
    }
    out
}

/// A field value on one line.
fn show(v: &Value) -> String {
    let s = match v {
        Value::Null => "(unset)".to_owned(),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{} item{}]",
            items.len(),
            if items.len() == 1 { "" } else { "s" }
        ),
        other => other.to_string(),
    };
    let line = s.lines().next().unwrap_or_default();
    if line.chars().count() > 60 || s.contains('\n') {
        format!("{}…", line.chars().take(60).collect::<String>())
    } else {
        line.to_owned()
    }
}
