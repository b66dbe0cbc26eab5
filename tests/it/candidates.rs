//! Problem candidates: incidents recurring on one CI (a service with a
//! category, a symptom) without a problem are flagged by `validate` and
//! listed by the report, once; `gitsm new problem --from` opens the
//! problem and links them, all or nothing.

use crate::common;

use common::Repo;

/// An incident on `ci`, opened on `day` of November 2026.
fn on_ci(id: &str, day: u32, ci: &str, extra: &str) -> String {
    format!(
        "id: {id}\ntitle: Trouble {id}\nstatus: new\ncreated_at: 2026-11-{day:02}T09:00:00+01:00\nreported_by: someone@example.com\nimpact: low\nurgency: low\naffected_cis: [{ci}]\n{extra}"
    )
}

const DB: &str = "id: db-01\nname: db-01\nclass: database\nstatus: active\n";

fn with_db() -> Repo {
    let repo = Repo::new();
    repo.write("cis/db-01.yaml", DB);
    repo
}

fn candidate_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("warning[problem-candidate]"))
        .collect()
}

#[test]
fn three_incidents_on_one_ci_in_a_week_make_exactly_one_candidate() {
    let repo = with_db();
    // The 2nd, 5th and 8th: six days apart at most.
    for (id, day) in [("INC-0001", 2), ("INC-0002", 5)] {
        repo.write(&format!("incidents/{id}.yaml"), on_ci(id, day, "db-01", ""));
    }
    let two = repo.run(["validate"]);
    two.expect_code(0);
    assert!(candidate_lines(&two.stderr).is_empty(), "{two}");
    repo.write("incidents/INC-0003.yaml", on_ci("INC-0003", 8, "db-01", ""));
    let three = repo.run(["validate"]);
    three.expect_code(0);
    assert_eq!(
        candidate_lines(&three.stderr),
        [
            "warning[problem-candidate]: 3 incidents within 30 days share CI `db-01` and have no problem: INC-0001, INC-0002, INC-0003"
        ],
        "{three}"
    );
    // On the latest of them, with the command that opens the problem.
    three
        .stderr_has("incidents/INC-0003.yaml:1:5")
        .stderr_has("gitsm new problem --from INC-0001,INC-0002,INC-0003");
    // The report lists the same group.
    let json = repo.run([
        "report",
        "--format",
        "json",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-21",
    ]);
    json.expect_code(0);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let found = report["problem_candidates"].as_array().expect("a list");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0]["shared"],
        serde_json::json!({"by": "ci", "ci": "db-01"})
    );
    assert_eq!(
        found[0]["incidents"],
        serde_json::json!(["INC-0001", "INC-0002", "INC-0003"])
    );
    repo.run(["report", "--since", "2026-11-01", "--until", "2026-11-21"])
        .expect_code(0)
        .stdout_has("| CI db-01 | INC-0001, INC-0002, INC-0003 |");
}

#[test]
fn incidents_that_name_a_problem_or_lie_apart_are_no_candidate() {
    let repo = with_db();
    repo.write(
        "problems/PRB-0001.yaml",
        "id: PRB-0001\ntitle: db-01 flaps\nstatus: new\ncreated_at: 2026-11-01T09:00:00+01:00\nreported_by: someone@example.com\n",
    );
    for (id, day) in [("INC-0001", 2), ("INC-0002", 5), ("INC-0003", 8)] {
        repo.write(
            &format!("incidents/{id}.yaml"),
            on_ci(id, day, "db-01", "problem: PRB-0001\n"),
        );
    }
    let run = repo.run(["validate"]);
    run.expect_code(0);
    assert!(candidate_lines(&run.stderr).is_empty(), "{run}");
    // Three without a problem, but the 1st and the 2nd of December are 31
    // and 32 days after the 1st of November: no 30-day window holds three.
    let repo = with_db();
    repo.write("incidents/INC-0001.yaml", on_ci("INC-0001", 1, "db-01", ""));
    for (id, date) in [("INC-0002", "2026-12-02"), ("INC-0003", "2026-12-03")] {
        repo.write(
            &format!("incidents/{id}.yaml"),
            on_ci(id, 1, "db-01", "").replace("2026-11-01", date),
        );
    }
    let run = repo.run(["validate"]);
    assert!(candidate_lines(&run.stderr).is_empty(), "{run}");
}

