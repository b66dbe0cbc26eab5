//! How ids are made and where new record files go.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::kind::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum IdScheme {
    /// INC-0001, INC-0002, ...: next after the highest in the work tree and upstream.
    #[default]
    Sequential,
    /// INC-2026-0001: sequential within the year the record is created.
    Yearly,
    /// INC-7KQ3XM: short random ids that never collide between branches.
    Random,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// All records of a kind in its folder: `incidents/INC-0042.yaml`.
    #[default]
    Flat,
    /// New records in a folder per year: `incidents/2026/INC-0042.yaml`.
    ByYear,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IdPolicy {
    /// How the number part of a new id is chosen.
    pub scheme: IdScheme,
    /// Where new record files go.
    pub layout: Layout,
    /// Digits of the number part (`4`: INC-0001).
    #[schemars(range(min = 1, max = 12))]
    pub width: u8,
    /// Upstream revision also searched for taken ids (default `origin/HEAD`, then `origin/main`).
    pub base: Option<String>,
    /// Id prefixes by ticket kind.
    pub prefixes: Prefixes,
}

impl Default for IdPolicy {
    fn default() -> Self {
        IdPolicy {
            scheme: IdScheme::Sequential,
            layout: Layout::Flat,
            width: 4,
            base: None,
            prefixes: Prefixes::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Prefixes {
    /// Prefix of incidents' ids (`INC-0001`).
    pub incident: String,
    /// Prefix of problems' ids (`PRB-0001`).
    pub problem: String,
    /// Prefix of changes' ids (`CHG-0001`).
    pub change: String,
    /// Prefix of service requests' ids (`REQ-0001`).
    pub request: String,
    /// Prefix of knowledge articles' ids (`KB-0001`).
    pub article: String,
}

impl Default for Prefixes {
    fn default() -> Self {
        Prefixes {
            incident: "INC".into(),
            problem: "PRB".into(),
            change: "CHG".into(),
            request: "REQ".into(),
            article: "KB".into(),
        }
    }
}

impl IdPolicy {
    pub fn prefix(&self, kind: Kind) -> Option<&str> {
        match kind {
            Kind::Incident => Some(&self.prefixes.incident),
            Kind::Problem => Some(&self.prefixes.problem),
            Kind::Change => Some(&self.prefixes.change),
            Kind::Request => Some(&self.prefixes.request),
            Kind::Article => Some(&self.prefixes.article),
            Kind::Ci => None,
        }
    }

    /// The kind an id belongs to: a ticket kind by its prefix, else a CI.
    pub fn kind_of(&self, id: &str) -> Kind {
        Kind::ALL
            .into_iter()
            .find(|&k| {
                self.prefix(k)
                    .is_some_and(|p| id.strip_prefix(p).is_some_and(|rest| rest.starts_with('-')))
            })
            .unwrap_or(Kind::Ci)
    }
}
