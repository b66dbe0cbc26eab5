//! Git hooks that run `gitsm validate`: where they go, what they say, and
//! installing them without clobbering anyone else's.
//!
//! A hook gitsm wrote carries [`MARKER`]; any other file at a hook's path is
//! a *foreign* hook, replaced only when asked to (and then kept as a backup).

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use git2::{ErrorCode, Repository};

use crate::{config, git, workspace};

/// The comment line that marks a hook as written by gitsm.
pub const MARKER: &str = "# installed by gitsm hooks install";

/// Suffix of the copy kept of a foreign hook that `--force` replaced.
pub const BACKUP_SUFFIX: &str = ".gitsm-backup";

/// The hooks gitsm installs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// `validate --staged` before each commit.
    PreCommit,
    /// `validate --range` over the commits each pushed ref adds.
    PrePush,
}

impl Hook {
    pub const ALL: [Hook; 2] = [Hook::PreCommit, Hook::PrePush];

    /// The file name Git runs.
    pub fn file_name(self) -> &'static str {
        match self {
            Hook::PreCommit => "pre-commit",
            Hook::PrePush => "pre-push",
        }
    }
}

/// Why hooks could not be located, installed or removed.
#[derive(Debug, thiserror::Error)]
pub enum HooksError {
    #[error("not inside a Git repository: {}", .0.display())]
    NotInRepository(PathBuf),
    #[error("{} is a bare repository: hooks need a work tree", .0.display())]
    Bare(PathBuf),
    #[error("not a gitsm repository (or any parent up to /): no {file} found", file = config::FILE_NAME)]
    NoManagedRoot,
    #[error(
        "the managed root {} is outside the Git work tree {}",
        root.display(),
        work_tree.display()
    )]
    OutsideWorkTree { root: PathBuf, work_tree: PathBuf },
    #[error("the path {} is not valid UTF-8 and cannot be written into a hook", .0.display())]
    NotUtf8(PathBuf),
    #[error("cannot read the Git config: {0}")]
    Config(String),
    /// Files at hook paths that gitsm did not write.
    #[error("{} not written by gitsm", list(.0))]
    Foreign(Vec<PathBuf>),
    #[error("{} is a directory, not a hook", .0.display())]
    NotAFile(PathBuf),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn list(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    match names.len() {
        1 => format!("{} is", names[0]),
        _ => format!("{} are", names.join(" and ")),
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HooksError + '_ {
    move |source| HooksError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where the hooks of a managed repository go and what they run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookTarget {
    /// The folder Git runs hooks from.
    pub dir: PathBuf,
    /// The managed root relative to the top of the work tree (`.` at the
    /// top, `/`-separated): the hooks run there and pass it to `-C`.
    pub root: String,
}

/// The hooks folder and managed root for a command started in `start`.
pub fn locate(start: &Path) -> Result<HookTarget, HooksError> {
    let repo = git::open(start).ok_or_else(|| HooksError::NotInRepository(start.to_path_buf()))?;
    let Some(work_tree) = repo.workdir().map(Path::to_path_buf) else {
        return Err(HooksError::Bare(repo.path().to_path_buf()));
    };
    let root = workspace::find_root(start).ok_or(HooksError::NoManagedRoot)?;
    let prefix = git::prefix(&repo, &root).ok_or_else(|| HooksError::OutsideWorkTree {
        root: root.clone(),
        work_tree: work_tree.clone(),
    })?;
    Ok(HookTarget {
        dir: hooks_dir(&repo)?,
        root: slash_path(&prefix)?,
    })
}

/// The folder Git runs hooks from: `core.hooksPath` (relative to the top of
/// the work tree) when set, else the `hooks/` folder of the repository (the
/// common one, shared by linked worktrees).
pub fn hooks_dir(repo: &Repository) -> Result<PathBuf, HooksError> {
    let config = repo
        .config()
        .and_then(|mut c| c.snapshot())
        .map_err(|e| HooksError::Config(e.message().to_owned()))?;
    match config.get_path("core.hooksPath") {
        Ok(p) if !p.as_os_str().is_empty() => Ok(if p.is_absolute() {
            p
        } else {
            // Hooks run at the top of the work tree (in the git dir of a bare one).
            repo.workdir().unwrap_or_else(|| repo.path()).join(p)
        }),
        Ok(_) => Ok(repo.commondir().join("hooks")),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(repo.commondir().join("hooks")),
        Err(e) => Err(HooksError::Config(format!(
            "core.hooksPath: {}",
            e.message()
        ))),
    }
}

fn slash_path(prefix: &Path) -> Result<String, HooksError> {
    let mut parts = Vec::new();
    for c in prefix.components() {
        match c {
            Component::Normal(s) => parts.push(
                s.to_str()
                    .ok_or_else(|| HooksError::NotUtf8(prefix.to_path_buf()))?,
            ),
            Component::CurDir => {}
            _ => return Err(HooksError::NotUtf8(prefix.to_path_buf())),
        }
    }
    Ok(if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    })
}

/// `s` quoted for a POSIX shell.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The hook script: POSIX sh. `root` is the managed root relative to the
/// top of the work tree; `fallback` the gitsm binary to use when none is on
/// `PATH` (normally the one installing the hook).
pub fn script(hook: Hook, root: &str, fallback: Option<&Path>) -> String {
    let root_file = if root == "." {
        config::FILE_NAME.to_owned()
    } else {
        format!("{root}/{}", config::FILE_NAME)
    };
    let fallback = fallback.and_then(Path::to_str);
    let mut s = String::from("#!/bin/sh\n");
    s.push_str(MARKER);
    s.push('\n');
    s.push_str(match hook {
        Hook::PreCommit => {
            "# Refuses a commit whose staged records fail `gitsm validate --staged`.\n\
             # `git commit --no-verify` skips it once.\n"
        }
        Hook::PrePush => {
            "# Refuses a push whose new commits fail `gitsm validate --range`.\n\
             # `git push --no-verify` skips it once.\n"
        }
    });
    s.push_str(
        "# Re-run `gitsm hooks install` to update this file, `gitsm hooks uninstall`\n\
         # to remove it; edits are lost on update.\n\n",
    );
    s.push_str(&format!(
        "root={}\nroot_file={}\n",
        sh_quote(root),
        sh_quote(&root_file)
    ));
    s.push_str("gitsm=gitsm\nif ! command -v gitsm >/dev/null 2>&1; then\n");
    match fallback {
        Some(exe) => s.push_str(&format!(
            "    gitsm={}\n    if [ ! -x \"$gitsm\" ]; then\n        \
             echo \"gitsm hook: gitsm is not on PATH nor at $gitsm; install it, or skip the hook with --no-verify\" >&2\n        \
             exit 1\n    fi\n",
            sh_quote(exe)
        )),
        None => s.push_str(
            "    echo \"gitsm hook: gitsm is not on PATH; install it, or skip the hook with --no-verify\" >&2\n    \
             exit 1\n",
        ),
    }
    s.push_str("fi\n\n");
    match hook {
        Hook::PreCommit => s.push_str(PRE_COMMIT_BODY),
        Hook::PrePush => s.push_str(PRE_PUSH_BODY),
    }
    s
}

const PRE_COMMIT_BODY: &str = r#"# A branch without the managed repository has nothing to check.
if [ ! -f "$root_file" ] && ! git cat-file -e "HEAD:$root_file" 2>/dev/null; then
    exit 0
fi
exec "$gitsm" -C "$root" validate --staged
"#;

const PRE_PUSH_BODY: &str = r#"# A work tree without the managed repository has nothing to check.
[ -f "$root_file" ] || exit 0

remote="$1"
status=0
# One line per pushed ref: <local ref> <local sha> <remote ref> <remote sha>.
while read -r local_ref local_sha remote_ref remote_sha; do
    case "$local_sha" in
        *[!0]*) ;;
        *) continue ;; # a deletion: nothing to check
    esac
    range=
    case "$remote_sha" in
        *[!0]*)
            if git cat-file -e "$remote_sha^{commit}" 2>/dev/null </dev/null; then
                range="$remote_sha..$local_sha"
            fi
            ;;
    esac
    if [ -z "$range" ]; then
        # A new branch (or a remote tip not fetched): the first-parent
        # commits not yet on the remote, from the parent of the oldest.
        if ! new=$(git rev-list --first-parent "$local_sha" --not --remotes="$remote" </dev/null); then
            echo "gitsm hook: cannot list the commits of $local_ref" >&2
            status=1
            continue
        fi
        [ -n "$new" ] || continue
        oldest=$(printf '%s\n' "$new" | tail -n 1)
        if parent=$(git rev-parse -q --verify "$oldest^" 2>/dev/null </dev/null); then
            range="$parent..$local_sha"
        else
            range="$local_sha" # a root commit: all its first-parent history
        fi
    fi
    if ! "$gitsm" -C "$root" validate --range "$range" </dev/null; then
        echo "gitsm hook: $local_ref -> $remote_ref refused (gitsm validate --range $range)" >&2
        status=1
    fi
