//! Access grants: a request for a catalogue item that `grants` access
//! (VPN for a contractor, admin rights) gives it until an expiry — the
//! request's `expires_at`, else `fulfilled_at` plus the item's
//! `grants.valid_for` — after which the access must be revoked
//! (`revoked_at`). `validate` and `gitsm list request --expiring` read
//! the standing of a grant from here.

use serde::Serialize;

use crate::config::Config;
use crate::duration::Days;
use crate::model::{Record, Request, Timestamp};

/// How long before expiry a grant is reported when its item does not say.
pub const DEFAULT_WARN_BEFORE: Days = Days(14);

/// Where a grant stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Granted, and not due to expire within the warning window.
    Active,
    /// Expires within the warning window.
    Expiring,
    /// Past its expiry, with no revocation recorded.
    Expired,
}

impl Standing {
    pub fn name(self) -> &'static str {
        match self {
            Standing::Active => "active",
            Standing::Expiring => "expiring",
            Standing::Expired => "expired",
        }
    }
}

/// A standing grant: access given by a fulfilled request and not revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// The request that granted it.
    pub id: String,
    pub catalog_item: String,
    /// Who holds the access: `requested_for`, else the requester.
    pub holder: String,
    pub expires_at: Timestamp,
    /// The JSON pointer of the fact that sets the expiry (`/expires_at`,
    /// else `/fulfilled_at`), for diagnostics.
    #[serde(skip)]
    pub pointer: &'static str,
    /// How long before expiry it is reported.
    #[serde(skip)]
    pub warn_before: Days,
}

impl Grant {
    /// The grant a request holds: `None` before fulfilment, once revoked,
    /// and when neither the request nor its item sets an expiry.
    pub fn of(config: &Config, request: &Request) -> Option<Grant> {
        if request.revoked_at.is_some()
            || !matches!(request.status.as_str(), "fulfilled" | "closed")
        {
            return None;
        }
        let policy = config
            .catalog
            .get(&request.catalog_item)
            .and_then(|item| item.grants.as_ref());
        let (expires_at, pointer) = match (request.expires_at, policy, request.fulfilled_at) {
            (Some(at), _, _) => (at, "/expires_at"),
            (None, Some(p), Some(fulfilled)) => {
                (fulfilled + p.valid_for.to_chrono(), "/fulfilled_at")
            }
            _ => return None,
        };
        Some(Grant {
            id: request.id.clone(),
            catalog_item: request.catalog_item.clone(),
            holder: request
                .requested_for
                .clone()
                .unwrap_or_else(|| request.requested_by.clone()),
            expires_at,
            pointer,
            warn_before: policy.map_or(DEFAULT_WARN_BEFORE, |p| p.warn_before),
        })
    }

    /// Where it stands at `at`, warning `within` before expiry (the item's
    /// `warn_before` when `None`).
    pub fn standing(&self, at: Timestamp, within: Option<Days>) -> Standing {
        let within = within.unwrap_or(self.warn_before);
        if at >= self.expires_at {
            Standing::Expired
        } else if at >= self.expires_at - within.to_chrono() {
            Standing::Expiring
        } else {
            Standing::Active
        }
    }
}

/// The grants of `records` that expire within `within` of `at` or have
/// expired without a revocation, soonest first.
pub fn due<'a>(
    config: &Config,
    records: impl IntoIterator<Item = &'a Record>,
    at: Timestamp,
    within: Days,
) -> Vec<(Grant, Standing)> {
    let mut due: Vec<(Grant, Standing)> = records
        .into_iter()
        .filter_map(|r| match r {
            Record::Request(req) => Grant::of(config, req),
            _ => None,
        })
        .map(|g| {
            let standing = g.standing(at, Some(within));
            (g, standing)
        })
        .filter(|(_, s)| *s != Standing::Active)
        .collect();
    due.sort_by(|a, b| (a.0.expires_at, &a.0.id).cmp(&(b.0.expires_at, &b.0.id)));
    due
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let mut config = Config::default();
        let mut item = config.catalog["install-os"].clone();
        item.grants = Some(crate::config::GrantPolicy {
            valid_for: Days(90),
            warn_before: Days(14),
        });
        config.catalog.insert("vpn".into(), item);
        config
    }

    fn request(extra: &str) -> Request {
        let yaml = format!(
            "id: REQ-1\ntitle: VPN\nstatus: fulfilled\ncreated_at: 2026-08-01T09:00:00Z\n\
             requested_by: ann\ncatalog_item: vpn\nfulfilled_at: 2026-08-01T10:00:00Z\n{extra}"
        );
        let json = crate::yaml::parse(&yaml).expect("yaml").to_json();
        serde_json::from_value(json).expect("request")
    }

    fn at(s: &str) -> Timestamp {
        s.parse().expect("instant")
    }

    #[test]
    fn a_grant_runs_from_fulfilment_for_the_items_days() {
        // 1 August 10:00 + 90 days = 30 October 10:00; warned from 16 October 10:00.
        let grant = Grant::of(&config(), &request("")).expect("a grant");
        assert_eq!(grant.expires_at, at("2026-10-30T10:00:00Z"));
        assert_eq!(grant.holder, "ann");
        let standing = |t: &str| grant.standing(at(t), None);
        assert_eq!(standing("2026-10-16T09:59:59Z"), Standing::Active);
        assert_eq!(standing("2026-10-16T10:00:00Z"), Standing::Expiring);
        assert_eq!(standing("2026-10-30T09:59:59Z"), Standing::Expiring);
        assert_eq!(standing("2026-10-30T10:00:00Z"), Standing::Expired);
    }

    #[test]
    fn expires_at_wins_and_a_revocation_or_no_fulfilment_ends_the_grant() {
        let grant =
            Grant::of(&config(), &request("expires_at: 2026-09-01T00:00:00Z")).expect("a grant");
        assert_eq!(grant.expires_at, at("2026-09-01T00:00:00Z"));
        assert!(Grant::of(&config(), &request("revoked_at: 2026-10-01T00:00:00Z")).is_none());
        let mut open = request("");
        open.status = "in_fulfillment".into();
        assert!(Grant::of(&config(), &open).is_none());
        // An item without `grants` gives no grant unless the request sets one.
        let mut other = request("");
        other.catalog_item = "install-os".into();
        assert!(Grant::of(&config(), &other).is_none());
    }
}
