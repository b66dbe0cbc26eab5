//! Editing records in place: what `gitsm set`, `transition` and `link` do.
//!
//! A record is found from its id alone: the kind from the id's prefix, the
//! file at `<folder>/<id>.yaml` or `<folder>/<year>/<id>.yaml` (no walk of
//! the tree). A change is planned as [`Edit`]s and made in one
//! [`edit::apply`], which keeps comments, key order, quoting and every
//! untouched line byte for byte. The result is then checked as the
//! pre-commit hook would check it (schema, state requirements, the history
//! rules against the file as it is now, references to the records it names)
//! and written atomically only when nothing is wrong. A refused change
//! leaves the file as it was.

mod approve;
mod baseline;
mod escalate;
mod event;
mod feedback;
mod link;
mod locate;
mod note;
mod renumber;
mod transition;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::SecondsFormat;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::assign::Assignment;
use crate::checks;
use crate::diagnostic::Diagnostic;
use crate::edit::{self, Edit, EditError, Step};
use crate::front_matter::fields_of;
use crate::kind::Kind;
use crate::model::Timestamp;
use crate::records;
use crate::workspace::Workspace;
use crate::yaml;

pub use approve::{NewDecision, approve};
pub use baseline::{BaselineSet, set_baseline};
pub use escalate::{Escalation, accept, escalate};
pub use event::repeat;
pub use feedback::{FEEDBACK_STATES, NewFeedback, feedback};
pub use link::{DEFAULT_RELATION, Linked, link};
pub use locate::{Folders, open};
pub use note::{DEFAULT_AUDIENCE, comms_update, note};
pub use renumber::{LeftReference, Mention, Move, RenumberError, Renumbered, Rewritten, renumber};
pub use transition::{
    TransitionRequest, Transitioned, transition, transition_all, transition_along,
};

/// Why a record was not changed. The file is untouched in every case.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// A wrong argument: an unknown id or state, a malformed `--set`.
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },
    /// The workflow does not allow the transition.
    #[error("{id}: `{from}` -> `{to}` is not a transition of the {workflow} workflow")]
    Transition {
        id: String,
        from: String,
        to: String,
        workflow: String,
        /// The states `from` may move to (empty: `from` is terminal).
        allowed: Vec<String>,
    },
    /// The change is refused for a reason about the record itself.
    #[error("{message}")]
    Refused {
        message: String,
        hint: Option<String>,
    },
    /// The file cannot be edited without reformatting it.
    #[error("cannot edit {} safely: {source}", .path.display())]
    Unsafe { path: PathBuf, source: EditError },
    /// The edited record would not pass validation.
    #[error("{} would not be valid; nothing was written", .path.display())]
    Invalid {
        path: PathBuf,
        /// The text that was not written, which the positions refer to.
        proposed: String,
        diagnostics: Vec<Diagnostic>,
    },
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl UpdateError {
    fn usage(message: impl Into<String>, hint: Option<String>) -> Self {
        UpdateError::Usage {
            message: message.into(),
            hint,
        }
    }

    fn refused(message: impl Into<String>, hint: Option<String>) -> Self {
        UpdateError::Refused {
            message: message.into(),
            hint,
        }
    }
}

/// A record file as it is now, ready to be edited.
#[derive(Debug, Clone)]
pub struct Editable {
    pub id: String,
    pub kind: Kind,
    /// Relative to the managed root.
    pub path: PathBuf,
    text: String,
    json: Value,
}

impl Editable {
    /// The record's `status`, when it has one.
    pub fn status(&self) -> Option<&str> {
        self.json.get("status").and_then(Value::as_str)
    }

    /// The typed record, when it is valid.
    pub fn record(&self) -> Option<crate::model::Record> {
        crate::model::Record::from_json(self.kind, self.json.clone()).ok()
    }

    /// A top-level field of the record, as it is now.
    pub fn field(&self, key: &str) -> Option<&Value> {
        self.json.get(key)
    }

