//! `gitsm hooks install`: where the hooks go, what they run, that foreign
//! hooks are respected, and that real `git commit` / `git push` runs fire
//! them. Also the shipped `.pre-commit-hooks.yaml`, through the real
//! pre-commit framework when it is installed.

#![cfg(unix)]

use crate::common;

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{NOW, Sandbox, VALID_INCIDENT, bin, hermetic};

/// An incident with a schema error: an unknown key.
const BAD_INCIDENT: &str = "\
id: INC-0001
title: VPN down
status: new
created_at: 2026-11-20T09:00:00+01:00
reported_by: someone@example.com
impact: high
urgency: high
colour: red
";

/// A Git repository `mono` whose managed root is its subfolder `itsm/`.
fn monorepo(sb: &Sandbox) -> (PathBuf, PathBuf) {
    let top = sb.git_repo("mono");
    let root = top.join("itsm");
    std::fs::create_dir_all(&root).expect("itsm/");
    sb.gitsm(&root, ["init"]).expect_code(0);
    (top, root)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn text(path: &Path) -> String {
    String::from_utf8(read(path)).expect("UTF-8 hook")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[track_caller]
fn assert_hooks_for_root(dir: &Path, root: &str) {
    let pre_commit = dir.join("pre-commit");
    let pre_push = dir.join("pre-push");
    for hook in [&pre_commit, &pre_push] {
        assert_eq!(mode(hook), 0o755, "{} is not 0755", hook.display());
        let t = text(hook);
        assert!(t.starts_with("#!/bin/sh\n"), "{t}");
        assert!(
            t.lines().any(|l| l == "# installed by gitsm hooks install"),
            "{t}"
        );
        assert!(t.contains(&format!("root='{root}'\n")), "{t}");
        assert!(t.contains("-C \"$root\""), "{t}");
    }
    assert!(text(&pre_commit).contains("validate --staged"));
    assert!(text(&pre_push).contains("validate --range \"$range\""));
}

// ---------------------------------------------------------------- install

#[test]
fn install_writes_both_hooks_for_a_subfolder_root() {
    let sb = Sandbox::new();
    let (top, root) = monorepo(&sb);
    // From deep inside the managed root: the -C path is still relative to the top.
    let run = sb.gitsm(&root.join("incidents"), ["hooks", "install"]);
    run.expect_code(0).stderr_has("installed");
    assert_hooks_for_root(&top.join(".git/hooks"), "itsm");
    // The binary that installed them is the fallback when none is on PATH.
    assert!(text(&top.join(".git/hooks/pre-commit")).contains(&format!("gitsm='{}'", bin())));
}

#[test]
fn install_at_the_top_runs_gitsm_at_the_top() {
    let sb = Sandbox::new();
    let top = sb.git_repo("repo");
    sb.gitsm(&top, ["init"]).expect_code(0);
    sb.gitsm(&top, ["hooks", "install"]).expect_code(0);
    assert_hooks_for_root(&top.join(".git/hooks"), ".");
}

#[test]
fn install_twice_is_idempotent() {
    let sb = Sandbox::new();
    let (top, root) = monorepo(&sb);
    sb.gitsm(&root, ["hooks", "install"]).expect_code(0);
    let first = [
        read(&top.join(".git/hooks/pre-commit")),
        read(&top.join(".git/hooks/pre-push")),
    ];
    let run = sb.gitsm(&root, ["hooks", "install"]);
    run.expect_code(0).stderr_has("up to date");
    assert!(!run.stderr.contains("installed"), "{run}");
    let second = [
        read(&top.join(".git/hooks/pre-commit")),
        read(&top.join(".git/hooks/pre-push")),
    ];
    assert_eq!(first, second);
}

#[test]
fn install_updates_its_own_outdated_hook() {
    let sb = Sandbox::new();
    let (top, root) = monorepo(&sb);
    sb.gitsm(&root, ["hooks", "install"]).expect_code(0);
    let hook = top.join(".git/hooks/pre-commit");
    let fresh = read(&hook);
    // An older version of our hook: marker present, other contents, not executable.
    std::fs::write(
        &hook,
        "#!/bin/sh\n# installed by gitsm hooks install\nexit 0\n",
    )
    .expect("write");
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let run = sb.gitsm(&root, ["hooks", "install"]);
    run.expect_code(0).stderr_has("updated");
    assert!(!run.stderr.contains("foreign"), "{run}");
    assert_eq!(read(&hook), fresh);
    assert_eq!(mode(&hook), 0o755);
}

#[test]
fn a_foreign_hook_is_refused_and_left_untouched() {
    let sb = Sandbox::new();
    let (top, root) = monorepo(&sb);
    let hooks = top.join(".git/hooks");
    let foreign = b"#!/bin/sh\n# my own checks\nexec make lint\n";
    common::write_file(&hooks, "pre-commit", foreign);
    let run = sb.gitsm(&root, ["hooks", "install"]);
    run.expect_code(2)
        .stderr_has(".git/hooks/pre-commit")
        .stderr_has("--force");
    assert_eq!(read(&hooks.join("pre-commit")), foreign);
    // Nothing at all was written: not even the hook that was free.
    assert!(!hooks.join("pre-push").exists(), "{run}");
}

#[test]
fn force_replaces_a_foreign_hook_and_keeps_a_backup() {
    let sb = Sandbox::new();
    let (top, root) = monorepo(&sb);
    let hooks = top.join(".git/hooks");
    let foreign = b"#!/bin/sh\nexec make lint\n";
    common::write_file(&hooks, "pre-push", foreign);
    let run = sb.gitsm(&root, ["hooks", "install", "--force"]);
    run.expect_code(0)
        .stderr_has("replaced the foreign hook")
        .stderr_has("pre-push.gitsm-backup");
    assert_hooks_for_root(&hooks, "itsm");
    assert_eq!(read(&hooks.join("pre-push.gitsm-backup")), foreign);
    // Installing again is a no-op: our hooks are now in place.
    sb.gitsm(&root, ["hooks", "install"])
        .expect_code(0)
        .stderr_has("up to date");
}

#[test]
fn a_symlinked_hook_is_foreign() {
    let sb = Sandbox::new();
    let (top, root) = monorepo(&sb);
    let hooks = top.join(".git/hooks");
    let target = common::write_file(&top, "tools/hook.sh", "#!/bin/sh\nexit 0\n");
    std::os::unix::fs::symlink(&target, hooks.join("pre-commit")).expect("symlink");
    sb.gitsm(&root, ["hooks", "install"]).expect_code(2);
    sb.gitsm(&root, ["hooks", "install", "--force"])
        .expect_code(0);
    // The link was moved aside, not written through.
    assert_eq!(read(&target), b"#!/bin/sh\nexit 0\n");
    assert!(
        std::fs::symlink_metadata(hooks.join("pre-commit.gitsm-backup"))
            .expect("backup")
            .is_symlink()
    );
    assert_hooks_for_root(&hooks, "itsm");
}

#[test]
fn core_hooks_path_is_honoured_relative_to_the_top() {
    let sb = Sandbox::new();
    let (top, root) = monorepo(&sb);
    sb.git(&top, ["config", "core.hooksPath", ".githooks"]);
    sb.gitsm(&root, ["hooks", "install"]).expect_code(0);
    assert_hooks_for_root(&top.join(".githooks"), "itsm");
    assert!(!top.join(".git/hooks/pre-commit").exists());
    assert!(!root.join(".githooks").exists());
}

#[test]
fn a_linked_worktree_installs_into_the_common_hooks_folder() {
    let sb = Sandbox::new();
    let (top, _root) = monorepo(&sb);
    git_ok(&sb, &top, ["add", "-A"]);
    git_ok(&sb, &top, ["commit", "-q", "-m", "init"]);
    let linked = sb.dir("worktrees").join("linked");
    git_ok(
        &sb,
        &top,
        [
            "worktree".as_ref(),
            "add".as_ref(),
            "-q".as_ref(),
            linked.as_os_str(),
        ],
    );
    sb.gitsm(&linked.join("itsm"), ["hooks", "install"])
        .expect_code(0);
    assert_hooks_for_root(&top.join(".git/hooks"), "itsm");
    assert!(
        !linked.join(".git").is_dir(),
        "a linked worktree has a .git file"
    );
}

#[test]
fn outside_a_git_repository_is_a_usage_error() {
    let sb = Sandbox::new();
    let dir = sb.dir("plain");
    sb.gitsm(&dir, ["init"]).expect_code(0);
    sb.gitsm(&dir, ["hooks", "install"])
        .expect_code(2)
        .stderr_has("not inside a Git repository");
    assert!(!dir.join(".git").exists());
}

#[test]
fn without_a_managed_root_is_a_usage_error() {
    let sb = Sandbox::new();
    let top = sb.git_repo("repo");
    sb.gitsm(&top, ["hooks", "install"])
        .expect_code(2)
        .stderr_has("gitsm.yaml");
    assert!(!top.join(".git/hooks/pre-commit").exists());
}

#[test]
fn uninstall_removes_only_our_hooks() {
    let sb = Sandbox::new();
    let (top, root) = monorepo(&sb);
    let hooks = top.join(".git/hooks");
    sb.gitsm(&root, ["hooks", "install"]).expect_code(0);
    let foreign = b"#!/bin/sh\nexit 0\n";
    std::fs::write(hooks.join("pre-push"), foreign).expect("write");
    sb.gitsm(&root, ["hooks", "uninstall"])
        .expect_code(0)
        .stderr_has("removed")
        .stderr_has("left");
    assert!(!hooks.join("pre-commit").exists());
    assert_eq!(read(&hooks.join("pre-push")), foreign);
}

// ---------------------------------------------------------------- real git runs

/// `PATH` with the directory of the binary under test first, so hooks find it.
fn path_with_gitsm() -> OsString {
    let dir = Path::new(bin())
        .parent()
        .expect("binary folder")
        .to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(dir).chain(std::env::split_paths(&rest))).expect("PATH")
}

/// `PATH` without any folder holding a `gitsm`: hooks must use their fallback.
fn path_without_gitsm() -> OsString {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::env::split_paths(&rest).filter(|d| !d.join("gitsm").exists()))
        .expect("PATH")
}

