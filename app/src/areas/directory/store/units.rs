//! Units: the tree, kept with a materialized path per unit (`/3/17/`) so a
//! subtree is one `LIKE 'prefix%'` on both databases.

use crate::domain::Problem;
use crate::domain::import::UnitRow;
use crate::domain::unit::{UnitDraft, UnitKind, check_move, check_parent, child_path};
use crate::error::AppError;
use crate::model::Unit;
use crate::platform::db::{Code, like_pattern};
use crate::platform::sql::{Arg, Filter};
use crate::platform::{Change, Write};
use sqlx::{Any, AnyPool};

const SELECT: &str = "SELECT u.id, u.code, u.name, u.kind, u.parent_id, p.name AS parent_name, u.path, u.min_on_duty, \
     (SELECT COUNT(*) FROM people pe WHERE pe.unit_id = u.id) AS people \
     FROM units u LEFT JOIN units p ON p.id = u.parent_id";

/// A unit as stored; an unknown kind fails the read (it used to become a
/// department without a word).
#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    code: String,
    name: String,
    kind: Code<UnitKind>,
    parent_id: Option<i64>,
    parent_name: Option<String>,
    path: String,
    min_on_duty: i64,
    people: i64,
}

impl From<Stored> for Unit {
    fn from(r: Stored) -> Unit {
        Unit {
            id: r.id,
            code: r.code,
            name: r.name,
            kind: r.kind.0,
            parent_id: r.parent_id,
            parent_name: r.parent_name,
            path: r.path,
            min_on_duty: r.min_on_duty,
            people: r.people,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub q: Option<String>,
    pub kind: Option<UnitKind>,
    /// Only this subtree (a materialized path).
    pub under: Option<String>,
}

/// Units in tree order (each parent right before its subtree).
pub async fn list(pool: &AnyPool, f: &UnitFilter) -> Result<Vec<Unit>, sqlx::Error> {
    let mut w = Filter::new();
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let needle = Arg::Text(like_pattern(q));
        w.and(
            "(u.name LIKE ? ESCAPE '\\' OR u.code LIKE ? ESCAPE '\\')",
            [needle.clone(), needle],
        );
    }
    w.and_some("u.kind = ?", f.kind.map(|k| k.code()));
    w.and_some("u.path LIKE ?", f.under.as_ref().map(|u| format!("{u}%")));
    let sql = format!("{SELECT} WHERE {} ORDER BY u.path", w.sql());
    let rows: Vec<Stored> = w.bind_as(sqlx::query_as(&sql)).fetch_all(pool).await?;
    Ok(rows.into_iter().map(Unit::from).collect())
}

pub async fn get(pool: &AnyPool, id: i64) -> Result<Option<Unit>, sqlx::Error> {
    let row: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(Unit::from))
}

/// A unit by id, on a pool or inside a transaction.
pub async fn get_in<'e, E>(db: E, id: i64) -> Result<Option<Unit>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let row: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(Unit::from))
}

/// A unit by code.
pub async fn by_code<'e, E>(db: E, code: &str) -> Result<Option<Unit>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let row: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE u.code = $1"))
        .bind(code)
        .fetch_optional(db)
        .await?;
    Ok(row.map(Unit::from))
}

pub async fn create(
    w: &mut Write<'_>,
    draft: &UnitDraft,
    parent_id: Option<i64>,
) -> Result<i64, AppError> {
    let parent = match parent_id {
        Some(id) => Some(get_in(&mut *w.conn(), id).await?.ok_or_else(|| {
            AppError::invalid("field.parent", Problem::new("problem.no_such_unit"))
        })?),
        None => None,
    };
    check_parent(draft.kind, parent.as_ref().map(|p| p.kind))
        .map_err(|p| AppError::invalid("field.parent", p))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO units (code, name, kind, parent_id, path, min_on_duty, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, '', $5, $6, $6) RETURNING id",
    )
    .bind(&draft.code)
    .bind(&draft.name)
    .bind(draft.kind.code())
    .bind(parent_id)
    .bind(draft.min_on_duty)
    .bind(w.at)
    .fetch_one(w.conn())
    .await?;
    let path = child_path(parent.as_ref().map(|p| p.path.as_str()), id);
    sqlx::query("UPDATE units SET path = $1 WHERE id = $2")
        .bind(&path)
        .bind(id)
        .execute(w.conn())
        .await?;
    let after = get_in(&mut *w.conn(), id).await?;
    w.audit(Change::new("unit.create", "unit", id).after(&after))
        .await?;
    Ok(id)
}

