//! Importing units, people, metrics and the registry from CSV or XLSX:
//! upload (a plain multipart POST handled by the server binary, which calls
//! `service::stage_upload`), preview with every row-level problem, then
//! confirm. Confirmation checks again against the database as it is then,
//! and imports all rows or none, through the area each kind belongs to.

pub mod api;
pub mod dto;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
