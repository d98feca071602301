//! Emergency plans and drills through the real router on both databases:
//! the plan lifecycle with coverage and revisions, approval by someone
//! other than the plan's author, plan documents (type checked, stored,
//! served only to those allowed, frozen at approval), drills saved over
//! clashes only with a reason, attendance, evaluation and corrective
//! actions feeding the lists and the `drills_held` metric, and the
//! calendar feeds read back with a real iCalendar parser.

use crate::common::*;
use app::areas::drills::api;
use app::areas::drills::api::{ActionsPage, CalendarPage, DrillSaved};
use app::areas::eplans::api::{self as plans_api, PlansPage};
use app::model::{DrillDetail, PlanCoverageReport, PlanDetail};
use app::platform::db::Db;
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;

const SAVE_PLAN: &str = <plans_api::SaveEmergencyPlan as ServerFn>::PATH;
const STEP: &str = <plans_api::StepEmergencyPlan as ServerFn>::PATH;
const REVISE: &str = <plans_api::ReviseEmergencyPlan as ServerFn>::PATH;
const PLAN: &str = <plans_api::GetEmergencyPlan as ServerFn>::PATH;
const PLANS: &str = <plans_api::ListEmergencyPlans as ServerFn>::PATH;
const COVERAGE: &str = <plans_api::GetPlanCoverage as ServerFn>::PATH;
const SAVE_DRILL: &str = <api::SaveDrill as ServerFn>::PATH;
const DRILL: &str = <api::GetDrill as ServerFn>::PATH;
const HOLD: &str = <api::HoldDrill as ServerFn>::PATH;
const EVALUATE: &str = <api::EvaluateDrill as ServerFn>::PATH;
const ADD_ACTION: &str = <api::AddCorrectiveAction as ServerFn>::PATH;
const CLOSE_ACTION: &str = <api::CloseCorrectiveAction as ServerFn>::PATH;
const ACTIONS: &str = <api::ListCorrectiveActions as ServerFn>::PATH;
const CALENDAR: &str = <api::GetCalendar as ServerFn>::PATH;

/// Where GA holds its drills (the command centre): one place, so drills
/// at the same hours clash.
const PLACE: &str = "区应急指挥中心";

/// A published training plan with one batch that P1 (the trainee) sits
/// in, on `start..=end`.
async fn training_batch(db: &Db, start: &str, end: &str) {
    let p1: i64 = sqlx::query_scalar("SELECT id FROM people WHERE code = 'P1'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let course: i64 = sqlx::query_scalar(
        "INSERT INTO courses (code, title, category, audience, definition, created_at, updated_at) \
         VALUES ('YJ', '预警', 'early_warning', '|em_staff|', '{}', 1, 1) RETURNING id",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let plan: i64 = sqlx::query_scalar(
        "INSERT INTO training_plans (code, name, year, course_id, positions, self_signup, published, created_at, updated_at) \
         VALUES ('LX', '应急管理人员轮训', 2027, $1, '|em_staff|', 0, 1, 1, 1) RETURNING id",
    )
    .bind(course)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let batch: i64 = sqlx::query_scalar(
        "INSERT INTO training_batches (plan_id, code, start_on, end_on, place, instructor, capacity, taken) \
         VALUES ($1, 'B1', $2, $3, '区应急办', '王老师', 10, 1) RETURNING id",
    )
    .bind(plan)
    .bind(start)
    .bind(end)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO training_seats (plan_id, batch_id, person_id, source, created_at) VALUES ($1, $2, $3, 'scheduler', 1)",
    )
    .bind(plan)
    .bind(batch)
    .bind(p1)
    .execute(&db.pool)
    .await
    .unwrap();
}

