//! Storage (server only). One pool type for SQLite and PostgreSQL
//! (`sqlx::Any`), chosen by the URL; the same SQL text, with `$1`
//! placeholders and `RETURNING`, runs on both. Instants are stored as Unix
//! seconds and flags as 0/1 integers, the types `Any` carries on both.

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
    /// The SQLite file, when there is one.
    pub file: Option<std::path::PathBuf>,
    /// Values computed from the data, kept until the data moves.
    pub memo: std::sync::Arc<super::memo::Memo>,
}

/// The file a SQLite URL names; `None` for an in-memory database (or not
/// SQLite).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || query.contains("mode=memory") {
        return None;
    }
    Some(std::path::PathBuf::from(path))
}

/// Looks at the place of a SQLite database before opening it, so that a
/// start that cannot work says why within a second (not "pool timed out"
/// after 30 s of retries): the directory must exist and take new files
/// (SQLite keeps `-wal` and `-shm` files beside the database), the disk
/// must have room, and an existing file must open for writing.
pub fn check_sqlite_place(file: &std::path::Path) -> Result<(), String> {
    use std::io::{ErrorKind, Write};
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let fix = "set DATABASE_URL to a writable place, or fix the permissions";
    if !dir.is_dir() {
        return Err(format!(
            "DATABASE_URL: the directory {} of the database does not exist ({fix})",
            dir.display()
        ));
    }
    let why = |e: &std::io::Error, what: String| match e.kind() {
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => format!(
            "DATABASE_URL: no space left on the disk holding {}: free some space ({e})",
            dir.display()
        ),
        _ => format!("DATABASE_URL: {what} ({fix}): {e}"),
    };
    if file.exists() {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(file)
            .map_err(|e| {
                why(
                    &e,
                    format!("the database file {} is not writable", file.display()),
                )
            })?;
    }
    let probe = dir.join(format!(".yingji-start-check-{}", std::process::id()));
    let written = std::fs::File::create(&probe).and_then(|mut f| {
        f.write_all(&[0u8; 64 * 1024])?;
        f.sync_all()
    });
    let _ = std::fs::remove_file(&probe);
    written.map_err(|e| {
        why(
            &e,
            format!(
                "the directory {} does not take new files (SQLite keeps its -wal and -shm files there)",
                dir.display()
            ),
        )
    })
}

/// An exclusive lock on `<database>.migrate-lock`, held while migrating.
struct MigrationLock(std::fs::File);

impl MigrationLock {
    async fn take(db_file: &std::path::Path) -> Result<MigrationLock, sqlx::migrate::MigrateError> {
        let mut name = db_file.as_os_str().to_owned();
        name.push(".migrate-lock");
        let path = std::path::PathBuf::from(name);
        let file = tokio::task::spawn_blocking(move || {
            let f = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)?;
            f.lock()?;
            Ok::<_, std::io::Error>(f)
        })
        .await
        .map_err(|e| {
            sqlx::migrate::MigrateError::Execute(sqlx::Error::Io(std::io::Error::other(e)))
        })?
        .map_err(|e| sqlx::migrate::MigrateError::Execute(sqlx::Error::Io(e)))?;
        Ok(MigrationLock(file))
    }
}

