//! A YAML reader that remembers where every key and value came from.
//!
//! Records are parsed once into a [`Node`] tree whose nodes carry their line
//! and column, so that every diagnostic can name `path:line:col`. The reader
//! is strict where a ticket file should be: one document per file, string
//! keys, no duplicate keys, bounded nesting and bounded alias expansion (a
//! "billion laughs" file, or one repeating a long string by alias, is
//! refused once it expands past [`MAX_NODES`] nodes or [`max_bytes`] bytes,
//! instead of exhausting memory). Plain scalars are resolved with the YAML 1.2 core
//! schema, so `yes` stays a string and `2026-01-01` is a date string.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::Value;

/// Most nodes one file may expand to (aliases included).
pub const MAX_NODES: usize = 200_000;
/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 64;
/// The most bytes of text (scalars and keys) any document may expand to.
pub const MAX_EXPANDED_BYTES: usize = 16 * 1024 * 1024;

/// The most bytes of text a document of `len` bytes may expand to through
/// aliases: 16 times its size (at least 64 KiB), at most
/// [`MAX_EXPANDED_BYTES`].
pub fn max_bytes(len: usize) -> usize {
    len.saturating_mul(16).clamp(64 * 1024, MAX_EXPANDED_BYTES)
}

/// What a node costs once expanded: its nodes, and the bytes of its text
/// (each node counts 8 bytes besides its strings).
#[derive(Debug, Clone, Copy, Default)]
struct Weight {
    nodes: usize,
    bytes: usize,
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, col: 1 };

    fn from_span(span: &Span) -> Pos {
        Pos {
            line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
            col: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
        }
    }
}

/// A parsed YAML value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: NodeValue,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One `key: value` pair of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

/// Why a YAML text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub message: String,
    pub pos: Pos,
}

impl YamlError {
    fn new(message: impl Into<String>, pos: Pos) -> Self {
        YamlError {
            message: message.into(),
            pos,
        }
    }
}

/// One step of a path into a document (a JSON Pointer segment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    Key(Cow<'a, str>),
    Index(usize),
}

impl Node {
    /// Number of nodes in this subtree.
    fn weight(&self) -> Weight {
        let mut w = Weight { nodes: 1, bytes: 8 };
        match &self.value {
            NodeValue::Str(s) => w.bytes = w.bytes.saturating_add(s.len()),
            NodeValue::Seq(items) => {
                for item in items {
                    w.add(item.weight());
                }
            }
            NodeValue::Map(entries) => {
                for e in entries {
                    w.bytes = w.bytes.saturating_add(e.key.len());
                    w.add(e.value.weight());
                }
            }
            _ => {}
        }
        w
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            NodeValue::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, NodeValue::Null)
    }

    /// The node at `path`, or the deepest node on the way there.
    pub fn find<'s, 'p>(&'s self, path: impl IntoIterator<Item = Segment<'p>>) -> &'s Node {
        let mut node = self;
        for seg in path {
            let next = match (&node.value, seg) {
                (NodeValue::Map(entries), Segment::Key(k)) => {
                    entries.iter().find(|e| e.key == k).map(|e| &e.value)
                }
                (NodeValue::Seq(items), Segment::Index(i)) => items.get(i),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node
    }

    /// Position of the key `key` inside the mapping at `path`, falling back
    /// to the mapping itself.
    pub fn key_pos<'p>(&self, path: impl IntoIterator<Item = Segment<'p>>, key: &str) -> Pos {
        let parent = self.find(path);
        parent.entry(key).map_or(parent.pos, |e| e.key_pos)
    }

    /// [`Node::to_json`] without copying the strings, when the positions
    /// are no longer needed.
    pub fn into_json(self) -> Value {
        match self.value {
            NodeValue::Str(s) => Value::String(s),
            NodeValue::Seq(items) => Value::Array(items.into_iter().map(Node::into_json).collect()),
            NodeValue::Map(entries) => Value::Object(
                entries
                    .into_iter()
                    .map(|e| (e.key, e.value.into_json()))
                    .collect(),
            ),
            _ => self.to_json(),
        }
    }

    /// Convert to JSON for schema validation and typed deserialisation.
    pub fn to_json(&self) -> Value {
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Int(i) => Value::from(*i),
            NodeValue::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
            }
            NodeValue::Str(s) => Value::String(s.clone()),
            NodeValue::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeValue::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Parse one YAML document. An empty text gives a `Null` node.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    let mut builder = Builder::new(max_bytes(text.len()));
    let mut documents = 0usize;
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| {
            let m = e.marker();
            YamlError::new(
                format!("invalid YAML: {}", e.info()),
                Pos {
                    line: u32::try_from(m.line()).unwrap_or(u32::MAX),
                    col: u32::try_from(m.col() + 1).unwrap_or(u32::MAX),
                },
            )
        })?;
        let pos = Pos::from_span(&span);
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(YamlError::new(
                        "a record file holds exactly one YAML document (found a second `---`)",
                        pos,
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let value = resolve_scalar(&text, style, tag.as_deref(), pos)?;
                builder.push(Node { value, pos }, anchor)?;
            }
            Event::SequenceStart(anchor, tag) => {
                reject_tag(tag.as_deref(), pos)?;
                builder.open(
                    Node {
                        value: NodeValue::Seq(Vec::new()),
                        pos,
                    },
                    anchor,
                )?;
            }
            Event::MappingStart(anchor, tag) => {
                reject_tag(tag.as_deref(), pos)?;
                builder.open(
                    Node {
                        value: NodeValue::Map(Vec::new()),
                        pos,
                    },
                    anchor,
                )?;
            }
            Event::SequenceEnd | Event::MappingEnd => builder.close()?,
            Event::Alias(id) => builder.alias(id, pos)?,
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    Ok(builder.root.unwrap_or(Node {
        value: NodeValue::Null,
        pos: Pos::START,
    }))
}