#[test]
fn new_problem_from_incidents_links_them_and_the_warning_goes() {
    let repo = with_db();
    repo.write("incidents/INC-0001.yaml", on_ci("INC-0001", 2, "db-01", ""));
    repo.write("incidents/INC-0002.yaml", on_ci("INC-0002", 5, "db-01", ""));
    // A closed incident no longer takes a field: the problem lists it.
    repo.write(
        "incidents/INC-0003.yaml",
        on_ci("INC-0003", 8, "db-01", "").replace("status: new", "status: closed")
            + "resolved_at: 2026-11-08T10:00:00+01:00\nclosed_at: 2026-11-09T10:00:00+01:00\nresolution:\n  code: fixed\n  notes: Restarted.\n",
    );
    repo.commit("three incidents on db-01", "2026-11-09T10:00:00+01:00");
    repo.run(["hooks", "install"]).expect_code(0);
    let run = repo.run(["new", "problem", "--from", "INC-0001,INC-0002,INC-0003"]);
    run.expect_code(0)
        .stdout_has("problems/PRB-0001.yaml")
        .stderr_has("INC-0001: problem PRB-0001")
        .stderr_has("INC-0003: closed, listed in PRB-0001's links");
    let problem = std::fs::read_to_string(repo.path("problems/PRB-0001.yaml")).expect("problem");
    for line in [
        "title: Recurring incidents on db-01 (3 incidents)\n",
        "origin: reactive\n",
        "- db-01\n",
        "- INC-0001\n",
        "- INC-0003\n",
    ] {
        assert!(problem.contains(line), "{line:?} not in\n{problem}");
    }
    for id in ["INC-0001", "INC-0002"] {
        let text =
            std::fs::read_to_string(repo.path(&format!("incidents/{id}.yaml"))).expect("incident");
        assert!(text.ends_with("problem: PRB-0001\n"), "{id}:\n{text}");
    }
    let run = repo.run(["validate"]);
    run.expect_code(0);
    assert!(candidate_lines(&run.stderr).is_empty(), "{run}");
    // The hook accepts the whole of it.
    repo.git(["add", "-A"]);
    let run = repo.try_commit(&["-qm", "PRB-0001 for db-01"], "2026-11-21T10:00:00+01:00");
    assert_eq!(run.code, 0, "{run}");
}

#[test]
fn new_problem_from_incidents_writes_nothing_when_one_cannot_be_linked() {
    use std::os::unix::fs::PermissionsExt;
    let repo = with_db();
    for (id, day) in [("INC-0001", 2), ("INC-0002", 5), ("INC-0003", 8)] {
        repo.write(&format!("incidents/{id}.yaml"), on_ci(id, day, "db-01", ""));
    }
    let locked = repo.path("incidents/INC-0003.yaml");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let before = std::fs::read_to_string(repo.path("incidents/INC-0001.yaml")).expect("read");
    let run = repo.run(["new", "problem", "--from", "INC-0001,INC-0002,INC-0003"]);
    assert_ne!(run.code, 0, "{run}");
    assert!(!run.stderr.contains("panicked"), "{run}");
    assert!(!repo.path("problems/PRB-0001.yaml").exists(), "{run}");
    assert_eq!(
        std::fs::read_to_string(repo.path("incidents/INC-0001.yaml")).expect("read"),
        before
    );
    // Not incidents, or too few: a usage error.
    repo.run(["new", "problem", "--from", "INC-0001"])
        .expect_code(2)
        .stderr_has("at least two incidents");
    repo.run(["new", "problem", "--from", "INC-0001,INC-0002,INC-0001"])
        .expect_code(2)
        .stderr_has("INC-0001 is given twice");
    repo.run(["new", "incident", "--from", "INC-0001,INC-0002"])
        .expect_code(2)
        .stderr_has("--from opens a problem");
}
