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

/// A record file of `kind` cut once: the YAML of its fields and, for an
/// article, its Markdown body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// The whole text, or an article's front matter (with its opening
    /// fence, so positions are the file's).
    pub fields: &'a str,
    /// An article's body (everything after the closing fence).
    pub body: Option<&'a str>,
}

impl Record<'_> {
    /// The fields' JSON with an article's body under `body` ([`Record::with_body`]).
    pub fn json(&self) -> Result<serde_json::Value, crate::yaml::YamlError> {
        Ok(self.with_body(crate::yaml::parse(self.fields)?.to_json()))
    }

    /// `json`, the fields read, with an article's body under `body`
    /// (leading blank lines dropped), as the typed record holds it: so
    /// that two versions of an article compare whole. Other kinds' JSON
    /// is returned as it is.
    pub fn with_body(&self, mut json: serde_json::Value) -> serde_json::Value {
        if let (Some(body), serde_json::Value::Object(fields)) = (self.body, &mut json) {
            let body = body.trim_start_matches(['\n', '\r']);
            fields.insert("body".into(), serde_json::Value::String(body.to_owned()));
        }
        json
    }
}

/// Cut a record file of `kind` (a byte order mark dropped) once into its
/// fields and an article's body; an article without a front matter is
/// refused.
pub fn record(kind: Kind, text: &str) -> Result<Record<'_>, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match kind {
        Kind::Article => split(text).map(|s| Record {
            fields: s.front,
            body: Some(s.body),
        }),
        _ => Ok(Record {
            fields: text,
            body: None,
        }),
    }
}

/// [`record`], with an article without a front matter read as empty
/// fields and no body.
fn lenient(kind: Kind, text: &str) -> Record<'_> {
    record(kind, text).unwrap_or(Record {
        fields: "",
        body: None,
    })
}

/// The YAML of a record file of `kind`, without a byte order mark: the
/// whole text, or an article's front matter (with its opening fence, so
/// positions are the file's; empty when it has none).
pub fn fields_of(kind: Kind, text: &str) -> &str {
    lenient(kind, text).fields
}

/// A record file's fields as JSON, an article's body under `body`
/// ([`Record::json`]): the text is cut once. An article without a front
/// matter reads as empty fields ([`fields_of`]).
pub fn json_of(kind: Kind, text: &str) -> Result<serde_json::Value, crate::yaml::YamlError> {
    lenient(kind, text).json()
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
    fn a_record_is_cut_once_into_its_fields_and_body() {
        let text = "\u{feff}---\ntitle: T\n---\n\n# Body\n";
        let cut = record(Kind::Article, text).expect("cut");
        assert_eq!(cut.fields, "---\ntitle: T\n");
        assert_eq!(cut.body, Some("\n# Body\n"));
        assert_eq!(
            json_of(Kind::Article, text).expect("json"),
            serde_json::json!({"title": "T", "body": "# Body\n"})
        );
        // Another kind's text is all fields; an article without a front
        // matter is refused, or read as no fields.
        let cut = record(Kind::Incident, "title: T\n").expect("cut");
        assert_eq!((cut.fields, cut.body), ("title: T\n", None));
        assert!(record(Kind::Article, "# Body\n").is_err());
        assert_eq!(fields_of(Kind::Article, "# Body\n"), "");
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
