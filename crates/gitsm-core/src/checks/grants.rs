//! Access grants at an instant: an expired grant without a revocation is
//! an error, one about to expire a warning. These depend on the time they
//! are read at, so `validate` runs them on the work tree (`--at`), not on
//! history.

use crate::diagnostic::Diagnostic;
use crate::grants::{Grant, Standing};
use crate::model::Record;
use crate::records::{self, Detail, Loaded};
use crate::workspace::Workspace;

use super::Located;

/// The grants of `loaded` that have expired or expire soon at `at`.
pub fn expiry(ws: &Workspace, loaded: &Loaded, at: crate::model::Timestamp) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for f in &loaded.files {
        let Some(Record::Request(req)) = f.record.as_deref() else {
            continue;
        };
        let Some(grant) = Grant::of(&ws.config, req) else {
            continue;
        };
        let standing = grant.standing(at, None);
        if standing == Standing::Active {
            continue;
        }
        // Positions only for the few files reported.
        let (parsed, _) = records::read(ws, f.kind, &f.path, Detail::Positions, false);
        let Some(node) = parsed.and_then(|p| p.node) else {
            continue;
        };
        let located = Located {
            node: &node,
            path: &f.path,
        };
        let expires = grant.expires_at.to_rfc3339();
        out.push(match standing {
            Standing::Expired => located
                .error(
                    "grant-expired",
                    grant.pointer,
                    format!(
                        "{}: the `{}` access of `{}` expired at {expires} and no `revoked_at` is recorded",
                        grant.id, grant.catalog_item, grant.holder
                    ),
                )
                .with_hint(format!(
                    "revoke it, then `gitsm set {} revoked_at=<when>`",
                    grant.id
                )),
            _ => located
                .warning(
                    "grant-expiring",
                    grant.pointer,
                    format!(
                        "{}: the `{}` access of `{}` expires at {expires}",
                        grant.id, grant.catalog_item, grant.holder
                    ),
                )
                .with_hint("renew it with a new request, or plan its revocation"),
        });
    }
    out
}
