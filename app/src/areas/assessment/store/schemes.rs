//! Schemes (考核方案): a year's indicators, deductions, bonuses and
//! grades for some unit kinds; published (the year locked, its evidence
//! frozen) and reopened by two scheme managers.

use super::super::dto::{ReopenRequest, SchemeSummary, StoredScheme};
use super::{kinds_text, unreadable};
use crate::domain::Problem;
use crate::domain::scheme::SchemeDef;
use crate::domain::unit::UnitKind;
use crate::error::AppError;
use crate::platform::{Change, Write};
use sqlx::{Any, AnyConnection, AnyPool, Executor};

const SELECT: &str = "SELECT id, definition, published, published_at, published_by, \
     reopen_proposed_by_id, reopen_proposed_by, reopen_proposed_at, reopen_reason, published_gaps, snapshot_id \
     FROM assessment_schemes";

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    definition: String,
    published: i64,
    published_at: Option<i64>,
    published_by: Option<String>,
    reopen_proposed_by_id: Option<i64>,
    reopen_proposed_by: Option<String>,
    reopen_proposed_at: Option<i64>,
    reopen_reason: Option<String>,
    published_gaps: String,
    snapshot_id: Option<i64>,
}

impl Stored {
    fn read(self) -> Result<StoredScheme, AppError> {
        let def: SchemeDef =
            serde_json::from_str(&self.definition).map_err(unreadable("scheme definition"))?;
        let reopen = match (self.reopen_proposed_by, self.reopen_proposed_at) {
            (Some(by), Some(at)) => Some(ReopenRequest {
                by_id: self.reopen_proposed_by_id,
                by,
                at,
                reason: self.reopen_reason.ok_or_else(|| {
                    tracing::error!(id = self.id, "a reopen request without its reason");
                    AppError::Internal
                })?,
            }),
            _ => None,
        };
        Ok(StoredScheme {
            id: self.id,
            def,
            published: self.published != 0,
            published_at: self.published_at,
            published_by: self.published_by,
            reopen,
            published_gaps: self
                .published_gaps
                .split('|')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            snapshot_id: self.snapshot_id,
        })
    }
}

pub async fn list(pool: &AnyPool) -> Result<Vec<SchemeSummary>, AppError> {
    let rows: Vec<Stored> = sqlx::query_as(&format!("{SELECT} ORDER BY year DESC, code"))
        .fetch_all(pool)
        .await?;
    rows.into_iter()
        .map(|r| {
            let s = r.read()?;
            Ok(SchemeSummary {
                id: s.id,
                code: s.def.code.clone(),
                year: s.def.year.into(),
                name: s.def.name.clone(),
                unit_kinds: s.def.unit_kinds.clone(),
                indicators: s.def.scheme.indicators.len(),
                published: s.published,
            })
        })
        .collect()
}

pub async fn get<'e, E>(db: E, id: i64) -> Result<Option<StoredScheme>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let row: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.map(Stored::read).transpose()
}

/// The scheme of a year that assesses units of a kind, if any.
pub async fn of_kind(
    c: &mut AnyConnection,
    year: i64,
    kind: UnitKind,
) -> Result<Option<StoredScheme>, AppError> {
    let row: Option<Stored> = sqlx::query_as(&format!(
        "{SELECT} WHERE year = $1 AND unit_kinds LIKE $2 ORDER BY id LIMIT 1"
    ))
    .bind(year)
    .bind(format!("%|{}|%", kind.code()))
    .fetch_optional(c)
    .await?;
    row.map(Stored::read).transpose()
}

pub async fn of_year(c: &mut AnyConnection, year: i64) -> Result<Vec<StoredScheme>, AppError> {
    let rows: Vec<Stored> = sqlx::query_as(&format!("{SELECT} WHERE year = $1"))
        .bind(year)
        .fetch_all(c)
        .await?;
    rows.into_iter().map(Stored::read).collect()
}

/// Ids of published schemes without a snapshot (published before
/// snapshots existed).
pub async fn published_without_snapshot(c: &mut AnyConnection) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM assessment_schemes WHERE published = 1 AND snapshot_id IS NULL",
    )
    .fetch_all(c)
    .await?)
}

fn definition(def: &SchemeDef) -> Result<String, AppError> {
    serde_json::to_string(def).map_err(|e| {
        tracing::error!(error = %e, "a scheme that does not serialize");
        AppError::Internal
    })
}

/// Inserts a scheme (the service has checked its kinds are free that
/// year); a code that exists is a field problem.
pub async fn create(w: &mut Write<'_>, def: &SchemeDef) -> Result<i64, AppError> {
    let at = w.at;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO assessment_schemes (code, year, name, unit_kinds, definition, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(&def.code)
    .bind(i64::from(def.year))
    .bind(&def.name)
    .bind(kinds_text(&def.unit_kinds))
    .bind(definition(def)?)
    .bind(at)
    .fetch_one(w.conn())
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => {
            AppError::invalid("field.code", Problem::with("problem.code_exists", &[&def.code]))
        }
        other => other,
    })?;
    w.audit(Change::new("scheme.create", "scheme", id).after(def))
        .await?;
    Ok(id)
}

