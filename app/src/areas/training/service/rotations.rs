//! Rotations and their rosters: listing and editing, the scheduler, moves
//! and overrides, publishing, attendance and the completions it settles.

use super::super::dto::{BatchRow, PlanEditor, PlanRoster, PlanSummary, Scheduled, StoredPlan};
use super::super::store::{completions, courses, quizzes, roster, rotations, targets};
use super::{may_manage, rotation_to_manage};
use crate::areas::directory::service as directory;
use crate::areas::registry::service as registry;
use crate::domain::authz::Action;
use crate::domain::training::{self, Breach, CourseDef, PlanForm};
use crate::domain::{Problem, course, scheduler, text_field};
use crate::error::AppError;
use crate::platform::{Ctx, Write};
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// The rotations the caller may manage: those of units within their
/// reach, and district-wide ones for district-wide organizers.
pub async fn list_rotations(cx: &Ctx) -> Result<Vec<PlanSummary>, AppError> {
    cx.may(Action::ManageTraining)?;
    let mut c = cx.pool().acquire().await?;
    rotations::list(&mut c, &cx.me.reach(Action::ManageTraining)).await
}

pub async fn rotation_editor(cx: &Ctx, id: Option<i64>) -> Result<PlanEditor, AppError> {
    cx.may(Action::ManageTraining)?;
    let mut c = cx.pool().acquire().await?;
    let courses = courses::list(&mut c).await?;
    let (form, published) = match id {
        Some(id) => {
            let rotation = rotation_to_manage(&mut c, &cx.me, id).await?;
            (PlanForm::from_def(&rotation.def, 1), rotation.published)
        }
        None => (PlanForm::blank(cx.today.year(), 3), false),
    };
    Ok(PlanEditor {
        id,
        form,
        courses,
        published,
    })
}

/// Creates or changes a draft rotation (changing one clears its draft
/// roster), in a unit within the caller's reach or, for a district-wide
/// organizer, for the whole district.
pub async fn save_rotation(cx: &Ctx, id: Option<i64>, form: PlanForm) -> Result<i64, AppError> {
    cx.may(Action::ManageTraining)?;
    let def = form
        .parse()
        .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
    let mut w = cx.write().await?;
    if courses::get(w.conn(), def.course_id).await?.is_none() {
        return Err(AppError::invalid(
            "field.course",
            Problem::new("problem.pick_course"),
        ));
    }
    let unit_path = match def.unit_id {
        Some(u) => Some(
            directory::unit_in(w.conn(), u)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("field.unit", Problem::new("problem.no_such_unit"))
                })?
                .path,
        ),
        None => None,
    };
    let draft = StoredPlan {
        id: 0,
        def: def.clone(),
        course_title: String::new(),
        unit_name: None,
        unit_path,
        published: false,
    };
    if !may_manage(&cx.me, &draft) {
        return Err(AppError::Forbidden);
    }
    if let Some(id) = id {
        rotation_to_manage(w.conn(), &cx.me, id).await?;
    }
    let id = rotations::save(&mut w, id, &def).await?;
    w.commit().await?;
    Ok(id)
}

/// A rotation's batches, roster and those left out, with who is not
/// cleared for post marked and how many of each unit may be away at once.
pub async fn roster(cx: &Ctx, id: i64) -> Result<PlanRoster, AppError> {
    cx.may(Action::ManageTraining)?;
    let mut c = cx.pool().acquire().await?;
    let rotation = rotation_to_manage(&mut c, &cx.me, id).await?;
    let batches = rotations::batches(&mut c, id).await?;
    let mut seats = roster::seats(&mut c, id).await?;
    let targets = targets::all(&mut c, &rotation, true).await?;
    let held: Vec<_> = targets
        .iter()
        .map(|t| (t.person_id, t.positions.clone()))
        .collect();
    let cleared = completions::clearance(&mut c, &held, cx.today).await?;
    let duty = targets::unit_duty(&mut c).await?;
    for s in &mut seats {
        s.cleared = cleared.get(&s.person_id).copied();
        s.max_away = duty.get(&s.unit_id).map_or(0, |u| u.max_away());
    }
    let unplaced = roster::unplaced(&mut c, id).await?;
    let has_quiz = courses::get(&mut c, rotation.def.course_id)
        .await?
        .is_some_and(|k| k.def.quiz.is_some());
    Ok(PlanRoster {
        plan: rotation,
        batches,
        seats,
        unplaced,
        targets: targets.len() as i64,
        has_quiz,
    })
}

