//! Problems and known errors: the causes behind incidents.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Level, Priority, Timestamp, ticket};

ticket! {
    /// A problem (`problems/PRB-0001.yaml`); a known error once root cause and workaround are known.
    pub struct Problem {
        /// Who raised it: a handle from `people` or an email. Immutable.
        pub reported_by: String,
        /// Reactive (raised from incidents) or proactive (found by trend analysis).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub origin: Option<Origin>,
        /// How much of the business its incidents affect.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub impact: Option<Level>,
        /// How soon the cause must be removed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub urgency: Option<Level>,
        /// From impact × urgency (`priority_matrix`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub priority: Option<Priority>,
        /// The business service affected (a CI id of class `service`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub service: Option<String>,
        /// CIs affected (CI ids). Its incidents are those whose `problem` names it.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub affected_cis: Vec<String>,
        /// A category from `categories` in gitsm.yaml.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub category: Option<String>,
        /// Symptoms as users see them, to match new incidents against the KEDB.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub symptoms: Option<String>,
        /// The underlying cause, once found.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub root_cause: Option<String>,
        /// How to restore service until the fix lands.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub workaround: Option<String>,
        /// True once root cause and workaround are recorded: the problem is in the known error database.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        pub known_error: bool,
        /// The change that removes the cause.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub fix_change: Option<String>,
        /// How it ended (required from `resolved`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub resolution: Option<ProblemResolution>,
        /// When the cause was removed (required from `resolved`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub resolved_at: Option<Timestamp>,
        /// When it was closed (required when `closed`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub closed_at: Option<Timestamp>,
        /// The problem this one duplicates.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub duplicate_of: Option<String>,
        /// Why it was cancelled (required when `cancelled`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub cancel_reason: Option<String>,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Raised from one or more incidents.
    Reactive,
    /// Found before incidents, by trend analysis or review.
    Proactive,
}

/// How a problem ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ProblemResolution {
    /// How the problem ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ProblemResolutionCode>,
    /// What was done, or why the risk is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemResolutionCode {
    /// The cause was removed, usually by the change in `fix_change`.
    FixApplied,
    /// The cause stays: removing it costs more than living with it.
    RiskAccepted,
    /// Another problem covers it (`duplicate_of`).
    Duplicate,
    /// Not pursued.
    Cancelled,
}
