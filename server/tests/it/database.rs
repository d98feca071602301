//! The storage layer on both databases: the same suite, run once on SQLite
//! and once on PostgreSQL.

use crate::common::{audited, district};
use app::domain::authz::Reach;
use app::domain::person::Position;
use app::domain::unit::{UnitDraft, UnitKind};
use app::platform::Actor;

on_both_databases! {
    async fn audit_rows_can_be_neither_changed_nor_deleted(db: Db) {
        district(&db).await;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(&db.pool).await.unwrap();
        assert!(n >= 10, "creating the district wrote {n} audit rows");
        let update = sqlx::query("UPDATE audit_log SET actor = 'someone else'").execute(&db.pool).await;
        assert!(update.is_err(), "an UPDATE of the audit trail went through");
        let delete = sqlx::query("DELETE FROM audit_log").execute(&db.pool).await;
        assert!(delete.is_err(), "a DELETE of the audit trail went through");
        let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(&db.pool).await.unwrap();
        assert_eq!(after, n);
    }

    async fn a_stored_date_that_is_not_one_is_an_error_never_1970(db: Db) {
        district(&db).await;
        let person: i64 = sqlx::query_scalar("SELECT MIN(id) FROM people").fetch_one(&db.pool).await.unwrap();
        sqlx::query("INSERT INTO leave_days (person_id, start_on, end_on, reason, created_by, created_at) VALUES ($1, '2026-03-01', '2026-03-02', 'good', 'test', 0)")
            .bind(person)
            .execute(&db.pool)
            .await
            .unwrap();
        let mut c = db.pool.acquire().await.unwrap();
        let everywhere = app::domain::authz::Reach::Everywhere;
        let list = app::areas::training::store::leave::list(&mut c, &everywhere).await.unwrap();
        assert_eq!(list[0].start.to_string(), "2026-03-01");
        // A value someone wrote by hand into the table.
        sqlx::query("INSERT INTO leave_days (person_id, start_on, end_on, reason, created_by, created_at) VALUES ($1, '03/01/2026', '2026-03-02', 'bad', 'test', 0)")
            .bind(person)
            .execute(&db.pool)
            .await
            .unwrap();
        let err = app::areas::training::store::leave::list(&mut c, &everywhere).await.unwrap_err();
        assert!(matches!(err, app::error::AppError::Internal), "{err:?}");
    }

    async fn a_stored_unit_kind_or_registry_role_that_is_unknown_is_an_error_never_a_default(db: Db) {
        let d = district(&db).await;
        let everywhere = Reach::Everywhere;
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let mut c = db.pool.acquire().await.unwrap();
        assert_eq!(app::areas::directory::store::units::get(&db.pool, d.units["GA"]).await.unwrap().unwrap().kind, UnitKind::Department);
        app::areas::registry::store::entries::register(
            &mut app::platform::Write::within(&mut c, &Actor::system("test"), 5),
            sqlx::query_scalar::<_, i64>("SELECT id FROM people WHERE code = 'P2'").fetch_one(&db.pool).await.unwrap(),
            app::domain::registry::RegistryRole::Reporter,
            d.units["JD01-V1"],
            None,
            today,
        )
        .await
        .unwrap();
        assert_eq!(app::areas::registry::store::entries::within(&mut c, &everywhere, today).await.unwrap().len(), 1);
        // Values someone wrote by hand into the tables: the read fails (it
        // used to show the unit as a department, and to drop the role).
        sqlx::query("UPDATE registry_entries SET role = 'mayor'").execute(&db.pool).await.unwrap();
        let err = app::areas::registry::store::entries::within(&mut c, &everywhere, today).await.unwrap_err();
        assert!(matches!(err, app::error::AppError::Internal), "{err:?}");
        sqlx::query("UPDATE units SET kind = 'castle' WHERE id = $1").bind(d.units["GA"]).execute(&db.pool).await.unwrap();
        let err = app::areas::directory::store::units::get(&db.pool, d.units["GA"]).await.unwrap_err();
        assert!(err.to_string().contains("\"castle\" is not a unit kind"), "{err}");
        assert!(app::areas::directory::store::units::list(&db.pool, &Default::default()).await.is_err());
    }

    async fn a_stored_veto_status_incident_level_or_metric_origin_that_is_unknown_is_an_error(db: Db) {
        use app::areas::assessment::store::{incidents, metrics, vetoes};
        let d = district(&db).await;
        let unit = d.units["JD01"];
        let run = |sql: &'static str| {
            let pool = db.pool.clone();
            async move { sqlx::query(sql).bind(unit).execute(&pool).await.unwrap() }
        };
        run("INSERT INTO assessment_vetoes (year, unit_id, reason, evidence, status, proposed_by, proposed_at) VALUES (2018, $1, 'r', 'e', 'proposed', 'a', 1)").await;
        run("INSERT INTO incidents (unit_id, level, title, occurred_at, reported_at, reported_by, created_by, created_at) VALUES ($1, 'major', 't', 1, 2, 'b', 'c', 3)").await;
        run("INSERT INTO assessment_metrics (year, unit_id, metric, numerator, denominator, origin, updated_by, updated_at) VALUES (2018, $1, 'plan_coverage', 1, 2, 'computed', 'x', 1)").await;
        assert_eq!(vetoes::list(&db.pool, Some(2018), None).await.unwrap().len(), 1);
        let incident: i64 = sqlx::query_scalar("SELECT MAX(id) FROM incidents").fetch_one(&db.pool).await.unwrap();
        assert!(incidents::get(&db.pool, incident).await.unwrap().is_some());
        assert_eq!(metrics::of_year(&db.pool, 2018).await.unwrap().len(), 1);
        // Codes written by hand: a veto used to read as proposed (and a
        // second assessor could confirm it), an incident as general, a
        // metric as entered by an assessor.
        run("UPDATE assessment_vetoes SET status = 'maybe' WHERE unit_id = $1").await;
        run("UPDATE incidents SET level = 'apocalyptic' WHERE unit_id = $1").await;
        run("UPDATE assessment_metrics SET origin = 'guessed' WHERE unit_id = $1").await;
        let err = vetoes::list(&db.pool, Some(2018), None).await.unwrap_err();
        assert!(matches!(err, app::error::AppError::Internal), "{err:?}");
        assert!(incidents::get(&db.pool, incident).await.is_err());
        assert!(metrics::of_year(&db.pool, 2018).await.is_err());
    }

    async fn moving_a_unit_moves_its_whole_subtree_and_is_audited(db: Db) {
        let d = district(&db).await;
        let actor = Actor::system("test");
        let mut tx = db.pool.begin().await.unwrap();
        let jd2 = app::areas::directory::store::units::create(&mut app::platform::Write::within(&mut tx, &actor, 5), &UnitDraft { code: "JD02".into(), name: "新城街道".into(), kind: UnitKind::Subdistrict, min_on_duty: 0 }, None).await.unwrap();
        // A village may only move under a subdistrict...
        let wrong = app::areas::directory::store::units::move_to(&mut app::platform::Write::within(&mut tx, &actor, 6), d.units["JD01-V1"], Some(d.units["GA"])).await;
        assert!(wrong.is_err());
        app::areas::directory::store::units::move_to(&mut app::platform::Write::within(&mut tx, &actor, 6), d.units["JD01-V1"], Some(jd2)).await.unwrap();
        // ...and nothing moves under its own subtree.
        let cycle = app::areas::directory::store::units::move_to(&mut app::platform::Write::within(&mut tx, &actor, 7), jd2, Some(d.units["JD01-V1"])).await;
        assert!(cycle.is_err());
        tx.commit().await.unwrap();
        let village = app::areas::directory::store::units::get(&db.pool, d.units["JD01-V1"]).await.unwrap().unwrap();
        assert_eq!(village.path, format!("/{jd2}/{}/", d.units["JD01-V1"]));
        assert_eq!(village.parent_name.as_deref(), Some("新城街道"));
        assert_eq!(audited(&db, "unit.move").await, 1);
    }

    async fn moving_a_parent_rewrites_the_paths_below_it(db: Db) {
        let d = district(&db).await;
        let actor = Actor::system("test");
        let mut tx = db.pool.begin().await.unwrap();
        app::areas::directory::store::units::move_to(&mut app::platform::Write::within(&mut tx, &actor, 6), d.units["JD01"], Some(d.units["GA"])).await.unwrap();
        tx.commit().await.unwrap();
        let village = app::areas::directory::store::units::get(&db.pool, d.units["JD01-V1"]).await.unwrap().unwrap();
        assert_eq!(village.path, format!("/{}/{}/{}/", d.units["GA"], d.units["JD01"], d.units["JD01-V1"]));
        let under_ga = app::areas::directory::store::units::list(&db.pool, &app::areas::directory::store::units::UnitFilter { under: Some(format!("/{}/", d.units["GA"])), ..Default::default() }).await.unwrap();
        assert_eq!(under_ga.len(), 3);
    }

    async fn people_are_listed_within_a_reach_and_by_position(db: Db) {
        let d = district(&db).await;
        let jd_path = format!("/{}/", d.units["JD01"]);
        let filter = app::areas::directory::store::people::PeopleFilter::default();
        let within = app::areas::directory::store::people::list(&db.pool, &Reach::Subtrees(vec![jd_path]), &filter, 1, 50).await.unwrap();
        let names: Vec<String> = within.items.iter().map(|(p, _)| p.name.clone()).collect();
        assert_eq!(names, vec!["王建国", "李秀英"]);
        let all = app::areas::directory::store::people::list(&db.pool, &Reach::Everywhere, &filter, 1, 50).await.unwrap();
        assert_eq!(all.total, 3);
        let experts = app::areas::directory::store::people::list(&db.pool, &Reach::Everywhere, &app::areas::directory::store::people::PeopleFilter { position: Some(Position::Expert), ..Default::default() }, 1, 50).await.unwrap();
        assert_eq!(experts.items.len(), 1);
        assert_eq!(experts.items[0].0.name, "张伟");
        let none = app::areas::directory::store::people::list(&db.pool, &Reach::Nowhere, &filter, 1, 50).await.unwrap();
        assert_eq!(none.total, 0);
        let searched = app::areas::directory::store::people::list(&db.pool, &Reach::Everywhere, &app::areas::directory::store::people::PeopleFilter { q: Some("秀".into()), ..Default::default() }, 1, 50).await.unwrap();
        assert_eq!(searched.total, 1);
    }

    async fn a_session_expires_when_idle_and_disabling_ends_it(db: Db) {
        let d = district(&db).await;
        let policy = app::domain::session::SessionPolicy { idle_secs: 100, absolute_secs: 1000 };
        let token = app::areas::accounts::store::sessions::create(&db.pool, d.accounts["trainee"], 10).await.unwrap();
        let (me, _) = app::areas::accounts::store::sessions::resolve(&db.pool, &token, &policy, 50).await.unwrap().unwrap();
        assert_eq!(me.username, "trainee");
        assert!(app::areas::accounts::store::sessions::resolve(&db.pool, &token, &policy, 200).await.unwrap().is_none());
        assert!(app::areas::accounts::store::sessions::resolve(&db.pool, &token, &policy, 60).await.unwrap().is_none(), "an expired session is gone for good");
        let token = app::areas::accounts::store::sessions::create(&db.pool, d.accounts["trainee"], 10).await.unwrap();
        let mut tx = db.pool.begin().await.unwrap();
        app::areas::accounts::store::accounts::set_disabled(&mut app::platform::Write::within(&mut tx, &Actor::system("test"), 11), d.accounts["trainee"], true).await.unwrap();
        tx.commit().await.unwrap();
        assert!(app::areas::accounts::store::sessions::resolve(&db.pool, &token, &policy, 12).await.unwrap().is_none());
        assert_eq!(app::areas::accounts::store::sessions::count_for_account(&db.pool, d.accounts["trainee"]).await.unwrap(), 0);
    }

    async fn a_scoped_organizer_knows_the_path_of_their_scope(db: Db) {
        let d = district(&db).await;
        let p = app::areas::accounts::store::accounts::principal(&db.pool, d.accounts["organizer"]).await.unwrap().unwrap();
        assert!(p.may_at(app::domain::authz::Action::ManagePeople, &format!("/{}/{}/", d.units["JD01"], d.units["JD01-V1"])));
        assert!(!p.may_at(app::domain::authz::Action::ManagePeople, &format!("/{}/", d.units["GA"])));
    }

    async fn the_demo_district_is_the_size_the_issue_asks_for(db: Db) {
        let seeded = server::seed::seed_demo(&db, 1_540_000_000).await.unwrap();
        assert_eq!(
            seeded.passwords.len(),
            6,
            "one account per role, a second assessor and an enterprise worker"
        );
        assert!((280..=330).contains(&seeded.people), "{} people", seeded.people);
        let count = |kind: &'static str| {
            let pool = db.pool.clone();
            async move { sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM units WHERE kind = $1").bind(kind).fetch_one(&pool).await.unwrap() }
        };
        assert_eq!(count("subdistrict").await, 6);
        assert_eq!(count("department").await, 13);
        assert_eq!(count("industrial_centre").await, 2);
        assert!(count("school").await >= 3);
        assert!(count("enterprise").await >= 3);
        assert!(count("village").await + count("community").await >= 20);
        assert_eq!(db.meta("demo").await.unwrap().as_deref(), Some("1"));
        // Last year's scheme published, this year's open with one sheet unfinished.
        let schemes = app::areas::assessment::store::schemes::list(&db.pool).await.unwrap();
        assert_eq!(schemes.iter().map(|s| (s.year, s.published)).collect::<Vec<_>>(), vec![(2018, false), (2017, true)]);
        let results = app::areas::assessment::service::results(&db, &crate::common::district_assessor(), schemes[0].id, app::i18n::Lang::Zh).await.unwrap();
        assert_eq!(results.rows.len(), 6);
        assert_eq!(results.rows.iter().filter(|r| r.outcome.incomplete).count(), 1);
        assert_eq!(results.rows[0].outcome.rank, Some(1));
        let trainee = app::areas::accounts::store::accounts::credentials(&db.pool, "trainee").await.unwrap().unwrap();
        let password = seeded.passwords.iter().find(|(u, _)| u == "trainee").unwrap().1.clone();
        assert!(trainee.hash.verify(&password));
        let again = server::seed::reset_demo_passwords(&db, 1_540_000_100).await.unwrap();
        let trainee = app::areas::accounts::store::accounts::credentials(&db.pool, "trainee").await.unwrap().unwrap();
        assert!(trainee.hash.verify(&again.iter().find(|(u, _)| u == "trainee").unwrap().1));
    }

    async fn log_in_attempts_are_counted_per_key_forgotten_and_purged(db: Db) {
        use app::areas::accounts::store::attempts::{add_attempt, attempts, clear_attempts, forget_attempt, lock_keys, purge_attempts};
        let mut tx = db.write().await.unwrap();
        lock_keys(&mut tx, &["user:x", "addr:10.0.0.1", "user:x"], 200).await.unwrap();
        add_attempt(&mut tx, "user:x", 100).await.unwrap();
        add_attempt(&mut tx, "user:x", 200).await.unwrap();
        add_attempt(&mut tx, "user:y", 200).await.unwrap();
        let mine = add_attempt(&mut tx, "addr:10.0.0.1", 200).await.unwrap();
        let other = add_attempt(&mut tx, "addr:10.0.0.1", 200).await.unwrap();
        assert_ne!(mine, other);
        assert_eq!(attempts(&mut *tx, "user:x", 150).await.unwrap(), vec![200]);
        tx.commit().await.unwrap();
        let mut tx = db.write().await.unwrap();
        clear_attempts(&mut tx, "user:x").await.unwrap();
        forget_attempt(&mut tx, mine).await.unwrap();
        tx.commit().await.unwrap();
        assert!(attempts(&db.pool, "user:x", 0).await.unwrap().is_empty());
        assert_eq!(attempts(&db.pool, "user:y", 0).await.unwrap(), vec![200]);
        assert_eq!(attempts(&db.pool, "addr:10.0.0.1", 0).await.unwrap(), vec![200], "only the forgotten one went");
        let mut tx = db.write().await.unwrap();
        add_attempt(&mut tx, "user:y", 5000).await.unwrap();
        assert_eq!(purge_attempts(&mut tx, db.backend, 1000).await.unwrap(), 2);
        tx.commit().await.unwrap();
        assert_eq!(attempts(&db.pool, "user:y", 0).await.unwrap(), vec![5000]);
        assert!(attempts(&db.pool, "addr:10.0.0.1", 0).await.unwrap().is_empty());
        // A key no log-in can make is refused by the table itself.
        let mut tx = db.write().await.unwrap();
        assert!(add_attempt(&mut tx, &"user:".repeat(100), 1).await.is_err());
    }

    async fn a_second_reservation_for_a_key_waits_for_the_first(db: Db) {
        use app::areas::accounts::store::attempts::lock_keys;
        let mut first = db.write().await.unwrap();
        lock_keys(&mut first, &["user:x"], 1).await.unwrap();
        let other = db.clone();
        let second = tokio::spawn(async move {
            let mut tx = other.write().await.unwrap();
            lock_keys(&mut tx, &["user:x"], 2).await.unwrap();
            tx.commit().await.unwrap();
        });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(!second.is_finished(), "the second went ahead while the first held the key");
        first.commit().await.unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(10), second).await.unwrap().unwrap();
        let slots: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_locks").fetch_one(&db.pool).await.unwrap();
        assert_eq!(slots, 1, "one row per slot, however often it is taken");
    }
}

