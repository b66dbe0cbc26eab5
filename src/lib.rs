//! gitsm: Git-native IT service management.
//!
//! Incidents, problems, changes, service requests and configuration items
//! are YAML files in a Git repository. This library reads them ([`records`]),
//! checks them ([`checks`]) against their JSON Schemas ([`schema`]), the
//! organisation's policy ([`config`]) and the ITIL workflows ([`workflow`]),
//! and the command-line layer ([`cli`]) renders what it finds.

pub mod approval;
pub mod assign;
pub mod calendar;
pub mod checks;
pub mod cli;
pub mod cmdb;
pub mod config;
pub mod confined;
pub mod dataset;
pub mod diagnostic;
pub mod duration;
pub mod edit;
pub mod gate;
pub mod git;
pub mod history;
pub mod hooks;
pub mod ids;
pub mod index_file;
pub mod kind;
pub mod links;
pub mod local_index;
pub mod lock;
pub mod markup;
pub mod model;
pub mod policy;
pub mod priority;
pub mod query;
pub mod records;
pub mod report;
pub mod revision;
pub mod rules;
pub mod schema;
pub mod site;
pub mod sla;
pub mod suggest;
pub mod tree_cache;
pub mod update;
pub mod when;
pub mod workflow;
pub mod worklog;
pub mod workspace;
pub mod write;
pub mod yaml;

pub use cli::main;
