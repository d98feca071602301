//! The roster: seats (with each batch's `taken` kept beside them, so that a
//! sign-up is one guarded UPDATE), those the scheduler left out with its
//! reason, and attendance.

use super::super::dto::{BatchRow, SeatRow, UnplacedRow};
use crate::domain::Problem;
use crate::error::AppError;
use crate::platform::db::{Val, insert_rows};
use crate::platform::{Change, Write};
use sqlx::AnyConnection;

/// Replaces a draft rotation's roster with a scheduler run: `seats`
/// (batch, person), `unplaced` (person, reason as JSON).
pub async fn replace(
    w: &mut Write<'_>,
    rotation: i64,
    seats: &[(i64, i64)],
    unplaced: &[(i64, String)],
) -> Result<(), AppError> {
    let at = w.at;
    let open =
        sqlx::query("UPDATE training_plans SET updated_at = $1 WHERE id = $2 AND published = 0")
            .bind(at)
            .bind(rotation)
            .execute(w.conn())
            .await?;
    crate::platform::db::changed(&open, Problem::new("problem.plan_published"))?;
    for table in ["training_seats", "training_unplaced"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE plan_id = $1"))
            .bind(rotation)
            .execute(w.conn())
            .await?;
    }
    // A roster of thousands is a few statements, not one per seat.
    let seat_rows: Vec<Vec<Val>> = seats
        .iter()
        .map(|(batch, person)| {
            vec![
                Val::Int(rotation),
                Val::Int(*batch),
                Val::Int(*person),
                Val::Text("scheduler"),
                Val::Int(at),
            ]
        })
        .collect();
    insert_rows(
        w.conn(),
        "INSERT INTO training_seats (plan_id, batch_id, person_id, source, created_at)",
        5,
        &seat_rows,
    )
    .await?;
    let unplaced_rows: Vec<Vec<Val>> = unplaced
        .iter()
        .map(|(person, reason)| vec![Val::Int(rotation), Val::Int(*person), Val::Text(reason)])
        .collect();
    insert_rows(
        w.conn(),
        "INSERT INTO training_unplaced (plan_id, person_id, reason)",
        3,
        &unplaced_rows,
    )
    .await?;
    recount(w.conn(), rotation).await?;
    w.audit(
        Change::new("plan.schedule", "plan", rotation)
            .after(&serde_json::json!({ "placed": seats.len(), "unplaced": unplaced.len() })),
    )
    .await?;
    Ok(())
}

async fn recount(c: &mut AnyConnection, rotation: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE training_batches SET taken = (SELECT COUNT(*) FROM training_seats s WHERE s.batch_id = training_batches.id) \
         WHERE plan_id = $1",
    )
    .bind(rotation)
    .execute(c)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Seat {
    batch_id: i64,
    person_id: i64,
    person_code: String,
    person_name: String,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    source: String,
    override_reason: Option<String>,
    attended: i64,
    passes: i64,
    completions: i64,
}

