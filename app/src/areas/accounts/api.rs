//! The accounts area's server functions: one line of wiring each (the
//! caller's footing, then the service; signing in and out also set the
//! cookie).

use super::dto::Account;
use crate::domain::authz::Principal;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::service, crate::platform::request::*};

/// The signed-in person, or `None`.
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Principal>, AppError> {
    Ok(signed_in().map(|s| s.principal))
}

/// Signs in (see `service::login` for the throttle) and sets the cookie.
#[server(endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<(), AppError> {
    let old = signed_in().map(|s| s.session_hash);
    finish(
        async {
            let st = state()?;
            let token =
                service::login(&st, &username, password, client_address(), old.as_deref()).await?;
            set_session_cookie(&st, &token, st.settings.session.absolute_secs);
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let session = signed_in().map(|s| s.session_hash);
    finish(
        async {
            let st = state()?;
            service::logout(&st, session.as_deref()).await?;
            set_session_cookie(&st, "", 0);
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
    let session = signed_in().map(|s| s.session_hash).unwrap_or_default();
    let client = client_address();
    answer(async |cx| {
        service::change_password(cx, &session, client, current, new_password, confirm).await
    })
    .await
}

#[server(endpoint = "list_accounts")]
pub async fn list_accounts() -> Result<Vec<Account>, AppError> {
    answer(async |cx| service::list(cx).await).await
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
    let form = service::AccountForm {
        username,
        display_name,
        password,
        roles,
        organizer_scope,
        assessor_scope,
        person_code,
    };
    answer(async |cx| service::create(cx, form).await).await
}

#[server(endpoint = "set_account_roles")]
pub async fn set_account_roles(
    id: i64,
    #[server(default)] roles: Vec<String>,
    #[server(default)] organizer_scope: String,
    #[server(default)] assessor_scope: String,
) -> Result<(), AppError> {
    answer(async |cx| service::set_roles(cx, id, &roles, &organizer_scope, &assessor_scope).await)
        .await
}

/// Disables (ending every session of the account) or enables an account.
#[server(endpoint = "set_account_disabled")]
pub async fn set_account_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    answer(async |cx| service::set_disabled(cx, id, disabled).await).await
}

/// An admin sets a new password for someone who forgot theirs; their
/// sessions end.
#[server(endpoint = "reset_password")]
pub async fn reset_password(id: i64, password: String) -> Result<(), AppError> {
    answer(async |cx| service::reset_password(cx, id, password).await).await
}

#[cfg(feature = "ssr")]
fn set_session_cookie(st: &crate::state::AppState, token: &str, max_age: i64) {
    append_header(
        http::header::SET_COOKIE,
        &service::session_cookie(token, max_age, st.settings.secure_cookies),
    );
}
