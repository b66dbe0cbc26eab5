//! The clocks on hand-computed timelines, and their properties: a clock
//! never runs backwards, and a pause never adds time.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use super::*;
use crate::config;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("timestamp").to_utc()
}

fn h(hours: i64) -> Duration {
    Duration::hours(hours)
}

#[test]
fn pauses_merge_and_clip() {
    let held = vec![
        (t("2026-11-20T10:00:00Z"), Some(t("2026-11-20T12:00:00Z"))),
        (t("2026-11-20T11:00:00Z"), None),
        (t("2026-11-19T10:00:00Z"), Some(t("2026-11-19T11:00:00Z"))),
    ];
    assert_eq!(
        merge_pauses(&held, t("2026-11-20T00:00:00Z"), t("2026-11-20T15:00:00Z")),
        vec![(t("2026-11-20T10:00:00Z"), t("2026-11-20T15:00:00Z"))]
    );
}

/// A clock started at 09:00 and read at 17:00, held 10:00-11:00 and from
/// 12:00 until after the reading: it runs 09:00-10:00 and 11:00-12:00; a
/// pause that ends before the start or begins at it leaves nothing out
/// before the first stretch.
#[test]
fn a_clock_runs_between_its_pauses() {
    let day = |hour: u32| t(&format!("2026-11-20T{hour:02}:00:00Z"));
    let held = merge_pauses(
        &[
            (day(10), Some(day(11))),
            (day(12), None),
            (day(7), Some(day(8))),
        ],
        day(9),
        day(17),
    );
    assert_eq!(
        running(day(9), day(17), &held).collect::<Vec<_>>(),
        [(day(9), day(10)), (day(11), day(12))]
    );
    let held = merge_pauses(&[(day(9), Some(day(10)))], day(9), day(17));
    assert_eq!(
        running(day(9), day(17), &held).collect::<Vec<_>>(),
        [(day(10), day(17))]
    );
    assert_eq!(
        running(day(9), day(17), &[]).collect::<Vec<_>>(),
        [(day(9), day(17))]
    );
    assert_eq!(running(day(9), day(9), &[]).count(), 0);
}

proptest! {
    /// The stretches a clock runs are what is left of its span once its
    /// pauses (as `merge_pauses` gives them) are taken out.
    #[test]
    fn running_stretches_are_the_span_less_its_pauses(
        start in 0i64..48,
        len in 0i64..48,
        pauses in proptest::collection::vec((0i64..100, 0i64..24, any::<bool>()), 0..6),
    ) {
        let at = |hours: i64| t("2026-11-20T00:00:00Z") + h(hours);
        let (start, end) = (at(start), at(start + len));
        let pauses: Vec<_> = pauses
            .iter()
            .map(|&(s, l, open)| (at(s), (!open).then(|| at(s + l))))
            .collect();
        let held = merge_pauses(&pauses, start, end);
        prop_assert_eq!(
            running(start, end, &held).collect::<Vec<_>>(),
            crate::calendar::subtract(&[(start, end)], &held)
        );
    }
}

/// Read a 24x7 clock started at 10:00 on 2026-03-02, at-risk share 0.75.
fn around_the_clock(
    target: i64,
    stop: Option<&str>,
    pauses: &[(&str, Option<&str>)],
    at: &str,
) -> Reading {
    let pauses: Vec<_> = pauses.iter().map(|(s, e)| (t(s), e.map(t))).collect();
    read(
        &BusinessCalendar::always(),
        h(target),
        t("2026-03-02T10:00:00Z"),
        stop.map(t),
        &pauses,
        t(at),
        0.75,
    )
}

