//! Routine maintenance: standard changes that recur on a schedule.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::duration::Duration;

/// A recurring maintenance window, carried out as a standard change from a
/// template; `gitsm schedule` creates the change of each occurrence.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceSchedule {
    /// The schedule's name, unique in `maintenance`; the changes made from
    /// it record it in `schedule.name`.
    pub name: String,
    /// When it recurs: an iCalendar (RFC 5545) recurrence rule without the
    /// `RRULE:` prefix, e.g. `FREQ=MONTHLY;BYDAY=2TU` (the second Tuesday of
    /// each month) or `FREQ=WEEKLY;BYDAY=SU;INTERVAL=2`.
    #[schemars(example = "FREQ=MONTHLY;BYDAY=2TU")]
    pub rrule: String,
    /// The first occurrence's start, local time in `timezone`
    /// (`2026-12-08T22:00`): later occurrences start at the same local
    /// time, whatever the daylight-saving offset.
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$"))]
    #[schemars(example = "2026-12-08T22:00")]
    pub dtstart: String,
    /// IANA time zone of `dtstart` (default: the organisation's `timezone`,
    /// else UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// How long each window lasts, e.g. `4h` or `1h30m`.
    pub duration: Duration,
    /// The standard-change template of its changes (a key of `standard_changes`).
    pub template: String,
    /// The CIs maintained (CI ids); empty: the template's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cis: Vec<String>,
}
