//! Outages on incidents and availability targets on business services:
//! an outage ends after it starts, belongs to an incident that names the
//! service that was down, has an end once the incident is resolved,
//! closed or cancelled, and does not overlap another outage of the same
//! incident; a target is a percentage, on a business service, measured
//! over a calendar `gitsm.yaml` defines.

use crate::diagnostic::Diagnostic;
use crate::model::Record;
use crate::policy::Policy;
use crate::sla::Phase;

use super::Located;

pub(super) fn check(config: &Policy, record: &Record, at: &Located<'_>, out: &mut Vec<Diagnostic>) {
    match record {
        Record::Incident(inc) => incident(record, inc, at, out),
        Record::Ci(ci) => service(config, ci, at, out),
        _ => {}
    }
}

fn incident(
    record: &Record,
    inc: &crate::model::Incident,
    at: &Located<'_>,
    out: &mut Vec<Diagnostic>,
) {
    if inc.outage.is_empty() {
        return;
    }
    if inc.service.is_none() {
        out.push(
            at.error(
                "outage-service",
                "/outage",
                format!("{} records an outage but names no `service`", inc.id),
            )
            .with_hint("name the business service that was down under `service`"),
        );
    }
    let restored = !Phase::is_open(record);
    for (i, o) in inc.outage.iter().enumerate() {
        match o.end {
            Some(end) if end <= o.start => out.push(at.error(
                "outage-order",
                &format!("/outage/{i}/end"),
                format!(
                    "`outage.{i}.end` ({end}) is not after `outage.{i}.start` ({})",
                    o.start
                ),
            )),
            None if restored => out.push(
                at.error(
                    "open-outage",
                    &format!("/outage/{i}"),
                    format!(
                        "outage {i} has no `end` but the incident is `{}`",
                        inc.status
                    ),
                )
                .with_hint("record when the service was restored in `end:`"),
            ),
            _ => {}
        }
    }
    // Overlaps, in order of start: an open outage lasts for ever.
    let mut order: Vec<usize> = (0..inc.outage.len()).collect();
    order.sort_by_key(|&i| inc.outage[i].start);
    for pair in order.windows(2) {
        let (a, b) = (&inc.outage[pair[0]], &inc.outage[pair[1]]);
        if a.end.is_none_or(|end| end > b.start) {
            out.push(
                at.error(
                    "outage-overlap",
                    &format!("/outage/{}/start", pair[1]),
                    format!(
                        "outage {} overlaps outage {} of the same incident",
                        pair[1], pair[0]
                    ),
                )
                .with_hint(
                    "record one period per outage; a change of scope ends one and starts the next",
                ),
            );
        }
    }
}

fn service(config: &Policy, ci: &crate::model::Ci, at: &Located<'_>, out: &mut Vec<Diagnostic>) {
    if let Some(target) = &ci.availability_target {
        if !config.is_service_class(&ci.class) {
            out.push(
                at.error(
                    "availability-target",
                    "/availability_target",
                    format!(
                        "`availability_target` is for business services, but `{}` is a `{}`",
                        ci.id, ci.class
                    ),
                )
                .with_hint("declare the target on the business service this CI supports"),
            );
        } else if crate::availability::parse_target(target).is_none() {
            out.push(at.error(
                "availability-target",
                "/availability_target",
                format!("`{target}` is not a percentage such as `99.9%`"),
            ));
        }
    }
    // An unknown calendar is reported with the CI's other calendars
    // (`checks::cmdb`).
    if let Some(hours) = &ci.service_hours
        && config.calendars.contains_key(hours)
        && !config.is_service_class(&ci.class)
    {
        out.push(at.error(
            "availability-target",
            "/service_hours",
            format!(
                "`service_hours` are for business services, but `{}` is a `{}`",
                ci.id, ci.class
            ),
        ));
    }
}