#[test]
fn running_clock_at_the_risk_threshold() {
    // 10:00 to 13:00 of a 4h target: 3h elapsed = 75% -> at_risk; due 14:00.
    let r = around_the_clock(4, None, &[], "2026-03-02T13:00:00Z");
    assert_eq!(r.elapsed, h(3));
    assert_eq!(r.remaining, h(1));
    assert_eq!(r.due, Some(t("2026-03-02T14:00:00Z")));
    assert_eq!(r.state, ClockState::AtRisk);
    // One minute less is 74.6%: ok.
    let r = around_the_clock(4, None, &[], "2026-03-02T12:59:00Z");
    assert_eq!(r.state, ClockState::Ok);
}

#[test]
fn breached_only_past_the_target() {
    // Exactly 4h of 4h is not past it; 4h01m is.
    let r = around_the_clock(4, None, &[], "2026-03-02T14:00:00Z");
    assert_eq!(r.state, ClockState::AtRisk);
    let r = around_the_clock(4, None, &[], "2026-03-02T14:01:00Z");
    assert_eq!(r.state, ClockState::Breached);
    assert_eq!(r.remaining, Duration::minutes(-1));
}

#[test]
fn a_closed_pause_moves_the_due_time() {
    // 10:00-13:00 with 11:00-12:00 held: 2h elapsed; due 14:00 + 1h = 15:00.
    let r = around_the_clock(
        4,
        None,
        &[("2026-03-02T11:00:00Z", Some("2026-03-02T12:00:00Z"))],
        "2026-03-02T13:00:00Z",
    );
    assert_eq!(r.elapsed, h(2));
    assert_eq!(r.due, Some(t("2026-03-02T15:00:00Z")));
    assert!(!r.paused);
}

#[test]
fn an_open_pause_holds_the_clock_until_the_reading() {
    // Held since 12:00, read at 15:00: 2h elapsed (10-12); due as if it
    // resumed at 15:00: 15:00 + 2h = 17:00.
    let r = around_the_clock(
        4,
        None,
        &[("2026-03-02T12:00:00Z", None)],
        "2026-03-02T15:00:00Z",
    );
    assert_eq!(r.elapsed, h(2));
    assert!(r.paused);
    assert_eq!(r.due, Some(t("2026-03-02T17:00:00Z")));
}

#[test]
fn stopped_clocks_are_met_or_missed() {
    // Stopped at 11:00 (1h of 4h), read later: met, and stays 1h.
    let r = around_the_clock(4, Some("2026-03-02T11:00:00Z"), &[], "2026-03-03T09:00:00Z");
    assert_eq!(
        (r.elapsed, r.stopped, r.state),
        (h(1), true, ClockState::Met)
    );
    // Stopped at 15:00: 5h of 4h, missed.
    let r = around_the_clock(4, Some("2026-03-02T15:00:00Z"), &[], "2026-03-03T09:00:00Z");
    assert_eq!(r.state, ClockState::Missed);
    assert_eq!(r.due, Some(t("2026-03-02T14:00:00Z")));
    // Read before it stopped, it was still running: 11:00 -> 1h, ok.
    let r = around_the_clock(4, Some("2026-03-02T15:00:00Z"), &[], "2026-03-02T11:00:00Z");
    assert_eq!(
        (r.elapsed, r.stopped, r.state),
        (h(1), false, ClockState::Ok)
    );
}

#[test]
fn before_creation_nothing_has_elapsed() {
    let r = around_the_clock(4, None, &[], "2026-03-01T10:00:00Z");
    assert_eq!(r.elapsed, Duration::zero());
    assert_eq!(r.due, Some(t("2026-03-02T14:00:00Z")));
}

#[test]
fn business_hours_and_a_night_on_hold() {
    // Office Mon-Fri 09:00-18:00 UTC, 8h target. Created Mon 16:00, on hold
    // Mon 17:00 to Tue 10:00, read Tue 12:00: 16-17 Mon (1h) + 10-12 Tue (2h)
    // = 3h. Due: 5h left from Tue 12:00 -> 17:00.
    let cal = BusinessCalendar::new(&config::Calendar::default()).expect("calendar");
    let r = read(
        &cal,
        h(8),
        t("2026-03-02T16:00:00Z"),
        None,
        &[(t("2026-03-02T17:00:00Z"), Some(t("2026-03-03T10:00:00Z")))],
        t("2026-03-03T12:00:00Z"),
        0.75,
    );
    assert_eq!(r.elapsed, h(3));
    assert_eq!(r.due, Some(t("2026-03-03T17:00:00Z")));
}

