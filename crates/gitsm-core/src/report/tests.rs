//! Each KPI on a small dataset built by hand, with expectations computed
//! by hand (SLA targets: the defaults, P1 15m / 4h and P2 30m / 8h around
//! the clock). The period is November 2026 in UTC, read at its end.

use std::path::PathBuf;

use crate::dataset::Dataset;
use crate::kind::Kind;
use crate::model::Record;
use crate::policy::Policy;
use crate::workspace::Workspace;

use super::{Period, Report, build};

const H: i64 = 3600;
const M: i64 = 60;

fn record(kind: Kind, yaml: &str) -> Record {
    let json = crate::yaml::parse(yaml).expect("yaml").to_json();
    Record::from_json(kind, json).unwrap_or_else(|e| panic!("{e}:\n{yaml}"))
}

fn incident(id: &str, rest: &str) -> Record {
    record(
        Kind::Incident,
        &format!("id: {id}\ntitle: {id}\nreported_by: user@example.com\n{rest}"),
    )
}

fn dataset() -> Dataset {
    let resolved = "resolution: { code: fixed, notes: Fixed. }";
    let records = vec![
        // P1: acknowledged after 10 minutes, resolved after 3 hours: both met.
        incident(
            "INC-1",
            &format!(
                "status: resolved\nimpact: high\nurgency: high\npriority: P1\nproblem: PRB-1\n\
                 created_at: 2026-11-02T10:00:00Z\nacknowledged_at: 2026-11-02T10:10:00Z\n\
                 resolved_at: 2026-11-02T13:00:00Z\n{resolved}"
            ),
        ),
        // P1: 30 minutes to acknowledge, 5 hours to resolve: both missed;
        // escalated, so not resolved at the first line.
        incident(
            "INC-2",
            &format!(
                "status: closed\nimpact: high\nurgency: high\npriority: P1\nproblem: PRB-1\n\
                 created_at: 2026-11-03T10:00:00Z\nacknowledged_at: 2026-11-03T10:30:00Z\n\
                 resolved_at: 2026-11-03T15:00:00Z\nclosed_at: 2026-11-04T09:00:00Z\n{resolved}\n\
                 escalations: [{{ at: 2026-11-03T10:40:00Z, to_level: 2, by: ben }}]"
            ),
        ),
        // P1, still in progress: acknowledged in 5 minutes (met); its
        // resolution target ran out at 14:00 (missed, still running).
        incident(
            "INC-3",
            "status: in_progress\nimpact: high\nurgency: high\npriority: P1\n\
             created_at: 2026-11-20T10:00:00Z\nacknowledged_at: 2026-11-20T10:05:00Z",
        ),
        // P2, new an hour before the end: response missed at 23:30; the
        // resolution target runs out on 1 December (undecided).
        incident(
            "INC-4",
            "status: new\nimpact: high\nurgency: medium\npriority: P2\n\
             created_at: 2026-11-30T23:00:00Z",
        ),
        // A known error, open; and a resolved problem that is not one.
        record(
            Kind::Problem,
            "id: PRB-1\ntitle: Pool\nstatus: known_error\nknown_error: true\n\
             created_at: 2026-11-04T10:00:00Z\nreported_by: anna\nimpact: high\nurgency: medium",
        ),
        record(
            Kind::Problem,
            "id: PRB-2\ntitle: Disk\nstatus: resolved\nknown_error: false\n\
             created_at: 2026-11-05T10:00:00Z\nresolved_at: 2026-11-06T10:00:00Z\n\
             reported_by: anna\nimpact: low\nurgency: low",
        ),
        // A change that names PRB-1: not one of its incidents.
        record(
            Kind::Change,
            "id: CHG-1\ntitle: Fix pool\ntype: normal\nstatus: authorize\nproblem: PRB-1\n\
             created_at: 2026-11-10T10:00:00Z\nrequested_by: david\nrisk: low\nimpact: low",
        ),
        record(
            Kind::Change,
            "id: CHG-2\ntitle: Dropped\ntype: normal\nstatus: cancelled\n\
             created_at: 2026-11-11T10:00:00Z\nrequested_by: david\nrisk: low\nimpact: low",
        ),
        record(
            Kind::Ci,
            "id: payments-api\nname: Payments API\nclass: application\nstatus: active",
        ),
    ];
    Dataset::from_records(workspace(), records, None)
}

