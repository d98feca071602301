//! Completions of a course (attendance, and the quiz where the course has
//! one), recorded and withdrawn to match, and clearance for post.

use crate::domain::person::Position;
use crate::domain::training;
use crate::error::AppError;
use crate::platform::db::Day;
use crate::platform::{Change, Write};
use chrono::NaiveDate;
use sqlx::AnyConnection;
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct Stored {
    completed_on: Day,
    expires_on: Option<Day>,
}

/// The completion of a rotation's course by a person, if recorded:
/// (completed on, expires on).
pub async fn of(
    c: &mut AnyConnection,
    rotation: i64,
    person_id: i64,
) -> Result<Option<(NaiveDate, Option<NaiveDate>)>, AppError> {
    let row: Option<Stored> = sqlx::query_as(
        "SELECT completed_on, expires_on FROM completions WHERE plan_id = $1 AND person_id = $2",
    )
    .bind(rotation)
    .bind(person_id)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.map(|r| (r.completed_on.0, r.expires_on.map(NaiveDate::from))))
}

/// Records a completion on `on` (valid until `expires`); returns its id.
pub async fn record(
    w: &mut Write<'_>,
    (rotation, course, year): (i64, i64, i32),
    person_id: i64,
    on: NaiveDate,
    expires: Option<NaiveDate>,
) -> Result<i64, AppError> {
    let at = w.at;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO completions (plan_id, course_id, person_id, year, completed_on, expires_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(rotation)
    .bind(course)
    .bind(person_id)
    .bind(i64::from(year))
    .bind(on.to_string())
    .bind(expires.map(|d| d.to_string()))
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    w.audit(
        Change::new(
            "completion.record",
            "completion",
            format!("{rotation}/{person_id}"),
        )
        .after(&serde_json::json!({ "on": on, "expires": expires })),
    )
    .await?;
    Ok(id)
}

/// Withdraws a completion recorded on `on` (attendance taken back).
pub async fn withdraw(
    w: &mut Write<'_>,
    rotation: i64,
    person_id: i64,
    on: NaiveDate,
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM completions WHERE plan_id = $1 AND person_id = $2")
        .bind(rotation)
        .bind(person_id)
        .execute(w.conn())
        .await?;
    w.audit(
        Change::new(
            "completion.withdraw",
            "completion",
            format!("{rotation}/{person_id}"),
        )
        .before(&serde_json::json!({ "on": on })),
    )
    .await?;
    Ok(())
}

/// Each of these people's unit (where their completions count).
pub async fn units_of(c: &mut AnyConnection, people: &[i64]) -> Result<Vec<i64>, AppError> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::platform::db::id_list(people);
    Ok(sqlx::query_scalar(&format!(
        "SELECT DISTINCT unit_id FROM people WHERE id IN ({list}) ORDER BY unit_id"
    ))
    .fetch_all(&mut *c)
    .await?)
}

#[derive(sqlx::FromRow)]
struct Pass {
    person_id: i64,
    course_id: i64,
    expires_on: Option<Day>,
}

/// Which of these people (id, positions) are cleared for post on `today`;
/// people the rule does not apply to are left out.
pub async fn clearance(
    c: &mut AnyConnection,
    people: &[(i64, Vec<Position>)],
    today: NaiveDate,
) -> Result<HashMap<i64, bool>, AppError> {
    if !people
        .iter()
        .any(|(_, held)| held.contains(&Position::EnterpriseWorker))
    {
        return Ok(HashMap::new());
    }
    let required: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM courses WHERE category = 'enterprise_safety' AND audience LIKE '%|enterprise_worker|%' ORDER BY id",
    )
    .fetch_all(&mut *c)
    .await?;
    let rows: Vec<Pass> = sqlx::query_as(
        "SELECT c.person_id, c.course_id, c.expires_on FROM completions c JOIN courses k ON k.id = c.course_id \
         WHERE k.category = 'enterprise_safety'",
    )
    .fetch_all(&mut *c)
    .await?;
    let mut passed: HashMap<i64, HashMap<i64, Option<NaiveDate>>> = HashMap::new();
    for r in rows {
        let by_course = passed.entry(r.person_id).or_default();
        let expires = r.expires_on.map(NaiveDate::from);
        let best = match (by_course.get(&r.course_id), expires) {
            (Some(None), _) | (_, None) => None,
            (Some(Some(a)), Some(b)) => Some((*a).max(b)),
            (None, Some(b)) => Some(b),
        };
        by_course.insert(r.course_id, best);
    }
    let empty = HashMap::new();
    Ok(people
        .iter()
        .filter_map(|(id, held)| {
            training::cleared_for_post(held, &required, passed.get(id).unwrap_or(&empty), today)
                .map(|ok| (*id, ok))
        })
        .collect())
}

/// How many completions a unit's people have in one rotation.
#[derive(sqlx::FromRow)]
pub struct PerUnit {
    pub unit_id: i64,
    pub plan_id: i64,
    pub name: String,
    pub n: i64,
}

/// Completions of `year` counted per unit and rotation.
pub async fn per_unit(c: &mut AnyConnection, year: i32) -> Result<Vec<PerUnit>, AppError> {
    Ok(sqlx::query_as(
        "SELECT p.unit_id, c.plan_id, t.name, COUNT(*) AS n FROM completions c \
         JOIN people p ON p.id = c.person_id JOIN training_plans t ON t.id = c.plan_id \
         WHERE c.year = $1 GROUP BY p.unit_id, c.plan_id, t.name ORDER BY c.plan_id",
    )
    .bind(i64::from(year))
    .fetch_all(&mut *c)
    .await?)
}
