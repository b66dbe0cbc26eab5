//! The fuzzer: inputs generated and mutated from the example repository,
//! driven through the library in process — YAML parsing, schema and
//! single-file checks, the model's round trip, format-preserving edits,
//! the policy, SLA clocks, the report and the site rendered to memory —
//! each execution under `catch_unwind`.
//!
//! Shared by `tests/it/fuzzing.rs` (a bounded pass in CI, by count) and
//! `examples/fuzz.rs` (long runs, by time, with memory and time bounds).
//! It runs on stable Rust: a seeded generator, no instrumentation.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use serde_json::{Value, json};

use gitsm::dataset::{Clocks, Dataset};
use gitsm::edit::{self, Edit, Step};
use gitsm::kind::Kind;
use gitsm::model::Record;
use gitsm::policy::{self, Policy};
use gitsm::records::{Loaded, RecordFile};
use gitsm::schema::Schemas;
use gitsm::site::templates::Templates;
use gitsm::workspace::Workspace;

/// A small, fast, seeded generator (SplitMix64): the same seed gives the
/// same inputs on every machine.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub(super) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// True `percent` times in a hundred.
    pub(super) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The inputs mutations start from: the example repository's records and
/// its `gitsm.yaml`.
#[derive(Clone)]
pub(super) struct Seeds {
    pub records: Vec<(Kind, String)>,
    pub config: String,
}

impl Seeds {
    pub(super) fn from_example(root: &Path) -> Seeds {
        let mut records = Vec::new();
        for kind in Kind::ALL {
            let Ok(entries) = std::fs::read_dir(root.join(kind.folder())) else {
                continue;
            };
            let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
            paths.sort();
            for path in paths {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    records.push((kind, text));
                }
            }
        }
        let config = std::fs::read_to_string(root.join("gitsm.yaml")).unwrap_or_default();
        Seeds { records, config }
    }
}

/// What a run went through, to tell that the deep stages were reached.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Stats {
    pub executions: u64,
    /// Record inputs that were a YAML mapping.
    pub parsed: u64,
    /// Record inputs that passed their schema (a typed record).
    pub typed: u64,
    pub edits_made: u64,
    pub configs_read: u64,
    pub clocks_read: u64,
    /// Datasets reported on and rendered as a site.
    pub datasets: u64,
}

impl Stats {
    pub(super) fn add(&mut self, other: &Stats) {
        self.executions += other.executions;
        self.parsed += other.parsed;
        self.typed += other.typed;
        self.edits_made += other.edits_made;
        self.configs_read += other.configs_read;
        self.clocks_read += other.clocks_read;
        self.datasets += other.datasets;
    }
}

/// An input that broke a property: what happened, and the input.
#[derive(Debug, Clone)]
pub(super) struct Finding {
    pub what: String,
    pub input: Vec<u8>,
}

/// One input.
#[derive(Clone)]
enum Input {
    Record { kind: Kind, bytes: Vec<u8> },
    Config { bytes: Vec<u8> },
    Edit { text: String, edits: Vec<Edit> },
}

impl Input {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Input::Record { bytes, .. } | Input::Config { bytes } => bytes.clone(),
            Input::Edit { text, edits } => format!("{text}\n# edits: {edits:?}\n").into_bytes(),
        }
    }
}

/// How often the records gathered so far become a dataset for the report
/// and the site.
const DATASET_EVERY: u64 = 2_000;
/// Most records a dataset keeps.
const DATASET_RECORDS: usize = 40;
/// How often (in typed records) the checks across files run.
const CHECK_TREE_EVERY: u64 = 25;

pub(super) struct Fuzzer {
    rng: Rng,
    seeds: Seeds,
    ws: Workspace,
    templates: Templates,
    /// Valid records met lately (their files), for the checks across
    /// files, clocks and datasets.
    recent: Vec<RecordFile>,
    /// The last input, for [`Fuzzer::replay_last`].
    last: Option<Input>,
    /// Each kind's JSON Schema, which generated records follow.
    schemas: Vec<(Kind, Value)>,
    pub stats: Stats,
}