fn november() -> Period {
    let at = "2026-12-01T00:00:00Z".parse().expect("instant");
    Period::new(
        Some("2026-11-01".parse().expect("since")),
        Some("2026-11-30".parse().expect("until")),
        at,
        chrono_tz::UTC,
        None,
    )
    .expect("period")
}

fn report(dataset: &Dataset) -> Report<'_> {
    build(dataset, &november(), None).expect("report")
}

#[test]
fn open_means_still_needs_work() {
    let dataset = dataset();
    let report = report(&dataset);
    let open = |key: &str| {
        report
            .backlog
            .by_kind
            .iter()
            .find(|r| r.key == key)
            .map_or(0, |r| r.open)
    };
    // INC-3 (in progress) and INC-4 (new); INC-1 is resolved.
    assert_eq!(open("incident"), 2);
    // PRB-1 (a known error is still open); PRB-2 is resolved.
    assert_eq!(open("problem"), 1);
    // CHG-1 (awaiting authorisation); CHG-2 is cancelled.
    assert_eq!(open("change"), 1);
    assert_eq!(report.problems.open, 1);
}

#[test]
fn within_target_counts_the_clocks_decided_in_the_period() {
    let dataset = dataset();
    let report = report(&dataset);
    let row = |p: &str| {
        report
            .incidents
            .sla
            .iter()
            .find(|r| r.priority == p)
            .unwrap_or_else(|| panic!("no {p}"))
    };
    // Response: INC-1 and INC-3 met, INC-2 missed. Resolution: INC-1 met,
    // INC-2 missed (stopped late), INC-3 missed (ran out still running).
    assert_eq!((row("P1").response.met, row("P1").response.missed), (2, 1));
    assert_eq!(
        (row("P1").resolution.met, row("P1").resolution.missed),
        (1, 2)
    );
    assert_eq!(row("P1").resolution.percent, Some(33.3));
    // INC-4: response missed at 23:30; resolution undecided.
    assert_eq!((row("P2").response.met, row("P2").response.missed), (0, 1));
    assert_eq!(
        (row("P2").resolution.met, row("P2").resolution.missed),
        (0, 0)
    );
    assert_eq!(row("P2").resolution.percent, None);
}

#[test]
fn mean_times_to_acknowledge_and_resolve() {
    let dataset = dataset();
    let report = report(&dataset);
    let p1 = report
        .incidents
        .times
        .iter()
        .find(|t| t.priority == "P1")
        .expect("P1");
    // Acknowledged in 10, 30 and 5 minutes.
    assert_eq!(p1.mtta.count, 3);
    assert_eq!(p1.mtta.mean, Some(15 * M));
    assert_eq!(p1.mtta.median, Some(10 * M));
    // Resolved in 3 and 5 hours.
    assert_eq!(p1.mttr.count, 2);
    assert_eq!(p1.mttr.mean, Some(4 * H));
}

#[test]
fn first_line_resolution() {
    let dataset = dataset();
    let report = report(&dataset);
    // Resolved in November: INC-1 (no escalation) and INC-2 (escalated).
    assert_eq!(report.incidents.first_line.count, 1);
    assert_eq!(report.incidents.first_line.of, 2);
    assert_eq!(report.incidents.first_line.percent, Some(50.0));
}

#[test]
fn the_kedb_and_the_incidents_of_a_problem() {
    let dataset = dataset();
    let report = report(&dataset);
    assert_eq!(report.problems.kedb, 1);
    let prb1 = report
        .problems
        .top
        .iter()
        .find(|p| p.id == "PRB-1")
        .expect("PRB-1");
    // INC-1 and INC-2 name it; CHG-1 does too, but is a change.
    assert_eq!((prb1.in_period, prb1.total), (2, 2));
}

fn workspace() -> Workspace {
    Workspace {
        root: PathBuf::new(),
        config: Policy::default(),
        schemas: crate::schema::Schemas::builtin().expect("schemas"),
        imported: Default::default(),
    }
}

