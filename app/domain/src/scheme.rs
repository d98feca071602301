//! A year's assessment scheme (考核方案) as assessors write it in the
//! browser: the form's text fields, checked one by one with a message that
//! names the field (and the row, for indicators and deduction rules), and
//! turned into the `Scheme` that `assessment::evaluate` reads. Also the
//! reporting deadlines per incident level, copying last year's scheme, and
//! reopening a published year, which one manager asks for and another
//! confirms.

use super::assessment::{
    DeductionRule, Indicator, Method, Points, Scheme, Thresholds, fixed_point,
};
use super::incident::Level;
use super::unit::UnitKind;
use super::{Problem, code_field, text_field};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The source's five sections; a scheme may use other category codes.
pub const CATEGORIES: [&str; 5] = ["duty", "report", "response", "support", "education"];

/// Where ratio indicators read their numerator and denominator.
pub const METRICS: [&str; 4] = [
    "plan_coverage",
    "training_coverage",
    "drills_held",
    "reporter_coverage",
];

/// The event types every scheme knows; a scheme's rules may name others.
pub const EVENT_TYPES: [&str; 6] = [
    "late_report",
    "false_report",
    "concealed_report",
    "omitted_report",
    "duty_absence",
    "missed_zero_report",
];

/// A checked scheme, as stored (one JSON document per scheme).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemeDef {
    pub code: String,
    pub year: i32,
    pub name: String,
    pub unit_kinds: Vec<UnitKind>,
    pub scheme: Scheme,
    /// Minutes allowed from an incident to its first report, by level
    /// (一般, 较大, 重大, 特别重大).
    pub deadlines: [i64; 4],
}

impl SchemeDef {
    pub fn deadline(&self, level: Level) -> i64 {
        self.deadlines[level as usize]
    }

    /// Next year's scheme to start from: the same indicators, rules and
    /// grades, with the year in the code and the name moved on.
    pub fn copy_for(&self, year: i32) -> SchemeDef {
        let (old, new) = (self.year.to_string(), year.to_string());
        let code = if self.code.contains(&old) {
            self.code.replace(&old, &new)
        } else {
            format!("{}-{new}", self.code)
        };
        SchemeDef {
            code,
            year,
            name: self.name.replace(&old, &new),
            ..self.clone()
        }
    }
}

pub const DEFAULT_DEADLINES: [i64; 4] = [120, 60, 30, 30];

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IndicatorForm {
    pub code: String,
    pub category: String,
    pub name: String,
    pub max: String,
    /// `manual` or `ratio`.
    pub method: String,
    pub metric: String,
    pub target: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleForm {
    pub event: String,
    pub indicator: String,
    pub points: String,
    /// Present (any value) when the box is ticked.
    pub bars: String,
}

/// The scheme form as the browser sends it. Rows left wholly blank are
/// ignored, so the form can offer spare rows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SchemeForm {
    pub code: String,
    pub year: String,
    pub name: String,
    /// Ticked unit kinds: kind code -> anything.
    pub kinds: BTreeMap<String, String>,
    pub excellent: String,
    pub good: String,
    pub pass: String,
    pub bonus_cap: String,
    pub quota: String,
    /// Deadline minutes by level code.
    pub deadlines: BTreeMap<String, String>,
    pub indicators: Vec<IndicatorForm>,
    pub rules: Vec<RuleForm>,
}

/// A problem with one field of the scheme form.
pub type SchemeProblem = super::FieldProblem;

use super::{field_at as at, row_field};

fn points(raw: &str) -> Result<Points, Problem> {
    if raw.trim().is_empty() {
        return Err(Problem::new("problem.required"));
    }
    Points::parse(raw).ok_or_else(|| Problem::with("problem.bad_points", &[raw.trim()]))
}

fn points_between(raw: &str, min: Points, max: Points) -> Result<Points, Problem> {
    let p = points(raw)?;
    if p < min || p > max {
        return Err(Problem::with(
            "problem.between",
            &[&min.to_string(), &max.to_string()],
        ));
    }
    Ok(p)
}

