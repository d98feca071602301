//! Bonus points (加分) for a unit's year, with their reasons.

use super::super::dto::BonusRow;
use super::changes::{self, Moved};
use crate::domain::assessment::Points;
use crate::error::AppError;
use crate::platform::{Change, Write};
use sqlx::{Any, AnyConnection, AnyPool, Executor};

const SELECT: &str = "SELECT id, year, unit_id, points, reason, created_by FROM assessment_bonuses";

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    year: i64,
    unit_id: i64,
    points: i64,
    reason: String,
    created_by: String,
}

impl From<Stored> for BonusRow {
    fn from(r: Stored) -> BonusRow {
        BonusRow {
            id: r.id,
            year: r.year,
            unit_id: r.unit_id,
            points: Points(r.points),
            reason: r.reason,
            created_by: r.created_by,
        }
    }
}

pub async fn of_year<'e, E>(
    db: E,
    year: i64,
    unit_id: Option<i64>,
) -> Result<Vec<BonusRow>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let rows: Vec<Stored> = sqlx::query_as(&format!(
        "{SELECT} WHERE year = $1 AND ($2 IS NULL OR unit_id = $2) ORDER BY id"
    ))
    .bind(year)
    .bind(unit_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(BonusRow::from).collect())
}

pub async fn get(c: &mut AnyConnection, id: i64) -> Result<Option<BonusRow>, AppError> {
    let row: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await?;
    Ok(row.map(BonusRow::from))
}

/// Records a bonus (the service has checked the unit's year is open).
pub async fn add(
    w: &mut Write<'_>,
    year: i64,
    unit_id: i64,
    points: Points,
    reason: &str,
) -> Result<i64, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO assessment_bonuses (year, unit_id, points, reason, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(year)
    .bind(unit_id)
    .bind(points.0)
    .bind(reason)
    .bind(by)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    changes::record(
        w,
        &Moved {
            year,
            unit_id,
            item: "bonus".into(),
            before: String::new(),
            after: points.to_string(),
            cause: "bonus_added",
            source: format!("bonus:{id}"),
        },
    )
    .await?;
    w.audit(
        Change::new("bonus.add", "bonus", id).after(&serde_json::json!({
            "year": year, "unit_id": unit_id, "points": points.to_string(), "reason": reason,
        })),
    )
    .await?;
    Ok(id)
}

/// Removes a bonus (`row` as read in this transaction).
pub async fn remove(w: &mut Write<'_>, row: &BonusRow) -> Result<(), AppError> {
    sqlx::query("DELETE FROM assessment_bonuses WHERE id = $1")
        .bind(row.id)
        .execute(w.conn())
        .await?;
    changes::record(
        w,
        &Moved {
            year: row.year,
            unit_id: row.unit_id,
            item: "bonus".into(),
            before: row.points.to_string(),
            after: String::new(),
            cause: "bonus_removed",
            source: format!("bonus:{}", row.id),
        },
    )
    .await?;
    w.audit(Change::new("bonus.remove", "bonus", row.id).before(row))
        .await?;
    Ok(())
}

pub async fn unit_of(pool: &AnyPool, id: i64) -> Result<Option<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT unit_id FROM assessment_bonuses WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}
