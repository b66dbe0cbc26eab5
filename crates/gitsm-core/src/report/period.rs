//! The period a report covers: `--since` and `--until` as dates or
//! instants, read in the report's time zone, and its months.

use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::model::Timestamp;

/// A bound as given on the command line: a date (a whole day in the
/// report's time zone) or an instant (RFC 3339).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Date(NaiveDate),
    Instant(Timestamp),
}

impl FromStr for Bound {
    type Err = String;

    fn from_str(s: &str) -> Result<Bound, String> {
        if s.len() == 10
            && let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        {
            return Ok(Bound::Date(date));
        }
        DateTime::parse_from_rfc3339(s)
            .map(Bound::Instant)
            .map_err(|_| {
                format!(
                    "`{s}` is neither a date nor an RFC 3339 timestamp; write e.g. 2026-10-01 or 2026-10-01T00:00:00+02:00"
                )
            })
    }
}

/// Why a period cannot be reported on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the period is empty: it starts at {since} and ends at {until}")]
    Empty { since: String, until: String },
}

/// The half-open period `[since, until)`, read at `as_of`: the end of
/// the period, or the present when the period ends later (a report never
/// reads clocks in the future).
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
    pub timezone: Tz,
}

impl Period {
    /// A period from the bounds given, read at `at` (the present, or
    /// `--at`) or at its end if that is earlier. A date `since` starts at
    /// that day's midnight, a date `until` ends the period at the end of
    /// that day. Without `until` the period ends at `at`; without `since`
    /// it starts at the beginning of the month of `earliest` (the first
    /// ticket's creation), or of the month it ends in, whichever is earlier.
    pub fn new(
        since: Option<Bound>,
        until: Option<Bound>,
        at: Timestamp,
        timezone: Tz,
        earliest: Option<Timestamp>,
    ) -> Result<Period, PeriodError> {
        let until = match until {
            Some(Bound::Instant(t)) => t.to_utc(),
            Some(Bound::Date(d)) => midnight(timezone, d.succ_opt().unwrap_or(d)),
            None => at.to_utc(),
        };
        let since = match since {
            Some(Bound::Instant(t)) => t.to_utc(),
            Some(Bound::Date(d)) => midnight(timezone, d),
            None => {
                let last = month_start(timezone, until - Duration::seconds(1));
                earliest.map_or(last, |e| month_start(timezone, e.to_utc()).min(last))
            }
        };
        let period = Period {
            since,
            until,
            as_of: until.min(at.to_utc()),
            timezone,
        };
        if since >= until {
            return Err(PeriodError::Empty {
                since: period.show(since),
                until: period.show(until),
            });
        }
        Ok(period)
    }

    /// Whether `t` lies in the period.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.since <= t && t < self.until
    }

    /// An instant in the report's time zone.
    pub fn local(&self, t: DateTime<Utc>) -> Timestamp {
        t.with_timezone(&self.timezone).fixed_offset()
    }

    /// `2026-11-21 10:00 +01:00`.
    pub fn show(&self, t: DateTime<Utc>) -> String {
        self.local(t).format("%Y-%m-%d %H:%M %:z").to_string()
    }

    /// The months the period touches, clipped to it: `(2026-09, start, end)`.
    pub fn months(&self) -> Vec<(String, DateTime<Utc>, DateTime<Utc>)> {
        let mut out = Vec::new();
        let mut start = self.since;
        while start < self.until {
            let local = start.with_timezone(&self.timezone).date_naive();
            let label = format!("{:04}-{:02}", local.year(), local.month());
            let next = next_month(local).map_or(self.until, |d| midnight(self.timezone, d));
            let end = next.min(self.until).max(start + Duration::seconds(1));
            out.push((label, start, end));
            start = end;
        }
        out
    }
}

/// The first instant of `date` in `tz` (after a gap, when midnight is
/// skipped by a daylight-saving change).
pub(super) fn midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let naive = date.and_time(chrono::NaiveTime::MIN);
    (0..=24 * 4)
        .find_map(|quarter| {
            tz.from_local_datetime(&(naive + Duration::minutes(15 * quarter)))
                .earliest()
        })
        .map_or_else(|| naive.and_utc(), |t| t.to_utc())
}

/// The first instant of the month `t` falls in, in `tz`.
fn month_start(tz: Tz, t: DateTime<Utc>) -> DateTime<Utc> {
    let local = t.with_timezone(&tz).date_naive();
    midnight(tz, local.with_day(1).unwrap_or(local))
}

/// The first day of the month after `date`'s.
fn next_month(date: NaiveDate) -> Option<NaiveDate> {
    if date.month() == 12 {
        NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(date.year(), date.month() + 1, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(s).expect("timestamp")
    }

    fn berlin() -> Tz {
        "Europe/Berlin".parse().expect("zone")
    }

    #[test]
    fn bounds_are_dates_or_instants() {
        assert_eq!(
            "2026-10-01".parse::<Bound>(),
            Ok(Bound::Date(
                NaiveDate::from_ymd_opt(2026, 10, 1).expect("date")
            ))
        );
        assert_eq!(
            "2026-10-01T08:00:00Z".parse::<Bound>(),
            Ok(Bound::Instant(t("2026-10-01T08:00:00Z")))
        );
        for bad in [
            "",
            "2026-13-01",
            "yesterday",
            "2026-10-01T08:00",
            "2026-1-1",
        ] {
            assert!(bad.parse::<Bound>().is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_are_whole_days_in_the_zone() {
        // 1 October 00:00 CEST is 30 September 22:00 UTC; --until 31 October
        // ends at 1 November 00:00 CET (23:00 UTC, after the fall-back).
        let p = Period::new(
            Some("2026-10-01".parse().expect("since")),
            Some("2026-10-31".parse().expect("until")),
            t("2026-11-21T10:00:00+01:00"),
            berlin(),
            None,
        )
        .expect("period");
        assert_eq!(p.since, t("2026-09-30T22:00:00Z"));
        assert_eq!(p.until, t("2026-10-31T23:00:00Z"));
        let months: Vec<_> = p.months().into_iter().map(|m| m.0).collect();
        assert_eq!(months, ["2026-10"]);
    }

    #[test]
    fn default_since_is_the_first_tickets_month() {
        let p = Period::new(
            None,
            None,
            t("2026-11-21T10:00:00+01:00"),
            Tz::UTC,
            Some(t("2026-09-03T12:14:00+02:00")),
        )
        .expect("period");
        assert_eq!(p.since, t("2026-09-01T00:00:00Z"));
        let months: Vec<_> = p.months().into_iter().map(|m| m.0).collect();
        assert_eq!(months, ["2026-09", "2026-10", "2026-11"]);
        // The last month is clipped to the period.
        assert_eq!(p.months()[2].2, t("2026-11-21T09:00:00Z"));
    }

    #[test]
    fn an_empty_period_is_refused() {
        let r = Period::new(
            Some("2026-11-01".parse().expect("since")),
            Some("2026-10-01".parse().expect("until")),
            t("2026-11-21T10:00:00Z"),
            Tz::UTC,
            None,
        );
        assert!(r.is_err());
    }
}
