//! Emergency plans (应急预案): each unit's plans, their versions walked
//! through 编制 → 审批 → 发布 → 备案 and revised (修订), approved only by
//! someone who did not write the version and only with its document, the
//! documents themselves, and plan coverage (应急预案编制率), which feeds
//! the assessment's `plan_coverage` metric.

pub mod api;
pub mod dto;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
