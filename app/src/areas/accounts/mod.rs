//! Accounts: signing in and out (sessions in the database, the log-in
//! throttle), the signed-in person, one's own password; admins create
//! accounts, grant roles with their scope, disable accounts and set new
//! passwords for those who forgot theirs.

pub mod api;
pub mod dto;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
