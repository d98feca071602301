//! Plans: one per unit and kind, listed with their newest version, the
//! version in force and their first filing.

use crate::domain::authz::Reach;
use crate::domain::drills::{self, PlanDef, PlanKind, PlanStatus};
use crate::error::AppError;
use crate::platform::db::{Code, Day, id_list, reach_clause};
use crate::platform::{Change, Write};
use chrono::NaiveDate;
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};

const SELECT: &str = "SELECT p.id, p.unit_id, p.kind, u.name AS unit_name, u.path AS unit_path, \
     v.version, v.status, v.title, v.revise_by \
     FROM emergency_plans p JOIN units u ON u.id = p.unit_id \
     JOIN plan_versions v ON v.plan_id = p.id \
     AND v.version = (SELECT MAX(version) FROM plan_versions m WHERE m.plan_id = p.id)";

/// A plan with its newest version, as stored.
#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    unit_id: i64,
    kind: Code<PlanKind>,
    unit_name: String,
    unit_path: String,
    version: i64,
    status: Code<PlanStatus>,
    title: String,
    revise_by: Day,
}

/// A plan as this store knows it: its newest version, the version in
/// force and its first filing (when drills last exercised it is the
/// drills' to say).
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub kind: PlanKind,
    pub version: i64,
    pub status: PlanStatus,
    pub title: String,
    pub revise_by: NaiveDate,
    pub in_force: Option<i64>,
    pub first_filed: Option<NaiveDate>,
}

/// Plans matching a WHERE clause (on `p`, `u`), with their version in
/// force and first filing, as of `today`.
async fn rows(
    c: &mut AnyConnection,
    clause: &str,
    binds: &[String],
    today: NaiveDate,
) -> Result<Vec<Listed>, AppError> {
    let sql = format!("{SELECT} WHERE {clause} ORDER BY u.path, p.kind, p.id");
    let mut q = sqlx::query_as::<_, Stored>(&sql);
    for b in binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *c).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // The aggregates of these plans only (one plan's page read every
    // plan's before); a long list reads them whole instead of naming
    // thousands of ids.
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let only = (ids.len() <= 500).then_some(ids.as_slice());
    let force = in_force_versions(c, today, only).await?;
    let filed: Vec<(i64, Day)> = sqlx::query_as(&format!(
        "SELECT plan_id, MIN(filed_on) AS first FROM plan_versions WHERE filed_on IS NOT NULL{} GROUP BY plan_id",
        among("plan_id", only)
    ))
    .fetch_all(&mut *c)
    .await?;
    let filed: HashMap<i64, NaiveDate> = filed.into_iter().map(|(id, d)| (id, d.0)).collect();
    Ok(rows
        .into_iter()
        .map(|r| Listed {
            in_force: force.get(&r.id).copied(),
            first_filed: filed.get(&r.id).copied(),
            id: r.id,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            unit_path: r.unit_path,
            kind: r.kind.0,
            version: r.version,
            status: r.status.0,
            title: r.title,
            revise_by: r.revise_by.0,
        })
        .collect())
}

/// ` AND column IN (ids)` when only some plans are asked for (ids are
/// numbers: listed in the query), else nothing.
fn among(column: &str, only: Option<&[i64]>) -> String {
    only.map(|ids| format!(" AND {column} IN ({})", id_list(ids)))
        .unwrap_or_default()
}

/// plan id → the version in force on `today`, of every plan or `only`
/// these.
pub async fn in_force_versions(
    c: &mut AnyConnection,
    today: NaiveDate,
    only: Option<&[i64]>,
) -> Result<HashMap<i64, i64>, AppError> {
    let rows: Vec<(i64, i64, Day)> = sqlx::query_as(&format!(
        "SELECT plan_id, version, revise_by FROM plan_versions WHERE status = 'filed'{}",
        among("plan_id", only)
    ))
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, revise_by)| drills::in_force(PlanStatus::Filed, revise_by.0, today))
        .map(|(plan, version, _)| (plan, version))
        .collect())
}

/// The plans of units within `reach`, and `also` these (by id) or those
/// of the unit `own_unit`; `None` when that is nothing.
fn seen(reach: &Reach, also: Option<String>, binds: &mut Vec<String>) -> Option<String> {
    let mut ors = Vec::new();
    if let Some(clause) = reach_clause(reach, "u.path", binds) {
        ors.push(clause);
    }
    ors.extend(also);
    (!ors.is_empty()).then(|| format!("({})", ors.join(" OR ")))
}

