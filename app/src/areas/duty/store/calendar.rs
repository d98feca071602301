//! The district's duty calendar: holidays and sensitive periods.

use super::super::dto::PeriodRow;
use crate::domain::duty_office::{DutyPeriod, PeriodKind};
use crate::error::AppError;
use crate::platform::db::{Code, Day};
use crate::platform::{Change, Write};
use chrono::NaiveDate;
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    name: String,
    kind: Code<PeriodKind>,
    first_day: Day,
    last_day: Day,
    extra_staff: i64,
    created_by: String,
}

impl Stored {
    fn row(self) -> Result<PeriodRow, AppError> {
        Ok(PeriodRow {
            id: self.id,
            period: DutyPeriod {
                name: self.name,
                kind: self.kind.0,
                first: self.first_day.0,
                last: self.last_day.0,
                extra_staff: u32::try_from(self.extra_staff).map_err(|_| {
                    tracing::error!(id = self.id, "a duty period's extra staff out of range");
                    AppError::Internal
                })?,
            },
            created_by: self.created_by,
        })
    }
}

const SELECT: &str =
    "SELECT id, name, kind, first_day, last_day, extra_staff, created_by FROM duty_periods";

/// Periods touching `first..=last`, by first day.
pub async fn touching(
    c: &mut AnyConnection,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<Vec<PeriodRow>, AppError> {
    let rows: Vec<Stored> = sqlx::query_as(&format!(
        "{SELECT} WHERE first_day <= $1 AND last_day >= $2 ORDER BY first_day, id"
    ))
    .bind(last.to_string())
    .bind(first.to_string())
    .fetch_all(c)
    .await?;
    rows.into_iter().map(Stored::row).collect()
}

/// Every period ending on or after `from`, by first day.
pub async fn from(c: &mut AnyConnection, from: NaiveDate) -> Result<Vec<PeriodRow>, AppError> {
    let rows: Vec<Stored> = sqlx::query_as(&format!(
        "{SELECT} WHERE last_day >= $1 ORDER BY first_day, id"
    ))
    .bind(from.to_string())
    .fetch_all(c)
    .await?;
    rows.into_iter().map(Stored::row).collect()
}

pub async fn add(w: &mut Write<'_>, p: &DutyPeriod) -> Result<i64, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO duty_periods (name, kind, first_day, last_day, extra_staff, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&p.name)
    .bind(p.kind.code())
    .bind(p.first.to_string())
    .bind(p.last.to_string())
    .bind(i64::from(p.extra_staff))
    .bind(by)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    w.audit(Change::new("duty_period.add", "duty_period", id).after(p))
        .await?;
    Ok(id)
}

pub async fn remove(w: &mut Write<'_>, id: i64) -> Result<(), AppError> {
    let row: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(w.conn())
        .await?;
    let row = row.ok_or(AppError::NotFound)?.row()?;
    sqlx::query("DELETE FROM duty_periods WHERE id = $1")
        .bind(id)
        .execute(w.conn())
        .await?;
    w.audit(Change::new("duty_period.remove", "duty_period", id).before(&row.period))
        .await?;
    Ok(())
}
