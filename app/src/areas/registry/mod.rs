//! The registry of earthquake-reporting assistants (地震速报员/协管员):
//! entries (a person, a role, a unit, confirmed by whom), confirmation
//! drives (换届), certificates (numbered per year, issued when a certifying
//! course is completed, revoked with a reason, verified publicly), and the
//! reporter coverage of villages and communities, which feeds the
//! assessment's `reporter_coverage` metric.

pub mod api;
pub mod dto;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