/// A rotation's seats in batch order, with attendance, quiz and
/// completion; clearance and the unit's room are the service's to add.
pub async fn seats(c: &mut AnyConnection, rotation: i64) -> Result<Vec<SeatRow>, AppError> {
    let rows: Vec<Seat> = sqlx::query_as(
        "SELECT s.batch_id, s.person_id, pe.code AS person_code, pe.name AS person_name, pe.unit_id, \
         u.code AS unit_code, u.name AS unit_name, s.source, s.override_reason, s.attended, \
         (SELECT COUNT(*) FROM quiz_attempts q WHERE q.plan_id = s.plan_id AND q.person_id = s.person_id AND q.passed = 1) AS passes, \
         (SELECT COUNT(*) FROM completions c WHERE c.plan_id = s.plan_id AND c.person_id = s.person_id) AS completions \
         FROM training_seats s JOIN people pe ON pe.id = s.person_id JOIN units u ON u.id = pe.unit_id \
         JOIN training_batches b ON b.id = s.batch_id WHERE s.plan_id = $1 ORDER BY b.start_on, u.path, pe.code",
    )
    .bind(rotation)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SeatRow {
            batch_id: r.batch_id,
            person_id: r.person_id,
            person_code: r.person_code,
            person_name: r.person_name,
            unit_id: r.unit_id,
            unit_code: r.unit_code,
            unit_name: r.unit_name,
            source: r.source,
            override_reason: r.override_reason,
            attended: r.attended != 0,
            passed: r.passes > 0,
            completed: r.completions > 0,
            cleared: None,
            max_away: 0,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct Unplaced {
    person_id: i64,
    code: String,
    name: String,
    unit_name: String,
    reason: String,
}

pub async fn unplaced(c: &mut AnyConnection, rotation: i64) -> Result<Vec<UnplacedRow>, AppError> {
    let rows: Vec<Unplaced> = sqlx::query_as(
        "SELECT x.person_id, pe.code, pe.name, u.name AS unit_name, x.reason FROM training_unplaced x \
         JOIN people pe ON pe.id = x.person_id JOIN units u ON u.id = pe.unit_id WHERE x.plan_id = $1 ORDER BY u.path, pe.code",
    )
    .bind(rotation)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| UnplacedRow {
            person_id: r.person_id,
            person_code: r.code,
            person_name: r.name,
            unit_name: r.unit_name,
            reason: r.reason,
        })
        .collect())
}

/// The batch a person holds a seat in, within a rotation.
pub async fn seat_of(
    c: &mut AnyConnection,
    rotation: i64,
    person_id: i64,
) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT batch_id FROM training_seats WHERE plan_id = $1 AND person_id = $2",
    )
    .bind(rotation)
    .bind(person_id)
    .fetch_optional(&mut *c)
    .await?)
}

/// Takes the row lock of a person's seat (a write that changes nothing),
/// so that one trainee's concurrent requests run one after the other.
pub async fn hold_seat(w: &mut Write<'_>, rotation: i64, person_id: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE training_seats SET attended = attended WHERE plan_id = $1 AND person_id = $2",
    )
    .bind(rotation)
    .bind(person_id)
    .execute(w.conn())
    .await?;
    Ok(())
}

/// (seats taken in the batch by others, of them from the person's unit):
/// what the seat rules count, read inside the caller's transaction.
pub async fn taken_besides(
    c: &mut AnyConnection,
    batch: i64,
    person_id: i64,
    unit_id: i64,
) -> Result<(i64, i64), AppError> {
    let unit_in_batch: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM training_seats s JOIN people pe ON pe.id = s.person_id \
         WHERE s.batch_id = $1 AND pe.unit_id = $2 AND s.person_id <> $3",
    )
    .bind(batch)
    .bind(unit_id)
    .bind(person_id)
    .fetch_one(&mut *c)
    .await?;
    let taken: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM training_seats WHERE batch_id = $1 AND person_id <> $2",
    )
    .bind(batch)
    .bind(person_id)
    .fetch_one(&mut *c)
    .await?;
    Ok((taken, unit_in_batch))
}

/// Puts a person into a batch (moving them if they hold another seat in
/// the rotation). `source` says how: moved, or override with its reason.
/// Returns whether anything changed.
pub async fn place(
    w: &mut Write<'_>,
    batch: &BatchRow,
    person_id: i64,
    source: &str,
    reason: Option<&str>,
) -> Result<bool, AppError> {
    let at = w.at;
    let before = seat_of(w.conn(), batch.plan_id, person_id).await?;
    match before {
        Some(b) if b == batch.id => return Ok(false),
        Some(_) => {
            sqlx::query(
                "UPDATE training_seats SET batch_id = $1, source = $2, override_reason = $3, attended = 0 WHERE plan_id = $4 AND person_id = $5",
            )
            .bind(batch.id)
            .bind(source)
            .bind(reason)
            .bind(batch.plan_id)
            .bind(person_id)
            .execute(w.conn())
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
            .execute(w.conn())
            .await?;
        }
    }
    sqlx::query("DELETE FROM training_unplaced WHERE plan_id = $1 AND person_id = $2")
        .bind(batch.plan_id)
        .bind(person_id)
        .execute(w.conn())
        .await?;
    recount(w.conn(), batch.plan_id).await?;
    let action = if source == "override" {
        "seat.override"
    } else {
        "seat.move"
    };
    let mut change = Change::new(action, "seat", format!("{}/{person_id}", batch.plan_id))
        .after(&serde_json::json!({ "batch_id": batch.id, "batch": batch.code, "reason": reason }));
    if let Some(b) = before {
        change = change.before(&serde_json::json!({ "batch_id": b }));
    }
    w.audit(change).await?;
    Ok(true)
}

