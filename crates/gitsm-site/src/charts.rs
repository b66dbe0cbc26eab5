//! Charts drawn as inline SVG: horizontal bars, grouped columns and lines.
//!
//! Each chart carries a `<title>` and a `<desc>` that states its figures in
//! words (what a screen reader announces, and what a printout without
//! colour still says). A chart is an image (`role="img"`) unless it holds
//! links: then it is a group, labelled and described the same way, whose
//! links are each named by a `<title>`, so that assistive technology
//! reaches them (an image's content is hidden from it). Colours come from
//! CSS classes, so a managed repository restyles them from its own
//! `site.css`. Every text is escaped.

use std::fmt::Write as _;

/// One bar of a bar chart.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// CSS class of the bar, e.g. `p-P1`.
    pub class: String,
    /// Page the bar links to (relative to the page the chart is on).
    pub href: Option<String>,
}

/// One series of a column or line chart.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub class: String,
    pub values: Vec<f64>,
}

pub use crate::markup::escape;

/// A number as a chart shows it: integers plainly, others to one decimal.
pub fn number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// The opening tag, title and description of a chart; `links` when it
/// holds links (a group, not an image).
fn open_svg(out: &mut String, id: &str, title: &str, desc: &str, (w, h): (u32, u32), links: bool) {
    let role = if links {
        format!("role=\"group\" aria-labelledby=\"{id}-t\" aria-describedby=\"{id}-d\"")
    } else {
        format!("role=\"img\" aria-labelledby=\"{id}-t {id}-d\"")
    };
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" {role} xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(desc)
    );
}

/// Horizontal bars, one per item, with the value at the end of each bar.
pub fn bars(id: &str, title: &str, items: &[Bar]) -> String {
    let row = 26u32;
    let (w, label_w, bar_w) = (480u32, 160u32, 260.0f64);
    let h = 10 + row * u32::try_from(items.len().max(1)).unwrap_or(1);
    let desc = if items.is_empty() {
        "No data.".to_owned()
    } else {
        items
            .iter()
            .map(|b| format!("{}: {}", b.label, number(b.value)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut s = String::new();
    let links = items.iter().any(|b| b.href.is_some());
    open_svg(&mut s, id, title, &desc, (w, h), links);
    if items.is_empty() {
        s.push_str("<text x=\"10\" y=\"24\" class=\"muted\">no data</text></svg>");
        return s;
    }
    let max = items.iter().map(|b| b.value).fold(0.0, f64::max).max(1.0);
    for (i, b) in items.iter().enumerate() {
        let y = 5 + row * u32::try_from(i).unwrap_or(0);
        let len = (b.value / max * bar_w).max(if b.value > 0.0 { 2.0 } else { 0.0 });
        // The tooltip names the bar; on a link it names the link (an SVG
        // link's name is its `<title>`).
        let tip = format!("<title>{}: {}</title>", escape(&b.label), number(b.value));
        let (link_tip, bar_tip) = if b.href.is_some() {
            (tip.as_str(), "")
        } else {
            ("", tip.as_str())
        };
        if let Some(href) = &b.href {
            let _ = write!(s, "<a href=\"{}\">{link_tip}", escape(href));
        }
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"label\">{}</text><rect x=\"{label_w}\" y=\"{}\" width=\"{len:.1}\" height=\"{}\" class=\"bar {}\">{bar_tip}</rect><text x=\"{:.1}\" y=\"{}\" class=\"value\">{}</text>",
            label_w - 8,
            y + 17,
            escape(&b.label),
            y + 3,
            row - 8,
            escape(&b.class),
            f64::from(label_w) + len + 6.0,
            y + 17,
            number(b.value)
        );
        if b.href.is_some() {
            s.push_str("</a>");
        }
    }
    s.push_str("</svg>");
    s
}

/// A round upper bound for an axis and its step (4 or 5 steps).
fn axis(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (4.0, 1.0);
    }
    let raw = max / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let step = if max >= 4.0 { step.max(1.0) } else { step };
    ((max / step).ceil() * step, step)
}

struct Frame {
    w: f64,
    h: f64,
    left: f64,
    top: f64,
    bottom: f64,
    top_value: f64,
}

impl Frame {
    fn y(&self, v: f64) -> f64 {
        self.h - self.bottom - (v / self.top_value) * (self.h - self.bottom - self.top)
    }
}

/// Axes, grid lines, x labels and the legend; returns the frame.
fn frame(out: &mut String, labels: &[String], series: &[Series]) -> Frame {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max);
    let (top_value, step) = axis(max);
    let f = Frame {
        w: 640.0,
        h: 240.0,
        left: 44.0,
        top: 28.0,
        bottom: 36.0,
        top_value,
    };
    let mut v = 0.0;
    while v <= top_value + 1e-9 {
        let y = f.y(v);
        let _ = write!(
            out,
            "<line x1=\"{}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"grid\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" class=\"axis\">{}</text>",
            f.left,
            f.w - 8.0,
            f.left - 6.0,
            y + 4.0,
            number(v)
        );
        v += step;
    }
    let slot = (f.w - f.left - 8.0) / labels.len().max(1) as f64;
    let every = (labels.len() / 12).max(1);
    for (i, l) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let x = f.left + slot * (i as f64 + 0.5);
        let _ = write!(
            out,
            "<text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\" class=\"axis\">{}</text>",
            f.h - f.bottom + 16.0,
            escape(l)
        );
    }
    let mut x = f.left;
    for s in series {
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"6\" width=\"12\" height=\"12\" class=\"bar {}\"/><text x=\"{:.1}\" y=\"16\" class=\"label\">{}</text>",
            escape(&s.class),
            x + 16.0,
            escape(&s.name)
        );
        x += 24.0 + 7.0 * s.name.chars().count() as f64;
    }
    f
}

