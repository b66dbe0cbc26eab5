//! Renderers of a [`Report`]: JSON (the data as it is), and Markdown and
//! HTML from one document ([`document`]) of headings, paragraphs, tables
//! and charts, so both formats always show the same figures. Renderers
//! escape every piece of text they are given: record titles and ids are
//! user content.

mod availability;
mod document;
mod html;
mod markdown;
mod satisfaction;
mod targets;
mod teams;
mod tickets;

use super::Report;

/// The availability figures as the report shows them, for the site's
/// service pages.
pub mod availability_cells {
    pub use super::availability::{FIGURES, availability, cells, met, target};
}
pub use document::LISTED;
pub use html::{page as html, sections as html_sections};
pub use markdown::render as markdown;
pub use teams::{HEAD as TEAM_COLUMNS, cells as team_cells};

/// The report as pretty-printed JSON, with a final newline.
pub fn json(report: &Report) -> String {
    let mut bytes = Vec::new();
    let _ = json_to(report, &mut bytes);
    String::from_utf8(bytes).unwrap_or_default()
}

/// [`json`] written to `out` as it is made: the same bytes.
pub fn json_to(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}

/// A piece of a rendered report.
#[derive(Debug, Clone, PartialEq)]
enum Block {
    /// A heading, level 1 to 3.
    Heading(u8, String),
    Text(String),
    List(Vec<String>),
    Table(Table),
    /// Drawn in HTML only; a table with the same figures follows it.
    Chart(Chart),
}

#[derive(Debug, Clone, PartialEq)]
struct Table {
    head: Vec<String>,
    /// Right-aligned (numeric) columns.
    numeric: Vec<bool>,
    rows: Vec<Vec<String>>,
    /// Rows of a long list left out (see `document::listed`).
    omitted: usize,
}

impl Table {
    /// A table whose first `text` columns are text and the rest numbers.
    fn new(head: &[&str], text: usize) -> Table {
        Table {
            head: head.iter().map(|h| (*h).to_owned()).collect(),
            numeric: (0..head.len()).map(|i| i >= text).collect(),
            rows: Vec::new(),
            omitted: 0,
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}

/// Bars per month, one colour per series.
#[derive(Debug, Clone, PartialEq)]
struct Chart {
    title: String,
    labels: Vec<String>,
    /// Values per label; `None` draws no bar (nothing to measure).
    series: Vec<(String, Vec<Option<f64>>)>,
    /// Suffix of the values, e.g. `%`.
    unit: &'static str,
}
