//! Rosters: one unit's days, who stands which duty on each, and the
//! slots nobody could take.

use super::super::dto::RosterHead;
use crate::domain::authz::Reach;
use crate::domain::duty::DutyRole;
use crate::error::AppError;
use crate::platform::db::{Code, Day, Val, insert_rows, reach_clause};
use crate::platform::{Change, Write};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

/// Why a person could not take a gap's slot, as stored (`why_json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredWhy {
    pub person: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest_after: Option<NaiveDate>,
}

/// A gap to store.
pub struct NewGap {
    pub day: NaiveDate,
    pub role: DutyRole,
    pub missing: u32,
    pub why: Vec<StoredWhy>,
}

#[derive(sqlx::FromRow)]
struct Head {
    id: i64,
    unit_id: i64,
    unit_name: String,
    unit_path: String,
    first_day: Day,
    last_day: Day,
    status: String,
    created_by: String,
    created_at: i64,
    published_by: Option<String>,
    published_at: Option<i64>,
    gaps: i64,
}

impl Head {
    fn located(self) -> Result<(RosterHead, String), AppError> {
        let published = match self.status.as_str() {
            "draft" => false,
            "published" => true,
            other => {
                tracing::error!(id = self.id, other, "a roster's status unknown");
                return Err(AppError::Internal);
            }
        };
        Ok((
            RosterHead {
                id: self.id,
                unit_id: self.unit_id,
                unit_name: self.unit_name,
                first: self.first_day.0,
                last: self.last_day.0,
                published,
                created_by: self.created_by,
                created_at: self.created_at,
                published_by: self.published_by,
                published_at: self.published_at,
                gaps: self.gaps,
            },
            self.unit_path,
        ))
    }
}

const SELECT: &str = "SELECT r.id, r.unit_id, u.name AS unit_name, u.path AS unit_path, r.first_day, r.last_day, r.status, \
     r.created_by, r.created_at, r.published_by, r.published_at, \
     CAST((SELECT COALESCE(SUM(g.missing), 0) FROM duty_gaps g WHERE g.roster_id = r.id) AS BIGINT) AS gaps \
     FROM duty_rosters r JOIN units u ON u.id = r.unit_id";

