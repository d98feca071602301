//! The assessment's server functions: one line of wiring each (the
//! caller's footing, then the service).

pub use super::dto::{MetricTable, SchemeEditor, ScoreInput};
use crate::domain::scheme::SchemeForm;
use crate::error::AppError;
use crate::model::{IncidentRow, Results, SchemeSummary, UnitAssessment, VetoRow};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::service, crate::components::detect_lang, crate::platform::request::answer};

#[server(endpoint = "list_schemes")]
pub async fn list_schemes() -> Result<Vec<SchemeSummary>, AppError> {
    answer(async |cx| service::list_schemes(cx).await).await
}

/// The editor for a new scheme (`id` absent) or a stored one.
#[server(endpoint = "scheme_editor")]
pub async fn load_scheme_editor(
    #[server(default)] id: Option<i64>,
) -> Result<SchemeEditor, AppError> {
    answer(async |cx| service::scheme_editor(cx, id).await).await
}

/// Creates or changes a scheme; the first problem names its field and row.
#[server(endpoint = "save_scheme")]
pub async fn save_scheme(
    #[server(default)] id: Option<i64>,
    form: SchemeForm,
) -> Result<i64, AppError> {
    answer(async |cx| service::save_scheme(cx, id, form).await).await
}

/// Starts next year's scheme from this one; returns its id.
#[server(endpoint = "copy_scheme")]
pub async fn copy_scheme(id: i64) -> Result<i64, AppError> {
    answer(async |cx| service::copy_scheme(cx, id).await).await
}

/// Publishes a scheme's results (`publish` = "1"), or asks to reopen a
/// published year with a reason (`publish` = "0").
#[server(endpoint = "publish_scheme")]
pub async fn publish_scheme(
    id: i64,
    publish: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let (publish, lang) = (publish == "1", detect_lang());
    answer(async |cx| service::publish_scheme(cx, id, publish, &reason, lang).await).await
}

/// Confirms, rejects or withdraws a request to reopen a published year.
#[server(endpoint = "decide_reopen")]
pub async fn decide_reopen(
    id: i64,
    decision: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    answer(async |cx| service::decide_reopen(cx, id, &decision, &note).await).await
}

#[server(endpoint = "scheme_results")]
pub async fn scheme_results(id: i64) -> Result<Results, AppError> {
    let lang = detect_lang();
    answer(async |cx| service::scheme_results(cx, id, lang).await).await
}

/// Marks a scheme's results seen: "since you last looked" starts here.
#[server(endpoint = "mark_results_seen")]
pub async fn mark_results_seen(id: i64) -> Result<(), AppError> {
    answer(async |cx| service::mark_results_seen(cx, id).await).await
}

/// One unit's sheet and explanation in a scheme.
#[server(endpoint = "unit_assessment")]
pub async fn load_unit_assessment(
    scheme_id: i64,
    unit_id: i64,
) -> Result<UnitAssessment, AppError> {
    let lang = detect_lang();
    answer(async |cx| service::unit_assessment(cx, scheme_id, unit_id, lang).await).await
}

/// Saves a unit's manual scores (blank clears one); returns how many
/// changed.
#[server(endpoint = "save_scores")]
pub async fn save_scores(
    scheme_id: i64,
    unit_id: i64,
    #[server(default)] scores: Vec<ScoreInput>,
) -> Result<usize, AppError> {
    answer(async |cx| service::save_scores(cx, scheme_id, unit_id, &scores).await).await
}

/// Records an event (late report, absence from the duty post, ...).
#[server(endpoint = "add_event")]
pub async fn add_event(
    scheme_id: i64,
    unit_id: i64,
    event: String,
    #[server(default)] count: String,
    #[server(default)] occurred_on: String,
    #[server(default)] description: String,
) -> Result<i64, AppError> {
    let (at, when) = ((scheme_id, unit_id), (&*count, &*occurred_on));
    answer(async |cx| service::add_event(cx, at, &event, when, &description).await).await
}