fn series_desc(labels: &[String], series: &[Series]) -> String {
    if labels.is_empty() || series.is_empty() {
        return "No data.".to_owned();
    }
    series
        .iter()
        .map(|s| {
            let values: Vec<String> = labels
                .iter()
                .zip(&s.values)
                .map(|(l, v)| format!("{l} {}", number(*v)))
                .collect();
            format!("{}: {}", s.name, values.join(", "))
        })
        .collect::<Vec<_>>()
        .join(". ")
}

/// Grouped vertical columns: one group per label, one column per series.
pub fn columns(id: &str, title: &str, labels: &[String], series: &[Series]) -> String {
    let mut s = String::new();
    open_svg(
        &mut s,
        id,
        title,
        &series_desc(labels, series),
        (640, 240),
        false,
    );
    let f = frame(&mut s, labels, series);
    let slot = (f.w - f.left - 8.0) / labels.len().max(1) as f64;
    let col = (slot * 0.8) / series.len().max(1) as f64;
    for (si, ser) in series.iter().enumerate() {
        for (i, (label, v)) in labels.iter().zip(&ser.values).enumerate() {
            let x = f.left + slot * i as f64 + slot * 0.1 + col * si as f64;
            let y = f.y(*v);
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" class=\"bar {}\"><title>{} {}: {}</title></rect>",
                (col - 1.0).max(1.0),
                (f.h - f.bottom - y).max(0.0),
                escape(&ser.class),
                escape(&ser.name),
                escape(label),
                number(*v)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Lines with a dot per point.
pub fn lines(id: &str, title: &str, labels: &[String], series: &[Series]) -> String {
    let mut s = String::new();
    open_svg(
        &mut s,
        id,
        title,
        &series_desc(labels, series),
        (640, 240),
        false,
    );
    let f = frame(&mut s, labels, series);
    let slot = (f.w - f.left - 8.0) / labels.len().max(1) as f64;
    for ser in series {
        let points: Vec<(f64, f64)> = ser
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| (f.left + slot * (i as f64 + 0.5), f.y(*v)))
            .collect();
        let path: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(
            s,
            "<polyline points=\"{}\" class=\"line {}\"/>",
            path.join(" "),
            escape(&ser.class)
        );
        for ((x, y), (label, v)) in points.iter().zip(labels.iter().zip(&ser.values)) {
            let _ = write!(
                s,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" class=\"dot {}\"><title>{} {}: {}</title></circle>",
                escape(&ser.class),
                escape(&ser.name),
                escape(label),
                number(*v)
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_escape_and_describe() {
        let svg = bars(
            "c1",
            "Open <by> priority",
            &[Bar {
                label: "<script>".into(),
                value: 3.0,
                class: "p-P1".into(),
                href: Some("incidents/index.html?priority=P1".into()),
            }],
        );
        assert!(svg.contains("Open &lt;by&gt; priority"));
        assert!(svg.contains("&lt;script&gt;: 3"));
        assert!(!svg.contains("<script>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn charts_with_links_are_groups_of_named_links() {
        let bar = |href: Option<&str>| Bar {
            label: "P1".into(),
            value: 3.0,
            class: "p-P1".into(),
            href: href.map(str::to_owned),
        };
        // An image hides its content: its links would be unreachable.
        let linked = bars("c", "t", &[bar(Some("incidents/index.html"))]);
        assert!(!linked.contains("role=\"img\""), "{linked}");
        assert!(linked.contains("role=\"group\" aria-labelledby=\"c-t\" aria-describedby=\"c-d\""));
        assert!(linked.contains("<a href=\"incidents/index.html\"><title>P1: 3</title><text"));
        let plain = bars("c", "t", &[bar(None)]);
        assert!(
            plain.contains("role=\"img\" aria-labelledby=\"c-t c-d\""),
            "{plain}"
        );
        assert!(!plain.contains("<a "));
    }

    #[test]
    fn axes_are_round() {
        assert_eq!(axis(0.0), (4.0, 1.0));
        assert_eq!(axis(7.0), (8.0, 2.0));
        assert_eq!(axis(95.0), (100.0, 25.0));
        assert_eq!(axis(1.0), (1.0, 0.25));
    }

    #[test]
    fn columns_and_lines_have_one_shape_per_point() {
        let labels = vec!["a".to_owned(), "b".to_owned()];
        let series = vec![Series {
            name: "opened".into(),
            class: "s1".into(),
            values: vec![1.0, 2.0],
        }];
        let svg = columns("c", "t", &labels, &series);
        assert_eq!(
            svg.matches("<rect").count(),
            3,
            "2 columns + 1 legend swatch"
        );
        let svg = lines("l", "t", &labels, &series);
        assert_eq!(svg.matches("<circle").count(), 2);
    }
}
