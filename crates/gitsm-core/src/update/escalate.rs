//! `gitsm escalate`: move incidents to another support level.

use serde_json::{Map, Value, json};

use crate::kind::Kind;
use crate::model::Timestamp;
use crate::workspace::Workspace;

use super::{Editable, Planned, Step, UpdateError, Updated, apply_all, keys, stamp};

/// Where incidents go.
#[derive(Debug, Clone, Copy)]
pub struct Escalation<'a> {
    /// The support level, 1 to 3.
    pub to_level: u8,
    /// The group that takes them, which becomes their `team`.
    pub team: Option<&'a str>,
    pub reason: Option<&'a str>,
    /// Who escalates.
    pub by: Option<&'a str>,
    /// The supplier it goes to (a key of `suppliers`).
    pub supplier: Option<&'a str>,
}

/// Append `{at, to_level, team, by, reason}` to each incident's
/// `escalations` and set its `support_level` (and `team`); the assignee
/// stays. Each is checked before any is written; all are written or none.
pub fn escalate(
    ws: &Workspace,
    targets: &[Editable],
    to: &Escalation<'_>,
    now: Timestamp,
) -> Result<Vec<Updated>, UpdateError> {
    if !(1..=3).contains(&to.to_level) {
        return Err(UpdateError::usage(
            format!("support level {} does not exist", to.to_level),
            Some("levels are 1 (service desk), 2 and 3".into()),
        ));
    }
    if let Some(team) = to.team
        && !ws.config.groups.contains_key(team)
    {
        let hint = crate::suggest::closest(team, ws.config.groups.keys().map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"));
        return Err(UpdateError::usage(
            format!("`{team}` is not a group in gitsm.yaml"),
            hint,
        ));
    }
    if let Some(supplier) = to.supplier {
        known_supplier(ws, supplier)?;
    }
    apply_all(ws, targets, now, |target| {
        if target.kind != Kind::Incident {
            return Err(UpdateError::usage(
                format!(
                    "{} is not an incident: only incidents move between support levels",
                    target.id
                ),
                None,
            ));
        }
        let level = target.json.get("support_level").and_then(Value::as_u64);
        if level == Some(u64::from(to.to_level)) {
            return Err(UpdateError::refused(
                format!("{} is at support level {} already", target.id, to.to_level),
                None,
            ));
        }
        let mut entry = Map::new();
        entry.insert("at".into(), stamp(now));
        entry.insert("to_level".into(), json!(to.to_level));
        for (key, value) in [
            ("team", to.team),
            ("by", to.by),
            ("reason", to.reason),
            ("supplier", to.supplier),
        ] {
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                entry.insert(key.into(), json!(v));
            }
        }
        let mut planned = vec![
            Planned::append(keys(&["escalations"]), Value::Object(entry), false),
            Planned::set(keys(&["support_level"]), json!(to.to_level), false),
        ];
        if let Some(team) = to.team {
            planned.push(Planned::set(keys(&["team"]), json!(team), false));
        }
        Ok(planned)
    })
}

/// Record that the receiving group picked up each incident's latest
/// escalation: its `accepted_at` becomes `now`, which stops the response
/// clock of its OLA. Refused for an incident without an escalation or
/// whose latest escalation was accepted already.
pub fn accept(
    ws: &Workspace,
    targets: &[Editable],
    now: Timestamp,
) -> Result<Vec<Updated>, UpdateError> {
    apply_all(ws, targets, now, |target| {
        let escalations = target.json.get("escalations").and_then(Value::as_array);
        let Some(last) = escalations.and_then(|e| e.len().checked_sub(1)) else {
            return Err(UpdateError::refused(
                format!("{} has no escalation to accept", target.id),
                Some(format!(
                    "escalate it first: `gitsm escalate {} --to-level 2`",
                    target.id
                )),
            ));
        };
        let latest = escalations.and_then(|e| e.get(last));
        if latest
            .and_then(|e| e.get("accepted_at"))
            .is_some_and(|v| !v.is_null())
        {
            return Err(UpdateError::refused(
                format!("{}'s latest escalation was accepted already", target.id),
                None,
            ));
        }
        let path = vec![
            Step::Key("escalations".into()),
            Step::Index(last),
            Step::Key("accepted_at".into()),
        ];
        Ok(vec![Planned::set(path, stamp(now), false)])
    })
}

/// A supplier named on the command line must be a key of `suppliers`.
pub(super) fn known_supplier(ws: &Workspace, supplier: &str) -> Result<(), UpdateError> {
    if ws.config.suppliers.contains_key(supplier) {
        return Ok(());
    }
    let hint = crate::suggest::closest(supplier, ws.config.suppliers.keys().map(String::as_str))
        .map(|s| format!("did you mean `{s}`?"));
    Err(UpdateError::usage(
        format!("`{supplier}` is not a supplier in gitsm.yaml"),
        hint,
    ))
}
