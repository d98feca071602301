//! Courses: listed for organizers, kept by district-wide ones.

use super::super::dto::{CourseEditor, CourseSummary};
use super::super::store::courses;
use crate::domain::authz::{Action, Reach};
use crate::domain::training::CourseForm;
use crate::error::AppError;
use crate::platform::Ctx;

/// Courses have no owner unit: every course serves the whole district (its
/// lessons, its quiz and pass mark, and for a certifying course the
/// validity of the certificates it issues). So only someone whose training
/// reach is the whole district keeps courses; a scoped organizer picks
/// them for their rotations.
fn course_keeper(cx: &Ctx) -> Result<(), AppError> {
    cx.may(Action::ManageTraining)?;
    if cx.me.reach(Action::ManageTraining) == Reach::Everywhere {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn list_courses(cx: &Ctx) -> Result<Vec<CourseSummary>, AppError> {
    cx.may(Action::ManageTraining)?;
    courses::list(&mut *cx.pool().acquire().await?).await
}

/// The editor holds the quiz's answers: for course keepers only.
pub async fn course_editor(cx: &Ctx, id: Option<i64>) -> Result<CourseEditor, AppError> {
    course_keeper(cx)?;
    let form = match id {
        Some(id) => {
            let stored = courses::get(&mut *cx.pool().acquire().await?, id)
                .await?
                .ok_or(AppError::NotFound)?;
            CourseForm::from_def(&stored.def, 2)
        }
        None => CourseForm::blank(3),
    };
    Ok(CourseEditor { id, form })
}

/// Creates or changes a course; the first problem names its field and row.
pub async fn save_course(cx: &Ctx, id: Option<i64>, form: CourseForm) -> Result<i64, AppError> {
    course_keeper(cx)?;
    let def = form
        .parse()
        .map_err(|(field, problem)| AppError::Invalid { field, problem })?;
    let mut w = cx.write().await?;
    let id = courses::save(&mut w, id, &def).await?;
    w.commit().await?;
    Ok(id)
}
