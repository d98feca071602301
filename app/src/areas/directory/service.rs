//! The directory's rules of engagement: who may read and change units and
//! people, what their input must be, and the transactions around changes.

use super::dto::{Person, Unit};
use super::store::people::{self, PeopleFilter};
use super::store::units::{self, UnitFilter};
use crate::domain::Problem;
use crate::domain::authz::{Action, Principal};
use crate::domain::person::{PersonDraft, Position, mask_phone};
use crate::domain::unit::{UnitDraft, UnitKind};
use crate::error::{AppError, first_invalid};
use crate::model::Page;
use crate::platform::Ctx;

/// Who sees a person's phone number whole: those who may manage the
/// person. The list masks it for everyone else, and searches phone numbers
/// only where this reaches (else the search would tell the hidden digits
/// back).
const UNMASKS_PHONES: Action = Action::ManagePeople;

fn shown(me: &Principal, (mut person, unit_path): people::Located) -> Person {
    if !me.may_at(UNMASKS_PHONES, &unit_path) {
        person.phone = person.phone.as_deref().map(mask_phone);
    }
    person
}

pub async fn list_units(cx: &Ctx, q: String, kind: &str) -> Result<Vec<Unit>, AppError> {
    let kind = if kind.is_empty() {
        None
    } else {
        Some(UnitKind::parse(kind).map_err(|p| AppError::invalid("field.kind", p))?)
    };
    let filter = UnitFilter {
        q: Some(q),
        kind,
        under: None,
    };
    Ok(units::list(cx.pool(), &filter).await?)
}

pub async fn get_unit(cx: &Ctx, id: i64) -> Result<Unit, AppError> {
    units::get(cx.pool(), id).await?.ok_or(AppError::NotFound)
}

/// Creates a unit (`id` empty) or changes one. The parent is set only at
/// creation; afterwards a unit changes place with `move_unit`.
pub async fn save_unit(
    cx: &Ctx,
    id: Option<i64>,
    draft: (&str, &str, &str, &str),
    parent_id: &str,
) -> Result<i64, AppError> {
    cx.may(Action::ManageUnits)?;
    let parent_id = parse_parent(parent_id)?;
    let (code, name, kind, min_on_duty) = draft;
    let draft = UnitDraft::parse(code, name, kind, min_on_duty).map_err(first_invalid)?;
    let mut w = cx.write().await?;
    let id = match id {
        Some(id) => {
            units::update(&mut w, id, &draft).await?;
            id
        }
        None => units::create(&mut w, &draft, parent_id).await?,
    };
    w.commit().await?;
    Ok(id)
}

/// Moves a unit and its subtree under another unit (or to the top).
pub async fn move_unit(cx: &Ctx, id: i64, parent_id: &str) -> Result<(), AppError> {
    cx.may(Action::ManageUnits)?;
    let parent_id = parse_parent(parent_id)?;
    let mut w = cx.write().await?;
    units::move_to(&mut w, id, parent_id).await?;
    w.commit().await?;
    Ok(())
}

/// The parent picker's value: empty for the top level, else a unit id.
fn parse_parent(raw: &str) -> Result<Option<i64>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| AppError::invalid("field.parent", Problem::new("problem.no_such_unit")))
}

