//! The page frame: the header with the navigation a role may use, the
//! language switch and sign-out; collapsible on a phone without JavaScript.
//! Also each area's sub-navigation (`SubNav`). Both show a link only when
//! the signed-in person meets what the page behind it asks (`Need`).

use super::ActForm;
use super::{use_lang, use_me};
use crate::areas::accounts::api::Logout;
use crate::components::act;
use crate::domain::authz::{Action, Principal};
use crate::domain::import::ImportKind;
use crate::i18n::Lang;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// What following a link asks of the signed-in person: the same question
/// the page behind it, and the server functions that page calls, ask
/// before answering. A link whose need is not met would lead to 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone signed in.
    SignedIn,
    /// The action somewhere (`Principal::may`).
    May(Action),
    /// The action somewhere, or a person of one's own: pages that also
    /// show the records of the caller's own unit (drills, emergency plans,
    /// corrective actions; the server's `own_unit`). Every person belongs
    /// to a unit.
    MayOrOwnUnit(Action),
    /// A person of one's own (the trainee's pages).
    Person,
    /// Some kind of import: the import page offers the kinds whose
    /// `ImportKind::action` the person may take, and refuses when none.
    Importer,
}

impl Need {
    pub fn met_by(self, me: &Principal) -> bool {
        match self {
            Need::SignedIn => true,
            Need::May(action) => me.may(action),
            Need::MayOrOwnUnit(action) => me.may(action) || me.person_id.is_some(),
            Need::Person => me.person_id.is_some(),
            Need::Importer => ImportKind::ALL.iter().any(|k| me.may(k.action())),
        }
    }
}

/// A navigation link: (path, label's translation key, what it needs).
pub type NavLink = (&'static str, &'static str, Need);

/// The links of `links` that `me` may follow, in order.
pub fn may_follow(me: &Principal, links: &'static [NavLink]) -> Vec<NavLink> {
    links
        .iter()
        .copied()
        .filter(|(_, _, need)| need.met_by(me))
        .collect()
}

/// The links along the top of an area's pages, those the signed-in person
/// may follow. Each area lists its pages with the need the page itself is
/// gated on (`gated(Some(...))`) or its server functions check, whichever
/// asks more.
#[component]
pub fn SubNav(links: &'static [NavLink]) -> impl IntoView {
    let lang = use_lang();
    let shown = use_me()
        .map(|me| may_follow(&me, links))
        .unwrap_or_default();
    view! {
        <nav class="subnav">
            {shown
                .into_iter()
                .map(|(href, key, _)| view! { <a href=href>{lang.t(key)}</a> })
                .collect_view()}
        </nav>
    }
}

/// An area's frame, as the parent route of its pages: the sub-navigation
/// over the page the route chose (`Outlet`). Only for a person who may
/// follow at least one of the area's links: signed out, to the log-in
/// page; signed in without any, "not allowed" (403) before any page of
/// the area is drawn. Each page still asks what it needs itself.
#[component]
pub fn Area(links: &'static [NavLink]) -> impl IntoView {
    use crate::components::ErrorPanel;
    use crate::error::AppError;
    use leptos_router::components::{Outlet, Redirect};
    match use_me() {
        None => view! { <Redirect path="/login" /> }.into_any(),
        Some(me) if may_follow(&me, links).is_empty() => {
            #[cfg(feature = "ssr")]
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                res.set_status(http::StatusCode::FORBIDDEN);
            }
            view! { <ErrorPanel error=AppError::Forbidden /> }.into_any()
        }
        Some(_) => view! {
            <SubNav links=links />
            <Outlet />
        }
        .into_any(),
    }
}

/// The header's links. Of the links with one label, the first the person
/// may follow is shown: training leads who manages it to the rotations
/// and who only views it to the coverage.
const MAIN_LINKS: &[NavLink] = &[
    ("/", "nav.home", Need::SignedIn),
    ("/units", "nav.units", Need::SignedIn),
    ("/people", "nav.people", Need::May(Action::ViewPeople)),
    ("/import", "nav.import", Need::Importer),
    ("/my/training", "nav.my_training", Need::Person),
    (
        "/training",
        "nav.training",
        Need::May(Action::ManageTraining),
    ),
    (
        "/training/coverage",
        "nav.training",
        Need::May(Action::ViewTraining),
    ),
    (
        "/drills",
        "nav.drills",
        Need::MayOrOwnUnit(Action::ViewDrills),
    ),
    ("/registry", "nav.registry", Need::May(Action::ViewRegistry)),
    ("/duty", "nav.duty", Need::May(Action::ViewDuty)),
    ("/duty/absences", "nav.duty", Need::Person),
    (
        "/assessment",
        "nav.assessment",
        Need::May(Action::ViewAssessment),
    ),
    (
        "/admin/accounts",
        "nav.accounts",
        Need::May(Action::ManageAccounts),
    ),
    ("/admin/audit", "nav.audit", Need::May(Action::ViewAudit)),
    ("/account", "nav.my_account", Need::SignedIn),
];

/// Navigation entries the person may follow: (translation key, link).
fn entries(me: &Principal) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    for (href, key, _) in may_follow(me, MAIN_LINKS) {
        if !out.iter().any(|(k, _)| *k == key) {
            out.push((key, href));
        }
    }
    out
}

#[component]
pub fn Header() -> impl IntoView {
    let lang = use_lang();
    let me = use_me();
    let logout = act::<Logout>();
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
                                {me.roles().iter().map(|r| lang.t(r.label_key())).collect::<Vec<_>>().join(lang.sep())}
                            </span>
                            <ActForm action=logout next="/login" attr:class="inline">
                                <button type="submit" class="link" data-test="logout">
                                    {lang.t("nav.logout")}
                                </button>
                            </ActForm>
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::Role;
    use crate::domain::authz::{Grant, Scope};

    fn someone(role: Role, person_id: Option<i64>) -> Principal {
        Principal {
            account_id: 1,
            username: "u".into(),
            display_name: "U".into(),
            person_id,
            grants: vec![Grant {
                role,
                scope: Scope::District,
            }],
        }
    }

    #[test]
    fn a_trainee_with_a_person_follows_their_units_drills_but_not_the_district_views() {
        let trainee = someone(Role::Trainee, Some(7));
        assert!(Need::MayOrOwnUnit(Action::ViewDrills).met_by(&trainee));
        assert!(!Need::May(Action::ViewDrills).met_by(&trainee));
        assert!(!Need::May(Action::ViewPeople).met_by(&trainee));
        assert!(Need::May(Action::ViewRegistry).met_by(&trainee));
        assert!(!Need::Importer.met_by(&trainee));
        let no_person = someone(Role::Trainee, None);
        assert!(!Need::MayOrOwnUnit(Action::ViewDrills).met_by(&no_person));
        assert!(!Need::Person.met_by(&no_person));
    }

    #[test]
    fn the_header_shows_one_training_link_leading_where_the_role_may_go() {
        let training = |p: &Principal| -> Vec<&'static str> {
            entries(p)
                .into_iter()
                .filter(|(key, _)| *key == "nav.training")
                .map(|(_, href)| href)
                .collect()
        };
        assert_eq!(training(&someone(Role::Organizer, None)), ["/training"]);
        assert_eq!(
            training(&someone(Role::Assessor, None)),
            ["/training/coverage"]
        );
        assert!(training(&someone(Role::Trainee, Some(7))).is_empty());
    }
}
