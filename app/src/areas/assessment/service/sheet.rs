//! The scoring sheet's records: manual scores, events, bonuses and metric
//! values (entered, or overrides of computed ones), each refused for a
//! published year and within the assessor's reach.

use super::super::dto::{MetricTable, ScoreInput};
use super::super::store::events::NewEvent;
use super::super::store::metrics::EnteredMetric;
use super::super::store::{bonuses, events, metrics, schemes, scores};
use super::{date_or_today, open_unit, scheme, sheet_target, unit_to_assess};
use crate::areas::directory::service as directory;
use crate::domain::assessment::{
    MAX_EVENT_COUNT, MAX_ITEM_POINTS, MAX_RATIO_TERM, Method, Points, manual_points,
};
use crate::domain::authz::Action;
use crate::domain::{Problem, code_field, text_field};
use crate::error::AppError;
use crate::platform::{Ctx, Write};
use chrono::Datelike;

/// Saves a unit's manual scores (blank clears one); returns how many
/// changed. Every value is checked before anything is written.
pub async fn save_scores(
    cx: &Ctx,
    scheme_id: i64,
    unit_id: i64,
    input: &[ScoreInput],
) -> Result<usize, AppError> {
    cx.may(Action::Assess)?;
    let (scheme, unit) = sheet_target(cx, scheme_id, unit_id).await?;
    let mut checked = Vec::new();
    for (row, s) in input.iter().enumerate() {
        let field = |f: &str| format!("field.score_row:{}:{f}", row + 1);
        let ind = scheme
            .def
            .scheme
            .indicators
            .iter()
            .find(|i| i.code == s.indicator && i.method == Method::Manual)
            .ok_or_else(|| AppError::Invalid {
                field: field("field.indicator"),
                problem: Problem::with("problem.unknown_indicator", &[&s.indicator]),
            })?;
        let points = manual_points(&s.points, ind.max).map_err(|problem| AppError::Invalid {
            field: field("field.points"),
            problem,
        })?;
        let note = if s.note.trim().is_empty() {
            String::new()
        } else {
            text_field(&s.note, 1, 500).map_err(|problem| AppError::Invalid {
                field: field("field.note"),
                problem,
            })?
        };
        checked.push((ind.code.clone(), points, note));
    }
    let year = i64::from(scheme.def.year);
    let mut w = cx.write().await?;
    open_unit(&mut w, year, unit.id).await?;
    let mut changed = 0;
    for (indicator, points, note) in &checked {
        if scores::set(
            &mut w,
            (scheme.id, year),
            unit.id,
            indicator,
            (*points, note),
        )
        .await?
        {
            changed += 1;
        }
    }
    w.commit().await?;
    Ok(changed)
}

/// Records an event inside `w` once the unit's year is open (the
/// incidents' automatic `late_report`, a sheet file's events).
pub async fn add_event_in(w: &mut Write<'_>, e: &NewEvent) -> Result<i64, AppError> {
    open_unit(w, e.year, e.unit_id).await?;
    events::add(w, e).await
}

