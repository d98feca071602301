//! Drills with their units (`drill_units`), people (`drill_people`), the
//! plans they exercise (`drill_plans`) and their evaluation
//! (`drill_evaluations`); who sees which drill.

use super::super::dto::{ClashRow, DrillPerson, DrillSummary};
use crate::domain::Problem;
use crate::domain::authz::Reach;
use crate::domain::drills::{DrillDef, DrillFormat, DrillStatus, EvaluationRow, Rating, Scenario};
use crate::domain::{local_date, local_day_start};
use crate::error::AppError;
use crate::platform::db::{Code, id_list, reach_clause};
use crate::platform::{Change, Write};
use chrono::NaiveDate;
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};

const SELECT: &str = "SELECT d.id, d.title, d.scenario, d.format, d.status, d.start_at, d.end_at, d.place, \
     u.name AS unit_name, u.path AS unit_path, \
     (SELECT COUNT(*) FROM drill_people dp WHERE dp.drill_id = d.id) AS people \
     FROM drills d JOIN units u ON u.id = d.organizer_unit_id";

/// A drill as lists read it, with its organizer unit's path.
#[derive(sqlx::FromRow)]
struct StoredSummary {
    id: i64,
    title: String,
    scenario: Code<Scenario>,
    format: Code<DrillFormat>,
    status: Code<DrillStatus>,
    start_at: i64,
    end_at: i64,
    place: String,
    unit_name: String,
    unit_path: String,
    people: i64,
}

impl StoredSummary {
    fn summary(self) -> DrillSummary {
        DrillSummary {
            id: self.id,
            title: self.title,
            scenario: self.scenario.0,
            format: self.format.0,
            status: self.status.0,
            organizer_unit_name: self.unit_name,
            start: self.start_at,
            end: self.end_at,
            place: self.place,
            people: self.people,
        }
    }
}

/// The drills a caller sees, as a condition on `d` (a drill) and
/// `organizer_path` (its organizer unit's path): organized by a unit within
/// `reach`, or with `own_unit` taking part. `None` when they see none.
pub(super) fn seen_clause(
    reach: &Reach,
    own_unit: Option<i64>,
    organizer_path: &str,
    binds: &mut Vec<String>,
) -> Option<String> {
    let mut ors = Vec::new();
    if let Some(clause) = reach_clause(reach, organizer_path, binds) {
        ors.push(clause);
    }
    if let Some(u) = own_unit {
        ors.push(format!(
            "EXISTS (SELECT 1 FROM drill_units o WHERE o.drill_id = d.id AND o.unit_id = {u})"
        ));
    }
    (!ors.is_empty()).then(|| format!("({})", ors.join(" OR ")))
}

/// Which of `ids` the caller sees (the rule of [`seen_clause`]).
pub async fn seen(
    c: &mut AnyConnection,
    reach: &Reach,
    own_unit: Option<i64>,
    ids: &[i64],
) -> Result<HashSet<i64>, AppError> {
    let mut binds = Vec::new();
    let Some(seen) = seen_clause(reach, own_unit, "u.path", &mut binds) else {
        return Ok(Default::default());
    };
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let sql = format!(
        "SELECT d.id FROM drills d JOIN units u ON u.id = d.organizer_unit_id \
         WHERE d.id IN ({}) AND {seen}",
        id_list(ids)
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(&mut *c).await?.into_iter().collect())
}

async fn summaries(
    c: &mut AnyConnection,
    sql: &str,
    binds: &[String],
    then: Option<i64>,
) -> Result<Vec<DrillSummary>, AppError> {
    let mut q = sqlx::query_as::<_, StoredSummary>(sql);
    for b in binds {
        q = q.bind(b);
    }
    if let Some(id) = then {
        q = q.bind(id);
    }
    Ok(q.fetch_all(&mut *c)
        .await?
        .into_iter()
        .map(StoredSummary::summary)
        .collect())
}

/// Drills organized within `reach`, and those `own_unit` takes part in;
/// newest first.
pub async fn list(
    c: &mut AnyConnection,
    reach: &Reach,
    own_unit: Option<i64>,
) -> Result<Vec<DrillSummary>, AppError> {
    let mut binds = Vec::new();
    let Some(seen) = seen_clause(reach, own_unit, "u.path", &mut binds) else {
        return Ok(Vec::new());
    };
    let sql = format!("{SELECT} WHERE {seen} ORDER BY d.start_at DESC, d.id DESC");
    summaries(c, &sql, &binds, None).await
}

