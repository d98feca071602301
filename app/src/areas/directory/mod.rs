//! The directory: the unit tree and the people in it. Everyone signed in
//! reads the tree; admins change it. Admins manage people everywhere,
//! organizers within their scope; assessors read within theirs. Phone
//! numbers are masked for whoever may not manage the person.

pub mod api;
pub mod dto;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
