//! Pages computed from the data, kept until the data moves.
//!
//! The database holds one number, the data's version (`data_version`),
//! that triggers move in every transaction that changes the data (see
//! `migrations/*/0011_data_version.sql`). A value computed at version `v`
//! is served again while the version is still `v`, on every app instance:
//! a change made anywhere is seen at the next request, never later. Reading
//! the version is one small query; what it saves is the evaluation of a
//! 500-unit ranking, a district's coverage or a calendar month of drills.
//!
//! A value is computed once per key and version, however many requests ask
//! for it at once (the others wait for the first). The key must name every
//! input of the value that is not the data: the caller's reach, the day,
//! the language.
//!
//! Correct under races: a value is stored under the version read *before*
//! it was computed; a change committed meanwhile has moved the version, so
//! the next request computes again.

use crate::error::AppError;
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Keys kept at most; when full, everything is dropped (values are cheap
/// to compute again, compared with holding on to memory: a signed-in person
/// asking for every month of the calendar fills it with pages).
const MAX_KEYS: usize = 256;

type Value = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
pub struct Memo {
    slots: Mutex<Slots>,
}

#[derive(Default)]
struct Slots {
    version: i64,
    cells: HashMap<String, Arc<OnceCell<Value>>>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

/// The data's version now.
pub async fn version<'e, E>(db: E) -> Result<i64, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
        .fetch_one(db)
        .await
}

impl Memo {
    /// The value under `key` at the data's current version, computed by
    /// `compute` when there is none yet.
    pub async fn get_or<T, F>(
        &self,
        pool: &sqlx::AnyPool,
        key: String,
        compute: F,
    ) -> Result<Arc<T>, AppError>
    where
        T: Send + Sync + 'static,
        F: AsyncFnOnce() -> Result<T, AppError>,
    {
        let v = version(pool).await?;
        self.at(v, key, compute).await
    }

    /// `get_or` at a version the caller read.
    pub async fn at<T, F>(&self, v: i64, key: String, compute: F) -> Result<Arc<T>, AppError>
    where
        T: Send + Sync + 'static,
        F: AsyncFnOnce() -> Result<T, AppError>,
    {
        let cell = self.cell(v, key);
        let value = match cell {
            Some(cell) => cell
                .get_or_try_init(|| async move {
                    let value: Value = Arc::new(compute().await?);
                    Ok::<Value, AppError>(value)
                })
                .await?
                .clone(),
            // An older version than the one kept: computed, not kept.
            None => return Ok(Arc::new(compute().await?)),
        };
        value.downcast::<T>().map_err(|_| {
            tracing::error!("one memo key used for two kinds of value");
            AppError::Internal
        })
    }

    /// The cell for `key` at version `v` (made when missing), or `None`
    /// when `v` is older than what is kept.
    fn cell(&self, v: i64, key: String) -> Option<Arc<OnceCell<Value>>> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if v < slots.version {
            return None;
        }
        if v > slots.version || slots.cells.len() >= MAX_KEYS {
            slots.cells.clear();
            slots.version = v;
        }
        Some(slots.cells.entry(key).or_default().clone())
    }

    /// How many values are kept (tests).
    pub fn len(&self) -> usize {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.cells.values().filter(|c| c.initialized()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A computation that counts its runs.
    macro_rules! counted {
        ($n:expr, $value:expr) => {
            async || {
                $n.fetch_add(1, Ordering::SeqCst);
                Ok::<i64, AppError>($value)
            }
        };
    }

    #[tokio::test]
    async fn a_value_is_computed_once_per_version_and_key() {
        let memo = Memo::default();
        let n = AtomicUsize::new(0);
        assert_eq!(*memo.at(1, "a".into(), counted!(n, 10)).await.unwrap(), 10);
        assert_eq!(*memo.at(1, "a".into(), counted!(n, 11)).await.unwrap(), 10);
        assert_eq!(n.load(Ordering::SeqCst), 1);
        // Another key, then the data moves: computed again.
        assert_eq!(*memo.at(1, "b".into(), counted!(n, 20)).await.unwrap(), 20);
        assert_eq!(*memo.at(2, "a".into(), counted!(n, 12)).await.unwrap(), 12);
        assert_eq!(n.load(Ordering::SeqCst), 3);
        // The old version's values are gone.
        assert_eq!(memo.len(), 1);
    }

    #[tokio::test]
    async fn a_request_that_read_an_older_version_computes_but_keeps_nothing() {
        let memo = Memo::default();
        let n = AtomicUsize::new(0);
        memo.at(5, "a".into(), counted!(n, 50)).await.unwrap();
        assert_eq!(*memo.at(4, "a".into(), counted!(n, 40)).await.unwrap(), 40);
        assert_eq!(*memo.at(5, "a".into(), counted!(n, 51)).await.unwrap(), 50);
        assert_eq!(n.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failure_is_not_kept() {
        let memo = Memo::default();
        let failed = memo
            .at(1, "a".into(), async || Err::<i64, _>(AppError::NotFound))
            .await;
        assert!(matches!(failed, Err(AppError::NotFound)));
        assert_eq!(*memo.at(1, "a".into(), async || Ok(7i64)).await.unwrap(), 7);
    }

    #[tokio::test]
    async fn requests_that_ask_at_once_share_one_computation() {
        let memo = Arc::new(Memo::default());
        let n = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (memo, n) = (memo.clone(), n.clone());
            tasks.push(tokio::spawn(async move {
                *memo
                    .at(1, "slow".into(), async || {
                        n.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok(3i64)
                    })
                    .await
                    .unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 3);
        }
        assert_eq!(n.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn one_key_for_two_kinds_of_value_is_an_error_not_a_panic() {
        let memo = Memo::default();
        memo.at(1, "k".into(), async || Ok(1i64)).await.unwrap();
        let wrong = memo.at(1, "k".into(), async || Ok("x".to_string())).await;
        assert!(matches!(wrong, Err(AppError::Internal)));
    }

    #[tokio::test]
    async fn the_memo_holds_a_bounded_number_of_keys() {
        let memo = Memo::default();
        for i in 0..(MAX_KEYS + 10) {
            memo.at(1, format!("k{i}"), async || Ok(i)).await.unwrap();
        }
        assert!(memo.len() <= MAX_KEYS);
    }
}
