//! The assessment sheet file (`yingji assess SHEET.json`): a scheme, its
//! units and everything recorded for them, in one JSON document. Reading it
//! checks every rule of the format and names the first problem with where
//! it is (`manual_scores[2].points`); a sheet that passes becomes a
//! `Scheme` and one `Sheet` per unit for `assessment::evaluate`.

// i18n: not keys: scheme

use super::assessment::{
    DeductionRule, Entry, Indicator, MAX_EVENT_COUNT, MAX_ITEM_POINTS, MAX_RATIO_TERM, Method,
    Outcome, Points, Scheme, Sheet, Thresholds, evaluate, listing_order,
};
use super::json_input::{Obj, err};
use super::unit::UnitKind;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// What is wrong with a sheet file, and where.
pub type SheetError = super::json_input::FileError;

/// A unit as the sheet lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetUnit {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
}

/// A checked sheet file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetFile {
    pub code: String,
    pub year: i32,
    pub name: String,
    pub unit_kinds: Vec<UnitKind>,
    pub scheme: Scheme,
    pub units: Vec<SheetUnit>,
    pub sheets: Vec<Sheet>,
    /// What the sheets keep only as numbers, with the words around them,
    /// for loading the file into the database.
    pub records: Records,
}

/// The events, bonuses and vetoes of a sheet file as written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Records {
    /// (unit, event, count, date if given)
    pub events: Vec<(String, String, i64, Option<String>)>,
    /// (unit, points, reason)
    pub bonuses: Vec<(String, Points, String)>,
    /// (unit, reason)
    pub vetoes: Vec<(String, String)>,
}

fn kind(code: &str, at: String) -> Result<UnitKind, SheetError> {
    UnitKind::ALL
        .into_iter()
        .find(|k| k.code() == code)
        .map_or_else(|| err(at, format!("unknown unit kind \"{code}\"")), Ok)
}

/// What one sheet file may hold (`yingji assess`, `yingji import
/// assessment`): beyond these it is refused, naming the list, before
/// anything is built. A district has a few hundred units; these leave room
/// for a province.
pub mod limits {
    pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
    pub const MAX_UNITS: usize = 100_000;
    pub const MAX_INDICATORS: usize = 100;
    pub const MAX_DEDUCTION_RULES: usize = 100;
    /// Each of manual_scores, ratios, events, bonuses and vetoes.
    pub const MAX_RECORDS: usize = 2_000_000;
}

