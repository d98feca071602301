//! Storage of the areas that have not yet moved into `crate::areas` (see
//! the README's map): one module per table group, calling one another. The
//! database itself, and the helpers every store uses, are the platform's
//! (`crate::platform::db`), re-exported here for these modules.

pub use crate::platform::db::*;

pub mod assessment;
pub mod audit;
pub mod drills;
pub mod evidence;

pub mod registry;
pub mod training;

/// The directory moved into `crate::areas`; the stores still here reach it
/// by these names until their own areas move.
pub use crate::areas::directory::store::{people, units};

/// Published years from before publishing froze its evidence get their
/// snapshot now, once (the ranking stops following later records).
pub async fn backfill_snapshots(db: &Db, now: i64) -> Result<usize, crate::error::AppError> {
    let mut tx = db.write().await?;
    let n = assessment::backfill_snapshots(&mut tx, now).await?;
    tx.commit().await?;
    Ok(n)
}

/// What a calendar feed belongs to: its table, which holds a
/// `calendar_token` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedOwner {
    Person,
    Unit,
}

impl FeedOwner {
    fn table(self) -> &'static str {
        match self {
            FeedOwner::Person => "people",
            FeedOwner::Unit => "units",
        }
    }
}

/// The secret in a person's or unit's calendar feed address, made on first
/// use (a read when it exists; two requests at once keep the first one's).
pub async fn calendar_token(
    c: &mut sqlx::AnyConnection,
    owner: FeedOwner,
    id: i64,
) -> Result<String, crate::error::AppError> {
    let table = owner.table();
    let read = format!("SELECT calendar_token FROM {table} WHERE id = $1");
    let existing: Option<Option<String>> = sqlx::query_scalar(&read)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    match existing {
        None => return Err(crate::error::AppError::NotFound),
        Some(Some(t)) => return Ok(t),
        Some(None) => {}
    }
    sqlx::query(&format!(
        "UPDATE {table} SET calendar_token = $1 WHERE id = $2 AND calendar_token IS NULL"
    ))
    .bind(crate::platform::random_token())
    .bind(id)
    .execute(&mut *c)
    .await?;
    let stored: Option<String> = sqlx::query_scalar(&read)
        .bind(id)
        .fetch_one(&mut *c)
        .await?;
    stored.ok_or(crate::error::AppError::Internal)
}

/// Gives a person's or unit's calendar feed a new secret address: the
/// old one stops working at once. Audited without the token.
pub async fn rotate_calendar_token(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &audit::Actor,
    at: i64,
    owner: FeedOwner,
    id: i64,
) -> Result<(), crate::error::AppError> {
    let done = sqlx::query(&format!(
        "UPDATE {} SET calendar_token = $1 WHERE id = $2",
        owner.table()
    ))
    .bind(crate::platform::random_token())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(crate::error::AppError::NotFound);
    }
    let entity = match owner {
        FeedOwner::Person => "person",
        FeedOwner::Unit => "unit",
    };
    audit::record(
        tx,
        actor,
        at,
        "calendar.rotate",
        entity,
        &id.to_string(),
        None,
        None,
    )
    .await?;
    Ok(())
}

/// Whose feed a token opens: (id, name).
pub async fn by_calendar_token(
    c: &mut sqlx::AnyConnection,
    owner: FeedOwner,
    token: &str,
) -> Result<Option<(i64, String)>, crate::error::AppError> {
    use sqlx::Row;
    // A person's feed ends with their account: a disabled account's
    // token opens nothing (disabling also drops it).
    let sql = match owner {
        FeedOwner::Person => {
            "SELECT p.id, p.name FROM people p LEFT JOIN accounts a ON a.id = p.account_id \
             WHERE p.calendar_token = $1 AND (a.id IS NULL OR a.disabled = 0)"
        }
        FeedOwner::Unit => "SELECT id, name FROM units WHERE calendar_token = $1",
    };
    let row = sqlx::query(sql).bind(token).fetch_optional(&mut *c).await?;
    Ok(row.map(|r| (r.get("id"), r.get("name"))))
}

/// Closes an open record of `table` (one with `closed_by`, `closed_at`
/// and `closing_note`) with a note, once: closing it again is a conflict
/// named by `already`. Audited as `action` on `entity`.
#[allow(clippy::too_many_arguments)]
pub async fn close_once(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &audit::Actor,
    at: i64,
    (table, entity, action): (&'static str, &'static str, &'static str),
    id: i64,
    note: &str,
    already: &str,
) -> Result<(), crate::error::AppError> {
    let done = sqlx::query(&format!(
        "UPDATE {table} SET closed_by = $1, closed_at = $2, closing_note = $3 WHERE id = $4 AND closed_at IS NULL"
    ))
    .bind(&actor.name)
    .bind(at)
    .bind(note)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(crate::error::AppError::Conflict(
            crate::domain::Problem::new(already),
        ));
    }
    audit::record(
        tx,
        actor,
        at,
        action,
        entity,
        &id.to_string(),
        None,
        Some(serde_json::json!({ "note": note }).to_string()),
    )
    .await?;
    Ok(())
}
