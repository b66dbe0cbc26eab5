//! gitsm: Git-native IT service management.
//!
//! Incidents, problems, changes, service requests and configuration items
//! are YAML files in a Git repository. The domain lives in `gitsm-core`
//! (re-exported here under its module names), the static site in
//! `gitsm-site`; this crate is the command line ([`cli`]): arguments,
//! rendering and exit codes.

pub mod cli;

pub use gitsm_core::*;
pub use gitsm_site as site;

pub use cli::main;
