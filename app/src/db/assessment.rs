//! Storage of the annual assessment: schemes, scores, metrics, events,
//! bonuses, vetoes and incidents, and loading a scheme's units into the
//! sheets `assessment::evaluate` reads. Every write records an audit row in
//! the caller's transaction; a published year refuses writes.

use super::audit::{self, Actor, json};
use crate::domain::Problem;
use crate::domain::assessment::{Entry, Method, Outcome, Points, Sheet, evaluate};
use crate::domain::evidence::Origin;
use crate::domain::incident::Level;
use crate::domain::scheme::SchemeDef;
use crate::domain::unit::UnitKind;
use crate::domain::veto::VetoStatus;
use crate::error::AppError;
use crate::model::{
    BonusRow, ChangeRow, EventRow, IncidentRow, MetricRow, ReopenRequest, SchemeSummary, ScoreRow,
    SnapshotDetail, StoredScheme, Unit, VetoRow,
};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor, Row, Transaction};
use std::collections::HashMap;

fn kinds_text(kinds: &[UnitKind]) -> String {
    let mut s = String::from("|");
    for k in kinds {
        s.push_str(k.code());
        s.push('|');
    }
    s
}

fn stored(r: &AnyRow) -> Result<StoredScheme, AppError> {
    let definition: String = r.get("definition");
    let def: SchemeDef = serde_json::from_str(&definition).map_err(|e| {
        tracing::error!(error = %e, "unreadable scheme definition");
        AppError::Internal
    })?;
    Ok(StoredScheme {
        id: r.get("id"),
        def,
        published: r.get::<i64, _>("published") != 0,
        published_at: r.get("published_at"),
        published_by: r.get("published_by"),
        reopen: match (
            r.get::<Option<String>, _>("reopen_proposed_by"),
            r.get::<Option<i64>, _>("reopen_proposed_at"),
        ) {
            (Some(by), Some(at)) => Some(ReopenRequest {
                by_id: r.get("reopen_proposed_by_id"),
                by,
                at,
                reason: r
                    .get::<Option<String>, _>("reopen_reason")
                    .unwrap_or_default(),
            }),
            _ => None,
        },
        published_gaps: r
            .get::<String, _>("published_gaps")
            .split('|')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        snapshot_id: r.get("snapshot_id"),
    })
}

const SCHEME: &str = "SELECT id, definition, published, published_at, published_by, \
     reopen_proposed_by_id, reopen_proposed_by, reopen_proposed_at, reopen_reason, published_gaps, snapshot_id \
     FROM assessment_schemes";

pub async fn list_schemes(pool: &AnyPool) -> Result<Vec<SchemeSummary>, AppError> {
    let rows = sqlx::query(&format!("{SCHEME} ORDER BY year DESC, code"))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            let s = stored(r)?;
            Ok(SchemeSummary {
                id: s.id,
                code: s.def.code.clone(),
                year: s.def.year as i64,
                name: s.def.name.clone(),
                unit_kinds: s.def.unit_kinds.clone(),
                indicators: s.def.scheme.indicators.len(),
                published: s.published,
            })
        })
        .collect()
}

pub async fn get_scheme<'e, E>(db: E, id: i64) -> Result<Option<StoredScheme>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let row = sqlx::query(&format!("{SCHEME} WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(stored).transpose()
}

/// The scheme of a year that assesses units of a kind, if any.
pub async fn scheme_for<'e, E>(
    db: E,
    year: i64,
    kind: UnitKind,
) -> Result<Option<StoredScheme>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let row = sqlx::query(&format!(
        "{SCHEME} WHERE year = $1 AND unit_kinds LIKE $2 ORDER BY id LIMIT 1"
    ))
    .bind(year)
    .bind(format!("%|{}|%", kind.code()))
    .fetch_optional(db)
    .await?;
    row.as_ref().map(stored).transpose()
}

async fn schemes_of_year(
    tx: &mut Transaction<'_, Any>,
    year: i64,
) -> Result<Vec<StoredScheme>, AppError> {
    let rows = sqlx::query(&format!("{SCHEME} WHERE year = $1"))
        .bind(year)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter().map(stored).collect()
}

async fn check_kinds_free(
    tx: &mut Transaction<'_, Any>,
    def: &SchemeDef,
    own_id: Option<i64>,
) -> Result<(), AppError> {
    let others: Vec<SchemeDef> = schemes_of_year(tx, def.year as i64)
        .await?
        .into_iter()
        .filter(|s| Some(s.id) != own_id)
        .map(|s| s.def)
        .collect();
    if let Some(kind) = crate::domain::scheme::kinds_clash(def, &others) {
        return Err(AppError::invalid(
            "field.unit_kinds",
            Problem::with("problem.kind_in_other_scheme", &[kind.code()]),
        ));
    }
    Ok(())
}

pub async fn create_scheme(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    def: &SchemeDef,
) -> Result<i64, AppError> {
    check_kinds_free(tx, def, None).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO assessment_schemes (code, year, name, unit_kinds, definition, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(&def.code)
    .bind(def.year as i64)
    .bind(&def.name)
    .bind(kinds_text(&def.unit_kinds))
    .bind(json(def))
    .bind(at)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => {
            AppError::invalid("field.code", Problem::with("problem.code_exists", &[&def.code]))
        }
        other => other,
    })?;
    audit::record(
        tx,
        actor,
        at,
        "scheme.create",
        "scheme",
        &id.to_string(),
        None,
        json(def),
    )
    .await?;
    Ok(id)
}

/// Changes a scheme that is not published.
pub async fn update_scheme(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    id: i64,
    def: &SchemeDef,
) -> Result<(), AppError> {
    let before = get_scheme(&mut **tx, id).await?.ok_or(AppError::NotFound)?;
    if before.published {
        return Err(AppError::Conflict(Problem::new("problem.scheme_published")));
    }
    check_kinds_free(tx, def, Some(id)).await?;
    sqlx::query(
        "UPDATE assessment_schemes SET code = $1, year = $2, name = $3, unit_kinds = $4, \
         definition = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(&def.code)
    .bind(def.year as i64)
    .bind(&def.name)
    .bind(kinds_text(&def.unit_kinds))
    .bind(json(def))
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "scheme.update",
        "scheme",
        &id.to_string(),
        json(&before.def),
        json(def),
    )
    .await?;
    Ok(())
}

/// Publishes a scheme's results, locking its year for its units; `note`
/// is kept in the audit row. Reopening takes two people: see
/// `propose_reopen` and `decide_reopen`.
/// Publishes a year; `gaps` are the units published unfinished or with a
/// veto undecided (the caller has checked that a reason was given).
pub async fn publish(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    id: i64,
    note: &str,
    gaps: &[String],
) -> Result<(), AppError> {
    let before = get_scheme(&mut **tx, id).await?.ok_or(AppError::NotFound)?;
    if before.published {
        return Err(AppError::Conflict(Problem::new("problem.scheme_published")));
    }
    let done = sqlx::query(
        "UPDATE assessment_schemes SET published = 1, published_at = $1, published_by = $2, updated_at = $1, \
         reopen_proposed_by_id = NULL, reopen_proposed_by = NULL, reopen_proposed_at = NULL, reopen_reason = NULL, \
         published_gaps = $4 WHERE id = $3 AND published = 0",
    )
    .bind(at)
    .bind(&actor.name)
    .bind(id)
    .bind(format!("|{}|", gaps.join("|")))
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(Problem::new("problem.scheme_published")));
    }
    let snapshot = take_snapshot(tx, actor, at, &before).await?;
    audit::record(
        tx,
        actor,
        at,
        "scheme.publish",
        "scheme",
        &id.to_string(),
        None,
        Some(
            serde_json::json!({ "code": before.def.code, "reason": note, "gaps": gaps, "snapshot": snapshot })
                .to_string(),
        ),
    )
    .await?;
    Ok(())
}