fn is_blank<'a>(fields: impl IntoIterator<Item = &'a String>) -> bool {
    fields.into_iter().all(|f| f.trim().is_empty())
}

impl SchemeForm {
    /// Checks every field; the first problem found is returned with the
    /// field (and row) it is in.
    pub fn parse(&self) -> Result<SchemeDef, SchemeProblem> {
        let code = code_field(&self.code).map_err(|p| at("field.code", p))?;
        let year = match self.year.trim().parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => return Err(at("field.year", Problem::new("problem.bad_year"))),
        };
        let name = text_field(&self.name, 1, 80).map_err(|p| at("field.name", p))?;
        let mut unit_kinds = Vec::new();
        for code in self.kinds.keys() {
            match UnitKind::parse(code) {
                Ok(k) => unit_kinds.push(k),
                Err(p) => return Err(at("field.unit_kinds", p)),
            }
        }
        unit_kinds.sort_by_key(|k| UnitKind::ALL.iter().position(|x| x == k));
        if unit_kinds.is_empty() {
            return Err(at(
                "field.unit_kinds",
                Problem::new("problem.pick_unit_kind"),
            ));
        }
        let hundred = Points(1000);
        let thresholds = Thresholds {
            excellent: points_between(&self.excellent, Points::ZERO, hundred)
                .map_err(|p| at("field.grade_excellent", p))?,
            good: points_between(&self.good, Points::ZERO, hundred)
                .map_err(|p| at("field.grade_good", p))?,
            pass: points_between(&self.pass, Points::ZERO, hundred)
                .map_err(|p| at("field.grade_pass", p))?,
        };
        if !(thresholds.excellent > thresholds.good && thresholds.good > thresholds.pass) {
            return Err(at(
                "field.grade_good",
                Problem::new("problem.grades_descending"),
            ));
        }
        let bonus_cap = if self.bonus_cap.trim().is_empty() {
            Points::ZERO
        } else {
            points_between(&self.bonus_cap, Points::ZERO, hundred)
                .map_err(|p| at("field.bonus_cap", p))?
        };
        let excellent_quota_percent = match self.quota.trim() {
            "" => None,
            q => match q.parse::<i64>() {
                Ok(q) if (1..=100).contains(&q) => Some(q),
                _ => {
                    return Err(at(
                        "field.excellent_quota",
                        Problem::with("problem.between", &["1", "100"]),
                    ));
                }
            },
        };
        let mut deadlines = DEFAULT_DEADLINES;
        for level in Level::ALL {
            let raw = self
                .deadlines
                .get(level.code())
                .map(|s| s.trim())
                .unwrap_or("");
            if raw.is_empty() {
                continue;
            }
            match raw.parse::<i64>() {
                Ok(m) if (1..=10_080).contains(&m) => deadlines[level as usize] = m,
                _ => {
                    return Err(at(
                        level.deadline_field(),
                        Problem::with("problem.between", &["1", "10080"]),
                    ));
                }
            }
        }

