//! Graph export: a part of the CMDB as data, and as Graphviz DOT or Mermaid
//! text (`gitsm graph`, and the site's CI pages).

use std::collections::HashSet;
use std::fmt::Write as _;

use serde::Serialize;

use super::CmdbGraph;

/// A set of CIs and the relations among them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subgraph {
    /// Sorted by id.
    pub nodes: Vec<SubgraphNode>,
    /// Sorted by source, relation type and target.
    pub edges: Vec<SubgraphEdge>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubgraphNode {
    pub id: String,
    pub name: String,
    pub class: String,
    pub status: String,
    /// Its class is a business service class.
    pub service: bool,
    /// One of the CIs the neighbourhood was drawn around.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub root: bool,
}

/// A relation, from the CI that stores it (the dependent) to its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubgraphEdge {
    pub from: String,
    pub to: String,
    pub relation: String,
    pub propagates_impact: bool,
}

/// The nodes marked in `included` and the relations between them.
pub(super) fn subgraph(graph: &CmdbGraph<'_>, included: &[bool], roots: &[usize]) -> Subgraph {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for (i, _) in included.iter().enumerate().filter(|(_, inc)| **inc) {
        let ci = graph.ci(i);
        nodes.push(SubgraphNode {
            id: ci.id.clone(),
            name: ci.name.clone(),
            class: ci.class.clone(),
            status: ci.status.clone(),
            service: graph.is_service(i),
            root: roots.contains(&i),
        });
        for e in graph.outgoing(i) {
            if included.get(e.ci).copied().unwrap_or(false) {
                edges.push(SubgraphEdge {
                    from: ci.id.clone(),
                    to: graph.ci(e.ci).id.clone(),
                    relation: graph.relation_name(e.relation).to_owned(),
                    propagates_impact: graph.propagates_impact(e.relation),
                });
            }
        }
    }
    nodes.sort_by(|a, b| a.id.cmp(&b.id));
    edges.sort_by(|a, b| (&a.from, &a.relation, &a.to).cmp(&(&b.from, &b.relation, &b.to)));
    edges.dedup();
    Subgraph { nodes, edges }
}

impl Subgraph {
    /// Graphviz DOT (`dot -Tsvg`): ids quoted, labels escaped. Services are
    /// ellipses, retired CIs dashed and grey, relations that do not
    /// propagate impact dashed.
    pub fn to_dot(&self) -> String {
        let mut s = String::from("digraph cmdb {\n");
        s.push_str("  rankdir=LR;\n");
        s.push_str("  node [shape=box, style=\"rounded\", fontname=\"Helvetica\"];\n");
        s.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
        for n in &self.nodes {
            let mut attrs = vec![format!(
                "label={}",
                dot_quote(&format!("{}\n({})", n.name, n.class))
            )];
            let mut style = vec!["rounded"];
            if n.service {
                attrs.push("shape=ellipse".into());
                style.push("bold");
            }
            if n.status == "retired" {
                style.push("dashed");
                attrs.push("color=gray50, fontcolor=gray50".into());
            }
            if n.root {
                attrs.push("penwidth=2.5".into());
                style.push("filled");
                attrs.push("fillcolor=\"#fff3cd\"".into());
            }
            attrs.push(format!("style={}", dot_quote(&style.join(","))));
            attrs.push(format!("tooltip={}", dot_quote(&n.id)));
            let _ = writeln!(s, "  {} [{}];", dot_quote(&n.id), attrs.join(", "));
        }
        for e in &self.edges {
            let dashed = if e.propagates_impact {
                ""
            } else {
                ", style=dashed"
            };
            let _ = writeln!(
                s,
                "  {} -> {} [label={}{dashed}];",
                dot_quote(&e.from),
                dot_quote(&e.to),
                dot_quote(&e.relation)
            );
        }
        s.push_str("}\n");
        s
    }

