//! The annual emergency-management assessment (年度应急管理考核), computed
//! exactly as DOMAIN.md §4 says: indicator bases (entered or from a ratio),
//! deductions that stop at zero within an indicator, a capped bonus, the
//! one-vote veto (一票否决), grades with an optional quota for excellent, and
//! the ranking with shared ranks. Points are integers in tenths throughout.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The most events one record may count (a web form, a file row): a
/// hundred late reports of one kind is already a catastrophe.
pub const MAX_EVENT_COUNT: i64 = 100;
/// The largest numerator or denominator of a metric value.
pub const MAX_RATIO_TERM: i64 = 1_000_000;
/// The largest points one bonus item, deduction rule or score may carry:
/// 100.0 (no indicator is worth more).
pub const MAX_ITEM_POINTS: Points = Points(1000);

/// Points in tenths: `Points(185)` is 18.5.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Points(pub i64);

impl Points {
    pub const ZERO: Points = Points(0);

    /// Parses a decimal with at most one digit after the point ("18.5",
    /// "20", "-1.0"); `None` for anything else.
    pub fn parse(text: &str) -> Option<Points> {
        let (whole, frac) = fixed_point(text, 1)?;
        Some(Points(whole * 10 + frac))
    }
}

impl fmt::Display for Points {
    /// Always one decimal: 18.5, 0.0, 100.0.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}{}.{}", self.0.abs() / 10, self.0.abs() % 10)
    }
}

/// Splits a decimal text into its whole part and `digits` fractional
/// digits (scaled), refusing more decimals than that.
pub fn fixed_point(text: &str, digits: u32) -> Option<(i64, i64)> {
    let text = text.trim();
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > digits as usize || int.len() > 12 {
        return None;
    }
    let whole: i64 = int.parse().ok()?;
    let scaled: i64 = format!("{frac:0<width$}", width = digits as usize)
        .parse()
        .unwrap_or(0);
    let sign = if negative { -1 } else { 1 };
    Some((sign * whole, sign * scaled))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// An assessor enters 0..max.
    Manual,
    /// max × min(1, (numerator/denominator) / target); `target_bp` is the
    /// target percent in hundredths (97% = 9700).
    Ratio { target_bp: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub code: String,
    pub category: String,
    pub name: String,
    pub max: Points,
    pub method: Method,
    /// For ratio indicators, where the numerator and denominator come
    /// from (`plan_coverage`, ...); empty means the indicator's own code.
    #[serde(default)]
    pub metric: String,
}

impl Indicator {
    /// The metric a ratio indicator reads.
    pub fn metric_key(&self) -> &str {
        if self.metric.is_empty() {
            &self.code
        } else {
            &self.metric
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeductionRule {
    pub event: String,
    pub indicator: String,
    pub points: Points,
    pub bars_excellent: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    pub excellent: Points,
    pub good: Points,
    pub pass: Points,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    pub indicators: Vec<Indicator>,
    pub deductions: Vec<DeductionRule>,
    pub thresholds: Thresholds,
    pub bonus_cap: Points,
    pub excellent_quota_percent: Option<i64>,
}

/// What was recorded for one indicator of one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Entry {
    #[default]
    Missing,
    /// An entered score (manual indicators).
    Score(Points),
    /// Numerator and denominator (ratio indicators).
    Ratio(i64, i64),
}

/// Everything recorded for one unit in one scheme, by position: codes are
/// resolved to indices once, where sheets are built, so that evaluating a
/// district does no string work.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Sheet {
    pub unit: String,
    /// By indicator index, in the scheme's order; missing past the end.
    pub entries: Vec<Entry>,
    /// (index of the deduction rule the event falls under, number of events)
    pub events: Vec<(usize, i64)>,
    pub bonuses: Vec<Points>,
    /// A confirmed veto (proposed-only vetoes do not count).
    pub vetoed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    Excellent,
    Good,
    Pass,
    Fail,
}

impl Grade {
    pub fn code(self) -> &'static str {
        match self {
            Grade::Excellent => "excellent",
            Grade::Good => "good",
            Grade::Pass => "pass",
            Grade::Fail => "fail",
        }
    }

    /// The translation key of the grade's name (优秀, 良好, 合格, 不合格).
    pub fn label_key(self) -> &'static str {
        match self {
            Grade::Excellent => "grade.excellent",
            Grade::Good => "grade.good",
            Grade::Pass => "grade.pass",
            Grade::Fail => "grade.fail",
        }
    }
}

