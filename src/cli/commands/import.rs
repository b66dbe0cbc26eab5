//! `gitsm import`: records from a ServiceNow, Jira or GLPI export (or a
//! CSV of gitsm fields), written whole or not at all.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

use chrono_tz::Tz;
use serde_json::json;

use crate::import::{self, ImportError, ImportMap, Plan, SkipReason, Tool};
use crate::kind::Kind;

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::ui::stdout_write;

/// Create records from another tool's export
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Each row becomes a new record (a new id; the tool's id in `source_id`) that \
passes the checks of `gitsm new`; when one would not, nothing is written and \
the rows are named. A row whose `source_id` is already in the repository is \
skipped, so an import can be run again. People the map cannot match to a \
handle in `people` (by email or name) are kept as written and listed. \
The default maps are in the README; `--print-map` shows one.

Exit status: 0 imported (or nothing to import), 1 a row would be an invalid \
record, 2 the export or the map cannot be read.

Examples:
  gitsm import --from servicenow --kind incident incident.csv --dry-run
  gitsm import --from jira --kind incident export.csv --timezone Europe/Berlin
  gitsm import --from glpi --kind request glpi.csv --map my-map.yaml
  gitsm import --from servicenow --print-map > my-map.yaml")]
pub struct Args {
    /// The tool the export comes from
    #[arg(long, value_name = "TOOL", value_parser = ["servicenow", "jira", "glpi", "csv"])]
    pub from: String,
    /// incident, problem, change, request or ci
    #[arg(long, add = crate::cli::complete::kind(), required_unless_present = "print_map")]
    pub kind: Option<Kind>,
    /// The export (CSV, or ServiceNow's JSON; UTF-8, at most 64 MiB)
    #[arg(value_name = "FILE", required_unless_present = "print_map")]
    pub file: Option<PathBuf>,
    /// A map laid over the tool's default map, key by key
    #[arg(long, value_name = "MAP.yaml")]
    pub map: Option<PathBuf>,
    /// IANA time zone of the export's times that carry none
    /// [default: the organisation's `timezone`, UTC unless set]
    #[arg(long, value_name = "TZ", value_parser = parse_timezone)]
    pub timezone: Option<Tz>,
    /// Check every row and report what would be written; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = ImportFormat::Text)]
    pub format: ImportFormat,
    /// Print the default map of --from (commented YAML) and exit
    #[arg(long)]
    pub print_map: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    Text,
    Json,
}

fn parse_timezone(s: &str) -> Result<Tz, String> {
    Tz::from_str(s).map_err(|_| format!("`{s}` is not an IANA time zone (e.g. Europe/Berlin)"))
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let tool = Tool::from_str(&args.from).map_err(CommandError::usage)?;
    if args.print_map {
        stdout_write(import::default_text(tool))?;
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(kind), Some(file)) = (args.kind, args.file.as_ref()) else {
        return Err(CommandError::usage("give --kind and the export FILE"));
    };
    let ws = cx.workspace()?;
    let overrides = match &args.map {
        Some(path) => {
            Some(std::fs::read_to_string(path).map_err(|e| CommandError::io(path.display(), e))?)
        }
        None => None,
    };
    let map = ImportMap::load(tool, overrides.as_deref()).map_err(|e| {
        let name = args
            .map
            .as_ref()
            .map_or_else(|| "the map".to_owned(), |p| p.display().to_string());
        CommandError::usage(format!("{name}: {e}"))
    })?;
    let bytes = read_export(file)?;
    let opts = import::Options {
        tool,
        kind,
        file: file.display().to_string(),
        map,
        zone: args.timezone.unwrap_or_else(|| ws.config.zone()),
        importer: super::super::context::person(&ws),
        now: cx.now_in(&ws.config)?,
    };
    let plan = match import::plan(&ws, &opts, &bytes) {
        Ok(plan) => plan,
        Err(e @ ImportError::Row { .. }) => {
            let message = e.to_string();
            let ImportError::Row { hint, .. } = e else {
                return Err(CommandError::usage(message));
            };
            return Err(CommandError::Usage { message, hint });
        }
        Err(e @ ImportError::Unsupported { .. }) => return Err(CommandError::usage(e.to_string())),
        Err(ImportError::Invalid { refused, rows }) => {
            // The first rows say what is wrong; a thousand more would bury it.
            const SHOWN: usize = 20;
            for r in refused.iter().take(SHOWN) {
                cx.status(&format!(
                    "{}: row `{}` would not be a valid {}:",
                    r.at,
                    r.source_id,
                    kind.name()
                ));
                cx.print_diagnostics(&r.diagnostics);
            }
            if refused.len() > SHOWN {
                cx.status(&format!(
                    "... and {} more rows that would not be valid records either",
                    refused.len() - SHOWN
                ));
            }
            return Err(CommandError::Failed(format!(
                "nothing was imported: {} of {rows} rows would not be valid records",
                refused.len()
            )));
        }
    };
    if !args.dry_run {
        import::write(&ws, &plan).map_err(|e| CommandError::Failed(e.to_string()))?;
    }
    match args.format {
        ImportFormat::Text => {
            stdout_write(&format!("{}\n", summary(&plan, args.dry_run)))?;
            warnings(cx, &plan);
        }
        ImportFormat::Json => stdout_write(&format!(
            "{}\n",
            serde_json::to_string_pretty(&as_json(&plan, &opts, args.dry_run)).unwrap_or_default()
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The export's bytes, refused beyond the size gitsm reads.
fn read_export(path: &std::path::Path) -> Result<Vec<u8>, CommandError> {
    let file = std::fs::File::open(path).map_err(|e| CommandError::io(path.display(), e))?;
    // The size as listed refuses a large file unread; the bounded read
    // covers what has none (a pipe).
    let listed = file.metadata().map_or(0, |m| m.len());
    let mut bytes = Vec::new();
    if listed <= import::MAX_BYTES {
        file.take(import::MAX_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| CommandError::io(path.display(), e))?;
    }
    if listed > import::MAX_BYTES || bytes.len() as u64 > import::MAX_BYTES {
        return Err(CommandError::usage_hint(
            format!(
                "{}: the export is larger than {} MiB, the most gitsm reads",
                path.display(),
                import::MAX_BYTES / (1024 * 1024)
            ),
            "export fewer rows at a time (a date range per file) and import each",
        ));
    }
    Ok(bytes)
}

/// `incidents`, `CIs`.
fn plural(kind: Kind, n: usize) -> String {
    let name = match kind {
        Kind::Ci => "CI",
        other => other.name(),
    };
    format!("{n} {name}{}", if n == 1 { "" } else { "s" })
}

fn summary(plan: &Plan, dry_run: bool) -> String {
    let mut out = format!(
        "{} {}",
        if dry_run { "would import" } else { "imported" },
        plural(plan.kind, plan.records.len())
    );
    // Ticket ids are numbered: their range says what was taken (CI ids
    // are names, and a range of them says nothing).
    let ids = plan.records.iter().map(|p| p.record.id.as_str());
    if plan.kind != Kind::Ci
        && let (Some(first), Some(last)) = (ids.clone().min(), ids.max())
    {
        if first == last {
            out.push_str(&format!(" ({first})"));
        } else {
            out.push_str(&format!(" ({first}..{last})"));
        }
    }
    let count = |f: fn(&SkipReason) -> bool| plan.skipped.iter().filter(|s| f(&s.reason)).count();
    let already = count(|r| matches!(r, SkipReason::AlreadyImported(_)));
    let other = count(|r| matches!(r, SkipReason::OtherKind(_)));
    let exists = count(|r| matches!(r, SkipReason::CiExists(_)));
    if already > 0 {
        out.push_str(&format!(", skipped {already} already imported"));
    }
    if other > 0 {
        out.push_str(&format!(", skipped {other} of other types"));
    }
    if exists > 0 {
        out.push_str(&format!(", skipped {exists} already in the CMDB"));
    }
    if !plan.unknown_people.is_empty() {
        let names: Vec<&str> = plan.unknown_people.iter().map(String::as_str).collect();
        out.push_str(&format!(
            ", {} not in gitsm.yaml: {}",
            if names.len() == 1 {
                "1 person".to_owned()
            } else {
                format!("{} people", names.len())
            },
            names.join(", ")
        ));
    }
    out
}

fn warnings(cx: &CommandContext, plan: &Plan) {
    if !plan.unknown_people.is_empty() {
        cx.status(
            "warning: people not in `people` are kept as the export wrote them; add them to gitsm.yaml (with their emails) and `gitsm validate` stops warning",
        );
    }
    if !plan.unapproved.is_empty() {
        cx.status(&format!(
            "warning: {} carry decisions taken in the other tool, which gitsm cannot verify: {}; commit the import, then accept it with `gitsm baseline`",
            plural(plan.kind, plan.unapproved.len()),
            plan.unapproved.join(", ")
        ));
    }
}

fn as_json(plan: &Plan, opts: &import::Options, dry_run: bool) -> serde_json::Value {
    let imported: Vec<_> = plan
        .records
        .iter()
        .map(|p| {
            json!({
                "line": p.line,
                "source_id": p.source_id,
                "id": p.record.id,
                "path": p.record.rel,
            })
        })
        .collect();
    let skipped: Vec<_> = plan
        .skipped
        .iter()
        .map(|s| {
            let (reason, detail) = match &s.reason {
                SkipReason::AlreadyImported(id) => ("already_imported", json!({ "id": id })),
                SkipReason::OtherKind(t) => ("other_type", json!({ "type": t })),
                SkipReason::CiExists(id) => ("ci_exists", json!({ "id": id })),
            };
            let mut v = json!({"line": s.line, "source_id": s.source_id, "reason": reason});
            if let (Some(v), Some(d)) = (v.as_object_mut(), detail.as_object()) {
                v.extend(d.clone());
            }
            v
        })
        .collect();
    json!({
        "from": opts.tool.key(),
        "kind": plan.kind.name(),
        "file": opts.file,
        "dry_run": dry_run,
        "timezone": opts.zone.name(),
        "imported": imported,
        "skipped": skipped,
        "unknown_people": plan.unknown_people,
        "unapproved": plan.unapproved,
    })
}
