//! Signing in and out, the current user, changing one's own password.

use crate::domain::authz::Principal;
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in person, or `None`.
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Principal>, AppError> {
    Ok(ssr::signed_in().map(|s| s.principal))
}

/// Signs in. Every attempt first reserves its place in the throttle (a
/// row under the name and one under the client address, written in one
/// transaction after checking both counts), then verifies; a right password
/// takes its rows back. A parallel burst of guesses therefore sees its own
/// earlier guesses, and a name that cannot exist, a disabled account and a
/// wrong password all get the same answer.
#[server(endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<(), AppError> {
    use crate::db::{accounts, sessions};
    use crate::domain::account::{MAX_PASSWORD_BYTES, parse_username};
    use crate::domain::throttle::{client_key, user_key};
    use ssr::*;
    finish(
        async move {
            let st = state()?;
            let now = st.clock.now_secs();
            let client = client_key(client_address());
            // No account has such a name: nothing is stored or hashed, the
            // address's own limit still applies.
            let Ok(name) = parse_username(&username) else {
                attempts::check_client(&st, &client, now).await?;
                return Err(AppError::BadCredentials);
            };
            let user = user_key(&name);
            let _turn = accounts::login_turn(&user).await;
            let client_attempt = attempts::reserve(&st, &user, &client, now).await?;
            let (hash, account) = match accounts::credentials(&st.db.pool, &name).await? {
                Some(c) => (c.hash, Some((c.id, c.disabled))),
                None => (accounts::decoy_hash(), None),
            };
            let matches =
                password.len() <= MAX_PASSWORD_BYTES && hash.verify_blocking(password).await;
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
            attempts::succeeded(&st, &user, client_attempt).await?;
            // A new session id at every log-in; the old session, if any, ends.
            let pool = &st.db.pool;
            if let Some(old) = signed_in() {
                sessions::delete(pool, &old.session_hash).await?;
            }
            let token = sessions::create(pool, id, now).await?;
            append_header(
                http::header::SET_COOKIE,
                &session_cookie(
                    &token,
                    st.settings.session.absolute_secs,
                    st.settings.secure_cookies,
                ),
            );
            tracing::info!(username = %name, "signed in");
            Ok(())
        }
        .await,
    )
}

/// The log-in throttle's bookkeeping (server only).
#[cfg(feature = "ssr")]
mod attempts {
    use crate::db::accounts;
    use crate::domain::throttle::{Verdict, stricter};
    use crate::error::AppError;
    use crate::state::AppState;

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
        let seen = accounts::attempts(&st.db.pool, client, now - limit.lookback_secs()).await?;
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
        let by_user = accounts::attempts(&st.db.pool, user, now - per_user.lookback_secs()).await?;
        let by_client =
            accounts::attempts(&st.db.pool, client, now - per_client.lookback_secs()).await?;
        refusal(
            stricter(
                per_user.verdict(&by_user, now),
                per_client.verdict(&by_client, now),
            ),
            now,
        )?;
        // Then again under the lock, which decides.
        let mut tx = st.db.write().await?;
        accounts::lock_keys(&mut tx, &[user, client], now).await?;
        accounts::purge_attempts(&mut tx, st.db.backend, now - horizon).await?;
        let by_user = accounts::attempts(&mut *tx, user, now - per_user.lookback_secs()).await?;
        let by_client =
            accounts::attempts(&mut *tx, client, now - per_client.lookback_secs()).await?;
        let verdict = stricter(
            per_user.verdict(&by_user, now),
            per_client.verdict(&by_client, now),
        );
        if let Err(refused) = refusal(verdict, now) {
            tx.rollback().await?;
            return Err(refused);
        }
        accounts::add_attempt(&mut tx, user, now).await?;
        let id = accounts::add_attempt(&mut tx, client, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A right password: the name's failures are forgotten, and this
    /// attempt's row under the address.
    pub async fn succeeded(st: &AppState, user: &str, client_attempt: i64) -> Result<(), AppError> {
        let mut tx = st.db.write().await?;
        accounts::clear_attempts(&mut tx, user).await?;
        accounts::forget_attempt(&mut tx, client_attempt).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use ssr::*;
    finish(
        async move {
            let st = state()?;
            if let Some(s) = signed_in() {
                crate::db::sessions::delete(&st.db.pool, &s.session_hash).await?;
            }
            append_header(
                http::header::SET_COOKIE,
                &session_cookie("", 0, st.settings.secure_cookies),
            );
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current: String,
    new_password: String,
    confirm: String,
) -> Result<(), AppError> {
    use crate::db::accounts::{self, PasswordHash};
    use crate::domain::Problem;
    use crate::domain::account::check_new_password;
    use ssr::*;
    finish(
        async move {
            let s = signed_in().ok_or(AppError::Unauthorized)?;
            let me = &s.principal;
            let st = state()?;
            if new_password != confirm {
                return Err(AppError::invalid(
                    "field.confirm",
                    Problem::new("problem.passwords_differ"),
                ));
            }
            check_new_password(&me.username, &new_password)
                .map_err(|p| AppError::invalid("field.new_password", p))?;
            let creds = accounts::credentials(&st.db.pool, &me.username)
                .await?
                .ok_or(AppError::Unauthorized)?;
            // The current password is guessed against the same count as
            // at sign-in: a session left open on a shared PC is no way
            // round the throttle.
            let now = st.clock.now_secs();
            let user = crate::domain::throttle::user_key(&me.username);
            let client = crate::domain::throttle::client_key(client_address());
            let attempt = attempts::reserve(&st, &user, &client, now).await?;
            if current.len() > crate::domain::account::MAX_PASSWORD_BYTES
                || !creds.hash.verify_blocking(current).await
            {
                return Err(AppError::invalid(
                    "field.current_password",
                    Problem::new("problem.wrong_password"),
                ));
            }
            attempts::succeeded(&st, &user, attempt).await?;
            let hash = PasswordHash::new_blocking(new_password).await;
            let mut tx = st.db.write().await?;
            accounts::set_password(
                &mut tx,
                &actor(me),
                st.clock.now_secs(),
                me.account_id,
                &hash,
                Some(&s.session_hash),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// The `Set-Cookie` value for a session token (empty token: expire it).
#[cfg(feature = "ssr")]
pub fn session_cookie(token: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        crate::db::sessions::COOKIE
    )
}

#[cfg(feature = "ssr")]
use super::ssr;
