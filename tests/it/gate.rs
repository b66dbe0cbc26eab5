//! `gitsm gate` and `gitsm approve`: decisions signed with real `ssh-keygen`
//! keys over the content they approve, judged under the policy of a trusted
//! revision; windows and freezes. Every repository is built with real
//! `git commit`s by different identities at fixed dates.
//!
//! The attack catalogue: each test named after an attack shows it denied by
//! `gate` and by `validate --range`; the honest flows (merge, rebase and
//! squash merges, a shallow clone, renewal while scheduled, a request's
//! approval) are allowed.

use crate::common;

use std::path::PathBuf;

use common::{Repo, Run, dated, git_env_in};

/// Everyone's SSH key pair, made by `ssh-keygen` in the sandbox.
struct Keys {
    dir: PathBuf,
}

const PEOPLE: &[&str] = &["rita", "carol", "dave", "erin", "frank", "mallory"];

impl Keys {
    fn new(repo: &Repo) -> Keys {
        let dir = repo.sandbox.dir("keys");
        for who in PEOPLE {
            let out = std::process::Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", who, "-f"])
                .arg(dir.join(who))
                .output()
                .expect("ssh-keygen runs");
            assert!(out.status.success(), "ssh-keygen failed: {out:?}");
        }
        Keys { dir }
    }

    fn private(&self, who: &str) -> String {
        self.dir.join(who).to_string_lossy().into_owned()
    }

    fn public(&self, who: &str) -> String {
        std::fs::read_to_string(self.dir.join(format!("{who}.pub")))
            .expect("public key")
            .trim()
            .to_owned()
    }

    /// The policy: Rita requests, Carol, Dave and Frank are the CAB, Erin
    /// the ECAB; Mallory is a person with a key but in no group.
    fn config(&self) -> String {
        let person = |who: &str, name: &str| {
            format!(
                "  {who}: {{ name: {name}, emails: [{who}@example.com], keys: [\"{}\"] }}\n",
                self.public(who)
            )
        };
        format!(
            "people:\n{}{}{}{}{}{}\
groups:\n  cab: [carol, dave, frank]\n  ecab: [erin]\n\
freeze_windows:\n  - {{ name: year-end, start: 2026-12-20T00:00:00+01:00, end: 2027-01-03T00:00:00+01:00, allow: [emergency] }}\n\
standard_changes:\n  cert-renewal: {{ title: Renew a TLS certificate, risk: low }}\n\
catalog:\n  vpn-access: {{ name: VPN access, response: 30m, fulfilment: 8h, approval: {{ approvals: 1, from: cab }} }}\n",
            person("rita", "Rita Requester"),
            person("carol", "Carol Cab"),
            person("dave", "Dave Cab"),
            person("erin", "Erin Ecab"),
            person("frank", "Frank Cab"),
            person("mallory", "Mallory Outsider"),
        )
    }
}

/// A policy without keys that trusts commit authors (the older rule).
const COMMIT_PROOF: &str = "\
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
change_policy:
  proof: commit
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
    repo.try_commit_by(
        &["-q", "--no-verify", "-m", message],
        date,
        Some((who, who)),
    )
    .expect_code(0);
}

fn replace(repo: &Repo, rel: &str, from: &str, to: &str) {
    let path = repo.path(rel);
    let body = std::fs::read_to_string(&path).expect("read");
    assert!(body.contains(from), "{rel} has no {from:?}");
    std::fs::write(path, body.replacen(from, to, 1)).expect("write");
}

/// Cut CHG-0001's `approvals` (the file's last key) out of the file.
fn strip_decisions(repo: &Repo) {
    let text = read(repo, "changes/CHG-0001.yaml");
    let cut = text.find("approvals:").expect("approvals");
    repo.write("changes/CHG-0001.yaml", &text[..cut]);
}

fn read(repo: &Repo, rel: &str) -> String {
    std::fs::read_to_string(repo.path(rel)).expect("read")
}

/// `gitsm approve ID` signed with `who`'s key, at `at`.
fn approve(repo: &Repo, keys: &Keys, who: &str, id: &str, at: &str, extra: &[&str]) -> Run {
    let key = keys.private(who);
    let mut args = vec!["approve", id, "--key", key.as_str()];
    args.extend_from_slice(extra);
    repo.run_env(args, &[("GITSM_NOW", at)])
}

/// Approve with `who`'s key and commit it as them.
fn approve_and_commit(repo: &Repo, keys: &Keys, who: &str, id: &str, hour: u32) {
    let at = format!("2026-11-21T{hour:02}:00:00+01:00");
    approve(repo, keys, who, id, &at, &[]).expect_code(0);
    commit_as(
        repo,
        &format!("{who}@example.com"),
        &format!("{who} approves {id}"),
        &format!("2026-11-21T{hour:02}:05:00+01:00"),
    );
}

