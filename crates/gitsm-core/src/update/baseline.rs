//! `gitsm baseline`: write `history.baseline` into gitsm.yaml, keeping the
//! rest of the file byte for byte.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::baseline::Baseline;
use crate::config;
use crate::edit::{Edit, Step};
use crate::workspace::Workspace;

use super::UpdateError;

/// What `gitsm baseline` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineSet {
    /// The value written.
    pub value: String,
    /// The value it replaced.
    pub previous: Option<String>,
    pub baseline: Baseline,
}

/// Set `history.baseline` to `value` (a commit id or a time), under the
/// write lock; the new policy must still be valid, else nothing is written.
pub fn set_baseline(ws: &Workspace, value: &str) -> Result<BaselineSet, UpdateError> {
    let rel = Path::new(config::FILE_NAME);
    let io = |source| UpdateError::Io {
        path: PathBuf::from(config::FILE_NAME),
        source,
    };
    let _lock = crate::lock::WriteLock::acquire(&ws.root).map_err(io)?;
    let text = crate::confined::read_text(&ws.root, rel, crate::workspace::MAX_CONFIG_BYTES)
        .map_err(io)?;
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let blank = body
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
    let new = if blank {
        // An empty policy is all defaults: give it the one key.
        let mut out = text.clone();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("history:\n  baseline: \"{value}\"\n"));
        out
    } else {
        let path = vec![Step::Key("history".into()), Step::Key("baseline".into())];
        crate::edit::apply(
            &text,
            &[Edit::Set {
                path,
                value: Value::String(value.to_owned()),
            }],
        )
        .map_err(|source| UpdateError::Unsafe {
            path: rel.to_path_buf(),
            source,
        })?
    };
    let policy = crate::policy::parse(&new, rel, &ws.schemas).map_err(|diagnostics| {
        UpdateError::Invalid {
            path: rel.to_path_buf(),
            proposed: new.clone(),
            diagnostics,
        }
    })?;
    crate::confined::check_writable(&ws.root, rel).map_err(io)?;
    crate::write::atomic(&ws.abs(rel), new.as_bytes()).map_err(io)?;
    Ok(BaselineSet {
        value: value.to_owned(),
        previous: ws.config.history.baseline.clone(),
        baseline: Baseline::parse(value, policy.zone()),
    })
}
