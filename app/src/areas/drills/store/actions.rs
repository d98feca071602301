//! Corrective actions (`corrective_actions`): set after a drill, owned by
//! a unit, closed once with a note.

use super::super::dto::ActionRow;
use crate::domain::authz::Reach;
use crate::domain::drills::{ActionDef, action_overdue};
use crate::error::AppError;
use crate::platform::db::{Day, reach_clause};
use crate::platform::{Change, Write, close_once};
use chrono::NaiveDate;
use sqlx::AnyConnection;

pub async fn add(w: &mut Write<'_>, drill_id: i64, def: &ActionDef) -> Result<i64, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO corrective_actions (drill_id, description, owner_unit_id, due_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(drill_id)
    .bind(&def.description)
    .bind(def.owner_unit_id)
    .bind(def.due_on.to_string())
    .bind(by)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    w.audit(Change::new("corrective_action.add", "corrective_action", id).after(def))
        .await?;
    Ok(id)
}

/// Closes an action with a note, once.
pub async fn close(w: &mut Write<'_>, id: i64, note: &str) -> Result<(), AppError> {
    close_once(
        w,
        (
            "corrective_actions",
            "corrective_action",
            "corrective_action.close",
        ),
        id,
        note,
        "problem.action_closed",
    )
    .await
}

/// Which actions to list.
pub enum ActionFilter<'a> {
    Drill(i64),
    /// Owned by units within reach, or by this unit.
    Visible(&'a Reach, Option<i64>),
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    drill_id: i64,
    drill_title: String,
    description: String,
    owner_unit_id: i64,
    unit_name: String,
    unit_path: String,
    due_on: Day,
    closed_by: Option<String>,
    closed_at: Option<i64>,
    closing_note: Option<String>,
}

/// Corrective actions, open ones first by due date, with the owner
/// unit's path for scope checks.
pub async fn list(
    c: &mut AnyConnection,
    filter: ActionFilter<'_>,
    today: NaiveDate,
) -> Result<Vec<(ActionRow, String)>, AppError> {
    let mut binds = Vec::new();
    let clause = match filter {
        ActionFilter::Drill(id) => format!("a.drill_id = {id}"),
        ActionFilter::Visible(reach, own) => {
            let mut ors = Vec::new();
            if let Some(clause) = reach_clause(reach, "u.path", &mut binds) {
                ors.push(clause);
            }
            if let Some(u) = own {
                ors.push(format!("a.owner_unit_id = {u}"));
            }
            if ors.is_empty() {
                return Ok(Vec::new());
            }
            format!("({})", ors.join(" OR "))
        }
    };
    let sql = format!(
        "SELECT a.id, a.drill_id, d.title AS drill_title, a.description, a.owner_unit_id, \
         u.name AS unit_name, u.path AS unit_path, a.due_on, a.closed_by, a.closed_at, a.closing_note \
         FROM corrective_actions a JOIN drills d ON d.id = a.drill_id JOIN units u ON u.id = a.owner_unit_id \
         WHERE {clause} ORDER BY CASE WHEN a.closed_at IS NULL THEN 0 ELSE 1 END, a.due_on, a.id"
    );
    let mut q = sqlx::query_as::<_, Stored>(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(&mut *c)
        .await?
        .into_iter()
        .map(|r| {
            (
                ActionRow {
                    id: r.id,
                    drill_id: r.drill_id,
                    drill_title: r.drill_title,
                    description: r.description,
                    owner_unit_id: r.owner_unit_id,
                    owner_unit_name: r.unit_name,
                    due_on: r.due_on.0,
                    closed_by: r.closed_by,
                    closed_at: r.closed_at,
                    closing_note: r.closing_note,
                    overdue: action_overdue(r.due_on.0, r.closed_at.is_some(), today),
                },
                r.unit_path,
            )
        })
        .collect())
}

/// The paths of an action's owner unit and of its drill's organizer unit
/// (either one's manager may close it).
pub async fn paths(c: &mut AnyConnection, id: i64) -> Result<Option<(String, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT o.path AS owner_path, g.path AS organizer_path FROM corrective_actions a \
         JOIN units o ON o.id = a.owner_unit_id JOIN drills d ON d.id = a.drill_id \
         JOIN units g ON g.id = d.organizer_unit_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?)
}
