//! Training rotations' server functions. Organizers (and admins) keep
//! courses and plans, run the scheduler, review, move and publish the
//! roster, mark attendance and record leave; organizers and assessors see
//! coverage and issue rectification orders; trainees see their seats, sign
//! up where a plan allows it, study and take the quiz (graded here: the
//! answers never leave the server).

use crate::domain::training::{CourseForm, PlanForm};
use crate::error::AppError;
use crate::model::{
    CourseSummary, CoverageReport, LeaveRow, MyTraining, OrderRow, PlanRoster, PlanSummary, Study,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
use super::ssr;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseEditor {
    pub id: Option<i64>,
    pub form: CourseForm,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEditor {
    pub id: Option<i64>,
    pub form: PlanForm,
    pub courses: Vec<CourseSummary>,
    pub published: bool,
}

/// What a scheduler run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheduled {
    pub placed: usize,
    pub unplaced: usize,
}

#[cfg(feature = "ssr")]
pub mod server {
    //! Checks the server functions share.
    use crate::db::training as store;
    use crate::domain::authz::{Action, Principal, Reach};
    use crate::error::AppError;
    use crate::model::StoredPlan;
    use sqlx::AnyConnection;

    /// A year's training per person, for a spreadsheet: a title line,
    /// column titles in the reader's language, and per person within the
    /// caller's reach their unit, number, name, the courses the year's
    /// rotations require of them, those completed, and the hours (学时)
    /// credited. Exporting personal data is audited.
    pub async fn coverage_export(
        st: &crate::state::AppState,
        me: &Principal,
        year: i64,
        lang: crate::i18n::Lang,
    ) -> Result<(String, Vec<String>, Vec<Vec<String>>), AppError> {
        use sqlx::Row;
        use std::collections::BTreeMap;
        if !me.may(Action::ViewTraining) {
            return Err(AppError::Forbidden);
        }
        if !(2000..=2100).contains(&year) {
            return Err(AppError::NotFound);
        }
        let mut tx = st.db.write().await?;
        let (list, done) = store::required_and_done(&mut tx, year).await?;
        let mut hours: BTreeMap<i64, i64> = BTreeMap::new();
        for h in store::credited_hours(&mut tx, Some(year), None).await? {
            *hours.entry(h.person_id).or_default() += h.hours;
        }
        let mut people: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
        for (person, _, courses) in &list {
            let completed = courses
                .iter()
                .filter(|c| done.contains(&(*person, **c)))
                .count() as i64;
            people.insert(*person, (courses.len() as i64, completed));
        }
        for person in hours.keys() {
            people.entry(*person).or_insert((0, 0));
        }
        let ids: Vec<i64> = people.keys().copied().collect();
        let mut rows: Vec<(String, Vec<String>)> = Vec::new();
        if !ids.is_empty() {
            let sql = format!(
                "SELECT p.id, p.code, p.name, u.code AS unit_code, u.name AS unit_name, u.path \
                 FROM people p JOIN units u ON u.id = p.unit_id WHERE p.id IN ({})",
                crate::db::id_list(&ids)
            );
            for r in sqlx::query(&sql).fetch_all(&mut *tx).await? {
                let path: String = r.get("path");
                if !me.may_at(Action::ViewTraining, &path) {
                    continue;
                }
                let id: i64 = r.get("id");
                let (required, completed) = people.get(&id).copied().unwrap_or_default();
                let code: String = r.get("code");
                rows.push((
                    format!("{path}|{code}"),
                    vec![
                        r.get("unit_code"),
                        r.get("unit_name"),
                        code,
                        r.get("name"),
                        required.to_string(),
                        completed.to_string(),
                        hours.get(&id).copied().unwrap_or(0).to_string(),
                    ],
                ));
            }
        }
        rows.sort();
        crate::db::audit::record(
            &mut tx,
            &crate::api::ssr::actor(me),
            st.clock.now_secs(),
            "export.training_coverage",
            "training_coverage",
            &year.to_string(),
            None,
            crate::db::audit::json(&serde_json::json!({ "rows": rows.len() })),
        )
        .await?;
        tx.commit().await?;
        let header = [
            "field.unit_code",
            "field.unit",
            "field.person_code",
            "field.person_name",
            "training.export_required",
            "training.export_completed",
            "training.hours_title",
        ]
        .iter()
        .map(|k| lang.t(k).to_string())
        .collect();
        Ok((
            lang.tf("training.export_title", &[&year.to_string()]),
            header,
            rows.into_iter().map(|(_, r)| r).collect(),
        ))
    }

    /// May the caller manage this plan? A district-wide plan needs a
    /// district-wide organizer; a subtree plan, one whose scope covers it.
    pub fn may_manage(me: &Principal, plan: &StoredPlan) -> bool {
        match &plan.unit_path {
            Some(path) => me.may_at(Action::ManageTraining, path),
            None => me.reach(Action::ManageTraining) == Reach::Everywhere,
        }
    }

    /// The plan, if the caller may manage it: 404 or 403 otherwise.
    pub async fn plan_to_manage(
        c: &mut AnyConnection,
        me: &Principal,
        id: i64,
    ) -> Result<StoredPlan, AppError> {
        let plan = store::get_plan(c, id).await?.ok_or(AppError::NotFound)?;
        if may_manage(me, &plan) {
            Ok(plan)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Runs the scheduler on a draft plan's target population (leave and
    /// other batches keep people out) and replaces its roster.
    pub async fn schedule_plan(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        actor: &crate::db::audit::Actor,
        at: i64,
        plan: &StoredPlan,
    ) -> Result<super::Scheduled, AppError> {
        use crate::domain::scheduler;
        let id = plan.id;
        let batches = store::batches(&mut *tx, id).await?;
        let targets = store::targets(&mut *tx, plan, true).await?;
        let duty = store::unit_duty(&mut *tx).await?;
        let busy = store::busy_days(&mut *tx, id, None).await?;
        let mut unit_ids: Vec<i64> = targets.iter().map(|t| t.unit_id).collect();
        unit_ids.sort_unstable();
        unit_ids.dedup();
        let input = scheduler::Plan {
            batches: batches
                .iter()
                .map(|b| scheduler::Batch {
                    code: b.code.clone(),
                    start: b.start,
                    end: b.end,
                    capacity: b.capacity,
                })
                .collect(),
            units: unit_ids
                .iter()
                .filter_map(|u| duty.get(u).cloned())
                .collect(),
            trainees: targets
                .iter()
                .map(|t| scheduler::Trainee {
                    id: t.code.clone(),
                    unit: duty
                        .get(&t.unit_id)
                        .map(|u| u.code.clone())
                        .unwrap_or_default(),
                    unavailable: busy.get(&t.person_id).cloned().unwrap_or_default(),
                })
                .collect(),
        };
        let roster = scheduler::schedule(&input);
        let seats: Vec<(i64, i64)> = roster
            .assignments
            .iter()
            .map(|&(t, b)| (batches[b].id, targets[t].person_id))
            .collect();
        let unplaced: Vec<(i64, String)> = roster
            .unassigned
            .iter()
            .map(|(t, reason)| {
                (
                    targets[*t].person_id,
                    serde_json::to_string(reason).unwrap_or_default(),
                )
            })
            .collect();
        store::replace_roster(tx, actor, at, id, &seats, &unplaced).await?;
        Ok(super::Scheduled {
            placed: seats.len(),
            unplaced: unplaced.len(),
        })
    }

    /// The district's today and the current instant.
    pub fn today_and_now() -> Result<(chrono::NaiveDate, i64), AppError> {
        crate::api::ssr::state()?.clock.today_and_now()
    }

    /// Courses have no owner unit: every course serves the whole district
    /// (its lessons, its quiz and pass mark, and for a certifying course
    /// the validity of the certificates it issues). So only someone whose
    /// training reach is the whole district keeps courses; a scoped
    /// organizer picks them for their plans.
    pub fn require_course_keeper(me: &Principal) -> Result<(), AppError> {
        if me.reach(Action::ManageTraining) == Reach::Everywhere {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The signed-in trainee's person id, or 403 for an account without
    /// a person.
    pub fn my_person(me: &Principal) -> Result<i64, AppError> {
        me.person_id.ok_or(AppError::Forbidden)
    }
}

// ---- courses ----

#[server(endpoint = "list_courses")]
pub async fn list_courses() -> Result<Vec<CourseSummary>, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            require_may(Action::ManageTraining)?;
            let mut c = state()?.db.pool.acquire().await?;
            crate::db::training::list_courses(&mut c).await
        }
        .await,
    )
}

#[server(endpoint = "course_editor")]
pub async fn get_course_editor(
    #[server(default)] id: Option<i64>,
) -> Result<CourseEditor, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageTraining)?;
            // The editor holds the quiz's answers: for course keepers only.
            server::require_course_keeper(&me)?;
            let form = match id {
                Some(id) => {
                    let mut c = state()?.db.pool.acquire().await?;
                    let stored = crate::db::training::get_course(&mut c, id)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    CourseForm::from_def(&stored.def, 2)
                }
                None => CourseForm::blank(3),
            };
            Ok(CourseEditor { id, form })
        }
        .await,
    )
}

