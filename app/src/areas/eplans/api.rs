//! The emergency plans' server functions: one line of wiring each (the
//! caller's footing, then the service). Organizers (and admins) keep plans
//! within their scope and walk them through the lifecycle; organizers and
//! assessors see coverage; anyone whose person belongs to a unit sees that
//! unit's plans.

use super::dto::{PlanCoverageReport, PlanDetail};
pub use super::dto::{PlanEditor, PlansPage};
use crate::domain::drills::PlanForm;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::service, crate::platform::request::answer};

#[server(endpoint = "emergency_plans")]
pub async fn list_emergency_plans() -> Result<PlansPage, AppError> {
    answer(async |cx| service::list(cx).await).await
}

#[server(endpoint = "emergency_plan")]
pub async fn get_emergency_plan(id: i64) -> Result<PlanDetail, AppError> {
    answer(async |cx| service::get(cx, id).await).await
}

#[server(endpoint = "emergency_plan_editor")]
pub async fn get_emergency_plan_editor(
    #[server(default)] id: Option<i64>,
) -> Result<PlanEditor, AppError> {
    answer(async |cx| service::editor(cx, id).await).await
}

/// Creates a plan (version 1, a draft) or changes its draft version; the
/// unit and kind of an existing plan stay as they are.
#[server(endpoint = "save_emergency_plan")]
pub async fn save_emergency_plan(
    #[server(default)] id: Option<i64>,
    form: PlanForm,
) -> Result<i64, AppError> {
    answer(async |cx| service::save(cx, id, form).await).await
}

/// One lifecycle step (approve, publish, file, return) on the newest
/// version; filing moves coverage, so the metrics follow. Someone who did
/// not write the version approves it (its author is refused, 403), and
/// only a version with its document is approved or filed (409).
#[server(endpoint = "emergency_plan_step")]
pub async fn step_emergency_plan(id: i64, step: String) -> Result<(), AppError> {
    answer(async |cx| service::step(cx, id, &step).await).await
}

/// 修订: opens the next version as a draft.
#[server(endpoint = "revise_emergency_plan")]
pub async fn revise_emergency_plan(id: i64) -> Result<i64, AppError> {
    answer(async |cx| service::revise(cx, id).await).await
}

/// Plan coverage over the units within the caller's reach, by kind and
/// overall, with the units that pull it down, the plans overdue for a
/// drill, and a chart.
#[server(endpoint = "plan_coverage")]
pub async fn get_plan_coverage() -> Result<PlanCoverageReport, AppError> {
    let lang = crate::components::detect_lang();
    answer(async |cx| service::coverage(cx, lang).await).await
}
