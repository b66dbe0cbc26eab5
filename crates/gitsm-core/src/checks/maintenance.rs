//! Missed routine maintenance: a warning for each occurrence of a
//! `maintenance` schedule whose window closed without a change carried out
//! for it ([`crate::maintenance::missed`]), at the schedule in `gitsm.yaml`.

use std::path::Path;

use crate::config;
use crate::diagnostic::Diagnostic;
use crate::model::{Record, Timestamp};
use crate::records::Loaded;
use crate::workspace::{MAX_CONFIG_BYTES, Workspace};
use crate::yaml::{Pos, Segment};

/// Occurrences missed by `at`, judged on the changes of `loaded`.
pub fn missed(ws: &Workspace, loaded: &Loaded, at: Timestamp) -> Vec<Diagnostic> {
    if ws.config.maintenance.is_empty() {
        return Vec::new();
    }
    let changes: Vec<&crate::model::Change> = loaded
        .records()
        .filter_map(|(_, r)| match r {
            Record::Change(c) => Some(c),
            _ => None,
        })
        .collect();
    let found = crate::maintenance::missed(&ws.config, &changes, at);
    if found.is_empty() {
        return Vec::new();
    }
    // The config is read again for the schedules' positions: its parse
    // keeps none, and a missed occurrence is rare.
    let node = crate::confined::read_text(&ws.root, Path::new(config::FILE_NAME), MAX_CONFIG_BYTES)
        .ok()
        .and_then(|text| crate::yaml::parse(&text).ok());
    let position = |name: &str| -> Pos {
        let Some(node) = &node else {
            return Pos::START;
        };
        let i = ws
            .config
            .maintenance
            .iter()
            .position(|s| s.name == name)
            .unwrap_or_default();
        node.find([
            Segment::Key("maintenance".into()),
            Segment::Index(i),
            Segment::Key("name".into()),
        ])
        .pos
    };
    found
        .into_iter()
        .map(|o| {
            Diagnostic::warning(
                "maintenance-missed",
                format!(
                    "maintenance `{}` of {} – {} ({}) passed without a change implemented for it",
                    o.schedule,
                    o.start.to_rfc3339(),
                    o.end.to_rfc3339(),
                    o.timezone
                ),
            )
            .at(Path::new(config::FILE_NAME), position(&o.schedule))
            .with_hint(format!(
                "record the change that carried it out (`schedule: {{name: {}, occurrence: {}}}`), in state implement, review or closed",
                o.schedule,
                o.start.to_rfc3339()
            ))
        })
        .collect()
}
