//! Emergency plans' and drills' server functions. Organizers (and admins)
//! keep plans within their scope and walk them through the lifecycle,
//! schedule drills (clashes are shown first; saving over one needs a
//! reason), mark them held, evaluate them and set corrective actions.
//! Organizers and assessors see coverage, the calendar and every action
//! within reach; anyone whose person belongs to a unit sees that unit's
//! plans, drills and actions.

use crate::domain::drills::{ActionForm, DrillForm, EvaluationRowForm, PlanForm};
use crate::error::AppError;
use crate::model::{
    ActionRow, CalItem, ClashRow, DrillDetail, DrillSummary, PlanCoverageReport, PlanDetail,
    PlanRow, Unit,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
use super::ssr;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlansPage {
    pub plans: Vec<PlanRow>,
    pub may_manage: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEditor {
    pub id: Option<i64>,
    pub form: PlanForm,
    /// Units the caller may keep plans for.
    pub units: Vec<Unit>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillsPage {
    pub drills: Vec<DrillSummary>,
    pub may_manage: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillEditor {
    pub id: Option<i64>,
    pub form: DrillForm,
    pub clash_reason: String,
    pub plans: Vec<PlanRow>,
    pub units: Vec<Unit>,
    /// Units the caller may organize drills for.
    pub organizer_units: Vec<Unit>,
    /// The picker: people the caller may put in a drill (number, name,
    /// unit), the first `PICKER_LIMIT` by unit; others are typed.
    #[serde(default)]
    pub people: Vec<(String, String, String)>,
}

/// The most people the drill editor's picker lists.
pub const PICKER_LIMIT: i64 = 400;

/// What saving a drill did: saved (with the clashes it was saved over),
/// or not saved because of clashes that need a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillSaved {
    pub id: Option<i64>,
    pub clashes: Vec<ClashRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionsPage {
    pub actions: Vec<ActionRow>,
    /// Actions the caller may close, by id.
    pub closable: Vec<i64>,
}

/// One day of the calendar: the marked day it is, if any, its events and
/// how many more it holds than the month view shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalDay {
    pub day: chrono::NaiveDate,
    pub observance: Option<String>,
    pub items: Vec<CalItem>,
    pub more: usize,
}

/// Events a day shows in the month view; the week view shows all.
pub const MONTH_CELL_CAP: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarPage {
    /// The first day of the month or the Monday of the week shown.
    pub anchor: chrono::NaiveDate,
    pub week: bool,
    pub days: Vec<CalDay>,
    /// Events in the period, all of them (the month view shows a few a day).
    pub total: usize,
    pub units: Vec<Unit>,
    pub unit: Option<i64>,
    pub scenario: String,
    /// The chosen unit's feed address, when a unit is chosen.
    pub unit_feed: Option<String>,
    pub today: chrono::NaiveDate,
}

#[cfg(feature = "ssr")]
pub mod server {
    //! Checks the server functions share.
    use crate::db::drills as store;
    use crate::domain::authz::{Action, Principal};
    use crate::error::AppError;
    use sqlx::AnyConnection;

    pub use crate::api::ssr::today_and_now;

    /// The unit the caller's person belongs to: (id, path).
    pub async fn own_unit(
        c: &mut AnyConnection,
        me: &Principal,
    ) -> Result<Option<(i64, String)>, AppError> {
        match me.person_id {
            Some(p) => store::person_unit(c, p).await,
            None => Ok(None),
        }
    }

    /// May the caller see something of the unit at `path` (id `unit`)?
    pub async fn may_see(
        c: &mut AnyConnection,
        me: &Principal,
        unit: &[i64],
        path: &str,
    ) -> Result<bool, AppError> {
        if me.may_at(Action::ViewDrills, path) || me.may_at(Action::ManageDrills, path) {
            return Ok(true);
        }
        Ok(own_unit(c, me)
            .await?
            .is_some_and(|(id, _)| unit.contains(&id)))
    }

    /// The plan, if the caller may see it; 404 or 403 otherwise.
    pub async fn plan_to_see(
        c: &mut AnyConnection,
        me: &Principal,
        id: i64,
        today: chrono::NaiveDate,
    ) -> Result<crate::model::PlanRow, AppError> {
        let plan = store::get_plan(c, id, today)
            .await?
            .ok_or(AppError::NotFound)?;
        if may_see(c, me, &[plan.unit_id], &plan.unit_path).await? {
            Ok(plan)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The plan, if the caller may manage it.
    pub async fn plan_to_manage(
        c: &mut AnyConnection,
        me: &Principal,
        id: i64,
        today: chrono::NaiveDate,
    ) -> Result<crate::model::PlanRow, AppError> {
        let plan = store::get_plan(c, id, today)
            .await?
            .ok_or(AppError::NotFound)?;
        if me.may_at(Action::ManageDrills, &plan.unit_path) {
            Ok(plan)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The drill, if the caller may manage it (its organizer unit is in
    /// their scope).
    pub async fn drill_to_manage(
        c: &mut AnyConnection,
        me: &Principal,
        id: i64,
    ) -> Result<store::StoredDrill, AppError> {
        let drill = store::get_drill(c, id).await?.ok_or(AppError::NotFound)?;
        if me.may_at(Action::ManageDrills, &drill.organizer_path) {
            Ok(drill)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Units the caller may manage drills and plans for.
    pub async fn managed_units(me: &Principal) -> Result<Vec<crate::model::Unit>, AppError> {
        let st = super::ssr::state()?;
        Ok(crate::db::units::list(&st.db.pool, &Default::default())
            .await?
            .into_iter()
            .filter(|u| me.may_at(Action::ManageDrills, &u.path))
            .collect())
    }

    /// Clashes of a drill, named for people: the place, units and people
    /// by name, and what they clash with.
    pub async fn named_clashes(
        c: &mut AnyConnection,
        me: &Principal,
        def: &crate::domain::drills::DrillDef,
        person_ids: &[i64],
        except: Option<i64>,
    ) -> Result<Vec<crate::model::ClashRow>, AppError> {
        use crate::domain::calendar::Span;
        use crate::domain::drills::{Booked, ClashKind, clashes};
        let span = Span::Times {
            start: def.start,
            end: def.end,
        };
        let booked = store::bookings(c, span, except, person_ids).await?;
        let found = clashes(span, &def.place, &def.all_units(), person_ids, &booked);
        let unit_ids: Vec<i64> = found
            .iter()
            .filter_map(|c| match c.kind {
                ClashKind::Unit(u) => Some(u),
                _ => None,
            })
            .collect();
        let people: Vec<i64> = found
            .iter()
            .filter_map(|c| match c.kind {
                ClashKind::Person(p) | ClashKind::Training(p) => Some(p),
                _ => None,
            })
            .collect();
        let unit_names = store::names(c, "units", &unit_ids).await?;
        let person_names = store::names(c, "people", &people).await?;
        // Another subdistrict's drill at the same place or time is named
        // only to who may see it: the clash check is no window into drills
        // out of reach.
        let drill_ids: Vec<i64> = found
            .iter()
            .filter_map(|x| match &x.with {
                Booked::Drill { id, .. } => Some(*id),
                Booked::Training { .. } => None,
            })
            .collect();
        let own = own_unit(c, me).await?.map(|(id, _)| id);
        let seen = store::drills_seen(
            c,
            &me.reach(crate::domain::authz::Action::ViewDrills),
            own,
            &drill_ids,
        )
        .await?;
        Ok(found
            .into_iter()
            .map(|x| {
                let masked = matches!(&x.with, Booked::Drill { id, .. } if !seen.contains(id));
                let subject = match &x.kind {
                    ClashKind::Place(p) => p.clone(),
                    ClashKind::Unit(u) => unit_names.get(u).cloned().unwrap_or_default(),
                    ClashKind::Person(p) | ClashKind::Training(p) => {
                        person_names.get(p).cloned().unwrap_or_default()
                    }
                };
                let link = match &x.with {
                    Booked::Drill { id, .. } => format!("/drills/{id}"),
                    Booked::Training { .. } => String::new(),
                };
                crate::model::ClashRow {
                    kind_key: x.kind.label_key().to_string(),
                    subject,
                    with: if masked {
                        String::new()
                    } else {
                        x.with.title().to_string()
                    },
                    link: if masked { String::new() } else { link },
                    start: x.start,
                    end: x.end,
                    masked,
                }
            })
            .collect())
    }

    /// Writes `plan_coverage` and `drills_held` for this year after a
    /// change that moves them.
    pub async fn sync(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        actor: &crate::db::audit::Actor,
        at: i64,
        today: chrono::NaiveDate,
        source: &str,
    ) -> Result<(), AppError> {
        store::sync_metrics(tx, actor, at, today, source)
            .await
            .map(|_| ())
    }
}

// ---- plans ----

#[server(endpoint = "emergency_plans")]
pub async fn list_emergency_plans() -> Result<PlansPage, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let (today, _) = server::today_and_now()?;
            let mut c = state()?.db.pool.acquire().await?;
            let own = server::own_unit(&mut c, &me).await?.map(|(id, _)| id);
            if !me.may(Action::ViewDrills) && own.is_none() {
                return Err(AppError::Forbidden);
            }
            let plans =
                crate::db::drills::list_plans(&mut c, &me.reach(Action::ViewDrills), own, today)
                    .await?;
            Ok(PlansPage {
                plans,
                may_manage: me.may(Action::ManageDrills),
            })
        }
        .await,
    )
}

#[server(endpoint = "emergency_plan")]
pub async fn get_emergency_plan(id: i64) -> Result<PlanDetail, AppError> {
    use crate::db::drills as store;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let (today, _) = server::today_and_now()?;
            let mut c = state()?.db.pool.acquire().await?;
            let plan = server::plan_to_see(&mut c, &me, id, today).await?;
            let versions = store::versions(&mut c, id).await?;
            // The drills that exercised it, of those the caller sees.
            let own = server::own_unit(&mut c, &me).await?.map(|(id, _)| id);
            let drills = store::plan_drills(&mut c, id, &me.reach(Action::ViewDrills), own).await?;
            let own_draft = store::latest_authors(&mut c, id)
                .await?
                .is_some_and(|(_, authors, _)| authors.includes(me.account_id));
            Ok(PlanDetail {
                may_manage: me.may_at(Action::ManageDrills, &plan.unit_path),
                plan,
                versions,
                drills,
                own_draft,
            })
        }
        .await,
    )
}

#[server(endpoint = "emergency_plan_editor")]
pub async fn get_emergency_plan_editor(
    #[server(default)] id: Option<i64>,
) -> Result<PlanEditor, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageDrills)?;
            let (today, _) = server::today_and_now()?;
            let units = server::managed_units(&me).await?;
            let form = match id {
                Some(id) => {
                    let mut c = state()?.db.pool.acquire().await?;
                    let plan = server::plan_to_manage(&mut c, &me, id, today).await?;
                    let latest = crate::db::drills::versions(&mut c, id)
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
        .await,
    )
}

/// Creates a plan (version 1, a draft) or changes its draft version; the
/// unit and kind of an existing plan stay as they are.
#[server(endpoint = "save_emergency_plan")]
pub async fn save_emergency_plan(
    #[server(default)] id: Option<i64>,
    form: PlanForm,
) -> Result<i64, AppError> {
    use crate::db::drills as store;
    use crate::domain::Problem;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageDrills)?;
            let (today, now) = server::today_and_now()?;
            let def = form
                .parse(today)
                .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let who = actor(&me);
            match id {
                Some(id) => {
                    let plan = server::plan_to_manage(&mut tx, &me, id, today).await?;
                    let def = crate::domain::drills::PlanDef {
                        unit_id: plan.unit_id,
                        kind: plan.kind,
                        ..def
                    };
                    store::update_draft(&mut tx, &who, now, id, &def).await?;
                    tx.commit().await?;
                    Ok(id)
                }
                None => {
                    let unit = crate::db::units::get_in(&mut *tx, def.unit_id)
                        .await?
                        .ok_or_else(|| {
                            AppError::invalid("field.unit", Problem::new("problem.no_such_unit"))
                        })?;
                    if !me.may_at(Action::ManageDrills, &unit.path) {
                        return Err(AppError::Forbidden);
                    }
                    let id = store::create_plan(&mut tx, &who, now, &def).await?;
                    tx.commit().await?;
                    Ok(id)
                }
            }
        }
        .await,
    )
}

/// One lifecycle step (approve, publish, file, return) on the newest
/// version; filing moves coverage, so the metrics follow. Someone who did
/// not write the version approves it (its author is refused, 403), and
/// only a version with its document is approved or filed (409).
#[server(endpoint = "emergency_plan_step")]
pub async fn step_emergency_plan(id: i64, step: String) -> Result<(), AppError> {
    use crate::domain::drills::PlanStep;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let step = PlanStep::parse(&step).map_err(|p| AppError::invalid("field.step", p))?;
            let (today, now) = server::today_and_now()?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            server::plan_to_manage(&mut tx, &me, id, today).await?;
            let who = actor(&me);
            crate::db::drills::step(&mut tx, &who, now, today, id, step).await?;
            if step == PlanStep::File {
                server::sync(&mut tx, &who, now, today, &format!("plan:{id}")).await?;
            }
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// 修订: opens the next version as a draft.
#[server(endpoint = "revise_emergency_plan")]
pub async fn revise_emergency_plan(id: i64) -> Result<i64, AppError> {
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let (today, now) = server::today_and_now()?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            server::plan_to_manage(&mut tx, &me, id, today).await?;
            let v = crate::db::drills::revise(&mut tx, &actor(&me), now, id).await?;
            tx.commit().await?;
            Ok(v)
        }
        .await,
    )
}

