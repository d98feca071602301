//! Training rotations around the scheduler: courses and rotation plans as
//! organizers fill them in (checked field by field, naming the row), the
//! checks a manual seat move must pass, training coverage per unit, who is
//! cleared for post (准许上岗), rectification orders, the month calendar and
//! the iCalendar feed. "Today" is always a parameter.

use super::course::{Question, Quiz};
use super::person::Position;
use super::{FieldProblem, Problem, code_field, field_at as at, iso_date, row_field, text_field};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CourseCategory {
    EarlyWarning,
    Monitoring,
    Reporting,
    LeaderCadre,
    EnterpriseSafety,
    EqAssistant,
}

impl CourseCategory {
    pub const ALL: [CourseCategory; 6] = [
        CourseCategory::EarlyWarning,
        CourseCategory::Monitoring,
        CourseCategory::Reporting,
        CourseCategory::LeaderCadre,
        CourseCategory::EnterpriseSafety,
        CourseCategory::EqAssistant,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CourseCategory::EarlyWarning => "early_warning",
            CourseCategory::Monitoring => "monitoring",
            CourseCategory::Reporting => "reporting",
            CourseCategory::LeaderCadre => "leader_cadre",
            CourseCategory::EnterpriseSafety => "enterprise_safety",
            CourseCategory::EqAssistant => "eq_assistant",
        }
    }

    pub fn label_key(self) -> String {
        format!("course_category.{}", self.code())
    }

    pub fn parse(raw: &str) -> Result<CourseCategory, Problem> {
        CourseCategory::ALL
            .into_iter()
            .find(|c| c.code() == raw.trim())
            .ok_or_else(|| Problem::new("problem.pick_category"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lesson {
    pub title: String,
    /// Markdown; rendered by `lesson::render`, which lets no HTML through.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseDef {
    pub code: String,
    pub title: String,
    pub category: CourseCategory,
    pub audience: Vec<Position>,
    /// 学时, whole hours.
    pub hours: i64,
    /// Passing certifies for this many months.
    pub certify_months: Option<u32>,
    pub lessons: Vec<Lesson>,
    pub quiz: Option<Quiz>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LessonForm {
    pub title: String,
    pub body: String,
}

/// How many choice boxes a question row offers.
pub const CHOICES_PER_QUESTION: usize = 4;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuestionForm {
    pub prompt: String,
    /// "on" when several choices may be right.
    pub multiple: String,
    pub choices: Vec<String>,
    /// Ticked right choices: choice index -> anything.
    pub correct: BTreeMap<String, String>,
}

/// The course form as the browser posts it: every field text, rows of
/// lessons and questions (blank rows are ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CourseForm {
    pub code: String,
    pub title: String,
    pub category: String,
    pub audience: BTreeMap<String, String>,
    pub hours: String,
    pub certify_months: String,
    pub pass_percent: String,
    pub attempt_limit: String,
    pub lessons: Vec<LessonForm>,
    pub questions: Vec<QuestionForm>,
}

fn whole(raw: &str, min: i64, max: i64) -> Result<i64, Problem> {
    match raw.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        Ok(_) => Err(Problem::with(
            "problem.between",
            &[&min.to_string(), &max.to_string()],
        )),
        Err(_) if raw.trim().is_empty() => Err(Problem::new("problem.required")),
        Err(_) => Err(Problem::new("problem.not_a_number")),
    }
}

fn optional_whole(raw: &str, min: i64, max: i64) -> Result<Option<i64>, Problem> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        whole(raw, min, max).map(Some)
    }
}

fn positions(
    ticked: &BTreeMap<String, String>,
    field: &str,
) -> Result<Vec<Position>, FieldProblem> {
    let mut list = Vec::new();
    for code in ticked.keys() {
        list.push(Position::parse(code).map_err(|p| at(field, p))?);
    }
    list.sort();
    list.dedup();
    if list.is_empty() {
        return Err(at(field, Problem::new("problem.pick_position")));
    }
    Ok(list)
}

impl QuestionForm {
    fn is_blank(&self) -> bool {
        self.prompt.trim().is_empty() && self.choices.iter().all(|c| c.trim().is_empty())
    }

