//! Service availability through the real binary: `gitsm report` (Markdown
//! and JSON), the site's service and incident pages, and the checks on
//! outages and targets. Every expected figure is worked out by hand in
//! the comment above it.
//!
//! The period is November 2026 in UTC: 30 days, 43,200 minutes. 1
//! November 2026 is a Sunday, so the month has 21 weekdays (four whole
//! weeks and Monday the 30th): 21 x 8 hours = 10,080 minutes of the
//! `weekdays` calendar (Monday to Friday 09:00-17:00 UTC).

use crate::common::Repo;
use serde_json::Value;

const CONFIG: &str = concat!(
    crate::common::cab_policy!(),
    r#"calendars:
  weekdays:
    timezone: UTC
    hours: { mon: "09:00-17:00", tue: "09:00-17:00", wed: "09:00-17:00", thu: "09:00-17:00", fri: "09:00-17:00" }
"#
);

/// Two services on one database: `shop` around the clock (99.9%), `desk`
/// on weekdays (99.0%). The same outages hit both (each incident names
/// `shop` as its service and `desk` among its affected CIs):
/// - A, Tuesday 3 November 08:45-09:15, full (INC-0001);
/// - degraded 09:00-09:30 the same day (INC-0002): 09:15-09:30 is
///   outside A;
/// - B, Tuesday 10 November 15:30-17:00, full (INC-0003);
/// - CHG-0001 (closed, approved) on `db`, window 16:40-17:30: 20 minutes
///   of B are planned maintenance;
/// - CHG-0002 (assess, not approved) with a window over A: no maintenance.
fn records() -> Vec<(String, String)> {
    let ci = |id: &str, rest: &str| {
        (
            format!("cis/{id}.yaml"),
            format!("id: {id}\nname: {id} name\nstatus: active\n{rest}\n"),
        )
    };
    let incident = |id: &str, outage: &str| {
        resolved_incident(
            id,
            "2026-11-01T00:00:00Z",
            &format!("service: shop\naffected_cis: [desk]\noutage: [{outage}]\n"),
        )
    };
    let change = |id: &str, rest: &str| {
        (
            format!("changes/{id}.yaml"),
            format!(
                "id: {id}\ntitle: Change {id}\ntype: normal\ncreated_at: 2026-11-01T00:00:00Z\n\
                 requested_by: erin\nrisk: low\nimpact: low\nimplementer: erin\n\
                 implementation_plan: Do it.\nbackout_plan: Undo it.\ntest_plan: Check it.\n{rest}\n"
            ),
        )
    };
    vec![
        ci(
            "shop",
            "class: service\navailability_target: 99.9%\nrelations: { depends_on: [db] }",
        ),
        ci(
            "desk",
            "class: service\navailability_target: 99.0%\nservice_hours: weekdays\n\
             relations: { depends_on: [db] }",
        ),
        ci("db", "class: database"),
        incident(
            "INC-0001",
            "{ start: 2026-11-03T08:45:00Z, end: 2026-11-03T09:15:00Z }",
        ),
        incident(
            "INC-0002",
            "{ start: 2026-11-03T09:00:00Z, end: 2026-11-03T09:30:00Z, scope: degraded }",
        ),
        incident(
            "INC-0003",
            "{ start: 2026-11-10T15:30:00Z, end: 2026-11-10T17:00:00Z, scope: full }",
        ),
        change(
            "CHG-0001",
            "status: closed\ncis: [db]\n\
             window: { start: 2026-11-10T16:40:00Z, end: 2026-11-10T17:30:00Z }\n\
             approvals:\n  - { by: carol, decision: approved, at: 2026-11-02T11:00:00Z }\n  \
             - { by: dave, decision: approved, at: 2026-11-02T11:00:00Z }\n\
             implemented_at: 2026-11-10T17:30:00Z\noutcome: successful\nreview: Fine.\n\
             close_code: successful\nclosed_at: 2026-11-11T10:00:00Z",
        ),
        change(
            "CHG-0002",
            "status: assess\ncis: [shop]\n\
             window: { start: 2026-11-03T08:00:00Z, end: 2026-11-03T10:00:00Z }",
        ),
    ]
}

/// A resolved P1 incident `id`, opened and acknowledged at `created` and
/// resolved on 20 November, with `rest` (its service, its outages): its
/// path and text.
fn resolved_incident(id: &str, created: &str, rest: &str) -> (String, String) {
    (
        format!("incidents/{id}.yaml"),
        format!(
            "id: {id}\ntitle: Down {id}\ncreated_at: {created}\n\
             reported_by: user@example.com\nimpact: high\nurgency: high\nstatus: resolved\n\
             assignee: carol\nacknowledged_at: {created}\n\
             resolved_at: 2026-11-20T00:00:00Z\n\
             resolution: {{ code: fixed, notes: Fixed. }}\n{rest}"
        ),
    )
}

