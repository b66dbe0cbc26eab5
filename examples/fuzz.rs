//! Long fuzz runs: `cargo run --release --example fuzz -- [OPTIONS]`
//! (`bash bench/fuzz.sh` wraps it). Runs the harness of
//! `tests/fuzz/harness.rs` on `--jobs` threads, each from its own seed,
//! for `--seconds` or `--executions`, and prints executions per second and
//! findings. Besides panics and broken properties, an input slower than
//! `--slow-ms` (twice: once in the run, once replayed alone) and a process
//! above `--max-rss-mb` are findings.
//! Each finding's input is written to `--findings DIR`.
//!
//!   --seconds N       stop after N seconds (default 60)
//!   --executions N    stop after N executions in all (instead)
//!   --seed S          first seed (default 1); thread i uses S + i
//!   --jobs J          threads (default: the cores)
//!   --corpus DIR      seeds (default example-repo)
//!   --findings DIR    where inputs of findings go (default target/fuzz-findings)

#[path = "../tests/fuzz/harness.rs"]
mod harness;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness::{Finding, Fuzzer, Seeds, Stats};

struct Options {
    seconds: u64,
    executions: Option<u64>,
    seed: u64,
    jobs: usize,
    corpus: PathBuf,
    findings: PathBuf,
    slow_ms: u128,
    max_rss_mb: u64,
}

fn options() -> Options {
    let mut o = Options {
        seconds: 60,
        executions: None,
        seed: 1,
        jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        corpus: PathBuf::from("example-repo"),
        findings: PathBuf::from("target/fuzz-findings"),
        slow_ms: 2_000,
        max_rss_mb: 1_024,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        let number = || value.parse::<u64>().unwrap_or_else(|_| usage(&args[i]));
        match args[i].as_str() {
            "--seconds" => o.seconds = number(),
            "--executions" => o.executions = Some(number()),
            "--seed" => o.seed = number(),
            "--jobs" => o.jobs = number().max(1) as usize,
            "--corpus" => o.corpus = PathBuf::from(&value),
            "--findings" => o.findings = PathBuf::from(&value),
            "--slow-ms" => o.slow_ms = u128::from(number()),
            "--max-rss-mb" => o.max_rss_mb = number(),
            other => usage(other),
        }
        i += 2;
    }
    o
}

fn usage(arg: &str) -> ! {
    eprintln!("fuzz: bad argument `{arg}` (see the top of examples/fuzz.rs)");
    std::process::exit(2);
}

/// Resident memory of this process in MB (Linux; 0 elsewhere).
fn rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096 / (1024 * 1024))
}

fn main() {
    let o = options();
    let seeds = Seeds::from_example(&o.corpus);
    if seeds.records.is_empty() {
        eprintln!("fuzz: no records under {}", o.corpus.display());
        std::process::exit(2);
    }
    harness::quiet_panics();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(o.seconds);
    let done = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let peak_rss = AtomicU64::new(0);
    let findings: Arc<Mutex<Vec<Finding>>> = Arc::new(Mutex::new(Vec::new()));
    let totals = Mutex::new(Stats::default());
    std::thread::scope(|scope| {
        for job in 0..o.jobs {
            let seeds = seeds.clone();
            let (done, stop, findings, totals, peak_rss) =
                (&done, &stop, &findings, &totals, &peak_rss);
            let o = &o;
            scope.spawn(move || {
                let mut fuzzer = Fuzzer::new(o.seed + job as u64, seeds);
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    let mut finding = fuzzer.step();
                    let took = t.elapsed().as_millis();
                    if finding.is_none() && took > o.slow_ms {
                        // Slow again on its own, or only on a busy machine?
                        let t = Instant::now();
                        let input = fuzzer.replay_last().unwrap_or_default();
                        let again = t.elapsed().as_millis();
                        if again > o.slow_ms {
                            finding = Some(Finding {
                                what: format!("slow: {took} ms, then {again} ms for one input"),
                                input,
                            });
                        }
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if n.is_multiple_of(1_000) {
                        let rss = rss_mb();
                        peak_rss.fetch_max(rss, Ordering::Relaxed);
                        if rss > o.max_rss_mb {
                            finding = Some(Finding {
                                what: format!("memory: {rss} MB resident"),
                                input: Vec::new(),
                            });
                        }
                        if n.is_multiple_of(100_000) {
                            let secs = started.elapsed().as_secs_f64();
                            eprintln!("{n} executions, {:.0}/s", n as f64 / secs);
                        }
                    }
                    if let Some(f) = finding {
                        eprintln!("finding: {}", f.what);
                        if let Ok(mut all) = findings.lock() {
                            all.push(f);
                        }
                    }
                    let enough = o
                        .executions
                        .map_or(Instant::now() >= deadline, |max| n >= max);
                    if enough {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
                if let Ok(mut t) = totals.lock() {
                    t.add(&fuzzer.stats);
                }
            });
        }
    });
    let secs = started.elapsed().as_secs_f64();
    let totals = totals.into_inner().unwrap_or_default();
    let findings = findings.lock().map(|f| f.clone()).unwrap_or_default();
    if !findings.is_empty() {
        let _ = std::fs::create_dir_all(&o.findings);
        for (i, f) in findings.iter().enumerate() {
            let path = o.findings.join(format!("finding-{i}.txt"));
            let mut text = format!("{}\n--- input ---\n", f.what).into_bytes();
            text.extend_from_slice(&f.input);
            let _ = std::fs::write(path, text);
        }
    }
    println!("executions: {}", totals.executions);
    println!("seconds: {secs:.0}");
    println!(
        "executions per second: {:.0}",
        totals.executions as f64 / secs.max(0.001)
    );
    println!(
        "reached: {} parsed, {} typed records, {} edits made, {} configs read, {} clocks read, {} datasets reported and rendered",
        totals.parsed,
        totals.typed,
        totals.edits_made,
        totals.configs_read,
        totals.clocks_read,
        totals.datasets
    );
    println!(
        "peak resident memory: {} MB",
        peak_rss.load(Ordering::Relaxed)
    );
    println!("findings: {}", findings.len());
    if !findings.is_empty() {
        println!("inputs written to {}", o.findings.display());
        std::process::exit(1);
    }
}
