//! Team and assignee figures (`gitsm report`, its JSON, the site's team
//! pages) on a small dataset, every figure worked out by hand in the
//! comments; none was copied from the program's output.
//!
//! The dataset, all times UTC, period 1 November 00:00 to 21 November
//! 09:00 (the hermetic "now"). SLA: P1 15m / 4h, P2 30m / 8h, password
//! requests 10m / 30m, all around the clock.
//!
//! | ticket   | team | assignee | what happens                                   |
//! |----------|------|----------|------------------------------------------------|
//! | INC-0001 | net  | ana      | P1, ack 10m, resolved 2h; feedback 4           |
//! | INC-0002 | net  | bo       | P2, ack 40m, escalated to level 2, resolved 10h|
//! | INC-0003 | net  | bo       | P1, ack 5m, in progress: resolution breached   |
//! | INC-0004 | apps | cy       | P2, ack 20m (from Git), resolved, reopened,    |
//! |          |      |          | resolved again: 7h working                     |
//! | INC-0005 | apps | (none)   | P2, new: response and resolution breached      |
//! | REQ-0001 | apps | cy       | password, ack 5m, fulfilled 20m; feedback 2    |

use crate::common;

use common::Repo;
use serde_json::Value;

const CONFIG: &str = r#"
people:
  ana: { name: Ana Ruiz, emails: [ana@example.com] }
  bo: { name: Bo Lind, emails: [bo@example.com] }
  cy: { name: Cy Park, emails: [cy@example.com] }
groups:
  net: [ana, bo]
  apps: [cy]
change_policy: { proof: commit }
sla:
  P1: { response: 15m, resolution: 4h }
  P2: { response: 30m, resolution: 8h }
  P3: { response: 4h, resolution: 24h }
  P4: { response: 8h, resolution: 72h }
catalog:
  password: { name: Password reset, response: 10m, fulfilment: 30m }
"#;

const P1: &str = "impact: high\nurgency: high\n";
const P2: &str = "impact: high\nurgency: medium\n";
const RESOLVED: &str = "status: resolved\nresolution: { code: fixed, notes: Fixed. }\n";

const PERIOD: [&str; 6] = [
    "--since",
    "2026-11-01",
    "--until",
    "2026-11-21T09:00:00Z",
    "--timezone",
    "UTC",
];

fn incident(id: &str, team: &str, assignee: Option<&str>, created: &str, rest: &str) -> String {
    let assignee = assignee.map_or_else(String::new, |a| format!("assignee: {a}\n"));
    format!(
        "id: {id}\ntitle: Incident {id}\ncreated_at: {created}\nreported_by: user@example.com\n\
         team: {team}\n{assignee}{rest}"
    )
}

