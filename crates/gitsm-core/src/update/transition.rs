//! `gitsm transition`: a move through the workflow, checked before
//! anything is planned, with what the move records (timestamps, the hold
//! period, the assignee, a note).

use serde::Serialize;
use serde_json::{Value, json};

use crate::assign::Assignment;
use crate::edit::Step;
use crate::kind::Kind;
use crate::model::{ChangeType, Timestamp};
use crate::suggest;
use crate::workflow::{State, Workflow, is_set};
use crate::workspace::Workspace;
use crate::yaml;

use super::{
    Editable, Planned, Prepared, UpdateError, Updated, assignments, fields_of, keys, prepare,
    stamp, with_me, write_all,
};

/// A move to another state, and what goes with it.
#[derive(Debug, Clone)]
pub struct TransitionRequest<'a> {
    pub to: &'a str,
    /// Appended to `notes`.
    pub note: Option<&'a str>,
    /// Why: the hold reason for `on_hold`, `cancel_reason` for
    /// `cancelled`, `reject_reason` for `rejected`.
    pub reason: Option<&'a str>,
    /// The supplier an incident put on hold waits for (a key of
    /// `suppliers`), written on the hold period it opens.
    pub supplier: Option<&'a str>,
    pub assignments: &'a [Assignment],
    pub now: Timestamp,
    /// Who runs it: a handle from `people`, else their Git email.
    pub person: Option<&'a str>,
}

/// A transition made.
#[derive(Debug, Clone, Serialize)]
pub struct Transitioned {
    pub from: String,
    pub to: String,
    #[serde(flatten)]
    pub update: Updated,
}

/// The workflow that governs a record of `kind` with these fields.
fn workflow_of<'w>(ws: &'w Workspace, kind: Kind, json: &Value) -> &'w Workflow {
    if kind == Kind::Change
        && let Some(t) = json
            .get("type")
            .and_then(|t| serde_json::from_value::<ChangeType>(t.clone()).ok())
    {
        return ws.config.flows().for_change(t);
    }
    ws.config.kind_workflow(kind)
}

/// Timestamps a move into `to` records, each with whether it replaces a
/// value already there (the latest resolution counts; the first
/// acknowledgement does).
fn stamps(kind: Kind, to: &str) -> &'static [(&'static str, bool)] {
    match (kind, to) {
        (Kind::Incident, "in_progress" | "on_hold") => &[("acknowledged_at", false)],
        (Kind::Incident, "resolved") => &[("acknowledged_at", false), ("resolved_at", true)],
        (Kind::Problem, "resolved") => &[("resolved_at", true)],
        (Kind::Change, "implement") => &[("implemented_at", false)],
        (Kind::Request, "in_fulfillment") => &[("acknowledged_at", false)],
        (Kind::Request, "fulfilled") => &[("acknowledged_at", false), ("fulfilled_at", true)],
        (_, "closed") => &[("closed_at", true)],
        _ => &[],
    }
}

/// The field `--reason` fills for a move into `to`.
fn reason_field(to: &str) -> Option<&'static str> {
    match to {
        "cancelled" => Some("cancel_reason"),
        "rejected" => Some("reject_reason"),
        _ => None,
    }
}

/// Whether the kind's schema declares a top-level field.
fn declares(ws: &Workspace, kind: Kind, field: &str) -> bool {
    ws.schemas
        .schema(kind)
        .get("properties")
        .is_some_and(|p| p.get(field).is_some())
}

/// Move the record to `req.to`, checked against its workflow before
/// anything is planned.
pub fn transition(
    ws: &Workspace,
    target: &Editable,
    req: &TransitionRequest<'_>,
) -> Result<Transitioned, UpdateError> {
    Ok(transition_all(ws, std::slice::from_ref(target), req)?.remove(0))
}

