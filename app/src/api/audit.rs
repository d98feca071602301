//! Browsing the audit trail (admins only). Read-only by construction.

use crate::error::AppError;
use crate::model::{AuditEntry, Page};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

#[server(endpoint = "list_audit")]
pub async fn list_audit(
    #[server(default)] entity: String,
    #[server(default)] who: String,
    #[server(default)] action: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    page: i64,
) -> Result<Page<AuditEntry>, AppError> {
    use crate::db::audit::{self, AuditFilter};
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            require_may(Action::ViewAudit)?;
            let day = |raw: &str, field: &str| -> Result<Option<i64>, AppError> {
                if raw.trim().is_empty() {
                    return Ok(None);
                }
                crate::domain::iso_date(raw)
                    .map(|d| Some(crate::domain::local_day_start(d)))
                    .map_err(|p| AppError::invalid(field, p))
            };
            let filter = AuditFilter {
                entity: Some(entity),
                actor: Some(who),
                action: Some(action),
                from: day(&from, "field.from")?,
                // "to" is inclusive: up to the end of that day.
                to: day(&to, "field.to")?.map(|t| t + 86_400),
            };
            Ok(audit::list(&state()?.db.pool, &filter, page.max(1), 50).await?)
        }
        .await,
    )
}
