//! The checks of commits: the index against HEAD (`validate --staged`,
//! the pre-commit hook), and every first-parent commit of a range against
//! its parent (`validate --range`, CI on a pull request).
//!
//! Each comparison reads only the records that changed and the records they
//! name (found by path lookup), so its cost follows the change, not the
//! size of the repository.

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use chrono::{DateTime, FixedOffset};
use git2::{Commit, Oid, Repository, Sort};
use rayon::prelude::*;
use serde_json::Value;

use crate::approval;
use crate::checks;
use crate::checks::parse_record;
use crate::config;
use crate::diagnostic::Diagnostic;
use crate::index_file::IndexFile;
use crate::kind::Kind;
use crate::records::{self, RecordFile};
use crate::snapshot::Snapshot;
use crate::tree_cache::TreeCache;
use crate::workspace::Workspace;
use crate::yaml;

use diff::RecordChange;

use super::*;
use crate::baseline;

/// What a history check found.
#[derive(Debug, Default)]
pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    /// Record files checked (each once, at its latest version).
    pub files: Vec<PathBuf>,
    /// Commits compared with their parent.
    pub commits: usize,
}

/// The index against HEAD, as the pre-commit hook sees them: the index
/// file is read directly ([`IndexFile`]), folders whose cached tree id is
/// HEAD's are skipped, the others compared entry by entry with HEAD's raw
/// trees, and staged files are read from the index by path.
pub fn staged(
    ws: &Workspace,
    repo: &Repository,
    prefix: &Path,
    now: DateTime<FixedOffset>,
) -> Result<Checked, HistoryError> {
    let index = IndexFile::open(repo)?;
    if index.has_conflicts() {
        return Err(HistoryError::Conflicts);
    }
    let head = match repo.head() {
        Ok(h) => Some(h.peel_to_tree()?),
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
        Err(e) => return Err(e.into()),
    };
    let trees = Rc::new(RefCell::new(TreeCache::new(repo)?));
    let (list, policy) = diff::staged_changes(
        &mut trees.borrow_mut(),
        head.as_ref().map(git2::Tree::id),
        &index,
        prefix,
    );
    missing_tree(&trees.borrow())?;
    let old = Snapshot::new(repo, head.as_ref(), prefix).with_trees(&trees);
    let new = Snapshot::staged(repo, index, head.as_ref(), prefix).with_trees(&trees);
    let author = std::env::var("GIT_AUTHOR_EMAIL")
        .ok()
        .or_else(|| repo.config().ok()?.get_string("user.email").ok())
        .unwrap_or_default();
    let trusted = match head {
        Some(_) => Some(trusted_policy(ws, &old, "HEAD")?),
        None => None,
    };
    let base = Base::Staged {
        head: repo.head().ok().and_then(|h| h.target()),
        author,
        prefix: prefix.to_path_buf(),
        trusted: trusted.as_ref(),
        shallow: shallow_commits(repo),
    };
    let changes = Changes::new(list, policy, &old, &new);
    let (mut diagnostics, files) = compare(ws, changes, &old, &new, now, &base);
    diagnostics.extend(ws.baseline_warning());
    Ok(Checked {
        diagnostics,
        files,
        commits: 0,
    })
}

/// Refuse to go on from a comparison that met a tree it could not read: it
/// would take a missing folder for a deleted one.
fn missing_tree(trees: &TreeCache<'_>) -> Result<(), HistoryError> {
    match trees.missing() {
        Some(id) => Err(HistoryError::Git(format!(
            "cannot read tree {id}: the object is missing or damaged (`git fsck` tells more)"
        ))),
        None => Ok(()),
    }
}