/// Creates or changes a course; the first problem names its field and row.
#[server(endpoint = "save_course")]
pub async fn save_course(
    #[server(default)] id: Option<i64>,
    form: CourseForm,
) -> Result<i64, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageTraining)?;
            server::require_course_keeper(&me)?;
            let def = form
                .parse()
                .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let id = crate::db::training::save_course(
                &mut tx,
                &actor(&me),
                st.clock.now_secs(),
                id,
                &def,
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

// ---- plans ----

/// The plans the caller may manage: those of units within their reach,
/// and district-wide ones for district-wide organizers (as `may_manage`).
#[server(endpoint = "list_plans")]
pub async fn list_plans() -> Result<Vec<PlanSummary>, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageTraining)?;
            let mut c = state()?.db.pool.acquire().await?;
            crate::db::training::list_plans(&mut c, &me.reach(Action::ManageTraining)).await
        }
        .await,
    )
}

#[server(endpoint = "plan_editor")]
pub async fn get_plan_editor(#[server(default)] id: Option<i64>) -> Result<PlanEditor, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageTraining)?;
            let mut c = state()?.db.pool.acquire().await?;
            let courses = crate::db::training::list_courses(&mut c).await?;
            let (form, published) = match id {
                Some(id) => {
                    let plan = server::plan_to_manage(&mut c, &me, id).await?;
                    (PlanForm::from_def(&plan.def, 1), plan.published)
                }
                None => {
                    let (today, _) = server::today_and_now()?;
                    (PlanForm::blank(chrono::Datelike::year(&today), 3), false)
                }
            };
            Ok(PlanEditor {
                id,
                form,
                courses,
                published,
            })
        }
        .await,
    )
}

