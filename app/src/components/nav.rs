//! The page frame: the header with the navigation a role may use, the
//! language switch and sign-out; collapsible on a phone without JavaScript.

use super::{hard_navigate, use_lang, use_me};
use crate::api::auth::Logout;
use crate::domain::authz::{Action, Principal};
use crate::i18n::Lang;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Navigation entries: (translation key, link, who sees it).
fn entries(me: &Principal) -> Vec<(&'static str, &'static str)> {
    let mut out = vec![("nav.home", "/"), ("nav.units", "/units")];
    if me.may(Action::ViewPeople) {
        out.push(("nav.people", "/people"));
    }
    if me.may(Action::ManageUnits) || me.may(Action::ManagePeople) || me.may(Action::Assess) {
        out.push(("nav.import", "/import"));
    }
    if me.person_id.is_some() {
        out.push(("nav.my_training", "/my/training"));
    }
    if me.may(Action::ManageTraining) {
        out.push(("nav.training", "/training"));
    } else if me.may(Action::ViewTraining) {
        out.push(("nav.training", "/training/coverage"));
    }
    if me.may(Action::ViewDrills) || me.person_id.is_some() {
        out.push(("nav.drills", "/drills"));
    }
    if me.may(Action::ViewRegistry) {
        out.push(("nav.registry", "/registry"));
    }
    if me.may(Action::ViewAssessment) {
        out.push(("nav.assessment", "/assessment"));
    }
    if me.may(Action::ManageAccounts) {
        out.push(("nav.accounts", "/admin/accounts"));
    }
    if me.may(Action::ViewAudit) {
        out.push(("nav.audit", "/admin/audit"));
    }
    out.push(("nav.my_account", "/account"));
    out
}

#[component]
pub fn Header() -> impl IntoView {
    let lang = use_lang();
    let me = use_me();
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = logout.value().get() {
            hard_navigate("/login");
        }
    });
    let location = use_location();
    let here = move || location.pathname.get();
    view! {
        <header class="top">
            <a class="brand" href="/">
                <span class="brand-zh">{lang.t("app.name")}</span>
                <span class="brand-sub">{lang.t("app.tagline")}</span>
            </a>
            <input type="checkbox" id="nav-toggle" class="nav-toggle" aria-label=lang.t("nav.menu") />
            <label for="nav-toggle" class="nav-burger" aria-hidden="true">
                "☰"
            </label>
            <nav class="main-nav" aria-label=lang.t("nav.menu")>
                {me
                    .map(|me| {
                        view! {
                            <ul>
                                {entries(&me)
                                    .into_iter()
                                    .map(|(key, href)| {
                                        let active = move || {
                                            let current = here();
                                            if href == "/" { current == "/" } else { current.starts_with(href) }
                                        };
                                        view! {
                                            <li>
                                                <a href=href class:active=active data-nav=key>
                                                    {lang.t(key)}
                                                </a>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                            <span class="who">
                                {me.display_name.clone()} " · "
                                {me.roles().iter().map(|r| lang.t(r.label_key())).collect::<Vec<_>>().join("、")}
                            </span>
                            <ActionForm action=logout attr:class="inline">
                                <button type="submit" class="link" data-test="logout">
                                    {lang.t("nav.logout")}
                                </button>
                            </ActionForm>
                        }
                    })}
                <LanguageSwitch />
            </nav>
        </header>
    }
}

/// A plain form to `/lang` (the server sets the cookie and sends the browser
/// back), so the whole page is rendered again in the other language.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let lang = use_lang();
    let other = match lang {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    };
    let label = lang.t("lang.switch_to");
    let location = use_location();
    view! {
        <form method="post" action="/lang" class="inline lang-switch">
            <input type="hidden" name="lang" value=other.tag() />
            <input type="hidden" name="next" value=move || location.pathname.get() />
            <button type="submit" class="link" data-test="lang-switch" lang=other.tag()>
                {label}
            </button>
        </form>
    }
}
