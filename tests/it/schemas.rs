//! The committed JSON Schemas are exactly what the code generates, and they
//! are valid draft 2020-12 schemas that accept the example organisation.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::Sandbox;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json_files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect()
}

/// Generate the schemas into a fresh folder and return it (with its sandbox).
fn generated() -> (Sandbox, PathBuf) {
    let sb = Sandbox::new();
    let cwd = sb.dir("work");
    let out = cwd.join("out");
    sb.gitsm(&cwd, ["schema", "-o", "out"]).expect_code(0);
    (sb, out)
}

#[track_caller]
fn assert_same_schemas(committed: &Path, generated: &Path) {
    let want = json_files(committed);
    let got = json_files(generated);
    assert!(!got.is_empty(), "gitsm schema -o wrote no files");
    assert_eq!(
        want,
        got,
        "{} and the generated schemas are different sets of files; run `gitsm schema -o {}`",
        committed.display(),
        committed.display()
    );
    for name in &want {
        let a = std::fs::read(committed.join(name)).expect("committed schema");
        let b = std::fs::read(generated.join(name)).expect("generated schema");
        assert!(
            a == b,
            "{}/{name} differs from what the code generates; run `gitsm schema -o {}`",
            committed.display(),
            committed.display()
        );
    }
}

#[test]
fn committed_schemas_match_the_code() {
    let (_sb, out) = generated();
    assert_same_schemas(&manifest_dir().join("schemas"), &out);
}

#[test]
fn example_repo_schemas_match_the_code() {
    let dir = manifest_dir().join("example-repo/schemas");
    if !dir.is_dir() {
        eprintln!("note: example-repo/schemas does not exist; nothing to compare");
        return;
    }
    let (_sb, out) = generated();
    assert_same_schemas(&dir, &out);
}

#[test]
fn init_writes_the_generated_schemas() {
    let sb = Sandbox::new();
    let root = sb.git_repo("r");
    sb.gitsm(&root, ["init"]).expect_code(0);
    let (_sb2, out) = generated();
    assert_same_schemas(&root.join("schemas"), &out);
}

#[test]
fn every_schema_is_draft_2020_12_json() {
    let dir = manifest_dir().join("schemas");
    let names = json_files(&dir);
    for kind in ["incident", "problem", "change", "request", "ci"] {
        assert!(
            names.contains(&format!("{kind}.schema.json")),
            "schemas/{kind}.schema.json is missing"
        );
    }
    assert!(
        names.contains("gitsm.schema.json"),
        "schemas/gitsm.schema.json is missing"
    );
    for name in names {
        let text = std::fs::read_to_string(dir.join(&name)).expect("schema");
        let doc: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("schemas/{name} is not JSON: {e}"));
        assert_eq!(
            doc["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "schemas/{name}"
        );
    }
}

