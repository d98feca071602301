//! The one way areas feed the assessment: a metric computed from an area's
//! records (plans filed, drills held, people trained, reporters certified)
//! is written here, inside the area's own transaction, so that the change
//! is seen where it happens — which unit, from what to what, because of
//! which record (`source`) — and nobody outside the assessment writes its
//! tables by hand.
//!
//! Values that did not change are left; an assessor's override stays, with
//! the computed value kept beside it; units whose year is published are
//! left alone (their ranking is final). Every unit moved is one row of the
//! assessment's change log, and the whole feed one audit entry that lists
//! them.

use super::{Change, Write};
use crate::domain::evidence::{Origin, SyncStep, sync_step};
use crate::domain::unit::UnitKind;
use crate::error::AppError;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// One unit's value of a metric: (unit id, numerator, denominator).
pub type Value = (i64, i64, i64);

#[derive(sqlx::FromRow)]
struct Stored {
    unit_id: i64,
    numerator: i64,
    denominator: i64,
    origin: super::db::Code<Origin>,
    computed_numerator: Option<i64>,
    computed_denominator: Option<i64>,
}

impl Stored {
    fn step(&self, computed: (i64, i64)) -> SyncStep {
        let beside = match (self.computed_numerator, self.computed_denominator) {
            (Some(n), Some(d)) => Some((n, d)),
            _ => None,
        };
        sync_step(
            Some((self.origin.0, (self.numerator, self.denominator), beside)),
            computed,
        )
    }
}

fn ratio(n: i64, d: i64) -> String {
    format!("{n}/{d}")
}

/// The code of the published scheme that closes the year of units of
/// `kind`, or `None` while the year is open. An open year's scheme row is
/// locked (on both databases) until the transaction ends, so that
/// publishing cannot slip in between this check and the write: both queue
/// on the same row. Every writer of a year's figures asks this.
pub async fn published_scheme(
    c: &mut AnyConnection,
    year: i64,
    kind: UnitKind,
) -> Result<Option<String>, sqlx::Error> {
    let scheme: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, code FROM assessment_schemes WHERE year = $1 AND unit_kinds LIKE $2 ORDER BY id LIMIT 1",
    )
    .bind(year)
    .bind(format!("%|{}|%", kind.code()))
    .fetch_optional(&mut *c)
    .await?;
    let Some((id, code)) = scheme else {
        return Ok(None);
    };
    let open = sqlx::query(
        "UPDATE assessment_schemes SET updated_at = updated_at WHERE id = $1 AND published = 0",
    )
    .bind(id)
    .execute(&mut *c)
    .await?;
    Ok((open.rows_affected() == 0).then_some(code))
}