    fn parse(&self, row: usize) -> Result<Question, FieldProblem> {
        let field = |f: &str| row_field("field.question_row", row, f);
        let prompt = text_field(&self.prompt, 1, 500).map_err(|p| (field("field.prompt"), p))?;
        let mut choices = Vec::new();
        let mut renumber = HashMap::new();
        for (i, c) in self.choices.iter().enumerate() {
            if !c.trim().is_empty() {
                let text = text_field(c, 1, 200).map_err(|p| (field("field.choices"), p))?;
                renumber.insert(i, choices.len());
                choices.push(text);
            }
        }
        let mut correct = Vec::new();
        for key in self.correct.keys() {
            match key.parse::<usize>().ok().and_then(|i| renumber.get(&i)) {
                Some(&i) => correct.push(i),
                None => {
                    return Err((
                        field("field.correct"),
                        Problem::new("problem.bad_correct_choice"),
                    ));
                }
            }
        }
        correct.sort_unstable();
        Ok(Question {
            prompt,
            choices,
            correct,
            multiple: !self.multiple.trim().is_empty(),
        })
    }
}

impl CourseForm {
    /// Checks every field; the first problem names its field and row.
    pub fn parse(&self) -> Result<CourseDef, FieldProblem> {
        let code = code_field(&self.code).map_err(|p| at("field.code", p))?;
        let title = text_field(&self.title, 1, 80).map_err(|p| at("field.title", p))?;
        let category =
            CourseCategory::parse(&self.category).map_err(|p| at("field.category", p))?;
        let audience = positions(&self.audience, "field.audience")?;
        let hours = whole(&self.hours, 1, 500).map_err(|p| at("field.hours", p))?;
        let certify_months = optional_whole(&self.certify_months, 1, 120)
            .map_err(|p| at("field.certify_months", p))?
            .map(|m| m as u32);
        let mut lessons = Vec::new();
        for (i, l) in self.lessons.iter().enumerate() {
            if l.title.trim().is_empty() && l.body.trim().is_empty() {
                continue;
            }
            let title = text_field(&l.title, 1, 80)
                .map_err(|p| (row_field("field.lesson_row", i, "field.title"), p))?;
            if l.body.trim().is_empty() {
                return Err((
                    row_field("field.lesson_row", i, "field.body"),
                    Problem::new("problem.required"),
                ));
            }
            if l.body.chars().count() > 20_000 {
                return Err((
                    row_field("field.lesson_row", i, "field.body"),
                    Problem::with("problem.too_long", &["20000"]),
                ));
            }
            lessons.push(Lesson {
                title,
                body: l.body.replace("\r\n", "\n"),
            });
        }
        let mut questions = Vec::new();
        for (i, q) in self.questions.iter().enumerate() {
            if !q.is_blank() {
                questions.push((i, q.parse(i)?));
            }
        }
        let quiz = if questions.is_empty() {
            None
        } else {
            let pass_percent =
                whole(&self.pass_percent, 1, 100).map_err(|p| at("field.pass_percent", p))?;
            let attempt_limit = optional_whole(&self.attempt_limit, 1, 99)
                .map_err(|p| at("field.attempt_limit", p))?;
            let rows: Vec<usize> = questions.iter().map(|(i, _)| *i).collect();
            let quiz = Quiz {
                questions: questions.into_iter().map(|(_, q)| q).collect(),
                pass_percent: pass_percent as u32,
                attempt_limit: attempt_limit.map(|n| n as u32),
            };
            // The quiz's own check counts questions among the filled rows;
            // name the row as the organizer sees it.
            quiz.check().map_err(|(field, p)| {
                let renamed = match field.split(':').collect::<Vec<_>>()[..] {
                    [table, n, name] => n
                        .parse::<usize>()
                        .ok()
                        .and_then(|n| rows.get(n - 1))
                        .map(|r| row_field(table, *r, name))
                        .unwrap_or(field.clone()),
                    _ => field.clone(),
                };
                (renamed, p)
            })?;
            Some(quiz)
        };
        Ok(CourseDef {
            code,
            title,
            category,
            audience,
            hours,
            certify_months,
            lessons,
            quiz,
        })
    }

