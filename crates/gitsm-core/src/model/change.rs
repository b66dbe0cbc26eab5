//! Changes (requests for change) and their approvals.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Level, Timestamp, ticket};

ticket! {
    /// A change (`changes/CHG-0001.yaml`).
    pub struct Change {
        /// Who asked for it: a handle from `people` or an email. Immutable.
        pub requested_by: String,
        /// standard (pre-approved template), normal (CAB) or emergency (ECAB).
        #[serde(rename = "type")]
        pub change_type: ChangeType,
        /// How likely the change is to fail or disturb the service; high risk
        /// may require more approvers (`change_policy.approvals`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub risk: Option<Level>,
        /// How much of the business the change affects, if it goes wrong.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub impact: Option<Level>,
        /// The business service concerned (a CI id of class `service`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub service: Option<String>,
        /// CIs it touches (CI ids).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub cis: Vec<String>,
        /// Who carries it out: a handle from `people` or an email.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub implementer: Option<String>,
        /// When it may be carried out.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub window: Option<Box<ChangeWindow>>,
        /// The steps to carry it out (Markdown).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub implementation_plan: Option<String>,
        /// How to undo it if it goes wrong (Markdown).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub backout_plan: Option<String>,
        /// How to verify it worked (Markdown).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub test_plan: Option<String>,
        /// Decisions, appended by `gitsm approve`: each counts only with a valid signature
        /// by one of the approver's keys over the approved content (`change_policy.proof`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub approvals: Vec<Approval>,
        /// For standard changes: the pre-approved template (a key of `standard_changes`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub template: Option<String>,
        /// For routine maintenance: the schedule (`maintenance` in
        /// `gitsm.yaml`) and occurrence this change was created for by
        /// `gitsm schedule`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub schedule: Option<Box<ScheduleOccurrence>>,
        /// Releases this change authorises, e.g. `payments-api@2.4.0`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub release: Vec<String>,
        /// The problem this change fixes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub problem: Option<String>,
        /// When it was carried out.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub implemented_at: Option<Timestamp>,
        /// How the implementation went (required from `review`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub outcome: Option<ChangeOutcome>,
        /// Post-implementation review notes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub review: Option<String>,
        /// How the change ended (required when `closed`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub close_code: Option<CloseCode>,
        /// When it was closed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub closed_at: Option<Timestamp>,
        /// Why it was cancelled (required when `cancelled`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub cancel_reason: Option<String>,
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ChangeType {
    /// A low-risk, routine change following a pre-approved template (`standard_changes`).
    Standard,
    /// Assessed and approved by the change advisory board (CAB) before it is carried out.
    Normal,
    /// Too urgent for the usual CAB: approved by the emergency CAB (ECAB).
    Emergency,
}

impl ChangeType {
    pub fn name(self) -> &'static str {
        match self {
            ChangeType::Standard => "standard",
            ChangeType::Normal => "normal",
            ChangeType::Emergency => "emergency",
        }
    }
}

/// The period in which a change may be implemented.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ChangeWindow {
    /// The earliest moment it may start (RFC 3339 with offset).
    #[schemars(example = "2026-11-21T22:00:00+01:00")]
    pub start: Timestamp,
    /// The moment it must be done by (RFC 3339 with offset).
    #[schemars(example = "2026-11-22T02:00:00+01:00")]
    pub end: Timestamp,
    /// IANA time zone the window was planned in (for display and daylight saving), e.g. `Europe/Berlin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// The occurrence of a maintenance schedule a change carries out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ScheduleOccurrence {
    /// The schedule's `name` in `maintenance`.
    pub name: String,
    /// When the occurrence starts (RFC 3339 with offset): one change per
    /// schedule and occurrence.
    #[schemars(example = "2026-12-08T22:00:00+01:00")]
    pub occurrence: Timestamp,
}

/// One approver's decision. Append-only: only the return of the record to
/// `new` clears the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Approval {
    /// The approver: a handle from `people`.
    pub by: String,
    /// What the approver decided.
    pub decision: Decision,
    /// When the decision was taken (RFC 3339 with offset).
    pub at: Timestamp,
    /// Why, or on what condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// OpenSSH signature (`SSHSIG`, namespace `gitsm`, base64 without the armour lines) by one
    /// of the approver's keys over the decision and the approved content; written by
    /// `gitsm approve`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Why `at` is earlier than a commit that changed the record without this decision
    /// (a decision taken in a meeting and written down later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backdated: Option<String>,
}

impl Decision {
    pub fn name(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The approver agrees that the record goes ahead.
    Approved,
    /// The approver refuses; one rejection stops the record.
    Rejected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOutcome {
    /// Done as planned, with no disturbance.
    Successful,
    /// Done, but with problems along the way (worth a review).
    SuccessfulWithIssues,
    /// Not achieved, and not backed out.
    Unsuccessful,
    /// Undone by the backout plan.
    BackedOut,
}

impl ChangeOutcome {
    pub fn name(self) -> &'static str {
        match self {
            ChangeOutcome::Successful => "successful",
            ChangeOutcome::SuccessfulWithIssues => "successful_with_issues",
            ChangeOutcome::Unsuccessful => "unsuccessful",
            ChangeOutcome::BackedOut => "backed_out",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CloseCode {
    /// Closed after a successful implementation.
    Successful,
    /// Closed after an implementation with issues.
    SuccessfulWithIssues,
    /// Closed after an unsuccessful implementation.
    Unsuccessful,
    /// Closed without being carried out.
    Cancelled,
}
