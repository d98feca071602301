//! Storage of emergency plans (each with its versions and their
//! documents), drills (their units, people, plans exercised, evaluation
//! and corrective actions), what a new drill could clash with, the
//! calendar's events and feeds, and the `plan_coverage` and `drills_held`
//! metrics. Every write records an audit row in the caller's transaction.

use super::audit::{self, Actor};
use super::day;
use crate::domain::Problem;
use crate::domain::authz::Reach;
use crate::domain::calendar::{CalEvent, Span};
use crate::domain::drills::{
    self, ActionDef, Authors, Booked, Booking, DocKind, DrillDef, DrillFormat, DrillStatus,
    EvaluationRow, PlanDef, PlanKind, PlanStatus, PlanStep, Rating, Scenario,
};
use crate::domain::unit::UnitKind;
use crate::domain::{local_date, local_day_start};
use crate::error::AppError;
use crate::model::{
    ActionRow, CalItem, ClashRow, DocumentInfo, DrillPerson, DrillSummary, PlanRow, PlanVersionRow,
};
use chrono::{Datelike, NaiveDate};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};
use std::collections::{HashMap, HashSet};

type Tx<'a> = Transaction<'a, Any>;

fn parse_or_internal<T>(what: &str, r: Result<T, Problem>) -> Result<T, AppError> {
    r.map_err(|p| {
        tracing::error!(what, key = %p.key, "unreadable stored value");
        AppError::Internal
    })
}

/// `$n, $n+1, ...` for `count` binds after `before` others.
fn placeholders(before: usize, count: usize) -> String {
    (1..=count)
        .map(|i| format!("${}", before + i))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---- plans ----

const PLAN_SELECT: &str = "SELECT p.id, p.unit_id, p.kind, u.name AS unit_name, u.path AS unit_path, \
     v.version, v.status, v.title, v.revise_by \
     FROM emergency_plans p JOIN units u ON u.id = p.unit_id \
     JOIN plan_versions v ON v.plan_id = p.id \
     AND v.version = (SELECT MAX(version) FROM plan_versions m WHERE m.plan_id = p.id)";

/// Plans matching a WHERE clause (on `p`, `u`), with their version in
/// force, first filing and last held drill, as of `today`.
async fn plan_rows(
    c: &mut AnyConnection,
    clause: &str,
    binds: &[String],
    today: NaiveDate,
) -> Result<Vec<PlanRow>, AppError> {
    let sql = format!("{PLAN_SELECT} WHERE {clause} ORDER BY u.path, p.kind, p.id");
    let mut q = sqlx::query(&sql);
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
    let ids: Vec<i64> = rows.iter().map(|r| r.get("id")).collect();
    let only = (ids.len() <= 500).then_some(ids.as_slice());
    let force = in_force_versions(c, today, only).await?;
    let filed: HashMap<i64, NaiveDate> = sqlx::query(&format!(
        "SELECT plan_id, MIN(filed_on) AS first FROM plan_versions WHERE filed_on IS NOT NULL{} GROUP BY plan_id",
        plans_among("plan_id", only)
    ))
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|r| Ok((r.get("plan_id"), day(r, "first")?)))
    .collect::<Result<_, sqlx::Error>>()?;
    let drilled = last_drilled(c, only).await?;
    rows.iter()
        .map(|r| {
            let id: i64 = r.get("id");
            let kind = parse_or_internal("plan kind", PlanKind::parse(r.get("kind")))?;
            let first_filed = filed.get(&id).copied();
            let last = drilled.get(&id).copied();
            Ok(PlanRow {
                id,
                unit_id: r.get("unit_id"),
                unit_name: r.get("unit_name"),
                unit_path: r.get("unit_path"),
                kind,
                version: r.get("version"),
                status: parse_or_internal("plan status", PlanStatus::parse(r.get("status")))?,
                title: r.get("title"),
                revise_by: day(r, "revise_by")?,
                in_force: force.get(&id).copied(),
                first_filed,
                last_drilled: last,
                drill_overdue: last
                    .or(first_filed)
                    .is_some_and(|since| drills::drill_overdue(kind, since, today)),
            })
        })
        .collect()
}

/// ` AND column IN (ids)` when only some plans are asked for (ids are
/// numbers: listed in the query), else nothing.
fn plans_among(column: &str, only: Option<&[i64]>) -> String {
    only.map(|ids| format!(" AND {column} IN ({})", super::id_list(ids)))
        .unwrap_or_default()
}

/// plan id → the version in force on `today`, of every plan or `only`
/// these.
pub(crate) async fn in_force_versions(
    c: &mut AnyConnection,
    today: NaiveDate,
    only: Option<&[i64]>,
) -> Result<HashMap<i64, i64>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT plan_id, version, revise_by FROM plan_versions WHERE status = 'filed'{}",
        plans_among("plan_id", only)
    ))
    .fetch_all(&mut *c)
    .await?;
    let mut out = HashMap::new();
    for r in &rows {
        if drills::in_force(PlanStatus::Filed, day(r, "revise_by")?, today) {
            out.insert(r.get("plan_id"), r.get("version"));
        }
    }
    Ok(out)
}

/// plan id → the last day a held drill exercised it.
async fn last_drilled(
    c: &mut AnyConnection,
    only: Option<&[i64]>,
) -> Result<HashMap<i64, NaiveDate>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT dp.plan_id, MAX(d.end_at) AS last FROM drill_plans dp JOIN drills d ON d.id = dp.drill_id \
         WHERE d.status <> 'planned'{} GROUP BY dp.plan_id",
        plans_among("dp.plan_id", only)
    ))
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| Some((r.get("plan_id"), local_date(r.get::<i64, _>("last") - 1)?)))
        .collect())
}

