//! Ids: safe, equal to the file name, unique across the tree.

use std::collections::HashMap;
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::kind::Kind;
use crate::records::Loaded;
use crate::workspace::Workspace;
use crate::yaml::Pos;

/// Check the id of the file at `path` (root-relative).
pub fn identity(
    ws: &Workspace,
    kind: Kind,
    path: &Path,
    id: Option<&str>,
    pos: Pos,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(id) = id else { return out };
    if id.contains(['/', '\\'])
        || id.contains("..")
        || id.starts_with('.')
        || id.chars().any(char::is_control)
    {
        out.push(
            Diagnostic::error(
                "unsafe-id",
                format!(
                    "id `{}` may not contain `/`, `\\`, `..` or control characters",
                    id.escape_debug()
                ),
            )
            .at(path, pos),
        );
        return out;
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem != id {
        out.push(
            Diagnostic::error(
                "id-mismatch",
                format!(
                    "id `{id}` does not match the file name `{}`",
                    kind.file_name(&stem)
                ),
            )
            .at(path, pos)
            .with_hint(format!(
                "rename the file to `{}` or set `id: {stem}`",
                kind.file_name(id)
            )),
        );
    }
    if let Some(prefix) = ws.config.ids.prefix(kind)
        && !id
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('-') && rest.len() > 1)
    {
        out.push(
            Diagnostic::error(
                "id-prefix",
                format!("{} ids start with `{prefix}-`, got `{id}`", kind.label()),
            )
            .at(path, pos),
        );
    }
    out
}

/// Every id used by more than one file is reported on each of them.
pub(super) fn duplicates(loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, f) in loaded.files.iter().enumerate() {
        if let Some(id) = &f.id {
            by_id.entry(id.as_str()).or_default().push(i);
        }
    }
    for (id, files) in by_id {
        if files.len() < 2 {
            continue;
        }
        for &i in &files {
            let f = &loaded.files[i];
            let others: Vec<String> = files
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| loaded.files[j].path.display().to_string())
                .collect();
            out.push(
                Diagnostic::error(
                    "duplicate-id",
                    format!("id `{id}` is also used by {}", others.join(", ")),
                )
                .at(&f.path, f.id_pos)
                .with_hint(format!(
                    "give one of them a new id with `gitsm renumber {id}`"
                )),
            );
        }
    }
}
