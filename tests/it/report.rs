//! `gitsm report` through the real binary. Every expected figure is worked
//! out by hand in the comment above it; none was copied from the program's
//! output. Every run names its period (`--since`, `--until`) so that the
//! fixed `GITSM_NOW` of the hermetic environment (2026-11-21T10:00:00+01:00,
//! a Saturday) never matters unless a test says so.
//!
//! 2026 calendar facts used below: 2026-11-02 is a Monday, 2026-11-06 a
//! Friday; Europe/Berlin is on CET (+01:00) all of November.
//!
//! The example repository's report is a snapshot in
//! `tests/it/snapshots.rs`.

use crate::common;

use std::path::Path;

use common::{Repo, Sandbox};
use serde_json::Value;

/// The policy of every test. Default priority matrix: high/high P1,
/// high/medium P2, high/low P3, low/low P4.
const CONFIG: &str = concat!(
    common::cab_policy!(),
    r#"calendars:
  office:                 # Berlin office hours, Monday to Friday
    timezone: Europe/Berlin
    hours: { mon: "09:00-18:00", tue: "09:00-18:00", wed: "09:00-18:00", thu: "09:00-18:00", fri: "09:00-18:00" }
sla:
  P1: { response: 15m, resolution: 4h }
  P2: { response: 30m, resolution: 8h }
  P3: { response: 4h, resolution: 27h, calendar: office }
  P4: { response: 9h, resolution: 90h, calendar: office }
catalog:
  laptop: { name: New laptop, response: 1h, fulfilment: 9h, calendar: office }
  password: { name: Password reset, response: 10m, fulfilment: 30m }
standard_changes:
  cert: { title: Renew a TLS certificate, risk: low }
"#
);

const P1: (&str, &str) = ("high", "high");
const P2: (&str, &str) = ("high", "medium");
const P3: (&str, &str) = ("high", "low");

/// November 2026 in Berlin, up to the fixed "now".
const NOVEMBER: [&str; 6] = [
    "--since",
    "2026-11-01",
    "--until",
    "2026-11-21T10:00:00+01:00",
    "--timezone",
    "Europe/Berlin",
];

/// A managed repository with [`CONFIG`] and these records, which must be valid.
fn repo(records: &[(String, String)]) -> Repo {
    let repo = Repo::new();
    repo.write("gitsm.yaml", CONFIG);
    for (path, text) in records {
        repo.write(path, text);
    }
    repo.run(["validate"]).expect_code(0);
    repo
}

/// An incident file: `(path, text)`.
fn incident(id: &str, impact_urgency: (&str, &str), created: &str, rest: &str) -> (String, String) {
    let (impact, urgency) = impact_urgency;
    (
        format!("incidents/{id}.yaml"),
        format!(
            "id: {id}\ntitle: Incident {id}\ncreated_at: {created}\nreported_by: user@example.com\n\
             impact: {impact}\nurgency: {urgency}\nassignee: agent@example.com\n{rest}"
        ),
    )
}

/// What a resolved incident carries besides its times.
const RESOLVED: &str = "status: resolved\nresolution: { code: fixed, notes: Fixed. }\n";

/// `report --format json` with `args`, parsed; exit 0 required.
pub(crate) fn report_json(repo: &Repo, args: &[&str]) -> Value {
    let mut all = vec!["report", "--format", "json"];
    all.extend_from_slice(args);
    let run = repo.run(&all);
    run.expect_code(0);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{run}"))
}

fn priority<'a>(rows: &'a Value, p: &str) -> &'a Value {
    rows.as_array()
        .and_then(|rows| rows.iter().find(|r| r["priority"] == p))
        .unwrap_or_else(|| panic!("no row {p} in {rows:#}"))
}

const H: i64 = 3600;
const M: i64 = 60;