/// Approvals by Carol and Dave written by hand (no signature), each
/// committed under the approver's email.
fn unsigned_approvals_committed_as_the_approvers(repo: &Repo) {
    for (who, hour) in [("carol", 9), ("dave", 10)] {
        let mut text = read(repo, "changes/CHG-0001.yaml");
        if !text.contains("approvals:") {
            text.push_str("approvals:\n");
        }
        text.push_str(&approval(who, &format!("2026-11-21T{hour:02}:00:00+01:00")));
        repo.write("changes/CHG-0001.yaml", text);
        commit_as(
            repo,
            &format!("{who}@example.com"),
            "approve",
            &format!("2026-11-21T{hour:02}:05:00+01:00"),
        );
    }
}

/// A repository with the keyed policy and `text` as CHG-0001, committed
/// by its requester, Rita.
fn proposed(text: String) -> (Repo, Keys) {
    let repo = Repo::new();
    let keys = Keys::new(&repo);
    repo.write("gitsm.yaml", keys.config());
    repo.write("changes/CHG-0001.yaml", text);
    commit_as(
        &repo,
        "rita@example.com",
        "CHG-0001 for CAB",
        "2026-11-20T10:00:00+01:00",
    );
    (repo, keys)
}

/// CHG-0001 approved by Carol and Dave (or Erin for an emergency), each
/// signing with their key in their own commit, then scheduled by Rita.
fn approved_repo(kind: &str, window: (&str, &str)) -> (Repo, Keys) {
    let (repo, keys) = proposed(change("CHG-0001", kind, window, "payments-api@2.4.0"));
    let approvers: &[&str] = if kind == "emergency" {
        &["erin"]
    } else {
        &["carol", "dave"]
    };
    for (i, who) in approvers.iter().enumerate() {
        approve_and_commit(&repo, &keys, who, "CHG-0001", 9 + i as u32);
    }
    schedule(&repo, "CHG-0001");
    (repo, keys)
}

fn schedule(repo: &Repo, id: &str) {
    replace(
        repo,
        &format!("changes/{id}.yaml"),
        "status: authorize",
        "status: scheduled",
    );
    commit_as(
        repo,
        "rita@example.com",
        &format!("schedule {id}"),
        "2026-11-21T12:00:00+01:00",
    );
}

fn gate(repo: &Repo, args: &[&str]) -> Run {
    let mut all = vec!["gate"];
    all.extend_from_slice(args);
    repo.run(all)
}

fn gate_at(repo: &Repo, extra: &[&str]) -> Run {
    let mut args = vec!["--change", "CHG-0001", "--at", INSIDE];
    args.extend_from_slice(extra);
    gate(repo, &args)
}

#[test]
fn allowed_inside_the_window_denied_outside() {
    let (repo, _keys) = approved_repo("normal", WINDOW);
    gate_at(&repo, &[])
        .expect_code(0)
        .stdout_has("gate: CHG-0001 ALLOWED at 2026-11-25T21:00:00+01:00");
    gate(&repo, &["--change", "CHG-0001", "--at", "2026-11-26T10:00:00+01:00"])
        .expect_code(1)
        .stdout_has("DENIED")
        .stdout_has("2026-11-26T10:00:00+01:00 is outside its window 2026-11-25T20:00:00+01:00 – 2026-11-25T23:00:00+01:00");
    repo.run(["validate", "--range", "HEAD"]).expect_code(0);
    // The decision is stored with its signature, in block style.
    let text = read(&repo, "changes/CHG-0001.yaml");
    assert!(text.contains("  - by: carol\n    decision: approved\n    at: 2026-11-21T09:00:00+01:00\n    signature: U1NIU0lH"), "{text}");
}

// ---- Attacks -------------------------------------------------------------

#[test]
fn forged_author_email_does_not_make_an_approval() {
    let (repo, _keys) = proposed(change("CHG-0001", "normal", WINDOW, "x@1"));
    // Rita writes Carol's and Dave's approvals and commits each under their
    // email addresses (`git commit --author`): no signature, no approval.
    unsigned_approvals_committed_as_the_approvers(&repo);
    schedule(&repo, "CHG-0001");
    gate_at(&repo, &[])
        .expect_code(1)
        .stdout_has("approvals: needs 2 approval(s) from `cab` (normal rule), has 0")
        .stdout_has("approval by `carol` does not count: it is not signed");
    repo.run(["validate", "--range", "HEAD"])
        .expect_code(1)
        .stderr_has("approval by `carol` does not count: it is not signed");
}

