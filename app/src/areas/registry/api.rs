//! The registry's server functions: one line of wiring each (the caller's
//! footing, then the service).

pub use super::dto::{
    CertificateView, DriveProgress, REGISTRY_PAGE, RegistryPage, Reminders, ReporterCoverageReport,
    Verified,
};
use crate::domain::registry::RegisterForm;
use crate::error::AppError;
use crate::model::CertificateRow;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::service, crate::platform::request::answer};

#[server(endpoint = "registry")]
pub async fn get_registry(
    #[server(default)] q: String,
    #[server(default)] page: i64,
) -> Result<RegistryPage, AppError> {
    answer(async |cx| service::page(cx, &q, page).await).await
}

/// Registers an existing person (by number) or a new one (a name given for
/// an unknown number) in a role for a subdistrict, village or community.
#[server(endpoint = "register_assistant")]
pub async fn register_assistant(form: RegisterForm) -> Result<i64, AppError> {
    answer(async |cx| service::register(cx, form).await).await
}

#[server(endpoint = "confirm_assistant")]
pub async fn confirm_assistant(id: i64) -> Result<(), AppError> {
    answer(async |cx| service::confirm(cx, id).await).await
}

/// 换届: everyone registered in the unit's subtree becomes unconfirmed
/// until confirmed again. Returns how many.
#[server(endpoint = "start_confirmation_drive")]
pub async fn start_confirmation_drive(unit_id: i64, reason: String) -> Result<u64, AppError> {
    answer(async |cx| service::start_drive(cx, unit_id, &reason).await).await
}

/// The signed-in person's certificates, oldest first.
#[server(endpoint = "my_certificates")]
pub async fn get_my_certificates() -> Result<Vec<CertificateRow>, AppError> {
    answer(async |cx| service::my_certificates(cx).await).await
}

/// Certificates within reach that are expiring or expired (newest per
/// person), soonest first.
#[server(endpoint = "certificate_reminders")]
pub async fn get_certificate_reminders() -> Result<Reminders, AppError> {
    answer(async |cx| service::reminders(cx).await).await
}

#[server(endpoint = "revoke_certificate")]
pub async fn revoke_certificate(number: String, reason: String) -> Result<(), AppError> {
    answer(async |cx| service::revoke(cx, &number, &reason).await).await
}

/// The public check of a certificate number: anyone, signed in or not,
/// counted per client address (an IPv6 /64 is one client).
#[server(endpoint = "verify_certificate")]
pub async fn verify_certificate(number: String) -> Result<Verified, AppError> {
    use crate::platform::request::{client_address, finish, state};
    let client = crate::domain::throttle::client_key(client_address());
    finish(async { service::verify(&state()?, &client, &number).await }.await)
}

/// A certificate for printing: its holder, or whoever may see the registry
/// where the holder is.
#[server(endpoint = "certificate")]
pub async fn get_certificate(number: String) -> Result<CertificateView, AppError> {
    use crate::platform::request::public_origin;
    answer(async |cx| service::certificate(cx, &number, &public_origin()?).await).await
}

/// Reporter coverage by subdistrict within reach: a certified assistant
/// per subdistrict and the configured number of certified quick-reporters
/// per village or community, with every gap named.
#[server(endpoint = "reporter_coverage")]
pub async fn get_reporter_coverage() -> Result<ReporterCoverageReport, AppError> {
    let lang = crate::components::detect_lang();
    answer(async |cx| service::coverage_report(cx, lang).await).await
}

/// Sets how many certified quick-reporters each village or community
/// needs (1 or 2); district-wide organizers and admins only.
#[server(endpoint = "set_reporters_needed")]
pub async fn set_reporters_needed(n: i64) -> Result<(), AppError> {
    answer(async |cx| service::set_reporters_needed(cx, n).await).await
}

/// Writes this year's `reporter_coverage` metric for every subdistrict
/// (covered places over places), leaving published years alone.
#[server(endpoint = "sync_reporter_metric")]
pub async fn sync_reporter_metric() -> Result<(usize, usize), AppError> {
    answer(async |cx| service::sync_metric(cx).await).await
}