/// Drills that exercised a plan, of those the caller sees (as `list`),
/// newest first.
pub async fn of_plan(
    c: &mut AnyConnection,
    plan_id: i64,
    reach: &Reach,
    own_unit: Option<i64>,
) -> Result<Vec<DrillSummary>, AppError> {
    let mut binds = Vec::new();
    let Some(seen) = seen_clause(reach, own_unit, "u.path", &mut binds) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "{SELECT} WHERE {seen} AND EXISTS (SELECT 1 FROM drill_plans l WHERE l.drill_id = d.id AND l.plan_id = ${}) \
         ORDER BY d.start_at DESC",
        binds.len() + 1
    );
    summaries(c, &sql, &binds, Some(plan_id)).await
}

/// The drills a person takes part in, newest first.
pub async fn of_person(c: &mut AnyConnection, person: i64) -> Result<Vec<DrillSummary>, AppError> {
    let sql = format!(
        "{SELECT} WHERE EXISTS (SELECT 1 FROM drill_people l WHERE l.drill_id = d.id AND l.person_id = $1) \
         ORDER BY d.start_at DESC"
    );
    summaries(c, &sql, &[], Some(person)).await
}

/// A drill's stored parts, with the organizer unit's path for the scope
/// check.
pub struct StoredDrill {
    pub summary: DrillSummary,
    pub def: DrillDef,
    pub organizer_path: String,
    pub unit_ids: Vec<i64>,
    pub clash_reason: Option<String>,
    pub clashes: Vec<ClashRow>,
    pub created_by: String,
    pub held: Option<(String, i64)>,
    pub evaluated: Option<(String, i64)>,
}

#[derive(sqlx::FromRow)]
struct StoredRow {
    #[sqlx(flatten)]
    s: StoredSummary,
    organizer_unit_id: i64,
    objectives: String,
    clash_reason: Option<String>,
    clashes: Option<String>,
    created_by: String,
    held_by: Option<String>,
    held_at: Option<i64>,
    evaluated_by: Option<String>,
    evaluated_at: Option<i64>,
}

/// A stored JSON column read back: unreadable is an error, never a
/// default (a drill's objectives, or the clashes a reason answered).
pub fn json_column<T: serde::de::DeserializeOwned>(column: &str, raw: &str) -> Result<T, AppError> {
    serde_json::from_str(raw).map_err(|e| {
        tracing::error!(column, error = %e, "unreadable stored JSON");
        AppError::Internal
    })
}

/// Who did something and when (`held_by`/`held_at`): both or neither;
/// one without the other is an error, never "not done".
pub fn stamp(
    what: &str,
    by: Option<String>,
    at: Option<i64>,
) -> Result<Option<(String, i64)>, AppError> {
    match (by, at) {
        (Some(by), Some(at)) => Ok(Some((by, at))),
        (None, None) => Ok(None),
        _ => {
            tracing::error!(what, "a drill stamp with only who or only when");
            Err(AppError::Internal)
        }
    }
}

