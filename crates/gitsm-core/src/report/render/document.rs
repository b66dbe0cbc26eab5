//! The report as a document: what a manager reads, in order, with the
//! definitions of its figures at the end.

use chrono::SecondsFormat;

use crate::kind::Kind;
use crate::model::Timestamp;

use super::super::{AGING_BUCKETS, BacklogRow, Compliance, Count, Month, Ratio, Report, Stats};
use super::{Block, Chart, Table, availability, satisfaction, targets, teams, tickets};

/// Every block of the report.
pub(super) fn blocks(r: &Report) -> Vec<Block> {
    let mut d = Doc(Vec::new());
    d.h(1, "Service management report");
    preamble(&mut d, r);
    summary(&mut d, r);
    volumes(&mut d, r);
    backlog(&mut d, r);
    tickets::incidents(&mut d, r);
    tickets::major_incidents(&mut d, r);
    availability::section(&mut d, r);
    tickets::problems(&mut d, r);
    tickets::problem_candidates(&mut d, r);
    tickets::changes(&mut d, r);
    tickets::maintenance(&mut d, r);
    tickets::requests(&mut d, r);
    teams::section(&mut d, r);
    targets::ola(&mut d, r);
    targets::suppliers(&mut d, r);
    knowledge(&mut d, r);
    satisfaction::section(&mut d, r);
    trends(&mut d, r);
    sources(&mut d, r);
    d.0
}

/// Rows shown of a list of tickets; the JSON format has them all.
pub const LISTED: usize = 100;

pub(super) struct Doc(pub(super) Vec<Block>);

impl Doc {
    pub(super) fn h(&mut self, level: u8, text: &str) {
        self.0.push(Block::Heading(level, text.to_owned()));
    }

    pub(super) fn p(&mut self, text: impl Into<String>) {
        self.0.push(Block::Text(text.into()));
    }

    pub(super) fn table(&mut self, t: Table) {
        self.0.push(Block::Table(t));
    }

    /// A table, or `empty` as a sentence when it has no rows; of a long
    /// list (see [`listed`]), a sentence saying how much was left out.
    pub(super) fn table_or(&mut self, t: Table, empty: &str) {
        if t.rows.is_empty() {
            self.p(empty);
            return;
        }
        let all = t.rows.len() + t.omitted;
        let omitted = t.omitted;
        self.table(t);
        if omitted > 0 {
            self.p(format!(
                "The first {LISTED} of {all} are listed; the JSON format (--format json) lists all of them."
            ));
        }
    }
}

/// The first [`LISTED`] of `items`, the rows `t` will show; `t` notes how
/// many are left out. Only the rows shown are formatted.
pub(super) fn listed<'a, T>(t: &mut Table, items: &'a [T]) -> &'a [T] {
    t.omitted = items.len().saturating_sub(LISTED);
    &items[..items.len().min(LISTED)]
}

/// `2026-11-21 10:00 +01:00`.
pub(super) fn time(t: &Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M %:z").to_string()
}

/// `1h05m`, `45m`, `52h30m`: whole minutes, rounded.
pub(super) fn hm(secs: i64) -> String {
    let minutes = (secs.max(0) + 30) / 60;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m:02}m"),
    }
}

/// `3d 4h` (whole hours, rounded) for spans of a day or more; else [`hm`].
pub(super) fn days(secs: i64) -> String {
    let hours = (secs.max(0) + 1800) / 3600;
    if hours < 24 {
        return hm(secs);
    }
    match (hours / 24, hours % 24) {
        (d, 0) => format!("{d}d"),
        (d, h) => format!("{d}d {h}h"),
    }
}

pub(super) fn pct(p: Option<f64>) -> String {
    p.map_or_else(|| "-".to_owned(), |p| format!("{p:.1}%"))
}

/// `93.3% (14 of 15)`, or `-` when there is nothing to count.
pub(super) fn ratio(r: &Ratio) -> String {
    if r.of == 0 {
        "-".to_owned()
    } else {
        format!("{} ({} of {})", pct(r.percent), r.count, r.of)
    }
}

