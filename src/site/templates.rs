//! The site's templates and assets: embedded in the binary from
//! `templates/`, and overridden one by one by same-named files in the
//! managed repository's own `templates/` folder (as zola does).
//!
//! Templates are minijinja with auto-escaping on for `.html`: every value a
//! record supplies is escaped unless Rust code marked it safe (rendered
//! Markdown, SVG drawn here), and that code escapes what it embeds.

use std::path::{Path, PathBuf};

use minijinja::{Environment, UndefinedBehavior, Value};

use super::SiteError;

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/", $name)))),*]
    };
}

/// Templates shipped with gitsm: (name, source).
pub const TEMPLATES: &[(&str, &str)] = embedded!(
    "base.html",
    "macros.html",
    "dashboard.html",
    "list.html",
    "record.html",
    "ci.html",
    "calendar.html",
    "kedb.html",
    "sla.html",
    "report.html",
);

/// Static files copied to `assets/`: (name, contents).
pub const ASSETS: &[(&str, &str)] = embedded!("site.css", "site.js");

/// Folder of a managed repository that overrides templates and assets.
pub const OVERRIDE_DIR: &str = "templates";

/// The templates and assets of one build.
pub struct Templates {
    pub env: Environment<'static>,
    /// Assets with overrides applied: (name, contents).
    pub assets: Vec<(&'static str, String)>,
    /// Files taken from the managed repository, for the summary.
    pub overridden: Vec<String>,
}

impl Templates {
    /// The embedded templates, each replaced by `dir/<name>` when that file
    /// exists. Other templates in `dir` are loaded only when a template
    /// names them (`{% include "logo.html" %}`), so that unrelated files in
    /// a repository's `templates/` folder cannot break the build.
    pub fn load(dir: Option<&Path>) -> Result<Templates, SiteError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        let mut overridden = Vec::new();
        let mut sources: Vec<(String, String)> = TEMPLATES
            .iter()
            .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
            .collect();
        let mut assets: Vec<(&'static str, String)> =
            ASSETS.iter().map(|(n, s)| (*n, (*s).to_owned())).collect();
        if let Some(dir) = dir.filter(|d| d.is_dir()) {
            for (name, text) in read_dir(dir)? {
                if let Some(slot) = assets.iter_mut().find(|(n, _)| *n == name) {
                    slot.1 = text;
                } else if let Some(slot) = sources.iter_mut().find(|(n, _)| *n == name) {
                    slot.1 = text;
                } else {
                    continue;
                }
                overridden.push(name);
            }
        }
        for (name, source) in sources {
            env.add_template_owned(name.clone(), source)
                .map_err(|e| template_error(&name, &e))?;
        }
        if let Some(dir) = dir.filter(|d| d.is_dir()) {
            let dir = dir.to_path_buf();
            env.set_loader(move |name| {
                // A plain file name in the folder: nothing above or below it.
                if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\', ':']) {
                    return Ok(None);
                }
                match crate::workspace::read_text(&dir.join(name)) {
                    Ok(text) => Ok(Some(text)),
                    Err(_) => Ok(None),
                }
            });
        }
        env.add_filter("md", |text: Option<String>| {
            Value::from_safe_string(super::markdown::render(text.as_deref().unwrap_or("")))
        });
        Ok(Templates {
            env,
            assets,
            overridden,
        })
    }

    /// Render template `name` with `ctx`.
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, SiteError> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(name, &e))?;
        template.render(ctx).map_err(|e| template_error(name, &e))
    }
}

/// Regular files directly in `dir`, sorted, as (name, text).
fn read_dir(dir: &Path) -> Result<Vec<(String, String)>, SiteError> {
    let io = |path: &Path, source: std::io::Error| SiteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with('.') || name.ends_with(".md") {
            continue;
        }
        let text = crate::workspace::read_text(&path).map_err(|e| io(&path, e))?;
        out.push((name.to_owned(), text));
    }
    Ok(out)
}

/// A template error with minijinja's line information.
fn template_error(name: &str, e: &minijinja::Error) -> SiteError {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    SiteError::Template {
        name: name.to_owned(),
        line: e.line(),
        message,
    }
}