/// The dataset of the module comment, INC-0004 moved through its states
/// in commits (its acknowledgement and its reopening come from Git).
fn repo() -> Repo {
    let repo = Repo::new();
    repo.write("gitsm.yaml", CONFIG);
    let inc4 = |rest: &str| {
        repo.write(
            "incidents/INC-0004.yaml",
            incident(
                "INC-0004",
                "apps",
                Some("cy"),
                "2026-11-02T09:00:00Z",
                &format!("{P2}{rest}"),
            ),
        );
    };
    inc4("status: new\n");
    repo.commit("open INC-0004", "2026-11-02T09:00:00Z");
    inc4("status: in_progress\n");
    repo.commit("take INC-0004", "2026-11-02T09:20:00Z");
    inc4(&format!("{RESOLVED}resolved_at: 2026-11-02T11:45:00Z\n"));
    repo.commit("resolve INC-0004", "2026-11-02T12:00:00Z");
    inc4("status: in_progress\nresolved_at: 2026-11-02T11:45:00Z\n");
    repo.commit("INC-0004 is back", "2026-11-03T09:00:00Z");
    inc4(&format!("{RESOLVED}resolved_at: 2026-11-03T13:00:00Z\n"));
    repo.commit("resolve INC-0004 again", "2026-11-03T14:00:00Z");
    let records = [
        (
            "incidents/INC-0001.yaml",
            incident(
                "INC-0001",
                "net",
                Some("ana"),
                "2026-11-02T10:00:00Z",
                &format!(
                    "{P1}{RESOLVED}acknowledged_at: 2026-11-02T10:10:00Z\nresolved_at: 2026-11-02T12:00:00Z\n\
                     feedback:\n  - {{ at: 2026-11-03T09:00:00Z, by: user@example.com, score: 4 }}\n"
                ),
            ),
        ),
        (
            "incidents/INC-0002.yaml",
            incident(
                "INC-0002",
                "net",
                Some("bo"),
                "2026-11-03T10:00:00Z",
                &format!(
                    "{P2}{RESOLVED}acknowledged_at: 2026-11-03T10:40:00Z\nresolved_at: 2026-11-03T20:00:00Z\n\
                     support_level: 2\nescalations: [{{ at: 2026-11-03T10:50:00Z, to_level: 2, by: ana }}]\n"
                ),
            ),
        ),
        (
            "incidents/INC-0003.yaml",
            incident(
                "INC-0003",
                "net",
                Some("bo"),
                "2026-11-20T10:00:00Z",
                &format!("{P1}status: in_progress\nacknowledged_at: 2026-11-20T10:05:00Z\n"),
            ),
        ),
        (
            "incidents/INC-0005.yaml",
            incident(
                "INC-0005",
                "apps",
                None,
                "2026-11-10T10:00:00Z",
                &format!("{P2}status: new\n"),
            ),
        ),
        (
            "requests/REQ-0001.yaml",
            "id: REQ-0001\ntitle: Request REQ-0001\ncreated_at: 2026-11-05T10:00:00Z\n\
             requested_by: user@example.com\ncatalog_item: password\nteam: apps\nassignee: cy\n\
             status: fulfilled\nacknowledged_at: 2026-11-05T10:05:00Z\nfulfilled_at: 2026-11-05T10:20:00Z\n\
             feedback:\n  - { at: 2026-11-06T09:00:00Z, by: user@example.com, score: 2 }\n"
                .to_owned(),
        ),
    ];
    for (path, text) in &records {
        repo.write(path, text);
    }
    repo.commit("the rest", "2026-11-20T12:00:00Z");
    repo.run(["validate"]).expect_code(0);
    repo
}

/// `report --format json` over [`PERIOD`] with `extra`, parsed.
fn report_json(repo: &Repo, extra: &[&str]) -> Value {
    let mut args = PERIOD.to_vec();
    args.extend_from_slice(extra);
    crate::report::report_json(repo, &args)
}

fn row<'a>(rows: &'a Value, key: &str) -> &'a Value {
    rows.as_array()
        .and_then(|rows| rows.iter().find(|r| r["key"] == key))
        .unwrap_or_else(|| panic!("no row {key} in {rows:#}"))
}

fn keys(rows: &Value) -> Vec<&str> {
    rows.as_array()
        .map(|rows| rows.iter().filter_map(|r| r["key"].as_str()).collect())
        .unwrap_or_default()
}

/// `(count, of)` of a ratio, `(met, missed)` of a compliance.
fn pair(v: &Value, a: &str, b: &str) -> (i64, i64) {
    (
        v[a].as_i64().expect("a number"),
        v[b].as_i64().expect("a number"),
    )
}

