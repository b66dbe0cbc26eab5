//! Dynamic shell completion through clap_complete's engine: the script
//! `gitsm completions <shell>` prints makes the shell run
//! `GITSM_COMPLETE=<shell> gitsm -- <words>`, which answers with candidates.
//! Kinds and fixed values come from the argument definitions; record ids
//! and workflow states are read here from the repository in the current
//! directory (ids through the local index: one query, not a tree walk).

use std::ffi::OsStr;

use clap_complete::{ArgValueCandidates, ArgValueCompleter, CompletionCandidate};

use crate::kind::Kind;
use crate::model::Priority;
use crate::workspace::Workspace;

/// The variable the completion script sets. gitsm's own name: clap's
/// default, `COMPLETE`, is generic enough to be set for something else,
/// and then every command would fail.
pub(super) const VAR: &str = "GITSM_COMPLETE";

/// Answer a completion request when the shell asks for one ([`VAR`] is
/// set), then exit; otherwise return at once.
pub(super) fn answer_when_asked() {
    clap_complete::CompleteEnv::with_factory(<super::Cli as clap::CommandFactory>::command)
        .var(VAR)
        .complete();
}

/// Completes any record id.
pub(super) fn record_id() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| in_workspace(|ws| ids(ws, current, None)))
}

/// Completes a workflow state.
pub(super) fn state() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| in_workspace(|ws| states(ws, current)))
}

/// Completes a record id or, for the last word of `transition`, a state:
/// both from one reading of the repository.
pub(super) fn record_id_or_state() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| {
        in_workspace(|ws| {
            let mut all = ids(ws, current, None);
            all.extend(states(ws, current));
            all
        })
    })
}

/// The candidates `offer` finds in the repository; none without one.
fn in_workspace(
    offer: impl FnOnce(&Workspace) -> Vec<CompletionCandidate>,
) -> Vec<CompletionCandidate> {
    workspace().map_or_else(Vec::new, |ws| offer(&ws))
}

/// The repository the command line being completed runs in: the current
/// directory, or the `-C DIR` typed before the word. None when there is
/// none: completion must never fail, only offer less.
fn workspace() -> Option<Workspace> {
    let here = std::env::current_dir().ok()?;
    // The shell calls `gitsm -- <the words of the line>`.
    let words: Vec<String> = std::env::args().skip_while(|w| w != "--").skip(1).collect();
    let dir = typed_dir(&words).map_or(here.clone(), |d| here.join(d));
    Workspace::discover(&dir).ok()
}

/// The last `-C DIR` (or `-CDIR`) among `words`, before the one being
/// completed.
fn typed_dir(words: &[String]) -> Option<&str> {
    let before = &words[..words.len().saturating_sub(1)];
    let mut dir = None;
    for (i, w) in before.iter().enumerate() {
        if w == "-C" {
            dir = before.get(i + 1).map(String::as_str);
        } else if let Some(d) = w.strip_prefix("-C").filter(|d| !d.is_empty()) {
            dir = Some(d);
        }
    }
    dir
}

fn ids(ws: &Workspace, current: &OsStr, kind: Option<Kind>) -> Vec<CompletionCandidate> {
    let prefix = current.to_string_lossy();
    let mut ids: Vec<String> = crate::dataset::ids(ws)
        .into_iter()
        .filter(|id| id.starts_with(prefix.as_ref()))
        .filter(|id| kind.is_none_or(|k| ws.config.ids.kind_of(id) == k))
        .collect();
    ids.sort();
    ids.into_iter().map(CompletionCandidate::new).collect()
}

fn states(ws: &Workspace, current: &OsStr) -> Vec<CompletionCandidate> {
    let prefix = current.to_string_lossy();
    let mut names: Vec<&str> = Kind::ALL
        .into_iter()
        .flat_map(|kind| ws.config.flows().of_kind(kind))
        .flat_map(|flow| flow.state_names())
        .filter(|name| name.starts_with(prefix.as_ref()))
        .collect();
    names.sort_unstable();
    names.dedup();
    names.into_iter().map(CompletionCandidate::new).collect()
}

/// Completes a record kind by its command-line name.
pub(super) fn kind() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        Kind::ALL
            .into_iter()
            .map(|k| CompletionCandidate::new(k.name()).help(Some(k.label().into())))
            .collect()
    })
}

/// Completes a priority.
pub(super) fn priority() -> ArgValueCandidates {
    ArgValueCandidates::new(|| {
        Priority::ALL
            .into_iter()
            .map(|p| CompletionCandidate::new(p.name()))
            .collect()
    })
}

/// Completes the id of a record of `kind`.
pub(super) fn id_of(kind: Kind) -> ArgValueCompleter {
    ArgValueCompleter::new(move |current: &OsStr| in_workspace(|ws| ids(ws, current, Some(kind))))
}

#[cfg(test)]
mod tests {
    use super::typed_dir;

    #[test]
    fn the_directory_typed_with_dash_c_is_where_ids_come_from() {
        let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(typed_dir(&words(&["gitsm", "show", "INC-"])), None);
        assert_eq!(
            typed_dir(&words(&["gitsm", "-C", "itsm", "show", "INC-"])),
            Some("itsm")
        );
        assert_eq!(
            typed_dir(&words(&["gitsm", "-Citsm", "show", ""])),
            Some("itsm")
        );
        // `-C` being typed: nothing to go by yet.
        assert_eq!(typed_dir(&words(&["gitsm", "-C"])), None);
    }
}
