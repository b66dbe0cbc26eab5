//! Workflows: the states of each kind, the transitions between them and the
//! fields a record must carry in each state (ITIL defaults, SPEC section 4).

use std::sync::LazyLock;

use crate::kind::Kind;
use crate::model::{ChangeType, Record};

/// One state of a workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub name: &'static str,
    /// States reachable from this one.
    pub next: &'static [&'static str],
    /// Dotted field paths that must be set in this state.
    pub requires: &'static [&'static str],
    /// No further change except appended notes.
    pub terminal: bool,
}

/// A kind's (or a change type's) workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    pub name: &'static str,
    pub initial: &'static str,
    pub states: Vec<State>,
}

impl Workflow {
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.iter().find(|s| s.name == name)
    }

    pub fn state_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.states.iter().map(|s| s.name)
    }

    pub fn is_terminal(&self, name: &str) -> bool {
        self.state(name).is_some_and(|s| s.terminal)
    }

    /// Whether `from -> to` is allowed (staying in a state always is).
    pub fn allows(&self, from: &str, to: &str) -> bool {
        from == to || self.state(from).is_some_and(|s| s.next.contains(&to))
    }
}

const fn st(
    name: &'static str,
    next: &'static [&'static str],
    requires: &'static [&'static str],
) -> State {
    State {
        name,
        next,
        requires,
        terminal: false,
    }
}

const fn end(name: &'static str, requires: &'static [&'static str]) -> State {
    State {
        name,
        next: &[],
        requires,
        terminal: true,
    }
}

const RESOLVED: &[&str] = &["resolution.code", "resolution.notes", "resolved_at"];
const CANCELLED: &[&str] = &["cancel_reason"];
const PLANNED: &[&str] = &[
    "risk",
    "impact",
    "window.start",
    "window.end",
    "implementation_plan",
    "backout_plan",
    "test_plan",
];

static INCIDENT: LazyLock<Workflow> = LazyLock::new(|| Workflow {
    name: "incident",
    initial: "new",
    states: vec![
        st("new", &["in_progress", "cancelled"], &[]),
        st(
            "in_progress",
            &["on_hold", "resolved", "cancelled"],
            &["assignee"],
        ),
        st(
            "on_hold",
            &["in_progress", "resolved", "cancelled"],
            &["assignee", "on_hold"],
        ),
        st(
            "resolved",
            &["closed", "in_progress", "cancelled"],
            RESOLVED,
        ),
        end(
            "closed",
            &[
                "resolution.code",
                "resolution.notes",
                "resolved_at",
                "closed_at",
            ],
        ),
        end("cancelled", CANCELLED),
    ],
});

static PROBLEM: LazyLock<Workflow> = LazyLock::new(|| Workflow {
    name: "problem",
    initial: "new",
    states: vec![
        st("new", &["investigating", "cancelled"], &[]),
        st(
            "investigating",
            &["known_error", "resolved", "cancelled"],
            &["assignee"],
        ),
        st(
            "known_error",
            &["resolved", "cancelled"],
            &["root_cause", "workaround"],
        ),
        st(
            "resolved",
            &["closed", "investigating"],
            &["resolution.code", "resolved_at"],
        ),
        end("closed", &["resolution.code", "resolved_at", "closed_at"]),
        end("cancelled", CANCELLED),
    ],
});

static CHANGE_NORMAL: LazyLock<Workflow> = LazyLock::new(|| Workflow {
    name: "change (normal)",
    initial: "new",
    states: vec![
        st("new", &["assess", "cancelled"], &[]),
        st(
            "assess",
            &["authorize", "new", "cancelled"],
            &["risk", "impact"],
        ),
        st(
            "authorize",
            &["scheduled", "new", "cancelled"],
            &["risk", "impact"],
        ),
        st("scheduled", &["implement", "new", "cancelled"], PLANNED),
        st("implement", &["review"], PLANNED),
        st("review", &["closed"], &["outcome"]),
        end("closed", &["outcome", "close_code", "review"]),
        end("cancelled", CANCELLED),
    ],
});

static CHANGE_EMERGENCY: LazyLock<Workflow> = LazyLock::new(|| Workflow {
    name: "change (emergency)",
    initial: "new",
    states: vec![
        st("new", &["assess", "authorize", "cancelled"], &[]),
        st(
            "assess",
            &["authorize", "new", "cancelled"],
            &["risk", "impact"],
        ),
        st("authorize", &["scheduled", "new", "cancelled"], &["risk"]),
        st(
            "scheduled",
            &["implement", "new", "cancelled"],
            &[
                "risk",
                "window.start",
                "window.end",
                "implementation_plan",
                "backout_plan",
            ],
        ),
        st(
            "implement",
            &["review"],
            &[
                "risk",
                "window.start",
                "window.end",
                "implementation_plan",
                "backout_plan",
            ],
        ),
        st("review", &["closed"], &["outcome"]),
        end("closed", &["outcome", "close_code", "review"]),
        end("cancelled", CANCELLED),
    ],
});

static CHANGE_STANDARD: LazyLock<Workflow> = LazyLock::new(|| Workflow {
    name: "change (standard)",
    initial: "new",
    states: vec![
        st("new", &["scheduled", "cancelled"], &["template"]),
        st(
            "scheduled",
            &["implement", "new", "cancelled"],
            &["template", "window.start", "window.end"],
        ),
        st(
            "implement",
            &["review", "closed"],
            &["template", "window.start", "window.end"],
        ),
        st("review", &["closed"], &["outcome"]),
        end("closed", &["outcome", "close_code"]),
        end("cancelled", CANCELLED),
    ],
});

static REQUEST: LazyLock<Workflow> = LazyLock::new(|| Workflow {
    name: "service request",
    initial: "new",
    states: vec![
        st(
            "new",
            &["approved", "in_fulfillment", "rejected", "cancelled"],
            &[],
        ),
        st("approved", &["in_fulfillment", "cancelled"], &[]),
        st("in_fulfillment", &["fulfilled", "cancelled"], &["assignee"]),
        st(
            "fulfilled",
            &["closed", "in_fulfillment"],
            &["fulfilled_at"],
        ),
        end("closed", &["fulfilled_at", "closed_at"]),
        end("rejected", &["reject_reason"]),
        end("cancelled", CANCELLED),
    ],
});

static CI: LazyLock<Workflow> = LazyLock::new(|| Workflow {
    name: "configuration item",
    initial: "planned",
    states: vec![
        st("planned", &["active", "retired"], &[]),
        st("active", &["maintenance", "retired"], &[]),
        st("maintenance", &["active", "retired"], &[]),
        end("retired", &[]),
    ],
});

/// The workflow a kind starts in (for changes: the normal one).
pub fn for_kind(kind: Kind) -> &'static Workflow {
    match kind {
        Kind::Incident => &INCIDENT,
        Kind::Problem => &PROBLEM,
        Kind::Change => &CHANGE_NORMAL,
        Kind::Request => &REQUEST,
        Kind::Ci => &CI,
    }
}

