//! Availability figures on small records built by hand, expectations
//! computed by hand (in the comments). The window is November 2026 in
//! UTC: 30 days, 43,200 minutes; 1 November 2026 is a Sunday, so the
//! month has 21 weekdays (four whole weeks and Monday the 30th).

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::kind::Kind;
use crate::model::Record;

use super::{ServiceAvailability, Windows, parse_target, services};

const M: i64 = 60;

fn record(kind: Kind, yaml: &str) -> Record {
    let json = crate::yaml::parse(yaml).expect("yaml").to_json();
    Record::from_json(kind, json).unwrap_or_else(|e| panic!("{e}:\n{yaml}"))
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").to_utc()
}

fn config() -> Config {
    let yaml = "calendars:\n  office:\n    timezone: UTC\n    hours: { mon: \"09:00-17:00\", tue: \"09:00-17:00\", wed: \"09:00-17:00\", thu: \"09:00-17:00\", fri: \"09:00-17:00\" }\n";
    serde_json::from_value(crate::yaml::parse(yaml).expect("yaml").to_json()).expect("config")
}

/// The service `shop` (target 99.9% or 99.0%, on `hours`), depending on
/// `shop-db`, with these outages:
/// - A, Tuesday 3 November 08:45-09:15, full (INC-1 on `shop`);
/// - inside A, 09:00-09:10, full, on INC-4 whose `service` is `other`
///   and whose `affected_cis` name `shop`: merged into A;
/// - degraded 09:00-09:30 the same day (INC-3): 09:15-09:30 is outside A;
/// - B, Tuesday 10 November 15:30-17:00, full (INC-2);
/// - CHG-1 (closed) on `shop-db`, window 16:40-17:30: 20 minutes of B
///   are planned maintenance;
/// - CHG-2 (assess, not approved), window over all of A: not maintenance.
fn records(target: &str, hours: &str) -> Vec<Record> {
    let inc = |id: &str, rest: &str| {
        record(
            Kind::Incident,
            &format!(
                "id: {id}\ntitle: {id}\nreported_by: user@example.com\nstatus: closed\n\
                 impact: high\nurgency: high\ncreated_at: 2026-11-01T00:00:00Z\n{rest}"
            ),
        )
    };
    vec![
        record(
            Kind::Ci,
            &format!(
                "id: shop\nname: Shop\nclass: service\nstatus: active\n\
                 availability_target: \"{target}\"\n{hours}\
                 relations: {{ depends_on: [shop-db] }}"
            ),
        ),
        record(
            Kind::Ci,
            "id: shop-db\nname: Shop DB\nclass: database\nstatus: active",
        ),
        record(
            Kind::Ci,
            "id: other\nname: Other\nclass: service\nstatus: active",
        ),
        inc(
            "INC-1",
            "service: shop\noutage: [{ start: 2026-11-03T08:45:00Z, end: 2026-11-03T09:15:00Z }]",
        ),
        inc(
            "INC-2",
            "service: shop\noutage: [{ start: 2026-11-10T15:30:00Z, end: 2026-11-10T17:00:00Z, scope: full }]",
        ),
        inc(
            "INC-3",
            "service: shop\noutage: [{ start: 2026-11-03T09:00:00Z, end: 2026-11-03T09:30:00Z, scope: degraded }]",
        ),
        inc(
            "INC-4",
            "service: other\naffected_cis: [shop]\n\
             outage: [{ start: 2026-11-03T09:00:00Z, end: 2026-11-03T09:10:00Z }]",
        ),
        record(
            Kind::Change,
            "id: CHG-1\ntitle: Patch\nstatus: closed\ncreated_at: 2026-11-01T00:00:00Z\n\
             requested_by: anna\ntype: normal\ncis: [shop-db]\n\
             window: { start: 2026-11-10T16:40:00Z, end: 2026-11-10T17:30:00Z }",
        ),
        record(
            Kind::Change,
            "id: CHG-2\ntitle: Not approved\nstatus: assess\ncreated_at: 2026-11-01T00:00:00Z\n\
             requested_by: anna\ntype: normal\ncis: [shop]\n\
             window: { start: 2026-11-03T08:00:00Z, end: 2026-11-03T10:00:00Z }",
        ),
    ]
}