#[test]
fn breached_once_the_due_time_has_passed_on_a_business_calendar() {
    // P3, 27 working hours on Mon-Fri 09:00-18:00 Europe/Berlin (UTC+1
    // in November). Opened Thursday 2026-11-19 09:00: Thu 9h + Fri 9h +
    // Mon 9h, due Monday 2026-11-23 18:00 (17:00Z). No working time
    // passes after 18:00, but the due time has.
    let berlin = config::Calendar {
        timezone: "Europe/Berlin".into(),
        ..config::Calendar::default()
    };
    let cal = BusinessCalendar::new(&berlin).expect("calendar");
    let p3 = |created: &str, at: &str| read(&cal, h(27), t(created), None, &[], t(at), 0.75);
    let r = p3("2026-11-19T08:00:00Z", "2026-11-23T16:59:00Z");
    assert_eq!(
        (r.state, r.remaining),
        (ClockState::AtRisk, Duration::minutes(1))
    );
    assert_eq!(r.due, Some(t("2026-11-23T17:00:00Z")));
    for at in ["2026-11-23T17:30:00Z", "2026-11-23T22:00:00Z"] {
        let r = p3("2026-11-19T08:00:00Z", at);
        assert_eq!(r.state, ClockState::Breached, "at {at}");
        assert_eq!(r.elapsed, h(27));
        assert_eq!(r.remaining, Duration::zero());
    }
    // Opened Wednesday 2026-11-25 09:00: due Friday 18:00, and breached
    // all Saturday though not a minute more has been worked.
    let r = p3("2026-11-25T08:00:00Z", "2026-11-28T11:00:00Z");
    assert_eq!(r.due, Some(t("2026-11-27T17:00:00Z")));
    assert_eq!((r.state, r.elapsed), (ClockState::Breached, h(27)));
}

/// `record` moved to `status` (no other field changed).
fn with_status(record: Record, status: &str) -> Record {
    let mut json = record.to_json();
    json["status"] = status.into();
    Record::from_json(Kind::Incident, json).expect("incident")
}

fn incident(extra: &str) -> Record {
    let yaml = format!(
        "id: INC-0001\ntitle: t\nstatus: in_progress\ncreated_at: 2026-03-02T10:00:00Z\n\
             reported_by: a@example.com\nimpact: high\nurgency: high\n{extra}"
    );
    let value: serde_json::Value = serde_yaml::from_str(&yaml).expect("yaml");
    Record::from_json(Kind::Incident, value).expect("incident")
}

#[test]
fn a_reopened_ticket_resumes_its_resolution_clock() {
    // Back in progress with the old resolved_at: the clock runs on.
    let r = incident("resolved_at: 2026-03-02T11:00:00Z\n");
    let tl = Timeline::from_record(&r).expect("timeline");
    assert_eq!(tl.resolved, End::Open);
    let config = Config::default();
    let policy = Policy::new(&config).expect("policy");
    let at = DateTime::parse_from_rfc3339("2026-03-02T13:00:00Z").expect("at");
    let clocks = policy
        .clocks(&r, &tl, None, at)
        .expect("ok")
        .expect("clocks");
    // P1 24x7: 3h of the 4h resolution target; response never acknowledged:
    // 3h of 15m, breached.
    let res = clocks.resolution.as_ref().expect("resolution");
    assert_eq!(res.reading.elapsed, h(3));
    assert_eq!(res.reading.state, ClockState::AtRisk);
    assert_eq!(clocks.response.reading.state, ClockState::Breached);
    assert_eq!(clocks.state(), ClockState::Breached);
    assert!(clocks.is_open());
}

