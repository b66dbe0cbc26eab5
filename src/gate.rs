//! The release gate: may change X be implemented at time T?
//!
//! Yes only when the change is `scheduled` or `implement`, its approvals
//! satisfy the change policy *as history judges them* (authentic, fresh,
//! not rejected), its window contains T, and no freeze window forbids its
//! type at T. Every reason against is collected, not only the first.

use serde::Serialize;

use crate::config::Config;
use crate::history::approvals::{EntryVerdict, Verdict};
use crate::model::{Change, ChangeType, Timestamp};

/// States in which a change may be deployed.
pub const OPEN_STATES: &[&str] = &["scheduled", "implement"];

/// The gate's answer.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub allowed: bool,
    pub change: String,
    pub status: String,
    #[serde(rename = "type")]
    pub change_type: ChangeType,
    pub at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<(Timestamp, Timestamp)>,
    pub reasons: Vec<String>,
    pub approvals: Vec<EntryVerdict>,
}

/// Judge `change` at `at`; `verdict` is what history says of its approvals.
pub fn decide(config: &Config, change: &Change, verdict: &Verdict, at: Timestamp) -> Decision {
    let mut reasons = Vec::new();
    if !OPEN_STATES.contains(&change.status.as_str()) {
        reasons.push(format!(
            "status is `{}`; a change may be implemented only when `scheduled` or `implement`",
            change.status
        ));
    }
    match change.change_type {
        ChangeType::Standard => match &change.template {
            Some(t) if config.standard_changes.contains_key(t) => {}
            Some(t) => reasons.push(format!(
                "standard change template `{t}` is not in `standard_changes`"
            )),
            None => reasons.push("a standard change must name its `template`".to_owned()),
        },
        _ => reasons.extend(verdict.reasons()),
    }
    let window = change.window.as_ref().map(|w| (w.start, w.end));
    match window {
        None => reasons.push("the change has no `window`".to_owned()),
        Some((start, end)) if at < start || at > end => reasons.push(format!(
            "{} is outside its window {} – {}",
            at.to_rfc3339(),
            start.to_rfc3339(),
            end.to_rfc3339()
        )),
        Some(_) => {}
    }
    for w in &config.freeze_windows {
        if w.start <= at && at < w.end && !w.allow.contains(&change.change_type) {
            reasons.push(format!(
                "freeze `{}` ({} – {}) does not allow {} changes",
                w.name,
                w.start.to_rfc3339(),
                w.end.to_rfc3339(),
                change.change_type.name()
            ));
        }
    }
    Decision {
        allowed: reasons.is_empty(),
        change: change.id.clone(),
        status: change.status.clone(),
        change_type: change.change_type,
        at,
        window,
        reasons,
        approvals: verdict.entries.clone(),
    }
}
