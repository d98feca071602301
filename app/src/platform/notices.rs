//! In-app notices: what any area leaves for a person (a seat published, a
//! completion, a reminder), shown on their pages until read. A key and its
//! arguments are stored, so that each page says it in its reader's
//! language.

use crate::error::AppError;
use crate::model::Notice;
use sqlx::AnyConnection;

/// Leaves a notice for a person inside the caller's transaction.
pub async fn notify(
    c: &mut AnyConnection,
    person_id: i64,
    at: i64,
    key: &str,
    args: &[&str],
    link: &str,
) -> Result<(), AppError> {
    let args = serde_json::to_string(args).map_err(|e| {
        tracing::error!(error = %e, key, "notice arguments that do not serialize");
        AppError::Internal
    })?;
    sqlx::query(
        "INSERT INTO notifications (person_id, message_key, args, link, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(person_id)
    .bind(key)
    .bind(args)
    .bind(link)
    .bind(at)
    .execute(c)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    message_key: String,
    args: String,
    link: String,
    created_at: i64,
    read_at: Option<i64>,
}

/// A person's 20 newest notices. Arguments that do not read back are an
/// error, not an empty list (a notice would lose its facts unseen).
pub async fn of(c: &mut AnyConnection, person_id: i64) -> Result<Vec<Notice>, AppError> {
    let rows: Vec<Stored> = sqlx::query_as(
        "SELECT id, message_key, args, link, created_at, read_at FROM notifications WHERE person_id = $1 ORDER BY id DESC LIMIT 20",
    )
    .bind(person_id)
    .fetch_all(&mut *c)
    .await?;
    rows.into_iter()
        .map(|r| {
            let args = serde_json::from_str(&r.args).map_err(|e| {
                tracing::error!(error = %e, id = r.id, "unreadable notice arguments");
                AppError::Internal
            })?;
            Ok(Notice {
                id: r.id,
                message_key: r.message_key,
                args,
                link: r.link,
                created_at: r.created_at,
                read: r.read_at.is_some(),
            })
        })
        .collect()
}

/// Marks all of a person's notices read.
pub async fn mark_read(c: &mut AnyConnection, person_id: i64, at: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE notifications SET read_at = $1 WHERE person_id = $2 AND read_at IS NULL")
        .bind(at)
        .bind(person_id)
        .execute(c)
        .await?;
    Ok(())
}
