//! The local index (`<git dir>/gitsm/index.sqlite`): it answers as a full
//! read of the files does, follows every edit, is rebuilt when it cannot
//! be trusted, survives runs side by side, and serves `search`, `query`
//! and `export`.

use crate::common;

use std::path::PathBuf;

use common::Repo;
use gitsm_core::local_index::testing::damage;
use proptest::prelude::*;

/// An incident with a word of its own in its description.
fn incident(n: u32, status: &str, word: &str, service: Option<&str>) -> String {
    let mut text = format!(
        "id: INC-{n:04}\ntitle: Incident {n}\nstatus: {status}\ncreated_at: 2026-11-{day:02}T09:00:00+01:00\n\
         reported_by: someone@example.com\nimpact: {impact}\nurgency: high\n",
        day = 1 + n % 20,
        impact = if n.is_multiple_of(2) { "high" } else { "low" },
    );
    if status != "new" {
        text.push_str("acknowledged_at: 2026-11-21T09:30:00+01:00\n");
    }
    if matches!(status, "resolved" | "closed") {
        text.push_str("resolved_at: 2026-11-21T09:45:00+01:00\n");
    }
    if status == "closed" {
        text.push_str("closed_at: 2026-11-21T09:50:00+01:00\n");
    }
    if let Some(s) = service {
        text.push_str(&format!("service: {s}\n"));
    }
    text.push_str(&format!("description: Seen by the {word} team.\n"));
    text
}

/// A repository whose one commit holds INC-0001 (its word: zebrafinch).
fn one_incident() -> Repo {
    let repo = Repo::new();
    repo.write(
        "incidents/INC-0001.yaml",
        incident(1, "new", "zebrafinch", None),
    );
    repo.commit("start", "2026-11-21T09:00:00+01:00");
    repo
}

const SERVICE: &str = "id: shop\nname: Shop\nclass: service\nstatus: active\n";

fn index_path(repo: &Repo) -> PathBuf {
    repo.path(".git/gitsm/index.sqlite")
}

/// The same command through the index and through a full read.
#[track_caller]
fn same_both_ways(repo: &Repo, args: &[&str]) -> String {
    let indexed = repo.run(args);
    let full = repo.run_env(args, &[("GITSM_NO_INDEX", "1")]);
    assert_eq!(
        (indexed.code, &indexed.stdout),
        (full.code, &full.stdout),
        "`gitsm {}` differs through the index\nindexed stderr: {}\nfull stderr: {}",
        args.join(" "),
        indexed.stderr,
        full.stderr
    );
    indexed.stdout
}

/// What `gitsm query SQL --format csv` writes; it must succeed.
#[track_caller]
fn query_csv(repo: &Repo, sql: &str) -> String {
    let run = repo.run(["query", sql, "--format", "csv"]);
    assert_eq!(run.code, 0, "{run}");
    run.stdout
}

