//! Satisfaction feedback: `gitsm feedback` on resolved and closed tickets,
//! through a real `git commit` with the hooks installed; one entry per
//! person; scores within 1..5; entries only ever appended (attacks); the
//! policy that requires feedback before `closed`; and CSAT in the report,
//! computed by hand on a small dataset.

use crate::common::Repo;

const PEOPLE: &str = "\
people:
  tester: { name: Test User, emails: [tester@example.com] }
  bob: { name: Bob Bauer, emails: [bob@example.com] }
  carol: { name: Carol Diaz, emails: [carol@example.com] }
";

/// The starter policy's groups, and two teams.
const GROUPS: (&str, &str) = (
    "groups:\n",
    "groups:\n  desk: [tester, bob]\n  ops: [carol]\n",
);

/// The starter policy with `PEOPLE` and `GROUPS`.
fn policy(repo: &Repo) {
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("gitsm.yaml");
    repo.write(
        "gitsm.yaml",
        config
            .replacen("people: {}\n", PEOPLE, 1)
            .replacen(GROUPS.0, GROUPS.1, 1),
    );
}

/// A closed incident reported by bob, committed on 20 November.
const CLOSED: &str = "\
id: INC-0001
title: Printer jam on floor 2
status: closed
created_at: 2026-11-20T09:00:00+01:00
reported_by: bob
impact: low
urgency: low
priority: P4
assignee: tester
resolved_at: 2026-11-20T10:00:00+01:00
closed_at: 2026-11-20T12:00:00+01:00
resolution: { code: fixed, notes: Cleared the jam }
";

/// A repository whose policy knows tester (the Git user), bob and carol,
/// with the hooks installed and `CLOSED` committed.
fn desk() -> Repo {
    let repo = Repo::new();
    policy(&repo);
    repo.write("incidents/INC-0001.yaml", CLOSED);
    repo.run(["hooks", "install"]).expect_code(0);
    repo.commit("INC-0001 closed", "2026-11-20T12:00:00+01:00");
    repo
}

fn incident(repo: &Repo) -> String {
    std::fs::read_to_string(repo.path("incidents/INC-0001.yaml")).expect("INC-0001")
}

#[test]
fn feedback_on_a_closed_incident_passes_the_pre_commit_hook() {
    let repo = desk();
    repo.run([
        "feedback",
        "INC-0001",
        "--score",
        "4",
        "--comment",
        "Sorted before lunch",
    ])
    .expect_code(0)
    .stdout_has("INC-0001: feedback 4 from tester");
    // Appended with the exact field names, by the person running it (the
    // Git user's handle), now (GITSM_NOW), the status untouched.
    let text = incident(&repo);
    assert!(
        text.ends_with(
            "feedback:\n  - at: 2026-11-21T10:00:00+01:00\n    by: tester\n    score: 4\n    comment: Sorted before lunch\n"
        ),
        "{text}"
    );
    assert!(text.contains("status: closed\n"), "{text}");
    // `show` lists it in the worklog.
    repo.run(["show", "INC-0001"])
        .expect_code(0)
        .stdout_has("tester: score 4 of 5: Sorted before lunch");
    repo.git(["add", "-A"]);
    repo.try_commit(&["-q", "-m", "feedback"], "2026-11-21T10:05:00+01:00")
        .expect_code(0);

    // A desk agent records a phone survey for someone else.
    repo.run(["feedback", "INC-0001", "--score", "2", "--by", "bob"])
        .expect_code(0);
    assert!(incident(&repo).contains("    by: bob\n    score: 2\n"));
    repo.git(["add", "-A"]);
    repo.try_commit(&["-q", "-m", "survey"], "2026-11-21T10:10:00+01:00")
        .expect_code(0);
}

