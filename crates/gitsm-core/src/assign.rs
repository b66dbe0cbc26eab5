//! `--set key=value` assignments with dotted keys, typed by the schema:
//! `--set window.start=2030-01-01T02:00:00Z`, `--set cis=web,db` (a list
//! field takes a comma-separated value), `--set support_level=2`. An empty
//! value removes the field.

use std::str::FromStr;

use serde_json::{Map, Value};

/// One `key=value` from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub path: Vec<String>,
    pub value: String,
}

impl FromStr for Assignment {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (key, value) = s
            .split_once('=')
            .ok_or_else(|| format!("expected key=value, got `{s}`"))?;
        let path: Vec<String> = key.split('.').map(str::to_owned).collect();
        let valid = |seg: &String| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !path.iter().all(valid) {
            return Err(format!(
                "invalid key `{key}` (use dotted field names such as `resolution.code`)"
            ));
        }
        Ok(Assignment {
            path,
            value: value.to_owned(),
        })
    }
}

impl Assignment {
    pub fn key(&self) -> String {
        self.path.join(".")
    }

    /// Set the field in `record`, converting the value to the type `schema` declares.
    pub fn apply(&self, record: &mut Value, schema: &Value) -> Result<(), String> {
        let field_schema = schema_at(schema, &self.path);
        let value = if self.value.is_empty() {
            None
        } else {
            Some(convert(
                &self.key(),
                &self.value,
                field_schema.map(|s| resolve(schema, s)),
                schema,
            )?)
        };
        let (last, parents) = self.path.split_last().ok_or("empty key")?;
        let mut node = record;
        for seg in parents {
            if !node.is_object() {
                return Err(format!("`{}` is not a mapping", self.key()));
            }
            let map = node.as_object_mut().ok_or("not a mapping")?;
            node = map
                .entry(seg.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if node.is_null() {
                *node = Value::Object(Map::new());
            }
        }
        let map = node
            .as_object_mut()
            .ok_or_else(|| format!("`{}` is not inside a mapping", self.key()))?;
        match value {
            Some(v) => {
                map.insert(last.clone(), v);
            }
            None => {
                map.remove(last);
            }
        }
        Ok(())
    }
}

/// Follow `$ref` and `anyOf: [T, null]` to the schema of T.
fn resolve<'a>(root: &'a Value, mut s: &'a Value) -> &'a Value {
    for _ in 0..16 {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            match r.strip_prefix('#').and_then(|p| root.pointer(p)) {
                Some(target) => {
                    s = target;
                    continue;
                }
                None => return s,
            }
        }
        if let Some(branches) = s.get("anyOf").and_then(Value::as_array)
            && let Some(b) = branches
                .iter()
                .find(|b| b.get("type").and_then(Value::as_str) != Some("null"))
        {
            s = b;
            continue;
        }
        return s;
    }
    s
}

/// The schema of the field at `path`, if the schema declares it.
fn schema_at<'a>(root: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut s = root;
    for seg in path {
        let r = resolve(root, s);
        s = match r.get("properties").and_then(|p| p.get(seg)) {
            Some(p) => p,
            None => match r.get("additionalProperties") {
                Some(a) if a.is_object() => a,
                _ => return None,
            },
        };
    }
    Some(s)
}

fn type_of(s: &Value) -> Option<&str> {
    match s.get("type") {
        Some(Value::String(t)) => Some(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

fn convert(key: &str, raw: &str, schema: Option<&Value>, root: &Value) -> Result<Value, String> {
    let ty = schema.and_then(type_of);
    match ty {
        Some("array") => {
            let items = schema
                .and_then(|s| s.get("items"))
                .map(|i| resolve(root, i));
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|item| convert(key, item, items, root))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        Some("integer") => raw
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("`{key}` takes a whole number, got `{raw}`")),
        Some("number") => raw
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("`{key}` takes a number, got `{raw}`")),
        Some("boolean") => match raw.trim() {
            "true" | "yes" => Ok(Value::Bool(true)),
            "false" | "no" => Ok(Value::Bool(false)),
            _ => Err(format!("`{key}` takes true or false, got `{raw}`")),
        },
        Some("object") => Err(format!(
            "`{key}` is a mapping; set its fields with `{key}.<field>=...`"
        )),
        _ => Ok(Value::String(raw.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::Kind;

    fn set(record: &mut Value, kind: Kind, s: &str) -> Result<(), String> {
        let schema = crate::schema::builtin(kind);
        s.parse::<Assignment>()?.apply(record, &schema)
    }

    #[test]
    fn dotted_keys_lists_and_numbers() {
        let mut r = serde_json::json!({"id": "INC-0001"});
        set(&mut r, Kind::Incident, "resolution.code=fixed").expect("set");
        set(&mut r, Kind::Incident, "affected_cis=web, db").expect("set");
        set(&mut r, Kind::Incident, "support_level=2").expect("set");
        assert_eq!(r["resolution"]["code"], "fixed");
        assert_eq!(r["affected_cis"], serde_json::json!(["web", "db"]));
        assert_eq!(r["support_level"], 2);
        set(&mut r, Kind::Incident, "support_level=").expect("unset");
        assert!(r.get("support_level").is_none());
    }

    #[test]
    fn change_window_and_type() {
        let mut r = serde_json::json!({});
        set(&mut r, Kind::Change, "window.start=2030-01-01T02:00:00Z").expect("set");
        set(&mut r, Kind::Change, "cis=web,db").expect("set");
        assert_eq!(r["window"]["start"], "2030-01-01T02:00:00Z");
        assert_eq!(r["cis"], serde_json::json!(["web", "db"]));
        assert!(set(&mut r, Kind::Incident, "support_level=two").is_err());
        assert!("no-equals".parse::<Assignment>().is_err());
        assert!("a..b=1".parse::<Assignment>().is_err());
    }
}
