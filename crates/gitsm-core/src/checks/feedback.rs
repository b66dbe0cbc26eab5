//! Satisfaction feedback on one ticket: one entry per person (unless the
//! policy allows more), and an entry before `closed` when the policy
//! requires one. That entries are only appended is a history rule
//! (`checks/history.rs`).

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::Record;

use super::Located;

pub(super) fn check(config: &Config, record: &Record, at: &Located<'_>, out: &mut Vec<Diagnostic>) {
    let entries = record.feedback();
    if config.feedback.one_per_person {
        // A handle and one of its emails are the same person.
        let who = |by: &str| config.person_by_email(by).unwrap_or(by).to_owned();
        for (i, entry) in entries.iter().enumerate() {
            let by = who(&entry.by);
            if let Some(first) = entries[..i].iter().position(|e| who(&e.by) == by) {
                out.push(
                    at.error(
                        "feedback-once",
                        &format!("/feedback/{i}"),
                        format!(
                            "`{}` already gave feedback on {} (entry {}); one entry per person",
                            entry.by,
                            record.id(),
                            first + 1
                        ),
                    )
                    .with_hint(
                        "add a note instead, or set `feedback.one_per_person: false` in gitsm.yaml",
                    ),
                );
            }
        }
    }
    if config.feedback.required_before_closed
        && matches!(record, Record::Incident(_) | Record::Request(_))
        && record.status() == "closed"
        && entries.is_empty()
    {
        out.push(
            at.error(
                "feedback-required",
                "/status",
                format!(
                    "{} is `closed` without satisfaction feedback, which `feedback.required_before_closed` requires",
                    record.id()
                ),
            )
            .with_hint(format!(
                "record the requester's score first: `gitsm feedback {} --score N`",
                record.id()
            )),
        );
    }
}