    /// The file's text with `edits` applied to its fields, everything else
    /// (comments, order, an article's Markdown body) byte for byte.
    fn apply(&self, edits: &[Edit]) -> Result<String, EditError> {
        match crate::front_matter::split(&self.text) {
            Ok(split) if self.kind == Kind::Article => {
                let front = edit::apply(split.front, edits)?;
                Ok(crate::front_matter::join(&front, &split))
            }
            _ => edit::apply(&self.text, edits),
        }
    }
}

/// One field a change sets or appends to, for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldEdit {
    /// Dotted path, e.g. `resolution.code` or `on_hold.0.end`.
    pub field: String,
    pub value: Value,
    /// Appended to a list rather than set.
    pub append: bool,
    /// Filled in by gitsm (a timestamp, the assignee) rather than asked for.
    pub implied: bool,
}

/// A record after a change.
#[derive(Debug, Clone, Serialize)]
pub struct Updated {
    pub id: String,
    pub path: PathBuf,
    pub changes: Vec<FieldEdit>,
    /// False when the change left the file as it was.
    pub written: bool,
    /// Warnings about the new version (an error refuses the change).
    pub warnings: Vec<Diagnostic>,
}

/// A planned edit and how to report it.
struct Planned {
    edit: Edit,
    implied: bool,
}

impl Planned {
    fn set(path: Vec<Step>, value: Value, implied: bool) -> Self {
        Planned {
            edit: Edit::Set { path, value },
            implied,
        }
    }

    fn append(path: Vec<Step>, item: Value, implied: bool) -> Self {
        Planned {
            edit: Edit::Append { path, item },
            implied,
        }
    }

    fn describe(&self) -> FieldEdit {
        let (path, value, append) = match &self.edit {
            Edit::Set { path, value } => (path, value, false),
            Edit::Append { path, item } => (path, item, true),
        };
        FieldEdit {
            field: path
                .iter()
                .map(Step::to_string)
                .collect::<Vec<_>>()
                .join("."),
            value: value.clone(),
            append,
            implied: self.implied,
        }
    }
}

fn keys(path: &[&str]) -> Vec<Step> {
    path.iter().map(|k| Step::Key((*k).to_owned())).collect()
}

/// A timestamp as records write it: `2026-11-21T10:00:00+01:00`.
fn stamp(now: Timestamp) -> Value {
    Value::String(now.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// An edit planned, applied and checked, not yet written.
struct Prepared<'t> {
    target: &'t Editable,
    text: String,
    updated: Updated,
}

/// Apply `planned` to the target in one edit and check the result.
fn prepare<'t>(
    ws: &Workspace,
    target: &'t Editable,
    planned: &[Planned],
    now: Timestamp,
) -> Result<Prepared<'t>, UpdateError> {
    let edits: Vec<Edit> = planned.iter().map(|p| p.edit.clone()).collect();
    let text = target.apply(&edits).map_err(|source| UpdateError::Unsafe {
        path: target.path.clone(),
        source,
    })?;
    let changes = planned.iter().map(Planned::describe).collect();
    let mut updated = Updated {
        id: target.id.clone(),
        path: target.path.clone(),
        changes,
        written: false,
        warnings: Vec::new(),
    };
    if text != target.text {
        let diagnostics = check(ws, target, &text, now);
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(UpdateError::Invalid {
                path: target.path.clone(),
                proposed: text,
                diagnostics,
            });
        }
        updated.warnings = diagnostics;
    }
    Ok(Prepared {
        target,
        text,
        updated,
    })
}