/// Units (codes) of the scheme's kinds with a veto proposed and not yet
/// decided in its year.
pub async fn undecided_veto_units(
    c: &mut sqlx::AnyConnection,
    scheme: &StoredScheme,
) -> Result<Vec<String>, AppError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT u.code, u.kind FROM assessment_vetoes v JOIN units u ON u.id = v.unit_id \
         WHERE v.year = $1 AND v.status = 'proposed' ORDER BY u.code",
    )
    .bind(scheme.def.year as i64)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, kind)| {
            crate::domain::unit::UnitKind::parse(kind)
                .is_ok_and(|k| scheme.def.unit_kinds.contains(&k))
        })
        .map(|(code, _)| code)
        .collect())
}

/// Asks to reopen a published year with a reason. `rule` checks the
/// request against the scheme as read inside this transaction; the year
/// stays published until a second scheme manager confirms.
pub async fn propose_reopen(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    id: i64,
    reason: &str,
    rule: impl FnOnce(&StoredScheme) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let before = get_scheme(&mut **tx, id).await?.ok_or(AppError::NotFound)?;
    rule(&before)?;
    let done = sqlx::query(
        "UPDATE assessment_schemes SET reopen_proposed_by_id = $1, reopen_proposed_by = $2, \
         reopen_proposed_at = $3, reopen_reason = $4 \
         WHERE id = $5 AND published = 1 AND reopen_proposed_at IS NULL",
    )
    .bind(actor.id)
    .bind(&actor.name)
    .bind(at)
    .bind(reason)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(Problem::new("problem.reopen_pending")));
    }
    audit::record(
        tx,
        actor,
        at,
        "scheme.reopen_propose",
        "scheme",
        &id.to_string(),
        None,
        Some(serde_json::json!({ "code": before.def.code, "reason": reason }).to_string()),
    )
    .await?;
    Ok(())
}

/// Decides a pending reopen request: `rule` says, from the scheme as read
/// inside this transaction, whether the year is published afterwards (a
/// confirmation reopens it). Either way the request is closed, and the
/// audit row (`action`) keeps it with the decision's note.
pub async fn decide_reopen(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    id: i64,
    action: &str,
    note: &str,
    rule: impl FnOnce(&StoredScheme) -> Result<bool, AppError>,
) -> Result<(), AppError> {
    let before = get_scheme(&mut **tx, id).await?.ok_or(AppError::NotFound)?;
    let published = rule(&before)?;
    let request = before
        .reopen
        .clone()
        .ok_or_else(|| AppError::Conflict(Problem::new("problem.no_reopen_pending")))?;
    let sql = if published {
        "UPDATE assessment_schemes SET reopen_proposed_by_id = NULL, reopen_proposed_by = NULL, \
         reopen_proposed_at = NULL, reopen_reason = NULL, updated_at = $1 \
         WHERE id = $2 AND published = 1 AND reopen_proposed_at = $3 AND reopen_proposed_by = $4"
    } else {
        "UPDATE assessment_schemes SET published = 0, published_at = NULL, published_by = NULL, \
         reopen_proposed_by_id = NULL, reopen_proposed_by = NULL, reopen_proposed_at = NULL, \
         reopen_reason = NULL, updated_at = $1 \
         WHERE id = $2 AND published = 1 AND reopen_proposed_at = $3 AND reopen_proposed_by = $4"
    };
    let done = sqlx::query(sql)
        .bind(at)
        .bind(id)
        .bind(request.at)
        .bind(&request.by)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() != 1 {
        // Decided by someone else in the meantime.
        return Err(AppError::Conflict(Problem::new(
            "problem.no_reopen_pending",
        )));
    }
    audit::record(
        tx,
        actor,
        at,
        action,
        "scheme",
        &id.to_string(),
        None,
        Some(
            serde_json::json!({
                "code": before.def.code,
                "reason": request.reason,
                "proposed_by": request.by,
                "proposed_at": request.at,
                "note": note,
            })
            .to_string(),
        ),
    )
    .await?;
    Ok(())
}

/// The unit a record is for, refused when its year's scheme is published.
pub async fn open_unit(
    tx: &mut Transaction<'_, Any>,
    year: i64,
    unit_id: i64,
) -> Result<Unit, AppError> {
    let unit = super::units::get_in(&mut **tx, unit_id)
        .await?
        .ok_or_else(|| AppError::invalid("field.unit", Problem::new("problem.no_such_unit")))?;
    open_kind(tx, year, unit.kind).await?;
    Ok(unit)
}

/// The year of units of `kind` is open (not published): takes the
/// scheme's row lock (`platform::metrics::published_scheme`), or
/// `Conflict` naming the published scheme.
async fn open_kind(
    tx: &mut Transaction<'_, Any>,
    year: i64,
    kind: UnitKind,
) -> Result<(), AppError> {
    match crate::platform::metrics::published_scheme(tx, year, kind).await? {
        None => Ok(()),
        Some(code) => Err(AppError::Conflict(Problem::with(
            "problem.year_published",
            &[&year.to_string(), &code],
        ))),
    }
}

// ---- scores ----

fn score_row(r: &AnyRow) -> ScoreRow {
    ScoreRow {
        unit_id: r.get("unit_id"),
        indicator: r.get("indicator"),
        points: Points(r.get("points")),
        note: r.get("note"),
        updated_by: r.get("updated_by"),
        updated_at: r.get("updated_at"),
    }
}

pub async fn scores<'e, E>(
    db: E,
    scheme_id: i64,
    unit_id: Option<i64>,
) -> Result<Vec<ScoreRow>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let rows = sqlx::query(
        "SELECT unit_id, indicator, points, note, updated_by, updated_at FROM assessment_scores \
         WHERE scheme_id = $1 AND ($2 IS NULL OR unit_id = $2) ORDER BY unit_id, indicator",
    )
    .bind(scheme_id)
    .bind(unit_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(score_row).collect())
}

