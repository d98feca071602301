//! Units' duty settings: a unit stands duty once it has them.

use crate::domain::duty_office::DutySettings;
use crate::error::AppError;
use crate::platform::db::lock_row;
use crate::platform::{Change, Write};
use sqlx::AnyConnection;
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct Stored {
    unit_id: i64,
    staff_per_day: i64,
    leaders_per_day: i64,
    min_rest_days: i64,
}

impl Stored {
    fn settings(&self) -> Result<DutySettings, AppError> {
        let n = |v: i64| {
            u32::try_from(v).map_err(|_| {
                tracing::error!(
                    unit = self.unit_id,
                    v,
                    "a unit's duty settings out of range"
                );
                AppError::Internal
            })
        };
        Ok(DutySettings {
            staff_per_day: n(self.staff_per_day)?,
            leaders_per_day: n(self.leaders_per_day)?,
            min_rest_days: n(self.min_rest_days)?,
        })
    }
}

const SELECT: &str =
    "SELECT unit_id, staff_per_day, leaders_per_day, min_rest_days FROM duty_settings";

pub async fn of_unit(c: &mut AnyConnection, unit: i64) -> Result<Option<DutySettings>, AppError> {
    let row: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE unit_id = $1"))
        .bind(unit)
        .fetch_optional(c)
        .await?;
    row.map(|r| r.settings()).transpose()
}

/// Takes the unit's duty lock (its settings' row) until the transaction
/// ends, and says whether the unit stands duty at all. Every write to a
/// unit's rosters, swaps and checks takes it first, so that two of them
/// never both pass a check the other is about to invalidate (a publish and
/// a regenerate, two approvals of one slot, the same check twice).
pub async fn lock_unit(c: &mut AnyConnection, unit: i64) -> Result<bool, AppError> {
    lock_row(c, ("duty_settings", "unit_id"), unit).await
}

/// Every unit that stands duty, with its settings.
pub async fn all(c: &mut AnyConnection) -> Result<HashMap<i64, DutySettings>, AppError> {
    let rows: Vec<Stored> = sqlx::query_as(SELECT).fetch_all(c).await?;
    rows.into_iter()
        .map(|r| Ok((r.unit_id, r.settings()?)))
        .collect()
}

/// Saves a unit's settings (insert or update in place: the row is the
/// unit's duty lock, and a delete and insert would let a write waiting on
/// it find no row), audited with before and after.
pub async fn save(w: &mut Write<'_>, unit: i64, s: DutySettings) -> Result<(), AppError> {
    let before = of_unit(w.conn(), unit).await?;
    let (by, at) = (w.actor.name.clone(), w.at);
    sqlx::query(
        "INSERT INTO duty_settings (unit_id, staff_per_day, leaders_per_day, min_rest_days, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (unit_id) DO UPDATE SET staff_per_day = $2, \
         leaders_per_day = $3, min_rest_days = $4, updated_by = $5, updated_at = $6",
    )
    .bind(unit)
    .bind(i64::from(s.staff_per_day))
    .bind(i64::from(s.leaders_per_day))
    .bind(i64::from(s.min_rest_days))
    .bind(by)
    .bind(at)
    .execute(w.conn())
    .await?;
    let mut change = Change::new("duty_settings.save", "unit", unit).after(&s);
    if let Some(b) = before {
        change = change.before(&b);
    }
    w.audit(change).await?;
    Ok(())
}
