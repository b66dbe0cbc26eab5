//! `gitsm intake` through the real binary: alerts (Alertmanager, Grafana,
//! the generic JSON) become incidents, de-duplicated by key and resolved
//! when configured; desk mail becomes requests, and replies notes; bad
//! input writes nothing; `--commit` commits only what intake wrote.
//!
//! Fixtures in `fixtures/intake/` are written from the documented formats.
//! Expected values are worked out by hand: severity critical is high/high
//! (P1), warning medium/medium (P3), info low/low (P4). The clock is
//! `GITSM_NOW` = 2026-11-21T10:00:00+01:00.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_yaml::Value;

use crate::common::{self, NOW, Repo};

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/fixtures/intake")
        .join(name)
        .display()
        .to_string()
}

/// A committed repository with a server CI `db-1`, a business service
/// `payments`, Carol (carol@example.com), a group `ops`, and `extra`
/// appended to gitsm.yaml.
fn repo_with(extra: &str) -> Repo {
    let repo = Repo::new();
    let config = repo.path("gitsm.yaml");
    let text = std::fs::read_to_string(&config).expect("gitsm.yaml");
    let text = text.replacen(
        "people: {}\n",
        "people:\n  carol: { name: Carol Diaz, emails: [carol@example.com] }\n",
        1,
    );
    let text = text.replacen("groups:\n", "groups:\n  ops: [carol]\n", 1);
    std::fs::write(&config, format!("{text}\n{extra}")).expect("write gitsm.yaml");
    repo.write(
        "cis/db-1.yaml",
        "id: db-1\nname: Orders database host\nclass: server\nstatus: active\n",
    );
    repo.write(
        "cis/payments.yaml",
        "id: payments\nname: Payments\nclass: service\nstatus: active\nrelations: { depends_on: [db-1] }\n",
    );
    repo.commit("organisation", "2026-11-21T09:00:00+01:00");
    repo
}

fn repo() -> Repo {
    repo_with("")
}

fn intake(repo: &Repo, args: &[&str]) -> common::Run {
    let mut all = vec!["intake"];
    all.extend_from_slice(args);
    repo.run(all)
}

fn record(repo: &Repo, rel: &str) -> Value {
    let text = std::fs::read_to_string(repo.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    serde_yaml::from_str(&text).expect("a record is YAML")
}

fn text(repo: &Repo, rel: &str) -> String {
    std::fs::read_to_string(repo.path(rel)).expect("read record")
}

/// Everything Git sees changed or new in the work tree.
fn changes(repo: &Repo) -> String {
    repo.git(["status", "--porcelain", "--untracked-files=all"])
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v:?}"))
}

#[test]
fn an_alertmanager_payload_opens_an_incident_per_alert() {
    let repo = repo();
    intake(&repo, &[&fixture("alertmanager-firing.json")])
        .expect_code(0)
        .stdout_has("opened INC-0001 (incidents/INC-0001.yaml) from alertmanager `HighLatency`")
        .stdout_has("opened INC-0002");

    let high = record(&repo, "incidents/INC-0001.yaml");
    assert_eq!(s(&high["title"]), "High request latency on db-1");
    assert_eq!(s(&high["status"]), "new");
    assert_eq!(s(&high["reported_by"]), "intake@localhost");
    assert_eq!(s(&high["impact"]), "high");
    assert_eq!(s(&high["urgency"]), "high");
    assert_eq!(s(&high["priority"]), "P1");
    // `instance: db-1:9100` names the server CI db-1 (not a service).
    assert_eq!(
        high["affected_cis"],
        serde_yaml::from_str::<Value>("[db-1]").expect("YAML")
    );
    assert!(high.get("service").is_none());
    assert_eq!(s(&high["event"]["source"]), "alertmanager");
    assert_eq!(s(&high["event"]["key"]), "5f1e2d3c4b5a6978");
    assert_eq!(high["event"]["occurrences"].as_u64(), Some(1));
    let description = s(&high["description"]);
    assert!(
        description.contains("p99 latency above 2s for 10 minutes."),
        "{description}"
    );
    assert!(description.contains("http://prometheus.example.com:9090/graph?g0.expr=latency"));

    let disk = record(&repo, "incidents/INC-0002.yaml");
    // No `summary` annotation: the title is the alert's name.
    assert_eq!(s(&disk["title"]), "DiskFilling");
    assert_eq!(s(&disk["priority"]), "P3");
    assert_eq!(s(&disk["impact"]), "medium");
    assert_eq!(s(&disk["service"]), "payments");
    assert_eq!(s(&disk["event"]["key"]), "0a9b8c7d6e5f4321");
    assert!(s(&disk["description"]).contains("Disk /var will be full in 4 hours."));

    repo.run(["validate"]).expect_code(0);
}