/// The string value of a top-level `key` of a mapping document, read by
/// streaming the document only as far as that key: for reading one field
/// of many files (the status of every record version in history). `None`
/// when the document is not a mapping, lacks the key, the value is not a
/// string, or the text before it is not valid YAML; what follows the key
/// is not read.
pub fn top_level_str(text: &str, key: &str) -> Option<String> {
    let mut depth = 0usize;
    let mut at_key = true;
    let mut wanted = false;
    for item in Parser::new_from_str(text) {
        let (event, span) = item.ok()?;
        match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => {}
            Event::MappingStart(..) if depth == 0 => depth = 1,
            Event::MappingStart(..) | Event::SequenceStart(..) if depth > 0 => {
                if depth == 1 && wanted {
                    return None;
                }
                depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd if depth > 1 => {
                depth -= 1;
                if depth == 1 {
                    at_key = !at_key;
                }
            }
            Event::Scalar(value, style, _, tag) if depth == 1 => {
                if wanted {
                    let pos = Pos::from_span(&span);
                    return match resolve_scalar(&value, style, tag.as_deref(), pos).ok()? {
                        NodeValue::Str(s) => Some(s),
                        _ => None,
                    };
                }
                wanted = at_key && value == key;
                at_key = !at_key;
            }
            Event::Alias(_) if depth == 1 => {
                if wanted {
                    return None;
                }
                at_key = !at_key;
            }
            Event::Scalar(..) | Event::Alias(_) if depth > 1 => {}
            _ => return None,
        }
    }
    None
}

fn reject_tag(tag: Option<&saphyr_parser::Tag>, pos: Pos) -> Result<(), YamlError> {
    match tag {
        Some(t) if !(t.handle == "tag:yaml.org,2002:" || t.handle == "!!") => Err(YamlError::new(
            format!(
                "YAML tags such as `{}{}` are not supported",
                t.handle, t.suffix
            ),
            pos,
        )),
        _ => Ok(()),
    }
}

fn resolve_scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&saphyr_parser::Tag>,
    pos: Pos,
) -> Result<NodeValue, YamlError> {
    if let Some(t) = tag {
        reject_tag(Some(t), pos)?;
        return match t.suffix.as_str() {
            "str" => Ok(NodeValue::Str(text.to_owned())),
            "null" | "bool" | "int" | "float" => Ok(resolve_plain(text)),
            other => Err(YamlError::new(
                format!("YAML tag `!!{other}` is not supported"),
                pos,
            )),
        };
    }
    Ok(match style {
        ScalarStyle::Plain => resolve_plain(text),
        _ => NodeValue::Str(text.to_owned()),
    })
}

