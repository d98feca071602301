//! Training rotations through the real router on both databases: courses
//! and plans from their forms, the scheduler spreading a duty desk, moves
//! that need an override, publishing with notices, the quiz graded on the
//! server, attendance and completion feeding the coverage metric, self
//! sign-up under concurrency, clearance for post and the calendar feed.

use app::areas::training::api;
use app::domain::account::Role;
use app::platform::Actor;

use crate::common::training::*;
use crate::common::*;
use app::model::{MyTraining, PlanRoster, Study};
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;

const SAVE_COURSE: &str = <api::SaveCourse as ServerFn>::PATH;
const SAVE_PLAN: &str = <api::SavePlan as ServerFn>::PATH;
const ROSTER: &str = <api::GetPlanRoster as ServerFn>::PATH;
const RUN: &str = <api::RunScheduler as ServerFn>::PATH;
const MOVE: &str = <api::MoveSeat as ServerFn>::PATH;
const PUBLISH: &str = <api::PublishPlan as ServerFn>::PATH;
const ATTEND: &str = <api::MarkAttendance as ServerFn>::PATH;
const MINE: &str = <api::GetMyTraining as ServerFn>::PATH;
const STUDY: &str = <api::GetStudy as ServerFn>::PATH;
const SUBMIT: &str = <api::SubmitQuiz as ServerFn>::PATH;
const SIGN_UP: &str = <api::SignUp as ServerFn>::PATH;
const ADD_LEAVE: &str = <api::AddLeave as ServerFn>::PATH;

