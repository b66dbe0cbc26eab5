//! `gitsm link <A> <B>`: link two records, stored once on its natural side.

use std::process::ExitCode;

use crate::update;

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::edits::{EditFormat, print_json, print_text, refusal};

/// Link two records; the link is stored once, on the record that names the other
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Where the link is stored:
  incident -> problem      the incident's `problem`
  incident -> change       the incident's `caused_by_change`
  problem  -> change       the problem's `fix_change`
  incident/problem -> CI   `affected_cis`
  change/request -> CI     `cis`
  CI -> CI                 `relations.depends_on` (or the relation given with --as)
  anything else            the first record's `links`
When B is the side that names A (`gitsm link PRB-0001 INC-0003`), the link is \
written on B and the output says so. `gitsm show` lists links both ways. A \
link that exists already is reported and nothing is written (exit 0); a \
field that holds one id and names another record is not replaced (exit 1).

Examples:
  gitsm link INC-0042 PRB-0007
  gitsm link payments-api orders-db
  gitsm link payments-api k8s-prod --as runs_on")]
pub struct Args {
    /// The record to link from, e.g. INC-0042
    #[arg(add = crate::cli::complete::record_id())]
    pub a: String,
    /// The record to link to, e.g. PRB-0007
    #[arg(add = crate::cli::complete::record_id())]
    pub b: String,
    /// The relation between two CIs (depends_on, runs_on, hosted_on, connected_to, part_of, …)
    #[arg(long = "as", value_name = "RELATION")]
    pub relation: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = EditFormat::Text)]
    pub format: EditFormat,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let now = cx.now_in(&ws.config)?;
    let linked = update::link(&ws, &args.a, &args.b, args.relation.as_deref(), now)
        .map_err(|e| refusal(cx, &ws.root, e))?;
    if args.format == EditFormat::Json {
        print_json(&linked)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (headline, updated) = match &linked.update {
        None => (
            format!(
                "already linked: {} {}: {}",
                linked.holder, linked.field, linked.other
            ),
            None,
        ),
        Some(updated) if linked.reversed => (
            format!(
                "{} <- {}: stored on {}, the side that names the other",
                linked.other, linked.holder, linked.holder
            ),
            Some(updated),
        ),
        Some(updated) => (
            format!("{}: linked to {}", linked.holder, linked.other),
            Some(updated),
        ),
    };
    print_text(cx, &ws.root, &headline, &linked.path, updated)?;
    Ok(ExitCode::SUCCESS)
}
