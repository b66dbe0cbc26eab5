//! The sections of the report about each kind of ticket: incidents,
//! problems, changes and service requests.

use super::super::{Breaches, Report};
use super::Table;
use super::document::{
    Doc, compliance, count, days, listed, mean_days, mean_hm, plural, ratio, time,
};

fn breach_table(first: &str, group: &str, breaches: &Breaches) -> Table {
    let mut t = Table::new(
        &[
            first,
            group,
            "Clock",
            "State",
            "Target",
            "Target ran out",
            "Stopped",
            "Title",
        ],
        8,
    );
    let shown = listed(&mut t, &breaches.listed);
    t.omitted = breaches.count - shown.len();
    for b in shown {
        // Say where a target comes from when it is not the row's own
        // (priority or catalogue item): a symptom policy.
        let notes: Vec<&str> = b
            .calendar
            .as_deref()
            .into_iter()
            .chain(b.basis.starts_with("symptom").then_some(b.basis.as_ref()))
            .collect();
        let target = if notes.is_empty() {
            b.target.to_string()
        } else {
            format!("{} ({})", b.target, notes.join(", "))
        };
        t.row(vec![
            b.id.to_owned(),
            b.group.to_owned(),
            if b.from_git {
                format!("{} (Git)", b.clock)
            } else {
                b.clock.to_owned()
            },
            b.state.to_owned(),
            target,
            time(&b.breached_at),
            b.stopped_at
                .as_ref()
                .map_or_else(|| "running".to_owned(), time),
            b.title.to_owned(),
        ]);
    }
    t
}

pub(super) fn incidents(d: &mut Doc, r: &Report) {
    let i = &r.incidents;
    d.h(2, "Incidents");
    d.h(3, "Response and resolution times");
    d.p("MTTA runs from creation to acknowledgement (or resolution, when never acknowledged), over the incidents acknowledged in the period; MTTR from creation to resolution, over the incidents resolved in the period. Both are measured as the SLA clocks measure: working time on the calendar of the priority's target (24x7 when it names none), on-hold time and time spent resolved before a reopen excluded.");
    let mut t = Table::new(
        &[
            "Priority",
            "Calendar",
            "Acknowledged",
            "MTTA",
            "Median",
            "Resolved",
            "MTTR",
            "Median",
        ],
        2,
    );
    for p in &i.times {
        let [a_mean, a_median] = mean_hm(&p.mtta);
        let [r_mean, r_median] = mean_hm(&p.mttr);
        t.row(vec![
            p.priority.clone(),
            p.calendar.clone().unwrap_or_else(|| "24x7".to_owned()),
            count(&p.mtta),
            a_mean,
            a_median,
            count(&p.mttr),
            r_mean,
            r_median,
        ]);
    }
    d.table(t);
    d.h(3, "SLA compliance");
    d.p("Clocks decided in the period: a clock that stopped within its target counts as met when it stopped; one whose target ran out counts as missed at that instant, whether it has stopped since or is still running. Each clock counts once, in the period its outcome was decided.");
    let mut t = Table::new(&["Priority", "Response", "Resolution"], 1);
    for c in &i.sla {
        t.row(vec![
            c.priority.clone(),
            compliance(&c.response),
            compliance(&c.resolution),
        ]);
    }
    d.table(t);
    d.h(3, "Incidents that breached their targets");
    d.table_or(
        breach_table("Incident", "Priority", &i.breaches),
        "No incident target ran out in the period.",
    );
    d.h(3, "Reopened incidents");
    let ro = &i.reopens;
    match &ro.rate {
        None => d.p(format!(
            "{} first resolved in the period. Reopens need Git history (a record shows only its current state), which is not available.",
            plural(ro.resolved, "incident was", "incidents were")
        )),
        Some(rate) => d.p(format!(
            "Reopen rate: {} of the incidents first resolved in the period went back to work afterwards (a transition from resolved found in Git history).",
            ratio(rate)
        )),
    }
    let mut t = Table::new(&["Incident", "Reopened", "Title"], 3);
    for ticket in listed(&mut t, &ro.tickets) {
        t.row(vec![
            ticket.id.clone(),
            ticket
                .reopened_at
                .iter()
                .map(time)
                .collect::<Vec<_>>()
                .join(", "),
            ticket.title.clone(),
        ]);
    }
    if !t.rows.is_empty() {
        d.table_or(t, "");
    }
    d.h(3, "First-line resolution and escalation");
    d.p(format!(
        "First-line resolution: {} of the incidents resolved in the period were resolved at support level 1 (support_level 1, or unset with no escalation).",
        ratio(&i.first_line)
    ));
    let [e_mean, e_median] = mean_hm(&i.escalation);
    d.p(if i.escalation.count == 0 {
        "No incident was escalated beyond level 1 in the period.".to_owned()
    } else {
        format!(
            "Escalation: {} first escalated beyond level 1 in the period, after {e_mean} on average (median {e_median}), measured like MTTR.",
            plural(i.escalation.count, "incident was", "incidents were")
        )
    });
    d.h(3, "Top services and CIs");
    let mut t = Table::new(&["Service", "Name", "Incidents"], 2);
    for s in &i.top_services {
        t.row(vec![
            s.id.clone(),
            s.name.clone().unwrap_or_default(),
            s.incidents.to_string(),
        ]);
    }
    d.table_or(t, "No incident opened in the period names a service.");
    let mut t = Table::new(&["CI", "Name", "Incidents"], 2);
    for s in &i.top_cis {
        t.row(vec![
            s.id.clone(),
            s.name.clone().unwrap_or_default(),
            s.incidents.to_string(),
        ]);
    }
    d.table_or(t, "No incident opened in the period names an affected CI.");
}

