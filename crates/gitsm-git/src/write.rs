//! Writing files atomically: a temp file in the same folder, then a rename,
//! so a reader or a crash never sees half a record. New files get the
//! usual permissions (the process umask applies); a replaced file keeps
//! its own.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Replace (or create) `path` with `contents`.
pub fn atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    atomic_with(path, |file| file.write_all(contents))
}

/// Replace (or create) `path` with what `fill` writes (through a buffer):
/// a large file is never held whole in memory.
pub fn atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    stage(path, fill)?.replace()
}

/// Write what `fill` writes (through a buffer) into a new temp file beside
/// `path`, of its own name (writers at once never share one), which
/// [`Prepared::replace`] puts in its place later with the permissions of
/// the file it replaces: files written together, put in place once every
/// one is written.
pub fn stage(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<Prepared> {
    // A link in its place is replaced, and its target's mode not taken.
    let keep = std::fs::symlink_metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.permissions());
    let (tmp, file) = temp_beside(path)?;
    fill_temp(&tmp, file, fill, |_, file| match keep {
        Some(permissions) => file.set_permissions(permissions),
        None => Ok(()),
    })?;
    Ok(Prepared {
        tmp: Some(tmp),
        path: path.to_owned(),
    })
}

/// A file written by [`prepare`] or [`stage`], not yet in its place.
#[derive(Debug)]
pub struct Prepared {
    tmp: Option<PathBuf>,
    path: PathBuf,
}

impl Prepared {
    /// Put the file in its place (replacing what was there).
    pub fn replace(mut self) -> std::io::Result<()> {
        match self.tmp.take() {
            Some(tmp) => std::fs::rename(&tmp, &self.path).inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            }),
            None => Ok(()),
        }
    }
}

impl Drop for Prepared {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Write what `fill` writes (through a buffer) into a temp file beside
/// `path`, which [`Prepared::replace`] puts in its place later: a file
/// written while what it describes is at hand, and put in place once
/// that is done. Dropped unused, the temp file is removed. For a file
/// one writer at a time writes (its callers hold a lock): the temp file
/// has one name (`<name>.tmp`), so one a killed writer left is written
/// over by the next, never piled up beside it.
pub fn prepare(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<Prepared> {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    if let Some(dir) = tmp.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Removed and made anew (never opened through whatever stands there,
    // a symlink included).
    remove_if_present(&tmp)?;
    let file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
    fill_temp(&tmp, file, fill, |_, _| Ok(()))?;
    Ok(Prepared {
        tmp: Some(tmp),
        path: path.to_owned(),
    })
}

/// Open one of gitsm's own files (a lock, a cache, a clock in the Git
/// directory) with `options`, only as the regular file gitsm made: a
/// symbolic link in its place is not followed (nothing is read, written
/// or truncated where it points), a pipe is not waited on, and anything
/// but a regular file is an error.
pub fn open_own(path: &Path, options: &mut OpenOptions) -> std::io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENXIO)) {
            return not_regular(path);
        }
        e
    })?;
    if !file.metadata()?.is_file() {
        return Err(not_regular(path));
    }
    Ok(file)
}

/// `path` is a link, a pipe or a folder where gitsm keeps a file.
fn not_regular(path: &Path) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("{} is not a regular file", path.display()),
    )
}

/// Remove the file at `path`; one missing already is fine.
pub fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Create `path` with `contents`; fails if it already exists.
pub fn create_new(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    with_temp(
        path,
        |file| file.write_all(contents),
        |tmp, _| {
            // A hard link fails when `path` exists: no clobbering, no window.
            std::fs::hard_link(tmp, path)?;
            std::fs::remove_file(tmp)
        },
    )
}

