//! The `yingji` server: builds the application state from configuration,
//! the axum router (pages, server functions, uploads, static files) and the
//! middleware that every request passes: same-origin check for writes,
//! session lookup, security headers. Tests drive `router()` directly.

pub mod config;
pub mod documents;
pub mod export;
pub mod seed;

use app::i18n::{LANG_COOKIE, Lang};
use app::platform::db::Db;
use app::platform::request::SignedIn;
pub use app::state::VERIFY_PER_MINUTE;
use app::state::{AppState, Clock, RateLimiter, Settings};
use app::{App, shell};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use config::Config;
use leptos::prelude::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Connects, migrates and builds the shared state.
pub async fn build_state(config: &Config) -> Result<AppState, Box<dyn std::error::Error>> {
    let db = Db::connect(&config.database_url, config.max_connections).await?;
    db.migrate().await?;
    app::areas::assessment::service::backfill_snapshots(&db, chrono::Utc::now().timestamp())
        .await
        .map_err(|e| format!("snapshots of published years: {e:?}"))?;
    Ok(state_with(db, config))
}

pub fn state_with(db: Db, config: &Config) -> AppState {
    let mut leptos_options = LeptosOptions::builder()
        .output_name("yingji")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .build();
    // `make site` names the bundle's files by their content and lists the
    // names in `hash.txt`; Leptos reads that file to write the script tags.
    if let Some(hashes) = hash_file(&config.site_root) {
        leptos_options.hash_files = true;
        leptos_options.hash_file = hashes.into();
    }
    AppState {
        leptos_options,
        db,
        settings: Arc::new(Settings {
            secure_cookies: config.secure_cookies,
            session: config.session,
            throttle: Default::default(),
            client_throttle: app::domain::throttle::LoginThrottle::per_client(),
            test_clock: config.test_clock,
            trusted_proxies: config.trusted_proxies.clone(),
        }),
        clock: Arc::new(Clock::default()),
        verify_limiter: Arc::new(RateLimiter::new(VERIFY_PER_MINUTE, 60)),
    }
}

/// The site's `hash.txt` (absolute: Leptos joins it to the binary's
/// folder), when the bundle was built with content-hashed names.
pub fn hash_file(site_root: &str) -> Option<String> {
    let path = std::path::Path::new(site_root).join("hash.txt");
    if !path.is_file() {
        return None;
    }
    std::path::absolute(&path)
        .ok()
        .map(|p| p.to_string_lossy().into_owned())
}

/// How long a browser may keep a file of the bundle: for ever when its
/// name carries its content's hash (a new build has new names, so nobody
/// runs the old wasm after an upgrade), otherwise it asks each time.
fn bundle_cache_control(hashed: bool) -> HeaderValue {
    HeaderValue::from_static(if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    })
}

