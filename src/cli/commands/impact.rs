//! `gitsm impact <CI>` and `gitsm impact --change CHG`: what a failure of a
//! CI, or a change to some CIs, touches.

use std::fmt::Write as _;
use std::process::ExitCode;

use serde_json::json;

use crate::cmdb::{self, CiSummary, CmdbGraph, Impact, ReachedCi, TicketOnChain};
use crate::dataset::{Dataset, Need};
use crate::kind::Kind;
use crate::local_index::Selection;
use crate::model::Record;
use crate::records::Loaded;
use crate::suggest;
use crate::workspace::Workspace;

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::ui::stdout_write;

/// Show the services and CIs that depend on a CI (transitively), its own
/// dependencies, and the open incidents, problems and scheduled changes on
/// that chain
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gitsm impact db-srv-01\n  gitsm impact --change CHG-0042 --format markdown   # paste into the pull request"
)]
pub struct Args {
    /// CI id, e.g. orders-db
    #[arg(
        value_name = "CI",
        required_unless_present = "change",
        conflicts_with = "change"
    )]
    #[arg(add = crate::cli::complete::id_of(crate::kind::Kind::Ci))]
    pub ci: Option<String>,
    /// Analyse the CIs a change touches (its `cis` and `service`)
    #[arg(long, value_name = "CHG")]
    #[arg(add = crate::cli::complete::id_of(crate::kind::Kind::Change))]
    pub change: Option<String>,
    /// Output format (markdown is ready to paste into a pull request)
    #[arg(long, value_enum, default_value_t = ImpactFormat::Text)]
    pub format: ImpactFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImpactFormat {
    Text,
    Json,
    Markdown,
}

/// What was analysed: one CI, or the CIs of a change.
struct Subject {
    /// `db-srv-01` or `CHG-0042: Patch the database server`.
    heading: String,
    change: Option<(String, String, String)>,
    /// CI ids a change names that are not in the CMDB.
    missing: Vec<String>,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    // Every CI, the open tickets (those an impact lists) and the change.
    let selection = Selection {
        open: true,
        with_cis: true,
        also: args.change.iter().cloned().collect(),
        ..Selection::default()
    };
    let dataset = Dataset::work_tree_where(cx.workspace()?, Need::Records, &selection);
    cx.dataset(&dataset);
    let ws = &dataset.ws;
    let loaded = dataset.loaded();
    let graph = CmdbGraph::from_loaded(&ws.config.ci, loaded);

    let (roots, subject) = match (&args.ci, &args.change) {
        (_, Some(change_id)) => {
            let record = find(ws, loaded, change_id, Kind::Change)?;
            let Record::Change(change) = record else {
                return Err(not_a(change_id, record, Kind::Change));
            };
            let mut roots = Vec::new();
            let mut missing = Vec::new();
            for id in change.service.iter().chain(&change.cis) {
                match graph.index_of(id) {
                    Some(i) if !roots.contains(&i) => roots.push(i),
                    Some(_) => {}
                    None => missing.push(id.clone()),
                }
            }
            let subject = Subject {
                heading: format!("{}: {}", change.id, change.title),
                change: Some((
                    change.id.clone(),
                    change.title.clone(),
                    change.status.clone(),
                )),
                missing,
            };
            (roots, subject)
        }
        (Some(ci_id), None) => {
            let record = find(ws, loaded, ci_id, Kind::Ci)?;
            let index = graph
                .index_of(record.id())
                .filter(|_| matches!(record, Record::Ci(_)))
                .ok_or_else(|| not_a(ci_id, record, Kind::Ci))?;
            let subject = Subject {
                heading: ci_id.clone(),
                change: None,
                missing: Vec::new(),
            };
            (vec![index], subject)
        }
        (None, None) => return Err(CommandError::usage("name a CI, or a change with --change")),
    };
    for id in &subject.missing {
        cx.status(&format!(
            "warning: {id} is not a CI of the CMDB; it is left out"
        ));
    }