/// Move every target to `req.to`: each move is planned and checked before
/// any file is written, and all are written or none.
pub fn transition_all(
    ws: &Workspace,
    targets: &[Editable],
    req: &TransitionRequest<'_>,
) -> Result<Vec<Transitioned>, UpdateError> {
    let prepared = targets
        .iter()
        .map(|t| prepare_move(ws, t, req))
        .collect::<Result<Vec<_>, _>>()?;
    let (froms, prepared): (Vec<String>, Vec<Prepared<'_>>) = prepared.into_iter().unzip();
    let updated = write_all(ws, prepared)?;
    Ok(froms
        .into_iter()
        .zip(updated)
        .map(|(from, update)| Transitioned {
            from,
            to: req.to.to_owned(),
            update,
        })
        .collect())
}

/// Move the record to `req.to` along the shortest way its workflow allows
/// (`new -> in_progress -> resolved` for an incident nobody took up), each
/// step planned as [`transition`] plans it (its stamps, the assignee a
/// state needs), the note, reason and assignments with the last. The steps
/// are written as one edit, checked against the file as it is, as one
/// commit may move a record several steps.
pub fn transition_along(
    ws: &Workspace,
    target: &Editable,
    req: &TransitionRequest<'_>,
) -> Result<Transitioned, UpdateError> {
    let wf = workflow_of(ws, target.kind, &target.json);
    let from = target.status().unwrap_or_default().to_owned();
    let path = match wf.path(&from, req.to, |_| true) {
        Some(path) if path.len() > 1 && !wf.allows(&from, req.to) => path,
        _ => return transition(ws, target, req),
    };
    let mut current = target.clone();
    let mut changes = Vec::new();
    for (i, step) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        let step_req = TransitionRequest {
            to: step,
            note: req.note.filter(|_| last),
            reason: req.reason.filter(|_| last),
            supplier: req.supplier.filter(|_| last),
            assignments: if last { req.assignments } else { &[] },
            now: req.now,
            person: req.person,
        };
        let (_, Prepared { text, updated, .. }) = prepare_move(ws, &current, &step_req)?;
        changes.extend(updated.changes);
        let json =
            crate::front_matter::json_of(current.kind, &text).map_err(|e| UpdateError::Unsafe {
                path: target.path.clone(),
                source: crate::edit::EditError::from(e),
            })?;
        current = Editable {
            text,
            json,
            ..current
        };
    }
    let diagnostics = super::check(ws, target, &current.text, req.now);
    if diagnostics
        .iter()
        .any(crate::diagnostic::Diagnostic::is_error)
    {
        return Err(UpdateError::Invalid {
            path: target.path.clone(),
            proposed: current.text,
            diagnostics,
        });
    }
    let prepared = Prepared {
        target,
        updated: Updated {
            id: target.id.clone(),
            path: target.path.clone(),
            changes,
            written: false,
            warnings: diagnostics,
        },
        text: current.text,
    };
    let update = write_all(ws, vec![prepared])?.remove(0);
    Ok(Transitioned {
        from,
        to: req.to.to_owned(),
        update,
    })
}

