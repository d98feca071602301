//! The duty roster (值班表): who stands duty (值班人员) and who leads it
//! (带班领导) each day of a period, filled fairly (DOMAIN.md, "Duty
//! rosters").
//!
//! The rules every roster keeps:
//! - a person stands at most one duty a day, only in their role, never on
//!   a day they are unavailable (leave, an approved absence, a training
//!   batch, a drill);
//! - between two duties of one person lie at least `min_rest_days` free
//!   days;
//! - a slot is left open (a gap, with its reason) only where nobody of
//!   that role could take it without breaking the rules above;
//! - duties are spread as evenly as these rules allow, weekdays and
//!   holidays-or-weekends counted apart, so that nobody gets all the
//!   holidays.
//!
//! The generator walks the days in order and gives each slot to the
//! eligible person with the fewest duties of that day's kind (then the
//! fewest in all, then whoever is away soonest, then the longest since
//! their last duty). Going forward,
//! a slot is left open only when every person of the role is unavailable,
//! resting after an earlier duty, or already on duty that day: later
//! duties never make an earlier gap fillable, since a person who was free
//! on the gap's day would have been given it. Among people available on
//! every day and without a rest rule, each day's duties go to those with
//! the fewest, which keeps their counts of each kind within one of each
//! other.

use chrono::{Datelike, NaiveDate, Weekday};
use std::cmp::Reverse;

/// The two duties of a day.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum DutyRole {
    /// 值班人员: stands the post.
    Staff,
    /// 带班领导: the leader on duty.
    Leader,
}

impl DutyRole {
    pub const ALL: [DutyRole; 2] = [DutyRole::Leader, DutyRole::Staff];

    pub fn code(self) -> &'static str {
        match self {
            DutyRole::Staff => "staff",
            DutyRole::Leader => "leader",
        }
    }

    pub fn parse(code: &str) -> Option<DutyRole> {
        match code {
            "staff" => Some(DutyRole::Staff),
            "leader" => Some(DutyRole::Leader),
            _ => None,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            DutyRole::Staff => "duty.role.staff",
            DutyRole::Leader => "duty.role.leader",
        }
    }
}

/// Whether a day counts as a weekday or as a holiday-or-weekend duty (the
/// two are spread separately).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayKind {
    Weekday,
    HolidayOrWeekend,
}

impl DayKind {
    /// Saturdays, Sundays and the listed holidays are holiday-or-weekend.
    pub fn of(day: NaiveDate, holiday: bool) -> DayKind {
        if holiday || matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            DayKind::HolidayOrWeekend
        } else {
            DayKind::Weekday
        }
    }

    fn index(self) -> usize {
        match self {
            DayKind::Weekday => 0,
            DayKind::HolidayOrWeekend => 1,
        }
    }
}

/// What one day of the period asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayNeed {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub staff: u32,
    pub leaders: u32,
}

impl DayNeed {
    fn wants(&self, role: DutyRole) -> u32 {
        match role {
            DutyRole::Staff => self.staff,
            DutyRole::Leader => self.leaders,
        }
    }
}

/// A person who may be put on the roster, with the days (first, last,
/// both included) they cannot stand duty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyPerson {
    pub id: String,
    pub role: DutyRole,
    pub unavailable: Vec<(NaiveDate, NaiveDate)>,
}

/// What the generator is asked: the days in order (one entry per day, no
/// day twice), the rest between duties, and the people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRequest {
    pub days: Vec<DayNeed>,
    pub min_rest_days: u32,
    pub people: Vec<DutyPerson>,
}

/// Why a person of the role could not take an open slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotFree {
    /// An unavailable day (leave, absence, training, drill).
    Unavailable,
    /// Resting after the duty of that day.
    Resting { after: NaiveDate },
}

