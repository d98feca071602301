//! Incident information reports from the units (突发事件信息报告): a
//! unit's 首报 (what, where, when, level, casualties, measures), due within
//! the district's minutes for its level; 续报 as it develops; one 终报 that
//! closes it; and the office's 核报 (verification) request with a deadline,
//! which the unit answers. A 首报 after its deadline, and a 核报 answered
//! late or not at all, each become a `late_report` event. Times are
//! instants (Unix seconds); "now" is a parameter.

use super::incident::{Level, is_late};
use super::{FieldProblem, Problem, count_field, field_at as problem, local_instant, text_field};
use serde::{Deserialize, Serialize};

/// The longest deadline the district may set for a 首报: a day.
pub const MAX_FIRST_MINUTES: i64 = 24 * 60;
/// The most injured or dead one report may count.
pub const MAX_CASUALTIES: u32 = 100_000;
/// How long after an incident its 首报 may still be filed: 30 days
/// (older incidents are the office's to log).
pub const MAX_FIRST_AGE_SECS: i64 = 30 * 86_400;
/// Clocks differ: an incident up to five minutes "in the future" is now.
const CLOCK_SKEW_SECS: i64 = 300;
/// The longest a 核报 may be given: seven days.
pub const MAX_VERIFY_SECS: i64 = 7 * 86_400;

/// A field's value, or its problem kept with the others.
fn keep<T>(problems: &mut Vec<FieldProblem>, r: Result<T, FieldProblem>) -> Option<T> {
    r.map_err(|p| problems.push(p)).ok()
}

/// The district's minutes from occurrence to 首报, per level, in
/// `Level::ALL` order. A graver level never has longer than a lesser one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    pub minutes: [i64; 4],
}

impl Deadlines {
    /// From the form: one whole number of minutes per level, 1..=1440.
    pub fn parse(raw: [&str; 4]) -> Result<Deadlines, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut minutes = [0; 4];
        for (i, level) in Level::ALL.into_iter().enumerate() {
            match raw[i].trim().parse::<i64>() {
                Ok(m) if (1..=MAX_FIRST_MINUTES).contains(&m) => minutes[i] = m,
                _ if raw[i].trim().is_empty() => problems.push(problem(
                    level.deadline_field(),
                    Problem::new("problem.required"),
                )),
                _ => problems.push(problem(
                    level.deadline_field(),
                    Problem::with("problem.between", &["1", &MAX_FIRST_MINUTES.to_string()]),
                )),
            }
        }
        if problems.is_empty() {
            for i in 1..4 {
                if minutes[i] > minutes[i - 1] {
                    problems.push(problem(
                        Level::ALL[i].deadline_field(),
                        Problem::new("problem.deadline_order"),
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(Deadlines { minutes })
        } else {
            Err(problems)
        }
    }

    pub fn minutes(&self, level: Level) -> i64 {
        self.minutes[level as usize]
    }

    /// The instant the 首报 of an incident of `level` at `occurred_at` is due.
    pub fn first_due(&self, level: Level, occurred_at: i64) -> i64 {
        occurred_at + self.minutes(level) * 60
    }

    /// Was a 首报 filed at `reported_at` late? Exactly at the deadline is
    /// on time.
    pub fn first_late(&self, level: Level, occurred_at: i64, reported_at: i64) -> bool {
        is_late(occurred_at, reported_at, self.minutes(level))
    }
}

/// When an incident happened, as typed (`field.occurred_at`): not after
/// `latest` (five minutes' grace, read as `latest`) and at most `span`
/// seconds before it; `[after, before]` name the two problems.
fn occurred(
    raw: &str,
    (latest, span): (i64, i64),
    [after, before]: [&str; 2],
) -> Result<i64, FieldProblem> {
    let at = |key: &str| problem("field.occurred_at", Problem::new(key));
    let t = local_instant(raw).ok_or_else(|| at("problem.bad_datetime"))?;
    if t > latest + CLOCK_SKEW_SECS {
        Err(at(after))
    } else if t < latest - span {
        Err(at(before))
    } else {
        Ok(t.min(latest))
    }
}

/// What kind of report a unit files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Stage {
    /// 首报
    First,
    /// 续报
    Update,
    /// 终报
    Final,
    /// 核报: the answer to the office's verification request.
    Verify,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::First, Stage::Update, Stage::Final, Stage::Verify];

    pub fn code(self) -> &'static str {
        match self {
            Stage::First => "first",
            Stage::Update => "update",
            Stage::Final => "final",
            Stage::Verify => "verify",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Stage::First => "incident.stage_first",
            Stage::Update => "incident.stage_update",
            Stage::Final => "incident.stage_final",
            Stage::Verify => "incident.stage_verify",
        }
    }

