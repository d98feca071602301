//! Incident reports from the units: the district's deadlines
//! (`incident_deadlines`), the incidents (`unit_incidents`), each report
//! on them (`unit_incident_reports`) and the office's 核报 requests
//! (`unit_incident_verifications`).

use super::super::dto::{IncidentEntry, IncidentHead, RulingRow, VerificationRow};
use crate::domain::authz::Reach;
use crate::domain::incident::Level;
use crate::domain::incident_report::{Deadlines, FirstReport, FollowUp, Ruling, Stage};
use crate::error::AppError;
use crate::platform::db::reach_clause;
use crate::platform::{Change, Write};
use sqlx::AnyConnection;

fn unreadable(what: &str, id: i64) -> AppError {
    tracing::error!(what, id, "a stored incident report does not read back");
    AppError::Internal
}

/// The district's deadlines; none until every level has one.
pub async fn deadlines(c: &mut AnyConnection) -> Result<Option<Deadlines>, AppError> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT level, minutes FROM incident_deadlines")
        .fetch_all(c)
        .await?;
    let mut minutes = [None; 4];
    for (level, m) in rows {
        let level = Level::parse(&level).map_err(|_| unreadable("deadline level", m))?;
        minutes[level as usize] = Some(m);
    }
    Ok(match minutes {
        [Some(a), Some(b), Some(c), Some(d)] => Some(Deadlines {
            minutes: [a, b, c, d],
        }),
        _ => None,
    })
}