/// Run git hermetically with `path` as PATH and fixed author and committer
/// dates; the result whatever the exit code.
fn git_with_path<I, S>(sb: &Sandbox, dir: &Path, path: &OsString, args: I) -> common::Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = Command::new("git");
    hermetic(&mut cmd, &sb.home());
    cmd.env("PATH", path)
        .env("GIT_AUTHOR_DATE", NOW)
        .env("GIT_COMMITTER_DATE", NOW)
        .current_dir(dir)
        .args(args);
    let out = cmd.output().expect("git starts");
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// git with the binary under test on PATH.
fn git_run<I, S>(sb: &Sandbox, dir: &Path, args: I) -> common::Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    git_with_path(sb, dir, &path_with_gitsm(), args)
}

/// git that must succeed; returns its stdout.
#[track_caller]
fn git_ok<I, S>(sb: &Sandbox, dir: &Path, args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let run = git_run(sb, dir, args);
    run.expect_code(0);
    run.stdout
}

/// A monorepo with its first commit, and the hooks installed.
fn committed_monorepo(sb: &Sandbox) -> (PathBuf, PathBuf) {
    let (top, root) = monorepo(sb);
    git_ok(sb, &top, ["add", "-A"]);
    git_ok(sb, &top, ["commit", "-q", "-m", "init"]);
    sb.gitsm(&root, ["hooks", "install"]).expect_code(0);
    (top, root)
}

