//! `gitsm set`, `transition` and `link`: edits in place that keep every
//! untouched byte, are checked before they are written, and leave the file
//! as it was when they are refused.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{Repo, Run, bin, hermetic};

/// When the records below were committed.
const DAY1: &str = "2026-11-20T10:00:00+01:00";

/// An incident as a person writes it: a schema modeline, comments, quoting,
/// a block scalar and a trailing comment line.
const HAND_WRITTEN: &str = "\
# yaml-language-server: $schema=../schemas/incident.schema.json
id: INC-0003
title: \"VPN: drops every hour\"   # as reported by phone
status: new   # triage pending
created_at: 2026-11-20T09:00:00+01:00
reported_by: 'someone@example.com'
impact: high
urgency: high
description: |
  Users in Berlin lose the tunnel
  about once an hour.

# Escalate to the network team if it persists.
";

const PROBLEM: &str = "\
id: PRB-0001
title: VPN concentrator drops sessions
status: new
created_at: 2026-11-20T09:30:00+01:00
reported_by: someone@example.com
";

/// A managed repository where `carol` is a person whose Git email is the
/// repository's `user.email`, holding `INC-0003`.
fn repo() -> Repo {
    let repo = Repo::new();
    let config = repo.path("gitsm.yaml");
    let text = std::fs::read_to_string(&config).expect("read gitsm.yaml");
    assert!(text.contains("people: {}\n"), "unexpected starter config");
    std::fs::write(
        &config,
        text.replacen(
            "people: {}\n",
            "people:\n  carol: { name: Carol Diaz, emails: [carol@example.com] }\n",
            1,
        ),
    )
    .expect("write gitsm.yaml");
    repo.git(["config", "user.email", "carol@example.com"]);
    repo.write("incidents/INC-0003.yaml", HAND_WRITTEN);
    repo
}

fn read(repo: &Repo, rel: &str) -> String {
    std::fs::read_to_string(repo.path(rel)).expect("read record")
}

