//! Vetoes (一票否决): proposed by one assessor, confirmed or rejected by
//! another; a confirmed one is revoked by two as well. Every write checks
//! that the row is still the one the service's rule was checked against.

use super::super::dto::{StoredScheme, VetoRow};
use super::changes::{self, Moved};
use crate::domain::Problem;
use crate::domain::unit::UnitKind;
use crate::domain::veto::VetoStatus;
use crate::error::AppError;
use crate::platform::db::Code;
use crate::platform::{Change, Write};
use sqlx::{Any, AnyConnection, Executor};

const SELECT: &str = "SELECT v.id, v.year, v.unit_id, u.code AS unit_code, u.name AS unit_name, v.reason, v.evidence, \
     v.status, v.proposed_by_id, v.proposed_by, v.proposed_at, v.decided_by, v.decided_at, v.decision_note, \
     v.revoked_by, v.revoke_reason, v.revoke_proposed_by_id, v.revoke_proposed_by, v.revoke_proposed_at \
     FROM assessment_vetoes v JOIN units u ON u.id = v.unit_id";

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    year: i64,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    reason: String,
    evidence: String,
    status: Code<VetoStatus>,
    proposed_by_id: Option<i64>,
    proposed_by: String,
    proposed_at: i64,
    decided_by: Option<String>,
    decided_at: Option<i64>,
    decision_note: Option<String>,
    revoked_by: Option<String>,
    revoke_reason: Option<String>,
    revoke_proposed_by_id: Option<i64>,
    revoke_proposed_by: Option<String>,
    revoke_proposed_at: Option<i64>,
}

impl From<Stored> for VetoRow {
    fn from(r: Stored) -> VetoRow {
        VetoRow {
            id: r.id,
            year: r.year,
            unit_id: r.unit_id,
            unit_code: r.unit_code,
            unit_name: r.unit_name,
            reason: r.reason,
            evidence: r.evidence,
            status: r.status.0,
            proposed_by_id: r.proposed_by_id,
            proposed_by: r.proposed_by,
            proposed_at: r.proposed_at,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            decision_note: r.decision_note,
            revoked_by: r.revoked_by,
            revoke_reason: r.revoke_reason,
            revoke_proposed_by_id: r.revoke_proposed_by_id,
            revoke_proposed_by: r.revoke_proposed_by,
            revoke_proposed_at: r.revoke_proposed_at,
            locked: false,
        }
    }
}

/// Vetoes of a year (all years: `None`), optionally of one unit, newest
/// first.
pub async fn list<'e, E>(
    db: E,
    year: Option<i64>,
    unit_id: Option<i64>,
) -> Result<Vec<VetoRow>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let rows: Vec<Stored> = sqlx::query_as(&format!(
        "{SELECT} WHERE ($1 IS NULL OR v.year = $1) AND ($2 IS NULL OR v.unit_id = $2) ORDER BY v.proposed_at DESC, v.id DESC"
    ))
    .bind(year)
    .bind(unit_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(VetoRow::from).collect())
}

pub async fn get<'e, E>(db: E, id: i64) -> Result<Option<VetoRow>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let row: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE v.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(VetoRow::from))
}

/// Units (codes) of the scheme's kinds with a veto proposed and not yet
/// decided in its year.
pub async fn undecided_units(
    c: &mut AnyConnection,
    scheme: &StoredScheme,
) -> Result<Vec<String>, AppError> {
    let rows: Vec<(String, Code<UnitKind>)> = sqlx::query_as(
        "SELECT DISTINCT u.code, u.kind FROM assessment_vetoes v JOIN units u ON u.id = v.unit_id \
         WHERE v.year = $1 AND v.status = 'proposed' ORDER BY u.code",
    )
    .bind(i64::from(scheme.def.year))
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, kind)| scheme.def.unit_kinds.contains(&kind.0))
        .map(|(code, _)| code)
        .collect())
}

/// Proposes a veto (the service has checked the unit's year is open).
pub async fn propose(
    w: &mut Write<'_>,
    (year, unit_id): (i64, i64),
    reason: &str,
    evidence: &str,
) -> Result<i64, AppError> {
    let (by_id, by, at) = (w.actor.id, w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO assessment_vetoes (year, unit_id, reason, evidence, status, proposed_by_id, proposed_by, proposed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(year)
    .bind(unit_id)
    .bind(reason)
    .bind(evidence)
    .bind(VetoStatus::Proposed.code())
    .bind(by_id)
    .bind(by)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    let after = get(w.conn(), id).await?.ok_or(AppError::Internal)?;
    w.audit(Change::new("veto.propose", "veto", id).after(&after))
        .await?;
    Ok(id)
}

/// Confirms or rejects a proposed veto (`before` as read in this
/// transaction, `to` what the service's rule decided); the write only
/// happens if the status is still the one checked.
pub async fn decide(
    w: &mut Write<'_>,
    before: &VetoRow,
    to: VetoStatus,
    note: &str,
) -> Result<(), AppError> {
    let action = match to {
        VetoStatus::Confirmed => "veto.confirm",
        VetoStatus::Rejected => "veto.reject",
        // Revoking takes two people: see `revocation`.
        VetoStatus::Proposed | VetoStatus::Revoked => {
            return Err(AppError::Conflict(Problem::new("problem.veto_not_pending")));
        }
    };
    let (by, at) = (w.actor.name.clone(), w.at);
    let done = sqlx::query(
        "UPDATE assessment_vetoes SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4 \
         WHERE id = $5 AND status = $6",
    )
    .bind(to.code())
    .bind(by)
    .bind(at)
    .bind(note)
    .bind(before.id)
    .bind(before.status.code())
    .execute(w.conn())
    .await?;
    if done.rows_affected() != 1 {
        // Someone else decided it in the meantime.
        return Err(AppError::Conflict(Problem::new("problem.veto_not_pending")));
    }
    if to == VetoStatus::Confirmed {
        changes::record(
            w,
            &Moved {
                year: before.year,
                unit_id: before.unit_id,
                item: "veto".into(),
                before: String::new(),
                after: to.code().into(),
                cause: "veto_confirmed",
                source: format!("veto:{}", before.id),
            },
        )
        .await?;
    }
    let after = get(w.conn(), before.id).await?;
    let mut change = Change::new(action, "veto", before.id).before(before);
    if let Some(after) = &after {
        change = change.after(after);
    }
    w.audit(change).await?;
    Ok(())
}

/// A step of revoking a confirmed veto, which takes two assessors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// One assessor asks, with a reason; the veto stays confirmed.
    Propose,
    /// Another assessor agrees: the veto is revoked.
    Confirm,
    /// Another assessor refuses: the request is closed, the veto stands.
    Reject,
}

impl Revocation {
    fn action(self) -> &'static str {
        match self {
            Revocation::Propose => "veto.revoke_propose",
            Revocation::Confirm => "veto.revoke",
            Revocation::Reject => "veto.revoke_reject",
        }
    }
}

