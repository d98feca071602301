//! What the emergency plans' pages show: plans with their version in
//! force, one plan with its versions and documents, the editor, and plan
//! coverage with the units that pull it down.

use crate::areas::drills::dto::DrillSummary;
use crate::domain::drills::{PlanCoverage, PlanForm, PlanKind, PlanStatus};
use crate::domain::unit::UnitKind;
use crate::model::Unit;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlansPage {
    pub plans: Vec<PlanRow>,
    pub may_manage: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEditor {
    pub id: Option<i64>,
    pub form: PlanForm,
    /// Units the caller may keep plans for.
    pub units: Vec<Unit>,
}

/// A plan as lists show it: its latest version, and whether any version
/// is in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub kind: PlanKind,
    pub version: i64,
    pub status: PlanStatus,
    pub title: String,
    pub revise_by: NaiveDate,
    /// The version in force, if one is.
    pub in_force: Option<i64>,
    pub first_filed: Option<NaiveDate>,
    pub last_drilled: Option<NaiveDate>,
    /// Special and department plans not drilled for three years.
    pub drill_overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInfo {
    pub file_name: String,
    pub size: i64,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

/// One version, with who moved it along and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanVersionRow {
    pub id: i64,
    pub version: i64,
    pub status: PlanStatus,
    pub title: String,
    pub revise_by: NaiveDate,
    pub summary: String,
    pub stamps: Vec<(PlanStatus, String, i64)>,
    pub document: Option<DocumentInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDetail {
    pub plan: PlanRow,
    /// Newest first.
    pub versions: Vec<PlanVersionRow>,
    pub drills: Vec<DrillSummary>,
    pub may_manage: bool,
    /// The caller wrote the newest version (drafted it, changed it or
    /// uploaded its document), so someone else approves it.
    pub own_draft: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingPlan {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub kind: UnitKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanCoverageReport {
    pub today: NaiveDate,
    pub coverage: PlanCoverage,
    pub missing: Vec<MissingPlan>,
    pub overdue: Vec<PlanRow>,
    /// Plotters SVG: a bar per unit kind and one for the district.
    pub chart: String,
}
