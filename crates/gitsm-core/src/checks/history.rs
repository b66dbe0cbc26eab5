//! Rules between two versions of one record: the workflow allows the
//! transition, terminal records stay frozen (but for appended notes and
//! satisfaction feedback), immutable fields stay, notes and feedback are
//! only appended, and what a commit records did not happen after it.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::approval;
use crate::diagnostic::Diagnostic;
use crate::duration::Duration;
use crate::model::Record;
use crate::policy::Policy;

use super::Located;

/// Fields that never change once written.
const IMMUTABLE: &[&str] = &["id", "created_at", "reported_by", "requested_by"];

/// Timestamps that record something that happened (as opposed to plans
/// such as a change window): they cannot lie after the commit recording
/// them, nor before a commit that changed the record without them.
pub(super) const STAMPS: &[&str] = &[
    "created_at",
    "acknowledged_at",
    "commander_at",
    "implemented_at",
    "resolved_at",
    "fulfilled_at",
    "closed_at",
];

/// Lists whose items carry such timestamps, and the timestamp fields.
const STAMPED_LISTS: &[(&str, &[&str])] = &[
    ("notes", &["at"]),
    ("updates", &["at"]),
    ("feedback", &["at"]),
    ("approvals", &["at"]),
    ("escalations", &["at", "accepted_at"]),
    ("on_hold", &["start", "end"]),
    ("outage", &["start", "end"]),
];

/// When a version was recorded, and how far clocks may differ: the
/// `clock_skew` of a policy its change cannot have edited (the base of a
/// comparison), so a pull request cannot widen it for itself.
#[derive(Debug, Clone, Copy)]
pub struct Recorded {
    /// The commit's time (or now, for the index).
    pub at: DateTime<FixedOffset>,
    pub skew: Duration,
}

/// Check `record` (parsed at `at`) against its previous version `old`
/// (`None` for a new record).
pub(super) fn check(
    config: &Policy,
    record: &Record,
    old: Option<&Value>,
    recorded: Recorded,
    at: &Located<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let new = record.to_json();
    if let Some(old) = old {
        transition(config, record, old, &new, at, out);
        for field in IMMUTABLE {
            if let Some(before) = old.get(*field)
                && new.get(*field) != Some(before)
            {
                out.push(at.error(
                    "immutable",
                    &format!("/{field}"),
                    format!("`{field}` may not change once recorded (it was {before})"),
                ));
            }
        }
        for rule in AppendOnly::ALL {
            appended(rule, old, &new, at, out);
        }
        decisions_appended(old, &new, at, out);
        leavers(config, old, &new, at, out);
        approved_content_kept(config, record, old, at, out);
    }
    stamps_not_in_future(old, &new, recorded, at, out);
}

