//! `gitsm renumber`: a record whose id collides with one on another branch
//! (or with another file of the tree) moves to the next free id, and the
//! references to it follow; every other byte stays.

use crate::common;

use common::{Repo, VALID_INCIDENT, dated, git_env_in};

const BASE: &str = "2026-11-20T10:00:00+01:00";
const ALICE: &str = "2026-11-20T13:00:00+01:00";
const BOB: &str = "2026-11-20T14:00:00+01:00";
const LATER: &str = "2026-11-21T09:00:00+01:00";

/// Alice's INC-0002, merged to main.
const ALICE_INCIDENT: &str = "\
id: INC-0002
title: Printer on floor 3 jams
status: new
created_at: 2026-11-20T11:30:00+01:00
reported_by: alice@example.com
impact: low
urgency: low
";

/// Bob's INC-0002, on his branch: another record with the same id.
const BOB_INCIDENT: &str = "\
# yaml-language-server: $schema=../schemas/incident.schema.json
# Bob's report, from the service desk call.
id: INC-0002   # allocated on bob's branch
title: \"Mail: queue stuck\"
status: new
created_at: 2026-11-20T12:00:00+01:00
reported_by: 'bob@example.com'
impact: medium
urgency: medium
description: |
  Outbound mail waits in the queue.
";

/// Bob links INC-0001 to his incident.
const BOB_LINKS_INC_0001: &str = "\
# bob: same outage as his new incident
links: [INC-0002]   # flow list, trailing comment
";

/// Bob's problem naming his incident.
const BOB_PROBLEM: &str = "\
# INC-0002 was the first report.
id: PRB-0001
title: Mail relay drops connections
status: new
created_at: 2026-11-20T12:30:00+01:00
reported_by: bob@example.com
links:
  - INC-0001
  - INC-0002     # bob's incident

# Investigate with the mail team.
";

