//! Embeds `example-repo/` so that `gitsm init --example` writes the same
//! managed repository the project ships and tests, and dates the man pages.

use std::fmt::Write as _;
use std::path::Path;

fn collect(dir: &Path, base: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(&p, base, out);
        } else if (p
            .extension()
            .is_some_and(|e| e == "yaml" || e == "json" || e == "md")
            // The demo signing keys, so that `init --example` can approve.
            || p.parent().is_some_and(|d| d.ends_with("keys")))
            && let Ok(rel) = p.strip_prefix(base)
        {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo");
    println!("cargo::rerun-if-changed=example-repo");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    let mut code = String::from(
        "/// Files of `example-repo/`: (path, contents).\npub(super) const FILES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        let _ = writeln!(
            code,
            "    ({f:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/example-repo/{f}\"))),"
        );
    }
    code.push_str("];\n");
    let out =
        Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("example_repo.rs");
    if let Err(e) = std::fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
    man_date();
}

/// `GITSM_MAN_DATE`, the date in the man pages' header: the day of the
/// commit built (`YYYY-MM-DD`), so that the pages are the same on every
/// machine and change with the sources, not with the clock. Empty outside
/// a Git checkout.
fn man_date() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    for moved in [".git/HEAD", ".git/logs/HEAD"] {
        if manifest.join(moved).is_file() {
            println!("cargo::rerun-if-changed={moved}");
        }
    }
    let date = std::process::Command::new("git")
        .arg("-C")
        .arg(manifest)
        .args(["log", "-1", "--format=%cs"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default();
    println!("cargo::rustc-env=GITSM_MAN_DATE={date}");
}
