//! The CMDB: typed relations, graph validation, impact analysis, similar
//! incidents and graph export, on a small fixture CMDB:
//!
//! ```text
//! shop (service) --depends_on--> shop-app (application) --depends_on--> shop-db (database)
//!     --hosted_on--> db-01 (server) --connected_to--> core-switch (network_device)
//! pc-042 (workstation): related to nothing
//! ```
//!
//! Helpers live in this file (tests/common/ belongs to other suites).

use crate::common;
use common::hermetic;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

/// Policy of the fixture: every default relation type, with `runs_on`
/// restricted to applications on servers.
const CONFIG: &str = "\
ci:
  relations:
    depends_on: { propagates_impact: true, acyclic: true }
    runs_on: { propagates_impact: true, acyclic: true, from: [application], to: [server] }
    hosted_on: { propagates_impact: true, acyclic: true }
    part_of: { propagates_impact: true, acyclic: true }
    connected_to: { propagates_impact: false, acyclic: false }
";

const CIS: &[(&str, &str)] = &[
    (
        "shop",
        "id: shop\nname: Web Shop\nclass: service\nstatus: active\nrelations:\n  depends_on: [shop-app]\n",
    ),
    (
        "shop-app",
        "id: shop-app\nname: Shop \"Frontend\" <app>\nclass: application\nstatus: active\nrelations:\n  depends_on: [shop-db]\n",
    ),
    (
        "shop-db",
        "id: shop-db\nname: Shop Database\nclass: database\nstatus: active\nrelations:\n  hosted_on: [db-01]\n",
    ),
    (
        "db-01",
        "id: db-01\nname: Database Server 01\nclass: server\nstatus: active\nrelations:\n  connected_to: [core-switch]\n",
    ),
    (
        "core-switch",
        "id: core-switch\nname: Core Switch\nclass: network_device\nstatus: active\n",
    ),
    (
        "pc-042",
        "id: pc-042\nname: Reception PC\nclass: workstation\nstatus: active\n",
    ),
];

/// An open incident on the database.
const INC_OPEN: &str = "\
id: INC-0001
title: Checkout times out on payment page
status: new
created_at: 2026-11-20T09:00:00+01:00
reported_by: someone@example.com
impact: high
urgency: high
service: shop
affected_cis: [shop-db]
category: database
";

/// A resolved incident on the database, and an older closed one on the same
/// service and category.
const INC_RESOLVED: &str = "\
id: INC-0002
title: Checkout slow
status: resolved
created_at: 2026-10-01T09:00:00+01:00
reported_by: someone@example.com
impact: medium
urgency: medium
affected_cis: [shop-db]
resolved_at: 2026-10-01T11:00:00+01:00
resolution:
  code: fixed
  notes: Restarted the connection pool of shop-db.
";

const INC_OLDER: &str = "\
id: INC-0003
title: Shop catalogue search returns nothing
status: resolved
created_at: 2026-09-01T09:00:00+01:00
reported_by: someone@example.com
impact: low
urgency: low
service: shop
category: database
resolved_at: 2026-09-01T10:00:00+01:00
resolution:
  code: workaround_applied
  notes: Rebuilt the search index.
";

/// An incident on the unrelated workstation: must never show up in the
/// impact of the shop chain.
const INC_PC: &str = "\
id: INC-0004
title: Reception PC does not boot
status: new
created_at: 2026-11-20T09:00:00+01:00
reported_by: someone@example.com
impact: low
urgency: low
affected_cis: [pc-042]
";

const KNOWN_ERROR: &str = "\
id: PRB-0001
title: Payment page timeouts under load
status: known_error
created_at: 2026-10-02T09:00:00+01:00
reported_by: someone@example.com
symptoms: Checkout times out when many orders arrive at once
root_cause: Connection pool too small
workaround: Restart the connection pool
known_error: true
";

const CHANGE: &str = "\
id: CHG-0001
title: Patch db-01
status: new
created_at: 2026-11-20T09:00:00+01:00
requested_by: someone@example.com
type: normal
cis: [db-01]
";

/// A managed repository in a temporary folder, run hermetically.
struct Fixture {
    tmp: TempDir,
    root: PathBuf,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Run {
    #[track_caller]
    fn code(&self, code: i32) -> &Self {
        assert!(!self.stderr.contains("panicked"), "gitsm panicked:\n{self}");
        assert_eq!(self.code, code, "unexpected exit code:\n{self}");
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
    }
}

impl Fixture {
    /// `git init`, `gitsm init`, the fixture config and CIs.
    fn new() -> Fixture {
        let tmp = tempfile::Builder::new()
            .prefix("gitsm-cmdb-")
            .tempdir()
            .expect("temp dir");
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(&root).expect("repo dir");
        std::fs::create_dir_all(tmp.path().join("home")).expect("home dir");
        let fx = Fixture { tmp, root };
        let mut git = Command::new("git");
        hermetic(&mut git, &fx.home());
        let status = git
            .current_dir(&fx.root)
            .args(["-c", "init.defaultBranch=main", "init", "-q"])
            .status()
            .expect("git starts");
        assert!(status.success(), "git init failed");
        fx.run(["init"]).code(0);
        fx.write("gitsm.yaml", CONFIG);
        for (id, yaml) in CIS {
            fx.write(&format!("cis/{id}.yaml"), yaml);
        }
        fx
    }

