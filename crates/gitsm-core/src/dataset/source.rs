//! Reading a revision: the policy and the records of a commit's tree, and
//! one walk of the history up to a commit, side by side with the records.

use std::path::Path;

use git2::{Oid, Repository};
use rayon::prelude::*;

use crate::config;
use crate::diagnostic::Diagnostic;
use crate::history::HistoryError;
use crate::history::trail;
use crate::policy::{self, Policy};
use crate::records::{self, Detail, Loaded, RecordFile};
use crate::schema::Schemas;
use crate::snapshot::Snapshot;
use crate::workspace::Workspace;

use super::History;

/// Why a revision's policy cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(
        "there is no {file} in this revision (it predates `gitsm init`, or the managed root moved)"
    )]
    NoConfig { file: &'static str },
    #[error("{file} of this revision is not UTF-8")]
    Encoding { file: &'static str },
    #[error("gitsm.yaml of this revision is invalid")]
    Config(Vec<Diagnostic>),
    #[error("cannot read the commit: {0}")]
    Git(String),
}

/// The policy in force at a revision: its `gitsm.yaml`, checked with
/// `schemas`. The SLA targets and calendars of a past commit are used for
/// a report of that commit, so a later policy change never alters it.
pub(super) fn config_at(snapshot: &Snapshot<'_>, schemas: &Schemas) -> Result<Policy, SourceError> {
    let file = config::FILE_NAME;
    let bytes = snapshot
        .read(Path::new(file))
        .map_err(|_| SourceError::NoConfig { file })?;
    let text = String::from_utf8(bytes).map_err(|_| SourceError::Encoding { file })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    policy::parse(text, Path::new(file), schemas).map_err(SourceError::Config)
}

/// Every record of a revision, in tree order. The kind folders are walked
/// once for the blob ids (a lookup by path would read a large folder's
/// tree again for each file: libgit2 does not cache big trees); the blobs
/// are then read and parsed in parallel, each thread with its own handle
/// on the repository (git2 objects cannot be shared between threads).
pub(super) fn records_at(ws: &Workspace, snapshot: &Snapshot<'_>) -> Loaded {
    let entries = snapshot.record_entries();
    let git_dir = snapshot.repo().path().to_path_buf();
    let results: Vec<(Option<RecordFile>, Vec<Diagnostic>)> = entries
        .par_iter()
        .map_init(
            || Repository::open(&git_dir).ok(),
            |repo, (kind, path, id, mode)| match read_blob(repo.as_ref(), path, *id, *mode) {
                Ok(bytes) => {
                    let (parsed, diags) = records::parse(ws, *kind, path, &bytes, Detail::Figures);
                    let file = parsed.map(|p| RecordFile {
                        blob: Some(*id),
                        ..p.file
                    });
                    (file, diags)
                }
                Err(d) => (None, vec![*d]),
            },
        )
        .collect();
    let mut loaded = Loaded {
        checked: entries.len(),
        ..Loaded::default()
    };
    for (file, diags) in results {
        loaded.files.extend(file);
        loaded.diagnostics.extend(diags);
    }
    loaded
}

/// A record file's bytes, refused as [`Snapshot::read`] refuses them.
fn read_blob(
    repo: Option<&Repository>,
    rel: &Path,
    id: Oid,
    mode: i32,
) -> Result<Vec<u8>, Box<Diagnostic>> {
    let repo = repo.ok_or_else(|| {
        Box::new(Diagnostic::error("unreadable", "cannot open the repository").in_file(rel))
    })?;
    crate::snapshot::read_blob(repo, rel, id, mode)
}

/// Status transitions of every record (those `keep` says), from one walk
/// of the first-parent history up to `tip`. The versions among `loaded`
/// (by blob id: usually the tip's own, read already) are not read again.
pub(super) fn history(
    repo: &Repository,
    prefix: &Path,
    tip: Oid,
    loaded: &Loaded,
    keep: trail::Keep,
) -> Result<History, HistoryError> {
    let walk = trail::walk(repo, prefix, tip, keep)?;
    Ok(resolve(repo, tip, walk, loaded))
}

/// The records `load` reads, and the history up to `tip` walked at the
/// same time on a thread of its own: a walk needs no record, only its last
/// step (the statuses of the versions the records are, by blob id) does.
/// The thread opens the repository again (a handle is not shared between
/// threads).
pub(super) fn load_with_history(
    repo: &Repository,
    prefix: &Path,
    tip: Oid,
    keep: trail::Keep,
    load: impl FnOnce() -> Loaded,
) -> (Loaded, Result<History, HistoryError>) {
    let git_dir = repo.path();
    let (loaded, walked) = std::thread::scope(|scope| {
        let walker = scope.spawn(|| trail::walk(&Repository::open(git_dir)?, prefix, tip, keep));
        let loaded = load();
        let walked = walker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (loaded, walked)
    });
    let history = walked.map(|walk| resolve(repo, tip, walk, &loaded));
    (loaded, history)
}

fn resolve(repo: &Repository, tip: Oid, walk: trail::Walk, loaded: &Loaded) -> History {
    // The statuses of the versions read, unless no transition needs one.
    let versions: Vec<_> = if walk.is_empty() {
        Vec::new()
    } else {
        loaded
            .files
            .par_iter()
            .filter_map(|f| Some((f.blob?.into(), f.record.as_ref()?.status())))
            .collect()
    };
    History {
        tip: tip.to_string(),
        shallow: repo.is_shallow(),
        transitions: walk.transitions(repo, &trail::KnownStatuses::new(&versions)),
    }
}