/// The plans of units within `reach`, and of `own_unit` (a unit sees its
/// own plans).
pub async fn list_plans(
    c: &mut AnyConnection,
    reach: &Reach,
    own_unit: Option<i64>,
    today: NaiveDate,
) -> Result<Vec<PlanRow>, AppError> {
    let mut binds = Vec::new();
    let mut ors = Vec::new();
    if let Some(clause) = super::reach_clause(reach, "u.path", &mut binds) {
        ors.push(clause);
    }
    if let Some(u) = own_unit {
        ors.push(format!("p.unit_id = {u}"));
    }
    if ors.is_empty() {
        return Ok(Vec::new());
    }
    plan_rows(c, &format!("({})", ors.join(" OR ")), &binds, today).await
}

pub async fn get_plan(
    c: &mut AnyConnection,
    id: i64,
    today: NaiveDate,
) -> Result<Option<PlanRow>, AppError> {
    Ok(plan_rows(c, &format!("p.id = {id}"), &[], today)
        .await?
        .into_iter()
        .next())
}

/// The plans a drill may exercise: those of units within `reach`, and
/// `also` (the ones a stored drill exercises already).
pub async fn plans_within(
    c: &mut AnyConnection,
    reach: &Reach,
    also: &[i64],
    today: NaiveDate,
) -> Result<Vec<PlanRow>, AppError> {
    let mut binds = Vec::new();
    let mut ors = Vec::new();
    if let Some(clause) = super::reach_clause(reach, "u.path", &mut binds) {
        ors.push(clause);
    }
    if !also.is_empty() {
        // Ids are numbers: listed in the query.
        ors.push(format!("p.id IN ({})", super::id_list(also)));
    }
    if ors.is_empty() {
        return Ok(Vec::new());
    }
    plan_rows(c, &format!("({})", ors.join(" OR ")), &binds, today).await
}

pub async fn versions(
    c: &mut AnyConnection,
    plan_id: i64,
) -> Result<Vec<PlanVersionRow>, AppError> {
    let rows = sqlx::query(
        "SELECT v.*, d.file_name, d.size, d.uploaded_by, d.uploaded_at FROM plan_versions v \
         LEFT JOIN plan_documents d ON d.version_id = v.id WHERE v.plan_id = $1 ORDER BY v.version DESC",
    )
    .bind(plan_id)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            let mut stamps = vec![(
                PlanStatus::Draft,
                r.get::<String, _>("drafted_by"),
                r.get::<i64, _>("drafted_at"),
            )];
            for (status, col) in [
                (PlanStatus::Approved, "approved"),
                (PlanStatus::Published, "published"),
                (PlanStatus::Filed, "filed"),
            ] {
                let by: Option<String> = r.get(format!("{col}_by").as_str());
                let at: Option<i64> = r.get(format!("{col}_at").as_str());
                if let (Some(by), Some(at)) = (by, at) {
                    stamps.push((status, by, at));
                }
            }
            let file_name: Option<String> = r.get("file_name");
            Ok(PlanVersionRow {
                id: r.get("id"),
                version: r.get("version"),
                status: parse_or_internal("plan status", PlanStatus::parse(r.get("status")))?,
                title: r.get("title"),
                revise_by: day(r, "revise_by")?,
                summary: r.get("summary"),
                stamps,
                document: file_name.map(|file_name| DocumentInfo {
                    file_name,
                    size: r.get("size"),
                    uploaded_by: r.get("uploaded_by"),
                    uploaded_at: r.get("uploaded_at"),
                }),
            })
        })
        .collect()
}

fn plan_json(def: &PlanDef) -> String {
    serde_json::to_string(def).unwrap_or_default()
}

pub async fn create_plan(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    def: &PlanDef,
) -> Result<i64, AppError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO emergency_plans (unit_id, kind, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(def.unit_id)
    .bind(def.kind.code())
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO plan_versions (plan_id, version, status, title, revise_by, summary, drafted_by, drafted_at, drafted_by_id) \
         VALUES ($1, 1, 'draft', $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(&def.title)
    .bind(def.revise_by.to_string())
    .bind(&def.summary)
    .bind(&actor.name)
    .bind(at)
    .bind(actor.id)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "emergency_plan.create",
        "emergency_plan",
        &id.to_string(),
        None,
        Some(plan_json(def)),
    )
    .await?;
    Ok(id)
}

/// The newest version's id and status, locked for the change (the UPDATE
/// takes the row on both databases).
async fn latest(tx: &mut Tx<'_>, plan_id: i64) -> Result<(i64, i64, PlanStatus), AppError> {
    let row = sqlx::query(
        "SELECT id, version, status FROM plan_versions WHERE plan_id = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(plan_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let id: i64 = row.get("id");
    sqlx::query("UPDATE plan_versions SET status = status WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok((
        id,
        row.get("version"),
        parse_or_internal("plan status", PlanStatus::parse(row.get("status")))?,
    ))
}

/// Changes the title, revision date and summary of the newest version
/// while it is a draft.
pub async fn update_draft(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    plan_id: i64,
    def: &PlanDef,
) -> Result<(), AppError> {
    let (version_id, _, status) = latest(tx, plan_id).await?;
    if status != PlanStatus::Draft {
        return Err(AppError::Conflict(Problem::new("problem.plan_not_draft")));
    }
    sqlx::query(
        "UPDATE plan_versions SET title = $1, revise_by = $2, summary = $3, \
         edited_by_ids = CASE WHEN edited_by_ids LIKE $4 THEN edited_by_ids ELSE edited_by_ids || $5 END \
         WHERE id = $6",
    )
    .bind(&def.title)
    .bind(def.revise_by.to_string())
    .bind(&def.summary)
    .bind(actor.id.map_or_else(|| "%|system|%".to_string(), |id| format!("%|{id}|%")))
    .bind(actor.id.map_or_else(|| "system|".to_string(), |id| format!("{id}|")))
    .bind(version_id)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "emergency_plan.update",
        "emergency_plan",
        &plan_id.to_string(),
        None,
        Some(plan_json(def)),
    )
    .await?;
    Ok(())
}

