//! The `yingji` binary's commands that work on files, run as a user would.

use std::process::Command;

const SHEET: &str = r#"{
  "scheme": {
    "code": "S2018-JD", "year": 2018, "name": "2018年街道应急管理工作考核",
    "unit_kinds": ["subdistrict"],
    "grades": {"excellent": 90, "good": 80, "pass": 60},
    "bonus_cap": 5,
    "indicators": [
      {"code": "duty", "category": "duty", "name": "政务值班", "max": 20, "method": "manual"},
      {"code": "report", "category": "report", "name": "信息报告", "max": 65, "method": "manual"},
      {"code": "plans", "category": "response", "name": "应急预案", "max": 15, "method": "ratio", "target_percent": 97}
    ],
    "deductions": [{"event": "late_report", "indicator": "duty", "points": 1}]
  },
  "units": [{"code": "JD01", "name": "九曲街道", "kind": "subdistrict"}, {"code": "JD02", "name": "城关街道", "kind": "subdistrict"}],
  "manual_scores": [
    {"unit": "JD01", "indicator": "duty", "points": 18.5}, {"unit": "JD01", "indicator": "report", "points": 60},
    {"unit": "JD02", "indicator": "duty", "points": 20}, {"unit": "JD02", "indicator": "report", "points": 65}
  ],
  "ratios": [{"unit": "JD01", "indicator": "plans", "numerator": 19, "denominator": 20}, {"unit": "JD02", "indicator": "plans", "numerator": 0, "denominator": 0}],
  "events": [{"unit": "JD01", "event": "late_report", "count": 2, "date": "2018-05-02"}],
  "vetoes": [{"unit": "JD02", "reason": "瞒报较大事故"}]
}"#;

/// Runs `yingji {command} FILE` on `json` written to a temporary
/// `yingji-{kind}-….json`, with a DATABASE_URL that would stop any
/// command that opens the database.
fn on_file(command: &str, kind: &str, json: &str) -> std::process::Output {
    // One file per call: tests run side by side, and two files of one
    // length are not the same file.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("yingji-{kind}-{}-{n}.json", std::process::id()));
    std::fs::write(&path, json).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_yingji"))
        .arg(command)
        .arg(&path)
        .env("DATABASE_URL", "mysql://nowhere")
        .output()
        .unwrap();
    std::fs::remove_file(&path).ok();
    out
}

fn assess(sheet: &str) -> std::process::Output {
    on_file("assess", "sheet", sheet)
}

#[test]
fn assess_prints_the_results_csv_without_a_database() {
    let out = assess(SHEET);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "unit_code,unit_name,total,grade,rank,vetoed\r\nJD01,九曲街道,91.2,excellent,1,false\r\nJD02,城关街道,0.0,fail,2,true\r\n"
    );
}

