//! What the duty office keeps around the rosters (DOMAIN.md, "Duty
//! rosters"; README, "Rules settled here"): the district's calendar of
//! holidays and sensitive periods, each unit's duty settings, who of a
//! unit stands which duty, what a period of days asks for, and the office's
//! spot checks (值班督导检查).

use super::duty::{DayKind, DayNeed, DutyRole};
use super::person::Position;
use super::{Problem, text_field};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest roster generated at once: a year (a leap year's 366 days).
pub const MAX_ROSTER_DAYS: i64 = 366;
pub const MAX_STAFF_PER_DAY: u32 = 20;
pub const MAX_LEADERS_PER_DAY: u32 = 5;
pub const MAX_REST_DAYS: u32 = 30;
pub const MAX_EXTRA_STAFF: u32 = 10;

/// A period of the district's duty calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PeriodKind {
    /// 节假日: its days count as holiday duties.
    Holiday,
    /// 敏感时期 (两会, flood season…): ordinary days, tightened.
    Sensitive,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 2] = [PeriodKind::Holiday, PeriodKind::Sensitive];

    pub fn code(self) -> &'static str {
        match self {
            PeriodKind::Holiday => "holiday",
            PeriodKind::Sensitive => "sensitive",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            PeriodKind::Holiday => "duty.period.holiday",
            PeriodKind::Sensitive => "duty.period.sensitive",
        }
    }

    pub fn parse(raw: &str) -> Option<PeriodKind> {
        PeriodKind::ALL.into_iter().find(|k| k.code() == raw.trim())
    }
}

/// A holiday or sensitive period: its days (both included), and how many
/// staff it asks for on top of each unit's usual number. Every day of a
/// period asks for at least one leader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyPeriod {
    pub name: String,
    pub kind: PeriodKind,
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub extra_staff: u32,
}

/// A unit's duty settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutySettings {
    pub staff_per_day: u32,
    pub leaders_per_day: u32,
    pub min_rest_days: u32,
}

/// Names the field a problem is with.
fn at(field: &'static str) -> impl Fn(Problem) -> (String, Problem) {
    move |p| (field.to_string(), p)
}

/// A whole number from a form field within `0..=max`, or the problem.
fn count_field(raw: &str, max: u32) -> Result<u32, Problem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Problem::new("problem.required"));
    }
    raw.parse::<u32>()
        .ok()
        .filter(|n| *n <= max)
        .ok_or_else(|| Problem::with("problem.between", &["0", &max.to_string()]))
}

impl DutySettings {
    /// Parses the settings form: (field, problem) for the first bad value.
    pub fn parse(
        staff: &str,
        leaders: &str,
        rest: &str,
    ) -> Result<DutySettings, (String, Problem)> {
        let s = DutySettings {
            staff_per_day: count_field(staff, MAX_STAFF_PER_DAY)
                .map_err(at("field.staff_per_day"))?,
            leaders_per_day: count_field(leaders, MAX_LEADERS_PER_DAY)
                .map_err(at("field.leaders_per_day"))?,
            min_rest_days: count_field(rest, MAX_REST_DAYS).map_err(at("field.min_rest_days"))?,
        };
        if s.staff_per_day == 0 && s.leaders_per_day == 0 {
            return Err((
                "field.staff_per_day".into(),
                Problem::new("problem.duty_nobody"),
            ));
        }
        Ok(s)
    }
}

impl DutyPeriod {
    /// Parses the calendar form.
    pub fn parse(
        name: &str,
        kind: &str,
        (first, last): (&str, &str),
        extra_staff: &str,
    ) -> Result<DutyPeriod, (String, Problem)> {
        let name = text_field(name, 1, 40).map_err(at("field.name"))?;
        let kind = PeriodKind::parse(kind)
            .ok_or_else(|| ("field.kind".to_string(), Problem::new("problem.required")))?;
        let (first, last) = day_span((first, last), MAX_ROSTER_DAYS)?;
        let extra_staff = if extra_staff.trim().is_empty() {
            0
        } else {
            count_field(extra_staff, MAX_EXTRA_STAFF).map_err(at("field.extra_staff"))?
        };
        Ok(DutyPeriod {
            name,
            kind,
            first,
            last,
            extra_staff,
        })
    }

