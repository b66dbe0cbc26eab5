//! A record's state is a state of its workflow, and the record carries the
//! fields that state requires.

use crate::approval;
use crate::baseline::Imported;
use crate::config::RuleName;
use crate::diagnostic::Diagnostic;
use crate::model::Record;
use crate::policy::Policy;
use crate::suggest;
use crate::workflow::{MAJOR_LOGS, is_set, major_log_hint};

use super::Located;

pub(super) fn check(
    config: &Policy,
    imported: &Imported,
    record: &Record,
    at: &Located<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let wf = config.workflow(record);
    let status = record.status();
    let Some(state) = wf.state(status) else {
        let names: Vec<&str> = wf.state_names().collect();
        out.push(
            at.error(
                "unknown-state",
                "/status",
                format!(
                    "`{status}` is not a state of the {} workflow (states: {})",
                    wf.name,
                    names.join(", ")
                ),
            )
            .with_suggestion(suggest::closest(status, names.iter().copied())),
        );
        return;
    };
    // The JSON form is built only when a check needs it (most states of
    // most kinds require nothing).
    let cell = std::cell::OnceCell::new();
    let json = || cell.get_or_init(|| record.to_json());
    let major = matches!(record, Record::Incident(inc) if crate::priority::is_major(inc, config));
    let missing: Vec<&str> = state
        .required(major)
        .filter(|f| !is_set(json(), f))
        .collect();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|f| format!("`{f}`")).collect();
        let sets: Vec<String> = missing
            .iter()
            .filter(|f| !MAJOR_LOGS.contains(f))
            .map(|f| format!("{f}=..."))
            .collect();
        let of_major = missing
            .iter()
            .any(|f| state.requires_if_major.iter().any(|m| m == f));
        let mut hints = Vec::new();
        if !sets.is_empty() {
            hints.push(format!(
                "set {} with `gitsm set {} {}`",
                if sets.len() == 1 { "it" } else { "them" },
                record.id(),
                sets.join(" ")
            ));
        }
        hints.extend(
            missing
                .iter()
                .filter_map(|f| major_log_hint(f, record.id())),
        );
        let mut d = at.error(
            "missing-for-state",
            "/status",
            format!(
                "state `{status}`{} requires {}",
                if of_major { " of a major incident" } else { "" },
                list.join(", ")
            ),
        );
        if !hints.is_empty() {
            d = d.with_hint(hints.join("; "));
        }
        out.push(d);
    }
    match record {
        Record::Incident(inc) => {
            let open: Vec<usize> = inc
                .on_hold
                .iter()
                .enumerate()
                .filter(|(_, h)| h.end.is_none())
                .map(|(i, _)| i)
                .collect();
            if status == "on_hold" && open.is_empty() {
                out.push(at.error(
                    "missing-for-state",
                    "/status",
                    "state `on_hold` requires an `on_hold` period without `end`, with its reason",
                ));
            }
            if status != "on_hold" {
                for i in &open {
                    out.push(at.error(
                        "open-hold",
                        &format!("/on_hold/{i}"),
                        format!(
                            "hold period has no `end` but the incident is `{status}`, not `on_hold`"
                        ),
                    ));
                }
            }
            if open.len() > 1 {
                out.push(at.error("open-hold", "/on_hold", "more than one hold period is open"));
            }
            // A review's lessons are kept only where a problem tracks them.
            let actions = inc.review.iter().flat_map(|r| r.actions.iter().enumerate());
            for (i, action) in actions.filter(|(_, a)| a.problem.is_none()) {
                out.push(
                    at.warning(
                        "review-action-untracked",
                        &format!("/review/actions/{i}"),
                        format!("review action not tracked by a problem: {}", action.text),
                    )
                    .with_hint("name the problem that tracks it: `problem: PRB-…`"),
                );
            }
        }
        Record::Problem(p) => {
            // The state and the KEDB flag are one fact: a problem in
            // `known_error` is in the KEDB.
            if status == "known_error" && !p.known_error {
                out.push(
                    at.error(
                        "known-error",
                        "/status",
                        format!("{} is `known_error` but not flagged `known_error: true`, so the KEDB leaves it out", p.id),
                    )
                    .with_hint(format!("set it: `gitsm set {} known_error=true`", p.id)),
                );
            }
            if p.known_error && !(is_set(json(), "root_cause") && is_set(json(), "workaround")) {
                out.push(at.error(
                    "known-error",
                    "/known_error",
                    "`known_error: true` needs both `root_cause` and `workaround`",
                ));
            }
            if matches!(status, "resolved" | "closed")
                && !(is_set(json(), "fix_change") || is_set(json(), "resolution.notes"))
            {
                out.push(at.error(
                    "missing-for-state",
                    "/status",
                    format!("state `{status}` requires `fix_change` or `resolution.notes`"),
                ));
            }
        }
        Record::Change(c) => {
            let (rule, _) = approval::change_rule(config, c);
            if rule == RuleName::Standard {
                if !c.approvals.is_empty() {
                    out.push(at.warning(
                        "approvals",
                        "/approvals",
                        "standard changes are pre-approved by their template; these approvals are ignored",
                    ));
                }
            } else {
                approvals(config, imported, record, status, at, out);
            }
        }
        Record::Request(_) => approvals(config, imported, record, status, at, out),
        Record::Ci(_) | Record::Article(_) => {}
    }
}

/// A change or request in a state it reaches only once approved carries
/// decisions that satisfy the policy.
fn approvals(
    config: &Policy,
    imported: &Imported,
    record: &Record,
    status: &str,
    at: &Located<'_>,
    out: &mut Vec<Diagnostic>,
) {
    if !approval::needs_approval(config, record) {
        return;
    }
    let Some(mut judged) = approval::judge(config, record) else {
        return;
    };
    if judged.shortfall().is_some() && imported.is_some() {
        let was = imported.version(record.kind(), at.path, record);
        judged = approval::judge_with(config, record, was.as_ref()).unwrap_or(judged);
    }
    let Some(why) = judged.shortfall() else {
        return;
    };
    let what = match record {
        Record::Change(c) => format!(
            "{} {} change",
            if c.change_type == crate::model::ChangeType::Emergency {
                "an"
            } else {
                "a"
            },
            c.change_type.name()
        ),
        Record::Request(r) => format!("a request for `{}`", r.catalog_item),
        _ => "a record".to_owned(),
    };
    let mut d = at.error(
        "approvals",
        if judged.decisions.is_empty() {
            "/status"
        } else {
            "/approvals"
        },
        format!("{what} in `{status}` must be approved: {why}"),
    );
    let ignored = judged.ignored();
    if !ignored.is_empty() {
        d = d.with_hint(ignored.join("; "));
    }
    out.push(d);
}
