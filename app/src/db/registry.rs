//! Storage of the registry of earthquake-reporting assistants: entries
//! (a person, a role, a unit, confirmed by whom), confirmation drives,
//! and certificates (numbered per year from one sequence, issued when a
//! certifying course is completed, revoked with a reason). Every write
//! records an audit row in the caller's transaction.

use super::audit::{self, Actor};
use super::{day, opt_day};
use crate::domain::Problem;
use crate::domain::authz::Reach;
use crate::domain::registry::{CertDates, RegistryRole, cert_status, certificate_number};
use crate::error::AppError;
use crate::model::{CertificateRow, CoverageLine, GapRow, RegistryRow};
use chrono::{Datelike, NaiveDate};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};

type Tx<'a> = Transaction<'a, Any>;

// ---- certificates ----

/// Issues a certificate for a completion of a certifying course: the next
/// number of the year of issue, dates from the completion.
#[allow(clippy::too_many_arguments)]
pub async fn issue_certificate(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    person_id: i64,
    course_id: i64,
    completion_id: Option<i64>,
    issued_on: NaiveDate,
    expires_on: Option<NaiveDate>,
) -> Result<String, AppError> {
    let year = issued_on.year();
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO certificate_sequences (year, last) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last = certificate_sequences.last + 1 RETURNING last",
    )
    .bind(i64::from(year))
    .fetch_one(&mut **tx)
    .await?;
    let number = certificate_number(year, seq);
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
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "certificate.issue",
        "certificate",
        &number,
        None,
        Some(
            serde_json::json!({ "person_id": person_id, "course_id": course_id, "issued_on": issued_on, "expires_on": expires_on })
                .to_string(),
        ),
    )
    .await?;
    Ok(number)
}

/// When a completion is withdrawn (attendance taken back), its
/// certificate is revoked and kept in the history.
pub async fn revoke_for_withdrawn_completion(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    plan_id: i64,
    person_id: i64,
) -> Result<(), AppError> {
    let numbers: Vec<String> = sqlx::query_scalar(
        "SELECT c.number FROM certificates c JOIN completions k ON k.id = c.completion_id \
         WHERE k.plan_id = $1 AND k.person_id = $2",
    )
    .bind(plan_id)
    .bind(person_id)
    .fetch_all(&mut **tx)
    .await?;
    for number in numbers {
        sqlx::query(
            "UPDATE certificates SET completion_id = NULL, revoked_at = COALESCE(revoked_at, $1), \
             revoked_by = COALESCE(revoked_by, $2), revoke_reason = COALESCE(revoke_reason, $3) WHERE number = $4",
        )
        .bind(at)
        .bind(&actor.name)
        // A key: each page says it in its language.
        .bind("registry.completion_withdrawn")
        .bind(&number)
        .execute(&mut **tx)
        .await?;
        audit::record(
            tx,
            actor,
            at,
            "certificate.revoke",
            "certificate",
            &number,
            None,
            Some(serde_json::json!({ "reason": "completion withdrawn" }).to_string()),
        )
        .await?;
    }
    Ok(())
}

/// Revokes a certificate with a reason; a revoked one stays revoked.
pub async fn revoke(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    number: &str,
    reason: &str,
) -> Result<(), AppError> {
    let done = sqlx::query(
        "UPDATE certificates SET revoked_at = $1, revoked_by = $2, revoke_reason = $3 WHERE number = $4 AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(&actor.name)
    .bind(reason)
    .bind(number)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict(Problem::new(
            "problem.certificate_revoked",
        )));
    }
    audit::record(
        tx,
        actor,
        at,
        "certificate.revoke",
        "certificate",
        number,
        None,
        Some(serde_json::json!({ "reason": reason }).to_string()),
    )
    .await?;
    Ok(())
}

