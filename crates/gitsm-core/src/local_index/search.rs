//! Full-text search over the records (`gitsm search`): SQLite FTS5 with
//! Porter stemming, ranked by BM25 with the title weighing ten times the
//! rest, each hit with the passage that matched.

use std::collections::HashMap;

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
    /// Each word costs a pass over the records it matches: a search is
    /// bounded, so that a pasted page cannot hold the index for minutes.
    #[error("search for at most {MOST_WORDS} words (a word repeated counts once)")]
    TooManyWords,
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Marks around a match in a snippet: control characters no record text
/// keeps (they are stripped from it first).
const START: char = '\u{2}';
const END: char = '\u{3}';

/// The most words a search is for, in all its phrases.
pub const MOST_WORDS: usize = 64;

/// The FTS5 query for the user's text: each word and each quoted phrase
/// as a quoted phrase (so that no character of theirs is query syntax),
/// all required. A word or phrase given again adds nothing (as FTS5
/// compares them: case folded) and is left out; more than
/// [`MOST_WORDS`] words in all are refused.
pub fn fts_query(text: &str) -> Result<String, SearchError> {
    let mut parts = Vec::new();
    for (i, chunk) in text.split('"').enumerate() {
        let phrase = |words: &str| {
            let words: Vec<&str> = words
                // As FTS5's unicode61 splits text: `_` too (a phrase of
                // none matches nothing).
                .split(|c: char| !c.is_alphanumeric())
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
    let mut seen = std::collections::HashSet::new();
    parts.retain(|part| seen.insert(part.to_lowercase()));
    // Counted as FTS5's tokenizer could split them at most: at every
    // character not a letter, a digit or for private use (a mark such as
    // U+0903, alphanumeric to Rust, splits a word there).
    static WORD: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"[\p{L}\p{N}\p{Co}]+")
            .unwrap_or_else(|_| unreachable!("a fixed pattern compiles"))
    });
    let words: usize = parts.iter().map(|p| WORD.find_iter(p).count()).sum();
    if parts.is_empty() {
        Err(SearchError::Empty)
    } else if words > MOST_WORDS {
        Err(SearchError::TooManyWords)
    } else {
        Ok(parts.join(" AND "))
    }
}

