//! Consistency checks of a config that the schema cannot express.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use crate::calendar::parse_spans;
use crate::diagnostic::Diagnostic;
use crate::kind::Kind;
use crate::yaml::{Node, Segment};

use crate::config::Config;

/// Check `config` (parsed from `node`); diagnostics point into `path`.
pub fn check(config: &Config, node: &Node, path: &Path) -> Vec<Diagnostic> {
    let mut out = Checker {
        node,
        path,
        diags: Vec::new(),
    };
    out.people(config);
    out.calendars(config);
    out.policies(config);
    out.cmdb(config);
    out.intake(config);
    out.workflows(config);
    out.maintenance(config);
    out.diags
}

struct Checker<'a> {
    node: &'a Node,
    path: &'a Path,
    diags: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(&mut self, at: &[&str], message: String) {
        let pos = self
            .node
            .find(at.iter().map(|k| match k.parse::<usize>() {
                Ok(i) if k.chars().all(|c| c.is_ascii_digit()) => Segment::Index(i),
                _ => Segment::Key((*k).into()),
            }))
            .pos;
        self.diags
            .push(Diagnostic::error("config", message).at(self.path, pos));
    }

    fn present(&self, at: &[&str]) -> bool {
        let mut node = self.node;
        for k in at {
            match node.get(k) {
                Some(n) => node = n,
                None => return false,
            }
        }
        true
    }

    /// Workflow overrides are complete graphs whose required fields exist.
    fn workflows(&mut self, config: &Config) {
        for (key, spec) in config.workflows.iter() {
            if let Err(problems) = crate::workflow::Workflow::from_spec(key, spec) {
                for (at, message) in problems {
                    let mut path = vec!["workflows", key];
                    path.extend(at.iter().map(String::as_str));
                    self.error(&path, format!("workflow `{key}`: {message}"));
                }
            }
            let kind = match key {
                "incident" => Kind::Incident,
                "problem" => Kind::Problem,
                "request" => Kind::Request,
                "ci" => Kind::Ci,
                "article" => Kind::Article,
                _ => Kind::Change,
            };
            let schema = crate::schema::builtin(kind);
            let fields = schema.get("properties").and_then(|p| p.as_object());
            for (state, s) in &spec.states {
                let lists = [
                    ("requires", &s.requires),
                    ("requires_if_major", &s.requires_if_major),
                ];
                for (i, field, list) in lists.into_iter().flat_map(|(list, fields)| {
                    fields.iter().enumerate().map(move |(i, f)| (i, f, list))
                }) {
                    let top = field.split('.').next().unwrap_or_default();
                    if fields.is_some_and(|f| !f.contains_key(top)) {
                        let hint = crate::suggest::did_you_mean(
                            top,
                            fields.into_iter().flat_map(|f| f.keys()),
                        );
                        self.error(
                            &["workflows", key, "states", state, list, &i.to_string()],
                            format!("{} records have no field `{top}`{hint}", kind.label()),
                        );
                    }
                }
            }
        }
    }

    /// Maintenance schedules have unique names, a recurrence that expands,
    /// a window of some length and a standard-change template that exists.
    fn maintenance(&mut self, config: &Config) {
        let mut seen = std::collections::BTreeSet::new();
        for (i, s) in config.maintenance.iter().enumerate() {
            let n = i.to_string();
            if !seen.insert(s.name.as_str()) {
                self.error(
                    &["maintenance", &n, "name"],
                    format!("two maintenance schedules are named `{}`", s.name),
                );
            }
            if !config.standard_changes.contains_key(&s.template) {
                let hint =
                    crate::suggest::did_you_mean(&s.template, config.standard_changes.keys());
                self.error(
                    &["maintenance", &n, "template"],
                    format!(
                        "maintenance `{}` names unknown standard change `{}`{hint}",
                        s.name, s.template
                    ),
                );
            }
            if s.duration.as_minutes() <= 0 {
                self.error(
                    &["maintenance", &n, "duration"],
                    format!("maintenance `{}` has a window of no length", s.name),
                );
            }
            if let Err(e) = crate::maintenance::Recurrence::new(s, config) {
                self.error(
                    &["maintenance", &n, e.field()],
                    format!("maintenance `{}`: {e}", s.name),
                );
            }
        }
    }

    fn people(&mut self, config: &Config) {
        let mut owners: BTreeMap<String, &str> = BTreeMap::new();
        for (handle, person) in &config.people {
            for (i, email) in person.emails.iter().enumerate() {
                if !email.contains('@') {
                    self.error(
                        &["people", handle, "emails", &i.to_string()],
                        format!("`{email}` is not an email address"),
                    );
                }
                if let Some(other) = owners.insert(email.to_ascii_lowercase(), handle) {
                    self.error(
                        &["people", handle, "emails", &i.to_string()],
                        format!("email `{email}` belongs to both `{other}` and `{handle}`"),
                    );
                }
            }
        }
        let mut key_owners: Vec<(ssh_key::public::KeyData, &str)> = Vec::new();
        for (handle, person) in &config.people {
            for (i, line) in person.keys.iter().enumerate() {
                let at = ["people", handle.as_str(), "keys", &i.to_string()];
                match crate::approval::signature::parse_public_key(line) {
                    Err(e) => self.error(
                        &at,
                        format!(
                            "key {} of `{handle}` is not an OpenSSH public key line (`ssh-ed25519 AAAA... comment`): {e}",
                            i + 1
                        ),
                    ),
                    Ok(key) => {
                        if let Some((_, other)) =
                            key_owners.iter().find(|(k, _)| k == key.key_data())
                        {
                            let other = (*other).to_owned();
                            self.error(
                                &at,
                                format!(
                                    "key {} is listed under both `{other}` and `{handle}`; a key proves one person",
                                    crate::approval::signature::fingerprint(key.key_data())
                                ),
                            );
                        } else {
                            key_owners.push((key.key_data().clone(), handle));
                        }
                    }
                }
            }
        }
        for (group, members) in &config.groups {
            for (i, member) in members.iter().enumerate() {
                if !config.people.contains_key(member) {
                    let hint = crate::suggest::did_you_mean(member, config.people.keys());
                    self.error(
                        &["groups", group, &i.to_string()],
                        format!("group `{group}` names `{member}`, who is not in `people`{hint}"),
                    );
                }
            }
        }
    }

    fn calendars(&mut self, config: &Config) {
        if let Some(zone) = &config.timezone
            && chrono_tz::Tz::from_str(zone).is_err()
        {
            self.error(
                &["timezone"],
                format!("`{zone}` is not an IANA time zone (e.g. Europe/Berlin)"),
            );
        }
        for (name, cal) in &config.calendars {
            if chrono_tz::Tz::from_str(&cal.timezone).is_err() {
                self.error(
                    &["calendars", name, "timezone"],
                    format!(
                        "`{}` is not an IANA time zone (e.g. Europe/Berlin)",
                        cal.timezone
                    ),
                );
            }
            for (day, spans) in cal.hours.days() {
                if let Some(spans) = spans
                    && let Err(e) = parse_spans(spans)
                {
                    self.error(&["calendars", name, "hours", day], e);
                }
            }
        }
        let mut need = |at: Vec<String>, cal: Option<&String>| {
            if let Some(cal) = cal
                && !config.calendars.contains_key(cal)
            {
                let hint = crate::suggest::did_you_mean(cal, config.calendars.keys());
                let at: Vec<&str> = at.iter().map(String::as_str).collect();
                self.error(&at, format!("unknown calendar `{cal}`{hint}"));
            }
        };
        for p in crate::model::Priority::ALL {
            need(
                vec!["sla".into(), p.name().into(), "calendar".into()],
                config.sla.target(p).calendar.as_ref(),
            );
        }
        for (key, item) in &config.catalog {
            need(
                vec!["catalog".into(), key.clone(), "calendar".into()],
                item.calendar.as_ref(),
            );
        }
        if let Some(policy) = &config.symptom_policy {
            need(
                vec!["symptom_policy".into(), "calendar".into()],
                policy.calendar.as_ref(),
            );
        }
        for (i, ola) in config.ola.iter().enumerate() {
            need(
                vec!["ola".into(), i.to_string(), "calendar".into()],
                ola.calendar.as_ref(),
            );
        }
        for (id, supplier) in &config.suppliers {
            need(
                vec![
                    "suppliers".into(),
                    id.clone(),
                    "underpinning".into(),
                    "calendar".into(),
                ],
                supplier.underpinning.calendar.as_ref(),
            );
        }
        self.ola(config);
        if !(config.sla_at_risk > 0.0 && config.sla_at_risk <= 1.0) {
            self.error(
                &["sla_at_risk"],
                format!(
                    "sla_at_risk must be above 0 and at most 1 (got {})",
                    config.sla_at_risk
                ),
            );
        }
    }

    /// Each OLA binds a team of `groups` or a support level.
    fn ola(&mut self, config: &Config) {
        for (i, ola) in config.ola.iter().enumerate() {
            let i = i.to_string();
            match &ola.team {
                None if ola.level.is_none() => self.error(
                    &["ola", &i],
                    "an OLA names the `team` or the `level` it binds (or both)".to_owned(),
                ),
                Some(team) if !config.groups.contains_key(team) => {
                    let hint = crate::suggest::did_you_mean(team, config.groups.keys());
                    self.error(
                        &["ola", &i, "team"],
                        format!("`{team}` is not a group in `groups`{hint}"),
                    );
                }
                _ => {}
            }
        }
    }

    fn policies(&mut self, config: &Config) {
        let rules = [
            ("normal", &config.change_policy.normal),
            ("emergency", &config.change_policy.emergency),
            ("standard", &config.change_policy.standard),
            ("high_risk", &config.change_policy.high_risk),
        ];
        for (name, rule) in rules {
            if let Some(group) = &rule.from
                && self.present(&["change_policy", name, "from"])
                && !config.groups.contains_key(group)
            {
                let hint = crate::suggest::did_you_mean(group, config.groups.keys());
                self.error(
                    &["change_policy", name, "from"],
                    format!("unknown group `{group}`{hint}"),
                );
            }
        }
        for (key, item) in &config.catalog {
            if let Some(group) = item.approval.as_ref().and_then(|a| a.from.as_ref())
                && !config.groups.contains_key(group)
            {
                self.error(
                    &["catalog", key, "approval", "from"],
                    format!("unknown group `{group}`"),
                );
            }
        }
        // The owner of a catalogue item is someone the policy knows.
        for (key, item) in &config.catalog {
            if let Some(owner) = &item.owner
                && !owner.contains('@')
                && !config.people.contains_key(owner)
            {
                let hint = crate::suggest::did_you_mean(owner, config.people.keys());
                self.error(
                    &["catalog", key, "owner"],
                    format!("unknown person `{owner}`{hint}"),
                );
            }
        }
        for (i, w) in config.freeze_windows.iter().enumerate() {
            if w.end <= w.start {
                self.error(
                    &["freeze_windows", &i.to_string(), "end"],
                    format!("freeze window `{}` ends before it starts", w.name),
                );
            }
        }
    }

    /// The patterns of `intake.rules` compile, and the default team and
    /// the auto-resolution code exist. (The default catalogue item is
    /// checked when mail comes in: a catalogue of its own need not list
    /// one until the organisation takes mail in.)
    fn intake(&mut self, config: &Config) {
        let intake = &config.intake;
        for (i, rule) in intake.rules.iter().enumerate() {
            let n = i.to_string();
            let m = &rule.when;
            let mut patterns: Vec<(Vec<&str>, &str)> = m
                .labels
                .iter()
                .map(|(k, p)| (vec!["labels", k.as_str()], p.as_str()))
                .collect();
            for (key, p) in [
                ("sender", &m.sender),
                ("subject", &m.subject),
                ("body", &m.body),
            ] {
                if let Some(p) = p {
                    patterns.push((vec![key], p.as_str()));
                }
            }
            for (path, p) in patterns {
                if let Err(e) = regex::Regex::new(p) {
                    let mut at = vec!["intake", "rules", &n, "match"];
                    at.extend(path);
                    self.error(&at, format!("invalid regular expression: {e}"));
                }
            }
        }
        if let Some(team) = &intake.defaults.team
            && !config.groups.contains_key(team)
        {
            self.error(
                &["intake", "defaults", "team"],
                format!("unknown group `{team}`"),
            );
        }
        if let Some(auto) = &intake.auto_resolve
            && !config.resolution_codes.contains(&auto.code)
        {
            self.error(
                &["intake", "auto_resolve", "code"],
                format!("`{}` is not one of `resolution_codes`", auto.code),
            );
        }
    }

    fn cmdb(&mut self, config: &Config) {
        if let Err(e) = regex::Regex::new(&config.ci.id_pattern) {
            self.error(
                &["ci", "id_pattern"],
                format!("invalid regular expression: {e}"),
            );
        }
        for (name, class) in &config.ci.classes {
            if let Some(p) = &class.id_pattern
                && let Err(e) = regex::Regex::new(p)
            {
                self.error(
                    &["ci", "classes", name, "id_pattern"],
                    format!("invalid regular expression: {e}"),
                );
            }
        }
        for (name, rel) in &config.ci.relations {
            for (side, classes) in [("from", &rel.from), ("to", &rel.to)] {
                for (i, class) in classes.iter().enumerate() {
                    if !config.ci.classes.contains_key(class) {
                        let hint = crate::suggest::did_you_mean(class, config.ci.classes.keys());
                        self.error(
                            &["ci", "relations", name, side, &i.to_string()],
                            format!("unknown CI class `{class}`{hint}"),
                        );
                    }
                }
            }
        }
        for (kind, fields) in &config.custom_fields {
            for (name, field) in fields {
                if field.field_type == crate::config::FieldType::Enum && field.values.is_empty() {
                    self.error(
                        &["custom_fields", kind.name(), name],
                        format!("enum field `{name}` lists no `values`"),
                    );
                }
            }
        }
    }
}
