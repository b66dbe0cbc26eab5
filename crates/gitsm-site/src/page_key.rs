//! The key of a ticket's or an article's page: the hash of everything its
//! view ([`super::record::view`]) is made from, taken without making the
//! view. An unchanged page then costs a hash of a few small things, not a
//! view, its timeline and its SLA clocks.
//!
//! The inputs, each in the key:
//! - the templates, the template's name and the page info (path, title,
//!   instant, major incidents' banner);
//! - the record itself (its fields, notes, decisions, stamps, outages):
//!   the blob it was read from;
//! - each record it links to and each that links to it: the field, the
//!   id, and whether it exists, with its kind, title and status;
//! - its status transitions in Git history (timeline and clocks);
//! - the instant the clocks are read at, exactly (the page info shows
//!   it to the minute only);
//! - the configuration as a whole (priority matrix, SLA targets, symptom
//!   policy, catalogue, calendars) and the class of the service its
//!   clocks read ([`crate::dataset::Clocks::service_class`]).
//!
//! A CI's page reads far more (the CMDB graph, tickets by CI,
//! availability): its key is the hash of its built view instead.

use serde::Serialize;

use crate::model::Record;

use super::PageInfo;
use super::data::SiteData;
use super::manifest::{Digest, Hasher};

/// What every record page's key starts from: the templates, the
/// template's name and the configuration.
#[derive(Clone)]
pub(crate) struct Base(Hasher);

impl Base {
    /// `None` when the configuration cannot be hashed: no page is reused.
    pub(crate) fn new(fingerprint: &[u8], template: &str, data: &SiteData<'_>) -> Option<Base> {
        let mut h = Hasher::new();
        h.bytes(fingerprint).text(template).json(data.config)?;
        // The instant to the nanosecond: pages show it to the minute, but
        // clocks count the seconds (and a build without `--at` reads them
        // at the last commit's).
        h.text(&data.at.to_rfc3339());
        Some(Base(h))
    }
}

/// The hash of the configuration as a whole, and of the instant clocks are
/// read at when `clocks` (what the rows of a table share: [`super::parts`]).
pub(crate) fn shared(data: &SiteData<'_>, clocks: bool) -> Option<Digest> {
    let mut h = Hasher::new();
    h.json(data.config)?;
    if clocks {
        h.text(&data.at.to_rfc3339());
    }
    Some(h.finish())
}

/// The key of the page of `record` (not a CI), shown with `page`.
pub(crate) fn record(
    base: &Base,
    data: &SiteData<'_>,
    page: &PageInfo,
    record: &Record,
) -> Option<Digest> {
    let mut h = base.0.clone();
    h.json(page)?;
    content(&mut h, data, record)?;
    for n in record.names() {
        h.text(n.field).text(&n.pointer());
        neighbour(&mut h, data, n.target);
    }
    // Each list preceded by its length, each absent value by its own tag:
    // two different sequences never hash alike.
    let incoming = data
        .incoming
        .get(record.id())
        .map_or(&[][..], Vec::as_slice);
    h.bytes(&(incoming.len() as u64).to_le_bytes());
    for (field, source) in incoming {
        h.text(field);
        neighbour(&mut h, data, source);
    }
    clock_inputs(&mut h, data, record);
    Some(h.finish())
}

/// What the clocks of `record` read besides it and the configuration: its
/// status transitions in Git history (also its timeline) and the class of
/// its service.
pub(crate) fn clock_inputs(h: &mut Hasher, data: &SiteData<'_>, record: &Record) {
    let transitions = data.dataset.transitions(record.id());
    h.bytes(&(transitions.len() as u64).to_le_bytes());
    for t in transitions {
        match &t.from {
            Some(from) => h.bytes(b"\x01").text(from),
            None => h.bytes(b"\x00"),
        };
        h.text(&t.to);
        instant(h, &t.at);
        h.text(&t.author.name).text(&t.commit);
    }
    h.bytes(data.service_class(record).as_slice());
}

/// An instant, exactly and in its own offset (a timeline shows it so), as
/// fixed-size bytes: seconds, nanoseconds and the offset's seconds.
fn instant(h: &mut Hasher, at: &crate::model::Timestamp) {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&at.timestamp().to_le_bytes());
    bytes[8..12].copy_from_slice(&at.timestamp_subsec_nanos().to_le_bytes());
    bytes[12..].copy_from_slice(&at.offset().local_minus_utc().to_le_bytes());
    h.bytes(&bytes);
}

/// The record's own content: the Git blob it was read from (the record is
/// a function of those bytes and the program, which every key holds), or
/// for a record made in memory, its fields as JSON.
pub(crate) fn content(h: &mut Hasher, data: &SiteData<'_>, record: &Record) -> Option<()> {
    h.text(record.id());
    if let Some(blob) = data.blob(record) {
        h.bytes(b"\x01").bytes(blob);
        return Some(());
    }
    h.bytes(b"\x00");
    fn json(h: &mut Hasher, r: &impl Serialize) -> Option<()> {
        h.json(r).map(drop)
    }
    match record {
        Record::Incident(r) => json(h, r),
        Record::Problem(r) => json(h, r),
        Record::Change(r) => json(h, r),
        Record::Request(r) => json(h, r),
        Record::Ci(r) => json(h, r),
        Record::Article(r) => json(h, r),
    }
}

/// What a page shows of a record it links to, or that links to it.
fn neighbour(h: &mut Hasher, data: &SiteData<'_>, id: &str) {
    h.text(id);
    match data.by_id.get(id) {
        Some(r) => {
            h.text(r.kind().name()).text(r.title()).text(r.status());
        }
        None => {
            h.bytes(b"\0missing");
        }
    }
}
