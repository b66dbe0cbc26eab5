//! Typed records. The JSON Schemas under `schemas/` are generated from these
//! types (see [`crate::schema`]); field doc comments become schema
//! descriptions, which editors show while a record is being written.

mod article;
mod change;
mod ci;
mod feedback;
mod incident;
mod problem;
mod request;

use chrono::{DateTime, FixedOffset};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use article::{Article, PUBLISHED};
pub use change::{
    Approval, Change, ChangeOutcome, ChangeType, ChangeWindow, CloseCode, Decision,
    ScheduleOccurrence,
};
pub use ci::Ci;
pub use feedback::{Feedback, SCORES};
pub use incident::{
    AlertEvent, CommsUpdate, Escalation, EventSource, HoldPeriod, HoldReason, Incident,
    IncidentReview, Outage, OutageScope, PriorityOverride, ReviewAction,
};
pub use problem::{Origin, Problem, ProblemResolution, ProblemResolutionCode};
pub use request::Request;

use crate::kind::Kind;

/// An RFC 3339 timestamp with an explicit UTC offset.
pub type Timestamp = DateTime<FixedOffset>;

/// Largest record file accepted.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Impact, urgency and risk levels.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The most: a whole service or many users, or it cannot wait.
    High,
    /// Part of a service or a group of users, or it should be done soon.
    Medium,
    /// One user or a minor function, or it can wait.
    Low,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::High => "high",
            Level::Medium => "medium",
            Level::Low => "low",
        }
    }
}

/// Incident and problem priority.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum Priority {
    /// Critical: act at once, around the clock if the SLA says so.
    P1,
    /// High: act within hours.
    P2,
    /// Moderate: act within the working day.
    P3,
    /// Low: act when time allows.
    P4,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];

    pub fn name(self) -> &'static str {
        match self {
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
            Priority::P4 => "P4",
        }
    }
}

impl std::str::FromStr for Priority {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Priority::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown priority `{s}` (expected P1, P2, P3 or P4)"))
    }
}

/// An appended note. Notes are never edited or removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Note {
    /// When the note was written.
    pub at: Timestamp,
    /// Who wrote it: a handle from `people` or an email.
    pub by: String,
    /// The note (Markdown).
    pub text: String,
    /// Why `at` is earlier than a commit that changed the record without
    /// this note (it was written down later than it happened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backdated: Option<String>,
}

/// How a ticket was resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Resolution {
    /// Resolution code, one of `resolution_codes` in gitsm.yaml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// What was done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The knowledge article that resolved it (a KB id); the report counts
    /// each article's uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
}

/// Fields shared by every ticket kind, generated into each ticket struct so
/// the schema stays flat (no `allOf`) and unknown keys stay errors.
macro_rules! ticket {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$fmeta:meta])* pub $field:ident : $ty:ty,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[schemars(deny_unknown_fields)]
        pub struct $name {
            /// Unique id; equals the file name without `.yaml`.
            pub id: String,
            /// One-line summary.
            pub title: String,
            /// Current workflow state (see `workflows` in gitsm.yaml).
            pub status: String,
            /// When the ticket was opened (RFC 3339 with offset). Immutable.
            #[schemars(example = "2026-11-20T09:00:00+01:00")]
            pub created_at: $crate::model::Timestamp,
            /// The record's id in the tool it was imported from (`gitsm import`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub source_id: Option<String>,
            $($(#[$fmeta])* pub $field: $ty,)*
            /// Who works on it: a handle from `people` or an email.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub assignee: Option<String>,
            /// Owning group, from `groups`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub team: Option<String>,
            /// Full description (Markdown).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub description: Option<String>,
            /// Other related records, by id.
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub links: Vec<String>,
            /// Append-only work notes.
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub notes: Vec<$crate::model::Note>,
            /// Organisation-defined fields, declared under `custom_fields` in gitsm.yaml.
            #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
            pub custom: serde_json::Map<String, serde_json::Value>,
            /// Event stamps recorded later than they happened, each with
            /// why: `{acknowledged_at: "phoned in during the outage"}`.
            /// A stamp earlier than a commit that changed the ticket
            /// without it is refused unless declared here.
            #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
            pub backdated: std::collections::BTreeMap<String, String>,
        }
    };
}
pub(crate) use ticket;

