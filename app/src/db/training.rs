//! Storage of training rotations: courses, plans and batches, the roster
//! (seats, with each batch's `taken` kept beside them so that a sign-up is
//! one guarded UPDATE), leave, quiz attempts, completions, notifications,
//! rectification orders and the calendar-feed tokens. Reads that need
//! several queries take a connection (a pooled one or a transaction's);
//! every write records an audit row in the caller's transaction.

use super::audit::{self, Actor};
use super::{Val, day, opt_day};
use crate::domain::Problem;
use crate::domain::course::{self, Graded};
use crate::domain::person::Position;
use crate::domain::training::{self, CourseDef, Coverage, PlanDef};
use crate::error::AppError;
use crate::model::{
    AttemptRow, BatchRow, CourseSummary, HoursLine, LeaveRow, MySeat, Notice, OpenBatch, OrderRow,
    PlanSummary, SeatRow, StoredCourse, StoredPlan, UnplacedRow,
};
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};
use std::collections::{BTreeMap, HashMap, HashSet};

type Tx<'a> = Transaction<'a, Any>;

fn flag(r: &AnyRow, col: &str) -> bool {
    r.get::<i64, _>(col) != 0
}

fn unreadable(what: &str, e: serde_json::Error) -> AppError {
    tracing::error!(error = %e, what, "unreadable stored JSON");
    AppError::Internal
}

// ---- courses ----

fn course_of(r: &AnyRow) -> Result<StoredCourse, AppError> {
    let text: String = r.get("definition");
    Ok(StoredCourse {
        id: r.get("id"),
        def: serde_json::from_str(&text).map_err(|e| unreadable("course", e))?,
    })
}

pub async fn list_courses(c: &mut AnyConnection) -> Result<Vec<CourseSummary>, AppError> {
    let rows = sqlx::query("SELECT id, definition FROM courses ORDER BY code")
        .fetch_all(&mut *c)
        .await?;
    rows.iter()
        .map(|r| {
            let s = course_of(r)?;
            Ok(CourseSummary {
                id: s.id,
                code: s.def.code.clone(),
                title: s.def.title.clone(),
                category: s.def.category,
                audience: s.def.audience.clone(),
                hours: s.def.hours,
                lessons: s.def.lessons.len(),
                questions: s.def.quiz.as_ref().map_or(0, |q| q.questions.len()),
                certify_months: s.def.certify_months,
            })
        })
        .collect()
}

