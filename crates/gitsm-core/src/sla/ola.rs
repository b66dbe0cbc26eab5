//! Clocks beyond the ticket's own SLA: the operational level agreement
//! (`ola` in gitsm.yaml) of each escalation, and the time a ticket waits
//! for a supplier (`suppliers`, their `underpinning` targets).
//!
//! An escalation's OLA clocks start at its `at`. Its response clock stops
//! when the receiving group accepts it (`accepted_at`), or when its
//! resolution clock stops if it never was; its resolution clock stops at
//! the next escalation (the ticket was handed on) or when the incident is
//! resolved. Both count working time on the OLA's calendar and stand
//! still while the incident is on hold, exactly like the SLA clocks
//! ([`read`]). A hold `awaiting_vendor` that names a supplier is time with
//! that supplier: counted from its start to its end on the underpinning
//! calendar, against `underpinning.resolution`.

use crate::config::OlaTarget;
use crate::model::{HoldReason, Incident, Record, Timestamp};

use super::*;

/// The OLA clocks of one escalation, read at an instant.
#[derive(Debug, Clone, PartialEq)]
pub struct OlaClock {
    /// Position of the escalation in the incident's `escalations`.
    pub escalation: usize,
    /// Position of its target in `ola`.
    pub target: usize,
    /// When it was escalated: the clocks' start.
    pub at: Timestamp,
    pub response: Reading,
    /// `None` when the incident is resolved without a `resolved_at`.
    pub resolution: Option<Reading>,
}

/// The time a hold awaiting a supplier took, read at an instant.
#[derive(Debug, Clone, PartialEq)]
pub struct VendorWait {
    /// The supplier's key in `suppliers`.
    pub supplier: String,
    /// Position of the hold in the incident's `on_hold`.
    pub hold: usize,
    pub start: Timestamp,
    /// Against `underpinning.resolution`, stopped at the hold's end.
    pub reading: Reading,
}

/// The OLA an escalation falls under: of the targets whose `team` and
/// `level` (those they name) equal the escalation's, the most specific
/// (a team beats a level), the first listed among equals.
pub fn ola_for<'c>(
    targets: &'c [OlaTarget],
    to_level: u8,
    team: Option<&str>,
) -> Option<(usize, &'c OlaTarget)> {
    targets
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            (t.team.is_some() || t.level.is_some())
                && t.team.as_deref().is_none_or(|x| Some(x) == team)
                && t.level.is_none_or(|l| l == to_level)
        })
        .max_by_key(|(i, t)| (t.team.is_some(), t.level.is_some(), std::cmp::Reverse(*i)))
}

impl Policy<'_> {
    /// The OLA clocks of an incident's escalations, read at `at`: one per
    /// escalation that an OLA binds and that was made by then. None for a
    /// cancelled incident.
    pub fn ola_clocks(&self, record: &Record, at: Timestamp) -> Result<Vec<OlaClock>, SlaError> {
        let (Record::Incident(incident), Some(timeline)) = (record, Timeline::from_record(record))
        else {
            return Ok(Vec::new());
        };
        if Phase::of(record) == Some(Phase::Void) {
            return Ok(Vec::new());
        }
        let pauses = timeline.held();
        let mut out = Vec::new();
        for (i, e) in incident.escalations.iter().enumerate() {
            let Some((target, ola)) = ola_for(&self.config.ola, e.to_level, e.team.as_deref())
            else {
                continue;
            };
            if e.at > at {
                continue;
            }
            let calendar = self.calendar(ola.calendar.as_deref())?;
            // Handed on at the next escalation, else done when resolved.
            let handed_on = match incident.escalations.get(i + 1) {
                Some(next) => End::At(Stamp::record(next.at)),
                None => timeline.resolved.clone(),
            };
            let stop = match &handed_on {
                End::At(s) => Some(s.at),
                _ => None,
            };
            let reading = |target: crate::duration::Duration, stop: Option<Timestamp>| {
                read(
                    calendar,
                    target.to_chrono(),
                    e.at.to_utc(),
                    stop.map(|s| s.to_utc()),
                    &pauses,
                    at.to_utc(),
                    self.config.sla_at_risk,
                )
            };
            out.push(OlaClock {
                escalation: i,
                target,
                at: e.at,
                response: reading(ola.response, e.accepted_at.or(stop)),
                resolution: (handed_on != End::Unknown).then(|| reading(ola.resolution, stop)),
            });
        }
        Ok(out)
    }

    /// The holds of an incident awaiting a supplier of `suppliers` (that
    /// the hold names), begun by `at`, read at `at`.
    pub fn vendor_waits(
        &self,
        incident: &Incident,
        at: Timestamp,
    ) -> Result<Vec<VendorWait>, SlaError> {
        let mut out = Vec::new();
        for (i, h) in incident.on_hold.iter().enumerate() {
            let (HoldReason::AwaitingVendor, Some(id)) = (h.reason, &h.supplier) else {
                continue;
            };
            let Some(supplier) = self.config.suppliers.get(id) else {
                continue;
            };
            if h.start > at {
                continue;
            }
            let target = &supplier.underpinning;
            let calendar = self.calendar(target.calendar.as_deref())?;
            out.push(VendorWait {
                supplier: id.clone(),
                hold: i,
                start: h.start,
                reading: read(
                    calendar,
                    target.resolution.to_chrono(),
                    h.start.to_utc(),
                    h.end.map(|e| e.to_utc()),
                    &[],
                    at.to_utc(),
                    self.config.sla_at_risk,
                ),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(team: Option<&str>, level: Option<u8>) -> OlaTarget {
        OlaTarget {
            name: None,
            team: team.map(str::to_owned),
            level,
            response: crate::duration::Duration::hours(1),
            resolution: crate::duration::Duration::hours(6),
            calendar: None,
        }
    }

    #[test]
    fn the_most_specific_ola_binds_an_escalation() {
        let targets = [
            target(None, Some(2)),
            target(Some("dba"), None),
            target(Some("dba"), Some(3)),
            target(None, Some(2)),
        ];
        // A team beats a level; team and level beat the team alone.
        assert_eq!(ola_for(&targets, 2, Some("dba")).map(|t| t.0), Some(1));
        assert_eq!(ola_for(&targets, 3, Some("dba")).map(|t| t.0), Some(2));
        // The first listed among equals; another team falls back to the level.
        assert_eq!(ola_for(&targets, 2, Some("l2-apps")).map(|t| t.0), Some(0));
        assert_eq!(ola_for(&targets, 2, None).map(|t| t.0), Some(0));
        // Nothing binds level 3 of another team, nor does a target naming neither.
        assert_eq!(ola_for(&targets, 3, Some("l2-apps")), None);
        assert_eq!(ola_for(&[target(None, None)], 2, None), None);
    }
}
