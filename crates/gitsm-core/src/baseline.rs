//! The baseline (`history.baseline` in gitsm.yaml, written by `gitsm
//! baseline`): records as they are at the baseline commit are accepted as
//! imported history — from another tool, or from before a policy was
//! tightened. History rules judge only the commits after it, and the
//! decisions a record had there count as written (`approval::judge_with`).
//!
//! The baseline names a commit (an id or a tag) or a time: the first commit
//! made at or after it, so that a baseline can be set before the commit
//! that records it exists (`gitsm init`, `gitsm import`, `gitsm baseline`,
//! then one commit). Where that commit does not exist yet — the time is
//! later than the last commit — the version being checked (the index, the
//! work tree) is the baseline: it is the commit about to be made.
//!
//! What is trusted: under `validate --range` the baseline is read from the
//! policy of the range's base and must be a commit of the base's history —
//! never one of the commits being checked, whatever their dates say.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use git2::{Oid, Repository};

use crate::kind::Kind;
use crate::model::{Record, Timestamp};

/// A baseline as written in the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// A commit id, tag or other revision.
    Commit(String),
    /// The first commit made at or after this time.
    Since(Timestamp),
}

impl Baseline {
    /// Read `history.baseline`: an RFC 3339 time, a date (midnight in
    /// `zone`), else a revision.
    pub fn parse(text: &str, zone: Tz) -> Baseline {
        let text = text.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Baseline::Since(at);
        }
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            let midnight = crate::when::When::Local(day.and_time(chrono::NaiveTime::MIN));
            return Baseline::Since(midnight.resolve(Timestamp::default(), zone));
        }
        Baseline::Commit(text.to_owned())
    }

    /// How it reads in messages.
    pub fn describe(&self) -> String {
        match self {
            Baseline::Commit(rev) => format!("commit `{rev}`"),
            Baseline::Since(at) => format!("the first commit at or after {}", at.to_rfc3339()),
        }
    }
}

/// The baseline as found from one revision.
pub enum Imported {
    /// No baseline: every record is judged by every rule.
    None,
    /// The version being checked is the baseline: the commit about to be
    /// made (a time baseline later than every commit so far).
    Pending,
    /// Records as they are in this commit.
    At(At),
}

/// The baseline commit, and the managed root in it.
pub struct At {
    pub commit: Oid,
    /// The repository, for the few records read from the baseline (only
    /// those whose decisions do not prove themselves).
    repo: Mutex<Repository>,
    /// The managed root's path in the repository.
    prefix: PathBuf,
}

impl Imported {
    /// The record at `path` as it was at the baseline, when it is
    /// `current` itself (a pending baseline) or existed there.
    pub fn version(&self, kind: Kind, path: &Path, current: &Record) -> Option<Record> {
        match self {
            Imported::None => None,
            Imported::Pending => Some(current.clone()),
            Imported::At(at) => at.record(kind, path),
        }
    }

    /// Whether this is a baseline at all.
    pub fn is_some(&self) -> bool {
        !matches!(self, Imported::None)
    }
}

impl At {
    fn record(&self, kind: Kind, path: &Path) -> Option<Record> {
        let repo = self.repo.lock().ok()?;
        let tree = repo.find_commit(self.commit).ok()?.tree().ok()?;
        let entry = tree.get_path(&self.prefix.join(path)).ok()?;
        let blob = repo.find_blob(entry.id()).ok()?;
        if blob.size() as u64 > crate::model::MAX_FILE_BYTES {
            return None;
        }
        let text = std::str::from_utf8(blob.content()).ok()?;
        let json = crate::yaml::parse(text.strip_prefix('\u{feff}').unwrap_or(text))
            .ok()?
            .to_json();
        Record::from_json(kind, json).ok()
    }
}

/// Why a baseline names no commit here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unresolved {
    #[error("the baseline {0} is not a commit of this repository")]
    Unknown(String),
    #[error("the baseline {0} is not in the history of {1}")]
    Elsewhere(String, String),
    #[error("the baseline {0} is later than every commit of {1}")]
    Later(String, String),
}

/// Find `baseline` from the commit `from` (`None` in a repository without
/// commits): a commit of `from`'s history. A time later than every commit
/// so far is [`Imported::Pending`] when `pending` allows it (the version
/// checked is the next commit), else unresolved.
pub fn resolve(
    repo: &Repository,
    prefix: &Path,
    baseline: &Baseline,
    from: Option<Oid>,
    pending: bool,
) -> Result<Imported, Unresolved> {
    let from_name = || {
        from.map(|o| o.to_string()[..10].to_owned())
            .unwrap_or_else(|| "the empty repository".to_owned())
    };
    let commit = match baseline {
        Baseline::Commit(rev) => {
            let commit = repo
                .revparse_single(rev)
                .and_then(|o| o.peel_to_commit())
                .map_err(|_| Unresolved::Unknown(baseline.describe()))?;
            let inside = from.is_some_and(|f| {
                f == commit.id() || repo.graph_descendant_of(f, commit.id()).unwrap_or(false)
            });
            if !inside {
                return Err(Unresolved::Elsewhere(baseline.describe(), from_name()));
            }
            commit.id()
        }
        Baseline::Since(at) => {
            // First-parent back from `from` while commits are no older than
            // the time: the oldest of them is the first made at or after it.
            let mut first = None;
            let mut next = from.and_then(|f| repo.find_commit(f).ok());
            while let Some(c) = next {
                // The committer time, as Git orders commits by it.
                if c.time().seconds() < at.timestamp() {
                    break;
                }
                first = Some(c.id());
                next = c.parent(0).ok();
            }
            match first {
                Some(id) => id,
                None if pending => return Ok(Imported::Pending),
                None => return Err(Unresolved::Later(baseline.describe(), from_name())),
            }
        }
    };
    let repo =
        Repository::open(repo.path()).map_err(|_| Unresolved::Unknown(baseline.describe()))?;
    Ok(Imported::At(At {
        commit,
        repo: Mutex::new(repo),
        prefix: prefix.to_path_buf(),
    }))
}

/// The baseline of `config` found from HEAD of the repository holding
/// `root`; a time later than HEAD makes the version checked (the index or
/// the work tree: the next commit) the baseline.
pub fn from_head(root: &Path, config: &crate::config::Config) -> Result<Imported, Unresolved> {
    let Some(text) = config.history.baseline.as_deref() else {
        return Ok(Imported::None);
    };
    let Some(repo) = crate::git::open(root) else {
        return Ok(Imported::None);
    };
    let prefix = crate::git::prefix(&repo, root).unwrap_or_default();
    let head = repo.head().ok().and_then(|h| h.target());
    resolve(
        &repo,
        &prefix,
        &Baseline::parse(text, config.zone()),
        head,
        true,
    )
}