fn change(id: &str, rest: &str) -> Record {
    record(
        Kind::Change,
        &format!("id: {id}\ntitle: {id}\nrequested_by: david\nrisk: low\nimpact: low\n{rest}"),
    )
}

/// Four changes and an incident one of them caused.
fn changes_dataset() -> Dataset {
    let records = vec![
        // Normal, implemented a day after it was opened: successful.
        change(
            "CHG-10",
            "type: normal\nstatus: closed\ncreated_at: 2026-11-02T10:00:00Z\n\
             implemented_at: 2026-11-03T10:00:00Z\noutcome: successful\n\
             close_code: successful\nreview: Went as planned.",
        ),
        // Normal, implemented 26 hours after it was opened: unsuccessful,
        // and an incident names it as its cause.
        change(
            "CHG-11",
            "type: normal\nstatus: review\ncreated_at: 2026-11-04T10:00:00Z\n\
             implemented_at: 2026-11-05T12:00:00Z\noutcome: unsuccessful",
        ),
        // Emergency, implemented an hour after it was opened; no outcome
        // recorded yet.
        change(
            "CHG-12",
            "type: emergency\nstatus: implement\ncreated_at: 2026-11-06T10:00:00Z\n\
             implemented_at: 2026-11-06T11:00:00Z",
        ),
        // Opened in October, not implemented: counts nowhere in November.
        change(
            "CHG-13",
            "type: normal\nstatus: new\ncreated_at: 2026-10-20T10:00:00Z",
        ),
        incident(
            "INC-20",
            "status: new\nimpact: low\nurgency: low\npriority: P4\n\
             created_at: 2026-11-05T13:00:00Z\ncaused_by_change: CHG-11",
        ),
    ];
    Dataset::from_records(workspace(), records, None)
}

#[test]
fn changes_by_type_success_rate_emergency_share_and_incidents_caused() {
    let dataset = changes_dataset();
    let report = report(&dataset);
    let changes = &report.changes;
    let row = |t: &str| {
        changes
            .by_type
            .iter()
            .find(|r| r.change_type == t)
            .unwrap_or_else(|| panic!("no {t}"))
    };
    // Opened in November: CHG-10, 11, 12; implemented: the same three.
    let all = row("all");
    assert_eq!((all.opened, all.implemented, all.successful), (3, 3, 1));
    // Success rate over those with an outcome: CHG-10 of CHG-10 and 11.
    assert_eq!(
        (all.success_rate.count, all.success_rate.of),
        (1, 2),
        "{all:?}"
    );
    assert_eq!(all.success_rate.percent, Some(50.0));
    // Lead times 24 h, 26 h and 1 h: mean 17 h, median 24 h.
    assert_eq!(all.lead_time.count, 3);
    assert_eq!(all.lead_time.mean, Some(17 * H));
    assert_eq!(all.lead_time.median, Some(24 * H));
    let normal = row("normal");
    assert_eq!(
        (normal.opened, normal.implemented, normal.successful),
        (2, 2, 1)
    );
    let emergency = row("emergency");
    assert_eq!((emergency.opened, emergency.implemented), (1, 1));
    assert_eq!(emergency.success_rate.percent, None);
    // CHG-12 has no outcome yet.
    assert_eq!(changes.awaiting_outcome, 1);
    // One emergency change of three opened.
    assert_eq!(
        (changes.emergency_share.count, changes.emergency_share.of),
        (1, 3)
    );
    assert_eq!(changes.emergency_share.percent, Some(33.3));
    // CHG-11, of the three implemented, caused INC-20.
    assert_eq!(
        (changes.caused_incidents.count, changes.caused_incidents.of),
        (1, 3)
    );
    assert_eq!(changes.causing.len(), 1);
    assert_eq!(changes.causing[0].id, "CHG-11");
    assert_eq!(changes.causing[0].incidents, ["INC-20"]);
}

fn request(id: &str, rest: &str) -> Record {
    record(
        Kind::Request,
        &format!("id: {id}\ntitle: {id}\nrequested_by: user@example.com\n{rest}"),
    )
}

