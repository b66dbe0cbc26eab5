//! Timestamps are in order: created <= acknowledged <= resolved <= closed,
//! and every event inside a record happens after the record was created.

use crate::diagnostic::Diagnostic;
use crate::model::{Record, Timestamp};

use super::Located;

/// A named timestamp and where it is written.
type Step<'a> = (&'a str, String, Option<Timestamp>);

fn step(name: &str, ts: Option<Timestamp>) -> Step<'_> {
    (name, format!("/{name}"), ts)
}

/// Each timestamp present in `steps` is not before the last one present before it.
fn chain(at: &Located<'_>, out: &mut Vec<Diagnostic>, steps: &[Step<'_>]) {
    let mut last: Option<(&str, Timestamp)> = None;
    for (name, pointer, ts) in steps {
        let Some(ts) = *ts else { continue };
        if let Some((prev_name, prev)) = last
            && ts < prev
        {
            out.push(at.error(
                "timestamp-order",
                pointer,
                format!("`{name}` ({ts}) is before `{prev_name}` ({prev})"),
            ));
        }
        last = Some((name, ts));
    }
}

pub(super) fn check(record: &Record, at: &Located<'_>, out: &mut Vec<Diagnostic>) {
    let Some(created) = record.created_at() else {
        return;
    };
    let created = step("created_at", Some(created));
    // Events that only have to come after the record was created.
    let mut events: Vec<Step<'_>> = record
        .notes()
        .iter()
        .enumerate()
        .map(|(i, n)| ("notes.at", format!("/notes/{i}/at"), Some(n.at)))
        .collect();
    match record {
        Record::Incident(r) => {
            chain(
                at,
                out,
                &[
                    created.clone(),
                    step("acknowledged_at", r.acknowledged_at),
                    step("resolved_at", r.resolved_at),
                    step("closed_at", r.closed_at),
                ],
            );
            // Hold periods follow one another: start, end, next start, ...
            let mut holds = vec![created.clone()];
            for (i, h) in r.on_hold.iter().enumerate() {
                holds.push((
                    "on_hold.start",
                    format!("/on_hold/{i}/start"),
                    Some(h.start),
                ));
                holds.push(("on_hold.end", format!("/on_hold/{i}/end"), h.end));
            }
            chain(at, out, &holds);
            events.extend(
                r.escalations
                    .iter()
                    .enumerate()
                    .map(|(i, e)| ("escalations.at", format!("/escalations/{i}/at"), Some(e.at))),
            );
            // An escalation is accepted after it was made.
            for (i, e) in r.escalations.iter().enumerate() {
                chain(
                    at,
                    out,
                    &[
                        ("escalations.at", format!("/escalations/{i}/at"), Some(e.at)),
                        (
                            "escalations.accepted_at",
                            format!("/escalations/{i}/accepted_at"),
                            e.accepted_at,
                        ),
                    ],
                );
            }
            events.push(step("commander_at", r.commander_at));
            events.extend(
                r.updates
                    .iter()
                    .enumerate()
                    .map(|(i, u)| ("updates.at", format!("/updates/{i}/at"), Some(u.at))),
            );
            if let Some(review) = &r.review {
                events.push(("review.at", "/review/at".to_owned(), Some(review.at)));
            }
        }
        Record::Problem(r) => chain(
            at,
            out,
            &[
                created.clone(),
                step("resolved_at", r.resolved_at),
                step("closed_at", r.closed_at),
            ],
        ),
        Record::Change(r) => {
            if let Some(w) = &r.window
                && w.end <= w.start
            {
                out.push(at.error(
                    "timestamp-order",
                    "/window/end",
                    format!(
                        "`window.end` ({}) is not after `window.start` ({})",
                        w.end, w.start
                    ),
                ));
            }
            chain(
                at,
                out,
                &[
                    created.clone(),
                    step("implemented_at", r.implemented_at),
                    step("closed_at", r.closed_at),
                ],
            );
            events.extend(approvals(&r.approvals));
        }
        Record::Request(r) => {
            chain(
                at,
                out,
                &[
                    created.clone(),
                    step("acknowledged_at", r.acknowledged_at),
                    step("fulfilled_at", r.fulfilled_at),
                    step("closed_at", r.closed_at),
                ],
            );
            events.extend(approvals(&r.approvals));
        }
        Record::Ci(_) | Record::Article(_) => {}
    }
    for event in events {
        chain(at, out, &[created.clone(), event]);
    }
    declared_backdating(record, at, out);
}

/// `backdated:` on the record names its own event stamps, each with a
/// reason.
fn declared_backdating(record: &Record, at: &Located<'_>, out: &mut Vec<Diagnostic>) {
    let Some(declared) = record.backdated() else {
        return;
    };
    let stamps: &[&str] = match record {
        Record::Incident(_) => &[
            "acknowledged_at",
            "commander_at",
            "resolved_at",
            "closed_at",
        ],
        Record::Problem(_) => &["resolved_at", "closed_at"],
        Record::Change(_) => &["implemented_at", "closed_at"],
        Record::Request(_) => &["acknowledged_at", "fulfilled_at", "closed_at"],
        Record::Ci(_) | Record::Article(_) => &[],
    };
    for (field, reason) in declared {
        let pointer = format!("/backdated/{field}");
        if !stamps.contains(&field.as_str()) {
            out.push(
                at.error(
                    "backdated",
                    &pointer,
                    format!("`backdated` names `{field}`, which is not an event stamp of this record"),
                )
                .with_hint(format!(
                    "name one of {}; notes, holds and decisions take `backdated: <reason>` on the entry",
                    stamps.join(", ")
                )),
            );
        } else if !super::history::is_reason(reason) {
            out.push(at.error(
                "backdated",
                &pointer,
                format!("`backdated.{field}` needs a reason"),
            ));
        }
    }
}

fn approvals(list: &[crate::model::Approval]) -> impl Iterator<Item = Step<'static>> + '_ {
    list.iter()
        .enumerate()
        .map(|(i, a)| ("approvals.at", format!("/approvals/{i}/at"), Some(a.at)))
}