/// Every place in `v` an editor would show nothing: a property without a
/// description, an enum value without one, a `"default": null` (after
/// which yaml-language-server lists no more properties).
fn undocumented(v: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(props)) = map.get("properties") {
                for (name, prop) in props {
                    if prop["description"].as_str().is_none_or(str::is_empty) {
                        out.push(format!("{at}/properties/{name}: no description"));
                    }
                }
            }
            if let Some(values) = map.get("enum").and_then(|e| e.as_array()) {
                let described = map["enumDescriptions"].as_array().map_or(0, Vec::len);
                if described != values.len() {
                    out.push(format!(
                        "{at}: {} enum values, {described} described",
                        values.len()
                    ));
                }
            }
            if map.get("default") == Some(&serde_json::Value::Null) {
                out.push(format!("{at}: default null"));
            }
            for (k, child) in map {
                undocumented(child, &format!("{at}/{k}"), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                undocumented(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_property_and_enum_value_is_described_for_editors() {
    let dir = manifest_dir().join("schemas");
    let mut ids = BTreeSet::new();
    for name in json_files(&dir) {
        let text = std::fs::read_to_string(dir.join(&name)).expect("schema");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let mut gaps = Vec::new();
        undocumented(&doc, "", &mut gaps);
        assert!(gaps.is_empty(), "schemas/{name}:\n{}", gaps.join("\n"));
        let id = doc["$id"]
            .as_str()
            .unwrap_or_else(|| panic!("schemas/{name} has no $id"));
        assert!(ids.insert(id.to_owned()), "two schemas share the $id {id}");
    }
    assert_eq!(ids.len(), 7, "{ids:?}");
}

#[test]
fn schema_prints_one_schema_and_refuses_unknown_names() {
    let sb = Sandbox::new();
    let cwd = sb.dir("w");
    let run = sb.gitsm(&cwd, ["schema", "incident"]);
    run.expect_code(0);
    let committed = std::fs::read_to_string(manifest_dir().join("schemas/incident.schema.json"))
        .expect("schema");
    assert_eq!(run.stdout, committed);
    sb.gitsm(&cwd, ["schema", "incidnet"]).expect_code(2);
}

// ---------------------------------------------------------------- check-jsonschema

/// `check-jsonschema` when it is on PATH; `None` (with a note) otherwise, or
/// a failure when GITSM_REQUIRE_TOOLS=1.
fn check_jsonschema() -> Option<&'static str> {
    common::require_tool(&["check-jsonschema"], "pip install check-jsonschema")
        .map(|_| "check-jsonschema")
}

#[track_caller]
fn run_tool(tool: &str, args: &[&std::ffi::OsStr]) {
    let out = Command::new(tool)
        .args(args)
        .current_dir(manifest_dir())
        .output()
        .expect("check-jsonschema starts");
    assert!(
        out.status.success(),
        "{tool} {args:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn schemas_pass_the_metaschema() {
    let Some(tool) = check_jsonschema() else {
        return;
    };
    let dir = manifest_dir().join("schemas");
    let files: Vec<PathBuf> = json_files(&dir).into_iter().map(|n| dir.join(n)).collect();
    let mut args: Vec<&std::ffi::OsStr> = vec!["--check-metaschema".as_ref()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    run_tool(tool, &args);
}

fn yaml_below(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_below(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
}

#[test]
fn example_records_pass_their_schemas() {
    let Some(tool) = check_jsonschema() else {
        return;
    };
    let root = manifest_dir();
    let example = root.join("example-repo");
    let mut checked = 0;
    for (kind, folder) in [
        ("incident", "incidents"),
        ("problem", "problems"),
        ("change", "changes"),
        ("request", "requests"),
        ("ci", "cis"),
    ] {
        let mut files = Vec::new();
        yaml_below(&example.join(folder), &mut files);
        files.sort();
        if files.is_empty() {
            continue;
        }
        let schema = root.join(format!("schemas/{kind}.schema.json"));
        let mut args: Vec<&std::ffi::OsStr> = vec!["--schemafile".as_ref(), schema.as_os_str()];
        args.extend(files.iter().map(|f| f.as_os_str()));
        run_tool(tool, &args);
        checked += files.len();
    }
    let config = example.join("gitsm.yaml");
    if config.is_file() {
        let schema = root.join("schemas/gitsm.schema.json");
        run_tool(
            tool,
            &[
                "--schemafile".as_ref(),
                schema.as_os_str(),
                config.as_os_str(),
            ],
        );
        checked += 1;
    }
    assert!(checked > 0, "example-repo has nothing to check");
}

#[test]
fn schemas_reject_what_gitsm_rejects() {
    // The schema files are the contract editors see: a wrong enum value fails
    // there too, not only in gitsm.
    let Some(tool) = check_jsonschema() else {
        return;
    };
    let sb = Sandbox::new();
    let dir = sb.dir("w");
    let bad = common::write_file(
        &dir,
        "INC-0001.yaml",
        common::VALID_INCIDENT.replace("impact: high", "impact: urgent"),
    );
    let good = common::write_file(
        &dir,
        "INC-0002.yaml",
        common::VALID_INCIDENT.replace("INC-0001", "INC-0002"),
    );
    let schema = manifest_dir().join("schemas/incident.schema.json");
    run_tool(
        tool,
        &[
            "--schemafile".as_ref(),
            schema.as_os_str(),
            good.as_os_str(),
        ],
    );
    let out = Command::new(tool)
        .args(["--schemafile".as_ref(), schema.as_os_str(), bad.as_os_str()])
        .output()
        .expect("starts");
    assert!(
        !out.status.success(),
        "the incident schema accepts impact: urgent"
    );
}
