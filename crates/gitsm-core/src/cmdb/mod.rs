//! The CMDB as a graph: configuration items and the typed relations between
//! them, built once from the loaded records in O(V + E).
//!
//! A relation is stored on the dependent CI (`payments-api` `depends_on`
//! `orders-db`); the graph keeps both directions so that impact analysis
//! (who depends on this CI?) and dependency lookup (what does it need?) are
//! each one breadth-first search. Relation semantics (`propagates_impact`,
//! `acyclic`, class pairings) come from `ci.relations` in gitsm.yaml.

mod export;
mod impact;
mod similar;

use std::collections::HashMap;

use crate::config::CiPolicy;
use crate::model::{Ci, Record};
use crate::records::Loaded;

pub use export::{Subgraph, SubgraphEdge, SubgraphNode};
pub use impact::{CiSummary, ClassGroup, Impact, ReachedCi, TicketOnChain, Via, impact};
pub use similar::{
    ArticleMatch, KnownErrorMatch, SIMILAR_STATUSES, Similar, SimilarIncident, Subject, articles,
    problem_articles, similar,
};

/// One relation from the point of view of one end: the CI at the other end
/// and the relation type (an index into [`CmdbGraph::relation_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub ci: usize,
    pub relation: usize,
}

/// Compressed adjacency lists: the edges of node `i` are
/// `edges[start[i]..start[i + 1]]`.
#[derive(Debug, Default)]
struct Adjacency {
    start: Vec<usize>,
    edges: Vec<Edge>,
}

impl Adjacency {
    /// Build from `(node, edge)` pairs in two passes (counting sort by node).
    fn build(nodes: usize, pairs: &[(usize, Edge)]) -> Adjacency {
        let mut start = vec![0usize; nodes + 1];
        for (n, _) in pairs {
            start[n + 1] += 1;
        }
        for i in 0..nodes {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut edges = vec![Edge { ci: 0, relation: 0 }; pairs.len()];
        for &(n, e) in pairs {
            edges[fill[n]] = e;
            fill[n] += 1;
        }
        Adjacency { start, edges }
    }

    fn of(&self, node: usize) -> &[Edge] {
        match (self.start.get(node), self.start.get(node + 1)) {
            (Some(&a), Some(&b)) => &self.edges[a..b],
            _ => &[],
        }
    }
}

/// A relation type as the graph knows it.
#[derive(Debug, Clone)]
struct RelationInfo {
    name: String,
    propagates_impact: bool,
}

/// A CI reached by a search, with how far it is and how it was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reached {
    pub ci: usize,
    /// Number of relations between it and the nearest start CI.
    pub distance: usize,
    /// The relation that brought it in: the CI one step closer to the start.
    pub via: Option<Edge>,
}

/// The configuration items and their relations.
#[derive(Debug)]
pub struct CmdbGraph<'a> {
    cis: Vec<&'a Ci>,
    /// Per CI: its class is a business service class.
    service: Vec<bool>,
    index: HashMap<&'a str, usize, foldhash::fast::RandomState>,
    relations: Vec<RelationInfo>,
    /// Stored direction: source (the dependent CI) to target.
    forward: Adjacency,
    /// Reverse direction: target to the CIs that name it.
    reverse: Adjacency,
    /// Relations naming a CI that is not in the CMDB (reported elsewhere).
    dangling: usize,
}