pub async fn save_deadlines(w: &mut Write<'_>, d: &Deadlines) -> Result<(), AppError> {
    let before = deadlines(w.conn()).await?;
    let (by, at) = (w.actor.name.clone(), w.at);
    for level in Level::ALL {
        sqlx::query(
            "INSERT INTO incident_deadlines (level, minutes, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (level) DO UPDATE SET minutes = $2, updated_by = $3, updated_at = $4",
        )
        .bind(level.code())
        .bind(d.minutes(level))
        .bind(&by)
        .bind(at)
        .execute(w.conn())
        .await?;
    }
    let mut change = Change::new("incident_deadlines.save", "incident_deadlines", 1).after(d);
    if let Some(b) = before {
        change = change.before(&b);
    }
    w.audit(change).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StoredHead {
    id: i64,
    unit_id: i64,
    unit_name: String,
    level: String,
    title: String,
    place: String,
    occurred_at: i64,
    due_at: Option<i64>,
    reported_at: i64,
    reported_by: String,
    event_id: Option<i64>,
    closed_at: Option<i64>,
    waiting: Option<i64>,
    ruled_level: Option<String>,
    ruled_occurred_at: Option<i64>,
    ruled_by: Option<String>,
    ruled_at: Option<i64>,
    ruling_reason: Option<String>,
}

impl TryFrom<StoredHead> for IncidentHead {
    type Error = AppError;

    fn try_from(r: StoredHead) -> Result<IncidentHead, AppError> {
        let ruling = match (
            r.ruled_level,
            r.ruled_occurred_at,
            r.ruled_by,
            r.ruled_at,
            r.ruling_reason,
        ) {
            (Some(level), Some(occurred_at), Some(by), Some(at), Some(reason)) => Some(RulingRow {
                level: Level::parse(&level).map_err(|_| unreadable("ruled_level", r.id))?,
                occurred_at,
                by,
                at,
                reason,
            }),
            _ => None,
        };
        Ok(IncidentHead {
            ruling,
            level: Level::parse(&r.level).map_err(|_| unreadable("level", r.id))?,
            id: r.id,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            title: r.title,
            place: r.place,
            occurred_at: r.occurred_at,
            due_at: r.due_at,
            reported_at: r.reported_at,
            reported_by: r.reported_by,
            event_id: r.event_id,
            closed_at: r.closed_at,
            waiting: r.waiting,
        })
    }
}

const SELECT_HEAD: &str = "SELECT i.id, i.unit_id, u.name AS unit_name, i.level, i.title, i.place, i.occurred_at, \
     i.due_at, i.reported_at, i.reported_by, i.event_id, i.closed_at, \
     i.ruled_level, i.ruled_occurred_at, i.ruled_by, i.ruled_at, i.ruling_reason, \
     (SELECT v.due_at FROM unit_incident_verifications v WHERE v.incident_id = i.id AND v.answered_at IS NULL) AS waiting \
     FROM unit_incidents i JOIN units u ON u.id = i.unit_id";

/// Files a 首报: the incident and its first report; the incident's id.
pub async fn add(
    w: &mut Write<'_>,
    unit: i64,
    r: &FirstReport,
    due_at: Option<i64>,
) -> Result<i64, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO unit_incidents (unit_id, level, title, place, occurred_at, due_at, reported_at, reported_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(unit)
    .bind(r.level.code())
    .bind(&r.title)
    .bind(&r.place)
    .bind(r.occurred_at)
    .bind(due_at)
    .bind(at)
    .bind(&by)
    .fetch_one(w.conn())
    .await?;
    w.audit(
        Change::new("unit_incident.first_report", "unit_incident", id)
            .after(&serde_json::json!({ "unit_id": unit, "report": r, "due_at": due_at })),
    )
    .await?;
    add_entry(w, id, Stage::First, &r.measures, (r.injured, r.dead)).await?;
    Ok(id)
}

async fn add_entry(
    w: &mut Write<'_>,
    incident: i64,
    stage: Stage,
    body: &str,
    (injured, dead): (u32, u32),
) -> Result<i64, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO unit_incident_reports (incident_id, stage, body, injured, dead, filed_by, filed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(incident)
    .bind(stage.code())
    .bind(body)
    .bind(i64::from(injured))
    .bind(i64::from(dead))
    .bind(by)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    Ok(id)
}

/// Files a 续报, 终报 or 核报 answer. A 终报 closes the incident, once: a
/// second (also one racing the first) is `None`. An answer answers the
/// waiting request: `None` when there is none (any more).
pub async fn follow(
    w: &mut Write<'_>,
    incident: i64,
    f: &FollowUp,
) -> Result<Option<i64>, AppError> {
    let at = w.at;
    let id = add_entry(w, incident, f.stage, &f.text, (f.injured, f.dead)).await?;
    let took = match f.stage {
        Stage::Final => sqlx::query(
            "UPDATE unit_incidents SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL",
        )
        .bind(at)
        .bind(incident)
        .execute(w.conn())
        .await?
        .rows_affected(),
        Stage::Verify => sqlx::query(
            "UPDATE unit_incident_verifications SET answer_id = $1, answered_at = $2 \
                 WHERE incident_id = $3 AND answered_at IS NULL",
        )
        .bind(id)
        .bind(at)
        .bind(incident)
        .execute(w.conn())
        .await?
        .rows_affected(),
        Stage::Update => {
            sqlx::query("SELECT 1 FROM unit_incidents WHERE id = $1 AND closed_at IS NULL")
                .bind(incident)
                .fetch_optional(w.conn())
                .await?
                .map_or(0, |_| 1)
        }
        Stage::First => 0,
    };
    if took != 1 {
        return Ok(None);
    }
    w.audit(
        Change::new("unit_incident.report", "unit_incident", incident)
            .after(&serde_json::json!({ "report_id": id, "report": f })),
    )
    .await?;
    Ok(Some(id))
}

pub async fn set_event(w: &mut Write<'_>, incident: i64, event: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE unit_incidents SET event_id = $1 WHERE id = $2")
        .bind(event)
        .bind(incident)
        .execute(w.conn())
        .await?;
    Ok(())
}

/// Holds the incident's row until the transaction ends; whether there is
/// such an incident.
pub async fn lock(c: &mut AnyConnection, id: i64) -> Result<bool, AppError> {
    crate::platform::db::lock_row(c, ("unit_incidents", "id"), id).await
}

/// Clears the link to the `late_report` event a late 首报 became (the
/// caller withdraws the event).
pub async fn clear_event(w: &mut Write<'_>, incident: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE unit_incidents SET event_id = NULL WHERE id = $1")
        .bind(incident)
        .execute(w.conn())
        .await?;
    Ok(())
}

/// Records the office's ruling on an incident, with the 首报's due
/// instant by it; audited with the facts before and after (the caller
/// holds the row: [`lock`]).
pub async fn rule(
    w: &mut Write<'_>,
    before: &IncidentHead,
    ruling: &Ruling,
    due_at: Option<i64>,
) -> Result<(), AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    sqlx::query(
        "UPDATE unit_incidents SET ruled_level = $1, ruled_occurred_at = $2, ruled_by = $3, ruled_at = $4, \
         ruling_reason = $5, due_at = $6 WHERE id = $7",
    )
    .bind(ruling.level.code())
    .bind(ruling.occurred_at)
    .bind(&by)
    .bind(at)
    .bind(&ruling.reason)
    .bind(due_at)
    .bind(before.id)
    .execute(w.conn())
    .await?;
    let (level, occurred_at) = match &before.ruling {
        Some(r) => (r.level, r.occurred_at),
        None => (before.level, before.occurred_at),
    };
    w.audit(
        Change::new("unit_incident.rule", "unit_incident", before.id)
            .before(&serde_json::json!({ "level": level.code(), "occurred_at": occurred_at, "due_at": before.due_at }))
            .after(&serde_json::json!({ "level": ruling.level.code(), "occurred_at": ruling.occurred_at, "due_at": due_at, "reason": ruling.reason })),
    )
    .await?;
    Ok(())
}

