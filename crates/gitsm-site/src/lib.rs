//! The static site (`gitsm site`, SPEC §8): a self-contained folder of HTML
//! pages for managers, built from the records, the CMDB and Git history.
//!
//! The site uses relative links only and loads nothing from elsewhere (no
//! CDN, no fonts, no server): it opens from `file://` and deploys to any
//! static host. Pages: a dashboard with SVG charts, a list per kind with
//! client-side search and filters (state in the URL), a page per record
//! (fields, Markdown rendered safely, links both ways, SLA clocks, timeline)
//! and per CI (relations graph, impact), the change calendar with freeze
//! windows, the known error database, the SLA page and the report page.
//!
//! The build reads the records once, walks Git history once
//! ([`gitsm_core::history::trail::walk`]), indexes everything
//! ([`data::SiteData`]) and renders the pages in parallel into a temporary
//! folder beside the output, which then replaces the output in one rename:
//! a failed build leaves the previous site as it was. The same records,
//! history and instant give byte-identical output. A record's page whose
//! inputs hash as in the previous build is left standing instead of
//! rendered ([`manifest`]); then only the pages rendered are moved into
//! the output, one rename each, and the pages no longer made are removed:
//! the result is the same bytes as a full build. The pages that sum up
//! every record (the lists, their search indexes, the SLA page) are
//! written in parts, and a part whose rows are unchanged is copied from
//! the previous build's page ([`parts`]).

// The domain, under the names the site's modules use.
use gitsm_core::{
    availability, catalog, cmdb, config, confined, dataset, duration, git, history, kind,
    local_index, maintenance, markup, model, priority, report, sla, workspace, write,
};

mod calendar;
mod catalogue;
mod changes;
pub mod charts;
mod ci;
mod dashboard;
pub mod data;
pub mod graph;
mod lazy;
mod lists;
mod major;
pub mod manifest;
pub mod markdown;
mod output;
mod page_key;
mod parts;
pub mod paths;
mod record;
pub mod report_page;
mod teams;
pub mod templates;
mod timeline;

use std::path::{Path, PathBuf};

use chrono::Duration;
use minijinja::Value;
use minijinja::value::Serde;
use rayon::prelude::*;
use serde::Serialize;

use crate::dataset::{Dataset, Need};
use crate::kind::Kind;
use crate::model::{Record, Timestamp};
use crate::workspace::Workspace;

use data::SiteData;
use templates::Templates;

/// Why the site could not be built. Nothing is written in any case.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("template {name}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Template {
        name: String,
        line: Option<usize>,
        message: String,
    },
    #[error("{}: {reason}", path.display())]
    Target { path: PathBuf, reason: String },
    #[error(transparent)]
    Sla(#[from] crate::sla::SlaError),
}

impl SiteError {
    /// The error of an I/O failure at `path`, for `map_err`.
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SiteError + '_ {
        move |source| SiteError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// How to build.
#[derive(Debug, Clone)]
pub struct Options {
    /// The folder to write (replaced as a whole).
    pub out: PathBuf,
    /// The instant the site shows (SLA clocks, "today" in the calendar).
    /// `None`: the time of the last commit, so that the same revision
    /// gives the same site; outside Git, the latest time the records
    /// hold; with neither, `now`.
    pub at: Option<Timestamp>,
    /// The time now, the instant of a site with no commit and no record
    /// to take one from (not 1970).
    pub now: Timestamp,
}

/// Reports the build's progress (a progress bar on a terminal).
pub trait Progress: Sync {
    /// A step that has no count (reading records, history).
    fn phase(&self, _message: &str) {}
    /// Rendering starts: `total` pages.
    fn start(&self, _total: u64) {}
    /// `n` more pages written.
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}

/// No progress reporting.
pub struct Silent;

impl Progress for Silent {}

/// What a build did.
#[derive(Debug, Clone)]
pub struct Built {
    pub out: PathBuf,
    pub pages: usize,
    /// Pages of the previous build that stood for this one's.
    pub reused: usize,
    /// Records with a page.
    pub records: usize,
    /// Record files that could not be read or are invalid (no page).
    pub invalid: usize,
    /// Templates and assets taken from the managed repository.
    pub overridden: Vec<String>,
    pub at: Timestamp,
    pub warnings: Vec<String>,
}

/// What every page's template receives as `page`.
#[derive(Debug, Clone, Serialize)]
struct PageInfo {
    /// Prefix from the page to the site root (`""` or `"../"`).
    root: String,
    /// The page's path from the site root.
    path: String,
    title: String,
    /// Navigation entry to highlight.
    section: &'static str,
    /// The instant the page's figures are read at, on a page that shows
    /// one (a record's page shows none: it stands from one build to the
    /// next while the record does).
    at: Option<String>,
    /// The open major incidents, which every page shows in a banner.
    majors: Vec<major::BannerItem>,
}

/// A page to render: its path, template and view. The view is made when
/// the page is rendered, not before: a page's view is held only while the
/// page is written.
struct Page<'p> {
    path: String,
    template: &'static str,
    title: String,
    section: &'static str,
    view: Box<dyn Fn() -> Value + Send + Sync + 'p>,
}

