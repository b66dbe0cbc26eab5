//! The file a walk is kept in ([`walked`](super::walked)): a head line,
//! then sections, each the commits one walk read beyond the last. A
//! resumed walk appends a section rather than rewriting 100,000 records'
//! steps for one new commit; a walk from the start (or one resumed from a
//! file of many sections) writes the file whole, in one section.
//!
//! ```text
//! {"head":{"format":…,"version":…,"shallow":[…],"grafts":…,"records":…}}
//! @ <base tip, or - for the first section> <tip>
//! c {"at":…,"id":…,"name":…,"email":…}           a commit that changed records
//! s <commit index> <blob before, or -> <blob after> "<record id>"
//! r <blob> "<status>" (or -)                       a replaced version's status
//! . <SHA-1 of the section's bytes, the head's too in the first>
//! ```
//!
//! A section counts only whole: its checksum matches and its base is the
//! tip of the sections before it. Anything else (a torn or damaged tail,
//! a section appended to another walk, another format or gitsm) makes the
//! whole file unread, and the walk starts over. A file cut exactly after
//! a section is an earlier walk of the same history, which the next walk
//! resumes from like any other.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufRead, Read as _, Write};
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use git2::Oid;
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use crate::git::ObjectKey;

use super::trail::{Author, Keep};
use super::walked::{CommitSeen, Resumed, Step, Walked};

const FORMAT: &str = "gitsm history walk 4";

/// Past this many sections a resumed walk writes the file whole again,
/// so that it stays one section per walk from the start or about.
const MOST_SECTIONS: usize = 64;

/// The most records a load makes room for ahead (a count read from the
/// file is not trusted before its sum is).
const MOST_RESERVED: usize = 1 << 18;

/// The longest line read: an author's name and e-mail, an id or a
/// status are far shorter.
const LONGEST_LINE: u64 = 1 << 20;

/// The first line.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum HeadLine {
    Head {
        format: String,
        /// The gitsm that wrote it: another may read history otherwise.
        version: String,
        shallow: Vec<String>,
        /// `info/grafts`, which rewrites parents without moving the tip.
        grafts: String,
        /// Records with steps when written whole: room to make, no more.
        records: usize,
    },
}

/// A `c` line.
#[derive(Serialize, Deserialize)]
struct CommitLine<'a> {
    at: DateTime<FixedOffset>,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    email: Cow<'a, str>,
}

/// The walk kept at `path`, if it is one (anything else: none), with the
/// transitions `keep` says.
pub(super) fn load(path: &Path, keep: Keep) -> Option<Walked> {
    let file = std::fs::File::open(path).ok()?;
    let mut lines = Lines {
        reader: std::io::BufReader::with_capacity(1 << 16, file),
        line: Vec::new(),
        sum: Sha1::new(),
        len: 0,
    };
    let HeadLine::Head {
        format,
        version,
        shallow,
        grafts,
        records,
    } = match lines.next()? {
        Read::Line(head) => serde_json::from_slice(head).ok()?,
        Read::End { .. } | Read::Torn => return None,
    };
    if format != FORMAT || version != env!("CARGO_PKG_VERSION") {
        return None;
    }
    let shallow = shallow.iter().map(|s| oid(s)).collect::<Option<_>>()?;
    let mut walked = Walked::new(shallow, grafts, keep);
    // A record's steps take more than 40 bytes: a damaged count makes no
    // more room than the file could fill.
    // Nor more than a fixed bound: a sparse file claims any size.
    let file_len = std::fs::metadata(path).ok()?.len();
    let room = records
        .min(usize::try_from(file_len / 40).ok()?)
        .min(MOST_RESERVED);
    match keep {
        Keep::All => walked.changes.reserve(room),
        Keep::AllButLoneAdditions => walked.added.reserve(room),
    }
    let mut sections = 0;
    while let Some(open) = lines.next() {
        let Read::Line(open) = open else {
            return None;
        };
        let (base, tip) = section_open(open)?;
        if base != walked.tip {
            return None;
        }
        loop {
            match lines.next()? {
                Read::Line(line) => read_line(&mut walked, line)?,
                Read::End { sound: true } => break,
                Read::End { sound: false } | Read::Torn => return None,
            }
        }
        walked.tip = Some(tip);
        sections += 1;
    }
    let base = walked.tip?;
    walked.resumed = (sections < MOST_SECTIONS).then(|| Resumed {
        file_len: lines.len,
        base,
        commits_from: walked.commits.len(),
        steps: Vec::new(),
        read: Vec::new(),
    });
    Some(walked)
}