/// The ids `search` finds for `word`.
fn found(repo: &Repo, word: &str) -> Vec<String> {
    let run = repo.run(["search", word, "--limit", "1000", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    let hits: serde_json::Value = serde_json::from_str(&run.stdout).expect("search writes JSON");
    let mut ids: Vec<String> = hits
        .as_array()
        .expect("a list")
        .iter()
        .map(|h| h["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    ids.sort();
    ids
}

/// An edit a user (or Git) makes to the work tree.
#[derive(Debug, Clone)]
enum Step {
    /// Write incident `n` (new, or over the old one: same size or not).
    Write { n: u32, status: usize, word: usize },
    /// Delete incident `n`'s file.
    Remove { n: u32 },
    /// Break incident `n`'s YAML.
    Break { n: u32 },
    /// Commit everything.
    Commit,
}

const STATUSES: [&str; 4] = ["new", "in_progress", "resolved", "closed"];
/// Of one length: rewriting a file with another leaves its size alone,
/// so only its times (or a second look at a racily clean file) tell.
const WORDS: [&str; 3] = ["zebrafinch", "quokkaland", "narwhalery"];

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (1u32..4, 0usize..4, 0usize..3).prop_map(|(n, status, word)| Step::Write { n, status, word }),
        1 => (1u32..4).prop_map(|n| Step::Remove { n }),
        1 => (1u32..4).prop_map(|n| Step::Break { n }),
        1 => Just(Step::Commit),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// After every edit — within the same second as the last run, so that
    /// stat data alone cannot tell — `list`, `show` and `search` through
    /// the index give what a full read gives.
    #[test]
    fn the_index_answers_as_a_full_read_does(steps in prop::collection::vec(step(), 2..8)) {
        let repo = Repo::new();
        repo.write("cis/shop.yaml", SERVICE);
        repo.write("incidents/INC-0001.yaml", incident(1, "new", WORDS[0], Some("shop")));
        repo.commit("start", "2026-11-21T09:00:00+01:00");
        let mut words: std::collections::BTreeMap<u32, usize> = [(1, 0)].into();
        for step in &steps {
            match *step {
                Step::Write { n, status, word } => {
                    let service = (!n.is_multiple_of(2)).then_some("shop");
                    repo.write(&format!("incidents/INC-{n:04}.yaml"), incident(n, STATUSES[status], WORDS[word], service));
                    words.insert(n, word);
                }
                Step::Remove { n } => {
                    let _ = std::fs::remove_file(repo.path(&format!("incidents/INC-{n:04}.yaml")));
                    words.remove(&n);
                }
                Step::Break { n } => {
                    repo.write(&format!("incidents/INC-{n:04}.yaml"), "id: [unclosed\n");
                    words.remove(&n);
                }
                Step::Commit => {
                    repo.git(["add", "-A"]);
                    let run = repo.try_commit(&["-q", "--allow-empty", "-m", "step"], "2026-11-21T09:10:00+01:00");
                    prop_assert_eq!(run.code, 0, "{}", run);
                }
            }
            same_both_ways(&repo, &["list", "--format", "json"]);
            same_both_ways(&repo, &["list", "--open", "--format", "csv"]);
            same_both_ways(&repo, &["show", "INC-0001", "--format", "json"]);
            same_both_ways(&repo, &["show", "shop", "--format", "json"]);
            for (w, word) in WORDS.iter().enumerate() {
                let expected: Vec<String> = words
                    .iter()
                    .filter(|(_, x)| **x == w)
                    .map(|(n, _)| format!("INC-{n:04}"))
                    .collect();
                prop_assert_eq!(found(&repo, word), expected, "search {}", word);
            }
        }
    }
}

#[test]
fn the_index_lives_in_the_git_directory_and_is_rebuilt_when_damaged() {
    let repo = one_incident();
    let listed = same_both_ways(&repo, &["list", "--format", "json"]);
    assert!(index_path(&repo).is_file(), "no index in .git/gitsm");
    assert_eq!(
        repo.git(["status", "--porcelain"]),
        "",
        "the index is not in the work tree"
    );

    // Garbage, a truncated database, an index of an older format: each is
    // rebuilt from the records, with a note, and the answer is the same.
    let garbage = b"this is not an SQLite database, just bytes".repeat(200);
    std::fs::write(index_path(&repo), &garbage).expect("overwrite the index");
    let run = repo.run(["list", "--format", "json"]);
    assert_eq!((run.code, &run.stdout), (0, &listed), "{run}");
    assert!(run.stderr.contains("the local index was rebuilt"), "{run}");

    let whole = std::fs::read(index_path(&repo)).expect("index rebuilt");
    std::fs::write(index_path(&repo), &whole[..whole.len() / 3]).expect("truncate the index");
    let run = repo.run(["list", "--format", "json"]);
    assert_eq!((run.code, &run.stdout), (0, &listed), "{run}");
    assert!(run.stderr.contains("the local index was rebuilt"), "{run}");

    let db = rusqlite::Connection::open(index_path(&repo)).expect("open the index");
    db.pragma_update(None, "user_version", 1)
        .expect("mark it old");
    drop(db);
    let run = repo.run(["search", "zebrafinch"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("INC-0001"), "{run}");
    assert!(run.stderr.contains("format 1"), "{run}");

    // A changed policy is a rebuild too (priorities follow the matrix).
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("config");
    repo.write("gitsm.yaml", format!("{config}\n# edited\n"));
    let run = repo.run(["list", "--format", "json"]);
    assert!(run.stderr.contains("gitsm.yaml"), "{run}");
    let run = repo.run(["list", "--format", "json"]);
    assert_eq!(run.stderr, "", "a second run trusts the rebuilt index");
}

/// A database of someone's outside the repository, and its bytes.
#[cfg(unix)]
fn outside_database(repo: &Repo) -> (PathBuf, Vec<u8>) {
    let victim = repo.sandbox.dir("elsewhere").join("customers.db");
    let db = rusqlite::Connection::open(&victim).expect("a database");
    db.execute_batch("CREATE TABLE customers(name); INSERT INTO customers VALUES ('Ada');")
        .expect("a table");
    drop(db);
    let bytes = std::fs::read(&victim).expect("its bytes");
    (victim, bytes)
}

#[cfg(unix)]
#[test]
fn attack_a_link_at_the_index_writes_nothing_where_it_points() {
    use std::os::unix::fs::symlink;
    let repo = one_incident();
    let listed = same_both_ways(&repo, &["list", "--format", "json"]);
    // The index swapped for a link to an SQLite database elsewhere: its
    // tables would be dropped and the index's written in their place.
    let (victim, bytes) = outside_database(&repo);
    std::fs::remove_file(index_path(&repo)).expect("rm the index");
    symlink(&victim, index_path(&repo)).expect("link");
    let run = repo.run(["list", "--format", "json"]);
    assert_eq!((run.code, &run.stdout), (0, &listed), "{run}");
    assert!(run.stderr.contains("the local index was rebuilt"), "{run}");
    assert_eq!(std::fs::read(&victim).expect("still there"), bytes);
    assert!(
        std::fs::symlink_metadata(index_path(&repo))
            .expect("an index")
            .is_file(),
        "the link was replaced by an index of its own"
    );
    // A link to nothing: nothing is made where it points.
    let nowhere = repo.sandbox.dir("elsewhere").join("made.db");
    std::fs::remove_file(index_path(&repo)).expect("rm the index");
    symlink(&nowhere, index_path(&repo)).expect("link");
    let run = repo.run(["list", "--format", "json"]);
    assert_eq!((run.code, &run.stdout), (0, &listed), "{run}");
    assert!(!nowhere.exists(), "a file was made where the link points");
}

#[cfg(unix)]
#[test]
fn attack_a_link_at_the_index_clock_or_stat_cache_truncates_nothing() {
    use std::os::unix::fs::symlink;
    let repo = one_incident();
    same_both_ways(&repo, &["list", "--format", "json"]);
    let (victim, bytes) = outside_database(&repo);
    for beside in ["index.sqlite.clock", "index.sqlite.stat"] {
        let path = repo.path(&format!(".git/gitsm/{beside}"));
        std::fs::remove_file(&path).expect("rm");
        symlink(&victim, &path).expect("link");
        // An edit, so that the clock is read and the cache written.
        let text = std::fs::read_to_string(repo.path("incidents/INC-0001.yaml")).expect("read");
        repo.write("incidents/INC-0001.yaml", format!("{text}# {beside}\n"));
        same_both_ways(&repo, &["list", "--format", "json"]);
        assert_eq!(
            std::fs::read(&victim).expect("still there"),
            bytes,
            "{beside}"
        );
    }
}

#[cfg(unix)]
#[test]
fn attack_a_pipe_beside_the_index_is_not_waited_on() {
    let repo = one_incident();
    let listed = same_both_ways(&repo, &["list", "--format", "json"]);
    for beside in ["index.sqlite.clock", "index.sqlite.stat", "index.sqlite"] {
        let path = repo.path(&format!(".git/gitsm/{beside}"));
        std::fs::remove_file(&path).expect("rm");
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        let title = format!("title: Incident 1 {beside}");
        let text = std::fs::read_to_string(repo.path("incidents/INC-0001.yaml")).expect("read");
        let text = text.lines().map(|l| {
            if l.starts_with("title:") {
                title.as_str()
            } else {
                l
            }
        });
        repo.write(
            "incidents/INC-0001.yaml",
            text.collect::<Vec<_>>().join("\n") + "\n",
        );
        // Bounded by `timeout`: a run waiting on the pipe is killed (124).
        let mut cmd = std::process::Command::new("timeout");
        common::hermetic(&mut cmd, &repo.sandbox.home());
        let out = cmd
            .current_dir(&repo.root)
            .args(["60", common::bin(), "list", "--format", "json"])
            .output()
            .expect("timeout runs");
        assert_eq!(out.status.code(), Some(0), "{beside}: {out:?}");
        let full = repo.run_env(["list", "--format", "json"], &[("GITSM_NO_INDEX", "1")]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            full.stdout,
            "{beside}"
        );
        assert!(
            full.stdout.contains(beside) && full.stdout != listed,
            "{beside}"
        );
    }
}

#[test]
fn an_index_of_this_format_laid_out_otherwise_is_rebuilt() {
    let repo = one_incident();
    let listed = same_both_ways(&repo, &["list", "--format", "json"]);
    let db = rusqlite::Connection::open(index_path(&repo)).expect("open the index");
    let format: i64 = db
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("its format");
    drop(db);
    // A table the index reads dropped; another database of the same
    // format number.
    let dropped = |db: &rusqlite::Connection| {
        db.execute_batch("DROP TABLE meta;").expect("drop");
    };
    let foreign = |db: &rusqlite::Connection| {
        db.execute_batch("CREATE TABLE files(x);").expect("a table");
        db.pragma_update(None, "user_version", format)
            .expect("format");
    };
    for (what, damage) in [
        ("dropped", &dropped as &dyn Fn(&rusqlite::Connection)),
        ("foreign", &foreign),
    ] {
        if what == "foreign" {
            for suffix in ["", "-wal", "-shm"] {
                let _ =
                    std::fs::remove_file(repo.path(&format!(".git/gitsm/index.sqlite{suffix}")));
            }
        }
        damage(&rusqlite::Connection::open(index_path(&repo)).expect("open"));
        let run = repo.run(["list", "--format", "json"]);
        assert_eq!((run.code, &run.stdout), (0, &listed), "{what}: {run}");
        assert!(
            run.stderr.contains("the local index was rebuilt"),
            "{what}: {run}"
        );
        let run = repo.run(["list", "--format", "json"]);
        assert_eq!(
            run.stderr, "",
            "{what}: a second run trusts the rebuilt index"
        );
    }
}

fn stat_cache_path(repo: &Repo) -> PathBuf {
    repo.path(".git/gitsm/index.sqlite.stat")
}

#[test]
fn a_damaged_stat_cache_is_rebuilt_and_a_stale_one_never_trusted() {
    let repo = one_incident();
    repo.write(
        "incidents/INC-0002.yaml",
        incident(2, "new", "quokkaland", None),
    );
    let listed = same_both_ways(&repo, &["list", "--format", "json"]);
    assert!(
        stat_cache_path(&repo).is_file(),
        "no stat cache next to the index"
    );
    let whole = std::fs::read(stat_cache_path(&repo)).expect("stat cache");

    // Garbage, a truncated file, one flipped byte: each is rebuilt from
    // the database, with a note, and the answer is the same.
    let mut flipped = whole.clone();
    let last = flipped.len() - 3;
    flipped[last] ^= 0x20;
    for damaged in [
        b"not a stat cache".repeat(50),
        whole[..whole.len() / 2].to_vec(),
        whole[..10].to_vec(),
        flipped,
    ] {
        std::fs::write(stat_cache_path(&repo), &damaged).expect("damage the stat cache");
        let run = repo.run(["list", "--format", "json"]);
        assert_eq!((run.code, &run.stdout), (0, &listed), "{run}");
        assert!(
            run.stderr
                .contains("the local index's stat cache was rebuilt"),
            "{run}"
        );
        let run = repo.run(["list", "--format", "json"]);
        assert_eq!(run.stderr, "", "a second run trusts the rebuilt cache");
    }

    // A cache of an earlier state of the rows (a run stopped between
    // writing the database and the cache, or the cache put back by hand)
    // is not of the rows' stamp: the rows' own stat data decide, without
    // a note. INC-0002 is removed and INC-0003 added since that cache.
    let old = std::fs::read(stat_cache_path(&repo)).expect("stat cache");
    std::fs::remove_file(repo.path("incidents/INC-0002.yaml")).expect("remove");
    repo.write(
        "incidents/INC-0003.yaml",
        incident(3, "in_progress", "narwhalery", None),
    );
    same_both_ways(&repo, &["list", "--format", "json"]);
    std::fs::write(stat_cache_path(&repo), &old).expect("put the old cache back");
    let run = repo.run(["list", "--format", "json"]);
    assert_eq!(run.stderr, "", "{run}");
    assert!(!run.stdout.contains("INC-0002"), "{run}");
    assert!(run.stdout.contains("INC-0003"), "{run}");
    assert_eq!(found(&repo, "narwhalery"), ["INC-0003"]);
    assert_eq!(found(&repo, "quokkaland"), Vec::<String>::new());

    // An index deleted and built again draws a new stamp: the cache of
    // the old one is not taken for it.
    let before = std::fs::read(stat_cache_path(&repo)).expect("stat cache");
    std::fs::remove_file(index_path(&repo)).expect("drop the index");
    std::fs::write(stat_cache_path(&repo), &before).expect("keep the cache");
    same_both_ways(&repo, &["list", "--format", "json"]);
    assert_ne!(
        std::fs::read(stat_cache_path(&repo)).expect("stat cache"),
        before,
        "the cache was written again for the new index"
    );
}

#[test]
fn a_folder_in_the_stat_cache_s_place_is_said_each_run_never_claimed_rebuilt() {
    let repo = one_incident();
    let listed = same_both_ways(&repo, &["list", "--format", "json"]);
    std::fs::remove_file(stat_cache_path(&repo)).expect("remove the cache");
    std::fs::create_dir(stat_cache_path(&repo)).expect("a folder in its place");
    repo.write(
        "incidents/INC-0002.yaml",
        incident(2, "new", "quokkaland", None),
    );
    // Rows changed, then none: each run answers from the index's rows and
    // says the cache cannot be kept (it is not rebuilt), the folder left.
    let mut answers = Vec::new();
    for _ in 0..2 {
        let run = repo.run(["list", "--format", "json"]);
        assert_eq!(run.code, 0, "{run}");
        assert!(
            run.stderr.contains("stat cache cannot be written")
                && run.stderr.contains("index.sqlite.stat"),
            "{run}"
        );
        assert!(!run.stderr.contains("rebuilt"), "{run}");
        answers.push(run.stdout);
    }
    assert_ne!(answers[0], listed, "INC-0002 is listed");
    assert_eq!(answers[0], answers[1]);
    assert!(stat_cache_path(&repo).is_dir());
    // Removed: the cache is written again, without a word.
    std::fs::remove_dir(stat_cache_path(&repo)).expect("remove the folder");
    let run = repo.run(["list", "--format", "json"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run}");
    assert!(stat_cache_path(&repo).is_file());
    assert_eq!(repo.run(["list", "--format", "json"]).stderr, "");
}

#[test]
fn a_folder_in_the_index_s_place_is_said_each_run_never_claimed_rebuilt() {
    let repo = one_incident();
    let listed = same_both_ways(&repo, &["list", "--format", "json"]);
    std::fs::remove_file(index_path(&repo)).expect("remove the index");
    std::fs::create_dir(index_path(&repo)).expect("a folder in its place");
    for _ in 0..2 {
        let run = repo.run(["list", "--format", "json"]);
        assert_eq!((run.code, &run.stdout), (0, &listed), "{run}");
        assert!(
            run.stderr.contains("not a regular file")
                && run.stderr.contains("cannot be replaced")
                && run.stderr.contains("built in memory for this run"),
            "{run}"
        );
        assert!(!run.stderr.contains("rebuilt"), "{run}");
    }
    assert!(index_path(&repo).is_dir(), "the folder is the user's");
}

#[cfg(unix)]
#[test]
fn attack_a_link_or_a_folder_at_the_index_s_journal_is_replaced_or_named() {
    use std::os::unix::fs::symlink;
    let repo = one_incident();
    let listed = same_both_ways(&repo, &["list", "--format", "json"]);
    let journal = |suffix: &str| repo.path(&format!(".git/gitsm/index.sqlite{suffix}"));
    // A link at the write-ahead log: SQLite refused to open the index run
    // after run, and each built one in memory. It is removed with the
    // index, never written through, and the next run trusts the rebuilt
    // index.
    let (victim, bytes) = outside_database(&repo);
    let _ = std::fs::remove_file(journal("-wal"));
    symlink(&victim, journal("-wal")).expect("link");
    let run = repo.run(["list", "--format", "json"]);
    assert_eq!((run.code, &run.stdout), (0, &listed), "{run}");
    assert!(run.stderr.contains("the local index was rebuilt"), "{run}");
    assert_eq!(std::fs::read(&victim).expect("still there"), bytes);
    let again = repo.run(["list", "--format", "json"]);
    assert_eq!((again.code, again.stderr.as_str()), (0, ""), "{again}");
    // A folder at the shared memory is not removed: named, each run.
    let _ = std::fs::remove_file(journal("-shm"));
    std::fs::create_dir(journal("-shm")).expect("a folder in its place");
    let run = repo.run(["list", "--format", "json"]);
    assert_eq!((run.code, &run.stdout), (0, &listed), "{run}");
    assert!(
        run.stderr
            .contains("index.sqlite-shm is damaged: not a regular file")
            && run.stderr.contains("remove what stands in its place"),
        "{run}"
    );
    assert_eq!(run.stderr.matches("is damaged").count(), 1, "{run}");
    assert!(journal("-shm").is_dir(), "the folder is the user's");
}

#[test]
fn an_edit_keeping_size_and_modification_time_is_seen() {
    // Rewritten at once with as many bytes and its modification time
    // put back: the change time, and a racily clean entry read again,
    // still tell.
    let repo = one_incident();
    same_both_ways(&repo, &["list", "--format", "json"]);
    assert_eq!(found(&repo, "zebrafinch"), ["INC-0001"]);
    let path = repo.path("incidents/INC-0001.yaml");
    let modified = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("mtime");
    let before = std::fs::read(&path).expect("read");
    repo.write(
        "incidents/INC-0001.yaml",
        incident(1, "new", "quokkaland", None),
    );
    let file = std::fs::File::options()
        .write(true)
        .open(&path)
        .expect("open");
    file.set_modified(modified).expect("put the mtime back");
    drop(file);
    assert_eq!(
        std::fs::read(&path).expect("read").len(),
        before.len(),
        "same size"
    );
    assert_eq!(found(&repo, "zebrafinch"), Vec::<String>::new());
    assert_eq!(found(&repo, "quokkaland"), ["INC-0001"]);
    same_both_ways(&repo, &["show", "INC-0001", "--format", "json"]);
}

#[test]
fn a_folder_changed_with_its_modification_time_put_back_is_listed_again() {
    // A folder whose stat data are as the index recorded them is not
    // listed again (its files are taken from the stat cache). Dated in
    // 2020 by its modification time; an entry added or removed with the
    // date put back still changes its change time, and is seen. (Its
    // change time, which a test cannot set, is recent here: the folder
    // is racily clean by it and listed anyway; the scan's own tests take
    // entries from the cache.)
    let repo = one_incident();
    let folder = repo.path("incidents");
    let put_back = || {
        let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_577_836_800);
        std::fs::File::open(&folder)
            .and_then(|f| f.set_modified(old))
            .expect("date the folder");
    };
    put_back();
    same_both_ways(&repo, &["list", "--format", "json"]);
    same_both_ways(&repo, &["list", "--format", "json"]);
    repo.write(
        "incidents/INC-0002.yaml",
        incident(2, "new", "quokkaland", None),
    );
    put_back();
    assert_eq!(found(&repo, "quokkaland"), ["INC-0002"]);
    same_both_ways(&repo, &["list", "--format", "json"]);
    std::fs::remove_file(repo.path("incidents/INC-0001.yaml")).expect("remove");
    put_back();
    assert_eq!(found(&repo, "zebrafinch"), Vec::<String>::new());
    same_both_ways(&repo, &["list", "--format", "json"]);
    // A year folder made and dated too: its file is found, and removed
    // with it.
    repo.write(
        "incidents/2025/INC-0003.yaml",
        incident(3, "new", "narwhalery", None),
    );
    std::fs::File::open(repo.path("incidents/2025"))
        .and_then(|f| {
            f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_577_836_800))
        })
        .expect("date the year folder");
    put_back();
    assert_eq!(found(&repo, "narwhalery"), ["INC-0003"]);
    assert_eq!(found(&repo, "narwhalery"), ["INC-0003"]);
    std::fs::remove_dir_all(repo.path("incidents/2025")).expect("remove");
    put_back();
    assert_eq!(found(&repo, "narwhalery"), Vec::<String>::new());
    same_both_ways(&repo, &["list", "--format", "json"]);
}

#[test]
fn runs_side_by_side_share_one_index_without_damage() {
    let repo = Repo::new();
    for n in 1..=40 {
        repo.write(
            &format!("incidents/INC-{n:04}.yaml"),
            incident(n, "new", "quokkaish", None),
        );
    }
    repo.commit("start", "2026-11-21T09:00:00+01:00");
    let expected = repo
        .run_env(["list", "--format", "json"], &[("GITSM_NO_INDEX", "1")])
        .stdout;
    // Four cold runs at once: one builds, the others wait or build after.
    let children: Vec<_> = (0..4)
        .map(|_| repo.spawn(["list", "--format", "json"]))
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("gitsm ends");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    }
    let db = rusqlite::Connection::open(index_path(&repo)).expect("open the index");
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check");
    assert_eq!(check, "ok");
}

#[test]
fn search_ranks_titles_first_filters_and_never_fails_on_no_match() {
    let repo = Repo::new();
    repo.write("cis/shop.yaml", SERVICE);
    // The word in a title beats the word in a description; stemming
    // finds `acquirers` for `acquirer`.
    let mut body = incident(1, "new", "plain", None);
    body.push_str("notes:\n  - at: 2026-11-21T09:40:00+01:00\n    by: someone@example.com\n    text: the acquirers timed out\n");
    repo.write("incidents/INC-0001.yaml", body);
    repo.write(
        "incidents/INC-0002.yaml",
        incident(2, "closed", "plain", None)
            .replace("title: Incident 2", "title: Acquirer timeouts"),
    );
    repo.write(
        "problems/PRB-0001.yaml",
        "id: PRB-0001\ntitle: Acquirer link flaps\nstatus: new\ncreated_at: 2026-11-20T09:00:00+01:00\nreported_by: someone@example.com\n",
    );
    repo.commit("start", "2026-11-21T09:00:00+01:00");

    let run = repo.run(["search", "acquirer", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    let hits: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let ids: Vec<&str> = hits
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 3, "{run}");
    assert_eq!(
        ids[2], "INC-0001",
        "a body match ranks below title matches: {run}"
    );
    let note = &hits[2];
    let snippet = note["snippet"].as_str().expect("snippet");
    let (start, end) = (
        note["matches"][0][0].as_u64().unwrap_or(0) as usize,
        note["matches"][0][1].as_u64().unwrap_or(0) as usize,
    );
    assert_eq!(&snippet[start..end], "acquirers", "{run}");

    let only = |args: &[&str]| -> Vec<String> {
        let run = repo.run(args);
        assert_eq!(run.code, 0, "{run}");
        run.stdout
            .lines()
            .filter(|l| !l.starts_with(' '))
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        only(&["search", "acquirer", "--kind", "problem"]),
        ["PRB-0001"]
    );
    assert_eq!(
        only(&["search", "acquirer", "--open", "--kind", "incident"]),
        ["INC-0001"]
    );
    assert_eq!(only(&["search", "acquirer", "--limit", "1"]).len(), 1);
    // None at most is no search: refused, not "no record matches".
    let none = repo.run(["search", "acquirer", "--limit", "0"]);
    none.expect_code(2);
    assert!(!none.stderr.contains("no record matches"), "{none}");
    // Query syntax in the user's words is only words.
    assert_eq!(
        only(&["search", "acquirer NOT", "--kind", "problem"]),
        Vec::<String>::new()
    );
    assert_eq!(only(&["search", "\"link flaps\""]), ["PRB-0001"]);
    assert_eq!(only(&["search", "\"flaps link\""]), Vec::<String>::new());
    // `_` parts words as the index does: alone it is no word, and an
    // identifier finds its words in order.
    assert_eq!(
        only(&["search", "link_flaps _", "--kind", "problem"]),
        ["PRB-0001"]
    );

    let none = repo.run(["search", "nothingmatchesthis"]);
    assert_eq!((none.code, none.stdout.as_str()), (0, ""), "{none}");
    repo.run(["search", " - "]).expect_code(2);
}

#[test]
fn a_common_word_shows_the_best_of_the_full_ranking_with_their_snippets() {
    // `slow` is in every incident but one. Titles and bodies are each of
    // one length, so BM25 orders by hand: the title match first (a title
    // counts ten times: 10 × f(1) against at most f(3) < 2.2 for a body),
    // then three, two and one `slow` in the body; INC-0004 to INC-0008
    // tie, and the first rows the index holds (path order, as built) are
    // shown at the limit, then sorted by path.
    let repo = Repo::new();
    let body = |n: u32, title: &str, description: &str| {
        format!(
            "id: INC-{n:04}\ntitle: {title}\nstatus: new\ncreated_at: 2026-11-02T09:00:00+01:00\n\
             reported_by: someone@example.com\nimpact: low\nurgency: low\n\
             description: {description}\n"
        )
    };
    repo.write(
        "incidents/INC-0001.yaml",
        body(1, "Slow checkout", "other other other team"),
    );
    repo.write(
        "incidents/INC-0002.yaml",
        body(2, "Quiet checkout", "slow slow slow team"),
    );
    repo.write(
        "incidents/INC-0003.yaml",
        body(3, "Quiet checkout", "slow slow other team"),
    );
    for n in 4..=8 {
        repo.write(
            &format!("incidents/INC-{n:04}.yaml"),
            body(n, "Quiet checkout", "slow other other team"),
        );
    }
    repo.write(
        "incidents/INC-0009.yaml",
        body(9, "Quiet checkout", "other other other team"),
    );
    repo.commit("start", "2026-11-21T09:00:00+01:00");
    let hits = |args: &[&str]| -> Vec<serde_json::Value> {
        let run = repo.run(args);
        assert_eq!(run.code, 0, "{run}");
        let hits: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        hits.as_array().expect("a list").clone()
    };
    let ids = |hits: &[serde_json::Value]| -> Vec<String> {
        hits.iter()
            .map(|h| h["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let all = hits(&["search", "slow", "--limit", "100", "--format", "json"]);
    assert_eq!(
        ids(&all),
        [
            "INC-0001", "INC-0002", "INC-0003", "INC-0004", "INC-0005", "INC-0006", "INC-0007",
            "INC-0008"
        ]
    );
    let three = hits(&["search", "slow", "--limit", "3", "--format", "json"]);
    assert_eq!(ids(&three), ["INC-0001", "INC-0002", "INC-0003"]);
    // The same hits, snippets, marks and scores as the full ranking's top.
    assert_eq!(three, all[..3]);
    assert_eq!(three[0]["snippet"], "Slow checkout");
    assert_eq!(three[1]["snippet"], "slow slow slow team");
    assert_eq!(
        three[1]["matches"],
        serde_json::json!([[0, 4], [5, 9], [10, 14]])
    );
    assert!(
        three[0]["rank"].as_f64() < three[1]["rank"].as_f64()
            && three[1]["rank"].as_f64() < three[2]["rank"].as_f64()
            && three[2]["rank"].as_f64() < all[3]["rank"].as_f64(),
        "scores strictly better first: {all:?}"
    );
    // Equal scores at the limit: the first of them by path, with or
    // without a filter (which takes the matches another way).
    let five = hits(&["search", "slow", "--limit", "5", "--format", "json"]);
    assert_eq!(five, all[..5]);
    let filtered = hits(&[
        "search", "slow", "--kind", "incident", "--limit", "5", "--format", "json",
    ]);
    assert_eq!(filtered, all[..5]);
}

#[test]
fn equal_scores_at_the_limit_are_shown_by_path_not_by_when_indexed() {
    // Six incidents scoring alike (the same words, as many of them),
    // INC-0001 indexed last: the limit takes the first three by path,
    // as an index built afresh from the same files does.
    let repo = Repo::new();
    for n in 2..=6 {
        repo.write(
            &format!("incidents/INC-{n:04}.yaml"),
            incident(n, "new", "walrusine", None),
        );
    }
    repo.commit("start", "2026-11-21T09:00:00+01:00");
    assert_eq!(found(&repo, "walrusine").len(), 5);
    repo.write(
        "incidents/INC-0001.yaml",
        incident(1, "new", "walrusine", None),
    );
    let ids = |args: &[&str]| -> Vec<String> {
        let run = repo.run(args);
        assert_eq!(run.code, 0, "{run}");
        let hits: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).expect("json");
        hits.iter()
            .map(|h| h["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let plain = ["search", "walrusine", "--limit", "3", "--format", "json"];
    let filtered = [
        "search",
        "walrusine",
        "--kind",
        "incident",
        "--limit",
        "3",
        "--format",
        "json",
    ];
    let first = ["INC-0001", "INC-0002", "INC-0003"];
    assert_eq!(ids(&plain), first);
    assert_eq!(ids(&filtered), first);
    std::fs::remove_dir_all(repo.path(".git/gitsm")).expect("remove the index");
    assert_eq!(ids(&plain), first);
    assert_eq!(ids(&filtered), first);
}

#[test]
fn a_file_that_cannot_be_read_is_warned_of_whatever_the_filters() {
    // A file failing its schema has no status the index can filter on:
    // a filtered list still counts it, as a full read does.
    let repo = one_incident();
    repo.write(
        "incidents/INC-0500.yaml",
        "id: INC-0500\ntitle: x\nstatus: new\nbogus: 1\n",
    );
    let warning = "1 record file(s) could not be read";
    for args in [
        &["list", "--open"][..],
        &["list", "incident", "--status", "new"],
        &["list", "--priority", "P3"],
        &["list"],
    ] {
        let indexed = repo.run(args);
        let full = repo.run_env(args, &[("GITSM_NO_INDEX", "1")]);
        assert_eq!(indexed.stdout, full.stdout, "{args:?}");
        for run in [&indexed, &full] {
            assert!(run.stderr.contains(warning), "{args:?}: {run}");
        }
    }
    // Another kind's filter: nothing of incidents counted.
    let run = repo.run(["list", "problem", "--open"]);
    assert!(!run.stderr.contains(warning), "{run}");
}

#[test]
fn an_id_two_files_hold_resolves_through_the_index_as_in_a_full_read() {
    // An incident's file given the id of a change naming firewall-edge:
    // `validate` reports the duplicate, and meanwhile `show` of the CI
    // names, under that id, the record a full read takes for it (the
    // first file read), not the other.
    let sandbox = common::Sandbox::new();
    let root = sandbox.example_repo();
    let repo = Repo { sandbox, root };
    let incident = repo.path("incidents/INC-0005.yaml");
    let text = std::fs::read_to_string(&incident).expect("INC-0005");
    let text: Vec<&str> = text
        .lines()
        .map(|l| {
            if l.starts_with("id: ") {
                "id: CHG-0009"
            } else {
                l
            }
        })
        .collect();
    std::fs::write(&incident, text.join("\n") + "\n").expect("write");
    let shown = same_both_ways(&repo, &["show", "firewall-edge"]);
    assert!(shown.contains("CHG-0009"), "{shown}");
}

#[test]
fn the_statements_querys_help_shows_run_on_the_example() {
    // Each statement `gitsm query --help` offers (the argument's and the
    // examples') runs on the example organisation and finds rows.
    let sandbox = common::Sandbox::new();
    let root = sandbox.example_repo();
    let help = sandbox.gitsm(&root, ["query", "--help"]);
    help.expect_code(0);
    let spaced = help.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    let statements: Vec<&str> = regex::Regex::new(r#"e\.g\. `([^`]+)`|gitsm query "([^"]+)""#)
        .expect("regex")
        .captures_iter(&spaced)
        .filter_map(|c| c.get(1).or(c.get(2)))
        .map(|m| m.as_str())
        .collect();
    assert_eq!(statements.len(), 3, "{statements:?}\n{}", help.stdout);
    for sql in statements {
        let run = sandbox.gitsm(&root, ["query", sql, "--format", "json"]);
        run.expect_code(0);
        let rows: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        assert!(
            rows.as_array().is_some_and(|r| !r.is_empty()),
            "{sql}: no rows\n{run}"
        );
    }
}

const ENDLESS: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
                       SELECT x, printf('%.500c', 'a') AS pad FROM c";

#[test]
fn attack_a_query_without_end_stops_at_a_bound() {
    // A recursive statement that never ends, each row 500 bytes: held
    // whole for a table, it grew by gigabytes; it stops once the result
    // passes its bound, with what to do instead.
    let repo = one_incident();
    refused(&repo.run(["query", ENDLESS]), "a table over 64 MiB");
}

#[test]
fn attack_a_query_without_end_or_output_stops_at_its_time_limit() {
    // No row comes, so no bound on the output or memory stops it: a count
    // of an endless recursion ran at full CPU until killed.
    let repo = one_incident();
    let count = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
                 SELECT count(*) FROM c";
    for format in ["table", "csv"] {
        let run = repo.run(["query", count, "--timeout", "1", "--format", format]);
        refused(&run, "ran past its time limit (1s)");
    }
    // A statement that ends is not cut short.
    assert_eq!(
        query_csv(&repo, "SELECT count(*) AS n FROM records"),
        "n\n1\n"
    );
}

#[test]
fn attack_a_statement_of_few_heavy_steps_stops_at_its_time_limit() {
    // Twenty rows, each a value of 40 MB made in a handful of SQLite's
    // steps (seconds in all, in fewer steps than a look at the time was
    // once made after): stopped within the step it is at, not after.
    let repo = one_incident();
    let heavy = "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20) \
                 SELECT sum(length(replace(printf('%.*c', 20000000 + i, 'a'), 'a', 'bb'))) AS n \
                 FROM c";
    let run = repo.run(["query", heavy, "--timeout", "1", "--format", "csv"]);
    refused(&run, "ran past its time limit (1s)");
}

#[test]
fn attack_a_pasted_page_of_words_is_searched_once_per_word_or_refused() {
    let repo = one_incident();
    // Each word once: the repeats added a pass over the matches each
    // (4,000 of them took minutes).
    let pasted = "zebrafinch ".repeat(4000);
    let run = repo.run(["search", pasted.as_str(), "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("INC-0001"), "{run}");
    // More distinct words than a search takes: said, not searched for.
    let words: Vec<String> = (0..65).map(|i| format!("w{i}")).collect();
    let mut args = vec!["search"];
    args.extend(words.iter().map(String::as_str));
    let run = repo.run(args);
    run.expect_code(2);
    assert!(run.stderr.contains("at most 64 words"), "{run}");
}

/// A query refused with exit 2, saying `why`, having written nothing.
fn refused(run: &common::Run, why: &str) {
    run.expect_code(2);
    assert!(run.stderr.contains(why), "{run}");
    assert_eq!(run.stdout, "", "nothing written half-way: {run}");
}

#[test]
fn csv_and_json_rows_are_written_as_they_are_read() {
    use std::io::BufRead;
    // Held whole, `SELECT * FROM records` at 100,000 records took 472 MB.
    // Rows written as they come reach the reader before the statement
    // ends (this one never does), and the reader's leaving ends it.
    let repo = one_incident();
    for (format, first) in [("csv", "x,pad"), ("json", "[")] {
        let mut child = repo.spawn(["query", ENDLESS, "--format", format]);
        let mut lines = std::io::BufReader::new(child.stdout.take().expect("piped")).lines();
        let head: Vec<String> = lines.by_ref().take(3).map(|l| l.expect("a line")).collect();
        assert_eq!(head[0], first, "{format}");
        if format == "csv" {
            assert_eq!(head[1], format!("1,{}", "a".repeat(500)));
            assert!(head[2].starts_with("2,a"), "{head:?}");
        } else {
            assert_eq!(head[1], "  {");
            assert_eq!(head[2], "    \"x\": 1,");
        }
        drop(lines);
        let out = child.wait_with_output().expect("ends");
        // 141: the reader went away (as `git log | head` ends).
        assert_eq!(out.status.code(), Some(141), "{format}: {out:?}");
    }
}

#[test]
fn a_statement_failing_part_way_says_so_after_the_rows_before_it() {
    // SQLite meets the malformed JSON at the second row: the first stands
    // written, and the exit status and message say the rest is missing
    // (as `sqlite3` does); the JSON array is left unclosed, so no reader
    // takes it for the whole answer.
    let repo = one_incident();
    let sql = "SELECT json_extract(j, '$.a') AS a FROM \
               (SELECT '{\"a\": 1}' AS j UNION ALL SELECT 'not json')";
    let run = repo.run(["query", sql, "--format", "csv"]);
    run.expect_code(2);
    assert_eq!(run.stdout, "a\n1\n", "{run}");
    assert!(run.stderr.contains("malformed JSON"), "{run}");
    let run = repo.run(["query", sql, "--format", "json"]);
    run.expect_code(2);
    assert_eq!(run.stdout, "[\n  {\n    \"a\": 1\n  }\n", "{run}");
    assert!(serde_json::from_str::<serde_json::Value>(&run.stdout).is_err());
    let run = repo.run(["query", sql]);
    run.expect_code(2);
    assert_eq!(run.stdout, "", "a table is written whole or not at all");

    // No row, and a column named twice, as a whole array lays them out.
    let run = repo.run(["query", "SELECT 1 AS a WHERE 0", "--format", "json"]);
    assert_eq!(run.stdout, "[]\n", "{run}");
    let run = repo.run(["query", "SELECT 1 AS a WHERE 0", "--format", "csv"]);
    assert_eq!(run.stdout, "a\n", "{run}");
    let run = repo.run(["query", "SELECT 1 AS a, 2 AS b, 3 AS a", "--format", "json"]);
    assert_eq!(
        run.stdout, "[\n  {\n    \"a\": 3,\n    \"b\": 2\n  }\n]\n",
        "{run}"
    );
}

#[test]
fn attack_a_row_too_large_to_write_is_refused_in_every_format() {
    // One row of a 100 MB blob peaked at 0.9-1.1 GB written as CSV or
    // JSON (its hex, then each copy made to write it). SQLite makes no
    // value past 100 MiB, and a row over it written out (two 60 MB cells,
    // a 60 MB blob's hex) is refused before it is made text.
    let repo = one_incident();
    let blob = "SELECT randomblob(110000000) AS b";
    let wide = "SELECT printf('%.60000000c', 'a') AS a, printf('%.60000000c', 'b') AS b";
    let hex = "SELECT randomblob(60000000) AS b";
    for format in ["table", "csv", "json"] {
        let run = repo.run(["query", blob, "--format", format]);
        run.expect_code(2);
        assert!(run.stderr.contains("too big"), "{format}: {run}");
        for sql in [wide, hex] {
            refused(
                &repo.run(["query", sql, "--format", format]),
                "a row over 100 MiB",
            );
        }
    }
}

#[test]
fn attack_text_that_grows_as_it_is_written_or_held_twice_is_bounded() {
    // 40 MB of bytes that are not UTF-8, each written as U+FFFD (three
    // bytes): 120 MB out of a row SQLite holds as 40 (it peaked at 380 MB
    // to 770 MB, copied whole to be made UTF-8). Two values of 80 MB in
    // one statement, each under the row's bound: SQLite holds both (316
    // MB). Each is refused, as too large, whatever the format.
    let repo = one_incident();
    let grown =
        "SELECT CAST(replace(printf('%.40000000c', 'a'), 'a', CAST(x'ff' AS TEXT)) AS TEXT) AS t";
    let twice = "SELECT length(x) + length(y) AS n \
         FROM (SELECT printf('%.80000000c', 'a') AS x), (SELECT printf('%.80000000c', 'b') AS y)";
    for format in ["table", "csv", "json"] {
        refused(
            &repo.run(["query", grown, "--format", format]),
            "a row over 100 MiB",
        );
        refused(
            &repo.run(["query", twice, "--format", format]),
            "192 MiB held at once",
        );
    }
    // Under the bounds, text that is not UTF-8 is written as it always
    // was: each bad sequence as U+FFFD, quoted in CSV when it must be.
    let sql = "SELECT CAST(x'61ff62' AS TEXT) AS t, CAST(x'2c22f09f' AS TEXT) AS q";
    let run = repo.run(["query", sql, "--format", "csv"]);
    assert_eq!(run.stdout, "t,q\na\u{fffd}b,\",\"\"\u{fffd}\"\n", "{run}");
    let run = repo.run(["query", sql, "--format", "json"]);
    assert_eq!(
        run.stdout, "[\n  {\n    \"t\": \"a\u{fffd}b\",\n    \"q\": \",\\\"\u{fffd}\"\n  }\n]\n",
        "{run}"
    );
}

#[test]
fn attack_a_record_whose_json_outgrows_its_file_stays_queryable() {
    // A valid record of 0.8 MB whose text, through aliases, expands to
    // 12.2 million control characters: 73 MB as JSON (`\u0001` each).
    // A 32 MiB bound on the values SQLite reads made every view over the
    // records fail ("string or blob too big"), and the CSV export with
    // them, though the statement filtered the record out.
    let repo = one_incident();
    let text = format!("\"{}\"", "\\x01".repeat(200_000));
    let mut yaml = format!(
        "id: INC-0100\ntitle: Big\nstatus: new\ncreated_at: 2026-12-07T14:59:27Z\n\
         reported_by: a@example.com\nimpact: medium\nurgency: medium\n\
         description: &d {text}\nnotes:\n"
    );
    for _ in 0..60 {
        yaml.push_str("  - {at: 2026-12-07T15:00:00Z, by: a@example.com, text: *d}\n");
    }
    repo.write("incidents/INC-0100.yaml", &yaml);
    for (sql, rows) in [
        (
            "SELECT id, status FROM incidents WHERE id <> 'INC-0100'",
            "id,status\nINC-0001,new\n",
        ),
        (
            "SELECT length(record) > 70000000 AS big FROM records WHERE id = 'INC-0100'",
            "big\n1\n",
        ),
    ] {
        let run = repo.run(["query", sql, "--format", "csv"]);
        assert_eq!(run.stdout, rows, "{run}");
    }
    let run = repo.run(["export", "--format", "csv", "-o", "exports"]);
    run.expect_code(0);
    let records = std::fs::metadata(repo.path("exports/records.csv")).expect("records.csv");
    assert!(records.len() > 70_000_000, "{}", records.len());
}

#[test]
fn a_folder_in_a_csv_files_place_fails_the_export_before_any_file_moves() {
    let repo = one_incident();
    let out = repo.path("exports");
    std::fs::create_dir_all(out.join("clocks.csv/x")).expect("folder");
    std::fs::write(out.join("records.csv"), "last export").expect("write");
    let run = repo.run(["export", "--format", "csv", "-o", "exports"]);
    run.expect_code(2);
    assert!(run.stderr.contains("clocks.csv is a folder"), "{run}");
    let records = std::fs::read_to_string(out.join("records.csv")).expect("read");
    assert_eq!(records, "last export", "the last export stands whole");
    assert!(!out.join("incidents.csv").exists());
}

#[test]
fn query_answers_from_documented_views() {
    let repo = Repo::new();
    repo.write("cis/shop.yaml", SERVICE);
    // Impact high + urgency high is P1 in the starter matrix; low + high P3.
    repo.write(
        "incidents/INC-0001.yaml",
        incident(1, "new", "a", Some("shop")),
    );
    repo.write(
        "incidents/INC-0002.yaml",
        incident(2, "new", "a", Some("shop")),
    );
    repo.write(
        "incidents/INC-0003.yaml",
        incident(3, "closed", "a", Some("shop")),
    );
    repo.write("incidents/INC-0004.yaml", incident(4, "new", "a", None));
    repo.commit("start", "2026-11-21T09:00:00+01:00");

    let run = repo.run([
        "query",
        "SELECT service, priority, count(*) AS n FROM incidents GROUP BY service, priority ORDER BY service, priority",
        "--format",
        "csv",
    ]);
    assert_eq!(run.code, 0, "{run}");
    // INC-0002 and INC-0004: impact high, urgency high: P1; INC-0001 and
    // INC-0003: impact low, urgency high: P3 (the starter matrix).
    assert_eq!(
        run.stdout,
        "service,priority,n\n,P1,1\nshop,P1,1\nshop,P3,2\n"
    );

    // Times are UTC: 09:00+01:00 is 08:00Z.
    let run = repo.run([
        "query",
        "SELECT created_at FROM incidents WHERE id = 'INC-0001'",
        "--format",
        "json",
    ]);
    assert_eq!(
        run.stdout, "[\n  {\n    \"created_at\": \"2026-11-02T08:00:00Z\"\n  }\n]\n",
        "{run}"
    );

    let run = repo.run([
        "query",
        "SELECT source, field, target, target_kind FROM links WHERE source = 'INC-0001'",
    ]);
    assert_eq!(
        run.stdout, "source    field    target  target_kind\nINC-0001  service  shop    ci\n",
        "{run}"
    );

    // The response clock of the starter policy for P1: INC-0002 was
    // created 2026-11-03 09:00 and is not acknowledged: at NOW it is breached.
    let run = repo.run([
        "query",
        "SELECT record, clock, state FROM clocks WHERE record = 'INC-0002' ORDER BY clock",
        "--format",
        "csv",
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout.starts_with(
            "record,clock,state\nINC-0002,resolution,breached\nINC-0002,response,breached\n"
        ),
        "{run}"
    );

    let bad = repo.run(["query", "SELECT nope FROM incidents"]);
    assert_eq!(bad.code, 2, "{bad}");
    assert!(bad.stderr.contains("no such column: nope"), "{bad}");
}

#[test]
fn export_writes_a_database_and_csv_files_for_bi_tools() {
    let repo = Repo::new();
    repo.write("cis/shop.yaml", SERVICE);
    repo.write(
        "incidents/INC-0001.yaml",
        incident(1, "new", "a", Some("shop")),
    );
    repo.commit("start", "2026-11-21T09:00:00+01:00");
    let out = repo.sandbox.dir("out");
    let db_path = out.join("itsm.sqlite");
    repo.run([
        "export",
        "--format",
        "sqlite",
        "-o",
        db_path.to_str().unwrap_or_default(),
    ])
    .expect_code(0);
    let db = rusqlite::Connection::open(&db_path).expect("open the export");
    let mut tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("tables");
    tables.sort();
    assert_eq!(
        tables,
        [
            "changes",
            "cis",
            "clocks",
            "decisions",
            "incidents",
            "kb",
            "links",
            "notes",
            "problems",
            "records",
            "requests"
        ]
    );
    let (id, service): (String, String) = db
        .query_row("SELECT id, service FROM incidents", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("the incident");
    assert_eq!((id.as_str(), service.as_str()), ("INC-0001", "shop"));
    // Nothing of the index's own: stat data and full text stay local.
    assert!(!tables.contains(&"files".to_owned()));
    // Readable as any file written there (the umask's mode, not 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |p: &std::path::Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        let plain = out.join("plain");
        std::fs::write(&plain, "").expect("write");
        assert_eq!(mode(&db_path), mode(&plain));
    }

    let csv = out.join("csv");
    repo.run([
        "export",
        "--format",
        "csv",
        "-o",
        csv.to_str().unwrap_or_default(),
    ])
    .expect_code(0);
    let incidents = std::fs::read_to_string(csv.join("incidents.csv")).expect("incidents.csv");
    assert!(
        incidents.starts_with("path,id,title,status,created_at,"),
        "{incidents}"
    );
    assert!(
        incidents.contains("incidents/INC-0001.yaml,INC-0001,Incident 1,new,2026-11-02T08:00:00Z,"),
        "{incidents}"
    );
    for view in ["clocks", "kb", "cis"] {
        assert!(csv.join(format!("{view}.csv")).is_file(), "{view}.csv");
    }
}

#[test]
fn outside_git_the_index_is_built_in_memory() {
    let sandbox = common::Sandbox::new();
    let dir = sandbox.dir("plain");
    sandbox.gitsm(&dir, ["init"]).expect_code(0);
    common::write_file(
        &dir,
        "incidents/INC-0001.yaml",
        incident(1, "new", "zebrafinch", None),
    );
    let run = sandbox.gitsm(&dir, ["search", "zebrafinch"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.starts_with("INC-0001"), "{run}");
    assert!(!dir.join(".git").exists() && !dir.join(".gitsm").exists());
}

#[test]
fn two_managed_roots_in_one_repository_keep_an_index_each() {
    let sandbox = common::Sandbox::new();
    let repo = sandbox.git_repo("mono");
    for root in ["ops", "shop"] {
        let dir = repo.join(root);
        std::fs::create_dir_all(&dir).expect("mkdir");
        sandbox.gitsm(&dir, ["init"]).expect_code(0);
        common::write_file(
            &dir,
            "incidents/INC-0001.yaml",
            incident(1, "new", root, None),
        );
    }
    for _ in 0..2 {
        for root in ["ops", "shop"] {
            let run = sandbox.gitsm(&repo.join(root), ["search", root]);
            assert_eq!(run.code, 0, "{run}");
            assert!(run.stdout.starts_with("INC-0001"), "{run}");
            if run.stderr.contains("rebuilt") {
                panic!("the roots rebuild each other's index: {run}");
            }
        }
    }
    // An index and its stat cache each.
    let names: Vec<String> = std::fs::read_dir(repo.join(".git/gitsm"))
        .expect("index folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.iter().filter(|n| n.ends_with(".sqlite")).count(),
        2,
        "{names:?}"
    );
    assert_eq!(
        names.iter().filter(|n| n.ends_with(".sqlite.stat")).count(),
        2,
        "{names:?}"
    );
}

#[test]
fn a_file_name_that_is_not_utf8_is_indexed_as_it_is() {
    use std::os::unix::ffi::OsStrExt;
    let repo = Repo::new();
    repo.write(
        "incidents/INC-0001.yaml",
        incident(1, "new", "zebrafinch", None),
    );
    // Bytes no UTF-8 text has, and a `%` that must not read as an escape.
    for name in [&b"INC-\xff\xfe.yaml"[..], b"INC-%FF.yaml"] {
        let path = repo
            .path("incidents")
            .join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(&path, incident(2, "new", "quokkaland", None)).expect("write");
    }
    same_both_ways(&repo, &["list", "--format", "json"]);
    same_both_ways(&repo, &["list", "--format", "csv"]);
    // Written twice: the second run finds both files known and unchanged.
    same_both_ways(&repo, &["list", "--format", "json"]);
    // The documented path shows each byte that is not UTF-8 as %XX.
    let run = repo.run([
        "query",
        "SELECT path FROM records ORDER BY path",
        "--format",
        "csv",
    ]);
    assert_eq!(
        run.stdout,
        "path\nincidents/INC-%25FF.yaml\nincidents/INC-%FF%FE.yaml\nincidents/INC-0001.yaml\n",
        "{run}"
    );
}

#[test]
fn a_linked_worktree_keeps_its_own_index() {
    let repo = one_incident();
    let other = repo.sandbox.dir("other-tree");
    std::fs::remove_dir(&other).expect("git worktree add wants a new folder");
    repo.git(["worktree", "add", "-q", other.to_str().unwrap_or_default()]);
    // The worktree's record differs from the main tree's: each index says
    // what its own tree holds.
    common::write_file(
        &other,
        "incidents/INC-0001.yaml",
        incident(1, "new", "quokkaland", None),
    );
    let here = repo.run(["search", "zebrafinch"]);
    let there = repo.sandbox.gitsm(&other, ["search", "quokkaland"]);
    assert!(here.stdout.starts_with("INC-0001"), "{here}");
    assert!(there.stdout.starts_with("INC-0001"), "{there}");
    assert_eq!(
        repo.sandbox.gitsm(&other, ["search", "zebrafinch"]).stdout,
        ""
    );
    assert!(repo.path(".git/gitsm/index.sqlite").is_file());
    let linked = std::fs::read_dir(repo.path(".git/worktrees"))
        .expect("worktrees")
        .filter_map(Result::ok)
        .any(|e| e.path().join("gitsm/index.sqlite").is_file());
    assert!(linked, "no index in the linked worktree's Git directory");
}

#[test]
fn a_backslash_in_a_file_name_is_not_a_folder() {
    // On Unix `\` is a byte of a name: `2026\INC-0002.yaml` is one file
    // beside the year folder `2026/`, and both are indexed as they are.
    let repo = Repo::new();
    repo.write(
        "incidents/2026/INC-0002.yaml",
        incident(2, "new", "zebrafinch", None),
    );
    repo.write(
        "incidents/2026\\INC-0003.yaml",
        incident(3, "new", "quokkaland", None),
    );
    same_both_ways(&repo, &["list", "--format", "json"]);
    same_both_ways(&repo, &["show", "INC-0003", "--format", "json"]);
    let run = repo.run([
        "query",
        "SELECT path FROM records ORDER BY path",
        "--format",
        "csv",
    ]);
    assert_eq!(
        run.stdout, "path\nincidents/2026/INC-0002.yaml\nincidents/2026\\INC-0003.yaml\n",
        "{run}"
    );
    let run = repo.run(["search", "quokkaland"]);
    assert!(run.stdout.starts_with("INC-0003"), "{run}");
}

#[test]
fn a_field_named_like_an_sql_keyword_is_a_column_like_any_other() {
    // A repository's schema may add a field named `order`: the view gets a
    // column of that name (empty: the model keeps its own fields, and
    // organisation fields belong under `custom`), and the index works.
    let repo = Repo::new();
    repo.run(["schema", "-o", "schemas"]).expect_code(0);
    let path = repo.path("schemas/incident.schema.json");
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("schema")).expect("JSON");
    schema["properties"]["order"] = serde_json::json!({ "type": ["string", "null"] });
    std::fs::write(&path, serde_json::to_string_pretty(&schema).expect("JSON")).expect("write");
    repo.write(
        "incidents/INC-0001.yaml",
        format!("{}order: first\n", incident(1, "new", "zebrafinch", None)),
    );
    let run = repo.run([
        "query",
        "SELECT id, \"order\" FROM incidents",
        "--format",
        "csv",
    ]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "id,order\nINC-0001,\n", ""),
        "{run}"
    );
}

#[test]
fn the_index_holds_the_files_the_loader_reads_and_no_other() {
    // The scan lists folders itself: it must take the loader's files —
    // year folders included, one level deep — and leave what the loader
    // leaves (hidden files, links, stray folders, other extensions).
    let repo = Repo::new();
    for (n, path) in [
        (1, "incidents/INC-0001.yaml"),
        (2, "incidents/2025/INC-0002.yaml"),
        (3, "incidents/2026/INC-0003.yaml"),
        (4, "incidents/2026/2027/INC-0004.yaml"),
        (5, "incidents/misc/INC-0005.yaml"),
        (6, "incidents/.INC-0006.yaml"),
        (7, "incidents/INC-0007.yml"),
    ] {
        repo.write(path, incident(n, "new", "zebrafinch", None));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(
            repo.path("incidents/INC-0001.yaml"),
            repo.path("incidents/INC-0008.yaml"),
        )
        .expect("link a file");
        symlink(repo.path("incidents/2025"), repo.path("incidents/2024")).expect("link a folder");
    }
    let paths = |repo: &Repo| query_csv(repo, "SELECT path FROM records ORDER BY path");
    assert_eq!(
        paths(&repo),
        "path\nincidents/2025/INC-0002.yaml\nincidents/2026/INC-0003.yaml\nincidents/INC-0001.yaml\n"
    );
    same_both_ways(&repo, &["list", "--format", "json"]);
    // Moved into another year folder, one removed, one added: the index
    // follows (its stat cache no longer in the order of the scan).
    std::fs::rename(
        repo.path("incidents/INC-0001.yaml"),
        repo.path("incidents/2026/INC-0001.yaml"),
    )
    .expect("move");
    std::fs::remove_file(repo.path("incidents/2025/INC-0002.yaml")).expect("remove");
    repo.write(
        "incidents/INC-0009.yaml",
        incident(9, "new", "quokkaland", None),
    );
    assert_eq!(
        paths(&repo),
        "path\nincidents/2026/INC-0001.yaml\nincidents/2026/INC-0003.yaml\nincidents/INC-0009.yaml\n"
    );
    same_both_ways(&repo, &["list", "--format", "json"]);
    assert_eq!(found(&repo, "quokkaland"), ["INC-0009"]);
}

#[test]
fn attack_a_damaged_index_met_by_query_rows_or_an_export_is_read_again() {
    let repo = Repo::new();
    repo.write("cis/shop.yaml", SERVICE);
    repo.write(
        "incidents/INC-0001.yaml",
        incident(1, "new", "a", Some("shop")),
    );
    repo.commit("start", "2026-11-21T09:00:00+01:00");
    // The links' table: read by the statement, not by an opening that
    // finds no file changed.
    let sql = "SELECT source, field, target FROM links";
    let expected = [
        ("csv", "source,field,target\nINC-0001,service,shop\n"),
        (
            "json",
            "[\n  {\n    \"source\": \"INC-0001\",\n    \"field\": \"service\",\n    \"target\": \"shop\"\n  }\n]\n",
        ),
    ];
    for (format, rows) in expected {
        let healthy = repo.run(["query", sql, "--format", format]);
        assert_eq!(
            (healthy.code, healthy.stdout.as_str()),
            (0, rows),
            "{healthy}"
        );
        // No row is written before the damage is met: the statement is
        // asked again of the index rebuilt, and its rows are all there.
        damage(&index_path(&repo), "refs");
        let run = repo.run(["query", sql, "--format", format]);
        assert_eq!((run.code, run.stdout.as_str()), (0, rows), "{run}");
        assert!(run.stderr.contains("is damaged"), "{run}");
        let again = repo.run(["query", sql, "--format", format]);
        assert_eq!((again.code, again.stderr.as_str()), (0, ""), "{again}");
    }
    // An export, whose clocks read the damaged index first.
    damage(&index_path(&repo), "refs");
    let run = repo.run(["export", "--format", "csv", "-o", "bi"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("is damaged"), "{run}");
    let links = std::fs::read_to_string(repo.path("bi/links.csv")).expect("links.csv");
    assert!(links.contains("\nINC-0001,incident,service,"), "{links}");
    damage(&index_path(&repo), "refs");
    let run = repo.run(["export", "--format", "sqlite", "-o", "bi/itsm.sqlite"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("is damaged"), "{run}");
    let db = rusqlite::Connection::open(repo.path("bi/itsm.sqlite")).expect("the export");
    let ids: String = db
        .query_row("SELECT group_concat(target) FROM links", [], |r| r.get(0))
        .expect("its links");
    assert_eq!(ids, "shop");
}

#[test]
fn an_export_is_the_same_bytes_whatever_order_the_index_read_the_files_in() {
    let repo = Repo::new();
    repo.write("cis/shop.yaml", SERVICE);
    repo.commit("start", "2026-11-21T09:00:00+01:00");
    // The incidents come one run at a time, the last first: the index
    // holds them in that order.
    for n in (1..=3).rev() {
        repo.write(
            &format!("incidents/INC-{n:04}.yaml"),
            incident(n, "in_progress", "a", Some("shop")),
        );
        repo.run(["list"]).expect_code(0);
    }
    repo.run(["export", "--format", "csv", "-o", "before"])
        .expect_code(0);
    // Built again, it holds them in the order of their files.
    std::fs::remove_dir_all(repo.path(".git/gitsm")).expect("remove the index");
    repo.run(["export", "--format", "csv", "-o", "after"])
        .expect_code(0);
    for view in ["records", "incidents", "links", "clocks"] {
        let before = std::fs::read_to_string(repo.path(&format!("before/{view}.csv")));
        let after = std::fs::read_to_string(repo.path(&format!("after/{view}.csv")));
        assert_eq!(before.expect("before"), after.expect("after"), "{view}");
    }
    let links = std::fs::read_to_string(repo.path("after/links.csv")).expect("links");
    let sources: Vec<&str> = links
        .lines()
        .skip(1)
        .filter_map(|line| line.split(',').next())
        .collect();
    assert_eq!(sources, ["INC-0001", "INC-0002", "INC-0003"], "{links}");
}
