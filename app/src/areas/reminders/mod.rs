//! Reminders that reach people: certificates nearing expiry (to the holder,
//! with a link to enrol in the next certifying batch, and to the unit's
//! organizers), corrective actions and rectification orders nearing or
//! past their deadline, plans due for revision (to the unit's organizers).
//! Sent at the lead times the office sets, each once; the server sends
//! hourly, `yingji remind` from cron, and the reminder page on demand.

pub mod api;
pub mod dto;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