/// YAML 1.2 core schema resolution of a plain scalar.
fn resolve_plain(text: &str) -> NodeValue {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return NodeValue::Null,
        "true" | "True" | "TRUE" => return NodeValue::Bool(true),
        "false" | "False" | "FALSE" => return NodeValue::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return NodeValue::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return NodeValue::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return NodeValue::Float(f64::NAN),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(i) = text.parse::<i64>()
    {
        return NodeValue::Int(i);
    }
    if let Some(hex) = text.strip_prefix("0x")
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return NodeValue::Int(i);
    }
    if let Some(oct) = text.strip_prefix("0o")
        && let Ok(i) = i64::from_str_radix(oct, 8)
    {
        return NodeValue::Int(i);
    }
    if looks_like_float(text)
        && let Ok(f) = text.parse::<f64>()
    {
        return NodeValue::Float(f);
    }
    NodeValue::Str(text.to_owned())
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn looks_like_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (!int.is_empty() || !frac.is_empty())
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
                && !(int.is_empty() && frac.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

/// A collection being built: the node, its anchor id, and for a mapping
/// the key waiting for its value.
type Open = (Node, usize, Option<(String, Pos)>);

impl Weight {
    fn add(&mut self, other: Weight) {
        self.nodes = self.nodes.saturating_add(other.nodes);
        self.bytes = self.bytes.saturating_add(other.bytes);
    }
}

/// Builds the tree from the event stream without recursion.
struct Builder {
    stack: Vec<Open>,
    /// Anchored nodes and what a copy of each costs.
    anchors: HashMap<usize, (Node, Weight)>,
    expanded: Weight,
    max_bytes: usize,
    root: Option<Node>,
}

impl Builder {
    fn new(max_bytes: usize) -> Builder {
        Builder {
            stack: Vec::new(),
            anchors: HashMap::new(),
            expanded: Weight::default(),
            max_bytes,
            root: None,
        }
    }

    fn count(&mut self, w: Weight, pos: Pos) -> Result<(), YamlError> {
        self.expanded.add(w);
        if self.expanded.nodes > MAX_NODES {
            return Err(YamlError::new(
                format!(
                    "document expands to more than {MAX_NODES} nodes (an alias bomb?); refused"
                ),
                pos,
            ));
        }
        if self.expanded.bytes > self.max_bytes {
            return Err(YamlError::new(
                format!(
                    "document expands to more than {} bytes of text (an alias bomb?); refused",
                    self.max_bytes
                ),
                pos,
            ));
        }
        Ok(())
    }

    fn open(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        self.count(node.weight(), node.pos)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError::new(
                format!("nesting deeper than {MAX_DEPTH} levels"),
                node.pos,
            ));
        }
        self.stack.push((node, anchor, None));
        Ok(())
    }

    fn close(&mut self) -> Result<(), YamlError> {
        if let Some((node, anchor, pending)) = self.stack.pop() {
            if let Some((key, pos)) = pending {
                return Err(YamlError::new(format!("key `{key}` has no value"), pos));
            }
            self.attach(node, anchor)?;
        }
        Ok(())
    }

    fn push(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        self.count(node.weight(), node.pos)?;
        self.attach(node, anchor)
    }

    fn alias(&mut self, id: usize, pos: Pos) -> Result<(), YamlError> {
        let Some(weight) = self.anchors.get(&id).map(|(_, w)| *w) else {
            return Err(YamlError::new("alias to an unknown anchor", pos));
        };
        // Counted before the copy is made: a refused alias costs nothing.
        self.count(weight, pos)?;
        let Some(mut copy) = self.anchors.get(&id).map(|(n, _)| n.clone()) else {
            return Err(YamlError::new("alias to an unknown anchor", pos));
        };
        copy.pos = pos;
        self.attach(copy, 0)
    }

    fn attach(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            let weight = node.weight();
            self.anchors.insert(anchor, (node.clone(), weight));
        }
        let Some((parent, _, pending)) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match &mut parent.value {
            NodeValue::Seq(items) => items.push(node),
            NodeValue::Map(entries) => match pending.take() {
                None => {
                    let key = match node.value {
                        NodeValue::Str(s) => s,
                        NodeValue::Int(i) => i.to_string(),
                        NodeValue::Bool(b) => b.to_string(),
                        NodeValue::Null => {
                            return Err(YamlError::new("a mapping key may not be empty", node.pos));
                        }
                        NodeValue::Float(_) => {
                            return Err(YamlError::new(
                                "a mapping key may not be a number with a fraction",
                                node.pos,
                            ));
                        }
                        NodeValue::Seq(_) | NodeValue::Map(_) => {
                            return Err(YamlError::new(
                                "mapping keys must be plain strings",
                                node.pos,
                            ));
                        }
                    };
                    if let Some(first) = entries.iter().find(|e| e.key == key) {
                        return Err(YamlError::new(
                            format!(
                                "duplicate key `{key}` (first defined at line {})",
                                first.key_pos.line
                            ),
                            node.pos,
                        ));
                    }
                    *pending = Some((key, node.pos));
                }
                Some((key, key_pos)) => entries.push(Entry {
                    key,
                    key_pos,
                    value: node,
                }),
            },
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let node = parse("a: 1\nb:\n  - x\n  - y\n").expect("parses");
        let b = node.entry("b").expect("b");
        assert_eq!(b.key_pos, Pos { line: 2, col: 1 });
        let y = node.find([Segment::Key("b".into()), Segment::Index(1)]);
        assert_eq!(y.pos, Pos { line: 4, col: 5 });
        assert_eq!(y.as_str(), Some("y"));
    }

    #[test]
    fn core_schema_scalars() {
        let node = parse("a: yes\nb: 2026-01-01\nc: 12\nd: 1.5\ne: ~\nf: '12'\ng: true\n")
            .expect("parses");
        let json = node.to_json();
        assert_eq!(json["a"], "yes");
        assert_eq!(json["b"], "2026-01-01");
        assert_eq!(json["c"], 12);
        assert_eq!(json["d"], 1.5);
        assert!(json["e"].is_null());
        assert_eq!(json["f"], "12");
        assert_eq!(json["g"], true);
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let err = parse("a: 1\nb: 2\na: 3\n").expect_err("duplicate");
        assert_eq!(err.pos.line, 3);
        assert!(err.message.contains("duplicate key `a`"), "{}", err.message);
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for name in 'b'..='k' {
            text.push_str(&format!(
                "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = name;
        }
        let err = parse(&text).expect_err("bomb");
        assert!(err.message.contains("alias bomb"), "{}", err.message);
    }

    #[test]
    fn an_alias_byte_bomb_is_refused_by_its_bytes() {
        // Few nodes, many bytes: a 200 KB string repeated by alias 100
        // times would expand to 20 MB; the bound for this file is 16 times
        // its size.
        let long = "x".repeat(200_000);
        let mut text = format!("title: &t {long}\nrefs:\n");
        for _ in 0..100 {
            text.push_str("  - *t\n");
        }
        let err = parse(&text).expect_err("bomb");
        assert!(err.message.contains("bytes of text"), "{}", err.message);
        assert_eq!(err.pos.line, 18, "the alias that crossed the bound");
        // The same string named a few times is fine.
        let few = format!("title: &t {long}\nrefs: [*t, *t]\n");
        assert!(parse(&few).is_ok());
    }

    #[test]
    fn the_expansion_bound_follows_the_file_size() {
        assert_eq!(max_bytes(100), 64 * 1024);
        assert_eq!(max_bytes(100_000), 1_600_000);
        assert_eq!(max_bytes(2 * 1024 * 1024), MAX_EXPANDED_BYTES);
    }

    #[test]
    fn second_document_is_refused() {
        let err = parse("a: 1\n---\nb: 2\n").expect_err("two docs");
        assert_eq!(err.pos.line, 2);
    }

    #[test]
    fn syntax_error_has_position() {
        let err = parse("a: [1, 2\nb: 3\n").expect_err("unclosed");
        assert!(err.pos.line >= 1);
        assert!(err.message.starts_with("invalid YAML"));
    }
    #[test]
    fn one_top_level_string_is_read_as_far_as_its_key() {
        let doc =
            "id: X\nnotes:\n  - {status: no}\nmeta: {status: no}\nstatus: 'resolved'\nbroken: [\n";
        assert_eq!(top_level_str(doc, "status").as_deref(), Some("resolved"));
        assert_eq!(top_level_str("a: {status: x}\n", "status"), None);
        assert_eq!(top_level_str("status: 12\n", "status"), None);
        assert_eq!(top_level_str("status: [a]\n", "status"), None);
        assert_eq!(top_level_str("- status\n", "status"), None);
        assert_eq!(
            top_level_str("? [k]\n: status\nstatus: new\n", "status").as_deref(),
            Some("new")
        );
    }
}
