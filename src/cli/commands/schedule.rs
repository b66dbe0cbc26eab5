//! `gitsm schedule`: create the standard changes of the routine
//! maintenance due in a period (`maintenance:` in `gitsm.yaml`).

use std::process::ExitCode;

use serde_json::json;

use crate::create;
use crate::maintenance::{HORIZON_DAYS, Occurrence};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::edits::{EditFormat, print_json};
use super::super::ui::stdout_write;

/// Create the changes of the routine maintenance due in a period
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Each occurrence of a `maintenance` schedule that starts in the period and has no change yet \
becomes a standard change in state `scheduled`, its window the occurrence, its fields the template's; \
it records `schedule: {name, occurrence}`, so running it again creates nothing. \
An occurrence inside a freeze that does not allow standard changes is skipped.\n\n\
Examples:\n  gitsm schedule                                   # the next 31 days\n  gitsm schedule --at 2026-11-21 --until 2027-02-28"
)]
pub struct Args {
    /// Start of the period (default now): RFC 3339, a date (its midnight
    /// in `timezone`), `2026-12-01 09:00`, `tomorrow`, `+30d`
    #[arg(long, value_name = "T")]
    pub at: Option<crate::when::When>,
    /// End of the period, exclusive (default 31 days after --at); a date
    /// is its midnight
    #[arg(long, value_name = "D")]
    pub until: Option<crate::when::When>,
    /// Output format
    #[arg(long, value_enum, default_value_t = EditFormat::Text)]
    pub format: EditFormat,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let from = cx.at(args.at, &ws.config)?;
    let until = match args.until {
        Some(when) => when.resolve(from, ws.config.zone()),
        None => from + chrono::Duration::days(HORIZON_DAYS),
    };
    if until <= from {
        return Err(CommandError::usage(format!(
            "--until {} is not after --at {}",
            until.to_rfc3339(),
            from.to_rfc3339()
        )));
    }
    let now = cx.now_in(&ws.config)?;
    let opener = super::super::context::person(&ws);
    let done =
        create::scheduled(&ws, from, until, opener.as_deref(), now).map_err(|e| match e {
            create::CreateError::Invalid { path, diagnostics } => {
                cx.print_diagnostics(&diagnostics);
                CommandError::Failed(format!(
                    "{} was not created; no change was written",
                    cx.show_path(&ws.root, &path)
                ))
            }
            e => CommandError::Failed(e.to_string()),
        })?;
    if args.format == EditFormat::Json {
        let occurrence = |o: &Occurrence| {
            json!({
                "schedule": o.schedule,
                "occurrence": o.start.to_rfc3339(),
                "window": {"start": o.start.to_rfc3339(), "end": o.end.to_rfc3339(), "timezone": o.timezone},
            })
        };
        let with = |o: &Occurrence, key: &str, value: &str| {
            let mut v = occurrence(o);
            v[key] = json!(value);
            v
        };
        print_json(&json!({
            "from": from.to_rfc3339(),
            "until": until.to_rfc3339(),
            "created": done.created.iter().map(|(o, p)| {
                let mut v = with(o, "id", &p.id);
                v["path"] = json!(p.rel.to_string_lossy().replace('\\', "/"));
                v
            }).collect::<Vec<_>>(),
            "existing": done.existing.iter().map(|(o, id)| with(o, "id", id)).collect::<Vec<_>>(),
            "skipped": done.frozen.iter().map(|(o, f)| with(o, "freeze", f)).collect::<Vec<_>>(),
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let local = |o: &Occurrence| o.start.format("%Y-%m-%d %H:%M %:z").to_string();
    for (o, p) in &done.created {
        cx.print_diagnostics(&p.findings);
        stdout_write(&format!("{}\n", cx.show_path(&ws.root, &p.rel)))?;
        cx.status(&format!(
            "{}: {} {} ({})",
            p.id,
            o.schedule,
            local(o),
            o.timezone
        ));
    }
    for (o, f) in &done.frozen {
        cx.status(&format!(
            "skipped: {} {} falls in freeze `{f}`, which does not allow standard changes",
            o.schedule,
            local(o)
        ));
    }
    for (o, id) in &done.existing {
        cx.status(&format!("exists: {} {} is {id}", o.schedule, local(o)));
    }
    cx.status(&format!(
        "{} created, {} already scheduled, {} skipped ({} to {})",
        done.created.len(),
        done.existing.len(),
        done.frozen.len(),
        from.format("%Y-%m-%d %H:%M %:z"),
        until.format("%Y-%m-%d %H:%M %:z")
    ));
    Ok(ExitCode::SUCCESS)
}
