//! The versions' documents (应急预案文本): the bytes live in the database,
//! so every app instance serves them.

use crate::domain::drills::DocKind;
use crate::error::AppError;
use crate::platform::db::Code;
use crate::platform::{Change, Write};
use sqlx::AnyConnection;

/// Stores (or replaces) the document of version `version_id` (number
/// `version` of plan `plan_id`); the caller checked that it may change.
pub async fn save(
    w: &mut Write<'_>,
    plan_id: i64,
    (version_id, version): (i64, i64),
    file_name: &str,
    kind: DocKind,
    bytes: &[u8],
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM plan_documents WHERE version_id = $1")
        .bind(version_id)
        .execute(w.conn())
        .await?;
    let (name, account, at) = (w.actor.name.clone(), w.actor.id, w.at);
    sqlx::query(
        "INSERT INTO plan_documents (version_id, file_name, kind, size, data, uploaded_by, uploaded_at, uploaded_by_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(version_id)
    .bind(file_name)
    .bind(kind.code())
    .bind(bytes.len() as i64)
    .bind(bytes.to_vec())
    .bind(name)
    .bind(at)
    .bind(account)
    .execute(w.conn())
    .await?;
    w.audit(
        Change::new("emergency_plan.document", "emergency_plan", plan_id).after(
            &serde_json::json!({ "version": version, "file_name": file_name, "size": bytes.len() }),
        ),
    )
    .await?;
    Ok(())
}

/// A version's document: (plan id, file name, kind, bytes).
pub async fn get(
    c: &mut AnyConnection,
    version_id: i64,
) -> Result<Option<(i64, String, DocKind, Vec<u8>)>, AppError> {
    let row: Option<(i64, String, Code<DocKind>, Vec<u8>)> = sqlx::query_as(
        "SELECT v.plan_id, d.file_name, d.kind, d.data FROM plan_documents d JOIN plan_versions v ON v.id = d.version_id \
         WHERE d.version_id = $1",
    )
    .bind(version_id)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.map(|(plan, name, kind, data)| (plan, name, kind.0, data)))
}
