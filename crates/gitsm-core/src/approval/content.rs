//! What a decision signs: the canonical message over a decision and the
//! content it decides on.
//!
//! The message is one line of JSON, UTF-8, no whitespace, keys in this
//! order (absent values are `null`, lists are arrays):
//!
//! ```text
//! {"format":"gitsm-decision-v1","kind":"change","id":"CHG-0042",
//!  "decision":"approved","by":"carol","at":"2026-11-21T08:00:00Z",
//!  "comment":null,"content":{...}}
//! ```
//!
//! `at` and every timestamp of the content are written in UTC
//! (`YYYY-MM-DDTHH:MM:SSZ`, fractions only when present), so that the same
//! instant written with another offset is the same content. The content of
//! a change is, in order: `type`, `risk`, `impact`, `window` (`start`,
//! `end`, `timezone`), `cis`, `implementation_plan`, `backout_plan`,
//! `test_plan`, `release`, `template`, `requested_by`, `implementer`; of a
//! service request: `catalog_item`, `requested_for`, `cis`, then
//! `expires_at` when the request has one (so that an access grant's end is
//! approved with it, and requests without one keep the message they were
//! signed with). Editing any of
//! these makes every signature over the earlier content fail: a decision
//! goes stale by itself. Signatures are OpenSSH `SSHSIG` with the namespace
//! [`NAMESPACE`].

use chrono::SecondsFormat;
use serde_json::{Map, Value, json};

use crate::model::{Approval, Record, Timestamp};

/// The `SSHSIG` namespace of decisions (`ssh-keygen -Y sign -n gitsm`).
pub const NAMESPACE: &str = "gitsm";

/// The version tag of the message format.
pub const FORMAT: &str = "gitsm-decision-v1";

/// Fields of a change a decision vouches for.
pub const CHANGE_CONTENT: &[&str] = &[
    "type",
    "risk",
    "impact",
    "window",
    "cis",
    "implementation_plan",
    "backout_plan",
    "test_plan",
    "release",
    "template",
    "requested_by",
    "implementer",
];

/// Fields of a service request a decision vouches for.
pub const REQUEST_CONTENT: &[&str] = &["catalog_item", "requested_for", "cis", "expires_at"];

/// The fields a decision on `record` vouches for (empty for kinds that
/// take no decisions).
pub fn fields(record: &Record) -> &'static [&'static str] {
    match record {
        Record::Change(_) => CHANGE_CONTENT,
        Record::Request(_) => REQUEST_CONTENT,
        _ => &[],
    }
}

fn utc(t: &Timestamp) -> Value {
    Value::String(
        t.with_timezone(&chrono::Utc)
            .to_rfc3339_opts(SecondsFormat::AutoSi, true),
    )
}

fn text(s: Option<&str>) -> Value {
    s.map_or(Value::Null, |s| Value::String(s.to_owned()))
}

fn list(items: &[String]) -> Value {
    Value::Array(items.iter().cloned().map(Value::String).collect())
}

/// The approved content of `record`, in the documented order; `None` for a
/// kind that takes no decisions.
pub fn approved_content(record: &Record) -> Option<Value> {
    let mut m = Map::new();
    match record {
        Record::Change(c) => {
            m.insert("type".into(), json!(c.change_type.name()));
            m.insert("risk".into(), text(c.risk.map(|l| l.name())));
            m.insert("impact".into(), text(c.impact.map(|l| l.name())));
            let window = c.window.as_ref().map_or(Value::Null, |w| {
                let mut win = Map::new();
                win.insert("start".into(), utc(&w.start));
                win.insert("end".into(), utc(&w.end));
                win.insert("timezone".into(), text(w.timezone.as_deref()));
                Value::Object(win)
            });
            m.insert("window".into(), window);
            m.insert("cis".into(), list(&c.cis));
            m.insert(
                "implementation_plan".into(),
                text(c.implementation_plan.as_deref()),
            );
            m.insert("backout_plan".into(), text(c.backout_plan.as_deref()));
            m.insert("test_plan".into(), text(c.test_plan.as_deref()));
            m.insert("release".into(), list(&c.release));
            m.insert("template".into(), text(c.template.as_deref()));
            m.insert("requested_by".into(), json!(c.requested_by));
            m.insert("implementer".into(), text(c.implementer.as_deref()));
        }
        Record::Request(r) => {
            m.insert("catalog_item".into(), json!(r.catalog_item));
            m.insert("requested_for".into(), text(r.requested_for.as_deref()));
            m.insert("cis".into(), list(&r.cis));
            if let Some(end) = &r.expires_at {
                m.insert("expires_at".into(), utc(end));
            }
        }
        _ => return None,
    }
    Some(Value::Object(m))
}

