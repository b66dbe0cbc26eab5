//! `validate --staged` and `validate --range`: the history rules, checked
//! between real Git revisions made with the `git` CLI at fixed dates.

use crate::common;

use common::{Repo, VALID_INCIDENT, dated, git_env_in};

const DAY1: &str = "2026-11-20T10:00:00+01:00";
const DAY2: &str = "2026-11-21T10:00:00+01:00";
const DAY3: &str = "2026-11-22T10:00:00+01:00";

fn repo_with_incident() -> Repo {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    repo.commit("open INC-0001", DAY1);
    repo
}

fn edit(repo: &Repo, rel: &str, from: &str, to: &str) {
    let path = repo.path(rel);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{rel} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn a_legal_transition_is_accepted_when_staged() {
    let repo = repo_with_incident();
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "status: new\n",
        "status: in_progress\nassignee: alice@example.com\n",
    );
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(0)
        .stderr_has("checked 1 record staged: 0 errors");
}

#[test]
fn an_illegal_transition_names_it_and_the_allowed_ones() {
    let repo = repo_with_incident();
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "status: new",
        "status: cancelled",
    );
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "impact: high",
        "cancel_reason: duplicate\nimpact: high",
    );
    repo.commit("cancel", DAY2);
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "status: cancelled",
        "status: new",
    );
    repo.git(["add", "-A"]);
    let run = repo.run(["validate", "--staged"]);
    run.expect_code(1)
        .stderr_has("`cancelled` -> `new` is not a transition of the incident workflow")
        .stderr_has("incidents/INC-0001.yaml:3:9")
        .stderr_has("terminal state");
}

#[test]
fn only_the_staged_version_counts() {
    let repo = repo_with_incident();
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "status: new",
        "status: closed",
    );
    // Nothing staged: the work-tree edit is not what would be committed.
    repo.run(["validate", "--staged"])
        .expect_code(0)
        .stderr_has("checked 0 records staged");
}

#[test]
fn deleting_a_record_is_refused() {
    let repo = repo_with_incident();
    repo.git(["rm", "-q", "incidents/INC-0001.yaml"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("error[deleted]: INC-0001 was deleted; records are never deleted")
        .stderr_has("--> incidents/INC-0001.yaml");
}

#[test]
fn moving_a_record_into_a_year_folder_is_not_a_deletion() {
    let repo = repo_with_incident();
    std::fs::create_dir_all(repo.path("incidents/2026")).expect("mkdir");
    repo.git([
        "mv",
        "incidents/INC-0001.yaml",
        "incidents/2026/INC-0001.yaml",
    ]);
    repo.run(["validate", "--staged"]).expect_code(0);
}

#[test]
fn immutable_fields_notes_and_terminal_records_are_guarded() {
    let repo = repo_with_incident();
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "created_at: 2026-11-20T09:00:00+01:00",
        "created_at: 2026-11-19T09:00:00+01:00",
    );
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "reported_by: someone@example.com",
        "reported_by: other@example.com",
    );
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("error[immutable]: `created_at` may not change")
        .stderr_has("error[immutable]: `reported_by` may not change");
}

#[test]
fn notes_are_append_only() {
    let repo = repo_with_incident();
    let with_note = format!(
        "{VALID_INCIDENT}notes:\n  - at: 2026-11-20T09:30:00+01:00\n    by: someone@example.com\n    text: First look.\n"
    );
    repo.write("incidents/INC-0001.yaml", &with_note);
    repo.commit("note", DAY1);
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "First look.",
        "Second look.",
    );
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("note 1 was edited; notes are append-only");
}

#[test]
fn a_closed_record_accepts_only_new_notes() {
    let repo = Repo::new();
    let closed = "\
id: INC-0001
title: VPN down
status: closed
created_at: 2026-11-20T09:00:00+01:00
reported_by: someone@example.com
impact: high
urgency: high
assignee: alice@example.com
resolved_at: 2026-11-20T11:00:00+01:00
closed_at: 2026-11-20T12:00:00+01:00
resolution:
  code: fixed
  notes: Restarted the concentrator.
";
    repo.write("incidents/INC-0001.yaml", closed);
    repo.commit("closed", DAY1);
    let noted = format!(
        "{closed}notes:\n  - at: 2026-11-21T09:00:00+01:00\n    by: alice@example.com\n    text: Root cause found later.\n"
    );
    repo.write("incidents/INC-0001.yaml", &noted);
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"]).expect_code(0);
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "title: VPN down",
        "title: VPN outage",
    );
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("error[terminal-edit]: INC-0001 is `closed`, a terminal state: only notes and feedback may be added (changed: title)");
}

