//! JSON Schemas: generated from the Rust types, committed under `schemas/`,
//! and used to validate the files on disk.
//!
//! A managed repository may keep its own copies in `<root>/schemas/` (as
//! `gitsm init` writes them) and extend them; records are then validated
//! against those files. Without that folder the built-in schemas are used.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use jsonschema::{ValidationError, Validator};
use schemars::JsonSchema;
use serde_json::Value;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::kind::Kind;
use crate::model::{Article, Change, Ci, Incident, Problem, Request};
use crate::suggest;
use crate::yaml::{Node, Pos, Segment};

/// File name of the config schema.
pub const CONFIG_SCHEMA: &str = "gitsm.schema.json";

mod editor;

/// A schema generated from `T`, as shipped in `file`: `$schema`, `$id` and
/// `title` first, for people reading the file, and prepared for editors.
fn generate_for<T: JsonSchema>(title: &str, file: &str) -> Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    let Value::Object(body) = schema.to_value() else {
        return Value::Null;
    };
    let mut map = serde_json::Map::new();
    map.insert(
        "$schema".into(),
        body.get("$schema").cloned().unwrap_or(Value::Null),
    );
    map.insert("$id".into(), Value::String(editor::id(file)));
    map.insert("title".into(), Value::String(title.into()));
    map.extend(
        body.into_iter()
            .filter(|(k, _)| k != "$schema" && k != "title"),
    );
    let mut schema = Value::Object(map);
    editor::prepare(&mut schema);
    schema
}

/// The built-in schema of a kind.
pub fn builtin(kind: Kind) -> Value {
    let file = kind.schema_file();
    match kind {
        Kind::Incident => generate_for::<Incident>("gitsm incident", file),
        Kind::Problem => generate_for::<Problem>("gitsm problem", file),
        Kind::Change => generate_for::<Change>("gitsm change", file),
        Kind::Request => generate_for::<Request>("gitsm service request", file),
        Kind::Ci => generate_for::<Ci>("gitsm configuration item", file),
        Kind::Article => generate_for::<Article>("gitsm knowledge article (front matter)", file),
    }
}

/// The built-in config schema.
pub fn builtin_config() -> Value {
    let mut schema = generate_for::<Config>("gitsm.yaml", CONFIG_SCHEMA);
    // Maps keyed by record kind: schemars lists the kinds as properties
    // without a word on each.
    for (key, what) in [
        ("templates", "Templates of new"),
        ("custom_fields", "Organisation-defined fields of the"),
    ] {
        for kind in Kind::ALL {
            let pointer = format!("/properties/{key}/properties/{}", kind.name());
            if let Some(entry) = schema.pointer_mut(&pointer) {
                entry["description"] = Value::String(format!("{what} {} records.", kind.label()));
            }
        }
    }
    schema
}

/// Every schema file gitsm ships: `(file name, pretty JSON text)`.
pub fn files() -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Kind::ALL
        .iter()
        .map(|k| (k.schema_file(), pretty(&builtin(*k))))
        .collect();
    out.push((CONFIG_SCHEMA, pretty(&builtin_config())));
    out
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// A compiled validator with what diagnostics need to know of its schema.
#[derive(Clone)]
struct Compiled {
    validator: Validator,
    schema: Value,
    /// Every property name the schema declares, for "did you mean".
    property_names: BTreeSet<String>,
    /// Where the schema came from, for messages.
    origin: String,
}

/// Why a schema could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct SchemaError {
    pub origin: String,
    pub message: String,
}

/// Compiled validators for every kind and for the config.
#[derive(Clone)]
pub struct Schemas {
    kinds: BTreeMap<Kind, Compiled>,
    config: Compiled,
}

impl Schemas {
    /// The built-in schemas.
    pub fn builtin() -> Result<Schemas, SchemaError> {
        Self::load(None)
    }

    /// Schemas from `<root>/schemas/` where present, built-in otherwise.
    /// A schema reached through a symbolic link is an error.
    pub fn load(root: Option<&Path>) -> Result<Schemas, SchemaError> {
        let mut kinds = BTreeMap::new();
        for kind in Kind::ALL {
            let rel = Path::new("schemas").join(kind.schema_file());
            let on_disk = root.filter(|root| std::fs::symlink_metadata(root.join(&rel)).is_ok());
            let (schema, origin) = match on_disk {
                Some(root) => (
                    read_schema(root, &rel)?,
                    root.join(&rel).display().to_string(),
                ),
                None => (builtin(kind), format!("built-in {}", kind.schema_file())),
            };
            kinds.insert(kind, compile(schema, origin)?);
        }
        let config = compile(builtin_config(), format!("built-in {CONFIG_SCHEMA}"))?;
        Ok(Schemas { kinds, config })
    }

