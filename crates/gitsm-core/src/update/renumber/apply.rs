//! Making a renumber: every new text, checked together, then written in
//! an order that keeps each record present, undone if a write fails.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::checks;
use crate::diagnostic::Diagnostic;
use crate::edit::Edit;
use crate::records::{Loaded, RecordFile};
use crate::workspace::Workspace;

use super::super::{UpdateError, steps, writable};
use super::{RenumberError, Rewrite, dotted};

/// The new id of each moved file, by its old path.
pub(super) fn mover_ids(planned: &[Rewrite]) -> HashMap<PathBuf, String> {
    planned
        .iter()
        .filter(|p| p.to != p.target.path)
        .map(|p| (p.target.path.clone(), p.new_id.clone()))
        .collect()
}

/// The text of `p` with its fields set: a moved record's `id` (and its
/// references to itself) to its new id, another record's references to the
/// new id of the one moved record.
pub(super) fn edited(
    p: &Rewrite,
    old: &str,
    movers: &HashMap<PathBuf, String>,
) -> Result<String, UpdateError> {
    let value = match movers.get(&p.target.path) {
        Some(new) => new.clone(),
        None => movers.values().next().cloned().unwrap_or_default(),
    };
    let mut edits = Vec::with_capacity(p.pointers.len());
    for pointer in &p.pointers {
        if p.target.json.pointer(pointer).and_then(Value::as_str) != Some(old) {
            return Err(UpdateError::refused(
                format!(
                    "{}: `{}` no longer names {old}; nothing was written",
                    p.target.path.display(),
                    dotted(pointer)
                ),
                Some("run the command again".into()),
            ));
        }
        let segments: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        edits.push(Edit::Set {
            path: steps(&p.target.json, &segments),
            value: json!(value),
        });
    }
    p.target
        .apply(&edits)
        .map_err(|source| UpdateError::Unsafe {
            path: p.target.path.clone(),
            source,
        })
}

/// Check the tree as it will be: each new text parsed and checked at its
/// new path, and the cross-record rules over every record. Errors the
/// change brings refuse it (errors that were there before do not); new
/// warnings are returned.
pub(super) fn check_all(
    ws: &Workspace,
    loaded: &Loaded,
    planned: &[Rewrite],
    old: &str,
) -> Result<Vec<Diagnostic>, UpdateError> {
    let before_paths: HashSet<PathBuf> = planned.iter().map(|p| p.target.path.clone()).collect();
    let after_paths: HashSet<PathBuf> = planned.iter().map(|p| p.to.clone()).collect();
    let moved_to: HashMap<&Path, &Rewrite> = planned
        .iter()
        .map(|p| (p.target.path.as_path(), p))
        .collect();

    // Before: what the files said already, keyed as the new version will say it.
    let mut before: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.path.as_ref().is_some_and(|p| before_paths.contains(p)))
        .cloned()
        .collect();
    before.extend(checks::changed(ws, loaded, &before_paths));
    let known: HashSet<(PathBuf, &'static str, String)> = before
        .iter()
        .filter_map(|d| {
            let p = moved_to.get(d.path.as_deref()?)?;
            Some((p.to.clone(), d.code, renamed(&d.message, old, p)))
        })
        .collect();

    // After.
    let mut after_files: Vec<RecordFile> = Vec::with_capacity(loaded.files.len());
    let mut after: Vec<Diagnostic> = Vec::new();
    for f in &loaded.files {
        if !before_paths.contains(&f.path) {
            after_files.push(f.clone());
        }
    }
    for p in planned {
        let (file, diags) =
            crate::checks::parse_record(ws, p.target.kind, &p.to, p.text.as_bytes());
        after_files.extend(file);
        after.extend(diags);
    }
    let after_loaded = Loaded {
        checked: after_files.len(),
        files: after_files,
        diagnostics: Vec::new(),
    };
    after.extend(checks::changed(ws, &after_loaded, &after_paths));
    after.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    after.dedup();
    after.retain(|d| {
        d.path
            .as_ref()
            .is_none_or(|p| !known.contains(&(p.clone(), d.code, d.message.clone())))
    });
    if let Some(first) = after.iter().find(|d| d.is_error()) {
        let path = first.path.clone().unwrap_or_default();
        let proposed = planned
            .iter()
            .find(|p| p.to == path)
            .map(|p| p.text.clone())
            .unwrap_or_default();
        return Err(UpdateError::Invalid {
            path,
            proposed,
            diagnostics: after,
        });
    }
    Ok(after)
}