pub(super) fn git_note(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(", {n} from Git")
    }
}

/// `92.9% (13 of 14 met)`, noting clocks that used Git history.
pub(super) fn compliance(c: &Compliance) -> String {
    let all = c.met + c.missed;
    if all == 0 {
        "-".to_owned()
    } else {
        format!(
            "{} ({} of {all} met{})",
            pct(c.percent),
            c.met,
            git_note(c.from_git)
        )
    }
}

/// `5` or `5 (2 from Git)`.
pub(super) fn count(s: &Stats) -> String {
    if s.from_git == 0 {
        s.count.to_string()
    } else {
        format!("{} ({} from Git)", s.count, s.from_git)
    }
}

pub(super) fn mean_hm(s: &Stats) -> [String; 2] {
    [s.mean, s.median].map(|v| v.map_or_else(|| "-".to_owned(), hm))
}

pub(super) fn mean_days(s: &Stats) -> [String; 2] {
    [s.mean, s.median].map(|v| v.map_or_else(|| "-".to_owned(), days))
}

fn knowledge(d: &mut Doc, r: &Report) {
    let k = &r.knowledge;
    d.h(2, "Knowledge articles");
    let mut t = Table::new(&["Measure", "Value"], 1);
    t.row(vec!["Published".into(), k.published.to_string()]);
    t.row(vec!["Drafts".into(), k.drafts.to_string()]);
    t.row(vec!["Retired".into(), k.retired.to_string()]);
    t.row(vec![
        "Published, review overdue".into(),
        if k.review_overdue.is_empty() {
            "0".into()
        } else {
            format!(
                "{} ({})",
                k.review_overdue.len(),
                k.review_overdue.join(", ")
            )
        },
    ]);
    d.table(t);
    d.p("Reviews are judged on the day the figures are as of. An incident uses an article when it names the article as its resolution (resolution.article); uses count the incidents resolved in the period.");
    d.h(3, "Articles that resolved incidents");
    let mut t = Table::new(&["Article", "Title", "Incidents"], 2);
    for u in listed(&mut t, &k.uses) {
        t.row(vec![u.id.clone(), u.title.clone(), u.incidents.to_string()]);
    }
    d.table_or(t, "No incident resolved in the period names an article.");
}

