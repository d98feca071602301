//! Downloads that are files, not pages: a scheme's results as CSV (UTF-8
//! with a byte-order mark, so that Excel reads the Chinese) and as XLSX,
//! both with the same columns as `yingji assess` prints; the assistants'
//! registry in the same two formats (audited: it is personal data); and
//! calendar feeds.

use crate::{both_languages, cookie};
use app::areas::assessment::service::{ExportTable, export_table};
use app::areas::registry::service::EXPORT_HEADER;
use app::domain::authz::Action;
use app::domain::scoring_sheet::csv_field;
use app::i18n::{LANG_COOKIE, Lang};
use app::platform::request::SignedIn;
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The caller's language, and who they are if signed in.
fn caller(
    headers: &HeaderMap,
    signed_in: Option<axum::Extension<SignedIn>>,
) -> (Option<SignedIn>, Lang) {
    let lang = cookie(headers, LANG_COOKIE)
        .map(|v| Lang::from_tag(&v))
        .unwrap_or_default();
    (signed_in.map(|axum::Extension(me)| me), lang)
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        both_languages("error.unauthorized"),
    )
        .into_response()
}

/// An error as its status and message in the caller's language.
fn refusal(e: app::error::AppError, lang: Lang) -> Response {
    (
        StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        e.message(lang),
    )
        .into_response()
}

/// The signed-in viewer's results (an unpublished ranking only for the
/// units within their reach, as the page shows it), or the response that
/// refuses them.
async fn load(
    st: &AppState,
    headers: &HeaderMap,
    signed_in: Option<axum::Extension<SignedIn>>,
    id: i64,
) -> Result<(ExportTable, String), Response> {
    let (Some(me), lang) = caller(headers, signed_in) else {
        return Err(unauthorized());
    };
    if !me.principal.may(Action::ViewAssessment) {
        return Err((StatusCode::FORBIDDEN, both_languages("error.forbidden")).into_response());
    }
    let stem = app::areas::assessment::service::scheme(&st.db.pool, id)
        .await
        .map(|s| file_stem(&s.def.code))
        .map_err(|e| refusal(e, lang))?;
    export_table(&st.db, &me.principal, id, lang)
        .await
        .map(|t| (t, stem))
        .map_err(|e| refusal(e, lang))
}

/// Text that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`
/// first) gets a leading apostrophe, so that opening the export never runs
/// anything a unit's name carries. Numbers are left alone.
fn spreadsheet_safe(field: &str) -> String {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) && field.parse::<f64>().is_err() {
        format!("'{field}")
    } else {
        field.to_string()
    }
}

