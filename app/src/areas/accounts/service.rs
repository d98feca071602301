//! Who may do what with accounts, and signing in: the throttle, the
//! password checks, the session's start and end.

use super::dto::Account;
use super::password::PasswordHash;
use super::store::accounts::{self, NewAccount, NewGrant};
use super::store::{attempts as rows, sessions};
use crate::domain::Problem;
use crate::domain::account::{MAX_PASSWORD_BYTES, Role, check_new_password, parse_username};
use crate::domain::authz::Action;
use crate::domain::text_field;
use crate::domain::throttle::{Verdict, client_key, stricter, user_key};
use crate::error::AppError;
use crate::platform::Ctx;
use crate::state::AppState;

pub async fn list(cx: &Ctx) -> Result<Vec<Account>, AppError> {
    cx.may(Action::ManageAccounts)?;
    accounts::list(cx.pool()).await
}

/// How many accounts are disabled (the admin's home page).
pub async fn disabled_count(cx: &Ctx) -> Result<i64, AppError> {
    cx.may(Action::ManageAccounts)?;
    Ok(accounts::disabled_count(cx.pool()).await?)
}

/// An account as the admin's form gives it.
pub struct AccountForm {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub roles: Vec<String>,
    pub organizer_scope: String,
    pub assessor_scope: String,
    pub person_code: String,
}

