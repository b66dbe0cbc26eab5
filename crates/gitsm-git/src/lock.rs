//! One writer at a time. Every command that changes records holds this
//! advisory lock while it compares each record with the text it read and
//! replaces it, so two edits of the same record never both succeed: the
//! second finds the record changed and writes nothing. The lock file lives
//! in the Git directory (shared by worktrees), or at the managed root
//! outside Git, and is released when the process ends, however it ends.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Held while records are written; released on drop.
#[derive(Debug)]
pub struct WriteLock {
    file: File,
}

impl WriteLock {
    /// Wait for the lock of the repository at `root`.
    pub fn acquire(root: &Path) -> std::io::Result<WriteLock> {
        let path = lock_path(root);
        let at =
            |e: std::io::Error| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(at)?;
        }
        let file = crate::write::open_own(
            &path,
            OpenOptions::new().create(true).truncate(false).write(true),
        )
        .map_err(at)?;
        file.lock().map_err(at)?;
        Ok(WriteLock { file })
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// `<git common dir>/gitsm/write.lock`, or `<root>/.gitsm.lock` outside Git.
fn lock_path(root: &Path) -> PathBuf {
    match crate::git::open(root) {
        Some(repo) => repo.commondir().join("gitsm").join("write.lock"),
        None => root.join(".gitsm.lock"),
    }
}
