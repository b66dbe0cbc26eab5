//! Record paths as the index stores them: text, and lossless. A file name
//! that is not UTF-8 (a bad input like any other) keeps its bytes: each
//! byte that is not part of valid UTF-8, and `%` itself, is written `%XX`.

use std::path::{Path, PathBuf};

/// `incidents/INC-0001.yaml`, or `incidents/INC-%FF.yaml` for the byte 0xFF.
pub(super) fn key(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '%' => out.push_str("%25"),
                // A separator on Windows; on Unix a byte of a file name.
                '\\' if cfg!(windows) => out.push('/'),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path a [`key`] stands for.
pub(super) fn path(key: &str) -> PathBuf {
    if !key.contains('%') {
        return PathBuf::from(key);
    }
    let mut bytes = Vec::with_capacity(key.len());
    let mut rest = key.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        match (b, tail.get(..2).and_then(|h| std::str::from_utf8(h).ok())) {
            (b'%', Some(hex)) if u8::from_str_radix(hex, 16).is_ok() => {
                bytes.push(u8::from_str_radix(hex, 16).unwrap_or(b'%'));
                rest = &tail[2..];
            }
            _ => {
                bytes.push(b);
                rest = tail;
            }
        }
    }
    from_bytes(bytes)
}

#[cfg(unix)]
fn from_bytes(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn from_bytes(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn every_name_comes_back_as_it_was() {
        for raw in [
            &b"incidents/INC-0001.yaml"[..],
            b"incidents/INC-\xff\xfe.yaml",
            b"cis/100%-up.yaml",
            b"cis/%FF.yaml",
            b"incidents/2026\\INC-0002.yaml",
            "cis/caf\u{e9}.yaml".as_bytes(),
        ] {
            let p = Path::new(std::ffi::OsStr::from_bytes(raw));
            assert_eq!(path(&key(p)), p, "{}", key(p));
        }
        assert_eq!(
            key(Path::new(std::ffi::OsStr::from_bytes(b"a/\xff.yaml"))),
            "a/%FF.yaml"
        );
    }
}
