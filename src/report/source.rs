//! Where a report's inputs come from when they are read from a commit
//! (`--rev`): the policy and the records of that commit's tree, and one
//! walk of the history up to it. (The work tree is read by
//! [`crate::records::load`].)

use std::path::Path;
use std::sync::OnceLock;

use git2::{Oid, Repository};
use rayon::prelude::*;

use crate::config::{self, Config};
use crate::diagnostic::Diagnostic;
use crate::history::HistoryError;
use crate::history::trail;
use crate::records::{self, BlobIds, Loaded, MAX_FILE_BYTES, RecordFile, parse_version};
use crate::revision::{SYMLINK_MODE, Snapshot};
use crate::schema::Schemas;
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
}

/// The policy in force at a revision: its `gitsm.yaml`, checked with
/// `schemas`. The SLA targets and calendars of a past commit are used for
/// a report of that commit, so a later policy change never alters it.
pub fn config_at(snapshot: &Snapshot<'_>, schemas: &Schemas) -> Result<Config, SourceError> {
    let file = config::FILE_NAME;
    let bytes = snapshot
        .read(Path::new(file))
        .map_err(|_| SourceError::NoConfig { file })?;
    let text = String::from_utf8(bytes).map_err(|_| SourceError::Encoding { file })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    config::parse(text, Path::new(file), schemas).map_err(SourceError::Config)
}

/// Every record of a revision, in tree order. The kind folders are walked
/// once for the blob ids (a lookup by path would read a large folder's
/// tree again for each file: libgit2 does not cache big trees); the blobs
/// are then read and parsed in parallel, each thread with its own handle
/// on the repository (git2 objects cannot be shared between threads).
pub fn records_at(ws: &Workspace, snapshot: &Snapshot<'_>) -> Loaded {
    let entries = snapshot.record_entries();
    let git_dir = snapshot.repo().path().to_path_buf();
    let results: Vec<(Option<RecordFile>, Vec<Diagnostic>)> = entries
        .par_iter()
        .map_init(
            || Repository::open(&git_dir).ok(),
            |repo, (kind, path, id, mode)| match read_blob(repo.as_ref(), path, *id, *mode) {
                Ok(bytes) => parse_version(
                    ws,
                    *kind,
                    path,
                    &bytes,
                    Some(*id),
                    records::Purpose::FIGURES_WITH_HISTORY,
                ),
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
    let unreadable = |why: String| Box::new(Diagnostic::error("unreadable", why).in_file(rel));
    if mode == SYMLINK_MODE {
        return Err(Box::new(
            Diagnostic::error("symlink", "record files may not be symbolic links")
                .in_file(rel)
                .with_hint("replace the link with what it points to"),
        ));
    }
    let repo = repo.ok_or_else(|| unreadable("cannot open the repository".into()))?;
    let blob = repo
        .find_blob(id)
        .map_err(|e| unreadable(format!("cannot read: {}", e.message())))?;
    if blob.size() as u64 > MAX_FILE_BYTES {
        return Err(Box::new(records::too_large(rel, blob.size() as u64)));
    }
    Ok(blob.content().to_vec())
}

/// Status transitions of every record (those `keep` says), from one walk
/// of the first-parent history up to `tip`. The versions among `loaded`
/// (by blob id: usually the tip's own, read already) are not read again.
pub fn history(
    repo: &Repository,
    prefix: &Path,
    tip: Oid,
    loaded: &Loaded,
    keep: trail::Keep,
) -> Result<History, HistoryError> {
    let walk = trail::walk(repo, prefix, tip, keep)?;
    Ok(resolve(repo, tip, walk, loaded))
}

/// Git history, when some ticket's clocks need it: an open ticket past its
/// first state without `acknowledged_at` (the commit that took it up says
/// when), or one reopened (the time it sat resolved is a pause). One walk
/// of the history for all of them; none at all in the common case.
pub fn history_for_clocks(ws: &Workspace, loaded: &Loaded) -> Option<History> {
    let needs = loaded.records().any(|(_, r)| match r {
        crate::model::Record::Incident(i) => {
            crate::sla::Phase::is_open(r)
                && ((i.status != "new" && i.acknowledged_at.is_none()) || i.resolved_at.is_some())
        }
        crate::model::Record::Request(q) => q.status != "new" && q.acknowledged_at.is_none(),
        _ => false,
    });
    if !needs {
        return None;
    }
    let repo = crate::git::open(&ws.root)?;
    let prefix = crate::git::prefix(&repo, &ws.root).unwrap_or_default();
    let head = repo.head().ok()?.peel_to_commit().ok()?;
    history(
        &repo,
        &prefix,
        head.id(),
        loaded,
        trail::Keep::AllButLoneAdditions,
    )
    .ok()
}

/// The records `load` reads, and the history up to `tip` walked at the
/// same time on a thread of its own: a walk needs no record, only its last
/// step (the statuses of the versions the records are) does. The thread
/// opens the repository again (a handle is not shared between threads).
///
/// `load` is told which files' blob ids to hash: all until the walk is
/// done (usually long before the records are read), then only those of
/// the records it has transitions for; a version of another is never
/// looked up (or, were it, would be read from the repository).
pub fn load_with_history(
    repo: &Repository,
    prefix: &Path,
    tip: Oid,
    keep: trail::Keep,
    load: impl FnOnce(BlobIds<'_>) -> Loaded,
) -> (Loaded, Result<History, HistoryError>) {
    let git_dir = repo.path();
    let walked: OnceLock<trail::Walk> = OnceLock::new();
    let wanted = |file: &Path| walked.get().is_none_or(|walk| walk.has_transitions(file));
    let (loaded, done) = std::thread::scope(|scope| {
        let walker = scope.spawn(|| -> Result<(), HistoryError> {
            let walk = trail::walk(&Repository::open(git_dir)?, prefix, tip, keep)?;
            let _ = walked.set(walk);
            Ok(())
        });
        let loaded = load(BlobIds::Of(&wanted));
        let done = walker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (loaded, done)
    });
    // A walk that succeeded has been published.
    let history = done.and_then(|()| {
        let walk = walked
            .into_inner()
            .ok_or_else(|| HistoryError::Git("the history walk gave no result".into()))?;
        Ok(resolve(repo, tip, walk, &loaded))
    });
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
