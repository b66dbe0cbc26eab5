//! The priority of a record: an override with a reason wins, then the
//! impact x urgency matrix.

use crate::config::Config;
use crate::model::{Incident, Priority, Record};

/// The effective priority of an incident or problem.
pub fn of(record: &Record, config: &Config) -> Option<Priority> {
    match record {
        Record::Incident(r) => Some(of_incident(r, config)),
        Record::Problem(r) => match (r.impact, r.urgency) {
            (Some(i), Some(u)) => Some(config.priority_matrix.priority(i, u)),
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
