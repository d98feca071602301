//! Storage of the areas that have not yet moved into `crate::areas` (see
//! the README's map): one module per table group, calling one another. The
//! database itself, and the helpers every store uses, are the platform's
//! (`crate::platform::db`), re-exported here for these modules.

pub use crate::platform::db::*;

pub mod assessment;
pub mod audit;
pub mod evidence;

pub mod training;

/// The directory moved into `crate::areas`; the stores still here reach it
/// by these names until their own areas move.
pub use crate::areas::directory::store::{people, units};

/// Published years from before publishing froze its evidence get their
/// snapshot now, once (the ranking stops following later records).
pub async fn backfill_snapshots(db: &Db, now: i64) -> Result<usize, crate::error::AppError> {
    let mut tx = db.write().await?;
    let n = assessment::backfill_snapshots(&mut tx, now).await?;
    tx.commit().await?;
    Ok(n)
}
