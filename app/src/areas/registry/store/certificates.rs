//! Certificates: numbered per year from one sequence, issued when a
//! certifying course is completed, revoked with a reason (and kept).

use super::super::dto::CertificateRow;
use crate::domain::Problem;
use crate::domain::authz::Reach;
use crate::domain::registry::{CertDates, CertStatus, cert_status, certificate_number};
use crate::error::AppError;
use crate::platform::db::{Day, reach_clause};
use crate::platform::{Change, Write};
use chrono::{Datelike, NaiveDate};
use sqlx::AnyConnection;

/// Issues a certificate for a completion of a certifying course: the next
/// number of the year of issue.
pub async fn issue(
    w: &mut Write<'_>,
    person_id: i64,
    course_id: i64,
    completion_id: Option<i64>,
    (issued_on, expires_on): (NaiveDate, Option<NaiveDate>),
) -> Result<String, AppError> {
    let year = issued_on.year();
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO certificate_sequences (year, last) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last = certificate_sequences.last + 1 RETURNING last",
    )
    .bind(i64::from(year))
    .fetch_one(w.conn())
    .await?;
    let number = certificate_number(year, seq);
    let at = w.at;
    sqlx::query(
        "INSERT INTO certificates (number, person_id, course_id, completion_id, issued_on, expires_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&number)
    .bind(person_id)
    .bind(course_id)
    .bind(completion_id)
    .bind(issued_on.to_string())
    .bind(expires_on.map(|d| d.to_string()))
    .bind(at)
    .execute(w.conn())
    .await?;
    w.audit(
        Change::new("certificate.issue", "certificate", &number).after(&serde_json::json!({
            "person_id": person_id, "course_id": course_id,
            "issued_on": issued_on, "expires_on": expires_on,
        })),
    )
    .await?;
    Ok(number)
}

/// Revokes the certificates issued for a person's completion of a
/// rotation's batch (attendance taken back); they stay in the history.
pub async fn revoke_for_withdrawn_completion(
    w: &mut Write<'_>,
    rotation_id: i64,
    person_id: i64,
) -> Result<(), AppError> {
    let numbers: Vec<String> = sqlx::query_scalar(
        "SELECT c.number FROM certificates c JOIN completions k ON k.id = c.completion_id \
         WHERE k.plan_id = $1 AND k.person_id = $2",
    )
    .bind(rotation_id)
    .bind(person_id)
    .fetch_all(w.conn())
    .await?;
    for number in numbers {
        let (by, at) = (w.actor.name.clone(), w.at);
        sqlx::query(
            "UPDATE certificates SET completion_id = NULL, revoked_at = COALESCE(revoked_at, $1), \
             revoked_by = COALESCE(revoked_by, $2), revoke_reason = COALESCE(revoke_reason, $3) WHERE number = $4",
        )
        .bind(at)
        .bind(by)
        // A key: each page says it in its language.
        .bind("registry.completion_withdrawn")
        .bind(&number)
        .execute(w.conn())
        .await?;
        w.audit(
            Change::new("certificate.revoke", "certificate", &number)
                .after(&serde_json::json!({ "reason": "completion withdrawn" })),
        )
        .await?;
    }
    Ok(())
}

/// Revokes a certificate with a reason; a revoked one stays revoked.
pub async fn revoke(w: &mut Write<'_>, number: &str, reason: &str) -> Result<(), AppError> {
    let (by, at) = (w.actor.name.clone(), w.at);
    let done = sqlx::query(
        "UPDATE certificates SET revoked_at = $1, revoked_by = $2, revoke_reason = $3 WHERE number = $4 AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(by)
    .bind(reason)
    .bind(number)
    .execute(w.conn())
    .await?;
    crate::platform::db::changed(&done, Problem::new("problem.certificate_revoked"))?;
    w.audit(
        Change::new("certificate.revoke", "certificate", number)
            .after(&serde_json::json!({ "reason": reason })),
    )
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Stored {
    number: String,
    person_id: i64,
    issued_on: Day,
    expires_on: Option<Day>,
    revoked_at: Option<i64>,
    revoke_reason: Option<String>,
    person_name: String,
    unit_name: String,
    unit_path: String,
    course_title: String,
}

impl Stored {
    fn on(self, today: NaiveDate) -> CertificateRow {
        let dates = CertDates {
            issued_on: self.issued_on.0,
            expires_on: self.expires_on.map(NaiveDate::from),
            revoked: self.revoked_at.is_some(),
        };
        CertificateRow {
            number: self.number,
            person_id: self.person_id,
            person_name: self.person_name,
            unit_name: self.unit_name,
            unit_path: self.unit_path,
            course_title: self.course_title,
            issued_on: dates.issued_on,
            expires_on: dates.expires_on,
            revoke_reason: self.revoke_reason,
            status: cert_status(&dates, today),
        }
    }
}

const SELECT: &str = "SELECT c.number, c.person_id, c.issued_on, c.expires_on, c.revoked_at, c.revoke_reason, \
     p.name AS person_name, u.name AS unit_name, u.path AS unit_path, k.title AS course_title \
     FROM certificates c JOIN people p ON p.id = c.person_id JOIN units u ON u.id = p.unit_id \
     JOIN courses k ON k.id = c.course_id";

/// A person's certificates, oldest first, with their status on `today`.
pub async fn of_person(
    c: &mut AnyConnection,
    person: i64,
    today: NaiveDate,
) -> Result<Vec<CertificateRow>, AppError> {
    let rows: Vec<Stored> = sqlx::query_as(&format!(
        "{SELECT} WHERE c.person_id = $1 ORDER BY c.issued_on, c.id"
    ))
    .bind(person)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows.into_iter().map(|r| r.on(today)).collect())
}

pub async fn by_number(
    c: &mut AnyConnection,
    number: &str,
    today: NaiveDate,
) -> Result<Option<CertificateRow>, AppError> {
    let row: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE c.number = $1"))
        .bind(number)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.map(|r| r.on(today)))
}

/// Newest certificates within reach that need renewing: expiring (60
/// days or less left) or expired, soonest first. Only certificates ending
/// by the renewal horizon are read; their status decides.
pub async fn due(
    c: &mut AnyConnection,
    reach: &Reach,
    today: NaiveDate,
) -> Result<Vec<CertificateRow>, AppError> {
    use crate::domain::registry::renewal_horizon;
    let mut binds = vec![renewal_horizon(today).to_string()];
    let Some(clause) = reach_clause(reach, "u.path", &mut binds) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "{SELECT} WHERE c.expires_on <= $1 AND {clause} \
         AND c.id = (SELECT MAX(x.id) FROM certificates x WHERE x.person_id = c.person_id) \
         ORDER BY c.expires_on, c.number"
    );
    let mut q = sqlx::query_as::<_, Stored>(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(&mut *c)
        .await?
        .into_iter()
        .map(|r| r.on(today))
        .filter(|c| matches!(c.status, CertStatus::Expiring | CertStatus::Expired))
        .collect())
}