fn transition(
    config: &Policy,
    record: &Record,
    old: &Value,
    new: &Value,
    at: &Located<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let wf = config.workflow(record);
    let Some(from) = old.get("status").and_then(Value::as_str) else {
        return;
    };
    let to = record.status();
    if wf.state(from).is_none() || wf.state(to).is_none() {
        // An unknown state is reported by the single-record checks.
        return;
    }
    if from != to {
        let major =
            matches!(record, Record::Incident(inc) if crate::priority::is_major(inc, config));
        let carried = |state: &crate::workflow::State| {
            state
                .required(major)
                .all(|field| crate::workflow::is_set(new, field))
        };
        if !wf.allows(from, to) && wf.path(from, to, carried).is_none() {
            let next = wf.next_of(from);
            let allowed = if next.is_empty() {
                format!("`{from}` is a terminal state: nothing may follow it")
            } else {
                format!(
                    "from `{from}` it may move to {}",
                    next.iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            out.push(
                at.error(
                    "transition",
                    "/status",
                    format!(
                        "{}: `{from}` -> `{to}` is not a transition of the {} workflow",
                        record.id(),
                        wf.name
                    ),
                )
                .with_hint(allowed),
            );
        }
        return;
    }
    if wf.is_terminal(from) {
        let changed = changed_fields(old, new);
        if let Some(first) = changed.first() {
            out.push(
                at.error(
                    "terminal-edit",
                    &format!("/{first}"),
                    format!(
                        "{} is `{from}`, a terminal state: only notes and feedback may be added (changed: {})",
                        record.id(),
                        changed.join(", ")
                    ),
                )
                .with_hint("open a new record that refers to this one instead"),
            );
        }
    }
}

/// Top-level fields that differ between two versions, the append-only
/// lists aside (their own rule judges them).
fn changed_fields<'a>(old: &'a Value, new: &'a Value) -> Vec<&'a str> {
    let (Some(a), Some(b)) = (old.as_object(), new.as_object()) else {
        return Vec::new();
    };
    let mut keys: Vec<&str> = a.keys().map(String::as_str).collect();
    keys.extend(b.keys().map(String::as_str).filter(|k| !a.contains_key(*k)));
    keys.retain(|k| !APPEND_ONLY.contains(k) && a.get(*k) != b.get(*k));
    keys
}

/// Where a list stops being the earlier list with items appended.
enum ListBreak {
    /// Item `i` differs.
    Edited(usize),
    /// Items at the end are missing: how many.
    Removed(usize),
}

/// How `after` breaks from `before` plus appended items, if it does.
fn list_break(before: &[Value], after: &[Value]) -> Option<ListBreak> {
    if let Some(i) = before.iter().zip(after).position(|(a, b)| a != b) {
        return Some(ListBreak::Edited(i));
    }
    (after.len() < before.len()).then(|| ListBreak::Removed(before.len() - after.len()))
}

fn list<'v>(v: &'v Value, field: &str) -> &'v [Value] {
    v.get(field)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Lists a terminal record still takes appended items of.
const APPEND_ONLY: &[&str] = &[
    AppendOnly::NOTES.field,
    AppendOnly::UPDATES.field,
    AppendOnly::FEEDBACK.field,
];

/// A list whose items are only ever appended, and how to name it.
struct AppendOnly {
    field: &'static str,
    code: &'static str,
    /// One item, then many.
    item: &'static str,
    items: &'static str,
    hint: &'static str,
}

impl AppendOnly {
    /// Every list that only grows: work notes, a major incident's
    /// communications log, satisfaction feedback.
    const ALL: [AppendOnly; 3] = [AppendOnly::NOTES, AppendOnly::UPDATES, AppendOnly::FEEDBACK];
    const NOTES: AppendOnly = AppendOnly {
        field: "notes",
        code: "notes-append-only",
        item: "note",
        items: "notes",
        hint: "restore it and add a new note with the correction",
    };
    const UPDATES: AppendOnly = AppendOnly {
        field: "updates",
        code: "updates-append-only",
        item: "update",
        items: "updates",
        hint: "restore it and add a new update with the correction",
    };
    const FEEDBACK: AppendOnly = AppendOnly {
        field: "feedback",
        code: "feedback-append-only",
        item: "feedback entry",
        items: "feedback entries",
        hint: "restore it: feedback records what was said; add a note to comment on it",
    };
}

fn appended(
    rule: AppendOnly,
    old: &Value,
    new: &Value,
    at: &Located<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let AppendOnly {
        field,
        code,
        item,
        items,
        hint,
    } = rule;
    let (before, after) = (list(old, field), list(new, field));
    match list_break(before, after) {
        None => {}
        Some(ListBreak::Edited(i)) => out.push(
            at.error(
                code,
                &format!("/{field}/{i}"),
                format!("{item} {} was edited; {items} are append-only", i + 1),
            )
            .with_hint(hint),
        ),
        Some(ListBreak::Removed(n)) => out.push(at.error(
            code,
            &format!("/{field}"),
            format!(
                "{n} of {} {items} were removed; {items} are append-only",
                before.len()
            ),
        )),
    }
}

/// Someone who left (`active: false`) keeps the records naming them
/// valid, but is given nothing new: no record newly assigned to them, no
/// new decision by them.
fn leavers(config: &Policy, old: &Value, new: &Value, at: &Located<'_>, out: &mut Vec<Diagnostic>) {
    let assignee = |v: &Value| v.get("assignee").and_then(Value::as_str).map(str::to_owned);
    if let Some(who) = assignee(new)
        && assignee(old) != Some(who.clone())
        && config.has_left(&who)
    {
        out.push(
            at.error("inactive", "/assignee", format!("`{who}` has left (`active: false` in gitsm.yaml): nothing new may be assigned to them"))
                .with_hint("assign it to someone who is here"),
        );
    }
    let (before, after) = (list(old, "approvals"), list(new, "approvals"));
    for (i, d) in after.iter().enumerate().skip(before.len()) {
        if let Some(by) = d.get("by").and_then(Value::as_str)
            && config.has_left(by)
        {
            out.push(at.error(
                "inactive",
                &format!("/approvals/{i}/by"),
                format!(
                    "`{by}` has left (`active: false` in gitsm.yaml) and takes no new decisions"
                ),
            ));
        }
    }
}

/// Decisions are append-only; the return of the record to `new` alone
/// clears them (a rejection blocks until then).
fn decisions_appended(old: &Value, new: &Value, at: &Located<'_>, out: &mut Vec<Diagnostic>) {
    let (before, after) = (list(old, "approvals"), list(new, "approvals"));
    let status = |v: &Value| v.get("status").and_then(Value::as_str).map(str::to_owned);
    if after.is_empty() && status(new).as_deref() == Some("new") && status(old) != status(new) {
        return;
    }
    let (i, what) = match list_break(before, after) {
        None => return,
        Some(ListBreak::Edited(i)) => (i, format!("decision {} was edited", i + 1)),
        Some(ListBreak::Removed(n)) => (
            after.len().saturating_sub(1),
            format!("{n} of {} decisions were removed", before.len()),
        ),
    };
    out.push(
        at.error(
            "decisions-append-only",
            &format!("/approvals/{i}"),
            format!("{what}; decisions are append-only"),
        )
        .with_hint(
            "restore it; a decision is withdrawn only by moving the record back to `new`, which clears them all",
        ),
    );
}

/// A change or request that reached an approved state keeps its approved
/// content: an edit would make its decisions stale behind the approvers'
/// backs. Moving it back (e.g. to `authorize`, or `new`) first is the way.
fn approved_content_kept(
    config: &Policy,
    record: &Record,
    old: &Value,
    at: &Located<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let Ok(before) = Record::from_json(record.kind(), old.clone()) else {
        return;
    };
    if !approval::needs_approval(config, &before) || !approval::needs_approval(config, record) {
        return;
    }
    let (Some(a), Some(b)) = (
        approval::content::approved_content(&before),
        approval::content::approved_content(record),
    ) else {
        return;
    };
    let changed: Vec<&String> = b
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| a.get(k.as_str()) != Some(*v))
        .map(|(k, _)| k)
        .collect();
    let Some(first) = changed.first() else {
        return;
    };
    out.push(
        at.error(
            "approved-content",
            &format!("/{first}"),
            format!(
                "{} is `{}`: its approved content ({}) may not change, its decisions would go stale",
                record.id(),
                record.status(),
                changed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )
        .with_hint("move it back before the approved state (or to `new`) first, edit, and ask for approval again"),
    );
}

/// Whether `new` differs from `old` only by decisions appended, in the
/// same state: such a commit renews approvals and is always allowed.
pub fn only_decisions_added(old: &Value, new: &Value) -> bool {
    let (Some(a), Some(b)) = (old.as_object(), new.as_object()) else {
        return false;
    };
    let (before, after) = (list(old, "approvals"), list(new, "approvals"));
    after.len() > before.len()
        && after.starts_with(before)
        && a.keys()
            .chain(b.keys())
            .all(|k| k == "approvals" || a.get(k) == b.get(k))
}

/// The state whose arrival a top-level stamp records.
const STAMPED_STATES: &[(&str, &str)] = &[
    ("resolved_at", "resolved"),
    ("fulfilled_at", "fulfilled"),
    ("closed_at", "closed"),
];

/// The event stamps of `new` that `old` did not carry (every one when the
/// record is new): JSON pointer and instant. A stamp written with another
/// offset is the same instant, not a new one; a stamp kept from before a
/// reopen is new again when the record goes back to its state. Unparsable
/// stamps are left to the schema.
fn new_stamps(old: Option<&Value>, new: &Value) -> Vec<(String, DateTime<FixedOffset>)> {
    let mut pointers: Vec<String> = STAMPS.iter().map(|f| format!("/{f}")).collect();
    for (list, fields) in STAMPED_LISTS {
        for i in 0..self::list(new, list).len() {
            pointers.extend(fields.iter().map(|f| format!("/{list}/{i}/{f}")));
        }
    }
    let instant = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
    };
    fn status(v: Option<&Value>) -> Option<&str> {
        v?.get("status")?.as_str()
    }
    let entered = |field: &str| {
        STAMPED_STATES.iter().any(|(f, state)| {
            *f == field && status(Some(new)) == Some(*state) && status(old) != Some(*state)
        })
    };
    pointers
        .into_iter()
        .filter_map(|pointer| {
            let stamp = instant(new.pointer(&pointer))?;
            let kept = instant(old.and_then(|o| o.pointer(&pointer))) == Some(stamp);
            if kept && !entered(&pointer[1..]) {
                return None;
            }
            Some((pointer, stamp))
        })
        .collect()
}