/// The authors of a version and whether it has its document.
async fn authors_in(c: &mut AnyConnection, version_id: i64) -> Result<(Authors, bool), AppError> {
    let row = sqlx::query(
        "SELECT v.drafted_by_id, v.edited_by_ids, d.uploaded_by_id, d.version_id AS has_document \
         FROM plan_versions v LEFT JOIN plan_documents d ON d.version_id = v.id WHERE v.id = $1",
    )
    .bind(version_id)
    .fetch_optional(&mut *c)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok((
        Authors {
            drafted_by: row.get("drafted_by_id"),
            edited_by: row
                .get::<String, _>("edited_by_ids")
                .split('|')
                .filter_map(|id| id.parse().ok())
                .collect(),
            document_by: row.get("uploaded_by_id"),
        },
        row.get::<Option<i64>, _>("has_document").is_some(),
    ))
}

/// The newest version's status and authors, and whether it has its
/// document; `None` for a plan without versions.
pub async fn latest_authors(
    c: &mut AnyConnection,
    plan_id: i64,
) -> Result<Option<(PlanStatus, Authors, bool)>, AppError> {
    let row = sqlx::query(
        "SELECT id, status FROM plan_versions WHERE plan_id = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(plan_id)
    .fetch_optional(&mut *c)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let status = parse_or_internal("plan status", PlanStatus::parse(row.get("status")))?;
    let (authors, has_document) = authors_in(c, row.get("id")).await?;
    Ok(Some((status, authors, has_document)))
}

/// Moves the newest version one step along its lifecycle, stamping who
/// and when; filing it supersedes the version filed before. Approving
/// needs the document and an approver who did not write the version (its
/// author is refused as not allowed); filing needs the document.
pub async fn step(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    today: NaiveDate,
    plan_id: i64,
    step: PlanStep,
) -> Result<PlanStatus, AppError> {
    let (version_id, _, status) = latest(tx, plan_id).await?;
    let (authors, has_document) = authors_in(tx, version_id).await?;
    let next = drills::check_step(status, step, actor.id, &authors, has_document).map_err(|p| {
        if p.key == "problem.plan_own_draft" {
            AppError::Forbidden
        } else {
            AppError::Conflict(p)
        }
    })?;
    let sql = match step {
        PlanStep::Approve => {
            "UPDATE plan_versions SET status = $1, approved_by = $2, approved_at = $3, approved_by_id = $5 WHERE id = $4"
        }
        PlanStep::Publish => {
            "UPDATE plan_versions SET status = $1, published_by = $2, published_at = $3 WHERE id = $4"
        }
        PlanStep::File => {
            "UPDATE plan_versions SET status = $1, filed_by = $2, filed_at = $3, filed_on = $5 WHERE id = $4"
        }
        PlanStep::Return => {
            "UPDATE plan_versions SET status = $1, approved_by = NULL, approved_at = NULL, approved_by_id = NULL \
             WHERE id = $4 AND $2 = $2 AND $3 = $3"
        }
    };
    let mut q = sqlx::query(sql)
        .bind(next.code())
        .bind(&actor.name)
        .bind(at)
        .bind(version_id);
    match step {
        PlanStep::File => q = q.bind(today.to_string()),
        PlanStep::Approve => q = q.bind(actor.id),
        PlanStep::Publish | PlanStep::Return => {}
    }
    q.execute(&mut **tx).await?;
    if step == PlanStep::File {
        sqlx::query(
            "UPDATE plan_versions SET status = 'superseded' WHERE plan_id = $1 AND status = 'filed' AND id <> $2",
        )
        .bind(plan_id)
        .bind(version_id)
        .execute(&mut **tx)
        .await?;
    }
    audit::record(
        tx,
        actor,
        at,
        &format!("emergency_plan.{}", step.code()),
        "emergency_plan",
        &plan_id.to_string(),
        Some(serde_json::json!({ "status": status.code() }).to_string()),
        Some(serde_json::json!({ "status": next.code() }).to_string()),
    )
    .await?;
    Ok(next)
}

/// 修订: opens the next version as a draft copy of the filed one, which
/// stays in force until the new one is filed.
pub async fn revise(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    plan_id: i64,
) -> Result<i64, AppError> {
    let (version_id, version, status) = latest(tx, plan_id).await?;
    if !status.may_revise() {
        return Err(AppError::Conflict(Problem::new("problem.plan_not_filed")));
    }
    sqlx::query(
        "INSERT INTO plan_versions (plan_id, version, status, title, revise_by, summary, drafted_by, drafted_at, drafted_by_id) \
         SELECT plan_id, $1, 'draft', title, revise_by, summary, $2, $3, $5 FROM plan_versions WHERE id = $4",
    )
    .bind(version + 1)
    .bind(&actor.name)
    .bind(at)
    .bind(version_id)
    .bind(actor.id)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "emergency_plan.revise",
        "emergency_plan",
        &plan_id.to_string(),
        Some(serde_json::json!({ "version": version }).to_string()),
        Some(serde_json::json!({ "version": version + 1 }).to_string()),
    )
    .await?;
    Ok(version + 1)
}