#[test]
fn someone_elses_key_does_not_make_an_approval() {
    let (repo, keys) = approved_repo("normal", WINDOW);
    // Mallory signs a decision with her own (listed, valid) key and writes
    // it down as Carol's.
    let rel = "changes/CHG-0001.yaml";
    let before = read(&repo, rel);
    repo.git(["checkout", "-q", "HEAD~3"]);
    let at = "2026-11-21T09:30:00+01:00";
    // Mallory is in no group: `approve` refuses her outright...
    approve(&repo, &keys, "mallory", "CHG-0001", at, &[])
        .expect_code(1)
        .stderr_has("`mallory` is not in it");
    repo.git(["checkout", "-q", "-"]);
    // ...so she takes Dave's signed entry and renames it Carol's.
    let forged = before.replacen("  - by: dave", "  - by: carol", 1);
    repo.write(rel, forged);
    commit_as(
        &repo,
        "mallory@example.com",
        "tidy",
        "2026-11-21T13:00:00+01:00",
    );
    gate_at(&repo, &[])
        .expect_code(1)
        .stdout_has("approval by `carol` does not count: it is signed with key SHA256:")
        .stdout_has("which is not one of `carol`'s keys in the policy");
    repo.run(["validate", "--range", "HEAD~1..HEAD"])
        .expect_code(1)
        .stderr_has("decisions-append-only");
}

#[test]
fn deleted_rejection_still_blocks() {
    let (repo, keys) = proposed(change("CHG-0001", "normal", WINDOW, "x@1"));
    let base = repo.git(["rev-parse", "HEAD"]).trim().to_owned();
    approve(
        &repo,
        &keys,
        "carol",
        "CHG-0001",
        "2026-11-21T08:00:00+01:00",
        &["--reject", "--comment", "No backout test"],
    )
    .expect_code(0);
    commit_as(
        &repo,
        "carol@example.com",
        "carol rejects",
        "2026-11-21T08:05:00+01:00",
    );
    // Rita deletes the rejection; Dave and Frank approve.
    strip_decisions(&repo);
    commit_as(
        &repo,
        "rita@example.com",
        "cleanup",
        "2026-11-21T08:30:00+01:00",
    );
    approve_and_commit(&repo, &keys, "dave", "CHG-0001", 9);
    approve_and_commit(&repo, &keys, "frank", "CHG-0001", 10);
    schedule(&repo, "CHG-0001");
    gate_at(&repo, &[])
        .expect_code(1)
        .stdout_has("a rejection by `carol` (commit ")
        .stdout_has("was removed from the file");
    repo.run(["validate", "--range", &format!("{base}..HEAD")])
        .expect_code(1)
        .stderr_has("decisions are append-only");
}

#[test]
fn rejection_blocks_until_back_to_new_and_approve_warns() {
    let (repo, keys) = proposed(change("CHG-0001", "normal", WINDOW, "x@1"));
    approve(
        &repo,
        &keys,
        "carol",
        "CHG-0001",
        "2026-11-21T08:00:00+01:00",
        &["--reject"],
    )
    .expect_code(0);
    // A later approval is recorded, with a warning that it changes nothing.
    approve(
        &repo,
        &keys,
        "dave",
        "CHG-0001",
        "2026-11-21T09:00:00+01:00",
        &[],
    )
    .expect_code(0)
    .stderr_has("stays blocked until it goes back to `new`");
    approve(
        &repo,
        &keys,
        "frank",
        "CHG-0001",
        "2026-11-21T09:10:00+01:00",
        &[],
    )
    .expect_code(0);
    repo.run(["transition", "CHG-0001", "scheduled"])
        .expect_code(1)
        .stderr_has("rejected by `carol`");
    commit_as(
        &repo,
        "rita@example.com",
        "decisions",
        "2026-11-21T09:30:00+01:00",
    );
    // Back to `new` clears them; fresh approvals then count.
    replace(
        &repo,
        "changes/CHG-0001.yaml",
        "status: authorize",
        "status: new",
    );
    strip_decisions(&repo);
    commit_as(
        &repo,
        "rita@example.com",
        "start over",
        "2026-11-21T10:00:00+01:00",
    );
    replace(
        &repo,
        "changes/CHG-0001.yaml",
        "status: new",
        "status: authorize",
    );
    commit_as(
        &repo,
        "rita@example.com",
        "again",
        "2026-11-21T10:10:00+01:00",
    );
    approve_and_commit(&repo, &keys, "dave", "CHG-0001", 11);
    approve_and_commit(&repo, &keys, "frank", "CHG-0001", 12);
    schedule(&repo, "CHG-0001");
    gate_at(&repo, &[]).expect_code(0);
    repo.run(["validate", "--range", "HEAD"]).expect_code(0);
}

#[test]
fn cherry_picked_approvals_onto_a_moved_window_do_not_count() {
    let (repo, _keys) = approved_repo("normal", WINDOW);
    // A branch from before the approvals moves the window, then replays the
    // approvers' commits on top (as a cherry-pick or a rebase would).
    repo.git(["checkout", "-q", "-b", "moved", "HEAD~3"]);
    replace(
        &repo,
        "changes/CHG-0001.yaml",
        "start: 2026-11-25T20:00:00+01:00",
        "start: 2026-11-25T18:00:00+01:00",
    );
    commit_as(
        &repo,
        "rita@example.com",
        "earlier start",
        "2026-11-20T11:00:00+01:00",
    );
    repo.git(["cherry-pick", "main~2", "main~1", "main"]);
    gate(&repo, &["--change", "CHG-0001", "--at", "2026-11-25T19:00:00+01:00"])
        .expect_code(1)
        .stdout_has("does not match the record: the approved content or the decision changed since it was signed");
    repo.run(["validate", "--range", "HEAD~4..HEAD"])
        .expect_code(1)
        .stderr_has("does not match the record");
}

