//! `gitsm schema`: export the JSON Schemas.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::schema;

use super::super::CommandError;
use super::super::context::CommandContext;
use super::super::ui::stdout_write;

/// Export the JSON Schemas (draft 2020-12) of every record kind and of gitsm.yaml
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write the schema files into DIR instead of printing them
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Only this schema: incident, problem, change, request, ci or config
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let mut files = schema::files();
    if let Some(name) = &args.name {
        let file = if name == "config" {
            schema::CONFIG_SCHEMA.to_owned()
        } else {
            format!("{name}.schema.json")
        };
        files.retain(|(f, _)| *f == file);
        if files.is_empty() {
            return Err(CommandError::usage(format!(
                "no schema named `{name}` (incident, problem, change, request, ci or config)"
            )));
        }
    }
    match &args.output {
        Some(dir) => {
            let dir = cx.cwd.join(dir);
            write_all(&dir, &files)?;
            cx.status(&format!(
                "wrote {} schema files to {}",
                files.len(),
                dir.display()
            ));
        }
        None if files.len() == 1 => stdout_write(&files[0].1)?,
        None => {
            let mut all = serde_json::Map::new();
            for (f, text) in &files {
                all.insert(
                    (*f).to_owned(),
                    serde_json::from_str(text).unwrap_or_default(),
                );
            }
            let mut s = serde_json::to_string_pretty(&all).unwrap_or_default();
            s.push('\n');
            stdout_write(&s)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Write schema files into `dir`.
pub(crate) fn write_all(
    dir: &std::path::Path,
    files: &[(&str, String)],
) -> Result<(), CommandError> {
    std::fs::create_dir_all(dir).map_err(|e| CommandError::io(dir.display(), e))?;
    // The temp files of runs killed while they wrote here.
    crate::write::sweep(dir);
    for (name, text) in files {
        let path = dir.join(name);
        crate::write::atomic(&path, text.as_bytes())
            .map_err(|e| CommandError::io(path.display(), e))?;
    }
    Ok(())
}