/// Every first-parent commit of `spec` against its first parent. `spec` is
/// `A..B`, `A...B` (from their merge base), or a single revision (its whole
/// first-parent history); an empty side means HEAD, as in Git.
pub fn range(
    ws: &Workspace,
    repo: &Repository,
    prefix: &Path,
    spec: &str,
) -> Result<Checked, HistoryError> {
    let (base, tip) = resolve_range(repo, spec)?;
    let mut walk = repo.revwalk()?;
    walk.push(tip)?;
    if let Some(base) = base {
        walk.hide(base)?;
    }
    walk.simplify_first_parent()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    let shallow = shallow_commits(repo);
    let trusted = match base {
        Some(b) => {
            let commit = repo.find_commit(b)?;
            let tree = commit.tree()?;
            let snapshot = Snapshot::new(repo, Some(&tree), prefix);
            Some(trusted_policy(ws, &snapshot, &short(&commit))?)
        }
        None => None,
    };
    // The baseline of the trusted policy, found in the base's history
    // (the whole history's when there is no base): never one of the
    // commits checked, whatever their dates say.
    // A range that sets or moves the baseline (an import, or a policy
    // tightened with `gitsm baseline`) gets the base itself: what the base
    // already held keeps counting, what the range adds or changes is
    // judged.
    let policy: &config::Config = trusted.as_ref().map_or(&ws.config, |t| &t.config);
    let wanted = ws.config.history.baseline.as_deref();
    let text = match base {
        Some(b) if wanted.is_some() && wanted != policy.history.baseline.as_deref() => {
            Some(b.to_string())
        }
        _ => policy.history.baseline.clone(),
    };
    let imported = match text {
        Some(text) => {
            let b = baseline::Baseline::parse(&text, policy.zone());
            baseline::resolve(repo, prefix, &b, Some(base.unwrap_or(tip)), false, true)?
        }
        None => baseline::Imported::None,
    };
    // Commits up to the baseline are imported history: not checked. With
    // a base there are none among the commits checked (the baseline is
    // found in the base's history), and no walk is needed to say so.
    let imported_commits = match (&imported, base) {
        (baseline::Imported::At(at), None) => reachable(repo, at.commit().map_err(Clone::clone)?)?,
        _ => HashSet::new(),
    };
    ws.use_imported(Ok(imported));
    let mut out = Checked::default();
    let mut latest: Vec<PathBuf> = Vec::new();
    let trees = Rc::new(RefCell::new(TreeCache::new(repo)?));
    // The last commit's snapshot: the next commit's parent, whose folder
    // trees it has already read.
    let mut previous: Option<(Oid, Snapshot<'_>)> = None;
    let mut touches = backdating::RangeTouches::new(
        base,
        shallow.clone(),
        trusted
            .as_ref()
            .map_or(ws.config.clock_skew, |t| t.config.clock_skew),
    );
    for id in walk {
        trees.borrow_mut().step();
        let id = id?;
        if imported_commits.contains(&id) {
            continue;
        }
        let commit = repo.find_commit(id)?;
        let parent_tree = match commit.parent(0) {
            Ok(p) => Some(p.tree()?),
            Err(_) if shallow.contains(&commit.id()) || commit.parent_count() > 0 => {
                return Err(HistoryError::Shallow {
                    rev: format!("{}^", short(&commit)),
                });
            }
            Err(_) => None,
        };
        let tree = commit.tree()?;
        let old = match previous.take() {
            Some((id, snapshot)) if commit.parent_id(0).ok() == Some(id) => snapshot,
            _ => Snapshot::new(repo, parent_tree.as_ref(), prefix).with_trees(&trees),
        };
        let new = Snapshot::new(repo, Some(&tree), prefix).with_trees(&trees);
        let list = diff::changed_records(
            &mut trees.borrow_mut(),
            old.root_id(),
            new.root_id(),
            &Kind::ALL,
        );
        missing_tree(&trees.borrow())?;
        let changes = Changes::new(list, policy_changed(&old, &new), &old, &new);
        touches.record(repo, &mut trees.borrow_mut(), prefix, &commit, &changes);
        let base = Base::Commit {
            oid: commit.id(),
            prefix: prefix.to_path_buf(),
            trusted: trusted.as_ref(),
        };
        let (mut diags, files) = compare(ws, changes, &old, &new, commit_time(&commit), &base);
        let tag = tag(&commit);
        for d in &mut diags {
            d.commit = Some(tag.clone());
        }
        out.diagnostics.extend(diags);
        latest.extend(files);
        out.commits += 1;
        previous = Some((commit.id(), new));
    }
    latest.sort();
    latest.dedup();
    out.diagnostics.extend(touches.check(repo, prefix));
    out.files = latest;
    Ok(out)
}

/// The commits reachable from `tip`.
fn reachable(repo: &Repository, tip: Oid) -> Result<HashSet<Oid>, HistoryError> {
    let mut walk = repo.revwalk()?;
    walk.push(tip)?;
    Ok(walk.collect::<Result<_, _>>()?)
}

/// The two ends of a range expression.
fn resolve_range(repo: &Repository, spec: &str) -> Result<(Option<Oid>, Oid), HistoryError> {
    let commit = |rev: &str| -> Result<Oid, HistoryError> {
        let rev = if rev.is_empty() { "HEAD" } else { rev };
        match repo.revparse_single(rev).and_then(|o| o.peel_to_commit()) {
            Ok(c) => Ok(c.id()),
            Err(_) if rev == "HEAD" && repo.head().is_err() => Err(HistoryError::Empty),
            Err(_) if repo.is_shallow() => Err(HistoryError::Shallow {
                rev: rev.to_owned(),
            }),
            Err(_) => Err(HistoryError::UnknownRevision(rev.to_owned())),
        }
    };
    if let Some((a, b)) = spec.split_once("...") {
        let (a, b) = (commit(a)?, commit(b)?);
        let base = repo.merge_base(a, b).map_err(|_| {
            if repo.is_shallow() {
                HistoryError::Shallow {
                    rev: spec.to_owned(),
                }
            } else {
                HistoryError::UnknownRevision(format!("merge base of {spec}"))
            }
        })?;
        return Ok((Some(base), b));
    }
    if let Some((a, b)) = spec.split_once("..") {
        return Ok((Some(commit(a)?), commit(b)?));
    }
    Ok((None, commit(spec)?))
}

/// The policy of `snapshot` (read at `rev`), to judge decisions with.
pub fn trusted_policy(
    ws: &Workspace,
    snapshot: &Snapshot<'_>,
    rev: &str,
) -> Result<Trusted, HistoryError> {
    let config = snapshot
        .policy(&ws.schemas)
        .map_err(|diags| HistoryError::Policy {
            rev: rev.to_owned(),
            message: diags.iter().find(|d| d.is_error()).map_or_else(
                || "unreadable".to_owned(),
                |d| format!("{}:{}: {}", d.line, d.column, d.message),
            ),
        })?;
    Ok(Trusted {
        config,
        rev: rev.to_owned(),
    })
}

/// How a diagnostic names the commit it was found in.
pub(super) fn tag(commit: &Commit<'_>) -> String {
    format!(
        "{} {}",
        short(commit),
        commit.summary().ok().flatten().unwrap_or_default()
    )
}

fn short(commit: &Commit<'_>) -> String {
    commit.id().to_string()[..10].to_owned()
}

/// What differs between two revisions of the managed root.
pub(super) struct Changes {
    /// The record files that differ.
    pub(super) list: Vec<RecordChange>,
    /// Removed files whose record lives on under another id (`gitsm
    /// renumber`): `(old path, new path)`.
    pub(super) renumbered: Vec<(PathBuf, PathBuf)>,
    /// Whether the policy (config or schemas) differs.
    pub(super) policy: bool,
}

impl Changes {
    pub(super) fn new(
        list: Vec<RecordChange>,
        policy: bool,
        old: &Snapshot<'_>,
        new: &Snapshot<'_>,
    ) -> Changes {
        Changes {
            renumbered: renumbered(&list, old, new),
            list,
            policy,
        }
    }

    /// The version `change`'s file had before: its own (moved or not), or
    /// that of the file it was renumbered from.
    pub(super) fn before<'c>(&'c self, change: &'c RecordChange) -> Option<&'c diff::Version> {
        change.old.as_ref().or_else(|| {
            let new = change.new.as_ref()?;
            let (from, _) = self.renumbered.iter().find(|(_, to)| *to == new.path)?;
            self.list
                .iter()
                .filter_map(|c| c.old.as_ref())
                .find(|v| v.path == *from)
        })
    }

    /// Whether the file at `path` was removed by a renumber.
    pub(super) fn renumbered_from(&self, path: &Path) -> bool {
        self.renumbered.iter().any(|(from, _)| from == path)
    }
}

/// One comparison of two revisions, given what differs between them: the
/// diagnostics of what changed, and the record files checked.
fn compare(
    ws: &Workspace,
    mut changes: Changes,
    old: &Snapshot<'_>,
    new: &Snapshot<'_>,
    recorded_at: DateTime<FixedOffset>,
    base: &Base,
) -> (Vec<Diagnostic>, Vec<PathBuf>) {
    if changes.policy && old.exists() && new.exists() {
        // A new policy can invalidate any record: check them all.
        let seen: HashSet<PathBuf> = changes
            .list
            .iter()
            .map(|c| c.path().to_path_buf())
            .collect();
        for (kind, path) in new.all_records() {
            if seen.contains(&path) {
                continue;
            }
            let version = |s: &Snapshot<'_>| {
                s.id_of(&path).map(|blob| diff::Version {
                    path: path.clone(),
                    blob,
                })
            };
            changes.list.push(RecordChange {
                kind,
                old: version(old),
                new: version(new),
            });
        }
    }
    let mut diagnostics = Vec::new();
    let recorded = checks::Recorded {
        at: recorded_at,
        skew: base.trusted().unwrap_or(&ws.config).clock_skew,
    };
    // Read blobs here (git2 objects stay on this thread), parse in parallel.
    let inputs: Vec<Input> = changes
        .list
        .iter()
        .filter_map(|c| {
            let Some(v) = &c.new else {
                let path = c.old.as_ref().map(|v| v.path.clone()).unwrap_or_default();
                if !changes.renumbered_from(&path) {
                    diagnostics.push(deleted(c.stem(), &path));
                }
                return None;
            };
            let bytes = new.read(&v.path);
            let old_bytes = c.old.as_ref().and_then(|o| old.read(&o.path).ok());
            Some(Input {
                kind: c.kind,
                path: v.path.clone(),
                old_path: changes.before(c).map(|v| v.path.clone()),
                bytes,
                old_bytes,
            })
        })
        .collect();
    // The version checked is the baseline itself (the commit about to be
    // made): records as they are in it are imported history, which no
    // history rule judges.
    let history = !matches!(ws.imported(), baseline::Imported::Pending);
    let results: Vec<(Option<RecordFile>, Vec<Diagnostic>)> = inputs
        .par_iter()
        .map(|input| check_version(ws, input, history.then_some(recorded)))
        .collect();
    let mut files = Vec::with_capacity(results.len());
    for ((file, diags), input) in results.into_iter().zip(&inputs) {
        if let Some(f) = &file
            && history
        {
            diagnostics.extend(approvals_from_history(ws, new.repo(), base, f, input));
            diagnostics.extend(backdating::staged(ws, new.repo(), base, input));
        }
        files.extend(file);
        diagnostics.extend(diags);
    }
    let changed: HashSet<PathBuf> = inputs.iter().map(|i| i.path.clone()).collect();
    let checked: Vec<PathBuf> = inputs.into_iter().map(|i| i.path).collect();
    let loaded = records::with_named(
        &ws.config,
        files,
        |kind, id| new.locate(kind, id),
        |kind, path| new.read_record(ws, kind, path).0,
    );
    diagnostics.extend(checks::changed(ws, &loaded, &changed));
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
    (diagnostics, checked)
}

