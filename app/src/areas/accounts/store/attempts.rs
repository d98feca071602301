//! The log-in throttle's rows: attempts under a user name or a client
//! address, and the lock slots that make a check-and-record atomic.

use crate::platform::db::Backend;
use sqlx::{Any, AnyConnection};

/// Takes the lock rows of these keys' slots (see
/// [`crate::domain::throttle::lock_slot`]) until the transaction ends, in
/// slot order so that two log-ins never wait on each other in a cycle. On
/// PostgreSQL the upsert holds the row lock; on SQLite the write
/// transaction (`BEGIN IMMEDIATE`) already runs alone.
pub async fn lock_keys(
    conn: &mut AnyConnection,
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
        .execute(&mut *conn)
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
pub async fn add_attempt(conn: &mut AnyConnection, key: &str, at: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO login_attempts (key, at) VALUES ($1, $2) RETURNING id")
        .bind(key)
        .bind(at)
        .fetch_one(&mut *conn)
        .await
}

/// Deletes attempts older than `before`; how many. On PostgreSQL rows
/// another transaction is deleting are skipped (left to the next purge),
/// so that a purge never waits, nor makes anyone wait in a cycle.
pub async fn purge_attempts(
    conn: &mut AnyConnection,
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
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// Forgets every attempt under a key (a user name after a right password).
pub async fn clear_attempts(conn: &mut AnyConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE key = $1")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Forgets one attempt (the client's, when the password was right).
pub async fn forget_attempt(conn: &mut AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_attempts WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
