//! The knowledge base: articles drafted from known errors, their reviews,
//! and how often each resolved an incident. The one definition the CLI,
//! the report and the site read.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::model::{Article, Problem, Record};

/// The fields of a new article drafted from problem `p`: its title,
/// service, CIs, category and symptoms, the problem linked, and a body
/// with its root cause and workaround (what a desk engineer needs).
pub fn draft_from_problem(p: &Problem) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("title".into(), json!(p.title));
    let list = |v: Option<&String>| v.map(|s| vec![s.clone()]).unwrap_or_default();
    let services = list(p.service.as_ref());
    if !services.is_empty() {
        fields.insert("services".into(), json!(services));
    }
    if !p.affected_cis.is_empty() {
        fields.insert("cis".into(), json!(p.affected_cis));
    }
    let categories = list(p.category.as_ref());
    if !categories.is_empty() {
        fields.insert("categories".into(), json!(categories));
    }
    let symptoms = list(p.symptoms.as_ref());
    if !symptoms.is_empty() {
        fields.insert("symptoms".into(), json!(symptoms));
    }
    fields.insert("problems".into(), json!([p.id]));
    fields.insert("body".into(), json!(body_from_problem(p)));
    fields
}

/// The Markdown of an article drafted from problem `p`.
fn body_from_problem(p: &Problem) -> String {
    let mut body = format!("# {}\n", p.title);
    let mut section = |heading: &str, text: Option<&str>| {
        if let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) {
            body.push_str(&format!("\n## {heading}\n\n{text}\n"));
        }
    };
    section("Symptoms", p.symptoms.as_deref());
    section("Cause", p.root_cause.as_deref());
    section("Workaround", p.workaround.as_deref());
    let fix = p
        .fix_change
        .as_ref()
        .map(|c| format!("Change {c} removes the cause."));
    section("Fix", fix.as_deref());
    body.push_str(&format!("\nDrafted from {}.\n", p.id));
    body
}

/// Whether a published article is past its review date on `today`.
pub fn review_overdue(a: &Article, today: NaiveDate) -> bool {
    a.is_published() && a.review_by.is_some_and(|d| d < today)
}

/// The knowledge base in figures: what the report's section shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KnowledgeFigures {
    /// Articles in each state.
    pub published: usize,
    pub drafts: usize,
    pub retired: usize,
    /// Published articles past their review date.
    pub review_overdue: Vec<String>,
    /// Incidents resolved with each article (`resolution.article`), the
    /// articles named at least once, most used first.
    pub uses: Vec<ArticleUse>,
}

/// How often one article resolved an incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleUse {
    pub id: String,
    pub title: String,
    pub incidents: usize,
}

/// The knowledge base's figures over `records`, reviews judged on `today`;
/// uses counted over the incidents `counted` accepts (the report's period).
pub fn figures<'r>(
    records: impl Iterator<Item = &'r Record> + Clone,
    today: NaiveDate,
    counted: impl Fn(&Record) -> bool,
) -> KnowledgeFigures {
    let mut out = KnowledgeFigures::default();
    let mut titles: BTreeMap<&str, &str> = BTreeMap::new();
    for r in records.clone() {
        if let Record::Article(a) = r {
            titles.insert(&a.id, &a.title);
            match a.status.as_str() {
                crate::model::PUBLISHED => out.published += 1,
                "draft" => out.drafts += 1,
                "retired" => out.retired += 1,
                _ => {}
            }
            if review_overdue(a, today) {
                out.review_overdue.push(a.id.clone());
            }
        }
    }
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for r in records {
        if let Record::Incident(i) = r
            && let Some(article) = i.resolution.as_ref().and_then(|x| x.article.as_deref())
            && counted(r)
        {
            *uses.entry(article).or_default() += 1;
        }
    }
    out.uses = uses
        .into_iter()
        .map(|(id, incidents)| ArticleUse {
            id: id.to_owned(),
            title: titles.get(id).copied().unwrap_or_default().to_owned(),
            incidents,
        })
        .collect();
    out.uses
        .sort_by(|a, b| b.incidents.cmp(&a.incidents).then_with(|| a.id.cmp(&b.id)));
    out.review_overdue.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::Kind;

    fn record(kind: Kind, yaml: &str) -> Record {
        let json = crate::yaml::parse(yaml).expect("yaml").to_json();
        Record::from_json(kind, json).unwrap_or_else(|e| panic!("{e}:\n{yaml}"))
    }

    fn article(id: &str, rest: &str) -> Record {
        record(Kind::Article, &format!("id: {id}\ntitle: {id}\n{rest}"))
    }

    fn incident(id: &str, article: Option<&str>) -> Record {
        let named = article.map_or(String::new(), |a| format!(", article: {a}"));
        record(
            Kind::Incident,
            &format!(
                "id: {id}\ntitle: {id}\nstatus: resolved\nreported_by: a@example.com\n\
                 created_at: 2026-11-01T09:00:00Z\nimpact: low\nurgency: low\n\
                 resolution: {{ code: fixed, notes: Done{named} }}"
            ),
        )
    }

    #[test]
    fn figures_count_states_overdue_reviews_and_uses_in_the_period() {
        let records = [
            article("KB-1", "status: published\nreview_by: 2026-11-30"),
            article("KB-2", "status: published\nreview_by: 2026-12-01"),
            article("KB-3", "status: draft\nreview_by: 2026-01-01"),
            article("KB-4", "status: retired"),
            incident("INC-1", Some("KB-2")),
            incident("INC-2", Some("KB-1")),
            incident("INC-3", Some("KB-2")),
            incident("INC-4", None),
            // Outside the period (the predicate below).
            incident("INC-5", Some("KB-1")),
        ];
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let f = figures(records.iter(), today, |r| r.id() != "INC-5");
        assert_eq!((f.published, f.drafts, f.retired), (2, 1, 1));
        // KB-1 is due the day before; KB-2 is due today (not yet overdue);
        // KB-3 is a draft.
        assert_eq!(f.review_overdue, ["KB-1"]);
        let uses: Vec<(&str, usize)> = f
            .uses
            .iter()
            .map(|u| (u.id.as_str(), u.incidents))
            .collect();
        assert_eq!(uses, [("KB-2", 2), ("KB-1", 1)]);
    }

    #[test]
    fn a_draft_from_a_problem_carries_its_cause_and_workaround() {
        let Record::Problem(p) = record(
            Kind::Problem,
            "id: PRB-7\ntitle: Slow search\nstatus: known_error\nreported_by: a@example.com\n\
             created_at: 2026-11-01T09:00:00Z\nservice: desk\naffected_cis: [pc-1]\n\
             root_cause: Index rebuild.\nworkaround: Search online.\nknown_error: true",
        ) else {
            panic!("not a problem");
        };
        let fields = draft_from_problem(&p);
        assert_eq!(fields["problems"], json!(["PRB-7"]));
        assert_eq!(fields["services"], json!(["desk"]));
        assert_eq!(fields["cis"], json!(["pc-1"]));
        assert_eq!(
            fields["body"],
            json!(
                "# Slow search\n\n## Cause\n\nIndex rebuild.\n\n## Workaround\n\nSearch online.\n\nDrafted from PRB-7.\n"
            )
        );
    }
}
