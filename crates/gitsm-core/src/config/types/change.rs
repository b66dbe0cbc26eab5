//! Change enablement: approval rules, proof of decisions, standard-change templates and freezes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{ChangeType, Level, Timestamp};

use super::*;

/// Approvals by change type and risk. Defaults: normal 2 from `cab`,
/// emergency 1 from `ecab`, standard 0 (template required), high risk 3 from `cab`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ChangePolicy {
    /// Changes no other rule matches.
    pub normal: ApprovalRule,
    /// Emergency changes (the emergency CAB).
    pub emergency: ApprovalRule,
    /// Standard changes whose risk is at most their template's (low when the template names none).
    pub standard: ApprovalRule,
    /// Changes with `risk: high`.
    pub high_risk: ApprovalRule,
    /// The rules tried in turn; the first that matches a change applies, `normal` when none does.
    pub order: Vec<RuleName>,
    /// What proves a decision: `signature` (an SSH signature by one of the approver's `keys`
    /// over the approved content) or `commit` (the commit adding it was authored by one of the
    /// approver's emails — a self-asserted author email, trusted as such).
    pub proof: Proof,
    /// Scheduling conflicts (overlaps, freezes, maintenance windows) are errors, not warnings.
    pub conflicts_are_errors: bool,
}

/// A rule of `change_policy` that `order` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleName {
    /// Standard changes within their template's risk.
    Standard,
    /// Emergency changes.
    Emergency,
    /// Changes with `risk: high`.
    HighRisk,
    /// Any other change.
    Normal,
}

impl RuleName {
    pub fn name(self) -> &'static str {
        match self {
            RuleName::Standard => "standard",
            RuleName::Emergency => "emergency",
            RuleName::HighRisk => "high_risk",
            RuleName::Normal => "normal",
        }
    }
}

/// What proves that a person took a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Proof {
    /// A signature by one of the approver's keys over the approved content.
    #[default]
    Signature,
    /// The author email of the commit that added the decision (self-asserted).
    Commit,
}

impl Default for ChangePolicy {
    fn default() -> Self {
        let rule = |n: u32, from: Option<&str>| ApprovalRule {
            approvals: n,
            from: from.map(String::from),
        };
        ChangePolicy {
            normal: rule(2, Some("cab")),
            emergency: rule(1, Some("ecab")),
            standard: rule(0, None),
            high_risk: rule(3, Some("cab")),
            order: vec![RuleName::Standard, RuleName::Emergency, RuleName::HighRisk],
            proof: Proof::Signature,
            conflicts_are_errors: false,
        }
    }
}

impl ChangePolicy {
    /// The rule that applies to a change of this type and risk, whose
    /// template (for a standard change) allows `template_risk`: the first
    /// of `order` that matches, else `normal`.
    pub fn rule(
        &self,
        change_type: ChangeType,
        risk: Option<Level>,
        template_risk: Option<Level>,
    ) -> (RuleName, &ApprovalRule) {
        let matches = |name: RuleName| match name {
            RuleName::Standard => {
                // Level orders High < Medium < Low: a larger one is less risky.
                change_type == ChangeType::Standard
                    && risk.is_none_or(|r| r >= template_risk.unwrap_or(Level::Low))
            }
            RuleName::Emergency => change_type == ChangeType::Emergency,
            RuleName::HighRisk => risk == Some(Level::High),
            RuleName::Normal => true,
        };
        let name = self
            .order
            .iter()
            .copied()
            .find(|n| matches(*n))
            .unwrap_or(RuleName::Normal);
        let rule = match name {
            RuleName::Standard => &self.standard,
            RuleName::Emergency => &self.emergency,
            RuleName::HighRisk => &self.high_risk,
            RuleName::Normal => &self.normal,
        };
        (name, rule)
    }
}

/// A pre-approved standard change.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StandardChange {
    /// The title of changes made from this template.
    pub title: String,
    /// What the template covers (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The assessed risk; a change from this template may not exceed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<Level>,
    /// The CIs the pre-approved change may touch; a change from this
    /// template that names others is refused (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cis: Vec<String>,
    /// The pre-approved steps (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation_plan: Option<String>,
    /// How to undo it (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backout_plan: Option<String>,
    /// How to verify it worked (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_plan: Option<String>,
}

/// A change freeze (blackout window).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FreezeWindow {
    /// What the freeze is for, e.g. `year-end close`.
    pub name: String,
    /// When the freeze begins (RFC 3339 with offset).
    pub start: Timestamp,
    /// When it ends (RFC 3339 with offset).
    pub end: Timestamp,
    /// Change types still allowed during the freeze (e.g. `[emergency]`).
    #[serde(default)]
    pub allow: Vec<ChangeType>,
}

impl FreezeWindow {
    /// Whether the freeze forbids a change of `change_type` in the window
    /// `start`..`end`: they overlap and the type is not allowed.
    pub fn forbids(&self, change_type: ChangeType, start: Timestamp, end: Timestamp) -> bool {
        start < self.end && self.start < end && !self.allow.contains(&change_type)
    }
}
