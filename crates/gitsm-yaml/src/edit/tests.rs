//! The editor on records as people write them: each layout rule, each
//! refusal, and the round trip.

use serde_json::json;

use super::*;

const RECORD: &str = "\
# yaml-language-server: $schema=../schemas/incident.schema.json
id: INC-0001
title: \"VPN drops\"   # reported by phone
status: new
created_at: 2026-11-20T09:00:00+01:00
reported_by: alice
description: |
  Users report the VPN drops every 10 minutes.

  Started after the firewall change.
notes:
  - at: 2026-11-20T09:05:00+01:00
    by: alice
    text: Called the user.
";

/// `a/b/0` → steps; all-digit segments are indices.
fn path(p: &str) -> Vec<Step> {
    p.split('/')
        .map(|s| match s.parse() {
            Ok(i) => Step::Index(i),
            Err(_) => Step::Key(s.to_owned()),
        })
        .collect()
}

fn set(p: &str, value: Value) -> Edit {
    Edit::Set {
        path: path(p),
        value,
    }
}

fn append(p: &str, item: Value) -> Edit {
    Edit::Append {
        path: path(p),
        item,
    }
}

fn edit(text: &str, edits: &[Edit]) -> String {
    apply(text, edits).unwrap_or_else(|e| panic!("edit failed: {e}\n{text}"))
}

/// The lines removed from `before` and added in `after`, between their
/// common first and last lines: everything else is byte for byte equal.
fn changed<'a>(before: &'a str, after: &'a str) -> (Vec<&'a str>, Vec<&'a str>) {
    let a: Vec<&str> = before.split_inclusive('\n').collect();
    let b: Vec<&str> = after.split_inclusive('\n').collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let trim = |l: &&'a str| l.trim_end_matches(['\r', '\n']);
    (
        a[head..a.len() - tail].iter().map(trim).collect(),
        b[head..b.len() - tail].iter().map(trim).collect(),
    )
}

fn assert_changed(before: &str, after: &str, removed: &[&str], added: &[&str]) {
    let (r, a) = changed(before, after);
    assert_eq!((r.as_slice(), a.as_slice()), (removed, added), "\n{after}");
}

#[test]
fn replaces_a_value_and_nothing_else() {
    let out = edit(RECORD, &[set("status", json!("in_progress"))]);
    assert_eq!(out, RECORD.replace("status: new", "status: in_progress"));
}

#[test]
fn keeps_double_quotes_and_the_comment_after_them() {
    let out = edit(RECORD, &[set("title", json!("VPN drops \"hourly\""))]);
    assert_changed(
        RECORD,
        &out,
        &["title: \"VPN drops\"   # reported by phone"],
        &["title: \"VPN drops \\\"hourly\\\"\"   # reported by phone"],
    );
}

#[test]
fn keeps_single_quotes() {
    let out = edit("a: 'x'\nb: 1\n", &[set("a", json!("it's"))]);
    assert_eq!(out, "a: 'it''s'\nb: 1\n");
}

#[test]
fn keeps_an_end_of_line_comment() {
    let text = "status: new  # set by the service desk\nid: INC-1\n";
    let out = edit(text, &[set("status", json!("resolved"))]);
    assert_eq!(
        out,
        "status: resolved  # set by the service desk\nid: INC-1\n"
    );
}

#[test]
fn new_key_goes_after_a_final_block_scalar() {
    let text = "id: INC-1\ndescription: |\n  Line one.\n\n  Line two.\n";
    let out = edit(text, &[set("priority", json!("P2"))]);
    assert_eq!(
        out,
        "id: INC-1\ndescription: |\n  Line one.\n\n  Line two.\npriority: P2\n"
    );
}

#[test]
fn new_key_goes_before_trailing_blank_and_comment_lines() {
    let text = "id: INC-1\ndescription: |\n  Text.\n\n# Closure\n";
    let out = edit(text, &[set("status", json!("closed"))]);
    assert_eq!(
        out,
        "id: INC-1\ndescription: |\n  Text.\nstatus: closed\n\n# Closure\n"
    );
}

#[test]
fn new_key_goes_after_a_comment_on_the_last_line() {
    let text = "a: 1\nb: 2  # last\n";
    assert_eq!(
        edit(text, &[set("c", json!(3))]),
        "a: 1\nb: 2  # last\nc: 3\n"
    );
}

#[test]
fn creates_missing_parent_mappings() {
    let out = edit(RECORD, &[set("resolution/code", json!("fixed"))]);
    assert_eq!(out, format!("{RECORD}resolution:\n  code: fixed\n"));
}

