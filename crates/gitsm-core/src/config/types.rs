//! The types of `gitsm.yaml`, with their documented defaults.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::duration::Duration;
use crate::kind::Kind;
use crate::model::{ChangeType, Level, Priority, Timestamp};

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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            people: BTreeMap::new(),
            groups: BTreeMap::new(),
            ids: IdPolicy::default(),
            priority_matrix: PriorityMatrix::default(),
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
        }
    }
}

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
}

/// A person and their Git identities.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Full name, as shown on the site and in reports.
    pub name: String,
    /// Git author emails of this person (who they are in commits).
    #[serde(default)]
    pub emails: Vec<String>,
    /// OpenSSH public keys of this person, one `allowed_signers`-style line
    /// each (`ssh-ed25519 AAAA... carol@laptop`): a decision by this person
    /// counts only with a signature by one of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// `false` for someone who left: records naming them stay valid, but
    /// nothing new may be assigned to them and they take no new decisions.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum IdScheme {
    /// INC-0001, INC-0002, ...: next after the highest in the work tree and upstream.
    #[default]
    Sequential,
    /// INC-2026-0001: sequential within the year the record is created.
    Yearly,
    /// INC-7KQ3XM: short random ids that never collide between branches.
    Random,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// All records of a kind in its folder: `incidents/INC-0042.yaml`.
    #[default]
    Flat,
    /// New records in a folder per year: `incidents/2026/INC-0042.yaml`.
    ByYear,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IdPolicy {
    /// How the number part of a new id is chosen.
    pub scheme: IdScheme,
    /// Where new record files go.
    pub layout: Layout,
    /// Digits of the number part (`4`: INC-0001).
    #[schemars(range(min = 1, max = 12))]
    pub width: u8,
    /// Upstream revision also searched for taken ids (default `origin/HEAD`, then `origin/main`).
    pub base: Option<String>,
    /// Id prefixes by ticket kind.
    pub prefixes: Prefixes,
}

impl Default for IdPolicy {
    fn default() -> Self {
        IdPolicy {
            scheme: IdScheme::Sequential,
            layout: Layout::Flat,
            width: 4,
            base: None,
            prefixes: Prefixes::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Prefixes {
    /// Prefix of incidents' ids (`INC-0001`).
    pub incident: String,
    /// Prefix of problems' ids (`PRB-0001`).
    pub problem: String,
    /// Prefix of changes' ids (`CHG-0001`).
    pub change: String,
    /// Prefix of service requests' ids (`REQ-0001`).
    pub request: String,
}

impl Default for Prefixes {
    fn default() -> Self {
        Prefixes {
            incident: "INC".into(),
            problem: "PRB".into(),
            change: "CHG".into(),
            request: "REQ".into(),
        }
    }
}

impl IdPolicy {
    pub fn prefix(&self, kind: Kind) -> Option<&str> {
        match kind {
            Kind::Incident => Some(&self.prefixes.incident),
            Kind::Problem => Some(&self.prefixes.problem),
            Kind::Change => Some(&self.prefixes.change),
            Kind::Request => Some(&self.prefixes.request),
            Kind::Ci => None,
        }
    }

    /// The kind an id belongs to: a ticket kind by its prefix, else a CI.
    pub fn kind_of(&self, id: &str) -> Kind {
        Kind::ALL
            .into_iter()
            .find(|&k| {
                self.prefix(k)
                    .is_some_and(|p| id.strip_prefix(p).is_some_and(|rest| rest.starts_with('-')))
            })
            .unwrap_or(Kind::Ci)
    }
}

/// Priorities for one impact level, by urgency.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MatrixRow {
    /// The priority when urgency is high.
    pub high: Priority,
    /// The priority when urgency is medium.
    pub medium: Priority,
    /// The priority when urgency is low.
    pub low: Priority,
}

/// Impact x urgency -> priority. Defaults: high/high P1; high/medium and
/// medium/high P2; high/low, medium/medium, low/high P3; the rest P4.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PriorityMatrix {
    /// Priorities when impact is high, by urgency.
    pub high: MatrixRow,
    /// Priorities when impact is medium, by urgency.
    pub medium: MatrixRow,
    /// Priorities when impact is low, by urgency.
    pub low: MatrixRow,
}

impl Default for PriorityMatrix {
    fn default() -> Self {
        use Priority::*;
        PriorityMatrix {
            high: MatrixRow {
                high: P1,
                medium: P2,
                low: P3,
            },
            medium: MatrixRow {
                high: P2,
                medium: P3,
                low: P4,
            },
            low: MatrixRow {
                high: P3,
                medium: P4,
                low: P4,
            },
        }
    }
}

impl PriorityMatrix {
    /// The priority for an impact and urgency.
    pub fn priority(&self, impact: Level, urgency: Level) -> Priority {
        let row = match impact {
            Level::High => &self.high,
            Level::Medium => &self.medium,
            Level::Low => &self.low,
        };
        match urgency {
            Level::High => row.high,
            Level::Medium => row.medium,
            Level::Low => row.low,
        }
    }
}

/// Response and resolution targets for one priority.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaTarget {
    /// Time to acknowledge.
    pub response: Duration,
    /// Time to resolve.
    pub resolution: Duration,
    /// Business calendar the clock runs on; 24x7 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
}

