//! Tree and index comparisons checked against libgit2's own diff.

use std::collections::BTreeSet;

use git2::{DiffOptions, Repository, TreeBuilder};

use super::*;
use crate::index_file::IndexFile;
use crate::tree_cache::TreeCache;

/// Changes sort as their paths do, also where bytes and folders
/// disagree (`-` and `.` sort before `/`).
#[test]
fn changes_sort_as_paths_do() {
    let names = [
        "incidents/INC-2.yaml",
        "incidents/2026/INC-1.yaml",
        "incidents/2026-x/INC-1.yaml",
        "incidents/2026.yaml",
        "incidents/2025/INC-9.yaml",
        "changes/CHG-1.yaml",
        "incidents/INC-10.yaml",
        "incidents-old/INC-1.yaml",
    ];
    let change = |path: &str| RecordChange {
        kind: Kind::Incident,
        old: None,
        new: Some(Version {
            path: PathBuf::from(path),
            blob: Oid::ZERO_SHA1,
        }),
    };
    let mut ours: Vec<RecordChange> = names.iter().map(|p| change(p)).collect();
    ours.sort_by(by_path);
    let mut paths: Vec<&Path> = names.iter().map(Path::new).collect();
    paths.sort();
    assert_eq!(
        ours.iter().map(RecordChange::path).collect::<Vec<_>>(),
        paths
    );
}

/// Removals pair with the additions of their file name (moves between
/// year folders), each at most once; the rest are deletions.
#[test]
fn removals_pair_with_additions_of_their_name() {
    let version = |path: &str, byte: u8| Version {
        path: PathBuf::from(path),
        blob: Oid::from_bytes(&[byte; 20]).expect("oid"),
    };
    let added = |path: &str| RecordChange {
        kind: Kind::Incident,
        old: None,
        new: Some(version(path, 1)),
    };
    let mut changes = vec![
        added("incidents/2026/INC-1.yaml"),
        added("incidents/2026/INC-2.yaml"),
        added("incidents/INC-3.yaml"),
    ];
    pair_moves(
        Kind::Incident,
        &mut changes,
        0,
        vec![
            version("incidents/INC-2.yaml", 2),
            version("incidents/INC-1.yaml", 3),
            version("incidents/2025/INC-2.yaml", 4),
        ],
    );
    let olds: Vec<_> = changes
        .iter()
        .map(|c| (c.path().to_owned(), c.old.as_ref().map(|v| v.blob)))
        .collect();
    let oid = |byte| Some(Oid::from_bytes(&[byte; 20]).expect("oid"));
    assert_eq!(
        olds,
        [
            (PathBuf::from("incidents/2026/INC-1.yaml"), oid(3)),
            (PathBuf::from("incidents/2026/INC-2.yaml"), oid(2)),
            (PathBuf::from("incidents/INC-3.yaml"), None),
            // A second removal of INC-2 finds its name taken: deleted.
            (PathBuf::from("incidents/2025/INC-2.yaml"), oid(4)),
        ]
    );
    assert!(changes[3].new.is_none());
}

/// A deterministic pseudo-random source (no `rand` in tests either).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

type Files = std::collections::BTreeMap<String, String>;

/// The root tree of `files` (paths with `/`), built bottom-up.
fn write_tree(repo: &Repository, files: &Files) -> Oid {
    fn build(repo: &Repository, files: &Files, dir: &str) -> Oid {
        let mut builder: TreeBuilder<'_> = repo.treebuilder(None).expect("builder");
        let mut subdirs = BTreeSet::new();
        for (path, text) in files.range(dir.to_owned()..) {
            let Some(rest) = path.strip_prefix(dir) else {
                break;
            };
            match rest.split_once('/') {
                Some((sub, _)) => {
                    subdirs.insert(sub.to_owned());
                }
                None => {
                    let blob = repo.blob(text.as_bytes()).expect("blob");
                    builder.insert(rest, blob, 0o100_644).expect("insert");
                }
            }
        }
        for sub in subdirs {
            let id = build(repo, files, &format!("{dir}{sub}/"));
            builder.insert(&sub, id, 0o040_000).expect("insert tree");
        }
        builder.write().expect("write tree")
    }
    build(repo, files, "")
}