#[test]
fn adds_to_an_existing_nested_mapping() {
    let text = "resolution:\n  summary: Rebooted.\n# Closure\nstatus: resolved\n";
    let out = edit(text, &[set("resolution/code", json!("fixed"))]);
    assert_eq!(
        out,
        "resolution:\n  summary: Rebooted.\n  code: fixed\n# Closure\nstatus: resolved\n"
    );
}

#[test]
fn fills_a_null_parent() {
    for text in ["resolution:\nstatus: new\n", "resolution: ~\nstatus: new\n"] {
        let out = edit(text, &[set("resolution/code", json!("fixed"))]);
        assert_eq!(out, "resolution:\n  code: fixed\nstatus: new\n", "{text}");
    }
}

#[test]
fn keeps_a_comment_after_an_empty_value() {
    let text = "closed_at:   # set on close\nstatus: new\n";
    let out = edit(text, &[set("closed_at", json!("tomorrow"))]);
    assert_eq!(out, "closed_at: tomorrow   # set on close\nstatus: new\n");
    let out = edit(text, &[set("closed_at", json!({"by": "bob"}))]);
    assert_eq!(out, "closed_at:   # set on close\n  by: bob\nstatus: new\n");
}

fn note(text: &str) -> Value {
    json!({"at": "2026-11-20T10:00:00+01:00", "by": "bob", "text": text})
}

#[test]
fn appends_a_note_to_a_block_list() {
    let out = edit(RECORD, &[append("notes", note("Rebooted the firewall."))]);
    assert_eq!(
        out,
        format!(
            "{RECORD}  - at: 2026-11-20T10:00:00+01:00\n    by: bob\n    text: Rebooted the firewall.\n"
        )
    );
}

#[test]
fn appends_a_note_to_an_empty_flow_list() {
    let text = "notes: []\nstatus: new\n";
    let out = edit(text, &[append("notes", note("Hi."))]);
    assert_eq!(
        out,
        "notes:\n  - at: 2026-11-20T10:00:00+01:00\n    by: bob\n    text: Hi.\nstatus: new\n"
    );
}

#[test]
fn appends_a_note_to_a_null_or_absent_list() {
    let expected =
        "notes:\n  - at: 2026-11-20T10:00:00+01:00\n    by: bob\n    text: Hi.\nstatus: new\n";
    assert_eq!(
        edit("notes:\nstatus: new\n", &[append("notes", note("Hi."))]),
        expected
    );
    let out = edit("status: new\n", &[append("notes", note("Hi."))]);
    assert_eq!(
        out,
        "status: new\nnotes:\n  - at: 2026-11-20T10:00:00+01:00\n    by: bob\n    text: Hi.\n"
    );
}

#[test]
fn multi_line_note_text_is_a_literal_block() {
    let out = edit(
        RECORD,
        &[append(
            "notes",
            note("Rebooted.\nUser confirms.\n\nClosing."),
        )],
    );
    assert!(
        out.ends_with("    text: |-\n      Rebooted.\n      User confirms.\n\n      Closing.\n"),
        "{out}"
    );
    let out = edit(RECORD, &[set("notes/0/text", json!("One.\nTwo.\n"))]);
    assert_changed(
        RECORD,
        &out,
        &["    text: Called the user."],
        &["    text: |", "      One.", "      Two."],
    );
}

#[test]
fn replaces_a_block_scalar() {
    let out = edit(RECORD, &[set("description", json!("New text.\nMore.\n"))]);
    assert_changed(
        RECORD,
        &out,
        &[
            "  Users report the VPN drops every 10 minutes.",
            "",
            "  Started after the firewall change.",
        ],
        &["  New text.", "  More."],
    );
    let out = edit(RECORD, &[set("description", json!("Short."))]);
    assert!(
        out.contains("reported_by: alice\ndescription: Short.\nnotes:\n"),
        "{out}"
    );
}

#[test]
fn keep_chomped_block_keeps_its_trailing_lines() {
    let text = "a: |+\n  keep\n\n\nb: 1\n";
    let out = edit(text, &[set("c", json!(2)), set("a", json!("x"))]);
    // The blank lines kept by `|+` are part of the old value.
    assert_eq!(out, "a: x\nb: 1\nc: 2\n");
    let out = edit("a: |+\n  keep\n\n", &[set("c", json!(2))]);
    assert_eq!(out, "a: |+\n  keep\n\nc: 2\n");
}

