//! Storage of reminders: what is due a reminder (certificates, corrective
//! actions, rectification orders, plans in force), who the organizers of a
//! unit are, the lead times the office set, and the reminders that went out.

use super::audit::{self, Actor};
use crate::domain::authz::Reach;
use crate::domain::reminders::{Kind, OVERDUE_WINDOW_DAYS, stored_leads};
use crate::error::AppError;
use crate::model::SentRow;
use chrono::{Duration, NaiveDate};
use sqlx::{Any, AnyConnection, Row, Transaction};

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

pub async fn set_lead_days(
    tx: &mut Transaction<'_, Any>,
    actor: &Actor,
    at: i64,
    leads: &[u32],
) -> Result<(), AppError> {
    let before = lead_days(tx).await?;
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
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "reminders.lead_days",
        "settings",
        LEADS_KEY,
        audit::json(&before),
        audit::json(&leads),
    )
    .await?;
    Ok(())
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
    let rows = sqlx::query(
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
    for r in &rows {
        let Some(due) = super::opt_day(r, "expires_on")? else {
            continue;
        };
        let number: String = r.get("number");
        out.push(DueItem {
            kind: Kind::Certificate,
            title: r.get("title"),
            subject: number,
            due,
            unit_id: r.get("unit_id"),
            unit_name: r.get("unit_name"),
            unit_path: r.get("path"),
            holder: Some((r.get("person_id"), r.get("person_name"))),
            holder_link: "/my/training".into(),
            organizer_link: "/registry/reminders".into(),
        });
    }
    let rows = sqlx::query(
        "SELECT a.id, a.drill_id, a.description, a.due_on, a.owner_unit_id, u.name AS unit_name, u.path \
         FROM corrective_actions a JOIN units u ON u.id = a.owner_unit_id \
         WHERE a.closed_at IS NULL AND a.due_on >= $1 AND a.due_on <= $2 ORDER BY a.id",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(&mut *c)
    .await?;
    for r in &rows {
        let Some(due) = super::opt_day(r, "due_on")? else {
            continue;
        };
        let drill: i64 = r.get("drill_id");
        out.push(DueItem {
            kind: Kind::Action,
            subject: r.get::<i64, _>("id").to_string(),
            title: r.get::<String, _>("description").chars().take(80).collect(),
            due,
            unit_id: r.get("owner_unit_id"),
            unit_name: r.get("unit_name"),
            unit_path: r.get("path"),
            holder: None,
            holder_link: String::new(),
            organizer_link: format!("/drills/{drill}"),
        });
    }
    let rows = sqlx::query(
        "SELECT o.id, o.reason, o.deadline, o.unit_id, u.name AS unit_name, u.path \
         FROM rectification_orders o JOIN units u ON u.id = o.unit_id \
         WHERE o.closed_at IS NULL AND o.deadline >= $1 AND o.deadline <= $2 ORDER BY o.id",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(&mut *c)
    .await?;
    for r in &rows {
        let Some(due) = super::opt_day(r, "deadline")? else {
            continue;
        };
        out.push(DueItem {
            kind: Kind::Order,
            subject: r.get::<i64, _>("id").to_string(),
            title: r.get::<String, _>("reason").chars().take(80).collect(),
            due,
            unit_id: r.get("unit_id"),
            unit_name: r.get("unit_name"),
            unit_path: r.get("path"),
            holder: None,
            holder_link: String::new(),
            organizer_link: "/training/orders".into(),
        });
    }
    let rows = sqlx::query(
        "SELECT p.id, v.title, v.revise_by, p.unit_id, u.name AS unit_name, u.path \
         FROM plan_versions v JOIN emergency_plans p ON p.id = v.plan_id JOIN units u ON u.id = p.unit_id \
         WHERE v.status = 'filed' AND v.revise_by >= $1 AND v.revise_by <= $2 ORDER BY p.id",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(&mut *c)
    .await?;
    for r in &rows {
        let Some(due) = super::opt_day(r, "revise_by")? else {
            continue;
        };
        let id: i64 = r.get("id");
        out.push(DueItem {
            kind: Kind::Plan,
            subject: id.to_string(),
            title: r.get("title"),
            due,
            unit_id: r.get("unit_id"),
            unit_name: r.get("unit_name"),
            unit_path: r.get("path"),
            holder: None,
            holder_link: String::new(),
            organizer_link: format!("/drills/plans/{id}"),
        });
    }
    Ok(out)
}

/// Organizers who can be told (an enabled account linked to a person):
/// (person id, the path of their scope, `None` for the whole district).
pub async fn organizers(c: &mut AnyConnection) -> Result<Vec<(i64, Option<String>)>, AppError> {
    let rows = sqlx::query(
        "SELECT p.id, u.path FROM account_roles r JOIN accounts a ON a.id = r.account_id \
         JOIN people p ON p.account_id = a.id LEFT JOIN units u ON u.id = r.scope_unit_id \
         WHERE r.role = 'organizer' AND a.disabled = 0 ORDER BY p.id",
    )
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.iter().map(|r| (r.get("id"), r.get("path"))).collect())
}

/// Keeps that a reminder went out; false when it already had (the caller
/// then sends nothing).
pub async fn mark_sent(
    tx: &mut Transaction<'_, Any>,
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
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The newest reminders sent about units within `reach`.
pub async fn sent(
    c: &mut AnyConnection,
    reach: &Reach,
    limit: i64,
) -> Result<Vec<SentRow>, AppError> {
    let mut binds = Vec::new();
    let Some(within) = super::reach_clause(reach, "u.path", &mut binds) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT s.kind, s.title, u.name AS unit_name, s.due_on, s.lead_days, p.name AS person_name, s.channel, s.sent_at \
         FROM reminders_sent s JOIN units u ON u.id = s.unit_id JOIN people p ON p.id = s.person_id \
         WHERE {within} ORDER BY s.id DESC LIMIT {limit}"
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(&mut *c)
        .await?
        .iter()
        .filter_map(|r| {
            Some(SentRow {
                kind: Kind::parse(r.get("kind"))?,
                title: r.get("title"),
                unit_name: r.get("unit_name"),
                due_on: r.get("due_on"),
                lead_days: u32::try_from(r.get::<i64, _>("lead_days")).ok()?,
                person_name: r.get("person_name"),
                channel: r.get("channel"),
                sent_at: r.get("sent_at"),
            })
        })
        .collect())
}
