//! A record's timeline, oldest first: its status transitions from Git
//! history (commit and author, from one walk of the log) merged with what
//! the record itself holds: its stamps, notes, approvals, escalations and
//! holds.

use serde::Serialize;

use crate::model::{Record, Timestamp};

use super::data::SiteData;
use super::{fmt_time, iso_time};

/// One event in a record's life.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TimelineEntry {
    pub at: String,
    /// `at` for machines: the `<time>` element's `datetime`.
    pub datetime: String,
    #[serde(skip)]
    pub instant: i64,
    /// `git` (a commit) or `record` (a field of the record).
    pub source: &'static str,
    pub who: Option<String>,
    pub what: String,
    /// Markdown (a note, a comment, a reason).
    pub text: Option<String>,
    pub commit: Option<String>,
    /// A work note (the major incident's timeline leaves them out).
    #[serde(skip)]
    pub note: bool,
}

/// What a work note's entry says.
const NOTE: &str = "note";

/// The record's timeline, oldest first.
pub(crate) fn timeline(data: &SiteData<'_>, record: &Record) -> Vec<TimelineEntry> {
    let mut out = Vec::new();
    let mut add = |at: &Timestamp, who: Option<&str>, what: String, text: Option<&str>| {
        out.push(TimelineEntry {
            at: fmt_time(at),
            datetime: iso_time(at),
            instant: at.timestamp(),
            source: "record",
            who: who.map(str::to_owned),
            note: what == NOTE,
            what,
            text: text.map(str::to_owned),
            commit: None,
        });
    };
    let opener = match record {
        Record::Incident(r) => Some(r.reported_by.as_str()),
        Record::Problem(r) => Some(r.reported_by.as_str()),
        Record::Change(r) => Some(r.requested_by.as_str()),
        Record::Request(r) => Some(r.requested_by.as_str()),
        Record::Ci(_) => None,
        Record::Article(r) => r.owner.as_deref(),
    };
    if let Some(created) = record.created_at() {
        add(&created, opener, "opened".into(), None);
    }
    let stamps: Vec<(&str, Option<Timestamp>)> = match record {
        Record::Incident(r) => vec![
            ("acknowledged", r.acknowledged_at),
            ("resolved", r.resolved_at),
            ("closed", r.closed_at),
        ],
        Record::Problem(r) => vec![("resolved", r.resolved_at), ("closed", r.closed_at)],
        Record::Change(r) => vec![("implemented", r.implemented_at), ("closed", r.closed_at)],
        Record::Request(r) => vec![
            ("acknowledged", r.acknowledged_at),
            ("fulfilled", r.fulfilled_at),
            ("closed", r.closed_at),
        ],
        Record::Ci(_) | Record::Article(_) => Vec::new(),
    };
    for (what, at) in stamps {
        if let Some(at) = at {
            add(&at, None, what.into(), None);
        }
    }
    if let Record::Incident(r) = record {
        for e in &r.escalations {
            let team = e
                .team
                .as_deref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default();
            add(
                &e.at,
                e.by.as_deref(),
                format!("escalated to level {}{team}", e.to_level),
                e.reason.as_deref(),
            );
        }
        if let (Some(at), Some(who)) = (&r.commander_at, &r.commander) {
            add(at, None, format!("commander: {who}"), None);
        }
        for u in &r.updates {
            add(
                &u.at,
                Some(&u.by),
                format!("update to {}", u.audience),
                Some(&u.text),
            );
        }
        if let Some(review) = &r.review {
            add(
                &review.at,
                Some(&review.by),
                "post-incident review".into(),
                Some(&review.summary),
            );
        }
        for h in &r.on_hold {
            let reason = h.reason.name().replace('_', " ");
            add(
                &h.start,
                None,
                format!("on hold: {reason}"),
                h.note.as_deref(),
            );
            if let Some(end) = &h.end {
                add(end, None, "resumed".into(), None);
            }
        }
    }
    for a in record.decisions() {
        add(
            &a.at,
            Some(&a.by),
            a.decision.name().into(),
            a.comment.as_deref(),
        );
    }
    for n in record.notes() {
        add(&n.at, Some(&n.by), NOTE.into(), Some(&n.text));
    }
    for t in data.dataset.transitions(record.id()) {
        let what = match &t.from {
            Some(from) => format!("status {from} → {}", t.to),
            None => format!("committed as {}", t.to),
        };
        out.push(TimelineEntry {
            at: fmt_time(&t.at),
            datetime: iso_time(&t.at),
            instant: t.at.timestamp(),
            source: "git",
            who: Some(t.author.name.clone()),
            what,
            text: None,
            commit: Some(t.commit.chars().take(10).collect()),
            note: false,
        });
    }
    out.sort_by_key(|e| e.instant);
    out
}
