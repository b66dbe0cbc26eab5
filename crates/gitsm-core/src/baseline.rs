//! The baseline (`history.baseline` in gitsm.yaml, written by `gitsm
//! baseline`): records as they are at the baseline commit are accepted as
//! imported history — from another tool, or from before a policy was
//! tightened. History rules judge only the commits after it, and the
//! decisions a record had there count as written (`approval::judge_with`).
//!
//! The baseline names a commit (its full id) or a time: the first commit
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
use std::sync::{Mutex, OnceLock};

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use git2::{Oid, Repository};

use crate::kind::Kind;
use crate::model::{Record, Timestamp};

/// A baseline as written in the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// A commit id (the policy's schema allows only a full one).
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

/// The baseline commit, and the managed root in it. Finding the commit
/// may walk history (back to a time, or to check that a commit is an
/// ancestor), so the hook and `validate` do it only when a record needs
/// it: a decision that does not prove itself.
pub struct At {
    find: Find,
    commit: OnceLock<Result<Oid, Unresolved>>,
    /// The repository, for finding the commit and the few records read
    /// from it.
    repo: Mutex<Repository>,
    /// The managed root's path in the repository.
    prefix: PathBuf,
}

/// How the baseline commit is found.
enum Find {
    /// This commit, when it is `from` or one of its ancestors.
    Commit {
        id: Oid,
        from: Option<Oid>,
        describe: String,
    },
    /// The oldest commit of `from`'s first-parent history made at or after
    /// the time (`from` itself was).
    Since { at: Timestamp, from: Oid },
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

    /// Why the baseline names no commit, once a record needed it and it
    /// did not.
    pub fn failed(&self) -> Option<&Unresolved> {
        match self {
            Imported::At(at) => at.commit.get()?.as_ref().err(),
            _ => None,
        }
    }
}

impl At {
    /// The baseline commit, found on first use.
    pub fn commit(&self) -> Result<Oid, &Unresolved> {
        self.commit
            .get_or_init(|| {
                let repo = self
                    .repo
                    .lock()
                    .map_err(|_| Unresolved::Unknown("(unreadable)".into()))?;
                self.find.run(&repo)
            })
            .as_ref()
            .copied()
    }

    fn record(&self, kind: Kind, path: &Path) -> Option<Record> {
        let commit = self.commit().ok()?;
        let repo = self.repo.lock().ok()?;
        let tree = repo.find_commit(commit).ok()?.tree().ok()?;
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

impl Find {
    fn run(&self, repo: &Repository) -> Result<Oid, Unresolved> {
        match self {
            Find::Commit { id, from, describe } => {
                let inside = from
                    .is_some_and(|f| f == *id || repo.graph_descendant_of(f, *id).unwrap_or(false));
                if inside {
                    Ok(*id)
                } else {
                    Err(Unresolved::Elsewhere(describe.clone(), short(*from)))
                }
            }
            Find::Since { at, from } => {
                // The earliest commit of the first-parent chain made at or
                // after the time (the committer time, as Git orders
                // commits by it). The whole chain is read: stopping at the
                // first older commit going back would let a later commit
                // dated before the time make the commits after it the
                // baseline; the earliest one no later commit can change.
                let mut first = *from;
                let mut next = repo.find_commit(*from).ok().and_then(|c| c.parent(0).ok());
                while let Some(c) = next {
                    if c.time().seconds() >= at.timestamp() {
                        first = c.id();
                    }
                    next = c.parent(0).ok();
                }
                Ok(first)
            }
        }
    }
}

fn short(commit: Option<Oid>) -> String {
    commit
        .map(|o| o.to_string()[..10].to_owned())
        .unwrap_or_else(|| "the empty repository".to_owned())
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
/// commits): a commit of `from`'s history. A time later than `from` is
/// [`Imported::Pending`] when `pending` allows it (the version checked is
/// the next commit), else unresolved. With `eager` the commit is found
/// now (a range check and the gate need it); else on first use.
pub fn resolve(
    repo: &Repository,
    prefix: &Path,
    baseline: &Baseline,
    from: Option<Oid>,
    pending: bool,
    eager: bool,
) -> Result<Imported, Unresolved> {
    let find = match baseline {
        Baseline::Commit(rev) => {
            let commit = repo
                .revparse_single(rev)
                .and_then(|o| o.peel_to_commit())
                .map_err(|_| Unresolved::Unknown(baseline.describe()))?;
            Find::Commit {
                id: commit.id(),
                from,
                describe: baseline.describe(),
            }
        }
        Baseline::Since(at) => {
            let from_time = from
                .and_then(|f| repo.find_commit(f).ok())
                .map(|c| c.time().seconds());
            match (from, from_time) {
                (Some(from), Some(t)) if t >= at.timestamp() => Find::Since { at: *at, from },
                _ if pending => return Ok(Imported::Pending),
                _ => return Err(Unresolved::Later(baseline.describe(), short(from))),
            }
        }
    };
    let repo =
        Repository::open(repo.path()).map_err(|_| Unresolved::Unknown(baseline.describe()))?;
    let at = At {
        find,
        commit: OnceLock::new(),
        repo: Mutex::new(repo),
        prefix: prefix.to_path_buf(),
    };
    if eager {
        at.commit().map_err(Clone::clone)?;
    }
    Ok(Imported::At(at))
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
        false,
    )
}
