//! What the reminder page shows.

use serde::{Deserialize, Serialize};

/// A reminder that went out, for the reminder page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentRow {
    pub kind: crate::domain::reminders::Kind,
    pub title: String,
    pub unit_name: String,
    pub due_on: String,
    pub lead_days: u32,
    pub person_name: String,
    pub channel: String,
    pub sent_at: i64,
}

/// The reminder page's log: the lead times in force and what went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderLog {
    pub lead_days: Vec<u32>,
    pub sent: Vec<SentRow>,
    /// May change the lead times and send now (registry managers of the
    /// whole district).
    pub may_manage: bool,
}
