//! `gitsm baseline`: records as they are at the baseline commit are
//! imported history, and what that acceptance cannot be used for.

use crate::common::{self, Repo, dated, git_env_in};

/// A change closed in another tool: its approvals carry no signature and
/// one is by someone gitsm.yaml does not know.
const IMPORTED_CHANGE: &str = "\
id: CHG-0100
title: Renew the TLS certificate of the shop (imported from ServiceNow CHG0031337)
status: closed
created_at: 2025-03-01T10:00:00+01:00
requested_by: clara
type: normal
risk: low
impact: low
cis: [firewall-edge]
implementer: clara
window:
  start: 2025-03-10T22:00:00+01:00
  end: 2025-03-10T23:00:00+01:00
implementation_plan: Install the new certificate.
backout_plan: Put the old certificate back.
test_plan: Open the shop in a browser.
outcome: successful
review: Went as planned.
close_code: successful
closed_at: 2025-03-12T10:00:00+01:00
approvals:
  - by: hannes
    decision: approved
    at: 2025-03-05T10:00:00+01:00
  - by: ines
    decision: approved
    at: 2025-03-05T11:00:00+01:00
";

/// `change` (the imported one) scheduled for 2026-12-10 22:00–23:00.
fn scheduled(change: &str) -> String {
    change
        .replace("status: closed", "status: scheduled")
        .replace("2025-03-10T22:00:00+01:00", "2026-12-10T22:00:00+01:00")
        .replace("2025-03-10T23:00:00+01:00", "2026-12-10T23:00:00+01:00")
        .replace("outcome: successful\n", "")
        .replace("review: Went as planned.\n", "")
        .replace("close_code: successful\n", "")
        .replace("closed_at: 2025-03-12T10:00:00+01:00\n", "")
}

/// The fixed clock every run sees (`common::NOW`), and a commit time just after it.
const AFTER_NOW: &str = "2026-11-21T10:00:05+01:00";

/// `gitsm init --example` in a fresh repository with the hooks installed.
fn example() -> Repo {
    let sandbox = common::Sandbox::new();
    let root = sandbox.git_repo("example");
    sandbox.gitsm(&root, ["init", "--example"]).expect_code(0);
    let repo = Repo { sandbox, root };
    repo.run(["hooks", "install"]).expect_code(0);
    repo
}

/// The example committed, then the imported change committed with a
/// baseline set just before: the import's commit is the baseline.
fn imported() -> Repo {
    let repo = example();
    repo.commit("example organisation", "2026-11-20T09:00:00+01:00");
    repo.write("changes/CHG-0100.yaml", IMPORTED_CHANGE);
    repo.run(["baseline"])
        .expect_code(0)
        .stdout_has("history.baseline: 2026-11-21T10:00:00+01:00");
    repo.commit("Import from ServiceNow", AFTER_NOW);
    repo
}

#[test]
fn without_a_baseline_the_hook_refuses_an_imported_change() {
    let repo = example();
    repo.commit("example organisation", "2026-11-20T09:00:00+01:00");
    repo.write("changes/CHG-0100.yaml", IMPORTED_CHANGE);
    repo.git(["add", "-A"]);
    let run = repo.try_commit(&["-q", "-m", "import"], AFTER_NOW);
    assert_ne!(run.code, 0, "the hook let it through:\n{run}");
    run.stderr_has("changes/CHG-0100.yaml")
        .stderr_has("needs 2 approval(s) from `cab`")
        .stderr_has("it is not signed");
}

