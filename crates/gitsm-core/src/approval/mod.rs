//! Decisions on changes and service requests, judged under a policy.
//!
//! With `change_policy.proof: signature` (the default) this is a pure
//! function of the record and the policy: a decision counts when its
//! signature ([`signature`]) by one of the approver's keys verifies over the
//! record's current approved content ([`content`]), the approver is in the
//! rule's group, and is neither the requester nor the implementer. With
//! `proof: commit` the file's decisions are taken as written here, and
//! history (`history::approvals`) judges who committed them.

pub mod content;
pub mod signature;

use serde::Serialize;

use crate::config::{ApprovalRule, Config, Proof, RuleName};
use crate::model::{Approval, Change, Decision, Record, Request};
use crate::workflow::Workflow;

/// States a non-standard change reaches only once approved.
pub const APPROVED_STATES: &[&str] = &["scheduled", "implement", "review", "closed"];

/// States a request that needs approval reaches only once approved.
pub const REQUEST_APPROVED_STATES: &[&str] = &["approved", "in_fulfillment", "fulfilled", "closed"];

/// How one decision of the file stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionVerdict {
    pub by: String,
    pub decision: Decision,
    pub counts: bool,
    /// Why it does not count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// How the decisions of a record stand against the rule that applies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApprovalStatus {
    /// The rule applied (`normal`, `emergency`, `high_risk`, `standard`,
    /// or `catalog` for a request).
    pub rule: String,
    /// Distinct approvals needed.
    pub required: u32,
    /// Group approvers must belong to.
    pub group: Option<String>,
    /// Handles whose approvals count.
    pub counted: Vec<String>,
    /// Handles of eligible approvers who rejected.
    pub rejected_by: Vec<String>,
    /// Every decision of the file, in order.
    pub decisions: Vec<DecisionVerdict>,
    /// The record stands as imported at the baseline (`history.baseline`):
    /// its state, approved content and decisions are as they were there,
    /// so it needs no further decision.
    pub imported: bool,
}

impl ApprovalStatus {
    pub fn satisfied(&self) -> bool {
        self.imported || self.rejected_by.is_empty() && self.counted.len() >= self.required as usize
    }

    /// One sentence saying why it is not satisfied.
    pub fn shortfall(&self) -> Option<String> {
        if self.imported {
            return None;
        }
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
            "needs {} approval(s){from} ({} rule), has {}",
            self.required,
            self.rule,
            self.counted.len()
        ))
    }

    /// Why some decisions do not count, one sentence each.
    pub fn ignored(&self) -> Vec<String> {
        self.decisions
            .iter()
            .filter_map(|d| {
                let why = d.why.as_ref()?;
                let what = if d.decision == Decision::Rejected {
                    "rejection"
                } else {
                    "approval"
                };
                Some(format!("{what} by `{}` does not count: {why}", d.by))
            })
            .collect()
    }
}

/// Whether `record` is in a state it reaches only once its decisions
/// satisfy the policy.
pub fn needs_approval(config: &Config, record: &Record) -> bool {
    match record {
        Record::Change(c) => {
            change_rule(config, c).0 != RuleName::Standard
                && APPROVED_STATES.contains(&c.status.as_str())
        }
        Record::Request(r) => {
            request_rule(config, r).is_some()
                && REQUEST_APPROVED_STATES.contains(&r.status.as_str())
        }
        _ => false,
    }
}

/// Whether `record` waits for a decision by the person `who` (a handle):
/// a change in `authorize`, or a request whose catalogue item needs
/// approval before it is approved, whose rule still lacks approvals, which
/// nobody eligible rejected, on which `who` may decide and has not yet.
/// `workflow` is the one that governs `record`.
pub fn awaits(config: &Config, workflow: &Workflow, record: &Record, who: &str) -> bool {
    let waiting = match record {
        Record::Change(c) => c.status == "authorize",
        Record::Request(r) => {
            !REQUEST_APPROVED_STATES.contains(&r.status.as_str())
                && !workflow.is_terminal(&r.status)
        }
        _ => false,
    };
    let Some(subject) = Subject::of(config, record).filter(|_| waiting) else {
        return false;
    };
    let Some(status) = judge(config, record) else {
        return false;
    };
    subject.rule.approvals > 0
        && !status.satisfied()
        && status.rejected_by.is_empty()
        && subject.ineligible(config, who).is_none()
        && !subject
            .decisions
            .iter()
            .any(|d| resolve(config, &d.by) == who)
}

/// The rule that applies to a change under `config`.
pub fn change_rule<'c>(config: &'c Config, change: &Change) -> (RuleName, &'c ApprovalRule) {
    let template_risk = change
        .template
        .as_ref()
        .and_then(|t| config.standard_changes.get(t))
        .and_then(|t| t.risk);
    config
        .change_policy
        .rule(change.change_type, change.risk, template_risk)
}

/// The rule that applies to a request: its catalogue item's, if any.
pub fn request_rule<'c>(config: &'c Config, request: &Request) -> Option<&'c ApprovalRule> {
    config
        .catalog
        .get(&request.catalog_item)
        .and_then(|i| i.approval.as_ref())
}

/// Who decides on a record, and by which rule.
pub struct Subject<'a> {
    /// The rule's name (`normal`, `emergency`, `high_risk`, `standard`, or
    /// `catalog` for a request).
    pub rule_name: &'static str,
    pub rule: &'a ApprovalRule,
    pub decisions: &'a [Approval],
    /// Handles that may not decide: the requester, the implementer, the
    /// person a request is for.
    excluded: Vec<String>,
}

