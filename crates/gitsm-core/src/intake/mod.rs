//! `gitsm intake`: events become records. Alerts (Prometheus Alertmanager,
//! Grafana, gitsm's generic JSON) open incidents, de-duplicated by the
//! alert's key (`event.key` of an open incident); service-desk mail opens
//! requests, and a reply whose subject names a record becomes a note on it.
//!
//! The input is checked whole before anything is written: its size (before
//! it is parsed), its syntax, and the mapping of every event (rules,
//! severities, the CIs, groups and catalogue items named). Records are then
//! created with [`crate::create`] and edited with [`crate::update`], so each
//! is validated before it is written.

mod alerts;
mod mail;
mod mapping;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use serde::Serialize;
use serde_json::{Value, json};

use crate::config::{IntakeConfig, IntakeKind, IntakeSource};
use crate::create::{self, CreateError};
use crate::kind::Kind;
use crate::model::{Level, Timestamp};
use crate::update::{self, UpdateError};
use crate::workspace::Workspace;

pub use alerts::Alert;
pub use mail::{Attachment, Mail};
use mapping::{Facts, Rules};

/// Largest JSON payload taken in (alerts): refused before it is parsed.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;
/// Largest mail taken in, attachments included.
pub const MAX_MAIL_BYTES: usize = 10 * 1024 * 1024;
/// Longest title written (in characters); the rest is in the description.
const MAX_TITLE_CHARS: usize = 200;