#[test]
fn backdated_parallel_branch_copying_approvals_is_denied() {
    let (repo, _keys) = approved_repo("normal", WINDOW);
    let approved = read(&repo, "changes/CHG-0001.yaml");
    // A branch dated before the approvals changes the window and pastes
    // the approval lines; it is merged into main.
    repo.git(["checkout", "-q", "-b", "sneaky", "HEAD~3"]);
    let moved = approved.replace(
        "end: 2026-11-25T23:00:00+01:00",
        "end: 2026-11-26T06:00:00+01:00",
    );
    repo.write("changes/CHG-0001.yaml", moved);
    commit_as(
        &repo,
        "rita@example.com",
        "longer window",
        "2026-11-19T10:00:00+01:00",
    );
    repo.git(["checkout", "-q", "main"]);
    let env = dated("2026-11-21T14:00:00+01:00");
    git_env_in(
        &repo.sandbox.home(),
        &repo.root,
        [
            "merge", "-q", "--no-ff", "-X", "theirs", "-m", "merge", "sneaky",
        ],
        &env,
    )
    .expect_code(0);
    assert!(read(&repo, "changes/CHG-0001.yaml").contains("2026-11-26T06:00:00+01:00"));
    gate(
        &repo,
        &["--change", "CHG-0001", "--at", "2026-11-26T02:00:00+01:00"],
    )
    .expect_code(1)
    .stdout_has("does not match the record");
    repo.run(["validate", "--range", "HEAD~1..HEAD"])
        .expect_code(1)
        .stderr_has("approved-content");
}

#[test]
fn duplicate_id_in_a_year_folder_denies_the_gate() {
    let (repo, _keys) = approved_repo("normal", WINDOW);
    let text = read(&repo, "changes/CHG-0001.yaml");
    repo.write(
        "changes/2026/CHG-0001.yaml",
        text.replace("payments-api@2.4.0", "evil@6.6.6"),
    );
    commit_as(
        &repo,
        "rita@example.com",
        "copy",
        "2026-11-21T13:00:00+01:00",
    );
    gate_at(&repo, &[])
        .expect_code(1)
        .stdout_has("duplicate id: CHG-0001 is");
    repo.run(["validate", "--range", "HEAD~1..HEAD"])
        .expect_code(1);
}

#[test]
fn a_pull_request_cannot_approve_its_own_change_with_people_it_adds() {
    let (repo, keys) = proposed(change("CHG-0001", "normal", WINDOW, "x@1"));
    let base = repo.git(["rev-parse", "HEAD"]).trim().to_owned();
    // The pull request puts Mallory in the CAB, and adds a look-alike
    // `carol2` whose key is Rita's second key... well, Mallory's: both
    // approve the change in the same range.
    let config = keys.config().replace(
        "cab: [carol, dave, frank]",
        "cab: [carol, dave, frank, mallory, carol2]",
    );
    let lookalike = format!(
        "people:\n  carol2: {{ name: Carol Cab, emails: [carol@example.org], keys: [\"{}\"] }}\n",
        keys.public("rita").replace(" rita", " carol2")
    );
    // `rita`'s key may not be listed twice: give carol2 a fresh one.
    let _ = lookalike;
    let fresh = repo.sandbox.dir("fresh");
    let out = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "carol2", "-f"])
        .arg(fresh.join("carol2"))
        .output()
        .expect("ssh-keygen");
    assert!(out.status.success());
    let carol2_pub = std::fs::read_to_string(fresh.join("carol2.pub")).expect("pub");
    let config = config.replacen(
        "people:\n",
        &format!("people:\n  carol2: {{ name: Carol Cab, emails: [carol@example.org], keys: [\"{}\"] }}\n", carol2_pub.trim()),
        1,
    );
    repo.write("gitsm.yaml", config);
    commit_as(
        &repo,
        "rita@example.com",
        "onboard",
        "2026-11-21T08:00:00+01:00",
    );
    approve_and_commit(&repo, &keys, "mallory", "CHG-0001", 9);
    let key = fresh.join("carol2").to_string_lossy().into_owned();
    repo.run_env(
        ["approve", "CHG-0001", "--key", &key],
        &[("GITSM_NOW", "2026-11-21T10:00:00+01:00")],
    )
    .expect_code(0);
    commit_as(
        &repo,
        "carol@example.org",
        "approve",
        "2026-11-21T10:05:00+01:00",
    );
    schedule(&repo, "CHG-0001");
    // Under its own policy the branch looks approved...
    gate_at(&repo, &[]).expect_code(0);
    // ...under the protected base's it is not.
    gate_at(&repo, &["--policy-rev", &base])
        .expect_code(1)
        .stdout_has("approval by `mallory` does not count: `mallory` is not in group `cab`")
        .stdout_has("approval by `carol2` does not count: `carol2` is not a person in the policy's `people`");
    repo.run(["validate", "--range", &format!("{base}..HEAD")])
        .expect_code(1)
        .stderr_has("do not hold under the policy at");
}

