//! Whether a change's approvals are authentic and fresh, judged from the
//! history of its file — never from what the file says alone.
//!
//! An approval entry counts only if the commit that added it was authored
//! by one of the approver's Git emails (from `people`), no approved content
//! (type, risk, window, cis, the three plans, release) changed in a later
//! commit, the change did not go back to `new` after it, and — when the
//! policy asks — the commit is signed (`git verify-commit` accepts it).

use std::collections::HashMap;
use std::path::Path;

use git2::{Oid, Repository};
use serde::Serialize;
use serde_json::Value;

use crate::approval::{self, ApprovalStatus};
use crate::config::Config;
use crate::kind::Kind;
use crate::model::{Approval, Change};

use super::HistoryError;
use super::trail;

/// Fields an approval vouches for: changing one makes earlier approvals stale.
pub const APPROVED_CONTENT: &[&str] = &[
    "type",
    "risk",
    "window",
    "cis",
    "implementation_plan",
    "backout_plan",
    "test_plan",
    "release",
];

/// One version of the change file, as a commit (or the index) recorded it.
#[derive(Debug, Clone)]
pub struct Step {
    /// Short commit id, or `staged`.
    pub commit: String,
    /// The commit, when it exists (the index has none yet).
    pub oid: Option<Oid>,
    /// Author email.
    pub email: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// The history of change `id` up to `tip`, oldest first.
pub fn steps(
    repo: &Repository,
    prefix: &Path,
    id: &str,
    tip: Oid,
) -> Result<Vec<Step>, HistoryError> {
    Ok(trail::touches(repo, prefix, Kind::Change, id, tip)?
        .into_iter()
        .map(|t| {
            let (before, after) = t.contents(repo);
            Step {
                commit: t.commit.id().to_string()[..10].to_owned(),
                oid: Some(t.commit.id()),
                email: trail::author(&t.commit).email,
                before,
                after,
            }
        })
        .collect())
}

/// What history says of one approval entry of the current version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryVerdict {
    pub by: String,
    pub decision: String,
    /// The commit that added the entry, if found.
    pub commit: Option<String>,
    pub counts: bool,
    /// Why it does not count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// The approvals of a change as history judges them.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub entries: Vec<EntryVerdict>,
    /// The policy applied to the entries that count.
    pub status: ApprovalStatus,
}

impl Verdict {
    /// Every reason the approvals do not satisfy the policy (empty: they do).
    pub fn reasons(&self) -> Vec<String> {
        let Some(shortfall) = self.status.shortfall() else {
            return Vec::new();
        };
        let mut out = vec![format!("approvals: {shortfall}")];
        for e in &self.entries {
            if let Some(why) = &e.why {
                out.push(format!(
                    "{} by `{}` does not count: {why}",
                    e.decision, e.by
                ));
            }
        }
        out.extend(
            self.status
                .ignored
                .iter()
                .map(|i| format!("approval ignored: {i}")),
        );
        out
    }
}

/// Judge the approvals of `change` (the last step's version) from `steps`.
/// `signed` tells whether a commit carries an accepted signature; it is
/// asked only when the policy requires signed approvals.
pub fn judge(
    config: &Config,
    change: &Change,
    steps: &[Step],
    signed: &mut dyn FnMut(Oid) -> bool,
) -> Verdict {
    let list = |v: &Option<Value>| -> Vec<Value> {
        v.as_ref()
            .and_then(|v| v.get("approvals"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let status_of = |v: &Option<Value>| {
        v.as_ref()
            .and_then(|v| v.get("status"))
            .and_then(Value::as_str)
            .map(String::from)
    };
    // Where each entry was (last) added, and what happened after.
    let mut added: HashMap<String, usize> = HashMap::new();
    let mut content_changes: Vec<(usize, Vec<&str>)> = Vec::new();
    let mut resets: Vec<usize> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let before = list(&step.before);
        for entry in list(&step.after) {
            if !before.contains(&entry) {
                added.insert(entry.to_string(), i);
            }
        }
        if let (Some(b), Some(a)) = (&step.before, &step.after) {
            let changed: Vec<&str> = APPROVED_CONTENT
                .iter()
                .copied()
                .filter(|f| b.get(*f) != a.get(*f))
                .collect();
            if !changed.is_empty() {
                content_changes.push((i, changed));
            }
            if status_of(&step.after).as_deref() == Some("new")
                && status_of(&step.before).as_deref() != Some("new")
            {
                resets.push(i);
            }
        }
    }
    let current = steps.last().map(|s| list(&s.after)).unwrap_or_default();
    let mut entries = Vec::new();
    let mut counted: Vec<Approval> = Vec::new();
    for (raw, typed) in current.iter().zip(&change.approvals) {
        let decision = match typed.decision {
            crate::model::Decision::Approved => "approval",
            crate::model::Decision::Rejected => "rejection",
        };
        let at = added.get(&raw.to_string()).copied();
        let why = match at {
            None => Some("the commit that added it is not in this history".to_owned()),
            Some(i) => problem(config, typed, i, steps, &content_changes, &resets, signed),
        };
        if why.is_none() {
            counted.push(typed.clone());
        }
        entries.push(EntryVerdict {
            by: typed.by.clone(),
            decision: decision.to_owned(),
            commit: at.map(|i| steps[i].commit.clone()),
            counts: why.is_none(),
            why,
        });
    }
    let rule = config.change_policy.rule(change.change_type, change.risk);
    let status = approval::evaluate(
        config,
        rule,
        &counted,
        &[Some(&change.requested_by), change.implementer.as_deref()],
    );
    Verdict { entries, status }
}

/// Why an entry added at step `i` does not count, if it does not.
fn problem(
    config: &Config,
    entry: &Approval,
    i: usize,
    steps: &[Step],
    content_changes: &[(usize, Vec<&str>)],
    resets: &[usize],
    signed: &mut dyn FnMut(Oid) -> bool,
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
            "given before the change went back to `new` in commit {}",
            steps[*j].commit
        ));
    }
    if config.change_policy.require_signed_approvals
        && let Some(oid) = step.oid
        && !signed(oid)
    {
        return Some(format!(
            "commit {} is not signed with a key `git verify-commit` accepts (require_signed_approvals)",
            step.commit
        ));
    }
    None
}

/// Whether `email` is one of the Git identities of approver `who` (a
/// handle from `people`, or an email).
pub fn is_identity_of(config: &Config, who: &str, email: &str) -> bool {
    if who.contains('@') {
        return who.eq_ignore_ascii_case(email);
    }
    config
        .people
        .get(who)
        .is_some_and(|p| p.emails.iter().any(|e| e.eq_ignore_ascii_case(email)))
}

/// `git verify-commit`: the one place gitsm runs Git's CLI, because
/// signature verification (GPG, SSH allowed signers) is configured there.
pub fn verify_commit(workdir: &Path, oid: Oid) -> bool {
    std::process::Command::new("git")
        .arg("verify-commit")
        .arg(oid.to_string())
        .current_dir(workdir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
