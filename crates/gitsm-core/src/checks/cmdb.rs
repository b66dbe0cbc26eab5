//! CMDB rules: classes, id patterns, attributes, relation types, class
//! pairings and cycles where a relation type forbids them; and health
//! warnings: orphan CIs, retired CIs still in use, duplicate names.

use std::collections::{BTreeSet, HashMap};

use crate::cmdb::CmdbGraph;
use crate::diagnostic::Diagnostic;
use crate::kind::Kind;
use crate::model::Record;
use crate::policy::Policy;
use crate::records::Loaded;
use crate::suggest;
use crate::yaml::Pos;

use super::Located;

/// Single-CI checks.
pub(super) fn check_ci(
    config: &Policy,
    record: &Record,
    at: &Located<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let Record::Ci(ci) = record else { return };
    let class = config.ci.classes.get(&ci.class);
    if class.is_none() {
        out.push(
            at.error(
                "unknown-class",
                "/class",
                format!("`{}` is not a CI class of `ci.classes`", ci.class),
            )
            .with_suggestion(suggest::closest(&ci.class, config.ci.classes.keys())),
        );
    }
    let (pattern, re) = config.ci_id_regex(class.map(|_| ci.class.as_str()));
    if let Some(re) = re
        && !re.is_match(&ci.id)
    {
        out.push(at.error(
            "id-pattern",
            "/id",
            format!("CI id `{}` does not match the pattern `{pattern}`", ci.id),
        ));
    }
    if let Some(class) = class {
        super::fields::custom(
            Some(&class.attributes),
            &ci.attributes,
            "/attributes",
            at,
            out,
        );
    }
    for relation in ci.relations.keys() {
        if !config.ci.relations.contains_key(relation) {
            out.push(
                at.error(
                    "unknown-relation",
                    &format!("/relations/{relation}"),
                    format!("`{relation}` is not a relation type of `ci.relations`"),
                )
                .with_suggestion(suggest::closest(relation, config.ci.relations.keys())),
            );
        }
    }
    // Every calendar a CI names: its maintenance window and its service hours.
    let calendars = [
        ("/maintenance_window", &ci.maintenance_window),
        ("/service_hours", &ci.service_hours),
    ];
    for (field, cal) in calendars {
        if let Some(cal) = cal
            && !config.calendars.contains_key(cal)
        {
            out.push(
                at.error(
                    "unknown-calendar",
                    field,
                    format!("`{cal}` is not a calendar of `calendars`"),
                )
                .with_suggestion(suggest::closest(cal, config.calendars.keys())),
            );
        }
    }
}

/// Cross-CI checks: allowed class pairings, cycles, CMDB health.
/// Relation rules: class pairings and cycles where a relation forbids them.
pub(super) fn relations(config: &Policy, loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    let cis: HashMap<&str, (&std::path::Path, &crate::model::Ci)> = loaded
        .records()
        .filter_map(|(f, r)| match r {
            Record::Ci(ci) => Some((ci.id.as_str(), (f.path.as_path(), ci))),
            _ => None,
        })
        .collect();
    let positions: HashMap<(&str, &str, &str), Pos> = loaded
        .files
        .iter()
        .filter_map(|f| f.id.as_deref().map(|id| (id, f)))
        .flat_map(|(id, f)| {
            f.refs
                .iter()
                .filter(|(r, _)| r.pointer.starts_with("/relations/"))
                .map(move |(r, pos)| ((id, r.field.as_str(), r.target.as_str()), *pos))
        })
        .collect();
    let pos_of = |from: &str, rel: &str, to: &str| {
        positions
            .get(&(from, rel, to))
            .copied()
            .unwrap_or(Pos::START)
    };

    for (name, rel) in &config.ci.relations {
        // Class pairings.
        for (id, (path, ci)) in &cis {
            for target in ci.relations.get(name).into_iter().flatten() {
                if !rel.from.is_empty() && !rel.from.contains(&ci.class) {
                    out.push(
                        Diagnostic::error(
                            "relation-class",
                            format!(
                                "a `{}` may not be the source of `{name}` (allowed: {})",
                                ci.class,
                                rel.from.join(", ")
                            ),
                        )
                        .at(path, pos_of(id, name, target)),
                    );
                }
                if let Some((_, t)) = cis.get(target.as_str())
                    && !rel.to.is_empty()
                    && !rel.to.contains(&t.class)
                {
                    out.push(
                        Diagnostic::error(
                            "relation-class",
                            format!(
                                "`{name}` may not point at `{target}`, a `{}` (allowed: {})",
                                t.class,
                                rel.to.join(", ")
                            ),
                        )
                        .at(path, pos_of(id, name, target)),
                    );
                }
            }
        }
        if rel.acyclic {
            for cycle in cycles(&cis, name) {
                // A CI that names itself is a cycle of one.
                let Some(first) = cycle.first() else {
                    continue;
                };
                let second = cycle.get(1).unwrap_or(first);
                let path = cis
                    .get(first.as_str())
                    .map(|(p, _)| *p)
                    .unwrap_or(std::path::Path::new(""));
                out.push(
                    Diagnostic::error(
                        "relation-cycle",
                        format!("cycle through `{name}`: {} -> {first}", cycle.join(" -> ")),
                    )
                    .at(path, pos_of(first, name, second))
                    .with_hint(format!(
                        "`{name}` may not form a cycle; remove one of these relations"
                    )),
                );
            }
        }
    }
}

