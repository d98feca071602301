//! Who may read the audit trail, and what the filter form means.

use super::dto::AuditEntry;
use super::store::{self, AuditFilter};
use crate::domain::authz::Action;
use crate::domain::{iso_date, local_day_start};
use crate::error::AppError;
use crate::model::Page;
use crate::platform::Ctx;

/// The filter form as typed: dates are local days, "to" inclusive.
pub struct AuditQuery {
    pub entity: String,
    pub who: String,
    pub action: String,
    pub from: String,
    pub to: String,
}

/// How many changes were recorded since the start of today (the admin's
/// home page).
pub async fn changes_today(cx: &Ctx) -> Result<i64, AppError> {
    cx.may(Action::ViewAudit)?;
    Ok(store::count_since(cx.pool(), local_day_start(cx.today)).await?)
}

pub async fn list(cx: &Ctx, q: AuditQuery, page: i64) -> Result<Page<AuditEntry>, AppError> {
    cx.may(Action::ViewAudit)?;
    let day = |raw: &str, field: &str| -> Result<Option<i64>, AppError> {
        if raw.trim().is_empty() {
            return Ok(None);
        }
        iso_date(raw)
            .map(|d| Some(local_day_start(d)))
            .map_err(|p| AppError::invalid(field, p))
    };
    let filter = AuditFilter {
        entity: Some(q.entity),
        actor: Some(q.who),
        action: Some(q.action),
        from: day(&q.from, "field.from")?,
        // "to" is inclusive: up to the end of that day.
        to: day(&q.to, "field.to")?.map(|t| t + 86_400),
    };
    Ok(store::list(cx.pool(), &filter, page.max(1), 50).await?)
}
