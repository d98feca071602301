//! Swaps of duties between two people of a published roster, and the
//! organizer's replacements: every change of hands audited.

use super::super::dto::SwapRow;
use crate::domain::duty::DutyRole;
use crate::domain::duty_office::SwapStatus;
use crate::error::AppError;
use crate::platform::db::{Code, Day};
use crate::platform::{Change, Write};
use chrono::NaiveDate;
use sqlx::AnyConnection;

/// A slot of a roster: (id, roster, day, role, person).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SlotAt {
    pub id: i64,
    pub roster_id: i64,
    pub day: Day,
    pub role: Code<DutyRole>,
    pub person_id: i64,
}

pub async fn slot(c: &mut AnyConnection, id: i64) -> Result<Option<SlotAt>, AppError> {
    Ok(
        sqlx::query_as("SELECT id, roster_id, day, role, person_id FROM duty_slots WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await?,
    )
}

/// A person's duty days in the published rosters of a unit and in roster
/// `roster` (published or not), leaving out slot `except`.
pub async fn duty_days(
    c: &mut AnyConnection,
    person: i64,
    roster: i64,
    except: &[i64],
) -> Result<Vec<NaiveDate>, AppError> {
    let rows: Vec<(i64, Day)> = sqlx::query_as(
        "SELECT s.id, s.day FROM duty_slots s JOIN duty_rosters r ON r.id = s.roster_id \
         WHERE s.person_id = $1 AND (r.status = 'published' OR r.id = $2)",
    )
    .bind(person)
    .bind(roster)
    .fetch_all(c)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(id, _)| !except.contains(id))
        .map(|(_, d)| d.0)
        .collect())
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    roster_id: i64,
    asker_slot: i64,
    other_slot: i64,
    asker_id: i64,
    other_id: i64,
    asker_name: String,
    other_name: String,
    asker_day: Day,
    other_day: Day,
    role: Code<DutyRole>,
    status: String,
    reason: String,
    asked_at: i64,
    decided_by: Option<String>,
}

impl Stored {
    fn row(self) -> Result<SwapRow, AppError> {
        let status = SwapStatus::parse(&self.status).ok_or_else(|| {
            tracing::error!(
                id = self.id,
                status = self.status,
                "a swap's status unknown"
            );
            AppError::Internal
        })?;
        Ok(SwapRow {
            id: self.id,
            roster_id: self.roster_id,
            asker_slot: self.asker_slot,
            other_slot: self.other_slot,
            asker_id: self.asker_id,
            other_id: self.other_id,
            asker: self.asker_name,
            other: self.other_name,
            asker_day: self.asker_day.0,
            other_day: self.other_day.0,
            role: self.role.0,
            status,
            reason: self.reason,
            asked_at: self.asked_at,
            decided_by: self.decided_by,
        })
    }
}

const SELECT: &str = "SELECT w.id, w.roster_id, w.asker_slot, w.other_slot, w.asker_id, w.other_id, \
     pa.name AS asker_name, po.name AS other_name, sa.day AS asker_day, so.day AS other_day, sa.role, \
     w.status, w.reason, w.asked_at, w.decided_by FROM duty_swaps w \
     JOIN people pa ON pa.id = w.asker_id JOIN people po ON po.id = w.other_id \
     JOIN duty_slots sa ON sa.id = w.asker_slot JOIN duty_slots so ON so.id = w.other_slot";

pub async fn get(c: &mut AnyConnection, id: i64) -> Result<Option<SwapRow>, AppError> {
    let row: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE w.id = $1"))
        .bind(id)
        .fetch_optional(c)
        .await?;
    row.map(Stored::row).transpose()
}

/// A roster's swaps, newest first.
pub async fn of_roster(c: &mut AnyConnection, roster: i64) -> Result<Vec<SwapRow>, AppError> {
    let rows: Vec<Stored> = sqlx::query_as(&format!(
        "{SELECT} WHERE w.roster_id = $1 ORDER BY w.id DESC LIMIT 200"
    ))
    .bind(roster)
    .fetch_all(c)
    .await?;
    rows.into_iter().map(Stored::row).collect()
}

/// Is either slot in an open swap already?
pub async fn open_on(c: &mut AnyConnection, slots: [i64; 2]) -> Result<bool, AppError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM duty_swaps WHERE status IN ('asked', 'accepted') \
         AND (asker_slot IN ($1, $2) OR other_slot IN ($1, $2))",
    )
    .bind(slots[0])
    .bind(slots[1])
    .fetch_one(c)
    .await?;
    Ok(n > 0)
}

