//! Leaders' absence reports: filed, then approved or refused once.

use super::super::dto::AbsenceRow;
use crate::domain::authz::Reach;
use crate::domain::duty_office::Absence;
use crate::error::AppError;
use crate::platform::db::{Day, reach_clause};
use crate::platform::{Change, Write};
use chrono::NaiveDate;
use sqlx::AnyConnection;
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    person_id: i64,
    person: String,
    unit_id: i64,
    unit_name: String,
    first_day: Day,
    last_day: Day,
    destination: String,
    reason: String,
    deputy: String,
    status: String,
    filed_by: String,
    decided_by: Option<String>,
}

impl From<Stored> for AbsenceRow {
    fn from(r: Stored) -> AbsenceRow {
        AbsenceRow {
            id: r.id,
            person_id: r.person_id,
            person: r.person,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            first: r.first_day.0,
            last: r.last_day.0,
            destination: r.destination,
            reason: r.reason,
            deputy: r.deputy,
            status: r.status,
            filed_by: r.filed_by,
            decided_by: r.decided_by,
        }
    }
}

const SELECT: &str = "SELECT a.id, a.person_id, p.name AS person, p.unit_id, u.name AS unit_name, a.first_day, a.last_day, \
     a.destination, a.reason, a.deputy, a.status, a.filed_by, a.decided_by \
     FROM leader_absences a JOIN people p ON p.id = a.person_id JOIN units u ON u.id = p.unit_id";

pub async fn add(w: &mut Write<'_>, person: i64, a: &Absence) -> Result<i64, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO leader_absences (person_id, first_day, last_day, destination, reason, deputy, status, filed_by, filed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'filed', $7, $8) RETURNING id",
    )
    .bind(person)
    .bind(a.first.to_string())
    .bind(a.last.to_string())
    .bind(&a.destination)
    .bind(&a.reason)
    .bind(&a.deputy)
    .bind(by)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    w.audit(Change::new("leader_absence.file", "leader_absence", id).after(a))
        .await?;
    Ok(id)
}

/// An absence with its leader's unit path.
pub async fn get(c: &mut AnyConnection, id: i64) -> Result<Option<(AbsenceRow, String)>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        a: Stored,
        path: String,
    }
    let row: Option<Row> = sqlx::query_as(&format!(
        "{} WHERE a.id = $1",
        SELECT.replacen(" FROM", ", u.path FROM", 1)
    ))
    .bind(id)
    .fetch_optional(c)
    .await?;
    Ok(row.map(|r| (r.a.into(), r.path)))
}

/// Absences within `reach` (and the caller's own, `person`) ending on or
/// after `from`, newest first, at most 200.
pub async fn within(
    c: &mut AnyConnection,
    reach: &Reach,
    person: Option<i64>,
    from: NaiveDate,
) -> Result<Vec<AbsenceRow>, AppError> {
    let mut values = vec![from.to_string()];
    let cond = reach_clause(reach, "u.path", &mut values).unwrap_or_else(|| "1 = 0".into());
    let sql = format!(
        "{SELECT} WHERE a.last_day >= $1 AND ({cond} OR a.person_id = {}) ORDER BY a.first_day DESC, a.id DESC LIMIT 200",
        person.unwrap_or(0)
    );
    let mut q = sqlx::query_as::<_, Stored>(&sql);
    for v in values {
        q = q.bind(v);
    }
    Ok(q.fetch_all(c)
        .await?
        .into_iter()
        .map(AbsenceRow::from)
        .collect())
}

/// Decides a filed absence, once: `Conflict` when it was decided already
/// (or a second decision raced the first).
pub async fn decide(w: &mut Write<'_>, id: i64, status: &str) -> Result<(), AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let done = sqlx::query(
        "UPDATE leader_absences SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND status = 'filed'",
    )
    .bind(status)
    .bind(by)
    .bind(at)
    .bind(id)
    .execute(w.conn())
    .await?;
    crate::platform::db::changed(
        &done,
        crate::domain::Problem::new("problem.absence_decided"),
    )?;
    w.audit(
        Change::new(&format!("leader_absence.{status}"), "leader_absence", id)
            .after(&serde_json::json!({ "status": status })),
    )
    .await?;
    Ok(())
}

/// Approved absences' days by person (of `unit`'s people, or everyone's).
pub async fn approved_days(
    c: &mut AnyConnection,
    unit: Option<i64>,
) -> Result<HashMap<i64, Vec<(NaiveDate, NaiveDate)>>, AppError> {
    let rows: Vec<(i64, Day, Day)> = sqlx::query_as(
        "SELECT a.person_id, a.first_day, a.last_day FROM leader_absences a JOIN people p ON p.id = a.person_id \
         WHERE a.status = 'approved' AND ($1 = 0 OR p.unit_id = $1)",
    )
    .bind(unit.unwrap_or(0))
    .fetch_all(c)
    .await?;
    let mut out: HashMap<i64, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    for (p, a, b) in rows {
        out.entry(p).or_default().push((a.0, b.0));
    }
    Ok(out)
}

/// Approved absences overlapping `first..=last`: (id, person id, days).
pub async fn approved_between(
    c: &mut AnyConnection,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<(i64, i64, (NaiveDate, NaiveDate))>, AppError> {
    let rows: Vec<(i64, i64, Day, Day)> = sqlx::query_as(
        "SELECT id, person_id, first_day, last_day FROM leader_absences \
         WHERE status = 'approved' AND first_day <= $2 AND last_day >= $1 ORDER BY first_day, id",
    )
    .bind(first.to_string())
    .bind(last.to_string())
    .fetch_all(c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, p, a, b)| (id, p, (a.0, b.0)))
        .collect())
}

/// Approved absences covering `day`: (person id, unit id, name, deputy,
/// destination).
pub async fn away_on(
    c: &mut AnyConnection,
    day: NaiveDate,
) -> Result<Vec<(i64, i64, String, String, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT a.person_id, p.unit_id, p.name, a.deputy, a.destination FROM leader_absences a \
         JOIN people p ON p.id = a.person_id WHERE a.status = 'approved' AND a.first_day <= $1 AND a.last_day >= $1 \
         ORDER BY p.name",
    )
    .bind(day.to_string())
    .fetch_all(c)
    .await?)
}
