//! Every id a record names exists, and is of the kind the field expects.

use std::collections::HashMap;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::kind::Kind;
use crate::model::Record;
use crate::records::{Loaded, RecordFile};
use crate::suggest;

/// What the index knows of an id.
struct Target<'a> {
    kind: Kind,
    class: Option<&'a str>,
}

pub(super) fn check(config: &Config, loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    let mut index: HashMap<&str, Target<'_>> = HashMap::with_capacity(loaded.files.len());
    for f in &loaded.files {
        if let Some(id) = &f.id {
            let class = match f.record.as_deref() {
                Some(Record::Ci(ci)) => Some(ci.class.as_str()),
                _ => None,
            };
            index.entry(id.as_str()).or_insert(Target {
                kind: f.kind,
                class,
            });
        }
    }
    for f in &loaded.files {
        check_file(config, loaded, &index, f, out);
    }
}

fn check_file(
    config: &Config,
    loaded: &Loaded,
    index: &HashMap<&str, Target<'_>>,
    f: &RecordFile,
    out: &mut Vec<Diagnostic>,
) {
    for (r, pos) in &f.refs {
        match index.get(r.target.as_str()) {
            None => {
                let what = r.expects.map_or("record", Kind::label);
                let candidates = loaded
                    .files
                    .iter()
                    .filter(|o| r.expects.is_none_or(|k| o.kind == k))
                    .filter_map(|o| o.id.as_deref());
                out.push(
                    Diagnostic::error(
                        "dangling-reference",
                        format!(
                            "`{}` names {what} `{}`, which does not exist",
                            r.field, r.target
                        ),
                    )
                    .at(&f.path, *pos)
                    .with_suggestion(suggest::closest(
                        &r.target,
                        candidates.collect::<Vec<_>>().iter().copied(),
                    )),
                );
            }
            Some(t) => {
                if let Some(expected) = r.expects
                    && t.kind != expected
                {
                    out.push(
                        Diagnostic::error(
                            "wrong-reference",
                            format!(
                                "`{}` must name a {}, but `{}` is a {}",
                                r.field,
                                expected.label(),
                                r.target,
                                t.kind.label()
                            ),
                        )
                        .at(&f.path, *pos),
                    );
                    continue;
                }
                if (r.field == "service" || r.field == "services")
                    && let Some(class) = t.class
                    && !config.is_service_class(class)
                {
                    out.push(
                                Diagnostic::error(
                                    "not-a-service",
                                    format!("`{}` must name a business service, but `{}` is a CI of class `{class}`", r.field, r.target),
                                )
                                .at(&f.path, *pos)
                                .with_hint("name it under `affected_cis`, and the service it supports under `service`"),
                            );
                }
                if f.id.as_deref() == Some(r.target.as_str()) {
                    out.push(
                        Diagnostic::error(
                            "self-reference",
                            format!("`{}` names the record itself", r.field),
                        )
                        .at(&f.path, *pos),
                    );
                }
            }
        }
    }
}
