//! Every rule a diagnostic can name, by its code: what it checks and how
//! to fix what it finds. Code-scanning dashboards show these (SARIF's rule
//! metadata); `tests/it/layout.rs` holds that every code the checks emit is
//! listed here.

/// One rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The code diagnostics carry, e.g. `unknown-state`.
    pub code: &'static str,
    /// What it checks, in one line.
    pub summary: &'static str,
    /// How to fix what it finds.
    pub help: &'static str,
    /// A readable name where the code alone is one word.
    named: Option<&'static str>,
}

impl Rule {
    /// A readable name, never the code in another case (code scanning
    /// requires the two to differ): the code in UpperCamelCase
    /// (`UnknownState`), or a name given where the code is one word
    /// (`transition` → `DisallowedTransition`).
    pub fn name(&self) -> String {
        if let Some(name) = self.named {
            return name.to_owned();
        }
        self.code
            .split('-')
            .map(|word| {
                let mut chars = word.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            })
            .collect()
    }
}

/// The rule of `code`, if it is one.
pub fn of(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

const fn rule(code: &'static str, summary: &'static str, help: &'static str) -> Rule {
    Rule {
        code,
        summary,
        help,
        named: None,
    }
}

const fn named(
    code: &'static str,
    name: &'static str,
    summary: &'static str,
    help: &'static str,
) -> Rule {
    Rule {
        named: Some(name),
        ..rule(code, summary, help)
    }
}

/// Every rule, by code.
pub const RULES: &[Rule] = &[
    named(
        "approvals",
        "MissingApprovals",
        "A change or request moved past approval without the approvals its rule requires.",
        "Collect the missing decisions with `gitsm approve`, or move the record back.",
    ),
    named(
        "baseline",
        "UnresolvedBaseline",
        "`history.baseline` names no commit of the history checked.",
        "Fetch the commit it names, or name another with `gitsm baseline REV`.",
    ),
    rule(
        "approved-content",
        "What a decision signed differs from what the record now says.",
        "Ask the approvers to decide again on the record as it stands (`gitsm approve`).",
    ),
    rule(
        "availability-target",
        "`availability_target` or `service_hours` is on a CI that is not a business service, or the target is not a percentage.",
        "Declare them on the business service, the target as e.g. `99.9%`.",
    ),
    named(
        "backdated",
        "BackdatedStamp",
        "An event stamp lies earlier than a commit that changed the record without it.",
        "Record the time it really happened and say why it is late: `backdated: <reason>`.",
    ),
    named(
        "config",
        "InconsistentConfig",
        "gitsm.yaml is inconsistent: a reference, value or combination the policy cannot use.",
        "Fix the key at the position shown; `gitsm schema` prints what each key accepts.",
    ),
    rule(
        "config-syntax",
        "gitsm.yaml is not valid YAML.",
        "Fix the YAML at the position shown.",
    ),
    rule(
        "control-character",
        "A value holds a control character that terminals act on.",
        "Remove it; gitsm shows it written out (e.g. \\x1b).",
    ),
    rule(
        "dangling-reference",
        "A record names a record that does not exist.",
        "Correct the id, or create the record it names.",
    ),
    rule(
        "decisions-append-only",
        "An approval or rejection was changed or removed.",
        "Restore the decision as it was; a new decision is appended with `gitsm approve`.",
    ),
    named(
        "deleted",
        "DeletedRecord",
        "A record file was deleted; records are closed, never deleted.",
        "Restore the file and move the record to a terminal state instead.",
    ),
    rule(
        "duplicate-ci-name",
        "Two CIs of the same class share a name.",
        "Give one of them a distinct name.",
    ),
    rule(
        "duplicate-id",
        "Two record files hold the same id.",
        "Renumber one of them with `gitsm renumber`.",
    ),
    named(
        "empty",
        "EmptyRecordFile",
        "A record file is empty.",
        "Write the record, or create it with `gitsm new`.",
    ),
    named(
        "encoding",
        "InvalidEncoding",
        "A file is not valid UTF-8 text, or holds NUL bytes.",
        "Save it as UTF-8 text.",
    ),
    rule(
        "file-name",
        "A record file's name is not `<id>.yaml` (`<id>.md` for a knowledge article).",
        "Rename the file to its id with its kind's extension.",
    ),
    rule(
        "front-matter",
        "A knowledge article does not start with a front matter fenced by `---` lines.",
        "Start the file with `---`, the YAML fields, `---`, then the Markdown body.",
    ),
    rule(
        "future-timestamp",
        "A timestamp lies after the commit that records it, beyond `clock_skew`.",
        "Correct the time; events are recorded when they have happened.",
    ),
    rule(
        "id-mismatch",
        "A record's `id` differs from its file name.",
        "Make the `id` field and the file name agree.",
    ),
    rule(
        "id-pattern",
        "A CI id does not match `ci.id_pattern` (or its class's pattern).",
        "Rename the CI to an id the pattern accepts.",
    ),
    rule(
        "id-prefix",
        "A ticket id does not carry its kind's prefix and number.",
        "Use an id such as INC-0042 (`ids` in gitsm.yaml sets the form).",
    ),
    named(
        "immutable",
        "ImmutableFieldChanged",
        "A field that may not change after creation was changed.",
        "Restore its first value.",
    ),
    named(
        "inactive",
        "InactivePerson",
        "Someone who has left (`active: false`) was assigned or decided.",
        "Assign the record to someone who is active.",
    ),
    rule(
        "invalid-value",
        "A value is not one the field accepts.",
        "Write a value the field accepts; the message lists them.",
    ),
    rule(
        "known-error",
        "A problem's state and its `known_error` flag disagree.",
        "Move the problem to `known_error`, or set the flag to match its state.",
    ),
    rule(
        "missing-field",
        "A required field is missing.",
        "Add the field.",
    ),
    rule(
        "missing-for-state",
        "A field the record's state requires is missing.",
        "Add the field (e.g. `resolved_at` and `resolution` for a resolved incident).",
    ),
    rule(
        "not-a-mapping",
        "A record file is not a mapping of `key: value` lines.",
        "Write the record as `key: value` lines.",
    ),
    rule(
        "not-a-service",
        "A ticket's `service` names a CI whose class is not a service.",
        "Name a CI of a service class.",
    ),
    rule(
        "feedback-append-only",
        "A satisfaction feedback entry was changed or removed.",
        "Restore the entry; feedback is only appended (`gitsm feedback`).",
    ),
    rule(
        "feedback-once",
        "A person gave satisfaction feedback on a ticket twice.",
        "Keep the first entry and add a note, or set `feedback.one_per_person: false`.",
    ),
    rule(
        "feedback-required",
        "A ticket was closed without the feedback the policy requires.",
        "Record the requester's score with `gitsm feedback <ID> --score N` before closing.",
    ),
    rule(
        "grant-expired",
        "Access granted by a request is past its expiry and not revoked.",
        "Revoke the access and record `revoked_at`, or extend `expires_at` with a new approval.",
    ),
    rule(
        "grant-expiring",
        "Access granted by a request expires soon.",
        "Renew it with a new request, or plan the revocation.",
    ),
    rule(
        "request-fields",
        "A request lacks the fields its catalogue item requires once approved.",
        "Set the fields the item's `request_fields` lists, with `gitsm set`.",
    ),
    rule(
        "notes-append-only",
        "A work note was changed or removed.",
        "Restore the note; add a new one with `gitsm note`.",
    ),
    rule(
        "updates-append-only",
        "An entry of a major incident's communications log was changed or removed.",
        "Restore the update; add a new one with `gitsm note <ID> --update`.",
    ),
    rule(
        "review-action-untracked",
        "An action of a post-incident review names no problem, so nothing tracks it.",
        "Name the problem that tracks it (`problem: PRB-…`), or open one with `gitsm new problem`.",
    ),
    rule(
        "maintenance-missed",
        "An occurrence of a `maintenance` schedule passed without a change implemented for it.",
        "Carry it out and record the change (`gitsm schedule` creates the due ones), or cancel it with a reason.",
    ),
    rule(
        "problem-candidate",
        "Several incidents sharing a CI, a service and category, or a symptom within the window have no problem.",
        "Open a problem for them: `gitsm new problem --from INC-…,INC-…,INC-…`.",
    ),
    rule(
        "open-outage",
        "An outage has no end but its incident is resolved, closed or cancelled.",
        "Record when the service was restored in the outage's `end:`.",
    ),
    rule(
        "outage-order",
        "An outage's `end` is not after its `start`.",
        "Correct the times: `end` is when the service was restored.",
    ),
    rule(
        "outage-overlap",
        "Two outages of one incident overlap.",
        "Record one period per outage; end one before the next starts.",
    ),
    rule(
        "outage-service",
        "An incident records an outage but names no `service`.",
        "Name the business service that was down under `service`.",
    ),
    rule(
        "open-hold",
        "A ticket left `on_hold` with its hold period still open.",
        "End the hold period (`end:`) when the ticket resumes.",
    ),
    rule(
        "orphan-ci",
        "A CI has no relation and no ticket names it.",
        "Relate it to the CIs it depends on, or retire it.",
    ),
    named(
        "priority",
        "PriorityOffMatrix",
        "A priority differs from what the impact × urgency matrix gives.",
        "Set the matrix's priority, or record a `priority_override` with a reason.",
    ),
    rule(
        "relation-class",
        "A CI relation joins classes the relation type does not allow.",
        "Relate CIs of the classes `ci.relations` allows.",
    ),
    rule(
        "relation-cycle",
        "CIs form a cycle through a relation that must be acyclic.",
        "Remove one of the relations named in the cycle.",
    ),
    rule(
        "renumber-unread",
        "A record that names a renumbered id could not be read to update it.",
        "Fix that record, then run `gitsm renumber` again.",
    ),
    rule(
        "retired-ci",
        "An open ticket or a relation names a retired CI.",
        "Name an active CI, or reopen the CI.",
    ),
    rule(
        "review-overdue",
        "A published knowledge article is past its `review_by` date.",
        "Review the article, then set a new `review_by` (or retire it).",
    ),
    rule(
        "schedule-freeze",
        "A scheduled change falls in a change freeze that does not allow its type.",
        "Move its window out of the freeze, or use a type the freeze allows.",
    ),
    rule(
        "schedule-maintenance",
        "A change's window falls outside a CI's maintenance window.",
        "Schedule it inside the maintenance window of every CI it names.",
    ),
    rule(
        "schedule-overlap",
        "Two scheduled changes touch the same CI at the same time.",
        "Move one of the windows, or combine the changes.",
    ),
    named(
        "schema",
        "SchemaViolation",
        "A record does not pass its kind's JSON Schema.",
        "Fix the field at the position shown; the schemas are in `schemas/`.",
    ),
    rule(
        "self-reference",
        "A record names itself.",
        "Remove the reference to its own id.",
    ),
    named(
        "shallow",
        "ShallowHistory",
        "A shallow clone lacks the history a check needs.",
        "Fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in CI).",
    ),
    rule(
        "supplier-contract-ended",
        "A hold awaiting a supplier began after the supplier's `contract_end` (a warning).",
        "Renew the contract in `suppliers`, or name the supplier that now holds it.",
    ),
    rule(
        "supplier-missing",
        "A hold `awaiting_vendor` names no `supplier` while `suppliers` is configured (a warning).",
        "Add `supplier:` naming one of `suppliers`, so that supplier compliance counts it.",
    ),
    named(
        "symlink",
        "SymbolicLink",
        "A file or folder inside the repository is a symbolic link; gitsm follows none.",
        "Replace the link with what it points to.",
    ),
    rule(
        "template-bounds",
        "A standard change names CIs outside its template's.",
        "Name only the CIs its template allows, or use a normal change.",
    ),
    rule(
        "terminal-edit",
        "A record in a terminal state was changed.",
        "Restore it; a closed record takes only notes.",
    ),
    rule(
        "timestamp-order",
        "Timestamps are out of order (e.g. resolved before created).",
        "Correct the times so that events follow each other.",
    ),
    named(
        "timezone",
        "UnknownTimeZone",
        "A time zone is not one of the IANA database.",
        "Use a name such as Europe/Berlin.",
    ),
    rule(
        "too-large",
        "A record file is larger than 1 MiB.",
        "Move long text out of the record (e.g. link a document).",
    ),
    named(
        "transition",
        "DisallowedTransition",
        "A status changed along a path the workflow does not allow.",
        "Move the record with `gitsm transition`, which follows the workflow.",
    ),
    rule(
        "unexpected-folder",
        "A kind's folder holds a folder that is not a year.",
        "Move its records into the kind's folder or a year folder (e.g. 2026).",
    ),
    rule(
        "unknown-calendar",
        "A calendar is named that gitsm.yaml does not define.",
        "Define it under `calendars`, or name one that is.",
    ),
    rule(
        "unknown-catalog-item",
        "A request names a catalogue item gitsm.yaml does not define.",
        "Name an item of `catalog`.",
    ),
    rule(
        "unknown-class",
        "A CI's class is not one of `ci.classes`.",
        "Use a class of `ci.classes`, or declare it.",
    ),
    rule(
        "unknown-group",
        "A group is named that gitsm.yaml does not define.",
        "Name a group of `groups`.",
    ),
    rule(
        "unknown-key",
        "A key is not one the record or the policy knows.",
        "Correct its spelling (the message suggests one), or move it under `custom:`.",
    ),
    rule(
        "unknown-person",
        "A person is named by a handle not listed under `people` (a warning on an imported record).",
        "Use a handle from `people`, or an email address; add the people an import kept as written to `people`.",
    ),
    rule(
        "unknown-relation",
        "A CI relation type is not one of `ci.relations`.",
        "Use a relation type of `ci.relations`, or declare it.",
    ),
    rule(
        "unknown-state",
        "A status is not a state of the record's workflow.",
        "Use a state of the workflow; the message lists them.",
    ),
    rule(
        "unknown-supplier",
        "A hold or an escalation names a supplier gitsm.yaml does not define.",
        "Name a supplier of `suppliers`.",
    ),
    rule(
        "unknown-symptom",
        "An incident's symptom is not one the symptom policy knows.",
        "Use a symptom of `symptom_policy`.",
    ),
    rule(
        "unknown-template",
        "A standard change names a template gitsm.yaml does not define.",
        "Name a template of `standard_changes`.",
    ),
    named(
        "unreadable",
        "UnreadableFile",
        "A file or folder could not be read.",
        "Check its permissions and that it is a regular file.",
    ),
    rule(
        "unsafe-id",
        "An id holds `/`, `\\`, `..` or other characters a file name cannot.",
        "Use letters, digits and dashes.",
    ),
    rule(
        "wrong-reference",
        "A reference names a record of the wrong kind.",
        "Name a record of the kind the field expects.",
    ),
    rule(
        "wrong-type",
        "A value has the wrong type (e.g. a list where a string belongs).",
        "Write a value of the type the field expects.",
    ),
    named(
        "yaml",
        "InvalidYaml",
        "A record file is not valid YAML (syntax, duplicate keys, aliases past their bound).",
        "Fix the YAML at the position shown.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_never_the_code_in_another_case() {
        let mut seen = std::collections::BTreeSet::new();
        for rule in RULES {
            let name = rule.name();
            assert!(
                !name.eq_ignore_ascii_case(rule.code),
                "{} is named {name}",
                rule.code
            );
            assert!(seen.insert(name.clone()), "{name} twice");
        }
        assert_eq!(
            of("transition").map(Rule::name).as_deref(),
            Some("DisallowedTransition")
        );
        assert_eq!(
            of("unknown-state").map(Rule::name).as_deref(),
            Some("UnknownState")
        );
    }
}
