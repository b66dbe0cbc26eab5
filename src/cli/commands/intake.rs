//! `gitsm intake [--format F] [FILE|-]`: an alert or a mail becomes a record.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::IntakeSource;
use crate::create::CreateError;
use crate::intake::{self, Action, IntakeError, Outcome};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::edits::{print_json, refusal};
use super::super::ui::stdout_write;

/// Turn an alert or a service-desk mail into a record (or a note on one)
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Without --format the input tells: JSON with `alerts` and `orgId` or `state` is a \
Grafana webhook, with `alerts` and `version` an Alertmanager one, other JSON the \
generic event (README: \"The generic JSON event\"); text that starts with mail \
headers (`From: ...`) is an RFC 5322 mail.

An alert opens an incident, or — when an open incident has its key \
(`event.key`: the fingerprint) — adds a note and counts it in \
`event.occurrences`. A resolved alert notes its incident and, with \
`intake.auto_resolve` in gitsm.yaml, resolves it. A mail opens a request \
(catalogue item `general-request`); a reply whose subject names a record \
(`Re: [REQ-0007] ...`) adds a note to it by the sender. `intake:` in gitsm.yaml \
maps labels, senders and subjects to services, CIs, impact, urgency, teams.

JSON payloads over 1 MiB and mail over 10 MiB are refused unread. Bad input \
exits 2 and writes nothing; a record that would not be valid exits 1.

Examples:
  gitsm intake alert.json
  curl ... | gitsm intake --format alertmanager - --commit
  gitsm intake --format email message.eml --json")]
pub struct Args {
    /// The input: a file, or `-` for standard input
    #[arg(value_name = "FILE|-", default_value = "-")]
    pub input: PathBuf,
    /// What the input is [default: told from the input]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<InputFormat>,
    /// Commit the files intake wrote, and nothing else, as `intake.bot`
    #[arg(long)]
    pub commit: bool,
    /// Print what happened as JSON: `events` (one object per event) and `commit`
    #[arg(long)]
    pub json: bool,
}

/// The formats `intake` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    Alertmanager,
    Grafana,
    Json,
    Email,
}

impl From<InputFormat> for IntakeSource {
    fn from(f: InputFormat) -> Self {
        match f {
            InputFormat::Alertmanager => IntakeSource::Alertmanager,
            InputFormat::Grafana => IntakeSource::Grafana,
            InputFormat::Json => IntakeSource::Json,
            InputFormat::Email => IntakeSource::Email,
        }
    }
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let now = cx.now_in(&ws.config)?;
    let (name, bytes) = read_input(&args.input)?;
    let (_, events) = intake::read(&name, &bytes, args.format.map(Into::into))
        .map_err(|e| failure(cx, &ws, e))?;
    let outcomes = intake::take_in(&ws, events, now).map_err(|e| failure(cx, &ws, e))?;
    let commit = if args.commit {
        intake::commit(&ws, &outcomes, now).map_err(|e| failure(cx, &ws, e))?
    } else {
        None
    };
    if args.json {
        #[derive(serde::Serialize)]
        struct Report<'a> {
            events: &'a [Outcome],
            #[serde(skip_serializing_if = "Option::is_none")]
            commit: Option<&'a str>,
        }
        print_json(&Report {
            events: &outcomes,
            commit: commit.as_deref(),
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    if !cx.quiet {
        let mut text = String::new();
        for o in &outcomes {
            text.push_str(&line(cx, &ws.root, o));
        }
        if let Some(oid) = &commit {
            text.push_str(&format!(
                "committed {} as {} <{}>\n",
                &oid[..oid.len().min(12)],
                ws.config.intake.bot.name,
                ws.config.intake.bot.email
            ));
        } else if args.commit {
            text.push_str("nothing to commit\n");
        }
        stdout_write(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What happened to one event, in a line (and its remarks).
fn line(cx: &CommandContext, root: &std::path::Path, o: &Outcome) -> String {
    let id = o.id.as_deref().unwrap_or("-");
    let path = o
        .path
        .as_deref()
        .map(|p| cx.show_path(root, p))
        .unwrap_or_default();
    let event = format!("{} `{}`", o.source.name(), intake::one_line(&o.event));
    let mut s = match o.action {
        Action::Opened => format!("opened {id} ({path}) from {event}\n"),
        Action::Repeated => format!(
            "{id}: {event} again (occurrence {})\n",
            o.occurrences.unwrap_or(0)
        ),
        Action::Noted => format!("{id}: noted ({path}) from {event}\n"),
        Action::Resolved => format!("{id}: resolved ({path}) by {event}\n"),
        Action::Nothing => format!("nothing to do for {event}\n"),
    };
    for r in &o.remarks {
        s.push_str(&format!("  {}\n", intake::one_line(r)));
    }
    s
}

/// The input's name for messages, and its bytes: at most one byte more
/// than the largest input taken, so that a larger one is refused unread.
fn read_input(path: &std::path::Path) -> Result<(String, Vec<u8>), CommandError> {
    let limit = (intake::MAX_MAIL_BYTES + 1) as u64;
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| CommandError::io("standard input", e))?;
        return Ok(("<stdin>".to_owned(), bytes));
    }
    let name = path.display().to_string();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit).read_to_end(&mut bytes))
        .map_err(|e| CommandError::io(&name, e))?;
    Ok((name, bytes))
}

/// The command error for an intake failure: bad input or mapping exits
/// 2; a record that would not be valid prints its findings and exits 1.
fn failure(cx: &CommandContext, ws: &crate::workspace::Workspace, e: IntakeError) -> CommandError {
    match e {
        IntakeError::Partial { done, error } => {
            let mut text = String::new();
            for o in &done {
                text.push_str(&line(cx, &ws.root, o));
            }
            if let Err(e) = stdout_write(&text) {
                return e;
            }
            cx.warnings(&[
                "the events above were taken in before the next one failed; nothing was committed"
                    .to_owned(),
            ]);
            failure(cx, ws, *error)
        }
        IntakeError::Mapping { message, hint } => CommandError::Usage { message, hint },
        IntakeError::Unknown { input } => CommandError::usage_hint(
            format!("{input}: cannot tell the format of this input"),
            "pass --format alertmanager, grafana, json or email",
        ),
        IntakeError::Update(e) => refusal(cx, &ws.root, e),
        IntakeError::Create(CreateError::Invalid { path, diagnostics }) => {
            cx.print_diagnostics(&diagnostics);
            CommandError::Failed(format!("{} was not created", cx.show_path(&ws.root, &path)))
        }
        other => CommandError::usage(other.to_string()),
    }
}