done
exit $status
"#;

/// Whether a hook file's contents were written by gitsm.
pub fn is_ours(contents: &[u8]) -> bool {
    contents
        .split(|b| *b == b'\n')
        .any(|line| line.strip_suffix(b"\r").unwrap_or(line) == MARKER.as_bytes())
}

/// What is at a hook's path now.
#[derive(Debug)]
enum Existing {
    Missing,
    Ours { contents: Vec<u8>, executable: bool },
    Foreign,
}

fn existing(path: &Path) -> Result<Existing, HooksError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Missing),
        Err(e) => return Err(io(path)(e)),
    };
    if meta.is_dir() {
        return Err(HooksError::NotAFile(path.to_path_buf()));
    }
    if meta.is_symlink() {
        // A link (another hook manager's, or a dangling one) is never ours.
        return Ok(Existing::Foreign);
    }
    let contents = std::fs::read(path).map_err(io(path))?;
    if is_ours(&contents) {
        Ok(Existing::Ours {
            contents,
            executable: is_executable(&meta),
        })
    } else {
        Ok(Existing::Foreign)
    }
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o100 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &std::fs::Metadata) -> bool {
    true
}

/// What installing one hook did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installed {
    /// There was no hook.
    Created,
    /// Our hook was already there, byte for byte.
    UpToDate,
    /// Our hook was there with other contents (another version, another root).
    Updated,
    /// A foreign hook was replaced (`force`); it was moved to `backup`.
    Replaced { backup: PathBuf },
}

