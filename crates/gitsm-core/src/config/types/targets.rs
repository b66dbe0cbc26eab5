//! Targets beyond the SLA of a priority: operational level agreements
//! between support groups (`ola`), the underpinning contracts of
//! suppliers (`suppliers`) and the resolution targets of problems
//! (`problem_targets`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::duration::{Days, Duration};
use crate::model::Priority;

/// An operational level agreement: how fast a support group picks up
/// and resolves what is escalated to it. It applies to the escalations
/// whose `team` (or, without a target for the team, `to_level`) it
/// names; at least one of `team` and `level` is required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OlaTarget {
    /// What the report calls it; default: the team, else `level N`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The group (an escalation's `team`) it binds. A target naming the
    /// team of an escalation beats one naming only its level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The support level (an escalation's `to_level`) it binds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 3))]
    pub level: Option<u8>,
    /// From the escalation's `at` to its `accepted_at`.
    pub response: Duration,
    /// From the escalation's `at` to the next escalation or `resolved_at`,
    /// on-hold time excluded.
    pub resolution: Duration,
    /// Business calendar both clocks run on (a key of `calendars`); 24x7
    /// when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
}

impl OlaTarget {
    /// The name the report shows.
    pub fn label(&self) -> String {
        match (&self.name, &self.team, self.level) {
            (Some(name), _, _) => name.clone(),
            (None, Some(team), _) => team.clone(),
            (None, None, Some(level)) => format!("level {level}"),
            (None, None, None) => "(any)".to_owned(),
        }
    }
}

/// A supplier and its contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Supplier {
    /// The supplier's name.
    #[schemars(length(min = 1))]
    pub name: String,
    /// Whom to call: a name, an email, a phone number or a portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The last day of the contract. A hold awaiting the supplier that
    /// starts after it is a warning; the report flags a contract that
    /// ends within the period or 60 days after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_end: Option<chrono::NaiveDate>,
    /// The targets the contract underpins the service with.
    pub underpinning: Underpinning,
}

/// The targets of an underpinning contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Underpinning {
    /// How fast the supplier answers; shown, not measured (no record says
    /// when a supplier answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Duration>,
    /// How long the supplier may hold a ticket: each `on_hold` period
    /// awaiting it (start to end) and each level-3 escalation to it (to
    /// the next escalation or `resolved_at`, on-hold time excluded).
    pub resolution: Duration,
    /// Business calendar the time with the supplier is counted on (a key
    /// of `calendars`); 24x7 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
}

/// Resolution targets of problems by priority, in calendar days from
/// creation. Defaults: P1 7d, P2 14d, P3 30d, P4 60d. A problem without
/// a priority gets the P4 target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[allow(non_snake_case)]
pub struct ProblemTargets {
    /// Days to resolve a P1 problem.
    pub P1: Days,
    /// Days to resolve a P2 problem.
    pub P2: Days,
    /// Days to resolve a P3 problem.
    pub P3: Days,
    /// Days to resolve a P4 problem (and one without a priority).
    pub P4: Days,
}

impl Default for ProblemTargets {
    fn default() -> Self {
        ProblemTargets {
            P1: Days(7),
            P2: Days(14),
            P3: Days(30),
            P4: Days(60),
        }
    }
}

impl ProblemTargets {
    /// The target of a problem of `priority` (P4's without one).
    pub fn days(&self, priority: Option<Priority>) -> Days {
        match priority.unwrap_or(Priority::P4) {
            Priority::P1 => self.P1,
            Priority::P2 => self.P2,
            Priority::P3 => self.P3,
            Priority::P4 => self.P4,
        }
    }
}

/// Suppliers by id (what holds and escalations name in `supplier`).
pub type Suppliers = BTreeMap<String, Supplier>;