fn repo() -> Repo {
    let repo = Repo::new();
    repo.write("gitsm.yaml", CONFIG);
    for (path, text) in records() {
        repo.write(&path, text);
    }
    repo.run(["validate"]).expect_code(0);
    repo
}

const NOVEMBER: [&str; 8] = [
    "--since",
    "2026-11-01",
    "--until",
    "2026-11-30",
    "--timezone",
    "UTC",
    "--at",
    "2026-12-06T00:00:00Z",
];

fn service<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["availability"]
        .as_array()
        .expect("availability is a list")
        .iter()
        .find(|s| s["service"] == id)
        .unwrap_or_else(|| panic!("no {id} in {}", report["availability"]))
}

#[test]
fn two_outages_in_a_month_around_the_clock_and_on_business_hours_maintenance_excluded() {
    let repo = repo();
    let mut args = vec!["report", "--format", "json"];
    args.extend(NOVEMBER);
    let run = repo.run(&args);
    run.expect_code(0);
    let report: Value = serde_json::from_str(&run.stdout).expect("json");

    let shop = service(&report, "shop");
    let f = &shop["period"];
    // 24x7: 43,200 minutes. A 30 minutes, B 90 of which 16:40-17:00 (20)
    // is planned: downtime 100 minutes, planned 20; degraded 15.
    assert_eq!(f["agreed"], 43_200 * 60);
    assert_eq!(f["downtime"], 100 * 60);
    assert_eq!(f["planned"], 20 * 60);
    assert_eq!(f["degraded"], 15 * 60);
    assert_eq!(f["outages"], 2);
    // (43,200 - 100) / 43,200 = 0.99768518... -> 99.7685 %, under 99.9 %.
    assert_eq!(f["availability"], 99.7685);
    assert_eq!(f["met"], false);
    // MTBF 43,100 / 2 = 21,550 minutes; MTRS 100 / 2 = 50 minutes.
    assert_eq!(f["mtbf"], 21_550 * 60);
    assert_eq!(f["mtrs"], 50 * 60);
    assert_eq!(shop["target"], 99.9);
    assert_eq!(shop["service_hours"], Value::Null);
    // One month, the whole period: the same figures.
    assert_eq!(shop["months"][0]["month"], "2026-11");
    assert_eq!(shop["months"][0]["downtime"], 100 * 60);

    let desk = service(&report, "desk");
    let f = &desk["period"];
    // Weekdays: 10,080 minutes. A: only 09:00-09:15 is in service hours
    // (15); B: 15:30-16:40 unplanned (70), 16:40-17:00 planned (20).
    assert_eq!(f["agreed"], 10_080 * 60);
    assert_eq!(f["downtime"], 85 * 60);
    assert_eq!(f["planned"], 20 * 60);
    assert_eq!(f["degraded"], 15 * 60);
    assert_eq!(f["outages"], 2);
    // 9,995 / 10,080 = 0.99156746... -> 99.1567 %, over 99.0 %.
    assert_eq!(f["availability"], 99.1567);
    assert_eq!(f["met"], true);
    // MTBF 9,995 / 2 = 4,997.5 minutes = 299,850 s; MTRS 85 / 2 = 42.5
    // minutes = 2,550 s.
    assert_eq!(f["mtbf"], 299_850);
    assert_eq!(f["mtrs"], 2_550);
    assert_eq!(desk["service_hours"], "weekdays");

    // The Markdown report shows the same, one row per service.
    let mut args = vec!["report"];
    args.extend(NOVEMBER);
    let run = repo.run(&args);
    run.expect_code(0)
        .stdout_has("## Availability")
        .stdout_has("| desk | desk name | weekdays | 99% | met | 99.1567% | 1h25m | 2 |")
        .stdout_has("| shop | shop name | 24x7 | 99.9% | missed | 99.7685% | 1h40m | 2 |")
        .stdout_has("| shop | 2026-11 | 99.9% | missed | 99.7685% | 1h40m | 2 |");
}

