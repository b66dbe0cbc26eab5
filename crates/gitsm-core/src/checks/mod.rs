//! Checks: records in, diagnostics out.
//!
//! [`record`] runs on one parsed record (it needs only the config);
//! [`identity`] checks a file's id against its name; [`tree`] runs the checks
//! that need every record: unique ids, references, CMDB cycles.
//!
//! The loader ([`crate::records`]) only parses; [`load`], [`read_record`]
//! and [`parse_record`] are its reads with the single-file rules run on
//! each file, for `validate` and the commands that show or edit records.

mod cmdb;
mod feedback;
mod fields;
mod grants;
mod history;
mod identity;
mod maintenance;
mod outage;
mod recurrence;
mod references;
mod schedule;
mod state;
mod suppliers;
mod text;
mod timeline;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::kind::Kind;
use crate::model::Record;
use crate::records::{self, Detail, Loaded, Parsed, RecordFile};
use crate::workspace::Workspace;
use crate::yaml::Node;

pub use grants::expiry as grant_expiry;
pub use history::{Recorded, SeenWithout, earliest_new_event, is_reason, only_decisions_added};
pub use identity::identity;
pub use maintenance::missed as maintenance_missed;

/// Where a record's fields are, for diagnostics.
pub(crate) struct Located<'a> {
    pub node: &'a Node,
    pub path: &'a Path,
}

impl Located<'_> {
    /// Position of the value at a JSON pointer (or its nearest parent).
    pub(crate) fn pos(&self, pointer: &str) -> crate::yaml::Pos {
        self.node
            .find(crate::records::pointer_segments(pointer))
            .pos
    }

    pub(crate) fn error(
        &self,
        code: &'static str,
        pointer: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error(code, message).at(self.path, self.pos(pointer))
    }

    pub(crate) fn warning(
        &self,
        code: &'static str,
        pointer: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::warning(code, message).at(self.path, self.pos(pointer))
    }
}

/// Every record of `kinds` in the work tree, each checked by the
/// single-file rules ([`checked`]).
pub fn load(ws: &Workspace, kinds: &[Kind]) -> Loaded {
    records::load(ws, kinds, Detail::Positions, false, |parsed, diags| {
        checked(ws, parsed, diags)
    })
}

/// One record file of the work tree, checked by the single-file rules.
pub fn read_record(
    ws: &Workspace,
    kind: Kind,
    rel: &Path,
) -> (Option<RecordFile>, Vec<Diagnostic>) {
    let (parsed, diags) = records::read(ws, kind, rel, Detail::Positions, false);
    checked(ws, parsed, diags)
}

/// The bytes of a record file (of the work tree, a commit or an edit),
/// checked by the single-file rules.
pub fn parse_record(
    ws: &Workspace,
    kind: Kind,
    rel: &Path,
    bytes: &[u8],
) -> (Option<RecordFile>, Vec<Diagnostic>) {
    let (parsed, diags) = records::parse(ws, kind, rel, bytes, Detail::Positions);
    checked(ws, parsed, diags)
}

/// Published knowledge articles past their review date on `today`: a
/// warning at each one's `review_by` (the file read again for its
/// position; overdue articles are few).
pub fn reviews(ws: &Workspace, loaded: &Loaded, today: chrono::NaiveDate) -> Vec<Diagnostic> {
    loaded
        .records()
        .filter_map(|(f, r)| match r {
            Record::Article(a) if crate::knowledge::review_overdue(a, today) => Some((f, a)),
            _ => None,
        })
        .map(|(f, a)| {
            let (parsed, _) = records::read(ws, Kind::Article, &f.path, Detail::Positions, false);
            let pos = parsed
                .and_then(|p| p.node)
                .map_or(crate::yaml::Pos::START, |n| {
                    n.find(records::pointer_segments("/review_by")).pos
                });
            let due = a.review_by.map(|d| d.to_string()).unwrap_or_default();
            Diagnostic::warning(
                "review-overdue",
                format!("{} was due for review on {due} (checked on {today})", a.id),
            )
            .at(&f.path, pos)
            .with_hint(format!(
                "review it, then `gitsm set {} review_by=<next date>`; or `gitsm transition {} retired`",
                a.id, a.id
            ))
        })
        .collect()
}

