//! `gitsm import` through the real binary: exports of ServiceNow, Jira and
//! GLPI in their documented default columns (fixtures in
//! `fixtures/import/`, written from the tools' export formats), a
//! generated ServiceNow export of 300 rows, map overrides, re-imports, and
//! malformed input. Every expectation is computed by hand from the row
//! (times from the zone's offset on that date). The hermetic clock is
//! 2026-11-21T10:00:00+01:00.

use std::path::{Path, PathBuf};

use crate::common::Repo;

/// Beth and David are in `people`; Fred Luddy, Mary Major and the rest
/// are not.
fn repo(policy_extra: &str) -> Repo {
    let repo = Repo::new();
    repo.write(
        "gitsm.yaml",
        format!(
            "{policy_extra}people:
  beth: {{ name: Beth Anglin, emails: [beth.anglin@example.com] }}
  david: {{ name: David Loo, emails: [david.loo@example.com] }}
groups:
  cab: [beth]
  ecab: [beth]
  service-desk: [beth, david]
"
        ),
    );
    repo
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/fixtures/import")
        .join(name)
}

fn read(repo: &Repo, rel: &str) -> String {
    std::fs::read_to_string(repo.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[track_caller]
fn has(text: &str, lines: &[&str]) {
    for line in lines {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
}

const SN_HEADER: &str = "number,opened_at,short_description,description,caller_id,opened_by,priority,impact,urgency,state,category,assignment_group,assigned_to,cmdb_ci,business_service,resolved_at,closed_at,close_code,close_notes,sys_updated_on";

/// A ServiceNow incident export of `n` rows, opened every two hours from
/// 2026-10-20 00:00 (Berlin crosses from +02:00 to +01:00 on 25 October),
/// cycling through the states (labels, and numeric values every other
/// round), the priorities, the callers and the close codes.
fn servicenow_incidents(n: usize) -> String {
    const STATES: [[&str; 6]; 2] = [
        [
            "New",
            "In Progress",
            "On Hold",
            "Resolved",
            "Closed",
            "Canceled",
        ],
        ["1", "2", "3", "6", "7", "8"],
    ];
    const PRIORITIES: [&str; 5] = [
        "1 - Critical",
        "2 - High",
        "3 - Moderate",
        "4 - Low",
        "5 - Planning",
    ];
    const CALLERS: [&str; 3] = ["Beth Anglin", "david.loo@example.com", "Fred Luddy"];
    const CODES: [&str; 3] = ["Solved (Permanently)", "Solved (Work Around)", ""];
    let start = chrono::NaiveDate::from_ymd_opt(2026, 10, 20)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("date");
    let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S").to_string();
    let mut out = format!("{SN_HEADER}\n");
    for i in 0..n {
        let opened = start + chrono::Duration::hours(2 * i as i64);
        let state = STATES[(i / 6) % 2][i % 6];
        let label = STATES[0][i % 6];
        let done = matches!(label, "Resolved" | "Closed");
        let resolved = if done {
            fmt(opened + chrono::Duration::minutes(45))
        } else {
            String::new()
        };
        let closed = if label == "Closed" {
            fmt(opened + chrono::Duration::hours(1))
        } else {
            String::new()
        };
        let notes = if done && i % 4 == 0 {
            "\"Restarted the service, \"\"as usual\"\"\""
        } else {
            ""
        };
        let description = if i % 5 == 0 {
            "\"Reported by phone.\nSecond line.\""
        } else {
            ""
        };
        out.push_str(&format!(
            "INC{:07},{},Incident number {i},{description},{},,{},,,{state},Network,Service Desk,Beth Anglin,,,{resolved},{closed},{},{notes},{}\n",
            10000 + i,
            fmt(opened),
            CALLERS[i % 3],
            PRIORITIES[i % 5],
            if done { CODES[i % 3] } else { "" },
            fmt(opened + chrono::Duration::hours(1)),
        ));
    }
    out
}

#[test]
fn a_servicenow_export_of_300_incidents_becomes_300_valid_records() {
    let repo = repo("timezone: Europe/Berlin\n");
    let csv = repo.write("incident.csv", servicenow_incidents(300));
    repo.run([
        "import",
        "--from",
        "servicenow",
        "--kind",
        "incident",
        csv.to_str().expect("path"),
    ])
    .expect_code(0)
    .stdout_has(
        "imported 300 incidents (INC-0001..INC-0300), 1 person not in gitsm.yaml: Fred Luddy",
    );
    assert_eq!(repo.record_files("incidents").len(), 300);
    repo.run(["validate", "--all"]).expect_code(0);

    // Row 0: New, 1 - Critical (P1: high x high), opened 20 Oct 00:00 in
    // Berlin summer time.
    has(
        &read(&repo, "incidents/INC-0001.yaml"),
        &[
            "status: new\n",
            "created_at: 2026-10-20T00:00:00+02:00\n",
            "source_id: INC0010000\n",
            "reported_by: beth\n",
            "impact: high\nurgency: high\npriority: P1\n",
            "assignee: beth\nteam: service-desk\n",
            "Reported by phone.\n  Second line.",
        ],
    );
    // Row 3: Resolved, 4 - Low (P4: low x low), caller Beth by name,
    // resolved 45 minutes after opening, code "Solved (Permanently)".
    has(
        &read(&repo, "incidents/INC-0004.yaml"),
        &[
            "status: resolved\n",
            "created_at: 2026-10-20T06:00:00+02:00\n",
            "reported_by: beth\n",
            "impact: low\nurgency: low\npriority: P4\n",
            "resolved_at: 2026-10-20T06:45:00+02:00\n",
            "code: fixed\n",
            "No close notes in ServiceNow.",
        ],
    );
    // Row 4: Closed, 5 - Planning (P4), caller David by email, code
    // "Solved (Work Around)", notes with a quoted comma.
    has(
        &read(&repo, "incidents/INC-0005.yaml"),
        &[
            "status: closed\n",
            "reported_by: david\n",
            "resolved_at: 2026-10-20T08:45:00+02:00\n",
            "closed_at: 2026-10-20T09:00:00+02:00\n",
            "code: workaround_applied\n",
            "notes: Restarted the service, \"as usual\"\n",
        ],
    );
    // Row 61: opened at 02:00 on 25 October, an hour Berlin shows twice:
    // the first one, still +02:00; row 62 is after the change, +01:00.
    // Row 61 is In Progress, row 62 On Hold since the update an hour later.
    has(
        &read(&repo, "incidents/INC-0062.yaml"),
        &[
            "created_at: 2026-10-25T02:00:00+02:00\n",
            "status: in_progress\n",
        ],
    );
    has(
        &read(&repo, "incidents/INC-0063.yaml"),
        &[
            "created_at: 2026-10-25T04:00:00+01:00\n",
            "status: on_hold\n",
            "reason: other\n",
            "start: 2026-10-25T05:00:00+01:00\n",
        ],
    );
    // Row 5: Canceled, caller Fred Luddy kept as written.
    has(
        &read(&repo, "incidents/INC-0006.yaml"),
        &[
            "status: cancelled\n",
            "reported_by: Fred Luddy\n",
            "cancel_reason: Canceled in ServiceNow.\n",
        ],
    );

    // Run again: every row is skipped, nothing is written.
    repo.run([
        "import",
        "--from",
        "servicenow",
        "--kind",
        "incident",
        csv.to_str().expect("path"),
    ])
    .expect_code(0)
    .stdout_has("imported 0 incidents, skipped 300 already imported");
    assert_eq!(repo.record_files("incidents").len(), 300);
}

#[test]
fn servicenow_cis_then_changes_that_name_them() {
    let repo = repo("timezone: Europe/Berlin\n");
    let cis = fixture("servicenow_cmdb_ci.csv");
    repo.run([
        "import",
        "--from",
        "servicenow",
        "--kind",
        "ci",
        cis.to_str().expect("path"),
    ])
    .expect_code(0)
    .stdout_has("imported 4 CIs, 1 person not in gitsm.yaml: Grace Hopper");
    has(
        &read(&repo, "cis/payments-api.yaml"),
        &[
            "id: payments-api\nname: Payments API\nsource_id: 6816f79cc0a8016401c5a33be04be441\nclass: application\nstatus: active\nowner: beth\nteam: service-desk\nenvironment: production\nlocation: Frankfurt DC\n",
        ],
    );
    has(
        &read(&repo, "cis/email.yaml"),
        &["class: service\n", "owner: david\n"],
    );
    has(
        &read(&repo, "cis/sap-prd-01.yaml"),
        &[
            "class: server\nstatus: retired\n",
            "Assignment group in ServiceNow: Unix Admins (not a group in gitsm.yaml)",
        ],
    );
    has(
        &read(&repo, "cis/old-mainframe.yaml"),
        &[
            "class: application\nstatus: maintenance\nowner: Grace Hopper\n",
            "Class in ServiceNow: cmdb_ci_mainframe",
        ],
    );

    let changes = fixture("servicenow_change_request.csv");
    repo.run([
        "import",
        "--from",
        "servicenow",
        "--kind",
        "change",
        changes.to_str().expect("path"),
    ])
    .expect_code(0)
    .stdout_has("imported 4 changes (CHG-0001..CHG-0004)")
    .stderr_has("2 changes carry decisions taken in the other tool, which gitsm cannot verify: CHG-0002, CHG-0003");
    has(
        &read(&repo, "changes/CHG-0001.yaml"),
        &["status: new\n", "type: normal\nrisk: medium\nimpact: low\n"],
    );
    has(
        &read(&repo, "changes/CHG-0002.yaml"),
        &[
            "status: scheduled\n",
            "requested_by: beth\n",
            "risk: high\nimpact: medium\ncis:\n- payments-api\n",
            "window:\n  start: 2026-11-28T22:00:00+01:00\n  end: 2026-11-29T02:00:00+01:00\n  timezone: Europe/Berlin\n",
            "implementation_plan: |-\n  1. Drain node A\n  2. Upgrade\n",
            "backout_plan: Redeploy 2.3\ntest_plan: Smoke tests\n",
        ],
    );
    has(
        &read(&repo, "changes/CHG-0003.yaml"),
        &[
            "status: closed\n",
            "type: emergency\n",
            "cis:\n- sap-prd-01\n",
            "outcome: successful\nreview: Patched and verified\nclose_code: successful\nclosed_at: 2026-11-05T10:00:00+01:00\n",
        ],
    );
    has(
        &read(&repo, "changes/CHG-0004.yaml"),
        &[
            "status: cancelled\n",
            "type: normal\n",
            "cancel_reason: Canceled in ServiceNow.\n",
            "Standard change in ServiceNow (imported as a normal change",
        ],
    );
    // Everything validates but the decisions ServiceNow took, which a
    // baseline accepts.
    let run = repo.run(["validate", "--all", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let errors: Vec<(&str, &str)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default(),
                d["path"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            ("approvals", "changes/CHG-0002.yaml"),
            ("approvals", "changes/CHG-0003.yaml")
        ],
        "{run}"
    );
    // The CIs imported again: their source ids are known.
    repo.run([
        "import",
        "--from",
        "servicenow",
        "--kind",
        "ci",
        cis.to_str().expect("path"),
    ])
    .expect_code(0)
    .stdout_has("imported 0 CIs, skipped 4 already imported");
    // A baseline accepts ServiceNow's decisions as imported history: the
    // import goes through the hook in one commit, and the whole history
    // passes the range check.
    repo.run(["hooks", "install"]).expect_code(0);
    repo.run(["baseline"]).expect_code(0);
    repo.run(["validate"]).expect_code(0);
    repo.commit("Import from ServiceNow", "2026-11-21T10:00:05+01:00");
    repo.run(["validate", "--range", "HEAD"])
        .expect_code(0)
        .stderr_has("0 errors");
}

#[test]
fn a_jira_export_with_repeated_columns_in_a_given_zone() {
    let repo = repo("");
    repo.write(
        "cis/payments-api.yaml",
        "id: payments-api\nname: Payments API\nclass: application\nstatus: active\n",
    );
    let csv = fixture("jira_incidents.csv");
    repo.run([
        "import",
        "--from",
        "jira",
        "--kind",
        "incident",
        "--timezone",
        "America/New_York",
        csv.to_str().expect("path"),
    ])
    .expect_code(0)
    .stdout_has("imported 3 incidents (INC-0001..INC-0003), skipped 1 of other types, 2 people not in gitsm.yaml: Mary Major, jane.doe@example.com");
    // New York left daylight saving on 1 November 2026: -05:00 after,
    // -04:00 before.
    has(
        &read(&repo, "incidents/INC-0001.yaml"),
        &[
            "title: VPN drops every hour\nstatus: resolved\ncreated_at: 2026-11-02T09:05:00-05:00\nsource_id: ITSM-101\nreported_by: jane.doe@example.com\nimpact: high\nurgency: high\npriority: P1\naffected_cis:\n- payments-api\nresolved_at: 2026-11-02T13:15:00-05:00\n",
            "code: fixed\n  notes: No close notes in Jira.\nassignee: beth\n",
            "Tunnel resets, see \"vpn.log\"",
            "Configuration item in Jira: VPN Gateway (not in the CMDB)",
            "Labels in Jira: network, urgent",
        ],
    );
    has(
        &read(&repo, "incidents/INC-0002.yaml"),
        &[
            "status: on_hold\ncreated_at: 2026-10-30T16:00:00-04:00\nsource_id: ITSM-103\nreported_by: Mary Major\nimpact: low\nurgency: low\npriority: P4\n",
            "- start: 2026-10-31T09:30:00-04:00\n",
            "reason: awaiting_caller\n",
            "assignee: david\n",
        ],
    );
    has(
        &read(&repo, "incidents/INC-0003.yaml"),
        &[
            "title: Shared drive slow, again\nstatus: closed\n",
            "reported_by: beth\nimpact: medium\nurgency: medium\npriority: P3\n",
            "resolved_at: 2026-10-31T10:00:00-04:00\nclosed_at: 2026-10-31T10:00:00-04:00\n",
            "code: no_fault_found\n",
        ],
    );
    repo.run(["validate", "--all"])
        .expect_code(0)
        .stderr_has("warning[unknown-person]: `Mary Major` is not a handle in `people`");
    // The Jira key finds the record.
    repo.run(["search", "ITSM-103"])
        .expect_code(0)
        .stdout_has("INC-0002  on_hold  Outlook crashes on start");
}

#[test]
fn a_glpi_ticket_list_in_the_organisations_zone() {
    let repo = repo("timezone: Europe/Paris\ncategories: [hardware, network, software]\n");
    let csv = fixture("glpi_tickets.csv");
    let args = |kind: &'static str| {
        [
            "import",
            "--from",
            "glpi",
            "--kind",
            kind,
            csv.to_str().expect("path"),
        ]
        .map(str::to_owned)
    };
    repo.run(args("incident"))
        .expect_code(0)
        .stdout_has("imported 3 incidents (INC-0001..INC-0003), skipped 1 of other types, 1 person not in gitsm.yaml: jdoe");
    has(
        &read(&repo, "incidents/INC-0001.yaml"),
        &[
            "title: Cannot print\nstatus: resolved\ncreated_at: 2026-11-05T14:02:00+01:00\nsource_id: '12'\nreported_by: beth\nimpact: medium\nurgency: medium\npriority: P3\n",
            "resolved_at: 2026-11-05T16:20:00+01:00\n",
            "assignee: david\n",
            "Paper jam; tray 2",
            "Category in GLPI: Hardware > Printer (not in `categories`)",
        ],
    );
    has(
        &read(&repo, "incidents/INC-0002.yaml"),
        &[
            "status: in_progress\n",
            "reported_by: jdoe\nimpact: high\nurgency: high\npriority: P1\ncategory: software\n",
        ],
    );
    has(
        &read(&repo, "incidents/INC-0003.yaml"),
        &[
            "status: closed\n",
            "category: network\n",
            "resolved_at: 2026-11-08T12:00:00+01:00\nclosed_at: 2026-11-08T12:00:00+01:00\n",
        ],
    );
    repo.run(["validate", "--all"]).expect_code(0);
    // The request of the same list, with the catalogue item every GLPI
    // request maps to.
    repo.write("map.yaml", "catalog: {\"*\": install-application}\n");
    let mut with_map = args("request").to_vec();
    with_map.extend(["--map".to_owned(), "map.yaml".to_owned()]);
    repo.run(&with_map)
        .expect_code(0)
        .stdout_has("imported 1 request (REQ-0001), skipped 3 of other types");
    has(
        &read(&repo, "requests/REQ-0001.yaml"),
        &[
            "status: new\ncreated_at: 2026-11-05T09:00:00+01:00\nsource_id: '13'\nrequested_by: beth\ncatalog_item: install-application\n",
        ],
    );
}

const OVERRIDE_CSV: &str = "\
number,opened_at,short_description,caller_id,priority,state,assigned_to,cmdb_ci,close_code,sys_updated_on
INC0020001,2026-11-10 08:00:00,Scanner broken,Fred Luddy,2 - High,Awaiting Parts,David Loo,sap-prd-01,,2026-11-10 09:00:00
INC0020002,2026-11-10 10:00:00,Scanner broken again,Fred Luddy,3 - Moderate,Resolved,David Loo,,Fixed by vendor,2026-11-10 11:00:00
";

#[test]
fn a_map_overrides_the_default_key_by_key() {
    let repo = repo("");
    repo.write(
        "cis/scanner-01.yaml",
        "id: scanner-01\nname: Scanner 01\nclass: workstation\nstatus: active\n",
    );
    let csv = repo.write("incident.csv", OVERRIDE_CSV);
    let import = |extra: &[&str]| {
        let mut args = vec![
            "import",
            "--from",
            "servicenow",
            "--kind",
            "incident",
            csv.to_str().expect("path"),
        ];
        args.extend(extra);
        repo.run(args)
    };
    // The default map knows no "Awaiting Parts": nothing is written.
    import(&[])
        .expect_code(2)
        .stderr_has("incident.csv:2: state `Awaiting Parts` has no gitsm incident state in the ServiceNow map")
        .stderr_has("states: {incident: {\"Awaiting Parts\": <state>}}");
    assert!(repo.record_files("incidents").is_empty());
    repo.write(
        "map.yaml",
        "\
states:
  incident: { Awaiting Parts: on_hold }
hold_reasons: { Awaiting Parts: awaiting_vendor }
people: { Fred Luddy: beth }
cis: { sap-prd-01: scanner-01 }
close_codes:
  incident: { Fixed by vendor: hardware_repair }
",
    );
    import(&["--map", "map.yaml"])
        .expect_code(0)
        .stdout_has("imported 2 incidents (INC-0001..INC-0002)\n");
    has(
        &read(&repo, "incidents/INC-0001.yaml"),
        &[
            "status: on_hold\n",
            "reported_by: beth\nimpact: high\nurgency: medium\npriority: P2\naffected_cis:\n- scanner-01\n",
            "reason: awaiting_vendor\n",
        ],
    );
    // Untouched keys keep the default: "Resolved" and the priorities.
    has(
        &read(&repo, "incidents/INC-0002.yaml"),
        &[
            "status: resolved\n",
            "impact: medium\nurgency: medium\npriority: P3\n",
            "code: hardware_repair\n",
        ],
    );
    repo.run(["validate", "--all"]).expect_code(0);
}

#[test]
fn a_generic_csv_names_gitsm_fields() {
    let repo = repo("timezone: Asia/Tokyo\n");
    let csv = repo.write(
        "old.csv",
        "\
id,title,status,created_at,reported_by,priority,assignee,resolved_at,resolution.code,resolution.notes
T-1,Disk full,resolved,2026-11-01 09:00,Beth Anglin,P2,david,2026-11-01 10:30,fixed,Cleaned /var
T-2,Slow login,new,2026-11-02T09:00:00+01:00,kim@example.com,,,,,
",
    );
    repo.run([
        "import",
        "--from",
        "csv",
        "--kind",
        "incident",
        csv.to_str().expect("path"),
    ])
    .expect_code(0)
    .stdout_has(
        "imported 2 incidents (INC-0001..INC-0002), 1 person not in gitsm.yaml: kim@example.com",
    );
    has(
        &read(&repo, "incidents/INC-0001.yaml"),
        &[
            "status: resolved\ncreated_at: 2026-11-01T09:00:00+09:00\nsource_id: T-1\nreported_by: beth\nimpact: high\nurgency: medium\npriority: P2\n",
            "resolved_at: 2026-11-01T10:30:00+09:00\nresolution:\n  code: fixed\n  notes: Cleaned /var\nassignee: david\n",
        ],
    );
    has(
        &read(&repo, "incidents/INC-0002.yaml"),
        &[
            "created_at: 2026-11-02T09:00:00+01:00\nsource_id: T-2\nreported_by: kim@example.com\nimpact: medium\nurgency: medium\n",
        ],
    );
    repo.run(["validate", "--all"]).expect_code(0);
}

#[test]
fn a_row_that_would_be_an_invalid_record_stops_the_whole_import() {
    let repo = repo("");
    // The second change is scheduled without its plans or window.
    let csv = repo.write(
        "changes.csv",
        "\
number,opened_at,short_description,requested_by,type,risk,impact,state
CHG1,2026-11-02 10:00:00,Fine,Beth Anglin,Normal,Low,3 - Low,New
CHG2,2026-11-02 11:00:00,Unplanned,Beth Anglin,Normal,Low,3 - Low,Scheduled
",
    );
    let run = repo.run([
        "import",
        "--from",
        "servicenow",
        "--kind",
        "change",
        csv.to_str().expect("path"),
    ]);
    run.expect_code(1)
        .stderr_has("changes.csv:3: row `CHG2` would not be a valid change:")
        .stderr_has("error[missing-for-state]: state `scheduled` requires `window.start`")
        .stderr_has("hint: the row has no value for them: export the columns that hold them")
        .stderr_has("nothing was imported: 1 of 2 rows would not be valid records");
    // The decisions a baseline accepts are not what stops it.
    assert!(!run.stderr.contains("approvals"), "{run}");
    assert!(repo.record_files("changes").is_empty());
}

#[test]
fn malformed_exports_are_refused_with_their_line() {
    let repo = repo("");
    let cases: [(&str, &[u8], &str); 4] = [
        (
            "short.csv",
            b"number,opened_at,short_description\nINC1,2026-11-02 10:00:00,ok\nINC2,2026-11-02 11:00:00\n",
            "short.csv:3: this row has 2 fields but the header has 3",
        ),
        (
            "quote.csv",
            b"number,opened_at,short_description\nINC1,2026-11-02 10:00:00,\"never closed\nINC2,2026-11-02 11:00:00,x\n",
            "quote.csv:2:",
        ),
        (
            "latin1.csv",
            b"number,opened_at,short_description\nINC1,2026-11-02 10:00:00,Caf\xe9\n",
            "latin1.csv:2: invalid UTF-8 in column `short_description`",
        ),
        (
            "badtime.csv",
            b"number,opened_at,short_description\nINC1,yesterday,x\n",
            "badtime.csv:2: `yesterday` (created_at) is not a time",
        ),
    ];
    for (name, bytes, message) in cases {
        let path = repo.write(name, bytes);
        repo.run([
            "import",
            "--from",
            "servicenow",
            "--kind",
            "incident",
            path.to_str().expect("path"),
        ])
        .expect_code(2)
        .stderr_has(message);
    }
    // A file over 64 MiB (sparse: nothing is written to disk) is refused
    // before it is read.
    let huge = repo.path("huge.csv");
    std::fs::File::create(&huge)
        .and_then(|f| f.set_len(64 * 1024 * 1024 + 1))
        .expect("sparse file");
    repo.run([
        "import",
        "--from",
        "servicenow",
        "--kind",
        "incident",
        huge.to_str().expect("path"),
    ])
    .expect_code(2)
    .stderr_has("huge.csv: the export is larger than 64 MiB, the most gitsm reads");
    assert!(repo.record_files("incidents").is_empty());
}

#[test]
fn an_unknown_tool_or_kind_is_a_usage_error() {
    let repo = repo("");
    let csv = repo.write("x.csv", "number\nINC1\n");
    let path = csv.to_str().expect("path");
    repo.run(["import", "--from", "remedy", "--kind", "incident", path])
        .expect_code(2)
        .stderr_has("invalid value 'remedy' for '--from <TOOL>'");
    repo.run(["import", "--from", "jira", "--kind", "ticket", path])
        .expect_code(2)
        .stderr_has("unknown kind `ticket`");
    repo.run(["import", "--from", "glpi", "--kind", "change", path])
        .expect_code(2)
        .stderr_has("GLPI exports of changes are not supported (supported: incident, request)");
    assert!(repo.record_files("incidents").is_empty());
}

#[test]
fn a_dry_run_writes_nothing_and_json_lists_every_row() {
    let repo = repo("timezone: Europe/Berlin\n");
    let csv = repo.write("incident.csv", servicenow_incidents(3));
    let run = repo.run([
        "import",
        "--from",
        "servicenow",
        "--kind",
        "incident",
        "--dry-run",
        "--format",
        "json",
        csv.to_str().expect("path"),
    ]);
    run.expect_code(0);
    assert!(repo.record_files("incidents").is_empty());
    let out: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(out["dry_run"], true);
    assert_eq!(out["timezone"], "Europe/Berlin");
    let ids: Vec<(&str, &str)> = out["imported"]
        .as_array()
        .expect("imported")
        .iter()
        .map(|r| {
            (
                r["source_id"].as_str().unwrap_or_default(),
                r["id"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("INC0010000", "INC-0001"),
            ("INC0010001", "INC-0002"),
            ("INC0010002", "INC-0003")
        ]
    );
    // Row 0 spans two lines (a quoted line break): row 1 starts on line 4.
    assert_eq!(out["imported"][1]["line"], 4);
    assert_eq!(out["unknown_people"], serde_json::json!(["Fred Luddy"]));
}

#[test]
fn servicenow_problems_and_requested_items() {
    let repo = repo("timezone: Europe/Berlin\n");
    let problems = repo.write(
        "problem.csv",
        "\
number,opened_at,short_description,opened_by,priority,state,assigned_to,cause_notes,workaround,fix_notes,resolution_code,resolved_at,closed_at,sys_updated_on
PRB0040001,2026-11-01 09:00:00,Relay crashes,Beth Anglin,2 - High,Root Cause Analysis,David Loo,,,,,,,2026-11-02 09:00:00
PRB0040002,2026-11-01 10:00:00,Disk leak,Beth Anglin,3 - Moderate,106,David Loo,Log rotation off,Restart weekly,Enabled rotation,Risk Accepted,2026-11-05 10:00:00,,2026-11-05 10:00:00
",
    );
    repo.run([
        "import",
        "--from",
        "servicenow",
        "--kind",
        "problem",
        problems.to_str().expect("path"),
    ])
    .expect_code(0)
    .stdout_has("imported 2 problems (PRB-0001..PRB-0002)\n");
    has(
        &read(&repo, "problems/PRB-0001.yaml"),
        &[
            "status: investigating\n",
            "impact: high\nurgency: medium\n",
            "assignee: david\n",
        ],
    );
    has(
        &read(&repo, "problems/PRB-0002.yaml"),
        &[
            "status: resolved\n",
            "root_cause: Log rotation off\nworkaround: Restart weekly\nresolution:\n  code: risk_accepted\n  notes: Enabled rotation\nresolved_at: 2026-11-05T10:00:00+01:00\n",
        ],
    );
    let items = repo.write(
        "sc_req_item.csv",
        "\
number,opened_at,short_description,opened_by,requested_for,cat_item,state,assigned_to,closed_at,sys_updated_on
RITM0010001,2026-11-01 09:00:00,Install Visio,Beth Anglin,David Loo,Install an ordinary application,Work in Progress,David Loo,,2026-11-01 10:00:00
RITM0010002,2026-11-01 09:30:00,New monitor,Beth Anglin,,Standard Monitor,Closed Complete,,2026-11-02 10:00:00,2026-11-02 10:00:00
",
    );
    let import = |extra: &[&str]| {
        let mut args = vec![
            "import",
            "--from",
            "servicenow",
            "--kind",
            "request",
            items.to_str().expect("path"),
        ];
        args.extend(extra);
        repo.run(args)
    };
    import(&[])
        .expect_code(2)
        .stderr_has("sc_req_item.csv:3: catalogue item `Standard Monitor` (column `cat_item`) is not in gitsm.yaml's `catalog`");
    assert!(repo.record_files("requests").is_empty());
    repo.write(
        "map.yaml",
        "catalog: { Standard Monitor: hardware-change }\n",
    );
    import(&["--map", "map.yaml"])
        .expect_code(0)
        .stdout_has("imported 2 requests (REQ-0001..REQ-0002)\n");
    // The catalogue item is found by its name; closed needs fulfilled_at.
    has(
        &read(&repo, "requests/REQ-0001.yaml"),
        &[
            "status: in_fulfillment\n",
            "requested_by: beth\ncatalog_item: install-application\nrequested_for: david\n",
        ],
    );
    has(
        &read(&repo, "requests/REQ-0002.yaml"),
        &[
            "status: closed\n",
            "catalog_item: hardware-change\nfulfilled_at: 2026-11-02T10:00:00+01:00\nclosed_at: 2026-11-02T10:00:00+01:00\n",
        ],
    );
    repo.run(["validate", "--all"]).expect_code(0);
}

#[test]
fn a_servicenow_json_export_is_read_like_its_csv() {
    let repo = repo("timezone: Europe/Berlin\n");
    // `?JSONv2` with display values, and the Table API's form of a
    // reference (`{display_value, value}`).
    let json = repo.write(
        "incident.json",
        r#"{"records": [
  {"number": "INC0030001", "opened_at": "2026-11-12 08:30:00", "short_description": "Badge reader dead",
   "caller_id": {"display_value": "David Loo", "value": "46d44a5c"}, "priority": "2 - High",
   "state": "In Progress", "assigned_to": "Beth Anglin"},
  {"number": "INC0030002", "opened_at": "2026-11-12 09:00:00", "short_description": "Odd state",
   "caller_id": "Beth Anglin", "priority": "3 - Moderate", "state": "Triaged"}
]}"#,
    );
    let run = |path: &Path| {
        repo.run([
            "import",
            "--from",
            "servicenow",
            "--kind",
            "incident",
            path.to_str().expect("path"),
        ])
    };
    run(&json)
        .expect_code(2)
        .stderr_has("incident.json: record 2: state `Triaged` has no gitsm incident state");
    assert!(repo.record_files("incidents").is_empty());
    repo.write(
        "incident.json",
        std::fs::read_to_string(&json)
            .expect("json")
            .replace("Triaged", "New"),
    );
    run(&json)
        .expect_code(0)
        .stdout_has("imported 2 incidents (INC-0001..INC-0002)\n");
    has(
        &read(&repo, "incidents/INC-0001.yaml"),
        &[
            "status: in_progress\ncreated_at: 2026-11-12T08:30:00+01:00\nsource_id: INC0030001\nreported_by: david\nimpact: high\nurgency: medium\npriority: P2\n",
            "assignee: beth\n",
        ],
    );
    // Jira's and GLPI's JSON are not read: their CSV export is.
    repo.run([
        "import",
        "--from",
        "jira",
        "--kind",
        "incident",
        json.to_str().expect("path"),
    ])
    .expect_code(2)
    .stderr_has("this looks like JSON; of Jira, gitsm reads the CSV export");
}

#[test]
fn an_imported_ticket_belongs_to_the_year_it_was_opened() {
    let repo = repo("ids: { scheme: yearly, layout: by_year }\n");
    let csv = repo.write(
        "old.csv",
        "\
source_id,title,created_at,reported_by
OLD-1,Last year,2025-12-31 23:30,beth
OLD-2,This year,2026-01-01 00:30,beth
OLD-3,Also last year,2025-06-01 12:00,beth
",
    );
    repo.run([
        "import",
        "--from",
        "csv",
        "--kind",
        "incident",
        csv.to_str().expect("path"),
    ])
    .expect_code(0)
    .stdout_has("imported 3 incidents (INC-2025-0001..INC-2026-0001)");
    assert_eq!(
        repo.record_files("incidents"),
        [
            "incidents/2025/INC-2025-0001.yaml",
            "incidents/2025/INC-2025-0002.yaml",
            "incidents/2026/INC-2026-0001.yaml"
        ]
    );
    repo.run(["validate", "--all"]).expect_code(0);
}