pub async fn ask(
    w: &mut Write<'_>,
    (asker, other): (&SlotAt, &SlotAt),
    reason: &str,
) -> Result<i64, AppError> {
    let at = w.at;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO duty_swaps (roster_id, asker_slot, other_slot, asker_id, other_id, status, reason, asked_at) \
         VALUES ($1, $2, $3, $4, $5, 'asked', $6, $7) RETURNING id",
    )
    .bind(asker.roster_id)
    .bind(asker.id)
    .bind(other.id)
    .bind(asker.person_id)
    .bind(other.person_id)
    .bind(reason)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    w.audit(
        Change::new("duty_swap.ask", "duty_swap", id).after(&serde_json::json!({
            "roster": asker.roster_id,
            "asker": asker.person_id, "asker_day": asker.day.0,
            "other": other.person_id, "other_day": other.day.0,
            "reason": reason,
        })),
    )
    .await?;
    Ok(id)
}

/// Moves a swap from `from` to `to`, once: a step racing another finds
/// the status changed and is a conflict.
pub async fn set_status(
    w: &mut Write<'_>,
    id: i64,
    (from, to): (SwapStatus, SwapStatus),
) -> Result<(), AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let decided = !to.is_open();
    let done = sqlx::query(
        "UPDATE duty_swaps SET status = $1, decided_by = CASE WHEN $2 = 1 THEN $3 ELSE decided_by END, \
         decided_at = CASE WHEN $2 = 1 THEN $4 ELSE decided_at END WHERE id = $5 AND status = $6",
    )
    .bind(to.code())
    .bind(i64::from(decided))
    .bind(by)
    .bind(at)
    .bind(id)
    .bind(from.code())
    .execute(w.conn())
    .await?;
    crate::platform::db::changed(&done, crate::domain::Problem::new("problem.swap_decided"))?;
    w.audit(
        Change::new(&format!("duty_swap.{}", to.code()), "duty_swap", id)
            .before(&serde_json::json!({ "status": from.code() }))
            .after(&serde_json::json!({ "status": to.code() })),
    )
    .await?;
    Ok(())
}

/// Puts `person` on slot `slot` (read in this transaction as `was`),
/// audited as `action` with the person before and after; a slot whose
/// person changed since it was read is a conflict.
pub async fn hand_over(
    w: &mut Write<'_>,
    was: &SlotAt,
    person: i64,
    action: &str,
) -> Result<(), AppError> {
    let done = sqlx::query("UPDATE duty_slots SET person_id = $1 WHERE id = $2 AND person_id = $3")
        .bind(person)
        .bind(was.id)
        .bind(was.person_id)
        .execute(w.conn())
        .await?;
    crate::platform::db::changed(&done, crate::domain::Problem::new("problem.swap_stale"))?;
    w.audit(
        Change::new(action, "duty_roster", was.roster_id)
            .before(&serde_json::json!({ "day": was.day.0, "role": was.role.0.code(), "person": was.person_id }))
            .after(&serde_json::json!({ "day": was.day.0, "role": was.role.0.code(), "person": person })),
    )
    .await?;
    Ok(())
}

/// Fills one open slot of a gap by hand: a new slot for `person`, the
/// gap one smaller (gone at zero). `Conflict` when the roster has no such
/// gap.
pub async fn fill_gap(
    w: &mut Write<'_>,
    roster: i64,
    (day, role): (NaiveDate, DutyRole),
    person: i64,
) -> Result<(), AppError> {
    let gap: Option<(i64, i64)> = sqlx::query_as(
        "SELECT id, missing FROM duty_gaps WHERE roster_id = $1 AND day = $2 AND role = $3",
    )
    .bind(roster)
    .bind(day.to_string())
    .bind(role.code())
    .fetch_optional(w.conn())
    .await?;
    let Some((gap, missing)) = gap else {
        return Err(AppError::Conflict(crate::domain::Problem::new(
            "problem.duty_no_gap",
        )));
    };
    if missing <= 1 {
        sqlx::query("DELETE FROM duty_gaps WHERE id = $1")
            .bind(gap)
            .execute(w.conn())
            .await?;
    } else {
        sqlx::query("UPDATE duty_gaps SET missing = missing - 1 WHERE id = $1")
            .bind(gap)
            .execute(w.conn())
            .await?;
    }
    sqlx::query("INSERT INTO duty_slots (roster_id, day, role, person_id) VALUES ($1, $2, $3, $4)")
        .bind(roster)
        .bind(day.to_string())
        .bind(role.code())
        .bind(person)
        .execute(w.conn())
        .await?;
    w.audit(
        Change::new("duty_roster.fill_gap", "duty_roster", roster)
            .after(&serde_json::json!({ "day": day, "role": role.code(), "person": person })),
    )
    .await?;
    Ok(())
}

/// The slot of `person` on `day` in `role` on roster `roster`, if any.
pub async fn slot_of(
    c: &mut AnyConnection,
    roster: i64,
    (day, role): (NaiveDate, DutyRole),
    person: i64,
) -> Result<Option<SlotAt>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, roster_id, day, role, person_id FROM duty_slots \
         WHERE roster_id = $1 AND day = $2 AND role = $3 AND person_id = $4",
    )
    .bind(roster)
    .bind(day.to_string())
    .bind(role.code())
    .bind(person)
    .fetch_optional(c)
    .await?)
}