/// Why a person may not decide on a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ineligible {
    /// Not a handle of the policy's `people` (under `proof: signature`).
    NotAPerson,
    /// The requester, the implementer or the person it is for.
    Party,
    /// Not in the group the rule requires.
    NotInGroup(String),
}

impl<'a> Subject<'a> {
    /// The rule and decisions of a change or a request under `config`;
    /// `None` for another kind, or a request whose item needs no approval.
    pub fn of(config: &'a Config, record: &'a Record) -> Option<Subject<'a>> {
        let (rule_name, rule, decisions, parties) = match record {
            Record::Change(c) => {
                let (name, rule) = change_rule(config, c);
                (
                    name.name(),
                    rule,
                    &c.approvals,
                    [Some(c.requested_by.as_str()), c.implementer.as_deref()],
                )
            }
            Record::Request(r) => (
                "catalog",
                request_rule(config, r)?,
                &r.approvals,
                [Some(r.requested_by.as_str()), r.requested_for.as_deref()],
            ),
            _ => return None,
        };
        Some(Subject {
            rule_name,
            rule,
            decisions,
            excluded: parties
                .iter()
                .flatten()
                .map(|p| resolve(config, p))
                .collect(),
        })
    }

    /// Why the person with handle `who` may not decide, if they may not.
    pub fn ineligible(&self, config: &Config, who: &str) -> Option<Ineligible> {
        if config.change_policy.proof == Proof::Signature && !config.people.contains_key(who) {
            return Some(Ineligible::NotAPerson);
        }
        if self.excluded.iter().any(|x| x == who) {
            return Some(Ineligible::Party);
        }
        match &self.rule.from {
            Some(group) if !config.in_group(group, who) => {
                Some(Ineligible::NotInGroup(group.clone()))
            }
            _ => None,
        }
    }
}

/// The decisions of `record` (a change or a request) judged under `config`;
/// `None` for a record that takes no decisions or needs none.
pub fn judge(config: &Config, record: &Record) -> Option<ApprovalStatus> {
    judge_with(config, record, None)
}

/// [`judge`], with the record as it was at the baseline (`imported`, see
/// `history::baseline`): the decisions it had there are imported history
/// and count as written — unsigned, or by people the policy does not know
/// — and a record whose state, approved content and decisions are all as
/// imported needs no further decision. Any later edit of what was approved
/// ends that: the record is then judged like any other, its imported
/// decisions still counting only while the approved content is unchanged.
pub fn judge_with(
    config: &Config,
    record: &Record,
    imported: Option<&Record>,
) -> Option<ApprovalStatus> {
    let subject = Subject::of(config, record)?;
    let mut status = ApprovalStatus {
        rule: subject.rule_name.to_owned(),
        required: subject.rule.approvals,
        group: subject.rule.from.clone(),
        ..ApprovalStatus::default()
    };
    let imported = imported.filter(|was| {
        was.id() == record.id()
            && content::approved_content(was) == content::approved_content(record)
    });
    let was_decisions: &[Approval] = match imported {
        Some(Record::Change(c)) => &c.approvals,
        Some(Record::Request(r)) => &r.approvals,
        _ => &[],
    };
    status.imported = imported.is_some_and(|was| was.status() == record.status())
        && was_decisions == subject.decisions;
    for d in subject.decisions {
        let who = resolve(config, &d.by);
        if was_decisions.contains(d) {
            let list = match d.decision {
                Decision::Rejected => &mut status.rejected_by,
                Decision::Approved => &mut status.counted,
            };
            if !list.contains(&who) {
                list.push(who.clone());
            }
            status.decisions.push(DecisionVerdict {
                by: d.by.clone(),
                decision: d.decision,
                counts: true,
                why: None,
            });
            continue;
        }
        let why = subject.ineligible(config, &who).map(|why| match why {
            Ineligible::NotAPerson => {
                format!("`{}` is not a person in the policy's `people`", d.by)
            }
            Ineligible::Party => format!(
                "`{}` requested it (or implements it, or it is for them) and may not decide on it",
                d.by
            ),
            Ineligible::NotInGroup(group) => {
                format!("`{}` is not in group `{group}`", d.by)
            }
        });
        // A decision proves itself only by its signature; under `proof:
        // commit` history judges it instead.
        let proof = match config.change_policy.proof {
            Proof::Signature => why
                .is_none()
                .then(|| proof(config, record, d, &who))
                .flatten(),
            Proof::Commit => None,
        };
        let eligible = why.is_none();
        let why = why.or(proof);
        // An eligible approver's rejection blocks even when its signature
        // does not verify: an unproven decision may deny, never allow.
        let list = match d.decision {
            Decision::Rejected if eligible => Some(&mut status.rejected_by),
            Decision::Approved if why.is_none() => Some(&mut status.counted),
            _ => None,
        };
        if let Some(list) = list
            && !list.contains(&who)
        {
            list.push(who.clone());
        }
        status.decisions.push(DecisionVerdict {
            by: d.by.clone(),
            decision: d.decision,
            counts: why.is_none(),
            why,
        });
    }
    Some(status)
}

/// Why decision `d` by `who` is not proven by its signature, if it is not.
fn proof(config: &Config, record: &Record, d: &Approval, who: &str) -> Option<String> {
    let keys = config.people.get(who).map_or(&[][..], |p| &p.keys[..]);
    let message = content::message(record, d)?;
    match signature::verify(who, keys, &message, d.signature.as_deref()) {
        Ok(()) => None,
        Err(signature::SignatureError::Unsigned) => Some(
            "it is not signed (sign decisions with `gitsm approve`; `change_policy.proof: commit` trusts commit authors instead, and `gitsm baseline` accepts imported history)"
                .into(),
        ),
        Err(e) => Some(e.to_string()),
    }
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
