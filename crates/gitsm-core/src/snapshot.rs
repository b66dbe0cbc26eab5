//! Records as stored in Git: the managed root inside one tree — a commit's,
//! or the index written out as a tree. Records are found by path lookup
//! (`<folder>/<id>.yaml`, or inside a year folder), never by listing a
//! kind's folder, so reading a few records costs the same in a repository
//! of a hundred records as in one of a hundred thousand.

use std::cell::{OnceCell, RefCell};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use git2::{ObjectType, Oid, Repository, Tree};

use crate::diagnostic::Diagnostic;
use crate::index_file::IndexFile;
use crate::kind::Kind;
use crate::records::{self, MAX_FILE_BYTES, RecordFile};
use crate::tree_cache::TreeCache;
use crate::workspace::Workspace;

/// Git's file mode for a symbolic link.
pub const SYMLINK_MODE: i32 = 0o120_000;

/// The managed root as stored in one revision: a Git tree, or the index.
pub struct Snapshot<'r> {
    repo: &'r Repository,
    /// The managed root's tree; `None` when the revision has no managed root
    /// (an empty repository, or a commit from before `gitsm init`). For the
    /// index, HEAD's tree: it tells which year folders exist.
    root: Option<Tree<'r>>,
    /// The index, when this snapshot is what is staged.
    index: Option<Staged>,
    /// Each kind's folder and its year subfolders, read on first use.
    folders: [OnceCell<Folder<'r>>; Kind::ALL.len()],
    /// Raw trees files are looked up through (see [`TreeCache`]): this
    /// snapshot's own, or one shared by the snapshots of a history walk.
    /// `None` only when the object database cannot be opened.
    trees: Option<Rc<RefCell<TreeCache<'r>>>>,
}

/// The index and where the managed root lies in it.
struct Staged {
    index: IndexFile,
    /// The managed root's path from the top of the work tree, `/`-separated
    /// (empty at the top).
    prefix: String,
}

impl Staged {
    /// The index path of a root-relative path.
    fn path(&self, rel: &Path) -> String {
        let rel = rel.to_string_lossy().replace('\\', "/");
        if self.prefix.is_empty() {
            rel
        } else {
            format!("{}/{rel}", self.prefix)
        }
    }
}

#[derive(Default)]
struct Folder<'r> {
    tree: Option<Tree<'r>>,
    years: Vec<String>,
}

