//! The shapes of data that cross between server and browser: what lists and
//! forms show. They hold no secrets (no password hashes, no session tokens).

use crate::domain::Problem;

use crate::domain::person::Position;
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

use crate::domain::assessment::{Grade, Outcome, Points};
use crate::domain::incident::Level;
use crate::domain::scheme::SchemeDef;
use crate::domain::veto::VetoStatus;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemeSummary {
    pub id: i64,
    pub code: String,
    pub year: i64,
    pub name: String,
    pub unit_kinds: Vec<UnitKind>,
    pub indicators: usize,
    pub published: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredScheme {
    pub id: i64,
    pub def: SchemeDef,
    pub published: bool,
    pub published_at: Option<i64>,
    pub published_by: Option<String>,
    /// A request to reopen the published year, waiting for a second
    /// scheme manager.
    pub reopen: Option<ReopenRequest>,
    /// Units published unfinished or with a veto undecided (codes), by an
    /// assessor who gave a reason.
    #[serde(default)]
    pub published_gaps: Vec<String>,
    /// The evidence frozen at publication, which a published year's
    /// results and explanations read.
    #[serde(default)]
    pub snapshot_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReopenRequest {
    pub by_id: Option<i64>,
    pub by: String,
    pub at: i64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreRow {
    pub unit_id: i64,
    pub indicator: String,
    pub points: Points,
    pub note: String,
    pub updated_by: String,
    pub updated_at: i64,
}

/// A metric value with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricRow {
    pub unit_id: i64,
    pub metric: String,
    pub numerator: i64,
    pub denominator: i64,
    pub origin: crate::domain::evidence::Origin,
    /// An override's reason.
    pub reason: String,
    /// What the platform computed last (beside an override).
    pub computed: Option<(i64, i64)>,
    pub computed_at: Option<i64>,
    pub updated_by: String,
    pub updated_at: i64,
    /// The record behind the last change (`plan:12`, `drill:3`, ...).
    pub source: String,
}

/// A record a computed value counts, with the page that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// What the record is (`plan_in_force`, `plan_missing`, `drill_held`,
    /// `completions`, `reporter_valid`, `reporter_gap`), said by the page
    /// in its language.
    pub kind: String,
    /// Names, titles and dates: data, in no language.
    pub label: String,
    pub href: String,
    /// Counted towards the value (a plan in force, a completion) or
    /// counted against it (a unit with no plan).
    pub counts: bool,
}

/// One change to a figure a unit's assessment reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRow {
    pub id: i64,
    pub year: i64,
    pub unit_id: i64,
    /// `metric:plan_coverage`, `score:duty`, `event:late_report`, `bonus`,
    /// `veto`.
    pub item: String,
    pub before: String,
    pub after: String,
    /// `sync`, `entered`, `override`, `override_removed`, `score`,
    /// `event_added`, ...
    pub cause: String,
    pub source: String,
    pub actor: String,
    pub at: i64,
}

/// "Since you last looked": the units whose totals moved, each with the
/// changes behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeFeed {
    /// When the assessor last marked the results seen (none: never).
    pub seen_at: Option<i64>,
    pub units: Vec<FeedUnit>,
    /// More changes than listed.
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedUnit {
    pub unit_id: i64,
    pub unit_name: String,
    pub before: Option<Points>,
    pub after: Option<Points>,
    pub changes: Vec<ChangeRow>,
}

