//! Routine maintenance: the occurrences of the `maintenance:` schedules of
//! `gitsm.yaml`, which of them have a change, which fall in a freeze, and
//! which were missed. The one definition `gitsm schedule`, `validate`,
//! the report and the site's calendar read; creating the changes is
//! [`crate::create::scheduled`]'s.
//!
//! A schedule recurs by an iCalendar RRULE (expanded by the `rrule` crate)
//! from a local start in an IANA zone: an occurrence keeps its local time
//! of day across a daylight-saving change, so its UTC offset changes.

use std::str::FromStr;

use chrono::{NaiveDateTime, TimeZone};

use crate::config::{Config, FreezeWindow, MaintenanceSchedule};
use crate::model::{Change, ChangeType, Timestamp};

/// How many occurrences one expansion yields at most (a daily schedule
/// over five years); the rest are not looked at.
const LIMIT: u16 = 2000;

/// How far ahead `gitsm schedule` creates changes without `--until`: a
/// month and a day, so a monthly run never leaves a gap.
pub const HORIZON_DAYS: i64 = 31;

/// Change states in which an occurrence counts as carried out.
const DONE: &[&str] = &["implement", "review", "closed"];

/// One occurrence of a schedule: its maintenance window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Occurrence {
    /// The schedule's name.
    pub schedule: String,
    /// The standard-change template it is carried out with.
    pub template: String,
    /// When the window opens (in the schedule's zone's offset of that day).
    pub start: Timestamp,
    /// When it closes: `start` plus the schedule's duration.
    pub end: Timestamp,
    /// The schedule's IANA zone.
    pub timezone: String,
}

impl Occurrence {
    /// The CIs its schedule names in `config` (none when the schedule is
    /// gone from it).
    pub fn cis<'c>(&self, config: &'c Config) -> &'c [String] {
        config
            .maintenance
            .iter()
            .find(|s| s.name == self.schedule)
            .map_or(&[], |s| s.cis.as_slice())
    }
}

/// Why a schedule cannot be expanded (the config check reports it at the
/// schedule's key).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScheduleError {
    #[error("`{0}` is not an IANA time zone (e.g. Europe/Berlin)")]
    Zone(String),
    #[error("`{0}` is not a local date and time (write e.g. 2026-12-08T22:00)")]
    Start(String),
    #[error("{0} does not exist in {1} (a daylight-saving gap)")]
    Gap(String, String),
    #[error("invalid recurrence rule: {0}")]
    Rule(String),
}

/// The field of a schedule a [`ScheduleError`] is about.
impl ScheduleError {
    pub fn field(&self) -> &'static str {
        match self {
            ScheduleError::Zone(_) => "timezone",
            ScheduleError::Start(_) | ScheduleError::Gap(..) => "dtstart",
            ScheduleError::Rule(_) => "rrule",
        }
    }
}

/// A schedule compiled: its recurrence anchored at its first start.
pub struct Recurrence<'c> {
    schedule: &'c MaintenanceSchedule,
    zone: chrono_tz::Tz,
    set: rrule::RRuleSet,
}

impl<'c> Recurrence<'c> {
    /// Compile `schedule` (its zone defaulting to the organisation's).
    pub fn new(
        schedule: &'c MaintenanceSchedule,
        config: &Config,
    ) -> Result<Recurrence<'c>, ScheduleError> {
        let zone = match schedule.timezone.as_deref().or(config.timezone.as_deref()) {
            Some(z) => chrono_tz::Tz::from_str(z).map_err(|_| ScheduleError::Zone(z.to_owned()))?,
            None => chrono_tz::Tz::UTC,
        };
        let naive = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(&schedule.dtstart, f).ok())
            .ok_or_else(|| ScheduleError::Start(schedule.dtstart.clone()))?;
        let tz = rrule::Tz::Tz(zone);
        // In an overlap (the hour repeated in autumn) the earlier instant.
        let start = tz
            .from_local_datetime(&naive)
            .earliest()
            .ok_or_else(|| ScheduleError::Gap(schedule.dtstart.clone(), zone.to_string()))?;
        let rule = schedule
            .rrule
            .trim()
            .trim_start_matches("RRULE:")
            .parse::<rrule::RRule<rrule::Unvalidated>>()
            .map_err(|e| ScheduleError::Rule(e.to_string()))?;
        let set = rule
            .build(start)
            .map_err(|e| ScheduleError::Rule(e.to_string()))?;
        Ok(Recurrence {
            schedule,
            zone,
            set,
        })
    }

    /// The occurrences that start at or after `from` and before `until`.
    pub fn between(&self, from: Timestamp, until: Timestamp) -> Vec<Occurrence> {
        if until <= from {
            return Vec::new();
        }
        let tz = rrule::Tz::Tz(self.zone);
        let result = self
            .set
            .clone()
            .after(from.with_timezone(&tz))
            .before(until.with_timezone(&tz))
            .all(LIMIT);
        let duration = self.schedule.duration.to_chrono();
        result
            .dates
            .into_iter()
            .map(|d| d.fixed_offset())
            .filter(|d| *d >= from && *d < until)
            .map(|start| Occurrence {
                schedule: self.schedule.name.clone(),
                template: self.schedule.template.clone(),
                start,
                end: start + duration,
                timezone: self.zone.to_string(),
            })
            .collect()
    }
}

