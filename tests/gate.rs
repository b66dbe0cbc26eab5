//! `gitsm gate` and `gitsm approve`: approvals bound to the approver's Git
//! identity and to the content they approved, windows and freezes. Every
//! repository is built with real `git commit`s by different identities at
//! fixed dates.

mod common;

use common::{Repo, Run, dated, git_env_in};

const CONFIG: &str = "\
people:
  rita: { name: Rita Requester, emails: [rita@example.com] }
  carol: { name: Carol Cab, emails: [carol@example.com] }
  dave: { name: Dave Cab, emails: [dave@example.com] }
  erin: { name: Erin Ecab, emails: [erin@example.com] }
groups:
  cab: [carol, dave]
  ecab: [erin]
freeze_windows:
  - { name: year-end, start: 2026-12-20T00:00:00+01:00, end: 2027-01-03T00:00:00+01:00, allow: [emergency] }
";

/// A normal change, requested by Rita, ready for the CAB.
fn change(id: &str, kind: &str, window: (&str, &str), release: &str) -> String {
    format!(
        "\
id: {id}
title: Upgrade payments API
type: {kind}
status: authorize
created_at: 2026-11-20T09:00:00+01:00
requested_by: rita
risk: medium
impact: medium
window:
  start: {}
  end: {}
implementation_plan: Deploy the new version.
backout_plan: Redeploy the old version.
test_plan: Smoke tests.
release: [{release}]
",
        window.0, window.1
    )
}

const WINDOW: (&str, &str) = ("2026-11-25T20:00:00+01:00", "2026-11-25T23:00:00+01:00");
const INSIDE: &str = "2026-11-25T21:00:00+01:00";

/// Commit everything as `who` (an email) at `date`.
fn commit_as(repo: &Repo, who: &str, message: &str, date: &str) {
    repo.git(["add", "-A"]);
    let mut env = dated(date).to_vec();
    env.extend([("GIT_AUTHOR_EMAIL", who), ("GIT_AUTHOR_NAME", who)]);
    git_env_in(
        &repo.sandbox.home(),
        &repo.root,
        ["commit", "-q", "--no-verify", "-m", message],
        &env,
    )
    .expect_code(0);
}

fn append(repo: &Repo, rel: &str, text: &str) {
    let path = repo.path(rel);
    let mut body = std::fs::read_to_string(&path).expect("read");
    body.push_str(text);
    std::fs::write(path, body).expect("write");
}

fn replace(repo: &Repo, rel: &str, from: &str, to: &str) {
    let path = repo.path(rel);
    let body = std::fs::read_to_string(&path).expect("read");
    assert!(body.contains(from), "{rel} has no {from:?}");
    std::fs::write(path, body.replacen(from, to, 1)).expect("write");
}

fn approval(by: &str, at: &str) -> String {
    format!("  - by: {by}\n    decision: approved\n    at: {at}\n")
}

/// CHG-0001 approved by Carol and Dave, each in their own commit, then
/// scheduled by Rita.
fn approved_repo(kind: &str, window: (&str, &str)) -> Repo {
    let repo = Repo::new();
    repo.write("gitsm.yaml", CONFIG);
    repo.write(
        "changes/CHG-0001.yaml",
        change("CHG-0001", kind, window, "payments-api@2.4.0"),
    );
    commit_as(
        &repo,
        "rita@example.com",
        "CHG-0001 for CAB",
        "2026-11-20T10:00:00+01:00",
    );
    append(&repo, "changes/CHG-0001.yaml", "approvals:\n");
    let approvers: &[&str] = if kind == "emergency" {
        &["erin"]
    } else {
        &["carol", "dave"]
    };
    for (i, who) in approvers.iter().enumerate() {
        let at = format!("2026-11-21T{:02}:00:00+01:00", 9 + i);
        append(&repo, "changes/CHG-0001.yaml", &approval(who, &at));
        commit_as(
            &repo,
            &format!("{who}@example.com"),
            &format!("{who} approves CHG-0001"),
            &format!("2026-11-21T{:02}:05:00+01:00", 9 + i),
        );
    }
    replace(
        &repo,
        "changes/CHG-0001.yaml",
        "status: authorize",
        "status: scheduled",
    );
    commit_as(
        &repo,
        "rita@example.com",
        "schedule CHG-0001",
        "2026-11-21T12:00:00+01:00",
    );
    repo
}