#[test]
fn the_json_shape_of_a_service() {
    let repo = repo();
    let mut args = vec!["report", "--format", "json"];
    args.extend(NOVEMBER);
    let run = repo.run(&args);
    let report: Value = serde_json::from_str(&run.stdout).expect("json");
    let shop = service(&report, "shop");
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(shop),
        [
            "months",
            "name",
            "outages",
            "period",
            "service",
            "service_hours",
            "target"
        ]
    );
    let figures = [
        "agreed",
        "availability",
        "degraded",
        "downtime",
        "met",
        "mtbf",
        "mtrs",
        "outages",
        "planned",
    ];
    assert_eq!(keys(&shop["period"]), figures);
    let mut month: Vec<&str> = figures.to_vec();
    month.push("month");
    month.sort_unstable();
    assert_eq!(keys(&shop["months"][0]), month);
    // Each outage naming the service, oldest first, with its incident.
    let outages = shop["outages"].as_array().expect("outages");
    assert_eq!(outages.len(), 3);
    assert_eq!(outages[0]["incident"], "INC-0001");
    assert_eq!(outages[0]["start"], "2026-11-03T08:45:00Z");
    assert_eq!(outages[1]["scope"], "degraded");
    // `db` has no target and no outage: not listed.
    assert!(
        report["availability"]
            .as_array()
            .expect("list")
            .iter()
            .all(|s| s["service"] != "db")
    );
}

#[test]
fn service_and_incident_pages_show_availability_and_outages() {
    let repo = repo();
    repo.run_env(
        ["site", "-o", "out"],
        &[("GITSM_NOW", "2026-11-30T23:00:00Z")],
    )
    .expect_code(0);
    let page = |rel: &str| std::fs::read_to_string(repo.path(rel)).expect(rel);
    let shop = page("out/cis/shop.html");
    assert!(
        shop.contains("<h2 id=\"availability\">Availability</h2>"),
        "{shop}"
    );
    // The site's period runs from November (the first ticket's month) to
    // 23:00 on the 30th, 24x7: the same outages over 43,140 minutes,
    // (43,140 - 100) / 43,140 = 0.99768196... -> 99.7682 %.
    assert!(shop.contains("99.7682%"), "{shop}");
    assert!(
        shop.contains("INC-0003.html\">INC-0003</a></td><td data-label=\"Start\">2026-11-10 15:30"),
        "{shop}"
    );
    let incident = page("out/incidents/INC-0003.html");
    assert!(
        incident.contains("<h2 id=\"outages\">Outages</h2>"),
        "{incident}"
    );
    assert!(incident.contains("1h30m"), "{incident}");
}

#[test]
fn a_services_page_is_read_again_at_a_later_instant() {
    // A service's page measures its availability up to the site's
    // instant: a build half an hour later over the last one remakes it
    // (November 1st to 23:30 on the 30th is 43,170 minutes: (43,170 - 100)
    // / 43,170 = 0.9976836... -> 99.7684 %), and equals a full build.
    let repo = repo();
    repo.write(".gitignore", "/out/\n/full/\n");
    repo.commit("Records", "2026-11-30T22:00:00Z");
    let site = |out: &str, at: &str| {
        repo.run(["site", "-o", out, "--at", at]).expect_code(0);
    };
    let shop = || std::fs::read_to_string(repo.path("out/cis/shop.html")).expect("shop page");
    site("out", "2026-11-30T23:00:00Z");
    assert!(shop().contains("99.7682%"), "{}", shop());
    site("out", "2026-11-30T23:30:00Z");
    assert!(shop().contains("99.7684%"), "{}", shop());
    assert!(shop().contains("up to 2026-11-30 23:30"), "{}", shop());
    site("full", "2026-11-30T23:30:00Z");
    super::site::same_site(&repo.path("out"), &repo.path("full"));
    // Out of `desk`'s service hours (weekdays) its figures stand still,
    // but its page still says up to when: Saturday 10:00, then 11:00.
    let desk = || std::fs::read_to_string(repo.path("out/cis/desk.html")).expect("desk page");
    site("out", "2026-11-28T10:00:00Z");
    site("out", "2026-11-28T11:00:00Z");
    assert!(desk().contains("up to 2026-11-28 11:00"), "{}", desk());
}

