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