pub(super) fn problems(d: &mut Doc, r: &Report) {
    let p = &r.problems;
    d.h(2, "Problems");
    let targets = p
        .targets
        .iter()
        .map(|t| format!("{} {} days", t.priority, t.days))
        .collect::<Vec<_>>()
        .join(", ");
    let mut t = Table::new(&["Measure", "Value"], 1);
    let mut row = |k: &str, v: String| t.row(vec![k.to_owned(), v]);
    row("Opened", p.opened.to_string());
    row("Resolved", p.resolved.to_string());
    row("Open at the end", p.open.to_string());
    row("Resolved within target", compliance(&p.within_target));
    row(
        "Known errors added to the KEDB",
        if p.known_errors_undated > 0 {
            format!(
                "{} ({} more without a date in Git history)",
                p.known_errors_added, p.known_errors_undated
            )
        } else {
            p.known_errors_added.to_string()
        },
    );
    row("Known errors in the KEDB", p.kedb.to_string());
    row(
        "Incidents per problem",
        p.incidents_per_problem
            .map_or_else(|| "-".to_owned(), |x| format!("{x:.2}")),
    );
    d.table(t);
    d.p(format!(
        "Resolution target of a problem: {targets} (a problem without a priority has the P4 target), in calendar days from creation. Decided like SLA clocks: met when resolved in time, missed when the target runs out first. The open backlog by month is under Trends."
    ));
    d.h(3, "Problems past their target");
    let mut t = Table::new(&["Problem", "Priority", "Due", "Resolved", "Title"], 5);
    for o in listed(&mut t, &p.overdue) {
        t.row(vec![
            o.id.clone(),
            o.priority.clone().unwrap_or_else(|| "-".to_owned()),
            time(&o.due),
            o.resolved_at
                .as_ref()
                .map_or_else(|| "open".to_owned(), time),
            o.title.clone(),
        ]);
    }
    d.table_or(t, "No problem target ran out in the period.");
    d.h(3, "Problems by incidents");
    let mut t = Table::new(
        &[
            "Problem",
            "Status",
            "Incidents in period",
            "All incidents",
            "Title",
        ],
        2,
    );
    t.numeric[4] = false;
    for x in &p.top {
        t.row(vec![
            x.id.clone(),
            x.status.clone(),
            x.in_period.to_string(),
            x.total.to_string(),
            x.title.clone(),
        ]);
    }
    d.table_or(t, "No incident opened in the period names a problem.");
}

pub(super) fn changes(d: &mut Doc, r: &Report) {
    let c = &r.changes;
    d.h(2, "Changes");
    d.p("Implemented: the change's implemented_at, else the commit that moved it to review (or from implement to closed), else, with an outcome recorded, its closed_at. Success rate: outcome successful among the changes implemented in the period with an outcome. Lead time: creation to implementation, wall-clock time.");
    let mut t = Table::new(
        &[
            "Type",
            "Opened",
            "Implemented",
            "Successful",
            "Success rate",
            "Mean lead time",
            "Median",
        ],
        1,
    );
    for row in &c.by_type {
        let [mean, median] = mean_days(&row.lead_time);
        t.row(vec![
            row.change_type.clone(),
            row.opened.to_string(),
            count(&row.lead_time),
            row.successful.to_string(),
            ratio(&row.success_rate),
            mean,
            median,
        ]);
    }
    d.table(t);
    let outcomes = c
        .outcomes
        .iter()
        .map(|o| format!("{} {}", o.outcome.replace('_', " "), o.count))
        .collect::<Vec<_>>()
        .join(", ");
    d.p(format!(
        "Outcomes of the changes implemented in the period: {outcomes}; {} awaiting an outcome.",
        c.awaiting_outcome
    ));
    d.p(format!(
        "Emergency changes: {} of the changes opened in the period.",
        ratio(&c.emergency_share)
    ));
    d.p(format!(
        "Changes that caused incidents: {} of the changes implemented in the period are named by an incident's caused_by_change.",
        ratio(&c.caused_incidents)
    ));
    if !c.causing.is_empty() {
        let mut t = Table::new(&["Change", "Type", "Outcome", "Incidents", "Title"], 5);
        for x in listed(&mut t, &c.causing) {
            t.row(vec![
                x.id.clone(),
                x.change_type.clone(),
                x.outcome.clone().unwrap_or_else(|| "-".to_owned()),
                x.incidents.join(", "),
                x.title.clone(),
            ]);
        }
        d.table_or(t, "");
    }
}

