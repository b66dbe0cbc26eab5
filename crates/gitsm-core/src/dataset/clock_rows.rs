//! The SLA clocks of a dataset's open tickets as rows of the `clocks`
//! table `gitsm query` and `gitsm export` offer: read through
//! [`super::Clocks`], as every other command reads them.

use crate::local_index::sql::ClockRow;
use crate::model::Timestamp;
use crate::sla::{SlaError, TicketClocks};

use super::Dataset;

/// A time as the index's tables write it: UTC, to the second.
fn utc(t: &Timestamp) -> String {
    t.with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// One row per running clock of every open ticket, read at `at`.
pub fn clock_rows(dataset: &Dataset, at: Timestamp) -> Result<Vec<ClockRow>, SlaError> {
    let clocks = dataset.clocks()?;
    let mut rows = Vec::new();
    for record in dataset.records() {
        let Some(ticket) = clocks.of(record, at)?.filter(TicketClocks::is_open) else {
            continue;
        };
        for clock in ticket.clocks() {
            let r = &clock.reading;
            rows.push(ClockRow {
                record: ticket.id.clone(),
                kind: ticket.kind.name(),
                priority: ticket.priority.map(|p| p.name()),
                clock: clock.kind.name(),
                state: r.state.name(),
                target_seconds: clock.target.duration.to_chrono().num_seconds(),
                elapsed_seconds: r.elapsed.num_seconds(),
                remaining_seconds: r.remaining.num_seconds(),
                due: clock.due.as_ref().map(utc),
                paused: r.paused,
                at: utc(&at),
            });
        }
    }
    Ok(rows)
}