    pub fn covers(&self, day: NaiveDate) -> bool {
        self.first <= day && day <= self.last
    }
}

/// The days of a roster to generate, from a form: first ≤ last, at most a
/// year.
pub fn roster_days(first: &str, last: &str) -> Result<(NaiveDate, NaiveDate), (String, Problem)> {
    day_span((first, last), MAX_ROSTER_DAYS)
}

/// A form's first and last day (`field.first_day`, `field.last_day`):
/// both dates, the last not before the first, at most `max_days` of them.
fn day_span(
    (first, last): (&str, &str),
    max_days: i64,
) -> Result<(NaiveDate, NaiveDate), (String, Problem)> {
    let first = super::iso_date(first).map_err(at("field.first_day"))?;
    let last = super::iso_date(last).map_err(at("field.last_day"))?;
    if last < first {
        return Err((
            "field.last_day".into(),
            Problem::new("problem.last_before_first"),
        ));
    }
    if (last - first).num_days() >= max_days {
        return Err((
            "field.last_day".into(),
            Problem::with("problem.too_many_days", &[&max_days.to_string()]),
        ));
    }
    Ok((first, last))
}

/// What each day of `first..=last` asks of a unit: its settings, and on
/// the days of a period of the calendar the period's extra staff (the
/// largest, where periods overlap) and at least one leader; a holiday's
/// days count as holiday duties.
pub fn needs(
    (first, last): (NaiveDate, NaiveDate),
    settings: DutySettings,
    calendar: &[DutyPeriod],
) -> Vec<DayNeed> {
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|date| {
            let on: Vec<&DutyPeriod> = calendar.iter().filter(|p| p.covers(date)).collect();
            let holiday = on.iter().any(|p| p.kind == PeriodKind::Holiday);
            let extra = on.iter().map(|p| p.extra_staff).max().unwrap_or(0);
            DayNeed {
                date,
                kind: DayKind::of(date, holiday),
                staff: settings.staff_per_day + extra,
                leaders: if on.is_empty() {
                    settings.leaders_per_day
                } else {
                    settings.leaders_per_day.max(1)
                },
            }
        })
        .collect()
}

/// Which duty a person of the unit stands, by their positions: 领导干部
/// lead (带班领导); 应急管理人员 and 信息员 stand the post (值班人员);
/// anyone else stands none. Someone with both kinds of position leads.
pub fn role_of(positions: &[Position]) -> Option<DutyRole> {
    if positions.contains(&Position::LeaderCadre) {
        Some(DutyRole::Leader)
    } else if positions
        .iter()
        .any(|p| matches!(p, Position::EmStaff | Position::InfoOfficer))
    {
        Some(DutyRole::Staff)
    } else {
        None
    }
}

/// A duty check as the office records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyCheck {
    pub checked_at: i64,
    pub called: String,
    pub answered: bool,
    /// Who was found on post; empty: nobody.
    pub on_post: String,
    pub note: String,
}

impl DutyCheck {
    /// A check fails when the call went unanswered or nobody was on post:
    /// the unit's year gets a `duty_absence` event.
    pub fn passed(&self) -> bool {
        self.answered && !self.on_post.is_empty()
    }

    /// Parses the check form; a check is of the past (up to five minutes
    /// ahead of `now`, for clocks a little apart) and of the last year.
    pub fn parse(
        checked_at: &str,
        called: &str,
        answered: &str,
        on_post: &str,
        note: &str,
        now: i64,
    ) -> Result<DutyCheck, (String, Problem)> {
        let checked_at =
            super::calendar::local_instant(checked_at).map_err(at("field.checked_at"))?;
        if checked_at > now + 300 {
            return Err(("field.checked_at".into(), Problem::new("problem.in_future")));
        }
        if checked_at < now - 366 * 86_400 {
            return Err(("field.checked_at".into(), Problem::new("problem.too_old")));
        }
        let called = text_field(called, 3, 30).map_err(at("field.called"))?;
        if !called
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')'))
        {
            return Err(("field.called".into(), Problem::new("problem.bad_phone")));
        }
        let answered = match answered.trim() {
            "yes" => true,
            "no" => false,
            _ => return Err(("field.answered".into(), Problem::new("problem.required"))),
        };
        let on_post = text_field(on_post, 0, 40).map_err(at("field.on_post"))?;
        if !answered && !on_post.is_empty() {
            // Nobody answered, yet someone was on post: the form says both
            // and the office must choose.
            return Err((
                "field.on_post".into(),
                Problem::new("problem.unanswered_on_post"),
            ));
        }
        let note = text_field(note, 0, 500).map_err(at("field.note"))?;
        Ok(DutyCheck {
            checked_at,
            called,
            answered,
            on_post,
            note,
        })
    }
}

