//! `gitsm hooks install|uninstall`: the Git hooks that run `gitsm validate`.

use std::path::Path;
use std::process::ExitCode;

use crate::hooks::{self, Hook, HooksError, Installed, Removed};

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::ui::relative;

/// Install or remove the Git hooks that run `gitsm validate`
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    Install(InstallArgs),
    Uninstall(UninstallArgs),
}

/// Write a pre-commit hook (`gitsm validate --staged`) and a pre-push hook
/// (`gitsm validate --range` over the commits each pushed ref adds)
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The hooks go to core.hooksPath when it is set (relative to the top of the work tree), \
else to the repository's hooks folder. Running install again updates gitsm's own hooks. \
A hook gitsm did not write is never replaced without --force; with --force it is kept \
as <hook>.gitsm-backup.

Exit status: 0 when the hooks are installed or up to date, 2 when a foreign hook is in \
the way (nothing is written) or outside a Git repository.")]
pub struct InstallArgs {
    /// Replace hooks that gitsm did not write (they are kept as <hook>.gitsm-backup)
    #[arg(long)]
    pub force: bool,
}

/// Remove the hooks gitsm wrote (other hooks are left alone)
#[derive(Debug, clap::Args)]
pub struct UninstallArgs {}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    match args.action {
        Action::Install(a) => install(cx, a),
        Action::Uninstall(_) => uninstall(cx),
    }
}

fn install(cx: &CommandContext, args: InstallArgs) -> Result<ExitCode, CommandError> {
    let target = hooks::locate(&cx.cwd).map_err(|e| error(cx, e))?;
    let exe = std::env::current_exe().ok();
    let scripts: Vec<(Hook, String)> = Hook::ALL
        .iter()
        .map(|&h| (h, hooks::script(h, &target.root, exe.as_deref())))
        .collect();
    let done = hooks::install(&target.dir, &scripts, args.force).map_err(|e| error(cx, e))?;
    for h in &done {
        let path = shown(cx, &h.path);
        cx.status(&match &h.outcome {
            Installed::Created => format!("installed {path}"),
            Installed::UpToDate => format!("{path} is up to date"),
            Installed::Updated => format!("updated {path}"),
            Installed::Replaced { backup } => format!(
                "replaced the foreign hook {path} (kept as {})",
                shown(cx, backup)
            ),
        });
    }
    if cx.verbose {
        cx.status(&format!(
            "the hooks run `gitsm -C {} validate`; gitsm is looked up on PATH{}",
            target.root,
            match &exe {
                Some(e) => format!(", then at {}", e.display()),
                None => String::new(),
            }
        ));
    }
    Ok(ExitCode::SUCCESS)
}

fn uninstall(cx: &CommandContext) -> Result<ExitCode, CommandError> {
    let target = hooks::locate(&cx.cwd).map_err(|e| error(cx, e))?;
    for h in hooks::uninstall(&target.dir).map_err(|e| error(cx, e))? {
        let path = shown(cx, &h.path);
        match h.outcome {
            Removed::Removed => cx.status(&format!("removed {path}")),
            Removed::Absent => cx.status(&format!("no {} hook installed", h.hook.file_name())),
            Removed::Foreign => cx.status(&format!("left {path} alone: gitsm did not write it")),
        }
        for b in &h.backups {
            cx.status(&format!(
                "note: {} is a hook that `install --force` replaced; rename it to {} to restore it",
                shown(cx, b),
                h.hook.file_name()
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn shown(cx: &CommandContext, path: &Path) -> String {
    relative(path, &cx.cwd).display().to_string()
}

/// Every failure here is a usage or environment error: exit 2.
fn error(cx: &CommandContext, e: HooksError) -> CommandError {
    match e {
        HooksError::NotInRepository(_) => CommandError::usage_hint(
            e.to_string(),
            "gitsm hooks install works inside a Git work tree: run `git init` first, or pass -C DIR",
        ),
        HooksError::NoManagedRoot => CommandError::usage_hint(
            e.to_string(),
            "run `gitsm init` to create one, or pass -C DIR",
        ),
        HooksError::Foreign(paths) => {
            let names: Vec<String> = paths.iter().map(|p| shown(cx, p)).collect();
            CommandError::usage_hint(
                format!(
                    "{} not written by gitsm; nothing was installed",
                    match names.as_slice() {
                        [one] => format!("{one} exists and was"),
                        many => format!("{} exist and were", many.join(" and ")),
                    }
                ),
                "pass --force to replace it (the old hook is kept as <hook>.gitsm-backup), \
                 or call `gitsm validate --staged` from your own hook",
            )
        }
        HooksError::Io { .. } => CommandError::Io(e.to_string()),
        other => CommandError::usage(other.to_string()),
    }
}
