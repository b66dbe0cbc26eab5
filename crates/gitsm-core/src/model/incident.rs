//! Incidents: unplanned interruptions or reductions in quality of a service.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Feedback, Level, Priority, Resolution, Timestamp, ticket};

ticket! {
    /// An incident (`incidents/INC-0001.yaml`).
    pub struct Incident {
        /// Who reported it: a handle from `people` or an email. Immutable.
        pub reported_by: String,
        /// How widely the business is affected.
        pub impact: Level,
        /// How quickly the business needs it resolved.
        pub urgency: Level,
        /// Priority. When given it must equal what the priority matrix gives for
        /// impact x urgency, unless `priority_override` records another with a reason.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub priority: Option<Priority>,
        /// A priority that departs from the matrix, with the reason.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub priority_override: Option<Box<PriorityOverride>>,
        /// The business service affected (a CI id of class `service`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub service: Option<String>,
        /// CIs affected (CI ids).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub affected_cis: Vec<String>,
        /// Category, one of `categories` in gitsm.yaml when that list is set.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub category: Option<String>,
        /// Symptom, for symptom-based SLA targets (`symptom_policy` in gitsm.yaml).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub symptom: Option<String>,
        /// Support level now handling it: 1 service desk, 2 second line, 3 third line or vendor.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(range(min = 1, max = 3))]
        pub support_level: Option<u8>,
        /// Escalations between support levels, oldest first.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub escalations: Vec<Escalation>,
        /// When someone first acknowledged it (ends the response clock).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub acknowledged_at: Option<Timestamp>,
        /// When service was restored (ends the resolution clock).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub resolved_at: Option<Timestamp>,
        /// When it was closed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub closed_at: Option<Timestamp>,
        /// Periods on hold; the SLA clocks pause during each. `end` is empty while on hold.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub on_hold: Vec<HoldPeriod>,
        /// Periods in which the services it names were down (`full`) or
        /// impaired (`degraded`): the availability figures count them
        /// against its `service` and any business service among its
        /// `affected_cis`. `end` is empty while the outage lasts.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub outage: Vec<Outage>,
        /// How it was resolved.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub resolution: Option<Box<Resolution>>,
        /// The problem record it was linked to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub problem: Option<String>,
        /// The change that caused it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub caused_by_change: Option<Box<str>>,
        /// The incident this one duplicates.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub duplicate_of: Option<Box<str>>,
        /// Why it was cancelled.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub cancel_reason: Option<Box<str>>,
        /// A major incident: the highest-impact kind, run by a `commander`
        /// with a communications log and closed only after a post-incident
        /// review. A priority listed under `major_incident.priorities` in
        /// gitsm.yaml makes an incident major too.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub major: Option<bool>,
        /// Who leads the response to a major incident: a handle from
        /// `people` or an email. Required from `in_progress` on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub commander: Option<String>,
        /// When the commander took charge: `gitsm set` and `gitsm
        /// transition` write it when they first set `commander`. Time to
        /// commander is from `created_at` to this.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub commander_at: Option<Timestamp>,
        /// The communications log of a major incident: what was told to
        /// whom, oldest first (`gitsm note <ID> --update`). Append-only.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub updates: Vec<CommsUpdate>,
        /// The post-incident review of a major incident, required to close it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub review: Option<Box<IncidentReview>>,
        /// The monitoring event that opened it (`gitsm intake`): a repeat
        /// of the event while the incident is open adds a note and counts
        /// here instead of opening another incident.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub event: Option<Box<AlertEvent>>,
        /// Satisfaction scores given once it was resolved (`gitsm
        /// feedback`); append-only, allowed on a closed incident too.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub feedback: Vec<Feedback>,
    }
}

/// One entry of a major incident's communications log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CommsUpdate {
    /// When it was sent.
    pub at: Timestamp,
    /// Who sent it: a handle from `people` or an email.
    pub by: String,
    /// Whom it was for (e.g. `users`, `management`, `customers`); `all`
    /// when not said.
    #[schemars(length(min = 1))]
    pub audience: String,
    /// What was said (Markdown).
    #[schemars(length(min = 1))]
    pub text: String,
    /// Why `at` is earlier than a commit that changed the record without
    /// this update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backdated: Option<String>,
}

/// The post-incident review of a major incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct IncidentReview {
    /// When the review was held.
    pub at: Timestamp,
    /// Who led it: a handle from `people` or an email.
    pub by: String,
    /// What happened, why, and how the response went (Markdown).
    #[schemars(length(min = 1))]
    pub summary: String,
    /// What is to be done so that it does not happen again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ReviewAction>,
}

