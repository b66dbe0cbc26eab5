//! `gitsm set <ID> k=v…`: change fields of a record in place. Also the
//! output and error rendering that `transition` and `link` share.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use serde_json::Value;

use crate::assign::Assignment;
use crate::diagnostic::{Diagnostic, Severity};
use crate::update::{self, FieldChange, UpdateError, Updated};

use super::super::CliError;
use super::super::filters::{Filters, TeamFilter, targets};
use super::super::ui::{BOLD, DIM, ERROR, HINT, Ui, WARNING, stdout_write};

/// Set fields of a record in place, keeping its comments and layout
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The edited record is validated (schema, state requirements, history rules, \
references) before it is written; on any error nothing is written. `status` \
changes only with `gitsm transition`. A list field takes a comma-separated \
value and replaces the list. An empty value (`k=`) is refused: fields are not \
removed by gitsm. `assignee=me` is you (your Git email, mapped through \
`people`). When impact or urgency change, `priority` follows the matrix \
(unless `priority_override` records another, with a reason).

Examples:
  gitsm set INC-0042 resolution.code=fixed 'resolution.notes=Rebooted the switch'
  gitsm set INC-0042 affected_cis=web,db support_level=2
  gitsm set INC-0042 assignee=me impact=high urgency=high
  gitsm set CHG-0007 window.start=2030-01-01T02:00:00Z window.end=2030-01-01T04:00:00Z")]
pub struct Args {
    /// Record ids (e.g. INC-0042 or payments-api), then the fields to set:
    /// dotted keys (resolution.code=fixed), lists comma-separated (cis=web,db)
    #[arg(value_name = "ID... KEY=VALUE", required = true, num_args = 1..)]
    #[arg(add = crate::cli::complete::record_id())]
    pub args: Vec<String>,
    #[command(flatten)]
    pub filters: Filters,
    #[command(flatten)]
    pub team: TeamFilter,
    /// Output format
    #[arg(long, value_enum, default_value_t = EditFormat::Text)]
    pub format: EditFormat,
}

/// How the editing commands report what they changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EditFormat {
    Text,
    Json,
}