pub async fn get_course(c: &mut AnyConnection, id: i64) -> Result<Option<StoredCourse>, AppError> {
    let row = sqlx::query("SELECT id, definition FROM courses WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.as_ref().map(course_of).transpose()
}

/// Creates (`id` None) or changes a course.
pub async fn save_course(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    id: Option<i64>,
    def: &CourseDef,
) -> Result<i64, AppError> {
    let text = serde_json::to_string(def).map_err(|e| unreadable("course", e))?;
    let audience = Position::encode_list(&def.audience);
    let (id, before) = match id {
        Some(id) => {
            let before = get_course(tx, id).await?.ok_or(AppError::NotFound)?;
            sqlx::query(
                "UPDATE courses SET code = $1, title = $2, category = $3, audience = $4, definition = $5, updated_at = $6 WHERE id = $7",
            )
            .bind(&def.code)
            .bind(&def.title)
            .bind(def.category.code())
            .bind(&audience)
            .bind(&text)
            .bind(at)
            .bind(id)
            .execute(&mut **tx)
            .await?;
            (id, audit::json(&before.def))
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO courses (code, title, category, audience, definition, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(&def.code)
            .bind(&def.title)
            .bind(def.category.code())
            .bind(&audience)
            .bind(&text)
            .bind(at)
            .fetch_one(&mut **tx)
            .await?;
            (id, None)
        }
    };
    audit::record(
        tx,
        actor,
        at,
        if before.is_some() {
            "course.update"
        } else {
            "course.create"
        },
        "course",
        &id.to_string(),
        before,
        Some(text),
    )
    .await?;
    Ok(id)
}

// ---- plans and batches ----

const PLAN: &str = "SELECT p.id, p.code, p.name, p.year, p.course_id, p.positions, p.unit_id, p.self_signup, p.published, \
     c.title AS course_title, u.name AS unit_name, u.path AS unit_path \
     FROM training_plans p JOIN courses c ON c.id = p.course_id LEFT JOIN units u ON u.id = p.unit_id";

const BATCH: &str = "SELECT id, plan_id, code, start_on, end_on, place, instructor, capacity, taken FROM training_batches";

fn batch_of(r: &AnyRow) -> Result<BatchRow, sqlx::Error> {
    Ok(BatchRow {
        id: r.get("id"),
        plan_id: r.get("plan_id"),
        code: r.get("code"),
        start: day(r, "start_on")?,
        end: day(r, "end_on")?,
        place: r.get("place"),
        instructor: r.get("instructor"),
        capacity: r.get("capacity"),
        taken: r.get("taken"),
    })
}

pub async fn batches(c: &mut AnyConnection, plan_id: i64) -> Result<Vec<BatchRow>, AppError> {
    let rows = sqlx::query(&format!(
        "{BATCH} WHERE plan_id = $1 ORDER BY start_on, code"
    ))
    .bind(plan_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(batch_of).collect::<Result<_, _>>()?)
}

pub async fn get_batch(c: &mut AnyConnection, id: i64) -> Result<Option<BatchRow>, AppError> {
    let row = sqlx::query(&format!("{BATCH} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.as_ref().map(batch_of).transpose()?)
}

pub async fn get_plan(c: &mut AnyConnection, id: i64) -> Result<Option<StoredPlan>, AppError> {
    let Some(r) = sqlx::query(&format!("{PLAN} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    else {
        return Ok(None);
    };
    let positions: String = r.get("positions");
    let list = batches(c, id).await?;
    Ok(Some(StoredPlan {
        id,
        def: PlanDef {
            code: r.get("code"),
            name: r.get("name"),
            year: r.get::<i64, _>("year") as i32,
            course_id: r.get("course_id"),
            positions: Position::decode_list(&positions),
            unit_id: r.get("unit_id"),
            self_signup: flag(&r, "self_signup"),
            batches: list
                .into_iter()
                .map(|b| training::BatchDef {
                    code: b.code,
                    start: b.start,
                    end: b.end,
                    place: b.place,
                    instructor: b.instructor,
                    capacity: b.capacity,
                })
                .collect(),
        },
        course_title: r.get("course_title"),
        unit_name: r.get("unit_name"),
        unit_path: r.get("unit_path"),
        published: flag(&r, "published"),
    }))
}

/// The plans of units within `reach`, and district-wide ones (no unit)
/// when the reach is everywhere.
pub async fn list_plans(
    c: &mut AnyConnection,
    reach: &crate::domain::authz::Reach,
) -> Result<Vec<PlanSummary>, AppError> {
    // A district-wide plan has no unit: `u.path` is NULL and only the
    // everywhere clause (`1 = 1`) keeps it.
    let mut binds = Vec::new();
    let Some(within) = super::reach_clause(reach, "u.path", &mut binds) else {
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
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *c).await?;
    Ok(rows
        .iter()
        .map(|r| PlanSummary {
            id: r.get("id"),
            code: r.get("code"),
            name: r.get("name"),
            year: r.get("year"),
            course_title: r.get("course_title"),
            batches: r.get("batches"),
            seats: r.get("seats"),
            capacity: r.get("capacity"),
            published: flag(r, "published"),
            self_signup: flag(r, "self_signup"),
        })
        .collect())
}

/// Creates or changes a plan. A published plan is not changed; changing a
/// draft replaces its batches and clears its draft roster (the scheduler
/// runs again on the new batches).
pub async fn save_plan(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    id: Option<i64>,
    def: &PlanDef,
) -> Result<i64, AppError> {
    let positions = Position::encode_list(&def.positions);
    let (id, before) = match id {
        Some(id) => {
            let before = get_plan(tx, id).await?.ok_or(AppError::NotFound)?;
            if before.published {
                return Err(AppError::Conflict(Problem::new("problem.plan_published")));
            }
            sqlx::query(
                "UPDATE training_plans SET code = $1, name = $2, year = $3, course_id = $4, positions = $5, unit_id = $6, \
                 self_signup = $7, updated_at = $8 WHERE id = $9",
            )
            .bind(&def.code)
            .bind(&def.name)
            .bind(def.year as i64)
            .bind(def.course_id)
            .bind(&positions)
            .bind(def.unit_id)
            .bind(def.self_signup as i64)
            .bind(at)
            .bind(id)
            .execute(&mut **tx)
            .await?;
            for table in ["training_seats", "training_unplaced", "training_batches"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE plan_id = $1"))
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
            }
            (id, audit::json(&before.def))
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO training_plans (code, name, year, course_id, positions, unit_id, self_signup, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(&def.code)
            .bind(&def.name)
            .bind(def.year as i64)
            .bind(def.course_id)
            .bind(&positions)
            .bind(def.unit_id)
            .bind(def.self_signup as i64)
            .bind(at)
            .fetch_one(&mut **tx)
            .await?;
            (id, None)
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
        .execute(&mut **tx)
        .await?;
    }
    audit::record(
        tx,
        actor,
        at,
        if before.is_some() {
            "plan.update"
        } else {
            "plan.create"
        },
        "plan",
        &id.to_string(),
        before,
        audit::json(def),
    )
    .await?;
    Ok(id)
}

// ---- who a plan trains, and when they cannot come ----

/// Someone a plan targets.
#[derive(Debug, Clone)]
pub struct Target {
    pub person_id: i64,
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    pub positions: Vec<Position>,
}

/// The people a plan targets: holding one of its positions, in its
/// subtree; without those who completed its course this year in another
/// plan when `exclude_completed`.
pub async fn targets(
    c: &mut AnyConnection,
    plan: &StoredPlan,
    exclude_completed: bool,
) -> Result<Vec<Target>, AppError> {
    targets_where(c, plan, exclude_completed, None).await
}

/// One person, if the plan targets them and they have not completed its
/// course this year in another plan.
pub async fn target(
    c: &mut AnyConnection,
    plan: &StoredPlan,
    person_id: i64,
) -> Result<Option<Target>, AppError> {
    Ok(targets_where(c, plan, true, Some(person_id)).await?.pop())
}

async fn targets_where(
    c: &mut AnyConnection,
    plan: &StoredPlan,
    exclude_completed: bool,
    only: Option<i64>,
) -> Result<Vec<Target>, AppError> {
    let mut binds: Vec<String> = Vec::new();
    let mut ors = Vec::new();
    for p in &plan.def.positions {
        binds.push(format!("%|{}|%", p.code()));
        ors.push(format!("pe.positions LIKE ${}", binds.len()));
    }
    let mut sql = format!(
        "SELECT pe.id, pe.code, pe.name, pe.unit_id, pe.positions FROM people pe JOIN units u ON u.id = pe.unit_id WHERE ({})",
        ors.join(" OR ")
    );
    if let Some(path) = &plan.unit_path {
        binds.push(format!("{path}%"));
        sql.push_str(&format!(" AND u.path LIKE ${}", binds.len()));
    }
    if let Some(id) = only {
        // An integer, so it can stand in the SQL text.
        sql.push_str(&format!(" AND pe.id = {id}"));
    }
    sql.push_str(" ORDER BY u.path, pe.code");
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *c).await?;
    let done: HashSet<i64> = if exclude_completed {
        sqlx::query_scalar(
            "SELECT person_id FROM completions WHERE course_id = $1 AND year = $2 AND plan_id <> $3",
        )
        .bind(plan.def.course_id)
        .bind(plan.def.year as i64)
        .bind(plan.id)
        .fetch_all(&mut *c)
        .await?
        .into_iter()
        .collect()
    } else {
        HashSet::new()
    };
    Ok(rows
        .iter()
        .filter(|r| !done.contains(&r.get::<i64, _>("id")))
        .map(|r| {
            let positions: String = r.get("positions");
            Target {
                person_id: r.get("id"),
                code: r.get("code"),
                name: r.get("name"),
                unit_id: r.get("unit_id"),
                positions: Position::decode_list(&positions),
            }
        })
        .collect())
}

/// Each unit's code, staff (its people) and minimum on duty.
pub async fn unit_duty(
    c: &mut AnyConnection,
) -> Result<HashMap<i64, crate::domain::scheduler::Unit>, AppError> {
    let rows = sqlx::query(
        "SELECT u.id, u.code, u.min_on_duty, (SELECT COUNT(*) FROM people p WHERE p.unit_id = u.id) AS staff FROM units u",
    )
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get::<i64, _>("id"),
                crate::domain::scheduler::Unit {
                    code: r.get("code"),
                    staff: r.get("staff"),
                    min_on_duty: r.get("min_on_duty"),
                },
            )
        })
        .collect())
}

/// The days people cannot attend: recorded leave, the batches of other
/// plans they hold a seat in, and the days of drills they take part in.
pub async fn busy_days(
    c: &mut AnyConnection,
    except_plan: i64,
    person: Option<i64>,
) -> Result<HashMap<i64, Vec<(NaiveDate, NaiveDate)>>, AppError> {
    let who = if person.is_some() {
        "AND person_id = $2"
    } else {
        "AND $2 = $2"
    };
    let rows = sqlx::query(&format!(
        "SELECT person_id, start_on, end_on FROM leave_days WHERE $1 = $1 {who} \
         UNION ALL \
         SELECT s.person_id, b.start_on, b.end_on FROM training_seats s JOIN training_batches b ON b.id = s.batch_id \
         WHERE s.plan_id <> $1 {}",
        who.replace("person_id", "s.person_id")
    ))
    .bind(except_plan)
    .bind(person.unwrap_or(0))
    .fetch_all(&mut *c)
    .await?;
    let mut out: HashMap<i64, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    for r in &rows {
        out.entry(r.get("person_id"))
            .or_default()
            .push((day(r, "start_on")?, day(r, "end_on")?));
    }
    let drills = sqlx::query(&format!(
        "SELECT dp.person_id, d.start_at, d.end_at FROM drill_people dp JOIN drills d ON d.id = dp.drill_id \
         WHERE $1 = $1 {}",
        who.replace("person_id", "dp.person_id")
    ))
    .bind(except_plan)
    .bind(person.unwrap_or(0))
    .fetch_all(&mut *c)
    .await?;
    for r in &drills {
        let span = crate::domain::calendar::Span::Times {
            start: r.get("start_at"),
            end: r.get("end_at"),
        };
        out.entry(r.get("person_id")).or_default().push(span.days());
    }
    Ok(out)
}

// ---- the roster ----

/// Replaces a draft plan's roster with a scheduler run.
pub async fn replace_roster(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    plan_id: i64,
    seats: &[(i64, i64)],
    unplaced: &[(i64, String)],
) -> Result<(), AppError> {
    let open =
        sqlx::query("UPDATE training_plans SET updated_at = $1 WHERE id = $2 AND published = 0")
            .bind(at)
            .bind(plan_id)
            .execute(&mut **tx)
            .await?;
    if open.rows_affected() == 0 {
        return Err(AppError::Conflict(Problem::new("problem.plan_published")));
    }
    for table in ["training_seats", "training_unplaced"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE plan_id = $1"))
            .bind(plan_id)
            .execute(&mut **tx)
            .await?;
    }
    // A roster of thousands is a few statements, not one per seat.
    let seat_rows: Vec<Vec<Val>> = seats
        .iter()
        .map(|(batch, person)| {
            vec![
                Val::Int(plan_id),
                Val::Int(*batch),
                Val::Int(*person),
                Val::Text("scheduler"),
                Val::Int(at),
            ]
        })
        .collect();
    super::insert_rows(
        tx,
        "INSERT INTO training_seats (plan_id, batch_id, person_id, source, created_at)",
        5,
        &seat_rows,
    )
    .await?;
    let unplaced_rows: Vec<Vec<Val>> = unplaced
        .iter()
        .map(|(person, reason)| vec![Val::Int(plan_id), Val::Int(*person), Val::Text(reason)])
        .collect();
    super::insert_rows(
        tx,
        "INSERT INTO training_unplaced (plan_id, person_id, reason)",
        3,
        &unplaced_rows,
    )
    .await?;
    recount(tx, plan_id).await?;
    audit::record(
        tx,
        actor,
        at,
        "plan.schedule",
        "plan",
        &plan_id.to_string(),
        None,
        Some(serde_json::json!({ "placed": seats.len(), "unplaced": unplaced.len() }).to_string()),
    )
    .await?;
    Ok(())
}

async fn recount(tx: &mut Tx<'_>, plan_id: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE training_batches SET taken = (SELECT COUNT(*) FROM training_seats s WHERE s.batch_id = training_batches.id) \
         WHERE plan_id = $1",
    )
    .bind(plan_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn roster(c: &mut AnyConnection, plan_id: i64) -> Result<Vec<SeatRow>, AppError> {
    let rows = sqlx::query(
        "SELECT s.batch_id, s.person_id, pe.code AS person_code, pe.name AS person_name, pe.unit_id, \
         u.code AS unit_code, u.name AS unit_name, s.source, s.override_reason, s.attended, \
         (SELECT COUNT(*) FROM quiz_attempts q WHERE q.plan_id = s.plan_id AND q.person_id = s.person_id AND q.passed = 1) AS passes, \
         (SELECT COUNT(*) FROM completions c WHERE c.plan_id = s.plan_id AND c.person_id = s.person_id) AS completions \
         FROM training_seats s JOIN people pe ON pe.id = s.person_id JOIN units u ON u.id = pe.unit_id \
         JOIN training_batches b ON b.id = s.batch_id WHERE s.plan_id = $1 ORDER BY b.start_on, u.path, pe.code",
    )
    .bind(plan_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .iter()
        .map(|r| SeatRow {
            batch_id: r.get("batch_id"),
            person_id: r.get("person_id"),
            person_code: r.get("person_code"),
            person_name: r.get("person_name"),
            unit_id: r.get("unit_id"),
            unit_code: r.get("unit_code"),
            unit_name: r.get("unit_name"),
            source: r.get("source"),
            override_reason: r.get("override_reason"),
            attended: flag(r, "attended"),
            passed: r.get::<i64, _>("passes") > 0,
            completed: r.get::<i64, _>("completions") > 0,
            cleared: None,
            max_away: 0,
        })
        .collect())
}

pub async fn unplaced(c: &mut AnyConnection, plan_id: i64) -> Result<Vec<UnplacedRow>, AppError> {
    let rows = sqlx::query(
        "SELECT x.person_id, pe.code, pe.name, u.name AS unit_name, x.reason FROM training_unplaced x \
         JOIN people pe ON pe.id = x.person_id JOIN units u ON u.id = pe.unit_id WHERE x.plan_id = $1 ORDER BY u.path, pe.code",
    )
    .bind(plan_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .iter()
        .map(|r| UnplacedRow {
            person_id: r.get("person_id"),
            person_code: r.get("code"),
            person_name: r.get("name"),
            unit_name: r.get("unit_name"),
            reason: r.get("reason"),
        })
        .collect())
}

/// The batch a person holds a seat in, within a plan.
pub async fn seat_of(
    c: &mut AnyConnection,
    plan_id: i64,
    person_id: i64,
) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT batch_id FROM training_seats WHERE plan_id = $1 AND person_id = $2",
    )
    .bind(plan_id)
    .bind(person_id)
    .fetch_optional(&mut *c)
    .await?)
}