/// Sets (or with `None` clears) one entered score. Unchanged values write
/// nothing; a change is audited with its before and after, and logged for
/// the scheme's year (the caller knows it: `(scheme id, year)`).
#[allow(clippy::too_many_arguments)]
pub async fn save_score(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    (scheme_id, year): (i64, i64),
    unit_id: i64,
    indicator: &str,
    points: Option<Points>,
    note: &str,
) -> Result<bool, AppError> {
    let before = sqlx::query(
        "SELECT unit_id, indicator, points, note, updated_by, updated_at FROM assessment_scores \
         WHERE scheme_id = $1 AND unit_id = $2 AND indicator = $3",
    )
    .bind(scheme_id)
    .bind(unit_id)
    .bind(indicator)
    .fetch_optional(&mut **tx)
    .await?
    .as_ref()
    .map(score_row);
    let same = match (&before, points) {
        (Some(b), Some(p)) => b.points == p && b.note == note,
        (None, None) => true,
        _ => false,
    };
    if same {
        return Ok(false);
    }
    match points {
        Some(p) => {
            sqlx::query(
                "INSERT INTO assessment_scores (scheme_id, unit_id, indicator, points, note, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (scheme_id, unit_id, indicator) DO UPDATE SET points = $4, note = $5, updated_by = $6, updated_at = $7",
            )
            .bind(scheme_id)
            .bind(unit_id)
            .bind(indicator)
            .bind(p.0)
            .bind(note)
            .bind(&actor.name)
            .bind(at)
            .execute(&mut **tx)
            .await?;
        }
        None => {
            sqlx::query(
                "DELETE FROM assessment_scores WHERE scheme_id = $1 AND unit_id = $2 AND indicator = $3",
            )
            .bind(scheme_id)
            .bind(unit_id)
            .bind(indicator)
            .execute(&mut **tx)
            .await?;
        }
    }
    let shown = |p: Option<Points>| p.map(|p| p.to_string()).unwrap_or_default();
    if before.as_ref().map(|b| b.points) != points {
        record_change(
            tx,
            actor,
            at,
            &Change {
                year,
                unit_id,
                item: format!("score:{indicator}"),
                before: shown(before.as_ref().map(|b| b.points)),
                after: shown(points),
                cause: "score",
                source: String::new(),
            },
        )
        .await?;
    }
    let after = points.map(
        |p| serde_json::json!({ "indicator": indicator, "points": p.to_string(), "note": note }),
    );
    audit::record(
        tx,
        actor,
        at,
        "score.set",
        "score",
        &format!("{scheme_id}/{unit_id}/{indicator}"),
        before.map(|b| {
            serde_json::json!({ "indicator": b.indicator, "points": b.points.to_string(), "note": b.note })
                .to_string()
        }),
        after.map(|a| a.to_string()),
    )
    .await?;
    Ok(true)
}

// ---- changes ----

/// One change to a figure of a unit's year, for `record_change`.
#[derive(Debug, Clone)]
pub struct Change {
    pub year: i64,
    pub unit_id: i64,
    pub item: String,
    pub before: String,
    pub after: String,
    pub cause: &'static str,
    pub source: String,
}

/// Keeps a change to a figure an assessment reads, in the writer's
/// transaction (the change log is append-only, like the audit).
pub async fn record_change(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    c: &Change,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO assessment_changes (year, unit_id, item, before, after, cause, source, actor, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(c.year)
    .bind(c.unit_id)
    .bind(&c.item)
    .bind(&c.before)
    .bind(&c.after)
    .bind(c.cause)
    .bind(&c.source)
    .bind(&actor.name)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn change_row(r: &AnyRow) -> ChangeRow {
    ChangeRow {
        id: r.get("id"),
        year: r.get("year"),
        unit_id: r.get("unit_id"),
        item: r.get("item"),
        before: r.get("before"),
        after: r.get("after"),
        cause: r.get("cause"),
        source: r.get("source"),
        actor: r.get("actor"),
        at: r.get("at"),
    }
}

/// Changes of a year after change `after_id`, oldest first, for some
/// units or all; at most `limit`.
pub async fn changes(
    c: &mut sqlx::AnyConnection,
    year: i64,
    after_id: i64,
    unit_id: Option<i64>,
    limit: i64,
) -> Result<Vec<ChangeRow>, AppError> {
    let rows = sqlx::query(
        "SELECT id, year, unit_id, item, before, after, cause, source, actor, at FROM assessment_changes \
         WHERE year = $1 AND id > $2 AND ($3 IS NULL OR unit_id = $3) ORDER BY id LIMIT $4",
    )
    .bind(year)
    .bind(after_id)
    .bind(unit_id)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(change_row).collect())
}

/// A unit's changes in a year, newest first; at most `limit`.
pub async fn unit_changes(
    c: &mut sqlx::AnyConnection,
    year: i64,
    unit_id: i64,
    limit: i64,
) -> Result<Vec<ChangeRow>, AppError> {
    let rows = sqlx::query(
        "SELECT id, year, unit_id, item, before, after, cause, source, actor, at FROM assessment_changes \
         WHERE year = $1 AND unit_id = $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(year)
    .bind(unit_id)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(change_row).collect())
}

/// The newest change of a year (0 when none).
pub async fn last_change(c: &mut sqlx::AnyConnection, year: i64) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar::<_, Option<i64>>(
        "SELECT MAX(id) FROM assessment_changes WHERE year = $1",
    )
    .bind(year)
    .fetch_one(&mut *c)
    .await?
    .unwrap_or(0))
}

/// What an account last saw of a scheme's results: (newest change seen,
/// when, unit code → total in tenths).
pub type Seen = (i64, i64, HashMap<String, Option<Points>>);

pub async fn seen(
    c: &mut sqlx::AnyConnection,
    account_id: i64,
    scheme_id: i64,
) -> Result<Option<Seen>, AppError> {
    let row = sqlx::query(
        "SELECT last_change, seen_at, totals FROM assessment_seen WHERE account_id = $1 AND scheme_id = $2",
    )
    .bind(account_id)
    .bind(scheme_id)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.map(|r| {
        let totals: HashMap<String, Option<Points>> =
            serde_json::from_str(&r.get::<String, _>("totals")).unwrap_or_default();
        (r.get("last_change"), r.get("seen_at"), totals)
    }))
}

/// Remembers what an account saw: the newest change and every total.
pub async fn mark_seen(
    tx: &mut Transaction<'_, Any>,
    account_id: i64,
    scheme_id: i64,
    at: i64,
    last_change: i64,
    totals: &HashMap<String, Option<Points>>,
) -> Result<(), AppError> {
    let totals = serde_json::to_string(totals).map_err(|_| AppError::Internal)?;
    sqlx::query(
        "INSERT INTO assessment_seen (account_id, scheme_id, last_change, seen_at, totals) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (account_id, scheme_id) DO UPDATE SET last_change = $3, seen_at = $4, totals = $5",
    )
    .bind(account_id)
    .bind(scheme_id)
    .bind(last_change)
    .bind(at)
    .bind(totals)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

// ---- metrics ----

const METRIC: &str = "SELECT m.unit_id, m.metric, m.numerator, m.denominator, m.origin, m.reason, \
     m.computed_numerator, m.computed_denominator, m.computed_at, m.updated_by, m.updated_at, m.source \
     FROM assessment_metrics m";

fn metric_row(r: &AnyRow) -> MetricRow {
    MetricRow {
        unit_id: r.get("unit_id"),
        metric: r.get("metric"),
        numerator: r.get("numerator"),
        denominator: r.get("denominator"),
        origin: Origin::parse(r.get("origin")),
        reason: r.get("reason"),
        computed: match (
            r.get::<Option<i64>, _>("computed_numerator"),
            r.get::<Option<i64>, _>("computed_denominator"),
        ) {
            (Some(n), Some(d)) => Some((n, d)),
            _ => None,
        },
        computed_at: r.get("computed_at"),
        updated_by: r.get("updated_by"),
        updated_at: r.get("updated_at"),
        source: r.get("source"),
    }
}

fn ratio_text(n: i64, d: i64) -> String {
    format!("{n}/{d}")
}

pub async fn metrics<'e, E>(db: E, year: i64) -> Result<Vec<MetricRow>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let rows = sqlx::query(&format!(
        "{METRIC} WHERE m.year = $1 ORDER BY m.unit_id, m.metric"
    ))
    .bind(year)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(metric_row).collect())
}

