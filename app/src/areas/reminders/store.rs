//! Storage of reminders: what is due a reminder (certificates, corrective
//! actions, rectification orders, plans in force: read across the tables
//! of those areas, never written), who the organizers of a unit are, the
//! lead times the office set, and the reminders that went out.

use super::dto::SentRow;
use crate::domain::authz::Reach;
use crate::domain::reminders::{Kind, OVERDUE_WINDOW_DAYS, stored_leads};
use crate::error::AppError;
use crate::platform::sql::Filter;
use crate::platform::{Change, Write};
use chrono::{Duration, NaiveDate};
use sqlx::AnyConnection;

const LEADS_KEY: &str = "reminder_lead_days";

/// A thing with a day it is due, as a reminder names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueItem {
    pub kind: Kind,
    /// The certificate number or the record's id.
    pub subject: String,
    /// What people call it: the course, the action, the order's reason,
    /// the plan's title.
    pub title: String,
    pub due: NaiveDate,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    /// The certificate's holder (the other kinds go to organizers only).
    pub holder: Option<(i64, String)>,
    /// Where the holder acts on it (enrol in the next batch), and where an
    /// organizer does.
    pub holder_link: String,
    pub organizer_link: String,
}

pub async fn lead_days(c: &mut AnyConnection) -> Result<Vec<u32>, AppError> {
    let text: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
        .bind(LEADS_KEY)
        .fetch_optional(&mut *c)
        .await?;
    Ok(stored_leads(text.as_deref()))
}

pub async fn set_lead_days(w: &mut Write<'_>, leads: &[u32]) -> Result<(), AppError> {
    let before = lead_days(w.conn()).await?;
    let text = leads
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2",
    )
    .bind(LEADS_KEY)
    .bind(&text)
    .execute(w.conn())
    .await?;
    w.audit(
        Change::new("reminders.lead_days", "settings", LEADS_KEY)
            .before(&before)
            .after(&leads),
    )
    .await?;
    Ok(())
}

/// A day as stored (`YYYY-MM-DD`); anything else is an error, not a
/// reminder silently skipped.
fn day(text: &str, what: &str) -> Result<NaiveDate, AppError> {
    crate::domain::iso_date(text).map_err(|_| {
        tracing::error!(what, text, "a stored day that is not one");
        AppError::Internal
    })
}

#[derive(sqlx::FromRow)]
struct CertificateDue {
    number: String,
    person_id: i64,
    expires_on: String,
    person_name: String,
    unit_id: i64,
    unit_name: String,
    path: String,
    title: String,
}

#[derive(sqlx::FromRow)]
struct ActionDue {
    id: i64,
    drill_id: i64,
    description: String,
    due_on: String,
    owner_unit_id: i64,
    unit_name: String,
    path: String,
}

#[derive(sqlx::FromRow)]
struct OrderDue {
    id: i64,
    reason: String,
    deadline: String,
    unit_id: i64,
    unit_name: String,
    path: String,
}

#[derive(sqlx::FromRow)]
struct PlanDue {
    id: i64,
    title: String,
    revise_by: String,
    unit_id: i64,
    unit_name: String,
    path: String,
}

fn short(text: &str) -> String {
    text.chars().take(80).collect()
}