    /// Mermaid `graph LR`, as GitHub renders it in a ```mermaid block. Node
    /// names are derived from the ids but reduced to `[A-Za-z0-9_]` (and made
    /// unique); the real id and name are in the quoted, escaped label.
    pub fn to_mermaid(&self) -> String {
        let mut s = String::from("graph LR\n");
        let mut used: HashSet<String> = HashSet::new();
        let names: Vec<String> = self
            .nodes
            .iter()
            .map(|n| mermaid_name(&n.id, &mut used))
            .collect();
        let name_of = |id: &str| {
            self.nodes
                .binary_search_by(|n| n.id.as_str().cmp(id))
                .ok()
                .and_then(|i| names.get(i))
        };
        for (n, name) in self.nodes.iter().zip(&names) {
            let label = mermaid_escape(&format!("{}\n{} · {}", n.name, n.id, n.class));
            if n.service {
                let _ = writeln!(s, "  {name}([\"{label}\"])");
            } else {
                let _ = writeln!(s, "  {name}[\"{label}\"]");
            }
        }
        for e in &self.edges {
            let (Some(from), Some(to)) = (name_of(&e.from), name_of(&e.to)) else {
                continue;
            };
            let arrow = if e.propagates_impact { "-->" } else { "-.->" };
            let _ = writeln!(
                s,
                "  {from} {arrow}|\"{}\"| {to}",
                mermaid_escape(&e.relation)
            );
        }
        let mut classes = |class: &str, style: &str, pick: &dyn Fn(&SubgraphNode) -> bool| {
            let members: Vec<&str> = self
                .nodes
                .iter()
                .zip(&names)
                .filter(|(n, _)| pick(n))
                .map(|(_, name)| name.as_str())
                .collect();
            if !members.is_empty() {
                let _ = writeln!(s, "  classDef {class} {style}");
                let _ = writeln!(s, "  class {} {class}", members.join(","));
            }
        };
        classes(
            "service",
            "fill:#e8f0fe,stroke:#1a73e8,stroke-width:2px",
            &|n| n.service,
        );
        classes("retired", "stroke-dasharray:5 5,color:#888", &|n| {
            n.status == "retired"
        });
        classes(
            "root",
            "fill:#fff3cd,stroke:#b58900,stroke-width:3px",
            &|n| n.root,
        );
        s
    }

    /// `{ "nodes": [...], "edges": [...] }`, pretty-printed.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// A DOT double-quoted string: backslashes and quotes escaped, line breaks
/// as `\n` (a centred line break in a label).
pub(super) fn dot_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for inside a quoted Mermaid label: entity codes for the characters
/// Mermaid or Markdown would interpret, `<br/>` for line breaks.
pub(super) fn mermaid_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            '\n' => out.push_str("<br/>"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Mermaid node name for `id`: `ci_` and the id with every character
/// outside `[A-Za-z0-9_]` replaced by `_`, with a numeric suffix when two ids
/// reduce to the same name.
fn mermaid_name(id: &str, used: &mut HashSet<String>) -> String {
    let base: String = std::iter::once("ci_".to_owned())
        .chain(id.chars().map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_string()
            } else {
                "_".to_owned()
            }
        }))
        .collect();
    let mut name = base.clone();
    let mut n = 2;
    while used.contains(&name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    used.insert(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_strings_are_escaped() {
        assert_eq!(dot_quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(dot_quote("two\nlines"), r#""two\nlines""#);
    }

    #[test]
    fn mermaid_names_are_safe_and_unique() {
        let mut used = HashSet::new();
        assert_eq!(mermaid_name("web-01", &mut used), "ci_web_01");
        assert_eq!(mermaid_name("web.01", &mut used), "ci_web_01_2");
        assert_eq!(mermaid_name("end", &mut used), "ci_end");
        assert_eq!(
            mermaid_escape("a \"b\" <c> #1"),
            "a #quot;b#quot; #lt;c#gt; #35;1"
        );
    }
}