#[test]
fn init_example_baseline_then_one_commit_passes_the_hook_and_the_range() {
    // The flow: a new repository, the example and an import in
    // it, a baseline, one commit.
    let repo = example();
    repo.write("changes/CHG-0100.yaml", IMPORTED_CHANGE);
    repo.run(["baseline"]).expect_code(0);
    let text = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("gitsm.yaml");
    assert!(
        text.ends_with("history:\n  baseline: 2026-11-21T10:00:00+01:00\n")
            || text.contains("\nhistory:\n  baseline: 2026-11-21T10:00:00+01:00\n"),
        "{text}"
    );
    // Comments of the example policy are kept.
    assert!(text.contains("# "), "{text}");
    repo.commit("Import", AFTER_NOW);
    repo.run(["validate", "--range", "HEAD"])
        .expect_code(0)
        .stderr_has("0 errors");
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn after_the_baseline_the_range_and_the_work_tree_are_green() {
    let repo = imported();
    repo.run(["note", "CHG-0100", "Certificate expires 2027-03-10."])
        .expect_code(0);
    repo.commit("note", "2026-11-21T11:00:00+01:00");
    repo.run(["validate", "--range", "HEAD"]).expect_code(0);
    repo.run(["validate", "--range", "HEAD~1..HEAD"])
        .expect_code(0);
    repo.run(["validate"]).expect_code(0).stderr_has("0 errors");
    // Pinned to the import's commit id, which needs no walk back in time.
    repo.run(["baseline", "HEAD~1"]).expect_code(0);
    repo.commit("pin the baseline", "2026-11-21T12:00:00+01:00");
    repo.run(["validate", "--range", "HEAD"]).expect_code(0);
    repo.run(["validate"]).expect_code(0).stderr_has("0 errors");
}

#[test]
fn attack_a_pull_request_cannot_set_its_own_baseline() {
    // The pull request adds the baseline and an unsigned "approved"
    // change together: its base's policy has no baseline, and judges it.
    let repo = example();
    let base = repo.commit("example organisation", "2026-11-20T09:00:00+01:00");
    repo.write("changes/CHG-0100.yaml", IMPORTED_CHANGE);
    repo.run(["baseline"]).expect_code(0);
    repo.commit("sneak in", AFTER_NOW);
    let range = format!("{base}..HEAD");
    repo.run(["validate", "--range", &range])
        .expect_code(1)
        .stderr_has("CHG-0100")
        .stderr_has("it is not signed");
}

#[test]
fn attack_a_commit_dated_at_the_baseline_does_not_become_it() {
    // main has its baseline (the import). A later pull request commits a
    // new unsigned "approved" change with a committer date equal to the
    // baseline's time: the baseline is found in the base's history, never
    // among the commits checked.
    let repo = imported();
    let base = repo.git(["rev-parse", "HEAD"]).trim().to_owned();
    let forged = IMPORTED_CHANGE
        .replace("CHG-0100", "CHG-0101")
        .replace("CHG0031337", "CHG0031338");
    repo.write("changes/CHG-0101.yaml", forged);
    repo.git(["add", "-A"]);
    let run = git_env_in(
        &repo.sandbox.home(),
        &repo.root,
        ["commit", "-q", "--no-verify", "-m", "forged"],
        &dated("2026-11-21T10:00:00+01:00"),
    );
    assert_eq!(run.code, 0, "{run}");
    repo.run(["validate", "--range", &format!("{base}..HEAD")])
        .expect_code(1)
        .stderr_has("changes/CHG-0101.yaml");
    // And the hook refuses it too.
    repo.git(["reset", "-q", "--soft", "HEAD~1"]);
    let run = repo.try_commit(&["-q", "-m", "forged again"], AFTER_NOW);
    assert_ne!(run.code, 0, "{run}");
}

#[test]
fn attack_imported_decisions_do_not_carry_over_to_another_record() {
    // Replay: the imported approvals copied onto a new change.
    let repo = imported();
    let base = repo.git(["rev-parse", "HEAD"]).trim().to_owned();
    let replay = IMPORTED_CHANGE
        .replace("CHG-0100", "CHG-0102")
        .replace("Renew the TLS certificate", "Open the firewall");
    repo.write("changes/CHG-0102.yaml", replay);
    repo.git(["add", "-A"]);
    let run = repo.try_commit(&["-q", "-m", "replay"], "2026-11-21T11:00:00+01:00");
    assert_ne!(run.code, 0, "the hook let it through:\n{run}");
    repo.try_commit(
        &["-q", "--no-verify", "-m", "replay"],
        "2026-11-21T11:00:00+01:00",
    );
    repo.run(["validate", "--range", &format!("{base}..HEAD")])
        .expect_code(1)
        .stderr_has("changes/CHG-0102.yaml");
}

#[test]
fn attack_editing_what_an_imported_decision_approved_ends_its_acceptance() {
    let repo = imported();
    let base = repo.git(["rev-parse", "HEAD"]).trim().to_owned();
    let text = std::fs::read_to_string(repo.path("changes/CHG-0100.yaml")).expect("read");
    repo.write(
        "changes/CHG-0100.yaml",
        text.replace(
            "implementation_plan: Install the new certificate.",
            "implementation_plan: Disable the firewall.",
        ),
    );
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("must be approved");
    repo.git(["add", "-A"]);
    repo.try_commit(
        &["-q", "--no-verify", "-m", "edit"],
        "2026-11-21T11:00:00+01:00",
    );
    repo.run(["validate", "--range", &format!("{base}..HEAD")])
        .expect_code(1)
        .stderr_has("CHG-0100");
}

#[test]
fn a_baseline_commit_this_clone_lacks_is_an_error_only_under_range() {
    let repo = example();
    repo.commit("example organisation", "2026-11-20T09:00:00+01:00");
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("read");
    repo.write(
        "gitsm.yaml",
        format!("{config}history:\n  baseline: 0123456789abcdef0123456789abcdef01234567\n"),
    );
    repo.run(["validate"])
        .expect_code(0)
        .stderr_has("warning[baseline]")
        .stderr_has("is not a commit of this repository");
    repo.commit("set a baseline", "2026-11-20T10:00:00+01:00");
    repo.run(["validate", "--range", "HEAD"])
        .expect_code(2)
        .stderr_has("is not a commit of this repository")
        .stderr_has("hint:");
}

#[test]
fn baseline_rev_writes_the_commit_id_and_refuses_an_unknown_one() {
    let repo = example();
    let id = repo.commit("example organisation", "2026-11-20T09:00:00+01:00");
    repo.run(["baseline", "HEAD"])
        .expect_code(0)
        .stdout_has(&format!("history.baseline: {id}"));
    let text = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("read");
    assert!(text.contains(&format!("baseline: {id}")), "{text}");
    let before = text;
    repo.run(["baseline", "no-such-branch"]).expect_code(2);
    assert_eq!(
        std::fs::read_to_string(repo.path("gitsm.yaml")).expect("read"),
        before,
        "a refused baseline changed gitsm.yaml"
    );
}

#[test]
fn baseline_on_an_empty_policy_adds_the_one_key() {
    let repo = Repo::new();
    repo.write("gitsm.yaml", "# our policy: all defaults\n");
    repo.run(["baseline", "2026-12-01"]).expect_code(0);
    assert_eq!(
        std::fs::read_to_string(repo.path("gitsm.yaml")).expect("read"),
        "# our policy: all defaults\nhistory:\n  baseline: \"2026-12-01\"\n"
    );
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn the_gate_accepts_an_imported_scheduled_change_and_nothing_forged_after_it() {
    let repo = example();
    repo.commit("example organisation", "2026-11-20T09:00:00+01:00");
    let scheduled = scheduled(IMPORTED_CHANGE);
    repo.write("changes/CHG-0100.yaml", &scheduled);
    repo.run(["baseline"]).expect_code(0);
    repo.commit("Import", AFTER_NOW);
    let during = "2026-12-10T22:30:00+01:00";
    repo.run(["gate", "--change", "CHG-0100", "--at", during])
        .expect_code(0);
    // The same content as a new change after the baseline: denied.
    repo.write(
        "changes/CHG-0103.yaml",
        scheduled.replace("CHG-0100", "CHG-0103"),
    );
    repo.git(["add", "-A"]);
    repo.try_commit(
        &["-q", "--no-verify", "-m", "copy"],
        "2026-11-21T11:00:00+01:00",
    );
    repo.run(["gate", "--change", "CHG-0103", "--at", during])
        .expect_code(1)
        .stdout_has("not signed");
}

#[test]
fn the_report_says_which_figures_rest_on_imported_timestamps() {
    let repo = imported();
    repo.run(["report", "--format", "markdown"])
        .expect_code(0)
        .stdout_has("Imported history: records as they were at the baseline (history.baseline: 2026-11-21T10:00:00+01:00)");
}

#[test]
fn attack_a_backdated_commit_cannot_move_a_time_baseline_forward() {
    // main's policy has a time baseline (the import's commit). Someone
    // lands a commit with a committer date before that time, then a
    // forged "approved" change after it. Walking back from the tip and
    // stopping at the first older commit would make the forged commit
    // the baseline; the baseline is the *earliest* commit at or after the
    // time, which no later commit can change.
    let repo = imported();
    repo.write("changes/README.txt", "Changes are reviewed by the CAB.\n");
    repo.git(["add", "-A"]);
    let run = repo.try_commit(
        &["-q", "--no-verify", "-m", "backdated"],
        "2026-11-01T09:00:00+01:00",
    );
    assert_eq!(run.code, 0, "{run}");
    let scheduled = scheduled(&IMPORTED_CHANGE.replace("CHG-0100", "CHG-0104"));
    repo.write("changes/CHG-0104.yaml", scheduled);
    repo.git(["add", "-A"]);
    let run = repo.try_commit(
        &["-q", "--no-verify", "-m", "forged"],
        "2026-11-21T11:00:00+01:00",
    );
    assert_eq!(run.code, 0, "{run}");
    repo.run([
        "gate",
        "--change",
        "CHG-0104",
        "--at",
        "2026-12-10T22:30:00+01:00",
    ])
    .expect_code(1)
    .stdout_has("not signed");
    repo.run(["validate", "--range", "HEAD"])
        .expect_code(1)
        .stderr_has("changes/CHG-0104.yaml");
    // The imported change itself still counts as imported.
    repo.run(["validate"]).expect_code(1).stderr_has("CHG-0104");
}

#[test]
fn attack_a_branch_or_tag_name_cannot_be_the_baseline() {
    // `history.baseline: main` would make whatever main points at imported
    // history, forged approvals included; a tag can be moved the same way.
    // Only a full commit id (or a time) is accepted, with the place named.
    let repo = example();
    repo.commit("example organisation", "2026-11-20T09:00:00+01:00");
    repo.git(["tag", "imported"]);
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("gitsm.yaml");
    let lines = config.lines().count() + 2;
    for name in ["main", "imported", "HEAD", "HEAD~1"] {
        std::fs::write(
            repo.path("gitsm.yaml"),
            format!("{config}history:\n  baseline: {name}\n"),
        )
        .expect("write");
        repo.run(["validate"])
            .expect_code(2)
            .stderr_has(&format!("gitsm.yaml:{lines}:"))
            .stderr_has("history.baseline");
    }
    // `gitsm baseline REV` turns the name into the commit's id.
    std::fs::write(repo.path("gitsm.yaml"), &config).expect("write");
    let id = repo.git(["rev-parse", "imported"]).trim().to_owned();
    repo.run(["baseline", "imported"])
        .expect_code(0)
        .stdout_has(&format!("history.baseline: {id}"));
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn tightening_the_policy_with_a_baseline_keeps_earlier_decisions() {
    // The CAB raises normal changes from 2 to 3 approvals. Committed with
    // `gitsm baseline`, the change approved under the old rule (CHG-0009,
    // two signed approvals, scheduled) keeps its approval — the hook, the
    // range and the gate accept it — while a decision made after the
    // baseline counts against the new rule.
    let repo = example();
    let base = repo.commit("example organisation", "2026-11-20T09:00:00+01:00");
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("gitsm.yaml");
    std::fs::write(
        repo.path("gitsm.yaml"),
        format!("{config}change_policy:\n  normal: {{ approvals: 3, from: cab }}\n"),
    )
    .expect("write");
    // Without a baseline the tightened rule judges every change made so far.
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("needs 3 approval(s) from `cab` (normal rule), has 2");
    repo.run(["baseline"]).expect_code(0);
    repo.commit("CAB: three approvals for normal changes", AFTER_NOW);
    repo.run(["validate"]).expect_code(0);
    repo.run(["validate", "--range", &format!("{base}..HEAD")])
        .expect_code(0);
    let at = "2026-12-02T23:00:00+01:00";
    repo.run(["gate", "--change", "CHG-0009", "--at", at])
        .expect_code(0);
    // CHG-0011 had one approval; Elena's, after the baseline, makes two:
    // enough under the old rule, not under the new one.
    let key = repo.path("keys/elena");
    let mut perms = std::fs::metadata(&key).expect("key").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    std::fs::set_permissions(&key, perms).expect("chmod");
    repo.run(["approve", "CHG-0011", "--key", "keys/elena"])
        .expect_code(0);
    repo.commit("Elena approves CHG-0011", "2026-11-21T11:00:00+01:00");
    repo.run(["gate", "--change", "CHG-0011", "--at", at])
        .expect_code(1)
        .stdout_has("needs 3 approval(s) from `cab` (normal rule), has 2");
}
