//! Accounts and roles (admins only).

use crate::error::AppError;
use crate::model::Account;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

#[server(endpoint = "list_accounts")]
pub async fn list_accounts() -> Result<Vec<Account>, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            require_may(Action::ManageAccounts)?;
            Ok(crate::db::accounts::list(&state()?.db.pool).await?)
        }
        .await,
    )
}

/// Roles from the form: each checked role's code, and for organizers and
/// assessors the code of the unit they are scoped to (empty: district).
#[cfg(feature = "ssr")]
async fn parse_grants(
    pool: &sqlx::AnyPool,
    roles: &[String],
    organizer_scope: &str,
    assessor_scope: &str,
) -> Result<Vec<crate::db::accounts::NewGrant>, AppError> {
    use crate::domain::Problem;
    use crate::domain::account::Role;
    let mut out = Vec::new();
    for r in roles {
        let role = Role::parse(r).map_err(|p| AppError::invalid("field.roles", p))?;
        let scope_code = match role {
            Role::Organizer => organizer_scope.trim(),
            Role::Assessor => assessor_scope.trim(),
            _ => "",
        };
        let scope = if scope_code.is_empty() {
            None
        } else {
            let id: Option<i64> = sqlx::query_scalar("SELECT id FROM units WHERE code = $1")
                .bind(scope_code)
                .fetch_optional(pool)
                .await?;
            Some(id.ok_or_else(|| {
                AppError::invalid(
                    "field.scope",
                    Problem::with("problem.unknown_unit", &[scope_code]),
                )
            })?)
        };
        if !out.iter().any(|(r, _)| *r == role) {
            out.push((role, scope));
        }
    }
    if out.is_empty() {
        return Err(AppError::invalid(
            "field.roles",
            Problem::new("problem.no_role"),
        ));
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
#[server(endpoint = "create_account")]
pub async fn create_account(
    username: String,
    display_name: String,
    password: String,
    #[server(default)] roles: Vec<String>,
    #[server(default)] organizer_scope: String,
    #[server(default)] assessor_scope: String,
    #[server(default)] person_code: String,
) -> Result<i64, AppError> {
    use crate::db::accounts::{self, PasswordHash};
    use crate::domain::account::{check_new_password, parse_username};
    use crate::domain::authz::Action;
    use crate::domain::{Problem, text_field};
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageAccounts)?;
            let st = state()?;
            let pool = &st.db.pool;
            let username =
                parse_username(&username).map_err(|p| AppError::invalid("field.username", p))?;
            let display_name = text_field(&display_name, 1, 32)
                .map_err(|p| AppError::invalid("field.display_name", p))?;
            check_new_password(&username, &password)
                .map_err(|p| AppError::invalid("field.password", p))?;
            let grants = parse_grants(pool, &roles, &organizer_scope, &assessor_scope).await?;
            let person_id = if person_code.trim().is_empty() {
                None
            } else {
                let id: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE code = $1")
                    .bind(person_code.trim())
                    .fetch_optional(pool)
                    .await?;
                Some(id.ok_or_else(|| {
                    AppError::invalid(
                        "field.person_code",
                        Problem::with("problem.unknown_person", &[person_code.trim()]),
                    )
                })?)
            };
            let hash = PasswordHash::new_blocking(password).await;
            let mut tx = st.db.write().await?;
            let id = accounts::create(
                &mut tx,
                &actor(&me),
                st.clock.now_secs(),
                accounts::NewAccount {
                    username: &username,
                    display_name: &display_name,
                    hash: &hash,
                    grants: &grants,
                    person_id,
                },
            )
            .await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(endpoint = "set_account_roles")]
pub async fn set_account_roles(
    id: i64,
    #[server(default)] roles: Vec<String>,
    #[server(default)] organizer_scope: String,
    #[server(default)] assessor_scope: String,
) -> Result<(), AppError> {
    use crate::domain::Problem;
    use crate::domain::account::Role;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageAccounts)?;
            let st = state()?;
            let grants =
                parse_grants(&st.db.pool, &roles, &organizer_scope, &assessor_scope).await?;
            if id == me.account_id && !grants.iter().any(|(r, _)| *r == Role::Admin) {
                return Err(AppError::invalid(
                    "field.roles",
                    Problem::new("problem.cannot_drop_own_admin"),
                ));
            }
            let mut tx = st.db.write().await?;
            crate::db::accounts::set_grants(&mut tx, &actor(&me), st.clock.now_secs(), id, &grants)
                .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Disables (ending every session of the account) or enables an account.
#[server(endpoint = "set_account_disabled")]
pub async fn set_account_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    use crate::domain::Problem;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageAccounts)?;
            if id == me.account_id && disabled {
                return Err(AppError::invalid(
                    "field.account",
                    Problem::new("problem.cannot_disable_self"),
                ));
            }
            let st = state()?;
            let mut tx = st.db.write().await?;
            crate::db::accounts::set_disabled(
                &mut tx,
                &actor(&me),
                st.clock.now_secs(),
                id,
                disabled,
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// An admin sets a new password for someone who forgot theirs; their
/// sessions end.
#[server(endpoint = "reset_password")]
pub async fn reset_password(id: i64, password: String) -> Result<(), AppError> {
    use crate::db::accounts::{self, PasswordHash};
    use crate::domain::account::check_new_password;
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageAccounts)?;
            let st = state()?;
            let username: Option<String> =
                sqlx::query_scalar("SELECT username FROM accounts WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&st.db.pool)
                    .await?;
            let username = username.ok_or(AppError::NotFound)?;
            check_new_password(&username, &password)
                .map_err(|p| AppError::invalid("field.password", p))?;
            let hash = PasswordHash::new_blocking(password).await;
            let mut tx = st.db.write().await?;
            accounts::set_password(&mut tx, &actor(&me), st.clock.now_secs(), id, &hash, None)
                .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}