fn certificate_of(r: &AnyRow, today: NaiveDate) -> Result<CertificateRow, sqlx::Error> {
    let dates = CertDates {
        issued_on: day(r, "issued_on")?,
        expires_on: opt_day(r, "expires_on")?,
        revoked: r.get::<Option<i64>, _>("revoked_at").is_some(),
    };
    Ok(CertificateRow {
        number: r.get("number"),
        person_id: r.get("person_id"),
        person_name: r.get("person_name"),
        unit_name: r.get("unit_name"),
        unit_path: r.get("unit_path"),
        course_title: r.get("course_title"),
        issued_on: dates.issued_on,
        expires_on: dates.expires_on,
        revoke_reason: r.get("revoke_reason"),
        status: cert_status(&dates, today),
    })
}

const CERT_SELECT: &str = "SELECT c.number, c.person_id, c.issued_on, c.expires_on, c.revoked_at, c.revoke_reason, \
     p.name AS person_name, u.name AS unit_name, u.path AS unit_path, k.title AS course_title \
     FROM certificates c JOIN people p ON p.id = c.person_id JOIN units u ON u.id = p.unit_id \
     JOIN courses k ON k.id = c.course_id";

/// A person's certificates, oldest first.
pub async fn person_certificates(
    c: &mut AnyConnection,
    person: i64,
    today: NaiveDate,
) -> Result<Vec<CertificateRow>, AppError> {
    let rows = sqlx::query(&format!(
        "{CERT_SELECT} WHERE c.person_id = $1 ORDER BY c.issued_on, c.id"
    ))
    .bind(person)
    .fetch_all(&mut *c)
    .await?;
    Ok(rows
        .iter()
        .map(|r| certificate_of(r, today))
        .collect::<Result<_, _>>()?)
}

pub async fn certificate(
    c: &mut AnyConnection,
    number: &str,
    today: NaiveDate,
) -> Result<Option<CertificateRow>, AppError> {
    let row = sqlx::query(&format!("{CERT_SELECT} WHERE c.number = $1"))
        .bind(number)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.map(|r| certificate_of(&r, today)).transpose()?)
}

/// Newest certificates within reach that need renewing: expiring (60
/// days or less left) or expired, soonest first. The reminder list and
/// the home page's count. Only certificates ending by the renewal horizon
/// are read; their status decides.
pub async fn due_certificates(
    c: &mut AnyConnection,
    reach: &Reach,
    today: NaiveDate,
) -> Result<Vec<CertificateRow>, AppError> {
    use crate::domain::registry::{CertStatus, renewal_horizon};
    let mut binds = vec![renewal_horizon(today).to_string()];
    let Some(clause) = super::reach_clause(reach, "u.path", &mut binds) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "{CERT_SELECT} WHERE c.expires_on <= $1 AND {clause} \
         AND c.id = (SELECT MAX(x.id) FROM certificates x WHERE x.person_id = c.person_id) \
         ORDER BY c.expires_on, c.number"
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    Ok(q.fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| certificate_of(r, today))
        .filter(|c| {
            c.as_ref().map_or(true, |c| {
                matches!(c.status, CertStatus::Expiring | CertStatus::Expired)
            })
        })
        .collect::<Result<_, _>>()?)
}

// ---- the registry ----

/// Registers a person in a role for a unit (the caller has checked that
/// the role fits the unit's kind).
#[allow(clippy::too_many_arguments)]
pub async fn register(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    person_id: i64,
    role: RegistryRole,
    unit_id: i64,
    phone: Option<&str>,
    appointed_on: NaiveDate,
) -> Result<i64, AppError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO registry_entries (person_id, role, unit_id, phone, appointed_on, confirmed_by, confirmed_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $7) RETURNING id",
    )
    .bind(person_id)
    .bind(role.code())
    .bind(unit_id)
    .bind(phone)
    .bind(appointed_on.to_string())
    .bind(&actor.name)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "registry.register",
        "registry_entry",
        &id.to_string(),
        None,
        Some(
            serde_json::json!({ "person_id": person_id, "role": role.code(), "unit_id": unit_id, "appointed_on": appointed_on })
                .to_string(),
        ),
    )
    .await?;
    Ok(id)
}

/// The person with this number and their unit's path (what the caller's
/// scope is checked against before they are registered).
pub async fn person_by_code(
    tx: &mut Tx<'_>,
    code: &str,
) -> Result<Option<(i64, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT p.id, u.path FROM people p JOIN units u ON u.id = p.unit_id WHERE p.code = $1",
    )
    .bind(code)
    .fetch_optional(&mut **tx)
    .await?)
}