/// Records an automatic event from another area's record (a failed duty
/// check, ...) inside that area's write, unless the unit's year is already
/// published: then nothing is recorded and `None` says so (the record
/// stands without its deduction, as the published ranking does).
pub async fn add_event_if_open(w: &mut Write<'_>, e: &NewEvent) -> Result<Option<i64>, AppError> {
    let unit = directory::unit_in(w.conn(), e.unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if crate::platform::metrics::published_scheme(w.conn(), e.year, unit.kind)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    Ok(Some(events::add(w, e).await?))
}

/// Records an event (late report, absence from the duty post, ...) against
/// a unit's year.
pub async fn add_event(
    cx: &Ctx,
    (scheme_id, unit_id): (i64, i64),
    event: &str,
    (count, occurred_on): (&str, &str),
    description: &str,
) -> Result<i64, AppError> {
    cx.may(Action::Assess)?;
    let (scheme, unit) = sheet_target(cx, scheme_id, unit_id).await?;
    let event = code_field(event).map_err(|p| AppError::invalid("field.event", p))?;
    let count = match count.trim() {
        "" => 1,
        c => c
            .parse::<i64>()
            .ok()
            .filter(|c| (1..=MAX_EVENT_COUNT).contains(c))
            .ok_or_else(|| {
                AppError::invalid(
                    "field.count",
                    Problem::with("problem.between", &["1", &MAX_EVENT_COUNT.to_string()]),
                )
            })?,
    };
    let day = date_or_today(cx, occurred_on, "field.occurred_on")?;
    if day.year() != scheme.def.year {
        return Err(AppError::invalid(
            "field.occurred_on",
            Problem::with("problem.not_in_year", &[&scheme.def.year.to_string()]),
        ));
    }
    let description =
        text_field(description, 2, 500).map_err(|p| AppError::invalid("field.description", p))?;
    let mut w = cx.write().await?;
    let id = add_event_in(
        &mut w,
        &NewEvent {
            year: scheme.def.year.into(),
            unit_id: unit.id,
            event,
            count,
            occurred_on: day.to_string(),
            description,
            incident_id: None,
            source: None,
        },
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// Removes an event an assessor recorded (one from an incident stays).
pub async fn remove_event(cx: &Ctx, id: i64) -> Result<(), AppError> {
    cx.may(Action::Assess)?;
    let unit_id = events::unit_of(cx.pool(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    unit_to_assess(cx, unit_id).await?;
    let mut w = cx.write().await?;
    let row = events::get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
    if row.incident_id.is_some() {
        return Err(AppError::Conflict(Problem::new(
            "problem.event_from_incident",
        )));
    }
    if row.source.is_some() {
        return Err(AppError::Conflict(Problem::new(
            "problem.event_from_source",
        )));
    }
    open_unit(&mut w, row.year, row.unit_id).await?;
    events::remove(&mut w, &row, &format!("event:{}", row.id)).await?;
    w.commit().await?;
    Ok(())
}

/// Withdraws an automatic event whose source record was set aside (a
/// missed daily report the office excused), inside the caller's write:
/// the change log names `source`. `Conflict` when the unit's year is
/// published; nothing when the event is gone already.
pub async fn withdraw_event(w: &mut Write<'_>, id: i64, source: &str) -> Result<(), AppError> {
    let Some(row) = events::get(w.conn(), id).await? else {
        return Ok(());
    };
    open_unit(w, row.year, row.unit_id).await?;
    events::remove(w, &row, source).await
}

pub async fn add_bonus(
    cx: &Ctx,
    (scheme_id, unit_id): (i64, i64),
    points: &str,
    reason: &str,
) -> Result<i64, AppError> {
    cx.may(Action::Assess)?;
    let (scheme, unit) = sheet_target(cx, scheme_id, unit_id).await?;
    let points = match Points::parse(points) {
        Some(p) if p > Points::ZERO && p <= MAX_ITEM_POINTS => p,
        _ => {
            return Err(AppError::invalid(
                "field.points",
                Problem::with("problem.between", &["0.1", &MAX_ITEM_POINTS.to_string()]),
            ));
        }
    };
    let reason = text_field(reason, 2, 200).map_err(|p| AppError::invalid("field.reason", p))?;
    let year = i64::from(scheme.def.year);
    let mut w = cx.write().await?;
    let id = add_bonus_in(&mut w, year, unit.id, points, &reason).await?;
    w.commit().await?;
    Ok(id)
}

/// Adds a bonus inside `w`, refused for a published year (the demo seed
/// and the sheet form both come here).
pub async fn add_bonus_in(
    w: &mut Write<'_>,
    year: i64,
    unit_id: i64,
    points: Points,
    reason: &str,
) -> Result<i64, AppError> {
    open_unit(w, year, unit_id).await?;
    bonuses::add(w, year, unit_id, points, reason).await
}

pub async fn remove_bonus(cx: &Ctx, id: i64) -> Result<(), AppError> {
    cx.may(Action::Assess)?;
    let unit_id = bonuses::unit_of(cx.pool(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    unit_to_assess(cx, unit_id).await?;
    let mut w = cx.write().await?;
    let row = bonuses::get(w.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    open_unit(&mut w, row.year, row.unit_id).await?;
    bonuses::remove(&mut w, &row).await?;
    w.commit().await?;
    Ok(())
}

/// The metric table of a year (0: this year): units of the year's schemes
/// within reach, the metrics their ratio indicators read, and the values.
pub async fn metric_table(cx: &Ctx, year: i64) -> Result<MetricTable, AppError> {
    cx.may(Action::ViewAssessment)?;
    let year = if year > 0 {
        year
    } else {
        cx.today.year().into()
    };
    let pool = cx.pool();
    let mut kinds = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for s in schemes::list(pool)
        .await?
        .into_iter()
        .filter(|s| s.year == year)
    {
        let scheme = scheme(pool, s.id).await?;
        for i in &scheme.def.scheme.indicators {
            if matches!(i.method, Method::Ratio { .. }) && !keys.iter().any(|m| m == i.metric_key())
            {
                keys.push(i.metric_key().to_string());
            }
        }
        kinds.extend(scheme.def.unit_kinds.iter().copied());
    }
    let mut units = Vec::new();
    for kind in kinds {
        units.extend(directory::list_units(cx, String::new(), kind.code()).await?);
    }
    units.sort_by(|a, b| a.path.cmp(&b.path));
    units.retain(|u| cx.me.may_at(Action::ViewAssessment, &u.path));
    // Values of the units within reach only, as the units listed.
    let values = metrics::within(pool, year, &cx.me.reach(Action::ViewAssessment)).await?;
    Ok(MetricTable {
        year,
        units,
        metrics: keys,
        values,
    })
}

/// Enters one metric value (numerator of denominator) for a unit's year.
/// For a metric the platform computes this is an override, and needs a
/// reason; it stands until removed, later syncs keeping the computed value
/// beside it.
pub async fn save_metric(
    cx: &Ctx,
    (year, unit_id): (i64, i64),
    metric: &str,
    (numerator, denominator): (&str, &str),
    reason: &str,
) -> Result<(), AppError> {
    cx.may(Action::Assess)?;
    unit_to_assess(cx, unit_id).await?;
    if !(2000..=2100).contains(&year) {
        return Err(AppError::invalid(
            "field.year",
            Problem::new("problem.bad_year"),
        ));
    }
    let metric = code_field(metric).map_err(|p| AppError::invalid("field.metric", p))?;
    let whole = |raw: &str, field: &str| {
        raw.trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=MAX_RATIO_TERM).contains(n))
            .ok_or_else(|| {
                AppError::invalid(
                    field,
                    Problem::with("problem.between", &["0", &MAX_RATIO_TERM.to_string()]),
                )
            })
    };
    let n = whole(numerator, "field.numerator")?;
    let d = whole(denominator, "field.denominator")?;
    let reason = match reason.trim() {
        "" if crate::domain::evidence::is_computed(&metric) => {
            return Err(AppError::invalid(
                "field.reason",
                Problem::new("problem.override_needs_reason"),
            ));
        }
        "" => String::new(),
        text => text_field(text, 2, 500).map_err(|p| AppError::invalid("field.reason", p))?,
    };
    let mut w = cx.write().await?;
    open_unit(&mut w, year, unit_id).await?;
    metrics::save(
        &mut w,
        &EnteredMetric {
            year,
            unit_id,
            metric: &metric,
            numerator: n,
            denominator: d,
            reason: &reason,
            source: "form",
        },
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// Takes an assessor's override of a computed metric back: the computed
/// value counts again.
pub async fn remove_metric_override(
    cx: &Ctx,
    year: i64,
    unit_id: i64,
    metric: &str,
) -> Result<(), AppError> {
    cx.may(Action::Assess)?;
    unit_to_assess(cx, unit_id).await?;
    let mut w = cx.write().await?;
    open_unit(&mut w, year, unit_id).await?;
    metrics::remove_override(&mut w, year, unit_id, metric).await?;
    w.commit().await?;
    Ok(())
}

/// Loads checked metric lines of an import file (`source` names it) inside
/// the importer's write; a line for a published year refuses the whole
/// file. A line for a metric the platform computes is an override whose
/// reason is the import.
pub async fn import_metrics(
    w: &mut Write<'_>,
    lines: &[crate::domain::import::MetricLine],
    source: &str,
) -> Result<usize, AppError> {
    for l in lines {
        let unit = directory::unit_by_code_in(w.conn(), &l.unit_code)
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "field.unit_code",
                    Problem::with("problem.unknown_unit", &[&l.unit_code]),
                )
            })?;
        open_unit(w, l.year, unit.id).await?;
        metrics::save(
            w,
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
