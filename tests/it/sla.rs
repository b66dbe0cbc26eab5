//! SLA clocks through the real binary: `gitsm sla` and the clocks in `gitsm
//! show`. Every expected figure is worked out by hand in the comment above
//! it; none was copied from the program's output. Every `sla` run passes
//! `--at`; `show` reads its clocks at `GITSM_NOW`, which the hermetic
//! environment fixes at 2026-11-21T10:00:00+01:00.
//!
//! 2026 calendar facts used below: 2026-11-20 is a Friday, 2026-12-23 a
//! Wednesday; Europe/Berlin springs forward on Sunday 2026-03-29 (02:00 CET
//! -> 03:00 CEST) and falls back on Sunday 2026-10-25 (03:00 CEST -> 02:00
//! CET); America/New_York springs forward on Sunday 2026-03-08 (02:00 EST ->
//! 03:00 EDT) and falls back on Sunday 2026-11-01 (02:00 EDT -> 01:00 EST).

use crate::common;

use common::Repo;
use serde_json::Value;

/// The policy of every test. Priorities by the default matrix:
/// high/high P1, high/medium P2, high/low P3, low/low P4.
const CONFIG: &str = r#"
calendars:
  office:                 # Berlin office, Christmas Eve and Day off
    timezone: Europe/Berlin
    hours: { mon: "09:00-18:00", tue: "09:00-18:00", wed: "09:00-18:00", thu: "09:00-18:00", fri: "09:00-18:00" }
    holidays: [2026-12-24, 2026-12-25]
  lunch:                  # two spans a day: 3.5h + 4.5h = 8h
    timezone: Europe/Berlin
    hours: { mon: "09:00-12:30,13:30-18:00", tue: "09:00-12:30,13:30-18:00", wed: "09:00-12:30,13:30-18:00", thu: "09:00-12:30,13:30-18:00", fri: "09:00-12:30,13:30-18:00" }
  nights:                 # Sunday 00:00-06:00 local time only
    timezone: Europe/Berlin
    hours: { sun: "00:00-06:00" }
sla:
  P1: { response: 15m, resolution: 4h }
  P2: { response: 30m, resolution: 8h, calendar: lunch }
  P3: { response: 4h, resolution: 27h, calendar: office }
  P4: { response: 1h, resolution: 8h, calendar: nights }
catalog:
  laptop: { name: New laptop, response: 1h, fulfilment: 9h, calendar: office }
symptom_policy:
  clock: resolution
  targets:
    system_crash: { "1": 10m, "2": 15m, "3": 30m }
"#;

/// A managed repository with [`CONFIG`] (edited by `tweak`) and records.
fn repo_with(tweak: impl Fn(&str) -> String, records: &[(&str, String)]) -> Repo {
    let repo = Repo::new();
    repo.write("gitsm.yaml", tweak(CONFIG));
    for (path, text) in records {
        repo.write(path, text);
    }
    // The fixtures are valid records under a valid config.
    repo.run(["validate"]).expect_code(0);
    repo
}

fn repo(records: &[(&str, String)]) -> Repo {
    repo_with(str::to_owned, records)
}

/// An incident file: `(path, text)`. `impact`/`urgency` pick the priority.
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

const P1: (&str, &str) = ("high", "high");
const P2: (&str, &str) = ("high", "medium");
const P3: (&str, &str) = ("high", "low");
const P4: (&str, &str) = ("low", "low");

fn files(list: &[(String, String)]) -> Vec<(&str, String)> {
    list.iter().map(|(p, t)| (p.as_str(), t.clone())).collect()
}

/// `gitsm sla --at AT --format json`, parsed; exit 0 required.
fn sla_at(repo: &Repo, at: &str) -> Vec<Value> {
    let run = repo.run(["sla", "--at", at, "--format", "json"]);
    run.expect_code(0);
    match serde_json::from_str(&run.stdout) {
        Ok(Value::Array(items)) => items,
        other => panic!("not a JSON list: {other:?}\n{run}"),
    }
}

fn ticket<'a>(list: &'a [Value], id: &str) -> &'a Value {
    list.iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("{id} not listed in {list:#?}"))
}

/// (elapsed seconds, remaining seconds, due, state) of a clock.
fn clock(t: &Value, which: &str) -> (i64, i64, String, String) {
    let c = &t[which];
    (
        c["elapsed"].as_i64().expect("elapsed"),
        c["remaining"].as_i64().expect("remaining"),
        c["due"].as_str().expect("due").to_owned(),
        c["state"].as_str().expect("state").to_owned(),
    )
}

