//! Impact analysis: what a failure of (or a change to) some CIs touches.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Config;
use crate::kind::Kind;
use crate::model::{ChangeWindow, Priority, Record};
use crate::records::Loaded;

use super::{CmdbGraph, Reached};

/// Change states in which a change is about to touch, or is touching, its CIs.
pub(super) const ACTIVE_CHANGE_STATES: [&str; 2] = ["scheduled", "implement"];

/// A CI as impact analysis shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CiSummary {
    pub id: String,
    pub name: String,
    pub class: String,
    pub status: String,
    /// Its class is a business service class.
    pub service: bool,
}

/// How a CI was reached: through `relation` from or to `ci`, the CI one step
/// closer to the analysed ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Via {
    pub relation: String,
    pub ci: String,
}

/// A CI found by impact analysis, with its distance (in relations) from the
/// analysed CIs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReachedCi {
    #[serde(flatten)]
    pub ci: CiSummary,
    pub distance: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<Via>,
}

/// The impacted CIs of one class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassGroup {
    pub class: String,
    pub service: bool,
    /// Nearest first, then by id.
    pub cis: Vec<ReachedCi>,
}

/// A ticket that names a CI of the impacted chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketOnChain {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// A problem recorded as a known error (root cause and workaround known).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub known_error: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workaround: Option<String>,
    /// A change's window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<ChangeWindow>,
    /// The CIs of the chain it names (in `affected_cis`, `cis` or `service`).
    pub cis: Vec<String>,
}

/// Everything a failure of the analysed CIs touches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Impact {
    /// The analysed CIs.
    pub cis: Vec<CiSummary>,
    /// Business services affected: analysed CIs and dependents of a service class.
    pub services: Vec<CiSummary>,
    /// CIs that depend on the analysed ones, transitively, through relation
    /// types that propagate impact; grouped by class, business services first.
    pub dependents: Vec<ClassGroup>,
    /// What the analysed CIs themselves depend on, transitively.
    pub dependencies: Vec<ReachedCi>,
    /// Open incidents naming a CI of the chain (analysed CIs and dependents).
    pub incidents: Vec<TicketOnChain>,
    /// Open problems and known errors naming a CI of the chain.
    pub problems: Vec<TicketOnChain>,
    /// Scheduled or implementing changes naming a CI of the chain.
    pub changes: Vec<TicketOnChain>,
}

impl Impact {
    /// Number of CIs that depend on the analysed ones.
    pub fn dependent_count(&self) -> usize {
        self.dependents.iter().map(|g| g.cis.len()).sum()
    }
}

fn summary(graph: &CmdbGraph<'_>, i: usize) -> CiSummary {
    let ci = graph.ci(i);
    CiSummary {
        id: ci.id.clone(),
        name: ci.name.clone(),
        class: ci.class.clone(),
        status: ci.status.clone(),
        service: graph.is_service(i),
    }
}

fn reached(graph: &CmdbGraph<'_>, r: &Reached) -> ReachedCi {
    ReachedCi {
        ci: summary(graph, r.ci),
        distance: r.distance,
        via: r.via.map(|e| Via {
            relation: graph.relation_name(e.relation).to_owned(),
            ci: graph.ci(e.ci).id.clone(),
        }),
    }
}

