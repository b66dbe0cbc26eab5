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
use serde_json::Value;

use crate::config::Config;
use crate::model::{Record, Timestamp};
use crate::report::{self, Inputs, Period, Report};

#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    pub available: bool,
    /// The report as data, for templates that lay it out themselves.
    pub data: Value,
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
            data: serde_json::to_value(r).unwrap_or(Value::Null),
            html: report::render::html_sections(r),
            reason: None,
        },
        Err(reason) => ReportView {
            available: false,
            data: Value::Null,
            html: String::new(),
            reason: Some(reason),
        },
    }
}

/// What the report is computed from.
pub struct Source<'a> {
    pub config: &'a Config,
    pub records: &'a [&'a Record],
    pub unreadable: usize,
    /// Git history; `None` outside Git or before the first commit.
    pub history: Option<&'a report::History>,
    pub at: Timestamp,
}

/// The report from the first ticket's month up to `at` (months in the
/// organisation's time zone, as `gitsm report` counts them by default).
pub fn compute<'a>(source: &Source<'a>) -> Result<Report<'a>, String> {
    let earliest = source.records.iter().filter_map(|r| r.created_at()).min();
    // Months in the organisation's time zone, as `gitsm report` counts them.
    let period = Period::new(None, None, source.at, source.config.zone(), earliest)
        .map_err(|e| e.to_string())?;
    let inputs = Inputs {
        config: source.config,
        records: source.records,
        unreadable: source.unreadable,
        revision: None,
        history: source.history,
        // The page's data lists every breach.
        listed: None,
    };
    report::build(&inputs, &period).map_err(|e| e.to_string())
}
