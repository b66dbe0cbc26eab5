//! One dataset: the records, the policy and the Git history of a revision
//! (the work tree, or a commit's tree), read once. `sla`, `list`, `mine`,
//! `report` and every page of the site take their figures from a
//! [`Dataset`], and read SLA clocks through [`Dataset::clocks`]: the same
//! ticket gives the same clock whichever command shows it.
//!
//! What is read depends on what the figures [`Need`]: clocks need history
//! only for the tickets whose record lacks a stamp; the report needs every
//! transition but a record's lone addition; the site every commit of every
//! record (its timelines) and the links between records.

mod clock_rows;
mod source;
pub mod stamps;

use std::collections::HashMap;
use std::path::PathBuf;

use git2::{Commit, Repository};

use crate::history::trail::{Keep, Transition, Transitions};
use crate::history::{self, HistoryError};
use crate::kind::Kind;
use crate::local_index::{self, LocalIndex, Selection};
use crate::model::{Record, Timestamp};
use crate::records::{self, Detail, Loaded, RecordFile};
use crate::sla::{Policy, SlaError, TicketClocks};
use crate::snapshot::Snapshot;
use crate::workspace::Workspace;

pub use clock_rows::clock_rows;
pub use source::SourceError;

/// Which tree the records and the policy are read from.
#[derive(Debug, Clone)]
pub enum Revision {
    /// The files on disk, with the history up to `HEAD`.
    WorkTree,
    /// A commit (any revision Git understands: `HEAD~3`, a tag): its
    /// records and its `gitsm.yaml`, with the history up to it.
    Commit(String),
}

/// What the figures taken from a dataset need of Git history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The records alone (`list` as a table): no history.
    Records,
    /// Every record and SLA clocks (`list`, `mine`): history is walked
    /// only when an open ticket's clock needs a stamp its record lacks.
    Clocks,
    /// SLA clocks alone (`sla`): as [`Need::Clocks`], of the records that
    /// have clocks (incidents and requests) and the CIs (service classes).
    Sla,
    /// The report's figures: every status change after a record was added.
    Figures,
    /// The site: every commit of every record (its timeline), and each
    /// record's references for links both ways.
    Timelines,
}

/// Status transitions of every record, from one walk of the first-parent
/// history up to `tip`.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The commit the walk started from.
    pub tip: String,
    /// The repository is a shallow clone: history before its edge is
    /// missing (records then seem created at the edge).
    pub shallow: bool,
    /// By record id, oldest first. Read for [`Need::Figures`] or
    /// [`Need::Clocks`], a record added and never changed since has none
    /// (no figure takes a stamp from the commit that added a record).
    pub transitions: Transitions,
}

/// Why a dataset cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("{0} is not inside a Git repository")]
    NotGit(PathBuf),
    #[error("the repository has no commits yet")]
    NoCommits,
    #[error("unknown revision `{0}`")]
    UnknownRevision(String),
    #[error("{commit}: {source}")]
    Source { commit: String, source: SourceError },
}

/// The records, policy and history of one revision.
pub struct Dataset {
    /// The workspace, with the policy (`gitsm.yaml`) of the revision.
    pub ws: Workspace,
    loaded: Loaded,
    history: Option<History>,
    /// The commit read, for [`Revision::Commit`].
    pub revision: Option<String>,
    /// The commit time of the revision (of `HEAD` for the work tree);
    /// `None` outside Git or before the first commit.
    pub committed: Option<Timestamp>,
    /// Why the history is missing although there is a repository.
    pub warnings: Vec<String>,
}

impl Dataset {
    /// Read the records and the policy of `revision`, and as much of its
    /// history as `need` says. A history that cannot be read is a warning:
    /// the figures then come from the records alone, and say so.
    pub fn open(ws: Workspace, revision: &Revision, need: Need) -> Result<Dataset, DatasetError> {
        match revision {
            Revision::WorkTree => Ok(Dataset::work_tree(ws, need)),
            Revision::Commit(rev) => {
                let repo = crate::git::open(&ws.root)
                    .ok_or_else(|| DatasetError::NotGit(ws.root.clone()))?;
                let commit = find_commit(&repo, rev)?;
                Dataset::at_commit(ws, &repo, &commit, need)
            }
        }
    }

