//! Routine maintenance: `gitsm schedule` creates the standard change of
//! each due occurrence of a `maintenance` schedule once (a second run
//! creates nothing), keeps the local time across daylight saving, skips an
//! occurrence inside a freeze; `validate` warns of a missed occurrence;
//! a schedule naming an unknown template is refused at its line; the
//! site's calendar shows the occurrences to come.

use crate::common;

use common::Repo;
use serde_json::Value;

const VM: &str = "id: vm-01\nname: vm-01\nclass: server\nstatus: active\n";

/// The starter config plus a template and the second-Tuesday schedule
/// (22:00 Berlin, 4 hours, from 12 January 2027), and `extra` keys.
fn with_schedule(extra: &str) -> Repo {
    let repo = Repo::new();
    repo.write("cis/vm-01.yaml", VM);
    append_config(
        &repo,
        &format!(
            "timezone: Europe/Berlin
standard_changes:
  os-patching:
    title: OS patches
    risk: low
    implementation_plan: Patch and reboot.
    backout_plan: Boot the previous kernel.
    test_plan: Health check green.
maintenance:
  - name: patching
    rrule: FREQ=MONTHLY;BYDAY=2TU
    dtstart: 2027-01-12T22:00
    duration: 4h
    template: os-patching
    cis: [vm-01]
{extra}"
        ),
    );
    repo
}

fn json(run: &common::Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run}"))
}

/// The (id, occurrence) pairs of a list of the JSON output.
fn listed(doc: &Value, list: &str) -> Vec<(String, String)> {
    listed_by(doc, list, "id")
}

