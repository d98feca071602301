//! The assessment's rules of engagement, by subject: schemes (kept by
//! district-wide assessors; published and reopened by two), the scoring
//! sheet and its records, vetoes (two people for each step), incidents,
//! results with their explanation and what changed, and loading a sheet
//! file. Every change to a figure is refused for a published year, logged
//! with its cause and source record, and audited.

mod evidence;
mod files;
mod incidents;
mod results;
mod schemes;
mod sheet;
mod vetoes;

/// An event another area records through `add_event_if_open`.
pub use super::store::events::NewEvent;
pub use files::*;
pub use incidents::*;
pub use results::*;
pub use schemes::*;
pub use sheet::*;
pub use vetoes::*;

use super::dto::StoredScheme;
use super::store::schemes as store;
use crate::areas::directory::service as directory;
use crate::domain::Problem;
use crate::domain::authz::{Action, Reach};
use crate::domain::unit::UnitKind;
use crate::error::AppError;
use crate::model::Unit;
use crate::platform::{Ctx, Write};
use sqlx::AnyPool;

/// The unit, if the caller may assess it: 404 when there is no such unit,
/// 403 when it lies outside their scope.
async fn unit_to_assess(cx: &Ctx, unit_id: i64) -> Result<Unit, AppError> {
    let unit = directory::get_unit(cx, unit_id).await?;
    if cx.me.may_at(Action::Assess, &unit.path) {
        Ok(unit)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Keeps what the caller may see under `action`, by the unit it is for.
async fn within_reach<T>(
    cx: &Ctx,
    action: Action,
    items: Vec<T>,
    unit_of: impl Fn(&T) -> i64,
) -> Result<Vec<T>, AppError> {
    if cx.me.reach(action) == Reach::Everywhere {
        return Ok(items);
    }
    let paths: std::collections::HashMap<i64, String> =
        directory::list_units(cx, String::new(), "")
            .await?
            .into_iter()
            .map(|u| (u.id, u.path))
            .collect();
    Ok(items
        .into_iter()
        .filter(|x| {
            paths
                .get(&unit_of(x))
                .is_some_and(|p| cx.me.may_at(action, p))
        })
        .collect())
}

/// A scheme id that names none, said as a field problem.
fn no_such_scheme(e: AppError) -> AppError {
    match e {
        AppError::NotFound => {
            AppError::invalid("field.scheme", Problem::new("problem.no_such_scheme"))
        }
        e => e,
    }
}

/// A scheme by id, or 404.
pub async fn scheme(pool: &AnyPool, id: i64) -> Result<StoredScheme, AppError> {
    store::get(pool, id).await?.ok_or(AppError::NotFound)
}

/// The unit a record is for, refused when its year's scheme is published
/// (taking the scheme's row lock, so that a publication waits for this
/// write or this write for it).
async fn open_unit(w: &mut Write<'_>, year: i64, unit_id: i64) -> Result<Unit, AppError> {
    let unit = directory::unit_in(w.conn(), unit_id)
        .await?
        .ok_or_else(|| AppError::invalid("field.unit", Problem::new("problem.no_such_unit")))?;
    open_kind(w, year, unit.kind).await?;
    Ok(unit)
}

/// The year of units of `kind` is open (not published), or `Conflict`
/// naming the published scheme.
async fn open_kind(w: &mut Write<'_>, year: i64, kind: UnitKind) -> Result<(), AppError> {
    match crate::platform::metrics::published_scheme(w.conn(), year, kind).await? {
        None => Ok(()),
        Some(code) => Err(AppError::Conflict(Problem::with(
            "problem.year_published",
            &[&year.to_string(), &code],
        ))),
    }
}

/// The scheme and unit a sheet change is for, after the caller's checks:
/// the unit within the caller's reach and of a kind the scheme assesses.
async fn sheet_target(
    cx: &Ctx,
    scheme_id: i64,
    unit_id: i64,
) -> Result<(StoredScheme, Unit), AppError> {
    let scheme = scheme(cx.pool(), scheme_id).await?;
    let unit = unit_to_assess(cx, unit_id).await?;
    if !scheme.def.unit_kinds.contains(&unit.kind) {
        return Err(AppError::invalid(
            "field.unit",
            Problem::with("problem.unit_not_in_scheme", &[&unit.code]),
        ));
    }
    Ok((scheme, unit))
}

/// The local date a form gave, or today when blank.
fn date_or_today(cx: &Ctx, raw: &str, field: &str) -> Result<chrono::NaiveDate, AppError> {
    if raw.trim().is_empty() {
        return Ok(cx.today);
    }
    crate::domain::iso_date(raw).map_err(|p| AppError::invalid(field, p))
}
