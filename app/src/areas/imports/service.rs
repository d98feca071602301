//! Who may import what, checking a file against the database and the
//! caller's scope, and the all-or-nothing import through the areas the
//! rows belong to.

use super::dto::{ImportPreview, SAMPLE_ROWS};
use super::store;
use crate::areas::directory::service as directory;
use crate::domain::authz::Principal;
use crate::domain::import::{
    self, Existing, ImportKind, MetricLine, PersonRow, RegistryLine, RowError, Table, UnitRow,
};
use crate::domain::{Problem, code_field};
use crate::error::AppError;
use crate::platform::{Actor, Change, Ctx, Write};
use crate::state::AppState;
use sqlx::AnyPool;

pub enum Checked {
    Units(Vec<UnitRow>),
    People(Vec<PersonRow>),
    Metrics(Vec<MetricLine>),
    Registry(Vec<RegistryLine>),
}

/// Checks a table against the database and the caller's scope: rows
/// naming a unit outside it are problems like any other, in the same
/// list, under the file's own column header.
pub async fn check(
    pool: &AnyPool,
    me: &Principal,
    kind: ImportKind,
    table: &Table,
) -> Result<Result<Checked, Vec<RowError>>, AppError> {
    let units = directory::unit_index(pool).await?;
    let outside = units
        .iter()
        .filter(|(_, (path, _))| !me.may_at(kind.action(), path))
        .map(|(code, _)| code.clone())
        .collect();
    let mut existing = Existing {
        units,
        person_codes: directory::person_codes(pool).await?,
        outside,
        ..Default::default()
    };
    if kind == ImportKind::Registry {
        existing.person_names = directory::person_names(pool)
            .await?
            .into_iter()
            .map(|(code, (name, path))| {
                let visible = me.may_name_person(&path);
                (code, visible.then_some(name))
            })
            .collect();
        existing.registered = crate::areas::registry::service::registered(pool).await?;
    }
    Ok(match kind {
        ImportKind::Units => import::check_units(table, &existing).map(Checked::Units),
        ImportKind::People => import::check_people(table, &existing).map(Checked::People),
        ImportKind::Metrics => import::check_metrics(table, &existing).map(Checked::Metrics),
        ImportKind::Registry => import::check_registry(table, &existing).map(Checked::Registry),
    })
}

/// Reads an uploaded file and stages it for preview; returns the token
/// of the preview page. A file that cannot be read at all is refused
/// here with the reason.
pub async fn stage_upload(
    st: &AppState,
    me: &Principal,
    kind: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<String, AppError> {
    let kind = ImportKind::parse(kind)
        .ok_or_else(|| AppError::invalid("field.import_kind", Problem::new("problem.required")))?;
    if !me.may(kind.action()) {
        return Err(AppError::Forbidden);
    }
    // Unzipping and reading take CPU: off the async threads, one file
    // at a time, so a burst of uploads cannot hold every worker or
    // stack up their memory.
    static READING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
    let _turn = READING.acquire().await.map_err(|_| AppError::Internal)?;
    let (name, data) = (file_name.to_string(), bytes.to_vec());
    let table = tokio::task::spawn_blocking(move || crate::tabular::read_table(&name, &data))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reading an upload failed");
            AppError::Internal
        })?
        .map_err(|p| AppError::invalid("field.file", p))?;
    // 128 random bits, as a code (`token_ok`: at most 32 characters).
    let token = crate::platform::random_token()[..32].to_string();
    let name: String = file_name.chars().take(100).collect();
    let payload = serde_json::to_string(&table).map_err(|_| AppError::Internal)?;
    store::stage(
        &st.db.pool,
        store::Staging {
            token: &token,
            account_id: me.account_id,
            kind: kind.code(),
            file_name: &name,
            payload: &payload,
        },
        st.clock.now_secs(),
    )
    .await?;
    Ok(token)
}

/// A staged file of the caller's, if they may still import its kind:
/// (kind, file name, table).
pub async fn load_staged(
    pool: &AnyPool,
    me: &Principal,
    token: &str,
) -> Result<(ImportKind, String, Table), AppError> {
    token_ok(token)?;
    let staged = store::load(pool, token, me.account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = ImportKind::parse(&staged.kind).ok_or(AppError::Internal)?;
    if !me.may(kind.action()) {
        return Err(AppError::Forbidden);
    }
    let table: Table = serde_json::from_str(&staged.payload).map_err(|_| AppError::Internal)?;
    Ok((kind, staged.file_name, table))
}

pub fn token_ok(token: &str) -> Result<(), AppError> {
    code_field(token)
        .map(|_| ())
        .map_err(|_| AppError::NotFound)
}

/// The preview: the first rows as read and every problem, checked now.
pub async fn preview(cx: &Ctx, token: String) -> Result<ImportPreview, AppError> {
    let (kind, file_name, table) = load_staged(cx.pool(), &cx.me, &token).await?;
    let errors = check(cx.pool(), &cx.me, kind, &table)
        .await?
        .err()
        .unwrap_or_default();
    Ok(ImportPreview {
        token,
        kind,
        file_name,
        headers: table.headers.clone(),
        sample: table
            .rows
            .iter()
            .take(SAMPLE_ROWS)
            .enumerate()
            .map(|(i, r)| (i + 2, r.clone()))
            .collect(),
        total_rows: table
            .rows
            .iter()
            .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
            .count(),
        errors,
    })
}

/// Imports a previewed file in one transaction: every row, or (when any
/// row has a problem now, or another confirmation took the file first)
/// none. How many rows went in.
pub async fn confirm(cx: &Ctx, token: &str) -> Result<usize, AppError> {
    let pool = cx.pool();
    let (kind, file_name, table) = load_staged(pool, &cx.me, token).await?;
    let checked = check(pool, &cx.me, kind, &table).await?.map_err(|errors| {
        AppError::Conflict(Problem::with(
            "problem.import_has_errors",
            &[&errors.len().to_string()],
        ))
    })?;
    let (now, who) = (cx.now, Actor::of(&cx.me));
    let source = format!("import:{file_name}");
    let mut tx = cx.st.db.write().await?;
    if store::remove(&mut tx, token).await? == 0 {
        return Err(AppError::NotFound);
    }
    let n = match &checked {
        Checked::Units(rows) => {
            directory::import_units(&mut Write::within(&mut tx, &who, now), rows).await?
        }
        Checked::People(rows) => {
            directory::import_people(&mut Write::within(&mut tx, &who, now), rows).await?
        }
        Checked::Metrics(lines) => {
            crate::areas::assessment::service::import_metrics(
                &mut Write::within(&mut tx, &who, now),
                lines,
                &source,
            )
            .await?
        }
        Checked::Registry(lines) => {
            let mut w = Write::within(&mut tx, &who, now);
            crate::areas::registry::service::import(&mut w, lines, cx.today, &source).await?
        }
    };
    Write::within(&mut tx, &who, now)
        .audit(
            Change::new(&format!("import.{}", kind.code()), "import", token)
                .after(&serde_json::json!({ "file": file_name, "rows": n })),
        )
        .await?;
    tx.commit().await?;
    Ok(n)
}
