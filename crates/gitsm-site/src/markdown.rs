//! Markdown of record fields, rendered for the site so that nothing a record
//! contains can run or load: raw HTML is shown as text, links keep only
//! `http`, `https` and `mailto` targets (and in-page `#` anchors), and
//! images become links so that no page fetches a remote resource.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// Schemes a link in a record may use.
const SAFE_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// Render Markdown to HTML that is safe to embed in a page.
pub fn render(text: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // Links whose target was dropped: their end tags are dropped too.
    let mut dropped: Vec<bool> = Vec::new();
    let events = Parser::new_ext(text, options).filter_map(|event| {
        Some(match event {
            Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
            Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })
            | Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => match safe_url(&dest_url) {
                Some(url) => {
                    dropped.push(false);
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url: CowStr::from(url),
                        title,
                        id,
                    })
                }
                None => {
                    dropped.push(true);
                    return None;
                }
            },
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if dropped.pop().unwrap_or(true) {
                    return None;
                }
                Event::End(TagEnd::Link)
            }
            other => other,
        })
    });
    let mut out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// The link target if it is safe to follow from the site: an absolute
/// `http(s)`/`mailto` URL or an in-page anchor. Relative paths would point
/// into the repository, not the site, and other schemes (`javascript:`,
/// `data:`, `vbscript:`, `file:`) could run code or read local files.
pub fn safe_url(url: &str) -> Option<String> {
    // Browsers ignore ASCII whitespace and control characters inside a
    // scheme (`java\tscript:`): drop them before looking.
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect();
    if cleaned.starts_with('#') && cleaned.len() > 1 {
        return Some(cleaned);
    }
    let scheme_end = cleaned.find(':')?;
    let scheme = &cleaned[..scheme_end];
    if scheme.contains(['/', '?', '#']) {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    if SAFE_SCHEMES.contains(&scheme.as_str()) {
        Some(cleaned)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders() {
        let html = render("Hello **world**\n\n- a\n- b\n");
        assert!(html.contains("<strong>world</strong>"), "{html}");
        assert!(html.contains("<li>a</li>"), "{html}");
    }

    #[test]
    fn raw_html_is_text() {
        let html = render("<script>alert(1)</script>\n\nx <img src=x onerror=alert(1)> y");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
    }

    #[test]
    fn dangerous_links_lose_their_target() {
        for md in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](java\tscript:alert(1))",
            "[x](javascript&#58;alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "<javascript:alert(1)>",
            "[x](vbscript:msgbox)",
            "[x](relative/path.md)",
        ] {
            let html = render(md);
            assert!(!html.contains("href"), "{md} gave {html}");
            assert!(!html.to_lowercase().contains("href=\"javascript"), "{html}");
        }
    }

    #[test]
    fn safe_links_and_images() {
        let html = render("[docs](https://example.com/a?b=1&c=2) <https://example.org>");
        assert!(
            html.contains("href=\"https://example.com/a?b=1&amp;c=2\""),
            "{html}"
        );
        assert!(html.contains("href=\"https://example.org\""), "{html}");
        let html = render("![diagram](https://example.com/x.png)");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("<a href=\"https://example.com/x.png\">diagram</a>"),
            "{html}"
        );
        let html = render("![x](javascript:alert(1))");
        assert!(!html.contains("href") && !html.contains("<img"), "{html}");
    }

    #[test]
    fn attribute_breakout_is_escaped() {
        let html = render("[x](https://e.com/\"onmouseover=alert(1))");
        assert!(!html.contains("\"onmouseover"), "{html}");
    }
}
