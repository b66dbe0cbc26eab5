//! What a CI page adds to a record page: its relations drawn as a graph,
//! the business services and CIs that depend on it, and the tickets on it
//! (open incidents and problems, scheduled changes, recent history).

use serde::Serialize;

use crate::model::{Ci, Record};

use super::data::{SCHEDULED_CHANGE_STATES, SiteData};
use super::{fmt_time, graph, paths};

/// Longest list of dependents or tickets a CI page shows.
pub(crate) const LIST_CAP: usize = 50;

/// Most CIs drawn around a CI (two relations away when they fit, else one).
const GRAPH_CAP: usize = 36;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CiRef {
    pub id: String,
    pub name: String,
    pub class: String,
    pub status: String,
    pub href: String,
    pub distance: usize,
    /// The relation and CI one step closer to this CI.
    pub via: Option<String>,
}

/// A ticket in a list of a CI's or a team's page, linked from a page whose
/// root prefix is `root`.
pub(crate) fn ticket_ref(data: &SiteData<'_>, root: &str, r: &Record) -> TicketRef {
    TicketRef {
        id: r.id().to_owned(),
        kind: r.kind().label(),
        title: r.title().to_owned(),
        status: r.status().to_owned(),
        priority: data.priority(r).map(|p| p.name()),
        href: format!("{root}{}", paths::record(r.kind(), r.id())),
        when: match r {
            Record::Change(c) => c
                .window
                .as_ref()
                .map(|w| format!("{} – {}", fmt_time(&w.start), fmt_time(&w.end))),
            _ => r.created_at().map(|t| fmt_time(&t)),
        },
        known_error: matches!(r, Record::Problem(p) if p.known_error),
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct TicketRef {
    pub id: String,
    pub kind: &'static str,
    pub title: String,
    pub status: String,
    pub priority: Option<&'static str>,
    pub href: String,
    /// A change's window, a ticket's creation.
    pub when: Option<String>,
    pub known_error: bool,
}

/// A relation drawn in a CI's graph, for the list that says the same in
/// words (what a phone shows when the drawing is too wide to read).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RelationRef {
    pub from: NodeRef,
    /// `depends_on`, `runs_on`, ...
    pub relation: String,
    pub to: NodeRef,
    /// Whether impact travels along it (a solid arrow in the drawing).
    pub impact: bool,
}

/// A CI at one end of a [`RelationRef`].
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NodeRef {
    pub id: String,
    pub name: String,
    pub href: String,
}

/// A list with how many entries there were before it was capped.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Capped<T> {
    pub items: Vec<T>,
    pub total: usize,
}

