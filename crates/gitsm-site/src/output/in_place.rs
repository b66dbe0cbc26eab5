//! Moving a build's changed pages into the previous site, through open
//! folder handles (`openat`, `renameat`, `unlinkat`): a folder is opened
//! once, without following a symlink, and everything below is done
//! relative to that handle. Someone who can write to the published folder
//! and swaps one of its folders for a symlink while a build runs gets the
//! symlink replaced, never a page written or a file removed where it
//! points. Names are bytes: a file name that is not UTF-8 is not a page
//! and is removed like any other stray file.

use std::collections::HashSet;

use super::Paths;

/// Paths and folders moved into the site (a fast hash: every file of the
/// site is looked up).
type Moved = HashSet<String, foldhash::fast::RandomState>;
use std::ffi::{CStr, CString};
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags};
use rustix::io::Errno;

/// What failed, and where (from the site root; `None`: the folder itself).
pub(super) type Failure = (Option<String>, std::io::Error);

fn fail(rel: &str) -> impl FnOnce(Errno) -> Failure + '_ {
    move |e| ((!rel.is_empty()).then(|| rel.to_owned()), e.into())
}

/// Open the folder `name` below `dir`, never through a symlink.
fn open_dir(dir: impl AsFd, name: &CStr) -> rustix::io::Result<OwnedFd> {
    rustix::fs::openat(
        dir,
        name,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// The entries of an open folder: name, and whether it is a folder (a
/// symlink is not one).
fn entries(dir: &OwnedFd) -> rustix::io::Result<Vec<(CString, bool)>> {
    let mut all = Vec::new();
    each_entry(dir, |name, folder| {
        all.push((name.to_owned(), folder));
        Ok(())
    })?;
    Ok(all)
}

/// Call `f` with each entry of an open folder (`.` and `..` aside): its
/// name, and whether it is a folder (a symlink is not one).
fn each_entry(
    dir: &OwnedFd,
    mut f: impl FnMut(&CStr, bool) -> rustix::io::Result<()>,
) -> rustix::io::Result<()> {
    for entry in Dir::read_from(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if matches!(name.to_bytes(), b"." | b"..") {
            continue;
        }
        let kind = match entry.file_type() {
            FileType::Unknown => FileType::from_raw_mode(
                rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)?.st_mode,
            ),
            kind => kind,
        };
        f(name, kind == FileType::Directory)?;
    }
    Ok(())
}

/// Remove `name` below `dir`, a folder with all it holds or anything else.
fn remove(dir: &OwnedFd, name: &CStr) -> rustix::io::Result<()> {
    let Ok(folder) = open_dir(dir, name) else {
        return rustix::fs::unlinkat(dir, name, AtFlags::empty());
    };
    for (child, _) in entries(&folder)? {
        remove(&folder, &child)?;
    }
    rustix::fs::unlinkat(dir, name, AtFlags::REMOVEDIR)
}

/// `rel` below `base`: `"a"`, `"a/b"`.
fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_owned()
    } else {
        format!("{base}/{name}")
    }
}

/// Move every page staged in `staged` into `out` and remove from `out`
/// what neither it nor `kept` holds.
pub(super) fn update(staged: &Path, out: &Path, kept: &Paths<'_>) -> Result<(), Failure> {
    let path = |p: &Path| CString::new(p.as_os_str().as_encoded_bytes()).map_err(|_| Errno::INVAL);
    let open = |p: &Path| path(p).and_then(|p| open_dir(rustix::fs::CWD, &p));
    let from = open(staged).map_err(|e| (None, e.into()))?;
    let to = open(out).map_err(fail(""))?;
    let mut written = Moved::default();
    let mut folders = Moved::from_iter([String::new()]);
    move_into(&from, &to, "", &mut written, &mut folders)?;
    prune(&to, "", &|rel, folder| {
        if folder {
            folders.contains(rel)
        } else {
            written.contains(rel) || kept.contains(rel)
        }
    })
}

/// Move every file below `from` (at `rel` from the site root) to the same
/// place below `to`, making the folders it needs; the files and folders
/// moved are added to `written` and `folders`.
fn move_into(
    from: &OwnedFd,
    to: &OwnedFd,
    rel: &str,
    written: &mut Moved,
    folders: &mut Moved,
) -> Result<(), Failure> {
    for (name, folder) in entries(from).map_err(fail(rel))? {
        // The staged names are the build's own, all UTF-8.
        let here = join(rel, &name.to_string_lossy());
        if folder {
            let target = match open_dir(to, &name) {
                Ok(fd) => fd,
                Err(_) => {
                    // Missing, or a file or symlink where a folder belongs.
                    let _ = remove(to, &name);
                    rustix::fs::mkdirat(to, &name, Mode::from_raw_mode(0o755))
                        .map_err(fail(&here))?;
                    open_dir(to, &name).map_err(fail(&here))?
                }
            };
            let source = open_dir(from, &name).map_err(fail(&here))?;
            move_into(&source, &target, &here, written, folders)?;
            folders.insert(here);
        } else {
            if let Err(e) = rustix::fs::renameat(from, &name, to, &name) {
                // A folder where the page belongs.
                if !matches!(e, Errno::ISDIR | Errno::NOTEMPTY | Errno::EXIST) {
                    return Err(fail(&here)(e));
                }
                remove(to, &name).map_err(fail(&here))?;
                rustix::fs::renameat(from, &name, to, &name).map_err(fail(&here))?;
            }
            written.insert(here);
        }
    }
    Ok(())
}

/// Whether a path of the site (a folder or not) stays.
type Keep<'k> = dyn Fn(&str, bool) -> bool + Sync + 'k;

/// Remove every file and folder below `dir` (at `rel` from the site root)
/// that `keep(path, is_folder)` does not keep. The folder is read whole
/// before anything in it is removed, and a kept file costs no allocation
/// (a site is mostly kept files). Its folders are pruned in parallel (a
/// folder per kind, each of thousands of pages).
fn prune(dir: &OwnedFd, rel: &str, keep: &Keep<'_>) -> Result<(), Failure> {
    use rayon::prelude::*;
    let mut gone = Vec::new();
    let mut below = Vec::new();
    let mut here = String::new();
    each_entry(dir, |name, folder| {
        let Ok(text) = name.to_str() else {
            gone.push((name.to_owned(), None));
            return Ok(());
        };
        here.clear();
        if !rel.is_empty() {
            here.push_str(rel);
            here.push('/');
        }
        here.push_str(text);
        match (folder, keep(&here, folder)) {
            (true, true) => below.push((name.to_owned(), here.clone())),
            (false, true) => {}
            (_, false) => gone.push((name.to_owned(), Some(here.clone()))),
        }
        Ok(())
    })
    .map_err(fail(rel))?;
    for (name, here) in gone {
        remove(dir, &name).map_err(fail(here.as_deref().unwrap_or(rel)))?;
    }
    below
        .into_par_iter()
        .try_for_each(|(name, here)| match open_dir(dir, &name) {
            Ok(sub) => prune(&sub, &here, keep),
            // Swapped for something else since it was listed.
            Err(_) => remove(dir, &name).map_err(fail(&here)),
        })
}