on_both_databases! {
    async fn a_stored_position_or_notice_that_does_not_read_back_is_an_error_never_an_empty_default(db: Db) {
        let app = TestApp::on(db).await;
        relax(&app).await;
        let admin = app.login("admin").await;
        let trainee = app.login("trainee").await;
        let course = create(&app, &admin, SAVE_COURSE, &course_form("YJ", "early_warning", "em_staff")).await;
        let plan = create(&app, &admin, SAVE_PLAN, &plan_form("LX", course, false, "20")).await;
        let r = app.call(ROSTER, &[("id", &plan.to_string())], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.json::<PlanRoster>().targets > 0, "people hold em_staff");
        // A position code written into the table by hand: the rotation
        // used to target nobody (or fail with `WHERE ()`) without a word.
        sqlx::query("UPDATE training_plans SET positions = '|em_staff|emperor|' WHERE id = $1")
            .bind(plan)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        let r = app.call(ROSTER, &[("id", &plan.to_string())], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
        assert!(!r.body.contains("emperor"), "internals stay in the log: {}", r.body);
        // A notice whose arguments do not read back: the trainee's page
        // says so instead of showing the notice without its facts.
        let r = app.call(MINE, &[], Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let person: i64 = sqlx::query_scalar("SELECT id FROM people WHERE code = 'P1'").fetch_one(&app.state.db.pool).await.unwrap();
        sqlx::query("INSERT INTO notifications (person_id, message_key, args, link, created_at) VALUES ($1, 'notice.completed', '{not json', '/my/training', 1)")
            .bind(person)
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        let r = app.call(MINE, &[], Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    }

    async fn the_scheduler_spreads_a_duty_desk_and_breaking_a_rule_needs_an_override(db: Db) {
        let app = TestApp::on(db).await;
        let ga = app.district.units["GA"];
        // 公安: 10 staff, 7 must stay on duty: at most 3 away per batch, so
        // three batches take nine of them.
        staff(&app.state.db, ga, "GA", 9, 7).await;
        relax(&app).await;
        let admin = app.login("admin").await;
        let course = create(&app, &admin, SAVE_COURSE, &course_form("YJ", "early_warning", "em_staff")).await;
        let plan = create(&app, &admin, SAVE_PLAN, &plan_form("LX", course, false, "20")).await;

        let r = app.call(RUN, &[("id", &plan.to_string())], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let roster: PlanRoster = app.call(ROSTER, &[("id", &plan.to_string())], Some(&admin)).await.json();
        // Nine of GA (three per batch) and 城关街道's P1 are placed; the
        // tenth of GA is told why not.
        assert_eq!(roster.seats.len(), 10, "{:?}", roster.unplaced);
        for b in &roster.batches {
            let away = roster.seats.iter().filter(|s| s.batch_id == b.id && s.unit_code == "GA").count();
            assert_eq!(away, 3, "batch {} takes {away} of GA", b.code);
            assert_eq!(b.taken, roster.seats.iter().filter(|s| s.batch_id == b.id).count() as i64);
        }
        assert_eq!(roster.unplaced.len(), 1);
        assert!(roster.unplaced[0].reason.contains("GA"), "{}", roster.unplaced[0].reason);
        let full = &roster.batches[0];
        let mover = &roster.unplaced[0];
        let form = [
            ("plan_id", plan.to_string()),
            ("person_id", mover.person_id.to_string()),
            ("batch_id", full.id.to_string()),
        ];
        let f: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.call(MOVE, &f, Some(&admin)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("problem.duty_limit"), "{}", r.body);
        // An override without a reason is refused; with one it is audited.
        let mut forced = f.clone();
        forced.push(("force", "on"));
        let r = app.call(MOVE, &forced, Some(&admin)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        forced.push(("reason", "值班已另行安排"));
        let r = app.call(MOVE, &forced, Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(audited(&app.state.db, "seat.override").await, 1);
        let roster: PlanRoster = app.call(ROSTER, &[("id", &plan.to_string())], Some(&admin)).await.json();
        let moved = roster.seats.iter().find(|s| s.person_id == mover.person_id).unwrap();
        assert_eq!((moved.batch_id, moved.source.as_str()), (full.id, "override"));

        // Publishing tells each trainee; the plan then refuses a rerun.
        let r = app.call(PUBLISH, &[("id", &plan.to_string())], Some(&admin)).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "11"), "ten placed and the override");
        let r = app.call(RUN, &[("id", &plan.to_string())], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let trainee = app.login("trainee").await;
        let mine: MyTraining = app.call(MINE, &[], Some(&trainee)).await.json();
        assert_eq!(mine.seats.len(), 1);
        assert_eq!(mine.notices[0].message_key, "notice.seat_published");

        // A trainee may not touch the roster.
        let r = app.call(RUN, &[("id", &plan.to_string())], Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }

    async fn leave_keeps_a_trainee_out_of_batches_it_meets(db: Db) {
        let app = TestApp::on(db).await;
        relax(&app).await;
        let admin = app.login("admin").await;
        let course = create(&app, &admin, SAVE_COURSE, &course_form("YJ", "early_warning", "em_staff")).await;
        let plan = create(&app, &admin, SAVE_PLAN, &plan_form("LX", course, false, "5")).await;
        let leave = |start: &'static str, end: &'static str| {
            [("person_code", "P1"), ("start", start), ("end", end), ("reason", "病假")]
        };
        let r = app.call(ADD_LEAVE, &leave("2027-04-06", "2027-04-01"), Some(&admin)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("field.end"));
        // P1 is away for the first two batches.
        let r = app.call(ADD_LEAVE, &leave("2027-04-01", "2027-04-12"), Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        app.call(RUN, &[("id", &plan.to_string())], Some(&admin)).await;
        let roster: PlanRoster = app.call(ROSTER, &[("id", &plan.to_string())], Some(&admin)).await.json();
        let p1 = roster.seats.iter().find(|s| s.person_code == "P1").unwrap();
        let b3 = roster.batches.iter().find(|b| b.code == "B3").unwrap();
        assert_eq!(p1.batch_id, b3.id);
    }

    async fn the_quiz_is_graded_on_the_server_and_completion_feeds_the_coverage_metric(db: Db) {
        let app = TestApp::on(db).await;
        relax(&app).await;
        let admin = app.login("admin").await;
        let course = create(&app, &admin, SAVE_COURSE, &course_form("YJ", "early_warning", "em_staff")).await;
        let plan = create(&app, &admin, SAVE_PLAN, &plan_form("LX", course, false, "5")).await;
        app.call(RUN, &[("id", &plan.to_string())], Some(&admin)).await;
        app.call(PUBLISH, &[("id", &plan.to_string())], Some(&admin)).await;
        let trainee = app.login("trainee").await;

        let r = app.call(STUDY, &[("plan_id", &plan.to_string())], Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(!r.body.contains("correct"), "answers leaked: {}", r.body);
        let study: Study = r.json();
        assert!(study.lessons[0].1.contains("&lt;script&gt;"), "{}", study.lessons[0].1);
        assert!(!study.lessons[0].1.contains("<script>"));

        // Unanswered, then wrong (one of two), then right.
        let p = plan.to_string();
        let r = app.call(SUBMIT, &[("plan_id", &p), ("picks[q0]", "0:0")], Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = app.call(SUBMIT, &[("plan_id", &p), ("picks[q0]", "0:0"), ("picks[q1c0]", "1:0")], Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("\"passed\":false"), "{}", r.body);
        let r = app
            .call(SUBMIT, &[("plan_id", &p), ("picks[q0]", "0:0"), ("picks[q1c0]", "1:0"), ("picks[q1c2]", "1:2")], Some(&trainee))
            .await;
        assert!(r.body.contains("\"passed\":true"), "{}", r.body);
        let r = app.call(SUBMIT, &[("plan_id", &p), ("picks[q0]", "0:0"), ("picks[q1c0]", "1:0")], Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);

        // Passed but not attended: not completed; attendance completes it.
        let study: Study = app.call(STUDY, &[("plan_id", &p)], Some(&trainee)).await.json();
        assert_eq!((study.completed_on, study.attempts.len()), (None, 2));
        let roster: PlanRoster = app.call(ROSTER, &[("id", &p)], Some(&admin)).await.json();
        let seat = roster.seats.iter().find(|s| s.person_code == "P1").unwrap().clone();
        let key = format!("present[{}]", seat.person_id);
        let r = app
            .call(ATTEND, &[("batch_id", &seat.batch_id.to_string()), (&key, "on")], Some(&admin))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let study: Study = app.call(STUDY, &[("plan_id", &p)], Some(&trainee)).await.json();
        assert!(study.completed_on.is_some());
        let metric: (i64, i64) = sqlx::query_as(
            "SELECT numerator, denominator FROM assessment_metrics WHERE metric = 'training_coverage' AND unit_id = $1 AND year = 2027",
        )
        .bind(app.district.units["JD01"])
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
        assert_eq!(metric, (1, 1));

        // The batch attended credits the course's 8 hours (学时), on the
        // trainee's page and in the per-person export.
        let mine: MyTraining = app.call(MINE, &[], Some(&trainee)).await.json();
        assert_eq!(mine.hours.iter().map(|h| (h.year, h.hours)).collect::<Vec<_>>(), [(2027, 8)]);
        let page = app.get("/my/training", Some(&trainee)).await;
        assert!(page.body.contains("2027 年共 8 学时"), "{}", page.body);
        let csv = app.get("/training/coverage/2027.csv", Some(&admin)).await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
        assert!(csv.body.contains("2027 年培训覆盖") && csv.body.contains("学时"), "{}", csv.body);
        assert!(csv.body.contains("JD01,城关街道,P1,王建国,1,1,8\r\n"), "{}", csv.body);
        assert_eq!(audited(&app.state.db, "export.training_coverage").await, 1);
        assert_eq!(app.get("/training/coverage/2027.csv", Some(&trainee)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get("/training/coverage/2027.csv", None).await.status, StatusCode::UNAUTHORIZED);

        // The feed lists the batch; a wrong secret finds nothing.
        let feed = app.get(&mine.calendar_url, None).await;
        assert_eq!(feed.status, StatusCode::OK);
        assert!(feed.body.contains("BEGIN:VEVENT") && feed.body.contains("DTSTART;VALUE=DATE:2027"), "{}", feed.body);
        assert_eq!(app.get("/calendar/nothing.ics", None).await.status, StatusCode::NOT_FOUND);
    }

    async fn fifty_concurrent_sign_ups_for_ten_seats_take_exactly_ten(db: Db) {
        let app = TestApp::on(db).await;
        let ga = app.district.units["GA"];
        let people = staff(&app.state.db, ga, "GA", 60, 0).await;
        let admin = app.login("admin").await;
        let course = create(&app, &admin, SAVE_COURSE, &course_form("YJ", "early_warning", "em_staff")).await;
        let plan = create(&app, &admin, SAVE_PLAN, &plan_form("LX", course, true, "10")).await;
        app.call(PUBLISH, &[("id", &plan.to_string())], Some(&admin)).await;
        let roster: PlanRoster = app.call(ROSTER, &[("id", &plan.to_string())], Some(&admin)).await.json();
        let batch = roster.batches[0].id.to_string();
        // Fifty trainees with sessions (made directly: hashing fifty
        // passwords would only slow the test).
        let hash = app::areas::accounts::password::PasswordHash::new(PASSWORD);
        let mut cookies = Vec::new();
        for (i, person) in people.iter().take(50).enumerate() {
            let mut tx = app.state.db.pool.begin().await.unwrap();
            let account = app::areas::accounts::store::accounts::create(
            &mut app::platform::Write::within(&mut tx, &Actor::system("test"), 1),
            app::areas::accounts::store::accounts::NewAccount {
                    username: &format!("t{i}"),
                    display_name: "t",
                    hash: &hash,
                    grants: &[(Role::Trainee, None)],
                    person_id: Some(*person),
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            let token = app::areas::accounts::store::sessions::create(&app.state.db.pool, account, app.state.clock.now_secs())
                .await
                .unwrap();
            cookies.push(format!("yingji_session={token}"));
        }
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for cookie in cookies {
            let app = app.clone();
            let batch = batch.clone();
            tasks.push(tokio::spawn(async move {
                app.call(SIGN_UP, &[("batch_id", &batch)], Some(&cookie)).await.status
            }));
        }
        let mut ok = 0;
        let mut full = 0;
        for t in tasks {
            match t.await.unwrap() {
                StatusCode::OK => ok += 1,
                StatusCode::CONFLICT => full += 1,
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!((ok, full), (10, 40));
        let seats: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM training_seats WHERE batch_id = $1")
            .bind(batch.parse::<i64>().unwrap())
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        let taken: i64 = sqlx::query_scalar("SELECT taken FROM training_batches WHERE id = $1")
            .bind(batch.parse::<i64>().unwrap())
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!((seats, taken), (10, 10));
    }

    async fn an_enterprise_worker_is_not_cleared_for_post_until_passing(db: Db) {
        let app = TestApp::on(db).await;
        relax(&app).await;
        let admin = app.login("admin").await;
        // P1 becomes an enterprise worker; a safety course is aimed at them.
        sqlx::query("UPDATE people SET positions = '|enterprise_worker|' WHERE code = 'P1'")
            .execute(&app.state.db.pool)
            .await
            .unwrap();
        let mut form = course_form("AQ", "enterprise_safety", "enterprise_worker");
        form.retain(|(k, _)| !k.starts_with("form[questions][1]"));
        let course = create(&app, &admin, SAVE_COURSE, &form).await;
        let mut plan = plan_form("AQ", course, false, "5");
        plan.retain(|(k, _)| k != "form[positions][em_staff]");
        plan.push(("form[positions][enterprise_worker]".into(), "on".into()));
        let plan = create(&app, &admin, SAVE_PLAN, &plan).await;
        let trainee = app.login("trainee").await;
        let mine: MyTraining = app.call(MINE, &[], Some(&trainee)).await.json();
        assert_eq!(mine.cleared, Some(false));
        let listed = app.call(LIST_PEOPLE, &[("q", "P1")], Some(&admin)).await;
        assert!(listed.body.contains("\"cleared\":false"), "{}", listed.body);

        app.call(RUN, &[("id", &plan.to_string())], Some(&admin)).await;
        app.call(PUBLISH, &[("id", &plan.to_string())], Some(&admin)).await;
        let roster: PlanRoster = app.call(ROSTER, &[("id", &plan.to_string())], Some(&admin)).await.json();
        let seat = roster.seats[0].clone();
        assert_eq!(seat.cleared, Some(false));
        let key = format!("present[{}]", seat.person_id);
        app.call(ATTEND, &[("batch_id", &seat.batch_id.to_string()), (&key, "on")], Some(&admin)).await;
        let r = app.call(SUBMIT, &[("plan_id", &plan.to_string()), ("picks[q0]", "0:0")], Some(&trainee)).await;
        assert!(r.body.contains("\"passed\":true"), "{}", r.body);
        let mine: MyTraining = app.call(MINE, &[], Some(&trainee)).await.json();
        assert_eq!(mine.cleared, Some(true));
        let listed = app.call(LIST_PEOPLE, &[("q", "P1")], Some(&admin)).await;
        assert!(listed.body.contains("\"cleared\":true"), "{}", listed.body);
    }

    async fn a_trainee_is_offered_only_the_batches_of_plans_meant_for_them(db: Db) {
        let app = TestApp::on(db).await;
        relax(&app).await;
        let admin = app.login("admin").await;
        let course = create(&app, &admin, SAVE_COURSE, &course_form("YJ", "early_warning", "em_staff")).await;
        // For emergency staff, open to sign-up: offered (P1 is emergency staff).
        let open = create(&app, &admin, SAVE_PLAN, &plan_form("OPEN", course, true, "10")).await;
        // For enterprise workers: not P1's position.
        let mut other = plan_form("OTHER", course, true, "10");
        other.retain(|(k, _)| k != "form[positions][em_staff]");
        other.push(("form[positions][enterprise_worker]".into(), "on".into()));
        let other = create(&app, &admin, SAVE_PLAN, &other).await;
        // Not open to sign-up, and one not yet published.
        let closed = create(&app, &admin, SAVE_PLAN, &plan_form("CLOSED", course, false, "10")).await;
        let draft = create(&app, &admin, SAVE_PLAN, &plan_form("DRAFT", course, true, "10")).await;
        for plan in [open, other, closed] {
            let r = app.call(PUBLISH, &[("id", &plan.to_string())], Some(&admin)).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let _ = draft;
        let trainee = app.login("trainee").await;
        let mine: MyTraining = app.call(MINE, &[], Some(&trainee)).await.json();
        let offered: Vec<(String, String)> =
            mine.open.iter().map(|o| (o.batch.code.clone(), o.plan_name.clone())).collect();
        assert_eq!(offered.len(), 3, "{offered:?}");
        assert!(mine.open.iter().all(|o| o.batch.plan_id == open), "{offered:?}");
        // Signed up: that plan is offered no more.
        let first = mine.open[0].batch.id.to_string();
        let r = app.call(SIGN_UP, &[("batch_id", &first)], Some(&trainee)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mine: MyTraining = app.call(MINE, &[], Some(&trainee)).await.json();
        assert!(mine.open.is_empty(), "{:?}", mine.open);
    }

}
