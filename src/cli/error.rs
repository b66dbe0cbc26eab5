//! The one error type of the commands, and the one place that maps it to
//! an exit code and prints it: 1 when a check failed, 2 for usage,
//! configuration and I/O errors, 141 (a shell's code for a process its
//! pipe closed on, as `git log | head` gives) when stdout was closed.
//! Domain errors convert with their hints (`From` impls), so that what the
//! user can do about a failure reaches them.

use std::process::ExitCode;

use crate::diagnostic::Diagnostic;
use crate::workspace::WorkspaceError;

use super::CommandContext;

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// Wrong arguments or an unknown id: exit 2.
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },
    /// The managed repository could not be opened: exit 2.
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    /// A check failed and its diagnostics were printed: exit 1.
    #[error("{0}")]
    Failed(String),
    /// Reading or writing failed: exit 2.
    #[error("{0}")]
    Io(String),
    /// Whoever read stdout went away (`gitsm list | head`): stop, print
    /// nothing, exit 141.
    #[error("stdout was closed")]
    BrokenPipe,
}

impl CommandError {
    pub fn usage(message: impl Into<String>) -> Self {
        CommandError::Usage {
            message: message.into(),
            hint: None,
        }
    }

    pub fn usage_hint(message: impl Into<String>, hint: impl Into<String>) -> Self {
        CommandError::Usage {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    pub fn io(what: impl std::fmt::Display, e: impl std::fmt::Display) -> Self {
        CommandError::Io(format!("{what}: {e}"))
    }

    /// A failed write to stdout: [`CommandError::BrokenPipe`] when the
    /// reader went away.
    pub fn stdout(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            CommandError::BrokenPipe
        } else {
            CommandError::io("stdout", e)
        }
    }

    fn exit_code(&self) -> u8 {
        match self {
            CommandError::Failed(_) => 1,
            CommandError::BrokenPipe => 141,
            _ => 2,
        }
    }

    /// Print the error to stderr and return the exit code.
    pub fn report(&self, cx: Option<&CommandContext>) -> ExitCode {
        match self {
            CommandError::Workspace(WorkspaceError::Config(diags)) => {
                if let Some(cx) = cx {
                    cx.print_diagnostics(diags);
                } else {
                    for d in diags {
                        eprintln!("error: {}", d.message);
                    }
                }
                super::ui::error_line("invalid gitsm.yaml; nothing was done", None);
            }
            CommandError::Workspace(WorkspaceError::NotFound { .. }) => super::ui::error_line(
                &self.to_string(),
                Some("run `gitsm init` to create one, or pass -C DIR"),
            ),
            CommandError::Usage { message, hint } => {
                super::ui::error_line(message, hint.as_deref())
            }
            CommandError::Failed(message) if message.is_empty() => {}
            CommandError::BrokenPipe => {}
            other => super::ui::error_line(&other.to_string(), None),
        }
        ExitCode::from(self.exit_code())
    }
}

impl From<Vec<Diagnostic>> for CommandError {
    fn from(diags: Vec<Diagnostic>) -> Self {
        CommandError::Workspace(WorkspaceError::Config(diags))
    }
}

impl From<crate::dataset::DatasetError> for CommandError {
    fn from(e: crate::dataset::DatasetError) -> Self {
        use crate::dataset::{DatasetError, SourceError};
        match e {
            DatasetError::NotGit(root) => CommandError::usage_hint(
                format!("{} is not inside a Git repository", root.display()),
                "drop --rev to read the work tree",
            ),
            DatasetError::UnknownRevision(rev) => CommandError::usage_hint(
                format!("unknown revision `{rev}`"),
                "name a branch, tag or commit, e.g. HEAD~10 or v2026.10",
            ),
            DatasetError::Source {
                source: SourceError::Config(diags),
                ..
            } => CommandError::from(diags),
            DatasetError::Source { commit, source } => {
                CommandError::usage(format!("{}: {source}", &commit[..10.min(commit.len())]))
            }
            other => CommandError::usage(other.to_string()),
        }
    }
}

impl From<crate::history::HistoryError> for CommandError {
    /// With its hint when the user can act on it (a shallow clone, an
    /// unknown revision, conflicts).
    fn from(e: crate::history::HistoryError) -> Self {
        match e.hint() {
            Some(hint) => CommandError::usage_hint(e.to_string(), hint),
            None => CommandError::usage(e.to_string()),
        }
    }
}
