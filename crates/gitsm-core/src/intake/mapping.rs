//! `intake.rules`: the first rule whose `match` holds on an event sets the
//! fields it names; `${name}` in a value is a named group of its patterns.

use std::collections::BTreeMap;

use regex::Regex;

use crate::config::{IntakeConfig, IntakeFields, IntakeSource};

use super::IntakeError;

/// What rules look at in an event.
pub(super) struct Facts<'a> {
    pub source: IntakeSource,
    pub labels: &'a BTreeMap<String, String>,
    pub sender: Option<&'a str>,
    pub subject: &'a str,
    pub body: &'a str,
}

/// The rules of `intake.rules`, their patterns compiled.
pub(super) struct Rules {
    rules: Vec<Rule>,
}

struct Rule {
    sources: Vec<IntakeSource>,
    labels: Vec<(String, Regex)>,
    sender: Option<Regex>,
    subject: Option<Regex>,
    body: Option<Regex>,
    set: IntakeFields,
}

impl Rules {
    /// Compile every pattern; a bad one is an error naming where it is.
    pub(super) fn compile(cfg: &IntakeConfig) -> Result<Rules, IntakeError> {
        let mut rules = Vec::with_capacity(cfg.rules.len());
        for (n, r) in cfg.rules.iter().enumerate() {
            let re = |field: &str, p: &str| {
                Regex::new(p).map_err(|e| IntakeError::Mapping {
                    message: format!(
                        "gitsm.yaml: intake.rules[{n}].match.{field}: `{p}` is not a regular expression: {e}"
                    ),
                    hint: None,
                })
            };
            let opt =
                |field: &str, p: &Option<String>| p.as_deref().map(|p| re(field, p)).transpose();
            rules.push(Rule {
                sources: r.when.source.clone(),
                labels: r
                    .when
                    .labels
                    .iter()
                    .map(|(k, p)| Ok((k.clone(), re(&format!("labels.{k}"), p)?)))
                    .collect::<Result<_, IntakeError>>()?,
                sender: opt("sender", &r.when.sender)?,
                subject: opt("subject", &r.when.subject)?,
                body: opt("body", &r.when.body)?,
                set: r.set.clone(),
            });
        }
        Ok(Rules { rules })
    }

    /// The fields the first matching rule sets, `${name}` expanded.
    pub(super) fn first(&self, facts: &Facts<'_>) -> Option<IntakeFields> {
        self.rules.iter().find_map(|r| r.fields(facts))
    }
}

impl Rule {
    fn fields(&self, f: &Facts<'_>) -> Option<IntakeFields> {
        if !self.sources.is_empty() && !self.sources.contains(&f.source) {
            return None;
        }
        let mut groups: BTreeMap<String, String> = BTreeMap::new();
        let mut test = |re: &Regex, text: &str| -> bool {
            let Some(caps) = re.captures(text) else {
                return false;
            };
            for name in re.capture_names().flatten() {
                if let Some(m) = caps.name(name) {
                    groups.insert(name.to_owned(), m.as_str().to_owned());
                }
            }
            true
        };
        for (label, re) in &self.labels {
            match f.labels.get(label) {
                Some(v) if test(re, v) => {}
                _ => return None,
            }
        }
        if let Some(re) = &self.sender
            && !f.sender.is_some_and(|s| test(re, s))
        {
            return None;
        }
        if let Some(re) = &self.subject
            && !test(re, f.subject)
        {
            return None;
        }
        if let Some(re) = &self.body
            && !test(re, f.body)
        {
            return None;
        }
        let expand = |v: &Option<String>| {
            v.as_ref().map(|v| {
                groups.iter().fold(v.clone(), |acc, (k, g)| {
                    acc.replace(&format!("${{{k}}}"), g)
                })
            })
        };
        let s = &self.set;
        Some(IntakeFields {
            kind: s.kind,
            service: expand(&s.service),
            ci: expand(&s.ci),
            impact: expand(&s.impact),
            urgency: expand(&s.urgency),
            category: expand(&s.category),
            team: expand(&s.team),
            catalog_item: expand(&s.catalog_item),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{IntakeMatch, IntakeRule};

    fn rules(yaml: &str) -> Rules {
        let rules: Vec<IntakeRule> = serde_yaml::from_str(yaml).expect("rules");
        Rules::compile(&IntakeConfig {
            rules,
            ..IntakeConfig::default()
        })
        .expect("compiles")
    }

    #[test]
    fn the_first_matching_rule_sets_fields_with_named_groups() {
        let r = rules(
            r#"
- match: { labels: { job: "^(?P<svc>[a-z-]+)-exporter$" } }
  set: { service: "${svc}", team: ops }
- match: {}
  set: { team: fallback }
"#,
        );
        let labels = BTreeMap::from([("job".to_owned(), "payments-exporter".to_owned())]);
        let facts = Facts {
            source: IntakeSource::Alertmanager,
            labels: &labels,
            sender: None,
            subject: "",
            body: "",
        };
        let set = r.first(&facts).expect("a rule matches");
        assert_eq!(set.service.as_deref(), Some("payments"));
        assert_eq!(set.team.as_deref(), Some("ops"));
        let none = BTreeMap::new();
        let other = Facts {
            labels: &none,
            ..facts
        };
        assert_eq!(
            r.first(&other).and_then(|s| s.team).as_deref(),
            Some("fallback")
        );
    }

    #[test]
    fn a_bad_pattern_names_its_rule() {
        let cfg = IntakeConfig {
            rules: vec![IntakeRule {
                when: IntakeMatch {
                    subject: Some("(".into()),
                    ..IntakeMatch::default()
                },
                set: IntakeFields::default(),
            }],
            ..IntakeConfig::default()
        };
        let Err(IntakeError::Mapping { message, .. }) = Rules::compile(&cfg) else {
            panic!("a bad pattern compiled");
        };
        assert!(
            message.contains("intake.rules[0].match.subject"),
            "{message}"
        );
    }
}
