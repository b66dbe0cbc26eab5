//! The catalogue people can read, and requests on a par with incidents:
//! catalogue pages on the site, linked and whole; request priority from
//! the matrix; the fields an item requires once approved; access grants
//! that expire.

use crate::common::Repo;

const PEOPLE: &str = "\
people:
  tester: { name: Test User, emails: [tester@example.com], phone: \"+49 30 1234\", location: Berlin B2 }
  zoe: { name: Zoe Contractor, emails: [zoe@example.com] }
";

/// The starter policy with people and a catalogue of its own: `vpn`
/// grants access for 90 days and needs `requested_for` once approved.
fn repo_with(extra: &str) -> Repo {
    let repo = Repo::new();
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("gitsm.yaml");
    repo.write(
        "gitsm.yaml",
        format!(
            "{}\n\
catalog:
  vpn:
    name: Remote access (VPN)
    owner: tester
    category: access
    audience: Employees and contractors with a sponsor
    scope: {{ includes: [VPN client, MFA enrolment], excludes: [Home router support] }}
    response: 30m
    fulfilment: 8h
    request_fields: [requested_for]
    grants: {{ valid_for: 90d }}
  laptop:
    name: A laptop
    category: hardware
    scope: One standard laptop from the hardware list.
    response: 1h
    fulfilment: 16h
{extra}",
            config.replacen("people: {}\n", PEOPLE, 1)
        ),
    );
    repo
}

fn request(repo: &Repo, id: &str, body: &str) {
    repo.write(
        &format!("requests/{id}.yaml"),
        format!(
            "id: {id}\ntitle: Request {id}\ncreated_at: 2026-07-01T09:00:00+02:00\nrequested_by: tester\n{body}"
        ),
    );
}

#[test]
fn a_request_takes_its_priority_from_the_matrix() {
    let repo = repo_with("");
    let run = repo.run([
        "new",
        "request",
        "--item",
        "laptop",
        "--title",
        "New laptop",
        "--set",
        "impact=high",
        "--set",
        "urgency=medium",
        "--set",
        "category=hardware",
    ]);
    run.expect_code(0);
    let text = std::fs::read_to_string(repo.path(run.stdout.trim())).expect("request");
    // high x medium is P2 in the default matrix.
    assert!(text.contains("priority: P2\n"), "{text}");
    assert!(text.contains("catalog_item: laptop\n"), "{text}");
    repo.run(["list", "request"])
        .expect_code(0)
        .stdout_has("REQ-0001  new     P2");
    repo.run(["validate"]).expect_code(0);

    // A priority off the matrix is an error, as for incidents.
    std::fs::write(
        repo.path("requests/REQ-0001.yaml"),
        text.replace("priority: P2", "priority: P4"),
    )
    .expect("write");
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("error[priority]: priority P4 does not match the request matrix: impact high x urgency medium gives P2");

    // `--item` is for requests only.
    repo.run(["new", "incident", "--item", "laptop", "--title", "x"])
        .expect_code(2);
}

#[test]
fn a_request_priority_matrix_of_its_own_wins() {
    let repo = repo_with(
        "request_priority_matrix:\n  high: { high: P1, medium: P1, low: P2 }\n  medium: { high: P2, medium: P3, low: P4 }\n  low: { high: P3, medium: P4, low: P4 }\n",
    );
    let run = repo.run([
        "new",
        "request",
        "--item",
        "laptop",
        "--title",
        "CEO laptop",
        "--set",
        "impact=high",
        "--set",
        "urgency=medium",
    ]);
    run.expect_code(0);
    let text = std::fs::read_to_string(repo.path(run.stdout.trim())).expect("request");
    assert!(text.contains("priority: P1\n"), "{text}");
}

#[test]
fn request_fields_are_required_from_approved_not_before() {
    let repo = repo_with("");
    request(&repo, "REQ-0001", "status: new\ncatalog_item: vpn\n");
    repo.run(["validate"]).expect_code(0);
    request(
        &repo,
        "REQ-0001",
        "status: in_fulfillment\ncatalog_item: vpn\nassignee: tester\n",
    );
    repo.run(["validate"])
        .expect_code(1)
        .stderr_has("requests/REQ-0001.yaml:5:9")
        .stderr_has("error[request-fields]: a request for `vpn` in `in_fulfillment` must carry `requested_for`");
    request(
        &repo,
        "REQ-0001",
        "status: in_fulfillment\ncatalog_item: vpn\nassignee: tester\nrequested_for: zoe\n",
    );
    repo.run(["validate"]).expect_code(0);
}

/// Four VPN grants, read on 1 November 2026:
/// REQ-0001 fulfilled 1 August: 90 days end on 30 October — expired;
/// REQ-0002 ends 10 November by `expires_at` — expiring within 14 days;
/// REQ-0003 expired but revoked; REQ-0004 ends in 2027.
fn grants() -> Repo {
    let repo = repo_with("");
    let fulfilled = |at: &str, extra: &str| {
        format!(
            "status: fulfilled\ncatalog_item: vpn\nrequested_for: zoe\nassignee: tester\nfulfilled_at: {at}\n{extra}"
        )
    };
    request(
        &repo,
        "REQ-0001",
        &fulfilled("2026-08-01T10:00:00+02:00", ""),
    );
    request(
        &repo,
        "REQ-0002",
        &fulfilled(
            "2026-08-01T10:00:00+02:00",
            "expires_at: 2026-11-10T18:00:00+01:00\n",
        ),
    );
    request(
        &repo,
        "REQ-0003",
        &fulfilled(
            "2026-07-02T10:00:00+02:00",
            "revoked_at: 2026-09-30T10:00:00+02:00\n",
        ),
    );
    request(
        &repo,
        "REQ-0004",
        &fulfilled(
            "2026-08-01T10:00:00+02:00",
            "expires_at: 2027-03-01T00:00:00+01:00\n",
        ),
    );
    repo
}

#[test]
fn an_expired_grant_is_an_error_and_one_expiring_soon_a_warning() {
    let repo = grants();
    let run = repo.run(["validate", "--at", "2026-11-01T12:00:00+01:00"]);
    run.expect_code(1)
        .stderr_has("error[grant-expired]: REQ-0001: the `vpn` access of `zoe` expired at 2026-10-30T10:00:00+02:00 and no `revoked_at` is recorded")
        .stderr_has("requests/REQ-0001.yaml:9:15")
        .stderr_has("warning[grant-expiring]: REQ-0002: the `vpn` access of `zoe` expires at 2026-11-10T18:00:00+01:00")
        .stderr_has("requests/REQ-0002.yaml:10:13")
        .stderr_has("1 error, 1 warning");
    assert!(
        !run.stderr.contains("REQ-0003") && !run.stderr.contains("REQ-0004"),
        "{run}"
    );
    // In September nothing is due yet.
    repo.run(["validate", "--at", "2026-09-01"]).expect_code(0);
}

#[test]
fn list_expiring_shows_the_grants_that_are_due() {
    let repo = grants();
    let run = repo.run([
        "list",
        "request",
        "--expiring",
        "14d",
        "--at",
        "2026-11-01T12:00:00+01:00",
    ]);
    run.expect_code(0);
    let ids: Vec<&str> = run
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(ids, ["REQ-0001", "REQ-0002"], "{run}");
    run.stdout_has("expired").stdout_has("expiring");
    // Nine days ahead of 1 November, REQ-0002 (10 November) is not yet due.
    let run = repo.run([
        "list",
        "--expiring",
        "9d",
        "--at",
        "2026-11-01T12:00:00+01:00",
        "--format",
        "json",
    ]);
    run.expect_code(0);
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["id"], "REQ-0001");
    assert_eq!(rows[0]["grant"], "expired");
    repo.run(["list", "incident", "--expiring", "14d"])
        .expect_code(2);
    repo.run(["list", "request", "--expiring", "two weeks"])
        .expect_code(2);
}