/// The (`key`, occurrence) pairs of a list of the JSON output.
fn listed_by(doc: &Value, list: &str, key: &str) -> Vec<(String, String)> {
    doc[list]
        .as_array()
        .unwrap_or_else(|| panic!("no `{list}` in {doc}"))
        .iter()
        .map(|e| {
            (
                e[key].as_str().unwrap_or_default().to_owned(),
                e["occurrence"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The 1-based number of the line of `text` equal to `line`.
fn line_of(text: &str, line: &str) -> usize {
    text.lines()
        .position(|l| l == line)
        .unwrap_or_else(|| panic!("no line `{line}` in:\n{text}"))
        + 1
}

/// Append `keys` to the starter gitsm.yaml of `repo`; the new text.
fn append_config(repo: &Repo, keys: &str) -> String {
    let config = repo.path("gitsm.yaml");
    let mut text = std::fs::read_to_string(&config).expect("gitsm.yaml");
    text.push_str(keys);
    std::fs::write(&config, &text).expect("write gitsm.yaml");
    text
}

fn record(repo: &Repo, rel: &str) -> Value {
    let text = std::fs::read_to_string(repo.path(rel)).expect("the change was written");
    serde_yaml::from_str(&text).expect("a YAML record")
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn schedule_creates_the_due_changes_once_across_daylight_saving() {
    let repo = with_schedule("");
    // Second Tuesdays from 1 February to (not including) 13 April 22:00:
    // 9 February and 9 March (12 January is before --at).
    let first = repo.run([
        "schedule",
        "--at",
        "2027-02-01",
        "--until",
        "2027-04-13T22:00:00+02:00",
        "--format",
        "json",
    ]);
    first.expect_code(0);
    let doc = json(&first);
    assert_eq!(
        listed(&doc, "created"),
        pairs(&[
            ("CHG-0001", "2027-02-09T22:00:00+01:00"),
            ("CHG-0002", "2027-03-09T22:00:00+01:00"),
        ]),
        "{first}"
    );
    // Up to 1 May: 13 April is due now, 22:00 in summer time (+02:00 since
    // 28 March, the last Sunday of March); the other two exist.
    let second = repo.run([
        "schedule",
        "--at",
        "2027-02-01",
        "--until",
        "2027-05-01",
        "--format",
        "json",
    ]);
    second.expect_code(0);
    let doc = json(&second);
    assert_eq!(
        listed(&doc, "created"),
        pairs(&[("CHG-0003", "2027-04-13T22:00:00+02:00")]),
        "{second}"
    );
    assert_eq!(
        listed(&doc, "existing"),
        pairs(&[
            ("CHG-0001", "2027-02-09T22:00:00+01:00"),
            ("CHG-0002", "2027-03-09T22:00:00+01:00"),
        ])
    );
    // The written windows: 22:00 to 02:00 local, before and after the
    // change to summer time.
    let winter = record(&repo, "changes/CHG-0002.yaml");
    assert_eq!(winter["window"]["start"], "2027-03-09T22:00:00+01:00");
    assert_eq!(winter["window"]["end"], "2027-03-10T02:00:00+01:00");
    assert_eq!(winter["window"]["timezone"], "Europe/Berlin");
    let summer = record(&repo, "changes/CHG-0003.yaml");
    assert_eq!(summer["window"]["start"], "2027-04-13T22:00:00+02:00");
    assert_eq!(summer["window"]["end"], "2027-04-14T02:00:00+02:00");
    // A standard change from the template, scheduled, naming its occurrence.
    assert_eq!(summer["status"], "scheduled");
    assert_eq!(summer["type"], "standard");
    assert_eq!(summer["template"], "os-patching");
    assert_eq!(summer["title"], "OS patches (2027-04-13)");
    assert_eq!(summer["backout_plan"], "Boot the previous kernel.");
    assert_eq!(summer["cis"], serde_json::json!(["vm-01"]));
    assert_eq!(summer["schedule"]["name"], "patching");
    assert_eq!(
        summer["schedule"]["occurrence"],
        "2027-04-13T22:00:00+02:00"
    );
    // Running it again creates nothing.
    let third = repo.run(["schedule", "--at", "2027-02-01", "--until", "2027-05-01"]);
    third
        .expect_code(0)
        .stderr_has("0 created, 3 already scheduled, 0 skipped");
    assert_eq!(
        repo.record_files("changes"),
        [
            "changes/CHG-0001.yaml",
            "changes/CHG-0002.yaml",
            "changes/CHG-0003.yaml"
        ]
    );
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn schedule_without_until_looks_31_days_ahead() {
    let repo = with_schedule("");
    // From 13 March 2027: the period ends 13 April 00:00, before that
    // day's 22:00 (and 9 March is before it).
    let none = repo.run(["schedule", "--at", "2027-03-13", "--format", "json"]);
    none.expect_code(0);
    assert!(listed(&json(&none), "created").is_empty(), "{none}");
    // From 14 March: to 14 April 00:00, so 13 April 22:00 is in.
    let one = repo.run(["schedule", "--at", "2027-03-14", "--format", "json"]);
    assert_eq!(
        listed(&json(&one), "created"),
        pairs(&[("CHG-0001", "2027-04-13T22:00:00+02:00")]),
        "{one}"
    );
}

#[test]
fn an_occurrence_inside_a_freeze_is_skipped_not_created() {
    let repo = with_schedule(
        "freeze_windows:\n  - { name: quarter-close, start: 2027-03-01T00:00:00+01:00, end: 2027-03-15T00:00:00+01:00, allow: [emergency] }\n",
    );
    let run = repo.run(["schedule", "--at", "2027-02-01", "--until", "2027-05-01"]);
    run.expect_code(0).stderr_has(
        "skipped: patching 2027-03-09 22:00 +01:00 falls in freeze `quarter-close`, which does not allow standard changes",
    );
    run.stderr_has("2 created, 0 already scheduled, 1 skipped");
    assert_eq!(
        record(&repo, "changes/CHG-0001.yaml")["schedule"]["occurrence"],
        "2027-02-09T22:00:00+01:00"
    );
    assert_eq!(
        record(&repo, "changes/CHG-0002.yaml")["schedule"]["occurrence"],
        "2027-04-13T22:00:00+02:00"
    );
    assert_eq!(repo.record_files("changes").len(), 2);
}

#[test]
fn one_change_that_cannot_be_created_stops_them_all() {
    // The second schedule names a CI the CMDB does not have: its changes
    // fail their checks, so the first schedule's are not written either.
    let repo = with_schedule(
        "  - name: ghost\n    rrule: FREQ=MONTHLY;BYMONTHDAY=20\n    dtstart: 2027-01-20T21:00\n    duration: 1h\n    template: os-patching\n    cis: [vm-99]\n",
    );
    let run = repo.run(["schedule", "--at", "2027-02-01", "--until", "2027-03-01"]);
    run.expect_code(1)
        .stderr_has("vm-99")
        .stderr_has("no change was written");
    assert!(repo.record_files("changes").is_empty(), "{run}");
}

#[test]
fn validate_warns_of_a_missed_occurrence_at_its_schedule() {
    let repo = with_schedule("");
    repo.run(["schedule", "--at", "2027-01-01", "--until", "2027-04-01"])
        .expect_code(0);
    // February's change was carried out; January's and March's were not.
    let feb = repo.path("changes/CHG-0002.yaml");
    let text = std::fs::read_to_string(&feb).expect("CHG-0002");
    std::fs::write(&feb, text.replace("status: scheduled", "status: implement"))
        .expect("write CHG-0002");
    let run = repo.run(["validate", "--at", "2027-03-20"]);
    run.expect_code(0);
    let missed: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning[maintenance-missed]"))
        .collect();
    assert_eq!(
        missed,
        [
            "warning[maintenance-missed]: maintenance `patching` of 2027-01-12T22:00:00+01:00 – 2027-01-13T02:00:00+01:00 (Europe/Berlin) passed without a change implemented for it",
            "warning[maintenance-missed]: maintenance `patching` of 2027-03-09T22:00:00+01:00 – 2027-03-10T02:00:00+01:00 (Europe/Berlin) passed without a change implemented for it",
        ],
        "{run}"
    );
    // At the schedule's name in gitsm.yaml.
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("gitsm.yaml");
    let line = line_of(&config, "  - name: patching");
    run.stderr_has(&format!("gitsm.yaml:{line}:11"));
    // Before March's window closes only January's is missed.
    let early = repo.run(["validate", "--at", "2027-03-10T01:00:00+01:00"]);
    assert_eq!(
        early
            .stderr
            .lines()
            .filter(|l| l.starts_with("warning[maintenance-missed]"))
            .count(),
        1,
        "{early}"
    );
}

#[test]
fn the_report_says_which_occurrences_were_done_missed_or_are_to_come() {
    let repo = with_schedule("");
    repo.run(["schedule", "--at", "2027-01-01", "--until", "2027-04-01"])
        .expect_code(0);
    let feb = repo.path("changes/CHG-0002.yaml");
    let text = std::fs::read_to_string(&feb).expect("CHG-0002");
    std::fs::write(
        &feb,
        text.replace(
            "status: scheduled",
            "status: closed\noutcome: successful\nclose_code: successful",
        ),
    )
    .expect("write CHG-0002");
    // January to April, as of 20 March: January missed, February done,
    // March missed (its window closed on the 10th), April planned.
    let run = repo.run([
        "report",
        "--since",
        "2027-01-01",
        "--until",
        "2027-04-30",
        "--at",
        "2027-03-20",
        "--format",
        "json",
    ]);
    run.expect_code(0);
    let doc = json(&run);
    let rows: Vec<(String, String, String)> = doc["maintenance"]
        .as_array()
        .unwrap_or_else(|| panic!("no maintenance in {run}"))
        .iter()
        .map(|o| {
            (
                o["start"].as_str().unwrap_or_default().to_owned(),
                o["standing"].as_str().unwrap_or_default().to_owned(),
                o["change"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let row = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(
        rows,
        [
            row("2027-01-12T22:00:00+01:00", "missed", "CHG-0001"),
            row("2027-02-09T22:00:00+01:00", "done", "CHG-0002"),
            row("2027-03-09T22:00:00+01:00", "missed", "CHG-0003"),
            row("2027-04-13T22:00:00+02:00", "planned", ""),
        ],
        "{run}"
    );
}

#[test]
fn a_schedule_naming_an_unknown_template_is_refused_at_its_line() {
    let repo = Repo::new();
    let text = append_config(
        &repo,
        "standard_changes:\n  os-patching: { title: OS patches }\nmaintenance:\n  - name: patching\n    rrule: FREQ=MONTHLY;BYDAY=2TU\n    dtstart: 2027-01-12T22:00\n    duration: 4h\n    template: os-patchin\n",
    );
    let line = line_of(&text, "    template: os-patchin");
    for args in [&["validate"][..], &["schedule", "--at", "2027-01-01"][..]] {
        let run = repo.run(args);
        run.expect_code(2)
            .stderr_has(&format!("gitsm.yaml:{line}:15"))
            .stderr_has("maintenance `patching` names unknown standard change `os-patchin`")
            .stderr_has("os-patching");
    }
    assert!(repo.record_files("changes").is_empty());
}

#[test]
fn a_bad_recurrence_rule_is_refused_at_its_line() {
    let repo = Repo::new();
    let text = append_config(
        &repo,
        "standard_changes:\n  os-patching: { title: OS patches }\nmaintenance:\n  - name: patching\n    rrule: FREQ=FORTNIGHTLY\n    dtstart: 2027-01-12T22:00\n    duration: 4h\n    template: os-patching\n",
    );
    let line = line_of(&text, "    rrule: FREQ=FORTNIGHTLY");
    repo.run(["validate"])
        .expect_code(2)
        .stderr_has(&format!("gitsm.yaml:{line}:12"))
        .stderr_has("invalid recurrence rule");
}

#[test]
fn the_calendar_page_shows_planned_maintenance() {
    let repo = with_schedule("");
    // The site at 1 March 2027: 9 March, 13 April and 11 May are the next
    // three months' second Tuesdays; 8 June is past the horizon.
    let out = repo.path("site");
    repo.run([
        "site",
        "--at",
        "2027-03-01",
        "-o",
        out.to_str().expect("utf-8 path"),
    ])
    .expect_code(0);
    let page = std::fs::read_to_string(out.join("calendar.html")).expect("calendar.html");
    assert!(page.contains("Planned maintenance"), "{page}");
    for day in ["2027-03-09 22:00", "2027-04-13 22:00", "2027-05-11 22:00"] {
        assert!(page.contains(day), "{day} missing");
    }
    assert!(!page.contains("2027-06-08"), "June is past the horizon");
    // Once created, an occurrence is a change, no longer planned.
    repo.run(["schedule", "--at", "2027-03-01", "--until", "2027-03-31"])
        .expect_code(0);
    repo.run([
        "site",
        "--at",
        "2027-03-01",
        "-o",
        out.to_str().expect("utf-8 path"),
    ])
    .expect_code(0);
    let page = std::fs::read_to_string(out.join("calendar.html")).expect("calendar.html");
    assert!(page.contains("CHG-0001"));
    assert_eq!(
        page.matches("planned maintenance, no change yet").count(),
        2
    );
}

#[test]
fn example_repo_schedules_its_winter_maintenance_but_not_in_the_freeze() {
    let sb = common::Sandbox::new();
    let root = sb.example_repo();
    let run = sb.gitsm(
        &root,
        [
            "schedule",
            "--at",
            "2026-11-21",
            "--until",
            "2027-02-28",
            "--format",
            "json",
        ],
    );
    run.expect_code(0);
    let doc = json(&run);
    let occurrences = |list: &str| listed_by(&doc, list, "schedule");
    // Second Tuesdays at 22:00, last Mondays at 20:00 and first
    // Wednesdays at 07:00 (2 December, 6 January, 3 February; the
    // restore tests of September and October were done, November's was
    // missed and is not created after the fact); 28 December is inside
    // the year-end freeze (20 December to 3 January).
    assert_eq!(
        occurrences("created"),
        pairs(&[
            ("orders-db-restore-test", "2026-12-02T07:00:00+01:00"),
            ("vm-patching", "2026-12-08T22:00:00+01:00"),
            ("orders-db-restore-test", "2027-01-06T07:00:00+01:00"),
            ("vm-patching", "2027-01-12T22:00:00+01:00"),
            ("lb-certificate-renewal", "2027-01-25T20:00:00+01:00"),
            ("orders-db-restore-test", "2027-02-03T07:00:00+01:00"),
            ("vm-patching", "2027-02-09T22:00:00+01:00"),
            ("lb-certificate-renewal", "2027-02-22T20:00:00+01:00"),
        ]),
        "{run}"
    );
    assert_eq!(
        occurrences("skipped"),
        pairs(&[("lb-certificate-renewal", "2026-12-28T20:00:00+01:00")])
    );
    sb.gitsm(&root, ["validate"]).expect_code(0);
}