#[test]
fn a_bad_sheet_exits_2_with_the_problem_on_stderr_and_nothing_on_stdout() {
    let out = assess(&SHEET.replace(r#""points": 18.5"#, r#""points": 18.55"#));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("manual_scores[0].points"), "{stderr}");
}

/// Runs `yingji` with arguments against a database URL.
fn yingji(args: &[&str], database_url: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_yingji"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

#[tokio::test]
async fn import_assessment_loads_a_sheet_all_or_nothing() {
    let dir = std::env::temp_dir().join(format!("yingji-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db_path = dir.join("y.db");
    let url = format!("sqlite://{}?mode=rwc", db_path.display());
    let sheet = dir.join("sheet.json");
    let bad = dir.join("bad.json");
    std::fs::write(&sheet, SHEET).unwrap();
    // A sheet that is fine as a file but whose event names a unit kind clash:
    // a second scheme of 2018 for subdistricts.
    std::fs::write(&bad, SHEET.replace("S2018-JD", "S2018-JD-B")).unwrap();

    let out = yingji(&["import", "assessment", sheet.to_str().unwrap()], &url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        said.contains("2 units created") && said.contains("1 vetoes"),
        "{said}"
    );

    // The database now ranks the units exactly as `assess` does from the file.
    let db = app::platform::db::Db::connect(&url, 2).await.unwrap();
    let schemes = app::areas::assessment::store::schemes::list(&db.pool)
        .await
        .unwrap();
    assert_eq!(schemes.len(), 1);
    let assessor = crate::common::district_assessor();
    let results = app::areas::assessment::service::results(
        &db,
        &assessor,
        schemes[0].id,
        app::i18n::Lang::Zh,
    )
    .await
    .unwrap();
    // In the command's own format: codes, as a program reads them.
    let mut csv = String::from("unit_code,unit_name,total,grade,rank,vetoed\r\n");
    for r in &results.rows {
        let o = &r.outcome;
        let row = [
            r.unit_code.clone(),
            r.unit_name.clone(),
            o.total.map(|t| t.to_string()).unwrap_or_default(),
            o.grade.map(|g| g.code().to_string()).unwrap_or_default(),
            o.rank.map(|k| k.to_string()).unwrap_or_default(),
            o.vetoed.to_string(),
        ];
        csv.push_str(&row.join(","));
        csv.push_str("\r\n");
    }
    assert_eq!(
        csv,
        String::from_utf8(assess(SHEET).stdout).unwrap(),
        "the imported district ranks as the file does"
    );
    let events_before = app::areas::assessment::store::events::of_year(&db.pool, 2018, None)
        .await
        .unwrap()
        .len();
    assert_eq!(events_before, 1);
    db.pool.close().await;

    // The same scheme again, and a clashing one: refused, exit 2, nothing added.
    for file in [&sheet, &bad] {
        let out = yingji(&["import", "assessment", file.to_str().unwrap()], &url);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(stderr.contains("nothing was imported"), "{stderr}");
        assert!(stderr.contains("scheme."), "names the field: {stderr}");
    }
    // A file with a bad number is refused before the database is touched.
    let broken = dir.join("broken.json");
    std::fs::write(
        &broken,
        SHEET.replace(r#""points": 18.5"#, r#""points": 18.55"#),
    )
    .unwrap();
    let out = yingji(&["import", "assessment", broken.to_str().unwrap()], &url);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("manual_scores[0].points"));

    let db = app::platform::db::Db::connect(&url, 2).await.unwrap();
    assert_eq!(
        app::areas::assessment::store::schemes::list(&db.pool)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app::areas::assessment::store::events::of_year(&db.pool, 2018, None)
            .await
            .unwrap()
            .len(),
        1
    );
    db.pool.close().await;
    std::fs::remove_dir_all(&dir).ok();
}

fn schedule(plan: &str) -> std::process::Output {
    on_file("schedule", "plan", plan)
}

const PLAN: &str = r#"{
  "batches": [{"code": "B1", "start": "2018-04-02", "end": "2018-04-04", "capacity": 2},
              {"code": "B2", "start": "2018-04-09", "end": "2018-04-11", "capacity": 2}],
  "units": [{"code": "GA", "staff": 4, "min_on_duty": 3}, {"code": "BGS", "staff": 5, "min_on_duty": 1}],
  "trainees": [{"id": "P001", "unit": "GA", "unavailable": [["2018-04-03", "2018-04-05"]]},
               {"id": "P002", "unit": "GA"},
               {"id": "P003", "unit": "GA"},
               {"id": "P004", "unit": "BGS", "unavailable": [["2018-04-01", "2018-04-30"]]},
               {"id": "P005", "unit": "BGS"}]
}"#;

#[test]
fn schedule_prints_every_trainee_once_with_reasons_for_those_left_out() {
    let out = schedule(PLAN);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let roster: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let placed: Vec<(String, String)> = roster["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["trainee"].as_str().unwrap().into(),
                a["batch"].as_str().unwrap().into(),
            )
        })
        .collect();
    // GA can spare one person per batch: P001 only fits B2, so P002 takes B1.
    assert_eq!(
        placed,
        vec![
            ("P001".into(), "B2".into()),
            ("P002".into(), "B1".into()),
            ("P005".into(), "B1".into())
        ]
    );
    let left: Vec<(&str, &str)> = roster["unassigned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["trainee"].as_str().unwrap(),
                u["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(left.len(), 2);
    assert_eq!(left[0].0, "P003");
    assert!(left[0].1.contains("GA"), "{}", left[0].1);
    assert_eq!(left[1].0, "P004");
    assert!(left[1].1.contains("unavailable"), "{}", left[1].1);
}

#[test]
fn a_plan_with_overlapping_batches_is_refused_with_exit_2() {
    let out = schedule(&PLAN.replace("2018-04-09", "2018-04-04"));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("batches[1].start") && stderr.contains("overlaps"),
        "{stderr}"
    );
}

fn roster(file: &str) -> std::process::Output {
    on_file("roster", "roster", file)
}

/// The issue's example file.
const ROSTER: &str = r#"{
  "from": "2018-01-01", "to": "2018-03-31",
  "holidays": ["2018-02-15", "2018-02-16"],
  "staff_per_day": 1, "leaders_per_day": 1, "min_rest_days": 1,
  "people": [
    {"id": "P1", "role": "staff", "unavailable": [["2018-02-01", "2018-02-03"]]},
    {"id": "L1", "role": "leader", "unavailable": []}
  ]
}"#;

#[test]
fn roster_prints_every_day_of_the_period_and_the_gaps_with_reasons() {
    let out = roster(ROSTER);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let days = printed["days"].as_array().unwrap();
    assert_eq!(days.len(), 90);
    assert_eq!(days[0]["date"], "2018-01-01");
    assert_eq!(days[89]["date"], "2018-03-31");
    // P1 is away from the 1st to the 3rd of February: never on duty then,
    // and each of those days is a staff gap that says so.
    for day in &days[31..34] {
        assert_eq!(day["staff"], serde_json::json!([]), "{day}");
    }
    let away: Vec<&serde_json::Value> = printed["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| {
            g["role"] == "staff" && g["reason"].as_str().unwrap().contains("P1 is unavailable")
        })
        .collect();
    assert_eq!(away.len(), 3, "{away:?}");
}

#[test]
fn a_roster_file_with_a_bad_field_is_refused_with_exit_2_and_nothing_printed() {
    for (from, to, named) in [
        (
            "\"role\": \"leader\"",
            "\"role\": \"boss\"",
            "people[1].role",
        ),
        (
            "\"min_rest_days\": 1",
            "\"min_rest_days\": -1",
            "min_rest_days",
        ),
        ("\"2018-02-16\"]", "\"2018-02-30\"]", "holidays[1]"),
    ] {
        let out = roster(&ROSTER.replace(from, to));
        assert_eq!(out.status.code(), Some(2), "{to}");
        assert!(out.stdout.is_empty(), "{to}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(named), "{named}: {stderr}");
    }
}

/// A sheet of `n` subdistricts, each with a score, a ratio and an event.
fn big_sheet(n: usize, count: &str) -> String {
    let units: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"code": "U{i}", "name": "街道{i}", "kind": "subdistrict"}}"#))
        .collect();
    let scores: Vec<String> = (0..n)
        .flat_map(|i| {
            [
                format!(r#"{{"unit": "U{i}", "indicator": "duty", "points": 18}}"#),
                format!(r#"{{"unit": "U{i}", "indicator": "report", "points": 60}}"#),
            ]
        })
        .collect();
    let ratios: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"unit": "U{i}", "indicator": "plans", "numerator": 19, "denominator": 20}}"#
            )
        })
        .collect();
    let events: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"unit": "U{i}", "event": "late_report", "count": {count}}}"#))
        .collect();
    let head = SHEET.split(r#""units""#).next().unwrap();
    format!(
        r#"{head}"units": [{}], "manual_scores": [{}], "ratios": [{}], "events": [{}]}}"#,
        units.join(","),
        scores.join(","),
        ratios.join(","),
        events.join(",")
    )
}

