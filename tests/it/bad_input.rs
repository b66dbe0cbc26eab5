//! Bad input of every kind gives a clear error naming the file (and line and
//! column where there is one), the documented exit code, and never a panic.

use crate::common;

use common::{Repo, Run, VALID_INCIDENT};

const INC: &str = "incidents/INC-0001.yaml";

/// A fresh managed repository holding `contents` at `rel`, and the result of
/// `gitsm validate` in it.
fn validate_with(rel: &str, contents: impl AsRef<[u8]>) -> (Repo, Run) {
    let repo = Repo::new();
    repo.write(rel, contents);
    let run = repo.run(["validate"]);
    (repo, run)
}

/// The valid incident with `extra` appended (one more line, line 8).
fn incident_plus(extra: &str) -> String {
    format!("{VALID_INCIDENT}{extra}\n")
}

/// The valid incident with one line replaced.
fn incident_with(from: &str, to: &str) -> String {
    assert!(VALID_INCIDENT.contains(from), "fixture has no {from:?}");
    VALID_INCIDENT.replacen(from, to, 1)
}

/// stderr has `path:line:COL` with a numeric column.
#[track_caller]
fn assert_located(run: &Run, path: &str, line: u32) {
    let needle = format!("{path}:{line}:");
    let found = run.stderr.match_indices(&needle).any(|(i, _)| {
        run.stderr[i + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    });
    assert!(found, "stderr does not name {needle}<col>:\n{run}");
}

/// Exit code 1, no panic, the file is named at `line`.
#[track_caller]
fn assert_fails_at(run: &Run, path: &str, line: u32) {
    run.expect_code(1);
    assert_located(run, path, line);
}

// ---------------------------------------------------------------- YAML

#[test]
fn malformed_yaml_names_line_and_column() {
    let (_r, run) = validate_with(INC, "id: INC-0001\ntitle: VPN down\nstatus: new: bad\n");
    assert_fails_at(&run, INC, 3);
}

#[test]
fn unclosed_flow_sequence_is_a_located_error() {
    let (_r, run) = validate_with(
        INC,
        "id: INC-0001\ntitle: VPN down\nstatus: [new\ncreated_at: x\n",
    );
    run.expect_code(1).stderr_has(&format!("{INC}:"));
}

#[test]
fn duplicate_yaml_keys_are_an_error() {
    let (_r, run) = validate_with(INC, incident_plus("title: VPN down again"));
    assert_fails_at(&run, INC, 8);
    run.stderr_has("duplicate").stderr_has("title");
}

#[test]
fn alias_bomb_is_refused_at_its_bound() {
    // Billion laughs: 9^9 strings if expanded.
    let mut text =
        String::from("id: INC-0001\nlol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..=9 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 9].join(", ");
        text.push_str(&format!("lol{i}: &a{i} [{items}]\n"));
    }
    let repo = Repo::new();
    repo.write(INC, &text);
    let run = repo.run(["validate"]);
    run.expect_code(1).stderr_has(INC);
    // Refused at a bound (here the 64 KiB of text a small file may expand
    // to), so never expanded: no timing needed to tell.
    assert!(
        run.stderr.contains("(an alias bomb?); refused"),
        "not refused at a bound:\n{run}"
    );
}

#[test]
fn non_utf8_file_is_an_error() {
    let (_r, run) = validate_with(INC, b"id: INC-0001\ntitle: \xff\xfe\n");
    run.expect_code(1).stderr_has(INC).stderr_has("UTF-8");
    assert_located(&run, INC, 2);
}

#[test]
fn nul_bytes_are_an_error() {
    let (_r, run) = validate_with(INC, b"id: INC-0001\ntitle: a\0b\n");
    run.expect_code(1).stderr_has(INC);
}

#[test]
fn empty_file_is_an_error() {
    let (_r, run) = validate_with(INC, "");
    run.expect_code(1).stderr_has(INC).stderr_has("empty");
}

#[test]
fn file_that_is_not_a_mapping_is_an_error() {
    let (_r, run) = validate_with(INC, "- id: INC-0001\n- title: VPN down\n");
    assert_fails_at(&run, INC, 1);
}

#[test]
fn huge_file_is_refused() {
    let mut text = String::from(VALID_INCIDENT);
    text.push_str("description: |\n");
    let line = format!("  {}\n", "x".repeat(99));
    while text.len() < 2 * 1024 * 1024 {
        text.push_str(&line);
    }
    let (_r, run) = validate_with(INC, &text);
    run.expect_code(1).stderr_has(INC);
}

#[test]
fn symlinked_record_is_an_error() {
    let repo = Repo::new();
    let target = repo.sandbox.dir("elsewhere").join("INC-0001.yaml");
    std::fs::write(&target, VALID_INCIDENT).expect("write target");
    std::os::unix::fs::symlink(&target, repo.path(INC)).expect("symlink");
    let run = repo.run(["validate"]);
    run.expect_code(1).stderr_has(INC);
    assert!(
        run.stderr.to_lowercase().contains("link"),
        "message does not say the file is a link:\n{run}"
    );
    // Nothing was lost: the link and its target are untouched.
    assert_eq!(
        std::fs::read_to_string(&target).expect("target readable"),
        VALID_INCIDENT
    );
    assert!(
        std::fs::symlink_metadata(repo.path(INC))
            .expect("link still there")
            .file_type()
            .is_symlink()
    );
}

// ---------------------------------------------------------------- schema

#[test]
fn key_typo_suggests_the_right_key() {
    let (_r, run) = validate_with(INC, incident_plus("asignee: bob@example.com"));
    assert_fails_at(&run, INC, 8);
    run.stderr_has("unknown key")
        .stderr_has("asignee")
        .stderr_has("did you mean")
        .stderr_has("assignee");
}

#[test]
fn wrong_enum_value_is_an_error() {
    let (_r, run) = validate_with(INC, incident_with("impact: high", "impact: urgent"));
    assert_fails_at(&run, INC, 6);
    run.stderr_has("urgent").stderr_has("impact");
}

#[test]
fn wrong_type_is_an_error() {
    let (_r, run) = validate_with(INC, incident_plus("support_level: two"));
    assert_fails_at(&run, INC, 8);
    run.stderr_has("support_level");
}

#[test]
fn unknown_state_is_an_error() {
    let (_r, run) = validate_with(INC, incident_with("status: new", "status: opened"));
    assert_fails_at(&run, INC, 3);
    run.stderr_has("opened");
}

#[test]
fn state_missing_its_required_field_is_an_error() {
    let (_r, run) = validate_with(INC, incident_with("status: new", "status: in_progress"));
    run.expect_code(1).stderr_has(INC).stderr_has("assignee");
    assert_located(&run, INC, 3);
}

#[test]
fn in_progress_with_assignee_is_fine() {
    // The counterpart of the case above: the same record with the field passes.
    let text = format!(
        "{}assignee: someone@example.com\n",
        incident_with("status: new", "status: in_progress")
    );
    let (_r, run) = validate_with(INC, text);
    run.expect_code(0);
}

#[test]
fn priority_not_matching_the_matrix_is_an_error() {
    let (_r, run) = validate_with(INC, incident_plus("priority: P4"));
    assert_fails_at(&run, INC, 8);
    run.stderr_has("P4").stderr_has("P1");
}

#[test]
fn timestamps_out_of_order_are_an_error() {
    let (_r, run) = validate_with(INC, incident_plus("resolved_at: 2026-11-19T09:00:00+01:00"));
    assert_fails_at(&run, INC, 8);
    run.stderr_has("resolved_at").stderr_has("created_at");
}

// ---------------------------------------------------------------- ids and references

#[test]
fn dangling_reference_is_an_error() {
    let (_r, run) = validate_with(INC, incident_plus("problem: PRB-0099"));
    assert_fails_at(&run, INC, 8);
    run.stderr_has("PRB-0099");
}

#[test]
fn duplicate_id_in_year_folder_names_both_files() {
    let repo = Repo::new();
    repo.write(INC, VALID_INCIDENT);
    repo.write("incidents/2026/INC-0001.yaml", VALID_INCIDENT);
    let run = repo.run(["validate"]);
    run.expect_code(1).stderr_has("INC-0001");
    assert_located(&run, "incidents/INC-0001.yaml", 1);
    assert_located(&run, "incidents/2026/INC-0001.yaml", 1);
}

#[test]
fn id_not_matching_file_name_is_an_error() {
    let (_r, run) = validate_with(INC, incident_with("id: INC-0001", "id: INC-0002"));
    assert_fails_at(&run, INC, 1);
    run.stderr_has("INC-0002");
}

#[test]
fn id_with_slash_is_an_error() {
    let (_r, run) = validate_with(INC, incident_with("id: INC-0001", "id: incidents/INC-0001"));
    assert_fails_at(&run, INC, 1);
    run.stderr_has("/");
}

#[test]
fn id_with_dot_dot_is_an_error() {
    let (_r, run) = validate_with(INC, incident_with("id: INC-0001", "id: ../INC-0001"));
    assert_fails_at(&run, INC, 1);
    run.stderr_has("..");
}

#[test]
fn ci_depends_on_cycle_names_the_cycle() {
    let repo = Repo::new();
    let ci = |id: &str, dep: &str| {
        format!(
            "id: {id}\nname: {id}\nclass: application\nstatus: active\nrelations:\n  depends_on: [{dep}]\n"
        )
    };
    repo.write("cis/web-app.yaml", ci("web-app", "api-svc"));
    repo.write("cis/api-svc.yaml", ci("api-svc", "orders-db"));
    repo.write("cis/orders-db.yaml", ci("orders-db", "web-app"));
    let run = repo.run(["validate"]);
    run.expect_code(1).stderr_has("cycle");
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("cycle"))
        .unwrap_or_default();
    for id in ["web-app", "api-svc", "orders-db"] {
        assert!(
            line.contains(id),
            "cycle message does not name {id}:\n{run}"
        );
    }
    assert!(run.stderr.contains("cis/"), "no file named:\n{run}");
}

