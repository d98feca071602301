//! Shared widgets: the language and user in context, the sign-in gate,
//! error messages, paging, the unit picker.

use crate::api::auth::current_user;
use crate::domain::authz::{Action, Principal};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::model::Unit;
use leptos::prelude::*;
use leptos_router::components::Redirect;

pub mod nav;

/// The signed-in person, loaded once per page (blocking, so that the server
/// can redirect before it sends anything).
#[derive(Clone, Copy)]
pub struct UserResource(pub Resource<Result<Option<Principal>, AppError>>);

pub fn provide_user() {
    let user = Resource::new_blocking(|| (), |_| current_user());
    provide_context(UserResource(user));
}

pub fn use_user() -> Resource<Result<Option<Principal>, AppError>> {
    expect_context::<UserResource>().0
}

/// The page language: from the cookie on the server, from `<html lang>` in
/// the browser (which the server wrote from the same cookie).
pub fn detect_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| {
                p.headers
                    .get(http::header::COOKIE)
                    .and_then(|v| v.to_str().ok())
                    .map(Lang::from_cookie_header)
            })
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .map(|t| Lang::from_tag(&t))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Lang::default()
    }
}

pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// Shows `body` to a signed-in person who may take `need` (if given);
/// sends everyone else to the log-in page or shows "not allowed".
pub fn gated<F>(need: Option<Action>, body: F) -> impl IntoView
where
    F: Fn(Principal) -> AnyView + Send + Sync + 'static,
{
    let user = use_user();
    let lang = use_lang();
    view! {
        <Suspense fallback=move || view! { <Loading /> }>
            {move || {
                user.get()
                    .map(|r| match r {
                        Ok(Some(me)) if need.is_none_or(|a| me.may(a)) => body(me),
                        Ok(Some(_)) => {
                            view! { <ErrorPanel error=AppError::Forbidden /> }.into_any()
                        }
                        Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
                        Err(e) => {
                            view! {
                                <p class="error">{e.message(lang)}</p>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    let lang = use_lang();
    view! { <p class="muted">{lang.t("common.loading")}</p> }
}

/// A whole-page error: 403, 404 and the like.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let lang = use_lang();
    let code = error.status();
    view! {
        <section class="error-panel">
            <h1>{code}</h1>
            <p>{error.message(lang)}</p>
            <a href="/">{lang.t("nav.home")}</a>
        </section>
    }
}

/// The message of the last failed submission of an action, if any.
pub fn action_error<I, O>(action: ServerAction<I>) -> impl IntoView
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    let lang = use_lang();
    move || {
        action.value().get().and_then(|r| r.err()).map(|e| {
            view! {
                <p class="error" role="alert">
                    {e.message(lang)}
                </p>
            }
        })
    }
}

/// Results of a resource, or its error.
pub fn show<T, V>(value: Option<Result<T, AppError>>, lang: Lang, f: impl FnOnce(T) -> V) -> AnyView
where
    V: IntoView + 'static,
{
    match value {
        None => view! { <Loading /> }.into_any(),
        Some(Ok(v)) => f(v).into_any(),
        Some(Err(e)) => view! { <p class="error">{e.message(lang)}</p> }.into_any(),
    }
}

/// "Page 2 of 7" with previous and next links that keep the other query
/// parameters.
#[component]
pub fn Pager(page: i64, per_page: i64, total: i64, base: String) -> impl IntoView {
    let lang = use_lang();
    let pages = ((total + per_page - 1) / per_page).max(1);
    let sep = if base.contains('?') { "&" } else { "?" };
    let link = move |p: i64| format!("{base}{sep}page={p}");
    view! {
        <nav class="pager">
            <span>{lang.tf("common.page_of", &[&page.to_string(), &pages.to_string(), &total.to_string()])}</span>
            {(page > 1).then(|| view! { <a href=link(page - 1)>{lang.t("common.prev")}</a> })}
            {(page < pages).then(|| view! { <a href=link(page + 1)>{lang.t("common.next")}</a> })}
        </nav>
    }
}

/// A `<select>` of units, indented by depth.
#[component]
pub fn UnitSelect(
    units: Vec<Unit>,
    name: &'static str,
    selected: Option<i64>,
    #[prop(optional)] blank: Option<&'static str>,
    #[prop(optional)] exclude_under: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <select name=name id=name>
            {blank.map(|k| view! { <option value="">{lang.t(k)}</option> })}
            {units
                .into_iter()
                .filter(|u| exclude_under.as_ref().is_none_or(|p| !u.path.starts_with(p.as_str())))
                .map(|u| {
                    let label = format!("{}{} ({})", "\u{3000}".repeat(u.depth()), u.name, u.code);
                    view! {
                        <option value=u.id.to_string() selected=Some(u.id) == selected>
                            {label}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}

/// Query string parameter, or empty.
pub fn query_param(name: &'static str) -> Memo<String> {
    let q = leptos_router::hooks::use_query_map();
    Memo::new(move |_| q.read().get(name).unwrap_or_default())
}

/// Sends the browser to `href` with a full page load (after signing in or
/// out, so that every part of the page is built again for the new user).
pub fn hard_navigate(href: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(href);
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = href;
    }
}
