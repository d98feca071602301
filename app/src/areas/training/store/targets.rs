//! Who a rotation trains (people holding one of its positions, in its
//! subtree), each unit's duty (staff and minimum on duty), and the days
//! people cannot come.

use super::super::dto::StoredPlan;
use crate::domain::person::Position;
use crate::domain::scheduler;
use crate::error::AppError;
use crate::platform::db::{Day, Positions};
use chrono::NaiveDate;
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};

/// Someone a rotation targets.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Target {
    #[sqlx(rename = "id")]
    pub person_id: i64,
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    #[sqlx(try_from = "Positions")]
    pub positions: Vec<Position>,
}

/// The people a rotation targets: holding one of its positions, in its
/// subtree; without those who completed its course this year in another
/// rotation when `exclude_completed`.
pub async fn all(
    c: &mut AnyConnection,
    rotation: &StoredPlan,
    exclude_completed: bool,
) -> Result<Vec<Target>, AppError> {
    matching(c, rotation, exclude_completed, None).await
}

/// One person, if the rotation targets them and they have not completed
/// its course this year in another rotation.
pub async fn one(
    c: &mut AnyConnection,
    rotation: &StoredPlan,
    person_id: i64,
) -> Result<Option<Target>, AppError> {
    Ok(matching(c, rotation, true, Some(person_id)).await?.pop())
}

async fn matching(
    c: &mut AnyConnection,
    rotation: &StoredPlan,
    exclude_completed: bool,
    only: Option<i64>,
) -> Result<Vec<Target>, AppError> {
    if rotation.def.positions.is_empty() {
        // A rotation trains holders of its positions; none, nobody (its
        // form requires one, so this is a stored row out of shape).
        return Ok(Vec::new());
    }
    let mut binds: Vec<String> = Vec::new();
    let mut ors = Vec::new();
    for p in &rotation.def.positions {
        binds.push(format!("%|{}|%", p.code()));
        ors.push(format!("pe.positions LIKE ${}", binds.len()));
    }
    let mut sql = format!(
        "SELECT pe.id, pe.code, pe.name, pe.unit_id, pe.positions FROM people pe JOIN units u ON u.id = pe.unit_id WHERE ({})",
        ors.join(" OR ")
    );
    if let Some(path) = &rotation.unit_path {
        binds.push(format!("{path}%"));
        sql.push_str(&format!(" AND u.path LIKE ${}", binds.len()));
    }
    if let Some(id) = only {
        // An integer, so it can stand in the SQL text.
        sql.push_str(&format!(" AND pe.id = {id}"));
    }
    sql.push_str(" ORDER BY u.path, pe.code");
    let mut q = sqlx::query_as::<_, Target>(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *c).await?;
    let done: HashSet<i64> = if exclude_completed {
        sqlx::query_scalar(
            "SELECT person_id FROM completions WHERE course_id = $1 AND year = $2 AND plan_id <> $3",
        )
        .bind(rotation.def.course_id)
        .bind(i64::from(rotation.def.year))
        .bind(rotation.id)
        .fetch_all(&mut *c)
        .await?
        .into_iter()
        .collect()
    } else {
        HashSet::new()
    };
    Ok(rows
        .into_iter()
        .filter(|t| !done.contains(&t.person_id))
        .collect())
}

#[derive(sqlx::FromRow)]
struct Duty {
    id: i64,
    code: String,
    min_on_duty: i64,
    staff: i64,
}

/// Each unit's code, staff (its people) and minimum on duty.
pub async fn unit_duty(c: &mut AnyConnection) -> Result<HashMap<i64, scheduler::Unit>, AppError> {
    let rows: Vec<Duty> = sqlx::query_as(
        "SELECT u.id, u.code, u.min_on_duty, (SELECT COUNT(*) FROM people p WHERE p.unit_id = u.id) AS staff FROM units u",
    )
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.id,
                scheduler::Unit {
                    code: r.code,
                    staff: r.staff,
                    min_on_duty: r.min_on_duty,
                },
            )
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct Away {
    person_id: i64,
    start_on: Day,
    end_on: Day,
}

#[derive(sqlx::FromRow)]
struct InDrill {
    person_id: i64,
    start_at: i64,
    end_at: i64,
}

/// The days people cannot attend: recorded leave, the batches of other
/// rotations they hold a seat in, and the days of drills they take part
/// in (a read of the drills' tables: the unavailability model the
/// scheduler shares with them).
pub async fn busy_days(
    c: &mut AnyConnection,
    except_rotation: i64,
    person: Option<i64>,
) -> Result<HashMap<i64, Vec<(NaiveDate, NaiveDate)>>, AppError> {
    let who = if person.is_some() {
        "AND person_id = $2"
    } else {
        "AND $2 = $2"
    };
    busy_where(c, except_rotation, who, person.unwrap_or(0)).await
}

/// The busy days of the people of one unit, every rotation counted.
pub async fn busy_days_of_unit(
    c: &mut AnyConnection,
    unit: i64,
) -> Result<HashMap<i64, Vec<(NaiveDate, NaiveDate)>>, AppError> {
    busy_where(
        c,
        0,
        "AND person_id IN (SELECT id FROM people WHERE unit_id = $2)",
        unit,
    )
    .await
}

/// Busy days of the people `who` picks (a condition on `person_id` with
/// `$2` bound to `arg`), seats of rotation `except_rotation` left out.
async fn busy_where(
    c: &mut AnyConnection,
    except_rotation: i64,
    who: &str,
    arg: i64,
) -> Result<HashMap<i64, Vec<(NaiveDate, NaiveDate)>>, AppError> {
    let rows: Vec<Away> = sqlx::query_as(&format!(
        "SELECT person_id, start_on, end_on FROM leave_days WHERE $1 = $1 {who} \
         UNION ALL \
         SELECT s.person_id, b.start_on, b.end_on FROM training_seats s JOIN training_batches b ON b.id = s.batch_id \
         WHERE s.plan_id <> $1 {}",
        who.replace("person_id", "s.person_id")
    ))
    .bind(except_rotation)
    .bind(arg)
    .fetch_all(&mut *c)
    .await?;
    let mut out: HashMap<i64, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    for r in rows {
        out.entry(r.person_id)
            .or_default()
            .push((r.start_on.0, r.end_on.0));
    }
    let drills: Vec<InDrill> = sqlx::query_as(&format!(
        "SELECT dp.person_id, d.start_at, d.end_at FROM drill_people dp JOIN drills d ON d.id = dp.drill_id \
         WHERE $1 = $1 {}",
        who.replace("person_id", "dp.person_id")
    ))
    .bind(except_rotation)
    .bind(arg)
    .fetch_all(&mut *c)
    .await?;
    for r in drills {
        // An instant off the calendar is an error, not 1970-01-01.
        let day = |t: i64| {
            crate::domain::local_date(t).ok_or_else(|| {
                tracing::error!(t, "a drill time off the calendar");
                AppError::Internal
            })
        };
        let first = day(r.start_at)?;
        // A drill that ends at midnight does not touch the next day.
        let last = day((r.end_at - 1).max(r.start_at))?;
        out.entry(r.person_id).or_default().push((first, last));
    }
    Ok(out)
}