/// How one indicator's score came about, for the explanation page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// Index into the scheme's indicators.
    pub indicator: usize,
    /// `None` when the score or ratio is missing.
    pub base: Option<Points>,
    /// (index into the scheme's deduction rules, number of events) for each
    /// rule that took points here.
    pub deductions: Vec<(usize, i64)>,
    pub score: Option<Points>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub unit: String,
    pub lines: Vec<Line>,
    pub bonus: Points,
    pub bonus_counted: Points,
    pub vetoed: bool,
    /// An event whose rule bars excellent was recorded.
    pub barred_from_excellent: bool,
    /// Missing a score or ratio (and not vetoed): no total, grade or rank.
    pub incomplete: bool,
    pub total: Option<Points>,
    pub grade: Option<Grade>,
    pub rank: Option<u32>,
    /// The grade the thresholds alone give, before the quota and bars.
    pub threshold_grade: Option<Grade>,
}

/// Why a unit keeps a year from being published as finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GapKind {
    /// Scores or ratios missing (未评完).
    Incomplete,
    /// A veto proposed and not yet decided.
    VetoUndecided,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishGap {
    pub unit: String,
    pub kind: GapKind,
}

/// The units that keep a year from being published finished: unfinished
/// sheets (a vetoed unit is finished: its total is 0.0 whatever is
/// missing), then units with a veto undecided; each unit once, by code.
pub fn publish_gaps(outcomes: &[Outcome], undecided_vetoes: &[String]) -> Vec<PublishGap> {
    let mut gaps: Vec<PublishGap> = outcomes
        .iter()
        .filter(|o| o.incomplete)
        .map(|o| PublishGap {
            unit: o.unit.clone(),
            kind: GapKind::Incomplete,
        })
        .collect();
    for unit in undecided_vetoes {
        if !gaps.iter().any(|g| &g.unit == unit) {
            gaps.push(PublishGap {
                unit: unit.clone(),
                kind: GapKind::VetoUndecided,
            });
        }
    }
    gaps.sort_by(|a, b| a.unit.cmp(&b.unit));
    gaps
}

/// A manual score as typed: empty is not scored yet; otherwise a number
/// with one decimal at most, from 0 to the indicator's maximum. The
/// scoring sheet's live total (in the browser) and the server read it
/// alike, so the page never shows a total the server will refuse.
pub fn manual_points(raw: &str, max: Points) -> Result<Option<Points>, crate::Problem> {
    use crate::Problem;
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match Points::parse(raw) {
        Some(p) if p > max => Err(Problem::with("problem.above_max", &[&max.to_string()])),
        Some(p) if p < Points::ZERO => {
            Err(Problem::with("problem.between", &["0.0", &max.to_string()]))
        }
        Some(p) => Ok(Some(p)),
        None => Err(Problem::with("problem.bad_points", &[raw])),
    }
}

/// max × min(1, (n/d) / (target/100)), rounded half up to a tenth, in
/// integers; a denominator of 0 earns the maximum.
pub fn ratio_base(max: Points, numerator: i64, denominator: i64, target_bp: i64) -> Points {
    if denominator <= 0 || target_bp <= 0 {
        return max;
    }
    // base = max * n * 10000 / (d * target_bp), in i128 (no i64 product
    // of these can overflow it), rounded half up without doubling.
    let num = max.0.max(0) as i128 * numerator.max(0) as i128 * 10_000;
    let den = denominator as i128 * target_bp as i128;
    let (q, r) = (num / den, num % den);
    if q >= max.0 as i128 {
        return max;
    }
    Points((q + i128::from(r >= den - r)) as i64)
}

