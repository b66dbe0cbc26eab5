//! Format-preserving edits of record files.
//!
//! `gitsm set`, `transition`, `link` and `approve` change a few values of a
//! record and must leave everything else byte for byte: comments, key order,
//! quoting, blank lines, line endings and the final newline (or its absence).
//! [`apply`] therefore never re-serialises a document. It maps the text to a
//! small tree of byte ranges, works out the one range each [`Edit`] replaces
//! or the one place it inserts lines, and splices text in.
//!
//! Layout rules:
//! - A replaced scalar keeps its quoting when the new value can be written in
//!   it (single quotes for one line, double quotes always). Otherwise a string
//!   is written plain when it reads back as the same string under the YAML 1.2
//!   core schema of [`crate::yaml`] and does not look like a date (YAML 1.1
//!   tools would read `2026-01-01` as a date; a plain date is only kept in
//!   place of a plain date). Multi-line text becomes a `|`/`|-` literal block,
//!   anything else a double-quoted string with JSON-style escapes.
//! - A new key goes on a new line right after the last line of the mapping's
//!   last entry (after its block scalar or nested block and after a comment on
//!   that same line), at the mapping's indentation. Comment and blank lines
//!   that follow stay below it: they usually introduce the next key.
//! - New nesting uses the file's indentation step (2 when it shows none), and
//!   lists under a key are indented, or not, like the file's first such list.
//! - An appended item follows the last item of a block list, at its column; in
//!   a flow list it is added as `, item` (maps as `{k: v}`). A new list, and a
//!   list replacing `[]` or null, is written in block style; a non-empty flow
//!   list replaced by a list of scalars stays a flow list.
//! - Refused: paths through aliases, anchored or tagged values, explicit `? `
//!   keys, single-pair mappings in flow lists, an empty `{}` document, and
//!   files that are not one YAML mapping.
//!
//! Every edit is checked: its result is parsed again with [`yaml::parse`] and
//! must equal the original document with the edit applied to its JSON, else
//! [`EditError::Unsafe`] is returned and no text comes out.

use std::fmt;
use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Value, json};

use crate::yaml::{self, YamlError};

/// One step of a path into a record: a mapping key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Key(key) => f.write_str(key),
            Step::Index(index) => write!(f, "{index}"),
        }
    }
}

/// A change to a record. Index steps only address existing items.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Set the value at `path` (creating missing parent maps) to `value`.
    Set { path: Vec<Step>, value: Value },
    /// Append `item` to the sequence at `path` (creating it when absent,
    /// null or `[]`).
    Append { path: Vec<Step>, item: Value },
}

impl Edit {
    fn path(&self) -> &[Step] {
        match self {
            Edit::Set { path, .. } | Edit::Append { path, .. } => path,
        }
    }
}

/// Why an edit was not made. The file is never half edited.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{}:{}: {}", .0.pos.line, .0.pos.col, .0.message)]
    Parse(#[from] YamlError),
    #[error(
        "the document is not a mapping of `key: value` lines, so it cannot be edited as a record"
    )]
    NotAMapping,
    #[error("an edit needs a path to a value inside the record")]
    EmptyPath,
    #[error("`{path}` is {found}, not {expected}")]
    WrongType {
        path: String,
        found: &'static str,
        expected: &'static str,
    },
    #[error("`{path}` has {len} items, so there is no item {index}")]
    NoSuchItem {
        path: String,
        index: usize,
        len: usize,
    },
    #[error(
        "{line}:{col}: cannot edit `{path}` without reformatting the file: {reason}; edit it by hand"
    )]
    Unsupported {
        path: String,
        line: usize,
        col: usize,
        reason: String,
    },
    #[error(
        "editing `{path}` would give a file that does not read back as intended ({detail}); nothing was changed"
    )]
    Unsafe { path: String, detail: String },
}

/// Apply the edits in order to `text` (a whole YAML document) and return the
/// new text.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, EditError> {
    let mut expected = yaml::parse(text)?.to_json();
    if !expected.is_object() {
        return Err(EditError::NotAMapping);
    }
    let mut out = text.to_owned();
    for edit in edits {
        apply_to_json(&mut expected, edit)?;
        let path = show(edit.path());
        let splice = Document::parse(&out)
            .and_then(|doc| doc.plan(edit))
            .map_err(|refusal| {
                let (line, col) = line_col(&out, refusal.at);
                EditError::Unsupported {
                    path: path.clone(),
                    line,
                    col,
                    reason: refusal.reason,
                }
            })?;
        let Range { start, end } = splice.range;
        if start > end || !out.is_char_boundary(start) || !out.is_char_boundary(end) {
            return Err(EditError::Unsafe {
                path,
                detail: "the edit does not fall on character boundaries".into(),
            });
        }
        out.replace_range(start..end, &splice.text);
        match yaml::parse(&out) {
            Ok(node) if node.to_json() == expected => {}
            Ok(_) => {
                return Err(EditError::Unsafe {
                    path,
                    detail: "the result reads back with different values".into(),
                });
            }
            Err(e) => {
                return Err(EditError::Unsafe {
                    path,
                    detail: format!("the result is not valid YAML: {e}"),
                });
            }
        }
    }
    Ok(out)
}

/// `notes/0/text`.
fn show(path: &[Step]) -> String {
    path.iter()
        .map(Step::to_string)
        .collect::<Vec<_>>()
        .join("/")
}

// ---------------------------------------------------------------------------
// The intended result, computed on JSON.

fn apply_to_json(doc: &mut Value, edit: &Edit) -> Result<(), EditError> {
    let path = edit.path();
    let Some((last, parents)) = path.split_last() else {
        return Err(EditError::EmptyPath);
    };
    let mut current = doc;
    for (i, step) in parents.iter().enumerate() {
        current = json_child(current, step, &path[..i])?;
    }
    let target = json_child(current, last, parents)?;
    match edit {
        Edit::Set { value, .. } => *target = value.clone(),
        Edit::Append { item, .. } => match target {
            Value::Null => *target = Value::Array(vec![item.clone()]),
            Value::Array(items) => items.push(item.clone()),
            other => return Err(wrong_type(path, other, "a list")),
        },
    }
    Ok(())
}

/// The child of `parent` at `step`. A missing key is created as null and a
/// null parent becomes a mapping, as `Set` creates missing parents.
fn json_child<'v>(
    parent: &'v mut Value,
    step: &Step,
    parent_path: &[Step],
) -> Result<&'v mut Value, EditError> {
    if parent.is_null() && matches!(step, Step::Key(_)) {
        *parent = Value::Object(Map::new());
    }
    match (parent, step) {
        (Value::Object(map), Step::Key(key)) => Ok(map.entry(key.clone()).or_insert(Value::Null)),
        (Value::Array(items), Step::Index(index)) => {
            let len = items.len();
            items.get_mut(*index).ok_or_else(|| EditError::NoSuchItem {
                path: show(parent_path),
                index: *index,
                len,
            })
        }
        (parent, Step::Key(_)) => Err(wrong_type(parent_path, parent, "a mapping")),
        (parent, Step::Index(_)) => Err(wrong_type(parent_path, parent, "a list")),
    }
}

fn wrong_type(path: &[Step], found: &Value, expected: &'static str) -> EditError {
    EditError::WrongType {
        path: show(path),
        found: match found {
            Value::Null => "empty (null)",
            Value::Bool(_) => "true/false",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "a mapping",
        },
        expected,
    }
}

// ---------------------------------------------------------------------------
// The document as byte ranges.

/// A layout the editor will not touch, at a byte offset.
#[derive(Debug)]
struct Refusal {
    at: usize,
    reason: String,
}

impl Refusal {
    fn new(at: usize, reason: impl Into<String>) -> Self {
        Refusal {
            at,
            reason: reason.into(),
        }
    }
}

/// Byte ranges of one YAML node.
struct Node {
    kind: Kind,
    /// First byte; for a block scalar its `|` or `>` header.
    start: usize,
    /// Just past the last content byte: closing quote or bracket, end of a
    /// plain scalar, end of a block scalar's last non-blank line (its last
    /// line with `|+`), end of a block collection's last child. Comments
    /// after it are not included. An implicit null (`key:`) is empty and
    /// sits right after its `:` or `-`.
    end: usize,
    /// Written in flow style, or inside a flow collection.
    flow: bool,
    /// Carries an anchor or a tag, or is an alias.
    props: bool,
}

