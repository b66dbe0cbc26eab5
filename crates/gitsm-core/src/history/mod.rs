//! Git history as gitsm reads it: which records a commit changed
//! ([`diff`]), each record's transitions over the walk ([`trail`]), who
//! committed each decision ([`approvals`]), stamps recorded later than
//! they happened ([`backdating`]), and the checks of commits themselves
//! ([`commits`]: `validate --staged` and `--range`).

pub mod approvals;
pub mod backdating;
pub mod commits;
pub mod diff;
pub mod trail;
mod walk_file;
mod walked;

pub use commits::{Checked, Trusted, range, staged, trusted_policy};

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};
use git2::{Commit, Oid, Repository};

use crate::index_file::IndexError;

/// Why history could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("unknown revision `{0}`")]
    UnknownRevision(String),
    #[error("`{rev}` is not in this shallow clone")]
    Shallow { rev: String },
    #[error("the repository has no commits yet")]
    Empty,
    #[error("the index has unresolved merge conflicts")]
    Conflicts,
    #[error("{0}")]
    Git(String),
    #[error("the policy at {rev} is not valid: {message}")]
    Policy { rev: String, message: String },
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("{0}")]
    Baseline(#[from] crate::baseline::Unresolved),
}

impl HistoryError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            HistoryError::Shallow { .. } => Some(
                "fetch more history: `git fetch --unshallow` (or `--deepen=N`); on GitHub Actions set `fetch-depth: 0` on actions/checkout",
            ),
            HistoryError::UnknownRevision(_) => {
                Some("name a branch, tag or commit, e.g. `origin/main..HEAD`")
            }
            HistoryError::Conflicts => Some("resolve the conflicts and `git add` the files"),
            HistoryError::Baseline(_) => Some(
                "`history.baseline` in gitsm.yaml must name a commit of the history checked (fetch it, or run `gitsm baseline REV`)",
            ),
            HistoryError::Index(e) => e.hint(),
            _ => None,
        }
    }
}

impl From<git2::Error> for HistoryError {
    fn from(e: git2::Error) -> Self {
        HistoryError::Git(e.message().to_owned())
    }
}

/// When a commit was made, in its committer's offset.
pub fn commit_time(commit: &Commit<'_>) -> DateTime<FixedOffset> {
    git_time(commit.committer().when())
}

/// A Git time in its own offset.
fn git_time(t: git2::Time) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(t.offset_minutes() * 60)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    // A time no RFC 3339 text can hold (Git takes any number) is read as
    // no time, as one past what chrono holds is: shown in another zone or
    // counted from, it would panic.
    DateTime::from_timestamp(t.seconds(), 0)
        .filter(|at| readable(&at.fixed_offset()))
        .unwrap_or_default()
        .with_timezone(&offset)
}

/// Whether a time is one RFC 3339 can write, and so one every zone's
/// reading of it can hold: years 1 to 9998 in UTC (a zone is less than a
/// day away).
pub(crate) fn readable(at: &DateTime<FixedOffset>) -> bool {
    use chrono::Datelike as _;
    (1..=9998).contains(&at.naive_utc().year())
}

/// Commits at the edge of a shallow clone (their parents are missing).
pub(crate) fn shallow_commits(repo: &Repository) -> HashSet<Oid> {
    std::fs::read_to_string(repo.path().join("shallow"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| Oid::from_str(l.trim()).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_time_is_read_in_its_zone_or_as_no_time() {
        // 1,700,000,000 s is 2023-11-14 22:13:20 UTC.
        let at = git_time(git2::Time::new(1_700_000_000, 60));
        assert_eq!(at.to_rfc3339(), "2023-11-14T23:13:20+01:00");
        // Stamped at the end of what chrono holds, ahead of UTC: read as
        // no time (its local reading would panic when shown).
        let far = git_time(git2::Time::new(8_210_266_876_799, 720));
        assert_eq!(far.timestamp(), 0);
        assert!(readable(&far));
        assert!(!readable(
            &DateTime::parse_from_rfc3339("9999-12-31T23:00:00-12:00").expect("time")
        ));
    }
}
