//! `gitsm graph`: the CMDB, or a CI's neighbourhood, as Graphviz DOT,
//! Mermaid or JSON.

use std::process::ExitCode;

use crate::cmdb::CmdbGraph;
use crate::kind::Kind;
use crate::suggest;

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::ui::stdout_write;

/// Export the CMDB graph (or the neighbourhood of a CI) as DOT, Mermaid or JSON
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gitsm graph | dot -Tsvg > cmdb.svg\n  gitsm graph --from orders-db --depth 2 --format mermaid"
)]
pub struct Args {
    /// Output format: Graphviz DOT, Mermaid (renders in GitHub Markdown) or JSON {nodes, edges}
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// Only the neighbourhood of this CI (repeat for several)
    #[arg(long, value_name = "CI")]
    #[arg(add = crate::cli::complete::id_of(Kind::Ci))]
    pub from: Vec<String>,
    /// With --from: how many relations away to go, in either direction
    #[arg(long, value_name = "N", default_value_t = 2, requires = "from")]
    pub depth: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let ws = cx.workspace()?;
    let loaded = crate::checks::load(&ws, &[Kind::Ci]);
    let graph = CmdbGraph::from_loaded(&ws.config.ci, &loaded);
    let mut from = Vec::with_capacity(args.from.len());
    for id in &args.from {
        match graph.index_of(id) {
            Some(i) => from.push(i),
            None if loaded.files.iter().any(|f| f.id.as_deref() == Some(id)) => {
                return Err(CommandError::Failed(format!(
                    "{id} is not valid; run `gitsm validate` and fix it first"
                )));
            }
            None => {
                let hint =
                    suggest::closest(id, graph.ids()).map(|s| format!("did you mean `{s}`?"));
                return Err(CommandError::Usage {
                    message: format!("no configuration item with id `{id}`"),
                    hint,
                });
            }
        }
    }
    let sub = graph.neighbourhood(&from, args.depth);
    let text = match args.format {
        GraphFormat::Dot => sub.to_dot(),
        GraphFormat::Mermaid => sub.to_mermaid(),
        GraphFormat::Json => sub.to_json(),
    };
    stdout_write(&text)?;
    Ok(ExitCode::SUCCESS)
}