/// Roles from the form: each checked role's code, and for organizers and
/// assessors the code of the unit they are scoped to (empty: district).
async fn parse_grants(
    cx: &Ctx,
    roles: &[String],
    organizer_scope: &str,
    assessor_scope: &str,
) -> Result<Vec<NewGrant>, AppError> {
    let mut out: Vec<NewGrant> = Vec::new();
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
            let unit = crate::areas::directory::service::unit_id_by_code(cx, scope_code).await?;
            Some(unit.ok_or_else(|| {
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

pub async fn create(cx: &Ctx, form: AccountForm) -> Result<i64, AppError> {
    cx.may(Action::ManageAccounts)?;
    let username =
        parse_username(&form.username).map_err(|p| AppError::invalid("field.username", p))?;
    let display_name = text_field(&form.display_name, 1, 32)
        .map_err(|p| AppError::invalid("field.display_name", p))?;
    check_new_password(&username, &form.password)
        .map_err(|p| AppError::invalid("field.password", p))?;
    let grants = parse_grants(cx, &form.roles, &form.organizer_scope, &form.assessor_scope).await?;
    let code = form.person_code.trim();
    let person_id = if code.is_empty() {
        None
    } else {
        let id = crate::areas::directory::service::person_id_by_code(cx, code).await?;
        Some(id.ok_or_else(|| {
            AppError::invalid(
                "field.person_code",
                Problem::with("problem.unknown_person", &[code]),
            )
        })?)
    };
    let hash = PasswordHash::new_blocking(form.password).await;
    let mut w = cx.write().await?;
    let id = accounts::create(
        &mut w,
        NewAccount {
            username: &username,
            display_name: &display_name,
            hash: &hash,
            grants: &grants,
            person_id,
        },
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

pub async fn set_roles(
    cx: &Ctx,
    id: i64,
    roles: &[String],
    organizer_scope: &str,
    assessor_scope: &str,
) -> Result<(), AppError> {
    cx.may(Action::ManageAccounts)?;
    let grants = parse_grants(cx, roles, organizer_scope, assessor_scope).await?;
    if id == cx.me.account_id && !grants.iter().any(|(r, _)| *r == Role::Admin) {
        return Err(AppError::invalid(
            "field.roles",
            Problem::new("problem.cannot_drop_own_admin"),
        ));
    }
    let mut w = cx.write().await?;
    accounts::set_grants(&mut w, id, &grants).await?;
    w.commit().await?;
    Ok(())
}

/// Disables (ending every session of the account) or enables an account.
pub async fn set_disabled(cx: &Ctx, id: i64, disabled: bool) -> Result<(), AppError> {
    cx.may(Action::ManageAccounts)?;
    if id == cx.me.account_id && disabled {
        return Err(AppError::invalid(
            "field.account",
            Problem::new("problem.cannot_disable_self"),
        ));
    }
    let mut w = cx.write().await?;
    accounts::set_disabled(&mut w, id, disabled).await?;
    w.commit().await?;
    Ok(())
}

/// An admin sets a new password for someone who forgot theirs; their
/// sessions end.
pub async fn reset_password(cx: &Ctx, id: i64, password: String) -> Result<(), AppError> {
    cx.may(Action::ManageAccounts)?;
    let username = accounts::username(cx.pool(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_new_password(&username, &password).map_err(|p| AppError::invalid("field.password", p))?;
    let hash = PasswordHash::new_blocking(password).await;
    let mut w = cx.write().await?;
    accounts::set_password(&mut w, id, &hash, None).await?;
    w.commit().await?;
    Ok(())
}

/// Signs in: the new session's token for the cookie. Every attempt first
/// reserves its place in the throttle (a row under the name and one under
/// the client address, written in one transaction after checking both
/// counts), then verifies; a right password takes its rows back. A
/// parallel burst of guesses therefore sees its own earlier guesses, and a
/// name that cannot exist, a disabled account and a wrong password all get
/// the same answer. `old_session`, the caller's session if any, ends.
pub async fn login(
    st: &AppState,
    username: &str,
    password: String,
    client: Option<std::net::IpAddr>,
    old_session: Option<&str>,
) -> Result<String, AppError> {
    let now = st.clock.now_secs();
    let client = client_key(client);
    // No account has such a name: nothing is stored or hashed, the
    // address's own limit still applies.
    let Ok(name) = parse_username(username) else {
        throttle::check_client(st, &client, now).await?;
        return Err(AppError::BadCredentials);
    };
    let user = user_key(&name);
    let _turn = throttle::turn(&user).await;
    let client_attempt = throttle::reserve(st, &user, &client, now).await?;
    let (hash, account) = match accounts::credentials(&st.db.pool, &name).await? {
        Some(c) => (c.hash, Some((c.id, c.disabled))),
        None => (PasswordHash::decoy(), None),
    };
    let matches = password.len() <= MAX_PASSWORD_BYTES && hash.verify_blocking(password).await;
    let id = match account {
        Some((id, false)) if matches => id,
        Some((_, true)) if matches => {
            tracing::info!(username = %name, %client, "log-in to a disabled account refused");
            return Err(AppError::BadCredentials);
        }
        _ => {
            tracing::info!(username = %name, %client, "failed log-in");
            return Err(AppError::BadCredentials);
        }
    };
    throttle::succeeded(st, &user, client_attempt).await?;
    // A new session id at every log-in; the old session, if any, ends.
    let pool = &st.db.pool;
    if let Some(old) = old_session {
        sessions::delete(pool, old).await?;
    }
    let token = sessions::create(pool, id, now).await?;
    tracing::info!(username = %name, "signed in");
    Ok(token)
}

/// Ends the session whose hash is given (if any).
pub async fn logout(st: &AppState, session_hash: Option<&str>) -> Result<(), AppError> {
    if let Some(hash) = session_hash {
        sessions::delete(&st.db.pool, hash).await?;
    }
    Ok(())
}

/// One's own new password: the current one is checked against the same
/// count as at sign-in (a session left open on a shared PC is no way round
/// the throttle); the caller's other sessions end, this one stays.
pub async fn change_password(
    cx: &Ctx,
    session_hash: &str,
    client: Option<std::net::IpAddr>,
    current: String,
    new_password: String,
    confirm: String,
) -> Result<(), AppError> {
    let me = &cx.me;
    if new_password != confirm {
        return Err(AppError::invalid(
            "field.confirm",
            Problem::new("problem.passwords_differ"),
        ));
    }
    check_new_password(&me.username, &new_password)
        .map_err(|p| AppError::invalid("field.new_password", p))?;
    let creds = accounts::credentials(cx.pool(), &me.username)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let user = user_key(&me.username);
    let client = client_key(client);
    let attempt = throttle::reserve(&cx.st, &user, &client, cx.now).await?;
    if current.len() > MAX_PASSWORD_BYTES || !creds.hash.verify_blocking(current).await {
        return Err(AppError::invalid(
            "field.current_password",
            Problem::new("problem.wrong_password"),
        ));
    }
    throttle::succeeded(&cx.st, &user, attempt).await?;
    let hash = PasswordHash::new_blocking(new_password).await;
    let mut w = cx.write().await?;
    accounts::set_password(&mut w, me.account_id, &hash, Some(session_hash)).await?;
    w.commit().await?;
    Ok(())
}

/// The `Set-Cookie` value for a session token (empty token: expire it).
pub fn session_cookie(token: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        sessions::COOKIE
    )
}

/// The log-in throttle's bookkeeping.
mod throttle {
    use super::rows;
    use super::{AppError, AppState, Verdict, stricter};

    fn refusal(verdict: Verdict, now: i64) -> Result<(), AppError> {
        match verdict {
            Verdict::Allowed => Ok(()),
            Verdict::Wait { until } => Err(AppError::Throttled {
                wait_secs: until - now,
                locked: false,
            }),
            Verdict::Locked { until } => Err(AppError::Throttled {
                wait_secs: until - now,
                locked: true,
            }),
        }
    }

    /// Refuses when the client address is held back.
    pub async fn check_client(st: &AppState, client: &str, now: i64) -> Result<(), AppError> {
        let limit = st.settings.client_throttle;
        let seen = rows::attempts(&st.db.pool, client, now - limit.lookback_secs()).await?;
        refusal(limit.verdict(&seen, now), now)
    }

    /// Checks the name's and the address's counts and, when both allow an
    /// attempt, records it under both, atomically: the id of the
    /// address's row. Attempts too old to matter are purged on the way.
    pub async fn reserve(
        st: &AppState,
        user: &str,
        client: &str,
        now: i64,
    ) -> Result<i64, AppError> {
        let (per_user, per_client) = (st.settings.throttle, st.settings.client_throttle);
        let horizon = per_user.lookback_secs().max(per_client.lookback_secs());
        // Refused already? Then by a read alone: a flood of throttled
        // attempts takes no write lock from anyone else.
        let by_user = rows::attempts(&st.db.pool, user, now - per_user.lookback_secs()).await?;
        let by_client =
            rows::attempts(&st.db.pool, client, now - per_client.lookback_secs()).await?;
        refusal(
            stricter(
                per_user.verdict(&by_user, now),
                per_client.verdict(&by_client, now),
            ),
            now,
        )?;
        // Then again under the lock, which decides.
        let mut tx = st.db.write().await?;
        rows::lock_keys(&mut tx, &[user, client], now).await?;
        rows::purge_attempts(&mut tx, st.db.backend, now - horizon).await?;
        let by_user = rows::attempts(&mut *tx, user, now - per_user.lookback_secs()).await?;
        let by_client = rows::attempts(&mut *tx, client, now - per_client.lookback_secs()).await?;
        let verdict = stricter(
            per_user.verdict(&by_user, now),
            per_client.verdict(&by_client, now),
        );
        if let Err(refused) = refusal(verdict, now) {
            tx.rollback().await?;
            return Err(refused);
        }
        rows::add_attempt(&mut tx, user, now).await?;
        let id = rows::add_attempt(&mut tx, client, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A right password: the name's failures are forgotten, and this
    /// attempt's row under the address.
    pub async fn succeeded(st: &AppState, user: &str, client_attempt: i64) -> Result<(), AppError> {
        let mut tx = st.db.write().await?;
        rows::clear_attempts(&mut tx, user).await?;
        rows::forget_attempt(&mut tx, client_attempt).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Log-ins for one key take turns in this process: the first
    /// attempt's reservation would otherwise count against the next one
    /// that arrives while it is being verified, and two right passwords at
    /// once (two tabs, parallel test workers) would slow each other down.
    /// Across processes the reservation rows alone decide. Held until
    /// dropped.
    pub struct Turn {
        _guard: tokio::sync::OwnedMutexGuard<()>,
    }

    pub async fn turn(key: &str) -> Turn {
        use std::collections::HashMap;
        use std::sync::{Arc, Mutex, OnceLock};
        type Turns = Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>;
        static TURNS: OnceLock<Turns> = OnceLock::new();
        let turn = {
            let mut turns = TURNS
                .get_or_init(Default::default)
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            // Only keys someone holds or waits for stay.
            turns.retain(|_, t| Arc::strong_count(t) > 1);
            turns.entry(key.to_string()).or_default().clone()
        };
        Turn {
            _guard: turn.lock_owned().await,
        }
    }
}