/// Tables and columns of a migrated database: (table, column, NOT NULL).
async fn schema(
    db: &app::platform::db::Db,
    backend: app::platform::db::Backend,
) -> std::collections::BTreeSet<(String, String, bool)> {
    use sqlx::Row;
    let mut out = std::collections::BTreeSet::new();
    match backend {
        app::platform::db::Backend::Sqlite => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
            )
            .fetch_all(&db.pool)
            .await
            .unwrap();
            for t in tables {
                let cols = sqlx::query(&format!(
                    "SELECT name, \"notnull\" AS nn, pk FROM pragma_table_info('{t}')"
                ))
                .fetch_all(&db.pool)
                .await
                .unwrap();
                for c in cols {
                    // A primary key is NOT NULL on PostgreSQL whatever SQLite says.
                    let not_null = c.get::<i64, _>("nn") != 0 || c.get::<i64, _>("pk") != 0;
                    out.insert((t.clone(), c.get::<String, _>("name"), not_null));
                }
            }
        }
        app::platform::db::Backend::Postgres => {
            let cols = sqlx::query(
                "SELECT table_name::text AS t, column_name::text AS c, is_nullable::text AS n FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
            )
            .fetch_all(&db.pool)
            .await
            .unwrap();
            for c in cols {
                out.insert((c.get("t"), c.get("c"), c.get::<String, _>("n") == "NO"));
            }
        }
    }
    out
}

