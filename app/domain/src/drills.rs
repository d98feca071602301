//! Emergency plans (应急预案) and drills (应急演练): the plan lifecycle
//! 编制 → 审批 → 发布 → 备案 and its revisions (修订), approval by someone
//! who did not write the version and only with its document (fixed from
//! then on), when a plan is in
//! force, plan coverage (应急预案编制率) against the 97% target, the
//! three-year drill rule, the plan document's type check, the drill form,
//! clashes (a place, a unit or a person booked twice; a person away in a
//! training batch), evaluations and corrective actions, and the
//! `drills_held` metric. "Today" and "now" are always parameters.

use super::authz::{Action, Principal};
use super::calendar::{Span, local_instant};
use super::unit::UnitKind;
use super::{FieldProblem, Problem, code_field, field_at as at, iso_date, row_field, text_field};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Declares a small enum with its storage code and translation key.
macro_rules! coded {
    ($(#[$m:meta])* $name:ident, $prefix:literal, [$($variant:ident = $code:literal),+ $(,)?]) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label_key(self) -> String {
                format!("{}.{}", $prefix, self.code())
            }

            pub fn parse(raw: &str) -> Result<$name, Problem> {
                let raw = raw.trim();
                if raw.is_empty() {
                    return Err(Problem::new("problem.required"));
                }
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code() == raw)
                    .ok_or_else(|| Problem::with("problem.unknown_choice", &[raw]))
            }
        }
    };
}

coded!(
    /// The four kinds of plan the source names.
    PlanKind, "plan_kind", [
        Overall = "overall",
        Special = "special",
        Department = "department",
        OnSite = "onsite",
    ]
);

coded!(
    /// Where one version of a plan stands. A filed version stays in force
    /// while its revision is drafted and is superseded when that is filed.
    PlanStatus, "plan_status", [
        Draft = "draft",
        Approved = "approved",
        Published = "published",
        Filed = "filed",
        Superseded = "superseded",
    ]
);

coded!(
    /// A step along the lifecycle, or sending an approved plan back.
    PlanStep, "plan_step", [
        Approve = "approve",
        Publish = "publish",
        File = "file",
        Return = "return",
    ]
);

impl PlanStatus {
    /// The steps allowed from here.
    pub fn steps(self) -> &'static [PlanStep] {
        match self {
            PlanStatus::Draft => &[PlanStep::Approve],
            PlanStatus::Approved => &[PlanStep::Publish, PlanStep::Return],
            PlanStatus::Published => &[PlanStep::File],
            PlanStatus::Filed | PlanStatus::Superseded => &[],
        }
    }

    /// The status a step leads to, or why it is not allowed.
    pub fn after(self, step: PlanStep) -> Result<PlanStatus, Problem> {
        if !self.steps().contains(&step) {
            return Err(Problem::new("problem.plan_step_not_allowed"));
        }
        Ok(match step {
            PlanStep::Approve => PlanStatus::Approved,
            PlanStep::Publish => PlanStatus::Published,
            PlanStep::File => PlanStatus::Filed,
            PlanStep::Return => PlanStatus::Draft,
        })
    }

    /// Only a filed version can be revised (修订 opens the next version).
    pub fn may_revise(self) -> bool {
        self == PlanStatus::Filed
    }

    /// The document is frozen at approval: it is uploaded or replaced only
    /// while the version is a draft (returning an approved version to draft
    /// undoes its approval).
    pub fn may_replace_document(self) -> bool {
        self == PlanStatus::Draft
    }
}

/// Who wrote a version, by account id (`None` where not known): who
/// drafted it, who changed the draft last, who uploaded its document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authors {
    pub drafted_by: Option<i64>,
    /// Everyone who changed the draft after its drafter.
    pub edited_by: Vec<i64>,
    pub document_by: Option<i64>,
}

impl Authors {
    /// Is `account` one of the authors?
    pub fn includes(&self, account: i64) -> bool {
        [self.drafted_by, self.document_by].contains(&Some(account))
            || self.edited_by.contains(&account)
    }
}

/// The status `step` leads to when `actor` takes it on a version in
/// `status` written by `authors`, or why not. Approving needs the document
/// and an approver who is none of the authors (an approver without an
/// account, such as a command, is never a second person); filing needs the
/// document too.
pub fn check_step(
    status: PlanStatus,
    step: PlanStep,
    actor: Option<i64>,
    authors: &Authors,
    has_document: bool,
) -> Result<PlanStatus, Problem> {
    let next = status.after(step)?;
    match step {
        PlanStep::Approve | PlanStep::File if !has_document => {
            Err(Problem::new("problem.plan_needs_document"))
        }
        PlanStep::Approve if actor.is_none_or(|a| authors.includes(a)) => {
            Err(Problem::new("problem.plan_own_draft"))
        }
        _ => Ok(next),
    }
}

/// A version is in force when filed and its revision date has not passed.
pub fn in_force(status: PlanStatus, revise_by: NaiveDate, today: NaiveDate) -> bool {
    status == PlanStatus::Filed && today <= revise_by
}

/// The unit kinds the source requires to have a plan: 各街道, 各部委办局,
/// 各产业中心和中小学校, 重点企业.
pub const REQUIRED_KINDS: [UnitKind; 5] = [
    UnitKind::Subdistrict,
    UnitKind::Department,
    UnitKind::IndustrialCentre,
    UnitKind::School,
    UnitKind::Enterprise,
];