/// The metric values of a year for units within `reach` (the metric
/// table's; evaluation reads them all through `metrics`).
pub async fn metrics_within(
    pool: &AnyPool,
    year: i64,
    reach: &crate::domain::authz::Reach,
) -> Result<Vec<MetricRow>, AppError> {
    let mut binds = Vec::new();
    let Some(within) = super::reach_clause(reach, "u.path", &mut binds) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "{METRIC} JOIN units u ON u.id = m.unit_id WHERE {within} AND m.year = ${} ORDER BY m.unit_id, m.metric",
        binds.len() + 1
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.bind(year).fetch_all(pool).await?;
    Ok(rows.iter().map(metric_row).collect())
}

async fn metric_of(
    tx: &mut Transaction<'_, Any>,
    year: i64,
    unit_id: i64,
    metric: &str,
) -> Result<Option<MetricRow>, AppError> {
    Ok(sqlx::query(&format!(
        "{METRIC} WHERE m.year = $1 AND m.unit_id = $2 AND m.metric = $3"
    ))
    .bind(year)
    .bind(unit_id)
    .bind(metric)
    .fetch_optional(&mut **tx)
    .await?
    .as_ref()
    .map(metric_row))
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

/// Writes an entered value (the caller has checked that the unit's year
/// is open and, for an override, that a reason is given). What the
/// platform computed stays beside it; the change is audited and logged.
pub async fn save_metric(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    v: &EnteredMetric<'_>,
) -> Result<(), AppError> {
    let origin = Origin::of_entry(v.metric);
    let before = metric_of(tx, v.year, v.unit_id, v.metric).await?;
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
    .bind(&actor.name)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "metric.set",
        "metric",
        &format!("{}/{}/{}", v.year, v.unit_id, v.metric),
        before.as_ref().and_then(json),
        Some(
            serde_json::json!({
                "numerator": v.numerator, "denominator": v.denominator,
                "origin": origin.code(), "reason": v.reason, "source": v.source,
            })
            .to_string(),
        ),
    )
    .await?;
    record_change(
        tx,
        actor,
        at,
        &Change {
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
/// it). The caller has checked that the unit's year is open.
pub async fn remove_override(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    year: i64,
    unit_id: i64,
    metric: &str,
) -> Result<(), AppError> {
    let before = metric_of(tx, year, unit_id, metric)
        .await?
        .filter(|m| m.origin == Origin::Override)
        .ok_or_else(|| AppError::Conflict(Problem::new("problem.no_override")))?;
    let after = match before.computed {
        Some((n, d)) => {
            sqlx::query(
                "UPDATE assessment_metrics SET numerator = $1, denominator = $2, origin = 'computed', reason = '', \
                 source = 'override_removed', updated_by = $3, updated_at = $4 \
                 WHERE year = $5 AND unit_id = $6 AND metric = $7",
            )
            .bind(n)
            .bind(d)
            .bind(&actor.name)
            .bind(at)
            .bind(year)
            .bind(unit_id)
            .bind(metric)
            .execute(&mut **tx)
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
            .execute(&mut **tx)
            .await?;
            String::new()
        }
    };
    audit::record(
        tx,
        actor,
        at,
        "metric.override_remove",
        "metric",
        &format!("{year}/{unit_id}/{metric}"),
        json(&before),
        Some(serde_json::json!({ "value": after }).to_string()),
    )
    .await?;
    record_change(
        tx,
        actor,
        at,
        &Change {
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

/// Loads checked metric lines from an import file (`source` names it); a
/// line for a published year refuses the whole file. A line for a metric
/// the platform computes is an override whose reason is the import.
pub async fn import_metrics(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    lines: &[crate::domain::import::MetricLine],
    source: &str,
) -> Result<usize, AppError> {
    for l in lines {
        let unit = super::units::by_code(&mut **tx, &l.unit_code)
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "field.unit_code",
                    Problem::with("problem.unknown_unit", &[&l.unit_code]),
                )
            })?;
        open_unit(tx, l.year, unit.id).await?;
        save_metric(
            tx,
            actor,
            at,
            &EnteredMetric {
                year: l.year,
                unit_id: unit.id,
                metric: &l.metric,
                numerator: l.numerator,
                denominator: l.denominator,
                reason: source,
                source,
            },
        )
        .await?;
    }
    Ok(lines.len())
}

// ---- events and bonuses ----

/// An event to record against a unit's year.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub year: i64,
    pub unit_id: i64,
    pub event: String,
    pub count: i64,
    pub occurred_on: String,
    pub description: String,
    pub incident_id: Option<i64>,
}

const EVENT: &str = "SELECT id, year, unit_id, event, count, occurred_on, description, incident_id, created_by FROM assessment_events";

fn event_row(r: &AnyRow) -> EventRow {
    EventRow {
        id: r.get("id"),
        year: r.get("year"),
        unit_id: r.get("unit_id"),
        event: r.get("event"),
        count: r.get("count"),
        occurred_on: r.get("occurred_on"),
        description: r.get("description"),
        incident_id: r.get("incident_id"),
        created_by: r.get("created_by"),
    }
}

pub async fn events<'e, E>(
    db: E,
    year: i64,
    unit_id: Option<i64>,
) -> Result<Vec<EventRow>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let rows = sqlx::query(&format!(
        "{EVENT} WHERE year = $1 AND ($2 IS NULL OR unit_id = $2) ORDER BY occurred_on, id"
    ))
    .bind(year)
    .bind(unit_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(event_row).collect())
}