        let mut indicators: Vec<Indicator> = Vec::new();
        for (i, row) in self.indicators.iter().enumerate() {
            if is_blank([&row.code, &row.name, &row.max, &row.target, &row.metric]) {
                continue;
            }
            let f = |field: &str| row_field("field.indicator_row", i, field);
            let code = code_field(&row.code).map_err(|p| (f("field.code"), p))?;
            if indicators.iter().any(|x| x.code == code) {
                return Err((
                    f("field.code"),
                    Problem::with("problem.duplicate", &[&code]),
                ));
            }
            let category = code_field(&row.category).map_err(|p| (f("field.category"), p))?;
            let name = text_field(&row.name, 1, 80).map_err(|p| (f("field.name"), p))?;
            let max =
                points_between(&row.max, Points(1), hundred).map_err(|p| (f("field.max"), p))?;
            let (method, metric) = match row.method.trim() {
                "" | "manual" => (Method::Manual, String::new()),
                "ratio" => {
                    let target = match fixed_point(&row.target, 2) {
                        Some((whole, frac)) if (1..=10_000).contains(&(whole * 100 + frac)) => {
                            whole * 100 + frac
                        }
                        _ => {
                            return Err((
                                f("field.target_percent"),
                                Problem::new("problem.bad_target"),
                            ));
                        }
                    };
                    let metric = code_field(&row.metric).map_err(|p| (f("field.metric"), p))?;
                    (Method::Ratio { target_bp: target }, metric)
                }
                other => {
                    return Err((
                        f("field.method"),
                        Problem::with("problem.unknown_value", &[other]),
                    ));
                }
            };
            indicators.push(Indicator {
                code,
                category,
                name,
                max,
                method,
                metric,
            });
        }
        if indicators.is_empty() {
            return Err(at(
                "field.indicators",
                Problem::new("problem.no_indicators"),
            ));
        }
        let sum = Points(indicators.iter().map(|i| i.max.0).sum());
        if sum != hundred {
            return Err(at(
                "field.indicators",
                Problem::with("problem.maxima_sum", &[&sum.to_string()]),
            ));
        }

        let mut deductions: Vec<DeductionRule> = Vec::new();
        for (i, row) in self.rules.iter().enumerate() {
            if is_blank([&row.event, &row.indicator, &row.points]) {
                continue;
            }
            let f = |field: &str| row_field("field.rule_row", i, field);
            let event = code_field(&row.event).map_err(|p| (f("field.event"), p))?;
            if deductions.iter().any(|d| d.event == event) {
                return Err((
                    f("field.event"),
                    Problem::with("problem.duplicate", &[&event]),
                ));
            }
            let indicator = row.indicator.trim().to_string();
            if !indicators.iter().any(|x| x.code == indicator) {
                return Err((
                    f("field.indicator"),
                    Problem::with("problem.unknown_indicator", &[&indicator]),
                ));
            }
            let points = points_between(&row.points, Points(1), hundred)
                .map_err(|p| (f("field.points"), p))?;
            deductions.push(DeductionRule {
                event,
                indicator,
                points,
                bars_excellent: !row.bars.trim().is_empty(),
            });
        }

        Ok(SchemeDef {
            code,
            year,
            name,
            unit_kinds,
            scheme: Scheme {
                indicators,
                deductions,
                thresholds,
                bonus_cap,
                excellent_quota_percent,
            },
            deadlines,
        })
    }

    /// The form showing a stored scheme, with `spare` blank rows after
    /// its indicators and rules.
    pub fn from_def(def: &SchemeDef, spare: usize) -> SchemeForm {
        let s = &def.scheme;
        let mut indicators: Vec<IndicatorForm> = s
            .indicators
            .iter()
            .map(|i| IndicatorForm {
                code: i.code.clone(),
                category: i.category.clone(),
                name: i.name.clone(),
                max: i.max.to_string(),
                method: match i.method {
                    Method::Manual => "manual".into(),
                    Method::Ratio { .. } => "ratio".into(),
                },
                metric: i.metric.clone(),
                target: match i.method {
                    Method::Manual => String::new(),
                    Method::Ratio { target_bp } => percent_text(target_bp),
                },
            })
            .collect();
        indicators.extend((0..spare).map(|_| IndicatorForm::default()));
        let mut rules: Vec<RuleForm> = s
            .deductions
            .iter()
            .map(|d| RuleForm {
                event: d.event.clone(),
                indicator: d.indicator.clone(),
                points: d.points.to_string(),
                bars: if d.bars_excellent {
                    "1".into()
                } else {
                    String::new()
                },
            })
            .collect();
        rules.extend((0..spare).map(|_| RuleForm::default()));
        SchemeForm {
            code: def.code.clone(),
            year: def.year.to_string(),
            name: def.name.clone(),
            kinds: def
                .unit_kinds
                .iter()
                .map(|k| (k.code().to_string(), "1".to_string()))
                .collect(),
            excellent: s.thresholds.excellent.to_string(),
            good: s.thresholds.good.to_string(),
            pass: s.thresholds.pass.to_string(),
            bonus_cap: s.bonus_cap.to_string(),
            quota: s
                .excellent_quota_percent
                .map(|q| q.to_string())
                .unwrap_or_default(),
            deadlines: Level::ALL
                .iter()
                .map(|l| (l.code().to_string(), def.deadline(*l).to_string()))
                .collect(),
            indicators,
            rules,
        }
    }

    /// A new scheme's starting point: the usual grades and the five
    /// categories' rows left for the assessor to fill.
    pub fn blank(year: i32, spare: usize) -> SchemeForm {
        SchemeForm {
            year: year.to_string(),
            excellent: "90".into(),
            good: "80".into(),
            pass: "60".into(),
            bonus_cap: "5".into(),
            deadlines: Level::ALL
                .iter()
                .map(|l| {
                    (
                        l.code().to_string(),
                        DEFAULT_DEADLINES[*l as usize].to_string(),
                    )
                })
                .collect(),
            indicators: vec![IndicatorForm::default(); spare],
            rules: vec![RuleForm::default(); spare],
            ..Default::default()
        }
    }
}

