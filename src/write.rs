//! Writing files atomically: a temp file in the same folder, then a rename,
//! so a reader or a crash never sees half a record.

use std::io::Write;
use std::path::Path;

/// Replace (or create) `path` with `contents`.
pub fn atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Create `path` with `contents`; fails if it already exists.
pub fn create_new(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

fn temp_beside(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    tempfile::Builder::new()
        .prefix(".gitsm-")
        .suffix(".tmp")
        .tempfile_in(dir)
}
