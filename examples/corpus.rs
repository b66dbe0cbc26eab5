//! Corpus generator for benchmarks: a managed repository of N valid ticket
//! records (70% incidents, 10% problems, 10% changes, 10% requests) and
//! N/20 CIs, deterministic (a linear congruential generator, no `rand`).
//!
//! ```text
//! cargo run --release --example corpus -- DIR RECORDS [flat|by_year]
//! ```
//!
//! `by_year` spreads tickets over year folders 2019–2026 (`incidents/2024/…`).
//! The records reference each other (incidents name CIs and problems,
//! problems name their fix changes, CIs depend on CIs), so reference checks
//! have real work to do.

use std::fmt::Write as _;
use std::path::Path;

#[path = "common/lcg.rs"]
mod lcg;
use lcg::Lcg;

const LEVELS: [&str; 3] = ["high", "medium", "low"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(n)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: corpus DIR RECORDS [flat|by_year]");
        std::process::exit(2);
    };
    let by_year = args.get(2).is_some_and(|l| l == "by_year");
    let root = Path::new(dir);
    if let Err(e) = write_corpus(root, n, by_year) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    println!(
        "wrote {n} tickets and {} CIs to {}",
        cis_for(n),
        root.display()
    );
}

fn cis_for(n: usize) -> usize {
    (n / 20).max(10)
}

fn write_corpus(root: &Path, n: usize, by_year: bool) -> std::io::Result<()> {
    let layout = if by_year { "by_year" } else { "flat" };
    write(
        root,
        "gitsm.yaml",
        &format!("ids:\n  layout: {layout}\ncategories: [network, hardware, software, access]\n"),
    )?;
    let mut rng = Lcg(42);
    let cis = cis_for(n);
    for i in 0..cis {
        let mut text = format!(
            "id: ci-{i:06}\nname: CI {i}\nclass: {}\nstatus: active\nowner: ops@example.com\n",
            if i < cis / 10 {
                "service"
            } else {
                "application"
            }
        );
        // Depend on CIs with a higher number: no cycles.
        if i + 1 < cis {
            let _ = write!(
                text,
                "relations:\n  depends_on: [ci-{:06}]\n",
                i + 1 + rng.below(cis - i - 1)
            );
        }
        write(root, &format!("cis/ci-{i:06}.yaml"), &text)?;
    }
    let counts = [
        ("incidents", "INC", n * 7 / 10),
        ("problems", "PRB", n / 10),
        ("changes", "CHG", n / 10),
        ("requests", "REQ", n - n * 7 / 10 - 2 * (n / 10)),
    ];
    let problems = counts[1].2.max(1);
    let changes = counts[2].2.max(1);
    for (folder, prefix, count) in counts {
        for i in 1..=count {
            let year = if by_year {
                2019 + (i * 8 / (count + 1))
            } else {
                2026
            };
            let id = format!("{prefix}-{i:06}");
            let created = format!(
                "{year}-{:02}-{:02}T{:02}:00:00+01:00",
                1 + rng.below(11),
                1 + rng.below(28),
                8 + rng.below(10)
            );
            let text = match prefix {
                "INC" => format!(
                    "id: {id}\ntitle: Incident {i}\nstatus: new\ncreated_at: {created}\nreported_by: user{}@example.com\nimpact: {}\nurgency: {}\ncategory: network\naffected_cis: [ci-{:06}]\nproblem: PRB-{:06}\ndescription: |\n  Users report that the service is slow.\n\n  Seen from several offices.\n",
                    rng.below(500),
                    LEVELS[rng.below(3)],
                    LEVELS[rng.below(3)],
                    rng.below(cis),
                    1 + rng.below(problems)
                ),
                "PRB" => format!(
                    "id: {id}\ntitle: Problem {i}\nstatus: new\ncreated_at: {created}\nreported_by: user{}@example.com\nfix_change: CHG-{:06}\n",
                    rng.below(500),
                    1 + rng.below(changes)
                ),
                "CHG" => format!(
                    "id: {id}\ntitle: Change {i}\ntype: normal\nstatus: new\ncreated_at: {created}\nrequested_by: user{}@example.com\ncis: [ci-{:06}]\n",
                    rng.below(500),
                    rng.below(cis)
                ),
                _ => format!(
                    "id: {id}\ntitle: Request {i}\nstatus: new\ncreated_at: {created}\nrequested_by: user{}@example.com\ncatalog_item: install-application\n",
                    rng.below(500)
                ),
            };
            let rel = if by_year {
                format!("{folder}/{year}/{id}.yaml")
            } else {
                format!("{folder}/{id}.yaml")
            };
            write(root, &rel, &text)?;
        }
    }
    Ok(())
}

fn write(root: &Path, rel: &str, text: &str) -> std::io::Result<()> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}
