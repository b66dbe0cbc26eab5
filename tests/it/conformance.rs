//! gitsm's outputs read by the real tools that consume them: code scanning
//! (Microsoft's SARIF multitool with GitHub's rules) and editors
//! (yaml-language-server over the Language Server Protocol). The tools are
//! installed by `bash tests/tools/install.sh`; the JUnit report is checked
//! against Jenkins' XSD in `attacks.rs`, the site by vnu and axe-core in
//! `site.rs`.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{Repo, VALID_INCIDENT};

/// What Microsoft's SARIF multitool says of a SARIF file: the official
/// 2.1.0 schema (`JSON…` results), its own rules (`SARIF…`) and GitHub's
/// ingestion rules (`GH…`), as `(rule id, level, message)`.
fn multitool_findings(sarif: &Path) -> Option<Vec<(String, String, String)>> {
    let tool = common::node_tool("@microsoft/sarif-multitool-linux/Sarif.Multitool")?;
    let log = sarif.with_extension("validation.sarif");
    let out = Command::new(tool)
        .args(["validate", "--rule-kind", "Gh;Sarif", "--output"])
        .arg(&log)
        .arg(sarif)
        // The tool's own globalisation data is not needed to read English.
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("the multitool runs");
    assert!(
        out.status.success(),
        "multitool failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&log).expect("validation log");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("validation log is JSON");
    let results = doc["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Some(
        results
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap_or_default().to_owned(),
                    r["level"].as_str().unwrap_or("warning").to_owned(),
                    r["message"]["text"]
                        .as_str()
                        .or(r["message"]["arguments"][0].as_str())
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect(),
    )
}

/// The SARIF of `args` passes the multitool with one expected warning.
fn assert_fit_for_code_scanning(repo: &Repo, name: &str, args: &[&str]) -> serde_json::Value {
    let run = repo.run(args.iter().copied());
    run.expect_code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    let file = repo.sandbox.dir("sarif").join(format!("{name}.sarif"));
    std::fs::write(&file, &run.stdout).expect("write");
    let Some(findings) = multitool_findings(&file) else {
        return doc;
    };
    // SARIF2005 (no `informationUri`) is the one finding left: gitsm has no
    // published home page to point to. It also proves the file was read:
    // the multitool silently skips a file it cannot deserialise.
    let rest: Vec<_> = findings.iter().filter(|f| f.0 != "SARIF2005").collect();
    assert!(
        rest.is_empty(),
        "the multitool objects:\n{rest:#?}\n{}",
        run.stdout
    );
    assert!(
        findings.iter().any(|f| f.0 == "SARIF2005"),
        "the multitool did not analyse the file: {findings:?}"
    );
    doc
}

#[test]
fn sarif_passes_the_schema_and_github_rules_of_the_multitool() {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    repo.git(["add", "-A"]);
    let base = repo.commit("open INC-0001", "2026-11-20T09:00:00+01:00");
    // History: a transition the workflow does not allow, committed.
    repo.write(
        "incidents/INC-0001.yaml",
        VALID_INCIDENT.replace("status: new", "status: closed"),
    );
    repo.git(["add", "-A"]);
    repo.commit("close INC-0001 at once", "2026-11-20T10:00:00+01:00");
    let range = format!("{base}..HEAD");
    let doc = assert_fit_for_code_scanning(
        &repo,
        "range",
        &["validate", "--range", &range, "--format", "sarif"],
    );
    let results = doc["runs"][0]["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["properties"]["commit"].is_string()),
        "a finding in history names its commit: {doc:#}"
    );

    // The work tree: a file name with a space and a non-ASCII letter (a
    // URI must encode both), and a record with an emoji and a misspelt key.
    repo.write(
        "incidents/INC 0102 é.yaml",
        VALID_INCIDENT.replace("INC-0001", "INC-0102"),
    );
    repo.write(
        "incidents/INC-0103.yaml",
        VALID_INCIDENT
            .replace("INC-0001", "INC-0103")
            .replace("title: VPN down", "title: 🔥 VPN down\nimpakt: high"),
    );
    let doc = assert_fit_for_code_scanning(&repo, "tree", &["validate", "--format", "sarif"]);
    let uris: Vec<&str> = doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(
        uris.contains(&"incidents/INC%200102%20%C3%A9.yaml"),
        "{uris:?}"
    );
}

/// What yaml-language-server, driven over LSP by `tests/tools/lsp.js` as an
/// editor drives it, says of `file`: its diagnostics and the completion at
/// `line:column` (1-based).
fn language_server(file: &Path, line: usize, column: usize) -> Option<serde_json::Value> {
    let node = common::require_tool(&["node", "nodejs"], "apt-get install nodejs")?;
    common::node_tool("yaml-language-server/bin/yaml-language-server")?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/lsp.js");
    let out = Command::new(node)
        .arg(script)
        .arg(file)
        .args([line.to_string(), column.to_string()])
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "lsp.js failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("lsp.js prints JSON"))
}

fn labels(answer: &serde_json::Value) -> Vec<String> {
    answer["completion"]
        .as_array()
        .expect("completion")
        .iter()
        .filter_map(|item| item["label"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn editors_offer_every_property_of_every_schema() {
    let repo = Repo::new();
    // A file of each kind, and gitsm.yaml's schema, as `gitsm new` and
    // `gitsm init` point to them: only the modeline and a blank line.
    let files = [
        ("incidents/EDIT.yaml", "../schemas/incident.schema.json"),
        ("problems/EDIT.yaml", "../schemas/problem.schema.json"),
        ("changes/EDIT.yaml", "../schemas/change.schema.json"),
        ("requests/EDIT.yaml", "../schemas/request.schema.json"),
        ("cis/EDIT.yaml", "../schemas/ci.schema.json"),
        ("EDIT.yaml", "schemas/gitsm.schema.json"),
    ];
    for (rel, schema) in files {
        let file = repo.write(rel, format!("# yaml-language-server: $schema={schema}\n\n"));
        let Some(answer) = language_server(&file, 2, 1) else {
            return;
        };
        let offered = labels(&answer);
        let schema_file = file.parent().expect("folder").join(schema);
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&schema_file).expect("schema"))
                .expect("schema is JSON");
        let properties = schema["properties"].as_object().expect("properties");
        let missing: Vec<&String> = properties.keys().filter(|p| !offered.contains(p)).collect();
        assert!(
            missing.is_empty(),
            "{rel}: the editor does not offer {missing:?} (of {})",
            properties.len()
        );
    }
}

#[test]
fn editors_report_a_wrong_value_where_validate_does_and_describe_the_right_ones() {
    let repo = Repo::new();
    let rel = "incidents/INC-0001.yaml";
    let file = repo.write(
        rel,
        format!(
            "# yaml-language-server: $schema=../schemas/incident.schema.json\n{}\
             on_hold:\n  - start: 2026-11-20T09:30:00+01:00\n    reason: awaiting_lunch\n",
            VALID_INCIDENT.replace("impact: high", "impact: urgent")
        ),
    );
    let run = repo.run(["validate", "--format", "json"]);
    run.expect_code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let mut by_validate: Vec<(u64, u64)> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["path"] == rel)
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    by_validate.sort_unstable();
    // impact on line 7, column 9; the hold reason on line 11, column 13.
    assert_eq!(by_validate, [(7, 9), (11, 13)], "{run}");

    // Completion of the value of `urgency` (line 8, after `urgency: `).
    let Some(answer) = language_server(&file, 8, 10) else {
        return;
    };
    let mut by_editor: Vec<(u64, u64)> = answer["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["character"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    by_editor.sort_unstable();
    assert_eq!(by_editor, by_validate, "{answer:#}");
    let high = answer["completion"]
        .as_array()
        .expect("completion")
        .iter()
        .find(|item| item["label"] == "high")
        .unwrap_or_else(|| panic!("`high` is not offered: {answer:#}"));
    assert!(
        high["documentation"]
            .as_str()
            .is_some_and(|doc| doc.contains("whole service")),
        "the value is not described: {high}"
    );
}

#[test]
fn man_pages_lint_clean_with_mandoc() {
    let repo = Repo::new();
    let dir = repo.sandbox.dir("man");
    repo.run(["man", "-o", &dir.to_string_lossy()])
        .expect_code(0);
    let mut pages: Vec<_> = std::fs::read_dir(&dir)
        .expect("man dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    pages.sort();
    assert!(pages.len() > 20, "{pages:?}");
    assert!(
        pages.iter().any(|p| p.ends_with("gitsm-hooks-install.1")),
        "{pages:?}"
    );
    let Some(mandoc) = common::require_tool(&["mandoc"], "apt-get install mandoc") else {
        return;
    };
    // Every level down to style: the date slot, paragraph macros, line
    // lengths, raw non-ASCII characters.
    let out = Command::new(mandoc)
        .args(["-Tlint", "-W", "style"])
        .args(&pages)
        .output()
        .expect("mandoc runs");
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && report.trim().is_empty(), "{report}");
    let page = std::fs::read_to_string(dir.join("gitsm-validate.1")).expect("page");
    // Each example on a line of its own (a leading space breaks the line).
    assert!(
        page.lines()
            .any(|l| l.starts_with("  gitsm validate \\-\\-staged")),
        "{page}"
    );
    assert!(
        page.lines()
            .any(|l| l.starts_with(".TH GITSM-VALIDATE 1 ") && l.contains("\"gitsm ")),
        "{page}"
    );
}

/// What bash offers for each command line in `lines` (the last word being
/// completed), with the script `gitsm completions bash` prints loaded the
/// way bash-completion loads it.
fn bash_completes(repo: &Repo, lines: &[&str]) -> Option<Vec<Vec<String>>> {
    let bash = common::require_tool(&["bash"], "apt-get install bash")?;
    let script = repo.run(["completions", "bash"]);
    script.expect_code(0);
    let script_file = repo.sandbox.dir("completion").join("gitsm.bash");
    std::fs::write(&script_file, &script.stdout).expect("write");
    let mut program = format!(
        "source {}\n\
         offer() {{\n\
           read -ra COMP_WORDS <<< \"$1\"\n\
           [[ $1 == *' ' ]] && COMP_WORDS+=('')\n\
           COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMP_LINE=$1; COMP_POINT=${{#1}}; COMP_TYPE=9\n\
           _clap_complete_gitsm gitsm \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
           printf '%s\\n' \"${{COMPREPLY[@]}}\" '--'\n\
         }}\n",
        script_file.display()
    );
    for line in lines {
        program.push_str(&format!("offer '{line}'\n"));
    }
    let mut cmd = Command::new(bash);
    common::hermetic(&mut cmd, &repo.sandbox.home());
    let out = cmd
        .env("PATH", common::path_with_bin())
        .current_dir(&repo.root)
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    Some(
        text.split("--\n")
            .take(lines.len())
            .map(|block| block.lines().map(str::to_owned).collect())
            .collect(),
    )
}

#[test]
fn bash_completes_kinds_record_ids_and_states() {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    repo.write(
        "incidents/INC-0002.yaml",
        VALID_INCIDENT.replace("INC-0001", "INC-0002"),
    );
    repo.write(
        "cis/payments-api.yaml",
        "id: payments-api\nname: Payments API\nclass: application\nstatus: active\n",
    );
    let Some(offers) = bash_completes(
        &repo,
        &[
            "gitsm new ",
            "gitsm show INC-",
            "gitsm show pay",
            "gitsm transition INC-0001 in_",
            "gitsm list --priority ",
            "gitsm impact pay",
        ],
    ) else {
        return;
    };
    assert_eq!(
        offers[0][..5],
        ["incident", "problem", "change", "request", "ci"],
        "{offers:?}"
    );
    assert_eq!(offers[1], ["INC-0001", "INC-0002"], "{offers:?}");
    assert_eq!(offers[2], ["payments-api"], "{offers:?}");
    assert!(offers[3].contains(&"in_progress".to_owned()), "{offers:?}");
    assert!(offers[3].iter().all(|s| s.starts_with("in_")), "{offers:?}");
    assert_eq!(offers[4], ["P1", "P2", "P3", "P4"], "{offers:?}");
    assert_eq!(offers[5], ["payments-api"], "{offers:?}");
}

#[test]
fn a_stray_complete_variable_changes_nothing_and_dash_c_is_followed() {
    // Completion answers only to GITSM_COMPLETE: a COMPLETE set for some
    // other tool must not turn every command into an error.
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    repo.run_env(["validate"], &[("COMPLETE", "1")])
        .expect_code(0);
    let answered = repo.run_env(
        ["--", "gitsm", "show", "INC-"],
        &[("GITSM_COMPLETE", "bash"), ("_CLAP_COMPLETE_INDEX", "2")],
    );
    answered.expect_code(0);
    assert!(answered.stdout.contains("INC-0001"), "{answered}");
    // From elsewhere, the `-C DIR` typed on the line says where ids come from.
    let elsewhere = repo.sandbox.dir("elsewhere");
    let root = repo.root.to_string_lossy().into_owned();
    let mut cmd = Command::new(common::bin());
    common::hermetic(&mut cmd, &repo.sandbox.home());
    let out = cmd
        .current_dir(&elsewhere)
        .args(["--", "gitsm", "-C", &root, "show", "INC-"])
        .env("GITSM_COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", "4")
        .output()
        .expect("runs");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("INC-0001"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