    /// The records and policy of the work tree, with the history up to
    /// `HEAD` (none outside Git or before the first commit).
    pub fn work_tree(ws: Workspace, need: Need) -> Dataset {
        Dataset::work_tree_where(ws, need, &Selection::default())
    }

    /// As [`Dataset::work_tree`], with only the records of `selection`
    /// (and every CI, when clocks are read: their service classes set
    /// targets) when the local index can answer that; callers filter what
    /// they get as they would the whole tree.
    pub fn work_tree_where(ws: Workspace, need: Need, selection: &Selection) -> Dataset {
        Dataset::work_tree_with(ws, need, selection, None)
    }

    /// As [`Dataset::work_tree_where`], from an index already open (and
    /// up to date), for a command that also queries it.
    pub fn work_tree_indexed(
        ws: Workspace,
        need: Need,
        selection: &Selection,
        index: &LocalIndex,
    ) -> Dataset {
        Dataset::work_tree_with(ws, need, selection, Some(index))
    }

    fn work_tree_with(
        ws: Workspace,
        need: Need,
        selection: &Selection,
        index: Option<&LocalIndex>,
    ) -> Dataset {
        let repo = crate::git::open(&ws.root);
        let head = repo
            .as_ref()
            .and_then(|r| Some((r, r.head().ok()?.peel_to_commit().ok()?)));
        let mut selection = selection.clone();
        if selection.kinds.is_empty() {
            selection.kinds = need.kinds().to_vec();
        }
        selection.with_cis |= need != Need::Records;
        let mut notes = Vec::new();
        let load = |ws: &Workspace, notes: &mut Vec<String>| {
            work_tree_records(ws, &selection, index, notes)
        };
        let Some((repo, head)) = head else {
            let loaded = load(&ws, &mut notes);
            return Dataset::new(ws, loaded, Ok(None), None, None).noting(notes);
        };
        let prefix = crate::git::prefix(repo, &ws.root).unwrap_or_default();
        let committed = Some(history::commit_time(&head));
        let (loaded, history) = if need == Need::Records {
            (load(&ws, &mut notes), Ok(None))
        } else if matches!(need, Need::Clocks | Need::Sla) {
            // With blob ids: should the walk be needed, the records read
            // give the statuses of the versions it ends on.
            let loaded = load(&ws, &mut notes);
            let history = if loaded.records().any(|(_, r)| crate::sla::needs_history(r)) {
                source::history(repo, &prefix, head.id(), &loaded, keep(need)).map(Some)
            } else {
                Ok(None)
            };
            (loaded, history)
        } else {
            let (loaded, history) =
                source::load_with_history(repo, &prefix, head.id(), keep(need), || {
                    load(&ws, &mut notes)
                });
            (loaded, history.map(Some))
        };
        Dataset::new(ws, loaded, history, None, committed).noting(notes)
    }

    /// The records `show` needs about `id`: those holding it, those they
    /// name and those naming it, and the resolved incidents and known
    /// errors that may be like it ([`LocalIndex::neighbourhood`]); the
    /// whole work tree when the index cannot be used.
    pub fn around(ws: Workspace, id: &str) -> Dataset {
        let mut notes = Vec::new();
        let loaded =
            from_index(&ws, &mut notes, |index| index.neighbourhood(id)).unwrap_or_else(|| {
                records::load(&ws, &Kind::ALL, Detail::Figures, false, records::as_read)
            });
        Dataset::new(ws, loaded, Ok(None), None, None).noting(notes)
    }

    fn noting(mut self, notes: Vec<String>) -> Dataset {
        self.warnings.extend(notes);
        self
    }

