//! The audit trail: rows are only ever inserted (the database refuses
//! updates and deletes with triggers). Every write elsewhere calls `record`
//! inside its own transaction, so a change and its audit row land together.

use crate::model::{AuditEntry, Page};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

/// Who made a change: a signed-in account, or the command line.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn system(what: &str) -> Actor {
        Actor {
            id: None,
            name: format!("system:{what}"),
        }
    }
}

pub fn json<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

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

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

pub async fn list(
    pool: &sqlx::AnyPool,
    f: &AuditFilter,
    page: i64,
    per_page: i64,
) -> Result<Page<AuditEntry>, sqlx::Error> {
    let mut clauses = vec!["1 = 1".to_string()];
    let mut binds: Vec<String> = Vec::new();
    let mut ints: Vec<i64> = Vec::new();
    // Text filters first ($1..), then the time range, then paging.
    for (col, val) in [
        ("entity", &f.entity),
        ("actor", &f.actor),
        ("action", &f.action),
    ] {
        if let Some(v) = val.as_ref().filter(|v| !v.is_empty()) {
            binds.push(super::like_pattern(v));
            clauses.push(format!("{col} LIKE ${} ESCAPE '\\'", binds.len()));
        }
    }
    let mut n = binds.len();
    if let Some(from) = f.from {
        n += 1;
        ints.push(from);
        clauses.push(format!("at >= ${n}"));
    }
    if let Some(to) = f.to {
        n += 1;
        ints.push(to);
        clauses.push(format!("at < ${n}"));
    }
    let filter = clauses.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) FROM audit_log WHERE {filter}");
    let mut q = sqlx::query_scalar::<_, i64>(&count_sql);
    for b in &binds {
        q = q.bind(b);
    }
    for i in &ints {
        q = q.bind(*i);
    }
    let total = q.fetch_one(pool).await?;
    let sql = format!(
        "SELECT id, at, actor, action, entity, entity_id, before_json, after_json FROM audit_log \
         WHERE {filter} ORDER BY id DESC LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    for i in &ints {
        q = q.bind(*i);
    }
    let rows = q
        .bind(per_page)
        .bind((page - 1).max(0) * per_page)
        .fetch_all(pool)
        .await?;
    let items = rows
        .iter()
        .map(|r| AuditEntry {
            id: r.get("id"),
            at: r.get("at"),
            actor: r.get("actor"),
            action: r.get("action"),
            entity: r.get("entity"),
            entity_id: r.get("entity_id"),
            before: r.get("before_json"),
            after: r.get("after_json"),
        })
        .collect();
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}
