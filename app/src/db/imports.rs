//! Staged imports: a checked file waits here between preview and
//! confirmation, so the confirmation works on exactly what was previewed,
//! from any app instance.

use sqlx::{AnyPool, Row};

/// Staged files older than this are dropped.
const KEEP_SECS: i64 = 24 * 3600;

pub async fn stage(
    pool: &AnyPool,
    token: &str,
    account_id: i64,
    kind: &str,
    file_name: &str,
    payload: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM import_staging WHERE created_at < $1")
        .bind(at - KEEP_SECS)
        .execute(pool)
        .await?;
    sqlx::query("INSERT INTO import_staging (token, account_id, kind, file_name, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(token)
        .bind(account_id)
        .bind(kind)
        .bind(file_name)
        .bind(payload)
        .bind(at)
        .execute(pool)
        .await?;
    Ok(())
}

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
    let row = sqlx::query(
        "SELECT kind, file_name, payload FROM import_staging WHERE token = $1 AND account_id = $2",
    )
    .bind(token)
    .bind(account_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Staged {
        kind: r.get("kind"),
        file_name: r.get("file_name"),
        payload: r.get("payload"),
    }))
}

pub async fn remove(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    token: &str,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM import_staging WHERE token = $1")
        .bind(token)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}