impl<'r> Snapshot<'r> {
    /// The managed root at `prefix` inside `tree`; an absent `tree` is an
    /// empty revision.
    pub fn new(repo: &'r Repository, tree: Option<&Tree<'r>>, prefix: &Path) -> Snapshot<'r> {
        let root = tree.and_then(|tree| {
            if prefix.as_os_str().is_empty() {
                Some(tree.clone())
            } else {
                let entry = tree.get_path(prefix).ok()?;
                (entry.kind() == Some(ObjectType::Tree))
                    .then(|| repo.find_tree(entry.id()).ok())
                    .flatten()
            }
        });
        Snapshot {
            repo,
            root,
            index: None,
            folders: Default::default(),
            trees: TreeCache::new(repo).ok().map(|t| Rc::new(RefCell::new(t))),
        }
    }

    /// This snapshot, looking files up through `trees`, a history walk's
    /// cache: each version of a large folder is then read once per walk.
    pub fn with_trees(mut self, trees: &Rc<RefCell<TreeCache<'r>>>) -> Snapshot<'r> {
        self.trees = Some(Rc::clone(trees));
        self
    }

    /// What is staged in `index`; `head` is HEAD's tree (absent in an empty
    /// repository). Files are looked up in the index by path (a binary
    /// search), so nothing is written and nothing is listed.
    pub fn staged(
        repo: &'r Repository,
        index: IndexFile,
        head: Option<&Tree<'r>>,
        prefix: &Path,
    ) -> Snapshot<'r> {
        let mut snapshot = Snapshot::new(repo, head, prefix);
        snapshot.index = Some(Staged {
            index,
            prefix: prefix.to_string_lossy().replace('\\', "/"),
        });
        snapshot
    }

    /// The object id and file mode at a root-relative path.
    fn entry(&self, rel: &Path) -> Option<(Oid, i32)> {
        match &self.index {
            Some(staged) => staged.index.get(staged.path(rel).as_bytes()),
            // libgit2 caches no tree over 4 KB: a lookup from the root would
            // read a 100,000-file folder again for each file.
            None => match &self.trees {
                Some(trees) => trees.borrow_mut().entry_at(self.root_id(), rel),
                None => {
                    let e = self.root.as_ref()?.get_path(rel).ok()?;
                    Some((e.id(), e.filemode()))
                }
            },
        }
    }

    pub fn repo(&self) -> &'r Repository {
        self.repo
    }

    /// The id of the managed root's tree (HEAD's, for the index).
    pub fn root_id(&self) -> Option<Oid> {
        self.root.as_ref().map(Tree::id)
    }

    /// Whether this revision holds a managed root at all.
    pub fn exists(&self) -> bool {
        match &self.index {
            Some(_) => self.entry(Path::new(crate::config::FILE_NAME)).is_some(),
            None => self.root.is_some(),
        }
    }

    /// The object id at a root-relative path (a blob; in a tree, also a
    /// folder).
    pub fn id_of(&self, rel: &Path) -> Option<Oid> {
        self.entry(rel).map(|(id, _)| id)
    }

    /// The tree of a kind's folder.
    pub fn folder(&self, kind: Kind) -> Option<&Tree<'r>> {
        self.folder_info(kind).tree.as_ref()
    }

    fn folder_info(&self, kind: Kind) -> &Folder<'r> {
        let i = Kind::ALL.iter().position(|&k| k == kind).unwrap_or(0);
        self.folders[i].get_or_init(|| {
            let Some(tree) = self
                .root
                .as_ref()
                .and_then(|root| root.get_name(kind.folder()))
                .filter(|e| e.kind() == Some(ObjectType::Tree))
                .and_then(|e| self.repo.find_tree(e.id()).ok())
            else {
                return Folder::default();
            };
            // Entries are sorted by name and year folders are all digits:
            // they come after names like `.gitkeep` and before letters, so
            // the scan stops at the first name after them.
            let years = tree
                .iter()
                .skip_while(|e| e.name_bytes().first().is_some_and(|&b| b < b'0'))
                .take_while(|e| e.name_bytes().first().is_some_and(u8::is_ascii_digit))
                .filter(|e| e.kind() == Some(ObjectType::Tree))
                .filter_map(|e| {
                    e.name()
                        .ok()
                        .filter(|n| records::is_year(n))
                        .map(String::from)
                })
                .collect();
            Folder {
                tree: Some(tree),
                years,
            }
        })
    }

    /// The year folders of a kind's folder.
    fn years(&self, kind: Kind) -> Vec<String> {
        if let Some(staged) = &self.index {
            return staged_years(staged, kind);
        }
        let Some(trees) = &self.trees else {
            return self.folder_info(kind).years.clone();
        };
        let mut trees = trees.borrow_mut();
        let Some((folder, _)) = trees.entry_at(self.root_id(), Path::new(kind.folder())) else {
            return Vec::new();
        };
        let Some(tree) = trees.read(Some(folder)) else {
            return Vec::new();
        };
        tree.entries()
            .skip_while(|e| e.name.first().is_some_and(|&b| b < b'0'))
            .take_while(|e| e.name.first().is_some_and(u8::is_ascii_digit))
            .filter(|e| e.is_tree())
            .filter_map(|e| {
                std::str::from_utf8(e.name)
                    .ok()
                    .filter(|n| records::is_year(n))
            })
            .map(String::from)
            .collect()
    }

    /// Every path where a record `id` of `kind` is stored: `<folder>/<id>.yaml`
    /// and `<folder>/<year>/<id>.yaml`.
    pub fn locate(&self, kind: Kind, id: &str) -> Vec<PathBuf> {
        if !is_plain_name(id) {
            return Vec::new();
        }
        let base = Path::new(kind.folder());
        let file = kind.file_name(id);
        std::iter::once(base.join(&file))
            .chain(
                self.years(kind)
                    .iter()
                    .map(|year| base.join(year).join(&file)),
            )
            .filter(|rel| self.entry(rel).is_some())
            .collect()
    }

    /// Read and check the record file at `rel`, as [`records::parse_record`]
    /// does for the work tree.
    pub fn read_record(
        &self,
        ws: &Workspace,
        kind: Kind,
        rel: &Path,
    ) -> (Option<RecordFile>, Vec<Diagnostic>) {
        match self.read(rel) {
            Ok(bytes) => crate::checks::parse_record(ws, kind, rel, &bytes),
            Err(d) => (None, vec![*d]),
        }
    }

    /// The bytes of the file at `rel`, refused when it is not a regular file
    /// or is larger than a record may be.
    pub fn read(&self, rel: &Path) -> Result<Vec<u8>, Box<Diagnostic>> {
        let (id, mode) = self.entry(rel).ok_or_else(|| {
            Box::new(Diagnostic::error("unreadable", "no such file in this revision").in_file(rel))
        })?;
        read_blob(self.repo, rel, id, mode)
    }

    /// The policy (`gitsm.yaml`) of this revision, checked with `schemas`;
    /// the documented defaults when the revision has none (nobody is
    /// anybody's approver then).
    pub fn policy(
        &self,
        schemas: &crate::schema::Schemas,
    ) -> Result<crate::policy::Policy, Vec<Diagnostic>> {
        let rel = Path::new(crate::config::FILE_NAME);
        let text = match self.entry(rel) {
            None => String::new(),
            Some(_) => {
                let bytes = self.read(rel).map_err(|d| vec![*d])?;
                String::from_utf8(bytes).map_err(|_| {
                    vec![
                        Diagnostic::error("config-syntax", "gitsm.yaml is not valid UTF-8")
                            .in_file(rel),
                    ]
                })?
            }
        };
        crate::policy::parse(text.strip_prefix('\u{feff}').unwrap_or(&text), rel, schemas)
    }

    /// Every record file of this revision (used when the policy itself
    /// changed and every record must be checked again).
    pub fn all_records(&self) -> Vec<(Kind, PathBuf)> {
        if let Some(staged) = &self.index {
            return staged_records(staged);
        }
        self.record_entries()
            .into_iter()
            .map(|(kind, path, _, _)| (kind, path))
            .collect()
    }

    /// The record files of this revision's tree (kind folders and their
    /// year folders, each folder walked once): kind, root-relative path,
    /// blob id and file mode.
    pub fn record_entries(&self) -> Vec<(Kind, PathBuf, Oid, i32)> {
        let mut out = Vec::new();
        for kind in Kind::ALL {
            let Some(tree) = self.folder(kind) else {
                continue;
            };
            let base = Path::new(kind.folder());
            for e in tree.iter() {
                let Ok(name) = e.name() else { continue };
                match e.kind() {
                    Some(ObjectType::Blob) if kind.id_of_file_name(name).is_some() => {
                        out.push((kind, base.join(name), e.id(), e.filemode()));
                    }
                    Some(ObjectType::Tree) if records::is_year(name) => {
                        let Ok(sub) = self.repo.find_tree(e.id()) else {
                            continue;
                        };
                        for f in sub.iter() {
                            if let Ok(file) = f.name()
                                && kind.id_of_file_name(file).is_some()
                                && f.kind() == Some(ObjectType::Blob)
                            {
                                out.push((kind, base.join(name).join(file), f.id(), f.filemode()));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }
}

/// Record files in the index: `<prefix>/<folder>/[<year>/]<name>.yaml`.
fn staged_records(staged: &Staged) -> Vec<(Kind, PathBuf)> {
    let mut out = Vec::new();
    for kind in Kind::ALL {
        let folder = staged.path(Path::new(kind.folder()));
        for i in staged.index.under(folder.as_bytes()) {
            let Some((path, ..)) = staged.index.entry(i) else {
                continue;
            };
            let Ok(rest) = std::str::from_utf8(&path[folder.len() + 1..]) else {
                continue;
            };
            let ok = match rest.split_once('/') {
                None => kind.id_of_file_name(rest).is_some(),
                Some((year, name)) => {
                    records::is_year(year)
                        && !name.contains('/')
                        && kind.id_of_file_name(name).is_some()
                }
            };
            if ok {
                out.push((kind, Path::new(kind.folder()).join(rest)));
            }
        }
    }
    out
}

/// The year folders of a kind's folder in the index. Their names are
/// digits: only the entries between `<folder>/0` and `<folder>/:` are
/// looked at, a folder's whole run skipped at once.
fn staged_years(staged: &Staged, kind: Kind) -> Vec<String> {
    let folder = staged.path(Path::new(kind.folder()));
    let index = &staged.index;
    let digits = index.first_at_or_after(format!("{folder}/0").as_bytes())
        ..index.first_at_or_after(format!("{folder}/:").as_bytes());
    let mut years = Vec::new();
    let mut i = digits.start;
    while let Some((path, ..)) = index.entry(i).filter(|_| i < digits.end) {
        let rest = &path[folder.len() + 1..];
        let Some(slash) = memchr::memchr(b'/', rest) else {
            i += 1;
            continue;
        };
        if let Ok(name) = std::str::from_utf8(&rest[..slash])
            && records::is_year(name)
        {
            years.push(name.to_owned());
        }
        i = index.run_end(digits.clone(), i, &path[..folder.len() + 1 + slash + 1]);
    }
    years
}

/// An id that can be a file name: no separators, no `..`, nothing hidden.
fn is_plain_name(id: &str) -> bool {
    !id.is_empty() && !id.starts_with('.') && !id.contains(['/', '\\', '\0']) && id.len() <= 200
}

/// The bytes of the record file `rel`, the tree entry `id` with `mode`:
/// refused when it is a symbolic link or larger than a record may be.
pub fn read_blob(
    repo: &Repository,
    rel: &Path,
    id: Oid,
    mode: i32,
) -> Result<Vec<u8>, Box<Diagnostic>> {
    if mode == SYMLINK_MODE {
        return Err(Box::new(
            Diagnostic::error("symlink", "record files may not be symbolic links")
                .in_file(rel)
                .with_hint("replace the link with what it points to"),
        ));
    }
    let blob = repo.find_blob(id).map_err(|e| {
        Box::new(
            Diagnostic::error("unreadable", format!("cannot read: {}", e.message())).in_file(rel),
        )
    })?;
    if blob.size() as u64 > MAX_FILE_BYTES {
        return Err(Box::new(records::too_large(rel, blob.size() as u64)));
    }
    Ok(blob.content().to_vec())
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::path::{Path, PathBuf};
    use std::rc::Rc;

    use git2::Repository;

    use super::*;

    /// Year folders are found behind names that sort before digits, such
    /// as the `.gitkeep` that `gitsm init` writes into every kind folder.
    #[test]
    fn locate_finds_year_folders_after_a_gitkeep() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init(dir.path()).expect("init");
        let blob = |text: &str| repo.blob(text.as_bytes()).expect("blob");
        let mut year = repo.treebuilder(None).expect("builder");
        year.insert("INC-5.yaml", blob("id: INC-5\n"), 0o100_644)
            .expect("insert");
        let year = year.write().expect("tree");
        let mut incidents = repo.treebuilder(None).expect("builder");
        incidents
            .insert(".gitkeep", blob(""), 0o100_644)
            .expect("insert");
        incidents
            .insert("-notes", blob(""), 0o100_644)
            .expect("insert");
        incidents.insert("2024", year, 0o040_000).expect("insert");
        let incidents = incidents.write().expect("tree");
        let mut root = repo.treebuilder(None).expect("builder");
        root.insert("incidents", incidents, 0o040_000)
            .expect("insert");
        let root = repo.find_tree(root.write().expect("tree")).expect("root");
        let expected = vec![PathBuf::from("incidents/2024/INC-5.yaml")];
        let plain = Snapshot::new(&repo, Some(&root), Path::new(""));
        assert_eq!(plain.locate(Kind::Incident, "INC-5"), expected);
        let trees = Rc::new(RefCell::new(TreeCache::new(&repo).expect("odb")));
        let cached = Snapshot::new(&repo, Some(&root), Path::new("")).with_trees(&trees);
        assert_eq!(cached.locate(Kind::Incident, "INC-5"), expected);
        assert!(cached.id_of(&expected[0]).is_some());
    }

    /// In the index, a record staged in a year folder HEAD does not have
    /// yet (the first record of a new year) is found by id, in a managed
    /// root inside a subfolder, and so are HEAD's.
    #[test]
    fn staged_records_are_located_in_new_year_folders() {
        use gitsm_git::testing::git_cli as git;
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        git(root, &["init", "-q"], None);
        let write = |rel: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, "id: x\n").expect("write");
        };
        write("itsm/incidents/2026/INC-1.yaml");
        git(root, &["add", "-A"], None);
        git(root, &["commit", "-q", "-m", "one"], None);
        write("itsm/incidents/2027/INC-2.yaml");
        git(root, &["add", "-A"], None);
        let repo = Repository::open(root).expect("open");
        let head = repo.head().expect("head").peel_to_tree().expect("tree");
        let index = IndexFile::open(&repo).expect("index");
        let staged = Snapshot::staged(&repo, index, Some(&head), Path::new("itsm"));
        assert_eq!(
            staged.locate(Kind::Incident, "INC-2"),
            vec![PathBuf::from("incidents/2027/INC-2.yaml")]
        );
        assert_eq!(
            staged.locate(Kind::Incident, "INC-1"),
            vec![PathBuf::from("incidents/2026/INC-1.yaml")]
        );
        assert!(staged.locate(Kind::Incident, "INC-3").is_empty());
        let head_only = Snapshot::new(&repo, Some(&head), Path::new("itsm"));
        assert!(head_only.locate(Kind::Incident, "INC-2").is_empty());
    }
}
