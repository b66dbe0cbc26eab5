//! `gitsm completions <shell>`.

use std::process::ExitCode;

use clap::CommandFactory;

use super::super::{Cli, CliError};

/// Print a shell completion script (e.g. `gitsm completions bash > /etc/bash_completion.d/gitsm`)
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "gitsm", &mut buf);
    super::super::ui::stdout_write(&String::from_utf8_lossy(&buf))?;
    Ok(ExitCode::SUCCESS)
}
