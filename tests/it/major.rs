//! Major incidents: a commander from `in_progress` on, a communications
//! update from `resolved` on and a post-incident review to close, refused
//! by `validate` and by the pre-commit hook on a real commit; `note
//! --update` appends to the log, which is never edited; the report's
//! figures (duration, time to commander, review overdue) computed by hand;
//! the site's banner while one is open and its timeline page.

use crate::common;
use crate::site::{files_below, local_targets, read_page, resolve};

use common::Repo;

/// A major incident in `new`.
const MAJOR: &str = "\
id: INC-0001
title: Payments down
status: new
created_at: 2026-11-20T09:00:00+01:00
reported_by: someone@example.com
impact: high
urgency: high
major: true
";

fn read(repo: &Repo, rel: &str) -> String {
    std::fs::read_to_string(repo.path(rel)).expect("read record")
}

/// `MAJOR` in `status` with `extra` fields.
fn major_in(status: &str, extra: &str) -> String {
    format!(
        "{}{extra}",
        MAJOR.replace("status: new", &format!("status: {status}"))
    )
}

const WORKED: &str = "assignee: someone@example.com\nacknowledged_at: 2026-11-20T09:05:00+01:00\n";
const COMMANDED: &str = "commander: someone@example.com\ncommander_at: 2026-11-20T09:10:00+01:00\n";
const RESOLVED: &str = "\
resolved_at: 2026-11-20T11:00:00+01:00
resolution:
  code: fixed
  notes: Restarted the pool.
";
const UPDATED: &str = "\
updates:
  - at: 2026-11-20T09:30:00+01:00
    by: someone@example.com
    audience: customers
    text: Card payments fail; next update at 10:00.
";
const REVIEWED: &str = "\
review:
  at: 2026-11-21T09:00:00+01:00
  by: someone@example.com
  summary: The pool ran dry at the peak.
  actions:
    - text: Size the pool for the peak
      owner: someone@example.com
      due: 2026-12-01
";

#[test]
fn validate_refuses_a_major_incident_short_of_what_its_state_requires() {
    let repo = Repo::new();
    let rel = "incidents/INC-0001.yaml";
    // in_progress: a commander.
    repo.write(rel, major_in("in_progress", WORKED));
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("state `in_progress` of a major incident requires `commander`")
        .stderr_has("incidents/INC-0001.yaml:3:9");
    repo.write(
        rel,
        major_in("in_progress", &format!("{WORKED}{COMMANDED}")),
    );
    repo.run(["validate"]).expect_code(0);
    // The same incident, not major, needs no commander.
    repo.write(
        rel,
        major_in("in_progress", WORKED).replace("major: true\n", ""),
    );
    repo.run(["validate"]).expect_code(0);
    // resolved: an update.
    let resolved = format!("{WORKED}{COMMANDED}{RESOLVED}");
    repo.write(rel, major_in("resolved", &resolved));
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("state `resolved` of a major incident requires `updates`")
        .stderr_has("gitsm note INC-0001 --update");
    repo.write(rel, major_in("resolved", &format!("{resolved}{UPDATED}")));
    repo.run(["validate"]).expect_code(0);
    // closed: the review.
    let closed = format!("{resolved}{UPDATED}closed_at: 2026-11-21T10:00:00+01:00\n");
    repo.write(rel, major_in("closed", &closed));
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("state `closed` of a major incident requires `review`");
    repo.write(rel, major_in("closed", &format!("{closed}{REVIEWED}")));
    // Valid; the action names no problem: a warning.
    repo.run(["validate"])
        .expect_code(0)
        .stderr_has("warning[review-action-untracked]: review action not tracked by a problem: Size the pool for the peak");
}

#[test]
fn a_priority_the_policy_marks_major_makes_an_incident_major() {
    let repo = Repo::new();
    let rel = "incidents/INC-0001.yaml";
    repo.write(
        rel,
        major_in("in_progress", WORKED).replace("major: true\n", ""),
    );
    repo.run(["validate"]).expect_code(0);
    let config = read(&repo, "gitsm.yaml");
    repo.write(
        "gitsm.yaml",
        format!("{config}\nmajor_incident:\n  priorities: [P1]\n"),
    );
    // high x high is P1: major, so it needs a commander.
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("requires `commander`");
}

