//! Accounts and their roles. Rows are read into `FromRow` structs; a role
//! the code does not know is an error, not a row silently dropped.

use super::super::dto::{Account, GrantView};
use super::super::password::PasswordHash;
use crate::domain::Problem;
use crate::domain::account::Role;
use crate::domain::authz::{Grant, Principal, Scope};
use crate::error::AppError;
use crate::platform::{Change, Write};
use sqlx::{Any, AnyConnection, AnyPool};
use std::collections::HashMap;

pub struct Credentials {
    pub id: i64,
    pub hash: PasswordHash,
    pub disabled: bool,
}

#[derive(sqlx::FromRow)]
struct CredentialsRow {
    id: i64,
    password_hash: String,
    disabled: i64,
}

pub async fn credentials(
    pool: &AnyPool,
    username: &str,
) -> Result<Option<Credentials>, sqlx::Error> {
    let row: Option<CredentialsRow> =
        sqlx::query_as("SELECT id, password_hash, disabled FROM accounts WHERE username = $1")
            .bind(username)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|r| Credentials {
        id: r.id,
        hash: PasswordHash::from_phc(r.password_hash),
        disabled: r.disabled != 0,
    }))
}

pub async fn id_by_username<'e, E>(db: E, username: &str) -> Result<Option<i64>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    sqlx::query_scalar("SELECT id FROM accounts WHERE username = $1")
        .bind(username)
        .fetch_optional(db)
        .await
}

pub async fn username(pool: &AnyPool, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT username FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// A role to grant: organizers and assessors may carry a unit scope.
pub type NewGrant = (Role, Option<i64>);

/// An account to create, its roles, and the person it belongs to (if any).
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub hash: &'a PasswordHash,
    pub grants: &'a [NewGrant],
    pub person_id: Option<i64>,
}

pub async fn create(w: &mut Write<'_>, new: NewAccount<'_>) -> Result<i64, AppError> {
    let NewAccount {
        username,
        display_name,
        hash,
        grants,
        person_id,
    } = new;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (username, display_name, password_hash, disabled, created_at, password_changed_at) \
         VALUES ($1, $2, $3, 0, $4, $4) RETURNING id",
    )
    .bind(username)
    .bind(display_name)
    .bind(hash.phc())
    .bind(w.at)
    .fetch_one(w.conn())
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => {
            AppError::invalid("field.username", Problem::new("problem.username_taken"))
        }
        other => other,
    })?;
    insert_grants(w.conn(), id, grants).await?;
    if let Some(pid) = person_id {
        let n =
            sqlx::query("UPDATE people SET account_id = $1 WHERE id = $2 AND account_id IS NULL")
                .bind(id)
                .bind(pid)
                .execute(w.conn())
                .await?
                .rows_affected();
        if n == 0 {
            return Err(AppError::invalid(
                "field.person",
                Problem::new("problem.person_has_account"),
            ));
        }
    }
    let after = get(w.conn(), id).await?;
    w.audit(Change::new("account.create", "account", id).after(&after))
        .await?;
    Ok(id)
}