/// The bytes a decision signs: the decision's own fields (not its
/// signature) and the record's approved content. `None` for a kind that
/// takes no decisions.
pub fn message(record: &Record, decision: &Approval) -> Option<Vec<u8>> {
    let content = approved_content(record)?;
    let mut m = Map::new();
    m.insert("format".into(), json!(FORMAT));
    m.insert("kind".into(), json!(record.kind().name()));
    m.insert("id".into(), json!(record.id()));
    m.insert("decision".into(), json!(decision.decision.name()));
    m.insert("by".into(), json!(decision.by));
    m.insert("at".into(), utc(&decision.at));
    m.insert("comment".into(), text(decision.comment.as_deref()));
    m.insert("content".into(), content);
    serde_json::to_vec(&Value::Object(m)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::Kind;

    fn change(window_start: &str) -> Record {
        let text = format!(
            "id: CHG-0042\ntitle: T\nstatus: authorize\ncreated_at: 2026-11-20T09:00:00+01:00\n\
             requested_by: rita\ntype: normal\nrisk: medium\ncis: [db]\n\
             window: {{ start: {window_start}, end: 2026-11-25T23:00:00+01:00 }}\n"
        );
        let json = crate::yaml::parse(&text).expect("yaml").to_json();
        Record::from_json(Kind::Change, json).expect("change")
    }

    fn decision() -> Approval {
        Approval {
            by: "carol".into(),
            decision: crate::model::Decision::Approved,
            at: chrono::DateTime::parse_from_rfc3339("2026-11-21T09:00:00+01:00").expect("time"),
            comment: Some("ok".into()),
            signature: Some("ignored".into()),
            backdated: None,
        }
    }

    #[test]
    fn the_message_is_the_documented_json_with_times_in_utc() {
        let msg = message(&change("2026-11-25T20:00:00+01:00"), &decision()).expect("message");
        let expected = concat!(
            r#"{"format":"gitsm-decision-v1","kind":"change","id":"CHG-0042","#,
            r#""decision":"approved","by":"carol","at":"2026-11-21T08:00:00Z","comment":"ok","#,
            r#""content":{"type":"normal","risk":"medium","impact":null,"#,
            r#""window":{"start":"2026-11-25T19:00:00Z","end":"2026-11-25T22:00:00Z","timezone":null},"#,
            r#""cis":["db"],"implementation_plan":null,"backout_plan":null,"test_plan":null,"#,
            r#""release":[],"template":null,"requested_by":"rita","implementer":null}}"#
        );
        assert_eq!(String::from_utf8(msg).expect("utf-8"), expected);
    }

    #[test]
    fn the_field_lists_name_the_approved_content() {
        let record = change("2026-11-25T20:00:00+01:00");
        let content = approved_content(&record).expect("content");
        let keys: Vec<&str> = content
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, fields(&record));
    }

    #[test]
    fn the_same_instant_with_another_offset_is_the_same_content() {
        let a = message(&change("2026-11-25T20:00:00+01:00"), &decision());
        let b = message(&change("2026-11-25T19:00:00Z"), &decision());
        let c = message(&change("2026-11-25T21:00:00+01:00"), &decision());
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
