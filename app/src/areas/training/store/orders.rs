//! Rectification orders (责令限期整改): a unit told to fix its training by
//! a deadline, closed once with a note.

use super::super::dto::OrderRow;
use crate::domain::authz::Reach;
use crate::domain::training;
use crate::error::AppError;
use crate::platform::db::{Day, reach_clause};
use crate::platform::{Change, Write};
use chrono::NaiveDate;
use sqlx::AnyConnection;

pub async fn issue(
    w: &mut Write<'_>,
    unit_id: i64,
    year: i64,
    reason: &str,
    deadline: NaiveDate,
) -> Result<i64, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO rectification_orders (unit_id, year, reason, deadline, issued_by, issued_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(unit_id)
    .bind(year)
    .bind(reason)
    .bind(deadline.to_string())
    .bind(by)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    w.audit(
        Change::new("order.issue", "rectification_order", id).after(&serde_json::json!({
            "unit_id": unit_id, "year": year, "reason": reason, "deadline": deadline,
        })),
    )
    .await?;
    Ok(id)
}

/// Closes an open order; a closed one is not closed again.
pub async fn close(w: &mut Write<'_>, id: i64, note: &str) -> Result<(), AppError> {
    crate::platform::close_once(
        w,
        ("rectification_orders", "rectification_order", "order.close"),
        id,
        note,
        "problem.order_closed",
    )
    .await
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    unit_id: i64,
    unit_name: String,
    path: String,
    year: i64,
    reason: String,
    deadline: Day,
    issued_by: String,
    issued_at: i64,
    closed_by: Option<String>,
    closed_at: Option<i64>,
    closing_note: Option<String>,
}

/// Orders within a reach, open first, with their units' paths; `id`
/// picks one.
pub async fn within(
    c: &mut AnyConnection,
    reach: &Reach,
    today: NaiveDate,
    id: Option<i64>,
) -> Result<Vec<(OrderRow, String)>, AppError> {
    let mut binds = Vec::new();
    let Some(mut cond) = reach_clause(reach, "u.path", &mut binds) else {
        return Ok(Vec::new());
    };
    if let Some(id) = id {
        // An integer, so it can stand in the SQL text.
        cond.push_str(&format!(" AND o.id = {id}"));
    }
    let sql = format!(
        "SELECT o.id, o.unit_id, u.name AS unit_name, u.path, o.year, o.reason, o.deadline, o.issued_by, o.issued_at, \
         o.closed_by, o.closed_at, o.closing_note FROM rectification_orders o JOIN units u ON u.id = o.unit_id \
         WHERE {cond} ORDER BY o.closed_at IS NOT NULL, o.deadline, o.id"
    );
    let mut q = sqlx::query_as::<_, Stored>(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(&mut *c)
        .await?
        .into_iter()
        .map(|r| {
            let state = training::order_state(r.deadline.0, r.closed_at.is_some(), today);
            (
                OrderRow {
                    id: r.id,
                    unit_id: r.unit_id,
                    unit_name: r.unit_name,
                    year: r.year,
                    reason: r.reason,
                    deadline: r.deadline.0,
                    issued_by: r.issued_by,
                    issued_at: r.issued_at,
                    state,
                    closed_by: r.closed_by,
                    closing_note: r.closing_note,
                },
                r.path,
            )
        })
        .collect())
}
