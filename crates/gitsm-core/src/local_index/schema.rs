//! The index's tables, and the read-only schema `gitsm query` and
//! `gitsm export` offer: a view per kind with a column per field of its
//! JSON Schema, and views of links, notes and decisions.

use std::path::Path;

use rusqlite::{OptionalExtension, Transaction};
use serde_json::Value;

use crate::kind::Kind;
use crate::workspace::Workspace;

/// The index's format; an index of another is rebuilt. Raise it whenever
/// the tables below, or what a row holds, change. It also guards the
/// folders' entries of the stat cache (`stat_cache.rs`), which hold the
/// names the scan took for records: a change to which names are records
/// must raise it too, or a folder unchanged since would keep its old
/// names.
pub(super) const FORMAT: i64 = 16;

/// Largest policy or schema file fingerprinted (larger ones are refused
/// when the workspace is opened anyway).
const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// [`stale`]'s answer for an index that has never been built.
pub(super) const NEW: &str = "new";

/// What the rows of an index depend on beyond the files themselves: the
/// format, the gitsm version (its parser and model), the policy and the
/// schemas the records were checked against, and the managed root.
pub(super) fn fingerprint(ws: &Workspace) -> String {
    use sha1::{Digest, Sha1};
    let mut sha = Sha1::new();
    sha.update(format!("{FORMAT}\0{}\0", env!("CARGO_PKG_VERSION")));
    sha.update(ws.root.as_os_str().as_encoded_bytes());
    for rel in std::iter::once(crate::config::FILE_NAME.to_owned()).chain(
        Kind::ALL
            .iter()
            .map(|k| format!("schemas/{}", k.schema_file())),
    ) {
        sha.update(b"\0");
        sha.update(rel.as_bytes());
        sha.update(b"\0");
        match crate::confined::read(&ws.root, Path::new(&rel), MAX_INPUT_BYTES) {
            Ok(bytes) => sha.update(&bytes),
            Err(_) => sha.update(b"(none)"),
        }
    }
    crate::git::hex(&sha.finalize())
}

/// Why the index cannot be used as it is (`None`: it can).
pub(super) fn stale(tx: &Transaction<'_>, fingerprint: &str) -> rusqlite::Result<Option<String>> {
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version == 0 {
        return Ok(Some(NEW.to_owned()));
    }
    if version != FORMAT {
        return Ok(Some(format!("it is of format {version}, not {FORMAT}")));
    }
    let stored: Option<String> = tx
        .query_row(
            "SELECT value FROM meta WHERE key = 'fingerprint'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match stored {
        Some(s) if s == fingerprint => None,
        Some(_) => Some(
            "gitsm.yaml, the schemas or the gitsm version changed since it was built".to_owned(),
        ),
        None => Some("it has no fingerprint".to_owned()),
    })
}

/// Drop whatever is there and create the tables and views, empty.
pub(super) fn create(
    tx: &Transaction<'_>,
    ws: &Workspace,
    fingerprint: &str,
) -> rusqlite::Result<()> {
    let existing: Vec<(String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT type, name FROM sqlite_schema
             WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'
               AND name NOT LIKE 'text_%'",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (kind, name) in existing {
        let kind = if kind == "view" { "VIEW" } else { "TABLE" };
        tx.execute_batch(&format!("DROP {kind} IF EXISTS \"{name}\""))?;
    }
    tx.execute_batch(TABLES)?;
    tx.execute_batch(&views(ws))?;
    // The title weighs ten times the rest in the ranking.
    tx.execute_batch("INSERT INTO text (text, rank) VALUES ('rank', 'bm25(10.0, 1.0)')")?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('fingerprint', ?1), ('stamp', ?2)",
        [fingerprint, &super::refresh::new_stamp().to_string()],
    )?;
    tx.pragma_update(None, "user_version", FORMAT)
}