fn attachment(name: &str, content_type: &'static str, body: Vec<u8>) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// A safe file name from a scheme code (codes are letters, digits, `-`
/// and `_` already; this keeps it so).
fn file_stem(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}

pub async fn results_csv(
    State(st): State<AppState>,
    headers: HeaderMap,
    signed_in: Option<axum::Extension<SignedIn>>,
    Path(id): Path<i64>,
) -> Response {
    let (t, stem) = match load(&st, &headers, signed_in, id).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    attachment(
        &format!("{stem}-results.csv"),
        CSV,
        csv(Some(&t.title), &t.header, &t.rows),
    )
}

const CSV: &str = "text/csv; charset=utf-8";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// CSV for Excel: a byte-order mark, CRLF line ends, every cell safe. A
/// title line, when given, comes before the columns: a reader sees which
/// year and scheme this is, and a program skips one line.
fn csv<H: AsRef<str>, R: AsRef<[String]>>(
    title: Option<&str>,
    header: &[H],
    rows: &[R],
) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    if let Some(title) = title {
        out.push_str(&csv_field(&spreadsheet_safe(title)));
        out.push_str("\r\n");
    }
    out.push_str(
        &header
            .iter()
            .map(|h| csv_field(&spreadsheet_safe(h.as_ref())))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push_str("\r\n");
    for row in rows {
        let fields: Vec<String> = row
            .as_ref()
            .iter()
            .map(|f| csv_field(&spreadsheet_safe(f)))
            .collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "export failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        both_languages("error.internal"),
    )
        .into_response()
}

/// The registry, as the signed-in viewer may see it (phones masked where
/// they may not), with an audit row for the export.
async fn registry_rows(
    st: &AppState,
    headers: &HeaderMap,
    signed_in: Option<axum::Extension<SignedIn>>,
    format: &str,
) -> Result<Vec<Vec<String>>, Response> {
    let (Some(me), lang) = caller(headers, signed_in) else {
        return Err(unauthorized());
    };
    let export = async {
        let cx = app::platform::Ctx::new(st.clone(), me.principal)?;
        app::areas::registry::service::export(&cx, format).await
    };
    export.await.map_err(|e| refusal(e, lang))
}

pub async fn registry_csv(
    State(st): State<AppState>,
    headers: HeaderMap,
    signed_in: Option<axum::Extension<SignedIn>>,
) -> Response {
    match registry_rows(&st, &headers, signed_in, "csv").await {
        Ok(rows) => attachment("yingji-registry.csv", CSV, csv(None, &EXPORT_HEADER, &rows)),
        Err(res) => res,
    }
}

pub async fn registry_xlsx(
    State(st): State<AppState>,
    headers: HeaderMap,
    signed_in: Option<axum::Extension<SignedIn>>,
) -> Response {
    let rows = match registry_rows(&st, &headers, signed_in, "xlsx").await {
        Ok(rows) => rows,
        Err(res) => return res,
    };
    let book = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("registry")?;
        let bold = Format::new().set_bold();
        for (c, h) in EXPORT_HEADER.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (i, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet.write_string(i as u32 + 1, c as u16, spreadsheet_safe(cell))?;
            }
        }
        sheet.set_column_width(3, 20)?;
        book.save_to_buffer()
    };
    match book() {
        Ok(bytes) => attachment("yingji-registry.xlsx", XLSX, bytes),
        Err(e) => internal(e),
    }
}

pub async fn results_xlsx(
    State(st): State<AppState>,
    headers: HeaderMap,
    signed_in: Option<axum::Extension<SignedIn>>,
    Path(id): Path<i64>,
) -> Response {
    let (t, stem) = match load(&st, &headers, signed_in, id).await {
        Ok(r) => r,
        Err(res) => return res,
    };
    match xlsx(&t) {
        Ok(bytes) => attachment(&format!("{stem}-results.xlsx"), XLSX, bytes),
        Err(e) => internal(e),
    }
}

/// `/training/coverage/{year}.csv`: a year's training per person (units,
/// people, courses required and completed, hours credited) as the caller
/// may see it; the export is audited.
pub async fn training_coverage_csv(
    State(st): State<AppState>,
    headers: HeaderMap,
    signed_in: Option<axum::Extension<SignedIn>>,
    Path(file): Path<String>,
) -> Response {
    let (Some(me), lang) = caller(&headers, signed_in) else {
        return unauthorized();
    };
    let Some(year) = file
        .strip_suffix(".csv")
        .and_then(|y| y.parse::<i64>().ok())
    else {
        return (StatusCode::NOT_FOUND, both_languages("error.not_found")).into_response();
    };
    let export = async {
        let cx = app::platform::Ctx::new(st.clone(), me.principal)?;
        app::areas::training::service::coverage_export(&cx, year, lang).await
    };
    match export.await {
        Ok((title, header, rows)) => attachment(
            &format!("training-{year}.csv"),
            CSV,
            csv(Some(&title), &header, &rows),
        ),
        Err(e) => refusal(e, lang),
    }
}

