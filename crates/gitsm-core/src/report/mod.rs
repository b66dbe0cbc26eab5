//! Manager reports: the KPIs of SPEC section 7 for a period, and monthly
//! trends, computed from the records and, where a record lacks a
//! timestamp, from Git history.
//!
//! Data flows one way. A [`Dataset`] (the work tree, or a commit's tree
//! with `--rev`) holds the records and, from one walk of the history,
//! every record's status transitions ([`History`]). [`build`]
//! turns them into a [`Report`], plain data (`Serialize`) that knows
//! nothing of formats; [`render`] prints it as Markdown, JSON or a
//! self-contained HTML page, and the static site reads the same data.
//!
//! Figures are reproducible: nothing reads the wall clock (the "as of"
//! instant is the period's end, which the caller chooses), every list is
//! sorted, and percentages are rounded to one decimal, so the same records
//! at the same revision give the same report, byte for byte.
//!
//! How each figure is defined is documented on its field and, for readers
//! of the report, in its "Sources and definitions" section.

pub(crate) mod clock;
mod facts;
mod kpis;
mod major;
mod ola;
mod period;
pub mod render;
#[cfg(test)]
mod tests;
mod trends;

use std::borrow::Cow;
use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::dataset::{Dataset, History};
use crate::kind::Kind;
use crate::model::{Ci, Record, Timestamp};
use crate::sla::{Policy, SlaError};

pub use kpis::{LOW as LOW_SCORES, SATISFIED as SATISFIED_SCORES, UNASSIGNED};
pub use major::{MajorIncident, ReviewState};
pub use ola::{CONTRACT_WARNING_DAYS, OlaCompliance, OlaEscalation, SupplierCompliance, Tally};
pub use period::{Bound, Period, PeriodError};

/// What a report is computed from: a dataset's records, seen as a slice.
pub(crate) struct Inputs<'s, 'r> {
    /// The policy in force at the revision reported on.
    pub config: &'r Config,
    /// Every record that could be read (CIs included: names, service classes).
    pub records: &'s [&'r Record],
    /// Git history; `None` outside a Git repository or before the first commit.
    pub history: Option<&'r History>,
}

/// Age buckets of the open backlog: upper bounds in days and labels.
pub const AGING_BUCKETS: [(Option<i64>, &str); 5] = [
    (Some(1), "under 1 day"),
    (Some(7), "1-7 days"),
    (Some(30), "7-30 days"),
    (Some(90), "30-90 days"),
    (None, "over 90 days"),
];

/// How many of how many, and the share in percent (one decimal; `None`
/// when there is nothing to divide by).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ratio {
    pub count: usize,
    pub of: usize,
    pub percent: Option<f64>,
}

impl Ratio {
    pub fn new(count: usize, of: usize) -> Ratio {
        Ratio {
            count,
            of,
            percent: percent(count, of),
        }
    }
}

/// `count / of` in percent, rounded to one decimal.
pub(crate) fn percent(count: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| (count as f64 * 1000.0 / of as f64).round() / 10.0)
}

/// Durations of a set of tickets, in seconds (rounded to the nearest).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Stats {
    pub count: usize,
    pub mean: Option<i64>,
    pub median: Option<i64>,
    /// Samples measured with a stamp taken from Git history.
    pub from_git: usize,
}

/// Targets kept and missed among the clocks decided in a period. A clock
/// is decided when it stops within its target (met, at the stop) or when
/// its target runs out before it stops (missed, at that instant; whether
/// it has stopped since or is still running): each clock counts once, in
/// the period in which it was decided, whenever the report is made.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Compliance {
    pub met: usize,
    pub missed: usize,
    /// `met / (met + missed)` in percent, one decimal.
    pub percent: Option<f64>,
    /// Clocks that used a stamp taken from Git history.
    pub from_git: usize,
}

/// The period and the instant the report describes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodInfo {
    /// First instant of the period.
    pub since: Timestamp,
    /// End of the period (excluded).
    pub until: Timestamp,
    /// The instant the report is as of — backlogs are counted and running
    /// clocks read then: the end of the period, or the present (or
    /// `--at`) when that is earlier.
    pub as_of: Timestamp,
    /// IANA time zone of dates, month boundaries and shown times.
    pub timezone: String,
}