#[test]
fn the_site_has_a_catalogue_page_and_a_page_per_item_all_linked() {
    let repo = repo_with("");
    // One laptop request fulfilled within its 16 hours, one late.
    request(
        &repo,
        "REQ-0001",
        "status: fulfilled\ncatalog_item: laptop\nassignee: tester\nacknowledged_at: 2026-07-01T09:10:00+02:00\nfulfilled_at: 2026-07-01T12:00:00+02:00\n",
    );
    request(
        &repo,
        "REQ-0002",
        "status: fulfilled\ncatalog_item: laptop\nassignee: tester\nacknowledged_at: 2026-07-01T09:10:00+02:00\nfulfilled_at: 2026-07-03T12:00:00+02:00\n",
    );
    repo.run(["validate"]).expect_code(0);
    repo.commit("requests", "2026-07-04T12:00:00+02:00");
    repo.run(["site", "-o", "../site", "--at", "2026-07-04T12:00:00+02:00"])
        .expect_code(0);
    let site = repo.root.join("../site");
    let catalog = crate::site::read_page(&site.join("catalog.html"));
    // Every page links to the catalogue from its navigation.
    for p in ["index.html", "requests/REQ-0001.html", "catalog/vpn.html"] {
        assert!(
            crate::site::read_page(&site.join(p)).contains("catalog.html\" aria-current")
                || crate::site::read_page(&site.join(p)).contains("catalog.html\">Catalogue<"),
            "{p} does not link to the catalogue"
        );
    }
    // Items by category, each linking to its page.
    let access = catalog.find("<h2>access</h2>").expect("access category");
    let hardware = catalog
        .find("<h2>hardware</h2>")
        .expect("hardware category");
    assert!(access < hardware);
    for (key, name) in [("vpn", "Remote access (VPN)"), ("laptop", "A laptop")] {
        assert!(
            catalog.contains(&format!("href=\"catalog/{key}.html\">{name}</a>")),
            "{catalog}"
        );
    }
    // Each item's page: owner, scope, targets and approval in words, how
    // to request it, and its fulfilment so far: 1 of 2 laptops in time.
    let vpn = crate::site::read_page(&site.join("catalog/vpn.html"));
    for text in [
        "Test User",
        "Employees and contractors with a sponsor",
        "<li>VPN client</li>",
        "<li>Home router support</li>",
        "Acknowledged within 30 minutes and fulfilled within 8 hours, around the clock.",
        "No approval needed.",
        "gitsm new request --item vpn",
        "<code>requested_for</code>",
        "Access lasts 90 days from fulfilment",
    ] {
        assert!(
            vpn.contains(text),
            "catalog/vpn.html lacks {text:?}:\n{vpn}"
        );
    }
    let laptop = crate::site::read_page(&site.join("catalog/laptop.html"));
    assert!(
        laptop.contains("One standard laptop from the hardware list."),
        "{laptop}"
    );
    assert!(laptop.contains("<dd>50.0% (1 of 2)</dd>"), "{laptop}");
    assert!(catalog.contains("50.0% (1 of 2)"), "{catalog}");
    // No broken link on any catalogue page.
    for rel in ["catalog.html", "catalog/vpn.html", "catalog/laptop.html"] {
        for target in crate::site::local_targets(&crate::site::read_page(&site.join(rel))) {
            let resolved = crate::site::resolve(rel, &target);
            assert!(
                site.join(&resolved).is_file(),
                "{rel}: link {target} -> {resolved} does not exist"
            );
        }
    }
}

#[test]
fn a_catalogue_owner_is_someone_the_policy_knows() {
    let repo = repo_with("");
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("gitsm.yaml");
    repo.write(
        "gitsm.yaml",
        config.replace("owner: tester", "owner: testr"),
    );
    repo.run(["validate"])
        .expect_code(2)
        .stderr_has("unknown person `testr`");
}

#[test]
fn people_carry_a_phone_and_a_location() {
    let repo = repo_with("");
    repo.run(["validate"]).expect_code(0);
    // `show` gives the desk the requester's phone and location.
    request(&repo, "REQ-0001", "status: new\ncatalog_item: laptop\n");
    repo.run(["show", "REQ-0001"])
        .expect_code(0)
        .stdout_has("contact: Test User, +49 30 1234, Berlin B2");
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("gitsm.yaml");
    repo.write(
        "gitsm.yaml",
        config.replace("location: Berlin B2", "desk: Berlin B2"),
    );
    repo.run(["validate"]).expect_code(2).stderr_has("desk");
}
