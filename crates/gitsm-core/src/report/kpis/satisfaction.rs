//! Customer satisfaction (CSAT) from the `feedback` of incidents and
//! service requests: the one definition the report, its JSON and the
//! site's dashboard read.
//!
//! The tickets counted are the incidents and requests resolved or
//! fulfilled in the period (not cancelled or rejected), grouped by the
//! month they were resolved in, their service, their team and their
//! catalogue item. Their feedback given by the end of the period counts;
//! CSAT is the share of scores of 4 or 5, the mean the average score, and
//! the response rate the share of those tickets with any feedback.

use std::collections::BTreeMap;

use crate::kind::Kind;
use crate::model::{Feedback, Record};
use crate::report::facts::Ticket;
use crate::report::{CsatRow, LowScore, Ratio, Satisfaction};

use super::{Context, UNASSIGNED};

/// Scores counted as satisfied.
pub const SATISFIED: std::ops::RangeInclusive<u8> = 4..=5;
/// Scores listed as low.
pub const LOW: std::ops::RangeInclusive<u8> = 1..=2;

/// The tickets counted, each with its feedback given by the end of the
/// period.
struct Answered<'t, 'r> {
    ticket: &'t Ticket<'r>,
    feedback: Vec<&'r Feedback>,
}

/// The incidents and requests resolved or fulfilled in the period, each
/// with its feedback given by the end of it.
fn counted<'t, 'r>(ctx: &'t Context<'_, 'r>) -> impl Iterator<Item = Answered<'t, 'r>> {
    let as_of = ctx.as_of();
    ctx.tickets
        .iter()
        .filter(|t| matches!(t.kind(), Kind::Incident | Kind::Request) && ctx.done_in(t))
        .map(move |ticket| Answered {
            ticket,
            feedback: ticket
                .record
                .feedback()
                .iter()
                .filter(|f| f.at.to_utc() <= as_of)
                .collect(),
        })
}

/// The satisfaction of all the context's tickets, keyed `key`: the
/// `all` row of [`satisfaction`], without its breakdowns.
pub(super) fn overall(ctx: &Context<'_, '_>, key: &str) -> CsatRow {
    let mut row = CsatRow::empty(key.to_owned(), None);
    for a in counted(ctx) {
        row.add(&a.feedback);
    }
    row.finish()
}

pub(crate) fn satisfaction(ctx: &Context<'_, '_>) -> Satisfaction {
    let counted: Vec<Answered<'_, '_>> = counted(ctx).collect();
    let mut by_month: BTreeMap<String, CsatRow> = ctx
        .period
        .months()
        .into_iter()
        .map(|(label, _, _)| (label.clone(), CsatRow::empty(label, None)))
        .collect();
    let mut by_service: BTreeMap<String, CsatRow> = BTreeMap::new();
    let mut by_team: BTreeMap<String, CsatRow> = BTreeMap::new();
    let mut by_item: BTreeMap<String, CsatRow> = BTreeMap::new();
    let mut all = CsatRow::empty("all".to_owned(), None);
    let mut low = Vec::new();
    for a in &counted {
        let record = a.ticket.record;
        let month = a
            .ticket
            .closed_at()
            .map(|at| ctx.period.local(at).format("%Y-%m").to_string());
        let service = match record {
            Record::Incident(i) => i.service.as_deref(),
            _ => None,
        };
        let mut rows = vec![&mut all];
        if let Some(row) = month.and_then(|m| by_month.get_mut(&m)) {
            rows.push(row);
        }
        let key = service.unwrap_or(UNASSIGNED);
        rows.push(by_service.entry(key.to_owned()).or_insert_with(|| {
            CsatRow::empty(key.to_owned(), service.and_then(|s| ci_name(ctx, s)))
        }));
        let team = record.team().unwrap_or(UNASSIGNED);
        rows.push(
            by_team
                .entry(team.to_owned())
                .or_insert_with(|| CsatRow::empty(team.to_owned(), None)),
        );
        if let Record::Request(r) = record {
            let item = r.catalog_item.as_str();
            rows.push(by_item.entry(item.to_owned()).or_insert_with(|| {
                let name = ctx.config.catalog.get(item).map(|i| i.name.clone());
                CsatRow::empty(item.to_owned(), name)
            }));
        }
        for row in rows {
            row.add(&a.feedback);
        }
        for f in a.feedback.iter().filter(|f| LOW.contains(&f.score)) {
            low.push(LowScore {
                id: record.id().to_owned(),
                kind: record.kind(),
                title: record.title().to_owned(),
                score: f.score,
                by: f.by.clone(),
                at: ctx.period.local(f.at.to_utc()),
                comment: f.comment.clone(),
            });
        }
    }
    low.sort_by(|a, b| (a.score, a.at, &a.id).cmp(&(b.score, b.at, &b.id)));
    let finish = |rows: BTreeMap<String, CsatRow>| -> Vec<CsatRow> {
        rows.into_values().map(CsatRow::finish).collect()
    };
    Satisfaction {
        all: all.finish(),
        by_month: finish(by_month),
        by_service: finish(by_service),
        by_team: finish(by_team),
        by_item: finish(by_item),
        low,
    }
}

fn ci_name(ctx: &Context<'_, '_>, id: &str) -> Option<String> {
    ctx.cis.iter().find(|c| c.id == id).map(|c| c.name.clone())
}

impl CsatRow {
    fn empty(key: String, name: Option<String>) -> CsatRow {
        CsatRow {
            key,
            name,
            tickets: 0,
            answered: 0,
            response_rate: Ratio::new(0, 0),
            scores: 0,
            satisfied: 0,
            csat: Ratio::new(0, 0),
            mean: None,
            total: 0,
        }
    }

    fn add(&mut self, feedback: &[&Feedback]) {
        self.tickets += 1;
        self.answered += usize::from(!feedback.is_empty());
        for f in feedback {
            self.scores += 1;
            self.satisfied += usize::from(SATISFIED.contains(&f.score));
            self.total += u64::from(f.score);
        }
    }

    fn finish(mut self) -> CsatRow {
        self.response_rate = Ratio::new(self.answered, self.tickets);
        self.csat = Ratio::new(self.satisfied, self.scores);
        // Two decimals: a mean of 4.25 reads as such.
        self.mean = (self.scores > 0)
            .then(|| (self.total as f64 * 100.0 / self.scores as f64).round() / 100.0);
        self
    }
}
