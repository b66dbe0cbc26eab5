//! `intake:`: how alerts and service-desk mail become records (`gitsm intake`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Level;

/// How `gitsm intake` turns alerts and mail into records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IntakeConfig {
    /// The identity `gitsm intake --commit` commits with, and who the
    /// incidents it opens are reported by and its notes written by (the
    /// email; a handle when `people` lists it).
    pub bot: BotIdentity,
    /// Impact and urgency of an alert by the value of its `severity` label.
    /// A severity not listed is an error (add it here); an alert without
    /// the label takes `defaults`.
    pub severities: BTreeMap<String, Severity>,
    /// What a `resolved` alert does to its open incident: unset, a note
    /// only; set, the incident moves to `resolved` with this resolution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_resolve: Option<AutoResolve>,
    /// Rules tried in order on each alert or mail; the first whose `match`
    /// holds sets the fields it names. Values may use `${name}` for a named
    /// group `(?P<name>...)` of the rule's patterns.
    pub rules: Vec<IntakeRule>,
    /// Fields used when no rule (nor, for alerts, a `severity` label) sets
    /// them, and in place of a value a rule gives that names nothing known
    /// (a service that is no CI, a team that is no group). A field without a
    /// default makes such a value an error.
    pub defaults: IntakeDefaults,
}

impl Default for IntakeConfig {
    fn default() -> Self {
        let sev = |impact, urgency| Severity { impact, urgency };
        IntakeConfig {
            bot: BotIdentity::default(),
            severities: BTreeMap::from([
                ("critical".to_owned(), sev(Level::High, Level::High)),
                ("warning".to_owned(), sev(Level::Medium, Level::Medium)),
                ("info".to_owned(), sev(Level::Low, Level::Low)),
            ]),
            auto_resolve: None,
            rules: Vec::new(),
            defaults: IntakeDefaults::default(),
        }
    }
}

/// A Git identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BotIdentity {
    /// Author and committer name.
    pub name: String,
    /// Author and committer email.
    pub email: String,
}

impl Default for BotIdentity {
    fn default() -> Self {
        BotIdentity {
            name: "gitsm intake".into(),
            email: "intake@localhost".into(),
        }
    }
}

/// Impact and urgency for one severity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Severity {
    /// The incident's impact.
    pub impact: Level,
    /// The incident's urgency.
    pub urgency: Level,
}

/// The resolution a `resolved` alert records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoResolve {
    /// Resolution code, one of `resolution_codes` (e.g. `fixed`).
    pub code: String,
    /// Resolution notes; unset, they say which alert resolved and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// One mapping rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeRule {
    /// Conditions, all of which must hold (an empty `match` always does).
    #[serde(default, rename = "match")]
    pub when: IntakeMatch,
    /// The fields to set.
    #[serde(default)]
    pub set: IntakeFields,
}

/// Conditions on an event. Patterns are regular expressions (Rust `regex`
/// syntax), found anywhere in the value unless anchored with `^...$`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IntakeMatch {
    /// Only events of these sources.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source: Vec<IntakeSource>,
    /// Label (alerts) name to pattern; a label the event lacks does not match.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Pattern on the sender's email address (mail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    /// Pattern on the title: a mail's subject, an alert's summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Pattern on the body: a mail's text, an alert's description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// Where an event came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IntakeSource {
    /// A Prometheus Alertmanager webhook.
    Alertmanager,
    /// A Grafana alerting webhook.
    Grafana,
    /// gitsm's generic JSON event.
    Json,
    /// An RFC 5322 e-mail.
    Email,
}

impl IntakeSource {
    pub fn name(self) -> &'static str {
        match self {
            IntakeSource::Alertmanager => "alertmanager",
            IntakeSource::Grafana => "grafana",
            IntakeSource::Json => "json",
            IntakeSource::Email => "email",
        }
    }
}

/// Fields a rule sets on the record it opens, or defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IntakeFields {
    /// The kind of record: `incident` or `request` (mail only: alerts
    /// always open incidents). Mail opens a request by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<IntakeKind>,
    /// The business service (a CI id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// An affected CI (a CI id): an incident's `affected_cis`, a request's `cis`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci: Option<String>,
    /// Impact (incidents): high, medium or low.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    /// Urgency (incidents): high, medium or low.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgency: Option<String>,
    /// Category (incidents), one of `categories` when that list is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Owning group, from `groups`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Catalogue item (requests), a key of `catalog`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog_item: Option<String>,
}

/// The kinds of record intake opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IntakeKind {
    /// An incident.
    Incident,
    /// A service request.
    Request,
}

/// Fallback fields (see `intake.defaults`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IntakeDefaults {
    /// Impact of an alert without a `severity` label.
    pub impact: Level,
    /// Urgency of an alert without a `severity` label.
    pub urgency: Level,
    /// The service when a rule names one that is no CI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The category when a rule names one not in `categories`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The team when no rule sets one, or one names no group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The catalogue item of a mail that opens a request.
    pub catalog_item: String,
}

impl Default for IntakeDefaults {
    fn default() -> Self {
        IntakeDefaults {
            impact: Level::Medium,
            urgency: Level::Medium,
            service: None,
            category: None,
            team: None,
            catalog_item: "general-request".into(),
        }
    }
}
