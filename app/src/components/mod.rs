//! Shared widgets: the language and user in context, the sign-in gate,
//! error messages, paging, the unit picker.

use crate::domain::authz::{Action, Principal};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::model::Unit;
use leptos::prelude::*;
use leptos_router::components::Redirect;

pub use yingji_islands as islands;
pub mod nav;

/// The signed-in person, known synchronously: the server reads it from the
/// request (the session middleware put it there) and hands the same value
/// to the browser for hydration. No resource and no `Suspense` are involved,
/// so the server can redirect before it sends anything, and pages do not
/// wait on one another.
#[derive(Clone)]
pub struct CurrentUser(pub Option<Principal>);

pub fn provide_user() {
    let me = leptos::server::SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            crate::platform::request::signed_in().map(|s| s.principal)
        }
        #[cfg(not(feature = "ssr"))]
        {
            None::<Principal>
        }
    })
    .into_inner();
    provide_context(CurrentUser(me));
}

pub fn use_me() -> Option<Principal> {
    use_context::<CurrentUser>().and_then(|c| c.0)
}

/// The page language, from the cookie (pages are drawn on the server only).
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
    #[cfg(not(feature = "ssr"))]
    {
        Lang::default()
    }
}

pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// Shows `body` to a signed-in person who may take `need` (if given);
/// sends everyone else to the log-in page or shows "not allowed".
pub fn gated<F>(need: Option<Action>, body: F) -> AnyView
where
    F: FnOnce(Principal) -> AnyView,
{
    match use_me() {
        Some(me) if need.is_none_or(|a| me.may(a)) => body(me),
        Some(_) => view! { <ErrorPanel error=AppError::Forbidden /> }.into_any(),
        None => view! { <Redirect path="/login" /> }.into_any(),
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
    // A place the form guard fills with the server's refusal when the form
    // was posted in the background (`islands::FormGuard`).
    view! {
        <div class="act-msg" data-act-msg="">
            {move || {
                action.value().get().and_then(|r| r.err()).map(|e| {
                    view! {
                        <p class="error" role="alert">
                            {e.message(lang)}
                        </p>
                    }
                })
            }}
        </div>
    }
}

/// A form that clears a record with a reason, once (a missed day's excuse,
/// a mistaken check's void): the record's id, the reason (2–500
/// characters), a line on what follows, one button titled as the card.
#[component]
pub fn ReasonForm<ServFn>(
    action: ServerAction<ServFn>,
    id: i64,
    /// The card's title and the button's label.
    title: &'static str,
    /// What follows from it, under the reason.
    hint: &'static str,
    /// The card's `data-test`.
    test: &'static str,
) -> impl IntoView
where
    ServFn:
        leptos::server_fn::ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    let lang = use_lang();
    view! {
        <section class="card" data-test=test>
            <h2>{lang.t(title)}</h2>
            <ActForm action=action>
                <input type="hidden" name="id" value=id.to_string() />
                <label>{lang.t("field.reason")}<input type="text" name="reason" required minlength="2" maxlength="500" /></label>
                <p class="muted">{lang.t(hint)}</p>
                {action_error(action)}
                <button type="submit" class="primary">{lang.t(title)}</button>
            </ActForm>
        </section>
    }
}

/// A server action for a form. After a plain form post (no JavaScript) the
/// page is drawn anew: this picks up what the server function returned from
/// the address the server redirected to (see `platform::request::returned`), so the
/// page shows its result ("13 placed", the quiz's result) as it does after
/// a post from the browser. Errors come back the same way through Leptos
/// (`__err`).
pub fn act<S>() -> ServerAction<S>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    #[cfg(feature = "ssr")]
    if let Some(v) = crate::platform::request::returned::read::<S::Output>(S::PATH) {
        action.value().set(Some(Ok(v)));
    }
    action
}

/// Every form that runs a server action: a plain `<form method="post">` to
/// the server function, which works without JavaScript (the server sends
/// the browser on, see `act`), and with it an island (`FormGuard`) posts it
/// in the background: the controls are disabled while it runs (one press),
/// a refusal is shown in the form with what was typed kept, and success
/// leads on. After success the page is drawn anew, so an add form is empty
/// again: a deduction or a veto proposal left in its form invites a
/// duplicate.
#[component]
pub fn ActForm<ServFn>(
    action: ServerAction<ServFn>,
    /// Where a successful post leads (a path on this site; `{id}` becomes
    /// the id the server function returned); without it, back to this page.
    #[prop(optional, into)]
    next: Option<String>,
    /// The page shows what the action returned (a count, a quiz's result):
    /// after the post it comes back in the address (`act`).
    #[prop(optional)]
    shows_result: bool,
    /// A success that comes back to this page is shown in place, what was
    /// typed kept (the drill editor's clashes, which ask for a reason).
    #[prop(optional)]
    keep: bool,
    children: Children,
) -> impl IntoView
where
    ServFn: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    ServFn::Output: Send + Sync + 'static,
    ServFn::Error: Send + Sync + 'static,
{
    let _ = action;
    let lang = use_lang();
    view! {
        <form method="post" action=ServFn::url()>
            <fieldset class="act">
                {next.map(|n| view! { <input type="hidden" name="__next" value=n /> })}
                {shows_result.then(|| view! { <input type="hidden" name="__result" value="1" /> })}
                {children()}
            </fieldset>
            <islands::FormGuard network_error=lang.t("error.network").to_string() keep />
        </form>
    }
}

