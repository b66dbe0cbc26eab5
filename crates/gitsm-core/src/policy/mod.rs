//! The organisation's policy as gitsm applies it: `gitsm.yaml` read,
//! validated against its JSON Schema, checked for consistency, and
//! compiled once ([`Policy`]: the workflows in force, the CI id patterns).
//! The keys themselves are plain data in [`crate::config`].

mod check;

use std::collections::BTreeMap;
use std::path::Path;

pub use check::check;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::kind::Kind;
use crate::model::Record;
use crate::schema::Schemas;
use crate::workflow::{Workflow, Workflows};
use crate::yaml;

/// Parse and check a config text. `path` is used in diagnostics only.
pub fn parse(text: &str, path: &Path, schemas: &Schemas) -> Result<Policy, Vec<Diagnostic>> {
    let node = yaml::parse(text)
        .map_err(|e| vec![Diagnostic::error("config-syntax", e.message).at(path, e.pos)])?;
    let json = if node.is_null() {
        serde_json::Value::Object(serde_json::Map::new())
    } else {
        node.to_json()
    };
    if let Some(old) = node
        .get("change_policy")
        .and_then(|p| p.get("require_signed_approvals"))
    {
        return Err(vec![
            Diagnostic::error(
                "config",
                "`change_policy.require_signed_approvals` was removed: decisions are proven by signatures now",
            )
            .at(path, old.pos)
            .with_hint(
                "delete it; `change_policy.proof: signature` (the default) needs a signature by the approver's key over what they approved, `proof: commit` trusts commit author emails",
            ),
        ]);
    }
    let mut diags = schemas.validate_config(&json, &node, path);
    if !diags.is_empty() {
        return Err(diags);
    }
    let mut config: Config = match serde_json::from_value(json) {
        Ok(c) => c,
        Err(e) => {
            return Err(vec![
                Diagnostic::error("config", format!("invalid config: {e}")).at(path, node.pos),
            ]);
        }
    };
    // The default SLA policy runs P3 and P4 on the `business` calendar: it
    // stays available when an organisation declares calendars of its own.
    config.calendars.entry("business".to_owned()).or_default();
    diags.extend(check(&config, &node, path));
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok(Policy::new(config))
}

/// The organisation's policy as gitsm applies it: the [`Config`] (which
/// it derefs to) and what is compiled from it, once.
#[derive(Debug, Clone)]
pub struct Policy {
    config: Config,
    /// The workflows in force: the defaults with `workflows` applied.
    flows: Workflows,
    /// The CI id patterns that compile, by pattern text (the config check
    /// reports the others): a CI check must not compile one per record.
    ci_patterns: BTreeMap<String, regex::Regex>,
}

impl Policy {
    /// Compile `config` (checked already, or a default).
    pub fn new(config: Config) -> Policy {
        let flows = Workflows::with_overrides(&config.workflows);
        let ci = &config.ci;
        let ci_patterns = std::iter::once(&ci.id_pattern)
            .chain(ci.classes.values().filter_map(|c| c.id_pattern.as_ref()))
            .filter_map(|p| regex::Regex::new(p).ok().map(|re| (p.clone(), re)))
            .collect();
        Policy {
            config,
            flows,
            ci_patterns,
        }
    }

    /// The config keys as written.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The workflows in force.
    pub fn flows(&self) -> &Workflows {
        &self.flows
    }

    /// The workflow that governs `record`.
    pub fn workflow(&self, record: &Record) -> &Workflow {
        self.flows.for_record(record)
    }

    /// The workflow new records of `kind` start in.
    pub fn kind_workflow(&self, kind: Kind) -> &Workflow {
        self.flows.for_kind(kind)
    }

    /// The id pattern of a CI of `class`, and its compiled form.
    pub fn ci_id_regex(&self, class: Option<&str>) -> (&str, Option<&regex::Regex>) {
        let pattern = self.config.ci.id_pattern(class);
        (pattern, self.ci_patterns.get(pattern))
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::new(Config::default())
    }
}

impl std::ops::Deref for Policy {
    type Target = Config;

    fn deref(&self) -> &Config {
        &self.config
    }
}
