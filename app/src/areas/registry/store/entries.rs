//! Registry entries (a person, a role, a unit, confirmed by whom) and
//! confirmation drives.

use super::super::dto::RegistryRow;
use crate::domain::Problem;
use crate::domain::authz::Reach;
use crate::domain::registry::{CertDates, CertStatus, RegistryRole, cert_status};
use crate::error::AppError;
use crate::platform::db::{Day, id_list, reach_clause};
use crate::platform::{Change, Write};
use chrono::NaiveDate;
use sqlx::AnyConnection;

/// A stored role code, or an error naming it (never a dropped row).
fn role(code: &str) -> Result<RegistryRole, AppError> {
    RegistryRole::parse(code).map_err(|_| {
        tracing::error!(code, "registry_entries.role holds an unknown role");
        AppError::Internal
    })
}

/// Registers a person in a role for a unit (the service has checked that
/// the role fits the unit's kind); confirmed by whoever registers.
pub async fn register(
    w: &mut Write<'_>,
    person_id: i64,
    role: RegistryRole,
    unit_id: i64,
    phone: Option<&str>,
    appointed_on: NaiveDate,
) -> Result<i64, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO registry_entries (person_id, role, unit_id, phone, appointed_on, confirmed_by, confirmed_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $7) RETURNING id",
    )
    .bind(person_id)
    .bind(role.code())
    .bind(unit_id)
    .bind(phone)
    .bind(appointed_on.to_string())
    .bind(by)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    w.audit(
        Change::new("registry.register", "registry_entry", id).after(&serde_json::json!({
            "person_id": person_id, "role": role.code(), "unit_id": unit_id,
            "appointed_on": appointed_on,
        })),
    )
    .await?;
    Ok(id)
}

/// The person with this number and their unit's path (what the caller's
/// scope is checked against before they are registered).
pub async fn person_by_code(
    c: &mut AnyConnection,
    code: &str,
) -> Result<Option<(i64, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT p.id, u.path FROM people p JOIN units u ON u.id = p.unit_id WHERE p.code = $1",
    )
    .bind(code)
    .fetch_optional(&mut *c)
    .await?)
}

/// (person number, role) of every registry entry, to check a file against.
pub async fn registered(
    pool: &sqlx::AnyPool,
) -> Result<std::collections::HashSet<(String, RegistryRole)>, AppError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT p.code, e.role FROM registry_entries e JOIN people p ON p.id = e.person_id",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(code, r)| Ok((code, role(&r)?)))
        .collect()
}

/// Confirms an entry (after a drive cleared it); confirming twice is a
/// conflict.
pub async fn confirm(w: &mut Write<'_>, id: i64) -> Result<(), AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let done = sqlx::query(
        "UPDATE registry_entries SET confirmed_by = $1, confirmed_at = $2 WHERE id = $3 AND confirmed_at IS NULL",
    )
    .bind(by)
    .bind(at)
    .bind(id)
    .execute(w.conn())
    .await?;
    crate::platform::db::changed(&done, Problem::new("problem.already_confirmed"))?;
    w.audit(Change::new("registry.confirm", "registry_entry", id))
        .await?;
    Ok(())
}

/// Starts a confirmation drive for a subtree: everyone registered in it
/// becomes unconfirmed. Returns how many entries it cleared.
pub async fn start_drive(
    w: &mut Write<'_>,
    unit_id: i64,
    unit_path: &str,
    reason: &str,
) -> Result<u64, AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO confirmation_drives (unit_id, reason, started_by, started_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(unit_id)
    .bind(reason)
    .bind(by)
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    let cleared = sqlx::query(
        "UPDATE registry_entries SET confirmed_by = NULL, confirmed_at = NULL \
         WHERE unit_id IN (SELECT id FROM units WHERE path LIKE $1)",
    )
    .bind(format!("{unit_path}%"))
    .execute(w.conn())
    .await?
    .rows_affected();
    w.audit(
        Change::new("registry.drive", "confirmation_drive", id).after(&serde_json::json!({
            "unit_id": unit_id, "reason": reason, "cleared": cleared,
        })),
    )
    .await?;
    Ok(cleared)
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    person_id: i64,
    role: String,
    unit_id: i64,
    phone: Option<String>,
    appointed_on: Day,
    confirmed_by: Option<String>,
    confirmed_at: Option<i64>,
    person_code: String,
    person_name: String,
    person_phone: Option<String>,
    unit_name: String,
    unit_path: String,
    number: Option<String>,
    issued_on: Option<Day>,
    expires_on: Option<Day>,
    revoked_at: Option<i64>,
    confirmed_unit: Option<String>,
}

