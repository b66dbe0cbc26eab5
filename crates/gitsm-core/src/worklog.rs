//! A ticket's worklog: its notes, holds, escalations, decisions and
//! satisfaction feedback in the
//! order they happened — what `show` prints instead of "4 entries" — each
//! decision with whether it counts and why (the gate's own verdict).

use serde::Serialize;

use crate::approval;
use crate::model::{Record, Timestamp};
use crate::policy::Policy;

/// One thing that happened to a ticket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub at: Timestamp,
    /// `note`, `update` (a major incident's communications), `hold`,
    /// `escalation`, `accepted` (an escalation picked up), `approved`,
    /// `rejected` or `feedback`.
    pub what: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    pub text: String,
    /// For a decision: whether it counts under the policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts: Option<bool>,
    /// For a decision that does not count: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

impl Entry {
    fn new(at: Timestamp, what: &'static str, by: Option<&str>, text: String) -> Entry {
        Entry {
            at,
            what,
            by: by.map(str::to_owned),
            text,
            counts: None,
            why: None,
        }
    }
}

/// The worklog of `record`, oldest first (entries of one instant in the
/// order the record lists them).
pub fn of(config: &Policy, record: &Record) -> Vec<Entry> {
    let mut out: Vec<Entry> = record
        .notes()
        .iter()
        .map(|n| Entry::new(n.at, "note", Some(&n.by), n.text.clone()))
        .collect();
    if let Record::Incident(i) = record {
        for u in &i.updates {
            out.push(Entry::new(
                u.at,
                "update",
                Some(&u.by),
                format!("to {}: {}", u.audience, u.text),
            ));
        }
        for h in &i.on_hold {
            let until = h
                .end
                .map_or_else(|| "still on hold".to_owned(), |e| format!("until {e}"));
            let note = h
                .note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default();
            out.push(Entry::new(
                h.start,
                "hold",
                None,
                match &h.supplier {
                    Some(s) => format!("on hold ({}, {s}), {until}{note}", h.reason.name()),
                    None => format!("on hold ({}), {until}{note}", h.reason.name()),
                },
            ));
        }
        for e in &i.escalations {
            let team = e
                .team
                .as_deref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default();
            let reason = e
                .reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            let supplier = e
                .supplier
                .as_deref()
                .map(|s| format!(" to supplier {s}"))
                .unwrap_or_default();
            out.push(Entry::new(
                e.at,
                "escalation",
                e.by.as_deref(),
                format!("to level {}{team}{supplier}{reason}", e.to_level),
            ));
            if let Some(accepted) = e.accepted_at {
                out.push(Entry::new(
                    accepted,
                    "accepted",
                    None,
                    format!("escalation to level {}{team} accepted", e.to_level),
                ));
            }
        }
    }
    for f in record.feedback() {
        let comment = f
            .comment
            .as_deref()
            .map(|c| format!(": {c}"))
            .unwrap_or_default();
        out.push(Entry::new(
            f.at,
            "feedback",
            Some(&f.by),
            format!("score {} of 5{comment}", f.score),
        ));
    }
    let verdicts = approval::judge(config, record).map(|s| s.decisions);
    for (i, d) in record.decisions().iter().enumerate() {
        let verdict = verdicts.as_ref().and_then(|v| v.get(i));
        let mut entry = Entry::new(
            d.at,
            d.decision.name(),
            Some(&d.by),
            d.comment.clone().unwrap_or_default(),
        );
        entry.counts = verdict.map(|v| v.counts);
        entry.why = verdict.and_then(|v| v.why.clone());
        out.push(entry);
    }
    out.sort_by_key(|e| e.at);
    out
}