/// Every occurrence of every valid schedule starting in `from`..`until`,
/// in order of start.
pub fn occurrences(config: &Config, from: Timestamp, until: Timestamp) -> Vec<Occurrence> {
    let mut all: Vec<Occurrence> = config
        .maintenance
        .iter()
        .filter_map(|s| Recurrence::new(s, config).ok())
        .flat_map(|r| r.between(from, until))
        .collect();
    all.sort_by(|a, b| (a.start, &a.schedule).cmp(&(b.start, &b.schedule)));
    all
}

/// Whether `change` was created for `occurrence`.
pub fn carries_out(change: &Change, occurrence: &Occurrence) -> bool {
    change
        .schedule
        .as_ref()
        .is_some_and(|s| s.name == occurrence.schedule && s.occurrence == occurrence.start)
}

/// Whether `occurrence` was carried out: a change made for it has been
/// implemented (state `implement`, `review` or `closed`), or a change from
/// the schedule's template was implemented inside its window.
pub fn done(occurrence: &Occurrence, changes: &[&Change]) -> bool {
    changes.iter().any(|c| {
        let implemented = DONE.contains(&c.status.as_str());
        let linked = carries_out(c, occurrence);
        let in_window = c.template.as_deref() == Some(occurrence.template.as_str())
            && c.implemented_at
                .is_some_and(|t| t >= occurrence.start && t <= occurrence.end);
        implemented && (linked || in_window)
    })
}

/// The freeze that forbids standard changes during `occurrence`, if any:
/// such an occurrence is not created, nor missed.
fn freeze_over<'c>(config: &'c Config, occurrence: &Occurrence) -> Option<&'c FreezeWindow> {
    config
        .freeze_windows
        .iter()
        .find(|f| f.forbids(ChangeType::Standard, occurrence.start, occurrence.end))
}

/// What `gitsm schedule` finds for the occurrences of a period.
#[derive(Debug, Default)]
pub struct Plan {
    /// Occurrences without a change, to be created.
    pub due: Vec<Occurrence>,
    /// Occurrences that have their change already, with its id.
    pub existing: Vec<(Occurrence, String)>,
    /// Occurrences inside a freeze that does not allow standard changes,
    /// with the freeze's name: not created.
    pub frozen: Vec<(Occurrence, String)>,
}

/// Sort the occurrences starting in `from`..`until` into those that have
/// a change among `changes`, those a freeze forbids, and those due.
pub fn plan(config: &Config, changes: &[&Change], from: Timestamp, until: Timestamp) -> Plan {
    let mut plan = Plan::default();
    for o in occurrences(config, from, until) {
        if let Some(c) = changes.iter().find(|c| carries_out(c, &o)) {
            let id = c.id.clone();
            plan.existing.push((o, id));
        } else if let Some(f) = freeze_over(config, &o) {
            let name = f.name.clone();
            plan.frozen.push((o, name));
        } else {
            plan.due.push(o);
        }
    }
    plan
}

