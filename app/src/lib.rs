//! Yingji (应急训考): the application, drawn by the server (SSR); the
//! few parts that run in the browser are islands (the `yingji-islands`
//! crate, `components::islands` here). `domain` holds the pure rules; `areas` one module
//! per area (its DTOs, server functions, service and store); `platform`,
//! `state`, `tabular` and `charts` exist only on the server; `pages` and
//! `components` are the screens.
#![recursion_limit = "512"]

pub mod areas;
pub mod components;
pub mod error;
pub mod model;
pub mod pages;

/// The pure rules and the translations live in their own crate (no Leptos),
/// the islands in theirs (what the browser runs): see the README's map.
pub use yingji_domain as domain;
pub use yingji_domain::i18n;

#[cfg(feature = "ssr")]
pub mod charts;
#[cfg(feature = "ssr")]
pub mod platform;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod tabular;

use components::nav::Header;
use components::{detect_lang, provide_user};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    platform::request::set_page_policy();
    let lang = detect_lang();
    let stylesheet = stylesheet_href(&options);
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href=stylesheet />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The style sheet's address: `yingji.<hash>.css` when the bundle was
/// built with content-hashed names (the `css:` line of the hash file Leptos
/// reads for the script and the wasm), else `yingji.css`.
fn stylesheet_href(options: &LeptosOptions) -> String {
    // Read once per hash file (tests build several sites in one process).
    static KNOWN: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());
    let file = options.hash_files.then(|| options.hash_file.to_string());
    let file_key = file.clone().unwrap_or_default();
    if let Some((_, href)) = KNOWN
        .lock()
        .ok()
        .and_then(|k| k.iter().find(|(f, _)| *f == file_key).cloned())
    {
        return href;
    }
    let hash = file
        .and_then(|f| std::fs::read_to_string(f).ok())
        .and_then(|text| {
            text.lines().find_map(|l| {
                l.split_once(':')
                    .filter(|(k, _)| k.trim() == "css")
                    .map(|(_, v)| v.trim().to_string())
            })
        });
    let href = match hash {
        Some(h) => format!("/{}/yingji.{h}.css", options.site_pkg_dir),
        None => format!("/{}/yingji.css", options.site_pkg_dir),
    };
    if let Ok(mut k) = KNOWN.lock() {
        k.push((file_key, href.clone()));
    }
    href
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = detect_lang();
    provide_context(lang);
    provide_user();
    view! {
        <Title text=lang.t("app.title") />
        <Router>
            <Header />
            <main class="page">
                // Every page is drawn whole on the server before it is sent
                // (`Async`): it reads and works without JavaScript, where
                // out-of-order streaming would leave the parts that wait for
                // data to a script.
                <Routes fallback=pages::NotFoundPage>
                    <Route path=path!("/") view=pages::home::HomePage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=pages::login::LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/account") view=pages::account::AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/units") view=pages::units::UnitsPage ssr=SsrMode::Async />
                    <Route path=path!("/units/new") view=pages::units::NewUnitPage ssr=SsrMode::Async />
                    <Route path=path!("/units/:id") view=pages::units::EditUnitPage ssr=SsrMode::Async />
                    <Route path=path!("/people") view=pages::people::PeoplePage ssr=SsrMode::Async />
                    <Route path=path!("/people/new") view=pages::people::NewPersonPage ssr=SsrMode::Async />
                    <Route path=path!("/people/:id") view=pages::people::EditPersonPage ssr=SsrMode::Async />
                    <Route path=path!("/import") view=pages::import::ImportPage ssr=SsrMode::Async />
                    <Route path=path!("/import/:token") view=pages::import::ImportPreviewPage ssr=SsrMode::Async />
                    <ParentRoute path=path!("/assessment") view=pages::assessment::AssessmentArea ssr=SsrMode::Async>
                        <Route path=path!("") view=pages::assessment::SchemesPage ssr=SsrMode::Async />
                        <Route path=path!("schemes/new") view=pages::assessment::SchemeEditPage ssr=SsrMode::Async />
                        <Route path=path!("schemes/:id/edit") view=pages::assessment::SchemeEditPage ssr=SsrMode::Async />
                        <Route path=path!("schemes/:id") view=pages::assessment::results::ResultsPage ssr=SsrMode::Async />
                        <Route path=path!("schemes/:id/units/:unit") view=pages::assessment::sheet::UnitSheetPage ssr=SsrMode::Async />
                        <Route path=path!("vetoes") view=pages::assessment::reviews::VetoesPage ssr=SsrMode::Async />
                        <Route path=path!("incidents") view=pages::assessment::reviews::IncidentsPage ssr=SsrMode::Async />
                        <Route path=path!("metrics") view=pages::assessment::reviews::MetricsPage ssr=SsrMode::Async />
                    </ParentRoute>
                    <ParentRoute path=path!("/training") view=pages::training::TrainingArea ssr=SsrMode::Async>
                        <Route path=path!("") view=pages::training::TrainingPage ssr=SsrMode::Async />
                        <Route path=path!("courses/new") view=pages::training::CourseEditPage ssr=SsrMode::Async />
                        <Route path=path!("courses/:id") view=pages::training::CourseEditPage ssr=SsrMode::Async />
                        <Route path=path!("plans/new") view=pages::training::PlanEditPage ssr=SsrMode::Async />
                        <Route path=path!("plans/:id/edit") view=pages::training::PlanEditPage ssr=SsrMode::Async />
                        <Route path=path!("plans/:id") view=pages::training::roster::PlanPage ssr=SsrMode::Async />
                        <Route path=path!("coverage") view=pages::training::coverage::CoveragePage ssr=SsrMode::Async />
                        <Route path=path!("orders") view=pages::training::coverage::OrdersPage ssr=SsrMode::Async />
                        <Route path=path!("leave") view=pages::training::coverage::LeavePage ssr=SsrMode::Async />
                    </ParentRoute>
                    <Route path=path!("/my/training") view=pages::training::my::MyTrainingPage ssr=SsrMode::Async />
                    <Route path=path!("/my/training/:id") view=pages::training::my::StudyPage ssr=SsrMode::Async />
                    <ParentRoute path=path!("/drills") view=pages::drills::DrillsArea ssr=SsrMode::Async>
                        <Route path=path!("") view=pages::drills::DrillsListPage ssr=SsrMode::Async />
                        <Route path=path!("new") view=pages::drills::DrillEditPage ssr=SsrMode::Async />
                        <Route path=path!("plans") view=pages::drills::plans::PlansPage ssr=SsrMode::Async />
                        <Route path=path!("plans/new") view=pages::drills::plans::PlanEditPage ssr=SsrMode::Async />
                        <Route path=path!("plans/:id/edit") view=pages::drills::plans::PlanEditPage ssr=SsrMode::Async />
                        <Route path=path!("plans/:id") view=pages::drills::plans::PlanPage ssr=SsrMode::Async />
                        <Route path=path!("coverage") view=pages::drills::plans::PlanCoveragePage ssr=SsrMode::Async />
                        <Route path=path!("calendar") view=pages::drills::calendar::CalendarViewPage ssr=SsrMode::Async />
                        <Route path=path!("actions") view=pages::drills::detail::ActionsListPage ssr=SsrMode::Async />
                        <Route path=path!(":id/edit") view=pages::drills::DrillEditPage ssr=SsrMode::Async />
                        <Route path=path!(":id") view=pages::drills::detail::DrillPage ssr=SsrMode::Async />
                    </ParentRoute>
                    <Route path=path!("/drills/:id/report") view=pages::drills::detail::DrillReportPage ssr=SsrMode::Async />
                    <ParentRoute path=path!("/registry") view=pages::registry::RegistryArea ssr=SsrMode::Async>
                        <Route path=path!("") view=pages::registry::RegistryListPage ssr=SsrMode::Async />
                        <Route path=path!("reminders") view=pages::registry::RemindersPage ssr=SsrMode::Async />
                        <Route path=path!("coverage") view=pages::registry::ReporterCoveragePage ssr=SsrMode::Async />
                    </ParentRoute>
                    <Route path=path!("/registry/certificates/:number") view=pages::registry::CertificatePage ssr=SsrMode::Async />
                    <Route path=path!("/verify/:number") view=pages::registry::VerifyPage ssr=SsrMode::Async />
                    <ParentRoute path=path!("/duty") view=pages::duty::DutyArea ssr=SsrMode::Async>
                        <Route path=path!("") view=pages::duty::DutyBoardPage ssr=SsrMode::Async />
                        <Route path=path!("rosters") view=pages::duty::DutyRostersPage ssr=SsrMode::Async />
                        <Route path=path!("checks") view=pages::duty::DutyChecksPage ssr=SsrMode::Async />
                        <Route path=path!("calendar") view=pages::duty::DutyCalendarPage ssr=SsrMode::Async />
                        <Route path=path!("absences") view=pages::duty::DutyAbsencesPage ssr=SsrMode::Async />
                        <Route path=path!("reports") view=pages::duty_reports::DutyReportsPage ssr=SsrMode::Async />
                        <Route path=path!("incidents") view=pages::duty_incidents::DutyIncidentsPage ssr=SsrMode::Async />
                    </ParentRoute>
                    <Route path=path!("/duty/rosters/:id") view=pages::duty::DutyRosterPage ssr=SsrMode::Async />
                    <Route path=path!("/duty/checks/:id") view=pages::duty::DutyCheckPage ssr=SsrMode::Async />
                    <Route path=path!("/duty/reports/misses/:id") view=pages::duty_reports::DailyReportMissPage ssr=SsrMode::Async />
                    <Route path=path!("/duty/incidents/:id") view=pages::duty_incidents::UnitIncidentPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/accounts") view=pages::admin::AccountsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view=pages::admin::AuditPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}
