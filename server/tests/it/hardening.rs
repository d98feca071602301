//! Attacks from the hardening review (issue 12), each performed against the
//! real router: headers and caching, redirects, the certificate check's
//! limit, a panicking request, concurrent writers, a full disk.

use crate::common::*;
use axum::http::StatusCode;
use std::sync::Arc;

fn script_src(csp: &str) -> &str {
    csp.split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .unwrap_or("")
}

on_both_databases! {
    async fn every_page_carries_a_nonce_policy_and_nothing_signed_in_is_cached(db: Db) {
        let app = TestApp::on(db).await;
        let login = app.get("/login", None).await;
        assert_eq!(login.status, StatusCode::OK);
        let csp = login.header("content-security-policy");
        let script = script_src(&csp);
        let nonce = script
            .split("'nonce-")
            .nth(1)
            .and_then(|s| s.split('\'').next())
            .unwrap_or_else(|| panic!("no nonce in {csp}"));
        assert!(nonce.len() >= 16, "{nonce}");
        assert!(
            login.body.contains(&format!("nonce=\"{nonce}\"")),
            "the hydration script carries the header's nonce: {}",
            login.body
        );
        assert!(
            !script.split_whitespace().any(|t| t == "'unsafe-inline'" || t == "'unsafe-eval'"),
            "{csp}"
        );
        for part in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "'wasm-unsafe-eval'"] {
            assert!(csp.contains(part), "{part} missing from {csp}");
        }
        assert_eq!(login.header("x-content-type-options"), "nosniff");
        assert_eq!(login.header("referrer-policy"), "same-origin");
        assert_eq!(login.header("strict-transport-security"), "", "not behind TLS");
        let again = app.get("/login", None).await;
        assert!(!again.header("content-security-policy").contains(nonce), "a nonce is used once");

        let admin = app.login("admin").await;
        for path in ["/", "/people", "/registry", "/registry/export.csv", "/registry/export.xlsx"] {
            let r = app.get(path, Some(&admin)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert_eq!(r.header("cache-control"), "no-store", "{path}");
            assert!(!r.header("content-security-policy").is_empty(), "{path}");
        }
        let r = app.call(LIST_PEOPLE, &[], Some(&admin)).await;
        assert_eq!(r.header("cache-control"), "no-store", "a server function's answer");
        // Behind TLS, HSTS.
        let mut secure = config();
        secure.secure_cookies = true;
        let router = server::router(server::state_with(app.state.db.clone(), &secure));
        let tls = TestApp { state: app.state.clone(), router, district: District { units: Default::default(), accounts: Default::default() } };
        let r = tls.get("/login", None).await;
        assert!(r.header("strict-transport-security").starts_with("max-age="), "{:?}", r.headers);
    }

    async fn redirects_lead_only_to_this_site(db: Db) {
        let app = TestApp::on(db).await;
        for next in ["/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/", "/\n/evil.example"] {
            let r = app.call("/lang", &[("lang", "en"), ("next", next)], None).await;
            assert!(r.status.is_redirection(), "{next:?}: {}", r.status);
            assert_eq!(r.header("location"), "/", "{next:?}");
        }
        let r = app.call("/lang", &[("lang", "en"), ("next", "/people?q=1")], None).await;
        assert_eq!(r.header("location"), "/people?q=1");
        // A server function posted by a form without JavaScript goes back to
        // the Referer: only when that is this site.
        let admin = app.login("admin").await;
        let no_js = [("accept", "text/html")];
        let r = app
            .call_with(LIST_PEOPLE, &[], Some(&admin), &[no_js[0], ("referer", "http://evil.example/steal")])
            .await;
        assert!(r.status.is_redirection(), "{}", r.status);
        assert_eq!(r.header("location"), "/");
        let r = app
            .call_with(LIST_PEOPLE, &[], Some(&admin), &[no_js[0], ("referer", "http://127.0.0.1:3000/people?q=%E7%8E%8B")])
            .await;
        assert!(r.status.is_redirection(), "{}", r.status);
        assert_eq!(r.header("location"), "/people?q=%E7%8E%8B");
    }

    async fn the_certificate_check_is_limited_however_its_path_is_spelled(db: Db) {
        let app = TestApp::on(db).await;
        // Not found is 404, every time (it was 200 or 404 by stream timing).
        for _ in 0..5 {
            let r = app.get("/verify/YJ-2026-000009", None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        }
        for _ in 5..server::VERIFY_PER_MINUTE {
            app.get("/verify/YJ-2026-000009", None).await;
        }
        for path in ["/x/../verify/YJ-2026-000009", "/verify/YJ-2026-000009", "/verify/./YJ-2026-000009"] {
            let r = app.get(path, None).await;
            assert_ne!(r.status, StatusCode::OK, "{path}");
            assert!(!r.body.contains("data-test=\"not-found\""), "{path} answered the check: {}", r.body);
        }
        let r = app.call(VERIFY_CERTIFICATE, &[("number", "YJ-2026-000009")], None).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert_eq!(r.headers.get("retry-after").map(|v| v.to_str().unwrap()), Some("60"));
        assert_eq!(app.get("/verify/YJ-2026-000009", None).await.status, StatusCode::TOO_MANY_REQUESTS);
    }

    async fn a_feed_address_can_be_rotated_by_its_owner_and_ends_with_the_account(db: Db) {
        use leptos::server_fn::ServerFn;
        let app = TestApp::on(db).await;
        let trainee = app.login("trainee").await;
        let my_training = <app::areas::training::api::GetMyTraining as ServerFn>::PATH;
        let mine: app::model::MyTraining = app.call(my_training, &[], Some(&trainee)).await.json();
        let old = mine.calendar_url.clone();
        let feed = app.get(&old, None).await;
        assert_eq!(feed.status, StatusCode::OK);
        assert_eq!(feed.header("cache-control"), "private, no-store");
        // Rotated by a plain form post (no JavaScript): back to the page.
        let rotate = <app::areas::training::api::RotateMyCalendarFeed as ServerFn>::PATH;
        let r = app.call_with(rotate, &[], Some(&trainee), &[("accept", "text/html"), ("referer", "http://127.0.0.1:3000/my/training")]).await;
        assert!(r.status.is_redirection() || r.status == StatusCode::OK, "{}: {}", r.status, r.body);
        assert_eq!(app.get(&old, None).await.status, StatusCode::NOT_FOUND, "the old address stops working");
        let mine: app::model::MyTraining = app.call(my_training, &[], Some(&trainee)).await.json();
        assert_ne!(mine.calendar_url, old);
        assert_eq!(app.get(path_of(&mine.calendar_url), None).await.status, StatusCode::OK);
        // Signed out, nobody rotates anything.
        assert_eq!(app.call(rotate, &[], None).await.status, StatusCode::UNAUTHORIZED);
        // Disabling the account ends the feed.
        let admin = app.login("admin").await;
        let id = app.district.accounts["trainee"].to_string();
        let r = app.call(SET_DISABLED, &[("id", &id), ("disabled", "true")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.get(path_of(&mine.calendar_url), None).await.status, StatusCode::NOT_FOUND);
        // A unit's feed: rotated only by who keeps that unit's drills.
        let jd = app.district.units["JD01"].to_string();
        let ga = app.district.units["GA"].to_string();
        let organizer = app.login("organizer").await;
        let calendar = <app::areas::drills::api::GetCalendar as ServerFn>::PATH;
        let page: app::areas::drills::api::CalendarPage = app.call(calendar, &[("unit", &jd)], Some(&organizer)).await.json();
        let unit_feed = page.unit_feed.unwrap();
        assert_eq!(app.get(path_of(&unit_feed), None).await.status, StatusCode::OK);
        let rotate_unit = <app::areas::drills::api::RotateUnitCalendarFeed as ServerFn>::PATH;
        assert_eq!(app.call(rotate_unit, &[("unit", &ga)], Some(&organizer)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.call(rotate_unit, &[("unit", &jd)], Some(&organizer)).await.status, StatusCode::OK);
        assert_eq!(app.get(path_of(&unit_feed), None).await.status, StatusCode::NOT_FOUND);
    }

    async fn an_upload_that_would_exhaust_memory_is_refused_before_staging(db: Db) {
        let app = TestApp::on(db).await;
        let organizer = app.login("organizer").await;
        // One cell in A1 and one in XFD1048576: calamine's dense range
        // asked for 512 GiB and aborted the process.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "人员编号").unwrap();
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        let far = book.save_to_buffer().unwrap();
        // A shared string of 96 MiB (the review used 300): a few hundred KB zipped.
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "x").unwrap();
        let bomb = rewrite_part(&book.save_to_buffer().unwrap(), "xl/sharedStrings.xml", |x| {
            x.replacen("<t>x</t>", &format!("<t>{}</t>", "a".repeat(96 << 20)), 1)
        });
        assert!(bomb.len() < 1 << 20, "{}", bomb.len());
        for (file, bytes, problem) in [
            ("far.xlsx", far, "problem.too_many_"),
            ("bomb.xlsx", bomb, "problem.xlsx_too_big_unzipped"),
        ] {
            let r = app.post_file("/import/upload", &[("kind", "people")], file, &bytes, &organizer).await;
            assert!(r.status.is_redirection(), "{file}: {}", r.status);
            let location = r.header("location");
            assert!(location.starts_with(&format!("/import?error={problem}")), "{file}: {location}");
        }
        // A problem with two arguments comes back with both, and the page
        // says it whole (it showed a bare "{1}").
        let mut mixed = "人员编号,姓名,单位编码\nP900,张伟,JD01\n".as_bytes().to_vec();
        mixed.extend_from_slice(&encoding_rs::GBK.encode("P901,王芳,JD01\n").0);
        let r = app.post_file("/import/upload", &[("kind", "people")], "mixed.csv", &mixed, &organizer).await;
        let location = r.header("location");
        assert_eq!(location, "/import?error=problem.mixed_encoding&arg=3&arg=1");
        let page = app.get(&location, Some(&organizer)).await;
        assert!(page.body.contains("第 3 行与第 1 行的文字编码不同"), "{}", page.body);
        let staged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM import_staging")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        assert_eq!(staged, 0, "nothing was staged");
        assert_eq!(app.get("/login", None).await.status, StatusCode::OK, "the server goes on");
    }

    async fn eight_writers_at_once_never_get_a_500(db: Db) {
        let app = Arc::new(TestApp::on(db).await);
        let admin = Arc::new(app.login("admin").await);
        let jd = app.district.units["JD01"].to_string();
        let ga = app.district.units["GA"].to_string();
        let p1: i64 = sqlx::query_scalar("SELECT id FROM people WHERE code = 'P1'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
        let p1 = p1.to_string();
        let mut tasks = Vec::new();
        for w in 0..8 {
            let (app, admin, jd, ga, p1) = (app.clone(), admin.clone(), jd.clone(), ga.clone(), p1.clone());
            tasks.push(tokio::spawn(async move {
                let mut statuses = Vec::new();
                for i in 0..12 {
                    let code = format!("W{w}N{i}");
                    // A new person, an edit of a shared unit, an edit of a shared
                    // person, a sign-in: reads then writes, all at once.
                    let r = app.call(SAVE_PERSON, &[("code", &code), ("name", "并发写入"), ("unit_id", &jd)], Some(&admin)).await;
                    statuses.push(("save_person", r.status, r.body));
                    let r = app.call(SAVE_UNIT, &[("id", &ga), ("code", "GA"), ("name", &format!("公安分局{w}")), ("kind", "department"), ("min_on_duty", "2")], Some(&admin)).await;
                    statuses.push(("save_unit", r.status, r.body));
                    let r = app.call(SAVE_PERSON, &[("id", &p1), ("code", "P1"), ("name", &format!("王建国{w}")), ("unit_id", &jd)], Some(&admin)).await;
                    statuses.push(("edit_person", r.status, r.body));
                    let r = app.call(LOGIN, &[("username", "organizer"), ("password", PASSWORD)], None).await;
                    statuses.push(("login", r.status, r.body));
                }
                statuses
            }));
        }
        let mut n = 0;
        for t in tasks {
            for (what, status, body) in t.await.unwrap() {
                n += 1;
                assert_eq!(status, StatusCode::OK, "{what}: {body}");
            }
        }
        assert_eq!(n, 8 * 12 * 4);
    }
}

/// Rewrites one part of a zip (to forge what a writer would not).
fn rewrite_part(xlsx: &[u8], name: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    use std::io::{Cursor, Read, Write};
    let mut src = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut part = src.by_index(i).unwrap();
        let part_name = part.name().to_string();
        let mut text = Vec::new();
        part.read_to_end(&mut text).unwrap();
        if part_name == name {
            text = edit(String::from_utf8(text).unwrap()).into_bytes();
        }
        out.start_file(part_name, opts).unwrap();
        out.write_all(&text).unwrap();
    }
    out.finish().unwrap().into_inner()
}

pub const VERIFY_CERTIFICATE: &str =
    <app::areas::registry::api::VerifyCertificate as leptos::server_fn::ServerFn>::PATH;

#[tokio::test]
async fn a_panicking_request_answers_500_and_the_server_goes_on() {
    use axum::routing::get;
    use tower::ServiceExt;
    let router = server::harden(
        axum::Router::new()
            .route(
                "/boom",
                get(|| async {
                    let cells: Vec<u8> = Vec::new();
                    // What an unexpected input does to a parser.
                    format!("{}", cells[usize::from(cells.is_empty())])
                }),
            )
            .route("/ok", get(|| async { "ok" })),
        false,
    );
    let req = |p: &str| {
        axum::http::Request::get(p)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let r = router.clone().oneshot(req("/boom")).await.unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let r = router.oneshot(req("/ok")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// The disk fills in the middle of a burst of writes (SQLite's page limit
/// stands in for a small disk: the same SQLITE_FULL): no write is answered
/// as saved unless it is there for everyone and after a restart, and once
/// there is room again writing works without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_never_acknowledges_a_lost_write_and_writing_resumes_after() {
    let db = fresh(app::platform::db::Backend::Sqlite).await;
    let file = db.file.clone().unwrap();
    let app = Arc::new(TestApp::on(db.clone()).await);
    let admin = Arc::new(app.login("admin").await);
    let set_limit = |extra: Option<i64>| {
        let db = db.clone();
        async move {
            let mut held = Vec::new();
            for _ in 0..8 {
                held.push(db.pool.acquire().await.unwrap());
            }
            for c in &mut held {
                let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
                    .fetch_one(&mut **c)
                    .await
                    .unwrap();
                let limit = extra.map_or(1_073_741_823, |e| pages + e);
                sqlx::query(&format!("PRAGMA max_page_count = {limit}"))
                    .execute(&mut **c)
                    .await
                    .unwrap();
            }
        }
    };
    set_limit(Some(3)).await;
    let jd = app.district.units["JD01"].to_string();
    let mut tasks = Vec::new();
    for w in 0..8 {
        let (app, admin, jd) = (app.clone(), admin.clone(), jd.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for i in 0..5 {
                let code = format!("F{w}N{i}");
                let name = format!("满盘测试{}", "人".repeat(20));
                let r = app
                    .call(
                        SAVE_PERSON,
                        &[
                            ("code", &code),
                            ("name", &name),
                            ("unit_id", &jd),
                            ("phone", "13900001111"),
                        ],
                        Some(&admin),
                    )
                    .await;
                out.push((r.status, r.body));
            }
            out
        }));
    }
    let mut saved = Vec::new();
    let mut refused = 0;
    for t in tasks {
        for (status, body) in t.await.unwrap() {
            if status == StatusCode::OK {
                saved.push(body.trim().parse::<i64>().unwrap());
            } else {
                assert_ne!(status.as_u16() / 100, 2, "{body}");
                refused += 1;
            }
        }
    }
    assert!(refused > 0, "the disk never filled: {} saved", saved.len());
    let visible = |ids: Vec<i64>, pool: sqlx::AnyPool| async move {
        let mut n = 0;
        for id in &ids {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE id = $1")
                .bind(id)
                .fetch_optional(&pool)
                .await
                .unwrap();
            n += usize::from(found.is_some());
        }
        n
    };
    assert_eq!(
        visible(saved.clone(), db.pool.clone()).await,
        saved.len(),
        "every acknowledged write is visible"
    );
    // After a restart (a new pool on the file), still there.
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let reopened = app::platform::db::Db::connect(&url, 2).await.unwrap();
    assert_eq!(
        visible(saved.clone(), reopened.pool.clone()).await,
        saved.len(),
        "every acknowledged write survives"
    );
    reopened.pool.close().await;
    // Room again: writes work at once, nobody holds the write lock.
    set_limit(None).await;
    for i in 0..8 {
        let code = format!("AFTER{i}");
        let r = app
            .call(
                SAVE_PERSON,
                &[("code", &code), ("name", "空间已释放"), ("unit_id", &jd)],
                Some(&admin),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}