#[test]
fn appends_to_a_flow_list() {
    let text = "cis: [web, 'db']  # affected\nid: X\n";
    let out = edit(text, &[append("cis", json!("mail server"))]);
    assert_eq!(out, "cis: [web, 'db', mail server]  # affected\nid: X\n");
    let out = edit(
        text,
        &[append("cis", json!({"id": "CI-1", "role": "a, b"}))],
    );
    assert_eq!(
        out,
        "cis: [web, 'db', {id: CI-1, role: \"a, b\"}]  # affected\nid: X\n"
    );
}

#[test]
fn replaces_lists_in_their_style() {
    let out = edit("cis: [web]\n", &[set("cis", json!(["web", "db"]))]);
    assert_eq!(out, "cis: [web, db]\n");
    let out = edit("cis:\n  - web\nid: X\n", &[set("cis", json!(["a", "b"]))]);
    assert_eq!(out, "cis:\n  - a\n  - b\nid: X\n");
    let out = edit("cis:\n- web\nid: X\n", &[set("cis", json!(["a", "b"]))]);
    assert_eq!(out, "cis:\n- a\n- b\nid: X\n");
    let out = edit("cis:\n- web\nid: X\n", &[set("links", json!(["a"]))]);
    assert_eq!(out, "cis:\n- web\nid: X\nlinks:\n- a\n");
}

#[test]
fn a_comment_after_a_flow_list_stays() {
    let text = "cis: [web]  # affected\nsla: {a: 1}  # agreed\n";
    let out = edit(text, &[set("cis", json!(["web", "db"]))]);
    assert_eq!(out, "cis: [web, db]  # affected\nsla: {a: 1}  # agreed\n");
    let out = edit(text, &[set("cis", json!([{"id": "CI-1"}]))]);
    assert_eq!(
        out,
        "cis:  # affected\n  - id: CI-1\nsla: {a: 1}  # agreed\n"
    );
    let out = edit(text, &[set("sla", json!("none"))]);
    assert_eq!(out, "cis: [web]  # affected\nsla: none  # agreed\n");
}

#[test]
fn replacing_a_nested_block_keeps_the_key_line() {
    let text = "resolution:  # filled on close\n  code: x\n  by: y\nstatus: new\n";
    let out = edit(text, &[set("resolution", json!({"code": "fixed"}))]);
    assert_eq!(
        out,
        "resolution:  # filled on close\n  code: fixed\nstatus: new\n"
    );
    let out = edit(text, &[set("resolution", json!("none"))]);
    assert_eq!(out, "resolution: none  # filled on close\nstatus: new\n");
}

#[test]
fn a_comment_after_a_value_stays_out_of_a_new_block() {
    let text = "a: 1 # c\nb: 2\n";
    let out = edit(text, &[set("a", json!("new\nlines"))]);
    assert_eq!(out, "a: |- # c\n  new\n  lines\nb: 2\n");
    let out = edit(text, &[set("a", json!(["x"]))]);
    assert_eq!(out, "a: # c\n  - x\nb: 2\n");
}

#[test]
fn a_byte_order_mark_takes_no_column() {
    let text = "\u{FEFF}a: 1\nb: 2\n";
    assert_eq!(
        edit(text, &[set("c/d", json!(3))]),
        "\u{FEFF}a: 1\nb: 2\nc:\n  d: 3\n"
    );
}

#[test]
fn follows_the_file_indentation_step() {
    let text = "a:\n    b: 1\nc: 2\n";
    let out = edit(text, &[set("d/e", json!(["x"]))]);
    assert_eq!(out, "a:\n    b: 1\nc: 2\nd:\n    e:\n        - x\n");
}

#[test]
fn closes_a_hold_period() {
    let text = "on_hold:\n  - start: 2026-11-20T10:00:00Z\n    reason: waiting  # customer\nstatus: on_hold\n";
    let out = edit(text, &[set("on_hold/0/end", json!("2026-11-21T10:00:00Z"))]);
    assert_changed(text, &out, &[], &["    end: 2026-11-21T10:00:00Z"]);
    assert!(out.contains("# customer\n    end: "), "{out}");
}

#[test]
fn replaces_a_list_item() {
    let text = "cis:\n  - web\n  - db\n";
    assert_eq!(
        edit(text, &[set("cis/1", json!("mail"))]),
        "cis:\n  - web\n  - mail\n"
    );
    let out = edit(
        text,
        &[set("cis/0", json!({"id": "CI-1", "role": "primary"}))],
    );
    assert_eq!(out, "cis:\n  - id: CI-1\n    role: primary\n  - db\n");
}

