//! `gitsm feedback <ID> --score N`: record what the person served thought.

use std::process::ExitCode;

use crate::update::{self, NewFeedback};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::edits::{EditFormat, print_json, print_text, refusal};

/// Record a satisfaction score on a resolved, fulfilled or closed ticket
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Appends `{at, by, score, comment}` to the ticket's `feedback`, in place: \
the status and every other field stay, so a closed ticket takes feedback \
too. Scores run from 1 (very dissatisfied) to 5 (very satisfied); the \
report counts 4 and 5 as satisfied (CSAT). Anyone in `people` may record \
it (a desk agent taking a phone survey gives --by the caller); one entry \
per person unless `feedback.one_per_person: false`.

Examples:
  gitsm feedback INC-0042 --score 5 --comment 'Fixed before my meeting'
  gitsm feedback REQ-0007 --score 2 --by bob --at '2026-11-20 16:00'")]
pub struct Args {
    /// The incident or request
    #[arg(value_name = "ID")]
    #[arg(add = crate::cli::complete::record_id())]
    pub id: String,
    /// Satisfaction, 1 (very dissatisfied) to 5 (very satisfied)
    #[arg(long, value_name = "1..5", value_parser = clap::value_parser!(u8).range(1..=5))]
    pub score: u8,
    /// What they said
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,
    /// Who gave it: a handle from `people` or an email (default: you)
    #[arg(long, value_name = "PERSON")]
    pub by: Option<String>,
    /// When it was given (default now): RFC 3339, a date, `2026-12-01
    /// 09:00`, `-2h` (local times in the organisation's `timezone`)
    #[arg(long, value_name = "T")]
    pub at: Option<crate::when::When>,
    /// Output format
    #[arg(long, value_enum, default_value_t = EditFormat::Text)]
    pub format: EditFormat,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let by = match args
        .by
        .clone()
        .or_else(|| super::super::context::person(&ws))
    {
        Some(by) => by,
        None => {
            return Err(CommandError::usage_hint(
                "cannot tell who gives the feedback",
                "pass --by PERSON, or run `git config user.email you@example.com`",
            ));
        }
    };
    let now = cx.now_in(&ws.config)?;
    let at = match args.at {
        Some(when) => cx.at(Some(when), &ws.config)?,
        None => now,
    };
    let target = update::open(&ws, &args.id).map_err(|e| refusal(cx, &ws.root, e))?;
    let entry = NewFeedback {
        score: args.score,
        comment: args.comment.as_deref(),
        by: &by,
        at,
    };
    let updated =
        update::feedback(&ws, &target, &entry, now).map_err(|e| refusal(cx, &ws.root, e))?;
    if args.format == EditFormat::Json {
        return print_json(&[&updated]).map(|()| ExitCode::SUCCESS);
    }
    let headline = format!("{}: feedback {} from {by}", updated.id, args.score);
    print_text(cx, &ws.root, &headline, &updated.path, Some(&updated))?;
    Ok(ExitCode::SUCCESS)
}
