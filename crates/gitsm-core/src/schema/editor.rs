//! What editors need of a schema beyond validation: yaml-language-server
//! (and VS Code's YAML extension) list the properties of a schema for
//! completion and describe each value. Applied to every built-in schema.

use serde_json::{Map, Value};

/// The `$id` of the schema shipped as `file` (`incident.schema.json`): a
/// URN, since gitsm has no published address to fetch schemas from.
pub(super) fn id(file: &str) -> String {
    format!("urn:gitsm:schema:{}", file.trim_end_matches(".schema.json"))
}

/// Make `schema` what editors read well:
/// - no `"default": null`: yaml-language-server stops listing the
///   properties that follow one;
/// - an enum whose values are documented (`oneOf` of `const` with a
///   `description`, as schemars writes documented variants) becomes a plain
///   `enum` with `enumDescriptions` and `markdownEnumDescriptions`, which
///   editors show next to each value and validators report as one
///   unknown value rather than as a failed `oneOf`.
pub(super) fn prepare(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.get("default") == Some(&Value::Null) {
                map.remove("default");
            }
            collapse_documented_enum(map);
            map.values_mut().for_each(prepare);
        }
        Value::Array(items) => items.iter_mut().for_each(prepare),
        _ => {}
    }
}

/// `{"oneOf": [{"type": "string", "const": "a", "description": "…"}, …]}`
/// → `{"type": "string", "enum": ["a", …], "enumDescriptions": ["…", …]}`.
fn collapse_documented_enum(map: &mut Map<String, Value>) {
    let Some(Value::Array(branches)) = map.get("oneOf") else {
        return;
    };
    let mut values = Vec::new();
    let mut descriptions = Vec::new();
    for branch in branches {
        let Value::Object(b) = branch else { return };
        let only_const = b
            .keys()
            .all(|k| matches!(k.as_str(), "type" | "const" | "description"));
        match (b.get("const"), b.get("type")) {
            (Some(Value::String(value)), Some(Value::String(t))) if only_const && t == "string" => {
                values.push(Value::String(value.clone()));
                descriptions.push(b.get("description").cloned().unwrap_or_default());
            }
            _ => return,
        }
    }
    if descriptions.iter().any(Value::is_null) {
        return;
    }
    map.remove("oneOf");
    map.insert("type".into(), Value::String("string".into()));
    map.insert("enum".into(), Value::Array(values));
    map.insert(
        "enumDescriptions".into(),
        Value::Array(descriptions.clone()),
    );
    map.insert(
        "markdownEnumDescriptions".into(),
        Value::Array(descriptions),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_defaults_go_and_documented_enums_become_enums() {
        let mut schema = json!({
            "properties": {
                "end": { "type": ["string", "null"], "default": null },
                "kept": { "type": "integer", "default": 4 },
                "scheme": { "oneOf": [
                    { "type": "string", "const": "flat", "description": "One folder." },
                    { "type": "string", "const": "by_year", "description": "A folder a year." }
                ]},
                "mixed": { "oneOf": [
                    { "type": "string", "const": "a", "description": "A." },
                    { "type": "integer" }
                ]}
            }
        });
        prepare(&mut schema);
        let p = &schema["properties"];
        assert!(p["end"].get("default").is_none());
        assert_eq!(p["kept"]["default"], 4);
        assert_eq!(p["scheme"]["enum"], json!(["flat", "by_year"]));
        assert_eq!(
            p["scheme"]["enumDescriptions"],
            json!(["One folder.", "A folder a year."])
        );
        assert!(p["scheme"].get("oneOf").is_none());
        // Not an enum of documented strings: left alone.
        assert!(p["mixed"].get("oneOf").is_some());
    }

    #[test]
    fn ids_are_urns_named_after_the_kind() {
        assert_eq!(id("incident.schema.json"), "urn:gitsm:schema:incident");
        assert_eq!(id("gitsm.schema.json"), "urn:gitsm:schema:gitsm");
    }
}
