//! Workflows: the states of each kind, the transitions between them and the
//! fields a record must carry in each state. The ITIL defaults of SPEC
//! section 4 apply unless `gitsm.yaml` replaces a kind's workflow under
//! `workflows:`; a replacement is checked like code (every transition names a
//! state, every state is reachable) before it is used.

use crate::config::{WorkflowOverrides, WorkflowSpec};
use crate::kind::Kind;
use crate::model::{ChangeType, Record};

/// One state of a workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub name: String,
    /// States reachable from this one.
    pub next: Vec<String>,
    /// Dotted field paths that must be set in this state.
    pub requires: Vec<String>,
    /// Dotted field paths a major incident must carry in this state too
    /// (a commander, a communications update, a post-incident review).
    pub requires_if_major: Vec<String>,
    /// No further change except appended notes.
    pub terminal: bool,
}

/// A kind's (or a change type's) workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    pub name: String,
    pub initial: String,
    pub states: Vec<State>,
}

/// Fields a major incident must carry that are written by other means
/// than `gitsm set`: its communications log (`gitsm note --update`) and
/// its post-incident review.
pub const MAJOR_LOGS: &[&str] = &["updates", "review"];

/// How to write `field`, one of [`MAJOR_LOGS`], into record `id`: the one
/// wording of the state check's hint and the transition's.
pub fn major_log_hint(field: &str, id: &str) -> Option<String> {
    match field {
        "updates" => Some(format!(
            "log what was told to whom: `gitsm note {id} --update --audience users '...'`"
        )),
        "review" => {
            Some("write the post-incident review under `review:` (at, by, summary, actions)".into())
        }
        _ => None,
    }
}

impl State {
    /// The fields a record must carry in this state; `major` when it is a
    /// major incident.
    pub fn required(&self, major: bool) -> impl Iterator<Item = &str> {
        let extra = if major {
            self.requires_if_major.as_slice()
        } else {
            &[]
        };
        self.requires.iter().chain(extra).map(String::as_str)
    }
}