/// What precedes the new version of a comparison in history.
pub(super) enum Base<'t> {
    /// The commit being checked (its own history included).
    Commit {
        oid: Oid,
        prefix: PathBuf,
        trusted: Option<&'t Trusted>,
    },
    /// The index, to be committed by `author` on top of `head`.
    Staged {
        head: Option<Oid>,
        author: String,
        prefix: PathBuf,
        trusted: Option<&'t Trusted>,
        /// Commits at the edge of a shallow clone.
        shallow: HashSet<Oid>,
    },
}

impl Base<'_> {
    pub(super) fn trusted(&self) -> Option<&crate::policy::Policy> {
        match self {
            Base::Commit { trusted, .. } | Base::Staged { trusted, .. } => {
                trusted.map(|t| &t.config)
            }
        }
    }

    pub(super) fn trusted_rev(&self) -> Option<&str> {
        match self {
            Base::Commit { trusted, .. } | Base::Staged { trusted, .. } => {
                trusted.map(|t| t.rev.as_str())
            }
        }
    }
}

/// The policy decisions are judged under: the one at the base of the
/// comparison, which the change being checked cannot have edited.
pub struct Trusted {
    pub config: crate::policy::Policy,
    /// The revision it was read from, e.g. `HEAD` or a short commit id.
    pub rev: String,
}

