//! Courses: lessons, quiz and pass mark, hours, and for a certifying
//! course the months its certificates are valid; stored as JSON beside
//! the columns lists search by.

use super::super::dto::{CourseSummary, StoredCourse};
use super::unreadable;
use crate::domain::person::Position;
use crate::domain::training::CourseDef;
use crate::error::AppError;
use crate::platform::{Change, Write};
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    definition: String,
}

impl Stored {
    fn read(self) -> Result<StoredCourse, AppError> {
        Ok(StoredCourse {
            id: self.id,
            def: serde_json::from_str(&self.definition).map_err(|e| unreadable("course", e))?,
        })
    }
}

pub async fn list(c: &mut AnyConnection) -> Result<Vec<CourseSummary>, AppError> {
    let rows: Vec<Stored> = sqlx::query_as("SELECT id, definition FROM courses ORDER BY code")
        .fetch_all(&mut *c)
        .await?;
    rows.into_iter()
        .map(|r| {
            let s = r.read()?;
            Ok(CourseSummary {
                id: s.id,
                code: s.def.code.clone(),
                title: s.def.title.clone(),
                category: s.def.category,
                audience: s.def.audience.clone(),
                hours: s.def.hours,
                lessons: s.def.lessons.len(),
                questions: s.def.quiz.as_ref().map_or(0, |q| q.questions.len()),
                certify_months: s.def.certify_months,
            })
        })
        .collect()
}

pub async fn get(c: &mut AnyConnection, id: i64) -> Result<Option<StoredCourse>, AppError> {
    let row: Option<Stored> = sqlx::query_as("SELECT id, definition FROM courses WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    row.map(Stored::read).transpose()
}

/// Creates (`id` None) or changes a course.
pub async fn save(w: &mut Write<'_>, id: Option<i64>, def: &CourseDef) -> Result<i64, AppError> {
    let text = serde_json::to_string(def).map_err(|e| unreadable("course", e))?;
    let audience = Position::encode_list(&def.audience);
    let at = w.at;
    let (id, change) = match id {
        Some(id) => {
            let before = get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
            sqlx::query(
                "UPDATE courses SET code = $1, title = $2, category = $3, audience = $4, definition = $5, updated_at = $6 WHERE id = $7",
            )
            .bind(&def.code)
            .bind(&def.title)
            .bind(def.category.code())
            .bind(&audience)
            .bind(&text)
            .bind(at)
            .bind(id)
            .execute(w.conn())
            .await?;
            (
                id,
                Change::new("course.update", "course", id).before(&before.def),
            )
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO courses (code, title, category, audience, definition, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(&def.code)
            .bind(&def.title)
            .bind(def.category.code())
            .bind(&audience)
            .bind(&text)
            .bind(at)
            .fetch_one(w.conn())
            .await?;
            (id, Change::new("course.create", "course", id))
        }
    };
    w.audit(change.after(def)).await?;
    Ok(id)
}
