//! What every area stands on (server only): the database, the clock and
//! "today", and the write context that carries a transaction with the actor
//! and the instant of the change and records the audit beside it.
//!
//! Areas (`crate::areas`) reach storage only through their own store and
//! this module; see the README's map for the rules.

pub mod db;
pub mod memo;
pub mod metrics;
pub mod notices;
pub mod request;
pub mod sql;

use crate::domain::authz::{Action, Principal};
use crate::error::AppError;
use crate::state::AppState;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::{Any, AnyConnection, AnyPool, Transaction};

/// Who made a change: a signed-in account, or the command line.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn system(what: &str) -> Actor {
        Actor {
            id: None,
            name: format!("system:{what}"),
        }
    }

    pub fn of(p: &Principal) -> Actor {
        Actor {
            id: Some(p.account_id),
            name: p.username.clone(),
        }
    }
}

/// 32 random bytes as hex: session tokens, calendar-feed secrets.
pub fn random_token() -> String {
    use rand::RngCore;
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    hex(&raw)
}

/// A token as the database keeps it (SHA-256, hex): a copy of the table
/// cannot be replayed.
pub fn hash_token(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A value as the audit trail keeps it (JSON), or nothing.
pub fn json<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// The district's day at an instant: the one way "today" is computed.
pub fn today_at(now: i64) -> Result<NaiveDate, AppError> {
    crate::domain::local_date(now).ok_or_else(|| {
        tracing::error!(now, "an instant outside the calendar");
        AppError::Internal
    })
}

/// One request's footing: the shared state, the caller, and the instant
/// the request is served at (read once, so that a request sees one "now"
/// and one "today" throughout).
#[derive(Clone)]
pub struct Ctx {
    pub st: AppState,
    pub me: Principal,
    pub now: i64,
    pub today: NaiveDate,
}

impl Ctx {
    pub fn new(st: AppState, me: Principal) -> Result<Ctx, AppError> {
        let now = st.clock.now_secs();
        Ok(Ctx {
            today: today_at(now)?,
            st,
            me,
            now,
        })
    }

    /// 403 unless the caller may take `action` somewhere (where exactly is
    /// the service's next check).
    pub fn may(&self, action: Action) -> Result<(), AppError> {
        if self.me.may(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// 403 unless the caller may take `action` across the whole district
    /// (district-wide settings, syncs of every unit).
    pub fn may_everywhere(&self, action: Action) -> Result<(), AppError> {
        if self.me.may_everywhere(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.st.db.pool
    }

    /// A write on behalf of the caller, at this request's instant.
    pub async fn write(&self) -> Result<Write<'static>, AppError> {
        Ok(Write::begin(&self.st.db, Actor::of(&self.me), self.now).await?)
    }
}

/// A change in progress: the transaction, who makes the change and when.
/// Stores take `&mut Write` for every change, so that the audit row is
/// written in the same transaction as the change, with the same actor and
/// instant, and nobody passes the three separately.
pub struct Write<'t> {
    tx: Slot<'t>,
    pub actor: Actor,
    pub at: i64,
}

enum Slot<'t> {
    Own(Transaction<'static, Any>),
    /// Inside a transaction someone else began and commits (storage of an
    /// area not yet moved into `areas`).
    Within(&'t mut AnyConnection),
}

impl Write<'static> {
    /// Begins a write transaction (on SQLite `BEGIN IMMEDIATE`, so that two
    /// writers queue instead of failing halfway).
    pub async fn begin(db: &db::Db, actor: Actor, at: i64) -> Result<Write<'static>, sqlx::Error> {
        Ok(Write {
            tx: Slot::Own(db.write().await?),
            actor,
            at,
        })
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.tx {
            Slot::Own(tx) => tx.commit().await,
            Slot::Within(_) => Ok(()),
        }
    }
}

impl<'t> Write<'t> {
    /// A write inside a transaction the caller holds and commits.
    pub fn within(conn: &'t mut AnyConnection, actor: &Actor, at: i64) -> Write<'t> {
        Write {
            tx: Slot::Within(conn),
            actor: actor.clone(),
            at,
        }
    }

    /// The transaction's connection, for queries.
    pub fn conn(&mut self) -> &mut AnyConnection {
        match &mut self.tx {
            Slot::Own(tx) => tx,
            Slot::Within(c) => c,
        }
    }

    /// Records the change in the audit trail, inside this transaction.
    pub async fn audit(&mut self, change: Change<'_>) -> Result<(), sqlx::Error> {
        let conn: &mut AnyConnection = match &mut self.tx {
            Slot::Own(tx) => tx,
            Slot::Within(c) => c,
        };
        audit_row(conn, &self.actor, self.at, change).await
    }
}

/// Closes an open record of `table` (one with `closed_by`, `closed_at` and
/// `closing_note`) with a note, once: closing it again is a conflict named
/// by `already`. Audited as `action` on `entity`.
pub async fn close_once(
    w: &mut Write<'_>,
    (table, entity, action): (&'static str, &'static str, &'static str),
    id: i64,
    note: &str,
    already: &str,
) -> Result<(), AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let done = sqlx::query(&format!(
        "UPDATE {table} SET closed_by = $1, closed_at = $2, closing_note = $3 WHERE id = $4 AND closed_at IS NULL"
    ))
    .bind(by)
    .bind(at)
    .bind(note)
    .bind(id)
    .execute(w.conn())
    .await?;
    crate::platform::db::changed(&done, crate::domain::Problem::new(already))?;
    w.audit(Change::new(action, entity, id).after(&serde_json::json!({ "note": note })))
        .await?;
    Ok(())
}

/// Writes one row of the audit trail on `conn` (the writer's own
/// transaction): the one place that inserts into `audit_log`.
pub async fn audit_row(
    conn: &mut AnyConnection,
    actor: &Actor,
    at: i64,
    change: Change<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_id, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(at)
    .bind(actor.id)
    .bind(&actor.name)
    .bind(change.action)
    .bind(change.entity)
    .bind(change.id)
    .bind(change.before)
    .bind(change.after)
    .execute(conn)
    .await?;
    Ok(())
}

/// What one audit row says: the action on which record, and the record
/// before and after (JSON).
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl<'a> Change<'a> {
    pub fn new(action: &'a str, entity: &'a str, id: impl ToString) -> Change<'a> {
        Change {
            action,
            entity,
            id: id.to_string(),
            before: None,
            after: None,
        }
    }

    pub fn before<T: Serialize>(mut self, value: &T) -> Self {
        self.before = json(value);
        self
    }

    pub fn after<T: Serialize>(mut self, value: &T) -> Self {
        self.after = json(value);
        self
    }
}
