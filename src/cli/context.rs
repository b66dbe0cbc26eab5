//! What a command may ask of the invocation besides the terminal: the
//! clock and the person running it. Every command reads them here, so
//! that `GITSM_NOW` (reproducible runs), the organisation's time zone and
//! the `people` mapping mean the same everywhere.

use chrono::SecondsFormat;

use crate::git;
use crate::model::Timestamp;
use crate::workspace::Workspace;

use super::CommandError;
use super::ui::Ui;

impl Ui {
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