#[test]
fn a_second_entry_by_the_same_person_is_refused_by_the_command_and_the_hook() {
    let repo = desk();
    repo.run(["feedback", "INC-0001", "--score", "5"])
        .expect_code(0);
    repo.commit("feedback", "2026-11-21T10:05:00+01:00");
    let before = incident(&repo);
    repo.run(["feedback", "INC-0001", "--score", "1"])
        .expect_code(1)
        .stderr_has("`tester` already gave feedback on INC-0001");
    assert_eq!(incident(&repo), before, "nothing written");
    // Nor under one of their emails.
    repo.run([
        "feedback",
        "INC-0001",
        "--score",
        "1",
        "--by",
        "tester@example.com",
    ])
    .expect_code(1)
    .stderr_has("`tester@example.com` already gave feedback on INC-0001");

    // By hand, past the command: the hook refuses it.
    repo.write(
        "incidents/INC-0001.yaml",
        format!("{before}  - at: 2026-11-21T10:00:00+01:00\n    by: tester\n    score: 1\n"),
    );
    repo.git(["add", "-A"]);
    let run = repo.try_commit(&["-q", "-m", "twice"], "2026-11-21T10:06:00+01:00");
    assert_ne!(run.code, 0, "the commit went through:\n{run}");
    run.stderr_has("incidents/INC-0001.yaml:17:5")
        .stderr_has("error[feedback-once]: `tester` already gave feedback on INC-0001 (entry 1)");
}

#[test]
fn a_score_outside_one_to_five_is_refused_by_the_command_and_the_schema() {
    let repo = desk();
    repo.run(["feedback", "INC-0001", "--score", "6"])
        .expect_code(2)
        .stderr_has("6 is not in 1..=5");
    repo.run(["feedback", "INC-0001", "--score", "0"])
        .expect_code(2);
    assert!(!incident(&repo).contains("feedback"));
    repo.write(
        "incidents/INC-0001.yaml",
        format!("{CLOSED}feedback:\n  - {{at: 2026-11-21T10:00:00+01:00, by: bob, score: 6}}\n"),
    );
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("incidents/INC-0001.yaml:14:53");
}

#[test]
fn feedback_waits_for_resolution_and_names_people_of_the_policy() {
    let repo = desk();
    repo.write(
        "incidents/INC-0002.yaml",
        "id: INC-0002\ntitle: Slow VPN\nstatus: in_progress\ncreated_at: 2026-11-20T09:00:00+01:00\nreported_by: bob\nimpact: low\nurgency: low\nassignee: tester\n",
    );
    repo.run(["feedback", "INC-0002", "--score", "3"])
        .expect_code(1)
        .stderr_has(
            "INC-0002 is `in_progress`: feedback is given once it is resolved, fulfilled or closed",
        );
    repo.run(["feedback", "INC-0001", "--score", "3", "--by", "bobb"])
        .expect_code(2)
        .stderr_has("`bobb` is not a handle in `people`")
        .stderr_has("did you mean `bob`?");
}

#[test]
fn editing_or_removing_a_feedback_entry_is_refused_attack() {
    let repo = desk();
    repo.run([
        "feedback",
        "INC-0001",
        "--score",
        "2",
        "--comment",
        "Took all day",
    ])
    .expect_code(0);
    repo.commit("feedback", "2026-11-21T10:05:00+01:00");
    let given = incident(&repo);

    // Someone raises the score afterwards.
    repo.write(
        "incidents/INC-0001.yaml",
        given.replace("score: 2", "score: 5"),
    );
    repo.git(["add", "-A"]);
    let run = repo.try_commit(&["-q", "-m", "better"], "2026-11-21T11:00:00+01:00");
    assert_ne!(run.code, 0, "the edit went through:\n{run}");
    run.stderr_has("error[feedback-append-only]: feedback entry 1 was edited; feedback entries are append-only");

    // Or drops the entry.
    let (kept, _) = given.split_once("feedback:\n").expect("feedback list");
    repo.write("incidents/INC-0001.yaml", kept);
    repo.git(["add", "-A"]);
    let run = repo.try_commit(&["-q", "-m", "gone"], "2026-11-21T11:00:00+01:00");
    assert_ne!(run.code, 0, "the removal went through:\n{run}");
    run.stderr_has("1 of 1 feedback entries were removed");

    // Feedback is no back door to other fields of a closed record.
    repo.write(
        "incidents/INC-0001.yaml",
        format!(
            "{}  - at: 2026-11-21T10:30:00+01:00\n    by: bob\n    score: 5\n",
            given.replace("title: Printer jam on floor 2", "title: Nothing happened")
        ),
    );
    repo.git(["add", "-A"]);
    let run = repo.try_commit(&["-q", "-m", "rename"], "2026-11-21T11:00:00+01:00");
    assert_ne!(run.code, 0, "the edit went through:\n{run}");
    run.stderr_has("only notes and feedback may be added (changed: title)");
}

