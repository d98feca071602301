//! Training rotations (轮训): courses, rotations of batches with the
//! scheduler and the roster, attendance, quizzes and completions (which
//! issue the registry's certificates and feed `training_coverage`), the
//! trainee's side, coverage, leave and rectification orders.

pub mod api;
pub mod dto;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
