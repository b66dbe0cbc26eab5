//! Which record pages a build looks at, from what changed since the last
//! build of the folder: a one-record commit costs that record's pages,
//! not a key for each of 100,000 pages.
//!
//! A record's page is made from what every record page shares (the
//! templates, the configuration, the banner:
//! [`page_key::shared_by_records`]) and, of each record it shows, that
//! record's facts ([`page_key::facts`]: its content, status transitions,
//! service class, and what its page shows of its clocks). The records a
//! page shows are its own, those it names and those naming it
//! ([`page_key`]); a CI's page also shows the CMDB around it and the
//! tickets naming it. A service's page also shows its availability up to
//! the instant, which no record's facts hold (only whether the page
//! shows it): the build looks at those pages every time.
//!
//! So when what is shared is as the last build saw it, a page can differ
//! only if one of those records' facts did, or one appeared or went. For
//! each record whose facts changed (or that was added or removed), the
//! pages looked at are its own, those of the records it names now and
//! named before (the manifest keeps the ids each record named), and
//! those of the records naming it now. When a CI changed, every CI's page
//! is looked at (a graph reaches far). The other pages stand as the last
//! build left them, under the key it gave them, when their files are
//! still the ones it wrote.

use std::collections::HashSet;

use foldhash::fast::RandomState as Fast;

use crate::kind::Kind;
use crate::model::Record;

use super::data::SiteData;
use super::manifest::{Digest, Records, Seen};
#[cfg(doc)]
use super::page_key;

/// The record pages to look at.
pub(crate) struct ToLookAt<'a> {
    ids: HashSet<&'a str, Fast>,
    every_ci: bool,
}

impl ToLookAt<'_> {
    /// Whether the page of `record` is to be looked at (its key made and
    /// compared), or stands for itself.
    pub(crate) fn page_of(&self, record: &Record) -> bool {
        (self.every_ci && record.kind() == Kind::Ci) || self.ids.contains(record.id())
    }
}

/// The record pages a build looks at, given what the last one saw
/// (`before`) and what the record pages share now (`shared`). `None`:
/// every page is looked at (the shared inputs changed, or a record's
/// facts cannot be known).
pub(crate) fn pages_to_look_at<'a>(
    before: &Records,
    shared: &Digest,
    data: &SiteData<'a>,
) -> Option<ToLookAt<'a>> {
    if before.shared != *shared {
        return None;
    }
    let mut look = ToLookAt {
        ids: HashSet::default(),
        every_ci: false,
    };
    // A record of this build: its page, if it has one.
    let page = |look: &mut ToLookAt<'a>, id: &str| {
        if let Some((&id, _)) = data.by_id.get_key_value(id) {
            look.ids.insert(id);
        }
    };
    // The pages a record changed, added or gone can reach besides its own
    // and those of the ids it names now: those of the records naming it
    // now, and of the ids it named before (`seen`).
    let around = |look: &mut ToLookAt<'a>, id: &str, seen: Option<&Seen>| {
        look.every_ci |= seen.is_some_and(|s| s.kind == Kind::Ci);
        for (_, source) in data.incoming.get(id).into_iter().flatten() {
            page(look, source);
        }
        for named in seen.into_iter().flat_map(Seen::names) {
            page(look, &named);
        }
    };
    let mut seen_again = 0;
    for &record in &data.records {
        let facts = data.facts(record)?;
        let seen = before.seen.get(record.id());
        if let Some(seen) = seen {
            seen_again += 1;
            if seen.facts == *facts {
                continue;
            }
        }
        look.ids.insert(record.id());
        look.every_ci |= record.kind() == Kind::Ci;
        for named in record.names() {
            page(&mut look, named.target);
        }
        around(&mut look, record.id(), seen);
    }
    // Records gone since (every record seen again is counted once: ids
    // are unique on both sides).
    if seen_again < before.seen.len() {
        for (id, seen) in &before.seen {
            if !data.by_id.contains_key(&**id) {
                around(&mut look, id, Some(seen));
            }
        }
    }
    Some(look)
}