pub(super) fn requests(d: &mut Doc, r: &Report) {
    let q = &r.requests;
    d.h(2, "Service requests");
    d.p("Targets come from the service catalogue (response and fulfilment, on the item's calendar); compliance counts the clocks decided in the period, as for incidents.");
    let mut t = Table::new(
        &[
            "Item",
            "Name",
            "Opened",
            "Fulfilled",
            "Response",
            "Fulfilment",
            "Mean fulfilment time",
        ],
        2,
    );
    for i in &q.by_item {
        let [mean, _] = mean_hm(&i.fulfilment_time);
        t.row(vec![
            i.item.clone(),
            match (&i.name, i.item.as_str()) {
                (Some(n), _) => n.clone(),
                (None, "all") => String::new(),
                (None, _) => "(not in the catalogue)".to_owned(),
            },
            i.opened.to_string(),
            i.fulfilled.to_string(),
            compliance(&i.response),
            compliance(&i.fulfilment),
            mean,
        ]);
    }
    d.table(t);
    d.h(3, "Requests that breached their targets");
    d.table_or(
        breach_table("Request", "Item", &q.breaches),
        "No request target ran out in the period.",
    );
}

pub(super) fn major_incidents(d: &mut Doc, r: &Report) {
    use super::super::ReviewState;
    d.h(2, "Major incidents");
    let mut t = Table::new(
        &[
            "Incident",
            "Priority",
            "Status",
            "Commander",
            "Opened",
            "Review",
            "Title",
            "Duration",
            "Time to commander",
            "Updates",
        ],
        7,
    );
    for m in listed(&mut t, &r.major_incidents) {
        t.row(vec![
            m.id.clone(),
            m.priority.clone(),
            m.status.clone(),
            m.commander.clone().unwrap_or_else(|| "-".to_owned()),
            time(&m.opened),
            match &m.review {
                ReviewState::Done { at } => format!("done {}", time(at)),
                ReviewState::Due { by } => format!("due by {}", time(by)),
                ReviewState::Overdue { since } => format!("overdue since {}", time(since)),
                ReviewState::NotYet => "-".to_owned(),
            },
            m.title.clone(),
            m.duration.map_or_else(|| "open".to_owned(), days),
            m.time_to_commander.map_or_else(|| "-".to_owned(), days),
            m.updates.to_string(),
        ]);
    }
    d.table_or(t, "No major incident was open in the period.");
}

pub(super) fn problem_candidates(d: &mut Doc, r: &Report) {
    d.h(2, "Problem candidates");
    let mut t = Table::new(&["Shared", "Incidents", "First", "Last", "Count"], 4);
    for c in listed(&mut t, &r.problem_candidates) {
        t.row(vec![
            c.shared.describe().replace('`', ""),
            c.incidents.join(", "),
            time(&c.first),
            time(&c.last),
            c.incidents.len().to_string(),
        ]);
    }
    d.table_or(
        t,
        "No recurring incidents without a problem: no problem candidate.",
    );
}

pub(super) fn maintenance(d: &mut Doc, r: &Report) {
    d.h(2, "Routine maintenance");
    let mut t = Table::new(&["Schedule", "Window", "Change", "Standing"], 4);
    for o in listed(&mut t, &r.maintenance) {
        let standing = match o.standing {
            crate::maintenance::Standing::Done => "done",
            crate::maintenance::Standing::Missed => "missed",
            crate::maintenance::Standing::Scheduled => "scheduled",
            crate::maintenance::Standing::Planned => "planned, no change yet",
            crate::maintenance::Standing::Frozen => "skipped: freeze",
        };
        t.row(vec![
            o.occurrence.schedule.clone(),
            format!(
                "{} – {}",
                time(&o.occurrence.start),
                time(&o.occurrence.end)
            ),
            o.change.clone().unwrap_or_default(),
            standing.to_owned(),
        ]);
    }
    d.table_or(t, "No routine maintenance was due in the period.");
}