/// What a published year's explanation shows of one unit, frozen at
/// publication.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SnapshotDetail {
    pub scores: Vec<ScoreRow>,
    pub metrics: Vec<MetricRow>,
    pub events: Vec<EventRow>,
    pub bonuses: Vec<BonusRow>,
    pub vetoes: Vec<VetoRow>,
    /// Per metric key, the records it counted.
    pub evidence: Vec<(String, Vec<Evidence>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    pub id: i64,
    pub year: i64,
    pub unit_id: i64,
    pub event: String,
    pub count: i64,
    pub occurred_on: String,
    pub description: String,
    pub incident_id: Option<i64>,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BonusRow {
    pub id: i64,
    pub year: i64,
    pub unit_id: i64,
    pub points: Points,
    pub reason: String,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VetoRow {
    pub id: i64,
    pub year: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub reason: String,
    pub evidence: String,
    pub status: VetoStatus,
    pub proposed_by_id: Option<i64>,
    pub proposed_by: String,
    pub proposed_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_note: Option<String>,
    pub revoked_by: Option<String>,
    /// The reason of a revocation: waiting for a second assessor while
    /// `revoke_proposed_by` is set and the veto still confirmed.
    pub revoke_reason: Option<String>,
    pub revoke_proposed_by_id: Option<i64>,
    pub revoke_proposed_by: Option<String>,
    pub revoke_proposed_at: Option<i64>,
    /// Its year is published for its unit: nothing about it can be decided
    /// (the lists hide the buttons).
    #[serde(default)]
    pub locked: bool,
}

impl VetoRow {
    /// A revocation waits for a second assessor (the veto still counts).
    pub fn revocation_pending(&self) -> bool {
        self.status == VetoStatus::Confirmed && self.revoke_proposed_by.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub level: Level,
    pub title: String,
    pub occurred_at: i64,
    pub reported_at: i64,
    pub reported_by: String,
    /// Event types recorded from this incident (late_report, ...).
    pub events: Vec<String>,
}

/// A unit's standing: what the ranking shows of its outcome (the
/// per-indicator lines stay on the unit's own page, which keeps a ranking
/// of 500 units small).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub total: Option<Points>,
    pub grade: Option<Grade>,
    pub rank: Option<u32>,
    pub vetoed: bool,
    pub incomplete: bool,
    pub barred_from_excellent: bool,
}

impl From<&Outcome> for Standing {
    fn from(o: &Outcome) -> Self {
        Standing {
            total: o.total,
            grade: o.grade,
            rank: o.rank,
            vetoed: o.vetoed,
            incomplete: o.incomplete,
            barred_from_excellent: o.barred_from_excellent,
        }
    }
}

/// One unit's line in the ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultRow {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub outcome: Standing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Results {
    pub scheme: StoredScheme,
    /// In listing order: ranked, vetoed, incomplete.
    pub rows: Vec<ResultRow>,
    /// Score distribution (plotters SVG).
    pub chart_svg: String,
    /// Units allowed excellent under the quota, if there is one.
    pub quota_places: Option<u32>,
    /// For those who assess, what moved since they last looked (live
    /// years only).
    pub feed: Option<ChangeFeed>,
    /// What keeps an open year from being published finished: (unit id,
    /// unit name, why), within the caller's reach.
    #[serde(default)]
    pub gaps: Vec<(i64, String, crate::domain::assessment::GapKind)>,
}

/// Everything about one unit in one scheme: the scoring sheet and the
/// explanation of its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitAssessment {
    pub scheme: StoredScheme,
    pub unit: Unit,
    pub scores: Vec<ScoreRow>,
    /// (indicator code, its metric value) for ratio indicators with data.
    pub ratios: Vec<(String, MetricRow)>,
    /// Per metric key, the records a computed value counted.
    pub evidence: Vec<(String, Vec<Evidence>)>,
    /// This unit's changes in the year, newest first (live years only).
    pub changes: Vec<ChangeRow>,
    pub events: Vec<EventRow>,
    pub bonuses: Vec<BonusRow>,
    pub vetoes: Vec<VetoRow>,
    pub outcome: Outcome,
    pub units_ranked: usize,
    pub quota_places: Option<u32>,
    /// Category totals and the unit's totals in earlier years' schemes.
    pub category_svg: String,
    pub trend_svg: Option<String>,
    pub may_score: bool,
}

// ---- Training rotations ----

use crate::domain::course::QuestionView;
use crate::domain::training::{CourseCategory, CourseDef, Coverage, OrderState, PlanDef};

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
pub struct Notice {
    pub id: i64,
    pub message_key: String,
    pub args: Vec<String>,
    pub link: String,
    pub created_at: i64,
    pub read: bool,
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

// ---- emergency plans and drills ----

pub use crate::areas::drills::dto::{
    ActionRow, CalItem, ClashRow, DrillDetail, DrillPerson, DrillSummary,
};
pub use crate::areas::eplans::dto::{
    DocumentInfo, MissingPlan, PlanCoverageReport, PlanDetail, PlanRow, PlanVersionRow,
};

// ---- the registry of earthquake-reporting assistants ----

pub use crate::areas::registry::dto::{CertificateRow, CoverageLine, GapRow, RegistryRow};

// ---- Reminders ----

pub use crate::areas::reminders::dto::{ReminderLog, SentRow};
