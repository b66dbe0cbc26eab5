//! Failures of a command and the exit codes they map to: 1 when a check
//! failed, 2 for usage and configuration errors.

use std::process::ExitCode;

use crate::diagnostic::Diagnostic;
use crate::workspace::WorkspaceError;

use super::Ui;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
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
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        CliError::Usage {
            message: message.into(),
            hint: None,
        }
    }

    pub fn usage_hint(message: impl Into<String>, hint: impl Into<String>) -> Self {
        CliError::Usage {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }

    pub fn io(what: impl std::fmt::Display, e: impl std::fmt::Display) -> Self {
        CliError::Io(format!("{what}: {e}"))
    }

    fn exit_code(&self) -> u8 {
        match self {
            CliError::Failed(_) => 1,
            _ => 2,
        }
    }

    /// Print the error to stderr and return the exit code.
    pub fn report(&self, ui: Option<&Ui>) -> ExitCode {
        match self {
            CliError::Workspace(WorkspaceError::Config(diags)) => {
                if let Some(ui) = ui {
                    ui.print_diagnostics(diags);
                } else {
                    for d in diags {
                        eprintln!("error: {}", d.message);
                    }
                }
                super::ui::error_line("invalid gitsm.yaml; nothing was done", None);
            }
            CliError::Workspace(WorkspaceError::NotFound { .. }) => super::ui::error_line(
                &self.to_string(),
                Some("run `gitsm init` to create one, or pass -C DIR"),
            ),
            CliError::Usage { message, hint } => super::ui::error_line(message, hint.as_deref()),
            CliError::Failed(message) if message.is_empty() => {}
            other => super::ui::error_line(&other.to_string(), None),
        }
        ExitCode::from(self.exit_code())
    }
}

impl From<Vec<Diagnostic>> for CliError {
    fn from(diags: Vec<Diagnostic>) -> Self {
        CliError::Workspace(WorkspaceError::Config(diags))
    }
}

impl From<crate::dataset::DatasetError> for CliError {
    fn from(e: crate::dataset::DatasetError) -> Self {
        use crate::dataset::{DatasetError, SourceError};
        match e {
            DatasetError::NotGit(root) => CliError::usage_hint(
                format!("{} is not inside a Git repository", root.display()),
                "drop --rev to read the work tree",
            ),
            DatasetError::UnknownRevision(rev) => CliError::usage_hint(
                format!("unknown revision `{rev}`"),
                "name a branch, tag or commit, e.g. HEAD~10 or v2026.10",
            ),
            DatasetError::Source {
                source: SourceError::Config(diags),
                ..
            } => CliError::from(diags),
            DatasetError::Source { commit, source } => {
                CliError::usage(format!("{}: {source}", &commit[..10.min(commit.len())]))
            }
            other => CliError::usage(other.to_string()),
        }
    }
}
