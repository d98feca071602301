//! The shapes of data that cross between server and browser: what lists and
//! forms show. They hold no secrets (no password hashes, no session tokens).

use crate::domain::Problem;
use crate::domain::account::Role;
use crate::domain::import::{ImportKind, RowError};
use crate::domain::person::Position;
use crate::domain::unit::UnitKind;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: Option<i64>,
    pub parent_name: Option<String>,
    pub path: String,
    pub min_on_duty: i64,
    pub people: i64,
}

impl Unit {
    /// Depth in the tree, 0 for a top-level unit.
    pub fn depth(&self) -> usize {
        self.path.matches('/').count().saturating_sub(2)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub positions: Vec<Position>,
    /// Masked (138****1234) unless the viewer may manage this person.
    pub phone: Option<String>,
    pub account: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantView {
    pub role: Role,
    pub scope_unit_id: Option<i64>,
    pub scope_unit_name: Option<String>,
    pub scope_unit_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub disabled: bool,
    pub grants: Vec<GrantView>,
    pub person_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub token: String,
    pub kind: ImportKind,
    pub file_name: String,
    pub headers: Vec<String>,
    /// The first rows as read (for the user to check the characters came
    /// through right), with their spreadsheet row numbers.
    pub sample: Vec<(usize, Vec<String>)>,
    pub total_rows: usize,
    pub errors: Vec<RowError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    /// Translation key of what needs attention.
    pub key: String,
    pub count: i64,
    pub href: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Home {
    pub items: Vec<Attention>,
    /// People per position in the caller's reach, for the chart.
    pub chart_svg: Option<String>,
    pub my_unit: Option<String>,
    pub my_positions: Vec<Position>,
}

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricRow {
    pub unit_id: i64,
    pub metric: String,
    pub numerator: i64,
    pub denominator: i64,
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
    pub revoke_reason: Option<String>,
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
}

/// Everything about one unit in one scheme: the scoring sheet and the
/// explanation of its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitAssessment {
    pub scheme: StoredScheme,
    pub unit: Unit,
    pub scores: Vec<ScoreRow>,
    /// (indicator code, numerator, denominator) for ratio indicators with
    /// data.
    pub ratios: Vec<(String, i64, i64)>,
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
