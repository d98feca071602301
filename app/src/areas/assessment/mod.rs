//! The annual assessment (年度考核): schemes, the scoring sheet (scores,
//! events, bonuses, metric values computed by the other areas' feed or
//! entered), the two-person veto, incident reports, results with their
//! explanation and change log, publishing (which freezes the evidence)
//! and reopening.

pub mod api;
pub mod dto;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
