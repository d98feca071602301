//! The emergency plans' rules of engagement: who sees and keeps which
//! plans, the lifecycle's rules (a draft changes, a filed version is
//! revised, the document is fixed at approval, its author does not approve
//! it), documents, coverage and the `plan_coverage` metric it feeds.

use super::dto::{MissingPlan, PlanCoverageReport, PlanDetail, PlanEditor, PlanRow, PlansPage};
use super::store::plans::{self, Listed};
use super::store::{documents, versions};
use crate::areas::directory::service as directory;
use crate::areas::drills::service as drills;
use crate::domain::Problem;
use crate::domain::authz::{Action, Principal, Reach};
use crate::domain::drills::{
    COVERAGE_TARGET_PERMILLE, DocKind, PlanDef, PlanForm, PlanStatus, PlanStep, REQUIRED_KINDS,
    check_step, drill_overdue, may_see, plan_coverage, safe_file_name,
};
use crate::domain::unit::{UnitKind, is_within};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::model::Unit;
use crate::platform::{Ctx, Write};
use chrono::{Datelike, NaiveDate};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// Plans as lists show them: with when a held drill last exercised each
/// (the drills' record) and whether one is overdue, as of `today`.
async fn listed(
    c: &mut AnyConnection,
    plans: Vec<Listed>,
    today: NaiveDate,
) -> Result<Vec<PlanRow>, AppError> {
    if plans.is_empty() {
        return Ok(Vec::new());
    }
    // A long list reads every plan's last drill instead of naming
    // thousands of ids.
    let ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
    let only = (ids.len() <= 500).then_some(ids.as_slice());
    let drilled = drills::last_drilled(c, only).await?;
    Ok(plans
        .into_iter()
        .map(|p| {
            let last = drilled.get(&p.id).copied();
            PlanRow {
                drill_overdue: last
                    .or(p.first_filed)
                    .is_some_and(|since| drill_overdue(p.kind, since, today)),
                last_drilled: last,
                id: p.id,
                unit_id: p.unit_id,
                unit_name: p.unit_name,
                unit_path: p.unit_path,
                kind: p.kind,
                version: p.version,
                status: p.status,
                title: p.title,
                revise_by: p.revise_by,
                in_force: p.in_force,
                first_filed: p.first_filed,
            }
        })
        .collect())
}

