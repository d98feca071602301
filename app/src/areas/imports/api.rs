//! The import's server functions: one line of wiring each.

use super::dto::ImportPreview;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::service, crate::platform::request::answer};

#[server(endpoint = "preview_import")]
pub async fn preview_import(token: String) -> Result<ImportPreview, AppError> {
    answer(async |cx| service::preview(cx, token).await).await
}

/// Imports a previewed file: every row, or (when any row has a problem
/// now) none.
#[server(endpoint = "confirm_import")]
pub async fn confirm_import(token: String) -> Result<usize, AppError> {
    answer(async |cx| service::confirm(cx, &token).await).await
}
