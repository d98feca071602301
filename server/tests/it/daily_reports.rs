//! Daily and zero reports (日报告/零报告) through the real router on both
//! databases: the office's rule, a unit's report filed once, the days
//! settled after their deadline into one miss and one `missed_zero_report`
//! event each (run twice, still one), a late report, the office's
//! reminders and excuses; scopes and bad input refused with nothing
//! changed.

use crate::common::*;
use app::areas::duty::api;
use app::areas::duty::dto::{MissDetail, ReportsPage};
use app::areas::duty::service::daily::settle;
use app::domain::account::Role;
use app::domain::daily_report::ReportState;
use app::platform::db::Db;
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;

const PAGE: &str = <api::GetDailyReports as ServerFn>::PATH;
const FILE: &str = <api::FileDailyReport as ServerFn>::PATH;
const RULES: &str = <api::SaveDailyReportRules as ServerFn>::PATH;
const REMIND: &str = <api::RemindDailyReport as ServerFn>::PATH;
const MISS: &str = <api::GetDailyReportMiss as ServerFn>::PATH;
const EXCUSE: &str = <api::ExcuseDailyReportMiss as ServerFn>::PATH;

/// Moves the app's clock to `hour`:00 of the district's day `days` after
/// the clock's today; that instant.
fn set_clock(app: &TestApp, days: i64, hour: i64) -> i64 {
    let day = local_today(app) + chrono::Duration::days(days);
    let at = app::domain::local_day_start(day) + hour * 3600;
    app.state.clock.advance(at - app.state.clock.now_secs());
    at
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&db.pool).await.unwrap()
}

