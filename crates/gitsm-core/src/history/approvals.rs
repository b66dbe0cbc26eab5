//! What the history of a change or request file says of its decisions.
//!
//! Two things only history can tell: rejections that were deleted from the
//! file since it last went back to `new` (decisions are append-only, so
//! such a rejection still blocks), and — under `change_policy.proof:
//! commit` — who authored the commit that added each decision, and whether
//! the approved content changed after it.

use std::collections::HashMap;
use std::path::Path;

use git2::{Oid, Repository};
use serde_json::Value;

use crate::approval::{self, ApprovalStatus, content};
use crate::kind::Kind;
use crate::model::{Approval, Record};
use crate::policy::Policy;

use super::HistoryError;
use super::trail::{self, Touch};

/// One version of the record file, as a commit (or the index) recorded it.
#[derive(Debug, Clone)]
pub struct RecordVersion {
    /// Short commit id, or `staged`.
    pub commit: String,
    /// The commit, when it exists (the index has none yet).
    pub oid: Option<Oid>,
    /// Author email.
    pub email: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Every commit up to `tip` that changed the record file at `path`
/// (root-relative), oldest first: another file claiming the same id never
/// speaks for this one.
pub fn file_touches<'r>(
    repo: &'r Repository,
    prefix: &Path,
    kind: Kind,
    path: &Path,
    tip: Oid,
) -> Result<Vec<Touch<'r>>, HistoryError> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let at_path = |v: &Option<(String, Oid)>| v.as_ref().is_some_and(|(f, _)| Path::new(f) == path);
    Ok(trail::touches(repo, prefix, kind, &stem, tip)?
        .into_iter()
        .filter(|t| at_path(&t.after) || at_path(&t.before))
        .collect())
}

/// The version a commit recorded, with its author.
pub fn step(repo: &Repository, touch: &Touch<'_>) -> RecordVersion {
    let (before, after) = touch.contents(repo);
    RecordVersion {
        commit: touch.commit.id().to_string()[..10].to_owned(),
        oid: Some(touch.commit.id()),
        email: trail::author(&touch.commit).email,
        before,
        after,
    }
}

/// The history of the record file at `path` up to `tip`, oldest first.
pub fn steps(
    repo: &Repository,
    prefix: &Path,
    kind: Kind,
    path: &Path,
    tip: Oid,
) -> Result<Vec<RecordVersion>, HistoryError> {
    Ok(file_touches(repo, prefix, kind, path, tip)?
        .iter()
        .map(|t| step(repo, t))
        .collect())
}