fn gate(repo: &Repo, args: &[&str]) -> Run {
    let mut all = vec!["gate"];
    all.extend_from_slice(args);
    repo.run(all)
}

#[test]
fn allowed_inside_the_window_denied_outside() {
    let repo = approved_repo("normal", WINDOW);
    gate(&repo, &["--change", "CHG-0001", "--at", INSIDE])
        .expect_code(0)
        .stdout_has("gate: CHG-0001 ALLOWED at 2026-11-25T21:00:00+01:00");
    gate(&repo, &["--change", "CHG-0001", "--at", "2026-11-26T10:00:00+01:00"])
        .expect_code(1)
        .stdout_has("DENIED")
        .stdout_has("2026-11-26T10:00:00+01:00 is outside its window 2026-11-25T20:00:00+01:00 – 2026-11-25T23:00:00+01:00");
}

#[test]
fn approvals_written_by_the_requester_do_not_count() {
    let repo = Repo::new();
    repo.write("gitsm.yaml", CONFIG);
    let text = change("CHG-0001", "normal", WINDOW, "payments-api@2.4.0")
        .replace("status: authorize", "status: scheduled");
    repo.write(
        "changes/CHG-0001.yaml",
        format!(
            "{text}approvals:\n{}{}",
            approval("carol", "2026-11-20T09:30:00+01:00"),
            approval("dave", "2026-11-20T09:31:00+01:00")
        ),
    );
    // The file looks approved, and `validate` on the work tree agrees...
    repo.run(["validate"]).expect_code(0);
    commit_as(
        &repo,
        "rita@example.com",
        "all approved, honest",
        "2026-11-20T10:00:00+01:00",
    );
    // ...but history says Rita wrote both approvals.
    let run = gate(&repo, &["--change", "CHG-0001", "--at", INSIDE]);
    run.expect_code(1)
        .stdout_has("approvals: needs 2 approval(s) from `cab`, has 0")
        .stdout_has("approval by `carol` does not count: commit")
        .stdout_has("was authored by rita@example.com, not by `carol`");
    // The range check refuses the forged scheduling too.
    repo.run(["validate", "--range", "HEAD"])
        .expect_code(1)
        .stderr_has("authored by rita@example.com, not by `carol`");
}

#[test]
fn editing_the_window_after_approval_makes_approvals_stale() {
    let repo = approved_repo("normal", WINDOW);
    replace(
        &repo,
        "changes/CHG-0001.yaml",
        "end: 2026-11-25T23:00:00+01:00",
        "end: 2026-11-26T03:00:00+01:00",
    );
    commit_as(
        &repo,
        "rita@example.com",
        "longer window",
        "2026-11-21T13:00:00+01:00",
    );
    gate(&repo, &["--change", "CHG-0001", "--at", INSIDE])
        .expect_code(1)
        .stdout_has("stale: window changed in commit");
}

#[test]
fn a_freeze_denies_a_normal_change_and_allows_an_ecab_approved_emergency() {
    let frozen = ("2026-12-22T20:00:00+01:00", "2026-12-22T23:00:00+01:00");
    let at = "2026-12-22T21:00:00+01:00";
    let normal = approved_repo("normal", frozen);
    gate(&normal, &["--change", "CHG-0001", "--at", at])
        .expect_code(1)
        .stdout_has("freeze `year-end`")
        .stdout_has("does not allow normal changes");
    let emergency = approved_repo("emergency", frozen);
    gate(&emergency, &["--change", "CHG-0001", "--at", at])
        .expect_code(0)
        .stdout_has("ALLOWED");
}

