//! The shipped example organisation (`example-repo/`, a managed root inside
//! this project's repository) validates, and `gitsm init --example` recreates
//! it faithfully.

use crate::common;

use std::path::{Path, PathBuf};

use common::Sandbox;

const KIND_FOLDERS: [&str; 5] = ["incidents", "problems", "changes", "requests", "cis"];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example_repo() -> PathBuf {
    manifest_dir().join("example-repo")
}

/// Every file below `dir`, relative to it, sorted.
fn files_below(dir: &Path) -> Vec<PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap_or(&p).to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn yaml_records(root: &Path, folder: &str) -> Vec<PathBuf> {
    files_below(&root.join(folder))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect()
}

#[test]
fn example_repo_validates_with_dash_c() {
    let sb = Sandbox::new();
    // From the project folder, as the README says.
    let run = sb.gitsm(&manifest_dir(), ["-C", "example-repo", "validate"]);
    run.expect_code(0);
    // From anywhere else, with an absolute path.
    let elsewhere = sb.dir("elsewhere");
    let abs = example_repo();
    let run = sb.gitsm(
        &elsewhere,
        [
            "-C".as_ref(),
            abs.as_os_str(),
            "validate".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
        ],
    );
    run.expect_code(0);
    let doc: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{run}"));
    assert_eq!(doc["errors"], 0, "{run}");
    assert!(
        doc["records"].as_u64().unwrap_or(0) > 0,
        "the example has no records:\n{run}"
    );
}

#[test]
fn example_repo_has_records_of_every_kind() {
    let root = example_repo();
    assert!(
        root.join("gitsm.yaml").is_file(),
        "example-repo/gitsm.yaml is missing"
    );
    for folder in KIND_FOLDERS {
        assert!(
            !yaml_records(&root, folder).is_empty(),
            "example-repo/{folder}/ has no records"
        );
    }
}

