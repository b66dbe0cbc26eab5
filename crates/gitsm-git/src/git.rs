//! The few things gitsm asks of Git through libgit2 (local repositories only).

use std::path::{Path, PathBuf};

use git2::{ObjectType, Repository, Tree};

/// The Git blob id of `bytes`, as `git hash-object` gives it: the SHA-1
/// of `blob <length>\0` and the bytes. Hashed here with the CPU's SHA
/// instructions rather than by libgit2's collision-detecting SHA-1, which
/// is several times slower; the ids only say which stored version of a
/// record a work-tree file is (content Git itself would refuse as a
/// collision attack never reaches a repository to be matched).
pub fn blob_id(bytes: &[u8]) -> Option<git2::Oid> {
    use sha1::{Digest, Sha1};
    // The header written into a buffer on the stack: this runs for every
    // record file a report reads.
    let mut header = [0u8; 32];
    let room = header.len();
    let mut rest = &mut header[..];
    std::io::Write::write_fmt(&mut rest, format_args!("blob {}\0", bytes.len())).ok()?;
    let used = room - rest.len();
    let mut sha = Sha1::new();
    sha.update(&header[..used]);
    sha.update(bytes);
    git2::Oid::from_bytes(&sha.finalize()).ok()
}

/// Bytes as lower-case hex, as Git writes object ids.
pub fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(2 * bytes.len());
    push_hex(&mut text, bytes);
    text
}

/// Bytes as [`hex`] writes them, at the end of `text` (nothing allocated
/// for a caller writing many).
pub fn push_hex(text: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
}

/// A short name for `path` (twelve hex digits of its SHA-1), for the files
/// gitsm keeps in the Git directory per managed root or output folder.
pub fn short_name(path: &std::ffi::OsStr) -> String {
    short_hash(path.as_encoded_bytes())
}

/// Twelve hex digits of the SHA-1 of `bytes`: a name, or a fingerprint of
/// a small file, not a proof.
pub fn short_hash(bytes: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    hex(&Sha1::digest(bytes)[..6])
}

/// A Git object id as plain bytes, for maps of many ids: compared and
/// hashed inline, where git2's `Oid` compares through a libgit2 call
/// (what that cost is in BENCHMARKS.md, "Long history").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObjectKey([u8; 20]);

impl ObjectKey {
    /// Which of `shares` (at least one) parts of a set of ids this one
    /// falls in: ids are hashes, so their first byte spreads them evenly.
    pub fn share(&self, shares: usize) -> usize {
        usize::from(self.0[0]) % shares.max(1)
    }
}

impl std::fmt::Display for ObjectKey {
    /// Hexadecimal, as Git writes ids.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

impl From<git2::Oid> for ObjectKey {
    fn from(oid: git2::Oid) -> Self {
        ObjectKey(oid.as_bytes().try_into().unwrap_or_default())
    }
}

/// The Git repository containing `dir`, if any: the search upwards crosses
/// file systems and, as Git's does, does not go up into a folder listed in
/// `GIT_CEILING_DIRECTORIES` (absolute paths, separated as in `PATH`).
pub fn open(dir: &Path) -> Option<Repository> {
    // libgit2 re-hashes every object it reads (with SHA-1 collision
    // detection): over half the time of a history walk. Git itself only
    // does that in `git fsck`; the object store is trusted as Git trusts it.
    git2::opts::strict_hash_verification(false);
    let ceilings: Vec<std::path::PathBuf> = std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|list| {
            std::env::split_paths(&list)
                .filter(|p| p.is_absolute())
                .collect()
        })
        .unwrap_or_default();
    Repository::open_ext(dir, git2::RepositoryOpenFlags::CROSS_FS, &ceilings).ok()
}

/// The commit `rev` names, or why there is none: an empty repository or
/// an unknown name.
pub fn commit_at<'r>(repo: &'r Repository, rev: &str) -> Result<git2::Commit<'r>, String> {
    repo.revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| {
            if repo.head().is_err() {
                "the repository has no commits yet".to_owned()
            } else {
                format!("unknown revision `{rev}`")
            }
        })
}

/// `git config user.email` as Git would read it for `dir`.
pub fn user_email(dir: &Path) -> Option<String> {
    user_setting(dir, "user.email")
}

/// `git config user.name` as seen from `dir`.
pub fn user_name(dir: &Path) -> Option<String> {
    user_setting(dir, "user.name")
}

fn user_setting(dir: &Path, key: &str) -> Option<String> {
    let config = match open(dir) {
        Some(repo) => repo.config().ok()?,
        None => git2::Config::open_default().ok()?,
    };
    config.get_string(key).ok().filter(|e| !e.is_empty())
}

/// Where `root` lies inside the repository's work tree (`""` at the top).
pub fn prefix(repo: &Repository, root: &Path) -> Option<PathBuf> {
    let workdir = repo.workdir()?.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    root.strip_prefix(&workdir).ok().map(Path::to_path_buf)
}

/// Upstream revisions tried, in order, when no base is configured.
pub const UPSTREAMS: [&str; 3] = ["origin/HEAD", "origin/main", "origin/master"];

/// The upstream revision new ids must not collide with: `base` if given,
/// else the first of [`UPSTREAMS`] that exists.
pub fn upstream_tree<'r>(repo: &'r Repository, base: Option<&str>) -> Option<Tree<'r>> {
    let candidates: Vec<&str> = match base {
        Some(b) => vec![b],
        None => UPSTREAMS.to_vec(),
    };
    candidates
        .into_iter()
        .find_map(|rev| repo.revparse_single(rev).ok()?.peel_to_tree().ok())
}

/// File stems of `*.<extension>` files directly in `folder` of `tree`, and in its
/// year subfolders.
pub fn record_stems(
    repo: &Repository,
    tree: &Tree<'_>,
    folder: &Path,
    extension: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entry) = tree.get_path(folder) else {
        return out;
    };
    let Ok(sub) = repo.find_tree(entry.id()) else {
        return out;
    };
    collect(repo, &sub, 0, extension, &mut out);
    out
}

fn collect(
    repo: &Repository,
    tree: &Tree<'_>,
    depth: usize,
    extension: &str,
    out: &mut Vec<String>,
) {
    for e in tree.iter() {
        let Ok(name) = e.name() else { continue };
        match e.kind() {
            Some(ObjectType::Blob) => {
                if let Some(stem) = name
                    .strip_suffix(extension)
                    .and_then(|n| n.strip_suffix('.'))
                {
                    out.push(stem.to_owned());
                }
            }
            Some(ObjectType::Tree) if depth == 0 => {
                if let Ok(sub) = repo.find_tree(e.id()) {
                    collect(repo, &sub, depth + 1, extension, out);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::git_cli;

    /// `blob_id` is `git hash-object`'s id, for empty, text and binary
    /// content.
    #[test]
    fn blob_ids_are_gits() {
        let dir = tempfile::tempdir().expect("tempdir");
        for bytes in [
            &b""[..],
            b"id: INC-1\nstatus: new\n",
            &[0u8, 255, 10, 13, 7][..],
        ] {
            let file = dir.path().join("f");
            std::fs::write(&file, bytes).expect("write");
            let expected = git_cli(dir.path(), &["hash-object", "f"], None);
            assert_eq!(
                super::blob_id(bytes).map(|id| id.to_string()),
                Some(expected)
            );
        }
    }
}
