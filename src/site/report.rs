//! The report page (`report.html`): the KPI report of `gitsm report`
//! (SPEC §7, [`crate::report`]) for the period from the first ticket's
//! month to the site's instant, computed from the same records and history
//! as the rest of the site.
//!
//! The template `report.html` receives the report as data (`view.data`,
//! the JSON form of `gitsm report --format json`) for a layout of its own,
//! and the report's own HTML rendering (`view.html`, escaped by the report
//! renderer), which the built-in template shows.

use serde::Serialize;

use crate::dataset::Dataset;
use crate::model::{Record, Timestamp};
use crate::report::{self, Period, Report};

#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub available: bool,
    /// The report as data, for templates that lay it out themselves
    /// (made only if one reads it: [`super::lazy::json`]).
    pub data: minijinja::Value,
    /// The report's sections as HTML (escaped by the report renderer).
    pub html: String,
    /// Why there is no report.
    pub reason: Option<String>,
}

/// The page's view of `report`, or of why there is none.
pub fn view(report: Result<&Report, String>) -> ReportView {
    match report {
        Ok(r) => ReportView {
            available: true,
            data: super::lazy::json(serde_json::to_string(r).unwrap_or_default()),
            html: report::render::html_sections(r),
            reason: None,
        },
        Err(reason) => ReportView {
            available: false,
            data: minijinja::Value::from(()),
            html: String::new(),
            reason: Some(reason),
        },
    }
}

/// The report from the first ticket's month up to `at` (months in the
/// organisation's time zone, as `gitsm report` counts them by default).
/// With `every_breach` the page's data lists every breach (for a
/// repository's own `report.html`, which may lay them out); otherwise the
/// first [`report::render::LISTED`] of each list, which is all the
/// built-in page shows (at 100,000 records the full lists are some
/// 100 MB).
pub fn compute(dataset: &Dataset, at: Timestamp, every_breach: bool) -> Result<Report<'_>, String> {
    let earliest = dataset.records().filter_map(Record::created_at).min();
    let period = Period::new(None, None, at, dataset.config().zone(), earliest)
        .map_err(|e| e.to_string())?;
    let listed = (!every_breach).then_some(report::render::LISTED);
    report::build(dataset, &period, listed).map_err(|e| e.to_string())
}
