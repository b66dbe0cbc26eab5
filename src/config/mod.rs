//! `gitsm.yaml`: the organisation's policy, versioned and reviewed like code.
//!
//! Every key has a default, so an empty file works. The file is validated
//! against its own JSON Schema (`schemas/gitsm.schema.json`), then checked for
//! consistency (time zones exist, groups name known people, ...). A bad
//! config is an error naming `gitsm.yaml:line:col`, never a silent default.

mod check;
mod types;

use std::path::Path;

pub use check::check;
pub use types::*;

use crate::diagnostic::Diagnostic;
use crate::schema::Schemas;
use crate::yaml;

/// File name of the config at the managed root.
pub const FILE_NAME: &str = "gitsm.yaml";

/// The commented starter config that `gitsm init` writes.
pub const STARTER: &str = include_str!("starter.yaml");

/// Parse and check a config text. `path` is used in diagnostics only.
pub fn parse(text: &str, path: &Path, schemas: &Schemas) -> Result<Config, Vec<Diagnostic>> {
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
    config.flows = crate::workflow::Workflows::with_overrides(&config.workflows);
    config.ci.compile();
    Ok(config)
}