    /// The fixture plus its tickets.
    fn with_tickets() -> Fixture {
        let fx = Fixture::new();
        fx.write("incidents/INC-0001.yaml", INC_OPEN);
        fx.write("incidents/INC-0002.yaml", INC_RESOLVED);
        fx.write("incidents/INC-0003.yaml", INC_OLDER);
        fx.write("incidents/INC-0004.yaml", INC_PC);
        fx.write("problems/PRB-0001.yaml", KNOWN_ERROR);
        fx.write("changes/CHG-0001.yaml", CHANGE);
        fx
    }

    fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    fn write(&self, rel: &str, contents: &str) {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folders");
        }
        std::fs::write(path, contents).expect("write file");
    }

    fn run<const N: usize>(&self, args: [&str; N]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gitsm"));
        hermetic(&mut cmd, &self.home());
        let out = cmd
            .current_dir(&self.root)
            .args(args)
            .output()
            .expect("gitsm starts");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Ids of the dependents in an impact JSON document, with their distances.
fn dependents(doc: &Value) -> BTreeSet<(String, u64)> {
    doc["dependents"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["cis"].as_array().into_iter().flatten())
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_owned(),
                c["distance"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["id"].as_str())
        .collect()
}

fn set(items: &[(&str, u64)]) -> BTreeSet<(String, u64)> {
    items.iter().map(|(s, d)| ((*s).to_owned(), *d)).collect()
}

#[test]
fn fixture_is_valid_and_the_unrelated_workstation_is_an_orphan() {
    let fx = Fixture::new();
    let run = fx.run(["validate"]);
    run.code(0);
    assert!(run.stderr.contains("orphan-ci"), "{run}");
    assert!(run.stderr.contains("pc-042"), "{run}");
    // Every other CI has a relation.
    assert_eq!(run.stderr.matches("orphan-ci").count(), 1, "{run}");
}

#[test]
fn impact_of_the_server_is_the_chain_above_it() {
    let fx = Fixture::with_tickets();
    let doc = fx
        .run(["impact", "db-01", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(
        dependents(&doc),
        set(&[("shop-db", 1), ("shop-app", 2), ("shop", 3)])
    );
    // Business services first.
    assert_eq!(doc["dependents"][0]["class"], "service");
    assert_eq!(ids(&doc["services"]), ["shop"]);
    // connected_to does not propagate impact, but it is a dependency of
    // nothing either: the switch is not part of either set.
    assert_eq!(ids(&doc["dependencies"]), Vec::<&str>::new());
    // Tickets on the chain: the open incident, not the resolved one nor the
    // workstation's; the change names db-01 but is not scheduled.
    assert_eq!(ids(&doc["incidents"]), ["INC-0001"]);
    assert_eq!(ids(&doc["changes"]), Vec::<&str>::new());
    let text = serde_json::to_string(&doc).unwrap_or_default();
    assert!(!text.contains("pc-042"), "{text}");
}

#[test]
fn impact_of_the_application_and_its_dependencies() {
    let fx = Fixture::with_tickets();
    let doc = fx
        .run(["impact", "shop-app", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(dependents(&doc), set(&[("shop", 1)]));
    assert_eq!(ids(&doc["dependencies"]), ["shop-db", "db-01"]);
    // The open incident names the service `shop`, which depends on shop-app.
    assert_eq!(ids(&doc["incidents"]), ["INC-0001"]);
}

#[test]
fn impact_of_the_workstation_and_the_service_is_empty() {
    let fx = Fixture::with_tickets();
    let doc = fx
        .run(["impact", "pc-042", "--format", "json"])
        .code(0)
        .json();
    assert!(dependents(&doc).is_empty(), "{doc}");
    assert_eq!(ids(&doc["incidents"]), ["INC-0004"]);
    let doc = fx
        .run(["impact", "shop", "--format", "json"])
        .code(0)
        .json();
    assert!(dependents(&doc).is_empty(), "{doc}");
    assert_eq!(ids(&doc["services"]), ["shop"]);
    assert_eq!(ids(&doc["dependencies"]), ["shop-app", "shop-db", "db-01"]);
}

#[test]
fn impact_text_groups_by_class() {
    let fx = Fixture::with_tickets();
    let run = fx.run(["impact", "db-01"]);
    run.code(0);
    let out = &run.stdout;
    assert!(
        out.contains("Business services affected: shop (Web Shop)"),
        "{run}"
    );
    let service = out.find("service (business service)").unwrap_or(usize::MAX);
    let database = out.find("  database").unwrap_or(usize::MAX);
    assert!(service < database && database < usize::MAX, "{run}");
    assert!(out.contains("INC-0001"), "{run}");
}

#[test]
fn scheduled_changes_on_the_chain_are_listed() {
    let fx = Fixture::with_tickets();
    fx.write(
        "changes/CHG-0002.yaml",
        "\
id: CHG-0002
title: Upgrade shop-app
status: scheduled
created_at: 2026-11-20T09:00:00+01:00
requested_by: someone@example.com
type: normal
cis: [shop-app]
window: { start: 2026-11-25T22:00:00+01:00, end: 2026-11-25T23:00:00+01:00 }
",
    );
    let doc = fx
        .run(["impact", "db-01", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(ids(&doc["changes"]), ["CHG-0002"]);
    // Not on the chain of the workstation.
    let doc = fx
        .run(["impact", "pc-042", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(ids(&doc["changes"]), Vec::<&str>::new());
}

#[test]
fn impact_of_a_change_as_markdown_lists_the_services() {
    let fx = Fixture::with_tickets();
    let run = fx.run(["impact", "--change", "CHG-0001", "--format", "markdown"]);
    run.code(0);
    let md = &run.stdout;
    assert!(
        md.starts_with("### Impact of CHG-0001: Patch db-01"),
        "{run}"
    );
    assert!(md.contains("**CIs touched:** `db-01`"), "{run}");
    assert!(
        md.contains("**Business services affected:** Web Shop (`shop`)"),
        "{run}"
    );
    assert!(md.contains("| `shop-db` |"), "{run}");
    // Markdown-unsafe characters in names are escaped.
    assert!(md.contains("Shop \"Frontend\" &lt;app&gt;"), "{run}");
    assert!(md.contains("`INC-0001`"), "{run}");
    let doc = fx
        .run(["impact", "--change", "CHG-0001", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(doc["change"]["id"], "CHG-0001");
    assert_eq!(ids(&doc["cis"]), ["db-01"]);
}

#[test]
fn unknown_ids_are_usage_errors_with_a_suggestion() {
    let fx = Fixture::with_tickets();
    let run = fx.run(["impact", "db-1"]);
    run.code(2);
    assert!(
        run.stderr.contains("no configuration item with id `db-1`"),
        "{run}"
    );
    assert!(run.stderr.contains("did you mean `db-01`?"), "{run}");
    let run = fx.run(["impact", "--change", "CHG-0010"]);
    run.code(2);
    assert!(run.stderr.contains("did you mean `CHG-0001`?"), "{run}");
    fx.run(["impact", "INC-0001"]).code(2);
    let run = fx.run(["graph", "--from", "shop-ap"]);
    run.code(2);
    assert!(run.stderr.contains("did you mean `shop-app`?"), "{run}");
}

#[test]
fn a_depends_on_cycle_is_an_error_naming_the_cycle() {
    let fx = Fixture::new();
    fx.write(
        "cis/shop-db.yaml",
        "id: shop-db\nname: Shop Database\nclass: database\nstatus: active\nrelations:\n  hosted_on: [db-01]\n  depends_on: [shop]\n",
    );
    let run = fx.run(["validate"]);
    run.code(1);
    assert!(run.stderr.contains("relation-cycle"), "{run}");
    assert!(
        run.stderr
            .contains("cycle through `depends_on`: shop -> shop-app -> shop-db -> shop"),
        "{run}"
    );
    // Impact analysis still terminates on a cyclic graph.
    let doc = fx
        .run(["impact", "shop", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(dependents(&doc), set(&[("shop-db", 1), ("shop-app", 2)]));
}

#[test]
fn a_forbidden_class_pairing_is_an_error() {
    let fx = Fixture::new();
    fx.write(
        "cis/printer-1.yaml",
        "id: printer-1\nname: Floor printer\nclass: printer\nstatus: active\n",
    );
    fx.write(
        "cis/shop-app.yaml",
        "id: shop-app\nname: Shop app\nclass: application\nstatus: active\nrelations:\n  depends_on: [shop-db]\n  runs_on: [printer-1]\n",
    );
    let run = fx.run(["validate"]);
    run.code(1);
    assert!(run.stderr.contains("relation-class"), "{run}");
    assert!(
        run.stderr
            .contains("`runs_on` may not point at `printer-1`, a `printer` (allowed: server)"),
        "{run}"
    );
    assert!(run.stderr.contains("cis/shop-app.yaml"), "{run}");
}

#[test]
fn retired_cis_in_use_and_duplicate_names_are_warnings() {
    let fx = Fixture::with_tickets();
    fx.write(
        "cis/core-switch.yaml",
        "id: core-switch\nname: Core Switch\nclass: network_device\nstatus: retired\n",
    );
    fx.write(
        "cis/pc-043.yaml",
        "id: pc-043\nname: reception pc\nclass: workstation\nstatus: active\n",
    );
    let run = fx.run(["validate"]);
    run.code(0);
    assert!(run.stderr.contains("retired-ci"), "{run}");
    assert!(
        run.stderr
            .contains("its `connected_to` names `core-switch`, a retired CI"),
        "{run}"
    );
    assert!(run.stderr.contains("duplicate-ci-name"), "{run}");
    assert!(
        run.stderr
            .contains("`pc-043` has the same name as `pc-042`"),
        "{run}"
    );
}

#[test]
fn show_lists_similar_incidents_and_known_errors() {
    let fx = Fixture::with_tickets();
    let doc = fx
        .run(["show", "INC-0001", "--format", "json"])
        .code(0)
        .json();
    // Newest first: INC-0002 (same CI), then INC-0003 (same service and category).
    assert_eq!(ids(&doc["similar"]), ["INC-0002", "INC-0003"]);
    assert_eq!(doc["similar"][0]["resolution_code"], "fixed");
    assert_eq!(ids(&doc["known_errors"]), ["PRB-0001"]);
    let words = doc["known_errors"][0]["shared_words"].to_string();
    assert!(
        words.contains("checkout") && words.contains("times"),
        "{words}"
    );

    let run = fx.run(["show", "INC-0001"]);
    run.code(0);
    assert!(run.stdout.contains("Similar incidents"), "{run}");
    assert!(
        run.stdout.contains("Restarted the connection pool"),
        "{run}"
    );
    assert!(run.stdout.contains("Known errors"), "{run}");
    assert!(
        run.stdout
            .contains("workaround: Restart the connection pool"),
        "{run}"
    );

    // Not for other kinds.
    let doc = fx.run(["show", "db-01", "--format", "json"]).code(0).json();
    assert!(doc.get("similar").is_none(), "{doc}");
}

#[test]
fn graph_json_has_every_node_and_edge() {
    let fx = Fixture::new();
    let doc = fx.run(["graph", "--format", "json"]).code(0).json();
    assert_eq!(
        ids(&doc["nodes"]),
        [
            "core-switch",
            "db-01",
            "pc-042",
            "shop",
            "shop-app",
            "shop-db"
        ]
    );
    assert_eq!(doc["edges"].as_array().map(Vec::len), Some(4), "{doc}");
    let doc = fx
        .run([
            "graph", "--format", "json", "--from", "shop-db", "--depth", "1",
        ])
        .code(0)
        .json();
    assert_eq!(ids(&doc["nodes"]), ["db-01", "shop-app", "shop-db"]);
}

#[test]
fn graph_mermaid_starts_with_graph() {
    let fx = Fixture::new();
    let run = fx.run(["graph", "--format", "mermaid"]);
    run.code(0);
    assert!(run.stdout.starts_with("graph LR\n"), "{run}");
    assert!(
        run.stdout
            .contains("ci_shop_app -->|\"depends_on\"| ci_shop_db"),
        "{run}"
    );
    // Quotes and angle brackets in names are entity codes, not syntax.
    assert!(
        run.stdout.contains("Shop #quot;Frontend#quot; #lt;app#gt;"),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("ci_db_01 -.->|\"connected_to\"| ci_core_switch"),
        "{run}"
    );
}

#[test]
fn graph_dot_is_accepted_by_graphviz() {
    let fx = Fixture::new();
    let run = fx.run(["graph"]);
    run.code(0);
    assert!(run.stdout.starts_with("digraph cmdb {"), "{run}");
    assert!(run.stdout.contains("\"shop-app\" -> \"shop-db\""), "{run}");
    assert!(run.stdout.contains(r#"Shop \"Frontend\" <app>"#), "{run}");

    if common::require_tool(&["dot"], "apt-get install graphviz").is_none() {
        return;
    }
    let dot_file = fx.tmp.path().join("cmdb.dot");
    std::fs::write(&dot_file, &run.stdout).expect("write dot");
    let out = Command::new("dot")
        .arg("-Tsvg")
        .arg(&dot_file)
        .output()
        .expect("dot runs");
    assert!(
        out.status.success(),
        "dot -Tsvg rejected the output:\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        run.stdout
    );
    let svg = String::from_utf8_lossy(&out.stdout);
    assert!(svg.contains("<svg"), "{svg}");
    assert!(svg.contains("Web Shop"), "{svg}");
}
