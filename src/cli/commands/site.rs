//! `gitsm site [-o DIR]`: build the static site.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::site::{self, Options, Progress};

use super::super::CommandError;
use super::super::context::CommandContext;

/// Build the static HTML site: dashboard, lists with search, a page per
/// record and CI, change calendar, known errors, SLA and report pages
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The folder is self-contained (relative links, no remote resources): open \
index.html from disk or publish it on any static host. It is written to a temporary folder and \
then replaces DIR as a whole; DIR must be new, empty, or a site gitsm wrote before.\n\n\
SLA clocks and the calendar's today are read at --at, else GITSM_NOW, else the time of the last \
commit, so the same revision always gives the same site (before a first commit, the latest time \
the records hold, else now).\n\n\
Templates: a file in the managed repository's templates/ folder replaces the built-in template \
or asset of the same name (base.html, list.html, record.html, ci.html, site.css, ...).\n\n\
Examples:\n  gitsm site\n  gitsm site -o public --at now"
)]
pub struct Args {
    /// Output folder [default: site/ in the managed repository]
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Read SLA clocks at this time: `now`, RFC 3339, a date, `tomorrow
    /// 09:00`, `-1d` (local times in the organisation's `timezone`)
    /// [default: the tip commit's time]
    #[arg(long, value_name = "T")]
    pub at: Option<crate::when::When>,
}

/// A progress bar on stderr when it is a terminal; nothing otherwise (CI logs).
struct Bar(ProgressBar);

impl Bar {
    fn new(cx: &CommandContext) -> Bar {
        let visible = !cx.quiet && std::io::stderr().is_terminal();
        let bar = if visible {
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        Bar(bar)
    }
}

impl Progress for Bar {
    fn phase(&self, message: &str) {
        self.0.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        self.0.set_message(message.to_owned());
        self.0.enable_steady_tick(Duration::from_millis(120));
    }

    fn start(&self, total: u64) {
        self.0.disable_steady_tick();
        self.0.set_length(total);
        self.0.set_position(0);
        self.0.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} pages ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        self.0.set_message("rendering");
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let out = match &args.output {
        Some(dir) => cx.cwd.join(dir),
        None => site::default_out(&ws.root),
    };
    let at = match args.at {
        Some(when) => Some(cx.at(Some(when), &ws.config)?),
        None => match std::env::var("GITSM_NOW") {
            Ok(_) => Some(cx.now()?),
            Err(_) => None,
        },
    };
    let bar = Bar::new(cx);
    let built = site::build(
        ws,
        &Options {
            out,
            at,
            now: cx.now()?,
        },
        &bar,
    )
    .map_err(|e| {
        bar.finish();
        match e {
            site::SiteError::Target { .. } => CommandError::usage_hint(
                e.to_string(),
                "pass -o with a new or empty folder, or remove the folder",
            ),
            site::SiteError::Template { .. } | site::SiteError::Sla(_) => {
                CommandError::usage(e.to_string())
            }
            site::SiteError::Io { .. } => CommandError::io("writing the site", e),
        }
    })?;
    cx.warnings(&built.warnings);
    if built.invalid > 0 {
        cx.status(&format!(
            "warning: {} record file{} could not be read and have no page; run `gitsm validate`",
            built.invalid,
            if built.invalid == 1 { "" } else { "s" }
        ));
    }
    if !built.overridden.is_empty() {
        cx.status(&format!(
            "templates from the repository: {}",
            built.overridden.join(", ")
        ));
    }
    let reused = if built.reused > 0 {
        format!(", {} unchanged since the last build", built.reused)
    } else {
        String::new()
    };
    cx.status(&format!(
        "wrote {} pages ({} records{reused}) to {} (as of {})",
        built.pages,
        built.records,
        cx.show_path(&cx.cwd, &built.out),
        site::fmt_time(&built.at)
    ));
    Ok(ExitCode::SUCCESS)
}
