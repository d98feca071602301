//! The home page's server function.

use super::dto::Home;
use crate::error::AppError;
use crate::i18n::Lang;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::service, crate::platform::request::answer};

#[server(endpoint = "load_home")]
pub async fn load_home(lang: Lang) -> Result<Home, AppError> {
    answer(async |cx| service::load(cx, lang).await).await
}
