//! Durations as written in gitsm.yaml: `15m`, `4h`, `1h30m`.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A span of (working or wall) time, in whole minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration {
    minutes: i64,
}

impl Duration {
    pub const fn minutes(minutes: i64) -> Self {
        Duration { minutes }
    }

    pub const fn hours(hours: i64) -> Self {
        Duration {
            minutes: hours * 60,
        }
    }

    pub fn as_minutes(self) -> i64 {
        self.minutes
    }

    pub fn to_chrono(self) -> chrono::Duration {
        chrono::Duration::minutes(self.minutes)
    }
}

impl FromStr for Duration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("invalid duration `{s}` (write e.g. 15m, 4h or 1h30m)");
        let mut rest = s.trim();
        if rest.is_empty() {
            return Err(bad());
        }
        let mut minutes: i64 = 0;
        let mut last_unit = None;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || digits > 9 {
                return Err(bad());
            }
            let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
            let unit = rest[digits..].chars().next().ok_or_else(bad)?;
            let factor = match unit {
                'h' if last_unit.is_none() => 60,
                'm' if last_unit != Some('m') => 1,
                _ => return Err(bad()),
            };
            minutes += n * factor;
            last_unit = Some(unit);
            rest = &rest[digits + 1..];
        }
        Ok(Duration { minutes })
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m) = (self.minutes / 60, self.minutes % 60);
        match (h, m) {
            (0, m) => write!(f, "{m}m"),
            (h, 0) => write!(f, "{h}h"),
            (h, m) => write!(f, "{h}h{m}m"),
        }
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A duration in hours and minutes, e.g. 15m, 4h, 1h30m. On a business calendar it counts working time only.",
            "type": "string",
            "pattern": "^([0-9]+h)?([0-9]+m)?$",
            "minLength": 2,
            "examples": ["15m", "4h", "1h30m"]
        })
    }
}

/// A span of calendar days, as written in gitsm.yaml and on the command
/// line: `90d`. Access grants run for days, whatever the working hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Days(pub u32);

impl Days {
    pub fn to_chrono(self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.0))
    }
}

impl FromStr for Days {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .strip_suffix('d')
            .filter(|n| !n.is_empty() && n.len() <= 6 && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse().ok())
            .map(Days)
            .ok_or_else(|| format!("invalid number of days `{s}` (write e.g. 14d or 90d)"))
    }
}

impl fmt::Display for Days {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}d", self.0)
    }
}

impl Serialize for Days {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Days {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Days {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Days".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A number of calendar days, e.g. 14d, 90d.",
            "type": "string",
            "pattern": "^[0-9]{1,6}d$",
            "examples": ["14d", "90d"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_contract_examples() {
        assert_eq!("15m".parse::<Duration>(), Ok(Duration::minutes(15)));
        assert_eq!("4h".parse::<Duration>(), Ok(Duration::minutes(240)));
        assert_eq!("1h30m".parse::<Duration>(), Ok(Duration::minutes(90)));
        assert_eq!("27h".parse::<Duration>(), Ok(Duration::hours(27)));
    }

    #[test]
    fn refuses_garbage() {
        for bad in ["", "h", "15", "1m30h", "4hh", "-3h", "1.5h", "10x"] {
            assert!(bad.parse::<Duration>().is_err(), "{bad}");
        }
    }

    #[test]
    fn days_parse_and_display() {
        assert_eq!("90d".parse::<Days>(), Ok(Days(90)));
        assert_eq!(Days(14).to_string(), "14d");
        for bad in ["", "d", "14", "-3d", "1.5d", "14h"] {
            assert!(bad.parse::<Days>().is_err(), "{bad}");
        }
    }

    #[test]
    fn displays_compactly() {
        assert_eq!(Duration::minutes(90).to_string(), "1h30m");
        assert_eq!(Duration::minutes(45).to_string(), "45m");
        assert_eq!(Duration::hours(4).to_string(), "4h");
    }
}