/// Where the figures come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceInfo {
    /// The commit reported on; `None` for the work tree.
    pub revision: Option<String>,
    /// Records read, by kind.
    pub records: BTreeMap<Kind, usize>,
    /// Record files that could not be read and are not counted.
    pub unreadable: usize,
    /// Tickets closed, cancelled or rejected at a time neither their
    /// record nor Git history gives; counted as leaving the queue at the
    /// latest time their record shows.
    pub estimated_closures: usize,
    pub history: HistoryInfo,
    /// `history.baseline`, when records were imported: their timestamps
    /// up to it are the other tool's, not Git's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
}

/// What Git history contributed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryInfo {
    /// Whether history was read at all.
    pub available: bool,
    /// The commit its walk started from.
    pub tip: Option<String>,
    pub shallow: bool,
    /// Stamps taken from history, by what they stand for.
    pub derived: BTreeMap<String, usize>,
    /// Every stamp taken from history, by record id.
    pub stamps: Vec<DerivedStamp>,
}

/// A timestamp a record lacks, taken from the commit that made the
/// transition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DerivedStamp {
    pub id: String,
    /// What it stands for: `acknowledged`, `resolved`, `reopened`, ...
    pub field: String,
    pub at: Timestamp,
    pub commit: String,
}

/// Opened and closed tickets of one group in the period. `closed` counts
/// every ticket that left the queue (resolved, fulfilled or closed, and
/// cancelled or rejected); `cancelled` how many of those were cancelled or
/// rejected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub key: String,
    pub opened: usize,
    pub closed: usize,
    pub cancelled: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Volumes {
    /// Incidents, problems, changes and service requests.
    pub by_kind: Vec<Count>,
    pub incidents_by_priority: Vec<Count>,
    /// By `service` (`(none)` when unset), most opened first.
    pub incidents_by_service: Vec<Count>,
    /// By `category` (`(none)` when unset), most opened first.
    pub incidents_by_category: Vec<Count>,
}

/// The open tickets of one group at the end of the period, by age.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacklogRow {
    pub key: String,
    pub open: usize,
    /// Counts per [`AGING_BUCKETS`] bucket (wall-clock age).
    pub aging: Vec<usize>,
    pub oldest: Option<Oldest>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Oldest {
    pub id: String,
    /// Age in seconds.
    pub age: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backlog {
    /// Labels of the aging buckets.
    pub buckets: Vec<String>,
    pub by_kind: Vec<BacklogRow>,
    pub incidents_by_priority: Vec<BacklogRow>,
}

/// Mean times of the incidents of one priority, on the calendar of the
/// priority's SLA target (24x7 when it names none), on-hold time excluded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriorityTimes {
    pub priority: String,
    pub calendar: Option<String>,
    /// Created to acknowledged (or resolved, when never acknowledged), for
    /// incidents acknowledged in the period.
    pub mtta: Stats,
    /// Created to resolved, for incidents resolved in the period.
    pub mttr: Stats,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriorityCompliance {
    /// `P1`..`P4`, or `all`.
    pub priority: String,
    pub response: Compliance,
    pub resolution: Compliance,
}

/// The clocks whose target ran out in the period, in the order they did:
/// all of them, or the first `listed` ([`build`]). Serialized as the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Breaches<'r> {
    pub listed: Vec<Breach<'r>>,
    /// How many there are, listed or not.
    #[serde(skip)]
    pub count: usize,
}