impl Workflow {
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.iter().find(|s| s.name == name)
    }

    pub fn state_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.states.iter().map(|s| s.name.as_str())
    }

    pub fn is_terminal(&self, name: &str) -> bool {
        self.state(name).is_some_and(|s| s.terminal)
    }

    /// Whether `from -> to` is allowed (staying in a state always is).
    pub fn allows(&self, from: &str, to: &str) -> bool {
        from == to
            || self
                .state(from)
                .is_some_and(|s| s.next.iter().any(|n| n == to))
    }

    /// The shortest way from `from` to `to` through states that `passable`
    /// accepts (a record that carries their fields) and that are not
    /// terminal: the states after `from`, `to` last. `None` when there is
    /// none. One commit may take a record several steps this way (a squash
    /// merge, or two `gitsm transition` calls between commits).
    pub fn path(
        &self,
        from: &str,
        to: &str,
        passable: impl Fn(&State) -> bool,
    ) -> Option<Vec<String>> {
        let mut came_from: Vec<(String, String)> = Vec::new();
        let mut frontier = vec![from.to_owned()];
        let mut seen = vec![from.to_owned()];
        while !frontier.is_empty() {
            let mut next_frontier = Vec::new();
            for state in &frontier {
                for next in self.next_of(state) {
                    if seen.contains(next) {
                        continue;
                    }
                    seen.push(next.clone());
                    came_from.push((next.clone(), state.clone()));
                    if next == to {
                        let mut path = vec![to.to_owned()];
                        let mut at = to.to_owned();
                        while let Some((_, prev)) = came_from.iter().find(|(n, _)| *n == at) {
                            if prev == from {
                                break;
                            }
                            path.push(prev.clone());
                            at = prev.clone();
                        }
                        path.reverse();
                        return Some(path);
                    }
                    if self.state(next).is_some_and(|s| !s.terminal && passable(s)) {
                        next_frontier.push(next.clone());
                    }
                }
            }
            frontier = next_frontier;
        }
        None
    }

    /// The states `from` may move to.
    pub fn next_of(&self, from: &str) -> &[String] {
        self.state(from).map_or(&[], |s| s.next.as_slice())
    }

    /// A workflow from its `gitsm.yaml` form, or what is wrong with it: each
    /// problem with the keys under the spec where it is.
    pub fn from_spec(
        name: &str,
        spec: &WorkflowSpec,
    ) -> Result<Workflow, Vec<(Vec<String>, String)>> {
        let mut problems = Vec::new();
        if !spec.states.contains_key(&spec.initial) {
            problems.push((
                vec!["initial".to_owned()],
                format!(
                    "initial state `{}` is not one of the states{}",
                    spec.initial,
                    crate::suggest::did_you_mean(&spec.initial, spec.states.keys())
                ),
            ));
        }
        for (state, s) in &spec.states {
            for (i, n) in s.next.iter().enumerate() {
                if !spec.states.contains_key(n) {
                    problems.push((
                        vec!["states".into(), state.clone(), "next".into(), i.to_string()],
                        format!(
                            "`{state}` moves to `{n}`, which is not a state of this workflow{}",
                            crate::suggest::did_you_mean(n, spec.states.keys())
                        ),
                    ));
                }
            }
        }
        if problems.is_empty() {
            let reached = reachable(&spec.initial, |s| {
                spec.states.get(s).map(|s| s.next.as_slice()).unwrap_or(&[])
            });
            for state in spec.states.keys() {
                if !reached.contains(&state.as_str()) {
                    problems.push((
                        vec!["states".into(), state.clone()],
                        format!("state `{state}` cannot be reached from `{}`", spec.initial),
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Workflow {
            name: name.to_owned(),
            initial: spec.initial.clone(),
            states: spec
                .states
                .iter()
                .map(|(name, s)| State {
                    name: name.clone(),
                    next: s.next.clone(),
                    requires: s.requires.clone(),
                    requires_if_major: s.requires_if_major.clone(),
                    terminal: s.next.is_empty(),
                })
                .collect(),
        })
    }
}

/// States reachable from `initial` (itself included).
fn reachable<'a>(initial: &'a str, next: impl Fn(&str) -> &'a [String]) -> Vec<&'a str> {
    let mut reached = vec![initial];
    let mut i = 0;
    while i < reached.len() {
        for n in next(reached[i]) {
            if !reached.contains(&n.as_str()) {
                reached.push(n);
            }
        }
        i += 1;
    }
    reached
}

/// The workflow of every kind (and change type) in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflows {
    incident: Workflow,
    problem: Workflow,
    normal_change: Workflow,
    emergency_change: Workflow,
    standard_change: Workflow,
    request: Workflow,
    ci: Workflow,
    article: Workflow,
}

impl Default for Workflows {
    fn default() -> Self {
        Workflows {
            incident: defaults::incident(),
            problem: defaults::problem(),
            normal_change: defaults::normal_change(),
            emergency_change: defaults::emergency_change(),
            standard_change: defaults::standard_change(),
            request: defaults::request(),
            ci: defaults::ci(),
            article: defaults::article(),
        }
    }
}

impl Workflows {
    /// The defaults with `overrides` applied. A bad override is left at its
    /// default here; `config::check` reports it.
    pub fn with_overrides(overrides: &WorkflowOverrides) -> Workflows {
        let mut set = Workflows::default();
        for (key, spec) in overrides.iter() {
            if let Ok(wf) = Workflow::from_spec(&set.slot(key).name.clone(), spec) {
                *set.slot(key) = wf;
            }
        }
        set
    }

    fn slot(&mut self, key: &str) -> &mut Workflow {
        match key {
            "incident" => &mut self.incident,
            "problem" => &mut self.problem,
            "emergency_change" => &mut self.emergency_change,
            "standard_change" => &mut self.standard_change,
            "request" => &mut self.request,
            "ci" => &mut self.ci,
            "article" => &mut self.article,
            _ => &mut self.normal_change,
        }
    }

    /// The workflow a kind starts in (for changes: the normal one).
    pub fn for_kind(&self, kind: Kind) -> &Workflow {
        match kind {
            Kind::Incident => &self.incident,
            Kind::Problem => &self.problem,
            Kind::Change => &self.normal_change,
            Kind::Request => &self.request,
            Kind::Ci => &self.ci,
            Kind::Article => &self.article,
        }
    }

    pub fn for_change(&self, t: ChangeType) -> &Workflow {
        match t {
            ChangeType::Normal => &self.normal_change,
            ChangeType::Emergency => &self.emergency_change,
            ChangeType::Standard => &self.standard_change,
        }
    }

    /// The workflow that governs `record`.
    pub fn for_record(&self, record: &Record) -> &Workflow {
        match record {
            Record::Change(c) => self.for_change(c.change_type),
            other => self.for_kind(other.kind()),
        }
    }

    /// Every workflow records of `kind` can be in (changes: one per type).
    pub fn of_kind(&self, kind: Kind) -> Vec<&Workflow> {
        match kind {
            Kind::Change => vec![
                &self.normal_change,
                &self.emergency_change,
                &self.standard_change,
            ],
            other => vec![self.for_kind(other)],
        }
    }

    /// Every workflow in force.
    pub fn all(&self) -> [&Workflow; 8] {
        [
            &self.incident,
            &self.problem,
            &self.normal_change,
            &self.emergency_change,
            &self.standard_change,
            &self.request,
            &self.ci,
            &self.article,
        ]
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

/// The ITIL defaults of SPEC section 4, written as the `gitsm.yaml` form
/// an organisation would copy and adapt.
mod defaults {
    use super::*;

    /// A workflow from `(state, next states, required fields)` rows; a
    /// state with no next states is terminal.
    fn build(name: &str, rows: &[(&str, &[&str], &[&str])]) -> Workflow {
        build_major(name, rows, &[])
    }

    /// [`build`], with `(state, fields)` rows of what a major incident
    /// must carry besides.
    fn build_major(
        name: &str,
        rows: &[(&str, &[&str], &[&str])],
        major: &[(&str, &[&str])],
    ) -> Workflow {
        let strings = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Workflow {
            name: name.to_owned(),
            initial: rows[0].0.to_owned(),
            states: rows
                .iter()
                .map(|(state, next, requires)| State {
                    name: (*state).to_owned(),
                    next: strings(next),
                    requires: strings(requires),
                    requires_if_major: major
                        .iter()
                        .find(|(s, _)| s == state)
                        .map_or_else(Vec::new, |(_, fields)| strings(fields)),
                    terminal: next.is_empty(),
                })
                .collect(),
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
    const EMERGENCY_PLANNED: &[&str] = &[
        "risk",
        "window.start",
        "window.end",
        "implementation_plan",
        "backout_plan",
    ];
    const STANDARD_PLANNED: &[&str] = &["template", "window.start", "window.end"];

    /// A major incident has a commander from the time it is worked on, has
    /// told people what is happening by the time it is resolved, and is
    /// closed only after its post-incident review.
    const MAJOR: &[(&str, &[&str])] = &[
        ("in_progress", &["commander"]),
        ("on_hold", &["commander"]),
        ("resolved", &["commander", "updates"]),
        ("closed", &["commander", "updates", "review"]),
    ];

    pub(super) fn incident() -> Workflow {
        build_major(
            "incident",
            &[
                ("new", &["in_progress", "cancelled"], &[]),
                (
                    "in_progress",
                    &["on_hold", "resolved", "cancelled"],
                    &["assignee"],
                ),
                (
                    "on_hold",
                    &["in_progress", "resolved", "cancelled"],
                    &["assignee", "on_hold"],
                ),
                (
                    "resolved",
                    &["closed", "in_progress", "cancelled"],
                    RESOLVED,
                ),
                (
                    "closed",
                    &[],
                    &[
                        "resolution.code",
                        "resolution.notes",
                        "resolved_at",
                        "closed_at",
                    ],
                ),
                ("cancelled", &[], CANCELLED),
            ],
            MAJOR,
        )
    }

    pub(super) fn problem() -> Workflow {
        build(
            "problem",
            &[
                ("new", &["investigating", "cancelled"], &[]),
                (
                    "investigating",
                    &["known_error", "resolved", "cancelled"],
                    &["assignee"],
                ),
                (
                    "known_error",
                    &["resolved", "cancelled"],
                    &["root_cause", "workaround"],
                ),
                (
                    "resolved",
                    &["closed", "investigating"],
                    &["resolution.code", "resolved_at"],
                ),
                (
                    "closed",
                    &[],
                    &["resolution.code", "resolved_at", "closed_at"],
                ),
                ("cancelled", &[], CANCELLED),
            ],
        )
    }

    pub(super) fn normal_change() -> Workflow {
        build(
            "change (normal)",
            &[
                ("new", &["assess", "cancelled"], &[]),
                (
                    "assess",
                    &["authorize", "new", "cancelled"],
                    &["risk", "impact"],
                ),
                (
                    "authorize",
                    &["scheduled", "new", "cancelled"],
                    &["risk", "impact"],
                ),
                ("scheduled", &["implement", "new", "cancelled"], PLANNED),
                ("implement", &["review"], PLANNED),
                ("review", &["closed"], &["outcome"]),
                ("closed", &[], &["outcome", "close_code", "review"]),
                ("cancelled", &[], CANCELLED),
            ],
        )
    }

    pub(super) fn emergency_change() -> Workflow {
        build(
            "change (emergency)",
            &[
                ("new", &["assess", "authorize", "cancelled"], &[]),
                (
                    "assess",
                    &["authorize", "new", "cancelled"],
                    &["risk", "impact"],
                ),
                ("authorize", &["scheduled", "new", "cancelled"], &["risk"]),
                (
                    "scheduled",
                    &["implement", "new", "cancelled"],
                    EMERGENCY_PLANNED,
                ),
                ("implement", &["review"], EMERGENCY_PLANNED),
                ("review", &["closed"], &["outcome"]),
                ("closed", &[], &["outcome", "close_code", "review"]),
                ("cancelled", &[], CANCELLED),
            ],
        )
    }

    pub(super) fn standard_change() -> Workflow {
        build(
            "change (standard)",
            &[
                ("new", &["scheduled", "cancelled"], &["template"]),
                (
                    "scheduled",
                    &["implement", "new", "cancelled"],
                    STANDARD_PLANNED,
                ),
                ("implement", &["review", "closed"], STANDARD_PLANNED),
                ("review", &["closed"], &["outcome"]),
                ("closed", &[], &["outcome", "close_code"]),
                ("cancelled", &[], CANCELLED),
            ],
        )
    }

    pub(super) fn request() -> Workflow {
        build(
            "service request",
            &[
                (
                    "new",
                    &["approved", "in_fulfillment", "rejected", "cancelled"],
                    &[],
                ),
                ("approved", &["in_fulfillment", "cancelled"], &[]),
                ("in_fulfillment", &["fulfilled", "cancelled"], &["assignee"]),
                (
                    "fulfilled",
                    &["closed", "in_fulfillment"],
                    &["fulfilled_at"],
                ),
                ("closed", &[], &["fulfilled_at", "closed_at"]),
                ("rejected", &[], &["reject_reason"]),
                ("cancelled", &[], CANCELLED),
            ],
        )
    }

    pub(super) fn ci() -> Workflow {
        build(
            "configuration item",
            &[
                ("planned", &["active", "retired"], &[]),
                ("active", &["maintenance", "retired"], &[]),
                ("maintenance", &["active", "retired"], &[]),
                ("retired", &[], &[]),
            ],
        )
    }

    pub(super) fn article() -> Workflow {
        build(
            "knowledge article",
            &[
                ("draft", &["published", "retired"], &[]),
                ("published", &["draft", "retired"], &["owner"]),
                ("retired", &[], &[]),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::StateSpec;

    #[test]
    fn defaults_name_known_states_and_reach_them_all() {
        for wf in Workflows::default().all() {
            let reached = reachable(&wf.initial, |s| wf.next_of(s));
            assert_eq!(
                reached.len(),
                wf.states.len(),
                "{}: unreachable state",
                wf.name
            );
            for s in &wf.states {
                for n in &s.next {
                    assert!(wf.state(n).is_some(), "{}: {} -> {n}", wf.name, s.name);
                }
            }
        }
    }

    #[test]
    fn incident_defaults_follow_itil() {
        let set = Workflows::default();
        let wf = set.for_kind(Kind::Incident);
        assert!(wf.allows("new", "in_progress"));
        assert!(wf.allows("in_progress", "on_hold"));
        assert!(wf.allows("on_hold", "in_progress"));
        assert!(wf.allows("resolved", "in_progress"));
        assert!(!wf.allows("new", "closed"));
        assert!(wf.is_terminal("closed"));
    }

    fn spec(initial: &str, states: &[(&str, &[&str])]) -> WorkflowSpec {
        WorkflowSpec {
            initial: initial.into(),
            states: states
                .iter()
                .map(|(s, next)| {
                    let next = next.iter().map(|n| (*n).to_owned()).collect();
                    (
                        (*s).to_owned(),
                        StateSpec {
                            next,
                            requires: vec![],
                            requires_if_major: vec![],
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn a_spec_with_an_unknown_target_or_an_unreachable_state_is_refused() {
        let bad = spec("new", &[("new", &["done", "triage"]), ("done", &[])]);
        let problems = Workflow::from_spec("incident", &bad).expect_err("unknown target");
        assert_eq!(problems[0].0, ["states", "new", "next", "1"]);
        let island = spec(
            "new",
            &[("new", &["done"]), ("done", &[]), ("limbo", &["done"])],
        );
        let problems = Workflow::from_spec("incident", &island).expect_err("unreachable");
        assert!(problems[0].1.contains("`limbo` cannot be reached"));
        let ok = spec("new", &[("new", &["done"]), ("done", &[])]);
        let wf = Workflow::from_spec("incident", &ok).expect("valid");
        assert!(wf.is_terminal("done") && wf.allows("new", "done"));
    }

    #[test]
    fn overrides_replace_only_their_kind() {
        let overrides = WorkflowOverrides {
            incident: Some(spec("open", &[("open", &["done"]), ("done", &[])])),
            ..WorkflowOverrides::default()
        };
        let set = Workflows::with_overrides(&overrides);
        assert_eq!(set.for_kind(Kind::Incident).initial, "open");
        assert_eq!(
            set.for_kind(Kind::Problem),
            Workflows::default().for_kind(Kind::Problem)
        );
    }
}