/// The same table as the CSV, as a workbook: the title in the first row,
/// column titles in the second, numbers as numbers.
fn xlsx(t: &ExportTable) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("results")?;
    let bold = Format::new().set_bold();
    let tenth = Format::new().set_num_format("0.0");
    sheet.write_string_with_format(0, 0, &t.title, &bold)?;
    for (c, h) in t.header.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, h, &bold)?;
    }
    for (i, row) in t.rows.iter().enumerate() {
        let line = i as u32 + 2;
        for (c, cell) in row.iter().enumerate() {
            let number = t.numeric.get(c).copied().unwrap_or(false);
            match cell.parse::<f64>() {
                // Points keep their tenth (97.0); ranks are whole.
                Ok(n) if number && cell.contains('.') => {
                    sheet.write_number_with_format(line, c as u16, n, &tenth)?;
                }
                Ok(n) if number => {
                    sheet.write_number(line, c as u16, n)?;
                }
                _ => {
                    sheet.write_string(line, c as u16, cell)?;
                }
            }
        }
    }
    sheet.set_column_width(1, 28)?;
    book.save_to_buffer()
}

/// A calendar feed, found by the secret in its address (calendar apps
/// cannot sign in): a person's published batches, drills and duties, or with
/// `unit-` first a unit's. An unknown secret is 404, the same as no feed.
pub async fn calendar(State(st): State<AppState>, Path(file): Path<String>) -> Response {
    use app::areas::directory::service::{FeedOwner, calendar_feed_owner};
    use app::areas::drills::service as drills;
    use app::domain::calendar::{CalEvent, Span, ical};
    let not_found = || (StatusCode::NOT_FOUND, both_languages("error.not_found")).into_response();
    let Some(token) = file.strip_suffix(".ics") else {
        return not_found();
    };
    let now = st.clock.now_secs();
    let feed = async {
        let mut c = st.db.pool.acquire().await?;
        if let Some(unit_token) = token.strip_prefix("unit-")
            && let Some((unit, name)) =
                calendar_feed_owner(&mut c, FeedOwner::Unit, unit_token).await?
        {
            let events = drills::unit_feed(&mut c, unit).await?;
            return Ok(Some(ical(
                &format!("{name} 培训与演练 / training and drills"),
                &events,
                now,
            )));
        }
        let Some((person, name)) = calendar_feed_owner(&mut c, FeedOwner::Person, token).await?
        else {
            return Ok::<_, app::error::AppError>(None);
        };
        let mut events: Vec<CalEvent> = app::areas::training::service::seats_of(&mut c, person)
            .await?
            .into_iter()
            .map(|s| CalEvent {
                uid: format!("batch-{}-person-{person}@yingji", s.batch.id),
                summary: format!("{} · {}", s.course_title, s.batch.code),
                location: s.batch.place.clone(),
                description: if s.batch.instructor.trim().is_empty() {
                    s.plan_name.clone()
                } else {
                    format!("{} / {}", s.plan_name, s.batch.instructor)
                },
                span: Span::Days {
                    start: s.batch.start,
                    end: s.batch.end,
                },
            })
            .collect();
        events.extend(drills::person_feed(&mut c, person).await?);
        // Duties from a month back on: a year's roster stays a short feed.
        let since = app::platform::today_at(now)? - chrono::Duration::days(31);
        events.extend(app::areas::duty::service::person_feed(&mut c, person, since).await?);
        Ok(Some(ical(
            &format!("{name} 的培训、演练与值班 / training, drills and duty"),
            &events,
            now,
        )))
    };
    match feed.await {
        Ok(Some(text)) => {
            let mut res = text.into_response();
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            );
            // A secret address: no shared cache keeps what it shows.
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            res
        }
        Ok(None) => not_found(),
        Err(e) => (
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            both_languages("error.internal"),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn cells_that_would_be_formulas_are_kept_as_text() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("九曲街道"), "九曲街道");
        assert_eq!(spreadsheet_safe("-1.5"), "-1.5");
        assert_eq!(spreadsheet_safe("97.0"), "97.0");
    }
}