/// Any record.
// Incidents are the largest variant and most of the records (70 % in the
// benchmark corpus): boxing them would add an allocation to most records
// and save memory only on the few others.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Incident(Incident),
    Problem(Problem),
    Change(Change),
    Request(Request),
    Ci(Ci),
    Article(Article),
}

/// A reference from one record to another, found in a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// JSON pointer of the field holding the id, e.g. `/affected_cis/1`.
    pub pointer: String,
    /// The id referred to.
    pub target: String,
    /// The kind the target must be (`None`: any record).
    pub expects: Option<Kind>,
    /// Field name for messages and for showing links, e.g. `affected_cis`.
    pub field: String,
}

/// A person named in a record (a handle or an email).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRef {
    pub pointer: String,
    pub who: String,
}

impl Record {
    /// Deserialise a record of `kind` from its JSON form.
    pub fn from_json(kind: Kind, value: Value) -> Result<Record, serde_json::Error> {
        Ok(match kind {
            Kind::Incident => Record::Incident(serde_json::from_value(value)?),
            Kind::Problem => Record::Problem(serde_json::from_value(value)?),
            Kind::Change => Record::Change(serde_json::from_value(value)?),
            Kind::Request => Record::Request(serde_json::from_value(value)?),
            Kind::Ci => Record::Ci(serde_json::from_value(value)?),
            Kind::Article => Record::Article(serde_json::from_value(value)?),
        })
    }

    pub fn to_json(&self) -> Value {
        let v = match self {
            Record::Incident(r) => serde_json::to_value(r),
            Record::Problem(r) => serde_json::to_value(r),
            Record::Change(r) => serde_json::to_value(r),
            Record::Request(r) => serde_json::to_value(r),
            Record::Ci(r) => serde_json::to_value(r),
            Record::Article(r) => serde_json::to_value(r),
        };
        v.unwrap_or(Value::Null)
    }

    pub fn kind(&self) -> Kind {
        match self {
            Record::Incident(_) => Kind::Incident,
            Record::Problem(_) => Kind::Problem,
            Record::Change(_) => Kind::Change,
            Record::Request(_) => Kind::Request,
            Record::Ci(_) => Kind::Ci,
            Record::Article(_) => Kind::Article,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Record::Incident(r) => &r.id,
            Record::Problem(r) => &r.id,
            Record::Change(r) => &r.id,
            Record::Request(r) => &r.id,
            Record::Ci(r) => &r.id,
            Record::Article(r) => &r.id,
        }
    }

    /// Title of a ticket, name of a CI.
    pub fn title(&self) -> &str {
        match self {
            Record::Incident(r) => &r.title,
            Record::Problem(r) => &r.title,
            Record::Change(r) => &r.title,
            Record::Request(r) => &r.title,
            Record::Ci(r) => &r.name,
            Record::Article(r) => &r.title,
        }
    }

    pub fn status(&self) -> &str {
        match self {
            Record::Incident(r) => &r.status,
            Record::Problem(r) => &r.status,
            Record::Change(r) => &r.status,
            Record::Request(r) => &r.status,
            Record::Ci(r) => &r.status,
            Record::Article(r) => &r.status,
        }
    }

    pub fn created_at(&self) -> Option<Timestamp> {
        match self {
            Record::Incident(r) => Some(r.created_at),
            Record::Problem(r) => Some(r.created_at),
            Record::Change(r) => Some(r.created_at),
            Record::Request(r) => Some(r.created_at),
            Record::Ci(_) => None,
            Record::Article(r) => r.created_at,
        }
    }