    /// The form for a stored course, with `spare` blank rows to fill.
    pub fn from_def(def: &CourseDef, spare: usize) -> CourseForm {
        let mut lessons: Vec<LessonForm> = def
            .lessons
            .iter()
            .map(|l| LessonForm {
                title: l.title.clone(),
                body: l.body.clone(),
            })
            .collect();
        lessons.extend((0..spare).map(|_| LessonForm::default()));
        let mut questions: Vec<QuestionForm> = def
            .quiz
            .iter()
            .flat_map(|q| q.questions.iter())
            .map(|q| {
                let mut choices = q.choices.clone();
                choices.resize(choices.len().max(CHOICES_PER_QUESTION), String::new());
                QuestionForm {
                    prompt: q.prompt.clone(),
                    multiple: if q.multiple {
                        "on".into()
                    } else {
                        String::new()
                    },
                    choices,
                    correct: q
                        .correct
                        .iter()
                        .map(|c| (c.to_string(), "on".to_string()))
                        .collect(),
                }
            })
            .collect();
        questions.extend((0..spare).map(|_| QuestionForm {
            choices: vec![String::new(); CHOICES_PER_QUESTION],
            ..QuestionForm::default()
        }));
        CourseForm {
            code: def.code.clone(),
            title: def.title.clone(),
            category: def.category.code().into(),
            audience: def
                .audience
                .iter()
                .map(|p| (p.code().to_string(), "on".to_string()))
                .collect(),
            hours: def.hours.to_string(),
            certify_months: def
                .certify_months
                .map(|m| m.to_string())
                .unwrap_or_default(),
            pass_percent: def
                .quiz
                .as_ref()
                .map(|q| q.pass_percent.to_string())
                .unwrap_or_else(|| "60".into()),
            attempt_limit: def
                .quiz
                .as_ref()
                .and_then(|q| q.attempt_limit)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            lessons,
            questions,
        }
    }

    pub fn blank(spare: usize) -> CourseForm {
        let mut f = CourseForm::from_def(
            &CourseDef {
                code: String::new(),
                title: String::new(),
                category: CourseCategory::EarlyWarning,
                audience: vec![],
                hours: 0,
                certify_months: None,
                lessons: vec![],
                quiz: None,
            },
            spare,
        );
        f.category = String::new();
        f.hours = String::new();
        f
    }
}