/// The two migration folders must describe one schema: a column added to
/// one and forgotten in the other fails here, not in production.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_and_postgresql_migrations_define_the_same_tables_and_columns() {
    use app::platform::db::Backend;
    let sqlite = schema(
        &crate::common::fresh(Backend::Sqlite).await,
        Backend::Sqlite,
    )
    .await;
    let postgres = schema(
        &crate::common::fresh(Backend::Postgres).await,
        Backend::Postgres,
    )
    .await;
    assert!(sqlite.len() > 100, "{} columns", sqlite.len());
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only on SQLite: {only_sqlite:?}\nonly on PostgreSQL: {only_postgres:?}"
    );
}

/// Tables whose changes do not move the data's version: written on every
/// request or sign-in, read by no page that is kept (`platform::memo`).
const UNVERSIONED: [&str; 6] = [
    "data_version",
    "sessions",
    "login_failures",
    "login_attempts",
    "login_locks",
    "import_staging",
];

crate::on_both_databases! {
    async fn every_table_but_the_sessions_and_the_throttle_moves_the_data_version(db: Db) {
        use app::platform::db::Backend;
        let tables: std::collections::BTreeSet<String> = schema(&db, db.backend)
            .await
            .into_iter()
            .map(|(t, _, _)| t)
            .filter(|t| !UNVERSIONED.contains(&t.as_str()))
            .collect();
        assert!(tables.len() > 40, "{tables:?}");
        // (table, how many kinds of change its triggers cover)
        let covered: Vec<(String, i64)> = match db.backend {
            Backend::Sqlite => sqlx::query_as(
                "SELECT tbl_name, COUNT(*) FROM sqlite_master WHERE type = 'trigger' \
                 AND sql LIKE '%UPDATE data_version SET version = version + 1%' GROUP BY tbl_name",
            )
            .fetch_all(&db.pool)
            .await
            .unwrap(),
            // One trigger for insert, update and delete: bits 2, 3 and 4
            // of tgtype.
            Backend::Postgres => sqlx::query_as(
                "SELECT c.relname::text, CAST(((t.tgtype::int >> 2) & 1) + ((t.tgtype::int >> 3) & 1) + ((t.tgtype::int >> 4) & 1) AS BIGINT) \
                 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid \
                 WHERE p.proname = 'data_version_move'",
            )
            .fetch_all(&db.pool)
            .await
            .unwrap(),
        };
        let covered: std::collections::BTreeMap<String, i64> = covered.into_iter().collect();
        let missing: Vec<&String> = tables.iter().filter(|t| covered.get(*t) != Some(&3)).collect();
        assert!(missing.is_empty(), "tables whose changes the data's version does not see: {missing:?} ({covered:?})");
    }

    async fn the_data_version_moves_when_a_change_commits_and_not_before(db: Db) {
        use app::platform::memo::version;
        let v0 = version(&db.pool).await.unwrap();
        // A change rolled back moves nothing.
        let mut tx = db.write().await.unwrap();
        sqlx::query("INSERT INTO meta (key, value) VALUES ('memo-test', 'a')").execute(&mut *tx).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(version(&db.pool).await.unwrap(), v0);
        // A change not yet committed is not seen by others, nor is its
        // version.
        let mut tx = db.write().await.unwrap();
        sqlx::query("INSERT INTO meta (key, value) VALUES ('memo-test', 'b')").execute(&mut *tx).await.unwrap();
        sqlx::query("UPDATE meta SET value = 'c' WHERE key = 'memo-test'").execute(&mut *tx).await.unwrap();
        assert_eq!(version(&db.pool).await.unwrap(), v0);
        tx.commit().await.unwrap();
        let v1 = version(&db.pool).await.unwrap();
        assert!(v1 > v0, "{v0} → {v1}");
        // A delete moves it too.
        sqlx::query("DELETE FROM meta WHERE key = 'memo-test'").execute(&db.pool).await.unwrap();
        assert!(version(&db.pool).await.unwrap() > v1);
        // Sessions do not.
        let v2 = version(&db.pool).await.unwrap();
        sqlx::query("DELETE FROM sessions").execute(&db.pool).await.unwrap();
        assert_eq!(version(&db.pool).await.unwrap(), v2);
    }

    async fn a_kept_value_is_served_until_any_writer_changes_the_data(db: Db) {
        let first = db.memo.get_or(&db.pool, "kept".into(), async || kept(&db).await).await.unwrap();
        assert_eq!(*first, 0);
        // Written by plain SQL, as another app instance or a command would:
        // the trigger moves the version, so the next read computes again.
        sqlx::query("INSERT INTO meta (key, value) VALUES ('kept-1', 'x')").execute(&db.pool).await.unwrap();
        let second = db.memo.get_or(&db.pool, "kept".into(), async || kept(&db).await).await.unwrap();
        assert_eq!(*second, 1);
        // No change: the same value, not computed again.
        let third = db
            .memo
            .get_or(&db.pool, "kept".into(), async || -> Result<i64, app::error::AppError> { panic!("computed again without a change") })
            .await
            .unwrap();
        assert!(std::sync::Arc::ptr_eq(&second, &third));
    }
}

async fn kept(db: &app::platform::db::Db) -> Result<i64, app::error::AppError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM meta WHERE key LIKE 'kept-%'")
            .fetch_one(&db.pool)
            .await?,
    )
}