    pub fn assignee(&self) -> Option<&str> {
        match self {
            Record::Incident(r) => r.assignee.as_deref(),
            Record::Problem(r) => r.assignee.as_deref(),
            Record::Change(r) => r.implementer.as_deref().or(r.assignee.as_deref()),
            Record::Request(r) => r.assignee.as_deref(),
            Record::Ci(r) => r.owner.as_deref(),
            Record::Article(r) => r.owner.as_deref(),
        }
    }

    pub fn team(&self) -> Option<&str> {
        match self {
            Record::Incident(r) => r.team.as_deref(),
            Record::Problem(r) => r.team.as_deref(),
            Record::Change(r) => r.team.as_deref(),
            Record::Request(r) => r.team.as_deref(),
            Record::Ci(r) => r.team.as_deref(),
            Record::Article(_) => None,
        }
    }

    pub fn description(&self) -> Option<&str> {
        match self {
            Record::Incident(r) => r.description.as_deref(),
            Record::Problem(r) => r.description.as_deref(),
            Record::Change(r) => r.description.as_deref(),
            Record::Request(r) => r.description.as_deref(),
            Record::Ci(r) => r.description.as_deref(),
            Record::Article(r) => Some(&r.body),
        }
    }

    pub fn custom(&self) -> &Map<String, Value> {
        match self {
            Record::Incident(r) => &r.custom,
            Record::Problem(r) => &r.custom,
            Record::Change(r) => &r.custom,
            Record::Request(r) => &r.custom,
            Record::Ci(r) => &r.custom,
            Record::Article(r) => &r.custom,
        }
    }

    /// The record's id in the tool it was imported from.
    pub fn source_id(&self) -> Option<&str> {
        match self {
            Record::Incident(r) => r.source_id.as_deref(),
            Record::Problem(r) => r.source_id.as_deref(),
            Record::Change(r) => r.source_id.as_deref(),
            Record::Request(r) => r.source_id.as_deref(),
            Record::Ci(r) => r.source_id.as_deref(),
            Record::Article(_) => None,
        }
    }

    pub fn notes(&self) -> &[Note] {
        match self {
            Record::Incident(r) => &r.notes,
            Record::Problem(r) => &r.notes,
            Record::Change(r) => &r.notes,
            Record::Request(r) => &r.notes,
            Record::Ci(_) | Record::Article(_) => &[],
        }
    }

    /// The satisfaction feedback on an incident or a request (none for
    /// others).
    pub fn feedback(&self) -> &[Feedback] {
        match self {
            Record::Incident(r) => &r.feedback,
            Record::Request(r) => &r.feedback,
            _ => &[],
        }
    }

    /// The decisions of a change or a service request (none for others).
    pub fn decisions(&self) -> &[Approval] {
        match self {
            Record::Change(c) => &c.approvals,
            Record::Request(r) => &r.approvals,
            _ => &[],
        }
    }

    /// The problem an incident is a case of: what "the incidents of a
    /// problem" counts (a change naming a problem is its fix, not a case).
    pub fn incident_of(&self) -> Option<&str> {
        match self {
            Record::Incident(i) => i.problem.as_deref(),
            _ => None,
        }
    }

    /// Event stamps declared as recorded later than they happened, with why.
    pub fn backdated(&self) -> Option<&std::collections::BTreeMap<String, String>> {
        match self {
            Record::Incident(r) => Some(&r.backdated),
            Record::Problem(r) => Some(&r.backdated),
            Record::Change(r) => Some(&r.backdated),
            Record::Request(r) => Some(&r.backdated),
            Record::Ci(_) | Record::Article(_) => None,
        }
    }

    /// Generic `links` of a ticket.
    fn links(&self) -> &[String] {
        match self {
            Record::Incident(r) => &r.links,
            Record::Problem(r) => &r.links,
            Record::Change(r) => &r.links,
            Record::Request(r) => &r.links,
            Record::Ci(_) | Record::Article(_) => &[],
        }
    }