#[test]
fn ci_chain_without_cycle_is_fine() {
    let repo = Repo::new();
    repo.write(
        "cis/web-app.yaml",
        "id: web-app\nname: Web\nclass: application\nstatus: active\nrelations:\n  depends_on: [orders-db]\n",
    );
    repo.write(
        "cis/orders-db.yaml",
        "id: orders-db\nname: Orders DB\nclass: database\nstatus: active\n",
    );
    repo.run(["validate"]).expect_code(0);
}

// ---------------------------------------------------------------- gitsm.yaml

fn bad_config(text: &str) -> Run {
    let repo = Repo::new();
    repo.write("gitsm.yaml", text);
    let run = repo.run(["validate"]);
    // Other commands refuse the same way.
    let list = repo.run(["list"]);
    list.expect_code(2).stderr_has("gitsm.yaml");
    run
}

#[test]
fn config_with_bad_duration_is_a_config_error() {
    let run = bad_config("people: {}\nsla:\n  P1: { response: soon, resolution: 4h }\n");
    run.expect_code(2).stderr_has("soon");
    assert_located(&run, "gitsm.yaml", 3);
}

#[test]
fn config_with_only_bad_response_is_a_config_error() {
    let run = bad_config("sla: { P1: { response: soon } }\n");
    run.expect_code(2).stderr_has("response");
    assert_located(&run, "gitsm.yaml", 1);
}

