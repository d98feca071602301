//! Daily and zero reports (日报告/零报告, README "Rules settled here"):
//! which units report, the district's deadline, what a report says, and
//! which days are due for settling — a unit without a report in time gets
//! one `missed_zero_report` event for the day, after the deadline.
//!
//! "Now" and "today" are parameters; instants are Unix seconds and days
//! are the district's local days.

use super::unit::UnitKind;
use super::{
    FieldProblem, LOCAL_OFFSET_SECS, Problem, count_field, field_at, local_date, local_day_start,
    text_field,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The most incidents, injured or dead one daily report may count.
pub const MAX_COUNT: u32 = 10_000;
/// A unit is reminded at most once in this long (a reminder is a notice to
/// each of its people on duty: tapping "remind" again must not flood them).
pub const REMIND_EVERY_SECS: i64 = 30 * 60;
/// The most days one settling run walks (a server down for longer settles
/// the rest on its next runs).
pub const MAX_SETTLE_DAYS: i64 = 400;

/// The district's rule: which kinds of unit report every day, and by
/// which minute of the local day (16:00 is 960).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRules {
    pub deadline_minute: u32,
    pub kinds: Vec<UnitKind>,
}

impl ReportRules {
    /// Parses the rules form: the deadline as `HH:MM` (00:01–23:59) and
    /// the unit kinds' codes (none: nobody reports).
    pub fn parse(deadline: &str, kinds: &[String]) -> Result<ReportRules, FieldProblem> {
        let deadline_minute = parse_minute(deadline)
            .filter(|m| (1..24 * 60).contains(m))
            .ok_or_else(|| field_at("field.report_deadline", Problem::new("problem.bad_time")))?;
        let mut parsed = Vec::new();
        for k in kinds.iter().filter(|k| !k.trim().is_empty()) {
            let kind = UnitKind::parse(k).map_err(|p| field_at("field.kinds", p))?;
            if !parsed.contains(&kind) {
                parsed.push(kind);
            }
        }
        parsed.sort_by_key(|k| UnitKind::ALL.iter().position(|a| a == k));
        Ok(ReportRules {
            deadline_minute,
            kinds: parsed,
        })
    }

    pub fn applies_to(&self, kind: UnitKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// The instant the report of `day` is due.
    pub fn deadline(&self, day: NaiveDate) -> i64 {
        local_day_start(day) + i64::from(self.deadline_minute) * 60
    }

    /// `16:00`.
    pub fn deadline_text(&self) -> String {
        format!(
            "{:02}:{:02}",
            self.deadline_minute / 60,
            self.deadline_minute % 60
        )
    }
}

fn parse_minute(raw: &str) -> Option<u32> {
    let (h, m) = raw.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// What a unit reports for a day: nothing happened (零报告), or a short
/// summary with counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyReport {
    pub incidents: u32,
    pub injured: u32,
    pub dead: u32,
    /// Empty for a zero report.
    pub summary: String,
}

impl DailyReport {
    pub const ZERO: DailyReport = DailyReport {
        incidents: 0,
        injured: 0,
        dead: 0,
        summary: String::new(),
    };

    pub fn is_zero(&self) -> bool {
        self.incidents == 0 && self.injured == 0 && self.dead == 0 && self.summary.is_empty()
    }

    /// Parses a report form: `zero` is one tap; otherwise counts (empty is
    /// 0) and a summary of 2–500 characters.
    pub fn parse(
        kind: &str,
        (incidents, injured, dead): (&str, &str, &str),
        summary: &str,
    ) -> Result<DailyReport, FieldProblem> {
        match kind.trim() {
            "zero" => Ok(DailyReport::ZERO),
            "summary" => {
                let count = |field: &str, raw: &str| {
                    count_field(raw, MAX_COUNT).map_err(|p| field_at(field, p))
                };
                Ok(DailyReport {
                    incidents: count("field.incidents", incidents)?,
                    injured: count("field.injured", injured)?,
                    dead: count("field.dead", dead)?,
                    summary: text_field(summary, 2, 500)
                        .map_err(|p| field_at("field.summary", p))?,
                })
            }
            _ => Err(field_at(
                "field.report_kind",
                Problem::new("problem.required"),
            )),
        }
    }
}

/// Where a unit's report of a day stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportState {
    /// In by the deadline.
    OnTime,
    /// In after the deadline.
    Late,
    /// Not in, and the deadline has passed.
    Missing,
    /// Not in yet, and there is still time.
    Open,
}

impl ReportState {
    pub fn of(submitted_at: Option<i64>, deadline: i64, now: i64) -> ReportState {
        match submitted_at {
            Some(at) if at <= deadline => ReportState::OnTime,
            Some(_) => ReportState::Late,
            None if now > deadline => ReportState::Missing,
            None => ReportState::Open,
        }
    }