/// A message about the old version as the new version would say it.
fn renamed(message: &str, old: &str, p: &Rewrite) -> String {
    if p.to == p.target.path {
        message.to_owned()
    } else {
        message.replace(old, &p.new_id)
    }
}

/// One write done, and how to undo it.
enum Done {
    Created(PathBuf),
    Replaced(PathBuf, String),
    Removed(PathBuf, String),
}

/// Create each moved record at its new path, rewrite the referring files,
/// then remove the old files; undo what was done if a step fails.
pub(super) fn write_all(ws: &Workspace, planned: &[Rewrite]) -> Result<(), RenumberError> {
    let mut done: Vec<Done> = Vec::new();
    // One writer at a time, as for every edit.
    let lock = crate::lock::WriteLock::acquire(&ws.root).map_err(|source| UpdateError::Io {
        path: PathBuf::from(crate::config::FILE_NAME),
        source,
    });
    let written = lock.and_then(|_lock| write_in_order(ws, planned, &mut done));
    let Err(failed) = written else {
        return Ok(());
    };
    if done.is_empty() {
        return Err(failed.into());
    }
    let described = done
        .iter()
        .map(|d| match d {
            Done::Created(p) => format!("created {}", p.display()),
            Done::Replaced(p, _) => format!("rewrote {}", p.display()),
            Done::Removed(p, _) => format!("removed {}", p.display()),
        })
        .collect();
    let mut undone = Vec::new();
    let mut not_undone = Vec::new();
    for d in done.into_iter().rev() {
        let (path, result) = match d {
            Done::Created(p) => {
                let r = std::fs::remove_file(ws.abs(&p));
                (p, r)
            }
            Done::Replaced(p, text) | Done::Removed(p, text) => {
                let r = crate::write::atomic(&ws.abs(&p), text.as_bytes());
                (p, r)
            }
        };
        match result {
            Ok(()) => undone.push(path),
            Err(e) => not_undone.push((path, e.to_string())),
        }
    }
    Err(RenumberError::Interrupted {
        failed: Box::new(failed),
        done: described,
        undone,
        not_undone,
    })
}

/// The writes, each recorded in `done` once made.
fn write_in_order(
    ws: &Workspace,
    planned: &[Rewrite],
    done: &mut Vec<Done>,
) -> Result<(), UpdateError> {
    let (moves, edits): (Vec<&Rewrite>, Vec<&Rewrite>) =
        planned.iter().partition(|p| p.to != p.target.path);
    for p in &moves {
        writable(ws, &p.target)?;
        crate::confined::check_writable(&ws.root, &p.to).map_err(|source| UpdateError::Io {
            path: p.to.clone(),
            source,
        })?;
        crate::write::create_new(&ws.abs(&p.to), p.text.as_bytes()).map_err(|source| {
            UpdateError::Io {
                path: p.to.clone(),
                source,
            }
        })?;
        done.push(Done::Created(p.to.clone()));
    }
    for p in &edits {
        writable(ws, &p.target)?;
        crate::write::atomic(&ws.abs(&p.target.path), p.text.as_bytes()).map_err(|source| {
            UpdateError::Io {
                path: p.target.path.clone(),
                source,
            }
        })?;
        done.push(Done::Replaced(p.to.clone(), p.target.text.clone()));
    }
    for p in &moves {
        writable(ws, &p.target)?;
        std::fs::remove_file(ws.abs(&p.target.path)).map_err(|source| UpdateError::Io {
            path: p.target.path.clone(),
            source,
        })?;
        done.push(Done::Removed(p.target.path.clone(), p.target.text.clone()));
    }
    Ok(())
}
