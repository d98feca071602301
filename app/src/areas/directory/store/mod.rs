//! The directory's SQL: units (a tree kept with a materialized path),
//! people, and their calendar feeds' secret addresses.

pub mod feeds;
pub mod people;
pub mod units;
