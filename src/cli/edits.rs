//! How the editing commands (`set`, `transition`, `note`, `link`,
//! `escalate`, `approve`, `renumber`) report what they changed, and the
//! command error for an edit that was refused.

use std::path::Path;

use crate::update::{FieldEdit, UpdateError, Updated};

use super::CommandError;
use super::context::CommandContext;
use super::ui::stdout_write;

/// How the editing commands report what they changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EditFormat {
    Text,
    Json,
}

pub(super) fn print_json(doc: &impl serde::Serialize) -> Result<(), CommandError> {
    let mut json = serde_json::to_string_pretty(doc).map_err(|e| CommandError::io("JSON", e))?;
    json.push('\n');
    stdout_write(&json)
}

/// `headline (path)` and a line per field changed, unless `-q`; warnings
/// about the new version first.
pub(super) fn print_text(
    cx: &CommandContext,
    root: &Path,
    headline: &str,
    path: &Path,
    updated: Option<&Updated>,
) -> Result<(), CommandError> {
    if cx.quiet {
        return Ok(());
    }
    let mut s = format!("{headline} ({})\n", cx.show_path(root, path));
    if let Some(updated) = updated {
        cx.print_diagnostics(&updated.warnings);
        if updated.written {
            // The headline of a transition says where `status` went.
            for c in updated.changes.iter().filter(|c| c.field != "status") {
                s.push_str(&change_line(c));
            }
        }
    }
    stdout_write(&s)
}

/// `  resolution.code: fixed`, `  notes: + at=… by=… text=…`.
fn change_line(c: &FieldEdit) -> String {
    let value = super::output::inline(&c.value);
    let you = if c.implied && c.field == "assignee" {
        " (you)"
    } else {
        ""
    };
    let plus = if c.append { "+ " } else { "" };
    format!("  {}: {plus}{value}{you}\n", c.field)
}

/// The command error for a refused change, with its diagnostics printed:
/// exit 2 for a wrong argument, 1 when the record or its workflow refuses.
pub(super) fn refusal(cx: &CommandContext, root: &Path, e: UpdateError) -> CommandError {
    match e {
        UpdateError::Usage { message, hint } => CommandError::Usage { message, hint },
        UpdateError::Io { path, source } => CommandError::io(cx.show_path(root, &path), source),
        UpdateError::Transition {
            ref from,
            ref allowed,
            ..
        } => {
            let hint = if allowed.is_empty() {
                format!("`{from}` is a terminal state: nothing may follow it")
            } else {
                format!(
                    "from `{from}` it may move to {}",
                    allowed
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            failed(&e.to_string(), Some(&hint))
        }
        UpdateError::Refused { message, hint } => failed(&message, hint.as_deref()),
        UpdateError::Unsafe { path, source } => failed(
            &format!("cannot edit {} safely: {source}", cx.show_path(root, &path)),
            Some("nothing was changed; gitsm edits only what it can write back exactly"),
        ),
        UpdateError::Invalid {
            ref path,
            ref proposed,
            ref diagnostics,
        } => {
            // The lines shown are those of the edited text: the file on
            // disk still holds the old one.
            let mut err = anstream::stderr().lock();
            let _ = super::output::text_of(
                diagnostics,
                root,
                cx,
                Some((path.as_path(), proposed.as_str())),
                &mut err,
            );
            failed(
                &format!(
                    "{} was not changed: the edit would not validate (lines above are of the edited version)",
                    cx.show_path(root, path)
                ),
                None,
            )
        }
    }
}

/// Print `error:`/`hint:` now and return an exit-1 error with nothing
/// more to print.
fn failed(message: &str, hint: Option<&str>) -> CommandError {
    super::ui::error_line(message, hint);
    CommandError::Failed(String::new())
}
