//! Targets beyond priority: OLAs measured on escalations (accepted_at
//! ends the response, the next escalation or resolved_at the
//! resolution, holds pause both), suppliers' underpinning targets
//! measured on the holds awaiting them, and problem targets read from
//! gitsm.yaml. Every figure is computed by hand in the comments.

use crate::common;

use common::Repo;

/// Groups, two OLAs (second line around the clock; the apps team on the
/// starter's `business` calendar, Monday to Friday 09:00-18:00 UTC) and
/// one supplier whose underpinning target runs on that calendar.
const TARGETS: &str = "\
ola:
  - { name: second line, level: 2, response: 1h, resolution: 6h }
  - { name: apps, team: l2-apps, response: 30m, resolution: 4h, calendar: business }
suppliers:
  acme:
    name: Acme Hosting
    contact: noc@acme.example
    contract_end: 2026-12-15
    underpinning: { response: 15m, resolution: 1h, calendar: business }
";

/// A repository whose gitsm.yaml has `l2-apps` and `extra` appended.
fn repo_with(extra: &str) -> Repo {
    let repo = Repo::new();
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("config");
    let first_line = "  service-desk: [] # first line\n";
    assert!(config.contains(first_line));
    repo.write(
        "gitsm.yaml",
        format!(
            "{}{extra}",
            config.replace(first_line, &format!("{first_line}  l2-apps: []\n"))
        ),
    );
    repo
}

/// An incident in `status`, with `extra` fields.
fn incident(id: &str, status: &str, created: &str, extra: &str) -> String {
    format!(
        "id: {id}\ntitle: Incident {id}\nstatus: {status}\ncreated_at: {created}\nreported_by: someone@example.com\nimpact: low\nurgency: low\nassignee: someone@example.com\nacknowledged_at: {created}\n{extra}"
    )
}

const RESOLVED: &str = "resolution:\n  code: fixed\n  notes: Fixed.\n";

/// The report from 1 November to `until`, in UTC, in `format`.
fn run_report(repo: &Repo, until: &str, format: &str) -> common::Run {
    repo.run([
        "report",
        "--format",
        format,
        "--since",
        "2026-11-01T00:00:00Z",
        "--until",
        until,
        "--timezone",
        "UTC",
    ])
}

fn report_json(repo: &Repo, until: &str) -> serde_json::Value {
    let run = run_report(repo, until, "json");
    run.expect_code(0);
    serde_json::from_str(&run.stdout).expect("JSON")
}

