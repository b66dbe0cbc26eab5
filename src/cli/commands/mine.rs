//! `gitsm mine`: what needs the person running it.

use std::fmt::Write as _;
use std::process::ExitCode;

use serde_json::{Value, json};

use crate::approval;
use crate::dataset::{Dataset, Need};
use crate::kind::Kind;
use crate::local_index::Selection;
use crate::model::Record;
use crate::query::Query;
use crate::sla::{ClockState, TicketClocks};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::ui::{BOLD, stdout_write};

/// What needs you: your open tickets by SLA urgency, the decisions waiting
/// for you, and the problems you own
#[derive(Debug, clap::Args)]
#[command(after_help = "\
You are your Git email (`git config user.email`), mapped to a handle through \
`people` in gitsm.yaml. Tickets come first by SLA state (breached, at risk, \
ok), then by the next due time. A decision waits for you when a change is in \
`authorize` (or a request whose catalogue item needs approval is not approved \
yet), its rule still lacks approvals, nobody rejected it, you may decide (in \
the group, not a party to it) and you have not: `gitsm approve <ID>`.")]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value_t = MineFormat::Text)]
    pub format: MineFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MineFormat {
    Text,
    Json,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let me = super::super::context::me(&ws)?;
    let now = cx.now()?;
    // What awaits someone is still open.
    let open = Selection {
        open: true,
        ..Selection::default()
    };
    let dataset = Dataset::work_tree_where(ws, Need::Clocks, &open);
    cx.dataset(&dataset);
    cx.warnings(&dataset.warnings);
    let config = dataset.config();
    let clocks = dataset
        .clocks()
        .map_err(|e| CommandError::usage(e.to_string()))?;
    let mine = Query {
        assignee: Some(me.clone()),
        open: true,
        ..Query::default()
    };
    let mut tickets: Vec<(&Record, Option<TicketClocks>)> = Vec::new();
    let mut problems: Vec<&Record> = Vec::new();
    let mut decisions: Vec<&Record> = Vec::new();
    for r in dataset.records() {
        if approval::awaits(config, config.workflow(r), r, &me) {
            decisions.push(r);
        }
        if !mine.matches(config, r) {
            continue;
        }
        if r.kind() == Kind::Problem {
            problems.push(r);
            continue;
        }
        let clocks = clocks
            .of(r, now)
            .map_err(|e| CommandError::usage(e.to_string()))?;
        tickets.push((r, clocks));
    }
    let due = |c: &Option<TicketClocks>| c.as_ref().and_then(TicketClocks::next_due);
    tickets.sort_by_key(|(r, c)| {
        let state = c.as_ref().map_or(ClockState::Ok, TicketClocks::state);
        (
            std::cmp::Reverse(state),
            due(c).is_none(),
            due(c),
            r.id().to_owned(),
        )
    });
    problems.sort_by_key(|r| r.id().to_owned());
    decisions.sort_by_key(|r| r.id().to_owned());
    let text = match args.format {
        MineFormat::Json => {
            let ticket = |(r, c): &(&Record, Option<TicketClocks>)| {
                json!({
                    "id": r.id(),
                    "kind": r.kind(),
                    "status": r.status(),
                    "title": r.title(),
                    "sla_state": c.as_ref().map(|c| c.state().name()),
                    "due": due(c),
                })
            };
            let brief =
                |r: &&Record| json!({"id": r.id(), "status": r.status(), "title": r.title()});
            let doc = json!({
                "person": me,
                "at": now,
                "tickets": tickets.iter().map(ticket).collect::<Vec<Value>>(),
                "decisions": decisions.iter().map(brief).collect::<Vec<Value>>(),
                "problems": problems.iter().map(brief).collect::<Vec<Value>>(),
            });
            let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
            s.push('\n');
            s
        }
        MineFormat::Text => {
            let mut s = String::new();
            let _ = writeln!(s, "{BOLD}Your open tickets{BOLD:#} ({})", tickets.len());
            for (r, c) in &tickets {
                let state = c.as_ref().map_or("", |c| c.state().name());
                let when = due(c)
                    .map(|d| format!("due {}", d.format("%Y-%m-%d %H:%M %:z")))
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "  {:<10} {:<12} {:<9} {:<24} {}",
                    r.id(),
                    r.status(),
                    state,
                    when,
                    r.title()
                );
            }
            let _ = writeln!(
                s,
                "\n{BOLD}Decisions waiting for you{BOLD:#} ({})",
                decisions.len()
            );
            for r in &decisions {
                let _ = writeln!(
                    s,
                    "  {:<10} {:<12} {}  (gitsm approve {})",
                    r.id(),
                    r.status(),
                    r.title(),
                    r.id()
                );
            }
            let _ = writeln!(s, "\n{BOLD}Your open problems{BOLD:#} ({})", problems.len());
            for r in &problems {
                let _ = writeln!(s, "  {:<10} {:<12} {}", r.id(), r.status(), r.title());
            }
            s
        }
    };
    stdout_write(&text)?;
    Ok(ExitCode::SUCCESS)
}
