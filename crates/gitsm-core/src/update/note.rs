//! `gitsm note`: append a note to records, terminal ones included.

use serde_json::json;

use crate::model::Timestamp;
use crate::workspace::Workspace;

use super::{Editable, Planned, UpdateError, Updated, apply_all, keys, stamp};

/// Append the note `{at: now, by, text}` to every target: each is checked
/// before any is written, and all are written or none.
pub fn note(
    ws: &Workspace,
    targets: &[Editable],
    text: &str,
    by: Option<&str>,
    now: Timestamp,
) -> Result<Vec<Updated>, UpdateError> {
    if text.trim().is_empty() {
        return Err(UpdateError::usage("the note is empty", None));
    }
    let Some(by) = by else {
        return Err(UpdateError::usage(
            "cannot tell who writes the note",
            Some("run `git config user.email you@example.com` (an email listed under `people` in gitsm.yaml gives your handle)".into()),
        ));
    };
    apply_all(ws, targets, now, |_| {
        Ok(vec![Planned::append(
            keys(&["notes"]),
            json!({"at": stamp(now), "by": by, "text": text}),
            false,
        )])
    })
}
