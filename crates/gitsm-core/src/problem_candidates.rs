//! Problem candidates: incidents that recur without a problem behind them.
//!
//! Incidents are grouped by what they share — a CI they affect, a service
//! with a category, or a symptom — and a group of at least
//! `problem_candidates.min_incidents` opened within
//! `problem_candidates.window_days` of the first of them is a candidate
//! for problem management. An incident counts while it has no problem: no
//! `problem` field, and no problem lists it in its `links` (a closed
//! incident cannot take a `problem` any more, so `gitsm new problem
//! --from` links those from the problem's side). Cancelled incidents and
//! duplicates do not count. `validate` warns about each candidate and the
//! report lists them: both take them from [`candidates`].

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::config::Config;
use crate::model::{Incident, Record, Timestamp};

/// What the incidents of a candidate share.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Shared {
    /// A CI each of them affects (`affected_cis`).
    Ci { ci: String },
    /// A service, with the same category.
    ServiceCategory { service: String, category: String },
    /// A symptom.
    Symptom { symptom: String },
}

impl Shared {
    /// What is shared, for messages: "CI `db-01`".
    pub fn describe(&self) -> String {
        match self {
            Shared::Ci { ci } => format!("CI `{ci}`"),
            Shared::ServiceCategory { service, category } => {
                format!("service `{service}` with category `{category}`")
            }
            Shared::Symptom { symptom } => format!("symptom `{symptom}`"),
        }
    }

    /// The title of a problem opened for them.
    pub fn problem_title(&self, count: usize) -> String {
        match self {
            Shared::Ci { ci } => format!("Recurring incidents on {ci} ({count} incidents)"),
            Shared::ServiceCategory { service, category } => {
                format!("Recurring {category} incidents on {service} ({count} incidents)")
            }
            Shared::Symptom { symptom } => {
                format!("Recurring symptom: {symptom} ({count} incidents)")
            }
        }
    }
}

/// A group of incidents that suggests a problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub shared: Shared,
    /// Their ids, oldest first.
    pub incidents: Vec<String>,
    /// When the first and the last of them were opened.
    pub first: Timestamp,
    pub last: Timestamp,
}

/// Every candidate among `records`, ordered by what they share. A set of
/// incidents that shares several things (a CI and a symptom) is one
/// candidate, under the first of CI, service with category, symptom.
pub fn candidates<'r>(
    records: impl IntoIterator<Item = &'r Record>,
    config: &Config,
) -> Vec<Candidate> {
    let records: Vec<&Record> = records.into_iter().collect();
    let linked: HashSet<&str> = records
        .iter()
        .filter_map(|r| match r {
            Record::Problem(p) => Some(p.links.iter().map(String::as_str)),
            _ => None,
        })
        .flatten()
        .collect();
    let mut groups: BTreeMap<Shared, Vec<&Incident>> = BTreeMap::new();
    for r in &records {
        let Record::Incident(inc) = r else { continue };
        if !counts(inc, &linked) {
            continue;
        }
        for shared in shares(inc) {
            groups.entry(shared).or_default().push(inc);
        }
    }
    let policy = &config.problem_candidates;
    let min = usize::try_from(policy.min_incidents)
        .unwrap_or(usize::MAX)
        .max(2);
    let window = chrono::Duration::days(i64::from(policy.window_days));
    let mut out: Vec<Candidate> = Vec::new();
    let mut seen: HashSet<Vec<String>> = HashSet::new();
    for (shared, mut incidents) in groups {
        incidents.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let mut i = 0;
        while i < incidents.len() {
            let start = incidents[i].created_at;
            let end = i + incidents[i..]
                .iter()
                .take_while(|inc| inc.created_at - start <= window)
                .count();
            if end - i < min {
                i += 1;
                continue;
            }
            let members = &incidents[i..end];
            let ids: Vec<String> = members.iter().map(|m| m.id.clone()).collect();
            if seen.insert(ids.clone()) {
                out.push(Candidate {
                    shared: shared.clone(),
                    incidents: ids,
                    first: start,
                    last: members[members.len() - 1].created_at,
                });
            }
            i = end;
        }
    }
    out.sort_by(|a, b| (&a.shared, a.first).cmp(&(&b.shared, b.first)));
    out
}

/// Whether an incident counts towards a candidate: it has no problem and
/// is neither cancelled nor a duplicate.
fn counts(inc: &Incident, linked: &HashSet<&str>) -> bool {
    inc.problem.is_none()
        && !linked.contains(inc.id.as_str())
        && inc.duplicate_of.is_none()
        && inc.status != "cancelled"
}

/// What an incident could share with others.
pub(crate) fn shares(inc: &Incident) -> Vec<Shared> {
    let mut out: Vec<Shared> = inc
        .affected_cis
        .iter()
        .map(|ci| Shared::Ci { ci: ci.clone() })
        .collect();
    if let (Some(service), Some(category)) = (&inc.service, &inc.category) {
        out.push(Shared::ServiceCategory {
            service: service.clone(),
            category: category.clone(),
        });
    }
    if let Some(symptom) = &inc.symptom {
        out.push(Shared::Symptom {
            symptom: symptom.clone(),
        });
    }
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn incident(id: &str, day: u32, ci: &str, problem: Option<&str>) -> Record {
        let mut v = json!({
            "id": id, "title": id, "status": "new", "reported_by": "ann",
            "created_at": format!("2026-11-{day:02}T09:00:00Z"),
            "impact": "low", "urgency": "low", "affected_cis": [ci],
        });
        if let Some(p) = problem {
            v["problem"] = json!(p);
        }
        Record::from_json(crate::kind::Kind::Incident, v).expect("an incident")
    }

    #[test]
    fn three_within_the_window_make_one_candidate_two_do_not() {
        let config = Config::default();
        let three = [
            incident("INC-1", 2, "db", None),
            incident("INC-2", 5, "db", None),
            incident("INC-3", 8, "db", None),
            incident("INC-4", 8, "web", None),
        ];
        let found = candidates(&three, &config);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].shared, Shared::Ci { ci: "db".into() });
        assert_eq!(found[0].incidents, ["INC-1", "INC-2", "INC-3"]);
        assert!(candidates(&three[..2], &config).is_empty());
        let linked = [
            incident("INC-1", 2, "db", Some("PRB-1")),
            incident("INC-2", 5, "db", Some("PRB-1")),
            incident("INC-3", 8, "db", Some("PRB-1")),
        ];
        assert!(candidates(&linked, &config).is_empty());
    }

    #[test]
    fn the_window_counts_from_the_first_incident() {
        let config = Config::default();
        // 1 to 30 November is 29 days: inside a window of 30, not of 28.
        let spread = [
            incident("INC-1", 1, "db", None),
            incident("INC-2", 15, "db", None),
            incident("INC-3", 30, "db", None),
        ];
        assert_eq!(candidates(&spread, &config).len(), 1);
        let mut config = Config::default();
        config.problem_candidates.window_days = 28;
        assert!(candidates(&spread, &config).is_empty());
    }
}
