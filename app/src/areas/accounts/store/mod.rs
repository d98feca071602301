//! The accounts area's SQL: accounts and roles, sessions, the log-in
//! throttle.

pub mod accounts;
pub mod attempts;
pub mod sessions;