/// The folder `path` is in: its parent, or `.` for a name with none
/// (`report.html`, whose parent is the empty path).
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Remove the temp files (`.gitsm-<pid>-<n>.tmp`, [`temp_file_pid`])
/// that this user's runs killed part way left in `dir`: those whose
/// process is gone. A temp file of a run still writing (its process
/// alive: another command writing into the same folder, this one
/// included) is left to it, and so is another user's. Processes are
/// those this one can see: a run of this user's in another PID namespace
/// (another container, another host sharing the folder) counts as gone,
/// and the write it was making fails at its rename (nothing is written
/// half-way).
pub fn sweep(dir: &Path) {
    #[cfg(unix)]
    {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        if let Ok(folder) = rustix::fs::open(dir, flags, Mode::empty()) {
            sweep_in(&folder);
        }
    }
    #[cfg(not(unix))]
    {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if left_by_a_dead_run(&name.to_string_lossy())
                && entry.file_type().is_ok_and(|t| t.is_file())
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// [`sweep`] in an open folder: each temp file is looked at and removed
/// by its name in that folder, never by a path. A folder swapped for a
/// symlink (or renamed) after it was opened is still the one swept:
/// nothing of the same name elsewhere is removed. Only a regular file
/// this user owns goes: in a shared folder (`/tmp`), another user's file
/// of the same name stays, even for root.
#[cfg(unix)]
fn sweep_in(folder: &impl rustix::fd::AsFd) {
    use rustix::fs::{AtFlags, Dir, FileType};
    let Ok(entries) = Dir::read_from(folder) else {
        return;
    };
    let me = rustix::process::geteuid().as_raw();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let own_file = || {
            rustix::fs::statat(folder, name, AtFlags::SYMLINK_NOFOLLOW).is_ok_and(|s| {
                FileType::from_raw_mode(s.st_mode) == FileType::RegularFile && s.st_uid == me
            })
        };
        if name.to_str().is_ok_and(left_by_a_dead_run) && own_file() {
            let _ = rustix::fs::unlinkat(folder, name, AtFlags::empty());
        }
    }
}

/// Whether `name` is a temp file of gitsm's whose run is gone.
fn left_by_a_dead_run(name: &str) -> bool {
    temp_file_pid(name).is_some_and(writer_gone)
}

/// The process id in the name of a temp file of gitsm's,
/// `.gitsm-<pid>-<tag>.tmp`: the pid written as a process id is (decimal
/// digits, no sign, no leading zero), the tag letters and digits (the
/// counter of [`temp_beside`], or the random name of a temp file an
/// export or a hook makes). `None` for any other name: not gitsm's, and
/// never swept.
fn temp_file_pid(name: &str) -> Option<u32> {
    let (pid, tag) = name
        .strip_prefix(".gitsm-")?
        .strip_suffix(".tmp")?
        .split_once('-')?;
    let decimal = pid.bytes().all(|b| b.is_ascii_digit()) && !pid.starts_with('0');
    let tagged = !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_alphanumeric());
    if decimal && tagged {
        pid.parse().ok()
    } else {
        None
    }
}

