//! The attack catalogue of hardening: each test is one way in, named after
//! it, tried through the real binary the way an attacker (or an unlucky
//! user) would, and what must hold instead.

use crate::common;

use std::os::unix::fs::{PermissionsExt, symlink};
use std::process::Command;

use common::{Repo, VALID_INCIDENT, bin, hermetic};

/// A file outside the repository that nothing may reveal.
fn host_secret(repo: &Repo) -> std::path::PathBuf {
    let path = repo.sandbox.dir("host").join("secret.txt");
    std::fs::write(&path, "HOST-SECRET-42\n").expect("write secret");
    path
}

fn ci(id: &str, relations: &str) -> String {
    format!("id: {id}\nname: {id}\nclass: application\nstatus: active\n{relations}")
}

#[test]
fn a_ci_that_depends_on_itself_is_a_cycle_not_a_panic() {
    let repo = Repo::new();
    repo.write(
        "cis/loop.yaml",
        ci("loop", "relations:\n  depends_on: [loop]\n"),
    );
    let run = repo.run(["validate"]);
    run.expect_code(1)
        .stderr_has("relation-cycle")
        .stderr_has("loop -> loop");
    assert!(run.stderr.contains("cis/loop.yaml:6:"), "{run}");
    assert!(!run.stderr.contains("panicked"), "{run}");
    // Commands that check the tree refuse, without a panic.
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    let set = repo.run(["set", "INC-0001", "title=Still down"]);
    assert_ne!(set.code, 101, "{set}");
    assert!(!set.stderr.contains("panicked"), "{set}");
}

#[test]
fn an_alias_byte_bomb_is_refused_at_its_line() {
    let repo = Repo::new();
    // 150 KB of text named once and repeated 60 times: 9 MB expanded,
    // past 16 times the file's size.
    let mut text = format!(
        "{VALID_INCIDENT}description: &d {}\nlinks:\n",
        "x".repeat(150_000)
    );
    for _ in 0..60 {
        text.push_str("  - *d\n");
    }
    repo.write("incidents/INC-0001.yaml", &text);
    let run = repo.run(["validate"]);
    run.expect_code(1).stderr_has("bytes of text");
    // The alias that crossed the bound: the 16th, on line 25.
    assert!(run.stderr.contains("incidents/INC-0001.yaml:25:"), "{run}");
}

#[test]
fn a_linked_stylesheet_cannot_publish_a_host_file() {
    let repo = Repo::new();
    let secret = host_secret(&repo);
    std::fs::create_dir_all(repo.path("templates")).expect("mkdir");
    symlink(&secret, repo.path("templates/site.css")).expect("link");
    let out = repo.sandbox.dir("out");
    let run = repo.run(["site", "-o", out.to_str().expect("utf-8")]);
    assert_ne!(run.code, 0, "{run}");
    run.stderr_has("symbolic link");
    assert!(!run.stderr.contains("HOST-SECRET"), "{run}");
    assert!(!out.join("assets/site.css").exists());
}

#[test]
fn an_included_link_cannot_publish_a_host_file() {
    let repo = Repo::new();
    let secret = host_secret(&repo);
    repo.write(
        "templates/footer.html",
        "<footer>{% include \"notes.html\" %}</footer>\n",
    );
    symlink(&secret, repo.path("templates/notes.html")).expect("link");
    let out = repo.sandbox.dir("out");
    let run = repo.run(["site", "-o", out.to_str().expect("utf-8")]);
    assert_ne!(run.code, 0, "{run}");
    run.stderr_has("symbolic link");
    assert!(!run.stderr.contains("HOST-SECRET"), "{run}");
}

#[test]
fn a_linked_templates_folder_is_not_read() {
    let repo = Repo::new();
    let secret = host_secret(&repo);
    let outside = secret.parent().expect("host folder");
    std::fs::copy(&secret, outside.join("site.css")).expect("copy");
    symlink(outside, repo.path("templates")).expect("link");
    let out = repo.sandbox.dir("out");
    let run = repo.run(["site", "-o", out.to_str().expect("utf-8")]);
    assert_ne!(run.code, 0, "{run}");
    run.stderr_has("symbolic link");
    let css = std::fs::read_to_string(out.join("assets/site.css")).unwrap_or_default();
    assert!(!css.contains("HOST-SECRET"));
}