#[test]
fn one_alert_delivered_three_times_is_one_incident_with_three_occurrences() {
    let repo = repo();
    for _ in 0..3 {
        intake(&repo, &[&fixture("alertmanager-firing.json")]).expect_code(0);
    }
    assert_eq!(
        repo.record_files("incidents"),
        ["incidents/INC-0001.yaml", "incidents/INC-0002.yaml"]
    );
    let inc = record(&repo, "incidents/INC-0001.yaml");
    assert_eq!(inc["event"]["occurrences"].as_u64(), Some(3));
    assert_eq!(s(&inc["event"]["last_at"]), NOW);
    let notes = inc["notes"].as_sequence().expect("notes");
    assert_eq!(notes.len(), 2);
    assert!(s(&notes[1]["text"]).contains("occurrence 3"), "{notes:?}");
    assert_eq!(s(&notes[1]["by"]), "intake@localhost");
    repo.run(["validate"]).expect_code(0);

    let again = intake(&repo, &["--json", &fixture("alertmanager-firing.json")]);
    again.expect_code(0);
    let report: serde_json::Value = serde_json::from_str(&again.stdout).expect("JSON");
    assert_eq!(report["events"][0]["action"], "repeated");
    assert_eq!(report["events"][0]["id"], "INC-0001");
    assert_eq!(report["events"][0]["occurrences"], 4);
}

#[test]
fn a_resolution_notice_resolves_the_incident_when_auto_resolve_is_configured() {
    let repo = repo_with("intake:\n  auto_resolve: { code: fixed }\n");
    intake(&repo, &[&fixture("alertmanager-firing.json")]).expect_code(0);
    repo.commit("alerts", NOW);
    intake(&repo, &[&fixture("alertmanager-resolved.json")])
        .expect_code(0)
        .stdout_has("INC-0001: resolved")
        .stdout_has("INC-0002: resolved");
    let inc = record(&repo, "incidents/INC-0001.yaml");
    assert_eq!(s(&inc["status"]), "resolved");
    assert_eq!(s(&inc["resolution"]["code"]), "fixed");
    assert!(s(&inc["resolution"]["notes"]).contains("HighLatency"));
    assert_eq!(s(&inc["resolved_at"]), NOW);
    // The incident went new -> in_progress -> resolved in one edit, which
    // the history rules accept as one commit.
    repo.commit("resolved by alert", NOW);
    repo.run(["validate", "--range", "HEAD~1..HEAD"])
        .expect_code(0);
}

#[test]
fn a_resolution_notice_only_notes_the_incident_without_auto_resolve() {
    let repo = repo();
    intake(&repo, &[&fixture("alertmanager-firing.json")]).expect_code(0);
    intake(&repo, &[&fixture("alertmanager-resolved.json")])
        .expect_code(0)
        .stdout_has("INC-0001: noted")
        .stdout_has("intake.auto_resolve is not set");
    let inc = record(&repo, "incidents/INC-0001.yaml");
    assert_eq!(s(&inc["status"]), "new");
    assert_eq!(inc["event"]["occurrences"].as_u64(), Some(1));
    let notes = inc["notes"].as_sequence().expect("notes");
    assert!(s(&notes[0]["text"]).contains("resolved at 2026-11-21T08:59:00Z"));
}

#[test]
fn a_resolved_alert_without_an_open_incident_does_nothing() {
    let repo = repo();
    intake(&repo, &[&fixture("alertmanager-resolved.json")])
        .expect_code(0)
        .stdout_has("nothing to do for alertmanager `HighLatency`");
    assert_eq!(changes(&repo), "");
}