/// Plan coverage over the units within the caller's reach, by kind and
/// overall, with the units that pull it down, the plans overdue for a
/// drill, and a chart.
#[server(endpoint = "plan_coverage")]
pub async fn get_plan_coverage() -> Result<PlanCoverageReport, AppError> {
    use crate::db::drills as store;
    use crate::domain::authz::Action;
    use crate::domain::drills::{COVERAGE_TARGET_PERMILLE, plan_coverage};
    use crate::model::MissingPlan;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ViewDrills)?;
            let (today, _) = server::today_and_now()?;
            let mut c = state()?.db.pool.acquire().await?;
            let units: Vec<_> = store::units(&mut c)
                .await?
                .into_iter()
                .filter(|u| me.may_at(Action::ViewDrills, &u.4))
                .collect();
            let covered = store::covered_units(&mut c, today).await?;
            let kinds: Vec<_> = units.iter().map(|u| (u.0, u.3)).collect();
            let coverage = plan_coverage(&kinds, &covered);
            let missing = units
                .iter()
                .filter(|u| coverage.missing.contains(&u.0))
                .map(|u| MissingPlan {
                    unit_id: u.0,
                    unit_code: u.1.clone(),
                    unit_name: u.2.clone(),
                    kind: u.3,
                })
                .collect();
            let overdue = store::list_plans(&mut c, &me.reach(Action::ViewDrills), None, today)
                .await?
                .into_iter()
                .filter(|p| p.drill_overdue)
                .collect();
            let lang = crate::components::detect_lang();
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
        .await,
    )
}