/// `/notes/2/at` as a reader writes it: `notes.2.at`.
fn field_name(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

fn stamps_not_in_future(
    old: Option<&Value>,
    new: &Value,
    recorded: Recorded,
    at: &Located<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let Recorded {
        at: recorded_at,
        skew,
    } = recorded;
    let latest = recorded_at + skew.to_chrono();
    for (pointer, stamp) in new_stamps(old, new) {
        if stamp > latest {
            out.push(
                at.error(
                    "future-timestamp",
                    &pointer,
                    format!(
                        "`{}` is {}, later than the commit that records it ({})",
                        field_name(&pointer),
                        stamp.to_rfc3339(),
                        recorded_at.to_rfc3339()
                    ),
                )
                .with_hint(format!(
                    "record what has happened, when it happened (allowed clock skew: {skew})"
                )),
            );
        }
    }
}

/// Whether a declaration's text says something: at least one letter or
/// digit (blanks and invisible characters are no reason).
pub fn is_reason(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// The latest commit known to have changed a record file while it lacked
/// the events a later version adds.
#[derive(Debug, Clone)]
pub struct SeenWithout {
    /// Short commit id.
    pub commit: String,
    /// Its author time: the time Git keeps through rebases and cherry-picks.
    pub at: DateTime<FixedOffset>,
}

/// The earliest event stamp `new` carries that `old` did not: only a
/// commit authored later than it (beyond the skew) can show it backdated.
pub fn earliest_new_event(old: Option<&Value>, new: &Value) -> Option<DateTime<FixedOffset>> {
    new_stamps(old, new).into_iter().map(|(_, at)| at).min()
}

/// Events `new` adds that are earlier, beyond the clock skew, than `seen`
/// — a commit that changed the file without them — are backdated: an
/// error unless the entry (`backdated: <reason>`) or the record
/// (`backdated: {<field>: <reason>}`) declares why.
pub(super) fn backdating(
    skew: Duration,
    old: Option<&Value>,
    new: &Value,
    seen: &SeenWithout,
    at: &Located<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let earliest = seen.at - skew.to_chrono();
    for (pointer, stamp) in new_stamps(old, new) {
        if stamp >= earliest {
            continue;
        }
        let (declared, how) = match pointer.rsplit_once('/') {
            Some((entry, _)) if !entry.is_empty() => (
                format!("{entry}/backdated"),
                "`backdated: <reason>` on the entry".to_owned(),
            ),
            _ => {
                let field = pointer.trim_start_matches('/');
                (
                    format!("/backdated/{field}"),
                    format!("`backdated: {{{field}: <reason>}}` on the record"),
                )
            }
        };
        // A declaration excuses the stamp it was written with: one kept
        // from an earlier version does not excuse a stamp moved since.
        let reason = new.pointer(&declared).and_then(Value::as_str);
        let kept = old
            .and_then(|o| o.pointer(&declared))
            .and_then(Value::as_str)
            == reason;
        if reason.is_some_and(is_reason) && !kept {
            continue;
        }
        out.push(
            at.error(
                "backdated",
                &pointer,
                format!(
                    "`{}` is {}, earlier than commit {} ({}) that changed this file without it",
                    field_name(&pointer),
                    stamp.to_rfc3339(),
                    seen.commit,
                    seen.at.to_rfc3339()
                ),
            )
            .with_hint(format!(
                "record when it happened; if it really happened then and was written down later, say why with {how} (allowed clock skew: {skew})"
            )),
        );
    }
}