/// The file's lines, each summed into the checksum of its section.
struct Lines<R> {
    reader: R,
    line: Vec<u8>,
    sum: Sha1,
    /// Bytes read so far.
    len: u64,
}

/// One line of the file.
enum Read<'a> {
    /// A line of a section (or the head), without its newline.
    Line(&'a [u8]),
    /// A section's end: whether its checksum is that of the lines since
    /// the last end.
    End { sound: bool },
    /// A line cut short (no newline) or unreadable.
    Torn,
}

impl<R: BufRead> Lines<R> {
    /// The next line; `None` at the end of the file.
    fn next(&mut self) -> Option<Read<'_>> {
        self.line.clear();
        // No line of a walk is longer (an id, a status, an author): a
        // longer one is damage, never read whole into memory.
        let bounded = (&mut self.reader).take(LONGEST_LINE);
        let Ok(read) = { bounded }.read_until(b'\n', &mut self.line) else {
            return Some(Read::Torn);
        };
        if read == 0 {
            return None;
        }
        self.len += read as u64;
        let Some(text) = self.line.strip_suffix(b"\n") else {
            return Some(Read::Torn);
        };
        match text.strip_prefix(b". ") {
            Some(end) => {
                let sum = crate::git::hex(&self.sum.finalize_reset());
                Some(Read::End {
                    sound: end == sum.as_bytes(),
                })
            }
            None => {
                self.sum.update(&self.line);
                Some(Read::Line(text))
            }
        }
    }
}

/// An `@` line: the section's base (`None`: the first) and tip.
fn section_open(line: &[u8]) -> Option<(Option<Oid>, Oid)> {
    let rest = std::str::from_utf8(line).ok()?.strip_prefix("@ ")?;
    let (base, tip) = rest.split_once(' ')?;
    let base = match base {
        "-" => None,
        b => Some(oid(b)?),
    };
    Some((base, oid(tip)?))
}

/// A line of a section into `walked`; `None` if it is none.
fn read_line(walked: &mut Walked, line: &[u8]) -> Option<()> {
    let line = std::str::from_utf8(line).ok()?;
    let (tag, rest) = line.split_once(' ')?;
    match tag {
        "c" => {
            let c: CommitLine<'_> = serde_json::from_str(rest).ok()?;
            // A time no commit gives (git_time reads such a one in UTC).
            if !super::readable(&c.at) {
                return None;
            }
            walked.commit(CommitSeen {
                at: c.at,
                id: Arc::from(c.id),
                author: Arc::new(Author {
                    name: c.name.into_owned(),
                    email: c.email.into_owned(),
                }),
            });
        }
        "s" => {
            let mut fields = rest.splitn(4, ' ');
            let commit = fields.next()?.parse().ok()?;
            let before = maybe_oid(fields.next()?)?;
            let after = oid(fields.next()?)?;
            let id = text(fields.next()?)?;
            let step = Step {
                commit,
                before,
                after,
            };
            if !walked.record(&id, step) {
                return None;
            }
        }
        "r" => {
            let (blob, status) = rest.split_once(' ')?;
            let status = match status {
                "-" => None,
                s => Some(text(s)?.into_owned()),
            };
            walked.read.insert(oid(blob)?.into(), status);
        }
        _ => return None,
    }
    Some(())
}

/// A blob id in full (Git takes fewer digits as a prefix).
fn oid(text: &str) -> Option<Oid> {
    (text.len() == 40).then(|| Oid::from_str(text).ok())?
}

