//! An export read as a table: a header row, then rows, each with the line
//! it starts on (quoted fields may span lines). Malformed input is refused
//! with the line: a row whose field count differs from the header's, a
//! quoted field never closed, bytes that are not UTF-8.

/// The largest export read (a larger file is refused before it is read).
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// Read from JSON: a row's `line` is its record's number.
    pub json: bool,
}

#[derive(Debug, Clone)]
pub struct Row {
    /// The line of the file the row starts on (1-based; the header is 1),
    /// or in a JSON export the record's number (1-based).
    pub line: u64,
    pub cells: Vec<String>,
}

/// Whether `bytes` look like a JSON export rather than CSV.
pub(super) fn is_json(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    matches!(
        bytes.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

/// Where a row is, for messages: `FILE:LINE`, or `FILE: record N` in JSON.
pub fn place(file: &str, line: u64, json: bool) -> String {
    if json {
        format!("{file}: record {line}")
    } else {
        format!("{file}:{line}")
    }
}

/// Why an export could not be read: the line and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    pub line: u64,
    pub message: String,
}

impl Table {
    /// Read `bytes` (a UTF-8 byte-order mark is skipped) with `delimiter`.
    pub fn read(bytes: &[u8], delimiter: u8) -> Result<Table, TableError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(false)
            .from_reader(bytes);
        let mut headers: Option<Vec<String>> = None;
        let mut rows = Vec::new();
        let mut record = csv::ByteRecord::new();
        let mut last_line = 1;
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(csv_error(&e, last_line)),
            }
            let line = record.position().map_or(last_line, csv::Position::line);
            last_line = line;
            let mut cells = Vec::with_capacity(record.len());
            for (i, field) in record.iter().enumerate() {
                let text = std::str::from_utf8(field).map_err(|_| TableError {
                    line,
                    message: format!(
                        "invalid UTF-8 in {} (export the file as UTF-8)",
                        match &headers {
                            Some(h) => format!("column `{}`", h.get(i).map_or("?", String::as_str)),
                            None => "the header".to_owned(),
                        }
                    ),
                })?;
                cells.push(text.to_owned());
            }
            match headers {
                None => headers = Some(cells.iter().map(|h| h.trim().to_owned()).collect()),
                Some(_) => rows.push(Row { line, cells }),
            }
        }
        // A quote left open swallows the rest of the file into one field;
        // the CSV reader takes that as a value, so count the quotes (an
        // escaped quote is doubled and keeps the count even).
        if bytes.iter().filter(|b| **b == b'"').count() % 2 == 1 {
            return Err(TableError {
                line: last_line,
                message: "a quoted field is never closed (an odd number of `\"`)".into(),
            });
        }
        let headers = headers.ok_or(TableError {
            line: 1,
            message: "the file is empty: an export starts with a header row".into(),
        })?;
        Ok(Table {
            headers,
            rows,
            json: false,
        })
    }

    /// ServiceNow's JSON export (`{"records": [...]}`, the Table API's
    /// `{"result": [...]}`, or a bare array): a row per object, whose keys
    /// are the columns; a `{"display_value", "value"}` pair reads as its
    /// display value.
    pub fn from_json(bytes: &[u8]) -> Result<Table, TableError> {
        use serde_json::Value;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let value: Value = serde_json::from_slice(bytes).map_err(|e| TableError {
            line: e.line() as u64,
            message: format!("not valid JSON: {e}"),
        })?;
        let shape = || TableError {
            line: 1,
            message:
                "expected `{\"records\": [...]}` (ServiceNow's JSON export) or an array of objects"
                    .into(),
        };
        let records = match &value {
            Value::Array(a) => a,
            Value::Object(o) => o
                .get("records")
                .or_else(|| o.get("result"))
                .and_then(Value::as_array)
                .ok_or_else(shape)?,
            _ => return Err(shape()),
        };
        let mut headers: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut objects = Vec::with_capacity(records.len());
        for (n, r) in records.iter().enumerate() {
            let obj = r.as_object().ok_or_else(|| TableError {
                line: n as u64 + 1,
                message: "this record is not an object".into(),
            })?;
            for k in obj.keys() {
                if seen.insert(k.clone()) {
                    headers.push(k.clone());
                }
            }
            objects.push(obj);
        }
        let cell = |v: Option<&Value>| match v {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Object(o)) => o
                .get("display_value")
                .or_else(|| o.get("value"))
                .map_or_else(String::new, |v| match v {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                }),
            Some(other) => other.to_string(),
        };
        let rows = objects
            .iter()
            .enumerate()
            .map(|(n, obj)| Row {
                line: n as u64 + 1,
                cells: headers.iter().map(|h| cell(obj.get(h))).collect(),
            })
            .collect();
        Ok(Table {
            headers,
            rows,
            json: true,
        })
    }

    /// The indices of the columns named `name` (an export may repeat a
    /// header, once per value of a multi-valued field), ignoring case.
    pub fn indices(&self, name: &str) -> Vec<usize> {
        self.headers
            .iter()
            .enumerate()
            .filter(|(_, h)| h.eq_ignore_ascii_case(name.trim()))
            .map(|(i, _)| i)
            .collect()
    }
}

fn csv_error(e: &csv::Error, last_line: u64) -> TableError {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => TableError {
            line: pos.as_ref().map_or(last_line, csv::Position::line),
            message: format!(
                "this row has {len} field{} but the header has {expected_len} (a delimiter or quote out of place?)",
                if *len == 1 { "" } else { "s" }
            ),
        },
        _ => TableError {
            line: e.position().map_or(last_line, csv::Position::line),
            message: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_line_breaks_and_repeated_headers_are_read() {
        let t = Table::read(
            b"\xEF\xBB\xBFkey,Labels,Labels\nA-1,\"two\nlines\",x\nA-2,,y\n",
            b',',
        )
        .expect("table");
        assert_eq!(t.headers, ["key", "Labels", "Labels"]);
        assert_eq!(t.indices("labels"), [1, 2]);
        assert_eq!(t.rows[0].cells[1], "two\nlines");
        assert_eq!((t.rows[0].line, t.rows[1].line), (2, 4));
    }

    #[test]
    fn a_servicenow_json_export_is_a_table() {
        let text = br#"{"records": [
            {"number": "INC1", "priority": 1, "caller_id": {"display_value": "Beth Anglin", "value": "6816f7"}},
            {"number": "INC2", "state": "New", "caller_id": null}
        ]}"#;
        assert!(is_json(text));
        let t = Table::from_json(text).expect("table");
        assert_eq!(t.headers, ["number", "priority", "caller_id", "state"]);
        assert_eq!(t.rows[0].cells, ["INC1", "1", "Beth Anglin", ""]);
        assert_eq!((t.rows[1].line, t.rows[1].cells[3].as_str()), (2, "New"));
        assert!(Table::from_json(b"{\"x\": 1}").is_err());
    }

    #[test]
    fn malformed_rows_name_their_line() {
        let short = Table::read(b"a,b\n1,2\n3\n", b',').expect_err("short row");
        assert_eq!(short.line, 3);
        let open = Table::read(b"a,b\n1,2\n\"3,4\n5,6\n", b',').expect_err("open quote");
        assert_eq!(open.line, 3);
        let bytes = Table::read(b"a,b\n1,\xff\n", b',').expect_err("not UTF-8");
        assert_eq!(bytes.line, 2);
        assert!(bytes.message.contains("column `b`"));
    }
}