/// A clock whose target ran out in the period. Its text is borrowed from
/// the records and the policy: a large backlog can breach 100,000 clocks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breach<'r> {
    pub id: &'r str,
    pub kind: Kind,
    pub title: &'r str,
    /// The incident's priority, or the request's catalogue item.
    pub group: &'r str,
    /// `response`, `resolution` or `fulfilment`.
    pub clock: &'static str,
    /// `missed` (stopped late) or `breached` (still running at the end).
    pub state: &'static str,
    /// The target, e.g. `4h`, and its calendar.
    pub target: crate::duration::Duration,
    pub calendar: Option<Cow<'r, str>>,
    /// Where the target comes from: `priority P1`, `catalog laptop`, or
    /// `symptom system_crash, service class 1`.
    pub basis: Cow<'r, str>,
    /// When the target ran out.
    pub breached_at: Timestamp,
    /// When the clock stopped, if it has.
    pub stopped_at: Option<Timestamp>,
    /// Working time counted until it stopped, in seconds.
    pub elapsed: Option<i64>,
    pub from_git: bool,
}

/// Reopened incidents. Needs Git history: a record shows only its current
/// state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reopens {
    /// Incidents first resolved in the period.
    pub resolved: usize,
    /// How many of them were reopened (back to work after `resolved`) by
    /// the end of the period; `None` without Git history.
    pub reopened: Option<usize>,
    pub rate: Option<Ratio>,
    pub tickets: Vec<Reopened>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reopened {
    pub id: String,
    pub title: String,
    pub reopened_at: Vec<Timestamp>,
}

/// Incidents or problems counted against a CI or service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Top {
    pub id: String,
    pub name: Option<String>,
    pub incidents: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incidents<'r> {
    pub times: Vec<PriorityTimes>,
    /// Per priority, then `all`.
    pub sla: Vec<PriorityCompliance>,
    pub breaches: Breaches<'r>,
    pub reopens: Reopens,
    /// Incidents resolved in the period at support level 1: their
    /// `support_level` is 1, or unset with no escalation.
    pub first_line: Ratio,
    /// Time from creation to the first escalation beyond level 1, for
    /// incidents first escalated in the period (measured like MTTR).
    pub escalation: Stats,
    /// Services named by the incidents opened in the period, top 10.
    pub top_services: Vec<Top>,
    /// CIs named in `affected_cis` of the incidents opened in the period, top 10.
    pub top_cis: Vec<Top>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemTarget {
    pub priority: String,
    pub days: i64,
}