/// Stores (or replaces) the newest version's document while that version
/// is a draft: the document is frozen when the version is approved (an
/// approved version returned to draft takes a new one, and a new
/// approval).
pub async fn save_document(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    plan_id: i64,
    file_name: &str,
    kind: DocKind,
    bytes: &[u8],
) -> Result<(), AppError> {
    let (version_id, version, status) = latest(tx, plan_id).await?;
    if !status.may_replace_document() {
        return Err(AppError::Conflict(Problem::new(
            "problem.plan_document_fixed",
        )));
    }
    sqlx::query("DELETE FROM plan_documents WHERE version_id = $1")
        .bind(version_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO plan_documents (version_id, file_name, kind, size, data, uploaded_by, uploaded_at, uploaded_by_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(version_id)
    .bind(file_name)
    .bind(kind.code())
    .bind(bytes.len() as i64)
    .bind(bytes.to_vec())
    .bind(&actor.name)
    .bind(at)
    .bind(actor.id)
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "emergency_plan.document",
        "emergency_plan",
        &plan_id.to_string(),
        None,
        Some(
            serde_json::json!({ "version": version, "file_name": file_name, "size": bytes.len() })
                .to_string(),
        ),
    )
    .await?;
    Ok(())
}

/// A version's document: (plan id, file name, kind, bytes).
pub async fn document(
    c: &mut AnyConnection,
    version_id: i64,
) -> Result<Option<(i64, String, DocKind, Vec<u8>)>, AppError> {
    let row = sqlx::query(
        "SELECT v.plan_id, d.file_name, d.kind, d.data FROM plan_documents d JOIN plan_versions v ON v.id = d.version_id \
         WHERE d.version_id = $1",
    )
    .bind(version_id)
    .fetch_optional(&mut *c)
    .await?;
    row.map(|r| {
        Ok((
            r.get("plan_id"),
            r.get("file_name"),
            parse_or_internal("document kind", DocKind::parse(r.get("kind")))?,
            r.get("data"),
        ))
    })
    .transpose()
}

// ---- coverage ----

/// Every unit: id, code, name, kind, path.
pub async fn units(
    c: &mut AnyConnection,
) -> Result<Vec<(i64, String, String, UnitKind, String)>, AppError> {
    let rows = sqlx::query("SELECT id, code, name, kind, path FROM units ORDER BY path")
        .fetch_all(&mut *c)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.get("id"),
                r.get("code"),
                r.get("name"),
                parse_or_internal("unit kind", UnitKind::parse(r.get("kind")))?,
                r.get("path"),
            ))
        })
        .collect()
}

/// Units with a plan in force on `today`.
pub async fn covered_units(
    c: &mut AnyConnection,
    today: NaiveDate,
) -> Result<HashSet<i64>, AppError> {
    let force = in_force_versions(c, today, None).await?;
    let rows = sqlx::query("SELECT id, unit_id FROM emergency_plans")
        .fetch_all(&mut *c)
        .await?;
    Ok(rows
        .iter()
        .filter(|r| force.contains_key(&r.get::<i64, _>("id")))
        .map(|r| r.get("unit_id"))
        .collect())
}

/// Per required unit, plan coverage of its subtree (its own plan and
/// those of the required units under it).
pub async fn plan_metric(
    c: &mut AnyConnection,
    today: NaiveDate,
) -> Result<Vec<(i64, i64, i64)>, AppError> {
    let all = units(c).await?;
    let covered = covered_units(c, today).await?;
    Ok(all
        .iter()
        .filter(|u| drills::REQUIRED_KINDS.contains(&u.3))
        .map(|u| {
            let within: Vec<(i64, UnitKind)> = all
                .iter()
                .filter(|v| crate::domain::unit::is_within(&v.4, &u.4))
                .map(|v| (v.0, v.3))
                .collect();
            let share = drills::plan_coverage(&within, &covered).overall;
            (u.0, share.covered, share.required)
        })
        .collect())
}

/// Drills held (or evaluated) in `year` per unit that organized or took
/// part in them.
pub async fn held_counts(c: &mut AnyConnection, year: i32) -> Result<HashMap<i64, i64>, AppError> {
    let (from, to) = year_bounds(year);
    let rows = sqlx::query(
        "SELECT du.unit_id, COUNT(*) AS n FROM drill_units du JOIN drills d ON d.id = du.drill_id \
         WHERE d.status <> 'planned' AND d.start_at >= $1 AND d.start_at < $2 GROUP BY du.unit_id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get("unit_id"), r.get("n")))
        .collect())
}

pub(crate) fn year_bounds(year: i32) -> (i64, i64) {
    let day = |y| NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default();
    (local_day_start(day(year)), local_day_start(day(year + 1)))
}

/// Writes `plan_coverage` and `drills_held` for the year of `today`,
/// because of `source` (the record that changed, or `sync`).
pub async fn sync_metrics(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    today: NaiveDate,
    source: &str,
) -> Result<(usize, usize), AppError> {
    let year = today.year();
    let plans = plan_metric(tx, today).await?;
    let kinds: Vec<(i64, UnitKind)> = units(tx).await?.iter().map(|u| (u.0, u.3)).collect();
    let held = held_counts(tx, year).await?;
    let drills = drills::drills_metric(&kinds, &held);
    let mut w = crate::platform::Write::within(tx, actor, at);
    let a = crate::platform::metrics::feed(&mut w, year.into(), "plan_coverage", &plans, source)
        .await?;
    let b =
        crate::platform::metrics::feed(&mut w, year.into(), "drills_held", &drills, source).await?;
    Ok((a.0 + b.0, a.1 + b.1))
}

// ---- drills ----

/// People by number: (id, number); the first unknown number is refused.
pub async fn resolve_people(
    c: &mut AnyConnection,
    codes: &[String],
) -> Result<Vec<(i64, String)>, AppError> {
    Ok(resolve_people_located(c, codes)
        .await?
        .into_iter()
        .map(|(id, code, _)| (id, code))
        .collect())
}

