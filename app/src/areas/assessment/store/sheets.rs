//! The sheets the rules read while a year is open: a scheme's units (every
//! unit of its kinds) with their stored scores, metrics, events, bonuses
//! and confirmed vetoes.

use super::super::dto::StoredScheme;
use super::kinds_text;
use crate::domain::assessment::{Entry, Method, Points, Sheet};
use crate::domain::unit::UnitKind;
use crate::domain::veto::VetoStatus;
use crate::error::AppError;
use crate::model::Unit;
use crate::platform::db::Code;
use sqlx::AnyConnection;
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct StoredUnit {
    id: i64,
    code: String,
    name: String,
    kind: Code<UnitKind>,
    parent_id: Option<i64>,
    path: String,
    min_on_duty: i64,
}

/// The units a scheme assesses, in tree order: one plain query, without
/// the people counts and parent names that the unit list pages carry. An
/// unknown stored kind fails the read (it used to count as a department).
pub async fn units_of_kinds(
    c: &mut AnyConnection,
    kinds: &[UnitKind],
) -> Result<Vec<Unit>, AppError> {
    let rows: Vec<StoredUnit> = sqlx::query_as(
        "SELECT id, code, name, kind, parent_id, path, min_on_duty FROM units \
         WHERE $1 LIKE '%|' || kind || '|%' ORDER BY path",
    )
    .bind(kinds_text(kinds))
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Unit {
            id: r.id,
            code: r.code,
            name: r.name,
            kind: r.kind.0,
            parent_id: r.parent_id,
            parent_name: None,
            path: r.path,
            min_on_duty: r.min_on_duty,
            people: 0,
        })
        .collect())
}

/// A scheme's units with their sheets built from the stored records.
pub async fn live(
    c: &mut AnyConnection,
    scheme: &StoredScheme,
) -> Result<Vec<(Unit, Sheet)>, AppError> {
    let def = &scheme.def;
    let year = i64::from(def.year);
    let units = units_of_kinds(c, &def.unit_kinds).await?;
    let index: HashMap<i64, usize> = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let indicators = &def.scheme.indicators;
    let mut sheets: Vec<Sheet> = units
        .iter()
        .map(|u| Sheet {
            unit: u.code.clone(),
            entries: vec![Entry::Missing; indicators.len()],
            ..Default::default()
        })
        .collect();
    let ind_index: HashMap<&str, usize> = indicators
        .iter()
        .enumerate()
        .map(|(i, x)| (x.code.as_str(), i))
        .collect();
    // Only the columns the rules read: on a district this is thousands of
    // rows, and each one costs a conversion.
    let scores: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT unit_id, indicator, points FROM assessment_scores WHERE scheme_id = $1",
    )
    .bind(scheme.id)
    .fetch_all(&mut *c)
    .await?;
    for (unit_id, indicator, points) in &scores {
        if let (Some(&u), Some(&i)) = (index.get(unit_id), ind_index.get(indicator.as_str()))
            && indicators[i].method == Method::Manual
        {
            sheets[u].entries[i] = Entry::Score(Points(*points));
        }
    }
    let by_metric: HashMap<(i64, String), (i64, i64)> = sqlx::query_as::<_, (i64, String, i64, i64)>(
        "SELECT unit_id, metric, numerator, denominator FROM assessment_metrics WHERE year = $1",
    )
    .bind(year)
    .fetch_all(&mut *c)
    .await?
    .into_iter()
    .map(|(unit, metric, n, d)| ((unit, metric), (n, d)))
    .collect();
    for (u, unit) in units.iter().enumerate() {
        for (i, ind) in indicators.iter().enumerate() {
            if matches!(ind.method, Method::Ratio { .. })
                && let Some(&(n, d)) = by_metric.get(&(unit.id, ind.metric_key().to_string()))
            {
                sheets[u].entries[i] = Entry::Ratio(n, d);
            }
        }
    }
    let rule_index: HashMap<&str, usize> = def
        .scheme
        .deductions
        .iter()
        .enumerate()
        .map(|(i, r)| (r.event.as_str(), i))
        .collect();
    let events: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT unit_id, event, count FROM assessment_events WHERE year = $1")
            .bind(year)
            .fetch_all(&mut *c)
            .await?;
    for (unit_id, event, count) in &events {
        if let (Some(&u), Some(&r)) = (index.get(unit_id), rule_index.get(event.as_str())) {
            sheets[u].events.push((r, *count));
        }
    }
    let bonuses: Vec<(i64, i64)> =
        sqlx::query_as("SELECT unit_id, points FROM assessment_bonuses WHERE year = $1")
            .bind(year)
            .fetch_all(&mut *c)
            .await?;
    for (unit_id, points) in &bonuses {
        if let Some(&u) = index.get(unit_id) {
            sheets[u].bonuses.push(Points(*points));
        }
    }
    let vetoed: Vec<i64> =
        sqlx::query_scalar("SELECT unit_id FROM assessment_vetoes WHERE year = $1 AND status = $2")
            .bind(year)
            .bind(VetoStatus::Confirmed.code())
            .fetch_all(&mut *c)
            .await?;
    for unit_id in vetoed {
        if let Some(&u) = index.get(&unit_id) {
            sheets[u].vetoed = true;
        }
    }
    Ok(units.into_iter().zip(sheets).collect())
}