#[test]
fn resolved_without_a_time_has_no_resolution_clock() {
    let r = with_status(incident(""), "resolved");
    let tl = Timeline::from_record(&r).expect("timeline");
    assert_eq!(tl.resolved, End::Unknown);
    let config = Config::default();
    let policy = Policy::new(&config).expect("policy");
    let at = DateTime::parse_from_rfc3339("2026-03-02T13:00:00Z").expect("at");
    let clocks = policy
        .clocks(&r, &tl, None, at)
        .expect("ok")
        .expect("clocks");
    assert!(clocks.resolution.is_none());
    assert!(!clocks.is_open());
}

#[test]
fn symptom_policy_overrides_its_clock_for_the_service_class() {
    let mut config = Config::default();
    config.symptom_policy = Some(config::SymptomPolicy {
        clock: Clock::Resolution,
        calendar: None,
        targets: BTreeMap::from([(
            "system_crash".into(),
            BTreeMap::from([("2".into(), duration::Duration::minutes(15))]),
        )]),
    });
    let policy = Policy::new(&config).expect("policy");
    let r = incident("symptom: system_crash\n");
    let [response, resolution] = policy.targets(&r, Some(2)).expect("targets");
    assert_eq!(response.basis, Basis::Priority(Priority::P1));
    assert_eq!(resolution.duration, duration::Duration::minutes(15));
    // No class known (or none listed for it): the priority's target.
    let [_, resolution] = policy.targets(&r, None).expect("targets");
    assert_eq!(resolution.duration, duration::Duration::hours(4));
    let [_, resolution] = policy.targets(&r, Some(3)).expect("targets");
    assert_eq!(resolution.basis, Basis::Priority(Priority::P1));
}

#[test]
fn cancelled_tickets_have_no_clocks() {
    let r = with_status(incident("cancel_reason: dup\n"), "cancelled");
    let config = Config::default();
    let policy = Policy::new(&config).expect("policy");
    let tl = Timeline::from_record(&r).expect("timeline");
    let at = DateTime::parse_from_rfc3339("2026-03-02T13:00:00Z").expect("at");
    assert_eq!(policy.clocks(&r, &tl, None, at), Ok(None));
}

/// Calendars the properties run on: 24x7, an office in Berlin, a
/// two-span day with weekend hours and holidays in New York.
fn calendars() -> Vec<BusinessCalendar> {
    let berlin = config::Calendar {
        timezone: "Europe/Berlin".into(),
        ..config::Calendar::default()
    };
    let day = Some("08:00-12:00,13:00-17:30".to_owned());
    let new_york = config::Calendar {
        timezone: "America/New_York".into(),
        hours: config::WeekHours {
            mon: day.clone(),
            tue: day.clone(),
            wed: day.clone(),
            thu: day.clone(),
            fri: day,
            sat: Some("10:00-14:00".into()),
            sun: None,
        },
        holidays: vec!["2026-03-09".parse().expect("date")],
    };
    vec![
        BusinessCalendar::always(),
        BusinessCalendar::new(&berlin).expect("berlin"),
        BusinessCalendar::new(&new_york).expect("new york"),
    ]
}

/// Minutes from 2026-03-01 00:00Z (around both 2026 spring-forwards).
fn minute(m: i64) -> DateTime<Utc> {
    t("2026-03-01T00:00:00Z") + Duration::minutes(m)
}

const SPAN: i64 = 40 * 24 * 60;

fn pauses() -> impl Strategy<Value = Vec<(i64, Option<i64>)>> {
    prop::collection::vec((0..SPAN, prop::option::of(0..3 * 24 * 60i64)), 0..4)
}

