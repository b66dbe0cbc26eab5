//! `gitsm renumber`: give a record whose id collides with one on another
//! branch (or with another file of the work tree) the next free id, and
//! rewrite the references to it.
//!
//! Which file moves:
//! - stored once here and also in REV as a *different* record: the local
//!   one. Two versions are the same record when their text is equal or
//!   when they agree on the fields that never change (`created_at` and the
//!   reporter or requester): a record edited on this branch is still the
//!   upstream's record and is not renumbered.
//! - stored once here and not in REV (or as the same record): nothing to do.
//! - stored twice or more here: the copy that is REV's record keeps the id;
//!   when none is, the one created first keeps it. Every other copy moves.
//!
//! The new id is the next free one in the work tree *and* in REV
//! ([`ids::next_ticket_id`]), and the file keeps its folder (year folders
//! included). A reference names the moved record when the id was unique
//! here and REV's record keeps it: every reference in the work tree is
//! rewritten, except one that REV's version of the same record already
//! holds (it was written upstream and means REV's record). When two local
//! copies shared the id, a reference cannot say which it meant: it is left
//! as it is and reported. Mentions in text and comments are never edited;
//! they are reported too.
//!
//! All or nothing: every new text is made with [`edit::apply`] (so only the
//! edited values change, byte for byte) and checked — schema, single-record
//! rules, and the cross-record rules of the whole tree as it will be —
//! before anything is written; only errors the change itself brings refuse
//! it. Then the moved record is created at its new path (never clobbering),
//! the referring files are replaced atomically, and the old file is removed
//! last, so every record exists at every moment. Each file must still be
//! what was read. If a write fails midway, what was written is undone and
//! the error says what was done and what could not be undone.
//!
//! CIs are refused: their ids are names, and two branches that add the
//! same CI name usually describe the same item.

mod apply;
mod upstream;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::git;
use crate::ids;
use crate::kind::Kind;
use crate::records::{self, Loaded};
use crate::workspace::Workspace;

use super::locate::{Folders, read_target};
use super::{Editable, UpdateError, open};
use upstream::Upstream;

/// Fields that identify a record across its versions (they never change).
const IDENTITY: [&str; 3] = ["created_at", "reported_by", "requested_by"];

/// What a renumber did, or why there was nothing to do.
#[derive(Debug, Clone, Serialize)]
pub struct Renumbered {
    /// The id asked for.
    pub id: String,
    /// The revision compared with, when there was one.
    pub onto: Option<String>,
    /// Why the records moved, or why nothing had to.
    pub reason: String,
    /// Empty when there was nothing to do.
    pub moved: Vec<Move>,
    /// The file that keeps the id, when it is in the work tree.
    pub kept: Option<PathBuf>,
    /// Files whose references were rewritten.
    pub rewritten: Vec<Rewritten>,
    /// References to the old id left as they were.
    pub left: Vec<LeftReference>,
    /// Lines of the written files that still mention the old id (comments,
    /// text): gitsm does not edit prose.
    pub mentions: Vec<Mention>,
    /// Warnings about the new versions, and files that could not be read.
    pub warnings: Vec<Diagnostic>,
}

/// One record given a new id.
#[derive(Debug, Clone, Serialize)]
pub struct Move {
    pub from: String,
    pub to: String,
    pub from_path: PathBuf,
    pub to_path: PathBuf,
}

/// A record whose references to the moved one were rewritten.
#[derive(Debug, Clone, Serialize)]
pub struct Rewritten {
    pub id: String,
    pub path: PathBuf,
    /// Dotted fields, e.g. `links.0`, `problem`.
    pub fields: Vec<String>,
}

/// A reference to the old id that was not rewritten, and why.
#[derive(Debug, Clone, Serialize)]
pub struct LeftReference {
    pub id: String,
    pub path: PathBuf,
    pub field: String,
    pub why: String,
}

/// A line that mentions the old id outside the fields gitsm rewrites.
#[derive(Debug, Clone, Serialize)]
pub struct Mention {
    pub path: PathBuf,
    pub line: usize,
}