#[test]
fn teams_and_assignees_break_the_desk_down() {
    let repo = repo();
    let r = report_json(&repo, &[]);
    let t = &r["teams"];
    assert_eq!(keys(&t["by_team"]), ["apps", "net"]);
    assert_eq!(keys(&t["by_assignee"]), ["(none)", "ana", "bo", "cy"]);

    let net = row(&t["by_team"], "net");
    // INC-0003 is open; all three opened; INC-0001 and INC-0002 resolved.
    assert_eq!(
        (
            net["open"].clone(),
            net["opened"].clone(),
            net["resolved"].clone()
        ),
        (1.into(), 3.into(), 2.into())
    );
    // MTTA: 10m, 40m, 5m = 600 + 2400 + 300 = 3300 / 3 = 1100s.
    assert_eq!(net["mtta"]["count"], 3);
    assert_eq!(net["mtta"]["mean"], 1100);
    // MTTR: 2h and 10h: 21600s.
    assert_eq!(net["mttr"]["count"], 2);
    assert_eq!(net["mttr"]["mean"], 21600);
    // Response: INC-0001 and INC-0003 met, INC-0002 (40m > 30m) missed.
    assert_eq!(pair(&net["response"], "met", "missed"), (2, 1));
    assert_eq!(net["response"]["percent"], 66.7);
    // Resolution: INC-0001 met; INC-0002 (10h > 8h) missed; INC-0003 ran
    // out at 20 Nov 14:00, in the period: missed.
    assert_eq!(pair(&net["resolution"], "met", "missed"), (1, 2));
    // No request.
    assert_eq!(pair(&net["fulfilment"], "met", "missed"), (0, 0));
    assert_eq!(net["fulfilment"]["percent"], Value::Null);
    // First line: of INC-0001 and INC-0002 resolved, INC-0002 escalated.
    assert_eq!(pair(&net["first_line"], "count", "of"), (1, 2));
    // Neither went back to work.
    assert_eq!(pair(&net["reopened"], "count", "of"), (0, 2));
    // Resolved: INC-0001 (score 4) and INC-0002 (none).
    assert_eq!(net["satisfaction"]["tickets"], 2);
    assert_eq!(net["satisfaction"]["scores"], 1);
    assert_eq!(net["satisfaction"]["mean"], 4.0);
    assert_eq!(keys(&net["assignees"]), ["ana", "bo"]);

    let apps = row(&t["by_team"], "apps");
    // INC-0005 open; INC-0004, INC-0005 and REQ-0001 opened; INC-0004 and
    // REQ-0001 resolved or fulfilled.
    assert_eq!(
        (
            apps["open"].clone(),
            apps["opened"].clone(),
            apps["resolved"].clone()
        ),
        (1.into(), 3.into(), 2.into())
    );
    // INC-0004 left `new` in the commit of 09:20: 20m, from Git.
    assert_eq!(apps["mtta"]["mean"], 20 * 60);
    assert_eq!(apps["mtta"]["from_git"], 1);
    // INC-0004: 2 Nov 09:00 to 3 Nov 13:00 is 28h, less the 21h it sat
    // resolved (resolving commit 2 Nov 12:00 to reopening commit 3 Nov
    // 09:00): 7h = 25200s.
    assert_eq!(apps["mttr"]["mean"], 25200);
    // Response: INC-0004 met (20m), INC-0005 missed (due 10 Nov 10:30).
    assert_eq!(pair(&apps["response"], "met", "missed"), (1, 1));
    // Resolution: INC-0004 met (7h), INC-0005 missed (due 10 Nov 18:00).
    assert_eq!(pair(&apps["resolution"], "met", "missed"), (1, 1));
    // REQ-0001 fulfilled in 20m of 30m.
    assert_eq!(pair(&apps["fulfilment"], "met", "missed"), (1, 0));
    assert_eq!(apps["fulfilment"]["percent"], 100.0);
    // INC-0004 resolved at level 1, and reopened once: 1 of 1 each.
    assert_eq!(pair(&apps["first_line"], "count", "of"), (1, 1));
    assert_eq!(pair(&apps["reopened"], "count", "of"), (1, 1));
    // INC-0004 (no feedback) and REQ-0001 (score 2).
    assert_eq!(apps["satisfaction"]["tickets"], 2);
    assert_eq!(apps["satisfaction"]["mean"], 2.0);
    assert_eq!(keys(&apps["assignees"]), ["(none)", "cy"]);

    // The desk: the same figures over all six tickets.
    let all = &t["all"];
    assert_eq!(
        (
            all["open"].clone(),
            all["opened"].clone(),
            all["resolved"].clone()
        ),
        (2.into(), 6.into(), 4.into())
    );
    // MTTA (600 + 2400 + 300 + 1200) / 4 = 1125; MTTR (7200 + 36000 +
    // 25200) / 3 = 22800.
    assert_eq!(all["mtta"]["mean"], 1125);
    assert_eq!(all["mttr"]["mean"], 22800);
    assert_eq!(pair(&all["response"], "met", "missed"), (3, 2));
    assert_eq!(pair(&all["resolution"], "met", "missed"), (2, 3));
    assert_eq!(all["resolution"]["percent"], 40.0);
    // First line: INC-0001 and INC-0004 of the three resolved: 66.7%.
    assert_eq!(all["first_line"]["percent"], 66.7);
    assert_eq!(pair(&all["reopened"], "count", "of"), (1, 3));
    // Scores 4 and 2.
    assert_eq!(all["satisfaction"]["mean"], 3.0);
    // The desk row is the report's own: its incident SLA `all` row.
    let sla_all = r["incidents"]["sla"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["priority"] == "all"))
        .expect("an all row");
    assert_eq!(all["resolution"], sla_all["resolution"]);
    assert_eq!(all["first_line"], r["incidents"]["first_line"]);

    let bo = row(&t["by_assignee"], "bo");
    // INC-0002 and INC-0003: MTTA (2400 + 300) / 2 = 1350; resolution
    // missed twice; INC-0003 open.
    assert_eq!(bo["mtta"]["mean"], 1350);
    assert_eq!(pair(&bo["resolution"], "met", "missed"), (0, 2));
    assert_eq!(bo["open"], 1);
    let cy = row(&t["by_assignee"], "cy");
    // INC-0004 and REQ-0001, both done.
    assert_eq!(
        (
            cy["opened"].clone(),
            cy["resolved"].clone(),
            cy["open"].clone()
        ),
        (2.into(), 2.into(), 0.into())
    );
    let none = row(&t["by_assignee"], "(none)");
    // INC-0005 only: nothing resolved, so no first-line share.
    assert_eq!(pair(&none["response"], "met", "missed"), (0, 1));
    assert_eq!(none["first_line"]["percent"], Value::Null);
}

