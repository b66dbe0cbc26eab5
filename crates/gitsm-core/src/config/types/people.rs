//! People and their Git identities and keys.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A person and their Git identities.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Full name, as shown on the site and in reports.
    pub name: String,
    /// Git author emails of this person (who they are in commits).
    #[serde(default)]
    pub emails: Vec<String>,
    /// OpenSSH public keys of this person, one `allowed_signers`-style line
    /// each (`ssh-ed25519 AAAA... carol@laptop`): a decision by this person
    /// counts only with a signature by one of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// `false` for someone who left: records naming them stay valid, but
    /// nothing new may be assigned to them and they take no new decisions.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// Telephone number, for the desk to call back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Where the person works (site, building, room), for desk visits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

pub(super) fn yes() -> bool {
    true
}

pub(super) fn is_true(b: &bool) -> bool {
    *b
}