/// 确保应急预案编制率97%以上, in permille.
pub const COVERAGE_TARGET_PERMILLE: i64 = 970;

/// Units required to have a plan, and how many of them have one in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Share {
    pub covered: i64,
    pub required: i64,
}

impl Share {
    /// Rounded down, so that 96.99% never shows as meeting 97%.
    pub fn permille(self) -> i64 {
        if self.required == 0 {
            1000
        } else {
            self.covered * 1000 / self.required
        }
    }

    pub fn meets_target(self) -> bool {
        self.covered * 1000 >= COVERAGE_TARGET_PERMILLE * self.required
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PlanCoverage {
    pub overall: Share,
    pub by_kind: Vec<(UnitKind, Share)>,
    /// Required units without a plan in force, in the order given.
    pub missing: Vec<i64>,
}

/// Plan coverage over `units` (id, kind); units of kinds not required are
/// left out.
pub fn plan_coverage(units: &[(i64, UnitKind)], in_force: &HashSet<i64>) -> PlanCoverage {
    let mut out = PlanCoverage::default();
    let mut by_kind: BTreeMap<usize, Share> = BTreeMap::new();
    for &(id, kind) in units {
        let Some(k) = REQUIRED_KINDS.iter().position(|r| *r == kind) else {
            continue;
        };
        let covered = in_force.contains(&id);
        let share = by_kind.entry(k).or_default();
        share.required += 1;
        out.overall.required += 1;
        if covered {
            share.covered += 1;
            out.overall.covered += 1;
        } else {
            out.missing.push(id);
        }
    }
    out.by_kind = by_kind
        .into_iter()
        .map(|(k, s)| (REQUIRED_KINDS[k], s))
        .collect();
    out
}

/// Special and department plans must be drilled at least once every
/// three years.
pub const DRILL_EVERY_MONTHS: u32 = 36;

/// Is a plan overdue for a drill? `since` is the day of its last held
/// drill, or when it was first filed if it never was.
pub fn drill_overdue(kind: PlanKind, since: NaiveDate, today: NaiveDate) -> bool {
    matches!(kind, PlanKind::Special | PlanKind::Department)
        && since
            .checked_add_months(Months::new(DRILL_EVERY_MONTHS))
            .is_some_and(|due| today > due)
}

// ---- the plan form ----

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanForm {
    pub unit_id: String,
    pub kind: String,
    pub title: String,
    pub revise_by: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDef {
    pub unit_id: i64,
    pub kind: PlanKind,
    pub title: String,
    pub revise_by: NaiveDate,
    pub summary: String,
}

impl PlanForm {
    pub fn from_def(d: &PlanDef) -> PlanForm {
        PlanForm {
            unit_id: d.unit_id.to_string(),
            kind: d.kind.code().into(),
            title: d.title.clone(),
            revise_by: d.revise_by.to_string(),
            summary: d.summary.clone(),
        }
    }

    /// Checks every field; a revision date already past would make a plan
    /// that is never in force, so it is refused.
    pub fn parse(&self, today: NaiveDate) -> Result<PlanDef, FieldProblem> {
        let unit_id = self
            .unit_id
            .trim()
            .parse::<i64>()
            .map_err(|_| at("field.unit", Problem::new("problem.pick_unit")))?;
        let kind = PlanKind::parse(&self.kind).map_err(|p| at("field.plan_kind", p))?;
        let title = text_field(&self.title, 2, 100).map_err(|p| at("field.title", p))?;
        let revise_by = iso_date(&self.revise_by).map_err(|p| at("field.revise_by", p))?;
        if revise_by < today {
            return Err(at("field.revise_by", Problem::new("problem.date_past")));
        }
        let summary = text_field(&self.summary.replace(['\r', '\n'], " "), 0, 2000)
            .map_err(|p| at("field.summary", p))?;
        Ok(PlanDef {
            unit_id,
            kind,
            title,
            revise_by,
            summary,
        })
    }
}

// ---- the plan document ----

/// Plan documents are kept in the database, up to this size.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

coded!(
    /// The document types accepted, checked by their first bytes as well as
    /// their name.
    DocKind, "doc_kind", [
        Pdf = "pdf",
        Docx = "docx",
        Doc = "doc",
    ]
);

impl DocKind {
    pub fn content_type(self) -> &'static str {
        match self {
            DocKind::Pdf => "application/pdf",
            DocKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            DocKind::Doc => "application/msword",
        }
    }
}

/// What kind of document this is, or why it is refused: empty, too big,
/// not PDF or Word, or content that does not match its name.
pub fn document_kind(file_name: &str, bytes: &[u8]) -> Result<DocKind, Problem> {
    if bytes.is_empty() {
        return Err(Problem::new("problem.empty_file"));
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(Problem::with(
            "problem.file_too_big",
            &[&(MAX_DOCUMENT_BYTES / 1024 / 1024).to_string()],
        ));
    }
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let (kind, magic): (DocKind, &[u8]) = match ext.as_str() {
        "pdf" => (DocKind::Pdf, b"%PDF-"),
        "docx" => (DocKind::Docx, b"PK\x03\x04"),
        "doc" => (DocKind::Doc, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"),
        _ => return Err(Problem::new("problem.doc_type")),
    };
    if !bytes.starts_with(magic) {
        return Err(Problem::new("problem.doc_content"));
    }
    Ok(kind)
}

/// A file name safe to store and to send back in a header: the last path
/// part, without quotes or control characters, at most 100 characters;
/// the extension always matches the kind.
pub fn safe_file_name(raw: &str, kind: DocKind) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = last.rsplit_once('.').map_or(last, |(s, _)| s);
    let clean: String = stem
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{22}' | '\u{27}' | ';' | '<' | '>' | '`'))
        .take(100)
        .collect();
    let stem = if clean.trim().is_empty() {
        "plan".to_string()
    } else {
        clean.trim().to_string()
    };
    format!("{stem}.{}", kind.code())
}

// ---- drills ----

coded!(
    Scenario,
    "scenario",
    [
        Earthquake = "earthquake",
        Fire = "fire",
        Flood = "flood",
        HazardousChemicals = "hazchem",
        PublicHealth = "public_health",
        Other = "other",
    ]
);

coded!(
    /// 桌面推演, 功能演练, 实战演练.
    DrillFormat, "drill_format", [
        Tabletop = "tabletop",
        Functional = "functional",
        FullScale = "full_scale",
    ]
);

coded!(
    DrillStatus,
    "drill_status",
    [Planned = "planned", Held = "held", Evaluated = "evaluated",]
);

/// A drill as the organizer fills it in. Ticked plans and units come as
/// `id → "on"`; people as their numbers separated by spaces, commas or 、.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DrillForm {
    pub title: String,
    pub scenario: String,
    pub format: String,
    pub plans: BTreeMap<String, String>,
    pub organizer_unit_id: String,
    pub units: BTreeMap<String, String>,
    pub people: String,
    /// People ticked in the picker, by number (`form[picked][P1]`), added
    /// to those typed.
    #[serde(default)]
    pub picked: BTreeMap<String, String>,
    pub start: String,
    pub end: String,
    pub place: String,
    /// One objective per line.
    pub objectives: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillDef {
    pub title: String,
    pub scenario: Scenario,
    pub format: DrillFormat,
    pub plan_ids: Vec<i64>,
    pub organizer_unit_id: i64,
    /// Participating units besides the organizer.
    pub unit_ids: Vec<i64>,
    pub person_codes: Vec<String>,
    pub start: i64,
    pub end: i64,
    pub place: String,
    pub objectives: Vec<String>,
}

/// A drill may last at most two weeks.
const MAX_DRILL_SECS: i64 = 14 * 24 * 3600;
const MAX_OBJECTIVES: usize = 20;
const MAX_PEOPLE: usize = 2000;
/// Units or plans one drill may tick: a district has a few hundred units.
const MAX_TICKED: usize = 2000;

fn ticked_ids(map: &BTreeMap<String, String>, field: &str) -> Result<Vec<i64>, FieldProblem> {
    let mut ids = Vec::new();
    for (k, v) in map {
        if v.is_empty() {
            continue;
        }
        if ids.len() == MAX_TICKED {
            return Err(at(
                field,
                Problem::with("problem.too_many", &[&MAX_TICKED.to_string()]),
            ));
        }
        let id = k.trim().parse::<i64>().map_err(|_| {
            at(
                field,
                Problem::with("problem.unknown_choice", &[k.as_str()]),
            )
        })?;
        ids.push(id);
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

impl DrillForm {
    pub fn from_def(d: &DrillDef, person_codes: &[String]) -> DrillForm {
        let ticks = |ids: &[i64]| ids.iter().map(|i| (i.to_string(), "on".into())).collect();
        DrillForm {
            title: d.title.clone(),
            scenario: d.scenario.code().into(),
            format: d.format.code().into(),
            plans: ticks(&d.plan_ids),
            organizer_unit_id: d.organizer_unit_id.to_string(),
            units: ticks(&d.unit_ids),
            people: person_codes.join(" "),
            picked: BTreeMap::new(),
            start: super::calendar::input_instant(d.start),
            end: super::calendar::input_instant(d.end),
            place: d.place.clone(),
            objectives: d.objectives.join("\n"),
        }
    }

    pub fn parse(&self) -> Result<DrillDef, FieldProblem> {
        let title = text_field(&self.title, 2, 100).map_err(|p| at("field.title", p))?;
        let scenario = Scenario::parse(&self.scenario).map_err(|p| at("field.scenario", p))?;
        let format = DrillFormat::parse(&self.format).map_err(|p| at("field.drill_format", p))?;
        let plan_ids = ticked_ids(&self.plans, "field.plans_exercised")?;
        let organizer_unit_id = self
            .organizer_unit_id
            .trim()
            .parse::<i64>()
            .map_err(|_| at("field.organizer_unit", Problem::new("problem.pick_unit")))?;
        let unit_ids: Vec<i64> = ticked_ids(&self.units, "field.participating_units")?
            .into_iter()
            .filter(|u| *u != organizer_unit_id)
            .collect();
        let mut person_codes = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let ticked = self
            .picked
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, _)| k.as_str());
        for raw in self
            .people
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
            .filter(|s| !s.is_empty())
            .chain(ticked)
        {
            let code = code_field(raw).map_err(|p| {
                at(
                    "field.participants",
                    Problem::with("problem.bad_person_code", &[raw, &p.key]),
                )
            })?;
            if seen.insert(code.clone()) {
                person_codes.push(code);
            }
            if person_codes.len() > MAX_PEOPLE {
                return Err(at(
                    "field.participants",
                    Problem::with("problem.too_many", &[&MAX_PEOPLE.to_string()]),
                ));
            }
        }
        let start = local_instant(&self.start).map_err(|p| at("field.start_time", p))?;
        let end = local_instant(&self.end).map_err(|p| at("field.end_time", p))?;
        if end <= start {
            return Err(at(
                "field.end_time",
                Problem::new("problem.end_before_start"),
            ));
        }
        if end - start > MAX_DRILL_SECS {
            return Err(at("field.end_time", Problem::new("problem.drill_too_long")));
        }
        let place = text_field(&self.place, 2, 100).map_err(|p| at("field.place", p))?;
        let mut objectives = Vec::new();
        for (i, line) in self
            .objectives
            .lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
        {
            let o = text_field(line, 2, 200)
                .map_err(|p| at(&row_field("field.objective_row", i, "field.objective"), p))?;
            objectives.push(o);
        }
        if objectives.is_empty() {
            return Err(at("field.objectives", Problem::new("problem.required")));
        }
        if objectives.len() > MAX_OBJECTIVES {
            return Err(at(
                "field.objectives",
                Problem::with("problem.too_many", &[&MAX_OBJECTIVES.to_string()]),
            ));
        }
        Ok(DrillDef {
            title,
            scenario,
            format,
            plan_ids,
            organizer_unit_id,
            unit_ids,
            person_codes,
            start,
            end,
            place,
            objectives,
        })
    }
}

impl DrillDef {
    /// The organizer and every participating unit.
    pub fn all_units(&self) -> Vec<i64> {
        let mut all = vec![self.organizer_unit_id];
        all.extend(self.unit_ids.iter().copied());
        all
    }
}

/// May the caller see a plan or drill of the unit at `path` (a drill's
/// organizer)? Whoever views or keeps drills there, and anyone whose own
/// unit it concerns (`own_takes_part`: the plan's unit, or a unit that
/// takes part in the drill).
pub fn may_see(me: &Principal, path: &str, own_takes_part: bool) -> bool {
    me.may_at(Action::ViewDrills, path) || me.may_at(Action::ManageDrills, path) || own_takes_part
}

/// May a planned drill be marked held? Not before it starts.
pub fn may_hold(status: DrillStatus, start: i64, now: i64) -> Result<(), Problem> {
    if status != DrillStatus::Planned {
        return Err(Problem::new("problem.drill_not_planned"));
    }
    if now < start {
        return Err(Problem::new("problem.drill_not_started"));
    }
    Ok(())
}

// ---- clashes ----

/// Something already booked: another drill, or a training batch someone
/// sits in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub what: Booked,
    pub span: Span,
    pub place: String,
    pub unit_ids: Vec<i64>,
    pub person_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Booked {
    Drill {
        id: i64,
        title: String,
    },
    Training {
        batch_id: i64,
        title: String,
    },
    /// A leader's approved absence (领导外出请假). It has no title: where a
    /// leader goes is seen only on the absences page, by those who see the
    /// unit's duty, while a drill's clashes are shown to all its viewers.
    Absence {
        id: i64,
    },
}

impl Booked {
    pub fn title(&self) -> &str {
        match self {
            Booked::Drill { title, .. } | Booked::Training { title, .. } => title,
            Booked::Absence { .. } => "",
        }
    }
}

/// What clashes, with what, and when that other booking runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clash {
    pub kind: ClashKind,
    pub with: Booked,
    pub start: i64,
    pub end: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClashKind {
    /// The same place at an overlapping time.
    Place(String),
    /// A unit in another drill at an overlapping time.
    Unit(i64),
    /// A person in another drill at an overlapping time.
    Person(i64),
    /// A person away in a training batch.
    Training(i64),
    /// A leader away on an approved absence.
    Away(i64),
}

impl ClashKind {
    pub fn label_key(&self) -> &'static str {
        match self {
            ClashKind::Place(_) => "clash.place",
            ClashKind::Unit(_) => "clash.unit",
            ClashKind::Person(_) => "clash.person",
            ClashKind::Training(_) => "clash.training",
            ClashKind::Away(_) => "clash.away",
        }
    }
}

/// Places compare without case, spaces or full-width differences in
/// spacing: "一中 操场" and "一中操场" are one place.
pub fn same_place(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    !a.trim().is_empty() && norm(a) == norm(b)
}

/// Every clash between a drill (its span, place, units and people) and
/// what is already booked, in the order of the bookings given.
pub fn clashes(
    span: Span,
    place: &str,
    unit_ids: &[i64],
    person_ids: &[i64],
    booked: &[Booking],
) -> Vec<Clash> {
    let units: HashSet<i64> = unit_ids.iter().copied().collect();
    let people: HashSet<i64> = person_ids.iter().copied().collect();
    let mut out = Vec::new();
    for b in booked.iter().filter(|b| b.span.overlaps(span)) {
        let (start, end) = b.span.instants();
        let mut push = |kind| {
            out.push(Clash {
                kind,
                with: b.what.clone(),
                start,
                end,
            })
        };
        if same_place(place, &b.place) {
            push(ClashKind::Place(b.place.clone()));
        }
        match b.what {
            Booked::Drill { .. } => {
                for u in b.unit_ids.iter().filter(|u| units.contains(u)) {
                    push(ClashKind::Unit(*u));
                }
                for p in b.person_ids.iter().filter(|p| people.contains(p)) {
                    push(ClashKind::Person(*p));
                }
            }
            Booked::Training { .. } => {
                for p in b.person_ids.iter().filter(|p| people.contains(p)) {
                    push(ClashKind::Training(*p));
                }
            }
            Booked::Absence { .. } => {
                for p in b.person_ids.iter().filter(|p| people.contains(p)) {
                    push(ClashKind::Away(*p));
                }
            }
        }
    }
    out
}

// ---- after the drill ----

coded!(
    Rating,
    "rating",
    [
        Excellent = "excellent",
        Good = "good",
        Fair = "fair",
        Poor = "poor",
    ]
);

/// One objective's evaluation as the form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EvaluationRowForm {
    pub rating: String,
    pub findings: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationRow {
    pub rating: Rating,
    pub findings: String,
}

/// An evaluation rates every objective, in order; findings may be empty
/// only where the rating is excellent.
pub fn parse_evaluation(
    rows: &[EvaluationRowForm],
    objectives: usize,
) -> Result<Vec<EvaluationRow>, FieldProblem> {
    if rows.len() != objectives {
        return Err(at(
            "field.evaluation",
            Problem::new("problem.rate_every_objective"),
        ));
    }
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let rating = Rating::parse(&r.rating)
                .map_err(|p| at(&row_field("field.objective_row", i, "field.rating"), p))?;
            let min = usize::from(rating != Rating::Excellent);
            let findings = text_field(&r.findings.replace(['\r', '\n'], " "), min, 1000)
                .map_err(|p| at(&row_field("field.objective_row", i, "field.findings"), p))?;
            Ok(EvaluationRow { rating, findings })
        })
        .collect()
}

/// A corrective action as the form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub description: String,
    pub owner_unit_id: String,
    pub due_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionDef {
    pub description: String,
    pub owner_unit_id: i64,
    pub due_on: NaiveDate,
}

impl ActionForm {
    pub fn parse(&self) -> Result<ActionDef, FieldProblem> {
        let description =
            text_field(&self.description, 2, 500).map_err(|p| at("field.action", p))?;
        let owner_unit_id = self
            .owner_unit_id
            .trim()
            .parse::<i64>()
            .map_err(|_| at("field.owner_unit", Problem::new("problem.pick_unit")))?;
        let due_on = iso_date(&self.due_on).map_err(|p| at("field.due_on", p))?;
        Ok(ActionDef {
            description,
            owner_unit_id,
            due_on,
        })
    }
}

/// An open action is overdue from the day after its due date.
pub fn action_overdue(due_on: NaiveDate, closed: bool, today: NaiveDate) -> bool {
    !closed && today > due_on
}

// ---- the drills_held metric ----

/// Drills each unit required to have a plan must hold in a year.
pub const DRILLS_REQUIRED_PER_YEAR: i64 = 2;

/// The `drills_held` metric: for every required unit, drills it held
/// (organized or took part in) in the year, up to the requirement, over
/// the requirement.
pub fn drills_metric(units: &[(i64, UnitKind)], held: &HashMap<i64, i64>) -> Vec<(i64, i64, i64)> {
    units
        .iter()
        .filter(|(_, k)| REQUIRED_KINDS.contains(k))
        .map(|&(id, _)| {
            let n = held.get(&id).copied().unwrap_or(0);
            (
                id,
                n.min(DRILLS_REQUIRED_PER_YEAR),
                DRILLS_REQUIRED_PER_YEAR,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> i64 {
        local_instant(s).unwrap()
    }

    #[test]
    fn a_plan_walks_draft_to_filed_and_no_step_is_skipped() {
        let mut s = PlanStatus::Draft;
        assert_eq!(
            s.after(PlanStep::File).unwrap_err().key,
            "problem.plan_step_not_allowed"
        );
        for step in [PlanStep::Approve, PlanStep::Publish, PlanStep::File] {
            s = s.after(step).unwrap();
        }
        assert_eq!(s, PlanStatus::Filed);
        assert!(s.may_revise());
        assert!(s.steps().is_empty());
        assert_eq!(
            PlanStatus::Approved.after(PlanStep::Return),
            Ok(PlanStatus::Draft)
        );
        assert!(PlanStatus::Published.after(PlanStep::Return).is_err());
        assert!(!PlanStatus::Published.may_revise());
    }

    #[test]
    fn a_drill_is_seen_within_reach_or_by_a_unit_that_takes_part() {
        use crate::account::Role;
        use crate::authz::{Grant, Scope};
        let who = |role, path: &str| Principal {
            account_id: 1,
            username: "u".into(),
            display_name: "U".into(),
            person_id: Some(1),
            grants: vec![Grant {
                role,
                scope: Scope::Subtree {
                    unit_id: 0,
                    path: path.into(),
                    unit_name: "x".into(),
                },
            }],
        };
        let organizer = who(Role::Organizer, "/1/");
        assert!(may_see(&organizer, "/1/5/", false));
        assert!(!may_see(&organizer, "/2/", false));
        assert!(may_see(&organizer, "/2/", true), "its own unit takes part");
        let trainee = who(Role::Trainee, "/1/");
        assert!(!may_see(&trainee, "/1/", false));
        assert!(may_see(&trainee, "/1/", true));
    }

    fn written_by(drafter: i64) -> Authors {
        Authors {
            drafted_by: Some(drafter),
            edited_by: Vec::new(),
            document_by: Some(drafter),
        }
    }

    #[test]
    fn a_plan_is_approved_only_by_someone_who_did_not_write_it() {
        let a = written_by(7);
        assert_eq!(
            check_step(PlanStatus::Draft, PlanStep::Approve, Some(7), &a, true),
            Err(Problem::new("problem.plan_own_draft"))
        );
        assert_eq!(
            check_step(PlanStatus::Draft, PlanStep::Approve, Some(8), &a, true),
            Ok(PlanStatus::Approved)
        );
        // Whoever changed the draft or uploaded its document wrote it too.
        let b = Authors {
            drafted_by: Some(7),
            edited_by: vec![8, 10],
            document_by: Some(9),
        };
        for who in [7, 8, 9, 10] {
            assert!(check_step(PlanStatus::Draft, PlanStep::Approve, Some(who), &b, true).is_err());
        }
        assert_eq!(
            check_step(PlanStatus::Draft, PlanStep::Approve, None, &a, true),
            Err(Problem::new("problem.plan_own_draft")),
            "an approver without an account is no second person"
        );
        // The drafter publishes and files what another approved.
        assert!(check_step(PlanStatus::Approved, PlanStep::Publish, Some(7), &a, true).is_ok());
        assert!(check_step(PlanStatus::Published, PlanStep::File, Some(7), &a, true).is_ok());
    }

    #[test]
    fn a_plan_without_its_document_is_neither_approved_nor_filed() {
        let a = written_by(7);
        for (status, step) in [
            (PlanStatus::Draft, PlanStep::Approve),
            (PlanStatus::Published, PlanStep::File),
        ] {
            assert_eq!(
                check_step(status, step, Some(8), &a, false),
                Err(Problem::new("problem.plan_needs_document"))
            );
        }
        assert_eq!(
            check_step(PlanStatus::Draft, PlanStep::File, Some(8), &a, true),
            Err(Problem::new("problem.plan_step_not_allowed"))
        );
    }

    #[test]
    fn the_document_is_frozen_at_approval() {
        assert!(PlanStatus::Draft.may_replace_document());
        for s in [
            PlanStatus::Approved,
            PlanStatus::Published,
            PlanStatus::Filed,
            PlanStatus::Superseded,
        ] {
            assert!(!s.may_replace_document(), "{s:?}");
        }
    }

    #[test]
    fn a_plan_is_in_force_when_filed_until_its_revision_date() {
        let by = d("2019-12-31");
        assert!(in_force(PlanStatus::Filed, by, d("2019-12-31")));
        assert!(!in_force(PlanStatus::Filed, by, d("2020-01-01")));
        assert!(!in_force(PlanStatus::Published, by, d("2018-06-01")));
        assert!(!in_force(PlanStatus::Superseded, by, d("2018-06-01")));
    }

    #[test]
    fn coverage_counts_required_kinds_and_lists_who_pulls_it_down() {
        let units = [
            (1, UnitKind::Subdistrict),
            (2, UnitKind::Department),
            (3, UnitKind::Department),
            (4, UnitKind::Village),
            (5, UnitKind::School),
        ];
        let c = plan_coverage(&units, &[1, 2, 4].into());
        assert_eq!(
            c.overall,
            Share {
                covered: 2,
                required: 4
            }
        );
        assert_eq!(c.missing, vec![3, 5]);
        assert_eq!(
            c.by_kind,
            vec![
                (
                    UnitKind::Subdistrict,
                    Share {
                        covered: 1,
                        required: 1
                    }
                ),
                (
                    UnitKind::Department,
                    Share {
                        covered: 1,
                        required: 2
                    }
                ),
                (
                    UnitKind::School,
                    Share {
                        covered: 0,
                        required: 1
                    }
                ),
            ]
        );
        assert_eq!(c.overall.permille(), 500);
    }

    #[test]
    fn ninety_seven_percent_meets_the_target_and_a_hair_less_does_not() {
        let s = |covered, required| Share { covered, required };
        assert!(s(97, 100).meets_target());
        assert!(!s(96, 100).meets_target());
        assert!(!s(3298, 3401).meets_target()); // 96.97%
        assert_eq!(s(3298, 3401).permille(), 969);
        assert!(s(3299, 3401).meets_target()); // 97.0006%
        assert!(s(0, 0).meets_target());
    }

    #[test]
    fn special_and_department_plans_not_drilled_for_three_years_are_flagged() {
        let since = d("2015-05-12");
        assert!(!drill_overdue(PlanKind::Special, since, d("2018-05-12")));
        assert!(drill_overdue(PlanKind::Special, since, d("2018-05-13")));
        assert!(drill_overdue(PlanKind::Department, since, d("2019-01-01")));
        assert!(!drill_overdue(PlanKind::Overall, since, d("2025-01-01")));
        assert!(!drill_overdue(PlanKind::OnSite, since, d("2025-01-01")));
    }

    #[test]
    fn a_plan_form_names_the_field_and_refuses_a_past_revision_date() {
        let mut f = PlanForm {
            unit_id: "3".into(),
            kind: "special".into(),
            title: "地震应急预案".into(),
            revise_by: "2020-12-31".into(),
            summary: "第一行\r\n第二行".into(),
        };
        let def = f.parse(d("2018-06-01")).unwrap();
        assert_eq!(def.kind, PlanKind::Special);
        assert_eq!(def.summary, "第一行  第二行");
        assert_eq!(PlanForm::from_def(&def).parse(d("2018-06-01")), Ok(def));
        f.revise_by = "2018-05-31".into();
        assert_eq!(
            f.parse(d("2018-06-01")).unwrap_err(),
            at("field.revise_by", Problem::new("problem.date_past"))
        );
        f.kind = "secret".into();
        assert_eq!(f.parse(d("2018-06-01")).unwrap_err().0, "field.plan_kind");
    }

    #[test]
    fn documents_are_checked_by_name_and_by_content() {
        assert_eq!(document_kind("预案.PDF", b"%PDF-1.7 ..."), Ok(DocKind::Pdf));
        assert_eq!(
            document_kind("a.docx", b"PK\x03\x04word/document.xml"),
            Ok(DocKind::Docx)
        );
        assert_eq!(
            document_kind("a.doc", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"),
            Ok(DocKind::Doc)
        );
        assert_eq!(
            document_kind("a.pdf", b"<html><script>").unwrap_err().key,
            "problem.doc_content"
        );
        assert_eq!(
            document_kind("a.exe", b"MZ").unwrap_err().key,
            "problem.doc_type"
        );
        assert_eq!(
            document_kind("a.pdf", b"").unwrap_err().key,
            "problem.empty_file"
        );
        let big = vec![b'%'; MAX_DOCUMENT_BYTES + 1];
        assert_eq!(
            document_kind("a.pdf", &big).unwrap_err(),
            Problem::with("problem.file_too_big", &["10"])
        );
    }

    #[test]
    fn a_stored_file_name_has_no_path_quotes_or_wrong_extension() {
        assert_eq!(
            safe_file_name("C:\\tmp\\..\\地震\"预案\".pdf", DocKind::Pdf),
            "地震预案.pdf"
        );
        assert_eq!(
            safe_file_name("../../etc/passwd", DocKind::Doc),
            "passwd.doc"
        );
        assert_eq!(safe_file_name("\n.docx", DocKind::Docx), "plan.docx");
    }

    fn drill_form() -> DrillForm {
        DrillForm {
            title: "地震疏散演练".into(),
            scenario: "earthquake".into(),
            format: "full_scale".into(),
            plans: [("7".into(), "on".into()), ("9".into(), "".into())].into(),
            organizer_unit_id: "2".into(),
            units: [("2".into(), "on".into()), ("5".into(), "on".into())].into(),
            people: "JD01-001, JD01-002、JD01-001\nGA-01".into(),
            // Ticked in the picker: one new, one typed too, one unticked.
            picked: [
                ("JD01-003".into(), "1".into()),
                ("GA-01".into(), "1".into()),
                ("JD01-009".into(), "".into()),
            ]
            .into(),
            start: "2018-05-12T09:00".into(),
            end: "2018-05-12T11:30".into(),
            place: "一中操场".into(),
            objectives: "疏散时间不超过 5 分钟\n\n 伤员转运 \n".into(),
        }
    }

    #[test]
    fn a_drill_form_reads_ticks_people_and_objectives() {
        let def = drill_form().parse().unwrap();
        assert_eq!(def.plan_ids, vec![7]);
        assert_eq!(def.unit_ids, vec![5], "the organizer is not repeated");
        assert_eq!(def.all_units(), vec![2, 5]);
        // Typed, then ticked in the picker; each once.
        assert_eq!(
            def.person_codes,
            vec!["JD01-001", "JD01-002", "GA-01", "JD01-003"]
        );
        assert_eq!(def.objectives, vec!["疏散时间不超过 5 分钟", "伤员转运"]);
        assert_eq!(def.end - def.start, 150 * 60);
        let back = DrillForm::from_def(&def, &def.person_codes);
        assert_eq!(back.parse(), Ok(def));
    }

    #[test]
    fn a_drill_form_names_what_is_wrong() {
        let mut f = drill_form();
        f.end = "2018-05-12T08:00".into();
        assert_eq!(
            f.parse().unwrap_err(),
            at("field.end_time", Problem::new("problem.end_before_start"))
        );
        let mut f = drill_form();
        f.objectives = "好\n".into();
        assert_eq!(
            f.parse().unwrap_err().0,
            "field.objective_row:1:field.objective"
        );
        let mut f = drill_form();
        f.people = "JD01 <script>".into();
        assert_eq!(f.parse().unwrap_err().0, "field.participants");
        // A form with 170,000 ticked units or codes stops at the limit,
        // before any lookup.
        let mut f = drill_form();
        f.units = (0..170_000)
            .map(|i| (i.to_string(), "on".to_string()))
            .collect();
        assert_eq!(
            f.parse().unwrap_err(),
            at(
                "field.participating_units",
                Problem::with("problem.too_many", &["2000"])
            )
        );
        let mut f = drill_form();
        f.people = (0..170_000)
            .map(|i| format!("P{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            f.parse().unwrap_err(),
            at(
                "field.participants",
                Problem::with("problem.too_many", &["2000"])
            )
        );
        let mut f = drill_form();
        f.scenario = "".into();
        assert_eq!(
            f.parse().unwrap_err(),
            at("field.scenario", Problem::new("problem.required"))
        );
        let mut f = drill_form();
        f.end = "2018-06-12T08:00".into();
        assert_eq!(f.parse().unwrap_err().1.key, "problem.drill_too_long");
    }

    #[test]
    fn a_drill_is_held_only_once_it_has_started() {
        let start = t("2018-05-12T09:00");
        assert_eq!(
            may_hold(DrillStatus::Planned, start, start - 60)
                .unwrap_err()
                .key,
            "problem.drill_not_started"
        );
        assert_eq!(may_hold(DrillStatus::Planned, start, start), Ok(()));
        assert!(may_hold(DrillStatus::Held, start, start + 60).is_err());
    }

    fn booked() -> Vec<Booking> {
        vec![
            Booking {
                what: Booked::Drill {
                    id: 1,
                    title: "消防演练".into(),
                },
                span: Span::Times {
                    start: t("2018-05-12T10:00"),
                    end: t("2018-05-12T12:00"),
                },
                place: "一中 操场".into(),
                unit_ids: vec![5, 8],
                person_ids: vec![100, 101],
            },
            Booking {
                what: Booked::Training {
                    batch_id: 3,
                    title: "轮训 B1".into(),
                },
                span: Span::Days {
                    start: d("2018-05-10"),
                    end: d("2018-05-12"),
                },
                place: "区应急办".into(),
                unit_ids: vec![],
                person_ids: vec![102],
            },
            Booking {
                what: Booked::Drill {
                    id: 2,
                    title: "次日演练".into(),
                },
                span: Span::Times {
                    start: t("2018-05-13T09:00"),
                    end: t("2018-05-13T10:00"),
                },
                place: "一中操场".into(),
                unit_ids: vec![5],
                person_ids: vec![100],
            },
        ]
    }

    #[test]
    fn every_clash_is_named_with_what_it_clashes_with() {
        let span = Span::Times {
            start: t("2018-05-12T09:00"),
            end: t("2018-05-12T11:30"),
        };
        let found = clashes(span, "一中操场", &[2, 5], &[100, 102, 103], &booked());
        let kinds: Vec<(ClashKind, &str)> = found
            .iter()
            .map(|c| (c.kind.clone(), c.with.title()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (ClashKind::Place("一中 操场".into()), "消防演练"),
                (ClashKind::Unit(5), "消防演练"),
                (ClashKind::Person(100), "消防演练"),
                (ClashKind::Training(102), "轮训 B1"),
            ]
        );
        assert_eq!(found[3].start, t("2018-05-10T00:00"));
        assert_eq!(found[3].end, t("2018-05-13T00:00"));
    }

    #[test]
    fn a_leader_away_on_leave_clashes_on_those_days_only_for_that_leader() {
        let away = vec![Booking {
            what: Booked::Absence { id: 7 },
            span: Span::Days {
                start: d("2018-05-11"),
                end: d("2018-05-12"),
            },
            place: String::new(),
            unit_ids: vec![],
            person_ids: vec![200],
        }];
        let on = |day: &str| Span::Times {
            start: t(&format!("{day}T09:00")),
            end: t(&format!("{day}T10:00")),
        };
        let found = clashes(on("2018-05-12"), "", &[5], &[200, 201], &away);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].kind.clone(), &found[0].with),
            (ClashKind::Away(200), &Booked::Absence { id: 7 })
        );
        assert_eq!(found[0].with.title(), "");
        assert_eq!(found[0].kind.label_key(), "clash.away");
        // The day after, or someone else: nothing; an empty place is no place.
        assert!(clashes(on("2018-05-13"), "", &[5], &[200], &away).is_empty());
        assert!(clashes(on("2018-05-12"), "", &[5], &[201], &away).is_empty());
    }

    #[test]
    fn nothing_clashes_at_another_time_or_elsewhere() {
        let span = Span::Times {
            start: t("2018-05-12T12:00"),
            end: t("2018-05-12T14:00"),
        };
        // After the drill (back to back) and the same day as the batch but
        // with other people: no clash.
        assert!(clashes(span, "区政府", &[5], &[100, 101, 999], &booked()).is_empty());
    }

    #[test]
    fn an_evaluation_rates_every_objective_and_wants_findings_below_excellent() {
        let row = |rating: &str, findings: &str| EvaluationRowForm {
            rating: rating.into(),
            findings: findings.into(),
        };
        let ok = parse_evaluation(&[row("excellent", ""), row("fair", "疏散慢")], 2).unwrap();
        assert_eq!(ok[1].rating, Rating::Fair);
        assert_eq!(
            parse_evaluation(&[row("excellent", "")], 2)
                .unwrap_err()
                .1
                .key,
            "problem.rate_every_objective"
        );
        assert_eq!(
            parse_evaluation(&[row("excellent", ""), row("poor", " ")], 2)
                .unwrap_err()
                .0,
            "field.objective_row:2:field.findings"
        );
        assert_eq!(
            parse_evaluation(&[row("", ""), row("good", "x")], 2)
                .unwrap_err()
                .0,
            "field.objective_row:1:field.rating"
        );
    }

    #[test]
    fn an_action_is_overdue_the_day_after_it_is_due_unless_closed() {
        let due = d("2018-06-30");
        assert!(!action_overdue(due, false, due));
        assert!(action_overdue(due, false, d("2018-07-01")));
        assert!(!action_overdue(due, true, d("2018-07-01")));
        let f = ActionForm {
            description: "补充疏散指示牌".into(),
            owner_unit_id: "5".into(),
            due_on: "2018-06-31".into(),
        };
        assert_eq!(
            f.parse().unwrap_err(),
            at("field.due_on", Problem::new("problem.bad_date"))
        );
    }

    #[test]
    fn drills_held_count_up_to_the_requirement_for_required_units_only() {
        let units = [
            (1, UnitKind::Subdistrict),
            (2, UnitKind::School),
            (3, UnitKind::Village),
        ];
        let held: HashMap<i64, i64> = [(1, 5), (3, 1)].into();
        assert_eq!(
            drills_metric(&units, &held),
            vec![
                (1, DRILLS_REQUIRED_PER_YEAR, DRILLS_REQUIRED_PER_YEAR),
                (2, 0, DRILLS_REQUIRED_PER_YEAR)
            ]
        );
    }
}
