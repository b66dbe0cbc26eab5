//! Times as people write them on the command line — `now`, an RFC 3339
//! timestamp, a date, `2026-12-01 09:00`, `tomorrow 09:00`, `+2h`, `-1d` —
//! one parser for every `--at`. Dates and times of day are local time in
//! the organisation's time zone (`timezone:` in gitsm.yaml).

use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

use crate::model::Timestamp;

/// A time as written, resolved against the present and a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Now,
    Instant(Timestamp),
    /// A local date and time (a date alone is its midnight).
    Local(NaiveDateTime),
    /// Days from today, at a local time (midnight when none).
    Day(i64, Option<NaiveTime>),
    /// From now.
    Relative(Duration),
}

const HINT: &str = "write now, an RFC 3339 time (2026-12-01T09:00:00+01:00), a date (2026-12-01), \
`2026-12-01 09:00`, `today 18:00`, `tomorrow 09:00`, or +2h / -1d / -30m";

impl FromStr for When {
    type Err = String;

    fn from_str(s: &str) -> Result<When, String> {
        let t = s.trim();
        let bad = || format!("`{s}` is not a time: {HINT}");
        if t.eq_ignore_ascii_case("now") {
            return Ok(When::Now);
        }
        if let Ok(at) = DateTime::parse_from_rfc3339(t) {
            return Ok(When::Instant(at));
        }
        if let Some(rest) = t.strip_prefix(['+', '-']) {
            let sign = if t.starts_with('-') { -1 } else { 1 };
            return relative(rest)
                .map(|d| When::Relative(d * sign))
                .ok_or_else(bad);
        }
        let (day, time) = match t.split_once(char::is_whitespace) {
            Some((d, tm)) => (d, Some(tm.trim())),
            None => (t, None),
        };
        let time = match time {
            Some(tm) => Some(NaiveTime::parse_from_str(tm, "%H:%M").map_err(|_| bad())?),
            None => None,
        };
        let offset = match day.to_ascii_lowercase().as_str() {
            "today" => Some(0),
            "tomorrow" => Some(1),
            "yesterday" => Some(-1),
            _ => None,
        };
        if let Some(offset) = offset {
            return Ok(When::Day(offset, time));
        }
        let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| bad())?;
        Ok(When::Local(date.and_time(time.unwrap_or(NaiveTime::MIN))))
    }
}

/// `2h`, `1d12h`, `30m`, `1w`.
fn relative(text: &str) -> Option<Duration> {
    let mut rest = text;
    let mut total = Duration::zero();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let n: i64 = rest.get(..digits)?.parse().ok().filter(|_| digits <= 6)?;
        let unit = rest[digits..].chars().next()?;
        total += match unit {
            'w' => Duration::weeks(n),
            'd' => Duration::days(n),
            'h' => Duration::hours(n),
            'm' => Duration::minutes(n),
            _ => return None,
        };
        rest = &rest[digits + unit.len_utf8()..];
        // A century either way is already no time a ticket lives in; more
        // would overflow the calendar.
        if total > Duration::days(36_525) {
            return None;
        }
    }
    Some(total)
}

impl When {
    /// The instant meant, given the present and the organisation's zone.
    pub fn resolve(self, now: Timestamp, zone: Tz) -> Timestamp {
        match self {
            When::Now => now,
            When::Instant(at) => at,
            When::Relative(d) => now.checked_add_signed(d).unwrap_or(now),
            When::Local(local) => local_time(zone, local),
            When::Day(offset, time) => {
                let today = now.with_timezone(&zone).date_naive();
                let day = today
                    .checked_add_signed(Duration::days(offset))
                    .unwrap_or(today);
                local_time(zone, day.and_time(time.unwrap_or(NaiveTime::MIN)))
            }
        }
    }
}

/// A local time in `zone` (in a gap of a daylight-saving change, the
/// first instant after it; in an overlap, the earlier).
fn local_time(zone: Tz, local: NaiveDateTime) -> Timestamp {
    // No gap lasts a day; past that (the edge of the calendar) read it as UTC.
    (0..=24 * 60)
        .filter_map(|m| local.checked_add_signed(Duration::minutes(m)))
        .find_map(|t| zone.from_local_datetime(&t).earliest())
        .map_or_else(|| local.and_utc().fixed_offset(), |at| at.fixed_offset())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> String {
        let now = DateTime::parse_from_rfc3339("2026-03-28T22:30:00+01:00").expect("now");
        let when: When = text.parse().expect(text);
        when.resolve(now, chrono_tz::Europe::Berlin).to_rfc3339()
    }

    #[test]
    fn every_form_resolves_in_the_organisation_zone() {
        // Now is Saturday 2026-03-28 22:30 in Berlin (CET, +01:00); Berlin
        // springs forward on Sunday 29 March at 02:00 to 03:00 (+02:00).
        assert_eq!(at("now"), "2026-03-28T22:30:00+01:00");
        assert_eq!(at("2026-12-01T09:00:00Z"), "2026-12-01T09:00:00+00:00");
        assert_eq!(at("2026-12-01"), "2026-12-01T00:00:00+01:00");
        assert_eq!(at("2026-07-01 09:00"), "2026-07-01T09:00:00+02:00");
        assert_eq!(at("tomorrow 09:00"), "2026-03-29T09:00:00+02:00");
        assert_eq!(at("today"), "2026-03-28T00:00:00+01:00");
        assert_eq!(at("yesterday 18:00"), "2026-03-27T18:00:00+01:00");
        assert_eq!(at("+2h"), "2026-03-29T00:30:00+01:00");
        assert_eq!(at("-1d12h"), "2026-03-27T10:30:00+01:00");
        // 02:30 on the 29th does not exist in Berlin: the first instant after.
        assert_eq!(at("2026-03-29 02:30"), "2026-03-29T03:00:00+02:00");
        // The last minute of the calendar resolves without a panic.
        let last = When::Local(NaiveDate::MAX.and_time(NaiveTime::MIN) + Duration::minutes(1439));
        let now = DateTime::parse_from_rfc3339("2026-03-28T22:30:00+01:00").expect("now");
        assert_eq!(
            last.resolve(now, chrono_tz::Pacific::Kiritimati)
                .date_naive(),
            NaiveDate::MAX
        );
    }

    #[test]
    fn what_is_not_a_time_says_how_to_write_one() {
        for bad in [
            "",
            "soon",
            "+",
            "+2x",
            "2026-13-01",
            "tomorrow 9am",
            "+99999999d",
        ] {
            let e = bad.parse::<When>().expect_err(bad);
            assert!(e.contains("tomorrow 09:00"), "{bad}: {e}");
        }
    }
}