fn kind_label(key: &str) -> String {
    match key {
        "incident" => "Incidents",
        "problem" => "Problems",
        "change" => "Changes",
        "request" => "Service requests",
        other => other,
    }
    .to_owned()
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn preamble(d: &mut Doc, r: &Report) {
    let p = &r.period;
    d.p(format!(
        "Period: {} to {} ({}). Figures are as of {}: backlogs are counted and running SLA clocks read then.",
        time(&p.since),
        time(&p.until),
        p.timezone,
        time(&p.as_of)
    ));
    if let Some(team) = &r.team {
        d.p(format!(
            "Team: {team}. Only the incidents, problems, changes and service requests whose team is {team} are counted."
        ));
    }
    let s = &r.source;
    let n = |k: Kind| s.records.get(&k).copied().unwrap_or(0);
    let total: usize = s.records.values().sum();
    let mut text = format!(
        "Source: {} ({}: {}, {}, {}, {}, {}, {}).",
        s.revision
            .as_ref()
            .map_or_else(|| "the work tree".to_owned(), |c| format!("commit {c}")),
        plural(total, "record", "records"),
        plural(n(Kind::Incident), "incident", "incidents"),
        plural(n(Kind::Problem), "problem", "problems"),
        plural(n(Kind::Change), "change", "changes"),
        plural(n(Kind::Request), "service request", "service requests"),
        plural(n(Kind::Ci), "configuration item", "configuration items"),
        plural(n(Kind::Article), "knowledge article", "knowledge articles"),
    );
    if s.unreadable > 0 {
        text.push_str(&format!(
            " {} could not be read and {} not counted (run gitsm validate).",
            plural(s.unreadable, "record file", "record files"),
            if s.unreadable == 1 { "is" } else { "are" }
        ));
    }
    d.p(text);
    let h = &s.history;
    d.p(match (&h.tip, h.stamps.len()) {
        (None, _) => "Git history: not available, so every figure comes from the records; reopens and additions to the KEDB cannot be counted.".to_owned(),
        (Some(tip), 0) => format!(
            "Git history: read up to commit {tip}; every timestamp used was in the records."
        ),
        (Some(tip), k) => format!(
            "Git history: read up to commit {tip}; {} the records lack came from it (see Sources and definitions).",
            plural(k, "timestamp", "timestamps")
        ),
    });
    if h.shallow {
        d.p("The repository is a shallow clone: history before its first commit is missing.");
    }
    if let Some(baseline) = &s.baseline {
        d.p(format!(
            "Imported history: records as they were at the baseline (history.baseline: {baseline}) came from another tool or an earlier policy; figures before it rest on the timestamps imported with them, not on Git history."
        ));
    }
}

fn summary(d: &mut Doc, r: &Report) {
    d.h(2, "Summary");
    let mut t = Table::new(&["Measure", "Value"], 1);
    let inc = &r.volumes.by_kind[0];
    let open = |k: usize| r.backlog.by_kind.get(k).map_or(0, |b| b.open);
    let all_sla = r.incidents.sla.last();
    let mut row = |k: &str, v: String| t.row(vec![k.to_owned(), v]);
    row("Incidents opened", inc.opened.to_string());
    row(
        "Incidents resolved",
        (inc.closed - inc.cancelled).to_string(),
    );
    row("Incidents open at the end", open(0).to_string());
    row(
        "Response within target",
        all_sla.map_or_else(|| "-".to_owned(), |c| compliance(&c.response)),
    );
    row(
        "Resolution within target",
        all_sla.map_or_else(|| "-".to_owned(), |c| compliance(&c.resolution)),
    );
    row(
        "Reopen rate",
        r.incidents
            .reopens
            .rate
            .as_ref()
            .map_or_else(|| "needs Git history".to_owned(), ratio),
    );
    row("First-line resolution", ratio(&r.incidents.first_line));
    row("Problems opened", r.problems.opened.to_string());
    row("Problems open at the end", r.problems.open.to_string());
    row(
        "Known errors added to the KEDB",
        r.problems.known_errors_added.to_string(),
    );
    let all_changes = r.changes.by_type.last();
    row(
        "Changes implemented",
        all_changes.map_or(0, |c| c.implemented).to_string(),
    );
    row(
        "Change success rate",
        all_changes.map_or_else(|| "-".to_owned(), |c| ratio(&c.success_rate)),
    );
    row("Emergency changes", ratio(&r.changes.emergency_share));
    row(
        "Requests fulfilled within target",
        r.requests
            .by_item
            .last()
            .map_or_else(|| "-".to_owned(), |i| compliance(&i.fulfilment)),
    );
    let csat = &r.satisfaction.all;
    row("Customer satisfaction (CSAT)", ratio(&csat.csat));
    row("Feedback response rate", ratio(&csat.response_rate));
    d.table(t);
}

fn count_table(first: &str, rows: &[Count], label: fn(&str) -> String) -> Table {
    let mut t = Table::new(&[first, "Opened", "Closed", "Of which cancelled"], 1);
    for c in listed(&mut t, rows) {
        t.row(vec![
            label(&c.key),
            c.opened.to_string(),
            c.closed.to_string(),
            c.cancelled.to_string(),
        ]);
    }
    t
}

fn volumes(d: &mut Doc, r: &Report) {
    let v = &r.volumes;
    d.h(2, "Volumes");
    d.p("Tickets opened and closed in the period. Closed counts every ticket that left the queue: resolved, fulfilled or closed, and cancelled or rejected.");
    d.table(count_table("Kind", &v.by_kind, kind_label));
    d.h(3, "Incidents by priority");
    d.table(count_table(
        "Priority",
        &v.incidents_by_priority,
        str::to_owned,
    ));
    d.h(3, "Incidents by service");
    d.table_or(
        count_table("Service", &v.incidents_by_service, str::to_owned),
        "No incidents in the period.",
    );
    d.h(3, "Incidents by category");
    d.table_or(
        count_table("Category", &v.incidents_by_category, str::to_owned),
        "No incidents in the period.",
    );
}

fn backlog_cells(label: String, b: &BacklogRow) -> Vec<String> {
    let mut cells = vec![label, b.open.to_string()];
    cells.extend(b.aging.iter().map(ToString::to_string));
    cells.push(
        b.oldest
            .as_ref()
            .map_or_else(|| "-".to_owned(), |o| format!("{} ({})", o.id, days(o.age))),
    );
    cells
}

fn backlog(d: &mut Doc, r: &Report) {
    d.h(2, "Backlog");
    d.p(format!(
        "Tickets open at {}, by age (wall-clock time since creation).",
        time(&r.period.as_of)
    ));
    let mut head = vec!["Tickets", "Open"];
    head.extend(AGING_BUCKETS.iter().map(|(_, l)| *l));
    head.push("Oldest");
    let mut t = Table::new(&head, 1);
    t.numeric[head.len() - 1] = false;
    for b in &r.backlog.by_kind {
        t.row(backlog_cells(kind_label(&b.key), b));
    }
    for b in &r.backlog.incidents_by_priority {
        t.row(backlog_cells(format!("Incidents {}", b.key), b));
    }
    d.table(t);
}

fn month_cell(m: &Month, kind: Kind) -> String {
    format!(
        "{} / {} / {}",
        m.opened.get(kind),
        m.closed.get(kind),
        m.backlog.get(kind)
    )
}

fn trends(d: &mut Doc, r: &Report) {
    d.h(2, "Trends");
    let labels: Vec<String> = r.trends.iter().map(|m| m.month.clone()).collect();
    let series = |name: &str, f: &dyn Fn(&Month) -> Option<f64>| {
        (name.to_owned(), r.trends.iter().map(f).collect::<Vec<_>>())
    };
    d.0.push(Block::Chart(Chart {
        title: "Incidents per month".to_owned(),
        labels: labels.clone(),
        series: vec![
            series("opened", &|m| Some(m.opened.incident as f64)),
            series("closed", &|m| Some(m.closed.incident as f64)),
            series("open at month end", &|m| Some(m.backlog.incident as f64)),
        ],
        unit: "",
    }));
    d.p("Per month: opened / closed / open at the end of the month. The first and last months are clipped to the period.");
    let mut t = Table::new(
        &[
            "Month",
            "Incidents",
            "Problems",
            "Changes",
            "Service requests",
        ],
        1,
    );
    for m in &r.trends {
        t.row(vec![
            m.month.clone(),
            month_cell(m, Kind::Incident),
            month_cell(m, Kind::Problem),
            month_cell(m, Kind::Change),
            month_cell(m, Kind::Request),
        ]);
    }
    d.table(t);
    d.0.push(Block::Chart(Chart {
        title: "Targets met per month".to_owned(),
        labels,
        series: vec![
            series("incident response", &|m| m.response.percent),
            series("incident resolution", &|m| m.resolution.percent),
            series("request fulfilment", &|m| m.fulfilment.percent),
        ],
        unit: "%",
    }));
    let mut t = Table::new(
        &[
            "Month",
            "Incident response",
            "Incident resolution",
            "Request fulfilment",
        ],
        1,
    );
    for m in &r.trends {
        t.row(vec![
            m.month.clone(),
            compliance(&m.response),
            compliance(&m.resolution),
            compliance(&m.fulfilment),
        ]);
    }
    d.table(t);
}

fn sources(d: &mut Doc, r: &Report) {
    d.h(2, "Sources and definitions");
    let h = &r.source.history;
    let mut items = Vec::new();
    if h.derived.is_empty() {
        items.push(if h.available {
            "Every timestamp used came from the records; none had to be taken from Git history."
                .to_owned()
        } else {
            "Every timestamp used came from the records; Git history was not available.".to_owned()
        });
    } else {
        let counts = h
            .derived
            .iter()
            .map(|(field, n)| format!("{field} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        items.push(format!(
            "Timestamps taken from Git history, where the record lacks them (the committer time of the commit that made the transition): {counts}. The JSON format lists each one with its commit."
        ));
    }
    let estimated = r.source.estimated_closures;
    if estimated > 0 {
        items.push(format!(
            "{} closed, cancelled or rejected at a time neither the record nor Git history gives; each is counted as leaving the queue at the latest time its record shows (its last note, for example).",
            plural(estimated, "ticket was", "tickets were")
        ));
    }
    items.extend(
        [
            "acknowledged: the commit that moved the ticket out of new; resolved, fulfilled, closed, cancelled: the last commit that moved it to that state; reopened: a commit that moved it from resolved back to work, the time it sat resolved is excluded from its resolution clock; implemented: the commit that moved a change to review; known_error: the commit that first moved a problem to known_error. Only commits that changed a status count: the commit that added a record already in a state (an import, say) does not tell when it reached that state.",
            "Opened: created in the period. Closed: left the queue in the period (resolved, fulfilled or closed; cancelled or rejected). Open at the end: created before the end of the period and not closed before it, so that the backlog at the end of a month is the backlog at its start plus those opened less those closed.",
            "SLA targets are those of gitsm.yaml at the revision reported on (by priority, by symptom and service class, or by catalogue item), measured on their calendars with on-hold time excluded.",
            "Top services and CIs count the incidents opened in the period that name them (service, affected_cis).",
            "Incidents per problem: incidents that name a problem, over the problems opened by the end of the period and not cancelled.",
            "Major incidents: incidents marked major, or of a priority major_incident.priorities lists, open at some time in the period. Duration: opened to resolved, wall-clock. Time to commander: opened to commander_at, which gitsm records when it first sets the commander. A review is due major_incident.review_due_days calendar days after the incident was resolved, and overdue after that.",
            "Availability: for each business service with an availability_target, or with an outage recorded on an incident (its service, or a business service among its affected_cis), up to the as-of instant. Agreed service time (AST): the working time of its service_hours calendar (24x7 without one). Downtime: its full outages, merged where they overlap, in service hours, less the parts inside the window of a change in scheduled, implement, review or closed that names the service or a CI it depends on, from the change's created_at on (planned downtime, shown apart: a change recorded after an outage began did not plan it). Degraded outages are shown apart and are not downtime. Outages: merged full outages with downtime in the month or period. Availability = (AST - downtime) / AST; MTBF = (AST - downtime) / outages; MTRS = downtime / outages. An outage without an end lasts to the as-of instant.",
            "Problem candidates: incidents without a problem (none named in their problem field, none listing them in its links; cancelled incidents and duplicates left out) that share a CI, a service with a category, or a symptom, at least problem_candidates.min_incidents of them opened within problem_candidates.window_days days of the first; listed when one was opened in the period.",
            "Routine maintenance: the occurrences of the maintenance schedules of gitsm.yaml that start in the period, as they stand at its end: done (a change made for it, or from its template implemented inside its window, in implement, review or closed), missed (its window closed without that), scheduled (its change exists, its window is still to come), planned (no change yet) or skipped (inside a freeze that forbids standard changes).",
            "Teams and assignees: each row is the report's own figures (backlog, volumes, MTTA and MTTR over every priority, SLA compliance, first-line resolution, reopens, satisfaction) computed over the incidents and service requests of one team or assignee. A ticket counts for the team and the assignee it has now (its team and assignee fields), not those it had when a figure was decided.",
            "Customer satisfaction: the feedback entries, given by the end of the period, on the incidents and requests resolved or fulfilled in it (grouped by the month they were resolved in); CSAT is the share scoring 4 or 5, the response rate the share of those tickets with any feedback.",
        ]
        .map(str::to_owned),
    );
    items.extend(targets::definitions(r));
    d.0.push(Block::List(items));
    d.p(format!(
        "Generated by gitsm from the records as of {}.",
        r.period.as_of.to_rfc3339_opts(SecondsFormat::Secs, true)
    ));
}
