//! The service desk's day through the real binary: notes (on closed
//! records too, several at once, all or nothing), escalations, and the
//! worklog `show` prints. The hermetic clock (`GITSM_NOW`) is
//! 2026-11-21T10:00:00+01:00; the Git identity is tester@example.com.

use crate::common;

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

/// A repository made by `gitsm init --example`, with the Git identity
/// `email`.
fn example_as(email: &str) -> Repo {
    let sandbox = common::Sandbox::new();
    let root = sandbox.git_repo("example");
    sandbox.gitsm(&root, ["init", "--example"]).expect_code(0);
    let repo = Repo { sandbox, root };
    repo.git(["config", "user.email", email]);
    repo
}

/// The ids `list` prints (first column of the table), in order.
fn listed(repo: &Repo, args: &[&str]) -> Vec<String> {
    let mut all = vec!["list"];
    all.extend_from_slice(args);
    let run = repo.run(&all);
    run.expect_code(0);
    run.stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[test]
fn list_filters_sorts_and_refuses_what_cannot_match() {
    // In the example, david (david.nguyen@example.com) works INC-0019 and
    // (listed by kind, incidents first, then by id)
    // INC-0021 and the change CHG-0011; PRB-0001's incidents are INC-0001
    // and INC-0007; INC-0023 and INC-0024 are new and unassigned.
    let repo = example_as("david.nguyen@example.com");
    assert_eq!(
        listed(&repo, &["--assignee", "david", "--open"]),
        ["INC-0019", "INC-0021", "CHG-0011"]
    );
    assert_eq!(
        listed(&repo, &["--mine", "--open"]),
        ["INC-0019", "INC-0021", "CHG-0011"]
    );
    assert_eq!(
        listed(
            &repo,
            &[
                "incident",
                "--assignee",
                "david.nguyen@example.com",
                "--open"
            ]
        ),
        ["INC-0019", "INC-0021"]
    );
    assert_eq!(
        listed(&repo, &["incident", "--problem", "PRB-0001"]),
        ["INC-0001", "INC-0007"]
    );
    assert_eq!(
        listed(&repo, &["incident", "--open", "--unassigned"]),
        ["INC-0023", "INC-0024"]
    );
    // Open incidents by priority, newest first within one: INC-0021 (P2),
    // then the P3s INC-0023 (20 Nov 17:52), INC-0022 (20 Nov 11:15),
    // INC-0020 (18 Nov 08:20).
    assert_eq!(
        listed(
            &repo,
            &[
                "incident",
                "--open",
                "--sort",
                "priority,-created_at",
                "--limit",
                "4"
            ]
        ),
        ["INC-0021", "INC-0023", "INC-0022", "INC-0020"]
    );
    assert_eq!(
        listed(
            &repo,
            &["incident", "--since", "2026-11-20", "--until", "2026-11-20"]
        ),
        ["INC-0022", "INC-0023"]
    );
    repo.run(["list", "--status", "opne"])
        .expect_code(2)
        .stderr_has("`opne` is not a state of any workflow of these records")
        .stderr_has("states: ");
    repo.run(["list", "--status", "open"])
        .expect_code(2)
        .stderr_has("`--open` lists what still needs work");
    repo.run(["list", "--team", "l2-ap"])
        .expect_code(2)
        .stderr_has("did you mean `l2-apps`?");
    repo.run(["list", "--sort", "colour"])
        .expect_code(2)
        .stderr_has("cannot sort by `colour`");
}

#[test]
fn list_csv_carries_the_sla_state_and_the_requester() {
    let repo = example_as("david.nguyen@example.com");
    let run = repo.run(["list", "incident", "--open", "--format", "csv"]);
    run.expect_code(0);
    let mut lines = run.stdout.lines();
    assert_eq!(
        lines.next(),
        Some(
            "id,kind,status,priority,assignee,team,service,created_at,title,requester,category,resolved_at,closed_at,sla_state,sla_due"
        )
    );
    let header_len = 15;
    for line in lines {
        // No field of the example's open incidents holds a comma or quote.
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), header_len, "{line}");
        assert!(
            ["ok", "at_risk", "breached"].contains(&fields[13]),
            "{line}"
        );
        assert!(!fields[9].is_empty(), "requester: {line}");
    }
}

