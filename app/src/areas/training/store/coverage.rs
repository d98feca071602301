//! What a year's rotations require of whom and what was completed (the
//! coverage the assessment's `training_coverage` is computed from), and
//! the hours (学时) credited for attended batches.

use super::super::dto::HoursLine;
use super::unreadable;
use super::{rotations, targets};
use crate::domain::training::CourseDef;
use crate::error::AppError;
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashSet};

/// (person, unit, courses required of them) and the (person, course)
/// completions of the year.
pub type RequiredAndDone = (Vec<(i64, i64, Vec<i64>)>, HashSet<(i64, i64)>);

/// Who the rotations of a year require, and what was completed that year.
pub async fn required_and_done(
    c: &mut AnyConnection,
    year: i64,
) -> Result<RequiredAndDone, AppError> {
    let mut required: BTreeMap<i64, (i64, Vec<i64>)> = BTreeMap::new();
    for id in rotations::ids_of_year(c, year).await? {
        let Some(rotation) = rotations::get(c, id).await? else {
            continue;
        };
        for t in targets::all(c, &rotation, false).await? {
            let entry = required
                .entry(t.person_id)
                .or_insert((t.unit_id, Vec::new()));
            if !entry.1.contains(&rotation.def.course_id) {
                entry.1.push(rotation.def.course_id);
            }
        }
    }
    let done: Vec<(i64, i64)> =
        sqlx::query_as("SELECT person_id, course_id FROM completions WHERE year = $1")
            .bind(year)
            .fetch_all(&mut *c)
            .await?;
    let list = required
        .into_iter()
        .map(|(person, (unit, courses))| (person, unit, courses))
        .collect();
    Ok((list, done.into_iter().collect()))
}

#[derive(sqlx::FromRow)]
struct Attended {
    person_id: i64,
    year: i64,
    title: String,
    name: String,
    definition: String,
}

/// Hours (学时) credited: for every batch a person attended, the hours of
/// its course, in the rotation's year. For one year or all, one person or
/// all; by person, then year.
pub async fn credited_hours(
    c: &mut AnyConnection,
    year: Option<i64>,
    person: Option<i64>,
) -> Result<Vec<HoursLine>, AppError> {
    let rows: Vec<Attended> = sqlx::query_as(
        "SELECT s.person_id, p.year, k.title, p.name, k.definition FROM training_seats s \
         JOIN training_plans p ON p.id = s.plan_id JOIN courses k ON k.id = p.course_id \
         WHERE s.attended = 1 AND ($1 IS NULL OR p.year = $1) AND ($2 IS NULL OR s.person_id = $2) \
         ORDER BY s.person_id, p.year DESC, p.id",
    )
    .bind(year)
    .bind(person)
    .fetch_all(&mut *c)
    .await?;
    rows.into_iter()
        .map(|r| {
            let def: CourseDef =
                serde_json::from_str(&r.definition).map_err(|e| unreadable("course", e))?;
            Ok(HoursLine {
                person_id: r.person_id,
                year: r.year,
                course_title: r.title,
                plan_name: r.name,
                hours: def.hours,
            })
        })
        .collect()
}

/// A person in the coverage export: who and where.
#[derive(sqlx::FromRow)]
pub struct ExportPerson {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub unit_code: String,
    pub unit_name: String,
    pub path: String,
}

/// These people with their units, for the coverage export.
pub async fn people(c: &mut AnyConnection, ids: &[i64]) -> Result<Vec<ExportPerson>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT p.id, p.code, p.name, u.code AS unit_code, u.name AS unit_name, u.path \
         FROM people p JOIN units u ON u.id = p.unit_id WHERE p.id IN ({})",
        crate::platform::db::id_list(ids)
    );
    Ok(sqlx::query_as(&sql).fetch_all(&mut *c).await?)
}