on_both_databases! {
    async fn a_report_is_filed_once_and_a_missed_deadline_becomes_one_event(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd = app.district.units["JD01"];
        // The clock first: a session idle for two hours of it ends.
        set_clock(&app, 0, 10);
        let assessor = app.login("assessor").await;
        let organizer = app.login("organizer").await;
        let trainee = app.login("trainee").await;

        // No rule yet: nothing is due, filing is refused, named.
        let p: ReportsPage = call_ok(&app, PAGE, &[], &trainee).await;
        assert!(p.rules.is_none() && p.mine.is_none());
        let r = app.call(FILE, &[("kind", "zero")], Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("problem.report_no_rules"), "{}", r.body);

        // The rule is the office's: an organizer may not set it; a bad
        // time or kind names its field and keeps nothing.
        let r = app.call(RULES, &[("deadline", "16:00"), ("kinds[0]", "subdistrict")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        for (deadline, kind, field) in [("25:00", "subdistrict", "field.report_deadline"), ("16:00", "planet", "field.kinds"), ("", "subdistrict", "field.report_deadline")] {
            let r = app.call(RULES, &[("deadline", deadline), ("kinds[0]", kind)], Some(&assessor)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{deadline} {kind}: {}", r.body);
            assert!(r.body.contains(field), "{}", r.body);
        }
        assert_eq!(count(db, "SELECT COUNT(*) FROM daily_report_rules").await, 0);
        let r = app.call(RULES, &[("deadline", "16:00"), ("kinds[0]", "subdistrict")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(audited(db, "daily_report_rules.save").await, 1);

        // The trainee's unit (城关街道) reports; bad counts name the field.
        let p: ReportsPage = call_ok(&app, PAGE, &[], &trainee).await;
        assert_eq!(p.mine, Some(("城关街道".to_string(), None)));
        let bad = app.call(FILE, &[("kind", "summary"), ("incidents", "-1"), ("injured", "0"), ("dead", "0"), ("summary", "火情")], Some(&trainee)).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains("field.incidents"), "{}", bad.body);
        let bad = app.call(FILE, &[("kind", "summary"), ("incidents", "99999999999999999999"), ("injured", "0"), ("dead", "0"), ("summary", "火情")], Some(&trainee)).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert_eq!(count(db, "SELECT COUNT(*) FROM daily_reports").await, 0);
        let r = app.call(FILE, &[("kind", "zero")], Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let again = app.call(FILE, &[("kind", "zero")], Some(&trainee)).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        assert!(again.body.contains("problem.report_exists"), "{}", again.body);
        assert_eq!(count(db, "SELECT COUNT(*) FROM daily_reports").await, 1);

        // Someone of a department (not asked to report) may not file.
        let worker = add_account(&app, "worker1", Role::Trainee, None, Some("P3")).await;
        let r = app.call(FILE, &[("kind", "zero")], Some(&worker)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

        // The office's board: 城关街道 on time; the department not listed.
        let p: ReportsPage = call_ok(&app, PAGE, &[], &assessor).await;
        assert_eq!(p.board.len(), 1, "{:?}", p.board);
        assert_eq!((p.board[0].unit_id, p.board[0].state), (jd, ReportState::OnTime));

        // Tomorrow morning: today settles without a miss.
        let morning = set_clock(&app, 1, 10);
        assert_eq!(settle(db, morning).await.unwrap(), 0);
        // At the deadline a report may still be committing: a minute's grace.
        let deadline = set_clock(&app, 0, 16);
        assert_eq!(settle(db, deadline + 30).await.unwrap(), 0);
        // Tomorrow after 16:00 nobody has filed: one miss, one event whose
        // source is the miss, however often the timer runs.
        let evening = set_clock(&app, 0, 17);
        assert_eq!(settle(db, evening).await.unwrap(), 1);
        // (A day later, the sessions have run out.)
        let (trainee, assessor) = (app.login("trainee").await, app.login("assessor").await);
        assert_eq!(settle(db, evening).await.unwrap(), 0);
        assert_eq!(settle(db, evening + 60).await.unwrap(), 0);
        let miss: i64 = count(db, "SELECT id FROM daily_report_misses").await;
        assert_eq!(count(db, "SELECT COUNT(*) FROM daily_report_misses").await, 1);
        let (event, unit, source): (String, i64, String) = sqlx::query_as("SELECT event, unit_id, source FROM assessment_events")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!((event.as_str(), unit), ("missed_zero_report", jd));
        assert_eq!(source, format!("report_miss:{miss}"));

        // Filed late, the miss reads late; the event stays.
        let r = app.call(FILE, &[("kind", "summary"), ("incidents", "1"), ("injured", "0"), ("dead", "0"), ("summary", "民房起火,已扑灭")], Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let d: MissDetail = call_ok(&app, MISS, &[("id", &miss.to_string())], &trainee).await;
        assert!(d.miss.late && d.miss.event_id.is_some() && d.report.is_some() && !d.may_excuse, "{d:?}");
        let p: ReportsPage = call_ok(&app, PAGE, &[], &assessor).await;
        assert_eq!(p.board[0].state, ReportState::Late);
        assert_eq!(p.misses.len(), 1);
        assert_eq!(p.may_excuse, vec![miss]);
    }

    async fn the_office_reminds_and_excuses_within_its_scope_and_only_once(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd = app.district.units["JD01"];
        let jd2 = next_subdistrict(db).await;
        set_clock(&app, 0, 10);
        let assessor = app.login("assessor").await;
        let organizer = app.login("organizer").await;
        let next_door = add_account(&app, "assessor_jd02", Role::Assessor, Some(jd2), None).await;
        let r = app.call(RULES, &[("deadline", "16:00"), ("kinds[0]", "subdistrict")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // A scoped assessor may not set the district's rule.
        let r = app.call(RULES, &[("deadline", "09:00"), ("kinds[0]", "subdistrict")], Some(&next_door)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // Reminders: not an organizer's; the next subdistrict's assessor
        // may not remind 城关街道; the office reminds both, and 城关街道's
        // duty people are told.
        assert_eq!(app.call(REMIND, &[("unit", "")], Some(&organizer)).await.status, StatusCode::FORBIDDEN);
        let r = app.call(REMIND, &[("unit", &jd.to_string())], Some(&next_door)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let bad = app.call(REMIND, &[("unit", "JD01'")], Some(&assessor)).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        let n: usize = call_ok(&app, REMIND, &[("unit", &jd2.to_string())], &next_door).await;
        assert_eq!(n, 1);
        assert_eq!(count(db, "SELECT COUNT(*) FROM notifications WHERE message_key = 'notice.daily_report_due'").await, 0, "新城街道 has no one on duty to tell");
        // The office reminds everyone: 新城街道, reminded a moment ago, is
        // left out; asked for by itself, the answer says when it was.
        let n: usize = call_ok(&app, REMIND, &[], &assessor).await;
        assert_eq!(n, 1);
        assert_eq!(count(db, "SELECT COUNT(*) FROM notifications WHERE message_key = 'notice.daily_report_due'").await, 1);
        let r = app.call(REMIND, &[("unit", &jd.to_string())], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("problem.reminded_recently") && r.body.contains("10:00"), "{}", r.body);
        assert_eq!(call_ok::<usize>(&app, REMIND, &[], &assessor).await, 0);
        // Half an hour later, both again; 城关街道's people told twice.
        app.state.clock.advance(30 * 60);
        assert_eq!(call_ok::<usize>(&app, REMIND, &[], &assessor).await, 2);
        assert_eq!(count(db, "SELECT COUNT(*) FROM notifications WHERE message_key = 'notice.daily_report_due'").await, 2);
        let p: ReportsPage = call_ok(&app, PAGE, &[], &assessor).await;
        assert!(p.board.iter().all(|l| l.reminded_at.is_some() && l.state == ReportState::Open), "{:?}", p.board);
        // The next subdistrict's assessor sees only their own.
        let p: ReportsPage = call_ok(&app, PAGE, &[], &next_door).await;
        assert_eq!(p.board.iter().map(|l| l.unit_id).collect::<Vec<_>>(), vec![jd2]);

        // Nobody files: both are missed after 16:00.
        let evening = set_clock(&app, 0, 17);
        assert_eq!(settle(db, evening).await.unwrap(), 2);
        let (assessor, organizer, trainee, next_door) = (
            app.login("assessor").await,
            app.login("organizer").await,
            app.login("trainee").await,
            app.login("assessor_jd02").await,
        );
        let miss: i64 = sqlx::query_scalar("SELECT id FROM daily_report_misses WHERE unit_id = $1")
            .bind(jd)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        let m = miss.to_string();
        // The next subdistrict sees neither the miss nor may excuse it; nor
        // may the trainee or an organizer.
        assert_eq!(app.call(MISS, &[("id", &m)], Some(&next_door)).await.status, StatusCode::FORBIDDEN);
        let p: ReportsPage = call_ok(&app, PAGE, &[], &next_door).await;
        assert!(p.misses.iter().all(|x| x.unit_id == jd2), "{:?}", p.misses);
        for who in [&next_door, &trainee, &organizer] {
            let r = app.call(EXCUSE, &[("id", &m), ("reason", "地震演练,全员在外")], Some(who)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        }
        // A reason is required; the event stays.
        let r = app.call(EXCUSE, &[("id", &m), ("reason", " ")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field.reason"), "{}", r.body);
        assert_eq!(count(db, "SELECT COUNT(*) FROM assessment_events").await, 2);

        // Excused: 城关街道's event is withdrawn, the change log names the
        // missed day; a second excuse is refused.
        let r = app.call(EXCUSE, &[("id", &m), ("reason", "<script>alert(1)</script> 停电断网")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let left: Vec<i64> = sqlx::query_scalar("SELECT unit_id FROM assessment_events").fetch_all(&db.pool).await.unwrap();
        assert_eq!(left, vec![jd2]);
        let (cause, source): (String, String) = sqlx::query_as("SELECT cause, source FROM assessment_changes WHERE unit_id = $1 AND cause = 'event_removed'")
            .bind(jd)
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!((cause.as_str(), source), ("event_removed", format!("report_miss:{miss}")));
        let r = app.call(EXCUSE, &[("id", &m), ("reason", "再次说明")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("problem.miss_excused"), "{}", r.body);
        let d: MissDetail = call_ok(&app, MISS, &[("id", &m)], &trainee).await;
        assert!(d.miss.excused_at.is_some() && d.miss.event_id.is_none() && !d.may_excuse, "{d:?}");
        assert_eq!(d.miss.excuse.as_deref(), Some("<script>alert(1)</script> 停电断网"));
        assert_eq!(audited(db, "daily_report.excuse").await, 1);
        // Settling again does not bring the event back.
        assert_eq!(settle(db, evening + 600).await.unwrap(), 0);
        assert_eq!(count(db, "SELECT COUNT(*) FROM assessment_events").await, 1);
        // A miss that is not there.
        assert_eq!(app.call(MISS, &[("id", "999999")], Some(&assessor)).await.status, StatusCode::NOT_FOUND);
    }

    async fn a_deadline_moved_earlier_applies_from_the_next_day(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        // Signed in afresh after each move of the clock (sessions idle for
        // two hours end).
        let as_ = async |who: &str| app.login(who).await;
        // The rule since yesterday: 16:00, subdistricts.
        set_clock(&app, -1, 10);
        call_ok::<()>(&app, RULES, &[("deadline", "16:00"), ("kinds[0]", "subdistrict")], &as_("assessor").await).await;
        call_ok::<()>(&app, FILE, &[("kind", "zero")], &as_("trainee").await).await;
        assert_eq!(settle(db, set_clock(&app, 1, 0)).await.unwrap(), 0);

        // Today at 11:00 the office moves it to 10:00 and adds villages.
        // 城关街道 files at 11:30, before the 16:00 it began the day with:
        // on time, and nobody (the village neither) misses today.
        set_clock(&app, 0, 11);
        let assessor = as_("assessor").await;
        call_ok::<()>(&app, RULES, &[("deadline", "10:00"), ("kinds[0]", "subdistrict"), ("kinds[1]", "village")], &assessor).await;
        let p: ReportsPage = call_ok(&app, PAGE, &[], &assessor).await;
        assert_eq!(p.rules.as_ref().map(|r| r.deadline_text()), Some("16:00".into()));
        let (from, next) = p.next_rules.clone().expect("a change waiting");
        assert_eq!((from, next.deadline_text()), (local_today(&app) + chrono::Duration::days(1), "10:00".into()));
        assert_eq!(p.board.len(), 1, "the village reports from tomorrow: {:?}", p.board);
        app.state.clock.advance(1800);
        call_ok::<()>(&app, FILE, &[("kind", "zero")], &as_("trainee").await).await;
        assert_eq!(settle(db, set_clock(&app, 0, 12)).await.unwrap(), 0);
        assert_eq!(settle(db, set_clock(&app, 0, 17)).await.unwrap(), 0);
        assert_eq!(count(db, "SELECT COUNT(*) FROM daily_report_misses").await, 0);

        // Tomorrow the new rule is in force: at 10:01 both units have
        // missed it.
        set_clock(&app, 1, 9);
        let p: ReportsPage = call_ok(&app, PAGE, &[], &as_("assessor").await).await;
        assert_eq!(p.rules.as_ref().map(|r| r.deadline_text()), Some("10:00".into()));
        assert!(p.next_rules.is_none());
        assert_eq!(p.board.len(), 2);
        assert_eq!(settle(db, set_clock(&app, 0, 11)).await.unwrap(), 2);
        assert_eq!(audited(db, "daily_report_rules.save").await, 2);
    }
}
