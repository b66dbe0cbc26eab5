//! One export row to the fields of a new gitsm record: columns through the
//! map, the tool's values to gitsm's, people to handles, and the fields
//! the record's state requires filled from what the row says (a resolved
//! incident's resolution, a closed one's `closed_at`). What gitsm cannot
//! hold as a reference (a CI not in the CMDB, a group not in gitsm.yaml)
//! goes into the description, never into a dangling reference.

use std::collections::{BTreeSet, HashMap};

use chrono::SecondsFormat;
use serde_json::{Map, Value, json};

use super::table::{Row, Table};
use super::{Options, Tool, local_time};
use crate::assign::Assignment;
use crate::config::PriorityMatrix;
use crate::create;
use crate::ids::slug;
use crate::kind::Kind;
use crate::model::{ChangeType, Ci, Level, Priority, Timestamp};
use crate::workflow::Workflow;
use crate::workspace::Workspace;

/// Why a row cannot be imported.
#[derive(Debug)]
pub(super) struct RowError {
    pub(super) message: String,
    pub(super) hint: Option<String>,
}

impl RowError {
    fn new(message: impl Into<String>) -> RowError {
        RowError {
            message: message.into(),
            hint: None,
        }
    }

    fn hint(mut self, hint: impl Into<String>) -> RowError {
        self.hint = Some(hint.into());
        self
    }
}

pub(super) enum Converted {
    /// The fields of the new record.
    Record(Value),
    /// The row's type belongs to another kind (the tool's type).
    OtherKind(String),
}

/// The CIs of the repository, to resolve the tool's CI names.
#[derive(Debug, Default)]
pub(super) struct Cmdb {
    /// Id -> class.
    classes: HashMap<String, String>,
    /// Lower-case name -> id.
    names: HashMap<String, String>,
}

impl Cmdb {
    pub(super) fn add(&mut self, ci: &Ci) {
        self.classes.insert(ci.id.clone(), ci.class.clone());
        self.names.insert(ci.name.to_lowercase(), ci.id.clone());
    }
}

/// Fields naming people, which the generic CSV maps like the tools' do.
const PERSON_FIELDS: &[&str] = &[
    "reported_by",
    "requested_by",
    "requested_for",
    "assignee",
    "implementer",
    "owner",
];

/// Time stamps a generic CSV may carry without a zone.
const TIME_FIELDS: &[&str] = &[
    "created_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "fulfilled_at",
    "implemented_at",
    "window.start",
    "window.end",
];

pub(super) struct Converter<'a> {
    ws: &'a Workspace,
    opts: &'a Options,
    table: &'a Table,
    cmdb: Cmdb,
    pub(super) unknown_people: BTreeSet<String>,
}