    /// Every id this record refers to, with the field that holds it.
    pub fn references(&self) -> Vec<Reference> {
        self.names()
            .into_iter()
            .map(|n| Reference {
                pointer: n.pointer(),
                target: n.target.to_owned(),
                expects: n.expects,
                field: n.field.to_owned(),
            })
            .collect()
    }

    /// The ids this record names in its link fields, borrowed from it:
    /// the one list of those fields, which [`Record::references`] owns.
    pub fn names(&self) -> Vec<Named<'_>> {
        let mut refs = Refs::default();
        refs.list("links", self.links(), None);
        match self {
            Record::Incident(r) => {
                refs.one("service", r.service.as_deref(), Some(Kind::Ci));
                refs.list("affected_cis", &r.affected_cis, Some(Kind::Ci));
                refs.one("problem", r.problem.as_deref(), Some(Kind::Problem));
                // A nested field: its name is its pointer's path.
                refs.one(
                    "resolution/article",
                    r.resolution.as_ref().and_then(|x| x.article.as_deref()),
                    Some(Kind::Article),
                );
                refs.one(
                    "caused_by_change",
                    r.caused_by_change.as_deref(),
                    Some(Kind::Change),
                );
                refs.one(
                    "duplicate_of",
                    r.duplicate_of.as_deref(),
                    Some(Kind::Incident),
                );
                if let Some(review) = &r.review {
                    let problems = review.actions.iter().map(|a| a.problem.as_deref());
                    refs.items("review.actions", "problem", problems);
                }
            }
            Record::Problem(r) => {
                refs.one("service", r.service.as_deref(), Some(Kind::Ci));
                refs.list("affected_cis", &r.affected_cis, Some(Kind::Ci));
                refs.one("fix_change", r.fix_change.as_deref(), Some(Kind::Change));
                refs.one(
                    "duplicate_of",
                    r.duplicate_of.as_deref(),
                    Some(Kind::Problem),
                );
            }
            Record::Change(r) => {
                refs.one("service", r.service.as_deref(), Some(Kind::Ci));
                refs.list("cis", &r.cis, Some(Kind::Ci));
                refs.one("problem", r.problem.as_deref(), Some(Kind::Problem));
            }
            Record::Request(r) => {
                refs.list("cis", &r.cis, Some(Kind::Ci));
            }
            Record::Ci(r) => {
                for (relation, targets) in &r.relations {
                    refs.relation(relation, targets);
                }
            }
            Record::Article(r) => {
                refs.list("services", &r.services, Some(Kind::Ci));
                refs.list("cis", &r.cis, Some(Kind::Ci));
                refs.list("problems", &r.problems, Some(Kind::Problem));
                refs.list("incidents", &r.incidents, Some(Kind::Incident));
            }
        }
        refs.0
    }

    /// Every person named in this record.
    pub fn people(&self) -> Vec<PersonRef> {
        let mut out = Vec::new();
        let mut add = |pointer: String, who: Option<&str>| {
            if let Some(who) = who {
                out.push(PersonRef {
                    pointer,
                    who: who.to_owned(),
                });
            }
        };
        match self {
            Record::Incident(r) => {
                add("/reported_by".into(), Some(&r.reported_by));
                add("/assignee".into(), r.assignee.as_deref());
                for (i, e) in r.escalations.iter().enumerate() {
                    add(format!("/escalations/{i}/by"), e.by.as_deref());
                }
                add("/commander".into(), r.commander.as_deref());
                for (i, u) in r.updates.iter().enumerate() {
                    add(format!("/updates/{i}/by"), Some(&u.by));
                }
                if let Some(review) = &r.review {
                    add("/review/by".into(), Some(&review.by));
                    for (i, a) in review.actions.iter().enumerate() {
                        add(format!("/review/actions/{i}/owner"), a.owner.as_deref());
                    }
                }
            }
            Record::Problem(r) => {
                add("/reported_by".into(), Some(&r.reported_by));
                add("/assignee".into(), r.assignee.as_deref());
            }
            Record::Change(r) => {
                add("/requested_by".into(), Some(&r.requested_by));
                add("/assignee".into(), r.assignee.as_deref());
                add("/implementer".into(), r.implementer.as_deref());
                for (i, a) in r.approvals.iter().enumerate() {
                    add(format!("/approvals/{i}/by"), Some(&a.by));
                }
            }
            Record::Request(r) => {
                add("/requested_by".into(), Some(&r.requested_by));
                add("/requested_for".into(), r.requested_for.as_deref());
                add("/assignee".into(), r.assignee.as_deref());
                for (i, a) in r.approvals.iter().enumerate() {
                    add(format!("/approvals/{i}/by"), Some(&a.by));
                }
            }
            Record::Ci(r) => {
                add("/owner".into(), r.owner.as_deref());
            }
            Record::Article(r) => {
                add("/owner".into(), r.owner.as_deref());
            }
        }
        for (i, n) in self.notes().iter().enumerate() {
            add(format!("/notes/{i}/by"), Some(&n.by));
        }
        for (i, f) in self.feedback().iter().enumerate() {
            add(format!("/feedback/{i}/by"), Some(&f.by));
        }
        out
    }
}

