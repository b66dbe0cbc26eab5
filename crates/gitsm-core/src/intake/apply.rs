//! Carrying out what an event was mapped to: create the record, or note,
//! count or resolve the incident its key names.

use std::collections::HashMap;

use serde_json::Value;

use crate::config::IntakeSource;
use crate::create;
use crate::model::Timestamp;
use crate::update;
use crate::workspace::Workspace;

use super::plan::Plan;
use super::{Action, IntakeError, Outcome, one_line};

pub(super) fn carry_out(
    ws: &Workspace,
    creator: &mut create::Creator<'_>,
    by_key: &mut HashMap<String, String>,
    bot: &str,
    plan: Plan,
    now: Timestamp,
) -> Result<Outcome, IntakeError> {
    match plan {
        Plan::Reply {
            id,
            by,
            text,
            subject,
        } => {
            let target = update::open(ws, &id)?;
            let updated = update::note(ws, std::slice::from_ref(&target), &text, Some(&by), now)?;
            Ok(Outcome {
                source: IntakeSource::Email,
                event: subject,
                action: Action::Noted,
                id: Some(id),
                path: updated.first().map(|u| u.path.clone()),
                occurrences: None,
                remarks: Vec::new(),
            })
        }
        Plan::Open { kind, value, key } => {
            let title = value
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let prepared = creator.create(kind, value)?;
            if let Some(key) = key {
                by_key.insert(key, prepared.id.clone());
            }
            Ok(Outcome {
                source: IntakeSource::Email,
                event: title,
                action: Action::Opened,
                id: Some(prepared.id),
                path: Some(prepared.rel),
                occurrences: None,
                remarks: Vec::new(),
            })
        }
        Plan::Alert { alert, open } => {
            let found = by_key
                .get(&alert.key)
                .cloned()
                .or_else(|| crate::dataset::open_incident_with_event(ws, &alert.key));
            let base = Outcome {
                source: alert.source,
                event: one_line(&alert.name),
                action: Action::Nothing,
                id: found.clone(),
                path: None,
                occurrences: None,
                remarks: Vec::new(),
            };
            match (found, alert.firing) {
                (None, true) => {
                    let mut out = carry_out(ws, creator, by_key, bot, *open, now)?;
                    out.source = alert.source;
                    out.event = one_line(&alert.name);
                    out.occurrences = Some(1);
                    Ok(out)
                }
                (None, false) => Ok(Outcome {
                    remarks: vec![format!(
                        "it is resolved, and no open incident has its key `{}`",
                        one_line(&alert.key)
                    )],
                    ..base
                }),
                (Some(id), true) => {
                    let target = update::open(ws, &id)?;
                    let seen = target
                        .field("event")
                        .and_then(|e| e.get("occurrences"))
                        .and_then(Value::as_u64)
                        .unwrap_or(1)
                        + 1;
                    let mut text = format!(
                        "Alert `{}` fired again (occurrence {seen})",
                        one_line(&alert.name)
                    );
                    if let Some(at) = &alert.started {
                        text.push_str(&format!(", active since {}", one_line(at)));
                    }
                    text.push('.');
                    let updated = update::repeat(ws, &target, &text, bot, true, now)?;
                    Ok(Outcome {
                        action: Action::Repeated,
                        path: Some(updated.path),
                        occurrences: Some(seen),
                        ..base
                    })
                }
                (Some(id), false) => {
                    let target = update::open(ws, &id)?;
                    let mut text = format!("Alert `{}` resolved", one_line(&alert.name));
                    if let Some(at) = &alert.ended {
                        text.push_str(&format!(" at {}", one_line(at)));
                    }
                    text.push_str(&format!(" ({}).", alert.source.name()));
                    match &ws.config.intake.auto_resolve {
                        None => {
                            let updated = update::repeat(ws, &target, &text, bot, false, now)?;
                            Ok(Outcome {
                                action: Action::Noted,
                                path: Some(updated.path),
                                remarks: vec![
                                    "intake.auto_resolve is not set: the incident stays open"
                                        .to_owned(),
                                ],
                                ..base
                            })
                        }
                        Some(auto) => {
                            let notes = auto.notes.clone().unwrap_or_else(|| text.clone());
                            let assignments = [
                                assignment("resolution.code", &auto.code),
                                assignment("resolution.notes", &notes),
                                assignment("event.last_at", &now_text(now)),
                            ];
                            let req = update::TransitionRequest {
                                to: "resolved",
                                note: Some(&text),
                                reason: None,
                                supplier: None,
                                assignments: &assignments,
                                now,
                                person: Some(bot),
                            };
                            let moved = update::transition_along(ws, &target, &req)?;
                            // No longer open: a later firing in this payload opens anew.
                            by_key.remove(&alert.key);
                            Ok(Outcome {
                                action: Action::Resolved,
                                path: Some(moved.update.path),
                                ..base
                            })
                        }
                    }
                }
            }
        }
    }
}

pub(super) fn assignment(key: &str, value: &str) -> crate::assign::Assignment {
    crate::assign::Assignment {
        path: key.split('.').map(str::to_owned).collect(),
        value: value.to_owned(),
    }
}

pub(super) fn now_text(now: Timestamp) -> String {
    create::stamp(now).as_str().unwrap_or_default().to_owned()
}