#[test]
fn a_timestamp_after_its_commit_is_refused_with_skew_allowed() {
    let repo = repo_with_incident();
    // 10:10 on the commit day is within the default 15-minute skew.
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "status: new\n",
        "status: in_progress\nassignee: alice@example.com\nacknowledged_at: 2026-11-21T10:10:00+01:00\n",
    );
    let sha = repo.commit("take it", DAY2);
    repo.run(["validate", "--range", &sha]).expect_code(0);
    // An hour after the commit is not.
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "status: in_progress\n",
        "status: resolved\nresolved_at: 2026-11-21T11:00:00+01:00\nresolution:\n  code: fixed\n  notes: Done.\n",
    );
    let sha = repo.commit("resolve early", DAY2);
    repo.run(["validate", "--range", &format!("{sha}^..{sha}")])
        .expect_code(1)
        .stderr_has("`resolved_at` is 2026-11-21T11:00:00+01:00, later than the commit that records it (2026-11-21T10:00:00+01:00)");
}

#[test]
fn range_checks_each_commit_and_names_the_bad_one() {
    let repo = repo_with_incident();
    let base = repo.git(["rev-parse", "HEAD"]).trim().to_owned();
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "status: new",
        "status: closed",
    );
    // --no-verify (no hook here anyway): the bad commit lands locally.
    let bad = repo.commit("close it in one go", DAY2);
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "title: VPN down",
        "title: VPN down again",
    );
    repo.commit("retitle", DAY2);
    let run = repo.run(["validate", "--range", &format!("{base}..HEAD")]);
    run.expect_code(1)
        .stderr_has("`new` -> `closed` is not a transition of the incident workflow")
        .stderr_has(&format!("(commit {} close it in one go)", &bad[..10]))
        .stderr_has("in 2 commits of");
    // Each commit is judged against its own parent: the second commit
    // alone (closed -> closed with an edit) is a terminal edit.
    repo.run(["validate", "--range", "HEAD^..HEAD"])
        .expect_code(1)
        .stderr_has("error[terminal-edit]");
}

#[test]
fn range_json_names_the_commit() {
    let repo = repo_with_incident();
    repo.git(["rm", "-q", "incidents/INC-0001.yaml"]);
    let sha = repo.commit("delete", DAY2);
    let run = repo.run(["validate", "--range", "HEAD~1..HEAD", "--format", "json"]);
    run.expect_code(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "deleted");
    assert_eq!(d["path"], "incidents/INC-0001.yaml");
    assert!(
        d["commit"]
            .as_str()
            .unwrap_or_default()
            .starts_with(&sha[..10]),
        "{json}"
    );
}

#[test]
fn a_root_commit_is_compared_with_nothing() {
    let repo = repo_with_incident();
    // `gitsm init` and INC-0001 are in the root commit: all added, all valid.
    repo.run(["validate", "--range", "HEAD"])
        .expect_code(0)
        .stderr_has("in 1 commit of HEAD");
}

#[test]
fn a_merge_commit_is_compared_with_its_first_parent() {
    let repo = repo_with_incident();
    repo.git(["checkout", "-q", "-b", "topic"]);
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "status: new\n",
        "status: in_progress\nassignee: alice@example.com\n",
    );
    repo.commit("take it", DAY2);
    repo.git(["checkout", "-q", "main"]);
    repo.write(
        "incidents/INC-0002.yaml",
        VALID_INCIDENT.replace("INC-0001", "INC-0002"),
    );
    repo.commit("second incident", DAY2);
    let merged = git_env_in(
        &repo.sandbox.home(),
        &repo.root,
        ["merge", "-q", "--no-ff", "-m", "merge topic", "topic"],
        &dated(DAY2),
    );
    merged.expect_code(0);
    let run = repo.run(["validate", "--range", "HEAD~1..HEAD"]);
    run.expect_code(0)
        .stderr_has("checked 1 record in 1 commit");
}

#[test]
fn an_empty_repository_and_a_detached_head() {
    let repo = Repo::new();
    // Nothing committed yet: everything staged is new.
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"]).expect_code(0);
    repo.run(["validate", "--range", "HEAD"])
        .expect_code(2)
        .stderr_has("the repository has no commits yet");
    repo.commit("first", DAY1);
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "title: VPN down",
        "title: VPN flaps",
    );
    repo.commit("second", DAY2);
    repo.git(["checkout", "-q", "--detach", "HEAD~1"]);
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "status: new",
        "status: closed",
    );
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("`new` -> `closed`");
    repo.run(["validate", "--range", "main~1..main"])
        .expect_code(0);
}

