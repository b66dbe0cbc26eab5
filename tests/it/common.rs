//! Shared helpers for the integration tests: run the real `gitsm` binary (and
//! `git`) hermetically, in throw-away repositories.
//!
//! Every process gets a cleared environment: only `PATH` is inherited; `HOME`
//! is a temporary folder, system and global Git config are ignored, colour is
//! off and the clock `gitsm new` reads is fixed by `GITSM_NOW`.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The start of a `gitsm.yaml` whose changes a CAB decides: three people,
/// the CAB (carol and dave) and the emergency CAB (carol), decisions
/// proved by commit: the figures, not the proof of decisions, are under
/// test, and decisions written by hand count as written. A literal, for
/// `concat!` with the rest of a test's policy.
macro_rules! cab_policy {
    () => {
        "
people:
  carol: { name: Carol Diaz, emails: [carol@example.com] }
  dave: { name: Dave Ito, emails: [dave@example.com] }
  erin: { name: Erin Moss, emails: [erin@example.com] }
groups:
  cab: [carol, dave]
  ecab: [carol]
change_policy: { proof: commit }
"
    };
}
pub(crate) use cab_policy;

/// The fixed "now" every gitsm run sees.
pub(crate) const NOW: &str = "2026-11-21T10:00:00+01:00";

/// A valid minimal incident, `INC-0001`.
pub(crate) const VALID_INCIDENT: &str = "\
id: INC-0001
title: VPN down
status: new
created_at: 2026-11-20T09:00:00+01:00
reported_by: someone@example.com
impact: high
urgency: high
";

/// Path of the binary under test.
pub(crate) fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_gitsm")
}

/// `PATH` with the folder of the binary under test first: for a shell or
/// a hook manager that runs `gitsm` by name.
pub(crate) fn path_with_bin() -> std::ffi::OsString {
    let bin_dir = Path::new(bin()).parent().expect("bin dir");
    std::env::join_paths(
        std::iter::once(bin_dir.to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .expect("PATH")
}

/// Apply the hermetic environment to `cmd`.
/// Clear the environment down to a fixed, hermetic one.
pub(crate) fn hermetic(cmd: &mut Command, home: &Path) {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
        .env("GITSM_NOW", NOW)
        .env("LANG", "C")
        .env("TZ", "UTC");
}

/// What a finished process left behind.
#[derive(Debug)]
pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            // A process killed by a signal has no code: report -1 so that no
            // assertion on 0, 1 or 2 passes by accident.
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// (exit code, stdout, stderr)
    pub(crate) fn parts(&self) -> (i32, &str, &str) {
        (self.code, &self.stdout, &self.stderr)
    }

    /// Assert the exit code and that nothing panicked; returns self for chaining.
    #[track_caller]
    pub(crate) fn expect_code(&self, code: i32) -> &Self {
        assert!(
            !self.stderr.contains("panicked") && !self.stdout.contains("panicked"),
            "gitsm panicked:\n{self}"
        );
        assert_eq!(self.code, code, "unexpected exit code:\n{self}");
        self
    }

    #[track_caller]
    pub(crate) fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr does not contain {needle:?}:\n{self}"
        );
        self
    }

    #[track_caller]
    pub(crate) fn stdout_has(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout does not contain {needle:?}:\n{self}"
        );
        self
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Run gitsm in `dir` with `home` as HOME.
pub(crate) fn gitsm_in<I, S>(home: &Path, dir: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(bin());
    hermetic(&mut cmd, home);
    cmd.current_dir(dir).args(args);
    Run::from(cmd.output().expect("gitsm starts"))
}

/// Run gitsm and return (exit code, stdout, stderr).
pub(crate) fn gitsm_output<I, S>(home: &Path, dir: &Path, args: I) -> (i32, String, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let r = gitsm_in(home, dir, args);
    (r.code, r.stdout, r.stderr)
}

/// Run git in `dir`; panics unless it succeeds. Returns stdout.
#[track_caller]
pub(crate) fn git_in<I, S>(home: &Path, dir: &Path, args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let mut cmd = Command::new("git");
    hermetic(&mut cmd, home);
    cmd.current_dir(dir).args(&args);
    let out = cmd.output().expect("git starts");
    let run = Run::from(out);
    assert_eq!(
        run.code,
        0,
        "git {args:?} failed in {}:\n{run}",
        dir.display()
    );
    run.stdout
}

