//! The release gate: may change X be implemented at time T?
//!
//! Yes only when, at the revision judged and under the trusted policy:
//! the change file passes validation (its id is unique, its own history
//! keeps the workflow and history rules), it is `scheduled` or
//! `implement`, its decisions satisfy the change policy (each proven by a
//! signature over the current approved content, or by its commit under
//! `proof: commit`), no rejection was deleted since it last went back to
//! `new`, its window contains T, and no freeze window forbids its type at
//! T. Every reason against is collected, not only the first. Nothing is
//! read from the work tree: the answer is a function of the revision and
//! the policy revision.

use std::path::Path;

use git2::{Oid, Repository};
use serde::Serialize;

use crate::approval::{self, DecisionVerdict};
use crate::baseline;
use crate::checks;
use crate::config::{Config, Proof, RuleName};
use crate::diagnostic::Diagnostic;
use crate::history::{self, HistoryError, approvals, trail};
use crate::kind::Kind;
use crate::model::{Change, ChangeType, Record, Timestamp};
use crate::snapshot::Snapshot;
use crate::workspace::Workspace;
use crate::yaml;

/// States in which a change may be deployed.
pub const OPEN_STATES: &[&str] = &["scheduled", "implement"];

/// The command that deepens a shallow clone.
pub const UNSHALLOW: &str = "git fetch --unshallow";

/// The gate's answer.
#[derive(Debug, Clone, Serialize)]
pub struct GateDecision {
    pub allowed: bool,
    pub change: String,
    pub status: String,
    #[serde(rename = "type")]
    pub change_type: ChangeType,
    pub at: Timestamp,
    /// The revision whose policy judged the decisions.
    pub policy_rev: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<(Timestamp, Timestamp)>,
    pub reasons: Vec<String>,
    /// What the gate could not check, and why (e.g. a shallow clone).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub approvals: Vec<DecisionVerdict>,
}

/// Where and how to judge.
pub struct Judged<'a, 'r> {
    pub repo: &'r Repository,
    /// The managed root inside the repository.
    pub prefix: &'a Path,
    /// The revision judged.
    pub tip: Oid,
    pub snapshot: &'a Snapshot<'r>,
    /// The revision the policy was read from (for messages).
    pub policy_rev: String,
    /// Deny when history cannot be read (a shallow clone).
    pub require_history: bool,
}

/// Why a change could not be judged at all.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error("no change `{0}` at this revision")]
    NotFound(String),
    #[error(transparent)]
    History(#[from] HistoryError),
}

/// Judge change `id` at `at`; `ws` carries the trusted policy.
pub fn judge(
    ws: &Workspace,
    judged: &Judged<'_, '_>,
    id: &str,
    at: Timestamp,
) -> Result<GateDecision, GateError> {
    let paths = judged.snapshot.locate(Kind::Change, id);
    let Some(path) = paths.first() else {
        return Err(GateError::NotFound(id.to_owned()));
    };
    let mut reasons = Vec::new();
    let mut notes = Vec::new();
    if paths.len() > 1 {
        reasons.push(format!(
            "duplicate id: {id} is {} (`gitsm renumber` gives one of them a free id)",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        ));
    }
    // The baseline of the trusted policy, in the history of the revision
    // judged (never pending: the gate judges committed history).
    let baseline = match ws.config.history.baseline.as_deref() {
        Some(text) => {
            let b = baseline::Baseline::parse(text, ws.config.zone());
            baseline::resolve(
                judged.repo,
                judged.prefix,
                &b,
                Some(judged.tip),
                false,
                true,
            )
        }
        None => Ok(baseline::Imported::None),
    };
    if let Err(e) = &baseline {
        notes.push(format!("{e}: imported decisions are judged like any other"));
    }
    ws.use_imported(baseline);
    let (file, diags) = judged.snapshot.read_record(ws, Kind::Change, path);
    // Decisions are reported below, in more detail.
    reasons.extend(
        diags
            .iter()
            .filter(|d| d.is_error() && d.code != "approvals")
            .map(|d| format!("the change file does not pass validation: {}", located(d))),
    );
    let record = file.and_then(|f| f.record);
    let Some(record @ Record::Change(change)) = record.as_deref() else {
        if reasons.is_empty() {
            reasons.push(format!(
                "{} is not a readable change record",
                path.display()
            ));
        }
        return Ok(unreadable(id, at, judged, reasons));
    };
    let shallow = judged.repo.is_shallow();
    let history = if shallow {
        notes.push(format!(
            "shallow clone: history checks skipped (deleted rejections, history rules); deepen it with `{UNSHALLOW}`"
        ));
        if judged.require_history {
            reasons.push(format!(
                "--require-history: this shallow clone lacks the change's history (`{UNSHALLOW}`)"
            ));
        }
        None
    } else {
        let touches =
            approvals::file_touches(judged.repo, judged.prefix, Kind::Change, path, judged.tip)?;
        let steps: Vec<approvals::RecordVersion> = touches
            .iter()
            .map(|t| approvals::step(judged.repo, t))
            .collect();
        Some((touches, steps))
    };
    if let Some((touches, steps)) = &history {
        reasons.extend(history_rules(ws, judged, touches, steps, path));
        for (by, commit) in approvals::removed_rejections(steps, &change.approvals) {
            reasons.push(format!(
                "a rejection by `{by}` (commit {commit}) was removed from the file; decisions are append-only and a rejection blocks until the change goes back to `new`"
            ));
        }
    }
    let steps = history.as_ref().map(|(_, steps)| steps.as_slice());
    let was = ws.imported().version(Kind::Change, path, record);
    let verdicts = decisions(ws, record, was.as_ref(), change, steps, &mut reasons);
    reasons.extend(plan(&ws.config, change, at));
    Ok(GateDecision {
        allowed: reasons.is_empty(),
        change: change.id.clone(),
        status: change.status.clone(),
        change_type: change.change_type,
        at,
        policy_rev: judged.policy_rev.clone(),
        window: change.window.as_ref().map(|w| (w.start, w.end)),
        reasons,
        notes,
        approvals: verdicts,
    })
}