async fn insert_grants(
    conn: &mut AnyConnection,
    id: i64,
    grants: &[NewGrant],
) -> Result<(), AppError> {
    for (role, scope) in grants {
        let scope = if role.is_scoped() { *scope } else { None };
        sqlx::query(
            "INSERT INTO account_roles (account_id, role, scope_unit_id) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(role.code())
        .bind(scope)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Replaces an account's roles.
pub async fn set_grants(w: &mut Write<'_>, id: i64, grants: &[NewGrant]) -> Result<(), AppError> {
    let before = get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
    sqlx::query("DELETE FROM account_roles WHERE account_id = $1")
        .bind(id)
        .execute(w.conn())
        .await?;
    insert_grants(w.conn(), id, grants).await?;
    let after = get(w.conn(), id).await?.map(|a| a.grants);
    w.audit(
        Change::new("account.roles", "account", id)
            .before(&before.grants)
            .after(&after),
    )
    .await?;
    Ok(())
}

/// Disables or enables an account; disabling ends all its sessions.
pub async fn set_disabled(w: &mut Write<'_>, id: i64, disabled: bool) -> Result<(), AppError> {
    let before = get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
    sqlx::query("UPDATE accounts SET disabled = $1 WHERE id = $2")
        .bind(disabled as i64)
        .bind(id)
        .execute(w.conn())
        .await?;
    if disabled {
        super::sessions::delete_for_account(w.conn(), id).await?;
        // The person's calendar feed address stops working with the
        // account; enabled again, the person gets a new one.
        sqlx::query("UPDATE people SET calendar_token = NULL WHERE account_id = $1")
            .bind(id)
            .execute(w.conn())
            .await?;
    }
    let action = if disabled {
        "account.disable"
    } else {
        "account.enable"
    };
    let after = get(w.conn(), id).await?;
    w.audit(
        Change::new(action, "account", id)
            .before(&before)
            .after(&after),
    )
    .await?;
    Ok(())
}

/// Sets a new password. Other sessions of the account end; the one given
/// (the caller's own) stays.
pub async fn set_password(
    w: &mut Write<'_>,
    id: i64,
    hash: &PasswordHash,
    keep_session: Option<&str>,
) -> Result<(), AppError> {
    let at = w.at;
    sqlx::query("UPDATE accounts SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(hash.phc())
        .bind(at)
        .bind(id)
        .execute(w.conn())
        .await?;
    sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id_hash <> $2")
        .bind(id)
        .bind(keep_session.unwrap_or(""))
        .execute(w.conn())
        .await?;
    w.audit(Change::new("account.password", "account", id))
        .await?;
    Ok(())
}

/// A role of an account with its scope unit's id, name, path and code.
#[derive(sqlx::FromRow)]
struct GrantRow {
    account_id: i64,
    role: String,
    scope_unit_id: Option<i64>,
    unit_name: Option<String>,
    unit_path: Option<String>,
    unit_code: Option<String>,
}

impl GrantRow {
    fn role(&self) -> Result<Role, AppError> {
        Role::parse(&self.role).map_err(|_| {
            tracing::error!(role = %self.role, account = self.account_id, "a role the code does not know");
            AppError::Internal
        })
    }

    fn view(self) -> Result<GrantView, AppError> {
        Ok(GrantView {
            role: self.role()?,
            scope_unit_id: self.scope_unit_id,
            scope_unit_name: self.unit_name,
            scope_unit_code: self.unit_code,
        })
    }
}

const GRANTS: &str = "SELECT r.account_id, r.role, r.scope_unit_id, u.name AS unit_name, u.path AS unit_path, \
     u.code AS unit_code FROM account_roles r LEFT JOIN units u ON u.id = r.scope_unit_id";

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    username: String,
    display_name: String,
    disabled: i64,
    person_name: Option<String>,
}

impl AccountRow {
    fn with(self, grants: Vec<GrantView>) -> Account {
        Account {
            id: self.id,
            username: self.username,
            display_name: self.display_name,
            disabled: self.disabled != 0,
            grants,
            person_name: self.person_name,
        }
    }
}

const ACCOUNTS: &str = "SELECT a.id, a.username, a.display_name, a.disabled, pe.name AS person_name \
     FROM accounts a LEFT JOIN people pe ON pe.account_id = a.id";

async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<Account>, AppError> {
    let row: Option<AccountRow> = sqlx::query_as(&format!("{ACCOUNTS} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let grants: Vec<GrantRow> =
        sqlx::query_as(&format!("{GRANTS} WHERE r.account_id = $1 ORDER BY r.id"))
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let grants = grants
        .into_iter()
        .map(GrantRow::view)
        .collect::<Result<_, _>>()?;
    Ok(Some(row.with(grants)))
}

/// Every account with its roles: two queries, whatever the number of
/// accounts.
pub async fn list(pool: &AnyPool) -> Result<Vec<Account>, AppError> {
    let rows: Vec<AccountRow> = sqlx::query_as(&format!("{ACCOUNTS} ORDER BY a.username"))
        .fetch_all(pool)
        .await?;
    let grant_rows: Vec<GrantRow> = sqlx::query_as(&format!("{GRANTS} ORDER BY r.id"))
        .fetch_all(pool)
        .await?;
    let mut grants: HashMap<i64, Vec<GrantView>> = HashMap::new();
    for g in grant_rows {
        grants.entry(g.account_id).or_default().push(g.view()?);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let g = grants.remove(&r.id).unwrap_or_default();
            r.with(g)
        })
        .collect())
}

/// A role as granted: over the whole district, or over a unit's subtree
/// (scoped roles with their unit).
pub(crate) fn grant(
    role: Role,
    unit_id: Option<i64>,
    unit_path: Option<String>,
    unit_name: Option<String>,
) -> Grant {
    Grant {
        role,
        scope: match (role.is_scoped(), unit_id, unit_path) {
            (true, Some(unit_id), Some(path)) => Scope::Subtree {
                unit_id,
                path,
                unit_name: unit_name.unwrap_or_default(),
            },
            _ => Scope::District,
        },
    }
}

#[derive(sqlx::FromRow)]
struct PrincipalRow {
    id: i64,
    username: String,
    display_name: String,
    person_id: Option<i64>,
}

/// The account as permission checks see it, if it exists and is enabled.
pub async fn principal(pool: &AnyPool, id: i64) -> Result<Option<Principal>, AppError> {
    let row: Option<PrincipalRow> = sqlx::query_as(
        "SELECT a.id, a.username, a.display_name, pe.id AS person_id FROM accounts a \
         LEFT JOIN people pe ON pe.account_id = a.id WHERE a.id = $1 AND a.disabled = 0",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let rows: Vec<GrantRow> =
        sqlx::query_as(&format!("{GRANTS} WHERE r.account_id = $1 ORDER BY r.id"))
            .bind(id)
            .fetch_all(pool)
            .await?;
    let mut grants = Vec::with_capacity(rows.len());
    for g in rows {
        grants.push(grant(g.role()?, g.scope_unit_id, g.unit_path, g.unit_name));
    }
    Ok(Some(Principal {
        account_id: r.id,
        username: r.username,
        display_name: r.display_name,
        person_id: r.person_id,
        grants,
    }))
}

/// How many accounts are disabled.
pub async fn disabled_count(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE disabled = 1")
        .fetch_one(pool)
        .await
}
