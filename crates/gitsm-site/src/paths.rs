//! Where each page of the site lives, and safe file names for record ids.
//!
//! Every link in the site is relative, so the folder works from `file://`
//! and on any static host. Paths here are relative to the site root and use
//! `/`; a page at depth one reaches the root through `../`.

use crate::kind::Kind;

/// Longest file name stem written for a record (bytes, before `.html`).
const MAX_STEM: usize = 120;

/// A record id as a file name stem: ASCII letters, digits and `-` are kept,
/// every other byte becomes `_` and two hex digits (`_` itself included),
/// so that distinct ids give distinct names and no id can name a path
/// (`/`, `..`), a hidden file or a character a file system refuses, nor
/// the list page of its folder (`index`, in any case, becomes `_69ndex`:
/// a CI with id `index` would otherwise be `cis/index.html`). Ids are
/// validated long before they get here; this is the last line of defence.
pub fn file_stem(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    let list = id.eq_ignore_ascii_case("index");
    for (i, b) in id.bytes().enumerate() {
        if (b.is_ascii_alphanumeric() || b == b'-') && !(list && i == 0) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("_{b:02x}"));
        }
    }
    if out.is_empty() {
        out.push('_');
    }
    if out.len() > MAX_STEM {
        // Keep a readable prefix and make the name unique with a hash.
        let mut cut = MAX_STEM - 17;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str(&format!("_{:016x}", fnv1a(id.as_bytes())));
    }
    out
}

/// 64-bit FNV-1a: a stable hash (the standard library's is randomised).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Folder of a kind's pages (the same names as in the managed repository).
pub fn folder(kind: Kind) -> &'static str {
    kind.folder()
}

/// The page of a record, relative to the site root.
pub fn record(kind: Kind, id: &str) -> String {
    format!("{}/{}.html", folder(kind), file_stem(id))
}

/// The list page of a kind, relative to the site root.
pub fn list(kind: Kind) -> String {
    format!("{}/index.html", folder(kind))
}

/// The prefix that leads from a page back to the site root.
pub fn root_of(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_ids_are_kept() {
        assert_eq!(file_stem("INC-0042"), "INC-0042");
        assert_eq!(file_stem("payments-api"), "payments-api");
        assert_eq!(file_stem("D010210-009"), "D010210-009");
    }

    #[test]
    fn odd_ids_cannot_escape_or_collide() {
        assert_eq!(file_stem("../etc/passwd"), "_2e_2e_2fetc_2fpasswd");
        assert_eq!(file_stem(".hidden"), "_2ehidden");
        assert_eq!(file_stem("a_b"), "a_5fb");
        assert_ne!(file_stem("a_2fb"), file_stem("a/b"));
        assert_eq!(file_stem(""), "_");
        assert_eq!(file_stem("é"), "_c3_a9");
        // Not a folder's list page, in any case (nor another id's name).
        assert_eq!(file_stem("index"), "_69ndex");
        assert_eq!(file_stem("Index"), "_49ndex");
        assert_ne!(record(Kind::Ci, "index"), list(Kind::Ci));
        assert_eq!(file_stem("indexes"), "indexes");
        let long = "x".repeat(500);
        let stem = file_stem(&long);
        assert!(stem.len() <= MAX_STEM);
        assert_ne!(stem, file_stem(&"x".repeat(501)));
    }

    #[test]
    fn root_prefix_follows_depth() {
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("incidents/INC-0001.html"), "../");
        assert_eq!(record(Kind::Ci, "web"), "cis/web.html");
    }
}
