//! Where output goes and how paths are shown.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anstyle::{AnsiColor, Style};

use crate::diagnostic::Diagnostic;
use crate::workspace::{self, Workspace};

use super::CommandError;
use super::context::CommandContext;

pub(super) const ERROR: Style = AnsiColor::Red.on_default().bold();
pub(super) const WARNING: Style = AnsiColor::Yellow.on_default().bold();
pub(super) const HINT: Style = AnsiColor::Cyan.on_default().bold();
pub(super) const DIM: Style = AnsiColor::BrightBlack.on_default();
pub(super) const BOLD: Style = Style::new().bold();
pub(super) const GOOD: Style = AnsiColor::Green.on_default();

/// Every style gitsm prints with: the only escape sequences that reach a
/// terminal ([`terminal_safe`]).
const PALETTE: [Style; 6] = [ERROR, WARNING, HINT, DIM, BOLD, GOOD];

/// `text` as it may reach a terminal: control characters other than line
/// breaks and tabs are written out, C0 as `\x1b`, `\x0d`, DEL and C1 as
/// `\u007f`, `\u009b`, except the colour sequences of gitsm's own
/// [`PALETTE`]. A record's title cannot retitle the terminal, clear it or
/// move the cursor. JSON stays JSON: serde writes C0 controls as escapes
/// already, and `\u009b` is a JSON escape of the same character.
pub(super) fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    use crate::markup::written_out;
    if !text.contains(acted_on) {
        return std::borrow::Cow::Borrowed(text);
    }
    let ours: Vec<String> = PALETTE
        .iter()
        .flat_map(|s| [s.render().to_string(), s.render_reset().to_string()])
        .filter(|seq| !seq.is_empty())
        .collect();
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    // Runs of ordinary text are copied whole; only a control character is
    // looked at, and only an escape compared with the palette.
    while let Some(at) = rest.find(acted_on) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(seq) = ours.iter().find(|seq| rest.starts_with(seq.as_str())) {
            out.push_str(seq);
            rest = &rest[seq.len()..];
            continue;
        }
        let Some(c) = rest.chars().next() else {
            break;
        };
        out.push_str(&written_out(c));
        rest = &rest[c.len_utf8()..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// `text` on one line, as a table's cell, a title's line or a hit's is
/// shown: each line break (and tab, which would break an alignment) a
/// space, as many characters as before. Written as it is, a line break
/// would begin what looks like another row or line of the record. Other
/// controls (a carriage return) are [`terminal_safe`]'s to write out.
pub(super) fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(['\n', '\t']) {
        text.replace(['\n', '\t'], " ").into()
    } else {
        text.into()
    }
}

