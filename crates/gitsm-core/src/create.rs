//! Creating records: the fields a new record starts with, its id, its file
//! and the checks it must pass before it is written. One definition for
//! every way a record comes in: `gitsm new`, `gitsm intake` and `gitsm
//! import`.
//!
//! A [`Creator`] prepares records one after the other, reserving each id it
//! hands out, so that a batch (an import of a few hundred rows) gets distinct
//! ids from one listing of the folders; [`write_all`] then writes the batch
//! whole or not at all.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{Datelike, SecondsFormat};
use serde_json::{Map, Value, json};

use crate::config::Layout;
use crate::diagnostic::Diagnostic;
use crate::ids;
use crate::kind::Kind;
use crate::model::{Record, Timestamp};
use crate::records;
use crate::workspace::Workspace;

/// Why a record could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The record breaks its schema or a rule; nothing was written.
    #[error("{} was not created", path.display())]
    Invalid {
        path: PathBuf,
        diagnostics: Vec<Diagnostic>,
    },
    #[error("a record with id `{0}` already exists")]
    Exists(String),
    #[error("the new record has no id; pass --set id=...")]
    NoId,
    /// The write lock could not be taken (its path in the message).
    #[error("the write lock: {0}")]
    Lock(std::io::Error),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The field naming who opened a record: the requester of a change or a
/// request, the owner of an article, the reporter of the others.
pub fn opener_field(kind: Kind) -> &'static str {
    match kind {
        Kind::Change | Kind::Request => "requested_by",
        Kind::Article => "owner",
        _ => "reported_by",
    }
}

/// The fields a new record of `kind` starts with: its id to be assigned
/// (`null`), the title (a CI's name, from which its id is derived), the
/// workflow's initial state and, for a ticket, when and by whom it was
/// opened and the kind's defaults (medium impact and urgency, a normal
/// change).
pub fn defaults(
    ws: &Workspace,
    kind: Kind,
    title: &str,
    opener: Option<&str>,
    now: Timestamp,
) -> Map<String, Value> {
    let mut doc = Map::new();
    let initial = json!(ws.config.kind_workflow(kind).initial);
    if kind == Kind::Ci {
        doc.insert("id".into(), json!(ids::slug(title)));
        doc.insert("name".into(), json!(title));
        doc.insert("class".into(), json!("application"));
        doc.insert("status".into(), initial);
        return doc;
    }
    doc.insert("id".into(), Value::Null);
    doc.insert("title".into(), json!(title));
    doc.insert("status".into(), initial);
    doc.insert("created_at".into(), stamp(now));
    if let Some(who) = opener {
        doc.insert(opener_field(kind).into(), json!(who));
    }
    match kind {
        Kind::Incident => {
            doc.insert("impact".into(), json!("medium"));
            doc.insert("urgency".into(), json!("medium"));
        }
        Kind::Change => {
            doc.insert("type".into(), json!("normal"));
        }
        _ => {}
    }
    doc
}

/// A timestamp as records write it: RFC 3339 to the second, with its offset.
pub fn stamp(at: Timestamp) -> Value {
    Value::String(at.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// A record ready to be written.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub kind: Kind,
    pub id: String,
    /// Its file, relative to the managed root.
    pub rel: PathBuf,
    pub text: String,
    /// What the checks found short of refusing it: warnings, and errors of
    /// the rules the creator tolerates.
    pub findings: Vec<Diagnostic>,
}

/// Prepares new records, each with an id no other record (in the work
/// tree, in the upstream branch, or earlier in this batch) has.
pub struct Creator<'w> {
    ws: &'w Workspace,
    year: i32,
    /// Ids taken, per kind, listed the first time a kind needs one.
    taken: HashMap<Kind, HashSet<String>>,
    /// Rules whose errors do not stop a record ([`Creator::tolerating`]).
    tolerated: &'static [&'static str],
    /// The kind folders as listed for the first record checked.
    folders: crate::update::Folders,
}