#[test]
fn mttr_per_priority_on_wall_time_and_on_a_business_calendar() {
    let records = [
        // P1, 24x7: acknowledged after 10m, resolved after 2h.
        incident(
            "INC-0001",
            P1,
            "2026-11-02T10:00:00+01:00",
            &format!(
                "{RESOLVED}acknowledged_at: 2026-11-02T10:10:00+01:00\nresolved_at: 2026-11-02T12:00:00+01:00\n"
            ),
        ),
        // P1, 24x7: acknowledged after 5m; 22:00 to 03:00 is 5h, less 1h on
        // hold (00:00-01:00) = 4h.
        incident(
            "INC-0002",
            P1,
            "2026-11-03T22:00:00+01:00",
            &format!(
                "{RESOLVED}acknowledged_at: 2026-11-03T22:05:00+01:00\nresolved_at: 2026-11-04T03:00:00+01:00\n\
                 on_hold:\n  - {{ start: 2026-11-04T00:00:00+01:00, end: 2026-11-04T01:00:00+01:00, reason: awaiting_vendor }}\n"
            ),
        ),
        // P3, office hours: created Friday 16:00, acknowledged 16:30 (30m);
        // resolved Monday 11:00: Friday 16-18 (2h) + Monday 09-11 (2h) = 4h
        // of working time (67h of wall time).
        incident(
            "INC-0003",
            P3,
            "2026-11-06T16:00:00+01:00",
            &format!(
                "{RESOLVED}acknowledged_at: 2026-11-06T16:30:00+01:00\nresolved_at: 2026-11-09T11:00:00+01:00\n"
            ),
        ),
        // P3, created Tuesday 08:00, before hours: acknowledged 09:30 is 30m
        // (09:00-09:30); resolved 17:00 is 8h (09:00-17:00).
        incident(
            "INC-0004",
            P3,
            "2026-11-10T08:00:00+01:00",
            &format!(
                "{RESOLVED}acknowledged_at: 2026-11-10T09:30:00+01:00\nresolved_at: 2026-11-10T17:00:00+01:00\n"
            ),
        ),
    ];
    let repo = repo(&records);
    let r = report_json(&repo, &NOVEMBER);
    let times = &r["incidents"]["times"];
    let p1 = priority(times, "P1");
    // MTTA (10m + 5m) / 2 = 7m30s = 450s; MTTR (2h + 4h) / 2 = 3h.
    assert_eq!(p1["calendar"], Value::Null);
    assert_eq!(p1["mtta"]["count"], 2);
    assert_eq!(p1["mtta"]["mean"], 450);
    assert_eq!(p1["mttr"]["count"], 2);
    assert_eq!(p1["mttr"]["mean"], 3 * H);
    assert_eq!(p1["mttr"]["median"], 3 * H);
    let p3 = priority(times, "P3");
    // MTTA (30m + 30m) / 2 = 30m; MTTR (4h + 8h) / 2 = 6h, median the same.
    assert_eq!(p3["calendar"], "office");
    assert_eq!(p3["mtta"]["mean"], 30 * M);
    assert_eq!(p3["mttr"]["mean"], 6 * H);
    assert_eq!(p3["mttr"]["median"], 6 * H);
    assert_eq!(p3["mttr"]["from_git"], 0);
    // No P2 incident: no sample, no mean.
    let p2 = priority(times, "P2");
    assert_eq!(p2["mttr"]["count"], 0);
    assert_eq!(p2["mttr"]["mean"], Value::Null);
    // Markdown shows the same figures: P1 MTTR 3h, P3 6h.
    let mut args = vec!["report"];
    args.extend_from_slice(&NOVEMBER);
    let run = repo.run(&args);
    run.expect_code(0)
        .stdout_has("| P1 | 24x7 | 2 | 8m | 8m | 2 | 3h | 3h |")
        .stdout_has("| P3 | office | 2 | 30m | 30m | 2 | 6h | 6h |");
}

#[test]
fn sla_compliance_lists_the_breached_tickets() {
    let records = [
        // P2 (24x7, 30m / 8h): response 20m met, resolution 7h met.
        incident(
            "INC-0001",
            P2,
            "2026-11-02T09:00:00+01:00",
            &format!(
                "{RESOLVED}acknowledged_at: 2026-11-02T09:20:00+01:00\nresolved_at: 2026-11-02T16:00:00+01:00\n"
            ),
        ),
        // Response 45m: missed, its 30m ran out at 10:30. Resolution 10h:
        // missed, its 8h ran out at 18:00.
        incident(
            "INC-0002",
            P2,
            "2026-11-02T10:00:00+01:00",
            &format!(
                "{RESOLVED}acknowledged_at: 2026-11-02T10:45:00+01:00\nresolved_at: 2026-11-02T20:00:00+01:00\n"
            ),
        ),
        // Still open at the end (Saturday 10:00): response 10m met;
        // resolution has run 14h, breached when 8h ran out, Saturday 04:00.
        incident(
            "INC-0003",
            P2,
            "2026-11-20T20:00:00+01:00",
            "status: in_progress\nacknowledged_at: 2026-11-20T20:10:00+01:00\n",
        ),
    ];
    let repo = repo(&records);
    let r = report_json(&repo, &NOVEMBER);
    let p2 = priority(&r["incidents"]["sla"], "P2");
    // Response: 2 of 3 met = 66.7%. Resolution: 1 of 3 met = 33.3%.
    assert_eq!(p2["response"]["met"], 2);
    assert_eq!(p2["response"]["missed"], 1);
    assert_eq!(p2["response"]["percent"], 66.7);
    assert_eq!(p2["resolution"]["met"], 1);
    assert_eq!(p2["resolution"]["missed"], 2);
    assert_eq!(p2["resolution"]["percent"], 33.3);
    // The same in the `all` row, as only P2 incidents exist.
    assert_eq!(
        priority(&r["incidents"]["sla"], "all")["resolution"],
        p2["resolution"]
    );
    // Listed in the order their targets ran out.
    let listed: Vec<(String, String, String, String)> = r["incidents"]["breaches"]
        .as_array()
        .expect("breaches")
        .iter()
        .map(|b| {
            let s = |k: &str| b[k].as_str().unwrap_or_default().to_owned();
            (s("id"), s("clock"), s("state"), s("breached_at"))
        })
        .collect();
    let row = |id: &str, clock: &str, state: &str, at: &str| {
        (
            id.to_owned(),
            clock.to_owned(),
            state.to_owned(),
            at.to_owned(),
        )
    };
    assert_eq!(
        listed,
        [
            row(
                "INC-0002",
                "response",
                "missed",
                "2026-11-02T10:30:00+01:00"
            ),
            row(
                "INC-0002",
                "resolution",
                "missed",
                "2026-11-02T18:00:00+01:00"
            ),
            row(
                "INC-0003",
                "resolution",
                "breached",
                "2026-11-21T04:00:00+01:00"
            ),
        ]
    );
    let mut args = vec!["report"];
    args.extend_from_slice(&NOVEMBER);
    repo.run(&args)
        .expect_code(0)
        .stdout_has("| P2 | 66.7% (2 of 3 met) | 33.3% (1 of 3 met) |")
        .stdout_has(
            "| INC-0003 | P2 | resolution | breached | 8h | 2026-11-21 04:00 +01:00 | running | Incident INC-0003 |",
        );
}

