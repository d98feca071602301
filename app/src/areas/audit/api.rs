//! The audit trail's server function.

use super::dto::AuditEntry;
use crate::error::AppError;
use crate::model::Page;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::service, crate::platform::request::answer};

#[server(endpoint = "list_audit")]
pub async fn list_audit(
    #[server(default)] entity: String,
    #[server(default)] who: String,
    #[server(default)] action: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    page: i64,
) -> Result<Page<AuditEntry>, AppError> {
    let q = service::AuditQuery {
        entity,
        who,
        action,
        from,
        to,
    };
    answer(async |cx| service::list(cx, q, page).await).await
}