/// Writes this year's `plan_coverage` and `drills_held` for every unit.
#[server(endpoint = "sync_drill_metrics")]
pub async fn sync_drill_metrics() -> Result<(usize, usize), AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_everywhere(Action::ManageDrills)?;
            let (today, now) = server::today_and_now()?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let done =
                crate::db::drills::sync_metrics(&mut tx, &actor(&me), now, today, "sync").await?;
            tx.commit().await?;
            Ok(done)
        }
        .await,
    )
}

// ---- drills ----

#[server(endpoint = "drills")]
pub async fn list_drills() -> Result<DrillsPage, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let mut c = state()?.db.pool.acquire().await?;
            let own = server::own_unit(&mut c, &me).await?.map(|(id, _)| id);
            if !me.may(Action::ViewDrills) && own.is_none() {
                return Err(AppError::Forbidden);
            }
            let drills =
                crate::db::drills::list_drills(&mut c, &me.reach(Action::ViewDrills), own).await?;
            Ok(DrillsPage {
                drills,
                may_manage: me.may(Action::ManageDrills),
            })
        }
        .await,
    )
}

#[server(endpoint = "drill_editor")]
pub async fn get_drill_editor(#[server(default)] id: Option<i64>) -> Result<DrillEditor, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageDrills)?;
            let (today, _) = server::today_and_now()?;
            let st = state()?;
            let mut c = st.db.pool.acquire().await?;
            let (form, clash_reason, kept_units, kept_plans) = match id {
                Some(id) => {
                    let d = server::drill_to_manage(&mut c, &me, id).await?;
                    (
                        DrillForm::from_def(&d.def, &d.def.person_codes),
                        d.clash_reason.unwrap_or_default(),
                        d.unit_ids,
                        d.def.plan_ids,
                    )
                }
                None => (DrillForm::default(), String::new(), Vec::new(), Vec::new()),
            };
            // What `save_drill` accepts: units and plans within reach, and
            // those the drill has already.
            let reach = me.reach(Action::ManageDrills);
            let plans = crate::db::drills::plans_within(&mut c, &reach, &kept_plans, today).await?;
            let units: Vec<Unit> = crate::db::units::list(&st.db.pool, &Default::default())
                .await?
                .into_iter()
                .filter(|u| reach.covers(&u.path) || kept_units.contains(&u.id))
                .collect();
            let organizer_units = server::managed_units(&me).await?;
            let people =
                crate::db::people::list(&st.db.pool, &reach, &Default::default(), 1, PICKER_LIMIT)
                    .await?
                    .items
                    .into_iter()
                    .map(|(p, _)| (p.code, p.name, p.unit_name))
                    .collect();
            Ok(DrillEditor {
                id,
                form,
                clash_reason,
                plans,
                units,
                organizer_units,
                people,
            })
        }
        .await,
    )
}

