//! People: who they are, in which unit, in which positions.

use crate::domain::Problem;
use crate::domain::authz::Reach;
use crate::domain::import::PersonRow;
use crate::domain::person::{PersonDraft, Position};
use crate::error::AppError;
use crate::model::{Page, Person};
use crate::platform::db::{Positions, like_pattern};
use crate::platform::sql::{Arg, Filter, reach_cond};
use crate::platform::{Change, Write};
use sqlx::{AnyConnection, AnyPool};

const SELECT: &str = "SELECT pe.id, pe.code, pe.name, pe.unit_id, u.code AS unit_code, u.name AS unit_name, u.path AS unit_path, \
     pe.positions, pe.phone, a.username FROM people pe JOIN units u ON u.id = pe.unit_id LEFT JOIN accounts a ON a.id = pe.account_id";

/// A person with the path of their unit (what permission checks need).
pub type Located = (Person, String);

/// A person as stored; positions that do not parse fail the read (they
/// used to vanish, all of them, when one code was unknown).
#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    code: String,
    name: String,
    unit_id: i64,
    unit_code: String,
    unit_name: String,
    unit_path: String,
    positions: Positions,
    phone: Option<String>,
    username: Option<String>,
}

impl From<Stored> for Located {
    fn from(r: Stored) -> Located {
        (
            Person {
                id: r.id,
                code: r.code,
                name: r.name,
                unit_id: r.unit_id,
                unit_code: r.unit_code,
                unit_name: r.unit_name,
                positions: r.positions.0,
                phone: r.phone,
                account: r.username,
                cleared: None,
            },
            r.unit_path,
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    /// Matches names and numbers; phone numbers only within `phones_in`.
    pub q: Option<String>,
    pub under: Option<String>,
    pub position: Option<Position>,
    /// Where `q` also matches phone numbers: where the caller sees them
    /// whole. Elsewhere the list masks them, and a search on the hidden
    /// digits would tell them back a few at a time. `None`: nowhere.
    pub phones_in: Option<Reach>,
}

/// One page of the people the reach allows, filtered.
pub async fn list(
    pool: &AnyPool,
    reach: &Reach,
    f: &PeopleFilter,
    page: i64,
    per_page: i64,
) -> Result<Page<Located>, sqlx::Error> {
    let mut w = Filter::new();
    if !w.within(reach, "u.path") {
        return Ok(Page {
            items: vec![],
            total: 0,
            page,
            per_page,
        });
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let needle = Arg::Text(like_pattern(q));
        let mut cond = "pe.name LIKE ? ESCAPE '\\' OR pe.code LIKE ? ESCAPE '\\'".to_string();
        let mut args = vec![needle.clone(), needle.clone()];
        if let Some((seen, paths)) = f.phones_in.as_ref().and_then(|r| reach_cond(r, "u.path")) {
            cond.push_str(&format!(" OR (pe.phone LIKE ? ESCAPE '\\' AND {seen})"));
            args.push(needle);
            args.extend(paths.into_iter().map(Arg::Text));
        }
        w.and(&format!("({cond})"), args);
    }
    w.and_some("u.path LIKE ?", f.under.as_ref().map(|u| format!("{u}%")));
    w.and_some(
        "pe.positions LIKE ?",
        f.position.map(|p| format!("%|{}|%", p.code())),
    );
    let filter = w.sql();
    let count_sql =
        format!("SELECT COUNT(*) FROM people pe JOIN units u ON u.id = pe.unit_id WHERE {filter}");
    let total: i64 = w
        .bind_scalar(sqlx::query_scalar(&count_sql))
        .fetch_one(pool)
        .await?;
    let n = w.next();
    let sql = format!(
        "{SELECT} WHERE {filter} ORDER BY u.path, pe.code LIMIT ${n} OFFSET ${}",
        n + 1
    );
    let rows: Vec<Stored> = w
        .bind_as(sqlx::query_as(&sql))
        .bind(per_page)
        .bind((page - 1).max(0) * per_page)
        .fetch_all(pool)
        .await?;
    Ok(Page {
        items: rows.into_iter().map(Located::from).collect(),
        total,
        page,
        per_page,
    })
}

/// Reads through the pool or, inside a write, through its transaction
/// (taking a second connection while holding SQLite's write lock starves
/// the pool under load).
pub async fn get<'e, E>(ex: E, id: i64) -> Result<Option<Located>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE pe.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?;
    Ok(row.map(Located::from))
}

/// A person's unit: (id, path).
pub async fn unit_of(
    c: &mut sqlx::AnyConnection,
    person: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id, u.path FROM people p JOIN units u ON u.id = p.unit_id WHERE p.id = $1",
    )
    .bind(person)
    .fetch_optional(c)
    .await
}

