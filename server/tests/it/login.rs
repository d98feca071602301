//! Signing in under attack (issue 12, findings 8 and 11), against the real
//! router on both databases: parallel guesses for one name, many names from
//! one address, absurd names, old attempts, disabled accounts, and the
//! password policy.

use crate::common::*;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use std::net::SocketAddr;
use std::sync::Arc;

/// A log-in as a browser at `addr` sends it (the listener's address, which
/// the router's tests otherwise lack).
async fn login_from(app: &TestApp, addr: [u8; 4], username: &str, password: &str) -> Reply {
    let mut req = Request::post(LOGIN)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "127.0.0.1:3000")
        .body(Body::from(form_encode(&[
            ("username", username),
            ("password", password),
        ])))
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((addr, 5555))));
    app.request(req).await
}

/// The same, forwarded by a proxy at `peer` for `client`.
async fn login_via(app: &TestApp, peer: [u8; 4], client: &str, username: &str) -> Reply {
    let mut req = Request::post(LOGIN)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "127.0.0.1:3000")
        .header("x-forwarded-for", client)
        .body(Body::from(form_encode(&[
            ("username", username),
            ("password", "Wrong-guess-2019"),
        ])))
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((peer, 5555))));
    app.request(req).await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap()
}

on_both_databases! {
    async fn forty_parallel_guesses_for_one_name_are_checked_three_times_at_most(db: Db) {
        let app = Arc::new(TestApp::on(db).await);
        let mut tasks = Vec::new();
        for i in 0..40 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let password = format!("Wrong-guess-{i}");
                let r = app.call(LOGIN, &[("username", "trainee"), ("password", password.as_str())], None).await;
                (r.status, r.body)
            }));
        }
        let mut checked = 0;
        for t in tasks {
            let (status, body) = t.await.unwrap();
            if status == StatusCode::UNAUTHORIZED {
                checked += 1;
            } else {
                assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
            }
        }
        assert!((1..=3).contains(&checked), "{checked} guesses were checked");
        let rows = count(&app, "SELECT COUNT(*) FROM login_attempts WHERE key = 'user:trainee'").await;
        assert_eq!(rows, checked as i64, "one failure row per checked guess");
    }

    async fn guessing_many_names_from_one_address_is_throttled(db: Db) {
        let app = TestApp::on(db).await;
        let mut statuses = Vec::new();
        for i in 0..12 {
            let name = format!("guess{i:02}");
            statuses.push(login_from(&app, [10, 0, 0, 7], &name, "Wrong-guess-2019").await.status);
        }
        assert_eq!(statuses[..10], [StatusCode::UNAUTHORIZED; 10], "{statuses:?}");
        assert_eq!(statuses[10..], [StatusCode::TOO_MANY_REQUESTS; 2], "{statuses:?}");
        // Even a right password waits at that address, and a name no
        // account can have (never hashed) too; another address does not.
        let r = login_from(&app, [10, 0, 0, 7], "admin", PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        let r = login_from(&app, [10, 0, 0, 7], "不是用户名", "Wrong-guess-2019").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        let r = login_from(&app, [10, 0, 0, 8], "admin", PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    async fn behind_a_trusted_proxy_each_client_has_its_own_count_and_no_one_else_is_believed(db: Db) {
        let mut config = config();
        config.trusted_proxies = vec!["10.0.0.1".parse().unwrap()];
        let state = server::state_with(db, &config);
        let district = District { units: Default::default(), accounts: Default::default() };
        let app = TestApp { router: server::router(state.clone()), state, district };
        // Twelve offices behind the proxy: each its own address, none slowed.
        for i in 0..12 {
            let r = login_via(&app, [10, 0, 0, 1], &format!("192.0.2.{i}"), &format!("office{i:02}")).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        }
        // A client naming itself anew in the header, straight to the server:
        // not believed, counted under its own address.
        let mut statuses = Vec::new();
        for i in 0..12 {
            let r = login_via(&app, [10, 0, 0, 9], &format!("198.51.100.{i}"), &format!("spray{i:02}")).await;
            statuses.push(r.status);
        }
        assert_eq!(statuses[10..], [StatusCode::TOO_MANY_REQUESTS; 2], "{statuses:?}");
        // Through the proxy, what the client wrote further left is not believed.
        let r = login_via(&app, [10, 0, 0, 1], "198.51.100.1, 10.0.0.9", "spray99").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    }

    async fn a_huge_user_name_is_refused_and_stored_nowhere(db: Db) {
        let app = TestApp::on(db).await;
        let huge = "a".repeat(1024 * 1024);
        let r = app.call(LOGIN, &[("username", huge.as_str()), ("password", "Wrong-guess-2019")], None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body.chars().take(300).collect::<String>());
        let like = count(&app, "SELECT COUNT(*) FROM login_attempts WHERE key LIKE '%aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%'").await;
        assert_eq!(like, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM login_attempts").await, 0);
        // An overlong password is wrong without being hashed, and counts.
        let long = "x".repeat(64 * 1024);
        let r = app.call(LOGIN, &[("username", "admin"), ("password", long.as_str())], None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM login_attempts WHERE key = 'user:admin'").await, 1);
    }

    async fn attempts_older_than_the_throttle_looks_back_are_purged(db: Db) {
        let app = TestApp::on(db).await;
        let r = app.call(LOGIN, &[("username", "trainee"), ("password", "Wrong-guess-2019")], None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM login_attempts").await, 2, "one under the name, one under the address");
        app.state.clock.advance(24 * 3600);
        let r = app.call(LOGIN, &[("username", "assessor"), ("password", "Wrong-guess-2019")], None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM login_attempts WHERE key = 'user:trainee'").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM login_attempts").await, 2, "only the new attempt's rows");
        // A right password takes its own rows back and the name's failures with them.
        let r = app.call(LOGIN, &[("username", "assessor"), ("password", PASSWORD)], None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM login_attempts WHERE key = 'user:assessor'").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM login_attempts").await, 1, "the address keeps its failure");
    }

    async fn a_disabled_account_with_the_right_password_is_answered_like_a_wrong_one(db: Db) {
        let app = TestApp::on(db).await;
        let admin = app.login("admin").await;
        let id = app.district.accounts["trainee"].to_string();
        let r = app.call(SET_DISABLED, &[("id", id.as_str()), ("disabled", "true")], Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let right = app.call(LOGIN, &[("username", "trainee"), ("password", PASSWORD)], None).await;
        let wrong = app.call(LOGIN, &[("username", "trainee"), ("password", "Wrong-guess-2019")], None).await;
        let nobody = app.call(LOGIN, &[("username", "nobody"), ("password", PASSWORD)], None).await;
        assert_eq!(right.status, StatusCode::UNAUTHORIZED, "{}", right.body);
        assert_eq!((right.status, &right.bytes), (wrong.status, &wrong.bytes));
        assert_eq!((right.status, &right.bytes), (nobody.status, &nobody.bytes));
        assert!(right.cookie("yingji_session").is_none());
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM login_attempts WHERE key = 'user:trainee'").await,
            2,
            "the right password of a disabled account counts as a failure"
        );
    }

    async fn a_common_password_is_refused_and_a_long_phrase_without_digits_is_not(db: Db) {
        let app = TestApp::on(db).await;
        let me = app.login("organizer").await;
        for weak in ["Password2019!", "P@ssw0rd-2019", "qwertyuiop", "1qaz2wsx3edc", "Yingji2019!!"] {
            let r = app.call(CHANGE_PASSWORD, &[("current", PASSWORD), ("new_password", weak), ("confirm", weak)], Some(&me)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{weak}: {}", r.body);
            assert!(r.body.contains("problem.password_common"), "{weak}: {}", r.body);
        }
        let phrase = "quiet river under pale lantern";
        assert_eq!(phrase.chars().count(), 30);
        let r = app.call(CHANGE_PASSWORD, &[("current", PASSWORD), ("new_password", phrase), ("confirm", phrase)], Some(&me)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app.call(LOGIN, &[("username", "organizer"), ("password", phrase)], None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
}