impl Fuzzer {
    pub(super) fn new(seed: u64, seeds: Seeds) -> Fuzzer {
        let schemas = Schemas::builtin().expect("built-in schemas");
        let config = policy::parse(&seeds.config, Path::new("gitsm.yaml"), &schemas)
            .unwrap_or_else(|_| Policy::default());
        let ws = Workspace {
            root: PathBuf::from("/nonexistent/gitsm-fuzz"),
            config,
            schemas,
            imported: Default::default(),
        };
        Fuzzer {
            rng: Rng::new(seed),
            seeds,
            ws,
            templates: Templates::load(None).expect("built-in templates"),
            recent: Vec::new(),
            last: None,
            schemas: Kind::ALL
                .iter()
                .map(|&k| (k, gitsm::schema::builtin(k)))
                .collect(),
            stats: Stats::default(),
        }
    }

    /// Drive the last input through the library again (not the report and
    /// site stage): to tell a slow input from a busy machine.
    pub(super) fn replay_last(&mut self) -> Option<Vec<u8>> {
        let input = self.last.clone()?;
        let _ = catch_unwind(AssertUnwindSafe(|| self.drive(&input)));
        Some(input.bytes())
    }

    /// One execution: an input generated, then driven through the library.
    /// A panic, or a property that does not hold, is a finding.
    pub(super) fn step(&mut self) -> Option<Finding> {
        self.stats.executions += 1;
        let input = self.generate();
        self.last = Some(input.clone());
        let run = catch_unwind(AssertUnwindSafe(|| self.drive(&input)));
        let finding = match run {
            Ok(Ok(())) => None,
            Ok(Err(what)) => Some(what),
            Err(panic) => Some(format!("panic: {}", panic_message(&panic))),
        };
        if finding.is_none() && self.stats.executions.is_multiple_of(DATASET_EVERY) {
            let run = catch_unwind(AssertUnwindSafe(|| self.dataset()));
            let what = match run {
                Ok(Ok(())) => None,
                Ok(Err(what)) => Some(what),
                Err(panic) => Some(format!(
                    "panic in report or site: {}",
                    panic_message(&panic)
                )),
            };
            if let Some(what) = what {
                let records: Vec<String> = self
                    .records()
                    .iter()
                    .map(|r| serde_json::to_string(&r.to_json()).unwrap_or_default())
                    .collect();
                return Some(Finding {
                    what,
                    input: records.join("\n").into_bytes(),
                });
            }
        }
        finding.map(|what| Finding {
            what,
            input: input.bytes(),
        })
    }

    fn generate(&mut self) -> Input {
        match self.rng.below(100) {
            0..40 => {
                let (kind, text) = self.rng.pick(&self.seeds.records).clone();
                let bytes = mutate(&mut self.rng, text.into_bytes(), &self.seeds);
                Input::Record { kind, bytes }
            }
            40..70 => {
                let (kind, schema) = self.rng.pick(&self.schemas).clone();
                let text = generate_record(&mut self.rng, kind, &schema);
                Input::Record {
                    kind,
                    bytes: text.into_bytes(),
                }
            }
            70..80 => {
                let bytes = if self.rng.chance(50) {
                    mutate(
                        &mut self.rng,
                        self.seeds.config.clone().into_bytes(),
                        &self.seeds,
                    )
                } else {
                    generate_config(&mut self.rng).into_bytes()
                };
                Input::Config { bytes }
            }
            _ => {
                let (_, text) = self.rng.pick(&self.seeds.records).clone();
                let text = if self.rng.chance(30) {
                    String::from_utf8_lossy(&mutate(&mut self.rng, text.into_bytes(), &self.seeds))
                        .into_owned()
                } else {
                    text
                };
                let n = 1 + self.rng.below(3);
                let edits = (0..n).map(|_| random_edit(&mut self.rng)).collect();
                Input::Edit { text, edits }
            }
        }
    }

    fn drive(&mut self, input: &Input) -> Result<(), String> {
        match input {
            Input::Record { kind, bytes } => self.record(*kind, bytes),
            Input::Config { bytes } => self.config(bytes),
            Input::Edit { text, edits } => self.edit(text, edits),
        }
    }