/// The figures of `records` over `months`, each `(label, start, end)`,
/// the period running from the first's start to the last's end.
fn measure(records: &[Record], months: &[(&str, &str, &str)]) -> Vec<ServiceAvailability> {
    let owned: Vec<&Record> = records.iter().collect();
    let months: Vec<_> = months
        .iter()
        .map(|(label, from, to)| ((*label).to_owned(), t(from), t(to)))
        .collect();
    let windows = Windows {
        from: months[0].1,
        to: months[months.len() - 1].2,
        months: &months,
    };
    let config = config();
    let policy = crate::sla::Policy::new(&config).expect("calendars");
    services(&owned, &policy, &windows).expect("figures")
}

fn november(records: &[Record]) -> Vec<ServiceAvailability> {
    measure(
        records,
        &[("2026-11", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")],
    )
}

#[test]
fn two_outages_around_the_clock_with_maintenance_excluded() {
    let all = november(&records("99.9%", ""));
    let shop = all.iter().find(|s| s.service == "shop").expect("shop");
    let f = &shop.period;
    // 30 days x 1,440 minutes.
    assert_eq!(f.agreed, 43_200 * M);
    // A: 30 minutes; B: 90 minutes of which 16:40-17:00 (20) is planned.
    assert_eq!(f.downtime, (30 + 70) * M);
    assert_eq!(f.planned, 20 * M);
    // 09:15-09:30: the degraded part outside A.
    assert_eq!(f.degraded, 15 * M);
    assert_eq!(f.outages, 2);
    // (43,200 - 100) / 43,200 = 0.9976851... -> 99.7685 %.
    assert_eq!(f.availability, Some(99.7685));
    // MTBF 43,100 / 2 = 21,550 minutes; MTRS 100 / 2 = 50 minutes.
    assert_eq!(f.mtbf, Some(21_550 * M));
    assert_eq!(f.mtrs, Some(50 * M));
    assert_eq!(f.met, Some(false));
    assert_eq!(shop.target, Some(99.9));
    assert_eq!(shop.months.len(), 1);
    assert_eq!(&shop.months[0].figures, f);
    // Four outage entries name shop (A, its twin on INC-4, degraded, B).
    assert_eq!(shop.outages.len(), 4);
    // `other` has no target but an outage: listed, 10 minutes down.
    let other = all.iter().find(|s| s.service == "other").expect("other");
    assert_eq!(other.target, None);
    assert_eq!(other.period.downtime, 10 * M);
    assert_eq!(other.period.outages, 1);
    assert_eq!(other.period.met, None);
}

#[test]
fn the_same_outages_on_business_hours() {
    let all = november(&records("99.0%", "service_hours: office\n"));
    let shop = all.iter().find(|s| s.service == "shop").expect("shop");
    let f = &shop.period;
    // 21 weekdays x 8 hours = 168 hours = 10,080 minutes.
    assert_eq!(f.agreed, 10_080 * M);
    // A: only 09:00-09:15 is in service hours (15); B: 15:30-16:40 (70)
    // unplanned, 16:40-17:00 planned (the window's 17:00-17:30 is after
    // hours and after B).
    assert_eq!(f.downtime, (15 + 70) * M);
    assert_eq!(f.planned, 20 * M);
    assert_eq!(f.degraded, 15 * M);
    assert_eq!(f.outages, 2);
    // (10,080 - 85) / 10,080 = 9,995 / 10,080 = 0.99156746... -> 99.1567 %.
    assert_eq!(f.availability, Some(99.1567));
    // MTBF 9,995 / 2 = 4,997.5 minutes = 299,850 s; MTRS 85 / 2 = 42.5
    // minutes = 2,550 s.
    assert_eq!(f.mtbf, Some(299_850));
    assert_eq!(f.mtrs, Some(2_550));
    assert_eq!(f.met, Some(true));
    assert_eq!(shop.service_hours.as_deref(), Some("office"));
}

#[test]
fn an_outage_only_outside_service_hours_is_no_outage() {
    // Saturday 7 November, 10:00-11:00: no service hours then.
    let mut all = records("99.0%", "service_hours: office\n");
    all.push(record(
        Kind::Incident,
        "id: INC-9\ntitle: Weekend\nreported_by: user@example.com\nstatus: closed\n\
         impact: low\nurgency: low\ncreated_at: 2026-11-07T10:00:00Z\nservice: shop\n\
         outage: [{ start: 2026-11-07T10:00:00Z, end: 2026-11-07T11:00:00Z }]",
    ));
    let figures = november(&all);
    let shop = figures.iter().find(|s| s.service == "shop").expect("shop");
    assert_eq!(shop.period.outages, 2);
    assert_eq!(shop.period.downtime, 85 * M);
}

#[test]
fn an_open_outage_lasts_to_the_end_of_the_window_and_splits_across_months() {
    let records = [
        record(
            Kind::Ci,
            "id: shop\nname: Shop\nclass: service\nstatus: active\navailability_target: 99.5%",
        ),
        // Down from 31 October 23:00 and not restored.
        record(
            Kind::Incident,
            "id: INC-1\ntitle: Down\nreported_by: user@example.com\nstatus: in_progress\n\
             assignee: anna\nimpact: high\nurgency: high\ncreated_at: 2026-10-31T23:00:00Z\n\
             service: shop\noutage: [{ start: 2026-10-31T23:00:00Z }]",
        ),
    ];
    // The period: 31 October 00:00 to 1 November 02:00, as of its end.
    let all = measure(
        &records,
        &[
            ("2026-10", "2026-10-31T00:00:00Z", "2026-11-01T00:00:00Z"),
            ("2026-11", "2026-11-01T00:00:00Z", "2026-11-01T02:00:00Z"),
        ],
    );
    let shop = &all[0];
    // The period: 26 hours, 3 of them down, one outage.
    assert_eq!(shop.period.agreed, 26 * 60 * M);
    assert_eq!(shop.period.downtime, 3 * 60 * M);
    assert_eq!(shop.period.outages, 1);
    // October: 1 hour of 24; November: 2 hours of 2 (0 %).
    assert_eq!(shop.months[0].figures.downtime, 60 * M);
    assert_eq!(shop.months[0].figures.outages, 1);
    assert_eq!(shop.months[1].figures.downtime, 120 * M);
    assert_eq!(shop.months[1].figures.availability, Some(0.0));
    assert_eq!(shop.months[1].figures.mtbf, Some(0));
    assert_eq!(shop.outages[0].end, None);
}

#[test]
fn targets_are_percentages() {
    assert_eq!(parse_target("99.9%"), Some(99.9));
    assert_eq!(parse_target("100%"), Some(100.0));
    assert_eq!(parse_target("98%"), Some(98.0));
    for bad in [
        "99.9", "%", "101%", "99,9%", ".5%", "9.%", "-1%", "99.9 %", "abc%",
    ] {
        assert_eq!(parse_target(bad), None, "{bad}");
    }
}

#[test]
fn attack_a_change_recorded_after_an_outage_cannot_make_it_planned() {
    // The records of the first test, plus CHG-3: a standard change (no
    // approval needed) in `closed` on `shop`, with a window over all of A
    // (3 November 08:00) and of B (to 10 November 17:00), recorded at
    // `created_at`: shop's figures for November.
    let with_chg3 = |created_at: &str| {
        let mut all = records("99.9%", "");
        all.push(record(
            Kind::Change,
            &format!(
                "id: CHG-3\ntitle: Covering up\nstatus: closed\ncreated_at: {created_at}\n\
                 requested_by: anna\ntype: standard\ncis: [shop]\n\
                 window: {{ start: 2026-11-03T08:00:00Z, end: 2026-11-10T17:00:00Z }}"
            ),
        ));
        let figures = november(&all);
        figures
            .into_iter()
            .find(|s| s.service == "shop")
            .expect("shop")
            .period
    };
    // Recorded on 10 November at 15:00, a week after A: it did not plan
    // A, which stays 30 minutes of downtime; all of B (15:30-17:00, 90)
    // is inside its window from 15:00 on.
    let f = with_chg3("2026-11-10T15:00:00Z");
    assert_eq!(f.downtime, 30 * M);
    assert_eq!(f.planned, 90 * M);
    assert_eq!(f.outages, 1);
    // Recorded at 16:00, once B had begun: only B's 16:00-17:00 is
    // planned; 15:30-16:00 stays downtime (30 + 30).
    let f = with_chg3("2026-11-10T16:00:00Z");
    assert_eq!(f.downtime, 60 * M);
    assert_eq!(f.planned, 60 * M);
    assert_eq!(f.outages, 2);
}