impl<T> Capped<T> {
    pub(crate) fn new(mut items: Vec<T>) -> Capped<T> {
        let total = items.len();
        items.truncate(LIST_CAP);
        Capped { items, total }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CiView {
    /// Inline SVG (escaped by the drawing code).
    pub graph: String,
    pub graph_depth: usize,
    /// The relations the graph draws, as a list.
    pub relations: Vec<RelationRef>,
    pub services: Capped<CiRef>,
    pub dependents: Capped<CiRef>,
    pub dependencies: Capped<CiRef>,
    pub incidents: Capped<TicketRef>,
    pub problems: Capped<TicketRef>,
    pub changes: Capped<TicketRef>,
    /// Every ticket naming the CI, newest first.
    pub history: Capped<TicketRef>,
    /// A business service's availability over the report's period, when
    /// it has a target or an outage in it.
    pub availability: Option<AvailabilityView>,
}

/// A business service's availability as its page shows it: per month
/// and for the period, formatted as the report formats it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AvailabilityView {
    pub target: String,
    /// The calendar of its service hours, or `24x7`.
    pub service_hours: String,
    /// Names of the figures in `AvailabilityRow::cells`.
    pub head: Vec<&'static str>,
    /// The months, then the period.
    pub rows: Vec<AvailabilityRow>,
    pub outages: Vec<OutageRow>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct AvailabilityRow {
    /// `2026-11`, or `Period`.
    pub label: String,
    pub availability: String,
    /// `met`, `missed` or `-`.
    pub met: &'static str,
    pub cells: Vec<String>,
}

/// An outage on the service, with its incident.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OutageRow {
    pub incident: String,
    pub href: String,
    pub start: String,
    /// `ongoing` while it lasts.
    pub end: String,
    pub scope: &'static str,
}

fn availability(s: &crate::availability::ServiceAvailability, root: &str) -> AvailabilityView {
    use crate::report::render::availability_cells as fmt;
    let row = |label: &str, f: &crate::availability::Figures| AvailabilityRow {
        label: label.to_owned(),
        availability: fmt::availability(f.availability),
        met: fmt::met(f),
        cells: fmt::cells(f).to_vec(),
    };
    let mut rows: Vec<AvailabilityRow> =
        s.months.iter().map(|m| row(&m.month, &m.figures)).collect();
    rows.push(row("Period", &s.period));
    AvailabilityView {
        target: fmt::target(s),
        service_hours: s.service_hours.clone().unwrap_or_else(|| "24x7".to_owned()),
        head: fmt::FIGURES.to_vec(),
        rows,
        outages: s
            .outages
            .iter()
            .map(|o| OutageRow {
                incident: o.incident.clone(),
                href: format!(
                    "{root}{}",
                    paths::record(crate::kind::Kind::Incident, &o.incident)
                ),
                start: fmt_time(&o.start),
                end: o.end.map_or_else(|| "ongoing".to_owned(), |e| fmt_time(&e)),
                scope: o.scope.name(),
            })
            .collect(),
    }
}

/// What a CI's graph draws around the CI at `index`: the depth, and the
/// CIs within it and their relations.
pub(crate) fn drawn(
    g: &crate::cmdb::CmdbGraph<'_>,
    index: usize,
) -> (usize, crate::cmdb::Subgraph) {
    let depth = 2;
    let sub = g.neighbourhood(&[index], depth);
    if sub.nodes.len() > GRAPH_CAP {
        (1, g.neighbourhood(&[index], 1))
    } else {
        (depth, sub)
    }
}

pub(crate) fn view(
    data: &SiteData<'_>,
    ci: &Ci,
    root: &str,
    service: Option<&crate::availability::ServiceAvailability>,
) -> Option<CiView> {
    let g = &data.graph;
    let index = g.index_of(&ci.id)?;
    let (depth, sub) = drawn(g, index);
    let href = |id: &str| format!("{root}{}", paths::record(crate::kind::Kind::Ci, id));
    let svg = graph::svg(&sub, &format!("Relations of {}", ci.name), &href);
    let node = |id: &str| NodeRef {
        id: id.to_owned(),
        name: sub
            .nodes
            .iter()
            .find(|n| n.id == id)
            .map_or_else(|| id.to_owned(), |n| n.name.clone()),
        href: href(id),
    };
    let relations = sub
        .edges
        .iter()
        .map(|e| RelationRef {
            from: node(&e.from),
            relation: e.relation.clone(),
            to: node(&e.to),
            impact: e.propagates_impact,
        })
        .collect();
    let reached = |list: Vec<crate::cmdb::Reached>| {
        let mut out: Vec<CiRef> = list
            .iter()
            .map(|r| {
                let c = g.ci(r.ci);
                CiRef {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    class: c.class.clone(),
                    status: c.status.clone(),
                    href: href(&c.id),
                    distance: r.distance,
                    via: r
                        .via
                        .map(|e| format!("{} {}", g.relation_name(e.relation), g.ci(e.ci).id)),
                }
            })
            .collect();
        out.sort_by(|a, b| (a.distance, &a.id).cmp(&(b.distance, &b.id)));
        out
    };
    let dependents_raw = g.dependents(&[index]);
    let services: Vec<CiRef> = reached(
        dependents_raw
            .iter()
            .filter(|r| g.is_service(r.ci))
            .copied()
            .collect(),
    );
    let dependents = reached(dependents_raw);
    let dependencies = reached(g.dependencies(&[index]));
    let tickets: &[&Record] = data
        .tickets_by_ci
        .get(ci.id.as_str())
        .map_or(&[], Vec::as_slice);
    let ticket = |r: &Record| ticket_ref(data, root, r);
    let pick = |f: &dyn Fn(&Record) -> bool| {
        let mut v: Vec<TicketRef> = tickets.iter().filter(|r| f(r)).map(|r| ticket(r)).collect();
        v.sort_by(|a, b| (a.priority, &a.id).cmp(&(b.priority, &b.id)));
        Capped::new(v)
    };
    let incidents = pick(&|r| matches!(r, Record::Incident(_)) && data.is_open(r));
    let problems = pick(&|r| matches!(r, Record::Problem(_)) && data.is_open(r));
    let mut changes: Vec<&Record> = tickets
        .iter()
        .copied()
        .filter(|r| matches!(r, Record::Change(_)) && SCHEDULED_CHANGE_STATES.contains(&r.status()))
        .collect();
    changes.sort_by_key(|r| match r {
        Record::Change(c) => (c.window.as_ref().map(|w| w.start), r.id().to_owned()),
        _ => (None, r.id().to_owned()),
    });
    let changes = Capped::new(changes.into_iter().map(ticket).collect());
    let mut history: Vec<&Record> = tickets.to_vec();
    history.sort_by(|a, b| (b.created_at(), b.id()).cmp(&(a.created_at(), a.id())));
    let history = Capped::new(history.into_iter().map(ticket).collect());
    Some(CiView {
        graph: svg,
        graph_depth: depth,
        relations,
        services: Capped::new(services),
        dependents: Capped::new(dependents),
        dependencies: Capped::new(dependencies),
        incidents,
        problems,
        changes,
        history,
        availability: service.map(|s| availability(s, root)),
    })
}
