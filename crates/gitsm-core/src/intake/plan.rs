//! Each event mapped to what it will do, before anything is written: the
//! record an alert or a mail opens (its fields from the severity, the
//! labels, the rules and the defaults, each checked against the CIs,
//! groups, categories and catalogue of the repository), or the record a
//! reply names.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::config::{IntakeConfig, IntakeFields, IntakeKind, IntakeSource};
use crate::create;
use crate::kind::Kind;
use crate::model::{Level, Timestamp};
use crate::update;
use crate::workspace::Workspace;

use super::mapping::{Facts, Rules};
use super::{Alert, Attachment, Event, IntakeError, Mail, mail, one_line};

/// An event mapped, ready to be carried out.
pub(super) enum Plan {
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

/// The handle of the person with `email`, else the email.
pub(super) fn person_of(ws: &Workspace, email: &str) -> String {
    ws.config
        .person_by_email(email)
        .map_or_else(|| email.to_owned(), str::to_owned)
}

pub(super) fn plan(
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
pub(super) fn plan_alert(
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
pub(super) fn levels(
    cfg: &IntakeConfig,
    alert: &Alert,
    set: &IntakeFields,
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
pub(super) fn common_fields(
    ws: &Workspace,
    doc: &mut serde_json::Map<String, Value>,
    set: &IntakeFields,
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
pub(super) fn plan_mail(
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

pub(super) fn attachment_list(list: &[Attachment]) -> String {
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
pub(super) fn known_service(
    ws: &Workspace,
    field: &str,
    name: &str,
) -> Result<String, IntakeError> {
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
pub(super) fn ci_class(ws: &Workspace, id: &str) -> Option<Option<String>> {
    if ws.config.ids.kind_of(id) != Kind::Ci {
        return None;
    }
    let ci = update::open(ws, id).ok()?;
    (ci.kind == Kind::Ci).then(|| ci.field("class").and_then(Value::as_str).map(str::to_owned))
}

pub(super) fn is_service(ws: &Workspace, class: Option<&str>) -> bool {
    class.is_some_and(|c| ws.config.ci.classes.get(c).is_some_and(|c| c.service))
}

/// `db-1` of `db-1:9100`, `[::1]:9100` → `::1`.
pub(super) fn host_of(instance: &str) -> &str {
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
