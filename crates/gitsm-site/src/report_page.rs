//! The report page (`report.html`): the KPI report of `gitsm report`
//! (SPEC §7, [`crate::report`]) for the period from the first ticket's
//! month to the site's instant, computed from the same records and history
//! as the rest of the site.
//!
//! The template `report.html` receives the report as data (`view.data`,
//! the JSON form of `gitsm report --format json`) for a layout of its own,
//! and the report's own HTML rendering (`view.html`, escaped by the report
//! renderer and fitted to the site: [`for_site`]), which the built-in
//! template shows.

use std::fmt::Write as _;

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
    /// The report's sections as HTML (escaped by the report renderer,
    /// fitted to the site by [`for_site`]).
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
            html: for_site(&report::render::html_sections(r)),
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

/// The report's HTML as the site's page shows it on a phone: each table in
/// a box that scrolls sideways when the table is wider than the screen
/// (many of the report's are wider than a phone), and each chart a box of
/// its own: focusable, so that a keyboard scrolls it, and a table's box
/// named by the heading above it. (The renderer writes no `style`
/// attribute, which the site's Content-Security-Policy would block.)
///
/// The renderer puts `<table>`, `</table>` and `<figure class="chart">`
/// on lines of their own, and each heading on one line with its `id`.
fn for_site(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 4096);
    let mut heading: Option<&str> = None;
    for line in html.split_inclusive('\n') {
        let bare = line.trim_end();
        if bare.starts_with("<h") && bare.as_bytes().get(2).is_some_and(u8::is_ascii_digit) {
            heading = bare
                .split_once(" id=\"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(id, _)| id);
        }
        match bare {
            "<table>" => {
                let name = heading.map_or_else(
                    || "aria-label=\"Table\"".to_owned(),
                    |id| format!("aria-labelledby=\"{id}\""),
                );
                let _ = writeln!(
                    out,
                    "<div class=\"table-box\" role=\"region\" tabindex=\"0\" {name}>"
                );
                out.push_str(line);
            }
            "</table>" => {
                out.push_str(line);
                out.push_str("</div>\n");
            }
            "<figure class=\"chart\">" => out.push_str("<figure class=\"chart\" tabindex=\"0\">\n"),
            _ => out.push_str(line),
        }
    }
    out
}

/// The report from the first ticket's month up to `at` (months in the
/// organisation's time zone, as `gitsm report` counts them by default).
/// With `every_breach` the page's data lists every breach (for a
/// repository's own `report.html`, which may lay them out); otherwise the
/// first [`report::render::LISTED`] of each list, which is all the
/// built-in page shows (the full lists grow with the records).
pub fn compute(dataset: &Dataset, at: Timestamp, every_breach: bool) -> Result<Report<'_>, String> {
    let earliest = dataset.records().filter_map(Record::created_at).min();
    let period = Period::new(None, None, at, dataset.config().zone(), earliest)
        .map_err(|e| e.to_string())?;
    let listed = (!every_breach).then_some(report::render::LISTED);
    report::build(dataset, &period, listed).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::for_site;

    #[test]
    fn tables_and_charts_get_boxes_of_their_own() {
        let html = "<h2 id=\"volumes\">Volumes</h2>\n<table>\n<thead><tr><th>Kind</th></tr></thead>\n</table>\n\
                    <figure class=\"chart\">\n<figcaption>Per month</figcaption>\n</figure>\n";
        assert_eq!(
            for_site(html),
            "<h2 id=\"volumes\">Volumes</h2>\n\
             <div class=\"table-box\" role=\"region\" tabindex=\"0\" aria-labelledby=\"volumes\">\n<table>\n\
             <thead><tr><th>Kind</th></tr></thead>\n</table>\n</div>\n\
             <figure class=\"chart\" tabindex=\"0\">\n<figcaption>Per month</figcaption>\n</figure>\n"
        );
    }
}