/// Record versions that changed, as libgit2's own (recursive) tree diff
/// sees them: `(path, blob, is_new)`.
fn libgit2_changes(repo: &Repository, a: Oid, b: Oid) -> BTreeSet<(String, Oid, bool)> {
    let (ta, tb) = (repo.find_tree(a).expect("a"), repo.find_tree(b).expect("b"));
    let diff = repo
        .diff_tree_to_tree(Some(&ta), Some(&tb), Some(&mut DiffOptions::new()))
        .expect("diff");
    let is_record = |p: &str| {
        let parts: Vec<&str> = p.split('/').collect();
        let name_ok = |n: &str| is_record_name(Kind::Incident, n);
        match parts.as_slice() {
            [kind, name] => Kind::from_folder(kind).is_some() && name_ok(name),
            [kind, year, name] => {
                Kind::from_folder(kind).is_some() && is_year(year) && name_ok(name)
            }
            _ => false,
        }
    };
    let mut out = BTreeSet::new();
    for d in diff.deltas() {
        for (file, is_new) in [(d.old_file(), false), (d.new_file(), true)] {
            let path = file.path().map(|p| p.to_string_lossy().into_owned());
            if let Some(path) = path.filter(|p| is_record(p))
                && !file.id().is_zero()
            {
                out.insert((path, file.id(), is_new));
            }
        }
    }
    out
}

fn ours(trees: &mut TreeCache<'_>, a: Oid, b: Oid) -> BTreeSet<(String, Oid, bool)> {
    trees.step();
    let mut out = BTreeSet::new();
    for c in changed_records(trees, Some(a), Some(b), &Kind::ALL) {
        for (v, is_new) in [(c.old, false), (c.new, true)] {
            if let Some(v) = v {
                out.insert((v.path.to_string_lossy().replace('\\', "/"), v.blob, is_new));
            }
        }
    }
    out
}

/// The byte-skipping diff of raw trees finds exactly the record files
/// libgit2's full diff finds, over random edits of flat and year
/// folders: changes at the start, the end and the middle, additions,
/// deletions, moves between years, names that are prefixes of others.
#[test]
fn raw_tree_diff_agrees_with_libgit2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = Repository::init(dir.path()).expect("init");
    let mut rng = Lcg(7);
    let mut files = Files::new();
    for i in 0..400 {
        files.insert(format!("incidents/INC-{i:04}.yaml"), format!("v0 {i}"));
        files.insert(
            format!("problems/{}/PRB-{i:04}.yaml", 2020 + i % 5),
            format!("p {i}"),
        );
    }
    for name in [
        "a",
        "a.yaml",
        "a-b.yaml",
        "a0.yaml",
        ".hidden.yaml",
        "notes.txt",
    ] {
        files.insert(format!("incidents/{name}"), name.to_owned());
    }
    files.insert("incidents/2024/INC-9000.yaml".into(), "year".into());
    files.insert("incidents/misc/INC-9001.yaml".into(), "not a year".into());
    files.insert("gitsm.yaml".into(), "x".into());
    let mut before = write_tree(&repo, &files);
    // One cache for the walk, as in a history walk: each tree's entry
    // starts are carried over from the comparison before.
    let mut trees = TreeCache::new(&repo).expect("odb");
    for round in 0..40 {
        let keys: Vec<String> = files.keys().cloned().collect();
        for _ in 0..1 + rng.below(6) {
            let key = &keys[rng.below(keys.len())];
            match rng.below(5) {
                0 => {
                    files.remove(key);
                }
                1 => {
                    // Move into (or between) year folders.
                    let name = key.rsplit('/').next().unwrap_or_default().to_owned();
                    let kind = key.split('/').next().unwrap_or_default().to_owned();
                    if let Some(text) = files.remove(key) {
                        files.insert(format!("{kind}/{}/{name}", 2019 + rng.below(8)), text);
                    }
                }
                2 => {
                    let at = rng.below(3) * 200;
                    files.insert(
                        format!("incidents/INC-{at:04}a.yaml"),
                        format!("new {round}"),
                    );
                }
                _ => {
                    files.insert(key.clone(), format!("edit {round} {}", rng.below(1000)));
                }
            }
        }
        let after = write_tree(&repo, &files);
        assert_eq!(
            ours(&mut trees, before, after),
            libgit2_changes(&repo, before, after),
            "round {round}"
        );
        before = after;
    }
}

fn git(dir: &Path, args: &[&str]) {
    gitsm_git::testing::git_cli(dir, args, None);
}

