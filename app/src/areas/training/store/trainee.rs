//! The trainee's side: their seats in published rotations, and the
//! batches open to them for sign-up.

use super::super::dto::{BatchRow, MySeat, OpenBatch};
use super::rotations::{BATCH, StoredBatch};
use crate::error::AppError;
use crate::platform::db::{Day, Positions};
use chrono::NaiveDate;
use sqlx::AnyConnection;
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct Seat {
    plan_name: String,
    course_title: String,
    attended: i64,
    passes: i64,
    completed_on: Option<Day>,
    expires_on: Option<Day>,
    #[sqlx(flatten)]
    batch: StoredBatch,
}

/// A person's seats in published rotations, by start.
pub async fn seats(c: &mut AnyConnection, person_id: i64) -> Result<Vec<MySeat>, AppError> {
    let rows: Vec<Seat> = sqlx::query_as(
        "SELECT p.name AS plan_name, k.title AS course_title, s.attended, \
         b.id, b.plan_id, b.code, b.start_on, b.end_on, b.place, b.instructor, b.capacity, b.taken, \
         (SELECT COUNT(*) FROM quiz_attempts q WHERE q.plan_id = s.plan_id AND q.person_id = s.person_id AND q.passed = 1) AS passes, \
         c.completed_on, c.expires_on \
         FROM training_seats s JOIN training_plans p ON p.id = s.plan_id JOIN courses k ON k.id = p.course_id \
         JOIN training_batches b ON b.id = s.batch_id \
         LEFT JOIN completions c ON c.plan_id = s.plan_id AND c.person_id = s.person_id \
         WHERE s.person_id = $1 AND p.published = 1 ORDER BY b.start_on",
    )
    .bind(person_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let batch = BatchRow::from(r.batch);
            MySeat {
                plan_id: batch.plan_id,
                plan_name: r.plan_name,
                course_title: r.course_title,
                batch,
                attended: r.attended != 0,
                passed: r.passes > 0,
                completed_on: r.completed_on.map(NaiveDate::from),
                expires_on: r.expires_on.map(NaiveDate::from),
            }
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct Me {
    positions: Positions,
    path: String,
}

#[derive(sqlx::FromRow)]
struct Candidate {
    id: i64,
    name: String,
    year: i64,
    course_id: i64,
    positions: Positions,
    course_title: String,
    unit_path: Option<String>,
}

/// Batches of published self-sign-up rotations that target the person,
/// where they hold no seat yet, that have a free seat and start after
/// today.
pub async fn open_batches(
    c: &mut AnyConnection,
    person_id: i64,
    today: NaiveDate,
) -> Result<Vec<OpenBatch>, AppError> {
    // Four queries whatever the number of rotations (it was three per
    // rotation): the person, the rotations open to sign-up that they have
    // no seat in, those rotations' batches with room that start after
    // today, and the person's completions. Who a rotation targets is then
    // decided here, by the same rules as `targets::all`.
    let Some(me): Option<Me> = sqlx::query_as(
        "SELECT pe.positions, u.path FROM people pe JOIN units u ON u.id = pe.unit_id WHERE pe.id = $1",
    )
    .bind(person_id)
    .fetch_optional(&mut *c)
    .await?
    else {
        return Ok(Vec::new());
    };
    const OPEN: &str = "p.published = 1 AND p.self_signup = 1 \
         AND NOT EXISTS (SELECT 1 FROM training_seats s WHERE s.plan_id = p.id AND s.person_id = $1)";
    let rotations: Vec<Candidate> = sqlx::query_as(&format!(
        "SELECT p.id, p.name, p.year, p.course_id, p.positions, c.title AS course_title, u.path AS unit_path \
         FROM training_plans p JOIN courses c ON c.id = p.course_id LEFT JOIN units u ON u.id = p.unit_id \
         WHERE {OPEN} ORDER BY p.id"
    ))
    .bind(person_id)
    .fetch_all(&mut *c)
    .await?;
    if rotations.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<StoredBatch> = sqlx::query_as(&format!(
        "{BATCH} WHERE taken < capacity AND start_on > $2 \
         AND plan_id IN (SELECT p.id FROM training_plans p WHERE {OPEN}) ORDER BY plan_id, start_on, code"
    ))
    .bind(person_id)
    .bind(today.to_string())
    .fetch_all(&mut *c)
    .await?;
    let completed: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT course_id, year, plan_id FROM completions WHERE person_id = $1")
            .bind(person_id)
            .fetch_all(&mut *c)
            .await?;
    let mine = &me.positions.0;
    let targeted = |p: &Candidate| {
        p.positions.0.iter().any(|x| mine.contains(x))
            && p.unit_path
                .as_deref()
                .is_none_or(|path| me.path.starts_with(path))
            && !completed.iter().any(|&(course, year, rotation)| {
                course == p.course_id && year == p.year && rotation != p.id
            })
    };
    let open: HashMap<i64, &Candidate> = rotations
        .iter()
        .filter(|p| targeted(p))
        .map(|p| (p.id, p))
        .collect();
    Ok(rows
        .into_iter()
        .map(BatchRow::from)
        .filter_map(|batch| {
            open.get(&batch.plan_id).map(|r| OpenBatch {
                plan_name: r.name.clone(),
                course_title: r.course_title.clone(),
                batch,
            })
        })
        .collect())
}
