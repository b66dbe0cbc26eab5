//! Knowledge articles: what the desk knows, written down for the next case.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Timestamp;

/// A knowledge article (`kb/KB-0001.md`): a Markdown body after a YAML
/// front matter fenced by `---` lines. These are the front matter's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Article {
    /// Unique id; equals the file name without `.md`.
    pub id: String,
    /// What the article answers, in a line.
    pub title: String,
    /// Lifecycle state: draft, published or retired (see `workflows`).
    pub status: String,
    /// When the article was written (RFC 3339 with offset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Who keeps it true: a handle from `people` or an email (required once published).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Business services it is about (CI ids of class `service`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Configuration items it is about (CI ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cis: Vec<String>,
    /// Categories from `categories` in gitsm.yaml.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Symptoms as users report them, to match new incidents against.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub symptoms: Vec<String>,
    /// Problems it documents (ids), usually known errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Incidents it came from (ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<String>,
    /// The date by which its owner reviews it again (`2027-06-30`); a
    /// published article past it is reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<NaiveDate>,
    /// Organisation-defined fields, declared under `custom_fields` in gitsm.yaml.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub custom: Map<String, Value>,
    /// The Markdown after the front matter. Not a front matter key: it is
    /// read from the file, which is why the schema does not list it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schemars(skip)]
    pub body: String,
}

impl Article {
    /// Whether readers are pointed at it (suggested, listed on the site's
    /// knowledge base as current).
    pub fn is_published(&self) -> bool {
        self.status == PUBLISHED
    }
}

/// The state in which an article is suggested and reviewed.
pub const PUBLISHED: &str = "published";
