//! Daily and zero reports: the district's rule (`daily_report_rules`),
//! the reports (`daily_reports`), the days missed (`daily_report_misses`)
//! and the office's reminders (`daily_report_reminders`).

use super::super::dto::{MissRow, ReportRow};
use crate::domain::authz::Reach;
use crate::domain::daily_report::{DailyReport, ReportRules, RuleBook};
use crate::domain::unit::UnitKind;
use crate::error::AppError;
use crate::platform::db::{Day, reach_clause};
use crate::platform::{Change, Write};
use chrono::NaiveDate;
use sqlx::AnyConnection;
use std::collections::HashMap;

/// The rule as kept: what it says (with a change waiting for tomorrow),
/// the first day it applied and the last day settled.
pub struct Kept {
    pub book: RuleBook,
    pub effective_from: NaiveDate,
    pub settled_through: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct StoredRules {
    deadline_minute: i64,
    kinds: String,
    effective_from: Day,
    settled_through: Option<Day>,
    next_deadline_minute: Option<i64>,
    next_kinds: Option<String>,
    next_from: Option<Day>,
}

fn read_rules(deadline_minute: i64, kinds: &str) -> Result<ReportRules, AppError> {
    let bad = |what: &str| {
        tracing::error!(what, "the daily-report rule does not read back");
        AppError::Internal
    };
    let kinds = kinds
        .split(',')
        .filter(|k| !k.is_empty())
        .map(|k| UnitKind::parse(k).map_err(|_| bad("kinds")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ReportRules {
        deadline_minute: u32::try_from(deadline_minute).map_err(|_| bad("deadline"))?,
        kinds,
    })
}

fn kinds_text(rules: &ReportRules) -> String {
    rules
        .kinds
        .iter()
        .map(|k| k.code())
        .collect::<Vec<_>>()
        .join(",")
}

pub async fn rules(c: &mut AnyConnection) -> Result<Option<Kept>, AppError> {
    let row: Option<StoredRules> = sqlx::query_as(
        "SELECT deadline_minute, kinds, effective_from, settled_through, next_deadline_minute, next_kinds, next_from \
         FROM daily_report_rules WHERE id = 1",
    )
    .fetch_optional(c)
    .await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let next = match (r.next_from, r.next_deadline_minute, &r.next_kinds) {
        (Some(from), Some(minute), Some(kinds)) => Some((from.0, read_rules(minute, kinds)?)),
        _ => None,
    };
    Ok(Some(Kept {
        book: RuleBook {
            current: read_rules(r.deadline_minute, &r.kinds)?,
            next,
        },
        effective_from: r.effective_from.0,
        settled_through: r.settled_through.map(|d| d.0),
    }))
}

/// Saves the rule book; `first_day` applies only to the first save (a rule
/// changed later keeps its days settled). Audited with the rule before
/// and the change with its first day.
pub async fn save_rules(
    w: &mut Write<'_>,
    book: &RuleBook,
    first_day: NaiveDate,
) -> Result<(), AppError> {
    let before = self::rules(w.conn()).await?.map(|k| k.book);
    let (by, at) = (w.actor.name.clone(), w.at);
    let next = book.next.as_ref();
    sqlx::query(
        "INSERT INTO daily_report_rules (id, deadline_minute, kinds, effective_from, updated_by, updated_at, \
         next_deadline_minute, next_kinds, next_from) VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (id) DO UPDATE SET deadline_minute = $1, kinds = $2, updated_by = $4, updated_at = $5, \
         next_deadline_minute = $6, next_kinds = $7, next_from = $8",
    )
    .bind(i64::from(book.current.deadline_minute))
    .bind(kinds_text(&book.current))
    .bind(first_day.to_string())
    .bind(by)
    .bind(at)
    .bind(next.map(|(_, r)| i64::from(r.deadline_minute)))
    .bind(next.map(|(_, r)| kinds_text(r)))
    .bind(next.map(|(from, _)| from.to_string()))
    .execute(w.conn())
    .await?;
    let mut change = Change::new("daily_report_rules.save", "daily_report_rules", 1).after(book);
    if let Some(b) = before {
        change = change.before(&b);
    }
    w.audit(change).await?;
    Ok(())
}

/// Holds the rule's row until the transaction ends.
pub async fn lock_rules(c: &mut AnyConnection) -> Result<(), AppError> {
    crate::platform::db::lock_row(c, ("daily_report_rules", "id"), 1).await?;
    Ok(())
}

/// Marks `day` settled (never moves the mark back).
pub async fn settled(c: &mut AnyConnection, day: NaiveDate) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE daily_report_rules SET settled_through = $1 \
         WHERE id = 1 AND (settled_through IS NULL OR settled_through < $1)",
    )
    .bind(day.to_string())
    .execute(c)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StoredReport {
    unit_id: i64,
    unit_name: String,
    day: Day,
    incidents: i64,
    injured: i64,
    dead: i64,
    summary: String,
    submitted_by: String,
    submitted_at: i64,
}

impl TryFrom<StoredReport> for ReportRow {
    type Error = AppError;

