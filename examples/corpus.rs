//! Corpus generator for benchmarks: a managed repository of N valid ticket
//! records (70% incidents, 10% problems, 10% changes, 10% requests) and
//! N/20 CIs, deterministic (a linear congruential generator, no `rand`).
//!
//! ```text
//! cargo run --release --example corpus -- DIR RECORDS [flat|by_year] [--commits M [--per-commit K]]
//! ```
//!
//! `by_year` spreads tickets over year folders 2019–2026 (`incidents/2024/…`).
//! The records reference each other (incidents name CIs and problems,
//! problems name their fix changes, CIs depend on CIs), so reference checks
//! have real work to do.
//!
//! With `--commits M`, DIR becomes a Git repository (written with
//! `git fast-import`, 20 seconds between commits from 2026-11-29): one commit
//! of the whole corpus, three commits in which two CAB members approve
//! `CHG-000001` and it is scheduled (so `gitsm gate --change CHG-000001`
//! passes), then M − 4 commits that each move K incidents (default 2) one
//! step along their workflow: batches of 100 are taken up (`in_progress`,
//! with an assignee and `acknowledged_at`), then resolved, then closed, as a
//! service desk works through a queue. Every commit passes
//! `gitsm validate --range`.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

#[path = "common/lcg.rs"]
mod lcg;
use lcg::Lcg;

const LEVELS: [&str; 3] = ["high", "medium", "low"];
/// 2026-11-29T00:00:00+01:00: after every generated `created_at`.
const HISTORY_START: i64 = 1_795_906_800;
const SECONDS_BETWEEN_COMMITS: i64 = 20;
/// Incidents taken up, resolved and closed together.
const QUEUE: usize = 100;

struct Options {
    dir: String,
    records: usize,
    by_year: bool,
    commits: Option<usize>,
    per_commit: usize,
}

fn main() {
    let Some(options) = parse_args(std::env::args().skip(1).collect()) else {
        eprintln!("usage: corpus DIR RECORDS [flat|by_year] [--commits M [--per-commit K]]");
        std::process::exit(2);
    };
    let corpus = Corpus::generate(options.records, options.by_year);
    let root = Path::new(&options.dir);
    let written = match options.commits {
        None => corpus.write_files(root),
        Some(commits) => corpus.write_history(root, commits.max(4), options.per_commit),
    };
    if let Err(e) = written {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    println!(
        "wrote {} tickets and {} CIs to {}{}",
        options.records,
        cis_for(options.records),
        root.display(),
        options
            .commits
            .map(|m| format!(" ({} commits)", m.max(4)))
            .unwrap_or_default()
    );
}

fn parse_args(args: Vec<String>) -> Option<Options> {
    let mut positional = Vec::new();
    let mut commits = None;
    let mut per_commit = 2;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--commits" => commits = Some(args.next()?.parse().ok()?),
            "--per-commit" => per_commit = args.next()?.parse().ok()?,
            _ => positional.push(arg),
        }
    }
    let mut positional = positional.into_iter();
    let dir = positional.next()?;
    let records = positional.next()?.parse().ok()?;
    let by_year = match positional.next().as_deref() {
        None | Some("flat") => false,
        Some("by_year") => true,
        Some(_) => return None,
    };
    Some(Options {
        dir,
        records,
        by_year,
        commits,
        per_commit: per_commit.max(1),
    })
}

fn cis_for(n: usize) -> usize {
    (n / 20).max(10)
}

/// The corpus in memory: every file's path and text, incidents separately
/// (the history edits them).
struct Corpus {
    config: String,
    files: Vec<(String, String)>,
    /// Path and text (status `new`) of every incident.
    incidents: Vec<(String, String)>,
}