/// One page (50) of the people the caller may see, phone numbers masked
/// where they may not manage the person, enterprise workers marked
/// cleared for post or not.
pub async fn list_people(
    cx: &Ctx,
    q: String,
    unit_id: Option<i64>,
    position: &str,
    page: i64,
) -> Result<Page<Person>, AppError> {
    cx.may(Action::ViewPeople)?;
    let me = &cx.me;
    let under = match unit_id {
        Some(id) => Some(get_unit(cx, id).await?.path),
        None => None,
    };
    let position = if position.is_empty() {
        None
    } else {
        Some(Position::parse(position).map_err(|p| AppError::invalid("field.positions", p))?)
    };
    let filter = PeopleFilter {
        q: Some(q),
        under,
        position,
        phones_in: Some(me.reach(UNMASKS_PHONES)),
    };
    let found = people::list(
        cx.pool(),
        &me.reach(Action::ViewPeople),
        &filter,
        page.max(1),
        50,
    )
    .await?;
    let mut items: Vec<Person> = found.items.into_iter().map(|l| shown(me, l)).collect();
    let held: Vec<_> = items.iter().map(|p| (p.id, p.positions.clone())).collect();
    // Clearance is the training area's rule; it answers for these people.
    let cleared = crate::areas::training::service::clearance(
        &mut *cx.pool().acquire().await?,
        &held,
        cx.today,
    )
    .await?;
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

/// A person: whole to themselves, else to whoever may view people where
/// they are (phone masked unless they may manage them).
pub async fn get_person(cx: &Ctx, id: i64) -> Result<Person, AppError> {
    let located = people::get(cx.pool(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let own = cx.me.person_id == Some(id);
    if !own && !cx.me.may_at(Action::ViewPeople, &located.1) {
        return Err(AppError::Forbidden);
    }
    Ok(if own {
        located.0
    } else {
        shown(&cx.me, located)
    })
}

/// What the person form sends.
pub struct PersonForm {
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    pub positions: Vec<String>,
    pub phone: String,
}

/// Creates (`id` empty) or changes a person; changing the unit moves them.
/// The caller must manage people both where the person is and where they go.
pub async fn save_person(cx: &Ctx, id: Option<i64>, form: PersonForm) -> Result<i64, AppError> {
    cx.may(Action::ManagePeople)?;
    let draft = PersonDraft::parse(
        &form.code,
        &form.name,
        &form.positions.join("|"),
        &form.phone,
    )
    .map_err(first_invalid)?;
    let target = units::get(cx.pool(), form.unit_id)
        .await?
        .ok_or_else(|| AppError::invalid("field.unit", Problem::new("problem.no_such_unit")))?;
    if !cx.me.may_at(Action::ManagePeople, &target.path) {
        return Err(AppError::Forbidden);
    }
    let mut w = cx.write().await?;
    let id = match id {
        Some(id) => {
            let (_, current_path) = people::get(w.conn(), id).await?.ok_or(AppError::NotFound)?;
            if !cx.me.may_at(Action::ManagePeople, &current_path) {
                return Err(AppError::Forbidden);
            }
            people::update(&mut w, id, &draft, form.unit_id).await?;
            id
        }
        None => people::create(&mut w, &draft, form.unit_id).await?,
    };
    w.commit().await?;
    Ok(id)
}

/// The unit a code names, for another area's form that refers to units by
/// code (an account's scope); that area has checked its caller.
pub async fn unit_id_by_code(cx: &Ctx, code: &str) -> Result<Option<i64>, AppError> {
    Ok(units::by_code(cx.pool(), code).await?.map(|u| u.id))
}

/// The person a code names, for another area's form that refers to people
/// by code (the person an account belongs to); that area has checked its
/// caller.
pub async fn person_id_by_code(cx: &Ctx, code: &str) -> Result<Option<i64>, AppError> {
    Ok(people::id_by_code(cx.pool(), code).await?)
}

/// The people within the caller's reach, counted (the home page's figures
/// and chart); `None` when the caller sees no people.
pub async fn people_summary(cx: &Ctx) -> Result<Option<people::PeopleSummary>, AppError> {
    Ok(people::summary(cx.pool(), &cx.me.reach(Action::ViewPeople)).await?)
}

/// The units within the caller's reach that have fewer people than they
/// must have on duty (the home page); `None` when the caller sees no
/// people.
pub async fn units_short_of_duty(cx: &Ctx) -> Result<Option<i64>, AppError> {
    Ok(super::store::units::short_of_duty(cx.pool(), &cx.me.reach(Action::ViewPeople)).await?)
}

/// The caller's own person, if the account belongs to one (their own
/// record, phone unmasked).
pub async fn my_person(cx: &Ctx) -> Result<Option<Person>, AppError> {
    if cx.me.person_id.is_none() {
        return Ok(None);
    }
    Ok(people::by_account(cx.pool(), cx.me.account_id)
        .await?
        .map(|(p, _)| p))
}

/// Every unit by code: (path, kind), for checking an import.
pub async fn unit_index(
    pool: &sqlx::AnyPool,
) -> Result<std::collections::HashMap<String, (String, UnitKind)>, AppError> {
    Ok(units::index(pool).await?)
}

/// Every person's code, for checking an import.
pub async fn person_codes(
    pool: &sqlx::AnyPool,
) -> Result<std::collections::HashSet<String>, AppError> {
    Ok(people::codes(pool).await?)
}

/// Every person by code: (name, unit path), for checking an import.
pub async fn person_names(
    pool: &sqlx::AnyPool,
) -> Result<std::collections::HashMap<String, (String, String)>, AppError> {
    Ok(people::names(pool).await?)
}

/// Imports checked unit rows inside the importer's write (the import
/// area checked who may).
pub async fn import_units(
    w: &mut crate::platform::Write<'_>,
    rows: &[crate::domain::import::UnitRow],
) -> Result<usize, AppError> {
    units::import(w, rows).await
}

/// Imports checked person rows inside the importer's write.
pub async fn import_people(
    w: &mut crate::platform::Write<'_>,
    rows: &[crate::domain::import::PersonRow],
) -> Result<usize, AppError> {
    people::import(w, rows).await
}

/// The units where the caller may take `action` (the units another
/// area's forms offer: where one may organize drills, keep plans...).
pub async fn units_where(cx: &Ctx, action: Action) -> Result<Vec<Unit>, AppError> {
    Ok(list_units(cx, String::new(), "")
        .await?
        .into_iter()
        .filter(|u| cx.me.may_at(action, &u.path))
        .collect())
}

pub use super::store::units::Place;

/// Every unit's place in the tree (id, name, kind, path), read on the
/// caller's connection (inside its transaction, if it holds one).
pub async fn places(c: &mut sqlx::AnyConnection) -> Result<Vec<Place>, AppError> {
    Ok(units::places(c).await?)
}

/// The names of these units by id, read on the caller's connection; an id
/// without a unit is missing from the map.
pub async fn unit_names(
    c: &mut sqlx::AnyConnection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    Ok(units::names(c, ids).await?)
}

/// The names of these people by id, read on the caller's connection; an
/// id without a person is missing from the map.
pub async fn names_of_people(
    c: &mut sqlx::AnyConnection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    Ok(people::names_by_id(c, ids).await?)
}

/// The people of one unit (positions and phones whole), read on the
/// caller's connection; the caller checks scope and masks what it shows.
pub async fn people_of_unit(
    c: &mut sqlx::AnyConnection,
    unit_id: i64,
) -> Result<Vec<Person>, AppError> {
    Ok(people::of_unit(c, unit_id).await?)
}

/// The positions of every person of these units: (unit id, positions).
pub async fn positions_in_units(
    c: &mut sqlx::AnyConnection,
    unit_ids: &[i64],
) -> Result<Vec<(i64, Vec<Position>)>, AppError> {
    Ok(people::positions_in(c, unit_ids).await?)
}

/// These people by code: (id, their unit's path), for another area's form
/// that names people by code and checks them against the caller's scope; a
/// code without a person is missing from the map.
pub async fn located_people(
    c: &mut sqlx::AnyConnection,
    codes: &[String],
) -> Result<std::collections::HashMap<String, (i64, String)>, AppError> {
    Ok(people::located(c, codes).await?)
}

/// The first `limit` people within `reach`, by unit: (code, name, unit
/// name), for another area's picker (its caller may name them).
pub async fn picker(
    pool: &sqlx::AnyPool,
    reach: &crate::domain::authz::Reach,
    limit: i64,
) -> Result<Vec<(String, String, String)>, AppError> {
    Ok(
        people::list(pool, reach, &PeopleFilter::default(), 1, limit)
            .await?
            .items
            .into_iter()
            .map(|(p, _)| (p.code, p.name, p.unit_name))
            .collect(),
    )
}

/// A unit by id, read on the caller's connection; the caller checks scope.
pub async fn unit_in(c: &mut sqlx::AnyConnection, id: i64) -> Result<Option<Unit>, AppError> {
    Ok(units::get_in(c, id).await?)
}

/// A unit by code, read on the caller's connection.
pub async fn unit_by_code_in(
    c: &mut sqlx::AnyConnection,
    code: &str,
) -> Result<Option<Unit>, AppError> {
    Ok(units::by_code(c, code).await?)
}

/// The caller's own unit (id, path), when the account belongs to a
/// person: what a trainee sees of their own subdistrict.
pub async fn own_unit(
    c: &mut sqlx::AnyConnection,
    me: &Principal,
) -> Result<Option<(i64, String)>, AppError> {
    let Some(person) = me.person_id else {
        return Ok(None);
    };
    Ok(people::unit_of(c, person).await?)
}

/// A new top-level unit inside another area's write (a sheet file names
/// a unit the district lacks; that area checked who may).
pub async fn add_top_unit(
    w: &mut crate::platform::Write<'_>,
    draft: &crate::domain::unit::UnitDraft,
) -> Result<i64, AppError> {
    units::create(w, draft, None).await
}

/// A new person inside another area's write (that area checked who may,
/// and that the unit is within the caller's reach).
pub async fn add_person(
    w: &mut crate::platform::Write<'_>,
    draft: &PersonDraft,
    unit_id: i64,
) -> Result<i64, AppError> {
    people::create(w, draft, unit_id).await
}

pub use super::store::feeds::FeedOwner;

/// The secret of a person's or unit's calendar feed address, made on first
/// use; for another area that shows the address to whom it checked may see
/// it (the person themself, who keeps the unit's drills).
pub async fn calendar_feed(
    c: &mut sqlx::AnyConnection,
    owner: FeedOwner,
    id: i64,
) -> Result<String, AppError> {
    super::store::feeds::token(c, owner, id).await
}

/// A new secret for a calendar feed, inside the caller's write (the caller
/// checked who may).
pub async fn rotate_calendar_feed(
    w: &mut crate::platform::Write<'_>,
    owner: FeedOwner,
    id: i64,
) -> Result<(), AppError> {
    super::store::feeds::rotate(w, owner, id).await
}

/// Whose feed a secret opens: (id, name); calendar apps cannot sign in.
pub async fn calendar_feed_owner(
    c: &mut sqlx::AnyConnection,
    owner: FeedOwner,
    token: &str,
) -> Result<Option<(i64, String)>, AppError> {
    super::store::feeds::by_token(c, owner, token).await
}
