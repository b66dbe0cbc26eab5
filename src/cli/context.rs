//! The command context: where a command runs, the repository there, the
//! clock and the person running it. Every command reads them here, so
//! that `-C`, `GITSM_NOW` (reproducible runs), the organisation's time
//! zone and the `people` mapping mean the same everywhere. What it prints
//! is in `ui.rs`.

use std::path::PathBuf;

use chrono::SecondsFormat;

use crate::git;
use crate::model::Timestamp;
use crate::workspace::Workspace;

use super::{CommandError, GlobalArgs};

/// What a command runs with: the directory it runs in (after `-C`), how
/// much to say, and from there the managed repository, the local index,
/// the clock and the person running it. Every command gets one; none
/// imports another command to learn these.
pub struct CommandContext {
    /// Directory gitsm runs in (after `-C`).
    pub cwd: PathBuf,
    pub quiet: bool,
    pub verbose: bool,
}

impl CommandContext {
    pub fn new(global: &GlobalArgs) -> Result<CommandContext, CommandError> {
        let here = std::env::current_dir().map_err(|e| CommandError::io("current directory", e))?;
        let cwd = match &global.dir {
            Some(d) => here.join(d),
            None => here,
        };
        if !cwd.is_dir() {
            return Err(CommandError::usage(format!(
                "cannot change to `{}`: no such directory",
                cwd.display()
            )));
        }
        let cwd = cwd
            .canonicalize()
            .map_err(|e| CommandError::io(cwd.display(), e))?;
        Ok(CommandContext {
            cwd,
            quiet: global.quiet,
            verbose: global.verbose,
        })
    }

    /// Open the managed repository at or above the working directory.
    pub fn workspace(&self) -> Result<Workspace, CommandError> {
        let ws = Workspace::discover(&self.cwd)?;
        if self.verbose {
            let schemas = if ws
                .schemas
                .origin(crate::kind::Kind::Incident)
                .starts_with("built-in")
            {
                "built in"
            } else {
                "from schemas/"
            };
            self.note(&format!(
                "managed root {}; policy {}; schemas {schemas}",
                ws.root.display(),
                crate::config::FILE_NAME
            ));
        }
        Ok(ws)
    }

    /// The local index of the workspace, up to date, its notes (a
    /// rebuild and why) printed as warnings.
    pub fn local_index(&self) -> Result<crate::local_index::LocalIndex, CommandError> {
        let index = crate::local_index::LocalIndex::open(&self.workspace()?)
            .map_err(|e| CommandError::Failed(e.to_string()))?;
        self.warnings(&index.notes);
        Ok(index)
    }

    /// The local index to ask again after `damage` ([`LocalIndex::again`]),
    /// the damage and the new index's notes printed as warnings.
    ///
    /// [`LocalIndex::again`]: crate::local_index::LocalIndex::again
    pub fn local_index_again(
        &self,
        damage: &crate::local_index::Damage,
    ) -> Result<crate::local_index::LocalIndex, CommandError> {
        self.warnings(std::slice::from_ref(&damage.note));
        let index = crate::local_index::LocalIndex::again(&self.workspace()?, damage)
            .map_err(|e| CommandError::Failed(e.to_string()))?;
        self.warnings(&index.notes);
        Ok(index)
    }

    /// The current time: `GITSM_NOW` (RFC 3339) when set, for reproducible
    /// runs; else the machine's clock, in its offset.
    pub fn now(&self) -> Result<Timestamp, CommandError> {
        match std::env::var("GITSM_NOW") {
            Ok(s) => chrono::DateTime::parse_from_rfc3339(&s).map_err(|e| {
                CommandError::usage(format!("GITSM_NOW=`{s}` is not an RFC 3339 timestamp: {e}"))
            }),
            Err(_) => {
                let local = chrono::Local::now();
                let secs = local.to_rfc3339_opts(SecondsFormat::Secs, true);
                chrono::DateTime::parse_from_rfc3339(&secs)
                    .map_err(|e| CommandError::io("clock", e))
            }
        }
    }

    /// The present as gitsm writes it into records: in the organisation's
    /// `timezone` when the policy names one, else in the machine's offset
    /// (or `GITSM_NOW`'s).
    pub fn now_in(&self, config: &crate::config::Config) -> Result<Timestamp, CommandError> {
        let now = self.now()?;
        Ok(match config.timezone {
            Some(_) => now.with_timezone(&config.zone()).fixed_offset(),
            None => now,
        })
    }

    /// The instant an `--at` argument means (now without one): dates and
    /// times of day are local in the organisation's `timezone`.
    pub fn at(
        &self,
        when: Option<crate::when::When>,
        config: &crate::config::Config,
    ) -> Result<Timestamp, CommandError> {
        let now = self.now()?;
        Ok(when.map_or(now, |w| w.resolve(now, config.zone())))
    }
}

/// The person running gitsm in `ws`: their handle when `people` knows
/// their Git email, else the email.
pub(super) fn person(ws: &Workspace) -> Option<String> {
    let email = git::user_email(&ws.root)?;
    Some(
        ws.config
            .person_by_email(&email)
            .map_or(email, String::from),
    )
}

/// The person running gitsm in `ws` ([`person`]), or the usage error
/// saying how to tell gitsm who they are.
pub(super) fn me(ws: &Workspace) -> Result<String, CommandError> {
    person(ws).ok_or_else(|| unknown_person(None))
}

/// The usage error when gitsm cannot tell who runs it: how to tell it,
/// and `alternative`, another way the command takes a handle.
pub(super) fn unknown_person(alternative: Option<&str>) -> CommandError {
    let mut hint = "run `git config user.email you@example.com` (an email listed under `people` in gitsm.yaml gives your handle)".to_owned();
    if let Some(alternative) = alternative {
        hint.push_str(&format!(", or {alternative}"));
    }
    CommandError::usage_hint("gitsm cannot tell who you are", hint)
}