    let impact = cmdb::impact(
        &graph,
        &ws.config,
        loaded,
        &roots,
        subject.change.as_ref().map(|(id, _, _)| id.as_str()),
    );
    let text = match args.format {
        ImpactFormat::Json => {
            let mut doc = serde_json::to_value(&impact).unwrap_or_default();
            if let (Some((id, title, status)), Some(map)) = (&subject.change, doc.as_object_mut()) {
                map.insert(
                    "change".into(),
                    json!({ "id": id, "title": title, "status": status }),
                );
                map.insert("missing_cis".into(), json!(subject.missing));
            }
            let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
            s.push('\n');
            s
        }
        ImpactFormat::Text => render_text(&subject, &impact),
        ImpactFormat::Markdown => render_markdown(&subject, &impact),
    };
    stdout_write(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The record with `id`, or an error: invalid file (exit 1) or unknown id
/// with a suggestion among the ids of `kind` in the work tree (exit 2).
fn find<'a>(
    ws: &Workspace,
    loaded: &'a Loaded,
    id: &str,
    kind: Kind,
) -> Result<&'a Record, CommandError> {
    if let Some((_, record)) = loaded.find(id) {
        return Ok(record);
    }
    if let Some(f) = loaded.files.iter().find(|f| f.id.as_deref() == Some(id)) {
        return Err(CommandError::Failed(format!(
            "{id} ({}) is not valid; run `gitsm validate` and fix it first",
            f.path.display()
        )));
    }
    // Every id, not only those read (open tickets and CIs).
    let ids = crate::dataset::ids(ws);
    let of_kind = ids
        .iter()
        .map(String::as_str)
        .filter(|i| ws.config.ids.kind_of(i) == kind);
    let hint = suggest::closest(id, of_kind).map(|s| format!("did you mean `{s}`?"));
    Err(CommandError::Usage {
        message: format!("no {} with id `{id}`", kind.label()),
        hint,
    })
}

fn not_a(id: &str, record: &Record, kind: Kind) -> CommandError {
    CommandError::usage(format!(
        "`{id}` is a {}, not a {}",
        record.kind().label(),
        kind.label()
    ))
}

fn ci_line(c: &CiSummary) -> String {
    format!("{} ({}, {}, {})", c.id, c.name, c.class, c.status)
}

fn hops(n: usize) -> String {
    if n == 1 {
        "1 hop".into()
    } else {
        format!("{n} hops")
    }
}

/// One CI of a dependents or dependencies listing.
fn ci_row(s: &mut String, r: &ReachedCi, dependents: bool) {
    let _ = writeln!(
        s,
        "    {:<24} {:<28} {:<8} {}",
        r.ci.id,
        r.ci.name,
        hops(r.distance),
        via_text(r, dependents)
    );
}

fn via_text(r: &ReachedCi, dependents: bool) -> String {
    match &r.via {
        Some(v) if dependents => format!("{} {} {}", r.ci.id, v.relation, v.ci),
        Some(v) => format!("{} {} {}", v.ci, v.relation, r.ci.id),
        None => String::new(),
    }
}

fn ticket_line(t: &TicketOnChain) -> String {
    let mut s = t.id.clone();
    if let Some(p) = t.priority {
        let _ = write!(s, " [{}]", p.name());
    }
    let _ = write!(s, " {}", t.status);
    if t.known_error {
        s.push_str(" (known error)");
    }
    if let Some(w) = &t.window {
        let _ = write!(s, " {} → {}", w.start.to_rfc3339(), w.end.to_rfc3339());
    }
    let _ = write!(s, "  {}  on {}", t.title, t.cis.join(", "));
    s
}

fn render_text(subject: &Subject, impact: &Impact) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Impact of {}", subject.heading);
    for c in &impact.cis {
        let _ = writeln!(s, "  {}", ci_line(c));
    }
    if impact.cis.is_empty() {
        let _ = writeln!(s, "  (no CI of the CMDB)");
    }
    s.push('\n');
    if impact.services.is_empty() {
        let _ = writeln!(s, "Business services affected: none");
    } else {
        let names: Vec<String> = impact
            .services
            .iter()
            .map(|c| format!("{} ({})", c.id, c.name))
            .collect();
        let _ = writeln!(s, "Business services affected: {}", names.join(", "));
    }

    let _ = writeln!(s, "\nDepending on it ({}):", impact.dependent_count());
    if impact.dependents.is_empty() {
        let _ = writeln!(s, "  nothing");
    }
    for g in &impact.dependents {
        let _ = writeln!(
            s,
            "  {}{}",
            g.class,
            if g.service { " (business service)" } else { "" }
        );
        for r in &g.cis {
            ci_row(&mut s, r, true);
        }
    }

    let _ = writeln!(s, "\nIt depends on ({}):", impact.dependencies.len());
    if impact.dependencies.is_empty() {
        let _ = writeln!(s, "  nothing");
    }
    for r in &impact.dependencies {
        ci_row(&mut s, r, false);
    }

    for (heading, list) in [
        ("Open incidents", &impact.incidents),
        ("Open problems and known errors", &impact.problems),
        ("Scheduled and implementing changes", &impact.changes),
    ] {
        let _ = writeln!(s, "\n{heading} ({}):", list.len());
        if list.is_empty() {
            let _ = writeln!(s, "  none");
        }
        for t in list {
            let _ = writeln!(s, "  {}", ticket_line(t));
        }
    }
    s
}

