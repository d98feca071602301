//! Incident reports (突发事件信息报告) as assessors log them, with the
//! events recorded from each.

use super::super::dto::IncidentRow;
use crate::domain::incident::Level;
use crate::error::AppError;
use crate::platform::db::Code;
use crate::platform::{Change, Write};
use sqlx::AnyPool;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct NewIncident {
    pub unit_id: i64,
    pub level: Level,
    pub title: String,
    pub occurred_at: i64,
    pub reported_at: i64,
    pub reported_by: String,
}

pub async fn create(w: &mut Write<'_>, i: &NewIncident) -> Result<i64, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO incidents (unit_id, level, title, occurred_at, reported_at, reported_by, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(i.unit_id)
    .bind(i.level.code())
    .bind(&i.title)
    .bind(i.occurred_at)
    .bind(i.reported_at)
    .bind(&i.reported_by)
    .bind(by)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    w.audit(
        Change::new("incident.create", "incident", id).after(&serde_json::json!({
            "unit_id": i.unit_id, "level": i.level.code(), "title": i.title,
            "occurred_at": i.occurred_at, "reported_at": i.reported_at, "reported_by": i.reported_by
        })),
    )
    .await?;
    Ok(id)
}

const SELECT: &str = "SELECT i.id, i.unit_id, u.name AS unit_name, i.level, i.title, i.occurred_at, \
     i.reported_at, i.reported_by FROM incidents i JOIN units u ON u.id = i.unit_id";

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    unit_id: i64,
    unit_name: String,
    level: Code<Level>,
    title: String,
    occurred_at: i64,
    reported_at: i64,
    reported_by: String,
}

impl Stored {
    fn with(self, events: Vec<String>) -> IncidentRow {
        IncidentRow {
            id: self.id,
            unit_id: self.unit_id,
            unit_name: self.unit_name,
            level: self.level.0,
            title: self.title,
            occurred_at: self.occurred_at,
            reported_at: self.reported_at,
            reported_by: self.reported_by,
            events,
        }
    }
}

/// Incidents that happened in [from, to), newest first, each with the
/// event types recorded from it.
pub async fn between(pool: &AnyPool, from: i64, to: i64) -> Result<Vec<IncidentRow>, AppError> {
    let rows: Vec<Stored> = sqlx::query_as(&format!(
        "{SELECT} WHERE i.occurred_at >= $1 AND i.occurred_at < $2 ORDER BY i.occurred_at DESC, i.id DESC"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let events: Vec<(i64, String)> = sqlx::query_as(
        "SELECT e.incident_id, e.event FROM assessment_events e JOIN incidents i ON i.id = e.incident_id \
         WHERE i.occurred_at >= $1 AND i.occurred_at < $2 ORDER BY e.id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let mut by_incident: HashMap<i64, Vec<String>> = HashMap::new();
    for (incident, event) in events {
        by_incident.entry(incident).or_default().push(event);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let events = by_incident.remove(&r.id).unwrap_or_default();
            r.with(events)
        })
        .collect())
}

pub async fn get(pool: &AnyPool, id: i64) -> Result<Option<IncidentRow>, AppError> {
    let row: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE i.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.with(Vec::new())))
}
