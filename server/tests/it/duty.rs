//! The duty office through the real router on both databases: units'
//! settings, rosters generated around leave and the district's calendar
//! with their gaps named, published once and told to the people on them,
//! today's board, and spot checks whose failures become `duty_absence`
//! events linked to the check; scopes and bad input refused with nothing
//! changed.

use crate::common::training::staff;
use crate::common::*;
use app::areas::duty::api::{
    self as api, BoardPage, CheckDetail, ChecksPage, RosterDetail, RostersPage,
};
use app::domain::account::Role;
use app::domain::person::{PersonDraft, Position};
use app::platform::Actor;
use app::platform::db::Db;
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;

const SETTINGS: &str = <api::SaveDutySettings as ServerFn>::PATH;
const GENERATE: &str = <api::GenerateDutyRoster as ServerFn>::PATH;
const ROSTER: &str = <api::GetDutyRoster as ServerFn>::PATH;
const ROSTERS: &str = <api::GetDutyRosters as ServerFn>::PATH;
const PUBLISH: &str = <api::PublishDutyRoster as ServerFn>::PATH;
const REMOVE: &str = <api::RemoveDutyRoster as ServerFn>::PATH;
const BOARD: &str = <api::GetDutyBoard as ServerFn>::PATH;
const CHECK: &str = <api::AddDutyCheck as ServerFn>::PATH;
const CHECKS: &str = <api::GetDutyChecks as ServerFn>::PATH;
const GET_CHECK: &str = <api::GetDutyCheck as ServerFn>::PATH;
const VOID_CHECK: &str = <api::VoidDutyCheck as ServerFn>::PATH;
const ADD_PERIOD: &str = <api::AddDutyPeriod as ServerFn>::PATH;
const ADD_LEAVE: &str = <app::areas::training::api::AddLeave as ServerFn>::PATH;
const REMOVE_EVENT: &str = <app::areas::assessment::api::RemoveEvent as ServerFn>::PATH;
const ASK_SWAP: &str = <api::AskDutySwap as ServerFn>::PATH;
const STEP_SWAP: &str = <api::StepDutySwap as ServerFn>::PATH;
const REPLACE: &str = <api::ReplaceDuty as ServerFn>::PATH;
const FILE_ABSENCE: &str = <api::FileLeaderAbsence as ServerFn>::PATH;
const DECIDE_ABSENCE: &str = <api::DecideLeaderAbsence as ServerFn>::PATH;
const ABSENCES: &str = <api::GetLeaderAbsences as ServerFn>::PATH;
const SAVE_DRILL: &str = <app::areas::drills::api::SaveDrill as ServerFn>::PATH;

