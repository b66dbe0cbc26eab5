//! `gitsm feedback`: append a satisfaction score to a resolved, fulfilled
//! or closed incident or request, terminal ones included.

use serde_json::{Map, Value, json};

use crate::kind::Kind;
use crate::model::{SCORES, Timestamp};
use crate::workspace::Workspace;

use super::{Editable, Planned, UpdateError, Updated, apply_all, keys, stamp};

/// States of a ticket whose requester may say how it went.
pub const FEEDBACK_STATES: &[&str] = &["resolved", "fulfilled", "closed"];

/// One satisfaction score to record.
#[derive(Debug, Clone)]
pub struct NewFeedback<'a> {
    /// 1 to 5.
    pub score: u8,
    pub comment: Option<&'a str>,
    /// Who gave it: a handle or an email.
    pub by: &'a str,
    /// When it was given.
    pub at: Timestamp,
}

/// Append `{at, by, score, comment}` to the `feedback` of `target`,
/// refusing a score outside 1..5, a ticket not yet resolved or fulfilled,
/// and a second entry by the same person when the policy allows one.
pub fn feedback(
    ws: &Workspace,
    target: &Editable,
    entry: &NewFeedback<'_>,
    now: Timestamp,
) -> Result<Updated, UpdateError> {
    if !SCORES.contains(&entry.score) {
        return Err(UpdateError::usage(
            format!("score {} is outside 1..5", entry.score),
            Some("1 is very dissatisfied, 5 very satisfied".into()),
        ));
    }
    if !matches!(target.kind, Kind::Incident | Kind::Request) {
        return Err(UpdateError::usage(
            format!(
                "{} is a {}: feedback is given on incidents and service requests",
                target.id,
                target.kind.name()
            ),
            None,
        ));
    }
    let status = target.status().unwrap_or_default();
    if !FEEDBACK_STATES.contains(&status) {
        return Err(UpdateError::refused(
            format!(
                "{} is `{status}`: feedback is given once it is resolved, fulfilled or closed",
                target.id
            ),
            None,
        ));
    }
    if !entry.by.contains('@') && !ws.config.people.contains_key(entry.by) {
        return Err(UpdateError::usage(
            format!("`{}` is not a handle in `people`", entry.by),
            crate::suggest::closest(entry.by, ws.config.people.keys())
                .map(|s| format!("did you mean `{s}`?")),
        ));
    }
    // A handle and one of its emails are the same person.
    let who = |by: &'_ str| {
        ws.config
            .person_by_email(by)
            .map_or_else(|| by.to_owned(), str::to_owned)
    };
    let given_before = target
        .field("feedback")
        .and_then(Value::as_array)
        .is_some_and(|list| {
            list.iter().any(|f| {
                f.get("by")
                    .and_then(Value::as_str)
                    .is_some_and(|by| who(by) == who(entry.by))
            })
        });
    if ws.config.feedback.one_per_person && given_before {
        return Err(UpdateError::refused(
            format!("`{}` already gave feedback on {}", entry.by, target.id),
            Some("one entry per person (`feedback.one_per_person` in gitsm.yaml); add a note instead".into()),
        ));
    }
    let mut item = Map::new();
    item.insert("at".into(), json!(stamp(entry.at)));
    item.insert("by".into(), json!(entry.by));
    item.insert("score".into(), json!(entry.score));
    if let Some(comment) = entry.comment.filter(|c| !c.trim().is_empty()) {
        item.insert("comment".into(), json!(comment));
    }
    let mut updated = apply_all(ws, std::slice::from_ref(target), now, |_| {
        Ok(vec![Planned::append(
            keys(&["feedback"]),
            Value::Object(item.clone()),
            false,
        )])
    })?;
    updated
        .pop()
        .ok_or_else(|| UpdateError::usage("nothing was written", None))
}
