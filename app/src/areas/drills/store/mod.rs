//! The drills' tables: drills with their units, people, plans exercised
//! and evaluations; corrective actions; and the reads for clashes and the
//! calendar.

pub mod actions;
pub mod calendar;
pub mod clashes;
pub mod drills;