/// A target in hundredths of a percent as text: 9700 -> "97", 9750 ->
/// "97.5".
pub fn percent_text(bp: i64) -> String {
    let (whole, frac) = (bp / 100, bp % 100);
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{frac:02}")
            .trim_end_matches('0')
            .to_string()
    }
}

/// Two schemes of one year may not cover the same unit kind: a unit is
/// assessed once a year.
pub fn kinds_clash(def: &SchemeDef, others: &[SchemeDef]) -> Option<UnitKind> {
    others
        .iter()
        .filter(|o| o.year == def.year && o.code != def.code)
        .flat_map(|o| o.unit_kinds.iter())
        .find(|k| def.unit_kinds.contains(k))
        .copied()
}

/// What a second scheme manager (or the proposer) does with a pending
/// request to reopen a published year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReopenDecision {
    /// Another manager agrees: the year is reopened.
    Confirm,
    /// Another manager refuses: the year stays published.
    Reject,
    /// The proposer takes the request back.
    Withdraw,
}

impl ReopenDecision {
    pub fn parse(code: &str) -> Result<ReopenDecision, Problem> {
        match code.trim() {
            "confirm" => Ok(ReopenDecision::Confirm),
            "reject" => Ok(ReopenDecision::Reject),
            "withdraw" => Ok(ReopenDecision::Withdraw),
            "" => Err(Problem::new("problem.required")),
            other => Err(Problem::with("problem.unknown_value", &[other])),
        }
    }

    /// The audit action the decision is recorded as.
    pub fn action(self) -> &'static str {
        match self {
            ReopenDecision::Confirm => "scheme.reopen",
            ReopenDecision::Reject => "scheme.reopen_reject",
            ReopenDecision::Withdraw => "scheme.reopen_withdraw",
        }
    }
}

/// Asking to reopen a published year, with a reason; `pending` says a
/// request already waits. The year stays published (and locked) until a
/// second scheme manager confirms.
pub fn propose_reopen(published: bool, pending: bool, reason: &str) -> Result<(), Problem> {
    if !published {
        return Err(Problem::new("problem.scheme_not_published"));
    }
    if pending {
        return Err(Problem::new("problem.reopen_pending"));
    }
    if reason.trim().is_empty() {
        return Err(Problem::new("problem.required"));
    }
    Ok(())
}