/// A trainee takes a free seat themselves. The seat is counted first, with
/// one guarded UPDATE: concurrent sign-ups queue on the batch's row, and
/// the one that finds it full is refused, on SQLite and PostgreSQL alike.
pub async fn sign_up(w: &mut Write<'_>, batch: &BatchRow, person_id: i64) -> Result<(), AppError> {
    let took = sqlx::query(
        "UPDATE training_batches SET taken = taken + 1 WHERE id = $1 AND taken < capacity",
    )
    .bind(batch.id)
    .execute(w.conn())
    .await?;
    crate::platform::db::changed(
        &took,
        Problem::with("problem.batch_full", &[&batch.capacity.to_string()]),
    )?;
    if seat_of(w.conn(), batch.plan_id, person_id).await?.is_some() {
        return Err(AppError::Conflict(Problem::new(
            "problem.already_signed_up",
        )));
    }
    let at = w.at;
    sqlx::query(
        "INSERT INTO training_seats (plan_id, batch_id, person_id, source, created_at) VALUES ($1, $2, $3, 'self', $4)",
    )
    .bind(batch.plan_id)
    .bind(batch.id)
    .bind(person_id)
    .bind(at)
    .execute(w.conn())
    .await?;
    w.audit(
        Change::new(
            "seat.sign_up",
            "seat",
            format!("{}/{person_id}", batch.plan_id),
        )
        .after(&serde_json::json!({ "batch_id": batch.id, "batch": batch.code })),
    )
    .await?;
    Ok(())
}

pub async fn remove(w: &mut Write<'_>, rotation: i64, person_id: i64) -> Result<(), AppError> {
    let before = seat_of(w.conn(), rotation, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    sqlx::query("DELETE FROM training_seats WHERE plan_id = $1 AND person_id = $2")
        .bind(rotation)
        .bind(person_id)
        .execute(w.conn())
        .await?;
    recount(w.conn(), rotation).await?;
    w.audit(
        Change::new("seat.remove", "seat", format!("{rotation}/{person_id}"))
            .before(&serde_json::json!({ "batch_id": before })),
    )
    .await?;
    Ok(())
}

/// Marks who of a batch attended (everyone else in it did not); returns
/// the batch's people. Someone not in the batch is refused by id.
pub async fn set_attendance(
    w: &mut Write<'_>,
    batch_id: i64,
    present: &[i64],
) -> Result<Vec<i64>, AppError> {
    let people: Vec<i64> = sqlx::query_scalar(
        "SELECT person_id FROM training_seats WHERE batch_id = $1 ORDER BY person_id",
    )
    .bind(batch_id)
    .fetch_all(w.conn())
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
        .bind(i64::from(present.contains(p)))
        .bind(batch_id)
        .bind(p)
        .execute(w.conn())
        .await?;
    }
    w.audit(
        Change::new("batch.attendance", "batch", batch_id)
            .after(&serde_json::json!({ "present": present })),
    )
    .await?;
    Ok(people)
}

/// Whether a person attended their batch of a rotation; `None` when they
/// hold no seat in it.
pub async fn attended(
    c: &mut AnyConnection,
    rotation: i64,
    person_id: i64,
) -> Result<Option<bool>, AppError> {
    let attended: Option<i64> = sqlx::query_scalar(
        "SELECT attended FROM training_seats WHERE plan_id = $1 AND person_id = $2",
    )
    .bind(rotation)
    .bind(person_id)
    .fetch_optional(&mut *c)
    .await?;
    Ok(attended.map(|a| a != 0))
}