/// Why an input was not taken in. Every variant but `Create`, `Update` and
/// `Commit` is found before anything is written.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error(
        "{input}: more than {limit} bytes, the most a {what} may have; it was not read further and nothing was written"
    )]
    TooLarge {
        input: String,
        limit: usize,
        what: &'static str,
    },
    /// The input is not what its format says (`input:line:col` where known).
    #[error("{message}")]
    Malformed { message: String },
    #[error("{input}: cannot tell the format of this input")]
    Unknown { input: String },
    /// An event maps to nothing the repository knows, or a rule is wrong.
    #[error("{message}")]
    Mapping {
        message: String,
        hint: Option<String>,
    },
    #[error(transparent)]
    Create(#[from] CreateError),
    #[error(transparent)]
    Update(#[from] UpdateError),
    #[error("the records were written, but the commit failed: {0}")]
    Commit(String),
    /// An event failed after those before it were carried out (`done`).
    #[error("{error}")]
    Partial {
        done: Vec<Outcome>,
        error: Box<IntakeError>,
    },
}

impl IntakeError {
    fn mapping(message: impl Into<String>, hint: impl Into<Option<String>>) -> Self {
        IntakeError::Mapping {
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// One event of an input.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Alert(Alert),
    Mail(Mail),
}

/// The events of `bytes` (named `input` in messages), in `format` or the
/// format they show: JSON with `alerts` and `orgId` or `state` is Grafana's,
/// with `alerts` and `version` Alertmanager's, other JSON the generic event;
/// text that starts with a header field is mail. The size is checked first.
pub fn read(
    input: &str,
    bytes: &[u8],
    format: Option<IntakeSource>,
) -> Result<(IntakeSource, Vec<Event>), IntakeError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let is_mail = match format {
        Some(f) => f == IntakeSource::Email,
        None => !matches!(first, Some(b'{' | b'[')) && mail::looks_like_mail(bytes),
    };
    if is_mail {
        if bytes.len() > MAX_MAIL_BYTES {
            return Err(IntakeError::TooLarge {
                input: input.into(),
                limit: MAX_MAIL_BYTES,
                what: "mail",
            });
        }
        let mail = mail::parse(input, bytes)?;
        return Ok((IntakeSource::Email, vec![Event::Mail(mail)]));
    }
    if bytes.len() > MAX_JSON_BYTES {
        return Err(IntakeError::TooLarge {
            input: input.into(),
            limit: MAX_JSON_BYTES,
            what: "JSON payload",
        });
    }
    if format.is_none() && !matches!(first, Some(b'{' | b'[')) {
        return Err(IntakeError::Unknown {
            input: input.into(),
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| IntakeError::Malformed {
        message: format!("{input}: not UTF-8 (byte {})", e.valid_up_to()),
    })?;
    let value = alerts::json(input, text)?;
    let source = match format {
        Some(f) => f,
        None => detect(&value).ok_or_else(|| IntakeError::Unknown {
            input: input.into(),
        })?,
    };
    let alerts = match source {
        IntakeSource::Json => alerts::generic(input, value)?,
        _ => alerts::webhook(input, source, value)?,
    };
    Ok((source, alerts.into_iter().map(Event::Alert).collect()))
}

/// The format a JSON value shows.
fn detect(v: &Value) -> Option<IntakeSource> {
    if v.is_array() {
        return Some(IntakeSource::Json);
    }
    let has = |k: &str| v.get(k).is_some();
    if v.get("alerts").is_some_and(Value::is_array) {
        if has("orgId") || has("state") {
            return Some(IntakeSource::Grafana);
        }
        if has("version") {
            return Some(IntakeSource::Alertmanager);
        }
        return None;
    }
    has("key").then_some(IntakeSource::Json)
}

/// What intake did with one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A record was created.
    Opened,
    /// A note was added (a reply, or a resolved alert without auto-resolve).
    Noted,
    /// A repeat of an alert: a note, and `event.occurrences` counts it.
    Repeated,
    /// The incident was resolved.
    Resolved,
    /// Nothing to do (a resolved alert without an open incident).
    Nothing,
}

/// What intake did with one event, for the output.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub source: IntakeSource,
    /// The alert's name or the mail's subject.
    pub event: String,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The record's file, relative to the managed root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// The alert's deliveries so far, for an incident opened or repeated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurrences: Option<u64>,
    /// Why nothing was done, or what the mapping could not place.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<String>,
}

/// An event mapped, ready to be carried out.
enum Plan {
    Open {
        kind: Kind,
        value: Value,
        key: Option<String>,
    },
    Alert {
        alert: Alert,
        open: Box<Plan>,
    },
    Reply {
        id: String,
        by: String,
        text: String,
        subject: String,
    },
}

/// Take the events in: map every one (an error leaves everything as it
/// was), then open, note, count or resolve records event by event (an
/// error there is [`IntakeError::Partial`] when events before it were
/// carried out).
pub fn take_in(
    ws: &Workspace,
    events: Vec<Event>,
    now: Timestamp,
) -> Result<Vec<Outcome>, IntakeError> {
    let cfg = &ws.config.intake;
    let rules = Rules::compile(cfg)?;
    let bot = person_of(ws, &cfg.bot.email);
    let plans = events
        .into_iter()
        .map(|e| plan(ws, &rules, &bot, e, now))
        .collect::<Result<Vec<_>, _>>()?;
    let mut creator = create::Creator::new(ws, now);
    let mut by_key: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for (plan, remarks) in plans {
        match carry_out(ws, &mut creator, &mut by_key, &bot, plan, now) {
            Ok(mut outcome) => {
                outcome.remarks.extend(remarks);
                out.push(outcome);
            }
            Err(error) if out.is_empty() => return Err(error),
            Err(error) => {
                return Err(IntakeError::Partial {
                    done: out,
                    error: Box::new(error),
                });
            }
        }
    }
    Ok(out)
}

/// The handle of the person with `email`, else the email.
fn person_of(ws: &Workspace, email: &str) -> String {
    ws.config
        .person_by_email(email)
        .map_or_else(|| email.to_owned(), str::to_owned)
}

fn plan(
    ws: &Workspace,
    rules: &Rules,
    bot: &str,
    event: Event,
    now: Timestamp,
) -> Result<(Plan, Vec<String>), IntakeError> {
    match event {
        Event::Alert(alert) => {
            let (open, remarks) = plan_alert(ws, rules, bot, &alert, now)?;
            Ok((
                Plan::Alert {
                    alert,
                    open: Box::new(open),
                },
                remarks,
            ))
        }
        Event::Mail(mail) => plan_mail(ws, rules, mail, now),
    }
}

/// The incident an alert opens when no open one has its key.
fn plan_alert(
    ws: &Workspace,
    rules: &Rules,
    bot: &str,
    alert: &Alert,
    now: Timestamp,
) -> Result<(Plan, Vec<String>), IntakeError> {
    let cfg = &ws.config.intake;
    let facts = Facts {
        source: alert.source,
        labels: &alert.labels,
        sender: None,
        subject: &alert.title,
        body: &alert.description,
    };
    let set = rules.first(&facts).unwrap_or_default();
    if set.kind == Some(IntakeKind::Request) {
        return Err(IntakeError::mapping(
            format!(
                "alert `{}`: a rule makes it a request, but alerts open incidents",
                alert.name
            ),
            Some(
                "take `kind: request` out of the rule, or add `source: [email]` to its match"
                    .into(),
            ),
        ));
    }
    let mut remarks = Vec::new();
    let (impact, urgency) = levels(cfg, alert, &set)?;
    let title = one_line(&alert.title);
    let mut doc = create::defaults(ws, Kind::Incident, &title, Some(bot), now);
    doc.insert("impact".into(), json!(impact.name()));
    doc.insert("urgency".into(), json!(urgency.name()));
    let mut service = None;
    let mut cis = Vec::new();
    match &set.service {
        Some(s) => service = Some(known_service(ws, "service", s)?),
        None => {
            let named = alert
                .labels
                .get("service")
                .map(|s| ("service", s.clone()))
                .or_else(|| {
                    alert
                        .labels
                        .get("instance")
                        .map(|i| ("instance", host_of(i).to_owned()))
                });
            if let Some((label, name)) = named.filter(|(_, n)| !n.is_empty()) {
                match ci_class(ws, &name) {
                    Some(class) if is_service(ws, class.as_deref()) => service = Some(name),
                    Some(_) => cis.push(name),
                    None => remarks.push(format!(
                        "label `{label}` names `{}`, which is no CI here",
                        one_line(&name)
                    )),
                }
            }
        }
    }
    for ci in set.ci.iter().chain(alert.ci.iter()) {
        if ci_class(ws, ci).is_none() {
            return Err(IntakeError::mapping(
                format!("alert `{}`: `{ci}` is not a CI", alert.name),
                Some("name a CI id of cis/, or correct the rule".into()),
            ));
        }
        if !cis.contains(ci) {
            cis.push(ci.clone());
        }
    }
    if let Some(s) = service {
        doc.insert("service".into(), json!(s));
    }
    if !cis.is_empty() {
        doc.insert("affected_cis".into(), json!(cis));
    }
    common_fields(ws, &mut doc, &set, true)?;
    let mut description = Vec::new();
    if !alert.description.trim().is_empty() {
        description.push(alert.description.trim().to_owned());
    }
    if title != alert.title.trim() {
        description.push(format!("Alert: {}", alert.title.trim()));
    }
    if !alert.labels.is_empty() {
        let lines: Vec<String> = alert
            .labels
            .iter()
            .map(|(k, v)| format!("- {}: {}", one_line(k), one_line(v)))
            .collect();
        description.push(format!("Labels:\n\n{}", lines.join("\n")));
    }
    description.extend(remarks.iter().map(|r| format!("Note: {r}.")));
    if !description.is_empty() {
        doc.insert("description".into(), json!(description.join("\n\n") + "\n"));
    }
    doc.insert(
        "event".into(),
        json!({
            "source": alert.source.name(),
            "key": alert.key,
            "occurrences": 1,
            "last_at": create::stamp(now),
        }),
    );
    Ok((
        Plan::Open {
            kind: Kind::Incident,
            value: Value::Object(doc),
            key: Some(alert.key.clone()),
        },
        remarks,
    ))
}

/// Impact and urgency: a rule's, else the `severity` label's, else the
/// defaults'. An unknown severity is an error.
fn levels(
    cfg: &IntakeConfig,
    alert: &Alert,
    set: &crate::config::IntakeFields,
) -> Result<(Level, Level), IntakeError> {
    let (mut impact, mut urgency) = (cfg.defaults.impact, cfg.defaults.urgency);
    if let Some(sev) = alert.labels.get("severity")
        && (set.impact.is_none() || set.urgency.is_none())
    {
        let Some(s) = cfg.severities.get(sev.as_str()) else {
            return Err(IntakeError::mapping(
                format!(
                    "alert `{}`: severity `{}` is not one of intake.severities ({})",
                    alert.name,
                    one_line(sev),
                    cfg.severities
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Some(format!(
                    "add `{}: {{impact: ..., urgency: ...}}` under `intake.severities` in gitsm.yaml",
                    one_line(sev)
                )),
            ));
        };
        (impact, urgency) = (s.impact, s.urgency);
    }
    let level = |field: &str, v: &str| {
        serde_json::from_value::<Level>(json!(v)).map_err(|_| {
            IntakeError::mapping(
                format!(
                    "alert `{}`: {field} `{v}` is not high, medium or low",
                    alert.name
                ),
                Some("correct the rule in `intake.rules`".to_owned()),
            )
        })
    };
    if let Some(v) = &set.impact {
        impact = level("impact", v)?;
    }
    if let Some(v) = &set.urgency {
        urgency = level("urgency", v)?;
    }
    Ok((impact, urgency))
}

/// Team and category (incidents) from a rule or the defaults, checked.
fn common_fields(
    ws: &Workspace,
    doc: &mut serde_json::Map<String, Value>,
    set: &crate::config::IntakeFields,
    incident: bool,
) -> Result<(), IntakeError> {
    let cfg = &ws.config.intake;
    let team = match set.team.as_ref().or(cfg.defaults.team.as_ref()) {
        Some(t) if ws.config.groups.contains_key(t) => Some(t.clone()),
        Some(t) => match &cfg.defaults.team {
            Some(d) if ws.config.groups.contains_key(d) => Some(d.clone()),
            _ => {
                return Err(IntakeError::mapping(
                    format!("team `{t}` is not a group of gitsm.yaml"),
                    Some("name a group under `groups`, or set `intake.defaults.team`".to_owned()),
                ));
            }
        },
        None => None,
    };
    if let Some(t) = team {
        doc.insert("team".into(), json!(t));
    }
    if incident && let Some(c) = set.category.as_ref().or(cfg.defaults.category.as_ref()) {
        let known = |c: &str| {
            ws.config.categories.is_empty() || ws.config.categories.iter().any(|k| k == c)
        };
        let category = if known(c) {
            c.clone()
        } else {
            match &cfg.defaults.category {
                Some(d) if known(d) => d.clone(),
                _ => {
                    return Err(IntakeError::mapping(
                        format!("category `{c}` is not one of `categories`"),
                        Some(
                            "add it to `categories`, or set `intake.defaults.category`".to_owned(),
                        ),
                    ));
                }
            }
        };
        doc.insert("category".into(), json!(category));
    }
    Ok(())
}

/// A mail: a note on the record its subject names, else a new record.
fn plan_mail(
    ws: &Workspace,
    rules: &Rules,
    mail: Mail,
    now: Timestamp,
) -> Result<(Plan, Vec<String>), IntakeError> {
    let by = person_of(ws, &mail.from);
    if let Some(id) = mail::named_id(&mail.subject) {
        // The record must exist: a reply to nothing is an error, not a guess.
        let target = update::open(ws, id)?;
        let mut text = mail::reply_text(&mail.body);
        if text.is_empty() {
            text = format!("(reply without text: {})", one_line(&mail.subject));
        }
        text.push_str(&attachment_list(&mail.attachments));
        return Ok((
            Plan::Reply {
                id: target.id.clone(),
                by,
                text,
                subject: one_line(&mail.subject),
            },
            Vec::new(),
        ));
    }
    let cfg = &ws.config.intake;
    let facts = Facts {
        source: IntakeSource::Email,
        labels: &BTreeMap::new(),
        sender: Some(&mail.from),
        subject: &mail.subject,
        body: &mail.body,
    };
    let set = rules.first(&facts).unwrap_or_default();
    let kind = match set.kind {
        Some(IntakeKind::Incident) => Kind::Incident,
        _ => Kind::Request,
    };
    let mut title = one_line(&mail.subject);
    if title.is_empty() {
        title = "(no subject)".into();
    }
    let mut doc = create::defaults(ws, kind, &title, Some(&by), now);
    let mut cis = Vec::new();
    if let Some(ci) = &set.ci {
        if ci_class(ws, ci).is_none() {
            return Err(IntakeError::mapping(
                format!("mail `{title}`: `{ci}` is not a CI"),
                Some("correct the rule in `intake.rules`".to_owned()),
            ));
        }
        cis.push(ci.clone());
    }
    if kind == Kind::Request {
        let item = set
            .catalog_item
            .clone()
            .unwrap_or_else(|| cfg.defaults.catalog_item.clone());
        let item = if ws.config.catalog.contains_key(&item) {
            item
        } else if ws.config.catalog.contains_key(&cfg.defaults.catalog_item) {
            cfg.defaults.catalog_item.clone()
        } else {
            return Err(IntakeError::mapping(
                format!("catalogue item `{item}` is not in `catalog`"),
                Some(format!(
                    "add `{item}` to `catalog` in gitsm.yaml, or set `intake.defaults.catalog_item` to an item it has"
                )),
            ));
        };
        doc.insert("catalog_item".into(), json!(item));
        if !cis.is_empty() {
            doc.insert("cis".into(), json!(cis));
        }
    } else {
        let alertish = Alert {
            source: IntakeSource::Email,
            key: String::new(),
            firing: true,
            name: title.clone(),
            title: title.clone(),
            description: String::new(),
            labels: BTreeMap::new(),
            ci: None,
            started: None,
            ended: None,
        };
        let (impact, urgency) = levels(cfg, &alertish, &set)?;
        doc.insert("impact".into(), json!(impact.name()));
        doc.insert("urgency".into(), json!(urgency.name()));
        if let Some(s) = &set.service {
            doc.insert("service".into(), json!(known_service(ws, "service", s)?));
        }
        if !cis.is_empty() {
            doc.insert("affected_cis".into(), json!(cis));
        }
    }
    common_fields(ws, &mut doc, &set, kind == Kind::Incident)?;
    let mut description = mail.body.trim().to_owned();
    description.push_str(&attachment_list(&mail.attachments));
    if title != mail.subject.trim() {
        description.push_str(&format!("\n\nSubject: {}", one_line(&mail.subject)));
    }
    if !description.trim().is_empty() {
        doc.insert(
            "description".into(),
            json!(description.trim().to_owned() + "\n"),
        );
    }
    Ok((
        Plan::Open {
            kind,
            value: Value::Object(doc),
            key: None,
        },
        Vec::new(),
    ))
}

fn attachment_list(list: &[Attachment]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let lines: Vec<String> = list
        .iter()
        .map(|a| {
            format!(
                "- {} ({}, {} bytes)",
                one_line(&a.name),
                a.content_type,
                a.size
            )
        })
        .collect();
    format!("\n\nAttachments (not stored):\n\n{}", lines.join("\n"))
}

/// A service a rule names: a CI (of a service class, which validation
/// checks), else `intake.defaults.service`, else an error.
fn known_service(ws: &Workspace, field: &str, name: &str) -> Result<String, IntakeError> {
    if ci_class(ws, name).is_some() {
        return Ok(name.to_owned());
    }
    match &ws.config.intake.defaults.service {
        Some(d) if ci_class(ws, d).is_some() => Ok(d.clone()),
        _ => Err(IntakeError::mapping(
            format!("{field} `{name}` is not a CI"),
            Some("name a CI id of cis/ in the rule, or set `intake.defaults.service`".to_owned()),
        )),
    }
}

/// The class of the CI `id` (`Some(None)`: a CI without one); `None` when
/// no CI has that id.
fn ci_class(ws: &Workspace, id: &str) -> Option<Option<String>> {
    if ws.config.ids.kind_of(id) != Kind::Ci {
        return None;
    }
    let ci = update::open(ws, id).ok()?;
    (ci.kind == Kind::Ci).then(|| ci.field("class").and_then(Value::as_str).map(str::to_owned))
}

fn is_service(ws: &Workspace, class: Option<&str>) -> bool {
    class.is_some_and(|c| ws.config.ci.classes.get(c).is_some_and(|c| c.service))
}

/// `db-1` of `db-1:9100`, `[::1]:9100` → `::1`.
fn host_of(instance: &str) -> &str {
    let s = instance.trim();
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    match s.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) && !host.contains(':') => {
            host
        }
        _ => s,
    }
}

/// One line of text: control characters (line breaks included) become
/// spaces, runs of spaces one, and it is cut at [`MAX_TITLE_CHARS`].
pub fn one_line(s: &str) -> String {
    let spaced: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.chars().count() > MAX_TITLE_CHARS {
        out = out.chars().take(MAX_TITLE_CHARS - 1).collect::<String>() + "…";
    }
    out
}

fn carry_out(
    ws: &Workspace,
    creator: &mut create::Creator<'_>,
    by_key: &mut HashMap<String, String>,
    bot: &str,
    plan: Plan,
    now: Timestamp,
) -> Result<Outcome, IntakeError> {
    match plan {
        Plan::Reply {
            id,
            by,
            text,
            subject,
        } => {
            let target = update::open(ws, &id)?;
            let updated = update::note(ws, std::slice::from_ref(&target), &text, Some(&by), now)?;
            Ok(Outcome {
                source: IntakeSource::Email,
                event: subject,
                action: Action::Noted,
                id: Some(id),
                path: updated.first().map(|u| u.path.clone()),
                occurrences: None,
                remarks: Vec::new(),
            })
        }
        Plan::Open { kind, value, key } => {
            let title = value
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let prepared = creator.prepare(kind, value)?;
            create::write_all(ws, std::slice::from_ref(&prepared))?;
            if let Some(key) = key {
                by_key.insert(key, prepared.id.clone());
            }
            Ok(Outcome {
                source: IntakeSource::Email,
                event: title,
                action: Action::Opened,
                id: Some(prepared.id),
                path: Some(prepared.rel),
                occurrences: None,
                remarks: Vec::new(),
            })
        }
        Plan::Alert { alert, open } => {
            let found = by_key
                .get(&alert.key)
                .cloned()
                .or_else(|| crate::dataset::open_incident_with_event(ws, &alert.key));
            let base = Outcome {
                source: alert.source,
                event: one_line(&alert.name),
                action: Action::Nothing,
                id: found.clone(),
                path: None,
                occurrences: None,
                remarks: Vec::new(),
            };
            match (found, alert.firing) {
                (None, true) => {
                    let mut out = carry_out(ws, creator, by_key, bot, *open, now)?;
                    out.source = alert.source;
                    out.event = one_line(&alert.name);
                    out.occurrences = Some(1);
                    Ok(out)
                }
                (None, false) => Ok(Outcome {
                    remarks: vec![format!(
                        "it is resolved, and no open incident has its key `{}`",
                        one_line(&alert.key)
                    )],
                    ..base
                }),
                (Some(id), true) => {
                    let target = update::open(ws, &id)?;
                    let seen = target
                        .field("event")
                        .and_then(|e| e.get("occurrences"))
                        .and_then(Value::as_u64)
                        .unwrap_or(1)
                        + 1;
                    let mut text = format!(
                        "Alert `{}` fired again (occurrence {seen})",
                        one_line(&alert.name)
                    );
                    if let Some(at) = &alert.started {
                        text.push_str(&format!(", active since {}", one_line(at)));
                    }
                    text.push('.');
                    let updated = update::repeat(ws, &target, &text, bot, true, now)?;
                    Ok(Outcome {
                        action: Action::Repeated,
                        path: Some(updated.path),
                        occurrences: Some(seen),
                        ..base
                    })
                }
                (Some(id), false) => {
                    let target = update::open(ws, &id)?;
                    let mut text = format!("Alert `{}` resolved", one_line(&alert.name));
                    if let Some(at) = &alert.ended {
                        text.push_str(&format!(" at {}", one_line(at)));
                    }
                    text.push_str(&format!(" ({}).", alert.source.name()));
                    match &ws.config.intake.auto_resolve {
                        None => {
                            let updated = update::repeat(ws, &target, &text, bot, false, now)?;
                            Ok(Outcome {
                                action: Action::Noted,
                                path: Some(updated.path),
                                remarks: vec![
                                    "intake.auto_resolve is not set: the incident stays open"
                                        .to_owned(),
                                ],
                                ..base
                            })
                        }
                        Some(auto) => {
                            let notes = auto.notes.clone().unwrap_or_else(|| text.clone());
                            let assignments = [
                                assignment("resolution.code", &auto.code),
                                assignment("resolution.notes", &notes),
                                assignment("event.last_at", &now_text(now)),
                            ];
                            let req = update::TransitionRequest {
                                to: "resolved",
                                note: Some(&text),
                                reason: None,
                                assignments: &assignments,
                                now,
                                person: Some(bot),
                            };
                            let moved = update::transition_along(ws, &target, &req)?;
                            Ok(Outcome {
                                action: Action::Resolved,
                                path: Some(moved.update.path),
                                ..base
                            })
                        }
                    }
                }
            }
        }
    }
}

fn assignment(key: &str, value: &str) -> crate::assign::Assignment {
    crate::assign::Assignment {
        path: key.split('.').map(str::to_owned).collect(),
        value: value.to_owned(),
    }
}

fn now_text(now: Timestamp) -> String {
    create::stamp(now).as_str().unwrap_or_default().to_owned()
}

/// The commit message for what intake did: `intake: open INC-0042 from
/// alertmanager (HighLatency)`, a line per event in the body when there
/// are several.
pub fn commit_message(outcomes: &[Outcome]) -> String {
    let done: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.action != Action::Nothing)
        .collect();
    let verb = |o: &Outcome| match o.action {
        Action::Opened => "open",
        Action::Noted => "note",
        Action::Repeated => "count",
        Action::Resolved => "resolve",
        Action::Nothing => "skip",
    };
    let line = |o: &Outcome| {
        format!(
            "{} {} from {} ({})",
            verb(o),
            o.id.as_deref().unwrap_or("?"),
            o.source.name(),
            one_line(&o.event)
        )
    };
    let mut subject = match done.as_slice() {
        [one] => format!("intake: {}", line(one)),
        many => format!(
            "intake: {} from {}",
            many.iter()
                .map(|o| format!("{} {}", verb(o), o.id.as_deref().unwrap_or("?")))
                .collect::<Vec<_>>()
                .join(", "),
            many.first().map_or("?", |o| o.source.name())
        ),
    };
    if subject.chars().count() > 72 {
        subject = subject.chars().take(71).collect::<String>() + "…";
    }
    let mut message = subject + "\n";
    if done.len() > 1 || done.iter().any(|o| line(o).chars().count() > 60) {
        message.push('\n');
        for o in &done {
            message.push_str(&format!("- {}\n", line(o)));
        }
    }
    message
}

