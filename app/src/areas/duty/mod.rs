//! The duty office (值班): 24-hour duty with a leader on duty
//! (24小时值班、领导带班). The district's calendar of holidays and
//! sensitive periods, each unit's duty settings, rosters generated fairly
//! and published to the people on them, today's duty board, and the
//! office's spot checks (值班督导检查), a failed one feeding the unit's
//! assessment as `duty_absence`.

pub mod api;
pub mod dto;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
