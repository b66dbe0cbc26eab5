//! The pages that sum up every record — a kind's list, the SLA page, a
//! list's search index — written in parts, so that an edit to one record
//! renders one part of each, not their 70,000 rows.
//!
//! A table's rows are cut where their ids say (after a row whose id hashes
//! to 0 modulo [`AVERAGE`], or after [`MAX`] rows), not every N rows: a row
//! added or removed changes its own part, not every part after it. A
//! part's key hashes what it is rendered from: its template, the table's
//! fixed view and its rows, or for a search index each record's blob. The
//! previous build's bytes of a part whose key is unchanged are copied from
//! its page ([`crate::manifest::Previous::copy_part`]).
//!
//! A page's template shows its table where it writes `{{ rows }}`: the
//! page is rendered around the table (a few kilobytes) with a [`marker`]
//! there, then the parts are written in its place, one at a time (only
//! one part's rows are ever held).

use std::fmt::Debug;
use std::ops::Range;

use minijinja::Value;
use minijinja::value::Serde;
use rayon::prelude::*;
use serde::Serialize;

use crate::model::Record;

use super::data::SiteData;
use super::manifest::{Digest, Hasher, Part};
use super::{PageInfo, PageWriter, Reuse, SiteError};
// Stable from one build (and one program version) to the next, which the
// cuts must be.
use super::paths::fnv1a;
use super::templates::Templates;

/// What a page's template writes where its table goes (`{{ rows }}`), for
/// the page to be cut there: a text that the page rendered without its
/// table does not hold (a record's title in the major incident banner
/// may hold anything, NULs included).
pub(crate) fn marker(page: &str) -> String {
    (0u64..)
        // It starts with its only NUL: no two occurrences can overlap, nor
        // one begin in text before it.
        .map(|n| format!("\u{0}gitsm-table-{n}\u{1}"))
        .find(|m| !page.contains(m.as_str()))
        .unwrap_or_default()
}

/// Rows per part, on average.
const AVERAGE: u64 = 128;
/// Rows in a part at most.
const MAX: usize = 1024;

/// `items` cut into parts (their ranges): after each item whose id hashes
/// to 0 modulo [`AVERAGE`], and after [`MAX`] items since the last cut.
pub(crate) fn split<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, item) in items.iter().enumerate() {
        if fnv1a(id(item).as_bytes()).is_multiple_of(AVERAGE) || i + 1 - start == MAX {
            parts.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < items.len() {
        parts.push(start..items.len());
    }
    parts
}

/// A table written in parts.
pub(crate) trait Table: Sync {
    /// How many parts it has.
    fn parts(&self) -> usize;
    /// Hash what part `i` is rendered from into `h` (`None`: it cannot be,
    /// and the part is always rendered).
    fn key(&self, i: usize, h: &mut Hasher) -> Option<()>;
    /// Write part `i`.
    fn write(&self, i: usize, out: &mut dyn std::io::Write) -> Result<(), SiteError>;
}

/// A page's writer that counts the bytes written (where each part starts).
pub(crate) struct Counted<'w> {
    out: &'w mut dyn std::io::Write,
    count: u64,
}

impl<'w> Counted<'w> {
    pub(crate) fn new(out: &'w mut dyn std::io::Write) -> Counted<'w> {
        Counted { out, count: 0 }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }
}

impl std::io::Write for Counted<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(bytes)?;
        self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Rows rendered by a template of their own, which receives `table` (what
/// every row shares: a list's columns) and `rows` (one part's).
pub(crate) struct Rows<'a, T, R> {
    pub templates: &'a Templates,
    pub template: &'static str,
    pub table: Value,
    /// The hash of what every row is made from besides its item (the
    /// configuration, the instant); `None`: rows are always rendered.
    pub shared: Option<Digest>,
    pub items: Vec<T>,
    /// The cuts of `items` ([`split`]).
    pub parts: Vec<Range<usize>>,
    /// Hashes what an item's row is made from, without making it.
    pub key: ItemKey<'a, T>,
    /// An item's row (`None`: it has none).
    pub row: MakeRow<'a, T, R>,
}

/// Makes an item's row (`None`: it has none).
pub(crate) type MakeRow<'a, T, R> = Box<dyn Fn(&T) -> Option<R> + Send + Sync + 'a>;

/// Hashes what an item's row is made from (`None`: it cannot be).
pub(crate) type ItemKey<'a, T> = Box<dyn Fn(&T, &mut Hasher) -> Option<()> + Send + Sync + 'a>;

impl<T: Sync, R: Serialize + Debug + Send + Sync + 'static> Table for Rows<'_, T, R> {
    fn parts(&self) -> usize {
        self.parts.len()
    }

