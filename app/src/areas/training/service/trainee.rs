//! The trainee's side: their seats, sign-up, study and the quiz (graded
//! here: the answers never leave the server), notices and calendar feed.

use super::super::dto::{MyTraining, Study};
use super::super::store::{completions, courses, quizzes, roster, rotations, targets, trainee};
use super::my_person;
use super::rotations::{breaches, settle};
use crate::areas::directory::service::{self as directory, FeedOwner};
use crate::domain::Problem;
use crate::domain::course::Graded;
use crate::domain::training::Breach;
use crate::error::AppError;
use crate::platform::Ctx;
use std::collections::BTreeMap;

/// Everything the trainee's page shows, with their calendar feed's address
/// under `origin`.
pub async fn my_training(cx: &Ctx, origin: &str) -> Result<MyTraining, AppError> {
    let person = my_person(&cx.me)?;
    let p = directory::my_person(cx).await?.ok_or(AppError::NotFound)?;
    let mut c = cx.pool().acquire().await?;
    let cleared = completions::clearance(&mut c, &[(person, p.positions.clone())], cx.today)
        .await?
        .get(&person)
        .copied();
    let feed = directory::calendar_feed(&mut c, FeedOwner::Person, person).await?;
    Ok(MyTraining {
        person_name: p.name,
        seats: trainee::seats(&mut c, person).await?,
        open: trainee::open_batches(&mut c, person, cx.today).await?,
        notices: crate::platform::notices::of(&mut c, person).await?,
        calendar_url: format!("{origin}/calendar/{feed}.ics"),
        cleared,
        today: cx.today,
        drills: crate::areas::drills::service::of_person(&mut c, person).await?,
        certificates: crate::areas::registry::service::person_certificates(
            &mut c, person, cx.today,
        )
        .await?,
        hours: super::super::store::coverage::credited_hours(&mut c, None, Some(person)).await?,
    })
}

/// A new address for the caller's own calendar feed; the old one stops
/// working (a link shared too widely, a phone lost).
pub async fn rotate_my_calendar_feed(cx: &Ctx) -> Result<(), AppError> {
    let person = my_person(&cx.me)?;
    let mut w = cx.write().await?;
    directory::rotate_calendar_feed(&mut w, FeedOwner::Person, person).await?;
    w.commit().await?;
    Ok(())
}

pub async fn read_notices(cx: &Ctx) -> Result<(), AppError> {
    let person = my_person(&cx.me)?;
    let mut c = cx.pool().acquire().await?;
    crate::platform::notices::mark_read(&mut c, person, cx.now).await
}

/// A trainee takes a free seat in a self-sign-up rotation's batch.
pub async fn sign_up(cx: &Ctx, batch_id: i64) -> Result<(), AppError> {
    let person = my_person(&cx.me)?;
    let (batch, target) = {
        let mut c = cx.pool().acquire().await?;
        let batch = rotations::batch(&mut c, batch_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let rotation = rotations::get(&mut c, batch.plan_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !(rotation.published && rotation.def.self_signup) {
            return Err(AppError::Conflict(Problem::new("problem.no_self_signup")));
        }
        if batch.start <= cx.today {
            return Err(AppError::Conflict(Problem::new("problem.batch_started")));
        }
        let target = targets::one(&mut c, &rotation, person)
            .await?
            .ok_or_else(|| AppError::Conflict(Problem::new("problem.not_in_plan")))?;
        (batch, target)
    };
    // The transaction's first statement takes the seat (a write, so SQLite
    // queues it behind other writers instead of failing a read-to-write
    // upgrade); the rules are read after it, when a concurrent sign-up of
    // the same unit has committed or waits. A refusal rolls the seat back.
    let mut w = cx.write().await?;
    roster::sign_up(&mut w, &batch, person).await?;
    let breaches = breaches(&mut w, &batch, person, target.unit_id).await?;
    if let Some(b) = breaches
        .into_iter()
        .find(|b| !matches!(b, Breach::Full { .. }))
    {
        return Err(AppError::Conflict(b.problem()));
    }
    w.commit().await?;
    Ok(())
}

/// The course of one of the trainee's rotations: lessons as safe HTML, the
/// quiz without answers, their attempts and completion.
pub async fn study(cx: &Ctx, rotation_id: i64) -> Result<Study, AppError> {
    let person = my_person(&cx.me)?;
    let mut c = cx.pool().acquire().await?;
    let rotation = rotations::get(&mut c, rotation_id)
        .await?
        .filter(|p| p.published)
        .ok_or(AppError::NotFound)?;
    let attended = roster::attended(&mut c, rotation_id, person)
        .await?
        .ok_or(AppError::NotFound)?;
    let course = courses::get(&mut c, rotation.def.course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let attempts = quizzes::attempts(&mut c, rotation_id, person).await?;
    let passed = attempts.iter().any(|a| a.passed);
    let quiz = course.def.quiz.as_ref();
    Ok(Study {
        plan_id: rotation_id,
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
        completed_on: completions::of(&mut c, rotation_id, person)
            .await?
            .map(|(on, _)| on),
    })
}

/// Grades a quiz attempt. `picks` values are "question:choice" (0-based),
/// one per ticked box.
pub async fn submit_quiz(
    cx: &Ctx,
    rotation_id: i64,
    picks: &BTreeMap<String, String>,
) -> Result<Graded, AppError> {
    let person = my_person(&cx.me)?;
    let mut w = cx.write().await?;
    let rotation = rotations::get(w.conn(), rotation_id)
        .await?
        .filter(|p| p.published)
        .ok_or(AppError::NotFound)?;
    roster::seat_of(w.conn(), rotation_id, person)
        .await?
        .ok_or(AppError::NotFound)?;
    // Serializes one trainee's attempts, so two tabs cannot both use the
    // last attempt.
    roster::hold_seat(&mut w, rotation_id, person).await?;
    let course = courses::get(w.conn(), rotation.def.course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let quiz = course.def.quiz.clone().ok_or(AppError::NotFound)?;
    let attempts = quizzes::attempts(w.conn(), rotation_id, person).await?;
    if attempts.iter().any(|a| a.passed) {
        return Err(AppError::Conflict(Problem::new(
            "problem.quiz_passed_already",
        )));
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
            _ => {
                return Err(AppError::invalid(
                    "field.answers",
                    Problem::with("problem.bad_answer", &[v]),
                ));
            }
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
    quizzes::record(&mut w, rotation_id, person, &answers, &graded).await?;
    if graded.passed {
        settle(&mut w, cx.today, &rotation, &course.def, &[person]).await?;
    }
    w.commit().await?;
    Ok(graded)
}
