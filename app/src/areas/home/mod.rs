//! The home page: per role, what needs the caller's attention (with links
//! to where it is dealt with), the people in reach by position, the
//! caller's own unit and notices.

pub mod api;
pub mod dto;
#[cfg(feature = "ssr")]
pub mod service;