/// Creates or changes a draft plan (changing one clears its draft roster).
#[server(endpoint = "save_plan")]
pub async fn save_plan(
    #[server(default)] id: Option<i64>,
    form: PlanForm,
) -> Result<i64, AppError> {
    use crate::db::training as store;
    use crate::domain::Problem;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageTraining)?;
            let def = form
                .parse()
                .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            if store::get_course(&mut tx, def.course_id).await?.is_none() {
                return Err(AppError::invalid(
                    "field.course",
                    Problem::new("problem.pick_course"),
                ));
            }
            let unit_path = match def.unit_id {
                Some(u) => Some(
                    crate::db::units::get_in(&mut *tx, u)
                        .await?
                        .ok_or_else(|| {
                            AppError::invalid("field.unit", Problem::new("problem.no_such_unit"))
                        })?
                        .path,
                ),
                None => None,
            };
            let draft = crate::model::StoredPlan {
                id: 0,
                def: def.clone(),
                course_title: String::new(),
                unit_name: None,
                unit_path,
                published: false,
            };
            if !server::may_manage(&me, &draft) {
                return Err(AppError::Forbidden);
            }
            if let Some(id) = id {
                server::plan_to_manage(&mut tx, &me, id).await?;
            }
            let id = store::save_plan(&mut tx, &actor(&me), st.clock.now_secs(), id, &def).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// A plan's batches, roster and those left out, with who is not cleared
