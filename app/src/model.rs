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
