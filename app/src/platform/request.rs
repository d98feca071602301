//! What every server function needs on the server side: who is asking
//! (the signed-in caller, their context), the answer (errors mapped to a
//! status and a translatable message, `Retry-After` where it applies), the
//! site's public origin and the client's address, and the page's content
//! security policy.

use super::Actor;
use crate::domain::authz::{Action, Principal};
use crate::error::AppError;
use crate::state::AppState;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// What a server function returned to a plain form post (no
/// JavaScript), carried back in the address it redirects to
/// (`__okpath`, `__ok`): the page shows it as it would show the value of
/// an action run from the browser ("13 placed", the quiz's result).
/// Signed with the session, so that a link someone else made cannot put
/// a "passed" or "saved" on another person's screen.
pub mod returned {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use hmac::{Hmac, Mac};

    /// Larger values are not carried (the page then shows no message).
    pub const MAX_BYTES: usize = 4096;

    fn mac(key: &str, path: &str, value: &[u8]) -> Vec<u8> {
        let mut m =
            <Hmac<sha2::Sha256> as Mac>::new_from_slice(key.as_bytes()).expect("any key length");
        m.update(path.as_bytes());
        m.update(b"\n");
        m.update(value);
        m.finalize().into_bytes()[..16].to_vec()
    }

    /// `value` (the server function's JSON answer) as `__ok`'s text.
    pub fn seal(key: &str, path: &str, value: &[u8]) -> Option<String> {
        (value.len() <= MAX_BYTES).then(|| {
            format!(
                "{}.{}",
                B64.encode(value),
                B64.encode(mac(key, path, value))
            )
        })
    }

    /// The JSON answer back out of `__ok`, if the session signed it for
    /// this server function.
    pub fn open(key: &str, path: &str, sealed: &str) -> Option<Vec<u8>> {
        let (value, tag) = sealed.split_once('.')?;
        let value = B64.decode(value).ok()?;
        let tag = B64.decode(tag).ok()?;
        let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key.as_bytes()).ok()?;
        m.update(path.as_bytes());
        m.update(b"\n");
        m.update(&value);
        m.verify_truncated_left(&tag).ok()?;
        (tag.len() == 16).then_some(value)
    }

    /// What the server function at `path` returned, when this page's
    /// address carries it (after a plain form post).
    pub fn read<T: serde::de::DeserializeOwned>(path: &str) -> Option<T> {
        let parts = leptos::prelude::use_context::<http::request::Parts>()?;
        let key = parts
            .extensions
            .get::<super::SignedIn>()?
            .session_hash
            .clone();
        let query = parts.uri.query()?;
        let mut from = None;
        let mut sealed = None;
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            match &*k {
                "__okpath" => from = Some(v.into_owned()),
                "__ok" => sealed = Some(v.into_owned()),
                _ => {}
            }
        }
        if from.as_deref() != Some(path) {
            return None;
        }
        let bytes = open(&key, path, &sealed?)?;
        serde_json::from_slice(&bytes).ok()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_sealed_value_opens_only_with_its_session_and_server_function() {
            let sealed = seal("session-a", "/api/submit_quiz", b"{\"passed\":true}").unwrap();
            assert_eq!(
                open("session-a", "/api/submit_quiz", &sealed).unwrap(),
                b"{\"passed\":true}"
            );
            assert!(open("session-b", "/api/submit_quiz", &sealed).is_none());
            assert!(open("session-a", "/api/save_unit", &sealed).is_none());
            let (_, tag) = sealed.split_once('.').unwrap();
            let forged = format!("{}.{tag}", B64.encode(b"{\"passed\":false}"));
            assert!(open("session-a", "/api/submit_quiz", &forged).is_none());
            assert!(open("session-a", "/api/submit_quiz", "garbage").is_none());
            assert!(
                open(
                    "session-a",
                    "/api/submit_quiz",
                    &format!("{}.", B64.encode(b"1"))
                )
                .is_none()
            );
            assert!(seal("k", "/p", &vec![b'1'; MAX_BYTES + 1]).is_none());
        }
    }
}