async fn find_person(tx: &mut Tx<'_>, code: &str) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar("SELECT id FROM people WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?)
}

/// A new person for a registration, with the role's position.
#[allow(clippy::too_many_arguments)]
pub async fn create_person(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    code: &str,
    name: &str,
    role: RegistryRole,
    unit_id: i64,
    phone: Option<&str>,
) -> Result<i64, AppError> {
    use crate::domain::person::{PersonDraft, Position};
    let draft = PersonDraft {
        code: code.to_string(),
        name: name.to_string(),
        positions: vec![match role {
            RegistryRole::Assistant => Position::EqAssistant,
            RegistryRole::Reporter => Position::QuickReporter,
        }],
        phone: phone.map(str::to_string),
    };
    super::people::create(
        &mut crate::platform::Write::within(tx, actor, at),
        &draft,
        unit_id,
    )
    .await
}

/// Registers every checked row of an import file, creating the people
/// it names; the file was checked against the database just before.
/// Returns the paths of the units it registered people in. A person the
/// file would create who exists by now (made in between) is a conflict,
/// not a silent match.
pub async fn import(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    lines: &[crate::domain::import::RegistryLine],
) -> Result<Vec<String>, AppError> {
    // People this file created, so that a second role of theirs finds them.
    let mut created: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    let mut paths = Vec::new();
    for l in lines {
        let unit: Option<(i64, String)> =
            sqlx::query_as("SELECT id, path FROM units WHERE code = $1")
                .bind(&l.unit_code)
                .fetch_optional(&mut **tx)
                .await?;
        let (unit_id, path) = unit.ok_or_else(|| {
            AppError::Conflict(Problem::with("problem.unknown_unit", &[&l.unit_code]))
        })?;
        let person = match (&l.new_name, created.get(l.person_code.as_str())) {
            (Some(_), Some(id)) => *id,
            (Some(name), None) => {
                if find_person(tx, &l.person_code).await?.is_some() {
                    return Err(AppError::Conflict(Problem::with(
                        "problem.code_exists",
                        &[&l.person_code],
                    )));
                }
                let id = create_person(
                    tx,
                    actor,
                    at,
                    &l.person_code,
                    name,
                    l.role,
                    unit_id,
                    l.phone.as_deref(),
                )
                .await?;
                created.insert(&l.person_code, id);
                id
            }
            (None, _) => find_person(tx, &l.person_code).await?.ok_or_else(|| {
                AppError::Conflict(Problem::with(
                    "problem.no_such_person_give_name",
                    &[&l.person_code],
                ))
            })?,
        };
        register(
            tx,
            actor,
            at,
            person,
            l.role,
            unit_id,
            l.phone.as_deref(),
            l.appointed_on,
        )
        .await?;
        paths.push(path);
    }
    Ok(paths)
}

/// (person number, role) of every registry entry, to check a file against.
pub async fn registered(
    pool: &sqlx::AnyPool,
) -> Result<std::collections::HashSet<(String, RegistryRole)>, AppError> {
    let rows = sqlx::query(
        "SELECT p.code, e.role FROM registry_entries e JOIN people p ON p.id = e.person_id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let role = RegistryRole::parse(r.get("role")).map_err(|_| AppError::Internal)?;
            Ok((r.get::<String, _>("code"), role))
        })
        .collect()
}

/// Confirms an entry (after a drive cleared it).
pub async fn confirm(tx: &mut Tx<'_>, actor: &Actor, at: i64, id: i64) -> Result<(), AppError> {
    let done = sqlx::query(
        "UPDATE registry_entries SET confirmed_by = $1, confirmed_at = $2 WHERE id = $3 AND confirmed_at IS NULL",
    )
    .bind(&actor.name)
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::Conflict(Problem::new(
            "problem.already_confirmed",
        )));
    }
    audit::record(
        tx,
        actor,
        at,
        "registry.confirm",
        "registry_entry",
        &id.to_string(),
        None,
        None,
    )
    .await?;
    Ok(())
}