/// Runs the scheduler on a draft rotation's target population and
/// replaces its roster with the result.
pub async fn run_scheduler(cx: &Ctx, id: i64) -> Result<Scheduled, AppError> {
    cx.may(Action::ManageTraining)?;
    let mut w = cx.write().await?;
    let rotation = rotation_to_manage(w.conn(), &cx.me, id).await?;
    let done = schedule(&mut w, &rotation).await?;
    w.commit().await?;
    Ok(done)
}

/// Schedules a draft rotation's target population (leave, other batches
/// and drills keep people out) and replaces its roster, inside `w` (the
/// seed's too).
pub async fn schedule(w: &mut Write<'_>, rotation: &StoredPlan) -> Result<Scheduled, AppError> {
    let id = rotation.id;
    let batches = rotations::batches(w.conn(), id).await?;
    let targets = targets::all(w.conn(), rotation, true).await?;
    let duty = targets::unit_duty(w.conn()).await?;
    let mut busy = targets::busy_days(w.conn(), id, None).await?;
    // Leaders away on an approved absence report are away for training too.
    for (person, days) in crate::areas::duty::service::absence_days(w.conn(), None).await? {
        busy.entry(person).or_default().extend(days);
    }
    let unit_of = |unit: i64| {
        duty.get(&unit).cloned().ok_or_else(|| {
            tracing::error!(unit, "a trainee's unit is missing");
            AppError::Internal
        })
    };
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
            .map(|u| unit_of(*u))
            .collect::<Result<_, _>>()?,
        trainees: targets
            .iter()
            .map(|t| {
                Ok(scheduler::Trainee {
                    id: t.code.clone(),
                    unit: unit_of(t.unit_id)?.code,
                    unavailable: busy.get(&t.person_id).cloned().unwrap_or_default(),
                })
            })
            .collect::<Result<_, AppError>>()?,
    };
    let result = scheduler::schedule(&input);
    let seats: Vec<(i64, i64)> = result
        .assignments
        .iter()
        .map(|&(t, b)| (batches[b].id, targets[t].person_id))
        .collect();
    let unplaced = result
        .unassigned
        .iter()
        .map(|(t, reason)| {
            let reason = serde_json::to_string(reason).map_err(|e| {
                tracing::error!(error = %e, "a scheduler reason that does not serialize");
                AppError::Internal
            })?;
            Ok((targets[*t].person_id, reason))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    roster::replace(w, id, &seats, &unplaced).await?;
    Ok(Scheduled {
        placed: seats.len(),
        unplaced: unplaced.len(),
    })
}

/// Every rule one more seat for this person in this batch would break,
/// read inside the caller's transaction.
pub(super) async fn breaches(
    w: &mut Write<'_>,
    batch: &BatchRow,
    person_id: i64,
    unit_id: i64,
) -> Result<Vec<Breach>, AppError> {
    let units = targets::unit_duty(w.conn()).await?;
    let unit = units.get(&unit_id).cloned().ok_or(AppError::NotFound)?;
    let (taken, unit_in_batch) =
        roster::taken_besides(w.conn(), batch.id, person_id, unit_id).await?;
    let mut busy = targets::busy_days(w.conn(), batch.plan_id, Some(person_id)).await?;
    for (person, days) in crate::areas::duty::service::absence_days(w.conn(), None).await? {
        if person == person_id {
            busy.entry(person).or_default().extend(days);
        }
    }
    let unavailable = busy.get(&person_id).cloned().unwrap_or_default();
    Ok(training::seat_breaches(&training::SeatCheck {
        start: batch.start,
        end: batch.end,
        capacity: batch.capacity,
        taken,
        unit: &unit.code,
        unit_staff: unit.staff,
        unit_min_on_duty: unit.min_on_duty,
        unit_in_batch,
        unavailable: &unavailable,
    }))
}

/// Puts someone into a batch of the rotation. The scheduler's rules are
/// checked again; breaking one needs `force` and a reason, and is audited
/// as an override. A trainee of a published rotation is told.
pub async fn move_seat(
    cx: &Ctx,
    (rotation_id, person_id, batch_id): (i64, i64, i64),
    force: &str,
    reason: &str,
) -> Result<(), AppError> {
    cx.may(Action::ManageTraining)?;
    let mut w = cx.write().await?;
    let rotation = rotation_to_manage(w.conn(), &cx.me, rotation_id).await?;
    let batch = rotations::batch(w.conn(), batch_id)
        .await?
        .filter(|b| b.plan_id == rotation_id)
        .ok_or_else(|| AppError::invalid("field.batch", Problem::new("problem.no_such_batch")))?;
    let target = targets::one(w.conn(), &rotation, person_id)
        .await?
        .ok_or_else(|| AppError::invalid("field.person", Problem::new("problem.not_in_plan")))?;
    let breaches = breaches(&mut w, &batch, person_id, target.unit_id).await?;
    let forced = !force.trim().is_empty();
    let (source, reason) = match (breaches.first(), forced) {
        (None, _) => ("moved", None),
        (Some(b), false) => return Err(AppError::Conflict(b.problem())),
        (Some(_), true) => (
            "override",
            Some(
                text_field(reason, 1, 200)
                    .map_err(|p| AppError::invalid("field.override_reason", p))?,
            ),
        ),
    };
    let moved = roster::place(&mut w, &batch, person_id, source, reason.as_deref()).await?;
    if moved && rotation.published {
        let at = w.at;
        crate::platform::notices::notify(
            w.conn(),
            person_id,
            at,
            "notice.seat_moved",
            &[
                &batch.code,
                &batch.start.to_string(),
                &batch.end.to_string(),
                &batch.place,
            ],
            "/my/training",
        )
        .await?;
    }
    w.commit().await?;
    Ok(())
}

pub async fn remove_seat(cx: &Ctx, rotation_id: i64, person_id: i64) -> Result<(), AppError> {
    cx.may(Action::ManageTraining)?;
    let mut w = cx.write().await?;
    rotation_to_manage(w.conn(), &cx.me, rotation_id).await?;
    roster::remove(&mut w, rotation_id, person_id).await?;
    w.commit().await?;
    Ok(())
}

/// Publishes the roster; every trainee in it gets a notice.
pub async fn publish(cx: &Ctx, id: i64) -> Result<usize, AppError> {
    cx.may(Action::ManageTraining)?;
    let mut w = cx.write().await?;
    rotation_to_manage(w.conn(), &cx.me, id).await?;
    let n = publish_in(&mut w, id).await?;
    w.commit().await?;
    Ok(n)
}

/// Publishes a rotation inside `w` (the seed's too) and tells each trainee
/// where they sit; returns how many were told.
pub async fn publish_in(w: &mut Write<'_>, id: i64) -> Result<usize, AppError> {
    let seats = rotations::publish(w, id).await?;
    let at = w.at;
    for s in &seats {
        crate::platform::notices::notify(
            w.conn(),
            s.person_id,
            at,
            "notice.seat_published",
            &[&s.name, &s.code, &s.start_on, &s.end_on, &s.place],
            "/my/training",
        )
        .await?;
    }
    Ok(seats.len())
}

/// Marks a batch's attendance in one go (ticked: present) and records or
/// withdraws completions to match; returns how many have completed.
pub async fn mark_attendance(
    cx: &Ctx,
    batch_id: i64,
    present: &BTreeMap<String, String>,
) -> Result<usize, AppError> {
    cx.may(Action::ManageTraining)?;
    let present: Vec<i64> = present
        .keys()
        .map(|k| k.parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| AppError::invalid("field.attended", Problem::new("problem.not_a_number")))?;
    let mut w = cx.write().await?;
    let batch = rotations::batch(w.conn(), batch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rotation = rotation_to_manage(w.conn(), &cx.me, batch.plan_id).await?;
    if !rotation.published {
        return Err(AppError::Conflict(Problem::new(
            "problem.plan_not_published",
        )));
    }
    let course = courses::get(w.conn(), rotation.def.course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let people = roster::set_attendance(&mut w, batch_id, &present).await?;
    let completed = settle(&mut w, cx.today, &rotation, &course.def, &people).await?;
    w.commit().await?;
    Ok(completed)
}

/// Records (or withdraws) each person's completion so that it matches
/// attendance and the quiz, with the certificate a certifying course
/// issues (or revokes); then brings the `training_coverage` of the units
/// whose completions changed, and for a certifying course the registry's
/// reporter coverage, up to date, once. Returns how many have completed.
pub(super) async fn settle(
    w: &mut Write<'_>,
    today: NaiveDate,
    rotation: &StoredPlan,
    course: &CourseDef,
    people: &[i64],
) -> Result<usize, AppError> {
    let mut completed = 0;
    let mut changed = Vec::new();
    for &person_id in people {
        let (done, moved) = settle_one(w, today, rotation, course, person_id).await?;
        completed += usize::from(done);
        if moved {
            changed.push(person_id);
        }
    }
    if changed.is_empty() {
        return Ok(completed);
    }
    let units = completions::units_of(w.conn(), &changed).await?;
    let source = format!("rotation:{}", rotation.id);
    feed_coverage(w, rotation.def.year.into(), Some(&units), &source).await?;
    if course.certify_months.is_some() {
        let touched = registry::entry_paths(w.conn(), &changed).await?;
        if !touched.is_empty() {
            registry::sync_coverage(w, today, Some(&touched), &source).await?;
        }
    }
    Ok(completed)
}

/// One person's completion: (completed, whether the record changed).
async fn settle_one(
    w: &mut Write<'_>,
    today: NaiveDate,
    rotation: &StoredPlan,
    course: &CourseDef,
    person_id: i64,
) -> Result<(bool, bool), AppError> {
    let attended = roster::attended(w.conn(), rotation.id, person_id).await?;
    let passed = quizzes::passed(w.conn(), rotation.id, person_id).await?;
    let done = course::completed(attended.unwrap_or(false), course.quiz.is_some(), passed);
    let recorded = completions::of(w.conn(), rotation.id, person_id).await?;
    Ok(match (done, recorded) {
        (true, None) => {
            let expires = course
                .certify_months
                .map(|m| course::certificate_expiry(today, m));
            let of = (rotation.id, rotation.def.course_id, rotation.def.year);
            let completion = completions::record(w, of, person_id, today, expires).await?;
            if course.certify_months.is_some() {
                registry::issue_certificate(
                    w,
                    person_id,
                    rotation.def.course_id,
                    Some(completion),
                    (today, expires),
                )
                .await?;
            }
            let at = w.at;
            crate::platform::notices::notify(
                w.conn(),
                person_id,
                at,
                "notice.completed",
                &[&course.title],
                &format!("/my/training/{}", rotation.id),
            )
            .await?;
            (true, true)
        }
        (false, Some((on, _))) => {
            // The certificate is found through its completion: revoked
            // before the completion goes.
            registry::revoke_for_withdrawn_completion(w, rotation.id, person_id).await?;
            completions::withdraw(w, rotation.id, person_id, on).await?;
            (false, true)
        }
        (done, _) => (done, false),
    })
}

/// Writes a year's coverage into the assessment's `training_coverage`
/// for some units or all, through the platform's metric feed (published
/// years and unchanged values are left alone): (written, skipped).
pub async fn feed_coverage(
    w: &mut Write<'_>,
    year: i64,
    only: Option<&[i64]>,
    source: &str,
) -> Result<(usize, usize), AppError> {
    let (list, done) = super::super::store::coverage::required_and_done(w.conn(), year).await?;
    let values: Vec<(i64, i64, i64)> = training::coverage(&list, &done)
        .into_iter()
        .filter(|(u, _)| only.is_none_or(|o| o.contains(u)))
        .map(|(u, c)| (u, c.completed, c.required))
        .collect();
    crate::platform::metrics::feed(w, year, "training_coverage", &values, source).await
}