#[test]
fn the_policy_can_require_feedback_before_closed() {
    let repo = desk();
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("gitsm.yaml");
    repo.write(
        "gitsm.yaml",
        format!("{config}\nfeedback:\n  required_before_closed: true\n"),
    );
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("incidents/INC-0001.yaml:3:9")
        .stderr_has("error[feedback-required]: INC-0001 is `closed` without satisfaction feedback");
    repo.run(["feedback", "INC-0001", "--score", "5"])
        .expect_code(0);
    repo.run(["validate"]).expect_code(0);
}

// ------------------------------------------------------------------ CSAT

/// Three incidents and a request resolved in October and November, one
/// incident cancelled, with these scores:
///
/// | ticket  | resolved   | service | team | scores |
/// |---------|------------|---------|------|--------|
/// | INC-0001| 2026-10-10 | web     | desk | 5      |
/// | INC-0002| 2026-10-20 | web     | desk | 2, 4   |
/// | INC-0003| 2026-11-05 | db      | ops  | -      |
/// | REQ-0001| 2026-11-10 | -       | desk | 1      |
/// | INC-0004| cancelled  | web     | desk | (not counted) |
fn csat_repo() -> Repo {
    let repo = Repo::new();
    policy(&repo);
    for id in ["web", "db"] {
        repo.write(
            &format!("cis/{id}.yaml"),
            format!("id: {id}\nname: The {id} service\nclass: service\nstatus: active\n"),
        );
    }
    let incident = |id: &str, service: &str, team: &str, resolved: &str, feedback: &str| {
        repo.write(
            &format!("incidents/{id}.yaml"),
            format!(
                "id: {id}\ntitle: Trouble {id}\nstatus: resolved\ncreated_at: {resolved}T09:00:00+02:00\n\
reported_by: bob\nimpact: low\nurgency: low\nservice: {service}\nteam: {team}\nassignee: tester\n\
resolved_at: {resolved}T10:00:00+02:00\nresolution: {{code: fixed, notes: done}}\n{feedback}"
            ),
        );
    };
    incident(
        "INC-0001",
        "web",
        "desk",
        "2026-10-10",
        "feedback:\n  - {at: 2026-10-11T09:00:00+02:00, by: bob, score: 5}\n",
    );
    incident(
        "INC-0002",
        "web",
        "desk",
        "2026-10-20",
        "feedback:\n  - {at: 2026-10-21T09:00:00+02:00, by: bob, score: 2, comment: Slow}\n  - {at: 2026-10-21T10:00:00+02:00, by: carol, score: 4}\n",
    );
    incident("INC-0003", "db", "ops", "2026-11-05", "");
    repo.write(
        "incidents/INC-0004.yaml",
        "id: INC-0004\ntitle: Duplicate\nstatus: cancelled\ncreated_at: 2026-10-12T09:00:00+02:00\n\
reported_by: bob\nimpact: low\nurgency: low\nservice: web\nteam: desk\ncancel_reason: duplicate\n",
    );
    repo.write(
        "requests/REQ-0001.yaml",
        "id: REQ-0001\ntitle: Install Visio\nstatus: fulfilled\ncreated_at: 2026-11-10T09:00:00+01:00\n\
requested_by: carol\ncatalog_item: install-application\nteam: desk\nassignee: tester\n\
fulfilled_at: 2026-11-10T09:15:00+01:00\nfeedback:\n  - {at: 2026-11-11T09:00:00+01:00, by: carol, score: 1, comment: Wrong version}\n",
    );
    repo.run(["validate"]).expect_code(0);
    repo.commit("tickets", "2026-11-20T12:00:00+01:00");
    repo
}

fn row<'a>(rows: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    rows.as_array()
        .expect("rows")
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key} in {rows}"))
}