/// Commit the files of `outcomes` (and nothing else) as `intake.bot`, at
/// `now`, on the current branch. `None` when nothing was written.
pub fn commit(
    ws: &Workspace,
    outcomes: &[Outcome],
    now: Timestamp,
) -> Result<Option<String>, IntakeError> {
    let fail = |m: String| IntakeError::Commit(m);
    let mut files: Vec<PathBuf> = outcomes
        .iter()
        .filter(|o| o.action != Action::Nothing)
        .filter_map(|o| o.path.clone())
        .collect();
    files.sort();
    files.dedup();
    if files.is_empty() {
        return Ok(None);
    }
    let repo = crate::git::open(&ws.root)
        .ok_or_else(|| fail("the managed root is not in a Git work tree".into()))?;
    let prefix = crate::git::prefix(&repo, &ws.root).unwrap_or_default();
    let paths: Vec<PathBuf> = files.iter().map(|f| prefix.join(f)).collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
    let bot = &ws.config.intake.bot;
    let time = git2::Time::new(now.timestamp(), now.offset().local_minus_utc() / 60);
    let sig = git2::Signature::new(&bot.name, &bot.email, &time)
        .map_err(|e| fail(format!("intake.bot: {}", e.message())))?;
    let oid = crate::commit::commit_paths(&repo, &refs, &sig, &commit_message(outcomes))
        .map_err(|e| fail(e.message().to_owned()))?;
    Ok(Some(oid.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_of_an_instance_has_no_port() {
        assert_eq!(host_of("db-1:9100"), "db-1");
        assert_eq!(host_of("db-1"), "db-1");
        assert_eq!(host_of("[::1]:9100"), "::1");
        assert_eq!(host_of("fe80::1"), "fe80::1");
    }

    #[test]
    fn a_title_is_one_line_without_control_characters() {
        assert_eq!(
            one_line("a\r\nstatus: closed\u{1b}[31m"),
            "a status: closed [31m"
        );
        assert_eq!(one_line(&"x".repeat(500)).chars().count(), MAX_TITLE_CHARS);
    }

    #[test]
    fn payloads_show_their_format() {
        let am = json!({"version": "4", "alerts": []});
        let gf = json!({"version": "1", "orgId": 1, "state": "alerting", "alerts": []});
        assert_eq!(detect(&am), Some(IntakeSource::Alertmanager));
        assert_eq!(detect(&gf), Some(IntakeSource::Grafana));
        assert_eq!(detect(&json!({"key": "k"})), Some(IntakeSource::Json));
        assert_eq!(detect(&json!({"alerts": []})), None);
    }

    #[test]
    fn oversized_input_is_refused_before_it_is_parsed() {
        let big = vec![b'{'; MAX_JSON_BYTES + 1];
        assert!(matches!(
            read("x", &big, None),
            Err(IntakeError::TooLarge { .. })
        ));
    }

    #[test]
    fn one_event_makes_a_one_line_commit_subject() {
        let o = Outcome {
            source: IntakeSource::Alertmanager,
            event: "HighLatency".into(),
            action: Action::Opened,
            id: Some("INC-0042".into()),
            path: None,
            occurrences: Some(1),
            remarks: Vec::new(),
        };
        assert_eq!(
            commit_message(&[o]),
            "intake: open INC-0042 from alertmanager (HighLatency)\n"
        );
    }
}