fn write_escalated(repo: &Repo) {
    // Escalated to level 2 (second line, 24x7) at 10:00, accepted 10:40:
    // response 40m <= 1h, met. On hold awaiting Acme 12:00-13:30, resolved
    // 17:00: resolution 7h - 1h30m on hold = 5h30m <= 6h, met.
    repo.write(
        "incidents/INC-0001.yaml",
        incident(
            "INC-0001",
            "resolved",
            "2026-11-10T09:00:00Z",
            &format!("support_level: 2\nescalations:\n  - at: 2026-11-10T10:00:00Z\n    to_level: 2\n    accepted_at: 2026-11-10T10:40:00Z\non_hold:\n  - start: 2026-11-10T12:00:00Z\n    end: 2026-11-10T13:30:00Z\n    reason: awaiting_vendor\n    supplier: acme\nresolved_at: 2026-11-10T17:00:00Z\n{RESOLVED}"),
        ),
    );
    // Escalated to level 2 at 09:00, accepted late at 10:30: response
    // 1h30m > 1h, missed. Handed on to level 3 (Acme) at 11:00: its
    // resolution clock stops there, 2h <= 6h, met. No OLA binds level 3.
    repo.write(
        "incidents/INC-0002.yaml",
        incident(
            "INC-0002",
            "resolved",
            "2026-11-12T08:30:00Z",
            &format!("support_level: 3\nescalations:\n  - at: 2026-11-12T09:00:00Z\n    to_level: 2\n    accepted_at: 2026-11-12T10:30:00Z\n  - at: 2026-11-12T11:00:00Z\n    to_level: 3\n    supplier: acme\nresolved_at: 2026-11-12T15:00:00Z\n{RESOLVED}"),
        ),
    );
    // To the apps team (its OLA beats the level's) on Thursday at 17:00,
    // accepted Friday 09:20 on the business calendar: 17:00-18:00 1h +
    // 09:00-09:20 20m = 1h20m > 30m, missed (16h20m of wall time).
    // Resolved Friday 12:00: 1h + 09:00-12:00 3h = 4h <= 4h, met.
    repo.write(
        "incidents/INC-0003.yaml",
        incident(
            "INC-0003",
            "resolved",
            "2026-11-12T16:00:00Z",
            &format!("support_level: 2\nteam: l2-apps\nescalations:\n  - at: 2026-11-12T17:00:00Z\n    to_level: 2\n    team: l2-apps\n    accepted_at: 2026-11-13T09:20:00Z\nresolved_at: 2026-11-13T12:00:00Z\n{RESOLVED}"),
        ),
    );
    // Escalated at 08:00, not accepted, still open at the report's 10:00:
    // response 2h > 1h, breached; resolution 2h of 6h, running.
    repo.write(
        "incidents/INC-0004.yaml",
        incident(
            "INC-0004",
            "in_progress",
            "2026-11-20T07:30:00Z",
            "support_level: 2\nescalations:\n  - at: 2026-11-20T08:00:00Z\n    to_level: 2\n",
        ),
    );
}

#[test]
fn ola_compliance_across_an_escalation() {
    let repo = repo_with(TARGETS);
    write_escalated(&repo);
    repo.run(["validate"]).expect_code(0);
    let report = report_json(&repo, "2026-11-20T10:00:00Z");
    let ola = report["ola"].as_array().expect("OLA rows");
    assert_eq!(ola.len(), 2);

    let second = &ola[0];
    assert_eq!(second["name"], "second line");
    assert_eq!(second["escalations"], 3);
    // Response: INC-0001 met, INC-0002 missed, INC-0004 breached: 1 of 3.
    assert_eq!(second["response"]["met"], 1);
    assert_eq!(second["response"]["missed"], 1);
    assert_eq!(second["response"]["breached"], 1);
    assert_eq!(second["response"]["running"], 0);
    assert_eq!(second["response"]["percent"], 33.3);
    // Resolution: INC-0001 and INC-0002 met, INC-0004 running: 2 of 2.
    assert_eq!(second["resolution"]["met"], 2);
    assert_eq!(second["resolution"]["running"], 1);
    assert_eq!(second["resolution"]["percent"], 100.0);
    let measured = second["measured"].as_array().expect("escalations");
    let row = |id: &str| {
        measured
            .iter()
            .find(|m| m["id"] == id)
            .unwrap_or_else(|| panic!("{id} measured"))
    };
    assert_eq!(row("INC-0001")["response_elapsed"], 40 * 60);
    assert_eq!(row("INC-0001")["resolution_elapsed"], 5 * 3600 + 30 * 60);
    assert_eq!(row("INC-0002")["response"], "missed");
    assert_eq!(row("INC-0002")["response_elapsed"], 90 * 60);
    assert_eq!(row("INC-0002")["resolution_elapsed"], 2 * 3600);
    assert_eq!(row("INC-0004")["response"], "breached");
    assert_eq!(row("INC-0004")["resolution"], "ok");
    assert_eq!(row("INC-0004")["resolution_elapsed"], 2 * 3600);

    let apps = &ola[1];
    assert_eq!(apps["escalations"], 1);
    assert_eq!(apps["measured"][0]["id"], "INC-0003");
    assert_eq!(apps["measured"][0]["response"], "missed");
    assert_eq!(apps["measured"][0]["response_elapsed"], 80 * 60);
    assert_eq!(apps["measured"][0]["resolution"], "met");
    assert_eq!(apps["measured"][0]["resolution_elapsed"], 4 * 3600);
    assert_eq!(apps["response"]["percent"], 0.0);
    assert_eq!(apps["resolution"]["percent"], 100.0);

    run_report(&repo, "2026-11-20T10:00:00Z", "markdown")
        .expect_code(0)
        .stdout_has("## OLA compliance")
        .stdout_has("| second line | level 2 | 1h / 6h (24x7) | 3 | 33.3% (1 of 3) | 100.0% (2 of 2), 1 running |")
        .stdout_has("| apps | l2-apps | 30m / 4h (business) | 1 | 0.0% (0 of 1) | 100.0% (1 of 1) |");
}