/// Why a renumber did not complete.
#[derive(Debug, thiserror::Error)]
pub enum RenumberError {
    /// Refused before anything was written.
    #[error(transparent)]
    Update(#[from] UpdateError),
    /// A write failed after others succeeded.
    #[error("renumber stopped: {failed}")]
    Interrupted {
        failed: Box<UpdateError>,
        /// What had been done, in order (`created …`, `rewrote …`, `removed …`).
        done: Vec<String>,
        /// Files put back as they were.
        undone: Vec<PathBuf>,
        /// Files that could not be put back, with why.
        not_undone: Vec<(PathBuf, String)>,
    },
}

/// A file to write: as read, and as it will be.
struct Rewrite {
    target: Editable,
    /// Where it goes (differs from `target.path` for a moved record).
    to: PathBuf,
    /// The new text (filled in once every file is planned).
    text: String,
    /// The record's id after the change.
    new_id: String,
    /// JSON pointers of the values set: `/id` of a moved record, references.
    pointers: Vec<String>,
}

/// Give the record `id` (colliding with REV or with another file here) the
/// next free id. `onto` defaults to `ids.base`, then `origin/HEAD`.
pub fn renumber(ws: &Workspace, id: &str, onto: Option<&str>) -> Result<Renumbered, RenumberError> {
    if id.is_empty() || id.contains(['/', '\\', '\0']) || id.contains("..") || id.starts_with('.') {
        return Err(UpdateError::usage(
            format!("`{}` is not a record id", id.escape_debug()),
            Some("ids are file names without `.yaml`, such as INC-0042".into()),
        )
        .into());
    }
    let kind = ws.config.ids.kind_of(id);
    if kind == Kind::Ci {
        // A mistyped ticket id reads as a CI: say it is unknown first.
        local_copies(ws, kind, id)?;
        return Err(UpdateError::usage(
            format!("`{id}` is a CI id; renumber moves tickets only"),
            Some(
                "a CI id is its name: if both branches describe the same CI, keep one file; \
                 otherwise rename the file and its `id:` by hand and fix its references"
                    .into(),
            ),
        )
        .into());
    }
    let locals = local_copies(ws, kind, id)?;
    let repo = git::open(&ws.root);
    let upstream = match &repo {
        Some(repo) => upstream::resolve(ws, repo, onto)?,
        None if onto.is_some() => {
            return Err(UpdateError::usage(
                format!("{} is not inside a Git repository", ws.root.display()),
                Some("--onto names a Git revision".into()),
            )
            .into());
        }
        None => None,
    };
    let label = upstream.as_ref().map(|u| u.label.clone());
    let mut done = Renumbered {
        id: id.to_owned(),
        onto: label.clone(),
        reason: String::new(),
        moved: Vec::new(),
        kept: None,
        rewritten: Vec::new(),
        left: Vec::new(),
        mentions: Vec::new(),
        warnings: Vec::new(),
    };
    let choice = choose(id, locals, upstream.as_ref(), kind)?;
    done.reason = choice.reason;
    done.kept = choice.kept.as_ref().map(|k| k.path.clone());
    if choice.movers.is_empty() {
        return Ok(done);
    }

    // New ids, free here and in REV; each file stays in its folder.
    let mut taken = upstream::taken_ids(ws, kind, upstream.as_ref(), repo.as_ref());
    let mut planned: Vec<Rewrite> = Vec::new();
    for mover in &choice.movers {
        let signed = mover
            .json
            .get("approvals")
            .and_then(Value::as_array)
            .is_some_and(|list| list.iter().any(|d| d.get("signature").is_some()));
        if signed {
            return Err(UpdateError::refused(
                format!(
                    "{} carries signed decisions, and the id is part of what they sign: renumbering would void them",
                    mover.path.display()
                ),
                Some(
                    "renumber the other copy (`--onto` the branch that has the unsigned one), or move this record back to `new` (which clears its decisions), renumber it, and ask for approval again"
                        .into(),
                ),
            )
            .into());
        }
    }
    for mover in choice.movers {
        let year = year_of(ws, kind, id, &mover.json);
        let Some(new_id) =
            ids::next_ticket_id(&ws.config.ids, kind, year, taken.iter().map(String::as_str))
        else {
            return Err(UpdateError::refused(
                format!("no {} id is left after the highest taken", kind.name()),
                Some("give the copy an id of your choice with `gitsm set`".into()),
            )
            .into());
        };
        taken.push(new_id.clone());
        planned.push(Rewrite {
            to: mover.path.with_file_name(kind.file_name(&new_id)),
            text: String::new(),
            new_id,
            pointers: vec!["/id".into()],
            target: mover,
        });
    }

    // The references, from every record of the tree as it is.
    let loaded = crate::checks::load(ws, &Kind::ALL);
    done.warnings = unreadable_mentions(ws, &loaded, id);
    let (holders, left) = references(
        ws,
        &loaded,
        upstream.as_ref(),
        id,
        done.kept.as_deref(),
        choice.refs_known,
        &mut planned,
    );
    done.left = left;
    for (path, pointers) in holders {
        let Some(file) = loaded.files.iter().find(|f| f.path == path) else {
            continue;
        };
        let holder = file.id.clone().unwrap_or_default();
        let target = read_target(ws, file.kind, &holder, &path)?;
        planned.push(Rewrite {
            to: path,
            text: String::new(),
            new_id: holder,
            pointers,
            target,
        });
    }

    // Every new text, checked together, before anything is written.
    let new_of_mover = apply::mover_ids(&planned);
    for p in &mut planned {
        p.text = apply::edited(p, id, &new_of_mover)?;
    }
    done.warnings
        .extend(apply::check_all(ws, &loaded, &planned, id)?);
    for p in &planned {
        if p.to == p.target.path {
            done.rewritten.push(Rewritten {
                id: p.new_id.clone(),
                path: p.to.clone(),
                fields: p.pointers.iter().map(|f| dotted(f)).collect(),
            });
        } else {
            done.moved.push(Move {
                from: id.to_owned(),
                to: p.new_id.clone(),
                from_path: p.target.path.clone(),
                to_path: p.to.clone(),
            });
        }
        done.mentions.extend(
            p.text
                .lines()
                .enumerate()
                .filter(|(_, l)| mentions_id(l, id))
                .map(|(i, _)| Mention {
                    path: p.to.clone(),
                    line: i + 1,
                }),
        );
    }
    apply::write_all(ws, &planned)?;
    Ok(done)
}

/// Which copies of an id move.
struct Choice {
    reason: String,
    /// The copy that keeps the id, when it is in the work tree.
    kept: Option<Editable>,
    /// Empty: nothing to do.
    movers: Vec<Editable>,
    /// Whether a reference to the id means the moved record (one moved,
    /// and the id stays with REV's record).
    refs_known: bool,
}

/// Decide which of the work tree's `locals` (one or more) moves.
fn choose(
    id: &str,
    locals: Vec<Editable>,
    upstream: Option<&Upstream<'_>>,
    kind: Kind,
) -> Result<Choice, UpdateError> {
    let label = upstream.map(|u| u.label.as_str());
    let in_rev: Vec<Value> = upstream
        .map(|u| upstream::rev_versions(&u.snapshot, kind, id))
        .unwrap_or_default();
    if let [only] = locals.as_slice() {
        let Some(rev) = label else {
            return Err(UpdateError::usage(
                format!(
                    "{id} is stored once in the work tree and there is no revision to compare with"
                ),
                Some(format!(
                    "name the branch it collides with: `gitsm renumber {id} --onto origin/main` \
                     (or set `ids.base` in gitsm.yaml)"
                )),
            ));
        };
        let nothing = |reason: String| Choice {
            reason,
            kept: Some(only.clone()),
            movers: Vec::new(),
            refs_known: false,
        };
        if in_rev.is_empty() {
            return Ok(nothing(format!("{id} is not taken in {rev}")));
        }
        if in_rev.iter().any(|v| same_record(&only.json, v)) {
            return Ok(nothing(format!(
                "{id} is the same record in {rev} (same `created_at` and reporter)"
            )));
        }
        return Ok(Choice {
            reason: format!("{rev} has a different record with id {id}"),
            kept: None,
            movers: locals,
            refs_known: true,
        });
    }
    for (i, a) in locals.iter().enumerate() {
        if let Some(b) = locals[i + 1..]
            .iter()
            .find(|b| same_record(&a.json, &b.json))
        {
            return Err(UpdateError::refused(
                format!(
                    "{} and {} are copies of one record (same `created_at` and reporter)",
                    a.path.display(),
                    b.path.display()
                ),
                Some("delete one of the copies instead of renumbering it".into()),
            ));
        }
    }
    let upstream_copy = locals
        .iter()
        .position(|t| in_rev.iter().any(|v| same_record(&t.json, v)));
    let (keep, why) = match (upstream_copy, label) {
        (Some(i), Some(rev)) => (i, format!("is the record of {rev}")),
        _ => (oldest(&locals), "was created first".to_owned()),
    };
    let reason = format!(
        "{id} is stored {} times in the work tree; {} keeps it: it {why}",
        locals.len(),
        locals[keep].path.display()
    );
    let mut movers = locals;
    let kept = movers.remove(keep);
    Ok(Choice {
        reason,
        refs_known: upstream_copy.is_some() && movers.len() == 1,
        kept: Some(kept),
        movers,
    })
}

/// The files whose references to `id` are rewritten, with the pointers,
/// and the references left as they are. A moved record's references to
/// itself are added to its own rewrite.
fn references(
    ws: &Workspace,
    loaded: &Loaded,
    upstream: Option<&Upstream<'_>>,
    id: &str,
    kept: Option<&Path>,
    refs_known: bool,
    planned: &mut [Rewrite],
) -> (Vec<(PathBuf, Vec<String>)>, Vec<LeftReference>) {
    let copies = planned.len() + 1;
    let mut holders = Vec::new();
    let mut left = Vec::new();
    for file in &loaded.files {
        if kept == Some(file.path.as_path()) {
            continue;
        }
        let refs: Vec<_> = file.refs.iter().filter(|(r, _)| r.target == id).collect();
        if refs.is_empty() {
            continue;
        }
        if let Some(own) = planned.iter_mut().find(|p| p.target.path == file.path) {
            // A record naming itself keeps naming itself.
            own.pointers
                .extend(refs.iter().map(|(r, _)| r.pointer.clone()));
            continue;
        }
        let upstream_refs = upstream
            .map(|u| upstream::upstream_references(ws, u, file, id))
            .unwrap_or_default();
        let mut rewrite = Vec::new();
        for (r, _) in refs {
            let why = if !refs_known {
                format!("{id} named {copies} records here: which one this means cannot be told")
            } else if upstream_refs.contains(&r.field) {
                format!(
                    "{} in {} already names {id}: it means that record",
                    r.field,
                    upstream.map_or("REV", |u| u.label.as_str())
                )
            } else {
                rewrite.push(r.pointer.clone());
                continue;
            };
            left.push(LeftReference {
                id: file.id.clone().unwrap_or_default(),
                path: file.path.clone(),
                field: dotted(&r.pointer),
                why,
            });
        }
        if !rewrite.is_empty() {
            holders.push((file.path.clone(), rewrite));
        }
    }
    (holders, left)
}

/// The work-tree files of `id`, read; an unknown id is a usage error.
fn local_copies(ws: &Workspace, kind: Kind, id: &str) -> Result<Vec<Editable>, UpdateError> {
    let found = Folders::default().locate(ws, kind, id);
    if found.is_empty() {
        // `open` says so, with a "did you mean".
        return Err(match open(ws, id) {
            Err(e) => e,
            Ok(_) => UpdateError::usage(format!("no {} with id `{id}`", kind.label()), None),
        });
    }
    let mut out = Vec::with_capacity(found.len());
    for rel in found {
        let target = read_target(ws, kind, id, &rel)?;
        let field = target.json.get("id").and_then(Value::as_str);
        if field != Some(id) {
            return Err(UpdateError::refused(
                format!(
                    "{} says `id: {}`, not {id}",
                    rel.display(),
                    field.unwrap_or("(none)")
                ),
                Some("fix the file's `id:` or its name first (`gitsm validate` shows it)".into()),
            ));
        }
        out.push(target);
    }
    Ok(out)
}

/// Whether two versions are one record: equal, or agreeing on the fields
/// that never change (and having a `created_at`).
fn same_record(a: &Value, b: &Value) -> bool {
    a == b || (a.get("created_at").is_some() && IDENTITY.iter().all(|f| a.get(*f) == b.get(*f)))
}

/// The copy created first (by `created_at`; ties and unreadable dates by
/// the order found: the flat folder, then year folders in order).
fn oldest(copies: &[Editable]) -> usize {
    copies
        .iter()
        .enumerate()
        .min_by_key(|(i, t)| {
            let at = t
                .json
                .get("created_at")
                .and_then(Value::as_str)
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
            (at.is_none(), at, *i)
        })
        .map_or(0, |(i, _)| i)
}

/// The year an id of the `yearly` scheme belongs to: the old id's, else
/// the record's `created_at` (other schemes ignore it).
fn year_of(ws: &Workspace, kind: Kind, id: &str, json: &Value) -> i32 {
    let from_id = ws
        .config
        .ids
        .prefix(kind)
        .and_then(|p| id.strip_prefix(p))
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|rest| rest.split_once('-'))
        .filter(|(y, _)| records::is_year(y))
        .and_then(|(y, _)| y.parse().ok());
    from_id
        .or_else(|| {
            json.get("created_at")
                .and_then(Value::as_str)
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                .map(|t| chrono::Datelike::year(&t))
        })
        .unwrap_or(0)
}

