//! The six kinds of record and where they live.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A kind of record. Each kind has one folder under the managed root.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Incident,
    Problem,
    Change,
    Request,
    Ci,
    Article,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Incident,
        Kind::Problem,
        Kind::Change,
        Kind::Request,
        Kind::Ci,
        Kind::Article,
    ];

    /// Singular name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Incident => "incident",
            Kind::Problem => "problem",
            Kind::Change => "change",
            Kind::Request => "request",
            Kind::Ci => "ci",
            Kind::Article => "article",
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Incident => "incident",
            Kind::Problem => "problem",
            Kind::Change => "change",
            Kind::Request => "service request",
            Kind::Ci => "configuration item",
            Kind::Article => "knowledge article",
        }
    }

    /// Folder under the managed root.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Incident => "incidents",
            Kind::Problem => "problems",
            Kind::Change => "changes",
            Kind::Request => "requests",
            Kind::Ci => "cis",
            Kind::Article => "kb",
        }
    }

    /// Default id prefix (CIs use slugs or the configured pattern).
    pub fn default_prefix(self) -> Option<&'static str> {
        match self {
            Kind::Incident => Some("INC"),
            Kind::Problem => Some("PRB"),
            Kind::Change => Some("CHG"),
            Kind::Request => Some("REQ"),
            Kind::Ci => None,
            Kind::Article => Some("KB"),
        }
    }

    /// File name of the kind's JSON Schema.
    pub fn schema_file(self) -> &'static str {
        match self {
            Kind::Incident => "incident.schema.json",
            Kind::Problem => "problem.schema.json",
            Kind::Change => "change.schema.json",
            Kind::Request => "request.schema.json",
            Kind::Ci => "ci.schema.json",
            Kind::Article => "article.schema.json",
        }
    }

    /// Extension of the kind's record files: YAML, or Markdown with a YAML
    /// front matter for knowledge articles.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Article => "md",
            _ => "yaml",
        }
    }

    /// File name of the record `id` of this kind (`INC-0001.yaml`, `KB-0001.md`).
    pub fn file_name(self, id: &str) -> String {
        format!("{id}.{}", self.extension())
    }

    /// The id in a record file name of this kind, when the name has the
    /// kind's extension.
    pub fn id_of_file_name(self, name: &str) -> Option<&str> {
        name.strip_suffix(self.extension())?.strip_suffix('.')
    }

    pub fn from_folder(folder: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.folder() == folder)
    }

    pub fn is_ticket(self) -> bool {
        !matches!(self, Kind::Ci | Kind::Article)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let k = match s.to_ascii_lowercase().as_str() {
            "incident" | "incidents" | "inc" => Kind::Incident,
            "problem" | "problems" | "prb" | "known_error" => Kind::Problem,
            "change" | "changes" | "chg" | "rfc" => Kind::Change,
            "request" | "requests" | "req" | "service_request" => Kind::Request,
            "ci" | "cis" | "configuration_item" => Kind::Ci,
            "article" | "articles" | "kb" | "knowledge_article" => Kind::Article,
            _ => {
                return Err(format!(
                    "unknown kind `{s}` (expected incident, problem, change, request, ci or article)"
                ));
            }
        };
        Ok(k)
    }
}