/// Checks a drill and saves it. Clashes are sent back unsaved until a
/// reason is given; the reason and the clashes it answers are kept.
#[server(endpoint = "save_drill")]
pub async fn save_drill(
    #[server(default)] id: Option<i64>,
    form: DrillForm,
    #[server(default)] clash_reason: String,
) -> Result<DrillSaved, AppError> {
    use crate::domain::Problem;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageDrills)?;
            let def = form
                .parse()
                .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
            let reason = crate::domain::text_field(&clash_reason, 0, 500)
                .map_err(|p| AppError::invalid("field.clash_reason", p))?;
            let (_, now) = server::today_and_now()?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            // What the drill has already stays allowed (a district-wide
            // organizer may have added units, plans or people beyond the
            // caller's reach); anything new must be within it.
            let stored = match id {
                Some(id) => Some(server::drill_to_manage(&mut tx, &me, id).await?),
                None => None,
            };
            let organizer = crate::db::units::get_in(&mut *tx, def.organizer_unit_id)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("field.organizer_unit", Problem::new("problem.no_such_unit"))
                })?;
            if !me.may_at(Action::ManageDrills, &organizer.path) {
                return Err(AppError::Forbidden);
            }
            let reach = me.reach(Action::ManageDrills);
            let had_unit = |u: &i64| stored.as_ref().is_some_and(|d| d.unit_ids.contains(u));
            for u in &def.unit_ids {
                let unit = crate::db::units::get_in(&mut *tx, *u)
                    .await?
                    .ok_or_else(|| {
                        AppError::invalid(
                            "field.participating_units",
                            Problem::with("problem.unknown_choice", &[&u.to_string()]),
                        )
                    })?;
                // A drill writes into its units' calendars, feeds and
                // drills_held metric: new ones only within reach.
                if !reach.covers(&unit.path) && !had_unit(u) {
                    return Err(AppError::invalid(
                        "field.participating_units",
                        Problem::with("problem.outside_scope", &[&unit.code]),
                    ));
                }
            }
            // A plan outside reach is no choice of the caller's (its title
            // is not theirs to learn): refused as unknown, as a missing one.
            let had_plan = |p: &i64| stored.as_ref().is_some_and(|d| d.def.plan_ids.contains(p));
            let plan_paths = crate::db::drills::plan_paths(&mut tx, &def.plan_ids).await?;
            if let Some(p) = def.plan_ids.iter().find(|&&p| {
                plan_paths
                    .get(&p)
                    .is_none_or(|path| !reach.covers(path) && !had_plan(&p))
            }) {
                return Err(AppError::invalid(
                    "field.plans_exercised",
                    Problem::with("problem.unknown_choice", &[&p.to_string()]),
                ));
            }
            // People are named by number: one the caller may not see is
            // refused by number, their name never shown back (no clash
            // row, no drill page naming them).
            let had_person = |code: &str| {
                stored
                    .as_ref()
                    .is_some_and(|d| d.def.person_codes.iter().any(|c| c == code))
            };
            let located =
                crate::db::drills::resolve_people_located(&mut tx, &def.person_codes).await?;
            if let Some((_, code, _)) = located.iter().find(|(_, code, path)| {
                !me.may_name_person(path.as_str()) && !had_person(code.as_str())
            }) {
                return Err(AppError::invalid(
                    "field.participants",
                    Problem::with("problem.person_outside_scope", &[code]),
                ));
            }
            let people: Vec<i64> = located.into_iter().map(|(id, _, _)| id).collect();
            let clashes = server::named_clashes(&mut tx, &me, &def, &people, id).await?;
            if !clashes.is_empty() && reason.is_empty() {
                return Ok(DrillSaved { id: None, clashes });
            }
            let reason = (!clashes.is_empty()).then_some(reason.as_str());
            let saved = crate::db::drills::save_drill(
                &mut tx,
                &actor(&me),
                now,
                id,
                &def,
                &people,
                reason,
                &clashes,
            )
            .await?;
            tx.commit().await?;
            Ok(DrillSaved {
                id: Some(saved),
                clashes,
            })
        }
        .await,
    )
}

