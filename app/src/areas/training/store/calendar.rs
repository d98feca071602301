//! Batches on the calendar: a period's published batches as a caller sees
//! them, a unit's (for its feed), and every batch on some days with its
//! seated people (what a new drill could clash with).

use crate::domain::authz::Reach;
use crate::error::AppError;
use crate::platform::db::{Day, id_list, reach_clause};
use chrono::NaiveDate;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// A batch with its rotation's name, on the days it runs.
#[derive(sqlx::FromRow)]
pub struct BatchDays {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub place: String,
    pub start_on: Day,
    pub end_on: Day,
    pub plan_id: i64,
}

const SELECT: &str = "SELECT b.id, b.code, p.name, b.place, b.start_on, b.end_on, p.id AS plan_id \
     FROM training_batches b JOIN training_plans p ON p.id = b.plan_id";

/// Published batches touching `first..=last` that a caller reaching
/// `reach` sees: its rotation's unit or a seated person's unit is within
/// reach (a district-wide rotation has no unit: seen everywhere only, or
/// by its seats); narrowed to a unit subtree when `unit_path` is given.
pub async fn published_in(
    c: &mut AnyConnection,
    reach: &Reach,
    (first, last): (NaiveDate, NaiveDate),
    unit_path: Option<&str>,
) -> Result<Vec<BatchDays>, AppError> {
    let mut binds = vec![last.to_string(), first.to_string()];
    let within = |binds: &mut Vec<String>, reach: &Reach| -> Option<String> {
        let seats = reach_clause(reach, "u.path", binds)?;
        let rotations = reach_clause(reach, "u.path", binds)?;
        Some(format!(
            "(EXISTS (SELECT 1 FROM training_seats s JOIN people pe ON pe.id = s.person_id JOIN units u ON u.id = pe.unit_id \
             WHERE s.batch_id = b.id AND {seats}) \
             OR EXISTS (SELECT 1 FROM units u WHERE u.id = p.unit_id AND {rotations}) \
             OR ({everywhere} AND p.unit_id IS NULL))",
            everywhere = if *reach == Reach::Everywhere {
                "1 = 1"
            } else {
                "1 = 0"
            },
        ))
    };
    let Some(seen) = within(&mut binds, reach) else {
        return Ok(Vec::new());
    };
    let mut sql = format!(
        "{SELECT} WHERE p.published = 1 AND b.start_on <= $1 AND b.end_on >= $2 AND {seen}"
    );
    if let Some(path) = unit_path {
        let subtree = Reach::Subtrees(vec![path.to_string()]);
        if let Some(clause) = within(&mut binds, &subtree) {
            sql.push_str(&format!(" AND {clause}"));
        }
    }
    sql.push_str(" ORDER BY b.start_on, b.id");
    let mut q = sqlx::query_as::<_, BatchDays>(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(&mut *c).await?)
}

/// The published batches the people of `unit` sit in.
pub async fn published_of_unit(
    c: &mut AnyConnection,
    unit: i64,
) -> Result<Vec<BatchDays>, AppError> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE p.published = 1 AND EXISTS (SELECT 1 FROM training_seats s \
         JOIN people pe ON pe.id = s.person_id WHERE s.batch_id = b.id AND pe.unit_id = $1) \
         ORDER BY b.start_on, b.id"
    ))
    .bind(unit)
    .fetch_all(&mut *c)
    .await?)
}

/// Every batch touching `first..=last`, published or not, with the ids of
/// the people seated in it (one query for the seats of all of them).
pub async fn on_days(
    c: &mut AnyConnection,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<Vec<(BatchDays, Vec<i64>)>, AppError> {
    let batches: Vec<BatchDays> = sqlx::query_as(&format!(
        "{SELECT} WHERE b.start_on <= $1 AND b.end_on >= $2 ORDER BY b.start_on, b.id"
    ))
    .bind(last.to_string())
    .bind(first.to_string())
    .fetch_all(&mut *c)
    .await?;
    let mut seats: HashMap<i64, Vec<i64>> = HashMap::new();
    let ids: Vec<i64> = batches.iter().map(|b| b.id).collect();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT batch_id, person_id FROM training_seats WHERE batch_id IN ({}) ORDER BY batch_id, person_id",
            id_list(chunk)
        ))
        .fetch_all(&mut *c)
        .await?;
        for (batch, person) in rows {
            seats.entry(batch).or_default().push(person);
        }
    }
    Ok(batches
        .into_iter()
        .map(|b| {
            let seated = seats.remove(&b.id).unwrap_or_default();
            (b, seated)
        })
        .collect())
}