    fn record(&mut self, kind: Kind, bytes: &[u8]) -> Result<(), String> {
        let rel = PathBuf::from(kind.folder()).join("FUZZ-1.yaml");
        let (file, diags) = gitsm::checks::parse_record(&self.ws, kind, &rel, bytes);
        for d in &diags {
            if d.path.as_deref() != Some(rel.as_path()) {
                return Err(format!("a diagnostic names another file: {d:?}"));
            }
        }
        let Some(file) = file else {
            if diags.is_empty() {
                return Err("a file was refused without a diagnostic".into());
            }
            return Ok(());
        };
        self.stats.parsed += 1;
        let Some(record) = file.record.as_deref() else {
            return Ok(());
        };
        self.stats.typed += 1;
        // The model's round trip: what a record says, it says again.
        let json = record.to_json();
        let again = Record::from_json(kind, json.clone())
            .map_err(|e| format!("a record's own JSON does not read back: {e}"))?;
        if again.to_json() != json {
            return Err("a record's JSON changed on its round trip".into());
        }
        self.clocks(record)?;
        // Kept under its own id's name, as a repository would hold it.
        let path = PathBuf::from(kind.folder()).join(format!("{}.yaml", record.id()));
        let file = RecordFile { path, ..file };
        if self.recent.len() >= DATASET_RECORDS {
            let i = self.rng.below(self.recent.len());
            self.recent[i] = file;
        } else {
            self.recent.push(file);
        }
        if self.stats.typed.is_multiple_of(CHECK_TREE_EVERY) {
            self.tree()?;
        }
        Ok(())
    }

    /// The checks across files (ids, references, CMDB relations and
    /// cycles, schedules) over the records gathered so far.
    fn tree(&mut self) -> Result<(), String> {
        let loaded = Loaded {
            checked: self.recent.len(),
            files: self.recent.clone(),
            diagnostics: Vec::new(),
        };
        let _ = gitsm::checks::tree(&self.ws, &loaded);
        Ok(())
    }

    fn records(&self) -> Vec<Record> {
        self.recent
            .iter()
            .filter_map(|f| f.record.as_deref().cloned())
            .collect()
    }

    /// SLA clocks at a few instants around the record's own.
    fn clocks(&mut self, record: &Record) -> Result<(), String> {
        let Ok(clocks) = Clocks::new(&self.ws.config, std::iter::once(record), None) else {
            return Ok(());
        };
        let base = record.created_at().unwrap_or_else(|| instant(0));
        for _ in 0..3 {
            let minutes = self.rng.below(60 * 24 * 400) as i64 - 60 * 24 * 30;
            let at = base
                .checked_add_signed(Duration::minutes(minutes))
                .unwrap_or(base);
            if let Some(c) = clocks.of(record, at).map_err(|e| format!("clock: {e}"))? {
                self.stats.clocks_read += 1;
                for k in c.clocks() {
                    if k.reading.elapsed < Duration::zero() {
                        return Err(format!("negative elapsed time {:?}", k.reading.elapsed));
                    }
                }
            }
        }
        Ok(())
    }