#[test]
fn the_markdown_report_has_teams_and_assignees() {
    let repo = repo();
    let mut args = vec!["report"];
    args.extend_from_slice(&PERIOD);
    // net: MTTA 1100s shows as 18m (whole minutes), MTTR 21600s as 6h.
    repo.run(&args)
        .expect_code(0)
        .stdout_has("## Teams")
        .stdout_has(
            "| net | 1 | 3 | 2 | 18m | 6h | 66.7% (2 of 3 met) | 33.3% (1 of 3 met) | - | 50.0% (1 of 2) | 0.0% (0 of 2) | 4.00 | 1 |",
        )
        .stdout_has("## Assignees")
        // cy: INC-0004 (20m, 7h; both clocks used a stamp from Git: its
        // acknowledgement, its reopening) and REQ-0001 (score 2).
        .stdout_has(
            "| cy | 0 | 2 | 2 | 20m | 7h | 100.0% (1 of 1 met, 1 from Git) | 100.0% (1 of 1 met, 1 from Git) | 100.0% (1 of 1 met) | 100.0% (1 of 1) | 100.0% (1 of 1) | 2.00 | 1 |",
        );
}

#[test]
fn team_filter_restricts_the_whole_report() {
    let repo = repo();
    let r = report_json(&repo, &["--team", "net"]);
    assert_eq!(r["team"], "net");
    // Only INC-0001..0003: three incidents opened, no request.
    let by_kind = r["volumes"]["by_kind"].as_array().expect("rows");
    let opened = |k: &str| {
        by_kind
            .iter()
            .find(|c| c["key"] == k)
            .map(|c| c["opened"].clone())
    };
    assert_eq!(opened("incident"), Some(3.into()));
    assert_eq!(opened("request"), Some(0.into()));
    assert_eq!(keys(&r["teams"]["by_team"]), ["net"]);
    assert_eq!(r["teams"]["all"]["mttr"]["mean"], 21600);
    // Without --team the key is not there at all.
    assert_eq!(report_json(&repo, &[])["team"], Value::Null);
    let mut args = vec!["report", "--team", "net"];
    args.extend_from_slice(&PERIOD);
    repo.run(&args).expect_code(0).stdout_has("Team: net.");
}