/// An action agreed at a post-incident review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ReviewAction {
    /// What is to be done.
    #[schemars(length(min = 1))]
    pub text: String,
    /// Who sees it done: a handle from `people` or an email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// By when (a date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<chrono::NaiveDate>,
    /// The problem that tracks it (a problem id). An action without one
    /// is a warning: it is tracked nowhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// The alert behind an incident, by which repeats are recognised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AlertEvent {
    /// What sent it.
    pub source: EventSource,
    /// What identifies the alert across deliveries: Alertmanager's and
    /// Grafana's `fingerprint`, the generic JSON's `key`.
    #[schemars(length(min = 1))]
    pub key: String,
    /// How many times it was delivered while the incident was open.
    #[schemars(range(min = 1))]
    pub occurrences: u64,
    /// When it was last taken in.
    #[schemars(example = "2026-11-20T09:00:00+01:00")]
    pub last_at: Timestamp,
}

/// The monitoring system an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    /// A Prometheus Alertmanager webhook.
    Alertmanager,
    /// A Grafana alerting webhook.
    Grafana,
    /// gitsm's generic JSON event.
    Json,
}

/// A priority set by hand, away from the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PriorityOverride {
    /// The priority to use instead of the matrix's.
    pub priority: Priority,
    /// Why the matrix priority does not fit.
    #[schemars(length(min = 1))]
    pub reason: String,
}

/// A move to another support level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Escalation {
    /// When it was escalated.
    pub at: Timestamp,
    /// The support level it went to (1, 2 or 3).
    #[schemars(range(min = 1, max = 3))]
    pub to_level: u8,
    /// The group it went to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Who escalated it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Why it needed the next level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the receiving group picked it up (`gitsm escalate <ID>
    /// --accept`): ends the response clock of its OLA (`ola` in
    /// gitsm.yaml). Not before `at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<Timestamp>,
    /// The supplier it went to (a key of `suppliers` in gitsm.yaml), for
    /// an escalation to level 3 (third line or vendor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// Why `at` is earlier than a commit that changed the record without
    /// this escalation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backdated: Option<String>,
}

/// A period on hold; the SLA clocks pause from `start` to `end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct HoldPeriod {
    /// When the wait began (RFC 3339 with offset).
    pub start: Timestamp,
    /// Empty while still on hold.
    #[serde(default)]
    pub end: Option<Timestamp>,
    /// Whom or what the ticket waits for.
    pub reason: HoldReason,
    /// Details of the wait (a vendor's case number, a question asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The supplier waited for (a key of `suppliers` in gitsm.yaml), for
    /// a hold `awaiting_vendor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// Why `start` or `end` is earlier than a commit that changed the
    /// record without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backdated: Option<String>,
}

/// A period in which a service was down or impaired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Outage {
    /// When the service went down (RFC 3339 with offset); it may be
    /// before the incident was opened.
    pub start: Timestamp,
    /// When it was restored; empty while the outage lasts.
    #[serde(default)]
    pub end: Option<Timestamp>,
    /// `full` (down: counts as downtime) or `degraded` (impaired: shown
    /// apart, not downtime). `full` when not said.
    #[serde(default, skip_serializing_if = "OutageScope::is_full")]
    pub scope: OutageScope,
    /// What was down or impaired, in a few words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Why `start` or `end` is earlier than a commit that changed the
    /// record without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backdated: Option<String>,
}

/// How badly an outage hit the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutageScope {
    /// The service was unavailable: downtime.
    #[default]
    Full,
    /// The service worked with reduced function or performance.
    Degraded,
}

impl OutageScope {
    pub fn is_full(&self) -> bool {
        *self == OutageScope::Full
    }

    pub fn name(self) -> &'static str {
        match self {
            OutageScope::Full => "full",
            OutageScope::Degraded => "degraded",
        }
    }
}

/// Why a ticket waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    /// The caller owes an answer or access.
    AwaitingCaller,
    /// A change must be implemented first.
    AwaitingChange,
    /// The root cause is being worked on in a problem.
    AwaitingProblem,
    /// A supplier is working on it.
    AwaitingVendor,
    /// Another reason (say which in `note`).
    Other,
}

impl HoldReason {
    pub fn name(self) -> &'static str {
        match self {
            HoldReason::AwaitingCaller => "awaiting_caller",
            HoldReason::AwaitingChange => "awaiting_change",
            HoldReason::AwaitingProblem => "awaiting_problem",
            HoldReason::AwaitingVendor => "awaiting_vendor",
            HoldReason::Other => "other",
        }
    }
}