#[test]
fn requests_by_catalogue_item_against_their_targets() {
    // The default catalogue, around the clock: install-application 10 min
    // to respond, 20 to fulfil; clear-fault 10 and 40.
    let records = vec![
        // Acknowledged after 5 minutes, fulfilled after 15: both met.
        request(
            "REQ-1",
            "catalog_item: install-application\nstatus: fulfilled\n\
             created_at: 2026-11-02T10:00:00Z\nacknowledged_at: 2026-11-02T10:05:00Z\n\
             fulfilled_at: 2026-11-02T10:15:00Z",
        ),
        // After 20 minutes and an hour: both missed.
        request(
            "REQ-2",
            "catalog_item: install-application\nstatus: closed\n\
             created_at: 2026-11-03T10:00:00Z\nacknowledged_at: 2026-11-03T10:20:00Z\n\
             fulfilled_at: 2026-11-03T11:00:00Z\nclosed_at: 2026-11-04T09:00:00Z",
        ),
        // Never acknowledged: both targets ran out on 5 November (missed).
        request(
            "REQ-3",
            "catalog_item: clear-fault\nstatus: new\ncreated_at: 2026-11-05T10:00:00Z",
        ),
    ];
    let dataset = Dataset::from_records(workspace(), records, None);
    let report = report(&dataset);
    let row = |item: &str| {
        report
            .requests
            .by_item
            .iter()
            .find(|r| r.item == item)
            .unwrap_or_else(|| panic!("no {item}"))
    };
    let install = row("install-application");
    assert_eq!((install.opened, install.fulfilled), (2, 2));
    assert_eq!((install.response.met, install.response.missed), (1, 1));
    assert_eq!((install.fulfilment.met, install.fulfilment.missed), (1, 1));
    assert_eq!(install.fulfilment.percent, Some(50.0));
    // Fulfilled after 15 and 60 minutes.
    assert_eq!(install.fulfilment_time.count, 2);
    assert_eq!(install.fulfilment_time.mean, Some(37 * M + 30));
    let fault = row("clear-fault");
    assert_eq!((fault.opened, fault.fulfilled), (1, 0));
    assert_eq!((fault.response.met, fault.response.missed), (0, 1));
    assert_eq!((fault.fulfilment.met, fault.fulfilment.missed), (0, 1));
    let all = row("all");
    assert_eq!((all.opened, all.fulfilled), (3, 2));
    assert_eq!((all.response.met, all.response.missed), (1, 2));
    assert_eq!(all.response.percent, Some(33.3));
}

#[test]
fn volumes_count_what_was_opened_and_resolved_in_the_period() {
    let dataset = dataset();
    let report = report(&dataset);
    let kind = |k: &str| {
        report
            .volumes
            .by_kind
            .iter()
            .find(|c| c.key == k)
            .unwrap_or_else(|| panic!("no {k}"))
    };
    // INC-1 to INC-4 were opened in November; INC-1 and INC-2 resolved
    // (out of the queue) in it.
    let incidents = kind("incident");
    assert_eq!(
        (incidents.opened, incidents.closed, incidents.cancelled),
        (4, 2, 0)
    );
    // PRB-1 and PRB-2 opened; PRB-2 resolved on 6 November.
    let problems = kind("problem");
    assert_eq!((problems.opened, problems.closed), (2, 1));
    let priority = |p: &str| {
        report
            .volumes
            .incidents_by_priority
            .iter()
            .find(|c| c.key == p)
            .unwrap_or_else(|| panic!("no {p}"))
    };
    assert_eq!((priority("P1").opened, priority("P1").closed), (3, 2));
    assert_eq!((priority("P2").opened, priority("P2").closed), (1, 0));
    assert_eq!((priority("P4").opened, priority("P4").closed), (0, 0));
}