#[test]
fn an_unknown_team_is_a_usage_error_with_a_suggestion() {
    let repo = repo();
    let mut args = vec!["report", "--team", "nett"];
    args.extend_from_slice(&PERIOD);
    repo.run(&args)
        .expect_code(2)
        .stderr_has("no record has team `nett`")
        .stderr_has("did you mean `net`?");
}

#[test]
fn team_pages_cannot_be_named_outside_their_folder() {
    let repo = Repo::new();
    repo.write("gitsm.yaml", CONFIG);
    for (id, team) in [
        ("INC-0001", "../x"),
        ("INC-0002", "a/b"),
        ("INC-0003", "net"),
    ] {
        repo.write(
            &format!("incidents/{id}.yaml"),
            incident(
                id,
                team,
                None,
                "2026-11-02T10:00:00Z",
                &format!("{P1}status: new\n"),
            ),
        );
    }
    repo.commit("three teams", "2026-11-02T11:00:00Z");
    repo.run(["site", "-o", "out", "--at", "2026-11-03T00:00:00Z"])
        .expect_code(0);
    let out = repo.path("out");
    let mut pages: Vec<String> = std::fs::read_dir(out.join("teams"))
        .expect("a teams folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    // Every byte but letters, digits and `-` is escaped: `.` is 2e, `/` 2f.
    assert_eq!(
        pages,
        ["_2e_2e_2fx.html", "a_2fb.html", "index.html", "net.html"]
    );
    assert!(!out.join("x.html").exists());
    assert!(!repo.path("x.html").exists());
    assert!(!out.join("teams/a").exists());
    let index = std::fs::read_to_string(out.join("teams/index.html")).expect("index");
    assert!(
        index.contains("href=\"..&#x2f;teams&#x2f;_2e_2e_2fx.html\""),
        "{index}"
    );
    let page = std::fs::read_to_string(out.join("teams/_2e_2e_2fx.html")).expect("page");
    assert!(page.contains("<h1>..&#x2f;x</h1>"), "{page}");
    // The dashboard links each team and the nav the index.
    let dashboard = std::fs::read_to_string(out.join("index.html")).expect("dashboard");
    assert!(
        dashboard.contains("href=\"teams&#x2f;net.html\""),
        "{dashboard}"
    );
    assert!(
        dashboard.contains("href=\"teams/index.html\""),
        "{dashboard}"
    );
}

#[test]
fn the_dashboard_and_a_team_page_show_the_teams_figures() {
    let repo = repo();
    // The site's report runs from the first ticket's month to its instant:
    // the module's period, so the figures are those worked out above.
    repo.run(["site", "-o", "out", "--at", "2026-11-21T09:00:00Z"])
        .expect_code(0);
    let read = |rel: &str| std::fs::read_to_string(repo.path("out").join(rel)).expect(rel);
    let dashboard = read("index.html");
    // net: INC-0003 open; resolution 1 of 3 met; MTTR (2h + 10h) / 2 = 6h.
    assert!(
        dashboard.contains(
            "<a href=\"teams&#x2f;net.html\">net</a></td><td class=\"num\" data-label=\"Open\">1</td>\
             <td class=\"num\" data-label=\"Resolution SLA\">33.3% (1 of 3 met)</td>\
             <td class=\"num\" data-label=\"MTTR\">6h</td>"
        ),
        "{dashboard}"
    );
    let net = read("teams/net.html");
    // Its assignees, ana and bo, and its one open ticket, INC-0003.
    assert!(net.contains("<td class=\"card-title\">ana</td>"), "{net}");
    assert!(net.contains("<td class=\"card-title\">bo</td>"), "{net}");
    assert!(net.contains("<h2>Open tickets (1)</h2>"), "{net}");
    assert!(net.contains("INC-0003.html\">INC-0003</a>"), "{net}");
    assert!(!net.contains("INC-0005"), "{net}");
}