    fn config(&mut self, bytes: &[u8]) -> Result<(), String> {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Ok(());
        };
        let Ok(policy) = policy::parse(text, Path::new("gitsm.yaml"), &self.ws.schemas) else {
            return Ok(());
        };
        self.stats.configs_read += 1;
        // The records met lately, under the new policy.
        let records = self.records();
        if let Ok(clocks) = Clocks::new(&policy, records.iter(), None) {
            for record in records.iter().take(5) {
                let at = record.created_at().unwrap_or_else(|| instant(0)) + Duration::hours(30);
                clocks.of(record, at).map_err(|e| format!("clock: {e}"))?;
            }
        }
        Ok(())
    }

    fn edit(&mut self, text: &str, edits: &[Edit]) -> Result<(), String> {
        let Ok(out) = edit::apply(text, edits) else {
            return Ok(());
        };
        self.stats.edits_made += 1;
        let after = gitsm::yaml::parse(&out)
            .map_err(|e| format!("an edit gave unreadable YAML: {e}"))?
            .to_json();
        // The last value set at each top-level key is there.
        for e in edits.iter().rev() {
            if let Edit::Set { path, value } = e
                && let [Step::Key(key)] = path.as_slice()
                && !edits_after(edits, e, key)
                && after.get(key) != Some(value)
            {
                return Err(format!(
                    "`{key}` reads {:?} after setting {value}",
                    after.get(key)
                ));
            }
        }
        Ok(())
    }

    /// The records gathered so far as a dataset: its report and its site.
    fn dataset(&mut self) -> Result<(), String> {
        if self.recent.is_empty() {
            return Ok(());
        }
        let ws = Workspace {
            root: self.ws.root.clone(),
            config: self.ws.config.clone(),
            schemas: self.ws.schemas.clone(),
            imported: Default::default(),
        };
        let dataset = Dataset::from_records(ws, self.records(), None);
        let at = instant(self.rng.below(60 * 24 * 365 * 3) as i64 * 60);
        let earliest = dataset.records().filter_map(Record::created_at).min();
        let zone = dataset.config().zone();
        if let Ok(period) = gitsm::report::Period::new(None, None, at, zone, earliest) {
            let report = gitsm::report::build(&dataset, &period, None).map_err(|e| e.to_string());
            if let Ok(report) = report {
                let _ = gitsm::report::render::markdown(&report);
                let _ = gitsm::report::render::html(&report);
            }
        }
        let written = std::sync::atomic::AtomicUsize::new(0);
        gitsm::site::render(
            &dataset,
            &self.templates,
            at,
            &gitsm::site::Silent,
            &|_, fill| {
                let mut bytes = Vec::new();
                fill(&mut bytes)?;
                written.fetch_add(bytes.len(), std::sync::atomic::Ordering::Relaxed);
                Ok(())
            },
            &gitsm::site::RenderAll,
        )
        .map_err(|e| format!("site: {e}"))?;
        self.stats.datasets += 1;
        Ok(())
    }
}

/// Whether a later edit than `e` touches `key` (then `e`'s value may be gone).
fn edits_after(edits: &[Edit], e: &Edit, key: &str) -> bool {
    let at = edits.iter().position(|x| std::ptr::eq(x, e)).unwrap_or(0);
    edits[at + 1..].iter().any(|x| match x {
        Edit::Set { path, .. } | Edit::Append { path, .. } => {
            path.first() == Some(&Step::Key(key.to_owned()))
        }
    })
}

/// The last panic's message and place, kept by the hook [`quiet_panics`]
/// installs (a panic on a rayon thread reaches `catch_unwind` without
/// its message).
static LAST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Keep panics off the terminal (each is a finding, reported with its
/// input) and remember each one's message and place.
pub(super) fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(format!("{message}{place}"));
        }
    }));
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let recorded = LAST_PANIC.lock().ok().and_then(|mut last| last.take());
    recorded
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// 2026-01-01T00:00:00Z plus `seconds`.
fn instant(seconds: i64) -> DateTime<FixedOffset> {
    let base = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    (base + Duration::seconds(seconds)).fixed_offset()
}

/// Tokens that YAML, the schemas and the checks care about.
const TOKENS: &[&str] = &[
    "&a ",
    "*a",
    "<<: *a",
    "!!binary ",
    "!!str ",
    "? ",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "#",
    "|",
    ">-",
    "|+",
    "'",
    "\"",
    "\\",
    "\t",
    "\r\n",
    "\n",
    "---\n",
    "...\n",
    "\u{feff}",
    "\0",
    "\x1b]0;x\x07",
    "\u{9b}",
    "~",
    "null",
    "true",
    "1e400",
    "-0",
    "0x1F",
    "9999-12-31T23:59:59+14:00",
    "0000-01-01T00:00:00Z",
    "2026-02-30T10:00:00Z",
    "2026-03-29T02:30:00+01:00",
    "P1",
    "P9",
    "../",
    "/",
    "INC-0001",
    "loop",
    "known_error",
    "resolved",
    "on_hold",
    "authorize",
    "emergency",
    "depends_on: [",
    "relations:",
    "approvals:",
    "notes:",
    "  - at: ",
    "signature: ",
    "-----BEGIN SSH SIGNATURE-----",
    "é",
    "😀",
    "\u{202e}",
];