// ---- rotation plans ----

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchDef {
    pub code: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub place: String,
    pub instructor: String,
    pub capacity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDef {
    pub code: String,
    pub name: String,
    pub year: i32,
    pub course_id: i64,
    pub positions: Vec<Position>,
    /// The subtree the plan trains; `None`: the whole district.
    pub unit_id: Option<i64>,
    pub self_signup: bool,
    pub batches: Vec<BatchDef>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchForm {
    pub code: String,
    pub start: String,
    pub end: String,
    pub place: String,
    pub instructor: String,
    pub capacity: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanForm {
    pub code: String,
    pub name: String,
    pub year: String,
    pub course_id: String,
    pub positions: BTreeMap<String, String>,
    pub unit_id: String,
    pub self_signup: String,
    pub batches: Vec<BatchForm>,
}

impl PlanForm {
    /// Checks every field; the first problem names its field and row. Two
    /// batches that share a day are refused, naming both.
    pub fn parse(&self) -> Result<PlanDef, FieldProblem> {
        let code = code_field(&self.code).map_err(|p| at("field.code", p))?;
        let name = text_field(&self.name, 1, 80).map_err(|p| at("field.name", p))?;
        let year = match self.year.trim().parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => return Err(at("field.year", Problem::new("problem.bad_year"))),
        };
        let course_id = self
            .course_id
            .trim()
            .parse::<i64>()
            .map_err(|_| at("field.course", Problem::new("problem.pick_course")))?;
        let positions = positions(&self.positions, "field.audience")?;
        let unit_id = match self.unit_id.trim() {
            "" => None,
            raw => Some(
                raw.parse::<i64>()
                    .map_err(|_| at("field.unit", Problem::new("problem.no_such_unit")))?,
            ),
        };
        let mut batches: Vec<(usize, BatchDef)> = Vec::new();
        for (i, b) in self.batches.iter().enumerate() {
            let fields = [
                &b.code,
                &b.start,
                &b.end,
                &b.place,
                &b.instructor,
                &b.capacity,
            ];
            if fields.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let field = |f: &str| row_field("field.batch_row", i, f);
            let code = code_field(&b.code).map_err(|p| (field("field.code"), p))?;
            if batches.iter().any(|(_, x)| x.code == code) {
                return Err((
                    field("field.code"),
                    Problem::with("problem.duplicate_code", &[&code]),
                ));
            }
            let start = iso_date(&b.start).map_err(|p| (field("field.start"), p))?;
            let end = iso_date(&b.end).map_err(|p| (field("field.end"), p))?;
            if end < start {
                return Err((
                    field("field.end"),
                    Problem::new("problem.ends_before_start"),
                ));
            }
            if start.year() != year {
                return Err((
                    field("field.start"),
                    Problem::with("problem.outside_year", &[&year.to_string()]),
                ));
            }
            let place = text_field(&b.place, 1, 80).map_err(|p| (field("field.place"), p))?;
            let instructor =
                text_field(&b.instructor, 0, 40).map_err(|p| (field("field.instructor"), p))?;
            let capacity =
                whole(&b.capacity, 1, 10_000).map_err(|p| (field("field.capacity"), p))?;
            if let Some((j, other)) = batches
                .iter()
                .find(|(_, x)| start <= x.end && x.start <= end)
            {
                return Err((
                    field("field.start"),
                    Problem::with(
                        "problem.batches_overlap",
                        &[&(j + 1).to_string(), &other.code],
                    ),
                ));
            }
            batches.push((
                i,
                BatchDef {
                    code,
                    start,
                    end,
                    place,
                    instructor,
                    capacity,
                },
            ));
        }
        if batches.is_empty() {
            return Err(at("field.batches", Problem::new("problem.no_batches")));
        }
        let mut batches: Vec<BatchDef> = batches.into_iter().map(|(_, b)| b).collect();
        batches.sort_by_key(|b| b.start);
        Ok(PlanDef {
            code,
            name,
            year,
            course_id,
            positions,
            unit_id,
            self_signup: !self.self_signup.trim().is_empty(),
            batches,
        })
    }

    pub fn from_def(def: &PlanDef, spare: usize) -> PlanForm {
        let mut batches: Vec<BatchForm> = def
            .batches
            .iter()
            .map(|b| BatchForm {
                code: b.code.clone(),
                start: b.start.to_string(),
                end: b.end.to_string(),
                place: b.place.clone(),
                instructor: b.instructor.clone(),
                capacity: b.capacity.to_string(),
            })
            .collect();
        batches.extend((0..spare).map(|_| BatchForm::default()));
        PlanForm {
            code: def.code.clone(),
            name: def.name.clone(),
            year: def.year.to_string(),
            course_id: def.course_id.to_string(),
            positions: def
                .positions
                .iter()
                .map(|p| (p.code().to_string(), "on".to_string()))
                .collect(),
            unit_id: def.unit_id.map(|u| u.to_string()).unwrap_or_default(),
            self_signup: if def.self_signup {
                "on".into()
            } else {
                String::new()
            },
            batches,
        }
    }

    pub fn blank(year: i32, spare: usize) -> PlanForm {
        PlanForm {
            year: year.to_string(),
            batches: vec![BatchForm::default(); spare],
            ..PlanForm::default()
        }
    }
}

// ---- seats ----

/// A rule a seat would break. Organizers may break one only with an
/// explicit override and a reason; trainees signing up never may.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Breach {
    /// The batch has no free seat.
    Full { capacity: i64 },
    /// The trainee is unavailable on some of the batch's days.
    Unavailable { from: NaiveDate, to: NaiveDate },
    /// Their unit would have fewer than `min_on_duty` at post.
    DutyLimit { unit: String, max_away: i64 },
}

impl Breach {
    pub fn problem(&self) -> Problem {
        match self {
            Breach::Full { capacity } => {
                Problem::with("problem.batch_full", &[&capacity.to_string()])
            }
            Breach::Unavailable { from, to } => Problem::with(
                "problem.trainee_unavailable",
                &[&from.to_string(), &to.to_string()],
            ),
            Breach::DutyLimit { unit, max_away } => {
                Problem::with("problem.duty_limit", &[unit, &max_away.to_string()])
            }
        }
    }
}

/// What a batch looks like to one more trainee of one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatCheck<'a> {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub capacity: i64,
    /// Seats taken, not counting the trainee.
    pub taken: i64,
    pub unit: &'a str,
    pub unit_staff: i64,
    pub unit_min_on_duty: i64,
    /// Of the unit, already in the batch (not counting the trainee).
    pub unit_in_batch: i64,
    pub unavailable: &'a [(NaiveDate, NaiveDate)],
}