#[test]
fn supplier_compliance_measures_the_holds_awaiting_it() {
    let repo = repo_with(TARGETS);
    write_escalated(&repo);
    let report = report_json(&repo, "2026-11-20T10:00:00Z");
    let acme = &report["suppliers"][0];
    assert_eq!(acme["id"], "acme");
    // One hold, 12:00-13:30 on Tuesday inside business hours: 1h30m >
    // 1h, missed. INC-0002's escalation to level 3 names Acme: counted.
    assert_eq!(acme["holds"], 1);
    assert_eq!(acme["within_target"]["missed"], 1);
    assert_eq!(acme["within_target"]["percent"], 0.0);
    assert_eq!(acme["vendor_time"], 90 * 60);
    assert_eq!(acme["escalations"], 1);
    // The contract ends 2026-12-15, 25 days after the 20th: within 60.
    assert_eq!(acme["contract"], "ending");
    run_report(&repo, "2026-11-20T10:00:00Z", "markdown")
        .expect_code(0)
        .stdout_has("## Supplier compliance")
        .stdout_has("| Acme Hosting (acme) | noc@acme.example | 2026-12-15 (ends soon) | 15m / 1h (business) | 1 | 0.0% (0 of 1) | 1h30m | 1 |");
    // The HTML page is the same document.
    run_report(&repo, "2026-11-20T10:00:00Z", "html")
        .expect_code(0)
        .stdout_has("OLA compliance</h2>")
        .stdout_has("Supplier compliance</h2>")
        .stdout_has("Acme Hosting (acme)");
}

#[test]
fn a_hold_across_a_night_counts_working_time_with_the_supplier() {
    let repo = repo_with(TARGETS);
    // Awaiting Acme from Thursday 17:30 to Friday 09:15 (business
    // calendar): 17:30-18:00 30m + 09:00-09:15 15m = 45m <= 1h, met,
    // though 15h45m passed on the wall clock.
    repo.write(
        "incidents/INC-0001.yaml",
        incident(
            "INC-0001",
            "in_progress",
            "2026-11-12T16:00:00Z",
            "on_hold:\n  - start: 2026-11-12T17:30:00Z\n    end: 2026-11-13T09:15:00Z\n    reason: awaiting_vendor\n    supplier: acme\n",
        ),
    );
    repo.run(["validate"]).expect_code(0);
    let acme = &report_json(&repo, "2026-11-20T10:00:00Z")["suppliers"][0];
    assert_eq!(acme["vendor_time"], 45 * 60);
    assert_eq!(acme["within_target"]["met"], 1);
    assert_eq!(acme["within_target"]["percent"], 100.0);
}