/// A roster with its unit's path (for the caller's scope check).
pub async fn get(c: &mut AnyConnection, id: i64) -> Result<Option<(RosterHead, String)>, AppError> {
    let row: Option<Head> = sqlx::query_as(&format!("{SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await?;
    row.map(Head::located).transpose()
}

/// The newest 200 rosters of units within `reach`.
pub async fn within(c: &mut AnyConnection, reach: &Reach) -> Result<Vec<RosterHead>, AppError> {
    let mut values = Vec::new();
    let Some(cond) = reach_clause(reach, "u.path", &mut values) else {
        return Ok(Vec::new());
    };
    let sql = format!("{SELECT} WHERE {cond} ORDER BY r.first_day DESC, r.id DESC LIMIT 200");
    let mut q = sqlx::query_as::<_, Head>(&sql);
    for v in values {
        q = q.bind(v);
    }
    q.fetch_all(c)
        .await?
        .into_iter()
        .map(|h| h.located().map(|(h, _)| h))
        .collect()
}

/// Stores a new draft of `unit` for `first..=last`, after removing the
/// unit's other drafts (a new draft replaces the last one).
pub async fn create(
    w: &mut Write<'_>,
    unit: i64,
    (first, last): (NaiveDate, NaiveDate),
    slots: &[(NaiveDate, DutyRole, i64)],
    gaps: &[NewGap],
) -> Result<i64, AppError> {
    let drafts: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM duty_rosters WHERE unit_id = $1 AND status = 'draft'")
            .bind(unit)
            .fetch_all(w.conn())
            .await?;
    for d in drafts {
        remove_rows(w, d).await?;
        w.audit(Change::new("duty_roster.replace_draft", "duty_roster", d))
            .await?;
    }
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO duty_rosters (unit_id, first_day, last_day, status, created_by, created_at) \
         VALUES ($1, $2, $3, 'draft', $4, $5) RETURNING id",
    )
    .bind(unit)
    .bind(first.to_string())
    .bind(last.to_string())
    .bind(by)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    let days: Vec<String> = slots.iter().map(|s| s.0.to_string()).collect();
    let rows: Vec<Vec<Val>> = slots
        .iter()
        .zip(&days)
        .map(|(&(_, role, person), day)| {
            vec![
                Val::Int(id),
                Val::Text(day),
                Val::Text(role.code()),
                Val::Int(person),
            ]
        })
        .collect();
    insert_rows(
        w.conn(),
        "INSERT INTO duty_slots (roster_id, day, role, person_id)",
        4,
        &rows,
    )
    .await?;
    let gap_text: Vec<(String, String)> = gaps
        .iter()
        .map(|g| Ok((g.day.to_string(), serde_json::to_string(&g.why)?)))
        .collect::<Result<_, serde_json::Error>>()
        .map_err(|e| {
            tracing::error!(%e, "a gap's reasons unwritable");
            AppError::Internal
        })?;
    let rows: Vec<Vec<Val>> = gaps
        .iter()
        .zip(&gap_text)
        .map(|(g, (day, why))| {
            vec![
                Val::Int(id),
                Val::Text(day),
                Val::Text(g.role.code()),
                Val::Int(i64::from(g.missing)),
                Val::Text(why),
            ]
        })
        .collect();
    insert_rows(
        w.conn(),
        "INSERT INTO duty_gaps (roster_id, day, role, missing, why_json)",
        5,
        &rows,
    )
    .await?;
    w.audit(
        Change::new("duty_roster.generate", "duty_roster", id).after(&serde_json::json!({
            "unit_id": unit, "first": first, "last": last,
            "duties": slots.len(), "open_slots": gaps.iter().map(|g| g.missing).sum::<u32>(),
        })),
    )
    .await?;
    Ok(id)
}

/// Deletes a draft with its duties and gaps; a roster that is no longer a
/// draft (published meanwhile) is a conflict and the transaction keeps
/// nothing of this.
async fn remove_rows(w: &mut Write<'_>, id: i64) -> Result<(), AppError> {
    for sql in [
        "DELETE FROM duty_slots WHERE roster_id = $1",
        "DELETE FROM duty_gaps WHERE roster_id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(w.conn()).await?;
    }
    let done = sqlx::query("DELETE FROM duty_rosters WHERE id = $1 AND status = 'draft'")
        .bind(id)
        .execute(w.conn())
        .await?;
    crate::platform::db::changed(
        &done,
        crate::domain::Problem::new("problem.roster_published"),
    )?;
    Ok(())
}

/// The unit a roster belongs to (it never changes).
pub async fn unit_of(c: &mut AnyConnection, id: i64) -> Result<Option<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT unit_id FROM duty_rosters WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?,
    )
}

/// Removes a draft; a published roster stays (409).
pub async fn remove_draft(w: &mut Write<'_>, id: i64) -> Result<(), AppError> {
    let status: Option<String> =
        sqlx::query_scalar("SELECT status FROM duty_rosters WHERE id = $1")
            .bind(id)
            .fetch_optional(w.conn())
            .await?;
    match status.as_deref() {
        None => return Err(AppError::NotFound),
        Some("draft") => {}
        Some(_) => {
            return Err(AppError::Conflict(crate::domain::Problem::new(
                "problem.roster_published",
            )));
        }
    }
    remove_rows(w, id).await?;
    w.audit(Change::new("duty_roster.remove", "duty_roster", id))
        .await?;
    Ok(())
}

/// The published roster of the same unit that shares a day with roster
/// `id`, if any: (its id, first day, last day).
pub async fn overlapping_published(
    c: &mut AnyConnection,
    id: i64,
) -> Result<Option<(i64, Day, Day)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT o.id, o.first_day, o.last_day FROM duty_rosters r JOIN duty_rosters o \
         ON o.unit_id = r.unit_id AND o.id <> r.id AND o.status = 'published' \
         AND o.first_day <= r.last_day AND o.last_day >= r.first_day WHERE r.id = $1 ORDER BY o.first_day LIMIT 1",
    )
    .bind(id)
    .fetch_optional(c)
    .await?)
}

/// Publishes a draft, once: a second publish (or one racing it) is a
/// conflict.
pub async fn publish(w: &mut Write<'_>, id: i64) -> Result<(), AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let done = sqlx::query(
        "UPDATE duty_rosters SET status = 'published', published_by = $1, published_at = $2 WHERE id = $3 AND status = 'draft'",
    )
    .bind(by)
    .bind(at)
    .bind(id)
    .execute(w.conn())
    .await?;
    crate::platform::db::changed(
        &done,
        crate::domain::Problem::new("problem.roster_published"),
    )?;
    w.audit(Change::new("duty_roster.publish", "duty_roster", id))
        .await?;
    Ok(())
}

