//! Training's server functions: one line of wiring each (the caller's
//! footing, then the service). Endpoints and argument names keep the
//! tables' word "plan" for a rotation: they are form fields and URLs.

pub use super::dto::{CourseEditor, PlanEditor, Scheduled};
use crate::domain::course::Graded;
use crate::domain::training::{CourseForm, PlanForm};
use crate::error::AppError;
use crate::model::{
    CourseSummary, CoverageReport, LeaveRow, MyTraining, OrderRow, PlanRoster, PlanSummary, Study,
};
use leptos::prelude::*;
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
use {super::service, crate::platform::request::answer};

// ---- courses ----

#[server(endpoint = "list_courses")]
pub async fn list_courses() -> Result<Vec<CourseSummary>, AppError> {
    answer(async |cx| service::list_courses(cx).await).await
}

#[server(endpoint = "course_editor")]
pub async fn get_course_editor(
    #[server(default)] id: Option<i64>,
) -> Result<CourseEditor, AppError> {
    answer(async |cx| service::course_editor(cx, id).await).await
}

/// Creates or changes a course; the first problem names its field and row.
#[server(endpoint = "save_course")]
pub async fn save_course(
    #[server(default)] id: Option<i64>,
    form: CourseForm,
) -> Result<i64, AppError> {
    answer(async |cx| service::save_course(cx, id, form).await).await
}

// ---- rotations ----

#[server(endpoint = "list_plans")]
pub async fn list_plans() -> Result<Vec<PlanSummary>, AppError> {
    answer(async |cx| service::list_rotations(cx).await).await
}

#[server(endpoint = "plan_editor")]
pub async fn get_plan_editor(#[server(default)] id: Option<i64>) -> Result<PlanEditor, AppError> {
    answer(async |cx| service::rotation_editor(cx, id).await).await
}

/// Creates or changes a draft rotation (changing one clears its roster).
#[server(endpoint = "save_plan")]
pub async fn save_plan(
    #[server(default)] id: Option<i64>,
    form: PlanForm,
) -> Result<i64, AppError> {
    answer(async |cx| service::save_rotation(cx, id, form).await).await
}

#[server(endpoint = "plan_roster")]
pub async fn get_plan_roster(id: i64) -> Result<PlanRoster, AppError> {
    answer(async |cx| service::roster(cx, id).await).await
}

#[server(endpoint = "run_scheduler")]
pub async fn run_scheduler(id: i64) -> Result<Scheduled, AppError> {
    answer(async |cx| service::run_scheduler(cx, id).await).await
}

/// Puts someone into a batch; breaking a rule needs `force` and a reason.
#[server(endpoint = "move_seat")]
pub async fn move_seat(
    plan_id: i64,
    person_id: i64,
    batch_id: i64,
    #[server(default)] force: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let seat = (plan_id, person_id, batch_id);
    answer(async |cx| service::move_seat(cx, seat, &force, &reason).await).await
}

#[server(endpoint = "remove_seat")]
pub async fn remove_seat(plan_id: i64, person_id: i64) -> Result<(), AppError> {
    answer(async |cx| service::remove_seat(cx, plan_id, person_id).await).await
}

/// Publishes the roster; every trainee in it gets a notice.
#[server(endpoint = "publish_plan")]
pub async fn publish_plan(id: i64) -> Result<usize, AppError> {
    answer(async |cx| service::publish(cx, id).await).await
}

/// Marks a batch's attendance (ticked: present); returns how many have
/// completed.
#[server(endpoint = "mark_attendance")]
pub async fn mark_attendance(
    batch_id: i64,
    #[server(default)] present: BTreeMap<String, String>,
) -> Result<usize, AppError> {
    answer(async |cx| service::mark_attendance(cx, batch_id, &present).await).await
}

// ---- leave ----

#[server(endpoint = "list_leave")]
pub async fn list_leave() -> Result<Vec<LeaveRow>, AppError> {
    answer(async |cx| service::list_leave(cx).await).await
}

#[server(endpoint = "add_leave")]
pub async fn add_leave(
    person_code: String,
    start: String,
    end: String,
    reason: String,
) -> Result<(), AppError> {
    answer(async |cx| service::add_leave(cx, &person_code, (&start, &end), &reason).await).await
}

// ---- coverage and rectification ----

/// Training coverage per unit for a year (0: this year), with a chart.
#[server(endpoint = "coverage_report")]
pub async fn get_coverage(year: i64) -> Result<CoverageReport, AppError> {
    let lang = crate::components::detect_lang();
    answer(async |cx| service::coverage_report(cx, year, lang).await).await
}

/// Writes the year's coverage into the assessment: (written, skipped).
#[server(endpoint = "sync_coverage")]
pub async fn sync_coverage(year: i64) -> Result<(usize, usize), AppError> {
    answer(async |cx| service::sync_coverage(cx, year).await).await
}

#[server(endpoint = "list_orders")]
pub async fn list_orders() -> Result<Vec<OrderRow>, AppError> {
    answer(async |cx| service::list_orders(cx).await).await
}

/// Orders a unit to rectify its training by a deadline (责令限期整改).
#[server(endpoint = "issue_order")]
pub async fn issue_order(
    unit_id: i64,
    year: i64,
    reason: String,
    deadline: String,
) -> Result<i64, AppError> {
    answer(async |cx| service::issue_order(cx, unit_id, year, &reason, &deadline).await).await
}

#[server(endpoint = "close_order")]
pub async fn close_order(id: i64, note: String) -> Result<(), AppError> {
    answer(async |cx| service::close_order(cx, id, &note).await).await
}

// ---- the trainee ----

#[server(endpoint = "my_training")]
pub async fn get_my_training() -> Result<MyTraining, AppError> {
    use crate::platform::request::public_origin;
    answer(async |cx| service::my_training(cx, &public_origin()?).await).await
}

/// A new address for the caller's own calendar feed; the old one stops.
#[server(endpoint = "rotate_my_calendar_feed")]
pub async fn rotate_my_calendar_feed() -> Result<(), AppError> {
    answer(async |cx| service::rotate_my_calendar_feed(cx).await).await
}

#[server(endpoint = "read_notices")]
pub async fn read_notices() -> Result<(), AppError> {
    answer(async |cx| service::read_notices(cx).await).await
}

/// A trainee takes a free seat in a self-sign-up rotation's batch.
#[server(endpoint = "sign_up")]
pub async fn sign_up(batch_id: i64) -> Result<(), AppError> {
    answer(async |cx| service::sign_up(cx, batch_id).await).await
}

#[server(endpoint = "study")]
pub async fn get_study(plan_id: i64) -> Result<Study, AppError> {
    answer(async |cx| service::study(cx, plan_id).await).await
}

/// Grades a quiz attempt on the server. `picks` values are
/// "question:choice" (0-based), one per ticked box.
#[server(endpoint = "submit_quiz")]
pub async fn submit_quiz(
    plan_id: i64,
    #[server(default)] picks: BTreeMap<String, String>,
) -> Result<Graded, AppError> {
    answer(async |cx| service::submit_quiz(cx, plan_id, &picks).await).await
}