pub fn router(state: AppState) -> Router {
    // Generated once per process: while a route list is being generated,
    // Leptos holds back every resource that first polls in the process
    // (a process-wide flag, leptos-rs/leptos#4773), and such a page never
    // finishes. A server builds one router before serving, but tests build
    // many side by side, and a page of one hung while another generated.
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    let routes = ROUTES.get_or_init(|| generate_route_list(App)).clone();
    let options = state.leptos_options.clone();
    let pkg_dir = format!("{}/pkg", options.site_root);
    let test_clock = state.settings.test_clock;
    let hsts = state.settings.secure_cookies;
    let router = Router::new();
    // Only when YINGJI_TEST_CLOCK is set: browser tests move "today".
    let router = if test_clock {
        router.route("/test/clock", post(move_clock))
    } else {
        router
    };
    let router = router
        .route("/lang", post(set_language))
        .route(
            "/import/upload",
            post(upload).layer(DefaultBodyLimit::max(app::tabular::MAX_BYTES + 64 * 1024)),
        )
        .route(
            "/assessment/schemes/{id}/results.csv",
            get(export::results_csv),
        )
        .route(
            "/assessment/schemes/{id}/results.xlsx",
            get(export::results_xlsx),
        )
        .route("/registry/export.csv", get(export::registry_csv))
        .route(
            "/training/coverage/{file}",
            get(export::training_coverage_csv),
        )
        .route("/registry/export.xlsx", get(export::registry_xlsx))
        .route("/calendar/{file}", get(export::calendar))
        .route(
            "/drills/plans/{id}/document",
            post(documents::upload).layer(DefaultBodyLimit::max(documents::BODY_LIMIT)),
        )
        .route("/drills/documents/{version}", get(documents::download))
        .leptos_routes(&state, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(form_posts))
        .layer(middleware::from_fn({
            let heavy = Arc::new(tokio::sync::Semaphore::new(heavy_permits()));
            move |req, next| one_of_few_heavy(heavy.clone(), req, next)
        }))
        .layer(middleware::from_fn_with_state(state.clone(), session))
        .nest_service(
            "/pkg",
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    bundle_cache_control(options.hash_files),
                ))
                .service(
                    ServeDir::new(pkg_dir)
                        .precompressed_br()
                        .precompressed_gzip(),
                ),
        )
        .layer(middleware::from_fn(same_origin_writes))
        // Pages and exports compressed when the browser accepts it (brotli
        // or gzip); the bundle's files come precompressed and pass through.
        .layer(CompressionLayer::new());
    harden(router, hsts).with_state(state)
}

/// Pages and files drawn from a whole district's records: the ranking and
/// the unit sheets of an assessment with their exports, the reporter
/// coverage, the training coverage, the registry's exports, the drill
/// calendar. Each costs milliseconds of CPU even when its data is kept
/// (`platform::memo`): hundreds of rows to render and compress.
pub fn is_heavy(path: &str) -> bool {
    const HEAVY: [&str; 5] = [
        "/assessment/schemes/",
        "/registry/coverage",
        "/registry/export",
        "/training/coverage",
        "/drills/calendar",
    ];
    HEAVY.iter().any(|p| path.starts_with(p))
}

/// Heavy pages drawn at once: one core's worth fewer than the machine has
/// (at least one), so that a crowd on the ranking leaves a core for the
/// home page, sign-ins and forms (measured in `.ci/bench.sh`: the home
/// page beside 96 connections on heavy pages).
fn heavy_permits() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get().saturating_sub(1))
        .unwrap_or(1)
        .max(1)
}

