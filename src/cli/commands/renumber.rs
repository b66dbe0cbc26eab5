//! `gitsm renumber <ID> [--onto REV]`: give a colliding record the next free
//! id and rewrite the references to it.

use std::process::ExitCode;

use crate::update::{self, RenumberError, Renumbered};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::edits::{EditFormat, print_json, refusal};
use super::super::ui::stdout_write;

/// Move a record whose id collides to the next free id, and rewrite the references to it
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Use it when another branch added a record with the same id (merging shows \
an add/add conflict), or when `gitsm validate` reports a duplicate id.

Which file moves: a record stored once here that REV holds as a different \
record (another `created_at` or reporter) moves; one REV does not hold, or \
holds as the same record, has nothing to move (exit 0). When the work tree \
holds the id twice, the copy that is REV's record keeps it (else the one \
created first) and the other moves. The new id is the next one free both \
here and in REV; the file stays in its folder (year folders included).

References in the work tree are rewritten, except those REV's version of \
the same record already holds (they mean REV's record). When two local \
copies shared the id, references are ambiguous: they are listed, not \
rewritten. Mentions in text and comments are listed, never edited. \
Every file is checked before anything is written; the moved record is \
created first and its old file removed last. Nothing is committed or \
staged.

REV defaults to `ids.base` from gitsm.yaml, else origin/HEAD, origin/main \
or origin/master. An unknown REV, an unknown id and a CI id exit 2.

Examples:
  gitsm renumber INC-0042 --onto origin/main
  gitsm renumber INC-0042               # against ids.base or origin/HEAD")]
pub struct Args {
    /// The ticket id to move, e.g. INC-0042
    #[arg(add = crate::cli::complete::record_id())]
    pub id: String,
    /// The revision whose ids are taken too [default: ids.base, else origin/HEAD]
    #[arg(long, value_name = "REV")]
    pub onto: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = EditFormat::Text)]
    pub format: EditFormat,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let done = match update::renumber(&ws, &args.id, args.onto.as_deref()) {
        Ok(done) => done,
        Err(RenumberError::Update(e)) => return Err(refusal(cx, &ws.root, e)),
        Err(RenumberError::Interrupted {
            failed,
            done,
            undone,
            not_undone,
        }) => {
            let mut message = format!("renumber stopped: {failed}\n  done:");
            for d in &done {
                message.push_str(&format!("\n    {d}"));
            }
            for p in &undone {
                message.push_str(&format!("\n  undone: {}", cx.show_path(&ws.root, p)));
            }
            for (p, why) in &not_undone {
                message.push_str(&format!(
                    "\n  NOT undone: {} ({why})",
                    cx.show_path(&ws.root, p)
                ));
            }
            return Err(CommandError::Io(message));
        }
    };
    if args.format == EditFormat::Json {
        print_json(&done)?;
    } else {
        print_text(cx, &ws.root, &done)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(
    cx: &CommandContext,
    root: &std::path::Path,
    done: &Renumbered,
) -> Result<(), CommandError> {
    cx.print_diagnostics(&done.warnings);
    let show = |p: &std::path::Path| cx.show_path(root, p);
    let mut s = String::new();
    if done.moved.is_empty() {
        s.push_str(&format!(
            "{}: nothing to renumber: {}\n",
            done.id, done.reason
        ));
        return if cx.quiet { Ok(()) } else { stdout_write(&s) };
    }
    for m in &done.moved {
        s.push_str(&format!(
            "{} -> {}: {} -> {}\n",
            m.from,
            m.to,
            show(&m.from_path),
            show(&m.to_path)
        ));
    }
    s.push_str(&format!("  why: {}\n", done.reason));
    for r in &done.rewritten {
        s.push_str(&format!(
            "  rewrote {} ({}): {}\n",
            r.id,
            show(&r.path),
            r.fields.join(", ")
        ));
    }
    for l in &done.left {
        s.push_str(&format!(
            "  left {} {} ({}): {}\n",
            l.id,
            l.field,
            show(&l.path),
            l.why
        ));
    }
    if !done.mentions.is_empty() {
        let lines: Vec<String> = done
            .mentions
            .iter()
            .map(|m| format!("{}:{}", show(&m.path), m.line))
            .collect();
        s.push_str(&format!(
            "  still mentioned in text or comments (not edited): {}\n",
            lines.join(", ")
        ));
    }
    if cx.quiet { Ok(()) } else { stdout_write(&s) }
}
