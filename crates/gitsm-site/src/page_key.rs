//! The key of a record's page: the hash of everything its views
//! ([`super::record::view`], and [`super::ci::view`] for a CI) are made
//! from, taken without making them. An unchanged page then costs a hash
//! of a few small things, not a view, its timeline, its SLA clocks or its
//! graph.
//!
//! The inputs of every record's page, each in the key:
//! - the templates (and the program's build), the template's name and the
//!   page info (path, title, major incidents' banner; the instant on a
//!   service's page);
//! - the record's [`facts`]: the record itself (its fields, notes,
//!   decisions, stamps, outages: the blob it was read from), its status
//!   transitions in Git history (timeline and clocks), the class of the
//!   service its clocks read ([`crate::dataset::Clocks::service_class`]),
//!   what its page shows of its SLA clocks ([`standing_clocks`]), and for
//!   a CI whether its page shows its service's availability;
//! - each record it links to and each that links to it: the field, the
//!   id, and whether it exists, with its kind, title and status;
//! - the configuration as a whole (priority matrix, SLA targets, symptom
//!   policy, catalogue, calendars, CI classes and relations).
//!
//! Not the site's instant itself: a record's page shows no figure that
//! moves with it (a running clock shows its due time, not its elapsed
//! time: [`standing_clocks`]), so a build at a later instant, as every
//! commit's build is, keeps the pages of the records whose clocks did not
//! change state. Only a service's page shows the instant (its
//! availability is measured up to it).
//!
//! A CI's page adds ([`ci`]):
//! - for a service, its availability over the report's period, measured
//!   up to the site's instant (such a page is looked at by every build:
//!   [`crate::changes`] does not see the instant);
//! - the part of the CMDB its graph draws ([`super::ci::drawn`]: the
//!   depth, the CIs with their names, classes, statuses and whether they
//!   are services, and the relations among them);
//! - every CI that depends on it and that it depends on, transitively:
//!   id, name, class, status, whether a service, distance, and the
//!   relation and CI it was reached through;
//! - each ticket naming it ([`super::data::SiteData::tickets_by_ci`]):
//!   what its lists show and sort by (id, kind, title, status, priority,
//!   creation, a change's window, a known error, open or not).

use serde::Serialize;

use crate::availability::ServiceAvailability;
use crate::cmdb::{CmdbGraph, Reached};
use crate::history::trail::Transition;
use crate::model::{Record, Timestamp};
use crate::sla::TicketClocks;

use super::PageInfo;
use super::data::SiteData;
use super::manifest::{Digest, Hasher};
use super::record::ShownFigures;

/// What every record page's key starts from: the templates, the
/// template's name and the configuration.
#[derive(Clone)]
pub(crate) struct Base(Hasher);

impl Base {
    /// `None` when the configuration cannot be hashed: no page is reused.
    pub(crate) fn new(fingerprint: &[u8], template: &str, data: &SiteData<'_>) -> Option<Base> {
        let mut h = Hasher::new();
        h.bytes(fingerprint).text(template).bytes(&shared(data)?);
        Some(Base(h))
    }
}

/// What every record's page shares, hashed: the templates, the two
/// templates of record pages, the configuration and the page info without
/// what is a record's own (`blank`: the major incidents' banner). With [`facts`], what a build compares with
/// the last one's to know which pages to look at ([`crate::changes`]).
pub(crate) fn shared_by_records(
    fingerprint: &[u8],
    data: &SiteData<'_>,
    blank: &PageInfo,
) -> Option<Digest> {
    let mut h = Hasher::new();
    h.bytes(fingerprint)
        .text(super::RECORD_TEMPLATE)
        .text(super::CI_TEMPLATE)
        .bytes(&shared(data)?)
        .json(blank)?;
    Some(h.finish())
}

