//! The navigation through the real router on both databases: every link
//! in a `<nav>` (the header and an area's sub-navigation) that a role is
//! shown leads to a page that role may open — no 403 (nor 401 or 404),
//! whether the page itself refuses or a server function it calls does —
//! and the links a role may follow are still there.

use crate::common::*;
use app::error::AppError;
use app::i18n::Lang;
use axum::http::StatusCode;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Every role account of the test district (`organizer` is scoped to
/// 城关街道, `trainee` has a person there).
const ROLES: [&str; 5] = ["admin", "assessor", "assessor2", "organizer", "trainee"];

/// Where a walk starts: the home page and each area's first page. A role
/// that may not open one of them is not walked from it (it is not shown
/// a link there; the links it is shown are what the walk checks).
const ENTRY_PAGES: [&str; 7] = [
    "/",
    "/training",
    "/training/coverage",
    "/drills",
    "/registry",
    "/assessment",
    "/my/training",
];

/// The same-site links inside the page's `<nav>` elements, in order, with
/// `&amp;` read back; the language switch and sign-out left out (they are
/// forms, and change the session rather than show a page).
fn nav_links(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("<nav") {
        let nav = &rest[start..];
        let end = nav.find("</nav>").unwrap_or(nav.len());
        let mut inside = &nav[..end];
        while let Some(at) = inside.find("href=\"") {
            let value = &inside[at + 6..];
            let close = value.find('"').unwrap_or(value.len());
            let href = value[..close].replace("&amp;", "&");
            let href = href.split('#').next().unwrap_or_default().to_string();
            // Paging within a page (a calendar's months, `?month=`) is no
            // navigation to another page: followed, it never ends.
            let skipped =
                href.starts_with("/lang") || href.contains("logout") || href.contains('?');
            if href.starts_with('/') && !href.starts_with("//") && !skipped {
                out.push(href);
            }
            inside = &value[close..];
        }
        rest = &nav[end..];
    }
    out
}

/// Text without its tags (and Leptos's `<!>` markers).
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The status codes the page's error panels show
/// (`<section class="error-panel"><h1>403</h1>…`).
fn error_panel_codes(body: &str) -> Vec<String> {
    body.match_indices("class=\"error-panel\"")
        .filter_map(|(at, _)| {
            let panel = &body[at..];
            let h1 = &panel[panel.find("<h1")?..];
            let text = &h1[h1.find('>')? + 1..h1.find("</h1>")?];
            Some(strip_tags(text).trim().to_string())
        })
        .collect()
}

/// Why the page says "you may not be here", if it does: the HTTP status,
/// a redirect to the log-in page, an error panel (the page's own gate), or
/// the message of a refused server function the page called.
fn refusal(reply: &Reply) -> Option<String> {
    let refused = [401u16, 403, 404];
    if refused.contains(&reply.status.as_u16()) {
        return Some(format!("HTTP {}", reply.status));
    }
    if reply.status.is_redirection() && reply.header("location").starts_with("/login") {
        return Some(format!("HTTP {} to /login", reply.status));
    }
    if let Some(code) = error_panel_codes(&reply.body)
        .into_iter()
        .find(|c| refused.iter().any(|r| r.to_string() == *c))
    {
        return Some(format!("an error panel saying {code}"));
    }
    [
        AppError::Unauthorized,
        AppError::Forbidden,
        AppError::NotFound,
    ]
    .into_iter()
    .map(|e| e.message(Lang::Zh))
    .find(|m| reply.body.contains(m.as_str()))
    .map(|m| format!("the message {m:?}"))
}

/// What a role is shown and where it leads: every nav link on the entry
/// pages it may open and, in turn, on the pages those lead to. Returns
/// the links seen as (link, page it was shown on) and the refusals found
/// (`link (shown on page): why`, once per link).
async fn walk(app: &TestApp, who: &str) -> (BTreeSet<(String, String)>, Vec<String>) {
    let cookie = app.login(who).await;
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    // Each page fetched once: why it refuses the role, if it does.
    let mut verdicts: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut refused: BTreeMap<String, String> = BTreeMap::new();
    // (page, the page whose nav showed it; none for an entry page)
    let mut queue: VecDeque<(String, Option<String>)> =
        ENTRY_PAGES.iter().map(|p| (p.to_string(), None)).collect();
    while let Some((page, shown_on)) = queue.pop_front() {
        if !verdicts.contains_key(&page) {
            let reply = app.get(&page, Some(&cookie)).await;
            let why = refusal(&reply);
            if why.is_none() {
                assert_eq!(reply.status, StatusCode::OK, "{who} {page}: {}", reply.body);
                for link in nav_links(&reply.body) {
                    queue.push_back((link, Some(page.clone())));
                }
            }
            verdicts.insert(page.clone(), why);
        }
        if let Some(from) = shown_on {
            if let Some(Some(why)) = verdicts.get(&page) {
                refused
                    .entry(page.clone())
                    .or_insert_with(|| format!("{page} (shown on {from}): {why}"));
            }
            seen.insert((page, from));
        }
    }
    (seen, refused.into_values().collect())
}

/// The links a role is shown anywhere in its navigation.
fn shown(seen: &BTreeSet<(String, String)>) -> BTreeSet<&str> {
    seen.iter().map(|(link, _)| link.as_str()).collect()
}

/// Asserts that `who` is shown every link of `present` and none of
/// `absent` somewhere in its navigation.
fn expect(who: &str, seen: &BTreeSet<(String, String)>, present: &[&str], absent: &[&str]) {
    let links = shown(seen);
    for link in present {
        assert!(
            links.contains(link),
            "{who} should be shown {link}; shown {links:?}"
        );
    }
    for link in absent {
        assert!(
            !links.contains(link),
            "{who} should not be shown {link}; shown {links:?}"
        );
    }
}

on_both_databases! {
    async fn an_area_refuses_whoever_may_follow_none_of_its_links_and_frames_the_others_once(db: Db) {
        let app = TestApp::on(db).await;
        // The trainee follows no assessment link: every page under
        // /assessment is refused by the area's frame, with the status.
        let trainee = app.login("trainee").await;
        for path in ["/assessment", "/assessment/vetoes", "/assessment/schemes/1"] {
            let r = app.get(path, Some(&trainee)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
            assert_eq!(error_panel_codes(&r.body), ["403"], "{path}");
            assert!(!r.body.contains("class=\"subnav\""), "{path}: the area's links shown to whom it refuses");
        }
        // Signed out: to the log-in page.
        let r = app.get("/training/coverage", None).await;
        assert!(r.status.is_redirection() && r.header("location").starts_with("/login"), "{}", r.status);
        // The assessor: each page drawn in the frame, its links once, and
        // the page's own data (waited for with Suspend) inside.
        let assessor = app.login("assessor").await;
        let r = app.get("/assessment/vetoes", Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body.matches("class=\"subnav\"").count(), 1);
        assert!(r.body.contains("href=\"/assessment/metrics\""));
        let r = app.get("/people", Some(&assessor)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("data-test=\"people\""), "the people table was not waited for");
        assert!(r.body.contains("name=\"unit_id\""), "the unit filter was not waited for");
    }

    async fn no_role_is_shown_a_link_it_may_not_follow(db: Db) {
        let app = TestApp::on(db).await;
        let mut problems = Vec::new();
        for who in ROLES {
            let (seen, refused) = walk(&app, who).await;
            assert!(shown(&seen).contains("/account"), "{who} walked no navigation: {seen:?}");
            problems.extend(refused.into_iter().map(|r| format!("{who}: {r}")));
        }
        assert!(problems.is_empty(), "links that lead to a refusal:\n{}", problems.join("\n"));
    }

    async fn each_role_is_still_shown_the_links_it_may_follow(db: Db) {
        let app = TestApp::on(db).await;
        let (trainee, _) = walk(&app, "trainee").await;
        expect(
            "trainee",
            &trainee,
            &["/my/training", "/drills", "/drills/plans", "/drills/actions", "/registry", "/registry/coverage"],
            &["/drills/coverage", "/drills/calendar", "/registry/reminders", "/people", "/import", "/assessment", "/training", "/training/coverage"],
        );
        let (assessor, _) = walk(&app, "assessor").await;
        expect(
            "assessor",
            &assessor,
            &["/training/coverage", "/training/orders", "/drills/coverage", "/drills/calendar", "/registry/reminders", "/assessment/incidents", "/import"],
            &["/training", "/training/leave", "/my/training", "/admin/accounts"],
        );
        let (organizer, _) = walk(&app, "organizer").await;
        expect(
            "organizer",
            &organizer,
            &["/training", "/training/coverage", "/training/orders", "/training/leave", "/drills/coverage", "/drills/calendar", "/registry/reminders", "/assessment/metrics"],
            &["/admin/accounts", "/admin/audit", "/my/training"],
        );
        let (admin, _) = walk(&app, "admin").await;
        expect(
            "admin",
            &admin,
            &["/admin/accounts", "/admin/audit", "/people", "/import", "/training/leave", "/drills/actions", "/registry/reminders", "/assessment/vetoes"],
            &["/my/training"],
        );
    }
}

// ---- one language per page (issue 13 §4) ----

/// Visible text: without scripts, styles and tags, entities read back.
fn visible_text(html: &str) -> String {
    let mut rest = html.to_string();
    for (open, close) in [("<script", "</script>"), ("<style", "</style>")] {
        while let Some(a) = rest.find(open) {
            let b = rest[a..]
                .find(close)
                .map(|i| a + i + close.len())
                .unwrap_or(rest.len());
            rest.replace_range(a..b, " ");
        }
    }
    strip_tags(&rest)
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// The pieces of a translation between its `{n}` arguments.
fn pieces(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(a) = rest.find('{') {
        out.push(rest[..a].to_string());
        rest = rest[a..]
            .find('}')
            .map(|b| &rest[a + b + 1..])
            .unwrap_or("");
    }
    out.push(rest.to_string());
    out.into_iter().map(|p| p.trim().to_string()).collect()
}

fn values(file: &str) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = ").map(|(_, v)| v.to_string()))
        .collect()
}

/// English sentences of the translations (three words or more between
/// arguments), and Chinese phrases (five characters or more) that are not
/// demo data too (the demo's scheme names its indicators in Chinese, and
/// data stays as entered in either language).
fn telltales() -> (Vec<String>, Vec<String>) {
    let root = env!("CARGO_MANIFEST_DIR");
    let seed = std::fs::read_to_string(format!("{root}/src/seed.rs")).unwrap();
    let english = values(&format!("{root}/../app/domain/locales/en.txt"))
        .iter()
        .flat_map(|v| pieces(v))
        .filter(|p| {
            p.split_whitespace()
                .filter(|w| w.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 2)
                .count()
                >= 3
        })
        // Compared without case: a sentence may start a line or not.
        .map(|p| p.to_lowercase())
        .collect();
    let chinese = values(&format!("{root}/../app/domain/locales/zh-CN.txt"))
        .iter()
        .flat_map(|v| pieces(v))
        .filter(|p| {
            p.chars()
                .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
                .count()
                >= 5
        })
        .filter(|p| !seed.contains(p.as_str()))
        .collect();
    (english, chinese)
}

/// Same-site links in the whole page (detail pages too), without a query.
fn page_links(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("href=\"/") {
        let value = &rest[at + 6..];
        let close = value.find('"').unwrap_or(value.len());
        let href = value[..close].replace("&amp;", "&");
        let skip = href.starts_with("//")
            || href.contains('?')
            || href.contains('#')
            || href.starts_with("/lang")
            || href.contains("logout")
            || href.starts_with("/pkg")
            || href.ends_with(".css")
            || href.ends_with(".ics")
            || href.ends_with(".csv")
            || href.ends_with(".xlsx")
            || href.contains("/document");
        if !skip {
            out.push(href);
        }
        rest = &value[close..];
    }
    out
}

/// The shape of a path (`/drills/12` → `/drills/N`): a few pages of each
/// shape are enough.
fn shape(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
                "N"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

on_both_databases! {
    async fn every_page_of_every_role_speaks_one_language(db: Db) {
        let seeded = server::seed::seed_demo(&db, app::domain::local_date(chrono::Utc::now().timestamp()).map(|_| chrono::Utc::now().timestamp()).unwrap()).await.unwrap();
        let state = server::state_with(db, &config());
        let router = server::router(state.clone());
        let send = |req: axum::http::Request<axum::body::Body>| {
            let router = router.clone();
            async move {
                let res = tower::ServiceExt::oneshot(router, req).await.unwrap();
                let status = res.status();
                let bytes = axum::body::to_bytes(res.into_body(), 64 << 20).await.unwrap();
                (status, String::from_utf8_lossy(&bytes).to_string())
            }
        };
        let (english, chinese) = telltales();
        assert!(english.len() > 100 && chinese.len() > 100, "{} {}", english.len(), chinese.len());
        let mut problems = Vec::new();
        let mut pages_read = 0;
        for who in ["admin", "assessor", "organizer", "trainee"] {
            let password = &seeded.passwords.iter().find(|(u, _)| u == who).unwrap().1;
            let login = axum::http::Request::post(LOGIN)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("host", "127.0.0.1:3000")
                .body(axum::body::Body::from(form_encode(&[("username", who), ("password", password)])))
                .unwrap();
            let res = tower::ServiceExt::oneshot(router.clone(), login).await.unwrap();
            let session = res.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok())
                .find(|v| v.starts_with("yingji_session=")).unwrap().split(';').next().unwrap().to_string();
            for (lang, foreign) in [("zh-CN", &english), ("en", &chinese)] {
                let cookie = format!("{session}; yingji_lang={lang}");
                let mut queue: VecDeque<String> = ENTRY_PAGES.iter().map(|p| p.to_string()).collect();
                let mut seen: BTreeSet<String> = BTreeSet::new();
                let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
                while let Some(page) = queue.pop_front() {
                    let count = shapes.entry(shape(&page)).or_default();
                    if !seen.insert(page.clone()) || *count >= 2 || seen.len() > 80 {
                        continue;
                    }
                    *count += 1;
                    let req = axum::http::Request::get(&page)
                        .header("host", "127.0.0.1:3000")
                        .header("accept", "text/html")
                        .header("cookie", &cookie)
                        .body(axum::body::Body::empty())
                        .unwrap();
                    let (status, body) = send(req).await;
                    if status != StatusCode::OK {
                        continue;
                    }
                    pages_read += 1;
                    let text = visible_text(&body).to_lowercase();
                    for t in foreign.iter() {
                        if text.contains(t.as_str()) {
                            problems.push(format!("{who} [{lang}] {page}: {t:?}"));
                        }
                    }
                    queue.extend(page_links(&body));
                }
            }
        }
        problems.sort();
        problems.dedup();
        assert!(pages_read > 60, "only {pages_read} pages read");
        assert!(problems.is_empty(), "text of the other language:\n{}", problems.join("\n"));
    }
}
