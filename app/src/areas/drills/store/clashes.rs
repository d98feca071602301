//! What a new drill could clash with: other drills at overlapping times
//! (with their units and people), and training batches on those days.

use crate::domain::calendar::Span;
use crate::domain::drills::{Booked, Booking};
use crate::error::AppError;
use crate::platform::db::{Day, id_list};
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};

#[derive(sqlx::FromRow)]
struct DrillSpan {
    id: i64,
    title: String,
    place: String,
    start_at: i64,
    end_at: i64,
}

#[derive(sqlx::FromRow)]
struct BatchSpan {
    id: i64,
    code: String,
    name: String,
    place: String,
    start_on: Day,
    end_on: Day,
}

/// What a drill at `span` could clash with: other drills at overlapping
/// times (with their units and people), and training batches on those
/// days (with those of `people` who sit in them).
pub async fn bookings(
    c: &mut AnyConnection,
    span: Span,
    except_drill: Option<i64>,
    people: &[i64],
) -> Result<Vec<Booking>, AppError> {
    let (from, to) = span.instants();
    let drills: Vec<DrillSpan> = sqlx::query_as(
        "SELECT id, title, place, start_at, end_at FROM drills WHERE start_at < $1 AND end_at > $2 AND id <> $3 \
         ORDER BY start_at, id",
    )
    .bind(to)
    .bind(from)
    .bind(except_drill.unwrap_or(0))
    .fetch_all(&mut *c)
    .await?;
    let ids: Vec<i64> = drills.iter().map(|d| d.id).collect();
    let mut units = members(c, "drill_units", "drill_id", "unit_id", &ids).await?;
    let mut drill_people = members(c, "drill_people", "drill_id", "person_id", &ids).await?;
    let mut out: Vec<Booking> = drills
        .into_iter()
        .map(|d| Booking {
            unit_ids: units.remove(&d.id).unwrap_or_default(),
            person_ids: drill_people.remove(&d.id).unwrap_or_default(),
            what: Booked::Drill {
                id: d.id,
                title: d.title,
            },
            span: Span::Times {
                start: d.start_at,
                end: d.end_at,
            },
            place: d.place,
        })
        .collect();
    // The training area's batches and seats, read here as they stand
    // (read-only; the training area has not moved yet, and this join goes
    // when it offers them through its service).
    let (first, last) = span.days();
    let batches: Vec<BatchSpan> = sqlx::query_as(
        "SELECT b.id, b.code, p.name, b.place, b.start_on, b.end_on FROM training_batches b \
         JOIN training_plans p ON p.id = b.plan_id WHERE b.start_on <= $1 AND b.end_on >= $2 ORDER BY b.start_on, b.id",
    )
    .bind(last.to_string())
    .bind(first.to_string())
    .fetch_all(&mut *c)
    .await?;
    let batch_ids: Vec<i64> = batches.iter().map(|b| b.id).collect();
    let mut seats = members(c, "training_seats", "batch_id", "person_id", &batch_ids).await?;
    let wanted: HashSet<i64> = people.iter().copied().collect();
    for b in batches {
        let seated = seats.remove(&b.id).unwrap_or_default();
        out.push(Booking {
            what: Booked::Training {
                batch_id: b.id,
                title: format!("{} · {}", b.name, b.code),
            },
            span: Span::Days {
                start: b.start_on.0,
                end: b.end_on.0,
            },
            place: b.place,
            unit_ids: Vec::new(),
            person_ids: seated.into_iter().filter(|p| wanted.contains(p)).collect(),
        });
    }
    Ok(out)
}

/// `member` ids of a link table grouped by `key` (one query for all the
/// keys, not one per key). Table and column names are this module's own.
async fn members(
    c: &mut AnyConnection,
    table: &str,
    key: &str,
    member: &str,
    keys: &[i64],
) -> Result<HashMap<i64, Vec<i64>>, AppError> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in keys.chunks(500) {
        let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT {key} AS k, {member} AS m FROM {table} WHERE {key} IN ({})",
            id_list(chunk)
        ))
        .fetch_all(&mut *c)
        .await?;
        for (k, m) in rows {
            out.entry(k).or_default().push(m);
        }
    }
    Ok(out)
}