#[test]
fn backlog_ages_problem_targets_and_the_month() {
    let dataset = dataset();
    let report = report(&dataset);
    // Open incidents at 1 December 00:00: INC-3, opened 20 November 10:00
    // (10 days 14 hours: the 7-30 days bucket), and INC-4, opened an hour
    // before (under a day).
    let incidents = report
        .backlog
        .by_kind
        .iter()
        .find(|r| r.key == "incident")
        .expect("incidents");
    assert_eq!(incidents.aging, [1, 0, 1, 0, 0]);
    assert_eq!(
        incidents.oldest.as_ref().map(|o| o.id.as_str()),
        Some("INC-3")
    );
    // Problem targets by the matrix's priority: PRB-1 (high x medium, P2,
    // 14 days) opened 4 November, still open: ran out on 18 November,
    // missed. PRB-2 (low x low, P4, 60 days) resolved after a day: met.
    let within = &report.problems.within_target;
    assert_eq!((within.met, within.missed), (1, 1));
    assert_eq!(within.percent, Some(50.0));
    assert_eq!((report.problems.opened, report.problems.resolved), (2, 1));
    // The period is one month, and its row says the same as the totals.
    assert_eq!(report.trends.len(), 1);
    let november = &report.trends[0];
    assert_eq!(november.month, "2026-11");
    assert_eq!((november.opened.incident, november.closed.incident), (4, 2));
    assert_eq!(november.backlog.incident, 2);
    assert_eq!((november.response.met, november.response.missed), (2, 2));
}

#[test]
fn major_incidents_are_listed_with_their_review_state() {
    use super::ReviewState;
    let mut config = crate::config::Config::default();
    config.major_incident.priorities = vec![crate::model::Priority::P1];
    let mut ws = workspace();
    ws.config = Policy::new(config);
    let resolved = "resolution: { code: fixed, notes: Fixed. }";
    let records = vec![
        // Major by its P1 priority: resolved on 28 November at 10:00, so
        // its review is due on 5 December at 10:00, after the report's
        // "as of" (1 December): due, not overdue. 2h40m long; commander
        // after 20 minutes.
        incident(
            "INC-1",
            &format!(
                "status: resolved\nimpact: high\nurgency: high\n\
                 created_at: 2026-11-28T07:20:00Z\ncommander: ben\n\
                 commander_at: 2026-11-28T07:40:00Z\nresolved_at: 2026-11-28T10:00:00Z\n{resolved}"
            ),
        ),
        // Marked major, still open: no duration, no review due yet, and no
        // commander stamp.
        incident(
            "INC-2",
            "status: new\nimpact: low\nurgency: low\nmajor: true\n\
             created_at: 2026-11-29T10:00:00Z",
        ),
        // P2, not marked: not major.
        incident(
            "INC-3",
            "status: new\nimpact: high\nurgency: medium\ncreated_at: 2026-11-29T10:00:00Z",
        ),
    ];
    let dataset = Dataset::from_records(ws, records, None);
    let report = report(&dataset);
    let ids: Vec<&str> = report
        .major_incidents
        .iter()
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(ids, ["INC-1", "INC-2"]);
    let first = &report.major_incidents[0];
    assert_eq!(first.duration, Some(2 * H + 40 * M));
    assert_eq!(first.time_to_commander, Some(20 * M));
    assert_eq!(
        first.review,
        ReviewState::Due {
            by: "2026-12-05T10:00:00Z".parse().expect("instant")
        }
    );
    let second = &report.major_incidents[1];
    assert_eq!((second.duration, second.time_to_commander), (None, None));
    assert_eq!(second.review, ReviewState::NotYet);
}