impl Stored {
    fn on(self, today: NaiveDate) -> Result<RegistryRow, AppError> {
        let expires_on = self.expires_on.map(NaiveDate::from);
        let status = match (&self.number, self.issued_on) {
            (Some(_), Some(issued_on)) => cert_status(
                &CertDates {
                    issued_on: issued_on.0,
                    expires_on,
                    revoked: self.revoked_at.is_some(),
                },
                today,
            ),
            (None, _) => CertStatus::Registered,
            (Some(number), None) => {
                tracing::error!(number, "a certificate without its day of issue");
                return Err(AppError::Internal);
            }
        };
        Ok(RegistryRow {
            id: self.id,
            person_id: self.person_id,
            person_code: self.person_code,
            person_name: self.person_name,
            role: role(&self.role)?,
            unit_id: self.unit_id,
            unit_name: self.unit_name,
            unit_path: self.unit_path,
            phone: self.phone.or(self.person_phone),
            appointed_on: self.appointed_on.0,
            confirmed_by: self.confirmed_by,
            confirmed_at: self.confirmed_at,
            confirmed_unit: self.confirmed_unit,
            certificate: self.number,
            expires_on,
            status,
        })
    }
}

/// Registry entries of units within reach, with each person's newest
/// certificate's status on `today`. Phones come as stored; the service
/// masks them.
pub async fn within(
    c: &mut AnyConnection,
    reach: &Reach,
    today: NaiveDate,
) -> Result<Vec<RegistryRow>, AppError> {
    let mut binds = Vec::new();
    let Some(clause) = reach_clause(reach, "u.path", &mut binds) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT e.id, e.person_id, e.role, e.unit_id, e.phone, e.appointed_on, e.confirmed_by, e.confirmed_at, \
         p.code AS person_code, p.name AS person_name, p.phone AS person_phone, u.name AS unit_name, u.path AS unit_path, \
         c.number, c.issued_on, c.expires_on, c.revoked_at, \
         (SELECT COALESCE(cu.name, su.name) FROM accounts a \
            LEFT JOIN people cp ON cp.account_id = a.id LEFT JOIN units cu ON cu.id = cp.unit_id \
            LEFT JOIN account_roles r ON r.account_id = a.id AND r.role = 'organizer' \
            LEFT JOIN units su ON su.id = r.scope_unit_id \
          WHERE a.username = e.confirmed_by) AS confirmed_unit \
         FROM registry_entries e JOIN people p ON p.id = e.person_id JOIN units u ON u.id = e.unit_id \
         LEFT JOIN certificates c ON c.id = (SELECT MAX(x.id) FROM certificates x WHERE x.person_id = e.person_id) \
         WHERE {clause} ORDER BY u.path, e.role, p.code"
    );
    let mut q = sqlx::query_as::<_, Stored>(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    q.fetch_all(&mut *c)
        .await?
        .into_iter()
        .map(|r| r.on(today))
        .collect()
}

/// The roles a person is registered in.
pub async fn roles_of(c: &mut AnyConnection, person: i64) -> Result<Vec<RegistryRole>, AppError> {
    let codes: Vec<String> =
        sqlx::query_scalar("SELECT role FROM registry_entries WHERE person_id = $1 ORDER BY role")
            .bind(person)
            .fetch_all(&mut *c)
            .await?;
    codes.iter().map(|c| role(c)).collect()
}

/// An entry's unit path (for the scope check).
pub async fn path(c: &mut AnyConnection, id: i64) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT u.path FROM registry_entries e JOIN units u ON u.id = e.unit_id WHERE e.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?)
}

/// The unit paths of the registry entries of these people: where a
/// certificate of theirs counts towards coverage.
pub async fn paths_of(c: &mut AnyConnection, people: &[i64]) -> Result<Vec<String>, AppError> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are numbers: listed in the query, one query for all.
    let list = id_list(people);
    Ok(sqlx::query_scalar(&format!(
        "SELECT u.path FROM registry_entries e JOIN units u ON u.id = e.unit_id WHERE e.person_id IN ({list})"
    ))
    .fetch_all(&mut *c)
    .await?)
}
