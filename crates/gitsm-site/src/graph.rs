//! A CI's neighbourhood drawn as an SVG graph with a simple layered layout
//! (no Graphviz at run time): the CI in the middle layer, what depends on
//! it above, what it depends on below.
//!
//! Layers come from a breadth-first walk out of the drawn CI (one layer down
//! per relation followed forwards, one up per relation followed
//! backwards); within a layer, nodes are ordered by the barycentre of their
//! neighbours in the adjacent layer, swept down and up a few times, which
//! removes most crossings in the small graphs a CI page shows.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;

use crate::cmdb::Subgraph;

use super::charts::escape;

/// Most nodes drawn in one layer; the rest are counted as "+N more".
pub const MAX_PER_LAYER: usize = 10;

const NODE_W: f64 = 170.0;
const NODE_H: f64 = 44.0;
const GAP_X: f64 = 22.0;
const GAP_Y: f64 = 74.0;
const MARGIN: f64 = 16.0;
/// Above this many edges, relation names are left to the tooltips.
const MAX_LABELLED_EDGES: usize = 10;

/// Placed nodes: index into the subgraph's nodes, per layer, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub layers: Vec<Vec<usize>>,
    /// Per layer: nodes left out of the drawing.
    pub more: Vec<usize>,
}

/// Assign layers and order nodes within them.
pub fn layout(graph: &Subgraph) -> Layout {
    let n = graph.nodes.len();
    let index: HashMap<&str, usize> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| (node.id.as_str(), i))
        .collect();
    let edges: Vec<(usize, usize)> = graph
        .edges
        .iter()
        .filter_map(|e| Some((*index.get(e.from.as_str())?, *index.get(e.to.as_str())?)))
        .collect();
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in &edges {
        down[a].push(b);
        up[b].push(a);
    }
    // Breadth-first from the roots (or the first node), then from any node
    // not reached yet, so that every node gets a layer.
    let mut layer: Vec<Option<i64>> = vec![None; n];
    let mut queue = VecDeque::new();
    let roots: Vec<usize> = (0..n).filter(|&i| graph.nodes[i].root).collect();
    let starts = if roots.is_empty() {
        (0..n.min(1)).collect()
    } else {
        roots
    };
    let mut seeds = starts.into_iter().chain(0..n);
    loop {
        if queue.is_empty() {
            match seeds.find(|&s| layer[s].is_none()) {
                Some(s) => {
                    layer[s] = Some(0);
                    queue.push_back(s);
                }
                None => break,
            }
        }
        let Some(u) = queue.pop_front() else { break };
        let l = layer[u].unwrap_or(0);
        for (next, delta) in down[u]
            .iter()
            .map(|&v| (v, 1))
            .chain(up[u].iter().map(|&v| (v, -1)))
        {
            if layer[next].is_none() {
                layer[next] = Some(l + delta);
                queue.push_back(next);
            }
        }
    }
    let min = layer.iter().flatten().copied().min().unwrap_or(0);
    let depth = layer
        .iter()
        .flatten()
        .map(|l| l - min)
        .max()
        .map_or(0, |m| m + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); usize::try_from(depth).unwrap_or(0)];
    for (i, l) in layer.iter().enumerate() {
        let l = usize::try_from(l.unwrap_or(0) - min).unwrap_or(0);
        layers[l].push(i);
    }
    // Too wide: keep the roots, then the rest by id.
    let mut more = vec![0; layers.len()];
    for (nodes, extra) in layers.iter_mut().zip(more.iter_mut()) {
        if nodes.len() > MAX_PER_LAYER {
            nodes.sort_by_key(|&i| (!graph.nodes[i].root, i));
            *extra = nodes.len() - MAX_PER_LAYER;
            nodes.truncate(MAX_PER_LAYER);
            nodes.sort_unstable();
        }
    }
    // Barycentre sweeps.
    let mut position = vec![0.0f64; n];
    for nodes in &layers {
        for (p, &i) in nodes.iter().enumerate() {
            position[i] = p as f64;
        }
    }
    for sweep in 0..4 {
        let order: Vec<usize> = if sweep % 2 == 0 {
            (1..layers.len()).collect()
        } else {
            (0..layers.len().saturating_sub(1)).rev().collect()
        };
        for l in order {
            let neighbours = if sweep % 2 == 0 { &up } else { &down };
            let mut keyed: Vec<(f64, usize)> = layers[l]
                .iter()
                .map(|&i| {
                    let adj: Vec<f64> = neighbours[i]
                        .iter()
                        .chain(if sweep % 2 == 0 { &down[i] } else { &up[i] })
                        .filter(|&&j| layer[j] != layer[i])
                        .map(|&j| position[j])
                        .collect();
                    let key = if adj.is_empty() {
                        position[i]
                    } else {
                        adj.iter().sum::<f64>() / adj.len() as f64
                    };
                    (key, i)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            layers[l] = keyed.into_iter().map(|(_, i)| i).collect();
            for (p, &i) in layers[l].iter().enumerate() {
                position[i] = p as f64;
            }
        }
    }
    Layout { layers, more }
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Draw `graph` as SVG; `href` gives the link of a node by id. The drawing
/// is a group, not an image, so that its links stay reachable by assistive
/// technology: each CI is a link named by its `<title>`, the relations are
/// the description (their labels on the edges are hidden from it).
pub fn svg(graph: &Subgraph, title: &str, href: &dyn Fn(&str) -> String) -> String {
    let layout = layout(graph);
    let widest = layout
        .layers
        .iter()
        .zip(&layout.more)
        .map(|(l, m)| l.len() + usize::from(*m > 0))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let width = (widest * (NODE_W + GAP_X) - GAP_X + 2.0 * MARGIN).max(260.0);
    let height = layout.layers.len().max(1) as f64 * (NODE_H + GAP_Y) - GAP_Y + 2.0 * MARGIN;
    let mut at: HashMap<usize, (f64, f64)> = HashMap::new();
    let mut starts = Vec::with_capacity(layout.layers.len());
    for (l, nodes) in layout.layers.iter().enumerate() {
        let count = nodes.len() + usize::from(layout.more[l] > 0);
        let row = count as f64 * (NODE_W + GAP_X) - GAP_X;
        let x0 = (width - row) / 2.0;
        starts.push(x0);
        for (p, &i) in nodes.iter().enumerate() {
            at.insert(
                i,
                (
                    x0 + p as f64 * (NODE_W + GAP_X),
                    MARGIN + l as f64 * (NODE_H + GAP_Y),
                ),
            );
        }
    }
    let desc: Vec<String> = graph
        .edges
        .iter()
        .map(|e| format!("{} {} {}", e.from, e.relation, e.to))
        .collect();
    let desc = if desc.is_empty() {
        "No relations.".to_owned()
    } else {
        format!("{}.", desc.join("; "))
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"graph\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" role=\"group\" aria-labelledby=\"g-t\" aria-describedby=\"g-d\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"g-t\">{}</title><desc id=\"g-d\">{}</desc>",
        escape(title),
        escape(&desc)
    );
    s.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"arrowhead\"/></marker></defs>");
    let index: HashMap<&str, usize> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| (node.id.as_str(), i))
        .collect();
    // Relation names on the edges while they stay legible; always in tooltips.
    let labelled = graph.edges.len() <= MAX_LABELLED_EDGES;
    for e in &graph.edges {
        let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else {
            continue;
        };
        let (Some(&(ax, ay)), Some(&(bx, by))) = (at.get(&a), at.get(&b)) else {
            continue;
        };
        let (x1, x2) = (ax + NODE_W / 2.0, bx + NODE_W / 2.0);
        let (y1, y2, bend) = if ay < by {
            (ay + NODE_H, by, GAP_Y / 2.0)
        } else if ay > by {
            (ay, by + NODE_H, -GAP_Y / 2.0)
        } else {
            (ay + NODE_H, by + NODE_H, GAP_Y / 2.0)
        };
        let class = if e.propagates_impact {
            "edge"
        } else {
            "edge weak"
        };
        let _ = write!(
            s,
            "<path d=\"M{x1:.1},{y1:.1} C{x1:.1},{:.1} {x2:.1},{:.1} {x2:.1},{y2:.1}\" class=\"{class}\" marker-end=\"url(#arrow)\"><title>{} {} {}</title></path>",
            y1 + bend,
            if ay == by { y2 + bend } else { y2 - bend },
            escape(&e.from),
            escape(&e.relation),
            escape(&e.to),
        );
        if labelled {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"edge-label\" aria-hidden=\"true\">{}</text>",
                (x1 + x2) / 2.0,
                (y1 + y2) / 2.0 + if ay == by { bend * 0.75 } else { 4.0 },
                escape(&e.relation)
            );
        }
    }
    for (l, nodes) in layout.layers.iter().enumerate() {
        for &i in nodes {
            let node = &graph.nodes[i];
            let Some(&(x, y)) = at.get(&i) else { continue };
            let mut class = String::from("node");
            for (on, name) in [
                (node.service, " service"),
                (node.root, " root"),
                (node.status == "retired", " retired"),
            ] {
                if on {
                    class.push_str(name);
                }
            }
            let _ = write!(
                s,
                "<a href=\"{}\"><title>{} ({}, {}, {})</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"{}\" class=\"{class}\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"node-name\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"node-sub\">{}</text></a>",
                escape(&href(&node.id)),
                escape(&node.name),
                escape(&node.id),
                escape(&node.class),
                escape(&node.status),
                if node.service { 20 } else { 6 },
                x + NODE_W / 2.0,
                y + 19.0,
                escape(&clip(&node.name, 24)),
                x + NODE_W / 2.0,
                y + 35.0,
                escape(&clip(&format!("{} · {}", node.class, node.id), 30)),
            );
        }
        if layout.more[l] > 0 {
            let (x, y) = (
                starts[l] + nodes.len() as f64 * (NODE_W + GAP_X),
                MARGIN + l as f64 * (NODE_H + GAP_Y),
            );
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"node-more\">+{} more</text>",
                x + NODE_W / 2.0,
                y + NODE_H / 2.0 + 4.0,
                layout.more[l]
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmdb::{SubgraphEdge, SubgraphNode};

    fn node(id: &str, root: bool) -> SubgraphNode {
        SubgraphNode {
            id: id.into(),
            name: id.to_uppercase(),
            class: "application".into(),
            status: "active".into(),
            service: false,
            root,
        }
    }

    fn edge(from: &str, to: &str) -> SubgraphEdge {
        SubgraphEdge {
            from: from.into(),
            to: to.into(),
            relation: "depends_on".into(),
            propagates_impact: true,
        }
    }

    #[test]
    fn dependents_above_dependencies_below() {
        let g = Subgraph {
            nodes: vec![
                node("app", true),
                node("db", false),
                node("shop", false),
                node("vm", false),
            ],
            edges: vec![edge("app", "db"), edge("shop", "app"), edge("db", "vm")],
        };
        let l = layout(&g);
        let names: Vec<Vec<&str>> = l
            .layers
            .iter()
            .map(|layer| layer.iter().map(|&i| g.nodes[i].id.as_str()).collect())
            .collect();
        assert_eq!(names, [vec!["shop"], vec!["app"], vec!["db"], vec!["vm"]]);
    }

    #[test]
    fn barycentres_uncross_edges() {
        // a -> d and b -> c: ordering by id would cross; barycentres do not.
        let g = Subgraph {
            nodes: vec![
                node("a", true),
                node("b", true),
                node("c", false),
                node("d", false),
            ],
            edges: vec![edge("a", "d"), edge("b", "c")],
        };
        let l = layout(&g);
        let bottom: Vec<&str> = l.layers[1]
            .iter()
            .map(|&i| g.nodes[i].id.as_str())
            .collect();
        assert_eq!(bottom, ["d", "c"]);
    }

    #[test]
    fn wide_layers_are_capped_and_svg_is_escaped() {
        let mut nodes = vec![node("<root>", true)];
        let mut edges = Vec::new();
        for i in 0..(MAX_PER_LAYER + 3) {
            let id = format!("dep-{i:02}");
            nodes.push(node(&id, false));
            edges.push(edge(&id, "<root>"));
        }
        nodes.sort_by(|a, b| a.id.cmp(&b.id));
        let g = Subgraph { nodes, edges };
        let l = layout(&g);
        assert_eq!(l.layers[0].len(), MAX_PER_LAYER);
        assert_eq!(l.more[0], 3);
        let s = svg(&g, "Relations", &|id| format!("{id}.html"));
        assert!(s.contains("+3 more"));
        assert!(!s.contains("<root>"));
        assert!(s.contains("&lt;root&gt;"));
        assert!(!s.contains("role=\"img\""), "an image would hide its links");
        assert!(s.contains(
            "<a href=\"dep-00.html\"><title>DEP-00 (dep-00, application, active)</title>"
        ));
    }
}
