//! The duty office's tables: the district's calendar (`duty_periods`),
//! units' settings (`duty_settings`), rosters with their slots and gaps
//! (`duty_rosters`, `duty_slots`, `duty_gaps`) and the office's checks
//! (`duty_checks`).

pub mod absences;
pub mod calendar;
pub mod checks;
pub mod incidents;
pub mod reports;
pub mod rosters;
pub mod settings;
pub mod swaps;