/// Run gitsm with the clock at `now`.
fn run_at(repo: &Repo, now: &str, args: &[&str]) -> Run {
    let mut cmd = Command::new(bin());
    hermetic(&mut cmd, &repo.sandbox.home());
    let out = cmd
        .env("GITSM_NOW", now)
        .current_dir(&repo.root)
        .args(args)
        .output()
        .expect("gitsm starts");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run `args`, expect `code`, and check the record file did not change.
#[track_caller]
fn refused(repo: &Repo, rel: &str, args: &[&str], code: i32) -> Run {
    let before = std::fs::read(repo.path(rel)).expect("read before");
    let run = repo.run(args);
    run.expect_code(code);
    let after = std::fs::read(repo.path(rel)).expect("read after");
    assert!(before == after, "{rel} changed although refused:\n{run}");
    run
}

#[test]
fn a_transition_keeps_comments_quoting_and_key_order() {
    let repo = repo();
    repo.run([
        "transition",
        "INC-0003",
        "in_progress",
        "--note",
        "Looking at the concentrator",
    ])
    .expect_code(0)
    .stdout_has("INC-0003: new -> in_progress (incidents/INC-0003.yaml)")
    .stdout_has("assignee: carol (you)");
    let expected = "\
# yaml-language-server: $schema=../schemas/incident.schema.json
id: INC-0003
title: \"VPN: drops every hour\"   # as reported by phone
status: in_progress   # triage pending
created_at: 2026-11-20T09:00:00+01:00
reported_by: 'someone@example.com'
impact: high
urgency: high
description: |
  Users in Berlin lose the tunnel
  about once an hour.
assignee: carol
acknowledged_at: 2026-11-21T10:00:00+01:00
notes:
  - at: 2026-11-21T10:00:00+01:00
    by: carol
    text: Looking at the concentrator

# Escalate to the network team if it persists.
";
    assert_eq!(read(&repo, "incidents/INC-0003.yaml"), expected);
}

#[test]
fn a_refused_transition_leaves_the_file_byte_identical() {
    let repo = repo();
    let run = refused(
        &repo,
        "incidents/INC-0003.yaml",
        &["transition", "INC-0003", "closed"],
        1,
    );
    run.stderr_has("INC-0003: `new` -> `closed` is not a transition of the incident workflow")
        .stderr_has("from `new` it may move to `in_progress`, `cancelled`");
    assert_eq!(run.stdout, "");
}

#[test]
fn an_unknown_state_is_a_usage_error() {
    let repo = repo();
    refused(
        &repo,
        "incidents/INC-0003.yaml",
        &["transition", "INC-0003", "in_progres"],
        2,
    )
    .stderr_has("`in_progres` is not a state of the incident workflow")
    .stderr_has("did you mean `in_progress`?");
}

#[test]
fn on_hold_opens_a_period_and_leaving_it_closes_the_period() {
    let repo = repo();
    let rel = "incidents/INC-0003.yaml";
    run_at(
        &repo,
        "2026-11-21T09:00:00+01:00",
        &["transition", "INC-0003", "in_progress"],
    )
    .expect_code(0);
    // A hold needs a reason, from the schema's list.
    refused(&repo, rel, &["transition", "INC-0003", "on_hold"], 2)
        .stderr_has("needs a reason")
        .stderr_has("awaiting_vendor");
    refused(
        &repo,
        rel,
        &[
            "transition",
            "INC-0003",
            "on_hold",
            "--reason",
            "awaiting_vendr",
        ],
        2,
    )
    .stderr_has("did you mean `awaiting_vendor`?");
    run_at(
        &repo,
        "2026-11-21T09:30:00+01:00",
        &[
            "transition",
            "INC-0003",
            "on_hold",
            "--reason",
            "awaiting_vendor",
        ],
    )
    .expect_code(0)
    .stdout_has("on_hold: + start=2026-11-21T09:30:00+01:00 reason=awaiting_vendor");
    assert!(
        read(&repo, rel).ends_with(
            "\
acknowledged_at: 2026-11-21T09:00:00+01:00
on_hold:
  - start: 2026-11-21T09:30:00+01:00
    reason: awaiting_vendor

# Escalate to the network team if it persists.
"
        ),
        "{}",
        read(&repo, rel)
    );
    run_at(
        &repo,
        "2026-11-21T10:00:00+01:00",
        &["transition", "INC-0003", "in_progress"],
    )
    .expect_code(0)
    .stdout_has("on_hold.0.end: 2026-11-21T10:00:00+01:00");
    let text = read(&repo, rel);
    assert!(
        text.contains(
            "\
on_hold:
  - start: 2026-11-21T09:30:00+01:00
    reason: awaiting_vendor
    end: 2026-11-21T10:00:00+01:00
"
        ),
        "{text}"
    );
    // The first acknowledgement stays.
    assert!(text.contains("acknowledged_at: 2026-11-21T09:00:00+01:00\n"));
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn resolving_stamps_resolved_at_and_needs_the_resolution() {
    let repo = repo();
    let rel = "incidents/INC-0003.yaml";
    run_at(
        &repo,
        "2026-11-21T09:00:00+01:00",
        &["transition", "INC-0003", "in_progress"],
    )
    .expect_code(0);
    refused(&repo, rel, &["transition", "INC-0003", "resolved"], 1)
        .stderr_has("state `resolved` requires `resolution.code`, `resolution.notes`")
        .stderr_has("incidents/INC-0003.yaml:4:9")
        .stderr_has("--set resolution.code=... --set resolution.notes=...");
    repo.run([
        "transition",
        "INC-0003",
        "resolved",
        "--set",
        "resolution.code=fixed",
        "--set",
        "resolution.notes=Replaced the power supply",
    ])
    .expect_code(0)
    .stdout_has("INC-0003: in_progress -> resolved");
    let text = read(&repo, rel);
    assert!(
        text.contains(
            "\
acknowledged_at: 2026-11-21T09:00:00+01:00
resolution:
  code: fixed
  notes: Replaced the power supply
resolved_at: 2026-11-21T10:00:00+01:00
"
        ),
        "{text}"
    );
    // Closing stamps closed_at; the closed record is then frozen.
    repo.run(["transition", "INC-0003", "closed"])
        .expect_code(0);
    assert!(read(&repo, rel).contains("\nclosed_at: 2026-11-21T10:00:00+01:00\n"));
    refused(&repo, rel, &["transition", "INC-0003", "in_progress"], 1)
        .stderr_has("`closed` is a terminal state");
    refused(&repo, rel, &["set", "INC-0003", "impact=low"], 1).stderr_has("terminal state");
}

#[test]
fn a_note_is_signed_with_the_handle_of_the_git_email() {
    let repo = repo();
    repo.run([
        "transition",
        "INC-0003",
        "cancelled",
        "--reason",
        "Duplicate of INC-0002",
        "--note",
        "Same outage as INC-0002.",
    ])
    .expect_code(0);
    let text = read(&repo, "incidents/INC-0003.yaml");
    assert!(
        text.contains(
            "\
cancel_reason: Duplicate of INC-0002
notes:
  - at: 2026-11-21T10:00:00+01:00
    by: carol
    text: Same outage as INC-0002.
"
        ),
        "{text}"
    );
    assert!(!text.contains("carol@example.com"), "{text}");
}

#[test]
fn without_a_known_person_the_assignee_must_be_given() {
    let repo = repo();
    repo.git(["config", "--unset", "user.email"]);
    refused(
        &repo,
        "incidents/INC-0003.yaml",
        &["transition", "INC-0003", "in_progress"],
        2,
    )
    .stderr_has("--set assignee=");
    repo.run([
        "transition",
        "INC-0003",
        "in_progress",
        "--set",
        "assignee=dave@example.com",
    ])
    .expect_code(0);
    assert!(read(&repo, "incidents/INC-0003.yaml").contains("\nassignee: dave@example.com\n"));
}

#[test]
fn set_takes_dotted_keys_and_lists_and_refuses_a_schema_error() {
    let repo = repo();
    repo.run(["new", "ci", "--title", "web"]).expect_code(0);
    repo.run(["new", "ci", "--title", "db"]).expect_code(0);
    let rel = "incidents/INC-0003.yaml";
    repo.run([
        "set",
        "INC-0003",
        "resolution.code=fixed",
        "affected_cis=web,db",
    ])
    .expect_code(0)
    .stdout_has("INC-0003: updated (incidents/INC-0003.yaml)")
    .stdout_has("resolution.code: fixed")
    .stdout_has("affected_cis: web, db");
    assert_eq!(
        read(&repo, rel),
        HAND_WRITTEN.replace(
            "\n\n# Escalate",
            "\nresolution:\n  code: fixed\naffected_cis:\n  - web\n  - db\n\n# Escalate"
        )
    );
    // Out of the schema's range: nothing is written.
    refused(&repo, rel, &["set", "INC-0003", "support_level=7"], 1)
        .stderr_has("support_level")
        .stderr_has("incidents/INC-0003.yaml:")
        .stderr_has("was not changed");
    // Not a configured resolution code; the line shown is the edited one.
    refused(&repo, rel, &["set", "INC-0003", "resolution.code=bogus"], 1)
        .stderr_has("`bogus` is not one of `resolution_codes`")
        .stderr_has("incidents/INC-0003.yaml:13:9")
        .stderr_has("13 |   code: bogus");
    // A CI that does not exist.
    refused(&repo, rel, &["set", "INC-0003", "affected_cis=web,dbx"], 1)
        .stderr_has("`dbx`, which does not exist");
    // A misspelt key.
    refused(&repo, rel, &["set", "INC-0003", "asignee=carol"], 1)
        .stderr_has("did you mean `assignee`?");
    // Setting a value to what it is writes nothing.
    repo.run(["set", "INC-0003", "impact=high"])
        .expect_code(0)
        .stdout_has("nothing to change");
}

#[test]
fn set_refuses_status_and_empty_values() {
    let repo = repo();
    let rel = "incidents/INC-0003.yaml";
    refused(&repo, rel, &["set", "INC-0003", "status=closed"], 2)
        .stderr_has("gitsm transition INC-0003");
    refused(&repo, rel, &["set", "INC-0003", "assignee="], 2)
        .stderr_has("gitsm does not remove fields");
    refused(&repo, rel, &["set", "INC-0003", "support_level=two"], 2)
        .stderr_has("takes a whole number");
    refused(&repo, rel, &["set", "INC-0003", "id=INC-0009"], 1).stderr_has("immutable");
}

#[test]
fn an_unknown_id_is_a_usage_error_with_a_suggestion() {
    let repo = repo();
    repo.run(["set", "INC-0030", "impact=low"])
        .expect_code(2)
        .stderr_has("no incident with id `INC-0030`")
        .stderr_has("did you mean `INC-0003`?");
    repo.run(["transition", "inc-0003", "in_progress"])
        .expect_code(2)
        .stderr_has("did you mean `INC-0003`?");
    repo.run(["set", "../gitsm", "a=b"])
        .expect_code(2)
        .stderr_has("is not a record id");
}

#[test]
fn a_record_in_a_year_folder_is_found() {
    let repo = repo();
    repo.write(
        "incidents/2026/INC-0007.yaml",
        HAND_WRITTEN.replace("INC-0003", "INC-0007"),
    );
    repo.run(["transition", "INC-0007", "in_progress"])
        .expect_code(0)
        .stdout_has("incidents/2026/INC-0007.yaml");
}

#[test]
fn link_stores_an_incident_problem_link_once_and_show_lists_it_both_ways() {
    let repo = repo();
    repo.write("problems/PRB-0001.yaml", PROBLEM);
    repo.run(["link", "INC-0003", "PRB-0001"])
        .expect_code(0)
        .stdout_has("INC-0003: linked to PRB-0001");
    let text = read(&repo, "incidents/INC-0003.yaml");
    assert_eq!(text.matches("problem: PRB-0001").count(), 1, "{text}");
    assert_eq!(read(&repo, "problems/PRB-0001.yaml"), PROBLEM);
    // Again, either way round: already there, nothing written.
    for args in [
        ["link", "INC-0003", "PRB-0001"],
        ["link", "PRB-0001", "INC-0003"],
    ] {
        refused(&repo, "incidents/INC-0003.yaml", &args, 0)
            .stdout_has("already linked: INC-0003 problem: PRB-0001");
    }
    let show = repo.run(["show", "PRB-0001"]);
    show.expect_code(0).stdout_has("Links to this record:");
    assert!(
        show.stdout
            .lines()
            .any(|l| l.contains("problem") && l.contains("INC-0003")),
        "{show}"
    );
    let show = repo.run(["show", "INC-0003"]);
    show.expect_code(0).stdout_has("Links from this record:");
    assert!(
        show.stdout
            .lines()
            .any(|l| l.contains("problem") && l.contains("PRB-0001")),
        "{show}"
    );
}

#[test]
fn link_writes_on_the_natural_side_and_says_so() {
    let repo = repo();
    repo.write("problems/PRB-0001.yaml", PROBLEM);
    repo.run(["link", "PRB-0001", "INC-0003"])
        .expect_code(0)
        .stdout_has("stored on INC-0003")
        .stdout_has("incidents/INC-0003.yaml");
    assert!(read(&repo, "incidents/INC-0003.yaml").contains("\nproblem: PRB-0001\n"));
    assert_eq!(read(&repo, "problems/PRB-0001.yaml"), PROBLEM);
    // A field that holds one id is not silently replaced.
    repo.write(
        "problems/PRB-0002.yaml",
        PROBLEM.replace("PRB-0001", "PRB-0002"),
    );
    refused(
        &repo,
        "incidents/INC-0003.yaml",
        &["link", "INC-0003", "PRB-0002"],
        1,
    )
    .stderr_has("already linked to PRB-0001")
    .stderr_has("gitsm set INC-0003 problem=PRB-0002");
}

#[test]
fn link_refuses_itself_and_missing_records() {
    let repo = repo();
    refused(
        &repo,
        "incidents/INC-0003.yaml",
        &["link", "INC-0003", "INC-0003"],
        2,
    )
    .stderr_has("cannot be linked to itself");
    refused(
        &repo,
        "incidents/INC-0003.yaml",
        &["link", "INC-0003", "PRB-0009"],
        2,
    )
    .stderr_has("no problem with id `PRB-0009`");
    refused(
        &repo,
        "incidents/INC-0003.yaml",
        &["link", "INC-0003", "payments-api"],
        2,
    )
    .stderr_has("no configuration item with id `payments-api`");
}

#[test]
fn ci_links_are_relations_and_a_cycle_is_refused() {
    let repo = repo();
    for name in ["web", "db", "vm1"] {
        repo.run(["new", "ci", "--title", name]).expect_code(0);
    }
    repo.run(["link", "web", "db"])
        .expect_code(0)
        .stdout_has("relations.depends_on: + db");
    repo.run(["link", "web", "vm1", "--as", "runs_on"])
        .expect_code(0);
    let text = read(&repo, "cis/web.yaml");
    assert!(
        text.ends_with("relations:\n  depends_on:\n    - db\n  runs_on:\n    - vm1\n"),
        "{text}"
    );
    refused(&repo, "cis/db.yaml", &["link", "db", "web"], 1).stderr_has("relation-cycle");
    refused(
        &repo,
        "cis/db.yaml",
        &["link", "db", "vm1", "--as", "runz"],
        2,
    )
    .stderr_has("runs_on");
    refused(
        &repo,
        "incidents/INC-0003.yaml",
        &["link", "INC-0003", "web", "--as", "runs_on"],
        2,
    )
    .stderr_has("--as names a relation between two CIs");
    // An incident names the CIs it affects.
    repo.run(["link", "web", "INC-0003"])
        .expect_code(0)
        .stdout_has("stored on INC-0003");
    assert!(read(&repo, "incidents/INC-0003.yaml").contains("\naffected_cis:\n  - web\n"));
}

#[test]
fn an_unsafe_layout_is_refused_and_the_file_kept() {
    let repo = repo();
    repo.write(
        "incidents/INC-0004.yaml",
        "\
id: INC-0004
title: Printer jammed
status: new
created_at: 2026-11-20T09:00:00+01:00
reported_by: &who someone@example.com
assignee: *who
impact: low
urgency: low
",
    );
    refused(
        &repo,
        "incidents/INC-0004.yaml",
        &["set", "INC-0004", "assignee=carol"],
        1,
    )
    .stderr_has("cannot edit incidents/INC-0004.yaml safely")
    .stderr_has("alias")
    .stderr_has("edit it by hand");
}

#[test]
fn after_a_transition_the_staged_check_passes() {
    let repo = repo();
    repo.commit("open INC-0003", DAY1);
    repo.run(["transition", "INC-0003", "in_progress", "--note", "On it"])
        .expect_code(0);
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(0)
        .stderr_has("0 errors");
}

#[test]
fn quiet_and_json_output() {
    let repo = repo();
    let run = repo.run(["-q", "transition", "INC-0003", "in_progress"]);
    run.expect_code(0);
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    let run = repo.run(["set", "INC-0003", "support_level=2", "--format", "json"]);
    run.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(doc["id"], "INC-0003");
    assert_eq!(doc["written"], true);
    assert_eq!(doc["changes"][0]["field"], "support_level");
    assert_eq!(doc["changes"][0]["value"], 2);
}

#[cfg(unix)]
#[test]
fn an_edit_keeps_the_file_mode() {
    use std::os::unix::fs::PermissionsExt;
    let repo = repo();
    let path = repo.path("incidents/INC-0003.yaml");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    repo.run(["set", "INC-0003", "urgency=low"]).expect_code(0);
    let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
    assert!(no_temp_files(&repo.root.join("incidents")));
}

fn no_temp_files(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .expect("list")
        .flatten()
        .all(|e| !e.file_name().to_string_lossy().ends_with(".tmp"))
}

/// Flow-style items (`- { at: …, by: … }`), a flow list on two lines and
/// a one-line flow list of maps: every command edits them in place.
#[test]
fn records_in_flow_style_are_edited_by_every_command() {
    let repo = Repo::new();
    repo.write(
        "gitsm.yaml",
        "people:\n  ben: { name: Ben, emails: [ben@example.com] }\n  tester: { name: Tester, emails: [tester@example.com] }\n\
         groups:\n  dba: [ben]\n",
    );
    let flow = "\
id: INC-0900
title: Flow style
status: new
created_at: 2026-11-20T09:00:00+01:00
reported_by: someone@example.com
impact: low
urgency: low
notes:
  - { at: 2026-11-20T10:00:00+01:00, by: ben, text: one }
  - { at: 2026-11-20T11:00:00+01:00, by: ben, text: \"two, with comma\" }
escalations: [{ at: 2026-11-20T10:30:00+01:00, to_level: 2, by: ben }]
links: [INC-0001,
  INC-0002]   # a multi-line flow list
";
    repo.write("incidents/INC-0900.yaml", flow);
    for id in ["INC-0001", "INC-0002", "INC-0003"] {
        repo.write(
            &format!("incidents/{id}.yaml"),
            common::VALID_INCIDENT.replace("INC-0001", id),
        );
    }
    repo.run(["validate"]).expect_code(0);
    repo.run(["set", "INC-0900", "title=Changed"])
        .expect_code(0);
    repo.run([
        "transition",
        "INC-0900",
        "in_progress",
        "--set",
        "assignee=ben",
    ])
    .expect_code(0);
    repo.run(["note", "INC-0900", "three"]).expect_code(0);
    repo.run(["link", "INC-0900", "INC-0003"]).expect_code(0);
    repo.run(["escalate", "INC-0900", "--to-level", "3", "--team", "dba"])
        .expect_code(0);
    let text = std::fs::read_to_string(repo.path("incidents/INC-0900.yaml")).expect("read");
    // The flow-style lines nobody edited are byte for byte as written.
    for kept in [
        "  - { at: 2026-11-20T10:00:00+01:00, by: ben, text: one }\n",
        "  - { at: 2026-11-20T11:00:00+01:00, by: ben, text: \"two, with comma\" }\n",
        "links: [INC-0001,\n  INC-0002, INC-0003]   # a multi-line flow list\n",
    ] {
        assert!(text.contains(kept), "{kept:?} not kept:\n{text}");
    }
    assert!(text.contains("title: Changed\n"), "{text}");
    assert!(text.contains("status: in_progress\n"), "{text}");
    repo.run(["validate"]).expect_code(0);
}