/// Every rule one more seat would break; empty when it may be taken.
pub fn seat_breaches(c: &SeatCheck) -> Vec<Breach> {
    let mut found = Vec::new();
    if c.taken >= c.capacity {
        found.push(Breach::Full {
            capacity: c.capacity,
        });
    }
    if let Some(&(from, to)) = c
        .unavailable
        .iter()
        .find(|(from, to)| *from <= c.end && c.start <= *to)
    {
        found.push(Breach::Unavailable { from, to });
    }
    let max_away = (c.unit_staff - c.unit_min_on_duty).max(0);
    if c.unit_in_batch >= max_away {
        found.push(Breach::DutyLimit {
            unit: c.unit.to_string(),
            max_away,
        });
    }
    found
}

// ---- coverage, clearance, rectification ----

/// A unit's training coverage: its required staff who completed every
/// course required of them this year, over its required staff.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    pub required: i64,
    pub completed: i64,
}

impl Coverage {
    /// In tenths of a percent, rounded down; a unit with nobody required
    /// is fully covered.
    pub fn permille(&self) -> i64 {
        if self.required == 0 {
            1000
        } else {
            self.completed * 1000 / self.required
        }
    }

    /// Is it below `percent` (exactly, without rounding)?
    pub fn below(&self, percent: i64) -> bool {
        self.completed * 100 < percent * self.required
    }
}

/// Coverage per unit. `required` lists, for each person a plan of the year
/// targets, their unit and the courses required of them; `done` holds the
/// (person, course) pairs completed this year.
pub fn coverage(
    required: &[(i64, i64, Vec<i64>)],
    done: &HashSet<(i64, i64)>,
) -> BTreeMap<i64, Coverage> {
    let mut out: BTreeMap<i64, Coverage> = BTreeMap::new();
    for (person, unit, courses) in required {
        let c = out.entry(*unit).or_default();
        c.required += 1;
        if courses
            .iter()
            .all(|course| done.contains(&(*person, *course)))
        {
            c.completed += 1;
        }
    }
    out
}

/// Does a plan aimed at `positions` reach someone holding `held`?
pub fn targets(positions: &[Position], held: &[Position]) -> bool {
    positions.iter().any(|p| held.contains(p))
}

/// Whether someone may take up their post: enterprise workers are cleared
/// (准许上岗) only once every enterprise-safety course aimed at them is
/// passed and its certificate (if any) has not expired. `None` for people
/// the rule does not apply to.
pub fn cleared_for_post(
    held: &[Position],
    required_courses: &[i64],
    passed: &HashMap<i64, Option<NaiveDate>>,
    today: NaiveDate,
) -> Option<bool> {
    if !held.contains(&Position::EnterpriseWorker) {
        return None;
    }
    Some(required_courses.iter().all(|c| match passed.get(c) {
        Some(None) => true,
        Some(Some(expires)) => *expires >= today,
        None => false,
    }))
}

/// The state of a rectification order (责令限期整改) on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderState {
    Open,
    Overdue,
    Closed,
}