#[test]
fn the_pre_commit_hook_holds_a_major_incident_to_its_requirements() {
    let repo = Repo::new();
    let rel = "incidents/INC-0001.yaml";
    repo.write(rel, MAJOR);
    repo.commit("INC-0001 opened", "2026-11-20T09:00:00+01:00");
    repo.run(["hooks", "install"]).expect_code(0);
    let at = "2026-11-21T10:05:00+01:00";

    // Taken up without a commander: the commit is refused.
    repo.write(rel, major_in("in_progress", WORKED));
    let run = repo.try_commit(&["-qam", "work on INC-0001"], at);
    assert_ne!(run.code, 0, "{run}");
    assert!(run.stderr.contains("requires `commander`"), "{run}");
    repo.write(rel, MAJOR);
    // Through gitsm, with the commander: it records when they took charge.
    repo.run([
        "transition",
        "INC-0001",
        "in_progress",
        "--set",
        "assignee=someone@example.com",
        "--set",
        "commander=someone@example.com",
    ])
    .expect_code(0);
    assert!(
        read(&repo, rel).contains("commander_at: 2026-11-21T10:00:00+01:00\n"),
        "{}",
        read(&repo, rel)
    );
    let run = repo.try_commit(&["-qam", "INC-0001 commander"], at);
    assert_eq!(run.code, 0, "{run}");

    // Resolved without telling anyone: refused by gitsm and by the hook.
    let resolve = [
        "transition",
        "INC-0001",
        "resolved",
        "--set",
        "resolution.code=fixed",
        "--set",
        "resolution.notes=Restarted",
    ];
    repo.run(resolve)
        .expect_code(1)
        .stderr_has("requires `updates`")
        .stderr_has("log what was told to whom: `gitsm note INC-0001 --update");
    let taken_up = read(&repo, rel);
    repo.write(
        rel,
        taken_up.replace("status: in_progress", "status: resolved")
            + "resolved_at: 2026-11-21T10:00:00+01:00\nresolution:\n  code: fixed\n  notes: Restarted\n",
    );
    let run = repo.try_commit(&["-qam", "INC-0001 resolved"], at);
    assert_ne!(run.code, 0, "{run}");
    assert!(run.stderr.contains("requires `updates`"), "{run}");
    repo.write(rel, &taken_up);
    repo.run(["note", "INC-0001", "--update", "Payments are back"])
        .expect_code(0);
    repo.run(resolve).expect_code(0);
    let run = repo.try_commit(&["-qam", "INC-0001 resolved"], at);
    assert_eq!(run.code, 0, "{run}");

    // Closed without the review: refused; with it: accepted.
    repo.run(["transition", "INC-0001", "closed"])
        .expect_code(1)
        .stderr_has("requires `review`");
    let resolved = read(&repo, rel);
    repo.write(
        rel,
        resolved.replace("status: resolved", "status: closed")
            + "closed_at: 2026-11-21T10:00:00+01:00\n",
    );
    let run = repo.try_commit(&["-qam", "INC-0001 closed"], at);
    assert_ne!(run.code, 0, "{run}");
    assert!(run.stderr.contains("requires `review`"), "{run}");
    repo.write(
        rel,
        resolved.clone()
            + "review:\n  at: 2026-11-21T10:00:00+01:00\n  by: someone@example.com\n  summary: Pool too small.\n",
    );
    repo.run(["transition", "INC-0001", "closed"])
        .expect_code(0);
    let run = repo.try_commit(&["-qam", "INC-0001 closed"], at);
    assert_eq!(run.code, 0, "{run}");
}

