//! Accounts, their roles, password hashes and log-in attempts.

use super::Backend;
use super::audit::{self, Actor, json};
use crate::domain::Problem;
use crate::domain::account::{MAX_PASSWORD_BYTES, Role};
use crate::domain::authz::{Grant, Principal, Scope};
use crate::error::AppError;
use crate::model::{Account, GrantView};
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Argon2, PasswordHash as ParsedHash};
use sqlx::{Any, AnyPool, Row, Transaction};

/// An argon2id hash in PHC form. Deliberately neither `Serialize` nor
/// `Debug`-printed: it never leaves the server, not even in a log line.
pub struct PasswordHash(String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

impl PasswordHash {
    /// Hashes with argon2id (the crate's default parameters: 19 MiB, 2
    /// passes). Slow on purpose; call it off the async threads.
    pub fn new(password: &str) -> PasswordHash {
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .expect("argon2 with default parameters cannot fail")
            .to_string();
        PasswordHash(hash)
    }

    /// Whether the password is this hash's. The decoy (an empty hash)
    /// takes as long and is never right; an overlong password is wrong
    /// without hashing.
    pub fn verify(&self, password: &str) -> bool {
        if password.len() > MAX_PASSWORD_BYTES {
            return false;
        }
        if self.0.is_empty() {
            std::hint::black_box(check_phc(decoy_phc(), password));
            return false;
        }
        check_phc(&self.0, password)
    }

    /// Hashes on a blocking thread, at most `HASHING`'s permits at once.
    pub async fn new_blocking(password: String) -> PasswordHash {
        let permit = HASHING
            .acquire()
            .await
            .expect("the hashing semaphore is never closed");
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            PasswordHash::new(&password)
        })
        .await
        .expect("hashing task panicked")
    }

    /// Verifies on a blocking thread, at most `HASHING`'s permits at once.
    pub async fn verify_blocking(self, password: String) -> bool {
        let Ok(permit) = HASHING.acquire().await else {
            return false;
        };
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            self.verify(&password)
        })
        .await
        .unwrap_or(false)
    }
}

/// Hashes computed at once, process-wide. Each takes 19 MiB and a core
/// for a while: a flood of log-ins queues here instead of taking all the
/// memory and every blocking thread.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

fn check_phc(phc: &str, password: &str) -> bool {
    ParsedHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The decoy's PHC string, made on first use (on the blocking thread that
/// verifies against it, not on an async one).
fn decoy_phc() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| PasswordHash::new("decoy-password-0").0)
}

/// A hash to check against when the user name does not exist, so that a
/// wrong name takes as long as a wrong password. Nothing verifies against
/// it (see [`PasswordHash::verify`]).
pub fn decoy_hash() -> PasswordHash {
    PasswordHash(String::new())
}

pub struct Credentials {
    pub id: i64,
    pub hash: PasswordHash,
    pub disabled: bool,
}

pub async fn credentials(
    pool: &AnyPool,
    username: &str,
) -> Result<Option<Credentials>, sqlx::Error> {
    let row = sqlx::query("SELECT id, password_hash, disabled FROM accounts WHERE username = $1")
        .bind(username)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| Credentials {
        id: r.get("id"),
        hash: PasswordHash(r.get("password_hash")),
        disabled: r.get::<i64, _>("disabled") != 0,
    }))
}

pub async fn id_by_username(pool: &AnyPool, username: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM accounts WHERE username = $1")
        .bind(username)
        .fetch_optional(pool)
        .await
}

/// A role to grant: organizers and assessors may carry a unit scope.
pub type NewGrant = (Role, Option<i64>);

/// An account to create, its roles, and the person it belongs to (if any).
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub hash: &'a PasswordHash,
    pub grants: &'a [NewGrant],
    pub person_id: Option<i64>,
}

pub async fn create(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    new: NewAccount<'_>,
) -> Result<i64, AppError> {
    let NewAccount {
        username,
        display_name,
        hash,
        grants,
        person_id,
    } = new;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (username, display_name, password_hash, disabled, created_at, password_changed_at) \
         VALUES ($1, $2, $3, 0, $4, $4) RETURNING id",
    )
    .bind(username)
    .bind(display_name)
    .bind(&hash.0)
    .bind(at)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::invalid("field.username", Problem::new("problem.username_taken")),
        other => other,
    })?;
    insert_grants(tx, id, grants).await?;
    if let Some(pid) = person_id {
        let n =
            sqlx::query("UPDATE people SET account_id = $1 WHERE id = $2 AND account_id IS NULL")
                .bind(id)
                .bind(pid)
                .execute(&mut **tx)
                .await?
                .rows_affected();
        if n == 0 {
            return Err(AppError::invalid(
                "field.person",
                Problem::new("problem.person_has_account"),
            ));
        }
    }
    let after = get_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        at,
        "account.create",
        "account",
        &id.to_string(),
        None,
        after.as_ref().and_then(json),
    )
    .await?;
    Ok(id)
}

