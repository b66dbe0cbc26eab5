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

pub use error::CommandError;
pub use ui::Ui;

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
    Set(commands::set::Args),
    Transition(commands::transition::Args),
    Note(commands::note::Args),
    Escalate(commands::escalate::Args),
    Mine(commands::mine::Args),
    Link(commands::link::Args),
    Validate(commands::validate::Args),
    Approve(commands::approve::Args),
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
    let ui = match Ui::new(&cli.global) {
        Ok(ui) => ui,
        Err(e) => return e.report(None),
    };
    let started = std::time::Instant::now();
    let outcome = run(&ui, cli.command);
    ui.note(&format!("done in {} ms", started.elapsed().as_millis()));
    match outcome {
        Ok(code) => code,
        Err(e) => e.report(Some(&ui)),
    }
}

fn run(ui: &Ui, command: Command) -> Result<ExitCode, CommandError> {
    match command {
        Command::Init(args) => commands::init::run(ui, args),
        Command::New(args) => commands::new::run(ui, args),
        Command::List(args) => commands::list::run(ui, args),
        Command::Show(args) => commands::show::run(ui, args),
        Command::Search(args) => commands::search::run(ui, args),
        Command::Query(args) => commands::query::run(ui, args),
        Command::Export(args) => commands::export::run(ui, args),
        Command::Set(args) => commands::set::run(ui, args),
        Command::Transition(args) => commands::transition::run(ui, args),
        Command::Note(args) => commands::note::run(ui, args),
        Command::Escalate(args) => commands::escalate::run(ui, args),
        Command::Mine(args) => commands::mine::run(ui, args),
        Command::Link(args) => commands::link::run(ui, args),
        Command::Validate(args) => commands::validate::run(ui, args),
        Command::Approve(args) => commands::approve::run(ui, args),
        Command::Hooks(args) => commands::hooks::run(ui, args),
        Command::Sla(args) => commands::sla::run(ui, args),
        Command::Report(args) => commands::report::run(ui, args),
        Command::Impact(args) => commands::impact::run(ui, args),
        Command::Gate(args) => commands::gate::run(ui, args),
        Command::Graph(args) => commands::graph::run(ui, args),
        Command::History(args) => commands::history::run(ui, args),
        Command::Renumber(args) => commands::renumber::run(ui, args),
        Command::Schema(args) => commands::schema::run(ui, args),
        Command::Site(args) => commands::site::run(ui, args),
        Command::Completions(args) => commands::completions::run(args),
        Command::Man(args) => commands::man::run(ui, args),
    }
}
