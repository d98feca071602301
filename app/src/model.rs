//! The shapes of data that cross between server and browser: what lists and
//! forms show. They hold no secrets (no password hashes, no session tokens).

use crate::domain::Problem;

use crate::domain::unit::UnitKind;
use serde::{Deserialize, Serialize};

/// The directory's shapes live with their area.
pub use crate::areas::directory::dto::{Person, Unit};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

pub use crate::areas::accounts::dto::{Account, GrantView};
pub use crate::areas::audit::dto::AuditEntry;

pub use crate::areas::home::dto::{Attention, Home};
pub use crate::areas::imports::dto::ImportPreview;

/// A form's answer: nothing, or what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub id: i64,
    pub message: Problem,
}

// ---- The annual assessment ----

pub use crate::areas::assessment::dto::{
    BonusRow, ChangeFeed, ChangeRow, EventRow, Evidence, FeedUnit, IncidentRow, MetricRow,
    ReopenRequest, ResultRow, Results, SchemeSummary, ScoreRow, SnapshotDetail, Standing,
    StoredScheme, UnitAssessment, VetoRow,
};

// ---- In-app notices (any area may leave one for a person) ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: i64,
    pub message_key: String,
    pub args: Vec<String>,
    pub link: String,
    pub created_at: i64,
    pub read: bool,
}

// ---- Training rotations ----

pub use crate::areas::training::dto::{
    AttemptRow, BatchRow, CourseSummary, CoverageReport, CoverageRow, HoursLine, LeaveRow, MySeat,
    MyTraining, OpenBatch, OrderRow, PlanRoster, PlanSummary, SeatRow, StoredCourse, StoredPlan,
    Study, UnplacedRow,
};

// ---- emergency plans and drills ----

/// A plan as lists show it: its latest version, and whether any version
/// is in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub kind: crate::domain::drills::PlanKind,
    pub version: i64,
    pub status: crate::domain::drills::PlanStatus,
    pub title: String,
    pub revise_by: chrono::NaiveDate,
    /// The version in force, if one is.
    pub in_force: Option<i64>,
    pub first_filed: Option<chrono::NaiveDate>,
    pub last_drilled: Option<chrono::NaiveDate>,
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
    pub status: crate::domain::drills::PlanStatus,
    pub title: String,
    pub revise_by: chrono::NaiveDate,
    pub summary: String,
    pub stamps: Vec<(crate::domain::drills::PlanStatus, String, i64)>,
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
    pub today: chrono::NaiveDate,
    pub coverage: crate::domain::drills::PlanCoverage,
    pub missing: Vec<MissingPlan>,
    pub overdue: Vec<PlanRow>,
    /// Plotters SVG: a bar per unit kind and one for the district.
    pub chart: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillSummary {
    pub id: i64,
    pub title: String,
    pub scenario: crate::domain::drills::Scenario,
    pub format: crate::domain::drills::DrillFormat,
    pub status: crate::domain::drills::DrillStatus,
    pub organizer_unit_name: String,
    pub start: i64,
    pub end: i64,
    pub place: String,
    pub people: i64,
}

/// A clash as the organizer reads it: what (a place, a unit's or a
/// person's name), with what, and when that runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClashRow {
    pub kind_key: String,
    pub subject: String,
    pub with: String,
    pub link: String,
    pub start: i64,
    pub end: i64,
    /// Another unit's drill the caller may not see: shown without its
    /// title or link ("another unit's drill").
    #[serde(default)]
    pub masked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillPerson {
    pub person_id: i64,
    pub code: String,
    pub name: String,
    pub unit_name: String,
    pub attended: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRow {
    pub id: i64,
    pub drill_id: i64,
    pub drill_title: String,
    pub description: String,
    pub owner_unit_id: i64,
    pub owner_unit_name: String,
    pub due_on: chrono::NaiveDate,
    pub closed_by: Option<String>,
    pub closed_at: Option<i64>,
    pub closing_note: Option<String>,
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillDetail {
    pub summary: DrillSummary,
    pub def: crate::domain::drills::DrillDef,
    pub units: Vec<(i64, String)>,
    pub plans: Vec<(i64, String)>,
    pub people: Vec<DrillPerson>,
    pub clash_reason: Option<String>,
    pub clashes: Vec<ClashRow>,
    pub evaluation: Vec<crate::domain::drills::EvaluationRow>,
    pub actions: Vec<ActionRow>,
    pub created_by: String,
    pub held: Option<(String, i64)>,
    pub evaluated: Option<(String, i64)>,
    pub may_manage: bool,
    /// It has begun: only then may it be marked held.
    #[serde(default)]
    pub started: bool,
}

/// One event on the calendar: a drill or a training batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalItem {
    pub drill: bool,
    pub title: String,
    pub place: String,
    pub first_day: chrono::NaiveDate,
    pub last_day: chrono::NaiveDate,
    /// For drills: local start time `HH:MM`.
    pub time: Option<String>,
    pub link: String,
    pub scenario: Option<crate::domain::drills::Scenario>,
}

// ---- the registry of earthquake-reporting assistants ----

pub use crate::areas::registry::dto::{CertificateRow, CoverageLine, GapRow, RegistryRow};

// ---- Reminders ----

pub use crate::areas::reminders::dto::{ReminderLog, SentRow};