/// Put into each request's extensions by the session middleware when the
/// cookie names a valid session.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub principal: Principal,
    pub session_hash: String,
}

/// Where this site is reached, as the request said (`https://` when
/// cookies are marked secure, so behind TLS): for addresses people copy
/// into other programs (calendar feeds) or print (certificates).
pub fn public_origin() -> Result<String, AppError> {
    let host = use_context::<http::request::Parts>()
        .and_then(|p| {
            p.headers
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .filter(|h| {
                    h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
                })
                .map(str::to_string)
        })
        .unwrap_or_else(|| "127.0.0.1:3000".to_string());
    let scheme = if state()?.settings.secure_cookies {
        "https"
    } else {
        "http"
    };
    Ok(format!("{scheme}://{host}"))
}

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::Internal
    })
}

/// The district's today and the current instant (for the server
/// functions not yet moved into an area, which take them from `Ctx`).
pub fn today_and_now() -> Result<(chrono::NaiveDate, i64), AppError> {
    state()?.clock.today_and_now()
}

pub fn signed_in() -> Option<SignedIn> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<SignedIn>().cloned())
}

/// The caller, or 401.
pub fn require() -> Result<Principal, AppError> {
    signed_in()
        .map(|s| s.principal)
        .ok_or(AppError::Unauthorized)
}

/// The caller if they may take the action somewhere, else 401/403.
pub fn require_may(action: Action) -> Result<Principal, AppError> {
    let me = require()?;
    if me.may(action) {
        Ok(me)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The caller, if they may do `action` across the whole district
/// (district-wide settings, syncs of every unit): 403 otherwise.
pub fn require_everywhere(action: Action) -> Result<Principal, AppError> {
    let me = require()?;
    if me.may_everywhere(action) {
        Ok(me)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The signed-in caller's footing for a service (401 when signed out).
pub fn ctx() -> Result<crate::platform::Ctx, AppError> {
    crate::platform::Ctx::new(state()?, require()?)
}

/// A server function's whole body: the caller's footing, the service,
/// and the error's HTTP status.
pub async fn answer<T, F>(service: F) -> Result<T, AppError>
where
    F: AsyncFnOnce(&crate::platform::Ctx) -> Result<T, AppError>,
{
    let result = async {
        let cx = ctx()?;
        service(&cx).await
    }
    .await;
    finish(result)
}

pub fn actor(p: &Principal) -> Actor {
    Actor::of(p)
}

/// Sets the HTTP status from the error, so that callers other than our
/// own UI (and tests) see 401, 403, 422... and not a blanket 500.
pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result
        && let Some(res) = use_context::<ResponseOptions>()
    {
        let status = http::StatusCode::from_u16(e.status());
        res.set_status(status.unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
        if let Some(secs) = e.retry_after() {
            res.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
        }
    }
    result
}

/// The client's address: as the listener saw it, or, when that is a
/// trusted reverse proxy, the last address in `X-Forwarded-For` that is
/// not one of the trusted proxies (what a client writes further left
/// is not believed).
pub fn client_address() -> Option<std::net::IpAddr> {
    let parts = use_context::<http::request::Parts>()?;
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())?;
    let trusted = state()
        .map(|s| s.settings.trusted_proxies.clone())
        .unwrap_or_default();
    Some(forwarded_client(peer, &parts.headers, &trusted))
}

pub fn forwarded_client(
    peer: std::net::IpAddr,
    headers: &http::HeaderMap,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    hops.into_iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
}

/// The Content-Security-Policy of every page: scripts only with this
/// response's nonce (Leptos puts it on the hydration script and the
/// resource chunks; what the hydration script imports is trusted through
/// it), WebAssembly compiled but no `eval`, nothing framed, no plugins,
/// no `<base>`, forms posted only here. Set by the shell; the server's
/// middleware gives everything else a policy under which nothing runs.
pub fn set_page_policy() {
    let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
    else {
        return;
    };
    if let Ok(v) = http::HeaderValue::from_str(&page_policy(&nonce)) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
    }
}

pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

pub fn append_header(name: http::HeaderName, value: &str) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        res.append_header(name, v);
    }
}