/// One move planned and checked, not written: the state it leaves, and
/// the edit.
fn prepare_move<'t>(
    ws: &Workspace,
    target: &'t Editable,
    req: &TransitionRequest<'_>,
) -> Result<(String, Prepared<'t>), UpdateError> {
    let id = &target.id;
    let to = req.to;
    let wf = workflow_of(ws, target.kind, &target.json);
    let Some(from) = target.status() else {
        return Err(UpdateError::refused(
            format!("{id} has no `status`, so it cannot move through the workflow"),
            Some(format!(
                "add `status: {}` to {} by hand",
                wf.initial,
                target.path.display()
            )),
        ));
    };
    let from = from.to_owned();
    if wf.state(&from).is_none() {
        return Err(UpdateError::refused(
            format!(
                "{id} is `{from}`, which is not a state of the {} workflow, so no move from it can be checked",
                wf.name
            ),
            Some(format!(
                "set `status` in {} by hand to one of: {}",
                target.path.display(),
                wf.state_names().collect::<Vec<_>>().join(", ")
            )),
        ));
    }
    let Some(state) = wf.state(to) else {
        let names: Vec<&str> = wf.state_names().collect();
        let hint = match suggest::closest(to, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("states: {}", names.join(", ")),
        };
        return Err(UpdateError::usage(
            format!("`{to}` is not a state of the {} workflow", wf.name),
            Some(hint),
        ));
    };
    if from == to {
        let hint = if wf.is_terminal(to) {
            format!("`{to}` is a terminal state: nothing may follow it")
        } else {
            format!("change its fields with `gitsm set {id} KEY=VALUE`")
        };
        return Err(UpdateError::refused(
            format!("{id} is already `{to}`"),
            Some(hint),
        ));
    }
    if !wf.allows(&from, to) {
        return Err(UpdateError::Transition {
            id: id.clone(),
            from: from.clone(),
            to: to.to_owned(),
            workflow: wf.name.clone(),
            allowed: wf.next_of(&from).to_vec(),
        });
    }

    let now = stamp(req.now);
    let mut planned = vec![Planned::set(keys(&["status"]), json!(to), false)];
    let given = assignments(ws, target, &with_me(req.assignments, req.person)?, true)?;
    let assigned = |field: &str| {
        req.assignments
            .iter()
            .any(|a| a.path.first().is_some_and(|k| k == field))
    };
    planned.extend(given);
    planned.extend(super::commander_stamp(target, req.assignments, req.now));

    if state.requires.iter().any(|f| f == "assignee")
        && !is_set(&target.json, "assignee")
        && !assigned("assignee")
    {
        let Some(me) = req.person else {
            return Err(UpdateError::usage(
                format!("`{to}` needs an assignee, and gitsm cannot tell who you are"),
                Some(format!(
                    "pass --set assignee=<handle>, or run `git config user.email you@example.com` to take {id} yourself"
                )),
            ));
        };
        planned.push(Planned::set(keys(&["assignee"]), json!(me), true));
    }

    for &(field, replace) in stamps(target.kind, to) {
        if !declares(ws, target.kind, field) || assigned(field) {
            continue;
        }
        if replace || !is_set(&target.json, field) {
            planned.push(Planned::set(keys(&[field]), now.clone(), true));
        }
    }

    // A problem moved to `known_error` is in the KEDB: the state and the
    // flag are one fact.
    if target.kind == Kind::Problem
        && to == "known_error"
        && !assigned("known_error")
        && target.json.get("known_error") != Some(&json!(true))
    {
        planned.push(Planned::set(keys(&["known_error"]), json!(true), true));
    }

    // A change sent back to `new` starts its approval over: earlier
    // decisions (a rejection included) no longer stand.
    let decided = target
        .json
        .get("approvals")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    if target.kind == Kind::Change && to == "new" && decided {
        planned.push(Planned::set(keys(&["approvals"]), json!([]), true));
    }

    // Hold periods pause the SLA clocks: one opens on the way in, and the
    // open one closes on the way out.
    let holds = target.kind == Kind::Incident && declares(ws, target.kind, "on_hold");
    if holds && from == "on_hold" {
        let periods = target.json.get("on_hold").and_then(Value::as_array);
        for (i, period) in periods.into_iter().flatten().enumerate() {
            if period.get("end").is_none_or(Value::is_null) {
                let path = vec![
                    Step::Key("on_hold".into()),
                    Step::Index(i),
                    Step::Key("end".into()),
                ];
                planned.push(Planned::set(path, now.clone(), true));
            }
        }
    }
    match (req.reason, reason_field(to)) {
        _ if holds && to == "on_hold" => {
            let reason = hold_reason(ws, id, req.reason)?;
            let mut period = json!({"start": now, "reason": reason});
            if let Some(supplier) = req.supplier {
                super::escalate::known_supplier(ws, supplier)?;
                period["supplier"] = json!(supplier);
            }
            planned.push(Planned::append(keys(&["on_hold"]), period, false));
        }
        (Some(reason), Some(field)) if declares(ws, target.kind, field) => {
            planned.push(Planned::set(keys(&[field]), json!(reason), false));
        }
        (Some(_), _) => {
            return Err(UpdateError::usage(
                format!("--reason does not apply to a move to `{to}`"),
                Some("--reason goes with on_hold (incidents), cancelled and rejected; set other fields with --set".into()),
            ));
        }
        (None, _) => {}
    }
    if req.supplier.is_some() && !(holds && to == "on_hold") {
        return Err(UpdateError::usage(
            format!("--supplier does not apply to a move to `{to}`"),
            Some("--supplier names whom an incident put on_hold waits for; a level-3 escalation names it with `gitsm escalate --supplier`".into()),
        ));
    }

    if let Some(text) = req.note {
        planned.push(note(id, text, req)?);
    }

    match prepare(ws, target, &planned, req.now) {
        Ok(prepared) => Ok((from.to_owned(), prepared)),
        Err(UpdateError::Invalid {
            path,
            proposed,
            mut diagnostics,
        }) => {
            for d in &mut diagnostics {
                if d.code == "missing-for-state"
                    && d.hint.as_deref().is_some_and(|h| h.contains("gitsm set"))
                {
                    d.hint = Some(missing_hint(ws, target.kind, state, &proposed, id, to));
                }
            }
            Err(UpdateError::Invalid {
                path,
                proposed,
                diagnostics,
            })
        }
        Err(e) => Err(e),
    }
}