fn grade_for(total: Points, t: &Thresholds) -> Grade {
    if total >= t.excellent {
        Grade::Excellent
    } else if total >= t.good {
        Grade::Good
    } else if total >= t.pass {
        Grade::Pass
    } else {
        Grade::Fail
    }
}

/// One unit's total before ranking: the lines, the bonus, and whether it
/// is complete.
fn score(scheme: &Scheme, rule_indicator: &[Option<usize>], sheet: &Sheet) -> Outcome {
    // Deductions per indicator index: (rule, count).
    let mut taken: Vec<Vec<(usize, i64)>> = vec![Vec::new(); scheme.indicators.len()];
    let mut barred = false;
    for &(r, count) in &sheet.events {
        if count <= 0 {
            continue;
        }
        if let Some(Some(i)) = rule_indicator.get(r) {
            // One line per rule: two 迟报 records are one deduction of
            // their summed count.
            match taken[*i].iter_mut().find(|(rule, _)| *rule == r) {
                Some((_, n)) => *n = n.saturating_add(count),
                None => taken[*i].push((r, count)),
            }
            barred |= scheme.deductions[r].bars_excellent;
        }
    }
    let mut lines = Vec::with_capacity(scheme.indicators.len());
    let mut incomplete = false;
    let mut sum = 0i64;
    for ((i, ind), deductions) in scheme.indicators.iter().enumerate().zip(taken) {
        let entry = sheet.entries.get(i).copied().unwrap_or_default();
        let base = match (ind.method, entry) {
            (Method::Manual, Entry::Score(p)) => Some(p),
            (Method::Ratio { target_bp }, Entry::Ratio(n, d)) => {
                Some(ratio_base(ind.max, n, d, target_bp))
            }
            _ => None,
        };
        // Saturating: counts and points are bounded where they are read,
        // but no input may wrap a deduction into a bonus.
        let minus = deductions.iter().fold(0i64, |acc, (r, c)| {
            acc.saturating_add(c.saturating_mul(scheme.deductions[*r].points.0.max(0)))
        });
        let score = base.map(|b| Points(b.0.saturating_sub(minus).max(0)));
        match score {
            Some(s) => sum = sum.saturating_add(s.0),
            None => incomplete = true,
        }
        lines.push(Line {
            indicator: i,
            base,
            deductions,
            score,
        });
    }
    let bonus = Points(
        sheet
            .bonuses
            .iter()
            .fold(0i64, |acc, b| acc.saturating_add(b.0)),
    );
    let bonus_counted = Points(bonus.0.clamp(0, scheme.bonus_cap.0.max(0)));
    let vetoed = sheet.vetoed;
    let total = if vetoed {
        Some(Points::ZERO)
    } else if incomplete {
        None
    } else {
        Some(Points(sum.saturating_add(bonus_counted.0)))
    };
    Outcome {
        unit: sheet.unit.clone(),
        lines,
        bonus,
        bonus_counted,
        vetoed,
        barred_from_excellent: barred,
        incomplete: incomplete && !vetoed,
        total,
        grade: None,
        rank: None,
        threshold_grade: None,
    }
}