const PROBLEM: &str = "\
id: PRB-0001
title: VPN concentrator drops sessions
status: investigating
created_at: 2026-11-19T09:00:00+01:00
reported_by: someone@example.com
assignee: tester@example.com
";

#[test]
fn a_problem_moved_to_known_error_is_in_the_kedb() {
    let repo = Repo::new();
    repo.write("problems/PRB-0001.yaml", PROBLEM);
    repo.run([
        "transition",
        "PRB-0001",
        "known_error",
        "--set",
        "root_cause=Firmware 9.1 leaks session slots",
        "--set",
        "workaround=Restart the concentrator at night",
    ])
    .expect_code(0)
    .stdout_has("known_error: true");
    assert!(read(&repo, "problems/PRB-0001.yaml").contains("known_error: true\n"));
    let run = repo.run(["report", "--format", "json"]);
    run.expect_code(0);
    let r: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(r["problems"]["kedb"], 1);
    let site = repo.sandbox.dir("site");
    repo.run(["site", "-q", "-o", site.to_str().expect("path")])
        .expect_code(0);
    let kedb = std::fs::read_to_string(site.join("kedb.html")).expect("kedb page");
    assert!(kedb.contains("data-id=\"PRB-0001\""), "{kedb}");
    // The state and the flag cannot disagree.
    repo.write(
        "problems/PRB-0001.yaml",
        PROBLEM.replace(
            "status: investigating",
            "status: known_error\nroot_cause: x\nworkaround: y",
        ),
    );
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("PRB-0001 is `known_error` but not flagged `known_error: true`");
}