/// Run git in `dir` with extra environment (e.g. fixed commit dates); the
/// result is returned, not asserted, for commands expected to fail.
pub(crate) fn git_env_in<I, S>(home: &Path, dir: &Path, args: I, env: &[(&str, &str)]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new("git");
    hermetic(&mut cmd, home);
    cmd.current_dir(dir).args(args).envs(env.iter().copied());
    Run::from(cmd.output().expect("git starts"))
}

/// The environment that makes a commit's author and committer dates `date`.
pub(crate) fn dated(date: &str) -> [(&'static str, &str); 2] {
    [("GIT_AUTHOR_DATE", date), ("GIT_COMMITTER_DATE", date)]
}

/// Write `contents` to `root/rel`, creating parent folders.
pub(crate) fn write_file(root: &Path, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create parent folders");
    }
    std::fs::write(&path, contents).expect("write file");
    path
}

/// A temporary sandbox: a HOME folder and a work folder, removed on drop.
pub(crate) struct Sandbox {
    tmp: TempDir,
}

impl Sandbox {
    pub(crate) fn new() -> Sandbox {
        let tmp = tempfile::Builder::new()
            .prefix("gitsm-test-")
            .tempdir()
            .expect("temp dir");
        std::fs::create_dir_all(tmp.path().join("home")).expect("home");
        Sandbox { tmp }
    }

    pub(crate) fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    /// A folder inside the sandbox (created).
    pub(crate) fn dir(&self, name: &str) -> PathBuf {
        let p = self.tmp.path().join(name);
        std::fs::create_dir_all(&p).expect("create dir");
        p
    }

    /// `git init` a work tree at `name`, with a local identity.
    pub(crate) fn git_repo(&self, name: &str) -> PathBuf {
        let dir = self.dir(name);
        git_in(
            &self.home(),
            &dir,
            ["-c", "init.defaultBranch=main", "init", "-q"],
        );
        set_identity(&self.home(), &dir);
        dir
    }

    /// The example organisation (`example-repo/`) in a Git repository of
    /// its own, committed once at a fixed date (so that what is computed
    /// from it is the same wherever the tests run).
    pub(crate) fn example_repo(&self) -> PathBuf {
        let root = self.git_repo("example");
        copy_tree(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo"),
            &root,
        );
        self.git(&root, ["add", "-A"]);
        let run = git_env_in(
            &self.home(),
            &root,
            ["commit", "-q", "-m", "example organisation"],
            &dated("2026-11-21T09:00:00+01:00"),
        );
        assert_eq!(run.code, 0, "{run}");
        root
    }

    pub(crate) fn gitsm<I, S>(&self, dir: &Path, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        gitsm_in(&self.home(), dir, args)
    }

    #[track_caller]
    pub(crate) fn git<I, S>(&self, dir: &Path, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        git_in(&self.home(), dir, args)
    }
}

/// Set a local `user.name` / `user.email` in the repository at `dir`.
pub(crate) fn set_identity(home: &Path, dir: &Path) {
    git_in(home, dir, ["config", "user.name", "Test User"]);
    git_in(home, dir, ["config", "user.email", "tester@example.com"]);
}

/// A managed repository: a fresh Git work tree where `gitsm init` ran.
pub(crate) struct Repo {
    pub sandbox: Sandbox,
    pub root: PathBuf,
}

impl Repo {
    /// `git init` + identity + `gitsm init`.
    pub(crate) fn new() -> Repo {
        let sandbox = Sandbox::new();
        let root = sandbox.git_repo("repo");
        sandbox.gitsm(&root, ["init"]).expect_code(0);
        // `init` lists the Git user under `people`; the tests start from
        // nobody, as the starter policy reads without a Git identity.
        let config = root.join("gitsm.yaml");
        let text = std::fs::read_to_string(&config).expect("gitsm init wrote gitsm.yaml");
        let you = "people:\n  tester: { name: \"Test User\", emails: [\"tester@example.com\"] }\n";
        assert!(
            text.contains(you),
            "init did not list the Git user:\n{text}"
        );
        std::fs::write(&config, text.replacen(you, "people: {}\n", 1)).expect("write gitsm.yaml");
        Repo { sandbox, root }
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub(crate) fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        write_file(&self.root, rel, contents)
    }