#[server(endpoint = "remove_event")]
pub async fn remove_event(id: i64) -> Result<(), AppError> {
    answer(async |cx| service::remove_event(cx, id).await).await
}

#[server(endpoint = "add_bonus")]
pub async fn add_bonus(
    scheme_id: i64,
    unit_id: i64,
    points: String,
    reason: String,
) -> Result<i64, AppError> {
    let at = (scheme_id, unit_id);
    answer(async |cx| service::add_bonus(cx, at, &points, &reason).await).await
}

#[server(endpoint = "remove_bonus")]
pub async fn remove_bonus(id: i64) -> Result<(), AppError> {
    answer(async |cx| service::remove_bonus(cx, id).await).await
}

/// Proposes a veto for a unit's year, with reason and evidence.
#[server(endpoint = "propose_veto")]
pub async fn propose_veto(
    scheme_id: i64,
    unit_id: i64,
    reason: String,
    evidence: String,
) -> Result<i64, AppError> {
    let at = (scheme_id, unit_id);
    answer(async |cx| service::propose_veto(cx, at, &reason, &evidence).await).await
}

/// Confirms, rejects, or takes a step of revoking a veto (two people each).
#[server(endpoint = "decide_veto")]
pub async fn decide_veto(
    id: i64,
    decision: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    answer(async |cx| service::decide_veto(cx, id, &decision, &note).await).await
}

/// Vetoes of a year (all years when 0), for the review list.
#[server(endpoint = "list_vetoes")]
pub async fn list_vetoes(#[server(default)] year: i64) -> Result<Vec<VetoRow>, AppError> {
    answer(async |cx| service::list_vetoes(cx, year).await).await
}

/// Logs an incident report; a late first report records `late_report`.
#[server(endpoint = "log_incident")]
pub async fn log_incident(
    unit_id: i64,
    level: String,
    title: String,
    occurred_at: String,
    reported_at: String,
    reported_by: String,
) -> Result<i64, AppError> {
    let form = service::IncidentForm {
        level: &level,
        title: &title,
        occurred_at: &occurred_at,
        reported_at: &reported_at,
        reported_by: &reported_by,
    };
    answer(async |cx| service::log_incident(cx, unit_id, form).await).await
}

/// Marks an incident's report false, concealed or omitted.
#[server(endpoint = "mark_finding")]
pub async fn mark_finding(
    incident_id: i64,
    finding: String,
    #[server(default)] found_on: String,
    #[server(default)] description: String,
) -> Result<i64, AppError> {
    answer(async |cx| {
        service::mark_finding(cx, incident_id, &finding, &found_on, &description).await
    })
    .await
}

/// Incidents that happened in a year (local time).
#[server(endpoint = "list_incidents")]
pub async fn list_incidents(#[server(default)] year: i64) -> Result<Vec<IncidentRow>, AppError> {
    answer(async |cx| service::list_incidents(cx, year).await).await
}

/// The metric table of a year.
#[server(endpoint = "metric_table")]
pub async fn load_metric_table(#[server(default)] year: i64) -> Result<MetricTable, AppError> {
    answer(async |cx| service::metric_table(cx, year).await).await
}

/// Enters one metric value (an override of a computed one needs a reason).
#[server(endpoint = "save_metric")]
pub async fn save_metric(
    year: i64,
    unit_id: i64,
    metric: String,
    numerator: String,
    denominator: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let (at, value) = ((year, unit_id), (&*numerator, &*denominator));
    answer(async |cx| service::save_metric(cx, at, &metric, value, &reason).await).await
}

/// Takes an override of a computed metric back.
#[server(endpoint = "remove_metric_override")]
pub async fn remove_metric_override(
    year: i64,
    unit_id: i64,
    metric: String,
) -> Result<(), AppError> {
    answer(async |cx| service::remove_metric_override(cx, year, unit_id, &metric).await).await
}
