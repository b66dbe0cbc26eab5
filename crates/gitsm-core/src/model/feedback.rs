//! Satisfaction feedback: what the person served thought of a resolved,
//! fulfilled or closed ticket.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Timestamp;

/// Lowest and highest satisfaction score.
pub const SCORES: std::ops::RangeInclusive<u8> = 1..=5;

/// One satisfaction score, appended to a resolved, fulfilled or closed
/// ticket (`gitsm feedback`). Entries are never edited or removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Feedback {
    /// When the feedback was given.
    pub at: Timestamp,
    /// Who gave it: a handle from `people` or an email.
    pub by: String,
    /// Satisfaction from 1 (very dissatisfied) to 5 (very satisfied); 4
    /// and 5 count as satisfied in the CSAT figure.
    #[schemars(range(min = 1, max = 5))]
    pub score: u8,
    /// What they said, in their words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Why `at` is earlier than a commit that changed the record without
    /// this entry (a survey answer written down later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backdated: Option<String>,
}
