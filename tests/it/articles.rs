//! Knowledge articles (`kb/KB-0001.md`): created, validated (positions in
//! the Markdown file), drafted from a known error, suggested by `show`,
//! named on resolution, counted by the report, published on the site, and
//! never a way to read a host file.

use std::os::unix::fs::symlink;

use serde_json::Value;

use crate::common::Repo;

const NOW: (&str, &str) = ("GITSM_NOW", "2026-11-20T09:00:00Z");

/// A repository with the business service `remote-access` and the
/// application `vpn-gateway`.
fn repo() -> Repo {
    let repo = Repo::new();
    repo.write(
        "cis/remote-access.yaml",
        "id: remote-access\nname: Remote access\nclass: service\nstatus: active\n",
    );
    repo.write(
        "cis/vpn-gateway.yaml",
        "id: vpn-gateway\nname: VPN gateway\nclass: application\nstatus: active\n",
    );
    repo
}

/// An article file: `fields` between the fences, then `body`.
fn article(id: &str, fields: &str, body: &str) -> String {
    format!("---\nid: {id}\ntitle: Article {id}\n{fields}---\n{body}")
}

fn json(run: &crate::common::Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{run}"))
}

#[test]
fn new_article_is_a_draft_that_validates_lists_and_edits_in_place() {
    let repo = repo();
    let run = repo.run_env(
        [
            "new",
            "article",
            "--title",
            "Reset a VPN token",
            "--service",
            "remote-access",
            "--ci",
            "vpn-gateway",
        ],
        &[NOW],
    );
    run.expect_code(0).stdout_has("kb/KB-0001.md");
    let text = std::fs::read_to_string(repo.path("kb/KB-0001.md")).expect("article written");
    assert!(text.starts_with("---\nid: KB-0001\n"), "{text}");
    assert!(text.contains("\nstatus: draft\n"), "{text}");
    assert!(text.contains("services:\n- remote-access\n"), "{text}");
    assert!(text.contains("cis:\n- vpn-gateway\n"), "{text}");
    assert!(text.contains("owner: tester@example.com\n"), "{text}");
    repo.run(["validate"]).expect_code(0);

    let list = repo.run(["list", "article", "--format", "json"]);
    list.expect_code(0);
    let rows = json(&list);
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(rows[0]["id"], "KB-0001");
    assert_eq!(rows[0]["kind"], "article");
    assert_eq!(rows[0]["status"], "draft");

    // Write the body, then edit the front matter: the body stays byte for byte.
    let body = "\n# Reset a VPN token\n\nOpen *the portal*.\n\n---\n\nNot a fence any more.\n";
    std::fs::write(repo.path("kb/KB-0001.md"), format!("{text}{body}")).expect("write body");
    repo.run(["set", "KB-0001", "review_by=2027-06-30"])
        .expect_code(0);
    repo.run_env(["transition", "KB-0001", "published"], &[NOW])
        .expect_code(0);
    let edited = std::fs::read_to_string(repo.path("kb/KB-0001.md")).expect("read");
    assert!(edited.ends_with(body), "the body changed:\n{edited}");
    assert!(edited.contains("\nstatus: published\n"), "{edited}");
    assert!(edited.contains("\nreview_by: 2027-06-30\n"), "{edited}");
    let show = repo.run(["show", "KB-0001"]);
    show.expect_code(0)
        .stdout_has("knowledge article · published · kb/KB-0001.md")
        .stdout_has("Not a fence any more.");
    // Search finds words of the body.
    repo.run(["search", "portal"])
        .expect_code(0)
        .stdout_has("KB-0001");
}

