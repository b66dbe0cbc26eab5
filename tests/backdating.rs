//! Backdating: an event stamped earlier (beyond `clock_skew`, 15 minutes by
//! default) than a commit that changed the record file without it is an
//! error under `validate --staged` and `--range`, unless declared. Each
//! attack is a test named after it, next to the honest flows that must stay
//! allowed (squash and rebase merges, unrelated commits, declared delays).
//!
//! Times: the incident is opened on Monday 2026-11-16 at 10:00 (+01:00);
//! someone else adds a note at 18:00 that day; the engineer writes the
//! acknowledgement on Tuesday.

mod common;

use common::{Repo, dated, git_env_in};

const MON_1000: &str = "2026-11-16T10:00:00+01:00";
const MON_1800: &str = "2026-11-16T18:00:00+01:00";
const TUE_0100: &str = "2026-11-17T01:00:00+01:00";
const TUE_0900: &str = "2026-11-17T09:00:00+01:00";

const FILE: &str = "incidents/INC-0001.yaml";

const OPENED: &str = "\
id: INC-0001
title: VPN down
status: new
created_at: 2026-11-16T09:55:00+01:00
reported_by: someone@example.com
impact: high
urgency: high
";

const NOTE_1800: &str = "\
notes:
  - at: 2026-11-16T18:00:00+01:00
    by: bob@example.com
    text: Still down; users are calling.
";

/// Monday: opened at 10:00, a note by someone else at 18:00.
fn incident_noted_at_six() -> Repo {
    let repo = Repo::new();
    repo.write(FILE, OPENED);
    repo.commit("open INC-0001", MON_1000);
    repo.write(FILE, format!("{OPENED}{NOTE_1800}"));
    repo.commit("note on INC-0001", MON_1800);
    repo
}

fn head(repo: &Repo) -> String {
    repo.git(["rev-parse", "HEAD"]).trim().to_owned()
}

/// The Monday version with extra top-level fields (before the notes).
fn with_fields(fields: &str) -> String {
    format!("{OPENED}{fields}{NOTE_1800}")
}

const ACK_1005: &str = "\
status: in_progress
assignee: alice@example.com
acknowledged_at: 2026-11-16T10:05:00+01:00
";

#[test]
fn a_p1_acknowledged_after_a_later_commit_is_backdated() {
    let repo = incident_noted_at_six();
    let note = head(&repo);
    repo.write(FILE, with_fields(ACK_1005).replacen("status: new\n", "", 1));
    repo.git(["add", "-A"]);
    let expected = format!(
        "`acknowledged_at` is 2026-11-16T10:05:00+01:00, earlier than commit {} (2026-11-16T18:00:00+01:00) that changed this file without it",
        &note[..10]
    );
    // The pre-commit check...
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("error[backdated]")
        .stderr_has(&expected)
        .stderr_has("backdated: {acknowledged_at: <reason>}");
    // ...and CI's range check, once committed anyway.
    repo.commit("ack INC-0001", TUE_0100);
    repo.run(["validate", "--range", &format!("{note}..HEAD")])
        .expect_code(1)
        .stderr_has(&expected)
        .stderr_has("INC-0001.yaml:9:18");
}

#[test]
fn a_declared_late_acknowledgement_is_accepted() {
    let repo = incident_noted_at_six();
    let note = head(&repo);
    let declared = format!(
        "{}backdated:\n  acknowledged_at: taken by phone at 10:05, written down the next night\n",
        ACK_1005
    );
    repo.write(
        FILE,
        with_fields(&declared).replacen("status: new\n", "", 1),
    );
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"]).expect_code(0);
    repo.commit("ack INC-0001", TUE_0100);
    repo.run(["validate", "--range", &format!("{note}..HEAD")])
        .expect_code(0);
}

#[test]
fn a_declaration_names_a_stamp_of_the_record_with_a_reason() {
    let repo = incident_noted_at_six();
    repo.write(
        FILE,
        with_fields("backdated:\n  fulfilled_at: not an incident field\n  closed_at: \" \"\n"),
    );
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("`backdated` names `fulfilled_at`, which is not an event stamp of this record")
        .stderr_has("`backdated.closed_at` needs a reason");
}