/// One hook as installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledHook {
    pub hook: Hook,
    pub path: PathBuf,
    pub outcome: Installed,
}

/// Write the hooks into `dir` (created if missing). Nothing is written when a
/// foreign hook is in the way and `force` is false.
pub fn install(
    dir: &Path,
    scripts: &[(Hook, String)],
    force: bool,
) -> Result<Vec<InstalledHook>, HooksError> {
    let mut plan = Vec::new();
    let mut foreign = Vec::new();
    for (hook, text) in scripts {
        let path = dir.join(hook.file_name());
        let now = existing(&path)?;
        if matches!(now, Existing::Foreign) {
            foreign.push(path.clone());
        }
        plan.push((*hook, path, text, now));
    }
    if !foreign.is_empty() && !force {
        return Err(HooksError::Foreign(foreign));
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut done = Vec::new();
    for (hook, path, text, now) in plan {
        let outcome = match now {
            Existing::Ours {
                contents,
                executable: true,
            } if contents == text.as_bytes() => Installed::UpToDate,
            Existing::Ours { .. } => {
                write_executable(&path, text.as_bytes())?;
                Installed::Updated
            }
            Existing::Missing => {
                write_executable(&path, text.as_bytes())?;
                Installed::Created
            }
            Existing::Foreign => {
                let backup = free_backup_path(&path)?;
                std::fs::rename(&path, &backup).map_err(io(&path))?;
                write_executable(&path, text.as_bytes())?;
                Installed::Replaced { backup }
            }
        };
        done.push(InstalledHook {
            hook,
            path,
            outcome,
        });
    }
    Ok(done)
}

/// `<hook>.gitsm-backup`, or `<hook>.gitsm-backup.N` when that is taken.
fn free_backup_path(path: &Path) -> Result<PathBuf, HooksError> {
    let base = format!("{}{BACKUP_SUFFIX}", path.display());
    let candidates = std::iter::once(PathBuf::from(&base))
        .chain((1..1000).map(|n| PathBuf::from(format!("{base}.{n}"))));
    for candidate in candidates {
        match std::fs::symlink_metadata(&candidate) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(candidate),
            Err(e) => return Err(io(&candidate)(e)),
            Ok(_) => {}
        }
    }
    Err(HooksError::Io {
        path: PathBuf::from(base),
        source: std::io::Error::other("too many backups; remove some"),
    })
}