/// A problem whose target ran out in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverdueProblem {
    pub id: String,
    pub title: String,
    pub priority: Option<String>,
    pub due: Timestamp,
    pub resolved_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemIncidents {
    pub id: String,
    pub title: String,
    pub status: String,
    /// Incidents naming it, opened in the period.
    pub in_period: usize,
    /// Incidents naming it, opened by the end of the period.
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problems {
    pub opened: usize,
    /// Resolved (or closed) in the period.
    pub resolved: usize,
    /// Open at the end of the period.
    pub open: usize,
    /// The targets (`problem_targets` in gitsm.yaml) used for `within_target`.
    pub targets: Vec<ProblemTarget>,
    /// Resolution within the target of the problem's priority, calendar
    /// days from creation; decided like SLA clocks.
    pub within_target: Compliance,
    pub overdue: Vec<OverdueProblem>,
    /// Problems that became known errors in the period: the commit that
    /// moved them to `known_error` (needs Git history).
    pub known_errors_added: usize,
    /// Known errors with no such commit in history (added before the
    /// history starts, or never in `known_error` state).
    pub known_errors_undated: usize,
    /// Known errors in the KEDB at the end of the period.
    pub kedb: usize,
    /// Incidents linked to a problem (opened by the end of the period) per
    /// problem (not cancelled, opened by then).
    pub incidents_per_problem: Option<f64>,
    /// Problems with the most incidents opened in the period, top 10.
    pub top: Vec<ProblemIncidents>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeTypeRow {
    /// `standard`, `normal`, `emergency`, or `all`.
    pub change_type: String,
    pub opened: usize,
    /// Implemented in the period.
    pub implemented: usize,
    /// Implemented in the period with outcome `successful`.
    pub successful: usize,
    /// `successful` of those implemented in the period with an outcome.
    pub success_rate: Ratio,
    /// Created to implemented, wall time.
    pub lead_time: Stats,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeCount {
    pub outcome: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CausingChange {
    pub id: String,
    pub title: String,
    pub change_type: String,
    pub outcome: Option<String>,
    /// Incidents whose `caused_by_change` names it.
    pub incidents: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changes {
    /// Per type, then `all`.
    pub by_type: Vec<ChangeTypeRow>,
    /// Outcomes of the changes implemented in the period.
    pub outcomes: Vec<OutcomeCount>,
    /// Implemented in the period but no outcome recorded yet.
    pub awaiting_outcome: usize,
    /// Emergency changes among those opened in the period.
    pub emergency_share: Ratio,
    /// Changes implemented in the period that an incident names in
    /// `caused_by_change`.
    pub caused_incidents: Ratio,
    pub causing: Vec<CausingChange>,
    /// Implementation times taken from Git history (the commit that moved
    /// the change to `review`, or to `closed`).
    pub implemented_from_git: usize,
}

/// Service requests of one catalogue item (or all of them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemRow {
    /// Catalogue key, or `all`.
    pub item: String,
    /// Name in the catalogue; `None` for an item it does not list.
    pub name: Option<String>,
    pub opened: usize,
    /// Fulfilled in the period.
    pub fulfilled: usize,
    pub response: Compliance,
    pub fulfilment: Compliance,
    /// Created to fulfilled, on the item's calendar.
    pub fulfilment_time: Stats,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Requests<'r> {
    /// Per catalogue item, then `all`.
    pub by_item: Vec<ItemRow>,
    pub breaches: Breaches<'r>,
}

/// Satisfaction of the tickets of one group (a month, a service, a
/// team, a catalogue item, or `all`) resolved or fulfilled in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CsatRow {
    /// The month (`2026-11`), service, team or catalogue item; `(none)`
    /// for tickets without one; `all`.
    pub key: String,
    /// The service's or the catalogue item's name.
    pub name: Option<String>,
    /// Incidents and requests resolved or fulfilled in the period.
    pub tickets: usize,
    /// How many of them have feedback (given by the end of the period).
    pub answered: usize,
    /// `answered / tickets`.
    pub response_rate: Ratio,
    /// Feedback entries on them.
    pub scores: usize,
    /// Entries scoring 4 or 5.
    pub satisfied: usize,
    /// CSAT: `satisfied / scores`.
    pub csat: Ratio,
    /// Mean score (1 to 5, two decimals).
    pub mean: Option<f64>,
    /// Sum of the scores, for the mean.
    #[serde(skip)]
    total: u64,
}

/// A score of 1 or 2, for someone to follow up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LowScore {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub score: u8,
    pub by: String,
    pub at: Timestamp,
    pub comment: Option<String>,
}

/// Customer satisfaction (CSAT) of the incidents and requests resolved or
/// fulfilled in the period: share of scores of 4 or 5, mean score and
/// response rate, overall and by month, service, team and catalogue
/// item; low scores (1 or 2) listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Satisfaction {
    pub all: CsatRow,
    /// Each month of the period, by the month the ticket was resolved.
    pub by_month: Vec<CsatRow>,
    /// By the incident's `service` (requests: `(none)`).
    pub by_service: Vec<CsatRow>,
    /// By `team` (the assignment group).
    pub by_team: Vec<CsatRow>,
    /// Requests by catalogue item.
    pub by_item: Vec<CsatRow>,
    /// Scores of 1 or 2, lowest first.
    pub low: Vec<LowScore>,
}

/// The figures of the incidents and service requests of one team or one
/// assignee (or of the whole desk): the report's own figures, computed by
/// the same functions over those tickets only. A ticket counts for the
/// team and assignee it has now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamRow {
    /// The team or the assignee; [`UNASSIGNED`] for tickets without one;
    /// `all` for the whole desk.
    pub key: String,
    /// Incidents and requests open at the end of the period.
    pub open: usize,
    /// Incidents and requests opened in the period.
    pub opened: usize,
    /// Incidents and requests that left the queue in the period, cancelled
    /// or rejected included.
    pub closed: usize,
    /// Of those, resolved or fulfilled (not cancelled or rejected).
    pub resolved: usize,
    /// MTTA of the incidents acknowledged in the period, every priority
    /// (each on its own SLA calendar).
    pub mtta: Stats,
    /// MTTR of the incidents resolved in the period, every priority.
    pub mttr: Stats,
    /// Incident response clocks decided in the period.
    pub response: Compliance,
    /// Incident resolution clocks decided in the period.
    pub resolution: Compliance,
    /// Service request fulfilment clocks decided in the period.
    pub fulfilment: Compliance,
    /// Incidents resolved in the period at support level 1.
    pub first_line: Ratio,
    /// Incidents first resolved in the period and reopened by its end;
    /// `None` without Git history.
    pub reopened: Option<Ratio>,
    /// Satisfaction of the incidents and requests resolved or fulfilled
    /// in the period.
    pub satisfaction: CsatRow,
}