    fn key(&self, i: usize, h: &mut Hasher) -> Option<()> {
        h.text(self.template)
            .json(&self.table)?
            .bytes(&self.shared?);
        let items = &self.items[self.parts[i].clone()];
        h.count(items.len());
        items.iter().try_for_each(|item| (self.key)(item, h))
    }

    fn write(&self, i: usize, out: &mut dyn std::io::Write) -> Result<(), SiteError> {
        let rows: Vec<R> = self.items[self.parts[i].clone()]
            .iter()
            .filter_map(&self.row)
            .collect();
        let ctx = minijinja::context! {
            table => self.table.clone(),
            rows => super::lazy::rows(rows),
        };
        self.templates.render_to(self.template, ctx, out)
    }
}

/// A page that sums up every record: the page around its table, and the
/// table, written in parts (this module).
pub(crate) struct TablePage<'p> {
    pub(crate) path: String,
    pub(crate) title: &'static str,
    pub(crate) section: &'static str,
    /// Whether the page shows the site's instant (its rows are read then).
    pub(crate) as_of: bool,
    pub(crate) shell: Shell,
    pub(crate) table: Box<dyn Table + 'p>,
}

/// What is around a table page's table: a template and its view (which
/// show the table where they write `{{ rows }}`), or fixed text.
pub(crate) enum Shell {
    Template(&'static str, Value),
    Text(&'static str, &'static str),
}

/// What came of writing a table page.
/// Either way, `warning`: its template does not show its rows.
pub(crate) enum Written {
    /// The previous build's page stands for it.
    Stood { warning: Option<String> },
    /// It was written, parts copied or rendered.
    Rendered { warning: Option<String> },
}

/// Write the table page `p`, shown with `page`, through `write`: a part
/// whose key is the previous build's is copied from its page (`reuse`),
/// the others are rendered; the page whose shell and parts are all
/// unchanged is left standing.
pub(crate) fn write_page(
    p: TablePage<'_>,
    page: &PageInfo,
    templates: &Templates,
    reuse: &dyn Reuse,
    write: &PageWriter<'_>,
) -> Result<Written, SiteError> {
    // The templates and the page's path start every key of the page.
    let mut base = Hasher::new();
    base.bytes(&templates.fingerprint).text(&p.path);
    let part_key = |i| {
        let mut h = base.clone();
        p.table.key(i, &mut h).map(|()| h.finish())
    };
    let keys: Vec<Option<Digest>> = (0..p.table.parts()).into_par_iter().map(part_key).collect();
    let mut h = base.clone();
    let shell = match &p.shell {
        Shell::Template(template, view) => h.text(template).json(&(page, view)).is_some(),
        Shell::Text(head, tail) => {
            h.text(head).text(tail);
            true
        }
    };
    for key in &keys {
        h.bytes(key.as_ref().map_or(&[][..], |k| &k[..]));
    }
    let (around, marker) = match p.shell {
        Shell::Template(template, view) => {
            let shell = |rows: &str| {
                let ctx = minijinja::context! {
                    page => Value::from(Serde(page)),
                    view => view.clone(),
                    rows => Value::from_safe_string(rows.to_owned()),
                };
                let mut bytes = Vec::new();
                templates.render_to(template, ctx, &mut bytes)?;
                Ok::<String, SiteError>(String::from_utf8_lossy(&bytes).into_owned())
            };
            // The page without its table tells which marker its own
            // text (a title in the banner) does not hold.
            let marker = marker(&shell("")?);
            (shell(&marker)?, marker)
        }
        Shell::Text(head, tail) => {
            let marker = marker(&format!("{head}{tail}"));
            (format!("{head}{marker}{tail}"), marker)
        }
    };
    // Told on every build, the page kept or not. A table without rows
    // may well be left out (the built-in SLA page shows a note instead
    // when no ticket is open).
    let lost_rows = !keys.is_empty() && !around.contains(marker.as_str());
    let warning = lost_rows.then(|| {
        format!(
            "{}: its template does not show its rows: write {{{{ rows }}}} where they go (templates/README.md)",
            p.path
        )
    });
    if shell && keys.iter().all(Option::is_some) && reuse.page(&p.path, &h.finish())? {
        return Ok(Written::Stood { warning });
    }
    let mut written = Vec::new();
    write(&p.path, &mut |out| {
        use std::io::Write;
        let mut out = Counted::new(out);
        let mut pieces = around.split(marker.as_str());
        let io = |e| SiteError::io(std::path::Path::new(&p.path))(e);
        out.write_all(pieces.next().unwrap_or_default().as_bytes())
            .map_err(io)?;
        for piece in pieces {
            for (i, key) in keys.iter().enumerate() {
                let start = out.count();
                let copied = match key {
                    Some(key) => reuse.part(&p.path, key, &mut out)?,
                    None => false,
                };
                if !copied {
                    p.table.write(i, &mut out)?;
                }
                if let Some(key) = key {
                    written.push(Part {
                        digest: *key,
                        offset: start,
                        len: out.count() - start,
                    });
                }
            }
            out.write_all(piece.as_bytes()).map_err(io)?;
        }
        Ok(())
    })?;
    reuse.written(&p.path, written);
    Ok(Written::Rendered { warning })
}

/// `<kind folder>/search.js`'s table: the text `gitsm search` searches
/// (titles, descriptions, notes, resolutions, root causes, workarounds,
/// plans) of every record of a list, lower-cased, by id, for the list's
/// search box. The page loads it as a script (a `file://` page may not
/// fetch JSON): [`SEARCH_HEAD`], the table, [`SEARCH_TAIL`].
pub(crate) struct SearchIndex<'a> {
    data: &'a SiteData<'a>,
    records: &'a [&'a Record],
    parts: Vec<Range<usize>>,
}