#[test]
fn bad_front_matter_names_the_line_and_column_in_the_markdown_file() {
    // (file text, expected position, what the message says)
    let cases = [
        // No fence at all: the file's start.
        ("# Just Markdown\n", "kb/KB-0001.md:1:1", "front-matter"),
        // Opened, never closed: the opening fence.
        (
            "---\nid: KB-0001\ntitle: T\nstatus: draft\n\n# Body\n",
            "kb/KB-0001.md:1:1",
            "never closed",
        ),
        // A list field given a string: line 5 (the fence is line 1), the
        // value after `services: ` (10 characters), column 11.
        (
            "---\nid: KB-0001\ntitle: T\nstatus: draft\nservices: remote-access\n---\nBody\n",
            "kb/KB-0001.md:5:11",
            "services",
        ),
        // A date that is not one: line 5, column 12 (after `review_by: `).
        (
            "---\nid: KB-0001\ntitle: T\nstatus: draft\nreview_by: someday\n---\nBody\n",
            "kb/KB-0001.md:5:12",
            "review_by",
        ),
        // Bad YAML: `title` twice, the second on line 4.
        (
            "---\nid: KB-0001\ntitle: T\ntitle: U\nstatus: draft\n---\nBody\n",
            "kb/KB-0001.md:4:1",
            "title",
        ),
        // `body` is the Markdown, never a front matter key: line 5, column 1.
        (
            "---\nid: KB-0001\ntitle: T\nstatus: draft\nbody: sneaky\n---\nBody\n",
            "kb/KB-0001.md:5:1",
            "body",
        ),
    ];
    for (text, at, says) in cases {
        let repo = repo();
        repo.write("kb/KB-0001.md", text);
        let run = repo.run(["validate"]);
        run.expect_code(1);
        assert!(run.stderr.contains(at), "expected {at} for:\n{text}\n{run}");
        assert!(run.stderr.contains(says), "expected `{says}`:\n{run}");
    }
}

#[test]
fn an_article_from_a_known_error_copies_its_workaround_and_links_it() {
    let repo = repo();
    repo.write(
        "problems/PRB-0001.yaml",
        "id: PRB-0001\ntitle: VPN drops on home routers\nstatus: known_error\n\
         created_at: 2026-11-01T09:00:00Z\nreported_by: tester@example.com\n\
         service: remote-access\naffected_cis: [vpn-gateway]\n\
         symptoms: Tunnel was disconnected (DPD timeout)\n\
         root_cause: The gateway does not follow a NAT rebinding.\n\
         workaround: Tick Disable DTLS in the client settings.\nknown_error: true\n",
    );
    repo.run(["validate"]).expect_code(0);
    let run = repo.run_env(["new", "article", "--from", "PRB-0001"], &[NOW]);
    run.expect_code(0).stdout_has("kb/KB-0001.md");
    let text = std::fs::read_to_string(repo.path("kb/KB-0001.md")).expect("article");
    assert!(
        text.contains("title: VPN drops on home routers\n"),
        "{text}"
    );
    assert!(text.contains("problems:\n- PRB-0001\n"), "{text}");
    assert!(text.contains("services:\n- remote-access\n"), "{text}");
    assert!(text.contains("cis:\n- vpn-gateway\n"), "{text}");
    assert!(
        text.contains("## Workaround\n\nTick Disable DTLS in the client settings.\n"),
        "{text}"
    );
    assert!(
        text.contains("## Cause\n\nThe gateway does not follow a NAT rebinding.\n"),
        "{text}"
    );
    repo.run(["validate"]).expect_code(0);
    // The problem shows the article that documents it once published.
    repo.run_env(["transition", "KB-0001", "published"], &[NOW])
        .expect_code(0);
    let show = repo.run(["show", "PRB-0001", "--format", "json"]);
    show.expect_code(0);
    assert_eq!(json(&show)["articles"][0]["id"], "KB-0001", "{show}");
    assert_eq!(json(&show)["articles"][0]["documents_problem"], true);

    // --from takes a problem, and only for an article.
    repo.run_env(["new", "article", "--from", "KB-0001"], &[NOW])
        .expect_code(2)
        .stderr_has("takes a problem");
    repo.run_env(
        ["new", "incident", "--title", "x", "--from", "PRB-0001"],
        &[NOW],
    )
    .expect_code(2);
    assert!(!repo.path("kb/KB-0002.md").exists());
}