/// A character a terminal acts on ([`crate::markup::is_control`]), or
/// lays the line out by: a bidi embedding, override or isolate (U+202A to
/// U+202E, U+2066 to U+2069), which would show what follows it on the
/// line reversed — a row's other columns, a hit's status — and which no
/// cell closes. Written out as `\u202e`.
fn acted_on(c: char) -> bool {
    crate::markup::is_control(c) || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `1 record`, `2 records`.
pub(super) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// How a command talks to the person at the terminal.
impl CommandContext {
    /// A `gitsm: ...` line on stderr with `-v`.
    pub fn note(&self, message: &str) {
        if self.verbose {
            let _ = writeln!(
                anstream::stderr(),
                "{DIM}gitsm: {}{DIM:#}",
                terminal_safe(message)
            );
        }
    }

    /// With `-v`, what a dataset read: records, unreadable files, history.
    pub fn dataset(&self, dataset: &crate::dataset::Dataset) {
        if !self.verbose {
            return;
        }
        let history = match dataset.history() {
            Some(h) => format!(
                "history up to {} ({} records with status changes{})",
                &h.tip[..h.tip.len().min(10)],
                h.transitions.len(),
                if h.shallow { ", shallow clone" } else { "" }
            ),
            None => "no history read".to_owned(),
        };
        self.note(&format!(
            "read {} ({} unreadable) from {}; {history}",
            plural(dataset.records().count(), "record"),
            dataset.unreadable(),
            dataset
                .revision
                .as_deref()
                .map_or("the work tree", |r| &r[..r.len().min(10)])
        ));
    }

    /// The Git repository holding the managed root, and where the root
    /// lies in it; `needs` says what for, in the error outside Git.
    pub fn repository(
        &self,
        ws: &Workspace,
        needs: &str,
    ) -> Result<(git2::Repository, PathBuf), CommandError> {
        let repo = crate::git::open(&ws.root).ok_or_else(|| {
            CommandError::usage(format!(
                "{} is not inside a Git repository: {needs}",
                ws.root.display()
            ))
        })?;
        let prefix = crate::git::prefix(&repo, &ws.root).unwrap_or_default();
        Ok((repo, prefix))
    }

    /// A root-relative path as the user should see it: relative to the working directory.
    pub fn show_path(&self, root: &Path, rel: &Path) -> String {
        relative(&root.join(rel), &self.cwd).display().to_string()
    }

    /// Print diagnostics as text on stderr.
    pub fn print_diagnostics(&self, diags: &[Diagnostic]) {
        let root = workspace::find_root(&self.cwd).unwrap_or_else(|| self.cwd.clone());
        let mut err = anstream::stderr().lock();
        let _ = super::output::text(diags, &root, self, &mut err);
    }

    /// A status line on stderr, unless `-q`.
    pub fn status(&self, message: &str) {
        if !self.quiet {
            let _ = writeln!(anstream::stderr(), "{}", terminal_safe(message));
        }
    }

    /// The warning that `n` record files could not be read and so are not
    /// `used` (`counted`, `measured`) by the command.
    pub fn unreadable(&self, n: usize, used: &str) {
        if n > 0 {
            self.status(&format!(
                "warning: {} could not be read and {} not {used}; run `gitsm validate`",
                plural(n, "record file"),
                if n == 1 { "is" } else { "are" }
            ));
        }
    }

    /// `warning: ...` lines on stderr (unless quiet).
    pub fn warnings(&self, warnings: &[String]) {
        for warning in warnings {
            self.status(&format!("warning: {warning}"));
        }
    }
}

/// `error: message` and an optional `hint:` line on stderr.
pub(super) fn error_line(message: &str, hint: Option<&str>) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{ERROR}error{ERROR:#}: {}", terminal_safe(message));
    if let Some(h) = hint {
        let _ = writeln!(err, "{HINT}hint{HINT:#}: {}", terminal_safe(h));
    }
}

/// `path` relative to `base` (both absolute), with `..` where needed.
pub(super) fn relative(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<Component<'_>> = path.components().collect();
    let b: Vec<Component<'_>> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Write to stdout; a closed pipe (`gitsm list | head`) ends the command
/// quietly ([`CommandError::BrokenPipe`]).
pub(super) fn stdout_write(text: &str) -> Result<(), CommandError> {
    let text = terminal_safe(text);
    let mut out = anstream::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) => Err(CommandError::stdout(e)),
    }
}

/// A writer of text made terminal-safe as it passes ([`stdout_json`],
/// [`stdout_lines`]): each write is made safe whole, so a colour sequence
/// of ours written in one piece passes as it would in one string.
struct Safe<W: Write> {
    out: W,
    /// The first bytes of a character whose end has not come yet.
    pending: Vec<u8>,
}
impl<W: Write> Safe<W> {
    fn emit(&mut self, text: &str) -> std::io::Result<()> {
        self.out.write_all(terminal_safe(text).as_bytes())
    }
}
impl<W: Write> Write for Safe<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => return Err(std::io::Error::other("output is not UTF-8")),
        };
        let rest = self.pending.split_off(valid);
        let done = std::mem::replace(&mut self.pending, rest);
        self.emit(std::str::from_utf8(&done).unwrap_or_default())?;
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// JSON written to stdout as it is produced (`gitsm report --format json`
/// grows with the records: never one string), made terminal-safe on
/// the way: serde writes C0 controls as escapes already; DEL and C1 are
/// written out as `\u007f`, `\u009b` (JSON escapes of the same
/// characters). A character split between two writes waits for its end.
pub(super) fn stdout_json(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), CommandError> {
    // serde writes a token at a time: they are made safe a buffer at a
    // time (JSON holds no colour sequence a buffer's edge could split).
    safely(std::io::stdout().lock(), |safe| {
        let mut tokens = std::io::BufWriter::with_capacity(1 << 16, safe);
        write(&mut tokens)?;
        tokens.flush()
    })
}