/// The plans of units within `reach`, and of `own_unit` (a unit sees its
/// own plans).
pub async fn visible(
    c: &mut AnyConnection,
    reach: &Reach,
    own_unit: Option<i64>,
    today: NaiveDate,
) -> Result<Vec<Listed>, AppError> {
    let mut binds = Vec::new();
    let Some(clause) = seen(
        reach,
        own_unit.map(|u| format!("p.unit_id = {u}")),
        &mut binds,
    ) else {
        return Ok(Vec::new());
    };
    rows(c, &clause, &binds, today).await
}

/// The plans a drill may exercise: those of units within `reach`, and
/// `also` (the ones a stored drill exercises already).
pub async fn within(
    c: &mut AnyConnection,
    reach: &Reach,
    also: &[i64],
    today: NaiveDate,
) -> Result<Vec<Listed>, AppError> {
    let mut binds = Vec::new();
    // Ids are numbers: listed in the query.
    let also = (!also.is_empty()).then(|| format!("p.id IN ({})", id_list(also)));
    let Some(clause) = seen(reach, also, &mut binds) else {
        return Ok(Vec::new());
    };
    rows(c, &clause, &binds, today).await
}

pub async fn get(
    c: &mut AnyConnection,
    id: i64,
    today: NaiveDate,
) -> Result<Option<Listed>, AppError> {
    Ok(rows(c, &format!("p.id = {id}"), &[], today)
        .await?
        .into_iter()
        .next())
}

/// Which of these plan ids exist, with their unit's path (for the
/// caller's scope check).
pub async fn paths(c: &mut AnyConnection, ids: &[i64]) -> Result<HashMap<i64, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT p.id, u.path FROM emergency_plans p JOIN units u ON u.id = p.unit_id WHERE p.id IN ({})",
        id_list(ids)
    ))
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Plans by id with their newest version's title.
pub async fn titles(c: &mut AnyConnection, ids: &[i64]) -> Result<Vec<(i64, String)>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_as(&format!(
        "SELECT v.plan_id, v.title FROM plan_versions v WHERE v.plan_id IN ({}) \
         AND v.version = (SELECT MAX(version) FROM plan_versions m WHERE m.plan_id = v.plan_id) ORDER BY v.plan_id",
        id_list(ids)
    ))
    .fetch_all(&mut *c)
    .await?)
}

/// Units with a plan in force on `today`.
pub async fn covered_units(
    c: &mut AnyConnection,
    today: NaiveDate,
) -> Result<HashSet<i64>, AppError> {
    let force = in_force_versions(c, today, None).await?;
    let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT id, unit_id FROM emergency_plans")
        .fetch_all(&mut *c)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(id, _)| force.contains_key(id))
        .map(|(_, unit)| unit)
        .collect())
}

/// The versions in force on `today`: (plan id, unit id, title), by plan.
pub async fn in_force(
    c: &mut AnyConnection,
    today: NaiveDate,
) -> Result<Vec<(i64, i64, String)>, AppError> {
    let force = in_force_versions(c, today, None).await?;
    let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
        "SELECT p.id, p.unit_id, v.version, v.title FROM emergency_plans p \
         JOIN plan_versions v ON v.plan_id = p.id ORDER BY p.id",
    )
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(id, _, version, _)| force.get(id) == Some(version))
        .map(|(id, unit, _, title)| (id, unit, title))
        .collect())
}

/// A new plan with its first version, a draft written by the writer.
pub async fn create(w: &mut Write<'_>, def: &PlanDef) -> Result<i64, AppError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO emergency_plans (unit_id, kind, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(def.unit_id)
    .bind(def.kind.code())
    .bind(w.at)
    .fetch_one(w.conn())
    .await?;
    let (name, account, at) = (w.actor.name.clone(), w.actor.id, w.at);
    sqlx::query(
        "INSERT INTO plan_versions (plan_id, version, status, title, revise_by, summary, drafted_by, drafted_at, drafted_by_id) \
         VALUES ($1, 1, 'draft', $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(&def.title)
    .bind(def.revise_by.to_string())
    .bind(&def.summary)
    .bind(name)
    .bind(at)
    .bind(account)
    .execute(w.conn())
    .await?;
    w.audit(Change::new("emergency_plan.create", "emergency_plan", id).after(def))
        .await?;
    Ok(id)
}
