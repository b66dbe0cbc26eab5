//! Timestamps are in order: created <= acknowledged <= resolved <= closed,
//! and every event inside a record happens after the record was created.

use crate::diagnostic::Diagnostic;
use crate::model::{Record, Timestamp};

use super::Located;

/// Report when `later` (at `pointer`) is before `earlier`.
fn order(
    at: &Located<'_>,
    out: &mut Vec<Diagnostic>,
    earlier: (&str, Option<Timestamp>),
    later: (&str, &str, Option<Timestamp>),
) {
    let (Some(a), Some(b)) = (earlier.1, later.2) else {
        return;
    };
    if b < a {
        out.push(at.error(
            "timestamp-order",
            later.1,
            format!("`{}` ({b}) is before `{}` ({a})", later.0, earlier.0),
        ));
    }
}

pub(super) fn check(record: &Record, at: &Located<'_>, out: &mut Vec<Diagnostic>) {
    let Some(created) = record.created_at() else {
        return;
    };
    let c = ("created_at", Some(created));
    for (i, n) in record.notes().iter().enumerate() {
        order(
            at,
            out,
            c,
            ("notes.at", &format!("/notes/{i}/at"), Some(n.at)),
        );
    }
    match record {
        Record::Incident(r) => {
            order(
                at,
                out,
                c,
                ("acknowledged_at", "/acknowledged_at", r.acknowledged_at),
            );
            order(at, out, c, ("resolved_at", "/resolved_at", r.resolved_at));
            order(
                at,
                out,
                ("acknowledged_at", r.acknowledged_at),
                ("resolved_at", "/resolved_at", r.resolved_at),
            );
            order(at, out, c, ("closed_at", "/closed_at", r.closed_at));
            order(
                at,
                out,
                ("resolved_at", r.resolved_at),
                ("closed_at", "/closed_at", r.closed_at),
            );
            let mut prev_end: Option<Timestamp> = None;
            for (i, h) in r.on_hold.iter().enumerate() {
                order(
                    at,
                    out,
                    c,
                    (
                        "on_hold.start",
                        &format!("/on_hold/{i}/start"),
                        Some(h.start),
                    ),
                );
                order(
                    at,
                    out,
                    ("on_hold.start", Some(h.start)),
                    ("on_hold.end", &format!("/on_hold/{i}/end"), h.end),
                );
                order(
                    at,
                    out,
                    ("the previous hold's end", prev_end),
                    (
                        "on_hold.start",
                        &format!("/on_hold/{i}/start"),
                        Some(h.start),
                    ),
                );
                prev_end = h.end;
            }
            for (i, e) in r.escalations.iter().enumerate() {
                order(
                    at,
                    out,
                    c,
                    (
                        "escalations.at",
                        &format!("/escalations/{i}/at"),
                        Some(e.at),
                    ),
                );
            }
        }
        Record::Problem(r) => {
            order(at, out, c, ("resolved_at", "/resolved_at", r.resolved_at));
            order(at, out, c, ("closed_at", "/closed_at", r.closed_at));
            order(
                at,
                out,
                ("resolved_at", r.resolved_at),
                ("closed_at", "/closed_at", r.closed_at),
            );
        }
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
            for (i, a) in r.approvals.iter().enumerate() {
                order(
                    at,
                    out,
                    c,
                    ("approvals.at", &format!("/approvals/{i}/at"), Some(a.at)),
                );
            }
            order(
                at,
                out,
                c,
                ("implemented_at", "/implemented_at", r.implemented_at),
            );
            order(at, out, c, ("closed_at", "/closed_at", r.closed_at));
            order(
                at,
                out,
                ("implemented_at", r.implemented_at),
                ("closed_at", "/closed_at", r.closed_at),
            );
        }
        Record::Request(r) => {
            order(
                at,
                out,
                c,
                ("acknowledged_at", "/acknowledged_at", r.acknowledged_at),
            );
            order(
                at,
                out,
                c,
                ("fulfilled_at", "/fulfilled_at", r.fulfilled_at),
            );
            order(
                at,
                out,
                ("fulfilled_at", r.fulfilled_at),
                ("closed_at", "/closed_at", r.closed_at),
            );
            order(at, out, c, ("closed_at", "/closed_at", r.closed_at));
            for (i, a) in r.approvals.iter().enumerate() {
                order(
                    at,
                    out,
                    c,
                    ("approvals.at", &format!("/approvals/{i}/at"), Some(a.at)),
                );
            }
        }
        Record::Ci(_) => {}
    }
}
