//! The home page's own counts, each one query within the caller's reach
//! (`None`: the caller reaches no unit for it, so it is not shown).

use crate::domain::authz::Reach;
use crate::platform::sql::Filter;
use sqlx::AnyPool;

/// Units within reach with fewer people than they must have on duty.
pub async fn units_short_of_duty(
    pool: &AnyPool,
    reach: &Reach,
) -> Result<Option<i64>, sqlx::Error> {
    let mut f = Filter::new();
    if !f.within(reach, "u.path") {
        return Ok(None);
    }
    let sql = format!(
        "SELECT COUNT(*) FROM units u \
         WHERE u.min_on_duty > (SELECT COUNT(*) FROM people p WHERE p.unit_id = u.id) AND {}",
        f.sql()
    );
    f.bind_scalar(sqlx::query_scalar(&sql))
        .fetch_one(pool)
        .await
        .map(Some)
}

/// Vetoes within reach waiting for a second assessor: proposed, or
/// confirmed with a revocation proposed.
pub async fn vetoes_pending(pool: &AnyPool, reach: &Reach) -> Result<Option<i64>, sqlx::Error> {
    let mut f = Filter::new();
    if !f.within(reach, "u.path") {
        return Ok(None);
    }
    let sql = format!(
        "SELECT COUNT(*) FROM assessment_vetoes v JOIN units u ON u.id = v.unit_id \
         WHERE (v.status = 'proposed' OR (v.status = 'confirmed' AND v.revoke_proposed_at IS NOT NULL)) AND {}",
        f.sql()
    );
    f.bind_scalar(sqlx::query_scalar(&sql))
        .fetch_one(pool)
        .await
        .map(Some)
}

/// Disabled accounts, and changes recorded since `since` (the admin's).
pub async fn admin_counts(pool: &AnyPool, since: i64) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM accounts WHERE disabled = 1), \
         (SELECT COUNT(*) FROM audit_log WHERE at >= $1)",
    )
    .bind(since)
    .fetch_one(pool)
    .await
}
