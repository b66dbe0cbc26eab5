//! The map from another tool's export to gitsm: which column carries which
//! field, and which of the tool's values means which of gitsm's. Each tool
//! has a documented default (`maps/<tool>.yaml`, embedded); a `--map` file
//! overrides it key by key.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::Tool;
use crate::kind::Kind;
use crate::model::{Level, Priority};

/// The columns a map may name, per kind: gitsm fields and the facts that
/// fill them (`close_code`, `updated_at`, ...).
const COLUMN_KEYS: &[&str] = &[
    "source_id",
    "title",
    "name",
    "description",
    "created_at",
    "reported_by",
    "requested_by",
    "requested_for",
    "assignee",
    "owner",
    "team",
    "status",
    "type",
    "priority",
    "impact",
    "urgency",
    "risk",
    "category",
    "service",
    "cis",
    "labels",
    "hold_reason",
    "root_cause",
    "workaround",
    "catalog_item",
    "window_start",
    "window_end",
    "implementation_plan",
    "backout_plan",
    "test_plan",
    "resolved_at",
    "closed_at",
    "updated_at",
    "close_code",
    "close_notes",
    "class",
    "environment",
    "location",
];

/// One column, or several of which the first non-empty one counts.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Columns {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct MapFile {
    delimiter: String,
    date_formats: Vec<String>,
    columns: BTreeMap<String, BTreeMap<String, Columns>>,
    types: BTreeMap<String, String>,
    states: BTreeMap<String, BTreeMap<String, String>>,
    priorities: BTreeMap<String, Priority>,
    levels: BTreeMap<String, Level>,
    risks: BTreeMap<String, Level>,
    close_codes: BTreeMap<String, BTreeMap<String, String>>,
    change_types: BTreeMap<String, String>,
    hold_reasons: BTreeMap<String, String>,
    ci_classes: BTreeMap<String, String>,
    people: BTreeMap<String, String>,
    groups: BTreeMap<String, String>,
    categories: BTreeMap<String, String>,
    catalog: BTreeMap<String, String>,
    cis: BTreeMap<String, String>,
}

/// A value table, looked up ignoring case and surrounding spaces; `"*"`
/// answers for any value not listed.
#[derive(Debug, Clone, Default)]
pub struct Values<T>(BTreeMap<String, T>);

impl<T: Clone> Values<T> {
    fn from(map: BTreeMap<String, T>) -> Values<T> {
        Values(map.into_iter().map(|(k, v)| (norm(&k), v)).collect())
    }

    /// The value listed for `key` itself (not the `"*"` fallback).
    pub fn exact(&self, key: &str) -> Option<T> {
        self.0.get(&norm(key)).cloned()
    }

    /// The value for `key`, else the `"*"` fallback.
    pub fn get(&self, key: &str) -> Option<T> {
        self.exact(key).or_else(|| self.0.get("*").cloned())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// A compiled map.
#[derive(Debug, Clone)]
pub struct ImportMap {
    pub delimiter: u8,
    pub date_formats: Vec<String>,
    columns: BTreeMap<Kind, BTreeMap<String, Vec<String>>>,
    /// Tool ticket type -> kind.
    pub types: Values<Kind>,
    states: BTreeMap<Kind, Values<String>>,
    pub priorities: Values<Priority>,
    pub levels: Values<Level>,
    pub risks: Values<Level>,
    close_codes: BTreeMap<Kind, Values<String>>,
    pub change_types: Values<String>,
    pub hold_reasons: Values<String>,
    pub ci_classes: Values<String>,
    pub people: Values<String>,
    pub groups: Values<String>,
    pub categories: Values<String>,
    pub catalog: Values<String>,
    pub cis: Values<String>,
}

/// What is wrong with a map file.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MapError(pub String);

/// The embedded default map of `tool`.
pub fn default_text(tool: Tool) -> &'static str {
    match tool {
        Tool::ServiceNow => include_str!("maps/servicenow.yaml"),
        Tool::Jira => include_str!("maps/jira.yaml"),
        Tool::Glpi => include_str!("maps/glpi.yaml"),
        Tool::Csv => include_str!("maps/csv.yaml"),
    }
}

impl ImportMap {
    /// The default map of `tool`, with `overrides` (a `--map` file's text)
    /// laid over it key by key: a value table's entries are added to or
    /// replace the default's, one kind's columns likewise.
    pub fn load(tool: Tool, overrides: Option<&str>) -> Result<ImportMap, MapError> {
        let mut base = parse(default_text(tool))
            .map_err(|e| MapError(format!("the built-in {} map: {e}", tool.name())))?;
        if let Some(text) = overrides {
            let over = parse(text)?;
            merge(&mut base, over);
        }
        let file: MapFile = serde_yaml::from_value(base).map_err(|e| MapError(e.to_string()))?;
        ImportMap::compile(file)
    }