impl<'w> Creator<'w> {
    pub fn new(ws: &'w Workspace, now: Timestamp) -> Creator<'w> {
        Creator {
            ws,
            year: now.year(),
            taken: HashMap::new(),
            tolerated: &[],
            folders: crate::update::Folders::default(),
        }
    }

    /// Prepare records even when they break the rules `codes` (and only
    /// those): imported history, whose decisions were taken in another tool
    /// and so carry no signature here, is written as it was.
    pub fn tolerating(mut self, codes: &'static [&'static str]) -> Creator<'w> {
        self.tolerated = codes;
        self
    }

    fn taken(&mut self, kind: Kind) -> &mut HashSet<String> {
        let ws = self.ws;
        self.taken
            .entry(kind)
            .or_insert_with(|| taken_ids(ws, kind).into_iter().collect())
    }

    /// [`Creator::prepare`] `value` and write it. When its id was
    /// assigned here and another run created a record of that id
    /// meanwhile (two alerts taken in at once, two `gitsm new`), the next
    /// free id is taken instead.
    pub fn create(&mut self, kind: Kind, value: Value) -> Result<Prepared, CreateError> {
        let assigned = value.get("id").is_some_and(Value::is_null);
        loop {
            let done = self.prepare(kind, value.clone()).and_then(|prepared| {
                write_all(self.ws, std::slice::from_ref(&prepared)).map(|()| prepared)
            });
            match done {
                // Another run created the record of the id chosen, between
                // choosing it and checking it or writing it: that id is
                // taken, and the next id chosen is above it (ids run out
                // before the tries do).
                Err(CreateError::Exists(id)) if assigned => {
                    self.taken(kind).insert(id);
                }
                done => return done,
            }
        }
    }

    /// Check `value` as a new record of `kind` (its id assigned when
    /// `null`) and render its file, fields in canonical order and an
    /// incident's priority computed; the id is reserved for this batch.
    pub fn prepare(&mut self, kind: Kind, mut value: Value) -> Result<Prepared, CreateError> {
        let ws = self.ws;
        // A ticket belongs to the year it was opened (its id with
        // `id_scheme: yearly`, its folder with `layout: by_year`): now for
        // a new one, the tool's date for an imported one.
        let year = value
            .get("created_at")
            .and_then(Value::as_str)
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map_or(self.year, |t| t.year());
        if value.get("id").is_some_and(Value::is_null) {
            let id = loop {
                let taken = self.taken(kind);
                let id = ids::next_ticket_id(
                    &ws.config.ids,
                    kind,
                    year,
                    taken.iter().map(String::as_str),
                )
                .ok_or(CreateError::NoId)?;
                // A record another run created since the ids were read.
                if !held(ws, &record_path(ws, kind, &id, year)) {
                    break id;
                }
                taken.insert(id);
            };
            value["id"] = json!(id);
        }
        let id = value
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if id.is_empty() {
            return Err(CreateError::NoId);
        }
        let rel = record_path(ws, kind, &id, year);
        if self.taken(kind).contains(&id) || held(ws, &rel) {
            return Err(CreateError::Exists(id));
        }
        // Refuse what the schema refuses (unknown keys included) before the
        // typed model, which ignores unknown keys, puts the fields in
        // canonical order.
        let raw = render(ws, kind, &rel, &value);
        let (_, schema) = crate::checks::parse_record(ws, kind, &rel, raw.as_bytes());
        refuse(&rel, schema, self.tolerated)?;
        if let Ok(mut record) = Record::from_json(kind, value.clone()) {
            if let Record::Incident(inc) = &mut record
                && inc.priority.is_none()
                && inc.priority_override.is_none()
            {
                inc.priority = Some(ws.config.priority_matrix.priority(inc.impact, inc.urgency));
            }
            if let Record::Request(req) = &mut record
                && let (Some(impact), Some(urgency)) = (req.impact, req.urgency)
            {
                req.priority =
                    Some(crate::priority::request_matrix(&ws.config).priority(impact, urgency));
            }
            value = record.to_json();
        }
        let text = render(ws, kind, &rel, &value);
        let findings = crate::update::check_new_among(ws, kind, &rel, &text, &mut self.folders);
        let findings = refuse(&rel, findings, self.tolerated)?;
        self.taken(kind).insert(id.clone());
        Ok(Prepared {
            kind,
            id,
            rel,
            text,
            findings,
        })
    }
}

/// `diagnostics` back, unless one is an error of a rule not tolerated.
fn refuse(
    rel: &Path,
    diagnostics: Vec<Diagnostic>,
    tolerated: &[&str],
) -> Result<Vec<Diagnostic>, CreateError> {
    if diagnostics
        .iter()
        .any(|d| d.is_error() && !tolerated.contains(&d.code))
    {
        return Err(CreateError::Invalid {
            path: rel.to_path_buf(),
            diagnostics,
        });
    }
    Ok(diagnostics)
}

