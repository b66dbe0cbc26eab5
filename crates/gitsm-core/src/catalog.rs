//! The service catalogue as people read it: what each item is, who owns
//! it, what it covers, its targets and approval rule in words, how to ask
//! for it, and how its requests have fared (fulfilment within target and
//! satisfaction, from the report). The site's catalogue pages show these;
//! nothing here is computed anywhere else.

use serde::Serialize;

use crate::config::{CatalogItem, CatalogScope, Config};
use crate::duration::Duration;
use crate::report::{Compliance, CsatRow, Report};

/// One catalogue item, ready to read.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The key in `catalog` (what `catalog_item` names).
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    pub category: Option<String>,
    /// The owner's handle and name (the handle when `people` lacks it).
    pub owner: Option<Owner>,
    pub audience: Option<String>,
    pub includes: Vec<String>,
    pub excludes: Vec<String>,
    /// A scope written as text (Markdown).
    pub scope_text: Option<String>,
    /// "Acknowledged within 30 minutes and fulfilled within 8 hours of
    /// working time on the `office` calendar."
    pub targets: String,
    /// "One approval from `service-desk-leads`", or "No approval needed."
    pub approval: String,
    /// The command that opens a request for it.
    pub request_command: String,
    /// Fields a request must carry once approved.
    pub request_fields: Vec<String>,
    /// "Access lasts 90 days from fulfilment, ...", for items that grant it.
    pub grants: Option<String>,
    /// Requests for it so far: fulfilment clocks decided, and the share met.
    pub fulfilment: Option<Compliance>,
    /// Requests for it opened so far.
    pub opened: usize,
    /// Satisfaction of its fulfilled requests.
    pub satisfaction: Option<CsatRow>,
    /// `92.9% (13 of 14)`, or `None` before any clock was decided.
    pub fulfilment_shown: Option<String>,
    /// `80.0% of 5 scores, mean 4.20`, or `None` without feedback.
    pub satisfaction_shown: Option<String>,
}

/// Who answers for an item.
#[derive(Debug, Clone, Serialize)]
pub struct Owner {
    pub handle: String,
    pub name: String,
}

/// Every item of `config`'s catalogue, by category then key, with its
/// figures from `report` (the report of the period to show, e.g. every
/// month so far) when there is one.
pub fn entries(config: &Config, report: Option<&Report<'_>>) -> Vec<Entry> {
    let mut out: Vec<Entry> = config
        .catalog
        .iter()
        .map(|(key, item)| entry(config, key, item, report))
        .collect();
    out.sort_by(|a, b| (&a.category, &a.key).cmp(&(&b.category, &b.key)));
    out
}

fn entry(config: &Config, key: &str, item: &CatalogItem, report: Option<&Report<'_>>) -> Entry {
    let (includes, excludes, scope_text) = match &item.scope {
        Some(CatalogScope::Lists(l)) => (l.includes.clone(), l.excludes.clone(), None),
        Some(CatalogScope::Text(t)) => (Vec::new(), Vec::new(), Some(t.clone())),
        None => (Vec::new(), Vec::new(), None),
    };
    let row = report.and_then(|r| r.requests.by_item.iter().find(|i| i.item == key));
    let satisfaction = report.and_then(|r| {
        r.satisfaction
            .by_item
            .iter()
            .find(|i| i.key == key)
            .cloned()
    });
    let fulfilment = row.map(|r| r.fulfilment.clone());
    Entry {
        fulfilment_shown: fulfilment.as_ref().and_then(|c| {
            let decided = c.met + c.missed;
            Some(format!("{:.1}% ({} of {decided})", c.percent?, c.met))
        }),
        satisfaction_shown: satisfaction.as_ref().and_then(|s| {
            Some(format!(
                "{:.1}% of {} score{}, mean {:.2}",
                s.csat.percent?,
                s.scores,
                if s.scores == 1 { "" } else { "s" },
                s.mean?
            ))
        }),
        key: key.to_owned(),
        name: item.name.clone(),
        description: item.description.clone(),
        category: item.category.clone(),
        owner: item.owner.as_ref().map(|handle| Owner {
            handle: handle.clone(),
            name: config
                .people
                .get(handle)
                .map_or_else(|| handle.clone(), |p| p.name.clone()),
        }),
        audience: item.audience.clone(),
        includes,
        excludes,
        scope_text,
        targets: targets_in_words(item),
        approval: approval_in_words(item),
        request_command: format!("gitsm new request --item {key} --title '...'"),
        request_fields: item.request_fields.clone(),
        grants: item.grants.as_ref().map(|g| {
            format!(
                "Access lasts {} from fulfilment (unless the request sets `expires_at`); it is flagged {} before it ends and must then be revoked (`revoked_at`).",
                days_in_words(g.valid_for.0),
                days_in_words(g.warn_before.0)
            )
        }),
        fulfilment,
        opened: row.map_or(0, |r| r.opened),
        satisfaction,
    }
}

/// `1 hour 30 minutes`, `8 hours`, `10 minutes`.
pub fn duration_in_words(d: Duration) -> String {
    let (h, m) = (d.as_minutes() / 60, d.as_minutes() % 60);
    let unit = |n: i64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match (h, m) {
        (0, m) => unit(m, "minute"),
        (h, 0) => unit(h, "hour"),
        (h, m) => format!("{} {}", unit(h, "hour"), unit(m, "minute")),
    }
}

fn days_in_words(n: u32) -> String {
    format!("{n} day{}", if n == 1 { "" } else { "s" })
}

/// The item's response and fulfilment targets as a sentence.
pub fn targets_in_words(item: &CatalogItem) -> String {
    let clock = match &item.calendar {
        Some(c) => format!("of working time on the {c} calendar"),
        None => "around the clock".to_owned(),
    };
    format!(
        "Acknowledged within {} and fulfilled within {}, {clock}.",
        duration_in_words(item.response),
        duration_in_words(item.fulfilment)
    )
}

/// The item's approval rule as a sentence.
pub fn approval_in_words(item: &CatalogItem) -> String {
    match &item.approval {
        Some(rule) if rule.approvals > 0 => {
            let n = match rule.approvals {
                1 => "One approval".to_owned(),
                n => format!("{n} approvals"),
            };
            let from = rule
                .from
                .as_ref()
                .map_or_else(String::new, |g| format!(" from a member of {g}"));
            format!("{n}{from} before fulfilment (not the requester, nor the person it is for).")
        }
        _ => "No approval needed.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_words() {
        assert_eq!(
            duration_in_words(Duration::minutes(90)),
            "1 hour 30 minutes"
        );
        assert_eq!(duration_in_words(Duration::hours(8)), "8 hours");
        assert_eq!(duration_in_words(Duration::minutes(1)), "1 minute");
    }
}