#[test]
fn a_linked_kind_folder_is_neither_read_nor_written() {
    let repo = Repo::new();
    let outside = repo.sandbox.dir("outside-cis");
    let planted = ci("planted", "");
    std::fs::write(outside.join("planted.yaml"), &planted).expect("write");
    std::fs::remove_dir_all(repo.path("cis")).ok();
    symlink(&outside, repo.path("cis")).expect("link");
    let run = repo.run(["validate"]);
    run.expect_code(1).stderr_has("symbolic link");
    let set = repo.run(["set", "planted", "name=Changed"]);
    assert_ne!(set.code, 0, "{set}");
    assert_eq!(
        std::fs::read_to_string(outside.join("planted.yaml")).expect("read"),
        planted
    );
    let new = repo.run([
        "new", "ci", "--class", "server", "--name", "Box", "--id", "box-1",
    ]);
    assert_ne!(new.code, 0, "{new}");
    assert!(!outside.join("box-1.yaml").exists());
}

#[test]
fn a_linked_record_is_neither_read_nor_written() {
    let repo = Repo::new();
    let secret = host_secret(&repo);
    symlink(&secret, repo.path("incidents/INC-0001.yaml")).expect("link");
    let run = repo.run(["validate"]);
    run.expect_code(1).stderr_has("symbolic link");
    assert!(!run.stderr.contains("HOST-SECRET"), "{run}");
    let set = repo.run(["set", "INC-0001", "title=x"]);
    assert_ne!(set.code, 0, "{set}");
    assert_eq!(
        std::fs::read_to_string(&secret).expect("read"),
        "HOST-SECRET-42\n"
    );
}

#[test]
fn a_linked_config_is_refused_without_echoing_it() {
    let repo = Repo::new();
    let secret = repo.sandbox.dir("host").join("config.yaml");
    std::fs::write(&secret, "AWS_SECRET_ACCESS_KEY: HOST-SECRET-42\n").expect("write");
    std::fs::remove_file(repo.path("gitsm.yaml")).expect("rm");
    symlink(&secret, repo.path("gitsm.yaml")).expect("link");
    for args in [&["validate"][..], &["list"], &["sla"]] {
        let run = repo.run(args);
        assert_ne!(run.code, 0, "{args:?}: {run}");
        run.stderr_has("symbolic link");
        assert!(!run.stderr.contains("HOST-SECRET"), "{run}");
        assert!(!run.stdout.contains("HOST-SECRET"), "{run}");
    }
}

#[test]
fn a_linked_schema_is_refused() {
    let repo = Repo::new();
    let outside = repo.sandbox.dir("host").join("incident.schema.json");
    std::fs::write(&outside, "{}").expect("write");
    std::fs::remove_file(repo.path("schemas/incident.schema.json")).expect("rm");
    symlink(&outside, repo.path("schemas/incident.schema.json")).expect("link");
    repo.run(["validate"])
        .expect_code(2)
        .stderr_has("symbolic link");
}

#[test]
fn a_read_only_record_is_not_replaced() {
    let repo = Repo::new();
    let path = repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let run = repo.run(["set", "INC-0001", "title=Changed"]);
    run.expect_code(1).stderr_has("read-only");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        VALID_INCIDENT
    );
    assert_eq!(
        std::fs::metadata(&path).expect("stat").permissions().mode() & 0o777,
        0o444
    );
}

/// The id of a process that ran and is gone (reaped): what a run killed
/// part way leaves in its temp files' names.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().expect("true");
    let pid = child.id();
    child.wait().expect("wait");
    pid
}

