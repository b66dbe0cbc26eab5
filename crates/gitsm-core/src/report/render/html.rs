//! The report as one self-contained HTML page: inline CSS, charts as
//! inline SVG, no scripts and nothing fetched. Every piece of text is
//! escaped.

use std::fmt::Write as _;

use super::super::Report;
use super::{Block, Chart, Table, document};

const CSS: &str = "\
body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1f2328; margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.7rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .9rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.num, th.num { text-align: right; white-space: nowrap; }
.chart { overflow-x: auto; margin: .8rem 0; } .chart svg { display: block; }
.legend { font-size: .85rem; margin: .2rem 0; } .legend .key { margin-left: .8em; vertical-align: -1px; }
@media print { main { max-width: none; } .chart { overflow: visible; } }
";

/// Colours of a chart's series. Charts and their legends carry their
/// colours and sizes themselves as SVG attributes (never `style`, which a
/// Content-Security-Policy may block), so that they look the same
/// embedded in another page.
const COLOURS: [&str; 3] = ["#0969da", "#2da44e", "#bf8700"];

/// A whole page.
pub fn page(report: &Report) -> String {
    let title = format!(
        "Service management report, {} to {}",
        report.period.since.format("%Y-%m-%d"),
        report.period.until.format("%Y-%m-%d")
    );
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"gitsm\">\n<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n\
         <body>\n<main>\n{}</main>\n</body>\n</html>\n",
        escape(&title),
        sections(report)
    )
}

/// `SLA compliance` as an anchor: `sla-compliance`.
fn slug(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.join("-")
}

/// The page's content without the surrounding document, for embedding
/// (the static site's report page).
pub fn sections(report: &Report) -> String {
    let mut out = String::new();
    // Headings are anchors: `#backlog`, `#incidents-sla-compliance` (an
    // h3 under its h2), which the dashboard links to.
    let mut section = String::new();
    for block in document::blocks(report) {
        match block {
            Block::Heading(level, text) => {
                let slug = slug(&text);
                let id = if level <= 2 {
                    section.clone_from(&slug);
                    slug
                } else {
                    format!("{section}-{slug}")
                };
                let _ = writeln!(
                    out,
                    "<h{level} id=\"{}\">{}</h{level}>",
                    escape(&id),
                    escape(&text)
                );
            }
            Block::Text(text) => {
                let _ = writeln!(out, "<p>{}</p>", escape(&text));
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(out, "<li>{}</li>", escape(&i));
                }
                out.push_str("</ul>\n");
            }
            Block::Table(t) => table(&t, &mut out),
            Block::Chart(c) => chart(&c, &mut out),
        }
    }
    out
}

fn table(t: &Table, out: &mut String) {
    let class = |i: usize| {
        if t.numeric.get(i).copied().unwrap_or(false) {
            " class=\"num\""
        } else {
            ""
        }
    };
    out.push_str("<table>\n<thead><tr>");
    for (i, h) in t.head.iter().enumerate() {
        let _ = write!(out, "<th{}>{}</th>", class(i), escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            let _ = write!(out, "<td{}>{}</td>", class(i), escape(c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Grouped bars, one group per month.
fn chart(c: &Chart, out: &mut String) {
    const PLOT: f64 = 160.0;
    const LEFT: f64 = 44.0;
    const TOP: f64 = 10.0;
    const BAR: f64 = 10.0;
    const GAP: f64 = 14.0;
    if c.labels.is_empty() {
        return;
    }
    let k = c.series.len().max(1) as f64;
    let group = k * BAR + GAP;
    // Counts get whole-number ticks: an even maximum.
    let max = if c.unit == "%" {
        100.0
    } else {
        let top = c
            .series
            .iter()
            .flat_map(|(_, v)| v.iter().flatten().copied())
            .fold(2.0_f64, f64::max)
            .ceil();
        top + top % 2.0
    };
    let width = LEFT + group * c.labels.len() as f64 + GAP;
    let height = TOP + PLOT + 40.0;
    let y = |v: f64| TOP + PLOT - PLOT * (v / max).clamp(0.0, 1.0);
    let _ = writeln!(out, "<figure class=\"chart\">");
    let _ = write!(
        out,
        "<figcaption>{}</figcaption>\n<p class=\"legend\">",
        escape(&c.title)
    );
    for (i, (name, _)) in c.series.iter().enumerate() {
        let _ = write!(
            out,
            "<svg class=\"key s{i}\" width=\"12\" height=\"12\" viewBox=\"0 0 12 12\" aria-hidden=\"true\"><rect width=\"12\" height=\"12\" fill=\"{}\"/></svg> {}",
            COLOURS[i % COLOURS.len()],
            escape(name)
        );
    }
    out.push_str("</p>\n");
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"{}\">",
        escape(&c.title)
    );
    for tick in [0.0, max / 2.0, max] {
        let _ = writeln!(
            out,
            "<line x1=\"{LEFT:.0}\" x2=\"{width:.0}\" y1=\"{0:.1}\" y2=\"{0:.1}\" stroke=\"#d0d7de\"/><text x=\"{1:.0}\" y=\"{2:.1}\" text-anchor=\"end\" font-size=\"10\" fill=\"#57606a\">{3}{4}</text>",
            y(tick),
            LEFT - 4.0,
            y(tick) + 3.5,
            number(tick),
            c.unit
        );
    }
    for (m, label) in c.labels.iter().enumerate() {
        let x0 = LEFT + GAP + group * m as f64;
        for (s, (name, values)) in c.series.iter().enumerate() {
            let Some(v) = values.get(m).copied().flatten() else {
                continue;
            };
            let top = y(v);
            let _ = writeln!(
                out,
                "<rect class=\"s{s}\" fill=\"{}\" x=\"{:.1}\" y=\"{top:.1}\" width=\"{BAR:.0}\" height=\"{:.1}\"><title>{} {}: {}{}</title></rect>",
                COLOURS[s % COLOURS.len()],
                x0 + BAR * s as f64,
                TOP + PLOT - top,
                escape(label),
                escape(name),
                number(v),
                c.unit
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#57606a\">{}</text>",
            x0 + BAR * k / 2.0,
            TOP + PLOT + 14.0,
            escape(label)
        );
    }
    out.push_str("</svg>\n</figure>\n");
}

/// `12`, `12.5`: no trailing `.0`.
fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

pub(super) use crate::markup::escape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<img src=x onerror='alert(1)'> & \"q\""),
            "&lt;img src=x onerror=&#39;alert(1)&#39;&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn charts_carry_their_colours_without_style_attributes() {
        let c = Chart {
            title: "Opened".into(),
            labels: vec!["2026-11".into()],
            series: vec![
                ("opened".into(), vec![Some(3.0)]),
                ("closed".into(), vec![Some(1.0)]),
            ],
            unit: "",
        };
        let mut out = String::new();
        chart(&c, &mut out);
        // A Content-Security-Policy without 'unsafe-inline' blocks `style`.
        assert!(!out.contains("style="), "{out}");
        assert!(
            out.contains("<rect width=\"12\" height=\"12\" fill=\"#0969da\"/>"),
            "{out}"
        );
        assert!(out.contains("fill=\"#2da44e\""), "{out}");
    }

    #[test]
    fn numbers_drop_a_zero_fraction() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(92.9), "92.9");
    }
}
