//! The document as byte ranges: the tree of nodes the editor plans on,
//! built from the parser's events and the text.

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::*;

/// A layout the editor will not touch, at a byte offset.
#[derive(Debug)]
pub(super) struct Refusal {
    pub(super) at: usize,
    pub(super) reason: String,
}

impl Refusal {
    pub(super) fn new(at: usize, reason: impl Into<String>) -> Self {
        Refusal {
            at,
            reason: reason.into(),
        }
    }
}

/// Byte ranges of one YAML node.
pub(super) struct Node {
    pub(super) kind: Kind,
    /// First byte; for a block scalar its `|` or `>` header.
    pub(super) start: usize,
    /// Just past the last content byte: closing quote or bracket, end of a
    /// plain scalar, end of a block scalar's last non-blank line (its last
    /// line with `|+`), end of a block collection's last child. Comments
    /// after it are not included. An implicit null (`key:`) is empty and
    /// sits right after its `:` or `-`.
    pub(super) end: usize,
    /// Written in flow style, or inside a flow collection.
    pub(super) flow: bool,
    /// Carries an anchor or a tag, or is an alias.
    pub(super) props: bool,
}

pub(super) enum Kind {
    Scalar { style: ScalarStyle, value: String },
    Map(Vec<MapEntry>),
    Seq(Vec<SeqItem>),
    Alias,
}

pub(super) struct MapEntry {
    pub(super) key: String,
    pub(super) key_start: usize,
    /// Just past the `:`.
    pub(super) colon_end: usize,
    pub(super) value: Node,
}

pub(super) struct SeqItem {
    /// The `-` of a block list item.
    pub(super) dash: Option<usize>,
    pub(super) value: Node,
}

impl Node {
    pub(super) fn is_implicit_null(&self) -> bool {
        matches!(self.kind, Kind::Scalar { .. }) && self.start == self.end
    }

    pub(super) fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { style: ScalarStyle::Plain, value }
            if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }
}

/// A parsed document: its text, its tree and how it indents.
pub(super) struct Document<'t> {
    pub(super) text: &'t str,
    pub(super) root: Node,
    pub(super) layout: Layout,
}

/// A collection being filled while reading events.
pub(super) struct Frame {
    pub(super) node: Node,
    /// Where the search for the next block list `-` starts.
    pub(super) cursor: usize,
    /// A mapping's key waiting for its value: text, start, end of its `:`.
    pub(super) key: Option<(String, usize, usize)>,
    /// The `-` of the block list item being read.
    pub(super) dash: Option<usize>,
}

/// What the next node is to its parent.
pub(super) enum Role {
    Key,
    /// A value; `indicator_end` is just past its `:` or `-` (block parents
    /// and flow mappings).
    Value {
        indicator_end: Option<usize>,
    },
}

pub(super) struct Builder<'t> {
    pub(super) text: &'t str,
    pub(super) stack: Vec<Frame>,
    pub(super) root: Option<Node>,
}

impl<'t> Document<'t> {
    pub(super) fn parse(text: &'t str) -> Result<Self, Refusal> {
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
    pub(super) fn parent_flow(&self) -> bool {
        self.stack.last().is_some_and(|frame| frame.node.flow)
    }

    /// Classify the next node and, in a block list, find its `-`.
    pub(super) fn role(&mut self) -> Result<Role, Refusal> {
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

    pub(super) fn scalar(
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
    pub(super) fn scalar_bounds(
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

    pub(super) fn alias(&mut self, start: usize, end: usize) -> Result<(), Refusal> {
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

    pub(super) fn open(&mut self, kind: Kind, props: bool, start: usize) -> Result<(), Refusal> {
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
    pub(super) fn close(&mut self, at: usize) -> Result<(), Refusal> {
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

    pub(super) fn attach(&mut self, node: Node) {
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
pub(super) fn skip_trivia(text: &str, mut pos: usize) -> usize {
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
pub(super) fn skip_props(text: &str, mut pos: usize) -> usize {
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
pub(super) fn line_end(text: &str, pos: usize) -> usize {
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
pub(super) fn column(text: &str, pos: usize) -> usize {
    let before = text.get(..pos).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    before[line_start..]
        .trim_start_matches('\u{FEFF}')
        .chars()
        .count()
}

/// 1-based line and column of `pos`.
pub(super) fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = text.get(..pos).unwrap_or(text);
    (before.matches('\n').count() + 1, column(text, pos) + 1)
}
