//! `gitsm link`: a link between two records, stored once on the side that
//! names the other.

use std::path::PathBuf;

use serde::Serialize;
use serde_json::{Value, json};

use crate::kind::Kind;
use crate::model::{Record, Timestamp};
use crate::workspace::Workspace;

use super::{Editable, Planned, UpdateError, Updated, apply_checked, keys, open};

/// The relation a link between two CIs takes unless another is named.
pub const DEFAULT_RELATION: &str = "depends_on";

/// A link made, or found already there.
#[derive(Debug, Clone, Serialize)]
pub struct Linked {
    /// The record the link is stored on.
    pub holder: String,
    /// The record it names.
    pub other: String,
    /// The holder's file.
    pub path: PathBuf,
    /// The field on `holder` that holds it, dotted (`relations.depends_on`).
    pub field: String,
    /// Whether the link is stored on B of `link A B` (its natural side).
    pub reversed: bool,
    /// `None` when the link was there already.
    pub update: Option<Updated>,
}

/// The field a record of kind `holder` names a record of kind `other` in,
/// and whether it holds one id (else a list).
fn natural_field(holder: Kind, other: Kind) -> Option<(&'static str, bool)> {
    match (holder, other) {
        (Kind::Incident, Kind::Problem) => Some(("problem", true)),
        (Kind::Incident, Kind::Change) => Some(("caused_by_change", true)),
        (Kind::Problem, Kind::Change) => Some(("fix_change", true)),
        (Kind::Incident | Kind::Problem, Kind::Ci) => Some(("affected_cis", false)),
        (Kind::Change | Kind::Request, Kind::Ci) => Some(("cis", false)),
        (Kind::Article, Kind::Ci) => Some(("cis", false)),
        (Kind::Article, Kind::Problem) => Some(("problems", false)),
        (Kind::Article, Kind::Incident) => Some(("incidents", false)),
        _ => None,
    }
}

/// Ids `json` refers to, by field.
fn references(kind: Kind, json: &Value) -> Vec<(String, String)> {
    Record::from_json(kind, json.clone())
        .map(|r| {
            r.references()
                .into_iter()
                .map(|r| (r.field, r.target))
                .collect()
        })
        .unwrap_or_default()
}

/// Link `a` and `b`, storing the link once on its natural side.
/// `relation` names the relation type between two CIs.
pub fn link(
    ws: &Workspace,
    a: &str,
    b: &str,
    relation: Option<&str>,
    now: Timestamp,
) -> Result<Linked, UpdateError> {
    if a == b {
        return Err(UpdateError::usage(
            format!("{a} cannot be linked to itself"),
            None,
        ));
    }
    let ta = open(ws, a)?;
    let tb = open(ws, b)?;
    let both_cis = ta.kind == Kind::Ci && tb.kind == Kind::Ci;
    if let Some(rel) = relation {
        if !both_cis {
            return Err(UpdateError::usage(
                "--as names a relation between two CIs",
                Some(format!(
                    "{a} is a {} and {b} a {}; links between them have one natural field",
                    ta.kind.label(),
                    tb.kind.label()
                )),
            ));
        }
        if !ws.config.ci.relations.contains_key(rel) {
            let names: Vec<&String> = ws.config.ci.relations.keys().collect();
            return Err(UpdateError::usage(
                format!("`{rel}` is not a relation type of `ci.relations`"),
                Some(format!(
                    "relation types: {}",
                    names
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            ));
        }
    }

    // (holder, other, path, single, reversed)
    let (holder, other, path, single, reversed) = if both_cis {
        let rel = relation.unwrap_or(DEFAULT_RELATION);
        (&ta, &tb, vec!["relations", rel], false, false)
    } else if let Some((field, single)) = natural_field(ta.kind, tb.kind) {
        (&ta, &tb, vec![field], single, false)
    } else if let Some((field, single)) = natural_field(tb.kind, ta.kind) {
        (&tb, &ta, vec![field], single, true)
    } else if ta.kind.is_ticket() {
        (&ta, &tb, vec!["links"], false, false)
    } else if tb.kind.is_ticket() {
        (&tb, &ta, vec!["links"], false, true)
    } else {
        return Err(UpdateError::usage(
            format!(
                "a {} and a {} have no field to link them",
                ta.kind.label(),
                tb.kind.label()
            ),
            None,
        ));
    };
    let field = path.join(".");
    let pointer = format!("/{}", path.join("/"));
    let already = |holder: &Editable, other: &Editable, field: String| Linked {
        holder: holder.id.clone(),
        other: other.id.clone(),
        path: holder.path.clone(),
        field,
        reversed: holder.id != a,
        update: None,
    };

    match holder.json.pointer(&pointer) {
        Some(Value::String(s)) if single && s == &other.id => {
            return Ok(already(holder, other, field));
        }
        Some(Value::String(s)) if single => {
            return Err(UpdateError::refused(
                format!(
                    "{} is already linked to {s} by `{field}`, which holds one {}",
                    holder.id,
                    ws.config.ids.kind_of(s).label()
                ),
                Some(format!(
                    "to replace it: gitsm set {} {field}={}",
                    holder.id, other.id
                )),
            ));
        }
        Some(Value::Array(items)) if items.iter().any(|v| v.as_str() == Some(&other.id)) => {
            return Ok(already(holder, other, field));
        }
        _ => {}
    }
    if field == "links" {
        // Any reference between two tickets already links them, either way.
        if let Some((f, _)) = references(holder.kind, &holder.json)
            .into_iter()
            .find(|(_, t)| t == &other.id)
        {
            return Ok(already(holder, other, f));
        }
        if let Some((f, _)) = references(other.kind, &other.json)
            .into_iter()
            .find(|(_, t)| t == &holder.id)
        {
            return Ok(already(other, holder, f));
        }
    }

    let steps = keys(&path);
    let planned = if single {
        Planned::set(steps, json!(other.id), false)
    } else {
        Planned::append(steps, json!(other.id), false)
    };
    let update = apply_checked(ws, holder, &[planned], now)?;
    Ok(Linked {
        holder: holder.id.clone(),
        other: other.id.clone(),
        path: holder.path.clone(),
        field,
        reversed,
        update: Some(update),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_go_on_the_side_that_names_the_other() {
        assert_eq!(
            natural_field(Kind::Incident, Kind::Problem),
            Some(("problem", true))
        );
        assert_eq!(natural_field(Kind::Problem, Kind::Incident), None);
        assert_eq!(
            natural_field(Kind::Problem, Kind::Change),
            Some(("fix_change", true))
        );
        assert_eq!(natural_field(Kind::Request, Kind::Ci), Some(("cis", false)));
        assert_eq!(natural_field(Kind::Request, Kind::Incident), None);
    }
}