impl Corpus {
    fn generate(n: usize, by_year: bool) -> Corpus {
        let layout = if by_year { "by_year" } else { "flat" };
        let config = format!(
            "ids:\n  layout: {layout}\ncategories: [network, hardware, software, access]\n"
        );
        let mut files = Vec::new();
        let mut incidents = Vec::new();
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
            files.push((format!("cis/ci-{i:06}.yaml"), text));
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
                let path = if by_year {
                    format!("{folder}/{year}/{id}.yaml")
                } else {
                    format!("{folder}/{id}.yaml")
                };
                if prefix == "INC" {
                    incidents.push((path, text));
                } else {
                    files.push((path, text));
                }
            }
        }
        Corpus {
            config,
            files,
            incidents,
        }
    }

    fn write_files(&self, root: &Path) -> std::io::Result<()> {
        write(root, "gitsm.yaml", &self.config)?;
        for (path, text) in self.files.iter().chain(&self.incidents) {
            write(root, path, text)?;
        }
        Ok(())
    }

    /// A repository of `commits` commits (see the module comment), written
    /// by `git fast-import`, with the last commit checked out.
    fn write_history(&self, root: &Path, commits: usize, per_commit: usize) -> std::io::Result<()> {
        std::fs::create_dir_all(root)?;
        git(root, &["init", "-q", "-b", "main"])?;
        git(root, &["config", "gc.auto", "0"])?;
        let mut import = Command::new("git")
            .args(["fast-import", "--quiet"])
            .current_dir(root)
            .stdin(Stdio::piped())
            .spawn()?;
        let stdin = import.stdin.take().expect("piped stdin");
        let mut out = std::io::BufWriter::new(stdin);
        let mut when = HISTORY_START;
        let (change_path, change) = self.approved_change();
        let config = format!("{}{PEOPLE}", self.config);
        let mut first: Vec<(&str, String)> = vec![("gitsm.yaml", config)];
        first.extend(self.files.iter().map(|(p, t)| (p.as_str(), t.clone())));
        first.extend(self.incidents.iter().map(|(p, t)| (p.as_str(), t.clone())));
        first.push((change_path, change[0].clone()));
        commit(&mut out, "rita", when, "corpus", &first)?;
        for (who, text) in [
            ("carol", &change[1]),
            ("dave", &change[2]),
            ("rita", &change[3]),
        ] {
            when += SECONDS_BETWEEN_COMMITS;
            commit(
                &mut out,
                who,
                when,
                "CHG-000001",
                &[(change_path, text.clone())],
            )?;
        }
        let mut touch = 0;
        for _ in 4..commits {
            when += SECONDS_BETWEEN_COMMITS;
            let mut edits = Vec::with_capacity(per_commit);
            for _ in 0..per_commit {
                // Touch t: a queue of QUEUE incidents, taken up, then
                // resolved, then closed; then the next queue.
                let queue = touch / (3 * QUEUE);
                let step = touch / QUEUE % 3;
                let i = (queue * QUEUE + touch % QUEUE) % self.incidents.len().max(1);
                touch += 1;
                if let Some((path, base)) = self.incidents.get(i) {
                    edits.push((
                        path.as_str(),
                        incident_at(base, i % 7, step, when, per_commit),
                    ));
                }
            }
            commit(&mut out, "rita", when, "work the queue", &edits)?;
        }
        drop(out);
        let status = import.wait()?;
        if !status.success() {
            return Err(std::io::Error::other("git fast-import failed"));
        }
        git(root, &["reset", "-q", "--hard", "main"])
    }

    /// `CHG-000001` as a normal change awaiting authorisation, then with one
    /// and two CAB approvals, then scheduled.
    fn approved_change(&self) -> (&str, [String; 4]) {
        let path = self
            .files
            .iter()
            .find(|(p, _)| p.ends_with("CHG-000001.yaml"))
            .map_or("changes/CHG-000001.yaml", |(p, _)| p.as_str());
        let change = |status: &str, approvals: &str| {
            format!(
                "id: CHG-000001\ntitle: Upgrade payments API\ntype: normal\nstatus: {status}\ncreated_at: 2019-01-02T09:00:00+01:00\nrequested_by: rita\nrisk: medium\nimpact: medium\nwindow:\n  start: 2027-01-10T20:00:00+01:00\n  end: 2027-01-10T23:00:00+01:00\nimplementation_plan: Deploy.\nbackout_plan: Roll back.\ntest_plan: Smoke tests.\nrelease: [payments-api@2.4.0]\n{approvals}"
            )
        };
        let carol = "approvals:\n  - by: carol\n    decision: approved\n    at: 2026-11-29T00:00:20+01:00\n";
        let dave = "  - by: dave\n    decision: approved\n    at: 2026-11-29T00:00:40+01:00\n";
        (
            path,
            [
                change("authorize", ""),
                change("authorize", carol),
                change("authorize", &format!("{carol}{dave}")),
                change("scheduled", &format!("{carol}{dave}")),
            ],
        )
    }
}

const PEOPLE: &str = "people:\n  rita: { name: Rita, emails: [rita@example.com] }\n  carol: { name: Carol, emails: [carol@example.com] }\n  dave: { name: Dave, emails: [dave@example.com] }\ngroups:\n  cab: [carol, dave]\n";

/// An incident after `step` (0: taken up, 1: resolved, 2: closed), the
/// latest step stamped `when`, the earlier ones a queue's worth of commits
/// apart.
fn incident_at(base: &str, agent: usize, step: usize, when: i64, per_commit: usize) -> String {
    let stamp = |t: i64| timestamp(t);
    let apart = SECONDS_BETWEEN_COMMITS * QUEUE.div_ceil(per_commit) as i64;
    let taken = when - apart * step as i64;
    let status = ["in_progress", "resolved", "closed"][step];
    let mut text = base.replacen("status: new", &format!("status: {status}"), 1);
    let _ = write!(
        text,
        "assignee: agent{agent}@example.com\nacknowledged_at: {}\n",
        stamp(taken)
    );
    if step >= 1 {
        let resolved = if step == 1 { when } else { when - apart };
        let _ = write!(
            text,
            "resolved_at: {}\nresolution:\n  code: fixed\n  notes: Restarted the service.\n",
            stamp(resolved)
        );
    }
    if step == 2 {
        let _ = writeln!(text, "closed_at: {}", stamp(when));
    }
    text
}

/// `2026-11-29T00:00:20+01:00` for seconds since the epoch (UTC+1, no
/// calendar crate: days from the civil date algorithm).
fn timestamp(t: i64) -> String {
    let local = t + 3600;
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year}-{month:02}-{day:02}T{:02}:{:02}:{:02}+01:00",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn commit(
    out: &mut impl std::io::Write,
    who: &str,
    when: i64,
    message: &str,
    files: &[(&str, String)],
) -> std::io::Result<()> {
    writeln!(out, "commit refs/heads/main")?;
    writeln!(out, "author {who} <{who}@example.com> {when} +0100")?;
    writeln!(out, "committer {who} <{who}@example.com> {when} +0100")?;
    data(out, message)?;
    for (path, text) in files {
        writeln!(out, "M 100644 inline {path}")?;
        data(out, text)?;
    }
    writeln!(out)
}

fn data(out: &mut impl std::io::Write, text: &str) -> std::io::Result<()> {
    writeln!(out, "data {}", text.len())?;
    out.write_all(text.as_bytes())?;
    writeln!(out)
}

fn git(root: &Path, args: &[&str]) -> std::io::Result<()> {
    let status = Command::new("git").args(args).current_dir(root).status()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "git {} failed",
            args.join(" ")
        )))
    }
}

fn write(root: &Path, rel: &str, text: &str) -> std::io::Result<()> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}
