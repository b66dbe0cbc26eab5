//! The page of one record: its fields (references as links), its Markdown
//! texts, its links in both directions, its SLA clocks and its timeline
//! (see [`super::timeline`]).

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::model::Record;
use crate::sla::{Reading, SlaClock, TicketClocks};

use super::data::SiteData;
use super::timeline::{self, TimelineEntry};
use super::{fmt_time, span};

/// Fields shown as Markdown sections rather than in the field table (when
/// they are text: an article's `symptoms` are a list).
const TEXT_FIELDS: [(&str, &str); 9] = [
    ("description", "Description"),
    ("body", "Article"),
    ("symptoms", "Symptoms"),
    ("root_cause", "Root cause"),
    ("workaround", "Workaround"),
    ("implementation_plan", "Implementation plan"),
    ("backout_plan", "Backout plan"),
    ("test_plan", "Test plan"),
    ("review", "Post-implementation review"),
];

/// Fields shown elsewhere on the page (header, links, timeline).
const SHOWN_ELSEWHERE: [&str; 11] = [
    "id",
    "title",
    "name",
    "status",
    "links",
    "notes",
    "approvals",
    "escalations",
    "on_hold",
    "updates",
    "outage",
];

/// A link to a record, as pages show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LinkView {
    pub field: String,
    pub id: String,
    /// Relative to the page; `None` when the record does not exist.
    pub href: Option<String>,
    pub title: Option<String>,
    pub status: Option<String>,
    pub kind: Option<&'static str>,
}

/// One value in a field: text, or a link to a record.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Item {
    pub text: String,
    pub href: Option<String>,
    /// Names a record that does not exist.
    pub missing: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct FieldView {
    pub name: String,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct TextView {
    pub label: &'static str,
    /// Markdown; the template renders it with the `md` filter.
    pub text: String,
}

/// A clock as the pages show it ([`clock_views`]): without the figures
/// that move with the site's instant (a running clock's elapsed and
/// remaining time, an on-hold clock's due time).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ClockView {
    pub clock: &'static str,
    pub state: &'static str,
    /// `None`: running.
    pub elapsed: Option<String>,
    pub target: String,
    /// `None`: running.
    pub remaining: Option<String>,
    /// `None`: on hold.
    pub due: Option<String>,
    pub paused: bool,
    pub basis: String,
}

/// What every record page shows.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RecordView {
    pub id: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub title: String,
    pub status: String,
    pub open: bool,
    pub priority: Option<&'static str>,
    pub fields: Vec<FieldView>,
    pub texts: Vec<TextView>,
    pub outgoing: Vec<LinkView>,
    pub incoming: Vec<LinkView>,
    pub sla: Option<Vec<ClockView>>,
    pub sla_state: Option<&'static str>,
    pub timeline: Vec<TimelineEntry>,
    /// An incident's outages, in order of start.
    pub outages: Vec<OutageView>,
}

/// An outage recorded on an incident.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OutageView {
    pub start: String,
    /// `ongoing` while it lasts.
    pub end: String,
    /// `full` or `degraded`.
    pub scope: &'static str,
    /// Wall-clock length; `None` while it lasts.
    pub duration: Option<String>,
    pub note: Option<String>,
}

fn outages(record: &Record) -> Vec<OutageView> {
    let Record::Incident(inc) = record else {
        return Vec::new();
    };
    let mut list: Vec<&crate::model::Outage> = inc.outage.iter().collect();
    list.sort_by_key(|o| o.start);
    list.into_iter()
        .map(|o| OutageView {
            start: fmt_time(&o.start),
            end: o.end.map_or_else(|| "ongoing".to_owned(), |e| fmt_time(&e)),
            scope: o.scope.name(),
            duration: o.end.map(|e| span(e - o.start)),
            note: o.note.clone(),
        })
        .collect()
}

/// The view of `record` for a page whose root prefix is `root`.
pub(crate) fn view(data: &SiteData<'_>, record: &Record, root: &str) -> RecordView {
    let json = record.to_json();
    let refs: HashMap<String, String> = record
        .references()
        .into_iter()
        .map(|r| (r.pointer, r.target))
        .collect();
    let mut fields = Vec::new();
    if let Value::Object(map) = &json {
        for (key, value) in map {
            if SHOWN_ELSEWHERE.contains(&key.as_str())
                || (value.is_string() && TEXT_FIELDS.iter().any(|(k, _)| k == key))
            {
                continue;
            }
            flatten(
                data,
                root,
                &refs,
                &format!("/{key}"),
                key,
                value,
                &mut fields,
            );
        }
    }
    let texts = TEXT_FIELDS
        .iter()
        .filter_map(|(key, label)| {
            let text = json.get(*key)?.as_str()?;
            (!text.trim().is_empty()).then(|| TextView {
                label,
                text: text.to_owned(),
            })
        })
        .collect();
    let outgoing = record
        .references()
        .into_iter()
        .map(|r| link(data, root, &r.field, &r.target))
        .collect();
    let incoming = data
        .incoming
        .get(record.id())
        .map(|list| {
            list.iter()
                .map(|(field, source)| link(data, root, field, source))
                .collect()
        })
        .unwrap_or_default();
    let clocks = data.clocks(record);
    RecordView {
        id: record.id().to_owned(),
        kind: record.kind().name(),
        kind_label: record.kind().label(),
        title: record.title().to_owned(),
        status: record.status().to_owned(),
        open: data.is_open(record),
        priority: data.priority(record).map(|p| p.name()),
        fields,
        texts,
        outgoing,
        incoming,
        sla: clocks.as_ref().map(clock_views),
        sla_state: clocks.as_ref().map(sla_state),
        timeline: timeline::timeline(data, record),
        outages: outages(record),
    }
}