/// Starts a confirmation drive for a subtree: everyone registered in it
/// becomes unconfirmed. Returns how many entries it cleared.
pub async fn start_drive(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    unit_id: i64,
    unit_path: &str,
    reason: &str,
) -> Result<u64, AppError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO confirmation_drives (unit_id, reason, started_by, started_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(unit_id)
    .bind(reason)
    .bind(&actor.name)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    let cleared = sqlx::query(
        "UPDATE registry_entries SET confirmed_by = NULL, confirmed_at = NULL \
         WHERE unit_id IN (SELECT id FROM units WHERE path LIKE $1)",
    )
    .bind(format!("{unit_path}%"))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    audit::record(
        tx,
        actor,
        at,
        "registry.drive",
        "confirmation_drive",
        &id.to_string(),
        None,
        Some(
            serde_json::json!({ "unit_id": unit_id, "reason": reason, "cleared": cleared })
                .to_string(),
        ),
    )
    .await?;
    Ok(cleared)
}

/// Registry entries of units within reach (or of one unit), with each
/// person's newest certificate's status on `today`. Phones come as stored;
/// the caller masks them.
pub async fn entries(
    c: &mut AnyConnection,
    reach: &Reach,
    today: NaiveDate,
) -> Result<Vec<RegistryRow>, AppError> {
    let mut binds = Vec::new();
    let Some(clause) = super::reach_clause(reach, "u.path", &mut binds) else {
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
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *c).await?;
    rows.iter()
        .map(|r| {
            let number: Option<String> = r.get("number");
            let status = match &number {
                Some(_) => cert_status(
                    &CertDates {
                        issued_on: day(r, "issued_on")?,
                        expires_on: opt_day(r, "expires_on")?,
                        revoked: r.get::<Option<i64>, _>("revoked_at").is_some(),
                    },
                    today,
                ),
                None => crate::domain::registry::CertStatus::Registered,
            };
            let phone: Option<String> = r.get("phone");
            let person_phone: Option<String> = r.get("person_phone");
            Ok(RegistryRow {
                id: r.get("id"),
                person_id: r.get("person_id"),
                person_code: r.get("person_code"),
                person_name: r.get("person_name"),
                role: RegistryRole::parse(r.get("role")).map_err(|_| AppError::Internal)?,
                unit_id: r.get("unit_id"),
                unit_name: r.get("unit_name"),
                unit_path: r.get("unit_path"),
                phone: phone.or(person_phone),
                appointed_on: day(r, "appointed_on")?,
                confirmed_by: r.get("confirmed_by"),
                confirmed_at: r.get("confirmed_at"),
                confirmed_unit: r.get("confirmed_unit"),
                certificate: number,
                expires_on: opt_day(r, "expires_on")?,
                status,
            })
        })
        .collect()
}

/// The roles a person is registered in.
pub async fn roles_of(c: &mut AnyConnection, person: i64) -> Result<Vec<RegistryRole>, AppError> {
    let codes: Vec<String> =
        sqlx::query_scalar("SELECT role FROM registry_entries WHERE person_id = $1 ORDER BY role")
            .bind(person)
            .fetch_all(&mut *c)
            .await?;
    Ok(codes
        .iter()
        .filter_map(|c| RegistryRole::parse(c).ok())
        .collect())
}

/// An entry's unit path (for the scope check).
pub async fn entry_path(c: &mut AnyConnection, id: i64) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT u.path FROM registry_entries e JOIN units u ON u.id = e.unit_id WHERE e.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?)
}

/// How many certified reporters each village or community needs (1 or 2),
/// kept in `meta`; 1 until set.
pub async fn reporters_needed(c: &mut AnyConnection) -> Result<i64, AppError> {
    let v: Option<String> =
        sqlx::query_scalar("SELECT value FROM meta WHERE key = 'reporters_needed'")
            .fetch_optional(&mut *c)
            .await?;
    Ok(v.and_then(|v| v.parse().ok())
        .filter(|n| (1..=2).contains(n))
        .unwrap_or(1))
}

