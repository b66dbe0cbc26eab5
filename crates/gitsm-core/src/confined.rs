//! The managed repository's own files, never reached through a symbolic
//! link. A repository is content anyone with push access controls: a link
//! inside it (`templates/site.css -> /proc/self/environ`, `cis ->
//! /outside`, a linked `gitsm.yaml`) would otherwise let that content read
//! host files into the site or an error message, or make gitsm write
//! outside the repository. The path leading to the managed root may hold
//! links (a checkout under a linked home folder is fine); below it, none is
//! followed.

use std::io;
use std::path::{Component, Path};

/// Why a path below the managed root is refused.
fn linked(rel: &Path) -> io::Error {
    io::Error::other(format!(
        "{} is a symbolic link; gitsm does not follow links inside the repository",
        rel.display()
    ))
}

/// `rel` (relative to `root`) and every folder on the way to it exist and
/// none is a symbolic link. A missing part is `NotFound`.
pub fn check(root: &Path, rel: &Path) -> io::Result<()> {
    let mut at = root.to_path_buf();
    let mut shown = std::path::PathBuf::new();
    for part in rel.components() {
        match part {
            Component::Normal(name) => {
                at.push(name);
                shown.push(name);
            }
            Component::CurDir => continue,
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} leaves the repository", rel.display()),
                ));
            }
        }
        if std::fs::symlink_metadata(&at)?.file_type().is_symlink() {
            return Err(linked(&shown));
        }
    }
    Ok(())
}

/// Whether `rel` is a folder reached without a link (a link is an error).
pub fn is_dir(root: &Path, rel: &Path) -> io::Result<bool> {
    match check(root, rel) {
        Ok(()) => Ok(std::fs::symlink_metadata(root.join(rel))?.is_dir()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// The bytes of the regular file `rel`, at most `limit` of them (a larger
/// file is an error naming its size); refused when it or a folder on the
/// way is a link, or when it is not a regular file.
pub fn read(root: &Path, rel: &Path, limit: u64) -> io::Result<Vec<u8>> {
    check(root, rel)?;
    let path = root.join(rel);
    let meta = std::fs::symlink_metadata(&path)?;
    if !meta.is_file() {
        return Err(io::Error::other(format!(
            "{} is not a regular file",
            rel.display()
        )));
    }
    if meta.len() > limit {
        return Err(io::Error::other(format!(
            "{} is {} bytes; at most {limit} are read",
            rel.display(),
            meta.len()
        )));
    }
    let mut bytes = Vec::new();
    let file = open_no_follow(&path)?;
    io::Read::read_to_end(
        &mut io::Read::take(file, limit.saturating_add(1)),
        &mut bytes,
    )?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::other(format!(
            "{} grew past {limit} bytes while read",
            rel.display()
        )));
    }
    Ok(bytes)
}

/// [`read`] as UTF-8 text.
pub fn read_text(root: &Path, rel: &Path, limit: u64) -> io::Result<String> {
    let bytes = read(root, rel, limit)?;
    String::from_utf8(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not UTF-8", rel.display()),
        )
    })
}

/// Open a file for reading, refusing a link as its last part (on Unix, in
/// the same call: nothing can swap the file for a link in between). The
/// folders on the way are the caller's to check ([`check`]).
pub fn open_no_follow(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return linked(path.file_name().map_or(path, Path::new));
        }
        e
    })
}

/// Whether `rel` may be written: the folders on the way to it (below
/// `root`) and the file, where they exist, are not links. A folder or file
/// still to be created is fine. (A rename never follows a link, but a link
/// there means someone meant it to be followed.)
pub fn check_writable(root: &Path, rel: &Path) -> io::Result<()> {
    match check(root, rel) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_below_the_root_are_refused_and_above_it_allowed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real");
        std::fs::create_dir_all(real.join("cis")).expect("mkdir");
        std::fs::write(real.join("cis/a.yaml"), "id: a\n").expect("write");
        std::fs::write(dir.path().join("secret"), "secret\n").expect("write");
        // The root itself reached through a link: fine.
        symlink(&real, dir.path().join("via-link")).expect("link");
        let root = dir.path().join("via-link");
        assert_eq!(
            read(&root, Path::new("cis/a.yaml"), 100).expect("read"),
            b"id: a\n"
        );
        // A linked file, a linked folder: refused, and nothing read.
        symlink(dir.path().join("secret"), real.join("cis/b.yaml")).expect("link");
        symlink(dir.path(), real.join("problems")).expect("link");
        for rel in ["cis/b.yaml", "problems/secret"] {
            let err = read(&root, Path::new(rel), 100).expect_err(rel);
            assert!(err.to_string().contains("symbolic link"), "{err}");
            assert!(!err.to_string().contains("secret\n"));
        }
        assert!(is_dir(&root, Path::new("problems")).is_err());
        assert!(!is_dir(&root, Path::new("changes")).expect("absent"));
        assert!(check_writable(&root, Path::new("problems/PRB-1.yaml")).is_err());
        assert!(check_writable(&root, Path::new("changes/CHG-1.yaml")).is_ok());
        assert!(check(&root, Path::new("../secret")).is_err());
        // Too large: refused before reading.
        let err = read(&root, Path::new("cis/a.yaml"), 3).expect_err("large");
        assert!(err.to_string().contains("at most 3"), "{err}");
    }
}