#[test]
fn config_syntax_error_is_a_config_error() {
    let run = bad_config("people: {}\nsla: soon: now\n");
    run.expect_code(2);
    assert_located(&run, "gitsm.yaml", 2);
}

#[test]
fn config_unknown_key_is_a_config_error() {
    let run = bad_config("people: {}\ngroupz: {}\n");
    run.expect_code(2)
        .stderr_has("groupz")
        .stderr_has("did you mean")
        .stderr_has("groups");
    assert_located(&run, "gitsm.yaml", 2);
}

#[test]
fn empty_config_works() {
    let repo = Repo::new();
    repo.write("gitsm.yaml", "");
    repo.write(INC, VALID_INCIDENT);
    repo.run(["validate"]).expect_code(0);
}

// ---------------------------------------------------------------- output formats

/// A repository with exactly two errors in two files.
fn two_errors() -> Repo {
    let repo = Repo::new();
    repo.write(INC, incident_plus("asignee: bob@example.com"));
    repo.write(
        "incidents/INC-0002.yaml",
        incident_with("id: INC-0001", "id: INC-0002").replacen("impact: high", "impact: urgent", 1),
    );
    repo
}

#[test]
fn json_format_parses_and_counts_errors() {
    let repo = two_errors();
    let run = repo.run(["validate", "--format", "json"]);
    run.expect_code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{run}"));
    assert_eq!(doc["errors"], 2, "{run}");
    let diags = doc["diagnostics"].as_array().expect("diagnostics list");
    assert_eq!(diags.len(), 2, "{run}");
    assert!(
        diags.iter().any(|d| d["path"] == INC),
        "no diagnostic names {INC}:\n{run}"
    );
}

