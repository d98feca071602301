//! Many pages at once against one server: every response must finish.
//! Leptos's streaming server rendering has hung under concurrency before
//! (upstream #4851, #4578), when pages read resources synchronously in
//! parallel Suspense boundaries. Pages now wait for their data with
//! `Suspend::new(async { resource.await })` (`components::when_ready`), and
//! some hold several boundaries (the people list, the training page, the
//! drill calendar under the area's frame): run 20 times in a row before
//! that workaround (one boundary per page) was dropped. This test
//! has a process of its own: inside the big HTTP suite, where other tests
//! run their own runtimes at the same time, a page sometimes stalled that
//! never stalls here or under wrk against the release binary.

#[path = "it/common/mod.rs"]
mod common;

use common::*;

on_both_databases! {
    async fn pages_render_under_concurrent_load_without_hanging(db: Db) {
        let app = std::sync::Arc::new(TestApp::on(db).await);
        let admin = app.login("admin").await;
        let mut tasks = Vec::new();
        for i in 0..140 {
            let app = app.clone();
            let cookie = admin.clone();
            let path = [
                "/", "/people", "/units", "/login", "/admin/audit", "/import", "/assessment",
                "/training", "/drills/calendar", "/registry/coverage",
            ][i % 10];
            tasks.push(tokio::spawn(async move {
                let reply = tokio::time::timeout(std::time::Duration::from_secs(60), app.get(path, Some(&cookie))).await;
                (path, reply.map(|r| r.status))
            }));
        }
        let mut all = Vec::new();
        let mut hung = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                (_, Ok(status)) => all.push(status),
                (path, Err(_)) => hung.push(path),
            }
        }
        assert!(hung.is_empty(), "every page request finished within a minute; these did not: {hung:?}");
        assert_eq!(all.len(), 140);
        assert!(all.iter().all(|s| s.is_success() || s.is_redirection()), "{all:?}");
    }
}
