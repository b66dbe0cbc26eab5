//! Scheduling conflicts of changes: windows that overlap another scheduled
//! change on the same CI (or on a CI it depends on), windows inside a freeze
//! the change's type may not use, and windows outside the maintenance window
//! one of its CIs requires. Warnings, unless the change policy makes them
//! errors (`change_policy.conflicts_are_errors`).

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;

use crate::calendar::BusinessCalendar;
use crate::cmdb::CmdbGraph;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Change, Record, Timestamp};
use crate::records::{Loaded, RecordFile};
use crate::yaml::Pos;

/// States whose window is booked.
const BOOKED: &[&str] = &["scheduled", "implement"];

pub(super) fn check(config: &Config, loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    let severity = if config.change_policy.conflicts_are_errors {
        Severity::Error
    } else {
        Severity::Warning
    };
    let mut booked: Vec<(&RecordFile, &Change, Timestamp, Timestamp)> = loaded
        .records()
        .filter_map(|(f, r)| match r {
            Record::Change(c) if BOOKED.contains(&c.status.as_str()) => {
                c.window.as_ref().map(|w| (f, c, w.start, w.end))
            }
            _ => None,
        })
        .collect();
    booked.sort_by_key(|b| (b.2, b.1.id.clone()));
    let graph = CmdbGraph::from_loaded(&config.ci, loaded);
    let mut report = |f: &RecordFile, pos: Pos, code: &'static str, message: String| {
        out.push(Diagnostic::new(severity, code, message).at(&f.path, pos));
    };
    let mut calendars: HashMap<&str, Option<BusinessCalendar>> = HashMap::new();
    for &(f, c, start, end) in &booked {
        for w in &config.freeze_windows {
            if w.forbids(c.change_type, start, end) {
                report(
                    f,
                    f.id_pos,
                    "schedule-freeze",
                    format!(
                        "{}'s window overlaps freeze `{}` ({} – {}), which does not allow {} changes",
                        c.id,
                        w.name,
                        w.start.to_rfc3339(),
                        w.end.to_rfc3339(),
                        c.change_type.name()
                    ),
                );
            }
        }
        for ci_id in &c.cis {
            let Some(ci) = graph.index_of(ci_id).map(|i| graph.ci(i)) else {
                continue;
            };
            let Some(name) = &ci.maintenance_window else {
                continue;
            };
            let cal = calendars.entry(name.as_str()).or_insert_with(|| {
                config
                    .calendars
                    .get(name)
                    .and_then(|c| BusinessCalendar::new(c).ok())
            });
            let Some(cal) = cal else { continue };
            let (from, to) = (start.with_timezone(&Utc), end.with_timezone(&Utc));
            if cal.working_time(from, to) < to - from {
                report(
                    f,
                    ref_pos(f, "cis", ci_id),
                    "schedule-maintenance",
                    format!(
                        "{}'s window is not inside `{name}`, the maintenance window of `{ci_id}`",
                        c.id
                    ),
                );
            }
        }
    }
    // Overlaps: a sweep over windows sorted by start.
    let mut reach: HashMap<usize, BTreeSet<String>> = HashMap::new();
    let mut touched = |i: usize, c: &Change| -> BTreeSet<String> {
        reach
            .entry(i)
            .or_insert_with(|| {
                let roots: Vec<usize> = c.cis.iter().filter_map(|id| graph.index_of(id)).collect();
                let mut set: BTreeSet<String> = c.cis.iter().cloned().collect();
                set.extend(
                    graph
                        .dependencies(&roots)
                        .iter()
                        .map(|r| graph.ci(r.ci).id.clone()),
                );
                set
            })
            .clone()
    };
    for i in 0..booked.len() {
        let (f, c, _, end) = booked[i];
        for (j, &(g, d, start2, _)) in booked.iter().enumerate().skip(i + 1) {
            if start2 >= end {
                break;
            }
            let (a, b) = (touched(i, c), touched(j, d));
            let shared: Vec<&String> = a.intersection(&b).collect();
            if let Some(ci) = shared.first() {
                for (file, this, other) in [(f, c, d), (g, d, c)] {
                    report(
                        file,
                        file.id_pos,
                        "schedule-overlap",
                        format!(
                            "{}'s window overlaps {}'s, and both touch `{ci}`",
                            this.id, other.id
                        ),
                    );
                }
            }
        }
    }
}

/// Where `field` names `target` in the file, else where its id is.
fn ref_pos(f: &RecordFile, field: &str, target: &str) -> Pos {
    f.refs
        .iter()
        .find(|(r, _)| r.field == field && r.target == target)
        .map_or(f.id_pos, |(_, p)| *p)
}
