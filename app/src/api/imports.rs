//! Importing units, people, metrics and the registry from CSV or XLSX: upload (a plain multipart
//! POST handled by the server binary, which calls `stage_upload`), preview
//! with every row-level problem, then confirm. Confirmation checks again
//! against the database as it is then, and imports all rows or none.

use crate::error::AppError;
use crate::model::ImportPreview;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

/// How many rows the preview shows.
pub const SAMPLE_ROWS: usize = 20;

#[cfg(feature = "ssr")]
pub mod server {
    use crate::db;
    use crate::domain::authz::Principal;
    use crate::domain::import::{
        self, Existing, ImportKind, MetricLine, PersonRow, RegistryLine, RowError, Table, UnitRow,
    };
    use crate::domain::{Problem, code_field};
    use crate::error::AppError;
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
        let units = db::units::index(pool).await?;
        let outside = units
            .iter()
            .filter(|(_, (path, _))| !me.may_at(kind.action(), path))
            .map(|(code, _)| code.clone())
            .collect();
        let mut existing = Existing {
            units,
            person_codes: db::people::codes(pool).await?,
            outside,
            ..Default::default()
        };
        if kind == ImportKind::Registry {
            existing.person_names = db::people::names(pool)
                .await?
                .into_iter()
                .map(|(code, (name, path))| {
                    let visible = me.may_name_person(&path);
                    (code, visible.then_some(name))
                })
                .collect();
            existing.registered = db::registry::registered(pool).await?;
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
        let kind = ImportKind::parse(kind).ok_or_else(|| {
            AppError::invalid("field.import_kind", Problem::new("problem.required"))
        })?;
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
        let token = {
            use rand::RngCore;
            let mut raw = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut raw);
            raw.iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        let name: String = file_name.chars().take(100).collect();
        let payload = serde_json::to_string(&table).map_err(|_| AppError::Internal)?;
        db::imports::stage(
            &st.db.pool,
            &token,
            me.account_id,
            kind.code(),
            &name,
            &payload,
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
        let staged = db::imports::load(pool, token, me.account_id)
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
}

#[server(endpoint = "preview_import")]
pub async fn preview_import(token: String) -> Result<ImportPreview, AppError> {
    use server::*;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let st = state()?;
            let (kind, file_name, table) = load_staged(&st.db.pool, &me, &token).await?;
            let errors = check(&st.db.pool, &me, kind, &table)
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
        .await,
    )
}

/// Imports a previewed file: every row, or (when any row has a problem
/// now) none.
#[server(endpoint = "confirm_import")]
pub async fn confirm_import(token: String) -> Result<usize, AppError> {
    use crate::domain::Problem;
    use server::*;
    use ssr::*;
    finish(
        async move {
            let me = require()?;
            let st = state()?;
            let pool = &st.db.pool;
            let (kind, file_name, table) = load_staged(pool, &me, &token).await?;
            let checked = check(pool, &me, kind, &table).await?.map_err(|errors| {
                AppError::Conflict(Problem::with(
                    "problem.import_has_errors",
                    &[&errors.len().to_string()],
                ))
            })?;
            let now = st.clock.now_secs();
            let who = actor(&me);
            let mut tx = st.db.write().await?;
            if crate::db::imports::remove(&mut tx, &token).await? == 0 {
                return Err(AppError::NotFound);
            }
            let n = match &checked {
                Checked::Units(rows) => {
                    crate::db::units::import(
                        &mut crate::platform::Write::within(&mut tx, &who, now),
                        rows,
                    )
                    .await?
                }
                Checked::People(rows) => {
                    crate::db::people::import(
                        &mut crate::platform::Write::within(&mut tx, &who, now),
                        rows,
                    )
                    .await?
                }
                Checked::Metrics(lines) => {
                    crate::db::assessment::import_metrics(
                        &mut tx,
                        &who,
                        now,
                        lines,
                        &format!("import:{file_name}"),
                    )
                    .await?
                }
                Checked::Registry(lines) => {
                    let touched = crate::db::registry::import(&mut tx, &who, now, lines).await?;
                    let (today, _) = crate::api::training::server::today_and_now()?;
                    crate::db::registry::sync_reporter_coverage(
                        &mut tx,
                        &who,
                        now,
                        today,
                        Some(&touched),
                        &format!("import:{file_name}"),
                    )
                    .await?;
                    lines.len()
                }
            };
            let summary = serde_json::json!({ "file": file_name, "rows": n }).to_string();
            crate::db::audit::record(
                &mut tx,
                &who,
                now,
                &format!("import.{}", kind.code()),
                "import",
                &token,
                None,
                Some(summary),
            )
            .await?;
            tx.commit().await?;
            Ok(n)
        }
        .await,
    )
}