/// A decision on a pending reopen request (`proposer` is who asked, `None`
/// when none waits); returns whether the year is published afterwards.
/// Only someone else confirms or rejects; only the proposer withdraws.
pub fn decide_reopen(
    published: bool,
    proposer: Option<i64>,
    decider: i64,
    decision: ReopenDecision,
) -> Result<bool, Problem> {
    if !published {
        return Err(Problem::new("problem.scheme_not_published"));
    }
    let Some(proposer) = proposer else {
        return Err(Problem::new("problem.no_reopen_pending"));
    };
    match decision {
        ReopenDecision::Confirm | ReopenDecision::Reject if proposer == decider => {
            Err(Problem::new("problem.reopen_own_proposal"))
        }
        ReopenDecision::Withdraw if proposer != decider => {
            Err(Problem::new("problem.reopen_not_yours"))
        }
        ReopenDecision::Confirm => Ok(false),
        ReopenDecision::Reject | ReopenDecision::Withdraw => Ok(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SchemeForm {
        let mut f = SchemeForm::blank(2018, 3);
        f.code = "S2018-JD".into();
        f.name = "2018年街道应急管理工作考核".into();
        f.kinds.insert("subdistrict".into(), "on".into());
        f.indicators[0] = IndicatorForm {
            code: "duty".into(),
            category: "duty".into(),
            name: "政务值班".into(),
            max: "85".into(),
            method: "manual".into(),
            ..Default::default()
        };
        f.indicators[1] = IndicatorForm {
            code: "plans".into(),
            category: "response".into(),
            name: "应急预案".into(),
            max: "15".into(),
            method: "ratio".into(),
            metric: "plan_coverage".into(),
            target: "97".into(),
        };
        f.rules[0] = RuleForm {
            event: "late_report".into(),
            indicator: "duty".into(),
            points: "1".into(),
            bars: String::new(),
        };
        f.rules[1] = RuleForm {
            event: "concealed_report".into(),
            indicator: "duty".into(),
            points: "4".into(),
            bars: "1".into(),
        };
        f
    }

    #[test]
    fn a_complete_form_becomes_a_scheme_and_blank_rows_are_ignored() {
        let def = form().parse().unwrap();
        assert_eq!(def.year, 2018);
        assert_eq!(def.unit_kinds, vec![UnitKind::Subdistrict]);
        assert_eq!(def.scheme.indicators.len(), 2);
        assert_eq!(
            def.scheme.indicators[1].method,
            Method::Ratio { target_bp: 9700 }
        );
        assert_eq!(def.scheme.indicators[1].metric, "plan_coverage");
        assert!(def.scheme.deductions[1].bars_excellent);
        assert!(!def.scheme.deductions[0].bars_excellent);
        assert_eq!(def.scheme.thresholds.excellent, Points(900));
        assert_eq!(def.deadlines, DEFAULT_DEADLINES);
    }

    #[test]
    fn the_form_of_a_scheme_reads_back_as_the_same_scheme() {
        let def = form().parse().unwrap();
        assert_eq!(SchemeForm::from_def(&def, 2).parse().unwrap(), def);
    }

    #[test]
    fn maxima_that_do_not_add_up_to_100_are_refused_with_the_sum() {
        let mut f = form();
        f.indicators[0].max = "80.5".into();
        assert_eq!(
            f.parse(),
            Err((
                "field.indicators".into(),
                Problem::with("problem.maxima_sum", &["95.5"])
            ))
        );
    }

    #[test]
    fn a_bad_value_in_a_row_names_the_row_and_the_field() {
        let mut f = form();
        f.indicators[1].target = "0".into();
        assert_eq!(
            f.parse().unwrap_err().0,
            "field.indicator_row:2:field.target_percent"
        );
        let mut f = form();
        f.indicators[0].max = "12.25".into();
        assert_eq!(
            f.parse(),
            Err((
                "field.indicator_row:1:field.max".into(),
                Problem::with("problem.bad_points", &["12.25"])
            ))
        );
        let mut f = form();
        f.rules[1].indicator = "nope".into();
        assert_eq!(
            f.parse(),
            Err((
                "field.rule_row:2:field.indicator".into(),
                Problem::with("problem.unknown_indicator", &["nope"])
            ))
        );
        let mut f = form();
        f.rules[1].event = "late_report".into();
        assert_eq!(f.parse().unwrap_err().0, "field.rule_row:2:field.event");
        let mut f = form();
        f.indicators[1].code = "duty".into();
        assert_eq!(f.parse().unwrap_err().0, "field.indicator_row:2:field.code");
    }

    #[test]
    fn grades_must_descend_and_a_unit_kind_must_be_ticked() {
        let mut f = form();
        f.good = "90".into();
        assert_eq!(
            f.parse(),
            Err((
                "field.grade_good".into(),
                Problem::new("problem.grades_descending")
            ))
        );
        let mut f = form();
        f.kinds.clear();
        assert_eq!(f.parse().unwrap_err().0, "field.unit_kinds");
        let mut f = form();
        f.quota = "0".into();
        assert_eq!(f.parse().unwrap_err().0, "field.excellent_quota");
        let mut f = form();
        f.deadlines.insert("major".into(), "-5".into());
        assert_eq!(f.parse().unwrap_err().0, "field.deadline_major");
        let mut f = form();
        f.year = "18".into();
        assert_eq!(f.parse().unwrap_err().0, "field.year");
    }

    #[test]
    fn copying_moves_the_year_in_code_and_name() {
        let def = form().parse().unwrap();
        let next = def.copy_for(2019);
        assert_eq!(next.code, "S2019-JD");
        assert_eq!(next.name, "2019年街道应急管理工作考核");
        assert_eq!(next.scheme, def.scheme);
        let mut other = def.clone();
        other.code = "JD".into();
        assert_eq!(other.copy_for(2019).code, "JD-2019");
    }

    #[test]
    fn two_schemes_of_a_year_may_not_share_a_unit_kind() {
        let a = form().parse().unwrap();
        let mut b = a.clone();
        b.code = "S2018-B".into();
        assert_eq!(
            kinds_clash(&b, std::slice::from_ref(&a)),
            Some(UnitKind::Subdistrict)
        );
        b.year = 2019;
        assert_eq!(kinds_clash(&b, std::slice::from_ref(&a)), None);
        assert_eq!(kinds_clash(&a, std::slice::from_ref(&a)), None);
    }

    #[test]
    fn targets_print_without_trailing_zeros() {
        assert_eq!(percent_text(9700), "97");
        assert_eq!(percent_text(9750), "97.5");
        assert_eq!(percent_text(9725), "97.25");
    }

    #[test]
    fn one_manager_alone_cannot_reopen_a_published_year() {
        assert_eq!(propose_reopen(true, false, "更正录入错误"), Ok(()));
        for decision in [ReopenDecision::Confirm, ReopenDecision::Reject] {
            assert_eq!(
                decide_reopen(true, Some(7), 7, decision),
                Err(Problem::new("problem.reopen_own_proposal"))
            );
        }
        assert_eq!(
            decide_reopen(true, Some(7), 8, ReopenDecision::Confirm),
            Ok(false)
        );
        assert_eq!(
            decide_reopen(true, Some(7), 8, ReopenDecision::Reject),
            Ok(true)
        );
    }

    #[test]
    fn only_the_proposer_withdraws_a_reopen_request() {
        assert_eq!(
            decide_reopen(true, Some(7), 7, ReopenDecision::Withdraw),
            Ok(true)
        );
        assert_eq!(
            decide_reopen(true, Some(7), 8, ReopenDecision::Withdraw),
            Err(Problem::new("problem.reopen_not_yours"))
        );
    }

    #[test]
    fn a_reopen_request_needs_a_published_year_a_reason_and_none_waiting() {
        assert_eq!(
            propose_reopen(false, false, "原因"),
            Err(Problem::new("problem.scheme_not_published"))
        );
        assert_eq!(
            propose_reopen(true, true, "原因"),
            Err(Problem::new("problem.reopen_pending"))
        );
        assert_eq!(
            propose_reopen(true, false, " "),
            Err(Problem::new("problem.required"))
        );
        assert_eq!(
            decide_reopen(true, None, 8, ReopenDecision::Confirm),
            Err(Problem::new("problem.no_reopen_pending"))
        );
        assert_eq!(
            ReopenDecision::parse("withdraw"),
            Ok(ReopenDecision::Withdraw)
        );
        assert!(ReopenDecision::parse("publish").is_err());
    }
}
