//! gitsm's domain: the records, the organisation's policy and the ITIL
//! rules over them, read from a revision or the work tree.
//!
//! Records are read ([`records`]) and checked ([`checks`]) against their
//! JSON Schemas ([`schema`]), the organisation's policy ([`config`],
//! compiled by [`policy`]) and the workflows ([`workflow`]); a [`dataset`]
//! is the records, policy and history of one revision, from which the SLA
//! clocks ([`sla`]), the CMDB ([`cmdb`]), the reports ([`report`]) and the
//! release gate ([`gate`]) take their figures. No terminal, no arguments:
//! the command line (the `gitsm` crate) and the site (`gitsm-site`) render
//! what this crate finds.

pub mod approval;
pub mod assign;
pub mod availability;
pub mod baseline;
pub mod calendar;
pub mod catalog;
pub mod checks;
pub mod cmdb;
pub mod config;
pub mod confined;
pub mod create;
pub mod dataset;
pub mod diagnostic;
pub mod duration;
pub mod front_matter;
pub mod gate;
pub mod grants;
pub mod history;
pub mod hooks;
pub mod ids;
pub mod import;
pub mod intake;
pub mod kind;
pub mod knowledge;
pub mod links;
pub mod local_index;
pub mod maintenance;
pub mod markup;
pub mod model;
pub mod policy;
pub mod priority;
pub mod problem_candidates;
pub mod query;
pub mod records;
pub mod report;
pub mod rules;
pub mod schema;
pub mod sla;
pub mod snapshot;
pub mod suggest;
pub mod update;
pub mod when;
pub mod workflow;
pub mod worklog;
pub mod workspace;

// The YAML layer and the Git layer, under the names the domain uses.
pub use gitsm_git::{commit, git, index_file, lock, tree_cache, write};
pub use gitsm_yaml::{edit, yaml};
