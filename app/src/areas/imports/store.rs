//! Staged imports: a checked file waits here between preview and
//! confirmation, so the confirmation works on exactly what was previewed,
//! from any app instance.

use sqlx::{AnyConnection, AnyPool};

/// Staged files older than this are dropped.
const KEEP_SECS: i64 = 24 * 3600;

/// A staged file: (kind, file name, the table as JSON).
pub struct Staging<'a> {
    pub token: &'a str,
    pub account_id: i64,
    pub kind: &'a str,
    pub file_name: &'a str,
    pub payload: &'a str,
}

pub async fn stage(pool: &AnyPool, s: Staging<'_>, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM import_staging WHERE created_at < $1")
        .bind(at - KEEP_SECS)
        .execute(pool)
        .await?;
    sqlx::query("INSERT INTO import_staging (token, account_id, kind, file_name, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(s.token)
        .bind(s.account_id)
        .bind(s.kind)
        .bind(s.file_name)
        .bind(s.payload)
        .bind(at)
        .execute(pool)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
pub struct Staged {
    pub kind: String,
    pub file_name: String,
    pub payload: String,
}

/// A staged file, only for the account that uploaded it.
pub async fn load(
    pool: &AnyPool,
    token: &str,
    account_id: i64,
) -> Result<Option<Staged>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, file_name, payload FROM import_staging WHERE token = $1 AND account_id = $2",
    )
    .bind(token)
    .bind(account_id)
    .fetch_optional(pool)
    .await
}

/// Takes a staged file away (in the importing transaction): how many rows
/// went, 0 when another confirmation took it first.
pub async fn remove(c: &mut AnyConnection, token: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM import_staging WHERE token = $1")
        .bind(token)
        .execute(c)
        .await?
        .rows_affected())
}
