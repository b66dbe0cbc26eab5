//! Similar incidents and matching known errors: how a failure like this one
//! was fixed before.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::model::{Incident, Record, Timestamp};
use crate::records::Loaded;

/// A resolved or closed incident like the one being looked at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimilarIncident {
    pub id: String,
    pub title: String,
    pub status: String,
    /// When it was resolved (or closed, or opened, whichever is known first).
    pub at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution_notes: Option<String>,
    /// CIs both incidents name (affected CIs or service).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shared_cis: Vec<String>,
    /// Same service and same category.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub same_service_and_category: bool,
}

/// A known error (a problem with `known_error: true`) that may explain the incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnownErrorMatch {
    pub id: String,
    pub title: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workaround: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<String>,
    /// CIs both name (affected CIs or service).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shared_cis: Vec<String>,
    /// Words its symptoms (or title) share with the incident's title and symptom.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shared_words: Vec<String>,
}

/// Similar incidents, newest first, and matching known errors, best first.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Similar {
    pub incidents: Vec<SimilarIncident>,
    pub known_errors: Vec<KnownErrorMatch>,
}

/// Words too common in ticket titles to say that two failures are alike.
const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "not", "with", "from", "after", "before", "when", "while", "are", "was",
    "were", "has", "have", "had", "can", "cannot", "cant", "does", "doesnt", "dont", "into",
    "onto", "out", "all", "any", "some", "this", "that", "there", "their", "them", "they", "our",
    "you", "your", "who", "why", "how", "what", "new", "issue", "issues", "problem", "problems",
    "error", "errors", "fail", "fails", "failed", "failing", "failure", "working", "work", "works",
    "broken", "user", "users", "please", "again", "other", "via", "per",
];

/// The significant words of `text`: lower case, three letters or more, not
/// a stop word.
pub(super) fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect()
}

fn cis_of<'a>(service: Option<&'a str>, affected: &'a [String]) -> BTreeSet<&'a str> {
    service
        .into_iter()
        .chain(affected.iter().map(String::as_str))
        .collect()
}

/// Resolved and closed incidents on the same CI(s), or on the same service
/// with the same category, newest first; and known errors whose CIs
/// intersect the incident's or whose symptoms share words with its title
/// and symptom.
pub fn similar(loaded: &Loaded, incident: &Incident) -> Similar {
    let mine = cis_of(incident.service.as_deref(), &incident.affected_cis);
    let mut text = incident.title.clone();
    if let Some(s) = &incident.symptom {
        text.push(' ');
        text.push_str(s);
    }
    let my_words = words(&text);

    let mut out = Similar::default();
    for (_, record) in loaded.records() {
        match record {
            Record::Incident(other) if other.id != incident.id => {
                if !matches!(other.status.as_str(), "resolved" | "closed") {
                    continue;
                }
                let theirs = cis_of(other.service.as_deref(), &other.affected_cis);
                let shared_cis: Vec<String> = mine
                    .intersection(&theirs)
                    .map(|s| (*s).to_owned())
                    .collect();
                let same_service_and_category = incident.service.is_some()
                    && incident.category.is_some()
                    && other.service == incident.service
                    && other.category == incident.category;
                if shared_cis.is_empty() && !same_service_and_category {
                    continue;
                }
                out.incidents.push(SimilarIncident {
                    id: other.id.clone(),
                    title: other.title.clone(),
                    status: other.status.clone(),
                    at: other
                        .resolved_at
                        .or(other.closed_at)
                        .unwrap_or(other.created_at),
                    resolution_code: other.resolution.as_ref().and_then(|r| r.code.clone()),
                    resolution_notes: other.resolution.as_ref().and_then(|r| r.notes.clone()),
                    shared_cis,
                    same_service_and_category,
                });
            }
            Record::Problem(p) if p.known_error && p.status != "cancelled" => {
                let theirs = cis_of(p.service.as_deref(), &p.affected_cis);
                let shared_cis: Vec<String> = mine
                    .intersection(&theirs)
                    .map(|s| (*s).to_owned())
                    .collect();
                let mut their_text = p.title.clone();
                if let Some(s) = &p.symptoms {
                    their_text.push(' ');
                    their_text.push_str(s);
                }
                let shared_words: Vec<String> = my_words
                    .intersection(&words(&their_text))
                    .cloned()
                    .collect();
                if shared_cis.is_empty() && shared_words.is_empty() {
                    continue;
                }
                out.known_errors.push(KnownErrorMatch {
                    id: p.id.clone(),
                    title: p.title.clone(),
                    status: p.status.clone(),
                    workaround: p.workaround.clone(),
                    root_cause: p.root_cause.clone(),
                    shared_cis,
                    shared_words,
                });
            }
            _ => {}
        }
    }
    out.incidents
        .sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    out.known_errors.sort_by(|a, b| {
        let key = |k: &KnownErrorMatch| {
            (
                k.shared_cis.is_empty(),
                std::cmp::Reverse(k.shared_words.len()),
            )
        };
        key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_drop_short_and_common_ones() {
        let w: Vec<String> = words("VPN login fails after the update, error 809")
            .into_iter()
            .collect();
        assert_eq!(w, ["809", "login", "update", "vpn"]);
        assert!(words("system_crash").contains("crash"));
    }
}
