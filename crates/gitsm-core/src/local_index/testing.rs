//! Test support, for this crate's tests and (with the `test-support`
//! feature) those of the crates above it.

use std::path::Path;

/// The first page of `table`'s tree in the database at `path` made no
/// page SQLite knows (its type byte), as a disk's damage would: found
/// when the table is read, not when the index is opened and no file
/// changed.
pub fn damage(path: &Path, table: &str) {
    use std::io::{Seek, SeekFrom, Write};
    let (at, _) = root_page(path, table);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .expect("open the file");
    file.seek(SeekFrom::Start(at))
        .and_then(|_| file.write_all(&[0x7f]))
        .expect("damage");
}

/// Where the first page of `table`'s tree is in the database at `path`,
/// and the size of a page.
pub fn root_page(path: &Path, table: &str) -> (u64, usize) {
    let db = rusqlite::Connection::open(path).expect("open");
    let (size, root): (i64, i64) = db
        .query_row(
            "SELECT (SELECT page_size FROM pragma_page_size), rootpage
             FROM sqlite_schema WHERE name = ?1",
            [table],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("its tree");
    let at = u64::try_from((root - 1) * size).expect("an offset");
    (at, usize::try_from(size).expect("a size"))
}
