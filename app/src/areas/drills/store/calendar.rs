//! The calendar's events: a period's drills and training batches as the
//! caller sees them, and the events of a person's or unit's calendar feed
//! (their UIDs are what calendar apps de-duplicate on: never change them).

use super::super::dto::CalItem;
use super::drills::seen_clause;
use crate::domain::authz::Reach;
use crate::domain::calendar::{CalEvent, Span};
use crate::domain::drills::Scenario;
use crate::domain::local_day_start;
use crate::error::AppError;
use crate::platform::db::{Code, Day, reach_clause};
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

/// A training batch as the calendar shows it. The training area's
/// tables, read here as they stand (read-only; the training area has not
/// moved yet, and these joins go when it offers its batches through its
/// service).
#[derive(sqlx::FromRow)]
struct StoredBatch {
    id: i64,
    code: String,
    name: String,
    place: String,
    start_on: Day,
    end_on: Day,
    plan_id: i64,
}

/// Drills and training batches touching the days `first..=last` that the
/// caller may see, filtered by a unit subtree (drills it takes part in,
/// batches its people sit in or its plans) and a scenario (which leaves
/// training out). The caller sees drills organized by units within
/// `reach` and those `own_unit` takes part in, as the drill list shows
/// them; and batches of published plans of units within `reach` or
/// seating people within it (a district-wide plan's batches, everywhere
/// only or by their seats).
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
    if scenario.is_some() {
        return Ok(out);
    }
    // A batch is seen when its plan's unit or a seated person's unit is
    // within reach (a district-wide plan has no unit).
    let mut binds = vec![last.to_string(), first.to_string()];
    let batch_within = |binds: &mut Vec<String>, reach: &Reach| -> Option<String> {
        let seats = reach_clause(reach, "u.path", binds)?;
        let plans = reach_clause(reach, "u.path", binds)?;
        Some(format!(
            "(EXISTS (SELECT 1 FROM training_seats s JOIN people pe ON pe.id = s.person_id JOIN units u ON u.id = pe.unit_id \
             WHERE s.batch_id = b.id AND {seats}) \
             OR EXISTS (SELECT 1 FROM units u WHERE u.id = p.unit_id AND {plans}) \
             OR ({plans_everywhere} AND p.unit_id IS NULL))",
            plans_everywhere = if *reach == Reach::Everywhere {
                "1 = 1"
            } else {
                "1 = 0"
            },
        ))
    };
    let Some(seen) = batch_within(&mut binds, reach) else {
        return Ok(out);
    };
    let mut sql = format!(
        "SELECT b.id, b.code, p.name, b.place, b.start_on, b.end_on, p.id AS plan_id FROM training_batches b \
         JOIN training_plans p ON p.id = b.plan_id WHERE p.published = 1 AND b.start_on <= $1 AND b.end_on >= $2 \
         AND {seen}"
    );
    if let Some(path) = unit_path {
        let within = Reach::Subtrees(vec![path.to_string()]);
        if let Some(clause) = batch_within(&mut binds, &within) {
            sql.push_str(&format!(" AND {clause}"));
        }
    }
    sql.push_str(" ORDER BY b.start_on, b.id");
    let mut q = sqlx::query_as::<_, StoredBatch>(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    for b in q.fetch_all(&mut *c).await? {
        out.push(CalItem {
            drill: false,
            title: format!("{} · {}", b.name, b.code),
            place: b.place,
            first_day: b.start_on.0,
            last_day: b.end_on.0,
            time: None,
            link: format!("/training/plans/{}", b.plan_id),
            scenario: None,
        });
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

/// A unit's drills and the published batches its people sit in, for the
/// unit's calendar feed.
pub async fn unit_events(c: &mut AnyConnection, unit: i64) -> Result<Vec<CalEvent>, AppError> {
    let rows: Vec<FeedDrill> = sqlx::query_as(
        "SELECT d.id, d.title, d.place, d.start_at, d.end_at FROM drills d JOIN drill_units du ON du.drill_id = d.id \
         WHERE du.unit_id = $1 ORDER BY d.start_at",
    )
    .bind(unit)
    .fetch_all(&mut *c)
    .await?;
    let suffix = format!("-unit-{unit}");
    let mut out: Vec<CalEvent> = rows.into_iter().map(|d| d.event(&suffix)).collect();
    let batches: Vec<StoredBatch> = sqlx::query_as(
        "SELECT DISTINCT b.id, b.code, p.name, b.place, b.start_on, b.end_on, p.id AS plan_id FROM training_batches b \
         JOIN training_plans p ON p.id = b.plan_id JOIN training_seats s ON s.batch_id = b.id \
         JOIN people pe ON pe.id = s.person_id WHERE p.published = 1 AND pe.unit_id = $1 ORDER BY b.start_on",
    )
    .bind(unit)
    .fetch_all(&mut *c)
    .await?;
    for b in batches {
        out.push(CalEvent {
            uid: format!("batch-{}-unit-{unit}@yingji", b.id),
            summary: format!("{} · {}", b.name, b.code),
            location: b.place,
            description: String::new(),
            span: Span::Days {
                start: b.start_on.0,
                end: b.end_on.0,
            },
        });
    }
    Ok(out)
}