pub async fn get(c: &mut AnyConnection, id: i64) -> Result<Option<StoredDrill>, AppError> {
    let sql = SELECT.replacen(
        " FROM drills d",
        ", d.organizer_unit_id, d.objectives, d.clash_reason, d.clashes, d.created_by, d.held_by, d.held_at, \
         d.evaluated_by, d.evaluated_at FROM drills d",
        1,
    ) + " WHERE d.id = $1";
    let Some(r) = sqlx::query_as::<_, StoredRow>(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    else {
        return Ok(None);
    };
    let objectives: Vec<String> = json_column("objectives", &r.objectives)?;
    let clashes: Vec<ClashRow> = match &r.clashes {
        Some(raw) => json_column("clashes", raw)?,
        None => Vec::new(),
    };
    let organizer = r.organizer_unit_id;
    let unit_ids: Vec<i64> =
        sqlx::query_scalar("SELECT unit_id FROM drill_units WHERE drill_id = $1 ORDER BY unit_id")
            .bind(id)
            .fetch_all(&mut *c)
            .await?;
    let plan_ids: Vec<i64> =
        sqlx::query_scalar("SELECT plan_id FROM drill_plans WHERE drill_id = $1 ORDER BY plan_id")
            .bind(id)
            .fetch_all(&mut *c)
            .await?;
    let person_codes: Vec<String> = sqlx::query_scalar(
        "SELECT p.code FROM drill_people dp JOIN people p ON p.id = dp.person_id WHERE dp.drill_id = $1 ORDER BY p.code",
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await?;
    let held = stamp("held", r.held_by, r.held_at)?;
    let evaluated = stamp("evaluated", r.evaluated_by, r.evaluated_at)?;
    let organizer_path = r.s.unit_path.clone();
    let summary = r.s.summary();
    Ok(Some(StoredDrill {
        def: DrillDef {
            title: summary.title.clone(),
            scenario: summary.scenario,
            format: summary.format,
            plan_ids,
            organizer_unit_id: organizer,
            unit_ids: unit_ids
                .iter()
                .copied()
                .filter(|u| *u != organizer)
                .collect(),
            person_codes,
            start: summary.start,
            end: summary.end,
            place: summary.place.clone(),
            objectives,
        },
        organizer_path,
        unit_ids,
        clash_reason: r.clash_reason,
        clashes,
        created_by: r.created_by,
        held,
        evaluated,
        summary,
    }))
}

#[derive(sqlx::FromRow)]
struct StoredPerson {
    id: i64,
    code: String,
    name: String,
    unit_name: String,
    attended: i64,
}

/// A drill's people, by number, with whether each attended.
pub async fn people(c: &mut AnyConnection, id: i64) -> Result<Vec<DrillPerson>, AppError> {
    let rows: Vec<StoredPerson> = sqlx::query_as(
        "SELECT p.id, p.code, p.name, u.name AS unit_name, dp.attended FROM drill_people dp \
         JOIN people p ON p.id = dp.person_id JOIN units u ON u.id = p.unit_id WHERE dp.drill_id = $1 ORDER BY p.code",
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DrillPerson {
            person_id: r.id,
            code: r.code,
            name: r.name,
            unit_name: r.unit_name,
            attended: r.attended != 0,
        })
        .collect())
}

pub async fn evaluation(c: &mut AnyConnection, id: i64) -> Result<Vec<EvaluationRow>, AppError> {
    let rows: Vec<(Code<Rating>, String)> = sqlx::query_as(
        "SELECT rating, findings FROM drill_evaluations WHERE drill_id = $1 ORDER BY objective",
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(rating, findings)| EvaluationRow {
            rating: rating.0,
            findings,
        })
        .collect())
}