/// One team's figures and its assignees'.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamFigures {
    #[serde(flatten)]
    pub row: TeamRow,
    /// The team's tickets by assignee.
    pub assignees: Vec<TeamRow>,
}

/// The desk's figures by team and by assignee.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Teams {
    /// The whole desk, for comparison.
    pub all: TeamRow,
    /// By `team`, with anything open, opened or closed in the period.
    pub by_team: Vec<TeamFigures>,
    /// By `assignee`, likewise.
    pub by_assignee: Vec<TeamRow>,
}

/// Tickets of each kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct KindCounts {
    pub incident: usize,
    pub problem: usize,
    pub change: usize,
    pub request: usize,
}

impl KindCounts {
    pub fn get(&self, kind: Kind) -> usize {
        match kind {
            Kind::Incident => self.incident,
            Kind::Problem => self.problem,
            Kind::Change => self.change,
            Kind::Request => self.request,
            Kind::Ci | Kind::Article => 0,
        }
    }

    fn slot(&mut self, kind: Kind) -> Option<&mut usize> {
        match kind {
            Kind::Incident => Some(&mut self.incident),
            Kind::Problem => Some(&mut self.problem),
            Kind::Change => Some(&mut self.change),
            Kind::Request => Some(&mut self.request),
            Kind::Ci | Kind::Article => None,
        }
    }
}

/// One month of the trends (the first and last may be partial: months
/// are clipped to the period).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Month {
    /// `2026-09`.
    pub month: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub opened: KindCounts,
    /// Left the queue (resolved, fulfilled, closed, cancelled, rejected).
    pub closed: KindCounts,
    /// Open at the end of the month.
    pub backlog: KindCounts,
    /// Incident response and resolution clocks decided in the month.
    pub response: Compliance,
    pub resolution: Compliance,
    /// Service request fulfilment clocks decided in the month.
    pub fulfilment: Compliance,
}

/// Everything a report shows; its text borrows from the records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report<'r> {
    pub period: PeriodInfo,
    /// The team the report is restricted to (`gitsm report --team`): only
    /// the records of that team are counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    pub source: SourceInfo,
    pub volumes: Volumes,
    pub backlog: Backlog,
    pub incidents: Incidents<'r>,
    pub problems: Problems,
    pub changes: Changes,
    pub requests: Requests<'r>,
    /// The knowledge base: articles by state, reviews overdue at the end
    /// of the period, and incidents resolved in the period with each.
    pub knowledge: crate::knowledge::KnowledgeFigures,
    /// Major incidents open in the period, oldest first.
    pub major_incidents: Vec<MajorIncident>,
    /// Recurring incidents without a problem, with one opened in the period.
    pub problem_candidates: Vec<crate::problem_candidates::Candidate>,
    /// Occurrences of the routine maintenance schedules that start in the
    /// period: done, missed, scheduled, planned or frozen at its end.
    pub maintenance: Vec<crate::maintenance::Outcome>,
    /// Per target of `ola`, in its order: the escalations made in the
    /// period it binds, response and resolution kept or not. Left out of
    /// the JSON when gitsm.yaml sets no `ola`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ola: Vec<OlaCompliance>,
    /// Per supplier of `suppliers`: the holds awaiting it begun in the
    /// period against its underpinning target, and its contract's end.
    /// Left out of the JSON when gitsm.yaml sets no `suppliers`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppliers: Vec<SupplierCompliance>,
    pub satisfaction: Satisfaction,
    /// The incidents' and requests' figures by team and by assignee.
    pub teams: Teams,
    /// Availability of the business services with a target or with an
    /// outage in the period, per month and for the period, up to its "as
    /// of" instant ([`crate::availability`]).
    pub availability: Vec<crate::availability::ServiceAvailability>,
    /// Monthly series over the period.
    pub trends: Vec<Month>,
}