/// The plan, if the caller may see it (within reach, or their own
/// unit's); 404 or 403 otherwise.
async fn to_see(
    c: &mut AnyConnection,
    me: &Principal,
    id: i64,
    today: NaiveDate,
) -> Result<Listed, AppError> {
    let plan = plans::get(c, id, today).await?.ok_or(AppError::NotFound)?;
    let own = directory::own_unit(c, me).await?.map(|(id, _)| id);
    if may_see(me, &plan.unit_path, own == Some(plan.unit_id)) {
        Ok(plan)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The plan, if the caller may keep it; 404 or 403 otherwise.
async fn to_manage(
    c: &mut AnyConnection,
    me: &Principal,
    id: i64,
    today: NaiveDate,
) -> Result<Listed, AppError> {
    let plan = plans::get(c, id, today).await?.ok_or(AppError::NotFound)?;
    if me.may_at(Action::ManageDrills, &plan.unit_path) {
        Ok(plan)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Units the caller may keep plans for.
async fn managed_units(cx: &Ctx) -> Result<Vec<Unit>, AppError> {
    directory::units_where(cx, Action::ManageDrills).await
}

/// Plans within the caller's reach and of their own unit; 403 for whoever
/// sees neither.
pub async fn list(cx: &Ctx) -> Result<PlansPage, AppError> {
    let me = &cx.me;
    let mut c = cx.pool().acquire().await?;
    let own = directory::own_unit(&mut c, me).await?.map(|(id, _)| id);
    if !me.may(Action::ViewDrills) && own.is_none() {
        return Err(AppError::Forbidden);
    }
    let found = plans::visible(&mut c, &me.reach(Action::ViewDrills), own, cx.today).await?;
    Ok(PlansPage {
        plans: listed(&mut c, found, cx.today).await?,
        may_manage: me.may(Action::ManageDrills),
    })
}

/// One plan, its versions, the drills that exercised it (of those the
/// caller sees) and whether the caller wrote its newest version.
pub async fn get(cx: &Ctx, id: i64) -> Result<PlanDetail, AppError> {
    let me = &cx.me;
    let mut c = cx.pool().acquire().await?;
    let plan = to_see(&mut c, me, id, cx.today).await?;
    let versions = versions::of_plan(&mut c, id).await?;
    let drills = drills::of_plan(&mut c, me, id).await?;
    let own_draft = versions::latest_authors(&mut c, id)
        .await?
        .is_some_and(|(_, authors, _)| authors.includes(me.account_id));
    let plan = listed(&mut c, vec![plan], cx.today)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(PlanDetail {
        may_manage: me.may_at(Action::ManageDrills, &plan.unit_path),
        plan,
        versions,
        drills,
        own_draft,
    })
}

/// The editor: the newest version's form, or a blank one to be revised
/// within three years.
pub async fn editor(cx: &Ctx, id: Option<i64>) -> Result<PlanEditor, AppError> {
    cx.may(Action::ManageDrills)?;
    let today = cx.today;
    let units = managed_units(cx).await?;
    let form = match id {
        Some(id) => {
            let mut c = cx.pool().acquire().await?;
            let plan = to_manage(&mut c, &cx.me, id, today).await?;
            let latest = versions::of_plan(&mut c, id)
                .await?
                .into_iter()
                .next()
                .ok_or(AppError::NotFound)?;
            PlanForm {
                unit_id: plan.unit_id.to_string(),
                kind: plan.kind.code().into(),
                title: latest.title,
                revise_by: latest.revise_by.to_string(),
                summary: latest.summary,
            }
        }
        None => PlanForm {
            revise_by: today
                .checked_add_months(chrono::Months::new(36))
                .unwrap_or(today)
                .to_string(),
            ..PlanForm::default()
        },
    };
    Ok(PlanEditor { id, form, units })
}

/// Creates a plan (version 1, a draft) or changes its draft version; the
/// unit and kind of an existing plan stay as they are.
pub async fn save(cx: &Ctx, id: Option<i64>, form: PlanForm) -> Result<i64, AppError> {
    cx.may(Action::ManageDrills)?;
    let def = form
        .parse(cx.today)
        .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
    let mut w = cx.write().await?;
    let id = match id {
        Some(id) => {
            let plan = to_manage(w.conn(), &cx.me, id, cx.today).await?;
            let def = PlanDef {
                unit_id: plan.unit_id,
                kind: plan.kind,
                ..def
            };
            change_draft(&mut w, id, &def).await?;
            id
        }
        None => {
            let unit = directory::unit_in(w.conn(), def.unit_id)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("field.unit", Problem::new("problem.no_such_unit"))
                })?;
            if !cx.me.may_at(Action::ManageDrills, &unit.path) {
                return Err(AppError::Forbidden);
            }
            create(&mut w, &def).await?
        }
    };
    w.commit().await?;
    Ok(id)
}

/// Changes the title, revision date and summary of the newest version
/// while it is a draft.
async fn change_draft(w: &mut Write<'_>, plan_id: i64, def: &PlanDef) -> Result<(), AppError> {
    let latest = versions::lock_latest(w, plan_id).await?;
    if latest.status.0 != PlanStatus::Draft {
        return Err(AppError::Conflict(Problem::new("problem.plan_not_draft")));
    }
    versions::update(w, plan_id, latest.id, def).await
}

/// One lifecycle step (approve, publish, file, return) on the newest
/// version; filing moves coverage, so the metrics follow. Someone who did
/// not write the version approves it (its author is refused, 403), and
/// only a version with its document is approved or filed (409).
pub async fn step(cx: &Ctx, id: i64, step: &str) -> Result<(), AppError> {
    let step = PlanStep::parse(step).map_err(|p| AppError::invalid("field.step", p))?;
    let mut w = cx.write().await?;
    to_manage(w.conn(), &cx.me, id, cx.today).await?;
    take_step(&mut w, cx.today, id, step).await?;
    if step == PlanStep::File {
        // As before the areas moved, a filing brings both of the drills
        // area's metrics up to date.
        let source = format!("plan:{id}");
        feed_coverage(&mut w, cx.today, &source).await?;
        drills::feed_held(&mut w, cx.today, &source).await?;
    }
    w.commit().await?;
    Ok(())
}

/// 修订: opens the next version as a draft.
pub async fn revise(cx: &Ctx, id: i64) -> Result<i64, AppError> {
    let mut w = cx.write().await?;
    to_manage(w.conn(), &cx.me, id, cx.today).await?;
    let latest = versions::lock_latest(&mut w, id).await?;
    if !latest.status.0.may_revise() {
        return Err(AppError::Conflict(Problem::new("problem.plan_not_filed")));
    }
    let v = versions::revise(&mut w, id, latest).await?;
    w.commit().await?;
    Ok(v)
}

/// Stores `bytes` (of `kind`, checked by the caller) as the document of a
/// plan's newest version, under a cleaned `file_name`; for whoever keeps
/// the plan.
pub async fn upload_document(
    cx: &Ctx,
    id: i64,
    file_name: &str,
    kind: DocKind,
    bytes: &[u8],
) -> Result<(), AppError> {
    let mut w = cx.write().await?;
    to_manage(w.conn(), &cx.me, id, cx.today).await?;
    attach_document(&mut w, id, &safe_file_name(file_name, kind), kind, bytes).await?;
    w.commit().await?;
    Ok(())
}

/// A version's document for whoever may see its plan: (file name, kind,
/// bytes).
pub async fn document(cx: &Ctx, version: i64) -> Result<(String, DocKind, Vec<u8>), AppError> {
    let mut c = cx.pool().acquire().await?;
    let (plan, name, kind, data) = documents::get(&mut c, version)
        .await?
        .ok_or(AppError::NotFound)?;
    to_see(&mut c, &cx.me, plan, cx.today).await?;
    Ok((name, kind, data))
}

/// Plan coverage over the units within the caller's reach, by kind and
/// overall, with the units that pull it down, the plans overdue for a
/// drill, and a chart drawn in `lang`.
pub async fn coverage(cx: &Ctx, lang: Lang) -> Result<PlanCoverageReport, AppError> {
    cx.may(Action::ViewDrills)?;
    let (me, today) = (&cx.me, cx.today);
    let mut c = cx.pool().acquire().await?;
    let units: Vec<directory::Place> = directory::places(&mut c)
        .await?
        .into_iter()
        .filter(|u| me.may_at(Action::ViewDrills, &u.path))
        .collect();
    let covered = plans::covered_units(&mut c, today).await?;
    let kinds: Vec<(i64, UnitKind)> = units.iter().map(|u| (u.id, u.kind.0)).collect();
    let coverage = plan_coverage(&kinds, &covered);
    let missing = units
        .into_iter()
        .filter(|u| coverage.missing.contains(&u.id))
        .map(|u| MissingPlan {
            unit_id: u.id,
            unit_code: u.code,
            unit_name: u.name,
            kind: u.kind.0,
        })
        .collect();
    let found = plans::visible(&mut c, &me.reach(Action::ViewDrills), None, today).await?;
    let overdue = listed(&mut c, found, today)
        .await?
        .into_iter()
        .filter(|p| p.drill_overdue)
        .collect();
    let mut labels: Vec<String> = coverage
        .by_kind
        .iter()
        .map(|(k, _)| lang.t(k.label_key()).to_string())
        .collect();
    labels.push(lang.t("chart.overall").to_string());
    let mut values: Vec<i64> = coverage.by_kind.iter().map(|(_, s)| s.permille()).collect();
    values.push(coverage.overall.permille());
    let chart = crate::charts::target_chart(
        &lang.tf(
            "chart.plan_coverage",
            &[&(COVERAGE_TARGET_PERMILLE / 10).to_string()],
        ),
        &labels,
        &values,
        COVERAGE_TARGET_PERMILLE,
    );
    Ok(PlanCoverageReport {
        today,
        coverage,
        missing,
        overdue,
        chart,
    })
}

/// Per required unit, plan coverage of its subtree on `today` (its own
/// plan and those of the required units under it): (unit, covered,
/// required).
async fn coverage_values(
    c: &mut AnyConnection,
    today: NaiveDate,
) -> Result<Vec<(i64, i64, i64)>, AppError> {
    let all = directory::places(c).await?;
    let covered = plans::covered_units(c, today).await?;
    Ok(all
        .iter()
        .filter(|u| REQUIRED_KINDS.contains(&u.kind.0))
        .map(|u| {
            let within: Vec<(i64, UnitKind)> = all
                .iter()
                .filter(|v| is_within(&v.path, &u.path))
                .map(|v| (v.id, v.kind.0))
                .collect();
            let share = plan_coverage(&within, &covered).overall;
            (u.id, share.covered, share.required)
        })
        .collect())
}

// ---- for other areas, and the demo seed, which have checked their callers ----

/// Writes this year's `plan_coverage` for every required unit through the
/// platform's metric feed, because of `source` (the record that changed,
/// or `sync`); published years are left alone. (written, left alone).
pub async fn feed_coverage(
    w: &mut Write<'_>,
    today: NaiveDate,
    source: &str,
) -> Result<(usize, usize), AppError> {
    let values = coverage_values(w.conn(), today).await?;
    crate::platform::metrics::feed(w, today.year().into(), "plan_coverage", &values, source).await
}

/// A new plan (version 1, a draft by the writer), inside the writer's
/// transaction.
pub async fn create(w: &mut Write<'_>, def: &PlanDef) -> Result<i64, AppError> {
    plans::create(w, def).await
}

/// Moves the newest version one step along its lifecycle, by the writer,
/// stamping who and when; filing it supersedes the version filed before.
/// Approving needs the document and an approver who did not write the
/// version (its author is refused as not allowed); filing needs the
/// document. The metrics are the caller's to feed.
pub async fn take_step(
    w: &mut Write<'_>,
    today: NaiveDate,
    plan_id: i64,
    step: PlanStep,
) -> Result<PlanStatus, AppError> {
    let latest = versions::lock_latest(w, plan_id).await?;
    let (authors, has_document) = versions::authors(w.conn(), latest.id).await?;
    let next =
        check_step(latest.status.0, step, w.actor.id, &authors, has_document).map_err(|p| {
            if p.key == "problem.plan_own_draft" {
                AppError::Forbidden
            } else {
                AppError::Conflict(p)
            }
        })?;
    versions::step(w, today, plan_id, latest, step, next).await?;
    Ok(next)
}

/// Stores (or replaces) the newest version's document while that version
/// is a draft: the document is frozen when the version is approved (an
/// approved version returned to draft takes a new one, and a new
/// approval).
pub async fn attach_document(
    w: &mut Write<'_>,
    plan_id: i64,
    file_name: &str,
    kind: DocKind,
    bytes: &[u8],
) -> Result<(), AppError> {
    let latest = versions::lock_latest(w, plan_id).await?;
    if !latest.status.0.may_replace_document() {
        return Err(AppError::Conflict(Problem::new(
            "problem.plan_document_fixed",
        )));
    }
    documents::save(
        w,
        plan_id,
        (latest.id, latest.version),
        file_name,
        kind,
        bytes,
    )
    .await
}

/// The plans a drill may exercise: those of units within `reach`, and
/// `also` (the ones a stored drill exercises already).
pub async fn within(
    c: &mut AnyConnection,
    reach: &Reach,
    also: &[i64],
    today: NaiveDate,
) -> Result<Vec<PlanRow>, AppError> {
    let found = plans::within(c, reach, also, today).await?;
    listed(c, found, today).await
}

/// Which of these plans exist, with their unit's path (for a scope check).
pub async fn paths(c: &mut AnyConnection, ids: &[i64]) -> Result<HashMap<i64, String>, AppError> {
    plans::paths(c, ids).await
}

/// Plans by id with their newest version's title.
pub async fn titles(c: &mut AnyConnection, ids: &[i64]) -> Result<Vec<(i64, String)>, AppError> {
    plans::titles(c, ids).await
}

/// One record behind a required unit's `plan_coverage`.
pub enum PlanEvidence {
    /// A plan in force in the unit's subtree: "unit · title".
    InForce { plan_id: i64, label: String },
    /// A required unit of the subtree without a plan in force: its name.
    Missing { unit_name: String },
}

/// What stands behind each required unit's `plan_coverage` on `today`:
/// (unit id, for each required unit of its subtree in tree order, its
/// plans in force or that it has none). The assessment's evidence.
pub async fn coverage_evidence(
    c: &mut AnyConnection,
    today: NaiveDate,
) -> Result<Vec<(i64, Vec<PlanEvidence>)>, AppError> {
    let places = directory::places(c).await?;
    let mut by_unit: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for (plan, unit, title) in plans::in_force(c, today).await? {
        by_unit.entry(unit).or_default().push((plan, title));
    }
    let required: Vec<&directory::Place> = places
        .iter()
        .filter(|u| REQUIRED_KINDS.contains(&u.kind.0))
        .collect();
    Ok(required
        .iter()
        .map(|u| {
            let mut list = Vec::new();
            for v in required.iter().filter(|v| is_within(&v.path, &u.path)) {
                match by_unit.get(&v.id) {
                    Some(ps) => list.extend(ps.iter().map(|(id, title)| PlanEvidence::InForce {
                        plan_id: *id,
                        label: format!("{} · {title}", v.name),
                    })),
                    None => list.push(PlanEvidence::Missing {
                        unit_name: v.name.clone(),
                    }),
                }
            }
            (u.id, list)
        })
        .collect())
}