pub fn run(ui: &Ui, args: Args) -> Result<ExitCode, CliError> {
    let ws = ui.workspace()?;
    let now = super::new::now_for(&ws.config)?;
    let person = super::new::current_person(&ws);
    let (assignments, ids): (Vec<&String>, Vec<&String>) =
        args.args.iter().partition(|a| a.contains('='));
    let assignments = assignments
        .iter()
        .map(|a| a.parse::<Assignment>().map_err(CliError::usage))
        .collect::<Result<Vec<_>, _>>()?;
    if assignments.is_empty() {
        return Err(CliError::usage_hint(
            "nothing to set",
            "give fields as KEY=VALUE after the ids, e.g. gitsm set INC-0042 assignee=me",
        ));
    }
    let ids: Vec<String> = ids.into_iter().cloned().collect();
    let targets = targets(ui, &ws, &ids, &args.filters, &args.team, None)?;
    let updated = update::set_all(&ws, &targets, &assignments, person.as_deref(), now)
        .map_err(|e| refusal(ui, &ws.root, e))?;
    if args.format == EditFormat::Json {
        return match updated.as_slice() {
            [one] => print_json(one),
            many => print_json(&many),
        }
        .map(|()| ExitCode::SUCCESS);
    }
    for u in &updated {
        let headline = if u.written {
            format!("{}: updated", u.id)
        } else {
            format!("{}: nothing to change", u.id)
        };
        print_text(ui, &ws.root, &headline, &u.path, Some(u))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(super) fn print_json(doc: &impl serde::Serialize) -> Result<(), CliError> {
    let mut json = serde_json::to_string_pretty(doc).map_err(|e| CliError::io("JSON", e))?;
    json.push('\n');
    stdout_write(&json)
}

/// `headline (path)` and a line per field changed, unless `-q`; warnings
/// about the new version first.
pub(super) fn print_text(
    ui: &Ui,
    root: &Path,
    headline: &str,
    path: &Path,
    updated: Option<&Updated>,
) -> Result<(), CliError> {
    if ui.quiet {
        return Ok(());
    }
    let mut s = format!("{headline} ({})\n", ui.show_path(root, path));
    if let Some(updated) = updated {
        ui.print_diagnostics(&updated.warnings);
        if updated.written {
            // The headline of a transition says where `status` went.
            for c in updated.changes.iter().filter(|c| c.field != "status") {
                s.push_str(&change_line(c));
            }
        }
    }
    stdout_write(&s)
}

/// `  resolution.code: fixed`, `  notes: + at=… by=… text=…`.
fn change_line(c: &FieldChange) -> String {
    let value = inline(&c.value);
    let you = if c.implied && c.field == "assignee" {
        " (you)"
    } else {
        ""
    };
    let plus = if c.append { "+ " } else { "" };
    format!("  {}: {plus}{value}{you}\n", c.field)
}

fn inline(v: &Value) -> String {
    match v {
        Value::String(s) if !s.contains('\n') => s.clone(),
        Value::String(s) => format!("{} …", s.lines().next().unwrap_or_default()),
        Value::Array(items) => items.iter().map(inline).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}={}", inline(v)))
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// The command error for a refused change, with its diagnostics printed:
/// exit 2 for a wrong argument, 1 when the record or its workflow refuses.
pub(crate) fn refusal(ui: &Ui, root: &Path, e: UpdateError) -> CliError {
    match e {
        UpdateError::Usage { message, hint } => CliError::Usage { message, hint },
        UpdateError::Io { path, source } => CliError::io(ui.show_path(root, &path), source),
        UpdateError::Transition {
            ref from,
            ref allowed,
            ..
        } => {
            let hint = if allowed.is_empty() {
                format!("`{from}` is a terminal state: nothing may follow it")
            } else {
                format!(
                    "from `{from}` it may move to {}",
                    allowed
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            failed(&e.to_string(), Some(&hint))
        }
        UpdateError::Refused { message, hint } => failed(&message, hint.as_deref()),
        UpdateError::Unsafe { path, source } => failed(
            &format!("cannot edit {} safely: {source}", ui.show_path(root, &path)),
            Some("nothing was changed; gitsm edits only what it can write back exactly"),
        ),
        UpdateError::Invalid {
            ref path,
            ref proposed,
            ref diagnostics,
        } => {
            print_proposed(ui, root, path, proposed, diagnostics);
            failed(
                &format!(
                    "{} was not changed: the edit would not validate (lines above are of the edited version)",
                    ui.show_path(root, path)
                ),
                None,
            )
        }
    }
}

/// Print `error:`/`hint:` now and return an exit-1 error with nothing
/// more to print.
fn failed(message: &str, hint: Option<&str>) -> CliError {
    super::super::ui::error_line(message, hint);
    CliError::Failed(String::new())
}

/// Diagnostics about an edit that was not written, shown with the lines of
/// the edited text (the file on disk still holds the old one).
fn print_proposed(ui: &Ui, root: &Path, path: &Path, proposed: &str, diags: &[Diagnostic]) {
    let mut err = anstream::stderr().lock();
    for d in diags {
        let (label, style) = match d.severity {
            Severity::Error => ("error", ERROR),
            Severity::Warning => ("warning", WARNING),
        };
        let _ = writeln!(
            err,
            "{style}{label}[{}]{style:#}{BOLD}: {}{BOLD:#}",
            d.code, d.message
        );
        if let Some(p) = &d.path {
            let shown = ui.show_path(root, p);
            if d.line == 0 {
                let _ = writeln!(err, "  {DIM}-->{DIM:#} {shown}");
            } else {
                let _ = writeln!(err, "  {DIM}-->{DIM:#} {shown}:{}:{}", d.line, d.column);
                let source = if p == path {
                    Some(proposed.to_owned())
                } else {
                    std::fs::read_to_string(root.join(p)).ok()
                };
                let line = source
                    .as_deref()
                    .and_then(|s| s.lines().nth(d.line as usize - 1).map(str::to_owned));
                if let Some(line) = line.filter(|l| l.len() <= 400) {
                    let number = d.line.to_string();
                    let pad = " ".repeat(number.len());
                    let caret_pad: String = line
                        .chars()
                        .take(d.column.saturating_sub(1) as usize)
                        .map(|c| if c == '\t' { '\t' } else { ' ' })
                        .collect();
                    let _ = writeln!(err, "{DIM}{pad} |{DIM:#}");
                    let _ = writeln!(err, "{DIM}{number} |{DIM:#} {line}");
                    let _ = writeln!(err, "{DIM}{pad} |{DIM:#} {caret_pad}{style}^{style:#}");
                }
            }
        }
        if let Some(h) = &d.hint {
            let _ = writeln!(err, "  {HINT}= hint{HINT:#}: {h}");
        }
    }
}