#[test]
fn set_follows_the_matrix_and_takes_me() {
    // low x low is P4 in the default matrix, high x high P1.
    let repo = Repo::new();
    repo.write(
        "incidents/INC-0001.yaml",
        VALID_INCIDENT.replace(
            "impact: high\nurgency: high",
            "impact: low\nurgency: low\npriority: P4",
        ),
    );
    repo.run(["validate"]).expect_code(0);
    repo.run([
        "set",
        "INC-0001",
        "impact=high",
        "urgency=high",
        "assignee=me",
    ])
    .expect_code(0)
    .stdout_has("priority: P1");
    let text = read(&repo, "incidents/INC-0001.yaml");
    assert!(
        text.contains("priority: P1\n") && text.contains("assignee: tester@example.com\n"),
        "{text}"
    );
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn bulk_moves_are_all_or_nothing_and_take_the_list_filters() {
    // INC-0001 and INC-0002 are incidents of PRB-0001, resolved; INC-0003
    // is resolved too but of no problem.
    let repo = Repo::new();
    let resolved = |id: &str, problem: &str| {
        VALID_INCIDENT.replace("INC-0001", id).replace(
            "status: new",
            &format!(
                "status: resolved\nassignee: tester@example.com\nacknowledged_at: 2026-11-20T09:05:00+01:00\nresolved_at: 2026-11-20T10:00:00+01:00\nresolution:\n  code: fixed\n  notes: Fixed.\n{problem}"
            ),
        )
    };
    repo.write("problems/PRB-0001.yaml", PROBLEM);
    repo.write(
        "incidents/INC-0001.yaml",
        resolved("INC-0001", "problem: PRB-0001\n"),
    );
    repo.write(
        "incidents/INC-0002.yaml",
        resolved("INC-0002", "problem: PRB-0001\n"),
    );
    repo.write("incidents/INC-0003.yaml", resolved("INC-0003", ""));
    repo.write(
        "incidents/INC-0004.yaml",
        VALID_INCIDENT.replace("INC-0001", "INC-0004"),
    );
    repo.run(["validate"]).expect_code(0);
    // INC-0004 is `new`: it cannot be closed, so none of the three is.
    repo.run(["transition", "INC-0001", "INC-0003", "INC-0004", "closed"])
        .expect_code(1)
        .stderr_has("INC-0004: `new` -> `closed` is not a transition");
    for id in ["INC-0001", "INC-0003"] {
        assert!(
            read(&repo, &format!("incidents/{id}.yaml")).contains("status: resolved\n"),
            "{id}"
        );
    }
    // The incidents of PRB-0001 that are resolved: INC-0001 and INC-0002.
    repo.run([
        "transition",
        "--problem",
        "PRB-0001",
        "--status",
        "resolved",
        "closed",
    ])
    .expect_code(0)
    .stdout_has("INC-0001: resolved -> closed")
    .stdout_has("INC-0002: resolved -> closed");
    assert!(read(&repo, "incidents/INC-0003.yaml").contains("status: resolved\n"));
    for id in ["INC-0001", "INC-0002"] {
        assert!(
            read(&repo, &format!("incidents/{id}.yaml"))
                .contains("closed_at: 2026-11-21T10:00:00+01:00\n"),
            "{id}"
        );
    }
    repo.run(["transition", "--problem", "PRB-0009", "closed"])
        .expect_code(2)
        .stderr_has("no record matches the filters");
    repo.run(["set", "INC-0003", "INC-0004", "support_level=2"])
        .expect_code(0)
        .stdout_has("INC-0003: updated")
        .stdout_has("INC-0004: updated");
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn mine_shows_a_cab_member_the_change_waiting_for_them() {
    // CHG-0011 is in `authorize`; ines (CAB) approved it, hannes (CAB) has
    // not: it waits for hannes, not for ines. david works INC-0021 (P2,
    // due first) and INC-0019 (P4, on hold).
    let repo = example_as("hannes.vogel@example.com");
    repo.run(["mine"])
        .expect_code(0)
        .stdout_has("Decisions waiting for you (1)\n  CHG-0011")
        .stdout_has("(gitsm approve CHG-0011)");
    let repo = example_as("ines.moreau@example.com");
    repo.run(["mine"])
        .expect_code(0)
        .stdout_has("Decisions waiting for you (0)");
    let repo = example_as("david.nguyen@example.com");
    let run = repo.run(["mine", "--format", "json"]);
    run.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(doc["person"], "david");
    let ids: Vec<&str> = doc["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert_eq!(ids, ["INC-0021", "INC-0019", "CHG-0011"]);
}

#[test]
fn init_lists_you_ignores_the_site_and_says_what_next() {
    let sandbox = common::Sandbox::new();
    let root = sandbox.git_repo("fresh");
    sandbox.git(&root, ["config", "user.email", "Carol.Diaz@example.com"]);
    sandbox.git(&root, ["config", "user.name", "Carol Diaz"]);
    std::fs::write(root.join(".gitignore"), "target/").expect("gitignore");
    sandbox
        .gitsm(&root, ["init"])
        .expect_code(0)
        .stderr_has("gitsm hooks install");
    let config = std::fs::read_to_string(root.join("gitsm.yaml")).expect("config");
    assert!(
        config.contains("people:\n  carol-diaz: { name: \"Carol Diaz\", emails: [\"Carol.Diaz@example.com\"] }\n"),
        "{config}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join(".gitignore")).expect("gitignore"),
        "target/\n# built by `gitsm site`\nsite/\n"
    );
    sandbox.gitsm(&root, ["validate"]).expect_code(0);
}

#[test]
fn times_gitsm_writes_are_in_the_organisation_zone() {
    // The example works on Berlin time: 09:00Z is 10:00 +01:00 in November.
    let repo = example_as("david.nguyen@example.com");
    repo.run_env(
        ["note", "INC-0021", "Deployed the fix to staging"],
        &[("GITSM_NOW", "2026-11-21T09:00:00Z")],
    )
    .expect_code(0)
    .stdout_has("at=2026-11-21T10:00:00+01:00");
}

#[test]
fn someone_who_left_keeps_their_history_but_gets_nothing_new() {
    let repo = Repo::new();
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("config");
    repo.write(
        "gitsm.yaml",
        config.replacen(
            "people: {}\n",
            "people:\n  bob: { name: Bob Stone, emails: [bob@example.com], active: false }\n",
            1,
        ),
    );
    // A closed incident Bob worked stays valid.
    repo.write(
        "incidents/INC-0001.yaml",
        CLOSED.replace("tester@example.com", "bob"),
    );
    repo.write(
        "incidents/INC-0002.yaml",
        VALID_INCIDENT.replace("INC-0001", "INC-0002"),
    );
    repo.run(["validate"]).expect_code(0);
    repo.commit("records", "2026-11-21T09:00:00+01:00");
    // Nothing new goes to him, through gitsm or by hand.
    repo.run(["set", "INC-0002", "assignee=bob"])
        .expect_code(1)
        .stderr_has(
            "`bob` has left (`active: false` in gitsm.yaml): nothing new may be assigned to them",
        );
    let text = read(&repo, "incidents/INC-0002.yaml");
    repo.write(
        "incidents/INC-0002.yaml",
        text.replace("status: new\n", "status: new\nassignee: bob@example.com\n"),
    );
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("error[inactive]");
}

#[test]
fn quiet_prints_only_errors() {
    // A CI nothing relates to or names is a warning (orphan-ci).
    let repo = Repo::new();
    repo.write(
        "cis/lonely.yaml",
        "id: lonely\nname: Lonely box\nclass: server\nstatus: active\n",
    );
    repo.run(["validate"])
        .expect_code(0)
        .stderr_has("warning[orphan-ci]");
    let run = repo.run(["-q", "validate"]);
    run.expect_code(0);
    assert_eq!(
        (run.stdout.as_str(), run.stderr.as_str()),
        ("", ""),
        "{run}"
    );
    repo.write("incidents/INC-0001.yaml", "id: INC-0001\n");
    repo.run(["-q", "validate"])
        .expect_code(1)
        .stderr_has("error[");
}

#[test]
fn templates_fill_in_new_records_and_a_standard_change_stays_in_bounds() {
    let repo = example_as("david.nguyen@example.com");
    let run = repo.run([
        "new",
        "incident",
        "--template",
        "printer-jam",
        "--set",
        "urgency=high",
    ]);
    run.expect_code(0);
    let path = run.stdout.trim().to_owned();
    let text = read(&repo, &path);
    for line in [
        "title: Printer jams or rejects jobs\n",
        "impact: low\n",
        "urgency: high\n",
        "category: hardware\n",
        "service: workplace-services\n",
        "team: service-desk\n",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    // A standard change copies its template: type, title, risk, plans.
    let run = repo.run([
        "new",
        "change",
        "--template",
        "os-security-patching",
        "--set",
        "cis=app-vm-01",
    ]);
    run.expect_code(0);
    let text = read(&repo, run.stdout.trim());
    for line in [
        "type: standard\n",
        "template: os-security-patching\n",
        "title: Monthly OS security patches on a Linux VM\n",
        "risk: low\n",
        "backout_plan: Boot the previous kernel from GRUB;",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    repo.run(["new", "incident", "--template", "printer-jm"])
        .expect_code(2)
        .stderr_has("did you mean `printer-jam`?");
    // A template that lists its CIs bounds the changes made from it.
    let config = read(&repo, "gitsm.yaml");
    repo.write(
        "gitsm.yaml",
        config.replacen(
            "    title: Monthly OS security patches on a Linux VM\n",
            "    title: Monthly OS security patches on a Linux VM\n    cis: [app-vm-01, app-vm-02]\n",
            1,
        ),
    );
    repo.run([
        "new",
        "change",
        "--template",
        "os-security-patching",
        "--set",
        "cis=orders-db",
    ])
    .expect_code(1)
    .stderr_has("names CIs its template does not cover: orders-db");
}

/// An "editor": a shell script that writes `text` over the file it is given.
fn editor_writing(repo: &Repo, name: &str, text: &str) -> String {
    let script = repo.sandbox.dir("editors").join(name);
    std::fs::write(
        &script,
        format!("#!/bin/sh\ncat > \"$1\" <<'EOF'\n{text}EOF\n"),
    )
    .expect("script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    script.to_string_lossy().into_owned()
}

#[cfg(unix)]
#[test]
fn new_edit_keeps_nothing_that_is_not_valid() {
    let repo = Repo::new();
    let new_with = |editor: &str| {
        repo.run_env(
            ["new", "incident", "--title", "VPN down", "--edit"],
            &[("EDITOR", editor)],
        )
    };
    // Not on a terminal: an invalid edit is not kept.
    let bad = editor_writing(
        &repo,
        "bad.sh",
        "id: INC-0001\ntitle: VPN down\nstatus: nonsense\n",
    );
    new_with(&bad)
        .expect_code(1)
        .stderr_has("was not created: the edited record is not valid");
    assert!(
        repo.record_files("incidents").is_empty(),
        "{:?}",
        repo.record_files("incidents")
    );
    // Emptied: given up.
    let empty = editor_writing(&repo, "empty.sh", "");
    new_with(&empty)
        .expect_code(1)
        .stderr_has("the file was emptied");
    assert!(repo.record_files("incidents").is_empty());
    // A valid edit is kept.
    let good = editor_writing(
        &repo,
        "good.sh",
        "id: INC-0001\ntitle: VPN down for everyone\nstatus: new\ncreated_at: 2026-11-21T10:00:00+01:00\nreported_by: tester@example.com\nimpact: high\nurgency: high\npriority: P1\n",
    );
    new_with(&good).expect_code(0);
    assert_eq!(repo.record_files("incidents"), ["incidents/INC-0001.yaml"]);
}

#[test]
fn escalate_takes_the_list_filters_and_dates_are_local() {
    // The example works on Berlin time. Open unassigned incidents: INC-0023
    // (P3, service desk) and INC-0024 (P4); both go to level 2.
    let repo = example_as("david.nguyen@example.com");
    repo.run([
        "escalate",
        "--open",
        "--unassigned",
        "--to-level",
        "2",
        "--team",
        "l2-apps",
    ])
    .expect_code(0)
    .stdout_has("INC-0023: escalated to level 2")
    .stdout_has("INC-0024: escalated to level 2");
    // INC-0021 (06:50 +01:00) and INC-0024 (08:12 +01:00) were opened on
    // 21 November. A record opened at 00:30 Berlin time on the 22nd is the
    // 21st in UTC: in Berlin's day it belongs to the 22nd.
    assert_eq!(
        listed(
            &repo,
            &["incident", "--since", "2026-11-21", "--until", "2026-11-21"]
        ),
        ["INC-0021", "INC-0024"]
    );
    let late = read(&repo, "incidents/INC-0024.yaml")
        .replace("INC-0024", "INC-0030")
        .replace(
            "created_at: 2026-11-21T08:12:00+01:00",
            "created_at: 2026-11-22T00:30:00+01:00",
        );
    repo.write("incidents/INC-0030.yaml", late);
    assert_eq!(
        listed(
            &repo,
            &["incident", "--since", "2026-11-22", "--until", "2026-11-22"]
        ),
        ["INC-0030"]
    );
}

/// `-v` says, on stderr, where the repository is, what was read and how
/// long it took; standard output is the same as without it.
#[test]
fn verbose_says_what_was_read_and_how_long_it_took() {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    repo.write("incidents/INC-0002.yaml", "id: INC-0002\n");
    repo.commit("two incidents", "2026-11-20T10:00:00+01:00");
    let quiet = repo.run(["sla"]);
    let run = repo.run(["-v", "sla"]);
    run.expect_code(0);
    assert_eq!(run.stdout, quiet.stdout);
    run.stderr_has("gitsm: managed root ")
        .stderr_has("read 1 record (1 unreadable) from the work tree")
        .stderr_has("gitsm: done in ");
    assert!(!quiet.stderr.contains("gitsm: "), "{quiet}");
}

#[test]
fn a_closed_stdout_ends_the_command_quietly_with_the_pipe_code() {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    // A pipe whose reader is gone before gitsm starts: every write fails,
    // as in `gitsm list | head` once head has what it wants.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    for args in [&["list"][..], &["list", "--format", "json"]] {
        let mut cmd = std::process::Command::new(common::bin());
        common::hermetic(&mut cmd, &repo.sandbox.home());
        let out = cmd
            .args(args)
            .current_dir(&repo.root)
            .stdout(writer.try_clone().expect("clone"))
            .output()
            .expect("runs");
        // 141, as a shell reports a process its pipe closed on; no
        // message, no panic.
        assert_eq!(out.status.code(), Some(141), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}