/// People by number with their unit's path (for the caller's scope
/// check): (id, number, path); the first unknown number is refused.
pub async fn resolve_people_located(
    c: &mut AnyConnection,
    codes: &[String],
) -> Result<Vec<(i64, String, String)>, AppError> {
    let mut out = Vec::new();
    for chunk in codes.chunks(500) {
        let sql = format!(
            "SELECT p.id, p.code, u.path FROM people p JOIN units u ON u.id = p.unit_id WHERE p.code IN ({})",
            placeholders(0, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for code in chunk {
            q = q.bind(code);
        }
        let found: HashMap<String, (i64, String)> = q
            .fetch_all(&mut *c)
            .await?
            .iter()
            .map(|r| (r.get("code"), (r.get("id"), r.get("path"))))
            .collect();
        for code in chunk {
            match found.get(code) {
                Some((id, path)) => out.push((*id, code.clone(), path.clone())),
                None => {
                    return Err(AppError::invalid(
                        "field.participants",
                        Problem::with("problem.no_such_person", &[code]),
                    ));
                }
            }
        }
    }
    Ok(out)
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
    let rows = sqlx::query(
        "SELECT id, title, start_at, end_at, place FROM drills WHERE start_at < $1 AND end_at > $2 AND id <> $3 ORDER BY start_at, id",
    )
    .bind(to)
    .bind(from)
    .bind(except_drill.unwrap_or(0))
    .fetch_all(&mut *c)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.get("id")).collect();
    let mut units = members(c, "drill_units", "drill_id", "unit_id", &ids).await?;
    let mut drill_people = members(c, "drill_people", "drill_id", "person_id", &ids).await?;
    let mut out = Vec::new();
    for r in &rows {
        let id: i64 = r.get("id");
        out.push(Booking {
            what: Booked::Drill {
                id,
                title: r.get("title"),
            },
            span: Span::Times {
                start: r.get("start_at"),
                end: r.get("end_at"),
            },
            place: r.get("place"),
            unit_ids: units.remove(&id).unwrap_or_default(),
            person_ids: drill_people.remove(&id).unwrap_or_default(),
        });
    }
    let (first, last) = span.days();
    let batches = sqlx::query(
        "SELECT b.id, b.code, b.start_on, b.end_on, b.place, p.name FROM training_batches b \
         JOIN training_plans p ON p.id = b.plan_id WHERE b.start_on <= $1 AND b.end_on >= $2 ORDER BY b.start_on, b.id",
    )
    .bind(last.to_string())
    .bind(first.to_string())
    .fetch_all(&mut *c)
    .await?;
    let batch_ids: Vec<i64> = batches.iter().map(|b| b.get("id")).collect();
    let mut seats = members(c, "training_seats", "batch_id", "person_id", &batch_ids).await?;
    let wanted: HashSet<i64> = people.iter().copied().collect();
    for b in &batches {
        let id: i64 = b.get("id");
        let seated = seats.remove(&id).unwrap_or_default();
        out.push(Booking {
            what: Booked::Training {
                batch_id: id,
                title: format!(
                    "{} · {}",
                    b.get::<String, _>("name"),
                    b.get::<String, _>("code")
                ),
            },
            span: Span::Days {
                start: day(b, "start_on")?,
                end: day(b, "end_on")?,
            },
            place: b.get("place"),
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
        let list = super::id_list(chunk);
        let rows = sqlx::query(&format!(
            "SELECT {key}, {member} FROM {table} WHERE {key} IN ({list})"
        ))
        .fetch_all(&mut *c)
        .await?;
        for r in &rows {
            out.entry(r.get(key)).or_default().push(r.get(member));
        }
    }
    Ok(out)
}

/// Names for clash rows: units and people by id.
pub async fn names(
    c: &mut AnyConnection,
    table: &str,
    ids: &[i64],
) -> Result<HashMap<i64, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT id, name FROM {table} WHERE id IN ({})",
        super::id_list(ids)
    );
    Ok(sqlx::query(&sql)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| (r.get("id"), r.get("name")))
        .collect())
}

/// Which of these plan ids exist, with their unit's path (for the
/// caller's scope check).
pub async fn plan_paths(
    c: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT p.id, u.path FROM emergency_plans p JOIN units u ON u.id = p.unit_id WHERE p.id IN ({})",
        super::id_list(ids)
    );
    Ok(sqlx::query(&sql)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| (r.get("id"), r.get("path")))
        .collect())
}

/// Plans by id with their newest version's title.
pub async fn plan_titles(
    c: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT v.plan_id, v.title FROM plan_versions v WHERE v.plan_id IN ({}) \
         AND v.version = (SELECT MAX(version) FROM plan_versions m WHERE m.plan_id = v.plan_id) ORDER BY v.plan_id",
        super::id_list(ids)
    );
    Ok(sqlx::query(&sql)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| (r.get("plan_id"), r.get("title")))
        .collect())
}

/// Creates or changes a planned drill; its units, people and plans are
/// replaced (attendance kept for those who stay).
#[allow(clippy::too_many_arguments)]
pub async fn save_drill(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    id: Option<i64>,
    def: &DrillDef,
    person_ids: &[i64],
    clash_reason: Option<&str>,
    clashes: &[ClashRow],
) -> Result<i64, AppError> {
    let objectives = serde_json::to_string(&def.objectives).unwrap_or_default();
    let clashes_json =
        (!clashes.is_empty()).then(|| serde_json::to_string(clashes).unwrap_or_default());
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
            .bind(&actor.name)
            .bind(at)
            .fetch_one(&mut **tx)
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
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(AppError::Conflict(Problem::new("problem.drill_not_planned")));
            }
            for table in ["drill_units", "drill_plans"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE drill_id = $1"))
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
            }
            let keep: HashSet<i64> = person_ids.iter().copied().collect();
            let had: Vec<i64> =
                sqlx::query_scalar("SELECT person_id FROM drill_people WHERE drill_id = $1")
                    .bind(id)
                    .fetch_all(&mut **tx)
                    .await?;
            for p in had.iter().filter(|p| !keep.contains(p)) {
                sqlx::query("DELETE FROM drill_people WHERE drill_id = $1 AND person_id = $2")
                    .bind(id)
                    .bind(p)
                    .execute(&mut **tx)
                    .await?;
            }
            id
        }
    };
    for u in def.all_units() {
        sqlx::query("INSERT INTO drill_units (drill_id, unit_id) VALUES ($1, $2)")
            .bind(id)
            .bind(u)
            .execute(&mut **tx)
            .await?;
    }
    for p in &def.plan_ids {
        sqlx::query("INSERT INTO drill_plans (drill_id, plan_id) VALUES ($1, $2)")
            .bind(id)
            .bind(p)
            .execute(&mut **tx)
            .await?;
    }
    for p in person_ids {
        sqlx::query(
            "INSERT INTO drill_people (drill_id, person_id) VALUES ($1, $2) ON CONFLICT (drill_id, person_id) DO NOTHING",
        )
        .bind(id)
        .bind(p)
        .execute(&mut **tx)
        .await?;
    }
    audit::record(
        tx,
        actor,
        at,
        "drill.save",
        "drill",
        &id.to_string(),
        None,
        Some(
            serde_json::json!({ "def": def, "people": person_ids.len(), "clash_reason": clash_reason, "clashes": clashes.len() })
                .to_string(),
        ),
    )
    .await?;
    Ok(id)
}