/// INC-0001 and INC-0002 opened, taken up and resolved in three commits on
/// Monday 2 November; INC-0001 reopened on Tuesday 09:00 and resolved again
/// at 15:00. The records carry no `acknowledged_at`: history supplies it.
fn reopened_repo() -> (Repo, [String; 5]) {
    let repo = Repo::new();
    repo.write("gitsm.yaml", CONFIG);
    let open = |id: &str| incident(id, P1, "2026-11-02T09:00:00+01:00", "status: new\n");
    for (p, t) in [open("INC-0001"), open("INC-0002")] {
        repo.write(&p, t);
    }
    let c1 = repo.commit("open two incidents", "2026-11-02T09:00:00+01:00");
    let set = |id: &str, rest: &str| {
        let (p, t) = incident(id, P1, "2026-11-02T09:00:00+01:00", rest);
        repo.write(&p, t);
    };
    set("INC-0001", "status: in_progress\n");
    set("INC-0002", "status: in_progress\n");
    let c2 = repo.commit("take them up", "2026-11-02T09:30:00+01:00");
    set(
        "INC-0001",
        &format!("{RESOLVED}resolved_at: 2026-11-02T11:30:00+01:00\n"),
    );
    set(
        "INC-0002",
        &format!("{RESOLVED}resolved_at: 2026-11-02T11:45:00+01:00\n"),
    );
    let c3 = repo.commit("resolve both", "2026-11-02T12:00:00+01:00");
    set(
        "INC-0001",
        "status: in_progress\nresolved_at: 2026-11-02T11:30:00+01:00\n",
    );
    let c4 = repo.commit("INC-0001 is back", "2026-11-03T09:00:00+01:00");
    set(
        "INC-0001",
        &format!("{RESOLVED}resolved_at: 2026-11-03T14:00:00+01:00\n"),
    );
    let c5 = repo.commit("resolve INC-0001 again", "2026-11-03T15:00:00+01:00");
    repo.run(["validate", "--range", "HEAD"]).expect_code(0);
    (repo, [c1, c2, c3, c4, c5])
}

#[test]
fn reopen_rate_comes_from_git_history() {
    let (repo, [_, c2, _, c4, _]) = reopened_repo();
    let r = report_json(&repo, &NOVEMBER);
    let reopens = &r["incidents"]["reopens"];
    // Both were first resolved in the period; INC-0001 went back to work:
    // 1 of 2 = 50%.
    assert_eq!(reopens["resolved"], 2);
    assert_eq!(reopens["reopened"], 1);
    assert_eq!(reopens["rate"]["percent"], 50.0);
    assert_eq!(reopens["tickets"][0]["id"], "INC-0001");
    assert_eq!(
        reopens["tickets"][0]["reopened_at"][0],
        "2026-11-03T09:00:00+01:00"
    );
    // MTTR (P1, 24x7). INC-0001: 09:00 Monday to 14:00 Tuesday is 29h, less
    // the 21h it sat resolved (the resolving commit, Monday 12:00, to the
    // reopening one, Tuesday 09:00) = 8h. INC-0002: 09:00 to 11:45 = 2h45m.
    // Mean (28800 + 9900) / 2 = 19350s; one sample used history.
    let p1 = priority(&r["incidents"]["times"], "P1");
    assert_eq!(p1["mttr"]["mean"], 19350);
    assert_eq!(p1["mttr"]["from_git"], 1);
    // Neither record says when it was acknowledged: the commit that took
    // them out of `new`, 09:30, is used: MTTA 30m, both from Git.
    assert_eq!(p1["mtta"]["mean"], 30 * M);
    assert_eq!(p1["mtta"]["from_git"], 2);
    let history = &r["source"]["history"];
    assert_eq!(history["derived"]["acknowledged"], 2);
    assert_eq!(history["derived"]["reopened"], 1);
    let stamps = history["stamps"].as_array().expect("stamps");
    assert!(
        stamps.iter().any(|s| s["id"] == "INC-0001"
            && s["field"] == "reopened"
            && s["commit"] == c4.as_str()),
        "{stamps:#?}"
    );
    assert!(
        stamps.iter().any(|s| s["id"] == "INC-0002"
            && s["field"] == "acknowledged"
            && s["commit"] == c2.as_str()),
        "{stamps:#?}"
    );
    // The Markdown says where the figures came from.
    let mut args = vec!["report"];
    args.extend_from_slice(&NOVEMBER);
    repo.run(&args)
        .expect_code(0)
        .stdout_has("Reopen rate: 50.0% (1 of 2)")
        .stdout_has("acknowledged 2, reopened 1")
        .stdout_has("| P1 | 24x7 | 2 (2 from Git) | 30m |");
}

#[test]
fn rev_computes_the_report_of_a_past_commit() {
    let (repo, [_, _, c3, _, c5]) = reopened_repo();
    // At the third commit both incidents were resolved and none reopened.
    // With --rev and no --until the report is as of that commit's time.
    let r = report_json(
        &repo,
        &[
            "--rev",
            &c3,
            "--since",
            "2026-11-01",
            "--timezone",
            "Europe/Berlin",
        ],
    );
    assert_eq!(r["source"]["revision"], c3.as_str());
    assert_eq!(r["period"]["until"], "2026-11-02T12:00:00+01:00");
    assert_eq!(r["incidents"]["reopens"]["resolved"], 2);
    assert_eq!(r["incidents"]["reopens"]["reopened"], 0);
    // INC-0001 resolved at 11:30 then: MTTR (2h30m + 2h45m) / 2 = 2h37m30s.
    assert_eq!(
        priority(&r["incidents"]["times"], "P1")["mttr"]["mean"],
        2 * H + 37 * M + 30
    );
    // The work tree has moved on (a new incident, uncommitted): --rev does
    // not see it, the work tree report does.
    let (p, t) = incident("INC-0003", P1, "2026-11-20T09:00:00+01:00", "status: new\n");
    repo.write(&p, t);
    let at_tip = report_json(&repo, &["--rev", &c5, "--since", "2026-11-01"]);
    assert_eq!(at_tip["volumes"]["by_kind"][0]["opened"], 2);
    assert_eq!(at_tip["incidents"]["reopens"]["reopened"], 1);
    let work_tree = report_json(&repo, &["--since", "2026-11-01"]);
    assert_eq!(work_tree["volumes"]["by_kind"][0]["opened"], 3);
    assert_eq!(work_tree["source"]["revision"], Value::Null);
}

