//! `gitsm show <ID>`: one record, its computed priority, its SLA clocks and
//! its links both ways.

use std::fmt::Write as _;
use std::process::ExitCode;

use serde_json::{Value, json};

use crate::cmdb::{self, Similar};
use crate::dataset::Dataset;
use crate::links::{self, Link};
use crate::model::Record;
use crate::sla::TicketClocks;
use crate::suggest;

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::ui::{one_line, stdout_write};
use super::sla as sla_cmd;

/// Show one record with its computed priority, SLA clocks (read now, or at
/// GITSM_NOW) and links in both directions
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Record id, e.g. INC-0042 or payments-api
    #[arg(add = crate::cli::complete::record_id())]
    pub id: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    pub format: ShowFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowFormat {
    Text,
    Json,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let dataset = Dataset::around(cx.workspace()?, &args.id);
    cx.dataset(&dataset);
    cx.warnings(&dataset.warnings);
    let ws = &dataset.ws;
    let loaded = dataset.loaded();
    let Some((file, record)) = loaded.find(&args.id) else {
        if let Some(f) = loaded
            .files
            .iter()
            .find(|f| f.id.as_deref() == Some(args.id.as_str()))
        {
            // Read again with positions, for messages that point into it.
            let (_, diags) = crate::checks::read_record(ws, f.kind, &f.path);
            cx.print_diagnostics(&diags);
            return Err(CommandError::Failed(format!(
                "{} is not valid; fix it first",
                args.id
            )));
        }
        let ids = crate::dataset::ids(ws);
        let hint = suggest::closest(&args.id, ids.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"));
        return Err(CommandError::Usage {
            message: format!("no record with id `{}`", args.id),
            hint,
        });
    };
    let priority = crate::priority::of(record, &ws.config);
    let (outgoing, incoming) = links::both_ways(loaded, record.id());
    let path = file.path.to_string_lossy().replace('\\', "/");
    let similar = match record {
        Record::Incident(incident) => Some(cmdb::similar(loaded, incident)),
        Record::Problem(problem) => Some(Similar {
            articles: cmdb::problem_articles(loaded, problem),
            ..Similar::default()
        }),
        _ => None,
    };
    let clocks = match record {
        Record::Incident(_) | Record::Request(_) => {
            let now = cx.now()?;
            let transitions = crate::dataset::transitions_of(ws, record);
            crate::dataset::Clocks::new(&ws.config, dataset.records(), Some(&transitions))
                .and_then(|clocks| clocks.of(record, now))
                .map_err(|e| CommandError::usage(e.to_string()))?
        }
        _ => None,
    };
    let worklog = crate::worklog::of(&ws.config, record);
    let text = match args.format {
        ShowFormat::Json => {
            let mut doc = json!({
                "id": record.id(),
                "kind": record.kind(),
                "path": path,
                "priority": priority,
                "record": record.to_json(),
                "links": { "outgoing": outgoing, "incoming": incoming },
            });
            if let (Some(clocks), Some(map)) = (&clocks, doc.as_object_mut()) {
                map.insert("sla".into(), sla_cmd::clocks_json(clocks));
            }
            if let Some(map) = doc.as_object_mut() {
                map.insert("worklog".into(), json!(worklog));
            }
            if let (Some(similar), Some(map)) = (&similar, doc.as_object_mut()) {
                if let Record::Incident(_) = record {
                    map.insert("similar".into(), json!(similar.incidents));
                    map.insert("known_errors".into(), json!(similar.known_errors));
                }
                map.insert("articles".into(), json!(similar.articles));
            }
            let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
            s.push('\n');
            s
        }
        ShowFormat::Text => {
            let mut s = String::new();
            let p = priority
                .map(|p| format!("[{}] ", p.name()))
                .unwrap_or_default();
            let _ = writeln!(s, "{} {p}{}", record.id(), one_line(record.title()));
            let _ = writeln!(
                s,
                "{} · {} · {}",
                record.kind().label(),
                record.status(),
                cx.show_path(&ws.root, &file.path)
            );
            s.push('\n');
            let Value::Object(fields) = record.to_json() else {
                return Ok(ExitCode::SUCCESS);
            };
            let incident_review = match record {
                Record::Incident(inc) => inc.review.as_ref(),
                _ => None,
            };
            for (key, value) in &fields {
                if key == "review" && incident_review.is_some() {
                    continue;
                }
                if matches!(
                    key.as_str(),
                    "id" | "title"
                        | "name"
                        | "status"
                        | "description"
                        | "notes"
                        | "feedback"
                        | "on_hold"
                        | "escalations"
                        | "approvals"
                        | "body"
                        | "updates"
                        | "outage"
                ) {
                    continue;
                }
                let _ = writeln!(s, "{key:>20}: {}", super::super::output::inline(value));
            }
            contact_lines(&mut s, &ws.config, record);
            if let Some(d) = record.description() {
                let _ = writeln!(s, "\n{}", d.trim_end());
            }
            worklog_section(&mut s, &worklog);
            if let Record::Incident(inc) = record {
                outage_section(&mut s, &inc.outage);
            }
            if let Some(review) = incident_review {
                review_section(&mut s, review);
            }
            if let Some(clocks) = &clocks {
                sla_section(&mut s, clocks);
            }
            links_section(&mut s, "Links from this record", &outgoing);
            links_section(&mut s, "Links to this record", &incoming);
            if let Some(similar) = &similar {
                similar_section(&mut s, similar);
            }
            s
        }
    };
    stdout_write(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// A major incident's post-incident review: when, by whom, the summary,
/// and each action with its owner, due date and problem.
/// An incident's outages, in order of start: when, how long, how bad.
fn outage_section(s: &mut String, outages: &[crate::model::Outage]) {
    if outages.is_empty() {
        return;
    }
    let mut list: Vec<&crate::model::Outage> = outages.iter().collect();
    list.sort_by_key(|o| o.start);
    let _ = writeln!(s, "\nOutages");
    let time = |t: &crate::model::Timestamp| t.format("%Y-%m-%d %H:%M %:z").to_string();
    for o in list {
        let until = o.end.map_or_else(
            || "ongoing".to_owned(),
            |e| format!("{} ({}m)", time(&e), (e - o.start).num_minutes()),
        );
        let note = o
            .note
            .as_deref()
            .map_or_else(String::new, |n| format!(": {n}"));
        let _ = writeln!(
            s,
            "  {} - {until}  {}{note}",
            time(&o.start),
            o.scope.name()
        );
    }
}

fn review_section(s: &mut String, review: &crate::model::IncidentReview) {
    let _ = writeln!(
        s,
        "\nPost-incident review ({}, {})",
        review.at.format("%Y-%m-%d %H:%M %:z"),
        review.by
    );
    for line in review.summary.trim_end().lines() {
        let _ = writeln!(s, "  {line}");
    }
    for a in &review.actions {
        let mut about = Vec::new();
        if let Some(owner) = &a.owner {
            about.push(owner.clone());
        }
        if let Some(due) = a.due {
            about.push(format!("due {due}"));
        }
        about.push(
            a.problem
                .clone()
                .unwrap_or_else(|| "not tracked by a problem".to_owned()),
        );
        let _ = writeln!(s, "  - {} [{}]", a.text, about.join(", "));
    }
}

/// How to reach the person who reported or requested a ticket (and whom
/// a request is for): `contact: Marta Klein, +49 30 1234, Berlin HQ`,
/// from their `phone` and `location` in `people`.
fn contact_lines(s: &mut String, config: &crate::config::Config, record: &Record) {
    for person in record.people() {
        if !matches!(
            person.pointer.as_str(),
            "/reported_by" | "/requested_by" | "/requested_for"
        ) {
            continue;
        }
        let handle = config.person_by_email(&person.who).unwrap_or(&person.who);
        let Some(p) = config.people.get(handle) else {
            continue;
        };
        if p.phone.is_none() && p.location.is_none() {
            continue;
        }
        let parts: Vec<&str> = std::iter::once(p.name.as_str())
            .chain(p.phone.as_deref())
            .chain(p.location.as_deref())
            .collect();
        let _ = writeln!(s, "{:>20}: {}", "contact", parts.join(", "));
    }
}

/// `2026-09-03 12:17 +02:00  note        ben: text`, one entry a line
/// (a long text's further lines indented below).
fn worklog_section(s: &mut String, worklog: &[crate::worklog::Entry]) {
    if worklog.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nWorklog");
    for e in worklog {
        let sep = if e.text.trim().is_empty() { "" } else { ": " };
        let by =
            e.by.as_deref()
                .map(|b| format!("{b}{sep}"))
                .unwrap_or_default();
        let verdict = match (e.counts, &e.why) {
            (Some(true), _) if e.what == "rejected" => {
                " [blocks until it returns to new]".to_owned()
            }
            (Some(true), _) => " [counts]".to_owned(),
            (Some(false), Some(why)) => format!(" [does not count: {why}]"),
            (Some(false), None) => " [does not count]".to_owned(),
            (None, _) => String::new(),
        };
        let mut lines = e.text.trim_end().lines();
        let _ = writeln!(
            s,
            "  {}  {:<10}  {by}{}{verdict}",
            e.at.format("%Y-%m-%d %H:%M %:z"),
            e.what,
            lines.next().unwrap_or_default()
        );
        for line in lines {
            let _ = writeln!(s, "{:32}{line}", "");
        }
    }
}

/// `response  met  12m of 15m (P1) ...`: one line per clock.
/// The record's status changes in the history of HEAD, for the stamps its
/// record lacks (none outside a repository or before the first commit).
fn sla_section(s: &mut String, clocks: &TicketClocks) {
    let at = clocks.at.format("%Y-%m-%d %H:%M %:z");
    let style = sla_cmd::state_style(clocks.state());
    let state = clocks.state().name();
    let _ = writeln!(s, "\nSLA at {at}: {style}{state}{style:#}");
    for c in clocks.clocks() {
        let r = &c.reading;
        let style = sla_cmd::state_style(r.state);
        let calendar = c.target.calendar.as_deref().unwrap_or("24x7");
        let basis = sla_cmd::basis_text(&c.target.basis);
        let when = match &c.stop {
            Some(stop) => format!("stopped {}", stop.at.format("%Y-%m-%d %H:%M %:z")),
            None if r.state == crate::sla::ClockState::Breached => {
                format!(
                    "{} over, was due {}",
                    sla_cmd::span(-r.remaining),
                    sla_cmd::due_text(c)
                )
            }
            None => format!(
                "{} left, due {}",
                sla_cmd::span(r.remaining),
                sla_cmd::due_text(c)
            ),
        };
        let held = if r.paused { "; on hold" } else { "" };
        let _ = writeln!(
            s,
            "  {:<10}  {style}{:<8}{style:#}  {} of {} ({basis}, {calendar}); {when}{held}",
            c.kind.name(),
            r.state.name(),
            sla_cmd::span(r.elapsed),
            c.target.duration,
        );
    }
    if clocks.resolution.is_none() {
        let _ = writeln!(
            s,
            "  {:<10}  resolved, but the record does not say when",
            "resolution"
        );
    }
}

fn links_section(s: &mut String, heading: &str, links: &[Link]) {
    if links.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n{heading}:");
    for l in links {
        let about = match (&l.title, &l.status) {
            (Some(t), Some(st)) => format!("{t} ({st})"),
            _ => "(missing)".into(),
        };
        let _ = writeln!(s, "  {:<18} {:<14} {about}", l.field, l.id);
    }
}

/// How many similar incidents the text output lists.
const SIMILAR_SHOWN: usize = 5;

fn similar_section(s: &mut String, similar: &Similar) {
    if !similar.incidents.is_empty() {
        let _ = writeln!(s, "\nSimilar incidents (newest first):");
        for i in similar.incidents.iter().take(SIMILAR_SHOWN) {
            let why = if i.shared_cis.is_empty() {
                "same service and category".to_owned()
            } else {
                format!("on {}", i.shared_cis.join(", "))
            };
            let _ = writeln!(
                s,
                "  {:<14} {} {}  {} ({why})",
                i.id,
                i.at.format("%Y-%m-%d"),
                i.status,
                i.title
            );
            let code = i.resolution_code.as_deref().unwrap_or("no code");
            let notes = i
                .resolution_notes
                .as_deref()
                .map(|n| super::super::output::inline(&Value::String(n.trim().to_owned())))
                .unwrap_or_default();
            let _ = writeln!(s, "  {:<14} resolved: {code}  {notes}", "");
        }
        if similar.incidents.len() > SIMILAR_SHOWN {
            let _ = writeln!(
                s,
                "  … {} more (--format json lists all)",
                similar.incidents.len() - SIMILAR_SHOWN
            );
        }
    }
    if !similar.known_errors.is_empty() {
        let _ = writeln!(s, "\nKnown errors that may match:");
        for k in &similar.known_errors {
            let mut why = Vec::new();
            if !k.shared_cis.is_empty() {
                why.push(format!("on {}", k.shared_cis.join(", ")));
            }
            if !k.shared_words.is_empty() {
                why.push(format!("symptoms: {}", k.shared_words.join(", ")));
            }
            let _ = writeln!(
                s,
                "  {:<14} {}  {} ({})",
                k.id,
                k.status,
                k.title,
                why.join("; ")
            );
            if let Some(w) = &k.workaround {
                let _ = writeln!(
                    s,
                    "  {:<14} workaround: {}",
                    "",
                    super::super::output::inline(&Value::String(w.trim().to_owned()))
                );
            }
        }
    }
    if !similar.articles.is_empty() {
        let _ = writeln!(s, "\nKnowledge articles that may help:");
        for a in &similar.articles {
            let mut why = Vec::new();
            if a.documents_problem {
                why.push("documents its problem".to_owned());
            }
            if !a.shared_cis.is_empty() {
                why.push(format!("on {}", a.shared_cis.join(", ")));
            }
            if a.same_category {
                why.push("same category".to_owned());
            }
            if !a.shared_words.is_empty() {
                why.push(format!("words: {}", a.shared_words.join(", ")));
            }
            let _ = writeln!(s, "  {:<14} {} ({})", a.id, a.title, why.join("; "));
        }
    }
}
