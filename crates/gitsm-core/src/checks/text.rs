//! Text a terminal would act on: control characters in a record's values.
//! gitsm writes them out (`\x1b`) wherever it prints text, but other tools
//! (`cat`, `git log -p`, an editor) may not; validate warns of them.

use crate::diagnostic::Diagnostic;
use crate::yaml::{Node, NodeValue};

use super::Located;

/// Warn of each value holding a control character other than a line break
/// or a tab.
pub(super) fn check(node: &Node, at: &Located<'_>, out: &mut Vec<Diagnostic>) {
    let mut pending = vec![(node, String::new())];
    while let Some((node, pointer)) = pending.pop() {
        match &node.value {
            NodeValue::Str(s) => {
                if let Some(c) = s.chars().find(|&c| crate::markup::is_control(c)) {
                    out.push(
                        at.warning(
                            "control-character",
                            &pointer,
                            format!(
                                "`{}` holds the control character U+{:04X}, which terminals act on",
                                pointer.trim_start_matches('/'),
                                c as u32
                            ),
                        )
                        .with_hint("remove it; gitsm shows it written out (e.g. \\x1b)"),
                    );
                }
            }
            NodeValue::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    pending.push((item, format!("{pointer}/{i}")));
                }
            }
            NodeValue::Map(entries) => {
                for e in entries {
                    pending.push((&e.value, format!("{pointer}/{}", e.key)));
                }
            }
            _ => {}
        }
    }
}