/// Byte-level mutations of `bytes`: one to eight of flip, insert a token,
/// delete, duplicate, or splice with another seed.
fn mutate(rng: &mut Rng, mut bytes: Vec<u8>, seeds: &Seeds) -> Vec<u8> {
    let n = if rng.chance(50) { 1 } else { 1 + rng.below(6) };
    for _ in 0..n {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            0 if !bytes.is_empty() => {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
            1 | 2 => {
                let token = rng.pick(TOKENS).as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
            3 => {
                let end = (at + rng.below(64)).min(bytes.len());
                bytes.drain(at..end);
            }
            4 => {
                let end = (at + rng.below(256)).min(bytes.len());
                let copy: Vec<u8> = bytes[at..end].to_vec();
                let times = 1 + rng.below(4);
                for _ in 0..times {
                    bytes.splice(at..at, copy.iter().copied());
                }
            }
            _ => {
                let (_, other) = rng.pick(&seeds.records);
                let other = other.as_bytes();
                let from = rng.below(other.len());
                let end = (from + rng.below(400)).min(other.len());
                bytes.splice(at..at, other[from..end].iter().copied());
            }
        }
        // Records are at most 1 MiB: stay well inside.
        bytes.truncate(256 * 1024);
    }
    bytes
}

/// A string a person (or an attacker) might write.
fn text(rng: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        "VPN",
        "down",
        " ",
        "a: b",
        "#",
        "'",
        "\"",
        "\\n",
        "é",
        "😀",
        "\u{1b}[2J",
        "\r",
        "-",
        "*",
        "&",
        "INC-0001",
        "2026-11-20",
        "yes",
        "~",
        "",
        "{x}",
        "[1,",
        "%",
        "@",
    ];
    let n = rng.below(6);
    (0..n).map(|_| *rng.pick(PIECES)).collect()
}

const TIMES: &[&str] = &[
    "2026-11-20T09:00:00+01:00",
    "2026-11-20T18:30:00Z",
    "2026-03-29T02:30:00+02:00",
    "2026-10-25T02:30:00+01:00",
    "2026-11-21T09:00:00+01:00",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-12:00",
    "2026-02-29T10:00:00Z",
    "2026-11-20",
];

/// Ids, people and states that records name, so that references resolve
/// as often as not.
const IDS: &[&str] = &[
    "INC-0001", "INC-0002", "PRB-0001", "CHG-0001", "REQ-0001", "web-app", "db", "loop",
];
const PEOPLE: &[&str] = &["ben", "ann@example.com", "maria", "nobody"];
const STATES: &[&str] = &[
    "new",
    "in_progress",
    "on_hold",
    "resolved",
    "closed",
    "cancelled",
    "investigating",
    "known_error",
    "assess",
    "authorize",
    "scheduled",
    "implement",
    "review",
    "approval",
    "fulfilment",
    "fulfilled",
    "rejected",
    "planned",
    "active",
    "maintenance",
    "retired",
];

