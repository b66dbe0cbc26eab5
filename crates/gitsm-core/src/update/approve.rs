//! `gitsm approve`: append a signed decision on a change or a service
//! request — refused for anyone the policy does not allow to decide on it.

use crate::approval::{self, Ineligible, Subject, content, signature::SigningKey};
use crate::config::RuleName;
use crate::model::{Approval, Record, Timestamp};
use crate::workspace::Workspace;

use super::{Editable, Planned, UpdateError, Updated, apply_checked, keys, stamp};

/// One decision to record.
pub struct NewDecision<'a> {
    pub reject: bool,
    pub comment: Option<&'a str>,
    /// The key that signs it; its owner in `people` is the approver.
    pub key: &'a SigningKey,
}

/// Append `decision` to the record's decisions, signed, after checking
/// the key's owner may decide: in the group the rule requires, and neither
/// the requester, the implementer nor the person a request is for. On a
/// record already rejected the decision is recorded all the same (and the
/// returned warnings say it stays blocked).
pub fn approve(
    ws: &Workspace,
    target: &Editable,
    decision: &NewDecision<'_>,
    now: Timestamp,
) -> Result<Updated, UpdateError> {
    let record = Record::from_json(target.kind, target.json.clone()).map_err(|e| {
        UpdateError::refused(
            format!("{} is not a valid record: {e}", target.path.display()),
            Some("run `gitsm validate` and fix it first".into()),
        )
    })?;
    let config = &ws.config;
    let by = approver(ws, decision.key)?;
    let subject = match &record {
        Record::Change(c) if approval::change_rule(config, c).0 == RuleName::Standard => {
            return Err(UpdateError::refused(
                format!(
                    "{} is a standard change: its template is pre-approved",
                    c.id
                ),
                None,
            ));
        }
        Record::Request(r) if approval::request_rule(config, r).is_none() => {
            return Err(UpdateError::refused(
                format!(
                    "{}: catalogue item `{}` needs no approval",
                    r.id, r.catalog_item
                ),
                None,
            ));
        }
        _ => Subject::of(config, &record).ok_or_else(|| {
            UpdateError::usage(
                format!(
                    "{} is not a change or a service request; only those take decisions",
                    target.id
                ),
                None,
            )
        })?,
    };
    if config.workflow(&record).is_terminal(record.status()) {
        return Err(UpdateError::refused(
            format!(
                "{} is `{}`: it is too late to decide on it",
                record.id(),
                record.status()
            ),
            None,
        ));
    }
    if config.has_left(&by) {
        return Err(UpdateError::refused(
            format!("`{by}` has left (`active: false` in gitsm.yaml) and takes no new decisions"),
            None,
        ));
    }
    match subject.ineligible(config, &by) {
        None => {}
        Some(Ineligible::Party) => {
            return Err(UpdateError::refused(
                format!(
                    "`{by}` requested {} (or implements it, or it is for them) and may not decide on it (separation of duties)",
                    record.id()
                ),
                None,
            ));
        }
        Some(Ineligible::NotInGroup(group)) => {
            return Err(UpdateError::refused(
                format!(
                    "{} is decided by `{group}`, and `{by}` is not in it",
                    record.id()
                ),
                Some(format!(
                    "ask a member of `{group}` (see `groups` in gitsm.yaml)"
                )),
            ));
        }
        // `by` owns the key, so they are in `people`.
        Some(Ineligible::NotAPerson) => {
            return Err(UpdateError::refused(
                format!("`{by}` is not a person in the policy's `people`"),
                None,
            ));
        }
    }
    let mut entry = Approval {
        by: by.clone(),
        decision: if decision.reject {
            crate::model::Decision::Rejected
        } else {
            crate::model::Decision::Approved
        },
        at: now,
        comment: decision.comment.map(str::to_owned),
        signature: None,
        backdated: None,
    };
    let message = content::message(&record, &entry)
        .ok_or_else(|| UpdateError::refused("nothing to sign".to_owned(), None))?;
    entry.signature = Some(
        decision
            .key
            .sign(&message)
            .map_err(|e| UpdateError::refused(e.to_string(), None))?,
    );
    let blocked = approval::judge(config, &record).is_some_and(|s| !s.rejected_by.is_empty());
    let mut value = serde_json::to_value(&entry)
        .map_err(|e| UpdateError::refused(format!("cannot write the decision: {e}"), None))?;
    // Written as every stamp gitsm writes (the signature covers the instant).
    value["at"] = stamp(now);
    let planned = [Planned::append(keys(&["approvals"]), value, false)];
    let mut updated = apply_checked(ws, target, &planned, now)?;
    if blocked {
        updated.warnings.push(
            crate::diagnostic::Diagnostic::warning(
                "approvals",
                format!(
                    "{} was rejected: it stays blocked until it goes back to `new`, whatever is decided now",
                    record.id()
                ),
            )
            .in_file(&target.path),
        );
    }
    Ok(updated)
}

/// The person whose `keys` hold the signing key.
fn approver(ws: &Workspace, key: &SigningKey) -> Result<String, UpdateError> {
    let data = key.public.key_data();
    ws.config
        .people
        .iter()
        .find(|(_, p)| {
            p.keys.iter().any(|k| {
                approval::signature::parse_public_key(k).is_ok_and(|k| k.key_data() == data)
            })
        })
        .map(|(h, _)| h.clone())
        .ok_or_else(|| {
            UpdateError::refused(
                format!(
                    "key {} is not listed under anyone's `keys` in gitsm.yaml",
                    approval::signature::fingerprint(data)
                ),
                Some(
                    "add your public key (`cat ~/.ssh/id_ed25519.pub`) to `people.<you>.keys` in a reviewed change of gitsm.yaml"
                        .into(),
                ),
            )
        })
}
