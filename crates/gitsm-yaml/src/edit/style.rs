//! Writing values: the file's layout (indentation, line breaks) and the
//! style each scalar keeps or gets.

use saphyr_parser::ScalarStyle;
use serde_json::{Value, json};

use super::*;

/// What a replaced value looked like, so that its replacement can keep the
/// style.
pub(super) enum Old {
    None,
    Scalar(ScalarStyle),
    FlowSeq,
}

impl Old {
    pub(super) fn of(node: &Node) -> Self {
        match &node.kind {
            Kind::Scalar { style, .. } if !node.is_implicit_null() => Old::Scalar(*style),
            Kind::Seq(items) if node.flow && !items.is_empty() => Old::FlowSeq,
            _ => Old::None,
        }
    }
}

/// How the file indents, and its line break.
pub(super) struct Layout {
    /// Columns a nested mapping is indented by.
    pub(super) step: usize,
    /// Columns a list's `-` is indented under its key (0 or the step).
    pub(super) seq_offset: usize,
    pub(super) newline: &'static str,
}

impl Layout {
    /// Learn the indentation from the first nested block mapping and the
    /// first block list under a key.
    pub(super) fn detect(text: &str, root: &Node) -> Self {
        let (mut step, mut seq_offset) = (None, None);
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match &node.kind {
                Kind::Map(entries) => {
                    stack.extend(entries.iter().rev().map(|e| &e.value));
                    if node.flow {
                        continue;
                    }
                    for entry in entries {
                        let key_col = column(text, entry.key_start);
                        let value = &entry.value;
                        match &value.kind {
                            Kind::Map(inner) if !value.flow && step.is_none() => {
                                step = inner
                                    .first()
                                    .map(|e| column(text, e.key_start))
                                    .filter(|&c| c > key_col)
                                    .map(|c| c - key_col);
                            }
                            Kind::Seq(items) if !value.flow && seq_offset.is_none() => {
                                seq_offset = items
                                    .first()
                                    .and_then(|i| i.dash)
                                    .map(|d| column(text, d))
                                    .filter(|&c| c >= key_col)
                                    .map(|c| c - key_col);
                            }
                            _ => {}
                        }
                    }
                }
                Kind::Seq(items) => stack.extend(items.iter().rev().map(|i| &i.value)),
                Kind::Scalar { .. } | Kind::Alias => {}
            }
        }
        let step = step.unwrap_or(2);
        Layout {
            step,
            seq_offset: seq_offset.unwrap_or(step),
            newline: if text.contains("\r\n") { "\r\n" } else { "\n" },
        }
    }

    /// The text that follows `key:` or `-` (at column `col`) for `value`:
    /// ` scalar`, ` |-` and indented lines, or a line break and a nested
    /// block. List items hold nested blocks compactly (`- at: ...`).
    pub(super) fn after_indicator(
        &self,
        value: &Value,
        col: usize,
        in_seq: bool,
        old: &Old,
    ) -> String {
        // Children of a list item line up after its `- `.
        let (map_indent, seq_indent) = if in_seq {
            (col + 2, col + 2)
        } else {
            (col + self.step, col + self.seq_offset)
        };
        let keep_flow_list = matches!((old, value), (Old::FlowSeq, Value::Array(items))
            if items.iter().all(|i| !i.is_array() && !i.is_object()));
        match value {
            Value::String(s) => match choose_style(s, old, false) {
                Style::Literal => format!(" {}", self.literal(s, map_indent)),
                style => format!(" {}", inline_scalar(s, style)),
            },
            Value::Array(items) if !items.is_empty() && !keep_flow_list => {
                let mut out = String::new();
                for (i, item) in items.iter().enumerate() {
                    self.item_start(&mut out, i == 0 && in_seq, seq_indent);
                    out.push('-');
                    out.push_str(&self.after_indicator(item, seq_indent, true, &Old::None));
                }
                out
            }
            Value::Object(map) if !map.is_empty() => {
                let mut out = String::new();
                for (i, (key, value)) in map.iter().enumerate() {
                    self.item_start(&mut out, i == 0 && in_seq, map_indent);
                    out.push_str(&key_text(key, false));
                    out.push(':');
                    out.push_str(&self.after_indicator(value, map_indent, false, &Old::None));
                }
                out
            }
            other => format!(" {}", flow_value(other, old)),
        }
    }

    /// Start a nested line, or stay on the `-` line for a list item's first.
    pub(super) fn item_start(&self, out: &mut String, compact: bool, indent: usize) {
        if compact {
            out.push(' ');
        } else {
            out.push_str(self.newline);
            out.push_str(&" ".repeat(indent));
        }
    }

    /// `|` (one final newline) or `|-` (none) and the indented lines.
    pub(super) fn literal(&self, s: &str, indent: usize) -> String {
        let (body, mut out) = match s.strip_suffix('\n') {
            Some(body) => (body, String::from("|")),
            None => (s, String::from("|-")),
        };
        for line in body.split('\n') {
            out.push_str(self.newline);
            if !line.is_empty() {
                out.push_str(&" ".repeat(indent));
                out.push_str(line);
            }
        }
        out
    }
}