/// Takes one step of revoking a confirmed veto (`before` as read in this
/// transaction, the service's rule passed); the write only happens if the
/// veto (and the pending request, when deciding one) is still the one
/// checked. `note` is the reason of a request, or the decision's note.
pub async fn revocation(
    w: &mut Write<'_>,
    before: &VetoRow,
    step: Revocation,
    note: &str,
) -> Result<(), AppError> {
    let (by_id, by, at) = (w.actor.id, w.actor.name.clone(), w.at);
    let id = before.id;
    let confirmed = VetoStatus::Confirmed.code();
    let done = match step {
        Revocation::Propose => {
            sqlx::query(
                "UPDATE assessment_vetoes SET revoke_proposed_by_id = $1, revoke_proposed_by = $2, \
                 revoke_proposed_at = $3, revoke_reason = $4 \
                 WHERE id = $5 AND status = $6 AND revoke_proposed_at IS NULL",
            )
            .bind(by_id)
            .bind(by)
            .bind(at)
            .bind(note)
            .bind(id)
            .bind(confirmed)
            .execute(w.conn())
            .await?
        }
        Revocation::Confirm | Revocation::Reject => {
            let (Some(proposed_at), Some(proposed_by)) = (
                before.revoke_proposed_at,
                before.revoke_proposed_by.as_deref(),
            ) else {
                return Err(AppError::Conflict(Problem::new(
                    "problem.no_revocation_pending",
                )));
            };
            if step == Revocation::Confirm {
                sqlx::query(
                    "UPDATE assessment_vetoes SET status = $1, revoked_by_id = $2, revoked_by = $3, revoked_at = $4 \
                     WHERE id = $5 AND status = $6 AND revoke_proposed_at = $7 AND revoke_proposed_by = $8",
                )
                .bind(VetoStatus::Revoked.code())
                .bind(by_id)
                .bind(by)
                .bind(at)
                .bind(id)
                .bind(confirmed)
                .bind(proposed_at)
                .bind(proposed_by)
                .execute(w.conn())
                .await?
            } else {
                sqlx::query(
                    "UPDATE assessment_vetoes SET revoke_proposed_by_id = NULL, revoke_proposed_by = NULL, \
                     revoke_proposed_at = NULL, revoke_reason = NULL \
                     WHERE id = $1 AND status = $2 AND revoke_proposed_at = $3 AND revoke_proposed_by = $4",
                )
                .bind(id)
                .bind(confirmed)
                .bind(proposed_at)
                .bind(proposed_by)
                .execute(w.conn())
                .await?
            }
        }
    };
    if done.rows_affected() != 1 {
        // Someone else took a step in the meantime.
        return Err(AppError::Conflict(Problem::new(match step {
            Revocation::Propose => "problem.revocation_pending",
            _ => "problem.no_revocation_pending",
        })));
    }
    if step == Revocation::Confirm {
        changes::record(
            w,
            &Moved {
                year: before.year,
                unit_id: before.unit_id,
                item: "veto".into(),
                before: VetoStatus::Confirmed.code().into(),
                after: VetoStatus::Revoked.code().into(),
                cause: "veto_revoked",
                source: format!("veto:{id}"),
            },
        )
        .await?;
    }
    let after = get(w.conn(), id).await?;
    w.audit(
        Change::new(step.action(), "veto", id)
            .before(before)
            .after(&serde_json::json!({ "veto": after, "note": note })),
    )
    .await?;
    Ok(())
}

/// Vetoes within `reach` waiting for a second assessor: proposed, or
/// confirmed with a revocation proposed (`None`: the reach holds no unit).
pub async fn awaiting_second(
    pool: &sqlx::AnyPool,
    reach: &crate::domain::authz::Reach,
) -> Result<Option<i64>, AppError> {
    let mut f = crate::platform::sql::Filter::new();
    if !f.within(reach, "u.path") {
        return Ok(None);
    }
    let sql = format!(
        "SELECT COUNT(*) FROM assessment_vetoes v JOIN units u ON u.id = v.unit_id \
         WHERE (v.status = '{}' OR (v.status = '{}' AND v.revoke_proposed_at IS NOT NULL)) AND {}",
        VetoStatus::Proposed.code(),
        VetoStatus::Confirmed.code(),
        f.sql()
    );
    Ok(Some(
        f.bind_scalar(sqlx::query_scalar(&sql))
            .fetch_one(pool)
            .await?,
    ))
}
