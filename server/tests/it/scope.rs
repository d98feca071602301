//! Scope through the real router on both databases. Users scoped to one
//! subdistrict, and trainees, send the requests a curious user would: a
//! person, unit, plan or feed of the next subdistrict by number or id, a
//! course that serves the whole district, phone digits they only see
//! masked. Each is refused; and every list and export they read holds only
//! rows within their reach. The fixture's district (城关街道 with 东关村, and
//! 公安分局) is topped up here with 河西街道 and its village, people with
//! phones of their own, a scoped assessor and more trainees; the demo seed
//! is left alone.

use crate::common::training::{course_form, create, plan_form};
use crate::common::*;
use app::areas::assessment::api::{self as assessment_api, MetricTable};
use app::areas::drills::api::{
    self as drills_api, CalendarPage, DrillEditor, DrillSaved, DrillsPage,
};
use app::areas::eplans::api as plans_api;
use app::areas::registry::api::{self as registry_api, RegistryPage, ReporterCoverageReport};
use app::areas::training::api as training_api;
use app::domain::account::Role;
use app::domain::person::{PersonDraft, Position};
use app::domain::unit::{UnitDraft, UnitKind};
use app::model::{Page, Person, PlanDetail, PlanSummary, Results};
use app::platform::Actor;
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;

const REGISTRY: &str = <registry_api::GetRegistry as ServerFn>::PATH;
const REPORTER_COVERAGE: &str = <registry_api::GetReporterCoverage as ServerFn>::PATH;
const CALENDAR: &str = <drills_api::GetCalendar as ServerFn>::PATH;
const DRILLS: &str = <drills_api::ListDrills as ServerFn>::PATH;
const DRILL_EDITOR: &str = <drills_api::GetDrillEditor as ServerFn>::PATH;
const SAVE_DRILL: &str = <drills_api::SaveDrill as ServerFn>::PATH;
const ADD_ACTION: &str = <drills_api::AddCorrectiveAction as ServerFn>::PATH;
const EPLAN: &str = <plans_api::GetEmergencyPlan as ServerFn>::PATH;
const SAVE_COURSE: &str = <training_api::SaveCourse as ServerFn>::PATH;
const COURSE_EDITOR: &str = <training_api::GetCourseEditor as ServerFn>::PATH;
const SAVE_ROTATION: &str = <training_api::SavePlan as ServerFn>::PATH;
const ROTATIONS: &str = <training_api::ListPlans as ServerFn>::PATH;
const SAVE_SCHEME: &str = <assessment_api::SaveScheme as ServerFn>::PATH;
const SAVE_METRIC: &str = <assessment_api::SaveMetric as ServerFn>::PATH;
const RESULTS: &str = <assessment_api::SchemeResults as ServerFn>::PATH;
const METRIC_TABLE: &str = <assessment_api::LoadMetricTable as ServerFn>::PATH;
const PUBLISH: &str = <assessment_api::PublishScheme as ServerFn>::PATH;

