//! Business calendars: working hours per weekday in a time zone, holidays.

use chrono::NaiveTime;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