#[test]
fn rev_uses_the_policy_of_that_commit() {
    // A P1 incident resolved in 3h: within the 4h target of the first
    // policy; a later commit tightens P1 to 2h. The report of the first
    // commit still says met; the report of the second says missed.
    let repo = Repo::new();
    repo.write("gitsm.yaml", CONFIG);
    let (p, t) = incident(
        "INC-0001",
        P1,
        "2026-11-02T09:00:00+01:00",
        &format!(
            "{RESOLVED}acknowledged_at: 2026-11-02T09:05:00+01:00\nresolved_at: 2026-11-02T12:00:00+01:00\n"
        ),
    );
    repo.write(&p, t);
    let before = repo.commit("resolved", "2026-11-02T13:00:00+01:00");
    repo.write(
        "gitsm.yaml",
        CONFIG.replace(
            "P1: { response: 15m, resolution: 4h }",
            "P1: { response: 15m, resolution: 2h }",
        ),
    );
    let after = repo.commit("tighter P1", "2026-11-03T13:00:00+01:00");
    let met = |rev: &str| {
        let r = report_json(&repo, &["--rev", rev, "--since", "2026-11-01"]);
        priority(&r["incidents"]["sla"], "P1")["resolution"]["met"].clone()
    };
    assert_eq!(met(&before), 1);
    assert_eq!(met(&after), 0);
}

#[test]
fn first_line_resolution_and_escalation_time() {
    let resolved = |id: &str, extra: &str| {
        incident(
            id,
            P1,
            "2026-11-02T09:00:00+01:00",
            &format!(
                "{RESOLVED}acknowledged_at: 2026-11-02T09:05:00+01:00\nresolved_at: 2026-11-02T12:00:00+01:00\n{extra}"
            ),
        )
    };
    let records = [
        // Resolved at level 1: stated, or unset with no escalation.
        resolved("INC-0001", "support_level: 1\n"),
        resolved("INC-0002", ""),
        // Escalated to level 2 after 30m, and to level 3 after 1h30m.
        resolved(
            "INC-0003",
            "support_level: 2\nescalations:\n  - { at: 2026-11-02T09:30:00+01:00, to_level: 2 }\n",
        ),
        resolved(
            "INC-0004",
            "escalations:\n  - { at: 2026-11-02T10:30:00+01:00, to_level: 3 }\n",
        ),
        // Still open: not among the resolved.
        incident(
            "INC-0005",
            P1,
            "2026-11-20T09:00:00+01:00",
            "status: in_progress\nacknowledged_at: 2026-11-20T09:05:00+01:00\nsupport_level: 1\n",
        ),
    ];
    let repo = repo(&records);
    let r = report_json(&repo, &NOVEMBER);
    // 2 of the 4 resolved = 50%.
    let flr = &r["incidents"]["first_line"];
    assert_eq!(
        (flr["count"].clone(), flr["of"].clone()),
        (2.into(), 4.into())
    );
    assert_eq!(flr["percent"], 50.0);
    // Escalation time (30m + 1h30m) / 2 = 1h.
    let esc = &r["incidents"]["escalation"];
    assert_eq!(esc["count"], 2);
    assert_eq!(esc["mean"], H);
}

/// A change file. Normal changes carry the two CAB approvals the default
/// policy asks for, emergency ones the one ECAB approval, standard ones
/// their template.
fn change(id: &str, kind: &str, created: &str, rest: &str) -> (String, String) {
    let approvals = match kind {
        "normal" => {
            "approvals:\n  - { by: carol, decision: approved, at: 2026-11-02T11:00:00+01:00 }\n  - { by: dave, decision: approved, at: 2026-11-02T11:00:00+01:00 }\n"
        }
        "emergency" => {
            "approvals:\n  - { by: carol, decision: approved, at: 2026-11-02T11:00:00+01:00 }\n"
        }
        _ => "template: cert\n",
    };
    (
        format!("changes/{id}.yaml"),
        format!(
            "id: {id}\ntitle: Change {id}\ntype: {kind}\ncreated_at: {created}\nrequested_by: erin\n\
             risk: low\nimpact: low\nimplementer: erin\n\
             window: {{ start: 2026-11-02T12:00:00+01:00, end: 2026-11-09T12:00:00+01:00 }}\n\
             implementation_plan: Do it.\nbackout_plan: Undo it.\ntest_plan: Check it.\n{approvals}{rest}"
        ),
    )
}