/// Compute the report of `period` from `inputs`.
/// The report of `dataset` for `period`. `listed` says how many breaches
/// of each list to keep, the first in order (`None`: all): a report
/// rendered as Markdown or HTML shows only the first [`render::LISTED`],
/// and the others (a large backlog breaches a clock of nearly every
/// ticket) need not be sorted or written out.
pub fn build<'r>(
    dataset: &'r Dataset,
    period: &Period,
    listed: Option<usize>,
) -> Result<Report<'r>, SlaError> {
    build_for(dataset, period, listed, None)
}

/// [`build`] over the records of one team only (the tickets whose `team`
/// is `team`, and every CI and article), when `team` is given; see
/// [`check_team`].
pub fn build_for<'r>(
    dataset: &'r Dataset,
    period: &Period,
    listed: Option<usize>,
    team: Option<&str>,
) -> Result<Report<'r>, SlaError> {
    let records: Vec<&Record> = dataset
        .records()
        .filter(|r| team.is_none_or(|team| !r.kind().is_ticket() || r.team() == Some(team)))
        .collect();
    let inputs = Inputs {
        config: dataset.config(),
        records: &records,
        history: dataset.history(),
    };
    let policy = Policy::new(inputs.config)?;
    // The CIs, for service classes and names: found once, in parallel
    // (every record is fetched from memory to tell).
    let cis: Vec<&Ci> = inputs
        .records
        .par_iter()
        .filter_map(|r| match r {
            Record::Ci(ci) => Some(ci),
            _ => None,
        })
        .collect();
    let mut tickets = facts::tickets(&inputs, &cis, &policy, period.as_of)?;
    let ctx = kpis::Context {
        config: inputs.config,
        cis: &cis,
        tickets: &tickets,
        period,
        history: inputs.history.is_some(),
        listed,
    };
    // The sections only read the facts: computed side by side.
    let (
        ((volumes, backlog), (satisfaction, desk)),
        ((incidents, problems), ((changes, requests), trends)),
    ) = rayon::join(
        || {
            rayon::join(
                || rayon::join(|| kpis::volumes(&ctx), || kpis::backlog(&ctx)),
                || rayon::join(|| kpis::satisfaction(&ctx), || kpis::desk(&ctx)),
            )
        },
        || {
            rayon::join(
                || rayon::join(|| kpis::incidents(&ctx), || kpis::problems(&ctx)),
                || {
                    rayon::join(
                        || rayon::join(|| kpis::changes(&ctx), || kpis::requests(&ctx)),
                        || trends::months(&ctx),
                    )
                },
            )
        },
    );
    let estimated_closures = tickets.iter().filter(|t| t.exit_estimated).count();
    let history = kpis::history_info(&ctx, inputs.history);
    // Breaches are not listed by team: the rows count them.
    let teams = kpis::teams(
        &kpis::Context {
            config: inputs.config,
            cis: &cis,
            tickets: &[],
            period,
            history: inputs.history.is_some(),
            listed: Some(0),
        },
        desk,
        &mut tickets,
    );
    // Counted in parallel: every record is fetched from memory for its kind.
    let knowledge = crate::knowledge::figures(
        inputs.records.iter().copied(),
        period
            .local(period.as_of)
            .with_timezone(&period.timezone)
            .date_naive(),
        |r| match r {
            Record::Incident(i) => i
                .resolved_at
                .is_some_and(|t| period.contains(t.with_timezone(&chrono::Utc))),
            _ => false,
        },
    );
    let records = inputs
        .records
        .par_iter()
        .fold(BTreeMap::new, |mut counts, r| {
            *counts.entry(r.kind()).or_insert(0) += 1;
            counts
        })
        .reduce(BTreeMap::new, |mut a, b| {
            for (kind, n) in b {
                *a.entry(kind).or_insert(0) += n;
            }
            a
        });
    let availability = availability(inputs.records, &policy, period)?;
    Ok(Report {
        period: PeriodInfo {
            since: period.local(period.since),
            until: period.local(period.until),
            as_of: period.local(period.as_of),
            timezone: period.timezone.name().to_owned(),
        },
        team: team.map(str::to_owned),
        source: SourceInfo {
            revision: dataset.revision.clone(),
            records,
            unreadable: dataset.unreadable(),
            estimated_closures,
            history,
            baseline: inputs.config.history.baseline.clone(),
        },
        volumes,
        backlog,
        incidents,
        problems,
        changes,
        requests,
        knowledge,
        major_incidents: major::major_incidents(inputs.records, inputs.config, period),
        problem_candidates: major::candidates(inputs.records, inputs.config, period),
        maintenance: maintenance(inputs.records, inputs.config, period),
        ola: ola::ola(inputs.records, inputs.config, &policy, period)?,
        suppliers: ola::suppliers(inputs.records, inputs.config, &policy, period)?,
        satisfaction,
        teams,
        availability,
        trends,
    })
}