enum Kind {
    Scalar { style: ScalarStyle, value: String },
    Map(Vec<MapEntry>),
    Seq(Vec<SeqItem>),
    Alias,
}

struct MapEntry {
    key: String,
    key_start: usize,
    /// Just past the `:`.
    colon_end: usize,
    value: Node,
}

struct SeqItem {
    /// The `-` of a block list item.
    dash: Option<usize>,
    value: Node,
}

impl Node {
    fn is_implicit_null(&self) -> bool {
        matches!(self.kind, Kind::Scalar { .. }) && self.start == self.end
    }

    fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { style: ScalarStyle::Plain, value }
            if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }
}

/// A parsed document: its text, its tree and how it indents.
struct Document<'t> {
    text: &'t str,
    root: Node,
    layout: Layout,
}

/// A collection being filled while reading events.
struct Frame {
    node: Node,
    /// Where the search for the next block list `-` starts.
    cursor: usize,
    /// A mapping's key waiting for its value: text, start, end of its `:`.
    key: Option<(String, usize, usize)>,
    /// The `-` of the block list item being read.
    dash: Option<usize>,
}

/// What the next node is to its parent.
enum Role {
    Key,
    /// A value; `indicator_end` is just past its `:` or `-` (block parents
    /// and flow mappings).
    Value {
        indicator_end: Option<usize>,
    },
}

struct Builder<'t> {
    text: &'t str,
    stack: Vec<Frame>,
    root: Option<Node>,
}

impl<'t> Document<'t> {
    fn parse(text: &'t str) -> Result<Self, Refusal> {
        // Markers count characters; slices need bytes.
        let offsets: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect();
        let byte = |index: usize| offsets.get(index).copied().unwrap_or(text.len());
        let mut builder = Builder {
            text,
            stack: Vec::new(),
            root: None,
        };
        for item in Parser::new_from_str(text) {
            let (event, span) = item.map_err(|e| {
                Refusal::new(
                    byte(e.marker().index()),
                    format!("invalid YAML: {}", e.info()),
                )
            })?;
            let (start, end) = (byte(span.start.index()), byte(span.end.index()));
            match event {
                Event::Scalar(value, style, anchor, tag) => builder.scalar(
                    value.into_owned(),
                    style,
                    anchor != 0 || tag.is_some(),
                    start,
                    end,
                )?,
                Event::Alias(_) => builder.alias(start, end)?,
                Event::MappingStart(anchor, tag) => {
                    builder.open(Kind::Map(Vec::new()), anchor != 0 || tag.is_some(), start)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    builder.open(Kind::Seq(Vec::new()), anchor != 0 || tag.is_some(), start)?;
                }
                Event::MappingEnd | Event::SequenceEnd => builder.close(start)?,
                Event::StreamStart
                | Event::StreamEnd
                | Event::DocumentStart(_)
                | Event::DocumentEnd
                | Event::Nothing => {}
            }
        }
        let root = builder
            .root
            .ok_or_else(|| Refusal::new(0, "the document is empty"))?;
        let layout = Layout::detect(text, &root);
        Ok(Document { text, root, layout })
    }
}

impl Builder<'_> {
    fn parent_flow(&self) -> bool {
        self.stack.last().is_some_and(|frame| frame.node.flow)
    }

    /// Classify the next node and, in a block list, find its `-`.
    fn role(&mut self) -> Result<Role, Refusal> {
        let text = self.text;
        let Some(frame) = self.stack.last_mut() else {
            return Ok(Role::Value {
                indicator_end: None,
            });
        };
        match &frame.node.kind {
            Kind::Map(_) => Ok(match &frame.key {
                None => Role::Key,
                Some((_, _, colon_end)) => Role::Value {
                    indicator_end: Some(*colon_end),
                },
            }),
            Kind::Seq(_) if !frame.node.flow => {
                let dash = skip_props(text, skip_trivia(text, frame.cursor));
                let after = text.as_bytes().get(dash + 1);
                if text.as_bytes().get(dash) != Some(&b'-')
                    || !matches!(after, None | Some(b' ' | b'\t' | b'\r' | b'\n'))
                {
                    return Err(Refusal::new(
                        dash,
                        "a list item without a `-` where expected",
                    ));
                }
                frame.dash = Some(dash);
                Ok(Role::Value {
                    indicator_end: Some(dash + 1),
                })
            }
            _ => Ok(Role::Value {
                indicator_end: None,
            }),
        }
    }

    fn scalar(
        &mut self,
        value: String,
        style: ScalarStyle,
        props: bool,
        start: usize,
        end: usize,
    ) -> Result<(), Refusal> {
        match self.role()? {
            Role::Key => {
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) || value.is_empty() {
                    return Err(Refusal::new(start, "an empty or multi-line key"));
                }
                let (key_start, key_end) = self.scalar_bounds(style, false, start, end, None)?;
                let before = self.text.get(..key_start).unwrap_or("");
                if before.trim_end_matches([' ', '\t']).ends_with('?') {
                    return Err(Refusal::new(key_start, "an explicit `? ` key"));
                }
                let colon = key_end
                    + self.text.get(key_end..).map_or(0, |rest| {
                        rest.len() - rest.trim_start_matches([' ', '\t']).len()
                    });
                if self.text.as_bytes().get(colon) != Some(&b':') {
                    return Err(Refusal::new(
                        key_start,
                        "a key without `:` on the same line",
                    ));
                }
                if let Some(frame) = self.stack.last_mut() {
                    frame.key = Some((value, key_start, colon + 1));
                }
                Ok(())
            }
            Role::Value { indicator_end } => {
                let implicit = style == ScalarStyle::Plain && value.is_empty() && !props;
                let (start, end) =
                    self.scalar_bounds(style, implicit, start, end, indicator_end)?;
                let flow = self.parent_flow();
                self.attach(Node {
                    kind: Kind::Scalar { style, value },
                    start,
                    end,
                    flow,
                    props,
                });
                Ok(())
            }
        }
    }

    /// Byte range of a scalar; spans of quoted scalars run on over trailing
    /// comments and spans of block scalars start after their header, so both
    /// are found in the text.
    fn scalar_bounds(
        &self,
        style: ScalarStyle,
        implicit: bool,
        start: usize,
        end: usize,
        indicator_end: Option<usize>,
    ) -> Result<(usize, usize), Refusal> {
        let bytes = self.text.as_bytes();
        match style {
            ScalarStyle::Plain if implicit => {
                let at = indicator_end.unwrap_or(start);
                Ok((at, at))
            }
            ScalarStyle::Plain => Ok((start, end)),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let quote = if style == ScalarStyle::SingleQuoted {
                    b'\''
                } else {
                    b'"'
                };
                let open = (start..bytes.len())
                    .find(|&i| bytes[i] == quote)
                    .ok_or_else(|| Refusal::new(start, "a quoted string without quotes"))?;
                let mut i = open + 1;
                while let Some(&b) = bytes.get(i) {
                    // `\x` in double quotes, `''` in single quotes.
                    let escape = if quote == b'"' {
                        b == b'\\'
                    } else {
                        b == quote && bytes.get(i + 1) == Some(&quote)
                    };
                    if escape {
                        i += 2;
                    } else if b == quote {
                        return Ok((start, i + 1));
                    } else {
                        i += 1;
                    }
                }
                Err(Refusal::new(start, "an unterminated quoted string"))
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                let header = skip_props(
                    self.text,
                    skip_trivia(self.text, indicator_end.unwrap_or(start)),
                );
                if !matches!(bytes.get(header), Some(b'|' | b'>')) {
                    return Err(Refusal::new(
                        start,
                        "a block scalar whose `|` or `>` was not found",
                    ));
                }
                let indicators = bytes
                    .get(header + 1..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-'))
                    .count();
                let header_end = header + 1 + indicators;
                let keep = bytes
                    .get(header + 1..header_end)
                    .is_some_and(|ind| ind.contains(&b'+'));
                let span = self.text.get(..end.max(header_end)).unwrap_or(self.text);
                let content_end = if keep {
                    // Trailing blank lines are content: stop before the last break.
                    span.strip_suffix('\n')
                        .map_or(span, |s| s.strip_suffix('\r').unwrap_or(s))
                        .len()
                } else {
                    span.trim_end_matches([' ', '\t', '\r', '\n']).len()
                };
                Ok((header, content_end.max(header_end)))
            }
        }
    }

    fn alias(&mut self, start: usize, end: usize) -> Result<(), Refusal> {
        if let Role::Key = self.role()? {
            return Err(Refusal::new(start, "an alias used as a key"));
        }
        let flow = self.parent_flow();
        self.attach(Node {
            kind: Kind::Alias,
            start,
            end,
            flow,
            props: true,
        });
        Ok(())
    }

    fn open(&mut self, kind: Kind, props: bool, start: usize) -> Result<(), Refusal> {
        let indicator_end = match self.role()? {
            Role::Key => return Err(Refusal::new(start, "a mapping or list used as a key")),
            Role::Value { indicator_end } => indicator_end,
        };
        let parent_flow = self.parent_flow();
        // The event's span may run on over the spaces after a bracket
        // (`{ at: ...`): the opener is the first byte after any anchor or tag.
        let opener = skip_props(self.text, start);
        let bracketed = matches!(self.text.as_bytes().get(opener), Some(b'[' | b'{'));
        if parent_flow && !bracketed {
            return Err(Refusal::new(
                start,
                "a single-pair mapping inside a flow list",
            ));
        }
        self.stack.push(Frame {
            node: Node {
                kind,
                start,
                end: start,
                flow: bracketed,
                props,
            },
            cursor: indicator_end.unwrap_or(start),
            key: None,
            dash: None,
        });
        Ok(())
    }

    /// End the innermost collection; `at` is where its end event starts
    /// (the closing bracket of a flow collection, whose span runs on over a
    /// trailing comment).
    fn close(&mut self, at: usize) -> Result<(), Refusal> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        if let Some((_, key_start, _)) = frame.key {
            return Err(Refusal::new(key_start, "a key without a value"));
        }
        let mut node = frame.node;
        if node.flow {
            if !matches!(self.text.as_bytes().get(at), Some(b']' | b'}')) {
                return Err(Refusal::new(
                    at,
                    "a flow collection without its closing bracket",
                ));
            }
            node.end = at + 1;
        } else {
            let first = match &node.kind {
                Kind::Map(entries) => entries.first().map(|e| e.key_start),
                Kind::Seq(items) => items.first().map(|i| i.dash.unwrap_or(i.value.start)),
                _ => None,
            };
            node.start = first.unwrap_or(node.start);
            node.end = frame.cursor.max(node.start);
        }
        self.attach(node);
        Ok(())
    }

    fn attach(&mut self, node: Node) {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return;
        };
        frame.cursor = node.end;
        match &mut frame.node.kind {
            Kind::Map(entries) => {
                if let Some((key, key_start, colon_end)) = frame.key.take() {
                    entries.push(MapEntry {
                        key,
                        key_start,
                        colon_end,
                        value: node,
                    });
                }
            }
            Kind::Seq(items) => items.push(SeqItem {
                dash: frame.dash.take(),
                value: node,
            }),
            Kind::Scalar { .. } | Kind::Alias => {}
        }
    }
}