#[test]
fn change_success_rate_emergency_share_and_lead_time() {
    let created = "2026-11-02T10:00:00+01:00";
    let closed = |outcome: &str, implemented: &str| {
        format!(
            "status: closed\nimplemented_at: {implemented}\noutcome: {outcome}\nreview: Fine.\nclose_code: successful\nclosed_at: 2026-11-10T10:00:00+01:00\n"
        )
    };
    let in_review = |outcome: &str, implemented: &str| {
        format!("status: review\nimplemented_at: {implemented}\noutcome: {outcome}\n")
    };
    let records = [
        // Implemented 3 days after creation, successful.
        change(
            "CHG-0001",
            "normal",
            created,
            &closed("successful", "2026-11-05T10:00:00+01:00"),
        ),
        // Implemented after 4 days, backed out.
        change(
            "CHG-0002",
            "normal",
            created,
            &in_review("backed_out", "2026-11-06T10:00:00+01:00"),
        ),
        // Emergency, implemented after 5 days, successful.
        change(
            "CHG-0003",
            "emergency",
            created,
            &closed("successful", "2026-11-07T10:00:00+01:00"),
        ),
        // Standard, implemented after 6 days, successful with issues.
        change(
            "CHG-0004",
            "standard",
            created,
            &in_review("successful_with_issues", "2026-11-08T10:00:00+01:00"),
        ),
        // Not implemented yet.
        change("CHG-0005", "normal", created, "status: new\n"),
        // CHG-0002 caused an incident.
        incident(
            "INC-0001",
            P1,
            "2026-11-06T11:00:00+01:00",
            "status: in_progress\nacknowledged_at: 2026-11-06T11:05:00+01:00\ncaused_by_change: CHG-0002\n",
        ),
    ];
    let repo = repo(&records);
    let r = report_json(&repo, &NOVEMBER);
    let c = &r["changes"];
    let all = c["by_type"]
        .as_array()
        .and_then(|rows| rows.iter().find(|row| row["change_type"] == "all"))
        .expect("all row");
    // Successful (CHG-0001, CHG-0003) of the 4 implemented with an outcome:
    // 50%.
    assert_eq!(all["implemented"], 4);
    assert_eq!(all["successful"], 2);
    assert_eq!(all["success_rate"]["percent"], 50.0);
    // Lead time (3 + 4 + 5 + 6) / 4 = 4.5 days = 388800s; median (4 + 5) /
    // 2 days, the same.
    assert_eq!(all["lead_time"]["mean"], 388_800);
    assert_eq!(all["lead_time"]["median"], 388_800);
    // 1 emergency of the 5 opened = 20%.
    assert_eq!(c["emergency_share"]["count"], 1);
    assert_eq!(c["emergency_share"]["of"], 5);
    assert_eq!(c["emergency_share"]["percent"], 20.0);
    // CHG-0002 caused INC-0001: 1 of the 4 implemented = 25%.
    assert_eq!(c["caused_incidents"]["percent"], 25.0);
    assert_eq!(c["causing"][0]["id"], "CHG-0002");
    assert_eq!(c["causing"][0]["incidents"][0], "INC-0001");
    let normal = &c["by_type"][1];
    assert_eq!(normal["change_type"], "normal");
    // Normal: 3 opened, 2 implemented, 1 successful of 2 = 50%.
    assert_eq!(
        (normal["opened"].clone(), normal["implemented"].clone()),
        (3.into(), 2.into())
    );
    assert_eq!(normal["success_rate"]["percent"], 50.0);
}

/// A request file.
fn request(id: &str, item: &str, created: &str, rest: &str) -> (String, String) {
    (
        format!("requests/{id}.yaml"),
        format!(
            "id: {id}\ntitle: Request {id}\ncreated_at: {created}\nrequested_by: user@example.com\n\
             catalog_item: {item}\nassignee: agent@example.com\n{rest}"
        ),
    )
}

#[test]
fn request_fulfilment_within_target_per_catalogue_item() {
    let fulfilled = |ack: &str, done: &str| {
        format!("status: fulfilled\nacknowledged_at: {ack}\nfulfilled_at: {done}\n")
    };
    let records = [
        // Laptop (9h on office hours): Monday 16:00 to Tuesday 15:00 is
        // 2h + 6h = 8h: met.
        request(
            "REQ-0001",
            "laptop",
            "2026-11-02T16:00:00+01:00",
            &fulfilled("2026-11-02T16:30:00+01:00", "2026-11-03T15:00:00+01:00"),
        ),
        // Tuesday 09:00 to Wednesday 12:00 is 9h + 3h = 12h: missed, the
        // 9h ran out Tuesday 18:00.
        request(
            "REQ-0002",
            "laptop",
            "2026-11-03T09:00:00+01:00",
            &fulfilled("2026-11-03T09:10:00+01:00", "2026-11-04T12:00:00+01:00"),
        ),
        // Password reset (30m, 24x7): 20m, met.
        request(
            "REQ-0003",
            "password",
            "2026-11-05T10:00:00+01:00",
            &fulfilled("2026-11-05T10:05:00+01:00", "2026-11-05T10:20:00+01:00"),
        ),
    ];
    let repo = repo(&records);
    let r = report_json(&repo, &NOVEMBER);
    let item = |key: &str| {
        r["requests"]["by_item"]
            .as_array()
            .and_then(|rows| rows.iter().find(|row| row["item"] == key))
            .cloned()
            .unwrap_or_else(|| panic!("no item {key}"))
    };
    let laptop = item("laptop");
    // 1 of 2 = 50%; mean fulfilment (8h + 12h) / 2 = 10h.
    assert_eq!(laptop["name"], "New laptop");
    assert_eq!(laptop["fulfilment"]["met"], 1);
    assert_eq!(laptop["fulfilment"]["missed"], 1);
    assert_eq!(laptop["fulfilment"]["percent"], 50.0);
    assert_eq!(laptop["fulfilment_time"]["mean"], 10 * H);
    let password = item("password");
    assert_eq!(password["fulfilment"]["percent"], 100.0);
    // All items: 2 of 3 = 66.7%.
    assert_eq!(item("all")["fulfilment"]["percent"], 66.7);
    let breaches = r["requests"]["breaches"].as_array().expect("breaches");
    assert_eq!(breaches.len(), 1);
    assert_eq!(breaches[0]["id"], "REQ-0002");
    assert_eq!(breaches[0]["clock"], "fulfilment");
    assert_eq!(breaches[0]["breached_at"], "2026-11-03T18:00:00+01:00");
}