const H: i64 = 3600;
const M: i64 = 60;

#[test]
fn a_clock_across_a_weekend() {
    let (p, t) = incident(
        "INC-0001",
        P3,
        "2026-11-20T16:00:00+01:00",
        "status: in_progress\nacknowledged_at: 2026-11-20T16:30:00+01:00\n",
    );
    let repo = repo(&[(&p, t)]);
    let list = sla_at(&repo, "2026-11-23T11:00:00+01:00");
    let inc = ticket(&list, "INC-0001");
    // P3 on the office calendar. Response: Fri 16:00-16:30 = 30m of 4h, met;
    // it was due at 16:00 + 2h (Fri, to 18:00) + 2h (Mon 09:00-11:00) = Mon 11:00.
    assert_eq!(
        clock(inc, "response"),
        (
            30 * M,
            4 * H - 30 * M,
            "2026-11-23T11:00:00+01:00".into(),
            "met".into()
        )
    );
    // Resolution: Fri 16:00-18:00 (2h) + Sat, Sun nothing + Mon 09:00-11:00 (2h)
    // = 4h of 27h (15%: ok); 23h remain: Mon 11-18 (7h, 16h left), Tue 9h (7h
    // left), Wed 09:00 + 7h = Wed 2026-11-25 16:00.
    assert_eq!(
        clock(inc, "resolution"),
        (
            4 * H,
            23 * H,
            "2026-11-25T16:00:00+01:00".into(),
            "ok".into()
        )
    );
    assert_eq!(inc["state"], "ok");
}

#[test]
fn a_clock_across_holidays() {
    let (p, t) = incident("INC-0001", P3, "2026-12-23T16:00:00+01:00", "status: new\n");
    let repo = repo(&[(&p, t)]);
    let list = sla_at(&repo, "2026-12-28T10:00:00+01:00");
    let inc = ticket(&list, "INC-0001");
    // Wed 12-23 16:00-18:00 (2h), Thu 12-24 and Fri 12-25 holidays, weekend,
    // Mon 12-28 09:00-10:00 (1h): 3h.
    // Response, not acknowledged: 3h of 4h = 75%, at risk; due Mon 10:00 + 1h.
    assert_eq!(
        clock(inc, "response"),
        (
            3 * H,
            H,
            "2026-12-28T11:00:00+01:00".into(),
            "at_risk".into()
        )
    );
    // Resolution: 3h of 27h; 24h remain: Mon 10-18 (8h, 16h left), Tue 9h
    // (7h left), Wed 12-30 09:00 + 7h = 16:00.
    assert_eq!(
        clock(inc, "resolution"),
        (
            3 * H,
            24 * H,
            "2026-12-30T16:00:00+01:00".into(),
            "ok".into()
        )
    );
    assert_eq!(inc["state"], "at_risk");
}

#[test]
fn office_hours_across_the_berlin_spring_forward_weekend() {
    let (p, t) = incident(
        "INC-0001",
        P3,
        "2026-03-27T17:00:00+01:00",
        "status: in_progress\nacknowledged_at: 2026-03-27T17:10:00+01:00\n",
    );
    let repo = repo(&[(&p, t)]);
    let list = sla_at(&repo, "2026-03-30T10:00:00+02:00");
    let inc = ticket(&list, "INC-0001");
    // Fri 17:00-18:00 CET (1h) + Mon 09:00-10:00 CEST (1h) = 2h, though 64h of
    // wall time passed (16:00Z to 08:00Z). 25h remain: Mon 10-18 (8h, 17h
    // left), Tue 9h (8h left), Wed 04-01 09:00 + 8h = 17:00 CEST.
    assert_eq!(
        clock(inc, "resolution"),
        (
            2 * H,
            25 * H,
            "2026-04-01T17:00:00+02:00".into(),
            "ok".into()
        )
    );
}