impl Drop for MigrationLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
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
    pub fn install_drivers() {
        install_default_drivers();
    }

    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, sqlx::Error> {
        install_default_drivers();
        let backend = Backend::from_url(url)
            .ok_or_else(|| sqlx::Error::Configuration("unsupported DATABASE_URL scheme".into()))?;
        let file = sqlite_file(url);
        // A connection still inside a transaction when it comes back (a
        // COMMIT or ROLLBACK that failed, say on a full disk) is closed, never
        // handed to the next request: that one would nest a savepoint in the
        // dead transaction, answer "saved" for a write that is never
        // committed, and keep SQLite's write lock from everyone else.
        let options = AnyPoolOptions::new()
            .max_connections(max_connections)
            .after_release(|conn, _meta| {
                Box::pin(async move {
                    use sqlx::Connection;
                    // Runs a rollback that a dropped transaction queued.
                    conn.ping().await?;
                    if conn.is_in_transaction() {
                        tracing::error!("a connection came back inside a transaction: closed");
                        return Ok(false);
                    }
                    Ok(true)
                })
            });
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
        Ok(Db {
            pool,
            backend,
            file,
            memo: Default::default(),
        })
    }

    /// Begins a write transaction. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`): a deferred transaction that reads first
    /// cannot upgrade its lock when another writer holds it, and SQLite
    /// fails it at once with "database is locked" instead of waiting out the
    /// busy timeout. Every transaction that writes starts here.
    pub async fn write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Applies the migrations. On SQLite several processes starting at
    /// once on a new file would each see a migration as missing and run it
    /// (two of four failed with "table already exists"): they take turns
    /// by an exclusive lock on a file beside the database. PostgreSQL's
    /// migrator takes an advisory lock itself.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => {
                let _turn = match &self.file {
                    Some(file) => Some(MigrationLock::take(file).await?),
                    None => None,
                };
                SQLITE_MIGRATIONS.run(&self.pool).await
            }
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await,
        }
    }

    /// Writes once, at start: a read-only database file, directory or
    /// disk is found now, with its cause, and not at the first sign-in.
    pub async fn check_writable(&self) -> Result<(), String> {
        let mut tx = self.write().await.map_err(|e| self.unwritable(e))?;
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('write_check', '1') \
             ON CONFLICT (key) DO UPDATE SET value = '1'",
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| self.unwritable(e))?;
        tx.commit().await.map_err(|e| self.unwritable(e))
    }

    fn unwritable(&self, e: sqlx::Error) -> String {
        match &self.file {
            Some(f) => format!(
                "DATABASE_URL: cannot write to the database file {}: {e} (check that the file, \
                 its directory and the disk are writable and not full)",
                f.display()
            ),
            None => format!("DATABASE_URL: cannot write to the database: {e}"),
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

/// Holds one row (`key` = `id` in `table`) until the transaction ends:
/// a no-op UPDATE takes the row lock on PostgreSQL, where read committed
/// would let two writers both pass a check the other invalidates; on
/// SQLite the write transaction already runs alone. Whether the row
/// exists. `table` and `key` are the caller's literals, never input.
pub async fn lock_row(
    c: &mut sqlx::AnyConnection,
    (table, key): (&'static str, &'static str),
    id: i64,
) -> Result<bool, crate::error::AppError> {
    let done = sqlx::query(&format!(
        "UPDATE {table} SET {key} = {key} WHERE {key} = $1"
    ))
    .bind(id)
    .execute(c)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A guarded change (`UPDATE … WHERE status = 'draft'`, `… AND voided_at
/// IS NULL`) must have found its row: none means another request changed
/// it first (or it was never in that state), the conflict `problem` names.
/// The one way stores turn "0 rows" into a 409.
pub fn changed(
    done: &sqlx::any::AnyQueryResult,
    problem: crate::domain::Problem,
) -> Result<(), crate::error::AppError> {
    if done.rows_affected() == 0 {
        Err(crate::error::AppError::Conflict(problem))
    } else {
        Ok(())
    }
}

/// Ids for an `IN (...)` list: they are numbers, so they are written into
/// the query (one query for any number of them, no binds to count).
pub fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
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
    let (cond, values) = super::sql::reach_cond(reach, path_column)?;
    let (numbered, _) = super::sql::number(&cond, binds.len() + 1);
    binds.extend(values);
    Some(numbered)
}

/// A value of a row for `insert_rows`.
pub(crate) enum Val<'a> {
    Int(i64),
    Text(&'a str),
}

/// Inserts `rows` (each `width` values, in the column order of `head`,
/// `INSERT INTO t (a, b, c)`) with a few multi-row statements instead of
/// one per row: 200 rows a statement keeps within both databases' limits
/// on placeholders.
pub(crate) async fn insert_rows(
    c: &mut sqlx::AnyConnection,
    head: &str,
    width: usize,
    rows: &[Vec<Val<'_>>],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(200) {
        let mut sql = format!("{head} VALUES ");
        for (i, row) in chunk.iter().enumerate() {
            debug_assert_eq!(row.len(), width);
            if i > 0 {
                sql.push_str(", ");
            }
            let marks: Vec<String> = (1..=width).map(|j| format!("${}", i * width + j)).collect();
            sql.push('(');
            sql.push_str(&marks.join(", "));
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    Val::Int(n) => q.bind(*n),
                    Val::Text(t) => q.bind(*t),
                };
            }
        }
        q.execute(&mut *c).await?;
    }
    Ok(())
}