fn summary_of(r: &AnyRow) -> Result<DrillSummary, AppError> {
    Ok(DrillSummary {
        id: r.get("id"),
        title: r.get("title"),
        scenario: parse_or_internal("scenario", Scenario::parse(r.get("scenario")))?,
        format: parse_or_internal("drill format", DrillFormat::parse(r.get("format")))?,
        status: parse_or_internal("drill status", DrillStatus::parse(r.get("status")))?,
        organizer_unit_name: r.get("unit_name"),
        start: r.get("start_at"),
        end: r.get("end_at"),
        place: r.get("place"),
        people: r.get("people"),
    })
}

const DRILL_SELECT: &str = "SELECT d.id, d.title, d.scenario, d.format, d.status, d.start_at, d.end_at, d.place, \
     u.name AS unit_name, u.path AS unit_path, \
     (SELECT COUNT(*) FROM drill_people dp WHERE dp.drill_id = d.id) AS people \
     FROM drills d JOIN units u ON u.id = d.organizer_unit_id";

/// The drills a caller sees, as a condition on `d` (a drill) and
/// `organizer_path` (its organizer unit's path): organized by a unit within
/// `reach`, or with `own_unit` taking part. `None` when they see none.
fn seen_clause(
    reach: &Reach,
    own_unit: Option<i64>,
    organizer_path: &str,
    binds: &mut Vec<String>,
) -> Option<String> {
    let mut ors = Vec::new();
    if let Some(clause) = super::reach_clause(reach, organizer_path, binds) {
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
pub async fn drills_seen(
    c: &mut AnyConnection,
    reach: &Reach,
    own_unit: Option<i64>,
    ids: &[i64],
) -> Result<std::collections::HashSet<i64>, AppError> {
    let mut binds = Vec::new();
    let Some(seen) = seen_clause(reach, own_unit, "u.path", &mut binds) else {
        return Ok(Default::default());
    };
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let list = super::id_list(ids);
    let sql = format!(
        "SELECT d.id FROM drills d JOIN units u ON u.id = d.organizer_unit_id \
         WHERE d.id IN ({list}) AND {seen}"
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(&mut *c).await?.into_iter().collect())
}

/// Drills organized within `reach`, and those `own_unit` takes part in;
/// newest first.
pub async fn list_drills(
    c: &mut AnyConnection,
    reach: &Reach,
    own_unit: Option<i64>,
) -> Result<Vec<DrillSummary>, AppError> {
    let mut binds = Vec::new();
    let Some(seen) = seen_clause(reach, own_unit, "u.path", &mut binds) else {
        return Ok(Vec::new());
    };
    let sql = format!("{DRILL_SELECT} WHERE {seen} ORDER BY d.start_at DESC, d.id DESC");
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    q.fetch_all(&mut *c).await?.iter().map(summary_of).collect()
}

/// Drills that exercised a plan, of those the caller sees (as
/// `list_drills`), newest first.
pub async fn plan_drills(
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
        "{DRILL_SELECT} WHERE {seen} AND EXISTS (SELECT 1 FROM drill_plans l WHERE l.drill_id = d.id AND l.plan_id = ${}) \
         ORDER BY d.start_at DESC",
        binds.len() + 1
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    q.bind(plan_id)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(summary_of)
        .collect()
}

/// The drills a person takes part in, newest first.
pub async fn person_drills(
    c: &mut AnyConnection,
    person: i64,
) -> Result<Vec<DrillSummary>, AppError> {
    linked_drills(c, "drill_people", "person_id", person).await
}

/// Drills with a row in a link table (this module's own names), newest
/// first.
async fn linked_drills(
    c: &mut AnyConnection,
    table: &str,
    column: &str,
    id: i64,
) -> Result<Vec<DrillSummary>, AppError> {
    let sql = format!(
        "{DRILL_SELECT} WHERE EXISTS (SELECT 1 FROM {table} l WHERE l.drill_id = d.id AND l.{column} = $1) \
         ORDER BY d.start_at DESC"
    );
    sqlx::query(&sql)
        .bind(id)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(summary_of)
        .collect()
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

pub async fn get_drill(c: &mut AnyConnection, id: i64) -> Result<Option<StoredDrill>, AppError> {
    let sql = DRILL_SELECT.replacen(
        " FROM drills d",
        ", d.organizer_unit_id, d.objectives, d.clash_reason, d.clashes, d.created_by, d.held_by, d.held_at, \
         d.evaluated_by, d.evaluated_at FROM drills d",
        1,
    ) + " WHERE d.id = $1";
    let Some(r) = sqlx::query(&sql).bind(id).fetch_optional(&mut *c).await? else {
        return Ok(None);
    };
    let summary = summary_of(&r)?;
    let objectives: Vec<String> =
        serde_json::from_str(&r.get::<String, _>("objectives")).map_err(|e| {
            tracing::error!(error = %e, "unreadable drill objectives");
            AppError::Internal
        })?;
    let clashes: Vec<ClashRow> = r
        .get::<Option<String>, _>("clashes")
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    let organizer: i64 = r.get("organizer_unit_id");
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
    let stamp = |by: &str, at: &str| -> Option<(String, i64)> {
        Some((
            r.get::<Option<String>, _>(by)?,
            r.get::<Option<i64>, _>(at)?,
        ))
    };
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
        organizer_path: r.get("unit_path"),
        unit_ids,
        clash_reason: r.get("clash_reason"),
        clashes,
        created_by: r.get("created_by"),
        held: stamp("held_by", "held_at"),
        evaluated: stamp("evaluated_by", "evaluated_at"),
        summary,
    }))
}