#[test]
fn note_update_appends_to_the_communications_log_in_any_state() {
    let repo = Repo::new();
    let rel = "incidents/INC-0001.yaml";
    let closed = major_in(
        "closed",
        &format!(
            "{WORKED}{COMMANDED}{RESOLVED}{UPDATED}closed_at: 2026-11-21T09:30:00+01:00\n{REVIEWED}"
        ),
    );
    repo.write(rel, &closed);
    repo.commit("INC-0001 closed", "2026-11-21T09:30:00+01:00");
    repo.run(["hooks", "install"]).expect_code(0);
    repo.run([
        "note",
        "INC-0001",
        "--update",
        "--audience",
        "management",
        "Review published",
    ])
    .expect_code(0)
    .stdout_has("INC-0001: update logged");
    let text = read(&repo, rel);
    assert!(
        text.contains(
            "    text: Card payments fail; next update at 10:00.\n  - at: 2026-11-21T10:00:00+01:00\n    by: tester@example.com\n    audience: management\n    text: Review published\n"
        ),
        "{text}"
    );
    // The terminal record took it, and so does the hook.
    let run = repo.try_commit(&["-qam", "update on INC-0001"], "2026-11-21T10:00:00+01:00");
    assert_eq!(run.code, 0, "{run}");
    // Without --audience an update is for everyone.
    repo.run(["note", "INC-0001", "--update", "All clear"])
        .expect_code(0);
    assert!(read(&repo, rel).contains("    audience: all\n    text: All clear\n"));
    // Only incidents keep a communications log.
    repo.write(
        "problems/PRB-0001.yaml",
        "id: PRB-0001\ntitle: Pool\nstatus: new\ncreated_at: 2026-11-20T09:00:00+01:00\nreported_by: someone@example.com\n",
    );
    repo.run(["note", "PRB-0001", "--update", "Hello"])
        .expect_code(2)
        .stderr_has("only incidents keep a communications log");
}

#[test]
fn an_edited_or_removed_update_is_refused_in_history() {
    let repo = Repo::new();
    let rel = "incidents/INC-0001.yaml";
    let resolved = major_in(
        "resolved",
        &format!("{WORKED}{COMMANDED}{RESOLVED}{UPDATED}"),
    );
    repo.write(rel, &resolved);
    let base = repo.commit("INC-0001 resolved", "2026-11-20T11:00:00+01:00");
    // Rewriting what customers were told, after the fact.
    repo.write(
        rel,
        resolved.replace("next update at 10:00.", "all fine, nothing to see."),
    );
    repo.commit("tidy the log", "2026-11-20T12:00:00+01:00");
    repo.run(["validate", "--range", &format!("{base}..HEAD")])
        .expect_code(1)
        .stderr_has("error[updates-append-only]: update 1 was edited; updates are append-only")
        .stderr_has("incidents/INC-0001.yaml:");
    // Dropping it altogether.
    repo.write(
        rel,
        major_in("in_progress", &format!("{WORKED}{COMMANDED}")),
    );
    repo.commit("drop the log", "2026-11-20T12:30:00+01:00");
    repo.run(["validate", "--range", "HEAD~1..HEAD"])
        .expect_code(1)
        .stderr_has("1 of 1 updates were removed; updates are append-only");
}

/// A major incident opened `created`, with a commander at `commander`
/// and resolved at `resolved`; reviewed at `review` when given.
fn timed(id: &str, created: &str, commander: &str, resolved: &str, review: Option<&str>) -> String {
    let mut text = format!(
        "id: {id}\ntitle: Outage {id}\nstatus: resolved\ncreated_at: {created}\nreported_by: someone@example.com\nimpact: high\nurgency: high\nmajor: true\nassignee: someone@example.com\ncommander: someone@example.com\ncommander_at: {commander}\nresolved_at: {resolved}\nresolution:\n  code: fixed\n  notes: Fixed.\n{}",
        UPDATED.replace("2026-11-20T09:30:00+01:00", commander)
    );
    if let Some(at) = review {
        text.push_str(&format!(
            "review:\n  at: {at}\n  by: someone@example.com\n  summary: Learned.\n"
        ));
    }
    text
}

