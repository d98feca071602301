//! Drills (应急演练): scheduling them (clashes with other drills and with
//! training batches shown first; saving over one needs a reason), marking
//! them held with attendance, evaluating them, corrective actions, the
//! calendar of drills and training batches with its feeds, and the
//! `drills_held` metric.

pub mod api;
pub mod dto;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
