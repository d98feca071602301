//! The training tables, one file per aggregate. Rotations are called
//! "plans" in the tables (`training_plans`, `plan_id`) and endpoints, which
//! stay as they are; in the code they are rotations, apart from the
//! emergency plans of the drills.

pub mod calendar;
pub mod completions;
pub mod courses;
pub mod coverage;
pub mod leave;
pub mod orders;
pub mod quizzes;
pub mod roster;
pub mod rotations;
pub mod targets;
pub mod trainee;

use crate::error::AppError;

/// Stored JSON that does not read back: an error with the record named in
/// the log, never a default.
fn unreadable(what: &str, e: serde_json::Error) -> AppError {
    tracing::error!(error = %e, what, "unreadable stored JSON");
    AppError::Internal
}

/// A stored year that is not one (out of `i32`).
fn year(stored: i64) -> Result<i32, AppError> {
    i32::try_from(stored).map_err(|_| {
        tracing::error!(stored, "a stored year out of range");
        AppError::Internal
    })
}