/// A duty of a roster: (day, role, person id, person's name, phone).
#[derive(sqlx::FromRow)]
pub struct Slot {
    pub id: i64,
    pub day: Day,
    pub role: Code<DutyRole>,
    pub person_id: i64,
    pub name: String,
    pub phone: Option<String>,
}

pub async fn slots(c: &mut AnyConnection, id: i64) -> Result<Vec<Slot>, AppError> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.day, s.role, s.person_id, p.name, p.phone FROM duty_slots s JOIN people p ON p.id = s.person_id \
         WHERE s.roster_id = $1 ORDER BY s.day, s.role, p.name",
    )
    .bind(id)
    .fetch_all(c)
    .await?)
}

#[derive(sqlx::FromRow)]
struct StoredGap {
    day: Day,
    role: Code<DutyRole>,
    missing: i64,
    why_json: String,
}

/// A roster's gaps: (day, role, missing, why).
pub async fn gaps(
    c: &mut AnyConnection,
    id: i64,
) -> Result<Vec<(NaiveDate, DutyRole, u32, Vec<StoredWhy>)>, AppError> {
    let rows: Vec<StoredGap> = sqlx::query_as(
        "SELECT day, role, missing, why_json FROM duty_gaps WHERE roster_id = $1 ORDER BY day, role",
    )
    .bind(id)
    .fetch_all(c)
    .await?;
    rows.into_iter()
        .map(|g| {
            let why = serde_json::from_str(&g.why_json).map_err(|e| {
                tracing::error!(%e, roster = id, "a gap's reasons unreadable");
                AppError::Internal
            })?;
            let missing = u32::try_from(g.missing).map_err(|_| AppError::Internal)?;
            Ok((g.day.0, g.role.0, missing, why))
        })
        .collect()
}

/// Who stands duty on `day` in published rosters: (unit id, slot).
pub async fn on_day(c: &mut AnyConnection, day: NaiveDate) -> Result<Vec<(i64, Slot)>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        unit_id: i64,
        #[sqlx(flatten)]
        slot: Slot,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT r.unit_id, s.id, s.day, s.role, s.person_id, p.name, p.phone FROM duty_slots s \
         JOIN duty_rosters r ON r.id = s.roster_id JOIN people p ON p.id = s.person_id \
         WHERE s.day = $1 AND r.status = 'published' ORDER BY r.unit_id, s.role, p.name",
    )
    .bind(day.to_string())
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().map(|r| (r.unit_id, r.slot)).collect())
}

/// Open slots on `day` in published rosters: (unit id, role, missing),
/// and the units a published roster covers that day.
pub async fn open_on_day(
    c: &mut AnyConnection,
    day: NaiveDate,
) -> Result<(Vec<(i64, DutyRole, u32)>, Vec<i64>), AppError> {
    let gaps: Vec<(i64, Code<DutyRole>, i64)> = sqlx::query_as(
        "SELECT r.unit_id, g.role, g.missing FROM duty_gaps g JOIN duty_rosters r ON r.id = g.roster_id \
         WHERE g.day = $1 AND r.status = 'published'",
    )
    .bind(day.to_string())
    .fetch_all(&mut *c)
    .await?;
    let covered: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT unit_id FROM duty_rosters WHERE status = 'published' AND first_day <= $1 AND last_day >= $1",
    )
    .bind(day.to_string())
    .fetch_all(&mut *c)
    .await?;
    Ok((
        gaps.into_iter()
            .map(|(u, r, m)| (u, r.0, u32::try_from(m).unwrap_or(u32::MAX)))
            .collect(),
        covered,
    ))
}

/// A person's published duties from `from` on: (day, role, unit name).
pub async fn of_person(
    c: &mut AnyConnection,
    person: i64,
    from: NaiveDate,
) -> Result<Vec<(NaiveDate, DutyRole, String)>, AppError> {
    let rows: Vec<(Day, Code<DutyRole>, String)> = sqlx::query_as(
        "SELECT s.day, s.role, u.name FROM duty_slots s JOIN duty_rosters r ON r.id = s.roster_id \
         JOIN units u ON u.id = r.unit_id WHERE s.person_id = $1 AND r.status = 'published' AND s.day >= $2 \
         ORDER BY s.day LIMIT 400",
    )
    .bind(person)
    .bind(from.to_string())
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().map(|(d, r, u)| (d.0, r.0, u)).collect())
}

/// The people on a roster (to tell them it is published).
pub async fn people_on(c: &mut AnyConnection, id: i64) -> Result<Vec<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT person_id FROM duty_slots WHERE roster_id = $1")
            .bind(id)
            .fetch_all(c)
            .await?,
    )
}