/// CMDB health warnings: orphan CIs (no relation either way and no ticket
/// names them), retired CIs still named by open incidents, problems or
/// requests (changes may: decommissioning is a change) or by relations of
/// CIs that are not retired, and CIs sharing a name.
pub(super) fn health(config: &Policy, loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    let graph = CmdbGraph::from_loaded(&config.ci, loaded);
    let retired = |id: &str| {
        graph
            .index_of(id)
            .is_some_and(|i| graph.ci(i).status == "retired")
    };
    let mut named_by_ticket = vec![false; graph.len()];
    let mut names: HashMap<String, (&str, &std::path::Path)> = HashMap::new();
    for (file, record) in loaded.records() {
        if let Record::Ci(ci) = record {
            if ci.status != "retired" {
                for (r, pos) in file.refs.iter().filter(|(r, _)| retired(&r.target)) {
                    out.push(
                        Diagnostic::warning(
                            "retired-ci",
                            format!(
                                "`{}` is {}, but its `{}` names `{}`, a retired CI",
                                ci.id, ci.status, r.field, r.target
                            ),
                        )
                        .at(&file.path, *pos)
                        .with_hint("remove the relation, or point it at the CI that replaced it"),
                    );
                }
            }
            let key = ci.name.trim().to_lowercase();
            match names.get(&key) {
                Some((first, first_path)) if *first != ci.id => out.push(
                    Diagnostic::warning(
                        "duplicate-ci-name",
                        format!(
                            "`{}` has the same name as `{first}` ({}): \"{}\"",
                            ci.id,
                            first_path.display(),
                            ci.name.trim()
                        ),
                    )
                    .at(&file.path, file.id_pos)
                    .with_hint("give each CI a distinct name, or merge the two records"),
                ),
                Some(_) => {}
                None => {
                    names.insert(key, (ci.id.as_str(), file.path.as_path()));
                }
            }
            continue;
        }
        // A change may name a retired CI: that is how one is disposed of.
        let open = !config.workflow(record).is_terminal(record.status())
            && !matches!(record, Record::Change(_));
        for (r, pos) in &file.refs {
            if r.expects != Some(Kind::Ci) {
                continue;
            }
            if let Some(i) = graph.index_of(&r.target) {
                named_by_ticket[i] = true;
            }
            if open && retired(&r.target) {
                out.push(
                    Diagnostic::warning(
                        "retired-ci",
                        format!(
                            "{} is open ({}) but its `{}` names `{}`, a retired CI",
                            record.id(),
                            record.status(),
                            r.field,
                            r.target
                        ),
                    )
                    .at(&file.path, *pos),
                );
            }
        }
    }
    for (file, record) in loaded.records() {
        let Record::Ci(ci) = record else { continue };
        let Some(i) = graph.index_of(&ci.id) else {
            continue;
        };
        // A retired CI with nothing attached is simply history.
        if ci.status != "retired"
            && ci.relations.values().all(Vec::is_empty)
            && graph.incoming(i).is_empty()
            && !named_by_ticket[i]
        {
            out.push(
                Diagnostic::warning(
                    "orphan-ci",
                    format!(
                        "`{}` has no relation to another CI and no ticket names it",
                        ci.id
                    ),
                )
                .at(&file.path, file.id_pos)
                .with_hint("add its `relations` (e.g. what it runs on), or retire it"),
            );
        }
    }
}

/// Elementary cycles found by a depth-first search, each reported once,
/// rotated to start at its smallest id.
fn cycles(
    cis: &HashMap<&str, (&std::path::Path, &crate::model::Ci)>,
    relation: &str,
) -> Vec<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Color {
        White,
        Grey,
        Black,
    }
    let mut ids: Vec<&str> = cis.keys().copied().collect();
    ids.sort_unstable();
    let mut color: HashMap<&str, Color> = ids.iter().map(|id| (*id, Color::White)).collect();
    let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
    let targets = |id: &str| -> Vec<&str> {
        cis.get(id)
            .and_then(|(_, ci)| ci.relations.get(relation))
            .map(|v| {
                v.iter()
                    .map(String::as_str)
                    .filter(|t| cis.contains_key(t))
                    .collect()
            })
            .unwrap_or_default()
    };
    for &start in &ids {
        if color[start] != Color::White {
            continue;
        }
        // Stack of (node, its targets, next target index).
        let mut stack: Vec<(&str, Vec<&str>, usize)> = vec![(start, targets(start), 0)];
        color.insert(start, Color::Grey);
        while let Some((node, next, i)) = stack.last_mut() {
            if *i < next.len() {
                let t = next[*i];
                *i += 1;
                match color[t] {
                    Color::White => {
                        color.insert(t, Color::Grey);
                        let nt = targets(t);
                        stack.push((t, nt, 0));
                    }
                    Color::Grey => {
                        let from = stack.iter().position(|(n, _, _)| *n == t).unwrap_or(0);
                        let mut cycle: Vec<String> = stack[from..]
                            .iter()
                            .map(|(n, _, _)| (*n).to_owned())
                            .collect();
                        let min = cycle
                            .iter()
                            .enumerate()
                            .min_by_key(|(_, s)| s.as_str())
                            .map_or(0, |(k, _)| k);
                        cycle.rotate_left(min);
                        found.insert(cycle);
                    }
                    Color::Black => {}
                }
            } else {
                color.insert(node, Color::Black);
                stack.pop();
            }
        }
    }
    found.into_iter().collect()
}
