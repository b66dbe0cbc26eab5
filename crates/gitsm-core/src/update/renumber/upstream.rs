//! The revision a renumber compares with, and what it holds.

use std::collections::HashSet;
use std::path::PathBuf;

use git2::Repository;
use serde_json::Value;

use crate::git;
use crate::kind::Kind;
use crate::records::{self, RecordFile};
use crate::snapshot::Snapshot;
use crate::workspace::Workspace;
use crate::yaml;

use super::super::UpdateError;

/// The revision whose ids are taken too.
pub(super) struct Upstream<'r> {
    pub label: String,
    tree: git2::Tree<'r>,
    pub snapshot: Snapshot<'r>,
    prefix: PathBuf,
}

/// The revision to compare with: `onto`, else `ids.base`, else the first of
/// [`git::UPSTREAMS`] that exists (none: `None`). A named revision that does not
/// exist is a usage error.
pub(super) fn resolve<'r>(
    ws: &Workspace,
    repo: &'r Repository,
    onto: Option<&str>,
) -> Result<Option<Upstream<'r>>, UpdateError> {
    let Some(prefix) = git::prefix(repo, &ws.root) else {
        return match onto {
            Some(_) => Err(UpdateError::usage(
                "--onto needs a Git work tree; this repository has none",
                None,
            )),
            None => Ok(None),
        };
    };
    let named = match (onto, ws.config.ids.base.as_deref()) {
        (Some(rev), _) => Some((rev, "")),
        (None, Some(base)) => Some((base, " (`ids.base` in gitsm.yaml)")),
        (None, None) => None,
    };
    let found = match named {
        Some((rev, from)) => {
            let tree = git::upstream_tree(repo, Some(rev)).ok_or_else(|| {
                UpdateError::usage(
                    format!("unknown revision `{rev}`{from}"),
                    Some(
                        "name a branch, tag or commit (`git branch -a` lists branches; \
                         `git fetch` a remote one first)"
                            .into(),
                    ),
                )
            })?;
            Some((rev.to_owned(), tree))
        }
        None => git::UPSTREAMS
            .iter()
            .find_map(|rev| git::upstream_tree(repo, Some(rev)).map(|t| ((*rev).to_owned(), t))),
    };
    Ok(found.map(|(label, tree)| Upstream {
        snapshot: Snapshot::new(repo, Some(&tree), &prefix),
        label,
        tree,
        prefix,
    }))
}

/// The versions of `id` stored in the revision, as JSON.
pub(super) fn rev_versions(snapshot: &Snapshot<'_>, kind: Kind, id: &str) -> Vec<Value> {
    snapshot
        .locate(kind, id)
        .iter()
        .filter_map(|rel| snapshot.read(rel).ok())
        .filter_map(|bytes| String::from_utf8(bytes).ok())
        .filter_map(|text| {
            yaml::parse(crate::front_matter::fields_of(kind, &text))
                .ok()
                .map(|n| n.to_json())
        })
        .collect()
}

/// Ids of `kind` in the work tree and in the revision.
pub(super) fn taken_ids(
    ws: &Workspace,
    kind: Kind,
    upstream: Option<&Upstream<'_>>,
    repo: Option<&Repository>,
) -> Vec<String> {
    let upstream = upstream
        .zip(repo)
        .map(|(u, repo)| (repo, &u.tree, u.prefix.as_path()));
    records::taken_ids(ws, kind, upstream)
}

/// Fields of REV's version of `file`'s record that name `id`.
pub(super) fn upstream_references(
    ws: &Workspace,
    upstream: &Upstream<'_>,
    file: &RecordFile,
    id: &str,
) -> HashSet<String> {
    let Some(holder) = &file.id else {
        return HashSet::new();
    };
    upstream
        .snapshot
        .locate(file.kind, holder)
        .iter()
        .filter_map(|rel| upstream.snapshot.read_record(ws, file.kind, rel).0)
        .flat_map(|f| f.refs)
        .filter(|(r, _)| r.target == id)
        .map(|(r, _)| r.field)
        .collect()
}