    fn at_commit(
        ws: Workspace,
        repo: &Repository,
        commit: &Commit<'_>,
        need: Need,
    ) -> Result<Dataset, DatasetError> {
        let id = commit.id().to_string();
        let prefix = crate::git::prefix(repo, &ws.root).unwrap_or_default();
        let tree = commit.tree().map_err(|e| DatasetError::Source {
            commit: id.clone(),
            source: SourceError::Git(e.message().to_owned()),
        })?;
        let snapshot = Snapshot::new(repo, Some(&tree), &prefix);
        let config =
            source::config_at(&snapshot, &ws.schemas).map_err(|source| DatasetError::Source {
                commit: id.clone(),
                source,
            })?;
        let ws = Workspace { config, ..ws };
        // A commit's blob ids come with its tree: none is hashed.
        let (loaded, history) =
            source::load_with_history(repo, &prefix, commit.id(), keep(need), || {
                source::records_at(&ws, &snapshot)
            });
        let committed = Some(history::commit_time(commit));
        Ok(Dataset::new(
            ws,
            loaded,
            history.map(Some),
            Some(id),
            committed,
        ))
    }

    fn new(
        ws: Workspace,
        loaded: Loaded,
        history: Result<Option<History>, HistoryError>,
        revision: Option<String>,
        committed: Option<Timestamp>,
    ) -> Dataset {
        let mut warnings = Vec::new();
        let history = history.unwrap_or_else(|e| {
            warnings.push(format!("Git history could not be read: {e}"));
            None
        });
        Dataset {
            ws,
            loaded,
            history,
            revision,
            committed,
            warnings,
        }
    }

    /// A dataset of records already in memory (tests, and records that
    /// come from elsewhere than a tree), with `history` if any.
    pub fn from_records(ws: Workspace, records: Vec<Record>, history: Option<History>) -> Dataset {
        let files = records
            .into_iter()
            .map(|record| RecordFile {
                path: PathBuf::from(record.kind().folder()).join(format!("{}.yaml", record.id())),
                kind: record.kind(),
                id: Some(record.id().to_owned()),
                id_pos: crate::yaml::Pos::START,
                refs: Vec::new(),
                record: Some(Box::new(record)),
                blob: None,
            })
            .collect::<Vec<_>>();
        let loaded = Loaded {
            checked: files.len(),
            files,
            diagnostics: Vec::new(),
        };
        Dataset::new(ws, loaded, Ok(history), None, None)
    }

    pub fn config(&self) -> &crate::policy::Policy {
        &self.ws.config
    }

    /// The records that could be read, in path order.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.loaded.records().map(|(_, r)| r)
    }

    /// The records that could be read with their files, in path order.
    pub fn records_with_files(&self) -> impl Iterator<Item = (&RecordFile, &Record)> {
        self.loaded.records()
    }

    /// The files read, as the loader gives them (for the CMDB graph and
    /// links, which take any set of files).
    pub fn loaded(&self) -> &Loaded {
        &self.loaded
    }

    /// The record files read, those that failed their schema included.
    pub fn files(&self) -> &[RecordFile] {
        &self.loaded.files
    }

    /// Record files that could not be read (or failed their schema) and
    /// count in no figure.
    pub fn unreadable(&self) -> usize {
        self.loaded
            .checked
            .saturating_sub(self.loaded.records().count())
    }

    /// Git history; `None` outside Git, before the first commit, or when
    /// no figure needed it.
    pub fn history(&self) -> Option<&History> {
        self.history.as_ref()
    }

    /// The status transitions of the record `id`, oldest first.
    pub fn transitions(&self, id: &str) -> &[Transition] {
        self.history
            .as_ref()
            .and_then(|h| h.transitions.get(id))
            .map_or(&[][..], Vec::as_slice)
    }

    /// The SLA clocks of this dataset's tickets.
    pub fn clocks(&self) -> Result<Clocks<'_>, SlaError> {
        Clocks::new(
            &self.ws.config,
            self.records(),
            self.history.as_ref().map(|h| &h.transitions),
        )
    }
}