#[test]
fn backlog_and_monthly_trends() {
    let records = [
        // October: opened and resolved in October.
        incident(
            "INC-0001",
            P1,
            "2026-10-05T10:00:00+02:00",
            &format!(
                "{RESOLVED}acknowledged_at: 2026-10-05T10:05:00+02:00\nresolved_at: 2026-10-05T11:00:00+02:00\n"
            ),
        ),
        // Opened in October, resolved in November.
        incident(
            "INC-0002",
            P1,
            "2026-10-30T10:00:00+01:00",
            &format!(
                "{RESOLVED}acknowledged_at: 2026-10-30T10:05:00+01:00\nresolved_at: 2026-11-02T10:00:00+01:00\n"
            ),
        ),
        // Opened in November, open at the end, 10 days old.
        incident(
            "INC-0003",
            P1,
            "2026-11-11T10:00:00+01:00",
            "status: in_progress\nacknowledged_at: 2026-11-11T10:05:00+01:00\n",
        ),
    ];
    let repo = repo(&records);
    let r = report_json(
        &repo,
        &[
            "--since",
            "2026-10-01",
            "--until",
            "2026-11-21T10:00:00+01:00",
            "--timezone",
            "Europe/Berlin",
        ],
    );
    let months = r["trends"].as_array().expect("trends");
    let month = |i: usize, what: &str| months[i][what]["incident"].clone();
    assert_eq!(months.len(), 2);
    assert_eq!(months[0]["month"], "2026-10");
    assert_eq!(months[0]["start"], "2026-10-01T00:00:00+02:00");
    assert_eq!(months[0]["end"], "2026-11-01T00:00:00+01:00");
    // October: 2 opened, 1 closed, 1 open at its end (INC-0002).
    assert_eq!(
        (month(0, "opened"), month(0, "closed"), month(0, "backlog")),
        (2.into(), 1.into(), 1.into())
    );
    // November: 1 opened, 1 closed, 1 open (INC-0003): 1 + 1 - 1.
    assert_eq!(
        (month(1, "opened"), month(1, "closed"), month(1, "backlog")),
        (1.into(), 1.into(), 1.into())
    );
    // Resolution clocks: INC-0001 met in October (1h of 4h); INC-0002 missed
    // when its 4h ran out, 30 October 14:00; INC-0003 missed 11 November.
    assert_eq!(months[0]["resolution"]["met"], 1);
    assert_eq!(months[0]["resolution"]["missed"], 1);
    assert_eq!(months[1]["resolution"]["missed"], 1);
    // The backlog at the end: INC-0003, 10 days old (7-30 days bucket).
    let inc = &r["backlog"]["by_kind"][0];
    assert_eq!(inc["open"], 1);
    assert_eq!(inc["aging"], serde_json::json!([0, 0, 1, 0, 0]));
    assert_eq!(inc["oldest"]["id"], "INC-0003");
    assert_eq!(inc["oldest"]["age"], 10 * 24 * H);
}

#[test]
fn a_period_ending_later_is_read_at_the_present_or_at() {
    // INC-0001, P1 (4h), opened 2026-11-21 08:00 and still in progress.
    // A period to the end of the year is read at GITSM_NOW (10:00): 2h of
    // 4h, not missed, and the ticket 2h old; with --at 13:00, missed (due
    // 12:00). Never at 2027-01-01.
    let records = [incident(
        "INC-0001",
        P1,
        "2026-11-21T08:00:00+01:00",
        "status: in_progress\nacknowledged_at: 2026-11-21T08:05:00+01:00\n",
    )];
    let repo = repo(&records);
    let year = [
        "--since",
        "2026-11-01",
        "--until",
        "2026-12-31",
        "--timezone",
        "Europe/Berlin",
    ];
    let r = report_json(&repo, &year);
    assert_eq!(r["period"]["until"], "2027-01-01T00:00:00+01:00");
    assert_eq!(r["period"]["as_of"], "2026-11-21T10:00:00+01:00");
    assert_eq!(r["backlog"]["by_kind"][0]["oldest"]["age"], 2 * H);
    assert_eq!(
        priority(&r["incidents"]["sla"], "P1")["resolution"]["missed"],
        0
    );
    let mut at = year.to_vec();
    at.extend(["--at", "2026-11-21T13:00:00+01:00"]);
    let r = report_json(&repo, &at);
    assert_eq!(r["period"]["as_of"], "2026-11-21T13:00:00+01:00");
    assert_eq!(
        priority(&r["incidents"]["sla"], "P1")["resolution"]["missed"],
        1
    );
    let text = repo.run(["report"].iter().chain(&year));
    text.expect_code(0)
        .stdout_has("Figures are as of 2026-11-21 10:00 +01:00");
}

#[test]
fn the_same_inputs_give_byte_identical_reports() {
    let (repo, [_, _, c3, _, _]) = reopened_repo();
    for format in ["markdown", "json", "html"] {
        let args = ["report", "--format", format, "--until", "2026-11-21"];
        let (a, b) = (repo.run(args), repo.run(args));
        a.expect_code(0);
        assert_eq!(a.stdout, b.stdout, "{format} differs between runs");
        let args = ["report", "--format", format, "--rev", c3.as_str()];
        let (a, b) = (repo.run(args), repo.run(args));
        a.expect_code(0);
        assert_eq!(a.stdout, b.stdout, "{format} --rev differs between runs");
    }
    // Without --until the work tree report is as of GITSM_NOW: also stable.
    assert_eq!(repo.run(["report"]).stdout, repo.run(["report"]).stdout);
}

