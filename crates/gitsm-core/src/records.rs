//! Reading record files from the work tree: one parse per file, in parallel.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::kind::Kind;
use crate::model::{Record, Reference};
use crate::workspace::Workspace;
use crate::yaml::{self, NodeValue, Pos, Segment};

pub use crate::model::MAX_FILE_BYTES;

/// A record file as read, with what cross-file checks need of it.
#[derive(Debug, Clone)]
pub struct RecordFile {
    /// Relative to the managed root.
    pub path: PathBuf,
    pub kind: Kind,
    /// The `id:` field, when it is a string.
    pub id: Option<String>,
    pub id_pos: Pos,
    /// The typed record, when the file passed its schema. Boxed: a record
    /// is large (several hundred bytes) and lists of files are moved whole.
    pub record: Option<Box<Record>>,
    /// References to other records, with where each is written; none when
    /// read for [`Detail::Figures`] (figures that follow links ask the
    /// record: [`Record::references`]).
    pub refs: Vec<(Reference, Pos)>,
    /// The Git blob id of the bytes read, when known (a work-tree file's is
    /// hashed, a commit's is its tree entry's): which version of the record
    /// in history this is, so a history walk need not read it again.
    pub blob: Option<git2::Oid>,
}

/// The records of a tree and what reading them found.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Record files found (including those that could not be parsed).
    pub checked: usize,
    pub files: Vec<RecordFile>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// Typed records, in path order.
    pub fn records(&self) -> impl Iterator<Item = (&RecordFile, &Record)> {
        self.files
            .iter()
            .filter_map(|f| f.record.as_deref().map(|r| (f, r)))
    }

    pub fn find(&self, id: &str) -> Option<(&RecordFile, &Record)> {
        self.records().find(|(_, r)| r.id() == id)
    }
}

/// `files` plus the records they name — transitively along CI relations,
/// where a cycle may close — and any other file holding one of their ids
/// (a duplicate). Records are found by id (`locate`: the kind and id to the
/// paths holding it) and read with `read`, never by listing the tree: the
/// cost follows `files`, not the repository. Ids are looked up by the kind
/// they name, so a reference to the wrong kind is found and reported as such.
pub fn with_named(
    config: &crate::config::Config,
    files: Vec<RecordFile>,
    mut locate: impl FnMut(Kind, &str) -> Vec<PathBuf>,
    mut read: impl FnMut(Kind, &Path) -> Option<RecordFile>,
) -> Loaded {
    use std::collections::{HashSet, VecDeque};
    let mut seen: HashSet<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    let mut wanted: VecDeque<(Kind, String)> = VecDeque::new();
    for f in &files {
        if let Some(id) = &f.id {
            wanted.push_back((f.kind, id.clone()));
        }
        for (r, _) in &f.refs {
            wanted.push_back((config.ids.kind_of(&r.target), r.target.clone()));
        }
    }
    let mut asked: HashSet<(Kind, String)> = HashSet::new();
    let mut all = files;
    while let Some((kind, id)) = wanted.pop_front() {
        if !asked.insert((kind, id.clone())) {
            continue;
        }
        for path in locate(kind, &id) {
            if !seen.insert(path.clone()) {
                continue;
            }
            let Some(file) = read(kind, &path) else {
                continue;
            };
            if kind == Kind::Ci {
                for (r, _) in &file.refs {
                    if r.pointer.starts_with("/relations/") {
                        wanted.push_back((Kind::Ci, r.target.clone()));
                    }
                }
            }
            all.push(file);
        }
    }
    Loaded {
        checked: all.len(),
        files: all,
        diagnostics: Vec::new(),
    }
}