    pub(crate) fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.sandbox.gitsm(&self.root, args)
    }

    /// gitsm here, in the hermetic environment, with `args`.
    fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(bin());
        hermetic(&mut cmd, &self.sandbox.home());
        cmd.current_dir(&self.root).args(args);
        cmd
    }

    /// Start gitsm here, its output piped, not waited for (runs side by
    /// side: `wait_with_output` each).
    pub(crate) fn spawn<I, S>(&self, args: I) -> std::process::Child
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("gitsm starts")
    }

    /// Run gitsm here with extra environment (e.g. `GITSM_NOW`).
    pub(crate) fn run_env<I, S>(&self, args: I, env: &[(&str, &str)]) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self.command(args).envs(env.iter().copied()).output();
        Run::from(out.expect("gitsm starts"))
    }

    /// (exit code, stdout, stderr)
    pub(crate) fn output<I, S>(&self, args: I) -> (i32, String, String)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        gitsm_output(&self.sandbox.home(), &self.root, args)
    }

    #[track_caller]
    pub(crate) fn git<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.sandbox.git(&self.root, args)
    }

    /// `git add -A` and commit everything at `date`; returns the commit id.
    #[track_caller]
    pub(crate) fn commit(&self, message: &str, date: &str) -> String {
        self.git(["add", "-A"]);
        let run = self.try_commit(&["-q", "-m", message], date);
        assert_eq!(run.code, 0, "git commit failed:\n{run}");
        self.git(["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// Stage everything and commit it as the person `name <email>` at
    /// `date` (the committer stays the sandbox's identity); the commit id.
    pub(crate) fn commit_by(&self, name: &str, email: &str, message: &str, date: &str) -> String {
        self.git(["add", "-A"]);
        let run = self.try_commit_by(&["-q", "-m", message], date, Some((name, email)));
        assert_eq!(run.code, 0, "git commit failed:\n{run}");
        self.git(["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// `git commit <args>` at `date`, hooks included; the result is returned.
    pub(crate) fn try_commit(&self, args: &[&str], date: &str) -> Run {
        self.try_commit_by(args, date, None)
    }

    /// `git commit <args>` at `date`, authored by `author` (name, email)
    /// when given; hooks included; the result is returned.
    pub(crate) fn try_commit_by(
        &self,
        args: &[&str],
        date: &str,
        author: Option<(&str, &str)>,
    ) -> Run {
        let mut all = vec!["commit"];
        all.extend_from_slice(args);
        let mut env = dated(date).to_vec();
        if let Some((name, email)) = author {
            env.extend([("GIT_AUTHOR_NAME", name), ("GIT_AUTHOR_EMAIL", email)]);
        }
        git_env_in(&self.sandbox.home(), &self.root, all, &env)
    }

    /// Record files of a kind folder (recursively), relative to the root.
    pub(crate) fn record_files(&self, folder: &str) -> Vec<String> {
        let mut out = Vec::new();
        collect_yaml(&self.root, &self.root.join(folder), &mut out);
        out.sort();
        out
    }
}

fn collect_yaml(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_yaml(root, &p, out);
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(
                p.strip_prefix(root)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
}

/// The path of the external tool `name` (the first of `names` on `PATH`),
/// which a test feeds gitsm's output to. Missing, it is `None` with a note,
/// or a failure when `GITSM_REQUIRE_TOOLS=1` (as CI sets it): the one place
/// that decides whether a test may skip its real consumer.
#[track_caller]
pub(crate) fn require_tool(names: &[&str], install: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        let name = names.first().copied().unwrap_or_default();
        assert!(
            std::env::var_os("GITSM_REQUIRE_TOOLS").is_none_or(|v| v != "1"),
            "GITSM_REQUIRE_TOOLS=1 but `{name}` is not on PATH ({install})"
        );
        eprintln!("note: `{name}` is not on PATH ({install}); its check is skipped");
    }
    found
}

/// A file of an npm package the conformance tests run (`tests/tools/`,
/// installed by `bash tests/tools/install.sh`), e.g.
/// `node_tool("vnu-jar/build/dist/vnu.jar")`.
#[track_caller]
pub(crate) fn node_tool(file: &str) -> Option<PathBuf> {
    tool_file(&format!("node_modules/{file}"))
}

/// A file `bash tests/tools/install.sh` puts under `tests/tools/` (an npm
/// package, a downloaded schema). Like [`require_tool`]: `None` (and a
/// note) when absent, a failure when `GITSM_REQUIRE_TOOLS=1`.
#[track_caller]
pub(crate) fn tool_file(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tools")
        .join(rel);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("GITSM_REQUIRE_TOOLS").is_none_or(|v| v != "1"),
        "GITSM_REQUIRE_TOOLS=1 but {} is missing (bash tests/tools/install.sh)",
        path.display()
    );
    eprintln!(
        "note: {} is missing (bash tests/tools/install.sh); its check is skipped",
        path.display()
    );
    None
}

/// Copy the folder `from` to `to`, recursively.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}
