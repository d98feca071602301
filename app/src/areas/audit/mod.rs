//! The audit trail, read by those who may (admins). Written only through
//! the platform's `Write::audit` (and `db::audit::record` for the older
//! layers), never changed: the database refuses updates and deletes.

pub mod api;
pub mod dto;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