/// A change or request in a state it reaches only once approved is judged
/// again under the trusted policy (the base of the comparison: a pull
/// request cannot approve its own change with a key, email or group
/// membership it adds) and, under `proof: commit`, from the history of
/// who committed each decision.
fn approvals_from_history(
    ws: &Workspace,
    repo: &Repository,
    base: &Base,
    file: &RecordFile,
    input: &Input,
) -> Option<Diagnostic> {
    let record = file.record.as_deref()?;
    let trusted = base.trusted().unwrap_or(&ws.config);
    let reported = approval::needs_approval(&ws.config, record)
        && approval::judge(&ws.config, record).is_some_and(|s| s.shortfall().is_some());
    if !approval::needs_approval(trusted, record) || reported {
        // Not approved under the work tree's policy either: the
        // single-record checks report it.
        return None;
    }
    let was = ws.imported().version(record.kind(), &input.path, record);
    let with_imported = approval::judge_with(trusted, record, was.as_ref())?;
    if with_imported.imported {
        // As it stood at the baseline: imported history.
        return None;
    }
    let judged = match trusted.change_policy.proof {
        crate::config::Proof::Signature => with_imported,
        crate::config::Proof::Commit => {
            let steps = history_steps(repo, base, record, input)?;
            approvals::judge_by_commits(trusted, record, &steps)?
        }
    };
    let first = judged.shortfall()?;
    let pos = input
        .node()
        .map(|n| n.find(crate::records::pointer_segments("/approvals")).pos)
        .unwrap_or(file.id_pos);
    let under = match base.trusted_rev() {
        Some(rev) => format!("under the policy at {rev}"),
        None => "under the policy".to_owned(),
    };
    Some(
        Diagnostic::error(
            "approvals",
            format!(
                "{} is `{}` but its decisions do not hold {under}: {first}",
                record.id(),
                record.status()
            ),
        )
        .at(&input.path, pos)
        .with_hint(judged.ignored().join("; ")),
    )
}

