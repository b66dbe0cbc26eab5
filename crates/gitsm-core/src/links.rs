//! Links between records, both ways. A link is stored once, on one side;
//! the reverse direction is computed here.

use serde::Serialize;

use crate::kind::Kind;
use crate::records::Loaded;

/// One end of a link as shown to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The field that holds the link (on the record that stores it).
    pub field: String,
    /// The record at the other end.
    pub id: String,
    /// Its kind, when it exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// Links stored on `id` (outgoing) and links to `id` stored elsewhere (incoming).
pub fn both_ways(loaded: &Loaded, id: &str) -> (Vec<Link>, Vec<Link>) {
    let describe = |field: &str, other: &str| {
        let found = loaded.find(other);
        Link {
            field: field.to_owned(),
            id: other.to_owned(),
            kind: found.map(|(_, r)| r.kind()),
            title: found.map(|(_, r)| r.title().to_owned()),
            status: found.map(|(_, r)| r.status().to_owned()),
        }
    };
    let mut outgoing = Vec::new();
    let mut incoming = Vec::new();
    for f in &loaded.files {
        let (Some(this), Some(record)) = (f.id.as_deref(), f.record.as_deref()) else {
            continue;
        };
        for n in record.names() {
            if this == id {
                outgoing.push(describe(n.field, n.target));
            } else if n.target == id {
                incoming.push(describe(n.field, this));
            }
        }
    }
    incoming.sort_by(|a, b| (&a.field, &a.id).cmp(&(&b.field, &b.id)));
    (outgoing, incoming)
}
