//! Storage (server only). One pool type for SQLite and PostgreSQL
//! (`sqlx::Any`), chosen by the URL; the same SQL text, with `$1`
//! placeholders and `RETURNING`, runs on both. Instants are stored as Unix
//! seconds and flags as 0/1 integers, the types `Any` carries on both.

pub mod accounts;
pub mod assessment;
pub mod audit;
pub mod drills;
pub mod imports;
pub mod people;
pub mod registry;
pub mod sessions;
pub mod training;
pub mod units;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

impl Backend {
    /// Which database a URL names; `None` when it is neither.
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

impl Db {
    /// Opens the pool. SQLite gets WAL, synchronous NORMAL, foreign keys and
    /// a busy timeout on every connection; the file is created if missing
    /// when the URL says `mode=rwc`.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, sqlx::Error> {
        install_default_drivers();
        let backend = Backend::from_url(url)
            .ok_or_else(|| sqlx::Error::Configuration("unsupported DATABASE_URL scheme".into()))?;
        let options = AnyPoolOptions::new().max_connections(max_connections);
        let pool = match backend {
            Backend::Sqlite => {
                options
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
            Backend::Postgres => options.connect(url).await?,
        };
        Ok(Db { pool, backend })
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await,
        }
    }

    /// True when no unit exists yet: the run command seeds the demo then.
    pub async fn is_empty(&self) -> Result<bool, sqlx::Error> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units")
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 0)
    }

    pub async fn meta(&self, key: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
    }

    pub async fn set_meta(&self, key: &str, value: &str) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub fn like_pattern(needle: &str) -> String {
    let mut s = String::from("%");
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

/// The SQL condition that keeps `path_column` within a reach, adding its
/// patterns to `binds`; `None` when the reach is nowhere (nothing matches).
pub fn reach_clause(
    reach: &crate::domain::authz::Reach,
    path_column: &str,
    binds: &mut Vec<String>,
) -> Option<String> {
    use crate::domain::authz::Reach;
    match reach {
        Reach::Nowhere => None,
        Reach::Everywhere => Some("1 = 1".to_string()),
        Reach::Subtrees(paths) => {
            let mut ors = Vec::new();
            for p in paths {
                binds.push(format!("{p}%"));
                ors.push(format!("{path_column} LIKE ${}", binds.len()));
            }
            Some(format!("({})", ors.join(" OR ")))
        }
    }
}

/// A required ISO date column (`YYYY-MM-DD`).
pub(crate) fn day(r: &sqlx::any::AnyRow, col: &str) -> chrono::NaiveDate {
    use sqlx::Row;
    let s: String = r.get(col);
    chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").unwrap_or_default()
}

/// An optional ISO date column.
pub(crate) fn opt_day(r: &sqlx::any::AnyRow, col: &str) -> Option<chrono::NaiveDate> {
    use sqlx::Row;
    let s: Option<String> = r.get(col);
    s.and_then(|s| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
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
    .bind(sessions::random_token())
    .bind(id)
    .execute(&mut *c)
    .await?;
    let stored: Option<String> = sqlx::query_scalar(&read)
        .bind(id)
        .fetch_one(&mut *c)
        .await?;
    stored.ok_or(crate::error::AppError::Internal)
}

/// Whose feed a token opens: (id, name).
pub async fn by_calendar_token(
    c: &mut sqlx::AnyConnection,
    owner: FeedOwner,
    token: &str,
) -> Result<Option<(i64, String)>, crate::error::AppError> {
    use sqlx::Row;
    let row = sqlx::query(&format!(
        "SELECT id, name FROM {} WHERE calendar_token = $1",
        owner.table()
    ))
    .bind(token)
    .fetch_optional(&mut *c)
    .await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_x"), "%50\\%\\_x%");
        assert_eq!(
            Backend::from_url("sqlite://a.db?mode=rwc"),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::from_url("mysql://x"), None);
    }
}