#[test]
fn a_night_calendar_across_berlin_spring_forward_and_fall_back() {
    let (p1, t1) = incident(
        "INC-0001",
        P4,
        "2026-03-28T23:00:00+01:00",
        "status: in_progress\nacknowledged_at: 2026-03-29T00:30:00+01:00\n",
    );
    let (p2, t2) = incident(
        "INC-0002",
        P4,
        "2026-10-24T23:00:00+02:00",
        "status: in_progress\n",
    );
    let repo = repo(&files(&[(p1, t1), (p2, t2)]));
    // Sunday 03-29 00:00-06:00 local is 23:00Z to 04:00Z: 5h, the hour
    // 02:00-03:00 does not exist. Response: 00:00-00:30 = 30m of 1h, met
    // (due 01:00 CET). Resolution: 5h of 8h (62.5%: ok); 3h remain, the next
    // Sunday 04-05 (CEST) 00:00 + 3h = 03:00+02:00.
    let list = sla_at(&repo, "2026-03-29T12:00:00+02:00");
    let inc = ticket(&list, "INC-0001");
    assert_eq!(
        clock(inc, "response"),
        (
            30 * M,
            30 * M,
            "2026-03-29T01:00:00+01:00".into(),
            "met".into()
        )
    );
    assert_eq!(
        clock(inc, "resolution"),
        (
            5 * H,
            3 * H,
            "2026-04-05T03:00:00+02:00".into(),
            "ok".into()
        )
    );
    // Sunday 10-25 00:00-06:00 local is 22:00Z (10-24) to 05:00Z: 7h, the hour
    // 02:00-03:00 happens twice. Resolution: 7h of 8h (87.5%: at risk); 1h
    // remains, Sunday 11-01 (CET) 00:00 + 1h = 01:00+01:00. Response, never
    // acknowledged: 7h of 1h, breached; it was due at 01:00 CEST.
    let list = sla_at(&repo, "2026-10-25T12:00:00+01:00");
    let inc = ticket(&list, "INC-0002");
    assert_eq!(
        clock(inc, "resolution"),
        (
            7 * H,
            H,
            "2026-11-01T01:00:00+01:00".into(),
            "at_risk".into()
        )
    );
    assert_eq!(
        clock(inc, "response"),
        (
            7 * H,
            -6 * H,
            "2026-10-25T01:00:00+02:00".into(),
            "breached".into()
        )
    );
    assert_eq!(inc["state"], "breached");
}

#[test]
fn a_night_calendar_across_new_york_spring_forward_and_fall_back() {
    let (p1, t1) = incident(
        "INC-0001",
        P4,
        "2026-03-07T23:00:00-05:00",
        "status: in_progress\n",
    );
    let (p2, t2) = incident(
        "INC-0002",
        P4,
        "2026-10-31T23:00:00-04:00",
        "status: in_progress\n",
    );
    let repo = repo_with(
        |c| {
            c.replace(
                "timezone: Europe/Berlin\n    hours: { sun:",
                "timezone: America/New_York\n    hours: { sun:",
            )
        },
        &files(&[(p1, t1), (p2, t2)]),
    );
    // Sunday 03-08 00:00 EST (05:00Z) to 06:00 EDT (10:00Z): 5h, 02:00-03:00
    // does not exist. 3h of 8h remain: Sunday 03-15 00:00 + 3h = 03:00-04:00.
    let list = sla_at(&repo, "2026-03-08T12:00:00-04:00");
    assert_eq!(
        clock(ticket(&list, "INC-0001"), "resolution"),
        (
            5 * H,
            3 * H,
            "2026-03-15T03:00:00-04:00".into(),
            "ok".into()
        )
    );
    // Sunday 11-01 00:00 EDT (04:00Z) to 06:00 EST (11:00Z): 7h, 01:00-02:00
    // happens twice. 1h remains: Sunday 11-08 00:00 + 1h = 01:00-05:00.
    let list = sla_at(&repo, "2026-11-01T12:00:00-05:00");
    assert_eq!(
        clock(ticket(&list, "INC-0002"), "resolution"),
        (
            7 * H,
            H,
            "2026-11-08T01:00:00-05:00".into(),
            "at_risk".into()
        )
    );
}

#[test]
fn around_the_clock_across_spring_forward_is_wall_time() {
    let (p, t) = incident(
        "INC-0001",
        P1,
        "2026-03-28T22:00:00+01:00",
        "status: in_progress\nacknowledged_at: 2026-03-28T22:10:00+01:00\n",
    );
    let repo = repo(&[(&p, t)]);
    let list = sla_at(&repo, "2026-03-29T04:00:00+02:00");
    // P1 runs 24x7: 21:00Z to 02:00Z is 5h (the clock face says 6h) of 4h:
    // breached by 1h; it was due at 01:00Z, shown in the creation offset.
    assert_eq!(
        clock(ticket(&list, "INC-0001"), "resolution"),
        (
            5 * H,
            -H,
            "2026-03-29T02:00:00+01:00".into(),
            "breached".into()
        )
    );
}