    fn try_from(r: StoredReport) -> Result<ReportRow, AppError> {
        let n = |v: i64| {
            u32::try_from(v).map_err(|_| {
                tracing::error!(unit = r.unit_id, v, "a daily report's count out of range");
                AppError::Internal
            })
        };
        Ok(ReportRow {
            report: DailyReport {
                incidents: n(r.incidents)?,
                injured: n(r.injured)?,
                dead: n(r.dead)?,
                summary: r.summary.clone(),
            },
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            day: r.day.0,
            submitted_by: r.submitted_by,
            submitted_at: r.submitted_at,
        })
    }
}

const SELECT_REPORT: &str = "SELECT r.unit_id, u.name AS unit_name, r.day, r.incidents, r.injured, r.dead, r.summary, \
     r.submitted_by, r.submitted_at FROM daily_reports r JOIN units u ON u.id = r.unit_id";

/// The reports of a day, by unit.
pub async fn of_day(
    c: &mut AnyConnection,
    day: NaiveDate,
) -> Result<HashMap<i64, ReportRow>, AppError> {
    let rows: Vec<StoredReport> = sqlx::query_as(&format!("{SELECT_REPORT} WHERE r.day = $1"))
        .bind(day.to_string())
        .fetch_all(c)
        .await?;
    rows.into_iter()
        .map(|r| ReportRow::try_from(r).map(|r| (r.unit_id, r)))
        .collect()
}

pub async fn of_unit_day(
    c: &mut AnyConnection,
    unit: i64,
    day: NaiveDate,
) -> Result<Option<ReportRow>, AppError> {
    let row: Option<StoredReport> = sqlx::query_as(&format!(
        "{SELECT_REPORT} WHERE r.unit_id = $1 AND r.day = $2"
    ))
    .bind(unit)
    .bind(day.to_string())
    .fetch_optional(c)
    .await?;
    row.map(ReportRow::try_from).transpose()
}

/// Files a unit's report of a day; `None` when the unit has one already
/// (also when another request filed it a moment before).
pub async fn add(
    w: &mut Write<'_>,
    unit: i64,
    day: NaiveDate,
    r: &DailyReport,
) -> Result<Option<i64>, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO daily_reports (unit_id, day, incidents, injured, dead, summary, submitted_by, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (unit_id, day) DO NOTHING RETURNING id",
    )
    .bind(unit)
    .bind(day.to_string())
    .bind(i64::from(r.incidents))
    .bind(i64::from(r.injured))
    .bind(i64::from(r.dead))
    .bind(&r.summary)
    .bind(by)
    .bind(at)
    .fetch_optional(w.conn())
    .await?;
    if let Some(id) = id {
        w.audit(
            Change::new("daily_report.file", "daily_report", id)
                .after(&serde_json::json!({ "unit_id": unit, "day": day, "report": r })),
        )
        .await?;
    }
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct StoredMiss {
    id: i64,
    unit_id: i64,
    unit_name: String,
    day: Day,
    late: i64,
    event_id: Option<i64>,
    excused_by: Option<String>,
    excused_at: Option<i64>,
    excuse: Option<String>,
}

impl From<StoredMiss> for MissRow {
    fn from(r: StoredMiss) -> MissRow {
        MissRow {
            id: r.id,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            day: r.day.0,
            late: r.late != 0,
            event_id: r.event_id,
            excused_by: r.excused_by,
            excused_at: r.excused_at,
            excuse: r.excuse,
        }
    }
}

const SELECT_MISS: &str = "SELECT m.id, m.unit_id, u.name AS unit_name, m.day, m.late, m.event_id, m.excused_by, \
     m.excused_at, m.excuse FROM daily_report_misses m JOIN units u ON u.id = m.unit_id";

/// Records a missed day once: `None` when it was recorded already.
pub async fn add_miss(
    w: &mut Write<'_>,
    unit: i64,
    day: NaiveDate,
    late: bool,
    deadline: i64,
) -> Result<Option<i64>, AppError> {
    let at = w.at;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO daily_report_misses (unit_id, day, late, deadline, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (unit_id, day) DO NOTHING RETURNING id",
    )
    .bind(unit)
    .bind(day.to_string())
    .bind(i64::from(late))
    .bind(deadline)
    .bind(at)
    .fetch_optional(w.conn())
    .await?;
    if let Some(id) = id {
        w.audit(
            Change::new("daily_report.missed", "daily_report_miss", id)
                .after(&serde_json::json!({ "unit_id": unit, "day": day, "late": late })),
        )
        .await?;
    }
    Ok(id)
}

pub async fn set_miss_event(w: &mut Write<'_>, id: i64, event: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE daily_report_misses SET event_id = $1 WHERE id = $2")
        .bind(event)
        .bind(id)
        .execute(w.conn())
        .await?;
    Ok(())
}

/// The day's event was withdrawn (the day excused).
pub async fn clear_miss_event(w: &mut Write<'_>, id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE daily_report_misses SET event_id = NULL WHERE id = $1")
        .bind(id)
        .execute(w.conn())
        .await?;
    Ok(())
}

/// A report came in after its day was recorded as missing: the day now
/// reads "late".
pub async fn mark_late(w: &mut Write<'_>, unit: i64, day: NaiveDate) -> Result<(), AppError> {
    sqlx::query("UPDATE daily_report_misses SET late = 1 WHERE unit_id = $1 AND day = $2")
        .bind(unit)
        .bind(day.to_string())
        .execute(w.conn())
        .await?;
    Ok(())
}

/// A missed day with its unit's path and the deadline it missed.
pub async fn get_miss(
    c: &mut AnyConnection,
    id: i64,
) -> Result<Option<(MissRow, String, i64)>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        miss: StoredMiss,
        path: String,
        deadline: i64,
    }
    let row: Option<Row> = sqlx::query_as(&format!(
        "{} WHERE m.id = $1",
        SELECT_MISS.replacen(" FROM", ", u.path, m.deadline FROM", 1)
    ))
    .bind(id)
    .fetch_optional(c)
    .await?;
    Ok(row.map(|r| (r.miss.into(), r.path, r.deadline)))
}

