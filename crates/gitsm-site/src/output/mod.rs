//! Writing the site: into a temporary folder beside the output, then moved
//! into place by renames — the whole folder, or, when the previous build
//! stands for most of it, only the pages that changed — so that nothing
//! half-written is ever visible and a failed build leaves the previous site
//! untouched. A folder is only
//! replaced when it is empty or a previous build wrote it (it holds the
//! marker file): `-o .` by mistake must never delete a work tree.

use std::collections::HashSet;

/// Paths from the site root (a fast hash: 100,000 pages are looked up).
pub(crate) type Paths<'p> = HashSet<&'p str, foldhash::fast::RandomState>;
use std::path::{Path, PathBuf};

use super::SiteError;

#[cfg(unix)]
mod in_place;

/// File that marks a folder as written by `gitsm site`.
pub(crate) const MARKER: &str = ".gitsm-site";

const MARKER_TEXT: &str =
    "Written by `gitsm site`. This folder is replaced as a whole on every build.\n";

/// The output folder as an absolute path without `.` or `..`, through
/// the real folders above it (the folder itself may be a symlink, which
/// [`check_target`] refuses): `-o .` names a folder whose parent is not
/// itself.
pub(crate) fn resolve(out: &Path) -> PathBuf {
    let absolute = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    let real = match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => parent.canonicalize().map(|p| p.join(name)),
        _ => absolute.canonicalize(),
    };
    real.unwrap_or(absolute)
}

/// Whether `out` holds the file a build leaves in the folders it writes:
/// a regular file, not a link to another site's.
pub(crate) fn has_marker(out: &Path) -> bool {
    std::fs::symlink_metadata(out.join(MARKER)).is_ok_and(|m| m.is_file())
}

/// Refuse an output folder that the build would wrongly replace.
pub(crate) fn check_target(out: &Path, root: &Path) -> Result<(), SiteError> {
    let refuse = |reason: &str| SiteError::Target {
        path: out.to_path_buf(),
        reason: reason.to_owned(),
    };
    if let (Ok(o), Ok(r)) = (out.canonicalize(), root.canonicalize())
        && r.starts_with(&o)
    {
        return Err(refuse(
            "is the managed repository or contains it; choose a folder of its own",
        ));
    }
    match std::fs::symlink_metadata(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(SiteError::io(out)(e)),
        Ok(meta) if !meta.is_dir() => Err(refuse("exists and is not a folder")),
        Ok(_) => {
            if has_marker(out) {
                return Ok(());
            }
            let mut entries = std::fs::read_dir(out).map_err(SiteError::io(out))?;
            if entries.next().is_none() {
                Ok(())
            } else {
                Err(refuse(
                    "exists and was not written by `gitsm site` (no .gitsm-site file in it); refusing to replace it",
                ))
            }
        }
    }
}

/// The temporary folder a build writes into.
pub(crate) struct Staging {
    dir: tempfile::TempDir,
}

impl Staging {
    /// A temporary folder in the output's parent (the same file system, so
    /// the final rename is atomic).
    pub(crate) fn new(out: &Path) -> Result<Staging, SiteError> {
        let parent = crate::write::folder_of(out);
        std::fs::create_dir_all(parent).map_err(SiteError::io(parent))?;
        let dir = tempfile::Builder::new()
            .prefix(".gitsm-site-")
            .tempdir_in(parent)
            .map_err(SiteError::io(parent))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // A temporary folder is private; a site is for publishing.
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
                .map_err(SiteError::io(dir.path()))?;
        }
        std::fs::write(dir.path().join(MARKER), MARKER_TEXT).map_err(SiteError::io(dir.path()))?;
        Ok(Staging { dir })
    }

    pub(crate) fn create_dir(&self, rel: &str) -> Result<(), SiteError> {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(&p).map_err(SiteError::io(&p))
    }

    /// Write a file at `rel` (a site path with `/`) through `fill`, which
    /// writes its bytes as they are made.
    pub(crate) fn write(&self, rel: &str, fill: &mut super::PageFill<'_>) -> Result<(), SiteError> {
        use std::io::Write;
        let p = self.dir.path().join(rel);
        let file = std::fs::File::create(&p).map_err(SiteError::io(&p))?;
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, file);
        fill(&mut out)?;
        out.flush().map_err(SiteError::io(&p))
    }

    /// The folder being written.
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Move the staged pages into `out`, which holds the previous build,
    /// and remove from it every file this build neither wrote nor `kept`
    /// (paths from the site root): the result is the folder a full build
    /// writes. Each page replaces its old one by a rename, so a reader
    /// never sees half a page; a build that stops part-way leaves pages of
    /// both builds (the caller drops the manifest first, so that the next
    /// build rewrites the whole folder). The folders are walked through
    /// open handles, never by path ([`in_place`]): nothing is followed
    /// through a symlink, even one swapped in while the build runs.
    #[cfg(unix)]
    pub(crate) fn update(self, out: &Path, kept: &Paths<'_>) -> Result<(), SiteError> {
        let staged = self.dir.path().to_path_buf();
        in_place::update(&staged, out, kept).map_err(|e| match e {
            (Some(rel), source) => SiteError::io(&out.join(rel))(source),
            (None, source) => SiteError::io(out)(source),
        })?;
        self.dir.close().map_err(SiteError::io(&staged))
    }

    /// Move the finished site to `out`, replacing what was there.
    pub(crate) fn finish(self, out: &Path) -> Result<(), SiteError> {
        let staged = self.dir.keep();
        let result = replace(&staged, out);
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&staged);
        }
        result
    }
}

fn replace(staged: &Path, out: &Path) -> Result<(), SiteError> {
    if std::fs::symlink_metadata(out).is_err() {
        return std::fs::rename(staged, out).map_err(SiteError::io(out));
    }
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let old = crate::write::folder_of(out).join(format!(".{name}.old-{}", std::process::id()));
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(SiteError::io(&old))?;
    }
    std::fs::rename(out, &old).map_err(SiteError::io(out))?;
    if let Err(e) = std::fs::rename(staged, out) {
        let _ = std::fs::rename(&old, out);
        return Err(SiteError::io(out)(e));
    }
    std::fs::remove_dir_all(&old).map_err(SiteError::io(&old))
}

/// Whether `path` is a folder itself, not a symlink to one.
pub(crate) fn is_folder(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|meta| meta.is_dir())
}