/// Everything due between `OVERDUE_WINDOW_DAYS` ago and `ahead` days from
/// `today`: each person's newest certificate (not revoked), open corrective
/// actions and rectification orders, filed plan versions by revision date.
pub async fn due_items(
    c: &mut AnyConnection,
    today: NaiveDate,
    ahead: u32,
) -> Result<Vec<DueItem>, AppError> {
    let from = (today - Duration::days(OVERDUE_WINDOW_DAYS)).to_string();
    let to = (today + Duration::days(i64::from(ahead))).to_string();
    let mut out = Vec::new();
    let rows: Vec<CertificateDue> = sqlx::query_as(
        "SELECT c.number, c.person_id, c.expires_on, p.name AS person_name, p.unit_id, u.name AS unit_name, \
         u.path, k.title FROM certificates c JOIN people p ON p.id = c.person_id \
         JOIN units u ON u.id = p.unit_id JOIN courses k ON k.id = c.course_id \
         WHERE c.revoked_at IS NULL AND c.expires_on IS NOT NULL AND c.expires_on >= $1 AND c.expires_on <= $2 \
         AND c.id = (SELECT MAX(x.id) FROM certificates x WHERE x.person_id = c.person_id) ORDER BY c.id",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(&mut *c)
    .await?;
    for r in rows {
        out.push(DueItem {
            kind: Kind::Certificate,
            due: day(&r.expires_on, "certificates.expires_on")?,
            title: r.title,
            subject: r.number,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            unit_path: r.path,
            holder: Some((r.person_id, r.person_name)),
            holder_link: "/my/training".into(),
            organizer_link: "/registry/reminders".into(),
        });
    }
    let rows: Vec<ActionDue> = sqlx::query_as(
        "SELECT a.id, a.drill_id, a.description, a.due_on, a.owner_unit_id, u.name AS unit_name, u.path \
         FROM corrective_actions a JOIN units u ON u.id = a.owner_unit_id \
         WHERE a.closed_at IS NULL AND a.due_on >= $1 AND a.due_on <= $2 ORDER BY a.id",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(&mut *c)
    .await?;
    for r in rows {
        out.push(DueItem {
            kind: Kind::Action,
            subject: r.id.to_string(),
            title: short(&r.description),
            due: day(&r.due_on, "corrective_actions.due_on")?,
            unit_id: r.owner_unit_id,
            unit_name: r.unit_name,
            unit_path: r.path,
            holder: None,
            holder_link: String::new(),
            organizer_link: format!("/drills/{}", r.drill_id),
        });
    }
    let rows: Vec<OrderDue> = sqlx::query_as(
        "SELECT o.id, o.reason, o.deadline, o.unit_id, u.name AS unit_name, u.path \
         FROM rectification_orders o JOIN units u ON u.id = o.unit_id \
         WHERE o.closed_at IS NULL AND o.deadline >= $1 AND o.deadline <= $2 ORDER BY o.id",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(&mut *c)
    .await?;
    for r in rows {
        out.push(DueItem {
            kind: Kind::Order,
            subject: r.id.to_string(),
            title: short(&r.reason),
            due: day(&r.deadline, "rectification_orders.deadline")?,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            unit_path: r.path,
            holder: None,
            holder_link: String::new(),
            organizer_link: "/training/orders".into(),
        });
    }
    let rows: Vec<PlanDue> = sqlx::query_as(
        "SELECT p.id, v.title, v.revise_by, p.unit_id, u.name AS unit_name, u.path \
         FROM plan_versions v JOIN emergency_plans p ON p.id = v.plan_id JOIN units u ON u.id = p.unit_id \
         WHERE v.status = 'filed' AND v.revise_by >= $1 AND v.revise_by <= $2 ORDER BY p.id",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(&mut *c)
    .await?;
    for r in rows {
        out.push(DueItem {
            kind: Kind::Plan,
            subject: r.id.to_string(),
            title: r.title,
            due: day(&r.revise_by, "plan_versions.revise_by")?,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            unit_path: r.path,
            holder: None,
            holder_link: String::new(),
            organizer_link: format!("/drills/plans/{}", r.id),
        });
    }
    Ok(out)
}

/// Organizers who can be told (an enabled account linked to a person):
/// (person id, the path of their scope, `None` for the whole district).
pub async fn organizers(c: &mut AnyConnection) -> Result<Vec<(i64, Option<String>)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT p.id, u.path FROM account_roles r JOIN accounts a ON a.id = r.account_id \
         JOIN people p ON p.account_id = a.id LEFT JOIN units u ON u.id = r.scope_unit_id \
         WHERE r.role = 'organizer' AND a.disabled = 0 ORDER BY p.id",
    )
    .fetch_all(&mut *c)
    .await?)
}

/// Keeps that a reminder went out; false when it already had (the caller
/// then sends nothing).
pub async fn mark_sent(
    c: &mut AnyConnection,
    item: &DueItem,
    lead: u32,
    person: i64,
    channel: &str,
    at: i64,
) -> Result<bool, AppError> {
    let done = sqlx::query(
        "INSERT INTO reminders_sent (kind, subject, title, unit_id, due_on, lead_days, person_id, channel, sent_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (kind, subject, due_on, lead_days, person_id, channel) DO NOTHING",
    )
    .bind(item.kind.code())
    .bind(&item.subject)
    .bind(&item.title)
    .bind(item.unit_id)
    .bind(item.due.to_string())
    .bind(i64::from(lead))
    .bind(person)
    .bind(channel)
    .bind(at)
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(sqlx::FromRow)]
struct SentDbRow {
    kind: String,
    title: String,
    unit_name: String,
    due_on: String,
    lead_days: i64,
    person_name: String,
    channel: String,
    sent_at: i64,
}

/// The newest reminders sent about units within `reach`.
pub async fn sent(
    c: &mut AnyConnection,
    reach: &Reach,
    limit: i64,
) -> Result<Vec<SentRow>, AppError> {
    let mut f = Filter::new();
    if !f.within(reach, "u.path") {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT s.kind, s.title, u.name AS unit_name, s.due_on, s.lead_days, p.name AS person_name, s.channel, s.sent_at \
         FROM reminders_sent s JOIN units u ON u.id = s.unit_id JOIN people p ON p.id = s.person_id \
         WHERE {} ORDER BY s.id DESC LIMIT {}",
        f.sql(),
        limit.clamp(1, 1000)
    );
    let rows: Vec<SentDbRow> = f.bind_as(sqlx::query_as(&sql)).fetch_all(&mut *c).await?;
    rows.into_iter()
        .map(|r| {
            let kind = Kind::parse(&r.kind).ok_or_else(|| {
                tracing::error!(kind = %r.kind, "a reminder kind the code does not know");
                AppError::Internal
            })?;
            Ok(SentRow {
                kind,
                title: r.title,
                unit_name: r.unit_name,
                due_on: r.due_on,
                lead_days: u32::try_from(r.lead_days).map_err(|_| AppError::Internal)?,
                person_name: r.person_name,
                channel: r.channel,
                sent_at: r.sent_at,
            })
        })
        .collect()
}