fn commits(sb: &Sandbox, top: &Path) -> String {
    git_ok(sb, top, ["rev-list", "--count", "HEAD"])
        .trim()
        .to_owned()
}

fn committed_files(sb: &Sandbox, top: &Path) -> String {
    git_ok(sb, top, ["ls-tree", "-r", "--name-only", "HEAD"])
}

#[test]
fn the_pre_commit_hook_refuses_an_invalid_record_and_accepts_a_valid_one() {
    let sb = Sandbox::new();
    let (top, root) = committed_monorepo(&sb);
    common::write_file(&root, "incidents/INC-0001.yaml", BAD_INCIDENT);
    git_ok(&sb, &top, ["add", "-A"]);
    let run = git_run(&sb, &top, ["commit", "-q", "-m", "bad record"]);
    assert_ne!(run.code, 0, "the commit went through:\n{run}");
    run.stderr_has("INC-0001.yaml").stderr_has("colour");
    assert_eq!(commits(&sb, &top), "1");
    assert!(!committed_files(&sb, &top).contains("INC-0001"));

    common::write_file(&root, "incidents/INC-0001.yaml", VALID_INCIDENT);
    git_ok(&sb, &top, ["add", "-A"]);
    git_run(&sb, &top, ["commit", "-q", "-m", "good record"]).expect_code(0);
    assert_eq!(commits(&sb, &top), "2");
    assert!(committed_files(&sb, &top).contains("itsm/incidents/INC-0001.yaml"));

    // `commit -a` stages into a temporary index (GIT_INDEX_FILE): that is
    // what the hook must check, not the index as it was.
    common::write_file(&root, "incidents/INC-0001.yaml", BAD_INCIDENT);
    let run = git_run(&sb, &top, ["commit", "-q", "-a", "-m", "bad edit"]);
    assert_ne!(run.code, 0, "the commit went through:\n{run}");
    run.stderr_has("INC-0001.yaml");
    assert_eq!(commits(&sb, &top), "2");
}

