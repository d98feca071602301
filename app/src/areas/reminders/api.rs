//! The reminders' server functions: one line of wiring each.

use super::dto::ReminderLog;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::service, crate::platform::request::answer};

/// The lead times and the reminders sent about units within reach.
#[server(endpoint = "reminder_log")]
pub async fn load_reminder_log() -> Result<ReminderLog, AppError> {
    answer(async |cx| service::log(cx).await).await
}

/// Sets the lead times ("60, 14"); registry managers of the whole district.
#[server(endpoint = "set_reminder_days")]
pub async fn set_reminder_days(days: String) -> Result<(), AppError> {
    answer(async |cx| service::set_lead_days(cx, &days).await).await
}

/// Sends the reminders due today now (the server also does hourly).
#[server(endpoint = "send_reminders")]
pub async fn send_reminders() -> Result<usize, AppError> {
    answer(async |cx| service::send_now(cx).await).await
}