/// An incident with its unit's path.
pub async fn get(
    c: &mut AnyConnection,
    id: i64,
) -> Result<Option<(IncidentHead, String)>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        head: StoredHead,
        path: String,
    }
    let row: Option<Row> = sqlx::query_as(&format!(
        "{} WHERE i.id = $1",
        SELECT_HEAD.replacen(" FROM unit_incidents", ", u.path FROM unit_incidents", 1)
    ))
    .bind(id)
    .fetch_optional(c)
    .await?;
    row.map(|r| Ok((IncidentHead::try_from(r.head)?, r.path)))
        .transpose()
}

/// Incidents of units within `reach`: the open ones, then those closed
/// since `closed_since`, newest first (at most 300).
pub async fn within(
    c: &mut AnyConnection,
    reach: &Reach,
    closed_since: i64,
) -> Result<Vec<IncidentHead>, AppError> {
    let mut values = Vec::new();
    let Some(cond) = reach_clause(reach, "u.path", &mut values) else {
        return Ok(Vec::new());
    };
    let n = values.len() + 1;
    let sql = format!(
        "{SELECT_HEAD} WHERE {cond} AND (i.closed_at IS NULL OR i.closed_at >= ${n}) \
         ORDER BY CASE WHEN i.closed_at IS NULL THEN 0 ELSE 1 END, i.occurred_at DESC LIMIT 300"
    );
    let mut q = sqlx::query_as::<_, StoredHead>(&sql);
    for v in values {
        q = q.bind(v);
    }
    q.bind(closed_since)
        .fetch_all(c)
        .await?
        .into_iter()
        .map(IncidentHead::try_from)
        .collect()
}