/// Build the site of `ws` into `options.out`.
pub fn build(
    ws: Workspace,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Built, SiteError> {
    // `-o .` from inside the site: its real name, whose parent is not itself.
    let out = &output::resolve(&options.out);
    output::check_target(out, &ws.root)?;
    let templates = Templates::load(Some(&ws.root))?;
    progress.phase("reading records and history");
    let dataset = Dataset::work_tree(ws, Need::Timelines);
    let at = options
        .at
        .or(dataset.committed)
        .or_else(|| latest_stamp(&dataset))
        .unwrap_or(options.now);
    let staging = output::Staging::new(out)?;
    let folders = Kind::ALL.iter().map(|&kind| paths::folder(kind)).chain([
        "assets",
        "major",
        catalogue::FOLDER,
        teams::FOLDER,
    ]);
    for folder in folders.clone() {
        staging.create_dir(folder)?;
    }
    // The previous build's pages, for those whose inputs did not change:
    // only from a folder a build wrote, whose folders are folders (a page
    // is never read through a symlink).
    let manifest_path = manifest::location(&dataset.ws.root, out);
    // One build of a folder at a time from here to its new manifest: two
    // would move pages into each other's result.
    let _building = match &manifest_path {
        Some(path) => Some(manifest::lock(path).map_err(SiteError::io(path))?),
        None => None,
    };
    let reuse = PreviousBuild {
        out,
        folders: folders.clone().collect(),
        manifest: manifest_path
            .clone()
            .filter(|_| cfg!(unix) && output::has_marker(out))
            .filter(|_| folders.clone().all(|f| output::is_folder(&out.join(f)))),
        loading: Default::default(),
        previous: Default::default(),
        rendered: Default::default(),
        kept: Default::default(),
        parts: Default::default(),
    };
    let rendered = render(
        &dataset,
        &templates,
        at,
        progress,
        &|path, fill| staging.write(path, fill),
        &reuse,
    )?;
    // What is left is bookkeeping: the records and the previous build's
    // pages are let go first, not held under it.
    let (rendered_pages, kept) = reuse.finish();
    let mut warnings = dataset.warnings.clone();
    let invalid = dataset.unreadable();
    // The manifest is written while the records it names are at hand,
    // and put in place after the pages.
    let seen = rendered.seen.as_ref();
    let seen = seen.map(|(shared, records)| (shared, records.as_slice()));
    // A new site, to be put in place whole; or none when the previous
    // build stands for part of this one: only what changed is moved into
    // it. Should that stop part-way, no manifest vouches for the mixed
    // folder. The stamps of the pages written are taken where they are to
    // stay: a page moved into the previous site has a new change time; a
    // new site's files keep theirs when its folder is renamed into place.
    let (new_site, manifest) = if kept.is_empty() {
        let entries = manifest::entries(
            &manifest::Files::open(staging.path(), folders),
            rendered_pages,
        );
        let manifest = manifest_path.as_ref().map(|path| {
            (
                path,
                manifest::save(path, seen, &entries, || Ok(Vec::new())),
            )
        });
        (Some(staging), manifest)
    } else {
        if let Some(path) = &manifest_path {
            write::remove_if_present(path).map_err(SiteError::io(path))?;
        }
        let keep = kept.iter().map(|(path, _)| path.as_str()).collect();
        // The pages standing are written into the manifest while the
        // changed ones are moved into place; theirs come last.
        let (moved, manifest) = std::thread::scope(|scope| {
            let mut moving = Some(scope.spawn(|| staging.update(out, &keep)));
            let mut moved = None;
            let manifest = manifest_path.as_ref().map(|path| {
                let saved = manifest::save(path, seen, &kept, || {
                    let done = moving.take().map_or(Ok(()), joined);
                    let failed = done.is_err();
                    moved = Some(done);
                    if failed {
                        return Err(std::io::Error::other("the pages were not put in place"));
                    }
                    let written = manifest::Files::open(out, folders);
                    Ok(manifest::entries(&written, rendered_pages))
                });
                (path, saved)
            });
            let moved = moved.unwrap_or_else(|| moving.take().map_or(Ok(()), joined));
            (moved, manifest)
        });
        moved?;
        (None, manifest)
    };
    let Rendered {
        pages,
        reused,
        records,
        warnings: render_warnings,
        seen,
    } = rendered;
    drop((seen, kept));
    // Freed in a thread of its own while the pages are put in place, and
    // not waited for (at 100,000 records, a tenth of a second of one core
    // at the end of the build; it holds only memory).
    std::thread::spawn(move || drop(dataset));
    if let Some(site) = new_site {
        site.finish(out)?;
    }
    if let Some((path, saved)) = manifest {
        let kept = saved
            .and_then(write::Prepared::replace)
            .map_err(|e| format!("the next build cannot reuse this one's pages: {e}"))
            .and_then(|()| {
                manifest::keep_the_last_sites(path)
                    .map_err(|e| format!("the manifests of older sites stay: {e}"))
            });
        if let Err(e) = kept {
            warnings.push(format!("{}: {e}", path.display()));
        }
    }
    progress.finish();
    warnings.extend(render_warnings);
    Ok(Built {
        out: out.clone(),
        pages,
        reused,
        records,
        invalid,
        overridden: templates.overridden.clone(),
        at,
        warnings,
    })
}

/// What a thread returned; its panic, carried on.
fn joined<T>(thread: std::thread::ScopedJoinHandle<'_, T>) -> T {
    thread
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// What a build in a folder may take from the build before (its manifest)
/// and what it tells the next one.
struct PreviousBuild<'o> {
    out: &'o Path,
    /// The site's folders (paths from its root).
    folders: Vec<&'static str>,
    /// The previous build's manifest, when it may be trusted.
    manifest: Option<PathBuf>,
    /// Its pages and the output's folders (opened once), read on a thread
    /// of their own once the report is computed (they would add to its
    /// peak), while the site's indexes are made ([`Reuse::prefetch`]), and
    /// taken when a page first asks.
    loading: std::sync::Mutex<Option<std::thread::JoinHandle<Standing>>>,
    previous: std::sync::OnceLock<Standing>,
    /// Pages rendered, with their inputs' hash.
    rendered: std::sync::Mutex<Vec<(String, manifest::Digest)>>,
    /// Pages of the previous build left standing, with their entries.
    kept: std::sync::Mutex<Vec<(String, manifest::Entry)>>,
    /// The parts of the pages rendered in parts.
    parts: std::sync::Mutex<std::collections::HashMap<String, Vec<manifest::Part>>>,
}

/// The previous build's pages, and the folders of the output they stand
/// in.
type Standing = (manifest::Previous, manifest::Files);

impl<'o> PreviousBuild<'o> {
    /// Read the previous build's pages and open the output's folders.
    fn read(out: &Path, folders: &[&str], manifest: Option<&Path>) -> Standing {
        let previous = manifest.map(manifest::load).unwrap_or_default();
        let folders = folders.iter().copied();
        let standing = manifest::Files::open(out, folders.filter(|_| !previous.pages.is_empty()));
        (previous, standing)
    }

    fn previous(&self) -> &Standing {
        self.previous.get_or_init(|| {
            let loading = self.loading.lock().ok().and_then(|mut l| l.take());
            let standing = match loading.map(std::thread::JoinHandle::join) {
                Some(Ok(standing)) => standing,
                // A thread that failed has read nothing: nothing stands.
                Some(Err(_)) => Self::read(self.out, &[], None),
                None => Self::read(self.out, &self.folders, self.manifest.as_deref()),
            };
            // Most pages stand: room for all at once, not grown by copies.
            if let Ok(mut kept) = self.kept.lock() {
                kept.reserve(standing.0.pages.len());
            }
            standing
        })
    }

    /// The pages rendered (with their parts), and the manifest's entries
    /// of those left standing (the previous build is let go).
    fn finish(self) -> (Vec<manifest::Rendered>, Entries) {
        // Its maps (a key per page) are freed beside what follows.
        std::thread::spawn(move || drop(self.previous));
        let mut parts = self.parts.into_inner().unwrap_or_default();
        let rendered = self
            .rendered
            .into_inner()
            .unwrap_or_default()
            .into_iter()
            .map(|(path, digest)| {
                let parts = parts.remove(&path).unwrap_or_default();
                (path, digest, parts)
            })
            .collect();
        (rendered, self.kept.into_inner().unwrap_or_default())
    }
}

/// Pages and their manifest entries.
type Entries = Vec<(String, manifest::Entry)>;

impl Reuse for PreviousBuild<'_> {
    fn prefetch(&self) {
        if self.previous.get().is_some() {
            return;
        }
        if let Ok(mut loading) = self.loading.lock()
            && loading.is_none()
        {
            let (out, folders) = (self.out.to_owned(), self.folders.clone());
            let manifest = self.manifest.clone();
            *loading = Some(std::thread::spawn(move || {
                Self::read(&out, &folders, manifest.as_deref())
            }));
        }
    }

    fn page(&self, path: &str, digest: &manifest::Digest) -> Result<bool, SiteError> {
        let (previous, standing) = self.previous();
        let same = previous
            .pages
            .get(digest)
            .filter(|&&stat| standing.stat(path) == Some(stat));
        Ok(match same {
            Some(&stamp) => {
                let parts = previous.parts.get(path).map(|p| {
                    let mut parts: Vec<manifest::Part> = p
                        .by_digest
                        .iter()
                        .map(|(&digest, &(offset, len))| manifest::Part {
                            digest,
                            offset,
                            len,
                        })
                        .collect();
                    // In the page's order, as it was written.
                    parts.sort_unstable_by_key(|part| part.offset);
                    parts
                });
                let entry = manifest::Entry {
                    digest: *digest,
                    stamp,
                    parts: parts.unwrap_or_default(),
                };
                self.kept
                    .lock()
                    .map(|mut all| all.push((path.to_owned(), entry)))
                    .is_ok()
            }
            None => {
                if let Ok(mut all) = self.rendered.lock() {
                    all.push((path.to_owned(), *digest));
                }
                false
            }
        })
    }

    fn part(
        &self,
        path: &str,
        digest: &manifest::Digest,
        to: &mut dyn std::io::Write,
    ) -> Result<bool, SiteError> {
        let (previous, standing) = self.previous();
        previous
            .copy_part(standing, path, digest, to)
            .map_err(SiteError::io(&self.out.join(path)))
    }

    fn written(&self, path: &str, parts: Vec<manifest::Part>) {
        if let Ok(mut all) = self.parts.lock() {
            all.insert(path.to_owned(), parts);
        }
    }

    fn records(&self) -> Option<&manifest::Records> {
        self.previous().0.records.as_ref()
    }
}

