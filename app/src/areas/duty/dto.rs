//! What the duty office's pages show: the district's calendar, the
//! rosters of the units the caller keeps or oversees, one roster day by
//! day with its gaps, today's duty board, and the office's checks.

use crate::domain::daily_report::{DailyReport, ReportRules, ReportState};
use crate::domain::duty::DutyRole;
use crate::domain::duty_office::{DutyPeriod, DutySettings};
use crate::domain::incident::Level;
use crate::domain::incident_report::{Deadlines, Stage};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodRow {
    pub id: i64,
    pub period: DutyPeriod,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarPage {
    /// Periods ending today or later.
    pub periods: Vec<PeriodRow>,
    /// May the caller keep the calendar (the office, district-wide)?
    pub may_keep: bool,
}

/// A roster as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterHead {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub published: bool,
    pub created_by: String,
    pub created_at: i64,
    pub published_by: Option<String>,
    pub published_at: Option<i64>,
    /// Open slots, counted.
    pub gaps: i64,
}

/// A unit the caller keeps rosters for: its settings (none: it stands no
/// duty yet) and how many of its people stand each duty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyUnit {
    pub id: i64,
    pub name: String,
    pub settings: Option<DutySettings>,
    pub staff: usize,
    pub leaders: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RostersPage {
    pub units: Vec<DutyUnit>,
    pub rosters: Vec<RosterHead>,
}

/// Why one person could not take an open slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotFreeRow {
    pub person: String,
    /// Resting after the duty of this day; `None`: unavailable (leave, an
    /// absence, a training batch, a drill).
    pub rest_after: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapRow {
    pub role: DutyRole,
    pub missing: u32,
    /// Empty: nobody of the unit holds the role.
    pub why: Vec<NotFreeRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterDayRow {
    pub date: NaiveDate,
    /// A holiday or a weekend (counted apart).
    pub rest_day: bool,
    /// The calendar's period on this day, if any.
    pub period: Option<String>,
    pub staff: Vec<String>,
    pub leaders: Vec<String>,
    pub gaps: Vec<GapRow>,
}

/// Each person's duties in the roster: weekday and holiday-or-weekend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyCount {
    pub person: String,
    pub role: DutyRole,
    pub weekdays: u32,
    pub rest_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterDetail {
    pub head: RosterHead,
    pub days: Vec<RosterDayRow>,
    pub counts: Vec<DutyCount>,
    pub may_keep: bool,
    /// The caller's own duties on it from today on (a person on the
    /// roster), each of which they may offer in a swap.
    pub mine: Vec<SlotRef>,
    /// Others' duties of the caller's role from today on that a swap may
    /// ask for (at most 200).
    pub swap_with: Vec<SlotRef>,
    pub swaps: Vec<SwapRow>,
    /// The unit's people who stand duty (for the organizer's
    /// replacements): (id, name, role).
    pub people: Vec<(i64, String, DutyRole)>,
    /// The caller's person, to tell which swaps are theirs.
    pub me: Option<i64>,
}

/// One duty of a roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotRef {
    pub id: i64,
    pub day: NaiveDate,
    pub role: DutyRole,
    pub person: String,
}

/// A swap of two duties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwapRow {
    pub id: i64,
    pub roster_id: i64,
    pub asker_slot: i64,
    pub other_slot: i64,
    pub asker_id: i64,
    pub other_id: i64,
    pub asker: String,
    pub other: String,
    pub asker_day: NaiveDate,
    pub other_day: NaiveDate,
    pub role: DutyRole,
    pub status: crate::domain::duty_office::SwapStatus,
    pub reason: String,
    pub asked_at: i64,
    pub decided_by: Option<String>,
}

/// Someone on duty, with the phone number as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnDuty {
    pub name: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardUnit {
    pub unit_id: i64,
    pub unit_name: String,
    pub staff: Vec<OnDuty>,
    pub leaders: Vec<OnDuty>,
    /// Open slots today: (role, how many).
    pub gaps: Vec<(DutyRole, u32)>,
    /// No published roster covers today.
    pub no_roster: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardPage {
    pub day: NaiveDate,
    pub period: Option<String>,
    /// Units that stand duty, within the caller's reach; those with a gap
    /// or no roster first.
    pub units: Vec<BoardUnit>,
    pub may_check: bool,
    /// Leaders away today (approved absences) within reach: (name, unit,
    /// deputy, destination).
    pub away: Vec<(String, String, String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub checked_at: i64,
    pub called: String,
    pub answered: bool,
    pub on_post: String,
    pub passed: bool,
    pub note: String,
    /// The `duty_absence` event a failed check became (cleared when the
    /// check is voided and the event withdrawn).
    pub event_id: Option<i64>,
    pub created_by: String,
    pub voided: Option<Voided>,
}

/// Who voided a record, when, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voided {
    pub at: i64,
    pub by: String,
    pub reason: String,
}

/// One check as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckDetail {
    pub check: CheckRow,
    /// May the caller void it (an assessor over the unit, not of it).
    pub may_void: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecksPage {
    pub checks: Vec<CheckRow>,
    /// Units the caller may check: (id, name).
    pub units: Vec<(i64, String)>,
    /// Now, as the form's default (`YYYY-MM-DDTHH:MM`).
    pub now: String,
}

/// A leader's absence report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsenceRow {
    pub id: i64,
    pub person_id: i64,
    pub person: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub destination: String,
    pub reason: String,
    pub deputy: String,
    /// `filed`, `approved` or `refused`.
    pub status: String,
    pub filed_by: String,
    pub decided_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsencesPage {
    pub absences: Vec<AbsenceRow>,
    /// The caller files for themselves (a leader).
    pub may_file: bool,
    /// Absences the caller may decide (ids).
    pub may_decide: Vec<i64>,
    pub today: NaiveDate,
}

/// A unit's daily report (日报告/零报告).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRow {
    pub unit_id: i64,
    pub unit_name: String,
    pub day: NaiveDate,
    pub report: DailyReport,
    pub submitted_by: String,
    pub submitted_at: i64,
}

