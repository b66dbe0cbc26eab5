//! The OLA and supplier compliance sections: shown when gitsm.yaml sets
//! `ola` or `suppliers`.

use super::super::{Report, Tally};
use super::Table;
use super::document::{Doc, days, pct};

/// `75.0% (3 of 4)`, with the clocks still running after it.
fn tally(t: &Tally) -> String {
    let decided = t.met + t.missed + t.breached;
    let mut out = if decided == 0 {
        "-".to_owned()
    } else {
        format!("{} ({} of {decided})", pct(t.percent), t.met)
    };
    if t.running > 0 {
        out.push_str(&format!(", {} running", t.running));
    }
    out
}

pub(super) fn ola(d: &mut Doc, r: &Report) {
    if r.ola.is_empty() {
        return;
    }
    d.h(2, "OLA compliance");
    let mut t = Table::new(
        &[
            "OLA",
            "Binds",
            "Targets",
            "Escalations",
            "Response met",
            "Resolution met",
        ],
        3,
    );
    for o in &r.ola {
        let binds = match (&o.team, o.level) {
            (Some(team), Some(level)) => format!("{team}, level {level}"),
            (Some(team), None) => team.clone(),
            (None, Some(level)) => format!("level {level}"),
            (None, None) => "-".to_owned(),
        };
        let calendar = o.calendar.as_deref().unwrap_or("24x7");
        t.row(vec![
            o.name.clone(),
            binds,
            format!(
                "{} / {} ({calendar})",
                o.response_target, o.resolution_target
            ),
            o.escalations.to_string(),
            tally(&o.response),
            tally(&o.resolution),
        ]);
    }
    d.table(t);
}

pub(super) fn suppliers(d: &mut Doc, r: &Report) {
    if r.suppliers.is_empty() {
        return;
    }
    d.h(2, "Supplier compliance");
    let mut t = Table::new(
        &[
            "Supplier",
            "Contact",
            "Contract end",
            "Underpinning",
            "Holds",
            "Within target",
            "Time with supplier",
            "Escalations",
        ],
        4,
    );
    for s in &r.suppliers {
        let end = match (s.contract_end, s.contract) {
            (Some(end), Some("ended")) => format!("{end} (ended)"),
            (Some(end), Some("ending")) => format!("{end} (ends soon)"),
            (Some(end), _) => end.to_string(),
            (None, _) => "-".to_owned(),
        };
        let calendar = s.calendar.as_deref().unwrap_or("24x7");
        let targets = match s.response_target {
            Some(response) => format!("{response} / {} ({calendar})", s.resolution_target),
            None => format!("{} ({calendar})", s.resolution_target),
        };
        t.row(vec![
            format!("{} ({})", s.name, s.id),
            s.contact.clone().unwrap_or_else(|| "-".to_owned()),
            end,
            targets,
            s.holds.to_string(),
            tally(&s.within_target),
            days(s.vendor_time),
            s.escalations.to_string(),
        ]);
    }
    d.table(t);
}

/// Definitions of the figures above, for the report's sources section.
pub(super) fn definitions(r: &Report) -> Vec<String> {
    let mut out = Vec::new();
    if !r.ola.is_empty() {
        out.push("OLA compliance: the escalations made in the period, each under the ola target of gitsm.yaml naming its team (else its level). Response: escalated (at) to accepted (accepted_at); resolution: escalated to the next escalation or to resolved_at; both on the OLA's calendar with on-hold time excluded, read at the end of the period: met or missed when stopped, running (or breached, past the target) when not. An escalation resolved or handed on without accepted_at stops its response clock then.".to_owned());
    }
    if !r.suppliers.is_empty() {
        out.push(format!("Supplier compliance: the on_hold periods awaiting_vendor that name the supplier and begin in the period, start to end (to the end of the period while open) on the underpinning calendar, against underpinning.resolution; escalations to level 3 naming it are counted, not measured. A contract that ended before the day the report is as of is marked ended, one ending within {} days after it ends soon.", super::super::CONTRACT_WARNING_DAYS));
    }
    out
}