pub async fn drill_people(c: &mut AnyConnection, id: i64) -> Result<Vec<DrillPerson>, AppError> {
    let rows = sqlx::query(
        "SELECT p.id, p.code, p.name, u.name AS unit_name, dp.attended FROM drill_people dp \
         JOIN people p ON p.id = dp.person_id JOIN units u ON u.id = p.unit_id WHERE dp.drill_id = $1 ORDER BY p.code",
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .iter()
        .map(|r| DrillPerson {
            person_id: r.get("id"),
            code: r.get("code"),
            name: r.get("name"),
            unit_name: r.get("unit_name"),
            attended: r.get::<i64, _>("attended") != 0,
        })
        .collect())
}

pub async fn evaluation(c: &mut AnyConnection, id: i64) -> Result<Vec<EvaluationRow>, AppError> {
    let rows = sqlx::query(
        "SELECT rating, findings FROM drill_evaluations WHERE drill_id = $1 ORDER BY objective",
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EvaluationRow {
                rating: parse_or_internal("rating", Rating::parse(r.get("rating")))?,
                findings: r.get("findings"),
            })
        })
        .collect()
}

/// Marks a planned drill held, with who was there.
pub async fn hold(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    id: i64,
    attended: &[i64],
) -> Result<(), AppError> {
    let done = sqlx::query(
        "UPDATE drills SET status = 'held', held_by = $1, held_at = $2 WHERE id = $3 AND status = 'planned'",
    )
    .bind(&actor.name)
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict(Problem::new(
            "problem.drill_not_planned",
        )));
    }
    set_attendance(tx, id, attended).await?;
    audit::record(
        tx,
        actor,
        at,
        "drill.hold",
        "drill",
        &id.to_string(),
        None,
        Some(serde_json::json!({ "attended": attended }).to_string()),
    )
    .await?;
    Ok(())
}

async fn set_attendance(tx: &mut Tx<'_>, id: i64, attended: &[i64]) -> Result<(), AppError> {
    sqlx::query("UPDATE drill_people SET attended = 0 WHERE drill_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for p in attended {
        sqlx::query("UPDATE drill_people SET attended = 1 WHERE drill_id = $1 AND person_id = $2")
            .bind(id)
            .bind(p)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Records (or replaces) the evaluation of a held drill.
pub async fn evaluate(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    id: i64,
    rows: &[EvaluationRow],
) -> Result<(), AppError> {
    let done = sqlx::query(
        "UPDATE drills SET status = 'evaluated', evaluated_by = $1, evaluated_at = $2 WHERE id = $3 AND status <> 'planned'",
    )
    .bind(&actor.name)
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict(Problem::new("problem.drill_not_held")));
    }
    sqlx::query("DELETE FROM drill_evaluations WHERE drill_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for (i, r) in rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO drill_evaluations (drill_id, objective, rating, findings) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(i as i64)
        .bind(r.rating.code())
        .bind(&r.findings)
        .execute(&mut **tx)
        .await?;
    }
    audit::record(
        tx,
        actor,
        at,
        "drill.evaluate",
        "drill",
        &id.to_string(),
        None,
        Some(serde_json::to_string(rows).unwrap_or_default()),
    )
    .await?;
    Ok(())
}

// ---- corrective actions ----

pub async fn add_action(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    drill_id: i64,
    def: &ActionDef,
) -> Result<i64, AppError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO corrective_actions (drill_id, description, owner_unit_id, due_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(drill_id)
    .bind(&def.description)
    .bind(def.owner_unit_id)
    .bind(def.due_on.to_string())
    .bind(&actor.name)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "corrective_action.add",
        "corrective_action",
        &id.to_string(),
        None,
        Some(serde_json::to_string(def).unwrap_or_default()),
    )
    .await?;
    Ok(id)
}

pub async fn close_action(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    id: i64,
    note: &str,
) -> Result<(), AppError> {
    crate::platform::close_once(
        &mut crate::platform::Write::within(tx, actor, at),
        (
            "corrective_actions",
            "corrective_action",
            "corrective_action.close",
        ),
        id,
        note,
        "problem.action_closed",
    )
    .await
}

/// Which actions to list.
pub enum ActionFilter<'a> {
    Drill(i64),
    /// Owned by units within reach, or by this unit.
    Visible(&'a Reach, Option<i64>),
}

/// Corrective actions, open ones first by due date, with the owner
/// unit's path for scope checks.
pub async fn actions(
    c: &mut AnyConnection,
    filter: ActionFilter<'_>,
    today: NaiveDate,
) -> Result<Vec<(ActionRow, String)>, AppError> {
    let mut binds = Vec::new();
    let clause = match filter {
        ActionFilter::Drill(id) => format!("a.drill_id = {id}"),
        ActionFilter::Visible(reach, own) => {
            let mut ors = Vec::new();
            if let Some(clause) = super::reach_clause(reach, "u.path", &mut binds) {
                ors.push(clause);
            }
            if let Some(u) = own {
                ors.push(format!("a.owner_unit_id = {u}"));
            }
            if ors.is_empty() {
                return Ok(Vec::new());
            }
            format!("({})", ors.join(" OR "))
        }
    };
    let sql = format!(
        "SELECT a.*, d.title AS drill_title, u.name AS unit_name, u.path AS unit_path FROM corrective_actions a \
         JOIN drills d ON d.id = a.drill_id JOIN units u ON u.id = a.owner_unit_id WHERE {clause} \
         ORDER BY CASE WHEN a.closed_at IS NULL THEN 0 ELSE 1 END, a.due_on, a.id"
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| -> Result<_, sqlx::Error> {
            let due_on = day(r, "due_on")?;
            let closed_at: Option<i64> = r.get("closed_at");
            Ok((
                ActionRow {
                    id: r.get("id"),
                    drill_id: r.get("drill_id"),
                    drill_title: r.get("drill_title"),
                    description: r.get("description"),
                    owner_unit_id: r.get("owner_unit_id"),
                    owner_unit_name: r.get("unit_name"),
                    due_on,
                    closed_by: r.get("closed_by"),
                    closed_at,
                    closing_note: r.get("closing_note"),
                    overdue: drills::action_overdue(due_on, closed_at.is_some(), today),
                },
                r.get("unit_path"),
            ))
        })
        .collect::<Result<_, _>>()?)
}