/// Skip spaces, line breaks and comments.
fn skip_trivia(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(pos) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'#' => {
                pos = bytes[pos..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(bytes.len(), |n| pos + n)
            }
            _ => break,
        }
    }
    pos
}

/// Skip anchors (`&a`) and tags (`!t`) and the trivia after them.
fn skip_props(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    while matches!(bytes.get(pos), Some(b'&' | b'!')) {
        while bytes.get(pos).is_some_and(|b| !b.is_ascii_whitespace()) {
            pos += 1;
        }
        pos = skip_trivia(text, pos);
    }
    pos
}

/// End of the line holding `pos`, before its `\n` or `\r\n`.
fn line_end(text: &str, pos: usize) -> usize {
    let bytes = text.as_bytes();
    match bytes
        .get(pos..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
    {
        Some(n) if pos + n > 0 && bytes[pos + n - 1] == b'\r' => pos + n - 1,
        Some(n) => pos + n,
        None => text.len(),
    }
}

/// 0-based column (in characters) of `pos`; a byte order mark takes none.
fn column(text: &str, pos: usize) -> usize {
    let before = text.get(..pos).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    before[line_start..]
        .trim_start_matches('\u{FEFF}')
        .chars()
        .count()
}

/// 1-based line and column of `pos`.
fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = text.get(..pos).unwrap_or(text);
    (before.matches('\n').count() + 1, column(text, pos) + 1)
}

// ---------------------------------------------------------------------------
// Planning one edit.

/// Replace `range` with `text`.
struct Splice {
    range: Range<usize>,
    text: String,
}

impl Splice {
    fn insert(at: usize, text: String) -> Self {
        Splice {
            range: at..at,
            text,
        }
    }
}

/// Where a value sits in its parent; decides how a replacement is laid out.
#[derive(Clone, Copy)]
struct Slot {
    /// Just past the key's `:` or the item's `-`.
    indicator_end: usize,
    /// Column of the key or the `-`.
    col: usize,
    in_seq: bool,
    flow: bool,
}

impl Document<'_> {
    fn plan(&self, edit: &Edit) -> Result<Splice, Refusal> {
        let (path, leaf, append) = match edit {
            Edit::Set { path, value } => (path, value, false),
            Edit::Append { path, item } => (path, item, true),
        };
        let mut node = &self.root;
        let mut slot = None;
        for (i, step) in path.iter().enumerate() {
            check_plain(node)?;
            match (&node.kind, step) {
                (Kind::Map(entries), Step::Key(key)) => {
                    let Some(entry) = entries.iter().find(|e| &e.key == key) else {
                        let value = nest(&path[i + 1..], leaf, append, node.start)?;
                        return self.add_entry(node, slot, key, &value);
                    };
                    slot = Some(Slot {
                        indicator_end: entry.colon_end,
                        col: column(self.text, entry.key_start),
                        in_seq: false,
                        flow: node.flow,
                    });
                    node = &entry.value;
                }
                (Kind::Seq(items), Step::Index(index)) => {
                    let item = items
                        .get(*index)
                        .ok_or_else(|| Refusal::new(node.start, "the list is shorter"))?;
                    let dash = item.dash.unwrap_or(item.value.start);
                    slot = Some(Slot {
                        indicator_end: item.dash.map_or(item.value.start, |d| d + 1),
                        col: column(self.text, dash),
                        in_seq: true,
                        flow: node.flow,
                    });
                    node = &item.value;
                }
                (Kind::Scalar { .. }, Step::Key(_)) if node.is_null() => {
                    let value = nest(&path[i..], leaf, append, node.start)?;
                    return self.replace(slot, node, &value);
                }
                _ => {
                    return Err(Refusal::new(
                        node.start,
                        "the path does not match the document",
                    ));
                }
            }
        }
        check_plain(node)?;
        if !append {
            return self.replace(slot, node, leaf);
        }
        match &node.kind {
            Kind::Seq(items) if !items.is_empty() => Ok(self.append_item(node, items, leaf)),
            Kind::Seq(_) => self.replace(slot, node, &Value::Array(vec![leaf.clone()])),
            Kind::Scalar { .. } if node.is_null() => {
                self.replace(slot, node, &Value::Array(vec![leaf.clone()]))
            }
            _ => Err(Refusal::new(node.start, "the value is not a list")),
        }
    }

    /// Add `key: value` to the mapping `map`.
    fn add_entry(
        &self,
        map: &Node,
        slot: Option<Slot>,
        key: &str,
        value: &Value,
    ) -> Result<Splice, Refusal> {
        let Kind::Map(entries) = &map.kind else {
            return Err(Refusal::new(map.start, "the value is not a mapping"));
        };
        let Some(first) = entries.first() else {
            // `{}`: write the whole mapping anew.
            let mut object = Map::new();
            object.insert(key.to_owned(), value.clone());
            return self.replace(slot, map, &Value::Object(object));
        };
        if map.flow {
            let last_end = entries.last().map_or(map.end, |e| e.value.end);
            let text = format!(
                ", {}: {}",
                key_text(key, true),
                flow_value(value, &Old::None)
            );
            return Ok(Splice::insert(last_end, text));
        }
        let indent = column(self.text, first.key_start);
        let text = format!(
            "{}{}{}:{}",
            self.layout.newline,
            " ".repeat(indent),
            key_text(key, false),
            self.layout
                .after_indicator(value, indent, false, &Old::None)
        );
        Ok(Splice::insert(line_end(self.text, map.end), text))
    }

    /// Append `item` to the non-empty list `seq`.
    fn append_item(&self, seq: &Node, items: &[SeqItem], item: &Value) -> Splice {
        if seq.flow {
            let last_end = items.last().map_or(seq.end, |i| i.value.end);
            return Splice::insert(last_end, format!(", {}", flow_value(item, &Old::None)));
        }
        let dash = items
            .first()
            .map_or(seq.start, |i| i.dash.unwrap_or(i.value.start));
        let col = column(self.text, dash);
        let text = format!(
            "{}{}-{}",
            self.layout.newline,
            " ".repeat(col),
            self.layout.after_indicator(item, col, true, &Old::None)
        );
        Splice::insert(line_end(self.text, seq.end), text)
    }

    /// Replace the value `old`, which sits in `slot`, with `new`.
    fn replace(&self, slot: Option<Slot>, old: &Node, new: &Value) -> Result<Splice, Refusal> {
        let slot =
            slot.ok_or_else(|| Refusal::new(old.start, "the whole document cannot be replaced"))?;
        let hint = Old::of(old);
        let implicit = old.is_implicit_null();
        if slot.flow {
            let text = flow_value(new, &hint);
            return Ok(if implicit {
                Splice::insert(old.start, format!(" {text}"))
            } else {
                Splice {
                    range: old.start..old.end,
                    text,
                }
            });
        }
        let nl = self.layout.newline;
        let rendered = self
            .layout
            .after_indicator(new, slot.col, slot.in_seq, &hint);
        let one_line_old = !implicit
            && match &old.kind {
                Kind::Scalar { style, .. } => {
                    !matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                }
                _ => old.flow,
            };
        if one_line_old && !rendered.contains('\n') {
            // Only the value's own bytes change; spacing and comments stay.
            return Ok(Splice {
                range: old.start..old.end,
                text: rendered.trim_start_matches(' ').to_owned(),
            });
        }
        // Replace from the indicator to the end of the old value. What stood
        // after the indicator (old value on a later line, or none) or after
        // the old value (old value on the indicator's line) on its line is
        // usually a comment: it goes after the first line written, where it
        // cannot end up inside a block scalar.
        let ind = slot.indicator_end;
        let eol = line_end(self.text, ind);
        let (range, comment) = if !implicit && old.start <= eol {
            let after = line_end(self.text, old.end);
            (ind..after, old.end..after)
        } else {
            (ind..old.end.max(eol), ind..eol)
        };
        let comment = self.text.get(comment).unwrap_or("");
        let (first, rest) = match rendered.split_once(nl) {
            Some((first, rest)) => (first, Some(rest)),
            None => (rendered.as_str(), None),
        };
        // Trailing spaces are dropped, unless the indicator line stays as it was.
        let comment = if comment.trim().is_empty() && !first.is_empty() {
            ""
        } else {
            comment
        };
        let text = match rest {
            Some(rest) => format!("{first}{comment}{nl}{rest}"),
            None => format!("{first}{comment}"),
        };
        Ok(Splice { range, text })
    }
}

