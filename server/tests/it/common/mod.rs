//! Test helpers: a fresh, migrated database per test on SQLite or
//! PostgreSQL, a small district with one account per role, and calls into
//! the real router (no network) or a real listener (for two instances).
#![allow(dead_code)]

pub mod training;

use app::domain::account::Role;
use app::domain::person::{PersonDraft, Position};
use app::domain::unit::{UnitDraft, UnitKind};
use app::platform::Actor;
use app::platform::db::{Backend, Db};
use app::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;

pub const PASSWORD: &str = "Correct-horse-2018";

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        rand_suffix()
    )
}

fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
        % 100_000
}

/// The folder this test process keeps its SQLite files in:
/// `target/tmp/sqlite-tests/<pid>`. Folders of test processes that have
/// ended are removed when the next one starts, so a failed test's database
/// can be opened until the next run and nothing piles up (it used to: ~230
/// files, 160 MB, in /tmp per run).
fn sqlite_folder() -> &'static std::path::Path {
    static FOLDER: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    FOLDER.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sqlite-tests");
        let own = std::process::id();
        for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            let pid = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok());
            // A process that still runs has its /proc entry (Linux).
            if pid.is_some_and(|pid| {
                pid != own && !std::path::Path::new(&format!("/proc/{pid}")).exists()
            }) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let folder = root.join(own.to_string());
        std::fs::create_dir_all(&folder).expect("create the tests' SQLite folder");
        folder
    })
}

/// A test's SQLite file, removed with its journal files when the test
/// passes; kept (until the next run) when it fails.
pub struct SqliteFile(std::path::PathBuf);

impl Drop for SqliteFile {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("the failed test's database: {}", self.0.display());
            return;
        }
        for suffix in ["", "-wal", "-shm", ".migrate-lock"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A fresh SQLite database and the file that goes when the test passes.
pub async fn fresh_sqlite() -> (Db, SqliteFile) {
    let path = sqlite_folder().join(format!("{}.db", unique("yingji_test")));
    let db = Db::connect(&format!("sqlite://{}?mode=rwc", path.display()), 8)
        .await
        .expect("connect");
    db.migrate().await.expect("migrate");
    (db, SqliteFile(path))
}

/// A fresh database. PostgreSQL comes from `YINGJI_TEST_POSTGRES` (started
/// by `.ci/pg.sh`); its absence fails the test rather than skipping it.
pub async fn fresh(backend: Backend) -> Db {
    let url = match backend {
        Backend::Sqlite => {
            // No guard here: the file stays until the next run's sweep.
            let (db, file) = fresh_sqlite().await;
            std::mem::forget(file);
            return db;
        }
        Backend::Postgres => {
            let base = std::env::var("YINGJI_TEST_POSTGRES").expect(
                "YINGJI_TEST_POSTGRES is not set: start a cluster with `.ci/pg.sh start` (make test does) — PostgreSQL tests are never skipped",
            );
            let template = migrated_template(&base).await;
            let name = unique("yingji_test");
            let admin = Db::connect(&base, 1)
                .await
                .expect("connect to the test PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .execute(&admin.pool)
                .await
                .expect("create test database");
            admin.pool.close().await;
            database_url(&base, &name)
        }
    };
    let db = Db::connect(&url, 8).await.expect("connect");
    db.migrate().await.expect("migrate");
    db
}

fn database_url(base: &str, name: &str) -> String {
    match base.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("YINGJI_TEST_POSTGRES must end with /database"),
    }
}

/// A PostgreSQL database migrated once per test process, which every
/// test's database is copied from (`CREATE DATABASE … TEMPLATE`): a copy
/// takes a fraction of running every migration again.
async fn migrated_template(base: &str) -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let name = unique("yingji_template");
            let admin = Db::connect(base, 1)
                .await
                .expect("connect to the test PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&admin.pool)
                .await
                .expect("create the template database");
            admin.pool.close().await;
            let db = Db::connect(&database_url(base, &name), 1)
                .await
                .expect("connect to the template");
            db.migrate().await.expect("migrate the template");
            // A template may have no connections while it is copied.
            db.pool.close().await;
            name
        })
        .await
        .clone()
}

