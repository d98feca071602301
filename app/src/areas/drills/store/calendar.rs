//! The calendar's drills: a period's as the caller sees them, and the
//! events of a person's or unit's calendar feed (their UIDs are what
//! calendar apps de-duplicate on: never change them). The training
//! batches beside them come from the training area's service.

use super::super::dto::CalItem;
use super::drills::seen_clause;
use crate::domain::authz::Reach;
use crate::domain::calendar::{CalEvent, Span};
use crate::domain::drills::Scenario;
use crate::domain::local_day_start;
use crate::error::AppError;
use crate::platform::db::Code;
use chrono::NaiveDate;
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
struct CalDrill {
    id: i64,
    title: String,
    place: String,
    scenario: Code<Scenario>,
    start_at: i64,
    end_at: i64,
}

/// Drills touching the days `first..=last` that the caller may see,
/// filtered by a unit subtree (drills it takes part in) and a scenario.
/// The caller sees drills organized by units within `reach` and those
/// `own_unit` takes part in, as the drill list shows them.
pub async fn period(
    c: &mut AnyConnection,
    reach: &Reach,
    own_unit: Option<i64>,
    (first, last): (NaiveDate, NaiveDate),
    unit_path: Option<&str>,
    scenario: Option<Scenario>,
) -> Result<Vec<CalItem>, AppError> {
    let from = local_day_start(first);
    let to = local_day_start(last.succ_opt().unwrap_or(last));
    // Text binds first ($1...), the two instants after them.
    let mut binds: Vec<String> = Vec::new();
    let mut out = Vec::new();
    if let Some(seen) = seen_clause(reach, own_unit, "g.path", &mut binds) {
        let mut sql = format!(
            "SELECT d.id, d.title, d.place, d.scenario, d.start_at, d.end_at FROM drills d \
             JOIN units g ON g.id = d.organizer_unit_id WHERE {seen}"
        );
        if let Some(path) = unit_path {
            binds.push(format!("{path}%"));
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM drill_units du JOIN units u ON u.id = du.unit_id WHERE du.drill_id = d.id AND u.path LIKE ${})",
                binds.len()
            ));
        }
        if let Some(s) = scenario {
            binds.push(s.code().to_string());
            sql.push_str(&format!(" AND d.scenario = ${}", binds.len()));
        }
        let n = binds.len();
        sql.push_str(&format!(
            " AND d.start_at < ${} AND d.end_at > ${} ORDER BY d.start_at, d.id",
            n + 1,
            n + 2
        ));
        let mut q = sqlx::query_as::<_, CalDrill>(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        for d in q.bind(to).bind(from).fetch_all(&mut *c).await? {
            let (first_day, last_day) = Span::Times {
                start: d.start_at,
                end: d.end_at,
            }
            .days();
            out.push(CalItem {
                drill: true,
                title: d.title,
                place: d.place,
                first_day,
                last_day,
                time: Some(crate::domain::local_time(d.start_at)[11..].to_string()),
                link: format!("/drills/{}", d.id),
                scenario: Some(d.scenario.0),
            });
        }
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct FeedDrill {
    id: i64,
    title: String,
    place: String,
    start_at: i64,
    end_at: i64,
}

impl FeedDrill {
    fn event(self, suffix: &str) -> CalEvent {
        CalEvent {
            uid: format!("drill-{}{suffix}@yingji", self.id),
            summary: self.title,
            location: self.place,
            description: String::new(),
            span: Span::Times {
                start: self.start_at,
                end: self.end_at,
            },
        }
    }
}

/// A person's drills, for their calendar feed.
pub async fn person_events(c: &mut AnyConnection, person: i64) -> Result<Vec<CalEvent>, AppError> {
    let rows: Vec<FeedDrill> = sqlx::query_as(
        "SELECT d.id, d.title, d.place, d.start_at, d.end_at FROM drills d JOIN drill_people dp ON dp.drill_id = d.id \
         WHERE dp.person_id = $1 ORDER BY d.start_at",
    )
    .bind(person)
    .fetch_all(&mut *c)
    .await?;
    let suffix = format!("-person-{person}");
    Ok(rows.into_iter().map(|d| d.event(&suffix)).collect())
}

/// A unit's drills, for the unit's calendar feed.
pub async fn unit_events(c: &mut AnyConnection, unit: i64) -> Result<Vec<CalEvent>, AppError> {
    let rows: Vec<FeedDrill> = sqlx::query_as(
        "SELECT d.id, d.title, d.place, d.start_at, d.end_at FROM drills d JOIN drill_units du ON du.drill_id = d.id \
         WHERE du.unit_id = $1 ORDER BY d.start_at",
    )
    .bind(unit)
    .fetch_all(&mut *c)
    .await?;
    let suffix = format!("-unit-{unit}");
    Ok(rows.into_iter().map(|d| d.event(&suffix)).collect())
}