#[test]
fn json_has_every_section() {
    let (repo, _) = reopened_repo();
    let r = report_json(&repo, &NOVEMBER);
    let keys: Vec<&str> = r
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "period",
            "source",
            "volumes",
            "backlog",
            "incidents",
            "problems",
            "changes",
            "requests",
            "knowledge",
            "major_incidents",
            "problem_candidates",
            "maintenance",
            "satisfaction",
            "teams",
            "availability",
            "trends"
        ]
    );
    assert_eq!(r["period"]["since"], "2026-11-01T00:00:00+01:00");
    assert_eq!(r["period"]["until"], "2026-11-21T10:00:00+01:00");
    assert_eq!(r["period"]["timezone"], "Europe/Berlin");
    let kinds: Vec<&Value> = r["volumes"]["by_kind"]
        .as_array()
        .expect("by_kind")
        .iter()
        .map(|k| &k["key"])
        .collect();
    assert_eq!(kinds, ["incident", "problem", "change", "request"]);
    let priorities: Vec<&Value> = r["incidents"]["sla"]
        .as_array()
        .expect("sla")
        .iter()
        .map(|p| &p["priority"])
        .collect();
    assert_eq!(priorities, ["P1", "P2", "P3", "P4", "all"]);
    for key in ["mtta", "mttr"] {
        let stats = &r["incidents"]["times"][0][key];
        for field in ["count", "mean", "median", "from_git"] {
            assert!(stats.get(field).is_some(), "{key} lacks {field}: {stats}");
        }
    }
    assert!(r["source"]["history"]["available"].as_bool().expect("bool"));
    assert_eq!(r["trends"][0]["month"], "2026-11");
    for key in ["opened", "closed", "backlog"] {
        assert!(r["trends"][0][key]["problem"].is_u64(), "{key}");
    }
}

#[test]
fn bad_periods_and_revisions_are_usage_errors() {
    let (repo, _) = reopened_repo();
    for args in [
        vec!["report", "--since", "yesterday"],
        vec!["report", "--until", "2026-13-01"],
        vec!["report", "--since", "2026-11-02", "--until", "2026-11-01"],
        vec!["report", "--rev", "no-such-branch"],
        vec!["report", "--timezone", "Mars/Olympus"],
        vec!["report", "--format", "pdf"],
    ] {
        let run = repo.run(&args);
        run.expect_code(2);
        assert!(run.stdout.is_empty(), "{args:?} printed a report:\n{run}");
    }
    repo.run(["report", "--since", "yesterday"])
        .stderr_has("2026-10-01");
}

#[test]
fn output_file_is_written_and_html_escapes_record_content() {
    let hostile = "<script>alert(1)</script> | **bold** & \"quoted\"";
    let (path, text) = incident(
        "INC-0001",
        P2,
        "2026-11-02T09:00:00+01:00",
        "status: in_progress\nacknowledged_at: 2026-11-02T10:00:00+01:00\n",
    );
    let text = text.replace("title: Incident INC-0001", &format!("title: '{hostile}'"));
    let repo = repo(&[(path, text)]);
    let mut args = vec!["report", "--format", "html", "-o", "out/report.html"];
    args.extend_from_slice(&NOVEMBER);
    let run = repo.run(&args);
    run.expect_code(0).stderr_has("report.html");
    assert!(run.stdout.is_empty(), "{run}");
    let html = std::fs::read_to_string(repo.path("out/report.html")).expect("written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "unescaped script tag");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; | **bold** &amp; &quot;quoted&quot;")
    );
    // Self-contained: nothing fetched from elsewhere.
    for needle in ["http://", "https://", "src=", "<link"] {
        let outside = html.replace("http://www.w3.org/2000/svg", "");
        assert!(!outside.contains(needle), "HTML refers to {needle}");
    }
    // Markdown escapes the same title so it cannot break a table.
    let mut args = vec!["report"];
    args.extend_from_slice(&NOVEMBER);
    repo.run(&args)
        .expect_code(0)
        .stdout_has("\\<script\\>alert(1)\\</script\\> \\| \\*\\*bold\\*\\* & \"quoted\"");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(repo.path("out/report.html"))
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }
}

#[test]
fn long_lists_are_cut_in_markdown_but_whole_in_json() {
    // 60 P1 incidents never acknowledged, open since Friday 09:00: each
    // has breached both clocks (15m and 4h) by Saturday 10:00: 120 rows.
    let records: Vec<_> = (1..=60)
        .map(|i| {
            incident(
                &format!("INC-{i:04}"),
                P1,
                "2026-11-20T09:00:00+01:00",
                "status: new\n",
            )
        })
        .collect();
    let repo = repo(&records);
    let r = report_json(&repo, &NOVEMBER);
    assert_eq!(
        r["incidents"]["breaches"].as_array().map(Vec::len),
        Some(120)
    );
    let mut args = vec!["report"];
    args.extend_from_slice(&NOVEMBER);
    let run = repo.run(&args);
    run.expect_code(0).stdout_has(
        "The first 100 of 120 are listed; the JSON format (--format json) lists all of them.",
    );
    let rows: Vec<(String, String)> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("| INC-") && l.contains("| breached |"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].to_owned(), cells[3].to_owned())
        })
        .collect();
    // The Markdown keeps only the rows it shows: the first 100, in the
    // order of the whole list.
    let first: Vec<(String, String)> = r["incidents"]["breaches"]
        .as_array()
        .expect("breaches")
        .iter()
        .take(100)
        .map(|b| {
            let text = |k: &str| b[k].as_str().expect("text").to_owned();
            (text("id"), text("clock"))
        })
        .collect();
    assert_eq!(rows.len(), 100);
    assert_eq!(rows, first);
}