/// Refuse aliases and anchored or tagged values.
fn check_plain(node: &Node) -> Result<(), Refusal> {
    match (&node.kind, node.props) {
        (Kind::Alias, _) => Err(Refusal::new(
            node.start,
            "the path goes through an alias (`*name`); edit the anchored value instead",
        )),
        (_, true) => Err(Refusal::new(
            node.start,
            "the path goes through a value with an anchor (`&`) or a tag (`!`)",
        )),
        _ => Ok(()),
    }
}

/// The value to write where `steps` are still missing: nested mappings
/// around `leaf` (or around `[leaf]` for an append).
fn nest(steps: &[Step], leaf: &Value, append: bool, at: usize) -> Result<Value, Refusal> {
    let mut value = if append {
        Value::Array(vec![leaf.clone()])
    } else {
        leaf.clone()
    };
    for step in steps.iter().rev() {
        let Step::Key(key) = step else {
            return Err(Refusal::new(at, "an index into a list that does not exist"));
        };
        let mut object = Map::new();
        object.insert(key.clone(), value);
        value = Value::Object(object);
    }
    Ok(value)
}

// ---------------------------------------------------------------------------
// Writing values.

/// What a replaced value looked like, so that its replacement can keep the
/// style.
enum Old {
    None,
    Scalar(ScalarStyle),
    FlowSeq,
}

impl Old {
    fn of(node: &Node) -> Self {
        match &node.kind {
            Kind::Scalar { style, .. } if !node.is_implicit_null() => Old::Scalar(*style),
            Kind::Seq(items) if node.flow && !items.is_empty() => Old::FlowSeq,
            _ => Old::None,
        }
    }
}

/// How the file indents, and its line break.
struct Layout {
    /// Columns a nested mapping is indented by.
    step: usize,
    /// Columns a list's `-` is indented under its key (0 or the step).
    seq_offset: usize,
    newline: &'static str,
}

impl Layout {
    /// Learn the indentation from the first nested block mapping and the
    /// first block list under a key.
    fn detect(text: &str, root: &Node) -> Self {
        let (mut step, mut seq_offset) = (None, None);
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match &node.kind {
                Kind::Map(entries) => {
                    stack.extend(entries.iter().rev().map(|e| &e.value));
                    if node.flow {
                        continue;
                    }
                    for entry in entries {
                        let key_col = column(text, entry.key_start);
                        let value = &entry.value;
                        match &value.kind {
                            Kind::Map(inner) if !value.flow && step.is_none() => {
                                step = inner
                                    .first()
                                    .map(|e| column(text, e.key_start))
                                    .filter(|&c| c > key_col)
                                    .map(|c| c - key_col);
                            }
                            Kind::Seq(items) if !value.flow && seq_offset.is_none() => {
                                seq_offset = items
                                    .first()
                                    .and_then(|i| i.dash)
                                    .map(|d| column(text, d))
                                    .filter(|&c| c >= key_col)
                                    .map(|c| c - key_col);
                            }
                            _ => {}
                        }
                    }
                }
                Kind::Seq(items) => stack.extend(items.iter().rev().map(|i| &i.value)),
                Kind::Scalar { .. } | Kind::Alias => {}
            }
        }
        let step = step.unwrap_or(2);
        Layout {
            step,
            seq_offset: seq_offset.unwrap_or(step),
            newline: if text.contains("\r\n") { "\r\n" } else { "\n" },
        }
    }

    /// The text that follows `key:` or `-` (at column `col`) for `value`:
    /// ` scalar`, ` |-` and indented lines, or a line break and a nested
    /// block. List items hold nested blocks compactly (`- at: ...`).
    fn after_indicator(&self, value: &Value, col: usize, in_seq: bool, old: &Old) -> String {
        // Children of a list item line up after its `- `.
        let (map_indent, seq_indent) = if in_seq {
            (col + 2, col + 2)
        } else {
            (col + self.step, col + self.seq_offset)
        };
        let keep_flow_list = matches!((old, value), (Old::FlowSeq, Value::Array(items))
            if items.iter().all(|i| !i.is_array() && !i.is_object()));
        match value {
            Value::String(s) => match choose_style(s, old, false) {
                Style::Literal => format!(" {}", self.literal(s, map_indent)),
                style => format!(" {}", inline_scalar(s, style)),
            },
            Value::Array(items) if !items.is_empty() && !keep_flow_list => {
                let mut out = String::new();
                for (i, item) in items.iter().enumerate() {
                    self.item_start(&mut out, i == 0 && in_seq, seq_indent);
                    out.push('-');
                    out.push_str(&self.after_indicator(item, seq_indent, true, &Old::None));
                }
                out
            }
            Value::Object(map) if !map.is_empty() => {
                let mut out = String::new();
                for (i, (key, value)) in map.iter().enumerate() {
                    self.item_start(&mut out, i == 0 && in_seq, map_indent);
                    out.push_str(&key_text(key, false));
                    out.push(':');
                    out.push_str(&self.after_indicator(value, map_indent, false, &Old::None));
                }
                out
            }
            other => format!(" {}", flow_value(other, old)),
        }
    }

    /// Start a nested line, or stay on the `-` line for a list item's first.
    fn item_start(&self, out: &mut String, compact: bool, indent: usize) {
        if compact {
            out.push(' ');
        } else {
            out.push_str(self.newline);
            out.push_str(&" ".repeat(indent));
        }
    }

    /// `|` (one final newline) or `|-` (none) and the indented lines.
    fn literal(&self, s: &str, indent: usize) -> String {
        let (body, mut out) = match s.strip_suffix('\n') {
            Some(body) => (body, String::from("|")),
            None => (s, String::from("|-")),
        };
        for line in body.split('\n') {
            out.push_str(self.newline);
            if !line.is_empty() {
                out.push_str(&" ".repeat(indent));
                out.push_str(line);
            }
        }
        out
    }
}

