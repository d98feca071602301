//! The directory's SQL: units (a tree kept with a materialized path) and
//! people.

pub mod people;
pub mod units;