/// A leader (领导干部) in a unit, with a phone; their id.
async fn leader(db: &Db, unit: i64, code: &str, name: &str) -> i64 {
    let mut tx = db.pool.begin().await.unwrap();
    let id = app::areas::directory::store::people::create(
        &mut app::platform::Write::within(&mut tx, &Actor::system("test"), 1),
        &PersonDraft {
            code: code.into(),
            name: name.into(),
            positions: vec![Position::LeaderCadre],
            phone: Some("13900002222".into()),
        },
        unit,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

fn day(app: &TestApp, offset: i64) -> String {
    (local_today(app) + chrono::Duration::days(offset)).to_string()
}

on_both_databases! {
    async fn a_roster_is_generated_around_leave_published_once_and_on_the_board(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd = app.district.units["JD01"];
        let jd_s = jd.to_string();
        let organizer = app.login("organizer").await;
        let admin = app.login("admin").await;
        let trainee = app.login("trainee").await;
        // 城关街道: P1 (the trainee) and three more staff, one leader.
        staff(db, jd, "S", 3, 0).await;
        leader(db, jd, "L1", "赵书记").await;

        // Generating before the unit stands duty is refused, named.
        let r = app.call(GENERATE, &[("unit", &jd_s), ("first_day", &day(&app, 0)), ("last_day", &day(&app, 13))], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("problem.duty_no_settings"), "{}", r.body);
        // Bad settings name their field and save nothing.
        let r = app.call(SETTINGS, &[("unit", &jd_s), ("staff_per_day", "21"), ("leaders_per_day", "1"), ("min_rest_days", "1")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field.staff_per_day"), "{}", r.body);
        assert_eq!(count(db, "duty_settings").await, 0);
        // Outside the organizer's scope: refused.
        let ga = app.district.units["GA"].to_string();
        let r = app.call(SETTINGS, &[("unit", &ga), ("staff_per_day", "1"), ("leaders_per_day", "1"), ("min_rest_days", "1")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.call(SETTINGS, &[("unit", &jd_s), ("staff_per_day", "1"), ("leaders_per_day", "1"), ("min_rest_days", "1")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(audited(db, "duty_settings.save").await, 1);

        // P1 is on leave for the whole fortnight.
        let r = app.call(ADD_LEAVE, &[("person_code", "P1"), ("start", &day(&app, 0)), ("end", &day(&app, 13)), ("reason", "病假")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // A reversed period is refused before anything is stored.
        let r = app.call(GENERATE, &[("unit", &jd_s), ("first_day", &day(&app, 5)), ("last_day", &day(&app, 0))], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field.last_day"), "{}", r.body);
        assert_eq!(count(db, "duty_rosters").await, 0);

        let id: i64 = call_ok(&app, GENERATE, &[("unit", &jd_s), ("first_day", &day(&app, 0)), ("last_day", &day(&app, 13))], &organizer).await;
        let r: RosterDetail = call_ok(&app, ROSTER, &[("id", &id.to_string())], &organizer).await;
        assert_eq!(r.days.len(), 14);
        assert!(!r.head.published && r.may_keep);
        for d in &r.days {
            assert_eq!(d.staff.len(), 1, "{d:?}");
            assert!(!d.staff.contains(&"王建国".to_string()), "P1 is on leave: {d:?}");
        }
        // One leader with a rest day between duties: every other day is a
        // gap, named with the reason.
        let led = r.days.iter().filter(|d| d.leaders == ["赵书记"]).count();
        assert_eq!(led, 7);
        let gaps: Vec<_> = r.days.iter().flat_map(|d| d.gaps.iter()).collect();
        assert_eq!(gaps.len(), 7);
        assert!(gaps.iter().all(|g| g.why.len() == 1 && g.why[0].person == "赵书记" && g.why[0].rest_after.is_some()), "{gaps:?}");
        assert_eq!(r.head.gaps, 7);
        // Three staff share 14 duties evenly.
        let staff_counts: Vec<u32> = r.counts.iter().filter(|c| c.role == app::domain::duty::DutyRole::Staff).map(|c| c.weekdays + c.rest_days).collect();
        assert_eq!(staff_counts.len(), 3);
        assert!(staff_counts.iter().max().unwrap() - staff_counts.iter().min().unwrap() <= 1, "{staff_counts:?}");

        // A draft is not the trainee's to see; nor on the board.
        assert_eq!(app.call(ROSTER, &[("id", &id.to_string())], Some(&trainee)).await.status, StatusCode::FORBIDDEN);
        let b: BoardPage = call_ok(&app, BOARD, &[], &admin).await;
        let unit = b.units.iter().find(|u| u.unit_id == jd).unwrap();
        assert!(unit.no_roster);

        // Publishing tells the people on it, once.
        let r = app.call(PUBLISH, &[("id", &id.to_string())], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let told: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE message_key = 'notice.duty_published'")
            .fetch_one(&db.pool).await.unwrap();
        assert_eq!(told, 4, "three staff and the leader");
        let r = app.call(PUBLISH, &[("id", &id.to_string())], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(app.call(REMOVE, &[("id", &id.to_string())], Some(&organizer)).await.status, StatusCode::CONFLICT);

        // Today's board: who stands duty, phones whole for the admin.
        let b: BoardPage = call_ok(&app, BOARD, &[], &admin).await;
        let unit = b.units.iter().find(|u| u.unit_id == jd).unwrap();
        assert!(!unit.no_roster);
        assert_eq!(unit.staff.len(), 1);
        let today = &r_days(&app, id, &organizer).await[0];
        assert_eq!(unit.leaders.iter().map(|p| p.name.clone()).collect::<Vec<_>>(), today.leaders);
        assert_eq!(unit.gaps.is_empty(), today.gaps.is_empty());
        if let Some(l) = unit.leaders.first() {
            assert_eq!(l.phone.as_deref(), Some("13900002222"));
        }
        // The trainee is not on it (on leave) and still may not see it.
        assert_eq!(app.call(ROSTER, &[("id", &id.to_string())], Some(&trainee)).await.status, StatusCode::FORBIDDEN);
        // Nor the board at all.
        assert_eq!(app.call(BOARD, &[], Some(&trainee)).await.status, StatusCode::FORBIDDEN);

        // A second roster over the same days is a draft that cannot be
        // published over the first.
        let second: i64 = call_ok(&app, GENERATE, &[("unit", &jd_s), ("first_day", &day(&app, 10)), ("last_day", &day(&app, 20))], &organizer).await;
        let r = app.call(PUBLISH, &[("id", &second.to_string())], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("problem.roster_overlaps"), "{}", r.body);
        // A newer draft replaces it; removing a draft removes its rows.
        let third: i64 = call_ok(&app, GENERATE, &[("unit", &jd_s), ("first_day", &day(&app, 14)), ("last_day", &day(&app, 20))], &organizer).await;
        let p: RostersPage = call_ok(&app, ROSTERS, &[], &organizer).await;
        assert_eq!(p.rosters.iter().map(|r| r.id).collect::<Vec<_>>(), vec![third, id]);
        assert_eq!(app.call(REMOVE, &[("id", &third.to_string())], Some(&organizer)).await.status, StatusCode::OK);
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM duty_slots WHERE roster_id <> $1")
            .bind(id).fetch_one(&db.pool).await.unwrap();
        assert_eq!(left, 0);

        // An organizer of another part of the district sees none of it.
        let other = add_account(&app, "org-ga", Role::Organizer, Some(app.district.units["GA"]), None).await;
        assert_eq!(app.call(ROSTER, &[("id", &id.to_string())], Some(&other)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.call(PUBLISH, &[("id", &id.to_string())], Some(&other)).await.status, StatusCode::FORBIDDEN);
        let p: RostersPage = call_ok(&app, ROSTERS, &[], &other).await;
        assert!(p.rosters.is_empty());
        let b: BoardPage = call_ok(&app, BOARD, &[], &other).await;
        assert!(b.units.iter().all(|u| u.unit_id != jd));
    }

    async fn a_holiday_on_the_calendar_asks_for_more_staff_and_a_leader(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd = app.district.units["JD01"];
        let jd_s = jd.to_string();
        let organizer = app.login("organizer").await;
        let assessor = app.login("assessor").await;
        staff(db, jd, "S", 4, 0).await;
        leader(db, jd, "L1", "赵书记").await;
        call_ok::<()>(&app, SETTINGS, &[("unit", &jd_s), ("staff_per_day", "1"), ("leaders_per_day", "0"), ("min_rest_days", "0")], &organizer).await;
        // The calendar is the office's, district-wide.
        let form = [("name", "国庆"), ("kind", "holiday"), ("first_day", &*day(&app, 2)), ("last_day", &*day(&app, 3)), ("extra_staff", "1")];
        assert_eq!(app.call(ADD_PERIOD, &form, Some(&organizer)).await.status, StatusCode::FORBIDDEN);
        call_ok::<i64>(&app, ADD_PERIOD, &form, &assessor).await;
        let r = app.call(ADD_PERIOD, &[("name", "两会"), ("kind", "party"), ("first_day", &day(&app, 2)), ("last_day", &day(&app, 3))], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field.kind"), "{}", r.body);

        let id: i64 = call_ok(&app, GENERATE, &[("unit", &jd_s), ("first_day", &day(&app, 0)), ("last_day", &day(&app, 5))], &organizer).await;
        let r: RosterDetail = call_ok(&app, ROSTER, &[("id", &id.to_string())], &organizer).await;
        for (i, d) in r.days.iter().enumerate() {
            if i == 2 || i == 3 {
                assert_eq!((d.staff.len(), d.leaders.len()), (2, 1), "{d:?}");
                assert_eq!(d.period.as_deref(), Some("国庆"));
                assert!(d.rest_day);
            } else {
                assert_eq!((d.staff.len(), d.leaders.len()), (1, 0), "{d:?}");
            }
        }
        assert_eq!(r.head.gaps, 0);
        // Published, the duties are in the calendar feed of each person on
        // the roster (P1, the trainee, stands one at least: five staff
        // share eight duties evenly).
        call_ok::<()>(&app, PUBLISH, &[("id", &id.to_string())], &organizer).await;
        let trainee = app.login("trainee").await;
        let mine: app::areas::training::dto::MyTraining =
            call_ok(&app, <app::areas::training::api::GetMyTraining as ServerFn>::PATH, &[], &trainee).await;
        let feed = app.get(&mine.calendar_url, None).await;
        assert_eq!(feed.status, StatusCode::OK);
        assert!(feed.body.contains("SUMMARY:值班 · 城关街道 / on duty"), "{}", feed.body);
        // The roster itself is open to the people on it.
        let r: RosterDetail = call_ok(&app, ROSTER, &[("id", &id.to_string())], &trainee).await;
        assert!(r.days.iter().any(|d| d.staff.contains(&"王建国".to_string())));
        assert!(!r.may_keep);
    }

    async fn a_failed_duty_check_becomes_a_duty_absence_linked_to_the_check(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd = app.district.units["JD01"];
        let jd_s = jd.to_string();
        let organizer = app.login("organizer").await;
        let assessor = app.login("assessor").await;
        call_ok::<()>(&app, SETTINGS, &[("unit", &jd_s), ("staff_per_day", "1"), ("leaders_per_day", "1"), ("min_rest_days", "1")], &organizer).await;
        let at = format!("{}T21:30", day(&app, -1));
        let year = chrono::Datelike::year(&(local_today(&app) - chrono::Duration::days(1))) as i64;

        // The office records checks; an organizer does not.
        let form = [("unit", &*jd_s), ("checked_at", &*at), ("called", "010-6012 3456"), ("answered", "no"), ("on_post", ""), ("note", "夜间抽查")];
        assert_eq!(app.call(CHECK, &form, Some(&organizer)).await.status, StatusCode::FORBIDDEN);
        // Bad input names its field and records nothing.
        let mut bad = owned(&form);
        set_field(&mut bad, "answered", "maybe");
        let r = app.call(CHECK, &pairs(&bad), Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field.answered"), "{}", r.body);
        let mut bad = owned(&form);
        set_field(&mut bad, "on_post", "张三");
        let r = app.call(CHECK, &pairs(&bad), Some(&assessor)).await;
        assert!(r.body.contains("problem.unanswered_on_post"), "{}", r.body);
        let mut bad = owned(&form);
        set_field(&mut bad, "unit", &app.district.units["GA"].to_string());
        let r = app.call(CHECK, &pairs(&bad), Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a unit that stands no duty");
        assert_eq!(count(db, "duty_checks").await, 0);
        assert_eq!(count(db, "assessment_events").await, 0);

        // Unanswered: failed, and the unit's year has a duty absence whose
        // source is the check.
        let (check, deducted): (i64, bool) = call_ok(&app, CHECK, &form, &assessor).await;
        assert!(deducted);
        let events = app::areas::assessment::store::events::of_year(&db.pool, year, Some(jd)).await.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event, "duty_absence");
        assert_eq!(events[0].source.as_deref(), Some(format!("duty_check:{check}").as_str()));
        let source: String = sqlx::query_scalar("SELECT source FROM assessment_changes WHERE unit_id = $1 AND item = 'event:duty_absence'")
            .bind(jd).fetch_one(&db.pool).await.unwrap();
        assert_eq!(source, format!("duty_check:{check}"));
        let c: CheckDetail = call_ok(&app, GET_CHECK, &[("id", &check.to_string())], &assessor).await;
        assert!(!c.check.passed && c.check.event_id == Some(events[0].id) && c.may_void, "{c:?}");
        // The organizer of the unit may read the check the explanation
        // links to (and may not void it).
        let c: CheckDetail = call_ok(&app, GET_CHECK, &[("id", &check.to_string())], &organizer).await;
        assert!(c.check.unit_id == jd && !c.may_void, "{c:?}");
        // The same call recorded again (a double tap) would deduct twice:
        // refused, nothing added.
        let r = app.call(CHECK, &form, Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("problem.check_twice"), "{}", r.body);
        assert_eq!(count(db, "duty_checks").await, 1);
        // The event is changed at its source, not removed from the sheet.
        let r = app.call(REMOVE_EVENT, &[("id", &events[0].id.to_string())], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("problem.event_from_source"), "{}", r.body);

        // Answered with someone on post: passed, no event.
        let mut ok = owned(&form);
        set_field(&mut ok, "checked_at", &format!("{}T21:40", day(&app, -1)));
        set_field(&mut ok, "answered", "yes");
        set_field(&mut ok, "on_post", "王建国");
        let (_, deducted): (i64, bool) = call_ok(&app, CHECK, &pairs(&ok), &assessor).await;
        assert!(!deducted);
        // Answered, but nobody of the duty on post: failed.
        let mut nobody = owned(&form);
        set_field(&mut nobody, "checked_at", &format!("{}T21:50", day(&app, -1)));
        set_field(&mut nobody, "answered", "yes");
        let (_, deducted): (i64, bool) = call_ok(&app, CHECK, &pairs(&nobody), &assessor).await;
        assert!(deducted);
        assert_eq!(app::areas::assessment::store::events::of_year(&db.pool, year, Some(jd)).await.unwrap().len(), 2);
        let p: ChecksPage = call_ok(&app, CHECKS, &[], &assessor).await;
        assert_eq!(p.checks.len(), 3);
        assert_eq!(p.checks.iter().filter(|c| c.passed).count(), 1);
        assert_eq!(audited(db, "duty_check.add").await, 3);
    }

    async fn a_check_recorded_by_mistake_is_voided_by_an_assessor_not_of_the_unit(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd = app.district.units["JD01"];
        let jd_s = jd.to_string();
        let organizer = app.login("organizer").await;
        let assessor = app.login("assessor").await;
        let admin = app.login("admin").await;
        let jd2 = next_subdistrict(db).await;
        let next_door = add_account(&app, "assessor_jd02", Role::Assessor, Some(jd2), None).await;
        staff(db, jd, "S", 1, 0).await;
        // An assessor who is one of 城关街道's own people.
        let own = add_account(&app, "assessor-s00", Role::Assessor, None, Some("S-00")).await;
        call_ok::<()>(&app, SETTINGS, &[("unit", &jd_s), ("staff_per_day", "1"), ("leaders_per_day", "0"), ("min_rest_days", "0")], &organizer).await;
        let at = format!("{}T21:30", day(&app, -1));
        let form = [("unit", &*jd_s), ("checked_at", &*at), ("called", "010-6012 3456"), ("answered", "no"), ("on_post", ""), ("note", "误拨号码")];
        let (check, deducted): (i64, bool) = call_ok(&app, CHECK, &form, &admin).await;
        assert!(deducted);
        let id = check.to_string();
        let why = "<script>alert(1)</script> 拨错号码";

        // Who moves no figure may not void it: the admin who recorded it,
        // an organizer, the next subdistrict's assessor (403); nor the
        // unit's own assessor (409). A reason is required.
        for who in [&admin, &organizer, &next_door] {
            let r = app.call(VOID_CHECK, &[("id", &id), ("reason", why)], Some(who)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        }
        let r = app.call(VOID_CHECK, &[("id", &id), ("reason", why)], Some(&own)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("problem.own_unit_clear"), "{}", r.body);
        let c: CheckDetail = call_ok(&app, GET_CHECK, &[("id", &id)], &own).await;
        assert!(!c.may_void);
        let r = app.call(VOID_CHECK, &[("id", &id), ("reason", " ")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field.reason"), "{}", r.body);
        assert_eq!(count(db, "assessment_events").await, 1);

        // Voided: the event is withdrawn, the change log names the check,
        // the check stays marked void with who, when and why (as text).
        call_ok::<()>(&app, VOID_CHECK, &[("id", &id), ("reason", why)], &assessor).await;
        assert_eq!(count(db, "assessment_events").await, 0);
        let source: String = sqlx::query_scalar("SELECT source FROM assessment_changes WHERE unit_id = $1 AND cause = 'event_removed'")
            .bind(jd).fetch_one(&db.pool).await.unwrap();
        assert_eq!(source, format!("duty_check:{check}"));
        let c: CheckDetail = call_ok(&app, GET_CHECK, &[("id", &id)], &organizer).await;
        let v = c.check.voided.clone().expect("voided");
        assert!(v.reason == why && v.by == "assessor" && c.check.event_id.is_none() && !c.may_void, "{c:?}");
        // Once: a second void is refused; the call may now be recorded
        // again correctly.
        let r = app.call(VOID_CHECK, &[("id", &id), ("reason", "再次作废")], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("problem.check_voided"), "{}", r.body);
        assert_eq!(audited(db, "duty_check.void").await, 1);
        let mut right = owned(&form);
        set_field(&mut right, "answered", "yes");
        set_field(&mut right, "on_post", "王建国");
        let (_, deducted): (i64, bool) = call_ok(&app, CHECK, &pairs(&right), &admin).await;
        assert!(!deducted);
    }

    async fn the_same_call_recorded_at_once_ten_times_deducts_once(db: Db) {
        let app = TestApp::on(db).await;
        let db = app.state.db.clone();
        let jd = app.district.units["JD01"];
        let jd_s = jd.to_string();
        let organizer = app.login("organizer").await;
        let assessor = app.login("assessor").await;
        call_ok::<()>(&app, SETTINGS, &[("unit", &jd_s), ("staff_per_day", "1"), ("leaders_per_day", "0"), ("min_rest_days", "0")], &organizer).await;
        let at = format!("{}T21:30", day(&app, -1));
        let app = std::sync::Arc::new(app);
        let mut racing = Vec::new();
        for _ in 0..10 {
            let (app, assessor, jd_s, at) = (app.clone(), assessor.clone(), jd_s.clone(), at.clone());
            racing.push(tokio::spawn(async move {
                let form = [("unit", &*jd_s), ("checked_at", &*at), ("called", "010-6012 3456"), ("answered", "no"), ("on_post", ""), ("note", "")];
                app.call(CHECK, &form, Some(&assessor)).await.status
            }));
        }
        let mut statuses = Vec::new();
        for r in racing {
            statuses.push(r.await.unwrap());
        }
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT), "{statuses:?}");
        assert_eq!(count(&db, "duty_checks").await, 1);
        assert_eq!(count(&db, "assessment_events").await, 1);
        // The leader's mobile called in the same minute is another call.
        let form = [("unit", &*jd_s), ("checked_at", &*at), ("called", "139 0000 2222"), ("answered", "no"), ("on_post", ""), ("note", "")];
        let (_, deducted): (i64, bool) = call_ok(&app, CHECK, &form, &assessor).await;
        assert!(deducted);
        assert_eq!(count(&db, "duty_checks").await, 2);
    }
}

on_both_databases! {
    async fn two_people_swap_duties_once_the_organizer_approves_and_replacements_keep_the_rules(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd = app.district.units["JD01"];
        let jd_s = jd.to_string();
        let organizer = app.login("organizer").await;
        let trainee = app.login("trainee").await;
        staff(db, jd, "S", 3, 0).await;
        let l1 = leader(db, jd, "L1", "赵书记").await;
        let s00 = add_account(&app, "s00", Role::Trainee, None, Some("S-00")).await;
        call_ok::<()>(&app, SETTINGS, &[("unit", &jd_s), ("staff_per_day", "1"), ("leaders_per_day", "1"), ("min_rest_days", "0")], &organizer).await;
        let id: i64 = call_ok(&app, GENERATE, &[("unit", &jd_s), ("first_day", &day(&app, 1)), ("last_day", &day(&app, 12))], &organizer).await;
        let roster = id.to_string();
        // Not on a draft.
        let r: RosterDetail = call_ok(&app, ROSTER, &[("id", &roster)], &organizer).await;
        assert!(r.mine.is_empty());
        call_ok::<()>(&app, PUBLISH, &[("id", &roster)], &organizer).await;

        let r: RosterDetail = call_ok(&app, ROSTER, &[("id", &roster)], &trainee).await;
        assert!(!r.mine.is_empty(), "four staff share twelve days");
        let mine = r.mine[0].clone();
        let theirs = r.swap_with.iter().find(|o| o.person == "职工0" && o.day != mine.day).unwrap().clone();
        // The leader's duty is not a staff swap; nor is someone else's own duty.
        let leader_slot = r.swap_with.iter().find(|o| o.person == "赵书记");
        assert!(leader_slot.is_none(), "only the trainee's role is offered");
        let r_org: RosterDetail = call_ok(&app, ROSTER, &[("id", &roster)], &organizer).await;
        assert!(r_org.people.iter().any(|p| p.0 == l1));
        let r = app.call(ASK_SWAP, &[("mine", &theirs.id.to_string()), ("theirs", &mine.id.to_string())], Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "not the trainee's duty to offer");

        let swap: i64 = call_ok(&app, ASK_SWAP, &[("mine", &mine.id.to_string()), ("theirs", &theirs.id.to_string()), ("reason", "家中有事")], &trainee).await;
        let told: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications n JOIN people p ON p.id = n.person_id WHERE p.code = 'S-00' AND n.message_key = 'notice.duty_swap_asked'")
            .fetch_one(&db.pool).await.unwrap();
        assert_eq!(told, 1);
        // Asked again while open: refused.
        let r = app.call(ASK_SWAP, &[("mine", &mine.id.to_string()), ("theirs", &theirs.id.to_string())], Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("problem.swap_open"), "{}", r.body);
        // Nobody approves before the other agrees; the asker never does.
        let r = app.call(STEP_SWAP, &[("id", &swap.to_string()), ("step", "approve")], Some(&organizer)).await;
        assert!(r.body.contains("problem.swap_not_accepted"), "{}", r.body);
        let r = app.call(STEP_SWAP, &[("id", &swap.to_string()), ("step", "accept")], Some(&trainee)).await;
        assert!(r.body.contains("problem.swap_not_yours"), "{}", r.body);
        call_ok::<()>(&app, STEP_SWAP, &[("id", &swap.to_string()), ("step", "accept")], &s00).await;
        let r = app.call(STEP_SWAP, &[("id", &swap.to_string()), ("step", "approve")], Some(&s00)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("problem.swap_not_yours"), "one of the two is no organizer: {}", r.body);
        // Another part of the district's organizer may not either.
        let other = add_account(&app, "org-ga", Role::Organizer, Some(app.district.units["GA"]), None).await;
        assert_eq!(app.call(STEP_SWAP, &[("id", &swap.to_string()), ("step", "approve")], Some(&other)).await.status, StatusCode::FORBIDDEN);
        call_ok::<()>(&app, STEP_SWAP, &[("id", &swap.to_string()), ("step", "approve")], &organizer).await;
        let r = app.call(STEP_SWAP, &[("id", &swap.to_string()), ("step", "approve")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        // The duties changed hands, both people were told, all on record.
        let r: RosterDetail = call_ok(&app, ROSTER, &[("id", &roster)], &organizer).await;
        let on = |d: chrono::NaiveDate| r.days.iter().find(|x| x.date == d).unwrap().staff.clone();
        assert_eq!(on(mine.day), ["职工0"]);
        assert_eq!(on(theirs.day), ["王建国"]);
        assert_eq!(r.swaps[0].status, app::domain::duty_office::SwapStatus::Approved);
        assert_eq!(audited(db, "duty_roster.swap").await, 2);
        assert_eq!(audited(db, "duty_swap.approved").await, 1);
        let told: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE message_key = 'notice.duty_swap_approved'")
            .fetch_one(&db.pool).await.unwrap();
        assert_eq!(told, 2);

        // A replacement keeps the rules: the trainee on leave that day is
        // refused, named; someone free is put on, and told.
        let target = theirs.day;
        let r = app.call(ADD_LEAVE, &[("person_code", "S-01"), ("start", &target.to_string()), ("end", &target.to_string()), ("reason", "病假")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let person = |name: &str| r_org.people.iter().find(|p| p.1 == name).unwrap().0.to_string();
        let p1 = person("王建国");
        let r = app.call(REPLACE, &[("roster", &roster), ("day", &target.to_string()), ("role", "staff"), ("out", &p1), ("into", &person("职工1"))], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("problem.duty_unavailable") && r.body.contains("职工1"), "{}", r.body);
        // The leader does not stand the post.
        let r = app.call(REPLACE, &[("roster", &roster), ("day", &target.to_string()), ("role", "staff"), ("out", &p1), ("into", &l1.to_string())], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("problem.duty_wrong_role"), "{}", r.body);
        // Nor is anyone put on outside the roster's days.
        let r = app.call(REPLACE, &[("roster", &roster), ("day", &day(&app, 40)), ("role", "staff"), ("out", &p1), ("into", &person("职工2"))], Some(&organizer)).await;
        assert!(r.body.contains("problem.duty_outside_roster"), "{}", r.body);
        let r = app.call(REPLACE, &[("roster", &roster), ("day", &target.to_string()), ("role", "staff"), ("out", &p1), ("into", &person("职工2"))], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r: RosterDetail = call_ok(&app, ROSTER, &[("id", &roster)], &organizer).await;
        assert_eq!(r.days.iter().find(|x| x.date == target).unwrap().staff, ["职工2"]);
        assert_eq!(audited(db, "duty_roster.replace").await, 1);
        // The trainee may not replace anyone.
        let r = app.call(REPLACE, &[("roster", &roster), ("day", &target.to_string()), ("role", "staff"), ("out", &person("职工2")), ("into", &p1)], Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

on_both_databases! {
    async fn a_check_in_a_published_year_is_recorded_without_a_deduction_and_notes_stay_text(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd = app.district.units["JD01"];
        let jd_s = jd.to_string();
        let organizer = app.login("organizer").await;
        let assessor = app.login("assessor").await;
        call_ok::<()>(&app, SETTINGS, &[("unit", &jd_s), ("staff_per_day", "1"), ("leaders_per_day", "1"), ("min_rest_days", "1")], &organizer).await;
        let yesterday = local_today(&app) - chrono::Duration::days(1);
        let year = chrono::Datelike::year(&yesterday) as i64;
        // The year's subdistrict scheme is published: its figures stand.
        sqlx::query(
            "INSERT INTO assessment_schemes (code, year, name, unit_kinds, definition, published, published_at, published_by, created_at, updated_at) \
             VALUES ('S-DUTY', $1, '街道考核', '|subdistrict|', '{}', 1, 1, 'assessor', 1, 1)",
        )
        .bind(year)
        .execute(&db.pool)
        .await
        .unwrap();
        let note = "</li><script>alert(1)</script>";
        let form = [("unit", &*jd_s), ("checked_at", &*format!("{yesterday}T21:30")), ("called", "010-6012 3456"), ("answered", "no"), ("on_post", ""), ("note", note)];
        let (check, deducted): (i64, bool) = call_ok(&app, CHECK, &form, &assessor).await;
        assert!(!deducted);
        assert_eq!(count(db, "assessment_events").await, 0);
        let CheckDetail { check: c, .. } = call_ok(&app, GET_CHECK, &[("id", &check.to_string())], &assessor).await;
        assert!(!c.passed && c.event_id.is_none());
        assert_eq!(c.note, note);
        // The check's page says the year was closed and shows the note as text.
        let page = app.get(&format!("/duty/checks/{check}"), Some(&assessor)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("当年考核已发布,未计入"), "{}", page.body);
        assert!(!page.body.contains("<script>alert(1)"), "the note must be escaped");
        assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{}", page.body);
    }

    async fn an_organizer_on_the_roster_does_not_approve_their_own_swap(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd = app.district.units["JD01"];
        let jd_s = jd.to_string();
        let organizer = app.login("organizer").await;
        staff(db, jd, "S", 1, 0).await;
        // An organizer of 城关街道 who is also 职工0 on its roster.
        let own = add_account(&app, "org-s00", Role::Organizer, Some(jd), Some("S-00")).await;
        let trainee = app.login("trainee").await;
        call_ok::<()>(&app, SETTINGS, &[("unit", &jd_s), ("staff_per_day", "1"), ("leaders_per_day", "0"), ("min_rest_days", "0")], &organizer).await;
        let id: i64 = call_ok(&app, GENERATE, &[("unit", &jd_s), ("first_day", &day(&app, 1)), ("last_day", &day(&app, 6))], &organizer).await;
        call_ok::<()>(&app, PUBLISH, &[("id", &id.to_string())], &organizer).await;
        let r: RosterDetail = call_ok(&app, ROSTER, &[("id", &id.to_string())], &own).await;
        let mine = r.mine[0].clone();
        let theirs = r.swap_with.iter().find(|o| o.person == "王建国").unwrap().clone();
        let swap: i64 = call_ok(&app, ASK_SWAP, &[("mine", &mine.id.to_string()), ("theirs", &theirs.id.to_string())], &own).await;
        call_ok::<()>(&app, STEP_SWAP, &[("id", &swap.to_string()), ("step", "accept")], &trainee).await;
        let r = app.call(STEP_SWAP, &[("id", &swap.to_string()), ("step", "approve")], Some(&own)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("problem.swap_own"), "{}", r.body);
        assert_eq!(audited(db, "duty_roster.swap").await, 0);
        // Another organizer, neither of the two, does.
        call_ok::<()>(&app, STEP_SWAP, &[("id", &swap.to_string()), ("step", "approve")], &organizer).await;
        assert_eq!(audited(db, "duty_roster.swap").await, 2);

        // Nor does the organizer hand their own duty to someone, or take
        // one, by replacing on the published roster.
        let me: i64 = sqlx::query_scalar("SELECT id FROM people WHERE code = 'S-00'").fetch_one(&db.pool).await.unwrap();
        let wang: i64 = sqlx::query_scalar("SELECT id FROM people WHERE name = '王建国'").fetch_one(&db.pool).await.unwrap();
        let r: RosterDetail = call_ok(&app, ROSTER, &[("id", &id.to_string())], &own).await;
        let (mine, theirs) = (r.mine[0].clone(), r.swap_with[0].clone());
        let roster = id.to_string();
        for (slot, out, into) in [(&mine, me, wang), (&theirs, wang, me)] {
            let form = [("roster", &*roster), ("day", &*slot.day.to_string()), ("role", "staff"), ("out", &*out.to_string()), ("into", &*into.to_string())];
            let r = app.call(REPLACE, &form, Some(&own)).await;
            assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
            assert!(r.body.contains("problem.replace_own"), "{}", r.body);
        }
        assert_eq!(audited(db, "duty_roster.replace").await, 0);
    }
}

on_both_databases! {
    async fn an_approved_absence_takes_a_leader_off_the_roster_and_the_board(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd = app.district.units["JD01"];
        let jd_s = jd.to_string();
        let organizer = app.login("organizer").await;
        let trainee = app.login("trainee").await;
        staff(db, jd, "S", 2, 0).await;
        leader(db, jd, "L1", "赵书记").await;
        let l1 = add_account(&app, "leader1", Role::Trainee, None, Some("L1")).await;
        call_ok::<()>(&app, SETTINGS, &[("unit", &jd_s), ("staff_per_day", "1"), ("leaders_per_day", "1"), ("min_rest_days", "0")], &organizer).await;
        // Today's roster is published with the leader on it.
        let today_roster: i64 = call_ok(&app, GENERATE, &[("unit", &jd_s), ("first_day", &day(&app, 0)), ("last_day", &day(&app, 0))], &organizer).await;
        call_ok::<()>(&app, PUBLISH, &[("id", &today_roster.to_string())], &organizer).await;

        // Only a leader files, for themselves; a bad form names its field.
        let form = [("first_day", &*day(&app, 0)), ("last_day", &*day(&app, 3)), ("destination", "北京"), ("reason", "参加培训"), ("deputy", "李副主任")];
        assert_eq!(app.call(FILE_ABSENCE, &form, Some(&trainee)).await.status, StatusCode::FORBIDDEN);
        let mut bad = owned(&form);
        set_field(&mut bad, "deputy", "");
        let r = app.call(FILE_ABSENCE, &pairs(&bad), Some(&l1)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("field.deputy"), "{}", r.body);
        let absence: i64 = call_ok(&app, FILE_ABSENCE, &form, &l1).await;
        // Filed, not yet approved: the leader still leads today.
        let b: BoardPage = call_ok(&app, BOARD, &[], &organizer).await;
        assert!(b.away.is_empty());
        // The leader does not approve it; the unit's organizer does, once.
        assert_eq!(app.call(DECIDE_ABSENCE, &[("id", &absence.to_string()), ("decision", "approve")], Some(&l1)).await.status, StatusCode::FORBIDDEN);
        call_ok::<()>(&app, DECIDE_ABSENCE, &[("id", &absence.to_string()), ("decision", "approve")], &organizer).await;
        let r = app.call(DECIDE_ABSENCE, &[("id", &absence.to_string()), ("decision", "refuse")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("problem.absence_decided"), "{}", r.body);
        assert_eq!(audited(db, "leader_absence.approved").await, 1);

        // The board: the leader is away today, the leader's slot is open.
        let b: BoardPage = call_ok(&app, BOARD, &[], &organizer).await;
        assert_eq!(b.away.len(), 1);
        assert_eq!(b.away[0].0, "赵书记");
        let unit = b.units.iter().find(|u| u.unit_id == jd).unwrap();
        assert!(unit.leaders.is_empty());
        assert!(unit.gaps.contains(&(app::domain::duty::DutyRole::Leader, 1)), "{:?}", unit.gaps);
        // A new roster leaves the leader's days open, naming why.
        let id: i64 = call_ok(&app, GENERATE, &[("unit", &jd_s), ("first_day", &day(&app, 1)), ("last_day", &day(&app, 5))], &organizer).await;
        let r: RosterDetail = call_ok(&app, ROSTER, &[("id", &id.to_string())], &organizer).await;
        for d in &r.days {
            let away = d.date <= local_today(&app) + chrono::Duration::days(3);
            assert_eq!(d.leaders.is_empty(), away, "{d:?}");
            if away {
                assert_eq!(d.gaps[0].why[0].person, "赵书记");
                assert!(d.gaps[0].why[0].rest_after.is_none());
            }
        }
        // A drill on one of those days with the leader in it names the
        // absence among its clashes.
        let admin = app.login("admin").await;
        let drill = drill_form("城关街道会议室", "防汛应急演练", jd, "L1", &day(&app, 2), "09:00", "10:00");
        let r: app::areas::drills::dto::DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&drill), &admin).await;
        assert_eq!(r.id, None, "{r:?}");
        let kinds: Vec<(&str, &str, &str)> = r.clashes.iter().map(|c| (c.kind_key.as_str(), c.subject.as_str(), c.with.as_str())).collect();
        // Where the leader goes is not the drill's viewers' business.
        assert_eq!(kinds, [("clash.away", "赵书记", "")]);
        assert!(!serde_json::to_string(&r).unwrap().contains("北京"));
        // After the absence, no clash.
        let drill = drill_form("城关街道会议室", "防汛应急演练", jd, "L1", &day(&app, 4), "09:00", "10:00");
        let r: app::areas::drills::dto::DrillSaved = call_ok(&app, SAVE_DRILL, &pairs(&drill), &admin).await;
        assert!(r.id.is_some() && r.clashes.is_empty(), "{r:?}");
        // The leader sees their report; the organizer lists it too.
        let p: app::areas::duty::dto::AbsencesPage = call_ok(&app, ABSENCES, &[], &l1).await;
        assert!(p.may_file && p.absences.len() == 1 && p.may_decide.is_empty());
        assert_eq!(p.absences[0].status, "approved");
        let p: app::areas::duty::dto::AbsencesPage = call_ok(&app, ABSENCES, &[], &organizer).await;
        assert_eq!(p.absences.len(), 1);
    }

    async fn a_leader_who_keeps_the_duty_does_not_approve_their_own_absence(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd = app.district.units["JD01"];
        leader(db, jd, "L1", "赵书记").await;
        let own = add_account(&app, "org-l1", Role::Organizer, Some(jd), Some("L1")).await;
        let form = [("first_day", &*day(&app, 1)), ("last_day", &*day(&app, 2)), ("destination", "北京"), ("reason", "参加培训"), ("deputy", "李副主任")];
        let absence: i64 = call_ok(&app, FILE_ABSENCE, &form, &own).await;
        let r = app.call(DECIDE_ABSENCE, &[("id", &absence.to_string()), ("decision", "approve")], Some(&own)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("problem.absence_own"), "{}", r.body);
        let p: app::areas::duty::dto::AbsencesPage = call_ok(&app, ABSENCES, &[], &own).await;
        assert!(p.may_decide.is_empty());
        let organizer = app.login("organizer").await;
        let p: app::areas::duty::dto::AbsencesPage = call_ok(&app, ABSENCES, &[], &organizer).await;
        assert_eq!(p.may_decide, [absence]);
    }
}

on_both_databases! {
    async fn a_past_duty_of_a_published_roster_is_a_record_not_replaced(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd = app.district.units["JD01"];
        let jd_s = jd.to_string();
        let organizer = app.login("organizer").await;
        staff(db, jd, "S", 2, 0).await;
        call_ok::<()>(&app, SETTINGS, &[("unit", &jd_s), ("staff_per_day", "1"), ("leaders_per_day", "0"), ("min_rest_days", "0")], &organizer).await;
        let id: i64 = call_ok(&app, GENERATE, &[("unit", &jd_s), ("first_day", &day(&app, -3)), ("last_day", &day(&app, 2))], &organizer).await;
        let roster = id.to_string();
        call_ok::<()>(&app, PUBLISH, &[("id", &roster)], &organizer).await;
        let r: RosterDetail = call_ok(&app, ROSTER, &[("id", &roster)], &organizer).await;
        let person = |name: &str| r.people.iter().find(|p| p.1 == name).unwrap().0.to_string();
        let on = |offset: i64| {
            let date = local_today(&app) + chrono::Duration::days(offset);
            r.days.iter().find(|d| d.date == date).unwrap().staff[0].clone()
        };
        let other = |name: &str| if name == "职工0" { "职工1" } else { "职工0" };
        // The day before yesterday stays as it was.
        let (was, instead) = (on(-2), other(&on(-2)).to_string());
        let form = [("roster", &*roster), ("day", &*day(&app, -2)), ("role", "staff"), ("out", &*person(&was)), ("into", &*person(&instead))];
        let r2 = app.call(REPLACE, &form, Some(&organizer)).await;
        assert_eq!(r2.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r2.body);
        assert!(r2.body.contains("field.day") && r2.body.contains("problem.duty_past"), "{}", r2.body);
        assert_eq!(audited(db, "duty_roster.replace").await, 0);
        // Today's may still change hands.
        let (was, instead) = (on(0), other(&on(0)).to_string());
        let form = [("roster", &*roster), ("day", &*day(&app, 0)), ("role", "staff"), ("out", &*person(&was)), ("into", &*person(&instead))];
        let r2 = app.call(REPLACE, &form, Some(&organizer)).await;
        assert_eq!(r2.status, StatusCode::OK, "{}", r2.body);
    }

    async fn a_swap_whose_day_has_passed_is_not_approved(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd = app.district.units["JD01"];
        let jd_s = jd.to_string();
        let organizer = app.login("organizer").await;
        staff(db, jd, "S", 2, 0).await;
        let s0 = add_account(&app, "staff-s00", Role::Trainee, None, Some("S-00")).await;
        let s1 = add_account(&app, "staff-s01", Role::Trainee, None, Some("S-01")).await;
        call_ok::<()>(&app, SETTINGS, &[("unit", &jd_s), ("staff_per_day", "1"), ("leaders_per_day", "0"), ("min_rest_days", "0")], &organizer).await;
        let id: i64 = call_ok(&app, GENERATE, &[("unit", &jd_s), ("first_day", &day(&app, 1)), ("last_day", &day(&app, 4))], &organizer).await;
        call_ok::<()>(&app, PUBLISH, &[("id", &id.to_string())], &organizer).await;
        let r: RosterDetail = call_ok(&app, ROSTER, &[("id", &id.to_string())], &s0).await;
        let mine = r.mine[0].clone();
        let theirs = r.swap_with.iter().find(|o| o.person == "职工1").expect("职工1 on the roster").clone();
        let swap: i64 = call_ok(&app, ASK_SWAP, &[("mine", &mine.id.to_string()), ("theirs", &theirs.id.to_string())], &s0).await;
        call_ok::<()>(&app, STEP_SWAP, &[("id", &swap.to_string()), ("step", "accept")], &s1).await;
        // Nobody approved it in time: once either day has passed, it stays
        // as it was stood.
        let last = mine.day.max(theirs.day);
        app.state.clock.advance((last - local_today(&app)).num_days() * 86_400 + 86_400);
        let organizer = app.login("organizer").await;
        let r = app.call(STEP_SWAP, &[("id", &swap.to_string()), ("step", "approve")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("problem.swap_past"), "{}", r.body);
        assert_eq!(audited(db, "duty_roster.swap").await, 0);
    }
}

async fn r_days(app: &TestApp, id: i64, who: &str) -> Vec<app::areas::duty::dto::RosterDayRow> {
    let r: RosterDetail = call_ok(app, ROSTER, &[("id", &id.to_string())], who).await;
    r.days
}
