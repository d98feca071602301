//! Incident reports as the office logs them (the duty office's own
//! reports will come from the units): a first report later than the
//! scheme's deadline for its level records a `late_report` event, and an
//! assessor's finding (false, concealed, omitted) records its event in the
//! year it is found.

use super::super::dto::IncidentRow;
use super::super::store::events::{self, NewEvent};
use super::super::store::incidents::{self as store, NewIncident};
use super::super::store::schemes;
use super::{add_event_in, date_or_today, open_unit, unit_to_assess, within_reach};
use crate::areas::directory::service as directory;
use crate::domain::authz::Action;
use crate::domain::incident::{Finding, Level, check_times, is_late, report_delay_minutes};
use crate::domain::{Problem, local_date, local_time, text_field};
use crate::error::AppError;
use crate::platform::Ctx;
use chrono::Datelike;

/// Local `YYYY-MM-DDTHH:MM` (a datetime-local input) as Unix seconds.
fn local_instant(raw: &str, field: &str) -> Result<i64, AppError> {
    crate::domain::local_instant(raw)
        .ok_or_else(|| AppError::invalid(field, Problem::new("problem.bad_datetime")))
}

/// What an incident form says.
pub struct IncidentForm<'a> {
    pub level: &'a str,
    pub title: &'a str,
    pub occurred_at: &'a str,
    pub reported_at: &'a str,
    pub reported_by: &'a str,
}

/// Logs an incident report. When the year's scheme for the unit's kind
/// sets a deadline for the level and the first report came later, a
/// `late_report` event is recorded for the unit in the same transaction.
pub async fn log_incident(cx: &Ctx, unit_id: i64, f: IncidentForm<'_>) -> Result<i64, AppError> {
    cx.may(Action::LogIncidents)?;
    let unit = directory::get_unit(cx, unit_id).await?;
    if !cx.me.may_at(Action::LogIncidents, &unit.path) {
        return Err(AppError::Forbidden);
    }
    let level = Level::parse(f.level).map_err(|p| AppError::invalid("field.level", p))?;
    let title = text_field(f.title, 2, 200).map_err(|p| AppError::invalid("field.title", p))?;
    let occurred = local_instant(f.occurred_at, "field.occurred_at")?;
    let reported = local_instant(f.reported_at, "field.reported_at")?;
    check_times(occurred, reported).map_err(|p| AppError::invalid("field.reported_at", p))?;
    let reported_by =
        text_field(f.reported_by, 1, 80).map_err(|p| AppError::invalid("field.reported_by", p))?;
    let local_day = local_date(occurred).ok_or(AppError::Internal)?;
    let year = i64::from(local_day.year());
    let mut w = cx.write().await?;
    open_unit(&mut w, year, unit_id).await?;
    let id = store::create(
        &mut w,
        &NewIncident {
            unit_id,
            level,
            title: title.clone(),
            occurred_at: occurred,
            reported_at: reported,
            reported_by,
        },
    )
    .await?;
    if let Some(scheme) = schemes::of_kind(w.conn(), year, unit.kind).await?
        && is_late(occurred, reported, scheme.def.deadline(level))
    {
        add_event_in(
            &mut w,
            &NewEvent {
                year,
                unit_id,
                event: "late_report".into(),
                count: 1,
                occurred_on: local_day.to_string(),
                description: format!(
                    "{title}({} → {},{} min > {} min)",
                    local_time(occurred),
                    local_time(reported),
                    report_delay_minutes(occurred, reported),
                    scheme.def.deadline(level)
                ),
                incident_id: Some(id),
                source: None,
            },
        )
        .await?;
    }
    w.commit().await?;
    Ok(id)
}

/// An assessor marks an incident's report false, concealed or omitted;
/// the event counts in the year it is found, once per kind of finding.
pub async fn mark_finding(
    cx: &Ctx,
    incident_id: i64,
    finding: &str,
    found_on: &str,
    description: &str,
) -> Result<i64, AppError> {
    cx.may(Action::Assess)?;
    let incident = store::get(cx.pool(), incident_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let unit = unit_to_assess(cx, incident.unit_id).await?;
    let finding = Finding::parse(finding).map_err(|p| AppError::invalid("field.finding", p))?;
    let day = date_or_today(cx, found_on, "field.found_on")?;
    let happened = local_date(incident.occurred_at).ok_or(AppError::Internal)?;
    if day < happened {
        return Err(AppError::invalid(
            "field.found_on",
            Problem::new("problem.found_before_incident"),
        ));
    }
    let already = events::of_year(cx.pool(), day.year().into(), Some(unit.id))
        .await?
        .into_iter()
        .chain(events::of_year(cx.pool(), happened.year().into(), Some(unit.id)).await?)
        .any(|e| e.incident_id == Some(incident_id) && e.event == finding.event());
    if already {
        return Err(AppError::Conflict(Problem::new("problem.finding_recorded")));
    }
    let description = if description.trim().is_empty() {
        incident.title.clone()
    } else {
        text_field(description, 2, 500).map_err(|p| AppError::invalid("field.description", p))?
    };
    let mut w = cx.write().await?;
    let id = add_event_in(
        &mut w,
        &NewEvent {
            year: day.year().into(),
            unit_id: unit.id,
            event: finding.event().into(),
            count: 1,
            occurred_on: day.to_string(),
            description,
            incident_id: Some(incident_id),
            source: None,
        },
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// Incidents that happened in a year (local time; 0: this year) within
/// reach.
pub async fn list_incidents(cx: &Ctx, year: i64) -> Result<Vec<IncidentRow>, AppError> {
    cx.may(Action::LogIncidents)?;
    let year = if year > 0 {
        year
    } else {
        cx.today.year().into()
    };
    let start = |y: i64| {
        i32::try_from(y)
            .ok()
            .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, 1, 1))
            .map(crate::domain::local_day_start)
            .ok_or_else(|| AppError::invalid("field.year", Problem::new("problem.bad_year")))
    };
    let all = store::between(cx.pool(), start(year)?, start(year + 1)?).await?;
    within_reach(cx, Action::LogIncidents, all, |i| i.unit_id).await
}