/// for post marked.
#[server(endpoint = "plan_roster")]
pub async fn get_plan_roster(id: i64) -> Result<PlanRoster, AppError> {
    use crate::db::training as store;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageTraining)?;
            let mut c = state()?.db.pool.acquire().await?;
            let plan = server::plan_to_manage(&mut c, &me, id).await?;
            let batches = store::batches(&mut c, id).await?;
            let mut seats = store::roster(&mut c, id).await?;
            let targets = store::targets(&mut c, &plan, true).await?;
            let held: Vec<_> = targets
                .iter()
                .map(|t| (t.person_id, t.positions.clone()))
                .collect();
            let (today, _) = server::today_and_now()?;
            let cleared = store::clearance(&mut c, &held, today).await?;
            let duty = store::unit_duty(&mut c).await?;
            for s in &mut seats {
                s.cleared = cleared.get(&s.person_id).copied();
                s.max_away = duty.get(&s.unit_id).map_or(0, |u| u.max_away());
            }
            let unplaced = store::unplaced(&mut c, id).await?;
            let has_quiz = store::get_course(&mut c, plan.def.course_id)
                .await?
                .is_some_and(|k| k.def.quiz.is_some());
            Ok(PlanRoster {
                plan,
                batches,
                seats,
                unplaced,
                targets: targets.len() as i64,
                has_quiz,
            })
        }
        .await,
    )
}

/// Runs the scheduler on a draft plan's target population and replaces its
/// roster with the result.
#[server(endpoint = "run_scheduler")]
pub async fn run_scheduler(id: i64) -> Result<Scheduled, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageTraining)?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let plan = server::plan_to_manage(&mut tx, &me, id).await?;
            let done =
                server::schedule_plan(&mut tx, &actor(&me), st.clock.now_secs(), &plan).await?;
            tx.commit().await?;
            Ok(done)
        }
        .await,
    )
}

/// Puts someone into a batch of the plan. The scheduler's rules are
/// checked again; breaking one needs `force` and a reason, and is audited
/// as an override.
#[server(endpoint = "move_seat")]
pub async fn move_seat(
    plan_id: i64,
    person_id: i64,
    batch_id: i64,
    #[server(default)] force: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    use crate::db::training as store;
    use crate::domain::{Problem, authz::Action, text_field};
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageTraining)?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let plan = server::plan_to_manage(&mut tx, &me, plan_id).await?;
            let batch = store::get_batch(&mut tx, batch_id)
                .await?
                .filter(|b| b.plan_id == plan_id)
                .ok_or_else(|| {
                    AppError::invalid("field.batch", Problem::new("problem.no_such_batch"))
                })?;
            let target = store::target(&mut tx, &plan, person_id)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("field.person", Problem::new("problem.not_in_plan"))
                })?;
            let breaches = store::breaches(&mut tx, &batch, person_id, target.unit_id).await?;
            let forced = !force.trim().is_empty();
            let source = match (breaches.first(), forced) {
                (None, _) => "moved",
                (Some(b), false) => return Err(AppError::Conflict(b.problem())),
                (Some(_), true) => "override",
            };
            let reason = if source == "override" {
                Some(
                    text_field(&reason, 1, 200)
                        .map_err(|p| AppError::invalid("field.override_reason", p))?,
                )
            } else {
                None
            };
            store::place(
                &mut tx,
                &actor(&me),
                st.clock.now_secs(),
                &batch,
                person_id,
                source,
                reason.as_deref(),
                plan.published,
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "remove_seat")]
pub async fn remove_seat(plan_id: i64, person_id: i64) -> Result<(), AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageTraining)?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            server::plan_to_manage(&mut tx, &me, plan_id).await?;
            crate::db::training::remove_seat(
                &mut tx,
                &actor(&me),
                st.clock.now_secs(),
                plan_id,
                person_id,
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Publishes the roster; every trainee in it gets a notice.
#[server(endpoint = "publish_plan")]
pub async fn publish_plan(id: i64) -> Result<usize, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageTraining)?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            server::plan_to_manage(&mut tx, &me, id).await?;
            let n =
                crate::db::training::publish(&mut tx, &actor(&me), st.clock.now_secs(), id).await?;
            tx.commit().await?;
            Ok(n)
        }
        .await,
    )
}

