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
    ArgValueCompleter::new(|current: &OsStr| ids(current, None))
}

/// Completes a workflow state.
pub(super) fn state() -> ArgValueCompleter {
    ArgValueCompleter::new(states)
}

/// Completes a record id or, for the last word of `transition`, a state.
pub(super) fn record_id_or_state() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| {
        let mut all = ids(current, None);
        all.extend(states(current));
        all
    })
}

/// The repository of the current directory, if there is one: completion
/// must never fail, only offer less.
fn workspace() -> Option<Workspace> {
    let here = std::env::current_dir().ok()?;
    Workspace::discover(&here).ok()
}

fn ids(current: &OsStr, kind: Option<Kind>) -> Vec<CompletionCandidate> {
    let Some(ws) = workspace() else {
        return Vec::new();
    };
    let prefix = current.to_string_lossy();
    let mut ids: Vec<String> = crate::dataset::ids(&ws)
        .into_iter()
        .filter(|id| id.starts_with(prefix.as_ref()))
        .filter(|id| kind.is_none_or(|k| ws.config.ids.kind_of(id) == k))
        .collect();
    ids.sort();
    ids.into_iter().map(CompletionCandidate::new).collect()
}

fn states(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(ws) = workspace() else {
        return Vec::new();
    };
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
    ArgValueCompleter::new(move |current: &OsStr| ids(current, Some(kind)))
}
