//! Sessions live in the database, so any app instance on the same database
//! honours them. The browser holds a random token; the table holds only its
//! SHA-256, so a copy of the table cannot be replayed as cookies.

use crate::domain::account::Role;
use crate::domain::authz::Principal;
use crate::domain::session::{SessionPolicy, SessionState};
use crate::platform::{hash_token, random_token};
use sqlx::{AnyConnection, AnyPool};

pub const COOKIE: &str = "yingji_session";

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
    // One round trip for every request a signed-in person makes: the
    // session, its account, the person and the roles (a row per role).
    let rows: Vec<SessionRow> = sqlx::query_as(
        "SELECT s.account_id, s.created_at, s.last_seen_at, a.username, a.display_name, a.disabled, \
         pe.id AS person_id, r.role, r.scope_unit_id, u.name AS unit_name, u.path AS unit_path \
         FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id \
         LEFT JOIN people pe ON pe.account_id = a.id \
         LEFT JOIN account_roles r ON r.account_id = a.id \
         LEFT JOIN units u ON u.id = r.scope_unit_id \
         WHERE s.id_hash = $1 ORDER BY r.id",
    )
    .bind(&id_hash)
    .fetch_all(pool)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let (Some(username), Some(display_name), Some(0)) = (
        first.username.clone(),
        first.display_name.clone(),
        first.disabled,
    ) else {
        // The account is gone or disabled: so is the session.
        delete(pool, &id_hash).await?;
        return Ok(None);
    };
    let (created, seen) = (first.created_at, first.last_seen_at);
    if policy.state(created, seen, now) != SessionState::Valid {
        delete(pool, &id_hash).await?;
        return Ok(None);
    }
    // An account without roles has one row with no role; a role the code
    // does not know is left out (and logged): it grants nothing.
    let grants = rows
        .iter()
        .filter_map(|r| {
            let code = r.role.as_deref()?;
            let Ok(role) = Role::parse(code) else {
                tracing::error!(
                    role = code,
                    account = r.account_id,
                    "a role the code does not know"
                );
                return None;
            };
            Some(super::accounts::grant(
                role,
                r.scope_unit_id,
                r.unit_path.clone(),
                r.unit_name.clone(),
            ))
        })
        .collect();
    let principal = Principal {
        account_id: first.account_id,
        username,
        display_name,
        person_id: first.person_id,
        grants,
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

/// A session with its account and one of its roles (`resolve`).
#[derive(sqlx::FromRow)]
struct SessionRow {
    account_id: i64,
    created_at: i64,
    last_seen_at: i64,
    username: Option<String>,
    display_name: Option<String>,
    disabled: Option<i64>,
    person_id: Option<i64>,
    role: Option<String>,
    scope_unit_id: Option<i64>,
    unit_name: Option<String>,
    unit_path: Option<String>,
}

pub async fn delete(pool: &AnyPool, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn delete_for_account(
    conn: &mut AnyConnection,
    account_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn count_for_account(pool: &AnyPool, account_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(pool)
        .await
}