/// Ids of `kind` taken in the work tree (file stems) and, when given, in
/// `upstream`: a revision's tree and where the managed root lies in it.
pub fn taken_ids(
    ws: &Workspace,
    kind: Kind,
    upstream: Option<(&git2::Repository, &git2::Tree<'_>, &Path)>,
) -> Vec<String> {
    let (paths, _) = discover(ws, &[kind]);
    let mut taken: Vec<String> = paths
        .iter()
        .filter_map(|(_, p)| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    if let Some((repo, tree, prefix)) = upstream {
        taken.extend(crate::git::record_stems(
            repo,
            tree,
            &prefix.join(kind.folder()),
            kind.extension(),
        ));
    }
    taken
}

/// Paths of every record file under the managed root (root-relative), with
/// diagnostics for entries that cannot be records.
pub fn discover(ws: &Workspace, kinds: &[Kind]) -> (Vec<(Kind, PathBuf)>, Vec<Diagnostic>) {
    let (found, diags) = discover_entries(ws, kinds);
    (found.into_iter().map(|(k, p, _)| (k, p)).collect(), diags)
}

/// As [`discover`], with each file's directory entry: its `lstat`
/// ([`std::fs::DirEntry::metadata`]) looks up one name in an open folder,
/// not the whole path.
pub fn discover_entries(
    ws: &Workspace,
    kinds: &[Kind],
) -> (Vec<(Kind, PathBuf, std::fs::DirEntry)>, Vec<Diagnostic>) {
    let mut paths = Vec::new();
    let mut diags = Vec::new();
    for &kind in kinds {
        let dir = Path::new(kind.folder());
        match crate::confined::is_dir(&ws.root, dir) {
            Ok(true) => discover_in(ws, kind, dir, true, &mut paths, &mut diags),
            Ok(false) => {}
            Err(e) => diags.push(
                Diagnostic::error("symlink", format!("{e}; its records are not read"))
                    .in_file(dir)
                    .with_hint("replace the link with the folder it points to"),
            ),
        }
    }
    (paths, diags)
}

/// The record files of one folder (`dir`, root-relative) in name order;
/// with `years`, also those of its year folders, each where its name sorts.
fn discover_in(
    ws: &Workspace,
    kind: Kind,
    dir: &Path,
    years: bool,
    paths: &mut Vec<(Kind, PathBuf, std::fs::DirEntry)>,
    diags: &mut Vec<Diagnostic>,
) {
    let entries = match std::fs::read_dir(ws.abs(dir)) {
        Ok(entries) => entries,
        Err(e) => return diags.push(unreadable(dir, &e)),
    };
    // Names and types from the directory listing (no `stat`), sorted by
    // their bytes: a folder of 100,000 records is listed in milliseconds.
    let mut listed = Vec::new();
    for entry in entries {
        match entry.and_then(|e| Ok((e.file_name(), e.file_type()?, e))) {
            Ok(named) => listed.push(named),
            Err(e) => diags.push(unreadable(dir, &e)),
        }
    }
    listed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (name, ft, entry) in listed {
        let rel = dir.join(&name);
        match listed_as(
            kind,
            &name.to_string_lossy(),
            ft.is_symlink(),
            ft.is_dir(),
            years,
        ) {
            Listed::Record => paths.push((kind, rel, entry)),
            Listed::Year => discover_in(ws, kind, &rel, false, paths, diags),
            Listed::Skipped(Some(diag)) => diags.push(diag.in_file(&rel)),
            Listed::Skipped(None) => {}
        }
    }
}

/// What an entry of a kind's folder is to the loader.
pub(crate) enum Listed {
    /// A record file.
    Record,
    /// A year folder, whose files are records too.
    Year,
    /// Neither, with what is wrong with it (nothing for a hidden file or
    /// a stray one).
    Skipped(Option<Diagnostic>),
}

/// What the entry `name` of `kind`'s folder is (of one of its year
/// folders, without `years`): the one rule for what is a record file, for
/// the loader and the local index's scan alike.
pub(crate) fn listed_as(
    kind: Kind,
    name: &str,
    is_symlink: bool,
    is_dir: bool,
    years: bool,
) -> Listed {
    if name.starts_with('.') {
        Listed::Skipped(None)
    } else if is_symlink {
        Listed::Skipped(Some(
            Diagnostic::error(
                "symlink",
                "record files and year folders may not be symbolic links",
            )
            .with_hint("replace the link with what it points to"),
        ))
    } else if is_dir {
        if !is_year(name) {
            Listed::Skipped(Some(Diagnostic::warning(
                "unexpected-folder",
                "folders inside a kind's folder must be years (e.g. 2026); its files are not read",
            )))
        } else if years {
            Listed::Year
        } else {
            Listed::Skipped(None)
        }
    } else if kind.id_of_file_name(name).is_some() {
        Listed::Record
    } else if is_misnamed(kind, name) {
        Listed::Skipped(Some(
            Diagnostic::error(
                "file-name",
                format!("{} files end in `.{}`", kind.label(), kind.extension()),
            )
            .with_hint("rename the file"),
        ))
    } else {
        Listed::Skipped(None)
    }
}

/// A file in `kind`'s folder that looks meant as a record but has the wrong
/// extension (`.yml`, or YAML where articles are Markdown).
pub fn is_misnamed(kind: Kind, name: &str) -> bool {
    kind.id_of_file_name(name).is_none()
        && (name.ends_with(".yml") || (kind == Kind::Article && name.ends_with(".yaml")))
}

/// Whether a folder name is a year (`2026`): the one level of sharding allowed.
pub fn is_year(name: &str) -> bool {
    name.len() == 4 && name.bytes().all(|b| b.is_ascii_digit())
}

/// How much of a file a read keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// The parsed YAML with every position, for messages and for the rules
    /// [`crate::checks`] runs on the file.
    Positions,
    /// The typed record only, for figures (`report`, `sla`, `site`): a file
    /// still counts only when it passes its schema; positions are found
    /// again (by parsing once more) only for the messages of one that does
    /// not.
    Figures,
}

/// A record file as parsed: the file and, with [`Detail::Positions`], its
/// YAML tree.
pub struct Parsed {
    pub file: RecordFile,
    pub node: Option<yaml::Node>,
}

/// Read and parse every record of `kinds` in parallel, each file handed to
/// `then` with the diagnostics of its parse (which may add its own, e.g.
/// the rules of [`crate::checks`]). With `blob_ids`, each file's Git blob
/// id is hashed from the bytes read ([`RecordFile::blob`]).
pub fn load(
    ws: &Workspace,
    kinds: &[Kind],
    detail: Detail,
    blob_ids: bool,
    then: impl Fn(Option<Parsed>, Vec<Diagnostic>) -> (Option<RecordFile>, Vec<Diagnostic>) + Sync,
) -> Loaded {
    let (paths, mut diagnostics) = discover(ws, kinds);
    let results: Vec<(Option<RecordFile>, Vec<Diagnostic>)> = paths
        .par_iter()
        .map(|(kind, rel)| {
            let (parsed, diags) = read(ws, *kind, rel, detail, blob_ids);
            then(parsed, diags)
        })
        .collect();
    let mut files = Vec::with_capacity(results.len());
    for (file, diags) in results {
        files.extend(file);
        diagnostics.extend(diags);
    }
    Loaded {
        checked: paths.len(),
        files,
        diagnostics,
    }
}

/// Keep the file, drop its YAML tree: for [`load`] when nothing more is
/// checked.
pub fn as_read(
    parsed: Option<Parsed>,
    diags: Vec<Diagnostic>,
) -> (Option<RecordFile>, Vec<Diagnostic>) {
    (parsed.map(|p| p.file), diags)
}

/// Read and parse one record file of the work tree.
pub fn read(
    ws: &Workspace,
    kind: Kind,
    rel: &Path,
    detail: Detail,
    blob_id: bool,
) -> (Option<Parsed>, Vec<Diagnostic>) {
    // One open and reads into a buffer kept by the thread: no `stat` and no
    // allocation per file. A file over the limit is found by reading one
    // byte past it, and only then measured for the message.
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|bytes| {
        bytes.clear();
        // A link is refused (the folders on the way are checked by
        // `discover` and `locate`).
        let read = crate::confined::open_no_follow(&ws.abs(rel)).and_then(|file| {
            std::io::Read::read_to_end(&mut std::io::Read::take(&file, MAX_FILE_BYTES + 1), bytes)?;
            Ok(file)
        });
        match read {
            Ok(file) if bytes.len() as u64 > MAX_FILE_BYTES => {
                let size = file.metadata().map_or(bytes.len() as u64, |m| m.len());
                (None, vec![too_large(rel, size)])
            }
            Ok(_) => {
                let blob = blob_id.then(|| crate::git::blob_id(bytes)).flatten();
                let (mut parsed, diags) = parse(ws, kind, rel, bytes, detail);
                if let Some(parsed) = &mut parsed {
                    parsed.file.blob = blob;
                }
                (parsed, diags)
            }
            Err(e) => (None, vec![unreadable(rel, &e)]),
        }
    })
}

