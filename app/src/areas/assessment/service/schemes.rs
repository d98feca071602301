//! Schemes: listed for whoever sees the assessment, kept by district-wide
//! assessors; publishing locks the year and freezes its evidence, and
//! reopening a published year takes two scheme managers.

use super::super::dto::{SchemeEditor, SchemeSummary, StoredScheme};
use super::super::store::{schemes as store, vetoes};
use super::{no_such_scheme, scheme};
use crate::domain::Problem;
use crate::domain::authz::Action;
use crate::domain::scheme::{self as rules, ReopenDecision, SchemeDef, SchemeForm};
use crate::domain::text_field;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::platform::{Change, Ctx, Write};
use chrono::Datelike;

pub async fn list_schemes(cx: &Ctx) -> Result<Vec<SchemeSummary>, AppError> {
    cx.may(Action::ViewAssessment)?;
    store::list(cx.pool()).await
}

/// The editor for a new scheme (`id` absent) or a stored one.
pub async fn scheme_editor(cx: &Ctx, id: Option<i64>) -> Result<SchemeEditor, AppError> {
    cx.may_everywhere(Action::Assess)?;
    Ok(match id {
        None => SchemeEditor {
            id: None,
            form: SchemeForm::blank(cx.today.year(), 6),
            published: false,
        },
        Some(id) => {
            let s = scheme(cx.pool(), id).await?;
            SchemeEditor {
                id: Some(id),
                form: SchemeForm::from_def(&s.def, 3),
                published: s.published,
            }
        }
    })
}

/// A new scheme inside `w` (the sheet-file import's too): refused when
/// another scheme of its year assesses one of its kinds.
pub async fn create_scheme(w: &mut Write<'_>, def: &SchemeDef) -> Result<i64, AppError> {
    check_kinds_free(w, def, None).await?;
    store::create(w, def).await
}

async fn check_kinds_free(
    w: &mut Write<'_>,
    def: &SchemeDef,
    own_id: Option<i64>,
) -> Result<(), AppError> {
    let others: Vec<SchemeDef> = store::of_year(w.conn(), def.year.into())
        .await?
        .into_iter()
        .filter(|s| Some(s.id) != own_id)
        .map(|s| s.def)
        .collect();
    if let Some(kind) = rules::kinds_clash(def, &others) {
        return Err(AppError::invalid(
            "field.unit_kinds",
            Problem::with("problem.kind_in_other_scheme", &[kind.code()]),
        ));
    }
    Ok(())
}

/// Creates or changes a scheme; every field is checked and the first
/// problem names its field and row. A published scheme is not changed.
pub async fn save_scheme(cx: &Ctx, id: Option<i64>, form: SchemeForm) -> Result<i64, AppError> {
    cx.may_everywhere(Action::Assess)?;
    let def = form
        .parse()
        .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
    let mut w = cx.write().await?;
    let id = match id {
        Some(id) => {
            let before = store::get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
            if before.published {
                return Err(AppError::Conflict(Problem::new("problem.scheme_published")));
            }
            check_kinds_free(&mut w, &def, Some(id)).await?;
            store::update(&mut w, &before, &def).await?;
            id
        }
        None => create_scheme(&mut w, &def).await?,
    };
    w.commit().await?;
    Ok(id)
}

/// Starts next year's scheme from this one (same indicators, rules and
/// grades) and returns the new scheme's id.
pub async fn copy_scheme(cx: &Ctx, id: i64) -> Result<i64, AppError> {
    cx.may_everywhere(Action::Assess)?;
    let from = scheme(cx.pool(), id).await?;
    let def = from.def.copy_for(from.def.year + 1);
    let mut w = cx.write().await?;
    let id = create_scheme(&mut w, &def).await?;
    w.commit().await?;
    Ok(id)
}