/// Lets a heavy page through when a permit is free and draws it whole
/// while holding it (a page is rendered while its body streams); the
/// permit goes back before the bytes are sent, so a client that reads
/// slowly holds no turn. Other requests pass at once.
async fn one_of_few_heavy(
    permits: Arc<tokio::sync::Semaphore>,
    req: Request,
    next: Next,
) -> Response {
    if !is_heavy(req.uri().path()) {
        return next.run(req).await;
    }
    let Ok(permit) = permits.acquire_owned().await else {
        return next.run(req).await;
    };
    let (parts, body) = next.run(req).await.into_parts();
    let bytes = match axum::body::to_bytes(body, HEAVY_MAX_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "a heavy page could not be drawn");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    drop(permit);
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The most a heavy page or export may weigh (it is held in memory while
/// its turn lasts): far above a district's registry export.
const HEAVY_MAX_BYTES: usize = 256 * 1024 * 1024;

/// The layers around everything the server answers: security headers and
/// the redirect guard, and a panic in a request answers 500 instead of
/// ending the server.
pub fn harden<S: Clone + Send + Sync + 'static>(router: Router<S>, hsts: bool) -> Router<S> {
    router
        .layer(middleware::from_fn(move |req, next| {
            security_headers(hsts, req, next)
        }))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
}

#[derive(serde::Deserialize)]
struct ClockForm {
    #[serde(default)]
    days: i64,
    /// Then to this local time of day (`HH:MM`), so that a test does not
    /// depend on the hour it runs at.
    at: Option<String>,
    /// Back to real time (whatever earlier moves did).
    reset: Option<String>,
}

/// Moves the server's clock by whole days, and to a time of day if asked,
/// or back to real time (browser tests only: the route exists when
/// `YINGJI_TEST_CLOCK` is set), and answers with the new local date.
async fn move_clock(
    State(st): State<AppState>,
    axum::Form(form): axum::Form<ClockForm>,
) -> Response {
    if form.reset.is_some() {
        st.clock.reset();
    } else {
        st.clock.advance(form.days.clamp(-3650, 3650) * 86_400);
    }
    if let Some(at) = form.at.as_deref() {
        let Ok(time) = chrono::NaiveTime::parse_from_str(at, "%H:%M") else {
            return (StatusCode::UNPROCESSABLE_ENTITY, "at: HH:MM").into_response();
        };
        let now = st.clock.now_secs();
        if let Some(day) = app::domain::local_date(now) {
            let target = app::domain::local_day_start(day)
                + i64::from(chrono::Timelike::num_seconds_from_midnight(&time));
            st.clock.advance(target - now);
        }
    }
    tracing::warn!(days = form.days, at = ?form.at, reset = form.reset.is_some(), "test clock moved");
    // What the timer would do at the new time, at once.
    settle_duty(&st.db, st.clock.now_secs()).await;
    st.clock
        .today_and_now()
        .map(|(today, _)| today.to_string())
        .unwrap_or_default()
        .into_response()
}

/// What the duty office's clock decides (the server's timer and the test
/// clock): the days past their daily-report deadline, and the 核报
/// requests past theirs. Logs what it did; a failure is logged and the
/// next run tries again.
pub async fn settle_duty(db: &app::platform::db::Db, now: i64) {
    match app::areas::duty::service::daily::settle(db, now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(missed = n, "daily reports settled"),
        Err(e) => tracing::warn!(error = ?e, "daily reports not settled"),
    }
    match app::areas::duty::service::incidents::settle(db, now).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(late = n, "overdue verifications recorded"),
        Err(e) => tracing::warn!(error = ?e, "verifications not settled"),
    }
}

/// A cookie's value from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Looks the session cookie up once per request and leaves the signed-in
/// person in the request's extensions for pages and server functions.
async fn session(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    if let Some(token) = cookie(req.headers(), app::areas::accounts::store::sessions::COOKIE)
        .filter(|t| !t.is_empty())
    {
        match app::areas::accounts::store::sessions::resolve(
            &st.db.pool,
            &token,
            &st.settings.session,
            st.clock.now_secs(),
        )
        .await
        {
            Ok(Some((principal, session_hash))) => {
                req.extensions_mut().insert(SignedIn {
                    principal,
                    session_hash,
                });
                // Nothing a signed-in person sees is kept by the browser or
                // a proxy: Back after signing out on a shared office PC
                // shows nothing, and exports with phone numbers stay off
                // the disk's cache.
                let mut res = next.run(req).await;
                res.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                return res;
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    both_languages("error.unavailable"),
                )
                    .into_response();
            }
        }
    }
    next.run(req).await
}

