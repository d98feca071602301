//! Training's rules of engagement, by subject: courses (kept by
//! district-wide organizers only), rotations and their rosters (the
//! scheduler, moves and overrides, publishing, attendance and the
//! completions it settles), the trainee's side, and coverage with leave
//! and rectification orders. Completions reach other areas only through
//! their services (the registry's certificates) and the platform's metric
//! feed.

mod courses;
mod coverage;
mod rotations;
mod trainee;

pub use courses::*;
pub use coverage::*;
pub use rotations::*;
pub use trainee::*;

use super::dto::StoredPlan;
use super::store::rotations as store;
use crate::domain::authz::{Action, Principal, Reach};
use crate::error::AppError;
use sqlx::AnyConnection;

/// May the caller manage this rotation? A district-wide one needs a
/// district-wide organizer; a subtree one, one whose scope covers it.
fn may_manage(me: &Principal, rotation: &StoredPlan) -> bool {
    match &rotation.unit_path {
        Some(path) => me.may_at(Action::ManageTraining, path),
        None => me.reach(Action::ManageTraining) == Reach::Everywhere,
    }
}

/// The rotation, if the caller may manage it: 404 or 403 otherwise.
async fn rotation_to_manage(
    c: &mut AnyConnection,
    me: &Principal,
    id: i64,
) -> Result<StoredPlan, AppError> {
    let rotation = store::get(c, id).await?.ok_or(AppError::NotFound)?;
    if may_manage(me, &rotation) {
        Ok(rotation)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The signed-in trainee's person, or 403 for an account without one.
fn my_person(me: &Principal) -> Result<i64, AppError> {
    me.person_id.ok_or(AppError::Forbidden)
}

// ---- for other areas, which have checked their callers ----

/// Which of these people (id, positions) are cleared for post on `today`
/// (the directory's people list); people the rule does not cover are left
/// out.
pub async fn clearance(
    c: &mut AnyConnection,
    people: &[(i64, Vec<crate::domain::person::Position>)],
    today: chrono::NaiveDate,
) -> Result<std::collections::HashMap<i64, bool>, AppError> {
    super::store::completions::clearance(c, people, today).await
}

/// The assessment's evidence for training coverage: the completions of
/// `year` per unit and rotation (unit, rotation, "name · how many").
pub async fn completion_evidence(
    c: &mut AnyConnection,
    year: i32,
) -> Result<Vec<(i64, i64, String)>, AppError> {
    Ok(super::store::completions::per_unit(c, year)
        .await?
        .into_iter()
        .map(|r| (r.unit_id, r.plan_id, format!("{} · {}", r.name, r.n)))
        .collect())
}

/// A batch as other areas' calendars show it: "rotation · batch code",
/// where, its days, its rotation, and (for clash checks) who sits in it.
#[derive(Debug, Clone)]
pub struct BatchOnCalendar {
    pub id: i64,
    pub title: String,
    pub place: String,
    pub first_day: chrono::NaiveDate,
    pub last_day: chrono::NaiveDate,
    pub rotation: i64,
    pub seated: Vec<i64>,
}

impl From<super::store::calendar::BatchDays> for BatchOnCalendar {
    fn from(b: super::store::calendar::BatchDays) -> Self {
        BatchOnCalendar {
            id: b.id,
            title: format!("{} · {}", b.name, b.code),
            place: b.place,
            first_day: b.start_on.0,
            last_day: b.end_on.0,
            rotation: b.plan_id,
            seated: Vec::new(),
        }
    }
}

/// The published batches touching `days` that a caller reaching `reach`
/// sees (by the rotation's unit or a seated person's), narrowed to a unit
/// subtree when `unit_path` is given: the drills' calendar.
pub async fn calendar_batches(
    c: &mut AnyConnection,
    reach: &crate::domain::authz::Reach,
    days: (chrono::NaiveDate, chrono::NaiveDate),
    unit_path: Option<&str>,
) -> Result<Vec<BatchOnCalendar>, AppError> {
    Ok(
        super::store::calendar::published_in(c, reach, days, unit_path)
            .await?
            .into_iter()
            .map(BatchOnCalendar::from)
            .collect(),
    )
}

/// The published batches the people of `unit` sit in (the unit's calendar
/// feed).
pub async fn unit_batches(
    c: &mut AnyConnection,
    unit: i64,
) -> Result<Vec<BatchOnCalendar>, AppError> {
    Ok(super::store::calendar::published_of_unit(c, unit)
        .await?
        .into_iter()
        .map(BatchOnCalendar::from)
        .collect())
}

/// Every batch touching `days`, published or not, with who sits in it:
/// what a drill on those days could clash with.
pub async fn batches_on_days(
    c: &mut AnyConnection,
    days: (chrono::NaiveDate, chrono::NaiveDate),
) -> Result<Vec<BatchOnCalendar>, AppError> {
    Ok(super::store::calendar::on_days(c, days)
        .await?
        .into_iter()
        .map(|(b, seated)| BatchOnCalendar {
            seated,
            ..BatchOnCalendar::from(b)
        })
        .collect())
}

/// A person's seats in published rotations (their calendar feed).
pub async fn seats_of(
    c: &mut AnyConnection,
    person: i64,
) -> Result<Vec<super::dto::MySeat>, AppError> {
    super::store::trainee::seats(c, person).await
}

/// The days each person cannot be put on duty or in a batch: recorded
/// leave, seats in batches, drills they take part in (the one
/// unavailability model the scheduler and the duty roster share), for the
/// people of `unit`.
pub async fn unavailable_days_in_unit(
    c: &mut AnyConnection,
    unit: i64,
) -> Result<std::collections::HashMap<i64, Vec<(chrono::NaiveDate, chrono::NaiveDate)>>, AppError> {
    super::store::targets::busy_days_of_unit(c, unit).await
}