#[test]
fn the_hook_falls_back_to_the_binary_that_installed_it() {
    let sb = Sandbox::new();
    let (top, root) = committed_monorepo(&sb);
    common::write_file(&root, "incidents/INC-0001.yaml", BAD_INCIDENT);
    git_ok(&sb, &top, ["add", "-A"]);
    let run = git_with_path(
        &sb,
        &top,
        &path_without_gitsm(),
        ["commit", "-q", "-m", "bad record"],
    );
    assert_ne!(run.code, 0, "the commit went through:\n{run}");
    run.stderr_has("INC-0001.yaml");
    assert_eq!(commits(&sb, &top), "1");
}

#[test]
fn the_pre_commit_hook_is_silent_where_there_is_no_managed_root() {
    let sb = Sandbox::new();
    let (top, root) = committed_monorepo(&sb);
    // A branch from before the managed repository existed.
    git_ok(&sb, &top, ["checkout", "-q", "--orphan", "old"]);
    git_ok(&sb, &top, ["rm", "-r", "-q", "--cached", "."]);
    std::fs::remove_dir_all(&root).expect("remove itsm/");
    common::write_file(&top, "README", "hello\n");
    git_ok(&sb, &top, ["add", "README"]);
    git_run(&sb, &top, ["commit", "-q", "-m", "unrelated"]).expect_code(0);
}

/// A fake `gitsm` first on PATH that logs its arguments: what the pre-push
/// hook asks to check, independently of `validate --range` itself.
fn fake_gitsm(sb: &Sandbox) -> (OsString, PathBuf) {
    let dir = sb.dir("fakebin");
    let log = sb.dir("log").join("calls");
    let script = format!("#!/bin/sh\necho \"$*\" >> '{}'\nexit 0\n", log.display());
    let exe = common::write_file(&dir, "gitsm", script);
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let path = std::env::join_paths(std::iter::once(dir).chain(std::env::split_paths(&rest)))
        .expect("PATH");
    (path, log)
}