    /// Validate a record's JSON; `node` gives positions, `path` names the file.
    pub fn validate(&self, kind: Kind, json: &Value, node: &Node, path: &Path) -> Vec<Diagnostic> {
        let compiled = &self.kinds[&kind];
        diagnostics(compiled, json, node, path, "schema")
    }

    /// Whether `json` passes the schema of `kind` (no messages: faster).
    pub fn is_valid(&self, kind: Kind, json: &Value) -> bool {
        self.kinds[&kind].validator.is_valid(json)
    }

    pub fn validate_config(&self, json: &Value, node: &Node, path: &Path) -> Vec<Diagnostic> {
        diagnostics(&self.config, json, node, path, "config")
    }

    /// The schema of a kind as used for validation.
    pub fn schema(&self, kind: Kind) -> &Value {
        &self.kinds[&kind].schema
    }

    pub fn origin(&self, kind: Kind) -> &str {
        &self.kinds[&kind].origin
    }
}

/// Largest schema file read.
const MAX_SCHEMA_BYTES: u64 = 4 * 1024 * 1024;

fn read_schema(root: &Path, rel: &Path) -> Result<Value, SchemaError> {
    let origin = root.join(rel).display().to_string();
    let text =
        crate::confined::read_text(root, rel, MAX_SCHEMA_BYTES).map_err(|e| SchemaError {
            origin: origin.clone(),
            message: e.to_string(),
        })?;
    serde_json::from_str(&text).map_err(|e| SchemaError {
        origin: format!("{origin}:{}:{}", e.line(), e.column()),
        message: format!("not valid JSON: {e}"),
    })
}

fn compile(schema: Value, origin: String) -> Result<Compiled, SchemaError> {
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| SchemaError {
            origin: origin.clone(),
            message: format!("not a usable JSON Schema: {e}"),
        })?;
    let mut property_names = BTreeSet::new();
    collect_properties(&schema, &mut property_names);
    Ok(Compiled {
        validator,
        schema,
        property_names,
        origin,
    })
}

fn collect_properties(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                out.extend(props.keys().cloned());
            }
            map.values().for_each(|x| collect_properties(x, out));
        }
        Value::Array(items) => items.iter().for_each(|x| collect_properties(x, out)),
        _ => {}
    }
}

fn segments(loc: &jsonschema::paths::Location) -> Vec<Segment<'static>> {
    loc.iter()
        .map(|s| match s {
            LocationSegment::Property(p) => Segment::Key(p.into_owned().into()),
            LocationSegment::Index(i) => Segment::Index(i),
        })
        .collect()
}

/// `affected_cis[1]` style name of an instance location; empty for the root.
fn field_name(segs: &[Segment<'_>]) -> String {
    let mut s = String::new();
    for seg in segs {
        match seg {
            Segment::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Segment::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// The properties declared by the subschema at `schema_path` minus its last keyword.
fn properties_at<'a>(schema: &'a Value, keyword_location: &str) -> Option<Vec<&'a str>> {
    let parent = keyword_location.rsplit_once('/')?.0;
    let sub = schema.pointer(parent)?;
    let props = sub.get("properties")?.as_object()?;
    Some(props.keys().map(String::as_str).collect())
}

fn diagnostics(
    compiled: &Compiled,
    json: &Value,
    node: &Node,
    path: &Path,
    code: &'static str,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for error in compiled.validator.iter_errors(json) {
        translate(compiled, &error, node, path, code, &mut out);
    }
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out.dedup();
    merge_missing(out)
}

/// One diagnostic per mapping for its missing fields, not one per field.
fn merge_missing(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diags.len());
    let mut fields: Vec<Vec<String>> = Vec::new();
    for d in diags {
        let name = (d.code == "missing-field")
            .then(|| d.message.split('`').nth(1).map(String::from))
            .flatten();
        let same_place = out.last().is_some_and(|p: &Diagnostic| {
            p.code == "missing-field"
                && p.path == d.path
                && (p.line, p.column) == (d.line, d.column)
        });
        match name {
            Some(n) if same_place => {
                if let Some(f) = fields.last_mut() {
                    f.push(n);
                }
            }
            _ => {
                fields.push(name.into_iter().collect());
                out.push(d);
            }
        }
    }
    for (d, names) in out.iter_mut().zip(fields) {
        if names.len() > 1 {
            let place = d
                .message
                .split_once(" in `")
                .map(|(_, p)| format!(" in `{p}"))
                .unwrap_or_default();
            let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            d.message = format!("missing required fields {}{place}", list.join(", "));
        }
    }
    out
}