/// Why a person cannot stand a duty on a day, or `None` when they can:
/// the rules every roster keeps, asked of one move (a swap, a
/// replacement, a gap filled by hand). `duties` are the person's other
/// duties in the unit's rosters (the one given up left out), `unavailable`
/// their unavailable days (both ends included).
pub fn cannot_stand(
    day: NaiveDate,
    duties: &[NaiveDate],
    unavailable: &[(NaiveDate, NaiveDate)],
    min_rest_days: u32,
) -> Option<Problem> {
    if unavailable.iter().any(|&(a, b)| a <= day && day <= b) {
        return Some(Problem::with(
            "problem.duty_unavailable",
            &[&day.to_string()],
        ));
    }
    if duties.contains(&day) {
        return Some(Problem::with("problem.duty_same_day", &[&day.to_string()]));
    }
    let rest = i64::from(min_rest_days);
    if let Some(near) = duties.iter().find(|d| (**d - day).num_days().abs() <= rest) {
        return Some(Problem::with(
            "problem.duty_too_close",
            &[
                &day.to_string(),
                &near.to_string(),
                &min_rest_days.to_string(),
            ],
        ));
    }
    None
}

/// Where a swap stands: asked by one person, accepted by the other, then
/// approved (the duties change hands) or refused by the unit's organizer;
/// either person may withdraw it until it is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SwapStatus {
    Asked,
    Accepted,
    Approved,
    Refused,
    Declined,
    Withdrawn,
}

impl SwapStatus {
    pub const ALL: [SwapStatus; 6] = [
        SwapStatus::Asked,
        SwapStatus::Accepted,
        SwapStatus::Approved,
        SwapStatus::Refused,
        SwapStatus::Declined,
        SwapStatus::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SwapStatus::Asked => "asked",
            SwapStatus::Accepted => "accepted",
            SwapStatus::Approved => "approved",
            SwapStatus::Refused => "refused",
            SwapStatus::Declined => "declined",
            SwapStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(code: &str) -> Option<SwapStatus> {
        SwapStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            SwapStatus::Asked => "duty.swap.asked",
            SwapStatus::Accepted => "duty.swap.accepted",
            SwapStatus::Approved => "duty.swap.approved",
            SwapStatus::Refused => "duty.swap.refused",
            SwapStatus::Declined => "duty.swap.declined",
            SwapStatus::Withdrawn => "duty.swap.withdrawn",
        }
    }

    /// Still open: the duties may yet change hands.
    pub fn is_open(self) -> bool {
        matches!(self, SwapStatus::Asked | SwapStatus::Accepted)
    }
}

/// Who does what to a swap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwapStep {
    /// The other person agrees.
    Accept,
    /// The other person says no.
    Decline,
    /// The asker or the other person takes it back.
    Withdraw,
    /// The unit's organizer lets it happen.
    Approve,
    /// The unit's organizer says no.
    Refuse,
}

impl SwapStep {
    pub fn parse(raw: &str) -> Option<SwapStep> {
        Some(match raw.trim() {
            "accept" => SwapStep::Accept,
            "decline" => SwapStep::Decline,
            "withdraw" => SwapStep::Withdraw,
            "approve" => SwapStep::Approve,
            "refuse" => SwapStep::Refuse,
            _ => return None,
        })
    }
}

/// Who someone is to a swap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwapParty {
    pub asker: bool,
    pub other: bool,
    pub organizer: bool,
}

