//! Service request KPIs per catalogue item: fulfilment within target.

use crate::kind::Kind;
use crate::model::Record;
use crate::report::facts::{Detail, RequestFacts, Ticket};
use crate::report::{ItemRow, Requests};

use super::{Context, breaches, compliance, stats};

pub(crate) fn requests<'r>(ctx: &Context<'_, 'r>) -> Requests<'r> {
    let requests = of_requests(ctx);
    let row = |item: &str, name: Option<String>, of: &dyn Fn(&str) -> bool| {
        item_row(ctx, &requests, item, name, of)
    };
    let mut by_item: Vec<ItemRow> = ctx
        .config
        .catalog
        .iter()
        .map(|(key, item)| row(key, Some(item.name.clone()), &|i| i == key))
        .collect();
    // Items the catalogue does not list, where anything happened to them.
    let mut unknown: Vec<&str> = requests
        .iter()
        .map(|(_, f)| f.item.as_str())
        .filter(|i| !ctx.config.catalog.contains_key(*i))
        .collect();
    unknown.sort_unstable();
    unknown.dedup();
    for item in unknown {
        let r = row(item, None, &|i| i == item);
        if r.opened + r.fulfilled > 0 {
            by_item.push(r);
        }
    }
    by_item.push(row("all", None, &|_| true));
    let breaches = breaches(ctx, Kind::Request, |t| match &t.detail {
        Detail::Request(f) => match t.record {
            Record::Request(r) => Some((r.catalog_item.as_str(), [&f.response, &f.fulfilment])),
            _ => None,
        },
        _ => None,
    });
    Requests { by_item, breaches }
}

/// The service requests among the context's tickets, with their facts.
fn of_requests<'a>(ctx: &'a Context<'_, '_>) -> Vec<(&'a Ticket<'a>, &'a RequestFacts)> {
    ctx.of_kind(Kind::Request)
        .filter_map(|t| match &t.detail {
            Detail::Request(f) => Some((t, &**f)),
            _ => None,
        })
        .collect()
}

/// Every request of the context as one row (`all`): per team and
/// assignee.
pub(super) fn all_items(ctx: &Context<'_, '_>) -> ItemRow {
    item_row(ctx, &of_requests(ctx), "all", None, &|_| true)
}

/// The figures of the requests whose item `of` accepts.
fn item_row(
    ctx: &Context<'_, '_>,
    requests: &[(&Ticket<'_>, &RequestFacts)],
    item: &str,
    name: Option<String>,
    of: &dyn Fn(&str) -> bool,
) -> ItemRow {
    let (since, until) = (ctx.period.since, ctx.period.until);
    let mine: Vec<_> = requests.iter().filter(|(_, f)| of(&f.item)).collect();
    ItemRow {
        item: item.to_owned(),
        name,
        opened: mine.iter().filter(|(t, _)| ctx.opened_in(t)).count(),
        fulfilled: mine.iter().filter(|(t, _)| ctx.done_in(t)).count(),
        response: compliance(
            mine.iter().filter_map(|(_, f)| f.response.as_ref()),
            since,
            until,
        ),
        fulfilment: compliance(
            mine.iter().filter_map(|(_, f)| f.fulfilment.as_ref()),
            since,
            until,
        ),
        fulfilment_time: stats(
            mine.iter()
                .filter_map(|(_, f)| f.fulfilment_time.as_ref())
                .filter(|s| ctx.period.contains(s.at)),
        ),
    }
}
