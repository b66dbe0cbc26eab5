//! Alerts from monitoring: Prometheus Alertmanager and Grafana webhooks and
//! gitsm's generic JSON event, each read into [`Alert`]s.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::config::IntakeSource;

use super::IntakeError;

/// One alert, whatever sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub source: IntakeSource,
    /// What identifies it across deliveries (`fingerprint`, `key`).
    pub key: String,
    /// `firing` (true) or `resolved`.
    pub firing: bool,
    /// A short name for messages: `alertname`, else the title.
    pub name: String,
    /// One line: the `summary` annotation, else `alertname`.
    pub title: String,
    /// What the sender says about it (Markdown paragraphs), links included.
    pub description: String,
    pub labels: BTreeMap<String, String>,
    /// A CI the event names outright (the generic JSON's `ci`).
    pub ci: Option<String>,
    /// When it started or ended, as the sender wrote it.
    pub started: Option<String>,
    pub ended: Option<String>,
}

/// Alertmanager's webhook payload (`version: "4"`); Grafana's unified
/// alerting sends the same shape with a few more fields.
#[derive(Debug, Deserialize)]
struct Payload {
    #[serde(default)]
    alerts: Vec<WireAlert>,
    #[serde(default, rename = "commonLabels")]
    common_labels: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct WireAlert {
    #[serde(default)]
    status: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    #[serde(default, rename = "startsAt")]
    starts_at: Option<String>,
    #[serde(default, rename = "endsAt")]
    ends_at: Option<String>,
    #[serde(default, rename = "generatorURL")]
    generator_url: Option<String>,
    #[serde(default)]
    fingerprint: Option<String>,
    // Grafana only.
    #[serde(default, rename = "valueString")]
    value_string: Option<String>,
    #[serde(default, rename = "dashboardURL")]
    dashboard_url: Option<String>,
    #[serde(default, rename = "panelURL")]
    panel_url: Option<String>,
    #[serde(default, rename = "silenceURL")]
    silence_url: Option<String>,
}

/// The generic JSON event (README: "The generic JSON event").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GenericEvent {
    key: String,
    #[serde(default = "firing")]
    status: String,
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    ci: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

fn firing() -> String {
    "firing".into()
}

/// Parse JSON text, with the line and column of what is wrong.
pub(super) fn json(input: &str, text: &str) -> Result<Value, IntakeError> {
    serde_json::from_str(text).map_err(|e| {
        // serde_json ends its message with where; the message leads with it.
        let what = e.to_string();
        let what = what
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_owned();
        IntakeError::Malformed {
            message: format!("{input}:{}:{}: {what}", e.line(), e.column()),
        }
    })
}

fn shape<T: serde::de::DeserializeOwned>(
    input: &str,
    what: &str,
    v: Value,
) -> Result<T, IntakeError> {
    serde_json::from_value(v).map_err(|e| IntakeError::Malformed {
        message: format!("{input}: not {what}: {e}"),
    })
}

/// The alerts of an Alertmanager or Grafana payload.
pub(super) fn webhook(
    input: &str,
    source: IntakeSource,
    v: Value,
) -> Result<Vec<Alert>, IntakeError> {
    let what = match source {
        IntakeSource::Grafana => "a Grafana alerting webhook",
        _ => "an Alertmanager webhook (version 4)",
    };
    if !v.get("alerts").is_some_and(Value::is_array) {
        return Err(IntakeError::Malformed {
            message: format!("{input}: not {what}: it has no `alerts` list"),
        });
    }
    let payload: Payload = shape(input, what, v)?;
    payload
        .alerts
        .into_iter()
        .enumerate()
        .map(|(n, a)| {
            let mut labels = payload.common_labels.clone();
            labels.extend(a.labels);
            let firing = match a.status.as_str() {
                "firing" => true,
                "resolved" => false,
                other => {
                    return Err(IntakeError::Malformed {
                        message: format!(
                            "{input}: alert {n}: status `{other}` is neither `firing` nor `resolved`"
                        ),
                    });
                }
            };
            let key = match a.fingerprint.filter(|f| !f.trim().is_empty()) {
                Some(f) => f,
                None => label_fingerprint(&labels),
            };
            let alertname = labels.get("alertname").cloned();
            let title = a
                .annotations
                .get("summary")
                .or(alertname.as_ref())
                .cloned()
                .unwrap_or_else(|| format!("Alert {key}"));
            let mut text = Vec::new();
            if let Some(d) = a.annotations.get("description") {
                text.push(d.clone());
            }
            if let Some(v) = &a.value_string {
                text.push(format!("Value: {v}"));
            }
            for (name, url) in [
                ("Source", &a.generator_url),
                ("Dashboard", &a.dashboard_url),
                ("Panel", &a.panel_url),
                ("Silence", &a.silence_url),
            ] {
                if let Some(url) = url.as_deref().filter(|u| !u.is_empty()) {
                    text.push(format!("{name}: <{url}>"));
                }
            }
            Ok(Alert {
                source,
                name: alertname.unwrap_or_else(|| title.clone()),
                key,
                firing,
                title,
                description: text.join("\n\n"),
                labels,
                ci: None,
                started: a.starts_at,
                ended: a.ends_at.filter(|e| !e.starts_with("0001-")),
            })
        })
        .collect()
}

/// The events of the generic JSON: one object, or a list of them.
pub(super) fn generic(input: &str, v: Value) -> Result<Vec<Alert>, IntakeError> {
    let items = match v {
        Value::Array(items) => items,
        one => vec![one],
    };
    items
        .into_iter()
        .map(|item| {
            let e: GenericEvent = shape(input, "a gitsm JSON event", item)?;
            if e.key.trim().is_empty() {
                return Err(IntakeError::Malformed {
                    message: format!("{input}: the event's `key` is empty"),
                });
            }
            let firing = match e.status.as_str() {
                "firing" => true,
                "resolved" => false,
                other => {
                    return Err(IntakeError::Malformed {
                        message: format!(
                            "{input}: status `{other}` is neither `firing` nor `resolved`"
                        ),
                    });
                }
            };
            let mut labels = e.labels;
            if let Some(s) = e.severity {
                labels.insert("severity".into(), s);
            }
            if let Some(s) = e.service {
                labels.insert("service".into(), s);
            }
            let mut text: Vec<String> = e.description.into_iter().collect();
            if let Some(url) = e.url {
                text.push(format!("Source: <{url}>"));
            }
            Ok(Alert {
                source: IntakeSource::Json,
                name: e.title.clone(),
                key: e.key,
                firing,
                title: e.title,
                description: text.join("\n\n"),
                labels,
                ci: e.ci,
                started: e.at.clone().filter(|_| firing),
                ended: e.at.filter(|_| !firing),
            })
        })
        .collect()
}

/// A stable key from the labels, for a payload without `fingerprint`
/// (Alertmanager's own fingerprint is a hash of the labels too).
fn label_fingerprint(labels: &BTreeMap<String, String>) -> String {
    use sha1::{Digest, Sha1};
    let mut sha = Sha1::new();
    for (k, v) in labels {
        sha.update(k.as_bytes());
        sha.update([0]);
        sha.update(v.as_bytes());
        sha.update([0]);
    }
    crate::git::hex(&sha.finalize())[..16].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn common_labels_fill_in_and_fingerprints_key_alerts() {
        let v = json!({"version": "4", "status": "firing", "commonLabels": {"env": "prod"},
            "alerts": [{"status": "firing", "labels": {"alertname": "Down"},
                        "annotations": {}, "fingerprint": "abc"}]});
        let alerts = webhook("p", IntakeSource::Alertmanager, v).expect("parses");
        assert_eq!(alerts[0].key, "abc");
        assert_eq!(alerts[0].title, "Down");
        assert_eq!(alerts[0].labels["env"], "prod");
    }

    #[test]
    fn an_alert_without_fingerprint_is_keyed_by_its_labels() {
        let a = BTreeMap::from([("a".to_owned(), "b".to_owned())]);
        let b = BTreeMap::from([("a".to_owned(), "c".to_owned())]);
        assert_eq!(label_fingerprint(&a), label_fingerprint(&a.clone()));
        assert_ne!(label_fingerprint(&a), label_fingerprint(&b));
    }

    #[test]
    fn a_status_other_than_firing_or_resolved_is_refused() {
        let v = json!({"key": "k", "title": "t", "status": "pending"});
        assert!(generic("x", v).is_err());
    }
}
