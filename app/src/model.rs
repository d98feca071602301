//! The shapes of data that cross between server and browser: what lists and
//! forms show. They hold no secrets (no password hashes, no session tokens).

use crate::domain::Problem;

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