#[test]
fn show_suggests_published_articles_only() {
    let repo = repo();
    let same = "services: [remote-access]\nowner: tester@example.com\n";
    repo.write(
        "kb/KB-0001.md",
        article("KB-0001", &format!("status: published\n{same}"), "Body\n"),
    );
    repo.write(
        "kb/KB-0002.md",
        article("KB-0002", &format!("status: draft\n{same}"), "Body\n"),
    );
    repo.write(
        "kb/KB-0003.md",
        article("KB-0003", &format!("status: retired\n{same}"), "Body\n"),
    );
    // Published, matched by a word of its symptoms only.
    repo.write(
        "kb/KB-0004.md",
        article(
            "KB-0004",
            "status: published\nowner: tester@example.com\nsymptoms: [Tunnel disconnected every hour]\n",
            "Body\n",
        ),
    );
    // Published, nothing in common.
    repo.write(
        "kb/KB-0005.md",
        article(
            "KB-0005",
            "status: published\nowner: tester@example.com\nsymptoms: [Printer jam]\n",
            "Body\n",
        ),
    );
    repo.run_env(
        [
            "new",
            "incident",
            "--title",
            "Tunnel drops at home",
            "--set",
            "service=remote-access",
        ],
        &[NOW],
    )
    .expect_code(0);
    repo.run(["validate"]).expect_code(0);
    let show = repo.run(["show", "INC-0001", "--format", "json"]);
    show.expect_code(0);
    let doc = json(&show);
    let ids: Vec<&str> = doc["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    // KB-0001 shares the service, KB-0004 the word "tunnel"; drafts,
    // retired articles and unrelated ones are not offered.
    assert_eq!(ids, ["KB-0001", "KB-0004"], "{show}");
    let text = repo.run(["show", "INC-0001"]);
    text.expect_code(0)
        .stdout_has("Knowledge articles that may help:")
        .stdout_has("KB-0001")
        .stdout_has("words: tunnel");
    assert!(!text.stdout.contains("KB-0002"), "{text}");
    assert!(!text.stdout.contains("KB-0003"), "{text}");

    // `link` stores the link on the article (its `incidents`), body kept.
    repo.run(["link", "INC-0001", "KB-0005"])
        .expect_code(0)
        .stdout_has("KB-0005");
    let linked = repo.run(["show", "KB-0005", "--format", "json"]);
    linked.expect_code(0);
    assert_eq!(
        json(&linked)["record"]["incidents"],
        serde_json::json!(["INC-0001"]),
        "{linked}"
    );
    let file = std::fs::read_to_string(repo.path("kb/KB-0005.md")).expect("read");
    assert!(file.ends_with("---\nBody\n"), "{file}");
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn a_resolution_naming_a_missing_article_is_refused() {
    let repo = repo();
    repo.write(
        "kb/KB-0001.md",
        article(
            "KB-0001",
            "status: published\nowner: tester@example.com\n",
            "Body\n",
        ),
    );
    repo.run_env(["new", "incident", "--title", "VPN down"], &[NOW])
        .expect_code(0);
    let refused = repo.run(["set", "INC-0001", "resolution.article=KB-0009"]);
    assert_ne!(refused.code, 0, "{refused}");
    refused.stderr_has("KB-0009");
    let text = std::fs::read_to_string(repo.path("incidents/INC-0001.yaml")).expect("read");
    assert!(!text.contains("KB-0009"), "{text}");
    // Written by hand, validate names where.
    std::fs::write(
        repo.path("incidents/INC-0001.yaml"),
        format!("{text}resolution:\n  article: KB-0009\n"),
    )
    .expect("write");
    let lines = text.lines().count();
    let run = repo.run(["validate"]);
    run.expect_code(1)
        .stderr_has("dangling-reference")
        .stderr_has(&format!("incidents/INC-0001.yaml:{}:12", lines + 2));
    // An article that exists is accepted.
    std::fs::write(repo.path("incidents/INC-0001.yaml"), &text).expect("write");
    repo.run(["set", "INC-0001", "resolution.article=KB-0001"])
        .expect_code(0);
    repo.run(["validate"]).expect_code(0);
}

#[test]
fn the_report_counts_the_incidents_each_article_resolved() {
    let repo = repo();
    for id in ["KB-0001", "KB-0002", "KB-0003"] {
        repo.write(
            &format!("kb/{id}.md"),
            article(
                id,
                "status: published\nowner: tester@example.com\n",
                "Body\n",
            ),
        );
    }
    repo.write(
        "kb/KB-0004.md",
        article(
            "KB-0004",
            "status: published\nowner: tester@example.com\nreview_by: 2026-11-15\n",
            "Body\n",
        ),
    );
    repo.write(
        "kb/KB-0005.md",
        article("KB-0005", "status: draft\n", "Body\n"),
    );
    // Resolved in November with KB-0001, KB-0001, KB-0002 and none; one
    // resolved in October with KB-0002 (outside the period).
    let resolutions = [
        ("2026-11-10T10:00:00Z", Some("KB-0001")),
        ("2026-11-11T10:00:00Z", Some("KB-0001")),
        ("2026-11-12T10:00:00Z", Some("KB-0002")),
        ("2026-11-13T10:00:00Z", None),
        ("2026-10-20T10:00:00Z", Some("KB-0002")),
    ];
    for (i, (at, article)) in resolutions.iter().enumerate() {
        let opened = at.replace("T10:", "T08:");
        repo.run_env(
            ["new", "incident", "--title", "VPN down"],
            &[("GITSM_NOW", opened.as_str())],
        )
        .expect_code(0);
        let id = format!("INC-{:04}", i + 1);
        repo.run_env(
            [
                "transition",
                &id,
                "in_progress",
                "--set",
                "assignee=tester@example.com",
            ],
            &[("GITSM_NOW", at)],
        )
        .expect_code(0);
        let mut args = vec![
            "transition".to_owned(),
            id,
            "resolved".into(),
            "--set".into(),
            "resolution.code=fixed".into(),
            "--set".into(),
            "resolution.notes=Done.".into(),
        ];
        if let Some(a) = article {
            args.extend(["--set".into(), format!("resolution.article={a}")]);
        }
        repo.run_env(&args, &[("GITSM_NOW", at)]).expect_code(0);
    }
    repo.run(["validate"]).expect_code(0);
    let run = repo.run([
        "report",
        "--format",
        "json",
        "--since",
        "2026-11-01",
        "--until",
        "2026-12-01",
    ]);
    run.expect_code(0);
    let k = &json(&run)["knowledge"];
    assert_eq!(k["published"], 4, "{k}");
    assert_eq!(k["drafts"], 1, "{k}");
    assert_eq!(k["retired"], 0, "{k}");
    // As of the period's end (December 1st), KB-0004 (review by November
    // 15th) is overdue.
    assert_eq!(k["review_overdue"], serde_json::json!(["KB-0004"]), "{k}");
    let uses: Vec<(String, u64)> = k["uses"]
        .as_array()
        .expect("uses")
        .iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap_or_default().to_owned(),
                u["incidents"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        uses,
        [("KB-0001".to_owned(), 2), ("KB-0002".to_owned(), 1)],
        "{k}"
    );
    let md = repo.run(["report", "--since", "2026-11-01", "--until", "2026-12-01"]);
    md.expect_code(0)
        .stdout_has("## Knowledge articles")
        .stdout_has("| KB-0001 | Article KB-0001 | 2 |");
}

#[test]
fn a_review_past_due_is_a_warning_at_the_given_time() {
    let repo = repo();
    repo.write(
        "kb/KB-0001.md",
        article(
            "KB-0001",
            "status: published\nowner: tester@example.com\nreview_by: 2026-11-30\n",
            "Body\n",
        ),
    );
    // A draft past its date is not reviewed yet: no warning.
    repo.write(
        "kb/KB-0002.md",
        article(
            "KB-0002",
            "status: draft\nreview_by: 2026-01-01\n",
            "Body\n",
        ),
    );
    let before = repo.run(["validate", "--at", "2026-11-30"]);
    before.expect_code(0);
    assert!(!before.stderr.contains("review-overdue"), "{before}");
    let after = repo.run(["validate", "--at", "2026-12-01"]);
    // `review_by` is on line 6 of the file; its value at column 12.
    after
        .expect_code(0)
        .stderr_has("warning[review-overdue]")
        .stderr_has("kb/KB-0001.md:6:12");
    assert!(!after.stderr.contains("KB-0002"), "{after}");
    repo.run(["validate", "--at", "2026-12-01", "--strict"])
        .expect_code(1);
}

#[test]
fn the_site_has_a_knowledge_base_with_a_page_per_article_and_no_broken_link() {
    let repo = repo();
    repo.write(
        "kb/KB-0001.md",
        article(
            "KB-0001",
            "status: published\nowner: tester@example.com\nservices: [remote-access]\n",
            "# Reset the token\n\nUse <script>alert(1)</script> **never**.\n",
        ),
    );
    repo.write(
        "kb/KB-0002.md",
        article("KB-0002", "status: draft\n", "Draft.\n"),
    );
    repo.run(["validate"]).expect_code(0);
    repo.commit("articles", "2026-11-20T10:00:00+01:00");
    repo.run(["site", "-o", "site", "--at", "2026-11-20"])
        .expect_code(0);
    let site = repo.path("site");
    let index = std::fs::read_to_string(site.join("kb/index.html")).expect("kb/index.html");
    assert!(index.contains("KB-0001.html"), "{index}");
    assert!(index.contains("KB-0002.html"), "{index}");
    assert!(index.contains("search.js"), "no search on the list");
    let page = std::fs::read_to_string(site.join("kb/KB-0001.html")).expect("article page");
    assert!(page.contains("<h1>Reset the token</h1>"), "{page}");
    assert!(page.contains("<strong>never</strong>"), "{page}");
    assert!(!page.contains("<script>alert"), "raw HTML ran:\n{page}");
    assert!(page.contains("remote-access.html"), "{page}");
    let home = std::fs::read_to_string(site.join("index.html")).expect("dashboard");
    assert!(
        home.contains("kb/index.html") || home.contains("kb&#x2f;index.html"),
        "the navigation does not link the knowledge base"
    );
    for (rel, html) in [("kb/index.html", &index), ("kb/KB-0001.html", &page)] {
        for target in crate::site::local_targets(html) {
            let resolved = crate::site::resolve(rel, &target);
            assert!(
                site.join(&resolved).exists(),
                "{rel} links to {target}, which does not exist"
            );
        }
    }
}

#[test]
fn an_article_cannot_pull_in_a_host_file_through_a_link_or_a_path() {
    let repo = repo();
    let secret = repo.sandbox.dir("host").join("secret.md");
    std::fs::write(
        &secret,
        "---\nid: KB-0001\ntitle: HOST-SECRET-42\nstatus: published\n---\nHOST-SECRET-42\n",
    )
    .expect("write secret");
    std::fs::create_dir_all(repo.path("kb")).expect("kb");
    symlink(&secret, repo.path("kb/KB-0001.md")).expect("link");
    let run = repo.run(["validate"]);
    run.expect_code(1).stderr_has("symbolic link");
    assert!(!run.stderr.contains("HOST-SECRET"), "{run}");
    let show = repo.run(["show", "KB-0001"]);
    assert_ne!(show.code, 0, "{show}");
    assert!(!show.stdout.contains("HOST-SECRET"), "{show}");
    let set = repo.run(["set", "KB-0001", "title=x"]);
    assert_ne!(set.code, 0, "{set}");
    let search = repo.run(["search", "HOST"]);
    assert!(!search.stdout.contains("HOST-SECRET"), "{search}");
    repo.run(["site", "-o", "site", "--at", "2026-11-20"]);
    assert!(!repo.path("site/kb/KB-0001.html").exists());
    // An id that is a path is refused, and nothing is written outside.
    let escape = repo.run_env(
        [
            "new",
            "article",
            "--title",
            "x",
            "--set",
            "id=../../host/evil",
        ],
        &[NOW],
    );
    assert_ne!(escape.code, 0, "{escape}");
    assert!(!repo.sandbox.dir("host").join("evil.md").exists());
    // Nor can an import write one.
    repo.write("export.csv", "id,title,status\nA1,x,draft\n");
    repo.run(["import", "--from", "csv", "--kind", "article", "export.csv"])
        .expect_code(2)
        .stderr_has("not supported");
    let kb: Vec<String> = std::fs::read_dir(repo.path("kb"))
        .expect("kb")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert_eq!(kb, ["KB-0001.md"], "only the link is in kb/");
    let from = repo.run_env(["new", "article", "--from", "../host/secret"], &[NOW]);
    assert_ne!(from.code, 0, "{from}");
    assert!(!from.stderr.contains("HOST-SECRET"), "{from}");
    assert_eq!(
        std::fs::read_to_string(&secret).expect("read"),
        "---\nid: KB-0001\ntitle: HOST-SECRET-42\nstatus: published\n---\nHOST-SECRET-42\n"
    );
}

#[test]
fn the_workflow_of_an_article_is_checked_from_git_history() {
    let repo = repo();
    repo.write(
        "kb/KB-0001.md",
        article(
            "KB-0001",
            "status: draft\nowner: tester@example.com\n",
            "# Steps\n",
        ),
    );
    repo.commit("draft", "2026-11-20T10:00:00+01:00");
    repo.run(["transition", "KB-0001", "published"])
        .expect_code(0);
    repo.commit("publish", "2026-11-20T11:00:00+01:00");
    repo.run(["transition", "KB-0001", "retired"])
        .expect_code(0);
    repo.commit("retire", "2026-11-20T12:00:00+01:00");
    repo.run(["validate", "--range", "HEAD~2..HEAD"])
        .expect_code(0);
    let retired = std::fs::read_to_string(repo.path("kb/KB-0001.md")).expect("read");

    // Back from a terminal state, by hand: refused at the status line
    // (line 4: the fence, id and title come first), column 9.
    std::fs::write(
        repo.path("kb/KB-0001.md"),
        retired.replace("status: retired", "status: published"),
    )
    .expect("write");
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("error[transition]")
        .stderr_has("kb/KB-0001.md:4:9");

    // The Markdown of a retired article is frozen too.
    std::fs::write(repo.path("kb/KB-0001.md"), format!("{retired}More.\n")).expect("write");
    repo.git(["add", "-A"]);
    repo.run(["validate", "--staged"])
        .expect_code(1)
        .stderr_has("terminal-edit")
        .stderr_has("changed: body");
}
