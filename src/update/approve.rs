//! `gitsm approve`: append an approval (or a rejection) by the person
//! running gitsm, stamped now — refused for anyone the change policy does
//! not allow to decide on this change.

use serde_json::{Map, Value};

use crate::approval;
use crate::model::{ChangeType, Record, Timestamp};
use crate::workspace::Workspace;

use super::{Planned, Target, UpdateError, Updated, apply_checked, keys, stamp};

/// One decision to record.
pub struct Decision<'a> {
    /// The approver's handle in `people` (from their Git email).
    pub by: &'a str,
    pub reject: bool,
    pub comment: Option<&'a str>,
}

/// Append `decision` to the change's approvals, after checking the
/// approver may decide: in the group the policy requires for this change's
/// type and risk, and neither its requester nor its implementer.
pub fn approve(
    ws: &Workspace,
    target: &Target,
    decision: &Decision<'_>,
    now: Timestamp,
) -> Result<Updated, UpdateError> {
    let record = Record::from_json(target.kind, target.json.clone()).map_err(|e| {
        UpdateError::refused(
            format!("{} is not a valid record: {e}", target.path.display()),
            Some("run `gitsm validate` and fix it first".into()),
        )
    })?;
    let Record::Change(change) = record else {
        return Err(UpdateError::usage(
            format!("{} is not a change; only changes are approved", target.id),
            None,
        ));
    };
    if change.change_type == ChangeType::Standard {
        return Err(UpdateError::refused(
            format!(
                "{} is a standard change: its template is pre-approved",
                change.id
            ),
            None,
        ));
    }
    let config = &ws.config;
    if config
        .workflow(&Record::Change(change.clone()))
        .is_terminal(&change.status)
    {
        return Err(UpdateError::refused(
            format!(
                "{} is `{}`: it is too late to decide on it",
                change.id, change.status
            ),
            None,
        ));
    }
    let rule = config.change_policy.rule(change.change_type, change.risk);
    let me = approval::resolve(config, decision.by);
    let excluded = [
        Some(change.requested_by.as_str()),
        change.implementer.as_deref(),
    ];
    if excluded
        .iter()
        .flatten()
        .any(|x| approval::resolve(config, x) == me)
    {
        return Err(UpdateError::refused(
            format!(
                "`{}` requested or implements {} and may not approve it (separation of duties)",
                decision.by, change.id
            ),
            None,
        ));
    }
    if let Some(group) = &rule.from
        && !config.in_group(group, &me)
    {
        return Err(UpdateError::refused(
            format!(
                "a {}{} change is approved by `{group}`, and `{}` is not in it",
                change.change_type.name(),
                if change.risk == Some(crate::model::Level::High) {
                    ", high-risk"
                } else {
                    ""
                },
                decision.by
            ),
            Some(format!(
                "ask a member of `{group}` (see `groups` in gitsm.yaml)"
            )),
        ));
    }
    let mut entry = Map::new();
    entry.insert("by".into(), Value::String(decision.by.to_owned()));
    let verdict = if decision.reject {
        "rejected"
    } else {
        "approved"
    };
    entry.insert("decision".into(), Value::String(verdict.into()));
    entry.insert("at".into(), stamp(now));
    if let Some(c) = decision.comment {
        entry.insert("comment".into(), Value::String(c.to_owned()));
    }
    let planned = [Planned::append(
        keys(&["approvals"]),
        Value::Object(entry),
        false,
    )];
    apply_checked(ws, target, &planned, now)
}
