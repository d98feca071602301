//! The directory's server functions: one line of wiring each (the caller's
//! footing, then the service).

use super::dto::{Person, Unit};
use crate::error::AppError;
use crate::model::Page;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::service, crate::platform::request::answer};

#[server(endpoint = "list_units")]
pub async fn list_units(
    #[server(default)] q: String,
    #[server(default)] kind: String,
) -> Result<Vec<Unit>, AppError> {
    answer(async |cx| service::list_units(cx, q, &kind).await).await
}

#[server(endpoint = "get_unit")]
pub async fn get_unit(id: i64) -> Result<Unit, AppError> {
    answer(async |cx| service::get_unit(cx, id).await).await
}

/// Creates a unit (`id` empty) or changes one.
#[server(endpoint = "save_unit")]
pub async fn save_unit(
    #[server(default)] id: Option<i64>,
    code: String,
    name: String,
    kind: String,
    #[server(default)] min_on_duty: String,
    #[server(default)] parent_id: String,
) -> Result<i64, AppError> {
    let draft = (&*code, &*name, &*kind, &*min_on_duty);
    answer(async |cx| service::save_unit(cx, id, draft, &parent_id).await).await
}

/// Moves a unit and its subtree under another unit (or to the top).
#[server(endpoint = "move_unit")]
pub async fn move_unit(id: i64, #[server(default)] parent_id: String) -> Result<(), AppError> {
    answer(async |cx| service::move_unit(cx, id, &parent_id).await).await
}

#[server(endpoint = "list_people")]
pub async fn list_people(
    #[server(default)] q: String,
    #[server(default)] unit_id: Option<i64>,
    #[server(default)] position: String,
    #[server(default)] page: i64,
) -> Result<Page<Person>, AppError> {
    answer(async |cx| service::list_people(cx, q, unit_id, &position, page).await).await
}

#[server(endpoint = "get_person")]
pub async fn get_person(id: i64) -> Result<Person, AppError> {
    answer(async |cx| service::get_person(cx, id).await).await
}

/// Creates (`id` empty) or changes a person.
#[server(endpoint = "save_person")]
pub async fn save_person(
    #[server(default)] id: Option<i64>,
    code: String,
    name: String,
    unit_id: i64,
    #[server(default)] positions: Vec<String>,
    #[server(default)] phone: String,
) -> Result<i64, AppError> {
    let form = service::PersonForm {
        code,
        name,
        unit_id,
        positions,
        phone,
    };
    answer(async |cx| service::save_person(cx, id, form).await).await
}
