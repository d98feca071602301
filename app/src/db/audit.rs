//! The audit trail for the storage not yet moved into `areas`: `record`
//! inside the writer's own transaction, so that a change and its audit row
//! land together (areas use `platform::Write::audit`). Rows are only ever
//! inserted (the database refuses updates and deletes with triggers);
//! reading them is the audit area's (`areas::audit`).

use sqlx::{Any, Transaction};

use crate::platform::Change;
pub use crate::platform::{Actor, json};

/// One audit row inside `tx` (see `platform::audit_row`).
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
    let change = Change {
        action,
        entity,
        id: entity_id.to_string(),
        before,
        after,
    };
    crate::platform::audit_row(tx, actor, at, change).await
}