/// Write every prepared record, or none: when one cannot be created, those
/// already written are removed again. Under the write lock; the folders
/// are swept of the temp files killed runs left, never of a live run's.
pub fn write_all(ws: &Workspace, batch: &[Prepared]) -> Result<(), CreateError> {
    if batch.is_empty() {
        return Ok(());
    }
    let _lock = crate::lock::WriteLock::acquire(&ws.root).map_err(CreateError::Lock)?;
    let folders: std::collections::BTreeSet<&Path> =
        batch.iter().filter_map(|p| p.rel.parent()).collect();
    for folder in folders {
        crate::write::sweep(&ws.abs(folder));
    }
    for (n, p) in batch.iter().enumerate() {
        if let Err(source) = crate::update::create_in_swept(ws, &p.rel, &p.text) {
            for done in &batch[..n] {
                let _ = std::fs::remove_file(ws.abs(&done.rel));
            }
            // The record's file made meanwhile, not a file where its
            // folder goes.
            if source.kind() == std::io::ErrorKind::AlreadyExists && held(ws, &p.rel) {
                return Err(CreateError::Exists(p.id.clone()));
            }
            return Err(CreateError::Io {
                path: p.rel.clone(),
                source,
            });
        }
    }
    Ok(())
}

/// Whether something stands at a record's place `rel`: a file, a folder,
/// or a link (even one to nowhere, which no record may be written over).
fn held(ws: &Workspace, rel: &Path) -> bool {
    ws.abs(rel).symlink_metadata().is_ok()
}

/// Ids of `kind` in the work tree and in the upstream branch.
fn taken_ids(ws: &Workspace, kind: Kind) -> Vec<String> {
    let repo = crate::git::open(&ws.root);
    let upstream = repo.as_ref().and_then(|repo| {
        let prefix = crate::git::prefix(repo, &ws.root)?;
        let tree = crate::git::upstream_tree(repo, ws.config.ids.base.as_deref())?;
        Some((repo, tree, prefix))
    });
    records::taken_ids(
        ws,
        kind,
        upstream.as_ref().map(|(r, t, p)| (*r, t, p.as_path())),
    )
}

/// Where a new record goes: `incidents/INC-0042.yaml` or `incidents/2026/INC-0042.yaml`.
pub fn record_path(ws: &Workspace, kind: Kind, id: &str, year: i32) -> PathBuf {
    let mut p = PathBuf::from(kind.folder());
    if ws.config.ids.layout == Layout::ByYear && kind.is_ticket() {
        p.push(year.to_string());
    }
    p.push(kind.file_name(id));
    p
}

/// The file text: a schema modeline for editors, then the fields.
fn render(ws: &Workspace, kind: Kind, rel: &Path, value: &Value) -> String {
    if kind == Kind::Article {
        return render_article(value);
    }
    let mut text = String::new();
    if ws.root.join("schemas").join(kind.schema_file()).is_file() {
        let up = "../".repeat(rel.components().count() - 1);
        text.push_str(&format!(
            "# yaml-language-server: $schema={up}schemas/{}\n",
            kind.schema_file()
        ));
    }
    // A JSON value always serialises.
    text.push_str(&serde_yaml::to_string(value).unwrap_or_default());
    text
}

