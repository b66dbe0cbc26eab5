//! Everything the pages need, indexed once: records by id, links in the
//! reverse direction, tickets by the CIs they name, status transitions from
//! one walk of Git history, and SLA clocks. Each lookup a page makes is then
//! a hash lookup, so the build grows linearly with the records.

use std::collections::HashMap;

use foldhash::fast::RandomState as Fast;

use rayon::prelude::*;

use crate::cmdb::CmdbGraph;
use crate::config::Config;
use crate::dataset::{Clocks, Dataset};
use crate::kind::Kind;
use crate::model::{Priority, Record, Timestamp};
use crate::sla::{ClockState, SlaError, TicketClocks};

use super::manifest::Digest;
use super::{page_key, paths};

/// Change states in which a change is about to touch, or is touching, its
/// CIs (as `gitsm impact` counts them).
pub const SCHEDULED_CHANGE_STATES: [&str; 2] = ["scheduled", "implement"];

/// A record of the build by its address, which stands while the dataset
/// is borrowed: looked up for every list row of every page key, it costs
/// one probe, where the record's id would cost two trips to memory more
/// (the record, then its id's bytes) at 100,000 records. Only the record
/// shown under its id is one: another file's copy is not found.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Shown(usize);

impl Shown {
    fn of(record: &Record) -> Shown {
        Shown(std::ptr::from_ref(record).addr())
    }
}

/// The records of a build and their indexes.
pub struct SiteData<'a> {
    pub config: &'a Config,
    pub dataset: &'a Dataset,
    /// Valid records, first of each id, by kind then id.
    pub records: Vec<&'a Record>,
    pub by_id: HashMap<&'a str, &'a Record, Fast>,
    /// The facts of each of [`SiteData::records`] (what the pages take
    /// from it, hashed: [`page_key::facts`]), by the record's address
    /// ([`Shown`]): what page keys and list rows hold of the records they
    /// show.
    facts: HashMap<Shown, Digest, Fast>,
    /// Links stored on other records, by target: (field, source id).
    pub incoming: HashMap<&'a str, Vec<(&'a str, &'a str)>, Fast>,
    /// Tickets naming a CI in `service`, `affected_cis` or `cis`.
    pub tickets_by_ci: HashMap<&'a str, Vec<&'a Record>, Fast>,
    /// Reads the SLA clocks of incidents and requests ([`SiteData::clocks`]):
    /// read when a page shows them, not held (100,000 tickets' clocks are
    /// some 50 MB).
    reader: Clocks<'a>,
    /// The open tickets with SLA clocks, worst first: what the SLA page
    /// and the dashboard sum up, from the one reading of every clock.
    pub open_clocks: Vec<OpenClocks<'a>>,
    pub graph: CmdbGraph<'a>,
    /// The instant the site shows: clocks are read then.
    pub at: Timestamp,
}

impl<'a> SiteData<'a> {
    /// The records of `dataset` as of `at`; `measured`: whether a CI is a
    /// service whose availability its page shows (it is in the report's
    /// availability list).
    pub fn new(
        dataset: &'a Dataset,
        at: Timestamp,
        measured: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<SiteData<'a>, SlaError> {
        let config = dataset.config();
        let mut read: Vec<(&Record, Option<&[u8]>, &std::path::Path)> = dataset
            .loaded()
            .records()
            .map(|(f, r)| (r, f.blob.as_ref().map(|b| b.as_bytes()), f.path.as_path()))
            .collect();
        // Of the files of one id, the record is the first: of the first
        // kind, then in path order. Everything (its page, the links to it,
        // its links) is of that one file, whatever order the files came in.
        read.sort_unstable_by(|(a, _, pa), (b, _, pb)| {
            (a.kind(), a.id(), pa).cmp(&(b.kind(), b.id(), pb))
        });
        // Ids are looked up for every link of every page: a fast hash (the
        // ids are the repository's own, not an attacker's choice).
        let mut by_id: HashMap<&str, &Record, Fast> =
            HashMap::with_capacity_and_hasher(read.len(), Fast::default());
        read.retain(|&(r, _, _)| match by_id.entry(r.id()) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(place) => {
                place.insert(r);
                true
            }
        });
        let records: Vec<&Record> = read.iter().map(|&(r, _, _)| r).collect();
        let reader = dataset.clocks()?;
        // The links both ways, made on one thread while the others read
        // every record's clocks and hash its facts (which hold what its
        // page shows of the clocks).
        let ((incoming, tickets_by_ci), read_facts) = rayon::join(
            || (incoming(&records), tickets_by_ci(&records)),
            || {
                read.par_iter()
                    .map(|&(r, blob, _)| {
                        let clocks = reader.of(r, at)?;
                        let inputs = page_key::Facts {
                            blob,
                            transitions: dataset.transitions(r.id()),
                            service_class: reader.service_class(r),
                            clocks: clocks.as_ref(),
                            measured: matches!(r, Record::Ci(ci) if measured(&ci.id)),
                        };
                        let facts = page_key::facts(r, &inputs).map(|f| (Shown::of(r), f));
                        let open = clocks
                            .filter(TicketClocks::is_open)
                            .map(|c| OpenClocks::of(r, &c));
                        Ok((facts, open))
                    })
                    .collect::<Result<Vec<_>, SlaError>>()
            },
        );
        drop(read);
        let read_facts = read_facts?;
        let mut facts = HashMap::with_capacity_and_hasher(read_facts.len(), Fast::default());
        let mut open_clocks = Vec::new();
        for (record_facts, open) in read_facts {
            facts.extend(record_facts);
            open_clocks.extend(open);
        }
        worst_first(&mut open_clocks);
        let graph = CmdbGraph::new(
            &config.ci,
            records.iter().filter_map(|r| match r {
                Record::Ci(ci) => Some(ci),
                _ => None,
            }),
        );
        Ok(SiteData {
            config,
            dataset,
            records,
            facts,
            by_id,
            incoming,
            tickets_by_ci,
            reader,
            open_clocks,
            graph,
            at,
        })
    }

    /// The SLA clocks of `record` read at the site's instant (`None`: not a
    /// ticket with clocks), for a page that shows them. Every clock was
    /// read once by [`SiteData::new`]: one that fails failed the build.
    pub fn clocks(&self, record: &Record) -> Option<TicketClocks> {
        self.reader.of(record, self.at).ok().flatten()
    }

    /// The service class the clocks of `record` read.
    pub fn service_class(&self, record: &Record) -> Option<u8> {
        self.reader.service_class(record)
    }

    /// How many open tickets' worst clock is in `state`.
    pub fn open_in(&self, state: ClockState) -> usize {
        self.open_clocks.iter().filter(|t| t.state == state).count()
    }

    /// The facts of `record` ([`page_key::facts`]: what the pages take
    /// from it, hashed), when it is the record shown under its id and they
    /// could be hashed.
    pub fn facts(&self, record: &Record) -> Option<&Digest> {
        self.facts.get(&Shown::of(record))
    }

    /// Records of one kind, by id.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &'a Record> + '_ {
        self.all_of_kind(kind).iter().copied()
    }

    /// Records of one kind, by id, as the slice of [`SiteData::records`]
    /// (sorted by kind, then id) that holds them.
    pub fn all_of_kind(&self, kind: Kind) -> &[&'a Record] {
        let start = self.records.partition_point(|r| r.kind() < kind);
        let end = self.records.partition_point(|r| r.kind() <= kind);
        &self.records[start..end]
    }

    /// Whether a record still needs work ([`crate::sla::Phase::is_open`]).
    pub fn is_open(&self, record: &Record) -> bool {
        crate::sla::Phase::is_open(record)
    }

    pub fn priority(&self, record: &Record) -> Option<Priority> {
        crate::priority::of(record, self.config)
    }

    /// The page of record `id` relative to a page whose root prefix is
    /// `root`, when the record exists.
    pub fn href(&self, root: &str, id: &str) -> Option<String> {
        self.by_id
            .get(id)
            .map(|r| format!("{root}{}", paths::record(r.kind(), r.id())))
    }
}

