//! `gitsm note <ID>... <TEXT>`: add a note to records, or with
//! `--update` an entry of a major incident's communications log.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::update;

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::edits::{EditFormat, print_json, print_text, refusal};
use super::super::filters::{Filters, TeamFilter, targets};

/// Add a note to one or more records, by you, now
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Appends `{at, by, text}` to `notes` (Markdown), in place: the status and every \
other field stay as they are, so a closed record takes notes too. With several \
ids every record is checked before any is written, and all are written or none. \
The text is the last argument, or --file (`-` reads standard input).

With --update the text goes to the incident's communications log instead: `{at, by, audience, text}` appended to `updates`, what was told to whom during a major incident. Updates, like notes, are never edited.

Examples:
  gitsm note INC-0042 'Called the user back; waiting for the logs'
  gitsm note INC-0042 INC-0043 'Same root cause as PRB-0007'
  git log -1 --format=%B | gitsm note INC-0042 --file -
  gitsm note INC-0042 --update --audience users 'Payments are down; next update 10:30'")]
pub struct Args {
    /// Record ids, then the note unless --file is given
    #[arg(value_name = "ID... TEXT", required = true, num_args = 1..)]
    #[arg(add = crate::cli::complete::record_id())]
    pub args: Vec<String>,
    #[command(flatten)]
    pub filters: Filters,
    #[command(flatten)]
    pub team: TeamFilter,
    /// Add a communications update (incidents) instead of a work note
    #[arg(long)]
    pub update: bool,
    /// Whom the update is for (with --update; default `all`)
    #[arg(long, value_name = "AUDIENCE", requires = "update")]
    pub audience: Option<String>,
    /// Read the note from FILE (`-`: standard input)
    #[arg(long, short = 'F', value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = EditFormat::Text)]
    pub format: EditFormat,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let (ids, text) = match &args.file {
        Some(path) => (&args.args[..], read_text(path)?),
        None => match args.args.split_last() {
            Some((text, ids))
                if !ids.is_empty() || args.filters.given() || args.team.team.is_some() =>
            {
                (ids, text.clone())
            }
            _ => {
                return Err(CommandError::usage_hint(
                    "give the record ids and then the note",
                    "e.g. gitsm note INC-0042 'Waiting for the vendor', or --file FILE",
                ));
            }
        },
    };
    let person = super::super::context::person(&ws);
    let now = cx.now_in(&ws.config)?;
    let targets = targets(cx, &ws, ids, &args.filters, &args.team, None)?;
    let text = text.trim_end();
    let updated = if args.update {
        update::comms_update(
            &ws,
            &targets,
            text,
            args.audience.as_deref(),
            person.as_deref(),
            now,
        )
    } else {
        update::note(&ws, &targets, text, person.as_deref(), now)
    }
    .map_err(|e| refusal(cx, &ws.root, e))?;
    let done = if args.update {
        "update logged"
    } else {
        "noted"
    };
    if args.format == EditFormat::Json {
        return print_json(&updated).map(|()| ExitCode::SUCCESS);
    }
    for u in &updated {
        print_text(cx, &ws.root, &format!("{}: {done}", u.id), &u.path, Some(u))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The note from a file, or standard input for `-`.
fn read_text(path: &std::path::Path) -> Result<String, CommandError> {
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CommandError::io("standard input", e))?;
    } else {
        text = std::fs::read_to_string(path).map_err(|e| CommandError::io(path.display(), e))?;
    }
    Ok(text)
}