/// Writes a page's bytes as they are made (a page of 90,000 rows is never
/// held whole).
pub type PageFill<'f> = dyn FnMut(&mut dyn std::io::Write) -> Result<(), SiteError> + 'f;

/// Where [`render`] puts a page: called with its path from the site root
/// and the function that writes its bytes.
pub type PageWriter<'w> = dyn Fn(&str, &mut PageFill<'_>) -> Result<(), SiteError> + Sync + 'w;

/// What [`render`] may take from the previous build.
pub trait Reuse: Sync {
    /// Called once the report is computed: what the previous build left
    /// may be read from now on, beside the build (none is asked for yet).
    fn prefetch(&self) {}
    /// Asked before a page is rendered, with the hash of everything its
    /// rendering reads: whether the previous build's page can stand for
    /// it (it was put in place: nothing is rendered).
    fn page(&self, path: &str, digest: &manifest::Digest) -> Result<bool, SiteError>;
    /// Asked before a part of the page at `path` is rendered
    /// ([`parts`]): write the previous build's bytes of the part whose
    /// inputs hash to `digest` into `to`, if it has them.
    fn part(
        &self,
        path: &str,
        digest: &manifest::Digest,
        to: &mut dyn std::io::Write,
    ) -> Result<bool, SiteError>;
    /// The page at `path` was written with `parts` (for the next build).
    fn written(&self, path: &str, parts: Vec<manifest::Part>);
    /// What the previous build saw of the records, to look only at the
    /// pages of what changed since ([`changes`]).
    fn records(&self) -> Option<&manifest::Records>;
}