/// An action that cannot be undone, or that reaches far, asks first: its
/// button opens a panel that says what will happen, and the form's own
/// submit button there does it. A `<details>`: it works without
/// JavaScript, and nothing happens on a stray click.
#[component]
pub fn Confirm(
    /// The button that opens the panel.
    #[prop(into)]
    label: String,
    /// What will happen, named.
    #[prop(into)]
    consequence: String,
    #[prop(optional)] test: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <details class="confirm" data-test=test>
            <summary class="button">{label}</summary>
            <div class="confirm-panel" role="group">
                <p class="warn">{consequence}</p>
                {children()}
            </div>
        </details>
    }
}

/// A calendar feed's address, whole, to copy into a calendar program: the
/// address itself (selectable), a copy button, and a `webcal:` link that
/// opens the calendar program to subscribe.
#[component]
pub fn FeedLink(url: String, #[prop(optional)] test: &'static str) -> impl IntoView {
    let lang = use_lang();
    let webcal = match url.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => url.clone(),
    };
    view! {
        <span class="feed-link">
            <input type="text" readonly value=url.clone() class="feed-url" data-test=test aria-label=lang.t("calendar.feed_address") />
            " "
            <islands::CopyButton text=url.clone() label=lang.t("calendar.copy").to_string() done=lang.t("calendar.copied").to_string() />
            " · "
            <a href=webcal>{lang.t("calendar.subscribe")}</a>
        </span>
    }
}

/// Results of a resource, or its error.
/// A resource's value drawn once it is ready: the page waits for the
/// resource where it stands (`Suspend::new(async { resource.await })`,
/// upstream's idiom; the server draws every page whole before sending it,
/// `SsrMode::Async`), then `show`s it. Several of these may stand in one
/// page, each in its own `Suspense` (`tests/pages_under_load.rs`).
pub fn when_ready<T, V>(
    resource: Resource<Result<T, AppError>>,
    lang: Lang,
    f: impl FnOnce(T) -> V + Send + 'static,
) -> Suspend<AnyView>
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    Suspend::new(async move { show(Some(resource.await), lang, f) })
}

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

/// The one `<textarea>` of every form. A textarea's content is raw text to
/// the HTML parser, and Leptos writes its children unescaped on the server,
/// so a stored value holding `</textarea>` would close the element and the
/// rest would run as HTML. Here the initial content is escaped first and
/// set as the element's inner HTML, which the browser decodes back to the
/// very text (on the server and in the browser alike). Nothing else in the
/// app writes `<textarea` (a test walks the sources to keep it so).
#[component]
pub fn TextArea(
    #[prop(into)] name: String,
    #[prop(into, optional)] value: String,
    #[prop(default = 3)] rows: u32,
    #[prop(into, optional)] placeholder: Option<String>,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    // The HTML parser drops one newline right after `<textarea>`: on the
    // server a newline goes first, so that a value starting with one keeps
    // it. (Set in the browser, inner HTML drops nothing.)
    let content = if cfg!(feature = "ssr") {
        format!("\n{}", escape_text(&value))
    } else {
        escape_text(&value)
    };
    view! {
        <textarea
            name=name
            rows=rows
            placeholder=placeholder
            maxlength=maxlength
            required=required
            inner_html=content
        ></textarea>
    }
}

/// Escapes text for a place the HTML parser reads as raw text or markup:
/// `&`, `<` and `>` become entities.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
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

/// The `id` in the route (`/units/:id`); 0 (no such record) when it is not
/// a number.
pub fn id_param() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    }
}

/// The problem a plain form post was sent back with
/// (`Problem::to_query`): `None` when the address has none.
pub fn query_problem() -> Memo<Option<crate::domain::Problem>> {
    let q = leptos_router::hooks::use_query_map();
    Memo::new(move |_| {
        let q = q.read();
        let key = q.get("error").filter(|k| !k.is_empty())?;
        let args = q.get_all("arg").unwrap_or_default();
        Some(crate::domain::Problem { key, args })
    })
}

/// Query string parameter, or empty.
pub fn query_param(name: &'static str) -> Memo<String> {
    let q = leptos_router::hooks::use_query_map();
    Memo::new(move |_| q.read().get(name).unwrap_or_default())
}

/// Who made a change, for people: an account's name as it is, the
/// command line and the system (`system:seed-demo`, `system:import`) as a
/// word, with the code in a tooltip.
pub fn actor_label(actor: &str, lang: Lang) -> impl IntoView + use<> {
    match actor.strip_prefix("system:") {
        Some(_) => {
            view! { <span class="muted" title=actor.to_string()>{lang.t("actor.system")}</span> }
                .into_any()
        }
        None => view! { <span class="muted">{actor.to_string()}</span> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textarea_content_cannot_close_the_element() {
        let payload = "</textarea><img src=x onerror=alert(1)>&amp;";
        let escaped = escape_text(payload);
        assert!(
            !escaped.contains('<') && !escaped.contains('>'),
            "{escaped}"
        );
        assert_eq!(
            escaped,
            "&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;&amp;amp;"
        );
    }
}
