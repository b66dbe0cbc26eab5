//! A bounded pass of the fuzzer (`tests/fuzz/harness.rs`) on every CI run:
//! a fixed number of executions from fixed seeds, so the run is the same
//! on every machine. Long runs are `bash bench/fuzz.sh` (RELIABILITY.md).

#[path = "../fuzz/harness.rs"]
#[allow(dead_code)] // shared with examples/fuzz.rs, which uses all of it
mod harness;

use std::path::Path;

use harness::{Fuzzer, Seeds, Stats};

/// Executions per seed; two seeds.
const EXECUTIONS: u64 = 6_000;

#[test]
fn a_bounded_fuzz_pass_finds_nothing_and_reaches_every_stage() {
    let seeds = Seeds::from_example(&Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo"));
    assert!(
        seeds.records.len() > 40,
        "the example repository's records are the seeds"
    );
    // Panics are findings, caught and reported below, not printed.
    harness::quiet_panics();
    let mut total = Stats::default();
    let mut findings = Vec::new();
    for seed in [1, 2] {
        let mut fuzzer = Fuzzer::new(seed, seeds.clone());
        for _ in 0..EXECUTIONS {
            if let Some(f) = fuzzer.step() {
                findings.push(f);
            }
        }
        total.add(&fuzzer.stats);
    }
    let _ = std::panic::take_hook();
    let shown: Vec<String> = findings
        .iter()
        .take(5)
        .map(|f| {
            format!(
                "{}\n--- input ---\n{}",
                f.what,
                String::from_utf8_lossy(&f.input)
            )
        })
        .collect();
    assert!(
        findings.is_empty(),
        "{} findings:\n{}",
        findings.len(),
        shown.join("\n\n")
    );
    // The generator gets past the parser into every stage.
    assert_eq!(total.executions, 2 * EXECUTIONS);
    assert!(total.typed > total.executions / 20, "{total:?}");
    assert!(total.edits_made > total.executions / 20, "{total:?}");
    assert!(total.configs_read > 0, "{total:?}");
    assert!(total.clocks_read > 0, "{total:?}");
    assert!(total.datasets >= 5, "{total:?}");
}
