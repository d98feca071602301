//! Leave (请假): days a person cannot be scheduled.

use super::super::dto::LeaveRow;
use crate::domain::authz::Reach;
use crate::error::AppError;
use crate::platform::db::{Day, reach_clause};
use crate::platform::{Change, Write};
use chrono::NaiveDate;
use sqlx::AnyConnection;

/// The person with this number and their unit's path.
pub async fn person_by_code(
    c: &mut AnyConnection,
    code: &str,
) -> Result<Option<(i64, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT pe.id, u.path FROM people pe JOIN units u ON u.id = pe.unit_id WHERE pe.code = $1",
    )
    .bind(code)
    .fetch_optional(&mut *c)
    .await?)
}

pub async fn add(
    w: &mut Write<'_>,
    person_id: i64,
    (start, end): (NaiveDate, NaiveDate),
    reason: &str,
) -> Result<i64, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO leave_days (person_id, start_on, end_on, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(person_id)
    .bind(start.to_string())
    .bind(end.to_string())
    .bind(reason)
    .bind(by)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    w.audit(
        Change::new("leave.add", "leave", id).after(&serde_json::json!({
            "person_id": person_id, "start": start, "end": end, "reason": reason,
        })),
    )
    .await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    code: String,
    name: String,
    unit_name: String,
    start_on: Day,
    end_on: Day,
    reason: String,
}

/// Leave of people within `reach`, newest first (200 at most).
pub async fn list(c: &mut AnyConnection, reach: &Reach) -> Result<Vec<LeaveRow>, AppError> {
    let mut binds = Vec::new();
    let Some(within) = reach_clause(reach, "u.path", &mut binds) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT l.id, pe.code, pe.name, u.name AS unit_name, l.start_on, l.end_on, l.reason FROM leave_days l \
         JOIN people pe ON pe.id = l.person_id JOIN units u ON u.id = pe.unit_id WHERE {within} ORDER BY l.start_on DESC LIMIT 200"
    );
    let mut q = sqlx::query_as::<_, Stored>(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(&mut *c)
        .await?
        .into_iter()
        .map(|r| LeaveRow {
            id: r.id,
            person_code: r.code,
            person_name: r.name,
            unit_name: r.unit_name,
            start: r.start_on.0,
            end: r.end_on.0,
            reason: r.reason,
        })
        .collect())
}