#[test]
fn a_pull_request_cannot_drop_the_approval_its_request_needs() {
    let repo = Repo::new();
    let keys = Keys::new(&repo);
    repo.write("gitsm.yaml", keys.config());
    let request = "id: REQ-0001\ntitle: VPN for Dave\nstatus: new\ncreated_at: 2026-11-20T09:00:00+01:00\nrequested_by: dave\ncatalog_item: vpn-access\n";
    repo.write("requests/REQ-0001.yaml", request);
    commit_as(
        &repo,
        "dave@example.com",
        "REQ-0001",
        "2026-11-20T10:00:00+01:00",
    );
    let base = repo.git(["rev-parse", "HEAD"]).trim().to_owned();
    // The branch removes the item's approval rule and approves the request.
    repo.write(
        "gitsm.yaml",
        keys.config()
            .replace(", approval: { approvals: 1, from: cab }", ""),
    );
    repo.write(
        "requests/REQ-0001.yaml",
        request.replace("status: new", "status: approved"),
    );
    commit_as(
        &repo,
        "dave@example.com",
        "no approval needed",
        "2026-11-20T11:00:00+01:00",
    );
    repo.run(["validate"]).expect_code(0);
    repo.run(["validate", "--range", &format!("{base}..HEAD")])
        .expect_code(1)
        .stderr_has("REQ-0001 is `approved` but its decisions do not hold under the policy at")
        .stderr_has("needs 1 approval(s) from `cab` (catalog rule), has 0");
}

#[test]
fn standard_change_riskier_than_its_template_needs_approval() {
    let text = change("CHG-0001", "standard", WINDOW, "x@1")
        .replace("status: authorize", "status: scheduled")
        .replace("risk: medium", "risk: high\ntemplate: cert-renewal");
    let (repo, _keys) = proposed(text);
    gate_at(&repo, &[])
        .expect_code(1)
        .stdout_has("needs 3 approval(s) from `cab` (high_risk rule), has 0");
    // At the template's risk it needs none.
    replace(&repo, "changes/CHG-0001.yaml", "risk: high", "risk: low");
    commit_as(
        &repo,
        "rita@example.com",
        "low",
        "2026-11-20T11:00:00+01:00",
    );
    gate_at(&repo, &[]).expect_code(0);
}

#[test]
fn emergency_high_risk_change_is_approved_by_the_ecab() {
    let text = change("CHG-0001", "emergency", WINDOW, "x@1").replace("risk: medium", "risk: high");
    let (repo, keys) = proposed(text);
    approve_and_commit(&repo, &keys, "erin", "CHG-0001", 9);
    schedule(&repo, "CHG-0001");
    gate_at(&repo, &[]).expect_code(0).stdout_has("ALLOWED");
    // With the order turned round, high risk wins and needs three from the CAB.
    let config = keys.config() + "change_policy:\n  order: [high_risk, emergency]\n";
    repo.write("gitsm.yaml", config);
    commit_as(
        &repo,
        "rita@example.com",
        "policy",
        "2026-11-21T13:00:00+01:00",
    );
    gate_at(&repo, &[])
        .expect_code(1)
        .stdout_has("needs 3 approval(s) from `cab` (high_risk rule)");
}

#[test]
fn closed_change_edited_back_to_scheduled_is_denied() {
    let (repo, _keys) = approved_repo("normal", WINDOW);
    replace(
        &repo,
        "changes/CHG-0001.yaml",
        "status: scheduled",
        "status: closed\nimplemented_at: 2026-11-25T21:00:00+01:00\noutcome: successful\nreview: Fine.\nclose_code: successful\nclosed_at: 2026-11-25T23:30:00+01:00",
    );
    commit_as(
        &repo,
        "rita@example.com",
        "closed",
        "2026-11-26T09:00:00+01:00",
    );
    let text = read(&repo, "changes/CHG-0001.yaml").replace("status: closed", "status: scheduled");
    repo.write("changes/CHG-0001.yaml", text);
    commit_as(
        &repo,
        "rita@example.com",
        "again",
        "2026-11-26T10:00:00+01:00",
    );
    gate_at(&repo, &[])
        .expect_code(1)
        .stdout_has("history: commit ")
        .stdout_has("`closed` -> `scheduled` is not a transition");
}

#[test]
fn gate_rev_is_a_pure_function_of_the_revision() {
    let (repo, keys) = approved_repo("normal", WINDOW);
    // The work tree's policy drops Carol and Dave from the CAB, and the
    // work tree's change file is gone: `--rev HEAD` does not care.
    repo.write(
        "gitsm.yaml",
        keys.config()
            .replace("cab: [carol, dave, frank]", "cab: [frank]"),
    );
    std::fs::remove_file(repo.path("changes/CHG-0001.yaml")).expect("rm");
    gate_at(&repo, &["--rev", "HEAD"]).expect_code(0);
    // And a work-tree policy that would allow an unapproved change does
    // not judge an older revision either.
    gate_at(&repo, &["--rev", "HEAD~1"])
        .expect_code(1)
        .stdout_has("status is `authorize`");
}