#[test]
fn a_backdated_note_is_refused_unless_the_note_says_why() {
    let repo = incident_noted_at_six();
    let late_note = "  - at: 2026-11-16T12:00:00+01:00\n    by: alice@example.com\n    text: Restarted the concentrator.\n";
    repo.write(FILE, format!("{OPENED}{NOTE_1800}{late_note}"));
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("`notes.1.at` is 2026-11-16T12:00:00+01:00, earlier than commit")
        .stderr_has("`backdated: <reason>` on the entry");
    let declared = format!("{late_note}    backdated: written up from the shift log\n");
    repo.write(FILE, format!("{OPENED}{NOTE_1800}{declared}"));
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"]).expect_code(0);
}

#[test]
fn a_backdated_hold_is_refused() {
    let repo = incident_noted_at_six();
    let note = head(&repo);
    let hold = "status: on_hold\nassignee: alice@example.com\nacknowledged_at: 2026-11-16T18:05:00+01:00\non_hold:\n  - start: 2026-11-16T11:00:00+01:00\n    reason: awaiting_customer\n";
    repo.write(FILE, with_fields(hold).replacen("status: new\n", "", 1));
    repo.commit("hold INC-0001", TUE_0100);
    repo.run(["validate", "--range", &format!("{note}..HEAD")])
        .expect_code(1)
        .stderr_has("`on_hold.0.start` is 2026-11-16T11:00:00+01:00, earlier than commit");
}

#[test]
fn within_the_clock_skew_is_not_backdating() {
    let repo = incident_noted_at_six();
    let note = head(&repo);
    // 17:50 is ten minutes before the 18:00 commit: inside 15 minutes.
    let ack = ACK_1005.replace("2026-11-16T10:05", "2026-11-16T17:50");
    repo.write(FILE, with_fields(&ack).replacen("status: new\n", "", 1));
    repo.commit("ack INC-0001", TUE_0100);
    repo.run(["validate", "--range", &format!("{note}..HEAD")])
        .expect_code(0);
    // 17:40 is twenty minutes before it: outside.
    let repo = incident_noted_at_six();
    let ack = ACK_1005.replace("2026-11-16T10:05", "2026-11-16T17:40");
    repo.write(FILE, with_fields(&ack).replacen("status: new\n", "", 1));
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("error[backdated]");
}

#[test]
fn commits_that_did_not_touch_the_file_never_count() {
    let repo = Repo::new();
    repo.write(FILE, OPENED);
    repo.commit("open INC-0001", MON_1000);
    let opened = head(&repo);
    // Other work at 18:00: the incident file is untouched.
    repo.write(
        "incidents/INC-0002.yaml",
        OPENED.replace("INC-0001", "INC-0002"),
    );
    repo.commit("open INC-0002", MON_1800);
    repo.write(FILE, OPENED.replace("status: new\n", ACK_1005));
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"]).expect_code(0);
    repo.commit("ack INC-0001", TUE_0100);
    repo.run(["validate", "--range", &format!("{opened}..HEAD")])
        .expect_code(0);
}

#[test]
fn a_squash_merge_is_not_backdating() {
    let repo = Repo::new();
    repo.write(FILE, OPENED);
    repo.commit("open INC-0001", MON_1000);
    let base = head(&repo);
    repo.git(["checkout", "-q", "-b", "work"]);
    repo.write(FILE, OPENED.replace("status: new\n", ACK_1005));
    repo.commit("ack INC-0001", "2026-11-16T10:06:00+01:00");
    let note = "notes:\n  - at: 2026-11-16T11:00:00+01:00\n    by: alice@example.com\n    text: Restarted the concentrator.\n";
    repo.write(
        FILE,
        format!("{}{note}", OPENED.replace("status: new\n", ACK_1005)),
    );
    repo.commit("note INC-0001", "2026-11-16T11:01:00+01:00");
    repo.git(["checkout", "-q", "main"]);
    // Other work lands on main at 18:00 before the squash.
    repo.write("README.md", "ops repo\n");
    repo.commit("readme", MON_1800);
    repo.git(["merge", "-q", "--squash", "work"]);
    repo.commit("INC-0001 work (#12)", TUE_0900);
    repo.run(["validate", "--range", &format!("{base}..HEAD")])
        .expect_code(0);
}