#[server(endpoint = "drill")]
pub async fn get_drill(id: i64) -> Result<DrillDetail, AppError> {
    use crate::db::drills as store;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let (today, now) = server::today_and_now()?;
            let mut c = state()?.db.pool.acquire().await?;
            let d = store::get_drill(&mut c, id)
                .await?
                .ok_or(AppError::NotFound)?;
            if !server::may_see(&mut c, &me, &d.unit_ids, &d.organizer_path).await? {
                return Err(AppError::Forbidden);
            }
            let unit_names = store::names(&mut c, "units", &d.unit_ids).await?;
            let plan_titles = store::plan_titles(&mut c, &d.def.plan_ids).await?;
            let people = store::drill_people(&mut c, id).await?;
            let evaluation = store::evaluation(&mut c, id).await?;
            let actions = store::actions(&mut c, store::ActionFilter::Drill(id), today)
                .await?
                .into_iter()
                .map(|(a, _)| a)
                .collect();
            Ok(DrillDetail {
                may_manage: me.may_at(Action::ManageDrills, &d.organizer_path),
                started: now >= d.summary.start,
                units: d
                    .unit_ids
                    .iter()
                    .map(|u| (*u, unit_names.get(u).cloned().unwrap_or_default()))
                    .collect(),
                plans: plan_titles,
                people,
                clash_reason: d.clash_reason,
                clashes: d.clashes,
                evaluation,
                actions,
                created_by: d.created_by,
                held: d.held,
                evaluated: d.evaluated,
                summary: d.summary,
                def: d.def,
            })
        }
        .await,
    )
}

