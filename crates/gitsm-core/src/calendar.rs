//! Business calendars: working hours per weekday in a time zone, holidays.
//!
//! A [`BusinessCalendar`] answers two questions about instants: how much
//! working time lies between them ([`BusinessCalendar::working_time`]) and
//! when a given amount of working time, started at an instant, is used up
//! ([`BusinessCalendar::add_working_time`], a due time). Working hours are
//! wall-clock times in the calendar's IANA time zone, so a day on which
//! daylight saving starts or ends is exactly as long as the clocks say: a
//! `00:00-24:00` day has 23 or 25 hours, and a span that begins or ends in
//! an hour that is skipped or repeated covers precisely the instants whose
//! local time lies inside it.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::config;

/// Parse `"09:00-12:30,13:30-18:00"` into ordered, non-overlapping spans.
pub fn parse_spans(text: &str) -> Result<Vec<(NaiveTime, NaiveTime)>, String> {
    let mut spans: Vec<(NaiveTime, NaiveTime)> = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let bad = || format!("invalid working hours `{part}` (write e.g. 09:00-18:00)");
        let (a, b) = part.split_once('-').ok_or_else(bad)?;
        let start = NaiveTime::parse_from_str(a.trim(), "%H:%M").map_err(|_| bad())?;
        let end = match b.trim() {
            "24:00" => NaiveTime::MIN,
            b => NaiveTime::parse_from_str(b, "%H:%M").map_err(|_| bad())?,
        };
        if end != NaiveTime::MIN && end <= start {
            return Err(format!("working hours `{part}` end before they start"));
        }
        if let Some(&(_, prev_end)) = spans.last()
            && (prev_end == NaiveTime::MIN || start < prev_end)
        {
            return Err(format!(
                "working hours `{text}` overlap or are out of order"
            ));
        }
        spans.push((start, end));
    }
    Ok(spans)
}

/// Why a calendar of `gitsm.yaml` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("`{0}` is not an IANA time zone (e.g. Europe/Berlin)")]
    TimeZone(String),
    #[error("{day}: {message}")]
    Hours { day: &'static str, message: String },
}

/// A half-open interval of instants `[start, end)`.
pub type Interval = (DateTime<Utc>, DateTime<Utc>);

