//! Holds awaiting a vendor and escalations to level 3 name a supplier of
//! `suppliers` in gitsm.yaml, under contract when the wait began.

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::{HoldReason, Record};
use crate::suggest;

use super::Located;

pub(super) fn check(config: &Config, record: &Record, at: &Located<'_>, out: &mut Vec<Diagnostic>) {
    let Record::Incident(r) = record else {
        return;
    };
    let holds = r
        .on_hold
        .iter()
        .enumerate()
        .filter(|(_, h)| h.reason == HoldReason::AwaitingVendor || h.supplier.is_some())
        .map(|(i, h)| {
            let what = "a hold `awaiting_vendor`";
            (
                format!("/on_hold/{i}"),
                h.supplier.as_deref(),
                Some(h.start),
                what,
            )
        });
    let escalations = r
        .escalations
        .iter()
        .enumerate()
        .filter(|(_, e)| e.to_level == 3 || e.supplier.is_some())
        .map(|(i, e)| {
            let what = "an escalation to level 3";
            (
                format!("/escalations/{i}"),
                e.supplier.as_deref(),
                None,
                what,
            )
        });
    for (pointer, supplier, start, what) in holds.chain(escalations) {
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