#[test]
fn keeps_crlf_line_endings() {
    let text = RECORD.replace('\n', "\r\n");
    let out = edit(
        &text,
        &[
            set("status", json!("resolved")),
            set("resolution/code", json!("fixed")),
            append("notes", note("A\nB")),
        ],
    );
    assert_eq!(
        out.matches('\n').count(),
        out.matches("\r\n").count(),
        "{out:?}"
    );
    assert!(out.starts_with(&text[..text.find("status").unwrap_or(0)]));
    assert!(out.contains("status: resolved\r\n"));
    assert!(
        out.contains("      A\r\n      B\r\nresolution:\r\n  code: fixed\r\n"),
        "{out:?}"
    );
}

#[test]
fn keeps_a_missing_final_newline() {
    let text = "id: X\nstatus: new";
    assert_eq!(
        edit(text, &[set("status", json!("closed"))]),
        "id: X\nstatus: closed"
    );
    assert_eq!(
        edit(text, &[set("a/b", json!(1))]),
        "id: X\nstatus: new\na:\n  b: 1"
    );
    let text = "id: X\nd: |\n  text";
    assert_eq!(
        edit(text, &[set("e", json!(1))]),
        "id: X\nd: |\n  text\ne: 1"
    );
}

#[test]
fn handles_non_ascii_before_the_edit() {
    let text = "title: Café ☕ — ça coupe 🚀\nnote: \"émoji 🚀\"  # é\nstatus: new\n";
    let out = edit(
        text,
        &[
            set("status", json!("résolu")),
            set("note", json!("ok 👍")),
            append("tags", json!("ü")),
        ],
    );
    assert_eq!(
        out,
        "title: Café ☕ — ça coupe 🚀\nnote: \"ok 👍\"  # é\nstatus: résolu\ntags:\n  - ü\n"
    );
}

#[test]
fn quotes_strings_that_would_read_back_differently() {
    let quoted = [
        "true",
        "123",
        "1.5",
        "0x1F",
        "null",
        "~",
        "",
        "a: b",
        "#x",
        "a #b",
        "*x",
        "&x",
        "!x",
        "- x",
        "[x",
        "{x",
        "|",
        ">",
        "%x",
        "@x",
        " lead",
        "trail ",
        "'q",
        "\"q",
        "tab\there",
        "bell\u{7}",
    ];
    for s in quoted {
        let out = edit("k: old\n", &[set("k", json!(s))]);
        assert_eq!(out, format!("k: {}\n", double_quoted(s)), "{s:?}");
    }
    // Timestamps are plain, as in every record (gitsm reads them as strings).
    for s in ["2026-01-01", "2026-11-20T10:00:00+01:00"] {
        assert_eq!(edit("k: old\n", &[set("k", json!(s))]), format!("k: {s}\n"));
    }
    for s in [
        "yes",
        "no",
        "INC-0001",
        "a-b",
        "hello world",
        "y:z",
        "50%",
        "-x",
        "é",
    ] {
        assert_eq!(
            edit("k: old\n", &[set("k", json!(s))]),
            format!("k: {s}\n"),
            "{s:?}"
        );
    }
    let out = edit(
        "k: old\n",
        &[
            set("k", json!(12)),
            set("b", json!(true)),
            set("n", Value::Null),
        ],
    );
    assert_eq!(out, "k: 12\nb: true\nn: null\n");
}

#[test]
fn a_plain_date_stays_plain_in_place_of_a_plain_date() {
    let out = edit(
        RECORD,
        &[set("created_at", json!("2026-11-21T08:00:00+01:00"))],
    );
    assert!(
        out.contains("\ncreated_at: 2026-11-21T08:00:00+01:00\n"),
        "{out}"
    );
}

#[test]
fn quotes_keys_when_needed() {
    let out = edit("a: 1\n", &[set("b: c", json!(1)), set("true", json!(2))]);
    assert_eq!(out, "a: 1\n\"b: c\": 1\n\"true\": 2\n");
}

#[test]
fn edits_flow_mappings() {
    let text = "sla: {response: 1h}\n";
    let out = edit(
        text,
        &[
            set("sla/response", json!("2h")),
            set("sla/resolve", json!("8h")),
        ],
    );
    assert_eq!(out, "sla: {response: 2h, resolve: 8h}\n");
    let out = edit("sla: {}\n", &[set("sla/response", json!("2h"))]);
    assert_eq!(out, "sla:\n  response: 2h\n");
}