fn located(d: &Diagnostic) -> String {
    match &d.path {
        Some(p) => format!("{}:{}:{}: {}", p.display(), d.line, d.column, d.message),
        None => d.message.clone(),
    }
}

fn unreadable(
    id: &str,
    at: Timestamp,
    judged: &Judged<'_, '_>,
    reasons: Vec<String>,
) -> GateDecision {
    GateDecision {
        allowed: false,
        change: id.to_owned(),
        status: String::new(),
        change_type: ChangeType::Normal,
        at,
        policy_rev: judged.policy_rev.clone(),
        window: None,
        reasons,
        notes: Vec::new(),
        approvals: Vec::new(),
    }
}

/// The change's decisions under the policy; reasons they fall short.
fn decisions(
    ws: &Workspace,
    record: &Record,
    imported: Option<&Record>,
    change: &Change,
    history: Option<&[approvals::RecordVersion]>,
    reasons: &mut Vec<String>,
) -> Vec<DecisionVerdict> {
    if let Some(judged) = approval::judge_with(&ws.config, record, imported)
        && judged.imported
    {
        // As it stood at the baseline: imported history.
        return judged.decisions;
    }
    let config = &ws.config;
    let (rule, _) = approval::change_rule(config, change);
    if rule == RuleName::Standard {
        match &change.template {
            Some(t) if config.standard_changes.contains_key(t) => {}
            Some(t) => reasons.push(format!(
                "standard change template `{t}` is not in `standard_changes`"
            )),
            None => reasons.push("a standard change must name its `template`".to_owned()),
        }
        return Vec::new();
    }
    if change.change_type == ChangeType::Standard {
        reasons.push(format!(
            "a standard change riskier than its template needs approval under the `{}` rule",
            rule.name()
        ));
    }
    let judged = match (config.change_policy.proof, history) {
        (Proof::Commit, Some(steps)) => approvals::judge_by_commits(config, record, steps),
        (Proof::Commit, None) => {
            reasons.push(
                "`proof: commit` needs the change's history, which this shallow clone lacks"
                    .to_owned(),
            );
            approval::judge(config, record)
        }
        (Proof::Signature, _) => approval::judge_with(config, record, imported),
    };
    let Some(judged) = judged else {
        return Vec::new();
    };
    if let Some(shortfall) = judged.shortfall() {
        reasons.push(format!("approvals: {shortfall}"));
        reasons.extend(judged.ignored());
    }
    judged.decisions
}

/// The rules between consecutive versions of the change file in its own
/// history (workflow transitions, immutable fields, append-only lists).
fn history_rules(
    ws: &Workspace,
    judged: &Judged<'_, '_>,
    touches: &[trail::Touch<'_>],
    steps: &[approvals::RecordVersion],
    path: &Path,
) -> Vec<String> {
    let mut out = Vec::new();
    let imported_until = match ws.imported() {
        baseline::Imported::At(at) => at.commit().ok(),
        _ => None,
    };
    for (touch, step) in touches.iter().zip(steps) {
        let Some((file, blob)) = &touch.after else {
            continue;
        };
        // Imported history: no history rule judges it.
        if imported_until.is_some_and(|b| {
            b == touch.commit.id()
                || judged
                    .repo
                    .graph_descendant_of(b, touch.commit.id())
                    .unwrap_or(false)
        }) {
            continue;
        }
        if Path::new(file) != path {
            continue;
        }
        let Some(text) = judged
            .repo
            .find_blob(*blob)
            .ok()
            .and_then(|b| String::from_utf8(b.content().to_vec()).ok())
        else {
            continue;
        };
        let Ok(node) = yaml::parse(text.strip_prefix('\u{feff}').unwrap_or(&text)) else {
            continue;
        };
        let Ok(record) = Record::from_json(Kind::Change, node.to_json()) else {
            continue;
        };
        let recorded = checks::Recorded {
            at: history::commit_time(&touch.commit),
            skew: ws.config.clock_skew,
        };
        for d in checks::history(ws, &record, step.before.as_ref(), recorded, &node, path) {
            if d.is_error() {
                out.push(format!("history: commit {}: {}", step.commit, located(&d)));
            }
        }
    }
    out
}

/// The change's state, window and freezes at `at`.
fn plan(config: &Config, change: &Change, at: Timestamp) -> Vec<String> {
    let mut reasons = Vec::new();
    if !OPEN_STATES.contains(&change.status.as_str()) {
        reasons.push(format!(
            "status is `{}`; a change may be implemented only when `scheduled` or `implement`",
            change.status
        ));
    }
    match change.window.as_ref().map(|w| (w.start, w.end)) {
        None => reasons.push("the change has no `window`".to_owned()),
        Some((start, end)) if at < start || at > end => reasons.push(format!(
            "{} is outside its window {} – {}",
            at.to_rfc3339(),
            start.to_rfc3339(),
            end.to_rfc3339()
        )),
        Some(_) => {}
    }
    for w in &config.freeze_windows {
        if w.start <= at && at < w.end && !w.allow.contains(&change.change_type) {
            reasons.push(format!(
                "freeze `{}` ({} – {}) does not allow {} changes",
                w.name,
                w.start.to_rfc3339(),
                w.end.to_rfc3339(),
                change.change_type.name()
            ));
        }
    }
    reasons
}