pub fn order_state(deadline: NaiveDate, closed: bool, today: NaiveDate) -> OrderState {
    if closed {
        OrderState::Closed
    } else if today > deadline {
        OrderState::Overdue
    } else {
        OrderState::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn course_form() -> CourseForm {
        let mut f = CourseForm::blank(2);
        f.code = "YJ-01".into();
        f.title = "懂预警、会监测、能上报".into();
        f.category = "early_warning".into();
        f.audience.insert("em_staff".into(), "on".into());
        f.hours = "8".into();
        f.certify_months = "24".into();
        f.lessons[0] = LessonForm {
            title: "预警".into(),
            body: "# 预警\r\n内容".into(),
        };
        f.questions[1].prompt = "防灾减灾日?".into();
        f.questions[1].choices = vec![
            "".into(),
            "5 月 12 日".into(),
            "".into(),
            "11 月 9 日".into(),
        ];
        f.questions[1].correct.insert("1".into(), "on".into());
        f
    }

    #[test]
    fn a_course_form_skips_blank_rows_and_renumbers_choices() {
        let def = course_form().parse().unwrap();
        assert_eq!(def.lessons.len(), 1);
        assert_eq!(def.lessons[0].body, "# 预警\n内容");
        let quiz = def.quiz.unwrap();
        assert_eq!(quiz.questions.len(), 1);
        assert_eq!(quiz.questions[0].choices, vec!["5 月 12 日", "11 月 9 日"]);
        assert_eq!(quiz.questions[0].correct, vec![0]);
        assert_eq!(quiz.pass_percent, 60);
        assert_eq!(def.certify_months, Some(24));
    }

    #[test]
    fn a_course_form_names_the_row_as_the_organizer_sees_it() {
        let mut f = course_form();
        f.questions[1].correct.clear();
        let (field, p) = f.parse().unwrap_err();
        assert_eq!(field, "field.question_row:2:field.choices");
        assert_eq!(p.key, "problem.bad_correct_choice");

        let mut f = course_form();
        f.questions[1].correct.insert("2".into(), "on".into());
        assert_eq!(
            f.parse().unwrap_err().0,
            "field.question_row:2:field.correct"
        );

        let mut f = course_form();
        f.lessons[1].body = "无标题".into();
        assert_eq!(f.parse().unwrap_err().0, "field.lesson_row:2:field.title");

        let mut f = course_form();
        f.audience.clear();
        assert_eq!(f.parse().unwrap_err().0, "field.audience");
    }

    #[test]
    fn a_stored_course_comes_back_as_the_same_form() {
        let def = course_form().parse().unwrap();
        let again = CourseForm::from_def(&def, 1).parse().unwrap();
        assert_eq!(def, again);
    }

    fn plan_form() -> PlanForm {
        let mut f = PlanForm::blank(2018, 3);
        f.code = "LX-2018".into();
        f.name = "2018 年应急管理人员轮训".into();
        f.course_id = "1".into();
        f.positions.insert("em_staff".into(), "on".into());
        f.batches[0] = BatchForm {
            code: "B2".into(),
            start: "2018-05-07".into(),
            end: "2018-05-08".into(),
            place: "区应急办".into(),
            instructor: "王老师".into(),
            capacity: "20".into(),
        };
        f.batches[2] = BatchForm {
            code: "B1".into(),
            start: "2018-04-02".into(),
            end: "2018-04-04".into(),
            place: "区应急办".into(),
            instructor: String::new(),
            capacity: "30".into(),
        };
        f
    }

    #[test]
    fn a_plan_form_sorts_batches_by_start() {
        let def = plan_form().parse().unwrap();
        let codes: Vec<&str> = def.batches.iter().map(|b| b.code.as_str()).collect();
        assert_eq!(codes, ["B1", "B2"]);
        assert_eq!(PlanForm::from_def(&def, 0).parse().unwrap(), def);
    }

    #[test]
    fn overlapping_batches_are_refused_naming_both() {
        let mut f = plan_form();
        f.batches[2].end = "2018-05-07".into();
        let (field, p) = f.parse().unwrap_err();
        assert_eq!(field, "field.batch_row:3:field.start");
        assert_eq!(p, Problem::with("problem.batches_overlap", &["1", "B2"]));
    }

    #[test]
    fn a_plan_form_refuses_bad_batch_fields_by_row() {
        let mut f = plan_form();
        f.batches[0].end = "2018-05-01".into();
        assert_eq!(f.parse().unwrap_err().0, "field.batch_row:1:field.end");
        let mut f = plan_form();
        f.batches[0].start = "2018-02-30".into();
        assert_eq!(f.parse().unwrap_err().0, "field.batch_row:1:field.start");
        let mut f = plan_form();
        f.batches[0].capacity = "0".into();
        assert_eq!(f.parse().unwrap_err().0, "field.batch_row:1:field.capacity");
        let mut f = plan_form();
        f.batches[2].code = "B2".into();
        assert_eq!(f.parse().unwrap_err().0, "field.batch_row:3:field.code");
        let mut f = plan_form();
        f.batches[0].start = "2019-05-07".into();
        f.batches[0].end = "2019-05-08".into();
        assert_eq!(f.parse().unwrap_err().0, "field.batch_row:1:field.start");
        let mut f = plan_form();
        f.batches = vec![BatchForm::default()];
        assert_eq!(f.parse().unwrap_err().0, "field.batches");
    }

    #[test]
    fn a_seat_names_every_rule_it_would_break() {
        let leave = [(d("2018-04-03"), d("2018-04-10"))];
        let mut c = SeatCheck {
            start: d("2018-04-02"),
            end: d("2018-04-04"),
            capacity: 2,
            taken: 1,
            unit: "GA",
            unit_staff: 5,
            unit_min_on_duty: 4,
            unit_in_batch: 0,
            unavailable: &[],
        };
        assert!(seat_breaches(&c).is_empty());
        c.taken = 2;
        c.unit_in_batch = 1;
        c.unavailable = &leave;
        assert_eq!(
            seat_breaches(&c),
            vec![
                Breach::Full { capacity: 2 },
                Breach::Unavailable {
                    from: d("2018-04-03"),
                    to: d("2018-04-10")
                },
                Breach::DutyLimit {
                    unit: "GA".into(),
                    max_away: 1
                }
            ]
        );
    }

    #[test]
    fn coverage_counts_people_who_completed_everything_required_of_them() {
        let required = vec![
            (1, 10, vec![100]),
            (2, 10, vec![100, 200]),
            (3, 20, vec![100]),
        ];
        let done: HashSet<(i64, i64)> = [(1, 100), (2, 100), (3, 100)].into();
        let c = coverage(&required, &done);
        assert_eq!(
            c[&10],
            Coverage {
                required: 2,
                completed: 1
            }
        );
        assert_eq!(c[&10].permille(), 500);
        assert!(c[&10].below(90));
        assert_eq!(c[&20].permille(), 1000);
        assert!(!c[&20].below(100));
        let two_of_three = Coverage {
            required: 3,
            completed: 2,
        };
        assert_eq!(two_of_three.permille(), 666);
        assert!(two_of_three.below(67));
        assert!(!two_of_three.below(66));
    }

    #[test]
    fn enterprise_workers_are_cleared_only_with_every_safety_course_valid() {
        let today = d("2018-06-01");
        let worker = [Position::EnterpriseWorker];
        let mut passed = HashMap::new();
        assert_eq!(cleared_for_post(&worker, &[7], &passed, today), Some(false));
        passed.insert(7, Some(d("2018-06-01")));
        assert_eq!(cleared_for_post(&worker, &[7], &passed, today), Some(true));
        passed.insert(7, Some(d("2018-05-31")));
        assert_eq!(cleared_for_post(&worker, &[7], &passed, today), Some(false));
        passed.insert(7, None);
        assert_eq!(
            cleared_for_post(&worker, &[7, 8], &passed, today),
            Some(false)
        );
        assert_eq!(
            cleared_for_post(&[Position::EmStaff], &[7], &passed, today),
            None
        );
    }

    #[test]
    fn an_order_is_overdue_the_day_after_its_deadline() {
        let deadline = d("2018-09-30");
        assert_eq!(order_state(deadline, false, deadline), OrderState::Open);
        assert_eq!(
            order_state(deadline, false, d("2018-10-01")),
            OrderState::Overdue
        );
        assert_eq!(
            order_state(deadline, true, d("2018-10-01")),
            OrderState::Closed
        );
    }
}
