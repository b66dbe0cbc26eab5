//! Service requests: standard things users ask for from the catalogue.

use super::{Approval, Feedback, Level, Priority, Timestamp, ticket};

ticket! {
    /// A service request (`requests/REQ-0001.yaml`).
    pub struct Request {
        /// Who asked: a handle from `people` or an email. Immutable.
        pub requested_by: String,
        /// The catalogue item requested (a key of `catalog` in gitsm.yaml).
        pub catalog_item: String,
        /// Who it is for, when not the requester.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub requested_for: Option<String>,
        /// Category (hardware, software, network, account, security...),
        /// one of `categories` in gitsm.yaml when that list is set.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub category: Option<String>,
        /// How widely the business is affected if it waits.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub impact: Option<Level>,
        /// How quickly the business needs it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub urgency: Option<Level>,
        /// Priority. When given with impact and urgency it must equal what
        /// `request_priority_matrix` (else `priority_matrix`) gives for them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub priority: Option<Priority>,
        /// CIs concerned (e.g. the workstation to install on).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub cis: Vec<String>,
        /// Approvals, where the catalogue item requires them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub approvals: Vec<Approval>,
        /// When the desk took it up (stops the response clock).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub acknowledged_at: Option<Timestamp>,
        /// When it was delivered (required from `fulfilled`; stops the resolution clock).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub fulfilled_at: Option<Timestamp>,
        /// When it was closed (required when `closed`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub closed_at: Option<Timestamp>,
        /// Why it was refused (required when `rejected`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reject_reason: Option<String>,
        /// Why it was withdrawn (required when `cancelled`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub cancel_reason: Option<String>,
        /// When the access it granted ends, when not `fulfilled_at` plus
        /// the catalogue item's `grants.valid_for`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub expires_at: Option<Timestamp>,
        /// When the access it granted was taken away: an expired grant
        /// with a revocation is no longer reported.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub revoked_at: Option<Timestamp>,
        /// Satisfaction scores given once it was fulfilled (`gitsm
        /// feedback`); append-only, allowed on a closed request too.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub feedback: Vec<Feedback>,
    }
}