#[test]
fn satisfaction_counts_the_feedback_given_by_the_end_of_the_period() {
    let resolved = "resolution: { code: fixed, notes: Fixed. }";
    let records = vec![
        // Resolved in November: a 5 in November, and a 1 given in
        // December, after the period, which does not count yet.
        incident(
            "INC-1",
            &format!(
                "status: resolved\nimpact: low\nurgency: low\ncreated_at: 2026-11-02T10:00:00Z\n\
                 resolved_at: 2026-11-02T13:00:00Z\n{resolved}\n\
                 feedback: [{{at: 2026-11-03T10:00:00Z, by: ann, score: 5}}, \
                 {{at: 2026-12-05T10:00:00Z, by: bob, score: 1}}]"
            ),
        ),
        // Closed in November with a 3.
        incident(
            "INC-2",
            &format!(
                "status: closed\nimpact: low\nurgency: low\ncreated_at: 2026-11-03T10:00:00Z\n\
                 resolved_at: 2026-11-03T15:00:00Z\nclosed_at: 2026-11-04T09:00:00Z\n{resolved}\n\
                 feedback: [{{at: 2026-11-04T10:00:00Z, by: ann, score: 3}}]"
            ),
        ),
        // Resolved in October: outside the period, feedback and all.
        incident(
            "INC-3",
            &format!(
                "status: resolved\nimpact: low\nurgency: low\ncreated_at: 2026-10-02T10:00:00Z\n\
                 resolved_at: 2026-10-02T13:00:00Z\n{resolved}\n\
                 feedback: [{{at: 2026-11-03T10:00:00Z, by: ann, score: 1}}]"
            ),
        ),
        // Still open: not counted.
        incident(
            "INC-4",
            "status: new\nimpact: low\nurgency: low\ncreated_at: 2026-11-10T10:00:00Z",
        ),
    ];
    let dataset = Dataset::from_records(workspace(), records, None);
    let r = report(&dataset);
    let all = &r.satisfaction.all;
    // Two tickets, both answered; scores 5 and 3: one satisfied, mean 4.
    assert_eq!(
        (all.tickets, all.answered, all.scores, all.satisfied),
        (2, 2, 2, 1)
    );
    assert_eq!(all.response_rate.percent, Some(100.0));
    assert_eq!(all.csat.percent, Some(50.0));
    assert_eq!(all.mean, Some(4.0));
    assert!(r.satisfaction.low.is_empty(), "{:?}", r.satisfaction.low);
    let months: Vec<&str> = r
        .satisfaction
        .by_month
        .iter()
        .map(|m| m.key.as_str())
        .collect();
    assert_eq!(months, ["2026-11"]);
    let none = &r.satisfaction.by_service[0];
    assert_eq!((none.key.as_str(), none.tickets), ("(none)", 2));
}

/// A P1 incident of `team` and `assignee` created on 2 November 10:00,
/// acknowledged 10m later and resolved 3h after its creation.
fn resolved_p1(id: &str, team: &str, assignee: &str) -> Record {
    incident(
        id,
        &format!(
            "team: {team}\nassignee: {assignee}\nimpact: high\nurgency: high\npriority: P1\n\
             status: resolved\nresolution: {{ code: fixed, notes: Fixed. }}\n\
             created_at: 2026-11-02T10:00:00Z\nacknowledged_at: 2026-11-02T10:10:00Z\n\
             resolved_at: 2026-11-02T13:00:00Z"
        ),
    )
}

/// A P1 incident of `team` and `assignee` created on 20 November 10:00,
/// acknowledged 5m later, in progress.
fn in_progress_p1(id: &str, team: &str, assignee: &str) -> Record {
    incident(
        id,
        &format!(
            "team: {team}\nassignee: {assignee}\nimpact: high\nurgency: high\npriority: P1\n\
             status: in_progress\n\
             created_at: 2026-11-20T10:00:00Z\nacknowledged_at: 2026-11-20T10:05:00Z"
        ),
    )
}

