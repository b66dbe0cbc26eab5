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

/// `GITSM_MAN_DATE`, the date in the man pages' header, never from the
/// clock so that the pages are the same on every machine:
/// `SOURCE_DATE_EPOCH` when set (reproducible builds), else the day of the
/// commit built when this package is the top of a Git checkout, else the
/// epoch (a package built outside Git; an empty date would shift the
/// header's fields).
fn man_date() {
    println!("cargo::rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(manifest)
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let ours =
        git(&["rev-parse", "--show-toplevel"]).is_some_and(|top| Path::new(&top) == manifest);
    if ours && let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        for moved in ["HEAD", "logs/HEAD"] {
            let path = Path::new(&dir).join(moved);
            if path.is_file() {
                println!("cargo::rerun-if-changed={}", path.display());
            }
        }
    }
    let days = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map(|secs| secs.div_euclid(86_400));
    let date = match days {
        Some(days) => civil(days),
        None if ours => git(&["log", "-1", "--format=%cs"]).unwrap_or_else(|| civil(0)),
        None => civil(0),
    };
    println!("cargo::rustc-env=GITSM_MAN_DATE={date}");
}

/// `YYYY-MM-DD` of `days` since 1970-01-01 (proleptic Gregorian; Howard
/// Hinnant's civil-from-days).
fn civil(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
