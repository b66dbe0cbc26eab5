//! `gitsm import`: records exported from ServiceNow, Jira Service
//! Management or GLPI (or a CSV whose columns are gitsm fields) become new
//! gitsm records. A [`map`](ImportMap) says which column carries which
//! field and what the tool's states, priorities and codes mean; each row
//! is then prepared like `gitsm new` prepares a record (the same checks),
//! with a new id and the tool's id in `source_id`. The batch is written
//! whole or not at all, and a row whose `source_id` is already in the
//! repository is skipped, so an import can be run again.

mod convert;
mod local_time;
mod map;
mod table;

use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

use chrono_tz::Tz;

pub use map::{ImportMap, MapError, default_text};
pub use table::{MAX_BYTES, Row, Table, TableError, place};

use crate::create::{CreateError, Creator, Prepared};
use crate::diagnostic::Diagnostic;
use crate::kind::Kind;
use crate::model::Timestamp;
use crate::workspace::Workspace;

/// The tool an export comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    ServiceNow,
    Jira,
    Glpi,
    /// A CSV whose columns are gitsm field names.
    Csv,
}

impl Tool {
    pub const ALL: [Tool; 4] = [Tool::ServiceNow, Tool::Jira, Tool::Glpi, Tool::Csv];

    /// As written on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Tool::ServiceNow => "servicenow",
            Tool::Jira => "jira",
            Tool::Glpi => "glpi",
            Tool::Csv => "csv",
        }
    }

    /// As written in records and messages.
    pub fn name(self) -> &'static str {
        match self {
            Tool::ServiceNow => "ServiceNow",
            Tool::Jira => "Jira",
            Tool::Glpi => "GLPI",
            Tool::Csv => "the export",
        }
    }
}

impl FromStr for Tool {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tool::ALL
            .into_iter()
            .find(|t| t.key().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown tool `{s}` (expected servicenow, jira, glpi or csv)"))
    }
}

/// What to import, and how to read it.
pub struct Options {
    pub tool: Tool,
    pub kind: Kind,
    /// The export's name, for messages (`FILE:line`).
    pub file: String,
    pub map: ImportMap,
    /// The zone of the export's zone-less times.
    pub zone: Tz,
    /// Who opened a ticket whose row names no one (the person importing).
    pub importer: Option<String>,
    pub now: Timestamp,
}

/// Why an import writes nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The export cannot be read, or a row cannot be understood.
    #[error("{}: {message}", place(.file, *.line, *.json))]
    Row {
        file: String,
        /// The line, or in a JSON export the record's number.
        line: u64,
        json: bool,
        message: String,
        hint: Option<String>,
    },
    /// The map has no columns for this kind.
    #[error("{tool} exports of {kind}s are not supported (supported: {supported})")]
    Unsupported {
        tool: &'static str,
        kind: &'static str,
        supported: String,
    },
    /// Records the checks refuse, each with its row.
    #[error("{} of {} rows would not be valid records", refused.len(), rows)]
    Invalid { refused: Vec<Refused>, rows: usize },
}

/// A row whose record the checks refuse.
#[derive(Debug)]
pub struct Refused {
    /// Where the row is: `FILE:LINE` (`FILE: record N` in JSON).
    pub at: String,
    pub line: u64,
    pub source_id: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// A row turned into a record, ready to be written.
#[derive(Debug)]
pub struct Planned {
    pub line: u64,
    pub source_id: String,
    pub record: Prepared,
}

/// A row not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: u64,
    pub source_id: String,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A record with this `source_id` exists (its id).
    AlreadyImported(String),
    /// The row's type is another kind (the tool's type).
    OtherKind(String),
    /// A CI with this id exists.
    CiExists(String),
}

/// What an import will write.
#[derive(Debug)]
pub struct Plan {
    pub kind: Kind,
    pub records: Vec<Planned>,
    pub skipped: Vec<Skipped>,
    /// Names and emails kept as written: nobody in `people` has them.
    pub unknown_people: BTreeSet<String>,
    /// Ids of changes and requests in a state that needs decisions, which
    /// the tool took and gitsm cannot verify: `gitsm validate` reports
    /// them until they are accepted as a baseline.
    pub unapproved: Vec<String>,
}

/// Rules an imported record may break: decisions taken in the other tool
/// carry no signature here.
const TOLERATED: &[&str] = &["approvals"];