#[test]
fn an_on_hold_period_spanning_a_night() {
    let (p1, t1) = incident(
        "INC-0001",
        P1,
        "2026-11-19T20:00:00+01:00",
        "status: in_progress\nacknowledged_at: 2026-11-19T20:05:00+01:00\n\
         on_hold:\n  - { start: 2026-11-19T22:00:00+01:00, end: 2026-11-20T07:00:00+01:00, reason: awaiting_caller }\n",
    );
    // Still on hold: the pause lasts until the reading.
    let (p2, t2) = incident(
        "INC-0002",
        P1,
        "2026-11-19T20:00:00+01:00",
        "status: on_hold\nacknowledged_at: 2026-11-19T20:05:00+01:00\n\
         on_hold:\n  - { start: 2026-11-19T22:00:00+01:00, reason: awaiting_vendor }\n",
    );
    let repo = repo(&files(&[(p1, t1), (p2, t2)]));
    let list = sla_at(&repo, "2026-11-20T08:00:00+01:00");
    // 20:00-22:00 (2h) + held 22:00-07:00 + 07:00-08:00 (1h) = 3h of 4h: at
    // risk (75%); 1h left: due 09:00.
    let one = ticket(&list, "INC-0001");
    assert_eq!(
        clock(one, "resolution"),
        (
            3 * H,
            H,
            "2026-11-20T09:00:00+01:00".into(),
            "at_risk".into()
        )
    );
    assert_eq!(one["resolution"]["paused"], false);
    // Held since 22:00: 2h of 4h; due as if it resumed at the reading: 08:00 + 2h.
    let two = ticket(&list, "INC-0002");
    assert_eq!(
        clock(two, "resolution"),
        (
            2 * H,
            2 * H,
            "2026-11-20T10:00:00+01:00".into(),
            "ok".into()
        )
    );
    assert_eq!(two["resolution"]["paused"], true);
}

#[test]
fn two_spans_a_day_skip_the_lunch_break() {
    let (p, t) = incident(
        "INC-0001",
        P2,
        "2026-11-16T12:15:00+01:00",
        "status: in_progress\nacknowledged_at: 2026-11-16T13:40:00+01:00\n",
    );
    let repo = repo(&[(&p, t)]);
    let list = sla_at(&repo, "2026-11-16T15:00:00+01:00");
    let inc = ticket(&list, "INC-0001");
    // Response: 12:15-12:30 (15m) + 13:30-13:40 (10m) = 25m of 30m: met,
    // though 85 minutes of wall time passed. It was due 13:30 + 15m = 13:45.
    assert_eq!(
        clock(inc, "response"),
        (
            25 * M,
            5 * M,
            "2026-11-16T13:45:00+01:00".into(),
            "met".into()
        )
    );
    // Resolution: 15m + 13:30-15:00 (1h30m) = 1h45m of 8h; 6h15m remain:
    // 15:00-18:00 (3h, 3h15m left), Tue 09:00 + 3h15m = 12:15 (before lunch).
    assert_eq!(
        clock(inc, "resolution"),
        (
            H + 45 * M,
            6 * H + 15 * M,
            "2026-11-17T12:15:00+01:00".into(),
            "ok".into()
        )
    );
}

#[test]
fn response_met_but_resolution_missed() {
    let (p, t) = incident(
        "INC-0001",
        P1,
        "2026-11-20T10:00:00+01:00",
        "status: resolved\nacknowledged_at: 2026-11-20T10:10:00+01:00\n\
         resolved_at: 2026-11-20T15:00:00+01:00\nresolution: { code: fixed, notes: Restarted }\n",
    );
    let repo = repo(&[(&p, t)]);
    // Resolved tickets are not open: `sla` does not list them.
    assert!(sla_at(&repo, "2026-11-21T10:00:00+01:00").is_empty());
    // `show` reads the stopped clocks at GITSM_NOW. Response 10:00-10:10 =
    // 10m of 15m: met. Resolution 10:00-15:00 = 5h of 4h: missed by 1h, it was
    // due at 14:00. One missed clock makes the ticket breached.
    let run = repo.run(["show", "INC-0001", "--format", "json"]);
    run.expect_code(0);
    let doc: Value = serde_json::from_str(&run.stdout).expect("json");
    let sla = &doc["sla"];
    assert_eq!(
        clock(sla, "response"),
        (
            10 * M,
            5 * M,
            "2026-11-20T10:15:00+01:00".into(),
            "met".into()
        )
    );
    assert_eq!(
        clock(sla, "resolution"),
        (
            5 * H,
            -H,
            "2026-11-20T14:00:00+01:00".into(),
            "missed".into()
        )
    );
    assert_eq!(sla["state"], "breached");
    assert_eq!(sla["resolution"]["stop"]["at"], "2026-11-20T15:00:00+01:00");
    assert_eq!(sla["resolution"]["stop"]["from"], "record");
    // Read at noon that day, before it was resolved, it was open: the
    // response clock had stopped (met), the resolution clock ran 2h of 4h.
    let list = sla_at(&repo, "2026-11-20T12:00:00+01:00");
    let inc = ticket(&list, "INC-0001");
    assert_eq!(inc["response"]["state"], "met");
    assert_eq!(
        clock(inc, "resolution"),
        (
            2 * H,
            2 * H,
            "2026-11-20T14:00:00+01:00".into(),
            "ok".into()
        )
    );
}

