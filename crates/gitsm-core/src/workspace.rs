//! A managed repository: the folder holding `gitsm.yaml`, its config and schemas.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::baseline::{self, Imported, Unresolved};
use crate::config;
use crate::diagnostic::Diagnostic;
use crate::policy::{self, Policy};
use crate::schema::{SchemaError, Schemas};

/// Why a workspace could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("not a gitsm repository (or any parent up to {searched}): no {file} found")]
    NotFound {
        searched: String,
        file: &'static str,
    },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid configuration")]
    Config(Vec<Diagnostic>),
    #[error(transparent)]
    Schema(#[from] SchemaError),
}

/// An opened managed repository.
pub struct Workspace {
    /// The managed root: the folder holding `gitsm.yaml`.
    pub root: PathBuf,
    pub config: Policy,
    pub schemas: Schemas,
    /// The baseline (`history.baseline`) records are judged against: found
    /// from HEAD on first use, or set by a check that trusts another
    /// revision (`validate --range`, `gate`).
    pub imported: OnceLock<Result<Imported, Unresolved>>,
}

/// The managed root at or above `start`, found like Git finds `.git`.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    let start = start.canonicalize().ok()?;
    start
        .ancestors()
        .find(|dir| dir.join(config::FILE_NAME).is_file())
        .map(Path::to_path_buf)
}

impl Workspace {
    /// Open the managed repository at or above `start`.
    pub fn discover(start: &Path) -> Result<Workspace, WorkspaceError> {
        let root = find_root(start).ok_or_else(|| WorkspaceError::NotFound {
            searched: "/".into(),
            file: config::FILE_NAME,
        })?;
        Self::open(root)
    }

    /// Open the managed repository whose root is `root`.
    pub fn open(root: PathBuf) -> Result<Workspace, WorkspaceError> {
        let schemas = Schemas::load(Some(&root))?;
        let config_path = root.join(config::FILE_NAME);
        // Never through a link: its target's lines would be echoed in errors.
        let text =
            crate::confined::read_text(&root, Path::new(config::FILE_NAME), MAX_CONFIG_BYTES)
                .map(without_bom)
                .map_err(|source| WorkspaceError::Io {
                    path: config_path.display().to_string(),
                    source,
                })?;
        let config = policy::parse(&text, Path::new(config::FILE_NAME), &schemas)
            .map_err(WorkspaceError::Config)?;
        Ok(Workspace {
            root,
            config,
            schemas,
            imported: OnceLock::new(),
        })
    }

    /// The baseline records are judged against; none when the policy sets
    /// none or it names no commit here (see [`Workspace::baseline_warning`]).
    pub fn imported(&self) -> &Imported {
        static NONE: Imported = Imported::None;
        match self
            .imported
            .get_or_init(|| baseline::from_head(&self.root, &self.config))
        {
            Ok(found) => found,
            Err(_) => &NONE,
        }
    }

    /// Judge records against `found` rather than the baseline found from
    /// HEAD (when nothing has asked for that yet).
    pub fn use_imported(&self, found: Result<Imported, Unresolved>) {
        let _ = self.imported.set(found);
    }

    /// A baseline that names no commit here, as a warning on gitsm.yaml:
    /// outside `validate --range` and `gate` the records are then judged
    /// without it.
    pub fn baseline_warning(&self) -> Option<Diagnostic> {
        let e = match self.imported.get()? {
            Err(e) => e,
            Ok(found) => found.failed()?,
        };
        Some(
            Diagnostic::warning("baseline", e.to_string())
                .in_file(Path::new(config::FILE_NAME))
                .with_hint("imported decisions are judged like any other until it does; `gitsm baseline REV` names another commit"),
        )
    }

    /// Absolute path of a root-relative path.
    pub fn abs(&self, rel: &Path) -> PathBuf {
        self.root.join(rel)
    }
}

/// Largest `gitsm.yaml` read.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Read a UTF-8 text file (a leading byte-order mark is dropped).
pub fn read_text(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    Ok(without_bom(text))
}

/// `text` without a leading byte-order mark.
pub fn without_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}
