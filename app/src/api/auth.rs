//! Signing in and out, the current user, changing one's own password.

use crate::domain::authz::Principal;
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in person, or `None`.
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Principal>, AppError> {
    Ok(ssr::signed_in().map(|s| s.principal))
}

#[server(endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<(), AppError> {
    use crate::db::{accounts, sessions};
    use crate::domain::throttle::Verdict;
    use ssr::*;
    finish(
        async move {
            let st = state()?;
            let pool = &st.db.pool;
            let name = username.trim().to_lowercase();
            let now = st.clock.now_secs();
            let throttle = st.settings.throttle;
            let failures =
                accounts::recent_failures(pool, &name, now - throttle.lookback_secs()).await?;
            match throttle.verdict(&failures, now) {
                Verdict::Locked { until } => {
                    return Err(AppError::Throttled {
                        wait_secs: until - now,
                        locked: true,
                    });
                }
                Verdict::Wait { until } => {
                    return Err(AppError::Throttled {
                        wait_secs: until - now,
                        locked: false,
                    });
                }
                Verdict::Allowed => {}
            }
            let creds = accounts::credentials(pool, &name).await?;
            let (hash, id, disabled) = match creds {
                Some(c) => (c.hash, Some(c.id), c.disabled),
                None => (accounts::decoy_hash(), None, false),
            };
            let matches = hash.verify_blocking(password).await;
            let Some(id) = id.filter(|_| matches) else {
                accounts::record_failure(pool, &name, now).await?;
                tracing::info!(username = %name, "failed log-in");
                return Err(AppError::BadCredentials);
            };
            if disabled {
                return Err(AppError::invalid(
                    "field.username",
                    crate::domain::Problem::new("problem.account_disabled"),
                ));
            }
            accounts::clear_failures(pool, &name).await?;
            // A new session id at every log-in; the old session, if any, ends.
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
            if !creds.hash.verify_blocking(current).await {
                return Err(AppError::invalid(
                    "field.current_password",
                    Problem::new("problem.wrong_password"),
                ));
            }
            let hash = PasswordHash::new_blocking(new_password).await;
            let mut tx = st.db.pool.begin().await?;
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