/// Occurrences whose window closed by `at` without being carried out
/// ([`done`]), from each schedule's first start; those inside a freeze
/// that forbids them are not missed.
pub fn missed(config: &Config, changes: &[&Change], at: Timestamp) -> Vec<Occurrence> {
    let mut out = Vec::new();
    for schedule in &config.maintenance {
        let Ok(r) = Recurrence::new(schedule, config) else {
            continue;
        };
        // Only carried-out changes of this schedule or template can count:
        // a daily schedule has many occurrences, a repository many changes.
        let changes: Vec<&Change> = changes
            .iter()
            .copied()
            .filter(|c| DONE.contains(&c.status.as_str()))
            .filter(|c| {
                c.schedule.as_ref().is_some_and(|s| s.name == schedule.name)
                    || c.template.as_deref() == Some(schedule.template.as_str())
            })
            .collect();
        let first = r.set.get_dt_start().fixed_offset();
        let earliest = first.min(at);
        for o in r.between(earliest, at) {
            let frozen = freeze_over(config, &o).is_some();
            if o.end <= at && !frozen && !done(&o, &changes) {
                out.push(o);
            }
        }
    }
    out.sort_by(|a, b| (a.start, &a.schedule).cmp(&(b.start, &b.schedule)));
    out
}

/// How an occurrence stands at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// A change carried it out ([`done`]).
    Done,
    /// Its window closed without that: [`missed`].
    Missed,
    /// Its change exists and its window has not closed yet.
    Scheduled,
    /// No change yet, and its window has not closed yet.
    Planned,
    /// Inside a freeze that forbids standard changes: not carried out.
    Frozen,
}

/// An occurrence with how it stands, and the change made for it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Outcome {
    #[serde(flatten)]
    pub occurrence: Occurrence,
    pub standing: Standing,
    /// The change created for it, if any.
    pub change: Option<String>,
}

/// The occurrences starting in `from`..`until`, each with how it stands
/// at `as_of` (the same rules as [`plan`] and [`missed`]).
pub fn outcomes(
    config: &Config,
    changes: &[&Change],
    from: Timestamp,
    until: Timestamp,
    as_of: Timestamp,
) -> Vec<Outcome> {
    occurrences(config, from, until)
        .into_iter()
        .map(|o| {
            let change = changes
                .iter()
                .find(|c| carries_out(c, &o))
                .map(|c| c.id.clone());
            let frozen = freeze_over(config, &o).is_some();
            let standing = if done(&o, changes) {
                Standing::Done
            } else if frozen {
                Standing::Frozen
            } else if o.end <= as_of {
                Standing::Missed
            } else if change.is_some() {
                Standing::Scheduled
            } else {
                Standing::Planned
            };
            Outcome {
                occurrence: o,
                standing,
                change,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duration::Duration;

    fn schedule(rrule: &str, dtstart: &str) -> MaintenanceSchedule {
        MaintenanceSchedule {
            name: "patching".into(),
            rrule: rrule.into(),
            dtstart: dtstart.into(),
            timezone: Some("Europe/Berlin".into()),
            duration: Duration::hours(4),
            template: "os-security-patching".into(),
            cis: Vec::new(),
        }
    }

    fn at(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s).expect("a test timestamp")
    }

    #[test]
    fn second_tuesday_keeps_local_time_across_daylight_saving() {
        let config = Config::default();
        let s = schedule("FREQ=MONTHLY;BYDAY=2TU", "2027-01-12T22:00");
        let r = Recurrence::new(&s, &config).expect("a valid schedule");
        // Second Tuesdays: 9 March 2027 (CET), 13 April 2027 (CEST, since
        // the last Sunday of March, the 28th).
        let got = r.between(
            at("2027-03-01T00:00:00+01:00"),
            at("2027-04-30T00:00:00+02:00"),
        );
        let starts: Vec<String> = got.iter().map(|o| o.start.to_rfc3339()).collect();
        assert_eq!(
            starts,
            ["2027-03-09T22:00:00+01:00", "2027-04-13T22:00:00+02:00"]
        );
        assert_eq!(got[1].end, at("2027-04-14T02:00:00+02:00"));
    }

    #[test]
    fn a_bad_rule_or_start_is_refused_with_its_field() {
        let config = Config::default();
        let bad_rule = schedule("FREQ=SOMETIMES", "2027-01-12T22:00");
        let e = Recurrence::new(&bad_rule, &config).err().expect("refused");
        assert_eq!(e.field(), "rrule");
        let bad_start = schedule("FREQ=DAILY", "12 January");
        let e = Recurrence::new(&bad_start, &config).err().expect("refused");
        assert_eq!(e.field(), "dtstart");
        // 02:30 on 28 March 2027 does not exist in Berlin.
        let gap = schedule("FREQ=DAILY", "2027-03-28T02:30");
        let e = Recurrence::new(&gap, &config).err().expect("refused");
        assert_eq!(e.field(), "dtstart");
    }
}