/// Sorted, merged intervals (touching ones joined; empty ones dropped).
pub fn union(mut spans: Vec<Interval>) -> Vec<Interval> {
    spans.retain(|(s, e)| s < e);
    spans.sort_unstable();
    let mut out: Vec<Interval> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The parts of sorted, merged `a` inside sorted, merged `b`.
pub fn intersect(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let s = a[i].0.max(b[j].0);
        let e = a[i].1.min(b[j].1);
        if s < e {
            out.push((s, e));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// The parts of sorted, merged `a` outside sorted, merged `b`.
pub fn subtract(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    let mut out = Vec::new();
    for &(mut s, e) in a {
        for &(bs, be) in b {
            if be <= s || bs >= e {
                continue;
            }
            if bs > s {
                out.push((s, bs));
            }
            s = be;
            if s >= e {
                break;
            }
        }
        if s < e {
            out.push((s, e));
        }
    }
    out
}

/// Working hours in a time zone, with holidays; or around the clock.
///
/// Instants are worked on as seconds since 1970 (and durations since
/// then, where a bound has a fraction of a second): local days are whole
/// numbers of them, so a day's spans are a multiplication and an offset
/// away, without a calendar date to build for each.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCalendar {
    tz: Tz,
    /// Spans per weekday, Monday first, as seconds after local midnight
    /// (`[start, end)`; an end of 24:00 is 86,400).
    week: [Vec<(i64, i64)>; 7],
    /// Days off, as days since 1970-01-01 (local dates).
    holidays: BTreeSet<i64>,
    /// 24x7: every instant is working time (wall-clock time).
    always: bool,
    offsets: OffsetTable,
    days: DayTable,
}

/// Seconds in a day, as local days have them.
const DAY: i64 = 86_400;

/// A piece of constant UTC offset: `[from, to)` in seconds since 1970, and
/// seconds east of UTC.
type Piece = (i64, i64, i32);

/// The offset pieces of a time zone from 1970 to 2100, worked out on first
/// use (a few thousand time-zone lookups) instead of for every interval
/// asked for. Two calendars are equal whether or not either has it yet.
#[derive(Debug, Clone, Default)]
struct OffsetTable(OnceLock<Vec<Piece>>);

impl PartialEq for OffsetTable {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The working seconds of the local days 1970 to 2100, summed from the
/// first ([`BusinessCalendar::working_time`] of a long span is then two
/// look-ups and the days at its ends), worked out on first use like
/// [`OffsetTable`].
#[derive(Debug, Clone, Default)]
struct DayTable(OnceLock<Vec<i64>>);

impl PartialEq for DayTable {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The span of instants [`OffsetTable`] covers: seconds since 1970.
const TABLE_END: i64 = 4_102_444_800; // 2100-01-01T00:00:00Z

/// How far ahead [`BusinessCalendar::add_working_time`] looks before it
/// gives up (a calendar whose every working day is a holiday).
const HORIZON_DAYS: i64 = 366 * 100;

/// Days at either end of a long span that [`BusinessCalendar::working_time`]
/// looks at one by one (the rest come from [`DayTable`]).
const NEAR_DAYS: i64 = 3;

/// Most days of instants examined at once while looking for a due time.
const STEP_DAYS: i64 = 14;

impl BusinessCalendar {
    /// Around the clock: working time is wall-clock time.
    pub fn always() -> BusinessCalendar {
        BusinessCalendar {
            tz: Tz::UTC,
            week: Default::default(),
            holidays: BTreeSet::new(),
            always: true,
            offsets: OffsetTable::default(),
            days: DayTable::default(),
        }
    }

    /// Compile a calendar of `gitsm.yaml`.
    pub fn new(cal: &config::Calendar) -> Result<BusinessCalendar, CalendarError> {
        let tz = Tz::from_str(&cal.timezone)
            .map_err(|_| CalendarError::TimeZone(cal.timezone.clone()))?;
        let mut week: [Vec<(NaiveTime, NaiveTime)>; 7] = Default::default();
        for (slot, (day, text)) in week.iter_mut().zip(cal.hours.days()) {
            if let Some(text) = text {
                *slot =
                    parse_spans(text).map_err(|message| CalendarError::Hours { day, message })?;
            }
        }
        let seconds = |t: NaiveTime| i64::from(Timelike::num_seconds_from_midnight(&t));
        Ok(BusinessCalendar {
            tz,
            week: week.map(|spans| {
                spans
                    .into_iter()
                    .map(|(a, b)| {
                        let end = if b == NaiveTime::MIN { DAY } else { seconds(b) };
                        (seconds(a), end)
                    })
                    .collect()
            }),
            holidays: cal.holidays.iter().map(|&d| day_number(d)).collect(),
            always: false,
            offsets: OffsetTable::default(),
            days: DayTable::default(),
        })
    }

    /// The calendar's time zone (UTC for 24x7).
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// Whether every instant is working time.
    pub fn is_always(&self) -> bool {
        self.always
    }

    /// Working time in `[from, to)`; zero when `to` is not after `from`.
    pub fn working_time(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        if self.always {
            return to - from;
        }
        let mut sum = Duration::zero();
        let (first, last) = (
            self.local_day(from.timestamp()),
            self.local_day(to.timestamp()),
        );
        // A span of weeks or years: the days wholly inside it are summed
        // from the table, only the few days at either end are looked at.
        // Any instant of a local day more than two days after `from`'s
        // comes after `from` (offsets differ by less than a day), and
        // likewise before `to`.
        if let Some(table) = self.day_table(first - 3, last + 3)
            && last - first > 2 * NEAR_DAYS
        {
            let (lower, upper) = (since_1970(from), since_1970(to));
            let mut add = |s, e| sum += e - s;
            self.each_interval_of_days(first - 1, first + NEAR_DAYS - 1, lower, upper, &mut add);
            self.each_interval_of_days(last - NEAR_DAYS + 1, last + 1, lower, upper, &mut add);
            let whole = |day: i64| table[usize::try_from(day).unwrap_or_default()];
            return sum + Duration::seconds(whole(last - NEAR_DAYS + 1) - whole(first + NEAR_DAYS));
        }
        self.each_interval(from, to, |s, e| sum += e - s);
        sum
    }

    /// The instant at which `amount` of working time, counted from `from`,
    /// is used up: the due time of a target. A due time that falls at the
    /// end of a working span is that end (18:00, not 09:00 the next day).
    /// `None` when `amount` is not used up within a hundred years (a
    /// calendar without hours, or a target longer than that).
    pub fn add_working_time(&self, from: DateTime<Utc>, amount: Duration) -> Option<DateTime<Utc>> {
        if amount <= Duration::zero() {
            return Some(from);
        }
        if amount > Duration::days(HORIZON_DAYS) {
            return None;
        }
        if self.always {
            return Some(from + amount);
        }
        if self.week.iter().all(Vec::is_empty) {
            return None;
        }
        let mut left = amount;
        let mut cursor = from;
        // Most targets are hours and are used up within days: the window
        // starts small and doubles (each day's spans cost time-zone lookups).
        let mut step = 2;
        let mut spans = Vec::new();
        while cursor - from < Duration::days(HORIZON_DAYS) {
            let next = cursor + Duration::days(step);
            step = (step * 2).min(STEP_DAYS);
            self.spans_into(cursor, next, &mut spans);
            for &(s, e) in &spans {
                let len = e - s;
                if left <= len {
                    return DateTime::UNIX_EPOCH.checked_add_signed(s + left);
                }
                left -= len;
            }
            cursor = next;
        }
        None
    }

    /// The working intervals inside `[from, to)`, in order, clipped to it.
    pub fn intervals(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Interval> {
        let mut spans = Vec::new();
        self.spans_into(from, to, &mut spans);
        spans
            .into_iter()
            .filter_map(|(s, e)| {
                let at = |d| DateTime::UNIX_EPOCH.checked_add_signed(d);
                Some((at(s)?, at(e)?))
            })
            .collect()
    }

    /// [`BusinessCalendar::intervals`] as durations since 1970, into `out`
    /// (cleared first), whose room is used again.
    fn spans_into(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        out: &mut Vec<(Duration, Duration)>,
    ) {
        out.clear();
        if to <= from {
            return;
        }
        if self.always {
            out.push((since_1970(from), since_1970(to)));
            return;
        }
        self.each_interval(from, to, |s, e| out.push((s, e)));
        // Day by day is in order but across a fall-back at midnight, where
        // the end of one local day comes after the start of the next.
        out.sort_unstable();
    }

    /// Each working interval inside `[from, to)` (not empty), clipped to
    /// it, as durations since 1970: the instants whose local date is a
    /// working day and whose local time lies in one of its spans. Exact
    /// across offset changes: within a piece of constant offset `o`, local
    /// time is `t + o`, so a local span `[a, b)` is the instants
    /// `[a - o, b - o)` of that piece.
    fn each_interval(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        f: impl FnMut(Duration, Duration),
    ) {
        // Every instant of [from, to) has a local day in this range (the
        // margin covers a fall-back across midnight).
        self.each_interval_of_days(
            self.local_day(from.timestamp()) - 1,
            self.local_day(to.timestamp()) + 1,
            since_1970(from),
            since_1970(to),
            f,
        );
    }

    /// Each working interval of the local days `first` to `last` (days
    /// since 1970), clipped to `[lower, upper)`.
    fn each_interval_of_days(
        &self,
        first: i64,
        last: i64,
        lower: Duration,
        upper: Duration,
        mut f: impl FnMut(Duration, Duration),
    ) {
        // Every instant of those days lies in the UTC days from `first - 1`
        // to `last + 1`.
        let pieces = self.offset_pieces((first - 1) * DAY, (last + 2) * DAY);
        for day in first..=last {
            self.day_spans(day, &pieces, |s, e| {
                let s = Duration::seconds(s).max(lower);
                let e = Duration::seconds(e).min(upper);
                if s < e {
                    f(s, e);
                }
            });
        }
    }

    /// The working intervals of local day `day`, in seconds since 1970:
    /// each span of its weekday (none on a holiday) in each piece of
    /// `pieces` (which cover the day).
    fn day_spans(&self, day: i64, pieces: &[Piece], mut f: impl FnMut(i64, i64)) {
        // 1970-01-01 was a Thursday (Monday is 0).
        let spans = &self.week[(day + 3).rem_euclid(7) as usize];
        if spans.is_empty() || self.holidays.contains(&day) {
            return;
        }
        let midnight = day * DAY;
        for &(a, b) in spans {
            for &(p0, p1, offset) in pieces {
                let offset = i64::from(offset);
                let s = (midnight + a - offset).max(p0);
                let e = (midnight + b - offset).min(p1);
                if s < e {
                    f(s, e);
                }
            }
        }
    }

    /// The working seconds of the local days before each day (index: days
    /// since 1970), when the table covers the days `first` to `last`.
    fn day_table(&self, first: i64, last: i64) -> Option<&[i64]> {
        let end = TABLE_END / DAY - 2;
        (first >= 1 && last < end).then(|| {
            self.days
                .0
                .get_or_init(|| {
                    let Some(pieces) = self.table(0, TABLE_END) else {
                        return Vec::new();
                    };
                    let mut sums = Vec::with_capacity(end as usize + 1);
                    let mut sum = 0;
                    sums.push(sum);
                    for day in 0..end {
                        if day >= 1 {
                            let first = pieces.partition_point(|p| p.1 <= (day - 1) * DAY);
                            let stop = pieces.partition_point(|p| p.0 < (day + 2) * DAY);
                            self.day_spans(day, &pieces[first..stop.max(first)], |s, e| {
                                sum += e - s;
                            });
                        }
                        sums.push(sum);
                    }
                    sums
                })
                .as_slice()
        })
    }

    /// Pieces of constant offset that cover `[from, to)` (seconds since
    /// 1970; the first and last may reach beyond it): from the table where
    /// it covers the range.
    fn offset_pieces(&self, from: i64, to: i64) -> Cow<'_, [Piece]> {
        match self.table(from, to) {
            Some(table) => {
                let first = table.partition_point(|p| p.1 <= from);
                let end = table.partition_point(|p| p.0 < to);
                Cow::Borrowed(&table[first..end.max(first)])
            }
            None => Cow::Owned(offset_pieces(self.tz, from, to)),
        }
    }

    /// The offset table, when it covers `[from, to)` (seconds since 1970).
    fn table(&self, from: i64, to: i64) -> Option<&[Piece]> {
        (from >= 0 && to <= TABLE_END).then(|| {
            self.offsets
                .0
                .get_or_init(|| offset_pieces(self.tz, 0, TABLE_END))
                .as_slice()
        })
    }

    /// The local day (days since 1970-01-01) of the instant `at` seconds
    /// since 1970 (a fraction of a second never changes the day).
    fn local_day(&self, at: i64) -> i64 {
        let piece = self
            .table(at, at)
            .and_then(|table| table.get(table.partition_point(|p| p.1 <= at)));
        let offset = match piece {
            Some(&(_, _, offset)) => offset,
            None => offset_at(self.tz, at),
        };
        (at + i64::from(offset)).div_euclid(DAY)
    }
}

/// Days since 1970-01-01 of a date.
fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - 719_163
}

fn since_1970(at: DateTime<Utc>) -> Duration {
    at - DateTime::UNIX_EPOCH
}

fn instant(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

fn offset_at(tz: Tz, at: i64) -> i32 {
    tz.offset_from_utc_datetime(&instant(at).naive_utc())
        .fix()
        .local_minus_utc()
}

/// Pieces of constant UTC offset `(from, to, seconds east of UTC)` that
/// cover `[from, to)`, split at each offset change. The range is looked at
/// three days at a time, two time-zone lookups each: offset changes in the
/// time-zone database are weeks apart, so two inside three days are not
/// looked for.
fn offset_pieces(tz: Tz, from: i64, to: i64) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut push = |s: i64, e: i64, offset: i32| match out.last_mut() {
        Some(last) if last.2 == offset => last.1 = e,
        _ => out.push((s, e, offset)),
    };
    let mut start = from;
    while start < to {
        let end = (start + 3 * DAY).min(to);
        let offset = offset_at(tz, start);
        let last = end - 1;
        if offset_at(tz, last) == offset {
            push(start, end, offset);
            start = end;
            continue;
        }
        // First second after `start` whose offset differs: offsets change
        // on whole seconds, so bisect to one second.
        let (mut lo, mut hi) = (start, last);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if offset_at(tz, mid) == offset {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        push(start, hi, offset);
        start = hi;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("timestamp").to_utc()
    }

    fn hours(h: i64) -> Duration {
        Duration::hours(h)
    }

    fn calendar(
        tz: &str,
        hours: &str,
        weekend: Option<&str>,
        holidays: &[&str],
    ) -> BusinessCalendar {
        let day = Some(hours.to_owned());
        let cal = config::Calendar {
            timezone: tz.into(),
            hours: config::WeekHours {
                mon: day.clone(),
                tue: day.clone(),
                wed: day.clone(),
                thu: day.clone(),
                fri: day,
                sat: weekend.map(String::from),
                sun: weekend.map(String::from),
            },
            holidays: holidays.iter().map(|d| d.parse().expect("date")).collect(),
        };
        BusinessCalendar::new(&cal).expect("valid calendar")
    }

    fn office(tz: &str) -> BusinessCalendar {
        calendar(tz, "09:00-18:00", None, &[])
    }

    /// Whether the instant `at` is working time, found the slow way: its
    /// local date and time, looked up in the week and the holidays.
    fn works_at(cal: &BusinessCalendar, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&cal.tz);
        let (date, time) = (local.date_naive(), local.time());
        let second = i64::from(time.num_seconds_from_midnight());
        !cal.holidays.contains(&day_number(date))
            && cal.week[date.weekday().num_days_from_monday() as usize]
                .iter()
                .any(|&(a, b)| a <= second && second < b)
    }

    /// The offset table covers 1970 to 2100; outside it (and across its
    /// edges) the offsets are looked up as they are needed, with the same
    /// result: weeks around the fall-back of 1969 and 2150 in New York and
    /// across the table's first instant, minute by minute.
    #[test]
    fn instants_outside_the_offset_table_count_the_same() {
        let cal = calendar(
            "America/New_York",
            "08:00-12:00, 13:00-17:30",
            Some("01:00-03:00"),
            &[],
        );
        for from in [
            "1969-10-20T00:00:00Z",
            "1969-12-28T00:00:00Z",
            "2150-10-28T00:00:00Z",
            "2099-12-28T00:00:00Z",
        ] {
            let from = t(from);
            let minutes = 9 * 24 * 60;
            let counted = (0..minutes)
                .filter(|m| works_at(&cal, from + Duration::minutes(*m)))
                .count();
            assert_eq!(
                cal.working_time(from, from + Duration::minutes(minutes)),
                Duration::minutes(counted as i64),
                "from {from}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Working time is the count of working minutes, minute by minute,
        /// around all four daylight-saving changes of 2026 in Berlin and
        /// New York, with a lunch break, night spans on Sundays (the day
        /// clocks change) and a holiday.
        #[test]
        fn working_time_counts_working_minutes(
            zone in 0..4usize,
            start in 0i64..(14 * 24 * 60),
            minutes in 0i64..(3 * 24 * 60),
        ) {
            // A week before each change: Berlin 03-29 and 10-25, New York
            // 03-08 and 11-01.
            let (tz, base) = [
                ("Europe/Berlin", "2026-03-22T00:00:00Z"),
                ("Europe/Berlin", "2026-10-18T00:00:00Z"),
                ("America/New_York", "2026-03-01T00:00:00Z"),
                ("America/New_York", "2026-10-25T00:00:00Z"),
            ][zone];
            let weekday = Some("08:00-12:00, 13:00-17:30".to_owned());
            let cal = BusinessCalendar::new(&config::Calendar {
                timezone: tz.into(),
                hours: config::WeekHours {
                    mon: weekday.clone(),
                    tue: weekday.clone(),
                    wed: weekday.clone(),
                    thu: weekday.clone(),
                    fri: weekday,
                    sat: None,
                    sun: Some("00:30-03:30, 23:00-24:00".to_owned()),
                },
                holidays: vec!["2026-03-25".parse().expect("date"), "2026-10-28".parse().expect("date")],
            })
            .expect("calendar");
            let from = t(base) + Duration::minutes(start);
            let to = from + Duration::minutes(minutes);
            let counted = (0..minutes)
                .filter(|m| works_at(&cal, from + Duration::minutes(*m)))
                .count();
            proptest::prop_assert_eq!(cal.working_time(from, to), Duration::minutes(counted as i64));
            let listed: Duration = cal.intervals(from, to).iter().map(|(s, e)| *e - *s).sum();
            proptest::prop_assert_eq!(listed, Duration::minutes(counted as i64));
        }
    }

    proptest::proptest! {
        /// A span of weeks to years counts the days wholly inside it from
        /// the table of day sums: the same working time as adding up its
        /// working intervals day by day, whatever the zone, daylight-saving
        /// changes and holidays in between, to the second.
        #[test]
        fn a_long_span_counts_as_its_days_one_by_one(
            zone in 0..3usize,
            start in 0i64..(3 * 365 * 86_400),
            seconds in 0i64..(800 * 86_400),
        ) {
            let tz = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe"][zone];
            let cal = calendar(
                tz,
                "08:00-12:00, 13:00-17:30",
                Some("00:30-03:30, 23:00-24:00"),
                &["2025-12-25", "2026-03-30", "2026-10-26", "2027-01-01"],
            );
            let from = t("2025-01-01T00:00:00Z") + Duration::seconds(start);
            let to = from + Duration::seconds(seconds);
            let day_by_day: Duration = cal.intervals(from, to).iter().map(|(s, e)| *e - *s).sum();
            proptest::prop_assert_eq!(cal.working_time(from, to), day_by_day);
        }
    }

    /// Five weeks of 09:00-18:00 in Berlin, Monday to Monday, with Good
    /// Friday off: 24 days of 9 hours (the clocks change on a Sunday).
    #[test]
    fn five_office_weeks_with_a_holiday() {
        let cal = calendar("Europe/Berlin", "09:00-18:00", None, &["2026-04-03"]);
        assert_eq!(
            cal.working_time(t("2026-03-01T23:00:00Z"), t("2026-04-05T22:00:00Z")),
            hours(24 * 9)
        );
    }

    /// March 2026 around the clock in Berlin: 31 days of 24 hours, less the
    /// hour skipped on the 29th.
    #[test]
    fn a_month_around_the_clock_loses_the_skipped_hour() {
        let cal = calendar("Europe/Berlin", "00:00-24:00", Some("00:00-24:00"), &[]);
        assert_eq!(
            cal.working_time(t("2026-02-28T23:00:00Z"), t("2026-03-31T22:00:00Z")),
            hours(31 * 24 - 1)
        );
    }

    #[test]
    fn two_spans_a_day() {
        let spans = parse_spans("09:00-12:30, 13:30-18:00").expect("valid");
        assert_eq!(spans.len(), 2);
        assert_eq!(
            spans[1].0,
            NaiveTime::from_hms_opt(13, 30, 0).expect("time")
        );
    }

    #[test]
    fn refuses_reversed_and_overlapping() {
        assert!(parse_spans("18:00-09:00").is_err());
        assert!(parse_spans("09:00-13:00,12:00-18:00").is_err());
        assert!(parse_spans("9-5").is_err());
    }

    #[test]
    fn refuses_unknown_zone() {
        let cal = config::Calendar {
            timezone: "Mars/Olympus".into(),
            ..config::Calendar::default()
        };
        assert_eq!(
            BusinessCalendar::new(&cal),
            Err(CalendarError::TimeZone("Mars/Olympus".into()))
        );
    }

    #[test]
    fn twenty_seven_hours_are_three_working_days() {
        // Mon 2026-03-02 09:00 UTC + 27h of 9h days: Mon, Tue, Wed -> Wed 18:00.
        let cal = office("UTC");
        let due = cal.add_working_time(t("2026-03-02T09:00:00Z"), hours(27));
        assert_eq!(due, Some(t("2026-03-04T18:00:00Z")));
        assert_eq!(
            cal.working_time(t("2026-03-02T09:00:00Z"), t("2026-03-04T18:00:00Z")),
            hours(27)
        );
    }

    #[test]
    fn weekend_is_skipped() {
        // Fri 2026-03-06 16:00 + 4h: 2h on Friday (16-18), 2h on Monday (09-11).
        let cal = office("UTC");
        let due = cal.add_working_time(t("2026-03-06T16:00:00Z"), hours(4));
        assert_eq!(due, Some(t("2026-03-09T11:00:00Z")));
        // Sat 10:00 to Mon 10:00: only Monday 09-10 counts.
        assert_eq!(
            cal.working_time(t("2026-03-07T10:00:00Z"), t("2026-03-09T10:00:00Z")),
            hours(1)
        );
    }

    #[test]
    fn holidays_are_days_off_in_the_calendars_zone() {
        // Berlin, Thu 2026-12-24 and Fri 12-25 off. Wed 12-23 17:00 CET + 2h:
        // 1h Wed (17-18), then Mon 12-28 09:00-10:00 CET = 09:00Z.
        let cal = calendar(
            "Europe/Berlin",
            "09:00-18:00",
            None,
            &["2026-12-24", "2026-12-25"],
        );
        let due = cal.add_working_time(t("2026-12-23T16:00:00Z"), hours(2));
        assert_eq!(due, Some(t("2026-12-28T09:00:00Z")));
    }

    #[test]
    fn lunch_break_is_not_working_time() {
        // 09:00-12:30 and 13:30-18:00: 8h a day. 11:00 + 3h = 1.5h before lunch,
        // 1.5h after: 15:00.
        let cal = calendar("UTC", "09:00-12:30,13:30-18:00", None, &[]);
        let due = cal.add_working_time(t("2026-03-02T11:00:00Z"), hours(3));
        assert_eq!(due, Some(t("2026-03-02T15:00:00Z")));
        assert_eq!(
            cal.working_time(t("2026-03-02T00:00:00Z"), t("2026-03-03T00:00:00Z")),
            hours(8)
        );
    }

    #[test]
    fn due_at_the_end_of_a_span_is_that_end() {
        // 09:00 + 9h ends the day exactly: 18:00, not next morning.
        let cal = office("UTC");
        let due = cal.add_working_time(t("2026-03-02T09:00:00Z"), hours(9));
        assert_eq!(due, Some(t("2026-03-02T18:00:00Z")));
    }

    #[test]
    fn around_the_clock_is_wall_time() {
        let cal = BusinessCalendar::always();
        // Across the Berlin spring-forward night: 24h of wall time is 24h.
        let from = t("2026-03-28T12:00:00+01:00");
        assert_eq!(
            cal.add_working_time(from, hours(24)),
            Some(t("2026-03-29T13:00:00+02:00"))
        );
        assert_eq!(
            cal.working_time(from, t("2026-03-29T13:00:00+02:00")),
            hours(24)
        );
    }

    #[test]
    fn whole_days_follow_daylight_saving() {
        // A 00:00-24:00 calendar in Berlin: the spring-forward day Sun 03-29 has
        // 23 hours, the fall-back day Sun 10-25 has 25.
        let cal = calendar("Europe/Berlin", "00:00-24:00", Some("00:00-24:00"), &[]);
        assert_eq!(
            cal.working_time(
                t("2026-03-29T00:00:00+01:00"),
                t("2026-03-30T00:00:00+02:00")
            ),
            hours(23)
        );
        assert_eq!(
            cal.working_time(
                t("2026-10-25T00:00:00+02:00"),
                t("2026-10-26T00:00:00+01:00")
            ),
            hours(25)
        );
    }

    #[test]
    fn spans_in_skipped_and_repeated_hours() {
        // Berlin: 02:00-03:00 does not exist on 2026-03-29 and happens twice on
        // 2026-10-25 (02:00-03:00 CEST = 00:00-01:00Z, then CET = 01:00-02:00Z).
        let cal = calendar("Europe/Berlin", "02:00-03:00", Some("02:00-03:00"), &[]);
        let day = |d: &str, next: &str| {
            cal.working_time(
                t(&format!("{d}T00:00:00Z")),
                t(&format!("{next}T00:00:00Z")),
            )
        };
        assert_eq!(day("2026-03-29", "2026-03-30"), Duration::zero());
        assert_eq!(day("2026-10-25", "2026-10-26"), hours(2));
        // 02:30-03:30 on the fall-back day: 02:30-03:00 CEST (00:30-01:00Z),
        // all of 02:00-03:00 CET but only from 02:30 (01:30-02:00Z), then
        // 03:00-03:30 CET (02:00-02:30Z): 30 + 30 + 30 minutes.
        let cal = calendar("Europe/Berlin", "02:30-03:30", Some("02:30-03:30"), &[]);
        assert_eq!(
            cal.intervals(t("2026-10-25T00:00:00Z"), t("2026-10-26T00:00:00Z")),
            vec![
                (t("2026-10-25T00:30:00Z"), t("2026-10-25T01:00:00Z")),
                (t("2026-10-25T01:30:00Z"), t("2026-10-25T02:30:00Z")),
            ]
        );
        // 01:30-03:30 on the spring-forward day: 01:30-02:00 CET (00:30-01:00Z)
        // and 03:00-03:30 CEST (01:00-01:30Z): one hour.
        // (The local day: its midnights are 23:00Z and 22:00Z.)
        let cal = calendar("Europe/Berlin", "01:30-03:30", Some("01:30-03:30"), &[]);
        assert_eq!(
            cal.working_time(
                t("2026-03-29T00:00:00+01:00"),
                t("2026-03-30T00:00:00+02:00")
            ),
            hours(1)
        );
    }

    #[test]
    fn new_york_transitions() {
        // America/New_York, all-day calendar: Sun 2026-03-08 has 23h, Sun 11-01 25h.
        let cal = calendar("America/New_York", "00:00-24:00", Some("00:00-24:00"), &[]);
        assert_eq!(
            cal.working_time(
                t("2026-03-08T00:00:00-05:00"),
                t("2026-03-09T00:00:00-04:00")
            ),
            hours(23)
        );
        assert_eq!(
            cal.working_time(
                t("2026-11-01T00:00:00-04:00"),
                t("2026-11-02T00:00:00-05:00")
            ),
            hours(25)
        );
    }

    #[test]
    fn office_hours_shift_with_the_zone() {
        // Berlin office 09:00-18:00: before 03-29 that is 08:00-17:00Z, after it
        // 07:00-16:00Z. Fri 03-27 17:00 CET (16:00Z) + 2h: 1h Friday, Mon 03-30
        // 09:00-10:00 CEST = 08:00Z.
        let cal = office("Europe/Berlin");
        assert_eq!(
            cal.add_working_time(t("2026-03-27T16:00:00Z"), hours(2)),
            Some(t("2026-03-30T08:00:00Z"))
        );
    }

    #[test]
    fn no_hours_is_never_due() {
        let cal = calendar("UTC", "09:00-18:00", None, &[]);
        let mut empty = cal.clone();
        empty.week = Default::default();
        assert_eq!(
            empty.add_working_time(t("2026-03-02T09:00:00Z"), hours(1)),
            None
        );
        assert_eq!(
            empty.working_time(t("2026-03-02T09:00:00Z"), t("2026-04-02T09:00:00Z")),
            Duration::zero()
        );
    }

    #[test]
    fn beyond_a_hundred_years_is_never_due() {
        let from = t("2026-03-02T09:00:00Z");
        let cal = BusinessCalendar::always();
        assert_eq!(cal.add_working_time(from, hours(999_999_999)), None);
        assert_eq!(
            cal.add_working_time(from, hours(24 * 366)),
            Some(t("2027-03-03T09:00:00Z"))
        );
    }

    #[test]
    fn reversed_range_is_zero() {
        let cal = office("UTC");
        assert_eq!(
            cal.working_time(t("2026-03-03T10:00:00Z"), t("2026-03-02T10:00:00Z")),
            Duration::zero()
        );
    }
}
