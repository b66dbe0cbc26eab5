//! The first hour of a new user: init, new, list, show, validate, and the
//! small commands around them.

use crate::common;

use common::{NOW, Repo, Sandbox};
use serde_json::Value;

fn json(run: &common::Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{run}"))
}

#[test]
fn fresh_repository_validates() {
    let repo = Repo::new();
    for folder in ["incidents", "problems", "changes", "requests", "cis"] {
        assert!(repo.path(folder).is_dir(), "init made no {folder}/");
    }
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn init_twice_is_a_usage_error() {
    let repo = Repo::new();
    let before = std::fs::read(repo.path("gitsm.yaml")).expect("config");
    let run = repo.run(["init"]);
    run.expect_code(2).stderr_has("gitsm.yaml");
    assert_eq!(
        std::fs::read(repo.path("gitsm.yaml")).expect("config"),
        before,
        "a second init changed gitsm.yaml"
    );
}

#[test]
fn outside_a_managed_repository_is_a_usage_error() {
    let sandbox = Sandbox::new();
    let dir = sandbox.git_repo("plain");
    let run = sandbox.gitsm(&dir, ["list"]);
    run.expect_code(2).stderr_has("gitsm init");
}

#[test]
fn new_incident_flow() {
    let repo = Repo::new();
    let run = repo.run([
        "new",
        "incident",
        "--title",
        "VPN down",
        "--set",
        "impact=high",
        "--set",
        "urgency=high",
    ]);
    run.expect_code(0);
    assert_eq!(run.stdout.trim(), "incidents/INC-0001.yaml", "{run}");
    let text = std::fs::read_to_string(repo.path("incidents/INC-0001.yaml")).expect("new file");
    assert!(text.contains("id: INC-0001"), "{text}");
    assert!(text.contains("title: VPN down"), "{text}");
    // The fixed clock and the Git identity are used.
    assert!(text.contains(NOW), "created_at is not GITSM_NOW:\n{text}");
    assert!(
        text.contains("tester@example.com"),
        "reporter is not the Git identity:\n{text}"
    );

    // list --format json
    let list = repo.run(["list", "--format", "json"]);
    list.expect_code(0);
    let rows = json(&list);
    let rows = rows.as_array().expect("a JSON list");
    assert_eq!(rows.len(), 1, "{list}");
    assert_eq!(rows[0]["id"], "INC-0001");
    assert_eq!(rows[0]["priority"], "P1", "{list}");
    assert_eq!(rows[0]["status"], "new", "{list}");

    // show --format json
    let show = repo.run(["show", "INC-0001", "--format", "json"]);
    show.expect_code(0);
    let doc = json(&show);
    assert_eq!(doc["id"], "INC-0001", "{show}");
    assert_eq!(doc["priority"], "P1", "{show}");

    // show as text names the record
    repo.run(["show", "INC-0001"])
        .expect_code(0)
        .stdout_has("INC-0001")
        .stdout_has("VPN down");

    // A second record takes the next number.
    let second = repo.run(["new", "incident", "--title", "Printer jammed"]);
    second.expect_code(0);
    assert_eq!(second.stdout.trim(), "incidents/INC-0002.yaml", "{second}");

    repo.run(["validate"]).expect_code(0);
}

#[test]
fn new_with_bad_set_writes_nothing() {
    let repo = Repo::new();
    let run = repo.run([
        "new",
        "incident",
        "--title",
        "VPN down",
        "--set",
        "impact=urgent",
    ]);
    run.expect_code(1).stderr_has("urgent");
    assert!(
        repo.record_files("incidents").is_empty(),
        "a file was written: {:?}",
        repo.record_files("incidents")
    );
    // And the next good one is still INC-0001.
    let ok = repo.run(["new", "incident", "--title", "VPN down"]);
    ok.expect_code(0);
    assert_eq!(ok.stdout.trim(), "incidents/INC-0001.yaml", "{ok}");
}

#[test]
fn new_with_unknown_set_key_writes_nothing() {
    let repo = Repo::new();
    let run = repo.run([
        "new",
        "incident",
        "--title",
        "VPN down",
        "--set",
        "asignee=bob",
    ]);
    assert_ne!(run.code, 0, "a typo in --set was accepted:\n{run}");
    assert!(!run.stderr.contains("panicked"), "{run}");
    run.stderr_has("asignee").stderr_has("assignee");
    assert!(
        repo.record_files("incidents").is_empty(),
        "a file was written: {:?}",
        repo.record_files("incidents")
    );
}

#[test]
fn new_ci_derives_a_slug_id() {
    let repo = Repo::new();
    let run = repo.run(["new", "ci", "--title", "Payments API"]);
    run.expect_code(0);
    assert_eq!(run.stdout.trim(), "cis/payments-api.yaml", "{run}");
    let show = repo.run(["show", "payments-api", "--format", "json"]);
    show.expect_code(0);
    assert_eq!(json(&show)["record"]["name"], "Payments API", "{show}");
}

#[test]
fn new_change_with_list_field() {
    let repo = Repo::new();
    repo.run(["new", "ci", "--title", "web"]).expect_code(0);
    repo.run(["new", "ci", "--title", "db"]).expect_code(0);
    let run = repo.run([
        "new",
        "change",
        "--title",
        "Upgrade db",
        "--set",
        "cis=web,db",
    ]);
    run.expect_code(0);
    assert_eq!(run.stdout.trim(), "changes/CHG-0001.yaml", "{run}");
    let show = repo.run(["show", "CHG-0001", "--format", "json"]);
    show.expect_code(0);
    assert_eq!(
        json(&show)["record"]["cis"],
        serde_json::json!(["web", "db"]),
        "{show}"
    );
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn new_change_naming_missing_cis_is_refused() {
    let repo = Repo::new();
    let run = repo.run([
        "new",
        "change",
        "--title",
        "Upgrade db",
        "--set",
        "cis=nope",
    ]);
    run.expect_code(1).stderr_has("nope");
    assert!(repo.record_files("changes").is_empty());
}

#[test]
fn list_status_csv_has_a_header() {
    let repo = Repo::new();
    repo.run(["new", "incident", "--title", "VPN down"])
        .expect_code(0);
    repo.run(["new", "problem", "--title", "VPN flaps"])
        .expect_code(0);
    let run = repo.run(["list", "--status", "new", "--format", "csv"]);
    run.expect_code(0);
    let mut lines = run.stdout.lines();
    let header = lines.next().expect("a header line");
    assert!(header.starts_with("id,"), "no header: {header:?}");
    assert!(header.contains("status"), "no status column: {header:?}");
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{run}");
    assert!(rows.iter().any(|r| r.starts_with("INC-0001,")), "{run}");
    assert!(rows.iter().any(|r| r.starts_with("PRB-0001,")), "{run}");

    // A state nothing is in lists only the header.
    let none = repo.run(["list", "--status", "closed", "--format", "csv"]);
    none.expect_code(0);
    assert_eq!(none.stdout.lines().count(), 1, "{none}");
}

#[test]
fn list_filters_by_kind_and_priority() {
    let repo = Repo::new();
    repo.run([
        "new",
        "incident",
        "--title",
        "a",
        "--set",
        "impact=high",
        "--set",
        "urgency=high",
    ])
    .expect_code(0);
    repo.run([
        "new",
        "incident",
        "--title",
        "b",
        "--set",
        "impact=low",
        "--set",
        "urgency=low",
    ])
    .expect_code(0);
    repo.run(["new", "problem", "--title", "c"]).expect_code(0);
    let p1 = json(
        repo.run(["list", "--priority", "P1", "--format", "json"])
            .expect_code(0),
    );
    let ids: Vec<&str> = p1
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, ["INC-0001"]);
    let problems = json(
        repo.run(["list", "problem", "--format", "json"])
            .expect_code(0),
    );
    let ids: Vec<&str> = problems
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, ["PRB-0001"]);
}