/// The workflow that governs `record`.
pub fn for_record(record: &Record) -> &'static Workflow {
    match record {
        Record::Change(c) => for_change(c.change_type),
        other => for_kind(other.kind()),
    }
}

pub fn for_change(t: ChangeType) -> &'static Workflow {
    match t {
        ChangeType::Normal => &CHANGE_NORMAL,
        ChangeType::Emergency => &CHANGE_EMERGENCY,
        ChangeType::Standard => &CHANGE_STANDARD,
    }
}

/// Whether a dotted field path is set (not null, not an empty string or list).
pub fn is_set(json: &serde_json::Value, dotted: &str) -> bool {
    let mut v = json;
    for part in dotted.split('.') {
        match v.get(part) {
            Some(next) => v = next,
            None => return false,
        }
    }
    match v {
        serde_json::Value::Null => false,
        serde_json::Value::String(s) => !s.trim().is_empty(),
        serde_json::Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transition_names_a_known_state_and_every_state_is_reachable() {
        let all = [
            &*INCIDENT,
            &*PROBLEM,
            &*CHANGE_NORMAL,
            &*CHANGE_EMERGENCY,
            &*CHANGE_STANDARD,
            &*REQUEST,
            &*CI,
        ];
        for wf in all {
            let mut reached = vec![wf.initial];
            let mut i = 0;
            while i < reached.len() {
                let s = wf.state(reached[i]).expect("known state");
                for n in s.next {
                    assert!(wf.state(n).is_some(), "{}: {} -> {n}", wf.name, s.name);
                    if !reached.contains(n) {
                        reached.push(n);
                    }
                }
                i += 1;
            }
            assert_eq!(
                reached.len(),
                wf.states.len(),
                "{}: unreachable state",
                wf.name
            );
            for s in &wf.states {
                assert_eq!(s.terminal, s.next.is_empty(), "{}: {}", wf.name, s.name);
            }
        }
    }

    #[test]
    fn incident_defaults_follow_itil() {
        let wf = for_kind(Kind::Incident);
        assert!(wf.allows("new", "in_progress"));
        assert!(wf.allows("in_progress", "on_hold"));
        assert!(wf.allows("on_hold", "in_progress"));
        assert!(wf.allows("resolved", "in_progress"));
        assert!(!wf.allows("new", "closed"));
        assert!(wf.is_terminal("closed"));
    }
}
