//! Finding a record file from its id alone, without walking the tree.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::kind::Kind;
use crate::records;
use crate::suggest;
use crate::workspace::Workspace;
use crate::yaml;

use super::{Editable, UpdateError};

/// Whether `id` can name a file: no path separators, not hidden.
fn is_plain_id(id: &str) -> bool {
    !id.is_empty() && !id.starts_with('.') && !id.contains(['/', '\\', '\0']) && id.len() <= 200
}

/// Year folders of each kind's folder, listed once (for one command, or
/// for a batch of new records checked one after the other).
#[derive(Default)]
pub struct Folders {
    years: HashMap<Kind, Vec<String>>,
}

impl Folders {
    fn years(&mut self, ws: &Workspace, kind: Kind) -> &[String] {
        self.years.entry(kind).or_insert_with(|| {
            let mut years: Vec<String> = std::fs::read_dir(ws.root.join(kind.folder()))
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|name| records::is_year(name))
                .collect();
            years.sort();
            years
        })
    }

    /// Every file (or link) where a record `id` of `kind` may be stored.
    pub(super) fn locate(&mut self, ws: &Workspace, kind: Kind, id: &str) -> Vec<PathBuf> {
        if !is_plain_id(id) {
            return Vec::new();
        }
        let base = Path::new(kind.folder());
        // A kind folder that is a link is never followed (`validate` says so).
        if !crate::confined::is_dir(&ws.root, base).unwrap_or(false) {
            return Vec::new();
        }
        let file = kind.file_name(id);
        let mut candidates = vec![base.join(&file)];
        candidates.extend(
            self.years(ws, kind)
                .iter()
                .map(|year| base.join(year).join(&file)),
        );
        candidates
            .into_iter()
            .filter(|rel| std::fs::symlink_metadata(ws.abs(rel)).is_ok_and(|m| !m.is_dir()))
            .collect()
    }

    /// Ids stored in a kind's folder, for "did you mean".
    fn ids(&mut self, ws: &Workspace, kind: Kind) -> Vec<String> {
        let mut dirs = vec![PathBuf::from(kind.folder())];
        dirs.extend(
            self.years(ws, kind)
                .iter()
                .map(|y| Path::new(kind.folder()).join(y)),
        );
        dirs.iter()
            .flat_map(|d| std::fs::read_dir(ws.abs(d)).into_iter().flatten().flatten())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter_map(|name| kind.id_of_file_name(&name).map(str::to_owned))
            .filter(|stem| !stem.starts_with('.'))
            .collect()
    }
}

/// The record file of `id`, read and ready to edit.
pub fn open(ws: &Workspace, id: &str) -> Result<Editable, UpdateError> {
    if !is_plain_id(id) {
        return Err(UpdateError::usage(
            format!("`{id}` is not a record id"),
            Some("ids are file names without `.yaml`, such as INC-0042 or payments-api".into()),
        ));
    }
    let kind = ws.config.ids.kind_of(id);
    let mut folders = Folders::default();
    let found = folders.locate(ws, kind, id);
    match found.as_slice() {
        [] => Err(no_such_record(ws, &mut folders, kind, id)),
        [rel] => read_target(ws, kind, id, rel),
        many => Err(UpdateError::refused(
            format!(
                "{id} is stored more than once: {}",
                many.iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(format!(
                "keep one; `gitsm renumber {id}` gives a colliding record a new id"
            )),
        )),
    }
}

fn no_such_record(ws: &Workspace, folders: &mut Folders, kind: Kind, id: &str) -> UpdateError {
    // `inc-0003` for `INC-0003`: the prefix decides the kind, so try the case.
    let upper = id.to_ascii_uppercase();
    let upper_kind = ws.config.ids.kind_of(&upper);
    let suggestion = if upper != id
        && upper_kind != Kind::Ci
        && !folders.locate(ws, upper_kind, &upper).is_empty()
    {
        Some(upper)
    } else {
        let ids = folders.ids(ws, kind);
        suggest::closest(id, ids.iter()).map(str::to_owned)
    };
    let hint = match suggestion {
        Some(s) => Some(format!("did you mean `{s}`?")),
        None if kind == Kind::Ci => Some(format!(
            "an id without a ticket prefix ({}) names a CI in {}/",
            Kind::ALL
                .iter()
                .filter_map(|&k| ws.config.ids.prefix(k))
                .map(|p| format!("{p}-"))
                .collect::<Vec<_>>()
                .join(", "),
            Kind::Ci.folder()
        )),
        None => None,
    };
    UpdateError::usage(format!("no {} with id `{id}`", kind.label()), hint)
}

pub(super) fn read_target(
    ws: &Workspace,
    kind: Kind,
    id: &str,
    rel: &Path,
) -> Result<Editable, UpdateError> {
    let abs = ws.abs(rel);
    let io = |source| UpdateError::Io {
        path: rel.to_path_buf(),
        source,
    };
    let not_editable = |why: String| {
        UpdateError::refused(
            format!("cannot edit {}: {why}", rel.display()),
            Some("run `gitsm validate` and fix the file first".into()),
        )
    };
    let meta = std::fs::symlink_metadata(&abs).map_err(io)?;
    if meta.file_type().is_symlink() {
        return Err(not_editable(
            "it is a symbolic link; record files may not be links".into(),
        ));
    }
    if meta.len() > records::MAX_FILE_BYTES {
        return Err(not_editable(format!(
            "it is {} bytes; record files are limited to {} bytes",
            meta.len(),
            records::MAX_FILE_BYTES
        )));
    }
    let bytes = std::fs::read(&abs).map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|_| not_editable("it is not UTF-8".into()))?;
    let cut = crate::front_matter::record(kind, &text)
        .map_err(|e| not_editable(format!("{}:{}: {}", e.pos.line, e.pos.col, e.message)))?;
    let node = yaml::parse(cut.fields)
        .map_err(|e| not_editable(format!("{}:{}: {}", e.pos.line, e.pos.col, e.message)))?;
    let json = cut.with_body(node.to_json());
    if !json.is_object() {
        return Err(not_editable("it is not a mapping of fields".into()));
    }
    Ok(Editable {
        id: id.to_owned(),
        kind,
        path: rel.to_path_buf(),
        text,
        json,
    })
}