#[test]
fn release_lookup_finds_the_authorising_change() {
    let repo = approved_repo("normal", WINDOW);
    repo.write(
        "changes/CHG-0002.yaml",
        change("CHG-0002", "normal", WINDOW, "ledger@1.0.0"),
    );
    commit_as(
        &repo,
        "rita@example.com",
        "another change",
        "2026-11-21T13:00:00+01:00",
    );
    let run = gate(
        &repo,
        &[
            "--release",
            "payments-api@2.4.0",
            "--at",
            INSIDE,
            "--format",
            "json",
        ],
    );
    run.expect_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(json["allowed"], true);
    assert_eq!(json["change"], "CHG-0001");
    assert_eq!(json["release"], "payments-api@2.4.0");
    assert_eq!(json["reasons"], serde_json::json!([]));
    // CHG-0002 is not approved: its release is refused, with every reason.
    let run = gate(
        &repo,
        &[
            "--release",
            "ledger@1.0.0",
            "--at",
            INSIDE,
            "--format",
            "json",
        ],
    );
    run.expect_code(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(json["allowed"], false);
    assert_eq!(json["change"], "CHG-0002");
    let reasons = json["reasons"].as_array().expect("reasons");
    assert!(reasons.len() >= 2, "{json}");
    gate(&repo, &["--release", "nothing@9.9.9", "--at", INSIDE])
        .expect_code(2)
        .stderr_has("no change at HEAD authorises release `nothing@9.9.9`");
    gate(&repo, &["--change", "CHG-0999", "--at", INSIDE])
        .expect_code(2)
        .stderr_has("no change `CHG-0999` at HEAD");
}

#[test]
fn rev_judges_the_records_as_they_were() {
    let repo = approved_repo("normal", WINDOW);
    // At HEAD~1 the change was still `authorize`.
    gate(
        &repo,
        &["--change", "CHG-0001", "--at", INSIDE, "--rev", "HEAD~1"],
    )
    .expect_code(1)
    .stdout_has("status is `authorize`");
}

/// An SSH signing key and the allowed-signers file that vouches for it.
fn signing_setup(repo: &Repo) -> Option<()> {
    let home = repo.sandbox.home();
    let key = home.join("carol_key");
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "carol", "-f"])
        .arg(&key)
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    let public = std::fs::read_to_string(key.with_extension("pub")).ok()?;
    let signers = home.join("allowed_signers");
    let pubkey = public.trim();
    std::fs::write(
        &signers,
        format!("carol@example.com {pubkey}\ndave@example.com {pubkey}\n"),
    )
    .ok()?;
    repo.git(["config", "gpg.format", "ssh"]);
    repo.git(["config", "user.signingkey", &key.to_string_lossy()]);
    repo.git([
        "config",
        "gpg.ssh.allowedSignersFile",
        &signers.to_string_lossy(),
    ]);
    Some(())
}

#[test]
fn signed_approvals_policy_accepts_signed_commits_and_refuses_unsigned_ones() {
    if std::process::Command::new("ssh-keygen")
        .arg("-?")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("GITSM_REQUIRE_TOOLS").is_none(),
            "ssh-keygen is required"
        );
        eprintln!("skipped: ssh-keygen not installed");
        return;
    }
    for signed in [true, false] {
        let repo = Repo::new();
        signing_setup(&repo).expect("ssh signing key");
        repo.write(
            "gitsm.yaml",
            format!("{CONFIG}change_policy:\n  require_signed_approvals: true\n"),
        );
        repo.write(
            "changes/CHG-0001.yaml",
            change("CHG-0001", "normal", WINDOW, "payments-api@2.4.0"),
        );
        commit_as(
            &repo,
            "rita@example.com",
            "CHG-0001",
            "2026-11-20T10:00:00+01:00",
        );
        append(&repo, "changes/CHG-0001.yaml", "approvals:\n");
        for (i, who) in ["carol", "dave"].iter().enumerate() {
            append(
                &repo,
                "changes/CHG-0001.yaml",
                &approval(who, &format!("2026-11-21T{:02}:00:00+01:00", 9 + i)),
            );
            repo.git(["add", "-A"]);
            let mut env = dated("2026-11-21T11:00:00+01:00").to_vec();
            let email = format!("{who}@example.com");
            env.extend([
                ("GIT_AUTHOR_EMAIL", email.as_str()),
                ("GIT_COMMITTER_EMAIL", email.as_str()),
            ]);
            let mut args = vec!["commit", "-q", "--no-verify", "-m", "approve"];
            if signed {
                args.push("-S");
            }
            git_env_in(&repo.sandbox.home(), &repo.root, args, &env).expect_code(0);
        }
        replace(
            &repo,
            "changes/CHG-0001.yaml",
            "status: authorize",
            "status: scheduled",
        );
        commit_as(
            &repo,
            "rita@example.com",
            "schedule",
            "2026-11-21T12:00:00+01:00",
        );
        let run = gate(&repo, &["--change", "CHG-0001", "--at", INSIDE]);
        if signed {
            run.expect_code(0);
        } else {
            run.expect_code(1)
                .stdout_has("is not signed with a key `git verify-commit` accepts");
        }
    }
}

