//! Renderers for diagnostics: text for people; JSON, GitHub workflow
//! commands, JUnit XML and SARIF for machines.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::diagnostic::{Diagnostic, Severity, Summary};

use super::context::CommandContext;
use super::ui::{BOLD, DIM, ERROR, HINT, WARNING, plural, terminal_safe};

/// How `validate` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DiagnosticFormat {
    #[default]
    Text,
    Json,
    Github,
    Junit,
    Sarif,
}

/// A value on one line: a string up to its first line break (then `…`),
/// a list of scalars comma-separated (of mappings: how many), a mapping
/// as `k=v` pairs.
pub(crate) fn inline(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) if !s.contains('\n') => s.clone(),
        serde_json::Value::String(s) => format!("{} …", s.lines().next().unwrap_or_default()),
        serde_json::Value::Array(items) if items.iter().all(|i| !i.is_object()) => {
            items.iter().map(inline).collect::<Vec<_>>().join(", ")
        }
        serde_json::Value::Array(items) => format!("{} entries", items.len()),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}={}", inline(v)))
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// Human-readable diagnostics, with the offending line and a caret.
pub(super) fn text(
    diags: &[Diagnostic],
    root: &Path,
    cx: &CommandContext,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    text_of(diags, root, cx, None, w)
}

/// [`text`], with the lines of `proposed` (a path and the text it would
/// hold) instead of the file on disk: diagnostics about an edit that was
/// not written. The one renderer of diagnostics for people.
pub(super) fn text_of(
    diags: &[Diagnostic],
    root: &Path,
    cx: &CommandContext,
    proposed: Option<(&Path, &str)>,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let mut sources: HashMap<PathBuf, Option<Vec<String>>> = HashMap::new();
    // `-q` prints errors and the data asked for, nothing else.
    for d in diags.iter().filter(|d| !cx.quiet || d.is_error()) {
        let (label, style) = match d.severity {
            Severity::Error => ("error", ERROR),
            Severity::Warning => ("warning", WARNING),
        };
        writeln!(
            w,
            "{style}{label}[{}]{style:#}{BOLD}: {}{BOLD:#}",
            d.code,
            terminal_safe(&d.message)
        )?;
        let Some(path) = &d.path else {
            continue;
        };
        // A file name is the repository's to choose: written out like text.
        let shown = terminal_safe(&cx.show_path(root, path)).into_owned();
        let commit = d
            .commit
            .as_deref()
            .map(|c| format!(" (commit {c})"))
            .unwrap_or_default();
        if d.line == 0 {
            writeln!(w, "  {DIM}-->{DIM:#} {shown}{commit}")?;
        } else {
            writeln!(
                w,
                "  {DIM}-->{DIM:#} {shown}:{}:{}{commit}",
                d.line, d.column
            )?;
            // A finding in a past commit: the work tree may read otherwise.
            let lines = sources.entry(path.clone()).or_insert_with(|| {
                if d.commit.is_some() {
                    return None;
                }
                let text = match proposed {
                    Some((p, text)) if p == path.as_path() => Some(text.to_owned()),
                    _ => std::fs::read_to_string(root.join(path)).ok(),
                };
                text.map(|t| t.lines().map(String::from).collect())
            });
            if let Some(line) = lines.as_ref().and_then(|l| l.get(d.line as usize - 1))
                && line.len() <= 400
            {
                let number = d.line.to_string();
                let pad = " ".repeat(number.len());
                writeln!(w, "{DIM}{pad} |{DIM:#}")?;
                writeln!(w, "{DIM}{number} |{DIM:#} {}", terminal_safe(line))?;
                let caret_pad = caret_pad(line, d.column);
                writeln!(w, "{DIM}{pad} |{DIM:#} {caret_pad}{style}^{style:#}")?;
            }
        }
        if let Some(h) = &d.hint {
            writeln!(w, "  {HINT}= hint{HINT:#}: {}", terminal_safe(h))?;
        }
    }
    Ok(())
}

/// What goes before the caret under `column` (1-based, in code points) of
/// `line` as shown: tabs kept, every other character as many spaces as the
/// columns it takes on a terminal (two for a wide one), control characters
/// as they are written out.
fn caret_pad(line: &str, column: u32) -> String {
    let before: String = line
        .chars()
        .take(column.saturating_sub(1) as usize)
        .collect();
    // Widths of whole runs, not of characters one by one, so that
    // sequences (a joiner between emoji) are measured as they show.
    terminal_safe(&before)
        .split('\t')
        .map(|run| " ".repeat(unicode_width::UnicodeWidthStr::width(run)))
        .collect::<Vec<_>>()
        .join("\t")
}