#[test]
fn the_report_lists_major_incidents_with_duration_time_to_commander_and_review() {
    let repo = Repo::new();
    // 09:00 opened, commander 09:45 (45m), resolved 12:30 (3h30m), no
    // review: due 7 days after 12:30 on 2 November, the 9th at 12:30
    // (11:30 UTC), overdue by the 21st.
    repo.write(
        "incidents/INC-0001.yaml",
        timed(
            "INC-0001",
            "2026-11-02T09:00:00+01:00",
            "2026-11-02T09:45:00+01:00",
            "2026-11-02T12:30:00+01:00",
            None,
        ),
    );
    // 10:00 opened, commander 10:05 (5m), resolved the next day 12:00
    // (26h = 1d 2h), reviewed on the 12th.
    repo.write(
        "incidents/INC-0002.yaml",
        timed(
            "INC-0002",
            "2026-11-10T10:00:00+01:00",
            "2026-11-10T10:05:00+01:00",
            "2026-11-11T12:00:00+01:00",
            Some("2026-11-12T15:00:00+01:00"),
        ),
    );
    // Resolved before the period: not listed.
    repo.write(
        "incidents/INC-0003.yaml",
        timed(
            "INC-0003",
            "2026-10-10T10:00:00+01:00",
            "2026-10-10T10:05:00+01:00",
            "2026-10-11T12:00:00+01:00",
            Some("2026-10-12T15:00:00+01:00"),
        ),
    );
    // Not major: not listed.
    repo.write(
        "incidents/INC-0004.yaml",
        timed(
            "INC-0004",
            "2026-11-10T10:00:00+01:00",
            "2026-11-10T10:05:00+01:00",
            "2026-11-11T12:00:00+01:00",
            None,
        )
        .replace("major: true\n", ""),
    );
    repo.run(["validate"]).expect_code(0);
    let period = ["--since", "2026-11-01", "--until", "2026-11-21T09:00:00Z"];
    let json = repo.run(["report", "--format", "json"].iter().chain(&period));
    json.expect_code(0);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let majors = report["major_incidents"].as_array().expect("a list");
    let ids: Vec<&str> = majors.iter().filter_map(|m| m["id"].as_str()).collect();
    assert_eq!(ids, ["INC-0001", "INC-0002"]);
    assert_eq!(majors[0]["duration"], 3 * 3600 + 30 * 60);
    assert_eq!(majors[0]["time_to_commander"], 45 * 60);
    assert_eq!(majors[0]["review"]["state"], "overdue");
    assert_eq!(majors[0]["review"]["since"], "2026-11-09T11:30:00Z");
    assert_eq!(majors[1]["duration"], 26 * 3600);
    assert_eq!(majors[1]["time_to_commander"], 5 * 60);
    assert_eq!(majors[1]["review"]["state"], "done");
    assert_eq!(majors[0]["updates"], 1);
    let md = repo.run(["report"].iter().chain(&period));
    md.expect_code(0).stdout_has("## Major incidents");
    let section = md
        .stdout
        .split("## Major incidents")
        .nth(1)
        .unwrap_or_default();
    let section = section.split("\n## ").next().unwrap_or_default();
    let row = |id: &str| {
        section
            .lines()
            .find(|l| l.starts_with(&format!("| {id} ")))
            .unwrap_or_else(|| panic!("no row for {id}:\n{}", md.stdout))
            .to_owned()
    };
    let first = row("INC-0001");
    assert!(
        first.contains("| overdue since 2026-11-09 11:30 +00:00 |"),
        "{first}"
    );
    assert!(first.ends_with("| 3h30m | 45m | 1 |"), "{first}");
    let second = row("INC-0002");
    assert!(
        second.contains("| done 2026-11-12 14:00 +00:00 |"),
        "{second}"
    );
    assert!(second.ends_with("| 1d 2h | 5m | 1 |"), "{second}");
}

/// Every local link of every page of `site` resolves to a file.
fn links_resolve(site: &std::path::Path) {
    let files = files_below(site);
    for page in files.iter().filter(|f| f.ends_with(".html")) {
        for target in local_targets(&read_page(&site.join(page))) {
            let to = resolve(page, &target);
            assert!(files.contains(&to), "{page}: broken link {target} ({to})");
        }
    }
}