#[test]
fn a_grafana_payload_opens_an_incident() {
    let repo = repo();
    intake(&repo, &[&fixture("grafana.json")])
        .expect_code(0)
        .stdout_has("from grafana `CertificateExpiry`");
    let inc = record(&repo, "incidents/INC-0001.yaml");
    assert_eq!(
        s(&inc["title"]),
        "TLS certificate of shop.example.com expires in 14 days"
    );
    assert_eq!(s(&inc["priority"]), "P4");
    assert_eq!(s(&inc["urgency"]), "low");
    assert_eq!(s(&inc["event"]["source"]), "grafana");
    assert_eq!(s(&inc["event"]["key"]), "c0ffee0000000001");
    let description = s(&inc["description"]);
    assert!(
        description.contains("https://grafana.example.com/d/tls"),
        "{description}"
    );
    assert!(description.contains("value=14"), "{description}");
}

#[test]
fn a_generic_json_event_opens_an_incident_with_its_service_and_ci() {
    let repo = repo();
    intake(&repo, &[&fixture("event.json")]).expect_code(0);
    let inc = record(&repo, "incidents/INC-0001.yaml");
    assert_eq!(
        s(&inc["title"]),
        "Nightly backup of the orders database failed"
    );
    assert_eq!(s(&inc["priority"]), "P3");
    assert_eq!(s(&inc["service"]), "payments");
    assert_eq!(
        inc["affected_cis"],
        serde_yaml::from_str::<Value>("[db-1]").expect("YAML")
    );
    assert_eq!(s(&inc["event"]["source"]), "json");
    assert_eq!(s(&inc["event"]["key"]), "backup-nightly-orders");
    assert!(s(&inc["description"]).contains("- job: backup"));
}

#[test]
fn a_label_that_names_no_ci_goes_into_the_description() {
    let repo = repo();
    let path = repo.sandbox.dir("in").join("event.json");
    std::fs::write(
        &path,
        r#"{"key": "k1", "title": "Queue backlog", "service": "billing"}"#,
    )
    .expect("write the input");
    intake(&repo, &[&path.display().to_string()])
        .expect_code(0)
        .stdout_has("label `service` names `billing`, which is no CI here");
    let inc = record(&repo, "incidents/INC-0001.yaml");
    assert!(inc.get("service").is_none());
    assert!(s(&inc["description"]).contains("billing"));
}