/// How one string is written.
#[derive(Clone, Copy)]
pub(super) enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

pub(super) fn choose_style(s: &str, old: &Old, flow: bool) -> Style {
    let multi_line = s.contains('\n');
    match old {
        Old::Scalar(ScalarStyle::SingleQuoted) if !multi_line && s.chars().all(inline_safe) => {
            return Style::Single;
        }
        Old::Scalar(ScalarStyle::DoubleQuoted) => return Style::Double,
        Old::Scalar(ScalarStyle::Literal | ScalarStyle::Folded) if !flow && literal_ok(s) => {
            return Style::Literal;
        }
        _ => {}
    }
    // Timestamps are written plain, as `gitsm new` and the records do.
    if plain_ok(s, flow, true) {
        Style::Plain
    } else if !flow && literal_ok(s) {
        Style::Literal
    } else {
        Style::Double
    }
}

pub(super) fn inline_scalar(s: &str, style: Style) -> String {
    match style {
        Style::Plain => s.to_owned(),
        Style::Single => format!("'{}'", s.replace('\'', "''")),
        Style::Double | Style::Literal => double_quoted(s),
    }
}

/// JSON-style escapes, which YAML double-quoted strings understand.
pub(super) fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if !inline_safe(c) => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters that may stand in a one-line scalar as they are.
pub(super) fn inline_safe(c: char) -> bool {
    c == '\t'
        || !(c.is_control()
            || matches!(
                c,
                '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
            ))
}

/// Whether `s` can be a literal block without an indentation indicator or
/// `|+`: several lines, the first not indented, no whitespace-only lines and
/// at most one final newline.
pub(super) fn literal_ok(s: &str) -> bool {
    s.contains('\n')
        && !s.ends_with("\n\n")
        && !s.starts_with([' ', '\t', '\n'])
        && s.chars().all(|c| c == '\n' || inline_safe(c))
        && !s.split('\n').any(|l| !l.is_empty() && l.trim().is_empty())
}

/// Whether `s` written plain reads back as the same string. A date-looking
/// string is only plain where it replaces a plain date (`plain_date`).
pub(super) fn plain_ok(s: &str, flow: bool, plain_date: bool) -> bool {
    if !one_line_token(s) || (looks_like_date(s) && !plain_date) {
        return false;
    }
    if flow {
        reads_back(&format!("k: [{s}]\n"), &json!({ "k": [s] }))
    } else {
        reads_back(&format!("k: {s}\n"), &json!({ "k": s }))
    }
}

/// A key: plain when it would be a plain string as a value too (so `true`
/// or `2026-01-01` are quoted for other YAML tools) and reads back as
/// itself, double-quoted otherwise.
pub(super) fn key_text(key: &str, flow: bool) -> String {
    let plain = plain_ok(key, flow, false)
        && if flow {
            reads_back(&format!("k: {{{key}: 0}}\n"), &json!({ "k": { key: 0 } }))
        } else {
            reads_back(&format!("{key}: 0\n"), &json!({ key: 0 }))
        };
    if plain {
        key.to_owned()
    } else {
        double_quoted(key)
    }
}

pub(super) fn one_line_token(s: &str) -> bool {
    !s.is_empty() && s.trim() == s && s.chars().all(|c| c != '\t' && inline_safe(c))
}

/// The parser is the judge of what a plain scalar means.
pub(super) fn reads_back(doc: &str, expected: &Value) -> bool {
    yaml::parse(doc).is_ok_and(|node| node.to_json() == *expected)
}

/// `2026-01-01`, `2026-1-1T09:00`: a timestamp to YAML 1.1 readers.
pub(super) fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |from: usize, max: usize| {
        b.get(from..)
            .unwrap_or_default()
            .iter()
            .take(max)
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    if digits(0, 4) != 4 || b.get(4) != Some(&b'-') {
        return false;
    }
    let month = digits(5, 2);
    if month == 0 || b.get(5 + month) != Some(&b'-') {
        return false;
    }
    let day_at = 6 + month;
    let day = digits(day_at, 2);
    day > 0 && matches!(b.get(day_at + day), None | Some(b'T' | b't' | b' ' | b'\t'))
}

/// A value on one line: `[a, b]`, `{k: v}`, or a scalar in `old`'s style
/// when possible.
pub(super) fn flow_value(value: &Value, old: &Old) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => inline_scalar(s, choose_style(s, old, true)),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|v| flow_value(v, &Old::None)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", key_text(k, true), flow_value(v, &Old::None)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}