/// A record of `kind` built from its JSON Schema (the model types'): the
/// required fields and some optional ones, each value of its type (enum
/// values, timestamps, ids, people), now and then of another; top-level
/// keys in block style, nested values as flow (JSON) or block lists.
fn generate_record(rng: &mut Rng, kind: Kind, schema: &Value) -> String {
    let id = match kind {
        Kind::Incident => "INC-0001",
        Kind::Problem => "PRB-0001",
        Kind::Change => "CHG-0001",
        Kind::Request => "REQ-0001",
        Kind::Ci => *rng.pick(&["web-app", "db", "loop"]),
        Kind::Article => "KB-0001",
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = String::new();
    let Some(props) = schema["properties"].as_object() else {
        return out;
    };
    for (key, prop) in props {
        let wanted = if required.contains(&key.as_str()) {
            97
        } else {
            25
        };
        if !rng.chance(wanted) {
            continue;
        }
        let value = if key == "id" && rng.chance(90) {
            json!(id)
        } else {
            value_of(rng, schema, prop, key, 0)
        };
        out.push_str(key);
        out.push(':');
        match &value {
            Value::Array(items) if !items.is_empty() && rng.chance(50) => {
                for item in items {
                    out.push_str("\n  - ");
                    out.push_str(&yaml_value(rng, item));
                }
            }
            _ => {
                out.push(' ');
                out.push_str(&yaml_value(rng, &value));
            }
        }
        if rng.chance(5) {
            out.push_str("   # a comment");
        }
        out.push('\n');
    }
    if kind == Kind::Article && rng.chance(95) {
        // An article's fields are its front matter.
        out = format!("---\n{out}---\n# Body\n\nSome *Markdown*.\n");
    }
    out
}

/// A value as YAML: a scalar plain or quoted, a collection as flow (JSON
/// is YAML); an anchor now and then.
fn yaml_value(rng: &mut Rng, value: &Value) -> String {
    let text = match value {
        Value::String(s) => match rng.below(5) {
            0 => format!("'{}'", s.replace('\'', "''")),
            1 => serde_json::to_string(s).unwrap_or_default(),
            _ if gitsm::yaml::parse(&format!("k: {s}"))
                .is_ok_and(|n| n.get("k").is_some_and(|v| v.to_json() == *value)) =>
            {
                s.clone()
            }
            _ => serde_json::to_string(s).unwrap_or_default(),
        },
        other => serde_json::to_string(other).unwrap_or_default(),
    };
    if rng.chance(2) {
        format!("&x {text}")
    } else {
        text
    }
}

/// A value for the schema `prop` of field `key`.
fn value_of(rng: &mut Rng, root: &Value, prop: &Value, key: &str, depth: usize) -> Value {
    if rng.chance(4) {
        // Of another type than the schema says.
        return match rng.below(4) {
            0 => json!(text(rng)),
            1 => json!(rng.below(100)),
            2 => json!([text(rng)]),
            _ => Value::Null,
        };
    }
    if let Some(reference) = prop["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return value_of(rng, root, &root["$defs"][name], key, depth + 1);
    }
    for choice in ["anyOf", "oneOf"] {
        if let Some(options) = prop[choice].as_array().filter(|o| !o.is_empty()) {
            // Null rarely: the field then says nothing.
            let non_null: Vec<&Value> = options.iter().filter(|o| o["type"] != "null").collect();
            let pick = if !non_null.is_empty() && rng.chance(90) {
                non_null[rng.below(non_null.len())]
            } else {
                &options[rng.below(options.len())]
            };
            return value_of(rng, root, pick, key, depth + 1);
        }
    }
    if let Some(values) = prop["enum"].as_array().filter(|v| !v.is_empty()) {
        return values[rng.below(values.len())].clone();
    }
    if let Some(value) = prop.get("const") {
        return value.clone();
    }
    let types: Vec<&str> = match &prop["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => vec!["string"],
    };
    let kind = types.first().copied().unwrap_or("string");
    match kind {
        "integer" | "number" => {
            let lo = prop["minimum"].as_i64().unwrap_or(0);
            let hi = prop["maximum"].as_i64().unwrap_or(lo + 10);
            let span = usize::try_from((hi - lo).max(0)).unwrap_or(0) + 1;
            json!(lo + rng.below(span) as i64)
        }
        "boolean" => json!(rng.chance(50)),
        "array" if depth < 4 => {
            let n = rng.below(4);
            let items = &prop["items"];
            Value::Array(
                (0..n)
                    .map(|_| value_of(rng, root, items, key, depth + 1))
                    .collect(),
            )
        }
        "object" if depth < 4 => {
            let mut map = serde_json::Map::new();
            if let Some(props) = prop["properties"].as_object() {
                let required: Vec<&str> = prop["required"]
                    .as_array()
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                for (k, p) in props {
                    if required.contains(&k.as_str()) || rng.chance(30) {
                        map.insert(k.clone(), value_of(rng, root, p, k, depth + 1));
                    }
                }
            } else if prop["additionalProperties"].is_object() {
                // A map such as `relations`: a relation type to ids.
                let keys = ["depends_on", "runs_on", "connected_to", "title", "x"];
                for _ in 0..rng.below(3) {
                    let k = *rng.pick(&keys);
                    map.insert(
                        k.into(),
                        value_of(rng, root, &prop["additionalProperties"], k, depth + 1),
                    );
                }
            }
            Value::Object(map)
        }
        _ => json!(string_for(rng, prop, key)),
    }
}

/// A string for field `key`: a timestamp, an id, a person or a state where
/// the field holds one, else text.
fn string_for(rng: &mut Rng, prop: &Value, key: &str) -> String {
    if rng.chance(5) {
        return text(rng);
    }
    let pick = |rng: &mut Rng, list: &[&str]| (*rng.pick(list)).to_owned();
    if prop["format"] == "date-time"
        || key == "at"
        || key.ends_with("_at")
        || key == "start"
        || key == "end"
    {
        return pick(rng, TIMES);
    }
    match key {
        "status" => pick(rng, STATES),
        "by" | "reported_by" | "requested_by" | "assignee" | "owner" => pick(rng, PEOPLE),
        "service" | "problem" | "caused_by_change" | "duplicate_of" | "fix_change"
        | "affected_cis" | "cis" | "links" | "depends_on" | "runs_on" | "connected_to" => {
            pick(rng, IDS)
        }
        "class" => pick(
            rng,
            &["service", "application", "server", "database", "toaster"],
        ),
        "team" => pick(rng, &["l2-apps", "dba", "nobody"]),
        "catalog_item" => pick(rng, &["laptop", "vpn-access", "none"]),
        "signature" => pick(
            rng,
            &[
                "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----",
                "",
            ],
        ),
        _ => {
            let t = text(rng);
            if t.is_empty() { "text".into() } else { t }
        }
    }
}

/// A `gitsm.yaml` with SLA targets, calendars, time zones and people,
/// valid or not.
fn generate_config(rng: &mut Rng) -> String {
    let zone = *rng.pick(&[
        "Europe/Berlin",
        "UTC",
        "America/New_York",
        "Mars/Olympus",
        "Asia/Kathmandu",
    ]);
    let hours = *rng.pick(&[
        "09:00-18:00",
        "00:00-24:00",
        "22:00-06:00",
        "25:00-26:00",
        "09:00-12:00,13:00-18:00",
        "",
        "18:00-09:00",
    ]);
    let target = *rng.pick(&["15m", "4h", "0m", "1d", "99999d", "-1h", "1h30m"]);
    let holiday = *rng.pick(&["2026-12-25", "2026-02-30", "not a date"]);
    format!(
        "timezone: {zone}\n\
         calendars:\n  business:\n    timezone: {zone}\n    hours: {{ mon: \"{hours}\", tue: \"{hours}\", sat: \"{hours}\" }}\n    holidays: [{holiday}]\n\
         sla:\n  P1: {{ response: {target}, resolution: {target} }}\n  P3: {{ response: 1h, resolution: {target}, calendar: business }}\n\
         sla_at_risk: {}\n\
         people:\n  ben: {{ name: Ben, emails: [ben@example.com] }}\n",
        rng.pick(&["0.75", "0", "1", "1.5", "-1"])
    )
}

/// An edit of a record: a field set or a list appended to, with a value
/// of any JSON type.
fn random_edit(rng: &mut Rng) -> Edit {
    let keys = [
        "title",
        "status",
        "assignee",
        "notes",
        "links",
        "category",
        "custom",
        "affected_cis",
        "relations",
        "description",
    ];
    let key = (*rng.pick(&keys)).to_owned();
    let value = match rng.below(6) {
        0 => json!(text(rng)),
        1 => json!(rng.below(1000)),
        2 => json!(rng.chance(50)),
        3 => json!([text(rng), text(rng)]),
        4 => json!({"at": "2026-11-21T09:00:00+01:00", "by": "ben", "text": text(rng)}),
        _ => Value::Null,
    };
    let mut path = vec![Step::Key(key)];
    if rng.chance(20) {
        path.push(if rng.chance(50) {
            Step::Index(rng.below(3))
        } else {
            Step::Key("text".into())
        });
    }
    if rng.chance(40) {
        Edit::Append { path, item: value }
    } else {
        Edit::Set { path, value }
    }
}
