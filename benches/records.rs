//! In-process benchmarks of the per-record work every command repeats
//! (divan): parsing a record file, checking it against its schema and the
//! single-record rules, editing it in place, and SLA business-time sums.
//!
//! ```text
//! cargo bench --bench records
//! ```
//!
//! Whole commands on generated repositories are timed by `bench/run.sh`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use divan::{Bencher, black_box};
use gitsm::calendar::BusinessCalendar;
use gitsm::config::Calendar;
use gitsm::edit::{self, Edit, Step};
use gitsm::kind::Kind;
use gitsm::schema::Schemas;
use gitsm::workspace::Workspace;
use gitsm::yaml;

fn main() {
    divan::main();
}

fn example_repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo")
}

/// The example repository's first incident: 60 lines with escalations,
/// notes and a Markdown description.
fn incident() -> String {
    std::fs::read_to_string(example_repo().join("incidents/INC-0001.yaml"))
        .expect("example incident")
}

#[divan::bench]
fn yaml_parse(bencher: Bencher) {
    let text = incident();
    bencher.bench(|| yaml::parse(black_box(&text)).expect("parses"));
}

#[divan::bench]
fn schema_validate(bencher: Bencher) {
    let text = incident();
    let node = yaml::parse(&text).expect("parses");
    let json = node.to_json();
    let schemas = Schemas::builtin().expect("built-in schemas");
    let path = Path::new("incidents/INC-0001.yaml");
    bencher.bench(|| schemas.validate(Kind::Incident, black_box(&json), &node, path));
}

/// Everything `validate` does for one file before the cross-record checks:
/// UTF-8, YAML, schema, id and file name, state fields, priority, people.
#[divan::bench]
fn parse_and_check_record(bencher: Bencher) {
    let ws = Workspace::open(example_repo()).expect("example workspace");
    let bytes = incident().into_bytes();
    let rel = Path::new("incidents/INC-0001.yaml");
    bencher.bench(|| gitsm::checks::parse_record(&ws, Kind::Incident, rel, black_box(&bytes)));
}

/// `gitsm set`'s format-preserving edit (re-parsed to verify it).
#[divan::bench]
fn edit_status(bencher: Bencher) {
    let text = incident();
    let edits = [Edit::Set {
        path: vec![Step::Key("status".into())],
        value: "resolved".into(),
    }];
    bencher.bench(|| edit::apply(black_box(&text), &edits).expect("edits"));
}

/// Business time over 30 days in Berlin office hours (weekends and a DST
/// change included), as an SLA clock sums it.
#[divan::bench]
fn business_time_30_days(bencher: Bencher) {
    let calendar = BusinessCalendar::new(&Calendar {
        timezone: "Europe/Berlin".into(),
        ..Calendar::default()
    })
    .expect("calendar");
    let from: DateTime<Utc> = "2026-10-10T08:00:00Z".parse().expect("time");
    let to: DateTime<Utc> = "2026-11-09T08:00:00Z".parse().expect("time");
    bencher.bench(|| calendar.working_time(black_box(from), black_box(to)));
}

/// Two versions of a flat `incidents/` folder of `n` files that differ in
/// one file (in the middle), in a scratch repository.
struct TwoTrees {
    _dir: tempfile::TempDir,
    repo: git2::Repository,
    before: git2::Oid,
    after: git2::Oid,
}

fn two_trees(n: usize) -> TwoTrees {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = git2::Repository::init(dir.path()).expect("init");
    let root = |changed: Option<usize>| {
        let mut folder = repo.treebuilder(None).expect("builder");
        for i in 0..n {
            let text = match changed {
                Some(c) if c == i => format!("id: INC-{i:06}\nstatus: closed\n"),
                _ => format!("id: INC-{i:06}\nstatus: new\n"),
            };
            let blob = repo.blob(text.as_bytes()).expect("blob");
            folder
                .insert(format!("INC-{i:06}.yaml"), blob, 0o100_644)
                .expect("insert");
        }
        let folder = folder.write().expect("folder");
        let mut root = repo.treebuilder(None).expect("builder");
        root.insert("incidents", folder, 0o040_000).expect("insert");
        root.write().expect("root")
    };
    let (before, after) = (root(None), root(Some(n / 2)));
    TwoTrees {
        _dir: dir,
        repo,
        before,
        after,
    }
}

/// Which record files differ between two versions of a 1,000 / 10,000 /
/// 100,000-file folder: gitsm's raw tree diff, reading both trees each time
/// (in a history walk one of the two is still cached from the step before).
#[divan::bench(args = [1_000, 10_000, 100_000])]
fn changed_records_one_edit(bencher: Bencher, n: usize) {
    let t = two_trees(n);
    bencher.bench_local(|| {
        let mut trees = gitsm::tree_cache::TreeCache::new(&t.repo).expect("odb");
        gitsm::history::diff::changed_records(&mut trees, Some(t.before), Some(t.after), &Kind::ALL)
    });
}

/// The same question put to libgit2's tree diff (trees parsed each time:
/// libgit2 caches no tree over 4 KB).
#[divan::bench(args = [1_000, 10_000, 100_000])]
fn libgit2_diff_tree_to_tree_one_edit(bencher: Bencher, n: usize) {
    let t = two_trees(n);
    bencher.bench_local(|| {
        let a = t.repo.find_tree(t.before).expect("tree");
        let b = t.repo.find_tree(t.after).expect("tree");
        let diff = t
            .repo
            .diff_tree_to_tree(Some(&a), Some(&b), None)
            .expect("diff");
        diff.deltas().len()
    });
}

/// The comparison alone, both trees already read (in a walk, one of them
/// is: the parent's): the byte-skipping compare of the two versions.
#[divan::bench(args = [1_000, 10_000, 100_000])]
fn changed_records_one_edit_trees_cached(bencher: Bencher, n: usize) {
    let t = two_trees(n);
    let mut trees = gitsm::tree_cache::TreeCache::new(&t.repo).expect("odb");
    bencher.bench_local(|| {
        trees.step();
        gitsm::history::diff::changed_records(&mut trees, Some(t.before), Some(t.after), &Kind::ALL)
    });
}
