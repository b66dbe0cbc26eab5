//! The types of `gitsm.yaml`, with their documented defaults: the whole
//! file here, its sections in files of their own.

mod change;
mod cmdb;
mod ids;
mod incidents;
mod intake;
mod maintenance;
mod people;
mod service;
mod targets;
mod workflows;

pub use change::*;
pub use cmdb::*;
pub use ids::*;
pub use incidents::*;
pub use intake::*;
pub use maintenance::*;
pub use people::*;
pub use service::*;
pub use targets::*;
pub use workflows::*;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::duration::Duration;
use crate::kind::Kind;

/// The whole of `gitsm.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// People by handle, with the Git author emails that identify them.
    pub people: BTreeMap<String, Person>,
    /// Groups (e.g. `cab`, `ecab`, `service-desk`) by name: lists of handles.
    pub groups: BTreeMap<String, Vec<String>>,
    /// How record ids are made and where new records are put.
    pub ids: IdPolicy,
    /// Priority by impact (outer key) and urgency (inner key).
    pub priority_matrix: PriorityMatrix,
    /// Priority of service requests by impact and urgency; unset: the
    /// `priority_matrix` of incidents.
    pub request_priority_matrix: Option<PriorityMatrix>,
    /// Response and resolution targets by priority.
    pub sla: SlaPolicy,
    /// Share of a target after which a clock is `at_risk` (0.75 = 75%).
    pub sla_at_risk: f64,
    /// Business calendars by name. A target without a calendar runs 24x7.
    pub calendars: BTreeMap<String, Calendar>,
    /// The service catalogue: items users may request, with their own targets.
    pub catalog: BTreeMap<String, CatalogItem>,
    /// Targets by symptom and service class, overriding `sla` for incidents that name a `symptom`.
    pub symptom_policy: Option<SymptomPolicy>,
    /// Approvals required for changes by type and risk.
    pub change_policy: ChangePolicy,
    /// Pre-approved standard change templates by name.
    pub standard_changes: BTreeMap<String, StandardChange>,
    /// Default fields for new records, by kind then template name:
    /// `gitsm new incident --template printer-jam`.
    pub templates: BTreeMap<Kind, BTreeMap<String, serde_json::Map<String, serde_json::Value>>>,
    /// Periods in which changes are frozen, except the types listed in `allow`.
    pub freeze_windows: Vec<FreezeWindow>,
    /// CMDB policy: CI classes, relation types, id pattern.
    pub ci: CiPolicy,
    /// Incident categories; when empty any category is accepted.
    pub categories: Vec<String>,
    /// Incident resolution codes.
    pub resolution_codes: Vec<String>,
    /// Organisation-defined fields under `custom:`, by kind then field name.
    pub custom_fields: BTreeMap<Kind, BTreeMap<String, CustomField>>,
    /// Replacements for the default ITIL workflows, by kind.
    pub workflows: WorkflowOverrides,
    /// How far a recorded timestamp may lie after the commit that records
    /// it, or before a commit that changed the record without it (clocks
    /// differ between machines).
    pub clock_skew: Duration,
    /// The organisation's IANA time zone: a date on the command line
    /// (`--at 2026-12-01`, `--at 'tomorrow 09:00'`) is local time there,
    /// and so are the times gitsm writes into records. Unset: UTC for the
    /// command line, and the machine's own offset for written times.
    pub timezone: Option<String>,
    /// How `gitsm intake` turns alerts and service-desk mail into records:
    /// the bot identity, severities, mapping rules, auto-resolution.
    pub intake: IntakeConfig,
    /// How much of the repository's history the rules judge.
    pub history: HistoryPolicy,
    /// Major incidents: the priorities that make one, when its review is due.
    pub major_incident: MajorIncidentPolicy,
    /// When recurring incidents without a problem are flagged as a
    /// problem candidate.
    pub problem_candidates: ProblemCandidatePolicy,
    /// Satisfaction feedback (`gitsm feedback`): whether it is required
    /// before a ticket closes, and how many entries one person may give.
    pub feedback: FeedbackPolicy,
    /// Routine maintenance: recurring windows, each carried out as a
    /// standard change that `gitsm schedule` creates per occurrence.
    pub maintenance: Vec<MaintenanceSchedule>,
    /// Operational level agreements: response and resolution targets of
    /// the support groups escalations go to, by team or support level.
    pub ola: Vec<OlaTarget>,
    /// Suppliers by id, with their contracts' `underpinning` targets: an
    /// `awaiting_vendor` hold and a level-3 escalation name one in
    /// `supplier`.
    pub suppliers: Suppliers,
    /// Resolution targets of problems by priority, in calendar days.
    pub problem_targets: ProblemTargets,
}

/// Satisfaction feedback policy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FeedbackPolicy {
    /// An incident or request may reach `closed` only with at least one
    /// feedback entry (default false).
    pub required_before_closed: bool,
    /// One entry per person (`by`) on a ticket (default true).
    pub one_per_person: bool,
}

impl Default for FeedbackPolicy {
    fn default() -> Self {
        FeedbackPolicy {
            required_before_closed: false,
            one_per_person: true,
        }
    }
}