#[test]
fn a_rebase_merge_is_not_backdating() {
    let repo = Repo::new();
    repo.write(FILE, OPENED);
    repo.commit("open INC-0001", MON_1000);
    let base = head(&repo);
    repo.git(["checkout", "-q", "-b", "work"]);
    repo.write(FILE, OPENED.replace("status: new\n", ACK_1005));
    repo.commit("ack INC-0001", "2026-11-16T10:06:00+01:00");
    let note = "notes:\n  - at: 2026-11-16T11:00:00+01:00\n    by: alice@example.com\n    text: Restarted the concentrator.\n";
    repo.write(
        FILE,
        format!("{}{note}", OPENED.replace("status: new\n", ACK_1005)),
    );
    repo.commit("note INC-0001", "2026-11-16T11:01:00+01:00");
    repo.git(["checkout", "-q", "main"]);
    repo.write("README.md", "ops repo\n");
    repo.commit("readme", MON_1800);
    // Rebased on Tuesday: committer dates move, author dates stay.
    git_env_in(
        &repo.sandbox.home(),
        &repo.root,
        ["rebase", "-q", "main", "work"],
        &[("GIT_COMMITTER_DATE", TUE_0900)],
    )
    .expect_code(0);
    repo.git(["checkout", "-q", "main"]);
    repo.git(["merge", "-q", "--ff-only", "work"]);
    // The note (11:00) follows a commit the rebase re-made on Tuesday, but
    // that commit was authored at 10:06.
    repo.run(["validate", "--range", &format!("{base}..HEAD")])
        .expect_code(0)
        .stderr_has("in 3 commits");
}

#[test]
fn a_forged_early_commit_in_the_range_does_not_hide_an_honest_one() {
    let repo = incident_noted_at_six();
    let note = head(&repo);
    // The attacker first touches the file in a commit dated 10:01 Monday,
    // so that the last change before the acknowledgement looks early.
    repo.write(
        FILE,
        with_fields("").replace("VPN down", "VPN down (site B)"),
    );
    git_env_in(
        &repo.sandbox.home(),
        &repo.root,
        ["commit", "-q", "-a", "-m", "retitle"],
        &dated("2026-11-16T10:01:00+01:00"),
    )
    .expect_code(0);
    repo.write(
        FILE,
        with_fields(ACK_1005)
            .replacen("status: new\n", "", 1)
            .replace("VPN down", "VPN down (site B)"),
    );
    repo.commit("ack INC-0001", TUE_0100);
    repo.run(["validate", "--range", &format!("{note}..HEAD")])
        .expect_code(1)
        .stderr_has(&format!(
            "earlier than commit {} (2026-11-16T18:00:00+01:00)",
            &note[..10]
        ));
}

#[test]
fn a_backdated_event_on_a_merged_branch_is_found() {
    let repo = incident_noted_at_six();
    let note = head(&repo);
    repo.git(["checkout", "-q", "-b", "work"]);
    repo.write(FILE, with_fields(ACK_1005).replacen("status: new\n", "", 1));
    let ack = repo.commit("ack INC-0001", TUE_0100);
    repo.git(["checkout", "-q", "main"]);
    repo.write("README.md", "ops repo\n");
    repo.commit("readme", TUE_0100);
    git_env_in(
        &repo.sandbox.home(),
        &repo.root,
        ["merge", "-q", "--no-ff", "-m", "merge work", "work"],
        &dated(TUE_0900),
    )
    .expect_code(0);
    repo.run(["validate", "--range", &format!("{note}..HEAD")])
        .expect_code(1)
        .stderr_has("`acknowledged_at` is 2026-11-16T10:05:00+01:00")
        .stderr_has(&format!("(commit {} ack INC-0001)", &ack[..10]));
}

#[test]
fn a_shallow_clone_blames_no_one() {
    let repo = incident_noted_at_six();
    let home = repo.sandbox.home();
    let parent = repo.root.parent().expect("parent");
    let url = format!("file://{}", repo.root.display());
    common::git_in(
        &home,
        parent,
        ["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let clone = parent.join("shallow");
    common::set_identity(&home, &clone);
    // HEAD (the 18:00 note) is the shallow edge: which commit wrote the
    // file is unknown, so nothing is called backdated.
    common::write_file(
        &clone,
        FILE,
        with_fields(ACK_1005).replacen("status: new\n", "", 1),
    );
    common::git_in(&home, &clone, ["add", "-A"]);
    common::gitsm_in(&home, &clone, ["validate", "--staged"]).expect_code(0);
}
