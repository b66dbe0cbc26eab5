//! What users read, as file snapshots (`tests/it/snapshots/`, insta): help
//! texts, diagnostics, `show`, `sla`, `impact`, `gate`, `list`, `history`,
//! `search`, `query`, the report (Markdown) and JSON forms, on the example
//! organisation committed at a fixed date and read at a fixed instant.
//! A change to any of them shows as a diff to review: `cargo insta review`,
//! or `INSTA_UPDATE=always cargo test --test it snapshots::` and `git diff`.
//! Temporary paths and commit ids are filtered out.

use std::path::{Path, PathBuf};

use crate::common::{self, Sandbox, VALID_INCIDENT};

/// `gitsm <args>` in `dir`: exit code, stdout and stderr, as one text.
fn run(sb: &Sandbox, dir: &Path, args: &[&str]) -> String {
    let run = sb.gitsm(dir, args.iter().copied());
    let mut text = format!("$ gitsm {}\nexit {}\n", args.join(" "), run.code);
    if !run.stdout.is_empty() {
        text.push_str(&format!("--- stdout\n{}", run.stdout));
    }
    if !run.stderr.is_empty() {
        text.push_str(&format!("--- stderr\n{}", run.stderr));
    }
    text
}

/// Snapshot `text` under `name`, with the sandbox's paths and commit ids
/// replaced by placeholders.
fn snapshot(sb: &Sandbox, name: &str, text: &str) {
    let home = sb.home();
    let tmp = home.parent().map_or_else(PathBuf::new, Path::to_path_buf);
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.add_filter(&regex::escape(&tmp.to_string_lossy()), "[TMP]");
    settings.add_filter(r"\b[0-9a-f]{40}\b", "[COMMIT]");
    settings.add_filter(r"\b[0-9a-f]{10}\b", "[SHORT]");
    settings.add_filter(r"done in \d+ ms", "done in [MS] ms");
    settings.bind(|| insta::assert_snapshot!(name, text));
}

fn example() -> (Sandbox, PathBuf) {
    let sb = Sandbox::new();
    let root = sb.example_repo();
    (sb, root)
}

#[test]
fn help_texts() {
    let sb = Sandbox::new();
    let dir = sb.dir("anywhere");
    for (name, args) in [
        ("help", &["--help"][..]),
        ("help-validate", &["validate", "--help"]),
        ("help-new", &["new", "--help"]),
        ("help-transition", &["transition", "--help"]),
        ("help-gate", &["gate", "--help"]),
    ] {
        snapshot(&sb, name, &run(&sb, &dir, args));
    }
}

#[test]
fn diagnostics_in_every_format() {
    let repo = common::Repo::new();
    repo.write(
        "incidents/INC-0001.yaml",
        VALID_INCIDENT
            .replace("impact: high", "impact: urgent")
            .replace("status: new", "status: nwe")
            + "asignee: bob@example.com\n",
    );
    repo.write(
        "incidents/INC-0002.yaml",
        "id: INC-0002\ntitle: [unclosed\n",
    );
    for (name, format) in [
        ("validate-text", "text"),
        ("validate-json", "json"),
        ("validate-github", "github"),
        ("validate-junit", "junit"),
    ] {
        let text = run(&repo.sandbox, &repo.root, &["validate", "--format", format]);
        snapshot(&repo.sandbox, name, &text);
    }
}

#[test]
fn usage_errors_name_what_is_wrong_and_what_to_do() {
    let (sb, root) = example();
    for (name, args) in [
        ("unknown-id", &["show", "INC-0O01"][..]),
        ("unknown-state", &["transition", "INC-0001", "resolvd"]),
        ("unknown-kind", &["new", "incidnet"]),
    ] {
        snapshot(&sb, name, &run(&sb, &root, args));
    }
}

#[test]
fn records_and_their_history() {
    let (sb, root) = example();
    for (name, args) in [
        ("show-incident", &["show", "INC-0001"][..]),
        (
            "show-incident-json",
            &["show", "INC-0001", "--format", "json"],
        ),
        ("show-change", &["show", "CHG-0002"]),
        ("show-ci", &["show", "payments-api"]),
        ("history-incident", &["history", "INC-0001"]),
    ] {
        snapshot(&sb, name, &run(&sb, &root, args));
    }
}

#[test]
fn lists_searches_and_queries() {
    let (sb, root) = example();
    for (name, args) in [
        ("list-open", &["list", "--open"][..]),
        (
            "list-open-json",
            &["list", "--open", "--kind", "problem", "--format", "json"],
        ),
        ("search", &["search", "checkout"]),
        (
            "query",
            &[
                "query",
                "SELECT id, status, priority FROM incidents ORDER BY id LIMIT 5",
            ],
        ),
    ] {
        snapshot(&sb, name, &run(&sb, &root, args));
    }
}

#[test]
fn clocks_impact_and_the_gate() {
    let (sb, root) = example();
    let at = "2026-11-21T10:00:00+01:00";
    for (name, args) in [
        ("sla", &["sla", "--at", at][..]),
        ("sla-json", &["sla", "--at", at, "--format", "json"]),
        ("impact", &["impact", "payments-api"]),
        (
            "impact-json",
            &["impact", "payments-api", "--format", "json"],
        ),
        // Signed approvals the gate accepts, inside the window.
        (
            "gate-allowed",
            &["gate", "--change", "CHG-0008", "--at", at],
        ),
        (
            "gate-allowed-json",
            &[
                "gate", "--change", "CHG-0008", "--at", at, "--format", "json",
            ],
        ),
        // A closed change, outside its window.
        (
            "gate-release-denied",
            &["gate", "--release", "portal-web@5.1.1", "--at", at],
        ),
    ] {
        snapshot(&sb, name, &run(&sb, &root, args));
    }
}

#[test]
fn the_report() {
    let (sb, root) = example();
    let args = [
        "report",
        "--until",
        "2026-11-21T10:00:00+01:00",
        "--timezone",
        "Europe/Berlin",
    ];
    snapshot(&sb, "report", &run(&sb, &root, &args));
}
