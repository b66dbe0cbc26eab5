//! `gitsm site`: the static site of the example organisation (every record
//! and CI has a page, every relative link resolves, nothing remote is
//! loaded, the output is deterministic), hostile record content rendered
//! inert, template overrides, the output folder safety rules, and real
//! browser checks in headless Chromium (search and filters, no injected
//! script runs). Every page of the example site is valid HTML to the Nu
//! Html Checker, passes axe-core's WCAG 2 A/AA rules at desktop and phone
//! width, keeps its Content-Security-Policy and never scrolls sideways
//! on a 390px-wide phone.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{Repo, Sandbox};
use regex::Regex;

const KIND_FOLDERS: [&str; 5] = ["incidents", "problems", "changes", "requests", "cis"];

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy file");
        }
    }
}

/// Every file below `dir`, relative to it, with `/`.
pub(crate) fn files_below(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap_or(&p);
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The example organisation as a subfolder (`itsm/`) of a Git repository
/// with one commit, so that timelines have history. Returns the repo and
/// the managed root.
fn example() -> (Repo, PathBuf) {
    let sandbox = Sandbox::new();
    let root = sandbox.git_repo("repo");
    let managed = root.join("itsm");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo"),
        &managed,
    );
    let repo = Repo { sandbox, root };
    repo.commit(
        "Import the example organisation",
        "2026-11-20T12:00:00+01:00",
    );
    (repo, managed)
}

/// A page with the `/` that attribute escaping writes as `&#x2f;` put back.
pub(crate) fn read_page(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .replace("&#x2f;", "/")
}

