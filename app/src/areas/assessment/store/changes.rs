//! The change log: every change to a figure an assessment reads, with its
//! cause and source record (append-only, like the audit), and what each
//! assessor last saw of a scheme's results.

use super::super::dto::ChangeRow;
use super::unreadable;
use crate::domain::assessment::Points;
use crate::error::AppError;
use crate::platform::Write;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// One change to a figure of a unit's year.
#[derive(Debug, Clone)]
pub struct Moved {
    pub year: i64,
    pub unit_id: i64,
    pub item: String,
    pub before: String,
    pub after: String,
    pub cause: &'static str,
    pub source: String,
}

/// Keeps a change in the writer's transaction, by the writer.
pub async fn record(w: &mut Write<'_>, m: &Moved) -> Result<(), AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    sqlx::query(
        "INSERT INTO assessment_changes (year, unit_id, item, before, after, cause, source, actor, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(m.year)
    .bind(m.unit_id)
    .bind(&m.item)
    .bind(&m.before)
    .bind(&m.after)
    .bind(m.cause)
    .bind(&m.source)
    .bind(by)
    .bind(at)
    .execute(w.conn())
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    year: i64,
    unit_id: i64,
    item: String,
    before: String,
    after: String,
    cause: String,
    source: String,
    actor: String,
    at: i64,
}

impl From<Stored> for ChangeRow {
    fn from(r: Stored) -> ChangeRow {
        ChangeRow {
            id: r.id,
            year: r.year,
            unit_id: r.unit_id,
            item: r.item,
            before: r.before,
            after: r.after,
            cause: r.cause,
            source: r.source,
            actor: r.actor,
            at: r.at,
        }
    }
}

/// Changes of a year after change `after_id`, oldest first; at most
/// `limit`.
pub async fn after(
    c: &mut AnyConnection,
    year: i64,
    after_id: i64,
    limit: i64,
) -> Result<Vec<ChangeRow>, AppError> {
    let rows: Vec<Stored> = sqlx::query_as(
        "SELECT id, year, unit_id, item, before, after, cause, source, actor, at FROM assessment_changes \
         WHERE year = $1 AND id > $2 ORDER BY id LIMIT $3",
    )
    .bind(year)
    .bind(after_id)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.into_iter().map(ChangeRow::from).collect())
}

/// A unit's changes in a year, newest first; at most `limit`.
pub async fn of_unit(
    c: &mut AnyConnection,
    year: i64,
    unit_id: i64,
    limit: i64,
) -> Result<Vec<ChangeRow>, AppError> {
    let rows: Vec<Stored> = sqlx::query_as(
        "SELECT id, year, unit_id, item, before, after, cause, source, actor, at FROM assessment_changes \
         WHERE year = $1 AND unit_id = $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(year)
    .bind(unit_id)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.into_iter().map(ChangeRow::from).collect())
}

/// The newest change of a year (0 when none).
pub async fn last(c: &mut AnyConnection, year: i64) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar::<_, Option<i64>>(
        "SELECT MAX(id) FROM assessment_changes WHERE year = $1",
    )
    .bind(year)
    .fetch_one(&mut *c)
    .await?
    .unwrap_or(0))
}

/// What an account last saw of a scheme's results: (newest change seen,
/// when, unit code → total in tenths).
pub type Seen = (i64, i64, HashMap<String, Option<Points>>);

pub async fn seen(
    c: &mut AnyConnection,
    account_id: i64,
    scheme_id: i64,
) -> Result<Option<Seen>, AppError> {
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT last_change, seen_at, totals FROM assessment_seen WHERE account_id = $1 AND scheme_id = $2",
    )
    .bind(account_id)
    .bind(scheme_id)
    .fetch_optional(&mut *c)
    .await?;
    row.map(|(last, at, totals)| {
        let totals = serde_json::from_str(&totals).map_err(unreadable("seen totals"))?;
        Ok((last, at, totals))
    })
    .transpose()
}

/// Remembers what an account saw: the newest change and every total.
pub async fn mark_seen(
    c: &mut AnyConnection,
    (account_id, scheme_id): (i64, i64),
    at: i64,
    last_change: i64,
    totals: &HashMap<String, Option<Points>>,
) -> Result<(), AppError> {
    let totals = serde_json::to_string(totals).map_err(|_| AppError::Internal)?;
    sqlx::query(
        "INSERT INTO assessment_seen (account_id, scheme_id, last_change, seen_at, totals) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (account_id, scheme_id) DO UPDATE SET last_change = $3, seen_at = $4, totals = $5",
    )
    .bind(account_id)
    .bind(scheme_id)
    .bind(last_change)
    .bind(at)
    .bind(totals)
    .execute(c)
    .await?;
    Ok(())
}
