//! Format-preserving edits of record files.
//!
//! `gitsm set`, `transition`, `link` and `approve` change a few values of a
//! record and must leave everything else byte for byte: comments, key order,
//! quoting, blank lines, line endings and the final newline (or its absence).
//! [`apply`] therefore never re-serialises a document. It maps the text to a
//! small tree of byte ranges, works out the one range each [`Edit`] replaces
//! or the one place it inserts lines, and splices text in.
//!
//! Layout rules:
//! - A replaced scalar keeps its quoting when the new value can be written in
//!   it (single quotes for one line, double quotes always). Otherwise a string
//!   is written plain when it reads back as the same string under the YAML 1.2
//!   core schema of [`crate::yaml`] and does not look like a date (YAML 1.1
//!   tools would read `2026-01-01` as a date; a plain date is only kept in
//!   place of a plain date). Multi-line text becomes a `|`/`|-` literal block,
//!   anything else a double-quoted string with JSON-style escapes.
//! - A new key goes on a new line right after the last line of the mapping's
//!   last entry (after its block scalar or nested block and after a comment on
//!   that same line), at the mapping's indentation. Comment and blank lines
//!   that follow stay below it: they usually introduce the next key.
//! - New nesting uses the file's indentation step (2 when it shows none), and
//!   lists under a key are indented, or not, like the file's first such list.
//! - An appended item follows the last item of a block list, at its column; in
//!   a flow list it is added as `, item` (maps as `{k: v}`). A new list, and a
//!   list replacing `[]` or null, is written in block style; a non-empty flow
//!   list replaced by a list of scalars stays a flow list.
//! - Refused: paths through aliases, anchored or tagged values, explicit `? `
//!   keys, single-pair mappings in flow lists, an empty `{}` document, and
//!   files that are not one YAML mapping.
//!
//! Every edit is checked: its result is parsed again with [`yaml::parse`] and
//! must equal the original document with the edit applied to its JSON, else
//! [`EditError::Unsafe`] is returned and no text comes out.

use std::fmt;
use std::ops::Range;

use serde_json::{Map, Value};

use crate::yaml::{self, YamlError};

mod document;
mod plan;
mod style;

// The three stages share their items (`pub(super)`) through here.
#[allow(unused_imports)]
use {document::*, plan::*, style::*};

/// One step of a path into a record: a mapping key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Key(key) => f.write_str(key),
            Step::Index(index) => write!(f, "{index}"),
        }
    }
}

/// A change to a record. Index steps only address existing items.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Set the value at `path` (creating missing parent maps) to `value`.
    Set { path: Vec<Step>, value: Value },
    /// Append `item` to the sequence at `path` (creating it when absent,
    /// null or `[]`).
    Append { path: Vec<Step>, item: Value },
}

impl Edit {
    fn path(&self) -> &[Step] {
        match self {
            Edit::Set { path, .. } | Edit::Append { path, .. } => path,
        }
    }
}

/// Why an edit was not made. The file is never half edited.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{}:{}: {}", .0.pos.line, .0.pos.col, .0.message)]
    Parse(#[from] YamlError),
    #[error(
        "the document is not a mapping of `key: value` lines, so it cannot be edited as a record"
    )]
    NotAMapping,
    #[error("an edit needs a path to a value inside the record")]
    EmptyPath,
    #[error("`{path}` is {found}, not {expected}")]
    WrongType {
        path: String,
        found: &'static str,
        expected: &'static str,
    },
    #[error("`{path}` has {len} items, so there is no item {index}")]
    NoSuchItem {
        path: String,
        index: usize,
        len: usize,
    },
    #[error(
        "{line}:{col}: cannot edit `{path}` without reformatting the file: {reason}; edit it by hand"
    )]
    Unsupported {
        path: String,
        line: usize,
        col: usize,
        reason: String,
    },
    #[error(
        "editing `{path}` would give a file that does not read back as intended ({detail}); nothing was changed"
    )]
    Unsafe { path: String, detail: String },
}

/// Apply the edits in order to `text` (a whole YAML document) and return the
/// new text.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, EditError> {
    let mut expected = yaml::parse(text)?.to_json();
    if !expected.is_object() {
        return Err(EditError::NotAMapping);
    }
    let mut out = text.to_owned();
    for edit in edits {
        apply_to_json(&mut expected, edit)?;
        let path = show(edit.path());
        let splice = Document::parse(&out)
            .and_then(|doc| doc.plan(edit))
            .map_err(|refusal| {
                let (line, col) = line_col(&out, refusal.at);
                EditError::Unsupported {
                    path: path.clone(),
                    line,
                    col,
                    reason: refusal.reason,
                }
            })?;
        let Range { start, end } = splice.range;
        if start > end || !out.is_char_boundary(start) || !out.is_char_boundary(end) {
            return Err(EditError::Unsafe {
                path,
                detail: "the edit does not fall on character boundaries".into(),
            });
        }
        out.replace_range(start..end, &splice.text);
        match yaml::parse(&out) {
            Ok(node) if node.to_json() == expected => {}
            Ok(_) => {
                return Err(EditError::Unsafe {
                    path,
                    detail: "the result reads back with different values".into(),
                });
            }
            Err(e) => {
                return Err(EditError::Unsafe {
                    path,
                    detail: format!("the result is not valid YAML: {e}"),
                });
            }
        }
    }
    Ok(out)
}

/// `notes/0/text`.
fn show(path: &[Step]) -> String {
    path.iter()
        .map(Step::to_string)
        .collect::<Vec<_>>()
        .join("/")
}

// ---------------------------------------------------------------------------
// The intended result, computed on JSON.

fn apply_to_json(doc: &mut Value, edit: &Edit) -> Result<(), EditError> {
    let path = edit.path();
    let Some((last, parents)) = path.split_last() else {
        return Err(EditError::EmptyPath);
    };
    let mut current = doc;
    for (i, step) in parents.iter().enumerate() {
        current = json_child(current, step, &path[..i])?;
    }
    let target = json_child(current, last, parents)?;
    match edit {
        Edit::Set { value, .. } => *target = value.clone(),
        Edit::Append { item, .. } => match target {
            Value::Null => *target = Value::Array(vec![item.clone()]),
            Value::Array(items) => items.push(item.clone()),
            other => return Err(wrong_type(path, other, "a list")),
        },
    }
    Ok(())
}

/// The child of `parent` at `step`. A missing key is created as null and a
/// null parent becomes a mapping, as `Set` creates missing parents.
fn json_child<'v>(
    parent: &'v mut Value,
    step: &Step,
    parent_path: &[Step],
) -> Result<&'v mut Value, EditError> {
    if parent.is_null() && matches!(step, Step::Key(_)) {
        *parent = Value::Object(Map::new());
    }
    match (parent, step) {
        (Value::Object(map), Step::Key(key)) => Ok(map.entry(key.clone()).or_insert(Value::Null)),
        (Value::Array(items), Step::Index(index)) => {
            let len = items.len();
            items.get_mut(*index).ok_or_else(|| EditError::NoSuchItem {
                path: show(parent_path),
                index: *index,
                len,
            })
        }
        (parent, Step::Key(_)) => Err(wrong_type(parent_path, parent, "a mapping")),
        (parent, Step::Index(_)) => Err(wrong_type(parent_path, parent, "a list")),
    }
}

fn wrong_type(path: &[Step], found: &Value, expected: &'static str) -> EditError {
    EditError::WrongType {
        path: show(path),
        found: match found {
            Value::Null => "empty (null)",
            Value::Bool(_) => "true/false",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "a mapping",
        },
        expected,
    }
}

#[cfg(test)]
mod tests;