/// Reuse nothing: every page is rendered.
pub struct RenderAll;

impl Reuse for RenderAll {
    fn page(&self, _: &str, _: &manifest::Digest) -> Result<bool, SiteError> {
        Ok(false)
    }

    fn part(
        &self,
        _: &str,
        _: &manifest::Digest,
        _: &mut dyn std::io::Write,
    ) -> Result<bool, SiteError> {
        Ok(false)
    }

    fn written(&self, _: &str, _: Vec<manifest::Part>) {}

    fn records(&self) -> Option<&manifest::Records> {
        None
    }
}

/// What [`render`] made.
#[derive(Debug, Clone)]
pub struct Rendered<'d> {
    /// Pages made (the assets besides), rendered or reused.
    pub pages: usize,
    /// Of those, pages the previous build's stood for.
    pub reused: usize,
    /// Records with a page.
    pub records: usize,
    pub warnings: Vec<String>,
    /// What it saw of the records with a page, for the next build
    /// ([`manifest::save`]): the hash their pages share, and each one
    /// (`None`: not known of each).
    pub seen: Option<(manifest::Digest, Vec<manifest::RecordSeen<'d>>)>,
}

/// Render every page of `dataset` as of `at`, and the assets, each handed
/// to `write` with its path from the site root (in parallel: `write` is
/// called from several threads), unless `reuse` says the previous build's
/// page stands for it. Nothing here touches the file system.
pub fn render<'d>(
    dataset: &'d Dataset,
    templates: &Templates,
    at: Timestamp,
    progress: &dyn Progress,
    write: &PageWriter<'_>,
    reuse: &dyn Reuse,
) -> Result<Rendered<'d>, SiteError> {
    let reused = std::sync::atomic::AtomicUsize::new(0);
    let mut warnings = Vec::new();
    // The report first: the records' facts it sums up are let go before
    // the site's indexes are made (at 100,000 records the two together
    // would pass 300 MB).
    progress.phase("computing the report");
    let own_report_page = templates.overridden.iter().any(|t| t == "report.html");
    let report = report_page::compute(dataset, at, own_report_page);
    reuse.prefetch();
    if let Err(e) = &report {
        warnings.push(format!("no report page: {e}"));
    }
    // What the service pages show of the report: kept past it.
    let availability: std::collections::HashMap<String, crate::availability::ServiceAvailability> =
        report
            .as_ref()
            .map(|r| {
                r.availability
                    .iter()
                    .map(|s| (s.service.clone(), s.clone()))
                    .collect()
            })
            .unwrap_or_default();
    let data = SiteData::new(dataset, at, &|ci| availability.contains_key(ci))?;
    // The pages that read the report first: it is dropped before the rest
    // (it may hold every breach, which grows with the records).
    let with_report = report_pages(&data, report.as_ref().map_err(Clone::clone));
    let fixed = fixed_pages(&data);
    // The table pages: the SLA page, and a list and its search index per
    // kind.
    let total = with_report.len() + fixed.len() + 1 + 2 * Kind::ALL.len() + data.records.len();
    progress.start(total as u64);
    let at_text = fmt_time(&at);
    let majors = major::banner(&data);
    let info = |path: &str, title: &str, section: &'static str, as_of: bool| PageInfo {
        root: paths::root_of(path),
        path: path.to_owned(),
        title: title.to_owned(),
        section,
        at: as_of.then(|| at_text.clone()),
        majors: majors.clone(),
    };
    let render = |template: &str, page: &PageInfo, view: Value, extra: Value| {
        let ctx =
            minijinja::context! { page => Value::from(Serde(page)), view => view, ci => extra };
        let mut ctx = Some(ctx);
        write(&page.path, &mut |out| match ctx.take() {
            Some(ctx) => templates.render_to(template, ctx, out),
            None => Ok(()),
        })?;
        progress.advance(1);
        Ok::<(), SiteError>(())
    };
    // The pages that sum up every record (dashboard, report, calendar,
    // KEDB) change with almost any edit: always rendered.
    let summary = |p: Page<'_>| {
        let page = info(&p.path, &p.title, p.section, true);
        render(p.template, &page, (p.view)(), Value::UNDEFINED)
    };
    with_report.into_par_iter().try_for_each(summary)?;
    drop(report);
    fixed.into_par_iter().try_for_each(summary)?;
    // The pages that sum up every record: a part is rendered only when
    // its rows changed ([`parts`]).
    let reused_page = || {
        reused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        progress.advance(1);
    };
    let table_warnings = std::sync::Mutex::new(Vec::new());
    let table_page = |p: parts::TablePage<'_>| {
        let page = info(&p.path, p.title, p.section, p.as_of);
        let warning = match parts::write_page(p, &page, templates, reuse, write)? {
            parts::Written::Stood { warning } => {
                reused_page();
                warning
            }
            parts::Written::Rendered { warning } => {
                progress.advance(1);
                warning
            }
        };
        if let Some(warning) = warning
            && let Ok(mut all) = table_warnings.lock()
        {
            all.push(warning);
        }
        Ok::<(), SiteError>(())
    };
    table_pages(&data, templates)
        .into_par_iter()
        .try_for_each(|make| table_page(make()))?;
    let mut table_warnings = table_warnings.into_inner().unwrap_or_default();
    table_warnings.sort();
    warnings.extend(table_warnings);
    // A record's page is reused when what it is rendered from hashes as
    // before ([`page_key`]), before any view is made; and when no record
    // it shows changed since the last build ([`changes`]), without even
    // that hash.
    let record_key = page_key::Base::new(&templates.fingerprint, RECORD_TEMPLATE, &data);
    let ci_key = page_key::Base::new(&templates.fingerprint, CI_TEMPLATE, &data);
    let shared =
        page_key::shared_by_records(&templates.fingerprint, &data, &info("", "", "", false));
    let before = reuse.records();
    let to_look_at = before
        .zip(shared.as_ref())
        .and_then(|(before, shared)| changes::pages_to_look_at(before, shared, &data));
    let seen = data
        .records
        .par_iter()
        .map(|&record| {
            let path = paths::record(record.kind(), record.id());
            // A service's availability, measured up to the instant its page
            // shows: the page is looked at by every build (what changed
            // since the last one does not say when the instant moved).
            let service = match record {
                Record::Ci(ci) => availability.get(&ci.id),
                _ => None,
            };
            // Made only for a page whose key is made, or that is rendered.
            let page_info = || {
                let title = format!("{} {}", record.id(), record.title());
                info(&path, &title, record.kind().folder(), service.is_some())
            };
            let mut page = None;
            let standing = to_look_at
                .as_ref()
                .filter(|look| service.is_none() && !look.page_of(record))
                .and(before)
                .and_then(|before| before.seen.get(record.id()));
            let key = match standing {
                Some(seen) => Some(seen.page),
                None => {
                    let page = page.insert(page_info());
                    match record {
                        Record::Ci(_) => ci_key
                            .as_ref()
                            .and_then(|base| page_key::ci(base, &data, page, record, service)),
                        _ => record_key
                            .as_ref()
                            .and_then(|base| page_key::record(base, &data, page, record)),
                    }
                }
            };
            let seen =
                key.zip(data.facts(record).copied())
                    .map(|(page, facts)| manifest::RecordSeen {
                        record,
                        facts,
                        page,
                    });
            if let Some(key) = &key
                && reuse.page(&path, key)?
            {
                reused_page();
                return Ok(seen);
            }
            let page = page.unwrap_or_else(page_info);
            let root = paths::root_of(&path);
            let view = record::view(&data, record, &root);
            let (template, extra) = match record {
                Record::Ci(ci) => {
                    let extra = ci::view(&data, ci, &root, service);
                    (CI_TEMPLATE, Value::from(Serde(&extra)))
                }
                _ => (RECORD_TEMPLATE, Value::UNDEFINED),
            };
            render(template, &page, Value::from(Serde(&view)), extra)?;
            Ok::<_, SiteError>(seen)
        })
        .collect::<Result<Vec<_>, SiteError>>()?;
    let seen = shared.zip(seen.into_iter().collect::<Option<Vec<_>>>());
    for (name, text) in &templates.assets {
        let path = format!("assets/{name}");
        write(&path, &mut |out| {
            out.write_all(text.as_bytes())
                .map_err(SiteError::io(Path::new(&path)))
        })?;
    }
    Ok(Rendered {
        pages: total,
        reused: reused.into_inner(),
        records: data.records.len(),
        warnings,
        seen,
    })
}

