//! What the assessment's pages show: schemes, the scoring sheet and its
//! records (scores, metrics, events, bonuses, vetoes, incidents), the
//! ranking with its explanation and what changed since one last looked.

use crate::domain::assessment::{Grade, Outcome, Points};
use crate::domain::incident::Level;
use crate::domain::scheme::{SchemeDef, SchemeForm};
use crate::domain::unit::UnitKind;
use crate::domain::veto::VetoStatus;
use crate::model::Unit;
use serde::{Deserialize, Serialize};

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
    /// The record an automatic event came from (`duty_check:12`): it is
    /// changed there, not on the sheet.
    pub source: Option<String>,
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

/// One manual score as the sheet form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreInput {
    pub indicator: String,
    pub points: String,
    pub note: String,
}

/// The scheme editor's content: the form, and whether it may be changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemeEditor {
    pub id: Option<i64>,
    pub form: SchemeForm,
    pub published: bool,
}

/// The metric table of a year: units of the year's schemes, the metrics
/// their ratio indicators read, and the values entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricTable {
    pub year: i64,
    pub units: Vec<Unit>,
    pub metrics: Vec<String>,
    pub values: Vec<MetricRow>,
}