/// Every rule one more seat for this person in this batch would break,
/// read inside the caller's transaction.
pub async fn breaches(
    tx: &mut Tx<'_>,
    batch: &BatchRow,
    person_id: i64,
    unit_id: i64,
) -> Result<Vec<training::Breach>, AppError> {
    let units = unit_duty(tx).await?;
    let unit = units.get(&unit_id).cloned().ok_or(AppError::NotFound)?;
    let unit_in_batch: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM training_seats s JOIN people pe ON pe.id = s.person_id \
         WHERE s.batch_id = $1 AND pe.unit_id = $2 AND s.person_id <> $3",
    )
    .bind(batch.id)
    .bind(unit_id)
    .bind(person_id)
    .fetch_one(&mut **tx)
    .await?;
    let taken: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM training_seats WHERE batch_id = $1 AND person_id <> $2",
    )
    .bind(batch.id)
    .bind(person_id)
    .fetch_one(&mut **tx)
    .await?;
    let busy = busy_days(tx, batch.plan_id, Some(person_id)).await?;
    let unavailable = busy.get(&person_id).cloned().unwrap_or_default();
    Ok(training::seat_breaches(&training::SeatCheck {
        start: batch.start,
        end: batch.end,
        capacity: batch.capacity,
        taken,
        unit: &unit.code,
        unit_staff: unit.staff,
        unit_min_on_duty: unit.min_on_duty,
        unit_in_batch,
        unavailable: &unavailable,
    }))
}