/// Reads SLA clocks: one policy and one map of service classes for every
/// ticket, each ticket's stamps completed from its transitions in history
/// ([`stamps::clocks`]). `sla`, `list`, `mine`, `show` and
/// the site read every clock through it.
pub struct Clocks<'d> {
    policy: Policy<'d>,
    classes: HashMap<&'d str, u8>,
    transitions: Option<&'d Transitions>,
}

impl<'d> Clocks<'d> {
    /// Clocks under `config`'s policy, with the service classes of the
    /// CIs among `records`, and `transitions` from history if any.
    pub fn new(
        config: &'d crate::config::Config,
        records: impl IntoIterator<Item = &'d Record>,
        transitions: Option<&'d Transitions>,
    ) -> Result<Clocks<'d>, SlaError> {
        Ok(Clocks {
            policy: Policy::new(config)?,
            classes: stamps::service_classes(records),
            transitions,
        })
    }

    /// The clocks of `record` read at `at` (`None`: not a ticket with SLA
    /// clocks).
    pub fn of(&self, record: &Record, at: Timestamp) -> Result<Option<TicketClocks>, SlaError> {
        let transitions = self
            .transitions
            .and_then(|t| t.get(record.id()))
            .map_or(&[][..], Vec::as_slice);
        stamps::clocks(&self.policy, &self.classes, record, transitions, at)
    }

    /// The service class the clocks of `record` read: with the record, its
    /// transitions, the configuration and the instant, all they depend on.
    pub fn service_class(&self, record: &Record) -> Option<u8> {
        stamps::service_class(&self.classes, record)
    }
}

/// The status transitions of one record in the history up to `HEAD`
/// that its SLA clocks need (none outside Git, and none when its record
/// holds every stamp: [`crate::sla::needs_history`]): the cost of its
/// file's history, not of the repository's, for commands that show one
/// record.
pub fn transitions_of(ws: &Workspace, record: &Record) -> Transitions {
    let mut out = Transitions::default();
    if !crate::sla::needs_history(record) {
        return out;
    }
    let Some(repo) = crate::git::open(&ws.root) else {
        return out;
    };
    let prefix = crate::git::prefix(&repo, &ws.root).unwrap_or_default();
    let Some(head) = repo.head().ok().and_then(|h| h.target()) else {
        return out;
    };
    if let Ok(trail) =
        crate::history::trail::record_transitions(&repo, &prefix, record.kind(), record.id(), head)
    {
        out.insert(record.id().to_owned(), trail);
    }
    out
}

/// The open incident that an alert with `key` repeats (`event.key`), the
/// oldest when several are: asked of the local index (one query over the
/// open incidents, no parse of the tree), else found by reading every
/// incident when the index is off.
pub fn open_incident_with_event(ws: &Workspace, key: &str) -> Option<String> {
    let from_index = from_index(ws, &mut Vec::new(), |index| {
        index.open_incidents_with_event(key)
    });
    if let Some(ids) = from_index {
        return ids.into_iter().next();
    }
    let loaded = records::load(
        ws,
        &[Kind::Incident],
        Detail::Figures,
        false,
        records::as_read,
    );
    let mut open: Vec<(&Record, Option<Timestamp>)> = loaded
        .records()
        .filter_map(|(_, r)| match r {
            Record::Incident(inc)
                if crate::sla::Phase::is_open(r)
                    && inc.event.as_ref().is_some_and(|e| e.key == key) =>
            {
                Some((r, r.created_at()))
            }
            _ => None,
        })
        .collect();
    open.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.id().cmp(b.0.id())));
    open.first().map(|(r, _)| r.id().to_owned())
}