/// Evaluates every unit of a scheme: totals, grades, ranks. The result is
/// in the order of `sheets`, and does not depend on that order otherwise.
pub fn evaluate(scheme: &Scheme, sheets: &[Sheet]) -> Vec<Outcome> {
    let rule_indicator: Vec<Option<usize>> = scheme
        .deductions
        .iter()
        .map(|rule| {
            scheme
                .indicators
                .iter()
                .position(|ind| ind.code == rule.indicator)
        })
        .collect();
    let mut out: Vec<Outcome> = sheets
        .iter()
        .map(|s| score(scheme, &rule_indicator, s))
        .collect();
    // Ranks: complete, unvetoed units by total descending, ties shared.
    let mut ranked: Vec<(Points, usize)> = out
        .iter()
        .enumerate()
        .filter(|(_, o)| !o.vetoed && !o.incomplete)
        .map(|(i, o)| (o.total.unwrap_or_default(), i))
        .collect();
    ranked.sort_by_key(|(total, _)| std::cmp::Reverse(*total));
    let n_ranked = ranked.len();
    let mut rank = 0u32;
    for (pos, (total, i)) in ranked.iter().enumerate() {
        if pos == 0 || ranked[pos - 1].0 != *total {
            rank = pos as u32 + 1;
        }
        out[*i].rank = Some(rank);
    }
    let quota = scheme
        .excellent_quota_percent
        .map(|q| (n_ranked as i64 * q / 100) as u32);
    for o in &mut out {
        if o.vetoed {
            o.rank = Some(n_ranked as u32 + 1);
            o.grade = Some(Grade::Fail);
            o.threshold_grade = Some(Grade::Fail);
            continue;
        }
        let Some(total) = o.total else { continue };
        let by_threshold = grade_for(total, &scheme.thresholds);
        o.threshold_grade = Some(by_threshold);
        let within_quota = match (quota, o.rank) {
            (Some(k), Some(r)) => r <= k,
            _ => true,
        };
        o.grade = Some(match by_threshold {
            Grade::Excellent if o.barred_from_excellent || !within_quota => Grade::Good,
            g => g,
        });
    }
    out
}