/// The template of a ticket's or an article's page.
const RECORD_TEMPLATE: &str = "record.html";
/// The template of a CI's page.
const CI_TEMPLATE: &str = "ci.html";

/// A page of the site that is not one record's.
fn page<'p>(
    path: &str,
    template: &'static str,
    title: &str,
    section: &'static str,
    view: impl Fn() -> Value + Send + Sync + 'p,
) -> Page<'p> {
    Page {
        path: path.to_owned(),
        template,
        title: title.to_owned(),
        section,
        view: Box::new(view),
    }
}

/// The pages that read the report: the dashboard, the report page, the
/// service catalogue's and the teams'.
fn report_pages<'p>(
    data: &'p SiteData<'_>,
    report: Result<&'p crate::report::Report, String>,
) -> Vec<Page<'p>> {
    let dashboard_report = report.clone();
    let items = std::sync::Arc::new(catalogue::items(data, report.as_ref().ok().copied()));
    let mut pages = catalogue_pages(&items);
    pages.extend(team_pages(data, report.clone()));
    pages.extend([
        page(
            "index.html",
            "dashboard.html",
            "Dashboard",
            "dashboard",
            move || Value::from(Serde(&dashboard::view(data, dashboard_report.clone()))),
        ),
        page(
            "report.html",
            "report.html",
            "Report",
            "report",
            move || Value::from(Serde(&report_page::view(report.clone()))),
        ),
    ]);
    pages
}

