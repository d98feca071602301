//! A plan's versions: the newest is the one that moves (its row locked for
//! the change), each stamped with who moved it and when; filing one
//! supersedes the version filed before.

use super::super::dto::{DocumentInfo, PlanVersionRow};
use crate::domain::drills::{Authors, PlanDef, PlanStatus, PlanStep};
use crate::error::AppError;
use crate::platform::db::{Code, Day};
use crate::platform::{Change, Write};
use chrono::NaiveDate;
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    version: i64,
    status: Code<PlanStatus>,
    title: String,
    revise_by: Day,
    summary: String,
    drafted_by: String,
    drafted_at: i64,
    approved_by: Option<String>,
    approved_at: Option<i64>,
    published_by: Option<String>,
    published_at: Option<i64>,
    filed_by: Option<String>,
    filed_at: Option<i64>,
    file_name: Option<String>,
    size: Option<i64>,
    uploaded_by: Option<String>,
    uploaded_at: Option<i64>,
}

impl Stored {
    fn row(self) -> Result<PlanVersionRow, AppError> {
        let mut stamps = vec![(PlanStatus::Draft, self.drafted_by, self.drafted_at)];
        for (status, by, at) in [
            (PlanStatus::Approved, self.approved_by, self.approved_at),
            (PlanStatus::Published, self.published_by, self.published_at),
            (PlanStatus::Filed, self.filed_by, self.filed_at),
        ] {
            if let (Some(by), Some(at)) = (by, at) {
                stamps.push((status, by, at));
            }
        }
        let document = match (
            self.file_name,
            self.size,
            self.uploaded_by,
            self.uploaded_at,
        ) {
            (None, ..) => None,
            (Some(file_name), Some(size), Some(uploaded_by), Some(uploaded_at)) => {
                Some(DocumentInfo {
                    file_name,
                    size,
                    uploaded_by,
                    uploaded_at,
                })
            }
            (Some(_), ..) => {
                tracing::error!(
                    version = self.id,
                    "a plan document without its size or uploader"
                );
                return Err(AppError::Internal);
            }
        };
        Ok(PlanVersionRow {
            id: self.id,
            version: self.version,
            status: self.status.0,
            title: self.title,
            revise_by: self.revise_by.0,
            summary: self.summary,
            stamps,
            document,
        })
    }
}

/// A plan's versions, newest first, with their documents' particulars.
pub async fn of_plan(c: &mut AnyConnection, plan_id: i64) -> Result<Vec<PlanVersionRow>, AppError> {
    let rows: Vec<Stored> = sqlx::query_as(
        "SELECT v.id, v.version, v.status, v.title, v.revise_by, v.summary, v.drafted_by, v.drafted_at, \
         v.approved_by, v.approved_at, v.published_by, v.published_at, v.filed_by, v.filed_at, \
         d.file_name, d.size, d.uploaded_by, d.uploaded_at FROM plan_versions v \
         LEFT JOIN plan_documents d ON d.version_id = v.id WHERE v.plan_id = $1 ORDER BY v.version DESC",
    )
    .bind(plan_id)
    .fetch_all(&mut *c)
    .await?;
    rows.into_iter().map(Stored::row).collect()
}

/// A plan's newest version.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Latest {
    pub id: i64,
    pub version: i64,
    pub status: Code<PlanStatus>,
}

async fn newest(c: &mut AnyConnection, plan_id: i64) -> Result<Option<Latest>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, version, status FROM plan_versions WHERE plan_id = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(plan_id)
    .fetch_optional(&mut *c)
    .await?)
}

/// The newest version, locked for the change (the UPDATE takes the row on
/// both databases); 404 for a plan without versions.
pub async fn lock_latest(w: &mut Write<'_>, plan_id: i64) -> Result<Latest, AppError> {
    let latest = newest(w.conn(), plan_id).await?.ok_or(AppError::NotFound)?;
    crate::platform::db::lock_row(w.conn(), ("plan_versions", "id"), latest.id).await?;
    Ok(latest)
}