/// Impact of the CIs at `roots` (indices into `graph`): their dependents,
/// their dependencies, and the open tickets on the chain. `exclude` leaves
/// one ticket out (the change being analysed).
pub fn impact(
    graph: &CmdbGraph<'_>,
    config: &Config,
    loaded: &Loaded,
    roots: &[usize],
    exclude: Option<&str>,
) -> Impact {
    let dependents = graph.dependents(roots);
    let dependencies = graph.dependencies(roots);

    let mut in_chain = vec![false; graph.len()];
    for &r in roots {
        if let Some(slot) = in_chain.get_mut(r) {
            *slot = true;
        }
    }
    for r in &dependents {
        in_chain[r.ci] = true;
    }

    let mut services: Vec<CiSummary> = roots
        .iter()
        .copied()
        .chain(dependents.iter().map(|r| r.ci))
        .filter(|&i| graph.is_service(i))
        .map(|i| summary(graph, i))
        .collect();
    services.sort_by(|a, b| a.id.cmp(&b.id));
    services.dedup();

    let mut groups: BTreeMap<&str, Vec<ReachedCi>> = BTreeMap::new();
    for r in &dependents {
        groups
            .entry(graph.ci(r.ci).class.as_str())
            .or_default()
            .push(reached(graph, r));
    }
    let mut dependents: Vec<ClassGroup> = groups
        .into_iter()
        .map(|(class, mut cis)| {
            cis.sort_by(|a, b| (a.distance, &a.ci.id).cmp(&(b.distance, &b.ci.id)));
            ClassGroup {
                class: class.to_owned(),
                service: cis.first().is_some_and(|c| c.ci.service),
                cis,
            }
        })
        .collect();
    dependents.sort_by(|a, b| {
        let key = |g: &ClassGroup| {
            (
                !g.service,
                g.cis.first().map_or(usize::MAX, |c| c.distance),
                g.class.clone(),
            )
        };
        key(a).cmp(&key(b))
    });

    let mut dependencies: Vec<ReachedCi> = dependencies.iter().map(|r| reached(graph, r)).collect();
    dependencies.sort_by(|a, b| (a.distance, &a.ci.id).cmp(&(b.distance, &b.ci.id)));

    let (mut incidents, mut problems, mut changes) = (Vec::new(), Vec::new(), Vec::new());
    for (_, record) in loaded.records() {
        if Some(record.id()) == exclude {
            continue;
        }
        let Some(named) = ci_fields(record) else {
            continue;
        };
        let mut cis: Vec<String> = named
            .into_iter()
            .filter(|id| graph.index_of(id).is_some_and(|i| in_chain[i]))
            .map(str::to_owned)
            .collect();
        if cis.is_empty() {
            continue;
        }
        cis.sort();
        cis.dedup();
        let status = record.status();
        let open = crate::sla::Phase::is_open(record);
        let mut ticket = TicketOnChain {
            id: record.id().to_owned(),
            kind: record.kind(),
            title: record.title().to_owned(),
            status: status.to_owned(),
            priority: crate::priority::of(record, config),
            known_error: false,
            workaround: None,
            window: None,
            cis,
        };
        match record {
            Record::Incident(_) if open => incidents.push(ticket),
            Record::Problem(p) if open => {
                ticket.known_error = p.known_error;
                ticket.workaround = p.workaround.clone();
                problems.push(ticket);
            }
            Record::Change(c) if ACTIVE_CHANGE_STATES.contains(&status) => {
                ticket.window = c.window.as_deref().cloned();
                changes.push(ticket);
            }
            _ => {}
        }
    }
    incidents.sort_by(|a, b| (a.priority, &a.id).cmp(&(b.priority, &b.id)));
    problems.sort_by(|a, b| {
        (!a.known_error, a.priority, &a.id).cmp(&(!b.known_error, b.priority, &b.id))
    });
    changes.sort_by(|a, b| {
        let start = |t: &TicketOnChain| t.window.as_ref().map(|w| w.start);
        (start(a), &a.id).cmp(&(start(b), &b.id))
    });

    Impact {
        cis: roots.iter().map(|&i| summary(graph, i)).collect(),
        services,
        dependents,
        dependencies: dependencies.into_iter().collect(),
        incidents,
        problems,
        changes,
    }
}

/// The CI ids a ticket names: `service` plus `affected_cis` (incidents,
/// problems) or `cis` (changes). `None` for records that are not such tickets.
fn ci_fields(record: &Record) -> Option<Vec<&str>> {
    let (service, list) = match record {
        Record::Incident(r) => (r.service.as_deref(), &r.affected_cis),
        Record::Problem(r) => (r.service.as_deref(), &r.affected_cis),
        Record::Change(r) => (r.service.as_deref(), &r.cis),
        _ => return None,
    };
    Some(
        service
            .into_iter()
            .chain(list.iter().map(String::as_str))
            .collect(),
    )
}
