//! Quiz attempts, graded on the server (the answers never leave it).

use super::super::dto::AttemptRow;
use crate::domain::course::Graded;
use crate::error::AppError;
use crate::platform::Write;
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
struct Attempt {
    at: i64,
    right_count: i64,
    total: i64,
    percent: i64,
    passed: i64,
}

pub async fn attempts(
    c: &mut AnyConnection,
    rotation: i64,
    person_id: i64,
) -> Result<Vec<AttemptRow>, AppError> {
    let rows: Vec<Attempt> = sqlx::query_as(
        "SELECT at, right_count, total, percent, passed FROM quiz_attempts WHERE plan_id = $1 AND person_id = $2 ORDER BY id",
    )
    .bind(rotation)
    .bind(person_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AttemptRow {
            at: r.at,
            right: r.right_count,
            total: r.total,
            percent: r.percent,
            passed: r.passed != 0,
        })
        .collect())
}

/// Whether a person passed the quiz of a rotation (any attempt).
pub async fn passed(
    c: &mut AnyConnection,
    rotation: i64,
    person_id: i64,
) -> Result<bool, AppError> {
    let passes: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM quiz_attempts WHERE plan_id = $1 AND person_id = $2 AND passed = 1",
    )
    .bind(rotation)
    .bind(person_id)
    .fetch_one(&mut *c)
    .await?;
    Ok(passes > 0)
}

pub async fn record(
    w: &mut Write<'_>,
    rotation: i64,
    person_id: i64,
    answers: &[Vec<usize>],
    g: &Graded,
) -> Result<(), AppError> {
    let at = w.at;
    let answers = serde_json::to_string(answers).map_err(|e| {
        tracing::error!(error = %e, "quiz answers that do not serialize");
        AppError::Internal
    })?;
    sqlx::query(
        "INSERT INTO quiz_attempts (plan_id, person_id, answers, right_count, total, percent, passed, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(rotation)
    .bind(person_id)
    .bind(answers)
    .bind(g.right as i64)
    .bind(g.total as i64)
    .bind(i64::from(g.percent))
    .bind(i64::from(g.passed))
    .bind(at)
    .execute(w.conn())
    .await?;
    Ok(())
}