/// Changes the title, revision date and summary of a version, and counts
/// the writer among its authors.
pub async fn update(
    w: &mut Write<'_>,
    plan_id: i64,
    version_id: i64,
    def: &PlanDef,
) -> Result<(), AppError> {
    let account = w.actor.id;
    sqlx::query(
        "UPDATE plan_versions SET title = $1, revise_by = $2, summary = $3, \
         edited_by_ids = CASE WHEN edited_by_ids LIKE $4 THEN edited_by_ids ELSE edited_by_ids || $5 END \
         WHERE id = $6",
    )
    .bind(&def.title)
    .bind(def.revise_by.to_string())
    .bind(&def.summary)
    .bind(account.map_or_else(|| "%|system|%".to_string(), |id| format!("%|{id}|%")))
    .bind(account.map_or_else(|| "system|".to_string(), |id| format!("{id}|")))
    .bind(version_id)
    .execute(w.conn())
    .await?;
    w.audit(Change::new("emergency_plan.update", "emergency_plan", plan_id).after(def))
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StoredAuthors {
    drafted_by_id: Option<i64>,
    edited_by_ids: String,
    uploaded_by_id: Option<i64>,
    has_document: Option<i64>,
}

/// The accounts that changed a draft, as `edited_by_ids` keeps them
/// (`|7|12|system|`): empty tokens and `system` (a command, no account)
/// name nobody; anything else that is not an account id is an error, never
/// dropped (a dropped author could approve their own version).
pub fn edited_by(raw: &str) -> Result<Vec<i64>, AppError> {
    raw.split('|')
        .filter(|t| !t.is_empty() && *t != "system")
        .map(|t| {
            t.parse().map_err(|_| {
                tracing::error!(token = t, "plan_versions.edited_by_ids holds no account id");
                AppError::Internal
            })
        })
        .collect()
}

/// The authors of a version and whether it has its document.
pub async fn authors(c: &mut AnyConnection, version_id: i64) -> Result<(Authors, bool), AppError> {
    let row: StoredAuthors = sqlx::query_as(
        "SELECT v.drafted_by_id, v.edited_by_ids, d.uploaded_by_id, d.version_id AS has_document \
         FROM plan_versions v LEFT JOIN plan_documents d ON d.version_id = v.id WHERE v.id = $1",
    )
    .bind(version_id)
    .fetch_optional(&mut *c)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok((
        Authors {
            drafted_by: row.drafted_by_id,
            edited_by: edited_by(&row.edited_by_ids)?,
            document_by: row.uploaded_by_id,
        },
        row.has_document.is_some(),
    ))
}

/// The newest version's status and authors, and whether it has its
/// document; `None` for a plan without versions.
pub async fn latest_authors(
    c: &mut AnyConnection,
    plan_id: i64,
) -> Result<Option<(PlanStatus, Authors, bool)>, AppError> {
    let Some(latest) = newest(c, plan_id).await? else {
        return Ok(None);
    };
    let (authors, has_document) = authors(c, latest.id).await?;
    Ok(Some((latest.status.0, authors, has_document)))
}

/// Moves a plan's newest version (`latest`, checked by the caller) to
/// `next` by `step`, stamping who and when; filing it supersedes the
/// version filed before.
pub async fn step(
    w: &mut Write<'_>,
    today: NaiveDate,
    plan_id: i64,
    latest: Latest,
    step: PlanStep,
    next: PlanStatus,
) -> Result<(), AppError> {
    let sql = match step {
        PlanStep::Approve => {
            "UPDATE plan_versions SET status = $1, approved_by = $2, approved_at = $3, approved_by_id = $5 WHERE id = $4"
        }
        PlanStep::Publish => {
            "UPDATE plan_versions SET status = $1, published_by = $2, published_at = $3 WHERE id = $4"
        }
        PlanStep::File => {
            "UPDATE plan_versions SET status = $1, filed_by = $2, filed_at = $3, filed_on = $5 WHERE id = $4"
        }
        PlanStep::Return => {
            "UPDATE plan_versions SET status = $1, approved_by = NULL, approved_at = NULL, approved_by_id = NULL \
             WHERE id = $4 AND $2 = $2 AND $3 = $3"
        }
    };
    let (name, account, at) = (w.actor.name.clone(), w.actor.id, w.at);
    let mut q = sqlx::query(sql)
        .bind(next.code())
        .bind(name)
        .bind(at)
        .bind(latest.id);
    match step {
        PlanStep::File => q = q.bind(today.to_string()),
        PlanStep::Approve => q = q.bind(account),
        PlanStep::Publish | PlanStep::Return => {}
    }
    q.execute(w.conn()).await?;
    if step == PlanStep::File {
        sqlx::query(
            "UPDATE plan_versions SET status = 'superseded' WHERE plan_id = $1 AND status = 'filed' AND id <> $2",
        )
        .bind(plan_id)
        .bind(latest.id)
        .execute(w.conn())
        .await?;
    }
    let action = format!("emergency_plan.{}", step.code());
    w.audit(
        Change::new(&action, "emergency_plan", plan_id)
            .before(&serde_json::json!({ "status": latest.status.0.code() }))
            .after(&serde_json::json!({ "status": next.code() })),
    )
    .await?;
    Ok(())
}

/// 修订: opens the version after `latest` as a draft copy of it (which
/// stays in force until the new one is filed); returns its number.
pub async fn revise(w: &mut Write<'_>, plan_id: i64, latest: Latest) -> Result<i64, AppError> {
    let (name, account, at) = (w.actor.name.clone(), w.actor.id, w.at);
    sqlx::query(
        "INSERT INTO plan_versions (plan_id, version, status, title, revise_by, summary, drafted_by, drafted_at, drafted_by_id) \
         SELECT plan_id, $1, 'draft', title, revise_by, summary, $2, $3, $5 FROM plan_versions WHERE id = $4",
    )
    .bind(latest.version + 1)
    .bind(name)
    .bind(at)
    .bind(latest.id)
    .bind(account)
    .execute(w.conn())
    .await?;
    w.audit(
        Change::new("emergency_plan.revise", "emergency_plan", plan_id)
            .before(&serde_json::json!({ "version": latest.version }))
            .after(&serde_json::json!({ "version": latest.version + 1 })),
    )
    .await?;
    Ok(latest.version + 1)
}

#[cfg(test)]
mod tests {
    use super::edited_by;

    #[test]
    fn an_unreadable_author_token_is_an_error_never_dropped() {
        assert_eq!(edited_by("").unwrap(), Vec::<i64>::new());
        assert_eq!(edited_by("|7|system|12|").unwrap(), [7, 12]);
        assert!(edited_by("|7|seven|").is_err());
        assert!(edited_by("|7|-|").is_err());
    }
}
