//! What a new drill could clash with among the drills: other drills at
//! overlapping times, with their units and people (the training batches
//! on those days come from the training area's service).

use crate::domain::calendar::Span;
use crate::domain::drills::{Booked, Booking};
use crate::error::AppError;
use crate::platform::db::id_list;
use sqlx::AnyConnection;
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct DrillSpan {
    id: i64,
    title: String,
    place: String,
    start_at: i64,
    end_at: i64,
}

/// The drills at times overlapping `span` (but `except_drill`), with
/// their units and people.
pub async fn bookings(
    c: &mut AnyConnection,
    span: Span,
    except_drill: Option<i64>,
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
    let out: Vec<Booking> = drills
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
