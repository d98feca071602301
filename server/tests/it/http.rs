//! The real router, driven with requests as a browser sends them, on both
//! databases: signing in and out, slow-down and lock-out, 401 and 403,
//! cross-site writes, session expiry, imports, scope.

use crate::common::*;
use app::domain::authz::Principal;
use app::model::{Account, ImportPreview, Page, Person};
use axum::http::StatusCode;

on_both_databases! {
    async fn signing_in_sets_a_safe_cookie_and_a_new_id_each_time(db: Db) {
        let app = TestApp::on(db).await;
        let r = app.call(LOGIN, &[("username", "Admin"), ("password", PASSWORD)], None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let header = r.set_cookie_header("yingji_session").unwrap();
        assert!(header.contains("HttpOnly"), "{header}");
        assert!(header.contains("SameSite=Lax"), "{header}");
        assert!(!header.contains("Secure"), "not configured: {header}");
        let first = r.cookie("yingji_session").unwrap();
        let me: Option<Principal> = app.call(CURRENT_USER, &[], Some(&first)).await.json();
        assert_eq!(me.unwrap().username, "admin");
        // Signing in again (with the old cookie) gives a new session and ends the old one.
        let r = app.call(LOGIN, &[("username", "admin"), ("password", PASSWORD)], Some(&first)).await;
        let second = r.cookie("yingji_session").unwrap();
        assert_ne!(first, second);
        let old: Option<Principal> = app.call(CURRENT_USER, &[], Some(&first)).await.json();
        assert!(old.is_none());
        // Signing out ends the session.
        let r = app.call(LOGOUT, &[], Some(&second)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.set_cookie_header("yingji_session").unwrap().contains("Max-Age=0"));
        let gone: Option<Principal> = app.call(CURRENT_USER, &[], Some(&second)).await.json();
        assert!(gone.is_none());
    }

    async fn the_password_hash_never_reaches_the_browser(db: Db) {
        let app = TestApp::on(db).await;
        let admin = app.login("admin").await;
        let r = app.call(LIST_ACCOUNTS, &[], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(!r.body.contains("argon2"), "{}", r.body);
        let me = app.call(CURRENT_USER, &[], Some(&admin)).await;
        assert!(!me.body.contains("argon2"));
    }

    async fn repeated_wrong_passwords_slow_down_then_lock_the_name(db: Db) {
        let app = TestApp::on(db).await;
        let wrong = [("username", "trainee"), ("password", "wrong-password-1")];
        let right = [("username", "trainee"), ("password", PASSWORD)];
        for _ in 0..3 {
            assert_eq!(app.call(LOGIN, &wrong, None).await.status, StatusCode::UNAUTHORIZED);
        }
        // Right away, even the right password is refused: wait first.
        let r = app.call(LOGIN, &right, None).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert!(r.body.contains("Throttled"), "{}", r.body);
        app.state.clock.advance(2);
        assert_eq!(app.call(LOGIN, &right, None).await.status, StatusCode::OK);
        // Six failures in a row lock the name for a quarter of an hour.
        for _ in 0..6 {
            app.state.clock.advance(100);
            app.call(LOGIN, &wrong, None).await;
        }
        let r = app.call(LOGIN, &right, None).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("\"locked\":true"), "{}", r.body);
        // Told how long to wait, as HTTP says it: the lock's quarter hour.
        let wait: i64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((14 * 60..=15 * 60).contains(&wait), "{wait}");
        app.state.clock.advance(14 * 60);
        assert_eq!(app.call(LOGIN, &right, None).await.status, StatusCode::TOO_MANY_REQUESTS);
        app.state.clock.advance(61);
        assert_eq!(app.call(LOGIN, &right, None).await.status, StatusCode::OK);
    }

    async fn server_functions_answer_401_without_a_session_and_403_for_the_wrong_role(db: Db) {
        let app = TestApp::on(db).await;
        assert_eq!(app.call(LIST_ACCOUNTS, &[], None).await.status, StatusCode::UNAUTHORIZED);
        let trainee = app.login("trainee").await;
        assert_eq!(app.call(LIST_ACCOUNTS, &[], Some(&trainee)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.call(LIST_PEOPLE, &[], Some(&trainee)).await.status, StatusCode::FORBIDDEN);
        let organizer = app.login("organizer").await;
        assert_eq!(app.call(LIST_ACCOUNTS, &[], Some(&organizer)).await.status, StatusCode::FORBIDDEN);
        let admin = app.login("admin").await;
        let list: Vec<Account> = app.call(LIST_ACCOUNTS, &[], Some(&admin)).await.json();
        assert_eq!(list.len(), 5);
    }

    async fn a_cross_site_post_is_refused_before_it_does_anything(db: Db) {
        let app = TestApp::on(db).await;
        let admin = app.login("admin").await;
        let form = [("username", "intruder"), ("display_name", "x"), ("password", "Strong-pass-2018"), ("roles[0]", "admin")];
        let r = app.call_with(CREATE_ACCOUNT, &form, Some(&admin), &[("origin", "http://evil.example")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.call_with(CREATE_ACCOUNT, &form, Some(&admin), &[("sec-fetch-site", "cross-site")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let list: Vec<Account> = app.call(LIST_ACCOUNTS, &[], Some(&admin)).await.json();
        assert!(list.iter().all(|a| a.username != "intruder"));
        // The same request from our own pages goes through.
        let r = app.call_with(CREATE_ACCOUNT, &form, Some(&admin), &[("origin", "http://127.0.0.1:3000"), ("sec-fetch-site", "same-origin")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    async fn an_idle_session_expires_and_an_old_one_expires_anyway(db: Db) {
        let app = TestApp::on(db).await;
        let cookie = app.login("assessor").await;
        let idle = app.state.settings.session.idle_secs;
        app.state.clock.advance(idle - 30);
        let me: Option<Principal> = app.call(CURRENT_USER, &[], Some(&cookie)).await.json();
        assert!(me.is_some(), "still active");
        app.state.clock.advance(idle - 30);
        let me: Option<Principal> = app.call(CURRENT_USER, &[], Some(&cookie)).await.json();
        assert!(me.is_some(), "activity keeps the session alive");
        app.state.clock.advance(idle);
        let me: Option<Principal> = app.call(CURRENT_USER, &[], Some(&cookie)).await.json();
        assert!(me.is_none(), "idle too long");
        let cookie = app.login("assessor").await;
        let absolute = app.state.settings.session.absolute_secs;
        let mut elapsed = 0;
        while elapsed + 1800 < absolute {
            app.state.clock.advance(1800);
            elapsed += 1800;
            let me: Option<Principal> = app.call(CURRENT_USER, &[], Some(&cookie)).await.json();
            assert!(me.is_some());
        }
        app.state.clock.advance(1800);
        let me: Option<Principal> = app.call(CURRENT_USER, &[], Some(&cookie)).await.json();
        assert!(me.is_none(), "past the absolute limit");
    }

    async fn disabling_an_account_ends_its_sessions_and_blocks_sign_in(db: Db) {
        let app = TestApp::on(db).await;
        let admin = app.login("admin").await;
        let trainee = app.login("trainee").await;
        let id = app.district.accounts["trainee"].to_string();
        let r = app.call(SET_DISABLED, &[("id", &id), ("disabled", "true")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let me: Option<Principal> = app.call(CURRENT_USER, &[], Some(&trainee)).await.json();
        assert!(me.is_none());
        // Refused like a wrong password: the answer does not tell that the password was right.
        let r = app.call(LOGIN, &[("username", "trainee"), ("password", PASSWORD)], None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert!(r.cookie("yingji_session").is_none());
        assert_eq!(audited(&app.state.db, "account.disable").await, 1);
    }

    async fn changing_a_password_checks_the_old_one_and_keeps_only_this_session(db: Db) {
        let app = TestApp::on(db).await;
        let here = app.login("organizer").await;
        let elsewhere = app.login("organizer").await;
        let bad = app.call(CHANGE_PASSWORD, &[("current", "nope"), ("new_password", "Quiet-river-2019"), ("confirm", "Quiet-river-2019")], Some(&here)).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let weak = app.call(CHANGE_PASSWORD, &[("current", PASSWORD), ("new_password", "short"), ("confirm", "short")], Some(&here)).await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
        let ok = app.call(CHANGE_PASSWORD, &[("current", PASSWORD), ("new_password", "Quiet-river-2019"), ("confirm", "Quiet-river-2019")], Some(&here)).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        let me: Option<Principal> = app.call(CURRENT_USER, &[], Some(&here)).await.json();
        assert!(me.is_some());
        let other: Option<Principal> = app.call(CURRENT_USER, &[], Some(&elsewhere)).await.json();
        assert!(other.is_none());
        let r = app.call(LOGIN, &[("username", "organizer"), ("password", "Quiet-river-2019")], None).await;
        assert_eq!(r.status, StatusCode::OK);
    }

    async fn a_scoped_organizer_manages_people_only_in_their_subtree(db: Db) {
        let app = TestApp::on(db).await;
        let organizer = app.login("organizer").await;
        let page: Page<Person> = app.call(LIST_PEOPLE, &[], Some(&organizer)).await.json();
        let names: Vec<&str> = page.items.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["王建国", "李秀英"]);
        assert_eq!(page.items[0].phone.as_deref(), Some("13812341234"), "organizers see phones they manage");
        let ga = app.district.units["GA"].to_string();
        let village = app.district.units["JD01-V1"].to_string();
        let outside = app.call(SAVE_PERSON, &[("code", "P9"), ("name", "赵敏"), ("unit_id", &ga)], Some(&organizer)).await;
        assert_eq!(outside.status, StatusCode::FORBIDDEN);
        let inside = app.call(SAVE_PERSON, &[("code", "P9"), ("name", "赵敏"), ("unit_id", &village), ("positions[0]", "quick_reporter"), ("positions[3]", "info_officer"), ("phone", "139 0000 1111")], Some(&organizer)).await;
        assert_eq!(inside.status, StatusCode::OK, "{}", inside.body);
        let bad_phone = app.call(SAVE_PERSON, &[("code", "P10"), ("name", "钱多"), ("unit_id", &village), ("phone", "12")], Some(&organizer)).await;
        assert_eq!(bad_phone.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad_phone.body.contains("field.phone"), "{}", bad_phone.body);
        let assessor = app.login("assessor").await;
        let page: Page<Person> = app.call(LIST_PEOPLE, &[("q", "赵敏")], Some(&assessor)).await.json();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].phone.as_deref(), Some("139****1111"), "assessors see masked phones");
        assert_eq!(page.items[0].positions, vec![app::domain::person::Position::QuickReporter, app::domain::person::Position::InfoOfficer]);
    }

    async fn units_are_created_and_moved_by_admins_only(db: Db) {
        let app = TestApp::on(db).await;
        let organizer = app.login("organizer").await;
        let form = [("code", "JD02"), ("name", "新城街道"), ("kind", "subdistrict"), ("min_on_duty", "3")];
        assert_eq!(app.call(SAVE_UNIT, &form, Some(&organizer)).await.status, StatusCode::FORBIDDEN);
        let admin = app.login("admin").await;
        let r = app.call(SAVE_UNIT, &form, Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let new_id: i64 = r.json();
        let dup = app.call(SAVE_UNIT, &form, Some(&admin)).await;
        assert_eq!(dup.status, StatusCode::CONFLICT);
        let bad = app.call(SAVE_UNIT, &[("code", "坏"), ("name", ""), ("kind", "subdistrict")], Some(&admin)).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let village = app.district.units["JD01-V1"].to_string();
        let r = app.call(MOVE_UNIT, &[("id", &village), ("parent_id", &new_id.to_string())], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.call(MOVE_UNIT, &[("id", &village), ("parent_id", "")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a village cannot stand alone");
    }

    async fn a_gbk_people_csv_is_previewed_then_imported_whole(db: Db) {
        let app = TestApp::on(db).await;
        let admin = app.login("admin").await;
        let me = app.state.db.pool.clone();
        let principal = app::areas::accounts::store::accounts::principal(&me, app.district.accounts["admin"]).await.unwrap().unwrap();
        let csv = "编号,姓名,单位编码,岗位,电话\r\nP100,欧阳建华,JD01,应急管理人员、信息员,13700001111\r\nP101,司马秀英,GA,专家,\r\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(csv);
        let token = app::areas::imports::service::stage_upload(&app.state, &principal, "people", "人员.csv", &gbk).await.unwrap();
        let preview: ImportPreview = app.call(PREVIEW_IMPORT, &[("token", &token)], Some(&admin)).await.json();
        assert!(preview.errors.is_empty(), "{:?}", preview.errors);
        assert_eq!(preview.total_rows, 2);
        assert_eq!(preview.sample[0].1[1], "欧阳建华");
        let other = app.login("organizer").await;
        assert_eq!(app.call(PREVIEW_IMPORT, &[("token", &token)], Some(&other)).await.status, StatusCode::NOT_FOUND, "a preview belongs to its uploader");
        let r = app.call(CONFIRM_IMPORT, &[("token", &token)], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json::<usize>(), 2);
        let page: Page<Person> = app.call(LIST_PEOPLE, &[("q", "司马")], Some(&admin)).await.json();
        assert_eq!(page.items[0].unit_name, "公安分局");
        let again = app.call(CONFIRM_IMPORT, &[("token", &token)], Some(&admin)).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "a confirmed import cannot run twice");
    }

    async fn the_home_page_counts_the_people_in_reach_and_by_position(db: Db) {
        let app = TestApp::on(db).await;
        let pool = app.state.db.pool.clone();
        let count = |sql: &'static str| {
            let pool = pool.clone();
            async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() }
        };
        let all = count("SELECT COUNT(*) FROM people").await;
        let no_phone = count("SELECT COUNT(*) FROM people WHERE phone IS NULL").await;
        let reporters = count("SELECT COUNT(*) FROM people WHERE positions LIKE '%|quick_reporter|%'").await;
        let in_jd01 = count("SELECT COUNT(*) FROM people pe JOIN units u ON u.id = pe.unit_id WHERE u.path LIKE (SELECT path FROM units WHERE code = 'JD01') || '%'").await;
        assert!(all > in_jd01 && in_jd01 > 0 && reporters > 0, "{all} {in_jd01} {reporters}");
        let figure = |home: &app::model::Home, key: &str| home.items.iter().find(|i| i.key == key).map(|i| i.count);
        let admin = app.login("admin").await;
        let home: app::model::Home = app.call(LOAD_HOME, &[("lang", "Zh")], Some(&admin)).await.json();
        assert_eq!(figure(&home, "home.people_in_reach"), Some(all));
        assert_eq!(figure(&home, "home.people_without_phone"), Some(no_phone));
        assert_eq!(figure(&home, "home.disabled_accounts"), Some(0));
        assert!(figure(&home, "home.changes_today").is_some());
        assert!(home.chart_svg.unwrap().starts_with("<svg"));
        // The chart's counts come from the same query.
        let summary = app::areas::directory::store::people::summary(&pool, &app::domain::authz::Reach::Everywhere).await.unwrap().unwrap();
        let by = |p| summary.by_position.iter().find(|(q, _)| *q == p).map(|(_, n)| *n);
        assert_eq!(by(app::domain::person::Position::QuickReporter), Some(reporters));
        assert_eq!(summary.by_position.len(), app::domain::person::Position::ALL.len());
        assert!(app::areas::directory::store::people::summary(&pool, &app::domain::authz::Reach::Nowhere).await.unwrap().is_none());
        // A scoped organizer counts only the subtree.
        let organizer = app.login("organizer").await;
        let home: app::model::Home = app.call(LOAD_HOME, &[("lang", "Zh")], Some(&organizer)).await.json();
        assert_eq!(figure(&home, "home.people_in_reach"), Some(in_jd01));
        assert_eq!(figure(&home, "home.disabled_accounts"), None);
    }

    async fn forms_work_without_javascript(db: Db) {
        let app = TestApp::on(db).await;
        let admin = app.login("admin").await;
        // What a browser sends for a plain form post from `page`.
        let post = |form: Vec<(&'static str, String)>, page: &'static str| {
            let app = &app;
            let admin = admin.clone();
            async move {
                let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let referer = format!("http://127.0.0.1:3000{page}");
                app.call_with(
                    SAVE_UNIT,
                    &pairs,
                    Some(&admin),
                    &[("accept", "text/html,application/xhtml+xml"), ("referer", &referer), ("sec-fetch-site", "same-origin")],
                )
                .await
            }
        };
        let unit = |code: &str, name: &str| vec![("code", code.to_string()), ("name", name.to_string()), ("kind", "subdistrict".to_string()), ("min_on_duty", "3".to_string())];
        // Saved: to the list the form names, which shows the new unit.
        let mut form = unit("JD07", "东湖街道");
        form.push(("__next", "/units".to_string()));
        let r = post(form, "/units/new").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let to = r.header("location");
        assert_eq!(to, "/units", "a form that shows no result has none carried");
        let list = app.get(&to, Some(&admin)).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("东湖街道"));
        // Refused: back to the form with the reason, said on the page.
        let mut bad = unit("JD07", "重复的编码");
        bad.push(("__next", "/units".to_string()));
        let r = post(bad, "/units/new").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let back = r.header("location");
        assert!(back.starts_with("/units/new?") && back.contains("__err="), "{back}");
        let page = app.get(&back, Some(&admin)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("role=\"alert\""), "the refusal is shown: {}", &page.body[page.body.len().saturating_sub(3000)..]);
        // A `__next` off this site is not followed.
        for evil in ["//evil.example/x", "https://evil.example/", "/\\evil.example"] {
            let mut form = unit(&format!("JD{}", evil.len()), "外链");
            form.push(("__next", evil.to_string()));
            let r = post(form, "/units/new").await;
            let to = r.header("location");
            assert!(to.starts_with("/units/new"), "{evil} → {to}");
        }
        // Answers to JavaScript are untouched: JSON, no redirect.
        let r = app.call(SAVE_UNIT, &[("code", "JD08"), ("name", "西湖街道"), ("kind", "subdistrict"), ("min_on_duty", "3"), ("__next", "/units")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.headers.get("location").is_none());
    }

    async fn an_import_confirmed_without_javascript_shows_its_count(db: Db) {
        let app = TestApp::on(db).await;
        let admin = app.login("admin").await;
        let principal = app::areas::accounts::store::accounts::principal(&app.state.db.pool, app.district.accounts["admin"]).await.unwrap().unwrap();
        let csv = "编号,姓名,单位编码,岗位,电话\r\nP300,欧阳春,JD01,,\r\nP301,司马夏,GA,,\r\nP302,上官秋,GA,,\r\n";
        let token = app::areas::imports::service::stage_upload(&app.state, &principal, "people", "人员.csv", csv.as_bytes()).await.unwrap();
        let page = format!("http://127.0.0.1:3000/import/{token}");
        let r = app.call_with(CONFIRM_IMPORT, &[("token", &token), ("__result", "1")], Some(&admin), &[("accept", "text/html"), ("referer", &page)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let to = r.header("location");
        let shown = app.get(&to, Some(&admin)).await;
        assert!(shown.body.contains("data-test=\"import-done\""), "{to}");
        assert!(shown.body.contains("已导入 3 条记录"));
        // The same address in another session shows no count.
        let organizer = app.login("organizer").await;
        let other = app.get(&to, Some(&organizer)).await;
        assert!(!other.body.contains("import-done"));
        // A forged value (the count changed, the seal kept) shows nothing.
        let forged = to.replace("__ok=Mw.", "__ok=OTk.");
        assert_ne!(forged, to, "the answer 3 is sealed as Mw: {to}");
        assert!(!app.get(&forged, Some(&admin)).await.body.contains("import-done"));
    }

    async fn a_file_with_one_bad_row_imports_nothing_and_names_the_row(db: Db) {
        let app = TestApp::on(db).await;
        let admin = app.login("admin").await;
        let principal = app::areas::accounts::store::accounts::principal(&app.state.db.pool, app.district.accounts["admin"]).await.unwrap().unwrap();
        let csv = "\u{feff}编号,姓名,单位编码,岗位,电话\nP200,甲,JD01,,\nP201,乙,NOPE,,\nP202,丙,GA,厨师,\n";
        let token = app::areas::imports::service::stage_upload(&app.state, &principal, "people", "people.csv", csv.as_bytes()).await.unwrap();
        let preview: ImportPreview = app.call(PREVIEW_IMPORT, &[("token", &token)], Some(&admin)).await.json();
        let found: Vec<(usize, String, String)> = preview.errors.iter().map(|e| (e.row, e.column.clone(), e.problem.key.clone())).collect();
        assert_eq!(found, vec![(3, "单位编码".into(), "problem.unknown_unit".into()), (4, "岗位".into(), "problem.unknown_position".into())]);
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people").fetch_one(&app.state.db.pool).await.unwrap();
        let r = app.call(CONFIRM_IMPORT, &[("token", &token)], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people").fetch_one(&app.state.db.pool).await.unwrap();
        assert_eq!(before, after);
    }

    async fn pages_render_in_chinese_by_default_and_in_english_when_chosen(db: Db) {
        let app = TestApp::on(db).await;
        let login = app.get("/login", None).await;
        assert_eq!(login.status, StatusCode::OK);
        assert!(login.body.contains("lang=\"zh-CN\""), "{}", &login.body[..login.body.len().min(400)]);
        assert!(login.body.contains("登录"));
        let english = app.get("/login", Some("yingji_lang=en")).await;
        assert!(english.body.contains("lang=\"en\""));
        assert!(english.body.contains("Sign in"));
        let switch = app.call_with("/lang", &[("lang", "en"), ("next", "/units")], None, &[("origin", "http://127.0.0.1:3000")]).await;
        assert_eq!(switch.status, StatusCode::SEE_OTHER);
        assert_eq!(switch.headers.get("location").unwrap(), "/units");
        assert!(switch.set_cookie_header("yingji_lang").unwrap().contains("yingji_lang=en"));
        let missing = app.get("/no/such/page", None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.body.contains("404"));
    }

    async fn signed_out_visitors_are_sent_to_the_login_page(db: Db) {
        let app = TestApp::on(db).await;
        let home = app.get("/people", None).await;
        assert!(home.status.is_redirection(), "{} {}", home.status, &home.body[..home.body.len().min(300)]);
        assert_eq!(home.headers.get("location").unwrap(), "/login");
        let admin = app.login("admin").await;
        let page = app.get("/people", Some(&admin)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("王建国"), "the people page renders on the server");
    }
}

/// Pages go compressed to a browser that says it reads brotli or gzip, and
/// as they are to one that does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_compressed_when_the_browser_accepts_it() {
    use axum::body::Body;
    use axum::http::Request;
    let app = TestApp::new(app::platform::db::Backend::Sqlite).await;
    let get = |encoding: Option<&'static str>| {
        let mut req = Request::get("/login").header("host", "127.0.0.1:3000");
        if let Some(e) = encoding {
            req = req.header("accept-encoding", e);
        }
        req.body(Body::empty()).unwrap()
    };
    let plain = app.request(get(None)).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.headers.get("content-encoding").is_none());
    assert!(plain.body.contains("登录"));
    for (accept, expected) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
        let packed = app.request(get(Some(accept))).await;
        assert_eq!(packed.status, StatusCode::OK);
        assert_eq!(packed.header("content-encoding"), expected, "{accept}");
        assert!(
            packed.bytes.len() * 5 < plain.bytes.len() * 3,
            "{accept}: {} of {}",
            packed.bytes.len(),
            plain.bytes.len()
        );
    }
    let gz = app.request(get(Some("gzip"))).await;
    let mut text = String::new();
    use std::io::Read;
    flate2::read::GzDecoder::new(&gz.bytes[..])
        .read_to_string(&mut text)
        .unwrap();
    // The same page (each carries its own script nonce, of equal length).
    assert_eq!(text.len(), plain.body.len());
    assert!(
        text.contains("<h1>登录</h1>") && text.ends_with("</script>"),
        "{text}"
    );
}

/// The bundle's files carry their content's hash in their names (written by
/// `make site`, listed in `hash.txt`): pages name exactly those files, and
/// browsers may keep them for ever; served precompressed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundle_is_named_by_its_content_and_kept_for_ever() {
    use axum::body::Body;
    use axum::http::Request;
    let site = std::env::temp_dir().join(format!("yingji-site-{}", std::process::id()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        site.join("hash.txt"),
        "js: aaaa1111\nwasm: bbbb2222\ncss: cccc3333\n",
    )
    .unwrap();
    std::fs::write(
        pkg.join("yingji.aaaa1111.js"),
        "export default function(){}",
    )
    .unwrap();
    std::fs::write(pkg.join("yingji.bbbb2222.wasm"), b"\0asm").unwrap();
    std::fs::write(pkg.join("yingji.cccc3333.css"), "body{color:black}").unwrap();
    std::fs::write(pkg.join("yingji.cccc3333.css.br"), b"brotli bytes").unwrap();
    let db = fresh(app::platform::db::Backend::Sqlite).await;
    let mut config = config();
    config.site_root = site.to_string_lossy().into_owned();
    let state = server::state_with(db, &config);
    let router = server::router(state);
    let send = |req: Request<Body>| {
        let router = router.clone();
        async move {
            use tower::ServiceExt;
            let res = router.oneshot(req).await.unwrap();
            let status = res.status();
            let headers = res.headers().clone();
            let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            (status, headers, body)
        }
    };
    let (status, _, body) = send(
        Request::get("/login")
            .header("host", "127.0.0.1:3000")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8_lossy(&body);
    for name in [
        "/pkg/yingji.aaaa1111.js",
        "/pkg/yingji.bbbb2222.wasm",
        "/pkg/yingji.cccc3333.css",
    ] {
        assert!(page.contains(name), "{name} in the page");
    }
    let (status, headers, body) = send(
        Request::get("/pkg/yingji.cccc3333.css")
            .header("accept-encoding", "br, gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers.get("cache-control").unwrap(),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(headers.get("content-encoding").unwrap(), "br");
    assert_eq!(
        &body[..],
        b"brotli bytes",
        "the precompressed file as it is"
    );
    let _ = std::fs::remove_dir_all(&site);
}