    fn compile(file: MapFile) -> Result<ImportMap, MapError> {
        let delimiter = match file.delimiter.as_bytes() {
            [] => b',',
            [b] if b.is_ascii() => *b,
            _ => {
                return Err(MapError(format!(
                    "`delimiter` must be one ASCII character, not `{}`",
                    file.delimiter
                )));
            }
        };
        let kind = |k: &str| {
            k.parse::<Kind>()
                .map_err(|e| MapError(format!("{e} (a key of the map)")))
        };
        let mut columns = BTreeMap::new();
        for (k, cols) in file.columns {
            let mut fields = BTreeMap::new();
            for (field, c) in cols {
                if !COLUMN_KEYS.contains(&field.as_str()) {
                    return Err(MapError(format!(
                        "`columns.{k}.{field}` is not a field the import fills{}",
                        crate::suggest::did_you_mean(&field, COLUMN_KEYS.iter())
                    )));
                }
                let list = match c {
                    Columns::One(s) => vec![s],
                    Columns::Many(v) => v,
                };
                let list: Vec<String> = list.into_iter().filter(|s| !s.is_empty()).collect();
                fields.insert(field, list);
            }
            columns.insert(kind(&k)?, fields);
        }
        let per_kind = |m: BTreeMap<String, BTreeMap<String, String>>| {
            m.into_iter()
                .map(|(k, v)| Ok((kind(&k)?, Values::from(v))))
                .collect::<Result<BTreeMap<_, _>, MapError>>()
        };
        let types = file
            .types
            .into_iter()
            .map(|(t, k)| Ok((t, kind(&k)?)))
            .collect::<Result<BTreeMap<_, _>, MapError>>()?;
        Ok(ImportMap {
            delimiter,
            date_formats: file.date_formats,
            columns,
            types: Values::from(types),
            states: per_kind(file.states)?,
            priorities: Values::from(file.priorities),
            levels: Values::from(file.levels),
            risks: Values::from(file.risks),
            close_codes: per_kind(file.close_codes)?,
            change_types: Values::from(file.change_types),
            hold_reasons: Values::from(file.hold_reasons),
            ci_classes: Values::from(file.ci_classes),
            people: Values::from(file.people),
            groups: Values::from(file.groups),
            categories: Values::from(file.categories),
            catalog: Values::from(file.catalog),
            cis: Values::from(file.cis),
        })
    }

    /// Whether the map says where the fields of `kind` are.
    pub fn has_kind(&self, kind: Kind) -> bool {
        self.columns.contains_key(&kind)
    }

    /// The columns that may carry `field` for `kind`, in order.
    pub fn columns(&self, kind: Kind, field: &str) -> &[String] {
        self.columns
            .get(&kind)
            .and_then(|c| c.get(field))
            .map_or(&[], Vec::as_slice)
    }

    /// The gitsm state for the tool's `state`, when the map has states
    /// for `kind` (`None` inside: the state is not listed).
    pub fn states(&self, kind: Kind) -> Option<&Values<String>> {
        self.states.get(&kind)
    }

    pub fn close_codes(&self, kind: Kind) -> Option<&Values<String>> {
        self.close_codes.get(&kind)
    }
}

fn parse(text: &str) -> Result<serde_yaml::Value, MapError> {
    let mut v: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| MapError(e.to_string()))?;
    v.apply_merge().map_err(|e| MapError(e.to_string()))?;
    if v.is_null() {
        v = serde_yaml::Value::Mapping(Default::default());
    }
    if !v.is_mapping() {
        return Err(MapError("a map is a YAML mapping".into()));
    }
    Ok(v)
}

/// Lay `over` on `base`: mappings merge (two levels deep: a table, or a
/// kind's table), anything else replaces.
fn merge(base: &mut serde_yaml::Value, over: serde_yaml::Value) {
    match (base, over) {
        (serde_yaml::Value::Mapping(b), serde_yaml::Value::Mapping(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) if existing.is_mapping() && v.is_mapping() => {
                        merge(existing, v);
                    }
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_map_compiles() {
        for tool in Tool::ALL {
            let map = ImportMap::load(tool, None).expect("default map");
            assert!(!map.date_formats.is_empty(), "{}", tool.name());
        }
    }

    #[test]
    fn an_override_replaces_one_key_and_keeps_the_others() {
        let map = ImportMap::load(
            Tool::ServiceNow,
            Some("states: {incident: {Awaiting Parts: on_hold}}\npeople: {Beth Anglin: beth}\n"),
        )
        .expect("map");
        let states = map.states(Kind::Incident).expect("states");
        assert_eq!(states.get("awaiting parts").as_deref(), Some("on_hold"));
        assert_eq!(states.get("Resolved").as_deref(), Some("resolved"));
        assert_eq!(map.people.get("beth anglin").as_deref(), Some("beth"));
        assert_eq!(map.columns(Kind::Incident, "title"), ["short_description"]);
    }

    #[test]
    fn a_column_key_the_import_does_not_fill_is_refused() {
        let err = ImportMap::load(Tool::Jira, Some("columns: {incident: {titel: Summary}}"))
            .expect_err("unknown key");
        assert!(err.0.contains("did you mean `title`"), "{err}");
    }
}