#[test]
fn applies_several_edits_in_order() {
    let out = edit(
        RECORD,
        &[
            set("status", json!("resolved")),
            set("resolved_at", json!("2026-11-20T11:00:00+01:00")),
            append("notes", note("Done.")),
        ],
    );
    let expected = format!(
        "{}  - at: 2026-11-20T10:00:00+01:00\n    by: bob\n    text: Done.\n\
             resolved_at: 2026-11-20T11:00:00+01:00\n",
        RECORD.replace("status: new", "status: resolved")
    );
    assert_eq!(out, expected);
}

fn refusal(text: &str, edits: &[Edit]) -> EditError {
    match apply(text, edits) {
        Ok(out) => panic!("expected a refusal, got:\n{out}"),
        Err(e) => e,
    }
}

#[test]
fn refuses_aliases_anchors_and_tags() {
    let text = "base: &b web\ncopy: *b\nn: !!str 12\nother: x\n";
    for p in ["copy", "base", "n"] {
        let err = refusal(text, &[set(p, json!("y"))]);
        assert!(matches!(err, EditError::Unsupported { .. }), "{p}: {err}");
    }
    let err = refusal(text, &[set("copy", json!("y"))]);
    assert_eq!(
        err.to_string().split(':').take(2).collect::<Vec<_>>(),
        ["2", "7"]
    );
    assert!(err.to_string().contains("alias"), "{err}");
    assert_eq!(
        edit(text, &[set("other", json!("z"))]),
        "base: &b web\ncopy: *b\nn: !!str 12\nother: z\n"
    );
}

#[test]
fn refuses_explicit_keys() {
    let err = refusal("? a\n: 1\nb: 2\n", &[set("b", json!(3))]);
    assert!(err.to_string().contains("explicit"), "{err}");
}

#[test]
fn refuses_documents_that_are_not_mappings() {
    for text in ["- a\n- b\n", "just text\n", "", "# only a comment\n"] {
        let err = refusal(text, &[set("a", json!(1))]);
        assert!(matches!(err, EditError::NotAMapping), "{text:?}: {err}");
    }
    let err = refusal("a: 1\n---\nb: 2\n", &[set("a", json!(2))]);
    assert!(matches!(err, EditError::Parse(_)), "{err}");
}

#[test]
fn refuses_paths_that_do_not_fit() {
    let err = refusal(RECORD, &[set("title/x", json!(1))]);
    assert_eq!(err.to_string(), "`title` is a string, not a mapping");
    let err = refusal(RECORD, &[set("notes/3/end", json!(1))]);
    assert_eq!(
        err.to_string(),
        "`notes` has 1 items, so there is no item 3"
    );
    let err = refusal(RECORD, &[append("status", json!(1))]);
    assert_eq!(err.to_string(), "`status` is a string, not a list");
    let err = refusal(
        RECORD,
        &[Edit::Set {
            path: vec![],
            value: json!(1),
        }],
    );
    assert!(matches!(err, EditError::EmptyPath), "{err}");
}

#[test]
fn never_panics_and_never_returns_a_wrong_file() {
    let texts = [
        RECORD,
        "a: [1, {b: 2}]\n",
        "a:\n  - - x\n    - y\n  -\n  - |\n    t\n",
        "a: {b: [1, 2], c: }\n",
        "a: \"multi\n  line\"\nb: 'it''s'\n",
        "a: plain\n  continued\nb: 1\n",
        "a: &x {b: 1}\nc: *x\n",
        "a: |2\n    indented\nb: >-\n  folded\n  text\n",
        "--- \na: 1\n...\n",
        "\u{FEFF}a: 1\n",
        "a:\t1\n",
        "\"quoted key\": 1\n'k': 2\n",
        "a: [x,\n  y,\n]\n",
        "a: 1 # c\n#c2\n  # c3\n",
    ];
    let edits = [
        set("a", json!("new\nlines")),
        set("a", json!({"x": [1, {"y": "z"}]})),
        set("a/0", json!("q")),
        set("a/b", json!("# not a comment")),
        append("a", json!({"k": "v: w"})),
        append("a/0", json!("i")),
        set("z/y", json!([])),
        set("quoted key", json!(2)),
        set("a/new", json!("v")),
    ];
    for text in texts {
        for e in &edits {
            let Ok(out) = apply(text, std::slice::from_ref(e)) else {
                continue;
            };
            let mut expected = yaml::parse(text).expect("parses").to_json();
            apply_to_json(&mut expected, e).expect("applies");
            assert_eq!(
                yaml::parse(&out).expect("reparses").to_json(),
                expected,
                "{text:?} {e:?}\n{out}"
            );
        }
    }
}

mod styles;