/// Reads and checks a sheet file.
pub fn parse(json: &str) -> Result<SheetFile, SheetError> {
    use limits::*;
    let root: Value = serde_json::from_str(json).map_err(|e| SheetError {
        at: format!("line {}", e.line()),
        problem: format!("not valid JSON: {e}"),
    })?;
    let root = Obj::of(&root, "")?;
    let scheme_value = root
        .get("scheme")
        .map_or_else(|| err("scheme", "is required"), Ok)?;
    let s = Obj::of(scheme_value, "scheme")?;
    let code = s.text("code")?;
    let year = s
        .integer("year")?
        .map_or_else(|| err("scheme.year", "is required"), Ok)?;
    let Some(year) = i32::try_from(year)
        .ok()
        .filter(|y| (2000..=2100).contains(y))
    else {
        return err("scheme.year", format!("{year} is not a plausible year"));
    };
    let name = s.text("name")?;
    let mut unit_kinds = Vec::new();
    for (i, v) in s.list("unit_kinds", true)?.iter().enumerate() {
        let at = format!("scheme.unit_kinds[{i}]");
        let code = v
            .as_str()
            .map_or_else(|| err(at.clone(), "must be text"), Ok)?;
        unit_kinds.push(kind(code, at)?);
    }
    if unit_kinds.is_empty() {
        return err("scheme.unit_kinds", "must name at least one unit kind");
    }

    let grades = Obj::of(
        s.get("grades")
            .map_or_else(|| err("scheme.grades", "is required"), Ok)?,
        "scheme.grades",
    )?;
    let thresholds = Thresholds {
        excellent: grades.required_points("excellent")?,
        good: grades.required_points("good")?,
        pass: grades.required_points("pass")?,
    };
    if !(thresholds.excellent > thresholds.good
        && thresholds.good > thresholds.pass
        && thresholds.pass >= Points::ZERO)
    {
        return err(
            "scheme.grades",
            "thresholds must be strictly descending: excellent > good > pass >= 0",
        );
    }
    let bonus_cap = s.points("bonus_cap")?.unwrap_or(Points::ZERO);
    if bonus_cap < Points::ZERO || bonus_cap > MAX_ITEM_POINTS {
        return err(
            s.path("bonus_cap"),
            format!("must be between 0 and {MAX_ITEM_POINTS}"),
        );
    }
    let excellent_quota_percent = s.integer("excellent_quota_percent")?;
    if let Some(q) = excellent_quota_percent
        && !(0..=100).contains(&q)
    {
        return err(
            "scheme.excellent_quota_percent",
            "must be between 0 and 100",
        );
    }

    let mut indicators: Vec<Indicator> = Vec::new();
    for (i, v) in s
        .list_at_most("indicators", true, MAX_INDICATORS)?
        .iter()
        .enumerate()
    {
        let o = Obj::of(v, &format!("scheme.indicators[{i}]"))?;
        let code = o.text("code")?;
        if indicators.iter().any(|x| x.code == code) {
            return err(
                o.path("code"),
                format!("indicator \"{code}\" is listed twice"),
            );
        }
        let max = o.required_points("max")?;
        if max <= Points::ZERO {
            return err(o.path("max"), "must be positive");
        }
        let method = match o.text("method")?.as_str() {
            "manual" => Method::Manual,
            "ratio" => {
                let target = o.decimal("target_percent", 2)?.map_or_else(
                    || {
                        err(
                            o.path("target_percent"),
                            "is required for a ratio indicator",
                        )
                    },
                    Ok,
                )?;
                if !(1..=10_000).contains(&target) {
                    return err(o.path("target_percent"), "must be above 0 and at most 100");
                }
                Method::Ratio { target_bp: target }
            }
            other => {
                return err(
                    o.path("method"),
                    format!("must be manual or ratio, not \"{other}\""),
                );
            }
        };
        indicators.push(Indicator {
            code,
            category: o.text("category")?,
            name: o.text("name")?,
            max,
            method,
            metric: o.text("metric").unwrap_or_default(),
        });
    }
    if indicators.is_empty() {
        return err("scheme.indicators", "must list at least one indicator");
    }
    let sum: i64 = indicators.iter().map(|i| i.max.0).sum();
    if sum != 1000 {
        return err(
            "scheme.indicators",
            format!("maxima add up to {}, not 100.0", Points(sum)),
        );
    }

    let mut deductions: Vec<DeductionRule> = Vec::new();
    for (i, v) in s
        .list_at_most("deductions", false, MAX_DEDUCTION_RULES)?
        .iter()
        .enumerate()
    {
        let o = Obj::of(v, &format!("scheme.deductions[{i}]"))?;
        let event = o.text("event")?;
        if deductions.iter().any(|d| d.event == event) {
            return err(
                o.path("event"),
                format!("a rule for \"{event}\" is listed twice"),
            );
        }
        let indicator = o.text("indicator")?;
        if !indicators.iter().any(|x| x.code == indicator) {
            return err(
                o.path("indicator"),
                format!("unknown indicator \"{indicator}\""),
            );
        }
        let points = o.required_points("points")?;
        if points <= Points::ZERO || points > MAX_ITEM_POINTS {
            return err(
                o.path("points"),
                format!("must be above 0 and at most {MAX_ITEM_POINTS}"),
            );
        }
        deductions.push(DeductionRule {
            event,
            indicator,
            points,
            bars_excellent: o.flag("bars_excellent")?,
        });
    }

    let mut units: Vec<SheetUnit> = Vec::new();
    let mut unit_codes: HashSet<String> = HashSet::new();
    for (i, v) in root
        .list_at_most("units", true, MAX_UNITS)?
        .iter()
        .enumerate()
    {
        let o = Obj::of(v, &format!("units[{i}]"))?;
        let code = o.text("code")?;
        if !unit_codes.insert(code.clone()) {
            return err(o.path("code"), format!("unit \"{code}\" is listed twice"));
        }
        let k = kind(&o.text("kind")?, o.path("kind"))?;
        if !unit_kinds.contains(&k) {
            return err(
                o.path("kind"),
                format!("the scheme is not for units of kind \"{}\"", k.code()),
            );
        }
        units.push(SheetUnit {
            code,
            name: o.text("name")?,
            kind: k,
        });
    }

    let blank = vec![Entry::Missing; indicators.len()];
    let mut sheets: BTreeMap<String, Sheet> = units
        .iter()
        .map(|u| {
            (
                u.code.clone(),
                Sheet {
                    unit: u.code.clone(),
                    entries: blank.clone(),
                    ..Default::default()
                },
            )
        })
        .collect();
    let unit_of = |o: &Obj| -> Result<String, SheetError> {
        let code = o.text("unit")?;
        if unit_codes.contains(&code) {
            Ok(code)
        } else {
            err(o.path("unit"), format!("unknown unit \"{code}\""))
        }
    };
    let indicator_of = |o: &Obj| -> Result<(usize, &Indicator), SheetError> {
        let code = o.text("indicator")?;
        indicators
            .iter()
            .enumerate()
            .find(|(_, x)| x.code == code)
            .map_or_else(
                || err(o.path("indicator"), format!("unknown indicator \"{code}\"")),
                Ok,
            )
    };
    let mut scored: HashSet<(String, String)> = HashSet::new();
    let mut records = Records::default();

    for (i, v) in root
        .list_at_most("manual_scores", false, MAX_RECORDS)?
        .iter()
        .enumerate()
    {
        let o = Obj::of(v, &format!("manual_scores[{i}]"))?;
        let unit = unit_of(&o)?;
        let (at, ind) = indicator_of(&o)?;
        if ind.method != Method::Manual {
            return err(
                o.path("indicator"),
                format!(
                    "\"{}\" is a ratio indicator: give a ratio, not a score",
                    ind.code
                ),
            );
        }
        if !scored.insert((unit.clone(), ind.code.clone())) {
            return err(
                o.path("indicator"),
                format!(
                    "a second score for unit \"{unit}\" and indicator \"{}\"",
                    ind.code
                ),
            );
        }
        let points = o.required_points("points")?;
        if points < Points::ZERO || points > ind.max {
            return err(
                o.path("points"),
                format!("must be between 0.0 and {}", ind.max),
            );
        }
        if let Some(sheet) = sheets.get_mut(&unit) {
            sheet.entries[at] = Entry::Score(points);
        }
    }
    for (i, v) in root
        .list_at_most("ratios", false, MAX_RECORDS)?
        .iter()
        .enumerate()
    {
        let o = Obj::of(v, &format!("ratios[{i}]"))?;
        let unit = unit_of(&o)?;
        let (at, ind) = indicator_of(&o)?;
        if ind.method == Method::Manual {
            return err(
                o.path("indicator"),
                format!(
                    "\"{}\" is a manual indicator: give a score, not a ratio",
                    ind.code
                ),
            );
        }
        if !scored.insert((unit.clone(), ind.code.clone())) {
            return err(
                o.path("indicator"),
                format!(
                    "a second ratio for unit \"{unit}\" and indicator \"{}\"",
                    ind.code
                ),
            );
        }
        let mut pair = [0i64; 2];
        for (slot, key) in pair.iter_mut().zip(["numerator", "denominator"]) {
            *slot = o
                .integer_in(key, 0, MAX_RATIO_TERM)?
                .map_or_else(|| err(o.path(key), "is required"), Ok)?;
        }
        if let Some(sheet) = sheets.get_mut(&unit) {
            sheet.entries[at] = Entry::Ratio(pair[0], pair[1]);
        }
    }
    for (i, v) in root
        .list_at_most("events", false, MAX_RECORDS)?
        .iter()
        .enumerate()
    {
        let o = Obj::of(v, &format!("events[{i}]"))?;
        let unit = unit_of(&o)?;
        let event = o.text("event")?;
        let Some(rule) = deductions.iter().position(|d| d.event == event) else {
            return err(
                o.path("event"),
                format!("unknown event \"{event}\" (no deduction rule names it)"),
            );
        };
        let count = o.integer_in("count", 1, MAX_EVENT_COUNT)?.unwrap_or(1);
        let date = match o.get("date") {
            None => None,
            Some(date) => match date
                .as_str()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            {
                Some(d) => Some(d.to_string()),
                None => return err(o.path("date"), "must be a date written YYYY-MM-DD"),
            },
        };
        if let Some(sheet) = sheets.get_mut(&unit) {
            sheet.events.push((rule, count));
        }
        records.events.push((unit, event, count, date));
    }
    for (i, v) in root
        .list_at_most("bonuses", false, MAX_RECORDS)?
        .iter()
        .enumerate()
    {
        let o = Obj::of(v, &format!("bonuses[{i}]"))?;
        let unit = unit_of(&o)?;
        let points = o.required_points("points")?;
        if points < Points::ZERO || points > MAX_ITEM_POINTS {
            return err(
                o.path("points"),
                format!("must be between 0 and {MAX_ITEM_POINTS}"),
            );
        }
        if let Some(sheet) = sheets.get_mut(&unit) {
            sheet.bonuses.push(points);
        }
        let reason = match o.get("reason") {
            Some(_) => o.text("reason")?,
            None => String::new(),
        };
        records.bonuses.push((unit, points, reason));
    }
    for (i, v) in root
        .list_at_most("vetoes", false, MAX_RECORDS)?
        .iter()
        .enumerate()
    {
        let o = Obj::of(v, &format!("vetoes[{i}]"))?;
        let unit = unit_of(&o)?;
        let reason = o.text("reason")?;
        if let Some(sheet) = sheets.get_mut(&unit) {
            sheet.vetoed = true;
        }
        records.vetoes.push((unit, reason));
    }

    let sheets = units
        .iter()
        .filter_map(|u| sheets.remove(&u.code))
        .collect();
    Ok(SheetFile {
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
        units,
        sheets,
        records,
    })
}