/// How much of the repository's history the rules judge.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct HistoryPolicy {
    /// Records as they are at this commit are accepted as imported history
    /// (`gitsm baseline` writes it): history rules and decision checks apply
    /// to the commits after it. A full commit id (`gitsm baseline REV`
    /// writes it: a branch or tag could be moved to bless other commits);
    /// or a time (`2026-12-06`, `2026-12-06T14:00:00Z`, a date being
    /// midnight in `timezone`), which names the earliest first-parent commit
    /// made at or after it — the commit that records `gitsm baseline` — so a
    /// baseline can be set before that commit exists.
    #[schemars(regex(
        pattern = r"^([0-9a-f]{40}|[0-9a-f]{64}|\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?)$"
    ))]
    pub baseline: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            people: BTreeMap::new(),
            groups: BTreeMap::new(),
            ids: IdPolicy::default(),
            priority_matrix: PriorityMatrix::default(),
            request_priority_matrix: None,
            sla: SlaPolicy::default(),
            sla_at_risk: 0.75,
            calendars: BTreeMap::from([("business".to_owned(), Calendar::default())]),
            catalog: default_catalog(),
            symptom_policy: None,
            change_policy: ChangePolicy::default(),
            standard_changes: BTreeMap::new(),
            templates: BTreeMap::new(),
            freeze_windows: Vec::new(),
            ci: CiPolicy::default(),
            categories: Vec::new(),
            resolution_codes: [
                "fixed",
                "workaround_applied",
                "hardware_repair",
                "software_patch",
                "user_training",
                "duplicate",
                "no_fault_found",
            ]
            .map(String::from)
            .to_vec(),
            custom_fields: BTreeMap::new(),
            workflows: WorkflowOverrides::default(),
            clock_skew: Duration::minutes(15),
            timezone: None,
            history: HistoryPolicy::default(),
            intake: IntakeConfig::default(),
            major_incident: MajorIncidentPolicy::default(),
            problem_candidates: ProblemCandidatePolicy::default(),
            feedback: FeedbackPolicy::default(),
            maintenance: Vec::new(),
            ola: Vec::new(),
            suppliers: Suppliers::new(),
            problem_targets: ProblemTargets::default(),
        }
    }
}

impl Config {
    /// The organisation's time zone (UTC when unset or not a zone).
    pub fn zone(&self) -> chrono_tz::Tz {
        self.timezone
            .as_deref()
            .and_then(|z| <chrono_tz::Tz as std::str::FromStr>::from_str(z).ok())
            .unwrap_or(chrono_tz::Tz::UTC)
    }

    /// The fields a new record of `kind` takes from template `name`: a
    /// standard change's (`standard_changes`: title, description, risk,
    /// plans, CIs, and `type: standard`, `template: <name>`), else those
    /// of `templates.<kind>.<name>`.
    pub fn template(
        &self,
        kind: Kind,
        name: &str,
    ) -> Option<serde_json::Map<String, serde_json::Value>> {
        use serde_json::{Value, json};
        if kind == Kind::Change
            && let Some(t) = self.standard_changes.get(name)
        {
            let mut fields = serde_json::Map::new();
            fields.insert("title".into(), json!(t.title));
            fields.insert("type".into(), json!("standard"));
            fields.insert("template".into(), json!(name));
            let optional = [
                ("description", t.description.clone()),
                ("risk", t.risk.map(|r| r.name().to_owned())),
                ("implementation_plan", t.implementation_plan.clone()),
                ("backout_plan", t.backout_plan.clone()),
                ("test_plan", t.test_plan.clone()),
            ];
            for (key, value) in optional {
                if let Some(v) = value {
                    fields.insert(key.into(), Value::String(v));
                }
            }
            if !t.cis.is_empty() {
                fields.insert("cis".into(), json!(t.cis));
            }
            return Some(fields);
        }
        self.templates.get(&kind)?.get(name).cloned()
    }

    /// Every template name of `kind`, for suggestions.
    pub fn template_names(&self, kind: Kind) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .templates
            .get(&kind)
            .into_iter()
            .flat_map(|t| t.keys().map(String::as_str))
            .collect();
        if kind == Kind::Change {
            names.extend(self.standard_changes.keys().map(String::as_str));
        }
        names
    }

    /// Whether `who` (a handle or an email) is a person marked
    /// `active: false`.
    pub fn has_left(&self, who: &str) -> bool {
        let handle = self.person_by_email(who).unwrap_or(who);
        self.people.get(handle).is_some_and(|p| !p.active)
    }

    /// The handle whose emails include `email` (case-insensitive).
    pub fn person_by_email(&self, email: &str) -> Option<&str> {
        self.people
            .iter()
            .find(|(_, p)| p.emails.iter().any(|e| e.eq_ignore_ascii_case(email)))
            .map(|(h, _)| h.as_str())
    }

    pub fn is_service_class(&self, class: &str) -> bool {
        self.ci.classes.get(class).is_some_and(|c| c.service)
    }

    pub fn in_group(&self, group: &str, handle: &str) -> bool {
        self.groups
            .get(group)
            .is_some_and(|members| members.iter().any(|m| m == handle))
    }
}
