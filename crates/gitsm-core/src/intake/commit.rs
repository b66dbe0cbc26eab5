//! `gitsm intake --commit`: the files intake wrote, committed as the bot.

use std::path::PathBuf;

use crate::model::Timestamp;
use crate::workspace::Workspace;

use super::{Action, IntakeError, Outcome, one_line};

/// The commit message for what intake did: `intake: open INC-0042 from
/// alertmanager (HighLatency)`, a line per event in the body when there
/// are several.
pub fn commit_message(outcomes: &[Outcome]) -> String {
    let done: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.action != Action::Nothing)
        .collect();
    let verb = |o: &Outcome| match o.action {
        Action::Opened => "open",
        Action::Noted => "note",
        Action::Repeated => "count",
        Action::Resolved => "resolve",
        Action::Nothing => "skip",
    };
    let line = |o: &Outcome| {
        format!(
            "{} {} from {} ({})",
            verb(o),
            o.id.as_deref().unwrap_or("?"),
            o.source.name(),
            one_line(&o.event)
        )
    };
    let mut subject = match done.as_slice() {
        [one] => format!("intake: {}", line(one)),
        many => format!(
            "intake: {} from {}",
            many.iter()
                .map(|o| format!("{} {}", verb(o), o.id.as_deref().unwrap_or("?")))
                .collect::<Vec<_>>()
                .join(", "),
            many.first().map_or("?", |o| o.source.name())
        ),
    };
    if subject.chars().count() > 72 {
        subject = subject.chars().take(71).collect::<String>() + "…";
    }
    let mut message = subject + "\n";
    if done.len() > 1 || done.iter().any(|o| line(o).chars().count() > 60) {
        message.push('\n');
        for o in &done {
            message.push_str(&format!("- {}\n", line(o)));
        }
    }
    message
}

/// Commit the files of `outcomes` (and nothing else) as `intake.bot`, at
/// `now`, on the current branch. `None` when nothing was written.
pub fn commit(
    ws: &Workspace,
    outcomes: &[Outcome],
    now: Timestamp,
) -> Result<Option<String>, IntakeError> {
    let fail = |m: String| IntakeError::Commit(m);
    let mut files: Vec<PathBuf> = outcomes
        .iter()
        .filter(|o| o.action != Action::Nothing)
        .filter_map(|o| o.path.clone())
        .collect();
    files.sort();
    files.dedup();
    if files.is_empty() {
        return Ok(None);
    }
    let repo = crate::git::open(&ws.root)
        .ok_or_else(|| fail("the managed root is not in a Git work tree".into()))?;
    let prefix = crate::git::prefix(&repo, &ws.root).unwrap_or_default();
    let paths: Vec<PathBuf> = files.iter().map(|f| prefix.join(f)).collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
    let bot = &ws.config.intake.bot;
    let time = git2::Time::new(now.timestamp(), now.offset().local_minus_utc() / 60);
    let sig = git2::Signature::new(&bot.name, &bot.email, &time)
        .map_err(|e| fail(format!("intake.bot: {}", e.message())))?;
    let oid = crate::commit::commit_paths(&repo, &refs, &sig, &commit_message(outcomes))
        .map_err(|e| fail(e.message().to_owned()))?;
    Ok(Some(oid.to_string()))
}