/// An article's file: its fields as the front matter, then its body.
fn render_article(value: &Value) -> String {
    let mut fields = value.clone();
    let body = fields
        .as_object_mut()
        .and_then(|m| m.remove("body"))
        .and_then(|b| b.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut text = String::from("---\n");
    // A JSON value always serialises.
    text.push_str(&serde_yaml::to_string(&fields).unwrap_or_default());
    text.push_str("---\n");
    if !body.is_empty() {
        text.push('\n');
        text.push_str(&body);
        if !body.ends_with('\n') {
            text.push('\n');
        }
    }
    text
}

/// A problem opened for recurring incidents ([`problem_from`]).
#[derive(Debug)]
pub struct ProblemFrom {
    /// The problem written.
    pub problem: Prepared,
    /// The incidents that now name it in `problem`.
    pub linked: Vec<crate::update::Updated>,
    /// Closed incidents, which no longer take a field: the problem lists
    /// them in its `links`, as it does every incident it was opened from.
    pub closed: Vec<String>,
}

/// Why [`problem_from`] wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ProblemFromError {
    #[error(transparent)]
    Create(#[from] CreateError),
    #[error(transparent)]
    Update(#[from] crate::update::UpdateError),
}

/// Open a problem for the incidents `ids` (a problem candidate): titled
/// `title`, or after what they share, with their service, CIs, category and symptom,
/// listing them in `links`; then set each open incident's `problem` to it.
/// All or nothing: when an incident cannot be linked, the problem is
/// removed again.
pub fn problem_from(
    ws: &Workspace,
    ids: &[String],
    title: Option<&str>,
    opener: Option<&str>,
    now: Timestamp,
) -> Result<ProblemFrom, ProblemFromError> {
    use crate::update::UpdateError;
    let usage = |message: String, hint: Option<String>| {
        ProblemFromError::Update(UpdateError::Usage { message, hint })
    };
    if ids.len() < 2 {
        return Err(usage(
            "--from needs at least two incidents".into(),
            Some("e.g. --from INC-0001,INC-0002,INC-0003".into()),
        ));
    }
    if let Some((i, id)) = ids
        .iter()
        .enumerate()
        .find(|(i, id)| ids[..*i].contains(id))
    {
        return Err(usage(
            format!("{id} is given twice (position {})", i + 1),
            None,
        ));
    }
    let mut targets = Vec::new();
    let mut incidents = Vec::new();
    for id in ids {
        let target = crate::update::open(ws, id)?;
        if target.kind != Kind::Incident {
            return Err(usage(
                format!("{id} is a {}, not an incident", target.kind.label()),
                None,
            ));
        }
        let Some(Record::Incident(inc)) = target.record() else {
            return Err(usage(
                format!("{id} is not a valid incident"),
                Some(format!("run `gitsm validate {}`", target.path.display())),
            ));
        };
        if let Some(p) = &inc.problem {
            return Err(usage(format!("{id} already names problem {p}"), None));
        }
        incidents.push(inc);
        targets.push(target);
    }
    // What all of them share, in the order candidates are named by: the
    // first incident's shares that every other one has too.
    let shared = crate::problem_candidates::shares(&incidents[0])
        .into_iter()
        .find(|s| {
            incidents
                .iter()
                .all(|i| crate::problem_candidates::shares(i).contains(s))
        });
    // And the fields the problem takes where all of them agree.
    let all = |f: &dyn Fn(&crate::model::Incident) -> Option<String>| {
        let first = f(&incidents[0])?;
        incidents
            .iter()
            .all(|i| f(i).as_ref() == Some(&first))
            .then_some(first)
    };
    let service = all(&|i| i.service.clone());
    let category = all(&|i| i.category.clone());
    let symptom = all(&|i| i.symptom.clone());
    let title = match (title, shared) {
        (Some(t), _) => t.to_owned(),
        (None, Some(s)) => s.problem_title(ids.len()),
        (None, None) => format!("Recurring incidents: {}", ids.join(", ")),
    };
    let mut doc = defaults(ws, Kind::Problem, &title, opener, now);
    doc.insert("origin".into(), json!("reactive"));
    if let Some(s) = service {
        doc.insert("service".into(), json!(s));
    }
    let mut cis: Vec<&String> = Vec::new();
    for ci in incidents.iter().flat_map(|i| &i.affected_cis) {
        if !cis.contains(&ci) {
            cis.push(ci);
        }
    }
    if !cis.is_empty() {
        doc.insert("affected_cis".into(), json!(cis));
    }
    if let Some(c) = category {
        doc.insert("category".into(), json!(c));
    }
    if let Some(s) = symptom {
        doc.insert("symptoms".into(), json!(s));
    }
    doc.insert("links".into(), json!(ids));
    let problem = Creator::new(ws, now).create(Kind::Problem, Value::Object(doc))?;
    let incident_flow = ws.config.kind_workflow(Kind::Incident);
    let (closed, open): (Vec<_>, Vec<_>) = targets
        .into_iter()
        .partition(|t| t.status().is_some_and(|s| incident_flow.is_terminal(s)));
    let linked = if open.is_empty() {
        Vec::new()
    } else {
        let set = crate::assign::Assignment {
            path: vec!["problem".to_owned()],
            value: problem.id.clone(),
        };
        match crate::update::set_all(ws, &open, &[set], opener, now) {
            Ok(linked) => linked,
            Err(e) => {
                let _ = std::fs::remove_file(ws.abs(&problem.rel));
                return Err(e.into());
            }
        }
    };
    Ok(ProblemFrom {
        problem,
        linked,
        closed: closed.into_iter().map(|t| t.id).collect(),
    })
}

/// Why [`article_draft`] drafted nothing.
#[derive(Debug, thiserror::Error)]
pub enum ArticleDraftError {
    /// The record drafted from cannot be opened.
    #[error(transparent)]
    Open(#[from] crate::update::UpdateError),
    /// The record drafted from is not a problem.
    #[error("`{id}` is a {}; --from takes a problem", .kind.label())]
    NotAProblem { id: String, kind: Kind },
    /// The problem drafted from is not valid.
    #[error("{0} is not valid; fix it first (`gitsm validate`)")]
    Invalid(String),
}

/// The fields a new article starts with: drafted from problem `from`
/// ([`crate::knowledge::draft_from_problem`]) when one is named, about
/// `services` and `cis` when given (replacing the problem's).
pub fn article_draft(
    ws: &Workspace,
    from: Option<&str>,
    services: &[String],
    cis: &[String],
) -> Result<Map<String, Value>, ArticleDraftError> {
    let mut fields = match from {
        None => Map::new(),
        Some(id) => match crate::update::open(ws, id)?.record() {
            Some(Record::Problem(p)) => crate::knowledge::draft_from_problem(&p),
            Some(other) => {
                return Err(ArticleDraftError::NotAProblem {
                    id: id.to_owned(),
                    kind: other.kind(),
                });
            }
            None => return Err(ArticleDraftError::Invalid(id.to_owned())),
        },
    };
    for (key, given) in [("services", services), ("cis", cis)] {
        if !given.is_empty() {
            fields.insert(key.into(), json!(given));
        }
    }
    Ok(fields)
}

/// What [`scheduled`] did for the occurrences of a period.
#[derive(Debug)]
pub struct Scheduled {
    /// The changes written, one per due occurrence.
    pub created: Vec<(crate::maintenance::Occurrence, Prepared)>,
    /// Occurrences whose change exists already, with its id.
    pub existing: Vec<(crate::maintenance::Occurrence, String)>,
    /// Occurrences a freeze forbids, with the freeze's name: not created.
    pub frozen: Vec<(crate::maintenance::Occurrence, String)>,
}

/// Create the standard changes of the maintenance occurrences starting in
/// `from`..`until` that have none yet ([`crate::maintenance::plan`]):
/// status `scheduled`, the occurrence as window, the template's fields,
/// the schedule's CIs, and `schedule: {name, occurrence}` so that a second
/// run finds them. All or nothing: when one cannot be created, none is
/// written.
pub fn scheduled(
    ws: &Workspace,
    from: Timestamp,
    until: Timestamp,
    opener: Option<&str>,
    now: Timestamp,
) -> Result<Scheduled, CreateError> {
    let loaded = crate::checks::load(ws, &[Kind::Change]);
    let changes: Vec<&crate::model::Change> = loaded
        .records()
        .filter_map(|(_, r)| match r {
            Record::Change(c) => Some(c),
            _ => None,
        })
        .collect();
    let plan = crate::maintenance::plan(&ws.config, &changes, from, until);
    let mut creator = Creator::new(ws, now);
    let mut created = Vec::new();
    for o in plan.due {
        let doc = scheduled_change(ws, &o, opener, now);
        let prepared = creator.prepare(Kind::Change, Value::Object(doc))?;
        created.push((o, prepared));
    }
    let batch: Vec<Prepared> = created.iter().map(|(_, p)| p.clone()).collect();
    write_all(ws, &batch)?;
    Ok(Scheduled {
        created,
        existing: plan.existing,
        frozen: plan.frozen,
    })
}

/// The fields of the change carrying out occurrence `o`.
fn scheduled_change(
    ws: &Workspace,
    o: &crate::maintenance::Occurrence,
    opener: Option<&str>,
    now: Timestamp,
) -> Map<String, Value> {
    let template = ws
        .config
        .template(Kind::Change, &o.template)
        .unwrap_or_default();
    let base = template
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or(&o.schedule)
        .to_owned();
    let title = format!("{base} ({})", o.start.date_naive());
    let mut doc = defaults(ws, Kind::Change, &title, opener, now);
    for (k, v) in template {
        if k != "title" {
            doc.insert(k, v);
        }
    }
    doc.insert("status".into(), json!("scheduled"));
    doc.insert(
        "window".into(),
        json!({"start": stamp(o.start), "end": stamp(o.end), "timezone": o.timezone}),
    );
    let cis = o.cis(&ws.config);
    if !cis.is_empty() {
        doc.insert("cis".into(), json!(cis));
    }
    doc.insert(
        "schedule".into(),
        json!({"name": o.schedule, "occurrence": stamp(o.start)}),
    );
    doc
}