/// Relative `href`/`src` targets of a page that must exist in the site.
pub(crate) fn local_targets(html: &str) -> Vec<String> {
    let re = Regex::new(r#"(?:href|src)="([^"]*)""#).expect("regex");
    re.captures_iter(html)
        .map(|c| {
            // Attribute values are HTML-escaped (minijinja escapes `/` too).
            c[1].replace("&#x2f;", "/")
                .replace("&#47;", "/")
                .replace("&amp;", "&")
        })
        .filter(|t| {
            !(t.starts_with("http://")
                || t.starts_with("https://")
                || t.starts_with("mailto:")
                || t.starts_with('#'))
        })
        .collect()
}

/// Resolve `target` (relative, maybe with a query) against the page at `page`.
pub(crate) fn resolve(page: &str, target: &str) -> String {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[test]
fn example_site_is_complete_linked_self_contained_and_deterministic() {
    let (repo, managed) = example();
    let run = repo.sandbox.gitsm(&managed, ["site"]);
    run.expect_code(0).stderr_has("wrote ");
    let site = managed.join("site");
    let files = files_below(&site);

    for page in [
        "index.html",
        "calendar.html",
        "kedb.html",
        "sla.html",
        "report.html",
        "assets/site.css",
        "assets/site.js",
    ] {
        assert!(files.iter().any(|f| f == page), "{page} missing: {files:?}");
    }
    // Every record and CI has a page, and each kind a list.
    for folder in KIND_FOLDERS {
        assert!(
            files.contains(&format!("{folder}/index.html")),
            "{folder}/index.html missing"
        );
        for e in std::fs::read_dir(managed.join(folder))
            .expect("kind folder")
            .flatten()
        {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_suffix(".yaml") {
                assert!(
                    files.contains(&format!("{folder}/{id}.html")),
                    "no page for {folder}/{id}"
                );
            }
        }
    }
    // Every relative link resolves; nothing is loaded from elsewhere.
    let mut pages = 0;
    for f in files.iter().filter(|f| f.ends_with(".html")) {
        pages += 1;
        let html = std::fs::read_to_string(site.join(f)).expect("page");
        for target in local_targets(&html) {
            let resolved = resolve(f, &target);
            assert!(
                site.join(&resolved).is_file(),
                "{f}: link {target} -> {resolved} does not exist"
            );
        }
        for remote in [
            r#"src="http"#,
            r#"src="//"#,
            r#"<link rel="stylesheet" href="http"#,
            "@import",
        ] {
            assert!(
                !html.contains(remote),
                "{f} references a remote resource ({remote})"
            );
        }
    }
    assert!(pages > 80, "only {pages} pages");
    let css = read_page(&site.join("assets/site.css"));
    assert!(
        !css.contains("url(") && !css.contains("@import"),
        "the stylesheet loads something"
    );

    // Content: the dashboard has charts, a CI page a graph with its
    // dependents, a record page its timeline from Git and its links both ways.
    let index = read_page(&site.join("index.html"));
    assert!(
        index.matches("<svg class=\"chart\"").count() >= 5,
        "dashboard charts"
    );
    let ci = read_page(&site.join("cis/payments-api.html"));
    assert!(ci.contains("<svg class=\"graph\""), "CI graph");
    assert!(
        ci.contains("online-payments.html"),
        "the service depending on payments-api"
    );
    let inc = read_page(&site.join("incidents/INC-0001.html"));
    assert!(inc.contains("ev-git"), "timeline entry from Git history");
    assert!(
        inc.contains("href=\"../problems/PRB-0001.html\""),
        "outgoing link"
    );
    let prb = read_page(&site.join("problems/PRB-0001.html"));
    assert!(
        prb.contains("linked from") && prb.contains("INC-0001.html"),
        "incoming link"
    );
    let kedb = read_page(&site.join("kedb.html"));
    assert!(kedb.contains("Workaround"), "known errors with workarounds");
    // PRB-0001's incidents are INC-0001 and INC-0007; CHG-0004, its fix,
    // names it too but is no incident.
    let prb1 = kedb
        .split("<article")
        .find(|a| a.contains("data-id=\"PRB-0001\""))
        .expect("PRB-0001 in the KEDB");
    assert!(prb1.contains(">2 incidents<"), "{prb1}");
    let report = read_page(&site.join("report.html"));
    assert!(
        report.contains("Service management report"),
        "the KPI report"
    );
    let calendar = read_page(&site.join("calendar.html"));
    assert!(
        calendar.contains("year-end") && calendar.contains("class=\"cal\""),
        "calendar with freezes"
    );

    // The same inputs give the same bytes.
    repo.sandbox
        .gitsm(&managed, ["site", "-o", "../copy"])
        .expect_code(0);
    let copy = repo.root.join("copy");
    assert_eq!(files_below(&copy), files, "same files");
    for f in &files {
        let a = std::fs::read(site.join(f)).expect("a");
        let b = std::fs::read(copy.join(f)).expect("b");
        assert!(a == b, "{f} differs between two builds");
    }

    browser_checks(&repo, &site);
}

const XSS_TITLE: &str = "<script>document.title='pwned'</script>";

fn hostile_repo() -> Repo {
    let repo = Repo::new();
    repo.write(
        "cis/db.yaml",
        "id: db\nname: Database\nclass: database\nstatus: active\n",
    );
    repo.write(
        "cis/evil.yaml",
        "id: evil\nname: \"<b onmouseover=alert(1)>Evil</b>\"\nclass: application\nstatus: active\nrelations:\n  depends_on: [db]\n",
    );
    repo.write(
        "incidents/INC-0001.yaml",
        format!(
            "id: INC-0001\ntitle: \"{XSS_TITLE}\"\nstatus: new\ncreated_at: 2026-11-20T09:00:00+01:00\nreported_by: someone@example.com\nimpact: high\nurgency: high\naffected_cis: [evil]\ndescription: |\n  Raw <img src=x onerror=\"document.body.setAttribute('data-pwned','img')\"> here.\n\n  <script>document.body.setAttribute('data-pwned','script')</script>\n\n  [click me](javascript:document.body.setAttribute('data-pwned','link'))\n  [also](JaVaScRiPt:alert(1)) ![pic](https://example.com/x.png)\nnotes:\n  - at: 2026-11-20T09:05:00+01:00\n    by: someone@example.com\n    text: \"<svg onload=alert(1)>\"\n"
        ),
    );
    repo.commit("Hostile records", "2026-11-20T10:00:00+01:00");
    repo
}

#[test]
fn hostile_record_content_is_shown_as_text() {
    let repo = hostile_repo();
    repo.run(["validate"]).expect_code(0);
    repo.run(["site", "-o", "out"]).expect_code(0);
    let out = repo.path("out");
    let page = std::fs::read_to_string(out.join("incidents/INC-0001.html")).expect("page");
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the site's own script:\n{page}"
    );
    assert!(
        page.contains("&lt;script&gt;document.title="),
        "title escaped"
    );
    assert!(!page.contains("<img"), "raw HTML became an element");
    assert!(
        page.contains("&lt;img src=x onerror="),
        "raw HTML shown as text"
    );
    assert!(!page.contains("<svg onload"), "note HTML became an element");
    assert!(
        !page.to_lowercase().contains("href=\"javascript"),
        "javascript: link kept"
    );
    assert!(page.contains("click me"), "the link text stays");
    assert!(
        !page.contains("src=\"https://example.com"),
        "remote image loaded"
    );
    for f in [
        "incidents/index.html",
        "index.html",
        "sla.html",
        "cis/evil.html",
        "cis/db.html",
    ] {
        let html = std::fs::read_to_string(out.join(f)).expect("page");
        // The site's script, and on a list its search text.
        let ours = if f.ends_with("/index.html") { 2 } else { 1 };
        assert_eq!(
            html.matches("<script").count(),
            ours,
            "{f}: a script from record content"
        );
        assert!(!html.contains("<b onmouseover"), "{f}: CI name unescaped");
    }
    // The list's search text holds the record text as data: no markup.
    let search = std::fs::read_to_string(out.join("incidents/search.js")).expect("search.js");
    assert!(
        !search.contains('<') && search.contains("\\u003cscript"),
        "{search}"
    );
    let Some(chrome) = chromium() else { return };
    let profile = repo.sandbox.dir("chrome-profile");
    for f in [
        "incidents/INC-0001.html",
        "incidents/index.html",
        "cis/evil.html",
        "cis/db.html",
    ] {
        let dom = dump_dom(&chrome, &profile, &file_url(&out.join(f), ""));
        assert!(
            dom.contains("</body>"),
            "{f}: Chromium loaded nothing:\n{dom}"
        );
        assert!(!dom.contains("<title>pwned"), "{f}: the title payload ran");
        assert!(!dom.contains("data-pwned=\""), "{f}: a payload ran:\n{dom}");
        assert!(
            !dom.contains("<b onmouseover"),
            "{f}: markup from a record became an element"
        );
    }
}

#[test]
fn templates_are_overridden_and_output_folders_are_protected() {
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", common::VALID_INCIDENT);
    repo.write(
        "templates/kedb.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"custom\">OUR KEDB: {{ view|length }} known errors</p>{% include \"our-footer.html\" %}{% endblock %}",
    );
    // A template of the repository's own, for an include.
    repo.write(
        "templates/our-footer.html",
        "<p id=\"ours\">Service desk: ext. 4444</p>",
    );
    // Unrelated files in the folder are ignored unless a template names them.
    repo.write("templates/email.html", "{{#each tickets}}{{/each}}");
    repo.write("templates/site.css", "body { color: teal; }\n");
    repo.commit("Records and templates", "2026-11-20T10:00:00+01:00");
    repo.run(["site"])
        .expect_code(0)
        .stderr_has("templates from the repository: kedb.html, site.css");
    let site = repo.path("site");
    let kedb = read_page(&site.join("kedb.html"));
    assert!(
        kedb.contains("<p id=\"custom\">OUR KEDB: 0 known errors</p>"),
        "{kedb}"
    );
    assert!(
        kedb.contains("assets/site.css"),
        "the built-in base.html still wraps it"
    );
    assert!(
        kedb.contains("<p id=\"ours\">Service desk: ext. 4444</p>"),
        "a template of the repository's own, included"
    );
    let css = read_page(&site.join("assets/site.css"));
    assert_eq!(css, "body { color: teal; }\n");
    // The built-in templates are used for the rest.
    let inc = read_page(&site.join("incidents/INC-0001.html"));
    assert!(inc.contains("VPN down"));

    // A broken override fails the build and leaves the previous site alone.
    std::fs::write(site.join("stale.html"), "old").expect("write");
    repo.write(
        "templates/sla.html",
        "{% extends \"base.html\" %}{% block content %}{{ view.rows[ }}{% endblock %}",
    );
    repo.run(["site"]).expect_code(2).stderr_has("sla.html");
    assert_eq!(read_page(&site.join("kedb.html")), kedb);
    assert!(site.join("stale.html").exists());
    std::fs::remove_file(repo.path("templates/sla.html")).expect("remove");
    // A rebuild replaces the old site as a whole.
    repo.run(["site"]).expect_code(0);
    assert!(
        !site.join("stale.html").exists(),
        "the old site was not replaced"
    );

    // A folder gitsm did not write is never replaced, nor one holding a
    // link to another site's marker.
    repo.write("docs/keep.txt", "precious");
    let refused = || {
        repo.run(["site", "-o", "docs"])
            .expect_code(2)
            .stderr_has("not written by `gitsm site`");
        assert_eq!(
            std::fs::read_to_string(repo.path("docs/keep.txt")).expect("kept"),
            "precious"
        );
    };
    refused();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(site.join(".gitsm-site"), repo.path("docs/.gitsm-site"))
            .expect("link a marker");
        refused();
    }
    repo.run(["site", "-o", "."]).expect_code(2);
    assert!(repo.path("gitsm.yaml").is_file());
    // An empty folder is fine.
    std::fs::create_dir_all(repo.path("empty")).expect("mkdir");
    repo.run(["site", "-o", "empty"]).expect_code(0);
    assert!(repo.path("empty/index.html").is_file());
    // Nothing is left behind in the parent folder.
    let leftovers: Vec<String> = std::fs::read_dir(&repo.root)
        .expect("root")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".gitsm-site") || n.contains(".old-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

// ---------------------------------------------------------------------------
// Headless Chromium

/// The Chromium binary, or `None` (with a note) when it is not installed;
/// a failure instead when GITSM_REQUIRE_TOOLS=1.
fn chromium() -> Option<PathBuf> {
    common::require_tool(
        &["chromium", "chromium-browser", "google-chrome"],
        "apt-get install chromium",
    )
}

fn file_url(path: &Path, query: &str) -> String {
    format!("file://{}{query}", path.display())
}

/// Load `url` in headless Chromium (its scripts run) and return the DOM.
fn dump_dom(chrome: &Path, profile: &Path, url: &str) -> String {
    let mut cmd = Command::new(chrome);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(["--dump-dom", url]);
    let out = run_for(cmd, Duration::from_secs(90));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A row of a list page as Chromium left it.
struct Row {
    hidden: bool,
    open: bool,
    priority: Option<String>,
    /// Its text, lower case.
    text: String,
}

/// Rows of a dumped list page, by id.
fn rows(dom: &str) -> BTreeMap<String, Row> {
    let row = Regex::new(r#"(?s)<tr ([^>]*data-id="([^"]+)"[^>]*)>(.*?)</tr>"#).expect("regex");
    let priority = Regex::new(r#"data-priority="([^"]+)""#).expect("regex");
    let tag = Regex::new(r"<[^>]+>").expect("regex");
    row.captures_iter(dom)
        .map(|c| {
            let attrs = &c[1];
            let row = Row {
                hidden: attrs.contains("hidden"),
                open: attrs.contains("data-open=\"1\""),
                priority: priority.captures(attrs).map(|p| p[1].to_owned()),
                text: tag.replace_all(&c[3], " ").to_lowercase(),
            };
            (c[2].to_owned(), row)
        })
        .collect()
}

/// The text of each record in a list's `search.js`, by id.
fn full_text(path: &Path) -> std::collections::BTreeMap<String, String> {
    let script = std::fs::read_to_string(path).expect("search.js");
    let json = script
        .split_once("window.gitsmSearch = ")
        .and_then(|(_, rest)| rest.trim_end().strip_suffix(';'))
        .expect("window.gitsmSearch = {...};");
    serde_json::from_str(json).expect("search.js holds JSON")
}

fn browser_checks(repo: &Repo, site: &Path) {
    let Some(chrome) = chromium() else { return };
    let profile = repo.sandbox.dir("chrome-profile");
    let list = site.join("incidents/index.html");

    // Without a query every row shows and the controls appear.
    let dom = dump_dom(&chrome, &profile, &file_url(&list, ""));
    let all = rows(&dom);
    assert!(all.len() >= 20, "rows: {}", all.len());
    assert!(
        all.values().all(|r| !r.hidden),
        "a row is hidden without a filter"
    );
    assert!(
        dom.contains("data-filter-for=\"records\">"),
        "the filter controls stayed hidden"
    );

    // ?q= opens filtered: exactly the rows whose text has the word.
    let dom = dump_dom(&chrome, &profile, &file_url(&list, "?q=vpn"));
    let got = rows(&dom);
    assert_eq!(got.len(), all.len());
    let shown: Vec<&String> = got
        .iter()
        .filter(|(_, r)| !r.hidden)
        .map(|(id, _)| id)
        .collect();
    assert!(
        !shown.is_empty() && shown.len() < all.len(),
        "?q=vpn shows {shown:?}"
    );
    // A row shows when its cells or its record's full text (the list's
    // search.js: descriptions, notes, workarounds) have the word.
    let full = full_text(&site.join("incidents/search.js"));
    let has = |id: &str, r: &Row, word: &str| {
        r.text.contains(word) || full.get(id).is_some_and(|t| t.contains(word))
    };
    for (id, r) in &got {
        assert_eq!(r.hidden, !has(id, r, "vpn"), "{id}: {:?}", r.text);
    }
    assert!(
        dom.contains(&format!("{} of {} shown", shown.len(), all.len())),
        "count"
    );
    // A word only in descriptions and notes finds its rows.
    let only_full: Vec<&String> = full
        .iter()
        .filter(|(id, t)| t.contains("workaround") && !got[id.as_str()].text.contains("workaround"))
        .map(|(id, _)| id)
        .collect();
    assert!(
        !only_full.is_empty(),
        "no incident says `workaround` outside its row"
    );
    let dom = dump_dom(&chrome, &profile, &file_url(&list, "?q=workaround"));
    for (id, r) in rows(&dom) {
        assert_eq!(r.hidden, !has(&id, &r, "workaround"), "{id}");
    }

    // Search and filters combine: open payments incidents of priority P2.
    let dom = dump_dom(
        &chrome,
        &profile,
        &file_url(&list, "?q=payments&status=open&priority=P2"),
    );
    let mut shown = 0;
    for (id, r) in rows(&dom) {
        let wanted = has(&id, &r, "payments") && r.open && r.priority.as_deref() == Some("P2");
        assert_eq!(r.hidden, !wanted, "{id}");
        shown += usize::from(!r.hidden);
    }
    assert!(shown > 0, "no open P2 payments incident shown");

    // The dashboard renders its charts in a browser.
    let dom = dump_dom(&chrome, &profile, &file_url(&site.join("index.html"), ""));
    assert!(
        dom.matches("<svg class=\"chart\"").count() >= 5,
        "dashboard:\n{dom}"
    );
}

/// The text description of the dashboard chart `id` (`c-sla`, ...).
fn chart_desc(page: &str, id: &str) -> String {
    let re = Regex::new(&format!(r#"<desc id="{id}-d">([^<]*)</desc>"#)).expect("regex");
    let text = re.captures(page).unwrap_or_else(|| panic!("no chart {id}"))[1].to_owned();
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of the dashboard tile labelled `label`.
fn tile(page: &str, label: &str) -> u64 {
    let re = Regex::new(&format!(
        r#"<span class="value">(\d+)</span> <span class="label">{label}</span>"#
    ))
    .expect("regex");
    re.captures(page)
        .unwrap_or_else(|| panic!("no tile {label}"))[1]
        .parse()
        .expect("number")
}

/// A chart value as the charts print it: whole numbers bare, else one
/// decimal.
fn shown(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

#[test]
fn the_dashboard_shows_the_report_figures() {
    // Committed in December, read on 5 December: tickets closed without a
    // date, and running clocks whose target ran out, are where the report
    // puts them. The site's report page covers the first ticket's month to
    // the site's instant in UTC months, as `report --until T --at T` does.
    let (repo, managed) = example();
    repo.write("itsm/README.md", "December import\n");
    repo.commit("Touch", "2026-12-05T09:00:00+01:00");
    let at = "2026-12-05T10:00:00+01:00";
    let home = repo.sandbox.home();
    let out = repo.sandbox.dir("dashboard-site");
    common::gitsm_in(
        &home,
        &managed,
        ["site", "-q", "--at", at, "-o", out.to_str().expect("path")],
    )
    .expect_code(0);
    let run = common::gitsm_in(
        &home,
        &managed,
        ["report", "--format", "json", "--until", at, "--at", at],
    );
    run.expect_code(0);
    let r: serde_json::Value = serde_json::from_str(&run.stdout).expect("report JSON");
    let page = read_page(&out.join("index.html"));

    let open = |kind: &str| {
        r["backlog"]["by_kind"]
            .as_array()
            .expect("backlog")
            .iter()
            .find(|row| row["key"] == kind)
            .map_or(0, |row| row["open"].as_u64().expect("open"))
    };
    assert_eq!(tile(&page, "Open incidents"), open("incident"));
    assert_eq!(tile(&page, "Open problems"), open("problem"));
    assert_eq!(tile(&page, "Open requests"), open("request"));
    assert_eq!(
        tile(&page, "Known errors"),
        r["problems"]["kedb"].as_u64().expect("kedb")
    );
    assert_eq!(
        chart_desc(&page, "c-kind"),
        format!(
            "Incidents: {}; Problems: {}; Changes: {}; Service requests: {}",
            open("incident"),
            open("problem"),
            open("change"),
            open("request")
        )
    );
    // Within target per priority: `P<n> (<met> of <total>): <percent>`.
    let sla: Vec<String> = r["incidents"]["sla"]
        .as_array()
        .expect("sla")
        .iter()
        .filter(|row| row["priority"] != "all" && row["resolution"]["percent"].is_number())
        .map(|row| {
            let c = &row["resolution"];
            let (met, missed) = (
                c["met"].as_u64().expect("met"),
                c["missed"].as_u64().expect("missed"),
            );
            format!(
                "{} ({met} of {}): {}",
                row["priority"].as_str().expect("priority"),
                met + missed,
                shown(c["percent"].as_f64().expect("percent"))
            )
        })
        .collect();
    assert!(!sla.is_empty());
    assert_eq!(chart_desc(&page, "c-sla"), sla.join("; "));
    // Opened, closed and backlog per month, all kinds together.
    let months = r["trends"].as_array().expect("trends");
    let months = &months[months.len().saturating_sub(12)..];
    let total = |m: &serde_json::Value, what: &str| {
        ["incident", "problem", "change", "request"]
            .iter()
            .map(|k| m[what][k].as_u64().expect("count"))
            .sum::<u64>()
    };
    let series = |name: &str, what: &str| {
        let values: Vec<String> = months
            .iter()
            .map(|m| format!("{} {}", m["month"].as_str().expect("month"), total(m, what)))
            .collect();
        format!("{name}: {}", values.join(", "))
    };
    assert_eq!(
        chart_desc(&page, "c-flow"),
        format!(
            "{}. {}",
            series("opened", "opened"),
            series("closed", "closed")
        )
    );
    assert_eq!(
        chart_desc(&page, "c-backlog"),
        series("open tickets", "backlog")
    );
    // Each chart links to the report section its figures come from.
    let report_page = read_page(&out.join("report.html"));
    for anchor in ["backlog", "trends", "incidents-sla-compliance", "changes"] {
        assert!(
            page.contains(&format!("href=\"report.html#{anchor}\"")),
            "{anchor}"
        );
        assert!(
            report_page.contains(&format!("id=\"{anchor}\"")),
            "{anchor}"
        );
    }
}

#[test]
fn a_report_template_of_its_own_reads_the_report_as_data() {
    // The report's data is made only when a template reads it; one that
    // does gets the JSON of `gitsm report`, keys and lists alike.
    let repo = Repo::new();
    repo.write("incidents/INC-0001.yaml", common::VALID_INCIDENT);
    repo.write(
        "templates/report.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"tz\">{{ view.data.period.timezone }}</p>\
         <p id=\"keys\">{{ view.data|list|length > 5 }}</p><p id=\"has\">{{ 'volumes' in view.data }}</p>{% endblock %}",
    );
    repo.commit("Records and a report template", "2026-11-20T10:00:00+01:00");
    repo.run(["site"]).expect_code(0);
    let page = read_page(&repo.path("site/report.html"));
    assert!(page.contains("<p id=\"tz\">UTC</p>"), "{page}");
    assert!(page.contains("<p id=\"keys\">True</p>"), "{page}");
    assert!(page.contains("<p id=\"has\">True</p>"), "{page}");
}

/// Every file of two sites, compared byte for byte.
#[track_caller]
pub(crate) fn same_site(a: &Path, b: &Path) {
    if let Some(why) = differs(a, b) {
        panic!("{why}");
    }
}

/// How two sites differ, if they do.
fn differs(a: &Path, b: &Path) -> Option<String> {
    let files = files_below(a);
    if files != files_below(b) {
        return Some("the two sites hold other files".to_owned());
    }
    files
        .iter()
        .find(|f| std::fs::read(a.join(f)).ok() != std::fs::read(b.join(f)).ok())
        .map(|f| format!("{f} differs from a full build"))
}

/// `(pages, reused)` from `gitsm site`'s summary line.
fn pages_reused(run: &common::Run) -> (usize, usize) {
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("wrote "))
        .unwrap_or_default();
    let number = |after: &str| -> usize {
        line.split(after)
            .next()
            .and_then(|s| s.split_whitespace().last())
            .and_then(|n| n.trim_start_matches('(').parse().ok())
            .unwrap_or(0)
    };
    (number(" pages"), number(" unchanged since"))
}

/// Six incidents (two on a service) and a problem linking the third.
fn six_incidents() -> Repo {
    let repo = Repo::new();
    repo.write(
        "cis/shop.yaml",
        "id: shop\nname: Shop\nclass: service\nstatus: active\n",
    );
    for n in 1..=6 {
        repo.write(
            &format!("incidents/INC-{n:04}.yaml"),
            format!(
                "id: INC-{n:04}\ntitle: Incident {n}\nstatus: new\ncreated_at: 2026-11-20T09:00:00+01:00\n\
                 reported_by: someone@example.com\nimpact: low\nurgency: low\n{}",
                if n <= 2 { "service: shop\n" } else { "" }
            ),
        );
    }
    repo.write(
        "problems/PRB-0001.yaml",
        "id: PRB-0001\ntitle: Root of 3\nstatus: new\ncreated_at: 2026-11-20T09:00:00+01:00\nreported_by: someone@example.com\nlinks: [INC-0003]\n",
    );
    repo.commit("Records", "2026-11-20T10:00:00+01:00");
    repo
}

/// Update the site `out` in place after `what`, then make a full build
/// beside it: the two are the same bytes. The pages of the update, and how
/// many of them stood.
fn updated_equals_full(repo: &Repo, what: &str) -> (usize, usize) {
    let run = site_at(repo, "out");
    assert_eq!(run.code, 0, "{what}: {run}");
    site_at(repo, "full").expect_code(0);
    if let Some(why) = differs(&repo.path("out"), &repo.path("full")) {
        panic!("after {what}: {why}");
    }
    std::fs::remove_dir_all(repo.path("full")).expect("rm");
    pages_reused(&run)
}

/// Before a first commit, with no record to take a time from, a site is
/// as of the time it is built, not of 1970 (the one test here that reads
/// the wall clock: it brackets the run, to the minute the page shows).
#[test]
fn a_site_before_the_first_commit_is_as_of_the_time_it_is_built() {
    let repo = Repo::new();
    let minute = |t: chrono::DateTime<chrono::Utc>| t.timestamp() / 60;
    let before = chrono::Utc::now();
    let mut cmd = Command::new(common::bin());
    common::hermetic(&mut cmd, &repo.sandbox.home());
    let out = cmd
        .current_dir(&repo.root)
        .env_remove("GITSM_NOW")
        .args(["site", "-o", "out"])
        .output()
        .expect("gitsm starts");
    let after = chrono::Utc::now();
    assert!(out.status.success(), "{out:?}");
    let page = std::fs::read_to_string(repo.path("out/index.html")).expect("dashboard");
    let shown = Regex::new(r"As of (\d{4}-\d{2}-\d{2} \d{2}:\d{2} [+-]\d{2}:\d{2})")
        .expect("regex")
        .captures(&page)
        .map(|c| c[1].to_owned())
        .expect("the dashboard says as of when");
    let shown = chrono::DateTime::parse_from_str(&shown, "%Y-%m-%d %H:%M %:z").expect("an instant");
    let shown = minute(shown.to_utc());
    assert!(
        (minute(before)..=minute(after)).contains(&shown),
        "as of {shown} (minutes since 1970), built from {before} to {after}"
    );
}

/// `gitsm site -o OUT` at a fixed instant.
fn site_at(repo: &Repo, out: &str) -> common::Run {
    repo.run(["site", "-o", out, "--at", "2026-11-21T10:00:00+01:00"])
}

#[test]
fn a_site_built_again_reuses_unchanged_pages_and_equals_a_full_build() {
    let repo = six_incidents();
    let site = |out: &str| site_at(&repo, out);

    let first = site("out");
    assert_eq!(first.code, 0, "{first}");
    let (pages, reused) = pages_reused(&first);
    assert_eq!(reused, 0, "{first}");
    // Nothing changed: every record's page stands, and so do the pages
    // that sum up every record (the SLA page, and a list and a search
    // index per kind: 13).
    let again = site("out");
    assert_eq!(pages_reused(&again), (pages, 8 + 13), "{again}");

    // A title edited: that incident's page, and the page of the problem
    // linking to it (which shows the title), are made again; so are the
    // pages that show the title or search it: the SLA page (it is open),
    // the list of incidents and its search index.
    let text = std::fs::read_to_string(repo.path("incidents/INC-0003.yaml")).expect("read");
    repo.write(
        "incidents/INC-0003.yaml",
        text.replace("Incident 3", "Checkout fails"),
    );
    repo.commit("Retitle", "2026-11-20T11:00:00+01:00");
    let edited = site("out");
    assert_eq!(pages_reused(&edited), (pages, 6 + 10), "{edited}");
    site("full").expect_code(0);
    same_site(&repo.path("out"), &repo.path("full"));
    std::fs::remove_dir_all(repo.path("full")).expect("rm");

    // A page changed by hand is not trusted, and other templates reuse
    // nothing; each time the result is a full build's.
    let page = repo.path("out/incidents/INC-0001.html");
    let mut bytes = std::fs::read(&page).expect("page");
    bytes.extend_from_slice(b"<!-- edited -->");
    std::fs::write(&page, bytes).expect("edit page");
    let after_edit = site("out");
    assert_eq!(pages_reused(&after_edit), (pages, 7 + 13), "{after_edit}");
    repo.write("templates/our-footer.html", "<p>ext. 4444</p>");
    let after_templates = site("out");
    assert_eq!(pages_reused(&after_templates).1, 0, "{after_templates}");
    site("full").expect_code(0);
    same_site(&repo.path("out"), &repo.path("full"));
    std::fs::remove_dir_all(repo.path("full")).expect("rm");

    // A file a template includes, whatever its name, is an input too.
    let record = std::fs::read_to_string(repo.path("out/incidents/INC-0001.html")).expect("page");
    assert!(!record.contains("BANNER"));
    repo.write(
        "templates/record.html",
        "{% extends \"base.html\" %}{% block content %}{% include \"banner.md\" %} {{ view.id }}{% endblock %}",
    );
    repo.write("templates/banner.md", "BANNER-v1");
    site("out").expect_code(0);
    repo.write("templates/banner.md", "BANNER-v2");
    let after_banner = site("out");
    assert_eq!(pages_reused(&after_banner).1, 0, "{after_banner}");
    let record = std::fs::read_to_string(repo.path("out/incidents/INC-0001.html")).expect("page");
    assert!(record.contains("BANNER-v2"), "{record}");
    site("full").expect_code(0);
    same_site(&repo.path("out"), &repo.path("full"));
}

/// An incident for [`a_neighbour_changed_remakes_the_pages_that_show_it`].
fn incident_text(id: &str, title: &str, status: &str, extra: &str) -> String {
    let assignee = if status == "new" {
        ""
    } else {
        "assignee: someone@example.com\n"
    };
    format!(
        "id: {id}\ntitle: {title}\nstatus: {status}\ncreated_at: 2026-11-20T09:00:00+01:00\n\
         reported_by: someone@example.com\nimpact: high\nurgency: high\n{assignee}{extra}"
    )
}

#[test]
fn builds_into_many_folders_keep_the_manifests_of_the_last_eight() {
    // A temporary folder per build would otherwise leave a manifest each
    // in the Git directory, for good.
    let repo = Repo::new();
    repo.write(".gitignore", "/out*/\n");
    repo.write(
        "incidents/INC-0001.yaml",
        incident_text("INC-0001", "Checkout down", "new", ""),
    );
    repo.commit("Records", "2026-11-20T09:00:40+01:00");
    let site = |out: &str| {
        let run = repo.run(["site", "-o", out, "--at", "2026-11-21T09:00:00+01:00"]);
        assert_eq!(run.code, 0, "{run}");
        pages_reused(&run)
    };
    for i in 0..10 {
        site(&format!("out{i}"));
    }
    let manifests = std::fs::read_dir(repo.path(".git/gitsm"))
        .expect("gitsm folder")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".manifest"))
        .count();
    assert_eq!(manifests, 8);
    // The last folders' builds reuse their pages; the first is built whole.
    assert!(site("out9").1 > 0, "out9");
    assert_eq!(site("out0").1, 0, "out0");
}

#[test]
fn attack_a_clock_changing_state_between_builds_remakes_its_page() {
    // A P1 opened at 09:00:30 (24x7): its response clock (15m) is at risk
    // from 09:11:45 (75 %) and breached after 09:15:30; its resolution
    // clock (4h) is due at 13:00:30. A record's page shows no figure that
    // moves with the instant (a running clock shows its due time), so a
    // later build keeps it until a clock changes state, even within one
    // minute (09:11:40, then 09:11:50), and each build equals a full one.
    let repo = Repo::new();
    repo.write(".gitignore", "/out/\n/full*/\n");
    repo.write(
        "incidents/INC-0001.yaml",
        incident_text("INC-0001", "Checkout down", "new", "")
            .replace("09:00:00+01:00", "09:00:30+01:00"),
    );
    repo.run(["validate"]).expect_code(0);
    repo.commit("Records", "2026-11-20T09:00:40+01:00");
    let page_path = repo.path("out/incidents/INC-0001.html");
    let page = || std::fs::read_to_string(&page_path).expect("page");
    let stamp = || {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(&page_path).expect("page");
        (meta.ino(), meta.mtime(), meta.mtime_nsec())
    };
    let mut full = 0;
    let mut site = |at: &str| {
        let run = repo.run(["site", "-o", "out", "--at", at]);
        assert_eq!(run.code, 0, "{run}");
        full += 1;
        let fresh = format!("full{full}");
        repo.run(["site", "-o", &fresh, "--at", at]).expect_code(0);
        same_site(&repo.path("out"), &repo.path(&fresh));
    };
    let badges = |page: &str| -> Vec<String> {
        page.split("class=\"badge sla-")
            .skip(1)
            .filter_map(|s| s.split('"').next().map(str::to_owned))
            .collect()
    };
    site("2026-11-20T09:05:00+01:00");
    let first = page();
    // The ticket's badge, then each clock's; due times, no elapsed time.
    assert_eq!(badges(&first), ["ok", "ok", "ok"], "{first}");
    assert!(first.contains("2026-11-20 09:15 +01:00"), "{first}");
    assert!(first.contains("2026-11-20 13:00 +01:00"), "{first}");
    assert!(first.contains("\"Elapsed\">running<"), "{first}");
    assert!(
        !first.contains("09:05"),
        "the instant is on the page: {first}"
    );
    let kept = stamp();
    site("2026-11-20T09:11:40+01:00");
    assert_eq!(
        stamp(),
        kept,
        "a page whose clocks kept their state is kept"
    );
    assert_eq!(page(), first);
    site("2026-11-20T09:11:50+01:00");
    assert_eq!(badges(&page()), ["at_risk", "at_risk", "ok"], "{}", page());
    site("2026-11-20T09:16:00+01:00");
    assert_eq!(
        badges(&page()),
        ["breached", "breached", "ok"],
        "{}",
        page()
    );
    // Past its due time, a running clock says so; the other is still due.
    assert!(page().contains("\"Remaining\">overdue<"), "{}", page());
    assert!(page().contains("\"Remaining\">until due<"), "{}", page());
    // The SLA page shows the same clocks; its header reads the instant.
    let sla = std::fs::read_to_string(repo.path("out/sla.html")).expect("sla page");
    assert!(
        sla.contains("Clocks read at 2026-11-20 09:16 +01:00"),
        "{sla}"
    );
    assert!(sla.contains("\"Elapsed\">running<"), "{sla}");
}

#[test]
fn a_neighbour_changed_remakes_the_pages_that_show_it() {
    // A page is made again when anything it shows changes, even when its
    // own record did not: the linked records' titles and statuses, the
    // SLA targets, the class of the service a clock reads, the commits of
    // its timeline. After each change, the site updated in place is the
    // same, byte for byte, as a full build, and the page that shows the
    // change is not the previous build's.
    let repo = Repo::new();
    repo.write(".gitignore", "/out/\n/full/\n");
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("config");
    let sla =
        "sla:\n  P1: { response: 15m, resolution: 4h }\n  P2: { response: 30m, resolution: 8h }\n";
    let symptoms = "symptom_policy:\n  clock: resolution\n  targets:\n    system_crash: { \"1\": 10m, \"2\": 15m }\n";
    repo.write("gitsm.yaml", format!("{config}{sla}{symptoms}"));
    let shop = "id: shop\nname: Shop\nclass: service\nstatus: active\nservice_class: 2\n";
    repo.write("cis/shop.yaml", shop);
    repo.write(
        "incidents/INC-0001.yaml",
        incident_text(
            "INC-0001",
            "Checkout down",
            "in_progress",
            "service: shop\nsymptom: system_crash\n",
        ),
    );
    repo.write(
        "incidents/INC-0002.yaml",
        incident_text("INC-0002", "Slow search", "new", "links: [INC-0003]\n"),
    );
    repo.write(
        "incidents/INC-0003.yaml",
        incident_text("INC-0003", "Cart empty", "new", ""),
    );
    repo.write(
        "incidents/INC-0004.yaml",
        incident_text("INC-0004", "Bystander", "new", ""),
    );
    repo.run(["validate"]).expect_code(0);
    repo.commit("Records", "2026-11-20T10:00:00+01:00");
    let page = |id: &str| {
        std::fs::read_to_string(repo.path(&format!("out/incidents/{id}.html"))).expect("page")
    };
    site_at(&repo, "out").expect_code(0);

    // Each change (files written, then committed by `edit`), and the page
    // that must show it though its record is the same. Every page's key
    // holds the configuration: once it changes, no page is reused.
    const CONFIGURATION: &str = "change the SLA targets";
    let changed = |what: &str, shown_on: &str, edit: &dyn Fn()| {
        let before = page(shown_on);
        edit();
        let (pages, reused) = updated_equals_full(&repo, what);
        let kept = reused > 0 || what == CONFIGURATION;
        assert!(kept && reused < pages, "{what}: {reused} of {pages} reused");
        assert_ne!(page(shown_on), before, "{what}: {shown_on} is as before");
    };
    let commit = |hour: u32| {
        repo.commit("Edit", &format!("2026-11-20T{hour}:00:00+01:00"));
    };
    let inc3 = |status: &str, title: &str| incident_text("INC-0003", title, status, "");

    // The linked record retitled: the page linking to it shows its title.
    changed("retitle a linked record", "INC-0002", &|| {
        repo.write("incidents/INC-0003.yaml", inc3("new", "Cart emptied"));
        commit(11);
    });
    // Its status changed: shown in the link.
    changed("progress a linked record", "INC-0002", &|| {
        repo.write(
            "incidents/INC-0003.yaml",
            inc3("in_progress", "Cart emptied"),
        );
        commit(12);
    });
    // Sent back and taken up again between two builds: its record is what
    // the last build saw, its timeline is not.
    changed("send a record back and forth", "INC-0003", &|| {
        repo.write("incidents/INC-0003.yaml", inc3("new", "Cart emptied"));
        commit(13);
        repo.write(
            "incidents/INC-0003.yaml",
            inc3("in_progress", "Cart emptied"),
        );
        commit(14);
    });
    // The SLA targets: every clock reads them.
    changed(CONFIGURATION, "INC-0002", &|| {
        let targets = sla
            .replace("resolution: 8h", "resolution: 9h")
            .replace("response: 15m", "response: 20m");
        repo.write("gitsm.yaml", format!("{config}{targets}{symptoms}"));
        commit(15);
    });
    // The class of the service INC-0001 is for: its symptom's target.
    changed("reclassify a service", "INC-0001", &|| {
        repo.write(
            "cis/shop.yaml",
            shop.replace("service_class: 2", "service_class: 1"),
        );
        commit(16);
    });
    // A link to an id holding a space (a typo, or a file named so): the
    // manifest keeps it, and the steps after it read what it saw.
    changed("name an id with a space", "INC-0002", &|| {
        repo.write(
            "incidents/INC-0002.yaml",
            incident_text(
                "INC-0002",
                "Slow search",
                "new",
                "links: [INC-0003, \"INC 0003\"]\n",
            ),
        );
        commit(16);
    });
    // A record linking to INC-0004 appears: its page lists it.
    changed("link a new record", "INC-0004", &|| {
        repo.write(
            "incidents/INC-0005.yaml",
            incident_text("INC-0005", "Related", "new", "links: [INC-0004]\n"),
        );
        commit(17);
    });
    // A note on the record.
    changed("add a note", "INC-0004", &|| {
        repo.write(
            "incidents/INC-0004.yaml",
            incident_text(
                "INC-0004",
                "Bystander",
                "new",
                "notes:\n  - { at: 2026-11-20T16:00:00+01:00, by: someone@example.com, text: Looked at it }\n",
            ),
        );
        commit(18);
    });
    // The link undone: the record it named no longer lists it.
    changed("unlink a record", "INC-0004", &|| {
        repo.write(
            "incidents/INC-0005.yaml",
            incident_text("INC-0005", "Related", "new", ""),
        );
        commit(19);
    });
    // The linked record deleted: the link names a record that is gone.
    changed("delete a linked record", "INC-0002", &|| {
        std::fs::remove_file(repo.path("incidents/INC-0003.yaml")).expect("rm");
        commit(20);
    });
}

#[test]
fn a_ci_neighbour_changed_remakes_the_ci_pages_that_show_it() {
    // A CI's page draws its relations two steps out, lists what depends on
    // it and what it depends on however far, the tickets naming it and its
    // service's availability: each is an input of its key. After each
    // change, one at a time, the site updated in place is a full build's,
    // byte for byte, and `shop`'s page, whose record is the same, is not
    // the previous build's. `shop` depends on `app`, which depends on `db`
    // and `cache` (two steps from `shop`); `host` and `printer` are on
    // their own.
    let repo = Repo::new();
    repo.write(".gitignore", "/out/\n/full/\n");
    let ci = |id: &str, rest: &str| {
        repo.write(
            &format!("cis/{id}.yaml"),
            format!("id: {id}\nname: {id} name\nstatus: active\n{rest}"),
        );
    };
    let shop = "class: service\navailability_target: 99.9%\nrelations: { depends_on: [app] }\n";
    ci("shop", shop);
    ci(
        "app",
        "class: application\nrelations: { depends_on: [db, cache] }\n",
    );
    ci("db", "class: database\n");
    ci("cache", "class: database\n");
    ci("host", "class: server\n");
    ci("printer", "class: printer\n");
    repo.write(
        "incidents/INC-0001.yaml",
        incident_text("INC-0001", "Bystander", "new", ""),
    );
    repo.run(["validate"]).expect_code(0);
    repo.commit("Records", "2026-11-20T10:00:00+01:00");
    site_at(&repo, "out").expect_code(0);
    let shop_page = repo.path("out/cis/shop.html");
    let printer_page = repo.path("out/cis/printer.html");
    let printer_built = std::fs::metadata(&printer_page)
        .and_then(|m| m.modified())
        .expect("printer's page");

    let hour = std::cell::Cell::new(10);
    let changed = |what: &str, edit: &dyn Fn()| {
        let before = std::fs::read_to_string(&shop_page).expect("shop's page");
        edit();
        let valid = repo.run(["validate"]);
        assert_eq!(valid.code, 0, "{what}: {valid}");
        hour.set(hour.get() + 1);
        repo.commit(what, &format!("2026-11-20T{}:00:00+01:00", hour.get()));
        let (pages, reused) = updated_equals_full(&repo, what);
        assert!(
            reused > 0 && reused < pages,
            "{what}: {reused} of {pages} reused"
        );
        let after = std::fs::read_to_string(&shop_page).expect("shop's page");
        assert_ne!(after, before, "{what}: shop's page is as before");
    };
    let incident = |status: &str, rest: &str| {
        let text = incident_text("INC-0002", "Checkout down", status, "service: shop\n");
        repo.write("incidents/INC-0002.yaml", format!("{text}{rest}"));
    };
    let low =
        |text: String| text.replace("impact: high\nurgency: high", "impact: low\nurgency: low");

    // Two steps away: drawn in the graph and listed among dependencies.
    changed("rename a CI two steps away", &|| {
        repo.write(
            "cis/db.yaml",
            "id: db\nname: Orders database\nstatus: active\nclass: database\n",
        );
    });
    // A CI page nothing changed around stood for itself.
    let printer_now = std::fs::metadata(&printer_page)
        .and_then(|m| m.modified())
        .expect("printer's page");
    assert_eq!(printer_now, printer_built, "printer's page was made again");
    changed("reclassify a CI two steps away", &|| {
        repo.write(
            "cis/db.yaml",
            "id: db\nname: Orders database\nstatus: active\nclass: server\n",
        );
    });
    // Between two CIs the graph draws, both two steps away: only the
    // drawing shows it (`db` was already a dependency, through `app`).
    changed("relate two CIs the graph draws", &|| {
        ci(
            "cache",
            "class: database\nrelations: { depends_on: [db] }\n",
        );
    });
    // Three steps away: not drawn, but a dependency all the same.
    changed("relate a CI three steps away", &|| {
        ci(
            "cache",
            "class: database\nrelations: { depends_on: [db], runs_on: [host] }\n",
        );
    });
    // A ticket names the CI: its lists of incidents and history.
    changed("open an incident on the CI", &|| {
        let text = incident_text(
            "INC-0002",
            "Checkout down",
            "in_progress",
            "service: shop\n",
        );
        repo.write("incidents/INC-0002.yaml", low(text));
    });
    // Its priority: shown in the lists, not in the links.
    changed("raise the priority of an incident on the CI", &|| {
        incident("in_progress", "");
    });
    // An outage on the service: its availability.
    const OUTAGE: &str =
        "outage: [{ start: 2026-11-20T09:00:00+01:00, end: 2026-11-20T09:30:00+01:00 }]\n";
    changed("record an outage on the service", &|| {
        incident("in_progress", OUTAGE);
    });
    // Resolved: no longer among the open incidents.
    changed("resolve the incident on the CI", &|| {
        let resolution =
            "resolved_at: 2026-11-20T18:00:00+01:00\nresolution: { code: fixed, notes: Fixed. }\n";
        incident("resolved", &format!("{OUTAGE}{resolution}"));
    });
    // The CI itself.
    changed("describe the CI", &|| {
        ci("shop", &format!("{shop}description: The web shop.\n"));
    });
}

/// Every folder below `dir`, from it, sorted.
fn folders_below(dir: &Path) -> Vec<String> {
    let mut all = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            if e.file_type().expect("type").is_dir() {
                let rel = e.path().strip_prefix(dir).expect("below").to_owned();
                all.push(rel.to_string_lossy().into_owned());
                todo.push(e.path());
            }
        }
    }
    all.sort();
    all
}

#[test]
fn a_site_updated_in_place_drops_what_a_full_build_would_not_write() {
    let repo = six_incidents();
    site_at(&repo, "out").expect_code(0);
    // Left in the published folder by hand, or by an older build.
    repo.write("out/stale.html", "old");
    repo.write("out/junk/deep/page.html", "old");
    repo.write("out/incidents/INC-0009.html", "a record since deleted");
    std::fs::remove_file(repo.path("incidents/INC-0006.yaml")).expect("rm");
    repo.commit("Drop INC-0006", "2026-11-20T11:00:00+01:00");
    let again = site_at(&repo, "out");
    assert!(pages_reused(&again).1 > 0, "{again}");
    site_at(&repo, "full").expect_code(0);
    same_site(&repo.path("out"), &repo.path("full"));
    assert_eq!(
        folders_below(&repo.path("out")),
        folders_below(&repo.path("full"))
    );
    assert!(!repo.path("out/incidents/INC-0006.html").exists());
}

/// The folders of a site updated in place have the permissions a full
/// build gives them, though one was changed by hand between builds.
#[cfg(unix)]
#[test]
fn a_site_updated_in_place_gives_its_folders_the_modes_of_a_full_build() {
    use std::os::unix::fs::PermissionsExt;
    let repo = six_incidents();
    site_at(&repo, "out").expect_code(0);
    let mode = |dir: &Path| std::fs::metadata(dir).expect("stat").permissions().mode() & 0o7777;
    let set = |dir: &Path, mode: u32| {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    set(&repo.path("out"), 0o700);
    set(&repo.path("out/incidents"), 0o711);
    repo.write(
        "incidents/INC-0006.yaml",
        incident_text("INC-0006", "Retitled", "new", ""),
    );
    repo.commit("Retitle INC-0006", "2026-11-20T11:00:00+01:00");
    let again = site_at(&repo, "out");
    assert!(pages_reused(&again).1 > 0, "{again}");
    site_at(&repo, "full").expect_code(0);
    same_site(&repo.path("out"), &repo.path("full"));
    for folder in std::iter::once(String::new()).chain(folders_below(&repo.path("full"))) {
        let (out, full) = (
            repo.path("out").join(&folder),
            repo.path("full").join(&folder),
        );
        assert_eq!(mode(&out), mode(&full), "folder {folder:?}");
    }
}

#[test]
fn two_builds_of_one_folder_at_once_leave_a_full_build() {
    let repo = six_incidents();
    site_at(&repo, "out").expect_code(0);
    repo.write(
        "incidents/INC-0007.yaml",
        "id: INC-0007\ntitle: Incident 7\nstatus: new\ncreated_at: 2026-11-20T09:00:00+01:00\n\
         reported_by: someone@example.com\nimpact: low\nurgency: low\n",
    );
    repo.commit("One more", "2026-11-20T11:00:00+01:00");
    let start = |at: &str| {
        let mut cmd = Command::new(common::bin());
        common::hermetic(&mut cmd, &repo.sandbox.home());
        cmd.current_dir(&repo.root)
            .args(["site", "-q", "-o", "out", "--at", at])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gitsm starts")
    };
    // Another instant, so that the second build reuses nothing.
    let builds = [
        start("2026-11-21T10:00:00+01:00"),
        start("2026-11-22T10:00:00+01:00"),
    ];
    for mut build in builds {
        assert!(build.wait().expect("wait").success());
    }
    // Whichever finished last, the folder is its full build.
    let full = |at: &str| {
        let name = format!("full-{}", &at[8..10]);
        repo.run(["site", "-q", "-o", &name, "--at", at])
            .expect_code(0);
        differs(&repo.path("out"), &repo.path(&name))
    };
    let (a, b) = (
        full("2026-11-21T10:00:00+01:00"),
        full("2026-11-22T10:00:00+01:00"),
    );
    assert!(a.is_none() || b.is_none(), "{a:?} / {b:?}");
}

#[test]
fn a_site_built_from_inside_its_own_folder_with_dot_is_updated() {
    let repo = six_incidents();
    site_at(&repo, "out").expect_code(0);
    let out = repo.path("out");
    let at = ["site", "-o", ".", "--at", "2026-11-21T10:00:00+01:00"];
    let again = repo.sandbox.gitsm(&out, at);
    assert_eq!(again.code, 0, "{again}");
    assert!(pages_reused(&again).1 > 0, "{again}");
    site_at(&repo, "full").expect_code(0);
    same_site(&out, &repo.path("full"));
    let leftovers: Vec<String> = files_below(&repo.root)
        .into_iter()
        .filter(|f| f.contains(".gitsm-site-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(unix)]
#[test]
fn attack_a_symlink_planted_in_the_site_folder_is_neither_kept_nor_followed() {
    let repo = six_incidents();
    site_at(&repo, "out").expect_code(0);
    let outside = repo.path("outside");
    repo.write("outside/secret.txt", "host secret");
    // A page replaced by a link to a host file, and a folder of pages by a
    // link to a folder outside that holds copies of its pages (same size
    // and time: what the manifest remembers of them).
    let page = repo.path("out/incidents/INC-0001.html");
    std::fs::remove_file(&page).expect("rm page");
    std::os::unix::fs::symlink(outside.join("secret.txt"), &page).expect("link page");
    let copied = Command::new("cp")
        .args(["-pr", "out/problems/.", "outside/"])
        .current_dir(&repo.root)
        .status()
        .expect("cp");
    assert!(copied.success());
    std::fs::remove_dir_all(repo.path("out/problems")).expect("rm folder");
    std::os::unix::fs::symlink(&outside, repo.path("out/problems")).expect("link folder");
    let before = files_below(&outside);

    let text = std::fs::read_to_string(repo.path("problems/PRB-0001.yaml")).expect("read");
    repo.write(
        "problems/PRB-0001.yaml",
        text.replace("Root of 3", "Root cause"),
    );
    repo.commit("Retitle the problem", "2026-11-20T11:00:00+01:00");
    site_at(&repo, "out").expect_code(0);

    assert_eq!(
        files_below(&outside),
        before,
        "a page was written through the link"
    );
    assert_eq!(
        std::fs::read_to_string(outside.join("secret.txt")).expect("secret"),
        "host secret"
    );
    for link in ["out/incidents/INC-0001.html", "out/problems"] {
        let meta = std::fs::symlink_metadata(repo.path(link)).expect("there");
        assert!(!meta.file_type().is_symlink(), "{link} is still a link");
    }
    site_at(&repo, "full").expect_code(0);
    same_site(&repo.path("out"), &repo.path("full"));
}

#[test]
fn attack_a_list_swapped_for_a_link_lends_no_part_to_the_next_build() {
    // A list's unchanged rows are copied from the previous build's page. A
    // page swapped for a link to a file outside with the same size and
    // time (what the manifest remembers) but other bytes where the rows
    // were must lend nothing: the next build, at another instant (the
    // page around the rows changes, the rows do not), renders its rows.
    let repo = six_incidents();
    let site = |out: &str, at: &str| repo.run(["site", "-o", out, "--at", at]);
    site("out", "2026-11-21T10:00:00+01:00").expect_code(0);
    let page = repo.path("out/incidents/index.html");
    let bytes = std::fs::read_to_string(&page).expect("list");
    assert!(bytes.contains("Incident 4"), "{bytes}");
    let mtime = std::fs::metadata(&page)
        .and_then(|m| m.modified())
        .expect("mtime");
    let planted = repo.path("outside.html");
    std::fs::write(&planted, bytes.replace("Incident 4", "SECRET-4!!")).expect("plant");
    std::fs::File::options()
        .write(true)
        .open(&planted)
        .and_then(|f| f.set_modified(mtime))
        .expect("same time");
    std::fs::remove_file(&page).expect("rm list");
    std::os::unix::fs::symlink(&planted, &page).expect("link list");

    site("out", "2026-11-22T10:00:00+01:00").expect_code(0);
    let list = std::fs::read_to_string(&page).expect("list");
    assert!(
        !list.contains("SECRET"),
        "a part was copied through the link"
    );
    assert!(list.contains("Incident 4"), "{list}");
    assert!(
        !std::fs::symlink_metadata(&page)
            .expect("list")
            .file_type()
            .is_symlink()
    );
    site("full", "2026-11-22T10:00:00+01:00").expect_code(0);
    same_site(&repo.path("out"), &repo.path("full"));
}

#[test]
fn attack_a_banner_title_holding_the_table_marker_does_not_cut_the_list() {
    // A list is rendered around a marker where its rows go. A major
    // incident's title is in the banner of every page, the list's too: a
    // title holding what the marker was (NULs and all) must not make the
    // page cut there, writing the rows twice or into the banner.
    let repo = six_incidents();
    repo.write(
        "incidents/INC-0009.yaml",
        "id: INC-0009\ntitle: \"Pay\\0gitsm-table\\0ments \\0gitsm-table-0\\0 down\"\n\
         status: new\ncreated_at: 2026-11-20T09:00:00+01:00\nreported_by: someone@example.com\n\
         impact: high\nurgency: high\nmajor: true\n",
    );
    repo.commit("Major", "2026-11-20T10:30:00+01:00");
    site_at(&repo, "out").expect_code(0);
    let list = std::fs::read_to_string(repo.path("out/incidents/index.html")).expect("list");
    assert!(list.contains("gitsm-table-0"), "no banner: {list}");
    for n in [1, 4, 9] {
        let row = format!("<tr data-id=\"INC-{n:04}\"");
        assert_eq!(list.matches(&row).count(), 1, "{row}: {list}");
    }
    let rows = list.find("<tbody>").expect("table");
    let banner = list.find("gitsm-table-0").expect("banner");
    assert!(banner < rows, "the banner is inside the table");
}

#[test]
fn attack_a_record_moved_to_another_kind_leaves_no_stale_sla_row() {
    // A record is its bytes read as the kind of its folder. A file valid
    // both as an incident and as a request (schemas that allow other
    // fields), moved from incidents/ to requests/ unchanged and without a
    // commit (its history is the same), is another ticket on the SLA page:
    // its link and its targets. The page updated in place must say so.
    let repo = Repo::new();
    repo.write(".gitignore", "/out/\n/full/\n");
    for kind in ["incident", "request"] {
        let rel = format!("schemas/{kind}.schema.json");
        let text = std::fs::read_to_string(repo.path(&rel)).expect("schema");
        let mut schema: serde_json::Value = serde_json::from_str(&text).expect("json");
        schema["additionalProperties"] = serde_json::Value::Bool(true);
        repo.write(&rel, schema.to_string());
    }
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("config");
    repo.write(
        "gitsm.yaml",
        format!(
            "{config}sla:\n  P3: {{ response: 15m, resolution: 4h }}\n\
             catalog:\n  laptop: {{ name: A laptop, response: 10m, fulfilment: 45m }}\n"
        ),
    );
    repo.write(
        "incidents/T-1.yaml",
        "id: T-1\ntitle: Either kind\nstatus: new\ncreated_at: 2026-11-20T09:00:00+01:00\n\
         reported_by: someone@example.com\nimpact: medium\nurgency: medium\n\
         requested_by: someone@example.com\ncatalog_item: laptop\n",
    );
    repo.commit("Either", "2026-11-20T10:00:00+01:00");
    site_at(&repo, "out").expect_code(0);
    let sla = || std::fs::read_to_string(repo.path("out/sla.html")).expect("sla");
    assert!(
        sla().contains("href=\"incidents&#x2f;T-1.html\""),
        "{}",
        sla()
    );
    std::fs::create_dir_all(repo.path("requests")).expect("mkdir");
    std::fs::rename(
        repo.path("incidents/T-1.yaml"),
        repo.path("requests/T-1.yaml"),
    )
    .expect("move");
    site_at(&repo, "out").expect_code(0);
    assert!(
        sla().contains("href=\"requests&#x2f;T-1.html\""),
        "{}",
        sla()
    );
    site_at(&repo, "full").expect_code(0);
    same_site(&repo.path("out"), &repo.path("full"));
}

#[test]
fn a_ci_named_index_does_not_take_the_place_of_the_list() {
    // `cis/index.html` is the list of CIs: a CI with id `index` has a
    // page of another name, and both builds keep the list.
    let repo = Repo::new();
    repo.write(".gitignore", "/out/\n/full/\n");
    for id in ["index", "web"] {
        repo.write(
            &format!("cis/{id}.yaml"),
            format!("id: {id}\nname: {id}\nclass: service\nstatus: active\n"),
        );
    }
    repo.commit("CIs", "2026-11-20T10:00:00+01:00");
    site_at(&repo, "out").expect_code(0);
    let list = || std::fs::read_to_string(repo.path("out/cis/index.html")).expect("list");
    assert!(
        list().contains("<h1>Configuration items</h1>"),
        "{}",
        list()
    );
    assert!(list().contains("href=\"_69ndex.html\""), "{}", list());
    assert!(repo.path("out/cis/_69ndex.html").is_file());
    repo.write(
        "cis/web.yaml",
        "id: web\nname: Web shop\nclass: service\nstatus: active\n",
    );
    repo.commit("Rename", "2026-11-20T11:00:00+01:00");
    site_at(&repo, "out").expect_code(0);
    assert!(list().contains("Web shop"), "{}", list());
    site_at(&repo, "full").expect_code(0);
    same_site(&repo.path("out"), &repo.path("full"));
}

#[test]
fn a_list_template_without_its_rows_is_warned_of() {
    // A repository's own list.html written for the rows as `view.rows`
    // (before they came in parts) shows none: the build says why.
    let repo = six_incidents();
    repo.write(
        "templates/list.html",
        "{% extends \"base.html\" %}{% block content %}{% for r in view.rows %}{{ r.id }}{% endfor %}{% endblock %}",
    );
    let run = site_at(&repo, "out");
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stderr
            .contains("incidents/index.html: its template does not show its rows"),
        "{run}"
    );
    assert!(!run.stderr.contains("sla.html:"), "{run}");
    // Told again by the next build, which keeps the page.
    let again = site_at(&repo, "out");
    assert!(pages_reused(&again).1 > 0, "{again}");
    assert!(
        again
            .stderr
            .contains("incidents/index.html: its template does not show its rows"),
        "{again}"
    );
    // With no ticket open the built-in SLA page shows a note, not an
    // empty table: no warning for rows it has none of.
    let repo = Repo::new();
    repo.write(
        "incidents/INC-0001.yaml",
        "id: INC-0001\ntitle: Fixed\nstatus: closed\ncreated_at: 2026-11-20T09:00:00+01:00\n\
         reported_by: someone@example.com\nimpact: low\nurgency: low\n\
         assignee: someone@example.com\nacknowledged_at: 2026-11-20T09:05:00+01:00\n\
         resolved_at: 2026-11-20T10:00:00+01:00\nclosed_at: 2026-11-21T10:00:00+01:00\n\
         resolution: { code: fixed, notes: Fixed. }\n",
    );
    repo.run(["validate"]).expect_code(0);
    let run = site_at(&repo, "out");
    assert_eq!(run.code, 0, "{run}");
    assert!(!run.stderr.contains("does not show its rows"), "{run}");
}

// ---------------------------------------------------------------------------
// Conformance of every page: the Nu Html Checker; axe-core, the phone
// layout and the Content-Security-Policy in headless Chromium

/// The example organisation's site, built in a temporary repository, and
/// its HTML pages (relative to the site folder).
fn example_site() -> (Repo, PathBuf, Vec<String>) {
    let (repo, managed) = example();
    repo.sandbox.gitsm(&managed, ["site"]).expect_code(0);
    let site = managed.join("site");
    let pages: Vec<String> = files_below(&site)
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .collect();
    assert!(pages.len() > 80, "only {} pages", pages.len());
    (repo, site, pages)
}

/// A page with a fault of each kind the checks look for: a `<time>`
/// without a machine-readable date (vnu), an inline style under a policy
/// that forbids it (Chromium), a link inside an image (axe) and a drawing
/// wider than a phone. Checked with the site, it proves that each check
/// still reports what it finds: one that silently stopped would pass.
const CANARY: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self'">
<title>Canary</title></head>
<body><main><h1 style="color: teal">Canary</h1>
<svg role="img" aria-label="A chart" width="1000" height="20"><a href="canary.html"><text y="15">x</text></a></svg>
<p><time>2026-11-16 08:45 +01:00</time></p>
</main></body></html>
"#;

/// Write [`CANARY`] to a folder of its own; returns its path.
fn canary(repo: &Repo) -> PathBuf {
    let path = repo.sandbox.dir("canary").join("canary.html");
    std::fs::write(&path, CANARY).expect("write the canary");
    path
}

/// Run `cmd` to its end, at most `limit`; its output.
fn run_for(mut cmd: Command, limit: Duration) -> Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?} does not start: {e}"));
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(out) => out.expect("output"),
        Err(_) => {
            // The one process this test started, by its id.
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("{cmd:?} did not finish within {limit:?}");
        }
    }
}

#[test]
fn every_page_of_the_example_site_is_valid_html() {
    let Some(java) = common::require_tool(&["java"], "apt install default-jre-headless") else {
        return;
    };
    let Some(vnu) = common::node_tool("vnu-jar/build/dist/vnu.jar") else {
        return;
    };
    let (repo, site, pages) = example_site();
    let canary = canary(&repo);
    // One run for every page; the JSON report goes to stderr.
    let mut cmd = Command::new(java);
    cmd.arg("-jar")
        .arg(&vnu)
        .args(["--errors-only", "--format", "json"])
        .args(pages.iter().map(|p| site.join(p)))
        .arg(&canary);
    let out = run_for(cmd, Duration::from_secs(300));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: serde_json::Value = serde_json::from_str(&stderr)
        .unwrap_or_else(|e| panic!("vnu printed no JSON ({e}):\n{stderr}"));
    let messages = report["messages"].as_array().expect("vnu's messages");
    let canary_url = format!("file:{}", canary.display());
    let mut errors = Vec::new();
    let mut caught = false;
    for m in messages {
        let url = m["url"].as_str().unwrap_or_default();
        let text = m["message"].as_str().unwrap_or_default();
        if url == canary_url {
            caught |= text.contains("time");
            continue;
        }
        let page = url
            .strip_prefix(&format!("file:{}/", site.display()))
            .unwrap_or(url);
        errors.push(format!(
            "{page}:{}: {} {text}\n    {}",
            m["lastLine"],
            m["type"].as_str().unwrap_or_default(),
            m["extract"].as_str().unwrap_or_default().trim()
        ));
    }
    assert!(
        caught,
        "vnu did not report the canary's <time> without datetime:\n{stderr}"
    );
    assert!(
        errors.is_empty(),
        "{} errors from the Nu Html Checker:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

#[test]
fn every_page_of_the_example_site_is_accessible_fits_a_phone_and_keeps_its_csp() {
    let Some(chrome) = chromium() else { return };
    let Some(node) = common::require_tool(&["node", "nodejs"], "apt-get install nodejs npm") else {
        return;
    };
    if common::node_tool("axe-core/axe.min.js").is_none()
        || common::node_tool("puppeteer-core/package.json").is_none()
    {
        return;
    }
    let (repo, site, pages) = example_site();
    let canary = canary(&repo);
    let files: Vec<PathBuf> = pages.iter().map(|p| site.join(p)).collect();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/axe.mjs");
    // One browser for every page, at desktop and phone width.
    let mut cmd = Command::new(node);
    cmd.arg(&script)
        .arg(&chrome)
        .args(&files)
        .arg(&canary)
        .current_dir(repo.sandbox.dir("axe"));
    let out = run_for(cmd, Duration::from_secs(600));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{} failed:\n{stdout}\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("the script's JSON");
    assert_eq!(report["axe"], "4.14.1", "the axe-core of tests/tools");
    let results = report["results"].as_array().expect("results");
    assert_eq!(
        results.len(),
        2 * (files.len() + 1),
        "each page once at each width"
    );
    let list = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|x| x.as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut problems = Vec::new();
    let mut canary_caught = BTreeMap::new();
    for r in results {
        let file = r["page"].as_str().expect("page");
        let viewport = r["viewport"].as_str().expect("viewport");
        let width = r["width"].as_u64().expect("width");
        let (scroll, client) = (
            r["scrollWidth"].as_u64().expect("scrollWidth"),
            r["clientWidth"].as_u64().expect("clientWidth"),
        );
        let rules: Vec<&str> = r["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .map(|v| v["rule"].as_str().unwrap_or_default())
            .collect();
        if Path::new(file) == canary {
            let caught = [
                !r["csp"].as_array().is_none_or(Vec::is_empty),
                rules.contains(&"nested-interactive"),
                viewport != "phone" || scroll > client,
            ];
            canary_caught.insert(viewport.to_owned(), caught);
            continue;
        }
        let page = Path::new(file)
            .strip_prefix(&site)
            .map_or(file.to_owned(), |p| p.display().to_string());
        let at = format!("{page} at {width}px");
        if client != width {
            problems.push(format!("{at}: the viewport is {client}px wide"));
        }
        if scroll > client {
            problems.push(format!(
                "{at}: scrolls sideways ({scroll}px wide); sticking out: {}",
                list(&r["overflowing"]).join("; ")
            ));
        }
        for c in list(&r["csp"]) {
            problems.push(format!("{at}: Content-Security-Policy violated: {c}"));
        }
        for e in list(&r["errors"]) {
            problems.push(format!("{at}: console: {e}"));
        }
        for v in r["violations"].as_array().expect("violations") {
            for n in v["nodes"].as_array().expect("nodes") {
                problems.push(format!(
                    "{at}: axe {} ({}): {}\n    {}\n    {}",
                    v["rule"].as_str().unwrap_or_default(),
                    v["impact"].as_str().unwrap_or_default(),
                    v["help"].as_str().unwrap_or_default(),
                    n["target"].as_str().unwrap_or_default(),
                    n["summary"]
                        .as_str()
                        .unwrap_or_default()
                        .replace('\n', "\n    ")
                ));
            }
        }
    }
    for viewport in ["desktop", "phone"] {
        assert_eq!(
            canary_caught.get(viewport),
            Some(&[true; 3]),
            "at {viewport} width the checks missed a fault of the canary (CSP, axe, width):\n{stdout}"
        );
    }
    assert!(
        problems.is_empty(),
        "{} problems in headless Chromium:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The parts a build's manifest lists for the page `page` of the site at
/// `out` (the manifest is the repository's only one).
fn manifest_parts(repo: &Repo, page: &str) -> usize {
    let dir = repo.path(".git/gitsm");
    let manifest = std::fs::read_dir(&dir)
        .expect("gitsm dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "manifest"))
        .expect("a manifest");
    let text = std::fs::read_to_string(manifest).expect("manifest");
    text.lines()
        .skip_while(|l| !l.ends_with(&format!(" {page}")))
        .skip(1)
        .take_while(|l| l.starts_with('+'))
        .count()
}

#[test]
fn a_table_in_parts_updated_in_place_equals_a_full_build() {
    // 400 open incidents: the list, its search index and the SLA page are
    // each cut into parts (one per 128 rows on average). A retitle, a new
    // incident, one taken in hand, one deleted, one made a P1 (it moves up
    // the SLA page): after each, the site updated in place is a full
    // build's, byte for byte, and the list shows the change.
    let repo = Repo::new();
    repo.write(".gitignore", "/out/\n/full/\n");
    let config = std::fs::read_to_string(repo.path("gitsm.yaml")).expect("config");
    let sla =
        "sla:\n  P1: { response: 15m, resolution: 4h }\n  P4: { response: 8h, resolution: 120h }\n";
    repo.write("gitsm.yaml", format!("{config}{sla}"));
    let low = |id: &str, title: &str, status: &str| {
        incident_text(id, title, status, "").replace(
            "impact: high\nurgency: high\n",
            "impact: low\nurgency: low\n",
        )
    };
    for n in 1..=400 {
        let id = format!("INC-{n:04}");
        repo.write(
            &format!("incidents/{id}.yaml"),
            low(&id, &format!("Incident {n}"), "new"),
        );
    }
    repo.commit("Records", "2026-11-20T10:00:00+01:00");
    site_at(&repo, "out").expect_code(0);
    for page in ["incidents/index.html", "incidents/search.js", "sla.html"] {
        let parts = manifest_parts(&repo, page);
        assert!((2..=40).contains(&parts), "{page}: {parts} parts");
    }

    let list = || std::fs::read_to_string(repo.path("out/incidents/index.html")).expect("list");
    let mut hour = 11;
    let mut changed = |what: &str, edit: &dyn Fn(), shows: &str| {
        edit();
        repo.commit(what, &format!("2026-11-20T{hour}:00:00+01:00"));
        hour += 1;
        let run = site_at(&repo, "out");
        assert_eq!(run.code, 0, "{run}");
        site_at(&repo, "full").expect_code(0);
        if let Some(why) = differs(&repo.path("out"), &repo.path("full")) {
            panic!("after {what}: {why}");
        }
        std::fs::remove_dir_all(repo.path("full")).expect("rm");
        assert!(list().contains(shows), "{what}: the list lacks {shows}");
    };
    let write = |id: &str, text: String| {
        repo.write(&format!("incidents/{id}.yaml"), text);
    };
    changed(
        "Retitle",
        &|| write("INC-0150", low("INC-0150", "Checkout fails", "new")),
        "Checkout fails",
    );
    changed(
        "New",
        &|| write("INC-0401", low("INC-0401", "Printer on fire", "new")),
        "Printer on fire",
    );
    changed(
        "Taken",
        &|| write("INC-0100", low("INC-0100", "Incident 100", "in_progress")),
        "data-id=\"INC-0100\" data-status=\"in_progress\"",
    );
    changed(
        "Deleted",
        &|| std::fs::remove_file(repo.path("incidents/INC-0200.yaml")).expect("rm"),
        "400 incidents",
    );
    changed(
        "Escalated",
        &|| {
            write(
                "INC-0300",
                incident_text("INC-0300", "Incident 300", "new", ""),
            )
        },
        "data-id=\"INC-0300\" data-status=\"new\" data-open=\"1\" data-priority=\"P1\"",
    );
    let sla_page = std::fs::read_to_string(repo.path("out/sla.html")).expect("sla");
    let first = sla_page.find("INC-0300").expect("on the SLA page");
    assert!(
        sla_page.find("INC-0001").is_some_and(|other| first < other),
        "the P1 is not above the P4s"
    );
}

/// A small deterministic generator (xorshift), for the random edits of
/// [`random_edits_updated_in_place_equal_a_full_build`].
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    /// Some of `items`, in their order.
    fn some<'a>(&mut self, items: &[&'a str]) -> Vec<&'a str> {
        items
            .iter()
            .copied()
            .filter(|_| self.below(3) == 0)
            .collect()
    }
}

#[test]
fn random_edits_updated_in_place_equal_a_full_build() {
    // A build looks only at the pages of the records whose facts changed
    // since the last one and of their neighbours, before and after
    // (`changes`). Random commits of retitles, status changes, links made
    // and undone, services set and cleared, records deleted and made
    // again, CIs renamed and related: after each, the site updated in
    // place is a full build's, byte for byte.
    let repo = Repo::new();
    repo.write(".gitignore", "/out/\n/full/\n");
    let incidents = ["INC-0001", "INC-0002", "INC-0003", "INC-0004", "INC-0005"];
    let cis = ["shop", "pay", "app", "db"];
    let services = ["shop", "pay"];
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    let incident = |dice: &mut Dice, id: &str| {
        let title = ["Checkout down", "Slow search", "Cart empty"][dice.below(3)];
        let status = ["new", "in_progress"][dice.below(2)];
        let mut extra = String::new();
        let links: Vec<&str> = dice
            .some(&incidents)
            .into_iter()
            .filter(|l| *l != id)
            .collect();
        if !links.is_empty() {
            extra.push_str(&format!("links: [{}]\n", links.join(", ")));
        }
        if dice.below(2) == 0 {
            extra.push_str(&format!("service: {}\n", services[dice.below(2)]));
        }
        repo.write(
            &format!("incidents/{id}.yaml"),
            incident_text(id, title, status, &extra),
        );
    };
    let ci = |dice: &mut Dice, id: &str| {
        let class = if services.contains(&id) {
            "service"
        } else {
            ["application", "database"][dice.below(2)]
        };
        let name = ["Shop", "Payments", "Orders", "Ledger"][dice.below(4)];
        let depends: Vec<&str> = dice.some(&cis).into_iter().filter(|c| *c != id).collect();
        repo.write(
            &format!("cis/{id}.yaml"),
            format!(
                "id: {id}\nname: {name}\nclass: {class}\nstatus: active\nrelations: {{ depends_on: [{}] }}\n",
                depends.join(", ")
            ),
        );
    };
    let problem = |dice: &mut Dice| {
        let links = dice.some(&incidents).join(", ");
        repo.write(
            "problems/PRB-0001.yaml",
            format!(
                "id: PRB-0001\ntitle: Root cause\nstatus: new\ncreated_at: 2026-11-20T09:00:00+01:00\n\
                 reported_by: someone@example.com\nlinks: [{links}]\n"
            ),
        );
    };
    for id in incidents {
        incident(&mut dice, id);
    }
    for id in cis {
        ci(&mut dice, id);
    }
    problem(&mut dice);
    repo.commit("Records", "2026-11-20T10:00:00+01:00");
    site_at(&repo, "out").expect_code(0);
    for step in 0..24 {
        let mut done = Vec::new();
        for _ in 0..1 + dice.below(2) {
            match dice.below(4) {
                0 => {
                    let id = cis[dice.below(cis.len())];
                    ci(&mut dice, id);
                    done.push(format!("rewrite {id}"));
                }
                1 => {
                    problem(&mut dice);
                    done.push("rewrite PRB-0001".to_owned());
                }
                2 => {
                    let id = incidents[dice.below(incidents.len())];
                    let path = repo.path(&format!("incidents/{id}.yaml"));
                    if path.exists() {
                        std::fs::remove_file(&path).expect("rm");
                        done.push(format!("delete {id}"));
                    } else {
                        incident(&mut dice, id);
                        done.push(format!("make {id} again"));
                    }
                }
                _ => {
                    let id = incidents[dice.below(incidents.len())];
                    incident(&mut dice, id);
                    done.push(format!("rewrite {id}"));
                }
            }
        }
        let what = format!("step {step}: {}", done.join(", "));
        repo.git(["add", "-A"]);
        let time = format!("2026-11-20T{:02}:{:02}:00+01:00", 11 + step / 60, step % 60);
        repo.try_commit(&["-q", "--allow-empty", "-m", &what], &time)
            .expect_code(0);
        let (pages, reused) = updated_equals_full(&repo, &what);
        assert!(
            reused > 0 && reused < pages,
            "{what}: {reused} of {pages} reused"
        );
    }
    // The builds went by what changed: the manifest says what each saw of
    // the records.
    let manifests: Vec<String> = std::fs::read_dir(repo.path(".git/gitsm"))
        .expect("gitsm's folder")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".manifest"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    assert!(
        manifests
            .iter()
            .any(|m| m.lines().any(|l| l.starts_with('='))),
        "no manifest says what its build saw"
    );
}

/// Replace `from` by `to` (of the same length) in the file at `path`, and
/// put its modification time back: the same size and time, other bytes.
fn tamper_keeping_size_and_time(path: &Path, from: &str, to: &str) {
    assert_eq!(from.len(), to.len());
    let modified = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("time");
    let text = std::fs::read_to_string(path).expect("page");
    assert!(text.contains(from), "{}: no {from}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    file.set_modified(modified).expect("put the time back");
}

#[test]
fn attack_a_page_edited_with_its_size_and_time_put_back_is_not_kept() {
    // Someone who can write the published folder edits a page and puts
    // its size and modification time back (`touch -r`). Its change time
    // moved, and it cannot be set: the next build makes the page again,
    // and copies no part from it.
    let repo = six_incidents();
    let site = |out: &str, at: &str| {
        let run = repo.run(["site", "-o", out, "--at", at]);
        assert_eq!(run.code, 0, "{run}");
    };
    let (first, second) = ("2026-11-21T10:00:00+01:00", "2026-11-22T10:00:00+01:00");
    site("out", first);
    let page = repo.path("out/incidents/INC-0004.html");
    tamper_keeping_size_and_time(&page, "Incident 4", "Incident X");
    site("out", first);
    site("full", first);
    same_site(&repo.path("out"), &repo.path("full"));
    std::fs::remove_dir_all(repo.path("full")).expect("rm");

    // The list's rows are in a part the next build copies when its rows
    // are the same: at another instant only the page around them is new.
    let list = repo.path("out/incidents/index.html");
    tamper_keeping_size_and_time(&list, "Incident 5", "Incident Y");
    site("out", second);
    let text = std::fs::read_to_string(&list).expect("list");
    assert!(!text.contains("Incident Y"), "{text}");
    site("full", second);
    same_site(&repo.path("out"), &repo.path("full"));
}

#[test]
fn attack_a_second_file_with_a_records_id_leaves_no_stale_page() {
    // A record copied to start another, its id not yet changed: two files
    // of one id. The first in path order is the record, for its page and
    // for every page linking to it; the copy, however edited, shows
    // nowhere, and the site updated in place stays a full build's.
    let repo = six_incidents();
    repo.write(".gitignore", "/out/\n/full/\n");
    repo.commit("Ignore the sites", "2026-11-20T10:30:00+01:00");
    site_at(&repo, "out").expect_code(0);
    let original = std::fs::read_to_string(repo.path("incidents/INC-0003.yaml")).expect("read");
    for (n, title) in ["Copied title", "Copied and retitled"].iter().enumerate() {
        // `INC-0003x.yaml` comes after `INC-0003.yaml` in path order.
        repo.write(
            "incidents/INC-0003x.yaml",
            original.replace("Incident 3", title),
        );
        let what = format!("copy {n}");
        updated_equals_full(&repo, &what);
        for page in ["out/problems/PRB-0001.html", "out/incidents/INC-0003.html"] {
            let text = std::fs::read_to_string(repo.path(page)).expect("page");
            assert!(text.contains("Incident 3"), "{what}: {page}");
            assert!(!text.contains("Copied"), "{what}: {page}");
        }
    }
}