/// Runs each listed async test once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($(async fn $name:ident($db:ident: Db) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn run($db: app::platform::db::Db) $body
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let (db, _file) = $crate::common::fresh_sqlite().await;
                    run(db).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    run($crate::common::fresh(app::platform::db::Backend::Postgres).await).await
                }
            }
        )*
    };
}

pub struct District {
    pub units: HashMap<&'static str, i64>,
    pub accounts: HashMap<&'static str, i64>,
}

/// A small district: a subdistrict with a village, a department; accounts
/// `admin`, `assessor`, `organizer` (scoped to the subdistrict), `trainee`
/// (linked to a person), all with `PASSWORD`.
pub async fn district(db: &Db) -> District {
    let actor = Actor::system("test");
    let mut tx = db.pool.begin().await.unwrap();
    let unit = |code: &str, name: &str, kind| UnitDraft {
        code: code.into(),
        name: name.into(),
        kind,
        min_on_duty: 2,
    };
    let jd = app::areas::directory::store::units::create(
        &mut app::platform::Write::within(&mut tx, &actor, 1),
        &unit("JD01", "城关街道", UnitKind::Subdistrict),
        None,
    )
    .await
    .unwrap();
    let v = app::areas::directory::store::units::create(
        &mut app::platform::Write::within(&mut tx, &actor, 1),
        &unit("JD01-V1", "东关村", UnitKind::Village),
        Some(jd),
    )
    .await
    .unwrap();
    let ga = app::areas::directory::store::units::create(
        &mut app::platform::Write::within(&mut tx, &actor, 1),
        &unit("GA", "公安分局", UnitKind::Department),
        None,
    )
    .await
    .unwrap();
    let person = |code: &str, name: &str, positions: &[Position]| PersonDraft {
        code: code.into(),
        name: name.into(),
        positions: positions.to_vec(),
        phone: Some("13812341234".into()),
    };
    let p1 = app::areas::directory::store::people::create(
        &mut app::platform::Write::within(&mut tx, &actor, 1),
        &person("P1", "王建国", &[Position::EmStaff]),
        jd,
    )
    .await
    .unwrap();
    app::areas::directory::store::people::create(
        &mut app::platform::Write::within(&mut tx, &actor, 1),
        &person("P2", "李秀英", &[Position::QuickReporter]),
        v,
    )
    .await
    .unwrap();
    app::areas::directory::store::people::create(
        &mut app::platform::Write::within(&mut tx, &actor, 1),
        &person("P3", "张伟", &[Position::EmStaff, Position::Expert]),
        ga,
    )
    .await
    .unwrap();
    let hash = app::areas::accounts::password::PasswordHash::new(PASSWORD);
    let mut accounts = HashMap::new();
    for (name, role, scope, person) in [
        ("admin", Role::Admin, None, None),
        ("assessor", Role::Assessor, None, None),
        ("assessor2", Role::Assessor, None, None),
        ("organizer", Role::Organizer, Some(jd), None),
        ("trainee", Role::Trainee, None, Some(p1)),
    ] {
        let id = app::areas::accounts::store::accounts::create(
            &mut app::platform::Write::within(&mut tx, &actor, 1),
            app::areas::accounts::store::accounts::NewAccount {
                username: name,
                display_name: name,
                hash: &hash,
                grants: &[(role, scope)],
                person_id: person,
            },
        )
        .await
        .unwrap();
        accounts.insert(name, id);
    }
    tx.commit().await.unwrap();
    District {
        units: HashMap::from([("JD01", jd), ("JD01-V1", v), ("GA", ga)]),
        accounts,
    }
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub district: District,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent, for files that are not text.
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not the expected JSON ({e}): {}", self.body))
    }

    /// The `name=value` part of the `Set-Cookie` for `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap_or("").to_string())
    }

    /// A header's value as text; empty when absent or not text.
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    pub fn set_cookie_header(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }
}

pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn config() -> server::config::Config {
    server::config::Config::from_lookup(|k| match k {
        "LEPTOS_SITE_ROOT" => Some("target/site".into()),
        _ => None,
    })
    .unwrap()
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        let db = fresh(backend).await;
        TestApp::on(db).await
    }

    pub async fn on(db: Db) -> TestApp {
        let district = district(&db).await;
        let state = server::state_with(db, &config());
        let router = server::router(state.clone());
        TestApp {
            state,
            router,
            district,
        }
    }

    pub async fn request(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
            .await
            .unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).to_string(),
            bytes: bytes.to_vec(),
        }
    }

    /// Calls a server function the way the browser does (a form POST).
    pub async fn call(&self, path: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Reply {
        self.call_with(path, form, cookie, &[]).await
    }

    pub async fn call_with(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("host", "127.0.0.1:3000");
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.request(req.body(Body::from(form_encode(form))).unwrap())
            .await
    }

    /// Posts a file the way the browser's upload form does: the text
    /// `fields` first, then the file as the part `file`; `cookie` is the
    /// session.
    pub async fn post_file(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        filename: &str,
        bytes: &[u8],
        cookie: &str,
    ) -> Reply {
        let boundary = "----yingji-test-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::post(path)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("host", "127.0.0.1:3000")
            .header("cookie", cookie)
            .body(Body::from(body))
            .unwrap();
        self.request(req).await
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut req = Request::get(path)
            .header("host", "127.0.0.1:3000")
            .header("accept", "text/html");
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        self.request(req.body(Body::empty()).unwrap()).await
    }

    /// Signs in and returns the session cookie (`yingji_session=...`).
    pub async fn login(&self, username: &str) -> String {
        let r = self
            .call(
                LOGIN,
                &[("username", username), ("password", PASSWORD)],
                None,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "log-in of {username} failed: {}",
            r.body
        );
        r.cookie("yingji_session").expect("a session cookie")
    }
}

pub const LOGIN: &str = <app::areas::accounts::api::Login as leptos::server_fn::ServerFn>::PATH;
pub const LOGOUT: &str = <app::areas::accounts::api::Logout as leptos::server_fn::ServerFn>::PATH;
pub const CURRENT_USER: &str =
    <app::areas::accounts::api::CurrentUser as leptos::server_fn::ServerFn>::PATH;
pub const CHANGE_PASSWORD: &str =
    <app::areas::accounts::api::ChangePassword as leptos::server_fn::ServerFn>::PATH;
pub const LIST_ACCOUNTS: &str =
    <app::areas::accounts::api::ListAccounts as leptos::server_fn::ServerFn>::PATH;
pub const CREATE_ACCOUNT: &str =
    <app::areas::accounts::api::CreateAccount as leptos::server_fn::ServerFn>::PATH;
pub const SET_DISABLED: &str =
    <app::areas::accounts::api::SetAccountDisabled as leptos::server_fn::ServerFn>::PATH;
pub const SET_ROLES: &str =
    <app::areas::accounts::api::SetAccountRoles as leptos::server_fn::ServerFn>::PATH;
pub const LIST_PEOPLE: &str =
    <app::areas::directory::api::ListPeople as leptos::server_fn::ServerFn>::PATH;
pub const SAVE_PERSON: &str =
    <app::areas::directory::api::SavePerson as leptos::server_fn::ServerFn>::PATH;
pub const SAVE_UNIT: &str =
    <app::areas::directory::api::SaveUnit as leptos::server_fn::ServerFn>::PATH;
pub const MOVE_UNIT: &str =
    <app::areas::directory::api::MoveUnit as leptos::server_fn::ServerFn>::PATH;
pub const LIST_UNITS: &str =
    <app::areas::directory::api::ListUnits as leptos::server_fn::ServerFn>::PATH;
pub const PREVIEW_IMPORT: &str =
    <app::areas::imports::api::PreviewImport as leptos::server_fn::ServerFn>::PATH;
pub const CONFIRM_IMPORT: &str =
    <app::areas::imports::api::ConfirmImport as leptos::server_fn::ServerFn>::PATH;
pub const LIST_AUDIT: &str =
    <app::areas::audit::api::ListAudit as leptos::server_fn::ServerFn>::PATH;
pub const LOAD_HOME: &str = <app::areas::home::api::LoadHome as leptos::server_fn::ServerFn>::PATH;
pub const SAVE_EMERGENCY_PLAN: &str =
    <app::areas::eplans::api::SaveEmergencyPlan as leptos::server_fn::ServerFn>::PATH;
pub const REGISTER_ASSISTANT: &str =
    <app::areas::registry::api::RegisterAssistant as leptos::server_fn::ServerFn>::PATH;