/// Changes a unit's code, name, kind and duty minimum. A kind change must
/// still fit its parent and its children.
pub async fn update(w: &mut Write<'_>, id: i64, draft: &UnitDraft) -> Result<(), AppError> {
    let before = get_in(&mut *w.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if before.kind != draft.kind {
        let parent_kind = match before.parent_id {
            Some(pid) => get_in(&mut *w.conn(), pid).await?.map(|p| p.kind),
            None => None,
        };
        check_parent(draft.kind, parent_kind).map_err(|p| AppError::invalid("field.kind", p))?;
        let child_kinds: Vec<String> =
            sqlx::query_scalar("SELECT kind FROM units WHERE parent_id = $1")
                .bind(id)
                .fetch_all(w.conn())
                .await?;
        for k in child_kinds {
            let k = UnitKind::parse(&k).unwrap_or(UnitKind::Department);
            check_parent(k, Some(draft.kind)).map_err(|_| {
                AppError::invalid("field.kind", Problem::new("problem.kind_breaks_children"))
            })?;
        }
    }
    sqlx::query("UPDATE units SET code = $1, name = $2, kind = $3, min_on_duty = $4, updated_at = $5 WHERE id = $6")
        .bind(&draft.code)
        .bind(&draft.name)
        .bind(draft.kind.code())
        .bind(draft.min_on_duty)
        .bind(w.at)
        .bind(id)
        .execute(w.conn())
        .await?;
    let after = get_in(&mut *w.conn(), id).await?;
    w.audit(
        Change::new("unit.update", "unit", id)
            .before(&before)
            .after(&after),
    )
    .await?;
    Ok(())
}

/// Moves a unit (with its whole subtree) under another parent, or to the top.
pub async fn move_to(w: &mut Write<'_>, id: i64, new_parent: Option<i64>) -> Result<(), AppError> {
    let before = get_in(&mut *w.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let parent = match new_parent {
        Some(pid) => Some(get_in(&mut *w.conn(), pid).await?.ok_or_else(|| {
            AppError::invalid("field.parent", Problem::new("problem.no_such_unit"))
        })?),
        None => None,
    };
    check_move(&before.path, parent.as_ref().map(|p| p.path.as_str()))
        .map_err(|p| AppError::invalid("field.parent", p))?;
    check_parent(before.kind, parent.as_ref().map(|p| p.kind))
        .map_err(|p| AppError::invalid("field.parent", p))?;
    let new_path = child_path(parent.as_ref().map(|p| p.path.as_str()), id);
    sqlx::query("UPDATE units SET parent_id = $1, updated_at = $2 WHERE id = $3")
        .bind(new_parent)
        .bind(w.at)
        .bind(id)
        .execute(w.conn())
        .await?;
    sqlx::query(
        "UPDATE units SET path = $1 || SUBSTR(path, CAST($2 AS INTEGER)) WHERE path LIKE $3",
    )
    .bind(&new_path)
    .bind(before.path.len() as i64 + 1)
    .bind(format!("{}%", before.path))
    .execute(w.conn())
    .await?;
    let after = get_in(&mut *w.conn(), id).await?;
    w.audit(
        Change::new("unit.move", "unit", id)
            .before(&before)
            .after(&after),
    )
    .await?;
    Ok(())
}

/// A unit's place in the tree, without its counts: what other areas
/// lay out by subdistrict.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Place {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: Code<UnitKind>,
    pub path: String,
}

/// Every unit's place, in tree order.
pub async fn places(c: &mut sqlx::AnyConnection) -> Result<Vec<Place>, sqlx::Error> {
    sqlx::query_as("SELECT id, code, name, kind, path FROM units ORDER BY path")
        .fetch_all(c)
        .await
}

/// The names of these units, by id (those that exist).
pub async fn names(
    c: &mut sqlx::AnyConnection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT id, name FROM units WHERE id IN ({})",
        crate::platform::db::id_list(ids)
    ))
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Code -> (path, kind) of every unit, for checking imports.
pub async fn index(
    pool: &AnyPool,
) -> Result<std::collections::HashMap<String, (String, UnitKind)>, sqlx::Error> {
    let rows: Vec<(String, String, Code<UnitKind>)> =
        sqlx::query_as("SELECT code, path, kind FROM units")
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(code, path, kind)| (code, (path, kind.0)))
        .collect())
}

/// Inserts checked rows (parents first, as `check_units` ordered them).
pub async fn import(w: &mut Write<'_>, rows: &[UnitRow]) -> Result<usize, AppError> {
    for r in rows {
        let parent_id = match &r.parent_code {
            Some(code) => Some(
                sqlx::query_scalar::<_, i64>("SELECT id FROM units WHERE code = $1")
                    .bind(code)
                    .fetch_optional(w.conn())
                    .await?
                    .ok_or_else(|| {
                        AppError::invalid(
                            "field.parent",
                            Problem::with("problem.unknown_unit", &[code]),
                        )
                    })?,
            ),
            None => None,
        };
        create(w, &r.draft, parent_id).await?;
    }
    Ok(rows.len())
}

/// Units within reach with fewer people than they must have on duty
/// (`None`: the reach holds no unit).
pub async fn short_of_duty(
    pool: &AnyPool,
    reach: &crate::domain::authz::Reach,
) -> Result<Option<i64>, sqlx::Error> {
    let mut f = Filter::new();
    if !f.within(reach, "u.path") {
        return Ok(None);
    }
    let sql = format!(
        "SELECT COUNT(*) FROM units u \
         WHERE u.min_on_duty > (SELECT COUNT(*) FROM people p WHERE p.unit_id = u.id) AND {}",
        f.sql()
    );
    f.bind_scalar(sqlx::query_scalar(&sql))
        .fetch_one(pool)
        .await
        .map(Some)
}