/// Marks a planned drill held (not before it starts), with who attended
/// (ticked person ids); held drills count for `drills_held`.
#[server(endpoint = "hold_drill")]
pub async fn hold_drill(
    id: i64,
    #[server(default)] attended: BTreeMap<String, String>,
) -> Result<(), AppError> {
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let (today, now) = server::today_and_now()?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let d = server::drill_to_manage(&mut tx, &me, id).await?;
            crate::domain::drills::may_hold(d.summary.status, d.summary.start, now)
                .map_err(AppError::Conflict)?;
            let ids: Vec<i64> = attended
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .filter_map(|(k, _)| k.parse().ok())
                .collect();
            let who = actor(&me);
            crate::db::drills::hold(&mut tx, &who, now, id, &ids).await?;
            server::sync(&mut tx, &who, now, today, &format!("drill:{id}")).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Records the evaluation: a rating and findings for every objective.
#[server(endpoint = "evaluate_drill")]
pub async fn evaluate_drill(id: i64, rows: Vec<EvaluationRowForm>) -> Result<(), AppError> {
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let (_, now) = server::today_and_now()?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let d = server::drill_to_manage(&mut tx, &me, id).await?;
            let parsed = crate::domain::drills::parse_evaluation(&rows, d.def.objectives.len())
                .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
            crate::db::drills::evaluate(&mut tx, &actor(&me), now, id, &parsed).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Adds a corrective action to a held drill, owned by a unit.
#[server(endpoint = "add_corrective_action")]
pub async fn add_corrective_action(drill_id: i64, form: ActionForm) -> Result<i64, AppError> {
    use crate::domain::Problem;
    use crate::domain::authz::Action;
    use crate::domain::drills::DrillStatus;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let (_, now) = server::today_and_now()?;
            let def = form
                .parse()
                .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let d = server::drill_to_manage(&mut tx, &me, drill_id).await?;
            if d.summary.status == DrillStatus::Planned {
                return Err(AppError::Conflict(Problem::new("problem.drill_not_held")));
            }
            let owner = crate::db::units::get_in(&mut *tx, def.owner_unit_id)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("field.owner_unit", Problem::new("problem.no_such_unit"))
                })?;
            // The action lands on the owner unit's list: a unit that took
            // part in the drill, or one within the caller's reach.
            if !d.unit_ids.contains(&owner.id) && !me.may_at(Action::ManageDrills, &owner.path) {
                return Err(AppError::invalid(
                    "field.owner_unit",
                    Problem::with("problem.outside_scope", &[&owner.code]),
                ));
            }
            let id =
                crate::db::drills::add_action(&mut tx, &actor(&me), now, drill_id, &def).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// Closes an action with a note: by whoever manages the drill or the
/// owner unit.
#[server(endpoint = "close_corrective_action")]
pub async fn close_corrective_action(id: i64, note: String) -> Result<(), AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let note = crate::domain::text_field(&note, 2, 500)
                .map_err(|p| AppError::invalid("field.closing_note", p))?;
            let (_, now) = server::today_and_now()?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let (owner_path, organizer_path) = crate::db::drills::action_paths(&mut tx, id)
                .await?
                .ok_or(AppError::NotFound)?;
            if !me.may_at(Action::ManageDrills, &owner_path)
                && !me.may_at(Action::ManageDrills, &organizer_path)
            {
                return Err(AppError::Forbidden);
            }
            crate::db::drills::close_action(&mut tx, &actor(&me), now, id, &note).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Corrective actions within reach and of the caller's own unit.
#[server(endpoint = "corrective_actions")]
pub async fn list_corrective_actions() -> Result<ActionsPage, AppError> {
    use crate::db::drills as store;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let (today, _) = server::today_and_now()?;
            let mut c = state()?.db.pool.acquire().await?;
            let own = server::own_unit(&mut c, &me).await?.map(|(id, _)| id);
            if !me.may(Action::ViewDrills) && own.is_none() {
                return Err(AppError::Forbidden);
            }
            let rows = store::actions(
                &mut c,
                store::ActionFilter::Visible(&me.reach(Action::ViewDrills), own),
                today,
            )
            .await?;
            let closable = rows
                .iter()
                .filter(|(a, path)| a.closed_at.is_none() && me.may_at(Action::ManageDrills, path))
                .map(|(a, _)| a.id)
                .collect();
            Ok(ActionsPage {
                actions: rows.into_iter().map(|(a, _)| a).collect(),
                closable,
            })
        }
        .await,
    )
}

