//! The annual assessment through the real router on both databases: a
//! scheme from the form, scores and events, the two-person veto, incident
//! reports that turn late, publishing, exports, and who may do what.

use crate::common::*;
use app::areas::assessment::api;
use app::model::{Results, SchemeSummary, UnitAssessment};
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;

const SAVE_SCHEME: &str = <api::SaveScheme as ServerFn>::PATH;
const LIST_SCHEMES: &str = <api::ListSchemes as ServerFn>::PATH;
const RESULTS: &str = <api::SchemeResults as ServerFn>::PATH;
const UNIT: &str = <api::LoadUnitAssessment as ServerFn>::PATH;
const SAVE_SCORES: &str = <api::SaveScores as ServerFn>::PATH;
const SAVE_METRIC: &str = <api::SaveMetric as ServerFn>::PATH;
const ADD_EVENT: &str = <api::AddEvent as ServerFn>::PATH;
const ADD_BONUS: &str = <api::AddBonus as ServerFn>::PATH;
const PROPOSE: &str = <api::ProposeVeto as ServerFn>::PATH;
const DECIDE: &str = <api::DecideVeto as ServerFn>::PATH;
const LOG_INCIDENT: &str = <api::LogIncident as ServerFn>::PATH;
const MARK: &str = <api::MarkFinding as ServerFn>::PATH;
const PUBLISH: &str = <api::PublishScheme as ServerFn>::PATH;
const DECIDE_REOPEN: &str = <api::DecideReopen as ServerFn>::PATH;
const COPY: &str = <api::CopyScheme as ServerFn>::PATH;
const REMOVE_EVENT: &str = <api::RemoveEvent as ServerFn>::PATH;
const PREVIEW_IMPORT: &str = <app::areas::imports::api::PreviewImport as ServerFn>::PATH;
const CONFIRM_IMPORT: &str = <app::areas::imports::api::ConfirmImport as ServerFn>::PATH;