/// A blob id, or `-` for none (`Some(None)`).
fn maybe_oid(text: &str) -> Option<Option<Oid>> {
    match text {
        "-" => Some(None),
        t => Some(Some(oid(t)?)),
    }
}

/// A JSON string: as it stands when it escapes nothing (record ids and
/// statuses almost always), else decoded.
fn text(field: &str) -> Option<Cow<'_, str>> {
    let inner = field.strip_prefix('"')?.strip_suffix('"')?;
    if inner.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str(field).ok().map(Cow::Owned)
}

/// Keep `walked` at `path`: appended to the file it was resumed from,
/// when that is still the file there, else written whole (or not at all).
pub(super) fn save(walked: &Walked, path: &Path) -> std::io::Result<()> {
    let Some(tip) = walked.tip else {
        return Ok(());
    };
    if let Some(resumed) = &walked.resumed
        && append(walked, resumed, tip, path)?
    {
        return Ok(());
    }
    crate::write::atomic_with(path, |out| write_whole(walked, tip, out))
}

/// Append what `walked` read beyond the file it was resumed from, as a
/// section of its own written at once; `false` if the file is another
/// by now (another gitsm wrote it).
fn append(walked: &Walked, resumed: &Resumed, tip: Oid, path: &Path) -> std::io::Result<bool> {
    let mut section = Vec::new();
    let mut out = Section::open(&mut section, Some(resumed.base), tip)?;
    for c in walked
        .commits
        .get(resumed.commits_from..)
        .unwrap_or_default()
    {
        out.commit(c)?;
    }
    for (id, step) in &resumed.steps {
        out.step(id, step)?;
    }
    for key in &resumed.read {
        out.read(key, walked.read.get(key).and_then(Option::as_deref))?;
    }
    out.end()?;
    let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
    if file.metadata()?.len() != resumed.file_len {
        return Ok(false);
    }
    file.write_all(&section)?;
    Ok(true)
}

/// The whole walk, in one section.
fn write_whole(walked: &Walked, tip: Oid, out: &mut dyn Write) -> std::io::Result<()> {
    let head = HeadLine::Head {
        format: FORMAT.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        shallow: walked.shallow.iter().map(Oid::to_string).collect(),
        grafts: walked.grafts.clone(),
        records: walked.changes.len() + walked.added.len(),
    };
    let mut first = serde_json::to_vec(&head)?;
    first.push(b'\n');
    let mut out = Section::open_after(out, &first, None, tip)?;
    for c in &walked.commits {
        out.commit(c)?;
    }
    let index: HashMap<&str, usize, super::walked::Hasher> = walked
        .commits
        .iter()
        .enumerate()
        .map(|(n, c)| (&*c.id, n))
        .collect();
    for (id, transitions) in &walked.changes {
        for t in transitions {
            let commit = index.get(&*t.commit).copied().ok_or_else(|| {
                std::io::Error::other("a transition of a commit the walk did not meet")
            })?;
            let step = Step {
                commit,
                before: t.before,
                after: t.after,
            };
            out.step(id, &step)?;
        }
    }
    for (id, step) in &walked.added {
        out.step(id, step)?;
    }
    for (key, status) in &walked.read {
        out.read(key, status.as_deref())?;
    }
    out.end()
}

/// A section being written: each line summed as it goes out.
struct Section<'o> {
    out: &'o mut dyn Write,
    sum: Sha1,
    line: Vec<u8>,
}

impl<'o> Section<'o> {
    fn open(out: &'o mut dyn Write, base: Option<Oid>, tip: Oid) -> std::io::Result<Self> {
        Self::open_after(out, b"", base, tip)
    }

    /// A section after `head` (summed with it).
    fn open_after(
        out: &'o mut dyn Write,
        head: &[u8],
        base: Option<Oid>,
        tip: Oid,
    ) -> std::io::Result<Self> {
        out.write_all(head)?;
        let mut section = Section {
            out,
            sum: Sha1::new(),
            line: Vec::with_capacity(128),
        };
        section.sum.update(head);
        let base = base.map_or_else(|| "-".to_owned(), |b| b.to_string());
        section.line(|l| write!(l, "@ {base} {tip}"))?;
        Ok(section)
    }

