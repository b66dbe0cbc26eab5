//! The code's layout, as CONTRIBUTING.md states it: the crates depend on
//! each other along the data flow (Cargo refuses a cycle; this holds which
//! crate may use which), and within the domain crate the top-level modules
//! depend on each other without a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Each top-level module of the domain crate (`crates/gitsm-core/src/`)
/// and the top-level modules it names as `crate::<module>` outside
/// comments and test modules.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = workspace().join("crates/gitsm-core/src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.expect("walk src");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).expect("under src");
        let first = rel.iter().next().expect("a component").to_string_lossy();
        let module = first.trim_end_matches(".rs").to_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        // Test modules may use anything: inline, or a file of their own.
        if rel.iter().any(|c| c == "tests" || c == "tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("read");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let uses = graph.entry(module.clone()).or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (i, _) in line.match_indices("crate::") {
                let name: String = line[i + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                    .collect();
                if !name.is_empty() && name != module {
                    uses.insert(name);
                }
            }
        }
    }
    graph
}

/// A cycle through `start`, if there is one.
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn visit(
        graph: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flatten() {
            if next == start {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if visit(graph, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_owned()];
    visit(graph, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn the_modules_depend_on_each_other_without_a_cycle() {
    let graph = module_graph();
    assert!(graph.contains_key("dataset") && graph.contains_key("records"));
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_from(&graph, m))
        .map(|c| c.join(" → "))
        .collect();
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

/// The `gitsm*` crates a crate's Cargo.toml depends on (normal
/// dependencies: tests may use more).
fn internal_dependencies(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).expect("Cargo.toml");
    let mut in_dependencies = false;
    let mut found = BTreeSet::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
        } else if in_dependencies && line.starts_with("gitsm") {
            let name: String = line
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            found.insert(name);
        }
    }
    found
}

#[test]
fn the_crates_follow_the_data_flow() {
    // YAML and Git know nothing of ITSM; the domain builds on both; the
    // site renders what the domain computes; the command line drives all.
    let expected: [(&str, &[&str]); 5] = [
        ("crates/gitsm-yaml", &[]),
        ("crates/gitsm-git", &[]),
        ("crates/gitsm-core", &["gitsm-git", "gitsm-yaml"]),
        ("crates/gitsm-site", &["gitsm-core"]),
        (".", &["gitsm-core", "gitsm-site"]),
    ];
    for (dir, uses) in expected {
        let found = internal_dependencies(&workspace().join(dir).join("Cargo.toml"));
        let uses: BTreeSet<String> = uses.iter().map(|u| (*u).to_owned()).collect();
        assert_eq!(found, uses, "{dir}/Cargo.toml");
    }
    // No crate but the command line knows clap or a terminal.
    for dir in [
        "crates/gitsm-yaml",
        "crates/gitsm-git",
        "crates/gitsm-core",
        "crates/gitsm-site",
    ] {
        let text = std::fs::read_to_string(workspace().join(dir).join("Cargo.toml")).expect("read");
        for cli_only in ["clap", "anstream", "anstyle", "indicatif"] {
            assert!(
                !text.lines().any(|l| l.starts_with(&format!("{cli_only}."))),
                "{dir} depends on {cli_only}"
            );
        }
    }
}

#[test]
fn the_config_keys_and_the_loader_are_leaves_of_the_policy() {
    let graph = module_graph();
    // The plain keys know nothing of what is built from them, and reading
    // records runs no check.
    for (module, forbidden) in [
        ("config", ["policy", "schema", "workflow", "checks"]),
        ("records", ["checks", "policy", "dataset", "report"]),
    ] {
        let uses = &graph[module];
        for f in forbidden {
            assert!(!uses.contains(f), "{module} uses {f}");
        }
    }
}

#[test]
fn every_code_a_diagnostic_names_has_a_rule() {
    // Codes written as the first argument of `error(` / `warning(`.
    let mut missing = BTreeSet::new();
    let mut seen = 0;
    let sources = [workspace().join("src"), workspace().join("crates")];
    for entry in sources.iter().flat_map(walkdir::WalkDir::new) {
        let entry = entry.expect("walk src");
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("read");
        for call in ["error(", "warning("] {
            for (i, _) in text.match_indices(call) {
                let rest = text[i + call.len()..].trim_start();
                let Some(quoted) = rest.strip_prefix('"') else {
                    continue;
                };
                let code: String = quoted.chars().take_while(|&c| c != '"').collect();
                if code.is_empty() || !code.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                    continue;
                }
                seen += 1;
                if gitsm::rules::of(&code).is_none() {
                    missing.insert(code);
                }
            }
        }
    }
    assert!(
        seen > 50,
        "only {seen} codes found: is the scan still right?"
    );
    assert!(
        missing.is_empty(),
        "codes without a rule in crates/gitsm-core/src/rules.rs: {missing:?}"
    );
}
