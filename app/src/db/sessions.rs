//! Sessions live in the database, so any app instance on the same database
//! honours them. The browser holds a random token; the table holds only its
//! SHA-256, so a copy of the table cannot be replayed as cookies.

use crate::domain::authz::Principal;
use crate::domain::session::{SessionPolicy, SessionState};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{Any, AnyPool, Row, Transaction};

pub const COOKIE: &str = "yingji_session";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 32 random bytes as hex: session tokens, calendar-feed secrets.
pub fn random_token() -> String {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    hex(&raw)
}

pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Starts a session; returns the token for the cookie (a fresh one at every
/// log-in, so a token planted before log-in is worth nothing after).
pub async fn create(pool: &AnyPool, account_id: i64, now: i64) -> Result<String, sqlx::Error> {
    let token = random_token();
    sqlx::query("INSERT INTO sessions (id_hash, account_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)")
        .bind(hash_token(&token))
        .bind(account_id)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(token)
}

/// The person behind a token, if the session is still valid; expired
/// sessions are removed on sight. Returns the token's hash too (to end
/// exactly this session later).
pub async fn resolve(
    pool: &AnyPool,
    token: &str,
    policy: &SessionPolicy,
    now: i64,
) -> Result<Option<(Principal, String)>, sqlx::Error> {
    let id_hash = hash_token(token);
    let row =
        sqlx::query("SELECT account_id, created_at, last_seen_at FROM sessions WHERE id_hash = $1")
            .bind(&id_hash)
            .fetch_optional(pool)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let (account_id, created, seen): (i64, i64, i64) = (
        row.get("account_id"),
        row.get("created_at"),
        row.get("last_seen_at"),
    );
    if policy.state(created, seen, now) != SessionState::Valid {
        delete(pool, &id_hash).await?;
        return Ok(None);
    }
    let Some(principal) = super::accounts::principal(pool, account_id).await? else {
        delete(pool, &id_hash).await?;
        return Ok(None);
    };
    if policy.needs_touch(seen, now) {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(&id_hash)
            .execute(pool)
            .await?;
    }
    Ok(Some((principal, id_hash)))
}

pub async fn delete(pool: &AnyPool, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn delete_for_account(
    tx: &mut Transaction<'_, Any>,
    account_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn count_for_account(pool: &AnyPool, account_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(pool)
        .await
}