/// Write every prepared edit that changes its file. Each was checked
/// before the first is written, so a refusal leaves every file as it was.
fn write_all(ws: &Workspace, prepared: Vec<Prepared<'_>>) -> Result<Vec<Updated>, UpdateError> {
    let changed: Vec<&Prepared<'_>> = prepared
        .iter()
        .filter(|p| p.text != p.target.text)
        .collect();
    if !changed.is_empty() {
        // Under the lock, every record is compared with the text it was
        // edited from before any is replaced: all are written, or none.
        let _lock =
            crate::lock::WriteLock::acquire(&ws.root).map_err(|source| UpdateError::Io {
                path: PathBuf::from(crate::config::FILE_NAME),
                source,
            })?;
        for p in &changed {
            writable(ws, p.target)?;
        }
        let folders: std::collections::BTreeSet<_> = changed
            .iter()
            .filter_map(|p| p.target.path.parent())
            .collect();
        for folder in folders {
            crate::write::sweep(&ws.abs(folder));
        }
        for p in &changed {
            let abs = ws.abs(&p.target.path);
            crate::write::atomic(&abs, p.text.as_bytes()).map_err(|source| UpdateError::Io {
                path: p.target.path.clone(),
                source,
            })?;
        }
    }
    Ok(prepared
        .into_iter()
        .map(|mut p| {
            p.updated.written = p.text != p.target.text;
            p.updated
        })
        .collect())
}

/// Apply `planned` to the target in one edit, check the result, and write it.
fn apply_checked(
    ws: &Workspace,
    target: &Editable,
    planned: &[Planned],
    now: Timestamp,
) -> Result<Updated, UpdateError> {
    let prepared = prepare(ws, target, planned, now)?;
    Ok(write_all(ws, vec![prepared])?.remove(0))
}

/// Plan an edit of each target, check them all, and write them all — or,
/// when one is refused, none.
fn apply_all(
    ws: &Workspace,
    targets: &[Editable],
    now: Timestamp,
    plan: impl Fn(&Editable) -> Result<Vec<Planned>, UpdateError>,
) -> Result<Vec<Updated>, UpdateError> {
    let planned = targets
        .iter()
        .map(|t| Ok((t, plan(t)?)))
        .collect::<Result<Vec<_>, UpdateError>>()?;
    let prepared = planned
        .iter()
        .map(|(t, p)| prepare(ws, t, p, now))
        .collect::<Result<Vec<_>, _>>()?;
    write_all(ws, prepared)
}

/// What `validate --staged` would say about `text` as the next version of
/// `target`, recorded at `now`.
pub fn check(ws: &Workspace, target: &Editable, text: &str, now: Timestamp) -> Vec<Diagnostic> {
    let rel = &target.path;
    let (file, mut diags) = crate::checks::parse_record(ws, target.kind, rel, text.as_bytes());
    let node = yaml::parse(fields_of(target.kind, text)).ok();
    if let Some(file) = file {
        if let (Some(record), Some(node)) = (&file.record, &node) {
            diags.extend(checks::history(
                ws,
                record,
                Some(&target.json),
                checks::Recorded {
                    at: now,
                    skew: ws.config.clock_skew,
                },
                node,
                rel,
            ));
        }
        diags.extend(cross_record(ws, file, &mut Folders::default()));
        if let Some(node) = &node {
            checks::renewing(Some(&target.json), &node.to_json(), &mut diags);
        }
    }
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
    diags
}

/// Everything `validate` would say about `text` as a new record file at
/// `rel`: its own rules and the cross-record ones, against the records it
/// names and any file already holding its id (found by id, not by
/// reading the tree).
pub fn check_new(ws: &Workspace, kind: Kind, rel: &Path, text: &str) -> Vec<Diagnostic> {
    check_new_among(ws, kind, rel, text, &mut Folders::default())
}

/// [`check_new`] for one of a batch of new records: `folders` keeps the
/// kind folders' listings from one record to the next.
pub fn check_new_among(
    ws: &Workspace,
    kind: Kind,
    rel: &Path,
    text: &str,
    folders: &mut Folders,
) -> Vec<Diagnostic> {
    let (file, mut diags) = crate::checks::parse_record(ws, kind, rel, text.as_bytes());
    if let Some(file) = file {
        diags.extend(cross_record(ws, file, folders));
    }
    diags
}

/// The cross-record findings on `file` (about to be written), against the
/// records it names and any other file holding its id.
fn cross_record(
    ws: &Workspace,
    file: records::RecordFile,
    folders: &mut Folders,
) -> Vec<Diagnostic> {
    let rel = file.path.clone();
    let loaded = records::with_named(
        &ws.config,
        vec![file],
        |kind, id| folders.locate(ws, kind, id),
        |kind, path| crate::checks::read_record(ws, kind, path).0,
    );
    checks::changed(ws, &loaded, &HashSet::from([rel]))
}