/// Targets per priority. Defaults: P1 15m/4h and P2 30m/8h around the clock;
/// P3 4h/27h and P4 9h/90h on the `business` calendar (4 business hours / 3
/// business days, 1 business day / 10 business days).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[allow(non_snake_case)]
pub struct SlaPolicy {
    /// Targets of P1 (critical) tickets.
    pub P1: SlaTarget,
    /// Targets of P2 (high) tickets.
    pub P2: SlaTarget,
    /// Targets of P3 (moderate) tickets.
    pub P3: SlaTarget,
    /// Targets of P4 (low) tickets.
    pub P4: SlaTarget,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        let t = |r: i64, s: i64, cal: Option<&str>| SlaTarget {
            response: Duration::minutes(r),
            resolution: Duration::minutes(s),
            calendar: cal.map(String::from),
        };
        SlaPolicy {
            P1: t(15, 4 * 60, None),
            P2: t(30, 8 * 60, None),
            P3: t(4 * 60, 27 * 60, Some("business")),
            P4: t(9 * 60, 90 * 60, Some("business")),
        }
    }
}

impl SlaPolicy {
    pub fn target(&self, p: Priority) -> &SlaTarget {
        match p {
            Priority::P1 => &self.P1,
            Priority::P2 => &self.P2,
            Priority::P3 => &self.P3,
            Priority::P4 => &self.P4,
        }
    }
}

/// A business calendar.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// IANA time zone name, e.g. `Europe/Berlin`; daylight saving applies.
    #[schemars(example = "Europe/Berlin")]
    pub timezone: String,
    /// Working hours per weekday, e.g. `"09:00-18:00"` or `"09:00-12:30,13:30-18:00"`.
    #[serde(default)]
    pub hours: WeekHours,
    /// Days off (YYYY-MM-DD).
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
}

impl Default for Calendar {
    fn default() -> Self {
        let day = Some("09:00-18:00".to_owned());
        Calendar {
            timezone: "UTC".into(),
            hours: WeekHours {
                mon: day.clone(),
                tue: day.clone(),
                wed: day.clone(),
                thu: day.clone(),
                fri: day,
                sat: None,
                sun: None,
            },
            holidays: Vec::new(),
        }
    }
}