/// How one string is written.
#[derive(Clone, Copy)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

fn choose_style(s: &str, old: &Old, flow: bool) -> Style {
    let multi_line = s.contains('\n');
    match old {
        Old::Scalar(ScalarStyle::SingleQuoted) if !multi_line && s.chars().all(inline_safe) => {
            return Style::Single;
        }
        Old::Scalar(ScalarStyle::DoubleQuoted) => return Style::Double,
        Old::Scalar(ScalarStyle::Literal | ScalarStyle::Folded) if !flow && literal_ok(s) => {
            return Style::Literal;
        }
        _ => {}
    }
    // Timestamps are written plain, as `gitsm new` and the records do.
    if plain_ok(s, flow, true) {
        Style::Plain
    } else if !flow && literal_ok(s) {
        Style::Literal
    } else {
        Style::Double
    }
}

fn inline_scalar(s: &str, style: Style) -> String {
    match style {
        Style::Plain => s.to_owned(),
        Style::Single => format!("'{}'", s.replace('\'', "''")),
        Style::Double | Style::Literal => double_quoted(s),
    }
}

/// JSON-style escapes, which YAML double-quoted strings understand.
fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if !inline_safe(c) => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters that may stand in a one-line scalar as they are.
fn inline_safe(c: char) -> bool {
    c == '\t'
        || !(c.is_control()
            || matches!(
                c,
                '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
            ))
}

/// Whether `s` can be a literal block without an indentation indicator or
/// `|+`: several lines, the first not indented, no whitespace-only lines and
/// at most one final newline.
fn literal_ok(s: &str) -> bool {
    s.contains('\n')
        && !s.ends_with("\n\n")
        && !s.starts_with([' ', '\t', '\n'])
        && s.chars().all(|c| c == '\n' || inline_safe(c))
        && !s.split('\n').any(|l| !l.is_empty() && l.trim().is_empty())
}

/// Whether `s` written plain reads back as the same string. A date-looking
/// string is only plain where it replaces a plain date (`plain_date`).
fn plain_ok(s: &str, flow: bool, plain_date: bool) -> bool {
    if !one_line_token(s) || (looks_like_date(s) && !plain_date) {
        return false;
    }
    if flow {
        reads_back(&format!("k: [{s}]\n"), &json!({ "k": [s] }))
    } else {
        reads_back(&format!("k: {s}\n"), &json!({ "k": s }))
    }
}

/// A key: plain when it would be a plain string as a value too (so `true`
/// or `2026-01-01` are quoted for other YAML tools) and reads back as
/// itself, double-quoted otherwise.
fn key_text(key: &str, flow: bool) -> String {
    let plain = plain_ok(key, flow, false)
        && if flow {
            reads_back(&format!("k: {{{key}: 0}}\n"), &json!({ "k": { key: 0 } }))
        } else {
            reads_back(&format!("{key}: 0\n"), &json!({ key: 0 }))
        };
    if plain {
        key.to_owned()
    } else {
        double_quoted(key)
    }
}

fn one_line_token(s: &str) -> bool {
    !s.is_empty() && s.trim() == s && s.chars().all(|c| c != '\t' && inline_safe(c))
}

/// The parser is the judge of what a plain scalar means.
fn reads_back(doc: &str, expected: &Value) -> bool {
    yaml::parse(doc).is_ok_and(|node| node.to_json() == *expected)
}

/// `2026-01-01`, `2026-1-1T09:00`: a timestamp to YAML 1.1 readers.
fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |from: usize, max: usize| {
        b.get(from..)
            .unwrap_or_default()
            .iter()
            .take(max)
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    if digits(0, 4) != 4 || b.get(4) != Some(&b'-') {
        return false;
    }
    let month = digits(5, 2);
    if month == 0 || b.get(5 + month) != Some(&b'-') {
        return false;
    }
    let day_at = 6 + month;
    let day = digits(day_at, 2);
    day > 0 && matches!(b.get(day_at + day), None | Some(b'T' | b't' | b' ' | b'\t'))
}

/// A value on one line: `[a, b]`, `{k: v}`, or a scalar in `old`'s style
/// when possible.
fn flow_value(value: &Value, old: &Old) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => inline_scalar(s, choose_style(s, old, true)),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|v| flow_value(v, &Old::None)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", key_text(k, true), flow_value(v, &Old::None)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = "\
# yaml-language-server: $schema=../schemas/incident.schema.json
id: INC-0001
title: \"VPN drops\"   # reported by phone
status: new
created_at: 2026-11-20T09:00:00+01:00
reported_by: alice
description: |
  Users report the VPN drops every 10 minutes.

  Started after the firewall change.
notes:
  - at: 2026-11-20T09:05:00+01:00
    by: alice
    text: Called the user.