#[test]
fn a_desk_mail_becomes_a_general_request_by_its_sender() {
    let repo = repo();
    intake(&repo, &[&fixture("desk-request.eml")])
        .expect_code(0)
        .stdout_has("opened REQ-0001 (requests/REQ-0001.yaml) from email");
    let req = record(&repo, "requests/REQ-0001.yaml");
    // RFC 2047 (base64, UTF-8) subject.
    assert_eq!(s(&req["title"]), "VPN-Zugang für Frau Müller");
    // Carol@Example.com is carol's email: her handle.
    assert_eq!(s(&req["requested_by"]), "carol");
    assert_eq!(s(&req["catalog_item"]), "general-request");
    assert_eq!(s(&req["status"]), "new");
    let description = s(&req["description"]);
    // The quoted-printable text part, decoded; the HTML alternative is not kept.
    assert!(
        description.contains("bitte richtet für Frau Müller einen VPN-Zugang ein."),
        "{description}"
    );
    assert!(
        !description.contains('<') && !description.contains("alert(1)"),
        "{description}"
    );
    // The attachment is listed (334 bytes decoded from base64), not stored.
    assert!(
        description.contains("approval.pdf (application/pdf, 334 bytes)"),
        "{description}"
    );
    assert!(!description.contains("%PDF"), "{description}");
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn an_html_mail_is_stored_as_text() {
    let repo = repo();
    intake(&repo, &["--format", "email", &fixture("html-only.eml")]).expect_code(0);
    let req = record(&repo, "requests/REQ-0001.yaml");
    assert_eq!(s(&req["requested_by"]), "dave@example.com");
    let description = s(&req["description"]);
    assert!(
        description.contains("My monitor flickers since Monday."),
        "{description}"
    );
    assert!(
        !description.contains('<') && !description.contains("steal"),
        "{description}"
    );
}

#[test]
fn a_reply_naming_a_request_becomes_a_note_by_its_sender() {
    let repo = repo();
    intake(&repo, &[&fixture("desk-request.eml")]).expect_code(0);
    intake(&repo, &[&fixture("reply.eml")])
        .expect_code(0)
        .stdout_has("REQ-0001: noted");
    assert_eq!(repo.record_files("requests"), ["requests/REQ-0001.yaml"]);
    let req = record(&repo, "requests/REQ-0001.yaml");
    let notes = req["notes"].as_sequence().expect("notes");
    assert_eq!(notes.len(), 1);
    assert_eq!(s(&notes[0]["by"]), "carol");
    // The quoted message is left out.
    assert_eq!(
        s(&notes[0]["text"]),
        "Frau Müller starts on Monday, please hurry."
    );
}

#[test]
fn a_reply_to_a_record_that_does_not_exist_writes_nothing() {
    let repo = repo();
    intake(&repo, &[&fixture("reply.eml")])
        .expect_code(2)
        .stderr_has("REQ-0001");
    assert_eq!(changes(&repo), "");
}

#[test]
fn malformed_json_is_refused_with_its_position_and_nothing_written() {
    let repo = repo();
    intake(&repo, &[&fixture("malformed.json")])
        .expect_code(2)
        .stderr_has("malformed.json:1:61: EOF while parsing an object");
    assert_eq!(changes(&repo), "");
}

#[test]
fn an_oversized_payload_is_refused_before_it_is_parsed() {
    let repo = repo();
    let path = repo.sandbox.dir("in").join("big.json");
    // Valid JSON, one byte over 1 MiB.
    let mut big = String::from("{\"key\": \"k\", \"title\": \"t\", \"description\": \"");
    big.push_str(&"x".repeat(1024 * 1024 + 1 - big.len() - 2));
    big.push_str("\"}");
    assert_eq!(big.len(), 1024 * 1024 + 1);
    std::fs::write(&path, big).expect("write the input");
    intake(&repo, &[&path.display().to_string()])
        .expect_code(2)
        .stderr_has("more than 1048576 bytes");
    assert_eq!(changes(&repo), "");
}

#[test]
fn a_mail_whose_subject_injects_a_header_line_is_refused() {
    let repo = repo();
    intake(&repo, &[&fixture("header-injection.eml")])
        .expect_code(2)
        .stderr_has("header injection");
    assert_eq!(changes(&repo), "");
}

#[test]
fn line_breaks_in_an_alert_stay_inside_their_fields() {
    let repo = repo();
    let path = repo.sandbox.dir("in").join("event.json");
    std::fs::write(
        &path,
        r#"{"key": "k2", "title": "Disk full\nstatus: closed\r\nassignee: mallory\u001b[31m",
            "labels": {"team": "a\nstatus: closed"}}"#,
    )
    .expect("write the input");
    intake(&repo, &[&path.display().to_string()]).expect_code(0);
    let inc = record(&repo, "incidents/INC-0001.yaml");
    assert_eq!(
        s(&inc["title"]),
        "Disk full status: closed assignee: mallory [31m"
    );
    assert_eq!(s(&inc["status"]), "new");
    assert!(inc.get("assignee").is_none());
    assert!(!text(&repo, "incidents/INC-0001.yaml").contains('\u{1b}'));
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn an_unknown_severity_is_an_error_not_a_guess() {
    let repo = repo();
    let path = repo.sandbox.dir("in").join("event.json");
    std::fs::write(&path, r#"{"key": "k3", "title": "t", "severity": "page"}"#)
        .expect("write the input");
    intake(&repo, &[&path.display().to_string()])
        .expect_code(2)
        .stderr_has("severity `page` is not one of intake.severities (critical, info, warning)")
        .stderr_has("intake.severities");
    assert_eq!(changes(&repo), "");
}

#[test]
fn rules_map_labels_to_team_and_category() {
    let repo = repo_with(
        "categories: [storage, network]\nintake:\n  rules:\n    - match: { source: [alertmanager], labels: { alertname: \"^Disk(?P<what>\\\\w+)$\" } }\n      set: { team: ops, category: storage, impact: high }\n",
    );
    intake(&repo, &[&fixture("alertmanager-firing.json")]).expect_code(0);
    let disk = record(&repo, "incidents/INC-0002.yaml");
    assert_eq!(s(&disk["team"]), "ops");
    assert_eq!(s(&disk["category"]), "storage");
    // The rule sets impact; urgency still comes from `severity: warning`.
    assert_eq!(s(&disk["impact"]), "high");
    assert_eq!(s(&disk["urgency"]), "medium");
    assert_eq!(s(&disk["priority"]), "P2");
    let high = record(&repo, "incidents/INC-0001.yaml");
    assert!(high.get("team").is_none());
}

#[test]
fn a_format_given_is_the_format_read() {
    let repo = repo();
    intake(&repo, &["--format", "grafana", &fixture("event.json")])
        .expect_code(2)
        .stderr_has("not a Grafana alerting webhook");
    assert_eq!(changes(&repo), "");
}

#[test]
fn standard_input_is_read() {
    let repo = repo();
    let mut cmd = Command::new(common::bin());
    common::hermetic(&mut cmd, &repo.sandbox.home());
    let mut child = cmd
        .current_dir(&repo.root)
        .args(["intake", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gitsm starts");
    let payload = std::fs::read(fixture("grafana.json")).expect("write the input");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(&payload).expect("write stdin");
    }
    let out = child.wait_with_output().expect("gitsm ends");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(repo.record_files("incidents"), ["incidents/INC-0001.yaml"]);
}

#[test]
fn commit_makes_one_commit_by_the_bot_with_only_the_intake_files() {
    let repo = repo();
    // Other work in progress: a staged file and an unstaged change.
    repo.write("notes.txt", "draft\n");
    repo.git(["add", "notes.txt"]);
    repo.write(
        "cis/db-1.yaml",
        "id: db-1\nname: Orders DB host\nclass: server\nstatus: active\n",
    );
    let before = repo.git(["rev-parse", "HEAD"]);

    intake(&repo, &["--commit", &fixture("alertmanager-firing.json")])
        .expect_code(0)
        .stdout_has("committed ");

    assert_eq!(repo.git(["rev-parse", "HEAD~1"]), before);
    assert_eq!(
        repo.git(["log", "-1", "--format=%an <%ae>|%cn <%ce>|%s"])
            .trim(),
        "gitsm intake <intake@localhost>|gitsm intake <intake@localhost>|intake: open INC-0001, open INC-0002 from alertmanager"
    );
    assert_eq!(
        repo.git(["show", "--name-only", "--format=", "HEAD"]),
        "incidents/INC-0001.yaml\nincidents/INC-0002.yaml\n"
    );
    // What was staged stays staged, what was dirty stays dirty, and the
    // intake files are clean.
    assert_eq!(changes(&repo), " M cis/db-1.yaml\nA  notes.txt\n");

    // One alert: the subject names it.
    intake(&repo, &["--commit", &fixture("grafana.json")]).expect_code(0);
    assert_eq!(
        repo.git(["log", "-1", "--format=%s"]).trim(),
        "intake: open INC-0003 from grafana (CertificateExpiry)"
    );
    repo.run(["validate", "--range", &format!("{}..HEAD", before.trim())])
        .expect_code(0);
}

#[test]
fn commit_with_nothing_written_makes_no_commit() {
    let repo = repo();
    let before = repo.git(["rev-parse", "HEAD"]);
    intake(&repo, &["--commit", &fixture("alertmanager-resolved.json")])
        .expect_code(0)
        .stdout_has("nothing to commit");
    assert_eq!(repo.git(["rev-parse", "HEAD"]), before);
}

#[test]
fn an_alert_that_fires_again_after_its_resolution_opens_a_new_incident() {
    let repo = repo_with("intake:\n  auto_resolve: { code: fixed }\n");
    let path = repo.sandbox.dir("in").join("flap.json");
    let alert = |status: &str| {
        format!(
            r#"{{"status": "{status}", "labels": {{"alertname": "Flap", "severity": "warning"}}, "annotations": {{}}, "fingerprint": "f1"}}"#
        )
    };
    std::fs::write(
        &path,
        format!(
            r#"{{"version": "4", "status": "firing", "alerts": [{}, {}, {}, {}]}}"#,
            alert("firing"),
            alert("resolved"),
            alert("firing"),
            alert("firing")
        ),
    )
    .expect("write the input");
    intake(&repo, &[&path.display().to_string()])
        .expect_code(0)
        .stdout_has("INC-0001: resolved")
        .stdout_has("opened INC-0002")
        .stdout_has("INC-0002: alertmanager `Flap` again (occurrence 2)");
    assert_eq!(
        s(&record(&repo, "incidents/INC-0001.yaml")["status"]),
        "resolved"
    );
    let second = record(&repo, "incidents/INC-0002.yaml");
    assert_eq!(second["event"]["occurrences"].as_u64(), Some(2));
}
