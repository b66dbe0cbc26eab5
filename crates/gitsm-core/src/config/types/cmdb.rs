//! The CMDB: CI classes and relation types, and organisation-defined fields.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// CMDB policy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CiPolicy {
    /// Regular expression every CI id must match, e.g. `^D\d{6}-\d{3}$` for
    /// location-coded workstations. Default: a lower-case slug or an upper-case code.
    pub id_pattern: String,
    /// CI classes by name.
    pub classes: BTreeMap<String, CiClass>,
    /// Relation types by name.
    pub relations: BTreeMap<String, RelationType>,
}

impl CiPolicy {
    /// The id pattern of a CI of `class` (its class's, or `id_pattern`).
    pub fn id_pattern(&self, class: Option<&str>) -> &str {
        class
            .and_then(|c| self.classes.get(c))
            .and_then(|c| c.id_pattern.as_deref())
            .unwrap_or(&self.id_pattern)
    }
}

impl Default for CiPolicy {
    fn default() -> Self {
        let class = |service: bool| CiClass {
            service,
            id_pattern: None,
            attributes: BTreeMap::new(),
        };
        let rel = |propagates_impact: bool, acyclic: bool| RelationType {
            propagates_impact,
            acyclic,
            from: Vec::new(),
            to: Vec::new(),
        };
        CiPolicy {
            id_pattern: r"^([a-z0-9]+(-[a-z0-9]+)*|[A-Z0-9]+(-[A-Z0-9]+)*)$".into(),
            classes: BTreeMap::from([
                ("service".into(), class(true)),
                ("application".into(), class(false)),
                ("database".into(), class(false)),
                ("server".into(), class(false)),
                ("virtual_machine".into(), class(false)),
                ("network_device".into(), class(false)),
                ("storage".into(), class(false)),
                ("workstation".into(), class(false)),
                ("printer".into(), class(false)),
            ]),
            relations: BTreeMap::from([
                ("depends_on".into(), rel(true, true)),
                ("runs_on".into(), rel(true, true)),
                ("hosted_on".into(), rel(true, true)),
                ("part_of".into(), rel(true, true)),
                ("connected_to".into(), rel(false, false)),
            ]),
        }
    }
}

/// A CI class.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CiClass {
    /// CIs of this class are business services (may be named in a ticket's `service`).
    #[serde(default)]
    pub service: bool,
    /// Regular expression the ids of this class must match (overrides `ci.id_pattern`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_pattern: Option<String>,
    /// Attributes CIs of this class carry under `attributes:`.
    #[serde(default)]
    pub attributes: BTreeMap<String, CustomField>,
}

/// Semantics of a relation type.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationType {
    /// A failure of the target affects the source (used by impact analysis).
    #[serde(default)]
    pub propagates_impact: bool,
    /// Cycles through this relation are errors.
    #[serde(default)]
    pub acyclic: bool,
    /// Classes allowed as the source; empty: any.
    #[serde(default)]
    pub from: Vec<String>,
    /// Classes allowed as the target; empty: any.
    #[serde(default)]
    pub to: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Any text.
    String,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// YYYY-MM-DD.
    Date,
    /// RFC 3339 with offset.
    Timestamp,
    /// One of `values`.
    Enum,
    /// A list of strings.
    List,
}

/// A declared custom field or CI attribute.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomField {
    /// The type of the value.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Every record of the kind must carry the field.
    #[serde(default)]
    pub required: bool,
    /// Allowed values of an `enum` field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// What the field means, for people filling it in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
