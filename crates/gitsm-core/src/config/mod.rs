//! `gitsm.yaml`: the organisation's policy, versioned and reviewed like code.
//!
//! Every key has a default, so an empty file works. The file is validated
//! against its own JSON Schema (`schemas/gitsm.schema.json`), then checked for
//! consistency (time zones exist, groups name known people, ...). A bad
//! config is an error naming `gitsm.yaml:line:col`, never a silent default.
//!
//! This module is the keys as plain data ([`Config`]), with their
//! documentation (which becomes the config's JSON Schema); it knows
//! nothing of what is built from them. Reading, checking and compiling a
//! config is [`crate::policy`]'s.

mod types;

pub use types::*;

/// File name of the config at the managed root.
pub const FILE_NAME: &str = "gitsm.yaml";

/// The commented starter config that `gitsm init` writes.
pub const STARTER: &str = include_str!("starter.yaml");