/// Files that could not be read as records but mention `id`: their
/// references cannot be seen, so they are not rewritten.
fn unreadable_mentions(ws: &Workspace, loaded: &Loaded, id: &str) -> Vec<Diagnostic> {
    let unread: HashSet<&Path> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .filter_map(|d| d.path.as_deref())
        .filter(|p| {
            !loaded
                .files
                .iter()
                .any(|f| f.path == *p && f.record.is_some())
        })
        .collect();
    let mut out: Vec<Diagnostic> = unread
        .into_iter()
        .filter(|p| {
            std::fs::read_to_string(ws.abs(p))
                .is_ok_and(|text| text.lines().any(|l| mentions_id(l, id)))
        })
        .map(|p| {
            Diagnostic::warning(
                "renumber-unread",
                format!(
                    "mentions {id} but is not a valid record: its references were not rewritten"
                ),
            )
            .in_file(p)
            .with_hint("fix it (`gitsm validate`), then edit the reference by hand")
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Whether `line` names `id` as a whole word (not `INC-00021`).
fn mentions_id(line: &str, id: &str) -> bool {
    let word =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    line.match_indices(id).any(|(i, _)| {
        !word(line[..i].chars().next_back()) && !word(line[i + id.len()..].chars().next())
    })
}

/// `/links/0` -> `links.0`.
fn dotted(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mentions_are_whole_ids() {
        assert!(mentions_id("links: [INC-0002]", "INC-0002"));
        assert!(mentions_id("# see INC-0002.", "INC-0002"));
        assert!(!mentions_id("links: [INC-00021]", "INC-0002"));
        assert!(!mentions_id("XINC-0002", "INC-0002"));
    }

    #[test]
    fn same_record_by_identity_fields() {
        let a = json!({"id": "INC-0002", "created_at": "2026-01-01T00:00:00Z", "reported_by": "a", "status": "new"});
        let edited = json!({"id": "INC-0002", "created_at": "2026-01-01T00:00:00Z", "reported_by": "a", "status": "resolved"});
        let other = json!({"id": "INC-0002", "created_at": "2026-01-02T00:00:00Z", "reported_by": "b", "status": "new"});
        assert!(same_record(&a, &edited));
        assert!(!same_record(&a, &other));
    }

    #[test]
    fn pointers_read_as_fields() {
        assert_eq!(dotted("/relations/depends_on/1"), "relations.depends_on.1");
        assert_eq!(dotted("/problem"), "problem");
    }
}