#[test]
fn without_git_the_report_says_figures_come_from_the_records() {
    let sb = Sandbox::new();
    let dir = sb.dir("plain");
    std::fs::write(dir.join("gitsm.yaml"), CONFIG).expect("config");
    let (p, t) = incident("INC-0001", P1, "2026-11-02T09:00:00+01:00", "status: new\n");
    common::write_file(&dir, &p, t);
    let run = sb.gitsm(&dir, ["report", "--until", "2026-11-21"]);
    run.expect_code(0)
        .stdout_has("Git history: not available")
        .stdout_has("| Reopen rate | needs Git history |");
}

/// A managed folder inside another project's repository reads that
/// repository's history, unless `GIT_CEILING_DIRECTORIES` stops the search
/// for it, as it stops Git's.
#[test]
fn the_search_for_a_repository_stops_at_git_ceiling_directories() {
    let sb = Sandbox::new();
    let outer = sb.git_repo("outer");
    let dir = outer.join("tickets");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("gitsm.yaml"), CONFIG).expect("config");
    let (p, t) = incident("INC-0001", P1, "2026-11-02T09:00:00+01:00", "status: new\n");
    common::write_file(&dir, &p, t);
    sb.git(&outer, ["add", "-A"]);
    sb.git(&outer, ["commit", "-q", "-m", "tickets"]);
    let available = |ceiling: Option<&Path>| {
        let mut cmd = std::process::Command::new(common::bin());
        common::hermetic(&mut cmd, &sb.home());
        if let Some(ceiling) = ceiling {
            cmd.env("GIT_CEILING_DIRECTORIES", ceiling);
        }
        let out = cmd
            .current_dir(&dir)
            .args(["report", "--format", "json", "--until", "2026-11-21"])
            .output()
            .expect("gitsm starts");
        assert!(out.status.success(), "{out:?}");
        let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        json["source"]["history"]["available"].clone()
    };
    assert_eq!(available(None), true);
    assert_eq!(available(Some(&outer)), false);
}

// --- The example repository -------------------------------------------------

const EXAMPLE_ARGS: [&str; 5] = [
    "report",
    "--until",
    "2026-11-21T10:00:00+01:00",
    "--timezone",
    "Europe/Berlin",
];

#[test]
fn example_repository_renders_in_every_format() {
    let sb = Sandbox::new();
    let root = sb.example_repo();
    let json = sb.gitsm(&root, [&EXAMPLE_ARGS[..], &["--format", "json"]].concat());
    json.expect_code(0);
    let r: Value = serde_json::from_str(&json.stdout).expect("JSON");
    // 25 incidents, 6 problems, 15 changes, 10 requests, 20 CIs.
    assert_eq!(r["source"]["records"]["incident"], 25);
    assert_eq!(r["source"]["records"]["ci"], 20);
    assert_eq!(r["source"]["unreadable"], 0);
    // Every month's backlog is the previous one plus those opened less
    // those closed, and the last one is the backlog at the end.
    let months = r["trends"].as_array().expect("trends");
    for kind in ["incident", "problem", "change", "request"] {
        let n = |i: usize, what: &str| months[i][what][kind].as_i64().expect("count");
        for (i, month) in months.iter().enumerate().skip(1) {
            assert_eq!(
                n(i, "backlog"),
                n(i - 1, "backlog") + n(i, "opened") - n(i, "closed"),
                "{kind} in {}",
                month["month"]
            );
        }
        let end = r["backlog"]["by_kind"]
            .as_array()
            .and_then(|rows| rows.iter().find(|row| row["key"] == kind))
            .expect("backlog row");
        assert_eq!(
            n(months.len() - 1, "backlog"),
            end["open"].as_i64().expect("open")
        );
    }
    let html = sb.gitsm(&root, [&EXAMPLE_ARGS[..], &["--format", "html"]].concat());
    html.expect_code(0);
    assert!(html.stdout.starts_with("<!DOCTYPE html>"));
    assert!(html.stdout.trim_end().ends_with("</html>"));
    assert!(html.stdout.contains("<svg"), "trend charts are inline SVG");
    assert!(!html.stdout.contains("<script"));
}

#[test]
fn records_that_fail_their_schema_are_left_out_with_a_warning() {
    let open = "status: in_progress\nacknowledged_at: 2026-11-10T10:00:00+01:00\n";
    let repo = repo(&[
        incident("INC-0001", P2, "2026-11-02T09:00:00+01:00", open),
        incident("INC-0002", P2, "2026-11-03T09:00:00+01:00", open),
    ]);
    // Breaks a rule `validate` checks beyond the schema (an incident in
    // progress needs an assignee): still a ticket, still counted.
    let (path, text) = incident("INC-0003", P2, "2026-11-04T09:00:00+01:00", open);
    repo.write(&path, text.replace("assignee: agent@example.com\n", ""));
    // Fails the schema only (a misspelt field the typed model would have
    // ignored), and is not YAML at all.
    let (path, text) = incident("INC-0004", P2, "2026-11-05T09:00:00+01:00", open);
    repo.write(&path, format!("{text}asignee: someone@example.com\n"));
    repo.write(
        "incidents/INC-0005.yaml",
        "id: INC-0005\ntitle: [unclosed\n",
    );
    repo.run(["validate"]).expect_code(1);
    let mut args = vec!["report", "--format", "json"];
    args.extend_from_slice(&NOVEMBER);
    let run = repo.run(&args);
    run.expect_code(0)
        .stderr_has("2 record files could not be read and are not counted");
    let r: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(r["volumes"]["by_kind"][0]["key"], "incident");
    assert_eq!(
        r["volumes"]["by_kind"][0]["opened"], 3,
        "{:#}",
        r["volumes"]
    );
    assert_eq!(r["source"]["unreadable"], 2);
}
