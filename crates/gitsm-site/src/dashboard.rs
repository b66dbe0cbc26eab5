//! The dashboard: headline counts and charts of open work, flow per month,
//! SLA compliance and change outcomes. Every figure the report has is the
//! report's (the site's report page, same period and instant), and each
//! chart links to the report's section; the SLA tiles are the clocks of
//! the SLA page, as `gitsm sla` reads them.

use serde::Serialize;

use crate::kind::Kind;
use crate::report::{Compliance, Report};
use crate::sla::ClockState;

use super::charts::{self, Bar, Series};
use super::data::SiteData;
use super::lists::plural;
use super::paths;

/// Months shown by the trend charts (ending with the month of the site's instant).
const MONTHS: usize = 12;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Tile {
    pub label: String,
    pub value: String,
    pub href: String,
    /// CSS class: `bad` when it needs attention.
    pub class: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Chart {
    pub title: String,
    /// Inline SVG (escaped by the chart code).
    pub svg: String,
    pub note: Option<String>,
    /// The report section the figures come from.
    pub href: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct DashboardView {
    pub tiles: Vec<Tile>,
    pub charts: Vec<Chart>,
    /// Why the report's figures are missing, when they are.
    pub missing: Option<String>,
    /// Each team's open work, resolution SLA and MTTR, linking to its page.
    pub teams: Vec<TeamTile>,
}

/// A team in the dashboard's table.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TeamTile {
    pub name: String,
    /// Its page, relative to the site root; `None` for tickets without a team.
    pub href: Option<String>,
    /// Incidents and requests open.
    pub open: usize,
    /// Incident resolution SLA compliance, as the report shows it.
    pub sla: String,
    /// Mean time to resolve its incidents.
    pub mttr: String,
}

/// Open tickets of `kind` in the report's backlog.
fn open(report: &Report<'_>, kind: Kind) -> usize {
    report
        .backlog
        .by_kind
        .iter()
        .find(|row| row.key == kind.name())
        .map_or(0, |row| row.open)
}

pub(crate) fn view(data: &SiteData<'_>, report: Result<&Report<'_>, String>) -> DashboardView {
    let scheduled = data
        .of_kind(Kind::Change)
        .filter(|r| super::data::SCHEDULED_CHANGE_STATES.contains(&r.status()))
        .count();
    let tile = |label: &str, value: usize, href: String, bad: bool| Tile {
        label: label.to_owned(),
        value: value.to_string(),
        href,
        class: if bad && value > 0 { "bad" } else { "" },
    };
    let open_list = |kind: Kind| format!("{}?status=open", paths::list(kind));
    let sla_tiles = [
        tile(
            "SLA breached",
            data.open_in(ClockState::Breached),
            "sla.html".into(),
            true,
        ),
        tile(
            "SLA at risk",
            data.open_in(ClockState::AtRisk),
            "sla.html".into(),
            true,
        ),
    ];
    let scheduled = tile(
        "Changes scheduled",
        scheduled,
        "calendar.html".into(),
        false,
    );
    let report = match report {
        Ok(report) => report,
        Err(why) => {
            let mut tiles = sla_tiles.to_vec();
            tiles.push(scheduled);
            return DashboardView {
                tiles,
                charts: Vec::new(),
                missing: Some(why),
                teams: Vec::new(),
            };
        }
    };
    let mut tiles = vec![tile(
        "Open incidents",
        open(report, Kind::Incident),
        open_list(Kind::Incident),
        false,
    )];
    tiles.extend(sla_tiles);
    tiles.extend([
        tile(
            "Open problems",
            open(report, Kind::Problem),
            open_list(Kind::Problem),
            false,
        ),
        tile(
            "Known errors",
            report.problems.kedb,
            "kedb.html".into(),
            false,
        ),
        scheduled,
        tile(
            "Open requests",
            open(report, Kind::Request),
            open_list(Kind::Request),
            false,
        ),
    ]);
    let csat = &report.satisfaction.all;
    tiles.push(Tile {
        label: format!("CSAT ({} scores)", csat.scores),
        value: csat
            .csat
            .percent
            .map_or_else(|| "-".to_owned(), |p| format!("{p:.1}%")),
        href: "report.html#customer-satisfaction".into(),
        class: "",
    });
    tiles.push(tile(
        "Low scores",
        report.satisfaction.low.len(),
        "report.html#customer-satisfaction-low-scores-1-2".into(),
        true,
    ));
    let mut charts_out = vec![by_priority(report), by_kind(report)];
    charts_out.extend(flow(report));
    charts_out.push(sla_compliance(report));
    charts_out.push(change_outcomes(report));
    charts_out.extend(satisfaction(report));
    DashboardView {
        tiles,
        charts: charts_out,
        missing: None,
        teams: team_tiles(report),
    }
}

/// The report's team rows (the `TEAM_COLUMNS` cells of open work,
/// resolution SLA and MTTR).
fn team_tiles(report: &Report<'_>) -> Vec<TeamTile> {
    let cell = |cells: &[String], column: &str| {
        crate::report::render::TEAM_COLUMNS
            .iter()
            .position(|c| *c == column)
            .and_then(|i| cells.get(i + 1).cloned())
            .unwrap_or_default()
    };
    report
        .teams
        .by_team
        .iter()
        .map(|t| {
            let cells = crate::report::render::team_cells(&t.row);
            TeamTile {
                name: t.row.key.clone(),
                href: super::teams::team_href(&t.row.key),
                open: t.row.open,
                sla: cell(&cells, "Resolution SLA"),
                mttr: cell(&cells, "MTTR"),
            }
        })
        .collect()
}

fn by_priority(report: &Report<'_>) -> Chart {
    let bars: Vec<Bar> = report
        .backlog
        .incidents_by_priority
        .iter()
        .map(|row| Bar {
            label: row.key.clone(),
            value: row.open as f64,
            class: format!("p-{}", row.key),
            href: Some(format!(
                "{}?status=open&priority={}",
                paths::list(Kind::Incident),
                row.key
            )),
        })
        .collect();
    let title = "Open incidents by priority";
    Chart {
        title: title.into(),
        svg: charts::bars("c-priority", title, &bars),
        note: None,
        href: Some("report.html#backlog".into()),
    }
}

fn by_kind(report: &Report<'_>) -> Chart {
    let bars: Vec<Bar> = [Kind::Incident, Kind::Problem, Kind::Change, Kind::Request]
        .iter()
        .map(|&k| Bar {
            label: plural(k).to_owned(),
            value: open(report, k) as f64,
            class: format!("k-{}", k.name()),
            href: Some(format!("{}?status=open", paths::list(k))),
        })
        .collect();
    let title = "Open tickets by kind";
    Chart {
        title: title.into(),
        svg: charts::bars("c-kind", title, &bars),
        note: None,
        href: Some("report.html#backlog".into()),
    }
}

/// Opened and closed per month, and the backlog at each month's end: the
/// report's trends, all ticket kinds together, the last twelve months.
fn flow(report: &Report<'_>) -> Vec<Chart> {
    let months = &report.trends[report.trends.len().saturating_sub(MONTHS)..];
    let labels: Vec<String> = months.iter().map(|m| m.month.clone()).collect();
    let total = |counts: &crate::report::KindCounts| {
        [Kind::Incident, Kind::Problem, Kind::Change, Kind::Request]
            .iter()
            .map(|&k| counts.get(k))
            .sum::<usize>() as f64
    };
    let series = |name: &str, class: &str, values: Vec<f64>| Series {
        name: name.into(),
        class: class.into(),
        values,
    };
    let opened = months.iter().map(|m| total(&m.opened)).collect();
    let closed = months.iter().map(|m| total(&m.closed)).collect();
    let backlog = months.iter().map(|m| total(&m.backlog)).collect();
    let t1 = "Tickets opened and closed per month";
    let t2 = "Backlog at the end of each month";
    vec![
        Chart {
            title: t1.into(),
            svg: charts::columns(
                "c-flow",
                t1,
                &labels,
                &[
                    series("opened", "s-opened", opened),
                    series("closed", "s-closed", closed),
                ],
            ),
            note: None,
            href: Some("report.html#trends".into()),
        },
        Chart {
            title: t2.into(),
            svg: charts::lines(
                "c-backlog",
                t2,
                &labels,
                &[series("open tickets", "s-backlog", backlog)],
            ),
            note: None,
            href: Some("report.html#trends".into()),
        },
    ]
}

/// Incident resolution clocks within target, by priority, as the report
/// counts them: decided in its period, met when stopped within target,
/// missed once the target ran out.
fn sla_compliance(report: &Report<'_>) -> Chart {
    let bars: Vec<Bar> = report
        .incidents
        .sla
        .iter()
        .filter(|row| row.priority != "all")
        .filter_map(|row| {
            let Compliance {
                met,
                missed,
                percent,
                ..
            } = row.resolution;
            Some(Bar {
                label: format!("{} ({met} of {})", row.priority, met + missed),
                value: percent?,
                class: format!("p-{}", row.priority),
                href: None,
            })
        })
        .collect();
    let title = "Incidents resolved within target, % by priority";
    Chart {
        title: title.into(),
        svg: charts::bars("c-sla", title, &bars),
        note: Some(
            "Resolution clocks decided in the report's period: met when stopped within target, missed once the target ran out (stopped since or still running).".into(),
        ),
        href: Some("report.html#incidents-sla-compliance".into()),
    }
}

/// Outcomes of the changes implemented in the report's period.
fn change_outcomes(report: &Report<'_>) -> Chart {
    let bars: Vec<Bar> = report
        .changes
        .outcomes
        .iter()
        .map(|o| Bar {
            label: o.outcome.replace('_', " "),
            value: o.count as f64,
            class: format!("o-{}", o.outcome),
            href: None,
        })
        .collect();
    let rate = report
        .changes
        .by_type
        .iter()
        .find(|row| row.change_type == "all")
        .map(|row| &row.success_rate);
    let title = "Implemented changes by outcome";
    Chart {
        title: title.into(),
        svg: charts::bars("c-changes", title, &bars),
        note: rate.and_then(|r| {
            Some(format!(
                "Success rate: {:.1}% ({} of {} implemented changes with an outcome successful)",
                r.percent?, r.count, r.of
            ))
        }),
        href: Some("report.html#changes".into()),
    }
}

/// CSAT (share of scores of 4 or 5) by month, service, team and catalogue
/// item, as the report's satisfaction section counts it.
fn satisfaction(report: &Report<'_>) -> Vec<Chart> {
    use crate::report::CsatRow;
    let s = &report.satisfaction;
    let bars = |rows: &[CsatRow]| -> Vec<Bar> {
        rows.iter()
            .filter_map(|row| {
                Some(Bar {
                    label: format!("{} ({} of {})", row.key, row.csat.count, row.csat.of),
                    value: row.csat.percent?,
                    class: "s-csat".into(),
                    href: None,
                })
            })
            .collect()
    };
    // A month without scores has no bar (rather than a bar at 0%).
    let months = &s.by_month[s.by_month.len().saturating_sub(MONTHS)..];
    let by_month = "Customer satisfaction (CSAT) per month, %";
    let mut out = vec![Chart {
        title: by_month.into(),
        svg: charts::bars("c-csat", by_month, &bars(months)),
        note: Some(format!(
            "Share of scores of 4 or 5 on the incidents and requests resolved in each month. Response rate {}: {} of {} resolved tickets have feedback; mean score {}.",
            s.all
                .response_rate
                .percent
                .map_or_else(|| "-".to_owned(), |p| format!("{p:.1}%")),
            s.all.answered,
            s.all.tickets,
            s.all
                .mean
                .map_or_else(|| "-".to_owned(), |m| format!("{m:.2}")),
        )),
        href: Some("report.html#customer-satisfaction".into()),
    }];
    for (id, title, rows, anchor) in [
        (
            "c-csat-service",
            "CSAT by service, %",
            &s.by_service,
            "by-service",
        ),
        ("c-csat-team", "CSAT by team, %", &s.by_team, "by-team"),
        (
            "c-csat-item",
            "CSAT by catalogue item, %",
            &s.by_item,
            "by-catalogue-item",
        ),
    ] {
        out.push(Chart {
            title: title.into(),
            svg: charts::bars(id, title, &bars(rows)),
            note: None,
            href: Some(format!("report.html#customer-satisfaction-{anchor}")),
        });
    }
    out
}
