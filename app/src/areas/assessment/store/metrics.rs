//! Metric values (numerator of denominator) per unit and year: computed by
//! the platform's feed, entered by assessors, or an assessor's override
//! of a computed value (kept beside it).

use super::super::dto::MetricRow;
use super::changes::{self, Moved};
use crate::domain::Problem;
use crate::domain::authz::Reach;
use crate::domain::evidence::Origin;
use crate::error::AppError;
use crate::platform::db::{Code, reach_clause};
use crate::platform::{Change, Write};
use sqlx::{Any, AnyConnection, AnyPool, Executor};

const SELECT: &str = "SELECT m.unit_id, m.metric, m.numerator, m.denominator, m.origin, m.reason, \
     m.computed_numerator, m.computed_denominator, m.computed_at, m.updated_by, m.updated_at, m.source \
     FROM assessment_metrics m";

#[derive(sqlx::FromRow)]
struct Stored {
    unit_id: i64,
    metric: String,
    numerator: i64,
    denominator: i64,
    origin: Code<Origin>,
    reason: String,
    computed_numerator: Option<i64>,
    computed_denominator: Option<i64>,
    computed_at: Option<i64>,
    updated_by: String,
    updated_at: i64,
    source: String,
}

impl From<Stored> for MetricRow {
    fn from(r: Stored) -> MetricRow {
        MetricRow {
            unit_id: r.unit_id,
            metric: r.metric,
            numerator: r.numerator,
            denominator: r.denominator,
            origin: r.origin.0,
            reason: r.reason,
            computed: match (r.computed_numerator, r.computed_denominator) {
                (Some(n), Some(d)) => Some((n, d)),
                _ => None,
            },
            computed_at: r.computed_at,
            updated_by: r.updated_by,
            updated_at: r.updated_at,
            source: r.source,
        }
    }
}

fn ratio_text(n: i64, d: i64) -> String {
    format!("{n}/{d}")
}

pub async fn of_year<'e, E>(db: E, year: i64) -> Result<Vec<MetricRow>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let rows: Vec<Stored> = sqlx::query_as(&format!(
        "{SELECT} WHERE m.year = $1 ORDER BY m.unit_id, m.metric"
    ))
    .bind(year)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(MetricRow::from).collect())
}

/// The metric values of a year for units within `reach` (the metric
/// table's; evaluation reads them all through `of_year`).
pub async fn within(pool: &AnyPool, year: i64, reach: &Reach) -> Result<Vec<MetricRow>, AppError> {
    let mut binds = Vec::new();
    let Some(within) = reach_clause(reach, "u.path", &mut binds) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "{SELECT} JOIN units u ON u.id = m.unit_id WHERE {within} AND m.year = ${} ORDER BY m.unit_id, m.metric",
        binds.len() + 1
    );
    let mut q = sqlx::query_as::<_, Stored>(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.bind(year).fetch_all(pool).await?;
    Ok(rows.into_iter().map(MetricRow::from).collect())
}

async fn one(
    c: &mut AnyConnection,
    year: i64,
    unit_id: i64,
    metric: &str,
) -> Result<Option<MetricRow>, AppError> {
    let row: Option<Stored> = sqlx::query_as(&format!(
        "{SELECT} WHERE m.year = $1 AND m.unit_id = $2 AND m.metric = $3"
    ))
    .bind(year)
    .bind(unit_id)
    .bind(metric)
    .fetch_optional(c)
    .await?;
    Ok(row.map(MetricRow::from))
}

/// A metric value someone enters: an override (with its reason) for a
/// metric the platform computes, an entry for any other. `source` names
/// where it came from (`form`, `import:...`, ...).
#[derive(Debug, Clone)]
pub struct EnteredMetric<'a> {
    pub year: i64,
    pub unit_id: i64,
    pub metric: &'a str,
    pub numerator: i64,
    pub denominator: i64,
    pub reason: &'a str,
    pub source: &'a str,
}

