//! The priority of a record: an override with a reason wins, then the
//! impact x urgency matrix (for service requests, the
//! `request_priority_matrix` when gitsm.yaml sets one).

use crate::config::{Config, PriorityMatrix};
use crate::model::{Priority, Record};

/// The matrix that prioritises records of a request: the
/// `request_priority_matrix`, else the incidents' `priority_matrix`.
pub fn request_matrix(config: &Config) -> &PriorityMatrix {
    config
        .request_priority_matrix
        .as_ref()
        .unwrap_or(&config.priority_matrix)
}

/// The effective priority of an incident, problem or service request.
pub fn of(record: &Record, config: &Config) -> Option<Priority> {
    match record {
        Record::Incident(r) => Some(r.priority_override.as_ref().map_or_else(
            || config.priority_matrix.priority(r.impact, r.urgency),
            |o| o.priority,
        )),
        Record::Problem(r) => match (r.impact, r.urgency) {
            (Some(i), Some(u)) => Some(config.priority_matrix.priority(i, u)),
            _ => r.priority,
        },
        Record::Request(r) => match (r.impact, r.urgency) {
            (Some(i), Some(u)) => Some(request_matrix(config).priority(i, u)),
            _ => r.priority,
        },
        _ => None,
    }
}