/// An id a record names ([`Record::names`]), borrowed from the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named<'a> {
    /// Field name, e.g. `affected_cis` (a CI's relation: its name).
    pub field: &'a str,
    /// The id named.
    pub target: &'a str,
    /// The kind the target must be (`None`: any record).
    pub expects: Option<Kind>,
    /// Where in a list field (`None`: a field of one id).
    pub index: Option<usize>,
    /// A CI relation (under `relations/`).
    pub relation: bool,
    /// The key holding the id inside each item of a list of objects (a
    /// review action's `problem`); `field` then is the dotted path of
    /// the list (`review.actions`).
    pub item_key: Option<&'a str>,
}

impl Named<'_> {
    /// JSON pointer of the field holding the id, e.g. `/affected_cis/1`.
    pub fn pointer(&self) -> String {
        let under = if self.relation { "/relations" } else { "" };
        if let (Some(key), Some(i)) = (self.item_key, self.index) {
            return format!("/{}/{i}/{key}", self.field.replace('.', "/"));
        }
        match self.index {
            Some(i) => format!("{under}/{}/{i}", self.field),
            None => format!("{under}/{}", self.field),
        }
    }
}

#[derive(Default)]
struct Refs<'a>(Vec<Named<'a>>);

impl<'a> Refs<'a> {
    fn one(&mut self, field: &'a str, id: Option<&'a str>, expects: Option<Kind>) {
        if let Some(id) = id {
            self.0.push(Named {
                field,
                target: id,
                expects,
                index: None,
                relation: false,
                item_key: None,
            });
        }
    }

    fn list(&mut self, field: &'a str, ids: &'a [String], expects: Option<Kind>) {
        self.push_all(field, ids, expects, false);
    }

    /// Ids at `key` in the items of the list at dotted `field`.
    fn items(&mut self, field: &'a str, key: &'a str, ids: impl Iterator<Item = Option<&'a str>>) {
        for (i, id) in ids.enumerate() {
            if let Some(id) = id {
                self.0.push(Named {
                    field,
                    target: id,
                    expects: Some(Kind::Problem),
                    index: Some(i),
                    relation: false,
                    item_key: Some(key),
                });
            }
        }
    }

    fn relation(&mut self, relation: &'a str, ids: &'a [String]) {
        self.push_all(relation, ids, Some(Kind::Ci), true);
    }

    fn push_all(
        &mut self,
        field: &'a str,
        ids: &'a [String],
        expects: Option<Kind>,
        relation: bool,
    ) {
        for (i, id) in ids.iter().enumerate() {
            self.0.push(Named {
                field,
                target: id,
                expects,
                index: Some(i),
                relation,
                item_key: None,
            });
        }
    }
}