/// Puts a person into a batch of a plan (moving them if they hold another
/// seat in it). `source` says how: moved, override (with its reason).
#[allow(clippy::too_many_arguments)]
pub async fn place(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    batch: &BatchRow,
    person_id: i64,
    source: &str,
    reason: Option<&str>,
    published: bool,
) -> Result<(), AppError> {
    let before = seat_of(tx, batch.plan_id, person_id).await?;
    match before {
        Some(b) if b == batch.id => return Ok(()),
        Some(_) => {
            sqlx::query(
                "UPDATE training_seats SET batch_id = $1, source = $2, override_reason = $3, attended = 0 WHERE plan_id = $4 AND person_id = $5",
            )
            .bind(batch.id)
            .bind(source)
            .bind(reason)
            .bind(batch.plan_id)
            .bind(person_id)
            .execute(&mut **tx)
            .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO training_seats (plan_id, batch_id, person_id, source, override_reason, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(batch.plan_id)
            .bind(batch.id)
            .bind(person_id)
            .bind(source)
            .bind(reason)
            .bind(at)
            .execute(&mut **tx)
            .await?;
        }
    }
    sqlx::query("DELETE FROM training_unplaced WHERE plan_id = $1 AND person_id = $2")
        .bind(batch.plan_id)
        .bind(person_id)
        .execute(&mut **tx)
        .await?;
    recount(tx, batch.plan_id).await?;
    if published {
        notify(
            tx,
            person_id,
            at,
            "notice.seat_moved",
            &[
                &batch.code,
                &batch.start.to_string(),
                &batch.end.to_string(),
                &batch.place,
            ],
            "/my/training",
        )
        .await?;
    }
    audit::record(
        tx,
        actor,
        at,
        if source == "override" {
            "seat.override"
        } else {
            "seat.move"
        },
        "seat",
        &format!("{}/{person_id}", batch.plan_id),
        before.map(|b| serde_json::json!({ "batch_id": b }).to_string()),
        Some(
            serde_json::json!({ "batch_id": batch.id, "batch": batch.code, "reason": reason })
                .to_string(),
        ),
    )
    .await?;
    Ok(())
}

/// A trainee takes a free seat themselves. The seat is counted first, with
/// one guarded UPDATE: concurrent sign-ups queue on the batch's row, and
/// the one that finds it full is refused, on SQLite and PostgreSQL alike.
pub async fn sign_up(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    batch: &BatchRow,
    person_id: i64,
) -> Result<(), AppError> {
    let took = sqlx::query(
        "UPDATE training_batches SET taken = taken + 1 WHERE id = $1 AND taken < capacity",
    )
    .bind(batch.id)
    .execute(&mut **tx)
    .await?;
    if took.rows_affected() == 0 {
        return Err(AppError::Conflict(Problem::with(
            "problem.batch_full",
            &[&batch.capacity.to_string()],
        )));
    }
    if seat_of(tx, batch.plan_id, person_id).await?.is_some() {
        return Err(AppError::Conflict(Problem::new(
            "problem.already_signed_up",
        )));
    }
    sqlx::query(
        "INSERT INTO training_seats (plan_id, batch_id, person_id, source, created_at) VALUES ($1, $2, $3, 'self', $4)",
    )
    .bind(batch.plan_id)
    .bind(batch.id)
    .bind(person_id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "seat.sign_up",
        "seat",
        &format!("{}/{person_id}", batch.plan_id),
        None,
        Some(serde_json::json!({ "batch_id": batch.id, "batch": batch.code }).to_string()),
    )
    .await?;
    Ok(())
}

pub async fn remove_seat(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    plan_id: i64,
    person_id: i64,
) -> Result<(), AppError> {
    let before = seat_of(tx, plan_id, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    sqlx::query("DELETE FROM training_seats WHERE plan_id = $1 AND person_id = $2")
        .bind(plan_id)
        .bind(person_id)
        .execute(&mut **tx)
        .await?;
    recount(tx, plan_id).await?;
    audit::record(
        tx,
        actor,
        at,
        "seat.remove",
        "seat",
        &format!("{plan_id}/{person_id}"),
        Some(serde_json::json!({ "batch_id": before }).to_string()),
        None,
    )
    .await?;
    Ok(())
}

/// Publishes a plan's roster and tells each trainee where they sit.
pub async fn publish(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    plan_id: i64,
) -> Result<usize, AppError> {
    let done = sqlx::query(
        "UPDATE training_plans SET published = 1, published_at = $1, published_by = $2 WHERE id = $3 AND published = 0",
    )
    .bind(at)
    .bind(&actor.name)
    .bind(plan_id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict(Problem::new("problem.plan_published")));
    }
    let seats = sqlx::query(
        "SELECT s.person_id, b.code, b.start_on, b.end_on, b.place, p.name FROM training_seats s \
         JOIN training_batches b ON b.id = s.batch_id JOIN training_plans p ON p.id = s.plan_id WHERE s.plan_id = $1",
    )
    .bind(plan_id)
    .fetch_all(&mut **tx)
    .await?;
    for r in &seats {
        let (code, start, end, place, name): (String, String, String, String, String) = (
            r.get("code"),
            r.get("start_on"),
            r.get("end_on"),
            r.get("place"),
            r.get("name"),
        );
        notify(
            tx,
            r.get("person_id"),
            at,
            "notice.seat_published",
            &[&name, &code, &start, &end, &place],
            "/my/training",
        )
        .await?;
    }
    audit::record(
        tx,
        actor,
        at,
        "plan.publish",
        "plan",
        &plan_id.to_string(),
        None,
        Some(serde_json::json!({ "notified": seats.len() }).to_string()),
    )
    .await?;
    Ok(seats.len())
}

// ---- attendance, quiz, completion ----

/// Marks who of a batch attended (everyone else in it did not); returns
/// the batch's people.
pub async fn set_attendance(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    batch_id: i64,
    present: &[i64],
) -> Result<Vec<i64>, AppError> {
    let people: Vec<i64> = sqlx::query_scalar(
        "SELECT person_id FROM training_seats WHERE batch_id = $1 ORDER BY person_id",
    )
    .bind(batch_id)
    .fetch_all(&mut **tx)
    .await?;
    if let Some(stranger) = present.iter().find(|p| !people.contains(p)) {
        return Err(AppError::invalid(
            "field.attended",
            Problem::with("problem.not_in_batch", &[&stranger.to_string()]),
        ));
    }
    for p in &people {
        sqlx::query(
            "UPDATE training_seats SET attended = $1 WHERE batch_id = $2 AND person_id = $3",
        )
        .bind(present.contains(p) as i64)
        .bind(batch_id)
        .bind(p)
        .execute(&mut **tx)
        .await?;
    }
    audit::record(
        tx,
        actor,
        at,
        "batch.attendance",
        "batch",
        &batch_id.to_string(),
        None,
        Some(serde_json::json!({ "present": present }).to_string()),
    )
    .await?;
    Ok(people)
}

pub async fn attempts(
    c: &mut AnyConnection,
    plan_id: i64,
    person_id: i64,
) -> Result<Vec<AttemptRow>, AppError> {
    let rows = sqlx::query(
        "SELECT at, right_count, total, percent, passed FROM quiz_attempts WHERE plan_id = $1 AND person_id = $2 ORDER BY id",
    )
    .bind(plan_id)
    .bind(person_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .iter()
        .map(|r| AttemptRow {
            at: r.get("at"),
            right: r.get("right_count"),
            total: r.get("total"),
            percent: r.get("percent"),
            passed: flag(r, "passed"),
        })
        .collect())
}

pub async fn record_attempt(
    tx: &mut Tx<'_>,
    at: i64,
    plan_id: i64,
    person_id: i64,
    answers: &[Vec<usize>],
    g: &Graded,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO quiz_attempts (plan_id, person_id, answers, right_count, total, percent, passed, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(plan_id)
    .bind(person_id)
    .bind(serde_json::to_string(answers).unwrap_or_default())
    .bind(g.right as i64)
    .bind(g.total as i64)
    .bind(g.percent as i64)
    .bind(g.passed as i64)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The completion of a plan's course by a person, if recorded:
/// (completed on, expires on).
pub async fn completion(
    c: &mut AnyConnection,
    plan_id: i64,
    person_id: i64,
) -> Result<Option<(NaiveDate, Option<NaiveDate>)>, AppError> {
    let row = sqlx::query(
        "SELECT completed_on, expires_on FROM completions WHERE plan_id = $1 AND person_id = $2",
    )
    .bind(plan_id)
    .bind(person_id)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row
        .map(|r| -> Result<_, sqlx::Error> {
            Ok((day(&r, "completed_on")?, opt_day(&r, "expires_on")?))
        })
        .transpose()?)
}

/// Whether a person attended their batch of a plan; `None` when they hold
/// no seat in it.
pub async fn seat_attended(
    c: &mut AnyConnection,
    plan_id: i64,
    person_id: i64,
) -> Result<Option<bool>, AppError> {
    let attended: Option<i64> = sqlx::query_scalar(
        "SELECT attended FROM training_seats WHERE plan_id = $1 AND person_id = $2",
    )
    .bind(plan_id)
    .bind(person_id)
    .fetch_optional(&mut *c)
    .await?;
    Ok(attended.map(|a| a != 0))
}

/// Records (or withdraws) each person's completion so that it matches
/// attendance and the quiz, then brings the `training_coverage` metric of
/// the units whose completions changed up to date, once. Returns how many
/// of them have completed.
#[allow(clippy::too_many_arguments)]
pub async fn settle_completions(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    today: NaiveDate,
    plan: &StoredPlan,
    course: &CourseDef,
    people: &[i64],
) -> Result<usize, AppError> {
    let mut completed = 0;
    let mut changed_units = Vec::new();
    let mut changed_people = Vec::new();
    for &person_id in people {
        let (done, changed) = settle_one(tx, actor, at, today, plan, course, person_id).await?;
        completed += usize::from(done);
        if changed {
            changed_people.push(person_id);
            let unit: i64 = sqlx::query_scalar("SELECT unit_id FROM people WHERE id = $1")
                .bind(person_id)
                .fetch_one(&mut **tx)
                .await?;
            if !changed_units.contains(&unit) {
                changed_units.push(unit);
            }
        }
    }
    if !changed_units.is_empty() {
        let source = format!("rotation:{}", plan.id);
        sync_coverage(
            tx,
            actor,
            at,
            plan.def.year as i64,
            Some(&changed_units),
            &source,
        )
        .await?;
        if course.certify_months.is_some() {
            use crate::areas::registry::service as registry;
            let touched = registry::entry_paths(tx, &changed_people).await?;
            if !touched.is_empty() {
                registry::sync_coverage(
                    &mut crate::platform::Write::within(tx, actor, at),
                    today,
                    Some(&touched),
                    &source,
                )
                .await?;
            }
        }
    }
    Ok(completed)
}

/// One person's completion: (completed, whether the record changed).
async fn settle_one(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    today: NaiveDate,
    plan: &StoredPlan,
    course: &CourseDef,
    person_id: i64,
) -> Result<(bool, bool), AppError> {
    let attended = seat_attended(tx, plan.id, person_id).await?;
    let passes: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM quiz_attempts WHERE plan_id = $1 AND person_id = $2 AND passed = 1",
    )
    .bind(plan.id)
    .bind(person_id)
    .fetch_one(&mut **tx)
    .await?;
    let done = course::completed(attended.unwrap_or(false), course.quiz.is_some(), passes > 0);
    let recorded = completion(tx, plan.id, person_id).await?;
    let changed = match (done, recorded) {
        (true, None) => {
            let expires = course
                .certify_months
                .map(|m| course::certificate_expiry(today, m));
            let completion: i64 = sqlx::query_scalar(
                "INSERT INTO completions (plan_id, course_id, person_id, year, completed_on, expires_on, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(plan.id)
            .bind(plan.def.course_id)
            .bind(person_id)
            .bind(plan.def.year as i64)
            .bind(today.to_string())
            .bind(expires.map(|d| d.to_string()))
            .bind(at)
            .fetch_one(&mut **tx)
            .await?;
            if course.certify_months.is_some() {
                crate::areas::registry::service::issue_certificate(
                    &mut crate::platform::Write::within(tx, actor, at),
                    person_id,
                    plan.def.course_id,
                    Some(completion),
                    (today, expires),
                )
                .await?;
            }
            notify(
                tx,
                person_id,
                at,
                "notice.completed",
                &[&course.title],
                &format!("/my/training/{}", plan.id),
            )
            .await?;
            audit::record(
                tx,
                actor,
                at,
                "completion.record",
                "completion",
                &format!("{}/{person_id}", plan.id),
                None,
                Some(serde_json::json!({ "on": today, "expires": expires }).to_string()),
            )
            .await?;
            true
        }
        (false, Some((on, _))) => {
            crate::areas::registry::service::revoke_for_withdrawn_completion(
                &mut crate::platform::Write::within(tx, actor, at),
                plan.id,
                person_id,
            )
            .await?;
            sqlx::query("DELETE FROM completions WHERE plan_id = $1 AND person_id = $2")
                .bind(plan.id)
                .bind(person_id)
                .execute(&mut **tx)
                .await?;
            audit::record(
                tx,
                actor,
                at,
                "completion.withdraw",
                "completion",
                &format!("{}/{person_id}", plan.id),
                Some(serde_json::json!({ "on": on }).to_string()),
                None,
            )
            .await?;
            true
        }
        _ => false,
    };
    Ok((done, changed))
}

// ---- coverage ----

/// Training coverage of every unit some plan of the year reaches.
pub async fn coverage(
    c: &mut AnyConnection,
    year: i64,
) -> Result<BTreeMap<i64, Coverage>, AppError> {
    let (list, done) = required_and_done(c, year).await?;
    Ok(training::coverage(&list, &done))
}

/// Who the plans of a year require, (person, unit, courses), and the
/// (person, course) completions of that year.
pub async fn required_and_done(
    c: &mut AnyConnection,
    year: i64,
) -> Result<RequiredAndDone, AppError> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM training_plans WHERE year = $1 ORDER BY id")
            .bind(year)
            .fetch_all(&mut *c)
            .await?;
    let mut required: BTreeMap<i64, (i64, Vec<i64>)> = BTreeMap::new();
    for id in ids {
        let Some(plan) = get_plan(c, id).await? else {
            continue;
        };
        for t in targets(c, &plan, false).await? {
            let entry = required
                .entry(t.person_id)
                .or_insert((t.unit_id, Vec::new()));
            if !entry.1.contains(&plan.def.course_id) {
                entry.1.push(plan.def.course_id);
            }
        }
    }
    let rows = sqlx::query("SELECT person_id, course_id FROM completions WHERE year = $1")
        .bind(year)
        .fetch_all(&mut *c)
        .await?;
    let done: HashSet<(i64, i64)> = rows
        .iter()
        .map(|r| (r.get("person_id"), r.get("course_id")))
        .collect();
    let list: Vec<(i64, i64, Vec<i64>)> = required
        .into_iter()
        .map(|(person, (unit, courses))| (person, unit, courses))
        .collect();
    Ok((list, done))
}

pub type RequiredAndDone = (Vec<(i64, i64, Vec<i64>)>, HashSet<(i64, i64)>);

/// Hours (学时) credited: for every batch a person attended, the hours of
/// its course, in the rotation's year. For one year or all, one person or
/// all; by person, then year.
pub async fn credited_hours(
    c: &mut AnyConnection,
    year: Option<i64>,
    person: Option<i64>,
) -> Result<Vec<HoursLine>, AppError> {
    let rows = sqlx::query(
        "SELECT s.person_id, p.year, k.title, p.name, k.definition FROM training_seats s \
         JOIN training_plans p ON p.id = s.plan_id JOIN courses k ON k.id = p.course_id \
         WHERE s.attended = 1 AND ($1 IS NULL OR p.year = $1) AND ($2 IS NULL OR s.person_id = $2) \
         ORDER BY s.person_id, p.year DESC, p.id",
    )
    .bind(year)
    .bind(person)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            let def: CourseDef =
                serde_json::from_str(r.get("definition")).map_err(|e| unreadable("course", e))?;
            Ok(HoursLine {
                person_id: r.get("person_id"),
                year: r.get("year"),
                course_title: r.get("title"),
                plan_name: r.get("name"),
                hours: def.hours,
            })
        })
        .collect()
}