/// Marks a batch's attendance in one go (ticked: present) and records or
/// withdraws completions to match; returns how many have completed.
#[server(endpoint = "mark_attendance")]
pub async fn mark_attendance(
    batch_id: i64,
    #[server(default)] present: BTreeMap<String, String>,
) -> Result<usize, AppError> {
    use crate::db::training as store;
    use crate::domain::{Problem, authz::Action};
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageTraining)?;
            let present: Vec<i64> = present
                .keys()
                .map(|k| k.parse::<i64>())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    AppError::invalid("field.attended", Problem::new("problem.not_a_number"))
                })?;
            let st = state()?;
            let (today, now) = server::today_and_now()?;
            let mut tx = st.db.write().await?;
            let batch = store::get_batch(&mut tx, batch_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let plan = server::plan_to_manage(&mut tx, &me, batch.plan_id).await?;
            if !plan.published {
                return Err(AppError::Conflict(Problem::new(
                    "problem.plan_not_published",
                )));
            }
            let course = store::get_course(&mut tx, plan.def.course_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let people =
                store::set_attendance(&mut tx, &actor(&me), now, batch_id, &present).await?;
            let completed = store::settle_completions(
                &mut tx,
                &actor(&me),
                now,
                today,
                &plan,
                &course.def,
                &people,
            )
            .await?;
            tx.commit().await?;
            Ok(completed)
        }
        .await,
    )
}

// ---- leave ----

#[server(endpoint = "list_leave")]
pub async fn list_leave() -> Result<Vec<LeaveRow>, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageTraining)?;
            let mut c = state()?.db.pool.acquire().await?;
            crate::db::training::leave_list(&mut c, &me.reach(Action::ManageTraining)).await
        }
        .await,
    )
}

/// Records a person's leave: the scheduler keeps them out of batches on
/// those days.
#[server(endpoint = "add_leave")]
pub async fn add_leave(
    person_code: String,
    start: String,
    end: String,
    reason: String,
) -> Result<(), AppError> {
    use crate::domain::{Problem, authz::Action, text_field};
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageTraining)?;
            let day = |raw: &str, field: &str| {
                crate::domain::iso_date(raw).map_err(|p| AppError::invalid(field, p))
            };
            let (from, to) = (day(&start, "field.start")?, day(&end, "field.end")?);
            if to < from {
                return Err(AppError::invalid("field.end", Problem::new("problem.ends_before_start")));
            }
            let reason = text_field(&reason, 1, 100).map_err(|p| AppError::invalid("field.reason", p))?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let person: Option<(i64, String)> = sqlx::query_as(
                "SELECT pe.id, u.path FROM people pe JOIN units u ON u.id = pe.unit_id WHERE pe.code = $1",
            )
            .bind(person_code.trim())
            .fetch_optional(&mut *tx)
            .await?;
            let (person_id, path) = person.ok_or_else(|| {
                AppError::invalid("field.person_code", Problem::with("problem.no_such_person", &[person_code.trim()]))
            })?;
            if !me.may_at(Action::ManageTraining, &path) {
                return Err(AppError::Forbidden);
            }
            crate::db::training::add_leave(&mut tx, &actor(&me), st.clock.now_secs(), person_id, (from, to), &reason)
                .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

// ---- coverage and rectification ----