/// Text for a Markdown table cell or list item: no line breaks, `|` escaped.
fn md(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An id as inline code.
fn code(id: &str) -> String {
    format!("`{}`", id.replace('`', "'"))
}

fn render_markdown(subject: &Subject, impact: &Impact) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "### Impact of {}\n", md(&subject.heading));
    let touched: Vec<String> = impact
        .cis
        .iter()
        .map(|c| format!("{} ({}, {})", code(&c.id), md(&c.name), md(&c.class)))
        .collect();
    let _ = writeln!(
        s,
        "**CIs {}:** {}\n",
        if subject.change.is_some() {
            "touched"
        } else {
            "analysed"
        },
        if touched.is_empty() {
            "none".into()
        } else {
            touched.join(", ")
        }
    );
    if !subject.missing.is_empty() {
        let missing: Vec<String> = subject.missing.iter().map(|m| code(m)).collect();
        let _ = writeln!(s, "**Not in the CMDB:** {}\n", missing.join(", "));
    }
    let services: Vec<String> = impact
        .services
        .iter()
        .map(|c| format!("{} ({})", md(&c.name), code(&c.id)))
        .collect();
    let _ = writeln!(
        s,
        "**Business services affected:** {}\n",
        if services.is_empty() {
            "none".into()
        } else {
            services.join(", ")
        }
    );

    let _ = writeln!(
        s,
        "#### Depending on these CIs ({})\n",
        impact.dependent_count()
    );
    if impact.dependents.is_empty() {
        let _ = writeln!(s, "Nothing depends on them.\n");
    } else {
        let _ = writeln!(s, "| CI | name | class | distance | via |");
        let _ = writeln!(s, "|---|---|---|---|---|");
        for g in &impact.dependents {
            for r in &g.cis {
                let via = r
                    .via
                    .as_ref()
                    .map(|v| format!("{} {}", md(&v.relation), code(&v.ci)))
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {via} |",
                    code(&r.ci.id),
                    md(&r.ci.name),
                    md(&g.class),
                    r.distance
                );
            }
        }
        s.push('\n');
    }

    if !impact.dependencies.is_empty() {
        let deps: Vec<String> = impact
            .dependencies
            .iter()
            .map(|r| format!("{} ({})", code(&r.ci.id), md(&r.ci.class)))
            .collect();
        let _ = writeln!(s, "**They depend on:** {}\n", deps.join(", "));
    }

    for (heading, list) in [
        ("Open incidents", &impact.incidents),
        ("Open problems and known errors", &impact.problems),
        (
            if subject.change.is_some() {
                "Other scheduled changes on this chain"
            } else {
                "Scheduled changes on this chain"
            },
            &impact.changes,
        ),
    ] {
        let _ = writeln!(s, "#### {heading} ({})\n", list.len());
        if list.is_empty() {
            let _ = writeln!(s, "None.\n");
            continue;
        }
        for t in list {
            let mut line = format!("- {}", code(&t.id));
            if let Some(p) = t.priority {
                let _ = write!(line, " **{}**", p.name());
            }
            let _ = write!(line, " {} · {}", md(&t.title), md(&t.status));
            if t.known_error {
                line.push_str(" · known error");
            }
            if let Some(w) = &t.window {
                let _ = write!(line, " · {} → {}", w.start.to_rfc3339(), w.end.to_rfc3339());
            }
            let cis: Vec<String> = t.cis.iter().map(|c| code(c)).collect();
            let _ = write!(line, " · on {}", cis.join(", "));
            let _ = writeln!(s, "{line}");
        }
        s.push('\n');
    }
    let _ = writeln!(s, "<sub>Generated by `gitsm impact`.</sub>");
    s
}