pub(crate) const SEARCH_HEAD: &str = "/* gitsm: the searched text of each record of this list, for site.js. */\nwindow.gitsmSearch = {";
pub(crate) const SEARCH_TAIL: &str = "};\n";

impl<'a> SearchIndex<'a> {
    /// The search index of `records` (sorted by id).
    pub(crate) fn new(data: &'a SiteData<'a>, records: &'a [&'a Record]) -> SearchIndex<'a> {
        SearchIndex {
            data,
            records,
            parts: split(records, |r| r.id()),
        }
    }
}

impl Table for SearchIndex<'_> {
    fn parts(&self) -> usize {
        self.parts.len()
    }

    fn key(&self, i: usize, h: &mut Hasher) -> Option<()> {
        // The first part has no comma before its first entry.
        h.bytes(&[u8::from(i == 0)]);
        let records = &self.records[self.parts[i].clone()];
        h.count(records.len());
        // A record's text is a function of its content (in its facts).
        records
            .iter()
            .try_for_each(|r| super::page_key::facts_of(h, self.data, r))
    }

    fn write(&self, i: usize, out: &mut dyn std::io::Write) -> Result<(), SiteError> {
        let io = |e| SiteError::io(std::path::Path::new("search.js"))(e);
        for (j, r) in self.records[self.parts[i].clone()].iter().enumerate() {
            let (title, body) = crate::local_index::search::text_of(r);
            let text = format!("{title}\n{body}").to_lowercase();
            if i > 0 || j > 0 {
                out.write_all(b",").map_err(io)?;
            }
            let entry = format!("{}:{}", script_json(r.id()), script_json(&text));
            out.write_all(entry.as_bytes()).map_err(io)?;
        }
        Ok(())
    }
}

/// `text` as a JSON string that is valid, and nothing a script or page
/// could read otherwise.
fn script_json(text: &str) -> String {
    serde_json::to_string(text)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_added_changes_only_its_own_part() {
        let ids: Vec<String> = (0..5000).map(|i| format!("INC-{i:06}")).collect();
        let mut with = ids.clone();
        with.insert(2500, "INC-002500a".to_owned());
        let slices = |all: &[String]| -> Vec<Vec<String>> {
            split(all, |s| s.as_str())
                .into_iter()
                .map(|r| all[r].to_vec())
                .collect()
        };
        let (before, after) = (slices(&ids), slices(&with));
        let differ =
            |a: &[Vec<String>], b: &[Vec<String>]| a.iter().filter(|p| !b.contains(p)).count();
        // One part holds the new row (or it cut one part in two).
        assert!(differ(&after, &before) <= 2, "{}", differ(&after, &before));
        assert!(differ(&before, &after) <= 1);
        assert_eq!(before.concat(), ids);
        assert!(before.iter().all(|p| p.len() <= MAX));
        // Parts are neither one row each nor the whole table.
        assert!(
            (5000 / 512..5000 / 32).contains(&before.len()),
            "{}",
            before.len()
        );
    }

    #[test]
    fn a_table_without_cuts_is_cut_every_max_rows() {
        let ids: Vec<String> = (0..MAX * 3 + 5)
            .map(|i| format!("X{i}"))
            .filter(|id| !fnv1a(id.as_bytes()).is_multiple_of(AVERAGE))
            .collect();
        let parts = split(&ids, |s| s.as_str());
        let (last, full) = parts.split_last().expect("parts");
        assert!(full.iter().all(|p| p.len() == MAX), "{parts:?}");
        assert_eq!(last.end, ids.len());
        assert_eq!(parts.iter().map(|p| p.len()).sum::<usize>(), ids.len());
    }
}