/// A district-wide assessor, for calling services directly.
pub fn district_assessor() -> app::domain::authz::Principal {
    app::domain::authz::Principal {
        account_id: 0,
        username: "assessor".into(),
        display_name: "assessor".into(),
        person_id: None,
        grants: vec![app::domain::authz::Grant {
            role: Role::Assessor,
            scope: app::domain::authz::Scope::District,
        }],
    }
}

/// Calls a server function as `who` (a session cookie), asserts it
/// answered 200 and decodes the JSON answer.
pub async fn call_ok<T: serde::de::DeserializeOwned>(
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
    who: &str,
) -> T {
    let r = app.call(path, form, Some(who)).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.json()
}

/// Form pairs as owned strings, for a form a test edits before posting.
pub fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Owned form pairs borrowed back, as `TestApp::call` takes them.
pub fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// How many audit rows record `action`.
pub async fn audited(db: &Db, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

/// A unit's stored assessment metric as (numerator, denominator), if one
/// was written.
pub async fn stored_metric(db: &Db, unit: i64, metric: &str) -> Option<(i64, i64)> {
    use sqlx::Row;
    sqlx::query(
        "SELECT numerator, denominator FROM assessment_metrics WHERE unit_id = $1 AND metric = $2",
    )
    .bind(unit)
    .bind(metric)
    .fetch_optional(&db.pool)
    .await
    .unwrap()
    .map(|r| (r.get("numerator"), r.get("denominator")))
}

/// Today where the district is, by the app's clock.
pub fn local_today(app: &TestApp) -> chrono::NaiveDate {
    app::domain::local_date(app.state.clock.now_secs()).unwrap()
}

/// The next subdistrict (新城街道, JD02) beside the district's 城关街道:
/// its id.
pub async fn next_subdistrict(db: &Db) -> i64 {
    let mut tx = db.pool.begin().await.unwrap();
    let id = app::areas::directory::store::units::create(
        &mut app::platform::Write::within(&mut tx, &Actor::system("test"), 1),
        &UnitDraft {
            code: "JD02".into(),
            name: "新城街道".into(),
            kind: UnitKind::Subdistrict,
            min_on_duty: 1,
        },
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// An account made for one test (the fixture has one per role): one role
/// with an optional scope unit, linked to a person by number; signed in.
pub async fn add_account(
    app: &TestApp,
    username: &str,
    role: Role,
    scope: Option<i64>,
    person: Option<&str>,
) -> String {
    let mut tx = app.state.db.write().await.unwrap();
    let person_id: Option<i64> = match person {
        Some(code) => Some(
            sqlx::query_scalar("SELECT id FROM people WHERE code = $1")
                .bind(code)
                .fetch_one(&mut *tx)
                .await
                .unwrap(),
        ),
        None => None,
    };
    let hash = app::areas::accounts::password::PasswordHash::new(PASSWORD);
    app::areas::accounts::store::accounts::create(
        &mut app::platform::Write::within(&mut tx, &Actor::system("test"), 1),
        app::areas::accounts::store::accounts::NewAccount {
            username,
            display_name: username,
            hash: &hash,
            grants: &[(role, scope)],
            person_id,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.login(username).await
}

/// Another organizer, for the whole district (the fixture's `organizer`
/// is scoped to 城关街道), signed in: for what a scoped organizer may not
/// do, or what someone other than the author must approve.
pub async fn district_organizer(app: &TestApp, username: &str) -> String {
    add_account(app, username, Role::Organizer, None, None).await
}

/// An emergency plan saved as a draft through its form, as `who`; its id.
pub async fn new_emergency_plan(
    app: &TestApp,
    who: &str,
    unit: i64,
    kind: &str,
    title: &str,
) -> i64 {
    let unit = unit.to_string();
    call_ok(
        app,
        SAVE_EMERGENCY_PLAN,
        &[
            ("form[unit_id]", &unit),
            ("form[kind]", kind),
            ("form[title]", title),
            ("form[revise_by]", "2030-12-31"),
            ("form[summary]", "分级响应"),
        ],
        who,
    )
    .await
}

/// The drill form as the browser posts it: a full-scale earthquake drill
/// that unit `organizer` holds at `place` with the given people (numbers),
/// on a local day and hours, to practise evacuation and reporting.
pub fn drill_form(
    place: &str,
    title: &str,
    organizer: i64,
    people: &str,
    day: &str,
    from: &str,
    to: &str,
) -> Vec<(String, String)> {
    owned(&[
        ("form[title]", title),
        ("form[scenario]", "earthquake"),
        ("form[format]", "full_scale"),
        ("form[organizer_unit_id]", &organizer.to_string()),
        ("form[people]", people),
        ("form[start]", &format!("{day}T{from}")),
        ("form[end]", &format!("{day}T{to}")),
        ("form[place]", place),
        ("form[objectives]", "疏散\n信息报告"),
    ])
}

/// A drill that unit `organizer` held yesterday (00:10 to 00:50) at
/// `place` with the given people, saved and marked held by `who`; its id.
pub async fn held_yesterday(
    app: &TestApp,
    who: &str,
    place: &str,
    title: &str,
    organizer: i64,
    people: &str,
) -> String {
    use leptos::server_fn::ServerFn;
    let yesterday = (local_today(app) - chrono::Duration::days(1)).to_string();
    let form = drill_form(
        place, title, organizer, people, &yesterday, "00:10", "00:50",
    );
    let saved: app::areas::drills::api::DrillSaved = call_ok(
        app,
        <app::areas::drills::api::SaveDrill as ServerFn>::PATH,
        &pairs(&form),
        who,
    )
    .await;
    let id = saved.id.expect("saved").to_string();
    let r = app
        .call(
            <app::areas::drills::api::HoldDrill as ServerFn>::PATH,
            &[("id", &id)],
            Some(who),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    id
}

/// Sets the value of the field `key` a form already holds.
pub fn set_field(form: &mut [(String, String)], key: &str, value: &str) {
    let field = form
        .iter_mut()
        .find(|field| field.0 == key)
        .unwrap_or_else(|| panic!("the form has no {key}"));
    field.1 = value.to_string();
}

/// Registers a person in a registry role (`assistant`, `reporter`, ...)
/// at a unit through the form, as `who`, appointed 2026-03-01. `name`
/// creates a person not yet known (empty for a known one); `phone` is the
/// entry's number (may be empty).
pub async fn register_person(
    app: &TestApp,
    who: &str,
    code: &str,
    name: &str,
    role: &str,
    unit: i64,
    phone: &str,
) -> Reply {
    let unit = unit.to_string();
    app.call(
        REGISTER_ASSISTANT,
        &[
            ("form[person_code]", code),
            ("form[name]", name),
            ("form[role]", role),
            ("form[unit_id]", &unit),
            ("form[phone]", phone),
            ("form[appointed_on]", "2026-03-01"),
        ],
        Some(who),
    )
    .await
}

/// One lifecycle step on a plan, as `who`: the status.
pub async fn step(app: &TestApp, who: &str, plan: i64, step: &str) -> StatusCode {
    app.call(
        <app::areas::eplans::api::StepEmergencyPlan as leptos::server_fn::ServerFn>::PATH,
        &[("id", &plan.to_string()), ("step", step)],
        Some(who),
    )
    .await
    .status
}

/// A small PDF, as the type check wants it.
pub const PDF: &[u8] = b"%PDF-1.7\n% \xe5\xba\x94\xe6\x80\xa5\n1 0 obj\nendobj\n%%EOF";

/// Walks a draft to filed as people do: its keeper uploads the document,
/// someone else approves it, the keeper publishes and files it.
pub async fn file(app: &TestApp, keeper: &str, approver: &str, plan: i64) {
    let (_, to) = upload(app, keeper, plan, "预案.pdf", PDF).await;
    assert_eq!(to, format!("/drills/plans/{plan}"), "the document is kept");
    assert_eq!(
        step(app, approver, plan, "approve").await,
        StatusCode::OK,
        "approve"
    );
    for s in ["publish", "file"] {
        assert_eq!(step(app, keeper, plan, s).await, StatusCode::OK, "{s}");
    }
}

/// A multipart upload of one file to a plan: the status and where it
/// sends the browser.
pub async fn upload(
    app: &TestApp,
    who: &str,
    plan: i64,
    name: &str,
    bytes: &[u8],
) -> (StatusCode, String) {
    let r = app
        .post_file(
            &format!("/drills/plans/{plan}/document"),
            &[],
            name,
            bytes,
            who,
        )
        .await;
    (r.status, r.header("location"))
}

/// The path of a full address the app hands out (`http://host/calendar/..`).
pub fn path_of(url: &str) -> &str {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url)
}