async fn insert_grants(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    grants: &[NewGrant],
) -> Result<(), AppError> {
    for (role, scope) in grants {
        let scope = if role.is_scoped() { *scope } else { None };
        sqlx::query(
            "INSERT INTO account_roles (account_id, role, scope_unit_id) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(role.code())
        .bind(scope)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Replaces an account's roles.
pub async fn set_grants(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    id: i64,
    grants: &[NewGrant],
) -> Result<(), AppError> {
    let before = get_tx(tx, id).await?.ok_or(AppError::NotFound)?;
    sqlx::query("DELETE FROM account_roles WHERE account_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    insert_grants(tx, id, grants).await?;
    let after = get_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        at,
        "account.roles",
        "account",
        &id.to_string(),
        json(&before.grants),
        after.map(|a| a.grants).as_ref().and_then(json),
    )
    .await?;
    Ok(())
}

/// Disables or enables an account; disabling ends all its sessions.
pub async fn set_disabled(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    id: i64,
    disabled: bool,
) -> Result<(), AppError> {
    let before = get_tx(tx, id).await?.ok_or(AppError::NotFound)?;
    sqlx::query("UPDATE accounts SET disabled = $1 WHERE id = $2")
        .bind(disabled as i64)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if disabled {
        super::sessions::delete_for_account(tx, id).await?;
        // The person's calendar feed address stops working with the
        // account; enabled again, the person gets a new one.
        sqlx::query("UPDATE people SET calendar_token = NULL WHERE account_id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    let action = if disabled {
        "account.disable"
    } else {
        "account.enable"
    };
    let after = get_tx(tx, id).await?;
    audit::record(
        tx,
        actor,
        at,
        action,
        "account",
        &id.to_string(),
        json(&before),
        after.as_ref().and_then(json),
    )
    .await?;
    Ok(())
}

/// Sets a new password. Other sessions of the account end; the one given
/// (the caller's own) stays.
pub async fn set_password(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    id: i64,
    hash: &PasswordHash,
    keep_session: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query("UPDATE accounts SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(&hash.0)
        .bind(at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id_hash <> $2")
        .bind(id)
        .bind(keep_session.unwrap_or(""))
        .execute(&mut **tx)
        .await?;
    audit::record(
        tx,
        actor,
        at,
        "account.password",
        "account",
        &id.to_string(),
        None,
        None,
    )
    .await?;
    Ok(())
}

/// A role with its scope unit's id, name, path and code.
struct GrantRow {
    role: Role,
    unit_id: Option<i64>,
    unit_name: Option<String>,
    unit_path: Option<String>,
    unit_code: Option<String>,
}

async fn grants_of(
    executor: impl sqlx::Executor<'_, Database = Any>,
    id: i64,
) -> Result<Vec<GrantRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT r.role, r.scope_unit_id, u.name AS unit_name, u.path AS unit_path, u.code AS unit_code FROM account_roles r \
         LEFT JOIN units u ON u.id = r.scope_unit_id WHERE r.account_id = $1 ORDER BY r.id",
    )
    .bind(id)
    .fetch_all(executor)
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let role: String = r.get("role");
            Role::parse(&role).ok().map(|role| GrantRow {
                role,
                unit_id: r.get("scope_unit_id"),
                unit_name: r.get("unit_name"),
                unit_path: r.get("unit_path"),
                unit_code: r.get("unit_code"),
            })
        })
        .collect())
}

async fn get_tx(tx: &mut Transaction<'_, Any>, id: i64) -> Result<Option<Account>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT a.id, a.username, a.display_name, a.disabled, pe.name AS person_name FROM accounts a \
         LEFT JOIN people pe ON pe.account_id = a.id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let grants = grants_of(&mut **tx, id).await?;
    Ok(Some(account_from(&r, grants)))
}

fn account_from(r: &sqlx::any::AnyRow, grants: Vec<GrantRow>) -> Account {
    Account {
        id: r.get("id"),
        username: r.get("username"),
        display_name: r.get("display_name"),
        disabled: r.get::<i64, _>("disabled") != 0,
        grants: grants
            .into_iter()
            .map(|g| GrantView {
                role: g.role,
                scope_unit_id: g.unit_id,
                scope_unit_name: g.unit_name,
                scope_unit_code: g.unit_code,
            })
            .collect(),
        person_name: r.get("person_name"),
    }
}

pub async fn list(pool: &AnyPool) -> Result<Vec<Account>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT a.id, a.username, a.display_name, a.disabled, pe.name AS person_name FROM accounts a \
         LEFT JOIN people pe ON pe.account_id = a.id ORDER BY a.username",
    )
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let grants = grants_of(pool, r.get("id")).await?;
        out.push(account_from(r, grants));
    }
    Ok(out)
}