#[test]
fn attack_a_service_whose_availability_leaves_the_period_loses_it_on_its_page() {
    // `legacy` has no target: it is measured while an outage on it
    // touches the report's period, which starts in the month of the
    // earliest ticket. Deleting that ticket (October) moves the start to
    // November, after the outage: the page must lose its availability,
    // though nothing `legacy`'s page shows of other records changed.
    let repo = Repo::new();
    repo.write("gitsm.yaml", CONFIG);
    repo.write(".gitignore", "/out/\n/full/\n");
    repo.write(
        "cis/legacy.yaml",
        "id: legacy\nname: Legacy app\nstatus: active\nclass: service\n",
    );
    let incident = |id: &str, created: &str, rest: &str| {
        let (path, text) = resolved_incident(id, created, rest);
        repo.write(&path, text);
    };
    incident(
        "INC-0001",
        "2026-11-02T08:00:00Z",
        "service: legacy\noutage: [{ start: 2026-10-31T20:00:00Z, end: 2026-10-31T22:00:00Z }]\n",
    );
    incident("INC-0002", "2026-10-15T08:00:00Z", "");
    repo.run(["validate"]).expect_code(0);
    repo.commit("Records", "2026-11-25T00:00:00Z");
    let page = || std::fs::read_to_string(repo.path("out/cis/legacy.html")).expect("page");
    repo.run(["site", "-o", "out"]).expect_code(0);
    assert!(page().contains("id=\"availability\""), "{}", page());
    std::fs::remove_file(repo.path("incidents/INC-0002.yaml")).expect("delete");
    repo.commit("Drop the October ticket", "2026-11-26T00:00:00Z");
    repo.run(["site", "-o", "out"]).expect_code(0);
    assert!(!page().contains("id=\"availability\""), "{}", page());
    repo.run(["site", "-o", "full"]).expect_code(0);
    super::site::same_site(&repo.path("out"), &repo.path("full"));
}

/// `validate` on one bad record: exit 1 and `code` at `path:line:col`.
fn refused(file: &str, text: &str, code: &str, at: &str) {
    let repo = repo();
    repo.write(file, text);
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has(&format!("error[{code}]"))
        .stderr_has(at);
}

fn bad_incident(rest: &str) -> String {
    format!(
        "id: INC-0009\ntitle: Bad\ncreated_at: 2026-11-01T00:00:00Z\n\
         reported_by: user@example.com\nimpact: low\nurgency: low\nstatus: new\n{rest}"
    )
}

#[test]
fn an_outage_ending_before_it_starts_is_refused() {
    refused(
        "incidents/INC-0009.yaml",
        &bad_incident(
            "service: shop\noutage:\n  - start: 2026-11-03T10:00:00Z\n    end: 2026-11-03T09:00:00Z\n",
        ),
        "outage-order",
        "incidents/INC-0009.yaml:11:10",
    );
}

#[test]
fn an_outage_on_an_incident_naming_no_service_is_refused() {
    refused(
        "incidents/INC-0009.yaml",
        &bad_incident("outage:\n  - start: 2026-11-03T10:00:00Z\n"),
        "outage-service",
        "incidents/INC-0009.yaml:9:",
    );
}

#[test]
fn an_open_outage_on_a_resolved_incident_is_refused() {
    let text = bad_incident("service: shop\noutage:\n  - start: 2026-11-03T10:00:00Z\n").replace(
        "status: new\n",
        "status: resolved\nresolved_at: 2026-11-04T00:00:00Z\n\
             resolution: { code: fixed, notes: Fixed. }\n",
    );
    refused(
        "incidents/INC-0009.yaml",
        &text,
        "open-outage",
        "incidents/INC-0009.yaml:12:5",
    );
}

#[test]
fn overlapping_outages_of_one_incident_are_refused() {
    refused(
        "incidents/INC-0009.yaml",
        &bad_incident(
            "service: shop\noutage:\n  - { start: 2026-11-03T10:00:00Z, end: 2026-11-03T12:00:00Z }\n  \
             - { start: 2026-11-03T11:00:00Z, end: 2026-11-03T13:00:00Z, scope: degraded }\n",
        ),
        "outage-overlap",
        "incidents/INC-0009.yaml:11:",
    );
}

#[test]
fn a_target_on_a_ci_that_is_not_a_service_is_refused() {
    refused(
        "cis/db.yaml",
        "id: db\nname: db name\nstatus: active\nclass: database\navailability_target: 99.9%\n",
        "availability-target",
        "cis/db.yaml:5:22",
    );
}

#[test]
fn a_malformed_percentage_is_refused() {
    // The schema's pattern refuses these; a bare number is not a string.
    for (bad, code) in [
        ("\"99.9\"", "schema"),
        ("\"101%\"", "schema"),
        ("\"99,9%\"", "schema"),
        ("99.9", "wrong-type"),
    ] {
        refused(
            "cis/shop.yaml",
            &format!(
                "id: shop\nname: shop name\nstatus: active\nclass: service\n\
                 availability_target: {bad}\n"
            ),
            code,
            "cis/shop.yaml:5:",
        );
    }
}

#[test]
fn an_unknown_service_calendar_is_refused_with_a_suggestion() {
    let repo = repo();
    repo.write(
        "cis/desk.yaml",
        "id: desk\nname: desk name\nstatus: active\nclass: service\nservice_hours: weekday\n",
    );
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("error[unknown-calendar]")
        .stderr_has("cis/desk.yaml:5:16")
        .stderr_has("weekdays");
}
