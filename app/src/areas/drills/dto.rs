//! What the drills' pages show: lists and one drill with its people,
//! evaluation and corrective actions, the editor with its pickers, what
//! saving did (clashes), and the calendar.

use crate::areas::eplans::dto::PlanRow;
use crate::domain::drills::{
    DrillDef, DrillForm, DrillFormat, DrillStatus, EvaluationRow, Scenario,
};
use crate::model::Unit;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillsPage {
    pub drills: Vec<DrillSummary>,
    pub may_manage: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillEditor {
    pub id: Option<i64>,
    pub form: DrillForm,
    pub clash_reason: String,
    pub plans: Vec<PlanRow>,
    pub units: Vec<Unit>,
    /// Units the caller may organize drills for.
    pub organizer_units: Vec<Unit>,
    /// The picker: people the caller may put in a drill (number, name,
    /// unit), the first `PICKER_LIMIT` by unit; others are typed.
    #[serde(default)]
    pub people: Vec<(String, String, String)>,
}

/// The most people the drill editor's picker lists.
pub const PICKER_LIMIT: i64 = 400;

/// What saving a drill did: saved (with the clashes it was saved over),
/// or not saved because of clashes that need a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillSaved {
    pub id: Option<i64>,
    pub clashes: Vec<ClashRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionsPage {
    pub actions: Vec<ActionRow>,
    /// Actions the caller may close, by id.
    pub closable: Vec<i64>,
}

/// One day of the calendar: the marked day it is, if any, its events and
/// how many more it holds than the month view shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalDay {
    pub day: NaiveDate,
    pub observance: Option<String>,
    pub items: Vec<CalItem>,
    pub more: usize,
}

/// Events a day shows in the month view; the week view shows all.
pub const MONTH_CELL_CAP: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarPage {
    /// The first day of the month or the Monday of the week shown.
    pub anchor: NaiveDate,
    pub week: bool,
    pub days: Vec<CalDay>,
    /// Events in the period, all of them (the month view shows a few a day).
    pub total: usize,
    pub units: Vec<Unit>,
    pub unit: Option<i64>,
    pub scenario: String,
    /// The chosen unit's feed address, when a unit is chosen.
    pub unit_feed: Option<String>,
    pub today: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillSummary {
    pub id: i64,
    pub title: String,
    pub scenario: Scenario,
    pub format: DrillFormat,
    pub status: DrillStatus,
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
    pub due_on: NaiveDate,
    pub closed_by: Option<String>,
    pub closed_at: Option<i64>,
    pub closing_note: Option<String>,
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillDetail {
    pub summary: DrillSummary,
    pub def: DrillDef,
    pub units: Vec<(i64, String)>,
    pub plans: Vec<(i64, String)>,
    pub people: Vec<DrillPerson>,
    pub clash_reason: Option<String>,
    pub clashes: Vec<ClashRow>,
    pub evaluation: Vec<EvaluationRow>,
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
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// For drills: local start time `HH:MM`.
    pub time: Option<String>,
    pub link: String,
    pub scenario: Option<Scenario>,
}
