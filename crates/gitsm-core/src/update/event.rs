//! A repeat of the alert behind an incident (`gitsm intake`): a note, and
//! the incident's `event` counts it.

use serde_json::{Value, json};

use crate::model::Timestamp;
use crate::workspace::Workspace;

use super::{Editable, Planned, UpdateError, Updated, apply_checked, keys, stamp};

/// Append the note `{at: now, by, text}` to the incident and set its
/// `event.last_at` to `now`; with `count`, add one to `event.occurrences`.
/// Checked, then written in one edit.
pub fn repeat(
    ws: &Workspace,
    target: &Editable,
    text: &str,
    by: &str,
    count: bool,
    now: Timestamp,
) -> Result<Updated, UpdateError> {
    let Some(event) = target.json.get("event").filter(|e| e.is_object()) else {
        return Err(UpdateError::refused(
            format!("{} has no `event` to count a repeat on", target.id),
            None,
        ));
    };
    let mut planned = vec![Planned::append(
        keys(&["notes"]),
        json!({"at": stamp(now), "by": by, "text": text}),
        false,
    )];
    if count {
        let seen = event
            .get("occurrences")
            .and_then(Value::as_u64)
            .unwrap_or(1);
        planned.push(Planned::set(
            keys(&["event", "occurrences"]),
            json!(seen.saturating_add(1)),
            true,
        ));
    }
    planned.push(Planned::set(keys(&["event", "last_at"]), stamp(now), true));
    apply_checked(ws, target, &planned, now)
}
