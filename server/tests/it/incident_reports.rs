//! Incident reports from the units through the real router on both
//! databases: the district's deadlines, a late 首报 becoming a
//! `late_report` event with no assessment scheme in sight, 续报 and one 终报,
//! the office's 核报 asked once, answered, and counted late once when
//! overdue; scopes and bad input refused with nothing changed.

use crate::common::*;
use app::areas::duty::api;
use app::areas::duty::dto::{IncidentDetail, IncidentsPage};
use app::areas::duty::service::incidents::settle;
use app::domain::account::Role;
use app::domain::incident_report::Stage;
use app::platform::db::Db;
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;

const PAGE: &str = <api::GetUnitIncidents as ServerFn>::PATH;
const DEADLINES: &str = <api::SaveIncidentDeadlines as ServerFn>::PATH;
const FIRST: &str = <api::ReportIncident as ServerFn>::PATH;
const FOLLOW: &str = <api::FollowIncident as ServerFn>::PATH;
const ASK: &str = <api::AskIncidentVerification as ServerFn>::PATH;
const DETAIL: &str = <api::GetUnitIncident as ServerFn>::PATH;
const RULE: &str = <api::RuleUnitIncident as ServerFn>::PATH;

/// An instant as a datetime-local input types it, district time.
fn local(t: i64) -> String {
    chrono::DateTime::from_timestamp(t + app::domain::LOCAL_OFFSET_SECS, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&db.pool).await.unwrap()
}

fn first_form<'a>(level: &'a str, occurred: &'a str, title: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("level", level),
        ("title", title),
        ("place", "城关街道工业园"),
        ("occurred_at", occurred),
        ("injured", "2"),
        ("dead", "0"),
        ("measures", "已疏散周边群众,消防到场处置"),
    ]
}

