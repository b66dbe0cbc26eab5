//! CMDB graph benchmark: builds an in-memory CMDB of 50,000 CIs and 200,000
//! relations (deterministic: a linear congruential generator, no `rand`),
//! then times graph construction and impact analysis of a low-level CI.
//!
//! ```text
//! cargo run --release --example cmdb_bench [CIS] [RELATIONS]
//! cargo run --release --example cmdb_bench [CIS] [RELATIONS] --write DIR
//! ```
//!
//! With `--write DIR` it writes the same CMDB as a managed repository
//! (`DIR/gitsm.yaml`, `DIR/cis/ci-NNNNNN.yaml`) instead, for timing
//! `gitsm impact` end to end.

use std::time::{Duration, Instant};

use gitsm::cmdb::{self, CmdbGraph};
use gitsm::config::Config;
use gitsm::model::Ci;
use gitsm::records::Loaded;

#[path = "common/lcg.rs"]
mod lcg;
use lcg::Lcg;

/// Layers from the top: (class, share of the CIs, relation to the next layers).
const LAYERS: &[(&str, usize, &str)] = &[
    ("service", 2, "depends_on"),
    ("application", 18, "depends_on"),
    ("database", 10, "runs_on"),
    ("virtual_machine", 40, "hosted_on"),
    ("server", 20, "connected_to"),
    ("network_device", 10, "connected_to"),
];

fn build(n: usize, relations: usize) -> Vec<Ci> {
    let total: usize = LAYERS.iter().map(|l| l.1).sum();
    let mut class_of = Vec::with_capacity(n);
    for (li, (_, share, _)) in LAYERS.iter().enumerate() {
        let count = n * share / total;
        class_of.extend(std::iter::repeat_n(li, count));
    }
    while class_of.len() < n {
        class_of.push(LAYERS.len() - 1);
    }
    let mut cis: Vec<Ci> = (0..n)
        .map(|i| {
            Ci::new(
                format!("ci-{i:06}"),
                format!("CI {i}"),
                LAYERS[class_of[i]].0,
                "active",
            )
        })
        .collect();
    // Each relation goes from a CI to one further down (a DAG, as a real
    // CMDB is), preferring the next layers.
    let mut rng = Lcg(42);
    for _ in 0..relations {
        let from = rng.below(n - 1);
        let span = (n - 1 - from).min(n / 5);
        let to = from + 1 + rng.below(span);
        let relation = LAYERS[class_of[from]].2;
        cis[from]
            .relations
            .entry(relation.to_owned())
            .or_default()
            .push(format!("ci-{to:06}"));
    }
    cis
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(f());
        times.push(start.elapsed());
    }
    match last {
        Some(v) => (median(times), v),
        None => (Duration::ZERO, f()),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// Write `cis` as record files of a managed repository at `root`.
fn write_repo(root: &std::path::Path, cis: &[Ci]) -> std::io::Result<()> {
    use std::fmt::Write as _;
    std::fs::create_dir_all(root.join("cis"))?;
    std::fs::write(root.join("gitsm.yaml"), "ids:\n  layout: flat\n")?;
    for ci in cis {
        let mut text = format!(
            "id: {}\nname: {}\nclass: {}\nstatus: {}\nowner: ops@example.com\n",
            ci.id, ci.name, ci.class, ci.status
        );
        if !ci.relations.is_empty() {
            text.push_str("relations:\n");
            for (relation, targets) in &ci.relations {
                let _ = writeln!(text, "  {relation}: [{}]", targets.join(", "));
            }
        }
        std::fs::write(root.join("cis").join(format!("{}.yaml", ci.id)), text)?;
    }
    Ok(())
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let write_to = args.iter().position(|a| a == "--write").map(|i| {
        let dir = args.get(i + 1).cloned().unwrap_or_default();
        args.drain(i..(i + 2).min(args.len()));
        dir
    });
    let mut args = args.into_iter();
    let n: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(50_000)
        .max(2);
    let relations: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let config = Config::default();
    let cis = build(n, relations);
    if let Some(dir) = write_to {
        if let Err(e) = write_repo(std::path::Path::new(&dir), &cis) {
            eprintln!("cmdb_bench: cannot write {dir}: {e}");
            std::process::exit(1);
        }
        println!("wrote {} CIs to {dir}", cis.len());
        return;
    }
    let runs = 7;

    let (t_build, graph) = time(runs, || CmdbGraph::new(&config.ci, &cis));
    let empty = Loaded::default();
    // The first server (the bottom of the impact-propagating layers), a
    // database and an application.
    let targets = [n * 70 / 100, n * 25 / 100, n * 10 / 100];
    let mut rows = Vec::new();
    for &t in &targets {
        let (t_bfs, reached) = time(runs, || graph.dependents(&[t]));
        let (t_full, impact) = time(runs, || cmdb::impact(&graph, &config, &empty, &[t], None));
        rows.push((t, t_bfs, reached.len(), t_full, impact));
    }
    let server = targets[0];
    let (t_hood, hood) = time(runs, || graph.neighbourhood(&[server], 2));
    let (t_dot, dot) = time(3, || graph.neighbourhood(&[], 0).to_dot());

    println!(
        "CMDB: {} CIs, {} relations ({} resolved), median of {runs} runs\n",
        graph.len(),
        relations,
        graph.edge_count()
    );
    println!("| operation | time | result |");
    println!("|---|---:|---|");
    println!(
        "| build graph (index + both adjacencies) | {} | {} CIs |",
        ms(t_build),
        graph.len()
    );
    for (t, t_bfs, count, t_full, impact) in &rows {
        let ci = graph.ci(*t);
        println!(
            "| dependents of `{}` ({}), search only | {} | {count} CIs |",
            ci.id,
            ci.class,
            ms(*t_bfs)
        );
        println!(
            "| impact of `{}` ({}): dependents grouped, dependencies, tickets | {} | {} dependents, {} services, {} dependencies |",
            ci.id,
            ci.class,
            ms(*t_full),
            impact.dependent_count(),
            impact.services.len(),
            impact.dependencies.len()
        );
    }
    println!(
        "| neighbourhood of `{}`, depth 2 | {} | {} CIs, {} relations |",
        graph.ci(server).id,
        ms(t_hood),
        hood.nodes.len(),
        hood.edges.len()
    );
    println!(
        "| whole CMDB as DOT | {} | {} bytes |",
        ms(t_dot),
        dot.len()
    );
}
