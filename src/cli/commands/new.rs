//! `gitsm new <kind>`: create the next record from defaults.

use std::path::Path;
use std::process::ExitCode;

use serde_json::Value;

use crate::assign::Assignment;
use crate::create;
use crate::diagnostic::Diagnostic;
use crate::kind::Kind;
use crate::workspace::Workspace;

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::ui::stdout_write;

/// Create a record and print its path
#[derive(Debug, clap::Args)]
#[command(
    after_help = "A template fills in fields first (`templates.<kind>.<name>` in gitsm.yaml; for a change, a `standard_changes` entry makes it a standard change with its title, risk, plans and CIs); --title and --set override them.\n\nExamples:\n  gitsm new incident --title 'VPN down' --set impact=high --set urgency=high\n  gitsm new incident --template printer-jam --set service=workplace-services\n  gitsm new change --template restart-app-server --set window.start=...\n  gitsm new change --title 'Upgrade db' --set type=normal --set cis=orders-db\n  gitsm new request --item vpn-access --title 'VPN for Zoe' --set requested_for=zoe\n  gitsm new ci --title 'Payments API' --set class=application\n  gitsm new article --title 'Reset a VPN token' --service remote-access\n  gitsm new article --from PRB-0003        # title, CIs, root cause and workaround copied\n  gitsm new incident --major --title 'Payments down' --set impact=high --set urgency=high\n  gitsm new problem --from INC-0040,INC-0041,INC-0042\n\n--major makes an incident major (`major: true`): it then needs a commander from in_progress on, a communications update (`gitsm note --update`) from resolved on and a post-incident review to close. --from opens a problem for recurring incidents (what `validate` calls a problem candidate): titled after the CI, service and category or symptom they share, with their service and CIs, listing them in `links`; each open incident gets `problem` set to it, all or none. For an article, --from names the one problem it is drafted from."
)]
pub struct Args {
    /// incident, problem, change, request, ci or article
    #[arg(add = crate::cli::complete::kind())]
    pub kind: Kind,
    /// Title of the ticket (the name of a CI) [default: the template's]
    #[arg(long)]
    pub title: Option<String>,
    /// Start from this template's fields (see below)
    #[arg(long, value_name = "NAME")]
    pub template: Option<String>,
    /// For a request: the catalogue item asked for (`--set catalog_item=ITEM`)
    #[arg(long, value_name = "ITEM")]
    pub item: Option<String>,
    /// Set a field: dotted keys (window.start=...), lists comma-separated (cis=web,db)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<Assignment>,
    /// Open the new file in $VISUAL / $EDITOR, then check it
    #[arg(long)]
    pub edit: bool,
    /// A major incident (`major: true`)
    #[arg(long)]
    pub major: bool,
    /// A problem: the incidents it is opened for, linked to it
    /// (comma-separated ids); an article: the problem it is drafted from
    /// (its title, service, CIs, category, symptoms, root cause and
    /// workaround; the problem linked)
    #[arg(
        long,
        value_name = "ID,ID,...",
        value_delimiter = ',',
        add = crate::cli::complete::record_id()
    )]
    pub from: Vec<String>,
    /// An article only: a service it is about (repeatable)
    #[arg(long, value_name = "CI")]
    pub service: Vec<String>,
    /// An article only: a CI it is about (repeatable)
    #[arg(long, value_name = "CI")]
    pub ci: Vec<String>,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let kind = args.kind;
    if args.item.is_some() && kind != Kind::Request {
        return Err(CommandError::usage(
            "--item names a catalogue item: it is for `gitsm new request`",
        ));
    }
    let now = cx.now_in(&ws.config)?;
    if args.major && kind != Kind::Incident {
        return Err(CommandError::usage("--major is for incidents"));
    }
    if !args.from.is_empty() && kind == Kind::Problem {
        if args.template.is_some() || !args.set.is_empty() || args.edit {
            return Err(CommandError::usage(
                "--from opens the problem from its incidents: no --template, --set or --edit",
            ));
        }
        return from_incidents(cx, &ws, &args, now);
    }
    if !args.from.is_empty() && kind != Kind::Article {
        return Err(CommandError::usage_hint(
            "--from opens a problem from incidents, or drafts an article from a problem",
            "gitsm new problem --from INC-0001,INC-0002,INC-0003; gitsm new article --from PRB-0001",
        ));
    }
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
    let drafted = article_fields(&ws, &args)?;
    let title = args
        .title
        .clone()
        .or_else(|| {
            template
                .as_ref()
                .or(drafted.as_ref())
                .and_then(|t| t.get("title").and_then(Value::as_str).map(str::to_owned))
        })
        .ok_or_else(|| {
            CommandError::usage("give the new record a --title (or a --template that has one)")
        })?;
    let opener = super::super::context::person(&ws);
    let who_field = create::opener_field(kind);
    if !matches!(kind, Kind::Ci | Kind::Article)
        && opener.is_none()
        && !args.set.iter().any(|a| a.key() == who_field)
    {
        return Err(super::super::context::unknown_person(Some(&format!(
            "pass --set {who_field}=<handle>"
        ))));
    }
    let mut doc = create::defaults(&ws, kind, &title, opener.as_deref(), now);
    for (key, field) in template
        .into_iter()
        .flatten()
        .chain(drafted.into_iter().flatten())
    {
        if !matches!(key.as_str(), "id" | "status" | "created_at" | "title") {
            doc.insert(key, field);
        }
    }
    if args.major {
        doc.insert("major".into(), Value::Bool(true));
    }
    let mut value = Value::Object(doc);
    let schema = ws.schemas.schema(kind).clone();
    let item = args
        .item
        .as_ref()
        .map(|item| format!("catalog_item={item}").parse::<Assignment>())
        .transpose()
        .map_err(CommandError::usage)?;
    for a in item.iter().chain(&args.set) {
        a.apply(&mut value, &schema).map_err(CommandError::usage)?;
    }
    let prepared = match create::Creator::new(&ws, now).create(kind, value) {
        Ok(p) => p,
        Err(create::CreateError::Invalid { path, diagnostics }) => {
            cx.print_diagnostics(&diagnostics);
            return Err(CommandError::Failed(format!(
                "{} was not created",
                cx.show_path(&ws.root, &path)
            )));
        }
        Err(e @ (create::CreateError::Io { .. } | create::CreateError::Lock(_))) => {
            return Err(CommandError::Failed(e.to_string()));
        }
        Err(e) => return Err(CommandError::usage(e.to_string())),
    };
    let rel = prepared.rel;
    stdout_write(&format!("{}\n", cx.show_path(&ws.root, &rel)))?;
    if args.edit {
        edit_until_valid(cx, &ws, kind, &rel)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The fields `--from`, `--service` and `--ci` give a new article; a
/// usage error on another kind.
fn article_fields(
    ws: &Workspace,
    args: &Args,
) -> Result<Option<serde_json::Map<String, Value>>, CommandError> {
    if args.from.is_empty() && args.service.is_empty() && args.ci.is_empty() {
        return Ok(None);
    }
    if args.kind != Kind::Article {
        return Err(CommandError::usage(
            "--from, --service and --ci are for `gitsm new article`",
        ));
    }
    let from = match args.from.as_slice() {
        [] => None,
        [id] => Some(id.as_str()),
        _ => {
            return Err(CommandError::usage(
                "an article is drafted from one problem: --from PRB-ID",
            ));
        }
    };
    create::article_draft(ws, from, &args.service, &args.ci)
        .map(Some)
        .map_err(|e| match e {
            create::ArticleDraftError::Invalid(_) => CommandError::Failed(e.to_string()),
            _ => CommandError::usage(e.to_string()),
        })
}

/// `gitsm new problem --from ...`: the problem, and its incidents linked.
fn from_incidents(
    cx: &CommandContext,
    ws: &Workspace,
    args: &Args,
    now: crate::model::Timestamp,
) -> Result<ExitCode, CommandError> {
    let opener = super::super::context::me(ws)?;
    let done = create::problem_from(ws, &args.from, args.title.as_deref(), Some(&opener), now)
        .map_err(|e| match e {
            create::ProblemFromError::Update(e) => super::super::edits::refusal(cx, &ws.root, e),
            create::ProblemFromError::Create(create::CreateError::Invalid {
                path,
                diagnostics,
            }) => {
                cx.print_diagnostics(&diagnostics);
                CommandError::Failed(format!("{} was not created", cx.show_path(&ws.root, &path)))
            }
            create::ProblemFromError::Create(e) => CommandError::Failed(e.to_string()),
        })?;
    stdout_write(&format!("{}\n", cx.show_path(&ws.root, &done.problem.rel)))?;
    for u in &done.linked {
        cx.status(&format!("{}: problem {}", u.id, done.problem.id));
    }
    for id in &done.closed {
        cx.status(&format!(
            "{id}: closed, listed in {}'s links",
            done.problem.id
        ));
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