#[test]
fn show_unknown_id_suggests_a_close_one() {
    let repo = Repo::new();
    repo.run(["new", "incident", "--title", "VPN down"])
        .expect_code(0);
    repo.run(["show", "INC-001"])
        .expect_code(2)
        .stderr_has("did you mean")
        .stderr_has("INC-0001");
    let far = repo.run(["show", "NOPE"]);
    far.expect_code(2).stderr_has("NOPE");
}

#[test]
fn completions_and_man() {
    let repo = Repo::new();
    let c = repo.run(["completions", "bash"]);
    c.expect_code(0).stdout_has("gitsm");
    let m = repo.run(["man"]);
    m.expect_code(0).stdout_has(".TH");
    // man works outside a managed repository too.
    let sandbox = Sandbox::new();
    let dir = sandbox.dir("nowhere");
    sandbox
        .gitsm(&dir, ["man"])
        .expect_code(0)
        .stdout_has(".TH");
    sandbox
        .gitsm(&dir, ["completions", "zsh"])
        .expect_code(0)
        .stdout_has("gitsm");
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let repo = Repo::new();
    repo.run(["frobnicate"]).expect_code(2);
    repo.run(["new", "incident"])
        .expect_code(2)
        .stderr_has("--title");
}

/// Origin (bare) with one commit from A; B clones it, adds three incidents
/// and pushes; A fetches. Returns (sandbox, A).
fn upstream_with_three_incidents(subfolder: Option<&str>) -> (Sandbox, std::path::PathBuf) {
    let sb = Sandbox::new();
    let origin = sb.dir("origin.git");
    sb.git(
        &origin,
        ["-c", "init.defaultBranch=main", "init", "-q", "--bare"],
    );

    let a = sb.git_repo("a");
    let a_root = match subfolder {
        Some(s) => sb.dir(&format!("a/{s}")),
        None => a.clone(),
    };
    sb.gitsm(&a_root, ["init"]).expect_code(0);
    sb.git(&a, ["add", "-A"]);
    sb.git(&a, ["commit", "-q", "-m", "init"]);
    sb.git(
        &a,
        [
            "remote",
            "add",
            "origin",
            origin.to_str().expect("utf-8 path"),
        ],
    );
    sb.git(&a, ["push", "-q", "origin", "main"]);
    sb.git(&a, ["fetch", "-q", "origin"]);
    sb.git(&a, ["remote", "set-head", "origin", "main"]);

    let b_parent = sb.dir("bclone");
    sb.git(
        &b_parent,
        ["clone", "-q", origin.to_str().expect("utf-8 path"), "b"],
    );
    let b = b_parent.join("b");
    common::set_identity(&sb.home(), &b);
    let b_root = match subfolder {
        Some(s) => b.join(s),
        None => b.clone(),
    };
    for n in 1..=3 {
        let run = sb.gitsm(
            &b_root,
            ["new", "incident", "--title", &format!("upstream {n}")],
        );
        run.expect_code(0);
        assert_eq!(
            run.stdout.trim(),
            format!("incidents/INC-000{n}.yaml"),
            "{run}"
        );
    }
    sb.git(&b, ["add", "-A"]);
    sb.git(&b, ["commit", "-q", "-m", "three incidents"]);
    sb.git(&b, ["push", "-q", "origin", "main"]);

    sb.git(&a, ["fetch", "-q", "origin"]);
    (sb, a_root)
}