#[test]
fn show_prints_the_clocks() {
    let (p, t) = incident(
        "INC-0001",
        P1,
        "2026-11-21T08:00:00+01:00",
        "status: in_progress\nacknowledged_at: 2026-11-21T08:05:00+01:00\n",
    );
    let repo = repo(&[(&p, t)]);
    // At GITSM_NOW (10:00): response 5m of 15m, met; resolution 2h of 4h,
    // 2h left, due 12:00.
    let run = repo.run(["show", "INC-0001"]);
    run.expect_code(0)
        .stdout_has("SLA at 2026-11-21 10:00 +01:00: ok")
        .stdout_has("response    met       5m of 15m (P1, 24x7); stopped 2026-11-21 08:05 +01:00")
        .stdout_has(
            "resolution  ok        2h of 4h (P1, 24x7); 2h left, due 2026-11-21 12:00 +01:00",
        );
}

#[test]
fn reopened_ticket_resumes_its_resolution_clock() {
    // Resolved at 11:00, then back in progress with resolved_at left in the
    // record. The record does not say when it was reopened, so the clock
    // counts on from creation: 10:00-13:00 = 3h of 4h, at risk.
    let (p, t) = incident(
        "INC-0001",
        P1,
        "2026-11-20T10:00:00+01:00",
        "status: in_progress\nacknowledged_at: 2026-11-20T10:05:00+01:00\n\
         resolved_at: 2026-11-20T11:00:00+01:00\n",
    );
    let repo = repo(&[(&p, t)]);
    let list = sla_at(&repo, "2026-11-20T13:00:00+01:00");
    let inc = ticket(&list, "INC-0001");
    assert_eq!(
        clock(inc, "resolution"),
        (
            3 * H,
            H,
            "2026-11-20T14:00:00+01:00".into(),
            "at_risk".into()
        )
    );
    assert_eq!(inc["resolution"]["stop"], Value::Null);
}

#[test]
fn at_risk_threshold_is_configurable() {
    let (p, t) = incident(
        "INC-0001",
        P1,
        "2026-11-20T10:00:00+01:00",
        "status: in_progress\nacknowledged_at: 2026-11-20T10:05:00+01:00\n",
    );
    // Default 0.75 of 4h = 3h: 12:59 (2h59m) ok, 13:00 (3h) at risk, 14:00
    // (4h, not past it) at risk, 14:01 breached.
    let repo = repo(&files(&[(p.clone(), t.clone())]));
    let state = |repo: &Repo, at: &str| {
        sla_at(repo, at)[0]["resolution"]["state"]
            .as_str()
            .expect("state")
            .to_owned()
    };
    assert_eq!(state(&repo, "2026-11-20T12:59:00+01:00"), "ok");
    assert_eq!(state(&repo, "2026-11-20T13:00:00+01:00"), "at_risk");
    assert_eq!(state(&repo, "2026-11-20T14:00:00+01:00"), "at_risk");
    assert_eq!(state(&repo, "2026-11-20T14:01:00+01:00"), "breached");
    // sla_at_risk 0.5 of 4h = 2h: 11:59 ok, 12:00 at risk.
    let repo = repo_with(|c| format!("{c}sla_at_risk: 0.5\n"), &files(&[(p, t)]));
    assert_eq!(state(&repo, "2026-11-20T11:59:00+01:00"), "ok");
    assert_eq!(state(&repo, "2026-11-20T12:00:00+01:00"), "at_risk");
}