/// One CSV field, quoted as RFC 4180 asks when it must be.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The results as CSV: `unit_code,unit_name,total,grade,rank,vetoed`;
/// ranked units by rank then code, vetoed units by code, incomplete units
/// by code with total, grade and rank empty. Lines end with CRLF.
pub fn results_csv(file: &SheetFile) -> String {
    let outcomes = evaluate(&file.scheme, &file.sheets);
    let mut listed: Vec<(String, Outcome)> =
        outcomes.into_iter().map(|o| (o.unit.clone(), o)).collect();
    listing_order(&mut listed);
    let names: std::collections::HashMap<&str, &str> = file
        .units
        .iter()
        .map(|u| (u.code.as_str(), u.name.as_str()))
        .collect();
    let mut out = String::from("unit_code,unit_name,total,grade,rank,vetoed\r\n");
    for (code, o) in listed {
        let name = names.get(code.as_str()).copied().unwrap_or("");
        let total = o.total.map(|t| t.to_string()).unwrap_or_default();
        let grade = o.grade.map(|g| g.code()).unwrap_or("");
        let rank = o.rank.map(|r| r.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "{},{},{total},{grade},{rank},{}\r\n",
            csv_field(&code),
            csv_field(name),
            o.vetoed
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"{
      "scheme": {
        "code": "S2018-JD", "year": 2018, "name": "2018年街道应急管理工作考核",
        "unit_kinds": ["subdistrict"],
        "grades": {"excellent": 90, "good": 80, "pass": 60},
        "bonus_cap": 5, "excellent_quota_percent": 35,
        "indicators": [
          {"code": "duty", "category": "duty", "name": "政务值班", "max": 20, "method": "manual"},
          {"code": "report", "category": "report", "name": "信息报告", "max": 65, "method": "manual"},
          {"code": "plans", "category": "response", "name": "应急预案", "max": 15, "method": "ratio", "target_percent": 97}
        ],
        "deductions": [
          {"event": "late_report", "indicator": "duty", "points": 1},
          {"event": "concealed_report", "indicator": "duty", "points": 4, "bars_excellent": true}
        ]
      },
      "units": [
        {"code": "JD01", "name": "九曲街道", "kind": "subdistrict"},
        {"code": "JD02", "name": "城关街道, 东区", "kind": "subdistrict"},
        {"code": "JD03", "name": "新城街道", "kind": "subdistrict"},
        {"code": "JD04", "name": "西山街道", "kind": "subdistrict"}
      ],
      "manual_scores": [
        {"unit": "JD01", "indicator": "duty", "points": 18.5},
        {"unit": "JD01", "indicator": "report", "points": 60},
        {"unit": "JD02", "indicator": "duty", "points": 20},
        {"unit": "JD02", "indicator": "report", "points": 65},
        {"unit": "JD03", "indicator": "duty", "points": 20}
      ],
      "ratios": [
        {"unit": "JD01", "indicator": "plans", "numerator": 19, "denominator": 20},
        {"unit": "JD02", "indicator": "plans", "numerator": 20, "denominator": 20},
        {"unit": "JD04", "indicator": "plans", "numerator": 1, "denominator": 1}
      ],
      "events": [{"unit": "JD01", "event": "late_report", "count": 2, "date": "2018-05-02"}],
      "bonuses": [{"unit": "JD01", "points": 3, "reason": "市级表彰"}],
      "vetoes": [{"unit": "JD04", "reason": "瞒报较大事故"}]
    }"#;

    #[test]
    fn the_example_sheet_gives_the_expected_csv() {
        let file = parse(EXAMPLE).unwrap();
        // JD01: 18.5 - 2 + 60 + 14.7 + 3 = 94.2, rank 2; the quota (floor(2 × 35%) = 0) leaves no excellent.
        // JD02: 20 + 65 + 15 = 100.0, rank 1; JD04 vetoed; JD03 incomplete.
        assert_eq!(
            results_csv(&file),
            "unit_code,unit_name,total,grade,rank,vetoed\r\n\
             JD02,\"城关街道, 东区\",100.0,good,1,false\r\n\
             JD01,九曲街道,94.2,good,2,false\r\n\
             JD04,西山街道,0.0,fail,3,true\r\n\
             JD03,新城街道,,,,false\r\n"
        );
    }

    fn broken(from: &str, to: &str) -> SheetError {
        assert!(EXAMPLE.contains(from), "{from}");
        parse(&EXAMPLE.replacen(from, to, 1)).unwrap_err()
    }

    #[test]
    fn every_rule_of_the_format_is_enforced_and_names_where() {
        let cases = [
            (
                r#""max": 15, "method": "ratio""#,
                r#""max": 14, "method": "ratio""#,
                "scheme.indicators",
                "add up to 99.0",
            ),
            (
                r#""points": 18.5"#,
                r#""points": 18.55"#,
                "manual_scores[0].points",
                "decimal",
            ),
            (
                r#""target_percent": 97"#,
                r#""target_percent": 97.125"#,
                "scheme.indicators[2].target_percent",
                "decimal",
            ),
            (
                r#""target_percent": 97"#,
                r#""target_percent": 0"#,
                "scheme.indicators[2].target_percent",
                "above 0",
            ),
            (
                r#""points": 18.5"#,
                r#""points": 20.5"#,
                "manual_scores[0].points",
                "between",
            ),
            (
                r#""count": 2"#,
                r#""count": 0"#,
                "events[0].count",
                "between 1 and 100",
            ),
            (
                r#""count": 2"#,
                r#""count": 9223372036854775807"#,
                "events[0].count",
                "between 1 and 100",
            ),
            (
                r#""count": 2"#,
                r#""count": 4611686018427387904"#,
                "events[0].count",
                "between 1 and 100",
            ),
            (
                r#""numerator": 19"#,
                r#""numerator": 9223372036854775807"#,
                "ratios[0].numerator",
                "between 0 and 1000000",
            ),
            (
                r#""points": 3, "reason""#,
                r#""points": 999999999999, "reason""#,
                "bonuses[0].points",
                "between 0 and 100.0",
            ),
            (
                r#""points": 1}"#,
                r#""points": 0}"#,
                "scheme.deductions[0].points",
                "above 0",
            ),
            (
                r#""points": 3, "reason""#,
                r#""points": -3, "reason""#,
                "bonuses[0].points",
                "between 0 and",
            ),
            (
                r#""numerator": 19"#,
                r#""numerator": -1"#,
                "ratios[0].numerator",
                "between 0 and",
            ),
            (
                r#"{"code": "JD03""#,
                r#"{"code": "JD01""#,
                "units[2].code",
                "twice",
            ),
            (
                r#""code": "report""#,
                r#""code": "duty""#,
                "scheme.indicators[1].code",
                "twice",
            ),
            (
                r#"{"event": "concealed_report""#,
                r#"{"event": "late_report""#,
                "scheme.deductions[1].event",
                "twice",
            ),
            (
                r#"{"unit": "JD02", "indicator": "duty", "points": 20}"#,
                r#"{"unit": "JD01", "indicator": "duty", "points": 20}"#,
                "manual_scores[2].indicator",
                "second score",
            ),
            (
                r#"{"unit": "JD03", "indicator": "duty""#,
                r#"{"unit": "JD09", "indicator": "duty""#,
                "manual_scores[4].unit",
                "unknown unit",
            ),
            (
                r#""unit": "JD01", "event": "late_report""#,
                r#""unit": "JD01", "event": "flood""#,
                "events[0].event",
                "unknown event",
            ),
            (
                r#""unit": "JD01", "indicator": "plans""#,
                r#""unit": "JD01", "indicator": "nope""#,
                "ratios[0].indicator",
                "unknown indicator",
            ),
            (
                r#"{"unit": "JD03", "indicator": "duty""#,
                r#"{"unit": "JD03", "indicator": "plans""#,
                "manual_scores[4].indicator",
                "ratio indicator",
            ),
            (
                r#""unit": "JD01", "indicator": "plans""#,
                r#""unit": "JD01", "indicator": "duty""#,
                "ratios[0].indicator",
                "manual indicator",
            ),
            (
                r#""name": "新城街道", "kind": "subdistrict""#,
                r#""name": "新城街道", "kind": "department""#,
                "units[2].kind",
                "not for units",
            ),
            (
                r#""good": 80"#,
                r#""good": 95"#,
                "scheme.grades",
                "descending",
            ),
            (
                r#""vetoes": [{"unit": "JD04""#,
                r#""vetoes": [{"unit": "X""#,
                "vetoes[0].unit",
                "unknown unit",
            ),
        ];
        for (from, to, at, words) in cases {
            let e = broken(from, to);
            assert_eq!(e.at, at, "{from} -> {to}: {e}");
            assert!(e.problem.contains(words), "{from} -> {to}: {e}");
        }
        assert!(parse("{").unwrap_err().problem.contains("JSON"));
    }

    #[test]
    fn optional_parts_may_be_left_out() {
        let minimal = r#"{"scheme": {"code": "S", "year": 2018, "name": "n", "unit_kinds": ["school"],
            "grades": {"excellent": 90, "good": 80, "pass": 60},
            "indicators": [{"code": "a", "category": "c", "name": "甲", "max": 100, "method": "manual"}]},
            "units": [{"code": "X1", "name": "实验小学", "kind": "school"}],
            "manual_scores": [{"unit": "X1", "indicator": "a", "points": 59.9}]}"#;
        let file = parse(minimal).unwrap();
        assert_eq!(
            results_csv(&file),
            "unit_code,unit_name,total,grade,rank,vetoed\r\nX1,实验小学,59.9,fail,1,false\r\n"
        );
    }
}
