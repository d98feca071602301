//! The application, one module per area. Each area has
//!
//! - `dto`: the shapes its pages show (no secrets);
//! - `api`: its server functions, each one line of wiring to the service;
//! - `service` (server only): who may do what, parsing input into domain
//!   types, orchestration and transactions;
//! - `store` (server only): its SQL, one file per aggregate.
//!
//! The rule, checked by `tests::areas_keep_to_their_layers`: pages → server
//! functions → services → {their own store, the domain rules, the
//! platform}. A store never calls another area; a service may ask another
//! area's service. Areas not yet moved here live in the older layers
//! (`api`, `db`), listed in the README's map.

pub mod accounts;
pub mod assessment;
pub mod audit;
pub mod directory;
pub mod drills;
pub mod duty;
pub mod eplans;
pub mod home;
pub mod imports;
pub mod registry;
pub mod reminders;
pub mod training;

#[cfg(test)]
mod tests;