#[test]
fn renumbering_a_change_with_signed_decisions_is_refused() {
    let (repo, _keys) = approved_repo("normal", WINDOW);
    // An older, different change took the same id on another branch.
    let other = change("CHG-0001", "normal", WINDOW, "y@1").replace(
        "created_at: 2026-11-20T09:00:00+01:00",
        "created_at: 2026-11-10T09:00:00+01:00",
    );
    repo.write("changes/2026/CHG-0001.yaml", other);
    repo.run(["renumber", "CHG-0001"])
        .expect_code(1)
        .stderr_has("carries signed decisions");
}

#[test]
fn policy_errors_name_their_replacement() {
    let repo = Repo::new();
    let keys = Keys::new(&repo);
    repo.write(
        "gitsm.yaml",
        "change_policy:\n  require_signed_approvals: true\n",
    );
    repo.run(["validate"])
        .expect_code(2)
        .stderr_has("`change_policy.require_signed_approvals` was removed")
        .stderr_has("proof: commit");
    let twice = keys
        .config()
        .replacen(&keys.public("dave"), &keys.public("carol"), 1);
    repo.write("gitsm.yaml", twice);
    repo.run(["validate"])
        .expect_code(2)
        .stderr_has("is listed under both `carol` and `dave`");
    repo.write(
        "gitsm.yaml",
        "people:\n  x: { name: X, keys: [\"ssh-ed25519 not-base64\"] }\n",
    );
    repo.run(["validate"])
        .expect_code(2)
        .stderr_has("is not an OpenSSH public key line");
}

// ---- Honest flows --------------------------------------------------------

/// A feature branch where the change is approved and scheduled, and the
/// commit on main it started from.
fn feature_branch() -> (Repo, Keys, String) {
    let repo = Repo::new();
    let keys = Keys::new(&repo);
    repo.write("gitsm.yaml", keys.config());
    commit_as(
        &repo,
        "rita@example.com",
        "policy",
        "2026-11-19T10:00:00+01:00",
    );
    let base = repo.git(["rev-parse", "HEAD"]).trim().to_owned();
    repo.git(["checkout", "-q", "-b", "feature"]);
    repo.write(
        "changes/CHG-0001.yaml",
        change("CHG-0001", "normal", WINDOW, "x@1"),
    );
    commit_as(
        &repo,
        "rita@example.com",
        "CHG-0001",
        "2026-11-20T10:00:00+01:00",
    );
    approve_and_commit(&repo, &keys, "carol", "CHG-0001", 9);
    approve_and_commit(&repo, &keys, "dave", "CHG-0001", 10);
    schedule(&repo, "CHG-0001");
    repo.git(["checkout", "-q", "main"]);
    // Main moved on meanwhile.
    repo.write("incidents/INC-0001.yaml", common::VALID_INCIDENT);
    commit_as(
        &repo,
        "rita@example.com",
        "incident",
        "2026-11-21T08:00:00+01:00",
    );
    (repo, keys, base)
}

#[test]
fn merge_commit_keeps_approvals() {
    let (repo, _keys, base) = feature_branch();
    let env = dated("2026-11-22T09:00:00+01:00");
    git_env_in(
        &repo.sandbox.home(),
        &repo.root,
        ["merge", "-q", "--no-ff", "-m", "merge", "feature"],
        &env,
    )
    .expect_code(0);
    gate_at(&repo, &["--policy-rev", &base]).expect_code(0);
    repo.run(["validate", "--range", &format!("{base}..HEAD")])
        .expect_code(0);
}

#[test]
fn rebase_merge_keeps_approvals() {
    let (repo, _keys, base) = feature_branch();
    repo.git(["checkout", "-q", "feature"]);
    repo.git(["rebase", "-q", "main"]);
    gate_at(&repo, &["--policy-rev", &base]).expect_code(0);
    repo.run(["validate", "--range", &format!("{base}..HEAD")])
        .expect_code(0);
}

#[test]
fn squash_merge_keeps_approvals() {
    let (repo, _keys, _base) = feature_branch();
    let before = repo.git(["rev-parse", "HEAD"]).trim().to_owned();
    repo.git(["merge", "-q", "--squash", "feature"]);
    let env = dated("2026-11-22T09:00:00+01:00");
    git_env_in(
        &repo.sandbox.home(),
        &repo.root,
        ["commit", "-q", "--no-verify", "-m", "CHG-0001 (#12)"],
        &env,
    )
    .expect_code(0);
    gate_at(&repo, &["--policy-rev", &before]).expect_code(0);
    repo.run(["validate", "--range", &format!("{before}..HEAD")])
        .expect_code(0);
}