/// The names of these people, by id (those that exist).
pub async fn names_by_id(
    c: &mut AnyConnection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT id, name FROM people WHERE id IN ({})",
        crate::platform::db::id_list(ids)
    ))
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The people of one unit, in full (positions and phone), by name: who a
/// roster may name.
pub async fn of_unit(c: &mut AnyConnection, unit_id: i64) -> Result<Vec<Person>, sqlx::Error> {
    let rows: Vec<Stored> = sqlx::query_as(&format!(
        "{SELECT} WHERE pe.unit_id = $1 ORDER BY pe.name, pe.id"
    ))
    .bind(unit_id)
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().map(|r| Located::from(r).0).collect())
}

/// Each person's unit and positions, for the people of these units.
pub async fn positions_in(
    c: &mut AnyConnection,
    unit_ids: &[i64],
) -> Result<Vec<(i64, Vec<Position>)>, sqlx::Error> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, Positions)> = sqlx::query_as(&format!(
        "SELECT unit_id, positions FROM people WHERE unit_id IN ({})",
        crate::platform::db::id_list(unit_ids)
    ))
    .fetch_all(c)
    .await?;
    Ok(rows.into_iter().map(|(u, p)| (u, p.0)).collect())
}

/// These people by code: (id, their unit's path), for those that exist;
/// 500 codes a query.
pub async fn located(
    c: &mut AnyConnection,
    codes: &[String],
) -> Result<std::collections::HashMap<String, (i64, String)>, sqlx::Error> {
    let mut out = std::collections::HashMap::new();
    for chunk in codes.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT p.code, p.id, u.path FROM people p JOIN units u ON u.id = p.unit_id WHERE p.code IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query_as::<_, (String, i64, String)>(&sql);
        for code in chunk {
            q = q.bind(code);
        }
        for (code, id, path) in q.fetch_all(&mut *c).await? {
            out.insert(code, (id, path));
        }
    }
    Ok(out)
}

/// The person a code names.
pub async fn id_by_code(pool: &AnyPool, code: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM people WHERE code = $1")
        .bind(code)
        .fetch_optional(pool)
        .await
}

pub async fn by_account(pool: &AnyPool, account_id: i64) -> Result<Option<Located>, sqlx::Error> {
    let row: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE pe.account_id = $1"))
        .bind(account_id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(Located::from))
}