/// A link to `id` as seen from a page at `root`.
pub(crate) fn link(data: &SiteData<'_>, root: &str, field: &str, id: &str) -> LinkView {
    let target = data.by_id.get(id);
    LinkView {
        field: field.to_owned(),
        id: id.to_owned(),
        href: data.href(root, id),
        title: target.map(|r| r.title().to_owned()),
        status: target.map(|r| r.status().to_owned()),
        kind: target.map(|r| r.kind().label()),
    }
}

/// Fields of a JSON value as rows: maps are descended into (`resolution.code`),
/// lists of scalars are one row, other values are shown compactly.
fn flatten(
    data: &SiteData<'_>,
    root: &str,
    refs: &HashMap<String, String>,
    pointer: &str,
    name: &str,
    value: &Value,
    out: &mut Vec<FieldView>,
) {
    let item = |pointer: &str, v: &Value| {
        let text = scalar(v);
        match refs.get(pointer) {
            Some(target) => Item {
                href: data.href(root, target),
                missing: !data.by_id.contains_key(target.as_str()),
                text,
            },
            None => Item {
                text,
                href: None,
                missing: false,
            },
        }
    };
    let items = match value {
        Value::Object(map) => {
            for (k, v) in map {
                flatten(
                    data,
                    root,
                    refs,
                    &format!("{pointer}/{k}"),
                    &format!("{name}.{k}"),
                    v,
                    out,
                );
            }
            return;
        }
        Value::Array(list) if list.iter().all(|v| !v.is_object() && !v.is_array()) => list
            .iter()
            .enumerate()
            .map(|(i, v)| item(&format!("{pointer}/{i}"), v))
            .collect(),
        other => vec![item(pointer, other)],
    };
    out.push(FieldView {
        name: name.to_owned(),
        items,
    });
}

/// A JSON value as one line of text.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", scalar(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Array(list) => list.iter().map(scalar).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

/// An open ticket's worst clock (`ok`, `at_risk`, `breached`); a closed
/// ticket's outcome (`met`, or `missed` when a clock missed its target).
pub(crate) fn sla_state(clocks: &TicketClocks) -> &'static str {
    if clocks.is_open() {
        clocks.state().name()
    } else if clocks
        .clocks()
        .any(|c| c.reading.state == crate::sla::ClockState::Missed)
    {
        "missed"
    } else {
        "met"
    }
}

/// The clocks of a ticket as its pages show them (its own page, the SLA
/// page): without the figures that move with the site's instant, so that
/// the pages stand from one build to the next until a clock changes
/// state ([`super::page_key`] holds what is shown).
pub(crate) fn clock_views(clocks: &TicketClocks) -> Vec<ClockView> {
    clocks.clocks().map(clock_view).collect()
}

/// Which of a clock's figures the pages show, read at the site's
/// instant: the one rule [`clock_view`] shows by and
/// [`super::page_key`] hashes by. Those that move with the instant are
/// left out: a running clock's elapsed and remaining time, an on-hold
/// clock's due time (set when it runs again).
pub(crate) struct ShownFigures {
    /// The time it counted and has left: once stopped or on hold.
    pub counted: bool,
    /// Its due time: unless on hold.
    pub due: bool,
}

impl ShownFigures {
    pub(crate) fn of(r: &Reading) -> ShownFigures {
        ShownFigures {
            counted: r.stopped || r.paused,
            due: !r.paused,
        }
    }
}

fn clock_view(c: &SlaClock) -> ClockView {
    let r = &c.reading;
    let shown = ShownFigures::of(r);
    ClockView {
        clock: c.kind.name(),
        state: r.state.name(),
        elapsed: shown.counted.then(|| span(r.elapsed)),
        target: c.target.duration.to_string(),
        remaining: shown.counted.then(|| span(r.remaining)),
        due: shown
            .due
            .then(|| c.due.map_or_else(|| "never".to_owned(), |d| fmt_time(&d))),
        paused: r.paused,
        basis: match &c.target.basis {
            crate::sla::Basis::Priority(p) => p.name().to_owned(),
            crate::sla::Basis::Catalog(item) => format!("catalogue item {item}"),
            crate::sla::Basis::Symptom {
                symptom,
                service_class,
            } => format!("symptom {symptom}, service class {service_class}"),
        },
    }
}
