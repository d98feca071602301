//! The unit tree: everyone signed in may read it; admins change it.

use crate::error::AppError;
use crate::model::Unit;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

#[server(endpoint = "list_units")]
pub async fn list_units(
    #[server(default)] q: String,
    #[server(default)] kind: String,
) -> Result<Vec<Unit>, AppError> {
    use crate::db::units::{self, UnitFilter};
    use crate::domain::unit::UnitKind;
    use ssr::*;
    finish(
        async move {
            require()?;
            let kind = if kind.is_empty() {
                None
            } else {
                Some(UnitKind::parse(&kind).map_err(|p| AppError::invalid("field.kind", p))?)
            };
            Ok(units::list(
                &state()?.db.pool,
                &UnitFilter {
                    q: Some(q),
                    kind,
                    under: None,
                },
            )
            .await?)
        }
        .await,
    )
}

#[server(endpoint = "get_unit")]
pub async fn get_unit(id: i64) -> Result<Unit, AppError> {
    use ssr::*;
    finish(
        async move {
            require()?;
            crate::db::units::get(&state()?.db.pool, id)
                .await?
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Creates a unit (`id` empty) or changes one. The parent is set only at
/// creation; afterwards a unit changes place with `move_unit`.
#[server(endpoint = "save_unit")]
pub async fn save_unit(
    #[server(default)] id: Option<i64>,
    code: String,
    name: String,
    kind: String,
    #[server(default)] min_on_duty: String,
    #[server(default)] parent_id: String,
) -> Result<i64, AppError> {
    use crate::domain::authz::Action;
    use crate::domain::unit::UnitDraft;
    use crate::error::first_invalid;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageUnits)?;
            let parent_id = parse_parent(&parent_id)?;
            let draft =
                UnitDraft::parse(&code, &name, &kind, &min_on_duty).map_err(first_invalid)?;
            let st = state()?;
            let now = st.clock.now_secs();
            let mut tx = st.db.write().await?;
            let id = match id {
                Some(id) => {
                    crate::db::units::update(&mut tx, &actor(&me), now, id, &draft).await?;
                    id
                }
                None => {
                    crate::db::units::create(&mut tx, &actor(&me), now, &draft, parent_id).await?
                }
            };
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// Moves a unit and its subtree under another unit (or to the top).
#[server(endpoint = "move_unit")]
pub async fn move_unit(id: i64, #[server(default)] parent_id: String) -> Result<(), AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManageUnits)?;
            let parent_id = parse_parent(&parent_id)?;
            let st = state()?;
            let mut tx = st.db.write().await?;
            crate::db::units::move_to(&mut tx, &actor(&me), st.clock.now_secs(), id, parent_id)
                .await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// The parent picker's value: empty for the top level, else a unit id.
#[cfg(feature = "ssr")]
fn parse_parent(raw: &str) -> Result<Option<i64>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse().map(Some).map_err(|_| {
        AppError::invalid(
            "field.parent",
            crate::domain::Problem::new("problem.no_such_unit"),
        )
    })
}
