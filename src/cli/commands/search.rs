//! `gitsm search <TEXT>`: full-text search over the records.

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::kind::Kind;
use crate::local_index::search::{Search, SearchError};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::ui::{BOLD, one_line, stdout_write, terminal_safe};

/// Find records by the words of their titles, descriptions, notes,
/// resolutions, root causes and workarounds, best match first
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Every word must occur, in any form stemming joins (`acquirers` finds \
`acquirer`); \"quoted words\" must occur in that order. A title counts ten \
times the rest. Served by the local index (`<git dir>/gitsm/index.sqlite`), \
brought up to date with the work tree first. Exit 0 with or without \
matches.

Examples:
  gitsm search acquirer --open
  gitsm search '\"card declined\"' --kind problem --format json")]
pub struct Args {
    /// Words to find
    #[arg(required = true, value_name = "TEXT")]
    pub text: Vec<String>,
    /// Only records of this kind
    #[arg(long)]
    #[arg(add = crate::cli::complete::kind())]
    pub kind: Option<Kind>,
    /// Only tickets that still need work
    #[arg(long)]
    pub open: bool,
    /// Show at most N (1 or more)
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub limit: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = SearchFormat::Text)]
    pub format: SearchFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SearchFormat {
    Text,
    Json,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let search = Search {
        text: args.text.join(" "),
        kind: args.kind,
        open: args.open,
        limit: args.limit,
    };
    let mut index = cx.local_index()?;
    let mut hits = index.search(&search);
    // Found damaged as it was read: removed, so opened again from the
    // records, and asked once more.
    if let Err(SearchError::Sqlite(e)) = &hits
        && let Some(damage) = index.damaged(e)
    {
        drop(index);
        index = cx.local_index_again(&damage)?;
        hits = index.search(&search);
    }
    let hits = hits.map_err(|e| match e {
        SearchError::Empty | SearchError::TooManyWords => CommandError::usage(e.to_string()),
        SearchError::Sqlite(e) => CommandError::Failed(format!("the local index: {e}")),
    })?;
    let text = match args.format {
        SearchFormat::Json => {
            let mut s = serde_json::to_string_pretty(&hits).unwrap_or_default();
            s.push('\n');
            s
        }
        SearchFormat::Text => {
            let mut s = String::new();
            for hit in &hits {
                let _ = writeln!(
                    s,
                    "{BOLD}{}{BOLD:#}  {}  {}",
                    terminal_safe(hit.id.as_deref().unwrap_or(&hit.path)),
                    terminal_safe(hit.status.as_deref().unwrap_or("")),
                    one_line(&terminal_safe(hit.title.as_deref().unwrap_or("")))
                );
                let mut line = String::new();
                let mut from = 0;
                for &(start, end) in &hit.matches {
                    line.push_str(&terminal_safe(&hit.snippet[from..start]));
                    let _ = write!(
                        line,
                        "{BOLD}{}{BOLD:#}",
                        terminal_safe(&hit.snippet[start..end])
                    );
                    from = end;
                }
                line.push_str(&terminal_safe(&hit.snippet[from..]));
                let _ = writeln!(s, "    {line}");
            }
            s
        }
    };
    stdout_write(&text)?;
    if hits.is_empty() && !cx.quiet {
        cx.status("no record matches");
    }
    Ok(ExitCode::SUCCESS)
}
