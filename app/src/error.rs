//! The one error type every server function returns. It crosses to the
//! browser, so it carries translation keys, never SQL or internals; those
//! are logged on the server.

use crate::domain::Problem;
use crate::i18n::Lang;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthorized,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid {field}")]
    Invalid { field: String, problem: Problem },
    #[error("conflict")]
    Conflict(Problem),
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("too many attempts")]
    Throttled { wait_secs: i64, locked: bool },
    #[error("too many certificate checks")]
    TooManyChecks,
    #[error("internal error")]
    Internal,
    #[error("{0}")]
    ServerFn(ServerFnErrorErr),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }
}

impl AppError {
    pub fn invalid(field: &str, problem: Problem) -> AppError {
        AppError::Invalid {
            field: field.to_string(),
            problem,
        }
    }

    /// The HTTP status the server answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthorized | AppError::BadCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid { .. } => 422,
            AppError::Conflict(_) => 409,
            AppError::Throttled { .. } | AppError::TooManyChecks => 429,
            AppError::Internal | AppError::ServerFn(_) => 500,
        }
    }

    /// Seconds after which asking again may succeed (`Retry-After`), for
    /// the refusals that are only a matter of waiting.
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            AppError::Throttled { wait_secs, .. } => Some((*wait_secs).max(1)),
            AppError::TooManyChecks => Some(60),
            _ => None,
        }
    }

    /// The message shown to the user, in their language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            AppError::Unauthorized => lang.t("error.unauthorized").into(),
            AppError::Forbidden => lang.t("error.forbidden").into(),
            AppError::NotFound => lang.t("error.not_found").into(),
            AppError::Invalid { field, problem } => {
                format!("{}: {}", field_label(lang, field), lang.problem(problem))
            }
            AppError::Conflict(problem) => lang.problem(problem),
            AppError::BadCredentials => lang.t("error.bad_credentials").into(),
            AppError::Throttled {
                wait_secs,
                locked: true,
            } => lang.tf(
                "error.locked",
                &[&((wait_secs + 59) / 60).max(1).to_string()],
            ),
            AppError::Throttled {
                wait_secs,
                locked: false,
            } => lang.tf("error.slow_down", &[&wait_secs.to_string()]),
            AppError::TooManyChecks => lang.t("error.too_many_checks").into(),
            AppError::Internal => lang.t("error.internal").into(),
            AppError::ServerFn(_) => lang.t("error.network").into(),
        }
    }
}

/// A field's name; `field.indicator_row:3:field.max` (a field in a row of
/// a table) reads "row 3 of the indicators, maximum".
pub fn field_label(lang: Lang, field: &str) -> String {
    match field.split(':').collect::<Vec<_>>()[..] {
        [table, row, name] => lang.tf(table, &[row, lang.t(name)]),
        _ => lang.t(field).to_string(),
    }
}

/// Field problems from a draft, as the first one (forms show one message).
pub fn first_invalid<F: AsRef<str>>(problems: Vec<(F, Problem)>) -> AppError {
    match problems.into_iter().next() {
        Some((field, problem)) => AppError::invalid(field.as_ref(), problem),
        None => AppError::Internal,
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            return AppError::Conflict(Problem::new("problem.already_exists"));
        }
        tracing::error!(error = %e, "database error");
        AppError::Internal
    }
}
