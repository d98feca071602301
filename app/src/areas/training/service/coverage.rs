//! Coverage (who a year's rotations require and who completed), its
//! export and its feed into the assessment; leave; rectification orders.

use super::super::dto::{CoverageReport, CoverageRow, LeaveRow, OrderRow};
use super::super::store::{coverage, leave, orders};
use super::rotations::feed_coverage;
use crate::areas::directory::service as directory;
use crate::domain::authz::Action;
use crate::domain::training::{self, OrderState};
use crate::domain::{Problem, iso_date, text_field};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::platform::{Change, Ctx};
use chrono::Datelike;
use std::collections::BTreeMap;

/// Training coverage per unit for a year (units within the caller's
/// reach; 0: this year), with a chart in `lang`.
pub async fn coverage_report(cx: &Ctx, year: i64, lang: Lang) -> Result<CoverageReport, AppError> {
    cx.may(Action::ViewTraining)?;
    let me = &cx.me;
    let year = if year == 0 {
        i64::from(cx.today.year())
    } else {
        year
    };
    let units = directory::list_units(cx, String::new(), "").await?;
    let mut c = cx.pool().acquire().await?;
    let (list, done) = coverage::required_and_done(&mut c, year).await?;
    let all = training::coverage(&list, &done);
    let open_orders: Vec<i64> =
        orders::within(&mut c, &me.reach(Action::ViewTraining), cx.today, None)
            .await?
            .into_iter()
            .filter(|(o, _)| o.state != OrderState::Closed && o.year == year)
            .map(|(o, _)| o.unit_id)
            .collect();
    let rows: Vec<CoverageRow> = units
        .into_iter()
        .filter(|u| me.may_at(Action::ViewTraining, &u.path))
        .filter_map(|u| {
            all.get(&u.id).map(|cov| CoverageRow {
                unit_id: u.id,
                unit_code: u.code.clone(),
                unit_name: u.name.clone(),
                coverage: *cov,
                open_order: open_orders.contains(&u.id),
            })
        })
        .collect();
    let labels: Vec<String> = rows.iter().map(|r| r.unit_name.clone()).collect();
    let values: Vec<i64> = rows.iter().map(|r| r.coverage.permille()).collect();
    let chart = crate::charts::percent_chart(
        &lang.tf("chart.training_coverage", &[&year.to_string()]),
        &labels,
        &values,
    );
    Ok(CoverageReport { year, rows, chart })
}

/// Writes the year's coverage into the assessment's `training_coverage`
/// (published years are left as they are): (written, skipped because
/// published).
pub async fn sync_coverage(cx: &Ctx, year: i64) -> Result<(usize, usize), AppError> {
    cx.may_everywhere(Action::ManageTraining)?;
    let mut w = cx.write().await?;
    let done = feed_coverage(&mut w, year, None, "sync").await?;
    w.commit().await?;
    Ok(done)
}

/// A year's training per person, for a spreadsheet: a title line, column
/// titles in the reader's language, and per person within the caller's
/// reach their unit, number, name, the courses the year's rotations
/// require of them, those completed, and the hours (学时) credited.
/// Exporting personal data is audited.
pub async fn coverage_export(
    cx: &Ctx,
    year: i64,
    lang: Lang,
) -> Result<(String, Vec<String>, Vec<Vec<String>>), AppError> {
    cx.may(Action::ViewTraining)?;
    if !(2000..=2100).contains(&year) {
        return Err(AppError::NotFound);
    }
    let mut w = cx.write().await?;
    let (list, done) = coverage::required_and_done(w.conn(), year).await?;
    let mut hours: BTreeMap<i64, i64> = BTreeMap::new();
    for h in coverage::credited_hours(w.conn(), Some(year), None).await? {
        *hours.entry(h.person_id).or_default() += h.hours;
    }
    let mut people: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (person, _, courses) in &list {
        let completed = courses
            .iter()
            .filter(|c| done.contains(&(*person, **c)))
            .count() as i64;
        people.insert(*person, (courses.len() as i64, completed));
    }
    for person in hours.keys() {
        people.entry(*person).or_insert((0, 0));
    }
    let ids: Vec<i64> = people.keys().copied().collect();
    let mut rows: Vec<(String, Vec<String>)> = coverage::people(w.conn(), &ids)
        .await?
        .into_iter()
        .filter(|p| cx.me.may_at(Action::ViewTraining, &p.path))
        .map(|p| {
            let (required, completed) = people.get(&p.id).copied().unwrap_or_default();
            (
                format!("{}|{}", p.path, p.code),
                vec![
                    p.unit_code,
                    p.unit_name,
                    p.code,
                    p.name,
                    required.to_string(),
                    completed.to_string(),
                    hours.get(&p.id).copied().unwrap_or(0).to_string(),
                ],
            )
        })
        .collect();
    rows.sort();
    w.audit(
        Change::new("export.training_coverage", "training_coverage", year)
            .after(&serde_json::json!({ "rows": rows.len() })),
    )
    .await?;
    w.commit().await?;
    let header = [
        "field.unit_code",
        "field.unit",
        "field.person_code",
        "field.person_name",
        "training.export_required",
        "training.export_completed",
        "training.hours_title",
    ]
    .iter()
    .map(|k| lang.t(k).to_string())
    .collect();
    Ok((
        lang.tf("training.export_title", &[&year.to_string()]),
        header,
        rows.into_iter().map(|(_, r)| r).collect(),
    ))
}