/// The status a step leads to, or why it may not be taken (the problem's
/// key): only the other person accepts or declines an asked swap, either
/// person withdraws an open one, only an organizer who is neither of them
/// approves or refuses an accepted one, and a decided swap stays decided.
pub fn swap_step(
    status: SwapStatus,
    step: SwapStep,
    who: SwapParty,
) -> Result<SwapStatus, &'static str> {
    if !status.is_open() {
        return Err("problem.swap_decided");
    }
    match step {
        SwapStep::Accept | SwapStep::Decline => {
            if !who.other {
                return Err("problem.swap_not_yours");
            }
            if status != SwapStatus::Asked {
                return Err("problem.swap_decided");
            }
            Ok(if step == SwapStep::Accept {
                SwapStatus::Accepted
            } else {
                SwapStatus::Declined
            })
        }
        SwapStep::Withdraw => {
            if who.asker || who.other {
                Ok(SwapStatus::Withdrawn)
            } else {
                Err("problem.swap_not_yours")
            }
        }
        SwapStep::Approve | SwapStep::Refuse => {
            if !who.organizer {
                return Err("problem.swap_not_yours");
            }
            // Two people agreed; a third decides: neither of them approves
            // their own swap, organizer or not.
            if who.asker || who.other {
                return Err("problem.swap_own");
            }
            if status != SwapStatus::Accepted {
                return Err("problem.swap_not_accepted");
            }
            Ok(if step == SwapStep::Approve {
                SwapStatus::Approved
            } else {
                SwapStatus::Refused
            })
        }
    }
}

/// The longest absence one report covers.
pub const MAX_ABSENCE_DAYS: i64 = 90;

/// A leader's absence report (领导外出请假报备) as filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Absence {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub destination: String,
    pub reason: String,
    /// Who deputises (主持工作) while the leader is away.
    pub deputy: String,
}