/// Training coverage per unit for a year (units within the caller's reach;
/// 0: this year), with a chart.
#[server(endpoint = "coverage_report")]
pub async fn get_coverage(year: i64) -> Result<CoverageReport, AppError> {
    use crate::domain::authz::Action;
    use crate::model::CoverageRow;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ViewTraining)?;
            let st = state()?;
            let (today, _) = server::today_and_now()?;
            let year = if year == 0 {
                chrono::Datelike::year(&today) as i64
            } else {
                year
            };
            let mut c = st.db.pool.acquire().await?;
            let all = crate::db::training::coverage(&mut c, year).await?;
            let open_orders: Vec<i64> =
                crate::db::training::orders(&mut c, &me.reach(Action::ViewTraining), today, None)
                    .await?
                    .into_iter()
                    .filter(|(o, _)| {
                        o.state != crate::domain::training::OrderState::Closed && o.year == year
                    })
                    .map(|(o, _)| o.unit_id)
                    .collect();
            let units = crate::db::units::list(&st.db.pool, &Default::default()).await?;
            let rows: Vec<CoverageRow> = units
                .into_iter()
                .filter(|u| me.may_at(Action::ViewTraining, &u.path))
                .filter_map(|u| {
                    all.get(&u.id).map(|cov| CoverageRow {
                        unit_id: u.id,
                        unit_code: u.code.clone(),
                        unit_name: u.name.clone(),
                        coverage: *cov,
                        open_order: open_orders.contains(&u.id),
                    })
                })
                .collect();
            let labels: Vec<String> = rows.iter().map(|r| r.unit_name.clone()).collect();
            let values: Vec<i64> = rows.iter().map(|r| r.coverage.permille()).collect();
            let chart = crate::charts::percent_chart(
                &crate::components::detect_lang()
                    .tf("chart.training_coverage", &[&year.to_string()]),
                &labels,
                &values,
            );
            Ok(CoverageReport { year, rows, chart })
        }
        .await,
    )
}

/// Writes the year's coverage into the assessment's `training_coverage`
/// metric (published years are left as they are). Returns (written,
/// skipped because published).
#[server(endpoint = "sync_coverage")]
pub async fn sync_coverage(year: i64) -> Result<(usize, usize), AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_everywhere(Action::ManageTraining)?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let done = crate::db::training::sync_coverage(
                &mut tx,
                &actor(&me),
                st.clock.now_secs(),
                year,
                None,
                "sync",
            )
            .await?;
            tx.commit().await?;
            Ok(done)
        }
        .await,
    )
}

#[server(endpoint = "list_orders")]
pub async fn list_orders() -> Result<Vec<OrderRow>, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ViewTraining)?;
            let (today, _) = server::today_and_now()?;
            let mut c = state()?.db.pool.acquire().await?;
            Ok(
                crate::db::training::orders(&mut c, &me.reach(Action::ViewTraining), today, None)
                    .await?
                    .into_iter()
                    .map(|(o, _)| o)
                    .collect(),
            )
        }
        .await,
    )
}

/// Orders a unit to rectify its training by a deadline (责令限期整改).
#[server(endpoint = "issue_order")]
pub async fn issue_order(
    unit_id: i64,
    year: i64,
    reason: String,
    deadline: String,
) -> Result<i64, AppError> {
    use crate::domain::{Problem, authz::Action, text_field};
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::Rectify)?;
            let reason =
                text_field(&reason, 1, 200).map_err(|p| AppError::invalid("field.reason", p))?;
            let deadline = crate::domain::iso_date(&deadline)
                .map_err(|p| AppError::invalid("field.deadline", p))?;
            let (today, now) = server::today_and_now()?;
            if deadline < today {
                return Err(AppError::invalid(
                    "field.deadline",
                    Problem::new("problem.deadline_past"),
                ));
            }
            let st = state()?;
            let unit = crate::db::units::get(&st.db.pool, unit_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if !me.may_at(Action::Rectify, &unit.path) {
                return Err(AppError::Forbidden);
            }
            let mut tx = st.db.write().await?;
            let id = crate::db::training::issue_order(
                &mut tx,
                &actor(&me),
                now,
                unit_id,
                year,
                &reason,
                deadline,
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(endpoint = "close_order")]
pub async fn close_order(id: i64, note: String) -> Result<(), AppError> {
    use crate::domain::{authz::Action, text_field};
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::Rectify)?;
            let note = text_field(&note, 1, 200)
                .map_err(|p| AppError::invalid("field.closing_note", p))?;
            let (today, now) = server::today_and_now()?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            let (_, path) =
                crate::db::training::orders(&mut tx, &me.reach(Action::Rectify), today, Some(id))
                    .await?
                    .into_iter()
                    .next()
                    .ok_or(AppError::NotFound)?;
            if !me.may_at(Action::Rectify, &path) {
                return Err(AppError::Forbidden);
            }
            crate::db::training::close_order(&mut tx, &actor(&me), now, id, &note).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

// ---- the trainee ----

#[server(endpoint = "my_training")]
pub async fn get_my_training() -> Result<MyTraining, AppError> {
    use crate::db::training as store;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let person = server::my_person(&me)?;
            let st = state()?;
            let (today, _) = server::today_and_now()?;
            let (p, _) = crate::db::people::get(&st.db.pool, person)
                .await?
                .ok_or(AppError::NotFound)?;
            let mut c = st.db.pool.acquire().await?;
            let cleared = store::clearance(&mut c, &[(person, p.positions.clone())], today)
                .await?
                .get(&person)
                .copied();
            Ok(MyTraining {
                person_name: p.name,
                seats: store::my_seats(&mut c, person).await?,
                open: store::open_batches(&mut c, person, today).await?,
                notices: store::notices(&mut c, person).await?,
                calendar_url: format!(
                    "{}/calendar/{}.ics",
                    public_origin()?,
                    crate::areas::directory::service::calendar_feed(
                        &mut c,
                        crate::areas::directory::service::FeedOwner::Person,
                        person
                    )
                    .await?
                ),
                cleared,
                today,
                drills: crate::areas::drills::service::of_person(&mut c, person).await?,
                certificates: crate::areas::registry::service::person_certificates(
                    &mut c, person, today,
                )
                .await?,
                hours: store::credited_hours(&mut c, None, Some(person)).await?,
            })
        }
        .await,
    )
}

