//! Full-text search over the records (`gitsm search`): SQLite FTS5 with
//! Porter stemming, ranked by BM25 with the title weighing ten times the
//! rest, each hit with the passage that matched.

use serde::Serialize;
use serde_json::Value;

use crate::kind::Kind;
use crate::model::Record;

use super::{LocalIndex, placeholders};

/// Where the searched text lies besides the title: JSON pointers into a
/// record (`/notes/*/text`: every note's text).
const BODY: &[&str] = &[
    "/source_id",
    "/description",
    "/symptom",
    "/symptoms",
    "/symptoms/*",
    "/categories/*",
    "/body",
    "/root_cause",
    "/workaround",
    "/resolution/code",
    "/resolution/notes",
    "/implementation_plan",
    "/backout_plan",
    "/test_plan",
    "/review",
    "/review/summary",
    "/cancel_reason",
    "/reject_reason",
    "/notes/*/text",
    "/updates/*/text",
    "/approvals/*/comment",
    "/feedback/*/comment",
];

/// The title and the rest of the searched text of a record.
pub fn text_of(record: &Record) -> (String, String) {
    let json = record.to_json();
    let mut body = Vec::new();
    for pointer in BODY {
        match pointer.split_once("/*") {
            Some((list, field)) => {
                for item in json
                    .pointer(list)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    body.extend(item.pointer(field).and_then(Value::as_str));
                }
            }
            None => body.extend(json.pointer(pointer).and_then(Value::as_str)),
        }
    }
    let clean = |s: &str| s.replace([START, END], "");
    (clean(record.title()), clean(&body.join("\n\n")))
}

/// What to search for, and among which records.
#[derive(Debug, Clone)]
pub struct Search {
    /// Words (all must occur, in any form Porter stemming joins:
    /// `acquirers` finds `acquirer`) and `"quoted phrases"`.
    pub text: String,
    pub kind: Option<Kind>,
    /// Only tickets that still need work.
    pub open: bool,
    pub limit: usize,
}

/// A record found, with the passage that matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub id: Option<String>,
    pub kind: Kind,
    pub status: Option<String>,
    pub title: Option<String>,
    pub path: String,
    /// A few words around the best match (from the title or the body).
    pub snippet: String,
    /// Byte ranges of `snippet` that matched.
    pub matches: Vec<(usize, usize)>,
    /// BM25 score: lower is better.
    pub rank: f64,
}

/// Why a search could not run.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("give some words to search for")]
    Empty,
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Marks around a match in a snippet: control characters no record text
/// keeps (they are stripped from it first).
const START: char = '\u{2}';
const END: char = '\u{3}';

/// The FTS5 query for the user's text: each word and each quoted phrase
/// as a quoted phrase (so that no character of theirs is query syntax),
/// all required.
pub fn fts_query(text: &str) -> Option<String> {
    let mut parts = Vec::new();
    for (i, chunk) in text.split('"').enumerate() {
        let phrase = |words: &str| {
            let words: Vec<&str> = words
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .filter(|w| !w.is_empty())
                .collect();
            (!words.is_empty()).then(|| format!("\"{}\"", words.join(" ")))
        };
        if i % 2 == 1 {
            parts.extend(phrase(chunk));
        } else {
            parts.extend(chunk.split_whitespace().filter_map(phrase));
        }
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

impl LocalIndex {
    /// The best `search.limit` records for `search.text`, best first: the
    /// score of every match is computed, the snippets of the shown ones only.
    pub fn search(&self, search: &Search) -> Result<Vec<Hit>, SearchError> {
        let query = fts_query(&search.text).ok_or(SearchError::Empty)?;
        let mut filter = String::new();
        let mut args: Vec<String> = vec![query];
        if let Some(kind) = search.kind {
            filter.push_str(&format!(" AND f.kind = {}", placeholders(1, args.len())));
            args.push(kind.name().to_owned());
        }
        if search.open {
            filter.push_str(" AND f.open");
        }
        let limit = search.limit.min(i64::MAX as usize);
        let sql = format!(
            // The match drives (CROSS JOIN keeps it first): one pass over
            // its postings, each row's file looked up by its key.
            "WITH top AS (
               SELECT text.rowid AS n, text.rank AS rank FROM text CROSS JOIN files f
               ON f.n = text.rowid WHERE text MATCH ?1{filter}
               ORDER BY text.rank LIMIT {limit})
             SELECT f.id, f.kind, f.status, f.title, f.path,
               snippet(text, -1, char(2), char(3), '…', 16), top.rank
             FROM top JOIN text ON text.rowid = top.n JOIN files f ON f.n = top.n
             WHERE text MATCH ?1
             ORDER BY top.rank, f.path"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let hits = stmt
            .query_map(rusqlite::params_from_iter(args), |r| {
                let kind: String = r.get(1)?;
                let (snippet, matches) = marked(&r.get::<_, String>(5)?);
                Ok(Hit {
                    id: r.get(0)?,
                    kind: kind.parse().unwrap_or(Kind::Incident),
                    status: r.get(2)?,
                    title: r.get(3)?,
                    path: r.get(4)?,
                    snippet,
                    matches,
                    rank: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(hits)
    }
}

/// A snippet without its marks, and where they were; lines joined.
fn marked(raw: &str) -> (String, Vec<(usize, usize)>) {
    let mut text = String::with_capacity(raw.len());
    let mut matches = Vec::new();
    let mut start = None;
    for c in raw.chars() {
        match c {
            START => start = Some(text.len()),
            END => {
                if let Some(s) = start.take() {
                    matches.push((s, text.len()));
                }
            }
            '\n' | '\r' | '\t' => {
                if !text.ends_with(' ') {
                    text.push(' ');
                }
            }
            c => text.push(c),
        }
    }
    (text, matches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_never_query_syntax() {
        assert_eq!(
            fts_query("acquirer timeout").as_deref(),
            Some("\"acquirer\" AND \"timeout\"")
        );
        assert_eq!(
            fts_query("NEAR(a b) OR -x \"card declined\"").as_deref(),
            Some("\"NEAR a\" AND \"b\" AND \"OR\" AND \"x\" AND \"card declined\"")
        );
        assert_eq!(fts_query(" \" - * "), None);
    }

    #[test]
    fn marks_become_ranges() {
        let (text, m) = marked("the \u{2}acquirer\u{3} timed\nout");
        assert_eq!(text, "the acquirer timed out");
        assert_eq!(m, vec![(4, 12)]);
    }
}