#[test]
fn several_workflow_steps_in_one_commit_are_accepted_when_each_is_legal() {
    let repo = Repo::new();
    let keys = Keys::new(&repo);
    repo.write("gitsm.yaml", keys.config());
    repo.write(
        "changes/CHG-0001.yaml",
        change("CHG-0001", "normal", WINDOW, "x@1").replace("status: authorize", "status: new"),
    );
    repo.write("incidents/INC-0001.yaml", common::VALID_INCIDENT);
    commit_as(
        &repo,
        "rita@example.com",
        "new",
        "2026-11-20T10:00:00+01:00",
    );
    // new -> assess -> authorize: the change carries risk and impact.
    replace(
        &repo,
        "changes/CHG-0001.yaml",
        "status: new",
        "status: authorize",
    );
    // new -> in_progress -> resolved would need an assignee on the way.
    let resolved = common::VALID_INCIDENT.replace("status: new", "status: resolved\nresolved_at: 2026-11-20T11:00:00+01:00\nresolution: { code: fixed, notes: Restarted. }");
    repo.write("incidents/INC-0001.yaml", &resolved);
    commit_as(
        &repo,
        "rita@example.com",
        "two steps",
        "2026-11-20T12:00:00+01:00",
    );
    let run = repo.run(["validate", "--range", "HEAD~1..HEAD"]);
    run.expect_code(1)
        .stderr_has("INC-0001: `new` -> `resolved` is not a transition");
    assert!(!run.stderr.contains("CHG-0001"), "{run}");
    repo.write(
        "incidents/INC-0001.yaml",
        resolved.replace("status: resolved", "status: resolved\nassignee: carol"),
    );
    commit_as(
        &repo,
        "rita@example.com",
        "assigned",
        "2026-11-20T12:10:00+01:00",
    );
    repo.run(["validate", "--range", "HEAD~2..HEAD~1"])
        .expect_code(1);
    let base = repo.git(["rev-parse", "HEAD~2"]).trim().to_owned();
    repo.git(["reset", "-q", "--soft", &base]);
    let env = dated("2026-11-20T12:20:00+01:00");
    git_env_in(
        &repo.sandbox.home(),
        &repo.root,
        ["commit", "-q", "--no-verify", "-m", "squashed"],
        &env,
    )
    .expect_code(0);
    repo.run(["validate", "--range", "HEAD~1..HEAD"])
        .expect_code(0);
}

#[test]
fn shallow_clone_judges_signatures_and_says_history_was_skipped() {
    let (repo, _keys) = approved_repo("normal", WINDOW);
    let clone = repo.sandbox.dir("shallow");
    std::fs::remove_dir(&clone).ok();
    let url = format!("file://{}", repo.root.display());
    repo.sandbox.git(
        &repo.root,
        [
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            &clone.to_string_lossy(),
        ],
    );
    let run = repo
        .sandbox
        .gitsm(&clone, ["gate", "--change", "CHG-0001", "--at", INSIDE]);
    run.expect_code(0)
        .stdout_has("ALLOWED")
        .stdout_has("shallow clone: history checks skipped (deleted rejections, history rules); deepen it with `git fetch --unshallow`");
    assert!(
        !run.stdout.contains("forg") && !run.stdout.contains("authored by"),
        "{run}"
    );
    repo.sandbox
        .gitsm(
            &clone,
            [
                "gate",
                "--change",
                "CHG-0001",
                "--at",
                INSIDE,
                "--require-history",
            ],
        )
        .expect_code(1)
        .stdout_has("--require-history");
}

#[test]
fn stale_approvals_are_renewed_while_scheduled() {
    let (repo, keys) = approved_repo("normal", WINDOW);
    // Carol's key is rotated: her old signature no longer counts.
    let fresh = repo.sandbox.dir("rotated");
    let out = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "carol-new", "-f"])
        .arg(fresh.join("carol"))
        .output()
        .expect("ssh-keygen");
    assert!(out.status.success());
    let new_pub = std::fs::read_to_string(fresh.join("carol.pub")).expect("pub");
    repo.write(
        "gitsm.yaml",
        keys.config().replace(&keys.public("carol"), new_pub.trim()),
    );
    commit_as(
        &repo,
        "rita@example.com",
        "rotate carol's key",
        "2026-11-22T08:00:00+01:00",
    );
    gate_at(&repo, &[])
        .expect_code(1)
        .stdout_has("approval by `carol` does not count: it is signed with key");
    // Carol signs again while the change stays scheduled: the pre-commit
    // check and the range check accept the renewal.
    let key = fresh.join("carol").to_string_lossy().into_owned();
    repo.run_env(
        ["approve", "CHG-0001", "--key", &key],
        &[("GITSM_NOW", "2026-11-22T09:00:00+01:00")],
    )
    .expect_code(0);
    repo.git(["add", "-A"]);
    repo.run_env(
        ["validate", "--staged"],
        &[("GITSM_NOW", "2026-11-22T09:01:00+01:00")],
    )
    .expect_code(0);
    commit_as(
        &repo,
        "carol@example.com",
        "carol renews",
        "2026-11-22T09:05:00+01:00",
    );
    gate_at(&repo, &[]).expect_code(0);
    repo.run(["validate", "--range", "HEAD~1..HEAD"])
        .expect_code(0);
}