#[test]
fn requests_run_on_their_catalogue_item() {
    let request = |id: &str, status: &str, rest: &str| {
        (
            format!("requests/{id}.yaml"),
            format!(
                "id: {id}\ntitle: Laptop\nstatus: {status}\ncreated_at: 2026-11-20T17:00:00+01:00\n\
                 requested_by: user@example.com\ncatalog_item: laptop\nassignee: agent@example.com\n{rest}"
            ),
        )
    };
    let repo = repo(&files(&[
        request(
            "REQ-0001",
            "in_fulfillment",
            "acknowledged_at: 2026-11-20T17:20:00+01:00\n",
        ),
        request(
            "REQ-0002",
            "fulfilled",
            "acknowledged_at: 2026-11-20T17:20:00+01:00\nfulfilled_at: 2026-11-23T10:00:00+01:00\n",
        ),
        request("REQ-0003", "cancelled", "cancel_reason: not needed\n"),
    ]));
    let list = sla_at(&repo, "2026-11-23T12:00:00+01:00");
    // Only REQ-0001 is open (REQ-0002 fulfilled at 10:00, REQ-0003 cancelled).
    assert_eq!(list.len(), 1);
    let req = ticket(&list, "REQ-0001");
    assert_eq!(req["priority"], Value::Null);
    assert_eq!(req["resolution"]["basis"]["item"], "laptop");
    // Fulfilment 9h on the office calendar: Fri 17:00-18:00 (1h) + Mon
    // 09:00-12:00 (3h) = 4h; 5h left: Mon 12:00 + 5h = 17:00.
    assert_eq!(
        clock(req, "resolution"),
        (
            4 * H,
            5 * H,
            "2026-11-23T17:00:00+01:00".into(),
            "ok".into()
        )
    );
}

#[test]
fn symptom_policy_sets_the_resolution_target_by_service_class() {
    let ci = (
        "cis/shop.yaml".to_owned(),
        "id: shop\nname: Shop\nclass: service\nstatus: active\nservice_class: 2\n".to_owned(),
    );
    let (p, t) = incident(
        "INC-0001",
        P3,
        "2026-11-20T10:00:00+01:00",
        "status: in_progress\nservice: shop\nsymptom: system_crash\n",
    );
    let repo = repo(&files(&[ci, (p, t)]));
    let list = sla_at(&repo, "2026-11-20T10:12:00+01:00");
    let inc = ticket(&list, "INC-0001");
    // system_crash on a class 2 service: 15m around the clock (the policy
    // names no calendar); 12m of 15m = 80%, at risk, due 10:15.
    assert_eq!(
        clock(inc, "resolution"),
        (
            12 * M,
            3 * M,
            "2026-11-20T10:15:00+01:00".into(),
            "at_risk".into()
        )
    );
    assert_eq!(inc["resolution"]["basis"]["service_class"], 2);
    assert_eq!(inc["resolution"]["calendar"], Value::Null);
    // The response clock keeps the priority's target: P3, 4h on the office
    // calendar, 10:00-10:12 = 12m.
    assert_eq!(inc["response"]["basis"]["priority"], "P3");
    assert_eq!(inc["response"]["elapsed"], 12 * M);
}

#[test]
fn fail_on_breach_exits_one() {
    let (p, t) = incident(
        "INC-0001",
        P1,
        "2026-11-20T10:00:00+01:00",
        "status: in_progress\nacknowledged_at: 2026-11-20T10:05:00+01:00\n",
    );
    let repo = repo(&[(&p, t)]);
    // 4h of 4h at 14:00: at risk, not breached; at 14:01 breached.
    repo.run([
        "sla",
        "--at",
        "2026-11-20T14:00:00+01:00",
        "--fail-on",
        "breach",
    ])
    .expect_code(0);
    repo.run([
        "sla",
        "--at",
        "2026-11-20T14:01:00+01:00",
        "--fail-on",
        "breach",
    ])
    .expect_code(1)
    .stdout_has("breached")
    .stderr_has("1 ticket breached its SLA");
    // Without --fail-on a breach is reported, not failed.
    repo.run(["sla", "--at", "2026-11-20T14:01:00+01:00"])
        .expect_code(0);
}

#[test]
fn bad_at_is_a_usage_error() {
    let repo = repo(&[]);
    repo.run(["sla", "--at", "soon"])
        .expect_code(2)
        .stderr_has("`soon` is not a time")
        .stderr_has("tomorrow 09:00");
    // A time without an offset is ambiguous: refused.
    repo.run(["sla", "--at", "2026-11-20T14:00:00"])
        .expect_code(2);
}