/// One unit on today's report board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLine {
    pub unit_id: i64,
    pub unit_name: String,
    pub state: ReportState,
    pub report: Option<ReportRow>,
    /// The office's last reminder today.
    pub reminded_at: Option<i64>,
}

/// A day a unit reported late or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub day: NaiveDate,
    /// Reported, but after the deadline (else: not at all).
    pub late: bool,
    /// The `missed_zero_report` event the day became (withdrawn when
    /// excused; none when the year was already published).
    pub event_id: Option<i64>,
    pub excused_by: Option<String>,
    pub excused_at: Option<i64>,
    pub excuse: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportsPage {
    pub today: NaiveDate,
    /// The district's rule for today; none until the office sets it.
    pub rules: Option<ReportRules>,
    /// A change saved today, from the day it applies (tomorrow).
    pub next_rules: Option<(NaiveDate, ReportRules)>,
    /// The caller's own unit, when it must report: its name and today's
    /// report, if in.
    pub mine: Option<(String, Option<ReportRow>)>,
    /// Today's board of the units within the caller's duty reach (empty
    /// for a unit's own people).
    pub board: Vec<ReportLine>,
    /// Late and missing days of the last 60 days, newest first.
    pub misses: Vec<MissRow>,
    pub may_remind: bool,
    /// Misses the caller may excuse (ids).
    pub may_excuse: Vec<i64>,
    /// May the caller set the district's rule?
    pub may_keep_rules: bool,
}

/// A missed day as its own page shows it (the source of its event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissDetail {
    pub miss: MissRow,
    /// The deadline the day missed (an instant).
    pub deadline: i64,
    pub report: Option<ReportRow>,
    pub may_excuse: bool,
}

/// A unit's incident as the lists and its timeline show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentHead {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub level: Level,
    pub title: String,
    pub place: String,
    pub occurred_at: i64,
    /// When its 首报 was due (none: the district had no deadline for the
    /// level then).
    pub due_at: Option<i64>,
    pub reported_at: i64,
    pub reported_by: String,
    /// The `late_report` event the late 首报 became.
    pub event_id: Option<i64>,
    pub closed_at: Option<i64>,
    /// The due instant of the 核报 request waiting for its answer.
    pub waiting: Option<i64>,
    /// The office's ruling on the facts (核定), if any: `due_at` and the
    /// lateness follow it.
    pub ruling: Option<RulingRow>,
}

/// The office's ruling on an incident (核定): the level and time
/// established, who ruled, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulingRow {
    pub level: Level,
    pub occurred_at: i64,
    pub by: String,
    pub at: i64,
    pub reason: String,
}

impl IncidentHead {
    /// The level and the time it happened that count: the office's ruling
    /// when there is one, else what the unit declared.
    pub fn facts(&self) -> (Level, i64) {
        self.ruling
            .as_ref()
            .map_or((self.level, self.occurred_at), |r| (r.level, r.occurred_at))
    }

    pub fn first_late(&self) -> bool {
        self.due_at.is_some_and(|d| self.reported_at > d)
    }
}

/// One report on an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentEntry {
    pub id: i64,
    pub stage: Stage,
    pub body: String,
    pub injured: u32,
    pub dead: u32,
    pub filed_by: String,
    pub filed_at: i64,
}

/// The office's 核报 request and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationRow {
    pub id: i64,
    pub question: String,
    pub asked_by: String,
    pub asked_at: i64,
    pub due_at: i64,
    pub answered_at: Option<i64>,
    /// When it was recorded late (a `late_report` event).
    pub late_at: Option<i64>,
    pub event_id: Option<i64>,
}

/// `/duty/incidents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentsPage {
    pub deadlines: Option<Deadlines>,
    /// The caller's own unit, when they may report for it.
    pub my_unit: Option<String>,
    /// Open incidents first (a 核报 overdue at the top), then the last
    /// closed ones; those the caller sees.
    pub incidents: Vec<IncidentHead>,
    pub now: i64,
    pub may_keep_deadlines: bool,
}

/// `/duty/incidents/:id`: the incident's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDetail {
    pub head: IncidentHead,
    pub reports: Vec<IncidentEntry>,
    pub verifications: Vec<VerificationRow>,
    pub now: i64,
    /// The caller reports for the incident's unit.
    pub may_report: bool,
    /// The caller may ask for a 核报 (the office, within its reach).
    pub may_ask: bool,
    /// The caller may rule on the facts (an assessor over the unit, not
    /// of it).
    pub may_rule: bool,
}
