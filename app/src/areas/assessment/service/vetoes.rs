//! Vetoes (一票否决): one assessor proposes, another confirms or rejects;
//! revoking a confirmed veto takes two as well. Each rule runs on the veto
//! as read inside the write, and the write only happens if it is still the
//! one checked.

use super::super::dto::VetoRow;
use super::super::store::schemes;
use super::super::store::vetoes::{self as store, Revocation};
use super::{open_unit, sheet_target, unit_to_assess, within_reach};
use crate::areas::directory::service as directory;
use crate::domain::Problem;
use crate::domain::authz::Action;
use crate::domain::text_field;
use crate::domain::unit::UnitKind;
use crate::domain::veto::{VetoStatus, decide, decide_revocation, propose_revocation};
use crate::error::AppError;
use crate::platform::{Ctx, Write};
use std::collections::HashMap;

/// Proposes a veto for a unit's year, with reason and evidence.
pub async fn propose_veto(
    cx: &Ctx,
    (scheme_id, unit_id): (i64, i64),
    reason: &str,
    evidence: &str,
) -> Result<i64, AppError> {
    cx.may(Action::Assess)?;
    let (scheme, unit) = sheet_target(cx, scheme_id, unit_id).await?;
    let reason = text_field(reason, 2, 500).map_err(|p| AppError::invalid("field.reason", p))?;
    let evidence =
        text_field(evidence, 2, 2000).map_err(|p| AppError::invalid("field.evidence", p))?;
    let mut w = cx.write().await?;
    let id = propose_in(
        &mut w,
        (scheme.def.year.into(), unit.id),
        &reason,
        &evidence,
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// Proposes a veto inside `w` once the unit's year is open.
pub(super) async fn propose_in(
    w: &mut Write<'_>,
    (year, unit_id): (i64, i64),
    reason: &str,
    evidence: &str,
) -> Result<i64, AppError> {
    open_unit(w, year, unit_id).await?;
    store::propose(w, (year, unit_id), reason, evidence).await
}

/// Confirms or rejects a proposed veto inside `w`, by the rule `rule`
/// applied to the veto as read there.
pub(super) async fn decide_in(
    w: &mut Write<'_>,
    id: i64,
    rule: impl FnOnce(&VetoRow) -> Result<VetoStatus, AppError>,
    note: &str,
) -> Result<(), AppError> {
    let before = store::get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
    open_unit(w, before.year, before.unit_id).await?;
    let to = rule(&before)?;
    store::decide(w, &before, to, note).await
}

async fn revocation_in(
    w: &mut Write<'_>,
    id: i64,
    step: Revocation,
    rule: impl FnOnce(&VetoRow) -> Result<(), AppError>,
    note: &str,
) -> Result<(), AppError> {
    let before = store::get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
    open_unit(w, before.year, before.unit_id).await?;
    rule(&before)?;
    store::revocation(w, &before, step, note).await
}

/// A second assessor confirms (`decision` = "confirm") or rejects a
/// proposed veto; the proposer is refused. Revoking a confirmed veto takes
/// two assessors too: one asks with a reason (`decision` = "revoke"), and
/// another confirms ("confirm_revoke") or rejects ("reject_revoke") the
/// request; the veto counts until then, and its proposer is refused.
pub async fn decide_veto(cx: &Ctx, id: i64, decision: &str, note: &str) -> Result<(), AppError> {
    cx.may(Action::Assess)?;
    let veto = store::get(cx.pool(), id).await?.ok_or(AppError::NotFound)?;
    unit_to_assess(cx, veto.unit_id).await?;
    let note = match (decision, note.trim()) {
        ("revoke", reason) => {
            text_field(reason, 2, 500).map_err(|p| AppError::invalid("field.reason", p))?
        }
        (_, "") => String::new(),
        (_, text) => text_field(text, 1, 500).map_err(|p| AppError::invalid("field.note", p))?,
    };
    let me = cx.me.account_id;
    // Deciding one's own proposal is refused as not allowed; every other
    // broken rule is a conflict with the veto's state.
    let refuse = |p: Problem| {
        if p.key == "problem.veto_own_proposal" || p.key == "problem.revocation_own_proposal" {
            AppError::Forbidden
        } else {
            AppError::Conflict(p)
        }
    };
    let mut w = cx.write().await?;
    match decision {
        "confirm" | "reject" => {
            let confirm = decision == "confirm";
            let rule = |v: &VetoRow| {
                decide(v.status, v.proposed_by_id.unwrap_or(-1), me, confirm).map_err(refuse)
            };
            decide_in(&mut w, id, rule, &note).await?;
        }
        "revoke" => {
            let rule = |v: &VetoRow| {
                propose_revocation(v.status, v.revoke_proposed_by.is_some(), &note).map_err(refuse)
            };
            revocation_in(&mut w, id, Revocation::Propose, rule, &note).await?;
        }
        "confirm_revoke" | "reject_revoke" => {
            let confirm = decision == "confirm_revoke";
            let rule = |v: &VetoRow| {
                // A request someone made without an account is decided by
                // anyone signed in.
                let proposer = v
                    .revoke_proposed_by
                    .as_ref()
                    .map(|_| v.revoke_proposed_by_id.unwrap_or(-1));
                decide_revocation(v.status, proposer, me, confirm)
                    .map(|_| ())
                    .map_err(refuse)
            };
            let step = if confirm {
                Revocation::Confirm
            } else {
                Revocation::Reject
            };
            revocation_in(&mut w, id, step, rule, &note).await?;
        }
        other => {
            return Err(AppError::Conflict(Problem::with(
                "problem.unknown_value",
                &[other],
            )));
        }
    }
    w.commit().await?;
    Ok(())
}

/// How many vetoes within the caller's reach wait for a second assessor
/// (the home page); `None` when the caller assesses nowhere.
pub async fn vetoes_awaiting_second(cx: &Ctx) -> Result<Option<i64>, AppError> {
    store::awaiting_second(cx.pool(), &cx.me.reach(Action::Assess)).await
}

/// Vetoes of a year (all years when 0) within reach, for the review list;
/// those of a published year are marked locked (nothing to decide).
pub async fn list_vetoes(cx: &Ctx, year: i64) -> Result<Vec<VetoRow>, AppError> {
    cx.may(Action::ViewAssessment)?;
    let all = store::list(cx.pool(), (year > 0).then_some(year), None).await?;
    let mut list = within_reach(cx, Action::ViewAssessment, all, |v| v.unit_id).await?;
    let published: Vec<(i64, Vec<UnitKind>)> = schemes::list(cx.pool())
        .await?
        .into_iter()
        .filter(|s| s.published)
        .map(|s| (s.year, s.unit_kinds))
        .collect();
    let kinds: HashMap<i64, UnitKind> = directory::list_units(cx, String::new(), "")
        .await?
        .into_iter()
        .map(|u| (u.id, u.kind))
        .collect();
    for v in &mut list {
        v.locked = kinds.get(&v.unit_id).is_some_and(|k| {
            published
                .iter()
                .any(|(y, ks)| *y == v.year && ks.contains(k))
        });
    }
    Ok(list)
}