#[test]
fn at_takes_dates_times_of_day_and_relative_times_in_the_organisation_zone() {
    // P3 (27h on the office calendar, Berlin) opened Thursday 2026-11-19
    // 09:00 and in progress: due Monday 2026-11-23 18:00. GITSM_NOW is
    // Saturday 2026-11-21 10:00 +01:00.
    let (p, t) = incident(
        "INC-0001",
        P3,
        "2026-11-19T09:00:00+01:00",
        "status: in_progress\nacknowledged_at: 2026-11-19T09:05:00+01:00\n",
    );
    let repo = repo_with(|c| format!("{c}timezone: Europe/Berlin\n"), &[(&p, t)]);
    let state = |at: &str| {
        sla_at(&repo, at)[0]["resolution"]["state"]
            .as_str()
            .expect("state")
            .to_owned()
    };
    // `2026-11-23 18:30` is Berlin time: past the due time.
    assert_eq!(state("2026-11-23 18:30"), "breached");
    assert_eq!(state("2026-11-23 17:59"), "at_risk");
    // Two days from Saturday 10:00 is Monday 10:00: 9h + 9h + 1h = 19h of
    // 27h, 70%: ok. `+3d` is Tuesday 10:00: breached.
    assert_eq!(state("+2d"), "ok");
    assert_eq!(state("+3d"), "breached");
    // `today` is Saturday midnight in Berlin: Thursday 9h + Friday 9h = 18h.
    assert_eq!(sla_at(&repo, "today")[0]["resolution"]["elapsed"], 18 * H);
}

#[test]
fn json_shape() {
    let (p, t) = incident(
        "INC-0001",
        P1,
        "2026-11-20T10:00:00+01:00",
        "status: in_progress\nacknowledged_at: 2026-11-20T10:05:00+01:00\n",
    );
    let repo = repo(&[(&p, t)]);
    let list = sla_at(&repo, "2026-11-20T11:00:00+01:00");
    assert_eq!(list.len(), 1);
    let inc = &list[0];
    for key in [
        "id",
        "kind",
        "priority",
        "status",
        "title",
        "state",
        "at",
        "response",
        "resolution",
    ] {
        assert!(inc.get(key).is_some(), "no `{key}` in {inc:#}");
    }
    assert_eq!(inc["id"], "INC-0001");
    assert_eq!(inc["kind"], "incident");
    assert_eq!(inc["priority"], "P1");
    assert_eq!(inc["at"], "2026-11-20T11:00:00+01:00");
    // 1h of 4h: ok, 25%. Durations in seconds, instants in RFC 3339.
    let res = &inc["resolution"];
    assert_eq!(res["target"], 4 * H);
    assert_eq!(res["elapsed"], H);
    assert_eq!(res["remaining"], 3 * H);
    assert_eq!(res["due"], "2026-11-20T14:00:00+01:00");
    assert_eq!(res["state"], "ok");
    assert_eq!(res["paused"], false);
    assert_eq!(res["calendar"], Value::Null);
    assert_eq!(res["basis"]["from"], "priority");
    assert_eq!(res["start"]["at"], "2026-11-20T10:00:00+01:00");
    assert_eq!(res["start"]["from"], "record");
    assert_eq!(res["stop"], Value::Null);
    assert_eq!(inc["response"]["stop"]["at"], "2026-11-20T10:05:00+01:00");
    assert_eq!(inc["state"], "ok");
}

