//! Configuration items: the CMDB.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A configuration item (`cis/payments-api.yaml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Ci {
    /// Unique id; equals the file name without `.yaml`. A slug, or what `ci.id_pattern` requires.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The record's id in the tool it was imported from (`gitsm import`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Class, one of `ci.classes` in gitsm.yaml (service, application, server, ...).
    pub class: String,
    /// Lifecycle state: planned, active, maintenance or retired (see `workflows`).
    pub status: String,
    /// Accountable person: a handle from `people` or an email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Supporting group, from `groups`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// e.g. production, staging, development.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Where it runs or stands: a data centre, region or room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// For business services: the service class (1 most critical) used by `symptom_policy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 9))]
    pub service_class: Option<u8>,
    /// A calendar from gitsm.yaml outside of which changes to this CI may not be scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance_window: Option<String>,
    /// For business services: the availability agreed for each calendar
    /// month, a percentage such as `99.9%`, measured over `service_hours`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^(100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?)%$"))]
    pub availability_target: Option<String>,
    /// For business services: the calendar from gitsm.yaml of the hours
    /// the service is agreed to be available (the agreed service time);
    /// around the clock when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_hours: Option<String>,
    /// What it is and does (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Class-specific attributes, checked where the class declares them.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub attributes: Map<String, Value>,
    /// Relations from this CI to others, by relation type (depends_on, runs_on, hosted_on,
    /// connected_to, part_of, or types declared in gitsm.yaml). Stored on the dependent CI.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub relations: BTreeMap<String, Vec<String>>,
    /// Organisation-defined fields, declared under `custom_fields` in gitsm.yaml.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub custom: Map<String, Value>,
}

impl Ci {
    /// A CI with only its required fields set.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        class: impl Into<String>,
        status: impl Into<String>,
    ) -> Ci {
        Ci {
            id: id.into(),
            name: name.into(),
            source_id: None,
            class: class.into(),
            status: status.into(),
            owner: None,
            team: None,
            environment: None,
            location: None,
            service_class: None,
            maintenance_window: None,
            availability_target: None,
            service_hours: None,
            description: None,
            attributes: Map::new(),
            relations: BTreeMap::new(),
            custom: Map::new(),
        }
    }
}
