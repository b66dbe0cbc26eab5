//! Record ids: the next free one, and CI slugs.

use std::hash::{BuildHasher, Hasher};

use crate::config::{IdPolicy, IdScheme};
use crate::kind::Kind;

/// Crockford base 32 without I, L, O, U: unambiguous when read aloud.
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The next id for a ticket of `kind` created in `year`, not in `taken`;
/// none when the highest taken is the last number there is (an id the
/// user gives is the way on).
pub fn next_ticket_id<'a>(
    policy: &IdPolicy,
    kind: Kind,
    year: i32,
    taken: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let prefix = policy.prefix(kind).unwrap_or("REC");
    let width = usize::from(policy.width);
    let taken: Vec<&str> = taken.into_iter().collect();
    match policy.scheme {
        IdScheme::Sequential => {
            let head = format!("{prefix}-");
            let n = highest(&taken, &head).checked_add(1)?;
            Some(format!("{head}{n:0width$}"))
        }
        IdScheme::Yearly => {
            let head = format!("{prefix}-{year}-");
            let n = highest(&taken, &head).checked_add(1)?;
            Some(format!("{head}{n:0width$}"))
        }
        IdScheme::Random => loop {
            let id = format!("{prefix}-{}", random_code(6));
            if !taken.contains(&id.as_str()) {
                return Some(id);
            }
        },
    }
}

/// Highest number `n` among ids of the form `{head}{n}`.
fn highest(taken: &[&str], head: &str) -> u64 {
    taken
        .iter()
        .filter_map(|id| id.strip_prefix(head))
        .filter(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|rest| rest.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
}

fn random_code(len: usize) -> String {
    // RandomState is seeded from the OS for every instance.
    let mut bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    (0..len)
        .map(|_| {
            let c = ALPHABET[(bits % 32) as usize] as char;
            bits /= 32;
            c
        })
        .collect()
}

/// A CI id derived from its name: `Payments API` -> `payments-api`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_takes_next_after_highest() {
        let p = IdPolicy::default();
        assert_eq!(
            next_ticket_id(
                &p,
                Kind::Incident,
                2026,
                ["INC-0001", "INC-0041", "CHG-0100"]
            )
            .as_deref(),
            Some("INC-0042")
        );
        assert_eq!(
            next_ticket_id(&p, Kind::Change, 2026, []).as_deref(),
            Some("CHG-0001")
        );
    }

    #[test]
    fn no_id_follows_the_last_number() {
        // It wrapped to INC-0000, an id that may be taken elsewhere: a
        // creator retrying the next id never ended.
        let p = IdPolicy::default();
        let last = format!("INC-{}", u64::MAX);
        assert_eq!(
            next_ticket_id(&p, Kind::Incident, 2026, [last.as_str()]),
            None
        );
    }

    #[test]
    fn yearly_counts_within_the_year() {
        let p = IdPolicy {
            scheme: IdScheme::Yearly,
            ..IdPolicy::default()
        };
        assert_eq!(
            next_ticket_id(&p, Kind::Incident, 2026, ["INC-2025-0100", "INC-2026-0007"]).as_deref(),
            Some("INC-2026-0008")
        );
    }

    #[test]
    fn random_ids_have_the_prefix_and_six_characters() {
        let p = IdPolicy {
            scheme: IdScheme::Random,
            ..IdPolicy::default()
        };
        let id = next_ticket_id(&p, Kind::Problem, 2026, []).unwrap_or_default();
        assert!(id.starts_with("PRB-") && id.len() == 10, "{id}");
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Payments API"), "payments-api");
        assert_eq!(slug("  DB  (primary) "), "db-primary");
    }
}
