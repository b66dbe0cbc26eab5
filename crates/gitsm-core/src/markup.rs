//! Escaping text: for HTML and SVG, the one function every page, chart and
//! report renderer uses, so record content is never markup; and control
//! characters, which terminals act on and XML cannot hold, written out.

/// A control character a terminal acts on: any but a line break or a tab.
pub fn is_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// `c` written out as text: C0 controls as `\x1b`, anything else as
/// `\u009b` (a JSON escape of the same character).
pub fn written_out(c: char) -> String {
    if (c as u32) < 0x20 {
        format!("\\x{:02x}", c as u32)
    } else {
        format!("\\u{:04x}", c as u32)
    }
}

/// Escape text for HTML/SVG element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            super::escape(r#"<img src="x" onerror='a&b'>"#),
            "&lt;img src=&quot;x&quot; onerror=&#39;a&amp;b&#39;&gt;"
        );
    }
}
