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
mod apply;
mod commit;
mod mail;
mod mapping;
mod plan;

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use crate::config::IntakeSource;
use crate::create::{self, CreateError};
use crate::model::Timestamp;
use crate::update::UpdateError;
use crate::workspace::Workspace;

pub use alerts::Alert;
pub use commit::{commit, commit_message};
pub use mail::{Attachment, Mail};
use mapping::Rules;

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
    // A byte-order mark (some Windows tools write one) is not content.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
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
    let bot = plan::person_of(ws, &cfg.bot.email);
    let plans = events
        .into_iter()
        .map(|e| plan::plan(ws, &rules, &bot, e, now))
        .collect::<Result<Vec<_>, _>>()?;
    let mut creator = create::Creator::new(ws, now);
    let mut by_key: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for (plan, remarks) in plans {
        match apply::carry_out(ws, &mut creator, &mut by_key, &bot, plan, now) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_host_of_an_instance_has_no_port() {
        assert_eq!(plan::host_of("db-1:9100"), "db-1");
        assert_eq!(plan::host_of("db-1"), "db-1");
        assert_eq!(plan::host_of("[::1]:9100"), "::1");
        assert_eq!(plan::host_of("fe80::1"), "fe80::1");
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
    fn a_byte_order_mark_is_not_content() {
        let (source, events) =
            read("x", b"\xEF\xBB\xBF{\"key\": \"k\", \"title\": \"t\"}", None).expect("reads");
        assert_eq!((source, events.len()), (IntakeSource::Json, 1));
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

/// The whole path in process, on a work tree outside Git (the local index
/// is built in memory): repeats counted, then resolved through
/// `in_progress` as one edit.
#[cfg(test)]
mod flow_tests {
    use super::*;
    use crate::config::{AutoResolve, Config};

    fn workspace(dir: &std::path::Path) -> Workspace {
        let mut config = Config::default();
        config.intake.auto_resolve = Some(AutoResolve {
            code: "fixed".into(),
            notes: None,
        });
        Workspace {
            root: dir.to_path_buf(),
            config: crate::policy::Policy::new(config),
            schemas: crate::schema::Schemas::builtin().expect("schemas"),
            imported: Default::default(),
        }
    }

    fn alert(firing: bool) -> Vec<Event> {
        let status = if firing { "firing" } else { "resolved" };
        let payload = format!(
            r#"{{"key": "disk-1", "status": "{status}", "title": "Disk full", "severity": "critical"}}"#
        );
        read("test", payload.as_bytes(), None).expect("reads").1
    }

    #[test]
    fn repeats_are_counted_and_a_resolution_resolves() {
        let dir = tempfile::tempdir().expect("temp dir");
        let ws = workspace(dir.path());
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-21T10:00:00+01:00").expect("time");
        for n in 1..=3 {
            let out = take_in(&ws, alert(true), now).expect("taken in");
            assert_eq!(out[0].occurrences, Some(n));
            assert_eq!(out[0].id.as_deref(), Some("INC-0001"));
        }
        let out = take_in(&ws, alert(false), now).expect("taken in");
        assert_eq!(out[0].action, Action::Resolved);
        let text = std::fs::read_to_string(dir.path().join("incidents/INC-0001.yaml"))
            .expect("the incident");
        let json = crate::yaml::parse(&text).expect("YAML").to_json();
        assert_eq!(json["status"], "resolved");
        assert_eq!(json["priority"], "P1");
        assert_eq!(json["event"]["occurrences"], 3);
        assert_eq!(json["resolution"]["code"], "fixed");
        assert_eq!(json["assignee"], "intake@localhost");
        // Once resolved, nothing is open with that key.
        let out = take_in(&ws, alert(false), now).expect("taken in");
        assert_eq!(out[0].action, Action::Nothing);
    }
}