/// One row of the assessment's change log.
async fn log_change(
    w: &mut Write<'_>,
    (year, unit, item): (i64, i64, &str),
    (before, after): (&str, &str),
    (cause, source): (&str, &str),
) -> Result<(), AppError> {
    let (actor, at) = (w.actor.name.clone(), w.at);
    sqlx::query(
        "INSERT INTO assessment_changes (year, unit_id, item, before, after, cause, source, actor, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(year)
    .bind(unit)
    .bind(item)
    .bind(before)
    .bind(after)
    .bind(cause)
    .bind(source)
    .bind(actor)
    .bind(at)
    .execute(w.conn())
    .await?;
    Ok(())
}

/// Writes `metric`'s computed values for `year` (`source` names the record
/// that moved them: `plan:12`, `drill:3`, `sync` for the button). Returns
/// (written, skipped because the year is published).
pub async fn feed(
    w: &mut Write<'_>,
    year: i64,
    metric: &str,
    values: &[Value],
    source: &str,
) -> Result<(usize, usize), AppError> {
    // This metric's rows only, each unit's kind in one query, and whether
    // the year is open asked once per kind.
    let current: HashMap<i64, Stored> = sqlx::query_as::<_, Stored>(
        "SELECT unit_id, numerator, denominator, origin, computed_numerator, computed_denominator \
         FROM assessment_metrics WHERE year = $1 AND metric = $2",
    )
    .bind(year)
    .bind(metric)
    .fetch_all(w.conn())
    .await?
    .into_iter()
    .map(|m| (m.unit_id, m))
    .collect();
    let kinds: HashMap<i64, String> = sqlx::query_as("SELECT id, kind FROM units")
        .fetch_all(w.conn())
        .await?
        .into_iter()
        .collect();
    let item = format!("metric:{metric}");
    let mut open: HashMap<UnitKind, bool> = HashMap::new();
    let (mut written, mut skipped) = (0, 0);
    let mut moved = Vec::new();
    for &(unit, n, d) in values {
        let stored = current.get(&unit);
        let step = match stored {
            Some(m) => m.step((n, d)),
            None => sync_step(None, (n, d)),
        };
        if step == SyncStep::Keep {
            continue;
        }
        let stored_kind = kinds.get(&unit).ok_or_else(|| {
            AppError::invalid(
                "field.unit",
                crate::domain::Problem::new("problem.no_such_unit"),
            )
        })?;
        let kind = UnitKind::parse(stored_kind).map_err(|_| {
            tracing::error!(unit, kind = %stored_kind, "a stored unit kind that is no kind");
            AppError::Internal
        })?;
        let is_open = match open.get(&kind) {
            Some(&o) => o,
            None => {
                let o = published_scheme(w.conn(), year, kind).await?.is_none();
                open.insert(kind, o);
                o
            }
        };
        if !is_open {
            skipped += 1;
            continue;
        }
        let before = stored.map(|m| ratio(m.numerator, m.denominator));
        let after = ratio(n, d);
        let at = w.at;
        if step == SyncStep::Beside {
            sqlx::query(
                "UPDATE assessment_metrics SET computed_numerator = $1, computed_denominator = $2, computed_at = $3 \
                 WHERE year = $4 AND unit_id = $5 AND metric = $6",
            )
            .bind(n)
            .bind(d)
            .bind(at)
            .bind(year)
            .bind(unit)
            .bind(metric)
            .execute(w.conn())
            .await?;
            moved.push(
                serde_json::json!({ "unit_id": unit, "override_kept": before, "computed": after }),
            );
            // The override (before) stays; what changed is the computed
            // value beside it (after).
            log_change(
                w,
                (year, unit, &item),
                (before.as_deref().unwrap_or_default(), &after),
                ("sync_beside_override", source),
            )
            .await?;
            written += 1;
            continue;
        }
        let by = w.actor.name.clone();
        sqlx::query(
            "INSERT INTO assessment_metrics (year, unit_id, metric, numerator, denominator, origin, reason, \
             computed_numerator, computed_denominator, computed_at, source, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'computed', '', $4, $5, $6, $7, $8, $6) \
             ON CONFLICT (year, unit_id, metric) DO UPDATE SET numerator = $4, denominator = $5, origin = 'computed', \
             reason = '', computed_numerator = $4, computed_denominator = $5, computed_at = $6, source = $7, \
             updated_by = $8, updated_at = $6",
        )
        .bind(year)
        .bind(unit)
        .bind(metric)
        .bind(n)
        .bind(d)
        .bind(at)
        .bind(source)
        .bind(by)
        .execute(w.conn())
        .await?;
        written += 1;
        if before.as_deref() != Some(after.as_str()) {
            moved.push(serde_json::json!({ "unit_id": unit, "before": before, "after": after }));
            log_change(
                w,
                (year, unit, &item),
                (before.as_deref().unwrap_or_default(), &after),
                ("sync", source),
            )
            .await?;
        }
    }
    if !moved.is_empty() {
        w.audit(
            Change::new("metric.sync", "metric", format!("{year}/{metric}"))
                .after(&serde_json::json!({ "source": source, "units": moved })),
        )
        .await?;
    }
    Ok((written, skipped))
}