impl LocalIndex {
    /// The best `search.limit` records for `search.text`, best first (equal
    /// scores by path; which of equal scores at the limit are shown: the
    /// first by path, as the files say, whatever order the index added
    /// them in): the score of every match is computed, the
    /// snippets of the shown ones only.
    pub fn search(&self, search: &Search) -> Result<Vec<Hit>, SearchError> {
        let query = fts_query(&search.text)?;
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
        // The rows of the best `limit` matches, equal scores at the limit
        // by path; then
        // their hits, with snippets. Unfiltered, every match is scored as
        // it comes and only the best kept (FTS5's own `ORDER BY rank`
        // would sort them all); filtered, each row's file is needed to
        // filter, so the matches come best first from FTS5 and stop at
        // `limit`.
        let top: Vec<(i64, f64)> = if filter.is_empty() {
            self.best(&args[0], limit)?
        } else {
            // The match drives (CROSS JOIN keeps it first): one pass over
            // its postings, each row's file looked up by its key.
            let mut stmt = self.conn.prepare(&format!(
                "SELECT text.rowid, text.rank FROM text CROSS JOIN files f
                 ON f.n = text.rowid WHERE text MATCH ?1{filter}
                 ORDER BY text.rank, f.path LIMIT {limit}"
            ))?;
            stmt.query_map(rusqlite::params_from_iter(&args), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<Result<_, _>>()?
        };
        // Their snippets (FTS5 scores them no second time: the scores are
        // kept, not asked for again).
        let rows: Vec<String> = top.iter().map(|(n, _)| n.to_string()).collect();
        let mut stmt = self.conn.prepare(
            "WITH top(n) AS (SELECT value FROM json_each(?2))
             SELECT top.n, f.id, f.kind, f.status, f.title, f.path,
               snippet(text, -1, char(2), char(3), '…', 16)
             FROM top CROSS JOIN text ON text.rowid = top.n CROSS JOIN files f ON f.n = top.n
             WHERE text MATCH ?1",
        )?;
        let rank: HashMap<i64, f64> = top.into_iter().collect();
        let mut hits = stmt
            .query_map([&args[0], &format!("[{}]", rows.join(","))], |r| {
                let kind: String = r.get(2)?;
                let (snippet, matches) = marked(&r.get::<_, String>(6)?);
                Ok(Hit {
                    id: r.get(1)?,
                    kind: kind.parse().unwrap_or(Kind::Incident),
                    status: r.get(3)?,
                    title: r.get(4)?,
                    path: r.get(5)?,
                    snippet,
                    matches,
                    rank: rank.get(&r.get(0)?).copied().unwrap_or(f64::INFINITY),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        // Best first, equal scores by path.
        hits.sort_by(|a, b| a.rank.total_cmp(&b.rank).then_with(|| a.path.cmp(&b.path)));
        Ok(hits)
    }

    /// The rows of the `limit` best matches of `query` (FTS5's syntax)
    /// with their scores, best first, equal scores at the limit by path:
    /// each match's score read as it comes, only the best kept (and those
    /// tying the worst kept, whose paths decide which are shown).
    fn best(&self, query: &str, limit: usize) -> rusqlite::Result<Vec<(i64, f64)>> {
        use std::collections::BinaryHeap;
        /// A match by its score (lower is better), then its row.
        struct Scored(f64, i64);
        impl PartialEq for Scored {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other).is_eq()
            }
        }
        impl Eq for Scored {}
        impl PartialOrd for Scored {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for Scored {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
            }
        }
        if limit == 0 {
            return Ok(Vec::new());
        }
        use std::cmp::Ordering;
        // The worst kept on top, to be replaced by a better one; beside
        // them, the matches left out (or pushed out) scoring as the worst
        // kept did then: which of equal scores at the limit are shown is
        // decided by path at the end, not by the order of the rows.
        let mut kept: BinaryHeap<Scored> = BinaryHeap::with_capacity(limit.min(4096) + 1);
        let mut tied: Vec<Scored> = Vec::new();
        let mut prune_at = 1024;
        let mut stmt = self
            .conn
            .prepare("SELECT rowid, rank FROM text WHERE text MATCH ?1")?;
        let mut rows = stmt.query([query])?;
        while let Some(r) = rows.next()? {
            let scored = Scored(r.get(1)?, r.get(0)?);
            if kept.len() < limit {
                kept.push(scored);
                continue;
            }
            if let Some(mut worst) = kept.peek_mut() {
                match scored.0.total_cmp(&worst.0) {
                    Ordering::Less => tied.push(std::mem::replace(&mut *worst, scored)),
                    Ordering::Equal => tied.push(scored),
                    Ordering::Greater => {}
                }
            }
            // The worst kept only gets better: a match scoring worse than
            // it is out for good.
            if tied.len() > prune_at
                && let Some(worst) = kept.peek()
            {
                tied.retain(|t| t.0.total_cmp(&worst.0).is_eq());
                prune_at = prune_at.max(2 * tied.len());
            }
        }
        let mut best = kept.into_sorted_vec();
        if let Some(worst) = best.last().map(|w| w.0) {
            tied.retain(|t| t.0.total_cmp(&worst).is_eq());
            if !tied.is_empty() {
                // Every match scoring as the worst kept, kept or not: the
                // first of them by path fill the places left.
                let cut = best.partition_point(|s| s.0.total_cmp(&worst).is_lt());
                let mut equal = best.split_off(cut);
                equal.append(&mut tied);
                let rows: Vec<String> = equal.iter().map(|s| s.1.to_string()).collect();
                let mut stmt = self.conn.prepare(
                    "SELECT n, path FROM files WHERE n IN (SELECT value FROM json_each(?1))",
                )?;
                let paths: HashMap<i64, String> = stmt
                    .query_map([format!("[{}]", rows.join(","))], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })?
                    .collect::<Result<_, _>>()?;
                equal.sort_by(|a, b| paths.get(&a.1).cmp(&paths.get(&b.1)));
                equal.truncate(limit - best.len());
                best.append(&mut equal);
            }
        }
        Ok(best.into_iter().map(|Scored(rank, n)| (n, rank)).collect())
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
            fts_query("acquirer timeout").ok().as_deref(),
            Some("\"acquirer\" AND \"timeout\"")
        );
        assert_eq!(
            fts_query("NEAR(a b) OR -x \"card declined\"")
                .ok()
                .as_deref(),
            Some("\"NEAR a\" AND \"b\" AND \"OR\" AND \"x\" AND \"card declined\"")
        );
        assert!(matches!(fts_query(" \" - * "), Err(SearchError::Empty)));
        // An identifier is the phrase of its words; a lone `_` no word.
        assert_eq!(
            fts_query("refund_errors_total _").ok().as_deref(),
            Some("\"refund errors total\"")
        );
    }

    #[test]
    fn attack_a_word_repeated_thousands_of_times_is_searched_for_once() {
        let pasted = "vpn VPN ".repeat(4000) + "\"card declined\" \"Card Declined\"";
        assert_eq!(
            fts_query(&pasted).ok().as_deref(),
            Some("\"vpn\" AND \"card declined\"")
        );
        // Distinct words past the bound are refused, not searched for.
        let words: Vec<String> = (0..=MOST_WORDS).map(|i| format!("w{i}")).collect();
        assert!(fts_query(&words[..MOST_WORDS].join(" ")).is_ok());
        assert!(matches!(
            fts_query(&words.join(" ")),
            Err(SearchError::TooManyWords)
        ));
        // A phrase of as many words counts each.
        let phrase = format!("\"{}\"", words.join(" "));
        assert!(matches!(fts_query(&phrase), Err(SearchError::TooManyWords)));
        // A mark FTS5 splits at (alphanumeric to Rust) makes one word of
        // thousands no more.
        let marked = ["the"; 1000].join("\u{903}");
        assert!(matches!(fts_query(&marked), Err(SearchError::TooManyWords)));
        assert!(fts_query(&["the"; 64].join("\u{903}")).is_ok());
    }

    #[test]
    fn marks_become_ranges() {
        let (text, m) = marked("the \u{2}acquirer\u{3} timed\nout");
        assert_eq!(text, "the acquirer timed out");
        assert_eq!(m, vec![(4, 12)]);
    }
}
