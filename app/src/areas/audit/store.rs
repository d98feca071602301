//! Reading the audit trail, newest first, filtered.

use super::dto::AuditEntry;
use crate::model::Page;
use crate::platform::db::like_pattern;
use crate::platform::sql::Filter;
use sqlx::AnyPool;

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Instants (Unix seconds): from inclusive, to exclusive.
    pub from: Option<i64>,
    pub to: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: i64,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    before_json: Option<String>,
    after_json: Option<String>,
}

pub async fn list(
    pool: &AnyPool,
    f: &AuditFilter,
    page: i64,
    per_page: i64,
) -> Result<Page<AuditEntry>, sqlx::Error> {
    let mut w = Filter::new();
    for (col, val) in [
        ("entity", &f.entity),
        ("actor", &f.actor),
        ("action", &f.action),
    ] {
        let needle = val.as_deref().filter(|v| !v.is_empty()).map(like_pattern);
        w.and_some(&format!("{col} LIKE ? ESCAPE '\\'"), needle);
    }
    w.and_some("at >= ?", f.from).and_some("at < ?", f.to);
    let count_sql = format!("SELECT COUNT(*) FROM audit_log WHERE {}", w.sql());
    let total: i64 = w
        .bind_scalar(sqlx::query_scalar(&count_sql))
        .fetch_one(pool)
        .await?;
    let n = w.next();
    let sql = format!(
        "SELECT id, at, actor, action, entity, entity_id, before_json, after_json FROM audit_log \
         WHERE {} ORDER BY id DESC LIMIT ${n} OFFSET ${}",
        w.sql(),
        n + 1
    );
    let rows: Vec<Row> = w
        .bind_as(sqlx::query_as(&sql))
        .bind(per_page)
        .bind((page - 1).max(0) * per_page)
        .fetch_all(pool)
        .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: r.at,
                actor: r.actor,
                action: r.action,
                entity: r.entity,
                entity_id: r.entity_id,
                before: r.before_json,
                after: r.after_json,
            })
            .collect(),
        total,
        page,
        per_page,
    })
}

/// How many changes were recorded at or after `since` (Unix seconds).
pub async fn count_since(pool: &AnyPool, since: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE at >= $1")
        .bind(since)
        .fetch_one(pool)
        .await
}