/// Tops the fixture's district up: 河西街道 (JD02) with 柳林村 (JD02-V1),
/// and people with phones of their own: P4 (河西街道), P5 (柳林村), P6
/// (公安分局) and P7 (东关村). Returns (JD02, JD02-V1).
async fn second_subdistrict(app: &TestApp) -> (i64, i64) {
    let actor = Actor::system("test");
    let mut tx = app.state.db.pool.begin().await.unwrap();
    let unit = |code: &str, name: &str, kind| UnitDraft {
        code: code.into(),
        name: name.into(),
        kind,
        min_on_duty: 0,
    };
    let jd2 = app::areas::directory::store::units::create(
        &mut app::platform::Write::within(&mut tx, &actor, 1),
        &unit("JD02", "河西街道", UnitKind::Subdistrict),
        None,
    )
    .await
    .unwrap();
    let v2 = app::areas::directory::store::units::create(
        &mut app::platform::Write::within(&mut tx, &actor, 1),
        &unit("JD02-V1", "柳林村", UnitKind::Village),
        Some(jd2),
    )
    .await
    .unwrap();
    for (code, name, unit, phone) in [
        ("P4", "赵志刚", jd2, "13955556666"),
        ("P5", "孙丽华", v2, "13955557777"),
        ("P6", "钱国栋", app.district.units["GA"], "13700004321"),
        ("P7", "周晓燕", app.district.units["JD01-V1"], "13911112222"),
    ] {
        let draft = PersonDraft {
            code: code.into(),
            name: name.into(),
            positions: vec![Position::EmStaff],
            phone: Some(phone.into()),
        };
        app::areas::directory::store::people::create(
            &mut app::platform::Write::within(&mut tx, &actor, 1),
            &draft,
            unit,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    (jd2, v2)
}

/// Where the drills here are held.
const PLACE: &str = "街道会议室";

/// Person numbers of registry rows, sorted.
fn codes(page: &RegistryPage) -> Vec<String> {
    let mut codes: Vec<String> = page.rows.iter().map(|r| r.person_code.clone()).collect();
    codes.sort();
    codes
}

/// "number phone" of each person a search finds, as the caller sees them.
async fn found(app: &TestApp, who: &str, q: &str) -> Vec<String> {
    let page: Page<Person> = call_ok(app, LIST_PEOPLE, &[("q", q)], who).await;
    page.items
        .iter()
        .map(|p| format!("{} {}", p.code, p.phone.as_deref().unwrap_or("-")))
        .collect()
}

fn tick(form: &mut Vec<(String, String)>, list: &str, id: i64) {
    form.push((format!("form[{list}][{id}]"), "on".into()));
}

/// The scheme form: subdistricts and departments (城关街道 and 公安分局
/// here), two manual indicators and one ratio of plan coverage.
fn scheme_form() -> Vec<(String, String)> {
    [
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
        ("form[indicators][0][max]", "60"),
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
        ("form[rules][0][event]", "late_report"),
        ("form[rules][0][indicator]", "report"),
        ("form[rules][0][points]", "1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

on_both_databases! {
    async fn a_subdistrict_organizer_cannot_register_a_person_of_another_subdistrict(db: Db) {
        let app = TestApp::on(db).await;
        let (jd2, _) = second_subdistrict(&app).await;
        let (jd, v) = (app.district.units["JD01"], app.district.units["JD01-V1"]);
        let organizer = app.login("organizer").await;

        // P4 belongs to 河西街道: refused by number, with or without a name
        // guessed, and the stored name and phone are never shown back.
        for name in ["", "赵志刚", "猜名"] {
            let r = register_person(&app, &organizer, "P4", name, "assistant", jd, "").await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {}", r.body);
            assert!(r.body.contains("field.person_code") && r.body.contains("problem.person_outside_scope") && r.body.contains("P4"), "{}", r.body);
            assert!(!r.body.contains("赵志刚") && !r.body.contains("5555666"), "{}", r.body);
        }
        assert_eq!(audited(&app.state.db, "registry.register").await, 0);
        let page: RegistryPage = call_ok(&app, REGISTRY, &[], &organizer).await;
        assert!(page.rows.is_empty(), "{:?}", page.rows);
        let csv = app.get("/registry/export.csv", Some(&organizer)).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(!csv.body.contains("赵志刚") && !csv.body.contains("13955556666"), "{}", csv.body);

        // Their own people they register; P4 is an admin's to register.
        let r = register_person(&app, &organizer, "P7", "", "reporter", v, "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let admin = app.login("admin").await;
        let r = register_person(&app, &admin, "P4", "", "assistant", jd2, "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let page: RegistryPage = call_ok(&app, REGISTRY, &[], &organizer).await;
        assert_eq!(codes(&page), ["P7"]);
    }

    async fn the_registry_its_export_and_its_coverage_hold_only_entries_in_reach(db: Db) {
        let app = TestApp::on(db).await;
        let (jd2, v2) = second_subdistrict(&app).await;
        let (jd, v) = (app.district.units["JD01"], app.district.units["JD01-V1"]);
        let admin = app.login("admin").await;
        for (code, role, unit) in [("P1", "assistant", jd), ("P7", "reporter", v), ("P4", "assistant", jd2), ("P5", "reporter", v2)] {
            let r = register_person(&app, &admin, code, "", role, unit, "").await;
            assert_eq!(r.status, StatusCode::OK, "{code}: {}", r.body);
        }
        let trainee = app.login("trainee").await;
        let organizer = app.login("organizer").await;
        let trainee_jd2 = add_account(&app, "trainee-jd2", Role::Trainee, None, Some("P5")).await;
        let trainee_ga = add_account(&app, "trainee-ga", Role::Trainee, None, Some("P3")).await;
        let trainee_alone = add_account(&app, "trainee-alone", Role::Trainee, None, None).await;
        let assessor_jd = add_account(&app, "assessor-jd", Role::Assessor, Some(jd), None).await;
        // Who, then the entries and the subdistricts they see: a trainee
        // their own subdistrict's (from a village too), nobody else's.
        let cases: [(&str, &String, &[&str], &[&str]); 7] = [
            ("trainee of 城关街道", &trainee, &["P1", "P7"], &["城关街道"]),
            ("trainee of 柳林村", &trainee_jd2, &["P4", "P5"], &["河西街道"]),
            ("trainee of 公安分局", &trainee_ga, &[], &[]),
            ("trainee without a person", &trainee_alone, &[], &[]),
            ("organizer of 城关街道", &organizer, &["P1", "P7"], &["城关街道"]),
            ("assessor of 城关街道", &assessor_jd, &["P1", "P7"], &["城关街道"]),
            ("admin", &admin, &["P1", "P4", "P5", "P7"], &["城关街道", "河西街道"]),
        ];
        for (who, cookie, entries, subdistricts) in cases {
            let page: RegistryPage = call_ok(&app, REGISTRY, &[], cookie).await;
            assert_eq!(codes(&page), entries, "{who}: the registry");
            let mut progress: Vec<&str> = page.progress.iter().map(|p| p.unit_name.as_str()).collect();
            progress.sort();
            assert_eq!(progress, subdistricts, "{who}: the drive's progress");

            let csv = app.get("/registry/export.csv", Some(cookie)).await;
            assert_eq!(csv.status, StatusCode::OK, "{who}");
            let mut exported: Vec<&str> = csv
                .body
                .lines()
                .skip(1)
                .filter(|l| !l.is_empty())
                .map(|l| l.split(',').next().unwrap_or(""))
                .collect();
            exported.sort();
            assert_eq!(exported, entries, "{who}: the export");

            let coverage: ReporterCoverageReport = call_ok(&app, REPORTER_COVERAGE, &[], cookie).await;
            let mut lines: Vec<&str> = coverage.lines.iter().map(|l| l.subdistrict.as_str()).collect();
            lines.sort();
            assert_eq!(lines, subdistricts, "{who}: reporter coverage");
        }
    }

    async fn people_search_matches_phone_numbers_only_where_they_are_shown_whole(db: Db) {
        let app = TestApp::on(db).await;
        second_subdistrict(&app).await;
        let jd = app.district.units["JD01"];
        let admin = app.login("admin").await;
        let assessor = app.login("assessor").await;
        let organizer = app.login("organizer").await;
        let assessor_jd = add_account(&app, "assessor-jd", Role::Assessor, Some(jd), None).await;

        // The district's assessor sees P6's phone masked: no run of its
        // digits finds P6, the whole number neither.
        for q in ["1370000", "13700004", "137000043", "0000432", "13700004321"] {
            assert!(found(&app, &assessor, q).await.is_empty(), "{q}");
        }
        assert_eq!(found(&app, &assessor, "钱国栋").await, ["P6 137****4321"]);
        // Whoever sees the number whole finds it by its digits.
        assert_eq!(found(&app, &admin, "0000432").await, ["P6 13700004321"]);
        // 城关街道's organizer manages 东关村's P7 and finds the number; the
        // assessor of 城关街道 sees it masked and does not.
        assert_eq!(found(&app, &organizer, "1111222").await, ["P7 13911112222"]);
        assert!(found(&app, &assessor_jd, "1111222").await.is_empty());
        assert_eq!(found(&app, &assessor_jd, "周晓燕").await, ["P7 139****2222"]);
        // Outside their reach nobody is found, by name or number.
        assert!(found(&app, &organizer, "0000432").await.is_empty());
        assert!(found(&app, &organizer, "钱国栋").await.is_empty());
    }

    async fn the_calendar_the_drill_editor_and_plan_pages_offer_a_scoped_user_only_what_is_in_reach(db: Db) {
        let app = TestApp::on(db).await;
        let (jd, ga) = (app.district.units["JD01"], app.district.units["GA"]);
        let admin = app.login("admin").await;
        let organizer = app.login("organizer").await;
        let assessor_jd = add_account(&app, "assessor-jd", Role::Assessor, Some(jd), None).await;
        let ga_plan = new_emergency_plan(&app, &admin, ga, "special", "公安分局反恐应急预案").await;
        let jd_plan = new_emergency_plan(&app, &organizer, jd, "overall", "城关街道总体应急预案").await;
        // 公安 drills in May (exercising 城关's plan too, as a district
        // organizer may have it); 城关 drills later that month.
        let mut ga_drill = drill_form(PLACE, "反恐处置演练", ga, "P3", "2027-05-12", "09:00", "11:00");
        tick(&mut ga_drill, "plans", ga_plan);
        tick(&mut ga_drill, "plans", jd_plan);
        let saved: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&ga_drill), &admin).await;
        assert!(saved.id.is_some(), "{saved:?}");
        let jd_drill = drill_form(PLACE, "地震疏散演练", jd, "P1", "2027-05-20", "09:00", "11:00");
        let saved: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&jd_drill), &organizer).await;
        assert!(saved.id.is_some(), "{saved:?}");

        let ga_s = ga.to_string();
        let jd_s = jd.to_string();
        let jd_plan_s = jd_plan.to_string();
        // The admin's month is drawn first and kept (`platform::memo`): what
        // is kept for one caller is never served to another.
        let month: CalendarPage = call_ok(&app, CALENDAR, &[("at", "2027-05")], &admin).await;
        assert_eq!(month.total, 2, "the admin sees both drills");
        for (who, cookie) in [("organizer", &organizer), ("assessor of 城关街道", &assessor_jd)] {
            let month: CalendarPage = call_ok(&app, CALENDAR, &[("at", "2027-05")], cookie).await;
            let titles: Vec<&str> = month.days.iter().flat_map(|d| d.items.iter().map(|i| i.title.as_str())).collect();
            assert_eq!(titles, ["地震疏散演练"], "{who}: the month");
            assert_eq!(month.total, 1, "{who}: the month's count");
            let listed: DrillsPage = call_ok(&app, DRILLS, &[], cookie).await;
            let titles: Vec<&str> = listed.drills.iter().map(|d| d.title.as_str()).collect();
            assert_eq!(titles, ["地震疏散演练"], "{who}: the drill list");
            let mut units: Vec<&str> = month.units.iter().map(|u| u.code.as_str()).collect();
            units.sort();
            assert_eq!(units, ["JD01", "JD01-V1"], "{who}: the unit filter");
            // 公安's feed is not theirs to take: 公安 is no unit of theirs.
            let r = app.call(CALENDAR, &[("at", "2027-05"), ("unit", &ga_s)], Some(cookie)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{who}: {}", r.body);
            assert!(!r.body.contains("/calendar/unit-"), "{who}: {}", r.body);
            let own: CalendarPage = call_ok(&app, CALENDAR, &[("at", "2027-05"), ("unit", &jd_s)], cookie).await;
            assert!(own.unit_feed.is_some(), "{who}");
            // Their plan's page lists the drills that exercised it that
            // they see: not 公安's.
            let page: PlanDetail = call_ok(&app, EPLAN, &[("id", &jd_plan_s)], cookie).await;
            assert!(page.drills.is_empty(), "{who}: {:?}", page.drills);
        }
        let month: CalendarPage = call_ok(&app, CALENDAR, &[("at", "2027-05")], &admin).await;
        assert_eq!(month.total, 2);
        let page: PlanDetail = call_ok(&app, EPLAN, &[("id", &jd_plan_s)], &admin).await;
        assert_eq!(page.drills.len(), 1);

        // The drill editor offers the organizer 城关's plans and units only.
        let editor: DrillEditor = call_ok(&app, DRILL_EDITOR, &[], &organizer).await;
        assert_eq!(editor.plans.iter().map(|p| p.id).collect::<Vec<_>>(), [jd_plan]);
        let mut units: Vec<&str> = editor.units.iter().map(|u| u.code.as_str()).collect();
        units.sort();
        assert_eq!(units, ["JD01", "JD01-V1"]);
        // Its picker lists 城关's people, and no one of 公安.
        let codes: Vec<&str> = editor.people.iter().map(|p| p.0.as_str()).collect();
        assert!(codes.contains(&"P1") && !codes.contains(&"P3"), "{codes:?}");
    }

    async fn a_scoped_organizer_cannot_put_people_units_plans_or_actions_of_others_into_a_drill(db: Db) {
        let app = TestApp::on(db).await;
        second_subdistrict(&app).await;
        let (jd, v, ga) = (app.district.units["JD01"], app.district.units["JD01-V1"], app.district.units["GA"]);
        let admin = app.login("admin").await;
        let organizer = app.login("organizer").await;
        let ga_plan = new_emergency_plan(&app, &admin, ga, "special", "公安分局反恐应急预案").await;
        let day = |people: &str| drill_form(PLACE, "地震疏散演练", jd, people, "2027-06-01", "09:00", "11:00");

        // P3 of 公安 by number: refused by number; no clash row, no saved
        // drill names them.
        let r = app.call(SAVE_DRILL, &pairs(&day("P1 P3")), Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("field.participants") && r.body.contains("problem.person_outside_scope") && r.body.contains("P3"), "{}", r.body);
        assert!(!r.body.contains("张伟"), "{}", r.body);
        // Ticked in the picker (a forged tick) is no different.
        let mut f = day("P1");
        f.push(("form[picked][P3]".into(), "1".into()));
        let r = app.call(SAVE_DRILL, &pairs(&f), Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("problem.person_outside_scope") && r.body.contains("P3"), "{}", r.body);
        // 公安 as a participating unit, 公安's plan as exercised.
        let mut f = day("P1");
        tick(&mut f, "units", ga);
        let r = app.call(SAVE_DRILL, &pairs(&f), Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("field.participating_units") && r.body.contains("problem.outside_scope"), "{}", r.body);
        let mut f = day("P1");
        tick(&mut f, "plans", ga_plan);
        let r = app.call(SAVE_DRILL, &pairs(&f), Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("field.plans_exercised") && r.body.contains("problem.unknown_choice"), "{}", r.body);
        assert!(!r.body.contains("反恐"), "{}", r.body);
        assert_eq!(audited(&app.state.db, "drill.save").await, 0);

        // Within reach it is saved: P7 ticked in the picker, P1 typed.
        let mut f = day("P1");
        f.push(("form[picked][P7]".into(), "1".into()));
        tick(&mut f, "units", v);
        let saved: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&f), &organizer).await;
        let id = saved.id.expect("saved").to_string();
        let d: app::model::DrillDetail = call_ok(&app, <drills_api::GetDrill as ServerFn>::PATH, &[("id", &id)], &organizer).await;
        let mut people: Vec<&str> = d.people.iter().map(|p| p.code.as_str()).collect();
        people.sort();
        assert_eq!(people, ["P1", "P7"]);
        // What a district organizer adds stays: the organizer saves the
        // drill again with 公安 and P3 on it; someone new of 公安's, no.
        let mut wider = day("P1 P7 P3");
        tick(&mut wider, "units", v);
        tick(&mut wider, "units", ga);
        wider.push(("id".into(), id.clone()));
        let saved: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&wider), &admin).await;
        assert_eq!(saved.id.map(|i| i.to_string()), Some(id.clone()));
        let saved: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&wider), &organizer).await;
        assert_eq!(saved.id.map(|i| i.to_string()), Some(id.clone()));
        let mut more = day("P1 P7 P3 P6");
        tick(&mut more, "units", v);
        tick(&mut more, "units", ga);
        more.push(("id".into(), id.clone()));
        let r = app.call(SAVE_DRILL, &pairs(&more), Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("problem.person_outside_scope") && r.body.contains("P6") && !r.body.contains("钱国栋"), "{}", r.body);

        // A corrective action is owned by a unit that took part, or one in
        // reach: not by 公安, which had no part in this one.
        let held = held_yesterday(&app, &organizer, PLACE, "防汛抢险演练", jd, "P1").await;
        let action = |owner: i64| {
            [
                ("drill_id".to_string(), held.clone()),
                ("form[description]".to_string(), "建立信息报告提醒".to_string()),
                ("form[owner_unit_id]".to_string(), owner.to_string()),
                ("form[due_on]".to_string(), "2030-01-01".to_string()),
            ]
        };
        let r = app.call(ADD_ACTION, &pairs(&action(ga)), Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("field.owner_unit") && r.body.contains("problem.outside_scope"), "{}", r.body);
        let r = app.call(ADD_ACTION, &pairs(&action(v)), Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    async fn a_scoped_organizer_keeps_no_district_course_and_lists_only_their_rotations(db: Db) {
        let app = TestApp::on(db).await;
        let jd = app.district.units["JD01"];
        let admin = app.login("admin").await;
        let organizer = app.login("organizer").await;
        let course = create(&app, &admin, SAVE_COURSE, &course_form("YJ", "early_warning", "em_staff")).await;
        let course_s = course.to_string();

        // The certifying course serves the whole district: its quiz, pass
        // mark and validity are not a subdistrict's to change, nor is a new
        // course theirs to make; the editor (holding the answers) is
        // refused too.
        let mut lax: Vec<(String, String)> = course_form("YJ", "early_warning", "em_staff")
            .into_iter()
            .map(|(k, v)| {
                let v = match k.as_str() {
                    "form[pass_percent]" => "1".to_string(),
                    "form[certify_months]" => "120".to_string(),
                    _ => v,
                };
                (k, v)
            })
            .collect();
        lax.push(("id".into(), course_s.clone()));
        assert_eq!(app.call(SAVE_COURSE, &pairs(&lax), Some(&organizer)).await.status, StatusCode::FORBIDDEN);
        let new = course_form("YJ2", "early_warning", "em_staff");
        assert_eq!(app.call(SAVE_COURSE, &pairs(&new), Some(&organizer)).await.status, StatusCode::FORBIDDEN);
        let r = app.call(COURSE_EDITOR, &[("id", &course_s)], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(!r.body.contains("30 分钟"), "{}", r.body);
        let definition: String = sqlx::query_scalar("SELECT definition FROM courses WHERE id = $1")
            .bind(course)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert!(definition.contains("\"pass_percent\":100"), "{definition}");
        assert_eq!(audited(&app.state.db, "course.update").await, 0);
        assert_eq!(audited(&app.state.db, "course.create").await, 1);
        assert_eq!(app.call(COURSE_EDITOR, &[("id", &course_s)], Some(&admin)).await.status, StatusCode::OK);

        // A district-wide rotation and one of 城关街道: the organizer lists
        // theirs only; the admin both.
        let district = create(&app, &admin, SAVE_ROTATION, &plan_form("LX", course, false, "5")).await;
        let mut own = plan_form("LXJD", course, false, "5");
        own.push(("form[unit_id]".into(), jd.to_string()));
        let own = create(&app, &organizer, SAVE_ROTATION, &own).await;
        let listed: Vec<PlanSummary> = call_ok(&app, ROTATIONS, &[], &organizer).await;
        assert_eq!(listed.iter().map(|p| p.id).collect::<Vec<_>>(), [own]);
        let listed: Vec<PlanSummary> = call_ok(&app, ROTATIONS, &[], &admin).await;
        let mut ids: Vec<i64> = listed.iter().map(|p| p.id).collect();
        ids.sort();
        assert_eq!(ids, [district, own]);
    }

    async fn unpublished_results_and_metric_values_show_a_scoped_viewer_only_their_units(db: Db) {
        let app = TestApp::on(db).await;
        let (jd, ga) = (app.district.units["JD01"], app.district.units["GA"]);
        let assessor = app.login("assessor").await;
        let r = app.call(SAVE_SCHEME, &pairs(&scheme_form()), Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let id: i64 = r.json();
        let id_s = id.to_string();
        for (unit, n, d) in [(jd, "20", "20"), (ga, "3", "4")] {
            let unit = unit.to_string();
            let r = app
                .call(SAVE_METRIC, &[("year", "2018"), ("unit_id", &unit), ("metric", "plan_coverage"), ("numerator", n), ("denominator", d), ("reason", "往年台账")], Some(&assessor))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let organizer = app.login("organizer").await;
        let assessor_jd = add_account(&app, "assessor-jd", Role::Assessor, Some(jd), None).await;
        let csv_url = format!("/assessment/schemes/{id}/results.csv");
        for (who, cookie) in [("organizer of 城关街道", &organizer), ("assessor of 城关街道", &assessor_jd)] {
            let results: Results = call_ok(&app, RESULTS, &[("id", &id_s)], cookie).await;
            assert_eq!(results.rows.iter().map(|r| r.unit_code.as_str()).collect::<Vec<_>>(), ["JD01"], "{who}: results");
            let csv = app.get(&csv_url, Some(cookie)).await;
            assert_eq!(csv.status, StatusCode::OK, "{who}");
            assert!(csv.body.contains("JD01,") && !csv.body.contains("公安分局"), "{who}: {}", csv.body);
            let table: MetricTable = call_ok(&app, METRIC_TABLE, &[("year", "2018")], cookie).await;
            assert_eq!(table.units.iter().map(|u| u.code.as_str()).collect::<Vec<_>>(), ["JD01"], "{who}: units");
            assert!(!table.values.is_empty() && table.values.iter().all(|m| m.unit_id == jd), "{who}: {:?}", table.values);
        }
        let results: Results = call_ok(&app, RESULTS, &[("id", &id_s)], &assessor).await;
        assert_eq!(results.rows.len(), 2);
        let table: MetricTable = call_ok(&app, METRIC_TABLE, &[("year", "2018")], &assessor).await;
        assert_eq!(table.values.len(), 2);

        // Published, the ranking is the district's: whoever sees the
        // assessment sees it whole. Metric values stay by reach.
        let r = app.call(PUBLISH, &[("id", &id_s), ("publish", "1"), ("reason", "两个单位未评完,先行发布")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let results: Results = call_ok(&app, RESULTS, &[("id", &id_s)], &organizer).await;
        assert_eq!(results.rows.len(), 2);
        let table: MetricTable = call_ok(&app, METRIC_TABLE, &[("year", "2018")], &organizer).await;
        assert!(table.values.iter().all(|m| m.unit_id == jd), "{:?}", table.values);
    }
}
