//! Holds awaiting a vendor and escalations to level 3 name a supplier of
//! `suppliers` in gitsm.yaml, under contract when the wait began.

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::{HoldReason, Record, Timestamp};
use crate::suggest;

use super::Located;

/// A hold or an escalation that names, or should name, a supplier.
struct SupplierRef<'r> {
    /// Where it is in the record (a JSON pointer).
    pointer: String,
    /// The supplier it names.
    supplier: Option<&'r str>,
    /// When a hold's wait began (`None` for an escalation).
    wait_start: Option<Timestamp>,
    /// What it is, for messages.
    what: &'static str,
}

pub(super) fn check(config: &Config, record: &Record, at: &Located<'_>, out: &mut Vec<Diagnostic>) {
    let Record::Incident(r) = record else {
        return;
    };
    let mut refs = Vec::new();
    for (i, h) in r.on_hold.iter().enumerate() {
        if h.reason == HoldReason::AwaitingVendor || h.supplier.is_some() {
            refs.push(SupplierRef {
                pointer: format!("/on_hold/{i}"),
                supplier: h.supplier.as_deref(),
                wait_start: Some(h.start),
                what: "a hold `awaiting_vendor`",
            });
        }
    }
    for (i, e) in r.escalations.iter().enumerate() {
        if e.to_level == 3 || e.supplier.is_some() {
            refs.push(SupplierRef {
                pointer: format!("/escalations/{i}"),
                supplier: e.supplier.as_deref(),
                wait_start: None,
                what: "an escalation to level 3",
            });
        }
    }
    for SupplierRef {
        pointer,
        supplier,
        wait_start: start,
        what,
    } in refs
    {
        let Some(id) = supplier else {
            // Level 3 is third line or a vendor: only a hold awaiting a
            // vendor must say which.
            if start.is_some() && !config.suppliers.is_empty() {
                out.push(
                    at.warning(
                        "supplier-missing",
                        &pointer,
                        format!("{what} names no `supplier`"),
                    )
                    .with_hint(format!(
                        "add `supplier:` naming one of `suppliers` ({})",
                        config
                            .suppliers
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
            }
            continue;
        };
        let pointer = format!("{pointer}/supplier");
        let Some(contract) = config.suppliers.get(id) else {
            out.push(
                at.error(
                    "unknown-supplier",
                    &pointer,
                    format!("`{id}` is not a supplier in `suppliers`"),
                )
                .with_suggestion(suggest::closest(id, config.suppliers.keys())),
            );
            continue;
        };
        if let (Some(start), Some(end)) = (start, contract.contract_end)
            && start.date_naive() > end
        {
            out.push(at.warning(
                "supplier-contract-ended",
                &pointer,
                format!(
                    "the wait began on {} but the contract with `{id}` ended on {end}",
                    start.date_naive()
                ),
            ));
        }
    }
}
