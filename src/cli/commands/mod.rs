//! One file per subcommand: its arguments and its `run`.

pub mod approve;
pub mod completions;
pub mod escalate;
pub mod gate;
pub mod graph;
pub mod history;
pub mod hooks;
pub mod impact;
pub mod init;
pub mod link;
pub mod list;
pub mod man;
pub mod mine;
pub mod new;
pub mod note;
pub mod renumber;
pub mod report;
pub mod schema;
pub mod set;
pub mod show;
pub mod site;
pub mod sla;
pub mod transition;
pub mod validate;