/// Create the record file `rel` with `text`: never through a link, never
/// over an existing file. For a caller holding the write lock, who swept
/// the folder of the temp files killed runs left ([`crate::write::sweep`]:
/// a temp file of a run still alive stays).
pub fn create_in_swept(ws: &Workspace, rel: &std::path::Path, text: &str) -> std::io::Result<()> {
    crate::confined::check_writable(&ws.root, rel)?;
    crate::write::create_new(&ws.abs(rel), text.as_bytes())
}

/// Whether the file of `target` may be replaced: inside the repository
/// (no link on the way), not read-only, and still the text it was edited
/// from. Called under the write lock.
pub(super) fn writable(ws: &Workspace, target: &Editable) -> Result<(), UpdateError> {
    let io = |source| UpdateError::Io {
        path: target.path.clone(),
        source,
    };
    crate::confined::check_writable(&ws.root, &target.path).map_err(io)?;
    if std::fs::symlink_metadata(ws.abs(&target.path))
        .map_err(io)?
        .permissions()
        .readonly()
    {
        return Err(UpdateError::refused(
            format!(
                "{} is read-only; nothing was written",
                target.path.display()
            ),
            Some("make it writable (chmod u+w) if it is meant to be edited".into()),
        ));
    }
    let now = crate::confined::read(&ws.root, &target.path, records::MAX_FILE_BYTES).map_err(io)?;
    if now != target.text.as_bytes() {
        return Err(UpdateError::refused(
            format!(
                "{} changed while gitsm was editing it; nothing was written",
                target.path.display()
            ),
            Some("run the command again".into()),
        ));
    }
    Ok(())
}

/// `key=value` assignments as edits, typed by the kind's schema. `status`
/// is refused (it moves only through [`transition`]), and so is an empty
/// value: the editor cannot remove a field.
fn assignments(
    ws: &Workspace,
    target: &Editable,
    list: &[Assignment],
    for_transition: bool,
) -> Result<Vec<Planned>, UpdateError> {
    let schema = ws.schemas.schema(target.kind);
    let mut out = Vec::with_capacity(list.len());
    for a in list {
        let key = a.key();
        if key == "status" {
            let hint = if for_transition {
                "the state to move to is the STATE argument".to_owned()
            } else {
                format!(
                    "move it through the workflow: `gitsm transition {} <STATE>`",
                    target.id
                )
            };
            return Err(UpdateError::usage(
                format!(
                    "`status` is not set directly: it changes by a transition (checked against the {} workflow)",
                    target.kind.label()
                ),
                Some(hint),
            ));
        }
        if a.value.is_empty() {
            return Err(UpdateError::usage(
                format!("`{key}=` has no value; gitsm does not remove fields"),
                Some(format!(
                    "give `{key}` a value, or delete its line from {} by hand",
                    target.path.display()
                )),
            ));
        }
        let mut scratch = Value::Object(Map::new());
        a.apply(&mut scratch, schema)
            .map_err(|e| UpdateError::usage(e, None))?;
        let value = a
            .path
            .iter()
            .try_fold(&scratch, |v, seg| v.get(seg))
            .cloned()
            .unwrap_or(Value::Null);
        out.push(Planned::set(steps(&target.json, &a.path), value, false));
    }
    Ok(out)
}

/// Path steps for dotted keys: a number indexes a list that is there.
fn steps(json: &Value, path: &[String]) -> Vec<Step> {
    let mut here = Some(json);
    path.iter()
        .map(|seg| match (here, seg.parse::<usize>()) {
            (Some(Value::Array(items)), Ok(i)) => {
                here = items.get(i);
                Step::Index(i)
            }
            _ => {
                here = here.and_then(|v| v.get(seg));
                Step::Key(seg.clone())
            }
        })
        .collect()
}

