//! Which records a command is about: the filters `list` takes (and the
//! bulk commands take in place of ids), checked against the policy so a
//! misspelt state is an error rather than an empty answer.

use chrono::{DateTime, FixedOffset};

use crate::kind::Kind;
use crate::model::{Priority, Record};
use crate::policy::Policy;

/// A filter over records; every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub kind: Option<Kind>,
    /// Any of these states.
    pub status: Vec<String>,
    /// Still needs work ([`crate::sla::Phase::is_open`]).
    pub open: bool,
    pub priority: Option<Priority>,
    /// Assigned to this person: a handle, or an email (of a handle's
    /// person, too).
    pub assignee: Option<String>,
    pub unassigned: bool,
    pub team: Option<String>,
    /// For this business service (`service`).
    pub service: Option<String>,
    /// Incidents of this problem.
    pub problem: Option<String>,
    /// Created at or after.
    pub since: Option<DateTime<FixedOffset>>,
    /// Created before.
    pub until: Option<DateTime<FixedOffset>>,
}

/// A filter that cannot match anything as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    pub message: String,
    pub hint: Option<String>,
}

impl Query {
    /// Refuse values the policy does not know: a state of no workflow of
    /// the kinds asked for, a group that does not exist.
    pub fn check(&self, config: &Policy) -> Result<(), QueryError> {
        let kinds: Vec<Kind> = self.kind.map_or_else(|| Kind::ALL.to_vec(), |k| vec![k]);
        let mut states: Vec<&str> = kinds
            .iter()
            .flat_map(|&k| config.flows().of_kind(k))
            .flat_map(|wf| wf.state_names())
            .collect();
        states.sort_unstable();
        states.dedup();
        for s in &self.status {
            if !states.contains(&s.as_str()) {
                let hint = if s == "open" {
                    "`--open` lists what still needs work; ".to_owned()
                } else {
                    crate::suggest::closest(s, states.iter().copied())
                        .map_or_else(String::new, |c| format!("did you mean `{c}`? "))
                };
                return Err(QueryError {
                    message: format!("`{s}` is not a state of any workflow of these records"),
                    hint: Some(format!("{hint}states: {}", states.join(", "))),
                });
            }
        }
        if let Some(team) = &self.team
            && !config.groups.contains_key(team)
        {
            let hint = crate::suggest::closest(team, config.groups.keys().map(String::as_str))
                .map(|c| format!("did you mean `{c}`?"));
            return Err(QueryError {
                message: format!("`{team}` is not a group in gitsm.yaml"),
                hint,
            });
        }
        Ok(())
    }

    /// Whether `record` is one of those asked for.
    pub fn matches(&self, config: &Policy, record: &Record) -> bool {
        let person = |who: &str| -> Vec<String> {
            // A handle stands for its emails too, and an email for its handle.
            let handle = config.person_by_email(who).unwrap_or(who);
            let mut all = vec![who.to_lowercase(), handle.to_lowercase()];
            if let Some(p) = config.people.get(handle) {
                all.extend(p.emails.iter().map(|e| e.to_lowercase()));
            }
            all
        };
        self.kind.is_none_or(|k| record.kind() == k)
            && (self.status.is_empty() || self.status.iter().any(|s| s == record.status()))
            && (!self.open || crate::sla::Phase::is_open(record))
            && self
                .priority
                .is_none_or(|p| crate::priority::of(record, config) == Some(p))
            && self.assignee.as_deref().is_none_or(|who| {
                record
                    .assignee()
                    .is_some_and(|a| person(who).contains(&a.to_lowercase()))
            })
            && (!self.unassigned || record.assignee().is_none())
            && self
                .team
                .as_deref()
                .is_none_or(|t| record.team() == Some(t))
            && self
                .service
                .as_deref()
                .is_none_or(|s| service(record) == Some(s))
            && self
                .problem
                .as_deref()
                .is_none_or(|p| record.incident_of() == Some(p))
            && self
                .since
                .is_none_or(|t| record.created_at().is_some_and(|c| c >= t))
            && self
                .until
                .is_none_or(|t| record.created_at().is_some_and(|c| c < t))
    }
}

/// The business service a ticket is for.
pub fn service(record: &Record) -> Option<&str> {
    match record {
        Record::Incident(r) => r.service.as_deref(),
        Record::Problem(r) => r.service.as_deref(),
        _ => None,
    }
}