/// The stored tables. `files` holds one row per record file found, the
/// typed record as JSON (`record`, NULL when the file fails its schema;
/// `parsed` is 0 when it is not even a YAML mapping), with the stat data
/// that says whether the file changed since.
const TABLES: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE files (
    n INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    mtime INTEGER NOT NULL,
    ctime INTEGER NOT NULL,
    size INTEGER NOT NULL,
    ino INTEGER NOT NULL,
    blob TEXT,
    parsed INTEGER NOT NULL,
    id TEXT,
    status TEXT,
    open INTEGER NOT NULL DEFAULT 0,
    known_error INTEGER NOT NULL DEFAULT 0,
    priority TEXT,
    title TEXT,
    created_at TEXT,
    record TEXT
) STRICT;
CREATE INDEX files_id ON files (id);
CREATE INDEX files_stat ON files (path, mtime, ctime, size, ino);
CREATE INDEX files_kind ON files (kind, open);
-- `list KIND --status S` and `show`'s known errors: the few rows they
-- want, not every row of the kind read to test a column.
CREATE INDEX files_status ON files (kind, status);
CREATE INDEX files_known_error ON files (kind, known_error);
-- The files that could not be read, which `list` counts whatever its
-- filters: found beside the rows of a status, not by reading every row.
CREATE INDEX files_unread ON files (kind) WHERE record IS NULL;
-- `query` by priority (P1s per service): the rows of one priority, not
-- every row of the kind (each some hundred bytes of JSON) read to test it.
CREATE INDEX files_priority ON files (kind, priority);
CREATE TABLE refs (
    source INTEGER NOT NULL,
    field TEXT NOT NULL,
    pointer TEXT NOT NULL,
    target TEXT NOT NULL
) STRICT;
CREATE INDEX refs_source ON refs (source);
CREATE INDEX refs_target ON refs (target);
CREATE VIRTUAL TABLE text USING fts5 (
    title, body, tokenize = 'porter unicode61 remove_diacritics 2'
);
";

/// A time as SQL compares it: UTC, `2026-11-21T09:00:00Z`.
fn utc(expr: &str) -> String {
    format!("strftime('%Y-%m-%dT%H:%M:%SZ', {expr})")
}

/// The documented views (see `gitsm query --help`).
fn views(ws: &Workspace) -> String {
    let mut sql = format!(
        "CREATE VIEW records AS SELECT id, kind, path, status, open, priority, title,
           {} AS created_at, record FROM files WHERE record IS NOT NULL;
         CREATE VIEW links AS SELECT f.id AS source, f.kind AS source_kind, r.field, r.pointer,
           r.target, t.kind AS target_kind
           FROM refs r JOIN files f ON f.n = r.source
           LEFT JOIN files t ON t.n = (SELECT min(n) FROM files WHERE id = r.target);
         CREATE VIEW notes AS SELECT f.id AS record, f.kind, {} AS at,
           j.value ->> '$.by' AS by, j.value ->> '$.text' AS text
           FROM files f, json_each(f.record, '$.notes') j WHERE f.record IS NOT NULL;
         CREATE VIEW decisions AS SELECT f.id AS record, f.kind, j.value ->> '$.by' AS by,
           j.value ->> '$.decision' AS decision, {} AS at, j.value ->> '$.comment' AS comment,
           j.value ->> '$.signature' IS NOT NULL AS signed
           FROM files f, json_each(f.record, '$.approvals') j WHERE f.record IS NOT NULL;\n",
        utc("created_at"),
        utc("j.value ->> '$.at'"),
        utc("j.value ->> '$.at'"),
    );
    for kind in Kind::ALL {
        sql.push_str(&kind_view(kind, ws.schemas.schema(kind)));
    }
    sql
}

/// `CREATE VIEW incidents AS SELECT path, id, …`: a column per top-level
/// field of the kind's schema (scalars as values, times in UTC, lists and
/// objects as JSON text), and the computed priority of tickets.
fn kind_view(kind: Kind, schema: &Value) -> String {
    let mut columns = vec!["path".to_owned()];
    let props = schema.get("properties").and_then(Value::as_object);
    for (name, prop) in props.into_iter().flatten() {
        if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        // Quoted: a field may be named like an SQL keyword (`order`).
        let value = format!("record ->> '$.\"{name}\"'");
        let column = if name == "priority" {
            "priority".to_owned()
        } else if prop.get("format").and_then(Value::as_str) == Some("date-time") {
            format!("{} AS \"{name}\"", utc(&value))
        } else {
            format!("{value} AS \"{name}\"")
        };
        columns.push(column);
    }
    if kind.is_ticket() && !columns.iter().any(|c| c == "priority") {
        columns.push("priority".to_owned());
    }
    format!(
        "CREATE VIEW {} AS SELECT {} FROM files WHERE kind = '{}' AND record IS NOT NULL;\n",
        kind.folder(),
        columns.join(", "),
        kind.name()
    )
}