/// Changes a scheme that is not published (`before` as read in this
/// transaction).
pub async fn update(
    w: &mut Write<'_>,
    before: &StoredScheme,
    def: &SchemeDef,
) -> Result<(), AppError> {
    let at = w.at;
    sqlx::query(
        "UPDATE assessment_schemes SET code = $1, year = $2, name = $3, unit_kinds = $4, \
         definition = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(&def.code)
    .bind(i64::from(def.year))
    .bind(&def.name)
    .bind(kinds_text(&def.unit_kinds))
    .bind(definition(def)?)
    .bind(at)
    .bind(before.id)
    .execute(w.conn())
    .await?;
    w.audit(
        Change::new("scheme.update", "scheme", before.id)
            .before(&before.def)
            .after(def),
    )
    .await?;
    Ok(())
}

/// Marks a scheme published, once, with the units published unfinished
/// (`gaps`); the snapshot and the audit row are the service's.
pub async fn publish(w: &mut Write<'_>, id: i64, gaps: &[String]) -> Result<(), AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let done = sqlx::query(
        "UPDATE assessment_schemes SET published = 1, published_at = $1, published_by = $2, updated_at = $1, \
         reopen_proposed_by_id = NULL, reopen_proposed_by = NULL, reopen_proposed_at = NULL, reopen_reason = NULL, \
         published_gaps = $4 WHERE id = $3 AND published = 0",
    )
    .bind(at)
    .bind(by)
    .bind(id)
    .bind(format!("|{}|", gaps.join("|")))
    .execute(w.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(Problem::new("problem.scheme_published")));
    }
    Ok(())
}

/// Points a scheme at the snapshot its results now read.
pub async fn set_snapshot(w: &mut Write<'_>, id: i64, snapshot: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE assessment_schemes SET snapshot_id = $1 WHERE id = $2")
        .bind(snapshot)
        .bind(id)
        .execute(w.conn())
        .await?;
    Ok(())
}

/// Records a request to reopen a published year (one at a time).
pub async fn propose_reopen(
    w: &mut Write<'_>,
    before: &StoredScheme,
    reason: &str,
) -> Result<(), AppError> {
    let (by_id, by, at) = (w.actor.id, w.actor.name.clone(), w.at);
    let done = sqlx::query(
        "UPDATE assessment_schemes SET reopen_proposed_by_id = $1, reopen_proposed_by = $2, \
         reopen_proposed_at = $3, reopen_reason = $4 \
         WHERE id = $5 AND published = 1 AND reopen_proposed_at IS NULL",
    )
    .bind(by_id)
    .bind(by)
    .bind(at)
    .bind(reason)
    .bind(before.id)
    .execute(w.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(Problem::new("problem.reopen_pending")));
    }
    w.audit(
        Change::new("scheme.reopen_propose", "scheme", before.id)
            .after(&serde_json::json!({ "code": before.def.code, "reason": reason })),
    )
    .await?;
    Ok(())
}

/// Closes the pending reopen `request`: the year stays published or, when
/// `reopen`, opens; audited as `action` with the decision's note. Someone
/// else deciding it in the meantime is a conflict.
pub async fn decide_reopen(
    w: &mut Write<'_>,
    before: &StoredScheme,
    request: &ReopenRequest,
    (action, note): (&str, &str),
    reopen: bool,
) -> Result<(), AppError> {
    let sql = if reopen {
        "UPDATE assessment_schemes SET published = 0, published_at = NULL, published_by = NULL, \
         reopen_proposed_by_id = NULL, reopen_proposed_by = NULL, reopen_proposed_at = NULL, \
         reopen_reason = NULL, updated_at = $1 \
         WHERE id = $2 AND published = 1 AND reopen_proposed_at = $3 AND reopen_proposed_by = $4"
    } else {
        "UPDATE assessment_schemes SET reopen_proposed_by_id = NULL, reopen_proposed_by = NULL, \
         reopen_proposed_at = NULL, reopen_reason = NULL, updated_at = $1 \
         WHERE id = $2 AND published = 1 AND reopen_proposed_at = $3 AND reopen_proposed_by = $4"
    };
    let at = w.at;
    let done = sqlx::query(sql)
        .bind(at)
        .bind(before.id)
        .bind(request.at)
        .bind(&request.by)
        .execute(w.conn())
        .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(Problem::new(
            "problem.no_reopen_pending",
        )));
    }
    w.audit(
        Change::new(action, "scheme", before.id).after(&serde_json::json!({
            "code": before.def.code,
            "reason": request.reason,
            "proposed_by": request.by,
            "proposed_at": request.at,
            "note": note,
        })),
    )
    .await?;
    Ok(())
}
