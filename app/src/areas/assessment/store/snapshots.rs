//! The evidence frozen at publication: every unit's sheet and the detail
//! its explanation shows, which a published year's results read.

use super::super::dto::SnapshotDetail;
use super::unreadable;
use crate::domain::assessment::Sheet;
use crate::error::AppError;
use crate::model::Unit;
use crate::platform::Write;
use sqlx::{AnyConnection, AnyPool};

/// A snapshot's units with their sheets, in tree order.
pub async fn sheets(c: &mut AnyConnection, snapshot: i64) -> Result<Vec<(Unit, Sheet)>, AppError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT unit, sheet FROM assessment_snapshot_units WHERE snapshot_id = $1")
            .bind(snapshot)
            .fetch_all(&mut *c)
            .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (unit, sheet) in &rows {
        let unit: Unit = serde_json::from_str(unit).map_err(unreadable("snapshot unit"))?;
        let sheet: Sheet = serde_json::from_str(sheet).map_err(unreadable("snapshot sheet"))?;
        out.push((unit, sheet));
    }
    out.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    Ok(out)
}

/// One unit's frozen detail in a snapshot.
pub async fn detail(
    pool: &AnyPool,
    snapshot: i64,
    unit_id: i64,
) -> Result<Option<SnapshotDetail>, AppError> {
    let row: Option<String> = sqlx::query_scalar(
        "SELECT detail FROM assessment_snapshot_units WHERE snapshot_id = $1 AND unit_id = $2",
    )
    .bind(snapshot)
    .bind(unit_id)
    .fetch_optional(pool)
    .await?;
    row.map(|d| serde_json::from_str(&d).map_err(unreadable("snapshot detail")))
        .transpose()
}

/// A new snapshot of a scheme, by the writer; returns its id.
pub async fn create(w: &mut Write<'_>, scheme_id: i64) -> Result<i64, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    Ok(sqlx::query_scalar(
        "INSERT INTO assessment_snapshots (scheme_id, taken_at, taken_by) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(scheme_id)
    .bind(at)
    .bind(by)
    .fetch_one(w.conn())
    .await?)
}

/// One unit's frozen sheet and detail.
pub async fn add_unit(
    w: &mut Write<'_>,
    snapshot: i64,
    unit: &Unit,
    sheet: &Sheet,
    detail: &SnapshotDetail,
) -> Result<(), AppError> {
    let text = |r: serde_json::Result<String>| {
        r.map_err(|e| {
            tracing::error!(error = %e, "a snapshot that does not serialize");
            AppError::Internal
        })
    };
    sqlx::query(
        "INSERT INTO assessment_snapshot_units (snapshot_id, unit_id, unit, sheet, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(snapshot)
    .bind(unit.id)
    .bind(text(serde_json::to_string(unit))?)
    .bind(text(serde_json::to_string(sheet))?)
    .bind(text(serde_json::to_string(detail))?)
    .execute(w.conn())
    .await?;
    Ok(())
}