type Changes = BTreeSet<(String, Oid, bool)>;

/// The record files that differ between HEAD and the index, and whether
/// the policy differs: libgit2's diff of the two, and ours.
fn staged_both_ways(repo: &Repository, prefix: &str) -> (Changes, bool, Changes, bool) {
    let head = repo.head().expect("head").peel_to_tree().expect("tree");
    let diff = repo
        .diff_tree_to_index(Some(&head), None, Some(&mut DiffOptions::new()))
        .expect("diff");
    let mut theirs = BTreeSet::new();
    let mut their_policy = false;
    for d in diff.deltas() {
        for (file, is_new) in [(d.old_file(), false), (d.new_file(), true)] {
            let Some(path) = file.path().map(|p| p.to_string_lossy().into_owned()) else {
                continue;
            };
            let Some(rel) = path.strip_prefix(prefix) else {
                continue;
            };
            their_policy |= rel == "gitsm.yaml" || rel.starts_with("schemas/");
            let parts: Vec<&str> = rel.split('/').collect();
            let record = match parts.as_slice() {
                [kind, name] => Kind::from_folder(kind).is_some_and(|k| is_record_name(k, name)),
                [kind, year, name] => {
                    Kind::from_folder(kind).is_some_and(|k| is_record_name(k, name))
                        && is_year(year)
                }
                _ => false,
            };
            if record && !file.id().is_zero() {
                theirs.insert((rel.to_owned(), file.id(), is_new));
            }
        }
    }
    let index = IndexFile::open(repo).expect("index reads");
    let mut trees = TreeCache::new(repo).expect("odb");
    let prefix = Path::new(prefix.trim_end_matches('/'));
    let (changes, our_policy) = staged_changes(&mut trees, Some(head.id()), &index, prefix);
    let mut ours = BTreeSet::new();
    for c in changes {
        for (v, is_new) in [(c.old, false), (c.new, true)] {
            if let Some(v) = v {
                ours.insert((v.path.to_string_lossy().replace('\\', "/"), v.blob, is_new));
            }
        }
    }
    (ours, our_policy, theirs, their_policy)
}

/// The index read directly and compared with HEAD (cached folder ids
/// skipping unchanged folders) finds exactly the record files and
/// policy changes libgit2's diff of HEAD against the index finds, for
/// indexes the real `git` wrote: versions 2 and 4, after `git add` (the
/// cache tree partly invalid) and after a commit (all valid), edits in
/// flat and year folders, additions, deletions, moves, a managed root
/// in a subfolder.
#[test]
fn staged_diff_agrees_with_libgit2_on_indexes_git_wrote() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    let repo = Repository::open(root).expect("open");
    let prefix = "ops/itsm/";
    let mut rng = Lcg(11);
    let mut files = Files::new();
    for i in 0..150 {
        files.insert(
            format!("{prefix}incidents/INC-{i:04}.yaml"),
            format!("v0 {i}\n"),
        );
        files.insert(
            format!("{prefix}problems/{}/PRB-{i:04}.yaml", 2020 + i % 4),
            format!("p {i}\n"),
        );
    }
    files.insert(format!("{prefix}gitsm.yaml"), "x\n".into());
    files.insert(
        format!("{prefix}schemas/incident.schema.json"),
        "{}\n".into(),
    );
    files.insert(
        format!("{prefix}incidents/misc/INC-9001.yaml"),
        "no year\n".into(),
    );
    files.insert("README.md".into(), "outside\n".into());
    let write = |files: &Files| {
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
    };
    write(&files);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "start"]);
    for round in 0..16 {
        let keys: Vec<String> = files.keys().cloned().collect();
        for _ in 0..1 + rng.below(4) {
            let key = &keys[rng.below(keys.len())];
            match rng.below(6) {
                0 => {
                    files.remove(key);
                    let _ = std::fs::remove_file(root.join(key));
                }
                1 => {
                    let name = key.rsplit('/').next().unwrap_or_default().to_owned();
                    if key.starts_with(&format!("{prefix}problems/"))
                        && let Some(text) = files.remove(key)
                    {
                        let _ = std::fs::remove_file(root.join(key));
                        files.insert(
                            format!("{prefix}problems/{}/{name}", 2019 + rng.below(6)),
                            text,
                        );
                    }
                }
                2 => {
                    files.insert(
                        format!("{prefix}incidents/INC-{:04}a.yaml", rng.below(150)),
                        format!("new {round}\n"),
                    );
                }
                3 if round % 5 == 0 => {
                    files.insert(
                        format!("{prefix}schemas/incident.schema.json"),
                        format!("{{}} {round}\n"),
                    );
                }
                _ => {
                    files.insert(key.clone(), format!("edit {round} {}\n", rng.below(1000)));
                }
            }
        }
        write(&files);
        git(root, &["add", "-A"]);
        if round % 2 == 1 {
            git(root, &["update-index", "--index-version", "4"]);
        }
        let (ours, our_policy, theirs, their_policy) = staged_both_ways(&repo, prefix);
        assert!(
            !theirs.is_empty() || round % 5 == 0,
            "round {round} changed nothing"
        );
        assert_eq!(ours, theirs, "round {round}: staged records");
        assert_eq!(our_policy, their_policy, "round {round}: policy");
        git(root, &["commit", "-q", "-m", &format!("round {round}")]);
        let (ours, our_policy, ..) = staged_both_ways(&repo, prefix);
        assert!(
            ours.is_empty() && !our_policy,
            "round {round}: nothing staged after the commit"
        );
    }
}

