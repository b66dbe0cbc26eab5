//! The report as GitHub-flavoured Markdown. Text is escaped so that a
//! record title can neither break a table nor inject markup.

use super::super::Report;
use super::{Block, Table, document};

/// The report as Markdown, ending in a newline.
pub fn render(report: &Report) -> String {
    let mut parts = Vec::new();
    for block in document::blocks(report) {
        match block {
            Block::Heading(level, text) => parts.push(format!(
                "{} {}",
                "#".repeat(usize::from(level)),
                escape(&text, false)
            )),
            Block::Text(text) => parts.push(escape(&text, true)),
            Block::List(items) => parts.push(
                items
                    .iter()
                    .map(|i| format!("- {}", escape(i, false)))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            Block::Table(t) => parts.push(table(&t)),
            Block::Chart(_) => {}
        }
    }
    let mut out = parts.join("\n\n");
    out.push('\n');
    out
}

fn table(t: &Table) -> String {
    let line = |cells: &[String]| {
        let cells: Vec<String> = cells.iter().map(|c| escape(c, false)).collect();
        format!("| {} |", cells.join(" | "))
    };
    let rule: Vec<String> = t
        .numeric
        .iter()
        .map(|&n| if n { "---:" } else { "---" }.to_owned())
        .collect();
    let mut lines = vec![line(&t.head), format!("|{}|", rule.join("|"))];
    lines.extend(t.rows.iter().map(|r| line(r)));
    lines.join("\n")
}

/// Escape Markdown punctuation that could start markup, and keep text on
/// one line. At the start of a block, also what would make it a heading,
/// a list or a rule.
pub(super) fn escape(text: &str, block: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let word = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|c| c.is_alphanumeric())
        };
        match c {
            // An underscore inside a word (`support_level`) is not emphasis.
            '_' if word(i.checked_sub(1)) && word(Some(i + 1)) => out.push(c),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '+' | '-' | '=' if block && i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_cannot_break_out() {
        assert_eq!(escape("a|b", false), "a\\|b");
        assert_eq!(escape("<script>", false), "\\<script\\>");
        assert_eq!(escape("# not a heading", true), "\\# not a heading");
        assert_eq!(escape("-", false), "-");
        assert_eq!(escape("two\nlines", false), "two lines");
        assert_eq!(escape("[link](x)", false), "\\[link\\](x)");
        assert_eq!(escape("P1 - 4h", true), "P1 - 4h");
        assert_eq!(escape("support_level _x_", false), "support_level \\_x\\_");
    }
}
