//! The secret addresses of people's and units' calendar feeds: a column of
//! their rows, made on first use, replaced on request.

use crate::error::AppError;
use crate::platform::{Change, Write};
use sqlx::AnyConnection;

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

    fn entity(self) -> &'static str {
        match self {
            FeedOwner::Person => "person",
            FeedOwner::Unit => "unit",
        }
    }
}

/// The secret in a person's or unit's calendar feed address, made on first
/// use (a read when it exists; two requests at once keep the first one's).
pub async fn token(c: &mut AnyConnection, owner: FeedOwner, id: i64) -> Result<String, AppError> {
    let table = owner.table();
    let read = format!("SELECT calendar_token FROM {table} WHERE id = $1");
    let existing: Option<Option<String>> = sqlx::query_scalar(&read)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    match existing {
        None => return Err(AppError::NotFound),
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
    stored.ok_or(AppError::Internal)
}

/// Gives a person's or unit's calendar feed a new secret address: the old
/// one stops working at once. Audited without the token.
pub async fn rotate(w: &mut Write<'_>, owner: FeedOwner, id: i64) -> Result<(), AppError> {
    let done = sqlx::query(&format!(
        "UPDATE {} SET calendar_token = $1 WHERE id = $2",
        owner.table()
    ))
    .bind(crate::platform::random_token())
    .bind(id)
    .execute(w.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    w.audit(Change::new("calendar.rotate", owner.entity(), id))
        .await?;
    Ok(())
}

/// Whose feed a token opens: (id, name).
pub async fn by_token(
    c: &mut AnyConnection,
    owner: FeedOwner,
    token: &str,
) -> Result<Option<(i64, String)>, AppError> {
    // A person's feed ends with their account: a disabled account's token
    // opens nothing (disabling also drops it).
    let sql = match owner {
        FeedOwner::Person => {
            "SELECT p.id, p.name FROM people p LEFT JOIN accounts a ON a.id = p.account_id \
             WHERE p.calendar_token = $1 AND (a.id IS NULL OR a.disabled = 0)"
        }
        FeedOwner::Unit => "SELECT id, name FROM units WHERE calendar_token = $1",
    };
    Ok(sqlx::query_as(sql)
        .bind(token)
        .fetch_optional(&mut *c)
        .await?)
}