    fn line(
        &mut self,
        fill: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.line.clear();
        fill(&mut self.line)?;
        self.line.push(b'\n');
        self.sum.update(&self.line);
        self.out.write_all(&self.line)
    }

    fn commit(&mut self, c: &CommitSeen) -> std::io::Result<()> {
        let commit = CommitLine {
            at: c.at,
            id: Cow::Borrowed(&c.id),
            name: Cow::Borrowed(&c.author.name),
            email: Cow::Borrowed(&c.author.email),
        };
        self.line(|l| {
            l.extend_from_slice(b"c ");
            Ok(serde_json::to_writer(l, &commit)?)
        })
    }

    fn step(&mut self, id: &str, step: &Step) -> std::io::Result<()> {
        self.line(|l| {
            write!(l, "s {} ", step.commit)?;
            match step.before {
                Some(b) => write!(l, "{b} ")?,
                None => l.extend_from_slice(b"- "),
            }
            write!(l, "{} ", step.after)?;
            Ok(serde_json::to_writer(l, id)?)
        })
    }

    fn read(&mut self, blob: &ObjectKey, status: Option<&str>) -> std::io::Result<()> {
        self.line(|l| {
            write!(l, "r {blob} ")?;
            match status {
                Some(s) => serde_json::to_writer(l, s)?,
                None => l.extend_from_slice(b"-"),
            }
            Ok(())
        })
    }

    /// The end line, with the section's checksum.
    fn end(self) -> std::io::Result<()> {
        let sum = crate::git::hex(&self.sum.finalize());
        writeln!(self.out, ". {sum}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::walked::location;
    use super::super::walked::tests::{incident_history, transitions};
    use super::*;
    use git2::Repository;
    use gitsm_git::testing::git_cli as git;

    /// A repository whose one record took `statuses` in as many commits,
    /// walked after each (so the file holds a section per commit but the
    /// first); its tip, and the kept walk's path.
    fn walked_per_commit(root: &Path, statuses: &[&str]) -> (Repository, Oid, std::path::PathBuf) {
        let commit = incident_history(root);
        for status in statuses {
            commit(&format!("status: {status}"));
            let repo = Repository::open(root).expect("open");
            let tip = repo.head().expect("head").target().expect("tip");
            transitions(&repo, tip, Keep::All);
        }
        let repo = Repository::open(root).expect("open");
        let tip = repo.head().expect("head").target().expect("tip");
        let saved = location(&repo, Path::new(""));
        (repo, tip, saved)
    }

    /// The file's sections (the head goes with the first), each with its
    /// end line.
    fn sections(text: &str) -> Vec<String> {
        let mut out = vec![String::new()];
        for line in text.split_inclusive('\n') {
            out.last_mut().expect("a section").push_str(line);
            if line.starts_with(". ") {
                out.push(String::new());
            }
        }
        out.pop();
        out
    }

    /// Sections with their checksums made right again: damage that only
    /// the other checks can see.
    fn resealed(sections: &[String]) -> String {
        sections
            .iter()
            .map(|s| {
                let body = &s[..s.rfind(". ").expect("an end line")];
                format!("{body}. {}\n", crate::git::hex(&Sha1::digest(body)))
            })
            .collect()
    }

    /// Damaged walk files that must each be rebuilt, not believed: after
    /// each, the walk gives the transitions of a walk from the start and
    /// leaves a sound file in its place.
    fn rebuilt(repo: &Repository, tip: Oid, saved: &Path, damaged: &[String]) {
        let right = {
            let kept = std::fs::read(saved).expect("saved");
            std::fs::remove_file(saved).expect("forget");
            let right = transitions(repo, tip, Keep::All);
            std::fs::write(saved, kept).expect("put back");
            right
        };
        for bad in damaged {
            std::fs::write(saved, bad).expect("damage");
            assert_eq!(transitions(repo, tip, Keep::All), right, "{bad}");
            assert!(
                load(saved, Keep::All).is_some(),
                "replaced by a sound one: {bad}"
            );
        }
    }

    /// A file claiming any size (sparse: gigabytes that take no disk)
    /// and any count of records: no room is made for what it claims, no
    /// line is read past a bound, and the walk is done again.
    #[test]
    fn attack_a_sparse_walk_file_claiming_any_size_is_walked_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (repo, tip, saved) = walked_per_commit(dir.path(), &["new", "resolved"]);
        let right = transitions(&repo, tip, Keep::All);
        let text = std::fs::read_to_string(&saved).expect("saved");
        let head = text.lines().next().expect("head");
        let at = head.find("\"records\":").expect("a count") + 10;
        let end = at
            + head[at..]
                .find(|c: char| !c.is_ascii_digit())
                .expect("its end");
        let claiming = format!("{}1000000000000{}\n", &head[..at], &head[end..]);
        let file = std::fs::File::create(&saved).expect("create");
        std::io::Write::write_all(&mut &file, claiming.as_bytes()).expect("head");
        file.set_len(4 << 30).expect("sparse");
        drop(file);
        assert!(load(&saved, Keep::All).is_none());
        assert_eq!(transitions(&repo, tip, Keep::All), right);
        assert!(load(&saved, Keep::All).is_some(), "replaced by a sound one");
    }

    /// Grafts written in the shared Git folder change the history a
    /// linked worktree's walk sees (libgit2 reads them there): its kept
    /// walk is not resumed past them.
    #[test]
    fn attack_grafts_added_beside_a_linked_worktree_are_noticed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let main = dir.path().join("main");
        std::fs::create_dir(&main).expect("mkdir");
        walked_per_commit(&main, &["new", "resolved", "in_progress", "resolved"]);
        let linked = dir.path().join("linked");
        let path = linked.to_str().expect("UTF-8");
        git(
            &main,
            &["worktree", "add", "-q", "--detach", path, "HEAD"],
            None,
        );
        let repo = Repository::open(&linked).expect("open");
        let tip = repo.head().expect("head").target().expect("tip");
        transitions(&repo, tip, Keep::All);
        // The tip's parent made the root: the history is its last commit.
        let head = git(&main, &["rev-parse", "HEAD"], None);
        std::fs::write(main.join(".git/info/grafts"), format!("{head}\n")).expect("grafts");
        let repo = Repository::open(&linked).expect("open");
        let resumed = transitions(&repo, tip, Keep::All);
        std::fs::remove_file(location(&repo, Path::new(""))).expect("forget the walk");
        assert_eq!(resumed, transitions(&repo, tip, Keep::All));
    }