/// Working hours by weekday; a missing day is a day off.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekHours {
    /// Working hours on Monday, e.g. `"09:00-18:00"`; none when absent.
    #[schemars(regex(pattern = r"^\d{2}:\d{2}-\d{2}:\d{2}(,\s*\d{2}:\d{2}-\d{2}:\d{2})*$"))]
    pub mon: Option<String>,
    /// Working hours on Tuesday, e.g. `"09:00-18:00"`; none when absent.
    #[schemars(regex(pattern = r"^\d{2}:\d{2}-\d{2}:\d{2}(,\s*\d{2}:\d{2}-\d{2}:\d{2})*$"))]
    pub tue: Option<String>,
    /// Working hours on Wednesday, e.g. `"09:00-18:00"`; none when absent.
    #[schemars(regex(pattern = r"^\d{2}:\d{2}-\d{2}:\d{2}(,\s*\d{2}:\d{2}-\d{2}:\d{2})*$"))]
    pub wed: Option<String>,
    /// Working hours on Thursday, e.g. `"09:00-18:00"`; none when absent.
    #[schemars(regex(pattern = r"^\d{2}:\d{2}-\d{2}:\d{2}(,\s*\d{2}:\d{2}-\d{2}:\d{2})*$"))]
    pub thu: Option<String>,
    /// Working hours on Friday, e.g. `"09:00-18:00"`; none when absent.
    #[schemars(regex(pattern = r"^\d{2}:\d{2}-\d{2}:\d{2}(,\s*\d{2}:\d{2}-\d{2}:\d{2})*$"))]
    pub fri: Option<String>,
    /// Working hours on Saturday, e.g. `"09:00-18:00"`; none when absent.
    #[schemars(regex(pattern = r"^\d{2}:\d{2}-\d{2}:\d{2}(,\s*\d{2}:\d{2}-\d{2}:\d{2})*$"))]
    pub sat: Option<String>,
    /// Working hours on Sunday, e.g. `"09:00-18:00"`; none when absent.
    #[schemars(regex(pattern = r"^\d{2}:\d{2}-\d{2}:\d{2}(,\s*\d{2}:\d{2}-\d{2}:\d{2})*$"))]
    pub sun: Option<String>,
}

impl WeekHours {
    /// `(weekday name, spans)` for each day, Monday first.
    pub fn days(&self) -> [(&'static str, Option<&str>); 7] {
        [
            ("mon", self.mon.as_deref()),
            ("tue", self.tue.as_deref()),
            ("wed", self.wed.as_deref()),
            ("thu", self.thu.as_deref()),
            ("fri", self.fri.as_deref()),
            ("sat", self.sat.as_deref()),
            ("sun", self.sun.as_deref()),
        ]
    }
}

/// A rule: how many approvals, from which group.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRule {
    /// Number of distinct approvers needed.
    pub approvals: u32,
    /// The group the approvers must belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// An item of the service catalogue.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogItem {
    /// What users see in the catalogue.
    pub name: String,
    /// What the item delivers and to whom (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Time to acknowledge a request for this item.
    pub response: Duration,
    /// Time to fulfil it.
    pub fulfilment: Duration,
    /// Calendar the clocks run on; 24x7 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// Approvals a request needs before fulfilment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<ApprovalRule>,
}

fn default_catalog() -> BTreeMap<String, CatalogItem> {
    let item = |name: &str, fulfil: i64| CatalogItem {
        name: name.into(),
        description: None,
        response: Duration::minutes(10),
        fulfilment: Duration::minutes(fulfil),
        calendar: None,
        approval: None,
    };
    BTreeMap::from([
        ("install-os".into(), item("Install an operating system", 45)),
        (
            "hardware-change".into(),
            item("Add or remove computer hardware", 30),
        ),
        (
            "install-application".into(),
            item("Install an ordinary application", 20),
        ),
        ("clear-fault".into(), item("Clear an ordinary fault", 40)),
    ])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Time to acknowledge (stops at `acknowledged_at`).
    Response,
    /// Time to resolve (stops at `resolved_at`).
    #[default]
    Resolution,
}

/// Targets by symptom and the affected service's class (minutes a user can wait), e.g.
/// `system_crash: { "1": 10m, "2": 15m, "3": 30m }`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SymptomPolicy {
    /// Which clock these targets set.
    #[serde(default)]
    pub clock: Clock,
    /// Calendar for these targets; 24x7 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// Symptom -> service class -> target.
    pub targets: BTreeMap<String, BTreeMap<String, Duration>>,
}