#[test]
fn text_is_an_aligned_table() {
    let (p1, t1) = incident(
        "INC-0001",
        P1,
        "2026-11-20T10:00:00+01:00",
        "status: in_progress\nacknowledged_at: 2026-11-20T10:05:00+01:00\n",
    );
    let (p2, t2) = incident("INC-0002", P1, "2026-11-20T07:00:00+01:00", "status: new\n");
    let repo = repo(&files(&[(p1, t1), (p2, t2)]));
    let run = repo.run(["sla", "--at", "2026-11-20T11:00:00+01:00"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    // Breached tickets first: INC-0002 has run 4h of 15m and 4h of 4h
    // (at risk); INC-0001 is ok.
    assert_eq!(lines.len(), 5, "{run}");
    assert!(lines[0].starts_with("ID "), "{run}");
    assert!(
        lines[1].starts_with("INC-0002  P1        response    breached  4h"),
        "{run}"
    );
    assert!(lines[3].starts_with("INC-0001"), "{run}");
    // Every column starts at the same place on every line.
    let col = lines[0].find("DUE").expect("DUE column");
    for l in &lines[1..] {
        assert!(l[col..].starts_with("2026-11-20 "), "{l}");
    }
    run.stderr_has("2 tickets open at 2026-11-20T11:00:00+01:00: 1 breached, 0 at risk, 1 ok");
}

#[test]
fn tickets_created_after_at_and_problems_are_not_listed() {
    let (p, t) = incident("INC-0001", P1, "2026-11-20T10:00:00+01:00", "status: new\n");
    let problem = (
        "problems/PRB-0001.yaml".to_owned(),
        "id: PRB-0001\ntitle: P\nstatus: new\ncreated_at: 2026-11-20T09:00:00+01:00\nreported_by: a@example.com\n"
            .to_owned(),
    );
    let repo = repo(&files(&[(p, t), problem]));
    assert!(sla_at(&repo, "2026-11-20T09:59:00+01:00").is_empty());
    assert_eq!(sla_at(&repo, "2026-11-20T10:00:00+01:00").len(), 1);
    // A problem has no clocks, in `show` either.
    let run = repo.run(["show", "PRB-0001", "--format", "json"]);
    run.expect_code(0);
    let doc: Value = serde_json::from_str(&run.stdout).expect("json");
    assert!(doc.get("sla").is_none());
}

/// A ticket in progress whose record lacks `acknowledged_at`: the response
/// clock stops at the commit that took it out of `new`, and says so.
#[test]
fn a_missing_acknowledgement_is_taken_from_git_history() {
    let repo = Repo::new();
    // P1 (high/high): response 15m, 24x7. Created 09:00; the commit taking
    // it up is at 09:10, so the response was met after 10 minutes.
    let inc = "\
id: INC-0001
title: VPN down
status: new
created_at: 2026-11-20T09:00:00+01:00
reported_by: someone@example.com
impact: high
urgency: high
";
    repo.write("incidents/INC-0001.yaml", inc);
    repo.commit("open", "2026-11-20T09:00:00+01:00");
    repo.write(
        "incidents/INC-0001.yaml",
        inc.replace(
            "status: new",
            "status: in_progress\nassignee: alice@example.com",
        ),
    );
    repo.commit("take it", "2026-11-20T09:10:00+01:00");
    let run = repo.run([
        "sla",
        "--at",
        "2026-11-20T10:00:00+01:00",
        "--format",
        "json",
    ]);
    run.expect_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let response = &json[0]["response"];
    assert_eq!(response["state"], "met", "{json}");
    assert_eq!(response["elapsed"], 600, "{json}");
    assert_eq!(response["stop"]["from"], "git", "{json}");
    repo.run(["sla", "--at", "2026-11-20T10:00:00+01:00"])
        .expect_code(0)
        .stderr_has("1 ticket with a time taken from Git history");
}

#[test]
fn sla_show_and_the_site_read_the_same_clock_from_history() {
    // P1 opened Friday 09:00 and committed as `new`; taken up (in
    // progress, no acknowledged_at) by a commit at 09:10. Read at 10:00:
    // the response clock stopped at the commit, 10m of 15m, met; the
    // resolution clock ran 1h of 4h, ok. Without history the response
    // would be breached (1h of 15m).
    let (p, t) = incident("INC-0001", P1, "2026-11-20T09:00:00+01:00", "status: new\n");
    let repo = repo(&[(&p, t.clone())]);
    repo.commit("open INC-0001", "2026-11-20T09:00:00+01:00");
    repo.write(&p, t.replace("status: new", "status: in_progress"));
    repo.commit("take INC-0001", "2026-11-20T09:10:00+01:00");
    let at = "2026-11-20T10:00:00+01:00";
    let list = sla_at(&repo, at);
    let inc = ticket(&list, "INC-0001");
    assert_eq!(inc["response"]["state"], "met");
    assert_eq!(inc["response"]["elapsed"], 10 * M);
    repo.run_env(["show", "INC-0001"], &[("GITSM_NOW", at)])
        .expect_code(0)
        .stdout_has("response    met       10m of 15m (P1, 24x7); stopped 2026-11-20 09:10 +01:00");
    let site = repo.sandbox.dir("site");
    repo.run(["site", "-q", "--at", at, "-o", site.to_str().expect("path")])
        .expect_code(0);
    let page = std::fs::read_to_string(site.join("sla.html")).expect("sla page");
    let row = page
        .split("<tr")
        .skip_while(|r| !r.contains("INC-0001.html"))
        .take(2)
        .collect::<String>();
    assert!(
        row.contains("response <span class=\"badge sla-met\">met"),
        "{row}"
    );
}