    /// Whether the day counts against the unit (`missed_zero_report`).
    pub fn missed(self) -> bool {
        matches!(self, ReportState::Late | ReportState::Missing)
    }

    pub fn code(self) -> &'static str {
        match self {
            ReportState::OnTime => "on_time",
            ReportState::Late => "late",
            ReportState::Missing => "missing",
            ReportState::Open => "open",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ReportState::OnTime => "report.state.on_time",
            ReportState::Late => "report.state.late",
            ReportState::Missing => "report.state.missing",
            ReportState::Open => "report.state.open",
        }
    }
}

/// The rule in force and a change waiting for its first day. A changed
/// rule applies from the next day: a deadline moved from 16:00 to 10:00 at
/// 11:00, or a kind of unit added, never makes a unit miss a deadline that
/// was not its own when the day began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleBook {
    pub current: ReportRules,
    pub next: Option<(NaiveDate, ReportRules)>,
}

impl RuleBook {
    pub fn new(rules: ReportRules) -> RuleBook {
        RuleBook {
            current: rules,
            next: None,
        }
    }

    /// The rule that judges `day`.
    pub fn on(&self, day: NaiveDate) -> &ReportRules {
        match &self.next {
            Some((from, rules)) if day >= *from => rules,
            _ => &self.current,
        }
    }

    /// The book after the office saves `rules` on `today`: today keeps the
    /// rule it began with, `rules` applies from tomorrow (replacing a
    /// change already waiting); saving today's rule again drops the change.
    pub fn change(&self, rules: ReportRules, today: NaiveDate) -> RuleBook {
        let current = self.on(today).clone();
        let next = match today.succ_opt() {
            Some(tomorrow) if rules != current => Some((tomorrow, rules)),
            _ => None,
        };
        RuleBook { current, next }
    }
}

/// The days to settle at `now`: from the day after `settled_through` (or
/// `from`, the first day the rules applied, whichever is later) to the
/// last day whose deadline has passed, at most `MAX_SETTLE_DAYS` of them.
pub fn days_to_settle(
    book: &RuleBook,
    from: NaiveDate,
    settled_through: Option<NaiveDate>,
    now: i64,
) -> Vec<NaiveDate> {
    let Some(today) = local_date(now) else {
        return Vec::new();
    };
    let last = if now > book.on(today).deadline(today) {
        Some(today)
    } else {
        today.pred_opt()
    };
    let Some(last) = last else {
        return Vec::new();
    };
    let first = match settled_through.and_then(|d| d.succ_opt()) {
        Some(next) if next > from => next,
        _ => from,
    };
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .take(MAX_SETTLE_DAYS as usize)
        .collect()
}

