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
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub impact: Option<Level>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub urgency: Option<Level>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub priority: Option<Priority>,
        /// The business service affected (a CI id of class `service`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub service: Option<String>,
        /// CIs affected (CI ids). Its incidents are those whose `problem` names it.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub affected_cis: Vec<String>,
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
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub resolution: Option<ProblemResolution>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub resolved_at: Option<Timestamp>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub closed_at: Option<Timestamp>,
        /// The problem this one duplicates.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub duplicate_of: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub cancel_reason: Option<String>,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Reactive,
    Proactive,
}

/// How a problem ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ProblemResolution {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ProblemResolutionCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemResolutionCode {
    FixApplied,
    RiskAccepted,
    Duplicate,
    Cancelled,
}