/// The `{at, by, text}` note a transition appends.
fn note(id: &str, text: &str, req: &TransitionRequest<'_>) -> Result<Planned, UpdateError> {
    if text.trim().is_empty() {
        return Err(UpdateError::usage("--note is empty", None));
    }
    let Some(by) = req.person else {
        return Err(UpdateError::usage(
            format!("cannot tell who writes the note on {id}"),
            Some("run `git config user.email you@example.com` (an email listed under `people` in gitsm.yaml gives your handle)".into()),
        ));
    };
    Ok(Planned::append(
        keys(&["notes"]),
        json!({"at": stamp(req.now), "by": by, "text": text}),
        false,
    ))
}

/// The reason for putting an incident on hold, checked against the
/// reasons the schema allows when it lists them.
fn hold_reason(ws: &Workspace, id: &str, given: Option<&str>) -> Result<String, UpdateError> {
    let schema = ws.schemas.schema(Kind::Incident);
    let allowed = enum_at(schema, &["on_hold", "[]", "reason"]);
    let listed = allowed.as_ref().map(|a| a.join(", "));
    let Some(reason) = given.map(str::trim).filter(|r| !r.is_empty()) else {
        return Err(UpdateError::usage(
            format!("putting {id} on hold needs a reason: --reason REASON"),
            Some(match &listed {
                Some(list) => format!("reasons: {list}"),
                None => "say what it waits for".into(),
            }),
        ));
    };
    if let Some(allowed) = &allowed
        && !allowed.iter().any(|a| a == reason)
    {
        let hint = match suggest::closest(reason, allowed.iter()) {
            Some(s) => format!("did you mean `{s}`? reasons: {}", allowed.join(", ")),
            None => format!("reasons: {}", allowed.join(", ")),
        };
        return Err(UpdateError::usage(
            format!("`{reason}` is not a hold reason"),
            Some(hint),
        ));
    }
    Ok(reason.to_owned())
}

/// The `enum` of the schema at `path` (`[]` steps into list items).
fn enum_at(root: &Value, path: &[&str]) -> Option<Vec<String>> {
    let mut s = resolve(root, root);
    for step in path {
        let next = if *step == "[]" {
            s.get("items")?
        } else {
            s.get("properties")?.get(*step)?
        };
        s = resolve(root, next);
    }
    s.get("enum")?
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// Follow local `$ref`s.
fn resolve<'a>(root: &'a Value, mut s: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match s
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| root.pointer(p))
        {
            Some(target) => s = target,
            None => break,
        }
    }
    s
}

/// How to give a transition the fields its target state still lacks.
fn missing_hint(
    ws: &Workspace,
    kind: Kind,
    state: &State,
    proposed: &str,
    id: &str,
    to: &str,
) -> String {
    let json = yaml::parse(fields_of(kind, proposed))
        .map(|n| n.to_json())
        .unwrap_or_default();
    let major = matches!(
        crate::model::Record::from_json(kind, json.clone()),
        Ok(crate::model::Record::Incident(inc)) if crate::priority::is_major(&inc, &ws.config)
    );
    let missing: Vec<&str> = state
        .required(major)
        .filter(|f| !is_set(&json, f))
        .collect();
    let args: Vec<String> = missing
        .iter()
        .filter(|f| !crate::workflow::MAJOR_LOGS.contains(f))
        .map(|f| match reason_field(to) {
            Some(r) if r == *f => "--reason '...'".to_owned(),
            _ => format!("--set {f}=..."),
        })
        .collect();
    let mut hints = Vec::new();
    if !args.is_empty() {
        hints.push(format!(
            "pass them with the move: gitsm transition {id} {to} {}",
            args.join(" ")
        ));
    }
    hints.extend(
        missing
            .iter()
            .filter_map(|f| crate::workflow::major_log_hint(f, id)),
    );
    hints.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_follow_the_state_entered() {
        assert_eq!(
            stamps(Kind::Incident, "in_progress"),
            &[("acknowledged_at", false)]
        );
        assert!(stamps(Kind::Incident, "resolved").contains(&("resolved_at", true)));
        assert_eq!(stamps(Kind::Request, "closed"), &[("closed_at", true)]);
        assert!(stamps(Kind::Ci, "retired").is_empty());
    }

    #[test]
    fn hold_reasons_come_from_the_schema() {
        let schema = crate::schema::builtin(Kind::Incident);
        let reasons = enum_at(&schema, &["on_hold", "[]", "reason"]).expect("an enum");
        assert!(
            reasons.iter().any(|r| r == "awaiting_vendor"),
            "{reasons:?}"
        );
        assert_eq!(enum_at(&schema, &["title"]), None);
    }
}