pub async fn add_event(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    e: &NewEvent,
) -> Result<i64, AppError> {
    open_unit(tx, e.year, e.unit_id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO assessment_events (year, unit_id, event, count, occurred_on, description, incident_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(e.year)
    .bind(e.unit_id)
    .bind(&e.event)
    .bind(e.count)
    .bind(&e.occurred_on)
    .bind(&e.description)
    .bind(e.incident_id)
    .bind(&actor.name)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    let row = sqlx::query(&format!("{EVENT} WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    record_change(
        tx,
        actor,
        at,
        &Change {
            year: e.year,
            unit_id: e.unit_id,
            item: format!("event:{}", e.event),
            before: String::new(),
            after: e.count.to_string(),
            cause: "event_added",
            source: match e.incident_id {
                Some(i) => format!("incident:{i}"),
                None => format!("event:{id}"),
            },
        },
    )
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "event.add",
        "event",
        &id.to_string(),
        None,
        json(&event_row(&row)),
    )
    .await?;
    Ok(id)
}

pub async fn remove_event(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    id: i64,
) -> Result<(), AppError> {
    let row = sqlx::query(&format!("{EVENT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(event_row)
        .ok_or(AppError::NotFound)?;
    if row.incident_id.is_some() {
        return Err(AppError::Conflict(Problem::new(
            "problem.event_from_incident",
        )));
    }
    open_unit(tx, row.year, row.unit_id).await?;
    sqlx::query("DELETE FROM assessment_events WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    record_change(
        tx,
        actor,
        at,
        &Change {
            year: row.year,
            unit_id: row.unit_id,
            item: format!("event:{}", row.event),
            before: row.count.to_string(),
            after: String::new(),
            cause: "event_removed",
            source: format!("event:{id}"),
        },
    )
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "event.remove",
        "event",
        &id.to_string(),
        json(&row),
        None,
    )
    .await?;
    Ok(())
}

/// The unit an event belongs to (for the caller's scope check).
pub async fn event_unit(pool: &AnyPool, id: i64) -> Result<Option<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT unit_id FROM assessment_events WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

fn bonus_row(r: &AnyRow) -> BonusRow {
    BonusRow {
        id: r.get("id"),
        year: r.get("year"),
        unit_id: r.get("unit_id"),
        points: Points(r.get("points")),
        reason: r.get("reason"),
        created_by: r.get("created_by"),
    }
}

const BONUS: &str = "SELECT id, year, unit_id, points, reason, created_by FROM assessment_bonuses";

pub async fn bonuses<'e, E>(
    db: E,
    year: i64,
    unit_id: Option<i64>,
) -> Result<Vec<BonusRow>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let rows = sqlx::query(&format!(
        "{BONUS} WHERE year = $1 AND ($2 IS NULL OR unit_id = $2) ORDER BY id"
    ))
    .bind(year)
    .bind(unit_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(bonus_row).collect())
}

pub async fn add_bonus(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    year: i64,
    unit_id: i64,
    points: Points,
    reason: &str,
) -> Result<i64, AppError> {
    open_unit(tx, year, unit_id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO assessment_bonuses (year, unit_id, points, reason, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(year)
    .bind(unit_id)
    .bind(points.0)
    .bind(reason)
    .bind(&actor.name)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    record_change(
        tx,
        actor,
        at,
        &Change {
            year,
            unit_id,
            item: "bonus".into(),
            before: String::new(),
            after: points.to_string(),
            cause: "bonus_added",
            source: format!("bonus:{id}"),
        },
    )
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "bonus.add",
        "bonus",
        &id.to_string(),
        None,
        Some(
            serde_json::json!({ "year": year, "unit_id": unit_id, "points": points.to_string(), "reason": reason })
                .to_string(),
        ),
    )
    .await?;
    Ok(id)
}

pub async fn remove_bonus(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    id: i64,
) -> Result<(), AppError> {
    let row = sqlx::query(&format!("{BONUS} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(bonus_row)
        .ok_or(AppError::NotFound)?;
    open_unit(tx, row.year, row.unit_id).await?;
    sqlx::query("DELETE FROM assessment_bonuses WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    record_change(
        tx,
        actor,
        at,
        &Change {
            year: row.year,
            unit_id: row.unit_id,
            item: "bonus".into(),
            before: row.points.to_string(),
            after: String::new(),
            cause: "bonus_removed",
            source: format!("bonus:{id}"),
        },
    )
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "bonus.remove",
        "bonus",
        &id.to_string(),
        json(&row),
        None,
    )
    .await?;
    Ok(())
}

pub async fn bonus_unit(pool: &AnyPool, id: i64) -> Result<Option<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT unit_id FROM assessment_bonuses WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

// ---- vetoes ----

const VETO: &str = "SELECT v.id, v.year, v.unit_id, u.code AS unit_code, u.name AS unit_name, v.reason, v.evidence, \
     v.status, v.proposed_by_id, v.proposed_by, v.proposed_at, v.decided_by, v.decided_at, v.decision_note, \
     v.revoked_by, v.revoke_reason, v.revoke_proposed_by_id, v.revoke_proposed_by, v.revoke_proposed_at \
     FROM assessment_vetoes v JOIN units u ON u.id = v.unit_id";

fn veto_row(r: &AnyRow) -> VetoRow {
    let status: String = r.get("status");
    VetoRow {
        id: r.get("id"),
        year: r.get("year"),
        unit_id: r.get("unit_id"),
        unit_code: r.get("unit_code"),
        unit_name: r.get("unit_name"),
        reason: r.get("reason"),
        evidence: r.get("evidence"),
        status: VetoStatus::parse(&status).unwrap_or(VetoStatus::Proposed),
        proposed_by_id: r.get("proposed_by_id"),
        proposed_by: r.get("proposed_by"),
        proposed_at: r.get("proposed_at"),
        decided_by: r.get("decided_by"),
        decided_at: r.get("decided_at"),
        decision_note: r.get("decision_note"),
        revoked_by: r.get("revoked_by"),
        revoke_reason: r.get("revoke_reason"),
        revoke_proposed_by_id: r.get("revoke_proposed_by_id"),
        revoke_proposed_by: r.get("revoke_proposed_by"),
        revoke_proposed_at: r.get("revoke_proposed_at"),
        locked: false,
    }
}

/// Vetoes of a year, optionally of one unit, newest first.
pub async fn vetoes<'e, E>(
    db: E,
    year: Option<i64>,
    unit_id: Option<i64>,
) -> Result<Vec<VetoRow>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let rows = sqlx::query(&format!(
        "{VETO} WHERE ($1 IS NULL OR v.year = $1) AND ($2 IS NULL OR v.unit_id = $2) ORDER BY v.proposed_at DESC, v.id DESC"
    ))
    .bind(year)
    .bind(unit_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(veto_row).collect())
}

pub async fn get_veto<'e, E>(db: E, id: i64) -> Result<Option<VetoRow>, AppError>
where
    E: Executor<'e, Database = Any>,
{
    let row = sqlx::query(&format!("{VETO} WHERE v.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.as_ref().map(veto_row))
}

#[allow(clippy::too_many_arguments)]
pub async fn propose_veto(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    year: i64,
    unit_id: i64,
    reason: &str,
    evidence: &str,
) -> Result<i64, AppError> {
    open_unit(tx, year, unit_id).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO assessment_vetoes (year, unit_id, reason, evidence, status, proposed_by_id, proposed_by, proposed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(year)
    .bind(unit_id)
    .bind(reason)
    .bind(evidence)
    .bind(VetoStatus::Proposed.code())
    .bind(actor.id)
    .bind(&actor.name)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    let after = get_veto(&mut **tx, id).await?;
    audit::record(
        tx,
        actor,
        at,
        "veto.propose",
        "veto",
        &id.to_string(),
        None,
        after.as_ref().and_then(json),
    )
    .await?;
    Ok(id)
}

/// Confirms or rejects a proposed veto. `rule` decides the new status
/// from the veto as read inside this transaction (so the check and the
/// write see the same row), and the write only happens if the status is
/// still the one checked; `note` is the decision's note. Revoking a
/// confirmed veto goes through `revocation`.
pub async fn change_veto(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    id: i64,
    rule: impl FnOnce(&VetoRow) -> Result<VetoStatus, AppError>,
    note: &str,
) -> Result<(), AppError> {
    let before = get_veto(&mut **tx, id).await?.ok_or(AppError::NotFound)?;
    open_unit(tx, before.year, before.unit_id).await?;
    let to = rule(&before)?;
    let action = match to {
        VetoStatus::Confirmed => "veto.confirm",
        VetoStatus::Rejected => "veto.reject",
        // Revoking takes two people: see `revocation`.
        VetoStatus::Proposed | VetoStatus::Revoked => {
            return Err(AppError::Conflict(Problem::new("problem.veto_not_pending")));
        }
    };
    let sql = "UPDATE assessment_vetoes SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4 \
         WHERE id = $5 AND status = $6";
    let done = sqlx::query(sql)
        .bind(to.code())
        .bind(&actor.name)
        .bind(at)
        .bind(note)
        .bind(id)
        .bind(before.status.code())
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() != 1 {
        // Someone else decided it in the meantime.
        return Err(AppError::Conflict(Problem::new("problem.veto_not_pending")));
    }
    if to == VetoStatus::Confirmed {
        record_change(
            tx,
            actor,
            at,
            &Change {
                year: before.year,
                unit_id: before.unit_id,
                item: "veto".into(),
                before: String::new(),
                after: to.code().into(),
                cause: "veto_confirmed",
                source: format!("veto:{id}"),
            },
        )
        .await?;
    }
    let after = get_veto(&mut **tx, id).await?;
    audit::record(
        tx,
        actor,
        at,
        action,
        "veto",
        &id.to_string(),
        json(&before),
        after.as_ref().and_then(json),
    )
    .await?;
    Ok(())
}

/// A step of revoking a confirmed veto, which takes two assessors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// One assessor asks, with a reason; the veto stays confirmed.
    Propose,
    /// Another assessor agrees: the veto is revoked.
    Confirm,
    /// Another assessor refuses: the request is closed, the veto stands.
    Reject,
}

impl Revocation {
    fn action(self) -> &'static str {
        match self {
            Revocation::Propose => "veto.revoke_propose",
            Revocation::Confirm => "veto.revoke",
            Revocation::Reject => "veto.revoke_reject",
        }
    }
}

/// Takes one step of revoking a confirmed veto. `rule` checks it against
/// the veto as read inside this transaction; the write only happens if the
/// veto (and the pending request, when deciding one) is still the one
/// checked. `note` is the reason of a request, or the decision's note
/// (kept in the audit row).
pub async fn revocation(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    id: i64,
    step: Revocation,
    rule: impl FnOnce(&VetoRow) -> Result<(), AppError>,
    note: &str,
) -> Result<(), AppError> {
    let before = get_veto(&mut **tx, id).await?.ok_or(AppError::NotFound)?;
    open_unit(tx, before.year, before.unit_id).await?;
    rule(&before)?;
    let confirmed = VetoStatus::Confirmed.code();
    let done = match step {
        Revocation::Propose => {
            sqlx::query(
                "UPDATE assessment_vetoes SET revoke_proposed_by_id = $1, revoke_proposed_by = $2, \
                 revoke_proposed_at = $3, revoke_reason = $4 \
                 WHERE id = $5 AND status = $6 AND revoke_proposed_at IS NULL",
            )
            .bind(actor.id)
            .bind(&actor.name)
            .bind(at)
            .bind(note)
            .bind(id)
            .bind(confirmed)
            .execute(&mut **tx)
            .await?
        }
        Revocation::Confirm | Revocation::Reject => {
            let (Some(proposed_at), Some(proposed_by)) = (
                before.revoke_proposed_at,
                before.revoke_proposed_by.as_deref(),
            ) else {
                return Err(AppError::Conflict(Problem::new(
                    "problem.no_revocation_pending",
                )));
            };
            if step == Revocation::Confirm {
                sqlx::query(
                    "UPDATE assessment_vetoes SET status = $1, revoked_by_id = $2, revoked_by = $3, revoked_at = $4 \
                     WHERE id = $5 AND status = $6 AND revoke_proposed_at = $7 AND revoke_proposed_by = $8",
                )
                .bind(VetoStatus::Revoked.code())
                .bind(actor.id)
                .bind(&actor.name)
                .bind(at)
                .bind(id)
                .bind(confirmed)
                .bind(proposed_at)
                .bind(proposed_by)
                .execute(&mut **tx)
                .await?
            } else {
                sqlx::query(
                    "UPDATE assessment_vetoes SET revoke_proposed_by_id = NULL, revoke_proposed_by = NULL, \
                     revoke_proposed_at = NULL, revoke_reason = NULL \
                     WHERE id = $1 AND status = $2 AND revoke_proposed_at = $3 AND revoke_proposed_by = $4",
                )
                .bind(id)
                .bind(confirmed)
                .bind(proposed_at)
                .bind(proposed_by)
                .execute(&mut **tx)
                .await?
            }
        }
    };
    if done.rows_affected() != 1 {
        // Someone else took a step in the meantime.
        return Err(AppError::Conflict(Problem::new(match step {
            Revocation::Propose => "problem.revocation_pending",
            _ => "problem.no_revocation_pending",
        })));
    }
    if step == Revocation::Confirm {
        record_change(
            tx,
            actor,
            at,
            &Change {
                year: before.year,
                unit_id: before.unit_id,
                item: "veto".into(),
                before: VetoStatus::Confirmed.code().into(),
                after: VetoStatus::Revoked.code().into(),
                cause: "veto_revoked",
                source: format!("veto:{id}"),
            },
        )
        .await?;
    }
    let after = get_veto(&mut **tx, id).await?;
    audit::record(
        tx,
        actor,
        at,
        step.action(),
        "veto",
        &id.to_string(),
        json(&before),
        Some(serde_json::json!({ "veto": after, "note": note }).to_string()),
    )
    .await?;
    Ok(())
}

// ---- incidents ----

#[derive(Debug, Clone)]
pub struct NewIncident {
    pub unit_id: i64,
    pub level: Level,
    pub title: String,
    pub occurred_at: i64,
    pub reported_at: i64,
    pub reported_by: String,
}

pub async fn create_incident(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    i: &NewIncident,
) -> Result<i64, AppError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO incidents (unit_id, level, title, occurred_at, reported_at, reported_by, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(i.unit_id)
    .bind(i.level.code())
    .bind(&i.title)
    .bind(i.occurred_at)
    .bind(i.reported_at)
    .bind(&i.reported_by)
    .bind(&actor.name)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "incident.create",
        "incident",
        &id.to_string(),
        None,
        Some(
            serde_json::json!({
                "unit_id": i.unit_id, "level": i.level.code(), "title": i.title,
                "occurred_at": i.occurred_at, "reported_at": i.reported_at, "reported_by": i.reported_by
            })
            .to_string(),
        ),
    )
    .await?;
    Ok(id)
}

const INCIDENT: &str = "SELECT i.id, i.unit_id, u.name AS unit_name, i.level, i.title, i.occurred_at, \
     i.reported_at, i.reported_by FROM incidents i JOIN units u ON u.id = i.unit_id";

fn incident_row(r: &AnyRow, events: Vec<String>) -> IncidentRow {
    let level: String = r.get("level");
    IncidentRow {
        id: r.get("id"),
        unit_id: r.get("unit_id"),
        unit_name: r.get("unit_name"),
        level: Level::parse(&level).unwrap_or(Level::General),
        title: r.get("title"),
        occurred_at: r.get("occurred_at"),
        reported_at: r.get("reported_at"),
        reported_by: r.get("reported_by"),
        events,
    }
}

/// Incidents that happened in [from, to), newest first, each with the
/// event types recorded from it.
pub async fn incidents(pool: &AnyPool, from: i64, to: i64) -> Result<Vec<IncidentRow>, AppError> {
    let rows = sqlx::query(&format!(
        "{INCIDENT} WHERE i.occurred_at >= $1 AND i.occurred_at < $2 ORDER BY i.occurred_at DESC, i.id DESC"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let events = sqlx::query(
        "SELECT e.incident_id, e.event FROM assessment_events e JOIN incidents i ON i.id = e.incident_id \
         WHERE i.occurred_at >= $1 AND i.occurred_at < $2 ORDER BY e.id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let mut by_incident: HashMap<i64, Vec<String>> = HashMap::new();
    for r in &events {
        by_incident
            .entry(r.get("incident_id"))
            .or_default()
            .push(r.get("event"));
    }
    Ok(rows
        .iter()
        .map(|r| {
            let events = by_incident
                .remove(&r.get::<i64, _>("id"))
                .unwrap_or_default();
            incident_row(r, events)
        })
        .collect())
}

pub async fn get_incident(pool: &AnyPool, id: i64) -> Result<Option<IncidentRow>, AppError> {
    let row = sqlx::query(&format!("{INCIDENT} WHERE i.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| incident_row(&r, Vec::new())))
}

// ---- evaluation ----

/// The units a scheme assesses, in tree order: one plain query, without
/// the people counts and parent names that the unit list pages carry.
pub async fn units_of_kinds(
    c: &mut sqlx::AnyConnection,
    kinds: &[UnitKind],
) -> Result<Vec<Unit>, AppError> {
    let rows = sqlx::query(
        "SELECT id, code, name, kind, parent_id, path, min_on_duty FROM units \
         WHERE $1 LIKE '%|' || kind || '|%' ORDER BY path",
    )
    .bind(kinds_text(kinds))
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let kind: String = r.get("kind");
            Unit {
                id: r.get("id"),
                code: r.get("code"),
                name: r.get("name"),
                kind: UnitKind::parse(&kind).unwrap_or(UnitKind::Department),
                parent_id: r.get("parent_id"),
                parent_name: None,
                path: r.get("path"),
                min_on_duty: r.get("min_on_duty"),
                people: 0,
            }
        })
        .collect())
}

/// A scheme's units (every unit of its kinds) with their sheets built from
/// the stored scores, metrics, events, bonuses and confirmed vetoes: what
/// the rules read while the year is open.
pub async fn live_sheets(
    c: &mut sqlx::AnyConnection,
    scheme: &StoredScheme,
) -> Result<Vec<(Unit, Sheet)>, AppError> {
    let def = &scheme.def;
    let year = def.year as i64;
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
    let score_rows = sqlx::query(
        "SELECT unit_id, indicator, points FROM assessment_scores WHERE scheme_id = $1",
    )
    .bind(scheme.id)
    .fetch_all(&mut *c)
    .await?;
    for r in &score_rows {
        let indicator: &str = r.get("indicator");
        if let (Some(&u), Some(&i)) = (
            index.get(&r.get::<i64, _>("unit_id")),
            ind_index.get(indicator),
        ) && indicators[i].method == Method::Manual
        {
            sheets[u].entries[i] = Entry::Score(Points(r.get("points")));
        }
    }
    let by_metric: HashMap<(i64, String), (i64, i64)> = metrics(&mut *c, year)
        .await?
        .into_iter()
        .map(|m| ((m.unit_id, m.metric), (m.numerator, m.denominator)))
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
    let event_rows =
        sqlx::query("SELECT unit_id, event, count FROM assessment_events WHERE year = $1")
            .bind(year)
            .fetch_all(&mut *c)
            .await?;
    for e in &event_rows {
        let event: &str = e.get("event");
        if let (Some(&u), Some(&r)) = (
            index.get(&e.get::<i64, _>("unit_id")),
            rule_index.get(event),
        ) {
            sheets[u].events.push((r, e.get("count")));
        }
    }
    let bonus_rows = sqlx::query("SELECT unit_id, points FROM assessment_bonuses WHERE year = $1")
        .bind(year)
        .fetch_all(&mut *c)
        .await?;
    for b in &bonus_rows {
        if let Some(&u) = index.get(&b.get::<i64, _>("unit_id")) {
            sheets[u].bonuses.push(Points(b.get("points")));
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

/// A scheme's units with their outcomes: a published year's from the
/// evidence frozen at publication, an open year's from the stored records.
///
/// Kept until the data moves (`platform::memo`): the ranking, the unit
/// pages' year-over-year trend, the exports and the publication check read
/// one evaluation per version of the data. The key holds the scheme as the
/// caller read it, so that a scheme changed between that read and the
/// version's is not kept under the newer version.
pub async fn evaluate_scheme(
    db: &super::Db,
    scheme: &StoredScheme,
) -> Result<std::sync::Arc<Vec<(Unit, Outcome)>>, AppError> {
    use std::hash::{Hash, Hasher};
    let mut fingerprint = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(scheme)
        .map_err(|_| AppError::Internal)?
        .hash(&mut fingerprint);
    let key = format!("evaluate_scheme:{}:{:x}", scheme.id, fingerprint.finish());
    db.memo
        .get_or(&db.pool, key, async || {
            let mut c = db.pool.acquire().await?;
            let sheets = match (scheme.published, scheme.snapshot_id) {
                (true, Some(snapshot)) => snapshot_sheets(&mut c, snapshot).await?,
                _ => live_sheets(&mut c, scheme).await?,
            };
            drop(c);
            let (units, sheets): (Vec<Unit>, Vec<Sheet>) = sheets.into_iter().unzip();
            let outcomes = evaluate(&scheme.def.scheme, &sheets);
            Ok(units.into_iter().zip(outcomes).collect())
        })
        .await
}

// ---- the evidence frozen at publication ----

fn unreadable(e: serde_json::Error) -> AppError {
    tracing::error!(error = %e, "unreadable snapshot");
    AppError::Internal
}

async fn snapshot_sheets(
    c: &mut sqlx::AnyConnection,
    snapshot: i64,
) -> Result<Vec<(Unit, Sheet)>, AppError> {
    let rows =
        sqlx::query("SELECT unit, sheet FROM assessment_snapshot_units WHERE snapshot_id = $1")
            .bind(snapshot)
            .fetch_all(&mut *c)
            .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let unit: Unit = serde_json::from_str(r.get("unit")).map_err(unreadable)?;
        let sheet: Sheet = serde_json::from_str(r.get("sheet")).map_err(unreadable)?;
        out.push((unit, sheet));
    }
    out.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    Ok(out)
}

/// One unit's frozen detail in a snapshot.
pub async fn snapshot_detail(
    pool: &AnyPool,
    snapshot: i64,
    unit_id: i64,
) -> Result<Option<SnapshotDetail>, AppError> {
    let row: Option<String> = sqlx::query_scalar(
        "SELECT detail FROM assessment_snapshot_units WHERE snapshot_id = $1 AND unit_id = $2",
    )
    .bind(snapshot)
    .bind(unit_id)
    .fetch_optional(pool)
    .await?;
    row.map(|d| serde_json::from_str(&d).map_err(unreadable))
        .transpose()
}

/// Freezes what a scheme's results read now: every unit's sheet and the
/// detail its explanation shows (scores, metric values with where they
/// came from and the records they counted, events, bonuses, vetoes), and
/// points the scheme at it. Called by `publish`, in its transaction.
pub async fn take_snapshot(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    scheme: &StoredScheme,
) -> Result<i64, AppError> {
    let year = scheme.def.year as i64;
    let sheets = live_sheets(tx, scheme).await?;
    let mut details: HashMap<i64, SnapshotDetail> = HashMap::new();
    for s in scores(&mut **tx, scheme.id, None).await? {
        details.entry(s.unit_id).or_default().scores.push(s);
    }
    for m in metrics(&mut **tx, year).await? {
        details.entry(m.unit_id).or_default().metrics.push(m);
    }
    for e in events(&mut **tx, year, None).await? {
        details.entry(e.unit_id).or_default().events.push(e);
    }
    for b in bonuses(&mut **tx, year, None).await? {
        details.entry(b.unit_id).or_default().bonuses.push(b);
    }
    for v in vetoes(&mut **tx, Some(year), None).await? {
        details.entry(v.unit_id).or_default().vetoes.push(v);
    }
    let today = crate::platform::today_at(at)?;
    let mut evidence = super::evidence::all(tx, year as i32, today).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO assessment_snapshots (scheme_id, taken_at, taken_by) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(scheme.id)
    .bind(at)
    .bind(&actor.name)
    .fetch_one(&mut **tx)
    .await?;
    let keys: Vec<&str> = scheme
        .def
        .scheme
        .indicators
        .iter()
        .filter(|i| matches!(i.method, Method::Ratio { .. }))
        .map(|i| i.metric_key())
        .collect();
    for (unit, sheet) in &sheets {
        let mut detail = details.remove(&unit.id).unwrap_or_default();
        detail.metrics.retain(|m| keys.contains(&m.metric.as_str()));
        for key in &keys {
            if let Some(list) = evidence.remove(&(unit.id, key.to_string())) {
                detail.evidence.push((key.to_string(), list));
            }
        }
        sqlx::query(
            "INSERT INTO assessment_snapshot_units (snapshot_id, unit_id, unit, sheet, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(unit.id)
        .bind(serde_json::to_string(unit).map_err(unreadable)?)
        .bind(serde_json::to_string(sheet).map_err(unreadable)?)
        .bind(serde_json::to_string(&detail).map_err(unreadable)?)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("UPDATE assessment_schemes SET snapshot_id = $1 WHERE id = $2")
        .bind(id)
        .bind(scheme.id)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

/// Published schemes without a snapshot (published before snapshots
/// existed) get one, taken from the records as they stand; run once at
/// start-up. Returns how many.
pub async fn backfill_snapshots(tx: &mut Transaction<'_, Any>, at: i64) -> Result<usize, AppError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM assessment_schemes WHERE published = 1 AND snapshot_id IS NULL",
    )
    .fetch_all(&mut **tx)
    .await?;
    for id in &ids {
        if let Some(scheme) = get_scheme(&mut **tx, *id).await? {
            take_snapshot(tx, &Actor::system("snapshot-backfill"), at, &scheme).await?;
        }
    }
    Ok(ids.len())
}

// ---- loading a sheet file ----

/// What `import_sheet` loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub scheme_id: i64,
    pub units_created: usize,
    pub scores: usize,
    pub ratios: usize,
    pub events: usize,
    pub bonuses: usize,
    pub vetoes: usize,
}

/// Loads a checked sheet file in one transaction the caller commits: the
/// scheme (refused if its code exists or a kind is taken that year), units
/// it names that the district lacks (created at the top level; a unit with
/// the same code but another kind is refused), scores, ratios as metrics,
/// events, bonuses, and vetoes as confirmed.
pub async fn import_sheet(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    file: &crate::domain::scoring_sheet::SheetFile,
) -> Result<Imported, String> {
    use crate::domain::scheme::DEFAULT_DEADLINES;
    let def = SchemeDef {
        code: file.code.clone(),
        year: file.year as i32,
        name: file.name.clone(),
        unit_kinds: file.unit_kinds.clone(),
        scheme: file.scheme.clone(),
        deadlines: DEFAULT_DEADLINES,
    };
    let db_err = |e: AppError| format!("database: {e}");
    let existing: Vec<StoredScheme> = schemes_of_year(tx, def.year as i64).await.map_err(db_err)?;
    if existing.iter().any(|s| s.def.code == def.code) {
        return Err(format!(
            "scheme.code: a scheme \"{}\" already exists",
            def.code
        ));
    }
    let scheme_id = create_scheme(tx, actor, at, &def)
        .await
        .map_err(|e| match e {
            AppError::Invalid { problem, .. } if problem.key == "problem.kind_in_other_scheme" => {
                format!(
                    "scheme.unit_kinds: another {} scheme already assesses units of kind \"{}\"",
                    def.year,
                    problem.args.first().cloned().unwrap_or_default()
                )
            }
            e => db_err(e),
        })?;
    let mut summary = Imported {
        scheme_id,
        units_created: 0,
        scores: 0,
        ratios: 0,
        events: 0,
        bonuses: 0,
        vetoes: 0,
    };
    let mut ids: HashMap<String, i64> = HashMap::new();
    for (i, u) in file.units.iter().enumerate() {
        let id = match super::units::by_code(&mut **tx, &u.code)
            .await
            .map_err(|e| db_err(e.into()))?
        {
            Some(found) if found.kind != u.kind => {
                return Err(format!(
                    "units[{i}].kind: unit \"{}\" is a {} in the district, not a {}",
                    u.code,
                    found.kind.code(),
                    u.kind.code()
                ));
            }
            Some(found) => found.id,
            None => {
                let draft = crate::domain::unit::UnitDraft {
                    code: u.code.clone(),
                    name: u.name.clone(),
                    kind: u.kind,
                    min_on_duty: 0,
                };
                summary.units_created += 1;
                super::units::create(&mut crate::platform::Write::within(tx, actor, at), &draft, None)
                    .await
                    .map_err(|e| match e {
                        AppError::Invalid { .. } => format!(
                            "units[{i}]: unit \"{}\" is not in the district, and a {} cannot be created at the top level; import the unit tree first",
                            u.code,
                            u.kind.code()
                        ),
                        e => db_err(e),
                    })?
            }
        };
        ids.insert(u.code.clone(), id);
    }
    let year = file.year;
    let year_day = |d: &Option<String>| d.clone().unwrap_or_else(|| format!("{year}-12-31"));
    for (sheet, u) in file.sheets.iter().zip(&file.units) {
        let unit_id = ids[&u.code];
        for (i, entry) in sheet.entries.iter().enumerate() {
            let ind = &file.scheme.indicators[i];
            match entry {
                Entry::Score(p) => {
                    save_score(
                        tx,
                        actor,
                        at,
                        (scheme_id, year),
                        unit_id,
                        &ind.code,
                        Some(*p),
                        "",
                    )
                    .await
                    .map_err(db_err)?;
                    summary.scores += 1;
                }
                Entry::Ratio(n, d) => {
                    let source = format!("sheet:{}", file.code);
                    save_metric(
                        tx,
                        actor,
                        at,
                        &EnteredMetric {
                            year,
                            unit_id,
                            metric: ind.metric_key(),
                            numerator: *n,
                            denominator: *d,
                            reason: &source,
                            source: &source,
                        },
                    )
                    .await
                    .map_err(db_err)?;
                    summary.ratios += 1;
                }
                Entry::Missing => {}
            }
        }
    }
    let r = &file.records;
    for (unit, event, count, date) in &r.events {
        add_event(
            tx,
            actor,
            at,
            &NewEvent {
                year,
                unit_id: ids[unit],
                event: event.clone(),
                count: *count,
                occurred_on: year_day(date),
                description: String::new(),
                incident_id: None,
            },
        )
        .await
        .map_err(db_err)?;
        summary.events += 1;
    }
    for (unit, points, reason) in &r.bonuses {
        add_bonus(tx, actor, at, year, ids[unit], *points, reason)
            .await
            .map_err(db_err)?;
        summary.bonuses += 1;
    }
    for (unit, reason) in &r.vetoes {
        let id = propose_veto(tx, actor, at, year, ids[unit], reason, "")
            .await
            .map_err(db_err)?;
        change_veto(
            tx,
            actor,
            at,
            id,
            |_| Ok(VetoStatus::Confirmed),
            "imported from a sheet file",
        )
        .await
        .map_err(db_err)?;
        summary.vetoes += 1;
    }
    Ok(summary)
}