#[test]
fn the_site_shows_a_banner_while_a_major_incident_is_open_and_its_timeline() {
    let repo = Repo::new();
    let rel = "incidents/INC-0001.yaml";
    let open = major_in("in_progress", &format!("{WORKED}{COMMANDED}{UPDATED}"));
    repo.write(rel, &open);
    repo.commit("INC-0001 in progress", "2026-11-20T09:40:00+01:00");
    let out = repo.sandbox.dir("site");
    let out_arg = out.to_str().expect("utf-8");
    repo.run(["site", "-o", out_arg, "--at", "2026-11-20T10:00:00+01:00"])
        .expect_code(0);
    let pages = [
        "index.html",
        "report.html",
        "incidents/index.html",
        "incidents/INC-0001.html",
        "calendar.html",
        "major/INC-0001.html",
    ];
    for page in pages {
        let html = read_page(&out.join(page));
        assert!(html.contains("class=\"major-banner\""), "{page}: no banner");
        assert!(html.contains("INC-0001</a> Payments down"), "{page}");
    }
    let timeline = read_page(&out.join("major/INC-0001.html"));
    for shown in [
        "update to customers",
        "Card payments fail; next update at 10:00.",
        "commander: someone@example.com",
        "opened",
        "No review yet",
    ] {
        assert!(timeline.contains(shown), "timeline lacks {shown:?}");
    }
    links_resolve(&out);

    // Resolved and closed with its review: no banner; the timeline stays.
    repo.write(
        rel,
        major_in(
            "closed",
            &format!(
                "{WORKED}{COMMANDED}{RESOLVED}{UPDATED}closed_at: 2026-11-21T09:30:00+01:00\n{REVIEWED}"
            ),
        ),
    );
    repo.commit("INC-0001 closed", "2026-11-21T09:30:00+01:00");
    repo.run(["site", "-o", out_arg, "--at", "2026-11-21T10:00:00+01:00"])
        .expect_code(0);
    for page in files_below(&out).iter().filter(|f| f.ends_with(".html")) {
        assert!(
            !read_page(&out.join(page)).contains("class=\"major-banner\""),
            "{page}: banner after closing"
        );
    }
    let timeline = read_page(&out.join("major/INC-0001.html"));
    assert!(timeline.contains("post-incident review"), "no review entry");
    assert!(timeline.contains("Size the pool for the peak"), "no action");
    assert!(timeline.contains("not tracked by a problem"), "no flag");
    links_resolve(&out);
}

#[test]
fn a_review_action_names_a_problem_that_exists() {
    let repo = Repo::new();
    let closed = major_in(
        "closed",
        &format!(
            "{WORKED}{COMMANDED}{RESOLVED}{UPDATED}closed_at: 2026-11-21T09:30:00+01:00\n{REVIEWED}      problem: PRB-0009\n"
        ),
    );
    repo.write("incidents/INC-0001.yaml", &closed);
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("names problem `PRB-0009`, which does not exist")
        .stderr_has("incidents/INC-0001.yaml:31:16");
    repo.write(
        "problems/PRB-0009.yaml",
        "id: PRB-0009\ntitle: Pool size\nstatus: new\ncreated_at: 2026-11-21T09:00:00+01:00\nreported_by: someone@example.com\n",
    );
    let run = repo.run(["validate"]);
    run.expect_code(0);
    assert!(!run.stderr.contains("review-action-untracked"), "{run}");
}

#[test]
fn the_example_report_shows_its_major_incident_and_candidate() {
    let sb = common::Sandbox::new();
    let root = sb.example_repo();
    let run = sb.gitsm(
        &root,
        [
            "report",
            "--format",
            "json",
            "--since",
            "2026-09-01",
            "--until",
            "2026-11-21T10:00:00+01:00",
        ],
    );
    run.expect_code(0);
    let r: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let majors = r["major_incidents"].as_array().expect("a list");
    assert_eq!(majors.len(), 1, "{majors:?}");
    let m = &majors[0];
    assert_eq!(m["id"], "INC-0001");
    // Opened 12:14, commander 12:20, resolved 13:24.
    assert_eq!(m["time_to_commander"], 6 * 60);
    assert_eq!(m["duration"], 70 * 60);
    assert_eq!(m["updates"], 3);
    assert_eq!(m["review"]["state"], "done");
    let found = r["problem_candidates"].as_array().expect("a list");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["shared"]["ci"], "portal-web");
    assert_eq!(
        found[0]["incidents"],
        serde_json::json!(["INC-0014", "INC-0019", "INC-0024"])
    );
}