#[test]
fn escalate_accept_stamps_the_latest_escalation() {
    let repo = repo_with(TARGETS);
    repo.write(
        "incidents/INC-0001.yaml",
        incident("INC-0001", "in_progress", "2026-11-21T09:00:00+01:00", ""),
    );
    repo.run(["escalate", "INC-0001", "--accept"])
        .expect_code(1)
        .stderr_has("INC-0001 has no escalation to accept");
    repo.run([
        "escalate",
        "INC-0001",
        "--to-level",
        "3",
        "--supplier",
        "acmee",
    ])
    .expect_code(2)
    .stderr_has("`acmee` is not a supplier in gitsm.yaml")
    .stderr_has("did you mean `acme`?");
    repo.run([
        "escalate",
        "INC-0001",
        "--to-level",
        "3",
        "--supplier",
        "acme",
    ])
    .expect_code(0);
    repo.run(["escalate", "INC-0001", "--accept"])
        .expect_code(0)
        .stdout_has("INC-0001: escalation accepted");
    let text = std::fs::read_to_string(repo.path("incidents/INC-0001.yaml")).expect("record");
    // The clock of the sandbox is 2026-11-21T10:00:00+01:00.
    assert!(
        text.contains("escalations:\n  - at: 2026-11-21T10:00:00+01:00\n    to_level: 3\n    by: tester@example.com\n    supplier: acme\n    accepted_at: 2026-11-21T10:00:00+01:00\n"),
        "{text}"
    );
    repo.run(["escalate", "INC-0001", "--accept"])
        .expect_code(1)
        .stderr_has("latest escalation was accepted already");
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn bad_supplier_and_acceptance_are_refused_with_their_place() {
    let repo = repo_with(TARGETS);
    repo.write(
        "incidents/INC-0001.yaml",
        incident(
            "INC-0001",
            "in_progress",
            "2026-11-10T09:00:00Z",
            "escalations:\n  - at: 2026-11-10T10:00:00Z\n    to_level: 3\n    supplier: acmee\n    accepted_at: 2026-11-10T09:59:00Z\non_hold:\n  - start: 2026-11-10T11:00:00Z\n    end: 2026-11-10T12:00:00Z\n    reason: awaiting_vendor\n  - start: 2026-12-16T11:00:00Z\n    end: 2026-12-16T12:00:00Z\n    reason: awaiting_vendor\n    supplier: acme\n",
        ),
    );
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("error[unknown-supplier]: `acmee` is not a supplier in `suppliers`")
        .stderr_has("incidents/INC-0001.yaml:13:15")
        .stderr_has("did you mean `acme`")
        .stderr_has("error[timestamp-order]: `escalations.accepted_at` (2026-11-10 09:59:00 +00:00) is before `escalations.at`")
        .stderr_has("warning[supplier-missing]: a hold `awaiting_vendor` names no `supplier`")
        .stderr_has("warning[supplier-contract-ended]: the wait began on 2026-12-16 but the contract with `acme` ended on 2026-12-15");
}

#[test]
fn bad_ola_config_is_refused_with_its_place() {
    let repo = repo_with(
        "ola:\n  - { level: 2, response: 1h, resolution: 6h, calendar: bussiness }\n  - { response: 1h, resolution: 6h }\n  - { team: l2-aps, response: 1h, resolution: 6h }\n",
    );
    let run = repo.run(["validate"]);
    run.expect_code(2)
        .stderr_has("unknown calendar `bussiness`")
        .stderr_has("an OLA names the `team` or the `level` it binds")
        .stderr_has("`l2-aps` is not a group in `groups`");
    let repo = repo_with("ola:\n  - { level: 2, response: 1h }\n");
    repo.run(["validate"])
        .expect_code(2)
        .stderr_has("gitsm.yaml:")
        .stderr_has("resolution");
}

#[test]
fn problem_targets_come_from_the_config() {
    // A P3 problem opened on 1 November, still open on the 20th: the
    // default 30 days are due on 1 December, not overdue; 10 days were
    // due on the 11th, overdue.
    let problem = "id: PRB-0001\ntitle: Pool\nstatus: new\ncreated_at: 2026-11-01T09:00:00Z\nreported_by: someone@example.com\npriority: P3\n";
    let by_default = Repo::new();
    by_default.write("problems/PRB-0001.yaml", problem);
    let report = report_json(&by_default, "2026-11-20T10:00:00Z");
    assert_eq!(report["problems"]["targets"][2]["days"], 30);
    assert_eq!(
        report["problems"]["overdue"].as_array().map(Vec::len),
        Some(0)
    );
    let custom = repo_with("problem_targets: { P3: 10d }\n");
    custom.write("problems/PRB-0001.yaml", problem);
    let report = report_json(&custom, "2026-11-20T10:00:00Z");
    assert_eq!(report["problems"]["targets"][0]["days"], 7);
    assert_eq!(report["problems"]["targets"][2]["days"], 10);
    let overdue = &report["problems"]["overdue"][0];
    assert_eq!(overdue["id"], "PRB-0001");
    assert_eq!(overdue["due"], "2026-11-11T09:00:00Z");
}

#[test]
fn a_team_backdating_its_acceptance_to_meet_the_ola_is_refused() {
    // Escalated at 10:00 and committed; a note at 18:00 changed the
    // record without an acceptance. Writing `accepted_at: 10:20` the next
    // morning would meet the 1h response: it lies before the 18:00 commit.
    let repo = repo_with(TARGETS);
    let escalated = incident(
        "INC-0001",
        "in_progress",
        "2026-11-16T09:00:00Z",
        "support_level: 2\nescalations:\n  - at: 2026-11-16T10:00:00Z\n    to_level: 2\n",
    );
    repo.write("incidents/INC-0001.yaml", &escalated);
    repo.commit("escalate INC-0001", "2026-11-16T10:00:00Z");
    let note = "notes:\n  - at: 2026-11-16T18:00:00Z\n    by: bob@example.com\n    text: Nobody has it yet.\n";
    repo.write("incidents/INC-0001.yaml", format!("{escalated}{note}"));
    repo.commit("note on INC-0001", "2026-11-16T18:00:00Z");
    repo.write(
        "incidents/INC-0001.yaml",
        format!(
            "{}{note}",
            escalated.replace(
                "    to_level: 2\n",
                "    to_level: 2\n    accepted_at: 2026-11-16T10:20:00Z\n"
            )
        ),
    );
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("error[backdated]")
        .stderr_has("accepted_at");
}

#[test]
fn a_hold_awaiting_a_vendor_names_the_supplier_from_the_command_line() {
    let repo = repo_with(TARGETS);
    repo.write(
        "incidents/INC-0001.yaml",
        incident("INC-0001", "in_progress", "2026-11-21T09:00:00+01:00", ""),
    );
    repo.run([
        "transition",
        "INC-0001",
        "on_hold",
        "--reason",
        "awaiting_vendor",
        "--supplier",
        "acmee",
    ])
    .expect_code(2)
    .stderr_has("`acmee` is not a supplier in gitsm.yaml")
    .stderr_has("did you mean `acme`?");
    repo.run(["transition", "INC-0001", "resolved", "--supplier", "acme"])
        .expect_code(2)
        .stderr_has("--supplier does not apply to a move to `resolved`");
    // Both refusals wrote nothing.
    let before = std::fs::read_to_string(repo.path("incidents/INC-0001.yaml")).expect("record");
    assert!(!before.contains("on_hold"), "{before}");
    repo.run([
        "transition",
        "INC-0001",
        "on_hold",
        "--reason",
        "awaiting_vendor",
        "--supplier",
        "acme",
    ])
    .expect_code(0);
    let text = std::fs::read_to_string(repo.path("incidents/INC-0001.yaml")).expect("record");
    // The clock of the sandbox is 2026-11-21T10:00:00+01:00.
    assert!(
        text.contains("on_hold:\n  - start: 2026-11-21T10:00:00+01:00\n    reason: awaiting_vendor\n    supplier: acme\n"),
        "{text}"
    );
    repo.run(["validate"]).expect_code(0);
}