fn short(v: &Value) -> String {
    let s = match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    };
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}...`")
    } else {
        s
    }
}

fn translate(
    compiled: &Compiled,
    error: &ValidationError<'_>,
    node: &Node,
    path: &Path,
    code: &'static str,
    out: &mut Vec<Diagnostic>,
) {
    let segs = segments(error.instance_path());
    let field = field_name(&segs);
    let value_pos = node.find(segs.iter().cloned()).pos;
    let prefix = if field.is_empty() {
        String::new()
    } else {
        format!("`{field}`: ")
    };
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            let local = properties_at(&compiled.schema, error.schema_path().as_str());
            for key in unexpected {
                let pos: Pos = node.key_pos(segs.iter().cloned(), key);
                let suggestion = match &local {
                    Some(names) => suggest::closest(key, names.iter().copied()),
                    None => suggest::closest(key, compiled.property_names.iter()),
                };
                let place = if field.is_empty() {
                    String::new()
                } else {
                    format!(" in `{field}`")
                };
                out.push(
                    Diagnostic::error("unknown-key", format!("unknown key `{key}`{place}"))
                        .at(path, pos)
                        .with_suggestion(suggestion),
                );
            }
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let place = if field.is_empty() {
                String::new()
            } else {
                format!(" in `{field}`")
            };
            out.push(
                Diagnostic::error(
                    "missing-field",
                    format!("missing required field `{name}`{place}"),
                )
                .at(path, value_pos),
            );
        }
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from))
                        .collect()
                })
                .unwrap_or_default();
            let got = error.instance();
            let suggestion = got
                .as_str()
                .and_then(|s| suggest::closest(s, allowed.iter()));
            out.push(
                Diagnostic::error(
                    "invalid-value",
                    format!(
                        "{prefix}{} is not one of {}",
                        short(got),
                        allowed.join(", ")
                    ),
                )
                .at(path, value_pos)
                .with_suggestion(suggestion),
            );
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context }
            if !context.is_empty() =>
        {
            // Option<T> is `anyOf: [T, null]`: report why the value is not a T.
            let branch = context
                .iter()
                .filter(|errs| !errs.iter().all(|e| is_null_type_error(e)))
                .min_by_key(|errs| errs.len());
            match branch {
                Some(errs) => {
                    for e in errs {
                        translate(compiled, e, node, path, code, out);
                    }
                }
                None => out
                    .push(Diagnostic::error(code, format!("{prefix}{error}")).at(path, value_pos)),
            }
        }
        ValidationErrorKind::Type { .. } => {
            out.push(
                Diagnostic::error(
                    "wrong-type",
                    format!(
                        "{prefix}{} {}",
                        short(error.instance()),
                        type_expectation(error)
                    ),
                )
                .at(path, value_pos),
            );
        }
        ValidationErrorKind::Format { format } => {
            let hint = match format.as_str() {
                "date-time" => {
                    "write an RFC 3339 timestamp with an offset, e.g. 2026-03-01T09:30:00+01:00"
                }
                "date" => "write a date as YYYY-MM-DD",
                _ => "",
            };
            let d = Diagnostic::error(
                "invalid-value",
                format!(
                    "{prefix}{} is not a valid {format}",
                    short(error.instance())
                ),
            )
            .at(path, value_pos);
            out.push(if hint.is_empty() {
                d
            } else {
                d.with_hint(hint)
            });
        }
        _ => out.push(Diagnostic::error(code, format!("{prefix}{error}")).at(path, value_pos)),
    }
}

fn is_null_type_error(e: &ValidationError<'_>) -> bool {
    matches!(e.kind(), ValidationErrorKind::Type { .. }) && e.to_string().contains("\"null\"")
}

fn type_expectation(error: &ValidationError<'_>) -> String {
    // jsonschema says `"x" is not of type(s) "null", "integer"`: name the
    // expected types in words, leaving out `null` (an empty field).
    let text = error.to_string();
    let Some(i) = text.find(" is not of type") else {
        return text;
    };
    let types: Vec<&str> = text[i..]
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|t| *t != "null")
        .collect();
    let words: Vec<&str> = types
        .iter()
        .map(|t| match *t {
            "integer" => "a whole number",
            "number" => "a number",
            "string" => "a string",
            "boolean" => "true or false",
            "array" => "a list",
            "object" => "a mapping",
            other => other,
        })
        .collect();
    format!("is not {}", words.join(" or "))
}