/// A type stored as text on both databases (what `Decode` then parses).
macro_rules! stored_as_text {
    ($ty:ident $(<$p:ident: $bound:path>)?) => {
        impl$(<$p: $bound>)? sqlx::Type<sqlx::Any> for $ty$(<$p>)? {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }

            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }
    };
}

/// A stored day (`YYYY-MM-DD` text on both databases), for `FromRow`
/// structs: a value that is not a date fails the row with the column
/// named, never a default (a batch that silently became 1970-01-01 would
/// schedule, remind and count wrongly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(pub chrono::NaiveDate);

stored_as_text!(Day);

impl<'r> sqlx::Decode<'r, sqlx::Any> for Day {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let s = <String as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
        chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map(Day)
            .map_err(|e| format!("{s:?} is not a date: {e}").into())
    }
}

impl From<Day> for chrono::NaiveDate {
    fn from(d: Day) -> chrono::NaiveDate {
        d.0
    }
}

/// A domain value stored as its code (a unit's kind, a registry role):
/// what `Code` decodes.
pub trait StoredCode: Sized {
    /// What the code names, for the error ("unit kind").
    const WHAT: &'static str;
    fn from_code(code: &str) -> Option<Self>;
}

impl StoredCode for crate::domain::unit::UnitKind {
    const WHAT: &'static str = "unit kind";
    fn from_code(code: &str) -> Option<Self> {
        Self::parse(code).ok()
    }
}

impl StoredCode for crate::domain::registry::RegistryRole {
    const WHAT: &'static str = "registry role";
    fn from_code(code: &str) -> Option<Self> {
        Self::parse(code).ok()
    }
}

impl StoredCode for crate::domain::veto::VetoStatus {
    const WHAT: &'static str = "veto status";
    fn from_code(code: &str) -> Option<Self> {
        Self::parse(code)
    }
}

impl StoredCode for crate::domain::incident::Level {
    const WHAT: &'static str = "incident level";
    fn from_code(code: &str) -> Option<Self> {
        Self::parse(code).ok()
    }
}

impl StoredCode for crate::domain::duty::DutyRole {
    const WHAT: &'static str = "duty role";
    fn from_code(code: &str) -> Option<Self> {
        Self::parse(code)
    }
}

impl StoredCode for crate::domain::duty_office::PeriodKind {
    const WHAT: &'static str = "duty period kind";
    fn from_code(code: &str) -> Option<Self> {
        Self::parse(code)
    }
}

impl StoredCode for crate::domain::evidence::Origin {
    const WHAT: &'static str = "metric origin";
    fn from_code(code: &str) -> Option<Self> {
        Self::parse(code)
    }
}

/// The drills' and emergency plans' coded enums, each read by its code.
macro_rules! stored_code {
    ($($ty:ty => $what:literal),+ $(,)?) => {$(
        impl StoredCode for $ty {
            const WHAT: &'static str = $what;
            fn from_code(code: &str) -> Option<Self> {
                Self::parse(code).ok()
            }
        }
    )+};
}

stored_code!(
    crate::domain::drills::PlanKind => "plan kind",
    crate::domain::drills::PlanStatus => "plan status",
    crate::domain::drills::DocKind => "document kind",
    crate::domain::drills::Scenario => "scenario",
    crate::domain::drills::DrillFormat => "drill format",
    crate::domain::drills::DrillStatus => "drill status",
    crate::domain::drills::Rating => "rating",
);