#[test]
fn example_repo_modelines_point_at_existing_schemas() {
    let root = example_repo();
    let mut checked = 0;
    for folder in KIND_FOLDERS {
        for rel in yaml_records(&root, folder) {
            let path = root.join(folder).join(&rel);
            let text = std::fs::read_to_string(&path).expect("readable record");
            let Some(first) = text.lines().next() else {
                continue;
            };
            let Some(target) = first.strip_prefix("# yaml-language-server: $schema=") else {
                continue;
            };
            let schema = path.parent().expect("parent").join(target.trim());
            assert!(
                schema.is_file(),
                "{} names schema {target}, which does not exist",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "no record in example-repo carries a schema modeline"
    );
}

#[test]
fn init_example_validates_and_lists() {
    let sb = Sandbox::new();
    let root = sb.git_repo("org");
    sb.gitsm(&root, ["init", "--example"]).expect_code(0);
    assert!(root.join("gitsm.yaml").is_file());
    sb.gitsm(&root, ["validate"]).expect_code(0);

    let list = sb.gitsm(&root, ["list", "--format", "json"]);
    list.expect_code(0);
    assert!(
        !list.stderr.contains("could not be read"),
        "some example records are unreadable:\n{list}"
    );
    let rows: serde_json::Value = serde_json::from_str(&list.stdout).expect("JSON");
    let rows = rows.as_array().expect("list");
    for kind in ["incident", "problem", "change", "request", "ci"] {
        assert!(
            rows.iter().any(|r| r["kind"] == kind),
            "init --example made no {kind}:\n{list}"
        );
    }
    // Every listed record can be shown.
    for r in rows {
        let id = r["id"].as_str().expect("id");
        sb.gitsm(&root, ["show", id, "--format", "json"])
            .expect_code(0);
    }
    // Committed, it is still valid (history checks see one commit).
    sb.git(&root, ["add", "-A"]);
    sb.git(&root, ["commit", "-q", "-m", "example"]);
    sb.gitsm(&root, ["validate"]).expect_code(0);
    sb.gitsm(&root, ["validate", "--range", "HEAD"])
        .expect_code(0);
    // Its signed decisions open the gate for the scheduled change, inside
    // its window; the others are denied with their reasons.
    let at = "2026-12-02T23:00:00+01:00";
    sb.gitsm(&root, ["gate", "--change", "CHG-0009", "--at", at])
        .expect_code(0)
        .stdout_has("gate: CHG-0009 ALLOWED");
    sb.gitsm(&root, ["gate", "--change", "CHG-0011", "--at", at])
        .expect_code(1)
        .stdout_has("approvals: needs 2 approval(s) from `cab` (normal rule), has 1")
        .stdout_has("status is `authorize`");
    sb.gitsm(&root, ["gate", "--change", "CHG-0008", "--at", at])
        .expect_code(1)
        .stdout_has("is outside its window");
    // The demo keys sign: Elena's approval completes CHG-0011's.
    sb.gitsm(&root, ["approve", "CHG-0011", "--key", "keys/elena"])
        .expect_code(0)
        .stdout_has("CHG-0011: approved by elena (signed)");
    sb.gitsm(
        &root,
        ["approve", "CHG-0011", "--key", "keys/greta", "--reject"],
    )
    .expect_code(0);
    sb.gitsm(&root, ["validate"]).expect_code(0);
}

#[test]
fn init_example_matches_the_shipped_example() {
    let sb = Sandbox::new();
    let root = sb.git_repo("org");
    sb.gitsm(&root, ["init", "--example"]).expect_code(0);
    let shipped = example_repo();
    let mut compared = 0;
    for rel in files_below(&shipped) {
        let ext = rel.extension().and_then(|e| e.to_str()).unwrap_or_default();
        let key = rel.parent().is_some_and(|d| d.ends_with("keys"));
        if !matches!(ext, "yaml" | "json" | "md") && !key {
            continue;
        }
        let want = std::fs::read(shipped.join(&rel)).expect("shipped file");
        let got = std::fs::read(root.join(&rel))
            .unwrap_or_else(|e| panic!("init --example did not write {}: {e}", rel.display()));
        assert!(
            want == got,
            "init --example wrote a different {} than example-repo/ has",
            rel.display()
        );
        compared += 1;
    }
    assert!(compared > 0, "example-repo/ is empty");
}

#[test]
fn init_example_refuses_to_overwrite() {
    let sb = Sandbox::new();
    let root = sb.git_repo("org");
    common::write_file(&root, "incidents/.keep", "");
    sb.gitsm(&root, ["init", "--example"]).expect_code(0);
    let config = std::fs::read(root.join("gitsm.yaml")).expect("config");
    sb.gitsm(&root, ["init", "--example"]).expect_code(2);
    assert_eq!(
        std::fs::read(root.join("gitsm.yaml")).expect("config"),
        config
    );
}

/// The example's intake story: the Alertmanager alert behind INC-0021
/// fires again and is counted there (a fourth occurrence, by the NOC bot)
/// instead of opening a duplicate; a mail about VPN becomes a `vpn-access`
/// request by the rule in `gitsm.yaml`; `--commit` commits both as the bot
/// and CI's range check accepts the commits.
#[test]
fn example_alerts_and_mail_go_through_its_intake_rules() {
    let sb = Sandbox::new();
    let root = sb.example_repo();
    let alert = r#"{
  "version": "4", "status": "firing", "receiver": "gitsm", "groupKey": "{}:{}",
  "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
  "externalURL": "http://alertmanager.example.com:9093",
  "alerts": [{
    "status": "firing",
    "labels": { "alertname": "PaymentsRefundErrors", "severity": "warning", "job": "payments-api" },
    "annotations": { "summary": "Partial refunds failing" },
    "startsAt": "2026-11-21T05:30:00Z", "endsAt": "0001-01-01T00:00:00Z",
    "generatorURL": "http://prometheus.example.com:9090/graph",
    "fingerprint": "3f9c2a71d04be815"
  }]
}"#;
    let incidents = || {
        std::fs::read_dir(root.join("incidents"))
            .expect("incidents")
            .count()
    };
    let before = incidents();
    let alert_file = sb.dir("in").join("alert.json");
    std::fs::write(&alert_file, alert).expect("alert");
    sb.gitsm(
        &root,
        ["intake", alert_file.to_str().expect("utf-8"), "--commit"],
    )
    .expect_code(0)
    .stdout_has("INC-0021: alertmanager `PaymentsRefundErrors` again (occurrence 4)");
    let inc: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(root.join("incidents/INC-0021.yaml")).expect("INC-0021"),
    )
    .expect("YAML");
    assert_eq!(inc["event"]["occurrences"], 4);
    // NOW is 2026-11-21T10:00:00+01:00.
    assert_eq!(inc["event"]["last_at"], "2026-11-21T10:00:00+01:00");
    let notes = inc["notes"].as_sequence().expect("notes");
    assert_eq!(
        notes.last().expect("a note")["by"],
        "noc-alerts@example.com"
    );
    assert_eq!(incidents(), before, "a repeat opened a duplicate incident");

    let mail = "From: Tom Berger <tom.berger@example.com>\r\nTo: servicedesk@example.com\r\n\
Subject: VPN for our new contractor\r\nDate: Sat, 21 Nov 2026 09:40:00 +0100\r\n\
Message-ID: <vpn-1@example.com>\r\n\r\nPlease give Sam Lee VPN access until the end of March.\r\n";
    let mail_file = sb.dir("in").join("mail.eml");
    std::fs::write(&mail_file, mail).expect("mail");
    let run = sb.gitsm(
        &root,
        [
            "intake",
            mail_file.to_str().expect("utf-8"),
            "--commit",
            "--json",
        ],
    );
    run.expect_code(0);
    let out: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(out["events"][0]["action"], "opened");
    let path = root.join(out["events"][0]["path"].as_str().expect("path"));
    let req: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).expect("request")).expect("YAML");
    assert_eq!(req["catalog_item"], "vpn-access");
    assert_eq!(req["requested_by"], "tom.berger@example.com");

    let author = sb.git(&root, ["log", "-2", "--format=%an <%ae>"]);
    assert_eq!(
        author.lines().collect::<Vec<_>>(),
        ["NOC alerts <noc-alerts@example.com>"; 2],
        "intake commits as the bot"
    );
    sb.gitsm(&root, ["validate", "--range", "HEAD~2..HEAD"])
        .expect_code(0);
}
