//! Fields that name things from gitsm.yaml (people, groups, categories,
//! codes, templates, catalogue items), the priority matrix, custom fields.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::config::{Config, CustomField, FieldType};
use crate::diagnostic::Diagnostic;
use crate::model::Record;
use crate::suggest;

use super::Located;

pub(super) fn check(config: &Config, record: &Record, at: &Located<'_>, out: &mut Vec<Diagnostic>) {
    // An imported record keeps the names the other tool wrote: a warning,
    // until the person is added to `people`.
    let imported = record.source_id().is_some();
    for person in record.people() {
        if person.who.contains('@') || config.people.contains_key(&person.who) {
            continue;
        }
        let message = format!(
            "`{}` is not a handle in `people` (write a handle or an email)",
            person.who
        );
        let d = if imported {
            at.warning("unknown-person", &person.pointer, message)
                .with_hint("add this person to `people` in gitsm.yaml")
        } else {
            at.error("unknown-person", &person.pointer, message)
        };
        out.push(d.with_suggestion(suggest::closest(&person.who, config.people.keys())));
    }
    if let Some(team) = record.team()
        && !config.groups.contains_key(team)
    {
        out.push(
            at.error(
                "unknown-group",
                "/team",
                format!("`{team}` is not a group in `groups`"),
            )
            .with_suggestion(suggest::closest(team, config.groups.keys())),
        );
    }
    let kind = record.kind();
    custom(
        config.custom_fields.get(&kind),
        record.custom(),
        "/custom",
        at,
        out,
    );
    match record {
        Record::Incident(r) => {
            one_of(
                at,
                out,
                "/category",
                r.category.as_deref(),
                &config.categories,
                "categories",
            );
            let code = r.resolution.as_ref().and_then(|x| x.code.as_deref());
            one_of(
                at,
                out,
                "/resolution/code",
                code,
                &config.resolution_codes,
                "resolution_codes",
            );
            let matrix = config.priority_matrix.priority(r.impact, r.urgency);
            match (&r.priority_override, r.priority) {
                (Some(o), Some(p)) if o.priority != p => out.push(at.error(
                    "priority",
                    "/priority",
                    format!("`priority` is {} but `priority_override` sets {}", p.name(), o.priority.name()),
                )),
                (None, Some(p)) if p != matrix => out.push(
                    at.error(
                        "priority",
                        "/priority",
                        format!(
                            "priority {} does not match the matrix: impact {} x urgency {} gives {}",
                            p.name(),
                            r.impact.name(),
                            r.urgency.name(),
                            matrix.name()
                        ),
                    )
                    .with_hint(format!("write `priority: {}`, or record `priority_override: {{priority: {}, reason: ...}}`", matrix.name(), p.name())),
                ),
                _ => {}
            }
            if let Some(symptom) = &r.symptom {
                match &config.symptom_policy {
                    Some(policy) if !policy.targets.contains_key(symptom) => out.push(
                        at.error(
                            "unknown-symptom",
                            "/symptom",
                            format!("`{symptom}` is not a symptom of `symptom_policy.targets`"),
                        )
                        .with_suggestion(suggest::closest(symptom, policy.targets.keys())),
                    ),
                    None => out.push(at.warning(
                        "unknown-symptom",
                        "/symptom",
                        "no `symptom_policy` is configured; `symptom` has no effect",
                    )),
                    _ => {}
                }
            }
        }
        Record::Problem(r) => {
            one_of(
                at,
                out,
                "/category",
                r.category.as_deref(),
                &config.categories,
                "categories",
            );
        }
        Record::Change(r) => {
            // A change from a template stays within what was pre-approved.
            if let Some(t) = r
                .template
                .as_ref()
                .and_then(|t| config.standard_changes.get(t))
                && r.change_type == crate::model::ChangeType::Standard
                && !t.cis.is_empty()
            {
                let outside: Vec<&str> = r
                    .cis
                    .iter()
                    .filter(|c| !t.cis.contains(c))
                    .map(String::as_str)
                    .collect();
                if !outside.is_empty() {
                    out.push(
                        at.error(
                            "template-bounds",
                            "/cis",
                            format!(
                                "{} is a standard change from `{}` but names CIs its template does not cover: {}",
                                r.id,
                                r.template.as_deref().unwrap_or_default(),
                                outside.join(", ")
                            ),
                        )
                        .with_hint("make it a normal change (`type: normal`), which the CAB approves"),
                    );
                }
            }
            if let Some(t) = &r.template
                && !config.standard_changes.contains_key(t)
            {
                out.push(
                    at.error(
                        "unknown-template",
                        "/template",
                        format!("`{t}` is not a template in `standard_changes`"),
                    )
                    .with_suggestion(suggest::closest(t, config.standard_changes.keys())),
                );
            }
            if let Some(tz) = r.window.as_ref().and_then(|w| w.timezone.as_deref())
                && tz.parse::<chrono_tz::Tz>().is_err()
            {
                out.push(at.error(
                    "timezone",
                    "/window/timezone",
                    format!("`{tz}` is not an IANA time zone"),
                ));
            }
        }
        Record::Request(r) => {
            one_of(
                at,
                out,
                "/category",
                r.category.as_deref(),
                &config.categories,
                "categories",
            );
            if let (Some(impact), Some(urgency), Some(p)) = (r.impact, r.urgency, r.priority) {
                let matrix = crate::priority::request_matrix(config).priority(impact, urgency);
                if p != matrix {
                    out.push(
                        at.error(
                            "priority",
                            "/priority",
                            format!(
                                "priority {} does not match the request matrix: impact {} x urgency {} gives {}",
                                p.name(),
                                impact.name(),
                                urgency.name(),
                                matrix.name()
                            ),
                        )
                        .with_hint(format!("write `priority: {}`", matrix.name())),
                    );
                }
            }
            if let Some(item) = config.catalog.get(&r.catalog_item)
                && crate::approval::REQUEST_APPROVED_STATES.contains(&r.status.as_str())
            {
                let json = record.to_json();
                let missing: Vec<&str> = item
                    .request_fields
                    .iter()
                    .map(String::as_str)
                    .filter(|f| !crate::workflow::is_set(&json, f))
                    .collect();
                if !missing.is_empty() {
                    let list: Vec<String> = missing.iter().map(|f| format!("`{f}`")).collect();
                    let sets: Vec<String> = missing.iter().map(|f| format!("{f}=...")).collect();
                    out.push(
                        at.error(
                            "request-fields",
                            "/status",
                            format!(
                                "a request for `{}` in `{}` must carry {} (`request_fields` of the catalogue item)",
                                r.catalog_item,
                                r.status,
                                list.join(", ")
                            ),
                        )
                        .with_hint(format!("set them: `gitsm set {} {}`", r.id, sets.join(" "))),
                    );
                }
            }
            if !config.catalog.contains_key(&r.catalog_item) {
                out.push(
                    at.error(
                        "unknown-catalog-item",
                        "/catalog_item",
                        format!(
                            "`{}` is not an item of the service `catalog`",
                            r.catalog_item
                        ),
                    )
                    .with_suggestion(suggest::closest(&r.catalog_item, config.catalog.keys())),
                );
            }
        }
        Record::Ci(_) => {}
        Record::Article(r) => {
            for (i, category) in r.categories.iter().enumerate() {
                one_of(
                    at,
                    out,
                    &format!("/categories/{i}"),
                    Some(category),
                    &config.categories,
                    "categories",
                );
            }
        }
    }
}