    /// INC-1 made `new`, `resolved`, `in_progress`, with the object `rev`
    /// names after the commit `hidden_after` (1 to 3) gone while the
    /// history is walked (a partial clone lacks it), then put back and
    /// `resolved` committed: the resumed walk must equal a walk from the
    /// start, and see every transition.
    fn walked_with_an_object_hidden(hidden_after: usize, rev: &str) {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let version = incident_history(root);
        let commit = |status: &str| version(&format!("status: {status}"));
        let mut hidden = String::new();
        for (n, status) in ["new", "resolved", "in_progress"].into_iter().enumerate() {
            commit(status);
            if n + 1 == hidden_after {
                hidden = git(root, &["rev-parse", rev], None);
            }
        }
        let object = root
            .join(".git/objects")
            .join(&hidden[..2])
            .join(&hidden[2..]);
        let aside = root.join("aside");
        std::fs::rename(&object, &aside).expect("hide the object");
        let repo = Repository::open(root).expect("open");
        let tip = repo.head().expect("head").target().expect("tip");
        transitions(&repo, tip, Keep::All);
        std::fs::rename(&aside, &object).expect("put it back");
        commit("resolved");
        let repo = Repository::open(root).expect("open");
        let tip = repo.head().expect("head").target().expect("tip");
        let resumed = transitions(&repo, tip, Keep::All);
        std::fs::remove_file(location(&repo, Path::new(""))).expect("forget the walk");
        assert_eq!(resumed, transitions(&repo, tip, Keep::All));
        let from: Vec<_> = resumed[0].1.iter().map(|t| t.from.as_deref()).collect();
        assert_eq!(
            from,
            [None, Some("new"), Some("resolved"), Some("in_progress")]
        );
    }

