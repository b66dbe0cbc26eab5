//! The integration tests: one binary (one link of the crate on a 2-core
//! machine instead of one per file), a module per area.

mod common;

mod articles;
mod attacks;
mod availability;
mod backdating;
mod bad_input;
mod baseline;
mod candidates;
mod catalog;
mod cmdb;
mod conformance;
mod desk;
mod editing;
mod example_repo;
mod feedback;
mod fuzzing;
mod gate;
mod history;
mod hooks;
mod import;
mod index;
mod intake;
mod layout;
mod major;
mod newcomer;
mod ola;
mod renumber;
mod report;
mod schedule;
mod schemas;
mod site;
mod sla;
mod snapshots;
mod teams;
