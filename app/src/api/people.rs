//! People: admins everywhere, organizers within their scope; assessors
//! read within theirs. Phone numbers are masked for whoever may not manage
//! the person.

use crate::error::AppError;
use crate::model::{Page, Person};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

/// Who sees a person's phone number whole: those who may manage the
/// person. The list masks it for everyone else, and searches phone numbers
/// only where this reaches (else the search would tell the hidden digits
/// back).
#[cfg(feature = "ssr")]
const UNMASKS_PHONES: crate::domain::authz::Action = crate::domain::authz::Action::ManagePeople;

#[cfg(feature = "ssr")]
fn shown(
    me: &crate::domain::authz::Principal,
    (mut person, unit_path): (Person, String),
) -> Person {
    if !me.may_at(UNMASKS_PHONES, &unit_path) {
        person.phone = person
            .phone
            .as_deref()
            .map(crate::domain::person::mask_phone);
    }
    person
}

#[server(endpoint = "list_people")]
pub async fn list_people(
    #[server(default)] q: String,
    #[server(default)] unit_id: Option<i64>,
    #[server(default)] position: String,
    #[server(default)] page: i64,
) -> Result<Page<Person>, AppError> {
    use crate::db::people::{self, PeopleFilter};
    use crate::domain::authz::Action;
    use crate::domain::person::Position;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ViewPeople)?;
            let st = state()?;
            let pool = &st.db.pool;
            let under = match unit_id {
                Some(id) => Some(
                    crate::db::units::get(pool, id)
                        .await?
                        .ok_or(AppError::NotFound)?
                        .path,
                ),
                None => None,
            };
            let position = if position.is_empty() {
                None
            } else {
                Some(
                    Position::parse(&position)
                        .map_err(|p| AppError::invalid("field.positions", p))?,
                )
            };
            let filter = PeopleFilter {
                q: Some(q),
                under,
                position,
                phones_in: Some(me.reach(UNMASKS_PHONES)),
            };
            let found = people::list(
                pool,
                &me.reach(Action::ViewPeople),
                &filter,
                page.max(1),
                50,
            )
            .await?;
            let mut items: Vec<Person> = found.items.into_iter().map(|l| shown(&me, l)).collect();
            let held: Vec<_> = items.iter().map(|p| (p.id, p.positions.clone())).collect();
            let today = crate::domain::local_date(st.clock.now_secs()).ok_or(AppError::Internal)?;
            let cleared =
                crate::db::training::clearance(&mut *pool.acquire().await?, &held, today).await?;
            for p in &mut items {
                p.cleared = cleared.get(&p.id).copied();
            }
            Ok(Page {
                items,
                total: found.total,
                page: found.page,
                per_page: found.per_page,
            })
        }
        .await,
    )
}

#[server(endpoint = "get_person")]
pub async fn get_person(id: i64) -> Result<Person, AppError> {
    use crate::domain::authz::Action;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let located = crate::db::people::get(&state()?.db.pool, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let own = me.person_id == Some(id);
            if !own && !me.may_at(Action::ViewPeople, &located.1) {
                return Err(AppError::Forbidden);
            }
            Ok(if own { located.0 } else { shown(&me, located) })
        }
        .await,
    )
}

/// Creates (`id` empty) or changes a person; changing the unit moves them.
/// The caller must manage people both where the person is and where they go.
#[server(endpoint = "save_person")]
pub async fn save_person(
    #[server(default)] id: Option<i64>,
    code: String,
    name: String,
    unit_id: i64,
    #[server(default)] positions: Vec<String>,
    #[server(default)] phone: String,
) -> Result<i64, AppError> {
    use crate::domain::authz::Action;
    use crate::domain::person::PersonDraft;
    use crate::error::first_invalid;
    use ssr::*;
    finish(
        async move {
            let me = require_may(Action::ManagePeople)?;
            let draft = PersonDraft::parse(&code, &name, &positions.join("|"), &phone)
                .map_err(first_invalid)?;
            let st = state()?;
            let pool = &st.db.pool;
            let target = crate::db::units::get(pool, unit_id).await?.ok_or_else(|| {
                AppError::invalid(
                    "field.unit",
                    crate::domain::Problem::new("problem.no_such_unit"),
                )
            })?;
            if !me.may_at(Action::ManagePeople, &target.path) {
                return Err(AppError::Forbidden);
            }
            let now = st.clock.now_secs();
            let mut tx = st.db.write().await?;
            let id = match id {
                Some(id) => {
                    let (_, current_path) = crate::db::people::get(&mut *tx, id)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    if !me.may_at(Action::ManagePeople, &current_path) {
                        return Err(AppError::Forbidden);
                    }
                    crate::db::people::update(&mut tx, &actor(&me), now, id, &draft, unit_id)
                        .await?;
                    id
                }
                None => {
                    crate::db::people::create(&mut tx, &actor(&me), now, &draft, unit_id).await?
                }
            };
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}
