//! `gitsm new <kind>`: create the next record from defaults.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{Datelike, SecondsFormat};
use serde_json::{Map, Value, json};

use crate::assign::Assignment;
use crate::config::Layout;
use crate::diagnostic::Diagnostic;
use crate::git;
use crate::ids;
use crate::kind::Kind;
use crate::model::Record;
use crate::records;
use crate::workspace::Workspace;

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::ui::stdout_write;

/// Create a record and print its path
#[derive(Debug, clap::Args)]
#[command(
    after_help = "A template fills in fields first (`templates.<kind>.<name>` in gitsm.yaml; for a change, a `standard_changes` entry makes it a standard change with its title, risk, plans and CIs); --title and --set override them.\n\nExamples:\n  gitsm new incident --title 'VPN down' --set impact=high --set urgency=high\n  gitsm new incident --template printer-jam --set service=workplace-services\n  gitsm new change --template restart-app-server --set window.start=...\n  gitsm new change --title 'Upgrade db' --set type=normal --set cis=orders-db\n  gitsm new ci --title 'Payments API' --set class=application"
)]
pub struct Args {
    /// incident, problem, change, request or ci
    #[arg(add = crate::cli::complete::kind())]
    pub kind: Kind,
    /// Title of the ticket (the name of a CI) [default: the template's]
    #[arg(long)]
    pub title: Option<String>,
    /// Start from this template's fields (see below)
    #[arg(long, value_name = "NAME")]
    pub template: Option<String>,
    /// Set a field: dotted keys (window.start=...), lists comma-separated (cis=web,db)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<Assignment>,
    /// Open the new file in $VISUAL / $EDITOR, then check it
    #[arg(long)]
    pub edit: bool,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let kind = args.kind;
    let now = cx.now_in(&ws.config)?;
    let stamp = Value::String(now.to_rfc3339_opts(SecondsFormat::Secs, true));
    let template = match &args.template {
        Some(name) => Some(ws.config.template(kind, name).ok_or_else(|| {
            let names = ws.config.template_names(kind);
            let hint = crate::suggest::closest(name, names.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| {
                    format!(
                        "templates of {}s are listed under `templates.{}` in gitsm.yaml",
                        kind.name(),
                        kind.name()
                    )
                });
            CommandError::usage_hint(format!("no {} template `{name}`", kind.name()), hint)
        })?),
        None => None,
    };
    let title = args
        .title
        .clone()
        .or_else(|| {
            template
                .as_ref()
                .and_then(|t| t.get("title").and_then(Value::as_str).map(str::to_owned))
        })
        .ok_or_else(|| {
            CommandError::usage("give the new record a --title (or a --template that has one)")
        })?;
    let mut doc = Map::new();
    if kind == Kind::Ci {
        doc.insert("id".into(), json!(ids::slug(&title)));
        doc.insert("name".into(), json!(title));
        doc.insert("class".into(), json!("application"));
        doc.insert(
            "status".into(),
            json!(ws.config.kind_workflow(kind).initial),
        );
    } else {
        doc.insert("id".into(), Value::Null);
        doc.insert("title".into(), json!(title));
        doc.insert(
            "status".into(),
            json!(ws.config.kind_workflow(kind).initial),
        );
        doc.insert("created_at".into(), stamp);
        let who_field = if matches!(kind, Kind::Change | Kind::Request) {
            "requested_by"
        } else {
            "reported_by"
        };
        if let Some(who) = super::super::context::person(&ws) {
            doc.insert(who_field.into(), json!(who));
        } else if !args.set.iter().any(|a| a.key() == who_field) {
            return Err(CommandError::usage_hint(
                "cannot tell who you are",
                format!(
                    "run `git config user.email you@example.com`, or pass --set {who_field}=<handle>"
                ),
            ));
        }
        match kind {
            Kind::Incident => {
                doc.insert("impact".into(), json!("medium"));
                doc.insert("urgency".into(), json!("medium"));
            }
            Kind::Change => {
                doc.insert("type".into(), json!("normal"));
            }
            _ => {}
        }
    }
    for (key, field) in template.into_iter().flatten() {
        if !matches!(key.as_str(), "id" | "status" | "created_at") && key != "title" {
            doc.insert(key, field);
        }
    }
    let mut value = Value::Object(doc);
    let schema = ws.schemas.schema(kind).clone();
    for a in &args.set {
        a.apply(&mut value, &schema).map_err(CommandError::usage)?;
    }
    if value.get("id").is_some_and(Value::is_null) {
        let taken = taken_ids(&ws, kind);
        let year = now.year();
        let id = ids::next_ticket_id(&ws.config.ids, kind, year, taken.iter().map(String::as_str));
        value["id"] = json!(id);
    }
    let id = value
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if id.is_empty() {
        return Err(CommandError::usage(
            "the new record has no id; pass --set id=...",
        ));
    }
    let rel = record_path(&ws, kind, &id, now.year());
    if ws.abs(&rel).exists()
        || crate::records::discover(&ws, &[kind])
            .0
            .iter()
            .any(|(_, p)| p.file_stem() == rel.file_stem())
    {
        return Err(CommandError::usage(format!(
            "a record with id `{id}` already exists"
        )));
    }
    // Refuse what the schema refuses (unknown keys included) before the typed
    // model, which ignores unknown keys, puts the fields in canonical order.
    let raw = render(&ws, kind, &rel, &value)?;
    let diags = crate::update::check_new(&ws, kind, &rel, &raw);
    if diags.iter().any(Diagnostic::is_error) {
        cx.print_diagnostics(&diags);
        return Err(CommandError::Failed(format!(
            "{} was not created",
            cx.show_path(&ws.root, &rel)
        )));
    }
    // Canonical key order and the computed priority, now that the record is well-formed.
    if let Ok(mut record) = Record::from_json(kind, value.clone()) {
        if let Record::Incident(inc) = &mut record
            && inc.priority.is_none()
            && inc.priority_override.is_none()
        {
            inc.priority = Some(ws.config.priority_matrix.priority(inc.impact, inc.urgency));
        }
        value = record.to_json();
    }
    let text = render(&ws, kind, &rel, &value)?;
    let diags = crate::update::check_new(&ws, kind, &rel, &text);
    if diags.iter().any(Diagnostic::is_error) {
        cx.print_diagnostics(&diags);
        return Err(CommandError::Failed(format!(
            "{} was not created",
            cx.show_path(&ws.root, &rel)
        )));
    }
    let abs = ws.abs(&rel);
    crate::update::create(&ws, &rel, &text).map_err(|e| CommandError::io(abs.display(), e))?;
    stdout_write(&format!("{}\n", cx.show_path(&ws.root, &rel)))?;
    if args.edit {
        edit_until_valid(cx, &ws, kind, &rel)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Open the new record in the editor until it is valid, as `git commit`
/// does: on a terminal, asking whether to edit again; otherwise, or when
/// the answer is no (or the file is emptied), the record is removed and
/// nothing is left on disk.
fn edit_until_valid(
    cx: &CommandContext,
    ws: &Workspace,
    kind: Kind,
    rel: &Path,
) -> Result<(), CommandError> {
    use std::io::IsTerminal as _;
    let abs = ws.abs(rel);
    let give_up = |why: &str| {
        let _ = std::fs::remove_file(&abs);
        CommandError::Failed(format!(
            "{} was not created: {why}",
            cx.show_path(&ws.root, rel)
        ))
    };
    loop {
        if let Err(e) = edit(&abs) {
            let _ = std::fs::remove_file(&abs);
            return Err(e);
        }
        let bytes = std::fs::read(&abs).map_err(|e| CommandError::io(abs.display(), e))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(give_up("the file was emptied"));
        }
        let diags = crate::update::check_new(ws, kind, rel, &String::from_utf8_lossy(&bytes));
        if !diags.iter().any(Diagnostic::is_error) {
            return Ok(());
        }
        cx.print_diagnostics(&diags);
        if !std::io::stdin().is_terminal() {
            return Err(give_up("the edited record is not valid"));
        }
        eprint!("Edit again? [Y/n] ");
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        if answer.trim().to_ascii_lowercase().starts_with('n') {
            return Err(give_up("given up"));
        }
    }
}

/// Ids of `kind` in the work tree and in the upstream branch.
fn taken_ids(ws: &Workspace, kind: Kind) -> Vec<String> {
    let repo = git::open(&ws.root);
    let upstream = repo.as_ref().and_then(|repo| {
        let prefix = git::prefix(repo, &ws.root)?;
        let tree = git::upstream_tree(repo, ws.config.ids.base.as_deref())?;
        Some((repo, tree, prefix))
    });
    records::taken_ids(
        ws,
        kind,
        upstream.as_ref().map(|(r, t, p)| (*r, t, p.as_path())),
    )
}

/// Where a new record goes: `incidents/INC-0042.yaml` or `incidents/2026/INC-0042.yaml`.
fn record_path(ws: &Workspace, kind: Kind, id: &str, year: i32) -> PathBuf {
    let mut p = PathBuf::from(kind.folder());
    if ws.config.ids.layout == Layout::ByYear && kind.is_ticket() {
        p.push(year.to_string());
    }
    p.push(format!("{id}.yaml"));
    p
}

/// The file text: a schema modeline for editors, then the fields.
fn render(ws: &Workspace, kind: Kind, rel: &Path, value: &Value) -> Result<String, CommandError> {
    let mut text = String::new();
    if ws.root.join("schemas").join(kind.schema_file()).is_file() {
        let up = "../".repeat(rel.components().count() - 1);
        text.push_str(&format!(
            "# yaml-language-server: $schema={up}schemas/{}\n",
            kind.schema_file()
        ));
    }
    let body = serde_yaml::to_string(value).map_err(|e| CommandError::io("YAML", e))?;
    text.push_str(&body);
    Ok(text)
}

/// Run the user's editor on `path` and wait for it.
fn edit(path: &Path) -> Result<(), CommandError> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or("vi");
    let status = std::process::Command::new(program)
        .args(words)
        .arg(path)
        .status()
        .map_err(|e| CommandError::io(format!("cannot start editor `{editor}`"), e))?;
    if !status.success() {
        return Err(CommandError::Failed(format!(
            "editor `{editor}` exited with {status}"
        )));
    }
    Ok(())
}
