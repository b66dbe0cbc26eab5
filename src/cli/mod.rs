//! The command line: argument parsing, dispatch, and turning results into
//! output and exit codes. Everything below `commands/` is one subcommand per
//! file; the domain modules know nothing of this layer.

mod commands;
mod complete;
mod context;
mod edits;
mod error;
mod filters;
mod output;
mod tabular;
mod ui;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use context::CommandContext;
pub use error::CommandError;

/// Git-native IT service management: incidents, problems, changes, service
/// requests and configuration items as YAML files in Git.
#[derive(Debug, Parser)]
#[command(name = "gitsm", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Run as if gitsm was started in DIR
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// When to use colours (NO_COLOR is honoured with `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// Print less: only errors and requested data
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail on stderr: the managed root, what was read (records,
    /// history) and how long the command took
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(commands::init::Args),
    New(commands::new::Args),
    List(commands::list::Args),
    Show(commands::show::Args),
    Search(commands::search::Args),
    Query(commands::query::Args),
    Export(commands::export::Args),
    Import(commands::import::Args),
    Set(commands::set::Args),
    Transition(commands::transition::Args),
    Note(commands::note::Args),
    Feedback(commands::feedback::Args),
    Schedule(commands::schedule::Args),
    Intake(commands::intake::Args),
    Escalate(commands::escalate::Args),
    Mine(commands::mine::Args),
    Link(commands::link::Args),
    Validate(commands::validate::Args),
    Approve(commands::approve::Args),
    Baseline(commands::baseline::Args),
    Hooks(commands::hooks::Args),
    Sla(commands::sla::Args),
    Report(commands::report::Args),
    Impact(commands::impact::Args),
    Gate(commands::gate::Args),
    Graph(commands::graph::Args),
    History(commands::history::Args),
    Renumber(commands::renumber::Args),
    Schema(commands::schema::Args),
    Site(commands::site::Args),
    Completions(commands::completions::Args),
    Man(commands::man::Args),
}

/// Run gitsm with the process arguments and return its exit code.
pub fn main() -> ExitCode {
    complete::answer_when_asked();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let choice = match cli.global.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    let cx = match CommandContext::new(&cli.global) {
        Ok(cx) => cx,
        Err(e) => return e.report(None),
    };
    let started = std::time::Instant::now();
    let outcome = run(&cx, cli.command);
    cx.note(&format!("done in {} ms", started.elapsed().as_millis()));
    match outcome {
        Ok(code) => code,
        Err(e) => e.report(Some(&cx)),
    }
}

fn run(cx: &CommandContext, command: Command) -> Result<ExitCode, CommandError> {
    match command {
        Command::Init(args) => commands::init::run(cx, args),
        Command::New(args) => commands::new::run(cx, args),
        Command::List(args) => commands::list::run(cx, args),
        Command::Show(args) => commands::show::run(cx, args),
        Command::Search(args) => commands::search::run(cx, args),
        Command::Query(args) => commands::query::run(cx, args),
        Command::Export(args) => commands::export::run(cx, args),
        Command::Import(args) => commands::import::run(cx, args),
        Command::Set(args) => commands::set::run(cx, args),
        Command::Transition(args) => commands::transition::run(cx, args),
        Command::Note(args) => commands::note::run(cx, args),
        Command::Feedback(args) => commands::feedback::run(cx, args),
        Command::Schedule(args) => commands::schedule::run(cx, args),
        Command::Intake(args) => commands::intake::run(cx, args),
        Command::Escalate(args) => commands::escalate::run(cx, args),
        Command::Mine(args) => commands::mine::run(cx, args),
        Command::Link(args) => commands::link::run(cx, args),
        Command::Validate(args) => commands::validate::run(cx, args),
        Command::Approve(args) => commands::approve::run(cx, args),
        Command::Baseline(args) => commands::baseline::run(cx, args),
        Command::Hooks(args) => commands::hooks::run(cx, args),
        Command::Sla(args) => commands::sla::run(cx, args),
        Command::Report(args) => commands::report::run(cx, args),
        Command::Impact(args) => commands::impact::run(cx, args),
        Command::Gate(args) => commands::gate::run(cx, args),
        Command::Graph(args) => commands::graph::run(cx, args),
        Command::History(args) => commands::history::run(cx, args),
        Command::Renumber(args) => commands::renumber::run(cx, args),
        Command::Schema(args) => commands::schema::run(cx, args),
        Command::Site(args) => commands::site::run(cx, args),
        Command::Completions(args) => commands::completions::run(args),
        Command::Man(args) => commands::man::run(cx, args),
    }
}
