//! Rotations (轮训计划: a year's batches of a course for some positions,
//! district-wide or in one unit's subtree) and their batches.

use super::super::dto::{BatchRow, PlanSummary, StoredPlan};
use super::year;
use crate::domain::Problem;
use crate::domain::authz::Reach;
use crate::domain::person::Position;
use crate::domain::training::{BatchDef, PlanDef};
use crate::error::AppError;
use crate::platform::db::{Day, Positions, reach_clause};
use crate::platform::{Change, Write};
use sqlx::AnyConnection;

const SELECT: &str = "SELECT p.id, p.code, p.name, p.year, p.course_id, p.positions, p.unit_id, p.self_signup, p.published, \
     c.title AS course_title, u.name AS unit_name, u.path AS unit_path \
     FROM training_plans p JOIN courses c ON c.id = p.course_id LEFT JOIN units u ON u.id = p.unit_id";

pub(super) const BATCH: &str = "SELECT id, plan_id, code, start_on, end_on, place, instructor, capacity, taken FROM training_batches";

/// A batch as stored.
#[derive(sqlx::FromRow)]
pub(super) struct StoredBatch {
    id: i64,
    plan_id: i64,
    code: String,
    start_on: Day,
    end_on: Day,
    place: String,
    instructor: String,
    capacity: i64,
    taken: i64,
}

impl From<StoredBatch> for BatchRow {
    fn from(b: StoredBatch) -> BatchRow {
        BatchRow {
            id: b.id,
            plan_id: b.plan_id,
            code: b.code,
            start: b.start_on.0,
            end: b.end_on.0,
            place: b.place,
            instructor: b.instructor,
            capacity: b.capacity,
            taken: b.taken,
        }
    }
}

pub async fn batches(c: &mut AnyConnection, rotation: i64) -> Result<Vec<BatchRow>, AppError> {
    let rows: Vec<StoredBatch> = sqlx::query_as(&format!(
        "{BATCH} WHERE plan_id = $1 ORDER BY start_on, code"
    ))
    .bind(rotation)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.into_iter().map(BatchRow::from).collect())
}

pub async fn batch(c: &mut AnyConnection, id: i64) -> Result<Option<BatchRow>, AppError> {
    let row: Option<StoredBatch> = sqlx::query_as(&format!("{BATCH} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.map(BatchRow::from))
}

#[derive(sqlx::FromRow)]
struct Stored {
    code: String,
    name: String,
    year: i64,
    course_id: i64,
    positions: Positions,
    unit_id: Option<i64>,
    self_signup: i64,
    published: i64,
    course_title: String,
    unit_name: Option<String>,
    unit_path: Option<String>,
}

pub async fn get(c: &mut AnyConnection, id: i64) -> Result<Option<StoredPlan>, AppError> {
    let Some(r): Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    else {
        return Ok(None);
    };
    let list = batches(c, id).await?;
    Ok(Some(StoredPlan {
        id,
        def: PlanDef {
            code: r.code,
            name: r.name,
            year: year(r.year)?,
            course_id: r.course_id,
            positions: r.positions.0,
            unit_id: r.unit_id,
            self_signup: r.self_signup != 0,
            batches: list
                .into_iter()
                .map(|b| BatchDef {
                    code: b.code,
                    start: b.start,
                    end: b.end,
                    place: b.place,
                    instructor: b.instructor,
                    capacity: b.capacity,
                })
                .collect(),
        },
        course_title: r.course_title,
        unit_name: r.unit_name,
        unit_path: r.unit_path,
        published: r.published != 0,
    }))
}

/// The ids of a year's rotations.
pub async fn ids_of_year(c: &mut AnyConnection, year: i64) -> Result<Vec<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM training_plans WHERE year = $1 ORDER BY id")
            .bind(year)
            .fetch_all(&mut *c)
            .await?,
    )
}

#[derive(sqlx::FromRow)]
struct Line {
    id: i64,
    code: String,
    name: String,
    year: i64,
    course_title: String,
    batches: i64,
    seats: i64,
    capacity: i64,
    published: i64,
    self_signup: i64,
}

