//! The registry's tables: entries and confirmation drives, certificates
//! and their yearly numbering, and the coverage setting.

pub mod certificates;
pub mod coverage;
pub mod entries;