#[test]
fn assess_reads_a_hundred_thousand_units_without_quadratic_scans() {
    let out = assess(&big_sheet(100_000, "1"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv.lines().count(), 100_001);
}

#[test]
fn an_event_count_that_would_overflow_is_refused_naming_the_bound() {
    for count in ["9223372036854775807", "4611686018427387904", "101"] {
        let out = assess(&big_sheet(2, count));
        assert_eq!(out.status.code(), Some(2), "{count}");
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains("events[0].count") && stderr.contains("between 1 and 100"),
            "{stderr}"
        );
    }
}

#[test]
fn a_plan_beyond_the_limits_is_refused_before_anything_is_built() {
    // 20,000 units × 1,000 batches would need a network of 20 million
    // (unit, batch) nodes: refused by the product, at once.
    let batches: Vec<String> = (0..1000)
        .map(|i| {
            let day =
                chrono::NaiveDate::from_ymd_opt(2018, 1, 1).unwrap() + chrono::Duration::days(i);
            format!(r#"{{"code": "B{i}", "start": "{day}", "end": "{day}", "capacity": 10}}"#)
        })
        .collect();
    let units: Vec<String> = (0..20_000)
        .map(|i| format!(r#"{{"code": "U{i}", "staff": 5, "min_on_duty": 1}}"#))
        .collect();
    let plan = format!(
        r#"{{"batches": [{}], "units": [{}], "trainees": []}}"#,
        batches.join(","),
        units.join(",")
    );
    let out = schedule(&plan);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("(unit, batch) pairs"), "{stderr}");
    // 12,000 trainees × 1,000 batches, each trainee away on another day:
    // a group per trainee, each joined to 999 batches. Refused by the
    // product before the network is built.
    let trainees: Vec<String> = (0..12_000)
        .map(|i| {
            let day = chrono::NaiveDate::from_ymd_opt(2018, 1, 1).unwrap()
                + chrono::Duration::days(i % 1000);
            format!(
                r#"{{"id": "T{i}", "unit": "U{}", "unavailable": [["{day}", "{day}"]]}}"#,
                i % 2000
            )
        })
        .collect();
    let plan = format!(
        r#"{{"batches": [{}], "units": [{}], "trainees": [{}]}}"#,
        batches.join(","),
        units[..2000].join(","),
        trainees.join(",")
    );
    let stderr = String::from_utf8(schedule(&plan).stderr).unwrap();
    assert!(stderr.contains("(trainee, batch) pairs"), "{stderr}");
    let too_many = format!(
        r#"{{"batches": [{}], "units": [], "trainees": []}}"#,
        vec![r#"{"code": "B", "start": "2018-01-01", "end": "2018-01-01", "capacity": 1}"#; 1001]
            .join(",")
    );
    let stderr = String::from_utf8(schedule(&too_many).stderr).unwrap();
    assert!(
        stderr.contains("batches") && stderr.contains("at most 1000"),
        "{stderr}"
    );
}

#[test]
fn schedule_reads_a_hundred_thousand_units_without_quadratic_scans() {
    let units: Vec<String> = (0..100_000)
        .map(|i| format!(r#"{{"code": "U{i}", "staff": 5, "min_on_duty": 1}}"#))
        .collect();
    let trainees: Vec<String> = (0..100_000)
        .map(|i| format!(r#"{{"id": "T{i}", "unit": "U{i}"}}"#))
        .collect();
    let plan = format!(
        r#"{{"batches": [{{"code": "B1", "start": "2018-04-02", "end": "2018-04-04", "capacity": 100000}}], "units": [{}], "trainees": [{}]}}"#,
        units.join(","),
        trainees.join(",")
    );
    let out = schedule(&plan);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let roster: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(roster["assignments"].as_array().unwrap().len(), 100_000);
}