async fn deadlines(app: &TestApp, who: &str) {
    let r = app
        .call(
            DEADLINES,
            &[
                ("general", "120"),
                ("larger", "60"),
                ("major", "30"),
                ("grave", "15"),
            ],
            Some(who),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

on_both_databases! {
    async fn a_late_first_report_is_a_late_report_event_without_any_scheme(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd = app.district.units["JD01"];
        let assessor = app.login("assessor").await;
        let organizer = app.login("organizer").await;
        let trainee = app.login("trainee").await;
        let now = app.state.clock.now_secs();

        let p: IncidentsPage = call_ok(&app, PAGE, &[], &trainee).await;
        assert_eq!(p.my_unit.as_deref(), Some("城关街道"));
        assert!(p.deadlines.is_none() && p.incidents.is_empty() && !p.may_keep_deadlines);

        // The deadlines are the office's; bad ones name their field.
        let r = app.call(DEADLINES, &[("general", "120"), ("larger", "60"), ("major", "30"), ("grave", "15")], Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        for (form, field) in [
            ([("general", "60"), ("larger", "90"), ("major", "30"), ("grave", "15")], "field.deadline_larger"),
            ([("general", "120"), ("larger", "60"), ("major", "0"), ("grave", "15")], "field.deadline_major"),
            ([("general", "99999999999999999999"), ("larger", "60"), ("major", "30"), ("grave", "15")], "field.deadline_general"),
        ] {
            let r = app.call(DEADLINES, &form, Some(&assessor)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}");
            assert!(r.body.contains(field), "{}", r.body);
        }
        assert_eq!(count(db, "SELECT COUNT(*) FROM incident_deadlines").await, 0);
        deadlines(&app, &assessor).await;
        assert_eq!(audited(db, "incident_deadlines.save").await, 1);

        // Bad 首报s name the field and keep nothing.
        let four_hours_ago = local(now - 4 * 3600);
        for (key, value, field) in [
            ("occurred_at", local(now + 3600), "field.occurred_at"),
            ("occurred_at", "昨天".to_string(), "field.occurred_at"),
            ("title", String::new(), "field.title"),
            ("injured", "99999999999".to_string(), "field.injured"),
            ("level", "huge".to_string(), "field.level"),
        ] {
            let mut form = first_form("major", &four_hours_ago, "化工厂储罐泄漏");
            form.retain(|(k, _)| *k != key);
            form.push((key, &value));
            let r = app.call(FIRST, &form, Some(&trainee)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{key}={value}: {}", r.body);
            assert!(r.body.contains(field), "{}", r.body);
        }
        // Someone of no unit may not file.
        let r = app.call(FIRST, &first_form("major", &four_hours_ago, "化工厂储罐泄漏"), Some(&organizer)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(count(db, "SELECT COUNT(*) FROM unit_incidents").await, 0);

        // A 重大 incident reported after 240 minutes (30 allowed): late, an
        // event with the incident as its source, with no scheme at all.
        assert_eq!(count(db, "SELECT COUNT(*) FROM assessment_schemes").await, 0);
        let id: i64 = call_ok(&app, FIRST, &first_form("major", &four_hours_ago, "化工厂储罐泄漏"), &trainee).await;
        let (event, unit, source): (String, i64, String) = sqlx::query_as("SELECT event, unit_id, source FROM assessment_events")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!((event.as_str(), unit, source), ("late_report", jd, format!("unit_incident:{id}")));
        let d: IncidentDetail = call_ok(&app, DETAIL, &[("id", &id.to_string())], &trainee).await;
        assert!(d.head.first_late() && d.head.event_id.is_some() && d.may_report && !d.may_ask, "{d:?}");
        // A 一般 one 30 minutes after: in time, no event.
        let on_time: i64 = call_ok(&app, FIRST, &first_form("general", &local(now - 1800), "路面塌陷"), &trainee).await;
        assert_eq!(count(db, "SELECT COUNT(*) FROM assessment_events").await, 1);
        let d: IncidentDetail = call_ok(&app, DETAIL, &[("id", &on_time.to_string())], &assessor).await;
        assert!(!d.head.first_late() && d.head.event_id.is_none() && !d.may_report && d.may_ask, "{d:?}");

        // 续报, then one 终报; nothing after it but a 核报 answer, and that only
        // when asked; only the unit's own people report.
        let i = id.to_string();
        let follow = |stage: &'static str, text: &'static str| vec![("id", i.clone()), ("stage", stage.to_string()), ("text", text.to_string()), ("injured", "3".to_string()), ("dead", "0".to_string())];
        let r = app.call(FOLLOW, &pairs(&owned_vec(follow("update", "泄漏已堵住"))), Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.call(FOLLOW, &pairs(&owned_vec(follow("verify", "核实如下"))), Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("problem.no_verification"), "{}", r.body);
        let r = app.call(FOLLOW, &pairs(&owned_vec(follow("update", "泄漏已堵住"))), Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.call(FOLLOW, &pairs(&owned_vec(follow("final", "处置完毕,3 人轻伤"))), Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        for stage in ["update", "final"] {
            let r = app.call(FOLLOW, &pairs(&owned_vec(follow(stage, "再报"))), Some(&trainee)).await;
            assert_eq!(r.status, StatusCode::CONFLICT, "{stage}");
            assert!(r.body.contains("problem.incident_closed"), "{}", r.body);
        }
        let d: IncidentDetail = call_ok(&app, DETAIL, &[("id", &i)], &trainee).await;
        let stages: Vec<Stage> = d.reports.iter().map(|r| r.stage).collect();
        assert_eq!(stages, [Stage::First, Stage::Update, Stage::Final]);
        assert!(d.head.closed_at.is_some());
        assert_eq!(d.reports[2].injured, 3);
        // The list: the open one first.
        let p: IncidentsPage = call_ok(&app, PAGE, &[], &assessor).await;
        assert_eq!(p.incidents.iter().map(|x| x.id).collect::<Vec<_>>(), vec![on_time, id]);
    }

    async fn a_verification_is_asked_once_and_counted_late_once_when_overdue(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd2 = next_subdistrict(db).await;
        let assessor = app.login("assessor").await;
        let organizer = app.login("organizer").await;
        let trainee = app.login("trainee").await;
        let next_door = add_account(&app, "assessor_jd02", Role::Assessor, Some(jd2), None).await;
        deadlines(&app, &assessor).await;
        let now = app.state.clock.now_secs();
        let id: i64 = call_ok(&app, FIRST, &first_form("general", &local(now - 600), "路面塌陷"), &trainee).await;
        let i = id.to_string();

        // Only the office within its reach asks; a due time ahead and
        // within a week, and a question.
        let due = local(now + 2 * 3600);
        for who in [&next_door, &organizer, &trainee] {
            let r = app.call(ASK, &[("id", &i), ("question", "请核实伤亡"), ("due_at", &due)], Some(who)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        }
        assert_eq!(app.call(DETAIL, &[("id", &i)], Some(&next_door)).await.status, StatusCode::FORBIDDEN);
        for (question, due_at, field) in [
            ("请核实伤亡", local(now - 60), "field.due_at"),
            ("请核实伤亡", local(now + 8 * 86_400), "field.due_at"),
            ("请核实伤亡", "明天".to_string(), "field.due_at"),
            ("", due.clone(), "field.question"),
        ] {
            let r = app.call(ASK, &[("id", &i), ("question", question), ("due_at", &due_at)], Some(&assessor)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{due_at}");
            assert!(r.body.contains(field), "{}", r.body);
        }
        assert_eq!(count(db, "SELECT COUNT(*) FROM unit_incident_verifications").await, 0);
        let r = app.call(ASK, &[("id", &i), ("question", "请核实伤亡"), ("due_at", &due)], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let again = app.call(ASK, &[("id", &i), ("question", "再次核实"), ("due_at", &due)], Some(&assessor)).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.body.contains("problem.verification_open"), "{}", again.body);
        assert_eq!(count(db, "SELECT COUNT(*) FROM notifications WHERE message_key = 'notice.incident_verification'").await, 1);
        let p: IncidentsPage = call_ok(&app, PAGE, &[], &trainee).await;
        assert!(p.incidents[0].waiting.is_some());

        // Not yet due: nothing. Three hours on, unanswered: one event, once.
        assert_eq!(settle(db, app.state.clock.now_secs()).await.unwrap(), 0);
        // Half a minute after the due time an answer may still be committing.
        let due_at = app::domain::local_instant(&due).unwrap();
        assert_eq!(settle(db, due_at + 30).await.unwrap(), 0);
        app.state.clock.advance(3 * 3600);
        let later = app.state.clock.now_secs();
        assert_eq!(settle(db, later).await.unwrap(), 1);
        assert_eq!(settle(db, later + 60).await.unwrap(), 0);
        let sources: Vec<String> = sqlx::query_scalar("SELECT source FROM assessment_events WHERE event = 'late_report'").fetch_all(&db.pool).await.unwrap();
        assert_eq!(sources, vec![format!("unit_incident:{id}")]);

        // Answered late: kept, not counted again; a second answer refused.
        let answer = [("id", i.as_str()), ("stage", "verify"), ("text", "核实:无人员伤亡"), ("injured", "0"), ("dead", "0")];
        let trainee = app.login("trainee").await;
        let r = app.call(FOLLOW, &answer, Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.call(FOLLOW, &answer, Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(count(db, "SELECT COUNT(*) FROM assessment_events").await, 1);

        // A second request answered after its due time, before any timer
        // run: counted late as the answer comes in.
        let assessor = app.login("assessor").await;
        let r = app.call(ASK, &[("id", &i), ("question", "补充核实处置情况"), ("due_at", &local(later + 3600))], Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        app.state.clock.advance(2 * 3600);
        let trainee = app.login("trainee").await;
        let r = app.call(FOLLOW, &answer, Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(count(db, "SELECT COUNT(*) FROM assessment_events").await, 2);
        assert_eq!(settle(db, app.state.clock.now_secs()).await.unwrap(), 0);
        let d: IncidentDetail = call_ok(&app, DETAIL, &[("id", &i)], &trainee).await;
        assert_eq!(d.verifications.len(), 2);
        assert!(d.verifications.iter().all(|v| v.late_at.is_some() && v.answered_at.is_some() && v.event_id.is_some()), "{:?}", d.verifications);
    }

    async fn the_office_rules_on_a_level_declared_too_low_and_the_lateness_follows(db: Db) {
        let app = TestApp::on(db).await;
        let db = &app.state.db;
        let jd = app.district.units["JD01"];
        let jd2 = next_subdistrict(db).await;
        let assessor = app.login("assessor").await;
        let organizer = app.login("organizer").await;
        let trainee = app.login("trainee").await;
        let admin = app.login("admin").await;
        let next_door = add_account(&app, "assessor_jd02", Role::Assessor, Some(jd2), None).await;
        crate::common::training::staff(db, jd, "S", 1, 0).await;
        let own = add_account(&app, "assessor-s00", Role::Assessor, None, Some("S-00")).await;
        deadlines(&app, &assessor).await;
        let now = app.state.clock.now_secs();

        // Declared 一般 (120 minutes) an hour after it happened: on time.
        let hour_ago = local(now - 3600);
        let id: i64 = call_ok(&app, FIRST, &first_form("general", &hour_ago, "化工厂储罐泄漏"), &trainee).await;
        let ids = id.to_string();
        assert_eq!(count(db, "SELECT COUNT(*) FROM assessment_events").await, 0);
        let d: IncidentDetail = call_ok(&app, DETAIL, &[("id", &ids)], &assessor).await;
        assert!(d.may_rule && d.head.ruling.is_none(), "{d:?}");

        // Who moves no figure may not rule: an organizer, an admin, the
        // next subdistrict's assessor (403), the unit's own assessor (409).
        let form = |level: &str, at: String, why: &str| owned(&[("id", &ids), ("level", level), ("occurred_at", &at), ("reason", why)]);
        let ruling = form("major", hour_ago.clone(), "现场核实：储罐泄漏已致人员疏散，实为重大");
        for who in [&organizer, &admin, &next_door] {
            let r = app.call(RULE, &pairs(&ruling), Some(who)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        }
        let r = app.call(RULE, &pairs(&ruling), Some(&own)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("problem.own_unit_clear"), "{}", r.body);
        // Bad input names its field and changes nothing: a time after the
        // 首报, a level that is none, no reason.
        for (bad, field) in [
            (form("major", local(now + 3600), "核实"), "field.occurred_at"),
            (form("huge", hour_ago.clone(), "核实"), "field.level"),
            (form("major", hour_ago.clone(), " "), "field.reason"),
        ] {
            let r = app.call(RULE, &pairs(&bad), Some(&assessor)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(r.body.contains(field), "{}", r.body);
        }
        assert_eq!(audited(db, "unit_incident.rule").await, 0);

        // Ruled 重大 (30 minutes): the 首报 an hour after was late, counted
        // now with the incident as its source.
        call_ok::<()>(&app, RULE, &pairs(&ruling), &assessor).await;
        let (event, unit, source, text): (String, i64, String, String) = sqlx::query_as("SELECT event, unit_id, source, description FROM assessment_events")
            .fetch_one(&db.pool).await.unwrap();
        assert_eq!((event.as_str(), unit, source.as_str()), ("late_report", jd, format!("unit_incident:{id}").as_str()));
        assert!(text.contains("核定"), "{text}");
        let d: IncidentDetail = call_ok(&app, DETAIL, &[("id", &ids)], &trainee).await;
        let r = d.head.ruling.clone().expect("ruled");
        assert!(r.level == app::domain::incident::Level::Major && r.by == "assessor" && d.head.first_late() && d.head.event_id.is_some(), "{d:?}");
        assert!(!d.may_rule, "the unit's own people do not rule");
        // Ruled again the same: still one event.
        call_ok::<()>(&app, RULE, &pairs(&ruling), &assessor).await;
        assert_eq!(count(db, "SELECT COUNT(*) FROM assessment_events").await, 1);
        // Ruled earlier still (two hours ago), still late: the event is put
        // anew, stating the facts it was counted by.
        let two_hours = now - 7200;
        call_ok::<()>(&app, RULE, &pairs(&form("major", local(two_hours), "复核：报警记录显示两小时前发生")), &assessor).await;
        let texts: Vec<String> = sqlx::query_scalar("SELECT description FROM assessment_events").fetch_all(&db.pool).await.unwrap();
        assert_eq!(texts.len(), 1);
        assert!(texts[0].contains(&app::domain::local_time(two_hours)) && texts[0].contains("核定"), "{texts:?}");

        // Ruled back to 一般 (new facts): no longer late, the event is
        // withdrawn, the change log naming the incident.
        call_ok::<()>(&app, RULE, &pairs(&form("general", hour_ago.clone(), "复核：影响有限，维持一般")), &assessor).await;
        assert_eq!(count(db, "SELECT COUNT(*) FROM assessment_events").await, 0);
        let source: String = sqlx::query_scalar("SELECT source FROM assessment_changes WHERE unit_id = $1 AND cause = 'event_removed'")
            .bind(jd).fetch_one(&db.pool).await.unwrap();
        assert_eq!(source, format!("unit_incident:{id}"));
        assert_eq!(audited(db, "unit_incident.rule").await, 4);
        let d: IncidentDetail = call_ok(&app, DETAIL, &[("id", &ids)], &assessor).await;
        assert!(!d.head.first_late() && d.head.event_id.is_none(), "{d:?}");
    }
}

fn owned_vec(v: Vec<(&str, String)>) -> Vec<(String, String)> {
    v.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}