pub async fn set_reporters_needed(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    n: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ('reporters_needed', $1) ON CONFLICT (key) DO UPDATE SET value = $1",
    )
    .bind(n.to_string())
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        actor,
        at,
        "setting.reporters_needed",
        "setting",
        "reporters_needed",
        None,
        Some(n.to_string()),
    )
    .await?;
    Ok(())
}

/// Every subdistrict's coverage line (its gaps named) with the
/// subdistrict's path, and the number of reporters each village needs;
/// a certificate counts while it is valid on `today`.
pub async fn coverage(
    c: &mut sqlx::AnyConnection,
    today: chrono::NaiveDate,
) -> Result<(Vec<(String, CoverageLine)>, i64), AppError> {
    use crate::domain::registry::{CoverageUnit, reporter_coverage};
    use std::collections::HashMap;
    let units = super::drills::units(c).await?;
    let mut valid: HashMap<(i64, crate::domain::registry::RegistryRole), i64> = HashMap::new();
    for r in entries(c, &Reach::Everywhere, today).await? {
        if r.status.is_valid() {
            *valid.entry((r.unit_id, r.role)).or_default() += 1;
        }
    }
    let needed = reporters_needed(c).await?;
    // Subdistricts are at the top of the tree: the first id of a path.
    let top = |path: &str| -> i64 {
        path.trim_matches('/')
            .split('/')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    };
    let coverage_units: Vec<CoverageUnit> = units
        .iter()
        .map(|u| CoverageUnit {
            id: u.0,
            kind: u.3,
            subdistrict: top(&u.4),
        })
        .collect();
    let by_id: HashMap<i64, &(i64, String, String, crate::domain::unit::UnitKind, String)> =
        units.iter().map(|u| (u.0, u)).collect();
    let lines = reporter_coverage(&coverage_units, &valid, needed)
        .into_iter()
        .filter_map(|cov| {
            let sub = by_id.get(&cov.subdistrict)?;
            let gaps = cov
                .gaps
                .iter()
                .filter_map(|(id, have, need)| {
                    by_id.get(id).map(|u| GapRow {
                        unit_name: u.2.clone(),
                        kind: u.3,
                        have: *have,
                        need: *need,
                    })
                })
                .collect();
            Some((
                sub.4.clone(),
                CoverageLine {
                    subdistrict: sub.2.clone(),
                    coverage: cov,
                    gaps,
                },
            ))
        })
        .collect();
    Ok((lines, needed))
}

/// Writes this year's `reporter_coverage` (covered places over places) for
/// the subdistricts holding any of `within` (unit paths), or for every
/// subdistrict when `None`; published years are left alone. Called after
/// every change that can move it. Returns (written, left alone).
pub async fn sync_reporter_coverage(
    tx: &mut Tx<'_>,
    actor: &Actor,
    at: i64,
    today: NaiveDate,
    within: Option<&[String]>,
    source: &str,
) -> Result<(usize, usize), AppError> {
    let (lines, _) = coverage(tx, today).await?;
    let values: Vec<(i64, i64, i64)> = lines
        .iter()
        .filter(|(path, _)| {
            within.is_none_or(|paths| {
                paths
                    .iter()
                    .any(|p| crate::domain::unit::is_within(p, path))
            })
        })
        .map(|(_, l)| {
            let (n, d) = l.coverage.metric();
            (l.coverage.subdistrict, n, d)
        })
        .collect();
    if values.is_empty() {
        return Ok((0, 0));
    }
    crate::platform::metrics::feed(
        &mut crate::platform::Write::within(tx, actor, at),
        today.year().into(),
        "reporter_coverage",
        &values,
        source,
    )
    .await
}

/// The unit paths of the registry entries of these people: where a
/// certificate of theirs counts towards coverage.
pub async fn entry_paths(tx: &mut Tx<'_>, people: &[i64]) -> Result<Vec<String>, AppError> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are numbers: listed in the query, one query for all.
    let list = super::id_list(people);
    Ok(sqlx::query_scalar(&format!(
        "SELECT u.path FROM registry_entries e JOIN units u ON u.id = e.unit_id WHERE e.person_id IN ({list})"
    ))
    .fetch_all(&mut **tx)
    .await?)
}
