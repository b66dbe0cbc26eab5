//! Exports write times without a zone (`2026-12-06 11:43:00`): they are
//! read as wall-clock times in one IANA zone, daylight saving included.

use chrono::{Duration, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

use crate::model::Timestamp;

/// The instant `text` names: RFC 3339 as it is, else the first of
/// `formats` (chrono's `%Y-%m-%d %H:%M`...) that reads it, or a bare date
/// (midnight), as a wall-clock time in `zone`.
pub(super) fn parse(text: &str, formats: &[String], zone: Tz) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t);
    }
    let naive = formats
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })?;
    Some(wall_clock(naive, zone))
}

/// The instant a wall clock in `zone` showed `naive`. When the clock
/// showed it twice (the hour repeated as daylight saving ends), the first;
/// when never (the hour skipped as it begins), the time is read with the
/// offset in force before the gap: 02:30 on a spring-forward night in
/// Berlin is 01:30Z, which that clock shows as 03:30+02:00.
pub(super) fn wall_clock(naive: NaiveDateTime, zone: Tz) -> Timestamp {
    match zone.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t.fixed_offset(),
        chrono::LocalResult::Ambiguous(first, _) => first.fixed_offset(),
        chrono::LocalResult::None => {
            // No zone skips more than a day; the offset a day earlier is
            // the one before the gap.
            let before = zone
                .offset_from_utc_datetime(&(naive - Duration::days(1)))
                .fix();
            let utc = naive - Duration::seconds(i64::from(before.local_minus_utc()));
            zone.from_utc_datetime(&utc).fixed_offset()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str, zone: &str) -> String {
        let formats = ["%Y-%m-%d %H:%M:%S".to_owned()];
        parse(s, &formats, zone.parse().expect("zone"))
            .expect("time")
            .to_rfc3339()
    }

    #[test]
    fn daylight_saving_gaps_and_repeats_are_read_deliberately() {
        assert_eq!(
            at("2026-12-06 11:43:00", "Europe/Berlin"),
            "2026-12-06T11:43:00+01:00"
        );
        assert_eq!(
            at("2026-07-01 11:43:00", "Europe/Berlin"),
            "2026-07-01T11:43:00+02:00"
        );
        // 29 March 2026: Berlin skips 02:00-03:00.
        assert_eq!(
            at("2026-03-29 02:30:00", "Europe/Berlin"),
            "2026-03-29T03:30:00+02:00"
        );
        // 25 October 2026: Berlin shows 02:00-03:00 twice; the first is +02:00.
        assert_eq!(
            at("2026-10-25 02:30:00", "Europe/Berlin"),
            "2026-10-25T02:30:00+02:00"
        );
        assert_eq!(
            at("2026-12-06T11:43:00-05:00", "Europe/Berlin"),
            "2026-12-06T11:43:00-05:00"
        );
    }
}