/// Whether the process `pid` that named a temp file is gone. This one is
/// not; a process of another user is taken as alive (it may be writing);
/// a process id reused since counts as alive too, and the file waits for
/// a later sweep. A number no process can have is no run's: its file is
/// not gitsm's, and stays.
fn writer_gone(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    #[cfg(unix)]
    {
        let Some(pid) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        else {
            return false;
        };
        rustix::process::test_kill_process(pid) == Err(rustix::io::Errno::SRCH)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Write a new temp file beside `path` with `fill`, then `finish` it; the
/// temp file is removed if anything fails.
fn with_temp(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    finish: impl FnOnce(&Path, &File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let (tmp, file) = temp_beside(path)?;
    fill_temp(&tmp, file, fill, finish)
}

/// Fill the temp file `tmp` (open as `file`) and `finish` with it; on
/// failure it is removed.
fn fill_temp(
    tmp: &Path,
    file: File,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    finish: impl FnOnce(&Path, &File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, file);
    let result = fill(&mut buffered)
        .and_then(|()| buffered.flush())
        .and_then(|()| {
            let file = buffered.get_ref();
            file.sync_all()?;
            finish(tmp, file)
        });
    if result.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    result
}

/// A new file `.gitsm-<pid>-<n>.tmp` in `path`'s folder, created with the
/// default mode (0666 less the umask).
fn temp_beside(path: &Path) -> std::io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = folder_of(path);
    std::fs::create_dir_all(dir)?;
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".gitsm-{}-{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < u32::MAX => continue,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_replaces_and_refuses_to_clobber() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a/INC-0001.yaml");
        create_new(&path, b"one\n").expect("create");
        assert!(create_new(&path, b"two\n").is_err());
        assert_eq!(std::fs::read(&path).expect("read"), b"one\n");
        atomic(&path, b"three\n").expect("replace");
        assert_eq!(std::fs::read(&path).expect("read"), b"three\n");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
            .expect("list")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        std::fs::write(&path, "x").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        atomic(&path, b"y").expect("replace");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    /// The temp files in `dir`.
    fn temps_in(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .expect("list")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .count()
    }

    /// The id of a process that ran and is gone (reaped).
    #[cfg(unix)]
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().expect("true");
        let pid = child.id();
        child.wait().expect("wait");
        pid
    }

    #[test]
    fn a_bare_name_is_in_the_current_folder() {
        assert_eq!(folder_of(Path::new("report.html")), Path::new("."));
        assert_eq!(folder_of(Path::new("out/report.html")), Path::new("out"));
        assert_eq!(folder_of(Path::new("/report.html")), Path::new("/"));
        assert_eq!(folder_of(Path::new("/")), Path::new("."));
    }

    #[cfg(unix)]
    #[test]
    fn a_sweep_removes_what_dead_runs_left_and_keeps_what_live_ones_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        // A run alive (blocked on its input until it is closed).
        let mut live = std::process::Command::new("cat")
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("cat");
        let names = [
            (format!(".gitsm-{}-0.tmp", dead_pid()), false),
            (format!(".gitsm-{}-3.tmp", live.id()), true),
            (format!(".gitsm-{}-1.tmp", std::process::id()), true),
            (format!(".gitsm-{}-exportAb12.tmp", dead_pid()), false),
            // Named like gitsm's temp files, but none is.
            (".gitsm-notapid-0.tmp".to_owned(), true),
            (".gitsm-notes.tmp".to_owned(), true),
            (".gitsm-.tmp".to_owned(), true),
            (".gitsm-0-0.tmp".to_owned(), true),
            (format!(".gitsm-0{}-0.tmp", dead_pid()), true),
            (format!(".gitsm-+{}-0.tmp", dead_pid()), true),
            (format!(".gitsm-{}-.tmp", dead_pid()), true),
            (format!(".gitsm-{}-a.b.tmp", dead_pid()), true),
            (".gitsm-99999999999-0.tmp".to_owned(), true),
            // Not a temp file of gitsm's.
            ("INC-0001.yaml".to_owned(), true),
            (".gitsm-1-0.yaml".to_owned(), true),
        ];
        for (name, _) in &names {
            std::fs::write(dir.path().join(name), "x").expect("write");
        }
        sweep(dir.path());
        drop(live.stdin.take());
        live.wait().expect("wait");
        for (name, kept) in &names {
            assert_eq!(dir.path().join(name).exists(), *kept, "{name}");
        }
    }

    /// The folder swept is swapped for a symlink to another folder once
    /// it is open (as another user's process could between a listing and
    /// a removal): the temp file of the same name in the other folder
    /// stays, and the one in the folder opened goes.
    #[cfg(unix)]
    #[test]
    fn attack_a_folder_swapped_for_a_symlink_mid_sweep_loses_nothing_elsewhere() {
        use rustix::fs::{Mode, OFlags};
        let root = tempfile::tempdir().expect("tempdir");
        let (swept, moved, elsewhere) = (
            root.path().join("site"),
            root.path().join("site-moved"),
            root.path().join("elsewhere"),
        );
        let name = format!(".gitsm-{}-0.tmp", dead_pid());
        for dir in [&swept, &elsewhere] {
            std::fs::create_dir(dir).expect("mkdir");
            std::fs::write(dir.join(&name), "x").expect("write");
        }
        let folder = rustix::fs::open(&swept, OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty())
            .expect("open");
        std::fs::rename(&swept, &moved).expect("rename");
        std::os::unix::fs::symlink(&elsewhere, &swept).expect("symlink");
        sweep_in(&folder);
        assert!(
            elsewhere.join(&name).exists(),
            "a file elsewhere was removed"
        );
        assert!(
            !moved.join(&name).exists(),
            "the folder opened was not swept"
        );
    }

    /// In a shared folder (`/tmp`), a dead run's temp file of another
    /// user's stays, though root sweeps: a sweep removes only its own
    /// user's files. (Only root can give a file to another user: the
    /// test needs it, and checks nothing without.)
    #[cfg(unix)]
    #[test]
    fn attack_another_user_s_temp_file_in_a_shared_folder_stays() {
        let me = rustix::process::geteuid();
        if !me.is_root() {
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let (theirs, mine) = (
            dir.path().join(format!(".gitsm-{}-0.tmp", dead_pid())),
            dir.path().join(format!(".gitsm-{}-1.tmp", dead_pid())),
        );
        for file in [&theirs, &mine] {
            std::fs::write(file, "x").expect("write");
        }
        let nobody = rustix::process::Uid::from_raw(65534);
        rustix::fs::chown(&theirs, Some(nobody), None).expect("chown");
        sweep(dir.path());
        assert!(theirs.exists(), "another user's file was removed");
        assert!(!mine.exists(), "this user's dead run's file stayed");
    }

    #[test]
    fn a_prepared_file_takes_its_place_only_when_told() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("site.manifest");
        std::fs::write(&path, "old").expect("write");
        let temps = || temps_in(dir.path());
        // What a writer killed part-way left: written over.
        std::fs::write(dir.path().join("site.manifest.tmp"), "torn").expect("torn");
        assert_eq!(temps(), 1);
        let prepared = prepare(&path, |w| w.write_all(b"new")).expect("prepare");
        assert_eq!(std::fs::read(&path).expect("read"), b"old");
        assert_eq!(temps(), 1);
        prepared.replace().expect("replace");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        assert_eq!(temps(), 0);
        // Dropped unused: the file stays as it was, no temp file is left.
        drop(prepare(&path, |w| w.write_all(b"newer")).expect("prepare"));
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        assert_eq!(temps(), 0);
        // A fill that fails leaves nothing either.
        let failed = prepare(&path, |_| Err(std::io::ErrorKind::Other.into()));
        assert!(failed.is_err());
        assert_eq!(temps(), 0);
    }

    #[test]
    fn staged_files_take_their_places_when_told_each_from_its_own_temp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a.csv");
        let b = dir.path().join("b.csv");
        std::fs::write(&a, "old a").expect("write");
        let temps = || temps_in(dir.path());
        // Two writers of one file at once do not share a temp file.
        let first = stage(&a, |w| w.write_all(b"new a")).expect("stage");
        let second = stage(&a, |w| w.write_all(b"other a")).expect("stage");
        let other = stage(&b, |w| w.write_all(b"new b")).expect("stage");
        assert_eq!(temps(), 3);
        assert_eq!(std::fs::read(&a).expect("read"), b"old a");
        assert!(!b.exists(), "nothing in place before it is told");
        drop(second);
        first.replace().expect("replace");
        other.replace().expect("replace");
        assert_eq!(std::fs::read(&a).expect("read"), b"new a");
        assert_eq!(std::fs::read(&b).expect("read"), b"new b");
        assert_eq!(temps(), 0);
    }
}