/// Writes coverage into the assessment's `training_coverage` metric for
/// some units or all, leaving units whose year is published (their ranking
/// is final) and values that did not change. Returns (written, skipped).
pub async fn sync_coverage(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    year: i64,
    only: Option<&[i64]>,
    source: &str,
) -> Result<(usize, usize), AppError> {
    let values: Vec<(i64, i64, i64)> = coverage(tx, year)
        .await?
        .into_iter()
        .filter(|(u, _)| only.is_none_or(|o| o.contains(u)))
        .map(|(u, c)| (u, c.completed, c.required))
        .collect();
    crate::platform::metrics::feed(
        &mut crate::platform::Write::within(tx, actor, at),
        year,
        "training_coverage",
        &values,
        source,
    )
    .await
}

// ---- clearance for post ----

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
    let rows = sqlx::query(
        "SELECT c.person_id, c.course_id, c.expires_on FROM completions c JOIN courses k ON k.id = c.course_id \
         WHERE k.category = 'enterprise_safety'",
    )
    .fetch_all(&mut *c)
    .await?;
    let mut passed: HashMap<i64, HashMap<i64, Option<NaiveDate>>> = HashMap::new();
    for r in &rows {
        let by_course = passed.entry(r.get("person_id")).or_default();
        let expires = opt_day(r, "expires_on")?;
        let best = match (by_course.get(&r.get::<i64, _>("course_id")), expires) {
            (Some(None), _) | (_, None) => None,
            (Some(Some(a)), Some(b)) => Some((*a).max(b)),
            (None, Some(b)) => Some(b),
        };
        by_course.insert(r.get("course_id"), best);
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

// ---- notifications ----

pub async fn notify(
    tx: &mut Tx<'_>,
    person_id: i64,
    at: i64,
    key: &str,
    args: &[&str],
    link: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO notifications (person_id, message_key, args, link, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(person_id)
    .bind(key)
    .bind(serde_json::to_string(args).unwrap_or_default())
    .bind(link)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn notices(c: &mut AnyConnection, person_id: i64) -> Result<Vec<Notice>, AppError> {
    let rows = sqlx::query(
        "SELECT id, message_key, args, link, created_at, read_at FROM notifications WHERE person_id = $1 ORDER BY id DESC LIMIT 20",
    )
    .bind(person_id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let args: String = r.get("args");
            Notice {
                id: r.get("id"),
                message_key: r.get("message_key"),
                args: serde_json::from_str(&args).unwrap_or_default(),
                link: r.get("link"),
                created_at: r.get("created_at"),
                read: r.get::<Option<i64>, _>("read_at").is_some(),
            }
        })
        .collect())
}

pub async fn mark_read(c: &mut AnyConnection, person_id: i64, at: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE notifications SET read_at = $1 WHERE person_id = $2 AND read_at IS NULL")
        .bind(at)
        .bind(person_id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

// ---- the trainee's side ----

pub async fn my_seats(c: &mut AnyConnection, person_id: i64) -> Result<Vec<MySeat>, AppError> {
    let rows = sqlx::query(
        "SELECT s.plan_id, p.name AS plan_name, k.title AS course_title, s.attended, \
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
        .iter()
        .map(|r| -> Result<_, sqlx::Error> {
            Ok(MySeat {
                plan_id: r.get("plan_id"),
                plan_name: r.get("plan_name"),
                course_title: r.get("course_title"),
                batch: batch_of(r)?,
                attended: flag(r, "attended"),
                passed: r.get::<i64, _>("passes") > 0,
                completed_on: opt_day(r, "completed_on")?,
                expires_on: opt_day(r, "expires_on")?,
            })
        })
        .collect::<Result<_, _>>()?)
}

/// Batches of published self-sign-up plans that target the person, where
/// they hold no seat yet, that have a free seat and start after today.
pub async fn open_batches(
    c: &mut AnyConnection,
    person_id: i64,
    today: NaiveDate,
) -> Result<Vec<OpenBatch>, AppError> {
    // Four queries whatever the number of plans (it was three per plan):
    // the person, the plans open to sign-up that they have no seat in,
    // those plans' batches with room that start after today, and the
    // person's completions. Who a plan targets is then decided here, by
    // the same rules as `targets_where`.
    #[derive(sqlx::FromRow)]
    struct Me {
        positions: String,
        path: String,
    }
    #[derive(sqlx::FromRow)]
    struct Candidate {
        id: i64,
        name: String,
        year: i64,
        course_id: i64,
        positions: String,
        course_title: String,
        unit_path: Option<String>,
    }
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
    let plans: Vec<Candidate> = sqlx::query_as(&format!(
        "SELECT p.id, p.name, p.year, p.course_id, p.positions, c.title AS course_title, u.path AS unit_path \
         FROM training_plans p JOIN courses c ON c.id = p.course_id LEFT JOIN units u ON u.id = p.unit_id \
         WHERE {OPEN} ORDER BY p.id"
    ))
    .bind(person_id)
    .fetch_all(&mut *c)
    .await?;
    if plans.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(&format!(
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
    let mine = Position::decode_list(&me.positions);
    let targeted = |p: &Candidate| {
        Position::decode_list(&p.positions)
            .iter()
            .any(|x| mine.contains(x))
            && p.unit_path
                .as_deref()
                .is_none_or(|path| me.path.starts_with(path))
            && !completed.iter().any(|&(course, year, plan)| {
                course == p.course_id && year == p.year && plan != p.id
            })
    };
    let plans: HashMap<i64, &Candidate> = plans
        .iter()
        .filter(|p| targeted(p))
        .map(|p| (p.id, p))
        .collect();
    let mut out = Vec::new();
    for r in &rows {
        let batch = batch_of(r)?;
        if let Some(plan) = plans.get(&batch.plan_id) {
            out.push(OpenBatch {
                plan_name: plan.name.clone(),
                course_title: plan.course_title.clone(),
                batch,
            });
        }
    }
    Ok(out)
}

// ---- leave ----

pub async fn add_leave(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    person_id: i64,
    (start, end): (NaiveDate, NaiveDate),
    reason: &str,
) -> Result<i64, AppError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO leave_days (person_id, start_on, end_on, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(person_id)
    .bind(start.to_string())
    .bind(end.to_string())
    .bind(reason)
    .bind(&actor.name)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "leave.add",
        "leave",
        &id.to_string(),
        None,
        Some(serde_json::json!({ "person_id": person_id, "start": start, "end": end, "reason": reason }).to_string()),
    )
    .await?;
    Ok(id)
}

pub async fn leave_list(
    c: &mut AnyConnection,
    reach: &crate::domain::authz::Reach,
) -> Result<Vec<LeaveRow>, AppError> {
    let mut binds = Vec::new();
    let Some(within) = super::reach_clause(reach, "u.path", &mut binds) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT l.id, pe.code, pe.name, u.name AS unit_name, l.start_on, l.end_on, l.reason FROM leave_days l \
         JOIN people pe ON pe.id = l.person_id JOIN units u ON u.id = pe.unit_id WHERE {within} ORDER BY l.start_on DESC LIMIT 200"
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *c).await?;
    Ok(rows
        .iter()
        .map(|r| -> Result<_, sqlx::Error> {
            Ok(LeaveRow {
                id: r.get("id"),
                person_code: r.get("code"),
                person_name: r.get("name"),
                unit_name: r.get("unit_name"),
                start: day(r, "start_on")?,
                end: day(r, "end_on")?,
                reason: r.get("reason"),
            })
        })
        .collect::<Result<_, _>>()?)
}

// ---- rectification orders ----

pub async fn issue_order(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    unit_id: i64,
    year: i64,
    reason: &str,
    deadline: NaiveDate,
) -> Result<i64, AppError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO rectification_orders (unit_id, year, reason, deadline, issued_by, issued_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(unit_id)
    .bind(year)
    .bind(reason)
    .bind(deadline.to_string())
    .bind(&actor.name)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "order.issue",
        "rectification_order",
        &id.to_string(),
        None,
        Some(serde_json::json!({ "unit_id": unit_id, "year": year, "reason": reason, "deadline": deadline }).to_string()),
    )
    .await?;
    Ok(id)
}

/// Closes an open order; a closed one is not closed again.
pub async fn close_order(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    id: i64,
    note: &str,
) -> Result<(), AppError> {
    crate::platform::close_once(
        &mut crate::platform::Write::within(tx, actor, at),
        ("rectification_orders", "rectification_order", "order.close"),
        id,
        note,
        "problem.order_closed",
    )
    .await
}

/// Orders within a reach; `id` picks one (with its unit's path).
pub async fn orders(
    c: &mut AnyConnection,
    reach: &crate::domain::authz::Reach,
    today: NaiveDate,
    id: Option<i64>,
) -> Result<Vec<(OrderRow, String)>, AppError> {
    let mut binds = Vec::new();
    let Some(within) = super::reach_clause(reach, "u.path", &mut binds) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT o.id, o.unit_id, u.name AS unit_name, u.path, o.year, o.reason, o.deadline, o.issued_by, o.issued_at, \
         o.closed_by, o.closed_at, o.closing_note FROM rectification_orders o JOIN units u ON u.id = o.unit_id \
         WHERE {within} ORDER BY o.closed_at IS NOT NULL, o.deadline, o.id"
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *c).await?;
    Ok(rows
        .iter()
        .filter(|r| id.is_none_or(|id| r.get::<i64, _>("id") == id))
        .map(|r| -> Result<_, sqlx::Error> {
            let deadline = day(r, "deadline")?;
            let closed = r.get::<Option<i64>, _>("closed_at").is_some();
            Ok((
                OrderRow {
                    id: r.get("id"),
                    unit_id: r.get("unit_id"),
                    unit_name: r.get("unit_name"),
                    year: r.get("year"),
                    reason: r.get("reason"),
                    deadline,
                    issued_by: r.get("issued_by"),
                    issued_at: r.get("issued_at"),
                    state: training::order_state(deadline, closed, today),
                    closed_by: r.get("closed_by"),
                    closing_note: r.get("closing_note"),
                },
                r.get("path"),
            ))
        })
        .collect::<Result<_, _>>()?)
}
