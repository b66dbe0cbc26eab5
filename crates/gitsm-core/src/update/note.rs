//! `gitsm note`: append a note to records, terminal ones included; with
//! `--update`, an entry of a major incident's communications log.

use serde_json::json;

use crate::kind::Kind;
use crate::model::Timestamp;
use crate::workspace::Workspace;

use super::{Editable, Planned, UpdateError, Updated, apply_all, keys, stamp};

/// Who a communications update is for when the command does not say.
pub const DEFAULT_AUDIENCE: &str = "all";

/// Append the note `{at: now, by, text}` to every target: each is checked
/// before any is written, and all are written or none.
pub fn note(
    ws: &Workspace,
    targets: &[Editable],
    text: &str,
    by: Option<&str>,
    now: Timestamp,
) -> Result<Vec<Updated>, UpdateError> {
    let by = author(text, by, "note")?;
    apply_all(ws, targets, now, |_| {
        Ok(vec![Planned::append(
            keys(&["notes"]),
            json!({"at": stamp(now), "by": by, "text": text}),
            false,
        )])
    })
}

/// Append the communications update `{at: now, by, audience, text}` to
/// every target, incidents only; like notes, updates are appended in any
/// state and never edited.
pub fn comms_update(
    ws: &Workspace,
    targets: &[Editable],
    text: &str,
    audience: Option<&str>,
    by: Option<&str>,
    now: Timestamp,
) -> Result<Vec<Updated>, UpdateError> {
    let by = author(text, by, "update")?;
    let audience = audience.map_or(DEFAULT_AUDIENCE, str::trim);
    if audience.is_empty() {
        return Err(UpdateError::usage("--audience is empty", None));
    }
    if let Some(other) = targets.iter().find(|t| t.kind != Kind::Incident) {
        return Err(UpdateError::usage(
            format!(
                "{} is a {}: only incidents keep a communications log",
                other.id,
                other.kind.label()
            ),
            Some(format!(
                "add a work note instead: `gitsm note {} '...'`",
                other.id
            )),
        ));
    }
    apply_all(ws, targets, now, |_| {
        Ok(vec![Planned::append(
            keys(&["updates"]),
            json!({"at": stamp(now), "by": by, "audience": audience, "text": text}),
            false,
        )])
    })
}

/// The author of a note or update, refused when unknown or the text is empty.
fn author<'a>(text: &str, by: Option<&'a str>, what: &str) -> Result<&'a str, UpdateError> {
    if text.trim().is_empty() {
        return Err(UpdateError::usage(format!("the {what} is empty"), None));
    }
    by.ok_or_else(|| {
        UpdateError::usage(
            format!("cannot tell who writes the {what}"),
            Some("run `git config user.email you@example.com` (an email listed under `people` in gitsm.yaml gives your handle)".into()),
        )
    })
}