on_both_databases! {
    async fn a_plan_walks_to_filed_coverage_follows_and_a_revision_keeps_the_old_version(db: Db) {
        let app = TestApp::on(db).await;
        let (ga, jd) = (app.district.units["GA"], app.district.units["JD01"]);
        let admin = app.login("admin").await;
        let checker = district_organizer(&app, "organizer2").await;
        let cover = |r: PlanCoverageReport| (r.coverage.overall.covered, r.coverage.overall.required);

        let start: PlanCoverageReport = call_ok(&app, COVERAGE, &[], &admin).await;
        assert_eq!(cover(start.clone()), (0, 2), "a subdistrict and a department are required");
        assert_eq!(start.missing.len(), 2);

        let plan = new_emergency_plan(&app, &admin, ga, "special", "公安分局反恐应急预案").await;
        // No step is skipped and a draft cannot be filed.
        assert_eq!(step(&app, &admin, plan, "file").await, StatusCode::CONFLICT);
        file(&app, &admin, &checker, plan).await;
        let after: PlanCoverageReport = call_ok(&app, COVERAGE, &[], &admin).await;
        assert_eq!(cover(after.clone()), (1, 2));
        assert_eq!(after.missing.iter().map(|m| m.unit_code.as_str()).collect::<Vec<_>>(), ["JD01"]);
        assert_eq!(stored_metric(&app.state.db, ga, "plan_coverage").await, Some((1, 1)));
        assert_eq!(stored_metric(&app.state.db, jd, "plan_coverage").await, Some((0, 1)));

        // 修订 opens version 2 as a draft; version 1 stays in force until
        // version 2 is filed, and then is kept, superseded.
        let r = app.call(REVISE, &[("id", &plan.to_string())], Some(&admin)).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "2"));
        let d: PlanDetail = call_ok(&app, PLAN, &[("id", &plan.to_string())], &admin).await;
        assert_eq!(d.versions.len(), 2);
        assert_eq!(d.plan.in_force, Some(1));
        assert_eq!(d.versions[0].status.code(), "draft");
        let r = app.call(REVISE, &[("id", &plan.to_string())], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "a draft is not revised again");
        file(&app, &admin, &checker, plan).await;
        let d: PlanDetail = call_ok(&app, PLAN, &[("id", &plan.to_string())], &admin).await;
        assert_eq!(d.plan.in_force, Some(2));
        assert_eq!(
            d.versions.iter().map(|v| v.status.code()).collect::<Vec<_>>(),
            ["filed", "superseded"]
        );
        assert_eq!(d.versions[1].stamps.len(), 4, "drafted, approved, published, filed");
        assert_eq!(audited(&app.state.db, "emergency_plan.file").await, 2);
        assert_eq!(audited(&app.state.db, "emergency_plan.revise").await, 1);

        // The organizer scoped to 城关街道 keeps its plans, not 公安's; the
        // trainee of 城关街道 sees its plans only.
        let organizer = app.login("organizer").await;
        assert_eq!(step(&app, &organizer, plan, "approve").await, StatusCode::FORBIDDEN);
        let mine = new_emergency_plan(&app, &organizer, jd, "overall", "城关街道总体应急预案").await;
        let r = app.call(SAVE_PLAN, &[("form[unit_id]", &ga.to_string()), ("form[kind]", "overall"), ("form[title]", "越权"), ("form[revise_by]", "2030-01-01")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let trainee = app.login("trainee").await;
        let seen: PlansPage = call_ok(&app, PLANS, &[], &trainee).await;
        assert_eq!(seen.plans.iter().map(|p| p.id).collect::<Vec<_>>(), [mine]);
        assert!(!seen.may_manage);
        assert_eq!(app.call(PLAN, &[("id", &plan.to_string())], Some(&trainee)).await.status, StatusCode::FORBIDDEN);
        // A revision date already past is refused, naming the field.
        let r = app.call(SAVE_PLAN, &[("form[unit_id]", &jd.to_string()), ("form[kind]", "overall"), ("form[title]", "过期预案"), ("form[revise_by]", "2001-01-01")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field.revise_by") && r.body.contains("problem.date_past"), "{}", r.body);
    }

    async fn plan_documents_are_checked_stored_and_served_only_to_those_allowed(db: Db) {
        let app = TestApp::on(db).await;
        let ga = app.district.units["GA"];
        let admin = app.login("admin").await;
        let plan = new_emergency_plan(&app, &admin, ga, "department", "公安分局部门应急预案").await;

        let (status, to) = upload(&app, &admin, plan, "virus.exe", b"MZ\x90\x00").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(to, format!("/drills/plans/{plan}?error=problem.doc_type"));
        let (_, to) = upload(&app, &admin, plan, "fake.pdf", b"<html><script>alert(1)</script>").await;
        assert!(to.contains("error=problem.doc_content"), "{to}");
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plan_documents").fetch_one(&app.state.db.pool).await.unwrap();
        assert_eq!(stored, 0, "nothing is kept from a refused file");

        let pdf = b"%PDF-1.7\n% \xe5\xba\x94\xe6\x80\xa5\n1 0 obj\nendobj\n%%EOF";
        let (_, to) = upload(&app, &admin, plan, "C:\\fakepath\\公安;预案.pdf", pdf).await;
        assert_eq!(to, format!("/drills/plans/{plan}"));
        let d: PlanDetail = call_ok(&app, PLAN, &[("id", &plan.to_string())], &admin).await;
        let doc = d.versions[0].document.clone().expect("a document");
        assert_eq!((doc.file_name.as_str(), doc.size), ("公安预案.pdf", pdf.len() as i64));
        assert_eq!(audited(&app.state.db, "emergency_plan.document").await, 1);

        let url = format!("/drills/documents/{}", d.versions[0].id);
        let got = app.get(&url, Some(&admin)).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.headers["content-type"], "application/pdf");
        assert!(got.headers["content-disposition"].to_str().unwrap().starts_with("attachment;"));
        assert_eq!(got.body.as_bytes(), String::from_utf8_lossy(pdf).as_bytes());
        assert_eq!(app.get(&url, None).await.status, StatusCode::UNAUTHORIZED);
        let trainee = app.login("trainee").await;
        assert_eq!(app.get(&url, Some(&trainee)).await.status, StatusCode::FORBIDDEN, "the trainee's unit is not 公安");
        let organizer = app.login("organizer").await;
        let (status, _) = upload(&app, &organizer, plan, "a.pdf", pdf).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // An approved, then published, version keeps its document.
        let checker = district_organizer(&app, "organizer2").await;
        assert_eq!(step(&app, &checker, plan, "approve").await, StatusCode::OK);
        let (_, to) = upload(&app, &admin, plan, "b.pdf", pdf).await;
        assert!(to.contains("error=problem.plan_document_fixed"), "{to}");
        assert_eq!(step(&app, &admin, plan, "publish").await, StatusCode::OK);
        let (_, to) = upload(&app, &admin, plan, "b.pdf", pdf).await;
        assert!(to.contains("error=problem.plan_document_fixed"), "{to}");
        assert_eq!(audited(&app.state.db, "emergency_plan.document").await, 1);
    }

    async fn the_author_of_a_plan_cannot_approve_it_and_its_document_is_frozen_at_approval(db: Db) {
        let app = TestApp::on(db).await;
        let jd = app.district.units["JD01"];
        let admin = app.login("admin").await;
        let checker = district_organizer(&app, "organizer2").await;
        let organizer = app.login("organizer").await;
        let plan = new_emergency_plan(&app, &admin, jd, "overall", "城关街道总体应急预案").await;
        let id = plan.to_string();

        // Without its document nobody approves it.
        let r = app.call(STEP, &[("id", &id), ("step", "approve")], Some(&checker)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("problem.plan_needs_document"), "{}", r.body);

        // The drafter, with the document uploaded, approves their own plan:
        // refused, and it stays a draft.
        let (_, to) = upload(&app, &admin, plan, "城关预案.pdf", PDF).await;
        assert_eq!(to, format!("/drills/plans/{plan}"));
        assert_eq!(step(&app, &admin, plan, "approve").await, StatusCode::FORBIDDEN);
        let d: PlanDetail = call_ok(&app, PLAN, &[("id", &id)], &admin).await;
        assert!(d.own_draft);
        assert_eq!(d.versions[0].status.code(), "draft");

        // Whoever changed the draft wrote it too.
        let r = app.call(SAVE_PLAN, &[("id", &id), ("form[unit_id]", &jd.to_string()), ("form[kind]", "overall"),
            ("form[title]", "城关街道突发事件总体应急预案"), ("form[revise_by]", "2030-12-31"), ("form[summary]", "分级响应")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(step(&app, &organizer, plan, "approve").await, StatusCode::FORBIDDEN);
        // and stays an author when the drafter edits after them.
        let r = app.call(SAVE_PLAN, &[("id", &id), ("form[unit_id]", &jd.to_string()), ("form[kind]", "overall"),
            ("form[title]", "城关街道突发事件总体应急预案(修改)"), ("form[revise_by]", "2030-12-31"), ("form[summary]", "分级响应")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(step(&app, &organizer, plan, "approve").await, StatusCode::FORBIDDEN);
        let d: PlanDetail = call_ok(&app, PLAN, &[("id", &id)], &checker).await;
        assert!(!d.own_draft);
        assert_eq!(step(&app, &checker, plan, "approve").await, StatusCode::OK);

        // Once approved, nobody swaps the document, the approver neither.
        let swapped = b"%PDF-1.7\nsomething else entirely\n%%EOF";
        for who in [&admin, &checker, &organizer] {
            let (_, to) = upload(&app, who, plan, "换过的预案.pdf", swapped).await;
            assert!(to.contains("error=problem.plan_document_fixed"), "{to}");
        }
        let d: PlanDetail = call_ok(&app, PLAN, &[("id", &id)], &admin).await;
        assert_eq!(d.versions[0].status.code(), "approved");
        assert_eq!(d.versions[0].document.as_ref().map(|doc| doc.file_name.as_str()), Some("城关预案.pdf"));
        let got = app.get(&format!("/drills/documents/{}", d.versions[0].id), Some(&admin)).await;
        assert_eq!(got.bytes, PDF, "the approved document is the one served");
        assert_eq!(audited(&app.state.db, "emergency_plan.document").await, 1);

        // Returned to draft, it takes a new document, and a new approval by
        // someone who did not write it.
        assert_eq!(step(&app, &admin, plan, "return").await, StatusCode::OK);
        let (_, to) = upload(&app, &admin, plan, "城关预案-修改.pdf", swapped).await;
        assert_eq!(to, format!("/drills/plans/{plan}"));
        assert_eq!(step(&app, &admin, plan, "approve").await, StatusCode::FORBIDDEN);
        assert_eq!(step(&app, &checker, plan, "approve").await, StatusCode::OK);
        for s in ["publish", "file"] {
            assert_eq!(step(&app, &admin, plan, s).await, StatusCode::OK, "{s}");
        }
        let d: PlanDetail = call_ok(&app, PLAN, &[("id", &id)], &admin).await;
        let approved = d.versions[0].stamps.iter().find(|(s, ..)| s.code() == "approved").map(|(_, by, _)| by.as_str());
        assert_eq!(approved, Some("organizer2"));
        assert_eq!(audited(&app.state.db, "emergency_plan.approve").await, 2);
    }

    async fn a_published_plan_without_its_document_is_not_filed(db: Db) {
        let app = TestApp::on(db).await;
        let ga = app.district.units["GA"];
        let admin = app.login("admin").await;
        let checker = district_organizer(&app, "organizer2").await;
        let plan = new_emergency_plan(&app, &admin, ga, "special", "公安分局反恐应急预案").await;
        let (_, to) = upload(&app, &admin, plan, "预案.pdf", PDF).await;
        assert_eq!(to, format!("/drills/plans/{plan}"));
        assert_eq!(step(&app, &checker, plan, "approve").await, StatusCode::OK);
        assert_eq!(step(&app, &admin, plan, "publish").await, StatusCode::OK);
        // A version published before documents were required has none.
        sqlx::query("DELETE FROM plan_documents").execute(&app.state.db.pool).await.unwrap();
        let r = app.call(STEP, &[("id", &plan.to_string()), ("step", "file")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("problem.plan_needs_document"), "{}", r.body);
        let d: PlanDetail = call_ok(&app, PLAN, &[("id", &plan.to_string())], &admin).await;
        assert_eq!((d.versions[0].status.code(), d.plan.in_force), ("published", None));
        assert_eq!(audited(&app.state.db, "emergency_plan.file").await, 0);
    }

    async fn the_clash_check_names_no_drill_the_caller_may_not_see(db: Db) {
        let app = TestApp::on(db).await;
        let (ga, jd) = (app.district.units["GA"], app.district.units["JD01"]);
        let admin = app.login("admin").await;
        let theirs = drill_form(PLACE, "公安内部反恐演练", ga, "", "2027-06-02", "09:00", "11:00");
        let saved: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&theirs), &admin).await;
        assert!(saved.id.is_some(), "{saved:?}");
        // A subdistrict organizer probing the command centre's bookings.
        let organizer = app.login("organizer").await;
        let probe = drill_form(PLACE, "探测", jd, "", "2027-06-02", "08:00", "18:00");
        let r: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&probe), &organizer).await;
        assert_eq!(r.id, None);
        assert_eq!(r.clashes.len(), 1, "{r:?}");
        let c = &r.clashes[0];
        assert!(c.masked && c.with.is_empty() && c.link.is_empty(), "{c:?}");
        assert!(!serde_json::to_string(&r).unwrap().contains("公安内部反恐演练"));
        // The district's admin sees what it clashes with.
        let r: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&probe), &admin).await;
        assert_eq!(r.clashes[0].with, "公安内部反恐演练");
        assert!(!r.clashes[0].masked);
    }

    async fn a_drill_shows_its_clashes_and_is_saved_over_them_only_with_a_reason(db: Db) {
        let app = TestApp::on(db).await;
        let ga = app.district.units["GA"];
        training_batch(&app.state.db, "2027-05-10", "2027-05-12").await;
        let admin = app.login("admin").await;

        let first = drill_form(PLACE, "反恐处置演练", ga, "P3", "2027-05-12", "09:00", "11:00");
        let saved: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&first), &admin).await;
        assert!(saved.id.is_some() && saved.clashes.is_empty(), "{saved:?}");

        // Same place, overlapping hours, 公安 again (as a participant) and
        // the trainee who is away in training that day.
        let mut second = drill_form(PLACE, "地震疏散演练", app.district.units["JD01"], "P1", "2027-05-12", "10:30", "12:00");
        second.push((format!("form[units][{ga}]"), "on".into()));
        let r: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&second), &admin).await;
        assert_eq!(r.id, None, "not saved while the clashes have no reason");
        let kinds: Vec<(&str, &str, &str)> = r
            .clashes
            .iter()
            .map(|c| (c.kind_key.as_str(), c.subject.as_str(), c.with.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("clash.place", "区应急指挥中心", "反恐处置演练"),
                ("clash.unit", "公安分局", "反恐处置演练"),
                ("clash.training", "王建国", "应急管理人员轮训 · B1"),
            ]
        );
        assert_eq!(audited(&app.state.db, "drill.save").await, 1);

        second.push(("clash_reason".into(), "上级统一安排,培训班当天下午补课".into()));
        let r: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&second), &admin).await;
        let id = r.id.expect("saved with a reason");
        let d: DrillDetail = call_ok(&app, DRILL, &[("id", &id.to_string())], &admin).await;
        assert_eq!(d.clash_reason.as_deref(), Some("上级统一安排,培训班当天下午补课"));
        assert_eq!(d.clashes.len(), 3);
        assert_eq!(d.units.len(), 2);

        // The next day nothing clashes; an unknown person is named.
        let third = drill_form(PLACE, "次日演练", ga, "P1 P3", "2027-05-13", "09:00", "10:00");
        let r: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&third), &admin).await;
        assert!(r.id.is_some() && r.clashes.is_empty(), "{r:?}");
        let fourth = drill_form(PLACE, "查无此人", ga, "P1 NOBODY", "2027-06-01", "09:00", "10:00");
        let r = app.call(SAVE_DRILL, &pairs(&fourth), Some(&admin)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field.participants") && r.body.contains("NOBODY"), "{}", r.body);
        // A drill day keeps the trainee out of training batches too.
        let mut c = app.state.db.pool.acquire().await.unwrap();
        let p1: i64 = sqlx::query_scalar("SELECT id FROM people WHERE code = 'P1'").fetch_one(&mut *c).await.unwrap();
        let busy = app::areas::training::store::targets::busy_days(&mut c, 0, Some(p1)).await.unwrap();
        let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert!(busy[&p1].contains(&(day("2027-05-13"), day("2027-05-13"))), "{:?}", busy[&p1]);
        // The scoped organizer cannot organize for 公安.
        let organizer = app.login("organizer").await;
        let r = app.call(SAVE_DRILL, &pairs(&drill_form(PLACE, "越权", ga, "", "2027-07-01", "09:00", "10:00")), Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }

    async fn after_a_drill_its_evaluation_and_actions_reach_the_lists_and_drills_held_the_metric(db: Db) {
        let app = TestApp::on(db).await;
        let (ga, jd) = (app.district.units["GA"], app.district.units["JD01"]);
        let admin = app.login("admin").await;
        let today = local_today(&app);
        let yesterday = (today - chrono::Duration::days(1)).to_string();
        let mut form = drill_form(PLACE, "防汛抢险演练", ga, "P1 P3", &yesterday, "00:10", "00:50");
        form.push((format!("form[units][{jd}]"), "on".into()));
        let saved: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&form), &admin).await;
        let id = saved.id.unwrap().to_string();
        let later = drill_form(PLACE, "明年演练", ga, "", "2030-05-12", "09:00", "10:00");
        let later: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&later), &admin).await;
        let r = app.call(HOLD, &[("id", &later.id.unwrap().to_string())], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "not before it starts");
        assert!(r.body.contains("problem.drill_not_started"), "{}", r.body);

        let d: DrillDetail = call_ok(&app, DRILL, &[("id", &id)], &admin).await;
        let p3 = d.people.iter().find(|p| p.code == "P3").unwrap().person_id.to_string();
        let r = app.call(EVALUATE, &[("id", &id), ("rows[0][rating]", "good"), ("rows[0][findings]", "x"), ("rows[1][rating]", "good"), ("rows[1][findings]", "y")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "not evaluated before it is held");
        let r = app.call(HOLD, &[("id", &id), (&format!("attended[{p3}]"), "on")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let d: DrillDetail = call_ok(&app, DRILL, &[("id", &id)], &admin).await;
        assert_eq!(d.summary.status.code(), "held");
        assert_eq!(d.people.iter().filter(|p| p.attended).map(|p| p.code.as_str()).collect::<Vec<_>>(), ["P3"]);
        // Both units took part in one drill this year, of the two required.
        assert_eq!(stored_metric(&app.state.db, ga, "drills_held").await, Some((1, 2)));
        assert_eq!(stored_metric(&app.state.db, jd, "drills_held").await, Some((1, 2)));

        let r = app.call(EVALUATE, &[("id", &id), ("rows[0][rating]", "excellent"), ("rows[1][rating]", "")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field.objective_row:2:field.rating"), "{}", r.body);
        let r = app.call(EVALUATE, &[("id", &id), ("rows[0][rating]", "excellent"), ("rows[1][rating]", "poor"), ("rows[1][findings]", "信息报告迟了 20 分钟")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        let overdue = (today - chrono::Duration::days(3)).to_string();
        let r = app.call(ADD_ACTION, &[("drill_id", &id), ("form[description]", "建立信息报告提醒"), ("form[owner_unit_id]", &jd.to_string()), ("form[due_on]", &overdue)], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let action = r.body.clone();
        let d: DrillDetail = call_ok(&app, DRILL, &[("id", &id)], &admin).await;
        assert_eq!(d.summary.status.code(), "evaluated");
        assert_eq!(d.evaluation.len(), 2);
        assert!(d.actions[0].overdue);

        // The owner unit's organizer sees it overdue and may close it; the
        // trainee of that unit sees it and may not.
        let organizer = app.login("organizer").await;
        let list: ActionsPage = call_ok(&app, ACTIONS, &[], &organizer).await;
        assert_eq!((list.actions.len(), list.actions[0].overdue), (1, true));
        assert_eq!(list.closable, [action.parse::<i64>().unwrap()]);
        let trainee = app.login("trainee").await;
        let seen: ActionsPage = call_ok(&app, ACTIONS, &[], &trainee).await;
        assert_eq!((seen.actions.len(), seen.closable.len()), (1, 0));
        let r = app.call(CLOSE_ACTION, &[("id", &action), ("note", "已上线提醒")], Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.call(CLOSE_ACTION, &[("id", &action), ("note", "已上线提醒")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let list: ActionsPage = call_ok(&app, ACTIONS, &[], &organizer).await;
        assert!(!list.actions[0].overdue && list.actions[0].closed_at.is_some());
        let r = app.call(CLOSE_ACTION, &[("id", &action), ("note", "再次")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        for a in ["drill.hold", "drill.evaluate", "corrective_action.add", "corrective_action.close"] {
            assert_eq!(audited(&app.state.db, a).await, 1, "{a}");
        }
    }

    async fn attendance_names_the_drills_own_people_by_number_or_is_refused(db: Db) {
        let app = TestApp::on(db).await;
        let ga = app.district.units["GA"];
        let admin = app.login("admin").await;
        let yesterday = (local_today(&app) - chrono::Duration::days(1)).to_string();
        let form = drill_form(PLACE, "点名演练", ga, "P3", &yesterday, "00:10", "00:50");
        let saved: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&form), &admin).await;
        let id = saved.id.expect("saved").to_string();
        let person = |code: &'static str| {
            let pool = app.state.db.pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>("SELECT id FROM people WHERE code = $1")
                    .bind(code)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
                    .to_string()
            }
        };
        let (p1, p3) = (person("P1").await, person("P3").await);

        // A box that names no person id, and a person who is not in the
        // drill, are refused; neither is dropped while the rest is saved.
        let r = app.call(HOLD, &[("id", &id), ("attended[P3]", "on")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("field.attended") && r.body.contains("problem.not_a_number"), "{}", r.body);
        let r = app.call(HOLD, &[("id", &id), (&format!("attended[{p3}]"), "on"), (&format!("attended[{p1}]"), "on")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("field.attended") && r.body.contains(&p1), "{}", r.body);
        let d: DrillDetail = call_ok(&app, DRILL, &[("id", &id)], &admin).await;
        assert_eq!(d.summary.status.code(), "planned");
        assert_eq!(audited(&app.state.db, "drill.hold").await, 0);

        let r = app.call(HOLD, &[("id", &id), (&format!("attended[{p3}]"), "on")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let d: DrillDetail = call_ok(&app, DRILL, &[("id", &id)], &admin).await;
        assert_eq!(d.people.iter().filter(|p| p.attended).map(|p| p.code.as_str()).collect::<Vec<_>>(), ["P3"]);
    }

    async fn a_stored_value_that_does_not_read_is_an_error_never_a_default(db: Db) {
        let app = TestApp::on(db).await;
        let ga = app.district.units["GA"];
        let admin = app.login("admin").await;
        let checker = district_organizer(&app, "organizer2").await;
        let plan = new_emergency_plan(&app, &admin, ga, "special", "公安分局反恐应急预案").await;
        file(&app, &admin, &checker, plan).await;
        let yesterday = (local_today(&app) - chrono::Duration::days(1)).to_string();
        let mut form = drill_form(PLACE, "反恐演练", ga, "P3", &yesterday, "00:10", "00:50");
        form.push((format!("form[plans][{plan}]"), "on".into()));
        let saved: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&form), &admin).await;
        let drill = saved.id.expect("saved");
        let id = drill.to_string();
        let r = app.call(HOLD, &[("id", &id)], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let month = &yesterday[..7];
        let status = |path: &'static str, args: Vec<(&'static str, String)>| {
            let (app, admin) = (&app, &admin);
            async move {
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.call(path, &args, Some(admin)).await.status
            }
        };
        let set = |sql: &'static str| {
            let pool = app.state.db.pool.clone();
            async move {
                sqlx::query(sql).bind(drill).execute(&pool).await.unwrap();
            }
        };
        let seen = || async {
            let plans: PlansPage = call_ok(&app, PLANS, &[], &admin).await;
            assert_eq!(plans.plans[0].last_drilled, Some(yesterday.parse().unwrap()));
            assert_eq!(status(DRILL, vec![("id", id.clone())]).await, StatusCode::OK);
            assert_eq!(status(CALENDAR, vec![("at", month.to_string())]).await, StatusCode::OK);
        };
        seen().await;

        // A held drill's end that is no instant: the plan is not shown as
        // never drilled.
        set("UPDATE drills SET end_at = 9000000000000000000 WHERE id = $1").await;
        assert_eq!(status(PLANS, vec![]).await, StatusCode::INTERNAL_SERVER_ERROR);
        set("UPDATE drills SET end_at = start_at + 2400 WHERE id = $1").await;
        // Unreadable clashes it was saved over: not shown as none.
        set("UPDATE drills SET clashes = 'not json' WHERE id = $1").await;
        assert_eq!(status(DRILL, vec![("id", id.clone())]).await, StatusCode::INTERNAL_SERVER_ERROR);
        set("UPDATE drills SET clashes = NULL WHERE id = $1").await;
        // An unknown scenario: the calendar does not show it without one.
        set("UPDATE drills SET scenario = 'meteor' WHERE id = $1").await;
        assert_eq!(status(CALENDAR, vec![("at", month.to_string())]).await, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(status(DRILL, vec![("id", id.clone())]).await, StatusCode::INTERNAL_SERVER_ERROR);
        set("UPDATE drills SET scenario = 'earthquake' WHERE id = $1").await;
        // Held by someone at no time: not shown as not held.
        set("UPDATE drills SET held_at = NULL WHERE id = $1").await;
        assert_eq!(status(DRILL, vec![("id", id.clone())]).await, StatusCode::INTERNAL_SERVER_ERROR);
        set("UPDATE drills SET held_at = start_at WHERE id = $1").await;
        seen().await;

        // An author of a draft that is no account id: the two-person check
        // fails instead of forgetting that author.
        let draft = new_emergency_plan(&app, &admin, ga, "department", "公安分局部门应急预案").await;
        let (_, to) = upload(&app, &admin, draft, "预案.pdf", PDF).await;
        assert_eq!(to, format!("/drills/plans/{draft}"));
        sqlx::query("UPDATE plan_versions SET edited_by_ids = '|someone|' WHERE plan_id = $1")
            .bind(draft).execute(&app.state.db.pool).await.unwrap();
        let r = app.call(STEP, &[("id", &draft.to_string()), ("step", "approve")], Some(&checker)).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
        let status: String = sqlx::query_scalar("SELECT status FROM plan_versions WHERE plan_id = $1")
            .bind(draft).fetch_one(&app.state.db.pool).await.unwrap();
        assert_eq!(status, "draft");
        assert_eq!(audited(&app.state.db, "emergency_plan.approve").await, 1, "the first plan's only");
    }

    async fn the_calendar_and_its_feeds_read_back_as_icalendar(db: Db) {
        let app = TestApp::on(db).await;
        let ga = app.district.units["GA"];
        training_batch(&app.state.db, "2027-05-10", "2027-05-12").await;
        let admin = app.login("admin").await;
        let form = drill_form(PLACE, "地震应急演练; 第一场, 全区", ga, "P1", "2027-05-12", "14:00", "16:30");
        let r: DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&form), &admin).await;
        let r = if r.id.is_none() {
            let mut f = form.clone();
            f.push(("clash_reason".into(), "培训结束后进行".into()));
            call_ok::<DrillSaved>(&app, SAVE_DRILL, &pairs(&f), &admin).await
        } else {
            r
        };
        assert!(r.id.is_some());

        let month: CalendarPage = call_ok(&app, CALENDAR, &[("at", "2027-05")], &admin).await;
        assert_eq!((month.days.len(), month.total), (31, 2));
        let d12 = &month.days[11];
        assert_eq!(d12.observance.as_deref(), Some("observance.disaster_reduction_day"));
        assert_eq!(d12.items.len(), 2, "the drill and the training batch");
        assert_eq!(month.days[9].items.len(), 1, "the batch alone on the 10th");
        let quakes: CalendarPage = call_ok(&app, CALENDAR, &[("at", "2027-05"), ("scenario", "earthquake")], &admin).await;
        assert_eq!(quakes.total, 1, "a scenario filter leaves training out");
        let week: CalendarPage = call_ok(&app, CALENDAR, &[("at", "2027-05-12"), ("unit", &ga.to_string())], &admin).await;
        assert!(week.week);
        assert_eq!(week.days[0].day.to_string(), "2027-05-10");
        assert_eq!(week.days.iter().map(|d| d.items.len()).sum::<usize>(), 1, "公安's drill, not 城关's batch");
        let r = app.call(CALENDAR, &[("at", "2027-13")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        let unit_feed = week.unit_feed.expect("a unit feed address");
        let feed = app.get(path_of(&unit_feed), None).await;
        assert_eq!(feed.status, StatusCode::OK);
        assert!(feed.headers["content-type"].to_str().unwrap().starts_with("text/calendar"));
        let events = parse(&feed.body);
        assert_eq!(events.len(), 1);
        assert_eq!(prop(&events[0], "DTSTART"), "20270512T060000Z");
        assert_eq!(prop(&events[0], "DTEND"), "20270512T083000Z");
        assert_eq!(prop(&events[0], "SUMMARY"), "地震应急演练\\; 第一场\\, 全区");

        // The trainee's own feed has the batch (all day) and the drill.
        let trainee = app.login("trainee").await;
        let mine: app::model::MyTraining = call_ok(&app, <app::areas::training::api::GetMyTraining as ServerFn>::PATH, &[], &trainee).await;
        let events = parse(&app.get(path_of(&mine.calendar_url), None).await.body);
        let mut starts: Vec<String> = events.iter().map(|e| prop(e, "DTSTART")).collect();
        starts.sort();
        assert_eq!(starts, ["20270510", "20270512T060000Z"]);
        assert_eq!(app.get("/calendar/unit-nothing.ics", None).await.status, StatusCode::NOT_FOUND);
    }
}

/// Events of a feed, read by the `ical` crate (which also unfolds lines).
fn parse(text: &str) -> Vec<ical::parser::ical::component::IcalEvent> {
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let cal = calendars
        .next()
        .expect("one calendar")
        .expect("a valid calendar");
    assert!(calendars.next().is_none());
    cal.events
}

fn prop(e: &ical::parser::ical::component::IcalEvent, name: &str) -> String {
    e.properties
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.clone())
        .unwrap_or_default()
}