/// Slots of one role left open on one day, and why nobody could take
/// them: each person of the role who is not on duty that day, with the
/// reason (none at all when nobody holds the role).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub date: NaiveDate,
    pub role: DutyRole,
    pub missing: u32,
    /// (index into the request's people, why not).
    pub why: Vec<(usize, NotFree)>,
}

/// One day of the roster: indices into the request's people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterDay {
    pub date: NaiveDate,
    pub staff: Vec<usize>,
    pub leaders: Vec<usize>,
}

impl RosterDay {
    pub fn of(&self, role: DutyRole) -> &[usize] {
        match role {
            DutyRole::Staff => &self.staff,
            DutyRole::Leader => &self.leaders,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster {
    pub days: Vec<RosterDay>,
    pub gaps: Vec<Gap>,
}

/// Each person's state while the days are walked.
struct Walker {
    /// Unavailable ranges, sorted by first day, and how far the walk has
    /// passed them.
    ranges: Vec<(NaiveDate, NaiveDate)>,
    next_range: usize,
    last: Option<NaiveDate>,
    by_kind: [u32; 2],
    total: u32,
}

impl Walker {
    /// The first unavailable day after `day`, sooner sorting first and
    /// none at all last. Called after `unavailable(day)` said false.
    fn next_away(&self, day: NaiveDate) -> Reverse<Option<Reverse<NaiveDate>>> {
        let next = self.ranges[self.next_range..]
            .iter()
            .map(|&(first, _)| first)
            .filter(|&first| first > day)
            .min();
        Reverse(next.map(Reverse))
    }

    /// Is the person unavailable on `day`? Days are asked in order.
    fn unavailable(&mut self, day: NaiveDate) -> bool {
        while self
            .ranges
            .get(self.next_range)
            .is_some_and(|&(_, last)| last < day)
        {
            self.next_range += 1;
        }
        self.ranges[self.next_range..]
            .iter()
            .take_while(|&&(first, _)| first <= day)
            .any(|&(_, last)| day <= last)
    }
}

/// Fills the roster (see the module's rules).
pub fn generate(req: &RosterRequest) -> Roster {
    let mut walkers: Vec<Walker> = req
        .people
        .iter()
        .map(|p| {
            let mut ranges = p.unavailable.clone();
            ranges.sort();
            Walker {
                ranges,
                next_range: 0,
                last: None,
                by_kind: [0, 0],
                total: 0,
            }
        })
        .collect();
    let of_role: Vec<(DutyRole, Vec<usize>)> = DutyRole::ALL
        .iter()
        .map(|&role| {
            let ids = (0..req.people.len())
                .filter(|&i| req.people[i].role == role)
                .collect();
            (role, ids)
        })
        .collect();
    let rest = i64::from(req.min_rest_days);
    let mut days = Vec::with_capacity(req.days.len());
    let mut gaps = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut why: Vec<(usize, NotFree)> = Vec::new();
    for need in &req.days {
        let mut day = RosterDay {
            date: need.date,
            staff: Vec::new(),
            leaders: Vec::new(),
        };
        let k = need.kind.index();
        for (role, ids) in &of_role {
            free.clear();
            why.clear();
            for &i in ids {
                let w = &mut walkers[i];
                if w.unavailable(need.date) {
                    why.push((i, NotFree::Unavailable));
                } else if let Some(last) = w.last.filter(|&l| (need.date - l).num_days() <= rest) {
                    why.push((i, NotFree::Resting { after: last }));
                } else {
                    free.push(i);
                }
            }
            let wanted = need.wants(*role) as usize;
            if free.len() > wanted {
                // The fewest of this kind, then the fewest in all, then
                // whoever is away soonest (use them while they are here:
                // their absence would otherwise leave others resting),
                // then the longest since the last duty (never first),
                // then the order given.
                free.sort_by_key(|&i| {
                    let w = &walkers[i];
                    (w.by_kind[k], w.total, w.next_away(need.date), w.last, i)
                });
                // Those not chosen were free: they are no reason for a gap
                // (there is none).
                free.truncate(wanted);
            }
            for &i in &free {
                let w = &mut walkers[i];
                w.last = Some(need.date);
                w.by_kind[k] += 1;
                w.total += 1;
            }
            let missing = wanted.saturating_sub(free.len()) as u32;
            if missing > 0 {
                gaps.push(Gap {
                    date: need.date,
                    role: *role,
                    missing,
                    why: why.clone(),
                });
            }
            free.sort_unstable();
            match role {
                DutyRole::Staff => day.staff = free.clone(),
                DutyRole::Leader => day.leaders = free.clone(),
            }
        }
        days.push(day);
    }
    Roster { days, gaps }
}

/// Everything wrong with `roster` as an answer to `req`, in words (empty
/// when it keeps every rule of the module). The tests hold every roster
/// the generator makes to it.
pub fn violations(req: &RosterRequest, roster: &Roster) -> Vec<String> {
    let mut out = Vec::new();
    if roster.days.len() != req.days.len() {
        out.push(format!(
            "{} days for a period of {}",
            roster.days.len(),
            req.days.len()
        ));
        return out;
    }
    let n = req.people.len();
    let mut duties: Vec<Vec<NaiveDate>> = vec![Vec::new(); n];
    for (need, day) in req.days.iter().zip(&roster.days) {
        if need.date != day.date {
            out.push(format!("{} where {} was asked", day.date, need.date));
        }
        let mut seen = std::collections::HashSet::new();
        for role in DutyRole::ALL {
            let on = day.of(role);
            if on.len() > need.wants(role) as usize {
                out.push(format!(
                    "{}: {} {} for {}",
                    day.date,
                    on.len(),
                    role.code(),
                    need.wants(role)
                ));
            }
            for &i in on {
                let Some(p) = req.people.get(i) else {
                    out.push(format!("{}: no person {i}", day.date));
                    continue;
                };
                if !seen.insert(i) {
                    out.push(format!("{}: {} twice", day.date, p.id));
                }
                if p.role != role {
                    out.push(format!("{}: {} as {}", day.date, p.id, role.code()));
                }
                if p.unavailable
                    .iter()
                    .any(|&(a, b)| a <= day.date && day.date <= b)
                {
                    out.push(format!("{}: {} is unavailable", day.date, p.id));
                }
                duties[i].push(day.date);
            }
        }
    }
    let rest = i64::from(req.min_rest_days);
    for (i, list) in duties.iter().enumerate() {
        for pair in list.windows(2) {
            if (pair[1] - pair[0]).num_days() <= rest {
                out.push(format!(
                    "{} on {} and {}: less than {rest} free days between",
                    req.people[i].id, pair[0], pair[1]
                ));
            }
        }
    }
    let mut named = std::collections::HashSet::new();
    for g in &roster.gaps {
        if !named.insert((g.date, g.role)) {
            out.push(format!("{}: {} gaps named twice", g.date, g.role.code()));
        }
    }
    // Every open slot: nobody of the role could have taken it.
    for (need, day) in req.days.iter().zip(&roster.days) {
        for role in DutyRole::ALL {
            let open =
                need.wants(role) as usize - day.of(role).len().min(need.wants(role) as usize);
            let gap = roster
                .gaps
                .iter()
                .find(|g| g.date == day.date && g.role == role)
                .map_or(0, |g| g.missing as usize);
            if gap != open {
                out.push(format!(
                    "{}: {open} {} open, {gap} named as gaps",
                    day.date,
                    role.code()
                ));
            }
            if open == 0 {
                continue;
            }
            for (i, p) in req.people.iter().enumerate() {
                if p.role != role || day.of(role).contains(&i) {
                    continue;
                }
                let unavailable = p
                    .unavailable
                    .iter()
                    .any(|&(a, b)| a <= day.date && day.date <= b);
                let too_close = duties[i]
                    .iter()
                    .any(|&d| (d - day.date).num_days().abs() <= rest);
                if !unavailable && !too_close {
                    out.push(format!(
                        "{}: a {} slot is open though {} could take it",
                        day.date,
                        role.code(),
                        p.id
                    ));
                }
            }
        }
    }
    out
}

/// The days of `first..=last` with the same needs each day, holidays from
/// `holidays` (days outside the period are ignored).
pub fn period(
    (first, last): (NaiveDate, NaiveDate),
    holidays: &[NaiveDate],
    staff: u32,
    leaders: u32,
) -> Vec<DayNeed> {
    let holidays: std::collections::HashSet<NaiveDate> = holidays.iter().copied().collect();
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|date| DayNeed {
            date,
            kind: DayKind::of(date, holidays.contains(&date)),
            staff,
            leaders,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn person(id: &str, role: DutyRole, unavailable: &[(&str, &str)]) -> DutyPerson {
        DutyPerson {
            id: id.into(),
            role,
            unavailable: unavailable.iter().map(|&(a, b)| (d(a), d(b))).collect(),
        }
    }

    fn request(days: Vec<DayNeed>, rest: u32, people: Vec<DutyPerson>) -> RosterRequest {
        RosterRequest {
            days,
            min_rest_days: rest,
            people,
        }
    }

    fn counts(req: &RosterRequest, roster: &Roster, i: usize) -> [u32; 2] {
        let mut c = [0, 0];
        for (need, day) in req.days.iter().zip(&roster.days) {
            if day.staff.contains(&i) || day.leaders.contains(&i) {
                c[need.kind.index()] += 1;
            }
        }
        c
    }

    #[test]
    fn weekends_and_holidays_are_their_own_kind() {
        assert_eq!(
            DayKind::of(d("2018-01-06"), false),
            DayKind::HolidayOrWeekend
        );
        assert_eq!(DayKind::of(d("2018-01-08"), false), DayKind::Weekday);
        assert_eq!(
            DayKind::of(d("2018-02-15"), true),
            DayKind::HolidayOrWeekend
        );
    }

    #[test]
    fn a_quarter_is_spread_evenly_among_people_always_available() {
        let days = period(
            (d("2018-01-01"), d("2018-03-31")),
            &[d("2018-02-15"), d("2018-02-16")],
            1,
            1,
        );
        let people = vec![
            person("P1", DutyRole::Staff, &[]),
            person("P2", DutyRole::Staff, &[]),
            person("P3", DutyRole::Staff, &[]),
            person("L1", DutyRole::Leader, &[]),
            person("L2", DutyRole::Leader, &[]),
        ];
        let req = request(days, 0, people);
        let roster = generate(&req);
        assert_eq!(violations(&req, &roster), Vec::<String>::new());
        assert!(roster.gaps.is_empty());
        let staff: Vec<[u32; 2]> = (0..3).map(|i| counts(&req, &roster, i)).collect();
        for kind in 0..2 {
            let (lo, hi) = (
                staff.iter().map(|c| c[kind]).min().unwrap(),
                staff.iter().map(|c| c[kind]).max().unwrap(),
            );
            assert!(hi - lo <= 1, "kind {kind}: {staff:?}");
        }
        // 90 days, 26 of them weekends or holidays: every staff member
        // has 8 or 9 of those.
        assert!(staff.iter().all(|c| (8..=9).contains(&c[1])), "{staff:?}");
    }

    #[test]
    fn nobody_stands_duty_on_a_day_they_are_away_and_a_day_nobody_can_cover_is_a_named_gap() {
        let days = period((d("2018-02-01"), d("2018-02-05")), &[], 1, 1);
        let people = vec![
            person("P1", DutyRole::Staff, &[("2018-02-01", "2018-02-03")]),
            person("L1", DutyRole::Leader, &[]),
        ];
        let req = request(days, 0, people);
        let roster = generate(&req);
        assert_eq!(violations(&req, &roster), Vec::<String>::new());
        let gaps: Vec<(NaiveDate, DutyRole)> =
            roster.gaps.iter().map(|g| (g.date, g.role)).collect();
        assert_eq!(
            gaps,
            vec![
                (d("2018-02-01"), DutyRole::Staff),
                (d("2018-02-02"), DutyRole::Staff),
                (d("2018-02-03"), DutyRole::Staff),
            ]
        );
        assert_eq!(roster.gaps[0].why, vec![(0, NotFree::Unavailable)]);
        assert_eq!(roster.days[3].staff, vec![0]);
    }

    #[test]
    fn rest_between_duties_is_kept_and_names_the_duty_it_follows() {
        let days = period((d("2018-01-01"), d("2018-01-04")), &[], 1, 0);
        let people = vec![
            person("P1", DutyRole::Staff, &[]),
            person("P2", DutyRole::Staff, &[]),
        ];
        let req = request(days, 2, people);
        let roster = generate(&req);
        assert_eq!(violations(&req, &roster), Vec::<String>::new());
        // P1 on the 1st, P2 on the 2nd; the 3rd: both resting.
        assert_eq!(roster.days[0].staff, vec![0]);
        assert_eq!(roster.days[1].staff, vec![1]);
        assert_eq!(roster.gaps[0].date, d("2018-01-03"));
        assert_eq!(
            roster.gaps[0].why,
            vec![
                (
                    0,
                    NotFree::Resting {
                        after: d("2018-01-01")
                    }
                ),
                (
                    1,
                    NotFree::Resting {
                        after: d("2018-01-02")
                    }
                )
            ]
        );
        assert_eq!(roster.days[3].staff, vec![0]);
    }

    #[test]
    fn two_people_always_free_take_turns() {
        // A week from Monday: weekdays A B A B A, the weekend B A.
        let days = period((d("2018-01-01"), d("2018-01-07")), &[], 1, 0);
        let people = vec![
            person("A", DutyRole::Staff, &[]),
            person("B", DutyRole::Staff, &[]),
        ];
        let req = request(days, 0, people);
        let roster = generate(&req);
        let order: Vec<usize> = roster.days.iter().map(|d| d.staff[0]).collect();
        assert_eq!(order, vec![0, 1, 0, 1, 0, 1, 0]);
    }

    #[test]
    fn someone_about_to_be_away_stands_duty_first_so_no_slot_is_lost() {
        // With a day's rest, giving the 1st to P1 would leave the 2nd
        // open (P1 resting, P2 away); P2 takes the 1st instead.
        let days = period((d("2018-01-01"), d("2018-01-03")), &[], 1, 0);
        let people = vec![
            person("P1", DutyRole::Staff, &[]),
            person("P2", DutyRole::Staff, &[("2018-01-02", "2018-01-02")]),
        ];
        let req = request(days, 1, people);
        let roster = generate(&req);
        assert_eq!(violations(&req, &roster), Vec::<String>::new());
        assert!(roster.gaps.is_empty(), "{:?}", roster.gaps);
        let order: Vec<usize> = roster.days.iter().map(|d| d.staff[0]).collect();
        assert_eq!(order, vec![1, 0, 1]);
    }

    #[test]
    fn nobody_holding_the_role_leaves_every_slot_open_with_no_one_named() {
        let days = period((d("2018-01-01"), d("2018-01-02")), &[], 1, 1);
        let req = request(days, 0, vec![person("P1", DutyRole::Staff, &[])]);
        let roster = generate(&req);
        assert_eq!(violations(&req, &roster), Vec::<String>::new());
        assert_eq!(roster.gaps.len(), 2);
        assert!(
            roster
                .gaps
                .iter()
                .all(|g| g.role == DutyRole::Leader && g.why.is_empty())
        );
    }

    #[test]
    fn the_checker_sees_a_broken_roster() {
        let days = period((d("2018-01-01"), d("2018-01-02")), &[], 1, 0);
        let req = request(
            days,
            1,
            vec![
                person("P1", DutyRole::Staff, &[("2018-01-02", "2018-01-02")]),
                person("P2", DutyRole::Staff, &[]),
            ],
        );
        let day = |date: &str, staff: Vec<usize>| RosterDay {
            date: d(date),
            staff,
            leaders: vec![],
        };
        // P1 away on the 2nd; an open slot P2 could take; P2 twice in a row.
        for (bad, what) in [
            (
                vec![day("2018-01-01", vec![1]), day("2018-01-02", vec![0])],
                "unavailable",
            ),
            (
                vec![day("2018-01-01", vec![]), day("2018-01-02", vec![1])],
                "open",
            ),
            (
                vec![day("2018-01-01", vec![1]), day("2018-01-02", vec![1])],
                "free days",
            ),
        ] {
            let roster = Roster {
                days: bad,
                gaps: vec![],
            };
            let found = violations(&req, &roster);
            assert!(found.iter().any(|v| v.contains(what)), "{what}: {found:?}");
        }
        // One open slot named twice.
        let gap = Gap {
            date: d("2018-01-02"),
            role: DutyRole::Staff,
            missing: 1,
            why: vec![],
        };
        let roster = Roster {
            days: vec![day("2018-01-01", vec![1]), day("2018-01-02", vec![])],
            gaps: vec![gap.clone(), gap],
        };
        let found = violations(&req, &roster);
        assert!(found.iter().any(|v| v.contains("named twice")), "{found:?}");
    }

    fn arb_request() -> impl Strategy<Value = RosterRequest> {
        let person = (
            prop::bool::weighted(0.3),
            prop::collection::vec((0u32..60, 0u32..10), 0..4),
        );
        (
            1u32..60,
            0u32..3,
            0u32..3,
            0u32..4,
            prop::collection::vec(person, 0..8),
            prop::collection::vec(0u32..60, 0..6),
        )
            .prop_map(|(len, staff, leaders, rest, people, holidays)| {
                let start = NaiveDate::from_ymd_opt(2018, 1, 1).unwrap();
                let day = |n: u32| start + chrono::Days::new(u64::from(n));
                let holidays: Vec<NaiveDate> = holidays.into_iter().map(day).collect();
                RosterRequest {
                    days: period((start, day(len - 1)), &holidays, staff, leaders),
                    min_rest_days: rest,
                    people: people
                        .into_iter()
                        .enumerate()
                        .map(|(i, (leader, away))| DutyPerson {
                            id: format!("X{i}"),
                            role: if leader {
                                DutyRole::Leader
                            } else {
                                DutyRole::Staff
                            },
                            unavailable: away
                                .into_iter()
                                .map(|(from, len)| (day(from), day(from + len)))
                                .collect(),
                        })
                        .collect(),
                }
            })
    }

    proptest! {
        #[test]
        fn every_roster_keeps_the_rules(req in arb_request()) {
            let roster = generate(&req);
            prop_assert_eq!(violations(&req, &roster), Vec::<String>::new());
        }

        #[test]
        fn without_rest_those_always_available_differ_by_at_most_one_of_each_kind(req in arb_request()) {
            let req = RosterRequest { min_rest_days: 0, ..req };
            let roster = generate(&req);
            for role in DutyRole::ALL {
                let always: Vec<usize> = (0..req.people.len())
                    .filter(|&i| req.people[i].role == role && req.people[i].unavailable.iter().all(|&(a, b)| {
                        b < req.days[0].date || a > req.days[req.days.len() - 1].date
                    }))
                    .collect();
                for kind in 0..2 {
                    let c: Vec<u32> = always.iter().map(|&i| counts(&req, &roster, i)[kind]).collect();
                    if let (Some(lo), Some(hi)) = (c.iter().min(), c.iter().max()) {
                        prop_assert!(hi - lo <= 1, "{:?} kind {}: {:?}", role, kind, c);
                    }
                }
            }
        }
    }
}
