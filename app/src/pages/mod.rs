//! The screens, one folder per area; route components end in `Page`.

pub mod account;
pub mod admin;
pub mod assessment;
pub mod drills;
pub mod duty;
pub mod duty_incidents;
pub mod duty_reports;
pub mod home;
pub mod import;
pub mod login;
pub mod people;
pub mod registry;
pub mod training;
pub mod units;

use crate::components::ErrorPanel;
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! { <ErrorPanel error=AppError::NotFound /> }
}
