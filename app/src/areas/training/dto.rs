//! What the training pages show: courses, rotations (a year's plan of
//! batches for some positions, called "plan" in the tables and endpoints)
//! with their rosters, the trainee's own side (seats, sign-up, study,
//! notices), coverage, leave and rectification orders.

use crate::domain::course::QuestionView;
use crate::domain::person::Position;
use crate::domain::training::{
    CourseCategory, CourseDef, CourseForm, Coverage, OrderState, PlanDef, PlanForm,
};
use crate::model::{CertificateRow, DrillSummary, Notice};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseSummary {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub category: CourseCategory,
    pub audience: Vec<Position>,
    pub hours: i64,
    pub lessons: usize,
    pub questions: usize,
    pub certify_months: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCourse {
    pub id: i64,
    pub def: CourseDef,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub year: i64,
    pub course_title: String,
    pub batches: i64,
    pub seats: i64,
    pub capacity: i64,
    pub published: bool,
    pub self_signup: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPlan {
    pub id: i64,
    pub def: PlanDef,
    pub course_title: String,
    pub unit_name: Option<String>,
    pub unit_path: Option<String>,
    pub published: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRow {
    pub id: i64,
    pub plan_id: i64,
    pub code: String,
    pub start: chrono::NaiveDate,
    pub end: chrono::NaiveDate,
    pub place: String,
    pub instructor: String,
    pub capacity: i64,
    pub taken: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatRow {
    pub batch_id: i64,
    pub person_id: i64,
    pub person_code: String,
    pub person_name: String,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    /// scheduler, moved, override, self
    pub source: String,
    pub override_reason: Option<String>,
    pub attended: bool,
    pub passed: bool,
    pub completed: bool,
    /// `Some(false)`: 不准上岗.
    pub cleared: Option<bool>,
    /// How many of the unit may be away in one batch (staff − on duty).
    #[serde(default)]
    pub max_away: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnplacedRow {
    pub person_id: i64,
    pub person_code: String,
    pub person_name: String,
    pub unit_name: String,
    pub reason: String,
}

/// A plan with its batches and roster, as the organizer reviews it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRoster {
    pub plan: StoredPlan,
    pub batches: Vec<BatchRow>,
    pub seats: Vec<SeatRow>,
    pub unplaced: Vec<UnplacedRow>,
    /// People the plan targets (not yet completed this year).
    pub targets: i64,
    pub has_quiz: bool,
}

/// One of the trainee's seats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MySeat {
    pub plan_id: i64,
    pub plan_name: String,
    pub course_title: String,
    pub batch: BatchRow,
    pub attended: bool,
    pub passed: bool,
    pub completed_on: Option<chrono::NaiveDate>,
    pub expires_on: Option<chrono::NaiveDate>,
}

/// A batch the trainee may sign up for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenBatch {
    pub plan_name: String,
    pub course_title: String,
    pub batch: BatchRow,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyTraining {
    pub person_name: String,
    pub seats: Vec<MySeat>,
    pub open: Vec<OpenBatch>,
    pub notices: Vec<Notice>,
    pub calendar_url: String,
    pub cleared: Option<bool>,
    pub today: chrono::NaiveDate,
    /// The drills the trainee takes part in, newest first.
    pub drills: Vec<DrillSummary>,
    /// Their certificates, oldest first.
    pub certificates: Vec<CertificateRow>,
    /// Hours (学时) credited for the batches they attended, newest year
    /// first.
    #[serde(default)]
    pub hours: Vec<HoursLine>,
}

/// Hours (学时) credited to a person for one attended batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursLine {
    pub person_id: i64,
    pub year: i64,
    pub course_title: String,
    pub plan_name: String,
    pub hours: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptRow {
    pub at: i64,
    pub right: i64,
    pub total: i64,
    pub percent: i64,
    pub passed: bool,
}

/// A course as the trainee studies it: lessons rendered to safe HTML and
/// the quiz without its answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Study {
    pub plan_id: i64,
    pub course_title: String,
    pub hours: i64,
    /// (title, HTML).
    pub lessons: Vec<(String, String)>,
    pub questions: Vec<QuestionView>,
    pub pass_percent: u32,
    pub attempt_limit: Option<u32>,
    pub attempts: Vec<AttemptRow>,
    pub attended: bool,
    pub completed_on: Option<chrono::NaiveDate>,
    pub may_attempt: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageRow {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub coverage: Coverage,
    pub open_order: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageReport {
    pub year: i64,
    pub rows: Vec<CoverageRow>,
    /// Plotters SVG, bars per unit.
    pub chart: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub year: i64,
    pub reason: String,
    pub deadline: chrono::NaiveDate,
    pub issued_by: String,
    pub issued_at: i64,
    pub state: OrderState,
    pub closed_by: Option<String>,
    pub closing_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveRow {
    pub id: i64,
    pub person_code: String,
    pub person_name: String,
    pub unit_name: String,
    pub start: chrono::NaiveDate,
    pub end: chrono::NaiveDate,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseEditor {
    pub id: Option<i64>,
    pub form: CourseForm,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEditor {
    pub id: Option<i64>,
    pub form: PlanForm,
    pub courses: Vec<CourseSummary>,
    pub published: bool,
}

/// What a scheduler run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheduled {
    pub placed: usize,
    pub unplaced: usize,
}
