//! The key of a record's page: the hash of everything its views
//! ([`super::record::view`], and [`super::ci::view`] for a CI) are made
//! from, taken without making them. An unchanged page then costs a hash
//! of a few small things, not a view, its timeline, its SLA clocks or its
//! graph.
//!
//! The inputs of every record's page, each in the key:
//! - the templates (and the program's build), the template's name and the
//!   page info (path, title, instant, major incidents' banner);
//! - the record itself (its fields, notes, decisions, stamps, outages):
//!   the blob it was read from;
//! - each record it links to and each that links to it: the field, the
//!   id, and whether it exists, with its kind, title and status;
//! - its status transitions in Git history (timeline and clocks);
//! - the instant the clocks are read at, exactly (the page info shows
//!   it to the minute only);
//! - the configuration as a whole (priority matrix, SLA targets, symptom
//!   policy, catalogue, calendars, CI classes and relations) and the class
//!   of the service its clocks read
//!   ([`crate::dataset::Clocks::service_class`]).
//!
//! A CI's page adds ([`ci`]):
//! - the part of the CMDB its graph draws ([`super::ci::drawn`]: the
//!   depth, the CIs with their names, classes, statuses and whether they
//!   are services, and the relations among them);
//! - every CI that depends on it and that it depends on, transitively:
//!   id, name, class, status, whether a service, distance, and the
//!   relation and CI it was reached through;
//! - each ticket naming it ([`super::data::SiteData::tickets_by_ci`]):
//!   what its lists show and sort by (id, kind, title, status, priority,
//!   creation, a change's window, a known error, open or not);
//! - its service's availability over the report's period, as the report
//!   computed it.

use serde::Serialize;

use crate::availability::ServiceAvailability;
use crate::cmdb::{CmdbGraph, Reached};
use crate::model::{Record, Timestamp};

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
        h.bytes(fingerprint)
            .text(template)
            .bytes(&shared(data, true)?);
        Some(Base(h))
    }
}

/// The hash of the configuration as a whole, and of the instant clocks are
/// read at when `clocks` (what a record's page and the rows of a table
/// share: [`super::parts`]).
pub(crate) fn shared(data: &SiteData<'_>, clocks: bool) -> Option<Digest> {
    let mut h = Hasher::new();
    h.json(data.config)?;
    if clocks {
        // The instant to the nanosecond: pages show it to the minute, but
        // clocks count the seconds (and a build without `--at` reads them
        // at the last commit's).
        instant(&mut h, Some(&data.at));
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
    Some(record_inputs(base, data, page, record)?.finish())
}

/// The key of the page of a CI (`record`), shown with `page`; `service`
/// is its availability from the report, when the page shows one.
pub(crate) fn ci(
    base: &Base,
    data: &SiteData<'_>,
    page: &PageInfo,
    record: &Record,
    service: Option<&ServiceAvailability>,
) -> Option<Digest> {
    let mut h = record_inputs(base, data, page, record)?;
    let g = &data.graph;
    match g.index_of(record.id()) {
        Some(index) => {
            let (depth, drawn) = super::ci::drawn(g, index);
            h.bytes(b"\x01").count(depth).json(&drawn)?;
            reached(&mut h, g, &g.dependents(&[index]));
            reached(&mut h, g, &g.dependencies(&[index]));
        }
        None => {
            h.bytes(b"\x00");
        }
    }
    let tickets = data
        .tickets_by_ci
        .get(record.id())
        .map_or(&[][..], Vec::as_slice);
    h.count(tickets.len());
    for t in tickets {
        ticket(&mut h, data, t);
    }
    h.json(&service)?;
    Some(h.finish())
}

/// What every record's page is made from, hashed.
fn record_inputs(
    base: &Base,
    data: &SiteData<'_>,
    page: &PageInfo,
    record: &Record,
) -> Option<Hasher> {
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
    h.count(incoming.len());
    for (field, source) in incoming {
        h.text(field);
        neighbour(&mut h, data, source);
    }
    clock_inputs(&mut h, data, record);
    Some(h)
}

/// What the clocks of `record` read besides it and the configuration: its
/// status transitions in Git history (also its timeline) and the class of
/// its service.
pub(crate) fn clock_inputs(h: &mut Hasher, data: &SiteData<'_>, record: &Record) {
    let transitions = data.dataset.transitions(record.id());
    h.count(transitions.len());
    for t in transitions {
        match &t.from {
            Some(from) => h.bytes(b"\x01").text(from),
            None => h.bytes(b"\x00"),
        };
        h.text(&t.to);
        instant(h, Some(&t.at));
        h.text(&t.author.name).text(&t.commit);
    }
    h.bytes(data.service_class(record).as_slice());
}

/// The record's own content: its kind and the Git blob it was read from
/// (the record is a function of those and the program, which every key
/// holds), or
/// for a record made in memory, its fields as JSON.
pub(crate) fn content(h: &mut Hasher, data: &SiteData<'_>, record: &Record) -> Option<()> {
    // The kind too: it comes from the record's folder, not its bytes.
    h.text(record.id()).text(record.kind().name());
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

/// CIs reached from a CI's page through its relations, as its lists of
/// dependents and dependencies show them.
fn reached(h: &mut Hasher, g: &CmdbGraph<'_>, list: &[Reached]) {
    h.count(list.len());
    for r in list {
        let c = g.ci(r.ci);
        h.text(&c.id)
            .text(&c.name)
            .text(&c.class)
            .text(&c.status)
            .bytes(&[u8::from(g.is_service(r.ci))])
            .count(r.distance);
        match r.via {
            Some(via) => h
                .bytes(b"\x01")
                .text(g.relation_name(via.relation))
                .text(&g.ci(via.ci).id),
            None => h.bytes(b"\x00"),
        };
    }
}

/// What a CI's page shows of a ticket naming it, and sorts and picks its
/// lists by ([`super::ci::ticket_ref`]).
fn ticket(h: &mut Hasher, data: &SiteData<'_>, r: &Record) {
    h.text(r.id())
        .text(r.kind().name())
        .text(r.title())
        .text(r.status())
        .text(data.priority(r).map_or("", |p| p.name()))
        .bytes(&[
            u8::from(data.is_open(r)),
            u8::from(matches!(r, Record::Problem(p) if p.known_error)),
        ]);
    instant(h, r.created_at().as_ref());
    let window = match r {
        Record::Change(c) => c.window.as_ref(),
        _ => None,
    };
    instant(h, window.map(|w| &w.start));
    instant(h, window.map(|w| &w.end));
}

/// An instant, exactly (to the nanosecond, in its own offset: a timeline
/// shows it so), or its absence.
fn instant(h: &mut Hasher, at: Option<&Timestamp>) {
    match at {
        Some(t) => h
            .bytes(b"\x01")
            .bytes(&t.timestamp().to_le_bytes())
            .bytes(&t.timestamp_subsec_nanos().to_le_bytes())
            .bytes(&t.offset().local_minus_utc().to_le_bytes()),
        None => h.bytes(b"\x00"),
    };
}