/// A file or folder that could not be read.
fn unreadable(rel: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error("unreadable", format!("cannot read: {e}")).in_file(rel)
}

/// The refusal of a file larger than a record may be.
pub fn too_large(rel: &Path, size: u64) -> Diagnostic {
    Diagnostic::error(
        "too-large",
        format!("file is {size} bytes; record files are limited to {MAX_FILE_BYTES} bytes"),
    )
    .in_file(rel)
}

/// Parse the bytes of a record file: its YAML, its schema and its model.
/// The file is `None` when it is not a YAML mapping; its record is `None`
/// when it fails its schema (the diagnostics say why).
pub fn parse(
    ws: &Workspace,
    kind: Kind,
    rel: &Path,
    bytes: &[u8],
    detail: Detail,
) -> (Option<Parsed>, Vec<Diagnostic>) {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let col = good.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            let pos = Pos {
                line: u32::try_from(line).unwrap_or(u32::MAX),
                col: u32::try_from(col).unwrap_or(u32::MAX),
            };
            return (
                None,
                vec![
                    Diagnostic::error("encoding", "file is not valid UTF-8 (is it a binary file?)")
                        .at(rel, pos),
                ],
            );
        }
    };
    if bytes.contains(&0) {
        return (
            None,
            vec![
                Diagnostic::error("encoding", "file contains NUL bytes (is it a binary file?)")
                    .in_file(rel),
            ],
        );
    }
    // An article's fields are its front matter; the YAML read keeps the
    // opening fence, so positions are those of the `.md` file.
    let cut = match crate::front_matter::record(kind, text) {
        Ok(cut) => cut,
        Err(e) => {
            return (
                None,
                vec![
                    Diagnostic::error("front-matter", e.message)
                        .at(rel, e.pos)
                        .with_hint(crate::front_matter::HINT),
                ],
            );
        }
    };
    let text = cut.fields;
    let node = match yaml::parse(text) {
        Ok(n) => n,
        Err(e) => {
            return (
                None,
                vec![Diagnostic::error("yaml", e.message).at(rel, e.pos)],
            );
        }
    };
    match &node.value {
        NodeValue::Map(_) => {}
        NodeValue::Null => {
            return (
                None,
                vec![
                    Diagnostic::error("empty", "record file is empty")
                        .in_file(rel)
                        .with_hint(format!("create records with `gitsm new {kind}`")),
                ],
            );
        }
        _ => {
            return (
                None,
                vec![
                    Diagnostic::error(
                        "not-a-mapping",
                        "a record file must be a YAML mapping of fields",
                    )
                    .at(rel, node.pos),
                ],
            );
        }
    }
    let id_pos = node.get("id").map_or(Pos::START, |n| n.pos);
    // Figures need positions only for the messages of a file that fails
    // its schema (read again for them); otherwise the tree becomes JSON
    // without copying its strings, and references carry no positions.
    let (json, tree) = match detail {
        Detail::Positions => (node.to_json(), Some(node)),
        Detail::Figures => {
            let json = node.into_json();
            if ws.schemas.is_valid(kind, &json) {
                (json, None)
            } else {
                match yaml::parse(text) {
                    Ok(node) => (json, Some(node)),
                    Err(e) => {
                        return (
                            None,
                            vec![Diagnostic::error("yaml", e.message).at(rel, e.pos)],
                        );
                    }
                }
            }
        }
    };
    let id = json.get("id").and_then(Value::as_str).map(String::from);
    let mut diags = match &tree {
        Some(node) => ws.schemas.validate(kind, &json, node, rel),
        None => Vec::new(),
    };
    let record = if diags.is_empty() {
        let json = cut.with_body(json);
        match Record::from_json(kind, json) {
            Ok(r) => Some(Box::new(r)),
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        "schema",
                        format!("record does not fit the {} model: {e}", kind.label()),
                    )
                    .at(rel, tree.as_ref().map_or(Pos::START, |n| n.pos))
                    .with_hint(format!(
                        "{} may have been loosened beyond what gitsm understands",
                        ws.schemas.origin(kind)
                    )),
                );
                None
            }
        }
    } else {
        None
    };
    // References, with their positions, for the checks.
    let refs = match (&record, &tree, detail) {
        (Some(record), Some(node), Detail::Positions) => record
            .references()
            .into_iter()
            .map(|r| {
                let pos = node.find(pointer_segments(&r.pointer)).pos;
                (r, pos)
            })
            .collect(),
        _ => Vec::new(),
    };
    let file = RecordFile {
        path: rel.to_path_buf(),
        kind,
        id,
        id_pos,
        record,
        refs,
        blob: None,
    };
    let node = (detail == Detail::Positions).then_some(tree).flatten();
    (Some(Parsed { file, node }), diags)
}

/// Segments of a JSON pointer such as `/approvals/0/by`.
pub fn pointer_segments(pointer: &str) -> impl Iterator<Item = Segment<'_>> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| match s.parse::<usize>() {
            Ok(i) => Segment::Index(i),
            Err(_) => Segment::Key(s.into()),
        })
}