/// The one-line summary after a validation of `what` (e.g. "12 records").
pub(super) fn summary_line(summary: Summary, what: &str) -> String {
    format!(
        "checked {what}: {}, {}",
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning")
    )
}

/// Paths as CI systems want them: relative to the repository's top level.
pub(super) struct Paths {
    pub prefix: PathBuf,
}

impl Paths {
    pub(super) fn show(&self, rel: &Path) -> String {
        self.prefix.join(rel).to_string_lossy().replace('\\', "/")
    }
}

pub(super) fn json(diags: &[Diagnostic], records: usize, paths: &Paths) -> String {
    let summary = Summary::of(diags);
    let items: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let mut v = serde_json::to_value(d).unwrap_or_default();
            if let (Some(p), Some(obj)) = (&d.path, v.as_object_mut()) {
                obj.insert("path".into(), json!(paths.show(p)));
            }
            v
        })
        .collect();
    let doc = json!({
        "ok": summary.errors == 0,
        "records": records,
        "errors": summary.errors,
        "warnings": summary.warnings,
        "diagnostics": items,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn github_escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn github_escape_property(s: &str) -> String {
    github_escape_data(s)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// GitHub Actions workflow commands. The runner shows only the first ten
/// annotations of a kind, so a final summary names the totals and every file.
pub(super) fn github(diags: &[Diagnostic], records: usize, paths: &Paths) -> String {
    let mut out = String::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let Some(p) = &d.path {
            props.push(format!("file={}", github_escape_property(&paths.show(p))));
            if d.line > 0 {
                props.push(format!("line={}", d.line));
                props.push(format!("col={}", d.column));
            }
        }
        props.push(format!(
            "title={}",
            github_escape_property(&format!("gitsm {}", d.code))
        ));
        let mut message = d.message.clone();
        if let Some(h) = &d.hint {
            message.push_str(&format!("\nhint: {h}"));
        }
        out.push_str(&format!(
            "::{level} {}::{}\n",
            props.join(","),
            github_escape_data(&message)
        ));
    }
    let summary = Summary::of(diags);
    let mut by_file: BTreeMap<String, usize> = BTreeMap::new();
    for d in diags {
        *by_file
            .entry(
                d.path
                    .as_deref()
                    .map_or_else(|| "-".into(), |p| paths.show(p)),
            )
            .or_default() += 1;
    }
    let files: Vec<String> = by_file.iter().map(|(f, n)| format!("{f} ({n})")).collect();
    let line = format!(
        "gitsm validate: {}{}",
        summary_line(
            summary,
            &format!("{records} record{}", if records == 1 { "" } else { "s" })
        ),
        if files.is_empty() {
            String::new()
        } else {
            format!(" in {}", files.join(", "))
        }
    );
    let level = if summary.errors > 0 {
        "error"
    } else {
        "notice"
    };
    out.push_str(&format!(
        "::{level} title=gitsm validate summary::{}\n",
        github_escape_data(&line)
    ));
    out
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no way to write these, not even as a character
            // reference: they are written out as text (`\x1b`).
            c if !xml_char(c) => out.push_str(&crate::markup::written_out(c)),
            c => out.push(c),
        }
    }
    out
}