#[test]
fn scheduling_conflicts_are_warnings_unless_the_policy_says_errors() {
    let repo = Repo::new();
    let ci = |id: &str, extra: &str| {
        format!("id: {id}\nname: {id}\nclass: application\nstatus: active\n{extra}")
    };
    repo.write("cis/db.yaml", ci("db", "maintenance_window: nights\n"));
    repo.write(
        "cis/api.yaml",
        ci("api", "relations:\n  depends_on: [db]\n"),
    );
    let scheduled = |id: &str, cis: &str, window: (&str, &str)| {
        change(id, "normal", window, "x@1")
            .replace("status: authorize", "status: scheduled")
            .replace("risk: medium", &format!("risk: medium\ncis: [{cis}]"))
            + &format!(
                "approvals:\n{}{}",
                approval("carol", "2026-11-20T09:30:00+01:00"),
                approval("dave", "2026-11-20T09:31:00+01:00")
            )
    };
    // CHG-0001 touches api, which depends on db; CHG-0002 touches db, an
    // hour later but overlapping; CHG-0003 is in the year-end freeze.
    repo.write(
        "changes/CHG-0001.yaml",
        scheduled("CHG-0001", "api", WINDOW),
    );
    repo.write(
        "changes/CHG-0002.yaml",
        scheduled(
            "CHG-0002",
            "db",
            ("2026-11-25T22:00:00+01:00", "2026-11-26T01:00:00+01:00"),
        ),
    );
    repo.write(
        "changes/CHG-0003.yaml",
        scheduled(
            "CHG-0003",
            "api",
            ("2026-12-21T20:00:00+01:00", "2026-12-21T21:00:00+01:00"),
        ),
    );
    // db may be changed 22:00-06:00 only: CHG-0002 (22:00-01:00) fits.
    let policy = "calendars:\n  nights:\n    timezone: Europe/Berlin\n    hours: { mon: \"22:00-24:00\", tue: \"00:00-06:00,22:00-24:00\", wed: \"00:00-06:00,22:00-24:00\", thu: \"00:00-06:00,22:00-24:00\", fri: \"00:00-06:00\" }\n";
    repo.write("gitsm.yaml", format!("{CONFIG}{policy}"));
    let run = repo.run(["validate"]);
    run.expect_code(0)
        .stderr_has(
            "warning[schedule-overlap]: CHG-0001's window overlaps CHG-0002's, and both touch `db`",
        )
        .stderr_has("warning[schedule-overlap]: CHG-0002's window overlaps CHG-0001's")
        .stderr_has("warning[schedule-freeze]: CHG-0003's window overlaps freeze `year-end`");
    assert!(!run.stderr.contains("schedule-maintenance"), "{run}");
    // Moved to the afternoon, CHG-0002 leaves db's maintenance window.
    replace(
        &repo,
        "changes/CHG-0002.yaml",
        "start: 2026-11-25T22:00:00+01:00",
        "start: 2026-11-25T21:00:00+01:00",
    );
    repo.run(["validate"])
        .expect_code(0)
        .stderr_has("warning[schedule-maintenance]: CHG-0002's window is not inside `nights`, the maintenance window of `db`");
    repo.write(
        "gitsm.yaml",
        format!("{CONFIG}{policy}change_policy:\n  conflicts_are_errors: true\n"),
    );
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("error[schedule-overlap]");
}

/// `gitsm approve` as whoever `git config user.email` says.
fn approve_as(repo: &Repo, email: &str, args: &[&str]) -> Run {
    repo.git(["config", "user.email", email]);
    let mut all = vec!["approve"];
    all.extend_from_slice(args);
    repo.run(all)
}