    /// A version whose blob could not be read when walked is not kept as
    /// "no status".
    #[test]
    fn attack_a_version_unreadable_when_walked_is_not_kept_as_no_status() {
        walked_with_an_object_hidden(1, "HEAD:incidents/INC-1.yaml");
    }

    /// A folder whose tree could not be read when walked is not kept as
    /// empty (INC-1 deleted, then added again).
    #[test]
    fn attack_a_tree_unreadable_when_walked_is_not_kept_as_empty() {
        walked_with_an_object_hidden(2, "HEAD:incidents");
    }

    /// A resumed walk appends one section for its commits rather than
    /// rewriting the file, and the sections read back as the whole walk.
    #[test]
    fn a_resumed_walk_appends_a_section() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (repo, tip, saved) = walked_per_commit(dir.path(), &["new", "in_progress", "resolved"]);
        let text = std::fs::read_to_string(&saved).expect("saved");
        let parts = sections(&text);
        assert_eq!(parts.len(), 3, "{text}");
        assert!(parts[2].starts_with("@ "), "{text}");
        let steps = transitions(&repo, tip, Keep::All);
        let statuses: Vec<&str> = steps[0].1.iter().map(|t| t.to.as_str()).collect();
        assert_eq!(statuses, ["new", "in_progress", "resolved"]);
        // Nothing new: nothing written.
        assert_eq!(std::fs::read_to_string(&saved).expect("saved"), text);
    }

    /// Past [`MOST_SECTIONS`], the next walk writes the file whole again.
    #[test]
    fn a_file_of_many_sections_is_written_whole_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let (_, _, saved) = walked_per_commit(root, &["new"]);
        for n in 0..MOST_SECTIONS {
            git(
                root,
                &["commit", "-q", "--allow-empty", "-m", &format!("{n}")],
                None,
            );
            let repo = Repository::open(root).expect("open");
            let tip = repo.head().expect("head").target().expect("tip");
            transitions(&repo, tip, Keep::All);
        }
        let text = std::fs::read_to_string(&saved).expect("saved");
        assert_eq!(sections(&text).len(), 1, "{text}");
    }

    /// A walk appended to cut short (a torn write, or one still going on):
    /// in its first line, mid-line, after its lines but before its end,
    /// or mid-end.
    #[test]
    fn attack_a_truncated_appended_section_is_rebuilt() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (repo, tip, saved) = walked_per_commit(dir.path(), &["new", "in_progress", "resolved"]);
        let text = std::fs::read_to_string(&saved).expect("saved");
        let last = text.rfind("\n. ").expect("an end line") + 1;
        let start = text.rfind("\n@ ").expect("an appended section") + 1;
        let damaged: Vec<String> = [start + 5, last - 20, last, last + 10, text.len() - 1]
            .iter()
            .map(|&cut| text[..cut].to_owned())
            .collect();
        rebuilt(&repo, tip, &saved, &damaged);
    }

    /// A byte of an appended section changed: a planted status, another
    /// blob, another commit, or the checksum itself.
    #[test]
    fn attack_a_flipped_byte_in_an_appended_section_is_rebuilt() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (repo, tip, saved) = walked_per_commit(dir.path(), &["new", "in_progress", "resolved"]);
        let text = std::fs::read_to_string(&saved).expect("saved");
        let start = text.rfind("\n@ ").expect("an appended section") + 1;
        let (before, section) = text.split_at(start);
        let planted = section.replace("\"in_progress\"", "\"closed\"");
        assert_ne!(planted, section, "{section}");
        let mut damaged = vec![format!("{before}{planted}")];
        let bytes = section.as_bytes();
        for at in (0..bytes.len()).filter(|&at| bytes[at] != b'\n').step_by(7) {
            let mut flipped = bytes.to_vec();
            flipped[at] ^= 0x01;
            damaged.push(format!("{before}{}", String::from_utf8_lossy(&flipped)));
        }
        rebuilt(&repo, tip, &saved, &damaged);
    }

    /// A section appended to another walk than the file's: its base is
    /// not the tip of the sections before it (a section left out, or a
    /// first section appended again), though each checksum holds.
    #[test]
    fn attack_an_appended_section_off_the_tip_is_rebuilt() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (repo, tip, saved) =
            walked_per_commit(dir.path(), &["new", "in_progress", "resolved", "closed"]);
        let text = std::fs::read_to_string(&saved).expect("saved");
        let parts = sections(&text);
        assert_eq!(parts.len(), 4);
        let first = &parts[0][parts[0].find("\n@ ").expect("first section") + 1..];
        let damaged = [
            [&parts[0], &parts[1], &parts[3]]
                .map(String::as_str)
                .concat(),
            [&parts[0], &parts[2], &parts[3]]
                .map(String::as_str)
                .concat(),
            [parts[0].as_str(), first].concat(),
            [&parts[0], &parts[1], &parts[2], &parts[2], &parts[3]]
                .map(String::as_str)
                .concat(),
        ];
        rebuilt(&repo, tip, &saved, &damaged);
    }

    /// The walk kept for a history since rewritten (a commit amended and
    /// force-pushed): its tip is no ancestor of the new one, and the
    /// status it read for the dropped commit's version is not believed.
    #[test]
    fn attack_a_walk_file_of_a_rewritten_history_is_rebuilt() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let (_, _, saved) = walked_per_commit(root, &["new", "in_progress", "resolved"]);
        let kept = std::fs::read(&saved).expect("saved");
        git(root, &["reset", "-q", "--hard", "HEAD~2"], None);
        for status in ["pending", "resolved"] {
            std::fs::write(
                root.join("incidents/INC-1.yaml"),
                format!("id: INC-1\nstatus: {status}\n"),
            )
            .expect("write");
            git(root, &["commit", "-q", "-am", status], None);
        }
        let repo = Repository::open(root).expect("open");
        let tip = repo.head().expect("head").target().expect("tip");
        rebuilt(
            &repo,
            tip,
            &saved,
            &[String::from_utf8(kept).expect("text")],
        );
        let statuses: Vec<String> = transitions(&repo, tip, Keep::All)[0]
            .1
            .iter()
            .map(|t| t.to.clone())
            .collect();
        assert_eq!(statuses, ["new", "pending", "resolved"]);
    }

    /// A damaged or foreign file is not trusted, checksums or not: a tip
    /// that is not this history's (with a planted status), a file cut
    /// short, another format or gitsm, a commit index out of range, a
    /// short blob id, an unknown line, a head line again, not text.
    #[test]
    fn a_damaged_walk_file_is_walked_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (repo, tip, saved) = walked_per_commit(dir.path(), &["new", "resolved"]);
        let text = std::fs::read_to_string(&saved).expect("saved");
        let parts = sections(&text);
        let with = |from: &str, to: &str| {
            let changed: Vec<String> = parts.iter().map(|s| s.replacen(from, to, 1)).collect();
            assert_ne!(changed, parts, "{from}");
            resealed(&changed)
        };
        let head = text.lines().next().expect("head");
        let damaged = [
            with(&tip.to_string(), &"0".repeat(40)).replace("\"new\"", "\"closed\""),
            text[..text.len() / 2].to_owned(),
            with(FORMAT, "gitsm history walk 0"),
            with(env!("CARGO_PKG_VERSION"), "0.0.0-other"),
            with("s 0 ", "s 7 "),
            with("s 1 ", "s 1 abc "),
            with("\nc ", "\nx "),
            // A time past what any zone's reading can hold.
            {
                let at = text.find("\"at\":\"").expect("a time") + 6;
                let end = at + text[at..].find('"').expect("its end");
                with(&text[at..end], "9999-12-31T23:00:00-12:00")
            },
            resealed(&[parts[0].replacen("\nc ", &format!("\n{head}\nc "), 1)]),
            "\u{0}\u{1}not json".to_owned(),
        ];
        rebuilt(&repo, tip, &saved, &damaged);
    }
}
