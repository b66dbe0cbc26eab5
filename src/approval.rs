//! Change approval policy, judged on the approvals a change file lists.
//!
//! This is what a file says. Whether each entry was committed by the
//! approver's own Git identity, and is not stale, is judged from history.

use crate::config::{ApprovalRule, Config};
use crate::model::{Approval, Change, Decision};

/// States a non-standard change reaches only once approved.
pub const APPROVED_STATES: &[&str] = &["scheduled", "implement", "review", "closed"];

/// How a list of approvals stands against a rule.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApprovalStatus {
    /// Distinct approvals needed.
    pub required: u32,
    /// Group approvers must belong to.
    pub group: Option<String>,
    /// Handles whose approvals count.
    pub counted: Vec<String>,
    /// Handles who rejected.
    pub rejected_by: Vec<String>,
    /// Why some approvals do not count.
    pub ignored: Vec<String>,
}

impl ApprovalStatus {
    pub fn satisfied(&self) -> bool {
        self.rejected_by.is_empty() && self.counted.len() >= self.required as usize
    }

    /// One sentence saying why it is not satisfied.
    pub fn shortfall(&self) -> Option<String> {
        if let Some(who) = self.rejected_by.first() {
            return Some(format!(
                "rejected by `{who}`; it must go back to `new` before it can be approved again"
            ));
        }
        if self.satisfied() {
            return None;
        }
        let from = self
            .group
            .as_deref()
            .map(|g| format!(" from `{g}`"))
            .unwrap_or_default();
        Some(format!(
            "needs {} approval(s){from}, has {}",
            self.required,
            self.counted.len()
        ))
    }
}

/// Judge `approvals` of a record requested by `requester` (and implemented by
/// `implementer`) under `rule`.
pub fn evaluate(
    config: &Config,
    rule: &ApprovalRule,
    approvals: &[Approval],
    excluded: &[Option<&str>],
) -> ApprovalStatus {
    let mut status = ApprovalStatus {
        required: rule.approvals,
        group: rule.from.clone(),
        ..ApprovalStatus::default()
    };
    for a in approvals {
        let who = resolve(config, &a.by);
        if excluded.iter().flatten().any(|x| resolve(config, x) == who) {
            status.ignored.push(format!(
                "`{}` requested or implements it and may not approve it",
                a.by
            ));
            continue;
        }
        if let Some(group) = &rule.from
            && !config.in_group(group, &who)
        {
            status
                .ignored
                .push(format!("`{}` is not in group `{group}`", a.by));
            continue;
        }
        match a.decision {
            Decision::Rejected => {
                if !status.rejected_by.contains(&who) {
                    status.rejected_by.push(who);
                }
            }
            Decision::Approved => {
                if !status.counted.contains(&who) {
                    status.counted.push(who);
                }
            }
        }
    }
    status
}

/// The status of a change's approvals under the change policy.
pub fn for_change(config: &Config, change: &Change) -> ApprovalStatus {
    let rule = config.change_policy.rule(change.change_type, change.risk);
    evaluate(
        config,
        rule,
        &change.approvals,
        &[Some(&change.requested_by), change.implementer.as_deref()],
    )
}

/// A person's handle: the handle itself, or the handle owning an email.
pub fn resolve(config: &Config, who: &str) -> String {
    if who.contains('@') {
        if let Some(h) = config.person_by_email(who) {
            return h.to_owned();
        }
        return who.to_ascii_lowercase();
    }
    who.to_owned()
}
