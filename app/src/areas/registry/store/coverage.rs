//! The coverage setting: how many certified quick-reporters each village
//! or community needs (1 or 2), kept in `meta`.

use crate::error::AppError;
use crate::platform::{Change, Write};
use sqlx::AnyConnection;

/// The number set, 1 until set. A stored value out of range is an error
/// (only `set_reporters_needed` writes it, after checking).
pub async fn reporters_needed(c: &mut AnyConnection) -> Result<i64, AppError> {
    let v: Option<String> =
        sqlx::query_scalar("SELECT value FROM meta WHERE key = 'reporters_needed'")
            .fetch_optional(&mut *c)
            .await?;
    match v {
        None => Ok(1),
        Some(v) => v
            .parse()
            .ok()
            .filter(|n| (1..=2).contains(n))
            .ok_or_else(|| {
                tracing::error!(value = v, "meta.reporters_needed is not 1 or 2");
                AppError::Internal
            }),
    }
}

pub async fn set_reporters_needed(w: &mut Write<'_>, n: i64) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ('reporters_needed', $1) ON CONFLICT (key) DO UPDATE SET value = $1",
    )
    .bind(n.to_string())
    .execute(w.conn())
    .await?;
    w.audit(Change::new("setting.reporters_needed", "setting", "reporters_needed").after(&n))
        .await?;
    Ok(())
}
