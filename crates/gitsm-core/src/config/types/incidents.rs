//! Incident management beyond the single ticket: which incidents are
//! major, and when recurring incidents call for a problem.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Priority;

/// Major incidents. An incident is major when it says `major: true` or
/// its priority is listed here.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MajorIncidentPolicy {
    /// Priorities that make an incident major (e.g. `[P1]`). Default:
    /// none, only `major: true` does.
    pub priorities: Vec<Priority>,
    /// Days after an incident was resolved by which its post-incident
    /// review is due; the report shows a review later than that as
    /// overdue. Default 7.
    #[schemars(range(min = 1))]
    pub review_due_days: u32,
}

impl Default for MajorIncidentPolicy {
    fn default() -> Self {
        MajorIncidentPolicy {
            priorities: Vec::new(),
            review_due_days: 7,
        }
    }
}

/// When incidents that share a cause-like trait, and no problem, make a
/// problem candidate: `min_incidents` or more within `window_days`
/// sharing a CI, a service with a category, or a symptom.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ProblemCandidatePolicy {
    /// How many incidents make a candidate. Default 3.
    #[schemars(range(min = 2))]
    pub min_incidents: u32,
    /// Within how many days of the first of them they were opened. Default 30.
    #[schemars(range(min = 1))]
    pub window_days: u32,
}

impl Default for ProblemCandidatePolicy {
    fn default() -> Self {
        ProblemCandidatePolicy {
            min_incidents: 3,
            window_days: 30,
        }
    }
}
