//! The change calendar: a month grid per month with the changes that start
//! on each day and the freeze windows shaded, and per month a table of the
//! changes with their windows and any freeze they fall into. Routine
//! maintenance of the coming months that has no change yet is shown as
//! planned ([`crate::maintenance::plan`]).

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use crate::kind::Kind;
use crate::model::Record;

use super::data::SiteData;
use super::{fmt_time, paths};

/// Most changes listed in one day's cell; the table below lists them all.
const PER_DAY: usize = 4;
/// Column heads of the grid, Monday first.
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
/// Months shown when every month between the first and the last is shown.
const MAX_SPAN: usize = 24;
/// How far ahead of the site's time planned maintenance is shown: three
/// months.
const PLANNED_DAYS: i64 = 92;

/// An occurrence of a maintenance schedule that has no change yet.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Planned {
    pub schedule: String,
    pub template: String,
    pub start: String,
    pub end: String,
    pub cis: Vec<String>,
    /// The freeze it falls in, which does not allow standard changes:
    /// `gitsm schedule` skips it.
    pub freeze: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct FreezeView {
    pub name: String,
    pub start: String,
    pub end: String,
    pub allow: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Chip {
    pub id: String,
    pub href: String,
    pub change_type: &'static str,
    pub status: String,
    pub conflict: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Day {
    /// Day of the month; `None` for padding before the 1st and after the last.
    pub day: Option<u32>,
    /// `Mon` to `Sun`; empty for padding.
    pub weekday: &'static str,
    pub freeze: Vec<String>,
    pub changes: Vec<Chip>,
    pub more: usize,
    /// Schedules with planned maintenance starting that day.
    pub planned: Vec<String>,
    pub today: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Entry {
    pub id: String,
    pub href: String,
    pub title: String,
    pub change_type: &'static str,
    pub risk: Option<&'static str>,
    pub status: String,
    pub start: String,
    pub end: String,
    pub cis: Vec<String>,
    /// Freeze windows its type may not use that it overlaps.
    pub conflicts: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Month {
    pub label: String,
    pub weeks: Vec<Vec<Day>>,
    /// The days on which a change starts, and today: the month as an
    /// agenda, which narrow screens show instead of the grid.
    pub agenda: Vec<Day>,
    pub changes: Vec<Entry>,
    /// Planned maintenance starting this month, without a change yet.
    pub planned: Vec<Planned>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CalendarView {
    pub freezes: Vec<FreezeView>,
    pub months: Vec<Month>,
    /// Changes without a window.
    pub unscheduled: usize,
}

pub(crate) fn view(data: &SiteData<'_>) -> CalendarView {
    let freezes = &data.config.freeze_windows;
    let mut by_month: BTreeMap<(i32, u32), Vec<(NaiveDate, Entry)>> = BTreeMap::new();
    let mut unscheduled = 0;
    for r in data.of_kind(Kind::Change) {
        let Record::Change(c) = r else { continue };
        let Some(w) = &c.window else {
            unscheduled += 1;
            continue;
        };
        let conflicts = freezes
            .iter()
            .filter(|f| f.forbids(c.change_type, w.start, w.end))
            .map(|f| f.name.clone())
            .collect();
        let day = w.start.date_naive();
        by_month
            .entry((day.year(), day.month()))
            .or_default()
            .push((
                day,
                Entry {
                    id: c.id.clone(),
                    href: paths::record(Kind::Change, &c.id),
                    title: c.title.clone(),
                    change_type: c.change_type.name(),
                    risk: c.risk.map(|l| l.name()),
                    status: c.status.clone(),
                    start: fmt_time(&w.start),
                    end: fmt_time(&w.end),
                    cis: c.cis.clone(),
                    conflicts,
                },
            ));
    }
    let mut planned: BTreeMap<(i32, u32), Vec<(NaiveDate, Planned)>> = BTreeMap::new();
    let changes: Vec<&crate::model::Change> = data
        .of_kind(Kind::Change)
        .filter_map(|r| match r {
            Record::Change(c) => Some(c),
            _ => None,
        })
        .collect();
    let plan = crate::maintenance::plan(
        data.config,
        &changes,
        data.at,
        data.at + Duration::days(PLANNED_DAYS),
    );
    let frozen = plan.frozen.into_iter().map(|(o, f)| (o, Some(f)));
    for (o, freeze) in plan.due.into_iter().map(|o| (o, None)).chain(frozen) {
        let day = o.start.date_naive();
        let cis = o.cis(data.config).to_vec();
        planned.entry((day.year(), day.month())).or_default().push((
            day,
            Planned {
                start: fmt_time(&o.start),
                end: fmt_time(&o.end),
                schedule: o.schedule,
                template: o.template,
                cis,
                freeze,
            },
        ));
    }
    let mut keys: Vec<(i32, u32)> = by_month.keys().chain(planned.keys()).copied().collect();
    for f in freezes {
        let mut d = f
            .start
            .date_naive()
            .with_day(1)
            .unwrap_or(f.start.date_naive());
        while d <= f.end.date_naive() {
            keys.push((d.year(), d.month()));
            d = d
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(f.end.date_naive() + Duration::days(1));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    // Fill the gaps between months with content unless that is too many.
    if let (Some(first), Some(last)) = (keys.first().copied(), keys.last().copied()) {
        let span = (last.0 - first.0) * 12 + last.1 as i32 - first.1 as i32 + 1;
        if usize::try_from(span).unwrap_or(usize::MAX) <= MAX_SPAN {
            keys = (0..span)
                .map(|i| {
                    let m = first.0 * 12 + first.1 as i32 - 1 + i;
                    (m.div_euclid(12), m.rem_euclid(12) as u32 + 1)
                })
                .collect();
        }
    }
    let today = data.at.date_naive();
    let months = keys
        .into_iter()
        .filter_map(|(y, m)| {
            let mut entries = by_month.remove(&(y, m)).unwrap_or_default();
            entries.sort_by(|a, b| (a.0, &a.1.start, &a.1.id).cmp(&(b.0, &b.1.start, &b.1.id)));
            let mut planned = planned.remove(&(y, m)).unwrap_or_default();
            planned.sort_by(|a, b| (a.0, &a.1.start).cmp(&(b.0, &b.1.start)));
            month(y, m, &entries, &planned, data, today)
        })
        .collect();
    CalendarView {
        freezes: freezes
            .iter()
            .map(|f| FreezeView {
                name: f.name.clone(),
                start: fmt_time(&f.start),
                end: fmt_time(&f.end),
                allow: f
                    .allow
                    .iter()
                    .map(|t| t.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        months,
        unscheduled,
    }
}

fn month(
    y: i32,
    m: u32,
    entries: &[(NaiveDate, Entry)],
    planned: &[(NaiveDate, Planned)],
    data: &SiteData<'_>,
    today: NaiveDate,
) -> Option<Month> {
    let first = NaiveDate::from_ymd_opt(y, m, 1)?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    let pad = first.weekday().num_days_from_monday() as usize;
    let mut days: Vec<Day> = (0..pad).map(|_| blank()).collect();
    let mut d = first;
    while d < next {
        let start = d.and_hms_opt(0, 0, 0)?;
        let end = start + Duration::days(1);
        let freeze = data
            .config
            .freeze_windows
            .iter()
            .filter(|f| f.start.naive_local() < end && start < f.end.naive_local())
            .map(|f| f.name.clone())
            .collect();
        let on_day: Vec<&Entry> = entries
            .iter()
            .filter(|(day, _)| *day == d)
            .map(|(_, e)| e)
            .collect();
        days.push(Day {
            day: Some(d.day()),
            weekday: WEEKDAYS[d.weekday().num_days_from_monday() as usize],
            freeze,
            changes: on_day
                .iter()
                .take(PER_DAY)
                .map(|e| Chip {
                    id: e.id.clone(),
                    href: e.href.clone(),
                    change_type: e.change_type,
                    status: e.status.clone(),
                    conflict: !e.conflicts.is_empty(),
                })
                .collect(),
            more: on_day.len().saturating_sub(PER_DAY),
            planned: planned
                .iter()
                .filter(|(day, _)| *day == d)
                .map(|(_, p)| p.schedule.clone())
                .collect(),
            today: d == today,
        });
        d += Duration::days(1);
    }
    while !days.len().is_multiple_of(7) {
        days.push(blank());
    }
    let agenda = days
        .iter()
        .filter(|d| !d.changes.is_empty() || !d.planned.is_empty() || d.today)
        .cloned()
        .collect();
    Some(Month {
        label: first.format("%B %Y").to_string(),
        weeks: days.chunks(7).map(<[Day]>::to_vec).collect(),
        agenda,
        changes: entries.iter().map(|(_, e)| e.clone()).collect(),
        planned: planned.iter().map(|(_, p)| p.clone()).collect(),
    })
}

fn blank() -> Day {
    Day {
        day: None,
        weekday: "",
        freeze: Vec::new(),
        changes: Vec::new(),
        more: 0,
        planned: Vec::new(),
        today: false,
    }
}