/// `git` in `dir`, with its output.
fn git_out(dir: &Path, args: &[&str], input: Option<&str>) -> String {
    gitsm_git::testing::git_cli(dir, args, input)
}

/// Record changes staged in `root`'s index against HEAD: `(path, is_new)`.
fn staged_paths(repo: &Repository) -> (BTreeSet<(String, bool)>, Option<Oid>) {
    let head = repo.head().expect("head").peel_to_tree().expect("tree");
    let index = IndexFile::open(repo).expect("index");
    let mut trees = TreeCache::new(repo).expect("odb");
    let (changes, _) = staged_changes(&mut trees, Some(head.id()), &index, Path::new(""));
    let mut out = BTreeSet::new();
    for c in changes {
        for (v, is_new) in [(c.old, false), (c.new, true)] {
            if let Some(v) = v {
                out.insert((v.path.to_string_lossy().replace('\\', "/"), is_new));
            }
        }
    }
    (out, trees.missing())
}

/// A submodule (a commit, not a file) where a record was, or a record
/// where a submodule was: the file side is reported, the other not.
#[test]
fn a_submodule_swapped_with_a_record_reports_the_file_side() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    std::fs::create_dir(root.join("incidents")).expect("mkdir");
    std::fs::write(root.join("incidents/INC-1.yaml"), "id: INC-1\n").expect("write");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "one"]);
    let repo = Repository::open(root).expect("open");
    let commit = git_out(root, &["rev-parse", "HEAD"], None);
    let path = "incidents/INC-1.yaml";
    let gitlink = format!("160000,{commit},{path}");
    git(root, &["update-index", "--cacheinfo", &gitlink]);
    let (changes, _) = staged_paths(&repo);
    assert_eq!(changes, BTreeSet::from([(path.to_owned(), false)]));
    git(root, &["commit", "-q", "-m", "submodule"]);
    git(
        root,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!(
                "100644,{},{path}",
                git_out(root, &["rev-parse", "HEAD~1:incidents/INC-1.yaml"], None)
            ),
        ],
    );
    let (changes, _) = staged_paths(&repo);
    assert_eq!(changes, BTreeSet::from([(path.to_owned(), true)]));
}

/// A HEAD folder whose tree object is missing is not taken for an
/// empty folder: the cache names it, and the hook refuses to go on.
#[test]
fn a_missing_head_tree_is_noticed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    let blob = git_out(root, &["hash-object", "-w", "--stdin"], Some("id: INC-1\n"));
    let absent = "1234567890123456789012345678901234567890";
    let tree = git_out(
        root,
        &["mktree", "--missing"],
        Some(&format!("040000 tree {absent}\tincidents\n")),
    );
    let commit = git_out(root, &["commit-tree", &tree, "-m", "damaged"], None);
    git(root, &["update-ref", "HEAD", &commit]);
    git(
        root,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("100644,{blob},incidents/INC-2.yaml"),
        ],
    );
    let repo = Repository::open(root).expect("open");
    let (_, missing) = staged_paths(&repo);
    assert_eq!(missing, Some(Oid::from_str(absent).expect("oid")));
}