/// Missed days from `from` on of units within `reach`, newest first (at
/// most 500).
pub async fn misses_within(
    c: &mut AnyConnection,
    reach: &Reach,
    from: NaiveDate,
) -> Result<Vec<MissRow>, AppError> {
    let mut values = vec![from.to_string()];
    let Some(cond) = reach_clause(reach, "u.path", &mut values) else {
        return Ok(Vec::new());
    };
    let sql =
        format!("{SELECT_MISS} WHERE m.day >= $1 AND {cond} ORDER BY m.day DESC, u.name LIMIT 500");
    let mut q = sqlx::query_as::<_, StoredMiss>(&sql);
    for v in values {
        q = q.bind(v);
    }
    Ok(q.fetch_all(c)
        .await?
        .into_iter()
        .map(MissRow::from)
        .collect())
}

/// Excuses a missed day, once: `false` when it was excused already.
pub async fn excuse(w: &mut Write<'_>, id: i64, reason: &str) -> Result<bool, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let done = sqlx::query(
        "UPDATE daily_report_misses SET excused_by = $1, excused_at = $2, excuse = $3 \
         WHERE id = $4 AND excused_at IS NULL",
    )
    .bind(by)
    .bind(at)
    .bind(reason)
    .bind(id)
    .execute(w.conn())
    .await?
    .rows_affected()
        == 1;
    if done {
        w.audit(
            Change::new("daily_report.excuse", "daily_report_miss", id)
                .after(&serde_json::json!({ "excuse": reason })),
        )
        .await?;
    }
    Ok(done)
}

pub async fn add_reminder(w: &mut Write<'_>, unit: i64, day: NaiveDate) -> Result<(), AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO daily_report_reminders (unit_id, day, sent_by, sent_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(unit)
    .bind(day.to_string())
    .bind(by)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    w.audit(
        Change::new("daily_report.remind", "daily_report_reminder", id)
            .after(&serde_json::json!({ "unit_id": unit, "day": day })),
    )
    .await?;
    Ok(())
}

/// The last reminder of a day, by unit.
pub async fn reminders_of_day(
    c: &mut AnyConnection,
    day: NaiveDate,
) -> Result<HashMap<i64, i64>, AppError> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT unit_id, MAX(sent_at) FROM daily_report_reminders WHERE day = $1 GROUP BY unit_id",
    )
    .bind(day.to_string())
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().collect())
}
