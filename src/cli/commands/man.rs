//! `gitsm man`: man pages generated from the command definitions.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::CommandFactory;

use super::super::context::CommandContext;
use super::super::ui::stdout_write;
use super::super::{Cli, CommandError};

/// Print the gitsm(1) man page, or write a page per subcommand into DIR
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write gitsm.1 and gitsm-<command>.1 into DIR
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

pub(crate) fn run(cx: &CommandContext, args: Args) -> Result<ExitCode, CommandError> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    match args.output {
        None => {
            let (_, page) = page(cmd)?;
            stdout_write(&page)?;
        }
        Some(dir) => {
            let dir = cx.cwd.join(dir);
            std::fs::create_dir_all(&dir).map_err(|e| CommandError::io(dir.display(), e))?;
            // The temp files of runs killed while they wrote here.
            crate::write::sweep(&dir);
            for (name, page) in pages(cmd)? {
                let path = dir.join(name);
                crate::write::atomic(&path, page.as_bytes())
                    .map_err(|e| CommandError::io(path.display(), e))?;
            }
            cx.status(&format!("wrote man pages to {}", dir.display()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The page of `cmd` and of every visible subcommand, below it.
fn pages(cmd: clap::Command) -> Result<Vec<(String, String)>, CommandError> {
    let mut out = Vec::new();
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        out.extend(pages(sub.clone())?);
    }
    out.push(page(cmd)?);
    Ok(out)
}

/// `(gitsm-<command>.1, roff)`: clap_mangen's page with the header
/// `mandoc -Tlint` expects (upper-case title, the date of the commit
/// built, `gitsm <version>` as the source) and its output made lint-clean.
fn page(cmd: clap::Command) -> Result<(String, String), CommandError> {
    let name = cmd
        .get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_owned();
    let man = clap_mangen::Man::new(cmd)
        .title(name.to_uppercase())
        .section("1")
        .date(env!("GITSM_MAN_DATE"))
        .source(format!("gitsm {}", env!("CARGO_PKG_VERSION")))
        .manual("gitsm Manual");
    let mut buf = Vec::new();
    man.render(&mut buf)
        .map_err(|e| CommandError::io("man page", e))?;
    Ok((
        format!("{name}.1"),
        lint_clean(&String::from_utf8_lossy(&buf)),
    ))
}

/// clap_mangen's roff without what `mandoc -Tlint` reports: trailing
/// blanks, a `.br` next to a `.sp` or a blank line (the paragraph break
/// already breaks the line), text lines over 80 bytes (filled text, so
/// wrapping the source changes nothing on the page), and raw non-ASCII
/// characters (written as `\[u2026]`, which every formatter renders, in a
/// terminal of any encoding).
fn lint_clean(roff: &str) -> String {
    let lines: Vec<&str> = roff.lines().map(str::trim_end).collect();
    let mut out = String::with_capacity(roff.len());
    for (i, line) in lines.iter().enumerate() {
        let next_to_sp = |j: Option<usize>| {
            j.and_then(|j| lines.get(j))
                .is_some_and(|l| l.is_empty() || *l == ".sp")
        };
        if *line == ".br" && (next_to_sp(i.checked_sub(1)) || next_to_sp(Some(i + 1))) {
            continue;
        }
        let escaped = escape_non_ascii(line);
        if line.starts_with(['.', '\'']) {
            out.push_str(&escaped);
            out.push('\n');
        } else {
            wrap_text(&escaped, &mut out);
        }
    }
    out
}

fn escape_non_ascii(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", c as u32));
        }
    }
    out
}

/// A filled text line as source lines of at most 80 bytes, broken at
/// spaces; a piece that would start like a request (`.` or `'`) is
/// guarded with `\&`. A line's leading spaces stay on its first piece:
/// in roff they break the line there (each example of an "Examples:"
/// block on its own line).
fn wrap_text(line: &str, out: &mut String) {
    const WIDTH: usize = 80;
    let body = line.trim_start_matches(' ');
    let mut current = line[..line.len() - body.len()].to_owned();
    let indent = current.len();
    for word in body.split(' ') {
        if current.len() > indent && current.len() + 1 + word.len() > WIDTH {
            out.push_str(&current);
            out.push('\n');
            current.clear();
        }
        if current.trim_start_matches(' ').is_empty() {
            if word.starts_with(['.', '\'']) {
                current.push_str("\\&");
            }
        } else {
            current.push(' ');
        }
        current.push_str(word);
    }
    out.push_str(&current);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::lint_clean;
    use clap::CommandFactory;

    /// Every subcommand's help, as `--help` prints it.
    fn help_texts(cmd: &mut clap::Command, out: &mut Vec<(String, String)>) {
        out.push((
            cmd.get_name().to_owned(),
            cmd.render_long_help().to_string(),
        ));
        for sub in cmd.get_subcommands_mut() {
            help_texts(sub, out);
        }
    }

    /// A doc comment is not a string literal: an escaped quote in one
    /// reaches `--help` and the man page as a backslash.
    #[test]
    fn no_help_text_shows_an_escape() {
        let mut cmd = super::Cli::command();
        cmd.build();
        let mut texts = Vec::new();
        help_texts(&mut cmd, &mut texts);
        assert!(texts.len() > 30, "{} help texts", texts.len());
        for (name, text) in texts {
            assert!(!text.contains("\\\""), "{name}: {text}");
        }
    }

    #[test]
    fn long_text_lines_wrap_at_spaces_and_never_start_a_request() {
        let long = format!("{} .yaml {}", "word ".repeat(16).trim_end(), "x".repeat(10));
        let wrapped = lint_clean(&long);
        assert!(wrapped.lines().all(|l| l.len() <= 80), "{wrapped}");
        assert!(wrapped.contains("\n\\&.yaml"), "{wrapped}");
        assert_eq!(
            wrapped.replace("\n\\&", " ").replace('\n', " ").trim_end(),
            long
        );
        // Requests are never wrapped.
        let request = format!(".TH {}", "X ".repeat(50));
        assert_eq!(lint_clean(&request).lines().count(), 1);
    }

    #[test]
    fn indented_lines_keep_their_indent_and_so_their_line_break() {
        let examples =
            "Examples:\n  gitsm validate          # the work tree\n  gitsm validate --staged\n";
        assert_eq!(lint_clean(examples), examples);
    }

    #[test]
    fn lint_clean_drops_breaks_beside_paragraphs_and_escapes_unicode() {
        assert_eq!(
            lint_clean("a  \n.br\n.sp\n.br\nb … é\n.br\nc\n.br\n\n.br\nd\n"),
            "a\n.sp\nb \\[u2026] \\[u00E9]\n.br\nc\n\nd\n"
        );
    }
}