";

    /// `a/b/0` → steps; all-digit segments are indices.
    fn path(p: &str) -> Vec<Step> {
        p.split('/')
            .map(|s| match s.parse() {
                Ok(i) => Step::Index(i),
                Err(_) => Step::Key(s.to_owned()),
            })
            .collect()
    }

    fn set(p: &str, value: Value) -> Edit {
        Edit::Set {
            path: path(p),
            value,
        }
    }

    fn append(p: &str, item: Value) -> Edit {
        Edit::Append {
            path: path(p),
            item,
        }
    }

    fn edit(text: &str, edits: &[Edit]) -> String {
        apply(text, edits).unwrap_or_else(|e| panic!("edit failed: {e}\n{text}"))
    }

    /// The lines removed from `before` and added in `after`, between their
    /// common first and last lines: everything else is byte for byte equal.
    fn changed<'a>(before: &'a str, after: &'a str) -> (Vec<&'a str>, Vec<&'a str>) {
        let a: Vec<&str> = before.split_inclusive('\n').collect();
        let b: Vec<&str> = after.split_inclusive('\n').collect();
        let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        let tail = a[head..]
            .iter()
            .rev()
            .zip(b[head..].iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        let trim = |l: &&'a str| l.trim_end_matches(['\r', '\n']);
        (
            a[head..a.len() - tail].iter().map(trim).collect(),
            b[head..b.len() - tail].iter().map(trim).collect(),
        )
    }

    fn assert_changed(before: &str, after: &str, removed: &[&str], added: &[&str]) {
        let (r, a) = changed(before, after);
        assert_eq!((r.as_slice(), a.as_slice()), (removed, added), "\n{after}");
    }

    #[test]
    fn replaces_a_value_and_nothing_else() {
        let out = edit(RECORD, &[set("status", json!("in_progress"))]);
        assert_eq!(out, RECORD.replace("status: new", "status: in_progress"));
    }

    #[test]
    fn keeps_double_quotes_and_the_comment_after_them() {
        let out = edit(RECORD, &[set("title", json!("VPN drops \"hourly\""))]);
        assert_changed(
            RECORD,
            &out,
            &["title: \"VPN drops\"   # reported by phone"],
            &["title: \"VPN drops \\\"hourly\\\"\"   # reported by phone"],
        );
    }

    #[test]
    fn keeps_single_quotes() {
        let out = edit("a: 'x'\nb: 1\n", &[set("a", json!("it's"))]);
        assert_eq!(out, "a: 'it''s'\nb: 1\n");
    }

    #[test]
    fn keeps_an_end_of_line_comment() {
        let text = "status: new  # set by the service desk\nid: INC-1\n";
        let out = edit(text, &[set("status", json!("resolved"))]);
        assert_eq!(
            out,
            "status: resolved  # set by the service desk\nid: INC-1\n"
        );
    }

    #[test]
    fn new_key_goes_after_a_final_block_scalar() {
        let text = "id: INC-1\ndescription: |\n  Line one.\n\n  Line two.\n";
        let out = edit(text, &[set("priority", json!("P2"))]);
        assert_eq!(
            out,
            "id: INC-1\ndescription: |\n  Line one.\n\n  Line two.\npriority: P2\n"
        );
    }

    #[test]
    fn new_key_goes_before_trailing_blank_and_comment_lines() {
        let text = "id: INC-1\ndescription: |\n  Text.\n\n# Closure\n";
        let out = edit(text, &[set("status", json!("closed"))]);
        assert_eq!(
            out,
            "id: INC-1\ndescription: |\n  Text.\nstatus: closed\n\n# Closure\n"
        );
    }

    #[test]
    fn new_key_goes_after_a_comment_on_the_last_line() {
        let text = "a: 1\nb: 2  # last\n";
        assert_eq!(
            edit(text, &[set("c", json!(3))]),
            "a: 1\nb: 2  # last\nc: 3\n"
        );
    }

    #[test]
    fn creates_missing_parent_mappings() {
        let out = edit(RECORD, &[set("resolution/code", json!("fixed"))]);
        assert_eq!(out, format!("{RECORD}resolution:\n  code: fixed\n"));
    }

    #[test]
    fn adds_to_an_existing_nested_mapping() {
        let text = "resolution:\n  summary: Rebooted.\n# Closure\nstatus: resolved\n";
        let out = edit(text, &[set("resolution/code", json!("fixed"))]);
        assert_eq!(
            out,
            "resolution:\n  summary: Rebooted.\n  code: fixed\n# Closure\nstatus: resolved\n"
        );
    }

    #[test]
    fn fills_a_null_parent() {
        for text in ["resolution:\nstatus: new\n", "resolution: ~\nstatus: new\n"] {
            let out = edit(text, &[set("resolution/code", json!("fixed"))]);
            assert_eq!(out, "resolution:\n  code: fixed\nstatus: new\n", "{text}");
        }
    }

    #[test]
    fn keeps_a_comment_after_an_empty_value() {
        let text = "closed_at:   # set on close\nstatus: new\n";
        let out = edit(text, &[set("closed_at", json!("tomorrow"))]);
        assert_eq!(out, "closed_at: tomorrow   # set on close\nstatus: new\n");
        let out = edit(text, &[set("closed_at", json!({"by": "bob"}))]);
        assert_eq!(out, "closed_at:   # set on close\n  by: bob\nstatus: new\n");
    }

    fn note(text: &str) -> Value {
        json!({"at": "2026-11-20T10:00:00+01:00", "by": "bob", "text": text})
    }

    #[test]
    fn appends_a_note_to_a_block_list() {
        let out = edit(RECORD, &[append("notes", note("Rebooted the firewall."))]);
        assert_eq!(
            out,
            format!(
                "{RECORD}  - at: 2026-11-20T10:00:00+01:00\n    by: bob\n    text: Rebooted the firewall.\n"
            )
        );
    }

    #[test]
    fn appends_a_note_to_an_empty_flow_list() {
        let text = "notes: []\nstatus: new\n";
        let out = edit(text, &[append("notes", note("Hi."))]);
        assert_eq!(
            out,
            "notes:\n  - at: 2026-11-20T10:00:00+01:00\n    by: bob\n    text: Hi.\nstatus: new\n"
        );
    }

    #[test]
    fn appends_a_note_to_a_null_or_absent_list() {
        let expected =
            "notes:\n  - at: 2026-11-20T10:00:00+01:00\n    by: bob\n    text: Hi.\nstatus: new\n";
        assert_eq!(
            edit("notes:\nstatus: new\n", &[append("notes", note("Hi."))]),
            expected
        );
        let out = edit("status: new\n", &[append("notes", note("Hi."))]);
        assert_eq!(
            out,
            "status: new\nnotes:\n  - at: 2026-11-20T10:00:00+01:00\n    by: bob\n    text: Hi.\n"
        );
    }

    #[test]
    fn multi_line_note_text_is_a_literal_block() {
        let out = edit(
            RECORD,
            &[append(
                "notes",
                note("Rebooted.\nUser confirms.\n\nClosing."),
            )],
        );
        assert!(
            out.ends_with(
                "    text: |-\n      Rebooted.\n      User confirms.\n\n      Closing.\n"
            ),
            "{out}"
        );
        let out = edit(RECORD, &[set("notes/0/text", json!("One.\nTwo.\n"))]);
        assert_changed(
            RECORD,
            &out,
            &["    text: Called the user."],
            &["    text: |", "      One.", "      Two."],
        );
    }

    #[test]
    fn replaces_a_block_scalar() {
        let out = edit(RECORD, &[set("description", json!("New text.\nMore.\n"))]);
        assert_changed(
            RECORD,
            &out,
            &[
                "  Users report the VPN drops every 10 minutes.",
                "",
                "  Started after the firewall change.",
            ],
            &["  New text.", "  More."],
        );
        let out = edit(RECORD, &[set("description", json!("Short."))]);
        assert!(
            out.contains("reported_by: alice\ndescription: Short.\nnotes:\n"),
            "{out}"
        );
    }

    #[test]
    fn keep_chomped_block_keeps_its_trailing_lines() {
        let text = "a: |+\n  keep\n\n\nb: 1\n";
        let out = edit(text, &[set("c", json!(2)), set("a", json!("x"))]);
        // The blank lines kept by `|+` are part of the old value.
        assert_eq!(out, "a: x\nb: 1\nc: 2\n");
        let out = edit("a: |+\n  keep\n\n", &[set("c", json!(2))]);
        assert_eq!(out, "a: |+\n  keep\n\nc: 2\n");
    }

    #[test]
    fn appends_to_a_flow_list() {
        let text = "cis: [web, 'db']  # affected\nid: X\n";
        let out = edit(text, &[append("cis", json!("mail server"))]);
        assert_eq!(out, "cis: [web, 'db', mail server]  # affected\nid: X\n");
        let out = edit(
            text,
            &[append("cis", json!({"id": "CI-1", "role": "a, b"}))],
        );
        assert_eq!(
            out,
            "cis: [web, 'db', {id: CI-1, role: \"a, b\"}]  # affected\nid: X\n"
        );
    }

    #[test]
    fn replaces_lists_in_their_style() {
        let out = edit("cis: [web]\n", &[set("cis", json!(["web", "db"]))]);
        assert_eq!(out, "cis: [web, db]\n");
        let out = edit("cis:\n  - web\nid: X\n", &[set("cis", json!(["a", "b"]))]);
        assert_eq!(out, "cis:\n  - a\n  - b\nid: X\n");
        let out = edit("cis:\n- web\nid: X\n", &[set("cis", json!(["a", "b"]))]);
        assert_eq!(out, "cis:\n- a\n- b\nid: X\n");
        let out = edit("cis:\n- web\nid: X\n", &[set("links", json!(["a"]))]);
        assert_eq!(out, "cis:\n- web\nid: X\nlinks:\n- a\n");
    }

    #[test]
    fn a_comment_after_a_flow_list_stays() {
        let text = "cis: [web]  # affected\nsla: {a: 1}  # agreed\n";
        let out = edit(text, &[set("cis", json!(["web", "db"]))]);
        assert_eq!(out, "cis: [web, db]  # affected\nsla: {a: 1}  # agreed\n");
        let out = edit(text, &[set("cis", json!([{"id": "CI-1"}]))]);
        assert_eq!(
            out,
            "cis:  # affected\n  - id: CI-1\nsla: {a: 1}  # agreed\n"
        );
        let out = edit(text, &[set("sla", json!("none"))]);
        assert_eq!(out, "cis: [web]  # affected\nsla: none  # agreed\n");
    }

    #[test]
    fn replacing_a_nested_block_keeps_the_key_line() {
        let text = "resolution:  # filled on close\n  code: x\n  by: y\nstatus: new\n";
        let out = edit(text, &[set("resolution", json!({"code": "fixed"}))]);
        assert_eq!(
            out,
            "resolution:  # filled on close\n  code: fixed\nstatus: new\n"
        );
        let out = edit(text, &[set("resolution", json!("none"))]);
        assert_eq!(out, "resolution: none  # filled on close\nstatus: new\n");
    }

    #[test]
    fn a_comment_after_a_value_stays_out_of_a_new_block() {
        let text = "a: 1 # c\nb: 2\n";
        let out = edit(text, &[set("a", json!("new\nlines"))]);
        assert_eq!(out, "a: |- # c\n  new\n  lines\nb: 2\n");
        let out = edit(text, &[set("a", json!(["x"]))]);
        assert_eq!(out, "a: # c\n  - x\nb: 2\n");
    }

    #[test]
    fn a_byte_order_mark_takes_no_column() {
        let text = "\u{FEFF}a: 1\nb: 2\n";
        assert_eq!(
            edit(text, &[set("c/d", json!(3))]),
            "\u{FEFF}a: 1\nb: 2\nc:\n  d: 3\n"
        );
    }

    #[test]
    fn follows_the_file_indentation_step() {
        let text = "a:\n    b: 1\nc: 2\n";
        let out = edit(text, &[set("d/e", json!(["x"]))]);
        assert_eq!(out, "a:\n    b: 1\nc: 2\nd:\n    e:\n        - x\n");
    }

    #[test]
    fn closes_a_hold_period() {
        let text = "on_hold:\n  - start: 2026-11-20T10:00:00Z\n    reason: waiting  # customer\nstatus: on_hold\n";
        let out = edit(text, &[set("on_hold/0/end", json!("2026-11-21T10:00:00Z"))]);
        assert_changed(text, &out, &[], &["    end: 2026-11-21T10:00:00Z"]);
        assert!(out.contains("# customer\n    end: "), "{out}");
    }

    #[test]
    fn replaces_a_list_item() {
        let text = "cis:\n  - web\n  - db\n";
        assert_eq!(
            edit(text, &[set("cis/1", json!("mail"))]),
            "cis:\n  - web\n  - mail\n"
        );
        let out = edit(
            text,
            &[set("cis/0", json!({"id": "CI-1", "role": "primary"}))],
        );
        assert_eq!(out, "cis:\n  - id: CI-1\n    role: primary\n  - db\n");
    }

    #[test]
    fn keeps_crlf_line_endings() {
        let text = RECORD.replace('\n', "\r\n");
        let out = edit(
            &text,
            &[
                set("status", json!("resolved")),
                set("resolution/code", json!("fixed")),
                append("notes", note("A\nB")),
            ],
        );
        assert_eq!(
            out.matches('\n').count(),
            out.matches("\r\n").count(),
            "{out:?}"
        );
        assert!(out.starts_with(&text[..text.find("status").unwrap_or(0)]));
        assert!(out.contains("status: resolved\r\n"));
        assert!(
            out.contains("      A\r\n      B\r\nresolution:\r\n  code: fixed\r\n"),
            "{out:?}"
        );
    }

    #[test]
    fn keeps_a_missing_final_newline() {
        let text = "id: X\nstatus: new";
        assert_eq!(
            edit(text, &[set("status", json!("closed"))]),
            "id: X\nstatus: closed"
        );
        assert_eq!(
            edit(text, &[set("a/b", json!(1))]),
            "id: X\nstatus: new\na:\n  b: 1"
        );
        let text = "id: X\nd: |\n  text";
        assert_eq!(
            edit(text, &[set("e", json!(1))]),
            "id: X\nd: |\n  text\ne: 1"
        );
    }

    #[test]
    fn handles_non_ascii_before_the_edit() {
        let text = "title: Café ☕ — ça coupe 🚀\nnote: \"émoji 🚀\"  # é\nstatus: new\n";
        let out = edit(
            text,
            &[
                set("status", json!("résolu")),
                set("note", json!("ok 👍")),
                append("tags", json!("ü")),
            ],
        );
        assert_eq!(
            out,
            "title: Café ☕ — ça coupe 🚀\nnote: \"ok 👍\"  # é\nstatus: résolu\ntags:\n  - ü\n"
        );
    }

    #[test]
    fn quotes_strings_that_would_read_back_differently() {
        let quoted = [
            "true",
            "123",
            "1.5",
            "0x1F",
            "null",
            "~",
            "",
            "a: b",
            "#x",
            "a #b",
            "*x",
            "&x",
            "!x",
            "- x",
            "[x",
            "{x",
            "|",
            ">",
            "%x",
            "@x",
            " lead",
            "trail ",
            "'q",
            "\"q",
            "tab\there",
            "bell\u{7}",
        ];
        for s in quoted {
            let out = edit("k: old\n", &[set("k", json!(s))]);
            assert_eq!(out, format!("k: {}\n", double_quoted(s)), "{s:?}");
        }
        // Timestamps are plain, as in every record (gitsm reads them as strings).
        for s in ["2026-01-01", "2026-11-20T10:00:00+01:00"] {
            assert_eq!(edit("k: old\n", &[set("k", json!(s))]), format!("k: {s}\n"));
        }
        for s in [
            "yes",
            "no",
            "INC-0001",
            "a-b",
            "hello world",
            "y:z",
            "50%",
            "-x",
            "é",
        ] {
            assert_eq!(
                edit("k: old\n", &[set("k", json!(s))]),
                format!("k: {s}\n"),
                "{s:?}"
            );
        }
        let out = edit(
            "k: old\n",
            &[
                set("k", json!(12)),
                set("b", json!(true)),
                set("n", Value::Null),
            ],
        );
        assert_eq!(out, "k: 12\nb: true\nn: null\n");
    }

    #[test]
    fn a_plain_date_stays_plain_in_place_of_a_plain_date() {
        let out = edit(
            RECORD,
            &[set("created_at", json!("2026-11-21T08:00:00+01:00"))],
        );
        assert!(
            out.contains("\ncreated_at: 2026-11-21T08:00:00+01:00\n"),
            "{out}"
        );
    }

    #[test]
    fn quotes_keys_when_needed() {
        let out = edit("a: 1\n", &[set("b: c", json!(1)), set("true", json!(2))]);
        assert_eq!(out, "a: 1\n\"b: c\": 1\n\"true\": 2\n");
    }

    #[test]
    fn edits_flow_mappings() {
        let text = "sla: {response: 1h}\n";
        let out = edit(
            text,
            &[
                set("sla/response", json!("2h")),
                set("sla/resolve", json!("8h")),
            ],
        );
        assert_eq!(out, "sla: {response: 2h, resolve: 8h}\n");
        let out = edit("sla: {}\n", &[set("sla/response", json!("2h"))]);
        assert_eq!(out, "sla:\n  response: 2h\n");
    }

    #[test]
    fn applies_several_edits_in_order() {
        let out = edit(
            RECORD,
            &[
                set("status", json!("resolved")),
                set("resolved_at", json!("2026-11-20T11:00:00+01:00")),
                append("notes", note("Done.")),
            ],
        );
        let expected = format!(
            "{}  - at: 2026-11-20T10:00:00+01:00\n    by: bob\n    text: Done.\n\
             resolved_at: 2026-11-20T11:00:00+01:00\n",
            RECORD.replace("status: new", "status: resolved")
        );
        assert_eq!(out, expected);
    }

    fn refusal(text: &str, edits: &[Edit]) -> EditError {
        match apply(text, edits) {
            Ok(out) => panic!("expected a refusal, got:\n{out}"),
            Err(e) => e,
        }
    }

    #[test]
    fn refuses_aliases_anchors_and_tags() {
        let text = "base: &b web\ncopy: *b\nn: !!str 12\nother: x\n";
        for p in ["copy", "base", "n"] {
            let err = refusal(text, &[set(p, json!("y"))]);
            assert!(matches!(err, EditError::Unsupported { .. }), "{p}: {err}");
        }
        let err = refusal(text, &[set("copy", json!("y"))]);
        assert_eq!(
            err.to_string().split(':').take(2).collect::<Vec<_>>(),
            ["2", "7"]
        );
        assert!(err.to_string().contains("alias"), "{err}");
        assert_eq!(
            edit(text, &[set("other", json!("z"))]),
            "base: &b web\ncopy: *b\nn: !!str 12\nother: z\n"
        );
    }

    #[test]
    fn refuses_explicit_keys() {
        let err = refusal("? a\n: 1\nb: 2\n", &[set("b", json!(3))]);
        assert!(err.to_string().contains("explicit"), "{err}");
    }

    #[test]
    fn refuses_documents_that_are_not_mappings() {
        for text in ["- a\n- b\n", "just text\n", "", "# only a comment\n"] {
            let err = refusal(text, &[set("a", json!(1))]);
            assert!(matches!(err, EditError::NotAMapping), "{text:?}: {err}");
        }
        let err = refusal("a: 1\n---\nb: 2\n", &[set("a", json!(2))]);
        assert!(matches!(err, EditError::Parse(_)), "{err}");
    }

    #[test]
    fn refuses_paths_that_do_not_fit() {
        let err = refusal(RECORD, &[set("title/x", json!(1))]);
        assert_eq!(err.to_string(), "`title` is a string, not a mapping");
        let err = refusal(RECORD, &[set("notes/3/end", json!(1))]);
        assert_eq!(
            err.to_string(),
            "`notes` has 1 items, so there is no item 3"
        );
        let err = refusal(RECORD, &[append("status", json!(1))]);
        assert_eq!(err.to_string(), "`status` is a string, not a list");
        let err = refusal(
            RECORD,
            &[Edit::Set {
                path: vec![],
                value: json!(1),
            }],
        );
        assert!(matches!(err, EditError::EmptyPath), "{err}");
    }

    #[test]
    fn never_panics_and_never_returns_a_wrong_file() {
        let texts = [
            RECORD,
            "a: [1, {b: 2}]\n",
            "a:\n  - - x\n    - y\n  -\n  - |\n    t\n",
            "a: {b: [1, 2], c: }\n",
            "a: \"multi\n  line\"\nb: 'it''s'\n",
            "a: plain\n  continued\nb: 1\n",
            "a: &x {b: 1}\nc: *x\n",
            "a: |2\n    indented\nb: >-\n  folded\n  text\n",
            "--- \na: 1\n...\n",
            "\u{FEFF}a: 1\n",
            "a:\t1\n",
            "\"quoted key\": 1\n'k': 2\n",
            "a: [x,\n  y,\n]\n",
            "a: 1 # c\n#c2\n  # c3\n",
        ];
        let edits = [
            set("a", json!("new\nlines")),
            set("a", json!({"x": [1, {"y": "z"}]})),
            set("a/0", json!("q")),
            set("a/b", json!("# not a comment")),
            append("a", json!({"k": "v: w"})),
            append("a/0", json!("i")),
            set("z/y", json!([])),
            set("quoted key", json!(2)),
            set("a/new", json!("v")),
        ];
        for text in texts {
            for e in &edits {
                let Ok(out) = apply(text, std::slice::from_ref(e)) else {
                    continue;
                };
                let mut expected = yaml::parse(text).expect("parses").to_json();
                apply_to_json(&mut expected, e).expect("applies");
                assert_eq!(
                    yaml::parse(&out).expect("reparses").to_json(),
                    expected,
                    "{text:?} {e:?}\n{out}"
                );
            }
        }
    }

    mod styles {
        //! Records written in every style gitsm accepts, edited at random:
        //! the edit is made, reads back as intended, and every other
        //! top-level entry is left byte for byte.

        use proptest::prelude::*;
        use serde_json::{Value, json};

        use super::super::{Edit, Step, apply, apply_to_json};

        /// A field in one of its styles, as lines (without line ends).
        fn title() -> impl Strategy<Value = Vec<String>> {
            prop_oneof![
                Just(vec!["title: VPN drops".to_owned()]),
                Just(vec!["title: 'VPN: drops'".to_owned()]),
                Just(vec!["\"title\": \"VPN drops\"   # by phone".to_owned()]),
            ]
        }

        fn notes() -> impl Strategy<Value = Vec<String>> {
            let block = vec![
                "notes:".to_owned(),
                "  - at: 2026-11-20T10:00:00+01:00".to_owned(),
                "    by: ben".to_owned(),
                "    text: one".to_owned(),
                "  # a comment between items".to_owned(),
                "  - at: 2026-11-20T11:00:00+01:00".to_owned(),
                "    by: ben".to_owned(),
                "    text: two".to_owned(),
            ];
            let flow_items = vec![
                "notes:".to_owned(),
                "  - { at: 2026-11-20T10:00:00+01:00, by: ben, text: one }".to_owned(),
                "  - {at: 2026-11-20T11:00:00+01:00, by: ben, text: \"two, three\"}".to_owned(),
            ];
            let flow_list = vec![
                "notes: [{ at: 2026-11-20T10:00:00+01:00, by: ben, text: one },".to_owned(),
                "  { at: 2026-11-20T11:00:00+01:00, by: ben, text: two }]".to_owned(),
            ];
            let unindented = vec![
                "notes:".to_owned(),
                "- at: 2026-11-20T10:00:00+01:00".to_owned(),
                "  by: ben".to_owned(),
                "  text: one".to_owned(),
            ];
            prop_oneof![
                Just(block),
                Just(flow_items),
                Just(flow_list),
                Just(unindented)
            ]
        }

        fn links() -> impl Strategy<Value = Vec<String>> {
            prop_oneof![
                Just(vec!["links: [INC-0001, INC-0002]".to_owned()]),
                Just(vec![
                    "links: [INC-0001,".to_owned(),
                    "  INC-0002]   # two".to_owned()
                ]),
                Just(vec![
                    "links:".to_owned(),
                    "  - INC-0001".to_owned(),
                    "  - INC-0002".to_owned()
                ]),
                Just(vec!["'links': []".to_owned()]),
            ]
        }

        /// Top-level entries in a random order, with CRLF or LF.
        fn record() -> impl Strategy<Value = (Vec<(&'static str, Vec<String>)>, bool)> {
            (title(), notes(), links(), any::<bool>(), any::<bool>()).prop_map(
                |(title, notes, links, reversed, crlf)| {
                    let mut entries = vec![
                        ("id", vec!["id: INC-0001".to_owned()]),
                        ("title", title),
                        ("status", vec!["status: new   # triage".to_owned()]),
                        ("notes", notes),
                        ("links", links),
                    ];
                    if reversed {
                        entries[1..].reverse();
                    }
                    (entries, crlf)
                },
            )
        }

        fn edit() -> impl Strategy<Value = (&'static str, Edit)> {
            let key = |k: &str| vec![Step::Key(k.to_owned())];
            prop_oneof![
                Just((
                    "title",
                    Edit::Set {
                        path: key("title"),
                        value: json!("New: title")
                    }
                )),
                Just((
                    "status",
                    Edit::Set {
                        path: key("status"),
                        value: json!("in_progress")
                    }
                )),
                Just((
                    "notes",
                    Edit::Append {
                        path: key("notes"),
                        item: json!({"at": "2026-11-21T09:00:00+01:00", "by": "ann", "text": "x, y"}),
                    }
                )),
                Just((
                    "links",
                    Edit::Append {
                        path: key("links"),
                        item: json!("INC-0003")
                    }
                )),
                Just((
                    "category",
                    Edit::Set {
                        path: key("category"),
                        value: json!("network")
                    }
                )),
                Just((
                    "notes",
                    Edit::Set {
                        path: vec![
                            Step::Key("notes".into()),
                            Step::Index(0),
                            Step::Key("text".into())
                        ],
                        value: json!("edited"),
                    }
                )),
            ]
        }

        /// The text of each top-level entry: from its key's line to the
        /// next key's line.
        fn entries(text: &str) -> Vec<(String, String)> {
            let mut out: Vec<(String, String)> = Vec::new();
            for line in text.split_inclusive('\n') {
                let top = line
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '\'' || c == '"');
                if top {
                    let key = line
                        .split(':')
                        .next()
                        .unwrap_or_default()
                        .trim_matches(['\'', '"'])
                        .to_owned();
                    out.push((key, String::new()));
                }
                if let Some(last) = out.last_mut() {
                    last.1.push_str(line);
                }
            }
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn any_style_is_edited_in_place((fields, crlf) in record(), (edited, edit) in edit()) {
                let eol = if crlf { "\r\n" } else { "\n" };
                let text: String = fields
                    .iter()
                    .flat_map(|(_, lines)| lines.iter())
                    .map(|l| format!("{l}{eol}"))
                    .collect();
                let out = apply(&text, std::slice::from_ref(&edit))
                    .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
                // It reads back as the edit says.
                let mut expected = crate::yaml::parse(&text).expect("parses").to_json();
                apply_to_json(&mut expected, &edit).expect("applies");
                let got: Value = crate::yaml::parse(&out).expect("re-parses").to_json();
                prop_assert_eq!(got, expected, "{}", out);
                // Every other entry is unchanged, byte for byte, line ends included.
                let before = entries(&text);
                let after = entries(&out);
                for (key, body) in &before {
                    if key != edited {
                        let kept = after.iter().find(|(k, _)| k == key).map(|(_, b)| b.as_str());
                        // A new key lands after the last entry, which may
                        // then end with the new line: compare its start.
                        let kept = kept.unwrap_or_default();
                        prop_assert!(kept.starts_with(body.as_str()), "{} changed:\n{}", key, out);
                    }
                }
                // The file's line ends are kept.
                if crlf {
                    prop_assert_eq!(out.matches('\n').count(), out.matches("\r\n").count(), "{}", out);
                } else {
                    prop_assert!(!out.contains('\r'));
                }
            }
        }
    }
}