/// A team `--team` may name: one a ticket, a CI or `groups:` in gitsm.yaml
/// has. The error says so, with the closest such team.
pub fn check_team(dataset: &Dataset, team: &str) -> Result<(), UnknownTeam> {
    let known = || {
        dataset
            .records()
            .filter_map(Record::team)
            .chain(dataset.config().groups.keys().map(String::as_str))
    };
    if known().any(|t| t == team) {
        return Ok(());
    }
    Err(UnknownTeam {
        team: team.to_owned(),
        closest: crate::suggest::closest(team, known()).map(str::to_owned),
    })
}

/// `--team` named a team no record has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no record has team `{team}`")]
pub struct UnknownTeam {
    pub team: String,
    /// The known team closest to it, for "did you mean".
    pub closest: Option<String>,
}

/// Service availability from the start of the period to its "as of"
/// instant (nothing is measured in the future), per month of the report's
/// time zone, outage times in that zone.
fn availability(
    records: &[&Record],
    policy: &Policy<'_>,
    period: &Period,
) -> Result<Vec<crate::availability::ServiceAvailability>, SlaError> {
    let to = period.as_of;
    let months: Vec<_> = period
        .months()
        .into_iter()
        .filter(|(_, start, _)| *start < to)
        .map(|(label, start, end)| (label, start, end.min(to)))
        .collect();
    let windows = crate::availability::Windows {
        from: period.since,
        to,
        months: &months,
    };
    let mut services = crate::availability::services(records, policy, &windows)?;
    for s in &mut services {
        for o in &mut s.outages {
            o.start = period.local(o.start.to_utc());
            o.end = o.end.map(|e| period.local(e.to_utc()));
        }
    }
    Ok(services)
}

/// The maintenance occurrences of the period as they stand at its end
/// ([`crate::maintenance::outcomes`]), times in the report's zone.
fn maintenance(
    records: &[&Record],
    config: &Config,
    period: &Period,
) -> Vec<crate::maintenance::Outcome> {
    let changes: Vec<&crate::model::Change> = records
        .iter()
        .filter_map(|r| match r {
            Record::Change(c) => Some(c),
            _ => None,
        })
        .collect();
    let at = |t: chrono::DateTime<chrono::Utc>| t.fixed_offset();
    crate::maintenance::outcomes(
        config,
        &changes,
        at(period.since),
        at(period.until),
        at(period.as_of),
    )
    .into_iter()
    .map(|mut o| {
        o.occurrence.start = period.local(o.occurrence.start.to_utc());
        o.occurrence.end = period.local(o.occurrence.end.to_utc());
        o
    })
    .collect()
}