#[test]
fn a_killed_run_leaves_no_temp_file_behind() {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    // What a `kill -9` between writing and renaming leaves.
    let stale = repo.write(
        &format!("incidents/.gitsm-{}-0.tmp", dead_pid()),
        "id: INC-9999\n",
    );
    repo.run(["validate"]).expect_code(0);
    repo.run(["set", "INC-0001", "title=Changed"])
        .expect_code(0);
    assert!(!stale.exists(), "the next write in the folder removes it");
    // One left beside the local index (a stat cache half written): the
    // next command that opens the index removes it.
    let beside_index = repo.path(&format!(".git/gitsm/.gitsm-{}-0.tmp", dead_pid()));
    std::fs::write(&beside_index, "half").expect("write");
    repo.run(["list"]).expect_code(0);
    assert!(!beside_index.exists());
    let left: Vec<_> = std::fs::read_dir(repo.path("incidents"))
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_write_in_a_folder_never_sweeps_away_a_live_run_s_temp_file() {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    // Another run still writing into the folder (an export into it, say):
    // its process is alive while its temp file waits for its rename.
    let mut live = Command::new("cat")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("cat");
    let writing = repo.write(&format!("incidents/.gitsm-{}-0.tmp", live.id()), "half\n");
    repo.run(["set", "INC-0001", "title=Changed"])
        .expect_code(0);
    repo.run(["new", "incident", "--title", "Another"])
        .expect_code(0);
    let kept = writing.exists();
    drop(live.stdin.take());
    live.wait().expect("wait");
    assert!(kept, "the live run's temp file was swept away");
}

#[test]
fn a_killed_export_leaves_no_staged_file_behind() {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    let out = repo.sandbox.dir("bi");
    // What exports killed before their renames left: a staged CSV file,
    // and a database half written beside its target.
    let staged = out.join(format!(".gitsm-{}-0.tmp", dead_pid()));
    let database = out.join(format!(".gitsm-{}-exportXy12.tmp", dead_pid()));
    for left in [&staged, &database] {
        std::fs::write(left, "half").expect("write");
    }
    let csv = out.join("csv");
    std::fs::create_dir(&csv).expect("folder");
    let staged_csv = csv.join(format!(".gitsm-{}-3.tmp", dead_pid()));
    std::fs::write(&staged_csv, "half").expect("write");
    repo.run([
        "export",
        "--format",
        "csv",
        "-o",
        csv.to_str().unwrap_or_default(),
    ])
    .expect_code(0);
    assert!(
        !staged_csv.exists(),
        "the next CSV export sweeps its folder"
    );
    repo.run([
        "export",
        "--format",
        "sqlite",
        "-o",
        out.join("itsm.sqlite").to_str().unwrap_or_default(),
    ])
    .expect_code(0);
    assert!(
        !staged.exists() && !database.exists(),
        "the next export sweeps its folder"
    );
    let left: Vec<_> = std::fs::read_dir(&out)
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
}

/// `report -o`, `man -o` and `schema -o` write into folders of the
/// user's: what runs of them killed before their renames left there goes
/// with the next run, and nothing else in the folder does.
#[test]
fn a_killed_report_man_or_schema_leaves_no_temp_file_behind() {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    let runs: [(&str, &[&str]); 3] = [
        ("reports", &["report", "-o", "reports/kpis.md"]),
        ("man", &["man", "-o", "man"]),
        ("schema-out", &["schema", "-o", "schema-out"]),
    ];
    for (folder, args) in runs {
        let stale = repo.write(&format!("{folder}/.gitsm-{}-0.tmp", dead_pid()), "half");
        let mine = repo.write(&format!("{folder}/notes.txt"), "mine\n");
        repo.run(args.iter().copied()).expect_code(0);
        assert!(!stale.exists(), "{folder}: a killed run's temp file stays");
        assert!(mine.exists(), "{folder}: a file of the user's went");
    }
}

#[test]
fn two_editors_at_once_never_lose_an_edit() {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    let spawn = |field: &str| {
        let mut cmd = Command::new(bin());
        hermetic(&mut cmd, &repo.sandbox.home());
        cmd.current_dir(&repo.root)
            .args(["set", "INC-0001", field])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    for trial in 0..20 {
        let (a, b) = (format!("title=a{trial}"), format!("category=b{trial}"));
        let (first, second) = (spawn(&a), spawn(&b));
        let first = first.wait_with_output().expect("wait");
        let second = second.wait_with_output().expect("wait");
        let text = std::fs::read_to_string(repo.path("incidents/INC-0001.yaml")).expect("read");
        for (out, field) in [(&first, &a), (&second, &b)] {
            let (key, value) = field.split_once('=').expect("field");
            let written = text.contains(&format!("{key}: {value}"));
            match out.status.code() {
                // Exit 0 means the edit is in the file.
                Some(0) => assert!(written, "trial {trial}: {field} lost:\n{text}"),
                // The other way to end: refused, nothing written.
                Some(1) => {
                    assert!(!written, "trial {trial}: {field} refused but written");
                    assert!(
                        String::from_utf8_lossy(&out.stderr).contains("changed while"),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
                other => panic!("trial {trial}: exit {other:?}"),
            }
        }
    }
}

#[test]
fn attack_records_created_at_once_each_get_an_id_of_their_own() {
    // Eight `gitsm new` at once (as alerts taken in together): each one
    // creates its record, under an id no other run took; none fails
    // because another took its id first or swept its temp file away.
    let repo = Repo::new();
    repo.commit("start", "2026-11-21T09:00:00+01:00");
    const RUNS: usize = 8;
    for round in 0..3 {
        let runs: Vec<_> = (0..RUNS)
            .map(|n| {
                let title = format!("Alert {round}-{n}");
                let who = "reported_by=someone@example.com";
                repo.spawn(["new", "incident", "--title", &title, "--set", who])
            })
            .collect();
        for run in runs {
            let out = run.wait_with_output().expect("wait");
            assert!(out.status.success(), "round {round}: {out:?}");
        }
        let mut titles = Vec::new();
        let records = std::fs::read_dir(repo.path("incidents")).expect("list");
        let yaml = |e: &std::fs::DirEntry| e.path().extension().is_some_and(|x| x == "yaml");
        for entry in records.flatten().filter(yaml) {
            let text = std::fs::read_to_string(entry.path()).expect("read");
            let title = text.lines().find_map(|l| l.strip_prefix("title: "));
            titles.push(title.expect("a title").to_owned());
        }
        titles.sort();
        titles.dedup();
        assert_eq!(
            titles.len(),
            RUNS * (round + 1),
            "round {round}: {titles:?}"
        );
    }
}

/// `gitsm new` of an incident, its id to be chosen.
const NEW_INCIDENT: [&str; 6] = [
    "new",
    "incident",
    "--title",
    "B",
    "--set",
    "reported_by=a@example.com",
];

#[test]
fn attack_an_id_after_the_last_number_ends_with_an_error_not_a_loop() {
    // The highest id is the last u64: the next number wrapped to 0, and
    // with INC-0000 taken (in another year's folder, where the new file's
    // place is free) the creator retried it forever. There is no next id:
    // the user gives one.
    for layout in ["flat", "by_year"] {
        let repo = Repo::new();
        repo.write("gitsm.yaml", format!("ids:\n  layout: {layout}\n"));
        repo.commit("start", "2026-11-21T09:00:00+01:00");
        let last = format!("id=INC-{}", u64::MAX);
        for id in [last.as_str(), "id=INC-0000"] {
            let when = "created_at=2025-03-01T00:00:00Z";
            let who = "reported_by=a@example.com";
            let run = repo.run([
                "new", "incident", "--title", "A", "--set", id, "--set", who, "--set", when,
            ]);
            run.expect_code(0);
        }
        let run = repo.run(NEW_INCIDENT);
        run.expect_code(2);
        assert!(run.stderr.contains("pass --set id="), "{layout}: {run}");
    }
}

#[test]
fn attack_a_link_to_nowhere_at_the_next_id_does_not_block_new() {
    // Anyone who can push could commit `incidents/INC-0001.yaml -> nowhere`:
    // the creator took the place for free (the link leads nowhere), then
    // refused to write over a link, on every run.
    let repo = Repo::new();
    symlink("nowhere", repo.path("incidents/INC-0001.yaml")).expect("link");
    repo.commit("start", "2026-11-21T09:00:00+01:00");
    let run = repo.run(NEW_INCIDENT);
    run.expect_code(0);
    assert_eq!(run.stdout.trim(), "incidents/INC-0002.yaml", "{run}");
    assert!(
        !repo.path("nowhere").exists(),
        "nothing made where it points"
    );
}

#[test]
fn attack_a_file_where_the_lock_folder_goes_fails_new_at_once() {
    // `.git/gitsm` a file: taking the write lock failed with "File
    // exists", which the creator took for a record created meanwhile, and
    // tried one id after another without end.
    let repo = Repo::new();
    repo.commit("start", "2026-11-21T09:00:00+01:00");
    let gitsm = repo.path(".git/gitsm");
    let _ = std::fs::remove_dir_all(&gitsm);
    std::fs::write(&gitsm, "x").expect("write");
    let run = repo.run(NEW_INCIDENT);
    run.expect_code(1);
    assert!(run.stderr.contains("the write lock: "), "{run}");
    assert!(run.stderr.contains("write.lock"), "{run}");
    let made = std::fs::read_dir(repo.path("incidents"))
        .expect("list")
        .flatten()
        .filter(|e| e.file_name() != ".gitkeep")
        .count();
    assert_eq!(made, 0, "nothing written");
}

#[test]
fn a_title_cannot_drive_the_terminal() {
    let repo = Repo::new();
    // Retitle the terminal (OSC), clear it, return the carriage, and a C1
    // control introducer: YAML escapes, so the file itself is plain text.
    let title = r#"title: "VPN \e]0;pwned\a down\e[2J\r\u009b31m""#;
    repo.write(
        "incidents/INC-0001.yaml",
        VALID_INCIDENT.replace("title: VPN down", title),
    );
    let mut runs = Vec::new();
    for args in [
        &["--color", "always", "show", "INC-0001"][..],
        &["--color", "always", "list"],
        &["--color", "always", "validate"],
        &["--color", "always", "report"],
        // Tables written a line at a time, each made safe whole.
        &["--color", "always", "sla"],
        &["--color", "always", "list", "--format", "csv"],
    ] {
        let run = repo.run(args);
        assert!(run.code == 0, "{args:?}: {run}");
        runs.push((args, run));
    }
    for (args, run) in &runs {
        for text in [&run.stdout, &run.stderr] {
            for bad in ["\x1b]", "\x1b[2J", "\x07", "\r", "\u{9b}"] {
                assert!(!text.contains(bad), "{args:?} printed {bad:?}:\n{text}");
            }
        }
    }
    // The title is still shown, its controls written out.
    let shown = r"VPN \x1b]0;pwned\x07 down\x1b[2J\x0d\u009b31m";
    for i in [0, 1, 5] {
        assert!(runs[i].1.stdout.contains(shown), "{}", runs[i].1);
    }
    // The P1 incident open since Friday has breached: its state in red,
    // the colour sequences of sla's table whole.
    let sla = &runs[4].1;
    assert!(sla.stdout.contains("INC-0001"), "{sla}");
    assert!(
        sla.stdout.contains("\x1b[1m\x1b[31mbreached\x1b[0m"),
        "{sla}"
    );
    // JSON stays JSON, with the same title in it.
    for args in [
        &["show", "INC-0001", "--format", "json"][..],
        &["list", "--format", "json"],
    ] {
        let run = repo.run(args);
        let doc: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{args:?} is not JSON ({e}):\n{run}"));
        assert!(doc.to_string().contains("\\u001b]0;pwned"), "{doc}");
        assert!(!run.stdout.contains('\u{9b}'), "{run}");
    }
    // validate warns, at the title.
    let validate = &runs[2].1;
    assert!(validate.stderr.contains("control-character"), "{validate}");
    assert!(
        validate.stderr.contains("incidents/INC-0001.yaml:2:"),
        "{validate}"
    );
    // Our own colours still reach the terminal.
    assert!(validate.stderr.contains("\x1b["), "{validate}");
}

#[test]
fn a_file_name_cannot_drive_the_terminal() {
    let repo = Repo::new();
    // A record file whose name retitles the terminal: Git and the file
    // system allow it, and the diagnostic names the file.
    let name = "incidents/INC-\x1b]0;pwned\x07.yaml";
    repo.write(name, VALID_INCIDENT);
    let run = repo.run(["--color", "always", "validate"]);
    run.expect_code(1);
    for bad in ["\x1b]", "\x07"] {
        assert!(!run.stderr.contains(bad), "printed {bad:?}:\n{run}");
    }
    // Named all the same, its controls written out.
    assert!(run.stderr.contains(r"INC-\x1b]0;pwned\x07.yaml"), "{run}");
}

#[test]
fn a_control_character_cannot_break_the_junit_report() {
    // The report is also valid against Jenkins' schema of JUnit XML, so
    // that a CI dashboard accepts it whatever a record holds.
    let repo = Repo::new();
    // An unknown state quoted in the message, holding ESC and NUL.
    repo.write(
        "incidents/INC-0001.yaml",
        VALID_INCIDENT.replace("status: new", r#"status: "new\e[2J\0""#),
    );
    let run = repo.run(["validate", "--format", "junit"]);
    run.expect_code(1);
    assert!(run.stdout.contains(r"\x1b[2J\x00"), "{run}");
    let report = repo.sandbox.dir("junit").join("report.xml");
    std::fs::write(&report, &run.stdout).expect("write");
    // Real consumers: libxml2 against Jenkins' JUnit XSD, and Python's expat.
    let Some(xsd) = common::tool_file("downloads/junit-10.xsd") else {
        return;
    };
    let xsd = xsd.to_string_lossy();
    let consumers: [(&str, Vec<&str>); 2] = [
        ("xmllint", vec!["--noout", "--schema", &xsd]),
        (
            "python3",
            vec![
                "-c",
                "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])",
            ],
        ),
    ];
    for (tool, args) in consumers {
        let Some(path) = common::require_tool(&[tool], "apt-get install libxml2-utils python3")
        else {
            continue;
        };
        let out = Command::new(path)
            .args(&args)
            .arg(&report)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{tool} rejects the report: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            run.stdout
        );
    }
}

#[test]
fn a_query_cannot_write_attach_or_copy_the_index_out() {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    let dropped = repo.sandbox.dir("host").join("dropped.db");
    let dropped = dropped.to_string_lossy();
    for sql in [
        "DELETE FROM files".to_owned(),
        "UPDATE files SET id = 'INC-9999'".to_owned(),
        "DROP VIEW incidents".to_owned(),
        "CREATE TABLE t (x)".to_owned(),
        "SELECT 1; DELETE FROM files".to_owned(),
        format!("ATTACH DATABASE '{dropped}' AS x"),
        format!("VACUUM INTO '{dropped}'"),
        "SELECT load_extension('/nonexistent/evil.so')".to_owned(),
    ] {
        let run = repo.run(["query", sql.as_str()]);
        assert_eq!(run.code, 2, "`{sql}` ran:\n{run}");
    }
    assert!(
        !std::path::Path::new(dropped.as_ref()).exists(),
        "a query wrote a file"
    );
    let run = repo.run(["query", "SELECT id FROM incidents", "--format", "csv"]);
    assert_eq!(run.stdout, "id\nINC-0001\n", "the index was changed: {run}");
}

#[test]
fn a_forged_index_row_does_not_outlive_the_next_run() {
    // The index is derived data: a row edited behind gitsm's back (here,
    // a record's status) is not believed once its stat data no longer
    // matches the file; and a forged fingerprint is only a rebuild.
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    repo.run(["list"]).expect_code(0);
    let index = repo.path(".git/gitsm/index.sqlite");
    let forge = |sql: &str| {
        let db = rusqlite::Connection::open(&index).expect("index");
        db.execute(sql, []).expect("forge");
    };
    forge("UPDATE files SET open = 0, record = NULL, size = size + 1 WHERE id = 'INC-0001'");
    let run = repo.run(["list", "--open"]);
    assert!(run.stdout.contains("INC-0001"), "{run}");
    forge("UPDATE files SET open = 0, record = NULL");
    forge("UPDATE meta SET value = 'forged' WHERE key = 'fingerprint'");
    let run = repo.run(["list", "--open"]);
    assert!(run.stdout.contains("INC-0001"), "{run}");
    assert!(run.stderr.contains("rebuilt"), "{run}");
}

#[test]
fn extending_an_approved_access_grant_needs_a_new_approval() {
    // REQ-0011 in the example: a contractor's VPN access until 2027-06-30,
    // approved and signed by Anna with that end. Moving `expires_at` a
    // year on, without a new decision, is refused: the end is part of
    // what the approval signed. Removing it (falling back to the
    // catalogue's 90 days) changes the signed content too.
    let sb = common::Sandbox::new();
    let root = sb.example_repo();
    let path = root.join("requests/REQ-0011.yaml");
    let signed = std::fs::read_to_string(&path).expect("REQ-0011");
    assert!(signed.contains("expires_at: 2027-06-30T18:00:00+02:00\n"));
    for edited in [
        signed.replace(
            "expires_at: 2027-06-30T18:00:00+02:00\n",
            "expires_at: 2028-06-30T18:00:00+02:00\n",
        ),
        signed.replace("expires_at: 2027-06-30T18:00:00+02:00\n", ""),
    ] {
        std::fs::write(&path, &edited).expect("edit");
        sb.gitsm(&root, ["validate"])
            .expect_code(1)
            .stderr_has("REQ-0011")
            .stderr_has("needs 1 approval(s) from `service-desk-leads`");
    }
    std::fs::write(&path, &signed).expect("restore");
    sb.gitsm(&root, ["validate"]).expect_code(0);
}
