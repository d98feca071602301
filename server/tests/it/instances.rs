//! Two `yingji` instances on one PostgreSQL: a session made on one is valid
//! on the other. Real listeners on two ports, a real HTTP client.

use crate::common::*;
use app::domain::authz::Principal;
use app::platform::db::Backend;

async fn serve(db: app::platform::db::Db) -> String {
    let state = server::state_with(db, &config());
    let router = server::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_made_on_one_instance_is_valid_on_the_other() {
    let db = fresh(Backend::Postgres).await;
    district(&db).await;
    let url = db_url_of(&db).await;
    let second = app::platform::db::Db::connect(&url, 4).await.unwrap();
    let a = serve(db).await;
    let b = serve(second).await;
    assert_ne!(a, b);
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{a}{LOGIN}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encode(&[
            ("username", "organizer"),
            ("password", PASSWORD),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("yingji_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let on_b: Option<Principal> = client
        .post(format!("{b}{CURRENT_USER}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(on_b.unwrap().username, "organizer");
    // Signing out on B ends the session on A too.
    let out = client
        .post(format!("{b}{LOGOUT}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    let on_a: Option<Principal> = client
        .post(format!("{a}{CURRENT_USER}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(on_a.is_none());
}

/// The URL of the database a pool is connected to.
async fn db_url_of(db: &app::platform::db::Db) -> String {
    let name: String = sqlx::query_scalar("SELECT current_database()::text")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let base = std::env::var("YINGJI_TEST_POSTGRES").unwrap();
    let (server, _) = base.rsplit_once('/').unwrap();
    format!("{server}/{name}")
}