/// The local time of day (`16:42`) of an instant, for an event's text.
pub fn clock_time(at: i64) -> String {
    let secs = (at + LOCAL_OFFSET_SECS).rem_euclid(86_400);
    format!("{:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rules() -> ReportRules {
        ReportRules::parse("16:00", &["subdistrict".into(), "village".into()]).unwrap()
    }

    /// The instant of a local time on a day.
    fn at(day: &str, hh: i64, mm: i64) -> i64 {
        local_day_start(d(day)) + hh * 3600 + mm * 60
    }

    #[test]
    fn the_deadline_is_a_local_time_of_the_day() {
        let r = rules();
        assert_eq!(r.deadline_minute, 960);
        assert_eq!(r.deadline_text(), "16:00");
        assert_eq!(r.deadline(d("2026-12-01")), at("2026-12-01", 16, 0));
        assert_eq!(clock_time(at("2026-12-01", 16, 42)), "16:42");
        assert!(r.applies_to(UnitKind::Village));
        assert!(!r.applies_to(UnitKind::School));
    }

    #[test]
    fn a_bad_deadline_or_kind_names_its_field() {
        for bad in [
            "",
            "16",
            "24:00",
            "00:00",
            "7:5",
            "16:60",
            "-1:00",
            "１６:00",
            "99999999999:00",
        ] {
            let e = ReportRules::parse(bad, &[]).unwrap_err();
            assert_eq!(e.0, "field.report_deadline", "{bad}");
        }
        let e = ReportRules::parse("16:00", &["castle".into()]).unwrap_err();
        assert_eq!(e.0, "field.kinds");
        let r = ReportRules::parse(
            "9:30",
            &["village".into(), "village".into(), "subdistrict".into()],
        )
        .unwrap();
        assert_eq!(r.kinds, vec![UnitKind::Subdistrict, UnitKind::Village]);
        assert_eq!(r.deadline_text(), "09:30");
    }

    #[test]
    fn a_zero_report_is_one_tap_and_a_summary_needs_words() {
        let z = DailyReport::parse("zero", ("5", "5", "5"), "ignored").unwrap();
        assert!(z.is_zero());
        let s = DailyReport::parse("summary", ("1", "", "0"), "  路面塌陷一处，已处置  ").unwrap();
        assert_eq!((s.incidents, s.injured, s.dead), (1, 0, 0));
        assert_eq!(s.summary, "路面塌陷一处，已处置");
        assert!(!s.is_zero());
        assert_eq!(
            DailyReport::parse("summary", ("1", "0", "0"), " ")
                .unwrap_err()
                .0,
            "field.summary"
        );
        for (counts, field) in [
            (("-1", "0", "0"), "field.incidents"),
            (("0", "10001", "0"), "field.injured"),
            (("0", "0", "1e3"), "field.dead"),
            (("99999999999999999999", "0", "0"), "field.incidents"),
        ] {
            assert_eq!(
                DailyReport::parse("summary", counts, "有情况")
                    .unwrap_err()
                    .0,
                field
            );
        }
        assert_eq!(
            DailyReport::parse("other", ("", "", ""), "").unwrap_err().0,
            "field.report_kind"
        );
    }

    #[test]
    fn a_report_is_on_time_late_missing_or_still_open() {
        let dl = at("2026-12-01", 16, 0);
        assert_eq!(ReportState::of(Some(dl), dl, dl + 10), ReportState::OnTime);
        assert_eq!(
            ReportState::of(Some(dl + 1), dl, dl + 10),
            ReportState::Late
        );
        assert_eq!(ReportState::of(None, dl, dl + 1), ReportState::Missing);
        assert_eq!(ReportState::of(None, dl, dl), ReportState::Open);
        assert!(ReportState::Late.missed() && ReportState::Missing.missed());
        assert!(!ReportState::OnTime.missed() && !ReportState::Open.missed());
    }

    #[test]
    fn a_day_is_settled_once_after_its_deadline() {
        let r = rules();
        let from = d("2026-11-28");
        // Before today's deadline: up to yesterday.
        let now = at("2026-12-01", 15, 59);
        assert_eq!(
            days_to_settle(&RuleBook::new(r.clone()), from, None, now),
            vec![d("2026-11-28"), d("2026-11-29"), d("2026-11-30")]
        );
        // After it: today too.
        let now = at("2026-12-01", 16, 1);
        assert_eq!(
            days_to_settle(&RuleBook::new(r.clone()), from, None, now).last(),
            Some(&d("2026-12-01"))
        );
        // What was settled is not settled again.
        assert_eq!(
            days_to_settle(&RuleBook::new(r.clone()), from, Some(d("2026-11-30")), now),
            vec![d("2026-12-01")]
        );
        assert!(
            days_to_settle(&RuleBook::new(r.clone()), from, Some(d("2026-12-01")), now).is_empty()
        );
        // Rules that begin tomorrow settle nothing yet.
        assert!(days_to_settle(&RuleBook::new(r.clone()), d("2026-12-02"), None, now).is_empty());
        // A settled mark before the rules began counts from the rules.
        assert_eq!(
            days_to_settle(
                &RuleBook::new(r.clone()),
                from,
                Some(d("2020-01-01")),
                at("2026-11-28", 17, 0)
            ),
            vec![from]
        );
    }

    #[test]
    fn a_long_outage_settles_in_bounded_runs() {
        let r = rules();
        let days = days_to_settle(
            &RuleBook::new(r.clone()),
            d("2020-01-01"),
            None,
            at("2026-12-01", 17, 0),
        );
        assert_eq!(days.len(), MAX_SETTLE_DAYS as usize);
        assert_eq!(days[0], d("2020-01-01"));
    }

    #[test]
    fn a_changed_rule_judges_days_from_tomorrow_and_today_keeps_its_own() {
        let at4 = rules();
        let at10 = ReportRules::parse("10:00", &["subdistrict".into()]).unwrap();
        let today = d("2026-12-02");
        let book = RuleBook::new(at4.clone()).change(at10.clone(), today);
        assert_eq!(book.on(today), &at4);
        assert_eq!(book.on(d("2026-12-03")), &at10);
        // Today at 11:00 is not yet past today's deadline (16:00): nothing
        // to settle for today under the rule moved to 10:00.
        assert!(
            days_to_settle(&book, today, Some(d("2026-12-01")), at("2026-12-02", 11, 0)).is_empty()
        );
        // Saved again the next day, the waiting rule is in force there.
        let later = book.change(at4.clone(), d("2026-12-03"));
        assert_eq!(later.current, at10);
        assert_eq!(later.next, Some((d("2026-12-04"), at4.clone())));
        // Saving today's rule again drops the waiting change.
        assert_eq!(book.change(at4.clone(), today), RuleBook::new(at4));
    }
}