#[test]
fn new_skips_ids_taken_upstream() {
    let (sb, a) = upstream_with_three_incidents(None);
    assert!(
        !a.join("incidents/INC-0001.yaml").exists(),
        "A has not merged"
    );
    let run = sb.gitsm(&a, ["new", "incident", "--title", "local"]);
    run.expect_code(0);
    assert_eq!(run.stdout.trim(), "incidents/INC-0004.yaml", "{run}");
}

#[test]
fn new_skips_ids_taken_upstream_in_a_subfolder() {
    let (sb, a) = upstream_with_three_incidents(Some("itsm"));
    assert!(
        !a.join("incidents/INC-0001.yaml").exists(),
        "A has not merged"
    );
    let run = sb.gitsm(&a, ["new", "incident", "--title", "local"]);
    run.expect_code(0);
    assert_eq!(run.stdout.trim(), "incidents/INC-0004.yaml", "{run}");
}

#[test]
fn new_title_with_yaml_special_characters_round_trips() {
    let repo = Repo::new();
    let title = "x: \"y\" #z & *w";
    repo.run(["new", "incident", "--title", title])
        .expect_code(0);
    let show = repo.run(["show", "INC-0001", "--format", "json"]);
    show.expect_code(0);
    assert_eq!(json(&show)["record"]["title"], title, "{show}");
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn new_with_dotted_and_typed_set() {
    let repo = Repo::new();
    repo.run([
        "new",
        "incident",
        "--title",
        "w",
        "--set",
        "support_level=2",
        "--set",
        "resolution.code=fixed",
    ])
    .expect_code(0);
    let show = repo.run(["show", "INC-0001", "--format", "json"]);
    show.expect_code(0);
    let rec = &json(&show)["record"];
    assert_eq!(rec["support_level"], 2, "{show}");
    assert_eq!(rec["resolution"]["code"], "fixed", "{show}");
}

#[test]
fn new_writes_no_null_fields() {
    let repo = Repo::new();
    repo.run([
        "new",
        "incident",
        "--title",
        "w",
        "--set",
        "resolution.code=fixed",
    ])
    .expect_code(0);
    let text = std::fs::read_to_string(repo.path("incidents/INC-0001.yaml")).expect("file");
    assert!(
        !text.lines().any(|l| l.trim_end().ends_with(": null")),
        "the new record has fields nobody set:\n{text}"
    );
}