/// `(tickets, answered, response %, scores, satisfied, CSAT %, mean)`.
fn figures(r: &serde_json::Value) -> (u64, u64, Option<f64>, u64, u64, Option<f64>, Option<f64>) {
    (
        r["tickets"].as_u64().expect("tickets"),
        r["answered"].as_u64().expect("answered"),
        r["response_rate"]["percent"].as_f64(),
        r["scores"].as_u64().expect("scores"),
        r["satisfied"].as_u64().expect("satisfied"),
        r["csat"]["percent"].as_f64(),
        r["mean"].as_f64(),
    )
}

#[test]
fn csat_per_month_service_team_and_item_matches_a_hand_count() {
    let repo = csat_repo();
    let run = repo.run([
        "report",
        "--since",
        "2026-10-01",
        "--until",
        "2026-11-30",
        "--format",
        "json",
    ]);
    run.expect_code(0);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let s = &report["satisfaction"];
    // 4 tickets resolved (the cancelled one is not), 3 answered; scores
    // 5, 2, 4, 1: two of four are 4 or 5, mean 12 / 4.
    assert_eq!(
        figures(&s["all"]),
        (4, 3, Some(75.0), 4, 2, Some(50.0), Some(3.0))
    );
    // October: INC-0001 and INC-0002, scores 5, 2, 4: 2 of 3, mean 11 / 3.
    assert_eq!(
        figures(row(&s["by_month"], "2026-10")),
        (2, 2, Some(100.0), 3, 2, Some(66.7), Some(3.67))
    );
    // November: INC-0003 (none) and REQ-0001 (1).
    assert_eq!(
        figures(row(&s["by_month"], "2026-11")),
        (2, 1, Some(50.0), 1, 0, Some(0.0), Some(1.0))
    );
    assert_eq!(
        figures(row(&s["by_service"], "web")),
        (2, 2, Some(100.0), 3, 2, Some(66.7), Some(3.67))
    );
    assert_eq!(row(&s["by_service"], "web")["name"], "The web service");
    assert_eq!(
        figures(row(&s["by_service"], "db")),
        (1, 0, Some(0.0), 0, 0, None, None)
    );
    // desk: INC-0001, INC-0002, REQ-0001: scores 5, 2, 4, 1.
    assert_eq!(
        figures(row(&s["by_team"], "desk")),
        (3, 3, Some(100.0), 4, 2, Some(50.0), Some(3.0))
    );
    assert_eq!(
        figures(row(&s["by_team"], "ops")),
        (1, 0, Some(0.0), 0, 0, None, None)
    );
    assert_eq!(
        figures(row(&s["by_item"], "install-application")),
        (1, 1, Some(100.0), 1, 0, Some(0.0), Some(1.0))
    );
    // Low scores, lowest first.
    let low: Vec<(String, u64)> = s["low"]
        .as_array()
        .expect("low")
        .iter()
        .map(|l| {
            (
                l["id"].as_str().expect("id").to_owned(),
                l["score"].as_u64().expect("score"),
            )
        })
        .collect();
    assert_eq!(
        low,
        [("REQ-0001".to_owned(), 1), ("INC-0002".to_owned(), 2)]
    );

    // The Markdown report shows the same figures.
    let md = repo.run(["report", "--since", "2026-10-01", "--until", "2026-11-30"]);
    md.expect_code(0)
        .stdout_has("## Customer satisfaction")
        .stdout_has("| Customer satisfaction (CSAT) | 50.0% (2 of 4) |")
        .stdout_has("| Feedback response rate | 75.0% (3 of 4) |")
        .stdout_has("| REQ-0001 | Install Visio | carol |");
}

#[test]
fn the_dashboard_shows_csat_and_low_scores() {
    let repo = csat_repo();
    repo.run(["site", "-o", "../site", "--at", "2026-11-30"])
        .expect_code(0);
    let index = std::fs::read_to_string(repo.root.join("../site/index.html")).expect("index");
    assert!(
        index.contains(
            "<span class=\"value\">50.0%</span> <span class=\"label\">CSAT (4 scores)</span>"
        ),
        "{index}"
    );
    assert!(
        index.contains("<span class=\"value\">2</span> <span class=\"label\">Low scores</span>"),
        "{index}"
    );
    assert!(
        index.contains("Customer satisfaction (CSAT) per month"),
        "{index}"
    );
}