/// Creates or changes a planned drill; its units, people and plans are
/// replaced (attendance kept for those who stay).
pub async fn save(
    w: &mut Write<'_>,
    id: Option<i64>,
    def: &DrillDef,
    person_ids: &[i64],
    clash_reason: Option<&str>,
    clashes: &[ClashRow],
) -> Result<i64, AppError> {
    let objectives = serde_json::to_string(&def.objectives).map_err(internal_json)?;
    let clashes_json = if clashes.is_empty() {
        None
    } else {
        Some(serde_json::to_string(clashes).map_err(internal_json)?)
    };
    let (by, at) = (w.actor.name.clone(), w.at);
    let id = match id {
        None => {
            sqlx::query_scalar(
                "INSERT INTO drills (title, scenario, format, organizer_unit_id, start_at, end_at, place, objectives, \
                 clash_reason, clashes, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
            )
            .bind(&def.title)
            .bind(def.scenario.code())
            .bind(def.format.code())
            .bind(def.organizer_unit_id)
            .bind(def.start)
            .bind(def.end)
            .bind(&def.place)
            .bind(&objectives)
            .bind(clash_reason)
            .bind(clashes_json)
            .bind(by)
            .bind(at)
            .fetch_one(w.conn())
            .await?
        }
        Some(id) => {
            let done = sqlx::query(
                "UPDATE drills SET title = $1, scenario = $2, format = $3, organizer_unit_id = $4, start_at = $5, \
                 end_at = $6, place = $7, objectives = $8, clash_reason = $9, clashes = $10, updated_at = $11 \
                 WHERE id = $12 AND status = 'planned'",
            )
            .bind(&def.title)
            .bind(def.scenario.code())
            .bind(def.format.code())
            .bind(def.organizer_unit_id)
            .bind(def.start)
            .bind(def.end)
            .bind(&def.place)
            .bind(&objectives)
            .bind(clash_reason)
            .bind(clashes_json)
            .bind(at)
            .bind(id)
            .execute(w.conn())
            .await?;
            crate::platform::db::changed(&done, Problem::new("problem.drill_not_planned"))?;
            for table in ["drill_units", "drill_plans"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE drill_id = $1"))
                    .bind(id)
                    .execute(w.conn())
                    .await?;
            }
            let keep: HashSet<i64> = person_ids.iter().copied().collect();
            let had = person_ids_of(w.conn(), id).await?;
            for p in had.iter().filter(|p| !keep.contains(p)) {
                sqlx::query("DELETE FROM drill_people WHERE drill_id = $1 AND person_id = $2")
                    .bind(id)
                    .bind(p)
                    .execute(w.conn())
                    .await?;
            }
            id
        }
    };
    for u in def.all_units() {
        sqlx::query("INSERT INTO drill_units (drill_id, unit_id) VALUES ($1, $2)")
            .bind(id)
            .bind(u)
            .execute(w.conn())
            .await?;
    }
    for p in &def.plan_ids {
        sqlx::query("INSERT INTO drill_plans (drill_id, plan_id) VALUES ($1, $2)")
            .bind(id)
            .bind(p)
            .execute(w.conn())
            .await?;
    }
    for p in person_ids {
        sqlx::query(
            "INSERT INTO drill_people (drill_id, person_id) VALUES ($1, $2) ON CONFLICT (drill_id, person_id) DO NOTHING",
        )
        .bind(id)
        .bind(p)
        .execute(w.conn())
        .await?;
    }
    w.audit(Change::new("drill.save", "drill", id).after(&serde_json::json!({
        "def": def, "people": person_ids.len(), "clash_reason": clash_reason, "clashes": clashes.len()
    })))
    .await?;
    Ok(id)
}

fn internal_json(e: serde_json::Error) -> AppError {
    tracing::error!(error = %e, "a drill's value would not serialize");
    AppError::Internal
}

/// The people of a drill, by id.
pub async fn person_ids_of(c: &mut AnyConnection, id: i64) -> Result<Vec<i64>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT person_id FROM drill_people WHERE drill_id = $1 ORDER BY person_id",
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await?)
}

/// Marks a planned drill held, with who was there (people of the drill,
/// checked by the caller).
pub async fn hold(w: &mut Write<'_>, id: i64, attended: &[i64]) -> Result<(), AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let done = sqlx::query(
        "UPDATE drills SET status = 'held', held_by = $1, held_at = $2 WHERE id = $3 AND status = 'planned'",
    )
    .bind(by)
    .bind(at)
    .bind(id)
    .execute(w.conn())
    .await?;
    crate::platform::db::changed(&done, Problem::new("problem.drill_not_planned"))?;
    sqlx::query("UPDATE drill_people SET attended = 0 WHERE drill_id = $1")
        .bind(id)
        .execute(w.conn())
        .await?;
    for p in attended {
        sqlx::query("UPDATE drill_people SET attended = 1 WHERE drill_id = $1 AND person_id = $2")
            .bind(id)
            .bind(p)
            .execute(w.conn())
            .await?;
    }
    w.audit(
        Change::new("drill.hold", "drill", id).after(&serde_json::json!({ "attended": attended })),
    )
    .await?;
    Ok(())
}

/// Records (or replaces) the evaluation of a held drill.
pub async fn evaluate(w: &mut Write<'_>, id: i64, rows: &[EvaluationRow]) -> Result<(), AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let done = sqlx::query(
        "UPDATE drills SET status = 'evaluated', evaluated_by = $1, evaluated_at = $2 WHERE id = $3 AND status <> 'planned'",
    )
    .bind(by)
    .bind(at)
    .bind(id)
    .execute(w.conn())
    .await?;
    crate::platform::db::changed(&done, Problem::new("problem.drill_not_held"))?;
    sqlx::query("DELETE FROM drill_evaluations WHERE drill_id = $1")
        .bind(id)
        .execute(w.conn())
        .await?;
    for (i, r) in rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO drill_evaluations (drill_id, objective, rating, findings) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(i as i64)
        .bind(r.rating.code())
        .bind(&r.findings)
        .execute(w.conn())
        .await?;
    }
    w.audit(Change::new("drill.evaluate", "drill", id).after(&rows))
        .await?;
    Ok(())
}