fn to_pauses(p: &[(i64, Option<i64>)]) -> Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    p.iter()
        .map(|&(s, len)| (minute(s), len.map(|l| minute(s + l))))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn elapsed_never_decreases_as_time_advances(
        cal in 0..3usize,
        start in 0..SPAN,
        stop in prop::option::of(0..SPAN),
        pauses in pauses(),
        at in 0..SPAN,
        later in 0..SPAN,
    ) {
        let cal = &calendars()[cal];
        let pauses = to_pauses(&pauses);
        let stop = stop.map(|s| minute(start.max(s)));
        let read_at = |at| read(cal, h(27), minute(start), stop, &pauses, minute(at), 0.75);
        let (a, b) = (read_at(at.min(later)), read_at(at.max(later)));
        prop_assert!(a.elapsed <= b.elapsed, "{:?} then {:?}", a.elapsed, b.elapsed);
    }

    #[test]
    fn a_pause_never_adds_time(
        cal in 0..3usize,
        start in 0..SPAN,
        stop in prop::option::of(0..SPAN),
        pauses in pauses(),
        extra in (0..SPAN, prop::option::of(0..3 * 24 * 60i64)),
        at in 0..SPAN,
    ) {
        let cal = &calendars()[cal];
        let stop = stop.map(|s| minute(start.max(s)));
        let before = to_pauses(&pauses);
        let mut after = before.clone();
        after.extend(to_pauses(&[extra]));
        let a = read(cal, h(27), minute(start), stop, &before, minute(at), 0.75);
        let b = read(cal, h(27), minute(start), stop, &after, minute(at), 0.75);
        prop_assert!(b.elapsed <= a.elapsed, "{:?} with the pause, {:?} without", b.elapsed, a.elapsed);
    }

    #[test]
    fn the_report_and_sla_read_the_same_clock(
        cal in 0..3usize,
        start in 0..SPAN,
        stop in prop::option::of(0..SPAN),
        pauses in pauses(),
        at in 0..SPAN,
        target in 1..48 * 60i64,
    ) {
        // `sla`, `show` and the site read clocks with `read`; the report
        // judges them with `report::clock::judge`: at every instant both
        // say the same of whether the clock is met, missed or undecided.
        use crate::report::clock::{Outcome, judge};
        let cal = &calendars()[cal];
        let pauses = to_pauses(&pauses);
        let target = Duration::minutes(target);
        let (start, at) = (minute(start), minute(at));
        let stop = stop.map(|s| minute(s).max(start));
        let reading = read(cal, target, start, stop, &pauses, at, 0.75);
        let outcome = judge(cal, target, start, stop, &pauses, at);
        let agree = match outcome {
            Outcome::Met { .. } => reading.state == ClockState::Met,
            Outcome::Missed { stopped: Some(_), .. } => reading.state == ClockState::Missed,
            Outcome::Missed { stopped: None, .. } => reading.state == ClockState::Breached,
            Outcome::Pending => matches!(reading.state, ClockState::Ok | ClockState::AtRisk),
        };
        prop_assert!(agree, "report {:?}, sla {:?}", outcome, reading);
        // And the same figures: the working time a stopped clock
        // counted, and when a missed target ran out.
        match outcome {
            Outcome::Met { elapsed, .. } => {
                prop_assert_eq!(reading.elapsed, elapsed, "report {:?}, sla {:?}", outcome, reading);
            }
            Outcome::Missed { due, stopped } => {
                prop_assert_eq!(reading.due, Some(due), "report {:?}, sla {:?}", outcome, reading);
                if let Some((_, elapsed)) = stopped {
                    prop_assert_eq!(reading.elapsed, elapsed, "report {:?}, sla {:?}", outcome, reading);
                }
            }
            Outcome::Pending => {}
        }
    }

    #[test]
    fn the_due_time_uses_up_the_target(
        cal in 0..3usize,
        start in 0..SPAN,
        target in 0..60 * 60i64,
    ) {
        let cal = &calendars()[cal];
        let target = Duration::minutes(target);
        let due = cal.add_working_time(minute(start), target).expect("due");
        prop_assert_eq!(cal.working_time(minute(start), due), target);
    }
}
