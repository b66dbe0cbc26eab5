//! `gitsm init`: scaffold a managed repository.

use std::path::Path;
use std::process::ExitCode;

use crate::config;
use crate::kind::Kind;
use crate::schema;

use super::super::CommandError;
use super::super::context::CommandContext;

mod example {
    include!(concat!(env!("OUT_DIR"), "/example_repo.rs"));
}

/// Create gitsm.yaml, the record folders and the schemas in the current directory
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also add the sample organisation: people, CIs, incidents, problems, changes, requests
    #[arg(long)]
    pub example: bool,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let root = &cx.cwd;
    let config_path = root.join(config::FILE_NAME);
    if config_path.exists() {
        return Err(CommandError::usage_hint(
            format!("{} already exists", config_path.display()),
            "this folder is already a gitsm repository",
        ));
    }
    // Check everything that could refuse before writing anything.
    let files: Vec<(String, String)> = if args.example {
        example::FILES
            .iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
            .collect()
    } else {
        vec![(config::FILE_NAME.to_owned(), starter_with_you(root))]
    };
    for (rel, _) in &files {
        if root.join(rel).exists() {
            return Err(CommandError::usage(format!(
                "{rel} already exists; nothing was written"
            )));
        }
    }
    for kind in Kind::ALL {
        let dir = root.join(kind.folder());
        std::fs::create_dir_all(&dir).map_err(|e| CommandError::io(dir.display(), e))?;
        let keep = dir.join(".gitkeep");
        if !keep.exists()
            && std::fs::read_dir(&dir)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false)
        {
            std::fs::write(&keep, "").map_err(|e| CommandError::io(keep.display(), e))?;
        }
    }
    super::schema::write_all(&root.join("schemas"), &schema::files())?;
    for (rel, text) in &files {
        if rel.starts_with("schemas/") {
            continue;
        }
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CommandError::io(dir.display(), e))?;
        }
        crate::write::create_new(&path, text.as_bytes())
            .map_err(|e| CommandError::io(path.display(), e))?;
        // ssh-keygen signs only with a private key its owner alone can read.
        #[cfg(unix)]
        if rel.starts_with("keys/") && !rel.ends_with(".pub") && !rel.ends_with(".md") {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| CommandError::io(path.display(), e))?;
        }
    }
    ignore_site(root)?;
    let what = if args.example {
        "with the example organisation"
    } else {
        ""
    };
    cx.status(&format!("initialised gitsm in {} {what}", shown(root)));
    cx.status(
        "next:\n  gitsm hooks install                  check every commit before it is made\n  gitsm new incident --title \"...\"    open a ticket (then gitsm validate)\n  list your SSH public key under people.<you>.keys in gitsm.yaml to approve changes",
    );
    Ok(ExitCode::SUCCESS)
}

/// The starter policy with the person running `init` under `people`: the
/// handle is their Git email's local part.
fn starter_with_you(root: &Path) -> String {
    let starter = config::STARTER.to_owned();
    let Some(email) = crate::git::user_email(root) else {
        return starter;
    };
    let handle: String = email
        .split('@')
        .next()
        .unwrap_or_default()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if handle.trim_matches('-').is_empty() {
        return starter;
    }
    let name = crate::git::user_name(root).unwrap_or_else(|| handle.clone());
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    starter.replacen(
        "people: {}",
        &format!(
            "people:\n  {handle}: {{ name: {}, emails: [{}] }}",
            quote(&name),
            quote(&email)
        ),
        1,
    )
}

/// `site/` (what `gitsm site` writes by default) in `.gitignore`.
fn ignore_site(root: &Path) -> Result<(), CommandError> {
    let path = root.join(".gitignore");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    if text
        .lines()
        .any(|l| matches!(l.trim(), "site/" | "site" | "/site/" | "/site"))
    {
        return Ok(());
    }
    let sep = if text.is_empty() || text.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    crate::write::atomic(
        &path,
        format!("{text}{sep}# built by `gitsm site`\nsite/\n").as_bytes(),
    )
    .map_err(|e| CommandError::io(path.display(), e))
}

fn shown(p: &Path) -> String {
    p.display().to_string()
}