#[test]
fn json_format_on_clean_repo_reports_zero() {
    let repo = Repo::new();
    repo.write(INC, VALID_INCIDENT);
    let run = repo.run(["validate", "--format", "json"]);
    run.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(doc["errors"], 0, "{run}");
}

#[test]
fn github_format_writes_annotations_and_a_summary() {
    let repo = two_errors();
    let run = repo.run(["validate", "--format", "github"]);
    run.expect_code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines.len() >= 3,
        "expected 2 annotations and a summary:\n{run}"
    );
    let (summary, annotations) = lines.split_last().expect("lines");
    assert_eq!(annotations.len(), 2, "{run}");
    for l in annotations {
        assert!(
            l.starts_with("::error file="),
            "not an annotation: {l:?}\n{run}"
        );
    }
    assert!(
        annotations
            .iter()
            .any(|l| l.starts_with(&format!("::error file={INC},line=8,"))),
        "no annotation for {INC} line 8:\n{run}"
    );
    assert!(
        summary.starts_with("::"),
        "summary is not a workflow command: {summary:?}"
    );
    assert!(
        summary.contains("2 errors"),
        "summary does not count errors: {summary:?}"
    );
}

#[test]
fn junit_format_is_xml() {
    let repo = two_errors();
    let run = repo.run(["validate", "--format", "junit"]);
    run.expect_code(1);
    assert!(run.stdout.trim_start().starts_with("<?xml"), "{run}");
    run.stdout_has("<testsuite")
        .stdout_has("<failure")
        .stdout_has(INC);
}

#[test]
fn sarif_format_is_sarif_json() {
    let repo = two_errors();
    let run = repo.run(["validate", "--format", "sarif"]);
    run.expect_code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{run}"));
    assert_eq!(doc["version"], "2.1.0", "{run}");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "{run}");
    // What code scanning shows: each rule described, with help; columns
    // counted as gitsm counts them; a fingerprint per finding.
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(!rules.is_empty(), "{run}");
    for rule in rules {
        for field in ["name", "shortDescription", "fullDescription", "help"] {
            assert!(!rule[field].is_null(), "{field} missing in {rule}");
        }
        assert_ne!(rule["name"], rule["id"], "{rule}");
    }
    assert_eq!(doc["runs"][0]["columnKind"], "unicodeCodePoints");
    for r in results {
        assert!(
            r["partialFingerprints"]["gitsmFinding/v1"].is_string(),
            "{r}"
        );
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], r["ruleId"], "{r}");
    }
}

#[test]
fn symlinked_year_folder_is_an_error() {
    let repo = Repo::new();
    let elsewhere = repo.sandbox.dir("elsewhere");
    // Invalid on purpose: if the folder were read, validation would fail anyway.
    std::fs::write(elsewhere.join("INC-0001.yaml"), "id: INC-0001\nbogus: 1\n").expect("write");
    std::os::unix::fs::symlink(&elsewhere, repo.path("incidents/2026")).expect("symlink");
    let run = repo.run(["validate"]);
    run.expect_code(1).stderr_has("incidents/2026");
}
