//! Plan documents (应急预案文本): uploading one to a plan's newest version
//! (a plain multipart form, so it works without JavaScript) and
//! downloading any version's. The type is checked by content as well as
//! name, the size is limited, the bytes live in the database (so every
//! app instance serves them), and the download is sent as an attachment
//! under a cleaned name.

use crate::{both_languages, cookie};
use app::areas::eplans::service as eplans;
use app::domain::drills::{MAX_DOCUMENT_BYTES, document_kind};
use app::error::AppError;
use app::i18n::{LANG_COOKIE, Lang};
use app::platform::Ctx;
use app::platform::request::SignedIn;
use app::state::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

/// The request body limit for an upload: the document and the form
/// around it.
pub const BODY_LIMIT: usize = MAX_DOCUMENT_BYTES + 64 * 1024;

fn back(plan: i64, problem: Option<&app::domain::Problem>) -> Response {
    let to = match problem {
        None => format!("/drills/plans/{plan}"),
        Some(p) => format!("/drills/plans/{plan}?{}", p.to_query()),
    };
    Redirect::to(&to).into_response()
}

fn refuse(headers: &HeaderMap, e: &AppError) -> Response {
    let lang = cookie(headers, LANG_COOKIE)
        .map(|v| Lang::from_tag(&v))
        .unwrap_or_default();
    (
        StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        e.message(lang),
    )
        .into_response()
}

/// Receives `file` for plan `id` and goes back to the plan's page, with the
/// problem named when the file is refused (nothing is stored then).
pub async fn upload(
    State(st): State<AppState>,
    headers: HeaderMap,
    signed_in: Option<axum::Extension<SignedIn>>,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Response {
    let Some(axum::Extension(me)) = signed_in else {
        return Redirect::to("/login").into_response();
    };
    let too_big = app::domain::Problem::with(
        "problem.file_too_big",
        &[&(MAX_DOCUMENT_BYTES / 1024 / 1024).to_string()],
    );
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let file_name = field.file_name().unwrap_or_default().to_string();
                match field.bytes().await {
                    Ok(bytes) if name == "file" => file = Some((file_name, bytes.to_vec())),
                    Ok(_) => {}
                    Err(_) => return back(id, Some(&too_big)),
                }
            }
            Ok(None) => break,
            Err(_) => return back(id, Some(&too_big)),
        }
    }
    let Some((file_name, bytes)) = file else {
        return back(id, Some(&app::domain::Problem::new("problem.empty_file")));
    };
    let kind = match document_kind(&file_name, &bytes) {
        Ok(k) => k,
        Err(p) => return back(id, Some(&p)),
    };
    let stored = async {
        // These handlers run outside Leptos: the caller's footing is built
        // here, from the app's clock.
        let cx = Ctx::new(st.clone(), me.principal.clone())?;
        eplans::upload_document(&cx, id, &file_name, kind, &bytes).await
    };
    match stored.await {
        Ok(()) => back(id, None),
        Err(AppError::Conflict(p)) => back(id, Some(&p)),
        Err(e) => refuse(&headers, &e),
    }
}

/// Sends a version's document to those who may see its plan.
pub async fn download(
    State(st): State<AppState>,
    headers: HeaderMap,
    signed_in: Option<axum::Extension<SignedIn>>,
    Path(version): Path<i64>,
) -> Response {
    let Some(axum::Extension(me)) = signed_in else {
        return (
            StatusCode::UNAUTHORIZED,
            both_languages("error.unauthorized"),
        )
            .into_response();
    };
    let found = async {
        let cx = Ctx::new(st.clone(), me.principal.clone())?;
        eplans::document(&cx, version).await
    };
    match found.await {
        Ok((name, kind, data)) => {
            let mut res = data.into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(kind.content_type()),
            );
            // RFC 6266: an ASCII fallback and the UTF-8 name.
            let disposition = format!(
                "attachment; filename=\"plan.{}\"; filename*=UTF-8''{}",
                kind.code(),
                app::domain::query_escape(&name)
            );
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            res
        }
        Err(e) => refuse(&headers, &e),
    }
}