fn decisions(v: &Option<Value>) -> Vec<Value> {
    v.as_ref()
        .and_then(|v| v.get("approvals"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

impl RecordVersion {
    /// Whether this version moved the record (back) to `new`, which clears
    /// its decisions.
    fn returns_to_new(&self) -> bool {
        let status = |v: &Option<Value>| v.as_ref()?.get("status")?.as_str().map(str::to_owned);
        status(&self.after).as_deref() == Some("new")
            && status(&self.before).as_deref() != Some("new")
    }
}

/// Steps since the record last went back to `new` (all when it never did).
fn since_reset(steps: &[RecordVersion]) -> &[RecordVersion] {
    let reset = steps.iter().rposition(RecordVersion::returns_to_new);
    &steps[reset.map_or(0, |i| i + 1)..]
}

/// Rejections some version recorded since the last return to `new` that
/// the current version no longer lists: `(by, commit)`.
pub fn removed_rejections(steps: &[RecordVersion], current: &[Approval]) -> Vec<(String, String)> {
    let now: Vec<Value> = current
        .iter()
        .filter_map(|a| serde_json::to_value(a).ok())
        .collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for step in since_reset(steps) {
        for d in decisions(&step.after) {
            let rejected = d.get("decision").and_then(Value::as_str) == Some("rejected");
            let by = d
                .get("by")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned();
            let kept = now.iter().any(|n| same_decision(n, &d));
            if rejected && !kept && !out.iter().any(|(b, _)| *b == by) {
                out.push((by, step.commit.clone()));
            }
        }
    }
    out
}

/// Two decisions are the same when their fields are (a timestamp written
/// with another offset is still the same instant).
fn same_decision(a: &Value, b: &Value) -> bool {
    let field = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    let instant = |v: &Value| {
        v.get("at")
            .and_then(Value::as_str)
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    };
    ["by", "decision", "comment", "signature"]
        .iter()
        .all(|k| field(a, k) == field(b, k))
        && instant(a) == instant(b)
}

/// Under `proof: commit`: the decisions of `record` judged by who
/// committed them. A decision counts only if the commit that added it was
/// authored by one of the approver's emails, and no approved content
/// changed and the record did not go back to `new` after it.
pub fn judge_by_commits(
    config: &Policy,
    record: &Record,
    steps: &[RecordVersion],
) -> Option<ApprovalStatus> {
    let mut status = approval::judge(config, record)?;
    let fields = content::fields(record);
    let mut added: HashMap<String, usize> = HashMap::new();
    let mut content_changes: Vec<(usize, Vec<&str>)> = Vec::new();
    let mut resets: Vec<usize> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let before = decisions(&step.before);
        for entry in decisions(&step.after) {
            if !before.contains(&entry) {
                added.insert(entry.to_string(), i);
            }
        }
        if let (Some(b), Some(a)) = (&step.before, &step.after) {
            let changed: Vec<&str> = fields
                .iter()
                .copied()
                .filter(|f| b.get(*f) != a.get(*f))
                .collect();
            if !changed.is_empty() {
                content_changes.push((i, changed));
            }
        }
        if step.returns_to_new() {
            resets.push(i);
        }
    }
    let current = steps
        .last()
        .map(|s| decisions(&s.after))
        .unwrap_or_default();
    let written = approval::Subject::of(config, record)?.decisions;
    for ((raw, typed), verdict) in current.iter().zip(written).zip(&mut status.decisions) {
        if !verdict.counts {
            continue;
        }
        let why = match added.get(&raw.to_string()) {
            None => Some("the commit that added it is not in this history".to_owned()),
            Some(&i) => by_commit(config, typed, i, steps, &content_changes, &resets),
        };
        if why.is_some() {
            verdict.counts = false;
            verdict.why = why;
        }
    }
    let mut counted: Vec<String> = Vec::new();
    for v in &status.decisions {
        let who = approval::resolve(config, &v.by);
        if v.counts && v.decision == crate::model::Decision::Approved && !counted.contains(&who) {
            counted.push(who);
        }
    }
    status.counted = counted;
    Some(status)
}

/// Why a decision added at step `i` does not count, if it does not.
fn by_commit(
    config: &Policy,
    entry: &Approval,
    i: usize,
    steps: &[RecordVersion],
    content_changes: &[(usize, Vec<&str>)],
    resets: &[usize],
) -> Option<String> {
    let step = &steps[i];
    if !is_identity_of(config, &entry.by, &step.email) {
        return Some(format!(
            "commit {} that added it was authored by {}, not by `{}`",
            step.commit, step.email, entry.by
        ));
    }
    if let Some((j, fields)) = content_changes.iter().find(|(j, _)| *j > i) {
        return Some(format!(
            "stale: {} changed in commit {} after it",
            fields.join(", "),
            steps[*j].commit
        ));
    }
    if let Some(j) = resets.iter().find(|j| **j > i) {
        return Some(format!(
            "given before the record went back to `new` in commit {}",
            steps[*j].commit
        ));
    }
    None
}

/// Whether `email` is one of the Git identities of approver `who` (a
/// handle from `people`, or an email).
pub fn is_identity_of(config: &Policy, who: &str, email: &str) -> bool {
    if who.contains('@') {
        return who.eq_ignore_ascii_case(email);
    }
    config
        .people
        .get(who)
        .is_some_and(|p| p.emails.iter().any(|e| e.eq_ignore_ascii_case(email)))
}
