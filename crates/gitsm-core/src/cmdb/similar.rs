//! Similar incidents, matching known errors and knowledge articles: how a
//! failure like this one was fixed before.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::model::{Incident, Problem, Record, Timestamp};
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

/// A published knowledge article that may help with a ticket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleMatch {
    pub id: String,
    pub title: String,
    /// It documents the ticket's problem (or the problem itself).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub documents_problem: bool,
    /// CIs both name (the ticket's service and affected CIs; the
    /// article's services and CIs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shared_cis: Vec<String>,
    /// The ticket's category is one of the article's.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub same_category: bool,
    /// Words the article's title and symptoms share with the ticket's
    /// title and symptoms.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shared_words: Vec<String>,
}

/// Similar incidents, newest first, and matching known errors and
/// published knowledge articles, best first.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Similar {
    pub incidents: Vec<SimilarIncident>,
    pub known_errors: Vec<KnownErrorMatch>,
    pub articles: Vec<ArticleMatch>,
}

/// What a ticket offers to match knowledge articles against.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The problem the ticket is (an incident's `problem`, a problem's id).
    pub problem: Option<&'a str>,
    pub service: Option<&'a str>,
    pub cis: &'a [String],
    pub category: Option<&'a str>,
    /// Title and symptoms.
    pub text: &'a str,
}

/// The published knowledge articles that may help with `subject`, best
/// first: those documenting its problem, then by CIs and words shared.
/// An article matches by its problem, a shared service or CI, its category
/// or a significant word of its title and symptoms.
pub fn articles(loaded: &Loaded, subject: &Subject<'_>) -> Vec<ArticleMatch> {
    let mine = cis_of(subject.service, subject.cis);
    let my_words = words(subject.text);
    let mut out: Vec<ArticleMatch> = loaded
        .records()
        .filter_map(|(_, r)| match r {
            Record::Article(a) if a.is_published() => Some(a),
            _ => None,
        })
        .filter_map(|a| {
            let theirs: BTreeSet<&str> = a
                .services
                .iter()
                .chain(&a.cis)
                .map(String::as_str)
                .collect();
            let mut their_text = a.title.clone();
            for s in &a.symptoms {
                their_text.push(' ');
                their_text.push_str(s);
            }
            let m = ArticleMatch {
                id: a.id.clone(),
                title: a.title.clone(),
                documents_problem: subject
                    .problem
                    .is_some_and(|p| a.problems.iter().any(|x| x == p)),
                shared_cis: mine
                    .intersection(&theirs)
                    .map(|s| (*s).to_owned())
                    .collect(),
                same_category: subject
                    .category
                    .is_some_and(|c| a.categories.iter().any(|x| x == c)),
                shared_words: my_words
                    .intersection(&words(&their_text))
                    .cloned()
                    .collect(),
            };
            (m.documents_problem
                || !m.shared_cis.is_empty()
                || m.same_category
                || !m.shared_words.is_empty())
            .then_some(m)
        })
        .collect();
    out.sort_by(|a, b| {
        let key = |m: &ArticleMatch| {
            (
                !m.documents_problem,
                std::cmp::Reverse(
                    m.shared_cis.len() + m.shared_words.len() + usize::from(m.same_category),
                ),
            )
        };
        key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
    out
}

/// The title and symptom(s) of a ticket, as one text to match words in.
fn text_of(title: &str, symptom: Option<&str>) -> String {
    match symptom {
        Some(s) => format!("{title} {s}"),
        None => title.to_owned(),
    }
}

/// The knowledge articles that may help with problem `p`.
pub fn problem_articles(loaded: &Loaded, p: &Problem) -> Vec<ArticleMatch> {
    let text = text_of(&p.title, p.symptoms.as_deref());
    articles(
        loaded,
        &Subject {
            problem: Some(&p.id),
            service: p.service.as_deref(),
            cis: &p.affected_cis,
            category: p.category.as_deref(),
            text: &text,
        },
    )
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

/// The statuses of the incidents [`similar`] offers: those resolved, whose
/// resolution may help.
pub const SIMILAR_STATUSES: [&str; 2] = ["resolved", "closed"];

/// Resolved and closed incidents on the same CI(s), or on the same service
/// with the same category, newest first; and known errors whose CIs
/// intersect the incident's or whose symptoms share words with its title
/// and symptom.
pub fn similar(loaded: &Loaded, incident: &Incident) -> Similar {
    let mine = cis_of(incident.service.as_deref(), &incident.affected_cis);
    let text = text_of(&incident.title, incident.symptom.as_deref());
    let my_words = words(&text);

    let mut out = Similar {
        articles: articles(
            loaded,
            &Subject {
                problem: incident.problem.as_deref(),
                service: incident.service.as_deref(),
                cis: &incident.affected_cis,
                category: incident.category.as_deref(),
                text: &text,
            },
        ),
        ..Similar::default()
    };
    for (_, record) in loaded.records() {
        match record {
            Record::Incident(other) if other.id != incident.id => {
                if !SIMILAR_STATUSES.contains(&other.status.as_str()) {
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