    pub fn parse(raw: &str) -> Result<Stage, Problem> {
        match raw.trim() {
            "" => Err(Problem::new("problem.required")),
            other => Stage::ALL
                .into_iter()
                .find(|s| s.code() == other)
                .ok_or_else(|| Problem::with("problem.unknown_value", &[other])),
        }
    }
}

fn count(raw: &str, field: &str) -> Result<u32, FieldProblem> {
    count_field(raw, MAX_CASUALTIES).map_err(|p| problem(field, p))
}

/// A unit's 首报.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstReport {
    pub level: Level,
    pub title: String,
    pub place: String,
    pub occurred_at: i64,
    pub injured: u32,
    pub dead: u32,
    pub measures: String,
}

/// What the 首报 form sends, as typed.
pub struct FirstForm<'a> {
    pub level: &'a str,
    pub title: &'a str,
    pub place: &'a str,
    pub occurred_at: &'a str,
    pub injured: &'a str,
    pub dead: &'a str,
    pub measures: &'a str,
}

impl FirstReport {
    /// Every field checked; all problems at once. The incident happened
    /// no later than now and at most 30 days ago.
    pub fn parse(f: &FirstForm<'_>, now: i64) -> Result<FirstReport, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let level = keep(
            &mut problems,
            Level::parse(f.level).map_err(|p| problem("field.level", p)),
        );
        let title = keep(
            &mut problems,
            text_field(f.title, 2, 200).map_err(|p| problem("field.title", p)),
        );
        let place = keep(
            &mut problems,
            text_field(f.place, 2, 200).map_err(|p| problem("field.place", p)),
        );
        let occurred_at = keep(
            &mut problems,
            occurred(
                f.occurred_at,
                (now, MAX_FIRST_AGE_SECS),
                ["problem.in_future", "problem.incident_too_old"],
            ),
        );
        let injured = keep(&mut problems, count(f.injured, "field.injured"));
        let dead = keep(&mut problems, count(f.dead, "field.dead"));
        let measures = keep(
            &mut problems,
            text_field(f.measures, 2, 2000).map_err(|p| problem("field.measures", p)),
        );
        match (level, title, place, occurred_at, injured, dead, measures) {
            (
                Some(level),
                Some(title),
                Some(place),
                Some(occurred_at),
                Some(injured),
                Some(dead),
                Some(measures),
            ) if problems.is_empty() => Ok(FirstReport {
                level,
                title,
                place,
                occurred_at,
                injured,
                dead,
                measures,
            }),
            _ => Err(problems),
        }
    }
}

/// A 续报, 终报 or 核报: what is new, and the casualties as now known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub stage: Stage,
    pub text: String,
    pub injured: u32,
    pub dead: u32,
}

impl FollowUp {
    pub fn parse(
        stage: &str,
        text: &str,
        (injured, dead): (&str, &str),
    ) -> Result<FollowUp, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let stage = keep(
            &mut problems,
            Stage::parse(stage)
                .and_then(|s| match s {
                    Stage::First => Err(Problem::with("problem.unknown_value", &[s.code()])),
                    s => Ok(s),
                })
                .map_err(|p| problem("field.stage", p)),
        );
        let text = keep(
            &mut problems,
            text_field(text, 2, 2000).map_err(|p| problem("field.text", p)),
        );
        let injured = keep(&mut problems, count(injured, "field.injured"));
        let dead = keep(&mut problems, count(dead, "field.dead"));
        match (stage, text, injured, dead) {
            (Some(stage), Some(text), Some(injured), Some(dead)) if problems.is_empty() => {
                Ok(FollowUp {
                    stage,
                    text,
                    injured,
                    dead,
                })
            }
            _ => Err(problems),
        }
    }
}

/// Where an incident stands, for what may be filed next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// Its 终报 is in.
    pub closed: bool,
    /// A 核报 request is waiting for its answer.
    pub asked: bool,
}

impl Standing {
    /// May a report of `stage` follow? 续报 and 终报 until the 终报; a
    /// 核报 answer only to an open request (also after the 终报).
    pub fn may_follow(self, stage: Stage) -> Result<(), Problem> {
        match stage {
            Stage::First => Err(Problem::new("problem.incident_reported")),
            Stage::Update | Stage::Final if self.closed => {
                Err(Problem::new("problem.incident_closed"))
            }
            Stage::Verify if !self.asked => Err(Problem::new("problem.no_verification")),
            _ => Ok(()),
        }
    }

    /// May the office ask for a 核报? Not while one is waiting.
    pub fn may_ask(self) -> Result<(), Problem> {
        if self.asked {
            Err(Problem::new("problem.verification_open"))
        } else {
            Ok(())
        }
    }
}