/// The scheme form as the browser posts it: subdistricts and departments,
/// duty 60 + report 25 (manual) + plans 15 (ratio of plan coverage, 97%).
fn scheme_form(duty_max: &str) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = [
        ("form[code]", "S2018"),
        ("form[year]", "2018"),
        ("form[name]", "2018年度应急管理工作考核"),
        ("form[kinds][subdistrict]", "1"),
        ("form[kinds][department]", "1"),
        ("form[excellent]", "90"),
        ("form[good]", "80"),
        ("form[pass]", "60"),
        ("form[bonus_cap]", "5"),
        ("form[deadlines][larger]", "60"),
        ("form[indicators][0][code]", "duty"),
        ("form[indicators][0][category]", "duty"),
        ("form[indicators][0][name]", "政务值班"),
        ("form[indicators][0][max]", duty_max),
        ("form[indicators][0][method]", "manual"),
        ("form[indicators][1][code]", "report"),
        ("form[indicators][1][category]", "report"),
        ("form[indicators][1][name]", "信息报告"),
        ("form[indicators][1][max]", "25"),
        ("form[indicators][1][method]", "manual"),
        ("form[indicators][2][code]", "plans"),
        ("form[indicators][2][category]", "response"),
        ("form[indicators][2][name]", "应急预案"),
        ("form[indicators][2][max]", "15"),
        ("form[indicators][2][method]", "ratio"),
        ("form[indicators][2][metric]", "plan_coverage"),
        ("form[indicators][2][target]", "97"),
        // A spare blank row, as the page offers.
        ("form[indicators][3][code]", ""),
        ("form[rules][0][event]", "late_report"),
        ("form[rules][0][indicator]", "report"),
        ("form[rules][0][points]", "1"),
        ("form[rules][1][event]", "concealed_report"),
        ("form[rules][1][indicator]", "report"),
        ("form[rules][1][points]", "4"),
        ("form[rules][1][bars]", "1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    f.push(("form[rules][2][event]".into(), String::new()));
    f
}

/// Creates the scheme and fills both units completely: JD01 at 58 + 24 +
/// plans 20/20 (15) = 97.0, GA at 50 + 20 + plans 0/0 (15) = 85.0.
async fn scored(app: &TestApp, assessor: &str) -> i64 {
    let r = app
        .call(SAVE_SCHEME, &pairs(&scheme_form("60")), Some(assessor))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id: i64 = r.json();
    let (jd, ga) = (
        app.district.units["JD01"].to_string(),
        app.district.units["GA"].to_string(),
    );
    let id_s = id.to_string();
    for (unit, duty, report) in [(&jd, "58", "24"), (&ga, "50", "20")] {
        let r = app
            .call(
                SAVE_SCORES,
                &[
                    ("scheme_id", &id_s),
                    ("unit_id", unit),
                    ("scores[0][indicator]", "duty"),
                    ("scores[0][points]", duty),
                    ("scores[0][note]", "值班记录完整"),
                    ("scores[1][indicator]", "report"),
                    ("scores[1][points]", report),
                ],
                Some(assessor),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    for (unit, n, d) in [(&jd, "20", "20"), (&ga, "0", "0")] {
        let r = app
            .call(
                SAVE_METRIC,
                &[
                    ("year", "2018"),
                    ("unit_id", unit),
                    ("metric", "plan_coverage"),
                    ("numerator", n),
                    ("denominator", d),
                    ("reason", "2018年台账"),
                ],
                Some(assessor),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    id
}

async fn results(app: &TestApp, id: i64, cookie: &str) -> Results {
    let r = app
        .call(RESULTS, &[("id", &id.to_string())], Some(cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

fn total_of(r: &Results, code: &str) -> Option<String> {
    r.rows
        .iter()
        .find(|x| x.unit_code == code)
        .and_then(|x| x.outcome.total.map(|t| t.to_string()))
}

on_both_databases! {
    async fn a_scheme_whose_maxima_miss_100_is_refused_naming_the_field(db: Db) {
        let app = TestApp::on(db).await;
        let assessor = app.login("assessor").await;
        let r = app.call(SAVE_SCHEME, &pairs(&scheme_form("55")), Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("field.indicators") && r.body.contains("95.0"), "{}", r.body);
        let mut bad_row = scheme_form("60");
        bad_row.retain(|(k, _)| k != "form[indicators][2][target]");
        let r = app.call(SAVE_SCHEME, &pairs(&bad_row), Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field.indicator_row:3:field.target_percent"), "{}", r.body);
        let list: Vec<SchemeSummary> = app.call(LIST_SCHEMES, &[], Some(&assessor)).await.json();
        assert!(list.is_empty(), "nothing stored");
    }

    async fn scores_give_totals_grades_and_ranks_and_every_change_is_audited(db: Db) {
        let app = TestApp::on(db).await;
        let assessor = app.login("assessor").await;
        let id = scored(&app, &assessor).await;
        let r = results(&app, id, &assessor).await;
        assert_eq!(total_of(&r, "JD01").as_deref(), Some("97.0"));
        assert_eq!(total_of(&r, "GA").as_deref(), Some("85.0"));
        let jd = r.rows.iter().find(|x| x.unit_code == "JD01").unwrap();
        assert_eq!((jd.outcome.rank, jd.outcome.grade.map(|g| g.code())), (Some(1), Some("excellent")));
        // The village is not a kind this scheme assesses.
        assert!(r.rows.iter().all(|x| x.unit_code != "JD01-V1"));
        assert_eq!(audited(&app.state.db, "score.set").await, 4);
        // Saving the same values again changes and audits nothing.
        let again = app
            .call(SAVE_SCORES, &[("scheme_id", &id.to_string()), ("unit_id", &app.district.units["GA"].to_string()),
                ("scores[0][indicator]", "duty"), ("scores[0][points]", "50.0"), ("scores[0][note]", "值班记录完整")], Some(&assessor))
            .await;
        assert_eq!(again.json::<usize>(), 0);
        assert_eq!(audited(&app.state.db, "score.set").await, 4);
        // A score above the maximum names its row and field, and nothing changes.
        let r = app
            .call(SAVE_SCORES, &[("scheme_id", &id.to_string()), ("unit_id", &app.district.units["GA"].to_string()),
                ("scores[0][indicator]", "report"), ("scores[0][points]", "10"),
                ("scores[1][indicator]", "duty"), ("scores[1][points]", "60.5")], Some(&assessor))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field.score_row:2:field.points"), "{}", r.body);
        assert_eq!(total_of(&results(&app, id, &assessor).await, "GA").as_deref(), Some("85.0"));
        // A concealed report deducts 4 and bars excellent; a bonus is capped at 5.
        let jd = app.district.units["JD01"].to_string();
        let r = app.call(ADD_EVENT, &[("scheme_id", &id.to_string()), ("unit_id", &jd), ("event", "concealed_report"),
            ("occurred_on", "2018-07-01"), ("description", "瞒报一起较大火灾")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.call(ADD_BONUS, &[("scheme_id", &id.to_string()), ("unit_id", &jd), ("points", "8"), ("reason", "省级表彰")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = results(&app, id, &assessor).await;
        let jd_row = r.rows.iter().find(|x| x.unit_code == "JD01").unwrap();
        assert_eq!(total_of(&r, "JD01").as_deref(), Some("98.0"), "97 - 4 + min(8, 5)");
        assert_eq!(jd_row.outcome.grade.map(|g| g.code()), Some("good"), "barred from excellent");
        // An event dated outside the scheme's year is refused.
        let r = app.call(ADD_EVENT, &[("scheme_id", &id.to_string()), ("unit_id", &jd), ("event", "late_report"),
            ("occurred_on", "2019-01-02"), ("description", "跨年")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field.occurred_on"));
    }

    async fn a_veto_needs_a_second_assessor_and_zeroes_the_year(db: Db) {
        let app = TestApp::on(db).await;
        let first = app.login("assessor").await;
        let second = app.login("assessor2").await;
        let id = scored(&app, &first).await;
        let jd = app.district.units["JD01"].to_string();
        let r = app.call(PROPOSE, &[("scheme_id", &id.to_string()), ("unit_id", &jd), ("reason", "瞒报较大事故"),
            ("evidence", "区应急办2018-07-03通报")], Some(&first)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let veto: i64 = r.json();
        // Proposed only: nothing changes yet.
        assert_eq!(total_of(&results(&app, id, &first).await, "JD01").as_deref(), Some("97.0"));
        // The proposer cannot confirm (or reject) their own proposal.
        for decision in ["confirm", "reject"] {
            let r = app.call(DECIDE, &[("id", &veto.to_string()), ("decision", decision)], Some(&first)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        }
        // The second assessor's home page says a veto is waiting.
        let home: app::model::Home = app.call(LOAD_HOME, &[("lang", "Zh")], Some(&second)).await.json();
        assert!(home.items.iter().any(|i| i.key == "home.vetoes_pending" && i.count == 1), "{:?}", home.items);
        let r = app.call(DECIDE, &[("id", &veto.to_string()), ("decision", "confirm")], Some(&second)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = results(&app, id, &first).await;
        let jd_row = r.rows.iter().find(|x| x.unit_code == "JD01").unwrap();
        assert!(jd_row.outcome.vetoed);
        assert_eq!(total_of(&r, "JD01").as_deref(), Some("0.0"));
        assert_eq!(jd_row.outcome.grade.map(|g| g.code()), Some("fail"));
        assert_eq!(jd_row.outcome.rank, Some(2), "after the one ranked unit");
        assert_eq!(r.rows.last().unwrap().unit_code, "JD01", "listed last");
        let ga = r.rows.iter().find(|x| x.unit_code == "GA").unwrap();
        assert_eq!(ga.outcome.rank, Some(1));
        // Deciding twice is refused; revoking needs a reason.
        let r = app.call(DECIDE, &[("id", &veto.to_string()), ("decision", "reject")], Some(&second)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = app.call(DECIDE, &[("id", &veto.to_string()), ("decision", "revoke")], Some(&second)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        // The explanation shows the veto and its evidence.
        let unit: UnitAssessment = app.call(UNIT, &[("scheme_id", &id.to_string()), ("unit_id", &jd)], Some(&first)).await.json();
        assert!(unit.outcome.vetoed);
        assert!(unit.vetoes.iter().any(|v| v.evidence.contains("通报") && v.decided_by.as_deref() == Some("assessor2")));
        // Revoking takes two assessors as well: asking is not revoking.
        let r = app.call(DECIDE, &[("id", &veto.to_string()), ("decision", "revoke"), ("note", "复核后撤销")], Some(&first)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(total_of(&results(&app, id, &first).await, "JD01").as_deref(), Some("0.0"), "the veto counts until a second assessor confirms");
        let r = app.call(DECIDE, &[("id", &veto.to_string()), ("decision", "confirm_revoke")], Some(&first)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = app.call(DECIDE, &[("id", &veto.to_string()), ("decision", "confirm_revoke")], Some(&second)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(total_of(&results(&app, id, &first).await, "JD01").as_deref(), Some("97.0"));
        let unit: UnitAssessment = app.call(UNIT, &[("scheme_id", &id.to_string()), ("unit_id", &jd)], Some(&first)).await.json();
        let v = unit.vetoes.iter().find(|v| v.id == veto).unwrap();
        assert_eq!((v.status.code(), v.revoked_by.as_deref(), v.revoke_reason.as_deref()), ("revoked", Some("assessor2"), Some("复核后撤销")));
        assert_eq!(v.revoke_proposed_by.as_deref(), Some("assessor"), "who asked is kept");
        for action in ["veto.propose", "veto.confirm", "veto.revoke_propose", "veto.revoke"] {
            assert_eq!(audited(&app.state.db, action).await, 1, "{action}");
        }
    }

    async fn an_assessor_cannot_confirm_their_own_revocation_and_the_veto_still_counts(db: Db) {
        let app = TestApp::on(db).await;
        let first = app.login("assessor").await;
        let second = app.login("assessor2").await;
        let id = scored(&app, &first).await;
        let jd = app.district.units["JD01"].to_string();
        let r = app.call(PROPOSE, &[("scheme_id", &id.to_string()), ("unit_id", &jd), ("reason", "瞒报较大事故"),
            ("evidence", "区应急办2018-07-03通报")], Some(&first)).await;
        let veto: i64 = r.json();
        let veto_s = veto.to_string();
        let r = app.call(DECIDE, &[("id", &veto_s), ("decision", "confirm")], Some(&second)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // The confirming assessor asks to revoke it, then tries to settle
        // the request alone, either way: refused, and the veto counts.
        let r = app.call(DECIDE, &[("id", &veto_s), ("decision", "revoke"), ("note", "单位申诉")], Some(&second)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        for decision in ["confirm_revoke", "reject_revoke"] {
            let r = app.call(DECIDE, &[("id", &veto_s), ("decision", decision)], Some(&second)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{decision}: {}", r.body);
        }
        let r = results(&app, id, &first).await;
        assert!(r.rows.iter().find(|x| x.unit_code == "JD01").unwrap().outcome.vetoed);
        assert_eq!(total_of(&r, "JD01").as_deref(), Some("0.0"));
        // A second request while one waits is refused; the other assessor
        // sees it waiting, on the list and on the home page.
        let r = app.call(DECIDE, &[("id", &veto_s), ("decision", "revoke"), ("note", "再次申请")], Some(&second)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        let list: Vec<app::model::VetoRow> = app.call(<api::ListVetoes as ServerFn>::PATH, &[("year", "2018")], Some(&first)).await.json();
        let v = list.iter().find(|v| v.id == veto).unwrap();
        assert!(v.revocation_pending());
        assert_eq!((v.revoke_proposed_by.as_deref(), v.revoke_reason.as_deref()), (Some("assessor2"), Some("单位申诉")));
        let home: app::model::Home = app.call(LOAD_HOME, &[("lang", "Zh")], Some(&first)).await.json();
        assert!(home.items.iter().any(|i| i.key == "home.vetoes_pending" && i.count == 1), "{:?}", home.items);
        // The other assessor rejects the request: the veto stands, and a
        // decision with nothing waiting is a conflict.
        let r = app.call(DECIDE, &[("id", &veto_s), ("decision", "reject_revoke"), ("note", "证据充分")], Some(&first)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let list: Vec<app::model::VetoRow> = app.call(<api::ListVetoes as ServerFn>::PATH, &[("year", "2018")], Some(&first)).await.json();
        let v = list.iter().find(|v| v.id == veto).unwrap();
        assert_eq!((v.status.code(), v.revocation_pending(), v.revoke_reason.clone()), ("confirmed", false, None));
        let r = app.call(DECIDE, &[("id", &veto_s), ("decision", "confirm_revoke")], Some(&first)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert_eq!(total_of(&results(&app, id, &first).await, "JD01").as_deref(), Some("0.0"));
        assert_eq!(audited(&app.state.db, "veto.revoke_propose").await, 1);
        assert_eq!(audited(&app.state.db, "veto.revoke_reject").await, 1);
        assert_eq!(audited(&app.state.db, "veto.revoke").await, 0);
    }

    async fn a_late_incident_report_becomes_a_late_report_event(db: Db) {
        let app = TestApp::on(db).await;
        let assessor = app.login("assessor").await;
        let organizer = app.login("organizer").await;
        let id = scored(&app, &assessor).await;
        let jd = app.district.units["JD01"].to_string();
        // 较大: the scheme allows 60 minutes; 95 minutes is late, 60 is not.
        for (reported, title) in [("2018-06-01T10:35", "化工厂火灾"), ("2018-06-02T10:00", "山体滑坡")] {
            let occurred = if title == "化工厂火灾" { "2018-06-01T09:00" } else { "2018-06-02T09:00" };
            let r = app.call(LOG_INCIDENT, &[("unit_id", &jd), ("level", "larger"), ("title", title),
                ("occurred_at", occurred), ("reported_at", reported), ("reported_by", "王建国")], Some(&organizer)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let r = results(&app, id, &assessor).await;
        assert_eq!(total_of(&r, "JD01").as_deref(), Some("96.0"), "one late report, 1 point");
        // A report before the incident is refused, naming the field.
        let r = app.call(LOG_INCIDENT, &[("unit_id", &jd), ("level", "general"), ("title", "测试"),
            ("occurred_at", "2018-06-03T10:00"), ("reported_at", "2018-06-03T09:00"), ("reported_by", "王")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field.reported_at"));
        // A concealed report found in 2019 counts in 2019, not in 2018.
        let incident: i64 = sqlx::query_scalar("SELECT id FROM incidents WHERE title = '山体滑坡'")
            .fetch_one(&app.state.db.pool).await.unwrap();
        let r = app.call(MARK, &[("incident_id", &incident.to_string()), ("finding", "concealed_report"), ("found_on", "2019-03-01")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(total_of(&results(&app, id, &assessor).await, "JD01").as_deref(), Some("96.0"));
        let in_2019 = app::areas::assessment::store::events::of_year(&app.state.db.pool, 2019, None).await.unwrap();
        assert_eq!(in_2019.len(), 1);
        assert_eq!(in_2019[0].event, "concealed_report");
        // Organizers log reports but do not mark findings.
        let r = app.call(MARK, &[("incident_id", &incident.to_string()), ("finding", "false_report")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }

    async fn an_unfinished_year_is_published_only_with_a_reason_and_its_gaps_are_marked(db: Db) {
        let app = TestApp::on(db).await;
        let assessor = app.login("assessor").await;
        let id = scored(&app, &assessor).await;
        let id_s = id.to_string();
        let ga = app.district.units["GA"].to_string();
        // 公安分局's report score taken back: its sheet is unfinished.
        let r = app.call(SAVE_SCORES, &[("scheme_id", &id_s), ("unit_id", &ga), ("scores[0][indicator]", "report"), ("scores[0][points]", "")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.call(PUBLISH, &[("id", &id_s), ("publish", "1")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("problem.publish_gaps") && r.body.contains("公安分局"), "{}", r.body);
        assert!(!results(&app, id, &assessor).await.scheme.published);
        // An undecided veto holds it back too.
        let jd = app.district.units["JD01"].to_string();
        let r = app.call(PROPOSE, &[("scheme_id", &id_s), ("unit_id", &jd), ("reason", "瞒报较大事故"), ("evidence", "通报第 7 号")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.call(PUBLISH, &[("id", &id_s), ("publish", "1")], Some(&assessor)).await;
        assert!(r.body.contains("城关街道") && r.body.contains("公安分局"), "{}", r.body);
        // The page lists them before anyone presses the button, each with
        // its link and why, and the publish form asks for a reason.
        use app::domain::assessment::GapKind;
        let gaps = results(&app, id, &assessor).await.gaps;
        assert_eq!(gaps, vec![(app.district.units["GA"], "公安分局".to_string(), GapKind::Incomplete), (app.district.units["JD01"], "城关街道".to_string(), GapKind::VetoUndecided)]);
        let page = app.get(&format!("/assessment/schemes/{id}"), Some(&assessor)).await;
        assert_eq!(page.body.matches("data-test=\"gap\"").count(), 2, "{}", page.body);
        assert!(page.body.contains(&format!("/assessment/schemes/{id}/units/{ga}")));
        assert!(page.body.contains("name=\"reason\" required"), "a reason is asked for");
        assert!(page.body.contains("data-test=\"confirm-publish\""), "publishing asks first");
        // Meant: published with a reason, the two units marked.
        let r = app.call(PUBLISH, &[("id", &id_s), ("publish", "1"), ("reason", "年底前必须上报,公安分局缺项另行说明")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let scheme = results(&app, id, &assessor).await.scheme;
        assert!(scheme.published);
        assert_eq!(scheme.published_gaps, vec!["GA".to_string(), "JD01".to_string()]);
        let page = app.get(&format!("/assessment/schemes/{id}"), Some(&assessor)).await;
        assert_eq!(page.body.matches("data-test=\"published-gap\"").count(), 2, "{}", page.body);
        // Published, the undecided veto can no longer be decided: its list
        // says so and shows no buttons.
        let vetoes: Vec<app::model::VetoRow> = call_ok(&app, <api::ListVetoes as ServerFn>::PATH, &[("year", "2018")], &assessor).await;
        assert!(vetoes.iter().all(|v| v.locked));
        let page = app.get("/assessment/vetoes?year=2018", Some(&assessor)).await;
        assert!(page.body.contains("瞒报较大事故") && !page.body.contains("data-test=\"confirm-veto\""), "{}", page.body);
        let page = app.get(&format!("/assessment/schemes/{id}/units/{jd}"), Some(&assessor)).await;
        assert!(!page.body.contains("data-test=\"confirm-veto\"") && !page.body.contains("data-test=\"sheet\""));
    }

    async fn a_published_year_is_locked_until_reopened_with_a_reason(db: Db) {
        let app = TestApp::on(db).await;
        let assessor = app.login("assessor").await;
        let id = scored(&app, &assessor).await;
        let id_s = id.to_string();
        let r = app.call(PUBLISH, &[("id", &id_s), ("publish", "1")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let ga = app.district.units["GA"].to_string();
        let r = app.call(SAVE_SCORES, &[("scheme_id", &id_s), ("unit_id", &ga), ("scores[0][indicator]", "duty"), ("scores[0][points]", "1")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        let r = app.call(ADD_BONUS, &[("scheme_id", &id_s), ("unit_id", &ga), ("points", "1"), ("reason", "表彰")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = app.call(SAVE_SCHEME, &pairs(&[vec![("id".to_string(), id_s.clone())], scheme_form("60")].concat()), Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = app.call(PUBLISH, &[("id", &id_s), ("publish", "0")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a reason is needed");
        // Asking to reopen, with a reason, leaves the year locked until a
        // second assessor confirms.
        let r = app.call(PUBLISH, &[("id", &id_s), ("publish", "0"), ("reason", "更正录入错误")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.call(SAVE_SCORES, &[("scheme_id", &id_s), ("unit_id", &ga), ("scores[0][indicator]", "duty"), ("scores[0][points]", "49")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        let second = app.login("assessor2").await;
        let r = app.call(DECIDE_REOPEN, &[("id", &id_s), ("decision", "confirm")], Some(&second)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.call(SAVE_SCORES, &[("scheme_id", &id_s), ("unit_id", &ga), ("scores[0][indicator]", "duty"), ("scores[0][points]", "49")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(audited(&app.state.db, "scheme.reopen_propose").await, 1);
        assert_eq!(audited(&app.state.db, "scheme.reopen").await, 1);
        let scheme = results(&app, id, &assessor).await.scheme;
        assert!(!scheme.published && scheme.reopen.is_none(), "{scheme:?}");
        // Next year's scheme starts as a copy; this year's kinds stay taken.
        let r = app.call(COPY, &[("id", &id_s)], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let list: Vec<SchemeSummary> = app.call(LIST_SCHEMES, &[], Some(&assessor)).await.json();
        assert_eq!(list.iter().map(|s| (s.code.as_str(), s.year)).collect::<Vec<_>>(), vec![("S2019", 2019), ("S2018", 2018)]);
        let mut clash = scheme_form("60");
        clash[0].1 = "S2018-B".into();
        let r = app.call(SAVE_SCHEME, &pairs(&clash), Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("problem.kind_in_other_scheme"), "{}", r.body);
    }

    async fn one_assessor_alone_cannot_reopen_a_published_year(db: Db) {
        let app = TestApp::on(db).await;
        let first = app.login("assessor").await;
        let second = app.login("assessor2").await;
        let id = scored(&app, &first).await;
        let id_s = id.to_string();
        let ga = app.district.units["GA"].to_string();
        let r = app.call(PUBLISH, &[("id", &id_s), ("publish", "1")], Some(&first)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.call(PUBLISH, &[("id", &id_s), ("publish", "0"), ("reason", "更正录入错误")], Some(&first)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // The one who asked can neither confirm nor reject the request;
        // the year stays published and locked.
        for decision in ["confirm", "reject"] {
            let r = app.call(DECIDE_REOPEN, &[("id", &id_s), ("decision", decision)], Some(&first)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{decision}: {}", r.body);
        }
        let scheme = results(&app, id, &second).await.scheme;
        assert!(scheme.published);
        let request = scheme.reopen.expect("a request waits");
        assert_eq!((request.by.as_str(), request.reason.as_str()), ("assessor", "更正录入错误"));
        let r = app.call(SAVE_SCORES, &[("scheme_id", &id_s), ("unit_id", &ga), ("scores[0][indicator]", "duty"), ("scores[0][points]", "1")], Some(&first)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        // One request at a time; only its proposer withdraws it.
        let r = app.call(PUBLISH, &[("id", &id_s), ("publish", "0"), ("reason", "再次申请")], Some(&second)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        let r = app.call(DECIDE_REOPEN, &[("id", &id_s), ("decision", "withdraw")], Some(&second)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = app.call(DECIDE_REOPEN, &[("id", &id_s), ("decision", "withdraw")], Some(&first)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let scheme = results(&app, id, &first).await.scheme;
        assert!(scheme.published && scheme.reopen.is_none());
        // A new request, rejected by the other assessor: still published,
        // and nothing is left to decide.
        let r = app.call(PUBLISH, &[("id", &id_s), ("publish", "0"), ("reason", "单位申诉")], Some(&second)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.call(DECIDE_REOPEN, &[("id", &id_s), ("decision", "reject"), ("note", "申诉理由不成立")], Some(&first)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(results(&app, id, &first).await.scheme.published);
        let r = app.call(DECIDE_REOPEN, &[("id", &id_s), ("decision", "confirm")], Some(&first)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        // Those who do not manage schemes decide nothing.
        let organizer = app.login("organizer").await;
        let r = app.call(DECIDE_REOPEN, &[("id", &id_s), ("decision", "confirm")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(audited(&app.state.db, "scheme.reopen_propose").await, 2);
        assert_eq!(audited(&app.state.db, "scheme.reopen_withdraw").await, 1);
        assert_eq!(audited(&app.state.db, "scheme.reopen_reject").await, 1);
        assert_eq!(audited(&app.state.db, "scheme.reopen").await, 0);
    }

    async fn trainees_and_strangers_are_kept_out_of_the_assessment(db: Db) {
        let app = TestApp::on(db).await;
        let assessor = app.login("assessor").await;
        let id = scored(&app, &assessor).await;
        let trainee = app.login("trainee").await;
        let organizer = app.login("organizer").await;
        let jd = app.district.units["JD01"].to_string();
        let id_s = id.to_string();
        assert_eq!(app.call(RESULTS, &[("id", &id_s)], Some(&trainee)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.call(RESULTS, &[("id", &id_s)], None).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.call(SAVE_SCORES, &[("scheme_id", &id_s), ("unit_id", &jd)], Some(&trainee)).await.status, StatusCode::FORBIDDEN);
        // Organizers read results but do not score, propose vetoes or write schemes.
        assert_eq!(app.call(RESULTS, &[("id", &id_s)], Some(&organizer)).await.status, StatusCode::OK);
        assert_eq!(app.call(SAVE_SCORES, &[("scheme_id", &id_s), ("unit_id", &jd)], Some(&organizer)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.call(PROPOSE, &[("scheme_id", &id_s), ("unit_id", &jd), ("reason", "xx"), ("evidence", "yy")], Some(&organizer)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.call(SAVE_SCHEME, &pairs(&scheme_form("60")), Some(&organizer)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get(&format!("/assessment/schemes/{id}/results.csv"), Some(&trainee)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get(&format!("/assessment/schemes/{id}/results.csv"), None).await.status, StatusCode::UNAUTHORIZED);
        // The page itself says 403 to a trainee.
        let page = app.get(&format!("/assessment/schemes/{id}/units/{jd}"), Some(&trainee)).await;
        assert!(page.body.contains("403"), "{}", page.status);
    }

    async fn exports_carry_the_totals_the_ranking_shows(db: Db) {
        use calamine::{Reader, Xlsx};
        let app = TestApp::on(db).await;
        let assessor = app.login("assessor").await;
        let id = scored(&app, &assessor).await;
        let csv = app.get(&format!("/assessment/schemes/{id}/results.csv"), Some(&assessor)).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.headers["content-disposition"].to_str().unwrap().contains("S2018-results.csv"));
        // A title line, column titles in the reader's language, each
        // indicator's score beside the total, words not codes.
        assert_eq!(
            csv.body,
            "\u{feff}2018年度应急管理工作考核(2018 年)· 尚未发布(当前结果)\r\n\
             单位编码,所属单位,政务值班,信息报告,应急预案,加分(计入),总分,等次,名次,一票否决\r\n\
             JD01,城关街道,58.0,24.0,15.0,0.0,97.0,优秀,1,\r\n\
             GA,公安分局,50.0,20.0,15.0,0.0,85.0,良好,2,\r\n"
        );
        let en = app.get(&format!("/assessment/schemes/{id}/results.csv"), Some(&format!("{assessor}; yingji_lang=en"))).await;
        assert!(en.body.contains("Unit code") && en.body.contains(",Excellent,") && !en.body.contains("优秀"), "{}", en.body);
        let req = axum::http::Request::get(format!("/assessment/schemes/{id}/results.xlsx"))
            .header("cookie", &assessor)
            .body(axum::body::Body::empty())
            .unwrap();
        let res = tower::ServiceExt::oneshot(app.router.clone(), req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let range = book.worksheet_range("results").unwrap();
        let rows: Vec<(String, f64)> = range
            .rows()
            .skip(2)
            .map(|r| (r[0].to_string(), r[6].to_string().parse::<f64>().unwrap()))
            .collect();
        assert_eq!(rows, vec![("JD01".to_string(), 97.0), ("GA".to_string(), 85.0)]);
    }

    async fn metrics_come_from_a_file_all_or_nothing_and_feed_the_ratio(db: Db) {
        let app = TestApp::on(db).await;
        let assessor = app.login("assessor").await;
        let id = scored(&app, &assessor).await;
        let principal = app::areas::accounts::store::accounts::principal(&app.state.db.pool, app.district.accounts["assessor"]).await.unwrap().unwrap();
        let stage = |csv: &'static str| {
            let state = app.state.clone();
            let principal = principal.clone();
            async move { app::areas::imports::service::stage_upload(&state, &principal, "metrics", "数据.csv", csv.as_bytes()).await.unwrap() }
        };
        // One bad row: the preview names it, and confirming imports nothing.
        let token = stage("年度,单位编码,数据项,分子,分母\r\n2018,JD01,plan_coverage,10,20\r\n2018,NOPE,plan_coverage,1,2\r\n").await;
        let preview: app::model::ImportPreview = app.call(PREVIEW_IMPORT, &[("token", &token)], Some(&assessor)).await.json();
        assert_eq!(preview.errors.iter().map(|e| (e.row, e.column.as_str())).collect::<Vec<_>>(), vec![(3, "单位编码")]);
        assert_eq!(app.call(CONFIRM_IMPORT, &[("token", &token)], Some(&assessor)).await.status, StatusCode::CONFLICT);
        assert_eq!(total_of(&results(&app, id, &assessor).await, "JD01").as_deref(), Some("97.0"));
        // A good file replaces the ratio: 10/20 against 97% of 15 is 7.7.
        let token = stage("year,unit_code,metric,numerator,denominator\r\n2018,JD01,plan_coverage,10,20\r\n").await;
        let r = app.call(CONFIRM_IMPORT, &[("token", &token)], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(total_of(&results(&app, id, &assessor).await, "JD01").as_deref(), Some("89.7"));
        // After publishing, a metrics file for that year imports nothing.
        app.call(PUBLISH, &[("id", &id.to_string()), ("publish", "1")], Some(&assessor)).await;
        let token = stage("year,unit_code,metric,numerator,denominator\r\n2018,GA,plan_coverage,0,20\r\n").await;
        assert_eq!(app.call(CONFIRM_IMPORT, &[("token", &token)], Some(&assessor)).await.status, StatusCode::CONFLICT);
        assert_eq!(total_of(&results(&app, id, &assessor).await, "GA").as_deref(), Some("85.0"));
    }

    async fn an_event_from_an_incident_cannot_be_removed_on_its_own(db: Db) {
        let app = TestApp::on(db).await;
        let assessor = app.login("assessor").await;
        scored(&app, &assessor).await;
        let jd = app.district.units["JD01"].to_string();
        let r = app.call(LOG_INCIDENT, &[("unit_id", &jd), ("level", "larger"), ("title", "化工厂火灾"),
            ("occurred_at", "2018-06-01 09:00"), ("reported_at", "2018-06-01 11:00"), ("reported_by", "王建国")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let events = app::areas::assessment::store::events::of_year(&app.state.db.pool, 2018, None).await.unwrap();
        assert_eq!(events.len(), 1);
        assert!(events[0].description.contains("120 min"), "{}", events[0].description);
        let r = app.call(REMOVE_EVENT, &[("id", &events[0].id.to_string())], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(app::areas::assessment::store::events::of_year(&app.state.db.pool, 2018, None).await.unwrap().len(), 1);
    }
}

// ---- evidence behind the figures (issue 13 §1) ----

const REMOVE_OVERRIDE: &str = <api::RemoveMetricOverride as ServerFn>::PATH;
const MARK_SEEN: &str = <api::MarkResultsSeen as ServerFn>::PATH;
const SYNC_DRILL_METRICS: &str = <app::areas::drills::api::SyncDrillMetrics as ServerFn>::PATH;

/// The scheme of `scheme_form` for this year (the year syncs write), with
/// both units' manual indicators scored (JD01 58 + 24, GA 50 + 20): its
/// id and the year.
async fn this_year(app: &TestApp, assessor: &str) -> (i64, i64) {
    use chrono::Datelike;
    let year = local_today(app).year() as i64;
    let mut form = scheme_form("60");
    set_field(&mut form, "form[year]", &year.to_string());
    set_field(&mut form, "form[code]", &format!("S{year}"));
    let id: i64 = call_ok(app, SAVE_SCHEME, &pairs(&form), assessor).await;
    for (unit, duty, report) in [("JD01", "58", "24"), ("GA", "50", "20")] {
        let unit = app.district.units[unit].to_string();
        let r = app
            .call(
                SAVE_SCORES,
                &[
                    ("scheme_id", &id.to_string()),
                    ("unit_id", &unit),
                    ("scores[0][indicator]", "duty"),
                    ("scores[0][points]", duty),
                    ("scores[1][indicator]", "report"),
                    ("scores[1][points]", report),
                ],
                Some(assessor),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    (id, year)
}

async fn sheet(app: &TestApp, scheme: i64, unit: &str, who: &str) -> UnitAssessment {
    call_ok(
        app,
        UNIT,
        &[
            ("scheme_id", &scheme.to_string()),
            ("unit_id", &app.district.units[unit].to_string()),
        ],
        who,
    )
    .await
}

/// The audit rows of an action, as their after-JSON.
async fn audit_after(db: &app::platform::db::Db, action: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT after_json FROM audit_log WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(&db.pool)
        .await
        .unwrap()
}

on_both_databases! {
    async fn an_override_needs_a_reason_survives_a_sync_and_keeps_the_computed_value_beside_it(db: Db) {
        use app::domain::evidence::Origin;
        let app = TestApp::on(db).await;
        let assessor = app.login("assessor").await;
        let keeper = district_organizer(&app, "keeper").await;
        let (id, year) = this_year(&app, &assessor).await;
        let jd = app.district.units["JD01"];
        let override_form = |reason: &'static str| {
            owned(&[("year", &year.to_string()), ("unit_id", &jd.to_string()), ("metric", "plan_coverage"),
                ("numerator", "1"), ("denominator", "1"), ("reason", reason)])
        };
        // Without a reason an override is refused, naming the field; nothing is stored.
        let r = app.call(SAVE_METRIC, &pairs(&override_form("")), Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("field.reason") && r.body.contains("problem.override_needs_reason"), "{}", r.body);
        assert_eq!(stored_metric(&app.state.db, jd, "plan_coverage").await, None);

        let r = app.call(SAVE_METRIC, &pairs(&override_form("纸质预案已备案,系统未录入")), Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // The sync computes 0/1 for JD01 (no plan in force): the override stays,
        // the computed value is kept beside it, and the sheet says both.
        call_ok::<(usize, usize)>(&app, SYNC_DRILL_METRICS, &[], &keeper).await;
        assert_eq!(stored_metric(&app.state.db, jd, "plan_coverage").await, Some((1, 1)));
        let a = sheet(&app, id, "JD01", &assessor).await;
        let (_, m) = a.ratios.iter().find(|(k, _)| k == "plans").expect("the plans ratio");
        assert_eq!((m.origin, m.computed, m.reason.as_str()), (Origin::Override, Some((0, 1)), "纸质预案已备案,系统未录入"));
        assert_eq!(a.outcome.total.map(|t| t.to_string()).as_deref(), Some("97.0"), "58 + 24 + 15");
        let evidence = &a.evidence.iter().find(|(k, _)| k == "plan_coverage").expect("evidence").1;
        assert_eq!(evidence.iter().map(|e| (e.kind.as_str(), e.label.as_str())).collect::<Vec<_>>(), [("plan_missing", "城关街道")]);
        let plans: Vec<_> = a.changes.iter().filter(|c| c.item != "metric:drills_held").collect();
        let causes: Vec<&str> = plans.iter().map(|c| c.cause.as_str()).collect();
        assert_eq!(causes, ["sync_beside_override", "override", "score", "score"], "newest first");
        assert_eq!((plans[0].before.as_str(), plans[0].after.as_str()), ("1/1", "0/1"));

        // Taking the override back lets the computed value count.
        let r = app.call(REMOVE_OVERRIDE, &[("year", &year.to_string()), ("unit_id", &jd.to_string()), ("metric", "plan_coverage")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(stored_metric(&app.state.db, jd, "plan_coverage").await, Some((0, 1)));
        let a = sheet(&app, id, "JD01", &assessor).await;
        assert_eq!(a.outcome.total.map(|t| t.to_string()).as_deref(), Some("82.0"));
        assert_eq!(a.ratios[0].1.origin, Origin::Computed);
        // Once more is a conflict, not a silent success; an organizer may not.
        let again = app.call(REMOVE_OVERRIDE, &[("year", &year.to_string()), ("unit_id", &jd.to_string()), ("metric", "plan_coverage")], Some(&assessor)).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        let r = app.call(SAVE_METRIC, &pairs(&override_form("理由")), Some(&keeper)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }

    async fn a_sync_is_one_audit_entry_and_the_feed_says_what_moved_since_last_looked(db: Db) {
        let app = TestApp::on(db).await;
        let assessor = app.login("assessor").await;
        let keeper = district_organizer(&app, "keeper").await;
        let (id, _) = this_year(&app, &assessor).await;
        call_ok::<(usize, usize)>(&app, SYNC_DRILL_METRICS, &[], &keeper).await;
        // One entry for the sync, listing both units; no row per unit.
        let syncs = audit_after(&app.state.db, "metric.sync").await;
        let plan_sync = syncs.iter().find(|s| s.contains("\"units\"") && s.contains(&format!("\"unit_id\":{}", app.district.units["GA"]))).expect("a sync entry");
        assert!(plan_sync.contains(&format!("\"unit_id\":{}", app.district.units["JD01"])), "{plan_sync}");
        assert_eq!(audited(&app.state.db, "metric.set").await, 0);

        // Never marked seen: the year's changes so far, no totals compared.
        let r = results(&app, id, &assessor).await;
        let feed = r.feed.expect("assessors get the feed");
        assert_eq!(feed.seen_at, None);
        assert_eq!(feed.units.len(), 2);
        let r = app.call(MARK_SEEN, &[("id", &id.to_string())], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(results(&app, id, &assessor).await.feed.unwrap().units.is_empty(), "nothing since");

        // A late report for JD01: the feed names the unit, its total before
        // and after, and the change with its record.
        let jd = app.district.units["JD01"].to_string();
        let r = app.call(ADD_EVENT, &[("scheme_id", &id.to_string()), ("unit_id", &jd), ("event", "late_report"),
            ("description", "暴雨信息迟报")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let feed = results(&app, id, &assessor).await.feed.unwrap();
        assert_eq!(feed.units.len(), 1, "{feed:?}");
        let u = &feed.units[0];
        assert_eq!((u.unit_name.as_str(), u.before.map(|p| p.to_string()), u.after.map(|p| p.to_string())),
            ("城关街道", Some("82.0".into()), Some("81.0".into())));
        assert_eq!(u.changes.iter().map(|c| (c.item.as_str(), c.cause.as_str())).collect::<Vec<_>>(), [("event:late_report", "event_added")]);
        assert!(u.changes[0].source.starts_with("event:"));
        // Another assessor has their own "last looked"; organizers get no feed.
        let other = app.login("assessor2").await;
        assert_eq!(results(&app, id, &other).await.feed.unwrap().units.len(), 2);
        assert!(results(&app, id, &keeper).await.feed.is_none());
    }

    async fn a_plan_counts_for_its_own_unit_and_publishing_freezes_the_year(db: Db) {
        let app = TestApp::on(db).await;
        let assessor = app.login("assessor").await;
        let admin = app.login("admin").await;
        let keeper = district_organizer(&app, "keeper").await;
        let (id, year) = this_year(&app, &assessor).await;
        let (jd, ga) = (app.district.units["JD01"], app.district.units["GA"]);
        call_ok::<(usize, usize)>(&app, SYNC_DRILL_METRICS, &[], &keeper).await;
        // The department's plan moves the department, and no subdistrict.
        let plan = new_emergency_plan(&app, &keeper, ga, "department", "公安分局部门应急预案").await;
        file(&app, &keeper, &admin, plan).await;
        assert_eq!(stored_metric(&app.state.db, ga, "plan_coverage").await, Some((1, 1)));
        assert_eq!(stored_metric(&app.state.db, jd, "plan_coverage").await, Some((0, 1)));
        let moved: Vec<(i64, String)> = sqlx::query_as("SELECT unit_id, source FROM assessment_changes WHERE cause = 'sync' AND source <> 'sync'")
            .fetch_all(&app.state.db.pool).await.unwrap();
        assert_eq!(moved, [(ga, format!("plan:{plan}"))]);
        let ga_sheet = sheet(&app, id, "GA", &assessor).await;
        let evidence = &ga_sheet.evidence.iter().find(|(k, _)| k == "plan_coverage").unwrap().1;
        assert_eq!(evidence[0].href, format!("/drills/plans/{plan}"));
        assert!(evidence[0].counts);

        // Published, the year reads what was frozen: JD01 filing its plan,
        // a new department and a renamed unit change nothing in it.
        let r = app.call(PUBLISH, &[("id", &id.to_string()), ("publish", "1")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let before = results(&app, id, &assessor).await;
        assert!(before.feed.is_none(), "a published year has no feed");
        let jd_plan = new_emergency_plan(&app, &keeper, jd, "overall", "城关街道总体应急预案").await;
        file(&app, &keeper, &admin, jd_plan).await;
        assert_eq!(stored_metric(&app.state.db, jd, "plan_coverage").await, Some((0, 1)), "a published year is left alone");
        let r = app.call(<app::areas::directory::api::SaveUnit as ServerFn>::PATH, &[("code", "JT"), ("name", "交通运输局"),
            ("kind", "department"), ("min_on_duty", "1")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        sqlx::query("UPDATE units SET name = '城关街道办事处' WHERE id = $1").bind(jd).execute(&app.state.db.pool).await.unwrap();
        sqlx::query("UPDATE assessment_metrics SET numerator = 1 WHERE unit_id = $1").bind(jd).execute(&app.state.db.pool).await.unwrap();
        let after = results(&app, id, &assessor).await;
        let rows = |r: &Results| r.rows.iter().map(|x| (x.unit_name.clone(), x.outcome.total)).collect::<Vec<_>>();
        assert_eq!(rows(&after), rows(&before));
        assert_eq!(rows(&after).len(), 2, "the new department is not in a published year");
        let jd_sheet = sheet(&app, id, "JD01", &assessor).await;
        assert_eq!(jd_sheet.ratios[0].1.numerator, 0, "the explanation reads the snapshot");
        assert_eq!(jd_sheet.evidence.iter().find(|(k, _)| k == "plan_coverage").unwrap().1[0].kind, "plan_missing");
        assert!(jd_sheet.changes.is_empty());
        let _ = year;
    }
}
