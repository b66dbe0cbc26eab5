//! The priority of a record: an override with a reason wins, then the
//! impact x urgency matrix (for service requests, the
//! `request_priority_matrix` when gitsm.yaml sets one).

use crate::config::{Config, PriorityMatrix};
use crate::model::{Incident, Priority, Record};

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
        Record::Incident(r) => Some(of_incident(r, config)),
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

/// The effective priority of an incident.
pub fn of_incident(incident: &Incident, config: &Config) -> Priority {
    incident.priority_override.as_ref().map_or_else(
        || {
            config
                .priority_matrix
                .priority(incident.impact, incident.urgency)
        },
        |o| o.priority,
    )
}

/// Whether `incident` is major: it says `major: true`, or its priority
/// is one `major_incident.priorities` lists.
pub fn is_major(incident: &Incident, config: &Config) -> bool {
    incident.major == Some(true)
        || config
            .major_incident
            .priorities
            .contains(&of_incident(incident, config))
}