fn read(repo: &Repo, rel: &str) -> String {
    std::fs::read_to_string(repo.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// main: INC-0001, then Alice's INC-0002 merged from her branch; `bob`
/// branched from the base and added his own INC-0002 plus references to it.
fn two_branches() -> Repo {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    repo.commit("base", BASE);

    repo.git(["checkout", "-q", "-b", "alice"]);
    repo.write("incidents/INC-0002.yaml", ALICE_INCIDENT);
    repo.commit("alice: INC-0002", ALICE);
    repo.git(["checkout", "-q", "main"]);
    repo.git(["merge", "-q", "--ff-only", "alice"]);

    repo.git(["checkout", "-q", "-b", "bob", "main~1"]);
    repo.write("incidents/INC-0002.yaml", BOB_INCIDENT);
    repo.write(
        "incidents/INC-0001.yaml",
        format!("{VALID_INCIDENT}{BOB_LINKS_INC_0001}"),
    );
    repo.write("problems/PRB-0001.yaml", BOB_PROBLEM);
    repo.commit("bob: INC-0002 and PRB-0001", BOB);
    repo
}

#[test]
fn colliding_ids_on_two_branches_move_the_local_record_and_the_merge_is_clean() {
    let repo = two_branches();

    // Merging as it is: an add/add conflict on INC-0002.
    let merge = git_env_in(
        &repo.sandbox.home(),
        &repo.root,
        ["merge", "--no-commit", "--no-ff", "main"],
        &dated(LATER),
    );
    assert_ne!(merge.code, 0, "expected a conflict:\n{merge}");
    assert!(merge.stdout.contains("add/add"), "{merge}");
    repo.git(["merge", "--abort"]);

    let run = repo.run(["renumber", "INC-0002", "--onto", "main"]);
    run.expect_code(0)
        .stdout_has("INC-0002 -> INC-0003: incidents/INC-0002.yaml -> incidents/INC-0003.yaml")
        .stdout_has("main has a different record with id INC-0002")
        .stdout_has("rewrote INC-0001 (incidents/INC-0001.yaml): links.0")
        .stdout_has("rewrote PRB-0001 (problems/PRB-0001.yaml): links.1")
        .stdout_has("problems/PRB-0001.yaml:1");

    // The record moved with only its id changed; the references followed;
    // comments (even those naming the old id) and layout stayed.
    assert!(!repo.path("incidents/INC-0002.yaml").exists());
    assert_eq!(
        read(&repo, "incidents/INC-0003.yaml"),
        BOB_INCIDENT.replace("id: INC-0002   # allocated", "id: INC-0003   # allocated")
    );
    assert_eq!(
        read(&repo, "incidents/INC-0001.yaml"),
        format!(
            "{VALID_INCIDENT}{}",
            BOB_LINKS_INC_0001.replace("[INC-0002]", "[INC-0003]")
        )
    );
    assert_eq!(
        read(&repo, "problems/PRB-0001.yaml"),
        BOB_PROBLEM.replace("  - INC-0002     #", "  - INC-0003     #")
    );

    repo.run(["validate"]).expect_code(0);
    repo.commit("bob: renumber INC-0002 to INC-0003", LATER);
    let merge = git_env_in(
        &repo.sandbox.home(),
        &repo.root,
        ["merge", "-q", "--no-edit", "main"],
        &dated(LATER),
    );
    merge.expect_code(0);
    assert_eq!(
        repo.record_files("incidents"),
        [
            "incidents/INC-0001.yaml",
            "incidents/INC-0002.yaml",
            "incidents/INC-0003.yaml"
        ]
    );
    assert_eq!(read(&repo, "incidents/INC-0002.yaml"), ALICE_INCIDENT);
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn the_next_free_id_skips_ids_taken_on_either_side() {
    let repo = two_branches();
    // main also has INC-0003 and INC-0004 (on a branch of main's), the
    // work tree has INC-0005: the next free one is INC-0006.
    repo.git(["checkout", "-q", "main"]);
    for n in ["0003", "0004"] {
        repo.write(
            &format!("incidents/INC-{n}.yaml"),
            VALID_INCIDENT.replace("INC-0001", &format!("INC-{n}")),
        );
    }
    repo.commit("main: two more", ALICE);
    repo.git(["checkout", "-q", "bob"]);
    repo.write(
        "incidents/INC-0005.yaml",
        VALID_INCIDENT.replace("INC-0001", "INC-0005"),
    );

    let run = repo.run(["renumber", "INC-0002", "--onto", "main", "--format", "json"]);
    run.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(doc["onto"], "main");
    assert_eq!(doc["moved"][0]["from"], "INC-0002");
    assert_eq!(doc["moved"][0]["to"], "INC-0006");
    assert_eq!(doc["moved"][0]["to_path"], "incidents/INC-0006.yaml");
    assert_eq!(doc["rewritten"].as_array().map(Vec::len), Some(2));
    assert!(repo.path("incidents/INC-0006.yaml").is_file());
}

#[test]
fn ids_base_is_the_default_revision() {
    let repo = two_branches();
    let config = repo.path("gitsm.yaml");
    let text = std::fs::read_to_string(&config).expect("read config");
    std::fs::write(&config, format!("{text}\nids:\n  base: main\n")).expect("write config");
    repo.run(["renumber", "INC-0002"])
        .expect_code(0)
        .stdout_has("INC-0002 -> INC-0003");
}

#[test]
fn a_duplicate_id_in_the_tree_is_fixed_and_ambiguous_references_are_listed() {
    let repo = Repo::new();
    let older = VALID_INCIDENT
        .replace("INC-0001", "INC-0005")
        .replace("2026-11-20T09:00:00", "2025-06-01T09:00:00");
    let newer = VALID_INCIDENT
        .replace("INC-0001", "INC-0005")
        .replace("someone@", "other@");
    repo.write("incidents/2025/INC-0005.yaml", &older);
    repo.write("incidents/INC-0005.yaml", &newer);
    repo.write(
        "incidents/INC-0001.yaml",
        format!("{VALID_INCIDENT}links: [INC-0005]\n"),
    );
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("duplicate-id")
        .stderr_has("gitsm renumber INC-0005");

    let run = repo.run(["renumber", "INC-0005"]);
    run.expect_code(0)
        .stdout_has("INC-0005 -> INC-0006: incidents/INC-0005.yaml -> incidents/INC-0006.yaml")
        .stdout_has("incidents/2025/INC-0005.yaml keeps it: it was created first")
        .stdout_has("left INC-0001 links.0");
    assert_eq!(read(&repo, "incidents/2025/INC-0005.yaml"), older);
    assert_eq!(
        read(&repo, "incidents/INC-0006.yaml"),
        newer.replace("id: INC-0005", "id: INC-0006")
    );
    // Which INC-0005 the link meant cannot be told: it is left and listed.
    assert!(read(&repo, "incidents/INC-0001.yaml").contains("links: [INC-0005]"));
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn a_duplicate_is_kept_where_it_is_the_upstream_record_and_its_references_follow() {
    let repo = Repo::new();
    let upstream = VALID_INCIDENT.replace("INC-0001", "INC-0005");
    repo.write("incidents/INC-0005.yaml", &upstream);
    repo.commit("main", BASE);
    repo.git(["checkout", "-q", "-b", "topic"]);
    // A local copy created *earlier*: REV's record keeps the id all the same.
    let local = upstream
        .replace("2026-11-20T09:00:00", "2025-01-01T09:00:00")
        .replace("someone@", "other@");
    repo.write("incidents/2025/INC-0005.yaml", &local);
    repo.write(
        "incidents/INC-0001.yaml",
        format!("{VALID_INCIDENT}links: [INC-0005]\n"),
    );
    repo.run(["renumber", "INC-0005", "--onto", "main"])
        .expect_code(0)
        .stdout_has("incidents/2025/INC-0005.yaml -> incidents/2025/INC-0006.yaml")
        .stdout_has("incidents/INC-0005.yaml keeps it: it is the record of main")
        .stdout_has("rewrote INC-0001");
    assert_eq!(read(&repo, "incidents/INC-0005.yaml"), upstream);
    assert!(read(&repo, "incidents/INC-0001.yaml").contains("links: [INC-0006]"));
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn nothing_to_do_when_the_id_is_free_or_the_same_record_upstream() {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    repo.commit("base", BASE);
    repo.git(["checkout", "-q", "-b", "topic"]);
    // Edited on the branch: still main's record.
    repo.write(
        "incidents/INC-0001.yaml",
        VALID_INCIDENT.replace("VPN down", "VPN down in Berlin"),
    );
    repo.write(
        "incidents/INC-0002.yaml",
        VALID_INCIDENT.replace("INC-0001", "INC-0002"),
    );
    let before = read(&repo, "incidents/INC-0001.yaml");

    repo.run(["renumber", "INC-0001", "--onto", "main"])
        .expect_code(0)
        .stdout_has("INC-0001: nothing to renumber: INC-0001 is the same record in main");
    repo.run(["renumber", "INC-0002", "--onto", "main"])
        .expect_code(0)
        .stdout_has("INC-0002: nothing to renumber: INC-0002 is not taken in main");
    assert_eq!(read(&repo, "incidents/INC-0001.yaml"), before);
    assert!(repo.path("incidents/INC-0002.yaml").is_file());
}

#[test]
fn unknown_ids_revisions_and_unsafe_ids_are_usage_errors() {
    let repo = two_branches();
    let before = read(&repo, "incidents/INC-0002.yaml");

    repo.run(["renumber", "INC-0099", "--onto", "main"])
        .expect_code(2)
        .stderr_has("no incident with id `INC-0099`");
    repo.run(["renumber", "inc-0002", "--onto", "main"])
        .expect_code(2)
        .stderr_has("did you mean `INC-0002`?");
    repo.run(["renumber", "INC-0002", "--onto", "no-such-branch"])
        .expect_code(2)
        .stderr_has("unknown revision `no-such-branch`");
    // No --onto, no ids.base, no origin: nothing to compare with.
    repo.run(["renumber", "INC-0002"])
        .expect_code(2)
        .stderr_has("--onto origin/main");
    for bad in ["../INC-0002", "incidents/INC-0002", "INC-..0002", ".."] {
        repo.run(["renumber", bad, "--onto", "main"])
            .expect_code(2)
            .stderr_has("is not a record id");
    }
    repo.write(
        "cis/payments-api.yaml",
        "id: payments-api\nname: Payments API\n",
    );
    repo.run(["renumber", "payments-api", "--onto", "main"])
        .expect_code(2)
        .stderr_has("renumber moves tickets only");
    assert_eq!(read(&repo, "incidents/INC-0002.yaml"), before);
    assert!(!repo.path("incidents/INC-0003.yaml").exists());
}

#[test]
fn a_write_that_fails_leaves_every_file_as_it_was() {
    let repo = two_branches();
    // Something that is not a record holds the new file's name: creating
    // the moved record fails, before any other file is touched.
    std::fs::create_dir_all(repo.path("incidents/INC-0003.yaml")).expect("mkdir");
    let files = [
        "incidents/INC-0001.yaml",
        "incidents/INC-0002.yaml",
        "problems/PRB-0001.yaml",
    ];
    let before: Vec<String> = files.iter().map(|p| read(&repo, p)).collect();
    repo.run(["renumber", "INC-0002", "--onto", "main"])
        .expect_code(2)
        .stderr_has("incidents/INC-0003.yaml");
    let after: Vec<String> = files.iter().map(|p| read(&repo, p)).collect();
    assert_eq!(before, after);
}

#[test]
fn a_managed_root_in_a_subfolder_reads_revision_ids_under_it() {
    let sandbox = common::Sandbox::new();
    let top = sandbox.git_repo("mono");
    let root = top.join("itsm");
    std::fs::create_dir_all(&root).expect("mkdir itsm");
    sandbox.gitsm(&root, ["init"]).expect_code(0);
    common::write_file(&root, "incidents/INC-0001.yaml", VALID_INCIDENT);
    let commit = |msg: &str| {
        sandbox.git(&top, ["add", "-A"]);
        git_env_in(
            &sandbox.home(),
            &top,
            ["commit", "-q", "-m", msg],
            &dated(BASE),
        )
        .expect_code(0);
    };
    commit("base");
    sandbox.git(&top, ["checkout", "-q", "-b", "alice"]);
    common::write_file(&root, "incidents/INC-0002.yaml", ALICE_INCIDENT);
    common::write_file(
        &root,
        "incidents/INC-0003.yaml",
        VALID_INCIDENT.replace("INC-0001", "INC-0003"),
    );
    commit("alice");
    sandbox.git(&top, ["checkout", "-q", "-b", "bob", "main"]);
    common::write_file(&root, "incidents/INC-0002.yaml", BOB_INCIDENT);
    sandbox
        .gitsm(&root, ["renumber", "INC-0002", "--onto", "alice"])
        .expect_code(0)
        .stdout_has("INC-0002 -> INC-0004");
    assert!(root.join("incidents/INC-0004.yaml").is_file());
}