/// Three P1 incidents over teams `a` and `b` and assignees `x` and `y`
/// (no Git history): each team's row is the report's figures over its
/// incidents, worked out by hand.
#[test]
fn team_rows_are_the_report_figures_over_each_team() {
    let resolved = "status: resolved\nresolution: { code: fixed, notes: Fixed. }";
    let p1 = "impact: high\nurgency: high\npriority: P1";
    let records = vec![
        // a/x: acknowledged in 10m, resolved in 3h: both met, first line.
        resolved_p1("INC-1", "a", "x"),
        // a/y: 30m to acknowledge and 5h to resolve: both missed; escalated.
        incident(
            "INC-2",
            &format!(
                "team: a\nassignee: y\n{p1}\n{resolved}\ncreated_at: 2026-11-03T10:00:00Z\n\
                 acknowledged_at: 2026-11-03T10:30:00Z\nresolved_at: 2026-11-03T15:00:00Z\n\
                 support_level: 2\nescalations: [{{ at: 2026-11-03T10:40:00Z, to_level: 2, by: ben }}]"
            ),
        ),
        // b/x: acknowledged in 5m (met), in progress: its 4h ran out on
        // 20 November 14:00 (missed).
        in_progress_p1("INC-3", "b", "x"),
    ];
    let dataset = Dataset::from_records(workspace(), records, None);
    let report = report(&dataset);
    let teams = &report.teams;
    let keys = |rows: &[super::TeamRow]| rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>();
    let by_team: Vec<&super::TeamRow> = teams.by_team.iter().map(|t| &t.row).collect();
    assert_eq!(
        by_team.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    let a = by_team[0];
    assert_eq!((a.open, a.opened, a.resolved), (0, 2, 2));
    // MTTA (10m + 30m) / 2 = 20m; MTTR (3h + 5h) / 2 = 4h.
    assert_eq!(a.mtta.mean, Some(20 * M));
    assert_eq!(a.mttr.mean, Some(4 * H));
    assert_eq!((a.response.met, a.response.missed), (1, 1));
    assert_eq!((a.resolution.met, a.resolution.missed), (1, 1));
    assert_eq!((a.first_line.count, a.first_line.of), (1, 2));
    // No Git history: reopens cannot be counted.
    assert_eq!(a.reopened, None);
    assert_eq!(keys(&teams.by_team[0].assignees), ["x", "y"]);
    let b = by_team[1];
    assert_eq!((b.open, b.opened, b.resolved), (1, 1, 0));
    assert_eq!((b.response.met, b.resolution.missed), (1, 1));
    // x has INC-1 and INC-3: MTTA (10m + 5m) / 2 = 7m30s.
    let x = &teams.by_assignee[0];
    assert_eq!(keys(&teams.by_assignee), ["x", "y"]);
    assert_eq!((x.open, x.opened, x.resolved), (1, 2, 1));
    assert_eq!(x.mtta.mean, Some(7 * M + 30));
    // The desk's row is the report's own figures.
    let all_sla = report.incidents.sla.last().expect("an all row");
    assert_eq!(teams.all.response, all_sla.response);
    assert_eq!(teams.all.resolution, all_sla.resolution);
    assert_eq!(teams.all.first_line, report.incidents.first_line);
    assert_eq!(
        teams.all.satisfaction.tickets,
        report.satisfaction.all.tickets
    );
}

/// One team `a` with one assignee `x`: the team's row is the desk's
/// figures, its assignee's the team's, each under its own key (the
/// satisfaction row's too).
#[test]
fn a_group_of_every_ticket_has_the_wider_groups_figures() {
    let records = vec![
        resolved_p1("INC-1", "a", "x"),
        in_progress_p1("INC-2", "a", "x"),
    ];
    let dataset = Dataset::from_records(workspace(), records, None);
    let report = report(&dataset);
    let teams = &report.teams;
    let team = &teams.by_team[0];
    let rows = [
        ("all", &teams.all),
        ("a", &team.row),
        ("x", &team.assignees[0]),
        ("x", &teams.by_assignee[0]),
    ];
    for (key, row) in rows {
        assert_eq!(
            (row.key.as_str(), row.satisfaction.key.as_str()),
            (key, key)
        );
        assert_eq!((row.open, row.opened, row.resolved), (1, 2, 1));
        // MTTA (10m + 5m) / 2 = 7m30s; MTTR 3h.
        assert_eq!(row.mtta.mean, Some(7 * M + 30));
        assert_eq!(row.mttr.mean, Some(3 * H));
        assert_eq!(row.satisfaction.tickets, 1);
    }
    assert_eq!((teams.by_team.len(), team.assignees.len()), (1, 1));
    assert_eq!(teams.by_assignee.len(), 1);
}

#[test]
fn a_team_filter_counts_only_that_teams_records() {
    let records = vec![
        incident(
            "INC-1",
            "team: a\nstatus: new\nimpact: high\nurgency: high\ncreated_at: 2026-11-02T10:00:00Z",
        ),
        incident(
            "INC-2",
            "team: b\nstatus: new\nimpact: high\nurgency: high\ncreated_at: 2026-11-02T10:00:00Z",
        ),
    ];
    let dataset = Dataset::from_records(workspace(), records, None);
    let report = super::build_for(&dataset, &november(), None, Some("a")).expect("report");
    assert_eq!(report.team.as_deref(), Some("a"));
    assert_eq!(report.backlog.by_kind[0].open, 1);
    assert_eq!(
        report.backlog.by_kind[0]
            .oldest
            .as_ref()
            .map(|o| o.id.as_str()),
        Some("INC-1")
    );
    let unknown = super::check_team(&dataset, "c").expect_err("no record has team c");
    assert_eq!(unknown.team, "c");
    assert!(super::check_team(&dataset, "b").is_ok());
}

/// Breaches are listed by when their target ran out, then by id, then by
/// clock, then by input order: the same whether all are listed (JSON) or
/// only the first (Markdown). P1 here has 4h for both clocks, so a P1
/// ticket never acknowledged breaches both at once.
#[test]
fn breaches_tied_in_time_go_by_id_then_clock_then_input_order() {
    let mut config = crate::config::Config::default();
    config.sla.P1.response = config.sla.P1.resolution;
    let mut ws = workspace();
    ws.config = Policy::new(config);
    let p1_new = |id: &str, created: &str| {
        incident(
            id,
            &format!(
                "status: new\nimpact: high\nurgency: high\npriority: P1\n\
                 created_at: {created}"
            ),
        )
    };
    let records = vec![
        // Both clocks run out at 14:00 on 2 November.
        p1_new("INC-9", "2026-11-02T10:00:00Z"),
        // Two files with one id: both clocks at 14:00 too.
        p1_new("INC-5", "2026-11-02T10:00:00Z"),
        p1_new("INC-5", "2026-11-02T10:00:00Z"),
        // At 13:00, an hour earlier: first, despite its id.
        p1_new("INC-7", "2026-11-02T09:00:00Z"),
    ];
    let dataset = Dataset::from_records(ws, records, None);
    let expected = [
        ("INC-7", "resolution", "2026-11-02T13:00:00Z"),
        ("INC-7", "response", "2026-11-02T13:00:00Z"),
        ("INC-5", "resolution", "2026-11-02T14:00:00Z"),
        ("INC-5", "resolution", "2026-11-02T14:00:00Z"),
        ("INC-5", "response", "2026-11-02T14:00:00Z"),
        ("INC-5", "response", "2026-11-02T14:00:00Z"),
        ("INC-9", "resolution", "2026-11-02T14:00:00Z"),
        ("INC-9", "response", "2026-11-02T14:00:00Z"),
    ];
    for listed in [None, Some(expected.len()), Some(3)] {
        let report = build(&dataset, &november(), listed).expect("report");
        let breaches = &report.incidents.breaches;
        assert_eq!(breaches.count, expected.len(), "listed {listed:?}");
        let got: Vec<(&str, &str, String)> = breaches
            .listed
            .iter()
            .map(|b| (b.id, b.clock, b.breached_at.to_rfc3339()))
            .collect();
        let want: Vec<(&str, &str, String)> = expected
            .iter()
            .take(listed.unwrap_or(expected.len()))
            .map(|&(id, clock, at)| (id, clock, at.replace('Z', "+00:00")))
            .collect();
        assert_eq!(got, want, "listed {listed:?}");
    }
    // The two files of INC-5 keep their input order: the first file's
    // clock before the second's (their titles are the same; the record
    // each breach borrows from is the one it was found in).
    let report = build(&dataset, &november(), None).expect("report");
    let inc5: Vec<*const str> = report
        .incidents
        .breaches
        .listed
        .iter()
        .filter(|b| b.id == "INC-5")
        .map(|b| std::ptr::from_ref(b.title))
        .collect();
    let files: Vec<*const str> = dataset
        .records()
        .filter(|r| r.id() == "INC-5")
        .map(|r| std::ptr::from_ref(r.title()))
        .collect();
    assert_eq!(inc5, [files[0], files[1], files[0], files[1]]);
}