/// Atomically replace `path` with an executable (0755) file.
fn write_executable(path: &Path, contents: &[u8]) -> Result<(), HooksError> {
    let dir = crate::write::folder_of(path);
    // Named as every temp file of gitsm's: a sweep leaves it while this
    // run is alive ([`crate::write::sweep`]).
    let prefix = format!(".gitsm-{}-", std::process::id());
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io(dir))?;
    tmp.write_all(contents).map_err(io(tmp.path()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o755))
            .map_err(io(path))?;
    }
    tmp.as_file().sync_all().map_err(io(path))?;
    tmp.persist(path).map_err(|e| io(path)(e.error))?;
    Ok(())
}

/// What uninstalling one hook did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removed {
    /// Our hook was removed.
    Removed,
    /// There was no hook.
    Absent,
    /// A foreign hook was left alone.
    Foreign,
}

/// One hook as uninstalled, with the backups `--force` left beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedHook {
    pub hook: Hook,
    pub path: PathBuf,
    pub outcome: Removed,
    pub backups: Vec<PathBuf>,
}

/// Remove the hooks gitsm wrote from `dir`; foreign hooks stay.
pub fn uninstall(dir: &Path) -> Result<Vec<RemovedHook>, HooksError> {
    let mut done = Vec::new();
    for hook in Hook::ALL {
        let path = dir.join(hook.file_name());
        let outcome = match existing(&path)? {
            Existing::Missing => Removed::Absent,
            Existing::Foreign => Removed::Foreign,
            Existing::Ours { .. } => {
                std::fs::remove_file(&path).map_err(io(&path))?;
                Removed::Removed
            }
        };
        done.push(RemovedHook {
            hook,
            backups: backups_of(dir, hook),
            path,
            outcome,
        });
    }
    Ok(done)
}

fn backups_of(dir: &Path, hook: Hook) -> Vec<PathBuf> {
    let prefix = format!("{}{BACKUP_SUFFIX}", hook.file_name());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            e.file_name().to_str().is_some_and(|n| {
                n == prefix
                    || n.strip_prefix(&prefix)
                        .and_then(|rest| rest.strip_prefix('.'))
                        .is_some_and(|num| num.parse::<u32>().is_ok())
            })
        })
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_carry_the_marker_and_quote_the_root() {
        for hook in Hook::ALL {
            let s = script(hook, "it's here", Some(Path::new("/opt/gitsm/bin/gitsm")));
            assert!(s.starts_with("#!/bin/sh\n"));
            assert!(is_ours(s.as_bytes()));
            assert!(s.contains(r"root='it'\''s here'"), "{s}");
            assert!(s.contains("root_file='it'\\''s here/gitsm.yaml'"), "{s}");
            assert!(s.contains("gitsm='/opt/gitsm/bin/gitsm'"), "{s}");
        }
        let top = script(Hook::PreCommit, ".", None);
        assert!(top.contains("root_file='gitsm.yaml'"), "{top}");
        assert!(!top.contains("gitsm='"), "{top}");
    }

    #[test]
    fn the_marker_must_be_a_whole_line() {
        assert!(is_ours(
            b"#!/bin/sh\r\n# installed by gitsm hooks install\r\n"
        ));
        assert!(!is_ours(
            b"#!/bin/sh\necho '# installed by gitsm hooks install'\n"
        ));
        assert!(!is_ours(b"#!/bin/sh\nexit 0\n"));
    }

    #[test]
    fn slash_paths() {
        assert_eq!(slash_path(Path::new("")).ok(), Some(".".to_owned()));
        assert_eq!(
            slash_path(Path::new("ops/itsm")).ok(),
            Some("ops/itsm".to_owned())
        );
    }

    #[test]
    fn sh_quoting() {
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("a'b"), r"'a'\''b'");
    }
}