impl<'a> Converter<'a> {
    pub(super) fn new(
        ws: &'a Workspace,
        opts: &'a Options,
        table: &'a Table,
        cmdb: Cmdb,
    ) -> Converter<'a> {
        Converter {
            ws,
            opts,
            table,
            cmdb,
            unknown_people: BTreeSet::new(),
        }
    }

    fn tool(&self) -> &'static str {
        self.opts.tool.name()
    }

    /// The non-empty values of `field`: those of its first column that
    /// has any (a repeated header gives several).
    fn values(&self, row: &Row, field: &str) -> Vec<String> {
        let columns: Vec<&str> = if self.opts.tool == Tool::Csv {
            vec![field]
        } else {
            self.opts
                .map
                .columns(self.opts.kind, field)
                .iter()
                .map(String::as_str)
                .collect()
        };
        for column in columns {
            let found: Vec<String> = self
                .table
                .indices(column)
                .into_iter()
                .filter_map(|i| row.cells.get(i))
                .map(|c| c.replace("\r\n", "\n").trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect();
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }

    fn value(&self, row: &Row, field: &str) -> Option<String> {
        self.values(row, field).into_iter().next()
    }

    /// The columns of `field`, for messages.
    fn columns_of(&self, field: &str) -> String {
        let cols = self.opts.map.columns(self.opts.kind, field);
        if cols.is_empty() {
            format!("no column is mapped to `{field}`")
        } else {
            let quoted: Vec<String> = cols.iter().map(|c| format!("`{c}`")).collect();
            format!("column {}", quoted.join(" or "))
        }
    }

    fn parse_time(&self, text: &str, field: &str) -> Result<Timestamp, RowError> {
        local_time::parse(text, &self.opts.map.date_formats, self.opts.zone).ok_or_else(|| {
            RowError::new(format!(
                "`{text}` ({field}) is not a time in a format the map reads ({})",
                self.opts.map.date_formats.join(", ")
            ))
            .hint("add its format to `date_formats` in a --map file (chrono's %Y-%m-%d %H:%M)")
        })
    }

    fn time(&self, row: &Row, field: &str) -> Result<Option<Timestamp>, RowError> {
        self.value(row, field)
            .map(|t| self.parse_time(&t, field))
            .transpose()
    }

    /// The row's id in the tool.
    pub(super) fn source_id(&self, row: &Row) -> Result<String, RowError> {
        let found = if self.opts.tool == Tool::Csv {
            self.value(row, "source_id")
                .or_else(|| self.value(row, "id"))
                .or_else(|| {
                    (self.opts.kind == Kind::Ci)
                        .then(|| self.value(row, "name"))
                        .flatten()
                })
        } else {
            self.value(row, "source_id")
        };
        found.ok_or_else(|| {
            let where_ = if self.opts.tool == Tool::Csv {
                "column `source_id` or `id`".to_owned()
            } else {
                self.columns_of("source_id")
            };
            RowError::new(format!(
                "this row has no id in {} ({where_} is empty or missing)",
                self.tool()
            ))
        })
    }

    /// A person as gitsm names them: the handle whose email or name the
    /// tool wrote, else the text as written (reported, to be added to
    /// `people`).
    fn person(&mut self, raw: &str) -> Option<String> {
        let raw = raw.lines().next()?.trim();
        if raw.is_empty() {
            return None;
        }
        let config = &self.ws.config;
        if let Some(handle) = self.opts.map.people.exact(raw) {
            return Some(handle);
        }
        if config.people.contains_key(raw) {
            return Some(raw.to_owned());
        }
        if raw.contains('@')
            && let Some(handle) = config.person_by_email(raw)
        {
            return Some(handle.to_owned());
        }
        if let Some((handle, _)) = config
            .people
            .iter()
            .find(|(_, p)| p.name.trim().eq_ignore_ascii_case(raw))
        {
            return Some(handle.clone());
        }
        self.unknown_people.insert(raw.to_owned());
        Some(raw.to_owned())
    }

    fn person_of(&mut self, row: &Row, field: &str) -> Option<String> {
        let raw = self.value(row, field)?;
        self.person(&raw)
    }

    fn group(&self, raw: &str, extra: &mut Vec<String>) -> Option<String> {
        if let Some(g) = self.opts.map.groups.exact(raw) {
            return Some(g);
        }
        let groups = &self.ws.config.groups;
        if groups.contains_key(raw) {
            return Some(raw.to_owned());
        }
        if groups.contains_key(&slug(raw)) {
            return Some(slug(raw));
        }
        extra.push(format!(
            "Assignment group in {}: {raw} (not a group in gitsm.yaml)",
            self.tool()
        ));
        None
    }

    /// The id of the CI the tool calls `raw`: the map's, an id, the slug
    /// of a name, or a name.
    fn ci(&self, raw: &str) -> Option<String> {
        if let Some(id) = self.opts.map.cis.exact(raw) {
            return Some(id);
        }
        if self.cmdb.classes.contains_key(raw) {
            return Some(raw.to_owned());
        }
        let s = slug(raw);
        if self.cmdb.classes.contains_key(&s) {
            return Some(s);
        }
        self.cmdb.names.get(&raw.to_lowercase()).cloned()
    }

    fn cis(&self, row: &Row, extra: &mut Vec<String>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for raw in self.values(row, "cis") {
            for name in raw.lines().map(str::trim).filter(|n| !n.is_empty()) {
                match self.ci(name) {
                    Some(id) if !out.contains(&id) => out.push(id),
                    Some(_) => {}
                    None => extra.push(format!(
                        "Configuration item in {}: {name} (not in the CMDB)",
                        self.tool()
                    )),
                }
            }
        }
        out
    }

    fn service(&self, row: &Row, extra: &mut Vec<String>) -> Option<String> {
        let raw = self.value(row, "service")?;
        match self.ci(&raw) {
            Some(id)
                if self
                    .cmdb
                    .classes
                    .get(&id)
                    .is_some_and(|c| self.ws.config.is_service_class(c)) =>
            {
                Some(id)
            }
            _ => {
                extra.push(format!(
                    "Business service in {}: {raw} (not a service in the CMDB)",
                    self.tool()
                ));
                None
            }
        }
    }

    fn category(&self, raw: &str, extra: &mut Vec<String>) -> Option<String> {
        if let Some(c) = self.opts.map.categories.exact(raw) {
            return Some(c);
        }
        let listed = &self.ws.config.categories;
        if listed.is_empty() {
            return Some(raw.to_owned());
        }
        let s = slug(raw);
        let found = listed
            .iter()
            .find(|c| c.eq_ignore_ascii_case(raw) || **c == s)
            .cloned();
        if found.is_none() {
            extra.push(format!(
                "Category in {}: {raw} (not in `categories`)",
                self.tool()
            ));
        }
        found
    }

    pub(super) fn row(&mut self, row: &Row, source_id: &str) -> Result<Converted, RowError> {
        if self.opts.tool == Tool::Csv {
            return self.generic(row, source_id).map(Converted::Record);
        }
        if let Some(t) = self.value(row, "type")
            && let Some(k) = self.opts.map.types.exact(&t)
            && k != self.opts.kind
        {
            return Ok(Converted::OtherKind(t));
        }
        if self.opts.kind == Kind::Ci {
            return self
                .configuration_item(row, source_id)
                .map(Converted::Record);
        }
        self.ticket(row, source_id).map(Converted::Record)
    }

    /// The gitsm state for the row's state (the workflow's first when the
    /// row has none).
    fn state(&self, row: &Row, initial: &str) -> Result<(String, Option<String>), RowError> {
        let kind = self.opts.kind;
        let Some(raw) = self.value(row, "status") else {
            return Ok((initial.to_owned(), None));
        };
        let state = match self.opts.map.states(kind) {
            Some(states) => states.exact(&raw).ok_or_else(|| {
                RowError::new(format!(
                    "state `{raw}` has no gitsm {} state in the {} map",
                    kind.name(),
                    self.tool()
                ))
                .hint(format!(
                    "map it in a --map file: `states: {{{}: {{\"{raw}\": <state>}}}}`",
                    kind.name()
                ))
            })?,
            None => raw.clone(),
        };
        Ok((state, Some(raw)))
    }

    fn ticket(&mut self, row: &Row, source_id: &str) -> Result<Value, RowError> {
        let ws = self.ws;
        let kind = self.opts.kind;
        let tool = self.tool();
        let mut extra: Vec<String> = Vec::new();
        let created = self.time(row, "created_at")?.ok_or_else(|| {
            RowError::new(format!(
                "this row has no opening time ({} is empty or missing)",
                self.columns_of("created_at")
            ))
        })?;
        let description = self.value(row, "description");
        let title = self
            .value(row, "title")
            .or_else(|| {
                description
                    .as_deref()
                    .and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
                    .map(|l| l.chars().take(80).collect())
            })
            .unwrap_or_else(|| format!("{source_id} (no title in {tool})"));
        let opener_field = create::opener_field(kind);
        let opener = self
            .person_of(row, opener_field)
            .or_else(|| self.opts.importer.clone())
            .ok_or_else(|| {
                RowError::new(format!(
                    "this row names no one in {} and gitsm cannot tell who you are",
                    self.columns_of(opener_field)
                ))
                .hint("run `git config user.email you@example.com`")
            })?;
        let mut doc = create::defaults(ws, kind, &title, Some(&opener), created);
        doc.insert("source_id".into(), json!(source_id));
        if let Some(a) = self.person_of(row, "assignee") {
            doc.insert("assignee".into(), json!(a));
        }
        if let Some(raw) = self.value(row, "team")
            && let Some(team) = self.group(&raw, &mut extra)
        {
            doc.insert("team".into(), json!(team));
        }
        let mut change_type = ChangeType::Normal;
        match kind {
            Kind::Incident | Kind::Problem => {
                self.priority(row, &mut doc, &mut extra);
                if let Some(raw) = self.value(row, "category")
                    && let Some(c) = self.category(&raw, &mut extra)
                {
                    doc.insert("category".into(), json!(c));
                }
                if let Some(s) = self.service(row, &mut extra) {
                    doc.insert("service".into(), json!(s));
                }
                let cis = self.cis(row, &mut extra);
                if !cis.is_empty() {
                    doc.insert("affected_cis".into(), json!(cis));
                }
                for field in ["root_cause", "workaround"] {
                    if kind == Kind::Problem
                        && let Some(v) = self.value(row, field)
                    {
                        doc.insert(field.into(), json!(v));
                    }
                }
            }
            Kind::Change => {
                change_type = self.change(row, &mut doc, &mut extra)?;
            }
            Kind::Request => {
                let item = self.catalog_item(row, &mut extra)?;
                doc.insert("catalog_item".into(), json!(item));
                if let Some(p) = self.person_of(row, "requested_for") {
                    doc.insert("requested_for".into(), json!(p));
                }
                let cis = self.cis(row, &mut extra);
                if !cis.is_empty() {
                    doc.insert("cis".into(), json!(cis));
                }
            }
            Kind::Ci => {}
        }
        let labels = self.values(row, "labels");
        if !labels.is_empty() {
            extra.push(format!("Labels in {tool}: {}", labels.join(", ")));
        }
        let wf = match kind {
            Kind::Change => ws.config.flows().for_change(change_type),
            other => ws.config.kind_workflow(other),
        };
        let (mut status, raw_state) = self.state(row, &wf.initial)?;
        if requires(wf, &status, "assignee") && !doc.contains_key("assignee") {
            extra.push(format!(
                "State in {tool}: {} (no assignee, so imported as `{}`)",
                raw_state.as_deref().unwrap_or(&status),
                wf.initial
            ));
            status = wf.initial.clone();
        }
        doc.insert("status".into(), json!(status));
        if kind == Kind::Problem && status == "known_error" {
            doc.insert("known_error".into(), json!(true));
        }
        self.fill(row, wf, &status, raw_state.as_deref(), created, &mut doc)?;
        describe(&mut doc, description.unwrap_or_default(), &extra);
        Ok(Value::Object(doc))
    }

    /// Impact and urgency from the row's, else the ones that give its
    /// priority under the organisation's matrix.
    fn priority(&self, row: &Row, doc: &mut Map<String, Value>, extra: &mut Vec<String>) {
        let map = &self.opts.map;
        let level = |field: &str| self.value(row, field).and_then(|v| map.levels.exact(&v));
        let (impact, urgency) = (level("impact"), level("urgency"));
        let chosen = match (impact, urgency) {
            (Some(i), Some(u)) => Some((i, u)),
            _ => match self.value(row, "priority") {
                Some(p) => match map.priorities.exact(&p) {
                    Some(p) => Some(levels_for(&self.ws.config.priority_matrix, p)),
                    None => {
                        extra.push(format!("Priority in {}: {p}", self.tool()));
                        None
                    }
                },
                None => None,
            },
        };
        let (i, u) = match chosen {
            Some(c) => c,
            // An incident needs both; a problem may go without.
            None if self.opts.kind == Kind::Incident => (
                impact.unwrap_or(Level::Medium),
                urgency.unwrap_or(Level::Medium),
            ),
            None => return,
        };
        doc.insert("impact".into(), json!(i.name()));
        doc.insert("urgency".into(), json!(u.name()));
    }

    fn change(
        &mut self,
        row: &Row,
        doc: &mut Map<String, Value>,
        extra: &mut Vec<String>,
    ) -> Result<ChangeType, RowError> {
        let map = &self.opts.map;
        let tool = self.tool();
        let mut change_type = ChangeType::Normal;
        if let Some(raw) = self.value(row, "type") {
            match map.change_types.get(&raw).as_deref() {
                Some("emergency") => change_type = ChangeType::Emergency,
                Some("standard") => extra.push(format!(
                    "Standard change in {tool} (imported as a normal change: gitsm.yaml has no template for it)"
                )),
                Some("normal") | None => {}
                Some(other) => {
                    return Err(RowError::new(format!(
                        "the map gives change type `{other}` for `{raw}`: expected normal, emergency or standard"
                    )));
                }
            }
        }
        doc.insert("type".into(), json!(change_type.name()));
        if let Some(raw) = self.value(row, "risk")
            && let Some(l) = map.risks.exact(&raw).or_else(|| map.levels.exact(&raw))
        {
            doc.insert("risk".into(), json!(l.name()));
        }
        if let Some(raw) = self.value(row, "impact")
            && let Some(l) = map.levels.exact(&raw)
        {
            doc.insert("impact".into(), json!(l.name()));
        }
        if let Some(s) = self.service(row, extra) {
            doc.insert("service".into(), json!(s));
        }
        let cis = self.cis(row, extra);
        if !cis.is_empty() {
            doc.insert("cis".into(), json!(cis));
        }
        match (
            self.time(row, "window_start")?,
            self.time(row, "window_end")?,
        ) {
            (Some(start), Some(end)) if end > start => {
                doc.insert(
                    "window".into(),
                    json!({"start": stamp(start), "end": stamp(end), "timezone": self.opts.zone.name()}),
                );
            }
            (Some(start), Some(end)) => extra.push(format!(
                "Planned in {tool} from {} to {} (not a window: it ends before it starts)",
                stamp(start),
                stamp(end)
            )),
            _ => {}
        }
        for field in ["implementation_plan", "backout_plan", "test_plan"] {
            if let Some(v) = self.value(row, field) {
                doc.insert(field.into(), json!(v));
            }
        }
        Ok(change_type)
    }

    fn catalog_item(&self, row: &Row, extra: &mut Vec<String>) -> Result<String, RowError> {
        let map = &self.opts.map;
        let catalog = &self.ws.config.catalog;
        let raw = self.value(row, "catalog_item").unwrap_or_default();
        let found = map.catalog.exact(&raw).or_else(|| {
            catalog
                .iter()
                .find(|(key, item)| {
                    **key == raw || **key == slug(&raw) || item.name.eq_ignore_ascii_case(&raw)
                })
                .map(|(key, _)| key.clone())
        });
        if let Some(item) = found {
            return Ok(item);
        }
        match map.catalog.get(&raw) {
            Some(item) => {
                if !raw.is_empty() {
                    extra.push(format!(
                        "Catalogue item in {}: {raw} (not in the catalogue)",
                        self.tool()
                    ));
                }
                Ok(item)
            }
            None => Err(RowError::new(format!(
                "catalogue item `{raw}` ({}) is not in gitsm.yaml's `catalog`",
                self.columns_of("catalog_item")
            ))
            .hint("map it in a --map file: `catalog: {\"<item in the tool>\": <catalog key>}`, or `\"*\": <key>` for every item not listed")),
        }
    }

    /// Fill the fields the state requires from what the row says.
    fn fill(
        &mut self,
        row: &Row,
        wf: &Workflow,
        status: &str,
        raw_state: Option<&str>,
        created: Timestamp,
        doc: &mut Map<String, Value>,
    ) -> Result<(), RowError> {
        let kind = self.opts.kind;
        let tool = self.tool();
        let need = |f: &str| requires(wf, status, f);
        let updated = self.time(row, "updated_at")?;
        let resolved_col = self.time(row, "resolved_at")?;
        let closed_col = self.time(row, "closed_at")?;
        let notes = self.value(row, "close_notes");
        let raw_code = self.value(row, "close_code");
        // In order, none before the ticket was opened: created <= resolved
        // (fulfilled) <= closed.
        let done = resolved_col
            .or(closed_col)
            .or(updated)
            .unwrap_or(created)
            .max(created);
        let closed = closed_col
            .or(resolved_col)
            .or(updated)
            .unwrap_or(created)
            .max(done);
        for field in ["resolved_at", "fulfilled_at"] {
            if need(field) {
                doc.insert(field.into(), stamp(done));
            }
        }
        if need("closed_at") || (kind == Kind::Change && status == "closed" && closed_col.is_some())
        {
            doc.insert("closed_at".into(), stamp(closed));
        }
        // A code the map does not list, or none, takes the map's `"*"`;
        // the notes then say what the export had.
        let code = |codes: Option<&super::map::Values<String>>| {
            codes?.get(raw_code.as_deref().unwrap_or_default())
        };
        let code_note = match (&raw_code, self.opts.map.close_codes(kind)) {
            (None, _) => Some(format!("No close code in {tool}.")),
            (Some(raw), Some(codes)) if codes.exact(raw).is_none() => {
                Some(format!("Close code in {tool}: {raw}"))
            }
            _ => None,
        };
        let with_code_note = |text: String| match &code_note {
            Some(n) => format!("{text}\n\n{n}"),
            None => text,
        };
        if need("resolution.code") || (kind == Kind::Problem && need("resolved_at")) {
            let Some(c) = code(self.opts.map.close_codes(kind)) else {
                return Err(RowError::new(format!(
                    "no gitsm resolution code for close code `{}`",
                    raw_code.as_deref().unwrap_or_default()
                ))
                .hint(format!(
                    "map it in a --map file: `close_codes: {{{}: {{\"{}\": <code>}}}}`",
                    kind.name(),
                    raw_code.as_deref().unwrap_or("*")
                )));
            };
            let text = with_code_note(
                notes
                    .clone()
                    .unwrap_or_else(|| format!("No close notes in {tool}.")),
            );
            doc.insert("resolution".into(), json!({"code": c, "notes": text}));
        }
        if (need("outcome") || need("close_code"))
            && let Some(c) = code(self.opts.map.close_codes(kind))
        {
            let outcome = if c == "cancelled" { "unsuccessful" } else { &c };
            if need("outcome") {
                doc.insert("outcome".into(), json!(outcome));
            }
            if need("close_code") {
                doc.insert("close_code".into(), json!(c));
            }
        }
        if need("review") {
            let text = with_code_note(
                notes
                    .clone()
                    .unwrap_or_else(|| format!("No review notes in {tool}.")),
            );
            doc.insert("review".into(), json!(text));
        }
        if need("cancel_reason") {
            let text = notes
                .clone()
                .unwrap_or_else(|| format!("{} in {tool}.", raw_state.unwrap_or("Cancelled")));
            doc.insert("cancel_reason".into(), json!(text));
        }
        if need("reject_reason") {
            let text = notes.unwrap_or_else(|| format!("Rejected in {tool}."));
            doc.insert("reject_reason".into(), json!(text));
        }
        if need("on_hold") {
            let raw_reason = self.value(row, "hold_reason");
            let reason = self
                .opts
                .map
                .hold_reasons
                .get(
                    raw_reason
                        .as_deref()
                        .unwrap_or(raw_state.unwrap_or_default()),
                )
                .unwrap_or_else(|| "other".into());
            let why = raw_reason
                .or(raw_state.map(str::to_owned))
                .unwrap_or_default();
            doc.insert(
                "on_hold".into(),
                json!([{
                    "start": stamp(updated.unwrap_or(created).max(created)),
                    "reason": reason,
                    "note": format!("On hold in {tool}: {why}"),
                }]),
            );
        }
        Ok(())
    }

    fn configuration_item(&mut self, row: &Row, source_id: &str) -> Result<Value, RowError> {
        let tool = self.tool();
        let map = &self.opts.map;
        let mut extra = Vec::new();
        let name = self.value(row, "name").ok_or_else(|| {
            RowError::new(format!(
                "this CI has no name ({} is empty or missing)",
                self.columns_of("name")
            ))
        })?;
        let mut doc = create::defaults(self.ws, Kind::Ci, &name, None, self.opts.now);
        doc.insert("source_id".into(), json!(source_id));
        if let Some(raw) = self.value(row, "class") {
            let class = match map.ci_classes.exact(&raw) {
                Some(c) => c,
                None if self.ws.config.ci.classes.contains_key(&raw) => raw.clone(),
                None => {
                    extra.push(format!("Class in {tool}: {raw}"));
                    map.ci_classes
                        .get(&raw)
                        .unwrap_or_else(|| "application".into())
                }
            };
            doc.insert("class".into(), json!(class));
        }
        let initial = self.ws.config.kind_workflow(Kind::Ci).initial.clone();
        let (status, _) = self.state(row, &initial)?;
        doc.insert("status".into(), json!(status));
        if let Some(owner) = self.person_of(row, "owner") {
            doc.insert("owner".into(), json!(owner));
        }
        if let Some(raw) = self.value(row, "team")
            && let Some(team) = self.group(&raw, &mut extra)
        {
            doc.insert("team".into(), json!(team));
        }
        if let Some(env) = self.value(row, "environment") {
            doc.insert("environment".into(), json!(env.to_lowercase()));
        }
        if let Some(location) = self.value(row, "location") {
            doc.insert("location".into(), json!(location));
        }
        describe(
            &mut doc,
            self.value(row, "description").unwrap_or_default(),
            &extra,
        );
        Ok(Value::Object(doc))
    }

    /// A generic CSV row: every column a gitsm field.
    fn generic(&mut self, row: &Row, source_id: &str) -> Result<Value, RowError> {
        let ws = self.ws;
        let kind = self.opts.kind;
        let schema = ws.schemas.schema(kind).clone();
        let mut value = Value::Object(Map::new());
        for (i, header) in self.table.headers.iter().enumerate() {
            let cell = row
                .cells
                .get(i)
                .map(|c| c.replace("\r\n", "\n"))
                .unwrap_or_default();
            let cell = cell.trim();
            let key = header.as_str();
            if cell.is_empty()
                || key == "source_id"
                || (key == "id" && kind != Kind::Ci)
                || key.is_empty()
            {
                continue;
            }
            let text = if PERSON_FIELDS.contains(&key) {
                self.person(cell).unwrap_or_default()
            } else if TIME_FIELDS.contains(&key) {
                let t = self.parse_time(cell, key)?;
                t.to_rfc3339_opts(SecondsFormat::Secs, true)
            } else if key == "status" {
                self.opts
                    .map
                    .states(kind)
                    .and_then(|s| s.exact(cell))
                    .unwrap_or_else(|| cell.to_owned())
            } else if key == "team" {
                self.opts
                    .map
                    .groups
                    .exact(cell)
                    .unwrap_or_else(|| cell.to_owned())
            } else {
                cell.to_owned()
            };
            let a: Assignment = format!("{key}={text}")
                .parse()
                .map_err(|e: String| RowError::new(format!("column `{key}`: {e}")))?;
            a.apply(&mut value, &schema)
                .map_err(|e| RowError::new(format!("column `{key}`: {e}")))?;
        }
        let Value::Object(fields) = value else {
            return Err(RowError::new("not a record"));
        };
        let mut doc = if kind == Kind::Ci {
            let name = fields
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(source_id)
                .to_owned();
            create::defaults(ws, kind, &name, None, self.opts.now)
        } else {
            let created = fields
                .get("created_at")
                .and_then(Value::as_str)
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .ok_or_else(|| {
                    RowError::new("this row has no opening time (column `created_at`)")
                })?;
            let title = fields
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or(source_id)
                .to_owned();
            let opener_field = create::opener_field(kind);
            let opener = match fields.get(opener_field) {
                Some(_) => None,
                None => Some(self.opts.importer.clone().ok_or_else(|| {
                    RowError::new(format!(
                        "this row has no `{opener_field}` and gitsm cannot tell who you are"
                    ))
                    .hint("run `git config user.email you@example.com`")
                })?),
            };
            create::defaults(ws, kind, &title, opener.as_deref(), created)
        };
        let priority = (kind == Kind::Incident
            && !fields.contains_key("impact")
            && !fields.contains_key("urgency"))
        .then(|| fields.get("priority").and_then(Value::as_str))
        .flatten()
        .and_then(|p| p.parse::<Priority>().ok());
        for (k, v) in fields {
            doc.insert(k, v);
        }
        if let Some(p) = priority {
            let (i, u) = levels_for(&ws.config.priority_matrix, p);
            doc.insert("impact".into(), json!(i.name()));
            doc.insert("urgency".into(), json!(u.name()));
        }
        doc.insert("source_id".into(), json!(source_id));
        Ok(Value::Object(doc))
    }
}

fn requires(wf: &Workflow, status: &str, field: &str) -> bool {
    wf.state(status)
        .is_some_and(|s| s.requires.iter().any(|r| r == field))
}

fn stamp(t: Timestamp) -> Value {
    create::stamp(t)
}

/// The impact and urgency that give `priority` under `matrix`: the same
/// level for both where that gives it, else the nearest pair (P2 is
/// high/medium under the default matrix).
fn levels_for(matrix: &PriorityMatrix, priority: Priority) -> (Level, Level) {
    use Level::{High, Low, Medium};
    const ORDER: [(Level, Level); 9] = [
        (High, High),
        (Medium, Medium),
        (Low, Low),
        (High, Medium),
        (Medium, High),
        (Medium, Low),
        (Low, Medium),
        (High, Low),
        (Low, High),
    ];
    ORDER
        .into_iter()
        .find(|(i, u)| matrix.priority(*i, *u) == priority)
        .unwrap_or((Medium, Medium))
}

/// Set the record's description: the row's text, then what had no field of
/// its own (one paragraph each); none when both are empty.
fn describe(doc: &mut serde_json::Map<String, Value>, mut text: String, extra: &[String]) {
    if !extra.is_empty() {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&extra.join("\n\n"));
    }
    if !text.is_empty() {
        doc.insert("description".into(), json!(text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_priority_becomes_the_impact_and_urgency_that_give_it() {
        let m = PriorityMatrix::default();
        assert_eq!(levels_for(&m, Priority::P1), (Level::High, Level::High));
        assert_eq!(levels_for(&m, Priority::P2), (Level::High, Level::Medium));
        assert_eq!(levels_for(&m, Priority::P3), (Level::Medium, Level::Medium));
        assert_eq!(levels_for(&m, Priority::P4), (Level::Low, Level::Low));
    }
}
