//! `gitsm man`: man pages generated from the command definitions.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::CommandFactory;

use super::super::ui::{Ui, stdout_write};
use super::super::{Cli, CliError};

/// Print the gitsm(1) man page, or write a page per subcommand into DIR
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write gitsm.1 and gitsm-<command>.1 into DIR
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

pub fn run(ui: &Ui, args: Args) -> Result<ExitCode, CliError> {
    let cmd = Cli::command();
    match args.output {
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut buf)
                .map_err(|e| CliError::io("man page", e))?;
            stdout_write(&String::from_utf8_lossy(&buf))?;
        }
        Some(dir) => {
            let dir = ui.cwd.join(dir);
            std::fs::create_dir_all(&dir).map_err(|e| CliError::io(dir.display(), e))?;
            clap_mangen::generate_to(cmd, &dir).map_err(|e| CliError::io(dir.display(), e))?;
            ui.status(&format!("wrote man pages to {}", dir.display()));
        }
    }
    Ok(ExitCode::SUCCESS)
}