/// Every record id of the work tree (for "did you mean").
pub fn ids(ws: &Workspace) -> Vec<String> {
    from_index(ws, &mut Vec::new(), LocalIndex::ids).unwrap_or_else(|| {
        let loaded = records::load(ws, &Kind::ALL, Detail::Figures, false, records::as_read);
        loaded.files.into_iter().filter_map(|f| f.id).collect()
    })
}

/// What `ask` gets from the local index, brought up to date; `None` when
/// it is turned off (`GITSM_NO_INDEX`) or cannot be used, with why in
/// `notes` (and what opening it found: a rebuild). An index found damaged
/// as `ask` reads it is rebuilt, and asked once more.
fn from_index<T>(
    ws: &Workspace,
    notes: &mut Vec<String>,
    ask: impl Fn(&LocalIndex) -> rusqlite::Result<T>,
) -> Option<T> {
    if !local_index::enabled() {
        return None;
    }
    let opened = |index: Result<LocalIndex, _>, notes: &mut Vec<String>| {
        let index = index
            .map_err(|e: local_index::IndexError| notes.push(e.to_string()))
            .ok()?;
        notes.extend(index.notes.iter().cloned());
        Some(index)
    };
    let index = opened(LocalIndex::open(ws), notes)?;
    match ask(&index) {
        Ok(answer) => Some(answer),
        Err(e) => match index.damaged(&e) {
            Some(damage) => {
                notes.push(damage.note.clone());
                drop(index);
                ask_index(&opened(LocalIndex::again(ws, &damage), notes)?, notes, ask)
            }
            None => {
                notes.push(format!("the local index could not be read: {e}"));
                None
            }
        },
    }
}

/// What `ask` gets from `index`; `None` on an error, said in `notes` (an
/// index found damaged is removed, to be rebuilt by the next run).
fn ask_index<T>(
    index: &LocalIndex,
    notes: &mut Vec<String>,
    ask: impl FnOnce(&LocalIndex) -> rusqlite::Result<T>,
) -> Option<T> {
    ask(index)
        .map_err(|e| {
            notes.push(match index.damaged(&e) {
                Some(damage) => damage.note,
                None => format!("the local index could not be read: {e}"),
            });
        })
        .ok()
}

/// The records of `selection` in the work tree, with their Git blob ids
/// (a history walk looks versions up by them): from the local index
/// (`index`, else opened and brought up to date), or — when it cannot be
/// used — every file read.
fn work_tree_records(
    ws: &Workspace,
    selection: &Selection,
    index: Option<&LocalIndex>,
    notes: &mut Vec<String>,
) -> Loaded {
    let indexed = match index {
        Some(index) => ask_index(index, notes, |index| index.loaded(selection)),
        None => from_index(ws, notes, |index| index.loaded(selection)),
    };
    if let Some(loaded) = indexed {
        return loaded;
    }
    // Kinds read whole (the CIs last, as a full read lists them); the
    // other filters are the caller's.
    let mut kinds = selection.kinds.clone();
    if selection.with_cis && !kinds.contains(&Kind::Ci) {
        kinds.push(Kind::Ci);
    }
    records::load(ws, &kinds, Detail::Figures, true, records::as_read)
}

impl Need {
    /// The kinds of record read.
    fn kinds(self) -> &'static [Kind] {
        match self {
            Need::Sla => &[Kind::Incident, Kind::Request, Kind::Ci],
            _ => &Kind::ALL,
        }
    }
}

fn keep(need: Need) -> Keep {
    match need {
        Need::Timelines => Keep::All,
        Need::Records | Need::Clocks | Need::Sla | Need::Figures => Keep::AllButLoneAdditions,
    }
}

fn find_commit<'r>(repo: &'r Repository, rev: &str) -> Result<Commit<'r>, DatasetError> {
    repo.revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| {
            if repo.head().is_err() {
                DatasetError::NoCommits
            } else {
                DatasetError::UnknownRevision(rev.to_owned())
            }
        })
}
