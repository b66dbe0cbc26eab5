//! The service desk's day through the real binary: notes (on closed
//! records too, several at once, all or nothing), escalations, and the
//! worklog `show` prints. The hermetic clock (`GITSM_NOW`) is
//! 2026-11-21T10:00:00+01:00; the Git identity is tester@example.com.

mod common;

use common::{Repo, VALID_INCIDENT};

const CLOSED: &str = "\
id: INC-0001
title: VPN down
status: closed
created_at: 2026-11-20T09:00:00+01:00
reported_by: someone@example.com
impact: high
urgency: high
assignee: tester@example.com
acknowledged_at: 2026-11-20T09:05:00+01:00
resolved_at: 2026-11-20T10:00:00+01:00
closed_at: 2026-11-20T11:00:00+01:00
resolution:
  code: fixed
  notes: Restarted the concentrator.
";

fn read(repo: &Repo, rel: &str) -> String {
    std::fs::read_to_string(repo.path(rel)).expect("read record")
}

#[test]
fn a_note_on_a_closed_incident_passes_the_hook() {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", CLOSED);
    repo.commit("INC-0001 closed", "2026-11-20T11:00:00+01:00");
    repo.run(["hooks", "install"]).expect_code(0);
    repo.run(["note", "INC-0001", "Vendor confirmed the firmware bug"])
        .expect_code(0)
        .stdout_has("INC-0001: noted");
    assert!(
        read(&repo, "incidents/INC-0001.yaml").ends_with(
            "notes:\n  - at: 2026-11-21T10:00:00+01:00\n    by: tester@example.com\n    text: Vendor confirmed the firmware bug\n"
        ),
        "{}",
        read(&repo, "incidents/INC-0001.yaml")
    );
    // The pre-commit hook runs on a real commit and accepts it.
    let run = repo.try_commit(&["-qam", "note on INC-0001"], "2026-11-21T10:00:00+01:00");
    assert_eq!(run.code, 0, "{run}");
}

#[test]
fn notes_on_several_records_are_all_or_nothing() {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", CLOSED);
    // INC-0002 is not valid as it stands: a note cannot be added to it.
    let broken = VALID_INCIDENT
        .replace("INC-0001", "INC-0002")
        .replace("impact: high", "impact: huge");
    repo.write("incidents/INC-0002.yaml", &broken);
    repo.run(["note", "INC-0001", "INC-0002", "Same root cause"])
        .expect_code(1)
        .stderr_has("incidents/INC-0002.yaml was not changed");
    assert_eq!(
        read(&repo, "incidents/INC-0001.yaml"),
        CLOSED,
        "INC-0001 was written"
    );
    assert_eq!(read(&repo, "incidents/INC-0002.yaml"), broken);
    // Fixed, both take the note.
    repo.write(
        "incidents/INC-0002.yaml",
        VALID_INCIDENT.replace("INC-0001", "INC-0002"),
    );
    repo.run(["note", "INC-0001", "INC-0002", "Same root cause"])
        .expect_code(0);
    for rel in ["incidents/INC-0001.yaml", "incidents/INC-0002.yaml"] {
        assert!(
            read(&repo, rel).contains("    text: Same root cause\n"),
            "{rel}"
        );
    }
}

#[test]
fn a_note_from_standard_input_and_the_usage_errors() {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    let mut cmd = std::process::Command::new(common::bin());
    common::hermetic(&mut cmd, &repo.sandbox.home());
    let out = cmd
        .current_dir(&repo.root)
        .args(["note", "INC-0001", "--file", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(b"Line one\nLine two\n")?;
            child.wait_with_output()
        })
        .expect("gitsm runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        read(&repo, "incidents/INC-0001.yaml")
            .contains("    text: |-\n      Line one\n      Line two\n"),
        "{}",
        read(&repo, "incidents/INC-0001.yaml")
    );
    repo.run(["note", "INC-0001"])
        .expect_code(2)
        .stderr_has("give the record ids and then the note");
    repo.run(["note", "INC-0001", "  "])
        .expect_code(2)
        .stderr_has("the note is empty");
    repo.run(["note", "INC-9999", "text"]).expect_code(2);
}

#[test]
fn escalate_records_the_level_the_team_and_why() {
    let repo = Repo::new();
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("config");
    assert!(config.contains("  service-desk: [] # first line\n"));
    repo.write(
        "gitsm.yaml",
        config.replace(
            "  service-desk: [] # first line\n",
            "  service-desk: [] # first line\n  l2-network: []\n",
        ),
    );
    repo.write(
        "incidents/INC-0001.yaml",
        VALID_INCIDENT.replace("status: new", "status: in_progress\nassignee: tester@example.com\nacknowledged_at: 2026-11-20T09:05:00+01:00\nsupport_level: 1"),
    );
    repo.run([
        "escalate",
        "INC-0001",
        "--to-level",
        "2",
        "--team",
        "l2-network",
        "--reason",
        "Core switch",
    ])
    .expect_code(0)
    .stdout_has("INC-0001: escalated to level 2");
    let text = read(&repo, "incidents/INC-0001.yaml");
    assert!(text.contains("support_level: 2\n"), "{text}");
    assert!(text.contains("team: l2-network\n"), "{text}");
    assert!(
        text.contains("assignee: tester@example.com\n"),
        "the assignee stays: {text}"
    );
    assert!(
        text.contains("escalations:\n  - at: 2026-11-21T10:00:00+01:00\n    to_level: 2\n    team: l2-network\n    by: tester@example.com\n    reason: Core switch\n"),
        "{text}"
    );
    repo.run(["escalate", "INC-0001", "--to-level", "2"])
        .expect_code(1)
        .stderr_has("INC-0001 is at support level 2 already");
    repo.run(["escalate", "INC-0001", "--to-level", "4"])
        .expect_code(2)
        .stderr_has("support level 4 does not exist");
    repo.run([
        "escalate",
        "INC-0001",
        "--to-level",
        "3",
        "--team",
        "l2-netwrk",
    ])
    .expect_code(2)
    .stderr_has("did you mean `l2-network`?");
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn show_prints_the_worklog_with_each_decision_s_verdict() {
    let sandbox = common::Sandbox::new();
    let root = sandbox.git_repo("example");
    sandbox.gitsm(&root, ["init", "--example"]).expect_code(0);
    let repo = Repo { sandbox, root };
    repo.run(["show", "REQ-0006"])
        .expect_code(0)
        .stdout_has("Worklog\n  2026-11-03 14:00 +01:00  rejected    anna: External agencies do not get network access. [blocks until it returns to new]")
        .stdout_has("Worklog");
    let run = repo.run(["show", "INC-0001"]);
    run.expect_code(0)
        .stdout_has("  2026-09-03 12:19 +02:00  escalation  ben: to level 2 (l2-apps): P1, application error; paged the payments on-call.");
    assert!(!run.stdout.contains("entries"), "{run}");
    let json: serde_json::Value =
        serde_json::from_str(&repo.run(["show", "REQ-0006", "--format", "json"]).stdout)
            .expect("json");
    assert_eq!(json["worklog"][0]["what"], "rejected");
    assert_eq!(json["worklog"][0]["counts"], true);
}