/// `value` must be one of `allowed` when that list is configured.
fn one_of(
    at: &Located<'_>,
    out: &mut Vec<Diagnostic>,
    pointer: &str,
    value: Option<&str>,
    allowed: &[String],
    key: &str,
) {
    let Some(value) = value else { return };
    if allowed.is_empty() || allowed.iter().any(|a| a == value) {
        return;
    }
    out.push(
        at.error(
            "invalid-value",
            pointer,
            format!(
                "`{value}` is not one of `{key}` in gitsm.yaml ({})",
                allowed.join(", ")
            ),
        )
        .with_suggestion(suggest::closest(value, allowed.iter())),
    );
}

/// Declared fields (custom fields or CI attributes) have the declared type.
pub(super) fn custom(
    declared: Option<&BTreeMap<String, CustomField>>,
    values: &Map<String, Value>,
    base: &str,
    at: &Located<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(declared) = declared else { return };
    for (name, spec) in declared {
        let pointer = format!("{base}/{name}");
        match values.get(name) {
            None | Some(Value::Null) => {
                if spec.required {
                    out.push(at.error(
                        "missing-field",
                        base,
                        format!(
                            "missing required field `{}`",
                            &pointer[1..].replace('/', ".")
                        ),
                    ));
                }
            }
            Some(v) => {
                if let Some(problem) = type_problem(spec, v) {
                    out.push(at.error(
                        "wrong-type",
                        &pointer,
                        format!("`{}`: {problem}", &pointer[1..].replace('/', ".")),
                    ));
                }
            }
        }
    }
}

fn type_problem(spec: &CustomField, v: &Value) -> Option<String> {
    let ok = match spec.field_type {
        FieldType::String => v.is_string(),
        FieldType::Integer => v.is_i64() || v.is_u64(),
        FieldType::Number => v.is_number(),
        FieldType::Boolean => v.is_boolean(),
        FieldType::Date => v
            .as_str()
            .is_some_and(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()),
        FieldType::Timestamp => v
            .as_str()
            .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok()),
        FieldType::List => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        FieldType::Enum => {
            return match v.as_str() {
                Some(s) if spec.values.iter().any(|x| x == s) => None,
                _ => Some(format!(
                    "`{}` is not one of {}",
                    v.as_str().map_or_else(|| v.to_string(), String::from),
                    spec.values.join(", ")
                )),
            };
        }
    };
    (!ok).then(|| format!("expected a {:?} value, got `{v}`", spec.field_type).to_lowercase())
}
