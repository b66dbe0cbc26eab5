//! `gitsm completions <shell>`.

use std::process::ExitCode;

use super::super::CommandError;

/// Print a shell completion script (e.g. `gitsm completions bash > /etc/bash_completion.d/gitsm`)
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The script asks gitsm itself for candidates as you type (`GITSM_COMPLETE=<shell> gitsm -- <words>`): subcommands, options and kinds, and the record ids and workflow states of the repository you are in.\n\nExamples:\n  gitsm completions bash > ~/.local/share/bash-completion/completions/gitsm\n  gitsm completions zsh > \"${fpath[1]}/_gitsm\"\n  gitsm completions fish > ~/.config/fish/completions/gitsm.fish"
)]
pub struct Args {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub(crate) fn run(args: Args) -> Result<ExitCode, CommandError> {
    let name = args.shell.to_string();
    let shells = clap_complete::env::Shells::builtins();
    let Some(shell) = shells.completer(&name) else {
        return Err(CommandError::usage(format!("no completion for {name}")));
    };
    let mut buf = Vec::new();
    shell
        .write_registration(
            super::super::complete::VAR,
            "gitsm",
            "gitsm",
            "gitsm",
            &mut buf,
        )
        .map_err(|e| CommandError::io("completion script", e))?;
    super::super::ui::stdout_write(&String::from_utf8_lossy(&buf))?;
    Ok(ExitCode::SUCCESS)
}