pub async fn reports_of(
    c: &mut AnyConnection,
    incident: i64,
) -> Result<Vec<IncidentEntry>, AppError> {
    let rows: Vec<(i64, String, String, i64, i64, String, i64)> = sqlx::query_as(
        "SELECT id, stage, body, injured, dead, filed_by, filed_at FROM unit_incident_reports \
         WHERE incident_id = $1 ORDER BY filed_at, id",
    )
    .bind(incident)
    .fetch_all(c)
    .await?;
    rows.into_iter()
        .map(|(id, stage, body, injured, dead, filed_by, filed_at)| {
            let n = |v: i64| u32::try_from(v).map_err(|_| unreadable("casualties", id));
            Ok(IncidentEntry {
                stage: Stage::parse(&stage).map_err(|_| unreadable("stage", id))?,
                id,
                body,
                injured: n(injured)?,
                dead: n(dead)?,
                filed_by,
                filed_at,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct StoredVerification {
    id: i64,
    question: String,
    asked_by: String,
    asked_at: i64,
    due_at: i64,
    answered_at: Option<i64>,
    late_at: Option<i64>,
    event_id: Option<i64>,
}

impl From<StoredVerification> for VerificationRow {
    fn from(r: StoredVerification) -> VerificationRow {
        VerificationRow {
            id: r.id,
            question: r.question,
            asked_by: r.asked_by,
            asked_at: r.asked_at,
            due_at: r.due_at,
            answered_at: r.answered_at,
            late_at: r.late_at,
            event_id: r.event_id,
        }
    }
}

pub async fn verifications_of(
    c: &mut AnyConnection,
    incident: i64,
) -> Result<Vec<VerificationRow>, AppError> {
    let rows: Vec<StoredVerification> = sqlx::query_as(
        "SELECT id, question, asked_by, asked_at, due_at, answered_at, late_at, event_id \
         FROM unit_incident_verifications WHERE incident_id = $1 ORDER BY asked_at, id",
    )
    .bind(incident)
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().map(VerificationRow::from).collect())
}

/// Asks for a 核报; `None` when one is waiting already (the unique index
/// decides between two asking at once).
pub async fn ask(
    w: &mut Write<'_>,
    incident: i64,
    question: &str,
    due_at: i64,
) -> Result<Option<i64>, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO unit_incident_verifications (incident_id, question, asked_by, asked_at, due_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (incident_id) WHERE answered_at IS NULL DO NOTHING RETURNING id",
    )
    .bind(incident)
    .bind(question)
    .bind(by)
    .bind(at)
    .bind(due_at)
    .fetch_optional(w.conn())
    .await?;
    if let Some(id) = id {
        w.audit(
            Change::new("unit_incident.ask_verification", "unit_incident", incident)
                .after(&serde_json::json!({ "verification_id": id, "question": question, "due_at": due_at })),
        )
        .await?;
    }
    Ok(id)
}

/// A late request to record, once: its id, the incident, its unit and
/// title. Requests answered late, or unanswered and due before `now` (of
/// one incident, or all).
pub struct LateRequest {
    pub id: i64,
    pub incident_id: i64,
    pub unit_id: i64,
    pub title: String,
    pub due_at: i64,
    pub answered_at: Option<i64>,
}

pub async fn late_requests(
    c: &mut AnyConnection,
    now: i64,
    only: Option<i64>,
) -> Result<Vec<LateRequest>, AppError> {
    let rows: Vec<(i64, i64, i64, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT v.id, v.incident_id, i.unit_id, i.title, v.due_at, v.answered_at \
         FROM unit_incident_verifications v JOIN unit_incidents i ON i.id = v.incident_id \
         WHERE v.late_at IS NULL AND ((v.answered_at IS NULL AND v.due_at < $1) OR v.answered_at > v.due_at) \
         AND ($2 = 0 OR v.incident_id = $2) ORDER BY v.id LIMIT 1000",
    )
    .bind(now)
    .bind(only.unwrap_or(0))
    .fetch_all(c)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, incident_id, unit_id, title, due_at, answered_at)| LateRequest {
                id,
                incident_id,
                unit_id,
                title,
                due_at,
                answered_at,
            },
        )
        .collect())
}

/// Marks a request recorded late, once: `false` when another run did.
pub async fn mark_request_late(w: &mut Write<'_>, id: i64) -> Result<bool, AppError> {
    let at = w.at;
    Ok(sqlx::query(
        "UPDATE unit_incident_verifications SET late_at = $1 WHERE id = $2 AND late_at IS NULL",
    )
    .bind(at)
    .bind(id)
    .execute(w.conn())
    .await?
    .rows_affected()
        == 1)
}

pub async fn set_request_event(w: &mut Write<'_>, id: i64, event: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE unit_incident_verifications SET event_id = $1 WHERE id = $2")
        .bind(event)
        .bind(id)
        .execute(w.conn())
        .await?;
    Ok(())
}