impl<'a> CmdbGraph<'a> {
    /// Build the graph of `cis` with the relation semantics of `policy`.
    /// The first CI with a given id wins (duplicates are reported by the
    /// identity checks); relations to unknown CIs are left out.
    pub fn new(policy: &CiPolicy, cis: impl IntoIterator<Item = &'a Ci>) -> CmdbGraph<'a> {
        let cis = cis.into_iter();
        let mut nodes: Vec<&'a Ci> = Vec::with_capacity(cis.size_hint().0);
        let mut index: HashMap<&'a str, usize, _> = HashMap::with_capacity_and_hasher(
            nodes.capacity(),
            foldhash::fast::RandomState::default(),
        );
        for ci in cis {
            if !index.contains_key(ci.id.as_str()) {
                index.insert(ci.id.as_str(), nodes.len());
                nodes.push(ci);
            }
        }
        let mut relations: Vec<RelationInfo> = policy
            .relations
            .iter()
            .map(|(name, r)| RelationInfo {
                name: name.clone(),
                propagates_impact: r.propagates_impact,
            })
            .collect();
        let mut relation_index: HashMap<String, usize> = relations
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.clone(), i))
            .collect();
        let mut forward_pairs = Vec::new();
        let mut reverse_pairs = Vec::new();
        let mut dangling = 0;
        for (from, ci) in nodes.iter().enumerate() {
            for (name, targets) in &ci.relations {
                let relation = match relation_index.get(name) {
                    Some(&r) => r,
                    None => {
                        // Unknown relation types are errors elsewhere; they
                        // are drawn but never propagate impact.
                        relations.push(RelationInfo {
                            name: name.clone(),
                            propagates_impact: false,
                        });
                        relation_index.insert(name.clone(), relations.len() - 1);
                        relations.len() - 1
                    }
                };
                for target in targets {
                    let Some(&to) = index.get(target.as_str()) else {
                        dangling += 1;
                        continue;
                    };
                    forward_pairs.push((from, Edge { ci: to, relation }));
                    reverse_pairs.push((to, Edge { ci: from, relation }));
                }
            }
        }
        let forward = Adjacency::build(nodes.len(), &forward_pairs);
        let reverse = Adjacency::build(nodes.len(), &reverse_pairs);
        let service = nodes
            .iter()
            .map(|ci| policy.classes.get(&ci.class).is_some_and(|c| c.service))
            .collect();
        CmdbGraph {
            cis: nodes,
            service,
            index,
            relations,
            forward,
            reverse,
            dangling,
        }
    }

    /// The graph of the CIs among `loaded`'s records.
    pub fn from_loaded(policy: &CiPolicy, loaded: &'a Loaded) -> CmdbGraph<'a> {
        CmdbGraph::new(
            policy,
            loaded.records().filter_map(|(_, r)| match r {
                Record::Ci(ci) => Some(ci),
                _ => None,
            }),
        )
    }

    pub fn len(&self) -> usize {
        self.cis.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cis.is_empty()
    }

    /// Number of relations between CIs of the graph.
    pub fn edge_count(&self) -> usize {
        self.forward.edges.len()
    }

    /// Relations that name a CI not in the graph.
    pub fn dangling(&self) -> usize {
        self.dangling
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The CI at `index` (an index from this graph).
    pub fn ci(&self, index: usize) -> &'a Ci {
        self.cis[index]
    }

    /// Whether the CI's class is a business service class.
    pub fn is_service(&self, index: usize) -> bool {
        self.service.get(index).copied().unwrap_or(false)
    }

    pub fn ids(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.cis.iter().map(|c| c.id.as_str())
    }

    /// Relations stored on the CI: what it depends on, runs on, ...
    pub fn outgoing(&self, index: usize) -> &[Edge] {
        self.forward.of(index)
    }

    /// Relations naming the CI, stored on other CIs.
    pub fn incoming(&self, index: usize) -> &[Edge] {
        self.reverse.of(index)
    }

    pub fn relation_name(&self, relation: usize) -> &str {
        self.relations.get(relation).map_or("", |r| r.name.as_str())
    }

    pub fn propagates_impact(&self, relation: usize) -> bool {
        self.relations
            .get(relation)
            .is_some_and(|r| r.propagates_impact)
    }

    /// Everything that depends on `roots`, transitively, through relation
    /// types that propagate impact: if A `depends_on` B, a failure of B
    /// impacts A. Breadth-first, so each CI carries its shortest distance.
    /// The roots themselves are not included.
    pub fn dependents(&self, roots: &[usize]) -> Vec<Reached> {
        self.search(roots, &self.reverse)
    }

    /// What `roots` need, transitively, through impact-propagating relations.
    pub fn dependencies(&self, roots: &[usize]) -> Vec<Reached> {
        self.search(roots, &self.forward)
    }

    /// Breadth-first search from `roots` along `adjacency`, following only
    /// impact-propagating relations.
    fn search(&self, roots: &[usize], adjacency: &Adjacency) -> Vec<Reached> {
        let mut seen = vec![false; self.cis.len()];
        let mut queue: std::collections::VecDeque<(usize, usize)> =
            std::collections::VecDeque::new();
        for &r in roots {
            if let Some(s) = seen.get_mut(r)
                && !*s
            {
                *s = true;
                queue.push_back((r, 0));
            }
        }
        let mut out = Vec::new();
        while let Some((node, distance)) = queue.pop_front() {
            for edge in adjacency.of(node) {
                if !self.propagates_impact(edge.relation) || seen[edge.ci] {
                    continue;
                }
                seen[edge.ci] = true;
                out.push(Reached {
                    ci: edge.ci,
                    distance: distance + 1,
                    via: Some(Edge {
                        ci: node,
                        relation: edge.relation,
                    }),
                });
                queue.push_back((edge.ci, distance + 1));
            }
        }
        out
    }

    /// The CIs within `depth` relations of `from` (in either direction,
    /// through any relation type) and the relations among them; the whole
    /// CMDB when `from` is empty.
    pub fn neighbourhood(&self, from: &[usize], depth: usize) -> Subgraph {
        let mut included = vec![from.is_empty(); self.cis.len()];
        if !from.is_empty() {
            let mut frontier: Vec<usize> = Vec::new();
            for &f in from {
                if let Some(slot) = included.get_mut(f)
                    && !*slot
                {
                    *slot = true;
                    frontier.push(f);
                }
            }
            for _ in 0..depth {
                let mut next = Vec::new();
                for &node in &frontier {
                    for edge in self.forward.of(node).iter().chain(self.reverse.of(node)) {
                        if !included[edge.ci] {
                            included[edge.ci] = true;
                            next.push(edge.ci);
                        }
                    }
                }
                if next.is_empty() {
                    break;
                }
                frontier = next;
            }
        }
        export::subgraph(self, &included, from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(id: &str, class: &str, relations: &[(&str, &[&str])]) -> Ci {
        Ci {
            relations: relations
                .iter()
                .map(|(r, t)| ((*r).to_owned(), t.iter().map(|s| (*s).to_owned()).collect()))
                .collect(),
            ..Ci::new(id, id.to_uppercase(), class, "active")
        }
    }

    fn chain() -> Vec<Ci> {
        vec![
            ci("shop", "service", &[("depends_on", &["shop-app"])]),
            ci("shop-app", "application", &[("depends_on", &["shop-db"])]),
            ci("shop-db", "database", &[("runs_on", &["db-01"])]),
            ci("db-01", "server", &[("connected_to", &["switch"])]),
            ci("switch", "network_device", &[]),
            ci("pc", "workstation", &[]),
        ]
    }

    #[test]
    fn dependents_follow_reverse_propagating_edges() {
        let cis = chain();
        let policy = CiPolicy::default();
        let g = CmdbGraph::new(&policy, &cis);
        assert_eq!(g.len(), 6);
        assert_eq!(g.edge_count(), 4);
        let root = g.index_of("db-01").expect("db-01");
        let got: Vec<(&str, usize)> = g
            .dependents(&[root])
            .iter()
            .map(|r| (g.ci(r.ci).id.as_str(), r.distance))
            .collect();
        assert_eq!(got, [("shop-db", 1), ("shop-app", 2), ("shop", 3)]);
        // connected_to does not propagate impact.
        let switch = g.index_of("switch").expect("switch");
        assert!(g.dependents(&[switch]).is_empty());
        let shop = g.index_of("shop").expect("shop");
        let deps: Vec<&str> = g
            .dependencies(&[shop])
            .iter()
            .map(|r| g.ci(r.ci).id.as_str())
            .collect();
        assert_eq!(deps, ["shop-app", "shop-db", "db-01"]);
    }

    #[test]
    fn neighbourhood_goes_both_ways_to_a_depth() {
        let cis = chain();
        let policy = CiPolicy::default();
        let g = CmdbGraph::new(&policy, &cis);
        let root = g.index_of("shop-db").expect("shop-db");
        let sub = g.neighbourhood(&[root], 1);
        let ids: Vec<&str> = sub.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["db-01", "shop-app", "shop-db"]);
        assert_eq!(sub.edges.len(), 2);
        let all = g.neighbourhood(&[], 0);
        assert_eq!(all.nodes.len(), 6);
        assert_eq!(all.edges.len(), 4);
    }

    #[test]
    fn cycles_and_dangling_targets_do_not_loop() {
        let cis = vec![
            ci("a", "application", &[("depends_on", &["b", "ghost"])]),
            ci("b", "application", &[("depends_on", &["a"])]),
        ];
        let policy = CiPolicy::default();
        let g = CmdbGraph::new(&policy, &cis);
        assert_eq!(g.dangling(), 1);
        let a = g.index_of("a").expect("a");
        let got: Vec<usize> = g.dependents(&[a]).iter().map(|r| r.ci).collect();
        assert_eq!(got, [g.index_of("b").expect("b")]);
    }
}