// ---- the calendar ----

/// Drills and training batches of a month (`2018-05`) or of the week
/// around a day (`2018-05-12`), filtered by unit subtree and scenario.
#[server(endpoint = "drill_calendar")]
pub async fn get_calendar(
    #[server(default)] at: String,
    #[server(default)] unit: Option<i64>,
    #[server(default)] scenario: String,
) -> Result<CalendarPage, AppError> {
    use crate::domain::authz::Action;
    use crate::domain::calendar::week_of;
    use crate::domain::drills::Scenario;
    use chrono::{Datelike, NaiveDate};
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ViewDrills)?;
            let (today, _) = server::today_and_now()?;
            let bad = || {
                AppError::invalid(
                    "field.month",
                    crate::domain::Problem::new("problem.bad_date"),
                )
            };
            let (anchor, week) = match at.trim() {
                "" => (today.with_day(1).ok_or_else(bad)?, false),
                s if s.len() == 7 => (
                    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").map_err(|_| bad())?,
                    false,
                ),
                s => (
                    week_of(crate::domain::iso_date(s).map_err(|_| bad())?)[0],
                    true,
                ),
            };
            let last = if week {
                anchor + chrono::Duration::days(6)
            } else {
                anchor
                    .checked_add_months(chrono::Months::new(1))
                    .and_then(|d| d.pred_opt())
                    .ok_or_else(bad)?
            };
            let scenario_filter = if scenario.trim().is_empty() {
                None
            } else {
                Some(
                    Scenario::parse(&scenario)
                        .map_err(|p| AppError::invalid("field.scenario", p))?,
                )
            };
            let st = state()?;
            // Read and laid out once per version of the data, caller, day
            // and filter (the month of a busy district is thousands of
            // drills).
            let key = format!(
                "drill_calendar:{}:{today}:{anchor}:{week}:{unit:?}:{scenario_filter:?}",
                me.account_id
            );
            let page = st
                .db
                .memo
                .get_or(&st.db.pool, key, async || {
                    // The unit filter, and the unit feed it hands out, offer only
                    // units within reach: a unit outside is "no such unit".
                    let reach = me.reach(Action::ViewDrills);
                    let units: Vec<Unit> = crate::db::units::list(&st.db.pool, &Default::default())
                        .await?
                        .into_iter()
                        .filter(|u| reach.covers(&u.path))
                        .collect();
                    let unit_path = match unit {
                        Some(u) => Some(
                            units
                                .iter()
                                .find(|x| x.id == u)
                                .map(|x| x.path.clone())
                                .ok_or_else(|| {
                                    AppError::invalid(
                                        "field.unit",
                                        crate::domain::Problem::new("problem.no_such_unit"),
                                    )
                                })?,
                        ),
                        None => None,
                    };
                    let mut c = st.db.pool.acquire().await?;
                    let own = server::own_unit(&mut c, &me).await?.map(|(id, _)| id);
                    let items = crate::db::drills::calendar(
                        &mut c,
                        &reach,
                        own,
                        anchor,
                        last,
                        unit_path.as_deref(),
                        scenario_filter,
                    )
                    .await?;
                    let spans: Vec<_> = items.iter().map(|i| (i.first_day, i.last_day)).collect();
                    let cap = if week { usize::MAX } else { MONTH_CELL_CAP };
                    let days = crate::domain::calendar::lay_out(anchor, last, &spans, cap)
                        .into_iter()
                        .map(|cell| CalDay {
                            day: cell.day,
                            observance: crate::domain::calendar::observance(cell.day)
                                .map(str::to_string),
                            items: cell.shown.iter().map(|&i| items[i].clone()).collect(),
                            more: cell.more,
                        })
                        .collect();
                    Ok(CalendarPage {
                        anchor,
                        week,
                        total: items.len(),
                        days,
                        units,
                        unit,
                        scenario: String::new(),
                        unit_feed: None,
                        today,
                    })
                })
                .await?;
            let mut page = (*page).clone();
            page.scenario = scenario;
            if let Some(u) = unit {
                let mut c = st.db.pool.acquire().await?;
                page.unit_feed = Some(format!(
                    "{}/calendar/unit-{}.ics",
                    public_origin()?,
                    crate::areas::directory::service::calendar_feed(
                        &mut c,
                        crate::areas::directory::service::FeedOwner::Unit,
                        u
                    )
                    .await?
                ));
            }
            Ok(page)
        }
        .await,
    )
}

/// A new address for a unit's calendar feed; the old one stops working.
/// For those who keep the unit's drills.
#[server(endpoint = "rotate_unit_calendar_feed")]
pub async fn rotate_unit_calendar_feed(unit: i64) -> Result<(), AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageDrills)?;
            let st = state()?;
            let target = crate::db::units::get(&st.db.pool, unit)
                .await?
                .ok_or(AppError::NotFound)?;
            if !me.may_at(Action::ManageDrills, &target.path) {
                return Err(AppError::Forbidden);
            }
            let mut w =
                crate::platform::Write::begin(&st.db, actor(&me), st.clock.now_secs()).await?;
            crate::areas::directory::service::rotate_calendar_feed(
                &mut w,
                crate::areas::directory::service::FeedOwner::Unit,
                unit,
            )
            .await?;
            w.commit().await?;
            Ok(())
        }
        .await,
    )
}