/// Fields that name a person, where `me` stands for the person running
/// gitsm.
const PERSON_FIELDS: &[&str] = &[
    "assignee",
    "implementer",
    "requested_for",
    "owner",
    "commander",
];

/// `commander_at: now` when `list` gives an incident its first
/// commander: when the commander took charge, which time to commander
/// measures.
fn commander_stamp(target: &Editable, list: &[Assignment], now: Timestamp) -> Option<Planned> {
    let sets = |key: &str| list.iter().any(|a| a.key() == key);
    (target.kind == Kind::Incident
        && sets("commander")
        && !sets("commander_at")
        && !crate::workflow::is_set(&target.json, "commander_at"))
    .then(|| Planned::set(keys(&["commander_at"]), stamp(now), true))
}

/// `list` with `me` in a person field replaced by `person`.
fn with_me(list: &[Assignment], person: Option<&str>) -> Result<Vec<Assignment>, UpdateError> {
    list.iter()
        .map(|a| {
            if a.value != "me" || !PERSON_FIELDS.contains(&a.key().as_str()) {
                return Ok(a.clone());
            }
            let me = person.ok_or_else(|| {
                UpdateError::usage(
                    format!("`{}=me`: gitsm cannot tell who you are", a.key()),
                    Some("run `git config user.email you@example.com`".into()),
                )
            })?;
            Ok(Assignment {
                path: a.path.clone(),
                value: me.to_owned(),
            })
        })
        .collect()
}

/// Set fields of the record `id`. `me` in a person field is `person` (the
/// one running gitsm). When impact or urgency change, a stored `priority`
/// follows the matrix (unless an override is recorded), so the record
/// stays valid.
pub fn set(
    ws: &Workspace,
    target: &Editable,
    list: &[Assignment],
    person: Option<&str>,
    now: Timestamp,
) -> Result<Updated, UpdateError> {
    Ok(set_all(ws, std::slice::from_ref(target), list, person, now)?.remove(0))
}

/// [`set`] on every target: each is checked before any is written, and
/// all are written or none.
pub fn set_all(
    ws: &Workspace,
    targets: &[Editable],
    list: &[Assignment],
    person: Option<&str>,
    now: Timestamp,
) -> Result<Vec<Updated>, UpdateError> {
    if list.is_empty() {
        return Err(UpdateError::usage("nothing to set", None));
    }
    let list = with_me(list, person)?;
    let sets = |key: &str| list.iter().any(|a| a.key() == key);
    let follow = (sets("impact") || sets("urgency")) && !sets("priority");
    apply_all(ws, targets, now, |target| {
        let mut planned = assignments(ws, target, &list, false)?;
        if follow {
            planned.extend(derived_priority(ws, target, &planned));
        }
        planned.extend(commander_stamp(target, &list, now));
        Ok(planned)
    })
}

/// The stored `priority` the matrix gives once `planned` is applied, when
/// it differs from the one the record holds.
fn derived_priority(ws: &Workspace, target: &Editable, planned: &[Planned]) -> Option<Planned> {
    let stored = target.json.get("priority")?;
    let edits: Vec<Edit> = planned.iter().map(|p| p.edit.clone()).collect();
    let text = target.apply(&edits).ok()?;
    let json = yaml::parse(fields_of(target.kind, &text)).ok()?.to_json();
    let record = crate::model::Record::from_json(target.kind, json).ok()?;
    let priority = crate::priority::of(&record, &ws.config)?;
    (stored.as_str() != Some(priority.name())).then(|| {
        Planned::set(
            keys(&["priority"]),
            Value::String(priority.name().to_owned()),
            true,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_index_lists_that_exist() {
        let json = json!({"notes": [{"text": "a"}], "custom": {}});
        let path = |p: &[&str]| p.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            steps(&json, &path(&["notes", "0", "text"])),
            vec![
                Step::Key("notes".into()),
                Step::Index(0),
                Step::Key("text".into())
            ]
        );
        assert_eq!(
            steps(&json, &path(&["custom", "0"])),
            vec![Step::Key("custom".into()), Step::Key("0".into())]
        );
    }
}