#[test]
fn approve_appends_a_decision_by_the_current_identity_and_refuses_the_wrong_people() {
    let repo = Repo::new();
    repo.write("gitsm.yaml", CONFIG);
    repo.write(
        "changes/CHG-0001.yaml",
        change("CHG-0001", "normal", WINDOW, "payments-api@2.4.0"),
    );
    commit_as(
        &repo,
        "rita@example.com",
        "CHG-0001",
        "2026-11-20T10:00:00+01:00",
    );
    let before = std::fs::read(repo.path("changes/CHG-0001.yaml")).expect("read");
    approve_as(&repo, "rita@example.com", &["CHG-0001"])
        .expect_code(1)
        .stderr_has("`rita` requested or implements CHG-0001 and may not approve it");
    approve_as(&repo, "erin@example.com", &["CHG-0001"])
        .expect_code(1)
        .stderr_has("a normal change is approved by `cab`, and `erin` is not in it");
    approve_as(&repo, "nobody@example.com", &["CHG-0001"])
        .expect_code(2)
        .stderr_has("`nobody@example.com` is not the email of anyone in `people`");
    assert_eq!(
        std::fs::read(repo.path("changes/CHG-0001.yaml")).expect("read"),
        before
    );
    approve_as(
        &repo,
        "carol@example.com",
        &["CHG-0001", "--comment", "Looks safe"],
    )
    .expect_code(0)
    .stdout_has("CHG-0001: approved by carol");
    let text = std::fs::read_to_string(repo.path("changes/CHG-0001.yaml")).expect("read");
    assert!(
        text.ends_with(
            "release: [payments-api@2.4.0]\napprovals:\n  - by: carol\n    decision: approved\n    at: 2026-11-21T10:00:00+01:00\n    comment: Looks safe\n"
        ),
        "{text}"
    );
}

#[test]
fn approvals_through_the_cli_open_the_gate_and_a_rejection_starts_over() {
    let repo = Repo::new();
    repo.write("gitsm.yaml", CONFIG);
    repo.write(
        "changes/CHG-0001.yaml",
        change("CHG-0001", "normal", WINDOW, "payments-api@2.4.0"),
    );
    commit_as(
        &repo,
        "rita@example.com",
        "CHG-0001",
        "2026-11-20T10:00:00+01:00",
    );
    approve_as(&repo, "carol@example.com", &["CHG-0001"]).expect_code(0);
    repo.commit("carol approves", "2026-11-21T10:05:00+01:00");
    approve_as(
        &repo,
        "dave@example.com",
        &["CHG-0001", "--reject", "--comment", "Not now"],
    )
    .expect_code(0);
    repo.commit("dave rejects", "2026-11-21T10:06:00+01:00");
    repo.git(["config", "user.email", "rita@example.com"]);
    repo.run(["transition", "CHG-0001", "scheduled"])
        .expect_code(1)
        .stderr_has("rejected by `dave`");
    // Back to `new`: the earlier decisions are cleared.
    repo.run(["transition", "CHG-0001", "new"]).expect_code(0);
    let text = std::fs::read_to_string(repo.path("changes/CHG-0001.yaml")).expect("read");
    assert!(text.contains("approvals: []"), "{text}");
    repo.commit("rework", "2026-11-21T10:07:00+01:00");
    // One commit per step: `validate --range` checks each transition.
    for step in ["assess", "authorize"] {
        repo.run(["transition", "CHG-0001", step]).expect_code(0);
        repo.commit(step, "2026-11-21T10:08:00+01:00");
    }
    for who in ["carol", "dave"] {
        approve_as(&repo, &format!("{who}@example.com"), &["CHG-0001"]).expect_code(0);
        repo.commit(&format!("{who} approves"), "2026-11-21T10:09:00+01:00");
    }
    repo.git(["config", "user.email", "rita@example.com"]);
    repo.run(["transition", "CHG-0001", "scheduled"])
        .expect_code(0);
    repo.commit("schedule", "2026-11-21T10:10:00+01:00");
    gate(&repo, &["--change", "CHG-0001", "--at", INSIDE]).expect_code(0);
    repo.run(["validate", "--range", "HEAD"]).expect_code(0);
}
