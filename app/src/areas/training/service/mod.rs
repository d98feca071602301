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

/// A person's seats in published rotations (their calendar feed).
pub async fn seats_of(
    c: &mut AnyConnection,
    person: i64,
) -> Result<Vec<super::dto::MySeat>, AppError> {
    super::store::trainee::seats(c, person).await
}
