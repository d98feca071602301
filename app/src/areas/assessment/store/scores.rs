//! Manual scores (评分) of a scheme's indicators per unit.

use super::super::dto::ScoreRow;
use super::changes::{self, Moved};
use crate::domain::assessment::Points;
use crate::error::AppError;
use crate::platform::{Change, Write};
use sqlx::{Any, Executor};

#[derive(sqlx::FromRow)]
struct Stored {
    unit_id: i64,
    indicator: String,
    points: i64,
    note: String,
    updated_by: String,
    updated_at: i64,
}

impl From<Stored> for ScoreRow {
    fn from(r: Stored) -> ScoreRow {
        ScoreRow {
            unit_id: r.unit_id,
            indicator: r.indicator,
            points: Points(r.points),
            note: r.note,
            updated_by: r.updated_by,
            updated_at: r.updated_at,
        }
    }
}

pub async fn of_scheme<'e, E>(
    db: E,
    scheme_id: i64,
    unit_id: Option<i64>,
) -> Result<Vec<ScoreRow>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let rows: Vec<Stored> = sqlx::query_as(
        "SELECT unit_id, indicator, points, note, updated_by, updated_at FROM assessment_scores \
         WHERE scheme_id = $1 AND ($2 IS NULL OR unit_id = $2) ORDER BY unit_id, indicator",
    )
    .bind(scheme_id)
    .bind(unit_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(ScoreRow::from).collect())
}

/// Sets (or with `None` clears) one entered score. Unchanged values write
/// nothing; a change is audited with its before and after, and logged for
/// the scheme's year (`(scheme id, year)`). Returns whether it changed.
pub async fn set(
    w: &mut Write<'_>,
    (scheme_id, year): (i64, i64),
    unit_id: i64,
    indicator: &str,
    (points, note): (Option<Points>, &str),
) -> Result<bool, AppError> {
    let before: Option<ScoreRow> = sqlx::query_as::<_, Stored>(
        "SELECT unit_id, indicator, points, note, updated_by, updated_at FROM assessment_scores \
         WHERE scheme_id = $1 AND unit_id = $2 AND indicator = $3",
    )
    .bind(scheme_id)
    .bind(unit_id)
    .bind(indicator)
    .fetch_optional(w.conn())
    .await?
    .map(ScoreRow::from);
    let same = match (&before, points) {
        (Some(b), Some(p)) => b.points == p && b.note == note,
        (None, None) => true,
        _ => false,
    };
    if same {
        return Ok(false);
    }
    let (by, at) = (w.actor.name.clone(), w.at);
    match points {
        Some(p) => {
            sqlx::query(
                "INSERT INTO assessment_scores (scheme_id, unit_id, indicator, points, note, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (scheme_id, unit_id, indicator) DO UPDATE SET points = $4, note = $5, updated_by = $6, updated_at = $7",
            )
            .bind(scheme_id)
            .bind(unit_id)
            .bind(indicator)
            .bind(p.0)
            .bind(note)
            .bind(by)
            .bind(at)
            .execute(w.conn())
            .await?;
        }
        None => {
            sqlx::query(
                "DELETE FROM assessment_scores WHERE scheme_id = $1 AND unit_id = $2 AND indicator = $3",
            )
            .bind(scheme_id)
            .bind(unit_id)
            .bind(indicator)
            .execute(w.conn())
            .await?;
        }
    }
    let shown = |p: Option<Points>| p.map(|p| p.to_string()).unwrap_or_default();
    if before.as_ref().map(|b| b.points) != points {
        changes::record(
            w,
            &Moved {
                year,
                unit_id,
                item: format!("score:{indicator}"),
                before: shown(before.as_ref().map(|b| b.points)),
                after: shown(points),
                cause: "score",
                source: String::new(),
            },
        )
        .await?;
    }
    let mut change = Change::new(
        "score.set",
        "score",
        format!("{scheme_id}/{unit_id}/{indicator}"),
    );
    if let Some(b) = &before {
        change = change.before(
            &serde_json::json!({ "indicator": b.indicator, "points": b.points.to_string(), "note": b.note }),
        );
    }
    if let Some(p) = points {
        change = change.after(
            &serde_json::json!({ "indicator": indicator, "points": p.to_string(), "note": note }),
        );
    }
    w.audit(change).await?;
    Ok(true)
}