/// A parsed file after the single-file rules: [`record`] on its record
/// (when it passed its schema) and [`identity`] on its id.
pub fn checked(
    ws: &Workspace,
    parsed: Option<Parsed>,
    mut diags: Vec<Diagnostic>,
) -> (Option<RecordFile>, Vec<Diagnostic>) {
    let Some(Parsed { file, node }) = parsed else {
        return (None, diags);
    };
    if let (Some(parsed), Some(node)) = (&file.record, &node) {
        diags.extend(record(ws, parsed, node, &file.path));
    }
    diags.extend(identity(
        ws,
        file.kind,
        &file.path,
        file.id.as_deref(),
        file.id_pos,
    ));
    (Some(file), diags)
}

/// Single-record checks: state fields, priority, timestamps, people and
/// config references, custom fields, CI class rules.
pub fn record(ws: &Workspace, record: &Record, node: &Node, path: &Path) -> Vec<Diagnostic> {
    let at = Located { node, path };
    let mut out = Vec::new();
    state::check(&ws.config, ws.imported(), record, &at, &mut out);
    timeline::check(record, &at, &mut out);
    fields::check(&ws.config, record, &at, &mut out);
    suppliers::check(&ws.config, record, &at, &mut out);
    feedback::check(&ws.config, record, &at, &mut out);
    cmdb::check_ci(&ws.config, record, &at, &mut out);
    outage::check(&ws.config, record, &at, &mut out);
    text::check(node, &at, &mut out);
    out
}

/// History rules: `record` against its previous version `old` (`None`
/// when it is new), as `recorded`.
pub fn history(
    ws: &Workspace,
    record: &Record,
    old: Option<&Value>,
    recorded: Recorded,
    node: &Node,
    path: &Path,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    history::check(
        &ws.config,
        record,
        old,
        recorded,
        &Located { node, path },
        &mut out,
    );
    out
}

/// Backdating: events `new` adds earlier than `seen`, a commit that
/// changed the record file without them, and not declared as such.
pub fn backdating(
    skew: crate::duration::Duration,
    old: Option<&Value>,
    new: &Value,
    seen: &SeenWithout,
    node: &Node,
    path: &Path,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    history::backdating(skew, old, new, seen, &Located { node, path }, &mut out);
    out
}

/// A version that only appends decisions to the previous one renews
/// approvals: that its decisions do not yet satisfy the policy is a
/// warning then, not an error (approvers sign one after the other).
pub fn renewing(old: Option<&Value>, new: &Value, diags: &mut [Diagnostic]) {
    if !old.is_some_and(|old| only_decisions_added(old, new)) {
        return;
    }
    for d in diags.iter_mut().filter(|d| d.code == "approvals") {
        d.severity = crate::diagnostic::Severity::Warning;
    }
}

/// One whole-tree check, adding its findings.
type Check<'a> = &'a (dyn Fn(&mut Vec<Diagnostic>) + Sync);

/// Checks across the whole tree.
pub fn tree(ws: &Workspace, loaded: &Loaded) -> Vec<Diagnostic> {
    // Independent of each other: run side by side.
    let config = &ws.config;
    let checks: [Check<'_>; 6] = [
        &|out| identity::duplicates(loaded, out),
        &|out| references::check(config, loaded, out),
        &|out| cmdb::health(config, loaded, out),
        &|out| cmdb::relations(config, loaded, out),
        &|out| schedule::check(config, loaded, out),
        &|out| recurrence::check(config, loaded, out),
    ];
    checks
        .par_iter()
        .flat_map_iter(|check| {
            let mut out = Vec::new();
            check(&mut out);
            out
        })
        .collect()
}

/// The cross-record checks of a change: `loaded` holds the records that
/// changed (at `changed`) and the records they name, and only findings on
/// changed files are kept — plus relation cycles, which a change may close
/// through records it did not touch. Whole-tree warnings (orphan CIs) need
/// the whole tree and are left to `validate --all`.
pub fn changed(ws: &Workspace, loaded: &Loaded, changed: &HashSet<PathBuf>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    identity::duplicates(loaded, &mut out);
    references::check(&ws.config, loaded, &mut out);
    cmdb::relations(&ws.config, loaded, &mut out);
    schedule::check(&ws.config, loaded, &mut out);
    out.retain(|d| {
        d.code == "relation-cycle" || d.path.as_ref().is_some_and(|p| changed.contains(p))
    });
    out
}
