//! Workflow overrides: states and transitions replacing the ITIL defaults.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Workflows that replace a default, by kind (`change` is the normal
/// change; emergency and standard changes have their own).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct WorkflowOverrides {
    /// The workflow of incidents.
    pub incident: Option<WorkflowSpec>,
    /// The workflow of problems.
    pub problem: Option<WorkflowSpec>,
    /// The workflow of normal changes.
    pub change: Option<WorkflowSpec>,
    /// The workflow of emergency changes.
    pub emergency_change: Option<WorkflowSpec>,
    /// The workflow of standard changes.
    pub standard_change: Option<WorkflowSpec>,
    /// The workflow of service requests.
    pub request: Option<WorkflowSpec>,
    /// The workflow of configuration items.
    pub ci: Option<WorkflowSpec>,
    /// The workflow of knowledge articles.
    pub article: Option<WorkflowSpec>,
}

impl WorkflowOverrides {
    /// The overrides given, by config key.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &WorkflowSpec)> {
        [
            ("incident", &self.incident),
            ("problem", &self.problem),
            ("change", &self.change),
            ("emergency_change", &self.emergency_change),
            ("standard_change", &self.standard_change),
            ("request", &self.request),
            ("ci", &self.ci),
            ("article", &self.article),
        ]
        .into_iter()
        .filter_map(|(k, s)| s.as_ref().map(|s| (k, s)))
    }
}

/// A whole workflow: where records start and what each state allows.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowSpec {
    /// The state new records start in.
    pub initial: String,
    /// Every state by name. A state without `next` states is terminal: the
    /// record is frozen except for appended notes.
    pub states: BTreeMap<String, StateSpec>,
}

/// One state of a workflow override.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StateSpec {
    /// States a record may move to from this one.
    pub next: Vec<String>,
    /// Dotted field paths a record must carry in this state (e.g. `resolution.code`).
    pub requires: Vec<String>,
    /// Dotted field paths a major incident must carry in this state too
    /// (e.g. `commander`, `updates`, `review`).
    pub requires_if_major: Vec<String>,
}
