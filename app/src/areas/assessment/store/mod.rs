//! The assessment's tables, one file per aggregate: schemes (with
//! publication and reopening), scores, metrics, events, bonuses, vetoes,
//! incidents, the change log, the sheets the rules read and the snapshots
//! publishing freezes.

pub mod bonuses;
pub mod changes;
pub mod events;
pub mod incidents;
pub mod metrics;
pub mod schemes;
pub mod scores;
pub mod sheets;
pub mod snapshots;
pub mod vetoes;

use crate::domain::unit::UnitKind;
use crate::error::AppError;

/// Kinds as the schemes' `unit_kinds` column keeps them (`|a|b|`).
fn kinds_text(kinds: &[UnitKind]) -> String {
    let mut s = String::from("|");
    for k in kinds {
        s.push_str(k.code());
        s.push('|');
    }
    s
}

/// Stored JSON that does not read back: an error, never a default.
fn unreadable(what: &'static str) -> impl Fn(serde_json::Error) -> AppError {
    move |e| {
        tracing::error!(error = %e, what, "unreadable stored JSON");
        AppError::Internal
    }
}