/// The rotations of units within `reach`, and district-wide ones (no
/// unit) when the reach is everywhere.
pub async fn list(c: &mut AnyConnection, reach: &Reach) -> Result<Vec<PlanSummary>, AppError> {
    // A district-wide rotation has no unit: `u.path` is NULL and only the
    // everywhere clause (`1 = 1`) keeps it.
    let mut binds = Vec::new();
    let Some(within) = reach_clause(reach, "u.path", &mut binds) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT p.id, p.code, p.name, p.year, p.published, p.self_signup, c.title AS course_title, \
         (SELECT COUNT(*) FROM training_batches b WHERE b.plan_id = p.id) AS batches, \
         (SELECT COUNT(*) FROM training_seats s WHERE s.plan_id = p.id) AS seats, \
         (SELECT CAST(COALESCE(SUM(b.capacity), 0) AS BIGINT) FROM training_batches b WHERE b.plan_id = p.id) AS capacity \
         FROM training_plans p JOIN courses c ON c.id = p.course_id LEFT JOIN units u ON u.id = p.unit_id \
         WHERE {within} ORDER BY p.year DESC, p.code"
    );
    let mut q = sqlx::query_as::<_, Line>(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(&mut *c)
        .await?
        .into_iter()
        .map(|r| PlanSummary {
            id: r.id,
            code: r.code,
            name: r.name,
            year: r.year,
            course_title: r.course_title,
            batches: r.batches,
            seats: r.seats,
            capacity: r.capacity,
            published: r.published != 0,
            self_signup: r.self_signup != 0,
        })
        .collect())
}

/// Creates or changes a rotation. A published one is not changed;
/// changing a draft replaces its batches and clears its draft roster (the
/// scheduler runs again on the new batches).
pub async fn save(w: &mut Write<'_>, id: Option<i64>, def: &PlanDef) -> Result<i64, AppError> {
    let positions = Position::encode_list(&def.positions);
    let at = w.at;
    let (id, change) = match id {
        Some(id) => {
            let before = get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
            if before.published {
                return Err(AppError::Conflict(Problem::new("problem.plan_published")));
            }
            sqlx::query(
                "UPDATE training_plans SET code = $1, name = $2, year = $3, course_id = $4, positions = $5, unit_id = $6, \
                 self_signup = $7, updated_at = $8 WHERE id = $9",
            )
            .bind(&def.code)
            .bind(&def.name)
            .bind(i64::from(def.year))
            .bind(def.course_id)
            .bind(&positions)
            .bind(def.unit_id)
            .bind(i64::from(def.self_signup))
            .bind(at)
            .bind(id)
            .execute(w.conn())
            .await?;
            for table in ["training_seats", "training_unplaced", "training_batches"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE plan_id = $1"))
                    .bind(id)
                    .execute(w.conn())
                    .await?;
            }
            (
                id,
                Change::new("plan.update", "plan", id).before(&before.def),
            )
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO training_plans (code, name, year, course_id, positions, unit_id, self_signup, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(&def.code)
            .bind(&def.name)
            .bind(i64::from(def.year))
            .bind(def.course_id)
            .bind(&positions)
            .bind(def.unit_id)
            .bind(i64::from(def.self_signup))
            .bind(at)
            .fetch_one(w.conn())
            .await?;
            (id, Change::new("plan.create", "plan", id))
        }
    };
    for b in &def.batches {
        sqlx::query(
            "INSERT INTO training_batches (plan_id, code, start_on, end_on, place, instructor, capacity, taken) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0)",
        )
        .bind(id)
        .bind(&b.code)
        .bind(b.start.to_string())
        .bind(b.end.to_string())
        .bind(&b.place)
        .bind(&b.instructor)
        .bind(b.capacity)
        .execute(w.conn())
        .await?;
    }
    w.audit(change.after(def)).await?;
    Ok(id)
}

/// A seat of a rotation being published: whom to tell where they sit.
#[derive(sqlx::FromRow)]
pub struct PublishedSeat {
    pub person_id: i64,
    pub code: String,
    pub start_on: String,
    pub end_on: String,
    pub place: String,
    pub name: String,
}

/// Marks a draft rotation published (once) and returns its seats, for the
/// notices; audited with their number.
pub async fn publish(w: &mut Write<'_>, id: i64) -> Result<Vec<PublishedSeat>, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let done = sqlx::query(
        "UPDATE training_plans SET published = 1, published_at = $1, published_by = $2 WHERE id = $3 AND published = 0",
    )
    .bind(at)
    .bind(by)
    .bind(id)
    .execute(w.conn())
    .await?;
    crate::platform::db::changed(&done, Problem::new("problem.plan_published"))?;
    let seats: Vec<PublishedSeat> = sqlx::query_as(
        "SELECT s.person_id, b.code, b.start_on, b.end_on, b.place, p.name FROM training_seats s \
         JOIN training_batches b ON b.id = s.batch_id JOIN training_plans p ON p.id = s.plan_id WHERE s.plan_id = $1",
    )
    .bind(id)
    .fetch_all(w.conn())
    .await?;
    w.audit(
        Change::new("plan.publish", "plan", id)
            .after(&serde_json::json!({ "notified": seats.len() })),
    )
    .await?;
    Ok(seats)
}