/// The versions of the record's file up to the compared one.
fn history_steps(
    repo: &Repository,
    base: &Base,
    record: &crate::model::Record,
    input: &Input,
) -> Option<Vec<approvals::RecordVersion>> {
    let (tip, prefix) = match base {
        Base::Commit { oid, prefix, .. } => (Some(*oid), prefix),
        Base::Staged { head, prefix, .. } => (*head, prefix),
    };
    let mut steps = match tip {
        Some(tip) => approvals::steps(repo, prefix, record.kind(), &input.path, tip).ok()?,
        None => Vec::new(),
    };
    if let Base::Staged { author, .. } = base {
        // The index is the version about to be committed.
        let before = steps.last().and_then(|s| s.after.clone());
        let after = input.node().map(|n| n.to_json());
        steps.push(approvals::RecordVersion {
            commit: "staged".into(),
            oid: None,
            email: author.clone(),
            before,
            after,
        });
    }
    Some(steps)
}

/// A changed record file as read from Git.
pub(super) struct Input {
    pub(super) kind: Kind,
    pub(super) path: PathBuf,
    /// Where the file was before (itself, moved, or renumbered from).
    pub(super) old_path: Option<PathBuf>,
    pub(super) bytes: Result<Vec<u8>, Box<Diagnostic>>,
    pub(super) old_bytes: Option<Vec<u8>>,
}