/// Writes an entered value (the service has checked that the unit's year
/// is open and, for an override, that a reason is given). What the
/// platform computed stays beside it; the change is audited and logged.
pub async fn save(w: &mut Write<'_>, v: &EnteredMetric<'_>) -> Result<(), AppError> {
    let origin = Origin::of_entry(v.metric);
    let before = one(w.conn(), v.year, v.unit_id, v.metric).await?;
    let (by, at) = (w.actor.name.clone(), w.at);
    sqlx::query(
        "INSERT INTO assessment_metrics (year, unit_id, metric, numerator, denominator, origin, reason, source, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (year, unit_id, metric) DO UPDATE SET numerator = $4, denominator = $5, origin = $6, \
         reason = $7, source = $8, updated_by = $9, updated_at = $10",
    )
    .bind(v.year)
    .bind(v.unit_id)
    .bind(v.metric)
    .bind(v.numerator)
    .bind(v.denominator)
    .bind(origin.code())
    .bind(v.reason)
    .bind(v.source)
    .bind(by)
    .bind(at)
    .execute(w.conn())
    .await?;
    let mut change = Change::new(
        "metric.set",
        "metric",
        format!("{}/{}/{}", v.year, v.unit_id, v.metric),
    )
    .after(&serde_json::json!({
        "numerator": v.numerator, "denominator": v.denominator,
        "origin": origin.code(), "reason": v.reason, "source": v.source,
    }));
    if let Some(b) = &before {
        change = change.before(b);
    }
    w.audit(change).await?;
    changes::record(
        w,
        &Moved {
            year: v.year,
            unit_id: v.unit_id,
            item: format!("metric:{}", v.metric),
            before: before
                .map(|b| ratio_text(b.numerator, b.denominator))
                .unwrap_or_default(),
            after: ratio_text(v.numerator, v.denominator),
            cause: origin.code(),
            source: v.source.to_string(),
        },
    )
    .await
}

/// Takes an override back: the computed value counts again (or, when the
/// platform never computed one, the value is gone and the unit waits for
/// it). The service has checked that the unit's year is open.
pub async fn remove_override(
    w: &mut Write<'_>,
    year: i64,
    unit_id: i64,
    metric: &str,
) -> Result<(), AppError> {
    let before = one(w.conn(), year, unit_id, metric)
        .await?
        .filter(|m| m.origin == Origin::Override)
        .ok_or_else(|| AppError::Conflict(Problem::new("problem.no_override")))?;
    let (by, at) = (w.actor.name.clone(), w.at);
    let after = match before.computed {
        Some((n, d)) => {
            sqlx::query(
                "UPDATE assessment_metrics SET numerator = $1, denominator = $2, origin = 'computed', reason = '', \
                 source = 'override_removed', updated_by = $3, updated_at = $4 \
                 WHERE year = $5 AND unit_id = $6 AND metric = $7",
            )
            .bind(n)
            .bind(d)
            .bind(by)
            .bind(at)
            .bind(year)
            .bind(unit_id)
            .bind(metric)
            .execute(w.conn())
            .await?;
            ratio_text(n, d)
        }
        None => {
            sqlx::query(
                "DELETE FROM assessment_metrics WHERE year = $1 AND unit_id = $2 AND metric = $3",
            )
            .bind(year)
            .bind(unit_id)
            .bind(metric)
            .execute(w.conn())
            .await?;
            String::new()
        }
    };
    w.audit(
        Change::new(
            "metric.override_remove",
            "metric",
            format!("{year}/{unit_id}/{metric}"),
        )
        .before(&before)
        .after(&serde_json::json!({ "value": after })),
    )
    .await?;
    changes::record(
        w,
        &Moved {
            year,
            unit_id,
            item: format!("metric:{metric}"),
            before: ratio_text(before.numerator, before.denominator),
            after,
            cause: "override_removed",
            source: String::new(),
        },
    )
    .await
}
