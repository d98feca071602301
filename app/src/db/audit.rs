//! The audit trail for the storage not yet moved into `areas`: `record`
//! inside the writer's own transaction, so that a change and its audit row
//! land together (areas use `platform::Write::audit`). Rows are only ever
//! inserted (the database refuses updates and deletes with triggers);
//! reading them is the audit area's (`areas::audit`).

use sqlx::{Any, Transaction};

pub use crate::platform::{Actor, json};

#[allow(clippy::too_many_arguments)]
pub async fn record(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<String>,
    after: Option<String>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_id, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(at)
    .bind(actor.id)
    .bind(&actor.name)
    .bind(action)
    .bind(entity)
    .bind(entity_id)
    .bind(before)
    .bind(after)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
