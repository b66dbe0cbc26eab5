//! Backdating: an event stamped earlier (beyond `clock_skew`, 15 minutes by
//! default) than a commit that changed the record file without it is an
//! error under `validate --staged` and `--range`, unless declared. Each
//! attack is a test named after it, next to the honest flows that must stay
//! allowed (squash and rebase merges, unrelated commits, declared delays).
//!
//! Times: the incident is opened on Monday 2026-11-16 at 10:00 (+01:00);
//! someone else adds a note at 18:00 that day; the engineer writes the
//! acknowledgement on Tuesday.

use crate::common;

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
fn a_backdated_outage_is_refused_unless_the_outage_says_why() {
    let repo = incident_noted_at_six();
    repo.write(
        "cis/vpn.yaml",
        "id: vpn\nname: VPN\nclass: service\nstatus: active\n",
    );
    // Written on Tuesday: down from 09:40 to 12:00 on Monday, before the
    // 18:00 commit that changed the incident without it.
    let outage = "service: vpn\noutage:\n  - start: 2026-11-16T09:40:00+01:00\n    end: 2026-11-16T12:00:00+01:00\n";
    repo.write(FILE, with_fields(outage));
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("`outage.0.start` is 2026-11-16T09:40:00+01:00, earlier than commit")
        .stderr_has("`outage.0.end` is 2026-11-16T12:00:00+01:00, earlier than commit");
    let declared = format!("{outage}    backdated: taken from the monitoring after the fact\n");
    repo.write(FILE, with_fields(&declared));
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

/// Opened on Monday 10:00 on main (returned: that commit); on branch
/// `work`, acknowledged at 10:05 (committed 10:06) and a note at 11:00
/// (committed 11:01); main checked out again.
fn worked_on_a_branch() -> (Repo, String) {
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
    (repo, base)
}

#[test]
fn a_squash_merge_is_not_backdating() {
    let (repo, base) = worked_on_a_branch();
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
    let (repo, base) = worked_on_a_branch();
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

/// Commit everything with a committer date and another author date.
fn commit_authored(repo: &Repo, message: &str, committed: &str, authored: &str) -> String {
    repo.git(["add", "-A"]);
    git_env_in(
        &repo.sandbox.home(),
        &repo.root,
        ["commit", "-q", "--allow-empty", "-m", message],
        &[
            ("GIT_AUTHOR_DATE", authored),
            ("GIT_COMMITTER_DATE", committed),
        ],
    )
    .expect_code(0);
    head(repo)
}

/// The acknowledged version after Bob's note, at `path`, with `id`.
fn acknowledged(id: &str) -> String {
    with_fields(ACK_1005)
        .replacen("status: new\n", "", 1)
        .replace("INC-0001", id)
}

#[test]
fn a_move_into_a_year_folder_keeps_the_history() {
    let repo = incident_noted_at_six();
    let note = head(&repo);
    std::fs::create_dir_all(repo.path("incidents/2026")).expect("year folder");
    repo.git(["mv", FILE, "incidents/2026/INC-0001.yaml"]);
    repo.write("incidents/2026/INC-0001.yaml", acknowledged("INC-0001"));
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("error[backdated]");
    repo.commit("ack and file into 2026", TUE_0100);
    repo.run(["validate", "--range", &format!("{note}..HEAD")])
        .expect_code(1)
        .stderr_has(&format!("earlier than commit {}", &note[..10]));
}

#[test]
fn a_renumber_keeps_the_history() {
    let repo = incident_noted_at_six();
    let note = head(&repo);
    // Renumbered in a commit whose author time is forged to 10:06, then
    // acknowledged: the new file's history is the old one's.
    repo.git(["rm", "-q", FILE]);
    repo.write(
        "incidents/INC-0002.yaml",
        format!("{OPENED}{NOTE_1800}").replace("INC-0001", "INC-0002"),
    );
    commit_authored(&repo, "renumber", TUE_0100, "2026-11-16T10:06:00+01:00");
    repo.write("incidents/INC-0002.yaml", acknowledged("INC-0002"));
    repo.commit("ack INC-0002", TUE_0900);
    repo.run(["validate", "--range", &format!("{note}..HEAD")])
        .expect_code(1)
        .stderr_has(&format!("earlier than commit {}", &note[..10]));
}

#[test]
fn a_pull_request_cannot_widen_its_own_clock_skew() {
    let repo = incident_noted_at_six();
    let note = head(&repo);
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("config");
    assert!(config.contains("# clock_skew: 15m"));
    repo.write(
        "gitsm.yaml",
        config.replace("# clock_skew: 15m", "clock_skew: 48h"),
    );
    repo.write(FILE, acknowledged("INC-0001"));
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("error[backdated]")
        .stderr_has("allowed clock skew: 15m");
    repo.commit("ack INC-0001; tune the clock skew", TUE_0100);
    repo.run(["validate", "--range", &format!("{note}..HEAD")])
        .expect_code(1)
        .stderr_has("error[backdated]");
}

#[test]
fn an_early_commit_time_on_main_does_not_cut_the_range_walk() {
    let repo = incident_noted_at_six();
    let note = head(&repo);
    // A commit on main dated Monday 09:00 (it touches no ticket) sits
    // between Bob's note and the pull request's base.
    repo.write("README.md", "ops repo\n");
    let base = repo.commit("readme", "2026-11-16T09:00:00+01:00");
    repo.write(FILE, acknowledged("INC-0001"));
    repo.commit("ack INC-0001", TUE_0100);
    repo.run(["validate", "--range", &format!("{base}..HEAD")])
        .expect_code(1)
        .stderr_has(&format!("earlier than commit {}", &note[..10]));
}

#[test]
fn a_merged_line_forked_before_the_evidence_is_checked_against_it() {
    // Bob's note is on the shared incident branch; the attacker's side
    // branch forked before it, acknowledges at 10:05 (author time forged
    // to 10:06) with a copy of Bob's note, and the merge takes its version.
    let repo = Repo::new();
    repo.write(FILE, OPENED);
    let opened = repo.commit("open INC-0001", MON_1000);
    repo.git(["checkout", "-q", "-b", "inc-0001"]);
    repo.write(FILE, format!("{OPENED}{NOTE_1800}"));
    let note = repo.commit("note on INC-0001", MON_1800);
    repo.git(["checkout", "-q", "-b", "side", &opened]);
    repo.write(FILE, acknowledged("INC-0001"));
    commit_authored(&repo, "ack INC-0001", TUE_0100, "2026-11-16T10:06:00+01:00");
    repo.git(["checkout", "-q", "inc-0001"]);
    let home = repo.sandbox.home();
    let _ = git_env_in(
        &home,
        &repo.root,
        ["merge", "-q", "--no-ff", "--no-commit", "side"],
        &[],
    );
    repo.git(["checkout", "-q", "--theirs", FILE]);
    repo.commit("merge side into inc-0001", TUE_0900);
    assert_eq!(
        repo.git(["rev-parse", &format!("HEAD:{FILE}")]),
        repo.git(["rev-parse", &format!("side:{FILE}")])
    );
    repo.run(["validate", "--range", "main..inc-0001"])
        .expect_code(1)
        .stderr_has(&format!("earlier than commit {}", &note[..10]));
}

#[test]
fn resolving_again_with_the_stamp_kept_from_before_a_reopen_is_checked() {
    let repo = Repo::new();
    repo.write(FILE, OPENED);
    repo.commit("open INC-0001", MON_1000);
    let resolved = OPENED.replace(
        "status: new\n",
        "status: resolved\nassignee: alice@example.com\nacknowledged_at: 2026-11-16T10:05:00+01:00\nresolved_at: 2026-11-16T12:00:00+01:00\nresolution:\n  code: fixed\n  notes: Restarted.\n",
    );
    repo.write(FILE, &resolved);
    let base = repo.commit("resolve INC-0001", "2026-11-16T12:01:00+01:00");
    // Reopened at 13:00 (resolved_at stays in the file), worked on, and
    // resolved again on Tuesday without touching resolved_at.
    let reopened = resolved.replacen("status: resolved", "status: in_progress", 1);
    repo.write(FILE, format!("{reopened}{NOTE_1800}"));
    repo.commit("reopen INC-0001", MON_1800);
    repo.write(FILE, format!("{resolved}{NOTE_1800}"));
    repo.commit("resolve INC-0001 again", TUE_0900);
    repo.run(["validate", "--range", &format!("{base}..HEAD")])
        .expect_code(1)
        .stderr_has("`resolved_at` is 2026-11-16T12:00:00+01:00, earlier than commit");
}

#[test]
fn the_same_instant_written_another_way_is_not_backdating() {
    // Acknowledged at 10:05 in a commit at 10:06; Bob's note at 18:00; on
    // Tuesday the stamp is rewritten in UTC: the same instant.
    let repo = Repo::new();
    repo.write(FILE, OPENED);
    repo.commit("open INC-0001", MON_1000);
    let acked = OPENED.replace("status: new\n", ACK_1005);
    repo.write(FILE, &acked);
    repo.commit("ack INC-0001", "2026-11-16T10:06:00+01:00");
    repo.write(FILE, format!("{acked}{NOTE_1800}"));
    let note = repo.commit("note on INC-0001", MON_1800);
    let utc = acked.replace("T10:05:00+01:00", "T09:05:00Z");
    repo.write(FILE, format!("{utc}{NOTE_1800}"));
    repo.commit("stamps in UTC", TUE_0100);
    repo.run(["validate", "--range", &format!("{note}..HEAD")])
        .expect_code(0);
}

#[test]
fn an_invisible_or_kept_declaration_is_no_reason() {
    let repo = incident_noted_at_six();
    let declared = |reason: &str| {
        with_fields(&format!(
            "{ACK_1005}backdated:\n  acknowledged_at: \"{reason}\"\n"
        ))
        .replacen("status: new\n", "", 1)
    };
    // A zero-width space is not a reason.
    repo.write(FILE, declared("\u{200b}"));
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("error[backdated]");
    // A real one is, for the stamp it was written with...
    repo.write(FILE, declared("taken by phone"));
    repo.commit("ack INC-0001", TUE_0100);
    let acked = head(&repo);
    // ...not for the stamp moved earlier still under the same reason.
    repo.write(
        FILE,
        declared("taken by phone").replace("T10:05:00+01:00", "T09:57:00+01:00"),
    );
    repo.commit("ack earlier", TUE_0900);
    repo.run(["validate", "--range", &format!("{acked}..HEAD")])
        .expect_code(1)
        .stderr_has("`acknowledged_at` is 2026-11-16T09:57:00+01:00");
}

#[test]
fn a_shallow_clone_warns_what_it_could_not_check() {
    let repo = incident_noted_at_six();
    repo.write("README.md", "ops repo\n");
    repo.commit("readme", MON_1800);
    let home = repo.sandbox.home();
    let parent = repo.root.parent().expect("parent");
    let url = format!("file://{}", repo.root.display());
    common::git_in(&home, parent, ["clone", "-q", "--depth", "1", &url, "cut"]);
    let clone = parent.join("cut");
    common::set_identity(&home, &clone);
    common::write_file(&clone, FILE, acknowledged("INC-0001"));
    git_env_in(
        &home,
        &clone,
        ["commit", "-q", "-am", "ack"],
        &dated(TUE_0100),
    )
    .expect_code(0);
    common::gitsm_in(&home, &clone, ["validate", "--range", "HEAD~1..HEAD"])
        .expect_code(0)
        .stderr_has("warning[shallow]: backdating not checked against changes before")
        .stderr_has("git fetch --unshallow");
}
