//! The site's templates and assets: embedded in the binary from
//! `templates/`, and overridden one by one by same-named files in the
//! managed repository's own `templates/` folder (as zola does).
//!
//! Templates are minijinja with auto-escaping on for `.html`: every value a
//! record supplies is escaped unless Rust code marked it safe (rendered
//! Markdown, SVG drawn here), and that code escapes what it embeds.

use std::path::Path;

use minijinja::{Environment, UndefinedBehavior, Value};

use crate::confined;

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
    "list_rows.html",
    "record.html",
    "ci.html",
    "calendar.html",
    "kedb.html",
    "catalog.html",
    "catalog_item.html",
    "sla.html",
    "sla_rows.html",
    "report.html",
    "major.html",
    "teams.html",
    "team.html",
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
    /// A hash of every template and asset a page may use (the embedded
    /// ones and every file of the repository's `templates/`): a page
    /// whose view is unchanged renders the same only when it is too.
    pub fingerprint: [u8; 20],
}

impl Templates {
    /// The embedded templates, each replaced by `dir/<name>` when that file
    /// exists. Other templates in `dir` are loaded only when a template
    /// names them (`{% include "logo.html" %}`), so that unrelated files in
    /// a repository's `templates/` folder cannot break the build.
    ///
    /// `root` is the managed root; its `templates/` folder and the files in
    /// it are never read through a symbolic link (a link to
    /// `/proc/self/environ` would publish the build's environment).
    pub fn load(root: Option<&Path>) -> Result<Templates, SiteError> {
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
        let rel = Path::new(OVERRIDE_DIR);
        let dir = match root {
            Some(root) => confined::is_dir(root, rel)
                .map_err(SiteError::io(&root.join(rel)))?
                .then_some(root),
            None => None,
        };
        use sha1::{Digest, Sha1};
        let mut fingerprint = Sha1::new();
        // gitsm's own code renders too (the `md` filter, escaping, the
        // views, the clocks): a page key holds the build of the program
        // (its version, and the size, time and inode of its file: a binary
        // built anew from the same version makes every page again).
        fingerprint.update(concat!("gitsm ", env!("CARGO_PKG_VERSION"), "\0"));
        fingerprint.update(program_identity());
        for (name, text) in sources
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .chain(assets.iter().map(|(n, t)| (*n, t.as_str())))
        {
            fingerprint.update(format!("{name}\0{}\0", text.len()));
            fingerprint.update(text);
        }
        if let Some(root) = dir {
            // Every file a template may include, not only the overrides.
            reachable(root, &mut fingerprint);
            for (name, text) in read_dir(root)? {
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
        if let Some(root) = dir {
            let root = root.to_path_buf();
            env.set_loader(move |name| {
                // A plain file name in the folder: nothing above or below it.
                if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\', ':']) {
                    return Ok(None);
                }
                let rel = Path::new(OVERRIDE_DIR).join(name);
                match confined::read_text(&root, &rel, MAX_TEMPLATE_BYTES) {
                    Ok(text) => Ok(Some(text)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(minijinja::Error::new(
                        minijinja::ErrorKind::InvalidOperation,
                        e.to_string(),
                    )),
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
            fingerprint: fingerprint.finalize().into(),
        })
    }

    /// Render template `name` with `ctx` into `out` as it is made: a page
    /// of 90,000 rows is never held as one string.
    pub fn render_to(
        &self,
        name: &str,
        ctx: Value,
        out: &mut dyn std::io::Write,
    ) -> Result<(), SiteError> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(name, &e))?;
        template
            .render_captured_to(ctx, out)
            .map(drop)
            .map_err(|e| template_error(name, &e))
    }
}

/// Largest template or asset read from the repository.
const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

/// The files directly in `root`'s `templates/` folder, sorted, as (name,
/// text); a symbolic link among them is an error, other entries that are
/// not regular files are left alone.
fn read_dir(root: &Path) -> Result<Vec<(String, String)>, SiteError> {
    let rel = Path::new(OVERRIDE_DIR);
    let io = |path: &Path, source: std::io::Error| SiteError::Io {
        path: root.join(path),
        source,
    };
    let mut names: Vec<String> = std::fs::read_dir(root.join(rel))
        .map_err(|e| io(rel, e))?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| !name.starts_with('.') && !name.ends_with(".md"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let path = rel.join(&name);
        let text = confined::read_text(root, &path, MAX_TEMPLATE_BYTES)
            .map(crate::workspace::without_bom)
            .map_err(|e| io(&path, e))?;
        out.push((name, text));
    }
    Ok(out)
}

/// Hash the name and bytes of every file the loader may read from the
/// repository's `templates/` (any plain name: `{% include "banner.md" %}`
/// too), so that a page reused from the previous build was rendered with
/// the same ones.
fn reachable(root: &Path, hash: &mut sha1::Sha1) {
    use sha1::Digest;
    let rel = Path::new(OVERRIDE_DIR);
    let mut names: Vec<std::ffi::OsString> = std::fs::read_dir(root.join(rel))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    names.sort();
    for name in names {
        hash.update(name.as_encoded_bytes());
        match confined::read(root, &rel.join(&name), MAX_TEMPLATE_BYTES) {
            Ok(bytes) => {
                hash.update(format!("\0{}\0", bytes.len()));
                hash.update(&bytes);
            }
            Err(e) => hash.update(format!("\0unreadable: {e}\0")),
        }
    }
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

/// The running program's file as `stat` sees it (size, modification time,
/// inode): empty when it cannot be found.
fn program_identity() -> String {
    let Ok(meta) = std::env::current_exe().and_then(std::fs::metadata) else {
        return String::new();
    };
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    format!("{} {modified} {inode}\0", meta.len())
}
