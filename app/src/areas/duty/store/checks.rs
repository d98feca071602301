//! The office's duty checks (值班督导检查).

use super::super::dto::{CheckRow, Voided};
use crate::domain::authz::Reach;
use crate::domain::duty_office::DutyCheck;
use crate::error::AppError;
use crate::platform::db::reach_clause;
use crate::platform::{Change, Write};
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    unit_id: i64,
    unit_name: String,
    checked_at: i64,
    called: String,
    answered: i64,
    on_post: String,
    passed: i64,
    note: String,
    event_id: Option<i64>,
    created_by: String,
    voided_at: Option<i64>,
    voided_by: Option<String>,
    void_reason: Option<String>,
}

impl From<Stored> for CheckRow {
    fn from(r: Stored) -> CheckRow {
        CheckRow {
            id: r.id,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            checked_at: r.checked_at,
            called: r.called,
            answered: r.answered != 0,
            on_post: r.on_post,
            passed: r.passed != 0,
            note: r.note,
            event_id: r.event_id,
            created_by: r.created_by,
            voided: match (r.voided_at, r.voided_by, r.void_reason) {
                (Some(at), Some(by), Some(reason)) => Some(Voided { at, by, reason }),
                _ => None,
            },
        }
    }
}

const SELECT: &str = "SELECT c.id, c.unit_id, u.name AS unit_name, c.checked_at, c.called, c.answered, c.on_post, \
     c.passed, c.note, c.event_id, c.created_by, c.voided_at, c.voided_by, c.void_reason \
     FROM duty_checks c JOIN units u ON u.id = c.unit_id";

/// A check with its unit's path.
pub async fn get(c: &mut AnyConnection, id: i64) -> Result<Option<(CheckRow, String)>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        check: Stored,
        path: String,
    }
    let row: Option<Row> = sqlx::query_as(&format!(
        "{} WHERE c.id = $1",
        SELECT.replacen(" FROM", ", u.path FROM", 1)
    ))
    .bind(id)
    .fetch_optional(c)
    .await?;
    Ok(row.map(|r| (r.check.into(), r.path)))
}

/// The newest 200 checks of units within `reach`.
pub async fn within(c: &mut AnyConnection, reach: &Reach) -> Result<Vec<CheckRow>, AppError> {
    let mut values = Vec::new();
    let Some(cond) = reach_clause(reach, "u.path", &mut values) else {
        return Ok(Vec::new());
    };
    let sql = format!("{SELECT} WHERE {cond} ORDER BY c.checked_at DESC, c.id DESC LIMIT 200");
    let mut q = sqlx::query_as::<_, Stored>(&sql);
    for v in values {
        q = q.bind(v);
    }
    Ok(q.fetch_all(c)
        .await?
        .into_iter()
        .map(CheckRow::from)
        .collect())
}

/// Records a check (its event, if any, is attached afterwards).
pub async fn add(w: &mut Write<'_>, unit: i64, check: &DutyCheck) -> Result<i64, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO duty_checks (unit_id, checked_at, called, answered, on_post, passed, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(unit)
    .bind(check.checked_at)
    .bind(&check.called)
    .bind(i64::from(check.answered))
    .bind(&check.on_post)
    .bind(i64::from(check.passed()))
    .bind(&check.note)
    .bind(by)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    w.audit(
        Change::new("duty_check.add", "duty_check", id).after(
            &serde_json::json!({ "unit_id": unit, "check": check, "passed": check.passed() }),
        ),
    )
    .await?;
    Ok(id)
}

/// Links a check to the event it became.
pub async fn set_event(w: &mut Write<'_>, id: i64, event: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE duty_checks SET event_id = $1 WHERE id = $2")
        .bind(event)
        .bind(id)
        .execute(w.conn())
        .await?;
    Ok(())
}

/// The standing check of `unit` at the same minute to the same number, if
/// any: the same call recorded twice (a double tap, two of the office
/// logging one call). The duty phone and a leader's mobile called in one
/// minute are two calls.
pub async fn same_call(
    c: &mut AnyConnection,
    unit: i64,
    check: &DutyCheck,
) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM duty_checks WHERE unit_id = $1 AND checked_at = $2 AND called = $3 \
         AND voided_at IS NULL LIMIT 1",
    )
    .bind(unit)
    .bind(check.checked_at)
    .bind(&check.called)
    .fetch_optional(c)
    .await?)
}

/// Voids a check with a reason, once (a second void, or one racing it,
/// finds it voided: `false`). Its event, if any, is the caller's to
/// withdraw; the link to it is cleared here.
pub async fn void(w: &mut Write<'_>, id: i64, reason: &str) -> Result<bool, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let done = sqlx::query(
        "UPDATE duty_checks SET voided_at = $1, voided_by = $2, void_reason = $3, event_id = NULL \
         WHERE id = $4 AND voided_at IS NULL",
    )
    .bind(at)
    .bind(&by)
    .bind(reason)
    .bind(id)
    .execute(w.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    w.audit(
        Change::new("duty_check.void", "duty_check", id)
            .after(&serde_json::json!({ "reason": reason })),
    )
    .await?;
    Ok(true)
}
