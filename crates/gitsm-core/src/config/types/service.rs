//! Service levels: the priority matrix, SLA targets, business calendars, the service catalogue and symptom targets.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::duration::{Days, Duration};
use crate::model::{Level, Priority};

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
    /// Who answers for the item: a handle from `people`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Where the item sits in the catalogue (e.g. `access`, `hardware`,
    /// `software`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// What the item includes and what it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<CatalogScope>,
    /// Who may ask for it (e.g. `all staff`, `contractors with a sponsor`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Fields a request for this item must carry from `approved` on
    /// (dotted paths, e.g. `requested_for`, `cis`, `custom.cost_centre`);
    /// `gitsm new` does not ask for them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_fields: Vec<String>,
    /// The item grants access that must end: how long it lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<GrantPolicy>,
}

/// What a catalogue item covers: `{includes: [..], excludes: [..]}`, or
/// a text.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CatalogScope {
    /// What is and is not part of the item, as lists.
    Lists(ScopeLists),
    /// What the item covers, in words (Markdown).
    Text(String),
}

/// What is and is not part of a catalogue item.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ScopeLists {
    /// What is included.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<String>,
    /// What is not included.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excludes: Vec<String>,
}

/// How long the access a catalogue item grants lasts.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantPolicy {
    /// From fulfilment to expiry (a request's `expires_at` overrides it).
    pub valid_for: Days,
    /// How long before expiry `validate` warns (default 14d).
    #[serde(default = "two_weeks")]
    pub warn_before: Days,
}

fn two_weeks() -> Days {
    Days(14)
}

pub(super) fn default_catalog() -> BTreeMap<String, CatalogItem> {
    let item = |name: &str, fulfil: i64| CatalogItem {
        name: name.into(),
        description: None,
        response: Duration::minutes(10),
        fulfilment: Duration::minutes(fulfil),
        calendar: None,
        approval: None,
        owner: None,
        category: None,
        scope: None,
        audience: None,
        request_fields: Vec::new(),
        grants: None,
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
        // What `gitsm intake` files service-desk mail under until someone
        // sorts it (`intake.defaults.catalog_item`).
        (
            "general-request".into(),
            item("General request (from the service desk mailbox)", 240),
        ),
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
