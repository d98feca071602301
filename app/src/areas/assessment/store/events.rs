//! Events (扣分事项: a late report, an absence from the duty post...)
//! recorded against a unit's year, each counting under the scheme's
//! deduction rule for its type.

use super::super::dto::EventRow;
use super::changes::{self, Moved};
use crate::error::AppError;
use crate::platform::{Change, Write};
use sqlx::{Any, AnyConnection, AnyPool, Executor};

/// An event to record against a unit's year.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub year: i64,
    pub unit_id: i64,
    pub event: String,
    pub count: i64,
    pub occurred_on: String,
    pub description: String,
    pub incident_id: Option<i64>,
    /// The record an automatic event came from (`duty_check:12`).
    pub source: Option<String>,
}

const SELECT: &str = "SELECT id, year, unit_id, event, count, occurred_on, description, incident_id, source, created_by FROM assessment_events";

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    year: i64,
    unit_id: i64,
    event: String,
    count: i64,
    occurred_on: String,
    description: String,
    incident_id: Option<i64>,
    source: Option<String>,
    created_by: String,
}

impl From<Stored> for EventRow {
    fn from(r: Stored) -> EventRow {
        EventRow {
            id: r.id,
            year: r.year,
            unit_id: r.unit_id,
            event: r.event,
            count: r.count,
            occurred_on: r.occurred_on,
            description: r.description,
            incident_id: r.incident_id,
            source: r.source,
            created_by: r.created_by,
        }
    }
}

pub async fn of_year<'e, E>(
    db: E,
    year: i64,
    unit_id: Option<i64>,
) -> Result<Vec<EventRow>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let rows: Vec<Stored> = sqlx::query_as(&format!(
        "{SELECT} WHERE year = $1 AND ($2 IS NULL OR unit_id = $2) ORDER BY occurred_on, id"
    ))
    .bind(year)
    .bind(unit_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(EventRow::from).collect())
}

pub async fn get(c: &mut AnyConnection, id: i64) -> Result<Option<EventRow>, AppError> {
    let row: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await?;
    Ok(row.map(EventRow::from))
}

/// Records an event (the service has checked the unit's year is open),
/// logged as a change from its source: the incident it came from, or
/// itself.
pub async fn add(w: &mut Write<'_>, e: &NewEvent) -> Result<i64, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO assessment_events (year, unit_id, event, count, occurred_on, description, incident_id, source, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(e.year)
    .bind(e.unit_id)
    .bind(&e.event)
    .bind(e.count)
    .bind(&e.occurred_on)
    .bind(&e.description)
    .bind(e.incident_id)
    .bind(&e.source)
    .bind(by)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    let row = get(w.conn(), id).await?.ok_or(AppError::Internal)?;
    changes::record(
        w,
        &Moved {
            year: e.year,
            unit_id: e.unit_id,
            item: format!("event:{}", e.event),
            before: String::new(),
            after: e.count.to_string(),
            cause: "event_added",
            source: match (&e.source, e.incident_id) {
                (Some(s), _) => s.clone(),
                (None, Some(i)) => format!("incident:{i}"),
                (None, None) => format!("event:{id}"),
            },
        },
    )
    .await?;
    w.audit(Change::new("event.add", "event", id).after(&row))
        .await?;
    Ok(id)
}

/// Removes an event (`row` as read in this transaction), logged as a
/// change from `source`: the event itself when an assessor removes it, or
/// the record that set it aside (an excused missed report).
pub async fn remove(w: &mut Write<'_>, row: &EventRow, source: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM assessment_events WHERE id = $1")
        .bind(row.id)
        .execute(w.conn())
        .await?;
    changes::record(
        w,
        &Moved {
            year: row.year,
            unit_id: row.unit_id,
            item: format!("event:{}", row.event),
            before: row.count.to_string(),
            after: String::new(),
            cause: "event_removed",
            source: source.to_string(),
        },
    )
    .await?;
    w.audit(Change::new("event.remove", "event", row.id).before(row))
        .await?;
    Ok(())
}

/// The unit an event belongs to (for the caller's scope check).
pub async fn unit_of(pool: &AnyPool, id: i64) -> Result<Option<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT unit_id FROM assessment_events WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}