/// The due instant of a 核报 request as typed: after now, within 7 days.
pub fn verification_due(raw: &str, now: i64) -> Result<i64, FieldProblem> {
    let due = local_instant(raw)
        .ok_or_else(|| problem("field.due_at", Problem::new("problem.bad_datetime")))?;
    if due <= now {
        Err(problem("field.due_at", Problem::new("problem.due_passed")))
    } else if due > now + MAX_VERIFY_SECS {
        Err(problem(
            "field.due_at",
            Problem::with("problem.due_too_far", &["7"]),
        ))
    } else {
        Ok(due)
    }
}

/// Is a 核报 request late: answered after its due instant, or unanswered
/// and its due instant passed by `now`?
pub fn verification_late(due_at: i64, answered_at: Option<i64>, now: i64) -> bool {
    match answered_at {
        Some(at) => at > due_at,
        None => now > due_at,
    }
}

/// How long before its 首报 an incident may be ruled to have happened: a
/// year (a concealed one discovered later still counts).
pub const MAX_RULED_BEFORE_SECS: i64 = 366 * 86_400;

/// The office's ruling on an incident's facts (核定): its level and the
/// time it happened as established, and why. A unit may declare a lesser
/// level or a later time than the truth; the 首报's lateness is judged by
/// the ruling from then on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ruling {
    pub level: Level,
    pub occurred_at: i64,
    pub reason: String,
}

impl Ruling {
    /// Every field checked; all problems at once. The incident happened
    /// before its 首报 was filed (`reported_at`, five minutes' grace) and
    /// at most a year before it.
    pub fn parse(
        (level, occurred_at, reason): (&str, &str, &str),
        reported_at: i64,
    ) -> Result<Ruling, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let level = keep(
            &mut problems,
            Level::parse(level).map_err(|p| problem("field.level", p)),
        );
        let occurred_at = keep(
            &mut problems,
            occurred(
                occurred_at,
                (reported_at, MAX_RULED_BEFORE_SECS),
                ["problem.ruled_after_report", "problem.ruled_too_early"],
            ),
        );
        let reason = keep(
            &mut problems,
            text_field(reason, 2, 500).map_err(|p| problem("field.reason", p)),
        );
        match (level, occurred_at, reason) {
            (Some(level), Some(occurred_at), Some(reason)) if problems.is_empty() => Ok(Ruling {
                level,
                occurred_at,
                reason,
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> i64 {
        local_instant(raw).unwrap()
    }

    fn first<'a>(occurred_at: &'a str, injured: &'a str) -> FirstForm<'a> {
        FirstForm {
            level: "较大",
            title: "化工厂储罐泄漏",
            place: "城关街道工业园",
            occurred_at,
            injured,
            dead: "0",
            measures: "已疏散周边300人,消防到场处置",
        }
    }

    #[test]
    fn deadlines_are_whole_minutes_within_a_day_and_graver_is_never_slower() {
        let d = Deadlines::parse(["120", "60", "30", "30"]).unwrap();
        assert_eq!(d.minutes(Level::Major), 30);
        let errs = Deadlines::parse(["0", "60", "x", "1441"]).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "field.deadline_general",
                "field.deadline_major",
                "field.deadline_grave"
            ]
        );
        let errs = Deadlines::parse(["60", "90", "30", "15"]).unwrap_err();
        assert_eq!(
            errs,
            vec![(
                "field.deadline_larger".to_string(),
                Problem::new("problem.deadline_order")
            )]
        );
        assert!(Deadlines::parse(["", "60", "30", "15"]).is_err());
        assert!(Deadlines::parse(["99999999999999999999", "60", "30", "15"]).is_err());
    }

    #[test]
    fn a_first_report_after_its_levels_minutes_is_late_and_one_at_them_is_not() {
        let d = Deadlines::parse(["120", "60", "30", "15"]).unwrap();
        let t0 = at("2026-07-01T08:00");
        assert!(!d.first_late(Level::Major, t0, t0 + 30 * 60));
        assert!(d.first_late(Level::Major, t0, t0 + 30 * 60 + 1));
        // The 重大 incident reported after 240 minutes is late.
        assert!(d.first_late(Level::Major, t0, t0 + 240 * 60));
        assert!(!d.first_late(Level::General, t0, t0 + 100 * 60));
        assert_eq!(d.first_due(Level::Grave, t0), t0 + 15 * 60);
    }

    #[test]
    fn a_first_report_names_every_bad_field_and_no_future_or_month_old_incident() {
        let now = at("2026-07-01T10:00");
        let r = FirstReport::parse(&first("2026-07-01T09:30", "3"), now).unwrap();
        assert_eq!(
            (r.level, r.injured, r.occurred_at),
            (Level::Larger, 3, at("2026-07-01T09:30"))
        );
        // Four minutes ahead is a clock's difference: kept as now.
        let r = FirstReport::parse(&first("2026-07-01T10:04", ""), now).unwrap();
        assert_eq!((r.occurred_at, r.injured), (now, 0));
        for (when, key) in [
            ("2026-07-01T10:06", "problem.in_future"),
            ("2026-05-01T10:00", "problem.incident_too_old"),
            ("2026-07-01", "problem.bad_datetime"),
        ] {
            let errs = FirstReport::parse(&first(when, "0"), now).unwrap_err();
            assert_eq!(
                errs,
                vec![("field.occurred_at".to_string(), Problem::new(key))],
                "{when}"
            );
        }
        let bad = FirstForm {
            level: "huge",
            title: "",
            place: "x",
            occurred_at: "2026-07-01T09:00",
            injured: "-1",
            dead: "100001",
            measures: "",
        };
        let fields: Vec<String> = FirstReport::parse(&bad, now)
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            [
                "field.level",
                "field.title",
                "field.place",
                "field.injured",
                "field.dead",
                "field.measures"
            ]
        );
    }