/// [`xml_escape`] for an attribute value: line breaks and tabs as
/// character references, which a parser would otherwise turn into spaces.
fn xml_attr(s: &str) -> String {
    xml_escape(s)
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

/// A character XML 1.0 allows in a document (its `Char` production).
fn xml_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// JUnit XML: one test case per record file, named by its path; each error
/// is a failure. Only what Jenkins' JUnit XSD allows (no `file` attribute).
pub(super) fn junit(diags: &[Diagnostic], files: &[PathBuf], paths: &Paths) -> String {
    let mut by_file: BTreeMap<String, Vec<&Diagnostic>> = BTreeMap::new();
    for f in files {
        by_file.entry(paths.show(f)).or_default();
    }
    for d in diags {
        let key = d
            .path
            .as_deref()
            .map_or_else(|| "gitsm".into(), |p| paths.show(p));
        by_file.entry(key).or_default().push(d);
    }
    let failures = by_file
        .values()
        .filter(|ds| ds.iter().any(|d| d.is_error()))
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"gitsm validate\" tests=\"{}\" failures=\"{failures}\">\n  <testsuite name=\"gitsm validate\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">\n",
        by_file.len(),
        by_file.len()
    ));
    for (file, ds) in &by_file {
        out.push_str(&format!(
            "    <testcase classname=\"gitsm\" name=\"{}\"",
            xml_attr(file)
        ));
        let errors: Vec<&&Diagnostic> = ds.iter().filter(|d| d.is_error()).collect();
        let warnings: Vec<&&Diagnostic> = ds.iter().filter(|d| !d.is_error()).collect();
        if errors.is_empty() && warnings.is_empty() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        let describe = |d: &Diagnostic| {
            format!(
                "{}:{}:{}: [{}] {}",
                file, d.line, d.column, d.code, d.message
            )
        };
        if !errors.is_empty() {
            let body: Vec<String> = errors.iter().map(|d| describe(d)).collect();
            out.push_str(&format!(
                "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                xml_attr(&errors[0].message),
                errors[0].code,
                xml_escape(&body.join("\n"))
            ));
        }
        if !warnings.is_empty() {
            let body: Vec<String> = warnings.iter().map(|d| describe(d)).collect();
            out.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                xml_escape(&body.join("\n"))
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// SARIF 2.1.0, for code-scanning dashboards: each rule with its
/// descriptions and help ([`crate::rules`]), relative percent-encoded
/// URIs, columns in Unicode code points (as gitsm counts them), a
/// fingerprint per finding, and the commit of a finding in history.
pub(super) fn sarif(diags: &[Diagnostic], paths: &Paths) -> String {
    let mut codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<serde_json::Value> = codes
        .iter()
        .map(|code| match crate::rules::of(code) {
            Some(rule) => json!({
                "id": code,
                "name": rule.name(),
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": format!("{} {}", rule.summary, rule.help) },
                "help": {
                    "text": rule.help,
                    "markdown": format!("**{}**\n\n{}", rule.summary, rule.help),
                },
            }),
            None => json!({ "id": code, "shortDescription": { "text": code } }),
        })
        .collect();
    let results: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let mut message = d.message.clone();
            if let Some(h) = &d.hint {
                message.push_str(&format!(" (hint: {h})"));
            }
            let mut result = json!({
                "ruleId": d.code,
                "ruleIndex": codes.binary_search(&d.code).unwrap_or(0),
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": { "text": message },
            });
            let shown = d.path.as_deref().map(|p| paths.show(p));
            if let Some(shown) = &shown {
                let mut physical = json!({ "artifactLocation": { "uri": percent_encode_path(shown) } });
                if d.line > 0 {
                    physical["region"] = json!({ "startLine": d.line, "startColumn": d.column.max(1) });
                }
                result["locations"] = json!([{ "physicalLocation": physical }]);
            }
            // Stable across runs and unrelated edits: the rule, the file and
            // the message (not the line, which moves).
            let print = crate::git::blob_id(
                format!("{}\0{}\0{}", d.code, shown.as_deref().unwrap_or(""), d.message).as_bytes(),
            )
            .map(|oid| oid.to_string())
            .unwrap_or_default();
            result["partialFingerprints"] = json!({ "gitsmFinding/v1": print });
            if let Some(commit) = &d.commit {
                result["properties"] = json!({ "commit": commit });
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "gitsm",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// A relative path as a URI reference: every byte but unreserved ones and
/// `/` percent-encoded (`INC 0101.yaml` → `INC%200101.yaml`).
fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes_properties_and_data() {
        assert_eq!(github_escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(github_escape_data("x\ny"), "x%0Ay");
    }

    #[test]
    fn attribute_values_keep_their_line_breaks() {
        assert_eq!(xml_attr("a\nb\tc\"d"), "a&#10;b&#9;c&quot;d");
    }

    #[test]
    fn xml_escapes_markup() {
        assert_eq!(
            xml_escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
    }

    #[test]
    fn the_caret_stands_under_the_column_after_wide_characters() {
        assert_eq!(caret_pad("impact: urgent", 9), " ".repeat(8));
        // 🔥 and 漢 take two columns each on a terminal.
        assert_eq!(caret_pad("t: 🔥漢 x", 7), " ".repeat(8));
        assert_eq!(caret_pad("\tk: v", 5), "\t   ");
    }

    #[test]
    fn sarif_uris_are_percent_encoded() {
        assert_eq!(
            percent_encode_path("incidents/INC 0101 é#?.yaml"),
            "incidents/INC%200101%20%C3%A9%23%3F.yaml"
        );
    }

    #[test]
    fn characters_xml_cannot_hold_are_written_out() {
        assert_eq!(
            xml_escape("a\u{1b}[2J\u{0}b\u{fffe}\tc\u{7f}é"),
            "a\\x1b[2J\\x00b\\ufffe\tc\u{7f}é"
        );
    }
}
