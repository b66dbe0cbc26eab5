//! The priority of a record: an override with a reason wins, then the
//! impact x urgency matrix.

use crate::config::Config;
use crate::model::{Priority, Record};

/// The effective priority of an incident or problem.
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
        _ => None,
    }
}