/// The instants a year runs between in the district: [its first day's
/// start, the next year's first day's start).
fn year_bounds(year: i32) -> Result<(i64, i64), AppError> {
    let first = |y: Option<i32>| {
        y.and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1))
            .ok_or_else(|| {
                tracing::error!(year, "a year outside the calendar");
                AppError::Internal
            })
    };
    Ok((
        local_day_start(first(Some(year))?),
        local_day_start(first(year.checked_add(1))?),
    ))
}

/// Drills held (or evaluated) in `year` per unit that organized or took
/// part in them.
pub async fn held_counts(c: &mut AnyConnection, year: i32) -> Result<HashMap<i64, i64>, AppError> {
    let (from, to) = year_bounds(year)?;
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT du.unit_id, COUNT(*) AS n FROM drill_units du JOIN drills d ON d.id = du.drill_id \
         WHERE d.status <> 'planned' AND d.start_at >= $1 AND d.start_at < $2 GROUP BY du.unit_id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The drills held (or evaluated) in `year`, once per unit that organized
/// or took part in them: (unit id, drill id, title, start), by start.
pub async fn held_in(
    c: &mut AnyConnection,
    year: i32,
) -> Result<Vec<(i64, i64, String, i64)>, AppError> {
    let (from, to) = year_bounds(year)?;
    Ok(sqlx::query_as(
        "SELECT du.unit_id, d.id, d.title, d.start_at FROM drill_units du JOIN drills d ON d.id = du.drill_id \
         WHERE d.status <> 'planned' AND d.start_at >= $1 AND d.start_at < $2 ORDER BY d.start_at, d.id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *c)
    .await?)
}

/// plan id → the last day a held drill exercised it, of every plan or
/// `only` these. An end that is no instant of the calendar is an error
/// (the plan would otherwise look never drilled, or drilled in time).
pub async fn last_drilled(
    c: &mut AnyConnection,
    only: Option<&[i64]>,
) -> Result<HashMap<i64, NaiveDate>, AppError> {
    let among = only
        .map(|ids| format!(" AND dp.plan_id IN ({})", id_list(ids)))
        .unwrap_or_default();
    let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT dp.plan_id, MAX(d.end_at) AS last FROM drill_plans dp JOIN drills d ON d.id = dp.drill_id \
         WHERE d.status <> 'planned'{among} GROUP BY dp.plan_id"
    ))
    .fetch_all(&mut *c)
    .await?;
    rows.into_iter()
        .map(|(plan, last)| {
            let day = last.checked_sub(1).and_then(local_date).ok_or_else(|| {
                tracing::error!(plan, last, "a drill's end outside the calendar");
                AppError::Internal
            })?;
            Ok((plan, day))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_outside_the_calendar_is_an_error_not_1970() {
        let (from, to) = year_bounds(2026).unwrap();
        assert!(from < to);
        assert_eq!(local_date(from).unwrap().to_string(), "2026-01-01");
        assert!(year_bounds(i32::MAX).is_err());
        assert!(year_bounds(300_000).is_err());
    }

    #[test]
    fn half_a_stamp_is_an_error_not_undone() {
        assert_eq!(stamp("held", None, None).unwrap(), None);
        assert_eq!(
            stamp("held", Some("a".into()), Some(5)).unwrap(),
            Some(("a".to_string(), 5))
        );
        assert!(stamp("held", Some("a".into()), None).is_err());
        assert!(stamp("held", None, Some(5)).is_err());
    }

    #[test]
    fn unreadable_stored_clashes_are_an_error_not_none() {
        assert!(
            json_column::<Vec<ClashRow>>("clashes", "[]")
                .unwrap()
                .is_empty()
        );
        assert!(json_column::<Vec<ClashRow>>("clashes", "").is_err());
        assert!(json_column::<Vec<ClashRow>>("clashes", "[{\"x\":1}]").is_err());
    }
}
