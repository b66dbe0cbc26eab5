//! Major incidents on the site: the banner every page shows while one is
//! open, and a timeline page per major incident (`major/<id>.html`): its
//! communications updates, its state changes (from the record's stamps
//! and Git history), its commander and its post-incident review.

use serde::Serialize;

use crate::model::{Incident, Record};

use super::data::SiteData;
use super::timeline::{self, TimelineEntry};
use super::{fmt_time, paths};

/// An open major incident, as the banner names it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BannerItem {
    pub id: String,
    pub title: String,
    pub commander: Option<String>,
    /// Its timeline page, from the site root.
    pub href: String,
}

/// The page of one major incident.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MajorView {
    pub id: String,
    pub title: String,
    pub status: String,
    pub open: bool,
    pub priority: &'static str,
    pub commander: Option<String>,
    /// The record's page, from the site root.
    pub record: String,
    pub updates: usize,
    /// Updates, state changes, commander and review, oldest first.
    pub timeline: Vec<TimelineEntry>,
    pub review: Option<ReviewView>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReviewView {
    pub at: String,
    pub by: String,
    pub summary: String,
    pub actions: Vec<ActionView>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ActionView {
    pub text: String,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub problem: Option<String>,
    /// The problem's page, from the site root, when it exists.
    pub problem_href: Option<String>,
}

/// The page of a major incident, from the site root.
pub(crate) fn path(id: &str) -> String {
    format!("major/{}.html", paths::file_stem(id))
}

/// Every major incident, by id.
pub(crate) fn incidents<'d>(data: &'d SiteData<'_>) -> Vec<&'d Incident> {
    data.records
        .iter()
        .filter_map(|r| match r {
            Record::Incident(inc) if crate::priority::is_major(inc, data.config) => Some(inc),
            _ => None,
        })
        .collect()
}

/// Whether a major incident is still open: not resolved, not in a
/// terminal state.
fn is_open(data: &SiteData<'_>, inc: &Incident) -> bool {
    let flow = data
        .dataset
        .config()
        .kind_workflow(crate::kind::Kind::Incident);
    inc.resolved_at.is_none() && !flow.is_terminal(&inc.status)
}

/// The open major incidents, for the banner.
pub(crate) fn banner(data: &SiteData<'_>) -> Vec<BannerItem> {
    incidents(data)
        .into_iter()
        .filter(|inc| is_open(data, inc))
        .map(|inc| BannerItem {
            id: inc.id.clone(),
            title: inc.title.clone(),
            commander: inc.commander.clone(),
            href: path(&inc.id),
        })
        .collect()
}

/// The view of a major incident's page.
pub(crate) fn view(data: &SiteData<'_>, inc: &Incident) -> MajorView {
    let record = data
        .by_id
        .get(inc.id.as_str())
        .copied()
        .filter(|r| matches!(r, Record::Incident(_)));
    let timeline = record
        .map(|r| timeline::timeline(data, r))
        .unwrap_or_default()
        .into_iter()
        .filter(|e| !e.note)
        .collect();
    let review = inc.review.as_ref().map(|r| ReviewView {
        at: fmt_time(&r.at),
        by: r.by.clone(),
        summary: r.summary.clone(),
        actions: r
            .actions
            .iter()
            .map(|a| ActionView {
                text: a.text.clone(),
                owner: a.owner.clone(),
                due: a.due.map(|d| d.to_string()),
                problem: a.problem.clone(),
                problem_href: a
                    .problem
                    .as_deref()
                    .and_then(|p| data.by_id.get(p))
                    .map(|r| paths::record(r.kind(), r.id())),
            })
            .collect(),
    });
    MajorView {
        id: inc.id.clone(),
        title: inc.title.clone(),
        status: inc.status.clone(),
        open: is_open(data, inc),
        priority: crate::priority::of_incident(inc, data.config).name(),
        commander: inc.commander.clone(),
        record: paths::record(crate::kind::Kind::Incident, &inc.id),
        updates: inc.updates.len(),
        timeline,
        review,
    }
}
