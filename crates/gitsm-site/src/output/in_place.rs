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

/// Whether opening a folder failed because something else stands at its
/// name (a file, a symlink) or nothing does: any other failure (out of
/// file handles, no permission) says nothing of what is there, and is
/// passed on rather than taken as leave to remove it.
fn not_a_folder(e: Errno) -> bool {
    matches!(e, Errno::NOTDIR | Errno::LOOP | Errno::NOENT)
}

/// Remove `name` below `dir`, a folder with all it holds or anything else.
/// A loop, not a recursion: a chain of folders planted thousands deep
/// costs a handle and a name per level (or fails when handles run out),
/// never the stack.
fn remove(dir: &OwnedFd, name: &CStr) -> rustix::io::Result<()> {
    /// A folder being emptied: its handle, its name, the names left in it.
    struct Emptying {
        folder: OwnedFd,
        name: CString,
        left: Vec<CString>,
    }
    let emptying = |parent: &OwnedFd, name: &CStr| match open_dir(parent, name) {
        Ok(folder) => {
            let left = entries(&folder)?.into_iter().map(|(n, _)| n).collect();
            Ok(Some(Emptying {
                folder,
                name: name.to_owned(),
                left,
            }))
        }
        Err(e) if not_a_folder(e) => {
            rustix::fs::unlinkat(parent, name, AtFlags::empty())?;
            Ok(None)
        }
        Err(e) => Err(e),
    };
    let mut stack: Vec<Emptying> = emptying(dir, name)?.into_iter().collect();
    while let Some(top) = stack.last_mut() {
        match top.left.pop() {
            Some(child) => {
                let below = emptying(&top.folder, &child)?;
                stack.extend(below);
            }
            None => {
                let done = stack.pop().map(|e| e.name).unwrap_or_default();
                let parent = stack.last().map_or(dir, |e| &e.folder);
                rustix::fs::unlinkat(parent, &done, AtFlags::REMOVEDIR)?;
            }
        }
    }
    Ok(())
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
    same_mode(&from, &to).map_err(fail(""))?;
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

/// Give the folder `to` of the site the permissions of the folder `from`
/// the build staged in its place, as a full build's folder has them: a
/// folder whose mode was changed by hand gets it back. A folder of
/// another user's (a shared one this user may write to) keeps its own,
/// unless this user may change any file's mode (root), as a full build
/// would replace it with a folder of this user's.
fn same_mode(from: &OwnedFd, to: &OwnedFd) -> rustix::io::Result<()> {
    let mode = |dir: &OwnedFd| rustix::fs::fstat(dir).map(|s| s.st_mode & 0o7777);
    let staged = mode(from)?;
    if mode(to)? == staged {
        return Ok(());
    }
    match rustix::fs::fchmod(to, Mode::from_raw_mode(staged)) {
        Err(Errno::PERM) => Ok(()),
        done => done,
    }
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
                Err(e) if !not_a_folder(e) => return Err(fail(&here)(e)),
                Err(_) => {
                    // Missing, or a file or symlink where a folder belongs.
                    let _ = remove(to, &name);
                    rustix::fs::mkdirat(to, &name, Mode::from_raw_mode(0o755))
                        .map_err(fail(&here))?;
                    open_dir(to, &name).map_err(fail(&here))?
                }
            };
            let source = open_dir(from, &name).map_err(fail(&here))?;
            same_mode(&source, &target).map_err(fail(&here))?;
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
            Err(e) if not_a_folder(e) => remove(dir, &name).map_err(fail(&here)),
            Err(e) => Err(fail(&here)(e)),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of folders planted in the site, deeper than a recursion
    /// could go on a small stack: removed level by level in a loop.
    #[test]
    fn attack_a_stray_folder_nested_deep_is_removed_without_the_stack() {
        let site = tempfile::tempdir().expect("temp");
        let depth = 400;
        let chain: std::path::PathBuf = std::iter::repeat_n("d", depth).collect();
        std::fs::create_dir_all(site.path().join("stray").join(&chain)).expect("chain");
        std::fs::write(site.path().join("stray").join(&chain).join("x.html"), "x").expect("leaf");
        let root = std::fs::File::open(site.path()).expect("open");
        let root = OwnedFd::from(root);
        // A recursion of 400 levels does not fit in 32 KiB; the loop does.
        let removed = std::thread::Builder::new()
            .stack_size(32 * 1024)
            .spawn(move || remove(&root, c"stray"))
            .expect("thread")
            .join()
            .expect("no overflow");
        assert_eq!(removed, Ok(()));
        assert!(!site.path().join("stray").exists());
    }
}