async fn unit_exists(conn: &mut AnyConnection, unit_id: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE id = $1")
        .bind(unit_id)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

pub async fn create(w: &mut Write<'_>, draft: &PersonDraft, unit_id: i64) -> Result<i64, AppError> {
    if !unit_exists(w.conn(), unit_id).await? {
        return Err(AppError::invalid(
            "field.unit",
            Problem::new("problem.no_such_unit"),
        ));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO people (code, name, unit_id, positions, phone, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(&draft.code)
    .bind(&draft.name)
    .bind(unit_id)
    .bind(Position::encode_list(&draft.positions))
    .bind(&draft.phone)
    .bind(w.at)
    .fetch_one(w.conn())
    .await?;
    let after = get(&mut *w.conn(), id).await?.map(|(p, _)| p);
    w.audit(Change::new("person.create", "person", id).after(&after))
        .await?;
    Ok(id)
}

/// Changes a person's details and unit (moving them to another unit).
pub async fn update(
    w: &mut Write<'_>,
    id: i64,
    draft: &PersonDraft,
    unit_id: i64,
) -> Result<(), AppError> {
    let (before, _) = get(&mut *w.conn(), id).await?.ok_or(AppError::NotFound)?;
    if !unit_exists(w.conn(), unit_id).await? {
        return Err(AppError::invalid(
            "field.unit",
            Problem::new("problem.no_such_unit"),
        ));
    }
    sqlx::query("UPDATE people SET code = $1, name = $2, unit_id = $3, positions = $4, phone = $5, updated_at = $6 WHERE id = $7")
        .bind(&draft.code)
        .bind(&draft.name)
        .bind(unit_id)
        .bind(Position::encode_list(&draft.positions))
        .bind(&draft.phone)
        .bind(w.at)
        .bind(id)
        .execute(w.conn())
        .await?;
    let after = get(&mut *w.conn(), id).await?.map(|(p, _)| p);
    w.audit(
        Change::new("person.update", "person", id)
            .before(&before)
            .after(&after),
    )
    .await?;
    Ok(())
}

pub async fn codes(pool: &AnyPool) -> Result<std::collections::HashSet<String>, sqlx::Error> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT code FROM people")
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Person number -> (name, unit path), to check a registry file against.
pub async fn names(
    pool: &AnyPool,
) -> Result<std::collections::HashMap<String, (String, String)>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT p.code, p.name, u.path FROM people p JOIN units u ON u.id = p.unit_id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(code, name, path)| (code, (name, path)))
        .collect())
}

pub async fn import(w: &mut Write<'_>, rows: &[PersonRow]) -> Result<usize, AppError> {
    for r in rows {
        let unit_id: i64 = sqlx::query_scalar("SELECT id FROM units WHERE code = $1")
            .bind(&r.unit_code)
            .fetch_optional(w.conn())
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "field.unit_code",
                    Problem::with("problem.unknown_unit", &[&r.unit_code]),
                )
            })?;
        create(w, &r.draft, unit_id).await?;
    }
    Ok(rows.len())
}

/// The people in reach, counted in one query: all of them, those without
/// a phone, and by position (the home page's figures and chart).
pub struct PeopleSummary {
    pub total: i64,
    pub without_phone: i64,
    pub by_position: Vec<(Position, i64)>,
}

pub async fn summary(pool: &AnyPool, reach: &Reach) -> Result<Option<PeopleSummary>, sqlx::Error> {
    use sqlx::Row;
    let mut binds: Vec<String> = Position::ALL
        .iter()
        .map(|p| format!("%|{}|%", p.code()))
        .collect();
    let Some(within) = crate::platform::db::reach_clause(reach, "u.path", &mut binds) else {
        return Ok(None);
    };
    let by_position: Vec<String> = (1..=Position::ALL.len())
        .map(|i| format!("COALESCE(SUM(CASE WHEN pe.positions LIKE ${i} THEN 1 ELSE 0 END), 0)"))
        .collect();
    let sql = format!(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN pe.phone IS NULL THEN 1 ELSE 0 END), 0), {} \
         FROM people pe JOIN units u ON u.id = pe.unit_id WHERE {within}",
        by_position.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let row = q.fetch_one(pool).await?;
    let mut counts = Vec::with_capacity(Position::ALL.len());
    for (i, pos) in Position::ALL.into_iter().enumerate() {
        counts.push((pos, row.try_get::<i64, _>(i + 2)?));
    }
    Ok(Some(PeopleSummary {
        total: row.try_get(0)?,
        without_phone: row.try_get(1)?,
        by_position: counts,
    }))
}