/// `teams/index.html` and a page per team.
fn team_pages<'p>(
    data: &'p SiteData<'_>,
    report: Result<&'p crate::report::Report, String>,
) -> Vec<Page<'p>> {
    let index = report.clone();
    let mut pages = vec![page(
        teams::INDEX,
        "teams.html",
        "Teams",
        "teams",
        move || Value::from(Serde(&teams::index(index.clone()))),
    )];
    if let Ok(report) = report {
        for team in teams::with_pages(report) {
            pages.push(page(
                &teams::path(&team.row.key),
                "team.html",
                &format!("{} (team)", team.row.key),
                "teams",
                move || Value::from(Serde(&teams::view(data, report, team))),
            ));
        }
    }
    pages
}

/// `catalog.html` and a page per catalogue item.
fn catalogue_pages<'p>(items: &std::sync::Arc<Vec<catalogue::ItemView>>) -> Vec<Page<'p>> {
    let all = std::sync::Arc::clone(items);
    let mut pages = vec![page(
        "catalog.html",
        "catalog.html",
        "Service catalogue",
        "catalog",
        move || Value::from(Serde(&catalogue::index(&all))),
    )];
    for i in 0..items.len() {
        let items = std::sync::Arc::clone(items);
        let title = format!("{} (service catalogue)", items[i].entry.name);
        pages.push(page(
            &items[i].href.clone(),
            "catalog_item.html",
            &title,
            "catalog",
            move || Value::from(Serde(&items[i])),
        ));
    }
    pages
}