#[test]
fn service_request_approval_is_signed_and_checked() {
    let repo = Repo::new();
    let keys = Keys::new(&repo);
    repo.write("gitsm.yaml", keys.config());
    let request = "id: REQ-0001\ntitle: VPN for Dave\nstatus: new\ncreated_at: 2026-11-20T09:00:00+01:00\nrequested_by: dave\ncatalog_item: vpn-access\n";
    repo.write("requests/REQ-0001.yaml", request);
    commit_as(
        &repo,
        "dave@example.com",
        "REQ-0001",
        "2026-11-20T10:00:00+01:00",
    );
    // The requester may not approve his own request...
    approve(
        &repo,
        &keys,
        "dave",
        "REQ-0001",
        "2026-11-21T09:00:00+01:00",
        &[],
    )
    .expect_code(1)
    .stderr_has("may not decide on it");
    // ...nor write an approval by hand.
    repo.write("requests/REQ-0001.yaml", format!("{}approvals:\n  - by: carol\n    decision: approved\n    at: 2026-11-21T09:00:00+01:00\n", request.replace("status: new", "status: approved")));
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("approval by `carol` does not count: it is not signed");
    repo.write("requests/REQ-0001.yaml", request);
    approve(
        &repo,
        &keys,
        "carol",
        "REQ-0001",
        "2026-11-21T09:00:00+01:00",
        &[],
    )
    .expect_code(0)
    .stdout_has("REQ-0001: approved by carol (signed)");
    repo.run(["transition", "REQ-0001", "approved"])
        .expect_code(0);
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn commit_proof_trusts_commit_authors_and_spots_stale_approvals() {
    let repo = Repo::new();
    repo.write("gitsm.yaml", COMMIT_PROOF);
    repo.write(
        "changes/CHG-0001.yaml",
        change("CHG-0001", "normal", WINDOW, "x@1"),
    );
    commit_as(
        &repo,
        "rita@example.com",
        "CHG-0001",
        "2026-11-20T10:00:00+01:00",
    );
    unsigned_approvals_committed_as_the_approvers(&repo);
    schedule(&repo, "CHG-0001");
    gate_at(&repo, &[]).expect_code(0);
    // Written by Rita under her own name, they would not count.
    let repo2 = Repo::new();
    repo2.write("gitsm.yaml", COMMIT_PROOF);
    let text = change("CHG-0001", "normal", WINDOW, "x@1")
        .replace("status: authorize", "status: scheduled")
        + "approvals:\n  - by: carol\n    decision: approved\n    at: 2026-11-20T09:30:00+01:00\n  - by: dave\n    decision: approved\n    at: 2026-11-20T09:31:00+01:00\n";
    repo2.write("changes/CHG-0001.yaml", text);
    commit_as(
        &repo2,
        "rita@example.com",
        "all approved",
        "2026-11-20T10:00:00+01:00",
    );
    gate_at(&repo2, &[])
        .expect_code(1)
        .stdout_has("was authored by rita@example.com, not by `carol`");
}

#[test]
fn a_freeze_denies_a_normal_change_and_allows_an_ecab_approved_emergency() {
    let frozen = ("2026-12-22T20:00:00+01:00", "2026-12-22T23:00:00+01:00");
    let at = "2026-12-22T21:00:00+01:00";
    let (normal, _k1) = approved_repo("normal", frozen);
    gate(&normal, &["--change", "CHG-0001", "--at", at])
        .expect_code(1)
        .stdout_has("freeze `year-end`")
        .stdout_has("does not allow normal changes");
    let (emergency, _k2) = approved_repo("emergency", frozen);
    gate(&emergency, &["--change", "CHG-0001", "--at", at])
        .expect_code(0)
        .stdout_has("ALLOWED");
}

#[test]
fn release_lookup_finds_the_authorising_change() {
    let (repo, _keys) = approved_repo("normal", WINDOW);
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
    let (repo, _keys) = approved_repo("normal", WINDOW);
    // At HEAD~1 the change was still `authorize`.
    gate(
        &repo,
        &["--change", "CHG-0001", "--at", INSIDE, "--rev", "HEAD~1"],
    )
    .expect_code(1)
    .stdout_has("status is `authorize`");
}

/// An SSH signing key and the allowed-signers file that vouches for it.
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
    repo.write("gitsm.yaml", format!("{COMMIT_PROOF}{policy}"));
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
        format!(
            "{}{policy}",
            COMMIT_PROOF.replace(
                "proof: commit",
                "proof: commit\n  conflicts_are_errors: true"
            )
        ),
    );
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("error[schedule-overlap]");
}

fn approval(by: &str, at: &str) -> String {
    format!("  - by: {by}\n    decision: approved\n    at: {at}\n")
}