/// The order results are listed in: ranked units by rank then code, then
/// vetoed units by code, then incomplete units by code.
pub fn listing_order(results: &mut [(String, Outcome)]) {
    results.sort_by(|(code_a, a), (code_b, b)| {
        let group = |o: &Outcome| {
            if o.vetoed {
                1
            } else if o.incomplete {
                2
            } else {
                0
            }
        };
        group(a)
            .cmp(&group(b))
            .then(a.rank.cmp(&b.rank))
            .then(code_a.cmp(code_b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn p(x: f64) -> Points {
        Points((x * 10.0).round() as i64)
    }

    fn scheme() -> Scheme {
        Scheme {
            indicators: vec![
                Indicator {
                    code: "duty".into(),
                    category: "duty".into(),
                    name: "政务值班".into(),
                    max: p(20.0),
                    method: Method::Manual,
                    metric: String::new(),
                },
                Indicator {
                    code: "report".into(),
                    category: "report".into(),
                    name: "信息报告".into(),
                    max: p(65.0),
                    method: Method::Manual,
                    metric: String::new(),
                },
                Indicator {
                    code: "plans".into(),
                    category: "response".into(),
                    name: "应急预案".into(),
                    max: p(15.0),
                    method: Method::Ratio { target_bp: 9700 },
                    metric: "plan_coverage".into(),
                },
            ],
            deductions: vec![
                DeductionRule {
                    event: "late_report".into(),
                    indicator: "duty".into(),
                    points: p(1.0),
                    bars_excellent: false,
                },
                DeductionRule {
                    event: "concealed_report".into(),
                    indicator: "duty".into(),
                    points: p(4.0),
                    bars_excellent: true,
                },
            ],
            thresholds: Thresholds {
                excellent: p(90.0),
                good: p(80.0),
                pass: p(60.0),
            },
            bonus_cap: p(5.0),
            excellent_quota_percent: None,
        }
    }

    fn sheet(unit: &str, duty: f64, report: f64, plans: (i64, i64)) -> Sheet {
        Sheet {
            unit: unit.into(),
            entries: vec![
                Entry::Score(p(duty)),
                Entry::Score(p(report)),
                Entry::Ratio(plans.0, plans.1),
            ],
            ..Default::default()
        }
    }

    const LATE: usize = 0;
    const CONCEALED: usize = 1;

    #[test]
    fn points_parse_with_at_most_one_decimal_and_print_with_exactly_one() {
        assert_eq!(Points::parse("18.5"), Some(Points(185)));
        assert_eq!(Points::parse("20"), Some(Points(200)));
        assert_eq!(Points::parse("3.50"), Some(Points(35)));
        assert_eq!(Points::parse("-1.5"), Some(Points(-15)));
        assert_eq!(Points::parse("18.55"), None);
        assert_eq!(Points::parse("1e3"), None);
        assert_eq!(Points(0).to_string(), "0.0");
        assert_eq!(Points(1005).to_string(), "100.5");
        assert_eq!(Points(-15).to_string(), "-1.5");
        assert_eq!(fixed_point("97.25", 2), Some((97, 25)));
        assert_eq!(fixed_point("97.255", 2), None);
    }

    #[test]
    fn a_ratio_base_is_rounded_half_up_to_a_tenth_in_integers() {
        // 19/20 = 95% of a 97% target: 15 × 0.95 / 0.97 = 14.690... -> 14.7
        assert_eq!(ratio_base(p(15.0), 19, 20, 9700), Points(147));
        // At or above the target: the maximum.
        assert_eq!(ratio_base(p(15.0), 97, 100, 9700), p(15.0));
        assert_eq!(ratio_base(p(15.0), 120, 100, 9700), p(15.0));
        // A denominator of 0 earns the maximum.
        assert_eq!(ratio_base(p(15.0), 0, 0, 9700), p(15.0));
        // Exactly half a tenth rounds up: 10 × 1/8 / 1 = 1.25 -> 1.3
        assert_eq!(ratio_base(p(10.0), 1, 8, 10000), Points(13));
        assert_eq!(ratio_base(p(10.0), 0, 8, 10000), Points(0));
    }

    #[test]
    fn deductions_stop_at_zero_within_their_indicator() {
        let mut s = sheet("A", 2.0, 60.0, (97, 100));
        s.events = vec![(LATE, 5)];
        let r = &evaluate(&scheme(), &[s])[0];
        assert_eq!(
            r.lines[0].score,
            Some(Points(0)),
            "2.0 - 5 × 1.0 stops at 0"
        );
        assert_eq!(
            r.total,
            Some(p(75.0)),
            "the other indicators keep their points"
        );
    }

    #[test]
    fn the_bonus_is_capped_and_added_to_the_indicator_scores() {
        let mut s = sheet("A", 18.5, 60.0, (19, 20));
        s.bonuses = vec![p(3.0), p(4.0)];
        let r = &evaluate(&scheme(), &[s])[0];
        assert_eq!(r.bonus, p(7.0));
        assert_eq!(r.bonus_counted, p(5.0));
        assert_eq!(r.total, Some(Points(185 + 600 + 147 + 50)));
    }

    #[test]
    fn a_confirmed_veto_zeroes_the_total_and_fails_whatever_else_was_earned() {
        let mut full = sheet("A", 20.0, 65.0, (100, 100));
        full.bonuses = vec![p(5.0)];
        full.vetoed = true;
        let partial = Sheet {
            unit: "B".into(),
            entries: vec![Entry::Score(p(20.0))],
            vetoed: true,
            ..Default::default()
        };
        let results = evaluate(&scheme(), &[full, partial, sheet("C", 10.0, 50.0, (1, 2))]);
        for r in &results[..2] {
            assert_eq!(r.total, Some(Points::ZERO));
            assert_eq!(r.grade, Some(Grade::Fail));
            assert!(!r.incomplete, "a veto counts even on an incomplete sheet");
            assert_eq!(
                r.rank,
                Some(2),
                "vetoed units share the rank after the ranked ones"
            );
        }
        assert_eq!(results[2].rank, Some(1));
    }

    #[test]
    fn grades_follow_the_thresholds_and_a_barring_event_stops_excellent() {
        let t = scheme();
        let results = evaluate(
            &t,
            &[
                sheet("A", 20.0, 65.0, (97, 100)),
                sheet("B", 10.0, 60.0, (97, 100)),
                sheet("C", 10.0, 40.0, (97, 100)),
                sheet("D", 0.0, 40.0, (0, 100)),
            ],
        );
        let grades: Vec<_> = results.iter().map(|r| r.grade).collect();
        assert_eq!(
            grades,
            vec![
                Some(Grade::Excellent),
                Some(Grade::Good),
                Some(Grade::Pass),
                Some(Grade::Fail)
            ]
        );
        let mut barred = sheet("E", 20.0, 65.0, (97, 100));
        barred.events = vec![(CONCEALED, 1)];
        let r = &evaluate(&t, &[barred])[0];
        assert_eq!(r.total, p(96.0).into());
        assert_eq!(r.grade, Some(Grade::Good));
        assert_eq!(r.threshold_grade, Some(Grade::Excellent));
    }

    #[test]
    fn the_excellent_quota_keeps_only_the_top_ranks_excellent() {
        let mut t = scheme();
        t.excellent_quota_percent = Some(35);
        // Five ranked units: k = floor(5 × 35 / 100) = 1.
        let sheets: Vec<Sheet> = ["A", "B", "C", "D", "E"]
            .iter()
            .enumerate()
            .map(|(i, u)| sheet(u, 20.0 - i as f64, 65.0, (97, 100)))
            .collect();
        let results = evaluate(&t, &sheets);
        let grades: Vec<_> = results.iter().map(|r| r.grade.unwrap()).collect();
        assert_eq!(
            grades,
            vec![
                Grade::Excellent,
                Grade::Good,
                Grade::Good,
                Grade::Good,
                Grade::Good
            ]
        );
    }

    #[test]
    fn a_missing_score_or_ratio_leaves_a_unit_incomplete_and_unranked() {
        let mut s = sheet("A", 20.0, 65.0, (1, 1));
        s.entries[2] = Entry::Missing;
        let results = evaluate(&scheme(), &[s, sheet("B", 1.0, 1.0, (1, 1))]);
        assert!(results[0].incomplete);
        assert_eq!(
            (results[0].total, results[0].grade, results[0].rank),
            (None, None, None)
        );
        assert_eq!(results[1].rank, Some(1));
    }

    #[test]
    fn ties_share_a_rank_and_the_next_rank_skips() {
        let results = evaluate(
            &scheme(),
            &[
                sheet("A", 20.0, 60.0, (1, 1)),
                sheet("B", 19.0, 60.0, (1, 1)),
                sheet("C", 19.0, 60.0, (1, 1)),
                sheet("D", 10.0, 60.0, (1, 1)),
            ],
        );
        let ranks: Vec<_> = results.iter().map(|r| r.rank.unwrap()).collect();
        assert_eq!(ranks, vec![1, 2, 2, 4]);
    }

    #[test]
    fn results_are_listed_ranked_then_vetoed_then_incomplete() {
        let mut v = sheet("A", 20.0, 65.0, (1, 1));
        v.vetoed = true;
        let mut inc = sheet("B", 20.0, 65.0, (1, 1));
        inc.entries.truncate(0);
        let results = evaluate(
            &scheme(),
            &[
                inc,
                v,
                sheet("D", 1.0, 1.0, (1, 1)),
                sheet("C", 1.0, 1.0, (1, 1)),
            ],
        );
        let mut listed: Vec<(String, Outcome)> =
            results.into_iter().map(|o| (o.unit.clone(), o)).collect();
        listing_order(&mut listed);
        let order: Vec<&str> = listed.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(order, vec!["C", "D", "A", "B"]);
    }

    fn arb_sheet(unit: String) -> impl Strategy<Value = Sheet> {
        (
            0i64..=200,
            0i64..=650,
            proptest::option::of((0i64..50, 0i64..50)),
            // Rule 2 does not exist: such events deduct nothing.
            proptest::collection::vec((0usize..3, 1i64..4), 0..4),
            proptest::collection::vec(0i64..80, 0..3),
            any::<bool>(),
        )
            .prop_map(
                move |(duty, report, plans, events, bonuses, vetoed)| Sheet {
                    unit: unit.clone(),
                    entries: vec![
                        Entry::Score(Points(duty)),
                        Entry::Score(Points(report)),
                        plans.map_or(Entry::Missing, |(n, d)| Entry::Ratio(n, d)),
                    ],
                    events,
                    bonuses: bonuses.into_iter().map(Points).collect(),
                    vetoed,
                },
            )
    }

    fn arb_sheets() -> impl Strategy<Value = Vec<Sheet>> {
        (1usize..8).prop_flat_map(|n| {
            (0..n)
                .map(|i| arb_sheet(format!("U{i}")))
                .collect::<Vec<_>>()
        })
    }

    /// Sheets whose numbers span the whole of i64: what a file or a
    /// database could hold if a bound were ever missed.
    fn arb_extreme_sheet() -> impl Strategy<Value = Sheet> {
        let extreme = prop_oneof![
            any::<i64>(),
            Just(i64::MAX),
            Just(i64::MIN),
            Just(1i64 << 62),
            Just(0i64),
            1i64..5
        ];
        (
            extreme.clone(),
            extreme.clone(),
            (extreme.clone(), extreme.clone()),
            proptest::collection::vec((0usize..3, extreme.clone()), 0..4),
            proptest::collection::vec(extreme, 0..3),
        )
            .prop_map(|(duty, report, (n, d), events, bonuses)| Sheet {
                unit: "X".into(),
                entries: vec![
                    Entry::Score(Points(duty.clamp(0, 200))),
                    Entry::Score(Points(report.clamp(0, 650))),
                    Entry::Ratio(n, d),
                ],
                events,
                bonuses: bonuses.into_iter().map(Points).collect(),
                vetoed: false,
            })
    }

    #[test]
    fn a_year_with_an_unfinished_sheet_or_an_undecided_veto_has_gaps() {
        let mut unfinished = sheet("B", 20.0, 60.0, (1, 1));
        unfinished.entries[0] = Entry::Missing;
        let mut vetoed = sheet("C", 20.0, 60.0, (1, 1));
        vetoed.entries[0] = Entry::Missing;
        vetoed.vetoed = true;
        let outcomes = evaluate(
            &scheme(),
            &[sheet("A", 20.0, 60.0, (1, 1)), unfinished, vetoed],
        );
        assert_eq!(
            publish_gaps(&outcomes, &["D".into(), "B".into()]),
            vec![
                PublishGap {
                    unit: "B".into(),
                    kind: GapKind::Incomplete
                },
                PublishGap {
                    unit: "D".into(),
                    kind: GapKind::VetoUndecided
                },
            ]
        );
        assert!(publish_gaps(&outcomes[..1], &[]).is_empty());
    }

    #[test]
    fn a_typed_score_is_read_as_the_server_reads_it() {
        use crate::Problem;
        let ten = p(10.0);
        assert_eq!(manual_points("", ten), Ok(None));
        assert_eq!(manual_points(" 9.5 ", ten), Ok(Some(p(9.5))));
        assert_eq!(manual_points("10", ten), Ok(Some(ten)));
        assert_eq!(
            manual_points("11", ten),
            Err(Problem::with("problem.above_max", &["10.0"]))
        );
        assert_eq!(
            manual_points("abc", ten),
            Err(Problem::with("problem.bad_points", &["abc"]))
        );
        assert_eq!(
            manual_points("-1", ten),
            Err(Problem::with("problem.between", &["0.0", "10.0"]))
        );
        assert!(manual_points("9.55", ten).is_err());
    }

    #[test]
    fn events_of_one_rule_make_one_deduction_line_with_their_summed_count() {
        let mut s = sheet("A", 20.0, 60.0, (1, 1));
        s.events.push((LATE, 1));
        s.events.push((LATE, 2));
        let r = &evaluate(&scheme(), &[s])[0];
        assert_eq!(r.lines[0].deductions, vec![(LATE, 3)]);
        assert_eq!(r.lines[0].score, Some(p(17.0)));
    }

    #[test]
    fn a_huge_event_count_deducts_everything_and_never_adds() {
        let base = sheet("A", 20.0, 60.0, (1, 1));
        let before = evaluate(&scheme(), std::slice::from_ref(&base))[0]
            .total
            .unwrap();
        for count in [i64::MAX, 1 << 62, i64::MAX / 3] {
            let mut s = base.clone();
            s.events.push((LATE, count));
            let after = evaluate(&scheme(), &[s])[0].total.unwrap();
            assert!(after < before, "{count}: {after} after {before}");
            assert_eq!(after, Points(before.0 - 200), "the duty line goes to zero");
        }
        assert_eq!(ratio_base(p(15.0), i64::MAX, 1, 1), p(15.0));
        assert_eq!(ratio_base(p(15.0), 1, i64::MAX, i64::MAX), Points(0));
        assert_eq!(ratio_base(p(15.0), i64::MAX, i64::MAX, 9700), p(15.0));
    }

    proptest! {
        #[test]
        fn extreme_numbers_keep_a_total_between_zero_and_100_plus_the_cap(s in arb_extreme_sheet(), count in any::<i64>()) {
            let t = scheme();
            let before = evaluate(&t, std::slice::from_ref(&s));
            let total = before[0].total.unwrap();
            prop_assert!(total.0 >= 0 && total.0 <= 1000 + t.bonus_cap.0, "{total}");
            let mut more = s.clone();
            more.events.push((LATE, count));
            let after = evaluate(&t, &[more])[0].total.unwrap();
            prop_assert!(after <= total, "an event raised {total} to {after}");
        }

        #[test]
        fn a_total_is_never_negative_nor_above_100_plus_the_cap(sheets in arb_sheets()) {
            let t = scheme();
            for r in evaluate(&t, &sheets) {
                if let Some(total) = r.total {
                    prop_assert!(total.0 >= 0);
                    prop_assert!(total.0 <= 1000 + t.bonus_cap.0);
                }
            }
        }

        #[test]
        fn adding_a_deduction_never_raises_a_total(sheets in arb_sheets(), which in 0usize..8, count in 1i64..5) {
            let t = scheme();
            let before = evaluate(&t, &sheets);
            let mut more = sheets.clone();
            let i = which % more.len();
            more[i].events.push((LATE, count));
            let after = evaluate(&t, &more);
            match (before[i].total, after[i].total) {
                (Some(b), Some(a)) => prop_assert!(a <= b),
                (b, a) => prop_assert_eq!(b, a),
            }
        }

        #[test]
        fn a_confirmed_veto_always_gives_zero_and_fail(sheets in arb_sheets()) {
            let t = scheme();
            for r in evaluate(&t, &sheets).into_iter().filter(|r| r.vetoed) {
                prop_assert_eq!(r.total, Some(Points::ZERO));
                prop_assert_eq!(r.grade, Some(Grade::Fail));
            }
        }

        #[test]
        fn ranks_agree_with_totals(sheets in arb_sheets()) {
            let results = evaluate(&scheme(), &sheets);
            let ranked: Vec<&Outcome> = results.iter().filter(|r| !r.vetoed && !r.incomplete).collect();
            for a in &ranked {
                for b in &ranked {
                    if a.total > b.total { prop_assert!(a.rank < b.rank); }
                    if a.total == b.total { prop_assert_eq!(a.rank, b.rank); }
                }
                // A rank is one more than the number of units strictly ahead.
                let ahead = ranked.iter().filter(|b| b.total > a.total).count() as u32;
                prop_assert_eq!(a.rank, Some(ahead + 1));
            }
            for v in results.iter().filter(|r| r.vetoed) {
                prop_assert_eq!(v.rank, Some(ranked.len() as u32 + 1));
            }
        }

        #[test]
        fn the_result_does_not_depend_on_input_order(sheets in arb_sheets(), seed in any::<u64>()) {
            let t = scheme();
            let mut shuffled = sheets.clone();
            // A deterministic shuffle from the seed.
            let mut s = seed;
            for i in (1..shuffled.len()).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (s >> 33) as usize % (i + 1));
            }
            let by_unit = |v: Vec<Outcome>| v.into_iter().map(|o| (o.unit.clone(), o)).collect::<BTreeMap<_, _>>();
            prop_assert_eq!(by_unit(evaluate(&t, &sheets)), by_unit(evaluate(&t, &shuffled)));
        }
    }
}
