//! Template values made when a template reads them, not before.
//!
//! A view serialised for a template becomes a tree of template values at
//! once, all of it alive together: the SLA page's rows and the report's
//! data (every breach, for templates that lay the report out themselves)
//! grow with the records, so memory would too (BENCHMARKS.md, "Static
//! site"). [`rows`] keeps a table as its typed rows and
//! hands the template one row at a time; [`json`] keeps the report as
//! JSON text and builds its values only if a template asks for them.

use std::fmt::Debug;
use std::sync::{Arc, OnceLock};

use minijinja::Value;
use minijinja::value::{Enumerator, Object, ObjectRepr, Serde};
use serde::Serialize;

#[derive(Debug)]
struct Rows<T>(Vec<T>);

impl<T: Serialize + Debug + Send + Sync + 'static> Object for Rows<T> {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let index = key.as_usize()?;
        self.0.get(index).map(|row| Value::from(Serde(row)))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.len())
    }
}

/// `rows` as a template sequence read row by row (serialised inside a
/// view, it stays one: template values pass through serialisation).
pub(crate) fn rows<T: Serialize + Debug + Send + Sync + 'static>(rows: Vec<T>) -> Value {
    Value::from_object(Rows(rows))
}

#[derive(Debug)]
struct Json {
    text: String,
    value: OnceLock<Value>,
}

impl Json {
    fn value(&self) -> &Value {
        self.value.get_or_init(|| {
            serde_json::from_str::<serde_json::Value>(&self.text)
                .map_or(Value::UNDEFINED, |v| Value::from(Serde(&v)))
        })
    }
}

impl Object for Json {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.value()
            .get_item(key)
            .ok()
            .filter(|v| !v.is_undefined())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let keys: Vec<Value> = self
            .value()
            .try_iter()
            .map(Iterator::collect)
            .unwrap_or_default();
        Enumerator::Values(keys)
    }
}

/// A JSON object (as text) as a template map, parsed on first read.
pub(crate) fn json(text: String) -> Value {
    Value::from_object(Json {
        text,
        value: OnceLock::new(),
    })
}
