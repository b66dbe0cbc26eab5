//! Change KPIs: by type, success rate and outcomes, emergency share,
//! changes that caused incidents, lead time.

use crate::kind::Kind;
use crate::model::{ChangeOutcome, ChangeType, Record};
use crate::report::clock::Sample;
use crate::report::facts::{ChangeFacts, Detail, Ticket, utc};
use crate::report::{CausingChange, ChangeTypeRow, Changes, OutcomeCount, Ratio};
use crate::sla::StampSource;

use super::{Context, IdMap, stats};

pub(crate) fn changes(ctx: &Context<'_, '_>) -> Changes {
    let changes: Vec<(&Ticket<'_>, &ChangeFacts)> = ctx
        .of_kind(Kind::Change)
        .filter_map(|t| match &t.detail {
            Detail::Change(f) => Some((t, &**f)),
            _ => None,
        })
        .collect();
    let implemented: Vec<_> = changes
        .iter()
        .filter(|(_, f)| {
            f.implemented
                .as_ref()
                .is_some_and(|s| ctx.period.contains(utc(s)))
        })
        .collect();
    let row = |key: &str, ty: Option<ChangeType>| {
        let of_type = |f: &ChangeFacts| ty.is_none_or(|ty| f.change_type == ty);
        let done: Vec<_> = implemented.iter().filter(|(_, f)| of_type(f)).collect();
        let successful = done
            .iter()
            .filter(|(_, f)| f.outcome == Some(ChangeOutcome::Successful))
            .count();
        let with_outcome = done.iter().filter(|(_, f)| f.outcome.is_some()).count();
        let lead: Vec<Sample> = done
            .iter()
            .filter_map(|(t, f)| {
                let s = f.implemented.as_ref()?;
                Some(Sample {
                    at: utc(s),
                    value: utc(s) - t.created,
                    from_git: s.source != StampSource::Record,
                })
            })
            .collect();
        ChangeTypeRow {
            change_type: key.to_owned(),
            opened: changes
                .iter()
                .filter(|(t, f)| of_type(f) && ctx.opened_in(t))
                .count(),
            implemented: done.len(),
            successful,
            success_rate: Ratio::new(successful, with_outcome),
            lead_time: stats(lead.iter()),
        }
    };
    let mut by_type: Vec<ChangeTypeRow> = [
        ChangeType::Standard,
        ChangeType::Normal,
        ChangeType::Emergency,
    ]
    .iter()
    .map(|&ty| row(ty.name(), Some(ty)))
    .collect();
    by_type.push(row("all", None));
    let outcomes = [
        ChangeOutcome::Successful,
        ChangeOutcome::SuccessfulWithIssues,
        ChangeOutcome::Unsuccessful,
        ChangeOutcome::BackedOut,
    ]
    .iter()
    .map(|&o| OutcomeCount {
        outcome: o.name().to_owned(),
        count: implemented
            .iter()
            .filter(|(_, f)| f.outcome == Some(o))
            .count(),
    })
    .collect();
    let opened: Vec<_> = changes.iter().filter(|(t, _)| ctx.opened_in(t)).collect();
    let emergency = opened
        .iter()
        .filter(|(_, f)| f.change_type == ChangeType::Emergency)
        .count();
    let mut caused: IdMap<&str, Vec<&str>> = IdMap::default();
    for (t, _) in ctx.incidents().filter(|(t, _)| t.created < ctx.as_of()) {
        if let Record::Incident(i) = t.record
            && let Some(c) = i.caused_by_change.as_deref()
        {
            caused.entry(c).or_default().push(&i.id);
        }
    }
    let mut causing: Vec<CausingChange> = implemented
        .iter()
        .filter_map(|(t, f)| {
            let mut incidents: Vec<String> = caused
                .get(t.record.id())?
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            incidents.sort();
            Some(CausingChange {
                id: t.record.id().to_owned(),
                title: t.record.title().to_owned(),
                change_type: f.change_type.name().to_owned(),
                outcome: f.outcome.map(|o| o.name().to_owned()),
                incidents,
            })
        })
        .collect();
    causing.sort_by(|a, b| a.id.cmp(&b.id));
    Changes {
        by_type,
        outcomes,
        awaiting_outcome: implemented
            .iter()
            .filter(|(_, f)| f.outcome.is_none())
            .count(),
        emergency_share: Ratio::new(emergency, opened.len()),
        caused_incidents: Ratio::new(causing.len(), implemented.len()),
        causing,
        implemented_from_git: implemented
            .iter()
            .filter(|(_, f)| {
                f.implemented
                    .as_ref()
                    .is_some_and(|s| s.source != StampSource::Record)
            })
            .count(),
    }
}
