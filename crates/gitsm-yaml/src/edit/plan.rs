//! Planning one edit: the one range it replaces, or the one place it
//! inserts lines.

use std::ops::Range;

use saphyr_parser::ScalarStyle;
use serde_json::{Map, Value};

use super::*;

/// Replace `range` with `text`.
pub(super) struct Splice {
    pub(super) range: Range<usize>,
    pub(super) text: String,
}

impl Splice {
    pub(super) fn insert(at: usize, text: String) -> Self {
        Splice {
            range: at..at,
            text,
        }
    }
}

/// Where a value sits in its parent; decides how a replacement is laid out.
#[derive(Clone, Copy)]
pub(super) struct Slot {
    /// Just past the key's `:` or the item's `-`.
    pub(super) indicator_end: usize,
    /// Column of the key or the `-`.
    pub(super) col: usize,
    pub(super) in_seq: bool,
    pub(super) flow: bool,
}

impl Document<'_> {
    pub(super) fn plan(&self, edit: &Edit) -> Result<Splice, Refusal> {
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
    pub(super) fn add_entry(
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
    pub(super) fn append_item(&self, seq: &Node, items: &[SeqItem], item: &Value) -> Splice {
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
    pub(super) fn replace(
        &self,
        slot: Option<Slot>,
        old: &Node,
        new: &Value,
    ) -> Result<Splice, Refusal> {
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
pub(super) fn check_plain(node: &Node) -> Result<(), Refusal> {
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
pub(super) fn nest(
    steps: &[Step],
    leaf: &Value,
    append: bool,
    at: usize,
) -> Result<Value, Refusal> {
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
