//! gitsm's outputs read by the real tools that consume them: code scanning
//! (Microsoft's SARIF multitool with GitHub's rules) and editors
//! (yaml-language-server over the Language Server Protocol). The tools are
//! installed by `bash tests/tools/install.sh`; the JUnit report is checked
//! against Jenkins' XSD in `attacks.rs`, the site by vnu and axe-core in
//! `site.rs`.

mod common;

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
    let results = doc["runs"][0]["results"].as_array().cloned().unwrap_or_default();
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
    assert!(rest.is_empty(), "the multitool objects:\n{rest:#?}\n{}", run.stdout);
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
        results.iter().any(|r| r["properties"]["commit"].is_string()),
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