#[test]
fn an_unknown_revision_is_a_usage_error() {
    let repo = repo_with_incident();
    repo.run(["validate", "--range", "nope..HEAD"])
        .expect_code(2)
        .stderr_has("unknown revision `nope`");
}

#[test]
fn a_shallow_clone_missing_the_base_says_to_fetch_more() {
    let repo = repo_with_incident();
    for (i, day) in [DAY2, DAY3].iter().enumerate() {
        edit(
            &repo,
            "incidents/INC-0001.yaml",
            "title: VPN down",
            &format!("title: VPN down {i}\n# edit"),
        );
        repo.commit("retitle", day);
    }
    let home = repo.sandbox.home();
    let parent = repo.root.parent().expect("parent");
    let url = format!("file://{}", repo.root.display());
    common::git_in(
        &home,
        parent,
        ["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let clone = parent.join("shallow");
    let run = common::gitsm_in(&home, &clone, ["validate", "--range", "HEAD~2..HEAD"]);
    run.expect_code(2)
        .stderr_has("not in this shallow clone")
        .stderr_has("git fetch --unshallow");
    // The whole (cut) history: the cut is reached, and reported as such.
    let run = common::gitsm_in(&home, &clone, ["validate", "--range", "HEAD"]);
    run.expect_code(2).stderr_has("not in this shallow clone");
    // The audit trail and the report say what they could not see, and
    // nobody is said to have created the incident as it stands.
    let edge = common::git_in(&home, &clone, ["rev-parse", "--short=10", "HEAD"]);
    let run = common::gitsm_in(&home, &clone, ["history", "INC-0001"]);
    run.expect_code(0)
        .stdout_has(&format!(
            "history is incomplete: this shallow clone ends at {}; `git fetch --unshallow` fetches the rest",
            edge.trim()
        ))
        .stdout_has("`new` at the shallow clone's edge");
    assert!(!run.stdout.contains("created as"), "{run}");
    common::gitsm_in(&home, &clone, ["history", "INC-0001", "--format", "json"])
        .expect_code(0)
        .stdout_has("\"incomplete\": true");
    common::gitsm_in(
        &home,
        &clone,
        ["report", "--until", "2026-11-23T10:00:00+01:00"],
    )
    .expect_code(0)
    .stdout_has("The repository is a shallow clone: history before its first commit is missing.");
}

#[test]
fn a_managed_root_in_a_subfolder_of_a_larger_repository() {
    let sandbox = common::Sandbox::new();
    let top = sandbox.git_repo("mono");
    let root = top.join("itsm");
    std::fs::create_dir_all(&root).expect("mkdir");
    sandbox.gitsm(&root, ["init"]).expect_code(0);
    common::write_file(&root, "incidents/INC-0001.yaml", VALID_INCIDENT);
    common::write_file(&top, "src/main.c", "int main(void) { return 0; }\n");
    sandbox.git(&top, ["add", "-A"]);
    git_env_in(
        &sandbox.home(),
        &top,
        ["commit", "-q", "-m", "init"],
        &dated(DAY1),
    )
    .expect_code(0);
    let path = root.join("incidents/INC-0001.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace("status: new", "status: closed")).expect("write");
    sandbox.git(&top, ["add", "-A"]);
    // Run from the top of the repository with -C, as the hook does.
    let run = sandbox.gitsm(
        &top,
        ["-C", "itsm", "validate", "--staged", "--format", "github"],
    );
    run.expect_code(1)
        .stdout_has("file=itsm/incidents/INC-0001.yaml,line=3");
}

#[test]
fn a_new_record_naming_a_missing_one_is_refused_without_reading_the_tree() {
    let repo = repo_with_incident();
    repo.write(
        "incidents/INC-0002.yaml",
        format!(
            "{}problem: PRB-0042\n",
            VALID_INCIDENT.replace("INC-0001", "INC-0002")
        ),
    );
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("`problem` names problem `PRB-0042`, which does not exist");
}

#[test]
fn a_duplicate_id_in_another_year_folder_is_found() {
    let repo = repo_with_incident();
    repo.write("incidents/2025/INC-0001.yaml", VALID_INCIDENT);
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("id `INC-0001` is also used by incidents/INC-0001.yaml");
}

#[test]
fn a_policy_change_rechecks_every_record() {
    let repo = Repo::new();
    repo.write("gitsm.yaml", "categories: [network, hardware]\n");
    repo.write(
        "incidents/INC-0001.yaml",
        format!("{VALID_INCIDENT}category: network\n"),
    );
    repo.commit("first", DAY1);
    // Dropping `network` from the categories breaks INC-0001, untouched.
    repo.write("gitsm.yaml", "categories: [hardware]\n");
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("incidents/INC-0001.yaml");
}

#[test]
fn a_workflow_override_is_enforced_and_a_broken_one_is_a_config_error() {
    let repo = Repo::new();
    repo.write(
        "gitsm.yaml",
        "\
workflows:
  incident:
    initial: new
    states:
      new: { next: [triage] }
      triage: { next: [closed], requires: [category] }
      closed: {}
",
    );
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    repo.commit("first", DAY1);
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "status: new",
        "status: triage",
    );
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("state `triage` requires `category`");
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "status: triage",
        "status: in_progress",
    );
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("`in_progress` is not a state of the incident workflow");
    repo.write(
        "gitsm.yaml",
        "\
workflows:
  incident:
    initial: new
    states:
      new: { next: [triage] }
      triage: { next: [done] }
      limbo: { next: [triage], requires: [categroy] }
",
    );
    let run = repo.run(["validate"]);
    run.expect_code(2)
        .stderr_has("workflow `incident`: `triage` moves to `done`, which is not a state")
        .stderr_has("gitsm.yaml:6:24")
        .stderr_has("incident records have no field `categroy`");
}

#[test]
fn history_shows_each_commit_its_author_and_the_status_change_first() {
    let repo = Repo::new();
    repo.write(
        "gitsm.yaml",
        "people:\n  alice: { name: Alice Doe, emails: [alice@example.com] }\n",
    );
    repo.write("incidents/INC-0001.yaml", VALID_INCIDENT);
    repo.commit("open INC-0001", DAY1);
    repo.write(
        "incidents/INC-0002.yaml",
        VALID_INCIDENT.replace("INC-0001", "INC-0002"),
    );
    repo.commit("unrelated", DAY1);
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "status: new\n",
        "status: in_progress\nassignee: alice\n",
    );
    repo.commit_by("Alice Doe", "alice@example.com", "take INC-0001", DAY2);
    let run = repo.run(["history", "INC-0001"]);
    run.expect_code(0)
        .stdout_has("INC-0001: 2 commits")
        .stdout_has("created as `new`")
        .stdout_has("Alice Doe <alice@example.com> (alice)")
        .stdout_has("take INC-0001\n  status: new -> in_progress\n  assignee: (unset) -> alice\n");
    assert!(!run.stdout.contains("unrelated"), "{run}");
    let json = repo.run(["history", "INC-0001", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let take = &v["events"][1];
    assert_eq!(take["author"]["email"], "alice@example.com");
    assert_eq!(take["transition"]["from"], "new");
    assert_eq!(take["transition"]["to"], "in_progress");
    assert_eq!(take["changes"][0]["field"], "status");
    assert_eq!(take["at"], "2026-11-21T10:00:00+01:00");
    repo.run(["history", "INC-0042"])
        .expect_code(2)
        .stderr_has("no incident `INC-0042` in the history of HEAD");
}

#[test]
fn history_counts_a_reopen() {
    let repo = repo_with_incident();
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "status: new\n",
        "status: in_progress\nassignee: alice@example.com\n",
    );
    repo.commit("take", DAY2);
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "status: in_progress\n",
        "status: resolved\nresolved_at: 2026-11-21T10:00:00+01:00\nresolution:\n  code: fixed\n  notes: Restarted.\n",
    );
    repo.commit("resolve", DAY2);
    edit(
        &repo,
        "incidents/INC-0001.yaml",
        "status: resolved",
        "status: in_progress",
    );
    repo.commit("it is back", DAY3);
    repo.run(["history", "INC-0001"])
        .expect_code(0)
        .stdout_has("INC-0001: 4 commits, reopened once");
    repo.run(["validate", "--range", "HEAD~3..HEAD"])
        .expect_code(0);
}

#[test]
fn a_renumbered_record_is_not_a_deletion_but_a_removed_one_is() {
    let repo = repo_with_incident();
    repo.write(
        "incidents/INC-0002.yaml",
        VALID_INCIDENT.replace("INC-0001", "INC-0002"),
    );
    repo.commit("second", DAY1);
    // What `gitsm renumber` does: the same record (created_at, reporter)
    // under the next free id.
    repo.git(["mv", "incidents/INC-0002.yaml", "incidents/INC-0003.yaml"]);
    edit(
        &repo,
        "incidents/INC-0003.yaml",
        "id: INC-0002",
        "id: INC-0003",
    );
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"]).expect_code(0);
    // A different record under the new id does not excuse the removal.
    edit(
        &repo,
        "incidents/INC-0003.yaml",
        "created_at: 2026-11-20T09:00:00+01:00",
        "created_at: 2026-11-20T09:30:00+01:00",
    );
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("INC-0002 was deleted");
}