/// The paths of an action's owner unit and of its drill's organizer unit
/// (either one's manager may close it).
pub async fn action_paths(
    c: &mut AnyConnection,
    id: i64,
) -> Result<Option<(String, String)>, AppError> {
    let row = sqlx::query(
        "SELECT o.path AS owner_path, g.path AS organizer_path FROM corrective_actions a \
         JOIN units o ON o.id = a.owner_unit_id JOIN drills d ON d.id = a.drill_id \
         JOIN units g ON g.id = d.organizer_unit_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.map(|r| (r.get("owner_path"), r.get("organizer_path"))))
}

// ---- the calendar ----

/// Drills and training batches touching the days `first..=last` that the
/// caller may see, filtered by a unit subtree (drills it takes part in,
/// batches its people sit in or its plans) and a scenario (which leaves
/// training out). The caller sees drills organized by units within
/// `reach` and those `own_unit` takes part in, as the drill list shows
/// them; and batches of published plans of units within `reach` or
/// seating people within it (a district-wide plan's batches, everywhere
/// only or by their seats).
pub async fn calendar(
    c: &mut AnyConnection,
    reach: &Reach,
    own_unit: Option<i64>,
    first: NaiveDate,
    last: NaiveDate,
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
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        for r in q.bind(to).bind(from).fetch_all(&mut *c).await? {
            let span = Span::Times {
                start: r.get("start_at"),
                end: r.get("end_at"),
            };
            let (first_day, last_day) = span.days();
            out.push(CalItem {
                drill: true,
                title: r.get("title"),
                place: r.get("place"),
                first_day,
                last_day,
                time: Some(crate::domain::local_time(r.get("start_at"))[11..].to_string()),
                link: format!("/drills/{}", r.get::<i64, _>("id")),
                scenario: Scenario::parse(r.get("scenario")).ok(),
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
        let seats = super::reach_clause(reach, "u.path", binds)?;
        let plans = super::reach_clause(reach, "u.path", binds)?;
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
        "SELECT b.id, b.code, b.start_on, b.end_on, b.place, p.id AS plan_id, p.name FROM training_batches b \
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
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    for r in q.fetch_all(&mut *c).await? {
        out.push(batch_item(&r)?);
    }
    Ok(out)
}

fn batch_item(r: &AnyRow) -> Result<CalItem, sqlx::Error> {
    Ok(CalItem {
        drill: false,
        title: format!(
            "{} · {}",
            r.get::<String, _>("name"),
            r.get::<String, _>("code")
        ),
        place: r.get("place"),
        first_day: day(r, "start_on")?,
        last_day: day(r, "end_on")?,
        time: None,
        link: format!("/training/plans/{}", r.get::<i64, _>("plan_id")),
        scenario: None,
    })
}

fn drill_event(r: &AnyRow, suffix: &str) -> CalEvent {
    CalEvent {
        uid: format!("drill-{}{suffix}@yingji", r.get::<i64, _>("id")),
        summary: r.get("title"),
        location: r.get("place"),
        description: String::new(),
        span: Span::Times {
            start: r.get("start_at"),
            end: r.get("end_at"),
        },
    }
}

/// A person's drills, for their calendar feed.
pub async fn person_events(c: &mut AnyConnection, person: i64) -> Result<Vec<CalEvent>, AppError> {
    let rows = sqlx::query(
        "SELECT d.id, d.title, d.place, d.start_at, d.end_at FROM drills d JOIN drill_people dp ON dp.drill_id = d.id \
         WHERE dp.person_id = $1 ORDER BY d.start_at",
    )
    .bind(person)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .iter()
        .map(|r| drill_event(r, &format!("-person-{person}")))
        .collect())
}

/// A unit's drills and the published batches its people sit in, for the
/// unit's calendar feed.
pub async fn unit_events(c: &mut AnyConnection, unit: i64) -> Result<Vec<CalEvent>, AppError> {
    let rows = sqlx::query(
        "SELECT d.id, d.title, d.place, d.start_at, d.end_at FROM drills d JOIN drill_units du ON du.drill_id = d.id \
         WHERE du.unit_id = $1 ORDER BY d.start_at",
    )
    .bind(unit)
    .fetch_all(&mut *c)
    .await?;
    let mut out: Vec<CalEvent> = rows
        .iter()
        .map(|r| drill_event(r, &format!("-unit-{unit}")))
        .collect();
    let batches = sqlx::query(
        "SELECT DISTINCT b.id, b.code, b.start_on, b.end_on, b.place, p.name FROM training_batches b \
         JOIN training_plans p ON p.id = b.plan_id JOIN training_seats s ON s.batch_id = b.id \
         JOIN people pe ON pe.id = s.person_id WHERE p.published = 1 AND pe.unit_id = $1 ORDER BY b.start_on",
    )
    .bind(unit)
    .fetch_all(&mut *c)
    .await?;
    for r in &batches {
        out.push(CalEvent {
            uid: format!("batch-{}-unit-{unit}@yingji", r.get::<i64, _>("id")),
            summary: format!(
                "{} · {}",
                r.get::<String, _>("name"),
                r.get::<String, _>("code")
            ),
            location: r.get("place"),
            description: String::new(),
            span: Span::Days {
                start: day(r, "start_on")?,
                end: day(r, "end_on")?,
            },
        });
    }
    Ok(out)
}

/// The unit a person belongs to: (id, path).
pub async fn person_unit(
    c: &mut AnyConnection,
    person: i64,
) -> Result<Option<(i64, String)>, AppError> {
    let row = sqlx::query(
        "SELECT u.id, u.path FROM people p JOIN units u ON u.id = p.unit_id WHERE p.id = $1",
    )
    .bind(person)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.map(|r| (r.get("id"), r.get("path"))))
}