/// Publishes a scheme's results, locking its year (`publish`), or asks to
/// reopen a published year with a reason: the year stays published until
/// a second scheme manager confirms (`decide_reopen`). A year is published
/// finished (every unit scored, every veto decided), or else only with a
/// reason, and those units are marked in the ranking.
pub async fn publish_scheme(
    cx: &Ctx,
    id: i64,
    publish: bool,
    reason: &str,
    lang: Lang,
) -> Result<(), AppError> {
    cx.may_everywhere(Action::Assess)?;
    let reason = if publish {
        match reason.trim() {
            "" => String::new(),
            text => text_field(text, 1, 500).map_err(|p| AppError::invalid("field.reason", p))?,
        }
    } else {
        text_field(reason, 2, 500).map_err(|p| AppError::invalid("field.reason", p))?
    };
    let gaps = if publish {
        let scheme = scheme(cx.pool(), id).await?;
        let evaluated = super::evaluate(cx, &scheme).await?;
        let undecided = vetoes::undecided_units(&mut *cx.pool().acquire().await?, &scheme).await?;
        let outcomes: Vec<_> = evaluated.iter().map(|(_, o)| o.clone()).collect();
        let gaps = crate::domain::assessment::publish_gaps(&outcomes, &undecided);
        if !gaps.is_empty() && reason.is_empty() {
            let names: std::collections::HashMap<&str, &str> = evaluated
                .iter()
                .map(|(u, _)| (u.code.as_str(), u.name.as_str()))
                .collect();
            let named: Vec<&str> = gaps
                .iter()
                .map(|g| names.get(g.unit.as_str()).copied().unwrap_or(&g.unit))
                .collect();
            return Err(AppError::Conflict(Problem::with(
                "problem.publish_gaps",
                &[&gaps.len().to_string(), &named.join(lang.sep())],
            )));
        }
        gaps.into_iter().map(|g| g.unit).collect::<Vec<_>>()
    } else {
        Vec::new()
    };
    let mut w = cx.write().await?;
    let done = if publish {
        publish_in(&mut w, id, &reason, &gaps).await
    } else {
        propose_reopen(&mut w, id, &reason).await
    };
    done.map_err(no_such_scheme)?;
    w.commit().await?;
    Ok(())
}

/// Publishes a year inside `w` (the seed's too); `gaps` are the units
/// published unfinished or with a veto undecided (a reason was given for
/// them). The evidence the results read is frozen in the same transaction.
pub async fn publish_in(
    w: &mut Write<'_>,
    id: i64,
    note: &str,
    gaps: &[String],
) -> Result<(), AppError> {
    let before = store::get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
    if before.published {
        return Err(AppError::Conflict(Problem::new("problem.scheme_published")));
    }
    store::publish(w, id, gaps).await?;
    let snapshot = super::take_snapshot(w, &before).await?;
    w.audit(
        Change::new("scheme.publish", "scheme", id).after(&serde_json::json!({
            "code": before.def.code, "reason": note, "gaps": gaps, "snapshot": snapshot,
        })),
    )
    .await?;
    Ok(())
}

async fn propose_reopen(w: &mut Write<'_>, id: i64, reason: &str) -> Result<(), AppError> {
    let before = store::get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
    rules::propose_reopen(before.published, before.reopen.is_some(), reason)
        .map_err(AppError::Conflict)?;
    store::propose_reopen(w, &before, reason).await
}

/// Decides a request to reopen a published year: another scheme manager
/// confirms it (the year opens) or rejects it; the proposer may take it
/// back ("withdraw"). Deciding one's own request, or withdrawing another's,
/// is refused.
pub async fn decide_reopen(cx: &Ctx, id: i64, decision: &str, note: &str) -> Result<(), AppError> {
    cx.may_everywhere(Action::Assess)?;
    let decision =
        ReopenDecision::parse(decision).map_err(|p| AppError::invalid("field.decision", p))?;
    let note = match note.trim() {
        "" => String::new(),
        text => text_field(text, 1, 500).map_err(|p| AppError::invalid("field.note", p))?,
    };
    let mut w = cx.write().await?;
    decide_reopen_in(&mut w, cx.me.account_id, id, decision, &note)
        .await
        .map_err(no_such_scheme)?;
    w.commit().await?;
    Ok(())
}

async fn decide_reopen_in(
    w: &mut Write<'_>,
    me: i64,
    id: i64,
    decision: ReopenDecision,
    note: &str,
) -> Result<(), AppError> {
    let before: StoredScheme = store::get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
    // A request made without an account is decided by any other manager.
    let proposer = before.reopen.as_ref().map(|r| r.by_id.unwrap_or(-1));
    let published =
        rules::decide_reopen(before.published, proposer, me, decision).map_err(|p| {
            if p.key == "problem.reopen_own_proposal" || p.key == "problem.reopen_not_yours" {
                AppError::Forbidden
            } else {
                AppError::Conflict(p)
            }
        })?;
    let request = before
        .reopen
        .clone()
        .ok_or_else(|| AppError::Conflict(Problem::new("problem.no_reopen_pending")))?;
    store::decide_reopen(w, &before, &request, (decision.action(), note), !published).await
}