impl Input {
    /// The new version parsed, when it is YAML.
    pub(super) fn node(&self) -> Option<yaml::Node> {
        let text = std::str::from_utf8(self.bytes.as_ref().ok()?).ok()?;
        yaml::parse(crate::front_matter::fields_of(self.kind, text)).ok()
    }

    /// The old version's JSON, when it is YAML.
    pub(super) fn old_json(&self) -> Option<Value> {
        let text = std::str::from_utf8(self.old_bytes.as_deref()?).ok()?;
        crate::front_matter::json_of(self.kind, text).ok()
    }
}

/// Single-record checks of the new version and history rules against the
/// old one.
fn check_version(
    ws: &Workspace,
    input: &Input,
    recorded: Option<checks::Recorded>,
) -> (Option<RecordFile>, Vec<Diagnostic>) {
    let bytes = match &input.bytes {
        Ok(b) => b,
        Err(d) => return (None, vec![(**d).clone()]),
    };
    let (file, mut diags) = parse_record(ws, input.kind, &input.path, bytes);
    if let Some(record) = file.as_ref().and_then(|f| f.record.as_ref())
        && let Some(recorded) = recorded
    {
        let old = input.old_json();
        // The file parsed once already; parse again for positions.
        if let Some(node) = input.node() {
            diags.extend(checks::history(
                ws,
                record,
                old.as_ref(),
                recorded,
                &node,
                &input.path,
            ));
            checks::renewing(old.as_ref(), &node.to_json(), &mut diags);
        }
    }
    (file, diags)
}

/// Removed files whose record lives on under another id (`gitsm
/// renumber`), paired with the added file that carries the same identity
/// — the fields that never change (`created_at` and the reporter or
/// requester): `(old path, new path)`.
fn renumbered(
    changes: &[RecordChange],
    old: &Snapshot<'_>,
    new: &Snapshot<'_>,
) -> Vec<(PathBuf, PathBuf)> {
    if !changes.iter().any(|c| c.new.is_none()) {
        return Vec::new();
    }
    let identity = |s: &Snapshot<'_>, kind: Kind, v: &diff::Version| -> Option<Value> {
        let bytes = s.read(&v.path).ok()?;
        let json = yaml::parse(crate::front_matter::fields_of(
            kind,
            std::str::from_utf8(&bytes).ok()?,
        ))
        .ok()?
        .to_json();
        let fields = ["created_at", "reported_by", "requested_by"].map(|f| json.get(f).cloned());
        fields[0]
            .is_some()
            .then(|| Value::Array(fields.into_iter().map(Option::unwrap_or_default).collect()))
    };
    let added: Vec<(Kind, Value, &Path)> = changes
        .iter()
        .filter(|c| c.old.is_none())
        .filter_map(|c| {
            let v = c.new.as_ref()?;
            Some((c.kind, identity(new, c.kind, v)?, v.path.as_path()))
        })
        .collect();
    changes
        .iter()
        .filter(|c| c.new.is_none())
        .filter_map(|c| {
            let v = c.old.as_ref()?;
            let id = identity(old, c.kind, v)?;
            added
                .iter()
                .find(|(k, a, _)| *k == c.kind && *a == id)
                .map(|(_, _, to)| (v.path.clone(), to.to_path_buf()))
        })
        .collect()
}

fn deleted(id: &str, path: &Path) -> Diagnostic {
    Diagnostic::error(
        "deleted",
        format!("{id} was deleted; records are never deleted"),
    )
    .in_file(path)
    .with_hint(format!(
        "restore it (`git checkout HEAD -- {}`) and close or cancel it instead",
        path.display()
    ))
}

/// Whether the policy (config or schemas) differs between two trees.
fn policy_changed(old: &Snapshot<'_>, new: &Snapshot<'_>) -> bool {
    [Path::new(config::FILE_NAME), Path::new("schemas")]
        .iter()
        .any(|p| old.id_of(p) != new.id_of(p))
}