pub async fn list_orders(cx: &Ctx) -> Result<Vec<OrderRow>, AppError> {
    cx.may(Action::ViewTraining)?;
    let mut c = cx.pool().acquire().await?;
    Ok(
        orders::within(&mut c, &cx.me.reach(Action::ViewTraining), cx.today, None)
            .await?
            .into_iter()
            .map(|(o, _)| o)
            .collect(),
    )
}

/// Orders a unit within reach to rectify its training by a deadline
/// (责令限期整改).
pub async fn issue_order(
    cx: &Ctx,
    unit_id: i64,
    year: i64,
    reason: &str,
    deadline: &str,
) -> Result<i64, AppError> {
    cx.may(Action::Rectify)?;
    let reason = text_field(reason, 1, 200).map_err(|p| AppError::invalid("field.reason", p))?;
    let deadline = iso_date(deadline).map_err(|p| AppError::invalid("field.deadline", p))?;
    if deadline < cx.today {
        return Err(AppError::invalid(
            "field.deadline",
            Problem::new("problem.deadline_past"),
        ));
    }
    let unit = directory::get_unit(cx, unit_id).await?;
    if !cx.me.may_at(Action::Rectify, &unit.path) {
        return Err(AppError::Forbidden);
    }
    let mut w = cx.write().await?;
    let id = orders::issue(&mut w, unit_id, year, &reason, deadline).await?;
    w.commit().await?;
    Ok(id)
}

/// Closes an order within reach, once, with a note; one outside is not
/// found.
pub async fn close_order(cx: &Ctx, id: i64, note: &str) -> Result<(), AppError> {
    cx.may(Action::Rectify)?;
    let note = text_field(note, 1, 200).map_err(|p| AppError::invalid("field.closing_note", p))?;
    let mut w = cx.write().await?;
    let (_, path) = orders::within(w.conn(), &cx.me.reach(Action::Rectify), cx.today, Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    if !cx.me.may_at(Action::Rectify, &path) {
        return Err(AppError::Forbidden);
    }
    orders::close(&mut w, id, &note).await?;
    w.commit().await?;
    Ok(())
}

pub async fn list_leave(cx: &Ctx) -> Result<Vec<LeaveRow>, AppError> {
    cx.may(Action::ManageTraining)?;
    let mut c = cx.pool().acquire().await?;
    leave::list(&mut c, &cx.me.reach(Action::ManageTraining)).await
}

/// Records a person's leave: the scheduler keeps them out of batches on
/// those days.
pub async fn add_leave(
    cx: &Ctx,
    person_code: &str,
    (start, end): (&str, &str),
    reason: &str,
) -> Result<(), AppError> {
    cx.may(Action::ManageTraining)?;
    let day = |raw: &str, field: &str| iso_date(raw).map_err(|p| AppError::invalid(field, p));
    let (from, to) = (day(start, "field.start")?, day(end, "field.end")?);
    if to < from {
        return Err(AppError::invalid(
            "field.end",
            Problem::new("problem.ends_before_start"),
        ));
    }
    let reason = text_field(reason, 1, 100).map_err(|p| AppError::invalid("field.reason", p))?;
    let code = person_code.trim();
    let mut w = cx.write().await?;
    let (person_id, path) = leave::person_by_code(w.conn(), code)
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                "field.person_code",
                Problem::with("problem.no_such_person", &[code]),
            )
        })?;
    if !cx.me.may_at(Action::ManageTraining, &path) {
        return Err(AppError::Forbidden);
    }
    leave::add(&mut w, person_id, (from, to), &reason).await?;
    w.commit().await?;
    Ok(())
}