/// The largest plain form a browser may post to a server function.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// A form posted to a server function by a browser as it is (no
/// JavaScript, or JavaScript that lets the browser post): Leptos sends the
/// browser back to the page it came from, with the error in the address
/// when there was one. On success this sends it where the form's `__next`
/// field says (a path on this site; `{id}` becomes the id returned), and,
/// for a form with `__result` (one that shows its result: a count, a
/// quiz's outcome), carries what the server function returned in the
/// address, signed with the session (`app::platform::request::returned`). Answers
/// to JavaScript (`Accept` without `text/html`) pass untouched.
async fn form_posts(req: Request, next: Next) -> Response {
    let form = req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && header_has(req.headers(), header::ACCEPT, "text/html")
        && header_has(
            req.headers(),
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        );
    if !form {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let key = req
        .extensions()
        .get::<SignedIn>()
        .map(|s| s.session_hash.clone());
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            both_languages("error.too_large"),
        )
            .into_response();
    };
    let mut wanted = None;
    let mut carry = false;
    for (k, v) in form_urlencoded::parse(&bytes) {
        match &*k {
            "__next" => wanted = Some(v.into_owned()),
            "__result" => carry = true,
            _ => {}
        }
    }
    // Only forms that show their result have it carried: nothing else a
    // server function returns (a list of people, a new password) goes into
    // an address, which browsers keep in their history.
    let key = key.filter(|_| carry);
    let res = next
        .run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await;
    let Some(back) = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return res;
    };
    let failed = back.contains("__err=");
    let (mut parts, body) = res.into_parts();
    let returned = if failed {
        Vec::new()
    } else {
        axum::body::to_bytes(body, 64 * 1024)
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default()
    };
    let to = after_form_post(
        &back,
        failed,
        wanted.as_deref(),
        &path,
        &returned,
        key.as_deref(),
    );
    if let Ok(v) = HeaderValue::from_str(&to) {
        parts.headers.insert(header::LOCATION, v);
    }
    parts.headers.remove(header::CONTENT_TYPE);
    parts.status = StatusCode::SEE_OTHER;
    Response::from_parts(parts, axum::body::Body::empty())
}

fn header_has(headers: &HeaderMap, name: header::HeaderName, needle: &str) -> bool {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains(needle))
}

/// Where the browser goes after a plain form post to the server function
/// at `path`: back (`back`, from Leptos) with the error when it `failed`;
/// else to the form's `wanted` path (when it is one on this site and its
/// `{id}` can be filled from what was `returned`), or back with the
/// returned value sealed into the address with the session `key` (when
/// there is one: the form shows its result). Results of
/// earlier posts are taken out of the address first.
pub fn after_form_post(
    back: &str,
    failed: bool,
    wanted: Option<&str>,
    path: &str,
    returned: &[u8],
    key: Option<&str>,
) -> String {
    let earlier = |k: &str| matches!(k, "__ok" | "__okpath" | "error" | "arg");
    if failed {
        return without_query_keys(back, earlier);
    }
    let wanted = wanted
        .filter(|w| local_path(w) == *w)
        .and_then(|w| match w.contains("{id}") {
            false => Some(w.to_string()),
            true => returned_id(returned).map(|id| w.replace("{id}", &id.to_string())),
        });
    // The result is for the page the form is on: carried only back there.
    let (to, key) = match wanted {
        Some(w) => (w, None),
        None => (
            without_query_keys(back, |k| earlier(k) || k == "__err" || k == "__path"),
            key,
        ),
    };
    let sealed = key.and_then(|k| app::platform::request::returned::seal(k, path, returned));
    match sealed {
        None => to,
        Some(sealed) => {
            let q = form_urlencoded::Serializer::new(String::new())
                .append_pair("__okpath", path)
                .append_pair("__ok", &sealed)
                .finish();
            let sep = if to.contains('?') { '&' } else { '?' };
            format!("{to}{sep}{q}")
        }
    }
}

/// The id a server function returned: a number, or an object's `id`.
fn returned_id(returned: &[u8]) -> Option<i64> {
    match serde_json::from_slice::<serde_json::Value>(returned).ok()? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::Object(o) => o.get("id").and_then(|v| v.as_i64()),
        _ => None,
    }
}

/// `url` with the query parameters whose names `drop` picks taken out.
fn without_query_keys(url: &str, drop: impl Fn(&str) -> bool) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, q),
        None => return url.to_string(),
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let kept: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| !drop(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut out = base.to_string();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(
            &form_urlencoded::Serializer::new(String::new())
                .extend_pairs(kept)
                .finish(),
        );
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Refuses writes that a browser says come from another site: by
/// `Sec-Fetch-Site` when the browser sends it, else by `Origin` against
/// `Host`. Requests without either (not from a browser) pass.
async fn same_origin_writes(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || is_same_origin(req.headers())
    {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "cross-site write refused");
        (StatusCode::FORBIDDEN, both_languages("error.cross_site")).into_response()
    }
}

