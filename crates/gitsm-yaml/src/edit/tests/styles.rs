//! Records written in every style gitsm accepts, edited at random:
//! the edit is made, reads back as intended, and every other
//! top-level entry is left byte for byte.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::super::{Edit, Step, apply, apply_to_json};

/// A field in one of its styles, as lines (without line ends).
fn title() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        Just(vec!["title: VPN drops".to_owned()]),
        Just(vec!["title: 'VPN: drops'".to_owned()]),
        Just(vec!["\"title\": \"VPN drops\"   # by phone".to_owned()]),
    ]
}

fn notes() -> impl Strategy<Value = Vec<String>> {
    let block = vec![
        "notes:".to_owned(),
        "  - at: 2026-11-20T10:00:00+01:00".to_owned(),
        "    by: ben".to_owned(),
        "    text: one".to_owned(),
        "  # a comment between items".to_owned(),
        "  - at: 2026-11-20T11:00:00+01:00".to_owned(),
        "    by: ben".to_owned(),
        "    text: two".to_owned(),
    ];
    let flow_items = vec![
        "notes:".to_owned(),
        "  - { at: 2026-11-20T10:00:00+01:00, by: ben, text: one }".to_owned(),
        "  - {at: 2026-11-20T11:00:00+01:00, by: ben, text: \"two, three\"}".to_owned(),
    ];
    let flow_list = vec![
        "notes: [{ at: 2026-11-20T10:00:00+01:00, by: ben, text: one },".to_owned(),
        "  { at: 2026-11-20T11:00:00+01:00, by: ben, text: two }]".to_owned(),
    ];
    let unindented = vec![
        "notes:".to_owned(),
        "- at: 2026-11-20T10:00:00+01:00".to_owned(),
        "  by: ben".to_owned(),
        "  text: one".to_owned(),
    ];
    prop_oneof![
        Just(block),
        Just(flow_items),
        Just(flow_list),
        Just(unindented)
    ]
}

fn links() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        Just(vec!["links: [INC-0001, INC-0002]".to_owned()]),
        Just(vec![
            "links: [INC-0001,".to_owned(),
            "  INC-0002]   # two".to_owned()
        ]),
        Just(vec![
            "links:".to_owned(),
            "  - INC-0001".to_owned(),
            "  - INC-0002".to_owned()
        ]),
        Just(vec!["'links': []".to_owned()]),
    ]
}

/// Top-level entries in a random order, with CRLF or LF.
fn record() -> impl Strategy<Value = (Vec<(&'static str, Vec<String>)>, bool)> {
    (title(), notes(), links(), any::<bool>(), any::<bool>()).prop_map(
        |(title, notes, links, reversed, crlf)| {
            let mut entries = vec![
                ("id", vec!["id: INC-0001".to_owned()]),
                ("title", title),
                ("status", vec!["status: new   # triage".to_owned()]),
                ("notes", notes),
                ("links", links),
            ];
            if reversed {
                entries[1..].reverse();
            }
            (entries, crlf)
        },
    )
}

fn edit() -> impl Strategy<Value = (&'static str, Edit)> {
    let key = |k: &str| vec![Step::Key(k.to_owned())];
    prop_oneof![
        Just((
            "title",
            Edit::Set {
                path: key("title"),
                value: json!("New: title")
            }
        )),
        Just((
            "status",
            Edit::Set {
                path: key("status"),
                value: json!("in_progress")
            }
        )),
        Just((
            "notes",
            Edit::Append {
                path: key("notes"),
                item: json!({"at": "2026-11-21T09:00:00+01:00", "by": "ann", "text": "x, y"}),
            }
        )),
        Just((
            "links",
            Edit::Append {
                path: key("links"),
                item: json!("INC-0003")
            }
        )),
        Just((
            "category",
            Edit::Set {
                path: key("category"),
                value: json!("network")
            }
        )),
        Just((
            "notes",
            Edit::Set {
                path: vec![
                    Step::Key("notes".into()),
                    Step::Index(0),
                    Step::Key("text".into())
                ],
                value: json!("edited"),
            }
        )),
    ]
}

/// The text of each top-level entry: from its key's line to the
/// next key's line.
fn entries(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        let top = line
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '\'' || c == '"');
        if top {
            let key = line
                .split(':')
                .next()
                .unwrap_or_default()
                .trim_matches(['\'', '"'])
                .to_owned();
            out.push((key, String::new()));
        }
        if let Some(last) = out.last_mut() {
            last.1.push_str(line);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_style_is_edited_in_place((fields, crlf) in record(), (edited, edit) in edit()) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let text: String = fields
            .iter()
            .flat_map(|(_, lines)| lines.iter())
            .map(|l| format!("{l}{eol}"))
            .collect();
        let out = apply(&text, std::slice::from_ref(&edit))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        // It reads back as the edit says.
        let mut expected = crate::yaml::parse(&text).expect("parses").to_json();
        apply_to_json(&mut expected, &edit).expect("applies");
        let got: Value = crate::yaml::parse(&out).expect("re-parses").to_json();
        prop_assert_eq!(got, expected, "{}", out);
        // Every other entry is unchanged, byte for byte, line ends included.
        let before = entries(&text);
        let after = entries(&out);
        for (key, body) in &before {
            if key != edited {
                let kept = after.iter().find(|(k, _)| k == key).map(|(_, b)| b.as_str());
                // A new key lands after the last entry, which may
                // then end with the new line: compare its start.
                let kept = kept.unwrap_or_default();
                prop_assert!(kept.starts_with(body.as_str()), "{} changed:\n{}", key, out);
            }
        }
        // The file's line ends are kept.
        if crlf {
            prop_assert_eq!(out.matches('\n').count(), out.matches("\r\n").count(), "{}", out);
        } else {
            prop_assert!(!out.contains('\r'));
        }
    }
}