fn calls(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_pre_push_hook_checks_the_commits_each_ref_adds() {
    let sb = Sandbox::new();
    let (top, root) = committed_monorepo(&sb);
    let (path, log) = fake_gitsm(&sb);
    let git = |args: &[&str]| {
        let run = git_with_path(&sb, &top, &path, args);
        run.expect_code(0);
        run.stdout.trim().to_owned()
    };
    let remote = sb.dir("remote.git");
    sb.git(&remote, ["init", "-q", "--bare"]);
    git(&["remote", "add", "origin", &remote.display().to_string()]);
    common::write_file(&root, "cis/web.yaml", "# placeholder\n");
    git(&["add", "-A"]);
    git(&["commit", "-q", "--no-verify", "-m", "c2"]);
    let c2 = git(&["rev-parse", "HEAD"]);

    // A new branch whose history starts at a root commit: all of it.
    git(&["push", "-q", "origin", "main"]);
    assert_eq!(
        calls(&log),
        [format!("-C itsm validate --range {c2}")],
        "first push of main"
    );

    // An update: from the remote's tip.
    common::write_file(&root, "cis/db.yaml", "# placeholder\n");
    git(&["add", "-A"]);
    git(&["commit", "-q", "--no-verify", "-m", "c3"]);
    let c3 = git(&["rev-parse", "HEAD"]);
    git(&["push", "-q", "origin", "main"]);
    assert_eq!(
        calls(&log)[1],
        format!("-C itsm validate --range {c2}..{c3}")
    );

    // A new branch off a pushed one: only the commits the remote lacks.
    git(&["checkout", "-q", "-b", "feature"]);
    common::write_file(&root, "cis/app.yaml", "# placeholder\n");
    git(&["add", "-A"]);
    git(&["commit", "-q", "--no-verify", "-m", "c4"]);
    let c4 = git(&["rev-parse", "HEAD"]);
    git(&["push", "-q", "origin", "feature"]);
    assert_eq!(
        calls(&log)[2],
        format!("-C itsm validate --range {c3}..{c4}")
    );

    // A new branch with nothing new: nothing to check.
    git(&["push", "-q", "origin", "main:other"]);
    // A deletion: nothing to check.
    git(&["push", "-q", "origin", ":feature"]);
    assert_eq!(calls(&log).len(), 3, "{:?}", calls(&log));
}

#[test]
fn the_pre_push_hook_refuses_a_commit_that_skipped_the_pre_commit_hook() {
    let sb = Sandbox::new();
    let (top, root) = committed_monorepo(&sb);
    let remote = sb.dir("remote.git");
    sb.git(&remote, ["init", "-q", "--bare"]);
    git_ok(
        &sb,
        &top,
        ["remote", "add", "origin", &remote.display().to_string()],
    );
    git_run(&sb, &top, ["push", "-q", "origin", "main"]).expect_code(0);
    let pushed = git_ok(&sb, &top, ["rev-parse", "HEAD"]);

    common::write_file(&root, "incidents/INC-0001.yaml", BAD_INCIDENT);
    git_ok(&sb, &top, ["add", "-A"]);
    git_ok(
        &sb,
        &top,
        ["commit", "-q", "--no-verify", "-m", "bad record"],
    );
    let run = git_run(&sb, &top, ["push", "-q", "origin", "main"]);
    assert_ne!(run.code, 0, "the push went through:\n{run}");
    run.stderr_has("INC-0001.yaml");
    assert_eq!(git_ok(&sb, &remote, ["rev-parse", "main"]), pushed);
}

// ---------------------------------------------------------------- pre-commit framework

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_pre_commit_manifest_limits_the_hook_to_managed_files() {
    let text = std::fs::read_to_string(manifest_dir().join(".pre-commit-hooks.yaml"))
        .expect(".pre-commit-hooks.yaml at the project root");
    let hooks: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid YAML");
    let hook = |id: &str| {
        hooks
            .as_sequence()
            .and_then(|s| s.iter().find(|h| h["id"].as_str() == Some(id)))
            .unwrap_or_else(|| panic!("no {id} hook"))
            .clone()
    };
    let (built, installed) = (hook("gitsm-validate"), hook("gitsm-validate-system"));
    assert_eq!(built["language"].as_str(), Some("rust"));
    assert_eq!(installed["language"].as_str(), Some("system"));
    for field in [
        "entry",
        "pass_filenames",
        "require_serial",
        "stages",
        "files",
    ] {
        assert_eq!(
            built[field], installed[field],
            "the two hooks differ in {field}"
        );
    }
    let hook = built;
    assert_eq!(hook["entry"].as_str(), Some("gitsm validate --staged"));
    assert_eq!(hook["pass_filenames"].as_bool(), Some(false));
    let files = regex::Regex::new(hook["files"].as_str().expect("files")).expect("a regex");
    for yes in [
        "incidents/INC-0001.yaml",
        "problems/PRB-0001.yaml",
        "changes/CHG-0001.yaml",
        "requests/REQ-0001.yaml",
        "cis/payments-api.yaml",
        "itsm/incidents/2026/INC-2026-0001.yaml",
        "gitsm.yaml",
        "ops/itsm/gitsm.yaml",
        "schemas/incident.schema.json",
        "itsm/schemas/gitsm.schema.json",
    ] {
        assert!(files.is_match(yes), "{yes} should run the hook");
    }
    for no in [
        "src/main.rs",
        "README.md",
        "incidents/notes.txt",
        "mygitsm.yaml",
        "gitsm.yaml.bak",
        "docs/incidents.yaml",
    ] {
        assert!(!files.is_match(no), "{no} should not run the hook");
    }
}

/// Whether `pre-commit` is installed; a failure when it is not and
/// GITSM_REQUIRE_TOOLS=1.
fn pre_commit_installed() -> bool {
    common::require_tool(&["pre-commit"], "pip install pre-commit").is_some()
}

/// This project's files (tracked, and new ones not ignored) committed to a
/// fresh repository. `pre-commit try-repo` clones the repository it is given;
/// on a dirty checkout its shadow copy takes modified and staged files but
/// not untracked ones, so a snapshot makes the test see the work tree as is.
fn project_snapshot(sb: &Sandbox) -> PathBuf {
    let project = manifest_dir();
    let listed = sb.git(
        &project,
        [
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    let snap = sb.dir("gitsm-src");
    for rel in listed.split('\0').filter(|r| !r.is_empty()) {
        let src = project.join(rel);
        if !src.is_file() {
            continue; // deleted in the work tree, or a submodule
        }
        let dst = snap.join(rel);
        if let Some(parent) = dst.parent() {
            std::fs::create_dir_all(parent).expect("snapshot folders");
        }
        std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("copy {rel}: {e}"));
    }
    sb.git(&snap, ["-c", "init.defaultBranch=main", "init", "-q"]);
    common::set_identity(&sb.home(), &snap);
    git_ok(sb, &snap, ["add", "-A"]);
    git_ok(sb, &snap, ["commit", "-q", "-m", "snapshot"]);
    snap
}

/// `pre-commit try-repo <snapshot> <hook>` in `repo`, with `path` as PATH
/// when given.
///
/// pre-commit builds the hook with `cargo install --path`: a release build.
/// To keep that offline and quick, cargo runs offline with this machine's
/// toolchain and registry cache (CARGO_HOME, RUSTUP_HOME), into
/// `target/pre-commit` so later runs reuse the compiled dependencies, with
/// the release profile's optimisation turned off (what is tested is the
/// hook's wiring, not the speed of the binary). try-repo keeps its hook
/// environments in a temporary store of its own whatever PRE_COMMIT_HOME
/// says; that is pointed into the sandbox so nothing leaks into HOME.
fn try_repo(
    sb: &Sandbox,
    repo: &Path,
    snapshot: &Path,
    hook: &str,
    path: Option<&str>,
) -> common::Run {
    let mut cmd = Command::new("pre-commit");
    hermetic(&mut cmd, &sb.home());
    let real_home = std::env::var_os("HOME").map(PathBuf::from);
    // HOME is the sandbox's, so the tools' homes are passed explicitly.
    for (var, default) in [
        ("CARGO_HOME", ".cargo"),
        ("RUSTUP_HOME", ".rustup"),
        ("PYENV_ROOT", ".pyenv"),
        ("PYTHONUSERBASE", ".local"),
    ] {
        match (std::env::var_os(var), &real_home) {
            (Some(v), _) => {
                cmd.env(var, v);
            }
            (None, Some(home)) if home.join(default).is_dir() => {
                cmd.env(var, home.join(default));
            }
            _ => {}
        }
    }
    for var in ["RUSTUP_TOOLCHAIN", "PYENV_VERSION", "VIRTUAL_ENV"] {
        if let Some(v) = std::env::var_os(var) {
            cmd.env(var, v);
        }
    }
    cmd.env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_TARGET_DIR", manifest_dir().join("target/pre-commit"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_TERM_COLOR", "never")
        .env("PRE_COMMIT_HOME", sb.dir("pre-commit-home"))
        .env("PRE_COMMIT_COLOR", "never")
        .current_dir(repo)
        .arg("try-repo")
        .arg(snapshot)
        .arg(hook)
        .arg("--verbose");
    if let Some(path) = path {
        cmd.env("PATH", path);
    }
    let out = cmd.output().expect("pre-commit starts");
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn the_pre_commit_framework_runs_the_shipped_hook() {
    if !pre_commit_installed() {
        return;
    }
    let sb = Sandbox::new();
    let snapshot = project_snapshot(&sb);
    let repo = sb.git_repo("repo");
    sb.gitsm(&repo, ["init"]).expect_code(0);
    git_ok(&sb, &repo, ["add", "-A"]);
    git_ok(&sb, &repo, ["commit", "-q", "-m", "init"]);

    common::write_file(&repo, "incidents/INC-0001.yaml", BAD_INCIDENT);
    git_ok(&sb, &repo, ["add", "-A"]);
    let run = try_repo(&sb, &repo, &snapshot, "gitsm-validate", None);
    assert_eq!(run.code, 1, "the invalid record passed:\n{run}");
    run.stdout_has("gitsm validate")
        .stdout_has("Failed")
        .stdout_has("INC-0001.yaml")
        .stdout_has("colour");

    common::write_file(&repo, "incidents/INC-0001.yaml", VALID_INCIDENT);
    git_ok(&sb, &repo, ["add", "-A"]);
    let run = try_repo(&sb, &repo, &snapshot, "gitsm-validate", None);
    assert_eq!(run.code, 0, "the valid record failed:\n{run}");
    run.stdout_has("Passed");
}

#[test]
fn the_pre_commit_framework_runs_the_installed_gitsm_without_building() {
    if !pre_commit_installed() {
        return;
    }
    let sb = Sandbox::new();
    let snapshot = project_snapshot(&sb);
    let repo = sb.git_repo("repo");
    sb.gitsm(&repo, ["init"]).expect_code(0);
    git_ok(&sb, &repo, ["add", "-A"]);
    git_ok(&sb, &repo, ["commit", "-q", "-m", "init"]);
    // The binary under test is the `gitsm` first on PATH.
    let path = common::path_with_bin();
    let path = path.to_string_lossy();

    common::write_file(&repo, "incidents/INC-0001.yaml", BAD_INCIDENT);
    git_ok(&sb, &repo, ["add", "-A"]);
    let run = try_repo(&sb, &repo, &snapshot, "gitsm-validate-system", Some(&path));
    assert_eq!(run.code, 1, "the invalid record passed:\n{run}");
    run.stdout_has("Failed").stdout_has("INC-0001.yaml");
    // Nothing was built: pre-commit set up no environment for the hook.
    assert!(
        !format!("{}{}", run.stdout, run.stderr).contains("Installing environment"),
        "{run}"
    );

    common::write_file(&repo, "incidents/INC-0001.yaml", VALID_INCIDENT);
    git_ok(&sb, &repo, ["add", "-A"]);
    let run = try_repo(&sb, &repo, &snapshot, "gitsm-validate-system", Some(&path));
    assert_eq!(run.code, 0, "the valid record failed:\n{run}");
    run.stdout_has("Passed");
}

// ------------------------------------------------- workflow rules, through hooks

/// INC-0001 committed in `itsm/` with the hooks installed.
fn repo_with_committed_incident(sb: &Sandbox) -> (PathBuf, PathBuf) {
    let (top, root) = committed_monorepo(sb);
    common::write_file(&root, "incidents/INC-0001.yaml", VALID_INCIDENT);
    git_ok(sb, &top, ["add", "-A"]);
    git_ok(sb, &top, ["commit", "-q", "-m", "open INC-0001"]);
    (top, root)
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let body = text(path);
    assert!(body.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, body.replacen(from, to, 1)).expect("write");
}

#[test]
fn the_hook_enforces_the_workflow_on_a_real_commit() {
    let sb = Sandbox::new();
    let (top, root) = repo_with_committed_incident(&sb);
    let file = root.join("incidents/INC-0001.yaml");

    // new -> closed: refused, naming the transition and the allowed ones.
    replace_in(&file, "status: new", "status: closed");
    git_ok(&sb, &top, ["add", "-A"]);
    let run = git_run(&sb, &top, ["commit", "-q", "-m", "close at once"]);
    assert_ne!(run.code, 0, "the commit went through:\n{run}");
    run.stderr_has("`new` -> `closed` is not a transition of the incident workflow")
        .stderr_has("from `new` it may move to `in_progress`, `cancelled`");
    assert_eq!(commits(&sb, &top), "2");

    // A legal edit through the CLI is accepted, and keeps the file's layout.
    git_ok(&sb, &top, ["reset", "-q", "--hard"]);
    git_ok(&sb, &top, ["config", "user.email", "alice@example.com"]);
    sb.gitsm(&root, ["transition", "INC-0001", "in_progress"])
        .expect_code(0);
    git_ok(&sb, &top, ["add", "-A"]);
    git_run(&sb, &top, ["commit", "-q", "-m", "take it"]).expect_code(0);
    assert_eq!(commits(&sb, &top), "3");

    // Deleting a record: refused.
    git_ok(&sb, &top, ["rm", "-q", "itsm/incidents/INC-0001.yaml"]);
    let run = git_run(&sb, &top, ["commit", "-q", "-m", "tidy up"]);
    assert_ne!(run.code, 0, "the commit went through:\n{run}");
    run.stderr_has("INC-0001 was deleted; records are never deleted");
    git_ok(&sb, &top, ["reset", "-q", "--hard"]);

    // --no-verify skips the hook; the range check in CI still fails.
    replace_in(&file, "status: in_progress", "status: closed");
    git_ok(&sb, &top, ["add", "-A"]);
    git_ok(
        &sb,
        &top,
        ["commit", "-q", "--no-verify", "-m", "sneak it in"],
    );
    let run = sb.gitsm(&top, ["-C", "itsm", "validate", "--range", "HEAD~1..HEAD"]);
    run.expect_code(1)
        .stderr_has("`in_progress` -> `closed` is not a transition")
        .stderr_has("sneak it in");

    // The audit trail shows the status change and who made it.
    sb.gitsm(&root, ["history", "INC-0001"])
        .expect_code(0)
        .stdout_has("take it\n  status: new -> in_progress");
}
