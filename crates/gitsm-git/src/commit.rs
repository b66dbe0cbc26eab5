//! Committing chosen files of the work tree, and nothing else: what is
//! staged or changed besides them stays as it was, staged or not.

use std::path::Path;

use git2::{Oid, Repository, Signature, build::TreeUpdateBuilder};

/// Commit the work-tree files `paths` (relative to the top of the work
/// tree) onto `HEAD` (its branch, or an unborn one), as `author` (who also
/// commits), with `message`. The new tree is `HEAD`'s with those files as
/// they are on disk; the index entries of those files are updated to
/// match, every other entry is left alone. Returns the commit's id.
pub fn commit_paths(
    repo: &Repository,
    paths: &[&Path],
    author: &Signature<'_>,
    message: &str,
) -> Result<Oid, git2::Error> {
    let workdir = repo
        .workdir()
        .ok_or_else(|| git2::Error::from_str("a bare repository has no work tree to commit"))?
        .to_path_buf();
    let parent = match repo.head() {
        Ok(head) => Some(head.peel_to_commit()?),
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
        Err(e) => return Err(e),
    };
    let base = match &parent {
        Some(commit) => commit.tree()?,
        None => {
            let empty = repo.treebuilder(None)?.write()?;
            repo.find_tree(empty)?
        }
    };
    let mut update = TreeUpdateBuilder::new();
    for rel in paths {
        let blob = repo.blob_path(&workdir.join(rel))?;
        update.upsert(git_path(rel)?, blob, git2::FileMode::Blob);
    }
    let tree = repo.find_tree(update.create_updated(repo, &base)?)?;
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    let oid = repo.commit(Some("HEAD"), author, author, message, &tree, &parents)?;
    let mut index = repo.index()?;
    for rel in paths {
        index.add_path(rel)?;
    }
    index.write()?;
    Ok(oid)
}

/// A path as Git writes it in a tree: `/`-separated, UTF-8.
fn git_path(rel: &Path) -> Result<String, git2::Error> {
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    parts
        .map(|p| p.join("/"))
        .ok_or_else(|| git2::Error::from_str("a path that is not UTF-8 cannot be committed"))
}
