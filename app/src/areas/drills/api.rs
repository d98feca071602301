//! The drills' server functions: one line of wiring each (the caller's
//! footing, then the service). Organizers (and admins) schedule drills
//! within their scope, mark them held, evaluate them and set corrective
//! actions; organizers and assessors see the calendar and every action
//! within reach; anyone whose person belongs to a unit sees that unit's
//! drills and actions.

use super::dto::DrillDetail;
pub use super::dto::{
    ActionsPage, CalDay, CalendarPage, DrillEditor, DrillSaved, DrillsPage, MONTH_CELL_CAP,
    PICKER_LIMIT,
};
use crate::domain::drills::{ActionForm, DrillForm, EvaluationRowForm};
use crate::error::AppError;
use leptos::prelude::*;
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
use {super::service, crate::platform::request::answer};

/// Writes this year's `plan_coverage` and `drills_held` for every unit.
#[server(endpoint = "sync_drill_metrics")]
pub async fn sync_drill_metrics() -> Result<(usize, usize), AppError> {
    answer(async |cx| service::sync_metrics(cx).await).await
}

#[server(endpoint = "drills")]
pub async fn list_drills() -> Result<DrillsPage, AppError> {
    answer(async |cx| service::list(cx).await).await
}

#[server(endpoint = "drill_editor")]
pub async fn get_drill_editor(#[server(default)] id: Option<i64>) -> Result<DrillEditor, AppError> {
    answer(async |cx| service::editor(cx, id).await).await
}

/// Checks a drill and saves it. Clashes are sent back unsaved until a
/// reason is given; the reason and the clashes it answers are kept.
#[server(endpoint = "save_drill")]
pub async fn save_drill(
    #[server(default)] id: Option<i64>,
    form: DrillForm,
    #[server(default)] clash_reason: String,
) -> Result<DrillSaved, AppError> {
    answer(async |cx| service::save(cx, id, form, &clash_reason).await).await
}

#[server(endpoint = "drill")]
pub async fn get_drill(id: i64) -> Result<DrillDetail, AppError> {
    answer(async |cx| service::get(cx, id).await).await
}

/// Marks a planned drill held (not before it starts), with who attended
/// (ticked person ids); held drills count for `drills_held`.
#[server(endpoint = "hold_drill")]
pub async fn hold_drill(
    id: i64,
    #[server(default)] attended: BTreeMap<String, String>,
) -> Result<(), AppError> {
    answer(async |cx| service::hold(cx, id, attended).await).await
}

/// Records the evaluation: a rating and findings for every objective.
#[server(endpoint = "evaluate_drill")]
pub async fn evaluate_drill(id: i64, rows: Vec<EvaluationRowForm>) -> Result<(), AppError> {
    answer(async |cx| service::evaluate(cx, id, rows).await).await
}

/// Adds a corrective action to a held drill, owned by a unit.
#[server(endpoint = "add_corrective_action")]
pub async fn add_corrective_action(drill_id: i64, form: ActionForm) -> Result<i64, AppError> {
    answer(async |cx| service::add_action(cx, drill_id, form).await).await
}

/// Closes an action with a note: by whoever manages the drill or the
/// owner unit.
#[server(endpoint = "close_corrective_action")]
pub async fn close_corrective_action(id: i64, note: String) -> Result<(), AppError> {
    answer(async |cx| service::close_action(cx, id, &note).await).await
}

/// Corrective actions within reach and of the caller's own unit.
#[server(endpoint = "corrective_actions")]
pub async fn list_corrective_actions() -> Result<ActionsPage, AppError> {
    answer(async |cx| service::actions(cx).await).await
}

/// Drills and training batches of a month (`2018-05`) or of the week
/// around a day (`2018-05-12`), filtered by unit subtree and scenario.
#[server(endpoint = "drill_calendar")]
pub async fn get_calendar(
    #[server(default)] at: String,
    #[server(default)] unit: Option<i64>,
    #[server(default)] scenario: String,
) -> Result<CalendarPage, AppError> {
    use crate::platform::request::public_origin;
    answer(async |cx| service::calendar(cx, &at, unit, &scenario, &public_origin()?).await).await
}

/// A new address for a unit's calendar feed; the old one stops working.
/// For those who keep the unit's drills.
#[server(endpoint = "rotate_unit_calendar_feed")]
pub async fn rotate_unit_calendar_feed(unit: i64) -> Result<(), AppError> {
    answer(async |cx| service::rotate_unit_feed(cx, unit).await).await
}