/// The other pages that are not one record's.
fn fixed_pages<'p>(data: &'p SiteData<'_>) -> Vec<Page<'p>> {
    let mut pages = vec![
        page(
            "calendar.html",
            "calendar.html",
            "Change calendar",
            "calendar",
            move || Value::from(Serde(&calendar::view(data))),
        ),
        page(
            "kedb.html",
            "kedb.html",
            "Known error database",
            "kedb",
            move || Value::from(Serde(&lists::kedb(data))),
        ),
    ];
    for inc in major::incidents(data) {
        pages.push(page(
            &major::path(&inc.id),
            "major.html",
            &format!("Major incident {} {}", inc.id, inc.title),
            "incidents",
            move || Value::from(Serde(&major::view(data, inc))),
        ));
    }
    pages
}

/// The table pages (each made when it is written): each kind's list and
/// search index, and the SLA page.
fn table_pages<'p>(
    data: &'p SiteData<'p>,
    templates: &'p Templates,
) -> Vec<Box<dyn Fn() -> parts::TablePage<'p> + Send + Sync + 'p>> {
    let mut pages: Vec<Box<dyn Fn() -> parts::TablePage<'p> + Send + Sync + 'p>> =
        vec![Box::new(move || {
            let (view, rows) = lists::sla(data, templates);
            parts::TablePage {
                path: "sla.html".to_owned(),
                title: "SLA",
                section: "sla",
                as_of: true,
                shell: parts::Shell::Template("sla.html", Value::from(Serde(&view))),
                table: Box::new(rows),
            }
        })];
    for kind in Kind::ALL {
        pages.push(Box::new(move || {
            let (view, rows) = lists::list(data, templates, kind);
            parts::TablePage {
                path: paths::list(kind),
                title: lists::plural(kind),
                section: kind.folder(),
                as_of: false,
                shell: parts::Shell::Template("list.html", Value::from(Serde(&view))),
                table: Box::new(rows),
            }
        }));
        pages.push(Box::new(move || parts::TablePage {
            path: format!("{}/search.js", paths::folder(kind)),
            title: lists::plural(kind),
            section: kind.folder(),
            as_of: false,
            shell: parts::Shell::Text(parts::SEARCH_HEAD, parts::SEARCH_TAIL),
            table: Box::new(parts::SearchIndex::new(data, data.all_of_kind(kind))),
        }));
    }
    pages
}

