//! The YAML front matter of a Markdown file (a knowledge article): a `---`
//! line, the YAML, a `---` line, then the Markdown body.
//!
//! The front matter is handed on *with* its opening fence: `---` starts a
//! YAML document, so the YAML parser reads it unchanged and every position
//! it reports is the line and column in the `.md` file itself. A
//! format-preserving edit of that slice ([`crate::yaml::edit`]) leaves the
//! fences and the body byte for byte.

use crate::kind::Kind;
use crate::yaml::Pos;

/// How to write a front matter, for messages.
pub const HINT: &str =
    "start the file with a `---` line, then the YAML fields, then a `---` line, then the Markdown";

/// A Markdown file cut at its front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// From the start of the file to the closing fence (excluded): the
    /// opening fence and the YAML.
    pub front: &'a str,
    /// The closing fence line.
    pub fence: &'a str,
    /// Everything after the closing fence line.
    pub body: &'a str,
}

/// Why a file has no usable front matter, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    pub pos: Pos,
}

/// Cut `text` (without a byte order mark) at its front matter.
pub fn split(text: &str) -> Result<Split<'_>, Error> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if !is_fence(first) {
        return Err(Error {
            message: "a knowledge article starts with a `---` line opening its front matter".into(),
            pos: Pos::START,
        });
    }
    let mut offset = first.len();
    for line in lines {
        if is_fence(line) {
            return Ok(Split {
                front: &text[..offset],
                fence: line,
                body: &text[offset + line.len()..],
            });
        }
        offset += line.len();
    }
    Err(Error {
        message: "the front matter opened on line 1 is never closed: no `---` line follows it"
            .into(),
        pos: Pos::START,
    })
}

/// The YAML of a record file of `kind`, without a byte order mark: the
/// whole text, or an article's front matter (with its opening fence, so
/// positions are the file's; empty when it has none).
pub fn fields_of(kind: Kind, text: &str) -> &str {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match kind {
        Kind::Article => split(text).map_or("", |s| s.front),
        _ => text,
    }
}

/// An article's fields as JSON with its body under `body` (leading blank
/// lines dropped), as the typed record holds it: so that two versions of
/// an article compare whole. Other kinds' JSON is returned as it is.
pub fn with_body(kind: Kind, text: &str, mut json: serde_json::Value) -> serde_json::Value {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if kind == Kind::Article
        && let (Ok(split), serde_json::Value::Object(fields)) = (split(text), &mut json)
    {
        let body = split.body.trim_start_matches(['\n', '\r']);
        fields.insert("body".into(), serde_json::Value::String(body.to_owned()));
    }
    json
}

/// A `---` line (trailing spaces and a CR allowed).
fn is_fence(line: &str) -> bool {
    line.trim_end_matches(['\n', '\r', ' ', '\t']) == "---"
}

/// `text` with its front matter replaced by `front` (which keeps the
/// opening fence), the closing fence and the body unchanged.
pub fn join(front: &str, split: &Split<'_>) -> String {
    let mut out = String::with_capacity(front.len() + split.fence.len() + split.body.len());
    out.push_str(front);
    if !front.is_empty() && !front.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(split.fence);
    out.push_str(split.body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_the_fences_and_keeps_the_body_byte_for_byte() {
        let text = "---\ntitle: T\n---\n# Body\n\n---\nnot a fence any more\n";
        let s = split(text).expect("split");
        assert_eq!(s.front, "---\ntitle: T\n");
        assert_eq!(s.fence, "---\n");
        assert_eq!(s.body, "# Body\n\n---\nnot a fence any more\n");
        assert_eq!(join(s.front, &s), text);
        assert_eq!(join("---\ntitle: U\n", &s), text.replace("T\n", "U\n"));
    }

    #[test]
    fn refuses_a_missing_or_unclosed_fence() {
        assert!(split("title: T\n").is_err());
        assert!(split("").is_err());
        let e = split("---\ntitle: T\n# Body\n").expect_err("unclosed");
        assert!(e.message.contains("never closed"), "{}", e.message);
        assert_eq!(
            split("---\r\ntitle: T\r\n---\r\nx").expect("crlf").body,
            "x"
        );
    }
}
