//! Storage of the areas that have not yet moved into `crate::areas` (see
//! the README's map): one module per table group, calling one another. The
//! database itself, and the helpers every store uses, are the platform's
//! (`crate::platform::db`), re-exported here for these modules.

pub use crate::platform::db::*;

pub mod audit;
pub mod evidence;

/// The directory moved into `crate::areas`; the stores still here reach it
/// by these names until their own areas move.
pub use crate::areas::directory::store::{people, units};