/// A stored code, for `FromRow` structs: an unknown code fails the row
/// with the column named (never a default kind, never a dropped row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code<T>(pub T);

stored_as_text!(Code<T: StoredCode>);

impl<'r, T: StoredCode> sqlx::Decode<'r, sqlx::Any> for Code<T> {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let s = <String as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
        T::from_code(&s)
            .map(Code)
            .ok_or_else(|| format!("{s:?} is not a {}", T::WHAT).into())
    }
}

/// A stored set of positions (`|code|code|`, see `Position::encode_list`),
/// for `FromRow` structs: an unknown code fails the row (it used to empty
/// the whole set, so that a rotation targeted nobody).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Positions(pub Vec<crate::domain::person::Position>);

stored_as_text!(Positions);

impl<'r> sqlx::Decode<'r, sqlx::Any> for Positions {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let s = <String as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
        crate::domain::person::Position::parse_list(&s)
            .map(Positions)
            .map_err(|_| format!("{s:?} is not a set of positions").into())
    }
}

impl From<Positions> for Vec<crate::domain::person::Position> {
    fn from(p: Positions) -> Vec<crate::domain::person::Position> {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn many_rows_go_in_whole_across_statements() {
        install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (a INTEGER NOT NULL, b TEXT NOT NULL)")
            .execute(&pool)
            .await
            .unwrap();
        let texts: Vec<String> = (0..450).map(|i| format!("'{i}\"; --")).collect();
        let rows: Vec<Vec<Val>> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| vec![Val::Int(i as i64), Val::Text(t)])
            .collect();
        let mut tx = pool.begin().await.unwrap();
        insert_rows(&mut tx, "INSERT INTO t (a, b)", 2, &rows)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let (n, sum): (i64, i64) = sqlx::query_as("SELECT COUNT(*), SUM(a) FROM t")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!((n, sum), (450, (0..450).sum::<i64>()));
        let last: String = sqlx::query_scalar("SELECT b FROM t WHERE a = 449")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(last, "'449\"; --", "text is bound, never spliced");
    }

    #[tokio::test]
    async fn a_stored_day_that_is_not_one_fails_the_row_naming_the_column() {
        #[derive(sqlx::FromRow)]
        struct Dates {
            issued_on: Day,
            expires_on: Option<Day>,
        }
        install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        let read = |on: &'static str, until: Option<&'static str>| {
            let pool = pool.clone();
            async move {
                sqlx::query_as::<_, Dates>("SELECT $1 AS issued_on, $2 AS expires_on")
                    .bind(on)
                    .bind(until)
                    .fetch_one(&pool)
                    .await
            }
        };
        let ok = read("2018-03-01", None).await.unwrap();
        assert_eq!(ok.issued_on.0.to_string(), "2018-03-01");
        assert!(ok.expires_on.is_none());
        let both = read("2018-03-01", Some("2018-12-31")).await.unwrap();
        assert_eq!(
            both.expires_on
                .map(chrono::NaiveDate::from)
                .unwrap()
                .to_string(),
            "2018-12-31"
        );
        for (on, until) in [
            ("2018-02-30", None),
            ("", None),
            ("2018-03-01", Some("soon")),
        ] {
            let err = read(on, until).await.err().expect("not a date");
            let text = err.to_string();
            assert!(text.contains("is not a date"), "{on:?}/{until:?}: {text}");
        }
    }

    #[tokio::test]
    async fn an_unknown_stored_code_fails_the_row_instead_of_becoming_a_default() {
        use crate::domain::unit::UnitKind;
        install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        let kind = |code: &'static str| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, Code<UnitKind>>("SELECT $1")
                    .bind(code)
                    .fetch_one(&pool)
                    .await
            }
        };
        assert_eq!(kind("village").await.unwrap().0, UnitKind::Village);
        let err = kind("castle").await.expect_err("not a kind").to_string();
        assert!(err.contains("\"castle\" is not a unit kind"), "{err}");
    }

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