/// Approvals by change type and risk. Defaults: normal 2 from `cab`,
/// emergency 1 from `ecab`, standard 0 (template required), high risk 3 from `cab`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ChangePolicy {
    /// Changes no other rule matches.
    pub normal: ApprovalRule,
    /// Emergency changes (the emergency CAB).
    pub emergency: ApprovalRule,
    /// Standard changes whose risk is at most their template's (low when the template names none).
    pub standard: ApprovalRule,
    /// Changes with `risk: high`.
    pub high_risk: ApprovalRule,
    /// The rules tried in turn; the first that matches a change applies, `normal` when none does.
    pub order: Vec<RuleName>,
    /// What proves a decision: `signature` (an SSH signature by one of the approver's `keys`
    /// over the approved content) or `commit` (the commit adding it was authored by one of the
    /// approver's emails — a self-asserted author email, trusted as such).
    pub proof: Proof,
    /// Scheduling conflicts (overlaps, freezes, maintenance windows) are errors, not warnings.
    pub conflicts_are_errors: bool,
}

/// A rule of `change_policy` that `order` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleName {
    /// Standard changes within their template's risk.
    Standard,
    /// Emergency changes.
    Emergency,
    /// Changes with `risk: high`.
    HighRisk,
    /// Any other change.
    Normal,
}

impl RuleName {
    pub fn name(self) -> &'static str {
        match self {
            RuleName::Standard => "standard",
            RuleName::Emergency => "emergency",
            RuleName::HighRisk => "high_risk",
            RuleName::Normal => "normal",
        }
    }
}

/// What proves that a person took a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Proof {
    /// A signature by one of the approver's keys over the approved content.
    #[default]
    Signature,
    /// The author email of the commit that added the decision (self-asserted).
    Commit,
}

impl Default for ChangePolicy {
    fn default() -> Self {
        let rule = |n: u32, from: Option<&str>| ApprovalRule {
            approvals: n,
            from: from.map(String::from),
        };
        ChangePolicy {
            normal: rule(2, Some("cab")),
            emergency: rule(1, Some("ecab")),
            standard: rule(0, None),
            high_risk: rule(3, Some("cab")),
            order: vec![RuleName::Standard, RuleName::Emergency, RuleName::HighRisk],
            proof: Proof::Signature,
            conflicts_are_errors: false,
        }
    }
}

impl ChangePolicy {
    /// The rule that applies to a change of this type and risk, whose
    /// template (for a standard change) allows `template_risk`: the first
    /// of `order` that matches, else `normal`.
    pub fn rule(
        &self,
        change_type: ChangeType,
        risk: Option<Level>,
        template_risk: Option<Level>,
    ) -> (RuleName, &ApprovalRule) {
        let matches = |name: RuleName| match name {
            RuleName::Standard => {
                // Level orders High < Medium < Low: a larger one is less risky.
                change_type == ChangeType::Standard
                    && risk.is_none_or(|r| r >= template_risk.unwrap_or(Level::Low))
            }
            RuleName::Emergency => change_type == ChangeType::Emergency,
            RuleName::HighRisk => risk == Some(Level::High),
            RuleName::Normal => true,
        };
        let name = self
            .order
            .iter()
            .copied()
            .find(|n| matches(*n))
            .unwrap_or(RuleName::Normal);
        let rule = match name {
            RuleName::Standard => &self.standard,
            RuleName::Emergency => &self.emergency,
            RuleName::HighRisk => &self.high_risk,
            RuleName::Normal => &self.normal,
        };
        (name, rule)
    }
}

/// A pre-approved standard change.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StandardChange {
    /// The title of changes made from this template.
    pub title: String,
    /// What the template covers (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The assessed risk; a change from this template may not exceed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<Level>,
    /// The CIs the pre-approved change may touch; a change from this
    /// template that names others is refused (empty: any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cis: Vec<String>,
    /// The pre-approved steps (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation_plan: Option<String>,
    /// How to undo it (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backout_plan: Option<String>,
    /// How to verify it worked (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_plan: Option<String>,
}

/// A change freeze (blackout window).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FreezeWindow {
    /// What the freeze is for, e.g. `year-end close`.
    pub name: String,
    /// When the freeze begins (RFC 3339 with offset).
    pub start: Timestamp,
    /// When it ends (RFC 3339 with offset).
    pub end: Timestamp,
    /// Change types still allowed during the freeze (e.g. `[emergency]`).
    #[serde(default)]
    pub allow: Vec<ChangeType>,
}

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