/// What the pages of the site take from one record besides the record
/// itself: what its [`facts`] hash.
pub(crate) struct Facts<'a> {
    /// The Git blob it was read from (`None`: a record made in memory).
    pub blob: Option<&'a [u8]>,
    /// Its status transitions in Git history (its timeline and clocks).
    pub transitions: &'a [Transition],
    /// The class of its service, which its clocks read
    /// ([`crate::dataset::Clocks::service_class`]).
    pub service_class: Option<u8>,
    /// For a ticket, its clocks read at the site's instant.
    pub clocks: Option<&'a TicketClocks>,
    /// For a CI, whether its page shows its availability. The figures
    /// are not here (they move with the instant: the page is looked at
    /// by every build while it shows them), but a page that stops
    /// showing them must be looked at once more.
    pub measured: bool,
}

/// What the pages of the site take from one record, hashed: its kind and
/// id, its content (the blob it was read from), its status transitions,
/// its service's class, what its page shows of its clocks, and for a CI
/// whether its page shows its availability. Every page key
/// holds these of each record it shows, with what all pages share
/// ([`shared_by_records`]); `None` when they cannot be hashed (no page
/// showing the record is reused).
pub(crate) fn facts(record: &Record, inputs: &Facts<'_>) -> Option<Digest> {
    let mut h = Hasher::new();
    content(&mut h, record, inputs.blob)?;
    h.count(inputs.transitions.len());
    for t in inputs.transitions {
        match &t.from {
            Some(from) => h.bytes(b"\x01").text(from),
            None => h.bytes(b"\x00"),
        };
        h.text(&t.to);
        instant(&mut h, Some(&t.at));
        h.text(&t.author.name).text(&t.commit);
    }
    h.bytes(inputs.service_class.as_slice());
    h.bytes(&[u8::from(inputs.measured)]);
    standing_clocks(&mut h, inputs.clocks);
    Some(h.finish())
}

/// What a ticket's page shows of its clocks read at the site's instant
/// ([`super::record::clock_views`]; the SLA page's rows too): whether the
/// ticket is open, and of each clock its state, whether it stopped or is
/// on hold, and the figures the pages show of it
/// ([`super::record::ShownFigures`]: not those that move with the
/// instant).
fn standing_clocks(h: &mut Hasher, clocks: Option<&TicketClocks>) {
    let Some(clocks) = clocks else {
        h.bytes(b"\x00");
        return;
    };
    h.bytes(&[1, u8::from(clocks.is_open())]);
    h.count(clocks.clocks().count());
    for c in clocks.clocks() {
        let r = &c.reading;
        h.text(r.state.name())
            .bytes(&[u8::from(r.stopped), u8::from(r.paused)]);
        let shown = ShownFigures::of(r);
        if shown.counted {
            h.bytes(&r.elapsed.num_milliseconds().to_le_bytes())
                .bytes(&r.remaining.num_milliseconds().to_le_bytes());
        }
        if shown.due {
            instant(h, c.due.as_ref());
        }
    }
}

/// Hash the [`facts`] of `record` into `h`: what a page, or a row of a
/// table, holds of a record it shows.
pub(crate) fn facts_of(h: &mut Hasher, data: &SiteData<'_>, record: &Record) -> Option<()> {
    h.bytes(data.facts(record)?);
    Some(())
}

/// The hash of the configuration as a whole: what a record's page and the
/// rows of a table share ([`super::parts`]). Not the instant: what they
/// show of clocks is in each record's [`facts`].
pub(crate) fn shared(data: &SiteData<'_>) -> Option<Digest> {
    let mut h = Hasher::new();
    h.json(data.config)?;
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

/// The key of the page of a CI (`record`), shown with `page`, and for a
/// service, its availability (measured up to the instant `page` shows).
pub(crate) fn ci(
    base: &Base,
    data: &SiteData<'_>,
    page: &PageInfo,
    record: &Record,
    service: Option<&ServiceAvailability>,
) -> Option<Digest> {
    let mut h = record_inputs(base, data, page, record)?;
    h.json(&service)?;
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
    facts_of(&mut h, data, record)?;
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
    Some(h)
}

/// The record's own content: its kind and the Git blob it was read from
/// (the record is a function of those and the program, which every key
/// holds), or
/// for a record made in memory, its fields as JSON.
fn content(h: &mut Hasher, record: &Record, blob: Option<&[u8]>) -> Option<()> {
    // The kind too: it comes from the record's folder, not its bytes.
    h.text(record.id()).text(record.kind().name());
    if let Some(blob) = blob {
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