/// Read `bytes` (the export) and prepare a record for each row.
pub fn plan(ws: &Workspace, opts: &Options, bytes: &[u8]) -> Result<Plan, ImportError> {
    let json = table::is_json(bytes);
    let row_error = |line: u64, message: String| ImportError::Row {
        file: opts.file.clone(),
        line,
        json,
        message,
        hint: None,
    };
    // Knowledge articles are Markdown written here, not rows of a ticket tool.
    let importable =
        |k: Kind| k != Kind::Article && (opts.tool == Tool::Csv || opts.map.has_kind(k));
    if !importable(opts.kind) {
        let supported: Vec<&str> = Kind::ALL
            .into_iter()
            .filter(|k| importable(*k))
            .map(Kind::name)
            .collect();
        return Err(ImportError::Unsupported {
            tool: opts.tool.name(),
            kind: opts.kind.name(),
            supported: supported.join(", "),
        });
    }
    let table = match (json, opts.tool) {
        (false, _) => Table::read(bytes, opts.map.delimiter),
        (true, Tool::ServiceNow | Tool::Csv) => Table::from_json(bytes),
        (true, tool) => Err(TableError {
            line: 1,
            message: format!(
                "this looks like JSON; of {}, gitsm reads the CSV export",
                tool.name()
            ),
        }),
    }
    .map_err(|e| row_error(e.line, e.message))?;
    let kinds: &[Kind] = if opts.kind == Kind::Ci {
        &[Kind::Ci]
    } else {
        &[opts.kind, Kind::Ci]
    };
    let loaded = crate::checks::load(ws, kinds);
    let mut known: HashMap<String, String> = HashMap::new();
    let mut cmdb = convert::Cmdb::default();
    for (_, record) in loaded.records() {
        if record.kind() == opts.kind
            && let Some(s) = record.source_id()
        {
            known.insert(s.to_owned(), record.id().to_owned());
        }
        if let crate::model::Record::Ci(ci) = record {
            cmdb.add(ci);
        }
    }
    let mut converter = convert::Converter::new(ws, opts, &table, cmdb);
    let mut creator = Creator::new(ws, opts.now).tolerating(TOLERATED);
    let mut plan = Plan {
        kind: opts.kind,
        records: Vec::new(),
        skipped: Vec::new(),
        unknown_people: BTreeSet::new(),
        unapproved: Vec::new(),
    };
    let mut refused = Vec::new();
    for row in &table.rows {
        let bad_row = |e: convert::RowError| ImportError::Row {
            file: opts.file.clone(),
            line: row.line,
            json,
            message: e.message,
            hint: e.hint,
        };
        let source_id = converter.source_id(row).map_err(bad_row)?;
        if let Some(id) = known.get(&source_id) {
            plan.skipped.push(Skipped {
                line: row.line,
                source_id,
                reason: SkipReason::AlreadyImported(id.clone()),
            });
            continue;
        }
        let value = match converter.row(row, &source_id).map_err(bad_row)? {
            convert::Converted::Record(value) => value,
            convert::Converted::OtherKind(kind) => {
                plan.skipped.push(Skipped {
                    line: row.line,
                    source_id,
                    reason: SkipReason::OtherKind(kind),
                });
                continue;
            }
        };
        match creator.prepare(opts.kind, value) {
            Ok(record) => {
                if record
                    .findings
                    .iter()
                    .any(|d| d.is_error() && TOLERATED.contains(&d.code))
                {
                    plan.unapproved.push(record.id.clone());
                }
                known.insert(source_id.clone(), record.id.clone());
                plan.records.push(Planned {
                    line: row.line,
                    source_id,
                    record,
                });
            }
            Err(CreateError::Invalid { diagnostics, .. }) => refused.push(Refused {
                at: place(&opts.file, row.line, json),
                line: row.line,
                source_id,
                diagnostics: as_import(diagnostics),
            }),
            Err(CreateError::Exists(id)) if opts.kind == Kind::Ci => {
                plan.skipped.push(Skipped {
                    line: row.line,
                    source_id,
                    reason: SkipReason::CiExists(id),
                });
            }
            Err(e) => return Err(row_error(row.line, e.to_string())),
        }
    }
    if !refused.is_empty() {
        return Err(ImportError::Invalid {
            refused,
            rows: table.rows.len(),
        });
    }
    plan.unknown_people = converter.unknown_people;
    Ok(plan)
}

/// A refused record's findings as the person importing can act on them:
/// without the tolerated ones, and a field a state lacks is a column to map
/// (the record was never written, so `gitsm set` cannot fix it).
fn as_import(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .filter(|d| !TOLERATED.contains(&d.code))
        .map(|mut d| {
            if d.code == "missing-for-state" {
                d.hint = Some(
                    "the row has no value for them: export the columns that hold them, and map them under `columns` in a --map file".into(),
                );
            }
            d
        })
        .collect()
}

/// Write every planned record, or none.
pub fn write(ws: &Workspace, plan: &Plan) -> Result<(), CreateError> {
    let batch: Vec<Prepared> = plan.records.iter().map(|p| p.record.clone()).collect();
    crate::create::write_all(ws, &batch)
}