/// The latest timestamp the records hold (the instant of a site built
/// outside Git).
fn latest_stamp(dataset: &Dataset) -> Option<Timestamp> {
    dataset.records().filter_map(Record::created_at).max()
}

/// An instant as pages show it, in its own offset: `2026-09-03 12:14 +02:00`.
/// Written digit by digit (a page of 10,000 rows shows as many instants;
/// `format` reads its pattern again for each), as `%Y-%m-%d %H:%M %:z`
/// writes it; a year of other than four digits, or an offset of odd
/// seconds, as that pattern does.
pub fn fmt_time(t: &Timestamp) -> String {
    use chrono::{Datelike, Timelike};
    let offset = t.offset().local_minus_utc();
    let four_digits = u32::try_from(t.year()).ok().filter(|&y| y <= 9999);
    let Some(year) = four_digits.filter(|_| offset % 60 == 0) else {
        return t.format("%Y-%m-%d %H:%M %:z").to_string();
    };
    let mut text = String::with_capacity(23);
    let minutes = offset.unsigned_abs() / 60;
    digits(&mut text, year, 4);
    text.push('-');
    digits(&mut text, t.month(), 2);
    text.push('-');
    digits(&mut text, t.day(), 2);
    text.push(' ');
    digits(&mut text, t.hour(), 2);
    text.push(':');
    digits(&mut text, t.minute(), 2);
    text.push_str(if offset < 0 { " -" } else { " +" });
    digits(&mut text, minutes / 60, 2);
    text.push(':');
    digits(&mut text, minutes % 60, 2);
    text
}

/// `n`'s last `width` digits, zero-padded.
fn digits(text: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        text.push(char::from_digit(n / 10u32.pow(place) % 10, 10).unwrap_or('0'));
    }
}

/// An instant as HTML reads it (a `<time>`'s `datetime`, a valid global
/// date and time string): `2026-09-03T12:14:00+02:00`.
pub fn iso_time(t: &Timestamp) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// A date as lists show it.
pub fn fmt_date(t: &Timestamp) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// `1h30m`, `-45m` (past the target), `0m`; whole minutes.
pub fn span(d: Duration) -> String {
    let minutes = crate::duration::Duration::minutes(d.num_minutes().abs());
    if d < Duration::zero() && minutes.as_minutes() > 0 {
        format!("-{minutes}")
    } else {
        minutes.to_string()
    }
}

/// Default output folder: `site/` under the managed root.
pub fn default_out(root: &Path) -> PathBuf {
    root.join("site")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_is_shown_as_its_pattern_writes_it() {
        let cases = [
            ("2026-09-03T12:14:59+02:00", "2026-09-03 12:14 +02:00"),
            ("2026-01-01T00:00:00Z", "2026-01-01 00:00 +00:00"),
            ("1999-12-31T23:59:00-09:30", "1999-12-31 23:59 -09:30"),
            ("0042-02-28T07:05:00+14:00", "0042-02-28 07:05 +14:00"),
        ];
        for (at, shown) in cases {
            let t = Timestamp::parse_from_rfc3339(at).expect("instant");
            assert_eq!(fmt_time(&t), shown, "{at}");
            assert_eq!(fmt_time(&t), t.format("%Y-%m-%d %H:%M %:z").to_string());
        }
        // Past four digits, and an offset of odd seconds: the pattern's own.
        let offset = chrono::FixedOffset::east_opt(3600 + 45).expect("offset");
        let odd = chrono::NaiveDate::from_ymd_opt(2026, 5, 6)
            .and_then(|d| d.and_hms_opt(7, 8, 9))
            .expect("date")
            .and_utc()
            .with_timezone(&offset);
        let far = chrono::NaiveDate::from_ymd_opt(12345, 1, 2)
            .and_then(|d| d.and_hms_opt(3, 4, 5))
            .expect("date")
            .and_utc()
            .fixed_offset();
        for t in [odd, far] {
            assert_eq!(fmt_time(&t), t.format("%Y-%m-%d %H:%M %:z").to_string());
        }
    }
}