pub fn is_same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
            !host.is_empty() && origin_host == host
        }
    }
}

/// A plain-text answer for responses that no page renders: Chinese, then
/// English, from the translation files.
pub fn both_languages(key: &str) -> String {
    format!("{} / {}", Lang::Zh.t(key), Lang::En.t(key))
}

/// Only paths on this site: `/` then anything but a second `/` or `\`,
/// and no whitespace or control character anywhere (browsers drop a tab
/// or a newline, so `/\t/evil.example` would lead to `//evil.example`).
pub fn local_path(next: &str) -> &str {
    let safe = next.starts_with('/')
        && !next[1..].starts_with(['/', '\\'])
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_whitespace() || c.is_control());
    if safe { next } else { "/" }
}

/// The same-site path a redirect may lead to: a local path, or an absolute
/// address on this very host (what Leptos makes from a form's Referer),
/// reduced to its path. Anything else is `None`.
pub fn same_site_location(location: &str, host: &str) -> Option<String> {
    if location.starts_with('/') {
        let p = local_path(location);
        return (p == location).then(|| p.to_string());
    }
    let rest = location
        .strip_prefix("http://")
        .or_else(|| location.strip_prefix("https://"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    if host.is_empty() || !authority.eq_ignore_ascii_case(host) {
        return None;
    }
    let p = local_path(path);
    (p == path).then(|| p.to_string())
}

/// For answers that are not pages (files, exports, errors): nothing runs.
const NO_CONTENT_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Headers on every answer: a Content-Security-Policy (pages set their own
/// with a nonce, see `app::shell`), no sniffing, no framing, the referrer
/// kept on this site, HSTS behind TLS; and a redirect may only lead to a
/// path on this site, whoever made it (a handler, or Leptos after a form
/// post, from the Referer).
async fn security_headers(hsts: bool, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NO_CONTENT_POLICY),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if let Some(location) = h.get(header::LOCATION) {
        let safe = location
            .to_str()
            .ok()
            .and_then(|l| same_site_location(l, &host));
        if safe.as_deref() != location.to_str().ok() {
            // A same-site address (Leptos sends the Referer back after a
            // plain form post) becomes its path; only one off this site is
            // worth a warning.
            let to = safe.unwrap_or_else(|| {
                tracing::warn!(location = ?location, "redirect off this site replaced by /");
                "/".to_string()
            });
            if let Ok(v) = HeaderValue::from_str(&to) {
                h.insert(header::LOCATION, v);
            }
        }
    }
    res
}

/// What a request that panicked answers (the panic itself is logged).
fn panicked(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("?");
    tracing::error!(panic = what, "a request panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        both_languages("error.internal"),
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct LangForm {
    lang: String,
    #[serde(default)]
    next: String,
}

async fn set_language(
    State(st): State<AppState>,
    axum::Form(form): axum::Form<LangForm>,
) -> Response {
    let lang = Lang::from_tag(&form.lang);
    let secure = if st.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
        lang.tag()
    );
    let mut res = Redirect::to(local_path(&form.next)).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// Receives an import file (multipart form: `kind`, `file`), stages it and
/// sends the browser to its preview. A file that cannot be read goes back
/// to the import page with the reason.
async fn upload(
    State(st): State<AppState>,
    headers: HeaderMap,
    signed_in: Option<axum::Extension<SignedIn>>,
    mut form: Multipart,
) -> Response {
    let Some(axum::Extension(me)) = signed_in else {
        return Redirect::to("/login").into_response();
    };
    let mut kind = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let file_name = field.file_name().unwrap_or_default().to_string();
                match field.bytes().await {
                    Ok(bytes) if name == "kind" => {
                        kind = String::from_utf8_lossy(&bytes).to_string()
                    }
                    Ok(bytes) if name == "file" => file = Some((file_name, bytes.to_vec())),
                    Ok(_) => {}
                    Err(_) => {
                        return Redirect::to("/import?error=problem.file_too_big&arg=10")
                            .into_response();
                    }
                }
            }
            Ok(None) => break,
            Err(_) => {
                return Redirect::to("/import?error=problem.file_too_big&arg=10").into_response();
            }
        }
    }
    let Some((file_name, bytes)) = file else {
        return Redirect::to("/import?error=problem.empty_file").into_response();
    };
    match app::areas::imports::service::stage_upload(&st, &me.principal, &kind, &file_name, &bytes)
        .await
    {
        Ok(token) => Redirect::to(&format!("/import/{token}")).into_response(),
        Err(app::error::AppError::Invalid { problem, .. }) => {
            Redirect::to(&format!("/import?{}", problem.to_query())).into_response()
        }
        Err(e) => (
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            e.message(
                cookie(&headers, LANG_COOKIE)
                    .map(|v| Lang::from_tag(&v))
                    .unwrap_or_default(),
            ),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_district_wide_pages_are_heavy_and_the_rest_not() {
        for p in [
            "/assessment/schemes/3",
            "/assessment/schemes/3/results.xlsx",
            "/registry/coverage",
            "/registry/export.csv",
            "/training/coverage/u.csv",
            "/drills/calendar?at=2030-05",
        ] {
            assert!(is_heavy(p), "{p}");
        }
        for p in [
            "/",
            "/login",
            "/api/login",
            "/units",
            "/pkg/yingji.css",
            "/registry",
        ] {
            assert!(!is_heavy(p), "{p}");
        }
    }

    /// A heavy page whose body takes 300 ms to draw holds its permit that
    /// long: a second heavy page waits, a light one does not.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_heavy_page_holds_its_permit_until_its_body_is_written_and_light_ones_pass() {
        use std::time::{Duration, Instant};
        use tower::ServiceExt;
        async fn slow() -> axum::body::Body {
            axum::body::Body::from_stream(futures_util::stream::once(async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Ok::<_, std::io::Error>("drawn")
            }))
        }
        let permits = Arc::new(tokio::sync::Semaphore::new(1));
        let app: Router = Router::new()
            .route("/drills/calendar", get(slow))
            .route("/", get(|| async { "home" }))
            .layer(middleware::from_fn(move |req, next| {
                one_of_few_heavy(permits.clone(), req, next)
            }));
        let get_body = |path: &'static str, app: Router| async move {
            let res = app
                .oneshot(Request::get(path).body(axum::body::Body::empty()).unwrap())
                .await
                .unwrap();
            let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            (String::from_utf8(bytes.to_vec()).unwrap(), Instant::now())
        };
        let start = Instant::now();
        let first = tokio::spawn(get_body("/drills/calendar", app.clone()));
        tokio::time::sleep(Duration::from_millis(50)).await;
        let second = tokio::spawn(get_body("/drills/calendar", app.clone()));
        let (home, home_at) = get_body("/", app.clone()).await;
        assert_eq!(home, "home");
        assert!(
            home_at - start < Duration::from_millis(250),
            "the light page waited"
        );
        let (a, a_at) = first.await.unwrap();
        let (b, b_at) = second.await.unwrap();
        assert_eq!((a.as_str(), b.as_str()), ("drawn", "drawn"));
        assert!(
            b_at - a_at >= Duration::from_millis(250),
            "the second heavy page was drawn beside the first ({:?} apart)",
            b_at - a_at
        );
    }

    #[test]
    fn after_a_form_post_the_browser_goes_where_the_form_says_or_back() {
        let back = "http://127.0.0.1:3000/units/new?person=3&__okpath=/api/x&__ok=old";
        // Success: the wanted path; the answer is for the form's own page.
        let to = after_form_post(
            back,
            false,
            Some("/units"),
            "/api/save_unit",
            b"7",
            Some("k"),
        );
        assert_eq!(to, "/units");
        // Back to the form's page: with the sealed answer.
        let to = after_form_post(back, false, None, "/api/save_unit", b"7", Some("k"));
        assert!(
            to.starts_with(
                "http://127.0.0.1:3000/units/new?person=3&__okpath=%2Fapi%2Fsave_unit&__ok="
            ),
            "{to}"
        );
        // `{id}` from a number or an object's id; unfillable: back.
        let to = after_form_post(
            back,
            false,
            Some("/drills/{id}"),
            "/p",
            br#"{"id":12,"clashes":[]}"#,
            None,
        );
        assert_eq!(to, "/drills/12");
        let to = after_form_post(
            back,
            false,
            Some("/drills/{id}"),
            "/p",
            br#"{"id":null}"#,
            None,
        );
        assert_eq!(to, "http://127.0.0.1:3000/units/new?person=3");
        // Off-site wishes are not followed; the earlier answer is dropped.
        for evil in [
            "//evil.example",
            "https://evil.example/",
            "/\\evil",
            "/a\tb",
        ] {
            let to = after_form_post(back, false, Some(evil), "/p", b"null", None);
            assert_eq!(to, "http://127.0.0.1:3000/units/new?person=3", "{evil}");
        }
        // Failure: back with Leptos's error, without earlier answers.
        let failed = "http://127.0.0.1:3000/units/new?__okpath=/api/x&__ok=old&__path=/api/save_unit&__err=e30";
        let to = after_form_post(
            failed,
            true,
            Some("/units"),
            "/api/save_unit",
            b"",
            Some("k"),
        );
        assert_eq!(
            to,
            "http://127.0.0.1:3000/units/new?__path=%2Fapi%2Fsave_unit&__err=e30"
        );
        // Too large an answer is not carried; nor without a session.
        let big = vec![b'1'; 5000];
        assert_eq!(
            after_form_post("/x", false, None, "/p", &big, Some("k")),
            "/x"
        );
        assert_eq!(
            after_form_post("/x#top", false, None, "/p", b"1", None),
            "/x#top"
        );
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn writes_from_another_site_are_recognised() {
        assert!(is_same_origin(&headers(&[])));
        assert!(is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
        assert!(is_same_origin(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("origin", "null"),
            ("host", "127.0.0.1:3000")
        ])));
    }

    #[test]
    fn redirects_stay_on_this_site() {
        assert_eq!(local_path("/people?q=1"), "/people?q=1");
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/ /evil.example",
            "",
        ] {
            assert_eq!(local_path(evil), "/", "{evil:?}");
        }
        let host = "127.0.0.1:3000";
        assert_eq!(
            same_site_location("/drills/3", host).as_deref(),
            Some("/drills/3")
        );
        assert_eq!(
            same_site_location("http://127.0.0.1:3000/drills/3?x=1", host).as_deref(),
            Some("/drills/3?x=1")
        );
        assert_eq!(
            same_site_location("http://127.0.0.1:3000", host).as_deref(),
            Some("/")
        );
        for evil in [
            "http://evil.example/",
            "http://127.0.0.1:3000.evil.example/",
            "http://127.0.0.1:3000//evil.example",
            "/\t/evil.example",
            "javascript:alert(1)",
        ] {
            assert_eq!(same_site_location(evil, host), None, "{evil:?}");
        }
    }

    #[test]
    fn cookies_are_found_among_others() {
        let h = headers(&[("cookie", "a=1; yingji_session=abc; b=2")]);
        assert_eq!(cookie(&h, "yingji_session"), Some("abc".into()));
        assert_eq!(cookie(&h, "x"), None);
    }
}