/// Text written to stdout as it is produced, the same bytes as
/// [`stdout_write`] of all of it (`gitsm list` of 100,000 records is never
/// one string): each write is made terminal-safe whole (write a line, or
/// any piece that splits no colour sequence, at a time), then colours are
/// kept or stripped as the terminal takes them.
pub(super) fn stdout_lines(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), CommandError> {
    safely(anstream::stdout().lock(), write)
}

/// What `write` writes, made terminal-safe ([`Safe`]) and buffered, to `out`.
fn safely(
    out: impl Write,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), CommandError> {
    let mut safe = Safe {
        out: std::io::BufWriter::with_capacity(1 << 16, out),
        pending: Vec::new(),
    };
    match write(&mut safe).and_then(|()| safe.flush()) {
        Ok(()) => Ok(()),
        Err(e) => Err(CommandError::stdout(e)),
    }
}

/// Write a JSON array to stdout one element at a time, as
/// `serde_json::to_string_pretty` lays it out ([`stdout_json`]): a listing
/// of 100,000 records is never one string.
pub(super) fn stdout_json_list<T: serde::Serialize>(
    items: impl IntoIterator<Item = T>,
) -> Result<(), CommandError> {
    /// The items, serialised as a sequence as they come.
    struct Lazy<I>(std::cell::Cell<Option<I>>);
    impl<I: Iterator<Item: serde::Serialize>> serde::Serialize for Lazy<I> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.take().into_iter().flatten())
        }
    }
    let items = Lazy(std::cell::Cell::new(Some(items.into_iter())));
    stdout_json(|out| {
        serde_json::to_writer_pretty(&mut *out, &items)?;
        out.write_all(b"\n")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_written_out_but_our_colours_pass() {
        let title = "VPN\x1b]0;pwned\x07 down\x1b[2J\r\u{9b}31m\u{7f}";
        assert_eq!(
            terminal_safe(title),
            "VPN\\x1b]0;pwned\\x07 down\\x1b[2J\\x0d\\u009b31m\\u007f"
        );
        let ours = format!("{ERROR}error{ERROR:#}: a\tb\nc");
        assert_eq!(terminal_safe(&ours), ours);
        // A colour of ours inside record text is only a colour.
        assert_eq!(terminal_safe("plain"), "plain");
    }

    #[test]
    fn attack_a_bidi_override_cannot_reverse_the_rest_of_a_row() {
        assert_eq!(
            terminal_safe("ev\u{202e}il  shop  \u{2066}x\u{2069}"),
            "ev\\u202eil  shop  \\u2066x\\u2069"
        );
        // Right-to-left text itself, and its marks, are left as they are.
        let hebrew = "\u{5e9}\u{5dc}\u{5d5}\u{5dd}\u{200f} ok";
        assert_eq!(terminal_safe(hebrew), hebrew);
    }

    #[test]
    fn json_written_in_pieces_is_made_safe_across_them() {
        // U+009B (C1 CSI) is 0xC2 0x9B in UTF-8: split between two writes.
        let mut safe = Safe {
            out: Vec::new(),
            pending: Vec::new(),
        };
        let text = "{\"t\":\"a\u{9b}31m\u{7f}é\"}";
        let bytes = text.as_bytes();
        let cut = text.find('\u{9b}').unwrap_or(0) + 1;
        for piece in [&bytes[..cut], &bytes[cut..cut + 4], &bytes[cut + 4..]] {
            safe.write_all(piece).expect("write");
        }
        safe.flush().expect("flush");
        assert_eq!(
            String::from_utf8(safe.out).expect("UTF-8"),
            "{\"t\":\"a\\u009b31m\\u007fé\"}"
        );
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/a/b/c.yaml"), Path::new("/a")),
            PathBuf::from("b/c.yaml")
        );
        assert_eq!(
            relative(Path::new("/a/b/c.yaml"), Path::new("/a/d")),
            PathBuf::from("../b/c.yaml")
        );
        assert_eq!(
            relative(Path::new("/a"), Path::new("/a")),
            PathBuf::from(".")
        );
    }
}