impl Absence {
    /// Parses the form: days in order, of today or later, at most 90 of
    /// them; where, why and the deputy named.
    pub fn parse(
        (first, last): (&str, &str),
        destination: &str,
        reason: &str,
        deputy: &str,
        today: NaiveDate,
    ) -> Result<Absence, (String, Problem)> {
        if super::iso_date(first).is_ok_and(|day| day < today) {
            return Err(("field.first_day".into(), Problem::new("problem.date_past")));
        }
        let (first, last) = day_span((first, last), MAX_ABSENCE_DAYS)?;
        Ok(Absence {
            first,
            last,
            destination: text_field(destination, 2, 60).map_err(at("field.destination"))?,
            reason: text_field(reason, 2, 200).map_err(at("field.reason"))?,
            deputy: text_field(deputy, 2, 40).map_err(at("field.deputy"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn settings(staff: u32, leaders: u32) -> DutySettings {
        DutySettings {
            staff_per_day: staff,
            leaders_per_day: leaders,
            min_rest_days: 1,
        }
    }

    #[test]
    fn a_period_adds_staff_and_always_asks_for_a_leader() {
        let calendar = [
            DutyPeriod {
                name: "春节".into(),
                kind: PeriodKind::Holiday,
                first: d("2018-02-15"),
                last: d("2018-02-21"),
                extra_staff: 1,
            },
            DutyPeriod {
                name: "两会".into(),
                kind: PeriodKind::Sensitive,
                first: d("2018-02-20"),
                last: d("2018-03-20"),
                extra_staff: 2,
            },
        ];
        let days = needs(
            (d("2018-02-14"), d("2018-03-21")),
            settings(1, 0),
            &calendar,
        );
        assert_eq!(days.len(), 36);
        let on = |s: &str| days.iter().find(|n| n.date == d(s)).unwrap();
        // 2018-02-14 is a Wednesday outside every period.
        assert_eq!((on("2018-02-14").staff, on("2018-02-14").leaders), (1, 0));
        assert_eq!(on("2018-02-14").kind, DayKind::Weekday);
        // 春节 (a Thursday): a holiday, one extra, a leader.
        assert_eq!((on("2018-02-15").staff, on("2018-02-15").leaders), (2, 1));
        assert_eq!(on("2018-02-15").kind, DayKind::HolidayOrWeekend);
        // Where both overlap, the larger extra counts, not the sum.
        assert_eq!((on("2018-02-20").staff, on("2018-02-20").leaders), (3, 1));
        // 两会 alone: tightened, but its weekdays stay weekdays.
        assert_eq!(on("2018-03-01").kind, DayKind::Weekday);
        assert_eq!((on("2018-03-01").staff, on("2018-03-01").leaders), (3, 1));
        assert_eq!((on("2018-03-21").staff, on("2018-03-21").leaders), (1, 0));
    }

    #[test]
    fn leaders_lead_and_staff_stand_the_post() {
        assert_eq!(role_of(&[Position::LeaderCadre]), Some(DutyRole::Leader));
        assert_eq!(
            role_of(&[Position::EmStaff, Position::LeaderCadre]),
            Some(DutyRole::Leader)
        );
        assert_eq!(role_of(&[Position::InfoOfficer]), Some(DutyRole::Staff));
        assert_eq!(role_of(&[Position::QuickReporter]), None);
        assert_eq!(role_of(&[]), None);
    }

    #[test]
    fn settings_name_the_field_that_is_wrong() {
        assert_eq!(
            DutySettings::parse("2", "1", "1"),
            Ok(DutySettings {
                staff_per_day: 2,
                leaders_per_day: 1,
                min_rest_days: 1
            })
        );
        assert_eq!(
            DutySettings::parse("21", "1", "1").unwrap_err().0,
            "field.staff_per_day"
        );
        assert_eq!(
            DutySettings::parse("1", "-1", "1").unwrap_err().0,
            "field.leaders_per_day"
        );
        assert_eq!(
            DutySettings::parse("1", "1", "99999999999999999999")
                .unwrap_err()
                .0,
            "field.min_rest_days"
        );
        assert_eq!(
            DutySettings::parse("0", "0", "0").unwrap_err().1,
            Problem::new("problem.duty_nobody")
        );
    }

    #[test]
    fn a_roster_covers_at_most_a_year_in_order() {
        assert!(roster_days("2020-01-01", "2020-12-31").is_ok());
        assert_eq!(
            roster_days("2020-01-01", "2021-01-01").unwrap_err().1.key,
            "problem.too_many_days"
        );
        assert_eq!(
            roster_days("2020-02-02", "2020-02-01").unwrap_err().1.key,
            "problem.last_before_first"
        );
        assert_eq!(
            roster_days("2020-02-30", "2020-03-01").unwrap_err().0,
            "field.first_day"
        );
    }

    #[test]
    fn a_check_fails_when_unanswered_or_nobody_is_on_post() {
        let now = 1_526_054_400; // 2018-05-12 00:00 local
        let parse = |answered: &str, on_post: &str| {
            DutyCheck::parse(
                "2018-05-11T22:10",
                "010-6012 3456",
                answered,
                on_post,
                "",
                now,
            )
        };
        assert!(parse("yes", "张三").unwrap().passed());
        assert!(!parse("yes", "").unwrap().passed());
        assert!(!parse("no", "").unwrap().passed());
        assert_eq!(parse("no", "张三").unwrap_err().0, "field.on_post");
        assert_eq!(parse("maybe", "").unwrap_err().0, "field.answered");
        assert_eq!(
            DutyCheck::parse("2018-05-12T01:00", "110", "yes", "张三", "", now)
                .unwrap_err()
                .1
                .key,
            "problem.in_future"
        );
        assert_eq!(
            DutyCheck::parse("2018-05-11T22:10", "<script>", "yes", "张三", "", now)
                .unwrap_err()
                .0,
            "field.called"
        );
    }

    #[test]
    fn a_period_reads_its_form() {
        let p = DutyPeriod::parse("国庆", "holiday", ("2018-10-01", "2018-10-07"), "").unwrap();
        assert_eq!((p.kind, p.extra_staff), (PeriodKind::Holiday, 0));
        assert!(p.covers(d("2018-10-07")) && !p.covers(d("2018-10-08")));
        assert_eq!(
            DutyPeriod::parse("国庆", "party", ("2018-10-01", "2018-10-07"), "")
                .unwrap_err()
                .0,
            "field.kind"
        );
        assert_eq!(
            DutyPeriod::parse("国庆", "holiday", ("2018-10-01", "2018-10-07"), "11")
                .unwrap_err()
                .0,
            "field.extra_staff"
        );
    }

    #[test]
    fn a_move_keeps_the_roster_rules() {
        let duties = [d("2018-03-01"), d("2018-03-10")];
        let away = [(d("2018-03-05"), d("2018-03-06"))];
        assert_eq!(cannot_stand(d("2018-03-04"), &duties, &away, 1), None);
        assert_eq!(
            cannot_stand(d("2018-03-06"), &duties, &away, 1)
                .unwrap()
                .key,
            "problem.duty_unavailable"
        );
        assert_eq!(
            cannot_stand(d("2018-03-10"), &duties, &away, 0)
                .unwrap()
                .key,
            "problem.duty_same_day"
        );
        let close = cannot_stand(d("2018-03-02"), &duties, &away, 1).unwrap();
        assert_eq!(close.key, "problem.duty_too_close");
        assert_eq!(close.args, ["2018-03-02", "2018-03-01", "1"]);
        // Two free days between asked: the 3rd is too close to the 1st.
        assert!(cannot_stand(d("2018-03-03"), &duties, &away, 2).is_some());
        assert_eq!(cannot_stand(d("2018-03-04"), &duties, &away, 2), None);
    }

    #[test]
    fn a_swap_is_asked_accepted_then_approved_by_the_organizer_only() {
        let asker = SwapParty {
            asker: true,
            other: false,
            organizer: false,
        };
        let other = SwapParty {
            asker: false,
            other: true,
            organizer: false,
        };
        let organizer = SwapParty {
            asker: false,
            other: false,
            organizer: true,
        };
        use SwapStatus::*;
        use SwapStep::*;
        assert_eq!(swap_step(Asked, Accept, other), Ok(Accepted));
        assert_eq!(
            swap_step(Asked, Accept, asker),
            Err("problem.swap_not_yours")
        );
        assert_eq!(
            swap_step(Asked, Approve, organizer),
            Err("problem.swap_not_accepted")
        );
        assert_eq!(swap_step(Accepted, Approve, organizer), Ok(Approved));
        assert_eq!(
            swap_step(Accepted, Approve, other),
            Err("problem.swap_not_yours")
        );
        assert_eq!(swap_step(Accepted, Refuse, organizer), Ok(Refused));
        assert_eq!(swap_step(Accepted, Withdraw, asker), Ok(Withdrawn));
        assert_eq!(swap_step(Asked, Decline, other), Ok(Declined));
        assert_eq!(
            swap_step(Accepted, Accept, other),
            Err("problem.swap_decided")
        );
        // Decided stays decided, whoever asks.
        for s in [Approved, Refused, Declined, Withdrawn] {
            for step in [Accept, Decline, Withdraw, Approve, Refuse] {
                assert_eq!(swap_step(s, step, organizer), Err("problem.swap_decided"));
            }
        }
        // An organizer on the roster accepts as the other person, but does
        // not approve their own swap.
        let both = SwapParty {
            asker: false,
            other: true,
            organizer: true,
        };
        assert_eq!(swap_step(Asked, Accept, both), Ok(Accepted));
        assert_eq!(swap_step(Accepted, Approve, both), Err("problem.swap_own"));
    }

    #[test]
    fn an_absence_is_of_the_future_in_order_and_names_its_deputy() {
        let today = d("2018-05-10");
        let ok = Absence::parse(
            ("2018-05-12", "2018-05-14"),
            "北京",
            "参加培训",
            "李副主任",
            today,
        )
        .unwrap();
        assert_eq!((ok.first, ok.last), (d("2018-05-12"), d("2018-05-14")));
        let key = |r: Result<Absence, (String, Problem)>| r.unwrap_err();
        assert_eq!(
            key(Absence::parse(
                ("2018-05-09", "2018-05-14"),
                "北京",
                "参加培训",
                "李副主任",
                today
            ))
            .1
            .key,
            "problem.date_past"
        );
        assert_eq!(
            key(Absence::parse(
                ("2018-05-12", "2018-05-11"),
                "北京",
                "参加培训",
                "李副主任",
                today
            ))
            .0,
            "field.last_day"
        );
        assert_eq!(
            key(Absence::parse(
                ("2018-05-12", "2018-09-14"),
                "北京",
                "参加培训",
                "李副主任",
                today
            ))
            .1
            .key,
            "problem.too_many_days"
        );
        assert_eq!(
            key(Absence::parse(
                ("2018-05-12", "2018-05-14"),
                "北京",
                "参加培训",
                "",
                today
            ))
            .0,
            "field.deputy"
        );
    }
}