    #[test]
    fn follow_ups_stop_at_the_final_report_and_answers_need_a_request() {
        let open = Standing::default();
        assert!(open.may_follow(Stage::Update).is_ok());
        assert!(open.may_follow(Stage::Final).is_ok());
        assert_eq!(
            open.may_follow(Stage::First),
            Err(Problem::new("problem.incident_reported"))
        );
        assert_eq!(
            open.may_follow(Stage::Verify),
            Err(Problem::new("problem.no_verification"))
        );
        let closed = Standing {
            closed: true,
            asked: false,
        };
        assert_eq!(
            closed.may_follow(Stage::Update),
            Err(Problem::new("problem.incident_closed"))
        );
        assert_eq!(
            closed.may_follow(Stage::Final),
            Err(Problem::new("problem.incident_closed"))
        );
        let asked = Standing {
            closed: true,
            asked: true,
        };
        assert!(asked.may_follow(Stage::Verify).is_ok());
        assert_eq!(
            asked.may_ask(),
            Err(Problem::new("problem.verification_open"))
        );
        assert!(closed.may_ask().is_ok());
        assert!(FollowUp::parse("first", "再报", ("0", "0")).is_err());
        assert!(FollowUp::parse("update", "火势已控制", ("", "1")).is_ok());
        let errs = FollowUp::parse("later", "", ("x", "0")).unwrap_err();
        assert_eq!(errs.len(), 3);
    }

    #[test]
    fn a_verification_is_due_ahead_within_a_week_and_late_when_answered_after() {
        let now = at("2026-07-01T10:00");
        assert_eq!(
            verification_due("2026-07-01T12:00", now),
            Ok(at("2026-07-01T12:00"))
        );
        assert_eq!(
            verification_due("2026-07-01T10:00", now).unwrap_err().1,
            Problem::new("problem.due_passed")
        );
        assert!(verification_due("2026-07-09T10:00", now).is_err());
        assert!(verification_due("tomorrow", now).is_err());
        let due = at("2026-07-01T12:00");
        assert!(!verification_late(due, Some(due), due + 3600));
        assert!(verification_late(due, Some(due + 1), due + 1));
        assert!(!verification_late(due, None, due));
        assert!(verification_late(due, None, due + 1));
    }

    #[test]
    fn a_ruling_puts_the_incident_before_its_first_report_and_within_a_year() {
        let reported = local_instant("2026-12-02T12:00").unwrap();
        let f =
            Ruling::parse(("major", "2026-12-02T06:00", "现场核实:实为重大"), reported).unwrap();
        assert_eq!(
            (f.level, f.occurred_at),
            (Level::Major, reported - 6 * 3600)
        );
        let after = Ruling::parse(("major", "2026-12-02T12:30", "核实"), reported).unwrap_err();
        assert_eq!(
            after,
            vec![problem(
                "field.occurred_at",
                Problem::new("problem.ruled_after_report")
            )]
        );
        let old = Ruling::parse(("major", "2025-11-01T12:00", "核实"), reported).unwrap_err();
        assert_eq!(old[0].1.key, "problem.ruled_too_early");
        // Everything wrong at once, each named.
        let all = Ruling::parse(("huge", "昨天", " "), reported).unwrap_err();
        let fields: Vec<&str> = all.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(fields, ["field.level", "field.occurred_at", "field.reason"]);
    }
}
