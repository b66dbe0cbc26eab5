//! Diagnostics: what checks find, with where they found it.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::yaml::Pos;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about one place in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable rule name, e.g. `unknown-key`, `dangling-reference`.
    pub code: &'static str,
    pub message: String,
    /// File, relative to the managed root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// 1-based; 0 when unknown.
    pub line: u32,
    /// 1-based; 0 when unknown.
    pub column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The commit that introduced the problem (history checks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        // Every code is a rule of the catalogue (tests run with this on).
        debug_assert!(
            crate::rules::of(code).is_some(),
            "no rule for `{code}` in src/rules.rs"
        );
        Diagnostic {
            severity,
            code,
            message: message.into(),
            path: None,
            line: 0,
            column: 0,
            hint: None,
            commit: None,
        }
    }

    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    /// Place the diagnostic at `pos` in `path`.
    pub fn at(mut self, path: &Path, pos: Pos) -> Self {
        self.path = Some(path.to_path_buf());
        self.line = pos.line;
        self.column = pos.col;
        self
    }

    pub fn in_file(mut self, path: &Path) -> Self {
        self.path = Some(path.to_path_buf());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a hint only when there is one.
    pub fn with_suggestion(mut self, suggestion: Option<&str>) -> Self {
        if let Some(s) = suggestion {
            self.hint = Some(format!("did you mean `{s}`?"));
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: file, position, message.
    pub fn sort_key(&self) -> (Option<&Path>, u32, u32, &str) {
        (self.path.as_deref(), self.line, self.column, &self.message)
    }
}

/// Counts of a set of diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    pub fn of(diags: &[Diagnostic]) -> Summary {
        let errors = diags.iter().filter(|d| d.is_error()).count();
        Summary {
            errors,
            warnings: diags.len() - errors,
        }
    }
}