/// The signed-in person as permission checks see them.
/// A role as granted: over the whole district, or over a unit's subtree
/// (scoped roles with their unit).
pub(crate) fn grant(
    role: Role,
    unit_id: Option<i64>,
    unit_path: Option<String>,
    unit_name: Option<String>,
) -> Grant {
    Grant {
        role,
        scope: match (role.is_scoped(), unit_id, unit_path) {
            (true, Some(unit_id), Some(path)) => Scope::Subtree {
                unit_id,
                path,
                unit_name: unit_name.unwrap_or_default(),
            },
            _ => Scope::District,
        },
    }
}

pub async fn principal(executor: &AnyPool, id: i64) -> Result<Option<Principal>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT a.id, a.username, a.display_name, pe.id AS person_id FROM accounts a \
         LEFT JOIN people pe ON pe.account_id = a.id WHERE a.id = $1 AND a.disabled = 0",
    )
    .bind(id)
    .fetch_optional(executor)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let grants = grants_of(executor, id)
        .await?
        .into_iter()
        .map(|g| grant(g.role, g.unit_id, g.unit_path, g.unit_name))
        .collect();
    Ok(Some(Principal {
        account_id: r.get("id"),
        username: r.get("username"),
        display_name: r.get("display_name"),
        person_id: r.get("person_id"),
        grants,
    }))
}

/// Takes the lock rows of these keys' slots (see
/// [`crate::domain::throttle::lock_slot`]) until the transaction ends, in
/// slot order so that two log-ins never wait on each other in a cycle. On
/// PostgreSQL the upsert holds the row lock; on SQLite the write
/// transaction (`BEGIN IMMEDIATE`) already runs alone.
pub async fn lock_keys(
    tx: &mut Transaction<'_, Any>,
    keys: &[&str],
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut slots: Vec<i64> = keys
        .iter()
        .map(|k| crate::domain::throttle::lock_slot(k))
        .collect();
    slots.sort_unstable();
    slots.dedup();
    for slot in slots {
        sqlx::query(
            "INSERT INTO login_locks (slot, at) VALUES ($1, $2) \
             ON CONFLICT (slot) DO UPDATE SET at = $2",
        )
        .bind(slot)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The times of the attempts under a key since `since`.
pub async fn attempts(
    executor: impl sqlx::Executor<'_, Database = Any>,
    key: &str,
    since: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT at FROM login_attempts WHERE key = $1 AND at >= $2")
        .bind(key)
        .bind(since)
        .fetch_all(executor)
        .await
}

/// Records an attempt (a failure unless it is forgotten); its id.
pub async fn add_attempt(
    tx: &mut Transaction<'_, Any>,
    key: &str,
    at: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO login_attempts (key, at) VALUES ($1, $2) RETURNING id")
        .bind(key)
        .bind(at)
        .fetch_one(&mut **tx)
        .await
}

/// Deletes attempts older than `before`; how many. On PostgreSQL rows
/// another transaction is deleting are skipped (left to the next purge),
/// so that a purge never waits, nor makes anyone wait in a cycle.
pub async fn purge_attempts(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    before: i64,
) -> Result<u64, sqlx::Error> {
    let sql = match backend {
        Backend::Sqlite => "DELETE FROM login_attempts WHERE at < $1",
        Backend::Postgres => {
            "DELETE FROM login_attempts WHERE id IN \
             (SELECT id FROM login_attempts WHERE at < $1 LIMIT 1000 FOR UPDATE SKIP LOCKED)"
        }
    };
    Ok(sqlx::query(sql)
        .bind(before)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// Forgets every attempt under a key (a user name after a right password).
pub async fn clear_attempts(tx: &mut Transaction<'_, Any>, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE key = $1")
        .bind(key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Forgets one attempt (the client's, when the password was right).
pub async fn forget_attempt(tx: &mut Transaction<'_, Any>, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Log-ins for one key take turns in this process: the first attempt's
/// reservation would otherwise count against the next one that arrives
/// while it is being verified, and two right passwords at once (two tabs,
/// parallel test workers) would slow each other down. Across processes
/// the reservation rows alone decide. Held until dropped.
pub struct LoginTurn {
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

pub async fn login_turn(key: &str) -> LoginTurn {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    type Turns = Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>;
    static TURNS: OnceLock<Turns> = OnceLock::new();
    let turn = {
        let mut turns = TURNS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        // Only keys someone holds or waits for stay.
        turns.retain(|_, t| Arc::strong_count(t) > 1);
        turns.entry(key.to_string()).or_default().clone()
    };
    LoginTurn {
        _guard: turn.lock_owned().await,
    }
}