/// What the SLA page and the dashboard need of an open ticket's clocks.
#[derive(Debug, Clone, Copy)]
pub struct OpenClocks<'a> {
    pub record: &'a Record,
    /// The worst of its clocks: `Ok`, `AtRisk` or `Breached`.
    pub state: ClockState,
    /// When its next running clock is due.
    pub next_due: Option<Timestamp>,
}

impl<'a> OpenClocks<'a> {
    fn of(record: &'a Record, clocks: &TicketClocks) -> OpenClocks<'a> {
        OpenClocks {
            record,
            state: clocks.state(),
            next_due: clocks
                .clocks()
                .filter(|k| !k.reading.stopped)
                .filter_map(|k| k.due)
                .min(),
        }
    }
}

/// The CI ids a ticket names (`service`, `affected_cis`, `cis`; an
/// article's `services` and `cis`).
pub fn ci_names(record: &Record) -> Vec<&str> {
    if let Record::Article(a) = record {
        return a
            .services
            .iter()
            .chain(&a.cis)
            .map(String::as_str)
            .collect();
    }
    let (service, list): (Option<&str>, &[String]) = match record {
        Record::Incident(r) => (r.service.as_deref(), &r.affected_cis),
        Record::Problem(r) => (r.service.as_deref(), &r.affected_cis),
        Record::Change(r) => (r.service.as_deref(), &r.cis),
        Record::Request(r) => (None, &r.cis),
        Record::Ci(_) | Record::Article(_) => (None, &[]),
    };
    service
        .into_iter()
        .chain(list.iter().map(String::as_str))
        .collect()
}

/// Links stored on `records` (the record shown under each id), by
/// target: (field, source id).
fn incoming<'a>(records: &[&'a Record]) -> HashMap<&'a str, Vec<(&'a str, &'a str)>, Fast> {
    let mut incoming: HashMap<&str, Vec<(&str, &str)>, Fast> = HashMap::default();
    for &record in records {
        for n in record.names() {
            incoming
                .entry(n.target)
                .or_default()
                .push((n.field, record.id()));
        }
    }
    // Held for the whole build: without the room pushing left.
    for list in incoming.values_mut() {
        list.sort_unstable();
        list.dedup();
        list.shrink_to_fit();
    }
    incoming
}

/// Tickets naming a CI in `service`, `affected_cis` or `cis`, by CI.
fn tickets_by_ci<'a>(records: &[&'a Record]) -> HashMap<&'a str, Vec<&'a Record>, Fast> {
    let mut tickets_by_ci: HashMap<&str, Vec<&Record>, Fast> = HashMap::default();
    for &r in records {
        let mut named = ci_names(r);
        named.sort_unstable();
        named.dedup();
        for ci in named {
            tickets_by_ci.entry(ci).or_default().push(r);
        }
    }
    for list in tickets_by_ci.values_mut() {
        list.shrink_to_fit();
    }
    tickets_by_ci
}

/// The open tickets' clocks, worst first: by state, then by the next due
/// time, then by id.
fn worst_first(open: &mut [OpenClocks<'_>]) {
    open.par_sort_by(|a, b| {
        (std::cmp::Reverse(a.state), a.next_due, a.record.id()).cmp(&(
            std::cmp::Reverse(b.state),
            b.next_due,
            b.record.id(),
        ))
    });
}