/// A new address for the caller's own calendar feed; the old one stops
/// working (a link shared too widely, a phone lost).
#[server(endpoint = "rotate_my_calendar_feed")]
pub async fn rotate_my_calendar_feed() -> Result<(), AppError> {
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let person = server::my_person(&me)?;
            let st = state()?;
            let mut w =
                crate::platform::Write::begin(&st.db, actor(&me), st.clock.now_secs()).await?;
            crate::areas::directory::service::rotate_calendar_feed(
                &mut w,
                crate::areas::directory::service::FeedOwner::Person,
                person,
            )
            .await?;
            w.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "read_notices")]
pub async fn read_notices() -> Result<(), AppError> {
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let person = server::my_person(&me)?;
            let st = state()?;
            let mut c = st.db.pool.acquire().await?;
            crate::db::training::mark_read(&mut c, person, st.clock.now_secs()).await
        }
        .await,
    )
}

/// A trainee takes a free seat in a self-sign-up plan's batch.
#[server(endpoint = "sign_up")]
pub async fn sign_up(batch_id: i64) -> Result<(), AppError> {
    use crate::db::training as store;
    use crate::domain::Problem;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let person = server::my_person(&me)?;
            let st = state()?;
            let (today, now) = server::today_and_now()?;
            let (batch, target) = {
                let mut c = st.db.pool.acquire().await?;
                let batch = store::get_batch(&mut c, batch_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let plan = store::get_plan(&mut c, batch.plan_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if !(plan.published && plan.def.self_signup) {
                    return Err(AppError::Conflict(Problem::new("problem.no_self_signup")));
                }
                if batch.start <= today {
                    return Err(AppError::Conflict(Problem::new("problem.batch_started")));
                }
                let target = store::target(&mut c, &plan, person)
                    .await?
                    .ok_or_else(|| AppError::Conflict(Problem::new("problem.not_in_plan")))?;
                (batch, target)
            };
            // The transaction's first statement takes the seat (a write, so
            // SQLite queues it behind other writers instead of failing a
            // read-to-write upgrade); the rules are read after it, when a
            // concurrent sign-up of the same unit has committed or waits.
            let mut tx = st.db.write().await?;
            store::sign_up(&mut tx, &actor(&me), now, &batch, person).await?;
            let breaches = store::breaches(&mut tx, &batch, person, target.unit_id).await?;
            if let Some(b) = breaches
                .into_iter()
                .find(|b| !matches!(b, crate::domain::training::Breach::Full { .. }))
            {
                return Err(AppError::Conflict(b.problem()));
            }
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// The course of one of the trainee's plans: lessons as safe HTML, the
/// quiz without answers, their attempts and completion.
#[server(endpoint = "study")]
pub async fn get_study(plan_id: i64) -> Result<Study, AppError> {
    use crate::db::training as store;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let person = server::my_person(&me)?;
            let mut c = state()?.db.pool.acquire().await?;
            let plan = store::get_plan(&mut c, plan_id)
                .await?
                .filter(|p| p.published)
                .ok_or(AppError::NotFound)?;
            let attended = store::seat_attended(&mut c, plan_id, person)
                .await?
                .ok_or(AppError::NotFound)?;
            let course = store::get_course(&mut c, plan.def.course_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let attempts = store::attempts(&mut c, plan_id, person).await?;
            let passed = attempts.iter().any(|a| a.passed);
            let quiz = course.def.quiz.as_ref();
            Ok(Study {
                plan_id,
                course_title: course.def.title.clone(),
                hours: course.def.hours,
                lessons: course
                    .def
                    .lessons
                    .iter()
                    .map(|l| (l.title.clone(), crate::domain::lesson::render(&l.body)))
                    .collect(),
                questions: quiz.map(|q| q.for_trainee()).unwrap_or_default(),
                pass_percent: quiz.map_or(0, |q| q.pass_percent),
                attempt_limit: quiz.and_then(|q| q.attempt_limit),
                may_attempt: quiz.is_some_and(|q| !passed && q.may_attempt(attempts.len() as u32)),
                attempts,
                attended,
                completed_on: store::completion(&mut c, plan_id, person)
                    .await?
                    .map(|(on, _)| on),
            })
        }
        .await,
    )
}

/// Grades a quiz attempt on the server. `picks` values are
/// "question:choice" (0-based), one per ticked box.
#[server(endpoint = "submit_quiz")]
pub async fn submit_quiz(
    plan_id: i64,
    #[server(default)] picks: BTreeMap<String, String>,
) -> Result<crate::domain::course::Graded, AppError> {
    use crate::db::training as store;
    use crate::domain::Problem;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let person = server::my_person(&me)?;
            let st = state()?;
            let (today, now) = server::today_and_now()?;
            let mut tx = st.db.write().await?;
            let plan = store::get_plan(&mut tx, plan_id).await?.filter(|p| p.published).ok_or(AppError::NotFound)?;
            store::seat_of(&mut tx, plan_id, person).await?.ok_or(AppError::NotFound)?;
            // Serializes one trainee's attempts, so two tabs cannot both
            // use the last attempt.
            sqlx::query("UPDATE training_seats SET attended = attended WHERE plan_id = $1 AND person_id = $2")
                .bind(plan_id)
                .bind(person)
                .execute(&mut *tx)
                .await?;
            let course = store::get_course(&mut tx, plan.def.course_id).await?.ok_or(AppError::NotFound)?;
            let quiz = course.def.quiz.clone().ok_or(AppError::NotFound)?;
            let attempts = store::attempts(&mut tx, plan_id, person).await?;
            if attempts.iter().any(|a| a.passed) {
                return Err(AppError::Conflict(Problem::new("problem.quiz_passed_already")));
            }
            if !quiz.may_attempt(attempts.len() as u32) {
                return Err(AppError::Conflict(Problem::new("problem.no_attempts_left")));
            }
            let mut answers = vec![Vec::new(); quiz.questions.len()];
            for v in picks.values() {
                let parsed = v
                    .split_once(':')
                    .and_then(|(q, c)| Some((q.parse::<usize>().ok()?, c.parse::<usize>().ok()?)));
                match parsed {
                    Some((q, c)) if q < answers.len() => answers[q].push(c),
                    _ => return Err(AppError::invalid("field.answers", Problem::with("problem.bad_answer", &[v]))),
                }
            }
            if let Some(i) = answers.iter().position(Vec::is_empty) {
                return Err(AppError::invalid(
                    "field.answers",
                    Problem::with("problem.unanswered", &[&(i + 1).to_string()]),
                ));
            }
            let graded = quiz
                .grade(&answers)
                .map_err(|p| AppError::invalid("field.answers", p))?;
            store::record_attempt(&mut tx, now, plan_id, person, &answers, &graded).await?;
            if graded.passed {
                store::settle_completions(&mut tx, &actor(&me), now, today, &plan, &course.def, &[person]).await?;
            }
            tx.commit().await?;
            Ok(graded)
        }
        .await,
    )
}
